//! Importing a case's scanned seal collection sheet: runs the importer, keeps the scan and the
//! chosen image of each acceptable row with the case (`seal:<kind>`, true-size PNG) and the
//! verdict on the audit chain, all in one transaction, and returns what the clerk must see at once: every
//! sample's judgement, the rows that need a new stamp, and small images for the screen. Also a
//! loose scan judged without a case (`import_loose`: the images written into a folder, nothing
//! stored), and the scan read from a file or the scanner folder within the scan's size limit.

use crate::DeskError;
use crate::api::{Desk, case_number};
use base64::Engine as _;
use certdesk_seal::ImportOptions;
use certdesk_store::{AuditAction, FileKind, NewFile};
use serde::Serialize;
use std::io::Cursor;

/// One sample as the counter screen shows it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SampleView {
    pub row: usize,
    pub col: usize,
    pub kind: &'static str,
    pub empty: bool,
    pub defects: Vec<&'static str>,
    pub score: f32,
    pub best: bool,
    pub box_quad: [[f32; 2]; 4],
    pub diameter_mm: Option<f32>,
    pub side_mm: Option<f32>,
    /// The cleaned impression as a `data:image/png` URL.
    pub image_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct RowView {
    pub row: usize,
    pub kind: &'static str,
    pub best_col: Option<usize>,
    pub needs_restamp: bool,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Verdict {
    pub samples: Vec<SampleView>,
    pub rows: Vec<RowView>,
    /// The scan, downscaled for the screen, as a `data:image/jpeg` URL; `box_quad` is in
    /// pixels of the full scan (`width` × `height`).
    pub scan_url: String,
    pub width: u32,
    pub height: u32,
    /// Names of the seal images stored with the case.
    pub stored: Vec<String>,
}

fn kind_name(k: certdesk_seal::SampleKind) -> &'static str {
    match serde_json::to_value(k).ok().and_then(|v| v.as_str().map(str::to_string)).as_deref() {
        Some("official_seal") => "official_seal",
        Some("legal_rep_seal") => "legal_rep_seal",
        _ => "signature",
    }
}

pub(crate) fn data_url(mime: &str, bytes: &[u8]) -> String {
    format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn mime_of(bytes: &[u8]) -> &'static str {
    match bytes {
        [0x89, b'P', b'N', b'G', ..] => "image/png",
        [0xFF, 0xD8, ..] => "image/jpeg",
        [b'I', b'I', 42, 0, ..] | [b'M', b'M', 0, 42, ..] => "image/tiff",
        [b'B', b'M', ..] => "image/bmp",
        _ => "application/octet-stream",
    }
}

/// A JPEG of the scan at most 1200 px wide, for the screen.
fn screen_copy(bytes: &[u8]) -> Result<Vec<u8>, DeskError> {
    let img = image::load_from_memory(bytes).map_err(certdesk_seal::SealError::Decode)?;
    let small = img.thumbnail(1200, 1700).to_rgb8();
    let mut out = Vec::new();
    let screen = std::path::PathBuf::from("the scan's screen copy");
    image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut out), 80)
        .encode_image(&small)
        .map_err(|source| certdesk_seal::SealError::Encode { path: screen, source })?;
    Ok(out)
}

