//! Fuzz target for a backup file opened as untrusted input (#78): arbitrary bytes written to a
//! file, then `Store::check_backup(path)`, what `certdesk store check-backup` and the restore do
//! before anything of the file is trusted (read-only, SQLite's defensive mode, the schema
//! compared with this build's, the pages checked, the audit chain verified). Any error is fine;
//! a panic, an abort, a hang or a runaway allocation is a finding.

#![no_main]

use certdesk_store::Store;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("a temporary folder"));
    let path = dir.path().join("backup.db");
    std::fs::write(&path, data).expect("the input written");
    let _ = Store::check_backup(&path);
    // whatever SQLite left beside it (a journal) goes with the input
    for entry in std::fs::read_dir(dir.path()).expect("the folder").flatten() {
        let _ = std::fs::remove_file(entry.path());
    }
});
