//! `certdesk calendar …` (#73): working days by the State Council's notices built into the
//! catalog (`forms/_calendar`), no store and no account needed. A year without a notice is
//! counted Monday–Friday only, and the answer says which years those were.

use crate::CalendarCmd;
use crate::context::Ctx;
use crate::output::{CliError, show};
use certdesk_desk::domain::workdays::Calendar;
use std::process::ExitCode;

pub fn calendar_cmd(ctx: &Ctx, cmd: CalendarCmd) -> Result<ExitCode, CliError> {
    let catalog = ctx.catalog()?;
    let calendar = Calendar::new(catalog.notices.clone(), []).map_err(|e| CliError::Usage(e.to_string()))?;
    match cmd {
        CalendarCmd::Workdays { from, days } => {
            let date = calendar.add_workdays(from, days);
            let without = calendar.years_without_notice(from, date);
            let note = if without.is_empty() {
                String::new()
            } else {
                format!(" (no holiday notice for {}: Monday–Friday counted)", without.iter().map(i32::to_string).collect::<Vec<_>>().join(", "))
            };
            show(ctx.g.json, &serde_json::json!({ "from": from.to_string(), "days": days, "date": date.to_string(), "without_notice": without }), || {
                format!("{date}: {days} working day(s) after {from}{note}")
            });
        }
        CalendarCmd::Notices => {
            let list: Vec<serde_json::Value> = calendar
                .notices()
                .map(|n| {
                    serde_json::json!({
                        "year": n.year,
                        "source": n.source,
                        "off": n.off.iter().map(|r| serde_json::json!({ "name": r.name, "from": r.from.to_string(), "to": r.to.to_string() })).collect::<Vec<_>>(),
                        "worked": n.worked.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
                    })
                })
                .collect();
            show(ctx.g.json, &list, || {
                calendar.notices().map(|n| format!("{}: {} ({} runs off, {} weekend days worked)", n.year, n.source, n.off.len(), n.worked.len())).collect::<Vec<_>>().join("\n")
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}
