//! `certdesk audit verify`: the chain walked and every case and file checked against it, as a
//! signed-in account. Exit 1 names the first break.

use crate::ActAs;
use crate::context::Ctx;
use crate::output::{CliError, ok_if, print_json};
use std::process::ExitCode;

pub fn verify(ctx: &Ctx, by: &ActAs) -> Result<ExitCode, CliError> {
    let (mut store, mut session) = ctx.session("audit verify", by)?;
    let report = session.desk(&mut store)?.verify_audit()?;
    if ctx.g.json {
        print_json(&report);
    } else if let Some(b) = &report.first_break {
        println!("audit chain BROKEN: {}", b.message);
    } else {
        println!("audit chain ok: {} events, {} cases match their last recorded digest", report.events, report.cases_checked);
    }
    Ok(ok_if(report.ok))
}
