//! Importing a case's scanned seal collection sheet: runs the importer, keeps the scan and the
//! chosen image of each acceptable row with the case (`seal:<kind>`, true-size PNG) and the
//! verdict on the audit chain, all in one transaction, and returns what the clerk must see at once: every
//! sample's judgement with the reasons behind its labels (#34: `findings`), the rows that need a
//! new stamp, the resolution's source, and small images for the screen. The clerk's acceptance
//! of an impression the importer doubted (`accept_sample`, #34 design §7): the stored scan
//! judged again, the impression kept as the row's seal, the labels and findings it overrode on
//! the chain. The case JSON's `seals` (`seals_of`), read off the chain. Also a
//! loose scan judged without a case (`import_loose`: the images written into a folder, nothing
//! stored), and the scan read from a file or the scanner folder within the scan's size limit.

use crate::DeskError;
use crate::api::{Desk, case_number};
use base64::Engine as _;
use certdesk_seal::ImportOptions;
use certdesk_store::detail::{SealAccepted, SealFinding, SealRowVerdict, SealSheet};
use certdesk_store::{AuditAction, AuditEvent, EventBody, FileKind, NewFile};
use serde::Serialize;
use std::io::Cursor;

/// Why the importer gave a sample a label (#34): the quantity its rule read, the value, the
/// limit it went past (`op`: `<` below a lower limit, `>` above an upper one) and the unit, as
/// wire names (`mm`, `mm2`, `deg`, `od`, `share`, `level`).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct FindingView {
    pub label: &'static str,
    pub quantity: String,
    pub value: f32,
    pub limit: f32,
    pub unit: String,
    pub op: String,
}

/// One sample as the counter screen shows it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SampleView {
    pub row: usize,
    pub col: usize,
    pub kind: String,
    pub empty: bool,
    pub defects: Vec<&'static str>,
    /// The reason behind each label that has one (a label without one is named by itself).
    pub findings: Vec<FindingView>,
    /// The checks the importer could not make on this sample (the label it would have looked
    /// for, and the quantity past the limit within which that check is read): shown beside the
    /// verdict, doubted or not, since no label is then no clean bill for that check.
    pub unchecked: Vec<FindingView>,
    /// The importer doubts the impression: it holds ink and at least one label, also when the
    /// label is `empty` for ink set aside as a stain (its image is then shown). The clerk may
    /// accept it (`accept_sample`).
    pub doubted: bool,
    /// The clerk accepted this doubted impression as the row's seal.
    pub accepted: bool,
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
    pub kind: String,
    pub best_col: Option<usize>,
    pub needs_restamp: bool,
    /// The row is one box of a printed row whose boxes are for different things (CFCA's
    /// 企业公章 | 法人方章 | 法人签字, #74): the screen names it by what it is for, not by a row.
    pub single_box: bool,
    /// The row is a column of the sheet (its kinds run down its columns: such a printed row
    /// asked for more than once, #76): the screen says 第n列, and a sample's place down it.
    pub column: bool,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Verdict {
    pub samples: Vec<SampleView>,
    pub rows: Vec<RowView>,
    /// The paper's colour, left to the clerk's eye once for the sheet (#76): its tint lies where
    /// a light stock and a scanner's or camera's colour cast read alike. The most tinted box's
    /// reading; not repeated in the samples' `unchecked`.
    pub paper_unchecked: Option<FindingView>,
    /// The scan, downscaled for the screen, as a `data:image/jpeg` URL; `box_quad` is in
    /// pixels of the full scan (`width` × `height`).
    pub scan_url: String,
    pub width: u32,
    pub height: u32,
    /// Names of the seal images stored with the case.
    pub stored: Vec<String>,
    /// The scan's resolution (dots per inch), where it came from (`option`, `file`, `a4_page`,
    /// `assumed`, `paper_edges`) and, when the sizes in mm cannot be trusted, why
    /// (`dpi_disagrees_with_page`, `dpi_not_from_a4_page`, `dpi_assumed`).
    pub dpi: f32,
    pub dpi_source: String,
    pub size_warning: Option<String>,
}

