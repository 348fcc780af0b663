//! The admin desk's commands: accounts and roles, their USB keys (#31: enrol an operator
//! certificate, revoke, the list), the settings, the verified backup (and its
//! cancel) and restore, the log read back and exported for support, and a debug build's crash
//! on purpose. Who may do each is the desk's to decide.

use crate::AppState;
use crate::error::IpcError;
use certdesk_desk::ErrorKind;
use certdesk_desk::store::Password;
use serde::Serialize;
use std::path::PathBuf;
use tauri::State;

#[derive(Serialize, ts_rs::TS)]
pub struct AccountView {
    name: String,
    display_name: String,
    roles: Vec<&'static str>,
    locked: bool,
    disabled: bool,
    failed_logins: i64,
    created_at: String,
    /// its password was set by an administrator: it changes it at its next sign-in
    must_change: bool,
}

#[tauri::command(async)]
pub fn list_accounts(state: State<'_, AppState>) -> Result<Vec<AccountView>, IpcError> {
    crate::log::call("list_accounts", || {
        let accounts = state.with_desk(|d| d.accounts())?;
        Ok(accounts
            .into_iter()
            .map(|a| AccountView {
                name: a.name,
                display_name: a.display_name,
                roles: a.roles.iter().map(|r| r.wire()).collect(),
                locked: a.locked,
                disabled: a.disabled,
                failed_logins: a.failed_logins,
                created_at: a.created_at,
                must_change: a.must_change,
            })
            .collect())
    })
}

/// Every USB key enrolment (#31), current and ended, for the administrator's list.
#[tauri::command(async)]
pub fn key_enrolments(state: State<'_, AppState>) -> Result<Vec<certdesk_desk::store::Enrolment>, IpcError> {
    crate::log::call("key_enrolments", || state.with_desk(|d| d.enrolments(None)))
}

/// Binds an operator certificate to account `name` (#31): the certificate file and the operator
/// CA's certificates, each Base64 of the file as picked (PEM, DER or PKCS#7); the desk checks
/// the chain, the validity and the key usage.
#[tauri::command(async)]
pub fn enrol_key(state: State<'_, AppState>, name: String, cert: String, chain: String) -> Result<certdesk_desk::store::Enrolment, IpcError> {
    crate::log::call("enrol_key", || {
        use base64::Engine as _;
        let decode = |what: &str, b64: &str| {
            base64::engine::general_purpose::STANDARD.decode(b64.as_bytes()).map_err(|_| IpcError::new(ErrorKind::Usage, format!("the {what} is not Base64")))
        };
        let (cert, chain) = (decode("certificate", &cert)?, decode("operator CA file", &chain)?);
        // the installation's operator CA (#78), outside the store: found afresh, as an administrator may just have installed it
        let operator_ca = certdesk_desk::operator_ca::OperatorCa::find(&state.env)?;
        state.with_desk(|d| d.enrol_key(&name, &cert, &chain, &operator_ca))
    })
}

/// Ends account `name`'s USB key enrolment with a reason (a key lost or handed back).
#[tauri::command(async)]
pub fn revoke_key(state: State<'_, AppState>, name: String, reason: String) -> Result<certdesk_desk::store::Enrolment, IpcError> {
    crate::log::call("revoke_key", || state.with_desk(|d| d.revoke_key(&name, &reason)))
}

#[tauri::command(async)]
pub fn add_account(state: State<'_, AppState>, name: String, roles: Vec<String>, password: String) -> Result<(), IpcError> {
    crate::log::call("add_account", || {
        let roles = certdesk_desk::intake::roles(&roles)?;
        state.with_desk(|d| d.add_account(&name, &roles, &Password::new(password)).map(drop))
    })
}

#[tauri::command(async)]
pub fn set_account_roles(state: State<'_, AppState>, name: String, roles: Vec<String>) -> Result<(), IpcError> {
    crate::log::call("set_account_roles", || {
        let roles = certdesk_desk::intake::roles(&roles)?;
        state.with_desk(|d| d.set_roles(&name, &roles).map(drop))
    })
}

/// An administrator's new password for another account; one's own needs the current one.
#[tauri::command(async)]
pub fn reset_password(state: State<'_, AppState>, name: String, password: String) -> Result<(), IpcError> {
    crate::log::call("reset_password", || state.with_desk(|d| d.reset_password(&name, &Password::new(password)).map(drop)))
}

#[tauri::command(async)]
pub fn change_own_password(state: State<'_, AppState>, current: String, password: String) -> Result<(), IpcError> {
    crate::log::call("change_own_password", || {
        state.with_session_before_password_change(|session, store| session.change_own_password(store, &Password::new(current), &Password::new(password)).map(drop))
    })
}

