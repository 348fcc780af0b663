//! The seal desk's commands: a scan sent as the raw body or picked from the scanner folder,
//! imported onto a case; the clerk's acceptance of an impression the importer doubted (#34);
//! the scanner folder's newest files; a case's stored image for the screen. Folders, names,
//! size limits and who may accept are the desk's.

use super::{header, raw_body, required};
use crate::AppState;
use crate::error::IpcError;
use certdesk_desk::ErrorKind;
use certdesk_desk::folders::ScanFile;
use certdesk_desk::seal;
use tauri::State;

/// The scan arrives as the raw body; `x-case`, `x-file-name` (percent-encoded), `x-dpi`.
#[tauri::command(async)]
pub fn import_seal_scan(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> Result<seal::Verdict, IpcError> {
    crate::log::call("import_seal_scan", || {
        let number = required(&request, "x-case")?;
        let name = header(&request, "x-file-name").map(|n| percent_encoding::percent_decode_str(&n).decode_utf8_lossy().into_owned()).unwrap_or_else(|| "scan".into());
        let dpi = match header(&request, "x-dpi") {
            Some(d) => Some(d.parse::<f32>().map_err(|_| IpcError::new(ErrorKind::Usage, format!("dpi {d:?} is not a number")))?),
            None => None,
        };
        let bytes = raw_body(&request)?;
        state.with_own_desk(|d| {
            certdesk_desk::limits::check_size("the scan", bytes.len(), certdesk_desk::limits::MAX_SCAN)?;
            d.import_seal_sheet(&state.catalog, &number, &name, bytes, dpi)
        })
    })
}

/// The scans in the configured scanner folder, newest first (the seal panel polls this, so a
/// sheet the scanner just wrote shows up by itself).
#[tauri::command(async)]
pub fn scan_folder_files(state: State<'_, AppState>) -> Result<Vec<ScanFile>, IpcError> {
    crate::log::call("scan_folder_files", || state.with_desk(|d| d.scan_files()))
}

/// Imports a scan from the scanner folder by its file name (only a plain name inside that
/// folder: the webview never chooses a path).
#[tauri::command(async)]
pub fn import_seal_from_folder(state: State<'_, AppState>, number: String, name: String, dpi: Option<f32>) -> Result<seal::Verdict, IpcError> {
    crate::log::call("import_seal_from_folder", || state.with_own_desk(|d| d.import_seal_from_folder(&state.catalog, &number, &name, dpi)))
}

/// A stored image of a case as a `data:` URL (the CSP allows no other image source).
#[tauri::command(async)]
pub fn attachment_url(state: State<'_, AppState>, number: String, name: String) -> Result<String, IpcError> {
    crate::log::call("attachment_url", || state.with_desk(|d| d.image_url(&number, &name)))
}

/// The clerk accepts the impression in `row`, `col` of the case's seal sheet that the importer
/// doubted (#34): it becomes its row's seal, with the labels and reasons it overrode and the
/// note on the case's chain. The new verdict.
#[tauri::command(async)]
pub fn accept_seal_sample(state: State<'_, AppState>, number: String, row: usize, col: usize, note: Option<String>) -> Result<seal::Verdict, IpcError> {
    crate::log::call("accept_seal_sample", || state.with_own_desk(|d| d.accept_seal_sample(&number, row, col, note)))
}
