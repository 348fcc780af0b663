//! The app's log: INFO lines into a file rotated daily in the log folder the desk names
//! (`Environment::log_dir`: Linux `$XDG_STATE_HOME/certdesk/logs`, Windows
//! `%LOCALAPPDATA%\certdesk\logs`, `CERTDESK_LOG_DIR` in tests): the start and its
//! configuration, every IPC command with its duration and outcome kind, errors with their
//! chain. Never a PIN or a password (commands' arguments are not logged), and long digit runs
//! (ID numbers, phones, bank accounts) are cut to their ends. Owns the log's place, format and
//! redaction; not what is logged where, nor reading it back (the desk's `support`).

use crate::error::IpcError;
use certdesk_desk::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The log folder of this process (`Environment::log_dir`).
pub fn log_dir() -> PathBuf {
    crate::environment().log_dir()
}

/// The app's state folder (`window.json`, `store.json`): the log folder's parent.
pub fn state_dir() -> PathBuf {
    crate::environment().state_dir()
}

/// The name of the day's files: `certdesk.log.2026-11-23` (the desk reads them back).
pub const FILE_PREFIX: &str = certdesk_desk::support::LOG_FILE_PREFIX;

/// Starts logging into `dir` (made 0700); a folder that cannot be made leaves the app without
/// a log rather than without a window (said on stderr).
pub fn init(dir: &Path) {
    if let Err(e) = certdesk_desk::private::create_dir_all(dir) {
        eprintln!("certdesk: no log: cannot create {}: {e}", dir.display());
        return;
    }
    let appender = tracing_appender::rolling::daily(dir, FILE_PREFIX);
    // written as it happens (no background writer): a crash keeps every line before it
    let subscriber = tracing_subscriber::fmt()
        .with_writer(appender)
        .with_ansi(false)
        .with_target(false)
        // the counter's local time, with its offset: support reads the log beside the counter's clock
        .with_timer(tracing_subscriber::fmt::time::ChronoLocal::new("%Y-%m-%d %H:%M:%S%.3f %:z".into()))
        .with_max_level(tracing::Level::INFO)
        .finish();
    if tracing::subscriber::set_global_default(subscriber).is_err() {
        eprintln!("certdesk: logging was set up already");
    }
}

/// Runs one IPC command and logs its name, duration and outcome (`ok`, or the error's kind and
/// redacted detail). Arguments are never logged: they carry passwords, PINs and case data.
pub fn call<T>(command: &'static str, f: impl FnOnce() -> Result<T, IpcError>) -> Result<T, IpcError> {
    let start = Instant::now();
    IN_COMMAND.with(|c| c.set(true));
    // a panic anywhere in a command is that command's error; the app goes on
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| off_the_runtime(f))).unwrap_or_else(|panic| Err(crate::panic_error(panic)));
    IN_COMMAND.with(|c| c.set(false));
    // a store operation a crash interrupted, settled by this command's open (#78)
    for notice in certdesk_desk::place::take_settled_notices() {
        tracing::warn!(command, finished = notice.finished, "{}", notice.message);
    }
    let ms = (start.elapsed().as_secs_f64() * 1000.0).round() as u64;
    match &out {
        Ok(_) => tracing::info!(command, ms, "ok"),
        Err(e) if e.kind == ErrorKind::Internal => tracing::error!(command, ms, kind = ?e.kind, detail = %redact(&e.detail), "failed"),
        Err(e) => tracing::info!(command, ms, kind = ?e.kind, detail = %redact(&e.detail), "refused"),
    }
    out
}

/// Runs a command's body as blocking work where it runs on a thread of Tauri's async runtime
/// (an async command): every body blocks (disk, keys, the database), and a hall's sync
/// PostgreSQL client drives a runtime of its own (`block_on`), which tokio refuses on a thread
/// that is driving one.
fn off_the_runtime<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

thread_local! {
    static IN_COMMAND: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this thread is running an IPC command now (its panic is the command's error).
pub fn in_command() -> bool {
    IN_COMMAND.with(std::cell::Cell::get)
}

/// An error and its sources, outermost first (`a: b: c`), redacted.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    redact(&parts.join(": "))
}

/// Text with every run of nine or more digits (an ID number, a mobile, a bank account; a
/// trailing `X` of an ID number included) cut to its first three and last two characters.
/// Case numbers (`GZ01-20261122-0007`), dates and amounts stay readable.
pub fn redact(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let mut j = i;
        while j < chars.len() && chars[j].is_ascii_digit() {
            j += 1;
        }
        if j > i && j < chars.len() && matches!(chars[j], 'X' | 'x') && j - i == 17 {
            j += 1;
        }
        if j - i >= 9 {
            out.extend(&chars[i..i + 3]);
            out.push('…');
            out.extend(&chars[j - 2..j]);
            i = j;
        } else if j > i {
            out.extend(&chars[i..j]);
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    /// An async command's body on a thread of a multi-threaded runtime (as Tauri runs it) may
    /// drive a runtime of its own, as the hall's PostgreSQL client does; without
    /// `off_the_runtime` tokio panics ("Cannot start a runtime from within a runtime").
    #[test]
    fn a_command_body_may_drive_a_runtime_of_its_own() {
        let outer = tokio::runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap();
        let got = outer.block_on(async {
            tokio::spawn(async {
                super::call("test", || {
                    let inner = tokio::runtime::Builder::new_current_thread().build().unwrap();
                    Ok(inner.block_on(async { 7 }))
                })
            })
            .await
            .unwrap()
        });
        assert_eq!(got.map_err(|e| e.detail).unwrap(), 7);
    }

    #[test]
    fn long_digit_runs_are_cut_and_the_rest_stays() {
        for (text, want) in [
            ("ID 44010619850314203X refused", "ID 440…3X refused"),
            ("mobile 13800138000", "mobile 138…00"),
            ("case GZ01-20261122-0007 at 2026-11-22", "case GZ01-20261122-0007 at 2026-11-22"),
            ("account 7443900182600096874", "account 744…74"),
            ("700.00 元", "700.00 元"),
        ] {
            assert_eq!(super::redact(text), want, "{text}");
        }
    }
}
