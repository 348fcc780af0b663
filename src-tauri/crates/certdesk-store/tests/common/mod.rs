//! Shared helpers of the store's integration tests: the example cases and a temp store.

#![allow(dead_code)]

use certdesk_domain::CaseData;
use chrono::NaiveDate;

pub const ORG_NEW: &str = include_str!("../../../../../tests/fixtures/case-org-new.json");
pub const EMPLOYEES_NEW: &str = include_str!("../../../../../tests/fixtures/case-employees-new.json");

/// What migrations 11 to 13 added, taken off again (before older migrations are taken off).
pub const UNDO_M011_TO_M013: &str = "DROP TABLE sign_ins; DROP TABLE bank_credits; DROP TABLE credit_cases; DROP INDEX cases_clock; ALTER TABLE cases DROP COLUMN channel; ALTER TABLE cases DROP COLUMN received_on; \
     ALTER TABLE cases DROP COLUMN paid_on; ALTER TABLE cases DROP COLUMN to_follow; ALTER TABLE cases DROP COLUMN amount_fen;";

pub fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

pub fn case(text: &str) -> CaseData {
    let mut c = CaseData::from_json(text).unwrap();
    c.validate_and_normalize(day());
    c
}

/// A clerk as the store's rules see one (the tests do not sign in for every case).
pub fn as_clerk(name: &str) -> certdesk_domain::workflow::Actor {
    certdesk_domain::workflow::Actor::new(certdesk_domain::workflow::AccountChecked::by_the_store(), name, vec![certdesk_domain::workflow::Role::Clerk])
}

pub fn as_admin(name: &str) -> certdesk_domain::workflow::Actor {
    certdesk_domain::workflow::Actor::new(certdesk_domain::workflow::AccountChecked::by_the_store(), name, vec![certdesk_domain::workflow::Role::Admin])
}

pub fn num(text: &str) -> certdesk_domain::CaseNumber {
    certdesk_domain::CaseNumber::parse(text).unwrap()
}

/// Keeps a file with a case as a clerk would.
pub fn put(s: &mut certdesk_store::Store, n: &certdesk_domain::CaseNumber, name: &str, mime: &str, bytes: &[u8], who: &str) -> Result<(), certdesk_store::ActError> {
    s.attach(n, certdesk_store::FileKind::Case, &[certdesk_store::NewFile { name, mime, bytes }], None, &as_clerk(who)).map(drop)
}

pub mod pg;
pub mod rig;
pub mod staff;

/// Where a test's store lives: a SQLite file in a temporary folder, or a database of its own
/// on the test cluster. The store's tests run on both (`on_both!`).
pub enum Place {
    File { _dir: tempfile::TempDir, path: std::path::PathBuf },
    Hall(pg::TestDb),
}

impl Place {
    pub fn sqlite() -> Place {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/certdesk.db");
        Place::File { _dir: dir, path }
    }

    /// A fresh database on the cluster; `None` (said loudly) when none is configured here.
    pub fn postgres() -> Option<Place> {
        let server = pg::server()?;
        Some(Place::Hall(server.fresh_db("store")))
    }

    /// The store here, opened (again) as a desk opens it.
    pub fn open(&self) -> certdesk_store::Store {
        match self {
            Place::File { path, .. } => certdesk_store::Store::open(path).unwrap(),
            Place::Hall(db) => db.open_store(),
        }
    }

    pub fn is_hall(&self) -> bool {
        matches!(self, Place::Hall(_))
    }

    /// Runs `sql` behind the store's back, as whoever holds the database could (the
    /// append-only triggers taken off first).
    pub fn tamper(&self, sql: &str) {
        match self {
            Place::File { path, .. } => {
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.execute_batch("DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete; DROP TRIGGER IF EXISTS attachments_no_update; DROP TRIGGER IF EXISTS attachments_no_delete;")
                    .unwrap();
                conn.execute_batch(sql).unwrap();
            }
            Place::Hall(db) => db.raw().batch_execute(&format!("ALTER TABLE audit_events DISABLE TRIGGER USER; ALTER TABLE attachments DISABLE TRIGGER USER; {sql}")).unwrap(),
        }
    }

    /// Runs `sql` as the store's own database user would, triggers on: whether it was allowed.
    pub fn try_sql(&self, sql: &str) -> Result<(), String> {
        match self {
            Place::File { path, .. } => rusqlite::Connection::open(path).unwrap().execute_batch(sql).map_err(|e| e.to_string()),
            Place::Hall(db) => db.raw().batch_execute(sql).map_err(|e| format!("{e}: {}", e.as_db_error().map(|d| d.message()).unwrap_or_default())),
        }
    }

    /// The first column of the first row of a query, as text.
    pub fn text(&self, sql: &str) -> String {
        match self {
            Place::File { path, .. } => rusqlite::Connection::open(path).unwrap().query_row(sql, [], |r| r.get(0)).unwrap(),
            Place::Hall(db) => db.raw().query_one(sql, &[]).unwrap().get(0),
        }
    }
}

/// Each test twice: `mod NAME { fn sqlite(); fn postgres() }`, the PostgreSQL one on a fresh
/// database of the test cluster (skipped loudly outside CI without one; failing in CI).
#[macro_export]
macro_rules! on_both {
    ($($(#[$meta:meta])* fn $name:ident($place:ident) $body:block)*) => {
        $(
            $(#[$meta])*
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                fn body($place: Place) $body

                #[test]
                fn sqlite() {
                    body(Place::sqlite())
                }

                #[test]
                fn postgres() {
                    if let Some(place) = Place::postgres() {
                        body(place)
                    }
                }
            }
        )*
    };
}
