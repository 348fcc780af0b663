//! The certdesk desktop app: the Tauri 2 shell. Owns the window, the IPC commands (thin: each
//! calls a library crate), the signed-in account of this window, and the one mapping of library
//! errors to `{kind, detail}` for the UI (which shows them in Chinese). Business rules, roles and
//! the four-eyes rule stay in the library crates.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod error;

use std::path::PathBuf;
use std::sync::Mutex;

/// What the app holds: the store and the account signed in at this window.
pub struct AppState {
    pub store: Mutex<certdesk_store::Store>,
    pub actor: Mutex<Option<certdesk_domain::workflow::Actor>>,
    pub catalog: certdesk_catalog::Catalog,
}

fn db_path() -> PathBuf {
    if let Some(p) = std::env::var_os("CERTDESK_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("certdesk").join("certdesk.db")
}

fn main() {
    let path = db_path();
    let store = match certdesk_store::Store::open(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("certdesk: cannot open the case store {}: {e}", path.display());
            std::process::exit(1);
        }
    };
    let catalog = match certdesk_catalog::Catalog::embedded() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("certdesk: {e}");
            std::process::exit(1);
        }
    };
    let state = AppState { store: Mutex::new(store), actor: Mutex::new(None), catalog };
    let result = tauri::Builder::default()
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::setup_admin,
            commands::login,
            commands::logout,
            commands::search_cases,
            commands::list_cases,
            commands::get_case,
            commands::import_case,
            commands::case_action,
            commands::validate_ident,
            commands::catalog_projects,
            commands::fee_quote,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("certdesk: the window could not start: {e}");
        std::process::exit(1);
    }
}
