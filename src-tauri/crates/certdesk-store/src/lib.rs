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
//!
//! By concern: `open` (the back ends, the locks, the read/write seam), `cases` (numbering,
//! storing, reading, search), `act` (every change to a stored case, with its rules' facts),
//! `settings`, `accounts`, `purge` (retention, legal holds, purge), `audit` (the chain, its walk and verify), `files` (files kept with
//! a case, lists, drafts, backups and restore), `migrate` (a file into a hall), `pg` (the
//! hall's connection, schema and chain lock); this file holds the shared types and errors.
//!
//! The seam: the rules are written once over a private `Sql` trait (run a statement, read rows)
//! with one body per back end; statements are written once (`?1` placeholders, `$1` on
//! PostgreSQL) and the few that differ (search, JSON fields, blob digests) ask the dialect. Every
//! write is `Store::write` → `Tx`: the write lock first (`BEGIN IMMEDIATE`, or the hall's
//! advisory chain lock), then the clock. SQLite is SQLCipher's build: plain and encrypted files
//! (`keys`, `encrypted`, `key_files`, `journal`, `attempts`). The hall (`pg`): an address
//! without password, one or several servers tried in order for the one that takes writes, TLS
//! with the hall's CA for any server but this computer, a lost connection said as
//! 服务器连接中断 and no server taking writes as 服务器切换中, a commit's wait for a synchronous
//! standby bounded, the servers' status for `store status`. File backups, restore and the
//! integrity check answer `StoreError::NotOnHall` on a hall. The hall's multi-process tests
//! (`tests/hall.rs`, `lost_commit.rs`, `tls.rs`) run on a throwaway cluster
//! (scripts/pg-cluster.sh).

#![warn(clippy::unwrap_used)]

pub mod accounts;
mod act;
pub mod attempts;
pub mod audit;
mod cases;
mod db;
pub mod detail;
mod encrypted;
mod files;
pub mod journal;
mod key_files;
pub mod keys;
mod migrate;
mod open;
pub mod payments;
pub mod pg;
pub mod private;
mod purge;
pub mod reads;
pub mod refusal;
pub mod schema;
mod search;
mod settings;
pub mod sign_ins;
pub mod staff_keys;

pub use accounts::{Account, AuthError, Password};
pub use act::{ActError, ActNote, AllowedMove, FileKind, HistoryCheck, LoadedCase, NewFile, StepWrite, allowed_move, approval_in_force, case_facts, event_cert};
pub use audit::{AuditAction, AuditEvent, AuditFilter, BreakKind, ChainBreak, ChainWalk, NewEvent, StoredEvent, VerifyReport};
pub use cases::ClockRow;
pub use detail::{EventBody, EventDetail};
pub use encrypted::{PendingEncrypt, StoreState, Unlock};
pub use files::{AttachmentInfo, BackupReport, CaseFilter, MAX_ATTACHMENT_BYTES, Restored};
#[doc(hidden)]
pub use files::{CrashPoint, crash_at};
pub use key_files::{PendingRekey, Rekeyed};
pub use migrate::Migrated;
pub use open::{Store, cipher_version};
pub use purge::{DueCase, HeldCase, PurgeReport, RETENTION_YEARS, RefusedCase};
pub use settings::{SECRET_SET, is_secret};
pub use sign_ins::SignIn;

