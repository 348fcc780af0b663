//! Quality of the sheet importer on unseen synthetic sheets (seeds never used for tuning):
//! every box found, row kinds, mean mask IoU, defect macro-F1 and seal size error against the
//! generator's truth; plus low resolution, tinted paper and single-impression mode.

use certdesk_seal::synth::{self, Layout, Scores, Split, SynthOptions};
use certdesk_seal::thresholds::metric;
use certdesk_seal::{Defect, ImportOptions, SampleKind, import_sheet, import_single};

fn run(sheets: &[SynthOptions]) -> Scores {
    let mut scores = Scores::new();
    for o in sheets {
        let sheet = synth::generate(o);
        let report = import_sheet(&sheet.bytes, &ImportOptions::default()).unwrap_or_else(|e| panic!("seed {}: {e}", o.seed));
        scores.add(&report, &sheet.truth, sheet.dpi);
    }
    scores
}

fn describe(s: &Scores) -> String {
    let mut out = format!(
        "boxes {}/{} (+{} extra), kinds {}/{}, mean IoU {:.3}, macro-F1 {:.3}, size error max {:.2} mm\n",
        s.boxes_found,
        s.boxes_truth,
        s.boxes_extra,
        s.kind_correct,
        s.boxes_found,
        s.mean_iou(),
        s.macro_f1(),
        s.max_size_err()
    );
    for d in Defect::ALL {
        out.push_str(&format!("  {:<13} F1 {:.3}\n", d.as_str(), s.f1(d)));
    }
    out
}

/// The issue's targets on six unseen 300-dpi sheets (two of each layout, PNG and JPEG).
#[test]
fn unseen_synthetic_sheets_meet_the_issue_targets() {
    let layouts = [Layout::SealCollection, Layout::SealApplication, Layout::Sampling];
    let sheets: Vec<SynthOptions> = (0..6)
        .map(|k| SynthOptions { seed: 7_000_001 + k as u64, layout: layouts[k % 3], jpeg_quality: if k % 2 == 0 { Some(80) } else { None }, ..SynthOptions::default() })
        .collect();
    let s = run(&sheets);
    let text = describe(&s);
    println!("{text}");
    assert_eq!(s.boxes_found, s.boxes_truth, "every box found\n{text}");
    assert_eq!(s.boxes_extra, 0, "no phantom boxes\n{text}");
    assert_eq!(s.kind_correct, s.boxes_found, "row kinds\n{text}");
    assert!(s.mean_iou() >= 0.85, "mean mask IoU\n{text}");
    assert!(s.macro_f1() >= 0.90, "defect macro-F1\n{text}");
    assert!(s.max_size_err() <= 0.3, "diameter / side error\n{text}");
}

/// Issue 18: sheets of the held-out split (paper tints, mottle, light, blur, noise, JPEG
/// qualities, ink densities and hues, seal sizes the thresholds were not fitted on), drawn at
/// 150 dpi to stay fast in a debug build, with seeds the benchmark does not use: every box, no
/// label crying wolf, and no row told to stamp again while a good impression is on the sheet.
#[test]
fn held_out_variation_keeps_verdicts_and_best_picks() {
    let sheets: Vec<SynthOptions> = (100..102).map(|k| SynthOptions { dpi: 150.0, ..Split::Heldout.sheet(k) }).collect();
    let s = run(&sheets);
    let text = describe(&s);
    println!("{text}");
    assert_eq!(s.boxes_found, s.boxes_truth, "every box found\n{text}");
    assert_eq!(s.kind_correct, s.boxes_found, "row kinds\n{text}");
    assert!(s.mean_iou() >= 0.90, "mean mask IoU\n{text}");
    assert!(s.macro_f1() >= 0.85, "defect macro-F1\n{text}");
    for d in Defect::ALL {
        assert!(s.precision_recall(d).0 >= 0.75, "{} precision\n{text}", d.as_str());
    }
    assert_eq!(s.rows_false_restamp, 0, "rows told to stamp again with a good impression on the sheet\n{text}");
}

