//! Printed forms. Owns the layouts under `forms/` (the language of `forms/LAYOUT.md`), which
//! forms a case prints (catalog data), laying them out into an intermediate form of positioned
//! text, lines and fills, and writing that as PDF with the shipped font subset per document.
//! Does not store cases nor decide fees: it reads them from the domain and catalog crates.

#![warn(clippy::unwrap_used)]

pub mod barcode;
pub mod context;
pub mod engine;
pub mod fonts;
pub mod layout;
pub mod pdf;
pub mod svg;
pub mod template;

pub use context::{CaseInput, CertLine, CertStage, Counter, Review};
pub use engine::{EngineError, Item, Page};
pub use layout::{Layout, LayoutLint};

use certdesk_catalog::{Catalog, Project};
use std::collections::BTreeMap;

/// The counter's own receipt, printed for every project.
pub const RECEIPT: &str = "_counter/layouts/receipt.toml";
pub const RECEIPT_ID: &str = "receipt";
/// The counter's daily ledger (受理日报, #31: with its 日结 and the close's QR code).
pub const LEDGER: &str = "_counter/layouts/daily.toml";
pub const LEDGER_ID: &str = "daily";
/// The key desk's slip per holder and its sheet of key labels (#72), printed for a case of
/// any project once its keys are made; only when asked for (`--form holder-slips`).
pub const HOLDER_SLIPS: &str = "_counter/layouts/holder-slips.toml";
pub const HOLDER_SLIPS_ID: &str = "holder-slips";

