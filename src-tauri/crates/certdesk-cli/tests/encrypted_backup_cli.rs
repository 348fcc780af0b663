//! Backups, restore and the rekey of an encrypted store (#30, design §4.5, §4.2) through the
//! real binary on real files: `store backup --out X.db` writes the pair (`X.db` encrypted, the
//! key file copy `X.db.keys`, both checked; `key_file` in the JSON); `store restore X.db` brings
//! the backup's cases and key file back; a plain backup restored into the encrypted store is
//! encrypted on the way in; `store rekey` prints a new recovery key once, the old one then opening
//! only the backups made before, which restore with their own key; five wrong passwords before
//! the store is open lock the account (counted in `<store>.attempts`).

use certdesk_testkit::{Counter, PEOPLE, fixture, stderr};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn holds(path: &Path, marker: &str) -> bool {
    std::fs::read(path).unwrap_or_default().windows(marker.len()).any(|w| w == marker.as_bytes())
}

/// The handler's name, ID number and mobile of the fixture case.
fn markers() -> Vec<String> {
    let case: Value = serde_json::from_str(&std::fs::read_to_string(fixture("case-org-new.json")).unwrap()).unwrap();
    ["name", "id_number", "mobile"].iter().map(|k| case["handler"][k].as_str().unwrap().to_string()).collect()
}

