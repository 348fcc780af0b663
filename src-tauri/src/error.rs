//! The one error type at the IPC edge: `{kind, detail}`. `kind` is a stable key the UI maps to
//! a zh-CN message (`errors.<kind>`); `detail` is the library's own English text, shown small.

use serde::Serialize;

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct IpcError {
    pub kind: &'static str,
    pub detail: String,
}

impl IpcError {
    pub fn new(kind: &'static str, detail: impl Into<String>) -> IpcError {
        IpcError { kind, detail: detail.into() }
    }
}

impl From<certdesk_store::StoreError> for IpcError {
    fn from(e: certdesk_store::StoreError) -> IpcError {
        let kind = match &e {
            certdesk_store::StoreError::CaseNotFound(_) => "case_not_found",
            certdesk_store::StoreError::Transition(_) => "transition",
            certdesk_store::StoreError::Invalid(_) => "invalid",
            _ => "store",
        };
        IpcError::new(kind, e.to_string())
    }
}

impl From<certdesk_store::AuthError> for IpcError {
    fn from(e: certdesk_store::AuthError) -> IpcError {
        let kind = match &e {
            certdesk_store::AuthError::WrongCredentials => "wrong_password",
            certdesk_store::AuthError::Locked { .. } => "account_locked",
            certdesk_store::AuthError::Disabled { .. } => "account_disabled",
            certdesk_store::AuthError::Refused(_) => "refused",
            _ => "store",
        };
        IpcError::new(kind, e.to_string())
    }
}

impl From<certdesk_store::ActError> for IpcError {
    fn from(e: certdesk_store::ActError) -> IpcError {
        match e {
            certdesk_store::ActError::Rule(r) => {
                let kind = match r {
                    certdesk_domain::workflow::RuleError::OwnCase { .. } => "four_eyes",
                    certdesk_domain::workflow::RuleError::MissingRole { .. } => "missing_role",
                    certdesk_domain::workflow::RuleError::ReasonRequired { .. } => "reason_required",
                    _ => "rule",
                };
                IpcError::new(kind, r.to_string())
            }
            certdesk_store::ActError::Store(s) => s.into(),
        }
    }
}

impl From<certdesk_desk::DeskError> for IpcError {
    fn from(e: certdesk_desk::DeskError) -> IpcError {
        match &e {
            // the intake form places every problem next to its field
            certdesk_desk::DeskError::InvalidCase(problems) => IpcError::new("invalid_case", serde_json::to_string(problems).unwrap_or_default()),
            _ => IpcError::new(e.kind(), e.to_string()),
        }
    }
}