#[derive(Debug, thiserror::Error)]
pub enum FormsError {
    #[error("{} problem(s) in the form layouts:\n{}", .0.len(), .0.iter().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<LayoutLint>),
    #[error("project {project} has no form {form} (forms: {known})")]
    UnknownForm { project: String, form: String, known: String },
    #[error("{title}: enter the {name} ({field}) in the case first; the form cannot be printed without it (须先填写{name})")]
    MissingField { title: String, name: String, field: String },
    #[error("project {project} prints no form for {business} {kind} cases")]
    NothingToPrint { project: String, business: String, kind: String },
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Pdf(#[from] pdf::PdfError),
    #[error(transparent)]
    Svg(#[from] svg::SvgError),
    #[error(transparent)]
    Font(#[from] fonts::FontError),
    #[error(transparent)]
    Catalog(#[from] certdesk_catalog::CatalogError),
}

/// One printable form of a project.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FormInfo {
    pub project: String,
    pub id: String,
    pub title: String,
    pub copies: u32,
    pub copy_labels: Vec<String>,
    pub layout: String,
}

/// Every layout of a catalog, parsed and linted.
pub struct Forms {
    pub catalog: Catalog,
    layouts: BTreeMap<(String, String), Layout>,
    receipt: Layout,
    /// `None` in a forms folder made before #31: printing the ledger then says so.
    ledger: Option<Layout>,
    /// `None` in a forms folder made before #72: asking for the slips then says there is none.
    holder_slips: Option<Layout>,
}

fn project_forms(p: &Project) -> Vec<FormInfo> {
    p.forms
        .iter()
        .map(|f| f.get_ref())
        .map(|f| FormInfo {
            project: p.id.clone(),
            id: f.id.clone(),
            title: f.title.clone(),
            copies: f.copies,
            copy_labels: f.copy_labels.clone(),
            layout: f.layout.clone().unwrap_or_default(),
        })
        .collect()
}

fn receipt_info(project: &str) -> FormInfo {
    FormInfo { project: project.into(), id: RECEIPT_ID.into(), title: "受理回执".into(), copies: 1, copy_labels: vec![], layout: RECEIPT.into() }
}

/// Checks the field paths of every template of a case's form against a context that has every path.
fn lint_paths(layout: &Layout, file: &str, source: &str, project: &Project, out: &mut Vec<LayoutLint>) {
    let sample = context::sample(project);
    // what a repeated row can show, whatever this project's fee table and checklist hold
    let mut item_roots: Vec<serde_json::Value> = vec![
        serde_json::json!({"id": "", "text": "", "copies": 1, "original": true, "stamped": true, "optional": false, "to_follow": "", "to_follow_note": "", "copies_received": 1, "original_seen": true, "state_zh": "已收"}),
        serde_json::json!({"label": "", "unit_price": "0.00", "count": 1, "amount": "0.00"}),
        context::cert_value(&CertLine::default()),
    ];
    item_roots.extend(template::lookup(&sample, "employees").and_then(|v| v.as_array().and_then(|a| a.first().cloned())));
    for root in &mut item_roots {
        root["index"] = 1.into();
    }
    lint_against(layout, file, source, &sample, &item_roots, out);
}

/// Every template of a layout with the line of its block in `source`: texts, cells' boxes,
/// repeats and `when` conditions (each as a one-field template).
fn each_template(layout: &Layout, source: &str, mut visit: impl FnMut(Option<usize>, &str)) {
    for page in &layout.pages {
        for block in &page.get_ref().blocks {
            let line = Some(layout::line_of(source, block.span().start));
            let mut texts: Vec<String> = block.get_ref().templates().into_iter().map(str::to_string).collect();
            if let layout::Block::Table { rows, repeat, .. } = block.get_ref() {
                for cell in rows.iter().flat_map(|r| &r.cells) {
                    if let Some(b) = &cell.boxes {
                        texts.push(format!("{{{b}}}"));
                    }
                }
                if let Some(rp) = repeat {
                    texts.push(format!("{{{rp}}}"));
                }
            }
            if let Some(rp) = &page.get_ref().repeat {
                texts.push(format!("{{{rp}}}"));
            }
            if let Some(Ok((path, _))) = block.get_ref().when().map(layout::parse_condition) {
                texts.push(format!("{{{path}}}"));
            }
            for t in texts {
                visit(line, &t);
            }
        }
    }
}

/// Every field path of a layout's templates (filters' `when:` paths included).
fn layout_paths(layout: &Layout) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    each_template(layout, "", |_, t| {
        if let Ok(parsed) = template::Template::parse(t) {
            out.extend(parsed.paths().into_iter().map(str::to_string));
        }
    });
    out
}

/// Checks the field paths of every template against `sample`; `item.…` paths against any of
/// `item_roots` (what a repeated row shows).
fn lint_against(layout: &Layout, file: &str, source: &str, sample: &serde_json::Value, item_roots: &[serde_json::Value], out: &mut Vec<LayoutLint>) {
    each_template(layout, source, |line, t| {
        let Ok(parsed) = template::Template::parse(t) else { return };
        for path in parsed.paths() {
            let found = match path.strip_prefix("item.") {
                Some(rest) => item_roots.iter().any(|root| template::lookup(root, rest).is_some()),
                None => template::lookup(sample, path).is_some(),
            };
            if !found {
                out.push(LayoutLint { file: file.to_string(), line, message: format!("unknown field `{path}` in {t:?} (see forms/LAYOUT.md for the paths)") });
            }
        }
    });
}

/// A field of the case data that a form prints (the intake offers every one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedField {
    /// The case JSON's path: `handler.authorization_until`, `ca_reference`, `extra.cross_border`,
    /// `employees[].business` for an annex row's column.
    pub path: String,
    /// The title of the first form that prints it.
    pub form: String,
    /// Whether that form is not printed without it (its layout's `requires`), with the name the
    /// layout gives it.
    pub required: Option<String>,
}

/// The fields of an annex row (`item.…` inside `repeat = "employees"`).
const ROW_FIELDS: [&str; 7] = ["name", "id_type", "id_number", "email", "business", "years", "authorization_until"];

impl Forms {
    /// The case-data fields the forms of a business type and kind print, each once, with the
    /// first form that prints it and whether that form requires it.
    pub fn printed_fields(&self, project: &Project, business: certdesk_domain::BusinessType, kind: certdesk_domain::CertKind) -> Vec<PrintedField> {
        let mut out: Vec<PrintedField> = Vec::new();
        for f in project.forms_for(business, kind) {
            let Some(layout) = self.layout(&project.id, &f.id) else { continue };
            let required: BTreeMap<String, String> = layout.requires.iter().map(|r| (case_path(&r.field), r.name.clone())).collect();
            let uses_annex = layout_paths(layout).iter().any(|p| p == "employees");
            for path in layout_paths(layout) {
                let path = match path.strip_prefix("item.") {
                    Some(field) if uses_annex && ROW_FIELDS.contains(&field) => format!("employees[].{field}"),
                    Some(_) => continue,
                    None => case_path(&path),
                };
                match out.iter_mut().find(|p| p.path == path) {
                    Some(seen) if seen.required.is_none() => seen.required = required.get(&path).cloned(),
                    Some(_) => {}
                    None => out.push(PrintedField { required: required.get(&path).cloned(), path, form: f.title.clone() }),
                }
            }
        }
        out
    }
}

/// A layout's path as the case JSON names it (`case.ca_reference` is the case's `ca_reference`).
fn case_path(layout_path: &str) -> String {
    match layout_path {
        "case.ca_reference" => "ca_reference".into(),
        other => other.to_string(),
    }
}

impl Forms {
    /// Parses every layout the catalog's projects name, and the receipt; refuses the whole set
    /// with every problem listed.
    pub fn load(catalog: Catalog) -> Result<Forms, FormsError> {
        let mut lints = Vec::new();
        let mut layouts = BTreeMap::new();
        let tree = catalog.tree.clone();
        let parse_file = |rel: &str, project: &Project, lints: &mut Vec<LayoutLint>| -> Option<Layout> {
            let shown = format!("{}/{rel}", tree.origin);
            let Some(bytes) = tree.file(rel) else {
                lints.push(LayoutLint { file: shown, line: None, message: "layout file missing".into() });
                return None;
            };
            let Ok(source) = std::str::from_utf8(bytes) else {
                lints.push(LayoutLint { file: shown, line: None, message: "not UTF-8 text".into() });
                return None;
            };
            match layout::parse(&shown, source) {
                Ok(l) => {
                    let before = lints.len();
                    lint_paths(&l, &shown, source, project, lints);
                    (lints.len() == before).then_some(l)
                }
                Err(mut e) => {
                    lints.append(&mut e);
                    None
                }
            }
        };
        let first_project = catalog.projects.values().next().cloned();
        for p in catalog.projects.values() {
            for f in project_forms(p) {
                if f.layout.is_empty() {
                    lints.push(LayoutLint { file: format!("{}/{}/catalog.toml", tree.origin, p.id), line: None, message: format!("form {} has no layout", f.id) });
                    continue;
                }
                let rel = format!("{}/{}", p.id, f.layout);
                if let Some(l) = parse_file(&rel, p, &mut lints) {
                    if l.id != f.id {
                        lints.push(LayoutLint { file: rel.clone(), line: Some(1), message: format!("layout id {:?} differs from the catalog's form id {:?}", l.id, f.id) });
                    }
                    layouts.insert((p.id.clone(), f.id.clone()), l);
                }
            }
        }
        let receipt = match &first_project {
            Some(p) => parse_file(RECEIPT, p, &mut lints),
            None => None,
        };
        let holder_slips = match &first_project {
            Some(p) if tree.file(HOLDER_SLIPS).is_some() => parse_file(HOLDER_SLIPS, p, &mut lints),
            _ => None,
        };
        let ledger = tree.file(LEDGER).map(|bytes| {
            let shown = format!("{}/{LEDGER}", tree.origin);
            let source = std::str::from_utf8(bytes).map_err(|_| vec![LayoutLint { file: shown.clone(), line: None, message: "not UTF-8 text".into() }])?;
            let l = layout::parse(&shown, source)?;
            let mut found = Vec::new();
            let sample = context::ledger_sample();
            let item_roots: Vec<serde_json::Value> = ["sections", "case_rows"].iter().filter_map(|k| sample[*k].as_array().and_then(|a| a.first().cloned())).collect();
            lint_against(&l, &shown, source, &sample, &item_roots, &mut found);
            if found.is_empty() { Ok(l) } else { Err(found) }
        });
        let ledger = match ledger {
            Some(Ok(l)) => Some(l),
            Some(Err(mut e)) => {
                lints.append(&mut e);
                None
            }
            None => None,
        };
        match (lints.is_empty(), receipt) {
            (true, Some(receipt)) => Ok(Forms { catalog, layouts, receipt, ledger, holder_slips }),
            (_, None) if lints.is_empty() => Err(FormsError::Invalid(vec![LayoutLint { file: RECEIPT.into(), line: None, message: "the receipt layout is missing".into() }])),
            _ => Err(FormsError::Invalid(lints)),
        }
    }

