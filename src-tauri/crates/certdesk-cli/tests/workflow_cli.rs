//! Accounts and the second check through the `certdesk` binary: passwords from files or
//! stdin (never argv), refused transitions exit 1 and name the rule.

mod common;

use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const ORG_NEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json");

/// A counter's store with its people (certdesk-testkit).
struct Env {
    c: certdesk_testkit::Counter,
}

impl std::ops::Deref for Env {
    type Target = certdesk_testkit::Counter;
    fn deref(&self) -> &certdesk_testkit::Counter {
        &self.c
    }
}

impl Env {
    fn new() -> Env {
        Env { c: certdesk_testkit::Counter::new(env!("CARGO_BIN_EXE_certdesk")) }
    }
    fn pw(&self, name: &str) -> PathBuf {
        PathBuf::from(self.c.pw(name))
    }
    fn import(&self) -> String {
        self.c.import(ORG_NEW)
    }
    fn add_user(&self, name: &str, roles: &[&str]) {
        let pw = self.c.pw(name);
        let admin = self.c.pw("admin");
        let mut args = vec!["user", "add", name, "--password-file", &pw, "--as", "admin", "--as-password-file", &admin];
        for r in roles {
            args.extend(["--role", r]);
        }
        self.c.ok(&args);
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn the_whole_second_check() {
    let e = Env::new();
    let n = e.import();
    assert_eq!(e.as_user("zhang", &["case", "accept", &n]).status.code(), Some(0));
    assert_eq!(e.as_user("zhang", &["case", "submit", &n]).status.code(), Some(0));
    let refused = e.as_user("li", &["case", "return", &n]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("reason"), "{}", stderr(&refused));
    assert_eq!(e.as_user("li", &["case", "return", &n, "--reason", "经办人身份证复印件未盖章"]).status.code(), Some(0));
    assert_eq!(e.status(&n), "returned");
    assert_eq!(e.as_user("zhang", &["case", "submit", &n]).status.code(), Some(0));
    assert_eq!(e.as_user("li", &["case", "approve", &n]).status.code(), Some(0));
    assert_eq!(e.status(&n), "approved");
    let show = String::from_utf8(e.read_as("admin", &["case", "show", &n]).stdout).unwrap();
    assert!(show.contains("经办人身份证复印件未盖章"), "the clerk sees the reason: {show}");
    let verify = e.read_as("admin", &["audit", "verify"]);
    assert_eq!(verify.status.code(), Some(0), "{}", String::from_utf8_lossy(&verify.stdout));
}

#[test]
fn refusals_exit_1_and_name_the_rule() {
    let e = Env::new();
    let n = e.import();
    let out = e.as_user("li", &["case", "accept", &n]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("clerk"), "{}", stderr(&out));
    e.as_user("zhang", &["case", "accept", &n]);
    e.as_user("zhang", &["case", "submit", &n]);
    // a clerk who is also a supervisor still cannot approve their own case
    e.add_user("both", &["clerk", "supervisor"]);
    let m = e.ok_as("both", &["case", "import", ORG_NEW]).trim().to_string();
    e.ok_as("both", &["case", "materials", &m, "--all-received"]);
    e.as_user("both", &["case", "accept", &m]);
    e.as_user("both", &["case", "submit", &m]);
    let out = e.as_user("both", &["case", "approve", &m]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("four-eyes"), "{}", stderr(&out));
    assert_eq!(e.status(&m), "submitted");
    // wrong password: exit 1, and the same words as for an unknown name
    let bad = e.dir.path().join("bad.pw");
    std::fs::write(&bad, "nope-nope-nope\n").unwrap();
    let out = e.run(&["case", "approve", &n, "--as", "li", "--password-file", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let unknown = e.run(&["case", "approve", &n, "--as", "nobody", "--password-file", bad.to_str().unwrap()]);
    assert_eq!(unknown.status.code(), Some(1));
    assert_eq!(stderr(&out), stderr(&unknown), "no difference between a wrong password and no such account");
    // no account at all: exit 1, saying which is missing
    let out = e.cmd_without_account(&["case", "approve", &n, "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap()["error"]["kind"], "no_account");
}

#[test]
fn password_from_stdin() {
    let e = Env::new();
    let n = e.import();
    let mut child = e.cmd(&["case", "accept", &n, "--as", "zhang"]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"zhang-secret-pass-1\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(e.status(&n), "accepted");
}

#[test]
fn locked_account_cannot_act_until_unlocked() {
    let e = Env::new();
    let n = e.import();
    let bad = e.dir.path().join("bad.pw");
    std::fs::write(&bad, "wrong-password\n").unwrap();
    for _ in 0..5 {
        e.run(&["case", "accept", &n, "--as", "zhang", "--password-file", bad.to_str().unwrap()]);
    }
    let out = e.as_user("zhang", &["case", "accept", &n]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("locked"), "{}", stderr(&out));
    let list: Value = serde_json::from_slice(&e.read_as("admin", &["user", "list", "--json"]).stdout).unwrap();
    assert!(list.as_array().unwrap().iter().any(|a| a["name"] == "zhang" && a["locked"] == true));
    let admin_pw = e.pw("admin");
    let out = e.run(&["user", "unlock", "zhang", "--as", "admin", "--as-password-file", admin_pw.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // a clerk cannot unlock anybody
    let zhang_pw = e.pw("zhang");
    assert_eq!(e.run(&["user", "unlock", "li", "--as", "zhang", "--as-password-file", zhang_pw.to_str().unwrap()]).status.code(), Some(1));
    assert_eq!(e.as_user("zhang", &["case", "accept", &n]).status.code(), Some(0));
}

#[test]
fn first_user_must_be_admin_and_counter_code_numbers_cases() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_certdesk")).args(args).env("CERTDESK_DB", dir.path().join("x.db")).stdin(Stdio::null()).output().unwrap();
    let pw = dir.path().join("pw");
    std::fs::write(&pw, "a-long-password-1\n").unwrap();
    assert_eq!(run(&["user", "add", "zhang", "--role", "clerk", "--password-file", pw.to_str().unwrap()]).status.code(), Some(1));
    assert_eq!(run(&["user", "add", "boss", "--role", "admin", "--password-file", pw.to_str().unwrap()]).status.code(), Some(0));
    assert_eq!(run(&["counter", "set", "--code", "gz01", "--name", "广州受理点", "--as", "boss", "--as-password-file", pw.to_str().unwrap()]).status.code(), Some(0));
    let p = pw.to_str().unwrap();
    assert_eq!(run(&["user", "add", "zhang", "--role", "clerk", "--password-file", p, "--as", "boss", "--as-password-file", p]).status.code(), Some(0));
    let out = run(&["case", "import", ORG_NEW, "--as", "zhang", "--password-file", p]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("GZ01-"), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(run(&["counter", "set", "--code", "gz 01", "--as", "boss", "--as-password-file", p]).status.code(), Some(1));
    // no administration without an administrator's password: which account is missing is said
    for args in [vec!["counter", "set", "--code", "SZ01", "--json"], vec!["user", "add", "eve", "--role", "admin", "--password-file", p, "--json"]] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap()["error"]["kind"], "no_account", "{args:?}");
    }
}

#[test]
fn edit_after_approval_goes_back_to_review() {
    let e = Env::new();
    let n = e.import();
    e.as_user("zhang", &["case", "accept", &n]);
    e.as_user("zhang", &["case", "submit", &n]);
    e.as_user("li", &["case", "approve", &n]);
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(ORG_NEW).unwrap()).unwrap();
    v["notes"] = "补充：法人章另行加盖".into();
    let f = e.dir.path().join("edited.json");
    std::fs::write(&f, v.to_string()).unwrap();
    let out = e.as_user("zhang", &["case", "edit", &n, f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(e.status(&n), "submitted");
}

#[test]
fn a_case_number_spelled_otherwise_is_the_same_case_for_four_eyes() {
    let e = Env::new();
    e.add_user("both", &["clerk", "supervisor"]);
    let n = e.ok_as("both", &["case", "import", ORG_NEW]).trim().to_string();
    e.ok_as("both", &["case", "materials", &n, "--all-received"]);
    e.ok_as("both", &["case", "accept", &n]);
    e.ok_as("both", &["case", "submit", &n]);
    for spelled in [n.to_lowercase(), format!(" {n} "), format!("{}\t", n.to_lowercase())] {
        let out = e.as_user("both", &["case", "approve", &spelled]);
        assert_eq!(out.status.code(), Some(1), "{spelled:?} approved by its own clerk");
        assert!(stderr(&out).contains("four-eyes"), "{}", stderr(&out));
    }
    assert_eq!(e.status(&n), "submitted");
    // every event of the case is filed under its one number
    let (_, shown) = e.read_json(&["case", "show", &n.to_lowercase(), "--json"]);
    assert_eq!(shown["number"], n.as_str());
}

#[test]
fn everyone_who_edited_is_refused_not_only_the_last() {
    let e = Env::new();
    e.add_user("a", &["clerk", "supervisor"]);
    e.add_user("b", &["clerk"]);
    let n = e.import();
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(ORG_NEW).unwrap()).unwrap();
    let f = e.dir.path().join("edited.json");
    for (who, note) in [("a", "A 补充"), ("b", "B 补充")] {
        v["notes"] = note.into();
        std::fs::write(&f, v.to_string()).unwrap();
        e.ok_as(who, &["case", "edit", &n, f.to_str().unwrap()]);
    }
    // the edits' file carries no checklist: the clerk records it again
    e.ok_as("zhang", &["case", "materials", &n, "--all-received"]);
    e.ok_as("zhang", &["case", "accept", &n]);
    e.ok_as("zhang", &["case", "submit", &n]);
    let out = e.as_user("a", &["case", "approve", &n]);
    assert_eq!(out.status.code(), Some(1), "A edited, B edited, A approved");
    assert!(stderr(&out).contains("four-eyes"), "{}", stderr(&out));
    e.ok_as("li", &["case", "approve", &n]);
}

#[test]
fn every_change_needs_a_signed_in_account_with_the_role() {
    let e = Env::new();
    let n = e.import();
    let out = e.cmd_without_account(&["case", "import", ORG_NEW]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "no account: refused, naming it");
    assert!(stderr(&out).contains("--as") && stderr(&out).contains("CERTDESK_USER"), "{}", stderr(&out));
    // account commands need an administrator's password; no pseudo-account from $USER
    let p = e.c.pw("zhang");
    for args in [
        vec!["user", "add", "eve", "--role", "admin", "--password-file", &p],
        vec!["user", "disable", "li"],
        vec!["user", "unlock", "li"],
        vec!["user", "passwd", "li", "--password-file", &p],
    ] {
        let out = e.cmd_without_account(&args).env("USER", "root").output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("needs an account"), "{args:?}: {}", stderr(&out));
    }
    let out = e.run(&["user", "passwd", "li", "--password-file", &p, "--as", "zhang", "--as-password-file", &p]);
    assert_eq!(out.status.code(), Some(1), "a clerk resets nobody's password");
    // backup and restore: an administrator
    let b = e.c.p("b.db");
    assert_eq!(e.cmd_without_account(&["store", "backup", "--out", &b]).output().unwrap().status.code(), Some(1));
    assert_eq!(e.as_user("zhang", &["store", "backup", "--out", &b]).status.code(), Some(1));
    e.ok_as("admin", &["store", "backup", "--out", &b]);
    assert_eq!(e.as_user("zhang", &["store", "restore", &b]).status.code(), Some(1));
    // one's own password changes with the current one
    let new = e.dir.path().join("new.pw");
    std::fs::write(&new, "zhang-new-pass-1\n").unwrap();
    let wrong = e.dir.path().join("wrong.pw");
    std::fs::write(&wrong, "not-my-password\n").unwrap();
    let out = e.run(&["user", "passwd", "zhang", "--password-file", new.to_str().unwrap(), "--as", "zhang", "--as-password-file", wrong.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    e.ok(&["user", "passwd", "zhang", "--password-file", new.to_str().unwrap(), "--as", "zhang", "--as-password-file", &p]);
    let out = e.run(&["case", "accept", &n, "--as", "zhang", "--password-file", new.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // a disabled account acts no more, whatever it did before
    e.ok(&["user", "disable", "li", "--as", "admin", "--as-password-file", &e.c.pw("admin")]);
    e.ok(&["case", "submit", &n, "--as", "zhang", "--password-file", new.to_str().unwrap()]);
    let out = e.as_user("li", &["case", "approve", &n]);
    assert_eq!(out.status.code(), Some(1));
    let (_, verify) = e.read_json(&["audit", "verify", "--json"]);
    assert_eq!(verify["ok"], true, "{verify}");
}

#[test]
fn the_seal_sheet_goes_onto_a_case_while_it_is_editable_and_voids_an_approval() {
    let e = Env::new();
    let sheet = certdesk_testkit::fixture("seal/collection-150dpi.jpg");
    let n = e.import();
    let (code, v) = {
        let out = e.as_user("zhang", &["case", "seal", &n, &sheet, "--json"]);
        (out.status.code(), serde_json::from_slice::<Value>(&out.stdout).unwrap_or(Value::Null))
    };
    assert_eq!(code, Some(0));
    assert!(v["stored"].as_array().unwrap().iter().any(|s| s == "seal:official_seal"), "{v}");
    assert!(v["rows"].as_array().unwrap().len() >= 3, "{v}");
    // a supervisor does not import the sheet
    let out = e.as_user("li", &["case", "seal", &n, &sheet]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("clerk"), "{}", stderr(&out));
    e.ok_as("zhang", &["case", "accept", &n]);
    e.ok_as("zhang", &["case", "submit", &n]);
    e.ok_as("li", &["case", "approve", &n]);
    // a new sheet after approval: the approval covered the old images, back to review
    e.ok_as("zhang", &["case", "seal", &n, &sheet]);
    assert_eq!(e.status(&n), "submitted");
    let out = e.as_user("li", &["case", "approve", &n]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // an unreadable file changes nothing
    let junk = e.dir.path().join("junk.png");
    std::fs::write(&junk, b"\x89PNG\r\n\x1a\nnot an image").unwrap();
    let before = e.read(&["case", "show", &n, "--json"]);
    assert_eq!(e.as_user("zhang", &["case", "seal", &n, junk.to_str().unwrap()]).status.code(), Some(1));
    assert_eq!(e.read(&["case", "show", &n, "--json"]), before);
    let (_, verify) = e.read_json(&["audit", "verify", "--json"]);
    assert_eq!(verify["ok"], true, "{verify}");
}

#[test]
fn audit_verify_sees_a_status_or_a_file_changed_behind_the_application() {
    let e = Env::new();
    let n = e.import();
    e.ok_as("zhang", &["case", "seal", &n, &certdesk_testkit::fixture("seal/collection-150dpi.jpg")]);
    let sql = |q: &str| common::raw_sql(&e.c, q);
    sql(&format!("UPDATE cases SET status = 'approved' WHERE number = '{n}'"));
    let (code, v) = e.read_json(&["audit", "verify", "--json"]);
    assert_eq!(code, 1);
    assert_eq!(v["first_break"]["kind"], "case_status_changed");
    assert_eq!(v["first_break"]["case_number"], n.as_str());
    sql(&format!("UPDATE cases SET status = 'draft' WHERE number = '{n}'"));
    assert_eq!(e.read_json(&["audit", "verify", "--json"]).0, 0);
    sql("DROP TRIGGER attachments_no_update; UPDATE attachments SET bytes = x'00' WHERE name = 'seal:official_seal';");
    let (code, v) = e.read_json(&["audit", "verify", "--json"]);
    assert_eq!(code, 1);
    assert_eq!(v["first_break"]["kind"], "attachment_changed");
    assert!(v["first_break"]["message"].as_str().unwrap().contains("seal:official_seal"), "{v}");
}

#[test]
fn many_writers_at_once_keep_one_chain_in_order() {
    let e = Env::new();
    // four clerk processes, a supervisor process and an app-like writer at the same time
    let mut children = Vec::new();
    for _ in 0..4 {
        let pw = e.c.pw("zhang");
        let script = format!(
            "for i in 1 2 3 4 5; do n=$(\"$0\" case import '{ORG_NEW}' --as zhang --password-file '{pw}') && \"$0\" case materials $n --all-received --as zhang --password-file '{pw}' >/dev/null && \"$0\" case accept $n --as zhang --password-file '{pw}' >/dev/null && \"$0\" case submit $n --as zhang --password-file '{pw}' >/dev/null; done"
        );
        let mut sh = Command::new("sh");
        sh.args(["-c", &script, env!("CARGO_BIN_EXE_certdesk")]).env("CERTDESK_DB", e.db()).stdin(Stdio::null());
        children.push(sh.spawn().unwrap());
    }
    // and a long-lived writer like the app: one store handle, a signed-in clerk, many changes
    let db = e.db();
    let catalog = certdesk_desk::catalog::Catalog::embedded().unwrap();
    let app = std::thread::spawn(move || {
        let password = certdesk_desk::store::Password::new("zhang-secret-pass-1".into());
        let mut store = certdesk_desk::place::open_encrypted_file(&db, "zhang", &password).unwrap();
        let mut session = certdesk_desk::api::Session::sign_in(&mut store, "zhang", &password).unwrap();
        let json = std::fs::read_to_string(ORG_NEW).unwrap();
        for _ in 0..10 {
            let n = session.desk(&mut store).unwrap().import_case(&catalog, &json).unwrap().number;
            session.desk(&mut store).unwrap().act(&certdesk_desk::catalog::Catalog::embedded().unwrap(), &n, certdesk_desk::domain::Action::Accept, None).unwrap();
        }
    });
    let li = e.c.pw("li");
    let script = format!(
        "for r in 1 2 3 4 5 6 7 8; do for n in $(\"$0\" case list --status submitted --json | python3 -c 'import json,sys; print(\" \".join(c[\"number\"] for c in json.load(sys.stdin)))'); do \"$0\" case approve $n --as li --password-file '{li}' >/dev/null 2>&1; done; done"
    );
    let mut sup = Command::new("sh");
    // the list is read as li through the environment's account
    sup.args(["-c", &script, env!("CARGO_BIN_EXE_certdesk")]).env("CERTDESK_DB", e.db()).env("CERTDESK_USER", "li").env("CERTDESK_PASSWORD_FILE", &li).stdin(Stdio::null());
    children.push(sup.spawn().unwrap());
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    app.join().unwrap();
    let (_, list) = e.read_json(&["case", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 30, "every import stored once");
    let (code, v) = e.read_json(&["audit", "verify", "--json"]);
    assert_eq!(code, 0, "a healthy chain written by many processes must verify: {v}");
}

#[test]
fn passwords_follow_the_rule_of_dengbao_level_3_and_a_due_one_is_said_on_stderr() {
    let e = Env::new();
    let admin = e.c.pw("admin");
    let file = |name: &str, text: &str| {
        let p = e.dir.path().join(name);
        std::fs::write(&p, format!("{text}\n")).unwrap();
        p.display().to_string()
    };
    // two classes only: refused with the rule's words, nothing added
    let weak = file("weak.pw", "zhao-password");
    let out = e.run(&["user", "add", "zhao", "--role", "clerk", "--password-file", &weak, "--as", "admin", "--as-password-file", &admin, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let said: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| serde_json::from_str(&stderr(&out)).unwrap_or_default());
    assert_eq!(said["error"]["kind"], "password_policy", "{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    // an account an administrator added must change the password it was given, as after a
    // reset: each command says so on stderr and goes on
    let out = e.run(&["case", "list", "--as", "zhang", "--password-file", &e.c.pw("zhang")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("must be changed"), "added by the administrator: {}", stderr(&out));
    let temp = file("temp.pw", "Zhang-temp-1");
    e.ok(&["user", "passwd", "zhang", "--password-file", &temp, "--as", "admin", "--as-password-file", &admin]);
    let out = e.run(&["case", "list", "--as", "zhang", "--password-file", &temp]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("must be changed") && stderr(&out).contains("user passwd zhang"), "{}", stderr(&out));
    // one of the last five is refused; a new one clears the warning
    let out = e.run(&["user", "passwd", "zhang", "--password-file", &e.c.pw("zhang"), "--as", "zhang", "--as-password-file", &temp, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("password_reused") || stderr(&out).contains("password_reused"), "{}", stderr(&out));
    let own = file("own.pw", "zhang-own-pass-2");
    e.ok(&["user", "passwd", "zhang", "--password-file", &own, "--as", "zhang", "--as-password-file", &temp]);
    let out = e.run(&["case", "list", "--as", "zhang", "--password-file", &own]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!stderr(&out).contains("must be changed"), "{}", stderr(&out));
    // the counter's settings: the password's days and the window's idle minutes, checked
    e.ok(&["counter", "set", "--password-max-age-days", "30", "--idle-minutes", "5", "--as", "admin", "--as-password-file", &admin]);
    for bad in [["--password-max-age-days", "366"], ["--idle-minutes", "0"]] {
        let out = e.run(&[&["counter", "set"][..], &bad[..], &["--as", "admin", "--as-password-file", &admin]].concat());
        assert_eq!(out.status.code(), Some(1), "{bad:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("give 1 to"), "{bad:?}: {}", stderr(&out));
    }
    // the intake's default project is one of the catalog's (#79): a name typed for it is
    // refused, naming the projects there are; empty clears it
    e.ok(&["counter", "set", "--default-project", "nmgca-procurement", "--as", "admin", "--as-password-file", &admin]);
    let out = e.run(&["counter", "set", "--default-project", "广东社保", "--as", "admin", "--as-password-file", &admin, "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| serde_json::from_str(&stderr(&out)).unwrap_or_default());
    assert_eq!(said["error"]["kind"], "unknown_project", "{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(said.to_string().contains("netca-gd-pension"), "the known projects are named: {said}");
    e.ok(&["counter", "set", "--default-project", "", "--as", "admin", "--as-password-file", &admin]);
    let (_, verify) = e.read_json(&["audit", "verify", "--json"]);
    assert_eq!(verify["ok"], true, "{verify}");
}

/// #79: a case whose forms collect the applicant's seal samples (内蒙古CA's 电子签章单位申请表)
/// is neither submitted nor approved before its seal sheet is imported, the refusal naming the
/// form; a case whose forms have no seal box (广东养老) goes on without one.
#[test]
fn a_case_whose_forms_collect_seal_samples_waits_for_its_seal_sheet() {
    let c = certdesk_testkit::Counter::new(env!("CARGO_BIN_EXE_certdesk"));
    let n = c.import(&certdesk_testkit::fixture("cases/nmgca-procurement-organization-new-long-name.json"));
    c.ok_as("zhang", &["case", "accept", &n]);
    let refused = c.as_user("zhang", &["case", "submit", &n]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("seal") && stderr.contains("“政府采购电子签章”单位申请表"), "{stderr}");
    assert_eq!(c.read_json(&["case", "show", &n, "--json"]).1["status"], "accepted", "not submitted");
    c.ok_as("zhang", &["case", "seal", &n, &certdesk_testkit::fixture("seal/collection-150dpi.jpg")]);
    c.ok_as("zhang", &["case", "submit", &n]);
    c.ok_as("li", &["case", "approve", &n]);
    assert_eq!(c.read_json(&["case", "show", &n, "--json"]).1["status"], "approved");
    // no seal box on 广东养老's forms: approved without a sheet
    c.approved_case(&certdesk_testkit::fixture("case-org-new.json"));
}
