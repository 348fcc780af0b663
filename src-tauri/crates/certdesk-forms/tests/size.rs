//! The size budget of printed forms: every form of every project that comes out as one page
//! weighs at most 70 KB (issue #3; the fixtures carry no seal image, which is outside the
//! budget), rendered alone for every realistic case of its project.

mod common;

use certdesk_forms::{CaseInput, Counter, Review};
use common::{fixtures, forms, input, load_case};

const BUDGET: usize = 70 * 1024;

#[test]
fn every_one_page_form_weighs_at_most_70_kb() {
    let forms = forms();
    let fonts = certdesk_forms::fonts::FontSet::shared().unwrap();
    let (mut checked, mut over) = (0, Vec::new());
    for path in fixtures() {
        let data = load_case(&path);
        // Chinese reviewers and a full address: more characters in the subset
        let input = CaseInput {
            review: Review { clerk: Some("张受理".into()), supervisor: Some("李复核".into()), accepted_at: Some("2026-11-22T09:30:00+08:00".into()) },
            counter: Counter { code: "GZ01".into(), name: "广州受理点".into(), address: "广州市越秀区建设五马路1号".into() },
            ..input(&data, Some("GZ01-20261122-0007"))
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
