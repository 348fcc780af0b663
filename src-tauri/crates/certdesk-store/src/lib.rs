//! The case store, on one of two back ends chosen where it is opened: one SQLite file (WAL,
//! foreign keys, synchronous=FULL) for a single desk, or a PostgreSQL database shared by the
//! desks of a counter hall ([`pg`], `Store::open_hall`). Owns every SQL statement in certdesk;
//! callers never see rusqlite or postgres types. The rules are written once over the private
//! seam of `db` (see docs/pg-hall.md). Cases, case numbering, search,
//! settings and the audit chain live here. Does not validate case data (the domain does) nor
//! decide who may act (the workflow does), but every change to a case asks the workflow inside
//! the write transaction that makes it, on facts read in that transaction, and appends its audit
//! event there too (at a time taken under the write lock). Cases are named by parsed
//! `CaseNumber`s only, so one case has one history whatever way its number was typed.

#![warn(clippy::unwrap_used)]

pub mod accounts;
pub mod audit;
mod db;
pub mod detail;
mod files;
mod migrate;
pub mod pg;
pub mod private;
pub mod schema;
mod search;

pub use accounts::{Account, AuthError, Password};
pub use audit::{AuditAction, AuditEvent, BreakKind, ChainBreak, ChainWalk, NewEvent, StoredEvent, VerifyReport};
use certdesk_domain::workflow::{self, Actor, CaseFacts, RuleError};
pub use detail::{EventBody, EventDetail};
pub use files::{AttachmentInfo, BackupReport, CaseFilter, MAX_ATTACHMENT_BYTES, Restored};
pub use migrate::Migrated;

use certdesk_domain::case::sha256_hex;
use certdesk_domain::status::{self, Action, TransitionError};
use certdesk_domain::{CaseData, CaseNumber, Status};
use chrono::{NaiveDate, SecondsFormat, Utc};
use db::{Lite, Pg, Row, Sql, Tx, args};
use rusqlite::{Connection, TransactionBehavior};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("case {0} not found")]
    CaseNotFound(String),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("the database failed while {op}: {source}")]
    Sqlite {
        op: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create the folder {path}: {source}")]
    Folder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the database {path} was written by a newer certdesk (schema {found}, this build knows {known})")]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error("stored case {number} cannot be read: {detail}")]
    Corrupt { number: String, detail: String },
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Busy(String),
    #[error("{what} was cancelled; nothing was written")]
    Cancelled { what: &'static str },
    /// The database server of a hall: among others 服务器连接中断 (`PgError::ConnectionLost`).
    #[error(transparent)]
    Server(Box<pg::PgError>),
    /// What only a store file has (file backups, restore, SQLite's integrity check), asked of a
    /// hall, whose server keeps its own backups.
    #[error("{what} is not on a hall: {instead}")]
    NotOnHall { what: &'static str, instead: &'static str },
}

impl StoreError {
    /// Whether this is the server's connection lost mid-change (nothing written: try again).
    pub fn is_connection_lost(&self) -> bool {
        matches!(self, StoreError::Server(e) if matches!(**e, pg::PgError::ConnectionLost { .. }))
    }

    /// Whether the server's connection was lost while committing and whether the change was
    /// written could not be learnt (look before doing it again).
    pub fn is_commit_unknown(&self) -> bool {
        matches!(self, StoreError::Server(e) if matches!(**e, pg::PgError::CommitUnknown { .. }))
    }
}

/// Set to ask a long store operation (a backup) to stop; it stops at its next step and leaves
/// nothing behind.
pub type CancelFlag = std::sync::Arc<std::sync::atomic::AtomicBool>;

/// Maps a rusqlite error with what the store was doing.
pub(crate) fn sql(op: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |source| StoreError::Sqlite { op, source }
}

/// What a workflow move records besides the move itself.
#[derive(Debug, Clone, Default)]
pub struct ActNote {
    pub handover: Option<detail::Handover>,
    pub to_follow: Option<Vec<String>>,
}

/// A case as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRecord {
    pub number: CaseNumber,
    pub status: Status,
    pub data: CaseData,
    pub digest: String,
    pub created_at: String,
    pub updated_at: String,
    pub created_by: String,
    pub updated_by: String,
}

impl CaseRecord {
    /// The case JSON for export: the contract fields plus `number`, `status`, times and
    /// digest (import ignores those and gives a new number).
    pub fn to_export_json(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(&self.data).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.insert("number".into(), self.number.as_str().into());
            map.insert("status".into(), self.status.wire().into());
            map.insert("created_at".into(), self.created_at.clone().into());
            map.insert("updated_at".into(), self.updated_at.clone().into());
            map.insert("digest".into(), self.digest.clone().into());
        }
        value
    }
}

/// A line of a case list or search result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct CaseSummary {
    pub number: String,
    pub status: String,
    pub project: String,
    pub business: String,
    pub cert_kind: String,
    /// The organisation name (`organization.name`), empty for personal certificates.
    pub organization: String,
    pub handler: String,
    pub created_at: String,
    /// The last change; for a case waiting for review, when it was submitted.
    pub updated_at: String,
}

pub struct Store {
    backend: Backend,
}

