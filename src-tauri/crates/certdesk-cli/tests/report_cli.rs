//! `certdesk report …` and `certdesk store …` through the binary on a real store file.

use serde_json::Value;
use std::process::{Command, Output, Stdio};

const ORG_NEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json");

fn run(dir: &std::path::Path, db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_certdesk")).args(args).env("CERTDESK_DB", dir.join(db)).stdin(Stdio::null()).output().unwrap()
}

fn ok(dir: &std::path::Path, args: &[&str]) -> String {
    let out = run(dir, "c.db", args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_daily_ledger_counts_the_days_cases_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["case", "import", ORG_NEW]);
    ok(d, &["case", "import", ORG_NEW]);
    let today = chrono::Local::now().date_naive().format("%Y-%m-%d").to_string();
    let v: Value = serde_json::from_str(&ok(d, &["report", "daily", "--date", &today, "--json"])).unwrap();
    assert_eq!(v["cases"], 2);
    assert_eq!(v["total"], "1400.00");
    assert_eq!(v["by_payment"][0]["key"], "bank_transfer");
    let text = ok(d, &["report", "daily"]);
    assert!(text.contains("对公转账\t2\t1400.00"), "{text}");
    let csv = d.join("daily.csv");
    ok(d, &["report", "daily", "--out", csv.to_str().unwrap(), "--format", "csv"]);
    let body = std::fs::read_to_string(&csv).unwrap();
    assert!(body.starts_with("\u{feff}分类,项目,件数,金额（元）\r\n"), "{body}");
    let xlsx = d.join("daily.xlsx");
    ok(d, &["report", "daily", "--out", xlsx.to_str().unwrap(), "--format", "xlsx"]);
    assert_eq!(&std::fs::read(&xlsx).unwrap()[..4], b"PK\x03\x04");
    // an empty day, a bad date, a bad range
    let v: Value = serde_json::from_str(&ok(d, &["report", "daily", "--date", "2020-01-01", "--json"])).unwrap();
    assert_eq!(v["cases"], 0);
    assert_eq!(run(d, "c.db", &["report", "daily", "--date", "yesterday"]).status.code(), Some(2));
    assert_eq!(run(d, "c.db", &["report", "expiring", "--days", "0"]).status.code(), Some(2));
    let v: Value = serde_json::from_str(&ok(d, &["report", "expiring", "--json"])).unwrap();
    assert_eq!(v, serde_json::json!([]), "no key was issued");
}

#[test]
fn backup_and_restore_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let first = ok(d, &["case", "import", ORG_NEW]).trim().to_string();
    let b = d.join("b.db");
    let v: Value = serde_json::from_str(&ok(d, &["store", "backup", "--out", b.to_str().unwrap(), "--json"])).unwrap();
    assert_eq!(v["cases"], 1);
    assert_eq!(run(d, "c.db", &["store", "backup", "--out", b.to_str().unwrap()]).status.code(), Some(1), "never overwrites");
    ok(d, &["case", "import", ORG_NEW]);
    let v: Value = serde_json::from_str(&ok(d, &["store", "restore", b.to_str().unwrap(), "--json"])).unwrap();
    assert_eq!(v["cases"], 1);
    let kept = v["kept"].as_str().unwrap();
    assert!(std::path::Path::new(kept).is_file());
    assert_eq!(ok(d, &["case", "list", "--json"]).matches("\"number\"").count(), 1);
    ok(d, &["case", "show", &first]);
    // a file that is not a store is refused and the store stays
    let junk = d.join("junk.db");
    std::fs::write(&junk, "not a database").unwrap();
    let out = run(d, "c.db", &["store", "restore", junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("junk.db"));
    ok(d, &["case", "show", &first]);
}
