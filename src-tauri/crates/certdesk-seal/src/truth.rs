//! Reads a set of sheets made outside this crate (the independent makers of
//! `tests/seal-sheets/`, format in `tests/seal-sheets/truth.md`): per sheet `NNN.<ext>` and
//! `NNN.truth.json` with one mask PNG per impression. Gives each sheet's bytes, resolution and
//! [`TruthSample`]s, so `synth::Scores::add` scores every maker with the same code. Owns the
//! file format only; it draws nothing and judges nothing.
//!
//! Departs from the design (§4.2) in one point: `read` returns [`TruthSheet`]s (named fields,
//! the sheet's file name and maker kept for the benchmark's lines) instead of tuples.

use std::path::{Path, PathBuf};

use image::GrayImage;
use serde::Deserialize;

use crate::synth::TruthSample;
use crate::{Defect, SampleKind};

/// One sheet of an external set with its truth.
#[derive(Debug, Clone)]
pub struct TruthSheet {
    /// The scan's file name inside the set's directory.
    pub file: String,
    /// Which maker drew it (`print`, `outline`, …).
    pub maker: String,
    pub bytes: Vec<u8>,
    /// The resolution the sheet was rendered at (whether or not the file says so).
    pub dpi: f32,
    pub dpi_in_file: bool,
    pub skew_deg: f32,
    pub truth: Vec<TruthSample>,
}

#[derive(Debug, thiserror::Error)]
pub enum TruthError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a truth file of the documented format")]
    Format {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("cannot decode the mask {path}")]
    Mask {
        path: PathBuf,
        #[source]
        source: image::ImageError,
    },
    #[error("{path}: {what}")]
    Invalid { path: PathBuf, what: String },
    #[error("no *.truth.json in {0}")]
    Empty(PathBuf),
}

#[derive(Deserialize)]
struct SheetDoc {
    maker: String,
    dpi: f32,
    #[serde(default)]
    dpi_in_file: bool,
    #[serde(default)]
    skew_deg: f32,
    file: String,
    boxes: Vec<BoxDoc>,
}

#[derive(Deserialize)]
struct BoxDoc {
    row: usize,
    col: usize,
    kind: SampleKind,
    empty: bool,
    defects: Vec<Defect>,
    #[serde(default)]
    borderline: Vec<Defect>,
    box_centre_px: [f32; 2],
    diameter_mm: Option<f32>,
    size_mm: Option<[f32; 2]>,
    mask: Option<String>,
    mask_offset: Option<[u32; 2]>,
}

/// Reads every `*.truth.json` of `dir` (sorted by name) with its scan and masks.
pub fn read(dir: &Path) -> Result<Vec<TruthSheet>, TruthError> {
    let entries = std::fs::read_dir(dir).map_err(|source| TruthError::Read { path: dir.to_path_buf(), source })?;
    let mut docs: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.to_string_lossy().ends_with(".truth.json")).collect();
    docs.sort();
    if docs.is_empty() {
        return Err(TruthError::Empty(dir.to_path_buf()));
    }
    docs.iter().map(|p| read_sheet(dir, p)).collect()
}

fn read_file(path: &Path) -> Result<Vec<u8>, TruthError> {
    std::fs::read(path).map_err(|source| TruthError::Read { path: path.to_path_buf(), source })
}

