//! The local case store: one SQLite file (WAL, foreign keys, synchronous=FULL). Owns every SQL
//! statement in certdesk; callers never see rusqlite types. Cases, case numbering, search,
//! settings and the audit chain live here. Does not validate case data (the domain does) nor
//! decide who may act (the workflow does), but every change to a case asks the workflow inside
//! the write transaction that makes it, on facts read in that transaction, and appends its audit
//! event there too (at a time taken under the write lock). Cases are named by parsed
//! `CaseNumber`s only, so one case has one history whatever way its number was typed.

#![warn(clippy::unwrap_used)]

pub mod accounts;
pub mod audit;
pub mod detail;
mod files;
pub mod private;
pub mod schema;
mod search;

pub use accounts::{Account, AuthError, Password};
pub use audit::{AuditAction, AuditEvent, BreakKind, ChainBreak, ChainWalk, NewEvent, StoredEvent, VerifyReport};
use certdesk_domain::workflow::{self, Actor, CaseFacts, RuleError};
pub use detail::{EventBody, EventDetail};
pub use files::{AttachmentInfo, BackupReport, CaseFilter, MAX_ATTACHMENT_BYTES, Restored};

use certdesk_domain::case::sha256_hex;
use certdesk_domain::status::{self, Action, TransitionError};
use certdesk_domain::{CaseData, CaseNumber, Status};
use chrono::{NaiveDate, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
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
    pub(crate) conn: Connection,
    pub(crate) path: PathBuf,
    _lock: StoreLock,
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

pub(crate) fn read_summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaseSummary> {
    Ok(CaseSummary {
        number: r.get(0)?,
        status: r.get(1)?,
        project: r.get(2)?,
        business: r.get(3)?,
        cert_kind: r.get(4)?,
        organization: r.get(5)?,
        handler: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
    })
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
        let mut store = Store { conn, path: path.to_path_buf(), _lock: lock };
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let known = schema::MIGRATIONS.len() as i64;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql("starting the migration"))?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql("reading the schema version"))?;
        if version > known {
            return Err(StoreError::TooNew { path: self.path.clone(), found: version, known });
        }
        for (i, m) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(m).map_err(sql("migrating the schema"))?;
            tx.pragma_update(None, "user_version", i as i64 + 1).map_err(sql("recording the schema version"))?;
        }
        tx.commit().map_err(sql("committing the migration"))
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional().map_err(sql("reading a setting"))
    }

    /// Sets a setting as an administrator, with an audit event naming them.
    pub fn set_setting(&mut self, key: &str, value: &str, actor: &Actor) -> Result<(), StoreError> {
        if !actor.has(workflow::Role::Admin) {
            return Err(StoreError::Invalid(format!("only an administrator changes settings; {} is not one", actor.name)));
        }
        let actor = actor.name.as_str();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql("starting a write"))?;
        let at = audit::clock(&tx)?;
        let before: Option<String> = tx.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional().map_err(sql("reading a setting"))?;
        tx.execute("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", params![key, value])
            .map_err(sql("writing a setting"))?;
        audit::append(&tx, &at, &NewEvent::new(actor, AuditAction::Setting, &detail::SettingChanged { key: key.into(), before, after: value.into() }))?;
        tx.commit().map_err(sql("committing a setting"))
    }

    /// Stores a new draft case with the next number of `counter` for `day`. The data must
    /// have been validated and normalised by the caller.
    pub fn create_case(&mut self, data: &CaseData, counter: &str, day: NaiveDate, actor: &Actor) -> Result<CaseRecord, ActError> {
        let roles = workflow::roles_for(Action::Accept);
        if !roles.iter().any(|r| actor.has(*r)) {
            return Err(RuleError::MissingRole { actor: actor.name.clone(), action: "create", needed: workflow::RoleList(roles.to_vec()), has: actor.roles.clone() }.into());
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql("starting a write"))?;
        let at = audit::clock(&tx)?;
        let record = insert_case(&tx, data, counter, day, &actor.name, &at)?;
        tx.commit().map_err(sql("committing the new case"))?;
        Ok(record)
    }

    /// Many cases in one transaction (bulk import, benchmarks); same rows and events as
    /// `create_case` one by one.
    pub fn create_cases<'a>(&mut self, cases: impl IntoIterator<Item = &'a CaseData>, counter: &str, day: NaiveDate, actor: &str) -> Result<usize, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql("starting a write"))?;
        let at = audit::clock(&tx)?;
        let mut n = 0;
        for data in cases {
            insert_case(&tx, data, counter, day, actor, &at)?;
            n += 1;
        }
        tx.commit().map_err(sql("committing the cases"))?;
        Ok(n)
    }

    pub fn case(&self, number: &CaseNumber) -> Result<CaseRecord, StoreError> {
        read_case(&self.conn, number)
    }

    /// Cases, newest first, optionally of one status.
    pub fn list(&self, status: Option<Status>, limit: usize) -> Result<Vec<CaseSummary>, StoreError> {
        let limit = limit as i64;
        let rows = match status {
            Some(s) => {
                let mut stmt =
                    self.conn.prepare_cached(&format!("SELECT {SUMMARY_COLUMNS} FROM cases WHERE status = ?1 ORDER BY id DESC LIMIT ?2")).map_err(sql("listing cases"))?;
                stmt.query_map(params![s.wire(), limit], read_summary).map_err(sql("listing cases"))?.collect::<Result<Vec<_>, _>>()
            }
            None => {
                let mut stmt = self.conn.prepare_cached(&format!("SELECT {SUMMARY_COLUMNS} FROM cases ORDER BY id DESC LIMIT ?1")).map_err(sql("listing cases"))?;
                stmt.query_map(params![limit], read_summary).map_err(sql("listing cases"))?.collect::<Result<Vec<_>, _>>()
            }
        };
        rows.map_err(sql("listing cases"))
    }

    /// Search as the clerk types: every whitespace-separated term must match a fragment of the
    /// organisation name or department, a USCC / ID / mobile prefix or fragment, the handler,
    /// the legal representative or an employee. Newest first, at most `limit`.
    /// The cases in `status`, the longest waiting first (by their last change, which for a
    /// submitted case is its submission: a case returned and submitted again waits from then).
    pub fn waiting(&self, status: Status, limit: usize) -> Result<Vec<CaseSummary>, StoreError> {
        let mut stmt =
            self.conn.prepare_cached(&format!("SELECT {SUMMARY_COLUMNS} FROM cases WHERE status = ?1 ORDER BY updated_at, id LIMIT ?2")).map_err(sql("listing cases"))?;
        let rows = stmt.query_map(params![status.wire(), limit as i64], read_summary).map_err(sql("listing cases"))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(sql("listing cases"))
    }

    pub fn search(&self, text: &str, limit: usize) -> Result<Vec<CaseSummary>, StoreError> {
        let terms = search::plan(text);
        if terms.is_empty() {
            return Ok(vec![]);
        }
        // one identifier-like term: a range scan of the identifier index
        if let [_] = terms.as_slice()
            && let Some(prefix) = search::identifier_prefix(text.trim())
        {
            let rows = self.search_identifier(&prefix, limit)?;
            if !rows.is_empty() {
                return Ok(rows);
            }
        }
        let mut conditions = Vec::new();
        let mut args: Vec<String> = Vec::new();
        for (i, term) in terms.iter().enumerate() {
            let (table, q) = match term {
                search::TermQuery::Trigram(q) => ("case_text", q),
                search::TermQuery::Grams(q) => ("case_grams", q),
            };
            conditions.push(format!("SELECT rowid FROM {table} WHERE {table} MATCH ?{}", i + 1));
            args.push(q.clone());
        }
        let ids = if conditions.len() == 1 {
            format!("{} ORDER BY rowid DESC LIMIT {limit}", conditions[0])
        } else {
            format!("SELECT rowid FROM ({}) ORDER BY rowid DESC LIMIT {limit}", conditions.join(" INTERSECT "))
        };
        let query = format!("SELECT {SUMMARY_COLUMNS} FROM cases WHERE id IN ({ids}) ORDER BY id DESC");
        let mut stmt = self.conn.prepare_cached(&query).map_err(sql("searching cases"))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), read_summary).map_err(sql("searching cases"))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(sql("searching cases"))
    }

    /// Cases with an identifier starting with `prefix` (already an `ident_key`), newest first
    /// among the first `limit` matches in identifier order.
    fn search_identifier(&self, prefix: &str, limit: usize) -> Result<Vec<CaseSummary>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT case_id FROM case_idents WHERE ident >= ?1 AND ident < ?2 LIMIT ?3").map_err(sql("searching identifiers"))?;
        let upper = format!("{prefix}\u{7f}");
        let mut ids: Vec<i64> = stmt
            .query_map(params![prefix, upper, (limit * 4) as i64], |r| r.get(0))
            .map_err(sql("searching identifiers"))?
            .collect::<Result<_, _>>()
            .map_err(sql("searching identifiers"))?;
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids.dedup();
        ids.truncate(limit);
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let mut stmt = self.conn.prepare(&format!("SELECT {SUMMARY_COLUMNS} FROM cases WHERE id IN ({list}) ORDER BY id DESC")).map_err(sql("searching identifiers"))?;
        let rows = stmt.query_map([], read_summary).map_err(sql("searching identifiers"))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(sql("searching identifiers"))
    }

    /// Runs `change` on case `number` inside one write transaction: the case as stored and the
    /// workflow's facts are read in that transaction, so what `change` checks is what it
    /// changes; `at` is the time of the events it appends.
    fn write_case<T>(&mut self, number: &CaseNumber, change: impl FnOnce(&rusqlite::Transaction<'_>, &CaseRecord, &CaseFacts, &str) -> Result<T, ActError>) -> Result<T, ActError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql("starting a write"))?;
        let at = audit::clock(&tx)?;
        let record = read_case(&tx, number)?;
        let facts = facts_in(&tx, &record)?;
        let out = change(&tx, &record, &facts, &at)?;
        tx.commit().map_err(sql("committing a change"))?;
        Ok(out)
    }

    /// The case's events on the audit chain, oldest first.
    pub fn history(&self, number: &CaseNumber) -> Result<Vec<AuditEvent>, StoreError> {
        audit::events_for_case(&self.conn, number)
    }

    /// What the workflow rules know about a case now.
    pub fn facts(&self, number: &CaseNumber) -> Result<(CaseRecord, CaseFacts), StoreError> {
        let record = read_case(&self.conn, number)?;
        let facts = facts_in(&self.conn, &record)?;
        Ok((record, facts))
    }

    /// The newest event of `action` whose detail has `field` equal to `value` (e.g. the key
    /// generated for a case, found by its public key).
    pub fn find_event(&self, action: AuditAction, field: &str, value: &str) -> Result<Option<AuditEvent>, StoreError> {
        let path = format!("$.{field}");
        let number: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT case_number FROM audit_events WHERE action = ?1 AND json_extract(detail, ?2) = ?3 ORDER BY seq DESC LIMIT 1",
                params![action.wire(), path, value],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql("searching events"))?;
        let Some(Some(number)) = number else { return Ok(None) };
        let Ok(number) = CaseNumber::parse(&number) else { return Ok(None) };
        Ok(self.history(&number)?.into_iter().rev().find(|e| e.action == action && e.detail.get(field).and_then(|v| v.as_str()) == Some(value)))
    }

    /// Walks the audit chain; see [`audit`].
    pub fn verify_audit(&self) -> Result<VerifyReport, StoreError> {
        audit::verify(&self.conn)
    }

    /// The audit chain exactly as stored, oldest first, with its recorded head (`store migrate`
    /// copies it verbatim to a hall).
    pub fn stored_chain(&self) -> Result<(Vec<audit::StoredEvent>, Option<String>), StoreError> {
        audit::stored_chain(&self.conn)
    }

    /// `PRAGMA integrity_check`: "ok" or the first problems SQLite finds.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check").map_err(sql("checking integrity"))?;
        let rows: Vec<String> = stmt.query_map([], |r| r.get(0)).map_err(sql("checking integrity"))?.collect::<Result<_, _>>().map_err(sql("checking integrity"))?;
        Ok(rows.join("\n"))
    }

    pub fn count_cases(&self) -> Result<i64, StoreError> {
        self.conn.query_row("SELECT count(*) FROM cases", [], |r| r.get(0)).map_err(sql("counting cases"))
    }

    /// Appends an event that concerns no case (a key unlocked or wiped outside a case, a backup
    /// written). Events of a case are appended by the methods that check the case's rules.
    pub fn record_event(&mut self, ev: &NewEvent<'_>) -> Result<i64, StoreError> {
        if ev.case_number.is_some() {
            return Err(StoreError::Invalid("events of a case are recorded by the case's own methods".into()));
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql("starting a write"))?;
        let at = audit::clock(&tx)?;
        let seq = audit::append(&tx, &at, ev)?;
        tx.commit().map_err(sql("committing an event"))?;
        Ok(seq)
    }
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

