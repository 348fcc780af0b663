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

use super::{Hall, HallAddress, PgError, Warnings, db};
use crate::db::{Appended, Pg, Tx};
use crate::{NewEvent, StoreError, VerifyReport};
use certdesk_domain::CaseNumber;
use chrono::NaiveDate;
use std::time::Duration;

/// The advisory lock key of the chain (`pg_advisory_xact_lock`): per database, so two halls
/// on one server do not wait for each other. The bytes of "certdesk" as a big-endian integer.
pub const CHAIN_LOCK: i64 = 0x6365_7274_6465_736b;

/// How long a desk whose commit went unanswered tries to reach a server that takes writes and
/// waits for the chain lock there, in all, before it says the outcome cannot be known yet
/// (milliseconds).
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

/// How a change's COMMIT ended, before the store says what that means.
enum Committed {
    Done,
    /// the connection went while committing: the change may or may not be written
    Unanswered(postgres::Error),
    /// the server refused the COMMIT (nothing written)
    Refused(postgres::Error),
    /// it waited longer than the bound (for a synchronous standby) and was cancelled; the
    /// server's warnings, which say whether it had committed locally, and how the COMMIT ended
    Cancelled {
        warnings: Vec<String>,
        ended: Result<(), postgres::Error>,
    },
}

/// The transaction of a change, begun with the chain lock taken first, waiting for it at most
/// `bound` (every other lock of the change too): a commit that holds it longer is waiting for a
/// missing standby, or something is wrong; `Ok(None)` then, and the desk hears
/// [`PgError::WriteWait`] with nothing written rather than hang.
fn begin(client: &mut postgres::Client, bound: Duration) -> Result<Option<postgres::Transaction<'_>>, PgError> {
    let bound = format!("{}ms", bound.as_millis());
    let mut tx = client.transaction().map_err(db("beginning a change"))?;
    match tx.execute("SELECT set_config('lock_timeout', $2, true), pg_advisory_xact_lock($1)", &[&CHAIN_LOCK, &bound]) {
        Ok(_) => Ok(Some(tx)),
        Err(e) if e.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE) => Ok(None),
        Err(e) => Err(db("waiting for the audit chain")(e)),
    }
}

/// Commits `tx`, asking the server to stop waiting after `bound` (PostgreSQL makes the commit
/// locally, then waits for the synchronous standby; neither `statement_timeout` nor anything on
/// the server bounds that wait, so the client cancels it). The cancel goes on a connection of
/// its own from a watcher thread, which the commit waits for before it returns, so a late
/// cancel cannot hit the next statement.
fn commit_bounded(tx: postgres::Transaction<'_>, address: &HallAddress, warnings: &Warnings, bound: Duration) -> Committed {
    let token = tx.cancel_token();
    let take = || warnings.lock().map(|mut w| std::mem::take(&mut *w)).unwrap_or_default();
    let _ = take();
    let (ended, cancelled) = std::thread::scope(|scope| {
        let (done, wait) = std::sync::mpsc::channel::<()>();
        let watcher = scope.spawn(move || match wait.recv_timeout(bound) {
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                // a cancel that cannot be sent leaves the commit waiting: no worse than before
                let _ = Hall::cancel(address, &token);
                true
            }
            _ => false,
        });
        let ended = tx.commit();
        let _ = done.send(());
        (ended, watcher.join().unwrap_or(false))
    });
    match ended {
        Err(e) if super::is_connection_lost(&e) => Committed::Unanswered(e),
        ended if cancelled => Committed::Cancelled { warnings: take(), ended },
        Ok(()) => Committed::Done,
        Err(e) => Committed::Refused(e),
    }
}

/// A change's transaction ended: committed, or how it did not simply succeed.
enum Attempt<T> {
    Done(T),
    /// the chain lock not had within the bound: nothing written
    LockTimeout,
    Uncertain(T, Committed, Option<Appended>),
}

impl Hall {
    /// Whether some session's commit is waiting for a synchronous standby now (the reason a
    /// change may wait for the chain lock this long). Only sessions this role may see are
    /// counted: the desks' own, or every one with `pg_monitor`.
    fn commits_held_for_standby(&mut self) -> bool {
        self.client.query_one("SELECT count(*) > 0 FROM pg_stat_activity WHERE wait_event = 'SyncRep'", &[]).map(|r| r.get::<_, bool>(0)).unwrap_or(false)
    }

