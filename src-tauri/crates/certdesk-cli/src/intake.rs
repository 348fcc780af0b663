//! `certdesk intake form`: the intake's form model (#71) for a request, as the app's 受理
//! renders it: sections and fields, what is required and why, the rules that apply. Through
//! the desk's `intake_form`.

use crate::context::Ctx;
use crate::output::{CliError, print_json};
use certdesk_desk::{intake, intake_form, print};
use std::process::ExitCode;

pub fn form(ctx: &Ctx, project: &str, business: &str, cert_kind: &str, medium: Option<&str>) -> Result<ExitCode, CliError> {
    let forms = print::load_forms(ctx.catalog()?)?;
    let medium = match medium {
        Some(m) => m.to_string(),
        None => intake::project(&forms.catalog, project)?.media.first().map(|m| m.wire().to_string()).unwrap_or_default(),
    };
    let model = intake_form::intake_form(&forms, project, business, cert_kind, &medium)?;
    if ctx.g.json {
        print_json(&model);
        return Ok(ExitCode::SUCCESS);
    }
    for section in &model.sections {
        println!("{}", section.title);
        for f in &section.fields {
            let need = match (&f.required, &f.required_when) {
                (true, _) => "必填".to_string(),
                (false, Some(w)) => format!("{}={}时必填", w.key, w.equals),
                _ => String::new(),
            };
            let choices = f.choices.as_ref().map(|c| c.iter().map(|c| c.label.as_str()).collect::<Vec<_>>().join("/")).unwrap_or_default();
            println!("  {:<36} {:<16} {:<8} {need} {choices}{}", f.key, f.label, f.kind, f.why.as_deref().map(|w| format!("  ({w})")).unwrap_or_default());
        }
    }
    for r in &model.rules {
        println!("规则 {}: {}", r.id, r.text);
    }
    Ok(ExitCode::SUCCESS)
}
