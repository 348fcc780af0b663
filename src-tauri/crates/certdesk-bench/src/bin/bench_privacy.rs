//! Privacy benchmark (#30, docs/design-privacy.md §1.3, §1.4, §10): the cost of the encrypted
//! store against the plain one, measured in one run. Fills a plain store and an encrypted one
//! (`Store::create_encrypted`: SQLCipher, the key file with the administrator's slot) with the
//! same generated cases (`bench::cases`, the search benchmark's), both grown the same way, then
//! times the same search queries on both, their files in the OS's cache — each query on one
//! store and then on the other, the order alternating — and prints p50/p95 of each, per kind of query and in all, and the ratio
//! encrypted ÷ plain of the p95. Then times the sign-in that opens the encrypted store
//! (`open_encrypted` with the account's slot: argon2id and the unwrap, `PRAGMA key`, the open;
//! the account's own password check; the first search answered), p50 and max over several
//! runs, beside the slot's argon2id alone and a plain store's sign-in.
//!
//! Checks (exit 1 when one fails): every query answers the same cases, in the same order, on
//! both stores, and finds at least one; the encrypted file is one (`Store::state`) and the
//! plain one is not. Targets (printed, met or missed; a missed target does not fail the run):
//! search p95 encrypted ≤ 1.3 × plain; the sign-in that opens the store ≤ 500 ms.
//!
//! `certdesk-bench-privacy [--cases N] [--queries Q] [--signins R] [--dir D] [--seed N] [--cities N]
//! [--trades N]` (release build: `cargo run --release -p certdesk-bench --bin
//! certdesk-bench-privacy`). `--dir` keeps both stores (`plain.db`, `encrypted.db` and its key
//! file) for another run, which adds cases only up to N.

mod bench;

use bench::cases::{self, CITIES, KINDS, Set, TRADES};
use bench::{Rng, ms, percentile};
use certdesk_domain::workflow::Role;
use certdesk_store::keys::{Kdf, KeyFile, key_file_path};
use certdesk_store::{Password, Store, StoreState, Unlock};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The benchmark's administrator, on both stores (its slot opens the encrypted one).
const ADMIN: &str = "bench";
/// A test password (three classes of four); the benchmark's stores hold generated cases only.
const PASSWORD: &str = "bench-secret-pass-1";

/// The search target: p95 on the encrypted store at most this many times the plain store's.
const SEARCH_RATIO_TARGET: f64 = 1.3;
/// The sign-in target (ms).
const SIGNIN_TARGET_MS: f64 = 500.0;

fn password() -> Password {
    Password::new(PASSWORD.to_string())
}

fn usage(why: &str) -> ! {
    eprintln!("{why}; usage: certdesk-bench-privacy [--cases N] [--queries Q] [--signins R] [--dir D] [--seed N] [--cities 1..=24] [--trades 1..=20]");
    std::process::exit(2);
}

/// The machine's load average, as the kernel gives it (Linux), for the conditions of a run.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg").map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" ")).unwrap_or_else(|_| "unknown".into())
}

/// The store file and its WAL, in bytes.
fn size(path: &Path) -> u64 {
    ["", "-wal"].iter().filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok()).map(|m| m.len()).sum()
}

fn open_plain(path: &Path) -> Store {
    Store::open(path).expect("opening the plain store")
}

fn open_encrypted(path: &Path) -> Store {
    Store::open_encrypted(path, Unlock::Account { name: ADMIN, password: &password() }).expect("opening the encrypted store with the administrator's slot")
}

/// Adds cases up to `cases` (none when there are as many: a kept store), saying how long it took.
fn fill(store: &mut Store, which: &str, cases: usize, set: Set) -> usize {
    let existing = store.count_cases().expect("counting cases") as usize;
    if existing < cases {
        let template = cases::template();
        let start = Instant::now();
        cases::fill(store, &template, set, existing, cases, |done| {
            if done.is_multiple_of(100_000) || done == cases {
                eprintln!("{which}: {done} cases stored ({:.0} s)", start.elapsed().as_secs_f64());
            }
        })
        .expect("storing generated cases");
        let s = start.elapsed().as_secs_f64();
        println!("{which}: generated {} cases in {s:.1} s ({:.0} cases/s)", cases - existing, (cases - existing) as f64 / s.max(1e-9));
    }
    store.count_cases().expect("counting cases") as usize
}

/// Reads the store file and its WAL once, so that both stores are timed from the OS's cache
/// as on a counter PC that has been running (not one from the disk, the other from memory).
fn read_through(path: &Path) {
    use std::io::Read;
    let mut buf = vec![0u8; 1 << 20];
    for side in ["", "-wal"] {
        let Ok(mut f) = std::fs::File::open(format!("{}{side}", path.display())) else { continue };
        while f.read(&mut buf).is_ok_and(|n| n > 0) {}
    }
}

/// p50 and max of some durations, in ms.
fn p50_max(times: &mut [Duration]) -> (String, String) {
    times.sort();
    (ms(percentile(times, 0.5)), ms(*times.last().expect("at least one run")))
}

