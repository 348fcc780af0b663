//! `certdesk form …`: listing, rendering and checking the CA's printed forms. Owns gathering
//! what a form shows besides the case data (case number, reviewers and times from the audit
//! chain, the counter's identity) and writing the PDF file.

use crate::FormCmd;
use crate::Global;
use crate::commands::{DEFAULT_COUNTER, load_catalog, open_store, read_case_file};
use crate::output::{CliError, print_json};
use certdesk_catalog::Catalog;
use certdesk_forms::{CaseInput, Counter, Forms, Review};
use std::collections::BTreeMap;
use std::process::ExitCode;

impl From<certdesk_forms::FormsError> for CliError {
    fn from(e: certdesk_forms::FormsError) -> CliError {
        CliError::Refused(e.to_string())
    }
}

pub fn form_cmd(g: &Global, cmd: FormCmd) -> Result<ExitCode, CliError> {
    match cmd {
        FormCmd::List { project } => {
            let forms = Forms::load(load_catalog(g)?)?;
            let list = forms.list(project.as_deref())?;
            if g.json {
                print_json(&list);
            } else {
                for f in list {
                    println!("{:<22} {:<28} ×{} {}", f.project, f.id, f.copies, f.title);
                }
            }
        }
        FormCmd::Check { dir } => {
            let catalog = match dir {
                Some(d) => Catalog::from_dir(&d)?,
                None => load_catalog(g)?,
            };
            let origin = catalog.origin.clone();
            let projects = catalog.projects.len();
            let forms = Forms::load(catalog)?;
            let n = forms.list(None)?.len();
            if g.json {
                print_json(&serde_json::json!({"ok": true, "origin": origin, "projects": projects, "forms": n}));
            } else {
                println!("{origin}: {projects} projects, {n} forms: ok");
            }
        }
        FormCmd::Render { case: Some(number), form, out, by, .. } if by.actor.is_some() => {
            // printed by an account: the same step as the app's 打印 (PDF written, then recorded)
            let forms = Forms::load(load_catalog(g)?)?;
            let mut store = crate::commands::open_store(g)?;
            let mut session = crate::people::session(&mut store, &by)?;
            let rendered = certdesk_desk::print::render(&mut session.desk(&mut store)?, &forms, &number, form.as_deref(), &out)?;
            let pages = rendered.pages();
            if g.json {
                print_json(&serde_json::json!({"out": out, "pages": pages, "bytes": rendered.pdf.len(), "forms": rendered.forms, "recorded": true}));
            } else {
                let names: Vec<String> = rendered.forms.iter().map(|f| format!("{} ({} page(s))", f.id, f.pages)).collect();
                println!("{}: {} page(s), {} bytes: {}; recorded on {}", out.display(), pages, rendered.pdf.len(), names.join(", "), number.trim().to_ascii_uppercase());
            }
        }
        FormCmd::Render { case, input, form, out, .. } => {
            let forms = Forms::load(load_catalog(g)?)?;
            let today = chrono::Local::now().date_naive();
            // a stored case prints with what the store knows (reviewers, counter, seal images)
            let stored = case.as_deref().map(|number| -> Result<_, CliError> {
                let store = open_store(g)?;
                certdesk_desk::print::Printable::load(&store, number).map_err(|e| CliError::Refused(e.to_string()))
            });
            let stored = stored.transpose()?;
            let from_file;
            let input = match (stored.as_ref(), input) {
                (Some(p), _) => p.input(),
                (None, Some(file)) => {
                    let (data, warnings) = read_case_file(&forms.catalog, &file)?;
                    for w in warnings {
                        eprintln!("warning: {w}");
                    }
                    from_file = data;
                    let digest = from_file.digest();
                    CaseInput {
                        data: &from_file,
                        number: None,
                        digest,
                        review: Review::default(),
                        counter: Counter { code: DEFAULT_COUNTER.into(), ..Default::default() },
                        today,
                        seals: BTreeMap::new(),
                    }
                }
                (None, None) => return Err(CliError::Usage("give --case NUMBER or --input CASE.json".into())),
            };
            let laid = forms.layout_case(&input, form.as_deref())?;
            let pages: usize = laid.iter().map(|(_, p)| p.len()).sum();
            let names: Vec<String> = laid.iter().map(|(f, p)| format!("{} ({} page(s))", f.id, p.len())).collect();
            let pdf = forms.render_pdf(&input, form.as_deref())?;
            certdesk_store::private::write(&out, &pdf).map_err(|source| CliError::Io { what: "cannot write", path: out.display().to_string(), source })?;
            if g.json {
                print_json(
                    &serde_json::json!({"out": out, "pages": pages, "bytes": pdf.len(), "forms": laid.iter().map(|(f, p)| serde_json::json!({"id": f.id, "title": f.title, "pages": p.len()})).collect::<Vec<_>>()}),
                );
            } else {
                println!("{}: {} page(s), {} bytes: {}", out.display(), pages, pdf.len(), names.join(", "));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
