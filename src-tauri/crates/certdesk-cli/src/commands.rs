//! The subcommands. Each reads its inputs, calls the library crates and prints a human or a
//! JSON answer; nothing here decides a business rule.

use crate::output::{CliError, print_json};
use crate::{AuditCmd, CaseCmd, CatalogCmd, Cli, Command, FeeArgs, Global, IdentArg};
use certdesk_catalog::{Catalog, FeeRequest, Project};
use certdesk_domain::ident::{self, IdentKind};
use certdesk_domain::{Action, BusinessType, CaseData, CertKind, Medium, Status};
use certdesk_store::pg::{HallAddress, ServerPassword};
use certdesk_store::{CaseSummary, Store, StoreError};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

/// The counter code numbering cases until an administrator sets one.
pub const DEFAULT_COUNTER: &str = "CD01";

pub fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let g = cli.global;
    match cli.command {
        Command::Validate { kind, values } => validate(&g, kind, &values),
        Command::Catalog(c) => catalog_cmd(&g, c),
        Command::Fee(args) => fee(&g, &args),
        Command::Case(c) => case_cmd(&g, c),
        Command::Audit(AuditCmd::Verify) => audit_verify(&g),
        Command::Form(c) => crate::print::form_cmd(&g, c),
        Command::Key(k) => crate::keys::key_cmd(&g, k),
        Command::Seal(crate::SealCmd::Import { scan, out, dpi, single }) => seal_import(&g, &scan, &out, dpi, single),
        Command::User(c) => crate::people::user_cmd(&g, c),
        Command::Counter(c) => crate::people::counter_cmd(&g, c),
        Command::Report(c) => crate::reports::report_cmd(&g, c),
        Command::Store(c) => crate::reports::store_cmd(&g, c),
    }
}

/// Where the store is: a file, or a hall's server (a `postgres://` address).
pub enum DbTarget {
    File(PathBuf),
    Hall(String),
}

/// `--db`, else `CERTDESK_DB`, else the per-user data folder.
pub fn db_target(g: &Global) -> DbTarget {
    let given = g.db.clone().or_else(|| std::env::var("CERTDESK_DB").ok()).filter(|d| !d.is_empty());
    match given {
        Some(d) if d.starts_with("postgres://") || d.starts_with("postgresql://") => DbTarget::Hall(d),
        Some(d) => DbTarget::File(PathBuf::from(d)),
        None => DbTarget::File(dirs::data_local_dir().unwrap_or_else(|| PathBuf::from(".")).join("certdesk").join("certdesk.db")),
    }
}

/// Opens the store `--db` names: a file, or a hall (its password from `--db-password-file`,
/// else `PGPASSFILE` / `~/.pgpass`, else a prompt; never from the address).
pub(crate) fn open_store(g: &Global) -> Result<Store, CliError> {
    match db_target(g) {
        DbTarget::File(path) => Ok(Store::open(&path)?),
        DbTarget::Hall(url) => {
            let address = HallAddress::parse(&url).map_err(StoreError::from)?;
            let password = hall_password(g, &address)?;
            Ok(Store::open_hall(&address, password)?)
        }
    }
}

pub(crate) fn hall_password(g: &Global, address: &HallAddress) -> Result<ServerPassword, CliError> {
    if let Some(file) = &g.db_password_file {
        return Ok(ServerPassword::from_file(file).map_err(StoreError::from)?);
    }
    let pgpass = std::env::var_os("PGPASSFILE").filter(|p| !p.is_empty()).map(PathBuf::from).or_else(|| dirs::home_dir().map(|h| h.join(".pgpass")));
    if let Some(file) = pgpass.filter(|f| f.is_file())
        && let Some(password) = ServerPassword::from_pgpass(&file, address).map_err(StoreError::from)?
    {
        return Ok(password);
    }
    Ok(crate::people::read_secret(None, &format!("password for {}: ", address.shown()), false)?.into())
}

pub fn load_catalog(g: &Global) -> Result<Catalog, CliError> {
    let dir = g.forms.clone().or_else(|| std::env::var_os("CERTDESK_FORMS").filter(|p| !p.is_empty()).map(PathBuf::from));
    Ok(match dir {
        Some(dir) => Catalog::from_dir(&dir)?,
        None => Catalog::embedded()?,
    })
}

