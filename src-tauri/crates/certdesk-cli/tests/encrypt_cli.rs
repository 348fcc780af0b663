//! `certdesk store encrypt` and `store open-with-recovery` (#30) through the real binary on a
//! real store file: the plain store of a counter encrypted as its administrator (the recovery
//! key printed once), the file and its WAL then holding none of a case's name, ID number or
//! mobile; every command taking an account (`--as`, or the environment's) and refusing
//! without one, saying the store is encrypted; the other accounts signing in only once an
//! administrator has given them a new password; the recovery key opening the store with the
//! key file gone and setting the administrator's password.

mod common;

use certdesk_testkit::{Counter, fixture, stderr};

fn holds(path: &std::path::Path, marker: &str) -> bool {
    std::fs::read(path).unwrap_or_default().windows(marker.len()).any(|w| w == marker.as_bytes())
}

#[test]
fn a_counters_store_is_encrypted_opened_by_accounts_and_recovered_with_the_paper() {
    let c = common::plain_counter(env!("CARGO_BIN_EXE_certdesk"));
    let n = c.import(&fixture("case-org-new.json"));
    let case: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(fixture("case-org-new.json")).unwrap()).unwrap();
    let markers: Vec<String> = ["name", "id_number", "mobile"].iter().map(|k| case["handler"][k].as_str().unwrap().to_string()).collect();
    let wal = std::path::PathBuf::from(format!("{}-wal", c.db().display()));
    assert!(markers.iter().all(|m| holds(&c.db(), m) || holds(&wal, m)), "the plain store holds them (the test can fail)");

    // only an administrator encrypts it
    let refused = c.as_user("zhang", &["store", "encrypt"]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let out = c.as_user("admin", &["--json", "store", "encrypt"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let done: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let recovery = done["recovery_key"].as_str().unwrap().to_string();
    assert!(recovery.starts_with("RK1-"), "{done}");
    let mut without: Vec<&str> = done["without_slot"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    without.sort();
    assert_eq!(without, ["li", "wang", "zhang"]);
    for m in &markers {
        assert!(!holds(&c.db(), m) && !holds(&wal, m), "{m} readable after store encrypt");
    }
    assert!(!std::path::Path::new(&format!("{}.plain-old", c.db().display())).exists(), "no plain copy left");

    // the administrator reads it as before; without an account: refused, saying why
    let list = c.as_user("admin", &["--json", "case", "list"]);
    assert_eq!(list.status.code(), Some(0), "{}", stderr(&list));
    assert!(String::from_utf8_lossy(&list.stdout).contains(&n));
    let bare = c.cmd(&["case", "list"]).env_remove("CERTDESK_USER").env_remove("CERTDESK_PASSWORD_FILE").output().unwrap();
    assert_eq!(bare.status.code(), Some(1));
    assert!(stderr(&bare).contains("encrypted") && stderr(&bare).contains("--as"), "{}", stderr(&bare));
    let first_admin_again = c.cmd_without_account(&["user", "add", "eve", "--role", "admin", "--password-file", &c.pw("admin")]).output().unwrap();
    assert_eq!(first_admin_again.status.code(), Some(1), "an encrypted store is never an empty one: {}", stderr(&first_admin_again));
    assert!(stderr(&first_admin_again).contains("encrypted"), "{}", stderr(&first_admin_again));
    // the environment's account opens it too
    let (code, v) = c.read_json(&["--json", "audit", "verify"]);
    assert_eq!((code, v["ok"].as_bool()), (0, Some(true)), "{v}");

    // zhang has no slot yet: the same answer as a wrong password, until the admin sets one
    let no_slot = c.as_user("zhang", &["case", "list"]);
    assert_eq!(no_slot.status.code(), Some(1));
    assert!(stderr(&no_slot).contains("wrong user name or password"), "{}", stderr(&no_slot));
    let new_zhang = c.p("zhang-new.pw");
    std::fs::write(&new_zhang, "Zhang-new-pass-2\n").unwrap();
    let set = c.run(&["user", "passwd", "zhang", "--password-file", &new_zhang, "--as", "admin", "--as-password-file", &c.pw("admin")]);
    assert_eq!(set.status.code(), Some(0), "{}", stderr(&set));
    let zhang = c.run(&["case", "show", &n, "--as", "zhang", "--password-file", &new_zhang]);
    assert_eq!(zhang.status.code(), Some(0), "{}", stderr(&zhang));

    // every password lost and the key file with them: the paper opens the store
    std::fs::remove_file(format!("{}.keys", c.db().display())).unwrap();
    assert_eq!(c.as_user("admin", &["case", "list"]).status.code(), Some(1), "no key file, no slot");
    let rk = c.p("recovery.txt");
    std::fs::write(&rk, format!("{}\n", recovery.to_lowercase())).unwrap();
    let new_admin = c.p("admin-new.pw");
    std::fs::write(&new_admin, "Admin-new-pass-3\n").unwrap();
    let wrong = c.p("wrong.txt");
    std::fs::write(&wrong, "RK1-00000-00000\n").unwrap();
    let bad = c.run(&["store", "open-with-recovery", "--recovery-file", &wrong, "--new-password-file", &new_admin, "--as", "admin"]);
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    let not_admin = c.run(&["store", "open-with-recovery", "--recovery-file", &rk, "--new-password-file", &new_admin, "--as", "zhang"]);
    assert_eq!(not_admin.status.code(), Some(1), "the paper resets an administrator only: {}", stderr(&not_admin));
    let ok = c.run(&["store", "open-with-recovery", "--recovery-file", &rk, "--new-password-file", &new_admin, "--as", "admin"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let after = c.run(&["--json", "case", "list", "--as", "admin", "--password-file", &new_admin]);
    assert_eq!(after.status.code(), Some(0), "{}", stderr(&after));
    assert!(String::from_utf8_lossy(&after.stdout).contains(&n));
    assert_eq!(c.run(&["case", "list", "--as", "zhang", "--password-file", &new_zhang]).status.code(), Some(1), "the key file was made anew with the administrator's slot only");
    let verify = c.run(&["--json", "audit", "verify", "--as", "admin", "--password-file", &new_admin]);
    let v: serde_json::Value = serde_json::from_slice(&verify.stdout).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    // no recovery key or password in the store's files
    for secret in [recovery.as_str(), "Admin-new-pass-3", "Zhang-new-pass-2"] {
        for file in [c.db(), wal.clone(), std::path::PathBuf::from(format!("{}.keys", c.db().display()))] {
            assert!(!holds(&file, secret), "{secret} in {}", file.display());
        }
    }
}

/// The CLI contract of #30: the first `user add … --role admin` on an empty store creates it
/// encrypted and prints the recovery key once (text and `--json`); a refused first account
/// leaves nothing behind; a blank plain file (a command ran before the first account) is
/// replaced; the recovery key printed opens the store.
#[test]
fn the_first_administrator_makes_the_store_encrypted_and_is_shown_the_recovery_key_once() {
    let c = Counter::empty(env!("CARGO_BIN_EXE_certdesk"));
    // a password against the rule: nothing made, the same set-up can be done again
    let weak = c.p("weak.pw");
    std::fs::write(&weak, "short\n").unwrap();
    let refused = c.cmd_without_account(&["user", "add", "admin", "--role", "admin", "--password-file", &weak]).output().unwrap();
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(!c.db().exists() && !std::path::Path::new(&format!("{}.keys", c.db().display())).exists(), "a refused set-up leaves no store and no key file");
    // a command before the first account made a blank plain store: it is replaced
    let early = c.cmd_without_account(&["store", "status", "--json"]).output().unwrap();
    assert_eq!(early.status.code(), Some(0), "{}", stderr(&early));
    let out = c.cmd_without_account(&["--json", "user", "add", "admin", "--role", "admin", "--password-file", &c.pw("admin")]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["name"].as_str(), v["encrypted"].as_bool()), (Some("admin"), Some(true)), "{v}");
    let recovery = v["recovery_key"].as_str().expect("the recovery key in the JSON").to_string();
    assert!(recovery.starts_with("RK1-"), "{recovery}");
    assert!(!std::fs::read(c.db()).unwrap().starts_with(b"SQLite format 3"), "the store file is encrypted");
    // the next account is an administrator's to add, and no key is shown again
    let next = c.run(&["user", "add", "zhang", "--role", "clerk", "--password-file", &c.pw("zhang"), "--as", "admin", "--as-password-file", &c.pw("admin")]);
    assert_eq!(next.status.code(), Some(0), "{}", stderr(&next));
    assert!(!String::from_utf8_lossy(&next.stdout).contains("RK1-"), "shown once");
    let again = c.cmd_without_account(&["user", "add", "eve", "--role", "admin", "--password-file", &c.pw("eve")]).output().unwrap();
    assert_eq!(again.status.code(), Some(1), "the store has its administrator: {}", stderr(&again));
    // a case imported is in no byte of the file; the recovery key opens the store
    let n = c.import(&fixture("case-org-new.json"));
    let case: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(fixture("case-org-new.json")).unwrap()).unwrap();
    let wal = std::path::PathBuf::from(format!("{}-wal", c.db().display()));
    for marker in ["name", "id_number", "mobile"].map(|k| case["handler"][k].as_str().unwrap().to_string()) {
        assert!(!holds(&c.db(), &marker) && !holds(&wal, &marker), "{marker} readable in the store file");
    }
    let store = common::store_at(&c.db(), &recovery);
    assert_eq!(store.count_cases().unwrap(), 1, "{n}");

    // the text form: the key on a line of its own, said to be shown once
    let other = Counter::empty(env!("CARGO_BIN_EXE_certdesk"));
    let out = other.cmd_without_account(&["user", "add", "admin", "--role", "admin", "--password-file", &other.pw("admin")]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(text.contains("not shown again") && text.lines().any(|l| l.starts_with("recovery key: RK1-")), "{text}");
}
