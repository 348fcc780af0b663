//! The PostgreSQL back end on a real server (the throwaway cluster of `scripts/pg-cluster.sh`):
//! migrations pinned and refused when edited, the append-only triggers, eight desk processes
//! writing one chain and numbering cases at once, and a connection lost in the middle of a
//! change.

mod common;

use certdesk_domain::CaseNumber;
use certdesk_store::pg::{Hall, PgError};
use certdesk_store::{AuditAction, NewEvent, StoreError};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

const DESKS: usize = 8;
const CHANGES_PER_DESK: usize = 30;

fn days() -> [NaiveDate; 2] {
    [NaiveDate::from_ymd_opt(2026, 11, 23).expect("a day"), NaiveDate::from_ymd_opt(2026, 11, 24).expect("a day")]
}

/// One desk's change: a case number, its creation event and a second event without a case.
fn desk_change(hall: &mut Hall, counter: &str, day: NaiveDate, desk: usize, n: usize) -> Result<CaseNumber, StoreError> {
    let actor = format!("desk-{desk}");
    hall.write(|w| {
        let number = w.next_case_number(counter, day)?;
        let marker = serde_json::json!({ "desk": desk, "n": n });
        w.append(&NewEvent { actor: &actor, action: AuditAction::Create, case_number: Some(&number), digest_before: None, digest_after: None, detail: marker.clone() })?;
        w.append(&NewEvent { actor: &actor, action: AuditAction::Setting, case_number: None, digest_before: None, digest_after: None, detail: marker })?;
        Ok(number)
    })
}

#[test]
fn migrations_apply_once_and_an_edited_one_is_refused() {
    let Some(server) = common::pg::server() else { return };
    let db = server.fresh_db("migrate");
    let mut hall = db.connect();
    assert_eq!(hall.migrate().expect("migrating an empty database"), certdesk_store::pg::schema::MIGRATIONS.len());
    assert_eq!(hall.migrate().expect("migrating again"), 0);

    let mut raw = db.raw();
    let trgm: String = raw.query_one("SELECT indexdef FROM pg_indexes WHERE indexname = 'case_text_trgm'", &[]).expect("the trigram index").get(0);
    assert!(trgm.contains("gin") && trgm.contains("gin_trgm_ops"), "{trgm}");
    let collation: Option<String> = raw
        .query_one("SELECT collation_name::text FROM information_schema.columns WHERE table_name = 'case_idents' AND column_name = 'ident'", &[])
        .expect("case_idents.ident")
        .get(0);
    assert_eq!(collation.as_deref(), Some("C"));
    for index in ["case_text_trgm", "case_text_grams"] {
        let options: Vec<String> = raw.query_one("SELECT reloptions FROM pg_class WHERE relname = $1", &[&index]).expect("the index").get(0);
        assert_eq!(options, ["fastupdate=off"], "{index}: no pending list for searches to scan");
    }

    raw.execute("UPDATE certdesk_migrations SET sha256 = 'edited' WHERE version = 3", &[]).expect("tampering with the record");
    match hall.migrate() {
        Err(PgError::MigrationEdited { version: 3, found, .. }) => assert_eq!(found, "edited"),
        other => panic!("an edited migration must be refused, got {other:?}"),
    }
    raw.execute("UPDATE certdesk_migrations SET sha256 = 'x' WHERE version = 3", &[]).expect("tampering");
    raw.execute("INSERT INTO certdesk_migrations (version, sha256) VALUES (99, 'future')", &[]).expect("a newer build's migration");
    raw.execute("DELETE FROM certdesk_migrations WHERE version = 3", &[]).expect("tampering");
    raw.execute("INSERT INTO certdesk_migrations (version, sha256) VALUES (3, $1)", &[&certdesk_domain::case::sha256_hex(certdesk_store::pg::schema::MIGRATIONS[2].as_bytes())])
        .expect("restoring");
    assert!(matches!(hall.migrate(), Err(PgError::TooNew { found: 99, .. })));
}

