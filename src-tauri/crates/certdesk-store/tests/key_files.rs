//! An encrypted store's key file kept in step with the store (#30, design §2.4, §4.5), on real
//! files: a backup is the pair `X.db` + `X.db.keys` and restores with its key file (the slots
//! of its time back); a plain backup restored into an encrypted store is encrypted on the way
//! in; the store records the key file's generation and digest, so a crash between an account
//! change's commit and the key file's rename loses no slot (rolled forward at the next open),
//! a `.keys.next` nothing committed is removed, and a stale or newer key file is named.

mod common;
use certdesk_domain::workflow::Role;
use certdesk_store::keys::{KeyError, KeyFile, RecoverySecret, key_file_path, next_path};
use certdesk_store::{AuthError, Password, Store, StoreError, StoreState, Unlock};
use common::*;
use std::path::{Path, PathBuf};

fn pw(s: &str) -> Password {
    Password::new(s.to_string())
}

fn open_as(path: &Path, name: &str, password: &str) -> Result<Store, AuthError> {
    Store::open_encrypted(path, Unlock::Account { name, password: &pw(password) })
}

fn holds(path: &Path, marker: &str) -> bool {
    std::fs::read(path).unwrap_or_default().windows(marker.len()).any(|w| w == marker.as_bytes())
}

/// An encrypted store with admin and zhang (a clerk) and one case; its recovery key.
fn encrypted(dir: &Path) -> (PathBuf, Store, String) {
    let path = dir.join("certdesk.db");
    let (mut store, recovery) = Store::create_encrypted(&path, "admin", &pw("Admin-pass-1")).unwrap();
    let admin = store.authenticate("admin", &pw("Admin-pass-1")).unwrap();
    store.add_account("zhang", &[Role::Clerk], &pw("Zhang-pass-1"), Some(&admin)).unwrap();
    store.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap();
    (path, store, recovery.to_string())
}

/// What the store records of its key file (its settings), read with the recovery key.
fn recorded(store: &Store) -> (Option<String>, Option<String>) {
    (store.setting("key_file_generation").unwrap(), store.setting("key_file_sha256").unwrap())
}

