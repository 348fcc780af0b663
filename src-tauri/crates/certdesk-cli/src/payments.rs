//! `certdesk payments …` (#73): a bank statement imported by an administrator, a credit
//! confirmed by a clerk as the money of its cases, the credits listed; every rule is the
//! desk's (`certdesk_desk::payments`).

use crate::PaymentsCmd;
use crate::context::Ctx;
use crate::output::{CliError, show};
use certdesk_desk::store::payments::CreditState;
use std::process::ExitCode;

pub fn payments_cmd(ctx: &Ctx, cmd: PaymentsCmd) -> Result<ExitCode, CliError> {
    match cmd {
        PaymentsCmd::Import { file, by } => {
            let (mut store, mut session) = ctx.session("payments import", &by)?;
            let report = session.desk(&mut store)?.import_statement(&file)?;
            show(ctx.g.json, &report, || {
                let mut out = vec![format!(
                    "{}: {} credit(s), {} new; {} matched, {} unmatched, {} refused, {} imported before; {} debit row(s) passed over",
                    report.file,
                    report.credits,
                    report.new,
                    report.matched.len(),
                    report.unmatched.len(),
                    report.refused.len(),
                    report.repeated.len(),
                    report.skipped_debits
                )];
                out.extend(report.matched.iter().map(|m| format!("  matched  {} → {}", m.credit, m.cases.join(" "))));
                out.extend(report.unmatched.iter().map(|u| format!("  no match {}: {}", u.credit, u.why)));
                out.extend(report.refused.iter().map(|r| format!("  refused  {}: {}", r.credit, r.why)));
                out.extend(report.problems.iter().map(|p| format!("  row {} ({}): {}", p.row, p.column, p.why)));
                out.join("\n")
            });
        }
        PaymentsCmd::Confirm { credit, cases, by } => {
            let catalog = ctx.catalog()?;
            let (mut store, mut session) = ctx.session("payments confirm", &by)?;
            let saved = session.desk(&mut store)?.confirm_payment(&catalog, &credit, &cases)?;
            let value = serde_json::json!({ "credit": credit, "cases": saved.iter().map(|r| serde_json::json!({ "number": r.number.to_string(), "status": r.status.wire(), "digest": r.digest })).collect::<Vec<_>>() });
            show(ctx.g.json, &value, || format!("{credit} confirmed as the money of {}", cases.join(", ")));
        }
        PaymentsCmd::List { unmatched, open, by } => {
            let (mut store, mut session) = ctx.session("payments list", &by)?;
            let states: &[CreditState] = if unmatched {
                &[CreditState::Unmatched]
            } else if open {
                &[CreditState::Proposed, CreditState::Unmatched]
            } else {
                &[]
            };
            let list = session.desk(&mut store)?.credits(states)?;
            show(ctx.g.json, &list, || {
                list.iter()
                    .map(|c| {
                        let cases = if c.cases.is_empty() { c.proposed.join(" ") } else { c.cases.join(" ") };
                        format!(
                            "{}  {}  {:>12}  {}  {}  {}{}",
                            c.id,
                            c.day,
                            c.amount.to_string(),
                            c.payer_name,
                            c.state.wire(),
                            cases,
                            if c.why.is_empty() { String::new() } else { format!("  ({})", c.why) }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}
