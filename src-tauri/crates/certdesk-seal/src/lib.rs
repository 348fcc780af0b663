//! Seal and signature sample importer (issue 5). Owns the public API: decoding a scanned
//! collection sheet (or a single impression), the report types that serialise to the output
//! contract `{"samples": [...], "rows": [...]}`, and writing the mask / RGBA PNGs of each sample.
//! Geometry lives in `page` (skew, ruled boxes), judgement in `analyse` with its fitted
//! thresholds in `thresholds`, mask morphology in `morph`, which instruction set the box loops
//! run on in `isa`, the single-impression view
//! correction in `rectify`, codecs in `decode`, synthetic sheets and their splits in `synth`, sets of sheets made
//! outside the crate (issue 34's independent makers) in `truth`.
//!
//! The limits of the labels are data (`thresholds.json`, moved only inside each condition's band
//! by `certdesk-fit-seal` on the tune split). `VERDICTS_SHA256` (from build.rs: the library's
//! sources and limits, and `certdesk-seal-wide`'s) names what judged a sheet; the desk records it
//! on the chain with the verdict. The independent makers (tests/seal-sheets: B through librsvg
//! and poppler, C through Ghostscript and ImageMagick) share nothing with `synth`.

#![warn(clippy::unwrap_used)]

mod analyse;
pub mod decode;
pub mod isa;
mod morph;
mod output;
mod page;
mod photo;
mod quantities;
mod rectify;
pub mod synth;
pub mod thresholds;
pub mod truth;

use std::path::{Path, PathBuf};

use image::{GrayImage, RgbaImage};
use serde::Serialize;

pub use decode::{DpiSource, probe};
pub use output::{sample_png, write_outputs};

// `VERDICTS_SHA256` (see `build.rs`): unlike `thresholds::THRESHOLDS_JSON`'s hash it moves when
// a measure or a rule's wiring changes in code, so a case's record of what judged its sheet
// names the build's judgement, not only its limits.
include!(concat!(env!("OUT_DIR"), "/verdicts.rs"));

/// Default pixel budget: an A4 page at 600 dpi is 34.8 Mpx; 60 Mpx leaves room for A3 at 450.
pub const DEFAULT_MAX_PIXELS: u64 = 60_000_000;

/// Options of an import. `dpi` overrides the file's metadata.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Scan resolution; `None` reads it from the file (PNG pHYs, JFIF/EXIF, TIFF, BMP) or, for
    /// a sheet without metadata, infers it from the A4 page size.
    pub dpi: Option<f32>,
    /// Images with more pixels than this are refused before decoding.
    pub max_pixels: u64,
    /// Resolution of the written RGBA images (pixels map to true mm).
    pub output_dpi: f32,
    /// What the printed sheet says each of its boxes is for, row by row, top to bottom (the
    /// form's layout, #74). Only a row whose boxes are for different things is read by it
    /// (CFCA's one row 企业公章 | 法人方章 | 法人签字): when the scan has as many rows as
    /// printed and such a row as many boxes, each of its boxes becomes a row of its own,
    /// judged as what it is printed for ([`SheetReport::printed_rows_followed`]). A row of one
    /// kind is read by its ink as without it.
    pub printed_rows: Option<Vec<Vec<SampleKind>>>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self { dpi: None, max_pixels: DEFAULT_MAX_PIXELS, output_dpi: 300.0, printed_rows: None }
    }
}

/// What is stamped or signed in a row of boxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SampleKind {
    /// 公章: round, red.
    OfficialSeal,
    /// 法人章: small square, red (also 阴文, white on red).
    LegalRepSeal,
    /// Handwritten signature, black or blue ink.
    Signature,
}

impl SampleKind {
    pub fn is_seal(self) -> bool {
        !matches!(self, SampleKind::Signature)
    }
}

/// Judgement labels; the vocabulary is part of the output contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Defect {
    Empty,
    Pale,
    Broken,
    Double,
    Smudged,
    OverlapLine,
    Tilted,
    BgNotWhite,
    TextUnder,
    OffColor,
}