#[test]
fn a_backup_of_an_encrypted_store_is_the_pair_and_restores_with_the_slots_of_its_time() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store, _) = encrypted(dir.path());
    let backup = dir.path().join("backups").join("b.db");
    let report = store.backup_to(&backup).unwrap();
    assert_eq!(report.key_file.as_deref(), Some(key_file_path(&backup).as_path()), "the backup's key file beside it");
    assert_eq!(std::fs::read(key_file_path(&backup)).unwrap(), std::fs::read(key_file_path(&path)).unwrap(), "a copy of the store's key file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(key_file_path(&backup)).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert!(!next_path(&key_file_path(&backup)).exists());
    // the pair opens with an account's password of its time, as the store does
    drop(open_as(&backup, "zhang", "Zhang-pass-1").unwrap());
    // a backup never overwrites a file, the key file's name included
    let taken = dir.path().join("taken.db");
    std::fs::write(key_file_path(&taken), b"someone's file").unwrap();
    assert!(matches!(store.backup_to(&taken), Err(StoreError::BackupExists { path }) if path.ends_with("taken.db.keys")));
    assert!(!taken.exists() && std::fs::read(key_file_path(&taken)).unwrap() == b"someone's file");

    // then zhang is disabled, li added and a second case made
    let admin = store.authenticate("admin", &pw("Admin-pass-1")).unwrap();
    store.disable_account(&admin, "zhang").unwrap();
    store.add_account("li", &[Role::Supervisor], &pw("Li-pass-1"), Some(&admin)).unwrap();
    store.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap();
    assert!(matches!(open_as(&path, "zhang", "Zhang-pass-1"), Err(AuthError::WrongCredentials)));

    // the backup restored: its cases, its accounts and its key file (zhang's slot back, li's gone)
    let (store, restored) = store.restore_from(&backup, &as_admin("admin")).map_err(|(_, e)| e).unwrap();
    assert_eq!(restored.key_file.as_deref(), Some(key_file_path(&backup).as_path()));
    assert!(!restored.encrypted_on_the_way_in);
    assert!(store.is_encrypted());
    assert!(store.verify_audit().unwrap().ok);
    drop(store);
    assert_eq!(std::fs::read(key_file_path(&path)).unwrap(), std::fs::read(key_file_path(&backup)).unwrap());
    assert!(!next_path(&key_file_path(&path)).exists());
    let mut store = open_as(&path, "zhang", "Zhang-pass-1").unwrap();
    store.authenticate("zhang", &pw("Zhang-pass-1")).unwrap();
    assert_eq!(store.list_filtered(&Default::default(), 10).unwrap().len(), 1);
    drop(store);
    assert!(matches!(open_as(&path, "li", "Li-pass-1"), Err(AuthError::WrongCredentials)), "li came after the backup");
    // the replaced store was kept with its own key file: li's password opens it
    drop(open_as(&restored.kept, "li", "Li-pass-1").unwrap());

    // without its key file an encrypted backup is refused, naming the file; nothing changes
    let alone = dir.path().join("alone.db");
    std::fs::copy(&backup, &alone).unwrap();
    let store = open_as(&path, "admin", "Admin-pass-1").unwrap();
    let (back, err) = store.restore_from(&alone, &as_admin("admin")).err().unwrap();
    assert!(matches!(&err, StoreError::NotAStore { why: certdesk_store::refusal::NotAStore::NoHeaderNoKeys { keys }, .. } if keys.ends_with("alone.db.keys")), "{err}");
    assert_eq!(back.unwrap().list_filtered(&Default::default(), 10).unwrap().len(), 1, "the store given back");
    // another backup's key file beside it: refused (the backup records which key file it goes with)
    let store = open_as(&path, "admin", "Admin-pass-1").unwrap();
    let newer = dir.path().join("newer.db");
    drop(store.backup_to(&newer).unwrap());
    let mut store = store;
    let admin = store.authenticate("admin", &pw("Admin-pass-1")).unwrap();
    store.set_password(&admin, "zhang", &pw("Zhang-pass-2")).unwrap();
    let newest = dir.path().join("newest.db");
    drop(store.backup_to(&newest).unwrap());
    std::fs::copy(key_file_path(&newest), key_file_path(&newer)).unwrap();
    let (_, err) = store.restore_from(&newer, &as_admin("admin")).err().unwrap();
    assert!(matches!(&err, StoreError::BackupKey { why: certdesk_store::refusal::BackupKeyRefusal::NotItsKeyFile { .. }, .. }), "{err}");
}

#[test]
fn a_plain_backup_restored_into_an_encrypted_store_is_encrypted_on_the_way_in() {
    let dir = tempfile::tempdir().unwrap();
    // a plain store of the same counter (before it was encrypted) and its backup
    let plain_path = dir.path().join("plain.db");
    let mut plain = Store::open(&plain_path).unwrap();
    plain.add_account("admin", &[Role::Admin], &pw("Admin-pass-1"), None).unwrap();
    let admin = plain.authenticate("admin", &pw("Admin-pass-1")).unwrap();
    plain.add_account("zhang", &[Role::Clerk], &pw("Zhang-pass-1"), Some(&admin)).unwrap();
    plain.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap();
    plain.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap();
    let plain_backup = dir.path().join("plain-backup.db");
    assert_eq!(plain.backup_to(&plain_backup).unwrap().key_file, None, "a plain store's backup has no key file");
    drop(plain);
    let c = case(ORG_NEW);
    let markers = [c.handler.name.clone(), c.handler.id_number.clone()];
    assert!(markers.iter().all(|m| holds(&plain_backup, m)), "the plain backup holds them (the test can fail)");

    let (path, store, _) = encrypted(dir.path());
    let keys_before = std::fs::read(key_file_path(&path)).unwrap();
    let (store, restored) = store.restore_from(&plain_backup, &as_admin("admin")).map_err(|(_, e)| e).unwrap();
    assert!(restored.encrypted_on_the_way_in && restored.key_file.is_none());
    assert!(store.is_encrypted());
    assert_eq!(store.list_filtered(&Default::default(), 10).unwrap().len(), 2, "the backup's cases");
    assert!(store.verify_audit().unwrap().ok);
    drop(store);
    assert_eq!(Store::state(&path).unwrap(), StoreState::Encrypted { key_file: true });
    for m in &markers {
        for f in [path.clone(), PathBuf::from(format!("{}-wal", path.display()))] {
            assert!(!holds(&f, m), "{m} readable in {} after the restore", f.display());
        }
    }
    for leftover in [".restoring", ".restoring.encrypting", ".restoring-wal"] {
        assert!(!Path::new(&format!("{}{leftover}", path.display())).exists(), "{leftover} left");
    }
    // the key file stays the store's: the backup's admin (same password) opens the store
    assert_eq!(std::fs::read(key_file_path(&path)).unwrap(), keys_before);
    let mut store = open_as(&path, "admin", "Admin-pass-1").unwrap();
    store.authenticate("admin", &pw("Admin-pass-1")).unwrap();
    let (generation, _) = recorded(&store);
    assert_eq!(generation.as_deref(), Some("2"), "the restored store records the key file it goes with");
}

