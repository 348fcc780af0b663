//! The clerk decides at the edge (#34, design §7): an impression the importer doubted accepted
//! by the clerk, on real parts — a SQLite store in a temp folder, a sheet drawn by the seal
//! crate's generator (`certdesk_seal::synth`) and judged by the real importer. The samples each
//! test works on are found in the verdict (a doubted one in a row that needs a new stamp, an
//! empty box, a clean impression), so the tests hold while the rules change.

mod common;

use base64::Engine as _;
use certdesk_desk::seal::{SampleView, Verdict};
use certdesk_domain::Action;
use certdesk_domain::workflow::Role;
use common::Counter;
use std::path::Path;

const ORG_NEW: &str = include_str!("../../../../tests/fixtures/case-org-new.json");

impl Counter {
    fn new(path: &Path) -> Counter {
        Counter::with_people(path, &[("zhang", Role::Clerk), ("wu", Role::Clerk), ("li", Role::Supervisor)])
    }

    /// A case accepted by zhang with the generated sheet imported: its number and the verdict.
    fn case_with_sheet(&mut self) -> (String, Verdict) {
        self.case_with(&sheet())
    }

    /// A case accepted by zhang with `scan` imported as its seal sheet.
    fn case_with(&mut self, scan: &[u8]) -> (String, Verdict) {
        let catalog = self.catalog.clone();
        let n = self.desk("zhang").import_case(&catalog, ORG_NEW).unwrap().number;
        self.desk("zhang").record_materials(&catalog, n.as_str(), &certdesk_desk::materials::MaterialsChange::AllReceived).unwrap();
        self.desk("zhang").act(&catalog, &n, Action::Accept, None).unwrap();
        let v = self.desk("zhang").import_seal_sheet(&catalog, &n, "sheet.png", scan, None).unwrap();
        (n, v)
    }

    fn history_len(&mut self, n: &str) -> usize {
        self.desk("admin").history(n).unwrap().len()
    }
}

/// A collection sheet from the seal crate's generator (seed 22, 150 dpi JPEG with its
/// resolution in the file): the 法人章 row has no good impression, an empty box, clean ones.
fn sheet() -> Vec<u8> {
    let o = certdesk_seal::synth::SynthOptions { seed: 22, dpi: 150.0, jpeg_quality: Some(88), skew_deg: Some(0.5), ..Default::default() };
    certdesk_seal::synth::generate(&o).bytes
}

/// A doubted impression in a row that needs a new stamp (`restamp`) or in one that has a choice.
fn doubted(v: &Verdict, restamp: bool) -> SampleView {
    let rows: Vec<usize> = v.rows.iter().filter(|r| r.needs_restamp == restamp).map(|r| r.row).collect();
    v.samples.iter().find(|s| s.doubted && rows.contains(&s.row)).cloned().unwrap_or_else(|| panic!("a doubted sample in a row with needs_restamp = {restamp}: {:?}", v.rows))
}

fn png_of(s: &SampleView) -> Vec<u8> {
    let url = s.image_url.as_deref().expect("a doubted impression has its image");
    base64::engine::general_purpose::STANDARD.decode(url.trim_start_matches("data:image/png;base64,")).unwrap()
}

