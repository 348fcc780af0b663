//! Hall load benchmark (#17): one fresh database on a hall's PostgreSQL server, people and a
//! counter set up first, then N desk *processes* (this binary again, `--child`), each doing a
//! bounded "mixed day" through the application API (`certdesk_desk::api`, as the CLI and the
//! app do): import a case, accept and submit it as its clerk, approve it as another account,
//! search for an earlier case, read the daily ledger. It prints p50/p95/max per action and
//! overall, then checks the hall: every change a desk reported is exactly one event on the
//! chain after the setup and the chain holds no other (nothing lost, nothing duplicated), the
//! full `audit verify` passes, case numbers are unique.
//!
//! `certdesk-bench-hall --db postgres://USER@HOST:PORT/DB --db-password-file F [--desks 20]
//! [--rounds 10] [--pause-ms 0] [--keep]` (`--pause-ms`: a desk's mean pause before each
//! action, uniform in 0..2×; 0 runs every desk flat out, the hall saturated) (release build: `cargo run --release -p certdesk-bench --bin
//! certdesk-bench-hall -- …`). DB is a database to connect to for `CREATE DATABASE` (the role
//! needs CREATEDB); the run's own database is dropped at the end unless `--keep`. The server's
//! password comes only from the file; the accounts' passwords are in files of a private temp
//! folder, never in a child's arguments. Exit status 1 when a check fails.

mod bench;

use bench::{Rng, ms, percentile};
use certdesk_catalog::Catalog;
use certdesk_desk::DeskError;
use certdesk_desk::api::Session;
use certdesk_domain::Action;
use certdesk_domain::workflow::Role;
use certdesk_store::pg::{HallAddress, PgError, ServerPassword};
use certdesk_store::{Password, Store, StoreError};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

const CASE: &str = include_str!("../../../../../tests/fixtures/case-org-new.json");
const COUNTER: &str = "HALL01";
const CITIES: [&str; 8] = ["广州市", "深圳市", "珠海市", "东莞市", "佛山市", "沈阳市", "大连市", "西安市"];
const BRAND: &str = "华盛泰达恒信宏远鑫源博海天嘉诚瑞丰新和安康顺发祥云中兴光明金隆德润通宇星辰美乐思创智联合众益邦腾飞利民永正荣昌";
const TRADES: [&str; 8] = ["科技", "电子", "贸易", "医疗器械", "信息技术", "物业管理", "软件", "检测"];
/// The actions a desk times, in the order of its day.
const ACTIONS: [&str; 6] = ["import", "accept", "submit", "approve", "search", "daily_ledger"];
/// The audit action each changing step appends (one event each).
const CHANGES: [(&str, &str); 4] = [("import", "create"), ("accept", "accept"), ("submit", "submit"), ("approve", "approve")];

