//! The write transaction of the hall. Owns how a change begins on PostgreSQL (the chain lock,
//! first thing), commits (a connection lost while committing is [`PgError::CommitUnknown`])
//! and how a consistent read (`verify`) takes one snapshot. The statements of the chain
//! itself (append, the head, case numbers) are the store's own, the same text on both back
//! ends (`crate::audit`, `crate::next_case_number`), run through `crate::db`.
//!
//! Every change is one transaction that first takes a transaction-scoped advisory lock
//! ([`CHAIN_LOCK`]) and only then reads the clock: the desks' writes are serialized in the
//! database like SQLite's `BEGIN IMMEDIATE` serializes the processes on one file, so the chain
//! stays one gapless chain whatever the number of desks, an event's time is never earlier than
//! the head's, and writers that all lock first cannot deadlock one another. Readers are not
//! blocked (MVCC). The lock ends with the transaction, so a desk whose connection dies holds
//! nothing. The chain is byte-identical on both back ends.

use super::{Hall, PgError, db};
use crate::db::{Pg, Tx};
use crate::{NewEvent, StoreError, VerifyReport};
use certdesk_domain::CaseNumber;
use chrono::NaiveDate;

/// The advisory lock key of the chain (`pg_advisory_xact_lock`): per database, so two halls
/// on one server do not wait for each other. The bytes of "certdesk" as a big-endian integer.
pub const CHAIN_LOCK: i64 = 0x6365_7274_6465_736b;

/// A change in progress: the transaction, holding the chain lock, and the time of its events.
pub struct WriteTx<'w, 'a> {
    tx: &'w mut Tx<'a>,
}

impl WriteTx<'_, '_> {
    /// The time of this change's events (RFC 3339, UTC, microseconds), as on SQLite.
    pub fn at(&self) -> &str {
        &self.tx.at
    }

    /// Appends one event to the chain; returns its seq.
    pub fn append(&mut self, ev: &NewEvent<'_>) -> Result<i64, StoreError> {
        self.tx.append(ev)
    }

    /// The next case number of `counter` on `day` (the counter's local day): the row of
    /// `case_seq` is created or incremented in one statement, which holds its row lock until
    /// the transaction ends, so two desks never get the same number, and a rolled-back change
    /// gives its number back (numbers stay gapless).
    pub fn next_case_number(&mut self, counter: &str, day: NaiveDate) -> Result<CaseNumber, StoreError> {
        crate::next_case_number(self.tx.db, counter, day)
    }
}

impl Hall {
    /// Begins the transaction of a change and takes the chain lock, first thing.
    pub(crate) fn begin(&mut self) -> Result<postgres::Transaction<'_>, PgError> {
        let mut tx = self.client.transaction().map_err(db("beginning a change"))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHAIN_LOCK]).map_err(db("waiting for the audit chain"))?;
        Ok(tx)
    }

    /// Runs `change` on the store's write transaction ([`Tx`]: the chain lock held, the clock
    /// read after it) and commits it. An error from `change` (or a connection lost before the
    /// commit) rolls everything back: no event, no number, no row.
    pub(crate) fn change<T, E: From<StoreError>>(&mut self, change: impl FnOnce(&mut Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        let mut prepared = std::mem::take(&mut self.prepared);
        let out = (|| {
            let mut tx = self.begin().map_err(StoreError::from)?;
            let out = {
                let mut pg = Pg { client: &mut tx, prepared: &mut prepared };
                let mut w = Tx::begin(&mut pg)?;
                change(&mut w)?
            };
            tx.commit().map_err(|source| {
                StoreError::from(if super::is_connection_lost(&source) { PgError::CommitUnknown { source } } else { PgError::Db { op: "committing a change", source } })
            })?;
            Ok(out)
        })();
        self.prepared = prepared;
        out
    }

    /// Runs `change` in one transaction holding the chain lock, and commits it (the hall's own
    /// tests drive the chain through this).
    pub fn write<T>(&mut self, change: impl FnOnce(&mut WriteTx<'_, '_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.change(|tx| change(&mut WriteTx { tx }))
    }

    /// The chain half of `audit verify`, in one snapshot: every event in order, linked,
    /// matching its hash, the head recorded in `settings`. Events are streamed, not loaded at
    /// once. (`Store::verify_audit` on a hall checks the cases and files too.)
    pub fn verify_chain(&mut self) -> Result<VerifyReport, StoreError> {
        self.snapshot(|db| crate::audit::verify_chain(db).map(|r| r.unwrap_or_else(|events| VerifyReport { ok: true, events, cases_checked: 0, first_break: None })))
    }

    /// Runs `read` in a read-only REPEATABLE READ transaction: one snapshot, whatever the
    /// other desks commit meanwhile.
    pub(crate) fn snapshot<T>(&mut self, read: impl FnOnce(&mut dyn crate::db::Sql) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut prepared = std::mem::take(&mut self.prepared);
        let out = (|| {
            let mut tx = self.client.build_transaction().read_only(true).isolation_level(postgres::IsolationLevel::RepeatableRead).start().map_err(db("reading a snapshot"))?;
            let out = read(&mut Pg { client: &mut tx, prepared: &mut prepared })?;
            tx.commit().map_err(db("reading a snapshot"))?;
            Ok(out)
        })();
        self.prepared = prepared;
        out
    }
}