#[test]
fn accepting_a_doubted_impression_stores_it_and_records_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Counter::new(&dir.path().join("c.db"));
    let (n, v) = c.case_with_sheet();
    assert_eq!((v.dpi, v.dpi_source.as_str(), v.size_warning.as_deref()), (150.0, "file", None), "the resolution and its source reach the verdict");
    for s in &v.samples {
        assert_eq!(s.doubted, s.image_url.is_some() && !s.defects.is_empty(), "{s:?}");
        assert!(!s.accepted);
        assert!(s.findings.iter().all(|f| s.defects.contains(&f.label)), "a finding explains a label of its sample: {s:?}");
    }
    let imported = c.desk("admin").history(&n).unwrap().into_iter().rev().find(|e| e.action == "seal_imported").unwrap();
    assert_eq!(imported.detail["dpi_source"], "file");
    assert_eq!(imported.detail["thresholds_sha256"].as_str().map(str::len), Some(64));
    // What judged the sheet, code and limits together: the build's own, not the limits' hash.
    let verdicts = imported.detail["verdicts_sha256"].as_str().unwrap_or_default();
    assert_eq!(verdicts, certdesk_seal::VERDICTS_SHA256);
    assert!(verdicts.len() == 64 && verdicts.bytes().all(|b| b.is_ascii_hexdigit()), "{verdicts}");
    assert_ne!(imported.detail["thresholds_sha256"].as_str(), Some(verdicts));
    let restamp_row = v.rows.iter().find(|r| r.needs_restamp).unwrap();
    assert_eq!(imported.detail["rows"][restamp_row.row]["doubted"], v.samples.iter().filter(|s| s.row == restamp_row.row && s.doubted).count());

    // a row without a good impression: the clerk takes one the importer doubted
    let d = doubted(&v, true);
    let name = format!("seal:{}", d.kind);
    assert!(!v.stored.contains(&name), "no {name} was chosen: {:?}", v.stored);
    let after = c.desk("zhang").accept_seal_sample(&n, d.row, d.col, Some("  申请人只带了这一枚章 ".into())).unwrap();
    let s = after.samples.iter().find(|s| (s.row, s.col) == (d.row, d.col)).unwrap();
    assert!(s.accepted && s.best && s.doubted, "{s:?}");
    assert_eq!(after.samples.iter().filter(|x| x.row == d.row && x.best).count(), 1, "one choice per row");
    let row = after.rows.iter().find(|r| r.row == d.row).unwrap();
    assert_eq!((row.needs_restamp, row.best_col), (false, Some(d.col)));
    assert!(after.stored.contains(&name), "{:?}", after.stored);
    let (_, kept) = c.desk("admin").attachment(&n, &name).unwrap();
    assert_eq!(kept, png_of(&d), "the impression's own image is the row's seal");
    let history = c.desk("admin").history(&n).unwrap();
    let ev = history.last().unwrap();
    assert_eq!((ev.action.as_str(), ev.actor.as_str()), ("seal_accepted", "zhang"));
    assert_eq!((ev.detail["row"].as_u64(), ev.detail["col"].as_u64()), (Some(d.row as u64), Some(d.col as u64)));
    assert_eq!(ev.detail["stored"], name.as_str());
    assert_eq!(ev.detail["sheet_sha256"], imported.detail["sha256"]);
    assert!(ev.detail.get("replaced").is_none(), "the row had no seal stored: {}", ev.detail);
    assert_eq!(ev.detail["defects"], serde_json::json!(d.defects), "the labels overridden");
    // the findings overridden, as the clerk saw them (the seal crate gives every label one)
    let shown: Vec<(&str, &str)> = d.findings.iter().map(|f| (f.label, f.quantity.as_str())).collect();
    let recorded: Vec<(&str, &str)> = ev.detail["findings"].as_array().unwrap().iter().map(|f| (f["label"].as_str().unwrap(), f["quantity"].as_str().unwrap())).collect();
    assert!(!shown.is_empty() && shown.len() == d.defects.len(), "{d:?}");
    assert_eq!(recorded, shown);
    assert_eq!(ev.detail["findings"][0]["value"].as_f64().map(|v| v as f32), Some(d.findings[0].value));
    assert_eq!(ev.detail["note"], "申请人只带了这一枚章");
    assert_eq!(ev.detail.get("unchecked").is_some(), !d.unchecked.is_empty(), "checks not made are recorded, and only then: {}", ev.detail);

    let ev_findings = ev.detail["findings"].clone();

    // a row whose choice the clerk overrides: the chosen image is replaced, and said so
    let o = doubted(&v, false);
    let oname = v.stored.iter().find(|s| **s == format!("seal:{}", o.kind)).cloned().unwrap_or_else(|| format!("seal:{}:{}", o.kind, o.row));
    let (old, _) = c.desk("admin").attachment(&n, &oname).unwrap();
    let again = c.desk("wu").accept_seal_sample(&n, o.row, o.col, None).unwrap();
    assert!(again.samples.iter().any(|s| (s.row, s.col) == (d.row, d.col) && s.accepted), "the earlier acceptance stays in the verdict");
    let ev = c.desk("admin").history(&n).unwrap().pop().unwrap();
    assert_eq!((ev.detail["stored"].as_str(), ev.detail["replaced"].as_str()), (Some(oname.as_str()), Some(old.sha256.as_str())));
    assert!(ev.detail.get("note").is_none());
    assert_eq!(c.desk("admin").attachment(&n, &oname).unwrap().1, png_of(&o));

    // the case JSON's `seals`: every image kept, the clerk's acceptances with their reasons
    let json = c.desk("admin").export_case(&n).unwrap();
    let seals = json["seals"].as_array().expect("seals in the case JSON");
    let by_name = |x: &str| seals.iter().find(|s| s["name"] == x).cloned().unwrap_or_else(|| panic!("{x} in {seals:?}"));
    let first = by_name(&name);
    assert_eq!((first["row"].as_u64(), first["col"].as_u64()), (Some(d.row as u64), Some(d.col as u64)));
    assert_eq!(first["dpi_source"], "file");
    assert_eq!(first["accepted_by_clerk"]["account"], "zhang");
    assert_eq!(first["accepted_by_clerk"]["note"], "申请人只带了这一枚章");
    assert_eq!(first["accepted_by_clerk"]["defects"], serde_json::json!(d.defects));
    assert_eq!(first["accepted_by_clerk"]["findings"], ev_findings, "the case JSON says why, as the chain does");
    assert_eq!(by_name(&oname)["accepted_by_clerk"]["account"], "wu");
    assert!(seals.iter().filter(|s| s["name"] != name && s["name"] != oname).all(|s| s.get("accepted_by_clerk").is_none()), "{seals:?}");
    let catalog = c.catalog.clone();
    assert_eq!(c.desk("zhang").case_view(&catalog, &n).unwrap().case["seals"], json["seals"], "the case page reads the same");
    assert!(c.desk("admin").verify_audit(&certdesk_desk::operator_ca::OperatorCa::default()).unwrap().ok);
}