/// Where the store lives, chosen when it is opened.
enum Backend {
    Sqlite { conn: Connection, path: PathBuf, _lock: StoreLock },
    Hall(Box<HallBackend>),
}

/// A hall's database; `RefCell` because the client needs `&mut` to read, and a store is used
/// from one thread at a time (as rusqlite's connection is). The connection keeps its address
/// and password to connect again after it was lost; the server's name is kept here too, for
/// [`Store::server`] to lend without borrowing the connection.
struct HallBackend {
    hall: std::cell::RefCell<pg::Hall>,
    shown: String,
}

/// `<store>.lock`: every process with the store open holds it shared; a restore needs it
/// alone, so it is refused while another process (the app, a CLI command) has the store open.
pub(crate) struct StoreLock {
    // held for its lock, which lasts as long as the handle
    _file: std::fs::File,
}

impl StoreLock {
    fn file(db: &Path) -> Result<std::fs::File, StoreError> {
        let path = PathBuf::from(format!("{}.lock", db.display()));
        private::open_options().read(true).write(true).create(true).truncate(false).open(&path).map_err(|source| StoreError::Folder { path, source })
    }

    fn shared(db: &Path) -> Result<StoreLock, StoreError> {
        let file = StoreLock::file(db)?;
        // waits while a restore replaces the file (seconds at most)
        file.lock_shared().map_err(|source| StoreError::Folder { path: db.to_path_buf(), source })?;
        Ok(StoreLock { _file: file })
    }

    pub(crate) fn exclusive(db: &Path) -> Result<StoreLock, StoreError> {
        let file = StoreLock::file(db)?;
        match file.try_lock() {
            Ok(()) => Ok(StoreLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => {
                Err(StoreError::Busy(format!("another certdesk process has {} open (the app or a command): close it, then restore", db.display())))
            }
            Err(std::fs::TryLockError::Error(source)) => Err(StoreError::Folder { path: db.to_path_buf(), source }),
        }
    }
}

pub(crate) fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) const SUMMARY_COLUMNS: &str = "number, status, project, business, cert_kind, org_name, handler_name, created_at, updated_at";

pub(crate) fn read_summary(r: &Row) -> Result<CaseSummary, StoreError> {
    Ok(CaseSummary {
        number: r.text(0)?,
        status: r.text(1)?,
        project: r.text(2)?,
        business: r.text(3)?,
        cert_kind: r.text(4)?,
        organization: r.text(5)?,
        handler: r.text(6)?,
        created_at: r.text(7)?,
        updated_at: r.text(8)?,
    })
}

pub(crate) fn summaries(db: &mut dyn Sql, op: &'static str, sql: &str, args: &[db::Val]) -> Result<Vec<CaseSummary>, StoreError> {
    db.rows(op, sql, args)?.iter().map(read_summary).collect()
}