/// `pale` is the ink's density, not the paper's tint nor the ink's hue: full-density purple-red
/// (紫红) seals on tinted paper, and lightly inked (density 0.62–0.72) red ones, are not pale;
/// impressions at density 0.25–0.42 are.
#[test]
fn pale_is_ink_density_not_tint_or_hue() {
    let mut light = Split::Heldout.variation();
    light.density = (0.62, 0.72);
    let mut sheets = Vec::new();
    for (k, ink) in [Some([175.0, 30.0, 110.0]), None].into_iter().enumerate() {
        let variation = Some(if ink.is_none() { light.clone() } else { Split::Heldout.variation() });
        let o = SynthOptions { seed: 7_800_001 + k as u64, dpi: 150.0, defect_rate: 0.0, tinted: Some(ink.is_some()), seal_ink: ink, variation, ..SynthOptions::default() };
        sheets.push(o);
    }
    for o in &sheets {
        let sheet = synth::generate(o);
        let report = import_sheet(&sheet.bytes, &ImportOptions::default()).unwrap();
        for s in &report.samples {
            assert!(!s.defects.contains(&Defect::Pale), "seed {} r{}c{}: {:?} {:?}", o.seed, s.row, s.col, s.defects, s.metrics);
        }
    }
    let mut pale = Split::Heldout.variation();
    pale.density = pale.pale_density;
    let o = SynthOptions { seed: 7_800_010, dpi: 150.0, defect_rate: 0.0, tinted: Some(false), variation: Some(pale), ..SynthOptions::default() };
    let sheet = synth::generate(&o);
    let report = import_sheet(&sheet.bytes, &ImportOptions::default()).unwrap();
    for s in report.samples.iter().filter(|s| !s.empty) {
        assert!(s.defects.contains(&Defect::Pale), "r{}c{}: {:?} {:?}", s.row, s.col, s.defects, s.metrics);
    }
}

/// A sheet whose file carries no resolution: the importer takes it from the A4 page, sizes in
/// mm stay right and no size warning is raised; a resolution in the file that the page
/// contradicts is kept but warned about.
#[test]
fn resolution_from_the_page_when_the_file_has_none() {
    let o = SynthOptions { seed: 7_900_001, dpi: 150.0, layout: Layout::Sampling, jpeg_quality: Some(85), dpi_in_file: false, ..SynthOptions::default() };
    let sheet = synth::generate(&o);
    let report = import_sheet(&sheet.bytes, &ImportOptions::default()).unwrap();
    assert_eq!(report.dpi_source, certdesk_seal::DpiSource::A4Page);
    assert!((report.dpi - 150.0).abs() < 1.0, "{}", report.dpi);
    assert_eq!(report.size_warning, None);
    let mut s = Scores::new();
    s.add(&report, &sheet.truth, sheet.dpi);
    assert!(s.max_size_err() <= 0.3, "{}", describe(&s));
    let told = import_sheet(&sheet.bytes, &ImportOptions { dpi: Some(150.0), ..ImportOptions::default() }).unwrap();
    assert_eq!(told.size_warning, None, "a resolution given by the caller is trusted");
}