impl Defect {
    pub const ALL: [Defect; 10] = [
        Defect::Empty,
        Defect::Pale,
        Defect::Broken,
        Defect::Double,
        Defect::Smudged,
        Defect::OverlapLine,
        Defect::Tilted,
        Defect::BgNotWhite,
        Defect::TextUnder,
        Defect::OffColor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Defect::Empty => "empty",
            Defect::Pale => "pale",
            Defect::Broken => "broken",
            Defect::Double => "double",
            Defect::Smudged => "smudged",
            Defect::OverlapLine => "overlap_line",
            Defect::Tilted => "tilted",
            Defect::BgNotWhite => "bg_not_white",
            Defect::TextUnder => "text_under",
            Defect::OffColor => "off_color",
        }
    }

    /// The labels that apply to a signature.
    pub fn applies_to(self, kind: SampleKind) -> bool {
        kind.is_seal() || matches!(self, Defect::Empty | Defect::Pale | Defect::OverlapLine | Defect::BgNotWhite)
    }
}

/// The unit of a [`Finding`]'s quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Mm,
    Mm2,
    Deg,
    /// Optical density, log10.
    Od,
    /// A share, 0–1.
    Share,
    /// A count or an 8-bit level: no physical unit.
    Level,
}

/// Why a sample carries a label: the quantity the rule read, its value and the limit it went
/// past (`op`: `<` the value is below the lower limit, `>` above the upper one). One per label;
/// for a rule with alternatives, the condition furthest past its limit.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Finding {
    pub label: Defect,
    pub quantity: String,
    pub value: f32,
    pub limit: f32,
    pub unit: Unit,
    pub op: thresholds::Op,
}

impl Finding {
    /// Whether the reason is the sheet's paper rather than one impression's: a `bg_not_white`
    /// check left undone for the paper's tint (a light stock and a capture's colour cast read
    /// alike, issue 76). The counter screen says it once for the sheet.
    pub fn about_the_paper(&self) -> bool {
        self.label == Defect::BgNotWhite && self.quantity == "paper_tint"
    }

    /// `quantity` read `value`, past `limit` on the `op` side, for `label`; in the quantity's unit.
    pub(crate) fn new(label: Defect, quantity: &str, value: f32, op: thresholds::Op, limit: f32) -> Finding {
        Finding { label, quantity: quantity.into(), value, limit, unit: thresholds::unit_of(quantity), op }
    }
}

/// Pixels of one sample that are not serialised: the ink mask in scan pixels (a crop at
/// `mask_offset`, 0 or 255) and the cleaned RGBA image at the output resolution. None for a
/// box without ink (the paper's noise included); an empty sample whose ink the importer set
/// aside as a stain (its `Empty` finding names `disc_fill`) keeps that ink's, so the clerk can
/// see it and take it.
#[derive(Debug, Clone, Default)]
pub struct SamplePixels {
    pub mask: GrayImage,
    pub rgba: RgbaImage,
}

/// One box of the sheet and its impression.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    /// Inner corners of the ruled box in scan pixels: top-left, top-right, bottom-right, bottom-left.
    pub box_quad: [[f32; 2]; 4],
    pub row: usize,
    pub col: usize,
    pub kind: SampleKind,
    pub empty: bool,
    pub defects: Vec<Defect>,
    /// The reason behind each label of `defects`: exactly one per label, in the same order
    /// (issue 34; for a thresholds rule the condition furthest past its limit, for a label
    /// decided in code the quantity and limit that decided it).
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// The checks the importer could not make on this sample, each as a [`Finding`] of the
    /// label it would have looked for and the quantity that kept it from reading (its value
    /// past the limit within which the check is read). A label listed here was neither found
    /// nor ruled out, and the clerk is told so (issue 34: a border is not read along a circle
    /// that misses the ink, as in a crowded row).
    #[serde(default)]
    pub unchecked: Vec<Finding>,
    pub score: f32,
    pub best: bool,
    /// Path of the binary ink mask PNG (set by [`write_outputs`]).
    pub mask: Option<String>,
    /// Scan-pixel position of the mask crop's top-left corner.
    pub mask_offset: [u32; 2],
    /// Path of the RGBA PNG (set by [`write_outputs`]).
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diameter_mm: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side_mm: Option<f32>,
    /// Rotation of the impression against the page, degrees (seals only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tilt_deg: Option<f32>,
    /// Physical size of the RGBA image: `[width_mm, height_mm]` at `output_dpi`.
    pub image_mm: [f32; 2],
    #[serde(skip)]
    pub pixels: SamplePixels,
    /// Raw measures behind the judgement (for tuning and the clerk's "why").
    #[serde(skip)]
    pub metrics: Vec<(&'static str, f32)>,
}

