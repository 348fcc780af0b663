//! `certdesk form …`: the CA's forms listed and checked, a stored case's forms printed as a
//! signed-in account (recorded on the case, as the app's 打印), and a case file's forms as a
//! preview without a store. Everything through the desk's `print`.

use crate::FormCmd;
use crate::context::Ctx;
use crate::output::{CliError, print_json};
use certdesk_desk::print;
use std::process::ExitCode;

pub fn form_cmd(ctx: &Ctx, cmd: FormCmd) -> Result<ExitCode, CliError> {
    match cmd {
        FormCmd::List { project } => {
            let forms = print::load_forms(ctx.catalog()?)?;
            let list = print::list_forms(&forms, project.as_deref())?;
            if ctx.g.json {
                print_json(&list);
            } else {
                for f in list {
                    println!("{:<22} {:<28} ×{} {}", f.project, f.id, f.copies, f.title);
                }
            }
        }
        FormCmd::Check { dir } => {
            let catalog = match dir {
                Some(d) => certdesk_desk::intake::load_catalog(Some(&d))?,
                None => ctx.catalog()?,
            };
            let checked = print::check_forms(catalog)?;
            if ctx.g.json {
                print_json(&checked);
            } else {
                println!("{}: {} projects, {} forms: ok", checked.origin, checked.projects, checked.forms);
            }
        }
        FormCmd::Render { case: Some(number), form, out, by, .. } => {
            // a stored case: printed by an account, the same step as the app's 打印 (PDF
            // written, then recorded)
            let forms = print::load_forms(ctx.catalog()?)?;
            let (mut store, mut session) = ctx.session("form render --case", &by)?;
            let rendered = session.desk(&mut store)?.render_forms(&forms, &number, form.as_deref(), &out)?;
            let pages = rendered.pages();
            if ctx.g.json {
                print_json(&serde_json::json!({"out": out, "pages": pages, "bytes": rendered.pdf.len(), "forms": rendered.forms, "recorded": true}));
            } else {
                let names: Vec<String> = rendered.forms.iter().map(|f| format!("{} ({} page(s))", f.id, f.pages)).collect();
                println!("{}: {} page(s), {} bytes: {}; recorded on {}", out.display(), pages, rendered.pdf.len(), names.join(", "), number.trim().to_ascii_uppercase());
            }
        }
        FormCmd::Render { input: Some(file), form, out, .. } => {
            let forms = print::load_forms(ctx.catalog()?)?;
            let bytes = certdesk_desk::limits::read_file(&file, "the case file", certdesk_desk::limits::MAX_CASE_JSON)?;
            let json = String::from_utf8(bytes).map_err(|e| certdesk_desk::DeskError::invalid_json(Some(&file), e))?;
            let preview = print::render_file(&forms, &json, form.as_deref(), &out)?;
            for w in &preview.warnings {
                eprintln!("warning: {}: {}", w.path, w.message);
            }
            if ctx.g.json {
                print_json(&serde_json::json!({"out": out, "pages": preview.pages, "bytes": preview.pdf.len(), "forms": preview.forms}));
            } else {
                let names: Vec<String> = preview.forms.iter().map(|f| format!("{} ({} page(s))", f.id, f.pages)).collect();
                println!("{}: {} page(s), {} bytes: {}", out.display(), preview.pages, preview.pdf.len(), names.join(", "));
            }
        }
        FormCmd::Render { .. } => return Err(CliError::Usage("give --case NUMBER or --input CASE.json".into())),
    }
    Ok(ExitCode::SUCCESS)
}
