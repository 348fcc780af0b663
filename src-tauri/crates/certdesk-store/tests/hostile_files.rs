//! Hostile files and crashes around backups and restores (#78), on real store files: a huge
//! file that is no store is refused from its first bytes (the process's peak memory stays
//! small), a backup a crash interrupts leaves nothing under its final name and its partial
//! files are removed by the next backup into the folder, a restore a crash interrupts leaves
//! the running store as it was and its staged copy is removed at the next open, and another
//! store's key file beside an encrypted store is named as such.
//!
//! Crashes are real: the test binary re-runs itself as a child (`CERTDESK_HOSTILE_CHILD`) that
//! sets the store's crash point (`certdesk_store::crash_at`) and aborts there.

mod common;
use certdesk_store::keys::key_file_path;
use certdesk_store::{AuthError, CrashPoint, Password, Store, StoreError, Unlock};
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const ADMIN_PASSWORD: &str = "Admin-pass-1";

fn pw(s: &str) -> Password {
    Password::new(s.to_string())
}

/// `<path><suffix>` beside it.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn files_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// A plain store with `cases` cases.
fn plain_store(path: &Path, cases: usize) -> Store {
    let mut store = Store::open(path).unwrap();
    for _ in 0..cases {
        store.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap();
    }
    store
}

/// An encrypted store with its administrator and one case.
fn encrypted_store(path: &Path) -> Store {
    let (mut store, _recovery) = Store::create_encrypted(path, "admin", &pw(ADMIN_PASSWORD)).unwrap();
    store.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap();
    store
}

fn open_store(path: &Path) -> Store {
    match Store::state(path).unwrap() {
        certdesk_store::StoreState::Encrypted { .. } => Store::open_encrypted(path, Unlock::Account { name: "admin", password: &pw(ADMIN_PASSWORD) }).unwrap(),
        _ => Store::open(path).unwrap(),
    }
}

/// The peak resident memory of this process so far (`VmHWM`), in bytes.
#[cfg(target_os = "linux")]
fn peak_memory() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// What the child does, then aborts at its crash point: `<what>\n<store>\n<file>`.
fn child(order: &str) {
    let mut parts = order.split('\n');
    let (what, store, file) = (parts.next().unwrap(), PathBuf::from(parts.next().unwrap()), PathBuf::from(parts.next().unwrap()));
    let point = match what {
        "backup-copied" => CrashPoint::BackupCopied,
        "backup-key-file-renamed" => CrashPoint::BackupKeyFileRenamed,
        "restore-staged" => CrashPoint::RestoreStaged,
        other => panic!("no such child order {other}"),
    };
    let store = open_store(&store);
    certdesk_store::crash_at(Some(point));
    if what == "restore-staged" {
        let _ = store.restore_from(&file, &as_admin("admin"));
    } else {
        let _ = store.backup_to(&file);
    }
    // not reached when the crash point is where the brief says
    println!("finished without crashing");
}

/// Runs `what` on the store in a child process that aborts at the matching crash point; the
/// child must have died there (not finished).
fn crash_in_child(what: &str, store: &Path, file: &Path) {
    let exe = std::env::current_exe().unwrap();
    let order = format!("{what}\n{}\n{}", store.display(), file.display());
    let out = Command::new(exe).args(["--exact", "child_process", "--nocapture", "--test-threads=1"]).env("CERTDESK_HOSTILE_CHILD", order).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success() && !stdout.contains("finished without crashing"), "the child was to crash at {what}: {:?}\n{stdout}", out.status);
}

/// Not a test of its own: the child process of the crash tests (does nothing when run as a
/// test).
#[test]
fn child_process() {
    if let Ok(order) = std::env::var("CERTDESK_HOSTILE_CHILD") {
        child(&order);
    }
}