/// The wire name of a serialisable enum value (`a4_page`, `mm`, `<`).
fn wire<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn finding_view(f: &certdesk_seal::Finding) -> FindingView {
    FindingView { label: f.label.as_str(), quantity: f.quantity.clone(), value: f.value, limit: f.limit, unit: wire(&f.unit), op: wire(&f.op) }
}

/// An importer's `f32` as the `f64` with the same shortest decimal, for the chain's JSON (a
/// plain cast writes 3.4 as 3.4000000953674316).
fn decimal(v: f32) -> f64 {
    v.to_string().parse().unwrap_or(f64::from(v))
}

/// The importer doubts a sample: it holds ink and carries a label. That includes an empty
/// verdict on ink the importer set aside as a stain, which the clerk may see to be an
/// impression after all; a box without ink (the paper's noise included) has nothing to doubt.
fn doubted(s: &certdesk_seal::Sample) -> bool {
    s.has_image() && !s.defects.is_empty()
}

/// The SHA-256 of the rules that judge a sheet in this build.
fn thresholds_sha256() -> String {
    certdesk_domain::case::sha256_hex(certdesk_seal::thresholds::THRESHOLDS_JSON.as_bytes())
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

/// A sheet judged: the report, each sample's image (PNG; none for a box without ink, one for
/// the ink an empty verdict set aside) and the screen copy of the scan.
struct Judged {
    report: SheetReport,
    pngs: Vec<Option<Vec<u8>>>,
    screen: Vec<u8>,
    /// What each row of boxes is for where the sheet says so (row, kind), else none
    /// ([`Judged::name_rows`]).
    row_kinds: Vec<(usize, String)>,
    /// The rows that are one box of a printed row of mixed boxes ([`RowView::single_box`]).
    single_boxes: Vec<usize>,
}

/// The importer's kind of a printed seal slot: a 法人签字 is read as a signature.
fn sample_kind(slot: &str) -> certdesk_seal::SampleKind {
    match slot {
        "official_seal" => certdesk_seal::SampleKind::OfficialSeal,
        "legal_rep_seal" => certdesk_seal::SampleKind::LegalRepSeal,
        _ => certdesk_seal::SampleKind::Signature,
    }
}

impl Judged {
    /// Names the rows by what the project's printed sheet says each box is for (#74: a 法人签字
    /// row reads as a signature and is the legal representative's, not a holder's; each box of
    /// CFCA's one row 企业公章 | 法人方章 | 法人签字 is its own), when the importer read the scan's
    /// rows as printed; else the importer's reading of the ink stands.
    fn name_by_print(&mut self, printed: &[Vec<String>]) {
        if !self.report.printed_rows_followed {
            return;
        }
        let mut names = Vec::new();
        for slots in printed {
            if certdesk_seal::mixed_row(slots) {
                names.extend(slots.iter().map(|s| (s.clone(), true)));
            } else if let Some(slot) = slots.first() {
                names.push((slot.clone(), false));
            }
        }
        if names.len() == self.report.rows.len() {
            self.single_boxes = self.report.rows.iter().zip(&names).filter(|(_, (_, single))| *single).map(|(r, _)| r.row).collect();
            self.row_kinds = self.report.rows.iter().zip(names).map(|(r, (kind, _))| (r.row, kind)).collect();
        }
    }

    /// Names the rows as an import recorded them (`sheet_rows`, one per row), when the scan
    /// judged again has as many.
    fn name_rows(&mut self, sheet_rows: &[String]) {
        if !sheet_rows.is_empty() && sheet_rows.len() == self.report.rows.len() {
            self.row_kinds = self.report.rows.iter().zip(sheet_rows).map(|(r, kind)| (r.row, kind.clone())).collect();
        }
    }

    /// The kind of row `row`: as named, else as the importer read its ink.
    fn kind_of(&self, row: usize) -> String {
        match self.row_kinds.iter().find(|(r, _)| *r == row) {
            Some((_, kind)) => kind.clone(),
            None => self.report.rows.iter().find(|r| r.row == row).map_or("signature", |r| kind_name(r.kind)).to_string(),
        }
    }
}

/// Judges `bytes`, its rows read as `printed` (the layout's seal slots, row by row) where the
/// scan matches it, and named by it.
fn judge(bytes: &[u8], dpi: Option<f32>, printed: &[Vec<String>]) -> Result<Judged, DeskError> {
    let printed_rows = (!printed.is_empty()).then(|| printed.iter().map(|slots| slots.iter().map(|s| sample_kind(s)).collect()).collect());
    let opts = ImportOptions { dpi, printed_rows, ..ImportOptions::default() };
    let report: SheetReport = certdesk_seal::import_sheet(bytes, &opts)?;
    let pngs = report.samples.iter().map(|s| certdesk_seal::sample_png(s, report.output_dpi)).collect::<Result<Vec<_>, _>>()?;
    let screen = screen_copy(bytes)?;
    let mut judged = Judged { report, pngs, screen, row_kinds: Vec::new(), single_boxes: Vec::new() };
    judged.name_by_print(printed);
    Ok(judged)
}

/// The names the chosen images of `rows` are stored under, in order: the first row of a kind
/// with a choice is the applicant's main seal (`seal:<kind>`); later rows keep their row
/// (`seal:<kind>:<row>`).
fn chosen_names<'a>(rows: impl IntoIterator<Item = (usize, &'a str)>) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (row, kind) in rows {
        let main = format!("seal:{kind}");
        let name = if out.iter().any(|(_, n)| *n == main) { format!("seal:{kind}:{row}") } else { main };
        out.push((row, name));
    }
    out
}

