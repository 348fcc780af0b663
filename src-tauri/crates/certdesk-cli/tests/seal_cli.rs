//! `certdesk seal import` on the real-looking fixture sheets: the JSON output contract, the
//! images written, bad files refused with exit 1.

use serde_json::Value;
use std::process::Command;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/seal");

fn import(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_certdesk")).arg("seal").arg("import").args(args).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_collection_sheet_gives_every_sample_and_the_best_per_row() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (code, stdout, stderr) = import(&[&format!("{FIXTURES}/collection-150dpi.jpg"), "--out", out.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let samples = v["samples"].as_array().unwrap();
    let truth: Value = serde_json::from_str(&std::fs::read_to_string(format!("{FIXTURES}/collection-150dpi.truth.json")).unwrap()).unwrap();
    assert!(samples.len() >= 9, "{} samples", samples.len());
    for s in samples {
        for key in ["box_quad", "row", "col", "kind", "empty", "defects", "score", "best", "mask", "image"] {
            assert!(s.get(key).is_some(), "sample without {key}: {s}");
        }
        assert_eq!(s["box_quad"].as_array().unwrap().len(), 4);
        if s["empty"] == false {
            assert!(std::path::Path::new(s["image"].as_str().unwrap()).is_file());
            assert!(std::path::Path::new(s["mask"].as_str().unwrap()).is_file());
        }
    }
    for row in v["rows"].as_array().unwrap() {
        let best = samples.iter().filter(|s| s["row"] == row["row"] && s["best"] == true).count();
        assert!(best == 1 || row["needs_restamp"] == true, "{row}");
    }
    assert!(truth.is_object() || truth.is_array());
    // a round seal is measured in mm
    assert!(samples.iter().any(|s| s["kind"] == "official_seal" && s["diameter_mm"].as_f64().is_some_and(|d| (35.0..46.0).contains(&d))));
}

#[test]
fn unreadable_files_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("scan.png");
    std::fs::write(&bad, b"\x89PNG\r\n\x1a\n truncated").unwrap();
    let (code, _, stderr) = import(&[bad.to_str().unwrap(), "--out", dir.path().join("o").to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("scan.png"), "{stderr}");
}

/// `seal accept` (#34): the clerk takes an impression the importer doubted onto the case, on
/// the counter's (encrypted) store through the real binary, signed in with `--as`.
#[test]
fn seal_accept_takes_a_doubted_impression_onto_the_case() {
    let c = certdesk_testkit::Counter::new(env!("CARGO_BIN_EXE_certdesk"));
    let n = c.import(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json"));
    let json = |out: std::process::Output| -> (i32, Value) {
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        (out.status.code().unwrap(), serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout} {}", String::from_utf8_lossy(&out.stderr))))
    };
    let (code, v) = json(c.as_user("zhang", &["case", "seal", &n, &format!("{FIXTURES}/collection-150dpi.jpg"), "--json"]));
    assert_eq!(code, 0, "{v}");
    assert_eq!((v["dpi"].as_f64(), v["dpi_source"].as_str()), (Some(150.0), Some("file")), "{v}");
    let samples = v["samples"].as_array().unwrap().clone();
    for s in &samples {
        for key in ["findings", "unchecked", "doubted", "accepted"] {
            assert!(s.get(key).is_some(), "sample without {key}: {s}");
        }
    }
    let find = |f: &dyn Fn(&Value) -> bool| samples.iter().find(|s| f(s)).cloned().unwrap();
    let d = find(&|s| s["doubted"] == true);
    let empty = find(&|s| s["empty"] == true && s["doubted"] == false);
    let clean = find(&|s| s["empty"] == false && s["defects"].as_array().unwrap().is_empty());
    let at = |s: &Value| (s["row"].to_string(), s["col"].to_string());
    let (row, col) = at(&d);
    let accept = |who: &str, rc: &(String, String), more: &[&str]| {
        let mut args = vec!["seal", "accept", &n, "--row", &rc.0, "--col", &rc.1];
        args.extend(more);
        c.as_user(who, &args)
    };

    // a supervisor does not; a box without ink and a clean impression are refused, as JSON too
    let out = accept("li", &(row.clone(), col.clone()), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("clerk"), "{}", String::from_utf8_lossy(&out.stderr));
    let (code, err) = json(accept("zhang", &at(&empty), &["--json"]));
    assert_eq!((code, err["error"]["kind"].as_str()), (1, Some("seal_sample_empty")), "{err}");
    let (code, err) = json(accept("zhang", &at(&clean), &["--json"]));
    assert_eq!((code, err["error"]["kind"].as_str()), (1, Some("seal_sample_not_doubted")), "{err}");
    assert_eq!(accept("zhang", &(row.clone(), "x".into()), &[]).status.code(), Some(2), "a column is a number");

    // without --json: what was overridden, in words a clerk reads
    let text = String::from_utf8_lossy(&accept("zhang", &(row.clone(), col.clone()), &[]).stdout).into_owned();
    assert!(text.contains("accepted") && text.contains(d["defects"][0].as_str().unwrap()), "{text}");
    let quantity = d["findings"][0]["quantity"].as_str().expect("the doubted impression's finding");
    assert!(text.contains(quantity), "the reason too: {text}");

    let (code, after) = json(accept("zhang", &(row.clone(), col.clone()), &["--note", "申请人只带了这一枚章", "--json"]));
    assert_eq!(code, 0, "{after}");
    assert!(after.get("scan_url").is_none(), "the screen copies are the app's");
    let s = after["samples"].as_array().unwrap().iter().find(|s| at(s) == (row.clone(), col.clone())).unwrap().clone();
    assert_eq!((s["accepted"].as_bool(), s["best"].as_bool(), s.get("image_url").is_none()), (Some(true), Some(true), true), "{s}");
    let r = after["rows"].as_array().unwrap().iter().find(|r| r["row"] == d["row"]).unwrap().clone();
    assert_eq!((r["needs_restamp"].as_bool(), r["best_col"].to_string()), (Some(false), col.clone()), "{r}");

    // the case JSON's seals: the newest acceptance with its note and what it overrode
    let (_, case) = c.read_json(&["case", "show", &n, "--json"]);
    let seals = case["seals"].as_array().unwrap_or_else(|| panic!("seals: {case}"));
    let taken = seals.iter().find(|x| x["row"] == d["row"] && x["accepted_by_clerk"].is_object()).unwrap_or_else(|| panic!("{seals:?}"));
    assert_eq!(taken["col"].to_string(), col);
    assert_eq!(taken["accepted_by_clerk"]["account"], "zhang");
    assert_eq!(taken["accepted_by_clerk"]["note"], "申请人只带了这一枚章");
    assert_eq!(taken["accepted_by_clerk"]["defects"], d["defects"]);
    let (_, verify) = c.read_json(&["audit", "verify", "--json"]);
    assert_eq!(verify["ok"], true, "{verify}");
}