#[test]
fn a_crash_between_an_account_changes_commit_and_the_key_files_rename_loses_no_slot() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store, recovery) = encrypted(dir.path());
    let keys = key_file_path(&path);
    // every change records the key file it wrote: generation and digest
    let file = KeyFile::read(&keys).unwrap();
    assert_eq!(recorded(&store), (Some(file.generation.to_string()), Some(file.digest())));
    assert_eq!(file.generation, 2, "the administrator's slot, then zhang's");
    let before = std::fs::read(&keys).unwrap();

    // zhang's password changed; then the crash is made by hand: the new key file back in its
    // .keys.next, the old one in place (the database committed, the rename never happened)
    let zhang = store.authenticate("zhang", &pw("Zhang-pass-1")).unwrap();
    store.change_own_password(zhang.name(), &pw("Zhang-pass-1"), &pw("Zhang-pass-2")).unwrap();
    drop(store);
    assert!(!next_path(&keys).exists(), "renamed after the commit");
    std::fs::rename(&keys, next_path(&keys)).unwrap();
    std::fs::write(&keys, &before).unwrap();

    // the new password opens the store through .keys.next, and the open rolls it forward
    let mut store = open_as(&path, "zhang", "Zhang-pass-2").unwrap();
    store.authenticate("zhang", &pw("Zhang-pass-2")).unwrap();
    assert!(!next_path(&keys).exists(), "rolled forward");
    let now = KeyFile::read(&keys).unwrap();
    assert_eq!(now.generation, 3);
    assert_eq!(recorded(&store), (Some("3".into()), Some(now.digest())));
    drop(store);
    drop(open_as(&path, "admin", "Admin-pass-1").unwrap());

    // a crash before the commit: a .keys.next the store never recorded (a slot for eve) is
    // removed at the next open, by any account, and opens nothing
    let key = RecoverySecret::parse(&recovery).unwrap().data_key();
    let mut uncommitted = now.clone();
    uncommitted.set_slot(&key, "eve", b"Eve-pass-1", "2026-11-24T00:00:00Z").unwrap();
    uncommitted.write_next(&keys).unwrap();
    drop(open_as(&path, "admin", "Admin-pass-1").unwrap());
    assert!(!next_path(&keys).exists(), "the uncommitted .keys.next removed");
    assert_eq!(KeyFile::read(&keys).unwrap(), now, ".keys unchanged");
    assert!(matches!(open_as(&path, "eve", "Eve-pass-1"), Err(AuthError::WrongCredentials)));
    // a half-written one too
    std::fs::write(next_path(&keys), b"{\"format\": \"certdesk-ke").unwrap();
    drop(open_as(&path, "admin", "Admin-pass-1").unwrap());
    assert!(!next_path(&keys).exists());

    // an older key file put back in place (without its .next): named, and the paper still opens
    std::fs::write(&keys, &before).unwrap();
    let stale = open_as(&path, "admin", "Admin-pass-1").err().unwrap();
    assert!(matches!(stale, AuthError::Store(StoreError::Keys(KeyError::Stale { file: 2, store: 3, .. }))), "{stale}");
    assert!(stale.to_string().contains("recovery key"), "{stale}");
    let secret = RecoverySecret::parse(&recovery).unwrap();
    let store = Store::recover(&path, &secret, "admin", &pw("Admin-pass-2")).unwrap();
    drop(store);
    let rebuilt = KeyFile::read(&keys).unwrap();
    assert_eq!(rebuilt.generation, 4, "the generation moves on, never back");
    drop(open_as(&path, "admin", "Admin-pass-2").unwrap());

    // a key file newer than the store (the store restored by hand without its backup's key
    // file): named too
    let store = open_as(&path, "admin", "Admin-pass-2").unwrap();
    let backup = dir.path().join("b.db");
    drop(store.backup_to(&backup).unwrap());
    let mut store = store;
    let admin = store.authenticate("admin", &pw("Admin-pass-2")).unwrap();
    store.set_password(&admin, "zhang", &pw("Zhang-pass-3")).unwrap();
    drop(store);
    std::fs::copy(&keys, key_file_path(&backup)).unwrap();
    let ahead = open_as(&backup, "admin", "Admin-pass-2").err().unwrap();
    assert!(matches!(ahead, AuthError::Store(StoreError::Keys(KeyError::Ahead { file: 5, store: 4, .. }))), "{ahead}");
}