/// One sheet: its truth file, the scan it names and the masks of its boxes.
pub fn read_sheet(dir: &Path, truth_path: &Path) -> Result<TruthSheet, TruthError> {
    let text = read_file(truth_path)?;
    let doc: SheetDoc = serde_json::from_slice(&text).map_err(|source| TruthError::Format { path: truth_path.to_path_buf(), source })?;
    let invalid = |what: String| TruthError::Invalid { path: truth_path.to_path_buf(), what };
    if !(50.0..=1200.0).contains(&doc.dpi) {
        return Err(invalid(format!("resolution {} dpi", doc.dpi)));
    }
    let bytes = read_file(&dir.join(&doc.file))?;
    let mut truth = Vec::with_capacity(doc.boxes.len());
    for b in doc.boxes {
        let (mask, offset) = match (&b.mask, b.mask_offset, b.empty) {
            (_, _, true) => (GrayImage::new(1, 1), [0, 0]),
            (Some(name), Some(offset), false) => {
                let path = dir.join(name);
                let img = image::load_from_memory(&read_file(&path)?).map_err(|source| TruthError::Mask { path: path.clone(), source })?;
                (img.to_luma8(), offset)
            }
            _ => return Err(invalid(format!("box r{}c{} is not empty but has no mask", b.row, b.col))),
        };
        let mut defects = b.defects;
        if b.empty && !defects.contains(&Defect::Empty) {
            defects.push(Defect::Empty);
        }
        defects.sort();
        defects.dedup();
        truth.push(TruthSample {
            row: b.row,
            col: b.col,
            kind: b.kind,
            empty: b.empty,
            defects,
            borderline: b.borderline,
            mask,
            offset,
            diameter_mm: b.diameter_mm,
            // The importer's `side_mm` is the mean of a rectangle's sides.
            side_mm: b.size_mm.map(|[w, h]| 0.5 * (w + h)),
            size_mm: b.size_mm.or(b.diameter_mm.map(|d| [d, d])),
            box_centre: b.box_centre_px,
        });
    }
    Ok(TruthSheet { file: doc.file, maker: doc.maker, bytes, dpi: doc.dpi, dpi_in_file: doc.dpi_in_file, skew_deg: doc.skew_deg, truth })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("certdesk-truth-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("temp dir");
        d
    }

    #[test]
    fn reads_a_sheet_with_its_masks_and_sizes() {
        let d = set_dir("ok");
        std::fs::write(d.join("000.png"), b"not decoded here").expect("write");
        let mut m = GrayImage::new(3, 2);
        m.put_pixel(1, 1, image::Luma([255]));
        m.save(d.join("000.r0c0.mask.png")).expect("mask");
        let doc = r#"{"maker": "print", "seed": 1, "dpi": 300, "dpi_in_file": false, "skew_deg": 1.5, "file": "000.png",
          "boxes": [
            {"row": 0, "col": 0, "kind": "official_seal", "empty": false, "defects": ["double"], "borderline": ["pale"],
             "box_centre_px": [10.5, 20.0], "diameter_mm": 41.0, "mask": "000.r0c0.mask.png", "mask_offset": [4, 5]},
            {"row": 1, "col": 0, "kind": "legal_rep_seal", "empty": true, "defects": [], "borderline": [],
             "box_centre_px": [10.0, 90.0], "size_mm": [20.0, 16.0]}
          ]}"#;
        std::fs::write(d.join("000.truth.json"), doc).expect("write");
        let sheets = read(&d).expect("read");
        assert_eq!(sheets.len(), 1);
        let s = &sheets[0];
        assert_eq!((s.maker.as_str(), s.dpi, s.dpi_in_file, s.bytes.len()), ("print", 300.0, false, 16));
        let t = &s.truth[0];
        assert_eq!((t.kind, t.defects.clone(), t.borderline.clone()), (SampleKind::OfficialSeal, vec![Defect::Double], vec![Defect::Pale]));
        assert_eq!((t.mask.dimensions(), t.offset, t.mask.get_pixel(1, 1).0[0]), ((3, 2), [4, 5], 255));
        assert_eq!((t.diameter_mm, t.size_mm), (Some(41.0), Some([41.0, 41.0])));
        // An empty box carries `empty` even when the maker listed no defect; a rectangle's
        // side is the mean of its sides, as the importer reports it.
        let e = &s.truth[1];
        assert_eq!((e.empty, e.defects.clone(), e.side_mm), (true, vec![Defect::Empty], Some(18.0)));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_box_with_ink_but_no_mask_is_refused() {
        let d = set_dir("nomask");
        std::fs::write(d.join("000.png"), b"x").expect("write");
        let doc = r#"{"maker": "outline", "dpi": 200, "file": "000.png", "boxes": [
            {"row": 0, "col": 0, "kind": "signature", "empty": false, "defects": [], "box_centre_px": [1, 2]}]}"#;
        std::fs::write(d.join("000.truth.json"), doc).expect("write");
        assert!(matches!(read(&d), Err(TruthError::Invalid { .. })));
        assert!(matches!(read(&d.join("missing")), Err(TruthError::Read { .. })));
        let empty = set_dir("none");
        assert!(matches!(read(&empty), Err(TruthError::Empty(_))));
        let _ = std::fs::remove_dir_all(&d);
        let _ = std::fs::remove_dir_all(&empty);
    }
}
