//! `certdesk-bench-idcard-desk`: issue #29's two figures on a GA/T 467 reader simulated on a
//! pseudo-terminal at 115200 baud's pace. (1) The intake's path: a card laid on the reader →
//! the desk's `CardWatch::poll` (find, select, read the 1295-byte answer, decode, check, judge on
//! today) → the `CardForIntake` the screen fills from, serialised as the IPC sends it. The
//! webview's own rendering (a few ms) is not in it. (2) The CLI: `certdesk idcard read --port
//! DEVICE --json` as a process, start to exit (`--cli PATH`; left out when not given).
//!
//! ```text
//! certdesk-bench-idcard-desk [--runs N] [--card FILE.json] [--cli PATH/certdesk] [--baud N]
//! ```

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    use certdesk_desk::idcard::{CardWatch, ReaderChoice};
    use certdesk_idcard_soft::sim::{SimConfig, Simulator};
    use std::path::PathBuf;
    use std::time::{Duration, Instant};

    let mut runs = 30usize;
    let mut card = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../certdesk-idcard/tests/cards/resident.json"));
    let mut cli: Option<PathBuf> = None;
    let mut baud = 115_200u32;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next();
        match (a.as_str(), v) {
            ("--runs", Some(v)) => runs = v.parse().unwrap_or(runs),
            ("--card", Some(v)) => card = PathBuf::from(v),
            ("--cli", Some(v)) => cli = Some(PathBuf::from(v)),
            ("--baud", Some(v)) => baud = v.parse().unwrap_or(baud),
            _ => {
                eprintln!("usage: certdesk-bench-idcard-desk [--runs N] [--card FILE.json] [--cli PATH] [--baud N]");
                return std::process::ExitCode::from(2);
            }
        }
    }
    let dir = tempfile::tempdir().expect("a folder");
    let lying = dir.path().join("card.json");
    let reader = Simulator::start(SimConfig { card: Some(lying.clone()), baud, ..SimConfig::default() }).expect("a simulated reader");
    let text = std::fs::read(&card).expect("the card file");
    let today = certdesk_desk::dates::today();

    let mut watch = CardWatch::new(ReaderChoice::Serial(reader.path().to_string()));
    let mut intake = Vec::with_capacity(runs);
    for _ in 0..runs {
        std::fs::remove_file(&lying).ok();
        while watch.poll(today).expect("a poll without a card").is_some() {}
        std::fs::write(&lying, &text).expect("laying the card");
        let start = Instant::now();
        let read = loop {
            if let Some(c) = watch.poll(today).expect("the card read") {
                break c;
            }
        };
        let sent = serde_json::to_vec(&read).expect("the IPC's JSON");
        intake.push(start.elapsed());
        assert!(!sent.is_empty() && read.refused.is_none(), "the bench card must be valid today");
    }
    report("card laid → fields for the screen (desk CardWatch::poll + IPC JSON)", &mut intake, 300);
    // the reader is the desk's while it is open (an exclusive lock): the CLI opens it itself
    drop(watch);

    if let Some(cli) = cli {
        std::fs::write(&lying, &text).expect("laying the card");
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let start = Instant::now();
            let out = std::process::Command::new(&cli).args(["idcard", "read", "--port", reader.path(), "--json"]).output().expect("the certdesk binary");
            times.push(start.elapsed());
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
        report("certdesk idcard read --port … --json (process start to exit)", &mut times, 200);
    }
    fn report(what: &str, times: &mut [Duration], target_ms: u64) {
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let median = ms(times[times.len() / 2]);
        let p95 = ms(times[(times.len() * 95).div_ceil(100).saturating_sub(1)]);
        println!("{what}: median {median:.1} ms, p95 {p95:.1} ms, max {:.1} ms over {} runs (target ≤ {target_ms} ms)", ms(times[times.len() - 1]), times.len());
    }
    std::process::ExitCode::SUCCESS
}

#[cfg(not(unix))]
fn main() {
    eprintln!("certdesk-bench-idcard-desk needs a pseudo-terminal (Unix)");
}
