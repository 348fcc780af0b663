//! The IPC commands of the desks besides the case desks (`commands`), one module per desk:
//! printing (`print`, with the GTK print operation in `gtk_print`), the manual's window (`help`), the seal sheet (`seal`),
//! the key desk (`keys`), reports (`reports`), the admin desk (`admin`) and the store's place
//! (`place`). Each opens the desk of this window's session, calls one function of
//! `certdesk-desk` and returns plain data; the slow ones run off the UI thread (`async`). What
//! arrives as a raw IPC body (a scan, a certificate, a CA's answer) is read here.

pub mod admin;
mod gtk_print;
pub mod help;
pub mod idcard;
pub mod keys;
pub mod place;
pub mod print;
pub mod reports;
pub mod seal;

use crate::error::IpcError;
use certdesk_desk::ErrorKind;

/// A header of a raw-body command (`x-case`, `x-file-name` …), blank as none.
fn header(request: &tauri::ipc::Request<'_>, name: &str) -> Option<String> {
    request.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string).filter(|s| !s.is_empty())
}

/// A header that must be there.
fn required(request: &tauri::ipc::Request<'_>, name: &'static str) -> Result<String, IpcError> {
    header(request, name).ok_or_else(|| IpcError::new(ErrorKind::Usage, format!("the request has no {name} header")))
}

fn raw_body<'a>(request: &'a tauri::ipc::Request<'_>) -> Result<&'a [u8], IpcError> {
    match request.body() {
        tauri::ipc::InvokeBody::Raw(bytes) => Ok(bytes),
        _ => Err(IpcError::new(ErrorKind::Usage, "the file must be sent as raw bytes")),
    }
}