/// The verdict the screen shows: every sample with its reasons, the rows, what is stored.
/// `accepted`: the samples the clerk accepted since the sheet was imported (row, column), each
/// now its row's choice.
fn verdict_of(j: &Judged, stored: Vec<String>, accepted: &[(usize, usize)]) -> Verdict {
    let r = &j.report;
    let samples = r
        .samples
        .iter()
        .zip(&j.pngs)
        .map(|(s, png)| {
            let taken = accepted.contains(&(s.row, s.col));
            let overridden = accepted.iter().any(|(row, _)| *row == s.row);
            SampleView {
                row: s.row,
                col: s.col,
                kind: j.kind_of(s.row),
                empty: s.empty,
                defects: s.defects.iter().map(|d| d.as_str()).collect(),
                findings: s.findings.iter().map(finding_view).collect(),
                unchecked: s.unchecked.iter().filter(|u| !u.about_the_paper()).map(finding_view).collect(),
                doubted: doubted(s),
                accepted: taken,
                score: s.score,
                best: if overridden { taken } else { s.best },
                box_quad: s.box_quad,
                diameter_mm: s.diameter_mm,
                side_mm: s.side_mm,
                image_url: png.as_deref().map(|b| data_url("image/png", b)),
            }
        })
        .collect();
    let rows = r
        .rows
        .iter()
        .map(|row| {
            let (best_col, needs_restamp) = match accepted.iter().find(|(at, _)| *at == row.row) {
                Some(&(_, col)) => (Some(col), false),
                None => (row.best_col, row.needs_restamp),
            };
            RowView { row: row.row, kind: j.kind_of(row.row), best_col, needs_restamp, single_box: j.single_boxes.contains(&row.row), column: r.kinds_down_columns }
        })
        .collect();
    let paper_unchecked = paper_question(r).map(finding_view);
    Verdict {
        samples,
        rows,
        paper_unchecked,
        scan_url: data_url("image/jpeg", &j.screen),
        width: r.width,
        height: r.height,
        stored,
        dpi: r.dpi,
        dpi_source: wire(&r.dpi_source),
        size_warning: r.size_warning.as_ref().map(wire),
    }
}

/// The paper's colour left to the clerk's eye, once for the sheet (#76): the most tinted box's
/// reading of it, where any box's paper went unchecked.
fn paper_question(r: &certdesk_seal::SheetReport) -> Option<&certdesk_seal::Finding> {
    r.samples.iter().flat_map(|s| &s.unchecked).filter(|u| u.about_the_paper()).max_by(|a, b| a.value.total_cmp(&b.value))
}

