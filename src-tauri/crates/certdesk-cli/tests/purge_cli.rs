//! `certdesk store purge`, `case hold` and `case release-hold` (#30, CLI contract) through the
//! real binary on a real store file, on a clock faked by `faketime` (Debian's `faketime`, as the
//! external checks run it) five years and a month ahead: the dry run lists the case past its
//! retention and the held one with its reason and writes nothing; only an administrator
//! purges and only a supervisor holds; the purge removes the due case's personal data and
//! keeps the held and the open ones; `audit verify` passes; a released case goes at the next
//! run; fewer than 5 retention years are refused quoting 电子签名法 Art. 24.

use certdesk_testkit::{Counter, fixture, stderr};
use std::process::{Command, Output, Stdio};

/// `args` as `user` with the clock at `when` (faketime's own time format).
fn at(c: &Counter, when: &str, user: &str, args: &[&str]) -> Output {
    Command::new("faketime")
        .arg(when)
        .arg(env!("CARGO_BIN_EXE_certdesk"))
        .args(args)
        .args(["--as", user, "--password-file", &c.pw(user)])
        .env("CERTDESK_DB", c.db())
        .env("TZ", "Asia/Shanghai")
        .env_remove("CERTDESK_FORMS")
        .stdin(Stdio::null())
        .output()
        .expect("faketime runs (Debian package faketime, scripts/deps.sh)")
}

fn json(out: &Output) -> serde_json::Value {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn events(c: &Counter) -> i64 {
    let (code, v) = c.read_json(&["--json", "audit", "verify"]);
    assert_eq!((code, v["ok"].as_bool()), (0, Some(true)), "{v}");
    v["events"].as_i64().unwrap()
}

#[test]
fn a_purge_on_a_faked_clock_removes_what_is_due_and_keeps_the_held_case() {
    let c = Counter::new(env!("CARGO_BIN_EXE_certdesk"));
    let case: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(fixture("case-org-new.json")).unwrap()).unwrap();
    let name = case["handler"]["name"].as_str().unwrap().to_string();
    let (due, held, open) = (c.import(&fixture("case-org-new.json")), c.import(&fixture("case-org-new.json")), c.import(&fixture("case-org-new.json")));
    for n in [&due, &held] {
        c.ok_as("zhang", &["case", "accept", n]);
        c.ok_as("zhang", &["case", "cancel", n, "--reason", "申请人撤回"]);
    }
    // a supervisor holds, with a reason; a clerk may not
    assert_eq!(c.as_user("zhang", &["case", "hold", &held, "--reason", "诉讼保全"]).status.code(), Some(1));
    assert_ne!(c.as_user("li", &["case", "hold", &held]).status.code(), Some(0), "a hold needs a reason");
    c.ok_as("li", &["case", "hold", &held, "--reason", "诉讼保全（2026）粤01民初1号"]);
    // a refusal says what it is (#75): held already, not held, each its own kind
    let kind = |out: std::process::Output| serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["error"]["kind"].as_str().unwrap_or_default().to_string();
    assert_eq!(kind(c.as_user("li", &["--json", "case", "hold", &held, "--reason", "再次冻结"])), "held_already");
    assert_eq!(kind(c.as_user("li", &["--json", "case", "release-hold", &open])), "not_held");
    // 4 years are refused: the law asks for five
    let four = c.run(&["counter", "set", "--retention-years", "4", "--as", "admin", "--as-password-file", &c.pw("admin")]);
    assert_eq!(four.status.code(), Some(1), "{}", stderr(&four));
    assert!(stderr(&four).contains("电子签名法"), "{}", stderr(&four));
    let four = c.run(&["--json", "counter", "set", "--retention-years", "4", "--as", "admin", "--password-file", &c.pw("admin")]);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&four.stdout).unwrap()["error"]["kind"], "out_of_range");

    let later = (chrono::Local::now() + chrono::Months::new(61)).format("%Y-%m-%d 10:00:00").to_string();
    let before = events(&c);
    let dry = json(&at(&c, &later, "admin", &["--json", "store", "purge", "--dry-run"]));
    assert_eq!(dry["years"], 5, "{dry}");
    assert_eq!(dry["today"], later[..10], "{dry}");
    assert_eq!(dry["due"].as_array().unwrap().iter().map(|d| d["number"].as_str().unwrap()).collect::<Vec<_>>(), [due.as_str()], "{dry}");
    assert_eq!(dry["due"][0]["basis"], "cancelled");
    assert!(dry["due"][0]["from"].is_string() && dry["due"][0]["end"].is_string(), "{dry}");
    assert_eq!((dry["held"][0]["number"].as_str(), dry["held"][0]["held_by"].as_str()), (Some(held.as_str()), Some("li")), "{dry}");
    assert_eq!(dry["held"][0]["reason"], "诉讼保全（2026）粤01民初1号");
    assert_eq!((dry["purged"].as_array().map(Vec::len), dry["attachments_emptied"].as_i64(), dry["events_redacted"].as_i64()), (Some(0), Some(0), Some(0)));
    assert_eq!(events(&c), before, "a dry run writes nothing");

    // only an administrator purges
    assert_eq!(at(&c, &later, "li", &["store", "purge"]).status.code(), Some(1));
    let done = json(&at(&c, &later, "admin", &["--json", "store", "purge"]));
    assert_eq!(done["purged"], serde_json::json!([due]), "{done}");
    assert!(done["events_redacted"].as_i64().unwrap() >= 1, "the cancel's reason: {done}");
    let (_, shown) = c.read_json(&["--json", "case", "show", &due]);
    assert_eq!(shown["handler"]["name"], "", "{shown}");
    assert!(!shown.to_string().contains(&name));
    for n in [&held, &open] {
        let (_, shown) = c.read_json(&["--json", "case", "show", n]);
        assert_eq!(shown["handler"]["name"], name.as_str());
    }
    let found = c.read(&["--json", "case", "search", &due]);
    assert!(found.contains(&due), "the number still finds it: {found}");
    events(&c);

    // released, the held case goes at the next run; a second run finds nothing
    assert_eq!(c.as_user("zhang", &["case", "release-hold", &held]).status.code(), Some(1));
    c.ok_as("li", &["case", "release-hold", &held]);
    let next = json(&at(&c, &later, "admin", &["--json", "store", "purge"]));
    assert_eq!(next["purged"], serde_json::json!([held]), "{next}");
    let none = json(&at(&c, &later, "admin", &["--json", "store", "purge"]));
    assert_eq!((none["due"].as_array().map(Vec::len), none["purged"].as_array().map(Vec::len)), (Some(0), Some(0)), "{none}");
    events(&c);
}