/// Imports `bytes` (a scan of the case's collection sheet) for case `number`. The importer runs
/// before anything is stored: an unreadable file changes nothing. The scan, the chosen image of
/// each acceptable row and the verdict are stored in one transaction, only while the case is
/// editable, by a clerk (an approved case goes back to review: its approval covered the old
/// images).
pub fn import_for_case(desk: &mut Desk<'_>, number: &str, file_name: &str, bytes: &[u8], dpi: Option<f32>) -> Result<Verdict, DeskError> {
    let number = case_number(number)?;
    // refuse before the slow analysis when the rules already say no
    let (_, facts) = desk.store.facts(&number)?;
    certdesk_domain::workflow::authorize_attach(&desk.actor, &facts).map_err(certdesk_store::ActError::from)?;
    let opts = ImportOptions { dpi, ..ImportOptions::default() };
    let mut report: SheetReport = certdesk_seal::import_sheet(bytes, &opts)?;
    let dir = tempfile::tempdir().map_err(crate::io("cannot create a folder in", &std::env::temp_dir()))?;
    certdesk_seal::write_outputs(&mut report, dir.path())?;
    let screen = screen_copy(bytes)?;

    let mut chosen: Vec<(String, Vec<u8>)> = Vec::new();
    let mut samples = Vec::new();
    for s in &report.samples {
        let png = match &s.image {
            Some(p) => Some(std::fs::read(p).map_err(crate::io("cannot read", std::path::Path::new(p)))?),
            None => None,
        };
        let kind = kind_name(s.kind);
        if s.best
            && let Some(png) = &png
        {
            // the first row of a kind is the applicant's main seal; later rows keep their row
            let main = format!("seal:{kind}");
            let name = if chosen.iter().any(|(n, _)| *n == main) { format!("seal:{kind}:{}", s.row) } else { main };
            chosen.push((name, png.clone()));
        }
        samples.push(SampleView {
            row: s.row,
            col: s.col,
            kind,
            empty: s.empty,
            defects: s.defects.iter().map(|d| d.as_str()).collect(),
            score: s.score,
            best: s.best,
            box_quad: s.box_quad,
            diameter_mm: s.diameter_mm,
            side_mm: s.side_mm,
            image_url: png.as_deref().map(|b| data_url("image/png", b)),
        });
    }
    let rows: Vec<RowView> = report.rows.iter().map(|r| RowView { row: r.row, kind: kind_name(r.kind), best_col: r.best_col, needs_restamp: r.needs_restamp }).collect();
    let stored: Vec<String> = chosen.iter().map(|(n, _)| n.clone()).collect();
    let detail = certdesk_store::detail::SealSheet {
        file: file_name.to_string(),
        sha256: certdesk_domain::case::sha256_hex(bytes),
        dpi: report.dpi,
        rows: rows.iter().map(|r| certdesk_store::detail::SealRowVerdict { row: r.row, kind: r.kind.into(), best_col: r.best_col, needs_restamp: r.needs_restamp }).collect(),
        stored: stored.clone(),
        from: None,
        to: None,
    };
    let mut files = vec![NewFile { name: "seal:scan", mime: mime_of(bytes), bytes }];
    files.extend(chosen.iter().map(|(name, png)| NewFile { name, mime: "image/png", bytes: png }));
    desk.store.attach(&number, FileKind::Case, &files, Some(certdesk_store::EventBody::new(AuditAction::SealImported, &detail)), &desk.actor)?;
    Ok(Verdict { samples, rows, scan_url: data_url("image/jpeg", &screen), width: report.width, height: report.height, stored })
}

/// A scan file onto a case (`case seal NUMBER SCAN`), read within the scan's size limit.
pub fn import_file_for_case(desk: &mut Desk<'_>, number: &str, scan: &std::path::Path, dpi: Option<f32>) -> Result<Verdict, DeskError> {
    let bytes = crate::limits::read_file(scan, "the scan", crate::limits::MAX_SCAN)?;
    let name = scan.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "scan".into());
    import_for_case(desk, number, &name, &bytes, dpi).map_err(|e| named(scan, e))
}

/// The importer's refusal of a scan file, naming the file.
fn named(scan: &std::path::Path, e: DeskError) -> DeskError {
    match e {
        DeskError::Seal(source) => DeskError::Scan { file: scan.display().to_string(), source },
        other => other,
    }
}

/// A scan of the scanner folder (by its plain name) onto a case (the seal panel).
pub fn import_from_folder(desk: &mut Desk<'_>, number: &str, name: &str, dpi: Option<f32>) -> Result<Verdict, DeskError> {
    let bytes = crate::folders::read_scan(desk, name)?;
    import_for_case(desk, number, name, &bytes, dpi)
}

/// The seal importer's report of a scan judged without a case.
pub use certdesk_seal::SheetReport;

/// A loose scan judged without a case (`seal import`): a sheet's boxes (or, `single`, one
/// impression) found, every sample judged, the images written into `out`; nothing stored.
pub fn import_loose(scan: &std::path::Path, out: &std::path::Path, dpi: Option<f32>, single: bool) -> Result<SheetReport, DeskError> {
    certdesk_store::private::create_dir_all(out).map_err(crate::io("cannot create", out))?;
    import_loose_into(scan, out, dpi, single).map_err(|e| named(scan, e))
}

fn import_loose_into(scan: &std::path::Path, out: &std::path::Path, dpi: Option<f32>, single: bool) -> Result<SheetReport, DeskError> {
    if single {
        let bytes = crate::limits::read_file(scan, "the scan", crate::limits::MAX_SCAN)?;
        let opts = ImportOptions { dpi, ..ImportOptions::default() };
        let mut report = certdesk_seal::import_single(&bytes, &opts)?;
        certdesk_seal::write_outputs(&mut report, out)?;
        return Ok(report);
    }
    Ok(certdesk_seal::import_file(scan, out, dpi)?)
}
