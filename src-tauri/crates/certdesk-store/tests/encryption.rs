//! An encrypted store file (#30) on real files: made with its first administrator and the
//! recovery key shown once; the file, its WAL and a backup hold none of a case's names, ID
//! numbers or mobiles (a plain store made the same way holds them all); any account with a
//! slot opens it, a wrong password, an account without a slot and a disabled account open
//! nothing, the recovery key opens it without the key file; a changed password moves the slot.

mod common;
use certdesk_domain::workflow::Role;
use certdesk_store::keys::{RecoverySecret, key_file_path};
use certdesk_store::{AuthError, Password, Store, StoreError, StoreState, Unlock};
use common::*;

fn pw(s: &str) -> Password {
    Password::new(s.to_string())
}

/// The case's personal data as the fixture has it (the handler's name, ID number, mobile).
fn markers() -> Vec<String> {
    let c = case(ORG_NEW);
    vec![c.handler.name.clone(), c.handler.id_number.clone(), c.handler.mobile.clone().unwrap()]
}

fn holds(path: &std::path::Path, marker: &str) -> bool {
    let bytes = std::fs::read(path).unwrap_or_default();
    bytes.windows(marker.len()).any(|w| w == marker.as_bytes())
}

fn wal(path: &std::path::Path) -> std::path::PathBuf {
    std::path::PathBuf::from(format!("{}-wal", path.display()))
}

/// A store with the admin, a clerk and a case; returns it open (WAL not checkpointed).
fn with_a_case(store: &mut Store) {
    let admin = store.authenticate("admin", &pw("Admin-pass-1")).unwrap();
    store.add_account("zhang", &[Role::Clerk], &pw("Zhang-pass-1"), Some(&admin)).unwrap();
    store.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap();
}

#[test]
fn the_file_its_wal_and_a_backup_hold_no_personal_data_and_open_with_a_slot_only() {
    let dir = tempfile::tempdir().unwrap();
    let (plain_path, path) = (dir.path().join("plain.db"), dir.path().join("certdesk.db"));

    // the same store in plain: everything readable (so this test can fail)
    let mut plain = Store::open(&plain_path).unwrap();
    plain.add_account("admin", &[Role::Admin], &pw("Admin-pass-1"), None).unwrap();
    with_a_case(&mut plain);
    plain.backup_to(&dir.path().join("plain-backup.db")).unwrap();
    for m in markers() {
        assert!(holds(&plain_path, &m) || holds(&wal(&plain_path), &m), "{m} in the plain store");
        assert!(holds(&dir.path().join("plain-backup.db"), &m), "{m} in the plain backup");
    }

    assert_eq!(Store::state(&path).unwrap(), StoreState::Missing);
    let (mut store, recovery) = Store::create_encrypted(&path, "admin", &pw("Admin-pass-1")).unwrap();
    assert!(recovery.starts_with("RK1-"), "the recovery key, shown once");
    assert!(store.is_encrypted());
    with_a_case(&mut store);
    let backup = dir.path().join("backup.db");
    let report = store.backup_to(&backup).unwrap();
    assert_eq!(report.cases, 1, "the backup checked with the store's key");
    for m in markers() {
        for file in [path.clone(), wal(&path), backup.clone()] {
            assert!(!holds(&file, &m), "{m} readable in {}", file.display());
        }
    }
    assert!(!holds(&key_file_path(&path), "Admin-pass-1") && !holds(&key_file_path(&path), "Zhang-pass-1"), "no password in the key file");
    drop(store);

    assert_eq!(Store::state(&path).unwrap(), StoreState::Encrypted { key_file: true });
    assert!(matches!(Store::open(&path), Err(StoreError::Encrypted { .. })), "no account, no store");
    assert!(matches!(Store::open(&backup), Err(StoreError::Encrypted { .. })));
    let wrong = Store::open_encrypted(&path, Unlock::Account { name: "zhang", password: &pw("Zhang-pass-2") });
    assert!(matches!(wrong, Err(AuthError::WrongCredentials)));
    let nobody = Store::open_encrypted(&path, Unlock::Account { name: "li", password: &pw("Zhang-pass-1") });
    assert!(matches!(nobody, Err(AuthError::WrongCredentials)), "another name with the right password opens nothing");

    // the clerk's own password opens it and signs in as today
    let mut store = Store::open_encrypted(&path, Unlock::Account { name: "zhang", password: &pw("Zhang-pass-1") }).unwrap();
    let zhang = store.authenticate("zhang", &pw("Zhang-pass-1")).unwrap();
    assert_eq!(store.list_filtered(&Default::default(), 10).unwrap().len(), 1);
    let reopened = store.reopen().unwrap();
    assert_eq!(reopened.list_filtered(&Default::default(), 10).unwrap().len(), 1, "another connection with the same key");
    drop(reopened);
    // a changed password moves the slot: the old one opens nothing any more
    store.change_own_password(zhang.name(), &pw("Zhang-pass-1"), &pw("Zhang-pass-2")).unwrap();
    let admin = store.authenticate("admin", &pw("Admin-pass-1")).unwrap();
    drop(store);
    assert!(matches!(Store::open_encrypted(&path, Unlock::Account { name: "zhang", password: &pw("Zhang-pass-1") }), Err(AuthError::WrongCredentials)));
    let mut store = Store::open_encrypted(&path, Unlock::Account { name: "zhang", password: &pw("Zhang-pass-2") }).unwrap();
    // a disabled account opens nothing
    store.disable_account(&admin, "zhang").unwrap();
    assert!(store.verify_audit().unwrap().ok);
    drop(store);
    assert!(matches!(Store::open_encrypted(&path, Unlock::Account { name: "zhang", password: &pw("Zhang-pass-2") }), Err(AuthError::WrongCredentials)));

    // the paper opens the store without the key file, and the backup too
    std::fs::remove_file(key_file_path(&path)).unwrap();
    let secret = RecoverySecret::parse(&recovery).unwrap();
    let store = Store::open_encrypted(&path, Unlock::Recovery(&secret)).unwrap();
    assert_eq!(store.list_filtered(&Default::default(), 10).unwrap().len(), 1);
    let copy = Store::open_encrypted(&backup, Unlock::Recovery(&secret)).unwrap();
    assert_eq!(copy.list_filtered(&Default::default(), 10).unwrap().len(), 1);
    // another store's recovery key does not
    let other = RecoverySecret::generate();
    drop((store, copy));
    assert!(Store::open_encrypted(&path, Unlock::Recovery(&other)).and_then(|s| s.list_filtered(&Default::default(), 1).map_err(AuthError::from)).is_err());
}

#[test]
fn an_encrypted_store_is_made_only_where_there_is_none_and_with_a_password_that_meets_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("certdesk.db");
    drop(Store::open(&path).unwrap());
    assert!(matches!(Store::create_encrypted(&path, "admin", &pw("Admin-pass-1")), Err(AuthError::StoreExists { .. })), "a plain store is there");
    let fresh = dir.path().join("new.db");
    assert!(Store::create_encrypted(&fresh, "admin", &pw("short")).is_err());
    assert!(!key_file_path(&fresh).exists(), "nothing left behind");
}
