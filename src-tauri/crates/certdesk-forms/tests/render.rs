//! Every form of every project rendered for realistic cases and read back with poppler
//! (`pdftotext`, `pdffonts`, `pdftoppm`) and zbar (`zbarimg`): printed values come back as
//! text, fonts are embedded subsets with ToUnicode, annex rows are never dropped, barcodes decode.

mod common;

use certdesk_catalog::Catalog;
use certdesk_forms::Forms;
use common::{fixtures, forms, input, load_case};
use std::path::Path;
use std::process::Command;

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name).args(args).output().unwrap_or_else(|e| panic!("{name} is needed for this test (scripts/deps.sh test installs it): {e}"));
    assert!(out.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn every_form_of_every_case_prints_its_values_as_real_text() {
    let forms = forms();
    let dir = tempfile::tempdir().unwrap();
    let mut rendered = 0;
    for path in fixtures() {
        let data = load_case(&path);
        let inp = input(&data, Some("GZ01-20261122-0007"));
        let pdf = forms.render_pdf(&inp, None).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let file = dir.path().join("out.pdf");
        std::fs::write(&file, &pdf).unwrap();
        let text = squeeze(&tool("pdftotext", &["-raw", file.to_str().unwrap(), "-"]));
        let mut expect = vec![data.handler.name.clone(), "GZ01-20261122-0007".to_string()];
        if let Some(org) = &data.organization {
            expect.push(org.name.clone());
        }
        for e in &data.employees {
            expect.push(e.name.clone());
        }
        for value in expect {
            assert!(text.contains(&squeeze(&value)), "{}: {value:?} not found in the PDF text", path.display());
        }
        let fonts = tool("pdffonts", &[file.to_str().unwrap()]);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "{}: no fonts", path.display());
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            let name = cols[0];
            let n = cols.len();
            assert!(name.len() > 7 && name.as_bytes()[6] == b'+' && name[..6].chars().all(|c| c.is_ascii_uppercase()), "{}: {name} is not named as a subset", path.display());
            assert_eq!(&cols[n - 5..n - 2], &["yes", "yes", "yes"], "{}: {row}: embedded, subset, ToUnicode", path.display());
        }
        rendered += 1;
    }
    assert!(rendered >= 20, "only {rendered} cases rendered");
}

#[test]
fn the_employee_annex_continues_on_further_pages() {
    let forms = forms();
    let path = fixtures().into_iter().find(|p| p.to_string_lossy().contains("netca-gd-pension-employee-new-17")).expect("the 17-employee case");
    let data = load_case(&path);
    assert_eq!(data.employees.len(), 17);
    let laid = forms.layout_case(&input(&data, None), Some("employee-application")).unwrap();
    let (_, pages) = &laid[0];
    // one copy = the form + two annex pages (14 + 3 rows); printed 一式二份
    assert_eq!(pages.len() % 2, 0);
    let per_copy = pages.len() / 2;
    assert!(per_copy >= 3, "{per_copy} pages per copy");
    // the annex pages of the first copy (the handler may be an employee too: page 1 shows them)
    let texts: Vec<String> = pages[1..per_copy]
        .iter()
        .map(|p| p.items.iter().filter_map(|i| if let certdesk_forms::Item::Text { text, .. } = i { Some(text.as_str()) } else { None }).collect::<String>())
        .collect();
    for e in &data.employees {
        assert_eq!(texts.iter().filter(|t| t.contains(&e.id_number)).count(), 1, "{} printed once per copy", e.name);
    }
}

/// The text of laid-out pages, every text item joined.
fn page_text(pages: &[certdesk_forms::Page]) -> String {
    pages.iter().flat_map(|p| &p.items).filter_map(|i| if let certdesk_forms::Item::Text { text, .. } = i { Some(text.as_str()) } else { None }).collect()
}

