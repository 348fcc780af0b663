//! `certdesk calendar …` (#73): working days by the State Council's notices built into the
//! catalog (`forms/_calendar`), no store and no account needed. A year without a notice is
//! counted Monday–Friday only, and the answer says which years those were. `calendar due` reads
//! the store (signed in): the due list of `certdesk_desk::due`.

use crate::CalendarCmd;
use crate::context::Ctx;
use crate::output::{CliError, show};
use std::process::ExitCode;

pub fn calendar_cmd(ctx: &Ctx, cmd: CalendarCmd) -> Result<ExitCode, CliError> {
    let catalog = ctx.catalog()?;
    // the notices alone: `calendar due` asks the desk, which adds the counter's closed days
    let calendar = || certdesk_desk::due::calendar_of(&catalog);
    match cmd {
        CalendarCmd::Due { day, by } => {
            let day = day.unwrap_or_else(certdesk_desk::dates::today);
            let (mut store, mut session) = ctx.session("calendar due", &by)?;
            let list = session.desk(&mut store)?.due_list(&catalog, day)?;
            show(ctx.g.json, &list, || due_text(&list));
        }
        CalendarCmd::Workdays { from, days } => {
            let calendar = calendar()?;
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
            let calendar = calendar()?;
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

fn due_text(list: &certdesk_desk::due::DueList) -> String {
    let mut out =
        vec![format!("{}: {} due today, {} late, {} waiting on the applicant, {} running", list.day, list.due_today.len(), list.late.len(), list.waiting.len(), list.running)];
    for (title, cases) in [("due today (今日到期)", &list.due_today), ("late (已超期)", &list.late)] {
        if !cases.is_empty() {
            out.push(format!("{title}:"));
            for c in cases.iter() {
                out.push(format!("  {}  {}  {} {}  due {} ({} working day(s) left)  {}", c.number, c.organization, c.promise, c.term, c.due, c.days_left, c.project));
            }
        }
    }
    if !list.waiting.is_empty() {
        out.push("waiting on the applicant (待申请人):".into());
        for w in &list.waiting {
            out.push(format!("  {}  {}  {}  received {}", w.number, w.organization, w.waiting_zh.join("、"), w.received));
        }
    }
    if !list.returned.is_empty() {
        out.push("returned to the counter (已退回):".into());
        for r in &list.returned {
            out.push(format!("  {}  {}  returned by {} at {}: {}", r.number, r.organization, r.returned_by, r.returned_at, r.reason));
        }
    }
    if !list.without_notice.is_empty() {
        out.push(format!("no holiday notice for {}: Monday–Friday counted", list.without_notice.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")));
    }
    out.join("\n")
}
