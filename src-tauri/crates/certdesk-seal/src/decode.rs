//! Decoding of scans. Owns the format sniffing, the pixel-budget check made on the header
//! alone (before any pixel is decoded), the decoder allocation limits, and reading the scan
//! resolution from the file's own metadata (PNG pHYs, JPEG JFIF density or EXIF, TIFF
//! XResolution/ResolutionUnit, BMP pixels per metre).

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits, RgbImage};
use serde::Serialize;

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
    Ok(Decoded { rgb: img.into_rgb8(), dpi, dpi_source })
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
    fn crc_matches_known_value() {
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    }
}
