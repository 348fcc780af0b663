//! The size budget of printed forms: every form of every project that comes out as one page
//! weighs at most 70 KB (issue #3; the fixtures carry no seal image, which is outside the
//! budget), rendered alone for every realistic case of its project.

use certdesk_catalog::Catalog;
use certdesk_domain::CaseData;
use certdesk_forms::{CaseInput, Counter, Forms, Review};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

const BUDGET: usize = 70 * 1024;

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("cases")).unwrap().flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect();
    files.push(root.join("case-org-new.json"));
    files.push(root.join("case-employees-new.json"));
    files.sort();
    files
}

#[test]
fn every_one_page_form_weighs_at_most_70_kb() {
    let forms = Forms::load(Catalog::embedded().unwrap()).unwrap_or_else(|e| panic!("{e}"));
    let fonts = certdesk_forms::fonts::FontSet::shared().unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let (mut checked, mut over) = (0, Vec::new());
    for path in fixtures() {
        let mut data = CaseData::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
        data.validate_and_normalize(today);
        let input = CaseInput {
            data: &data,
            number: Some("GZ01-20261122-0007".into()),
            digest: data.digest(),
            review: Review { clerk: Some("张受理".into()), supervisor: Some("李复核".into()), accepted_at: Some("2026-11-22T09:30:00+08:00".into()) },
            counter: Counter { code: "GZ01".into(), name: "广州受理点".into(), address: "广州市越秀区建设五马路1号".into() },
            today,
            seals: Default::default(),
        };
        // every form of the project, not only those this case needs: more texts per form
        for info in forms.list(Some(&data.project)).unwrap() {
            let laid = forms.layout_case(&input, Some(&info.id)).unwrap_or_else(|e| panic!("{} {}: {e}", path.display(), info.id));
            let pages: Vec<_> = laid.into_iter().flat_map(|(_, p)| p).collect();
            if pages.len() != 1 {
                continue;
            }
            let pdf = certdesk_forms::pdf::write_pdf(&info.title, &pages, fonts).unwrap();
            if pdf.len() > BUDGET {
                over.push(format!("{} {} for {}: {:.1} KB", info.project, info.id, path.file_name().unwrap().to_string_lossy(), pdf.len() as f64 / 1024.0));
            }
            checked += 1;
        }
    }
    assert!(over.is_empty(), "one-page forms over {} KB:\n{}", BUDGET / 1024, over.join("\n"));
    assert!(checked >= 50, "only {checked} one-page renderings checked");
}