impl Desk<'_> {
    /// Imports `bytes` (a scan of the case's collection sheet) for case `number`. The importer runs
    /// before anything is stored: an unreadable file changes nothing. The scan, the chosen image of
    /// each acceptable row and the verdict are stored in one transaction, only while the case is
    /// editable, by a clerk (an approved case goes back to review: its approval covered the old
    /// images).
    pub fn import_seal_sheet(&mut self, catalog: &certdesk_catalog::Catalog, number: &str, file_name: &str, bytes: &[u8], dpi: Option<f32>) -> Result<Verdict, DeskError> {
        let number = case_number(number)?;
        // refuse before the slow analysis when the rules already say no
        let (record, facts) = self.store.facts(&number)?;
        certdesk_domain::workflow::authorize_attach(&self.actor, &facts).map_err(certdesk_store::ActError::from)?;
        let printed = catalog.projects.get(&record.data.project).map(|p| certdesk_forms::seal_boxes(&catalog.tree, p)).unwrap_or_default();
        let judged = judge(bytes, dpi, &printed)?;
        let report = &judged.report;
        let best: Vec<usize> = (0..report.samples.len()).filter(|&i| report.samples[i].best && judged.pngs[i].is_some()).collect();
        let kinds: Vec<String> = best.iter().map(|&i| judged.kind_of(report.samples[i].row)).collect();
        let names = chosen_names(best.iter().zip(&kinds).map(|(&i, kind)| (report.samples[i].row, kind.as_str())));
        let chosen: Vec<(String, &[u8])> = best.iter().zip(&names).filter_map(|(&i, (_, name))| judged.pngs[i].as_deref().map(|png| (name.clone(), png))).collect();
        let stored: Vec<String> = chosen.iter().map(|(n, _)| n.clone()).collect();
        let verdict = verdict_of(&judged, stored.clone(), &[]);
        let detail = SealSheet {
            file: file_name.to_string(),
            sha256: certdesk_domain::case::sha256_hex(bytes),
            dpi: report.dpi,
            rows: report
                .rows
                .iter()
                .map(|r| {
                    let chosen = report.samples.iter().find(|s| s.row == r.row && Some(s.col) == r.best_col);
                    SealRowVerdict {
                        row: r.row,
                        kind: judged.kind_of(r.row),
                        best_col: r.best_col,
                        needs_restamp: r.needs_restamp,
                        doubted: Some(report.samples.iter().filter(|s| s.row == r.row && doubted(s)).count()),
                        diameter_mm: chosen.and_then(|s| s.diameter_mm).map(decimal),
                        side_mm: chosen.and_then(|s| s.side_mm).map(decimal),
                    }
                })
                .collect(),
            stored,
            from: None,
            to: None,
            dpi_source: Some(verdict.dpi_source.clone()),
            size_warning: verdict.size_warning.clone(),
            thresholds_sha256: Some(thresholds_sha256()),
            verdicts_sha256: Some(certdesk_seal::VERDICTS_SHA256.to_string()),
            printed_rows: report.printed_rows_followed.then_some(printed),
            paper_unchecked: paper_question(report).map(stored_finding),
        };
        let mut files = vec![NewFile { name: "seal:scan", mime: mime_of(bytes), bytes }];
        files.extend(chosen.iter().map(|(name, png)| NewFile { name, mime: "image/png", bytes: png }));
        self.store.attach(&number, FileKind::Case, &files, Some(EventBody::new(AuditAction::SealImported, &detail)), &self.actor)?;
        Ok(verdict)
    }

    /// The clerk accepts the impression in `row`, `col` of the case's newest seal sheet, which the
    /// importer doubted (#34, design §7.1): authorised like attaching (a clerk, while the case is
    /// editable; an approved case goes back to review). The stored scan is checked against the
    /// SHA-256 the sheet's verdict recorded and judged again at the resolution it was judged at
    /// (the importer is deterministic); a box without ink and an impression without a label are
    /// refused (ink an empty verdict set aside as a stain can be taken). The
    /// impression's PNG is kept as the row's seal (under the name the import gives the row,
    /// replacing any image chosen for it) with a `seal_accepted` event naming the labels and
    /// findings overridden, the checks it could not make and the clerk's note, in one transaction.
    pub fn accept_seal_sample(&mut self, number: &str, row: usize, col: usize, note: Option<String>) -> Result<Verdict, DeskError> {
        let number = case_number(number)?;
        let (_, facts) = self.store.facts(&number)?;
        certdesk_domain::workflow::authorize_attach(&self.actor, &facts).map_err(certdesk_store::ActError::from)?;
        let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        if let Some(n) = &note {
            crate::limits::check_size("the note", n.len(), crate::limits::MAX_NOTE)?;
        }
        let no_sheet = || DeskError::NoSealSheet { number: number.to_string() };
        let history = self.store.history(&number)?;
        let NewestSheet { sheet, accepted: earlier } = newest_sheet(&history).ok_or_else(no_sheet)?;
        let (_, scan) = self.store.attachment(&number, "seal:scan")?.ok_or_else(no_sheet)?;
        if certdesk_domain::case::sha256_hex(&scan) != sheet.sha256 {
            return Err(DeskError::SealScanChanged { number: number.to_string() });
        }
        // the resolution the sheet was judged at: given, or found again the same way
        let printed = sheet.printed_rows.clone().unwrap_or_default();
        let mut judged = judge(&scan, (sheet.dpi_source.as_deref() == Some("option")).then_some(sheet.dpi), &printed)?;
        if (judged.report.dpi - sheet.dpi).abs() > 1e-3 {
            judged = judge(&scan, Some(sheet.dpi), &printed)?;
        }
        let here = || (number.to_string(), row, col);
        let at = judged.report.samples.iter().position(|s| s.row == row && s.col == col).ok_or_else(|| {
            let (number, row, col) = here();
            DeskError::NoSuchSealSample { number, row, col }
        })?;
        // the rows as the import named them
        let recorded: Vec<String> = sheet.rows.iter().map(|r| r.kind.clone()).collect();
        judged.name_rows(&recorded);
        let sample = &judged.report.samples[at];
        let Some(png) = judged.pngs[at].clone() else {
            let (number, row, col) = here();
            return Err(DeskError::SealSampleEmpty { number, row, col });
        };
        if !doubted(sample) {
            let (number, row, col) = here();
            return Err(DeskError::SealSampleNotDoubted { number, row, col });
        }
        // the row's name: the one the import or an earlier acceptance gave it, else as the import names
        let mut named = chosen_names(sheet.rows.iter().filter(|r| r.best_col.is_some()).map(|r| (r.row, r.kind.as_str())));
        named.extend(earlier.iter().map(|(_, d)| (d.row, d.stored.clone())));
        let kind = judged.kind_of(sample.row);
        let name = match named.iter().rev().find(|(r, _)| *r == row) {
            Some((_, n)) => n.clone(),
            None if named.iter().any(|(_, n)| *n == format!("seal:{kind}")) => format!("seal:{kind}:{row}"),
            None => format!("seal:{kind}"),
        };
        let replaced = self.store.attachments(&number)?.into_iter().find(|a| a.name == name).map(|a| a.sha256);
        let detail = SealAccepted {
            sheet_sha256: sheet.sha256.clone(),
            row,
            col,
            kind,
            stored: name.clone(),
            replaced,
            defects: sample.defects.iter().map(|d| d.as_str().to_string()).collect(),
            findings: sample.findings.iter().map(stored_finding).collect(),
            unchecked: (!sample.unchecked.is_empty()).then(|| sample.unchecked.iter().map(stored_finding).collect()),
            note,
            diameter_mm: sample.diameter_mm.map(decimal),
            side_mm: sample.side_mm.map(decimal),
            from: None,
            to: None,
        };
        let file = NewFile { name: &name, mime: "image/png", bytes: &png };
        // decided on the sheet read above: refused if another sheet was imported meanwhile
        let still = |history: &[AuditEvent]| match newest_sheet(history) {
            Some(newest) if newest.sheet.sha256 == sheet.sha256 => Ok(()),
            _ => Err(certdesk_store::StoreError::ChangedMeanwhile { number: number.to_string(), during: certdesk_store::refusal::Meanwhile::SealSheet }),
        };
        self.store.attach_if(&number, FileKind::Case, &[file], Some(EventBody::new(AuditAction::SealAccepted, &detail)), &self.actor, &still)?;

        let mut accepted: Vec<(usize, usize)> = earlier.iter().map(|(_, d)| (d.row, d.col)).filter(|(r, _)| *r != row).collect();
        accepted.push((row, col));
        let mut stored: Vec<String> = sheet.stored.clone();
        for (_, n) in named.iter().chain(std::iter::once(&(row, name))) {
            if !stored.contains(n) {
                stored.push(n.clone());
            }
        }
        Ok(verdict_of(&judged, stored, &accepted))
    }

    /// A scan file onto a case (`case seal NUMBER SCAN`), read within the scan's size limit.
    pub fn import_seal_file(&mut self, catalog: &certdesk_catalog::Catalog, number: &str, scan: &std::path::Path, dpi: Option<f32>) -> Result<Verdict, DeskError> {
        let bytes = crate::limits::read_file(scan, "the scan", crate::limits::MAX_SCAN)?;
        let name = scan.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "scan".into());
        self.import_seal_sheet(catalog, number, &name, &bytes, dpi).map_err(|e| named(scan, e))
    }

    /// A scan of the scanner folder (by its plain name) onto a case (the seal panel).
    pub fn import_seal_from_folder(&mut self, catalog: &certdesk_catalog::Catalog, number: &str, name: &str, dpi: Option<f32>) -> Result<Verdict, DeskError> {
        let bytes = self.read_scan(name)?;
        self.import_seal_sheet(catalog, number, name, &bytes, dpi)
    }
}

