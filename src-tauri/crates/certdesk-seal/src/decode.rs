//! Decoding of scans. Owns the format sniffing, the pixel-budget check made on the header
//! alone (before any pixel is decoded), the decoder allocation limits, and reading the scan
//! resolution from the file's own metadata (PNG pHYs, JPEG JFIF density or EXIF, TIFF
//! XResolution/ResolutionUnit, BMP pixels per metre).

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits, RgbImage};
use serde::Serialize;

use crate::analyse::{LevelCounts, luma8};
use crate::{ImportOptions, SealError};

/// Where the scan resolution came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DpiSource {
    /// Given by the caller (`--dpi`).
    Option,
    /// Read from the file's metadata.
    File,
    /// No usable metadata: inferred from the A4 page size.
    A4Page,
    /// No metadata, single impression: 300 dpi assumed.
    Assumed,
    /// A phone photo of a sheet: from the paper's edges in the photo, taken as A4.
    PaperEdges,
}

/// A decoded scan.
pub(crate) struct Decoded {
    pub rgb: RgbImage,
    pub dpi: f32,
    pub dpi_source: DpiSource,
}

/// Reads format and dimensions from the header only.
pub fn probe(bytes: &[u8]) -> Result<(ImageFormat, u32, u32), SealError> {
    let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| SealError::Header(e.into()))?;
    let format = reader.format().ok_or(SealError::UnknownFormat)?;
    if !matches!(format, ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Tiff | ImageFormat::Bmp) {
        return Err(SealError::UnknownFormat);
    }
    let (w, h) = reader.into_dimensions().map_err(SealError::Header)?;
    Ok((format, w, h))
}

