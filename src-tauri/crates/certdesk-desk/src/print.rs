//! Printing a stored case: gathers what the forms show besides the case data (the case number
//! and digest, clerk and supervisor and the acceptance time from the audit chain, the counter's
//! identity, the chosen seal images kept with the case, where each certificate stands and why
//! one was withdrawn), lays the forms out once and renders
//! them as one PDF (the record of what was printed) and as SVG sheets (the preview, and what the
//! app's print dialog prints), into the print folder under the case's name. Also a case file's
//! forms as a preview without a store (`render_file`), the forms list and lint, and the fonts'
//! configuration the adapters hand in. Does not talk to printers: the app shell does.

use crate::DeskError;
use crate::api::Desk;
use crate::place::Environment;
use certdesk_catalog::Catalog;
use certdesk_forms::{CaseInput, Counter, FormInfo, Forms, Review};
use certdesk_store::{AuditAction, Store};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn counter(store: &Store) -> Result<Counter, DeskError> {
    let c = crate::api::counter_identity(store)?;
    Ok(Counter { code: c.code, name: c.name, address: c.address })
}

/// The fonts of printed forms: `dir` (the app's resource folder's fonts, or
/// `CERTDESK_FONTS`) and the fallback list (`CERTDESK_FALLBACK_FONTS`); where none is given
/// the forms crate looks next to the program. The first call of a process counts.
pub fn configure_fonts(dir: Option<PathBuf>, env: &Environment) {
    let dir = dir.or_else(|| env.fonts.clone());
    let fallbacks = env.fallback_fonts.as_deref().map(|list| certdesk_forms::fonts::parse_fallback_list(std::ffi::OsStr::new(list)));
    // the first and only configuration of this process
    let _ = certdesk_forms::fonts::configure(certdesk_forms::fonts::FontConfig { dir, fallbacks });
}

/// The app's own fonts folder when it has the shipped face (an installed package's resource
/// folder), else none.
pub fn resource_fonts(resources: Option<&Path>) -> Option<PathBuf> {
    resources.map(|r| r.join("fonts")).filter(|d| d.join(certdesk_forms::fonts::REGULAR_FILE).is_file())
}

/// The forms of the catalog's projects, laid out once (checked as they load).
pub fn load_forms(catalog: Catalog) -> Result<Forms, DeskError> {
    Ok(Forms::load(catalog)?)
}

/// The forms of every project, or of one.
pub fn list_forms(forms: &Forms, project: Option<&str>) -> Result<Vec<FormInfo>, DeskError> {
    Ok(forms.list(project)?)
}

/// A forms folder checked whole (`form check`): its origin, projects and forms.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    pub ok: bool,
    pub origin: String,
    pub projects: usize,
    pub forms: usize,
}

pub fn check_forms(catalog: Catalog) -> Result<Checked, DeskError> {
    let (origin, projects) = (catalog.origin.clone(), catalog.projects.len());
    let forms = Forms::load(catalog)?;
    Ok(Checked { ok: true, origin, projects, forms: forms.list(None)?.len() })
}

fn local_time(utc: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(utc).map(|t| t.with_timezone(&chrono::Local).to_rfc3339()).unwrap_or_else(|_| utc.to_string())
}

/// Everything a stored case's forms print, owned; seal images live in a temporary folder for
/// as long as this value does.
pub struct Printable {
    pub data: certdesk_domain::CaseData,
    pub number: String,
    pub digest: String,
    pub review: Review,
    pub counter: Counter,
    pub seals: BTreeMap<String, std::path::PathBuf>,
    /// the case's certificates as its chain tells them (the receipt lists them)
    pub certs: Vec<certdesk_forms::CertLine>,
    _seal_dir: Option<tempfile::TempDir>,
}