    /// Every form of a project (or all projects), the receipt included.
    pub fn list(&self, project: Option<&str>) -> Result<Vec<FormInfo>, FormsError> {
        let projects: Vec<&Project> = match project {
            Some(p) => vec![self.catalog.project(p)?],
            None => self.catalog.projects.values().collect(),
        };
        Ok(projects.into_iter().flat_map(|p| project_forms(p).into_iter().chain(std::iter::once(receipt_info(&p.id)))).collect())
    }

    /// The forms a case prints: its project's forms for its business type and kind, then the
    /// receipt; or just `only`.
    pub fn forms_for_case(&self, project: &Project, input: &CaseInput<'_>, only: Option<&str>) -> Result<Vec<FormInfo>, FormsError> {
        let mut all: Vec<FormInfo> = project_forms(project).into_iter().chain(std::iter::once(receipt_info(&project.id))).collect();
        if let Some(l) = self.holder_slips.as_ref().filter(|_| only == Some(HOLDER_SLIPS_ID)) {
            all.push(FormInfo { project: project.id.clone(), id: HOLDER_SLIPS_ID.into(), title: l.title.clone(), copies: 1, copy_labels: vec![], layout: HOLDER_SLIPS.into() });
        }
        if let Some(id) = only {
            return all.iter().find(|f| f.id == id).cloned().map(|f| vec![f]).ok_or_else(|| FormsError::UnknownForm {
                project: project.id.clone(),
                form: id.into(),
                known: all.iter().map(|f| f.id.clone()).collect::<Vec<_>>().join(", "),
            });
        }
        let wanted: Vec<String> = project.forms_for(input.data.business, input.data.cert_kind).iter().map(|f| f.id.clone()).collect();
        Ok(all.into_iter().filter(|f| f.id == RECEIPT_ID || wanted.contains(&f.id)).collect())
    }

