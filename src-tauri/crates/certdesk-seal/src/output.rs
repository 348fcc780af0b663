//! Writing a report's pixels: one binary mask PNG (scan pixels, at `mask_offset`) and one
//! RGBA PNG (at the output resolution, with a pHYs chunk so it keeps its true size) per
//! non-empty sample, named `r{row}c{col}_mask.png` and `r{row}c{col}.png`; and a sample's RGBA
//! PNG in memory, also for the ink an empty verdict set aside (`sample_png`).

use std::io::Cursor;
use std::path::Path;

use image::{EncodableLayout, ImageBuffer, ImageFormat, PixelWithColorType};

use crate::decode::png_with_dpi;
use crate::{Sample, SealError, SheetReport};

/// Writes the PNGs of every non-empty sample into `dir` (created if missing) and fills the
/// `mask` and `image` paths of the report.
pub fn write_outputs(report: &mut SheetReport, dir: &Path) -> Result<(), SealError> {
    std::fs::create_dir_all(dir).map_err(|source| SealError::Write { path: dir.to_path_buf(), source })?;
    let out_dpi = report.output_dpi;
    let scan_dpi = report.dpi;
    for s in &mut report.samples {
        if s.empty || !s.has_image() {
            continue;
        }
        let stem = format!("r{}c{}", s.row, s.col);
        let mask_path = dir.join(format!("{stem}_mask.png"));
        write_png(&s.pixels.mask, scan_dpi, &mask_path)?;
        let img_path = dir.join(format!("{stem}.png"));
        write_png(&s.pixels.rgba, out_dpi, &img_path)?;
        s.mask = Some(mask_path.display().to_string());
        s.image = Some(img_path.display().to_string());
    }
    Ok(())
}

/// The sample's RGBA PNG at `out_dpi` (the report's `output_dpi`), as [`write_outputs`] writes
/// it; also for an empty sample whose ink the importer set aside as a stain, so the clerk can
/// see it. `None` for a box without ink (the paper's noise included).
pub fn sample_png(sample: &Sample, out_dpi: f32) -> Result<Option<Vec<u8>>, SealError> {
    if !sample.has_image() {
        return Ok(None);
    }
    let name = std::path::PathBuf::from(format!("r{}c{}.png", sample.row, sample.col));
    encode_png(&sample.pixels.rgba, out_dpi, &name).map(Some)
}

fn encode_png<P>(img: &ImageBuffer<P, Vec<P::Subpixel>>, dpi: f32, path: &Path) -> Result<Vec<u8>, SealError>
where
    P: PixelWithColorType,
    [P::Subpixel]: EncodableLayout,
{
    let mut buf = Vec::new();
    img.write_to(&mut Cursor::new(&mut buf), ImageFormat::Png).map_err(|source| SealError::Encode { path: path.to_path_buf(), source })?;
    Ok(png_with_dpi(buf, dpi))
}

fn write_png<P>(img: &ImageBuffer<P, Vec<P::Subpixel>>, dpi: f32, path: &Path) -> Result<(), SealError>
where
    P: PixelWithColorType,
    [P::Subpixel]: EncodableLayout,
{
    let png = encode_png(img, dpi, path)?;
    std::fs::write(path, png).map_err(|source| SealError::Write { path: path.to_path_buf(), source })
}
