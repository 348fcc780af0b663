//! CA project catalogs (`forms/<project>/catalog.toml`): what each CA offers, its fee table,
//! materials checklists and the forms it prints, all as data. Owns loading, linting and fee
//! computation. Does not render forms (the forms crate) nor store anything.

#![warn(clippy::unwrap_used)]

pub mod calendar;
pub mod fees;
pub mod invoices;
pub mod model;
pub mod source;

pub use fees::{FeeError, FeeGroup, FeeLine, FeeQuote, FeeRequest, FeeRow, RowFeeError};
pub use model::{FieldDef, FieldKind, FormEntry, LegalRepApart, Lint, MaterialItem, MaterialKind, MaterialState, Per, Project, PromiseEntry, Route, Rules};
pub use model::{TriageEntry, TriageRoute, Validity};
pub use source::FormsTree;

use std::collections::BTreeMap;

/// Every project of a forms tree, loaded and linted.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub origin: String,
    pub projects: BTreeMap<String, Project>,
    pub tree: FormsTree,
    /// The State Council's holiday notices (`_calendar/<year>.toml`, #73).
    pub notices: Vec<certdesk_domain::workdays::YearNotice>,
    /// The invoice list's columns for the finance office's 开票 tool (`_counter/invoice-export.toml`).
    pub invoice_export: Option<invoices::InvoiceExport>,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum CatalogError {
    #[error("the catalog in {origin} has {} problem(s):\n{}", lints.len(), lints.iter().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n"))]
    Invalid { origin: String, lints: Vec<Lint> },
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::sync::Arc<std::io::Error>,
    },
    #[error("no CA project {id:?} in {origin} (known: {known})")]
    UnknownProject { id: String, origin: String, known: String },
}

impl Catalog {
    /// Loads every project of `tree`; any problem in any file refuses the whole catalog, with
    /// every problem listed.
    pub fn from_tree(tree: FormsTree) -> Result<Catalog, CatalogError> {
        let mut projects = BTreeMap::new();
        let mut lints = Vec::new();
        let folders = tree.project_folders();
        if folders.is_empty() {
            lints.push(Lint { file: tree.origin.clone(), line: None, message: "no project folder with a catalog.toml".into() });
        }
        for folder in folders {
            let rel = format!("{folder}/catalog.toml");
            let shown = format!("{}/{rel}", tree.origin);
            match source::parse_project(&folder, &shown, tree.file(&rel).unwrap_or_default()) {
                Ok(p) => {
                    projects.insert(folder, p);
                }
                Err(mut l) => lints.append(&mut l),
            }
        }
        let (notices, mut notice_lints) = calendar::notices(&tree);
        lints.append(&mut notice_lints);
        let invoice_export = invoices::invoice_export(&tree).unwrap_or_else(|l| {
            lints.push(l);
            None
        });
        if lints.is_empty() {
            Ok(Catalog { origin: tree.origin.clone(), projects, tree, notices, invoice_export })
        } else {
            Err(CatalogError::Invalid { origin: tree.origin, lints })
        }
    }

    /// The catalog built into the binary.
    pub fn embedded() -> Result<Catalog, CatalogError> {
        Catalog::from_tree(FormsTree::embedded())
    }

    pub fn from_dir(dir: &std::path::Path) -> Result<Catalog, CatalogError> {
        let tree = FormsTree::read_dir(dir).map_err(|e| CatalogError::Io { path: dir.display().to_string(), source: e.into() })?;
        Catalog::from_tree(tree)
    }

    pub fn project(&self, id: &str) -> Result<&Project, CatalogError> {
        self.projects.get(id).ok_or_else(|| CatalogError::UnknownProject {
            id: id.to_string(),
            origin: self.origin.clone(),
            known: self.projects.keys().cloned().collect::<Vec<_>>().join(", "),
        })
    }
}
