//! The admin desk's 案件库位置: where this PC's store is, and the choice for the next start
//! (the store file, or a hall checked with its password first and never migrated by the
//! check). The desk decides who may, checks the hall and writes the choice.

use crate::AppState;
use crate::error::IpcError;
use certdesk_desk::place::StorePlaceView;
use certdesk_desk::store::pg::HallStatus;
use certdesk_desk::store::pg::ServerPassword;
use tauri::State;

/// Where this app's store is (administrators).
#[tauri::command(async)]
pub fn store_place(state: State<'_, AppState>) -> Result<StorePlaceView, IpcError> {
    crate::log::call("store_place", || state.with_desk(|d| d.store_place(&state.place)))
}

/// What the hall's servers are doing now, for the header (polled every few seconds on a hall,
/// before and after sign-in: it shows servers, no case): the server that takes writes (none:
/// 服务器切换中), the one this desk is on, the standbys' lag. `None` on a store file.
#[tauri::command(async)]
pub fn hall_status(state: State<'_, AppState>) -> Result<Option<HallStatus>, IpcError> {
    crate::log::call("hall_status", || Ok(state.store.lock()?.hall_status()))
}

/// Chooses this PC's store for the next start (administrators): `file` or `hall` with the
/// server's address and the role's password; a hall that does not answer or refuses the
/// password saves nothing.
#[tauri::command(async)]
pub fn set_store_place(state: State<'_, AppState>, kind: String, url: Option<String>, password: Option<String>) -> Result<StorePlaceView, IpcError> {
    crate::log::call("set_store_place", || {
        let password = password.map(ServerPassword::new);
        let view = state.with_desk(|d| d.set_store_place(&state.place, &kind, url.as_deref(), password))?;
        tracing::info!(saved = ?view.saved_kind, checked = ?view.checked.as_ref().map(|c| (&c.server, c.cases, c.accounts, c.migration_pending)), "store setting saved for the next start");
        Ok(view)
    })
}