#[test]
fn the_checks_not_made_go_on_the_record_with_the_acceptance() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Counter::new(&dir.path().join("c.db"));
    let catalog = c.catalog.clone();
    let n = c.desk("zhang").import_case(&catalog, ORG_NEW).unwrap().number;
    c.desk("zhang").act(&catalog, &n, Action::Accept, None).unwrap();
    // seed 191 at 150 dpi: an impression grazing the line whose ring the importer could not fit
    let o = certdesk_seal::synth::SynthOptions { seed: 191, dpi: 150.0, jpeg_quality: Some(88), skew_deg: Some(0.5), ..Default::default() };
    let v = c.desk("zhang").import_seal_sheet(&catalog, &n, "sheet.jpg", &certdesk_seal::synth::generate(&o).bytes, None).unwrap();
    let d = v.samples.iter().find(|s| s.doubted && !s.unchecked.is_empty()).cloned().unwrap_or_else(|| panic!("a doubted impression with a check not made: {:?}", v.samples));
    c.desk("zhang").accept_seal_sample(&n, d.row, d.col, None).unwrap();
    let ev = c.desk("admin").history(&n).unwrap().pop().unwrap();
    assert_eq!(ev.action, "seal_accepted");
    let shown: Vec<(&str, &str, f32)> = d.unchecked.iter().map(|u| (u.label, u.quantity.as_str(), u.limit)).collect();
    let recorded: Vec<(&str, &str, f32)> = ev.detail["unchecked"]
        .as_array()
        .unwrap_or_else(|| panic!("unchecked on the chain: {}", ev.detail))
        .iter()
        .map(|u| (u["label"].as_str().unwrap(), u["quantity"].as_str().unwrap(), u["limit"].as_f64().unwrap() as f32))
        .collect();
    assert_eq!(recorded, shown, "the checks not made, as the clerk was shown them");
    // the supervisor reads them in the case JSON beside the labels overridden
    let json = c.desk("admin").export_case(&n).unwrap();
    let seal = json["seals"].as_array().unwrap().iter().find(|s| s["row"] == d.row && s["col"] == d.col).cloned().expect("the accepted impression is kept");
    assert_eq!(seal["accepted_by_clerk"]["unchecked"], ev.detail["unchecked"]);
    assert!(c.desk("admin").verify_audit(&certdesk_desk::operator_ca::OperatorCa::default()).unwrap().ok);
}