/// #28: the receipt of a unit's order lists each certificate by holder and where it stands; a
/// withdrawn one says 已撤回 and why; a one-certificate case's receipt has no such list.
#[test]
fn the_receipt_lists_each_certificate_by_holder_and_why_one_was_withdrawn() {
    use certdesk_forms::{CertLine, CertStage};
    let forms = forms();
    let path = fixtures().into_iter().find(|p| p.to_string_lossy().contains("netca-gd-pension-employee-new-17")).expect("the 17-employee case");
    let data = load_case(&path);
    let mut certs = CertLine::from_data(&data);
    assert_eq!(certs.len(), 17);
    certs[0].stage = CertStage::Written;
    certs[0].key_serial = Some("5F3A0001".into());
    certs[16].stage = CertStage::Withdrawn;
    certs[16].withdrawn_reason = Some("员工已离职".into());
    let inp = certdesk_forms::CaseInput { certs: Some(certs), ..input(&data, Some("GZ01-20261122-0007")) };
    let laid = forms.layout_case(&inp, Some("receipt")).unwrap();
    let text = squeeze(&page_text(&laid[0].1));
    assert!(text.contains("三、证书明细（共17张）"), "{text}");
    for e in &data.employees {
        assert!(text.contains(&squeeze(&e.name)) && text.contains(&e.id_number), "{} is listed", e.name);
    }
    assert!(text.contains("已写入") && text.contains("Key序列号5F3A0001"), "{text}");
    assert_eq!(text.matches("待制证").count(), 15, "{text}");
    assert!(text.contains(&format!("{}{}已撤回撤回原因：员工已离职", squeeze(&data.employees[16].name), data.employees[16].id_number)), "{text}");
    assert!(text.contains("其中1张证书已由复核员撤回"), "{text}");

    // a preview of the case file: every certificate waiting, none withdrawn
    let laid = forms.layout_case(&input(&data, None), Some("receipt")).unwrap();
    let text = squeeze(&page_text(&laid[0].1));
    assert_eq!(text.matches("待制证").count(), 17);
    assert!(!text.contains("已撤回"));

    // one certificate: no list of one
    let path = fixtures().into_iter().find(|p| p.ends_with("case-org-new.json")).expect("the organisation case");
    let data = load_case(&path);
    let laid = forms.layout_case(&input(&data, Some("GZ01-20261122-0007")), Some("receipt")).unwrap();
    assert!(!page_text(&laid[0].1).contains("证书明细"));
}

/// #71: the receipt of an annex whose rows differ prints its 收费明细 one line per row group
/// (business type and years), each charged by its own fee rule; a uniform annex's lines keep
/// their labels.
#[test]
fn the_receipt_prices_a_mixed_annex_row_group_by_row_group() {
    let forms = forms();
    let path = fixtures().into_iter().find(|p| p.to_string_lossy().contains("netca-gd-pension-employee-new-17")).expect("the 17-employee case");
    let mut data = load_case(&path);
    for row in &mut data.employees[15..] {
        row.business = certdesk_domain::BusinessType::Renew;
        row.years = Some(1);
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("receipt.pdf");
    std::fs::write(&file, forms.render_pdf(&input(&data, Some("GZ01-20261122-0007")), Some("receipt")).unwrap()).unwrap();
    let text = squeeze(&tool("pdftotext", &["-raw", file.to_str().unwrap(), "-"]));
    // 新申请 3 years: 15 × (100 × 3) + 15 × 100 = 6000; 续期 1 year: 2 × 100 = 200
    for line in ["新申请3年·证书年服务费100.00×45=4500.00", "新申请3年·证书介质费100.00×15=1500.00", "更新续期1年·证书年服务费100.00×2=200.00", "¥6200.00", "陆仟贰佰元整"]
    {
        assert!(text.contains(line), "{line:?} not in the receipt: {text}");
    }
    // all rows alike: the lines as the catalog labels them, the whole annex at 新申请 3 years
    let data = load_case(&path);
    std::fs::write(&file, forms.render_pdf(&input(&data, Some("GZ01-20261122-0007")), Some("receipt")).unwrap()).unwrap();
    let text = squeeze(&tool("pdftotext", &["-raw", file.to_str().unwrap(), "-"]));
    assert!(text.contains("证书年服务费100.00×51=5100.00") && !text.contains("新申请3年·"), "{text}");
}

#[test]
fn long_names_wrap_or_shrink_inside_their_cell() {
    let forms = forms();
    for path in fixtures().into_iter().filter(|p| p.to_string_lossy().contains("long-name")) {
        let data = load_case(&path);
        let laid = forms.layout_case(&input(&data, None), None).unwrap();
        for (form, pages) in laid {
            for page in pages {
                for item in &page.items {
                    if let certdesk_forms::Item::Text { x, y, .. } = item {
                        assert!(*x >= 0.0 && *x < page.width && *y > 0.0 && *y < page.height, "{} {}: text outside the page at ({x}, {y})", path.display(), form.id);
                    }
                }
            }
        }
    }
}

#[test]
fn barcodes_decode_to_the_business_number_and_case_number() {
    let forms = forms();
    let path = fixtures().into_iter().find(|p| p.to_string_lossy().contains("netca-ln-procurement-employee-renew")).expect("a 辽宁 case");
    let mut data = load_case(&path);
    let number = "GZ01-20261122-0007";
    // seed 004: "注意：所上传的《机构员工数字证书申请表》条形码号须与本页面上方的“业务单号”一致"
    let reference = data.ca_reference.clone().expect("the fixture carries its 业务单号");
    let inp = input(&data, Some(number));
    let dir = tempfile::tempdir().unwrap();
    for (form, expect) in [("employee-application", reference.as_str()), ("receipt", number)] {
        let pdf = forms.render_pdf(&inp, Some(form)).unwrap();
        let file = dir.path().join(format!("{form}.pdf"));
        std::fs::write(&file, &pdf).unwrap();
        let prefix = dir.path().join(form);
        tool("pdftoppm", &["-r", "300", "-f", "1", "-l", "1", "-gray", "-png", file.to_str().unwrap(), prefix.to_str().unwrap()]);
        let png = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().contains(&format!("{form}-")) && p.extension().is_some_and(|e| e == "png"))
            .unwrap();
        let out = Command::new("zbarimg").args(["-q", "--raw", png.to_str().unwrap()]).output().expect("zbarimg (zbar-tools) is needed for this test");
        let decoded = String::from_utf8_lossy(&out.stdout);
        assert!(decoded.lines().any(|l| l.trim() == expect), "{form}: decoded {decoded:?}, expected {expect}");
    }
    // without the 业务单号 that form is not printed, and the refusal names it
    data.ca_reference = None;
    let inp = input(&data, Some(number));
    let err = forms.render_pdf(&inp, Some("employee-application")).unwrap_err();
    assert!(err.to_string().contains("业务单号"), "{err}");
}

