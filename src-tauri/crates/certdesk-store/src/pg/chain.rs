//! The write transaction of the hall. Owns how a change begins on PostgreSQL (the chain lock,
//! first thing), commits (a connection lost while committing: the change's last event looked
//! for on a new connection, so the desk learns whether it was written) and how a consistent
//! read (`verify`) takes one snapshot. The statements of the chain
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

/// How long a desk whose commit went unanswered waits for the chain lock before it says the
/// outcome cannot be known yet (milliseconds).
pub const SETTLE_WAIT_MS: u64 = 5000;

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
        crate::cases::next_case_number(self.tx.db, counter, day)
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
    /// commit) rolls everything back: no event, no number, no row. A connection lost while
    /// committing leaves the outcome to be learnt: the change's last event is looked for on a
    /// new connection ([`Hall::settle`]); there, the change stands and its value is returned;
    /// not there, it is [`PgError::ConnectionLost`] (nothing written); when that cannot be
    /// learnt, [`PgError::CommitUnknown`].
    pub(crate) fn change<T, E: From<StoreError>>(&mut self, change: impl FnOnce(&mut Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        let failed = |e: StoreError| Err(E::from(e));
        let mut prepared = std::mem::take(&mut self.prepared);
        // Err(Ok(..)): the commit went unanswered, with the change's value and last event
        type Unanswered<T> = (T, postgres::Error, Option<(i64, String)>);
        let attempt: Result<T, Result<Unanswered<T>, E>> = (|| {
            let mut tx = self.begin().map_err(|e| failed(e.into()))?;
            let (out, appended) = {
                let mut pg = Pg { client: &mut tx, prepared: &mut prepared };
                let mut w = Tx::begin(&mut pg).map_err(failed)?;
                let out = change(&mut w).map_err(Err)?;
                (out, w.appended.take())
            };
            match tx.commit() {
                Ok(()) => Ok(out),
                Err(source) if super::is_connection_lost(&source) => Err(Ok((out, source, appended))),
                Err(source) => Err(failed(PgError::Db { op: "committing a change", source }.into())),
            }
        })();
        self.prepared = prepared;
        match attempt {
            Ok(out) => Ok(out),
            Err(Err(e)) => Err(e),
            Err(Ok((out, source, appended))) => match appended.map(|(seq, hash)| self.settle(seq, &hash)) {
                Some(Ok(true)) => Ok(out),
                Some(Ok(false)) => Err(E::from(PgError::ConnectionLost { op: "committing a change (the server did not commit it)", source }.into())),
                _ => Err(E::from(PgError::CommitUnknown { source }.into())),
            },
        }
    }

    /// Whether the change whose last event was `seq` with `hash` was committed, after its
    /// commit went unanswered: asked on a new connection (which replaces the lost one) once the
    /// chain lock is free, since the lost transaction holds it until the server has committed
    /// or rolled it back. Waiting longer than [`SETTLE_WAIT_MS`] (a server that has not yet
    /// noticed the desk is gone) is an error: the outcome cannot be known yet.
    fn settle(&mut self, seq: i64, hash: &str) -> Result<bool, PgError> {
        *self = self.connect_again()?;
        let op = "looking for a change whose commit went unanswered";
        let mut tx = self.client.transaction().map_err(db(op))?;
        tx.batch_execute(&format!("SET LOCAL lock_timeout = {SETTLE_WAIT_MS}")).map_err(db(op))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHAIN_LOCK]).map_err(db(op))?;
        let found: Option<String> = tx.query_opt("SELECT hash FROM audit_events WHERE seq = $1", &[&seq]).map_err(db(op))?.map(|r| r.get(0));
        tx.rollback().map_err(db(op))?;
        Ok(found.as_deref() == Some(hash))
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
