//! Due list benchmark (#73): a store of N cases (default 1,000,000) of which a share (default
//! 2%) is open — accepted, some submitted — over many days, by post and at the counter, some
//! waiting for their money or materials, under the projects that make promises; times
//! `certdesk_desk::due::due_list` for days around those cases and prints p50/p95/max and the
//! lists' sizes. Target: ≤ 50 ms p95 over 1,000,000 cases.
//!
//! `certdesk-bench-due [--cases N] [--open-every K] [--runs N] [--db PATH] [--reuse]`
//! (release build: `cargo run --release -p certdesk-bench --bin certdesk-bench-due`).

mod bench;

use bench::{Rng, ms, percentile};
use certdesk_catalog::Catalog;
use certdesk_domain::case::{MaterialReceived, PaymentMethod};
use certdesk_domain::workflow::{AccountChecked, Actor, Role};
use certdesk_domain::{Action, BusinessType, CaseData, CaseNumber, Channel};
use certdesk_store::Store;
use chrono::{Days, NaiveDate};
use std::path::PathBuf;
use std::time::Instant;

/// The projects and business types the generated cases take: each under a promise.
const UNDER_PROMISE: [(&str, BusinessType, Channel); 4] = [
    ("netca-gd-pension", BusinessType::Unlock, Channel::Post),
    ("netca-ln-procurement", BusinessType::New, Channel::Post),
    ("szca-nmg", BusinessType::New, Channel::Counter),
    ("bjca-nmg", BusinessType::New, Channel::Counter),
];

/// The first day cases are taken in; they run over 2025 (its holiday notice is built in).
fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 2).expect("a day")
}