/// The next case number of `counter` on `day`, in the caller's write transaction: the row of
/// `case_seq` created or incremented in one statement (its row lock held to the end of the
/// transaction on PostgreSQL; SQLite's write lock covers the file).
pub(crate) fn next_case_number(db: &mut dyn Sql, counter: &str, day: NaiveDate) -> Result<CaseNumber, StoreError> {
    certdesk_domain::number::check_counter_code(counter).map_err(|e| StoreError::Invalid(format!("counter code {counter:?}: {e}")))?;
    let day_key = day.format("%Y%m%d").to_string();
    let seq = db
        .one(
            "numbering a case",
            "INSERT INTO case_seq (counter, day, last) VALUES (?1, ?2, 1)
             ON CONFLICT (counter, day) DO UPDATE SET last = case_seq.last + 1 RETURNING last",
            args![counter, day_key.as_str()],
        )?
        .int(0)?;
    let seq = u32::try_from(seq).map_err(|_| StoreError::Invalid(format!("case_seq of {counter} on {day_key} is {seq}")))?;
    Ok(CaseNumber::new(counter, day, seq))
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            private::create_dir_all(parent).map_err(|source| StoreError::Folder { path: parent.to_path_buf(), source })?;
        }
        let lock = StoreLock::shared(path)?;
        Store::open_with(path, lock)
    }

    /// Opens the store of a counter hall on a PostgreSQL server (the password never in the
    /// address) and brings its schema up to date; every desk of the hall opens the same one.
    pub fn open_hall(address: &pg::HallAddress, password: pg::ServerPassword) -> Result<Store, StoreError> {
        let mut hall = pg::Hall::connect(address, &password)?;
        hall.migrate()?;
        Ok(Store::on_hall(hall))
    }

    /// Another handle on the same store: the file opened again, or a second connection to the
    /// same hall (its schema already brought up to date by the first). The app's slow commands
    /// work on one, so the window's other commands are not held up meanwhile.
    pub fn reopen(&self) -> Result<Store, StoreError> {
        match &self.backend {
            Backend::Sqlite { path, .. } => Store::open(path),
            Backend::Hall(h) => Ok(Store::on_hall(h.hall.borrow().connect_again()?)),
        }
    }

    fn on_hall(hall: pg::Hall) -> Store {
        let shown = hall.server().to_string();
        Store { backend: Backend::Hall(Box::new(HallBackend { hall: std::cell::RefCell::new(hall), shown })) }
    }

    /// Opens a store file this process already holds alone (a restore's staged copy).
    pub(crate) fn open_locked(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, StoreLock { _file: StoreLock::file(path)? })
    }

    fn open_with(path: &Path, lock: StoreLock) -> Result<Store, StoreError> {
        // the database, and so its WAL and shared memory (SQLite gives them the database's
        // mode), readable by this account only
        if !path.exists() {
            private::open_options().write(true).create_new(true).open(path).map_err(|source| StoreError::Folder { path: path.to_path_buf(), source })?;
        }
        private::restrict(path).map_err(|source| StoreError::Folder { path: path.to_path_buf(), source })?;
        let conn = Connection::open(path).map_err(sql("opening the database"))?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(sql("setting the busy timeout"))?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF;")
            .map_err(sql("setting up the connection"))?;
        audit::register_functions(&conn)?;
        let mut store = Store { backend: Backend::Sqlite { conn, path: path.to_path_buf(), _lock: lock } };
        store.migrate()?;
        Ok(store)
    }

    /// The store's file; empty on a hall (see [`Store::server`]).
    pub fn path(&self) -> &Path {
        match &self.backend {
            Backend::Sqlite { path, .. } => path,
            Backend::Hall(_) => Path::new(""),
        }
    }

    /// The hall's server as shown to people (`USER@HOST:PORT/DB`), `None` for a store file.
    pub fn server(&self) -> Option<&str> {
        match &self.backend {
            Backend::Sqlite { .. } => None,
            Backend::Hall(h) => Some(&h.shown),
        }
    }

    /// The SQLite connection and file, for what only a store file has; on a hall the typed
    /// [`StoreError::NotOnHall`].
    pub(crate) fn file(&self, what: &'static str, instead: &'static str) -> Result<(&Connection, &Path), StoreError> {
        match &self.backend {
            Backend::Sqlite { conn, path, .. } => Ok((conn, path)),
            Backend::Hall(_) => Err(StoreError::NotOnHall { what, instead }),
        }
    }

    /// The hall's connection, connected again when the last one was lost.
    fn hall(hall: &mut pg::Hall) -> Result<&mut pg::Hall, StoreError> {
        if hall.is_lost() {
            *hall = hall.connect_again()?;
        }
        Ok(hall)
    }

    /// Runs `read` on the store's connection (on a hall, each statement sees what was committed
    /// before it). Also the door of the few writes outside the chain that need no lock
    /// (an account's draft), each statement committed on its own as on SQLite.
    pub(crate) fn read<T, E: From<StoreError>>(&self, read: impl FnOnce(&mut dyn Sql) -> Result<T, E>) -> Result<T, E> {
        match &self.backend {
            Backend::Sqlite { conn, .. } => read(&mut Lite(conn)),
            Backend::Hall(h) => {
                let mut hall = h.hall.borrow_mut();
                let hall = Store::hall(&mut hall)?;
                read(&mut Pg { client: &mut hall.client, prepared: &mut hall.prepared })
            }
        }
    }

    /// Runs `read` on one consistent snapshot of the store (`verify`).
    fn snapshot<T>(&self, read: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError>) -> Result<T, StoreError> {
        match &self.backend {
            Backend::Sqlite { conn, .. } => {
                let tx = conn.unchecked_transaction().map_err(sql("starting a read"))?;
                let out = read(&mut Lite(&tx))?;
                tx.commit().map_err(sql("ending a read"))?;
                Ok(out)
            }
            Backend::Hall(h) => Store::hall(&mut h.hall.borrow_mut())?.snapshot(read),
        }
    }

    /// Runs `change` in one write transaction, holding the store's write lock (SQLite's
    /// `BEGIN IMMEDIATE`, the hall's chain lock) from its first statement, and commits it; an
    /// error rolls everything back.
    pub(crate) fn write<T, E: From<StoreError>>(&mut self, change: impl FnOnce(&mut Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        match &mut self.backend {
            Backend::Sqlite { conn, .. } => {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql("starting a write"))?;
                let out = change(&mut Tx::begin(&mut Lite(&tx))?)?;
                tx.commit().map_err(sql("committing a change"))?;
                Ok(out)
            }
            Backend::Hall(h) => Store::hall(h.hall.get_mut())?.change(change),
        }
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let (conn, path) = match &mut self.backend {
            Backend::Sqlite { conn, path, .. } => (conn, path),
            Backend::Hall(h) => return h.hall.get_mut().migrate().map(drop).map_err(StoreError::from),
        };
        let known = schema::MIGRATIONS.len() as i64;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql("starting the migration"))?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql("reading the schema version"))?;
        if version > known {
            return Err(StoreError::TooNew { path: path.clone(), found: version, known });
        }
        for (i, m) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(m).map_err(sql("migrating the schema"))?;
            tx.pragma_update(None, "user_version", i as i64 + 1).map_err(sql("recording the schema version"))?;
        }
        tx.commit().map_err(sql("committing the migration"))
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.read(|db| db.row("reading a setting", "SELECT value FROM settings WHERE key = ?1", args![key])?.map(|r| r.text(0)).transpose())
    }

    /// Sets a setting as an administrator, with an audit event naming them.
    pub fn set_setting(&mut self, key: &str, value: &str, actor: &Actor) -> Result<(), StoreError> {
        if !actor.has(workflow::Role::Admin) {
            return Err(StoreError::Invalid(format!("only an administrator changes settings; {} is not one", actor.name)));
        }
        let actor = actor.name.as_str();
        self.write(|tx| {
            let before = tx.db.row("reading a setting", "SELECT value FROM settings WHERE key = ?1", args![key])?.map(|r| r.text(0)).transpose()?;
            tx.db.exec("writing a setting", "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", args![key, value])?;
            tx.append(&NewEvent::new(actor, AuditAction::Setting, &detail::SettingChanged { key: key.into(), before, after: value.into() }))?;
            Ok(())
        })
    }

    /// Stores a new draft case with the next number of `counter` for `day`. The data must
    /// have been validated and normalised by the caller.
    pub fn create_case(&mut self, data: &CaseData, counter: &str, day: NaiveDate, actor: &Actor) -> Result<CaseRecord, ActError> {
        let roles = workflow::roles_for(Action::Accept);
        if !roles.iter().any(|r| actor.has(*r)) {
            return Err(RuleError::MissingRole { actor: actor.name.clone(), action: "create", needed: workflow::RoleList(roles.to_vec()), has: actor.roles.clone() }.into());
        }
        Ok(self.write(|tx| insert_case(tx, data, counter, day, &actor.name))?)
    }

    /// Many cases in one transaction (bulk import, benchmarks); same rows and events as
    /// `create_case` one by one.
    pub fn create_cases<'a>(&mut self, cases: impl IntoIterator<Item = &'a CaseData>, counter: &str, day: NaiveDate, actor: &str) -> Result<usize, StoreError> {
        self.write(|tx| {
            let mut n = 0;
            for data in cases {
                insert_case(tx, data, counter, day, actor)?;
                n += 1;
            }
            Ok(n)
        })
    }

    pub fn case(&self, number: &CaseNumber) -> Result<CaseRecord, StoreError> {
        self.read(|db| read_case(db, number))
    }

    /// Cases, newest first, optionally of one status.
    pub fn list(&self, status: Option<Status>, limit: usize) -> Result<Vec<CaseSummary>, StoreError> {
        let limit = limit as i64;
        self.read(|db| match status {
            Some(s) => summaries(db, "listing cases", &format!("SELECT {SUMMARY_COLUMNS} FROM cases WHERE status = ?1 ORDER BY id DESC LIMIT ?2"), args![s.wire(), limit]),
            None => summaries(db, "listing cases", &format!("SELECT {SUMMARY_COLUMNS} FROM cases ORDER BY id DESC LIMIT ?1"), args![limit]),
        })
    }

    /// The cases in `status`, the longest waiting first (by their last change, which for a
    /// submitted case is its submission: a case returned and submitted again waits from then).
    pub fn waiting(&self, status: Status, limit: usize) -> Result<Vec<CaseSummary>, StoreError> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM cases WHERE status = ?1 ORDER BY updated_at, id LIMIT ?2");
        self.read(|db| summaries(db, "listing cases", &sql, args![status.wire(), limit as i64]))
    }

    /// Search as the clerk types: every whitespace-separated term must match a fragment of the
    /// organisation name or department, a USCC / ID / mobile prefix or fragment, the handler,
    /// the legal representative or an employee. Newest first, at most `limit`.
    pub fn search(&self, text: &str, limit: usize) -> Result<Vec<CaseSummary>, StoreError> {
        let terms = search::plan(text);
        if terms.is_empty() {
            return Ok(vec![]);
        }
        self.read(|db| {
            // one identifier-like term: a range scan of the identifier index
            if let [_] = terms.as_slice()
                && let Some(prefix) = search::identifier_prefix(text.trim())
            {
                let rows = search_identifier(db, &prefix, limit)?;
                if !rows.is_empty() {
                    return Ok(rows);
                }
            }
            let (ids, args) = search::case_ids(db.dialect(), &terms, limit);
            let query = format!("SELECT {SUMMARY_COLUMNS} FROM cases WHERE id IN ({ids}) ORDER BY id DESC");
            summaries(db, "searching cases", &query, &args)
        })
    }

    /// Runs `change` on case `number` inside one write transaction: the case as stored and the
    /// workflow's facts are read in that transaction, so what `change` checks is what it
    /// changes; `tx.at` is the time of the events it appends.
    fn write_case<T>(&mut self, number: &CaseNumber, change: impl FnOnce(&mut Tx<'_>, &CaseRecord, &CaseFacts) -> Result<T, ActError>) -> Result<T, ActError> {
        self.write(|tx| {
            let record = read_case(tx.db, number)?;
            let facts = facts_in(tx.db, &record)?;
            change(tx, &record, &facts)
        })
    }

    /// The case's events on the audit chain, oldest first.
    pub fn history(&self, number: &CaseNumber) -> Result<Vec<AuditEvent>, StoreError> {
        self.read(|db| audit::events_for_case(db, number))
    }

    /// What the workflow rules know about a case now.
    pub fn facts(&self, number: &CaseNumber) -> Result<(CaseRecord, CaseFacts), StoreError> {
        self.read(|db| {
            let record = read_case(db, number)?;
            let facts = facts_in(db, &record)?;
            Ok((record, facts))
        })
    }

    /// The newest event of `action` whose detail has `field` equal to `value` (e.g. the key
    /// generated for a case, found by its public key).
    pub fn find_event(&self, action: AuditAction, field: &str, value: &str) -> Result<Option<AuditEvent>, StoreError> {
        let number = self.read(|db| audit::find_case_of_event(db, action, field, value))?;
        let Some(Some(number)) = number else { return Ok(None) };
        let Ok(number) = CaseNumber::parse(&number) else { return Ok(None) };
        Ok(self.history(&number)?.into_iter().rev().find(|e| e.action == action && e.detail.get(field).and_then(|v| v.as_str()) == Some(value)))
    }

    /// Walks the audit chain and checks every case and file against it, on one snapshot; see
    /// [`audit`].
    pub fn verify_audit(&self) -> Result<VerifyReport, StoreError> {
        self.snapshot(audit::verify)
    }

    /// The audit chain exactly as stored, oldest first, with its recorded head (`store migrate`
    /// copies it verbatim to a hall).
    pub fn stored_chain(&self) -> Result<(Vec<audit::StoredEvent>, Option<String>), StoreError> {
        self.snapshot(audit::stored_chain)
    }

    /// `PRAGMA integrity_check`: "ok" or the first problems SQLite finds. (A hall's server
    /// checks its own pages: `NotOnHall`.)
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        let (conn, _) = self.file("SQLite's integrity check", "the server checks its own pages (data checksums, amcheck)")?;
        let mut stmt = conn.prepare("PRAGMA integrity_check").map_err(sql("checking integrity"))?;
        let rows: Vec<String> = stmt.query_map([], |r| r.get(0)).map_err(sql("checking integrity"))?.collect::<Result<_, _>>().map_err(sql("checking integrity"))?;
        Ok(rows.join("\n"))
    }

    pub fn count_cases(&self) -> Result<i64, StoreError> {
        self.read(|db| db.one("counting cases", "SELECT count(*) FROM cases", &[])?.int(0))
    }

    /// Appends an event that concerns no case (a key unlocked or wiped outside a case, a backup
    /// written). Events of a case are appended by the methods that check the case's rules.
    pub fn record_event(&mut self, ev: &NewEvent<'_>) -> Result<i64, StoreError> {
        if ev.case_number.is_some() {
            return Err(StoreError::Invalid("events of a case are recorded by the case's own methods".into()));
        }
        self.write(|tx| tx.append(ev))
    }
}

