//! `certdesk employees read FILE`: a unit's employee list (XLSX, XLS, CSV) as the case JSON's
//! `employees` array (`{"employees": […], "format", "encoding", "sheet", "header_row"}` with
//! `--json`), or every problem by row and column and exit 1 (with `--json`, `{"error": {kind:
//! "employee_list", message, reason, message_zh, problems: [{row, column, header, field, value,
//! code, message, message_zh}]}}`). Reads no store and writes nothing.

use crate::context::Ctx;
use crate::output::{CliError, print_json};
use std::path::Path;
use std::process::ExitCode;

pub fn read(ctx: &Ctx, file: &Path, business: Option<&str>, years: Option<u32>) -> Result<ExitCode, CliError> {
    let roster = match certdesk_desk::roster::read_list(file, business, years, certdesk_desk::dates::today()) {
        Ok(r) => r,
        Err(e) => {
            let Some(report) = certdesk_desk::roster::refusal(&e) else { return Err(e.into()) };
            eprintln!("certdesk: {}: {}", file.display(), report.message);
            if ctx.g.json {
                let body = serde_json::json!({ "error": {
                    "kind": e.kind(),
                    "message": format!("{}: {}", file.display(), report.message),
                    "reason": report.kind,
                    "message_zh": report.message_zh,
                    "problems": report.problems,
                } });
                print_json(&body);
            } else {
                for p in &report.problems {
                    eprintln!("  {}", p.zh());
                }
            }
            return Ok(ExitCode::from(1));
        }
    };
    if ctx.g.json {
        print_json(&roster);
    } else {
        let where_ = roster.sheet.as_deref().map(|s| format!("sheet {s}, ")).unwrap_or_default();
        println!("{} employees ({where_}header on row {}):", roster.employees.len(), roster.header_row);
        for (i, e) in roster.employees.iter().enumerate() {
            println!("{:>4} {} {} {}", i + 1, e.name, e.id_number, e.business.wire());
        }
    }
    Ok(ExitCode::SUCCESS)
}
