//! A character the shipped font lacks is printed from a configured fallback font (its own
//! test binary: the font set is configured and loaded once per process).

use certdesk_catalog::Catalog;
use certdesk_domain::CaseData;
use certdesk_forms::{CaseInput, Forms, Item};
use chrono::NaiveDate;

#[test]
fn fallback_font_prints_what_the_shipped_font_lacks() {
    let dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    assert!(std::path::Path::new(dejavu).is_file(), "fonts-dejavu-core is needed for this test (scripts/deps.sh test installs it)");
    certdesk_forms::fonts::configure(certdesk_forms::fonts::FontConfig { dir: None, fallbacks: Some(vec![(dejavu.into(), 0)]) }).unwrap();
    let fonts = certdesk_forms::fonts::FontSet::shared().unwrap();
    let georgian = 'ა'; // U+10D0, in DejaVu Sans, not in Noto Serif SC
    assert!(!fonts.regular.has(georgian), "precondition: the shipped font lacks it");
    assert_eq!(fonts.face_for(georgian), Some(certdesk_forms::fonts::FaceRef::Fallback(0)));

    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json")).unwrap();
    let mut data = CaseData::from_json(&text).unwrap();
    data.handler.name = "张ა".into();
    let forms = Forms::load(Catalog::embedded().unwrap()).unwrap();
    let input = CaseInput {
        data: &data,
        number: None,
        digest: data.digest(),
        review: Default::default(),
        counter: Default::default(),
        today: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        seals: Default::default(),
        certs: None,
    };
    let laid = forms.layout_case(&input, Some("org-application")).unwrap();
    let runs: Vec<_> = laid[0].1[0].items.iter().filter_map(|i| if let Item::Text { text, face, .. } = i { Some((text.clone(), *face)) } else { None }).collect();
    assert!(runs.iter().any(|(t, f)| t == "ა" && *f == certdesk_forms::fonts::FaceRef::Fallback(0)), "{runs:?}");
    let pdf = forms.render_pdf(&input, Some("org-application")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f.pdf");
    std::fs::write(&file, pdf).unwrap();
    let fonts = String::from_utf8(std::process::Command::new("pdffonts").arg(&file).output().unwrap().stdout).unwrap();
    assert!(fonts.contains("+DejaVuSans"), "{fonts}");
}
