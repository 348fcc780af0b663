//! The reports desk's commands: the day's ledger, the certificates expiring, and either
//! exported as CSV or XLSX into the export folder (the desk names the file and checks the
//! day and the days).

use crate::AppState;
use crate::error::IpcError;
use certdesk_desk::report;
use tauri::State;

#[tauri::command(async)]
pub fn report_daily(state: State<'_, AppState>, date: String) -> Result<report::DailyLedger, IpcError> {
    crate::log::call("report_daily", || state.with_own_desk(|d| d.daily(certdesk_desk::dates::parse_day(&date)?)))
}

#[tauri::command(async)]
pub fn report_expiring(state: State<'_, AppState>, days: i64) -> Result<Vec<report::Expiring>, IpcError> {
    crate::log::call("report_expiring", || state.with_own_desk(|d| d.expiring(days)))
}

/// Writes a report as CSV or XLSX into the export folder.
#[tauri::command(async)]
pub fn export_report(state: State<'_, AppState>, kind: String, format: String, arg: String) -> Result<report::Exported, IpcError> {
    crate::log::call("export_report", || state.with_own_desk(|d| report::export(d, &state.env, &kind, &format, &arg)))
}