impl Printable {
    fn load(store: &Store, number: &str) -> Result<Printable, DeskError> {
        let (rec, facts) = store.facts(&crate::api::case_number(number)?)?;
        let history = store.history(&rec.number)?;
        let last = |action: AuditAction| history.iter().rev().find(|e| e.action == action);
        // forms and receipts carry people's names (姓名), the login where none is set
        let names = store.display_names()?;
        let name_of = |login: &str| names.get(login).cloned().unwrap_or_else(|| login.to_string());
        let review = Review {
            clerk: last(AuditAction::Accept).map(|e| name_of(&e.actor)),
            supervisor: last(AuditAction::Approve).map(|e| name_of(&e.actor)),
            accepted_at: last(AuditAction::Accept).map(|e| local_time(&e.at)),
        };
        let mut seals = BTreeMap::new();
        let mut seal_dir = None;
        for a in store.attachments(&rec.number)?.into_iter().filter(|a| a.name.starts_with("seal:") && a.mime == "image/png") {
            let Some((_, bytes)) = store.attachment(&rec.number, &a.name)? else { continue };
            if seal_dir.is_none() {
                seal_dir = Some(tempfile::tempdir().map_err(crate::io("cannot create a folder in", &std::env::temp_dir()))?);
            }
            let dir = seal_dir.as_ref().map(|d| d.path().to_path_buf()).unwrap_or_default();
            let path = dir.join(format!("{}.png", a.name.replace(':', "_")));
            std::fs::write(&path, &bytes).map_err(crate::io("cannot write", &path))?;
            seals.insert(a.name.clone(), path);
        }
        let certs = crate::report::cert_outcomes(&facts, &history, &names).into_iter().map(cert_line).collect();
        Ok(Printable { number: rec.number.to_string(), digest: rec.digest.clone(), data: rec.data, review, counter: counter(store)?, seals, certs, _seal_dir: seal_dir })
    }

    fn input(&self) -> CaseInput<'_> {
        CaseInput {
            data: &self.data,
            number: Some(self.number.clone()),
            digest: self.digest.clone(),
            review: self.review.clone(),
            counter: self.counter.clone(),
            today: chrono::Local::now().date_naive(),
            seals: self.seals.clone(),
            certs: Some(self.certs.clone()),
        }
    }
}

/// A certificate's outcome as the forms print it.
fn cert_line(o: crate::report::CertOutcome) -> certdesk_forms::CertLine {
    use certdesk_forms::CertStage;
    let stage = match (&o.withdrawn, o.written) {
        (Some(_), _) => CertStage::Withdrawn,
        (None, true) => CertStage::Written,
        (None, false) => CertStage::Waiting,
    };
    certdesk_forms::CertLine {
        index: o.index,
        holder: o.holder,
        holder_id: o.holder_id,
        stage,
        key_serial: o.key_serial,
        key_label: o.key_label,
        certificate_serial: o.certificate_serial,
        not_after: o.not_after,
        withdrawn_reason: o.withdrawn.map(|w| w.reason),
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct FormPages {
    pub id: String,
    pub title: String,
    pub pages: usize,
}

/// One printed page as the screen and the print dialog show it: an SVG document drawn with the
/// glyphs the PDF embeds, and its paper size in mm.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Sheet {
    pub width: f32,
    pub height: f32,
    pub svg: String,
}

fn sheets(pages: &[certdesk_forms::Page]) -> Result<Vec<Sheet>, DeskError> {
    let svgs = certdesk_forms::svg_of(pages)?;
    Ok(pages.iter().zip(svgs).map(|(p, svg)| Sheet { width: p.width, height: p.height, svg }).collect())
}

/// The case's forms as they will print, for a preview.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Preview {
    pub forms: Vec<FormPages>,
    pub sheets: Vec<Sheet>,
}