#[test]
fn audit_events_and_attachments_refuse_update_delete_and_truncate() {
    let Some(server) = common::pg::server() else { return };
    let db = server.fresh_db("triggers");
    let mut hall = db.connect();
    hall.migrate().expect("migrating");
    let number = desk_change(&mut hall, "A01", days()[0], 0, 0).expect("a change");
    let mut raw = db.raw();
    raw.execute(
        "INSERT INTO attachments (case_number, name, mime, sha256, bytes, at, actor) VALUES ($1, 'scan.png', 'image/png', 'x', '\\x00'::bytea, 'now', 'a')",
        &[&number.as_str()],
    )
    .expect("appending a file");
    for (table, refused) in [("audit_events", "audit_events is append-only"), ("attachments", "attachments are append-only")] {
        for statement in [format!("UPDATE {table} SET actor = 'mallory'"), format!("DELETE FROM {table}"), format!("TRUNCATE {table}")] {
            let err = raw.batch_execute(&statement).expect_err(&statement);
            let db_err = err.as_db_error().unwrap_or_else(|| panic!("{statement}: {err}"));
            assert_eq!(db_err.message(), refused, "{statement}");
            assert_eq!(db_err.code(), &postgres::error::SqlState::RESTRICT_VIOLATION);
        }
    }
    let report = hall.verify_chain().expect("verifying");
    assert!(report.ok && report.events == 2, "{report:?}");
}

#[test]
fn a_tampered_chain_is_named_like_on_sqlite() {
    let Some(server) = common::pg::server() else { return };
    let db = server.fresh_db("tamper");
    let mut hall = db.connect();
    hall.migrate().expect("migrating");
    for n in 0..3 {
        desk_change(&mut hall, "A01", days()[0], 0, n).expect("a change");
    }
    assert!(hall.verify_chain().expect("verifying").ok);
    // the owner of the tables can still drop a trigger: verify is what catches that
    let mut raw = db.raw();
    raw.batch_execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'mallory' WHERE seq = 4")
        .expect("tampering with the triggers off");
    let report = hall.verify_chain().expect("verifying");
    let brk = report.first_break.expect("a break");
    assert_eq!((brk.kind, brk.seq), (certdesk_store::BreakKind::Edited, Some(4)), "{}", brk.message);
}

/// Not a test of its own: the body of one desk process of the hall test (the test binary run
/// again, `--ignored --exact hall_desk_process`, with `CERTDESK_PG_DESK` set). Without it, it
/// does nothing.
#[test]
#[ignore = "the body of a desk process: the hall test runs it in child processes"]
fn hall_desk_process() {
    let (Ok(desk), Ok(url), Ok(password_file)) = (std::env::var("CERTDESK_PG_DESK"), std::env::var("CERTDESK_PG_DESK_DB"), std::env::var("CERTDESK_TEST_PG_PASSWORD_FILE")) else {
        return;
    };
    let desk: usize = desk.parse().expect("desk number");
    let mut hall = common::pg::connect_url(&url, std::path::Path::new(&password_file));
    for n in 0..CHANGES_PER_DESK {
        // two counters and two days, so numbers are checked per counter and day
        let counter = if (desk + n).is_multiple_of(3) { "B02" } else { "A01" };
        desk_change(&mut hall, counter, days()[n % 2], desk, n).expect("a desk's change");
    }
}