/// The newest seal sheet of a case on its chain and the clerk's acceptances after it (each
/// with its event), oldest first.
struct NewestSheet<'a> {
    sheet: SealSheet,
    accepted: Vec<(&'a AuditEvent, SealAccepted)>,
}

fn newest_sheet(history: &[AuditEvent]) -> Option<NewestSheet<'_>> {
    let at = history.iter().rposition(|e| e.action == AuditAction::SealImported)?;
    let sheet: SealSheet = serde_json::from_value(history[at].detail.clone()).ok()?;
    let accepted = history[at + 1..]
        .iter()
        .filter(|e| e.action == AuditAction::SealAccepted)
        .filter_map(|e| serde_json::from_value::<SealAccepted>(e.detail.clone()).ok().map(|d| (e, d)))
        .filter(|(_, d)| d.sheet_sha256 == sheet.sha256)
        .collect();
    Some(NewestSheet { sheet, accepted })
}

/// A finding (or a check not made) as the chain keeps it: numbers to the decimals shown.
fn stored_finding(f: &certdesk_seal::Finding) -> SealFinding {
    SealFinding { label: f.label.as_str().into(), quantity: f.quantity.clone(), value: decimal(f.value), limit: decimal(f.limit), unit: wire(&f.unit), op: wire(&f.op) }
}

