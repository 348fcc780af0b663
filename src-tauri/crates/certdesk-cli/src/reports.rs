//! `certdesk report …` and `certdesk store …`: the counter's reports (shared with the app
//! through `certdesk-desk`) written as text, JSON, CSV or XLSX, and the store's verified
//! backup and restore.

use crate::commands::open_store;
use crate::output::{CliError, print_json};
use crate::{ExportFormat, Global, ReportCmd, StoreCmd};
use certdesk_desk::{report, xlsx};
use std::path::Path;
use std::process::ExitCode;

fn write(out: &Path, format: ExportFormat, table: &report::Table) -> Result<usize, CliError> {
    let bytes = match format {
        ExportFormat::Csv => report::to_csv(table),
        ExportFormat::Xlsx => xlsx::workbook(std::slice::from_ref(table)),
    };
    certdesk_store::private::write(out, &bytes).map_err(|source| CliError::Io { what: "cannot write", path: out.display().to_string(), source })?;
    Ok(bytes.len())
}

fn desk(e: certdesk_desk::DeskError) -> CliError {
    CliError::Refused(e.to_string())
}

fn show(g: &Global, value: serde_json::Value, table: &report::Table, out: Option<&Path>, format: Option<ExportFormat>) -> Result<(), CliError> {
    if let (Some(out), Some(format)) = (out, format) {
        let bytes = write(out, format, table)?;
        if g.json {
            print_json(&serde_json::json!({ "out": out, "rows": table.rows.len(), "bytes": bytes }));
        } else {
            println!("{}: {} row(s), {bytes} bytes", out.display(), table.rows.len());
        }
    } else if g.json {
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

pub fn report_cmd(g: &Global, cmd: ReportCmd) -> Result<ExitCode, CliError> {
    let store = open_store(g)?;
    match cmd {
        ReportCmd::Daily { date, out, format } => {
            let day = match date {
                Some(d) => chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| CliError::Usage(format!("--date {d:?} is not a date (YYYY-MM-DD)")))?,
                None => chrono::Local::now().date_naive(),
            };
            let ledger = report::daily(&store, day).map_err(desk)?;
            show(g, serde_json::to_value(&ledger).unwrap_or_default(), &report::daily_table(&ledger), out.as_deref(), format)?;
        }
        ReportCmd::Expiring { days, out, format } => {
            if !(1..=3650).contains(&days) {
                return Err(CliError::Usage(format!("--days {days}: give 1 to 3650")));
            }
            let list = report::expiring(&store, chrono::Utc::now(), days).map_err(desk)?;
            show(g, serde_json::to_value(&list).unwrap_or_default(), &report::expiring_table(&list, days), out.as_deref(), format)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn store_cmd(g: &Global, cmd: StoreCmd) -> Result<ExitCode, CliError> {
    match cmd {
        StoreCmd::Backup { out, by } => {
            let mut store = open_store(g)?;
            let mut session = crate::people::session(&mut store, &by)?;
            let r = session.desk(&mut store)?.backup(&out, None)?;
            if g.json {
                print_json(&r);
            } else {
                println!("{}: {} bytes, {} case(s), {} audit event(s), checked", r.path.display(), r.bytes, r.cases, r.audit_events);
            }
        }
        StoreCmd::Restore { file, by } => {
            let mut store = open_store(g)?;
            let mut session = crate::people::session(&mut store, &by)?;
            let (_, result) = certdesk_desk::api::restore(store, &mut session, &file);
            let r = result?;
            if g.json {
                print_json(&serde_json::json!({ "restored": file, "cases": r.report.cases, "kept": r.kept, "sha256": r.sha256 }));
            } else {
                println!("restored {} ({} case(s)); the previous store is kept as {}", file.display(), r.report.cases, r.kept.display());
            }
        }
        StoreCmd::Migrate { from, to, by } => {
            let address = certdesk_store::pg::HallAddress::parse(&to).map_err(certdesk_store::StoreError::from)?;
            let admin = by.actor.as_deref().ok_or_else(|| CliError::Usage("store migrate needs --as ADMIN, an administrator of the store file".into()))?;
            let password = crate::people::read_secret(by.password_file.as_deref(), &format!("password for {admin}: "), false)?;
            let server_password = crate::commands::hall_password(g, &address)?;
            let (_, m) = certdesk_desk::api::migrate_to_hall(&from, admin, &password, &address, server_password)?;
            if g.json {
                print_json(&m);
            } else {
                println!(
                    "{} moved into {}: {} case(s), {} account(s), {} file(s), {} audit event(s), verified there",
                    from.display(),
                    m.server,
                    m.cases,
                    m.accounts,
                    m.attachments,
                    m.events
                );
            }
        }
        StoreCmd::GrantDesks { role } => {
            let crate::commands::DbTarget::Hall(url) = crate::commands::db_target(g) else {
                return Err(CliError::Usage("store grant-desks works on a hall: --db postgres://OWNER@HOST:PORT/DB".into()));
            };
            let address = certdesk_store::pg::HallAddress::parse(&url).map_err(certdesk_store::StoreError::from)?;
            let password = crate::commands::hall_password(g, &address)?;
            let mut hall = certdesk_store::pg::Hall::connect(&address, &password).map_err(certdesk_store::StoreError::from)?;
            hall.migrate().map_err(certdesk_store::StoreError::from)?;
            let granted = hall.grant_desks(&role).map_err(certdesk_store::StoreError::from)?;
            if g.json {
                print_json(&granted);
            } else {
                println!("{} may now work as a desk on {} ({}):", granted.role, address.shown(), granted.database);
                for (table, privileges) in &granted.tables {
                    println!("  {table}: {privileges}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
