//! The counter's workflows, shared by the `certdesk` CLI and the desktop app, so that both do
//! the same thing the same way: printing a case's forms (`print`), importing the seal sheet of
//! a case (`seal`), issuing a case's USB key step by step (`issue`) and the counter's reports
//! (`report`, with CSV and XLSX writers). Each function takes the store and the acting
//! account's name; roles and the four-eyes rule stay in the store and the domain. This crate
//! knows nothing of Tauri, terminals or prompts: PINs come in as `Pin` values.

pub mod issue;
pub mod print;
pub mod report;
pub mod seal;
pub mod xlsx;

use certdesk_store::StoreError;

/// Why a workflow step was refused or failed; `kind()` is the stable key the UI maps to a
/// Chinese message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeskError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Act(#[from] certdesk_store::ActError),
    #[error(transparent)]
    Token(#[from] certdesk_token::TokenError),
    #[error(transparent)]
    Forms(#[from] certdesk_forms::FormsError),
    #[error(transparent)]
    Seal(#[from] certdesk_seal::SealError),
    #[error("case {number}: {why}")]
    Refused { number: String, why: String },
    #[error("the certificate does not belong to case {number}: {why}")]
    CertMismatch { number: String, why: String },
    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
}

impl DeskError {
    /// The stable key of the error for the UI (`errors.<kind>`).
    pub fn kind(&self) -> &'static str {
        use certdesk_token::TokenError as T;
        match self {
            DeskError::Store(StoreError::CaseNotFound(_)) => "case_not_found",
            DeskError::Store(StoreError::Transition(_)) => "transition",
            DeskError::Store(StoreError::Invalid(_)) => "invalid",
            DeskError::Store(_) => "store",
            DeskError::Act(certdesk_store::ActError::Rule(r)) => match r {
                certdesk_domain::workflow::RuleError::OwnCase { .. } => "four_eyes",
                certdesk_domain::workflow::RuleError::MissingRole { .. } => "missing_role",
                certdesk_domain::workflow::RuleError::ReasonRequired { .. } => "reason_required",
                _ => "rule",
            },
            DeskError::Act(certdesk_store::ActError::Store(_)) => "store",
            DeskError::Token(t) => match t {
                T::Module { .. } => "no_module",
                T::NotFound(_) | T::NoSlot(_) => "token_not_found",
                T::Ambiguous { .. } => "token_ambiguous",
                T::WrongPin { .. } => "pin_incorrect",
                T::PinLocked => "pin_locked",
                T::WrongSoPin { .. } => "so_pin_incorrect",
                T::SoPinLocked => "so_pin_locked",
                T::PinRefused(_) => "pin_refused",
                T::Removed { .. } => "token_removed",
                T::ForeignCertificate { .. } => "cert_mismatch",
                T::Cert(_) => "cert_unreadable",
                _ => "token",
            },
            DeskError::Forms(_) => "forms",
            DeskError::Seal(_) => "seal_unreadable",
            DeskError::Refused { .. } => "refused",
            DeskError::CertMismatch { .. } => "cert_mismatch",
            DeskError::Io { .. } => "io",
            DeskError::Invalid(_) => "invalid",
        }
    }
}

pub(crate) fn io(what: &'static str, path: &std::path::Path) -> impl Fn(std::io::Error) -> DeskError + use<> {
    let path = path.display().to_string();
    move |source| DeskError::Io { what, path: path.clone(), source }
}