fn ok_if(all_ok: bool) -> ExitCode {
    if all_ok { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

fn validate(g: &Global, kind: IdentArg, values: &[String]) -> Result<ExitCode, CliError> {
    let kind = match kind {
        IdentArg::Uscc => IdentKind::Uscc,
        IdentArg::Ric => IdentKind::Ric,
        IdentArg::Orgcode => IdentKind::OrgCode,
        IdentArg::Mobile => IdentKind::Mobile,
        IdentArg::Landline => IdentKind::Landline,
        IdentArg::Email => IdentKind::Email,
        IdentArg::Postcode => IdentKind::Postcode,
    };
    let results: Vec<ident::Checked> = values.iter().map(|v| ident::check(kind, v)).collect();
    if g.json {
        print_json(&results);
    } else {
        for r in &results {
            match (&r.normalized, &r.error) {
                (Some(n), _) => {
                    println!("valid    {n}");
                    for w in &r.warnings {
                        println!("         warning: {w}");
                    }
                }
                (None, Some(e)) => println!("invalid  {:?}: {e}", r.value),
                (None, None) => println!("invalid  {:?}", r.value),
            }
        }
    }
    Ok(ok_if(results.iter().all(|r| r.valid)))
}

#[derive(Serialize)]
struct ProjectLine<'a> {
    id: &'a str,
    ca_name: &'a str,
    ca_short: &'a str,
    service: &'a str,
    cert_kinds: &'a [CertKind],
    business_types: &'a [BusinessType],
    media: &'a [Medium],
    years: &'a [u32],
    forms: usize,
}

fn catalog_cmd(g: &Global, cmd: CatalogCmd) -> Result<ExitCode, CliError> {
    let catalog = load_catalog(g)?;
    match cmd {
        CatalogCmd::List => {
            let lines: Vec<ProjectLine> = catalog
                .projects
                .values()
                .map(|p| ProjectLine {
                    id: &p.id,
                    ca_name: &p.ca_name,
                    ca_short: &p.ca_short,
                    service: &p.service,
                    cert_kinds: &p.cert_kinds,
                    business_types: &p.business_types,
                    media: &p.media,
                    years: &p.years,
                    forms: p.forms.len(),
                })
                .collect();
            if g.json {
                print_json(&lines);
            } else {
                for l in lines {
                    println!("{:<22} {}  {}", l.id, l.ca_short, l.service);
                }
            }
        }
        CatalogCmd::Show { project } => {
            let p = catalog.project(&project)?;
            if g.json {
                print_json(p);
            } else {
                show_project(p);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

fn show_project(p: &Project) {
    println!("{}  {} ({})", p.id, p.ca_name, p.ca_short);
    println!("service:        {}", p.service);
    println!("source:         {}", p.source);
    println!("cert kinds:     {}", join(&p.cert_kinds));
    println!("business types: {}", join(&p.business_types));
    println!("media:          {}", join(&p.media));
    println!("years:          {}", join(&p.years));
    if let Some(pin) = p.pin.as_ref().and_then(|p| p.default.as_ref()) {
        println!("default PIN:    {pin} (the CA's published default; applicants must change it)");
    }
    for note in &p.notes {
        println!("note:           {note}");
    }
    println!("counter:        {}", p.contact.counter_address.join(" / "));
    println!("hours:          {}", p.contact.hours);
    println!("phone:          {}", p.contact.phone.join(", "));
    if let Some(b) = &p.bank {
        println!("bank:           {} {} {}", b.payee, b.bank, b.account);
    }
    println!("fees:");
    for rule in p.fee_rules() {
        let items: Vec<String> = rule
            .items
            .iter()
            .map(|i| match (&i.amount, &i.by_years) {
                (Some(a), _) => format!("{} {a}/{:?}", i.label, i.per).to_lowercase(),
                (None, Some(t)) => format!("{} {}", i.label, t.iter().map(|(y, a)| format!("{y}年 {a}")).collect::<Vec<_>>().join(" / ")),
                _ => i.label.clone(),
            })
            .collect();
        println!("  {} [{}]: {}", join(&rule.business), rule.cert_kinds.as_deref().map(join).unwrap_or_else(|| "all kinds".into()), items.join("; "));
    }
    println!("forms:");
    for f in &p.forms {
        let f = f.get_ref();
        println!("  {:<28} {} ×{}", f.id, f.title, f.copies);
    }
}

fn parse_enum<T>(what: &str, value: &str, parse: fn(&str) -> Option<T>, names: String) -> Result<T, CliError> {
    parse(value).ok_or_else(|| CliError::Usage(format!("unknown {what} {value:?} (expected one of: {names})")))
}

fn fee(g: &Global, args: &FeeArgs) -> Result<ExitCode, CliError> {
    let req = FeeRequest {
        business: parse_enum("business type", &args.business, BusinessType::from_wire, BusinessType::wire_names())?,
        cert_kind: parse_enum("certificate kind", &args.cert_kind, CertKind::from_wire, CertKind::wire_names())?,
        medium: parse_enum("medium", &args.medium, Medium::from_wire, Medium::wire_names())?,
        years: args.years,
        quantity: args.quantity,
    };
    let catalog = load_catalog(g)?;
    let quote = catalog.project(&args.project)?.fee(&req)?;
    if g.json {
        print_json(&quote);
    } else {
        for item in &quote.items {
            println!("{:<24} {:>10} × {:<3} = {:>10}", item.label, item.unit_price.to_string(), item.count, item.amount.to_string());
        }
        println!("{:<24} {:>31}", "合计 total", quote.total.to_string());
        println!("大写金额: {}", quote.total_capital);
    }
    Ok(ExitCode::SUCCESS)
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

fn case_lines(rows: &[CaseSummary]) -> Vec<CaseLine<'_>> {
    rows.iter()
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
        .collect()
}

fn print_cases(g: &Global, rows: &[CaseSummary]) {
    if g.json {
        print_json(&case_lines(rows));
    } else if rows.is_empty() {
        eprintln!("no cases");
    } else {
        for c in rows {
            let status = Status::from_wire(&c.status).map(|s| s.zh()).unwrap_or(&c.status);
            println!("{}  {:<6} {:<20} {:<8} {}", c.number, status, c.project, c.handler, c.organization);
        }
    }
}

/// Reads, validates and normalises a case file (domain and catalog); every problem at once.
pub fn read_case_file(catalog: &Catalog, path: &std::path::Path) -> Result<(CaseData, Vec<String>), CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::Io { what: "cannot read", path: path.display().to_string(), source })?;
    match certdesk_desk::api::parse_case(catalog, &text, chrono::Local::now().date_naive()) {
        Ok((data, warnings)) => Ok((data, warnings.iter().map(|p| format!("{}: {}", p.path, p.message)).collect())),
        Err(certdesk_desk::DeskError::InvalidCase(errors)) => Err(CliError::Refused(format!(
            "{} refused, nothing stored ({} problem(s)):\n  {}",
            path.display(),
            errors.len(),
            errors.iter().map(|p| format!("{}: {}", p.path, p.message)).collect::<Vec<_>>().join("\n  ")
        ))),
        Err(e) => Err(CliError::Refused(format!("{}: {e}", path.display()))),
    }
}

fn case_cmd(g: &Global, cmd: CaseCmd) -> Result<ExitCode, CliError> {
    match cmd {
        CaseCmd::Import { file, by } => return crate::people::import(g, &file, &by),
        CaseCmd::Seal { number, scan, dpi, by } => return crate::people::seal(g, &number, &scan, dpi, &by),
        CaseCmd::Reissue(t) => return crate::people::reissue(g, t),
        CaseCmd::Edit { number, file, by } => return crate::people::edit(g, &number, &file, &by),
        CaseCmd::Accept(t) => return crate::people::transition(g, Action::Accept, t),
        CaseCmd::Submit(t) => return crate::people::transition(g, Action::Submit, t),
        CaseCmd::Approve(t) => return crate::people::transition(g, Action::Approve, t),
        CaseCmd::Return(t) => return crate::people::transition(g, Action::Return, t),
        CaseCmd::Cancel(t) => return crate::people::transition(g, Action::Cancel, t),
        CaseCmd::Deliver(t) => return crate::people::transition(g, Action::Deliver, t),
        CaseCmd::Close(t) => return crate::people::transition(g, Action::Close, t),
        CaseCmd::Show { number } => {
            let store = open_store(g)?;
            let rec = store.case(&certdesk_desk::api::case_number(&number)?)?;
            if g.json {
                print_json(&rec.to_export_json());
            } else {
                show_case(&store, &rec)?;
            }
        }
        CaseCmd::List { status, project, from, to, limit } => {
            let status = status
                .map(|s| Status::from_wire(&s).ok_or_else(|| CliError::Usage(format!("unknown status {s:?} (expected one of: {})", Status::ALL.map(|s| s.wire()).join(", ")))))
                .transpose()?;
            let store = open_store(g)?;
            let rows = certdesk_desk::api::list_cases(&store, status, project.as_deref(), from, to, limit.unwrap_or(usize::MAX >> 1))?;
            print_cases(g, &rows);
        }
        CaseCmd::Steps { number } => {
            let catalog = load_catalog(g)?;
            let store = open_store(g)?;
            let steps = certdesk_desk::steps::steps(&store, &catalog, &number)?;
            print_steps(g, &steps);
        }
        CaseCmd::Complete { number, step, reference, courier, waybill, recipient, recipient_id, accept_to_follow, by } => {
            let with = certdesk_desk::steps::Completion { reference, courier, waybill, recipient, recipient_id, accept_to_follow };
            return crate::people::complete(g, &number, &step, &with, &by);
        }
        CaseCmd::Search { text, limit } => {
            let store = open_store(g)?;
            let rows = store.search(&text.join(" "), limit)?;
            print_cases(g, &rows);
        }
        CaseCmd::Export { number, out } => {
            let store = open_store(g)?;
            let rec = store.case(&certdesk_desk::api::case_number(&number)?)?;
            let text = serde_json::to_string_pretty(&rec.to_export_json()).unwrap_or_default();
            match out {
                Some(path) => certdesk_store::private::write(&path, (text + "\n").as_bytes()).map_err(|source| CliError::Io {
                    what: "cannot write",
                    path: path.display().to_string(),
                    source,
                })?,
                None => println!("{text}"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn print_steps(g: &Global, steps: &certdesk_desk::steps::CaseSteps) {
    if g.json {
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
    match &steps.next {
        Some(n) => println!("next: {n}"),
        None => println!("no step left"),
    }
}

fn show_case(store: &Store, rec: &certdesk_store::CaseRecord) -> Result<(), CliError> {
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
    for ev in store.history(&rec.number)? {
        let reason = ev.detail.get("reason").and_then(|r| r.as_str()).map(|r| format!(" — {r}")).unwrap_or_default();
        println!("  #{:<5} {} {:<10} {}{}", ev.seq, ev.at, ev.action, ev.actor, reason);
    }
    Ok(())
}

fn audit_verify(g: &Global) -> Result<ExitCode, CliError> {
    let store = open_store(g)?;
    let report = store.verify_audit()?;
    if g.json {
        print_json(&report);
    } else if let Some(b) = &report.first_break {
        println!("audit chain BROKEN: {}", b.message);
    } else {
        println!("audit chain ok: {} events, {} cases match their last recorded digest", report.events, report.cases_checked);
    }
    Ok(ok_if(report.ok))
}

fn seal_import(g: &Global, scan: &std::path::Path, out: &std::path::Path, dpi: Option<f32>, single: bool) -> Result<ExitCode, CliError> {
    let refused = |e: certdesk_seal::SealError| CliError::Refused(format!("{}: {e}", scan.display()));
    let report = if single {
        let bytes = std::fs::read(scan).map_err(|source| CliError::Io { what: "cannot read", path: scan.display().to_string(), source })?;
        let opts = certdesk_seal::ImportOptions { dpi, ..Default::default() };
        let mut r = certdesk_seal::import_single(&bytes, &opts).map_err(refused)?;
        std::fs::create_dir_all(out).map_err(|source| CliError::Io { what: "cannot create", path: out.display().to_string(), source })?;
        certdesk_seal::write_outputs(&mut r, out).map_err(refused)?;
        r
    } else {
        std::fs::create_dir_all(out).map_err(|source| CliError::Io { what: "cannot create", path: out.display().to_string(), source })?;
        certdesk_seal::import_file(scan, out, dpi).map_err(refused)?
    };
    if g.json {
        println!("{}", report.to_json());
    } else {
        let wire = |v: &dyn erased::Wire| v.wire();
        for s in &report.samples {
            let size = s.diameter_mm.map(|d| format!(" ⌀{d:.1} mm")).or(s.side_mm.map(|d| format!(" {d:.1} mm"))).unwrap_or_default();
            let verdict = if s.empty {
                "空白".to_string()
            } else if s.defects.is_empty() {
                "合格".to_string()
            } else {
                s.defects.iter().map(|d| wire(d)).collect::<Vec<_>>().join(", ")
            };
            println!("row {} col {} {:<15}{size} score {:.2} {}{}", s.row, s.col, wire(&s.kind), s.score, verdict, if s.best { "  ← 选用" } else { "" });
        }
        for r in &report.rows {
            if r.needs_restamp {
                println!("row {} ({}): 没有合格的样本，请申请人重新盖章/签名", r.row, wire(&r.kind));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

mod erased {
    //! The JSON name of a serialisable enum value, for human output.
    pub trait Wire {
        fn wire(&self) -> String;
    }
    impl<T: serde::Serialize> Wire for T {
        fn wire(&self) -> String {
            serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
        }
    }
}
