//! The printing desk's commands: the preview, the forms printed into the print folder
//! (`<case>.pdf`, recorded on the case), and the system's print dialog for the sheets the
//! window shows (`gtk_print` on Linux).

use crate::AppState;
use crate::error::IpcError;
use certdesk_desk::print;
use tauri::State;

#[tauri::command(async)]
pub fn preview_forms(state: State<'_, AppState>, number: String, form: Option<String>) -> Result<print::Preview, IpcError> {
    crate::log::call("preview_forms", || state.with_own_desk(|d| d.preview_forms(&state.forms, &number, form.as_deref())))
}

/// Renders the case's forms, keeps the PDF in the print folder and returns the sheets the
/// window puts up for `print_sheets`.
#[tauri::command(async)]
pub fn print_forms(state: State<'_, AppState>, number: String, form: Option<String>) -> Result<print::Printed, IpcError> {
    crate::log::call("print_forms", || state.with_own_desk(|d| d.print_case(&state.forms, &state.env, &number, form.as_deref())))
}

pub use super::gtk_print::PrintOutcome;

/// Opens the system print dialog for what the window shows: its print stylesheet shows only the
/// sheets of `print_forms`. The paper is the sheets' own size (`width` × `height` mm) without
/// margins, so forms print at their true size; the printer of the `printer` setting (管理 → 打印机)
/// comes preselected; "print to file" defaults to `<print folder>/<case>-打印.pdf`.
#[tauri::command(async)]
pub fn print_sheets(window: tauri::WebviewWindow, state: State<'_, AppState>, number: String, width: f32, height: f32) -> Result<PrintOutcome, IpcError> {
    crate::log::call("print_sheets", || {
        let dialog = state.with_desk(|d| d.print_dialog(&state.env, &number, width, height))?;
        super::gtk_print::system_print(&window, width, height, &dialog.file, dialog.printer)
    })
}
