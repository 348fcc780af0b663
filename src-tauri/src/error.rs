//! The one error type at the IPC edge: `{kind, detail}`. `kind` is a stable key the UI maps to
//! a zh-CN message (`errors.<kind>`), one of `certdesk_desk::ErrorKind` (exported to
//! TypeScript); `detail` is the library's own English text, shown small. Library errors are
//! mapped once, by `DeskError::kind`.

use certdesk_desk::{DeskError, ErrorKind};
use serde::Serialize;

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct IpcError {
    pub kind: ErrorKind,
    pub detail: String,
}

impl IpcError {
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> IpcError {
        IpcError { kind, detail: detail.into() }
    }
}

impl From<DeskError> for IpcError {
    fn from(e: DeskError) -> IpcError {
        tracing::info!(kind = ?e.kind(), error = %crate::log::chain(&e), "error");
        match &e {
            // the intake form places every problem next to its field
            DeskError::InvalidCase(problems) => IpcError::new(ErrorKind::InvalidCase, serde_json::to_string(problems).unwrap_or_default()),
            // the key desk lists every refused certificate of a batch, the intake every bad row
            DeskError::BatchRefused(refusals) => IpcError::new(ErrorKind::BatchRefused, serde_json::to_string(refusals).unwrap_or_default()),
            DeskError::EmployeeList(list) => IpcError::new(e.kind(), serde_json::to_string(&list.report()).unwrap_or_default()),
            // what a new password lacks, in the counter's words
            _ => IpcError::new(e.kind(), e.zh_detail().unwrap_or_else(|| e.to_string())),
        }
    }
}