#[derive(Debug, thiserror::Error)]
enum BenchError {
    #[error("usage: {0}\n  certdesk-bench-hall --db postgres://USER@HOST:PORT/DB --db-password-file F [--desks N] [--rounds N] [--pause-ms N] [--keep]")]
    Usage(String),
    #[error(transparent)]
    Desk(#[from] DeskError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Server(#[from] PgError),
    #[error(transparent)]
    Admin(#[from] bench::ServerError),
    #[error("{op}")]
    Io {
        op: String,
        #[source]
        source: std::io::Error,
    },
    #[error("desk {desk} failed: {why}")]
    Child { desk: usize, why: String },
    #[error("the case template: {0}")]
    Template(String),
}

fn io(op: impl Into<String>) -> impl FnOnce(std::io::Error) -> BenchError {
    let op = op.into();
    move |source| BenchError::Io { op, source }
}

struct Args {
    url: String,
    password_file: PathBuf,
    desks: usize,
    rounds: usize,
    /// a desk's mean pause between two actions (a clerk reading, typing, talking), uniform in
    /// 0..2×; 0: every desk as fast as it can (the hall saturated)
    pause_ms: u64,
    keep: bool,
    /// `--child INDEX SECRETS_DIR`: this process is one desk
    child: Option<(usize, PathBuf)>,
}

fn args() -> Result<Args, BenchError> {
    let (mut url, mut password_file, mut desks, mut rounds, mut keep, mut child) = (None, None, 20usize, 10usize, false, None);
    let mut pause_ms = 0u64;
    let mut it = std::env::args().skip(1);
    let number = |v: Option<String>, what: &str| v.and_then(|v| v.parse::<usize>().ok()).filter(|n| *n > 0).ok_or_else(|| BenchError::Usage(format!("{what} N (N > 0)")));
    while let Some(a) = it.next() {
        match a.as_str() {
            "--db" => url = it.next(),
            "--db-password-file" => password_file = it.next().map(PathBuf::from),
            "--desks" => desks = number(it.next(), "--desks")?.min(100),
            "--rounds" => rounds = number(it.next(), "--rounds")?.min(1000),
            "--pause-ms" => pause_ms = it.next().and_then(|v| v.parse().ok()).filter(|p| *p <= 60_000).ok_or_else(|| BenchError::Usage("--pause-ms N (0 to 60000)".into()))?,
            "--keep" => keep = true,
            "--child" => {
                let index = number(it.next(), "--child")?;
                let dir = it.next().map(PathBuf::from).ok_or_else(|| BenchError::Usage("--child INDEX DIR".into()))?;
                child = Some((index, dir));
            }
            other => return Err(BenchError::Usage(format!("unknown argument {other}"))),
        }
    }
    let url = url.filter(|u| u.starts_with("postgres://") || u.starts_with("postgresql://")).ok_or_else(|| BenchError::Usage("--db postgres://… is required".into()))?;
    let password_file = password_file.ok_or_else(|| BenchError::Usage("--db-password-file F is required (the password is never in the address)".into()))?;
    Ok(Args { url, password_file, desks, rounds, pause_ms, keep, child })
}

fn main() {
    let result = args().and_then(|a| if a.child.is_some() { child(&a) } else { bench(&a) });
    match result {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                text.push_str(&format!(": {s}"));
                source = s.source();
            }
            eprintln!("certdesk-bench-hall: {text}");
            std::process::exit(2);
        }
    }
}

// ------------------------------------------------------------------ the desks (children)

fn org_name(r: &mut Rng) -> String {
    let (a, b) = (r.pick(BRAND), r.pick(BRAND));
    format!("{}{a}{b}{}有限公司", CITIES[r.below(CITIES.len())], TRADES[r.below(TRADES.len())])
}

/// The template case for another organisation (the payer is the unit, as the project's rules want).
fn case_json(template: &serde_json::Value, name: &str) -> String {
    let mut c = template.clone();
    c["organization"]["name"] = name.into();
    c["payment"]["payer_name"] = name.into();
    c.to_string()
}

fn password(dir: &Path, name: &str) -> Result<Password, BenchError> {
    let text = Zeroizing::new(std::fs::read_to_string(dir.join(format!("{name}.pw"))).map_err(io(format!("reading {name}'s password file")))?);
    Ok(Password::new(text.trim_end().to_string()))
}

fn open(a: &Args) -> Result<Store, BenchError> {
    let address = HallAddress::parse(&a.url)?;
    Ok(Store::open_hall(&address, ServerPassword::from_file(&a.password_file)?)?)
}

/// The hall as a desk holds it (through the application API, as the app and the CLI do).
fn open_desk(a: &Args) -> Result<certdesk_desk::api::CaseStore, BenchError> {
    let env = certdesk_desk::place::Environment::default();
    let opened = certdesk_desk::place::open(Some(&a.url), Some(&a.password_file), &env, |address| Err(DeskError::HallPasswordMissing { server: address.shown().to_string() }))?;
    Ok(opened.store)
}