fn facts_in(conn: &Connection, record: &CaseRecord) -> Result<CaseFacts, StoreError> {
    let history = audit::events_for_case(conn, &record.number)?;
    let files = files::list(conn, &record.number)?;
    Ok(case_facts(record, &history, &files))
}

fn read_case(conn: &Connection, number: &CaseNumber) -> Result<CaseRecord, StoreError> {
    let row = conn
        .query_row("SELECT status, data, digest, created_at, updated_at, created_by, updated_by FROM cases WHERE number = ?1", [number.as_str()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
        })
        .optional()
        .map_err(sql("reading a case"))?
        .ok_or_else(|| StoreError::CaseNotFound(number.to_string()))?;
    let (status_text, data_text, digest, created_at, updated_at, created_by, updated_by) = row;
    let corrupt = |detail: String| StoreError::Corrupt { number: number.to_string(), detail };
    let status = Status::from_wire(&status_text).ok_or_else(|| corrupt(format!("unknown status {status_text:?}")))?;
    let data = CaseData::from_json(&data_text).map_err(|e| corrupt(e.to_string()))?;
    Ok(CaseRecord { number: number.clone(), status, data, digest, created_at, updated_at, created_by, updated_by })
}

/// Moves the stored status of a case, guarded by what it was read as.
fn set_status(tx: &rusqlite::Transaction<'_>, record: &CaseRecord, to: Status, at: &str) -> Result<(), StoreError> {
    let changed = tx
        .execute(
            "UPDATE cases SET status = ?1, updated_at = ?2 WHERE number = ?3 AND status = ?4 AND digest = ?5",
            params![to.wire(), at, record.number.as_str(), record.status.wire(), record.digest],
        )
        .map_err(sql("changing a case's status"))?;
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
        self.write_case(number, |tx, record, facts, at| {
            let to = status::next(record.status, action).map_err(StoreError::from)?;
            workflow::authorize(actor, action, facts, reason)?;
            set_status(tx, record, to, at)?;
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
            audit::append(
                tx,
                at,
                &NewEvent {
                    actor: &actor.name,
                    action: action.into(),
                    case_number: Some(&record.number),
                    digest_before: Some(&record.digest),
                    digest_after: Some(&record.digest),
                    detail: detail::value_of(action.into(), &detail),
                },
            )?;
            Ok(CaseRecord { status: to, updated_at: at.to_string(), ..record.clone() })
        })
    }

    /// Replaces the case data (already validated) as `actor`, a clerk; an approved case goes
    /// back to review.
    pub fn edit(&mut self, number: &CaseNumber, data: &CaseData, actor: &Actor) -> Result<CaseRecord, ActError> {
        self.write_case(number, |tx, record, facts, at| {
            let to = status::next(record.status, Action::Edit).map_err(StoreError::from)?;
            workflow::authorize(actor, Action::Edit, facts, None)?;
            let canonical = data.canonical_json();
            let digest = sha256_hex(canonical.as_bytes());
            let id: i64 = tx.query_row("SELECT id FROM cases WHERE number = ?1", [record.number.as_str()], |r| r.get(0)).map_err(sql("reading a case"))?;
            let org_name = data.organization.as_ref().map(|o| o.name.clone()).unwrap_or_default();
            let changed = tx
                .execute(
                    "UPDATE cases SET status = ?1, data = ?2, digest = ?3, updated_at = ?4, updated_by = ?5, project = ?6, business = ?7,
                     cert_kind = ?8, org_name = ?9, handler_name = ?10 WHERE id = ?11 AND digest = ?12 AND status = ?13",
                    params![
                        to.wire(),
                        canonical,
                        digest,
                        at,
                        actor.name,
                        data.project,
                        data.business.wire(),
                        data.cert_kind.wire(),
                        org_name,
                        data.handler.name,
                        id,
                        record.digest,
                        record.status.wire()
                    ],
                )
                .map_err(sql("updating a case"))?;
            if changed != 1 {
                return Err(StoreError::Invalid(format!("case {} changed while this edit was prepared; reload it", record.number)).into());
            }
            index_case(tx, id, record.number.as_str(), data, true)?;
            audit::append(
                tx,
                at,
                &NewEvent {
                    actor: &actor.name,
                    action: AuditAction::Edit,
                    case_number: Some(&record.number),
                    digest_before: Some(&record.digest),
                    digest_after: Some(&digest),
                    detail: detail::value_of(AuditAction::Edit, &detail::CaseChange::moved(record.status, to)),
                },
            )?;
            Ok(CaseRecord { status: to, data: data.clone(), digest, updated_at: at.to_string(), updated_by: actor.name.clone(), ..record.clone() })
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
        self.write_case(number, |tx, record, facts, at| {
            let to = match kind {
                FileKind::Case => workflow::authorize_attach(actor, facts)?,
                FileKind::KeyDesk => {
                    workflow::authorize_key_step(actor, facts, false)?;
                    record.status
                }
            };
            let mut out = Vec::new();
            for f in files {
                out.push(files::insert(tx, &record.number, f, at, &actor.name)?);
            }
            let evented = event.is_some();
            if let Some(mut body) = event {
                // the detail types of file events have `from` and `to` for this
                if to != record.status {
                    body.detail["from"] = record.status.wire().into();
                    body.detail["to"] = to.wire().into();
                }
                audit::append(tx, at, &NewEvent::with_body(&actor.name, body).on_case(&record.number))?;
            }
            if to != record.status {
                set_status(tx, record, to, at)?;
                if !evented {
                    let detail = detail::CaseChange { files: Some(files.iter().map(|f| f.name.to_string()).collect()), ..detail::CaseChange::moved(record.status, to) };
                    audit::append(tx, at, &NewEvent::new(&actor.name, AuditAction::FilesChanged, &detail).on_case(&record.number))?;
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
        self.write_case(number, |tx, record, facts, at| {
            workflow::authorize_key_step(actor, facts, new_key)?;
            audit::append(tx, at, &NewEvent::with_body(&actor.name, body).on_case(&record.number))?;
            if action != AuditAction::CertificateWritten || record.status != Status::Approved {
                return Ok(record.clone());
            }
            let to = status::next(record.status, Action::IssueKey).map_err(StoreError::from)?;
            workflow::authorize(actor, Action::IssueKey, facts, None)?;
            set_status(tx, record, to, at)?;
            audit::append(
                tx,
                at,
                &NewEvent {
                    actor: &actor.name,
                    action: AuditAction::IssueKey,
                    case_number: Some(&record.number),
                    digest_before: Some(&record.digest),
                    digest_after: Some(&record.digest),
                    detail: detail::value_of(AuditAction::IssueKey, &detail::CaseChange { roles: Some(actor.roles.clone()), ..detail::CaseChange::moved(record.status, to) }),
                },
            )?;
            Ok(CaseRecord { status: to, updated_at: at.to_string(), ..record.clone() })
        })
    }

    /// Records a step done outside certdesk (a revocation in the CA's system, a mobile
    /// certificate activated) on an approved case whose approval still covers it, by an account
    /// with the step's role.
    pub fn confirm_step(&mut self, number: &CaseNumber, actor: &Actor, role: workflow::Role, confirmed: &detail::StepConfirmed) -> Result<(), ActError> {
        self.write_case(number, |tx, record, facts, at| {
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
            audit::append(tx, at, &NewEvent::new(&actor.name, AuditAction::StepDone, confirmed).on_case(&record.number))?;
            Ok(())
        })
    }

    /// A supervisor allows a second key for a case whose certificate was written (the first key
    /// lost or broken), with a reason; the approval still has to cover the data and files.
    pub fn reissue(&mut self, number: &CaseNumber, actor: &Actor, reason: &str) -> Result<(), ActError> {
        self.write_case(number, |tx, record, facts, at| {
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
            audit::append(tx, at, &NewEvent::new(&actor.name, AuditAction::Reissue, &detail).on_case(&record.number))?;
            Ok(())
        })
    }

    /// Records an event on a case that changes nothing in it (forms printed), by any signed-in
    /// account with a role, on an open case.
    pub fn note(&mut self, number: &CaseNumber, actor: &Actor, body: EventBody) -> Result<(), ActError> {
        self.write_case(number, |tx, record, _, at| {
            if actor.roles.is_empty() {
                return Err(ActError::Store(StoreError::Invalid(format!("{} has no role", actor.name))));
            }
            audit::append(tx, at, &NewEvent::with_body(&actor.name, body).on_case(&record.number))?;
            Ok(())
        })
    }
}

fn insert_case(tx: &rusqlite::Transaction<'_>, data: &CaseData, counter: &str, day: NaiveDate, actor: &str, at: &str) -> Result<CaseRecord, StoreError> {
    certdesk_domain::number::check_counter_code(counter).map_err(|e| StoreError::Invalid(format!("counter code {counter:?}: {e}")))?;
    let day_key = day.format("%Y%m%d").to_string();
    let seq: u32 = tx
        .query_row(
            "INSERT INTO case_seq (counter, day, last) VALUES (?1, ?2, 1)
             ON CONFLICT (counter, day) DO UPDATE SET last = last + 1 RETURNING last",
            params![counter, day_key],
            |r| r.get(0),
        )
        .map_err(sql("numbering a case"))?;
    let number = CaseNumber::new(counter, day, seq);

    let canonical = data.canonical_json();
    let digest = sha256_hex(canonical.as_bytes());
    let org_name = data.organization.as_ref().map(|o| o.name.clone()).unwrap_or_default();
    tx.execute(
        "INSERT INTO cases (number, project, business, cert_kind, status, org_name, handler_name, data, digest, created_at, updated_at, created_by, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?11)",
        params![number.as_str(), data.project, data.business.wire(), data.cert_kind.wire(), Status::Draft.wire(), org_name, data.handler.name, canonical, digest, at, actor],
    )
    .map_err(sql("storing a case"))?;
    let id = tx.last_insert_rowid();
    index_case(tx, id, number.as_str(), data, false)?;
    audit::append(
        tx,
        at,
        &NewEvent {
            actor,
            action: AuditAction::Create,
            case_number: Some(&number),
            digest_before: None,
            digest_after: Some(&digest),
            detail: detail::value_of(AuditAction::Create, &detail::CaseChange::created()),
        },
    )?;
    Ok(CaseRecord {
        number,
        status: Status::Draft,
        data: data.clone(),
        digest,
        created_at: at.to_string(),
        updated_at: at.to_string(),
        created_by: actor.to_string(),
        updated_by: actor.to_string(),
    })
}

fn index_case(tx: &rusqlite::Transaction<'_>, id: i64, number: &str, data: &CaseData, replace: bool) -> Result<(), StoreError> {
    if replace {
        tx.execute("DELETE FROM case_text WHERE rowid = ?1", [id]).map_err(sql("re-indexing a case"))?;
        tx.execute("DELETE FROM case_grams WHERE rowid = ?1", [id]).map_err(sql("re-indexing a case"))?;
        tx.execute("DELETE FROM case_idents WHERE case_id = ?1", [id]).map_err(sql("re-indexing a case"))?;
    }
    {
        let mut stmt = tx.prepare_cached("INSERT OR IGNORE INTO case_idents (ident, case_id) VALUES (?1, ?2)").map_err(sql("indexing a case"))?;
        for ident in search::identifiers(number, data) {
            stmt.execute(params![ident, id]).map_err(sql("indexing a case"))?;
        }
    }
    let fields = search::searchable_fields(number, data);
    tx.prepare_cached("INSERT INTO case_text (rowid, body) VALUES (?1, ?2)")
        .and_then(|mut s| s.execute(params![id, search::trigram_body(&fields)]))
        .map_err(sql("indexing a case"))?;
    tx.prepare_cached("INSERT INTO case_grams (rowid, body) VALUES (?1, ?2)")
        .and_then(|mut s| s.execute(params![id, search::grams_body(&fields)]))
        .map_err(sql("indexing a case"))?;
    Ok(())
}
