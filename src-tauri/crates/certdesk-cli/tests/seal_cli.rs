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