#[test]
fn accepting_sends_an_approved_case_back_to_review() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Counter::new(&dir.path().join("c.db"));
    let (n, v) = c.case_with_sheet();
    let catalog = c.catalog.clone();
    c.desk("zhang").act(&catalog, &n, Action::Submit, None).unwrap();
    c.desk("li").act(&catalog, &n, Action::Approve, None).unwrap();
    let d = doubted(&v, true);
    c.desk("zhang").accept_seal_sample(&n, d.row, d.col, None).unwrap();
    assert_eq!(c.desk("admin").case(&n).unwrap().status.wire(), "submitted", "the approval covered the old images");
    let ev = c.desk("admin").history(&n).unwrap().pop().unwrap();
    assert_eq!((ev.action.as_str(), ev.detail["from"].as_str(), ev.detail["to"].as_str()), ("seal_accepted", Some("approved"), Some("submitted")));
    c.desk("li").act(&catalog, &n, Action::Approve, None).unwrap();
    assert!(c.desk("admin").verify_audit(&certdesk_desk::operator_ca::OperatorCa::default()).unwrap().ok);
}

#[test]
fn a_supervisor_cannot_accept_an_impression() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Counter::new(&dir.path().join("c.db"));
    let (n, v) = c.case_with_sheet();
    let d = doubted(&v, true);
    let before = c.history_len(&n);
    let err = c.desk("li").accept_seal_sample(&n, d.row, d.col, None).unwrap_err();
    assert_eq!(err.kind().as_str(), "missing_role", "{err}");
    assert_eq!(c.history_len(&n), before, "nothing recorded");
    assert!(c.desk("admin").attachments(&n).unwrap().iter().all(|a| a.name != format!("seal:{}", d.kind)));
}

#[test]
fn an_empty_box_cannot_be_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Counter::new(&dir.path().join("c.db"));
    let (n, v) = c.case_with_sheet();
    let e = v.samples.iter().find(|s| s.empty && s.image_url.is_none()).expect("the sheet has an empty box");
    assert!(!e.doubted, "a box without ink is not doubted: there is nothing to accept");
    let before = c.history_len(&n);
    let err = c.desk("zhang").accept_seal_sample(&n, e.row, e.col, None).unwrap_err();
    assert_eq!(err.kind().as_str(), "seal_sample_empty", "{err}");
    let err = c.desk("zhang").accept_seal_sample(&n, 9, 0, None).unwrap_err();
    assert_eq!(err.kind().as_str(), "no_such_seal_sample", "{err}");
    assert_eq!(c.history_len(&n), before, "nothing recorded");
    // a case without a sheet has nothing to accept
    let catalog = c.catalog.clone();
    let other = c.desk("zhang").import_case(&catalog, ORG_NEW).unwrap().number;
    assert_eq!(c.desk("zhang").accept_seal_sample(&other, 0, 0, None).unwrap_err().kind().as_str(), "no_seal_sheet");
}

