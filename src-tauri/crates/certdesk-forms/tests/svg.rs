//! The SVG pages (what the app previews and prints) against the PDF of the same pages: every
//! page of a form of each project, with a seal image, rasterised by librsvg (`rsvg-convert`) and
//! by poppler (`pdftoppm`), must show the same ink in the same places; a page moved by 1 mm
//! must not pass the same comparison.

mod common;

use certdesk_forms::{CaseInput, Forms, Page};
use common::{forms, input, load_case, root};
use std::path::{Path, PathBuf};
use std::process::Command;

const DPI: u32 = 60;

fn tool(name: &str, args: &[&str]) {
    let out = Command::new(name).args(args).output().unwrap_or_else(|e| panic!("{name} is needed for this test (scripts/deps.sh test installs it): {e}"));
    assert!(out.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A red ring, 40 mm at 300 dpi, as the seal importer writes them (RGBA, transparent paper).
fn seal_png(path: &Path) {
    let n = 472u32;
    let img = image::RgbaImage::from_fn(n, n, |x, y| {
        let (dx, dy) = (x as f32 - n as f32 / 2.0, y as f32 - n as f32 / 2.0);
        let r = (dx * dx + dy * dy).sqrt();
        if (r > 200.0 && r < 230.0) || (dx.abs() < 8.0 && dy.abs() < 120.0) { image::Rgba([200, 20, 30, 255]) } else { image::Rgba([0, 0, 0, 0]) }
    });
    img.save(path).unwrap();
}

/// `CERTDESK_KEEP_RENDERS=DIR` keeps both renders of every compared page there, to look at.
fn keep(name: &str, a: &image::GrayImage, b: &image::GrayImage) {
    if let Some(dir) = std::env::var_os("CERTDESK_KEEP_RENDERS") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        let name = name.replace('/', "_");
        a.save(dir.join(format!("{name}-pdf.png"))).unwrap();
        b.save(dir.join(format!("{name}-svg.png"))).unwrap();
    }
}

fn below(img: &image::GrayImage, level: u8) -> Vec<bool> {
    img.pixels().map(|p| p.0[0] < level).collect()
}

/// Share of the clear ink (darker than 128) of one page that has no trace of ink (darker than
/// 224) within one pixel on the other, both ways, the larger. Two renderers shade the edges of a
/// 0.3 mm rule differently at this resolution; a glyph or line that is missing or moved is gone.
fn mismatch(a: &image::GrayImage, b: &image::GrayImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions(), "page sizes differ");
    let (w, h) = a.dimensions();
    let near = |m: &[bool], x: u32, y: u32| (y.saturating_sub(1)..=(y + 1).min(h - 1)).any(|yy| (x.saturating_sub(1)..=(x + 1).min(w - 1)).any(|xx| m[(yy * w + xx) as usize]));
    let one_way = |p: &image::GrayImage, q: &image::GrayImage| {
        let (ink, trace) = (below(p, 128), below(q, 224));
        let all = ink.iter().filter(|v| **v).count().max(1);
        let lost = (0..h).flat_map(|y| (0..w).map(move |x| (x, y))).filter(|&(x, y)| ink[(y * w + x) as usize] && !near(&trace, x, y)).count();
        lost as f64 / all as f64
    };
    one_way(a, b).max(one_way(b, a))
}

fn rasterise_svg(svg: &str, dir: &Path, name: &str) -> image::GrayImage {
    let src = dir.join(format!("{name}.svg"));
    let png = dir.join(format!("{name}.png"));
    std::fs::write(&src, svg).unwrap();
    let dpi = DPI.to_string();
    tool("rsvg-convert", &["--dpi-x", &dpi, "--dpi-y", &dpi, "--background-color", "white", "-o", png.to_str().unwrap(), src.to_str().unwrap()]);
    image::open(&png).unwrap().to_luma8()
}

fn rasterise_pdf_page(pdf: &Path, page: usize, dir: &Path, name: &str) -> image::GrayImage {
    let stem = dir.join(name);
    let n = page.to_string();
    tool("pdftoppm", &["-r", &DPI.to_string(), "-gray", "-png", "-singlefile", "-f", &n, "-l", &n, pdf.to_str().unwrap(), stem.to_str().unwrap()]);
    image::open(stem.with_extension("png")).unwrap().to_luma8()
}

fn pages_of(forms: &Forms, file: &str, seals: &std::collections::BTreeMap<String, PathBuf>) -> Vec<(String, Vec<Page>)> {
    let data = load_case(&root().join(file));
    let input = CaseInput { seals: seals.clone(), ..input(&data, Some("GZ01-20261122-0007")) };
    forms.layout_case(&input, None).unwrap().into_iter().map(|(f, p)| (format!("{}/{}", data.project, f.id), p)).collect()
}

