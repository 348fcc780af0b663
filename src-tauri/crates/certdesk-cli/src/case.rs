//! `certdesk case …`: cases imported, edited, moved through the workflow, their seal sheet,
//! their steps, and read (show, list, search, export) — every one as a signed-in account
//! through the desk, as the app does.

use crate::context::Ctx;
use crate::output::{CliError, print_json};
use crate::{ActAs, CaseCmd, Transition};
use certdesk_desk::api::Saved;
use certdesk_desk::domain::{Action, Status};
use certdesk_desk::store::CaseSummary;
use serde::Serialize;
use std::path::Path;
use std::process::ExitCode;

pub fn case_cmd(ctx: &Ctx, cmd: CaseCmd) -> Result<ExitCode, CliError> {
    match cmd {
        CaseCmd::Triage { project, key, case_json, by } => {
            crate::key::triage(ctx, &project, crate::key::sel_of(key.label, key.serial), key.module.as_deref(), case_json.as_deref(), &by)
        }
        CaseCmd::ProveUnit { number, key, pin_file, by } => {
            crate::key::prove_unit(ctx, &number, crate::key::sel_of(key.label, key.serial), key.module.as_deref(), pin_file.as_deref(), &by)
        }
        CaseCmd::Import { file, by } => import(ctx, &file, &by),
        CaseCmd::Edit { number, file, by } => edit(ctx, &number, &file, &by),
        CaseCmd::Materials { number, all_received, item, copies, original, to_follow, by } => {
            let change = match (all_received, item) {
                (true, _) | (false, None) => certdesk_desk::materials::MaterialsChange::AllReceived,
                (false, Some(id)) => certdesk_desk::materials::MaterialsChange::Item { id, copies: copies.unwrap_or(0), original, to_follow },
            };
            materials(ctx, &number, &change, &by)
        }
        CaseCmd::Seal { number, scan, dpi, by } => seal(ctx, &number, &scan, dpi, &by),
        CaseCmd::Reissue { t, cert } => reissue(ctx, t, cert),
        CaseCmd::WithdrawCert { number, cert, reason, by } => withdraw_cert(ctx, &number, cert, reason, &by),
        CaseCmd::Hold { number, reason, by } => hold(ctx, &number, reason, &by),
        CaseCmd::ReleaseHold { number, by } => hold(ctx, &number, None, &by),
        CaseCmd::Accept(t) => transition(ctx, Action::Accept, t),
        CaseCmd::Submit(t) => transition(ctx, Action::Submit, t),
        CaseCmd::Approve(t) => transition(ctx, Action::Approve, t),
        CaseCmd::Return(t) => transition(ctx, Action::Return, t),
        CaseCmd::Cancel(t) => transition(ctx, Action::Cancel, t),
        CaseCmd::Deliver(t) => transition(ctx, Action::Deliver, t),
        CaseCmd::Close(t) => transition(ctx, Action::Close, t),
        CaseCmd::Complete { number, step, reference, courier, waybill, recipient, recipient_id, accept_to_follow, by } => {
            let with = certdesk_desk::steps::Completion { reference, courier, waybill, recipient, recipient_id, accept_to_follow };
            let number = parsed(&number)?;
            let catalog = ctx.catalog()?;
            let (mut store, mut session) = ctx.session("case complete", &by)?;
            let steps = session.desk(&mut store)?.complete_step(&catalog, &number, &step, &with)?;
            print_steps(ctx.g.json, &steps);
            Ok(ExitCode::SUCCESS)
        }
        CaseCmd::Show { number, by } => {
            let (mut store, mut session) = ctx.session("case show", &by)?;
            let desk = session.desk(&mut store)?;
            let rec = desk.case(&number)?;
            if ctx.g.json {
                let catalog = ctx.catalog()?;
                // with `seals` (#34), read off the chain
                let mut json = desk.export_case(&number)?;
                // a store field (ignored on import): the approval in force's signature (#31)
                if let Some(map) = json.as_object_mut() {
                    map.insert("approval_signature".into(), serde_json::to_value(desk.approval_signature(&number)?).unwrap_or_default());
                    // the fee as the receipt prints it, an annex row group by row group (#71);
                    // null where the catalog cannot price the case
                    map.insert("fee".into(), serde_json::to_value(certdesk_desk::intake::case_fee(&catalog, &rec.data)).unwrap_or_default());
                }
                print_json(&json);
            } else {
                show_case(&rec, &desk.history(&number)?);
            }
            Ok(ExitCode::SUCCESS)
        }
        CaseCmd::List { status, project, from, to, limit, by } => {
            let status = status.as_deref().map(certdesk_desk::intake::status).transpose().map_err(|e| CliError::Usage(e.to_string()))?;
            let (mut store, mut session) = ctx.session("case list", &by)?;
            let rows = session.desk(&mut store)?.list_cases(status, project.as_deref(), from, to, limit.unwrap_or(usize::MAX >> 1))?;
            print_cases(ctx.g.json, &rows);
            Ok(ExitCode::SUCCESS)
        }
        CaseCmd::Steps { number, by } => {
            let catalog = ctx.catalog()?;
            let (mut store, mut session) = ctx.session("case steps", &by)?;
            let steps = session.desk(&mut store)?.case_steps(&catalog, &number)?;
            print_steps(ctx.g.json, &steps);
            Ok(ExitCode::SUCCESS)
        }
        CaseCmd::Search { text, limit, by } => {
            let (mut store, mut session) = ctx.session("case search", &by)?;
            let rows = session.desk(&mut store)?.search(&text.join(" "), limit)?;
            print_cases(ctx.g.json, &rows);
            Ok(ExitCode::SUCCESS)
        }
        CaseCmd::Export { number, out, by } => {
            let (mut store, mut session) = ctx.session("case export", &by)?;
            let text = serde_json::to_string_pretty(&session.desk(&mut store)?.export_case(&number)?).unwrap_or_default();
            match out {
                Some(path) => {
                    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
                    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    certdesk_desk::folders::write_private(dir, &name, (text + "\n").as_bytes())?;
                }
                None => println!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A case number as typed on the command line: a malformed one is a usage error (exit 2).
fn parsed(number: &str) -> Result<String, CliError> {
    certdesk_desk::api::case_number(number).map(|n| n.to_string()).map_err(|e| CliError::Usage(e.to_string()))
}

/// A case as listed: the store's summary with the organisation also as an object, the shape
/// the case JSON gives it.
#[derive(Serialize)]
struct CaseLine<'a> {
    number: &'a str,
    status: &'a str,
    project: &'a str,
    business: &'a str,
    cert_kind: &'a str,
    org_name: &'a str,
    organization: serde_json::Value,
    handler_name: &'a str,
    created_at: &'a str,
}

fn print_cases(json: bool, rows: &[CaseSummary]) {
    if json {
        let lines: Vec<CaseLine<'_>> = rows
            .iter()
            .map(|c| CaseLine {
                number: &c.number,
                status: &c.status,
                project: &c.project,
                business: &c.business,
                cert_kind: &c.cert_kind,
                org_name: &c.organization,
                organization: serde_json::json!({ "name": c.organization }),
                handler_name: &c.handler,
                created_at: &c.created_at,
            })
            .collect();
        print_json(&lines);
    } else if rows.is_empty() {
        eprintln!("no cases");
    } else {
        for c in rows {
            let status = Status::from_wire(&c.status).map(|s| s.zh()).unwrap_or(&c.status);
            println!("{}  {:<6} {:<20} {:<8} {}", c.number, status, c.project, c.handler, c.organization);
        }
    }
}

pub(crate) fn print_steps(json: bool, steps: &certdesk_desk::steps::CaseSteps) {
    if json {
        print_json(&steps);
        return;
    }
    println!("{}  {}", steps.number, steps.status);
    for s in &steps.steps {
        let mark = if s.done {
            "✓"
        } else if steps.next.as_deref() == Some(s.id.as_str()) {
            "→"
        } else {
            " "
        };
        let how = if s.key_desk { "  (key desk)" } else { "" };
        println!("{mark} {:<16} {:<20} {}{how}", s.id, s.title, s.role);
    }
    if steps.certs.len() > 1 || steps.certs.iter().any(|c| c.withdrawn) {
        let open = steps.certs.iter().filter(|c| !c.withdrawn).count();
        let done = steps.certs.iter().filter(|c| c.done).count();
        println!("certificates {done}/{open}:");
        for c in &steps.certs {
            let state = if c.withdrawn {
                format!("withdrawn: {}", c.withdrawn_reason.as_deref().unwrap_or(""))
            } else if c.done {
                "done".to_string()
            } else {
                format!("next {}", c.next.as_deref().unwrap_or("-"))
            };
            let key = c.key_serial.as_deref().map(|s| format!(" key {s}")).unwrap_or_default();
            println!("  {:>3} {}{key}  {state}", c.index, c.holder);
        }
    }
    match &steps.next {
        Some(n) => println!("next: {n}"),
        None => println!("no step left"),
    }
}

fn show_case(rec: &certdesk_desk::store::CaseRecord, history: &[certdesk_desk::store::AuditEvent]) {
    let d = &rec.data;
    println!("{}  {} ({})", rec.number, rec.status.zh(), rec.status);
    println!("project:   {}", d.project);
    println!("business:  {} {} ×{} {}{}", d.business.zh(), d.cert_kind.zh(), d.quantity, d.medium.zh(), d.years.map(|y| format!(" {y}年")).unwrap_or_default());
    if let Some(o) = &d.organization {
        println!("unit:      {}{}", o.name, o.department.as_deref().map(|x| format!(" / {x}")).unwrap_or_default());
        if let Some(u) = &o.uscc {
            println!("USCC:      {u}");
        }
    }
    println!("handler:   {} {} {}", d.handler.name, d.handler.id_number, d.handler.mobile.as_deref().unwrap_or(""));
    for (i, e) in d.employees.iter().enumerate() {
        println!("employee {}: {} {} {}", i + 1, e.name, e.id_number, e.business.zh());
    }
    if let Some(p) = &d.payment {
        println!("payment:   {} {} ({})", p.amount, p.method.zh(), p.amount.to_capital());
    }
    println!("digest:    {}", rec.digest);
    println!("history:");
    for ev in history {
        let reason = ev.detail.get("reason").and_then(|r| r.as_str()).map(|r| format!(" — {r}")).unwrap_or_default();
        println!("  #{:<5} {} {:<10} {}{}", ev.seq, ev.at, ev.action, ev.actor, reason);
    }
}

fn transition(ctx: &Ctx, action: Action, t: Transition) -> Result<ExitCode, CliError> {
    let number = parsed(&t.number)?;
    let catalog = ctx.catalog()?;
    let (mut store, mut session, key) = ctx.session_with_key(&format!("case {}", action.wire()), &t.by)?;
    let rec = match (&key, action) {
        // an approval with the supervisor's key is signed by it (#31)
        (Some(key), Action::Approve) => session.desk(&mut store)?.approve_signed(&catalog, &number, t.accept_to_follow, &key.staff_key())?,
        _ => session.desk(&mut store)?.act_accepting(&catalog, &number, action, t.reason.as_deref(), t.accept_to_follow)?,
    };
    if ctx.g.json {
        print_json(&serde_json::json!({ "number": rec.number, "status": rec.status.wire(), "digest": rec.digest, "actor": session.name() }));
    } else {
        println!("{} {} ({})", rec.number, rec.status.zh(), rec.status);
    }
    Ok(ExitCode::SUCCESS)
}

fn reissue(ctx: &Ctx, t: Transition, cert: Option<u32>) -> Result<ExitCode, CliError> {
    let reason = t.reason.clone().ok_or_else(|| CliError::Usage("case reissue needs --reason".into()))?;
    let number = parsed(&t.number)?;
    let (mut store, mut session) = ctx.session("case reissue", &t.by)?;
    let cert = session.desk(&mut store)?.reissue(&number, &reason, cert)?;
    if ctx.g.json {
        print_json(&serde_json::json!({ "number": number, "cert": cert, "second_key_allowed": true }));
    } else {
        println!("{number}: a second key may be made for certificate {cert}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `case hold N --reason R` (`reason` given) or `case release-hold N` (none): a supervisor.
fn hold(ctx: &Ctx, number: &str, reason: Option<String>, by: &crate::ActAs) -> Result<ExitCode, CliError> {
    let number = parsed(number)?;
    let release = reason.is_none();
    let what = if release { "case release-hold" } else { "case hold" };
    let (mut store, mut session) = ctx.session(what, by)?;
    let mut desk = session.desk(&mut store)?;
    match &reason {
        None => desk.release_hold(&number)?,
        Some(reason) => desk.hold(&number, reason)?,
    }
    if ctx.g.json {
        print_json(&serde_json::json!({ "number": number, "held": !release, "reason": reason }));
    } else if release {
        println!("{number}: hold released; it is purged when its retention ends");
    } else {
        println!("{number}: on legal hold; it is not purged while held");
    }
    Ok(ExitCode::SUCCESS)
}

fn withdraw_cert(ctx: &Ctx, number: &str, cert: u32, reason: Option<String>, by: &crate::ActAs) -> Result<ExitCode, CliError> {
    let reason = reason.filter(|r| !r.trim().is_empty()).ok_or_else(|| CliError::Usage("case withdraw-cert needs --reason (why the certificate is not made)".into()))?;
    let number = parsed(number)?;
    let catalog = ctx.catalog()?;
    let (mut store, mut session) = ctx.session("case withdraw-cert", by)?;
    let mut desk = session.desk(&mut store)?;
    desk.withdraw_cert(&number, cert, &reason)?;
    let steps = desk.case_steps(&catalog, &number)?;
    if ctx.g.json {
        print_json(&serde_json::json!({ "number": number, "cert": cert, "withdrawn": true, "status": steps.status, "next": steps.next, "certs": steps.certs }));
    } else {
        let holder = steps.certs.iter().find(|c| c.index == cert).map(|c| c.holder.clone()).unwrap_or_default();
        println!("{number}: certificate {cert} ({holder}) withdrawn; status {}", steps.status);
    }
    Ok(ExitCode::SUCCESS)
}

fn read_case_text(file: &Path) -> Result<String, CliError> {
    let bytes = certdesk_desk::limits::read_file(file, "the case file", certdesk_desk::limits::MAX_CASE_JSON)?;
    String::from_utf8(bytes).map_err(|e| certdesk_desk::DeskError::invalid_json(Some(file), e).into())
}

fn print_saved(json: bool, saved: &Saved) {
    for w in &saved.warnings {
        eprintln!("warning: {}: {}", w.path, w.message);
    }
    if json {
        let warnings: Vec<String> = saved.warnings.iter().map(|w| format!("{}: {}", w.path, w.message)).collect();
        print_json(&serde_json::json!({ "number": saved.number, "status": saved.status, "digest": saved.digest, "warnings": warnings }));
    } else {
        println!("{}", saved.number);
    }
}

fn import(ctx: &Ctx, file: &Path, by: &ActAs) -> Result<ExitCode, CliError> {
    let catalog = ctx.catalog()?;
    let text = read_case_text(file)?;
    let (mut store, mut session) = ctx.session("case import", by)?;
    let saved = session.desk(&mut store)?.import_case(&catalog, &text)?;
    print_saved(ctx.g.json, &saved);
    Ok(ExitCode::SUCCESS)
}

fn edit(ctx: &Ctx, number: &str, file: &Path, by: &ActAs) -> Result<ExitCode, CliError> {
    let number = parsed(number)?;
    let catalog = ctx.catalog()?;
    let text = read_case_text(file)?;
    let (mut store, mut session) = ctx.session("case edit", by)?;
    let saved = session.desk(&mut store)?.edit_case(&catalog, &number, &text)?;
    print_saved(ctx.g.json, &saved);
    Ok(ExitCode::SUCCESS)
}

/// `case materials NUMBER --all-received | --item ID --copies K …`: the checklist recorded by a
/// clerk, as the app's intake and case page record it.
fn materials(ctx: &Ctx, number: &str, change: &certdesk_desk::materials::MaterialsChange, by: &ActAs) -> Result<ExitCode, CliError> {
    let catalog = ctx.catalog()?;
    let (mut store, mut session) = ctx.session("case materials", by)?;
    let saved = session.desk(&mut store)?.record_materials(&catalog, number, change)?;
    print_saved(ctx.g.json, &saved);
    Ok(ExitCode::SUCCESS)
}

/// `case seal NUMBER SCAN`: the seal collection sheet onto a case, exactly as the app does.
fn seal(ctx: &Ctx, number: &str, scan: &Path, dpi: Option<f32>, by: &ActAs) -> Result<ExitCode, CliError> {
    let (mut store, mut session) = ctx.session("case seal", by)?;
    let catalog = ctx.catalog()?;
    let verdict = session.desk(&mut store)?.import_seal_file(&catalog, number, scan, dpi)?;
    if ctx.g.json {
        print_json(&crate::seal::verdict_json(&verdict));
    } else {
        for r in &verdict.rows {
            let pick = r.best_col.map(|c| format!("column {c} chosen")).unwrap_or_else(|| "none chosen".into());
            println!("row {} ({}): {pick}{}", r.row, r.kind, if r.needs_restamp { " — 没有合格的样本，请申请人重新盖章/签名" } else { "" });
        }
        println!("stored with {}: {}", number.trim().to_ascii_uppercase(), verdict.stored.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}