use certdesk_domain::status::TransitionError;
use certdesk_domain::{CaseData, CaseNumber, Status};
use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
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
    Corrupt { number: String, detail: Box<refusal::Damage> },
    /// The case changed between the action's read and its write (another desk, another
    /// window): nothing was written.
    #[error("case {number} changed while {during}")]
    ChangedMeanwhile { number: String, during: refusal::Meanwhile },
    /// The day moved while it was signed off: nothing was written.
    #[error("{0}")]
    DayMoved(refusal::DayMoved),
    /// A legal hold asked of a case whose personal data is purged already.
    #[error("case {number}: its personal data was purged already; there is nothing left to hold")]
    PurgedAlready { number: String },
    #[error("case {number} is on hold already (by {by}: {reason})")]
    HeldAlready { number: String, by: String, reason: String },
    #[error("case {number} is not on hold")]
    NotHeld { number: String },
    /// An event of the case was edited outside certdesk (the chain's digest does not hold).
    #[error("case {number}: an event of it was edited outside certdesk; run audit verify")]
    EditedOutside { number: String },
    #[error("no bank credit {id}")]
    NoBankCredit { id: String },
    #[error("case {number} is already paid by another bank credit")]
    PaidByAnother { number: String },
    /// An account with no role asked to act on a case.
    #[error("{name} has no role")]
    NoRole { name: String },
    #[error("attachment name {name:?} must be 1–120 printable characters")]
    AttachmentName { name: String },
    #[error("{name} is {size} bytes; at most {limit} are kept with a case")]
    AttachmentTooLarge { name: String, size: usize, limit: usize },
    #[error("a draft is at most {limit} bytes")]
    DraftTooLarge { limit: usize },
    #[error("the draft is not JSON: {0}")]
    DraftNotJson(#[source] serde_json::Error),
    /// A search bound that is no RFC 3339 time.
    #[error("{text:?} is not an RFC 3339 time")]
    NotAnInstant { text: String },
    #[error("counter code {code:?}: {why}")]
    CounterCode { code: String, why: &'static str },
    #[error(transparent)]
    Retention(#[from] certdesk_domain::retention::RetentionError),
    /// A file given as a store or a backup that is not one.
    #[error("{}", why.describe(path))]
    NotAStore { path: PathBuf, why: refusal::NotAStore },
    #[error("{path} exists already; a backup never overwrites a file")]
    BackupExists { path: PathBuf },
    /// The restore's staged copy vanished while the restore waited for the store.
    #[error("the restore's copy {path} was removed while it waited: nothing was replaced; restore again")]
    RestoreCopyGone { path: PathBuf },
    /// An encrypted backup's key.
    #[error("{}", why.describe(backup))]
    BackupKey { backup: PathBuf, why: refusal::BackupKeyRefusal },
    /// `store encrypt`'s or `store rekey`'s copy does not check: the plain store is left as it was.
    #[error("{0}: the plain store is left as it was")]
    CopyCheck(refusal::CopyCheck),
    #[error("{path} is not a certdesk journal ({why}): move it away, then open the store again")]
    NotAJournal { path: PathBuf, why: refusal::NotAJournal },
    /// An interrupted `store encrypt` or `rekey` whose files are both gone.
    #[error("{operation} was interrupted and neither the store {store} nor its plain copy is there: the journal {journal} is left as it is; restore the last backup")]
    JournalStranded { operation: &'static str, store: PathBuf, journal: PathBuf },
    /// A store file to move into a hall that this build has not brought to its schema.
    #[error("{path} has schema {found}; open it once with this build (any command) to bring it to {known}, then migrate")]
    NotMigratable { path: PathBuf, found: i64, known: i64 },
    #[error("the hall {address} is not empty ({events} event(s), {cases} case(s), {accounts} account(s)): a store moves only into an empty hall")]
    HallNotEmpty { address: String, events: i64, cases: i64, accounts: i64 },
    #[error("the hall {address} does not verify after the copy: {what}")]
    HallCopyDiffers { address: String, what: String },
    /// The desks' role granted on a store file (it is a hall's).
    #[error("{what} is a hall's: this store is a file")]
    HallOnly { what: &'static str },
    /// A path that SQLite cannot be given (not UTF-8).
    #[error("{path} is not a UTF-8 path")]
    PathNotUtf8 { path: PathBuf },
    /// certdesk's own expectation broken (a bug, or a store edited outside certdesk); never the
    /// user's input.
    #[error("internal: {what}{}", if detail.is_empty() { String::new() } else { format!(" ({detail})") })]
    Internal { what: &'static str, detail: String },
    /// Only an administrator does this (#75: a role refusal is its own kind, never `invalid`).
    #[error("only an administrator {what}; {who} is not one")]
    AdminOnly { what: &'static str, who: String },
    /// The day is signed off already (日结).
    #[error("{day} is closed already (日结已完成)")]
    DayClosed { day: String },
    /// Another process holds the store file a restore or a rekey needs alone.
    #[error("another certdesk process has {} open (the app or a command): close it, then try again (a restore or a rekey needs the store alone)", .0.display())]
    Busy(PathBuf),
    #[error("{what} was cancelled; nothing was written")]
    Cancelled { what: &'static str },
    /// The database server of a hall: among others 服务器连接中断 (`PgError::ConnectionLost`).
    #[error(transparent)]
    Server(Box<pg::PgError>),
    /// What only a store file has (file backups, restore, SQLite's integrity check), asked of a
    /// hall, whose server keeps its own backups.
    #[error("{what} is not on a hall: {instead}")]
    NotOnHall { what: &'static str, instead: &'static str },
    /// An encrypted store file asked for without an account (#30).
    #[error("the store {path} is encrypted: give --as USER --password-file F, or CERTDESK_USER and CERTDESK_PASSWORD_FILE")]
    Encrypted { path: PathBuf },
    /// An encrypted store's key file or recovery key (#30).
    #[error(transparent)]
    Keys(#[from] keys::KeyError),
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

    /// Whether no server of the hall takes writes now (服务器切换中: a failover under way):
    /// nothing was written; the desk keeps what was typed and tries again.
    pub fn is_no_writable_server(&self) -> bool {
        matches!(self, StoreError::Server(e) if matches!(**e, pg::PgError::NoWritableServer { .. }))
    }

    /// Whether the change was saved on the hall's primary but no synchronous standby confirmed
    /// it within the bound: done (do not do it again), and the hall's standby is missing.
    pub fn is_standby_wait(&self) -> bool {
        matches!(self, StoreError::Server(e) if matches!(**e, pg::PgError::StandbyWait { .. }))
    }

    /// Whether the change was given up after waiting the bound (for the write lock, or its
    /// commit for a standby) with nothing written: try again later.
    pub fn is_write_wait(&self) -> bool {
        matches!(self, StoreError::Server(e) if matches!(**e, pg::PgError::WriteWait { .. }))
    }
}

/// Set to ask a long store operation (a backup) to stop; it stops at its next step and leaves
/// nothing behind.
pub type CancelFlag = std::sync::Arc<std::sync::atomic::AtomicBool>;

/// Maps a rusqlite error with what the store was doing.
pub(crate) fn sql(op: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |source| StoreError::Sqlite { op, source }
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

pub(crate) fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}
