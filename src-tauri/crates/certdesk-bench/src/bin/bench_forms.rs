//! Form rendering benchmark: every form of every project, rendered warm (fonts loaded once, as
//! in the running app) from a realistic case of that project; prints layout and PDF time per
//! form and per page, and the PDF size; and the time and size of the same pages as SVG (what the
//! app previews and hands to the print dialog, drawn from the laid-out pages).
//!
//! `cargo run --release -p certdesk-bench --bin certdesk-bench-forms [-- --rounds N]`

use certdesk_catalog::Catalog;
use certdesk_domain::CaseData;
use certdesk_forms::{CaseInput, Counter, Forms, Review};
use chrono::NaiveDate;
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut rounds = 20usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rounds" => rounds = args.next().and_then(|v| v.parse().ok()).expect("--rounds N"),
            other => {
                eprintln!("unknown argument {other}; usage: certdesk-bench-forms [--rounds N]");
                std::process::exit(2);
            }
        }
    }
    let fixtures = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures"));
    let mut cases: Vec<CaseData> = std::fs::read_dir(fixtures.join("cases"))
        .expect("tests/fixtures/cases")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .chain([fixtures.join("case-org-new.json"), fixtures.join("case-employees-new.json")])
        .filter_map(|p| CaseData::from_json(&std::fs::read_to_string(p).ok()?).ok())
        .collect();
    cases.sort_by(|a, b| a.project.cmp(&b.project).then(a.employees.len().cmp(&b.employees.len())));
    let forms = Forms::load(Catalog::embedded().expect("catalog")).expect("layouts");
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    // load the fonts before timing
    let t0 = Instant::now();
    certdesk_forms::fonts::FontSet::shared().expect("fonts");
    println!("font load (once per process): {:.0} ms", t0.elapsed().as_secs_f64() * 1000.0);
    println!("{:<22} {:<28} {:>5} {:>9} {:>9} {:>8} {:>11} {:>11}", "project", "form", "pages", "ms/form", "ms/page", "KB", "svg ms/page", "svg KB/page");
    let mut svg_per_page: Vec<f64> = Vec::new();
    let mut per_page = Vec::new();
    for info in forms.list(None).expect("forms") {
        let project = forms.catalog.project(&info.project).expect("project");
        // a case of this project that prints this form, else any case of the project
        let Some(data) = cases
            .iter()
            .find(|c| c.project == info.project && (info.id == "receipt" || project.forms_for(c.business, c.cert_kind).iter().any(|f| f.id == info.id)))
            .or_else(|| cases.iter().find(|c| c.project == info.project))
        else {
            continue;
        };
        let input = CaseInput {
            data,
            number: Some("GZ01-20261122-0007".into()),
            digest: data.digest(),
            review: Review { clerk: Some("zhang".into()), supervisor: Some("li".into()), accepted_at: Some("2026-11-22T09:30:00+08:00".into()) },
            counter: Counter { code: "GZ01".into(), name: "广州受理点".into(), address: "广州市越秀区".into() },
            today,
            seals: Default::default(),
            certs: None,
        };
        let Ok(pdf) = forms.render_pdf(&input, Some(&info.id)) else { continue };
        let pages = forms.layout_case(&input, Some(&info.id)).map(|l| l.iter().map(|(_, p)| p.len()).sum::<usize>()).unwrap_or(1);
        let start = Instant::now();
        for _ in 0..rounds {
            forms.render_pdf(&input, Some(&info.id)).expect("render");
        }
        let ms = start.elapsed().as_secs_f64() * 1000.0 / rounds as f64;
        per_page.push(ms / pages as f64);
        let laid: Vec<certdesk_forms::Page> = forms.layout_case(&input, Some(&info.id)).expect("layout").into_iter().flat_map(|(_, p)| p).collect();
        let svg_bytes: usize = certdesk_forms::svg_of(&laid).expect("svg").iter().map(String::len).sum();
        let start = Instant::now();
        for _ in 0..rounds {
            certdesk_forms::svg_of(&laid).expect("svg");
        }
        let svg_ms = start.elapsed().as_secs_f64() * 1000.0 / rounds as f64 / pages as f64;
        svg_per_page.push(svg_ms);
        println!(
            "{:<22} {:<28} {:>5} {:>9.1} {:>9.1} {:>8.0} {:>11.1} {:>11.0}",
            info.project,
            info.id,
            pages,
            ms,
            ms / pages as f64,
            pdf.len() as f64 / 1024.0,
            svg_ms,
            svg_bytes as f64 / pages as f64 / 1024.0
        );
    }
    per_page.sort_by(f64::total_cmp);
    svg_per_page.sort_by(f64::total_cmp);
    let n = per_page.len();
    println!("ms/page over {n} forms: median {:.1}, max {:.1}", per_page[n / 2], per_page[n - 1]);
    println!("SVG ms/page (from laid-out pages): median {:.1}, max {:.1}", svg_per_page[n / 2], svg_per_page[n - 1]);
}
