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
pub mod briefing;
pub mod issue;
pub mod materials;
pub mod print;
pub mod report;
pub mod seal;
pub mod steps;
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
    fn store_kind(e: &StoreError) -> ErrorKind {
        match e {
            StoreError::CaseNotFound(_) => ErrorKind::CaseNotFound,
            StoreError::Transition(_) => ErrorKind::Transition,
            StoreError::Invalid(_) => ErrorKind::Invalid,
            StoreError::Busy(_) => ErrorKind::StoreBusy,
            StoreError::Cancelled { .. } => ErrorKind::Cancelled,
            e if e.is_connection_lost() => ErrorKind::ServerLost,
            e if e.is_commit_unknown() => ErrorKind::ServerCommitUnknown,
            StoreError::Server(_) => ErrorKind::Server,
            StoreError::NotOnHall { .. } => ErrorKind::NotOnHall,
            _ => ErrorKind::Store,
        }
    }

    /// The stable key of the error for the UI (`errors.<kind>`).
    pub fn kind(&self) -> ErrorKind {
        use ErrorKind as K;
        use certdesk_domain::workflow::RuleError as R;
        use certdesk_store::AuthError as A;
        use certdesk_token::TokenError as T;
        match self {
            DeskError::Store(s) => DeskError::store_kind(s),
            DeskError::Auth(a) => match a {
                A::WrongCredentials => K::WrongPassword,
                A::Locked { .. } => K::AccountLocked,
                A::Disabled { .. } => K::AccountDisabled,
                A::SignedOut => K::NotSignedIn,
                A::BadName(_) => K::AccountNameInvalid,
                A::ShortPassword => K::PasswordTooShort,
                A::NoRole => K::AccountNeedsRole,
                A::AdminOnly(_) => K::AdminOnly,
                A::OwnAccount(_) => K::OwnAccount,
                A::Exists(_) => K::AccountExists,
                A::NoAccount(_) => K::AccountNotFound,
                A::BadDisplayName => K::DisplayNameInvalid,
                A::Refused(_) => K::Refused,
                _ => K::Store,
            },
            DeskError::SessionExpired { .. } => K::SessionExpired,
            DeskError::InvalidJson(_) => K::InvalidJson,
            DeskError::InvalidCase(_) => K::InvalidCase,
            DeskError::InvalidCounterCode(_) => K::InvalidCounterCode,
            DeskError::Act(certdesk_store::ActError::Rule(r)) => match r {
                R::OwnCase { .. } => K::FourEyes,
                R::MissingRole { .. } => K::MissingRole,
                R::ReasonRequired { .. } => K::ReasonRequired,
                R::ApprovalVoid { .. } => K::ApprovalVoid,
                R::NotEditable { .. } => K::NotEditable,
                R::NotApproved { .. } => K::NotApproved,
                R::ReissueNeeded => K::ReissueNeeded,
                _ => K::Rule,
            },
            DeskError::Act(certdesk_store::ActError::Store(s)) => DeskError::store_kind(s),
            DeskError::Token(t) => match t {
                T::Module { .. } => K::NoModule,
                T::NotFound(_) | T::NoSlot(_) => K::TokenNotFound,
                T::Ambiguous { .. } => K::TokenAmbiguous,
                T::WrongPin { .. } => K::PinIncorrect,
                T::PinLocked => K::PinLocked,
                T::WrongSoPin { .. } => K::SoPinIncorrect,
                T::SoPinLocked => K::SoPinLocked,
                T::PinRefused(_) => K::PinRefused,
                T::Removed { .. } => K::TokenRemoved,
                T::ForeignCertificate { .. } => K::CertMismatch,
                T::Cert(_) => K::CertUnreadable,
                T::Sm2NeedsProfile | T::AlgoUnsupported { .. } => K::AlgoUnsupported,
                T::Envelope(_) | T::NoEnvelope | T::NoEncCert => K::EnvelopeUnreadable,
                T::EnvelopeImportUnsupported => K::EnvelopeUnsupported,
                T::DualMismatch(_) | T::EncIssuer { .. } | T::EncChain(_) | T::EnvelopeRefused { .. } => K::CertMismatch,
                T::SignCertMissing { .. } => K::Refused,
                T::KeyAmbiguous { .. } => K::TokenAmbiguous,
                T::NoDualKey { .. } => K::Refused,
                _ => K::Token,
            },
            DeskError::Forms(certdesk_forms::FormsError::MissingField { .. }) => K::Refused,
            DeskError::Forms(_) => K::Forms,
            DeskError::Seal(_) => K::SealUnreadable,
            DeskError::Refused { .. } => K::Refused,
            DeskError::CertMismatch { .. } => K::CertMismatch,
            DeskError::Io { .. } => K::Io,
            DeskError::Invalid(_) => K::Invalid,
        }
    }
}

/// Every kind of error a front end can be sent: a stable key the UI maps to a Chinese message
/// (`errors.<kind>`), exported to TypeScript with the other bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    // the store and the session
    CaseNotFound,
    NotFound,
    Transition,
    Invalid,
    InvalidJson,
    InvalidCase,
    InvalidCounterCode,
    UnknownProject,
    FeeRefused,
    Store,
    StoreBusy,
    /// a hall's database server: the connection was lost mid-change (nothing written: again)
    ServerLost,
    /// a hall's database server: the connection was lost while committing and the outcome
    /// could not be learnt (look at the case before doing it again)
    ServerCommitUnknown,
    /// a hall's database server refused or failed otherwise
    Server,
    /// a store file's operation (file backup, restore) asked of a hall
    NotOnHall,
    Io,
    Internal,
    /// the person cancelled a long operation; nothing was written
    Cancelled,
    WrongPassword,
    AccountLocked,
    AccountDisabled,
    NotSignedIn,
    SessionExpired,
    Refused,
    // accounts
    AccountNameInvalid,
    PasswordTooShort,
    AccountNeedsRole,
    AdminOnly,
    OwnAccount,
    AccountExists,
    AccountNotFound,
    DisplayNameInvalid,
    // the workflow's rules
    FourEyes,
    MissingRole,
    ReasonRequired,
    ApprovalVoid,
    NotEditable,
    NotApproved,
    ReissueNeeded,
    Rule,
    // keys
    NoModule,
    TokenNotFound,
    TokenAmbiguous,
    PinIncorrect,
    PinLocked,
    SoPinIncorrect,
    SoPinLocked,
    PinRefused,
    TokenRemoved,
    CertMismatch,
    CertUnreadable,
    /// the key (or its driver) cannot make keys of the algorithm chosen
    AlgoUnsupported,
    /// a dual certificate's answer from the CA cannot be read (format, missing parts)
    EnvelopeUnreadable,
    /// an enveloped key pair cannot be imported through this driver (PKCS#11)
    EnvelopeUnsupported,
    Token,
    // printing and scans
    Forms,
    Print,
    SealUnreadable,
    NoScanFolder,
}

impl ErrorKind {
    /// The key as it travels (`four_eyes`).
    pub fn as_str(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.as_str())
    }
}

pub(crate) fn io(what: &'static str, path: &std::path::Path) -> impl Fn(std::io::Error) -> DeskError + use<> {
    let path = path.display().to_string();
    move |source| DeskError::Io { what, path: path.clone(), source }
}