/// The case's forms laid out: the title of the first, what each form takes, and every page in
/// print order.
fn lay_out(forms: &Forms, p: &Printable, only: Option<&str>) -> Result<(String, Vec<FormPages>, Vec<certdesk_forms::Page>), DeskError> {
    let laid = forms.layout_case(&p.input(), only)?;
    let title = laid.first().map(|(f, _)| f.title.clone()).unwrap_or_default();
    let list = laid.iter().map(|(f, pages)| FormPages { id: f.id.clone(), title: f.title.clone(), pages: pages.len() }).collect();
    Ok((title, list, laid.into_iter().flat_map(|(_, pages)| pages).collect()))
}

impl Desk<'_> {
    /// The case's forms as they will print, for the screen (nothing recorded).
    pub fn preview_forms(&self, forms: &Forms, number: &str, only: Option<&str>) -> Result<Preview, DeskError> {
        let (_, list, pages) = lay_out(forms, &Printable::load(self.store, number)?, only)?;
        Ok(Preview { forms: list, sheets: sheets(&pages)? })
    }

    /// Renders the forms the case needs (or one) into one PDF and its sheets, writes the PDF to
    /// `out` (the record of what was printed), and only then records `forms_printed` on the case's
    /// audit chain (which forms, the file, the PDF's SHA-256). Every print of a stored case is
    /// recorded, from the app or the command line.
    pub fn render_forms(&mut self, forms: &Forms, number: &str, only: Option<&str>, out: &Path) -> Result<Rendered, DeskError> {
        let p = Printable::load(self.store, number)?;
        let (title, list, pages) = lay_out(forms, &p, only)?;
        let pdf = certdesk_forms::pdf_of(&title, &pages)?;
        let sheets = sheets(&pages)?;
        certdesk_store::private::write(out, &pdf).map_err(crate::io("cannot write", out))?;
        let detail = certdesk_store::detail::FormsPrinted {
            forms: list.iter().map(|f| f.id.clone()).collect(),
            pages: pages.len(),
            file: out.display().to_string(),
            pdf_sha256: certdesk_domain::case::sha256_hex(&pdf),
        };
        let number = crate::api::case_number(&p.number)?;
        self.store.note(&number, &self.actor, certdesk_store::EventBody::new(AuditAction::FormsPrinted, &detail))?;
        Ok(Rendered { pdf, forms: list, sheets })
    }

    pub fn print_case(&mut self, forms: &Forms, env: &Environment, number: &str, only: Option<&str>) -> Result<Printed, DeskError> {
        let path = self.folder(crate::folders::Folder::Print, env)?.join(crate::folders::printed_pdf(number, only)?);
        let rendered = self.render_forms(forms, number, only, &path)?;
        Ok(Printed { path, pages: rendered.pages(), bytes: rendered.pdf.len(), forms: rendered.forms, sheets: rendered.sheets })
    }

    /// The day's ledger printed (受理日报, #31): with the close's reference as a QR code once a
    /// supervisor has signed the day off (and the SHA-256 of the installation's operator CA, #78),
    /// 未日结 before; into `out` or the print folder as
    /// `受理日报-<day>.pdf`. Not a case's print: nothing is recorded on a chain (the close is).
    pub fn print_ledger(&self, forms: &Forms, env: &Environment, day: chrono::NaiveDate, out: Option<&Path>) -> Result<LedgerPrinted, DeskError> {
        let ledger = self.daily(day)?;
        let printed_at = chrono::Local::now().format("%Y-%m-%d %H:%M").to_string();
        let mut ctx = crate::report::ledger_context(&ledger, &counter(self.store)?, &printed_at);
        // the installation's operator CA the close's key is checked against (#78), beside its QR code
        let operator_ca = if ledger.close.is_some() {
            crate::operator_ca::OperatorCa::find(env)?.anchor().map(crate::operator_ca::Anchor::fingerprint).unwrap_or_default()
        } else {
            String::new()
        };
        ctx["close"]["operator_ca"] = serde_json::Value::String(operator_ca);
        let pages = forms.layout_ledger(&ctx)?;
        let pdf = certdesk_forms::pdf_of("受理日报", &pages)?;
        let path = match out {
            Some(p) => p.to_path_buf(),
            None => self.folder(crate::folders::Folder::Print, env)?.join(format!("受理日报-{day}.pdf")),
        };
        certdesk_store::private::write(&path, &pdf).map_err(crate::io("cannot write", &path))?;
        Ok(LedgerPrinted { path, pages: pages.len(), bytes: pdf.len() })
    }

    pub fn print_dialog(&self, env: &Environment, number: &str, width: f32, height: f32) -> Result<PrintDialog, DeskError> {
        crate::limits::paper(width, height)?;
        // a stored case's number (not whatever the window sends) names the file
        let number = self.case(number)?.number.to_string();
        let file = self.folder(crate::folders::Folder::Print, env)?.join(crate::folders::print_to_file(&number));
        Ok(PrintDialog { file, printer: self.setting("printer")? })
    }
}