#[test]
fn ink_an_empty_verdict_set_aside_as_a_stain_can_be_taken_by_the_clerk() {
    // Green-tinted paper: the left box holds a 公章 pressed twice, the right one a tan patch
    // that fills its disc, judged a stain (an empty box) for `disc_fill`. The clerk sees it and
    // may take it all the same, say for a seal so bled that it fills its face.
    let scan = certdesk_seal::synth::stain_beside_a_double_seal();
    let dir = tempfile::tempdir().unwrap();
    let mut c = Counter::new(&dir.path().join("c.db"));
    let (n, v) = c.case_with(&scan);
    let s = v.samples.iter().find(|s| s.col == 1).cloned().expect("the right box");
    assert!(s.empty && s.doubted && s.image_url.is_some(), "{s:?}");
    assert_eq!(s.defects, ["empty", "bg_not_white"]);
    assert_eq!((s.findings[0].label, s.findings[0].quantity.as_str()), ("empty", "disc_fill"), "{:?}", s.findings);
    let after = c.desk("zhang").accept_seal_sample(&n, s.row, s.col, Some("印泥渗开，申请人确认是公章".into())).unwrap();
    let taken = after.samples.iter().find(|x| (x.row, x.col) == (s.row, s.col)).unwrap();
    assert!(taken.accepted && taken.best, "{taken:?}");
    assert_eq!(after.rows.iter().find(|r| r.row == s.row).map(|r| (r.needs_restamp, r.best_col)), Some((false, Some(s.col))));
    assert_eq!(c.desk("admin").attachment(&n, "seal:official_seal").unwrap().1, png_of(&s), "the image the clerk saw is the row's seal");
    let ev = c.desk("admin").history(&n).unwrap().pop().unwrap();
    assert_eq!(ev.action.as_str(), "seal_accepted");
    assert_eq!(ev.detail["defects"], serde_json::json!(["empty", "bg_not_white"]), "the empty verdict overridden is on the record");
    assert_eq!(ev.detail["findings"][0]["quantity"], "disc_fill");
}

#[test]
fn a_clean_sample_needs_no_acceptance() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Counter::new(&dir.path().join("c.db"));
    let (n, v) = c.case_with_sheet();
    let clean = v.samples.iter().find(|s| !s.empty && s.defects.is_empty()).expect("a clean impression");
    assert!(!clean.doubted && clean.findings.is_empty());
    let before = c.history_len(&n);
    let err = c.desk("zhang").accept_seal_sample(&n, clean.row, clean.col, Some("多余".into())).unwrap_err();
    assert_eq!(err.kind().as_str(), "seal_sample_not_doubted", "{err}");
    assert_eq!(c.history_len(&n), before, "nothing recorded");
}

#[test]
fn seals_in_the_case_json_are_ignored_on_import() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Counter::new(&dir.path().join("c.db"));
    let (n, v) = c.case_with_sheet();
    let d = doubted(&v, true);
    c.desk("zhang").accept_seal_sample(&n, d.row, d.col, Some("只带了一枚".into())).unwrap();
    let exported = c.desk("admin").export_case(&n).unwrap();
    assert!(exported["seals"].as_array().is_some_and(|s| !s.is_empty()), "{exported}");
    let catalog = c.catalog.clone();
    let copy = c.desk("zhang").import_case(&catalog, &exported.to_string()).unwrap().number;
    assert_ne!(copy, n);
    let json = c.desk("admin").export_case(&copy).unwrap();
    assert!(json.get("seals").is_none(), "a new case has no seal sheet, whatever the JSON said: {json}");
    assert!(c.desk("admin").case(&copy).unwrap().data.extra.get("seals").is_none(), "not kept as an unknown field either");
    assert!(c.desk("admin").attachments(&copy).unwrap().is_empty());
}

