//! The CLI and the Tauri shell are adapters over the application API: they parse, call the
//! desk and print or serialize. This test reads their sources and fails when one of them calls
//! a `Store` method that changes data, or names an audit action, instead of going through
//! `certdesk_desk` (the benchmark binaries under `certdesk-cli/src/bin/` build their stores in
//! bulk and are not adapters).

use std::path::{Path, PathBuf};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// Store methods that write: cases, files, events, accounts, settings, drafts, the file itself.
const WRITES: &[&str] = &[
    "create_case",
    "create_cases",
    "edit",
    "act",
    "attach",
    "record_key_step",
    "record_event",
    "note",
    "reissue",
    "set_setting",
    "add_account",
    "set_roles",
    "set_password",
    "change_own_password",
    "disable_account",
    "unlock_account",
    "authenticate",
    "save_draft",
    "clear_draft",
    "backup_to",
    "backup_as",
    "restore_from",
    "check_key_step",
];

/// Actions recorded on the audit chain.
const ACTIONS: &[&str] = &[
    "create",
    "accept",
    "submit",
    "approve",
    "return",
    "edit",
    "cancel",
    "deliver",
    "close",
    "issue_key",
    "reissue",
    "attachment_added",
    "seal_imported",
    "files_changed",
    "forms_printed",
    "token_initialized",
    "key_generated",
    "certificate_imported",
    "certificate_written",
    "encryption_imported",
    "seal_written",
    "token_unlocked",
    "token_wiped",
    "store_backup",
    "store_restored",
    "store_migrated",
    "setting",
    "user_add",
    "user_passwd",
    "user_roles",
    "user_disable",
    "user_unlock",
    "login_failed",
    "user_locked",
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "bin") {
                sources(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") && !path.file_name().is_some_and(|n| n.to_string_lossy().ends_with("tests.rs")) {
            // the shell's own tests play the webview and send the actions' wire names
            out.push(path);
        }
    }
}

fn adapter_sources() -> Vec<PathBuf> {
    let mut files = Vec::new();
    sources(&Path::new(ROOT).join("src"), &mut files);
    sources(&Path::new(ROOT).join("crates/certdesk-cli/src"), &mut files);
    assert!(files.len() >= 10, "the adapters' sources were not found: {files:?}");
    files
}

/// The store calls of a line: `store.x(`, `store().x(`, `lock()?.x(` with `x` a writing method.
fn store_writes(line: &str) -> Vec<&'static str> {
    let compact: String = line.split_whitespace().collect();
    WRITES.iter().copied().filter(|m| ["store.", "store().", "store()?.", "lock()?.", "(*store)."].iter().any(|r| compact.contains(&format!("{r}{m}(")))).collect()
}

fn action_literals(line: &str) -> Vec<&'static str> {
    ACTIONS.iter().copied().filter(|a| line.contains(&format!("\"{a}\""))).collect()
}

#[test]
fn the_adapters_hold_no_store_writes_and_name_no_audit_action() {
    let mut found = Vec::new();
    for file in adapter_sources() {
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for m in store_writes(line) {
                found.push(format!("{}:{}: Store::{m} called by an adapter", file.display(), i + 1));
            }
            for a in action_literals(line) {
                found.push(format!("{}:{}: the audit action {a:?} named by an adapter", file.display(), i + 1));
            }
        }
    }
    assert!(found.is_empty(), "go through certdesk_desk instead:\n{}", found.join("\n"));
}

#[test]
fn the_check_itself_finds_what_it_looks_for() {
    assert_eq!(store_writes("    let rec = store.act(&n, Action::Approve, &actor, None)?;"), ["act"]);
    assert_eq!(store_writes("state.store.lock()?.record_event(&ev)?;"), ["record_event"]);
    assert!(store_writes("let rec = session.desk(&mut store)?.act(number, action, None)?;").is_empty());
    assert!(store_writes("let rows = store.search(&text, 50)?;").is_empty());
    assert_eq!(action_literals(r#"action: "token_wiped","#), ["token_wiped"]);
    assert!(action_literals(r#"println!("approved")"#).is_empty());
}
