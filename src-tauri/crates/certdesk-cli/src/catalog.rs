//! `certdesk validate`, `certdesk catalog …` and `certdesk fee`: what needs no store and no
//! account, each answered by the desk's intake helpers (identifiers as the app checks them as
//! they are typed, the projects as the app lists them, the fee with its quantity).

use crate::context::Ctx;
use crate::output::{CliError, ok_if, print_json};
use crate::{CatalogCmd, FeeArgs, IdentArg};
use certdesk_desk::catalog::Project;
use certdesk_desk::intake;
use std::process::ExitCode;

fn ident_name(kind: IdentArg) -> &'static str {
    match kind {
        IdentArg::Uscc => "uscc",
        IdentArg::Ric => "ric",
        IdentArg::Orgcode => "orgcode",
        IdentArg::Mobile => "mobile",
        IdentArg::Landline => "landline",
        IdentArg::Email => "email",
        IdentArg::Postcode => "postcode",
        IdentArg::Phone => "phone",
    }
}

pub fn validate(ctx: &Ctx, kind: IdentArg, values: &[String]) -> Result<ExitCode, CliError> {
    let results = values.iter().map(|v| intake::check_ident(ident_name(kind), v)).collect::<Result<Vec<_>, _>>()?;
    if ctx.g.json {
        print_json(&results);
    } else {
        for r in &results {
            match (&r.normalized, &r.error) {
                (Some(n), _) => {
                    println!("valid    {n}{}", if kind == IdentArg::Phone { format!(" ({})", r.kind) } else { String::new() });
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

pub fn catalog_cmd(ctx: &Ctx, cmd: CatalogCmd) -> Result<ExitCode, CliError> {
    let catalog = ctx.catalog()?;
    match cmd {
        CatalogCmd::List => {
            let projects = intake::projects(&catalog);
            if ctx.g.json {
                print_json(&projects);
            } else {
                for p in projects {
                    println!("{:<22} {}  {}", p.id, p.ca_short, p.service);
                }
            }
        }
        CatalogCmd::Show { project } => {
            let p = intake::project(&catalog, &project)?;
            if ctx.g.json {
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
    // the value itself is not printed: PINs never reach output, not even a published one
    if p.pin.as_ref().and_then(|p| p.default.as_ref()).is_some() {
        println!("default PIN:    the CA publishes one (see its guide); applicants must change it");
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

pub fn fee(ctx: &Ctx, args: &FeeArgs) -> Result<ExitCode, CliError> {
    let catalog = ctx.catalog()?;
    // a wrong business type, kind or medium is the command line's mistake (exit 2)
    let usage = |e: certdesk_desk::DeskError| CliError::Usage(e.to_string());
    intake::business(&args.business).map_err(usage)?;
    intake::cert_kind(&args.cert_kind).map_err(usage)?;
    intake::medium(&args.medium).map_err(usage)?;
    let quote = intake::fee_quote(&catalog, &args.project, &args.business, &args.cert_kind, &args.medium, args.years, args.quantity, None, None, None)?;
    if ctx.g.json {
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