/// The same sheet under a tablet's cool white balance (issue 76, maker P: white paper read
/// [232, 239, 247]): its tint is one a light stock reads too, so the screen asks the clerk once,
/// for the sheet, to look at the paper; no sample repeats it, and no box is called not white.
#[test]
fn a_sheet_under_a_colour_cast_asks_once_about_the_paper() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Counter::new(&dir.path().join("c.db"));
    let (white_case, white) = c.case_with_sheet();
    assert_eq!(white.paper_unchecked, None, "white paper is read, not asked about");
    let mut img = image::load_from_memory(&sheet()).unwrap().to_rgb8();
    for p in img.pixels_mut() {
        for (v, gain) in p.0.iter_mut().zip([0.91f32, 0.937, 0.972]) {
            *v = (f32::from(*v) * gain).round() as u8;
        }
    }
    let mut cast = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut cast), image::ImageFormat::Png).unwrap();
    let (n, v) = c.case_with(&cast);
    let paper = v.paper_unchecked.as_ref().unwrap_or_else(|| panic!("the paper asked about: {:?}", v.samples.iter().map(|s| &s.unchecked).collect::<Vec<_>>()));
    assert_eq!((paper.label, paper.quantity.as_str(), paper.op.as_str()), ("bg_not_white", "paper_tint", ">"));
    assert!(paper.value > paper.limit && paper.value < 20.0, "{paper:?}");
    assert!(v.samples.iter().all(|s| s.unchecked.iter().all(|u| u.quantity != "paper_tint")), "said once, for the sheet");
    let tinted = |v: &Verdict| v.samples.iter().filter(|s| s.defects.contains(&"bg_not_white")).map(|s| (s.row, s.col)).collect::<Vec<_>>();
    assert_eq!(tinted(&v), tinted(&white), "no box called not white for the cast");

    // Kept with the sheet on the chain, and in the case JSON's seals, for the supervisor.
    let stored = |c: &mut Counter, n: &str| c.desk("admin").history(n).unwrap().into_iter().rev().find(|e| e.action == "seal_imported").unwrap().detail;
    let kept = &stored(&mut c, &n)["paper_unchecked"];
    assert_eq!((kept["label"].as_str(), kept["quantity"].as_str(), kept["op"].as_str()), (Some("bg_not_white"), Some("paper_tint"), Some(">")));
    assert_eq!((kept["value"].as_f64().map(|x| x as f32), kept["limit"].as_f64().map(|x| x as f32)), (Some(paper.value), Some(paper.limit)), "as the clerk was shown it");
    assert!(stored(&mut c, &white_case).get("paper_unchecked").is_none(), "absent where the paper was read");
    let seals = c.desk("admin").export_case(&n).unwrap()["seals"].clone();
    let seals = seals.as_array().expect("seals in the case JSON");
    assert!(!seals.is_empty() && seals.iter().all(|s| s["paper_unchecked"] == *kept), "{seals:?}");
    let white_seals = c.desk("admin").export_case(&white_case).unwrap()["seals"].clone();
    assert!(white_seals.as_array().is_some_and(|s| !s.is_empty() && s.iter().all(|s| s.get("paper_unchecked").is_none())), "{white_seals}");

    // A doubted impression the clerk takes on the cast sheet: its record keeps every check not
    // made, the paper's among them; the supervisor is asked about the paper once, in the seal's
    // paper_unchecked, not again among the acceptance's checks.
    let d = doubted(&v, true);
    c.desk("zhang").accept_seal_sample(&n, d.row, d.col, None).unwrap();
    let recorded = c.desk("admin").history(&n).unwrap().pop().unwrap().detail;
    let quantities = |list: &serde_json::Value| list.as_array().map(|a| a.iter().filter_map(|f| f["quantity"].as_str().map(String::from)).collect::<Vec<_>>()).unwrap_or_default();
    assert!(quantities(&recorded["unchecked"]).iter().any(|q| q == "paper_tint"), "the box's own reading is on the record: {recorded}");
    let seals = c.desk("admin").export_case(&n).unwrap()["seals"].clone();
    let taken = seals.as_array().and_then(|a| a.iter().find(|s| s["accepted_by_clerk"].is_object()).cloned()).unwrap_or_else(|| panic!("{seals}"));
    assert_eq!(taken["paper_unchecked"], *kept);
    assert!(!quantities(&taken["accepted_by_clerk"]["unchecked"]).iter().any(|q| q == "paper_tint"), "asked once: {taken}");
}
