//! Tauri's build step: embeds the UI and lists every IPC command so that the capability file
//! really gates them (a command not listed here cannot be called from the window).

const COMMANDS: &[&str] = &["app_status", "setup_admin", "login", "logout", "search_cases", "list_cases", "get_case", "import_case", "case_action", "validate_ident", "catalog_projects", "fee_quote"];

fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS))).expect("tauri build step");
}