#[test]
fn a_rekey_gives_a_new_recovery_key_and_keeps_the_administrators_slot_only_and_old_backups_open_with_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let (path, store, old_recovery) = encrypted(dir.path());
    let before = dir.path().join("before.db");
    store.backup_to(&before).unwrap();
    let old = RecoverySecret::parse(&old_recovery).unwrap();

    // an administrator only; the store alone (another handle on it: busy, nothing changed)
    drop(store);
    let zhang = open_as(&path, "zhang", "Zhang-pass-1").unwrap();
    assert!(matches!(zhang.rekey("zhang", &pw("Zhang-pass-1")), Err(AuthError::AdminOnly { .. })));
    let store = open_as(&path, "admin", "Admin-pass-1").unwrap();
    let other = store.reopen().unwrap();
    assert!(matches!(store.rekey("admin", &pw("Admin-pass-1")), Err(AuthError::Store(StoreError::Busy(_)))));
    drop(other);
    assert!(!next_path(&key_file_path(&path)).exists(), "nothing left of the refused rekey");
    drop(open_as(&path, "zhang", "Zhang-pass-1").unwrap());

    let store = open_as(&path, "admin", "Admin-pass-1").unwrap();
    let done = store.rekey("admin", &pw("Admin-pass-1")).unwrap();
    assert!(done.recovery_key.starts_with("RK1-") && *done.recovery_key != old_recovery);
    assert_eq!(done.without_slot, ["zhang"]);
    let store = done.store;
    assert_eq!(store.list_filtered(&Default::default(), 10).unwrap().len(), 1);
    assert!(store.verify_audit().unwrap().ok);
    let last = store.events_between(certdesk_store::AuditAction::StoreRekeyed, "2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z").unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].detail["without_slot"], serde_json::json!(["zhang"]));
    drop(store);
    let file = KeyFile::read(&key_file_path(&path)).unwrap();
    assert_eq!(file.slots.iter().map(|s| s.account.as_str()).collect::<Vec<_>>(), ["admin"]);
    assert_eq!(file.generation, 3, "the generation moves on");
    assert!(!next_path(&key_file_path(&path)).exists());

    // the old recovery key opens nothing any more, the new one does; zhang needs a new password
    assert!(Store::open_encrypted(&path, Unlock::Recovery(&old)).is_err());
    let new = RecoverySecret::parse(&done.recovery_key).unwrap();
    drop(Store::open_encrypted(&path, Unlock::Recovery(&new)).unwrap());
    assert!(matches!(open_as(&path, "zhang", "Zhang-pass-1"), Err(AuthError::WrongCredentials)));
    let mut store = open_as(&path, "admin", "Admin-pass-1").unwrap();
    let admin = store.authenticate("admin", &pw("Admin-pass-1")).unwrap();
    store.set_password(&admin, "zhang", &pw("Zhang-pass-2")).unwrap();
    drop(store);
    drop(open_as(&path, "zhang", "Zhang-pass-2").unwrap());

    // the backup made before opens with its own key file and with the old recovery key
    drop(open_as(&before, "zhang", "Zhang-pass-1").unwrap());
    drop(Store::open_encrypted(&before, Unlock::Recovery(&old)).unwrap());
    assert!(Store::open_encrypted(&before, Unlock::Recovery(&new)).is_err(), "the new paper is not the old backup's");
    // and restores: with the recovery key of its time (the running key is another)
    let store = open_as(&path, "admin", "Admin-pass-1").unwrap();
    let (back, err) = store.restore_from(&before, &as_admin("admin")).err().unwrap();
    assert!(matches!(&err, StoreError::BackupKey { why: certdesk_store::refusal::BackupKeyRefusal::OtherKey, .. }) && err.to_string().contains("--recovery-file"), "{err}");
    let (store, restored) = back.unwrap().restore_with(&before, &as_admin("admin"), Some(Unlock::Recovery(&old))).map_err(|(_, e)| e).unwrap();
    assert!(restored.key_file.is_some());
    assert!(store.verify_audit().unwrap().ok);
    drop(store);
    drop(Store::open_encrypted(&path, Unlock::Recovery(&old)).unwrap());
    drop(open_as(&path, "zhang", "Zhang-pass-1").unwrap());
    // or with an account's password of its time (after another rekey)
    let store = open_as(&path, "admin", "Admin-pass-1").unwrap();
    let store = store.rekey("admin", &pw("Admin-pass-1")).unwrap().store;
    let wrong = Some(Unlock::Account { name: "admin", password: &pw("Admin-pass-9") });
    let (back, err) = store.restore_with(&before, &as_admin("admin"), wrong).err().unwrap();
    assert!(matches!(&err, StoreError::BackupKey { why: certdesk_store::refusal::BackupKeyRefusal::Password { .. }, .. }) && err.to_string().contains("opens no slot"), "{err}");
    let right = Some(Unlock::Account { name: "admin", password: &pw("Admin-pass-1") });
    let (store, _) = back.unwrap().restore_with(&before, &as_admin("admin"), right).map_err(|(_, e)| e).unwrap();
    drop(store);
    drop(Store::open_encrypted(&path, Unlock::Recovery(&old)).unwrap());
}