/// One seal image kept with a case, as the case JSON's store field `seals` lists it (#34,
/// design §7.3): read off the chain (the newest seal sheet and the clerk's acceptances after
/// it), never stored beside it, ignored on import.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct CaseSeal {
    /// the attachment's name (`seal:official_seal`, `seal:legal_rep_seal:4`)
    pub name: String,
    pub kind: String,
    pub row: usize,
    pub col: usize,
    pub sheet_sha256: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub diameter_mm: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub side_mm: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub dpi_source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub size_warning: Option<String>,
    /// the sheet's paper colour left to the eye (#76), as the clerk was asked about it: the
    /// supervisor looks at the paper too
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub paper_unchecked: Option<SealFinding>,
    /// the clerk accepted this impression although the importer doubted it
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub accepted_by_clerk: Option<ClerkAcceptance>,
}

/// Who accepted a doubted impression, when, what they overrode and why.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ClerkAcceptance {
    pub account: String,
    pub at: String,
    pub defects: Vec<String>,
    pub findings: Vec<SealFinding>,
    /// the checks the importer could not make on it, as the clerk was shown them (empty on
    /// acceptances recorded before they were kept); the sheet's paper is asked about once, in
    /// the seal's `paper_unchecked`, not again here
    pub unchecked: Vec<SealFinding>,
    pub note: Option<String>,
}

