//! Search benchmark: fills a store with generated, realistic cases (Chinese organisation and
//! person names, USCCs, ID numbers, mobiles, employee annexes) and times `Store::search` for
//! the fragments clerks type, printing p50/p95/p99 per kind of query and the database size.
//!
//! `certdesk-bench-search [--cases N] [--queries N] [--db PATH|postgres://…] [--db-password-file F] [--reuse] [--show-slower-than MS]
//! [--seed N] [--cities N] [--trades N]` (another set of cases: another seed, fewer cities or trades)
//! (release build: `cargo run --release -p certdesk-bench --bin certdesk-bench-search`). With a
//! `postgres://` address the same cases and queries run on a hall's database (an empty one, or
//! one filled before with `--reuse`); its size is the server's, not printed. Into an empty hall
//! the load runs without the GIN search indexes, which are then built again from their own
//! definitions (as pg_restore builds them), and the tables are analyzed.

mod bench;

use bench::cases::{self, CITIES, KINDS, Set, TRADES, generate, query_for};
use bench::{Rng, ms, percentile};
use certdesk_store::Store;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    let mut cases = 1_000_000usize;
    let mut queries = 2_000usize;
    let mut db: Option<PathBuf> = None;
    let mut hall: Option<String> = None;
    let mut password_file: Option<PathBuf> = None;
    let mut reuse = false;
    let mut show_slower_than: Option<f64> = None;
    let mut set = Set::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cases" => cases = args.next().and_then(|v| v.parse().ok()).expect("--cases N"),
            "--queries" => queries = args.next().and_then(|v| v.parse().ok()).expect("--queries N"),
            "--db" => match args.next() {
                Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => hall = Some(url),
                other => db = other.map(PathBuf::from),
            },
            "--db-password-file" => password_file = args.next().map(PathBuf::from),
            "--reuse" => reuse = true,
            "--show-slower-than" => show_slower_than = args.next().and_then(|v| v.parse().ok()),
            "--seed" => set.seed = args.next().and_then(|v| v.parse().ok()).expect("--seed N"),
            "--cities" => set.cities = args.next().and_then(|v| v.parse().ok()).filter(|n| (1..=CITIES.len()).contains(n)).expect("--cities 1..=24"),
            "--trades" => set.trades = args.next().and_then(|v| v.parse().ok()).filter(|n| (1..=TRADES.len()).contains(n)).expect("--trades 1..=20"),
            other => {
                eprintln!(
                    "unknown argument {other}; usage: certdesk-bench-search [--cases N] [--queries N] [--db PATH|postgres://…] [--db-password-file F] [--reuse] [--show-slower-than MS]"
                );
                std::process::exit(2);
            }
        }
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let db = db.unwrap_or_else(|| tmp.path().join("bench.db"));
    let template = cases::template();

    let open = || match &hall {
        Some(url) => {
            let address = certdesk_store::pg::HallAddress::parse(url).expect("the hall's address");
            let file = password_file.as_deref().expect("--db-password-file F: the hall's password");
            Store::open_hall(&address, certdesk_store::pg::ServerPassword::from_file(file).expect("the password file")).expect("open the hall")
        }
        None => Store::open(&db).expect("open store"),
    };
    let mut store = open();
    let existing = store.count_cases().unwrap() as usize;
    // into an empty hall the GIN indexes are built after the load, as pg_restore does (a row at
    // a time, without a pending list, they make a million cases a matter of hours): their
    // definitions read from the catalog, dropped, made again as the migrations left them
    let mut server = hall.as_ref().map(|url| bench::server_client(url, password_file.as_deref().expect("--db-password-file F")).expect("a raw connection to the hall"));
    let rebuild: Vec<String> = match server.as_mut() {
        Some(client) if existing == 0 && cases > 0 => {
            let defs: Vec<(String, String)> = client
                .query("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'case_text' AND indexdef LIKE '%USING gin%'", &[])
                .expect("reading the search indexes")
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
            for (name, _) in &defs {
                bench::execute(client, "DROP INDEX", &format!("DROP INDEX {name}")).expect("dropping a search index for the load");
            }
            defs.into_iter().map(|(_, def)| def).collect()
        }
        _ => vec![],
    };
    if !(reuse && existing >= cases) {
        let start = Instant::now();
        cases::fill(&mut store, &template, set, existing, cases, |done| {
            if done.is_multiple_of(100_000) || done == cases {
                eprintln!("{done} cases stored ({:.0} s)", start.elapsed().as_secs_f64());
            }
        })
        .expect("insert");
        println!("generated {} cases in {:.1} s", cases - existing, start.elapsed().as_secs_f64());
    }
    if let Some(client) = server.as_mut() {
        let start = Instant::now();
        for def in &rebuild {
            bench::execute(client, "CREATE INDEX", &format!("SET maintenance_work_mem = '512MB'; {def}")).expect("making a search index again");
        }
        bench::execute(client, "ANALYZE", "ANALYZE").expect("ANALYZE");
        println!("search indexes built again ({}) and ANALYZE in {:.1} s", rebuild.len(), start.elapsed().as_secs_f64());
    }
    let total = store.count_cases().unwrap() as usize;
    drop(store);
    let size: u64 = ["", "-wal"].iter().filter_map(|s| std::fs::metadata(format!("{}{s}", db.display())).ok()).map(|m| m.len()).sum();
    let store = open();

    let mut r = Rng(0x5EED ^ set.seed);
    let mut per_kind: Vec<Vec<Duration>> = vec![Vec::new(); KINDS.len()];
    let mut all = Vec::new();
    let mut hits_total = 0usize;
    // warm the page cache as a counter PC that has been running would have it
    for i in 0..50 {
        let _ = store.search(&query_for(&generate(&template, set, 1 + (i * 7919) % total as u64), i as usize % KINDS.len(), &mut r), 50);
    }
    for i in 0..queries {
        let (kind, q) = cases::query(&template, set, total, i, &mut r);
        let t = Instant::now();
        let hits = store.search(&q, 50).expect("search");
        let elapsed = t.elapsed();
        hits_total += hits.len();
        assert!(!hits.is_empty(), "query {q:?} of an existing case found nothing");
        if show_slower_than.is_some_and(|limit| elapsed.as_secs_f64() * 1000.0 > limit) {
            eprintln!("slow: {:<16} {q:?} {} ms, {} hits", KINDS[kind], ms(elapsed), hits.len());
        }
        per_kind[kind].push(elapsed);
        all.push(elapsed);
    }
    let place = match store.server() {
        Some(server) => format!("on the hall {server}"),
        None => format!("database {:.0} MB", size as f64 / 1e6),
    };
    println!("search over {total} cases, {place}, {queries} queries (limit 50, newest first), avg {:.1} hits", hits_total as f64 / queries as f64);
    println!("{:<16} {:>8} {:>8} {:>8} {:>8}", "query", "p50 ms", "p95 ms", "p99 ms", "max ms");
    for (kind, times) in KINDS.iter().zip(per_kind.iter_mut()) {
        times.sort();
        println!("{:<16} {:>8} {:>8} {:>8} {:>8}", kind, ms(percentile(times, 0.5)), ms(percentile(times, 0.95)), ms(percentile(times, 0.99)), ms(*times.last().unwrap()));
    }
    all.sort();
    println!("{:<16} {:>8} {:>8} {:>8} {:>8}", "all", ms(percentile(&all, 0.5)), ms(percentile(&all, 0.95)), ms(percentile(&all, 0.99)), ms(*all.last().unwrap()));
}