#[test]
fn a_rekey_interrupted_after_the_database_changed_is_finished_at_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let (path, store, _) = encrypted(dir.path());
    let keys = key_file_path(&path);
    let old_file = std::fs::read(&keys).unwrap();
    let old_recorded = recorded(&store);
    let done = store.rekey("admin", &pw("Admin-pass-1")).unwrap();
    // the crash by hand: the database rekeyed but the new key file not recorded yet (the old
    // generation put back), the new key file still .keys.next, the old one (the old key) in place
    let mut store = done.store;
    for (key, value) in [("key_file_generation", old_recorded.0.unwrap()), ("key_file_sha256", old_recorded.1.unwrap())] {
        store.set_setting(key, &value, &as_admin("admin")).unwrap();
    }
    drop(store);
    std::fs::rename(&keys, next_path(&keys)).unwrap();
    std::fs::write(&keys, &old_file).unwrap();
    // the old key file's slot unwraps the old key, which no longer opens the database: the
    // .keys.next's does, and the open rolls it forward
    let mut store = open_as(&path, "admin", "Admin-pass-1").unwrap();
    store.authenticate("admin", &pw("Admin-pass-1")).unwrap();
    assert!(!next_path(&keys).exists());
    let file = KeyFile::read(&keys).unwrap();
    assert_eq!(file.slots.len(), 1);
    assert_eq!(recorded(&store), (Some(file.generation.to_string()), Some(file.digest())), "recorded by the open that finished it");
    drop(store);
    drop(Store::open_encrypted(&path, Unlock::Recovery(&RecoverySecret::parse(&done.recovery_key).unwrap())).unwrap());
}