#[test]
fn eight_desk_processes_keep_one_gapless_chain_and_unique_case_numbers() {
    let Some(server) = common::pg::server() else { return };
    let db = server.fresh_db("hall");
    db.connect().migrate().expect("migrating");
    let exe = std::env::current_exe().expect("the test binary");
    let children: Vec<_> = (0..DESKS)
        .map(|desk| {
            std::process::Command::new(&exe)
                .args(["hall_desk_process", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
                .env("CERTDESK_PG_DESK", desk.to_string())
                .env("CERTDESK_PG_DESK_DB", &db.url)
                .env("CERTDESK_TEST_PG_PASSWORD_FILE", &db.password_file)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("starting a desk process")
        })
        .collect();
    for (desk, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().expect("a desk process");
        assert!(out.status.success(), "desk {desk} failed:\n{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"), "desk {desk} ran no change");
    }

    let mut hall = db.connect();
    let report = hall.verify_chain().expect("verifying");
    assert!(report.ok, "{:?}", report.first_break);
    assert_eq!(report.events, (DESKS * CHANGES_PER_DESK * 2) as i64);

    // every change's two events exactly once, in one transaction each (adjacent seqs)
    let mut raw = db.raw();
    let rows = raw.query("SELECT seq, action, case_number, detail FROM audit_events ORDER BY seq", &[]).expect("reading the chain");
    let mut seen: BTreeMap<(String, String), i64> = BTreeMap::new();
    for row in &rows {
        let (seq, action, detail): (i64, String, String) = (row.get(0), row.get(1), row.get(3));
        assert!(seen.insert((action.clone(), detail.clone()), seq).is_none(), "event {action} {detail} twice");
    }
    for desk in 0..DESKS {
        for n in 0..CHANGES_PER_DESK {
            let detail = serde_json::json!({ "desk": desk, "n": n }).to_string();
            let create = seen.get(&("create".into(), detail.clone())).unwrap_or_else(|| panic!("lost: create of desk {desk} change {n}"));
            let setting = seen.get(&("setting".into(), detail.clone())).unwrap_or_else(|| panic!("lost: setting of desk {desk} change {n}"));
            assert_eq!(*setting, create + 1, "the two events of one change are adjacent on the chain");
        }
    }

    // the desks really wrote at the same time: their changes interleave on the chain
    let desk_of = |detail: String| serde_json::from_str::<serde_json::Value>(&detail).expect("detail JSON")["desk"].clone();
    let desks_in_order: Vec<serde_json::Value> = rows.iter().filter(|r| r.get::<_, String>(1) == "create").map(|r| desk_of(r.get(3))).collect();
    let switches = desks_in_order.windows(2).filter(|w| w[0] != w[1]).count();
    assert!(switches >= DESKS, "the desks ran one after another ({switches} switches): the test proves nothing about concurrency");

    // case numbers: unique, and gapless from 1 per counter and day
    let numbers: Vec<String> = rows.iter().filter_map(|r| r.get::<_, Option<String>>(2)).collect();
    let unique: BTreeSet<&String> = numbers.iter().collect();
    assert_eq!(unique.len(), DESKS * CHANGES_PER_DESK, "a case number was handed out twice");
    let mut per_key: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for number in &numbers {
        let parsed = CaseNumber::parse(number).expect("a case number");
        let (key, seq) = number.split_at(number.len() - 4);
        assert_eq!(parsed.as_str(), number);
        per_key.entry(key.to_string()).or_default().push(seq.parse().expect("sequence digits"));
    }
    assert_eq!(per_key.len(), 4, "two counters on two days: {:?}", per_key.keys());
    for (key, mut seqs) in per_key {
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=seqs.len() as u32).collect::<Vec<_>>(), "numbers of {key} have gaps");
    }
}

