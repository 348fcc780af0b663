//! `certdesk day close|verify` (#31): the day signed off (日结) by a supervisor's USB key, and the
//! check of a closed day (its certificate chained to the installation's operator CA, #78),
//! through the desk. Exit 1 when a closed day does not verify (or was never closed), as
//! `audit verify`.

use crate::DayCmd;
use crate::context::Ctx;
use crate::output::{CliError, ok_if, print_json};
use certdesk_desk::operator_ca::OperatorCa;
use certdesk_desk::staff::DayVerdict;
use std::process::ExitCode;

pub fn day_cmd(ctx: &Ctx, cmd: DayCmd) -> Result<ExitCode, CliError> {
    let verdict = match cmd {
        DayCmd::Close { day, by } => {
            let (mut store, mut session, key) = ctx.session_with_key("day close", &by)?;
            let Some(key) = key else {
                // who may close it comes first: a supervisor with no key enrolled hears that
                session.desk(&mut store)?.day_closer(day)?;
                return Err(certdesk_desk::DeskError::KeyNotGiven { what: "closing a day" }.into());
            };
            session.desk(&mut store)?.close_day(day, &key.staff_key(), &OperatorCa::find(&ctx.env)?)?
        }
        DayCmd::Verify { day, reference, ledger, by } => {
            let file = match &ledger {
                Some(path) => Some(certdesk_desk::limits::read_file(path, "the exported ledger", certdesk_desk::limits::MAX_LEDGER_FILE)?),
                None => None,
            };
            let operator_ca = OperatorCa::find(&ctx.env)?;
            let (mut store, mut session) = ctx.session("day verify", &by)?;
            session.desk(&mut store)?.verify_day_against(day, reference.as_deref(), file.as_deref(), &operator_ca)?
        }
    };
    print_verdict(ctx.g.json, &verdict);
    Ok(ok_if(verdict.ok))
}

fn print_verdict(json: bool, v: &DayVerdict) {
    if json {
        print_json(v);
        return;
    }
    if !v.closed {
        println!("{}: not closed (未日结)", v.day);
        return;
    }
    println!(
        "{}: closed by {} at {} — {}",
        v.day,
        v.closed_by.as_deref().unwrap_or("?"),
        v.closed_at.as_deref().unwrap_or("?"),
        if v.ok { "verifies (日结核验通过)" } else { "DOES NOT VERIFY" }
    );
    if let Some(r) = &v.reference {
        println!("reference: {r}");
    }
    for p in &v.problems {
        println!("  problem: {p}");
    }
    if let Some(l) = &v.ledger {
        println!(
            "exported ledger: {} ({} figures compared{})",
            if l.ok { "agrees with the signed day (与日结一致)" } else { "DIFFERS from the signed day" },
            l.compared,
            if l.reference.is_none() { "; exported before the close" } else { "" }
        );
    }
    if !v.after_close.is_empty() {
        println!("日结后发生的记录 (written after the close):");
        for a in &v.after_close {
            println!("  {} {} {} {} {}", a.seq, a.at, a.actor, a.action, a.case.as_deref().unwrap_or("-"));
        }
    }
}
