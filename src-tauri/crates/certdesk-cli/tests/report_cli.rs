//! `certdesk report …` and `certdesk store …` through the binary on a real store file.

use serde_json::Value;

const ORG_NEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json");

fn counter() -> certdesk_testkit::Counter {
    certdesk_testkit::Counter::new(env!("CARGO_BIN_EXE_certdesk"))
}

#[test]
fn the_daily_ledger_counts_the_days_cases_in_every_format() {
    let c = counter();
    c.import(ORG_NEW);
    c.import(ORG_NEW);
    let today = chrono::Local::now().date_naive().format("%Y-%m-%d").to_string();
    let v: Value = serde_json::from_str(&c.read(&["report", "daily", "--date", &today, "--json"])).unwrap();
    assert_eq!(v["cases"], 2);
    assert_eq!(v["total"], "1400.00");
    assert_eq!(v["by_payment"][0]["key"], "bank_transfer");
    let text = c.read(&["report", "daily"]);
    assert!(text.contains("对公转账\t2\t1400.00"), "{text}");
    let d = c.dir.path();
    let csv = d.join("daily.csv");
    c.read(&["report", "daily", "--out", csv.to_str().unwrap(), "--format", "csv"]);
    let body = std::fs::read_to_string(&csv).unwrap();
    assert!(body.starts_with("\u{feff}分类,项目,件数,金额（元）\r\n"), "{body}");
    let xlsx = d.join("daily.xlsx");
    c.read(&["report", "daily", "--out", xlsx.to_str().unwrap(), "--format", "xlsx"]);
    assert_eq!(&std::fs::read(&xlsx).unwrap()[..4], b"PK\x03\x04");
    // an empty day, a bad date, a bad range
    let v: Value = serde_json::from_str(&c.read(&["report", "daily", "--date", "2020-01-01", "--json"])).unwrap();
    assert_eq!(v["cases"], 0);
    let v: Value = serde_json::from_str(&c.read(&["report", "daily", "--date", "2020/01/01", "--json"])).unwrap();
    assert_eq!(v["date"], "2020-01-01", "a day with slashes is read, and shown with dashes");
    assert_eq!(c.read_as("admin", &["report", "daily", "--date", "yesterday"]).status.code(), Some(2));
    assert_eq!(c.read_as("admin", &["report", "expiring", "--days", "0"]).status.code(), Some(2));
    let v: Value = serde_json::from_str(&c.read(&["report", "expiring", "--json"])).unwrap();
    assert_eq!(v, serde_json::json!([]), "no key was issued");
}

#[test]
fn backup_and_restore_through_the_cli() {
    let c = counter();
    let d = c.dir.path();
    let first = c.import(ORG_NEW);
    let b = d.join("b.db");
    let v: Value = serde_json::from_str(&c.ok_as("admin", &["store", "backup", "--out", b.to_str().unwrap(), "--json"])).unwrap();
    assert_eq!(v["cases"], 1);
    assert_eq!(c.as_user("admin", &["store", "backup", "--out", b.to_str().unwrap()]).status.code(), Some(1), "never overwrites");
    let later = c.import(ORG_NEW);
    let v: Value = serde_json::from_str(&c.ok_as("admin", &["store", "restore", b.to_str().unwrap(), "--json"])).unwrap();
    assert_eq!(v["cases"], 1);
    let kept = v["kept"].as_str().unwrap();
    assert!(std::path::Path::new(kept).is_file());
    assert_eq!(c.read(&["case", "list", "--json"]).matches("\"number\"").count(), 1);
    c.read(&["case", "show", &first]);
    // a file that is not a store is refused and the store stays
    let junk = d.join("junk.db");
    std::fs::write(&junk, "not a database").unwrap();
    let out = c.as_user("admin", &["store", "restore", junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("junk.db"));
    c.read(&["case", "show", &first]);
    // the restore is on the restored chain, and the number handed out after the backup is not
    // handed out again
    assert_eq!(c.read_json(&["audit", "verify", "--json"]).1["ok"], true);
    assert_ne!(c.import(ORG_NEW), later);
}
