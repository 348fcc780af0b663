//! Bank statement import benchmark (#73): a store with N cases (default 100,000) accepted and
//! waiting for their money by transfer, two to a unit, and a year's statement of M credits
//! (default 20,000; as a CSV the bank exports, UTF-8 with BOM) of which most pay a case or a
//! unit's two cases together, some come from private persons and some from payers of no case.
//! Times the whole import through the desk API — read, matched against the waiting cases,
//! every new credit recorded with its verdict on the audit chain — and the same statement
//! imported again (nothing added). Target: ≤ 2 s for 20,000 credits against 100,000 cases.
//!
//! `certdesk-bench-payments [--cases N] [--credits M] [--db PATH] [--reuse]`
//! (release build: `cargo run --release -p certdesk-bench --bin certdesk-bench-payments`).

mod bench;

use bench::Rng;
use certdesk_desk::api::Session;
use certdesk_domain::case::PaymentMethod;
use certdesk_domain::workflow::{AccountChecked, Actor, Role};
use certdesk_domain::{Action, CaseData, CaseNumber, Money};
use certdesk_store::{Password, Store};
use chrono::{Days, NaiveDate};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

const FEES: [i64; 4] = [200, 300, 400, 700];
const PER_DAY: usize = 1_000;

fn unit_name(u: usize) -> String {
    format!("{}第{u}号测试科技有限公司", bench::cases::CITIES[u % bench::cases::CITIES.len()])
}

fn fee_of(i: usize) -> Money {
    Money::from_yuan(FEES[i % FEES.len()])
}

fn main() {
    let mut cases = 100_000usize;
    let mut credits = 20_000usize;
    let mut db: Option<PathBuf> = None;
    let mut reuse = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cases" => cases = args.next().and_then(|v| v.parse().ok()).filter(|n| *n >= 2).expect("--cases N (at least 2)"),
            "--credits" => credits = args.next().and_then(|v| v.parse().ok()).filter(|n| *n >= 10).expect("--credits M (at least 10)"),
            "--db" => db = args.next().map(PathBuf::from),
            "--reuse" => reuse = true,
            other => {
                eprintln!("unknown argument {other}; usage: certdesk-bench-payments [--cases N] [--credits M] [--db PATH] [--reuse]");
                std::process::exit(2);
            }
        }
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let db = db.unwrap_or_else(|| tmp.path().join("payments.db"));
    let pw = Password::new("admin-secret-pass-1".into());
    if !(reuse && db.exists()) {
        let start = Instant::now();
        fill(&mut Store::open(&db).expect("open store"), cases);
        println!("{cases} cases accepted and waiting for their money in {:.1} s", start.elapsed().as_secs_f64());
    }
    let mut store = certdesk_desk::place::open_file(&db).expect("the store");
    let mut admin = match Session::sign_in(&mut store, "admin", &pw) {
        Ok(s) => s,
        Err(_) => Session::first_admin(&mut store, "admin", &pw, "GZ01", "广州受理点").expect("the first administrator"),
    };

    let csv = statement(cases, credits);
    println!("statement: {credits} credit rows and {} debit rows, {:.1} MB", credits / 10, csv.len() as f64 / 1e6);
    let mut desk = admin.desk(&mut store).expect("the administrator's desk");
    let t = Instant::now();
    let first = desk.import_statement_bytes("明细.csv", csv.as_bytes()).expect("the import");
    let first_time = t.elapsed();
    let t = Instant::now();
    let again = desk.import_statement_bytes("明细.csv", csv.as_bytes()).expect("the import again");
    let again_time = t.elapsed();
    assert_eq!(first.credits, credits, "every credit row read");
    assert!(
        first.matched.len() > credits / 2 && !first.refused.is_empty() && !first.unmatched.is_empty(),
        "matched {}, refused {}, unmatched {}",
        first.matched.len(),
        first.refused.len(),
        first.unmatched.len()
    );
    assert_eq!((again.new, again.repeated.len()), (0, credits), "the same statement adds nothing");
    println!(
        "import of {credits} credits against {cases} waiting cases: {:.0} ms ({} new: {} matched, {} unmatched, {} refused); again: {:.0} ms (0 new)",
        first_time.as_secs_f64() * 1000.0,
        first.new,
        first.matched.len(),
        first.unmatched.len(),
        first.refused.len(),
        again_time.as_secs_f64() * 1000.0
    );
    println!("target ≤ 2 s: {}", if first_time.as_secs_f64() <= 2.0 { "met" } else { "MISSED" });
}

/// `cases` cases, two to a unit, accepted, their money by transfer not in yet.
fn fill(store: &mut Store, cases: usize) {
    let mut template: CaseData = bench::cases::template();
    template.employees.clear();
    let clerk = Actor::new(AccountChecked::by_the_store(), "bench", vec![Role::Clerk]);
    let first_day = NaiveDate::from_ymd_opt(2025, 1, 2).expect("a day");
    let mut done = 0;
    while done < cases {
        let n = PER_DAY.min(cases - done);
        let day = first_day + Days::new((done / PER_DAY) as u64);
        let chunk: Vec<CaseData> = (done..done + n)
            .map(|i| {
                let mut c = template.clone();
                if let Some(org) = c.organization.as_mut() {
                    org.name = unit_name(i / 2);
                }
                if let Some(p) = c.payment.as_mut() {
                    p.method = PaymentMethod::BankTransfer;
                    p.amount = fee_of(i);
                    p.date = None;
                    p.payer_name = Some(unit_name(i / 2));
                }
                c
            })
            .collect();
        let counter = format!("P{:05}", done / PER_DAY);
        store.create_cases(chunk.iter(), &counter, day, "bench").expect("insert");
        for k in 0..n {
            store.act(&CaseNumber::new(&counter, day, (k + 1) as u32), Action::Accept, &clerk, None).expect("accept");
        }
        done += n;
        if done.is_multiple_of(10_000) || done == cases {
            eprintln!("{done} cases accepted");
        }
    }
}

/// The statement's CSV: per credit, a unit paying one of its cases (half the credits), both
/// together (a quarter), a private person (a tenth), a payer of no case (the rest), and a debit
/// every ten rows.
fn statement(cases: usize, credits: usize) -> String {
    let mut r = Rng(0xBA4C);
    let mut out = String::from("\u{feff}中国工商银行 账户明细\n账号: 3602000109200999999,币种: 人民币\n交易日期,摘要,借方发生额,贷方发生额,余额,对方户名,对方账号\n");
    let day = NaiveDate::from_ymd_opt(2025, 3, 1).expect("a day");
    for k in 0..credits {
        let date = day + Days::new((k / 80) as u64);
        let unit = r.below(cases / 2);
        let (amount, payer, account) = match k % 20 {
            0..=9 => (fee_of(unit * 2 + r.below(2)), unit_name(unit), format!("36020001092{:08}", unit)),
            10..=14 => (fee_of(unit * 2) + fee_of(unit * 2 + 1), unit_name(unit), format!("36020001092{:08}", unit)),
            15 | 16 => (Money::from_yuan(300), ["王小明", "李娜", "张伟", "刘洋"][k % 4].to_string(), format!("62170028{:011}", k)),
            _ => (Money::from_yuan(500), format!("深圳市第{k}号外地贸易有限公司"), format!("44050149{:012}", k)),
        };
        let _ = writeln!(out, "{date},CA证书费,,{amount},\"1,000.00\",{payer},{account}");
        if k % 10 == 9 {
            let _ = writeln!(out, "{date},手续费,5.00,,\"995.00\",,");
        }
    }
    out
}