#[test]
fn svg_pages_show_the_same_ink_as_the_pdf() {
    let forms = forms();
    let dir = tempfile::tempdir().unwrap();
    let seal = dir.path().join("seal.png");
    seal_png(&seal);
    let seals: std::collections::BTreeMap<String, PathBuf> =
        ["seal:official_seal", "seal:signature", "seal:legal_rep_seal", "seal:finance_seal", "seal:contract_seal"].iter().map(|k| (k.to_string(), seal.clone())).collect();
    let cases = [
        "cases/bjca-nmg-organization-new-long-name.json",
        "cases/cfca-xs-organization-new-long-name-4y.json",
        "cases/netca-gd-pension-employee-new-17.json",
        "cases/netca-ln-procurement-employee-new-17.json",
        "cases/nmgca-procurement-organization-new-long-name.json",
        "cases/snca-nmg-organization-new.json",
        "cases/netca-gd-procurement-organization-new-long-name.json",
    ];
    let mut compared = 0;
    let mut with_image = 0;
    for file in cases {
        for (form, pages) in pages_of(&forms, file, &seals) {
            let pdf = dir.path().join("form.pdf");
            std::fs::write(&pdf, certdesk_forms::pdf_of(&form, &pages).unwrap()).unwrap();
            let svgs = certdesk_forms::svg_of(&pages).unwrap();
            assert_eq!(svgs.len(), pages.len(), "{form}: one SVG per page");
            // the first page of every form, and every page with a seal image on it
            for (i, (page, svg)) in pages.iter().zip(&svgs).enumerate() {
                let has_image = page.items.iter().any(|it| matches!(it, certdesk_forms::Item::Image { .. }));
                if i > 0 && !has_image {
                    continue;
                }
                assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"), "{form}: not an SVG document");
                assert!(!svg.contains("<text"), "{form}: text must be drawn as glyph outlines, not with the machine's fonts");
                let a = rasterise_pdf_page(&pdf, i + 1, dir.path(), "pdf");
                let b = rasterise_svg(svg, dir.path(), "svg");
                keep(&format!("{form}-{}", i + 1), &a, &b);
                let m = mismatch(&a, &b);
                eprintln!("{form} page {}: {:.3}%", i + 1, m * 100.0);
                assert!(m < 0.01, "{form} page {}: {:.2}% of the ink differs between the SVG and the PDF", i + 1, m * 100.0);
                compared += 1;
                if has_image {
                    assert!(svg.contains("data:image/png;base64,"), "{form}: the seal image is embedded");
                    with_image += 1;
                }
            }
        }
    }
    assert!(compared >= 12, "compared {compared} pages");
    assert!(with_image >= 3, "only {with_image} pages with a seal image compared");
}

#[test]
fn a_page_moved_by_one_millimetre_does_not_pass() {
    let forms = forms();
    let dir = tempfile::tempdir().unwrap();
    let (form, pages) = pages_of(&forms, "cases/snca-nmg-organization-new.json", &Default::default()).remove(0);
    let pdf = dir.path().join("form.pdf");
    std::fs::write(&pdf, certdesk_forms::pdf_of(&form, &pages).unwrap()).unwrap();
    let svg = certdesk_forms::svg_of(&pages[..1]).unwrap().remove(0);
    let shifted = svg.replacen(r##"<g fill="#000""##, r##"<g transform="translate(1 1)" fill="#000""##, 1);
    assert_ne!(svg, shifted);
    let a = rasterise_pdf_page(&pdf, 1, dir.path(), "pdf");
    let same = mismatch(&a, &rasterise_svg(&svg, dir.path(), "same"));
    eprintln!("same page: {:.3}%", same * 100.0);
    assert!(same < 0.01);
    let b = rasterise_svg(&shifted, dir.path(), "shifted");
    keep("shifted", &a, &b);
    let m = mismatch(&a, &b);
    eprintln!("moved page: {:.3}%", m * 100.0);
    assert!(m > 0.2, "a 1 mm move changed only {:.2}% of the ink", m * 100.0);
}

#[test]
fn a_missing_seal_image_is_named() {
    let forms = forms();
    let seals = [("seal:official_seal".to_string(), PathBuf::from("/nonexistent/seal.png"))].into_iter().collect();
    let all = pages_of(&forms, "cases/bjca-nmg-organization-new-long-name.json", &seals);
    let pages: Vec<Page> = all.into_iter().flat_map(|(_, p)| p).collect();
    let err = certdesk_forms::svg_of(&pages).unwrap_err().to_string();
    assert!(err.contains("/nonexistent/seal.png"), "{err}");
}
