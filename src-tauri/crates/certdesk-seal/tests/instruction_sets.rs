//! The importer's box loops are compiled twice, for the baseline x86-64 and for AVX2 (`isa`),
//! and the CPU picks one. The two copies must judge every sheet to the same bits: the report,
//! every measure behind it and every pixel of the written images. Its own test binary, because
//! the choice of copy is process-wide.

use certdesk_seal::synth::{Split, generate};
use certdesk_seal::{ImportOptions, SheetReport, import_sheet, isa};

fn import_both(bytes: &[u8]) -> (SheetReport, SheetReport) {
    isa::force_baseline(false);
    let wide = import_sheet(bytes, &ImportOptions::default()).expect("wide copy imports");
    isa::force_baseline(true);
    let baseline = import_sheet(bytes, &ImportOptions::default()).expect("baseline copy imports");
    isa::force_baseline(false);
    (wide, baseline)
}

fn assert_same(what: &str, wide: &SheetReport, baseline: &SheetReport) {
    let (a, b) = (serde_json::to_string(wide).expect("json"), serde_json::to_string(baseline).expect("json"));
    assert_eq!(a, b, "{what}: the reports differ");
    for (s, t) in wide.samples.iter().zip(&baseline.samples) {
        let at = format!("{what}, row {} col {}", s.row, s.col);
        let bits = |m: &[(&str, f32)]| m.iter().map(|(n, v)| (n.to_string(), v.to_bits())).collect::<Vec<_>>();
        assert_eq!(bits(&s.metrics), bits(&t.metrics), "{at}: the measures differ");
        assert!(s.pixels.mask == t.pixels.mask, "{at}: the masks differ");
        assert!(s.pixels.rgba == t.pixels.rgba, "{at}: the RGBA images differ");
    }
}

#[test]
fn the_wide_and_the_baseline_copies_judge_sheets_alike() {
    if !isa::cpu_has_wide() {
        // Nothing to compare: both calls would run the baseline copy.
        eprintln!("this CPU lacks AVX2/BMI/LZCNT/POPCNT: only the baseline copy runs here");
        return;
    }
    isa::force_baseline(false);
    assert_eq!(isa::running(), "AVX2 (wide copies)");
    // The held-out split's first six sheets (every layout, PNG and JPEG, more than one
    // resolution: checked here, as the split draws them) and a phone photo.
    let options: Vec<_> = (0..6).map(|k| Split::Heldout.sheet(k)).collect();
    assert!(options.iter().any(|o| o.jpeg_quality.is_some()) && options.iter().any(|o| o.jpeg_quality.is_none()), "PNG and JPEG");
    assert!(options.iter().any(|o| o.dpi != options[0].dpi), "more than one resolution");
    let mut sheets: Vec<(String, Vec<u8>)> = options.iter().enumerate().map(|(k, o)| (format!("held-out sheet {k} ({} dpi)", o.dpi), generate(o).bytes)).collect();
    sheets.push(("phone photo 0".into(), generate(&Split::Photos.sheet(0)).bytes));
    let mut judged = 0;
    for (what, bytes) in &sheets {
        let (wide, baseline) = import_both(bytes);
        assert_same(what, &wide, &baseline);
        judged += wide.samples.iter().filter(|s| !s.empty).count();
    }
    // The comparison covered impressions, not only empty boxes.
    assert!(judged >= 20, "{judged} impressions judged");
}