#[test]
fn a_connection_lost_in_the_middle_of_a_change_writes_nothing() {
    let Some(server) = common::pg::server() else { return };
    let db = server.fresh_db("lost");
    let mut desk = db.connect();
    desk.migrate().expect("migrating");
    desk_change(&mut desk, "A01", days()[0], 0, 0).expect("a first change");
    let pid = desk.backend_pid().expect("the desk's server process");
    let mut admin = db.raw();

    let result = desk.write(|w| {
        let number = w.next_case_number("A01", days()[0])?;
        w.append(&NewEvent {
            actor: "desk-0",
            action: AuditAction::Create,
            case_number: Some(&number),
            digest_before: None,
            digest_after: None,
            detail: serde_json::json!({"half": 1}),
        })?;
        // the server goes away between two statements of the change
        admin.execute("SELECT pg_terminate_backend($1)", &[&pid]).expect("terminating the desk's backend");
        for _ in 0..100 {
            let alive: i64 = admin.query_one("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", &[&pid]).expect("pg_stat_activity").get(0);
            if alive == 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        w.append(&NewEvent { actor: "desk-0", action: AuditAction::Setting, case_number: None, digest_before: None, digest_after: None, detail: serde_json::json!({"half": 2}) })?;
        Ok(number)
    });
    let err = result.expect_err("the change cannot succeed without its connection");
    assert!(matches!(&err, StoreError::Server(e) if matches!(**e, PgError::ConnectionLost { .. })), "{err:?}");
    assert!(err.to_string().contains("服务器连接中断"), "{err}");
    assert!(desk.is_lost(), "the desk knows to connect again");

    let half: i64 = admin.query_one("SELECT count(*) FROM audit_events WHERE detail LIKE '%half%'", &[]).expect("counting").get(0);
    assert_eq!(half, 0, "half a change was written");
    let last: i32 = admin.query_one("SELECT last FROM case_seq WHERE counter = 'A01'", &[]).expect("case_seq").get(0);
    assert_eq!(last, 1, "the lost change's number is given back");

    // the retry, on a new connection, takes that number and the chain goes on
    let mut again = db.connect();
    let number = desk_change(&mut again, "A01", days()[0], 0, 1).expect("the retry");
    assert_eq!(number.as_str(), CaseNumber::new("A01", days()[0], 2).as_str());
    let report = again.verify_chain().expect("verifying");
    assert!(report.ok && report.events == 4, "{report:?}");
}

#[test]
fn a_chain_written_on_sqlite_copied_verbatim_verifies_and_goes_on_here() {
    let Some(server) = common::pg::server() else { return };
    // a single desk's store on SQLite: settings and a case, each on the chain
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("desk.db");
    {
        let mut store = certdesk_store::Store::open(&file).expect("a SQLite store");
        let admin = certdesk_domain::workflow::Actor::new(certdesk_domain::workflow::AccountChecked::by_the_store(), "admin", vec![certdesk_domain::workflow::Role::Admin]);
        let clerk = certdesk_domain::workflow::Actor::new(certdesk_domain::workflow::AccountChecked::by_the_store(), "张三", vec![certdesk_domain::workflow::Role::Clerk]);
        store.set_setting("counter_name", "一号窗口", &admin).expect("a setting");
        let mut data = certdesk_domain::CaseData::from_json(include_str!("../../../../tests/fixtures/case-org-new.json")).expect("the example case");
        data.validate_and_normalize(days()[0]);
        store.create_case(&data, "A01", days()[0], &clerk).expect("a case");
        assert!(store.verify_audit().expect("verifying on SQLite").ok);
    }
    let (events, head) = certdesk_store::Store::open(&file).expect("the store file").stored_chain().expect("reading the chain");
    let head = head.expect("the head");
    assert!(events.len() >= 2, "{events:?}");

    // copied as `store migrate` will: row for row, the head with it
    let db = server.fresh_db("copy");
    let mut hall = db.connect();
    hall.migrate().expect("migrating");
    let mut raw = db.raw();
    for e in &events {
        raw.execute(
            "INSERT INTO audit_events (seq, at, actor, action, case_number, digest_before, digest_after, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[&e.seq, &e.at, &e.actor, &e.action, &e.case_number, &e.digest_before, &e.digest_after, &e.detail, &e.prev_hash, &e.hash],
        )
        .expect("copying an event");
    }
    raw.execute("INSERT INTO settings (key, value) VALUES ('audit_head', $1)", &[&head]).expect("copying the head");
    let report = hall.verify_chain().expect("verifying");
    assert!(report.ok && report.events == events.len() as i64, "{report:?}");

    // the hall goes on from the copied head
    desk_change(&mut hall, "A01", days()[1], 1, 0).expect("a change in the hall");
    let report = hall.verify_chain().expect("verifying");
    assert!(report.ok && report.events == events.len() as i64 + 2, "{report:?}");
}

/// The store on a hall: a desk whose server connection is cut gets 服务器连接中断 with nothing
/// written, and its next action connects again and goes on (the same chain, the next number).
#[test]
fn a_store_whose_connection_is_cut_says_so_writes_nothing_and_reconnects() {
    let Some(server) = common::pg::server() else { return };
    let db = server.fresh_db("reconnect");
    let mut store = db.open_store();
    let clerk = certdesk_domain::workflow::Actor::new(certdesk_domain::workflow::AccountChecked::by_the_store(), "zhang", vec![certdesk_domain::workflow::Role::Clerk]);
    let data = certdesk_domain::CaseData::from_json(include_str!("../../../../tests/fixtures/case-org-new.json")).expect("the example case");
    let first = store.create_case(&data, "A01", days()[0], &clerk).expect("a case");
    let mut admin = db.raw();
    let cut: i64 = admin
        .query_one("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'certdesk'", &[])
        .expect("terminating the desk's backend")
        .get(0);
    assert_eq!(cut, 1);
    std::thread::sleep(std::time::Duration::from_millis(200));
    let err = store.create_case(&data, "A01", days()[0], &clerk).expect_err("no connection");
    assert!(matches!(&err, certdesk_store::ActError::Store(e) if e.is_connection_lost()), "{err:?}");
    assert!(err.to_string().contains("服务器连接中断"), "{err}");
    let cases: i64 = admin.query_one("SELECT count(*) FROM cases", &[]).expect("counting").get(0);
    assert_eq!(cases, 1, "nothing of the failed change was written");
    let second = store.create_case(&data, "A01", days()[0], &clerk).expect("the retry connects again");
    assert_eq!((first.number.as_str(), second.number.as_str()), ("A01-20261123-0001", "A01-20261123-0002"));
    assert!(store.verify_audit().expect("verifying").ok);
}

/// The app's sign-ins (#79) on both back ends: a session present while heard of and not ended,
/// ended at sign-out; each account's last sign-in the newest, ended or not.
fn sign_ins_are_kept(store: &mut certdesk_store::Store) {
    let first = store.sign_in_began("zhang", "GZ-DESK-01").expect("a sign-in");
    let admin = store.sign_in_began("admin", "GZ-DESK-02").expect("a sign-in");
    store.sign_in_seen(&admin).expect("heard of");
    let now: Vec<(String, String)> = store.signed_in_now().expect("reading").into_iter().map(|s| (s.account, s.desk)).collect();
    assert_eq!(now, vec![("zhang".to_string(), "GZ-DESK-01".to_string()), ("admin".to_string(), "GZ-DESK-02".to_string())]);
    store.sign_in_ended(&first).expect("signed out");
    std::thread::sleep(std::time::Duration::from_millis(5));
    let again = store.sign_in_began("zhang", "GZ-DESK-03").expect("a sign-in");
    store.sign_in_ended(&again).expect("signed out");
    let now: Vec<String> = store.signed_in_now().expect("reading").into_iter().map(|s| s.account).collect();
    assert_eq!(now, vec!["admin".to_string()], "zhang's sessions ended");
    let last = store.last_sign_ins().expect("reading");
    assert_eq!((last["zhang"].desk.as_str(), last["zhang"].ended_at.is_some()), ("GZ-DESK-03", true), "{last:?}");
    assert_eq!((last["admin"].desk.as_str(), last["admin"].ended_at.is_none()), ("GZ-DESK-02", true), "{last:?}");
    // an ended session is not heard of again
    store.sign_in_seen(&first).expect("a late refresh");
    assert_eq!(store.signed_in_now().expect("reading").len(), 1);
}

#[test]
fn sign_ins_are_kept_on_a_store_file_and_on_the_hall() {
    let dir = tempfile::tempdir().expect("a temp dir");
    sign_ins_are_kept(&mut certdesk_store::Store::open(&dir.path().join("c.db")).expect("a store file"));
    let Some(server) = common::pg::server() else { return };
    let db = server.fresh_db("signins");
    sign_ins_are_kept(&mut db.open_store());
}