#[test]
fn wrong_passwords_are_counted_before_the_store_is_open_and_lock_the_account_at_five() {
    use certdesk_store::attempts::attempts_path;
    let dir = tempfile::tempdir().unwrap();
    let (path, store, _) = encrypted(dir.path());
    drop(store);
    let file = attempts_path(&path);
    let failures = |store: &Store, action| store.events_between(action, "2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z").unwrap().len();

    // four wrong passwords: counted beside the store (no password in the file); an unknown
    // name is not counted
    for _ in 0..4 {
        assert!(matches!(open_as(&path, "zhang", "Zhang-wrong-1"), Err(AuthError::WrongCredentials)));
    }
    assert!(matches!(open_as(&path, "nobody", "Zhang-wrong-1"), Err(AuthError::WrongCredentials)));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("\"zhang\"") && text.contains("\"failed_in_a_row\": 4") && !text.contains("nobody") && !text.contains("wrong"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // the right password still opens; the open moves the four into the store and empties the file
    let mut store = open_as(&path, "zhang", "Zhang-pass-1").unwrap();
    assert_eq!(failures(&store, certdesk_store::AuditAction::LoginFailed), 4);
    assert_eq!(store.account("zhang").unwrap().unwrap().failed_logins, 4);
    assert!(!std::fs::read_to_string(&file).unwrap().contains("zhang"));
    store.authenticate("zhang", &pw("Zhang-pass-1")).unwrap();
    assert_eq!(store.account("zhang").unwrap().unwrap().failed_logins, 0, "the right password resets the count, as at any sign-in");
    drop(store);

    // five in a row: locked before the store is open; the right password hears it, a wrong one
    // does not
    for _ in 0..5 {
        assert!(matches!(open_as(&path, "zhang", "Zhang-wrong-1"), Err(AuthError::WrongCredentials)));
    }
    assert!(matches!(open_as(&path, "zhang", "Zhang-pass-1"), Err(AuthError::Locked { .. })));
    assert!(matches!(open_as(&path, "zhang", "Zhang-wrong-1"), Err(AuthError::WrongCredentials)));
    // the administrator's open moves them in: zhang locked in the store, on the chain
    let mut store = open_as(&path, "admin", "Admin-pass-1").unwrap();
    let admin = store.authenticate("admin", &pw("Admin-pass-1")).unwrap();
    let zhang = store.account("zhang").unwrap().unwrap();
    assert!(zhang.locked && zhang.failed_logins == 6, "{zhang:?}");
    assert_eq!(failures(&store, certdesk_store::AuditAction::UserLocked), 1);
    assert!(store.verify_audit().unwrap().ok);
    drop(store);
    // the store says so now, after the slot opened it
    let mut store = open_as(&path, "zhang", "Zhang-pass-1").unwrap();
    assert!(matches!(store.authenticate("zhang", &pw("Zhang-pass-1")), Err(AuthError::Locked { .. })));
    drop(store);
    // another wrong password meanwhile, then the administrator's unlock clears both
    assert!(open_as(&path, "zhang", "Zhang-wrong-1").is_err());
    let mut store = open_as(&path, "admin", "Admin-pass-1").unwrap();
    assert!(!std::fs::read_to_string(&file).unwrap().contains("zhang"), "moved in by the admin's open");
    for _ in 0..5 {
        assert!(open_as(&path, "zhang", "Zhang-wrong-1").is_err(), "counted while the admin has the store open");
    }
    store.unlock_account(&admin, "zhang").unwrap();
    assert!(!std::fs::read_to_string(&file).unwrap().contains("zhang"), "the unlock clears the pending failures");
    drop(store);
    let mut store = open_as(&path, "zhang", "Zhang-pass-1").unwrap();
    store.authenticate("zhang", &pw("Zhang-pass-1")).unwrap();
    // a half-written file counts as nothing pending
    drop(store);
    std::fs::write(&file, b"{\"format\": \"certdesk-att").unwrap();
    drop(open_as(&path, "zhang", "Zhang-pass-1").unwrap());
}