    fn layout(&self, project: &str, form: &str) -> Option<&Layout> {
        match form {
            RECEIPT_ID => Some(&self.receipt),
            HOLDER_SLIPS_ID => self.holder_slips.as_ref(),
            _ => self.layouts.get(&(project.to_string(), form.to_string())),
        }
    }

    /// Lays out the case's forms into pages (the intermediate form).
    pub fn layout_case(&self, input: &CaseInput<'_>, only: Option<&str>) -> Result<Vec<(FormInfo, Vec<Page>)>, FormsError> {
        let project = self.catalog.project(&input.data.project)?;
        let fonts = fonts::FontSet::shared()?;
        let ctx = context::build(input, project);
        let mut out = Vec::new();
        for f in self.forms_for_case(project, input, only)? {
            let layout = self.layout(&project.id, &f.id).ok_or_else(|| FormsError::UnknownForm { project: project.id.clone(), form: f.id.clone(), known: String::new() })?;
            for r in &layout.requires {
                let value = template::lookup(&ctx, &r.field);
                if value.as_ref().is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty())) {
                    return Err(FormsError::MissingField { title: f.title.clone(), name: r.name.clone(), field: r.field.clone() });
                }
            }
            let pages = engine::layout_form(layout, &ctx, fonts, &f.title, f.copies, &f.copy_labels)?;
            out.push((f, pages));
        }
        Ok(out)
    }

    /// Renders the case's forms into one PDF.
    pub fn render_pdf(&self, input: &CaseInput<'_>, only: Option<&str>) -> Result<Vec<u8>, FormsError> {
        let forms = self.layout_case(input, only)?;
        let title = forms.first().map(|(f, _)| f.title.clone()).unwrap_or_default();
        let pages: Vec<Page> = forms.into_iter().flat_map(|(_, p)| p).collect();
        pdf_of(&title, &pages)
    }
}