impl Sample {
    /// Whether the sample has an image to show: any sample with ink, and an empty one whose
    /// ink the importer set aside as a stain (see [`SamplePixels`]).
    pub fn has_image(&self) -> bool {
        self.pixels.rgba.width() > 0
    }
}

/// One row (a group of boxes for the same seal or signature).
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub row: usize,
    pub kind: SampleKind,
    pub boxes: usize,
    /// Column of the chosen sample, if any sample is acceptable.
    pub best_col: Option<usize>,
    /// No acceptable sample: the applicant has to stamp or sign again.
    pub needs_restamp: bool,
}

/// The result of an import; serialises to the output contract.
#[derive(Debug, Clone, Serialize)]
pub struct SheetReport {
    pub samples: Vec<Sample>,
    pub rows: Vec<Row>,
    pub dpi: f32,
    pub dpi_source: DpiSource,
    pub output_dpi: f32,
    /// Page skew found and corrected, degrees (positive: clockwise on screen).
    pub skew_deg: f32,
    pub width: u32,
    pub height: u32,
    /// Set when the resolution, and so every size in mm, cannot be trusted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_warning: Option<SizeWarning>,
    /// A phone photo of the sheet: the paper's corners in the photo (top-left, top-right,
    /// bottom-right, bottom-left). The page was straightened through them before the boxes
    /// were found; box corners and masks are mapped back into the photo's pixels, and the
    /// resolution (`dpi`, `dpi_source: paper_edges`) is the paper's own against A4.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paper_quad: Option<[[f32; 2]; 4]>,
    /// The scan's rows were read as [`ImportOptions::printed_rows`] prints them: as many rows,
    /// and each row of mixed boxes split into rows of one box, in printed order.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub printed_rows_followed: bool,
    /// The sheet's kinds run down its columns (a row of boxes for different things asked for
    /// more than once, read by no printed plan): each of `rows` is a column, top to bottom, and
    /// a sample's `row` numbers its column, its `col` its place down it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub kinds_down_columns: bool,
}

/// Why the sizes in mm of a report may be wrong. A resolution is trusted when it was given,
/// or read from the file and, for a whole A4 page (image within 3 % of the A4 aspect),
/// agrees with the page size within 4 %, or inferred from such a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeWarning {
    /// The file's resolution and the A4 page it shows disagree by more than 4 %.
    DpiDisagreesWithPage,
    /// No resolution in the file and the image is not a whole A4 page: the page size was used anyway.
    DpiNotFromA4Page,
    /// No resolution in the file of a single impression: 300 dpi was assumed.
    DpiAssumed,
}

impl SizeWarning {
    /// The warning for a scan of `width` × `height` pixels at `dpi` from `source`.
    pub fn check(source: DpiSource, dpi: f32, width: u32, height: u32) -> Option<Self> {
        let (long, short) = (width.max(height) as f32, width.min(height).max(1) as f32);
        let a4_shaped = ((long / short) / (297.0 / 210.0) - 1.0).abs() <= 0.03;
        let page_dpi = long / (297.0 / 25.4);
        match source {
            DpiSource::Option => None,
            DpiSource::File if a4_shaped && (dpi / page_dpi - 1.0).abs() > 0.04 => Some(SizeWarning::DpiDisagreesWithPage),
            DpiSource::File => None,
            DpiSource::A4Page if a4_shaped => None,
            DpiSource::A4Page => Some(SizeWarning::DpiNotFromA4Page),
            DpiSource::PaperEdges => None,
            DpiSource::Assumed => Some(SizeWarning::DpiAssumed),
        }
    }
}