#[test]
fn a_character_no_font_has_stops_rendering_and_names_it() {
    let forms = forms();
    let path = fixtures().into_iter().find(|p| p.ends_with("case-org-new.json")).unwrap();
    let mut data = load_case(&path);
    data.handler.name = "王𪚥".into();
    let err = forms.render_pdf(&input(&data, None), None).unwrap_err().to_string();
    assert!(err.contains("𪚥") && err.contains("U+2A6A5") && err.contains("handler.name"), "{err}");
}

/// The shipped face covers what the TrueType Noto Serif SC 2.003 did, the Unicode 13
/// ideographs that its CFF source (2.001) lacks included (`assets/fonts/build-otf.py`).
#[test]
fn the_shipped_font_has_the_unicode_13_ideographs() {
    let fonts = certdesk_forms::fonts::FontSet::shared().unwrap();
    for c in ['\u{4DB6}', '\u{4DBF}', '\u{9FEB}', '\u{9FF0}', '\u{9FFF}', '一', '龥', 'A', '¥'] {
        assert!(fonts.regular.has(c), "U+{:04X} {c}", c as u32);
    }
    let forms = forms();
    let path = fixtures().into_iter().find(|p| p.ends_with("case-org-new.json")).unwrap();
    let mut data = load_case(&path);
    data.handler.name = "王\u{9FF0}".into();
    let pdf = forms.render_pdf(&input(&data, None), Some("org-application")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("u13.pdf");
    std::fs::write(&file, pdf).unwrap();
    assert!(tool("pdftotext", &["-raw", file.to_str().unwrap(), "-"]).contains("王\u{9FF0}"));
    let fonts = tool("pdffonts", &[file.to_str().unwrap()]);
    assert_eq!(fonts.lines().skip(2).count(), 1, "one embedded face: {fonts}");
}

/// 𠮷 (U+20BB7, CJK Extension B) is not in Noto Serif SC; the system's Noto CJK collection
/// (Debian's fonts-noto-cjk, a default fallback) has it, as SimSun-ExtB has on Windows.
#[test]
fn rare_name_characters_print_as_text_through_the_fallback() {
    let forms = forms();
    let path = fixtures().into_iter().find(|p| p.ends_with("case-org-new.json")).unwrap();
    let mut data = load_case(&path);
    data.handler.name = "𠮷䶮".into();
    let pdf = forms.render_pdf(&input(&data, None), Some("org-application")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rare.pdf");
    std::fs::write(&file, pdf).unwrap();
    let text = tool("pdftotext", &["-raw", file.to_str().unwrap(), "-"]);
    assert!(text.contains("𠮷䶮"), "{text}");
}

#[test]
fn form_check_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let forms_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../forms");
    // a copy of the shipped forms with one typo in a layout
    let copy = |from: &Path, to: &Path| {
        let out = Command::new("cp").arg("-r").arg(from).arg(to).status().unwrap();
        assert!(out.success());
    };
    copy(&forms_dir, &dir.path().join("forms"));
    let layout = dir.path().join("forms/netca-gd-pension/layouts/org-application.toml");
    let text = std::fs::read_to_string(&layout).unwrap();
    let broken = text.replacen("{organization.name}", "{organization.nmae}", 1);
    assert_ne!(text, broken);
    std::fs::write(&layout, &broken).unwrap();
    let err = match Forms::load(Catalog::from_dir(&dir.path().join("forms")).unwrap()) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a typo in a field path must be refused"),
    };
    assert!(err.contains("org-application.toml:") && err.contains("organization.nmae"), "{err}");
    let line: usize = err.split("org-application.toml:").nth(1).unwrap().split(':').next().unwrap().parse().expect("a line number");
    assert!(broken.lines().take(line + 30).skip(line.saturating_sub(1)).any(|l| l.contains("organization.nmae")), "line {line} is not near the typo");
}
