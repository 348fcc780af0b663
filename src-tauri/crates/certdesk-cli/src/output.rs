//! Errors of the command line and how they are shown: one message on stderr, and with
//! `--json` also `{"error": {"kind", "message"}}` on stdout so that scripts need not parse
//! text. `kind` is the application API's `ErrorKind`, the very key the app's IPC sends for the
//! same refusal (`usage` for the command line's own mistakes). Owns the exit codes (1 refused
//! or invalid, 2 usage; `store status` alone says 3 when no desk can write now).

use certdesk_desk::{DeskError, ErrorKind};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command line itself is wrong: exit 2.
    #[error("{0}")]
    Usage(String),
    /// The request was understood and refused, or failed: exit 1.
    #[error(transparent)]
    Desk(#[from] DeskError),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Desk(_) => 1,
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            CliError::Usage(_) => ErrorKind::Usage,
            CliError::Desk(e) => e.kind(),
        }
    }
}

#[derive(Serialize)]
struct ErrorJson {
    kind: ErrorKind,
    message: String,
}

pub fn print_error(err: &CliError, json: bool) {
    eprintln!("certdesk: {err}");
    if json {
        let body = serde_json::json!({ "error": ErrorJson { kind: err.kind(), message: err.to_string() } });
        println!("{body}");
    }
}

/// Pretty JSON on stdout.
pub fn print_json<T: Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("certdesk: cannot write JSON: {e}"),
    }
}

/// A value as JSON with `human` as its text: the one way a command answers.
pub fn show(json: bool, value: &impl Serialize, human: impl FnOnce() -> String) {
    if json {
        print_json(value);
    } else {
        println!("{}", human());
    }
}

/// The exit code of a check: 0 when everything passed, else 1.
pub fn ok_if(all_ok: bool) -> std::process::ExitCode {
    if all_ok { std::process::ExitCode::SUCCESS } else { std::process::ExitCode::from(1) }
}
