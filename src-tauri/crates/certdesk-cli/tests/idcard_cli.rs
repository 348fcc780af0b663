//! `certdesk idcard read` through the binary, as the checks outside drive it: a GA/T 467 reader
//! simulated on a pseudo-terminal (every card type, the issue's JSON; no card; a broken answer;
//! a wrong check digit; an unsupported card; an expired card judged in the seed's words) and the
//! soft SDT library loaded as a vendor's would be.

use certdesk_idcard_soft::Fault;
use certdesk_idcard_soft::sim::{SimConfig, Simulator};
use certdesk_testkit::stderr;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CARDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../certdesk-idcard/tests/cards");

fn card(name: &str) -> PathBuf {
    Path::new(CARDS).join(format!("{name}.json"))
}

fn expected(name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(Path::new(CARDS).join(format!("{name}.expected.json"))).expect("the expected fields")).expect("JSON")
}

fn certdesk(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_certdesk"));
    c.args(args).env("TZ", "Asia/Shanghai").env_remove("CERTDESK_SDT_FAULT");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("the certdesk binary runs")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", String::from_utf8_lossy(&out.stdout), stderr(out)))
}

fn simulator(card: Option<PathBuf>, faults: Vec<Fault>) -> Simulator {
    Simulator::start(SimConfig { card, faults, baud: 0, ..SimConfig::default() }).expect("a simulated reader")
}

fn soft_library() -> PathBuf {
    let exe = std::env::current_exe().expect("this test");
    let deps = exe.parent().expect("its folder");
    let name = if cfg!(windows) { "certdesk_idcard_soft.dll" } else { "libcertdesk_idcard_soft.so" };
    [deps.join(name), deps.join("..").join(name)].into_iter().find(|p| p.is_file()).unwrap_or_else(|| panic!("{name} not built next to {}", exe.display()))
}

/// Every field the card carries, as the issue names them, equal to the expected reading.
fn assert_fields(got: &Value, want: &Value) {
    for (key, value) in want.as_object().expect("an object") {
        assert_eq!(&got[key], value, "{key} in {got}");
    }
}

#[test]
fn every_card_type_is_read_from_a_serial_reader_as_the_issue_spells_it() {
    for name in ["resident", "resident_long_term", "hmt", "foreign", "foreign_no_chinese_name"] {
        let reader = simulator(Some(card(name)), vec![]);
        let out = certdesk(&["idcard", "read", "--port", reader.path(), "--json"], &[]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let got = json(&out);
        assert_fields(&got, &expected(name));
        // judged on today (the fixtures' dates lie years away from it, whatever the zone)
        let today = chrono::Utc::now().date_naive().to_string();
        let valid_to = got["valid_to"].as_str().unwrap_or_default();
        let want = if valid_to == "长期" || valid_to >= today.as_str() { "valid" } else { "expired" };
        assert_eq!(got["validity"], want, "{name}: {got}");
        assert!(got.get("photo").is_none(), "the photo never leaves: {got}");
    }
    // the extra fields by their English names
    let reader = simulator(Some(card("hmt")), vec![]);
    let got = json(&certdesk(&["idcard", "read", "--port", reader.path(), "--json"], &[]));
    assert_eq!(got["card_type"], "hmt_residence");
    assert!(got["pass_number"].is_string() && got["issue_count"].is_u64(), "{got}");
    let reader = simulator(Some(card("resident_long_term")), vec![]);
    let got = json(&certdesk(&["idcard", "read", "--port", reader.path(), "--json"], &[]));
    assert_eq!(got["valid_to"], "长期");
    // and for a person, in Chinese
    let reader = simulator(Some(card("resident")), vec![]);
    let out = certdesk(&["idcard", "read", "--port", reader.path()], &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("姓名：张三丰") && text.contains("民族：汉") && text.contains("证件号码：440306199003071232"), "{text}");
}

#[test]
fn no_card_a_broken_answer_and_bad_data_are_refused_by_cause() {
    for (file, faults, kind, words) in [
        (None, vec![], "idcard_no_card", "no card on the reader"),
        (Some(card("resident")), vec![Fault::BadCheck], "idcard_read_failed", "check"),
        (Some(card("resident")), vec![Fault::Truncated], "idcard_read_failed", "stopped answering"),
        (Some(card("resident")), vec![Fault::Removed], "idcard_removed", "taken off the reader"),
        (Some(card("resident")), vec![Fault::BadCheckDigit], "idcard_bad_data", ""),
        (Some(card("resident")), vec![Fault::BadText], "idcard_bad_data", "UCS-2"),
        (Some(card("foreign_2023")), vec![], "idcard_unsupported", ""),
    ] {
        let reader = simulator(file, faults.clone());
        let out = certdesk(&["--json", "idcard", "read", "--port", reader.path()], &[]);
        assert_eq!(out.status.code(), Some(1), "{faults:?}: {}", stderr(&out));
        let said = json(&out);
        assert_eq!(said["error"]["kind"], kind, "{faults:?}: {said}");
        assert!(stderr(&out).contains(words), "{faults:?}: {}", stderr(&out));
        assert!(!String::from_utf8_lossy(&out.stdout).contains("440306199003071232"), "nothing filled from a failed read: {said}");
    }
    let out = certdesk(&["idcard", "read", "--port", "/dev/certdesk-no-such-reader"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot open the reader"), "{}", stderr(&out));
}

#[test]
fn an_expired_card_is_read_and_judged_in_the_seeds_words() {
    let dir = tempfile::tempdir().expect("a folder");
    let expired = dir.path().join("expired.json");
    let text = std::fs::read_to_string(card("resident"))
        .expect("the card")
        .replace(r#""valid_from": "2015-01-01", "valid_to": "2035-01-01""#, r#""valid_from": "2005-01-01", "valid_to": "2025-01-01""#);
    assert!(text.contains("2025-01-01"), "the card's validity rewritten");
    std::fs::write(&expired, text).expect("writing");
    let reader = simulator(Some(expired), vec![]);
    let got = json(&certdesk(&["idcard", "read", "--port", reader.path(), "--json"], &[]));
    assert_eq!((&got["validity"], &got["valid_to"]), (&Value::from("expired"), &Value::from("2025-01-01")), "{got}");
    let out = certdesk(&["idcard", "read", "--port", reader.path()], &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("不能受理：证件已于2025-01-01过期") && text.contains("个人身份证件无法进行扫描验证"), "{text}");
}

#[test]
fn a_vendor_library_reads_the_card_on_its_usb_port() {
    let library = soft_library();
    let library = library.to_str().expect("a path");
    let out = certdesk(&["idcard", "read", "--library", library, "--usb-port", "1", "--json"], &[("CERTDESK_SDT_CARD", &card("hmt"))]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_fields(&json(&out), &expected("hmt"));
    // every port tried when none is given
    let out = certdesk(&["idcard", "read", "--library", library, "--json"], &[("CERTDESK_SDT_CARD", &card("foreign"))]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_fields(&json(&out), &expected("foreign"));
    // a port out of range, named; a library that is not one
    let out = certdesk(&["idcard", "read", "--library", library, "--usb-port", "17"], &[("CERTDESK_SDT_CARD", &card("hmt"))]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("USB port"), "{}", stderr(&out));
    let out = certdesk(&["idcard", "read", "--library", "/nonexistent/libsdtapi.so"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot load the reader library"), "{}", stderr(&out));
}