/// A phone photo of a sheet (paper on a darker table, corners moved by up to 2.5 % of the page
/// width, no resolution in the file): the paper is found and straightened, its edges give the
/// resolution, every box is found, the sizes hold, and the boxes come back in the photo's pixels.
#[test]
fn phone_photo_of_a_sheet_is_straightened() {
    let o = SynthOptions { dpi: 150.0, ..Split::Photos.sheet(900) };
    let sheet = synth::generate(&o);
    let report = import_sheet(&sheet.bytes, &ImportOptions::default()).unwrap();
    assert!(report.paper_quad.is_some(), "not seen as a photo");
    assert_eq!(report.dpi_source, certdesk_seal::DpiSource::PaperEdges);
    assert!((report.dpi - 150.0).abs() < 3.0, "{} dpi from the paper's edges", report.dpi);
    let mut s = Scores::new();
    s.add(&report, &sheet.truth, sheet.dpi);
    let text = describe(&s);
    assert_eq!(s.boxes_found, s.boxes_truth, "boxes matched in the photo's pixels\n{text}");
    assert!(s.max_size_err() <= 0.5, "{text}");
    // Masks go through two resamplings here (photo → page, page → photo) and the truth
    // through one with nearest samples: at 150 dpi a pixel is a sixth of a stroke.
    assert!(s.mean_iou() >= 0.80, "{text}");
    assert_eq!(s.rows_false_restamp, 0, "{text}");
}

/// 150 dpi (the low end of the issue's range), JPEG: boxes, kinds and masks still hold.
#[test]
fn low_resolution_jpeg_sheet() {
    let s = run(&[SynthOptions { seed: 7_100_001, dpi: 150.0, layout: Layout::SealApplication, jpeg_quality: Some(75), ..SynthOptions::default() }]);
    let text = describe(&s);
    assert_eq!(s.boxes_found, s.boxes_truth, "{text}");
    assert_eq!(s.kind_correct, s.boxes_found, "{text}");
    assert!(s.mean_iou() >= 0.80, "{text}");
}

/// Grey and yellowish paper: boxes are still found (no fixed grey threshold) and every sample
/// is flagged `bg_not_white`.
#[test]
fn tinted_paper_boxes_found_and_flagged() {
    for seed in [7_200_001u64, 7_200_002] {
        let o = SynthOptions { seed, tinted: Some(true), layout: Layout::SealCollection, defect_rate: 0.0, ..SynthOptions::default() };
        let sheet = synth::generate(&o);
        let report = import_sheet(&sheet.bytes, &ImportOptions::default()).unwrap();
        assert_eq!(report.samples.len(), 9);
        assert!(report.samples.iter().all(|s| s.defects.contains(&Defect::BgNotWhite)));
    }
}

/// Single-impression mode on a crop of one seal under a lighting gradient.
#[test]
fn single_impression_with_uneven_light() {
    let o = SynthOptions { seed: 7_300_001, layout: Layout::Sampling, defect_rate: 0.0, skew_deg: Some(0.0), tinted: Some(false), ..SynthOptions::default() };
    let sheet = synth::generate(&o);
    let t = sheet.truth.iter().find(|t| !t.empty).expect("a stamped box");
    let img = image::load_from_memory(&sheet.bytes).unwrap().to_rgb8();
    let pad = 60;
    let (x0, y0) = (t.offset[0] - pad, t.offset[1] - pad);
    let (w, h) = (t.mask.width() + 2 * pad, t.mask.height() + 2 * pad);
    let mut crop = image::imageops::crop_imm(&img, x0, y0, w, h).to_image();
    for (x, _, p) in crop.enumerate_pixels_mut() {
        let f = 0.75 + 0.25 * x as f32 / w as f32;
        for c in 0..3 {
            p.0[c] = (p.0[c] as f32 * f) as u8;
        }
    }
    let mut bytes = Vec::new();
    crop.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
    let r = import_single(&bytes, &ImportOptions { dpi: Some(300.0), ..ImportOptions::default() }).unwrap();
    let s = &r.samples[0];
    assert_eq!(s.kind, SampleKind::OfficialSeal);
    let d = s.diameter_mm.expect("diameter");
    assert!((d - t.diameter_mm.unwrap()).abs() <= 0.3, "{d} vs {:?}", t.diameter_mm);
    let iou = synth::mask_iou(&s.pixels.mask, [s.mask_offset[0] + x0, s.mask_offset[1] + y0], &t.mask, t.offset);
    assert!(iou >= 0.85, "iou {iou}");
    assert!(!s.defects.contains(&Defect::BgNotWhite), "{:?} {:?}", s.defects, s.metrics);
    // Seen square-on: nothing to straighten.
    assert!(s.metrics.contains(&("view_stretch", 1.0)), "{:?}", s.metrics);
}