fn main() {
    let mut cases = 1_000_000usize;
    let mut queries = 27_000usize;
    let mut signins = 9usize;
    let mut dir: Option<PathBuf> = None;
    let mut set = Set::default();
    let mut args = std::env::args().skip(1);
    let number = |args: &mut dyn Iterator<Item = String>, flag: &str| args.next().and_then(|v| v.parse::<usize>().ok()).unwrap_or_else(|| usage(&format!("{flag} needs a number")));
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cases" => cases = number(&mut args, "--cases"),
            "--queries" => queries = number(&mut args, "--queries"),
            "--signins" => signins = number(&mut args, "--signins"),
            "--dir" => dir = Some(args.next().map(PathBuf::from).unwrap_or_else(|| usage("--dir needs a folder"))),
            "--seed" => set.seed = number(&mut args, "--seed") as u64,
            "--cities" => set.cities = Some(number(&mut args, "--cities")).filter(|n| (1..=CITIES.len()).contains(n)).unwrap_or_else(|| usage("--cities 1..=24")),
            "--trades" => set.trades = Some(number(&mut args, "--trades")).filter(|n| (1..=TRADES.len()).contains(n)).unwrap_or_else(|| usage("--trades 1..=20")),
            other => usage(&format!("unknown argument {other}")),
        }
    }
    if cases == 0 || queries == 0 || signins == 0 {
        usage("--cases, --queries and --signins need at least 1");
    }
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let dir = dir.unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir).expect("the stores' folder");
    let (plain_path, enc_path) = (dir.join("plain.db"), dir.join("encrypted.db"));
    let mut failed: Vec<String> = Vec::new();
    println!("load average at the start: {}", load());

    // the same cases in both, grown the same way (10,000 to a transaction)
    let mut plain = open_plain(&plain_path);
    if plain.accounts().expect("the plain store's accounts").is_empty() {
        plain.add_account(ADMIN, &[Role::Admin], &password(), None).expect("the plain store's administrator");
    }
    let mut enc = match Store::state(&enc_path).expect("what is at the encrypted store's path") {
        StoreState::Missing => Store::create_encrypted(&enc_path, ADMIN, &password()).expect("creating the encrypted store").0,
        _ => open_encrypted(&enc_path),
    };
    let total = fill(&mut plain, "plain", cases, set);
    let enc_total = fill(&mut enc, "encrypted", cases, set);
    if total != enc_total {
        failed.push(format!("the stores hold different numbers of cases (plain {total}, encrypted {enc_total})"));
    }
    if !enc.is_encrypted() || plain.is_encrypted() {
        failed.push("the encrypted store is not encrypted, or the plain one is".into());
    }
    drop((plain, enc));
    if Store::state(&enc_path).expect("state") != (StoreState::Encrypted { key_file: true }) || Store::state(&plain_path).expect("state") != StoreState::Plain {
        failed.push(format!(
            "the files are not what they should be: {} is {:?}, {} is {:?}",
            enc_path.display(),
            Store::state(&enc_path),
            plain_path.display(),
            Store::state(&plain_path)
        ));
    }
    let (plain_size, enc_size) = (size(&plain_path), size(&enc_path));

    // both files in the OS's cache, both stores opened afresh: SQLite's page caches empty
    let start = Instant::now();
    read_through(&plain_path);
    read_through(&enc_path);
    println!("both files read once into the OS cache in {:.1} s", start.elapsed().as_secs_f64());
    let (plain, enc) = (open_plain(&plain_path), open_encrypted(&enc_path));
    let template = cases::template();
    let mut r = Rng(0x5EED ^ set.seed);
    for i in 0..50 {
        let q = cases::query_for(&cases::generate(&template, set, 1 + (i * 7919) % total as u64), i as usize % KINDS.len(), &mut r);
        let _ = (plain.search(&q, 50), enc.search(&q, 50));
    }
    let mut per_kind: Vec<[Vec<Duration>; 2]> = vec![[Vec::new(), Vec::new()]; KINDS.len()];
    let mut all: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    let (mut hits_total, mut differ, mut empty) = (0usize, 0usize, 0usize);
    for i in 0..queries {
        let (kind, q) = cases::query(&template, set, total, i, &mut r);
        let mut answers: [Vec<String>; 2] = [Vec::new(), Vec::new()];
        // one after the other, the order alternating: neither store always finds the other's pages warm
        let order = if i % 2 == 0 { [0, 1] } else { [1, 0] };
        for which in order {
            let store = if which == 0 { &plain } else { &enc };
            let t = Instant::now();
            let hits = store.search(&q, 50).expect("search");
            let elapsed = t.elapsed();
            per_kind[kind][which].push(elapsed);
            all[which].push(elapsed);
            answers[which] = hits.into_iter().map(|h| h.number).collect();
        }
        hits_total += answers[0].len();
        if answers[0] != answers[1] {
            differ += 1;
            if differ <= 5 {
                eprintln!(
                    "query {q:?} ({}): plain found {:?}, encrypted {:?}",
                    KINDS[kind],
                    answers[0].iter().take(5).collect::<Vec<_>>(),
                    answers[1].iter().take(5).collect::<Vec<_>>()
                );
            }
        }
        if answers[0].is_empty() {
            empty += 1;
        }
    }
    if differ > 0 {
        failed.push(format!("{differ} of {queries} queries answered differently on the two stores"));
    }
    if empty > 0 {
        failed.push(format!("{empty} of {queries} queries of existing cases found nothing"));
    }

    println!(
        "search over {total} cases in each store (plain {:.0} MB, encrypted {:.0} MB: × {:.3}), {queries} queries on both (the order alternating, limit 50, newest first), avg {:.1} hits",
        plain_size as f64 / 1e6,
        enc_size as f64 / 1e6,
        enc_size as f64 / plain_size.max(1) as f64,
        hits_total as f64 / queries as f64
    );
    println!("{:<16} {:>10} {:>10} {:>10} {:>10} {:>7}", "query", "plain p50", "enc p50", "plain p95", "enc p95", "p95 ×");
    let row = |name: &str, times: &mut [Vec<Duration>; 2]| -> f64 {
        times[0].sort();
        times[1].sort();
        let (p95_plain, p95_enc) = (percentile(&times[0], 0.95), percentile(&times[1], 0.95));
        let ratio = p95_enc.as_secs_f64() / p95_plain.as_secs_f64().max(1e-9);
        println!("{name:<16} {:>10} {:>10} {:>10} {:>10} {ratio:>7.2}", ms(percentile(&times[0], 0.5)), ms(percentile(&times[1], 0.5)), ms(p95_plain), ms(p95_enc));
        ratio
    };
    for (kind, times) in KINDS.iter().zip(per_kind.iter_mut()) {
        if !times[0].is_empty() {
            row(kind, times);
        }
    }
    let ratio = row("all", &mut all);
    let verdict = |met: bool| if met { "met" } else { "MISSED" };
    println!("target: search p95 on the encrypted store ≤ {SEARCH_RATIO_TARGET} × the plain store's: {} (× {ratio:.2})", verdict(ratio <= SEARCH_RATIO_TARGET));
    drop((plain, enc));

    // the sign-in that opens the encrypted store, as a desk does it: the slot (argon2id, the
    // unwrap), the open (PRAGMA key, the schema check), the account's password check, the first
    // search answered
    let first = cases::query_for(&cases::generate(&template, set, 1), 6, &mut Rng(1));
    let signin = |open: &dyn Fn() -> Store| -> Duration {
        let t = Instant::now();
        let mut store = open();
        store.authenticate(ADMIN, &password()).expect("signing in");
        let hits = store.search(&first, 50).expect("the first search");
        let elapsed = t.elapsed();
        assert!(!hits.is_empty(), "the first search found nothing");
        elapsed
    };
    let mut enc_signin: Vec<Duration> = (0..signins).map(|_| signin(&|| open_encrypted(&enc_path))).collect();
    let mut plain_signin: Vec<Duration> = (0..signins).map(|_| signin(&|| open_plain(&plain_path))).collect();
    let key_path = key_file_path(&enc_path);
    let mut unopened = 0;
    let mut slot: Vec<Duration> = (0..signins)
        .map(|_| {
            let t = Instant::now();
            let file = KeyFile::read(&key_path).expect("the key file");
            let key = file.unlock(ADMIN, PASSWORD.as_bytes(), &key_path).expect("unlocking the slot");
            let elapsed = t.elapsed();
            unopened += usize::from(key.is_none());
            elapsed
        })
        .collect();
    if unopened > 0 {
        failed.push(format!("the administrator's slot did not open with its password ({unopened} of {signins} runs)"));
    }
    let kdf = Kdf::standard();
    let (enc_p50, enc_max) = p50_max(&mut enc_signin);
    let (slot_p50, slot_max) = p50_max(&mut slot);
    let (plain_p50, plain_max) = p50_max(&mut plain_signin);
    println!("sign-in that opens the encrypted store (slot, open, password check, first search), {signins} runs: p50 {enc_p50} ms, max {enc_max} ms");
    println!("  the slot alone ({} m {} MiB t {} p {}, AES-256-GCM unwrap): p50 {slot_p50} ms, max {slot_max} ms", kdf.alg, kdf.m_kib / 1024, kdf.t, kdf.p);
    println!("  a plain store's sign-in (open, password check, first search): p50 {plain_p50} ms, max {plain_max} ms");
    let max_ms = enc_signin.last().expect("a run").as_secs_f64() * 1000.0;
    let p50_ms = percentile(&enc_signin, 0.5).as_secs_f64() * 1000.0;
    let met = if max_ms <= SIGNIN_TARGET_MS {
        "met (every run)".to_string()
    } else if p50_ms <= SIGNIN_TARGET_MS {
        format!("met at the median, MISSED by the slowest run ({enc_max} ms)")
    } else {
        "MISSED".to_string()
    };
    println!("target: the sign-in that opens the store ≤ {SIGNIN_TARGET_MS} ms: {met}");
    println!("load average at the end: {}", load());

    if !failed.is_empty() {
        for f in &failed {
            eprintln!("check failed: {f}");
        }
        std::process::exit(1);
    }
}
