//! `certdesk audit verify`: the chain walked and every case and file checked against it, and
//! the approvals' signatures against the installation's operator CA (#78), as a signed-in
//! account. Exit 1 names the first break or the failed signatures. `certdesk audit log`: the
//! audit log as the app's 报表 → 审计日志 shows and exports it (#79).

use crate::ActAs;
use crate::context::Ctx;
use crate::output::{CliError, ok_if, print_json};
use certdesk_desk::operator_ca::OperatorCa;
use std::process::ExitCode;

pub fn verify(ctx: &Ctx, by: &ActAs) -> Result<ExitCode, CliError> {
    let operator_ca = OperatorCa::find(&ctx.env)?;
    let (mut store, mut session) = ctx.session("audit verify", by)?;
    let report = session.desk(&mut store)?.verify_audit(&operator_ca)?;
    if ctx.g.json {
        // the report's fields as they were, and the anchor's file beside them (#78)
        match serde_json::to_value(&report) {
            Ok(mut json) => {
                if let Some(object) = json.as_object_mut() {
                    object.insert("operator_ca".into(), serde_json::to_value(operator_ca.view()).unwrap_or_default());
                }
                print_json(&json);
            }
            // print_json says why
            Err(_) => print_json(&report),
        }
        return Ok(ok_if(report.ok));
    }
    if let Some(b) = &report.first_break {
        println!("audit chain BROKEN: {}", b.message);
        return Ok(ok_if(report.ok));
    }
    println!("audit chain ok: {} events, {} cases match their last recorded digest", report.events, report.cases_checked);
    let s = &report.signatures;
    let against = match operator_ca.view() {
        Some(anchor) => format!("chained to the installation's operator CA {} ({})", anchor.sha256, anchor.path),
        None => {
            let place = operator_ca.first_use_path().map(|p| format!(", {}", p.display())).unwrap_or_default();
            format!(
                "UNANCHORED: checked against the store's own enrolments only, no operator CA is installed (CERTDESK_OPERATOR_CA, the installation's certdesk/{}{place})",
                certdesk_desk::operator_ca::FILE_NAME
            )
        }
    };
    println!("signatures: {} checked, {} failed; {against}", s.checked, s.problems.len());
    for p in &s.problems {
        println!("  signature FAILED: case {} (event {}): {}", p.case, p.seq, p.why);
    }
    Ok(ok_if(report.ok))
}

/// `audit log`: a page of events (JSON: `{events, more, actions}`), or with `export` the file.
pub fn log(ctx: &Ctx, query: &certdesk_desk::audit_log::AuditQuery, export: Option<&str>, by: &ActAs) -> Result<ExitCode, CliError> {
    let (mut store, mut session) = ctx.session("audit log", by)?;
    let desk = session.desk(&mut store)?;
    if let Some(format) = export {
        let done = desk.export_audit_log(&ctx.env, query, format)?;
        if ctx.g.json {
            print_json(&done);
        } else {
            println!("{} events written to {}", done.rows, done.path.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let page = desk.audit_log(query)?;
    if ctx.g.json {
        print_json(&page);
        return Ok(ExitCode::SUCCESS);
    }
    for e in &page.events {
        println!("{:>6}  {}  {:<12} {:<24} {}", e.seq, e.at, e.actor, e.action, e.case_number.as_deref().unwrap_or(""));
    }
    if page.more {
        let oldest = page.events.last().map_or(0, |e| e.seq);
        println!("(older events: --before {oldest})");
    }
    Ok(ExitCode::SUCCESS)
}
