//! `certdesk report …`: the counter's reports (the same as the app's, through the desk) as a
//! signed-in account, printed as text or JSON or written as CSV or XLSX.

use crate::context::Ctx;
use crate::output::{CliError, print_json};
use crate::{ExportFormat, ReportCmd};
use certdesk_desk::report::{self, Table};
use std::path::Path;
use std::process::ExitCode;

fn format(f: ExportFormat) -> report::ExportFormat {
    match f {
        ExportFormat::Csv => report::ExportFormat::Csv,
        ExportFormat::Xlsx => report::ExportFormat::Xlsx,
    }
}

fn show(json: bool, value: serde_json::Value, table: &Table, out: Option<&Path>, export: Option<ExportFormat>) -> Result<(), CliError> {
    if let (Some(out), Some(export)) = (out, export) {
        let bytes = report::write_table(table, format(export), out)?;
        if json {
            print_json(&serde_json::json!({ "out": out, "rows": table.rows.len(), "bytes": bytes }));
        } else {
            println!("{}: {} row(s), {bytes} bytes", out.display(), table.rows.len());
        }
    } else if json {
        print_json(&value);
    } else {
        println!("{}", table.title);
        println!("{}", table.header.join("\t"));
        for r in &table.rows {
            println!("{}", r.join("\t"));
        }
    }
    Ok(())
}

pub fn report_cmd(ctx: &Ctx, cmd: ReportCmd) -> Result<ExitCode, CliError> {
    match cmd {
        ReportCmd::Daily { date, out, format, pdf: Some(pdf), by } => {
            if out.is_some() || format.is_some() {
                return Err(CliError::Usage("--pdf prints the ledger; --out/--format export it: one at a time".into()));
            }
            let forms = certdesk_desk::print::load_forms(ctx.catalog()?)?;
            let (mut store, mut session) = ctx.session("report daily", &by)?;
            let desk = session.desk(&mut store)?;
            let printed = desk.print_ledger(&forms, &ctx.env, date.unwrap_or_else(certdesk_desk::dates::today), Some(&pdf))?;
            if ctx.g.json {
                print_json(&serde_json::json!({"out": printed.path, "pages": printed.pages, "bytes": printed.bytes}));
            } else {
                println!("{}: {} page(s), {} bytes", printed.path.display(), printed.pages, printed.bytes);
            }
        }
        ReportCmd::Daily { date, out, format, pdf: None, by } => {
            let (mut store, mut session) = ctx.session("report daily", &by)?;
            let ledger = session.desk(&mut store)?.daily(date.unwrap_or_else(certdesk_desk::dates::today))?;
            show(ctx.g.json, serde_json::to_value(&ledger).unwrap_or_default(), &report::daily_table(&ledger), out.as_deref(), format)?;
        }
        ReportCmd::Invoices { day, out, by } => {
            let catalog = ctx.catalog()?;
            let day = day.unwrap_or_else(certdesk_desk::dates::today);
            let (mut store, mut session) = ctx.session("report invoices", &by)?;
            let desk = session.desk(&mut store)?;
            match out {
                Some(out) => {
                    let rows = desk.export_invoices(&catalog, day, &out)?;
                    if ctx.g.json {
                        print_json(&serde_json::json!({ "out": out, "rows": rows }));
                    } else {
                        println!("{}: {rows} invoice request(s) of {day}", out.display());
                    }
                }
                None => {
                    let list = desk.invoices(day)?;
                    let table = certdesk_desk::invoices::invoice_table(&catalog, &list);
                    show(ctx.g.json, serde_json::to_value(&list).unwrap_or_default(), &table, None, None)?;
                }
            }
        }
        ReportCmd::Expiring { days, out, format, by } => {
            // a day count out of range is the command line's mistake (exit 2)
            certdesk_desk::limits::report_days(days).map_err(|e| CliError::Usage(format!("--days: {e}")))?;
            let (mut store, mut session) = ctx.session("report expiring", &by)?;
            let list = session.desk(&mut store)?.expiring(days)?;
            show(ctx.g.json, serde_json::to_value(&list).unwrap_or_default(), &report::expiring_table(&list, days), out.as_deref(), format)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
