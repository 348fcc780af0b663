//! The reports desk's commands: the day's ledger, the certificates expiring, and either
//! exported as CSV or XLSX into the export folder (the desk names the file and checks the
//! day and the days); the day signed off (日结, #31: closed with the supervisor's USB key,
//! checked) and the ledger printed with the close's QR code.

use crate::AppState;
use crate::error::IpcError;
use certdesk_desk::report;
use tauri::State;

#[tauri::command(async)]
pub fn report_daily(state: State<'_, AppState>, date: String) -> Result<report::DailyLedger, IpcError> {
    crate::log::call("report_daily", || state.with_own_desk(|d| d.daily(certdesk_desk::dates::parse_day(&date)?)))
}

/// A bank statement (XLSX, XLS or CSV, Base64) imported by an administrator (#73): its
/// credits matched to the cases waiting for their money and recorded.
#[tauri::command(async)]
pub fn payments_import(state: State<'_, AppState>, name: String, file: String) -> Result<certdesk_desk::payments::ImportReport, IpcError> {
    crate::log::call("payments_import", || {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD.decode(file.as_bytes()).map_err(|_| IpcError::new(certdesk_desk::ErrorKind::Usage, "the statement is not Base64"))?;
        state.with_own_desk(|d| d.import_statement_bytes(&name, &bytes))
    })
}

/// The credits recorded: those a clerk still has to look at (`open`), else all.
#[tauri::command(async)]
pub fn payments_list(state: State<'_, AppState>, open: bool) -> Result<Vec<certdesk_desk::store::payments::Credit>, IpcError> {
    use certdesk_desk::store::payments::CreditState as S;
    crate::log::call("payments_list", || state.with_own_desk(|d| d.credits(if open { &[S::Proposed, S::Unmatched, S::Refused] } else { &[] })))
}

/// A credit confirmed by a clerk as the money of `cases`; the cases' numbers and statuses.
#[tauri::command(async)]
pub fn payments_confirm(state: State<'_, AppState>, credit: String, cases: Vec<String>) -> Result<Vec<String>, IpcError> {
    crate::log::call("payments_confirm", || {
        state.with_desk(|d| d.confirm_payment(&state.catalog, &credit, &cases)).map(|saved| saved.iter().map(|r| r.number.to_string()).collect())
    })
}

/// The due list of a day (#73): due that day, late, waiting on the applicant.
#[tauri::command(async)]
pub fn due_list(state: State<'_, AppState>, day: String) -> Result<certdesk_desk::due::DueList, IpcError> {
    crate::log::call("due_list", || state.with_own_desk(|d| d.due_list(&state.catalog, certdesk_desk::dates::parse_day(&day)?)))
}

#[tauri::command(async)]
pub fn report_expiring(state: State<'_, AppState>, days: i64) -> Result<Vec<report::Expiring>, IpcError> {
    crate::log::call("report_expiring", || state.with_own_desk(|d| d.expiring(days)))
}

/// 审计日志 (#79): a page of the audit chain's events, newest first, for an administrator or
/// a supervisor.
#[tauri::command(async)]
pub fn audit_log(state: State<'_, AppState>, query: certdesk_desk::audit_log::AuditQuery) -> Result<certdesk_desk::audit_log::AuditPage, IpcError> {
    crate::log::call("audit_log", || state.with_own_desk(|d| d.audit_log(&query)))
}

/// The audit log's selection written as CSV or XLSX into the export folder.
#[tauri::command(async)]
pub fn export_audit_log(state: State<'_, AppState>, query: certdesk_desk::audit_log::AuditQuery, format: String) -> Result<report::Exported, IpcError> {
    crate::log::call("export_audit_log", || state.with_own_desk(|d| d.export_audit_log(&state.env, &query, &format)))
}

/// Writes a report as CSV or XLSX into the export folder.
#[tauri::command(async)]
pub fn export_report(state: State<'_, AppState>, kind: String, format: String, arg: String) -> Result<report::Exported, IpcError> {
    crate::log::call("export_report", || state.with_own_desk(|d| d.export_report(&state.catalog, &state.env, &kind, &format, &arg)))
}

/// Signs the day off (日结, #31) with the signed-in supervisor's USB key: the PIN arrives here,
/// becomes a zeroizing `Pin` at once and is never kept. What `day verify` then says.
#[tauri::command(async)]
pub fn day_close(state: State<'_, AppState>, date: String, pin: String) -> Result<certdesk_desk::staff::DayVerdict, IpcError> {
    crate::log::call("day_close", || {
        let day = certdesk_desk::dates::parse_day(&date)?;
        let pin = certdesk_desk::token::Pin::new(pin);
        // who may, before the key's library is loaded
        state.with_desk(|d| d.day_closer(day))?;
        crate::desks::keys::with_keys(&state, |library| {
            let key = certdesk_desk::staff::StaffKey { library, token: None, pin: &pin };
            let operator_ca = certdesk_desk::operator_ca::OperatorCa::find(&state.env)?;
            state.with_desk(|d| d.close_day(day, &key, &operator_ca))
        })
    })
}

/// A closed day checked (any signed-in account): its signature, the chain at its head, its
/// sheet, the day's cases, and what was written after the close.
#[tauri::command(async)]
pub fn day_verify(state: State<'_, AppState>, date: String) -> Result<certdesk_desk::staff::DayVerdict, IpcError> {
    crate::log::call("day_verify", || {
        // the installation's operator CA (#78), outside the store
        let operator_ca = certdesk_desk::operator_ca::OperatorCa::find(&state.env)?;
        state.with_own_desk(|d| d.verify_day(certdesk_desk::dates::parse_day(&date)?, &operator_ca))
    })
}

/// The day's ledger printed into the print folder (受理日报-<day>.pdf): with the close's QR code
/// once the day is closed, 未日结 before.
#[tauri::command(async)]
pub fn report_daily_print(state: State<'_, AppState>, date: String) -> Result<certdesk_desk::print::LedgerPrinted, IpcError> {
    crate::log::call("report_daily_print", || state.with_own_desk(|d| d.print_ledger(&state.forms, &state.env, certdesk_desk::dates::parse_day(&date)?, None)))
}