impl Forms {
    /// Lays out the daily ledger (受理日报) from `ctx`, a context shaped as
    /// [`context::ledger_sample`] (the desk builds it from the day's ledger and its close).
    pub fn layout_ledger(&self, ctx: &serde_json::Value) -> Result<Vec<Page>, FormsError> {
        let layout = self.ledger.as_ref().ok_or_else(|| {
            FormsError::Invalid(vec![LayoutLint {
                file: format!("{}/{LEDGER}", self.catalog.tree.origin),
                line: None,
                message: "the daily ledger layout is missing (this forms folder predates it: copy it from the shipped forms)".into(),
            }])
        })?;
        Ok(engine::layout_form(layout, ctx, fonts::FontSet::shared()?, "受理日报", 1, &[])?)
    }
}

/// The titles of the forms `project` prints for a request of `business` and `kind` whose layout
/// has seal boxes (a seal collection sheet, or an application with its 签章采集表): such a case
/// takes the applicant's seal samples before its second check (#79). A layout that does not
/// parse counts as none (the catalog's lint reports it).
pub fn seal_forms(tree: &certdesk_catalog::FormsTree, project: &Project, business: certdesk_domain::BusinessType, kind: certdesk_domain::CertKind) -> Vec<String> {
    project
        .forms_for(business, kind)
        .into_iter()
        .filter(|f| f.layout.as_deref().and_then(|l| parsed_layout(tree, project, l)).is_some_and(|l| l.has_seal_boxes()))
        .map(|f| f.title.clone())
        .collect()
}

/// A form's layout (`layout`, relative to the project's folder) parsed from the forms tree;
/// `None` when it is missing or does not parse (the catalog's lint reports it).
fn parsed_layout(tree: &certdesk_catalog::FormsTree, project: &Project, layout: &str) -> Option<Layout> {
    let rel = format!("{}/{layout}", project.id);
    layout::parse(&rel, std::str::from_utf8(tree.file(&rel)?).ok()?).ok()
}

/// What each box of `project`'s seal collection sheet is for, row by row, top to bottom (the
/// first of its forms whose layout has seal boxes; empty without one): [`Layout::seal_boxes`].
/// A layout that does not parse gives none: the importer's own reading of the rows stands.
pub fn seal_boxes(tree: &certdesk_catalog::FormsTree, project: &Project) -> Vec<Vec<String>> {
    project_forms(project)
        .into_iter()
        .filter(|f| !f.layout.is_empty())
        .filter_map(|f| parsed_layout(tree, project, &f.layout))
        .map(|l| l.seal_boxes())
        .find(|rows| !rows.is_empty())
        .unwrap_or_default()
}

/// Laid-out pages as one PDF (titled `title`).
pub fn pdf_of(title: &str, pages: &[Page]) -> Result<Vec<u8>, FormsError> {
    Ok(pdf::write_pdf(title, pages, fonts::FontSet::shared()?)?)
}

/// Laid-out pages as SVG documents, one per page, drawn with the glyphs the PDF embeds.
pub fn svg_of(pages: &[Page]) -> Result<Vec<String>, FormsError> {
    Ok(svg::write_svg(pages, fonts::FontSet::shared()?)?)
}
