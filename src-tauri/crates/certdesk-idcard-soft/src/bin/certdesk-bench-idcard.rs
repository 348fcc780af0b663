//! `certdesk-bench-idcard`: how long reading a card takes on a 115200-baud line (issue #29's
//! targets: the read itself ≤ 200 ms in the CLI; from the card selected to the fields on screen
//! ≤ 300 ms, of which this measures the part before the screen). A simulated reader on a
//! pseudo-terminal paces its answers as the line would; the figures are the median, 95th
//! percentile and maximum of:
//! - whole read: open the device, find, select, read (`30 01`), decode — what `certdesk idcard
//!   read --port` does;
//! - selected → fields: the `30 01` exchange (1295 bytes ≈ 112 ms on the line) and the decoding;
//! - decoding alone;
//! - with `--library FILE`: a whole read through a vendor library (the soft one: no line).
//!
//! ```text
//! certdesk-bench-idcard [--runs N] [--card FILE] [--think-ms N] [--baud N] [--library FILE]
//! ```

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("certdesk-bench-idcard: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(unix))]
fn main() -> std::process::ExitCode {
    eprintln!("certdesk-bench-idcard needs pseudo-terminals (Linux, macOS)");
    std::process::ExitCode::FAILURE
}

/// A card of the benchmark's own (not one of the tests' fixtures): a resident card with a long
/// address, made by the soft crate's encoder like any card file.
#[cfg(unix)]
const CARD: &str = r#"{"card_type": "resident", "name": "欧阳娜娜", "sex": "女", "nation": "03", "birth_date": "1986-02-28",
"address": "宁夏回族自治区银川市兴庆区解放西街一百二十八号院三单元五零二室", "id_number": "640104198602280027",
"issuer": "银川市公安局兴庆区分局", "valid_from": "2016-07-01", "valid_to": "2036-07-01"}"#;

#[cfg(unix)]
fn run() -> Result<(), String> {
    use certdesk_idcard::{CardReader, Reader, SdtLibrary, SdtPort, Timeouts};
    use certdesk_idcard_soft::CardFile;
    use certdesk_idcard_soft::sim::{SimConfig, Simulator};
    use std::path::PathBuf;
    use std::time::{Duration, Instant};

    let mut runs = 50usize;
    let mut card_file: Option<PathBuf> = None;
    let mut library: Option<PathBuf> = None;
    let mut config = SimConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
        let number = || value.parse::<u64>().map_err(|_| format!("{arg} {value}: not a number"));
        match arg.as_str() {
            "--runs" => runs = number()? as usize,
            "--card" => card_file = Some(PathBuf::from(&value)),
            "--think-ms" => config.think = Duration::from_millis(number()?),
            "--baud" => config.baud = number()? as u32,
            "--library" => library = Some(PathBuf::from(&value)),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let runs = runs.max(1);
    let dir = std::env::temp_dir().join(format!("certdesk-bench-idcard-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let card_path = match card_file {
        Some(p) => p,
        None => {
            let p = dir.join("card.json");
            std::fs::write(&p, CARD).map_err(|e| e.to_string())?;
            p
        }
    };
    let text = CardFile::load(&card_path)?.ok_or("no card file")?.text;
    config.card = Some(card_path.clone());
    let sim = Simulator::start(config.clone()).map_err(|e| e.to_string())?;
    let timeouts = Timeouts::default();

    let mut whole = Vec::with_capacity(runs);
    let mut selected_to_fields = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let mut reader = Reader::open_with(sim.path(), timeouts).map_err(|e| e.to_string())?;
        reader.read_card().map_err(|e| e.to_string())?;
        whole.push(start.elapsed());
        drop(reader);
        let mut reader = Reader::open_with(sim.path(), timeouts).map_err(|e| e.to_string())?;
        if !reader.find_card().map_err(|e| e.to_string())? {
            return Err("the simulated card was not found".into());
        }
        reader.select_card().map_err(|e| e.to_string())?;
        let start = Instant::now();
        reader.read_selected().map_err(|e| e.to_string())?;
        selected_to_fields.push(start.elapsed());
    }
    let decode_runs = 10_000;
    let start = Instant::now();
    for _ in 0..decode_runs {
        std::hint::black_box(certdesk_idcard::text::decode(std::hint::black_box(&text)).map_err(|e| e.to_string())?);
    }
    let decode = start.elapsed() / decode_runs;

    let line_ms = if config.baud == 0 { 0.0 } else { 1295.0 * 10.0 / f64::from(config.baud) * 1000.0 };
    println!("certdesk-bench-idcard: {runs} reads of {} on a simulated GA/T 467 reader", card_path.display());
    println!("line: {} baud, read answer 1295 bytes = {line_ms:.1} ms on the line; SAM time {} ms", config.baud, config.think.as_millis());
    let report = |what: &str, mut v: Vec<Duration>| {
        v.sort();
        let at = |q: f64| v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!("{what:<24} median {:7.1} ms   p95 {:7.1} ms   max {:7.1} ms", ms(at(0.5)), ms(at(0.95)), ms(v[v.len() - 1]));
    };
    report("whole read (CLI)", whole);
    report("selected -> fields", selected_to_fields);
    println!("{:<24} {:7.1} µs", "decode alone", decode.as_secs_f64() * 1e6);

    if let Some(lib_path) = library {
        // the soft library's card is the same file
        // SAFETY: set before any other thread reads the environment (the simulator's thread
        // never does).
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("CERTDESK_SDT_CARD", &card_path);
        }
        let lib = SdtLibrary::open(&lib_path).map_err(|e| e.to_string())?;
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let start = Instant::now();
            let mut reader = lib.open_port(SdtPort::usb(1).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
            reader.read_card().map_err(|e| e.to_string())?;
            times.push(start.elapsed());
        }
        report("vendor library read", times);
    }
    drop(sim);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