#[test]
fn a_huge_file_that_is_no_store_is_refused_from_its_first_bytes_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store").join("c.db");
    let store = plain_store(&path, 1);
    // 3 GiB of nothing (sparse: it costs no disk), as big as a store of a million cases
    let huge = dir.path().join("huge.db");
    std::fs::File::create(&huge).unwrap().set_len(3 << 30).unwrap();
    let (back, err) = store.restore_from(&huge, &as_admin("admin")).err().unwrap();
    assert!(err.to_string().contains("huge.db is not a certdesk store"), "{err}");
    // and with a key file beside it (the pair of an encrypted backup, seemingly): the key file
    // is read, not the 3 GiB
    std::fs::write(key_file_path(&huge), b"{\"not\": \"a key file\"}").unwrap();
    let (back, err) = back.unwrap().restore_from(&huge, &as_admin("admin")).err().unwrap();
    assert!(!err.to_string().is_empty());
    // nothing was staged beside the store, and the store is as it was
    assert_eq!(files_in(path.parent().unwrap()).iter().filter(|n| n.contains("restoring")).count(), 0);
    assert_eq!(back.unwrap().count_cases().unwrap(), 1);
    #[cfg(target_os = "linux")]
    {
        let peak = peak_memory();
        assert!(peak < 400 << 20, "the restore read the file into memory: peak {} MiB", peak >> 20);
    }
}

#[test]
fn a_half_written_backup_is_refused_by_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let store = plain_store(&path, 1);
    // a whole copy, but under the name of one being written: never checked, never restored
    let partial = dir.path().join("b.db.certdesk-partial");
    store.backup_to(&dir.path().join("b.db")).unwrap();
    std::fs::copy(dir.path().join("b.db"), &partial).unwrap();
    let (back, err) = store.restore_from(&partial, &as_admin("admin")).err().unwrap();
    assert!(err.to_string().contains("half-written backup"), "{err}");
    assert_eq!(back.unwrap().count_cases().unwrap(), 1);
}

#[test]
fn a_backup_killed_after_its_copy_leaves_nothing_under_its_name_and_the_next_backup_cleans_up() {
    for encrypted in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        drop(if encrypted { encrypted_store(&path) } else { plain_store(&path, 3) });
        let backups = dir.path().join("backups");
        let dest = backups.join("b1.db");
        crash_in_child("backup-copied", &path, &dest);
        assert!(!dest.exists() && !key_file_path(&dest).exists(), "nothing under the final names: {:?}", files_in(&backups));
        assert!(beside(&dest, ".certdesk-partial").exists(), "the crash came after the copy: {:?}", files_in(&backups));
        // the next backup into the folder removes what the crash left, and is whole
        let store = open_store(&path);
        let next = backups.join("b2.db");
        let report = store.backup_to(&next).unwrap();
        assert_eq!(report.cases, if encrypted { 1 } else { 3 });
        let expected: Vec<String> = if encrypted { vec!["b2.db".into(), "b2.db.keys".into()] } else { vec!["b2.db".into()] };
        assert_eq!(files_in(&backups), expected);
    }
}

#[test]
fn a_backup_killed_between_its_renames_never_leaves_a_copy_without_its_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    drop(encrypted_store(&path));
    let backups = dir.path().join("backups");
    let dest = backups.join("b1.db");
    crash_in_child("backup-key-file-renamed", &path, &dest);
    // the key file was renamed first: the copy is still partial, never under its name alone
    assert!(!dest.exists(), "{:?}", files_in(&backups));
    assert!(key_file_path(&dest).exists() && beside(&dest, ".certdesk-partial").exists(), "{:?}", files_in(&backups));
    let store = open_store(&path);
    store.backup_to(&backups.join("b2.db")).unwrap();
    assert_eq!(files_in(&backups), vec!["b2.db".to_string(), "b2.db.keys".into()], "the unfinished pair is gone");
    // the name is free again for a backup
    store.backup_to(&dest).unwrap();
}

#[test]
fn a_cancelled_backup_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = plain_store(&dir.path().join("c.db"), 5);
    let cancel: certdesk_store::CancelFlag = Default::default();
    cancel.store(true, std::sync::atomic::Ordering::Relaxed);
    let backups = dir.path().join("backups");
    let err = store.backup_to_cancellable(&backups.join("b.db"), Some(cancel)).unwrap_err();
    assert!(matches!(err, StoreError::Cancelled { .. }), "{err}");
    assert!(files_in(&backups).is_empty(), "{:?}", files_in(&backups));
}

