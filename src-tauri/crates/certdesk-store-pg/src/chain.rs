//! The write transaction of the hall and the audit chain in it. Owns every SQL statement that
//! appends to `audit_events`, moves the chain head (`settings.audit_head`) and hands out case
//! numbers (`case_seq`), and the chain-only half of `verify` on PostgreSQL.
//!
//! Every change is one transaction that first takes a transaction-scoped advisory lock
//! ([`CHAIN_LOCK`]) and only then reads the clock: the desks' writes are serialized in the
//! database like SQLite's `BEGIN IMMEDIATE` serializes the processes on one file, so the chain
//! stays one gapless chain whatever the number of desks, an event's time is never earlier than
//! the head's, and writers that all lock first cannot deadlock one another. Readers are not
//! blocked (MVCC). The lock ends with the transaction, so a desk whose connection dies holds
//! nothing. The hashing is `certdesk_store`'s own ([`NewEvent::seal`], [`ChainWalk`]): the chain
//! is byte-identical on both back ends.

use crate::{Hall, PgError, db};
use certdesk_domain::CaseNumber;
use certdesk_store::audit::{GENESIS, HEAD_KEY, head_value};
use certdesk_store::{ChainWalk, NewEvent, StoredEvent, VerifyReport};
use chrono::NaiveDate;

/// The advisory lock key of the chain (`pg_advisory_xact_lock`): per database, so two halls
/// on one server do not wait for each other. The bytes of "certdesk" as a big-endian integer.
pub const CHAIN_LOCK: i64 = 0x6365_7274_6465_736b;

/// A change in progress: the transaction, holding the chain lock, and the time of its events.
pub struct WriteTx<'a> {
    pub(crate) tx: postgres::Transaction<'a>,
    at: String,
}

impl Hall {
    /// Runs `change` in one transaction holding the chain lock, and commits it. An error from
    /// `change` (or a connection lost before the commit) rolls everything back: no event, no
    /// number, no row.
    pub fn write<T>(&mut self, change: impl FnOnce(&mut WriteTx<'_>) -> Result<T, PgError>) -> Result<T, PgError> {
        let mut tx = self.client.transaction().map_err(db("beginning a change"))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHAIN_LOCK]).map_err(db("waiting for the audit chain"))?;
        let at = clock(&mut tx)?;
        let mut w = WriteTx { tx, at };
        let out = change(&mut w)?;
        w.tx.commit().map_err(|source| if crate::is_connection_lost(&source) { PgError::CommitUnknown { source } } else { PgError::Db { op: "committing a change", source } })?;
        Ok(out)
    }

    /// The chain half of `audit verify`: every event in order, linked, matching its hash, the
    /// head recorded in `settings`. (Case data, statuses and files: not yet, see
    /// `docs/pg-hall.md`.) Events are streamed, not loaded at once.
    pub fn verify_chain(&mut self) -> Result<VerifyReport, PgError> {
        let mut tx = self.client.build_transaction().read_only(true).isolation_level(postgres::IsolationLevel::RepeatableRead).start().map_err(db("reading the audit chain"))?;
        let mut walk = ChainWalk::default();
        let broken = |walk: &ChainWalk, brk| Ok(VerifyReport { ok: false, events: walk.events(), cases_checked: 0, first_break: Some(brk) });
        {
            let mut rows = tx.query_raw(&format!("{SELECT_EVENT} ORDER BY seq"), std::iter::empty::<i32>()).map_err(db("reading the audit chain"))?;
            use postgres::fallible_iterator::FallibleIterator;
            while let Some(row) = rows.next().map_err(db("reading the audit chain"))? {
                let ev = stored(&row).map_err(db("reading an audit event"))?;
                if let Err(brk) = walk.step(&ev) {
                    return broken(&walk, brk);
                }
            }
        }
        let head: Option<String> = tx.query_opt("SELECT value FROM settings WHERE key = $1", &[&HEAD_KEY]).map_err(db("reading the audit head"))?.map(|r| r.get(0));
        tx.commit().map_err(db("reading the audit chain"))?;
        if let Err(brk) = walk.finish(head.as_deref()) {
            return broken(&walk, brk);
        }
        Ok(VerifyReport { ok: true, events: walk.events(), cases_checked: 0, first_break: None })
    }
}