/// Purple-red (紫红) seal ink and violet pen ink. Redness `R − max(G, B)` reads purple-red as
/// pale; `R − G` reads violet as red, so a violet signature row looks like a row of seals.
/// Both must come out right: purple-red masked whole and judged `off_color` (not `pale`),
/// violet judged a signature with its ink masked.
#[test]
fn purple_red_seals_and_violet_signatures() {
    let sheets: Vec<SynthOptions> = [7_400_001u64, 7_400_002]
        .into_iter()
        .map(|seed| SynthOptions {
            seed,
            layout: Layout::SealCollection,
            defect_rate: 0.0,
            tinted: Some(false),
            seal_ink: Some([175.0, 30.0, 110.0]),
            signature_ink: Some([110.0, 50.0, 170.0]),
            ..SynthOptions::default()
        })
        .collect();
    let s = run(&sheets);
    let text = describe(&s);
    println!("{text}");
    assert_eq!(s.boxes_found, s.boxes_truth, "{text}");
    assert_eq!(s.kind_correct, s.boxes_found, "row kinds\n{text}");
    assert!(s.mean_iou() >= 0.85, "mean mask IoU\n{text}");
    assert_eq!(s.f1(Defect::Pale), 1.0, "purple-red is not pale\n{text}");
    assert!(s.f1(Defect::OffColor) >= 0.9, "purple-red is off colour\n{text}");
    assert!(s.macro_f1() >= 0.90, "{text}");
}

/// Squashes `img` by `factor` along the direction `deg` about its centre (a photo taken at an
/// angle, the affine approximation that holds for a 40 mm object seen from a phone's
/// distance), on a canvas big enough for the result; paper colour outside.
fn squash(img: &image::RgbImage, deg: f32, factor: f32) -> image::RgbImage {
    let (c, s) = (deg.to_radians().cos(), deg.to_radians().sin());
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (cx, cy) = (0.5 * w, 0.5 * h);
    // Inverse map: output → source, the squash undone (stretch by 1/factor along (c, s)).
    let src = |x: f32, y: f32| {
        let (dx, dy) = (x - cx, y - cy);
        let along = (dx * c + dy * s) / factor;
        let across = -dx * s + dy * c;
        (cx + along * c - across * s, cy + along * s + across * c)
    };
    let paper = *img.get_pixel(2, 2);
    image::RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let (sx, sy) = src(x as f32 + 0.5, y as f32 + 0.5);
        let (sx, sy) = (sx - 0.5, sy - 0.5);
        if sx < 0.0 || sy < 0.0 || sx >= w - 1.0 || sy >= h - 1.0 {
            return paper;
        }
        let (ix, iy) = (sx as u32, sy as u32);
        let (ax, ay) = (sx - ix as f32, sy - iy as f32);
        let mut out = [0u8; 3];
        for (k, o) in out.iter_mut().enumerate() {
            let p = |x: u32, y: u32| img.get_pixel(x, y).0[k] as f32;
            let v = p(ix, iy) * (1.0 - ax) * (1.0 - ay) + p(ix + 1, iy) * ax * (1.0 - ay) + p(ix, iy + 1) * (1.0 - ax) * ay + p(ix + 1, iy + 1) * ax * ay;
            *o = (v + 0.5) as u8;
        }
        image::Rgb(out)
    })
}