#[test]
fn a_restore_killed_after_staging_leaves_the_store_as_it_was_and_the_next_open_removes_the_copy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let store = plain_store(&path, 2);
    let backup = dir.path().join("b.db");
    store.backup_to(&backup).unwrap();
    let mut store = store;
    store.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap();
    drop(store);
    crash_in_child("restore-staged", &path, &backup);
    let staged = beside(&path, ".restoring");
    assert!(staged.exists(), "the crash came after staging: {:?}", files_in(dir.path()));
    let store = Store::open(&path).unwrap();
    assert_eq!(store.count_cases().unwrap(), 3, "the running store is as it was");
    assert!(store.verify_audit().unwrap().ok);
    assert!(!staged.exists(), "the next open removed the staged copy: {:?}", files_in(dir.path()));
    // and a restore goes through afterwards
    let (store, _) = store.restore_from(&backup, &as_admin("admin")).map_err(|(_, e)| e).unwrap();
    assert_eq!(store.count_cases().unwrap(), 2);
}

#[test]
fn another_stores_key_file_beside_an_encrypted_store_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    // two stores with the same administrator and password: the other's slot opens
    let ours = dir.path().join("ours.db");
    let theirs = dir.path().join("theirs.db");
    drop(encrypted_store(&ours));
    drop(encrypted_store(&theirs));
    std::fs::copy(key_file_path(&theirs), key_file_path(&ours)).unwrap();
    let err = Store::open_encrypted(&ours, Unlock::Account { name: "admin", password: &pw(ADMIN_PASSWORD) }).err().unwrap();
    let message = err.to_string();
    assert!(matches!(err, AuthError::KeyFileMismatch { .. }), "{message}");
    assert!(message.contains(&format!("the key file {} does not go with the store {}", key_file_path(&ours).display(), ours.display())), "{message}");
    assert!(message.contains("store open-with-recovery"), "{message}");
}

#[cfg(unix)]
#[test]
fn a_fifo_in_place_of_a_backup_is_refused_without_waiting_for_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let store = plain_store(&dir.path().join("c.db"), 1);
    let fifo = dir.path().join("b.db");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let (back, err) = store.restore_from(&fifo, &as_admin("admin")).err().unwrap();
    assert!(err.to_string().contains("is not a regular file"), "{err}");
    assert_eq!(back.unwrap().count_cases().unwrap(), 1);
}

#[cfg(unix)]
#[test]
fn a_partial_backup_another_process_is_writing_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let store = plain_store(&dir.path().join("c.db"), 1);
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    // held as a backup being written holds it (an flock): another backup leaves it alone
    let writing = backups.join("a.db.certdesk-partial");
    let held = std::fs::File::create(&writing).unwrap();
    held.try_lock().unwrap();
    // one nobody holds any more: a crash left it
    let left = backups.join("z.db.certdesk-partial");
    std::fs::write(&left, b"half").unwrap();
    store.backup_to(&backups.join("b.db")).unwrap();
    assert!(writing.exists(), "{:?}", files_in(&backups));
    assert!(!left.exists(), "{:?}", files_in(&backups));
    drop(held);
}

#[test]
fn the_next_open_removes_the_partial_copy_of_a_store_a_restore_was_keeping() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    drop(plain_store(&path, 1));
    // a restore killed while it kept the replaced store (its backup_to) leaves these
    let kept = dir.path().join("c.db.before-restore-20261122T010203Z");
    let partial = beside(&kept, ".certdesk-partial");
    std::fs::write(&partial, b"half a store").unwrap();
    std::fs::write(key_file_path(&partial), b"{}").unwrap();
    // another store's partial backup in the same folder is not this store's to remove
    let foreign = dir.path().join("d.db.certdesk-partial");
    std::fs::write(&foreign, b"theirs").unwrap();
    drop(Store::open(&path).unwrap());
    assert!(!partial.exists() && !key_file_path(&partial).exists(), "{:?}", files_in(dir.path()));
    assert!(foreign.exists());
}