/// One desk process: signs its clerk and supervisor in, says `READY`, waits for `GO` on stdin,
/// then does its rounds. Prints `T action micros` per timed action and `EV audit_action
/// number` per change it made.
fn child(a: &Args) -> Result<bool, BenchError> {
    let (index, dir) = a.child.clone().expect("a child");
    let mut store = open_desk(a)?;
    let catalog = Catalog::embedded().map_err(|e| BenchError::Template(e.to_string()))?;
    let template: serde_json::Value = serde_json::from_str(CASE).map_err(|e| BenchError::Template(e.to_string()))?;
    let (clerk, supervisor) = (format!("clerk{index}"), format!("sup{index}"));
    let mut as_clerk = Session::sign_in(&mut store, &clerk, &password(&dir, &clerk)?)?;
    let mut as_supervisor = Session::sign_in(&mut store, &supervisor, &password(&dir, &supervisor)?)?;
    let out = std::io::stdout();
    let mut out = out.lock();
    let say = |out: &mut std::io::StdoutLock<'_>, line: String| writeln!(out, "{line}").and_then(|_| out.flush()).map_err(io("writing to the benchmark"));
    say(&mut out, "READY".into())?;
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).map_err(io("waiting for the start"))?;
    if go.trim() != "GO" {
        return Ok(false);
    }
    // each desk makes different organisations
    let mut r = Rng(0x9E37_79B9_7F4A_7C15 ^ (index as u64 + 1).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let mut names: Vec<String> = Vec::new();
    let mut timings: Vec<(&str, Duration)> = Vec::new();
    let mut events: Vec<(&str, String)> = Vec::new();
    let today = chrono::Local::now().date_naive();
    let pause = |r: &mut Rng| {
        if a.pause_ms > 0 {
            std::thread::sleep(Duration::from_millis(r.next() % (2 * a.pause_ms + 1)));
        }
    };
    for _ in 0..a.rounds {
        let name = org_name(&mut r);
        let json = case_json(&template, &name);
        pause(&mut r);
        let t = Instant::now();
        let saved = as_clerk.desk(&mut store)?.import_case(&catalog, &json)?;
        timings.push(("import", t.elapsed()));
        events.push(("import", saved.number.clone()));
        for (step, action, by_supervisor) in [("accept", Action::Accept, false), ("submit", Action::Submit, false), ("approve", Action::Approve, true)] {
            let session = if by_supervisor { &mut as_supervisor } else { &mut as_clerk };
            pause(&mut r);
            let t = Instant::now();
            session.desk(&mut store)?.act(&catalog, &saved.number, action, None)?;
            timings.push((step, t.elapsed()));
            events.push((step, saved.number.clone()));
        }
        names.push(name);
        // a fragment of one of this desk's organisations, as a clerk types it
        let chars: Vec<char> = names[r.below(names.len())].chars().collect();
        let len = 2 + r.below(4);
        let start = r.below(chars.len() - len + 1);
        let fragment: String = chars[start..start + len].iter().collect();
        pause(&mut r);
        let t = Instant::now();
        let page = as_clerk.desk(&mut store)?.case_page(Some(&fragment), None, None, None, None, 0, 50)?;
        timings.push(("search", t.elapsed()));
        if page.rows.is_empty() {
            return Err(BenchError::Child { desk: index, why: format!("the search for {fragment:?} found nothing") });
        }
        pause(&mut r);
        let t = Instant::now();
        let ledger = as_supervisor.desk(&mut store)?.daily(today)?;
        timings.push(("daily_ledger", t.elapsed()));
        if ledger.cases == 0 {
            return Err(BenchError::Child { desk: index, why: "the daily ledger counts no case".into() });
        }
    }
    for (action, d) in timings {
        say(&mut out, format!("T {action} {}", d.as_micros()))?;
    }
    for (action, number) in events {
        say(&mut out, format!("EV {action} {number}"))?;
    }
    say(&mut out, "DONE".into())?;
    Ok(true)
}

// ------------------------------------------------------------------ the benchmark (parent)

/// The run's database, dropped when the run ends (unless kept).
struct RunDb {
    base: String,
    password_file: PathBuf,
    name: String,
    keep: bool,
}