    /// Runs `change` on the store's write transaction ([`Tx`]: the chain lock held, the clock
    /// read after it) and commits it. An error from `change` (or a connection lost before the
    /// commit) rolls everything back: no event, no number, no row. A connection lost while
    /// committing leaves the outcome to be learnt: the change's last event is looked for on a
    /// new connection ([`Hall::settle`]); there, the change stands and its value is returned;
    /// not there, it is [`PgError::ConnectionLost`] (nothing written); when that cannot be
    /// learnt, [`PgError::CommitUnknown`]. A commit that waited longer than the address's
    /// `standby_wait` for a synchronous standby was cancelled and is looked for on this
    /// connection: there, it is [`PgError::StandbyWait`] (saved, unconfirmed: done once, and
    /// said); not there, [`PgError::WriteWait`] (nothing written), as is a change that waited
    /// that long for the chain lock.
    pub(crate) fn change<T, E: From<StoreError>>(&mut self, change: impl FnOnce(&mut Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        let mut prepared = std::mem::take(&mut self.prepared);
        let attempt = self.attempt(&mut prepared, change);
        self.prepared = prepared;
        let waited_s = self.address.standby_wait().as_secs();
        let outcome = match attempt? {
            Attempt::Done(out) => return Ok(out),
            Attempt::LockTimeout => return Err(E::from(PgError::WriteWait { waited_s, standby_missing: self.commits_held_for_standby() }.into())),
            Attempt::Uncertain(out, committed, appended) => {
                let outcome = match committed {
                    Committed::Unanswered(source) => match appended.map(|a| self.settle(&a)) {
                        Some(Ok(true)) => Ok(()),
                        Some(Ok(false)) => Err(PgError::ConnectionLost { op: "committing a change (the server did not commit it)", source }),
                        _ => Err(PgError::CommitUnknown { source }),
                    },
                    Committed::Cancelled { warnings, ended } => self.after_cancelled_commit(appended, warnings, ended),
                    Committed::Done => Ok(()),
                    Committed::Refused(source) => Err(PgError::Db { op: "committing a change", source }),
                };
                outcome.map(|()| out)
            }
        };
        outcome.map_err(|e| E::from(e.into()))
    }

    /// The change's transaction, up to its commit.
    fn attempt<T, E: From<StoreError>>(&mut self, prepared: &mut crate::db::Prepared, change: impl FnOnce(&mut Tx<'_>) -> Result<T, E>) -> Result<Attempt<T>, E> {
        let bound = self.address.standby_wait();
        let Some(mut tx) = begin(&mut self.client, bound).map_err(|e| E::from(e.into()))? else { return Ok(Attempt::LockTimeout) };
        let (out, appended) = {
            let mut pg = Pg { client: &mut tx, prepared };
            let mut w = Tx::begin(&mut pg)?;
            let out = change(&mut w)?;
            (out, w.appended.take())
        };
        Ok(match commit_bounded(tx, &self.address, &self.warnings, bound) {
            Committed::Done => Attempt::Done(out),
            committed => Attempt::Uncertain(out, committed, appended),
        })
    }

    /// A commit cancelled after the bound: what the server did, from its warning and the
    /// change's last event looked for on this connection (the commit has ended, so a change it
    /// made is visible). Found and warned: saved on this server, not confirmed by a standby
    /// ([`PgError::StandbyWait`]). Found without a warning: the wait had ended by itself as the
    /// cancel came; the change stands. Not found: nothing written ([`PgError::WriteWait`]).
    fn after_cancelled_commit(&mut self, appended: Option<Appended>, warnings: Vec<String>, ended: Result<(), postgres::Error>) -> Result<(), PgError> {
        let waited_s = self.address.standby_wait().as_secs();
        let warning = warnings.join("; ");
        let saved = |what: String, hall: &Hall| PgError::StandbyWait { what, server: hall.server(), waited_s, warning: warning.clone() };
        let Some(appended) = appended else {
            // a change without an event: only the server's word is there
            return match (ended, warnings.is_empty()) {
                (Ok(()), true) => Ok(()),
                (Ok(()), false) => Err(saved("the change".into(), self)),
                (Err(source), _) => Err(PgError::Db { op: "committing a change", source }),
            };
        };
        let op = "looking for a change whose commit was cancelled";
        let found: Option<String> = match self.client.query_opt("SELECT hash FROM audit_events WHERE seq = $1", &[&appended.seq]) {
            Ok(row) => row.map(|r| r.get(0)),
            Err(e) => return Err(db(op)(e)),
        };
        match (found.as_deref() == Some(appended.hash.as_str()), warnings.is_empty()) {
            (true, true) => Ok(()),
            (true, false) => Err(saved(appended.what, self)),
            (false, _) => Err(PgError::WriteWait { waited_s, standby_missing: !warnings.is_empty() }),
        }
    }

    /// Whether the change whose last event is `appended` was committed, after its commit went
    /// unanswered: asked on a new connection (which replaces the lost one) once the chain lock
    /// is free, since the lost transaction holds it until the server has committed or rolled
    /// it back. After a failover the new connection is to the promoted server, which has the
    /// change if its commit had reached it; while no server takes writes yet, the desk keeps
    /// trying. Waiting longer than [`SETTLE_WAIT_MS`] in all (no writable server, a server that
    /// has not yet noticed the desk is gone) is an error: the outcome cannot be known yet.
    fn settle(&mut self, appended: &Appended) -> Result<bool, PgError> {
        let deadline = std::time::Instant::now() + Duration::from_millis(SETTLE_WAIT_MS);
        *self = loop {
            match self.connect_again() {
                Ok(hall) => break hall,
                Err(PgError::NoWritableServer { .. } | PgError::Connect { .. }) if std::time::Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
                Err(e) => return Err(e),
            }
        };
        let left = deadline.saturating_duration_since(std::time::Instant::now()).max(Duration::from_millis(500));
        let op = "looking for a change whose commit went unanswered";
        let mut tx = self.client.transaction().map_err(db(op))?;
        tx.batch_execute(&format!("SET LOCAL lock_timeout = {}", left.as_millis())).map_err(db(op))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHAIN_LOCK]).map_err(db(op))?;
        let found: Option<String> = tx.query_opt("SELECT hash FROM audit_events WHERE seq = $1", &[&appended.seq]).map_err(db(op))?.map(|r| r.get(0));
        tx.rollback().map_err(db(op))?;
        Ok(found.as_deref() == Some(appended.hash.as_str()))
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
        self.snapshot(|db| {
            crate::audit::verify_chain(db)
                .map(|r| r.unwrap_or_else(|events| VerifyReport { ok: true, events, cases_checked: 0, first_break: None, signatures: Default::default() }))
        })
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