/// Cases with an identifier starting with `prefix` (already an `ident_key`), newest first
/// among the first `limit` matches in identifier order.
fn search_identifier(db: &mut dyn Sql, prefix: &str, limit: usize) -> Result<Vec<CaseSummary>, StoreError> {
    let upper = format!("{prefix}\u{7f}");
    let rows = db.rows("searching identifiers", "SELECT case_id FROM case_idents WHERE ident >= ?1 AND ident < ?2 LIMIT ?3", args![prefix, upper, (limit * 4) as i64])?;
    let mut ids = rows.iter().map(|r| r.int(0)).collect::<Result<Vec<i64>, _>>()?;
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids.dedup();
    ids.truncate(limit);
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    summaries(db, "searching identifiers", &format!("SELECT {SUMMARY_COLUMNS} FROM cases WHERE id IN ({list}) ORDER BY id DESC"), &[])
}

/// Why a workflow action was refused.
#[derive(Debug, thiserror::Error)]
pub enum ActError {
    #[error(transparent)]
    Rule(#[from] RuleError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the workflow rules need, read off the case, its audit history and its files.
pub fn case_facts(record: &CaseRecord, history: &[AuditEvent], files: &[AttachmentInfo]) -> CaseFacts {
    let approval_digest = workflow::approval_digest(&record.digest, files.iter().map(|f| (f.name.as_str(), f.sha256.as_str())));
    let mut facts = CaseFacts { status: Some(record.status), digest: record.digest.clone(), approval_digest, ..Default::default() };
    for ev in history {
        let file = || ev.detail.get("name").and_then(|n| n.as_str()).unwrap_or("");
        use AuditAction as A;
        let Some(action) = AuditAction::from_wire(&ev.action) else { continue };
        match action {
            A::Create => facts.shaped(&ev.actor, "created"),
            A::Accept => facts.shaped(&ev.actor, "accepted"),
            A::Submit => facts.shaped(&ev.actor, "submitted"),
            A::Edit => {
                facts.shaped(&ev.actor, "edited");
                facts.approved = None;
            }
            A::AttachmentAdded if workflow::covered_by_approval(file()) => facts.shaped(&ev.actor, "attached a file to"),
            A::SealImported => facts.shaped(&ev.actor, "imported the seal sheet of"),
            A::Approve => facts.approved = ev.detail.get("approval_digest").and_then(|d| d.as_str()).map(str::to_string),
            A::Return | A::Cancel => facts.approved = None,
            A::CertificateWritten => facts.key_written = true,
            // a supervisor allowed a second key for the case
            A::Reissue => facts.key_written = false,
            _ => {}
        }
    }
    facts
}

fn facts_in(db: &mut dyn Sql, record: &CaseRecord) -> Result<CaseFacts, StoreError> {
    let history = audit::events_for_case(db, &record.number)?;
    let files = files::list(db, &record.number)?;
    Ok(case_facts(record, &history, &files))
}

fn read_case(db: &mut dyn Sql, number: &CaseNumber) -> Result<CaseRecord, StoreError> {
    let r = db
        .row("reading a case", &format!("SELECT {CASE_COLUMNS} FROM cases WHERE number = ?1"), args![number.as_str()])?
        .ok_or_else(|| StoreError::CaseNotFound(number.to_string()))?;
    case_from_row(number, &r, 0)
}

/// The columns [`case_from_row`] reads, in its order.
pub(crate) const CASE_COLUMNS: &str = "status, data, digest, created_at, updated_at, created_by, updated_by";

/// A case from [`CASE_COLUMNS`] starting at column `at` of `r`.
pub(crate) fn case_from_row(number: &CaseNumber, r: &db::Row, at: usize) -> Result<CaseRecord, StoreError> {
    let (status_text, data_text, digest, created_at, updated_at, created_by, updated_by) =
        (r.text(at)?, r.text(at + 1)?, r.text(at + 2)?, r.text(at + 3)?, r.text(at + 4)?, r.text(at + 5)?, r.text(at + 6)?);
    let corrupt = |detail: String| StoreError::Corrupt { number: number.to_string(), detail };
    let status = Status::from_wire(&status_text).ok_or_else(|| corrupt(format!("unknown status {status_text:?}")))?;
    let data = CaseData::from_json(&data_text).map_err(|e| corrupt(e.to_string()))?;
    Ok(CaseRecord { number: number.clone(), status, data, digest, created_at, updated_at, created_by, updated_by })
}

/// Moves the stored status of a case, guarded by what it was read as.
fn set_status(tx: &mut Tx<'_>, record: &CaseRecord, to: Status) -> Result<(), StoreError> {
    let changed = tx.db.exec(
        "changing a case's status",
        "UPDATE cases SET status = ?1, updated_at = ?2 WHERE number = ?3 AND status = ?4 AND digest = ?5",
        args![to.wire(), tx.at.as_str(), record.number.as_str(), record.status.wire(), record.digest.as_str()],
    )?;
    if changed != 1 {
        return Err(StoreError::Invalid(format!("case {} changed while this action was prepared; try again", record.number)));
    }
    Ok(())
}

/// A file to keep with a case.
pub struct NewFile<'a> {
    pub name: &'a str,
    pub mime: &'a str,
    pub bytes: &'a [u8],
}

/// Which rule lets a file be kept with a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// The clerk's files (seal sheet, chosen seals, scans): only while the case is editable;
    /// covered by the approval, so an approved case goes back to review.
    Case,
    /// What the key desk keeps (the issued certificate): a key clerk on an approved case.
    KeyDesk,
}

