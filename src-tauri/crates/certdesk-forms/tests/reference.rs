//! Reviewed references: the intermediate form of two forms as insta snapshots, and a page image
//! of every form of every project (rendered with `pdftoppm`) compared with the reviewed PNG in
//! `tests/reference/forms/` within a tolerance, so that an unintended layout change fails.
//! `CERTDESK_UPDATE_REFERENCES=1` rewrites the PNGs after a change has been reviewed.

use certdesk_catalog::Catalog;
use certdesk_domain::CaseData;
use certdesk_forms::{CaseInput, CertLine, CertStage, Counter, Forms, Review};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

fn cases() -> Vec<(PathBuf, CaseData)> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(root().join("tests/fixtures/cases")).unwrap().flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect();
    files.push(root().join("tests/fixtures/case-org-new.json"));
    files.push(root().join("tests/fixtures/case-employees-new.json"));
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let mut d = CaseData::from_json(&std::fs::read_to_string(&p).unwrap()).unwrap();
            d.validate_and_normalize(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
            (p, d)
        })
        .collect()
}

/// A case of several certificates as its receipt is reprinted at the key desk: the first
/// written to its key, the last withdrawn by a supervisor (an employee left), the rest waiting.
fn certs_at_the_key_desk(data: &CaseData) -> Vec<CertLine> {
    let mut lines = CertLine::from_data(data);
    if lines.len() > 1 {
        lines[0].stage = CertStage::Written;
        lines[0].key_serial = Some("8F3A2C1D0B9E7766".into());
        let last = lines.last_mut().expect("several");
        last.stage = CertStage::Withdrawn;
        last.withdrawn_reason = Some("员工已离职".into());
    }
    lines
}

fn input(data: &CaseData) -> CaseInput<'_> {
    CaseInput {
        data,
        number: Some("GZ01-20261122-0007".into()),
        digest: data.digest(),
        review: Review { clerk: Some("张受理".into()), supervisor: Some("李复核".into()), accepted_at: Some("2026-11-22T09:30:00+08:00".into()) },
        counter: Counter { code: "GZ01".into(), name: "广州受理点".into(), address: "广州市越秀区建设五马路1号".into() },
        today: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        seals: Default::default(),
        certs: Some(certs_at_the_key_desk(data)),
    }
}

#[test]
fn intermediate_form_snapshots() {
    let forms = Forms::load(Catalog::embedded().unwrap()).unwrap();
    let all = cases();
    for (file, form) in [("case-org-new.json", "org-application"), ("case-org-new.json", "receipt")] {
        let (_, data) = all.iter().find(|(p, _)| p.ends_with(file)).unwrap();
        let laid = forms.layout_case(&input(data), Some(form)).unwrap();
        // one copy is enough: copies repeat the same pages
        let first_copy = &laid[0].1[..laid[0].1.len() / laid[0].0.copies.max(1) as usize];
        insta::assert_json_snapshot!(format!("{}-{form}", data.project), first_copy);
    }
}

fn gray(path: &Path) -> image::GrayImage {
    image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).to_luma8()
}

#[test]
fn page_images_match_the_reviewed_references() {
    let forms = Forms::load(Catalog::embedded().unwrap()).unwrap();
    let all = cases();
    let update = std::env::var_os("CERTDESK_UPDATE_REFERENCES").is_some();
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut compared = 0;
    for info in forms.list(None).unwrap() {
        let project = forms.catalog.project(&info.project).unwrap();
        let Some((_, data)) =
            all.iter().find(|(_, d)| d.project == info.project && (info.id == "receipt" || project.forms_for(d.business, d.cert_kind).iter().any(|f| f.id == info.id)))
        else {
            continue;
        };
        let pdf = forms.render_pdf(&input(data), Some(&info.id)).unwrap();
        let pdf_path = tmp.path().join("f.pdf");
        std::fs::write(&pdf_path, pdf).unwrap();
        let prefix = tmp.path().join(format!("{}-{}", info.project, info.id));
        let st = Command::new("pdftoppm")
            .args(["-r", "36", "-f", "1", "-l", "1", "-gray", "-png", "-singlefile"])
            .arg(&pdf_path)
            .arg(&prefix)
            .status()
            .expect("pdftoppm (poppler-utils)");
        assert!(st.success());
        let got_path = prefix.with_extension("png");
        let reference = root().join(format!("tests/reference/forms/{}/{}.png", info.project, info.id));
        if update {
            std::fs::create_dir_all(reference.parent().unwrap()).unwrap();
            std::fs::copy(&got_path, &reference).unwrap();
            continue;
        }
        assert!(reference.is_file(), "no reviewed reference {} (render, review, then run with CERTDESK_UPDATE_REFERENCES=1)", reference.display());
        let (a, b) = (gray(&got_path), gray(&reference));
        if a.dimensions() != b.dimensions() {
            failures.push(format!("{}/{}: page size changed {:?} → {:?}", info.project, info.id, b.dimensions(), a.dimensions()));
            continue;
        }
        let n = (a.width() * a.height()) as f64;
        let (mut sum, mut big) = (0f64, 0usize);
        for (pa, pb) in a.pixels().zip(b.pixels()) {
            let d = (i32::from(pa.0[0]) - i32::from(pb.0[0])).unsigned_abs();
            sum += f64::from(d);
            if d > 64 {
                big += 1;
            }
        }
        let (mean, share) = (sum / n, big as f64 / n);
        // anti-aliasing and font hinting move a few pixels; a moved line or block moves many
        if mean > 1.0 || share > 0.003 {
            failures.push(format!("{}/{}: differs from the reference (mean {mean:.2}, {:.2}% of pixels)", info.project, info.id, share * 100.0));
        }
        compared += 1;
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(update || compared >= 25, "only {compared} forms compared");
}
