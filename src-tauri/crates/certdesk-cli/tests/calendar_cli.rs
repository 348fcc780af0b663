//! `certdesk calendar …` (#73): working days by the built-in notices (a holiday week with its
//! 调休 days), a year without a notice said, and a notice the administrator adds in a forms
//! folder of the counter's own (a wrong one refused naming the date).

use serde_json::Value;
use std::process::Command;

fn certdesk(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_certdesk")).args(args).env_remove("CERTDESK_FORMS").output().unwrap()
}

fn json(args: &[&str]) -> Value {
    let out = certdesk(&[args, &["--json"]].concat());
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn due_dates_honour_the_holiday_weeks_and_their_tiaoxiu_days() {
    // 2025 国庆 and 中秋: 1–8 Oct off, Sat 11 Oct worked
    let v = json(&["calendar", "workdays", "--from", "2025-09-30", "--days", "3"]);
    assert_eq!((v["date"].as_str(), v["without_notice"].as_array().map(Vec::len)), (Some("2025-10-11"), Some(0)));
    // 2024 春节: 10–17 Feb off, Sun 18 Feb worked
    assert_eq!(json(&["calendar", "workdays", "--from", "2024-02-08", "--days", "2"])["date"], "2024-02-18");
    // a year without a notice: Monday–Friday, and said
    let v = json(&["calendar", "workdays", "--from", "2026-11-27", "--days", "2"]);
    assert_eq!((v["date"].as_str(), v["without_notice"].clone()), (Some("2026-12-01"), serde_json::json!([2026])));
    let notices = json(&["calendar", "notices"]);
    assert_eq!(notices.as_array().unwrap().iter().map(|n| n["year"].as_i64().unwrap()).collect::<Vec<_>>(), [2024, 2025]);
}

#[test]
fn a_notice_added_to_the_counters_forms_counts_and_a_wrong_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let forms = dir.path().join("forms");
    assert!(Command::new("cp").args(["-r", concat!(env!("CARGO_MANIFEST_DIR"), "/../../../forms")]).arg(&forms).status().unwrap().success());
    // a test notice (not the real 2026 one): 1–3 Dec off, Sat 5 Dec worked
    let notice = "year = 2026\nsource = \"测试通知\"\noff = [{ name = \"测试假期\", from = \"2026-12-01\", to = \"2026-12-03\" }]\nworked = [\"2026-12-05\"]\n";
    std::fs::write(forms.join("_calendar/2026.toml"), notice).unwrap();
    let f = forms.to_str().unwrap();
    let v = json(&["--forms", f, "calendar", "workdays", "--from", "2026-11-30", "--days", "2"]);
    assert_eq!((v["date"].as_str(), v["without_notice"].as_array().map(Vec::len)), (Some("2026-12-05"), Some(0)), "{v}");
    std::fs::write(forms.join("_calendar/2026.toml"), notice.replace("2026-12-05", "2026-12-08")).unwrap();
    let out = certdesk(&["--forms", f, "calendar", "workdays", "--from", "2026-11-30", "--days", "2"]);
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2026.toml") && err.contains("2026-12-08"), "{err}");
}

#[test]
fn a_case_by_post_keeps_its_arrival_and_one_without_it_is_refused() {
    let c = certdesk_testkit::Counter::new(env!("CARGO_BIN_EXE_certdesk"));
    let mut case: Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-employees-new.json")).unwrap()).unwrap();
    case["channel"] = "post".into();
    let file = c.p("post.json");
    std::fs::write(&file, case.to_string()).unwrap();
    let refused = c.as_user("zhang", &["case", "import", &file]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("arrival"), "{}", String::from_utf8_lossy(&refused.stderr));
    case["arrival"] = serde_json::json!({ "date": "2026-11-20", "courier": "EMS", "waybill": "1180 2233 4455" });
    std::fs::write(&file, case.to_string()).unwrap();
    let number = c.import(&file);
    let (_, shown) = c.read_json(&["case", "show", &number, "--json"]);
    assert_eq!(shown["channel"], "post");
    assert_eq!(shown["arrival"], serde_json::json!({ "date": "2026-11-20", "courier": "EMS", "waybill": "118022334455" }));
}