/// The forms of a case that collect the applicant's seal samples while no seal sheet of the
/// case has given a seal image (#79): empty when its forms have no seal boxes or a sheet is in.
/// `history` is the case's chain.
pub(crate) fn samples_missing(catalog: &certdesk_catalog::Catalog, data: &certdesk_domain::CaseData, history: &[AuditEvent]) -> Vec<String> {
    let Some(project) = catalog.projects.get(&data.project) else { return Vec::new() };
    let forms = certdesk_forms::seal_forms(&catalog.tree, project, data.business, data.cert_kind);
    if forms.is_empty() || !seals_of(history).is_empty() {
        return Vec::new();
    }
    forms
}

/// The case JSON's `seals`, from the case's chain (oldest first).
pub fn seals_of(history: &[AuditEvent]) -> Vec<CaseSeal> {
    let Some(NewestSheet { sheet, accepted }) = newest_sheet(history) else { return Vec::new() };
    let rows: Vec<&SealRowVerdict> = sheet.rows.iter().filter(|r| r.best_col.is_some()).collect();
    let names = chosen_names(rows.iter().map(|r| (r.row, r.kind.as_str())));
    let mut out: Vec<CaseSeal> = rows
        .iter()
        .zip(names)
        .filter(|(_, (_, name))| sheet.stored.contains(name))
        .map(|(r, (_, name))| CaseSeal {
            name,
            kind: r.kind.clone(),
            row: r.row,
            col: r.best_col.unwrap_or_default(),
            sheet_sha256: sheet.sha256.clone(),
            diameter_mm: r.diameter_mm,
            side_mm: r.side_mm,
            dpi_source: sheet.dpi_source.clone(),
            size_warning: sheet.size_warning.clone(),
            paper_unchecked: sheet.paper_unchecked.clone(),
            accepted_by_clerk: None,
        })
        .collect();
    for (ev, d) in accepted {
        let seal = CaseSeal {
            name: d.stored.clone(),
            kind: d.kind.clone(),
            row: d.row,
            col: d.col,
            sheet_sha256: d.sheet_sha256.clone(),
            diameter_mm: d.diameter_mm,
            side_mm: d.side_mm,
            dpi_source: sheet.dpi_source.clone(),
            size_warning: sheet.size_warning.clone(),
            paper_unchecked: sheet.paper_unchecked.clone(),
            accepted_by_clerk: Some(ClerkAcceptance {
                account: ev.actor.clone(),
                at: ev.at.clone(),
                defects: d.defects,
                findings: d.findings,
                unchecked: d.unchecked.unwrap_or_default().into_iter().filter(|u| sheet.paper_unchecked.is_none() || !u.about_the_paper()).collect(),
                note: d.note,
            }),
        };
        match out.iter_mut().find(|s| s.name == seal.name) {
            Some(slot) => *slot = seal,
            None => out.push(seal),
        }
    }
    out
}

/// The importer's refusal of a scan file, naming the file.
fn named(scan: &std::path::Path, e: DeskError) -> DeskError {
    match e {
        DeskError::Seal(source) => DeskError::Scan { file: scan.display().to_string(), source },
        other => other,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_importers_number_goes_on_the_chain_as_it_prints() {
        for (v, text) in [(3.4f32, "3.4"), (0.35, "0.35"), (41.8, "41.8"), (150.0, "150.0"), (0.1, "0.1")] {
            assert_eq!(serde_json::to_value(decimal(v)).unwrap().to_string(), text);
        }
        assert_ne!(serde_json::to_value(3.4f32).unwrap().to_string(), "3.4", "a plain f32 would not");
    }

    #[test]
    fn the_first_row_of_a_kind_is_the_main_seal_later_rows_keep_their_row() {
        let names = chosen_names([(0, "official_seal"), (2, "legal_rep_seal"), (3, "official_seal")]);
        assert_eq!(names, [(0, "seal:official_seal".to_string()), (2, "seal:legal_rep_seal".to_string()), (3, "seal:official_seal:3".to_string())]);
    }
}
