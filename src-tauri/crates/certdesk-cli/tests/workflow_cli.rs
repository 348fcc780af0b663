//! Accounts and the second check through the `certdesk` binary: passwords from files or
//! stdin (never argv), refused transitions exit 1 and name the rule.

use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const ORG_NEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json");

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let e = Env { dir: tempfile::tempdir().unwrap() };
        for (name, role) in [("admin", "admin"), ("zhang", "clerk"), ("li", "supervisor"), ("wang", "key_clerk")] {
            let out = e.run(&["user", "add", name, "--role", role, "--password-file", e.pw(name).to_str().unwrap()]);
            assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        }
        e
    }
    fn pw(&self, name: &str) -> PathBuf {
        let p = self.dir.path().join(format!("{name}.pw"));
        std::fs::write(&p, format!("{name}-secret-pass\n")).unwrap();
        p
    }
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_certdesk"));
        c.args(args).env("CERTDESK_DB", self.dir.path().join("c.db"));
        c
    }
    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).stdin(Stdio::null()).output().unwrap()
    }
    fn as_user(&self, user: &str, args: &[&str]) -> Output {
        let pw = self.pw(user);
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--as", user, "--password-file", pw.to_str().unwrap()]);
        self.run(&all)
    }
    fn import(&self) -> String {
        let out = self.run(&["case", "import", ORG_NEW]);
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }
    fn status(&self, number: &str) -> String {
        let out = self.run(&["case", "show", number, "--json"]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["status"].as_str().unwrap().to_string()
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
    let show = String::from_utf8(e.run(&["case", "show", &n]).stdout).unwrap();
    assert!(show.contains("经办人身份证复印件未盖章"), "the clerk sees the reason: {show}");
    let verify = e.run(&["audit", "verify"]);
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
    e.run(&["user", "add", "both", "--role", "clerk", "--role", "supervisor", "--password-file", e.pw("both").to_str().unwrap()]);
    let m = e.import();
    e.as_user("both", &["case", "accept", &m]);
    e.as_user("both", &["case", "submit", &m]);
    let out = e.as_user("both", &["case", "approve", &m]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("four-eyes"), "{}", stderr(&out));
    assert_eq!(e.status(&m), "submitted");
    // wrong password: exit 1, tries left
    let bad = e.dir.path().join("bad.pw");
    std::fs::write(&bad, "nope-nope-nope\n").unwrap();
    let out = e.run(&["case", "approve", &n, "--as", "li", "--password-file", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("4 attempt"), "{}", stderr(&out));
    // no --as: usage
    assert_eq!(e.run(&["case", "approve", &n]).status.code(), Some(2));
}

#[test]
fn password_from_stdin() {
    let e = Env::new();
    let n = e.import();
    let mut child = e.cmd(&["case", "accept", &n, "--as", "zhang"]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"zhang-secret-pass\n").unwrap();
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
    let list: Value = serde_json::from_slice(&e.run(&["user", "list", "--json"]).stdout).unwrap();
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
    std::fs::write(&pw, "a-long-password\n").unwrap();
    assert_eq!(run(&["user", "add", "zhang", "--role", "clerk", "--password-file", pw.to_str().unwrap()]).status.code(), Some(1));
    assert_eq!(run(&["user", "add", "boss", "--role", "admin", "--password-file", pw.to_str().unwrap()]).status.code(), Some(0));
    assert_eq!(run(&["counter", "set", "--code", "gz01", "--name", "广州受理点", "--as", "boss", "--as-password-file", pw.to_str().unwrap()]).status.code(), Some(0));
    let out = run(&["case", "import", ORG_NEW]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("GZ01-"), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(run(&["counter", "set", "--code", "gz 01"]).status.code(), Some(1));
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