/// A counter whose store is encrypted, with the four people of the testkit (each with a slot),
/// and its recovery key: made so by the first `user add` when it makes new stores encrypted,
/// else by `store encrypt` right after it.
fn encrypted_counter() -> (Counter, String) {
    let c = Counter::empty(env!("CARGO_BIN_EXE_certdesk"));
    let out = c.run(&["--json", "user", "add", "admin", "--role", "admin", "--password-file", &c.pw("admin")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let first: Value = serde_json::from_slice(&out.stdout).unwrap();
    let recovery = match first["recovery_key"].as_str() {
        Some(k) => k.to_string(),
        None => {
            let out = c.as_user("admin", &["--json", "store", "encrypt"]);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            serde_json::from_slice::<Value>(&out.stdout).unwrap()["recovery_key"].as_str().unwrap().to_string()
        }
    };
    for (name, role) in &PEOPLE[1..] {
        let out = c.run(&["user", "add", name, "--role", role, "--password-file", &c.pw(name), "--as", "admin", "--as-password-file", &c.pw("admin")]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    assert!(recovery.starts_with("RK1-"));
    (c, recovery)
}

fn keys_of(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}.keys", db.display()))
}

fn case_numbers(c: &Counter) -> String {
    c.read(&["--json", "case", "list"])
}

#[test]
fn a_backup_of_an_encrypted_store_is_the_pair_and_a_restore_brings_its_key_file_back() {
    let (c, _) = encrypted_counter();
    let first = c.import(&fixture("case-org-new.json"));
    let backup = PathBuf::from(c.p("backups/b.db"));
    let out = c.as_user("admin", &["--json", "store", "backup", "--out", &backup.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["key_file"].as_str(), Some(keys_of(&backup).display().to_string().as_str()), "{report}");
    assert_eq!(report["cases"], 1);
    assert_eq!(std::fs::read(keys_of(&backup)).unwrap(), std::fs::read(keys_of(&c.db())).unwrap(), "a copy of the store's key file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(keys_of(&backup)).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777, 0o600);
    }
    for m in markers() {
        assert!(!holds(&backup, &m), "{m} readable in the backup");
    }
    // the text report names the key file too
    let text = c.as_user("admin", &["store", "backup", "--out", &c.p("backups/b2.db")]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("b2.db.keys"), "{}", String::from_utf8_lossy(&text.stdout));

    // a second case, then wang disabled: the restore brings the backup's state back, key file
    // included (wang's slot with it)
    let second = c.import(&fixture("case-org-new.json"));
    let out = c.run(&["user", "disable", "wang", "--as", "admin", "--as-password-file", &c.pw("admin")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(c.as_user("wang", &["case", "list"]).status.code(), Some(1), "a disabled account opens nothing");
    let out = c.as_user("admin", &["--json", "store", "restore", &backup.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let restored: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(restored["cases"], 1, "{restored}");
    assert_eq!(restored["key_file"].as_str(), Some(keys_of(&backup).display().to_string().as_str()), "{restored}");
    assert_eq!(restored["encrypted_on_the_way_in"], false);
    assert_eq!(std::fs::read(keys_of(&c.db())).unwrap(), std::fs::read(keys_of(&backup)).unwrap());
    let list = case_numbers(&c);
    assert!(list.contains(&first) && !list.contains(&second), "{list}");
    let wang = c.as_user("wang", &["case", "list"]);
    assert_eq!(wang.status.code(), Some(0), "wang enabled at the backup's time: {}", stderr(&wang));
    let (code, v) = c.read_json(&["--json", "audit", "verify"]);
    assert_eq!((code, v["ok"].as_bool()), (0, Some(true)), "{v}");

    // an encrypted backup without its key file: refused, naming it
    let alone = c.p("alone.db");
    std::fs::copy(&backup, &alone).unwrap();
    let out = c.as_user("admin", &["store", "restore", &alone]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("alone.db.keys"), "{}", stderr(&out));
}

#[test]
fn a_plain_backup_restored_into_an_encrypted_store_is_encrypted_on_the_way_in() {
    let (c, _) = encrypted_counter();
    // a plain store of the counter from before its encryption, with the same administrator
    let plain = PathBuf::from(c.p("plain.db"));
    let plain_backup = PathBuf::from(c.p("plain-backup.db"));
    {
        use certdesk_store::{Password, Store};
        let pass = Password::new("admin-secret-pass-1".into());
        let mut store = Store::open(&plain).unwrap();
        store.add_account("admin", &[certdesk_desk::domain::workflow::Role::Admin], &pass, None).unwrap();
        let admin = store.authenticate("admin", &pass).unwrap();
        store.add_account("zhang", &[certdesk_desk::domain::workflow::Role::Clerk], &Password::new("zhang-secret-pass-1".into()), Some(&admin)).unwrap();
        drop(store);
    }
    let out = c.cmd(&["--db", &plain.display().to_string(), "case", "import", &fixture("case-org-new.json"), "--as", "zhang", "--password-file", &c.pw("zhang")]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let number = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let out = c
        .cmd(&["--db", &plain.display().to_string(), "store", "backup", "--out", &plain_backup.display().to_string(), "--as", "admin", "--password-file", &c.pw("admin")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!keys_of(&plain_backup).exists(), "a plain store's backup has no key file");
    assert!(markers().iter().all(|m| holds(&plain_backup, m)), "the plain backup holds them (the test can fail)");

    let out = c.as_user("admin", &["--json", "store", "restore", &plain_backup.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let restored: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(restored["encrypted_on_the_way_in"], true, "{restored}");
    assert!(restored["key_file"].is_null());
    assert_eq!(certdesk_store::Store::state(&c.db()).unwrap(), certdesk_store::StoreState::Encrypted { key_file: true });
    let wal = PathBuf::from(format!("{}-wal", c.db().display()));
    for m in markers() {
        assert!(!holds(&c.db(), &m) && !holds(&wal, &m), "{m} readable after the restore");
    }
    let list = case_numbers(&c);
    assert!(list.contains(&number), "{list}");
    let bare = c.cmd_without_account(&["case", "list"]).output().unwrap();
    assert_eq!(bare.status.code(), Some(1), "still encrypted: no account, no store");
}

#[test]
fn store_rekey_prints_a_new_recovery_key_once_and_old_backups_open_with_their_own_key_file() {
    let (c, old_recovery) = encrypted_counter();
    let n = c.import(&fixture("case-org-new.json"));
    let before = c.p("before.db");
    let out = c.as_user("admin", &["store", "backup", "--out", &before]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let old_rk = c.p("old-recovery.txt");
    std::fs::write(&old_rk, format!("{old_recovery}\n")).unwrap();

    let refused = c.as_user("zhang", &["store", "rekey"]);
    assert_eq!(refused.status.code(), Some(1), "an administrator only: {}", stderr(&refused));
    let out = c.as_user("admin", &["--json", "store", "rekey"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let done: Value = serde_json::from_slice(&out.stdout).unwrap();
    let new_recovery = done["recovery_key"].as_str().unwrap().to_string();
    assert!(new_recovery.starts_with("RK1-") && new_recovery != old_recovery, "{done}");
    let mut without: Vec<&str> = done["without_slot"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    without.sort();
    assert_eq!(without, ["li", "wang", "zhang"]);
    // the text form says it once, with the accounts that need a new password
    let text = c.as_user("admin", &["store", "rekey"]);
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    let printed = String::from_utf8_lossy(&text.stdout).to_string();
    let line = printed.lines().find(|l| l.starts_with("recovery key: RK1-")).unwrap_or_else(|| panic!("{printed}"));
    let newest = line.trim_start_matches("recovery key: ").to_string();
    assert!(printed.contains("need a new password") && printed.contains("zhang"), "{printed}");
    let verify = c.as_user("admin", &["--json", "audit", "verify"]);
    assert_eq!(serde_json::from_slice::<Value>(&verify.stdout).unwrap()["ok"], true);

    // zhang has no slot now; the older recovery keys open nothing, the newest does
    let zhang = c.as_user("zhang", &["case", "list"]);
    assert_eq!(zhang.status.code(), Some(1));
    assert!(stderr(&zhang).contains("wrong user name or password"), "{}", stderr(&zhang));
    let new_admin = c.p("admin-new.pw");
    std::fs::write(&new_admin, "Admin-new-pass-3\n").unwrap();
    let first_rk = c.p("first-rekey.txt");
    std::fs::write(&first_rk, format!("{new_recovery}\n")).unwrap();
    for stale in [&old_rk, &first_rk] {
        let out = c.run(&["store", "open-with-recovery", "--recovery-file", stale, "--new-password-file", &new_admin, "--as", "admin"]);
        assert_eq!(out.status.code(), Some(1), "a recovery key from before the rekey: {}", stderr(&out));
    }
    let newest_rk = c.p("newest.txt");
    std::fs::write(&newest_rk, format!("{newest}\n")).unwrap();
    let out = c.run(&["store", "open-with-recovery", "--recovery-file", &newest_rk, "--new-password-file", &new_admin, "--as", "admin"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // the backup made before opens with its own key file (zhang's password of that time)
    let old = c.cmd(&["--db", &before, "--json", "case", "list", "--as", "zhang", "--password-file", &c.pw("zhang")]).output().unwrap();
    assert_eq!(old.status.code(), Some(0), "{}", stderr(&old));
    assert!(String::from_utf8_lossy(&old.stdout).contains(&n));
    // and restores with the recovery key of its time, or a password of its time
    let bare = c.run(&["store", "restore", &before, "--as", "admin", "--password-file", &new_admin]);
    assert_eq!(bare.status.code(), Some(1));
    assert!(stderr(&bare).contains("--recovery-file"), "{}", stderr(&bare));
    let out = c.run(&["--json", "store", "restore", &before, "--as", "admin", "--password-file", &new_admin, "--recovery-file", &old_rk]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let back = c.as_user("zhang", &["--json", "case", "list"]);
    assert_eq!(back.status.code(), Some(0), "the backup's slots came back: {}", stderr(&back));
    let again = c.as_user("admin", &["store", "rekey"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let out = c.run(&["store", "restore", &before, "--as", "admin", "--password-file", &c.pw("admin"), "--backup-password-file", &c.pw("admin")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(c.as_user("zhang", &["case", "list"]).status.code(), Some(0));
}

#[test]
fn five_wrong_passwords_before_the_encrypted_store_is_open_lock_the_account() {
    let (c, _) = encrypted_counter();
    let wrong = c.p("wrong.pw");
    std::fs::write(&wrong, "Zhang-wrong-pass-9\n").unwrap();
    for _ in 0..5 {
        let out = c.run(&["case", "list", "--as", "zhang", "--password-file", &wrong]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("wrong user name or password"), "{}", stderr(&out));
    }
    let attempts = format!("{}.attempts", c.db().display());
    assert!(std::fs::read_to_string(&attempts).unwrap().contains("zhang"), "counted beside the store");
    let right = c.as_user("zhang", &["case", "list"]);
    assert_eq!(right.status.code(), Some(1));
    assert!(stderr(&right).contains("locked"), "said after the right password: {}", stderr(&right));
    let out = c.run(&["user", "unlock", "zhang", "--as", "admin", "--as-password-file", &c.pw("admin")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let again = c.as_user("zhang", &["case", "list"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let (code, v) = c.read_json(&["--json", "audit", "verify"]);
    assert_eq!((code, v["ok"].as_bool()), (0, Some(true)), "{v}");
}