impl Store {
    /// Takes a workflow action as `actor`: the state machine, the actor's roles, four-eyes
    /// (nobody who ever shaped the case approves it), a required reason and, for issuing, an
    /// approval of the current data and files are all checked in the transaction that writes.
    pub fn act(&mut self, number: &CaseNumber, action: Action, actor: &Actor, reason: Option<&str>) -> Result<CaseRecord, ActError> {
        self.act_with(number, action, actor, reason, ActNote::default())
    }

    /// [`Store::act`] with what the move records besides: a hand-over (`deliver`), the
    /// materials to follow (`submit`, `approve`).
    pub fn act_with(&mut self, number: &CaseNumber, action: Action, actor: &Actor, reason: Option<&str>, note: ActNote) -> Result<CaseRecord, ActError> {
        self.write_case(number, |tx, record, facts| {
            let to = status::next(record.status, action).map_err(StoreError::from)?;
            workflow::authorize(actor, action, facts, reason)?;
            set_status(tx, record, to)?;
            let detail = detail::CaseChange {
                from: Some(record.status.wire().into()),
                to: to.wire().into(),
                roles: Some(actor.roles.clone()),
                reason: reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_string),
                approval_digest: (action == Action::Approve).then(|| facts.approval_digest.clone()),
                files: None,
                handover: note.handover.clone(),
                to_follow: note.to_follow.clone(),
            };
            tx.append(&NewEvent {
                actor: &actor.name,
                action: action.into(),
                case_number: Some(&record.number),
                digest_before: Some(&record.digest),
                digest_after: Some(&record.digest),
                detail: detail::value_of(action.into(), &detail),
            })?;
            Ok(CaseRecord { status: to, updated_at: tx.at.clone(), ..record.clone() })
        })
    }

    /// Replaces the case data (already validated) as `actor`, a clerk; an approved case goes
    /// back to review.
    pub fn edit(&mut self, number: &CaseNumber, data: &CaseData, actor: &Actor) -> Result<CaseRecord, ActError> {
        self.write_case(number, |tx, record, facts| {
            let to = status::next(record.status, Action::Edit).map_err(StoreError::from)?;
            workflow::authorize(actor, Action::Edit, facts, None)?;
            let canonical = data.canonical_json();
            let digest = sha256_hex(canonical.as_bytes());
            let id = tx.db.one("reading a case", "SELECT id FROM cases WHERE number = ?1", args![record.number.as_str()])?.int(0)?;
            let org_name = data.organization.as_ref().map(|o| o.name.clone()).unwrap_or_default();
            let changed = tx.db.exec(
                "updating a case",
                "UPDATE cases SET status = ?1, data = ?2, digest = ?3, updated_at = ?4, updated_by = ?5, project = ?6, business = ?7,
                 cert_kind = ?8, org_name = ?9, handler_name = ?10 WHERE id = ?11 AND digest = ?12 AND status = ?13",
                args![
                    to.wire(),
                    canonical,
                    digest.as_str(),
                    tx.at.as_str(),
                    actor.name.as_str(),
                    data.project.as_str(),
                    data.business.wire(),
                    data.cert_kind.wire(),
                    org_name,
                    data.handler.name.as_str(),
                    id,
                    record.digest.as_str(),
                    record.status.wire()
                ],
            )?;
            if changed != 1 {
                return Err(StoreError::Invalid(format!("case {} changed while this edit was prepared; reload it", record.number)).into());
            }
            index_case(tx.db, id, record.number.as_str(), data, true)?;
            tx.append(&NewEvent {
                actor: &actor.name,
                action: AuditAction::Edit,
                case_number: Some(&record.number),
                digest_before: Some(&record.digest),
                digest_after: Some(&digest),
                detail: detail::value_of(AuditAction::Edit, &detail::CaseChange::moved(record.status, to)),
            })?;
            Ok(CaseRecord { status: to, data: data.clone(), digest, updated_at: tx.at.clone(), updated_by: actor.name.clone(), ..record.clone() })
        })
    }

    /// Keeps `files` with the case as `actor`, each recorded as `attachment_added`, and then
    /// `event` (e.g. the seal sheet's verdict) — all in one transaction, or nothing. Case files
    /// are accepted only while the case is editable (an approved case goes back to review);
    /// key-desk files only from a key clerk on a case whose approval holds.
    pub fn attach(&mut self, number: &CaseNumber, kind: FileKind, files: &[NewFile<'_>], event: Option<EventBody>, actor: &Actor) -> Result<Vec<AttachmentInfo>, ActError> {
        for f in files {
            files::check_file(f)?;
        }
        self.write_case(number, |tx, record, facts| {
            let to = match kind {
                FileKind::Case => workflow::authorize_attach(actor, facts)?,
                FileKind::KeyDesk => {
                    workflow::authorize_key_step(actor, facts, false)?;
                    record.status
                }
            };
            let mut out = Vec::new();
            for f in files {
                out.push(files::insert(tx, &record.number, f, &actor.name)?);
            }
            let evented = event.is_some();
            if let Some(mut body) = event {
                // the detail types of file events have `from` and `to` for this
                if to != record.status {
                    body.detail["from"] = record.status.wire().into();
                    body.detail["to"] = to.wire().into();
                }
                tx.append(&NewEvent::with_body(&actor.name, body).on_case(&record.number))?;
            }
            if to != record.status {
                set_status(tx, record, to)?;
                if !evented {
                    let detail = detail::CaseChange { files: Some(files.iter().map(|f| f.name.to_string()).collect()), ..detail::CaseChange::moved(record.status, to) };
                    tx.append(&NewEvent::new(&actor.name, AuditAction::FilesChanged, &detail).on_case(&record.number))?;
                }
            }
            Ok(out)
        })
    }

    /// Checks that `actor` may do a key-desk step on the case now (before touching a token).
    pub fn check_key_step(&self, number: &CaseNumber, actor: &Actor, new_key: bool) -> Result<CaseRecord, ActError> {
        let (record, facts) = self.facts(number)?;
        workflow::authorize_key_step(actor, &facts, new_key)?;
        Ok(record)
    }

    /// Records a key-desk step done on a token (`token_initialized`, `key_generated`,
    /// `certificate_written`, `seal_written`…), checking the rules again in the transaction
    /// that appends it. `certificate_written` on an approved case also moves it to key_issued.
    pub fn record_key_step(&mut self, number: &CaseNumber, actor: &Actor, body: EventBody, new_key: bool) -> Result<CaseRecord, ActError> {
        let action = body.action;
        if !action.is_key_step() {
            return Err(StoreError::Invalid(format!("{} is not a key-desk step", action.wire())).into());
        }
        self.write_case(number, |tx, record, facts| {
            workflow::authorize_key_step(actor, facts, new_key)?;
            tx.append(&NewEvent::with_body(&actor.name, body).on_case(&record.number))?;
            if action != AuditAction::CertificateWritten || record.status != Status::Approved {
                return Ok(record.clone());
            }
            let to = status::next(record.status, Action::IssueKey).map_err(StoreError::from)?;
            workflow::authorize(actor, Action::IssueKey, facts, None)?;
            set_status(tx, record, to)?;
            tx.append(&NewEvent {
                actor: &actor.name,
                action: AuditAction::IssueKey,
                case_number: Some(&record.number),
                digest_before: Some(&record.digest),
                digest_after: Some(&record.digest),
                detail: detail::value_of(AuditAction::IssueKey, &detail::CaseChange { roles: Some(actor.roles.clone()), ..detail::CaseChange::moved(record.status, to) }),
            })?;
            Ok(CaseRecord { status: to, updated_at: tx.at.clone(), ..record.clone() })
        })
    }

    /// Records a step done outside certdesk (a revocation in the CA's system, a mobile
    /// certificate activated) on an approved case whose approval still covers it, by an account
    /// with the step's role.
    pub fn confirm_step(&mut self, number: &CaseNumber, actor: &Actor, role: workflow::Role, confirmed: &detail::StepConfirmed) -> Result<(), ActError> {
        self.write_case(number, |tx, record, facts| {
            if !actor.has(role) {
                let needed = workflow::RoleList(vec![role]);
                return Err(RuleError::MissingRole { actor: actor.name.clone(), action: "step", needed, has: actor.roles.clone() }.into());
            }
            if !matches!(record.status, Status::Approved | Status::KeyIssued | Status::Delivered) {
                return Err(RuleError::NotApproved { status: record.status }.into());
            }
            if !facts.approval_holds() {
                return Err(RuleError::ApprovalVoid { approved: facts.approved.clone().unwrap_or_else(|| "never".into()), current: facts.approval_digest.clone() }.into());
            }
            tx.append(&NewEvent::new(&actor.name, AuditAction::StepDone, confirmed).on_case(&record.number))?;
            Ok(())
        })
    }

    /// A supervisor allows a second key for a case whose certificate was written (the first key
    /// lost or broken), with a reason; the approval still has to cover the data and files.
    pub fn reissue(&mut self, number: &CaseNumber, actor: &Actor, reason: &str) -> Result<(), ActError> {
        self.write_case(number, |tx, record, facts| {
            if !actor.has(workflow::Role::Supervisor) {
                let needed = workflow::RoleList(vec![workflow::Role::Supervisor]);
                return Err(RuleError::MissingRole { actor: actor.name.clone(), action: "reissue", needed, has: actor.roles.clone() }.into());
            }
            if reason.trim().is_empty() {
                return Err(RuleError::ReasonRequired { action: "reissue" }.into());
            }
            workflow::may_make_key(record.status)?;
            if !facts.key_written {
                return Err(StoreError::Invalid(format!("case {}: no certificate was written yet, so no reissue is needed", record.number)).into());
            }
            let detail = detail::Reissued { reason: reason.trim().into(), roles: actor.roles.clone() };
            tx.append(&NewEvent::new(&actor.name, AuditAction::Reissue, &detail).on_case(&record.number))?;
            Ok(())
        })
    }

    /// Records an event on a case that changes nothing in it (forms printed), by any signed-in
    /// account with a role, on an open case.
    pub fn note(&mut self, number: &CaseNumber, actor: &Actor, body: EventBody) -> Result<(), ActError> {
        self.write_case(number, |tx, record, _| {
            if actor.roles.is_empty() {
                return Err(ActError::Store(StoreError::Invalid(format!("{} has no role", actor.name))));
            }
            tx.append(&NewEvent::with_body(&actor.name, body).on_case(&record.number))?;
            Ok(())
        })
    }
}