/// An account's 姓名 (an administrator for anyone, an account for itself).
#[tauri::command(async)]
pub fn set_display_name(state: State<'_, AppState>, name: String, display_name: String) -> Result<(), IpcError> {
    crate::log::call("set_display_name", || state.with_desk(|d| d.set_display_name(&name, &display_name).map(drop)))
}

#[tauri::command(async)]
pub fn disable_account(state: State<'_, AppState>, name: String) -> Result<(), IpcError> {
    crate::log::call("disable_account", || state.with_desk(|d| d.disable_account(&name).map(drop)))
}

#[tauri::command(async)]
pub fn unlock_account(state: State<'_, AppState>, name: String) -> Result<(), IpcError> {
    crate::log::call("unlock_account", || state.with_desk(|d| d.unlock_account(&name).map(drop)))
}

#[tauri::command(async)]
pub fn get_settings(state: State<'_, AppState>) -> Result<std::collections::BTreeMap<&'static str, String>, IpcError> {
    crate::log::call("get_settings", || state.with_desk(|d| d.settings()))
}

#[tauri::command(async)]
pub fn set_setting(state: State<'_, AppState>, key: String, value: String) -> Result<(), IpcError> {
    crate::log::call("set_setting", || state.with_desk(|d| d.set_setting(&state.catalog, &key, &value)))
}

/// Who is signed in now and each account's last sign-in (#79), for 管理 → 账号.
#[tauri::command(async)]
pub fn sign_ins(state: State<'_, AppState>) -> Result<certdesk_desk::sign_ins::SignIns, IpcError> {
    crate::log::call("sign_ins", || state.with_desk(|d| d.sign_ins()))
}

/// 管理 → Key驱动库 (#79): the saved path checked (loaded and its slots listed) off the window's
/// thread; the page shows 检查中… meanwhile and what was found after.
#[tauri::command(async)]
pub fn check_key_library(state: State<'_, AppState>, path: String) -> Result<certdesk_desk::token::LibraryCheck, IpcError> {
    crate::log::call("check_key_library", || Ok(state.with_desk(|d| d.key_library_check())?.run(&path)))
}

/// The recovery key's sheet (#79 item 5): the counter, the day, the key in its groups, where
/// to keep it; the key is the one the set-up showed, checked, never kept.
#[tauri::command(async)]
pub fn recovery_sheet(state: State<'_, AppState>, key: String) -> Result<certdesk_desk::recovery_sheet::RecoverySheet, IpcError> {
    let key = zeroize::Zeroizing::new(key);
    crate::log::call("recovery_sheet", || state.with_desk(|d| d.recovery_sheet(&key)))
}

/// The recovery key's sheet saved as a text file where the administrator chose (a USB stick).
#[tauri::command(async)]
pub fn save_recovery_key(state: State<'_, AppState>, key: String, path: String) -> Result<String, IpcError> {
    let key = zeroize::Zeroizing::new(key);
    crate::log::call("save_recovery_key", || state.with_desk(|d| d.save_recovery_key(&key, std::path::Path::new(&path))).map(|p| p.display().to_string()))
}

/// The system's print dialog for the recovery sheet the window shows (its print stylesheet
/// shows only that sheet), on A4.
#[tauri::command(async)]
pub fn print_recovery_sheet(window: tauri::WebviewWindow, state: State<'_, AppState>) -> Result<super::print::PrintOutcome, IpcError> {
    crate::log::call("print_recovery_sheet", || {
        let dialog = state.with_desk(|d| d.recovery_print_dialog(&state.env))?;
        super::gtk_print::system_print(&window, 210.0, 297.0, &dialog.file, dialog.printer)
    })
}

/// A project's RA for online enrolment (#72); `None`: offline only.
#[tauri::command(async)]
pub fn ra_show(state: State<'_, AppState>, project: String) -> Result<Option<certdesk_desk::online::RaView>, IpcError> {
    crate::log::call("ra_show", || state.with_desk(|d| d.ra(&state.catalog, &project)))
}

/// Sets a project's RA: its address, the CA certificate it is pinned to (Base64 of the file as
/// picked, PEM or DER) and the challenge password (never logged nor on the chain).
#[tauri::command(async)]
pub fn ra_set(state: State<'_, AppState>, project: String, url: String, ca_cert: String, challenge: String) -> Result<certdesk_desk::online::RaView, IpcError> {
    let challenge = zeroize::Zeroizing::new(challenge);
    crate::log::call("ra_set", || {
        use base64::Engine as _;
        let ca = base64::engine::general_purpose::STANDARD.decode(ca_cert.as_bytes()).map_err(|_| IpcError::new(ErrorKind::Usage, "the CA certificate is not Base64"))?;
        state.with_desk(|d| d.set_ra(&state.catalog, &project, &url, &ca, &challenge))
    })
}

/// Asks the project's RA for its certificates and checks the pinned one is among them.
#[tauri::command(async)]
pub fn ra_try(state: State<'_, AppState>, project: String) -> Result<certdesk_desk::online::RaView, IpcError> {
    crate::log::call("ra_try", || state.with_desk(|d| d.try_ra(&state.catalog, &project)))
}

/// Takes the project back to offline issuance.
#[tauri::command(async)]
pub fn ra_clear(state: State<'_, AppState>, project: String) -> Result<(), IpcError> {
    crate::log::call("ra_clear", || state.with_desk(|d| d.clear_ra(&state.catalog, &project)))
}

#[derive(Serialize, ts_rs::TS)]
pub struct BackedUp {
    #[ts(type = "string")]
    path: PathBuf,
    bytes: u64,
}

#[tauri::command(async)]
pub fn backup_store(state: State<'_, AppState>) -> Result<BackedUp, IpcError> {
    crate::log::call("backup_store", || {
        state.backup_cancel.store(false, std::sync::atomic::Ordering::Relaxed);
        let cancel = state.backup_cancel.clone();
        let r = state.with_own_desk(|d| d.backup_to_folder(&state.env, Some(cancel)))?;
        Ok(BackedUp { path: r.path, bytes: r.bytes })
    })
}

/// 管理 → 保存期限 (#30): the cases past their retention on the counter's day and the held
/// ones, nothing changed (an administrator).
#[tauri::command(async)]
pub fn purge_preview(state: State<'_, AppState>) -> Result<certdesk_desk::store::PurgeReport, IpcError> {
    crate::log::call("purge_preview", || state.with_own_desk(|d| d.purge(certdesk_desk::dates::today(), true)))
}

/// 清除 (#30), after the window's confirmation: the personal data of the cases past their
/// retention removed, held cases kept (an administrator).
#[tauri::command(async)]
pub fn purge_run(state: State<'_, AppState>) -> Result<certdesk_desk::store::PurgeReport, IpcError> {
    crate::log::call("purge_run", || state.with_own_desk(|d| d.purge(certdesk_desk::dates::today(), false)))
}

/// Stops the backup under way (取消 on its progress): nothing of it stays on disk.
#[tauri::command]
pub fn cancel_backup(state: State<'_, AppState>) -> Result<(), IpcError> {
    crate::log::call("cancel_backup", || {
        crate::commands::signed_in(&state)?;
        state.backup_cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    })
}

#[derive(Serialize, ts_rs::TS)]
pub struct Restored {
    cases: i64,
    #[ts(type = "string")]
    kept: PathBuf,
}

/// Replaces the store by a checked backup; everyone is signed out (accounts come from the backup).
#[tauri::command(async)]
pub fn restore_store(state: State<'_, AppState>, path: String) -> Result<Restored, IpcError> {
    crate::log::call("restore_store", || {
        let backup = PathBuf::from(path.trim());
        let mut session = state.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(current) = session.as_mut() else { return Err(IpcError::new(ErrorKind::NotSignedIn, "sign in first")) };
        let result = state.store.replace_with(|store| certdesk_desk::api::restore(store, current, &backup))?;
        let restored = result?;
        *session = None;
        Ok(Restored { cases: restored.report.cases, kept: restored.kept })
    })
}

// ---------------------------------------------------------------- the log (admin → 日志)

/// The last `lines` lines of the app's log (default 500), for an administrator.
#[tauri::command(async)]
pub fn recent_logs(state: State<'_, AppState>, lines: Option<usize>) -> Result<Vec<String>, IpcError> {
    crate::log::call("recent_logs", || state.with_desk(|d| d.recent_logs(&state.env, lines)))
}

/// The recent log lines written to the export folder for support (`certdesk-log-<time>.txt`).
#[tauri::command(async)]
pub fn export_logs(state: State<'_, AppState>) -> Result<certdesk_desk::support::LogExport, IpcError> {
    crate::log::call("export_logs", || state.with_desk(|d| d.export_logs(&state.env)))
}

/// Debug builds only: crashes the app on purpose on its window's thread, so that the end-to-end
/// test sees the crash report and its dialog. A release build refuses.
#[tauri::command(async)]
pub fn debug_crash(app: tauri::AppHandle) -> Result<(), IpcError> {
    crate::log::call("debug_crash", || {
        if !cfg!(debug_assertions) {
            return Err(IpcError::new(ErrorKind::Refused, "only a debug build crashes on purpose"));
        }
        tracing::warn!("debug_crash: the app crashes on purpose");
        app.run_on_main_thread(|| panic!("debug_crash: a crash on purpose (debug builds only)")).map_err(|e| IpcError::new(ErrorKind::Internal, e.to_string()))
    })
}
