//! The application API (`api`: sessions and one desk method per use case) and the counter's
//! workflows behind it, shared by the `certdesk` CLI and the desktop app so that both do the
//! same thing the same way: printing a case's forms (`print`), importing the seal sheet of a
//! case (`seal`), issuing a case's USB key step by step (`issue`) and the counter's reports
//! (`report`, with CSV and XLSX writers). Every change goes through a `Desk` opened for a
//! signed-in account; roles, four-eyes and the approval are decided by the domain's workflow
//! inside the store's transactions. This crate knows nothing of Tauri, terminals or prompts:
//! passwords and PINs come in as zeroizing values.

#![warn(clippy::unwrap_used)]

pub mod api;
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
    Auth(#[from] certdesk_store::AuthError),
    #[error("signed out after {minutes} minutes without use: sign in again")]
    SessionExpired { minutes: u64 },
    #[error("the case JSON cannot be read: {0}")]
    InvalidJson(String),
    #[error("the case was refused, nothing stored ({} problem(s)): {}", .0.len(), .0.iter().map(|p| format!("{}: {}", p.path, p.message)).collect::<Vec<_>>().join("; "))]
    InvalidCase(Vec<certdesk_domain::FieldProblem>),
    #[error("{0}")]
    InvalidCounterCode(String),
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
    fn store_kind(e: &StoreError) -> &'static str {
        match e {
            StoreError::CaseNotFound(_) => "case_not_found",
            StoreError::Transition(_) => "transition",
            StoreError::Invalid(_) => "invalid",
            StoreError::Busy(_) => "store_busy",
            _ => "store",
        }
    }

    /// The stable key of the error for the UI (`errors.<kind>`).
    pub fn kind(&self) -> &'static str {
        use certdesk_token::TokenError as T;
        match self {
            DeskError::Store(s) => DeskError::store_kind(s),
            DeskError::Auth(a) => match a {
                certdesk_store::AuthError::WrongCredentials => "wrong_password",
                certdesk_store::AuthError::Locked { .. } => "account_locked",
                certdesk_store::AuthError::Disabled { .. } => "account_disabled",
                certdesk_store::AuthError::SignedOut => "not_signed_in",
                certdesk_store::AuthError::Refused(_) => "refused",
                certdesk_store::AuthError::Store(_) => "store",
                _ => "store",
            },
            DeskError::SessionExpired { .. } => "session_expired",
            DeskError::InvalidJson(_) => "invalid_json",
            DeskError::InvalidCase(_) => "invalid_case",
            DeskError::InvalidCounterCode(_) => "invalid_counter_code",
            DeskError::Act(certdesk_store::ActError::Rule(r)) => match r {
                certdesk_domain::workflow::RuleError::OwnCase { .. } => "four_eyes",
                certdesk_domain::workflow::RuleError::MissingRole { .. } => "missing_role",
                certdesk_domain::workflow::RuleError::ReasonRequired { .. } => "reason_required",
                certdesk_domain::workflow::RuleError::ApprovalVoid { .. } => "approval_void",
                certdesk_domain::workflow::RuleError::NotEditable { .. } => "not_editable",
                certdesk_domain::workflow::RuleError::NotApproved { .. } => "not_approved",
                certdesk_domain::workflow::RuleError::ReissueNeeded => "reissue_needed",
                _ => "rule",
            },
            DeskError::Act(certdesk_store::ActError::Store(s)) => DeskError::store_kind(s),
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