impl Drop for RunDb {
    fn drop(&mut self) {
        if self.keep {
            eprintln!("kept the database {}", self.name);
            return;
        }
        if let Ok(mut c) = bench::server_client(&self.base, &self.password_file) {
            let _ = bench::execute(&mut c, "DROP DATABASE", &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

fn bench(a: &Args) -> Result<bool, BenchError> {
    // a fresh database per run
    let name = format!("certdesk_bench_hall_{}_{}", std::process::id(), chrono::Utc::now().timestamp());
    bench::execute(&mut bench::server_client(&a.url, &a.password_file)?, "CREATE DATABASE", &format!("CREATE DATABASE {name}"))?;
    let run_db = RunDb { base: a.url.clone(), password_file: a.password_file.clone(), name: name.clone(), keep: a.keep };
    let (prefix, query) = match a.url.split_once('?') {
        Some((p, q)) => (p, format!("?{q}")),
        None => (a.url.as_str(), String::new()),
    };
    let (server, _) = prefix.rsplit_once('/').ok_or_else(|| BenchError::Usage("the address ends with /DB".into()))?;
    let run =
        Args { url: format!("{server}/{name}{query}"), password_file: a.password_file.clone(), desks: a.desks, rounds: a.rounds, pause_ms: a.pause_ms, keep: a.keep, child: None };

    // people and the counter: an administrator, a clerk and a supervisor per desk
    let secrets = tempfile::tempdir().map_err(io("making the accounts' folder"))?;
    let write_pw = |who: &str| -> Result<Password, BenchError> {
        let text = format!("{who}-bench-{:x}", (std::process::id() as u64 * 0x9E37_79B9) ^ chrono::Utc::now().timestamp_subsec_nanos() as u64);
        let path = secrets.path().join(format!("{who}.pw"));
        certdesk_store::private::write(&path, text.as_bytes()).map_err(io(format!("writing {who}'s password file")))?;
        Ok(Password::new(text))
    };
    let setup = Instant::now();
    let store = open(&run)?;
    let mut desks = open_desk(&run)?;
    let mut admin = Session::first_admin(&mut desks, "admin", &write_pw("admin")?, COUNTER, "大厅基准")?;
    for i in 1..=a.desks {
        let mut desk = admin.desk(&mut desks)?;
        desk.add_account(&format!("clerk{i}"), &[Role::Clerk], &write_pw(&format!("clerk{i}"))?)?;
        desk.add_account(&format!("sup{i}"), &[Role::Supervisor], &write_pw(&format!("sup{i}"))?)?;
    }
    let (setup_chain, _) = store.stored_chain()?;
    let setup_events = setup_chain.len();
    println!(
        "hall benchmark on {}: {} desk processes × {} rounds (import, accept, submit, approve by another account, search, daily ledger), mean pause {} ms before an action; setup {:.1} s, {setup_events} events",
        store.server().unwrap_or("?"),
        a.desks,
        a.rounds,
        a.pause_ms,
        setup.elapsed().as_secs_f64()
    );

    // the desks: started, signed in, then all let go at once
    let exe = std::env::current_exe().map_err(io("finding this program"))?;
    let mut children: Vec<(usize, Child)> = Vec::new();
    for i in 1..=a.desks {
        let c = Command::new(&exe)
            .args(["--db", &run.url, "--db-password-file"])
            .arg(&a.password_file)
            .args(["--rounds", &a.rounds.to_string(), "--pause-ms", &a.pause_ms.to_string(), "--child", &i.to_string()])
            .arg(secrets.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(io("starting a desk process"))?;
        children.push((i, c));
    }
    let mut readers = Vec::new();
    for (i, c) in children.iter_mut() {
        let mut reader = BufReader::new(c.stdout.take().expect("piped"));
        let mut line = String::new();
        reader.read_line(&mut line).map_err(io("reading a desk"))?;
        if line.trim() != "READY" {
            return Err(BenchError::Child { desk: *i, why: format!("did not sign in (said {:?})", line.trim()) });
        }
        readers.push(reader);
    }
    let started = Instant::now();
    for (_, c) in children.iter_mut() {
        let mut stdin = c.stdin.take().expect("piped");
        writeln!(stdin, "GO").map_err(io("starting a desk"))?;
    }
    let mut timings: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    let mut reported: BTreeMap<(String, String), usize> = BTreeMap::new();
    for ((i, c), reader) in children.iter_mut().zip(readers) {
        let mut done = false;
        for line in reader.lines() {
            let line = line.map_err(io("reading a desk"))?;
            let mut parts = line.split_whitespace();
            match (parts.next(), parts.next(), parts.next()) {
                (Some("T"), Some(action), Some(us)) => {
                    timings.entry(action.into()).or_default().push(Duration::from_micros(us.parse().unwrap_or(u64::MAX)));
                }
                (Some("EV"), Some(action), Some(number)) => *reported.entry((action.into(), number.into())).or_default() += 1,
                (Some("DONE"), None, None) => done = true,
                _ => return Err(BenchError::Child { desk: *i, why: format!("said {line:?}") }),
            }
        }
        let status = c.wait().map_err(io("waiting for a desk"))?;
        if !status.success() || !done {
            return Err(BenchError::Child { desk: *i, why: format!("ended with {status} before its day was done") });
        }
    }
    let wall = started.elapsed();

    // the figures
    let mut all: Vec<Duration> = timings.values().flatten().copied().collect();
    all.sort();
    println!("{} actions in {:.1} s ({:.0} actions/s over the hall)", all.len(), wall.as_secs_f64(), all.len() as f64 / wall.as_secs_f64());
    println!("{:<14} {:>7} {:>8} {:>8} {:>8}", "action", "count", "p50 ms", "p95 ms", "max ms");
    let mut ok = true;
    for action in ACTIONS {
        let Some(times) = timings.get_mut(action) else { continue };
        times.sort();
        let p95 = percentile(times, 0.95);
        println!("{:<14} {:>7} {:>8} {:>8} {:>8}", action, times.len(), ms(percentile(times, 0.5)), ms(p95), ms(*times.last().expect("timed")));
    }
    println!("{:<14} {:>7} {:>8} {:>8} {:>8}", "all", all.len(), ms(percentile(&all, 0.5)), ms(percentile(&all, 0.95)), ms(*all.last().expect("timed")));
    let slow: Vec<&str> = ACTIONS.iter().copied().filter(|a| timings.get(*a).is_some_and(|t| percentile(t, 0.95) > Duration::from_millis(50))).collect();
    println!("target p95 ≤ 50 ms per action: {}", if slow.is_empty() { "met".to_string() } else { format!("NOT met by {}", slow.join(", ")) });

    // the checks: the chain after the setup holds exactly what the desks reported
    let mut check = |what: &str, good: bool, detail: String| {
        println!("check {what}: {}{}", if good { "ok" } else { "FAILED" }, if detail.is_empty() { String::new() } else { format!(" ({detail})") });
        ok &= good;
    };
    let (chain, _) = store.stored_chain()?;
    let step_of: BTreeMap<&str, &str> = CHANGES.iter().map(|(step, wire)| (*wire, *step)).collect();
    let mut on_chain: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut stray = Vec::new();
    for ev in &chain[setup_events.min(chain.len())..] {
        match (step_of.get(ev.action.as_str()), &ev.case_number) {
            (Some(step), Some(number)) => *on_chain.entry(((*step).to_string(), number.clone())).or_default() += 1,
            _ => stray.push(format!("{} {}", ev.seq, ev.action)),
        }
    }
    let expected = a.desks * a.rounds * CHANGES.len();
    let reported_total: usize = reported.values().sum();
    let lost = reported.keys().filter(|k| !on_chain.contains_key(*k)).count();
    let twice = on_chain.values().filter(|n| **n > 1).count() + reported.values().filter(|n| **n > 1).count();
    let unknown = on_chain.keys().filter(|k| !reported.contains_key(*k)).count();
    check(
        "every change exactly once on the chain",
        reported_total == expected && on_chain.values().sum::<usize>() == expected && lost == 0 && twice == 0 && unknown == 0 && stray.is_empty(),
        format!(
            "{expected} expected, {reported_total} reported, {} on the chain after the setup; lost {lost}, twice {twice}, unreported {unknown}, other events {stray:?}",
            chain.len() - setup_events
        ),
    );
    let report = store.verify_audit()?;
    check(
        "audit verify",
        report.ok && report.events as usize == chain.len(),
        format!("{} events, {} cases checked{}", report.events, report.cases_checked, report.first_break.map(|b| format!(", {}", b.message)).unwrap_or_default()),
    );
    let numbers: BTreeSet<&String> = reported.keys().filter(|(a, _)| a == "import").map(|(_, n)| n).collect();
    let stored = store.count_cases()? as usize;
    check("case numbers unique", numbers.len() == a.desks * a.rounds && stored == numbers.len(), format!("{} numbers given, {stored} cases stored", numbers.len()));
    drop(store);
    drop(run_db);
    Ok(ok)
}