const SELECT_EVENT: &str = "SELECT seq, at, actor, action, case_number, digest_before, digest_after, detail, prev_hash, hash FROM audit_events";

fn stored(r: &postgres::Row) -> Result<StoredEvent, postgres::Error> {
    Ok(StoredEvent {
        seq: r.try_get(0)?,
        at: r.try_get(1)?,
        actor: r.try_get(2)?,
        action: r.try_get(3)?,
        case_number: r.try_get(4)?,
        digest_before: r.try_get(5)?,
        digest_after: r.try_get(6)?,
        detail: r.try_get(7)?,
        prev_hash: r.try_get(8)?,
        hash: r.try_get(9)?,
    })
}

/// Now, or the head's time when this machine's clock reads earlier (it is behind the other
/// desks' or was set back): read under the chain lock, so sequence and time agree.
fn clock(tx: &mut postgres::Transaction<'_>) -> Result<String, PgError> {
    let last: Option<String> = tx.query_opt("SELECT at FROM audit_events ORDER BY seq DESC LIMIT 1", &[]).map_err(db("reading the audit head"))?.map(|r| r.get(0));
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    Ok(match last {
        Some(last) if last > now => last,
        _ => now,
    })
}

impl WriteTx<'_> {
    /// The time of this change's events (RFC 3339, UTC, microseconds), as on SQLite.
    pub fn at(&self) -> &str {
        &self.at
    }

    /// Appends one event to the chain; returns its seq.
    pub fn append(&mut self, ev: &NewEvent<'_>) -> Result<i64, PgError> {
        let (last_seq, prev): (i64, String) = self
            .tx
            .query_opt("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1", &[])
            .map_err(db("reading the audit head"))?
            .map(|r| (r.get(0), r.get(1)))
            .unwrap_or((0, GENESIS.to_string()));
        let e = ev.seal(last_seq + 1, &self.at, &prev);
        self.tx
            .execute(
                "INSERT INTO audit_events (seq, at, actor, action, case_number, digest_before, digest_after, detail, prev_hash, hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[&e.seq, &e.at, &e.actor, &e.action, &e.case_number, &e.digest_before, &e.digest_after, &e.detail, &e.prev_hash, &e.hash],
            )
            .map_err(db("appending an audit event"))?;
        self.tx
            .execute("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", &[&HEAD_KEY, &head_value(e.seq, &e.hash)])
            .map_err(db("recording the audit head"))?;
        Ok(e.seq)
    }

    /// The next case number of `counter` on `day` (the counter's local day). The row of
    /// `case_seq` is created or incremented in one statement, which holds its row lock until
    /// the transaction ends: two desks never get the same number, and a rolled-back change
    /// gives its number back (numbers stay gapless).
    pub fn next_case_number(&mut self, counter: &str, day: NaiveDate) -> Result<CaseNumber, PgError> {
        certdesk_domain::number::check_counter_code(counter).map_err(|e| PgError::Invalid(format!("counter code {counter:?}: {e}")))?;
        let day_key = day.format("%Y%m%d").to_string();
        let row = self
            .tx
            .query_one(
                "INSERT INTO case_seq (counter, day, last) VALUES ($1, $2, 1)
                 ON CONFLICT (counter, day) DO UPDATE SET last = case_seq.last + 1 RETURNING last",
                &[&counter, &day_key],
            )
            .map_err(db("numbering a case"))?;
        let seq: i32 = row.get(0);
        let seq = u32::try_from(seq).map_err(|_| PgError::Invalid(format!("case_seq of {counter} on {day_key} is {seq}")))?;
        Ok(CaseNumber::new(counter, day, seq))
    }
}
