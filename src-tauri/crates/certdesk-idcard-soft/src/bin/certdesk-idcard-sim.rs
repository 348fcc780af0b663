//! `certdesk-idcard-sim`: a GA/T 467 ID card reader on a pseudo-terminal, for tests and the
//! app's end-to-end test. Prints the device path to open on its first line of standard output
//! (and makes a symbolic link to it with `--link PATH`), then answers until it is killed (the
//! link is left behind then: the next start replaces it).
//!
//! ```text
//! certdesk-idcard-sim [--card FILE] [--fault NAME[,NAME…]]… [--baud N] [--think-ms N] [--link PATH]
//! ```
//! `--card`: a JSON description or a 256-byte text block, read again at each "find card"
//! (replace the file to lay another card, delete it to take the card away). `--baud 0`: no
//! pacing. Faults: no_card, removed, removed_at_select, bad_check, short_frame, short_answer,
//! truncated, oversized, unknown_status, silence, garbage, bad_text, bad_check_digit, sam_fault.

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    use certdesk_idcard_soft::Fault;
    use certdesk_idcard_soft::sim::{SimConfig, Simulator};
    use std::io::Write;
    use std::path::PathBuf;
    use std::time::Duration;

    let mut config = SimConfig::default();
    let mut link: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        let parsed: Result<(), String> = match arg.as_str() {
            "--card" => value("--card").map(|v| config.card = Some(PathBuf::from(v))),
            "--fault" => value("--fault").and_then(|v| Fault::parse_list(&v)).map(|f| config.faults.extend(f)),
            "--baud" => value("--baud").and_then(|v| v.parse().map_err(|_| format!("--baud {v}: not a number"))).map(|b| config.baud = b),
            "--think-ms" => value("--think-ms").and_then(|v| v.parse().map_err(|_| format!("--think-ms {v}: not a number"))).map(|ms| config.think = Duration::from_millis(ms)),
            "--link" => value("--link").map(|v| link = Some(PathBuf::from(v))),
            "-h" | "--help" => {
                println!("certdesk-idcard-sim [--card FILE] [--fault NAME[,NAME…]]… [--baud N] [--think-ms N] [--link PATH]");
                return std::process::ExitCode::SUCCESS;
            }
            other => Err(format!("unknown argument {other:?}")),
        };
        if let Err(e) = parsed {
            eprintln!("certdesk-idcard-sim: {e}");
            return std::process::ExitCode::from(2);
        }
    }
    if let Some(card) = &config.card
        && let Err(e) = certdesk_idcard_soft::CardFile::load(card)
    {
        eprintln!("certdesk-idcard-sim: {e}");
        return std::process::ExitCode::from(2);
    }
    let sim = match Simulator::start(config) {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("certdesk-idcard-sim: cannot open a pseudo-terminal: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if let Some(link) = &link {
        let _ = std::fs::remove_file(link);
        if let Err(e) = std::os::unix::fs::symlink(sim.path(), link) {
            eprintln!("certdesk-idcard-sim: cannot link {} to {}: {e}", link.display(), sim.path());
            return std::process::ExitCode::FAILURE;
        }
    }
    println!("{}", sim.path());
    let _ = std::io::stdout().flush();
    // the simulator's thread answers until a signal ends the process
    loop {
        std::thread::park();
    }
}

#[cfg(not(unix))]
fn main() -> std::process::ExitCode {
    eprintln!("certdesk-idcard-sim needs pseudo-terminals (Linux, macOS)");
    std::process::ExitCode::FAILURE
}
