//! Errors of the command line and how they are shown: one message on stderr, and with
//! `--json` also `{"error": {"kind", "message"}}` on stdout so that scripts need not parse
//! text. Owns the mapping from library errors to exit codes (1 refused, 2 usage).

use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command line itself is wrong: exit 2.
    #[error("{0}")]
    Usage(String),
    /// The request was understood and refused: exit 1.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] certdesk_store::StoreError),
    #[error(transparent)]
    Catalog(#[from] certdesk_catalog::CatalogError),
    #[error(transparent)]
    Fee(#[from] certdesk_catalog::FeeError),
    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            _ => 1,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            CliError::Usage(_) => "usage",
            CliError::Refused(_) => "refused",
            CliError::Store(certdesk_store::StoreError::CaseNotFound(_)) => "not_found",
            CliError::Store(_) => "store",
            CliError::Catalog(_) => "catalog",
            CliError::Fee(_) => "fee_refused",
            CliError::Io { .. } => "io",
        }
    }
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    kind: &'a str,
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