/// Crops one box's impression out of a synthetic sheet with a margin.
fn crop_impression(sheet: &synth::SynthSheet, t: &synth::TruthSample) -> image::RgbImage {
    let img = image::load_from_memory(&sheet.bytes).unwrap().to_rgb8();
    let pad = 60;
    image::imageops::crop_imm(&img, t.offset[0] - pad, t.offset[1] - pad, t.mask.width() + 2 * pad, t.mask.height() + 2 * pad).to_image()
}

fn png(img: &image::RgbImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
    bytes
}

/// Single-impression mode on photos of a round 公章 taken at an angle (squashed to 80 % along
/// 30°, to 70 % along −60°): straightened, so the size is the seal's (along the direction the
/// tilt did not shorten) and the impression is not judged double, broken or smudged.
#[test]
fn single_impression_photographed_at_an_angle() {
    let o = SynthOptions { seed: 7_500_001, layout: Layout::Sampling, defect_rate: 0.0, skew_deg: Some(0.0), tinted: Some(false), ..SynthOptions::default() };
    let sheet = synth::generate(&o);
    let t = sheet.truth.iter().find(|t| !t.empty).expect("a stamped box");
    let crop = crop_impression(&sheet, t);
    for (deg, factor) in [(30.0f32, 0.80f32), (-60.0, 0.70)] {
        let r = import_single(&png(&squash(&crop, deg, factor)), &ImportOptions { dpi: Some(300.0), ..ImportOptions::default() }).unwrap();
        let s = &r.samples[0];
        assert_eq!(s.kind, SampleKind::OfficialSeal, "{:?} {:?}", s.defects, s.metrics);
        let stretch = metric(&s.metrics, "view_stretch");
        assert!(stretch.is_some_and(|v| (v - 1.0 / factor).abs() < 0.04), "stretch {stretch:?}, squashed by {factor}");
        let (got, want) = (s.diameter_mm.expect("diameter"), t.diameter_mm.unwrap());
        assert!((got - want).abs() <= 0.5, "{got} mm vs {want} mm {:?}", s.metrics);
        for d in [Defect::Double, Defect::Broken, Defect::Smudged] {
            assert!(!s.defects.contains(&d), "{:?} {:?}", s.defects, s.metrics);
        }
    }
}

/// A double impression in single-impression mode is elongated like a slightly tilted view;
/// it must not be straightened away: still `double`, no view correction.
#[test]
fn single_double_impression_is_not_straightened() {
    let found = (7_600_000u64..7_600_200).find_map(|seed| {
        let o = SynthOptions { seed, layout: Layout::Sampling, defect_rate: 1.0, skew_deg: Some(0.0), tinted: Some(false), ..SynthOptions::default() };
        let sheet = synth::generate(&o);
        let t = sheet.truth.iter().find(|t| t.defects == [Defect::Double])?.clone();
        Some((sheet, t))
    });
    let (sheet, t) = found.expect("a sheet with a plain double impression");
    let r = import_single(&png(&crop_impression(&sheet, &t)), &ImportOptions { dpi: Some(300.0), ..ImportOptions::default() }).unwrap();
    let s = &r.samples[0];
    assert!(s.defects.contains(&Defect::Double), "{:?} {:?}", s.defects, s.metrics);
    assert!(s.metrics.contains(&("view_stretch", 1.0)), "{:?}", s.metrics);
}

