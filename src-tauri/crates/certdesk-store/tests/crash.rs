//! Crash safety: writer processes are killed with SIGKILL at random moments while they store
//! cases; every case a writer acknowledged (printed after its commit returned) must be in the
//! database afterwards, `PRAGMA integrity_check` must say ok and the audit chain must verify.
//!
//! The test binary re-runs itself as the writer (`CERTDESK_CRASH_WRITER=<db>`).

mod common;
use certdesk_store::Store;
use common::*;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn writer(db: &str) {
    let mut store = Store::open(std::path::Path::new(db)).unwrap();
    let data = case(ORG_NEW);
    let stdout = std::io::stdout();
    loop {
        let rec = store.create_case(&data, "GZ01", day(), &as_clerk("crash-writer")).unwrap();
        let mut out = stdout.lock();
        writeln!(out, "{}", rec.number).unwrap();
        out.flush().unwrap();
    }
}

/// A small deterministic generator, enough to spread kill times.
fn next_rand(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn acknowledged_writes_survive_kill_9() {
    if let Ok(db) = std::env::var("CERTDESK_CRASH_WRITER") {
        writer(&db);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    drop(Store::open(&db).unwrap());
    let exe = std::env::current_exe().unwrap();
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut acknowledged = Vec::new();
    let rounds = 12;
    for _ in 0..rounds {
        let mut children: Vec<_> = (0..3)
            .map(|_| {
                Command::new(&exe)
                    .args(["--exact", "acknowledged_writes_survive_kill_9", "--nocapture", "--test-threads=1"])
                    .env("CERTDESK_CRASH_WRITER", &db)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let readers: Vec<_> = children
            .iter_mut()
            .map(|c| {
                let out = c.stdout.take().unwrap();
                std::thread::spawn(move || BufReader::new(out).lines().map_while(Result::ok).filter(|l| l.starts_with("GZ01-")).collect::<Vec<String>>())
            })
            .collect();
        let start = Instant::now();
        let wait = Duration::from_millis(150 + next_rand(&mut rng) % 600);
        while start.elapsed() < wait {
            std::thread::sleep(Duration::from_millis(5));
        }
        for c in &mut children {
            c.kill().unwrap(); // SIGKILL on Unix
            c.wait().unwrap();
        }
        for r in readers {
            acknowledged.extend(r.join().unwrap());
        }
    }
    assert!(acknowledged.len() > rounds * 3, "writers made too little progress to prove anything: {}", acknowledged.len());
    let store = Store::open(&db).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let missing: Vec<_> = acknowledged.iter().filter(|n| store.case(&num(n)).is_err()).collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    let count = store.count_cases().unwrap();
    assert!(count as usize >= acknowledged.len(), "{count} stored < {} acknowledged", acknowledged.len());
    // numbers are unique and consecutive: no sequence was handed out twice or lost in a commit
    let report = store.verify_audit().unwrap();
    assert!(report.ok, "{:?}", report.first_break);
    assert_eq!(report.events, count);
    let last = store.list(None, 1).unwrap()[0].number.clone();
    assert_eq!(last, format!("GZ01-20261122-{count:04}"));
}