pub(crate) fn decode(bytes: &[u8], opts: &ImportOptions, sheet: bool) -> Result<Decoded, SealError> {
    let (format, width, height) = probe(bytes)?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels > opts.max_pixels {
        return Err(SealError::TooLarge { width, height, pixels, budget: opts.max_pixels });
    }
    if width < 64 || height < 64 {
        return Err(SealError::TooSmall { width, height });
    }
    let (dpi, dpi_source) = match opts.dpi {
        Some(d) => (d, DpiSource::Option),
        None => match file_dpi(bytes, format) {
            Some(d) => (d, DpiSource::File),
            None if sheet => (width.max(height) as f32 / (297.0 / 25.4), DpiSource::A4Page),
            None => (300.0, DpiSource::Assumed),
        },
    };
    if !(100.0..=1200.0).contains(&dpi) || !dpi.is_finite() {
        return Err(SealError::AbsurdDpi { dpi });
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    // RGBA16 of the whole image plus decoder scratch.
    limits.max_alloc = Some(pixels.saturating_mul(8).saturating_add(64 << 20));
    reader.limits(limits);
    let img = reader.decode().map_err(SealError::Decode)?;
    let rgb = img.into_rgb8();
    let dpi = if dpi_source == DpiSource::A4Page { paper_long_side(&rgb) as f32 / (297.0 / 25.4) } else { dpi };
    Ok(Decoded { rgb, dpi, dpi_source })
}

/// Under this share of the paper's luma a line's pixel is no paper: a scanner's black backing
/// (0–0.25 of the paper; 0.4 where its software whitened the scan: maker Q's read 102 against a
/// paper of 252), or a dark desk, not a form's print over part of a line. The paper's luma is
/// the image's 90th percentile: paper is most of a scanned page.
const BACKING_SHARE: f32 = 0.6;

/// The most of a side a margin of backing may take: 4 % (12 mm of A4's long side, 8 mm of its
/// short side), several times any backing left round a page.
const BACKING_MAX_SHARE: f32 = 0.04;

/// The paper's long side in pixels: the image less the margins of backing along its edges,
/// rows and columns of which under half the pixels are paper (`BACKING_SHARE`). A sheet-fed
/// scanner with its crop off keeps 1–3 mm of its black backing round the page (issue 76, maker
/// Q: a resolution taken from the whole image as A4 made every mm 0.7–2 % short, its 公章
/// 0.3–0.5 mm small). A page turned in the feed leaves wedges of backing at its corners; a
/// line is backing until half of it is paper, i.e. up to the middle of a slanting edge, so the
/// extent is the page's own along its middle. No backing: the whole image, as before.
fn paper_long_side(rgb: &RgbImage) -> u32 {
    let (w, h) = rgb.dimensions();
    let luma = |x: u32, y: u32| {
        let [r, g, b] = rgb.get_pixel(x, y).0;
        luma8(r, g, b)
    };
    let sampled = (0..h).step_by(8).flat_map(|y| (0..w).step_by(8).map(move |x| (x, y)));
    let level = LevelCounts::new(sampled.map(|(x, y)| luma(x, y))).quantile(0.9);
    let least = (level * BACKING_SHARE) as u8;
    let paper = |x: u32, y: u32| luma(x, y) >= least;
    // Whether a row (or column) is backing: under half its pixels, read every 4th, are paper.
    let row_is_backing = |y: u32| (0..w).step_by(4).filter(|&x| paper(x, y)).count() * 2 < w.div_ceil(4) as usize;
    let col_is_backing = |x: u32| (0..h).step_by(4).filter(|&y| paper(x, y)).count() * 2 < h.div_ceil(4) as usize;
    let margin = |len: u32, backing: &dyn Fn(u32) -> bool, from_end: bool| {
        let most = (len as f32 * BACKING_MAX_SHARE) as u32;
        let n = (0..most).take_while(|&i| backing(if from_end { len - 1 - i } else { i })).count() as u32;
        // A margin as wide as the most allowed is no backing left round a page: none.
        if n >= most { 0 } else { n }
    };
    let across = w - margin(w, &col_is_backing, false) - margin(w, &col_is_backing, true);
    let down = h - margin(h, &row_is_backing, false) - margin(h, &row_is_backing, true);
    across.max(down)
}

/// Resolution from the file's metadata, when present and plausible (100–1200 dpi; 72/96 are
/// the usual "unknown" defaults of image software and are ignored).
pub fn file_dpi(bytes: &[u8], format: ImageFormat) -> Option<f32> {
    let d = match format {
        ImageFormat::Png => png_dpi(bytes),
        ImageFormat::Jpeg => jpeg_dpi(bytes),
        ImageFormat::Tiff => tiff_dpi(bytes),
        ImageFormat::Bmp => bmp_dpi(bytes),
        _ => None,
    }?;
    (100.0..=1200.0).contains(&d).then_some(d)
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn png_dpi(b: &[u8]) -> Option<f32> {
    let mut at = 8;
    while at + 8 <= b.len() {
        let len = be32(b, at)? as usize;
        let kind = b.get(at + 4..at + 8)?;
        if kind == b"pHYs" {
            let x = be32(b, at + 8)?;
            let unit = *b.get(at + 16)?;
            return (unit == 1).then_some(x as f32 * 0.0254);
        }
        if kind == b"IDAT" || kind == b"IEND" {
            return None;
        }
        at = at.checked_add(12)?.checked_add(len)?;
    }
    None
}

fn jpeg_dpi(b: &[u8]) -> Option<f32> {
    let mut at = 2;
    while at + 4 <= b.len() {
        if b[at] != 0xFF {
            return None;
        }
        let marker = b[at + 1];
        if marker == 0xD8 || marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            at += 2;
            continue;
        }
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        let len = u16::from_be_bytes([b[at + 2], b[at + 3]]) as usize;
        let seg = b.get(at + 4..at + 2 + len)?;
        if marker == 0xE0 && seg.starts_with(b"JFIF\0") && seg.len() >= 12 {
            let units = seg[7];
            let x = u16::from_be_bytes([seg[8], seg[9]]) as f32;
            match units {
                1 => return Some(x),
                2 => return Some(x * 2.54),
                _ => {}
            }
        }
        if marker == 0xE1
            && seg.starts_with(b"Exif\0\0")
            && let Some(d) = tiff_dpi(&seg[6..])
        {
            return Some(d);
        }
        at += 2 + len;
    }
    None
}

fn tiff_dpi(b: &[u8]) -> Option<f32> {
    let le = match b.get(0..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let s: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
        Some(if le { u16::from_le_bytes(s) } else { u16::from_be_bytes(s) })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let s: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
        Some(if le { u32::from_le_bytes(s) } else { u32::from_be_bytes(s) })
    };
    let ifd = u32_at(4)? as usize;
    let n = u16_at(ifd)? as usize;
    let (mut xres, mut unit) = (None, 2u16);
    for i in 0..n.min(512) {
        let e = ifd + 2 + 12 * i;
        let tag = u16_at(e)?;
        match tag {
            282 => {
                let off = u32_at(e + 8)? as usize;
                let (num, den) = (u32_at(off)?, u32_at(off + 4)?);
                if den != 0 {
                    xres = Some(num as f32 / den as f32);
                }
            }
            296 => unit = u16_at(e + 8)?,
            _ => {}
        }
    }
    match unit {
        2 => xres,
        3 => xres.map(|x| x * 2.54),
        _ => None,
    }
}

fn bmp_dpi(b: &[u8]) -> Option<f32> {
    let hdr = u32::from_le_bytes(b.get(14..18)?.try_into().ok()?);
    if hdr < 40 {
        return None;
    }
    let ppm = i32::from_le_bytes(b.get(38..42)?.try_into().ok()?);
    (ppm > 0).then_some(ppm as f32 * 0.0254)
}

/// Inserts a pHYs chunk (pixels per metre) after the IHDR of a PNG, so the written seal images
/// carry their true size.
pub(crate) fn png_with_dpi(png: Vec<u8>, dpi: f32) -> Vec<u8> {
    if png.len() < 33 || &png[12..16] != b"IHDR" {
        return png;
    }
    let ppm = (dpi / 0.0254).round() as u32;
    let mut chunk = Vec::with_capacity(21);
    chunk.extend_from_slice(&9u32.to_be_bytes());
    chunk.extend_from_slice(b"pHYs");
    chunk.extend_from_slice(&ppm.to_be_bytes());
    chunk.extend_from_slice(&ppm.to_be_bytes());
    chunk.push(1);
    let crc = crc32(&chunk[4..]);
    chunk.extend_from_slice(&crc.to_be_bytes());
    let mut out = Vec::with_capacity(png.len() + chunk.len());
    out.extend_from_slice(&png[..33]);
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&png[33..]);
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_phys_round_trips() {
        let img = RgbImage::new(100, 80);
        let mut buf = Vec::new();
        img.write_to(&mut Cursor::new(&mut buf), ImageFormat::Png).unwrap();
        let with = png_with_dpi(buf, 300.0);
        let d = file_dpi(&with, ImageFormat::Png).unwrap();
        assert!((d - 300.0).abs() < 0.1, "{d}");
        assert!(image::load_from_memory(&with).is_ok());
    }

    #[test]
    fn a_page_scanned_on_black_backing_takes_its_resolution_from_the_paper() {
        // An A4 page at 200 dpi (1654 × 2339) on a sheet-fed scanner's black backing: 2 mm
        // (16 px) above, 3 mm (24 px) below, 1.5 mm (12 px) at each side, turned 1° in the feed.
        // The whole image taken as A4 reads 203.2 dpi; the paper reads 200.
        let (pw, ph) = (1654u32, 2339u32);
        let (w, h) = (pw + 24, ph + 40);
        let turn = 1f32.to_radians();
        let img = RgbImage::from_fn(w, h, |x, y| {
            let (dx, dy) = (x as f32 - (12.0 + pw as f32 / 2.0), y as f32 - (16.0 + ph as f32 / 2.0));
            let (u, v) = (dx * turn.cos() + dy * turn.sin(), -dx * turn.sin() + dy * turn.cos());
            let on_paper = u.abs() <= pw as f32 / 2.0 && v.abs() <= ph as f32 / 2.0;
            // a printed rule across the page's top, dark as the backing, is no margin
            let rule = (200..206).contains(&y);
            image::Rgb(if on_paper && !rule {
                [246, 245, 240]
            } else if on_paper {
                [30, 30, 30]
            } else {
                [18, 18, 20]
            })
        });
        let mut png = Vec::new();
        img.write_to(&mut Cursor::new(&mut png), ImageFormat::Png).unwrap();
        let sheet = decode(&png, &ImportOptions::default(), true).unwrap();
        assert_eq!(sheet.dpi_source, DpiSource::A4Page);
        assert!((sheet.dpi - 200.0).abs() < 0.5, "{}", sheet.dpi);
        // without backing, the whole image is the page
        let bare = RgbImage::from_pixel(pw, ph, image::Rgb([246, 245, 240]));
        let mut png = Vec::new();
        bare.write_to(&mut Cursor::new(&mut png), ImageFormat::Png).unwrap();
        assert!((decode(&png, &ImportOptions::default(), true).unwrap().dpi - 200.0).abs() < 0.2);
    }

    #[test]
    fn crc_matches_known_value() {
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    }
}