/// The case's forms rendered for printing: the PDF (kept as the record of what was printed)
/// and the same pages as sheets for the print dialog, from one layout.
pub struct Rendered {
    pub pdf: Vec<u8>,
    pub forms: Vec<FormPages>,
    pub sheets: Vec<Sheet>,
}

impl Rendered {
    pub fn pages(&self) -> usize {
        self.sheets.len()
    }
}

/// The case's forms printed into the print folder (`<case>.pdf`, one form
/// `<case>-<form>.pdf`), recorded: the app's 打印.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Printed {
    /// The PDF kept in the print folder: the record of what was printed.
    #[ts(type = "string")]
    pub path: PathBuf,
    pub pages: usize,
    pub bytes: usize,
    pub forms: Vec<FormPages>,
    /// The same pages for the print dialog (the window shows only these when it prints).
    pub sheets: Vec<Sheet>,
}

/// The day's ledger printed into a PDF (受理日报, #31).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct LedgerPrinted {
    #[ts(type = "string")]
    pub path: PathBuf,
    pub pages: usize,
    pub bytes: usize,
}

/// Where the print dialog prints: the file "print to file" defaults to (`<case>-打印.pdf` in
/// the print folder), the printer of the `printer` setting, and the paper checked.
#[derive(Debug, Clone)]
pub struct PrintDialog {
    pub file: PathBuf,
    pub printer: Option<String>,
}

/// A case file's forms as a preview (`form render --input`): no store, no case number, the
/// default counter; nothing recorded. The warnings of its data come back with the PDF.
pub struct FilePreview {
    pub pdf: Vec<u8>,
    pub forms: Vec<FormPages>,
    pub pages: usize,
    pub warnings: Vec<certdesk_domain::FieldProblem>,
}

pub fn render_file(forms: &Forms, json: &str, only: Option<&str>, out: &Path) -> Result<FilePreview, DeskError> {
    let today = chrono::Local::now().date_naive();
    let (data, warnings) = crate::intake::parse_case(&forms.catalog, json, today)?;
    let input = CaseInput {
        data: &data,
        number: None,
        digest: data.digest(),
        review: Review::default(),
        counter: Counter { code: crate::api::DEFAULT_COUNTER.into(), ..Default::default() },
        today,
        seals: BTreeMap::new(),
        certs: None,
    };
    let laid = forms.layout_case(&input, only)?;
    let title = laid.first().map(|(f, _)| f.title.clone()).unwrap_or_default();
    let list = laid.iter().map(|(f, pages)| FormPages { id: f.id.clone(), title: f.title.clone(), pages: pages.len() }).collect();
    let pages: Vec<certdesk_forms::Page> = laid.into_iter().flat_map(|(_, p)| p).collect();
    let pdf = certdesk_forms::pdf_of(&title, &pages)?;
    certdesk_store::private::write(out, &pdf).map_err(crate::io("cannot write", out))?;
    Ok(FilePreview { pdf, forms: list, pages: pages.len(), warnings })
}