fn main() {
    let mut cases = 1_000_000usize;
    let mut open_every = 50usize;
    let mut runs = 200usize;
    let mut db: Option<PathBuf> = None;
    let mut reuse = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cases" => cases = args.next().and_then(|v| v.parse().ok()).expect("--cases N"),
            "--open-every" => open_every = args.next().and_then(|v| v.parse().ok()).filter(|n| *n > 0).expect("--open-every K"),
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).filter(|n| *n > 0).expect("--runs N"),
            "--db" => db = args.next().map(PathBuf::from),
            "--reuse" => reuse = true,
            other => {
                eprintln!("unknown argument {other}; usage: certdesk-bench-due [--cases N] [--open-every K] [--runs N] [--db PATH] [--reuse]");
                std::process::exit(2);
            }
        }
    }
    let catalog = Catalog::embedded().expect("the catalog");
    let calendar = certdesk_desk::due::calendar_of(&catalog).expect("the holiday notices");
    let tmp = tempfile::tempdir().expect("temp dir");
    let db = db.unwrap_or_else(|| tmp.path().join("due.db"));
    let mut store = Store::open(&db).expect("open store");
    let clerk = Actor::new(AccountChecked::by_the_store(), "bench", vec![Role::Clerk]);
    let mut template: CaseData = bench::cases::template();
    template.employees.clear();

    // a day's intake per batch: cases numbered on successive working days of 2025
    const PER_DAY: usize = 2_000;
    let existing = store.count_cases().expect("count") as usize;
    let mut opened = 0usize;
    if !(reuse && existing >= cases) {
        let start = Instant::now();
        let mut r = Rng(0xD0E5);
        let mut done = existing;
        while done < cases {
            let n = PER_DAY.min(cases - done);
            let day = calendar.add_workdays(first_day(), (done / PER_DAY) as u32 % 240);
            let chunk: Vec<CaseData> = (done..done + n).map(|i| generated(&template, i, day, &mut r)).collect();
            let counter = format!("D{:05}", done / PER_DAY);
            store.create_cases(chunk.iter(), &counter, day, "bench").expect("insert");
            // the open share: accepted, one in three also submitted
            for k in (0..n).filter(|k| (done + k).is_multiple_of(open_every)) {
                let number = CaseNumber::new(&counter, day, (k + 1) as u32);
                store.act(&number, Action::Accept, &clerk, None).expect("accept");
                if k % 3 == 0 {
                    store.act(&number, Action::Submit, &clerk, None).expect("submit");
                }
                opened += 1;
            }
            done += n;
            if done.is_multiple_of(100_000) || done == cases {
                eprintln!("{done} cases stored, {opened} open ({:.0} s)", start.elapsed().as_secs_f64());
            }
        }
        println!("generated {} cases ({opened} open) in {:.1} s", cases - existing, start.elapsed().as_secs_f64());
    }
    let total = store.count_cases().expect("count");
    drop(store);
    let size: u64 = ["", "-wal"].iter().filter_map(|s| std::fs::metadata(format!("{}{s}", db.display())).ok()).map(|m| m.len()).sum();
    let store = Store::open(&db).expect("open store");

    // the days asked: spread over the year the cases span, as a morning report would be asked
    let days: Vec<NaiveDate> = (0..runs).map(|i| first_day() + Days::new((i * 365 / runs) as u64)).collect();
    for day in days.iter().take(5) {
        certdesk_desk::due::due_list(&store, &catalog, &calendar, *day).expect("warm-up");
    }
    // the store's part alone: the open cases read from the clock index
    let mut reads = Vec::with_capacity(runs);
    for _ in 0..runs.min(50) {
        let t = Instant::now();
        let rows = store.clocks().expect("the clock rows");
        reads.push(t.elapsed());
        assert!(!rows.is_empty());
    }
    reads.sort();
    let mut times = Vec::with_capacity(runs);
    let (mut due_today, mut late, mut waiting, mut running) = (0usize, 0usize, 0usize, 0usize);
    for day in &days {
        let t = Instant::now();
        let list = certdesk_desk::due::due_list(&store, &catalog, &calendar, *day).expect("due list");
        times.push(t.elapsed());
        due_today += list.due_today.len();
        late += list.late.len();
        waiting += list.waiting.len();
        running += list.running;
    }
    assert!(late > 0 && waiting > 0, "the generated cases put some late and some waiting ({late}, {waiting})");
    times.sort();
    let per = |n: usize| n as f64 / runs as f64;
    println!(
        "due list over {total} cases (database {:.0} MB), {runs} days: avg per day {:.0} due today, {:.0} late, {:.0} waiting, {:.0} running",
        size as f64 / 1e6,
        per(due_today),
        per(late),
        per(waiting),
        per(running)
    );
    println!("{:<10} {:>8} {:>8} {:>8} {:>8}", "", "p50 ms", "p95 ms", "p99 ms", "max ms");
    println!(
        "{:<10} {:>8} {:>8} {:>8} {:>8}",
        "rows read",
        ms(percentile(&reads, 0.5)),
        ms(percentile(&reads, 0.95)),
        ms(percentile(&reads, 0.99)),
        ms(*reads.last().expect("a read"))
    );
    println!(
        "{:<10} {:>8} {:>8} {:>8} {:>8}",
        "due list",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95)),
        ms(percentile(&times, 0.99)),
        ms(*times.last().expect("a run"))
    );
    let p95 = percentile(&times, 0.95).as_secs_f64() * 1000.0;
    println!("target ≤ 50 ms p95: {}", if p95 <= 50.0 { "met" } else { "MISSED" });
}

/// The `i`-th case: one of the promised projects and business types, a third by post (its
/// arrival a few days before it was numbered), a sixth of those without the money in, one in
/// twenty with a material to follow.
fn generated(template: &CaseData, i: usize, day: NaiveDate, r: &mut Rng) -> CaseData {
    let mut c = template.clone();
    let (project, business, channel) = UNDER_PROMISE[i % UNDER_PROMISE.len()];
    c.project = project.into();
    c.business = business;
    if let Some(org) = c.organization.as_mut() {
        org.name = format!("{}第{}测试单位", bench::cases::CITIES[i % bench::cases::CITIES.len()], i);
    }
    if channel == Channel::Post {
        c.channel = Some(Channel::Post);
        c.arrival = Some(
            serde_json::from_value(serde_json::json!({ "date": (day - Days::new(r.below(4) as u64)).to_string(), "courier": "顺丰速运", "waybill": format!("SF{:010}", i) }))
                .expect("an arrival"),
        );
    }
    if let Some(p) = c.payment.as_mut() {
        p.method = PaymentMethod::BankTransfer;
        p.date = (r.below(6) != 0).then_some(day);
    }
    if r.below(20) == 0 {
        c.materials = vec![MaterialReceived {
            id: "license".into(),
            original_seen: false,
            copies_received: 0,
            to_follow: Some("原件后补".into()),
            on_file: None,
            by_unit_certificate: None,
            extra: Default::default(),
        }];
    }
    c
}