impl SheetReport {
    /// The report as JSON (the `--json` output).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| String::from("{}"))
    }
}

/// Everything that can go wrong; each variant says what and where.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("not an image this importer reads (PNG, JPEG, TIFF or BMP expected)")]
    UnknownFormat,
    #[error("image header is unreadable or truncated")]
    Header(#[source] image::ImageError),
    #[error("image is {width}×{height} = {pixels} pixels, over the budget of {budget}: refused before decoding")]
    TooLarge { width: u32, height: u32, pixels: u64, budget: u64 },
    #[error("image is {width}×{height} pixels: too small for a scan")]
    TooSmall { width: u32, height: u32 },
    #[error("image data is truncated or corrupt")]
    Decode(#[source] image::ImageError),
    #[error("resolution {dpi} dpi is absurd (expected 100–1200); give the dpi explicitly")]
    AbsurdDpi { dpi: f32 },
    #[error("no ruled sample boxes found on the sheet")]
    NoBoxes,
    #[error("cannot write {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot encode {path}")]
    Encode {
        path: PathBuf,
        #[source]
        source: image::ImageError,
    },
}

/// Whether a printed row's boxes are for different things (`slots`: what each box is for, as
/// kinds or slot names): such a row is read box by box ([`ImportOptions::printed_rows`]). The
/// one rule for the importer and for callers naming the rows it reads.
pub fn mixed_row<T: PartialEq>(slots: &[T]) -> bool {
    slots.windows(2).any(|w| w[0] != w[1])
}

/// Imports a scanned collection sheet: finds the boxes, extracts and judges every sample.
pub fn import_sheet(bytes: &[u8], opts: &ImportOptions) -> Result<SheetReport, SealError> {
    let dec = decode::decode(bytes, opts, true)?;
    page::import_page(&dec, opts)
}

/// Imports a photo or scan of one impression (no ruled box): same cleaning and judgement. A
/// round seal photographed more than about 25° off the perpendicular (its outline an ellipse
/// at least 10 % longer than wide) is straightened first; its mask, offset and box are then in
/// the straightened image's pixels, and the sample's `view_stretch` metric says by how much.
pub fn import_single(bytes: &[u8], opts: &ImportOptions) -> Result<SheetReport, SealError> {
    let dec = decode::decode(bytes, opts, false)?;
    page::import_whole(&dec, opts)
}

/// The CLI entry point: reads `scan`, imports it as a sheet, writes the PNGs into `out_dir` and
/// returns the report with the paths filled in.
pub fn import_file(scan: &Path, out_dir: &Path, dpi: Option<f32>) -> Result<SheetReport, SealError> {
    let bytes = std::fs::read(scan).map_err(|source| SealError::Read { path: scan.to_path_buf(), source })?;
    let opts = ImportOptions { dpi, ..ImportOptions::default() };
    let mut report = import_sheet(&bytes, &opts)?;
    write_outputs(&mut report, out_dir)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_warning_only_when_no_resolution_is_trustworthy() {
        // A4 at 300 dpi is 2480 × 3508.
        assert_eq!(SizeWarning::check(DpiSource::File, 300.0, 2480, 3508), None);
        assert_eq!(SizeWarning::check(DpiSource::A4Page, 300.0, 2480, 3508), None);
        assert_eq!(SizeWarning::check(DpiSource::Option, 200.0, 2480, 3508), None);
        // The file says 200 dpi of a whole A4 page that is 300 dpi: one of them is wrong.
        assert_eq!(SizeWarning::check(DpiSource::File, 200.0, 2480, 3508), Some(SizeWarning::DpiDisagreesWithPage));
        // A cropped scan: the page cannot check the file, the file is believed.
        assert_eq!(SizeWarning::check(DpiSource::File, 300.0, 2480, 2000), None);
        assert_eq!(SizeWarning::check(DpiSource::A4Page, 300.0, 2480, 2000), Some(SizeWarning::DpiNotFromA4Page));
        assert_eq!(SizeWarning::check(DpiSource::Assumed, 300.0, 800, 800), Some(SizeWarning::DpiAssumed));
    }
}
