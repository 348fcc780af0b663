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

/// The due list (#73): a posted 解锁 of seed 001 ("收到材料的3个工作日内解锁证书快递给用户") waits
/// for its money, then runs from its arrival over the 国庆 week with its 调休 Saturday: due on
/// Sat 11 Oct 2025, late on Monday 13; a counter case of a project without a promise is on no
/// list; the day's lists are signed in like every read of the store.
#[test]
fn the_due_list_of_a_posted_unlock_over_the_holiday_week() {
    let c = certdesk_testkit::Counter::new(env!("CARGO_BIN_EXE_certdesk"));
    let mut case: Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json")).unwrap()).unwrap();
    case["business"] = "unlock".into();
    case.as_object_mut().unwrap().remove("years");
    case["channel"] = "post".into();
    case["arrival"] = serde_json::json!({ "date": "2025-09-30", "courier": "顺丰速运", "waybill": "SF1234567890" });
    case["payment"] = serde_json::json!({ "method": "bank_transfer", "payer_name": "广州市示例科技有限公司", "payer_account": "3602000109200123456", "amount": "20.00" });
    let file = c.p("unlock.json");
    std::fs::write(&file, case.to_string()).unwrap();
    let posted = c.import(&file);
    c.ok_as("zhang", &["case", "accept", &posted]);
    let counter = c.import(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json"));
    c.ok_as("zhang", &["case", "accept", &counter]);
    let due = |day: &str| {
        let out = c.as_user("zhang", &["calendar", "due", "--day", day, "--json"]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let v = due("2025-10-09");
    assert_eq!(v["waiting"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!((v["waiting"][0]["number"].as_str(), v["waiting"][0]["waiting_on"].clone()), (Some(posted.as_str()), serde_json::json!(["payment"])));
    assert!(v["due_today"].as_array().unwrap().is_empty() && v["late"].as_array().unwrap().is_empty());

    // the money in (the bank's date recorded): the clock runs from the arrival
    case["payment"]["date"] = "2025-10-09".into();
    std::fs::write(&file, case.to_string()).unwrap();
    c.ok_as("zhang", &["case", "edit", &posted, &file]);
    let v = due("2025-10-10");
    assert!(v["waiting"].as_array().unwrap().is_empty() && v["due_today"].as_array().unwrap().is_empty() && v["late"].as_array().unwrap().is_empty(), "{v}");
    assert_eq!(v["running"], 1);
    let v = due("2025-10-11");
    let today = &v["due_today"][0];
    assert_eq!((today["number"].as_str(), today["due"].as_str(), today["days_left"].as_i64()), (Some(posted.as_str()), Some("2025-10-11"), Some(0)), "{v}");
    assert_eq!((today["promise"].as_str(), today["term"].as_str()), (Some("解锁并寄回"), Some("3个工作日")));
    let v = due("2025-10-13");
    assert_eq!((v["late"][0]["number"].as_str(), v["late"][0]["days_left"].as_i64()), (Some(posted.as_str()), Some(-1)), "{v}");
    // in words, for a clerk at a terminal
    let text = c.ok_as("zhang", &["calendar", "due", "--day", "2025-10-13"]);
    assert!(text.contains("1 late") && text.contains(&posted), "{text}");
    // not signed in: refused
    let out = c.cmd_without_account(&["calendar", "due"]).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    // the counter closed on Friday 10 Oct: the promise runs to Monday 13 Oct, due that day
    let admin_pw = c.pw("admin");
    let set = |days: &str| c.run(&["counter", "set", "--closures", days, "--as", "admin", "--as-password-file", &admin_pw]);
    assert_eq!(set("2025-10-10，2025-10-10").status.code(), Some(0));
    let v = due("2025-10-13");
    assert_eq!((v["due_today"][0]["number"].as_str(), v["due_today"][0]["due"].as_str()), (Some(posted.as_str()), Some("2025-10-13")), "{v}");
    let bad = set("2025-10-32");
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("2025-10-32"), "{}", String::from_utf8_lossy(&bad.stderr));
    let zhang_pw = c.pw("zhang");
    let clerk = c.run(&["counter", "set", "--closures", "2025-10-10", "--as", "zhang", "--as-password-file", &zhang_pw]);
    assert_eq!(clerk.status.code(), Some(1), "an administrator's setting: {}", String::from_utf8_lossy(&clerk.stderr));
}

/// A case the supervisor returned is on the counter's due list with the reason, who returned it
/// and when (#79: the clerk learns of it without searching); submitted again, it is off the list.
#[test]
fn a_returned_case_is_listed_with_its_reason_until_submitted_again() {
    let c = certdesk_testkit::Counter::new(env!("CARGO_BIN_EXE_certdesk"));
    let number = c.import(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json"));
    c.ok_as("zhang", &["case", "materials", &number, "--all-received"]);
    for action in ["accept", "submit"] {
        c.ok_as("zhang", &["case", action, &number]);
    }
    let returned = |who: &str| {
        let out = c.as_user(who, &["calendar", "due", "--json"]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["returned"].clone()
    };
    assert_eq!(returned("zhang"), serde_json::json!([]), "submitted, not returned");
    c.ok_as("li", &["case", "return", &number, "--reason", "营业执照复印件未盖公章"]);
    let listed = returned("zhang");
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(
        (listed[0]["number"].as_str(), listed[0]["reason"].as_str(), listed[0]["returned_by"].as_str()),
        (Some(number.as_str()), Some("营业执照复印件未盖公章"), Some("li")),
        "{listed}"
    );
    assert!(listed[0]["returned_at"].as_str().is_some_and(|at| at.len() >= 19), "{listed}");
    let text = c.ok_as("zhang", &["calendar", "due"]);
    assert!(text.contains("returned to the counter") && text.contains("营业执照复印件未盖公章"), "{text}");
    c.ok_as("zhang", &["case", "submit", &number]);
    assert_eq!(returned("zhang"), serde_json::json!([]), "submitted again");
}