fn insert_case(tx: &mut Tx<'_>, data: &CaseData, counter: &str, day: NaiveDate, actor: &str) -> Result<CaseRecord, StoreError> {
    let number = next_case_number(tx.db, counter, day)?;
    let canonical = data.canonical_json();
    let digest = sha256_hex(canonical.as_bytes());
    let org_name = data.organization.as_ref().map(|o| o.name.clone()).unwrap_or_default();
    let id = tx
        .db
        .one(
            "storing a case",
            "INSERT INTO cases (number, project, business, cert_kind, status, org_name, handler_name, data, digest, created_at, updated_at, created_by, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?11) RETURNING id",
            args![
                number.as_str(),
                data.project.as_str(),
                data.business.wire(),
                data.cert_kind.wire(),
                Status::Draft.wire(),
                org_name,
                data.handler.name.as_str(),
                canonical,
                digest.as_str(),
                tx.at.as_str(),
                actor
            ],
        )?
        .int(0)?;
    index_case(tx.db, id, number.as_str(), data, false)?;
    tx.append(&NewEvent {
        actor,
        action: AuditAction::Create,
        case_number: Some(&number),
        digest_before: None,
        digest_after: Some(&digest),
        detail: detail::value_of(AuditAction::Create, &detail::CaseChange::created()),
    })?;
    Ok(CaseRecord {
        number,
        status: Status::Draft,
        data: data.clone(),
        digest,
        created_at: tx.at.clone(),
        updated_at: tx.at.clone(),
        created_by: actor.to_string(),
        updated_by: actor.to_string(),
    })
}

/// The search rows of a case (identifiers, and the text the dialect's index takes), `replace`
/// those it had.
pub(crate) fn index_case(db: &mut dyn Sql, id: i64, number: &str, data: &CaseData, replace: bool) -> Result<(), StoreError> {
    if replace {
        for sql in search::unindex_statements(db.dialect()) {
            db.exec("re-indexing a case", sql, args![id])?;
        }
    }
    for ident in search::identifiers(number, data) {
        db.exec("indexing a case", "INSERT INTO case_idents (ident, case_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING", args![ident, id])?;
    }
    let fields = search::searchable_fields(number, data);
    for (sql, args) in search::index_rows(db.dialect(), id, &fields) {
        db.exec("indexing a case", sql, &args)?;
    }
    Ok(())
}