/// Issue 34: a seal's tilt is read against the page, whatever the scan's skew. The generator
/// turns untilted seals by at most 1.5° and tilted ones by 9-30° on the page, then scans the
/// page 3° askew one way or the other: untilted seals read within 1.5 + 1° of upright (the
/// skew taken off twice read 1.5-4.5°), tilted ones at least 8°.
#[test]
fn tilt_is_read_against_the_page_not_the_scan() {
    let layouts = [Layout::SealCollection, Layout::SealApplication, Layout::Sampling];
    let mut checked = 0;
    for (k, skew) in [3.0f32, -3.0, 3.0, -3.0, 3.0, -3.0].into_iter().enumerate() {
        let o = SynthOptions { seed: 7_300_001 + k as u64, dpi: 150.0, layout: layouts[k % 3], skew_deg: Some(skew), ..SynthOptions::default() };
        let sheet = synth::generate(&o);
        let report = import_sheet(&sheet.bytes, &ImportOptions::default()).unwrap_or_else(|e| panic!("seed {}: {e}", o.seed));
        for t in sheet.truth.iter().filter(|t| t.kind.is_seal() && !t.empty) {
            let Some(s) = report.samples.iter().find(|s| s.row == t.row && s.col == t.col) else { continue };
            if [Defect::Double, Defect::Smudged, Defect::Broken].iter().any(|d| t.defects.contains(d)) {
                continue;
            }
            let tilt = s.tilt_deg.unwrap_or_else(|| panic!("seed {} r{}c{}: no tilt", o.seed, t.row, t.col));
            if t.defects.contains(&Defect::Tilted) {
                assert!(tilt.abs() >= 8.0, "seed {} skew {skew}° r{}c{}: a tilted seal reads {tilt:.2}°", o.seed, t.row, t.col);
            } else {
                assert!(tilt.abs() <= 2.5, "seed {} skew {skew}° r{}c{}: an upright seal reads {tilt:.2}°", o.seed, t.row, t.col);
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} seals checked");
}

/// A box the importer does not find keeps its labels in the figures as missed, and a box it
/// reports that the truth does not have counts its labels as given wrongly: each label's
/// support is the truth's, whatever was found (issue 34: a box lost with its row had been
/// scored nowhere).
#[test]
fn labels_of_boxes_not_found_count_as_missed() {
    let o = SynthOptions { seed: 7_900_201, dpi: 150.0, defect_rate: 1.0, ..SynthOptions::default() };
    let sheet = synth::generate(&o);
    let report = import_sheet(&sheet.bytes, &ImportOptions::default()).unwrap();
    let mut whole = Scores::new();
    whole.add(&report, &sheet.truth, sheet.dpi);
    assert_eq!(whole.boxes_found, whole.boxes_truth, "{}", describe(&whole));
    assert_eq!((whole.labels_in_boxes_not_found, whole.labels_in_extra_boxes), (0, 0));

    let truth = sheet.truth.iter().find(|t| t.defects.iter().any(|d| d.applies_to(t.kind) && !t.borderline.contains(d))).expect("a labelled box");
    let at = report.samples.iter().position(|s| synth::same_box(s, truth, sheet.dpi)).unwrap();
    let mut moved = report.clone();
    let mut lost = moved.samples.remove(at);
    let given = lost.defects.iter().filter(|d| d.applies_to(lost.kind)).count();
    let wrong_when_matched = lost.defects.iter().filter(|d| d.applies_to(truth.kind) && !truth.borderline.contains(d) && !truth.defects.contains(d)).count();
    let shift = 60.0 * sheet.dpi / 25.4;
    for p in &mut lost.box_quad {
        p[1] += shift;
    }
    moved.samples.push(lost);
    let mut part = Scores::new();
    part.add(&moved, &sheet.truth, sheet.dpi);

    let missed = truth.defects.iter().filter(|d| d.applies_to(truth.kind) && !truth.borderline.contains(d)).count();
    assert_eq!(part.boxes_found + 1, whole.boxes_found);
    assert_eq!(part.labels_in_boxes_not_found, missed);
    assert_eq!(part.labels_in_extra_boxes, given);
    for (a, b) in whole.labels.iter().zip(&part.labels) {
        assert_eq!(a.1 + a.3, b.1 + b.3, "{}: support is the truth's", a.0.as_str());
    }
    let (fp_whole, fp_part): (usize, usize) = (whole.labels.iter().map(|l| l.2).sum(), part.labels.iter().map(|l| l.2).sum());
    assert_eq!(fp_part, fp_whole - wrong_when_matched + given, "false positives: the box's own, now as an extra box");
}
