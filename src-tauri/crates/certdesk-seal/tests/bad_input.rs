//! Bad inputs: truncated files, non-images, decompression bombs (refused from the header,
//! before decoding), absurd sizes and resolutions; and the dpi read from file metadata.

use std::io::Cursor;

use certdesk_seal::synth::{self, Layout, SynthOptions};
use certdesk_seal::{DpiSource, ImportOptions, SealError, import_sheet, import_single};
use image::{ImageFormat, RgbImage};

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

fn small_png(w: u32, h: u32) -> Vec<u8> {
    let mut buf = Vec::new();
    RgbImage::from_pixel(w, h, image::Rgb([250, 250, 250])).write_to(&mut Cursor::new(&mut buf), ImageFormat::Png).unwrap();
    buf
}

#[test]
fn not_an_image_is_refused() {
    let e = import_sheet(b"%PDF-1.7 this is not a scan", &ImportOptions::default()).unwrap_err();
    assert!(matches!(e, SealError::UnknownFormat), "{e:?}");
    let e = import_sheet(b"", &ImportOptions::default()).unwrap_err();
    assert!(matches!(e, SealError::UnknownFormat), "{e:?}");
}

#[test]
fn truncated_png_and_jpeg_are_refused_with_a_decode_error() {
    let o = SynthOptions { seed: 11, dpi: 150.0, layout: Layout::Sampling, ..SynthOptions::default() };
    let png = synth::generate(&o).bytes;
    for cut in [png.len() / 2, 40, 20] {
        let e = import_sheet(&png[..cut], &ImportOptions::default()).unwrap_err();
        assert!(matches!(e, SealError::Decode(_) | SealError::Header(_)), "cut {cut}: {e:?}");
    }
    let jpg = synth::generate(&SynthOptions { jpeg_quality: Some(80), ..o }).bytes;
    let e = import_sheet(&jpg[..jpg.len() / 3], &ImportOptions::default());
    // A truncated JPEG may decode as a grey-padded image; it must never panic, and if it
    // decodes, its lower half has no boxes left to find.
    if let Err(e) = e {
        assert!(matches!(e, SealError::Decode(_) | SealError::Header(_) | SealError::NoBoxes), "{e:?}");
    }
}

#[test]
fn decompression_bomb_is_refused_from_the_header() {
    // A PNG whose IHDR claims 100 000 × 100 000 pixels, with almost no data behind it.
    let mut png = small_png(8, 8);
    png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    let e = import_sheet(&png, &ImportOptions::default()).unwrap_err();
    match e {
        SealError::TooLarge { width, height, pixels, .. } => {
            assert_eq!((width, height, pixels), (100_000, 100_000, 10_000_000_000));
        }
        other => panic!("{other:?}"),
    }
    // A real image over a small budget.
    let e = import_single(&small_png(200, 200), &ImportOptions { max_pixels: 10_000, ..ImportOptions::default() }).unwrap_err();
    assert!(matches!(e, SealError::TooLarge { .. }), "{e:?}");
}

#[test]
fn absurd_sizes_and_resolutions_are_refused() {
    let e = import_single(&small_png(10, 10), &ImportOptions::default()).unwrap_err();
    assert!(matches!(e, SealError::TooSmall { .. }), "{e:?}");
    let e = import_single(&small_png(200, 200), &ImportOptions { dpi: Some(5.0), ..ImportOptions::default() }).unwrap_err();
    assert!(matches!(e, SealError::AbsurdDpi { .. }), "{e:?}");
    // A blank page has no boxes.
    let e = import_sheet(&small_png(600, 850), &ImportOptions { dpi: Some(100.0), ..ImportOptions::default() }).unwrap_err();
    assert!(matches!(e, SealError::NoBoxes), "{e:?}");
}

#[test]
fn dpi_is_read_from_png_and_jpeg_metadata_and_inferred_without_it() {
    let o = SynthOptions { seed: 12, dpi: 200.0, layout: Layout::SealCollection, ..SynthOptions::default() };
    let r = import_sheet(&synth::generate(&o).bytes, &ImportOptions::default()).unwrap();
    assert_eq!(r.dpi_source, DpiSource::File);
    assert!((r.dpi - 200.0).abs() < 0.5, "{}", r.dpi);
    let r = import_sheet(&synth::generate(&SynthOptions { jpeg_quality: Some(85), ..o.clone() }).bytes, &ImportOptions::default()).unwrap();
    assert_eq!(r.dpi_source, DpiSource::File);
    assert!((r.dpi - 200.0).abs() < 0.5);
    // Re-encoded as BMP and TIFF by the image crate (no usable resolution): the A4 page size
    // gives the dpi, and the given dpi wins over everything.
    let img = image::load_from_memory(&synth::generate(&o).bytes).unwrap();
    for fmt in [ImageFormat::Bmp, ImageFormat::Tiff] {
        let mut buf = Vec::new();
        img.write_to(&mut Cursor::new(&mut buf), fmt).unwrap();
        let r = import_sheet(&buf, &ImportOptions::default()).unwrap();
        assert!((r.dpi - 200.0).abs() < 3.0, "{fmt:?}: {} {:?}", r.dpi, r.dpi_source);
        assert_eq!(r.samples.len(), 9, "{fmt:?}");
        let r = import_sheet(&buf, &ImportOptions { dpi: Some(200.0), ..ImportOptions::default() }).unwrap();
        assert_eq!(r.dpi_source, DpiSource::Option);
    }
}

/// Issue 76: a scanner that reads its colours at different places along the travel (a CIS whose
/// green and blue lines are read late, an uncorrected three-line CCD) fringes every thin black
/// rule in colour. The boxes are still found and the seals still read.
#[test]
fn rules_fringed_by_a_scanners_colour_misregistration_are_still_lines() {
    let o = SynthOptions { seed: 13, dpi: 150.0, layout: Layout::SealCollection, defect_rate: 0.0, ..SynthOptions::default() };
    let clean = import_sheet(&synth::generate(&o).bytes, &ImportOptions::default()).unwrap();
    let img = image::load_from_memory(&synth::generate(&o).bytes).unwrap().to_rgb8();
    for (green, blue) in [(1u32, 1u32), (1, 2)] {
        let mut fringed = img.clone();
        for (x, y, p) in fringed.enumerate_pixels_mut() {
            p.0[1] = img.get_pixel(x, y.saturating_sub(green)).0[1];
            p.0[2] = img.get_pixel(x, y.saturating_sub(blue)).0[2];
        }
        let mut png = Vec::new();
        fringed.write_to(&mut Cursor::new(&mut png), ImageFormat::Png).unwrap();
        let r = import_sheet(&png, &ImportOptions { dpi: Some(150.0), ..ImportOptions::default() }).unwrap_or_else(|e| panic!("green {green} px, blue {blue} px late: {e}"));
        assert_eq!(r.samples.len(), clean.samples.len(), "green {green} px, blue {blue} px late");
        let kinds = |r: &certdesk_seal::SheetReport| r.samples.iter().map(|s| (s.row, s.col, s.kind, s.empty)).collect::<Vec<_>>();
        assert_eq!(kinds(&r), kinds(&clean), "green {green} px, blue {blue} px late");
    }
}
