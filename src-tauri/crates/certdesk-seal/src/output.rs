//! Writing a report's pixels: one binary mask PNG (scan pixels, at `mask_offset`) and one
//! RGBA PNG (at the output resolution, with a pHYs chunk so it keeps its true size) per
//! non-empty sample, named `r{row}c{col}_mask.png` and `r{row}c{col}.png`.

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, ImageFormat};

use crate::decode::png_with_dpi;
use crate::{SealError, SheetReport};

/// Writes the PNGs of every non-empty sample into `dir` (created if missing) and fills the
/// `mask` and `image` paths of the report.
pub fn write_outputs(report: &mut SheetReport, dir: &Path) -> Result<(), SealError> {
    std::fs::create_dir_all(dir).map_err(|source| SealError::Write { path: dir.to_path_buf(), source })?;
    let out_dpi = report.output_dpi;
    let scan_dpi = report.dpi;
    for s in &mut report.samples {
        if s.empty || s.pixels.mask.width() == 0 {
            continue;
        }
        let stem = format!("r{}c{}", s.row, s.col);
        let mask_path = dir.join(format!("{stem}_mask.png"));
        write_png(DynamicImage::ImageLuma8(s.pixels.mask.clone()), scan_dpi, &mask_path)?;
        let img_path = dir.join(format!("{stem}.png"));
        write_png(DynamicImage::ImageRgba8(s.pixels.rgba.clone()), out_dpi, &img_path)?;
        s.mask = Some(mask_path.display().to_string());
        s.image = Some(img_path.display().to_string());
    }
    Ok(())
}

fn write_png(img: DynamicImage, dpi: f32, path: &Path) -> Result<(), SealError> {
    let mut buf = Vec::new();
    img.write_to(&mut Cursor::new(&mut buf), ImageFormat::Png).map_err(|source| SealError::Encode { path: path.to_path_buf(), source })?;
    std::fs::write(path, png_with_dpi(buf, dpi)).map_err(|source| SealError::Write { path: path.to_path_buf(), source })
}
