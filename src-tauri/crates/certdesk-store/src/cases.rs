//! Cases as stored: numbering (per counter and local day), storing a validated case with its
//! search rows, reading one or a list, search, the history and the facts the workflow reads. Owns
//! those statements; changes to a stored case go through `act` (the workflow inside the write).

use crate::act::facts_in;
use crate::db::{Row, Sql, Tx, args};
use crate::refusal::Damage;
use crate::{ActError, AuditAction, AuditEvent, CaseRecord, CaseSummary, NewEvent, Store, StoreError, audit, db, detail, search};
use certdesk_domain::promise::ClockFacts;
use certdesk_domain::status::Action;
use certdesk_domain::workflow::{self, Actor, CaseFacts};
use certdesk_domain::{CaseData, CaseNumber, Status};
use chrono::NaiveDate;

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
    certdesk_domain::number::check_counter_code(counter).map_err(|why| StoreError::CounterCode { code: counter.to_string(), why })?;
    let day_key = day.format("%Y%m%d").to_string();
    let seq = db
        .one(
            "numbering a case",
            "INSERT INTO case_seq (counter, day, last) VALUES (?1, ?2, 1)
             ON CONFLICT (counter, day) DO UPDATE SET last = case_seq.last + 1 RETURNING last",
            args![counter, day_key.as_str()],
        )?
        .int(0)?;
    let seq = u32::try_from(seq).map_err(|_| StoreError::Internal { what: "a day's case sequence out of range", detail: format!("{counter} on {day_key}: {seq}") })?;
    Ok(CaseNumber::new(counter, day, seq))
}

impl Store {
    /// Stores a new draft case with the next number of `counter` for `day`. The data must
    /// have been validated and normalised by the caller.
    pub fn create_case(&mut self, data: &CaseData, counter: &str, day: NaiveDate, actor: &Actor) -> Result<CaseRecord, ActError> {
        actor.require("create", workflow::roles_for(Action::Accept))?;
        Ok(self.write(|tx| insert_case(tx, data, counter, day, actor.name()))?)
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

    pub fn count_cases(&self) -> Result<i64, StoreError> {
        self.read(|db| db.one("counting cases", "SELECT count(*) FROM cases", &[])?.int(0))
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

pub(crate) fn read_case(db: &mut dyn Sql, number: &CaseNumber) -> Result<CaseRecord, StoreError> {
    crate::reads::note(|r| r.cases += 1);
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
    let corrupt = |detail: Damage| StoreError::Corrupt { number: number.to_string(), detail: Box::new(detail) };
    let status = Status::from_wire(&status_text).ok_or_else(|| corrupt(Damage::UnknownStatus(status_text.clone())))?;
    let data = CaseData::from_json(&data_text).map_err(|e| corrupt(Damage::Data(e)))?;
    Ok(CaseRecord { number: number.clone(), status, data, digest, created_at, updated_at, created_by, updated_by })
}

fn insert_case(tx: &mut Tx<'_>, data: &CaseData, counter: &str, day: NaiveDate, actor: &str) -> Result<CaseRecord, StoreError> {
    let number = next_case_number(tx.db, counter, day)?;
    let canonical = data.canonical_json();
    let salt = crate::audit::new_salt();
    let digest = crate::audit::case_digest(Some(&salt), &canonical);
    let org_name = data.organization.as_ref().map(|o| o.name.clone()).unwrap_or_default();
    let id = tx
        .db
        .one(
            "storing a case",
            "INSERT INTO cases (number, project, business, cert_kind, status, org_name, handler_name, data, digest, created_at, updated_at, created_by, updated_by, salt)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?11, ?12) RETURNING id",
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
                actor,
                salt
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

/// The case's clock facts (#73) into its row, from its data, as every write of the data leaves
/// them.
fn write_clock(db: &mut dyn Sql, id: i64, number: &str, data: &CaseData) -> Result<(), StoreError> {
    let Some(facts) = CaseNumber::parse(number).ok().and_then(|n| ClockFacts::of(&n, data)) else {
        return Err(StoreError::Internal { what: "a case number without a day, for its clock", detail: number.to_string() });
    };
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    db.exec(
        "keeping a case's clock",
        "UPDATE cases SET channel = ?1, received_on = ?2, paid_on = ?3, to_follow = ?4, amount_fen = ?5 WHERE id = ?6",
        args![facts.channel.wire(), day(facts.received_on), facts.paid_on.map(day), i64::from(facts.to_follow), facts.amount.map(|m| m.fen()), id],
    )?;
    Ok(())
}

/// A day as the clock columns keep it (`YYYY-MM-DD`), read without chrono's format parser: the
/// due list reads two for each of many thousand cases.
pub(crate) fn iso_day(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| b[r].iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')));
    NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
}

/// A case on the clock (#73): what the due list shows of it and its clock facts.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockRow {
    pub number: String,
    pub project: String,
    pub business: String,
    pub status: Status,
    pub organization: String,
    pub facts: ClockFacts,
}

impl Store {
    /// Every case in a status on the clock (`certdesk_domain::promise::ON_THE_CLOCK`), with its
    /// clock facts, from the clock index alone (no case data read).
    pub fn clocks(&self) -> Result<Vec<ClockRow>, StoreError> {
        let statuses = certdesk_domain::promise::ON_THE_CLOCK.iter().map(|s| format!("'{}'", s.wire())).collect::<Vec<_>>().join(", ");
        let sql = format!("SELECT number, project, business, status, channel, received_on, paid_on, to_follow, org_name, amount_fen FROM cases WHERE status IN ({statuses})");
        self.read(|db| {
            let day =
                |number: &str, text: String| iso_day(&text).ok_or_else(|| StoreError::Corrupt { number: number.to_string(), detail: Box::new(Damage::ClockDay(text.clone())) });
            let mut out = Vec::new();
            db.each("reading the cases on the clock", &sql, &[], &mut |mut r| {
                let number = r.take_text(0)?;
                let corrupt = |detail: Damage| StoreError::Corrupt { number: number.clone(), detail: Box::new(detail) };
                let status = r.val(3)?;
                let status = match status {
                    crate::db::Val::Text(s) => Status::from_wire(s).ok_or_else(|| corrupt(Damage::ClockStatus(s.clone())))?,
                    other => return Err(corrupt(Damage::ClockStatusValue(other.into()))),
                };
                let channel = match r.val(4)? {
                    crate::db::Val::Text(s) if s == "post" => certdesk_domain::Channel::Post,
                    crate::db::Val::Text(s) if s == "counter" => certdesk_domain::Channel::Counter,
                    other => return Err(corrupt(Damage::Channel(other.into()))),
                };
                let facts = ClockFacts {
                    channel,
                    received_on: day(&number, r.take_text(5)?)?,
                    paid_on: r.opt_text(6)?.map(|t| day(&number, t)).transpose()?,
                    to_follow: u32::try_from(r.int(7)?).unwrap_or(0),
                    amount: r.opt_int(9)?.map(certdesk_domain::Money::from_fen),
                };
                out.push(ClockRow { status, project: r.take_text(1)?, business: r.take_text(2)?, organization: r.take_text(8)?, number, facts });
                Ok(true)
            })?;
            Ok(out)
        })
    }
}

/// The search rows of a case (identifiers, and the text the dialect's index takes), `replace`
/// those it had.
pub(crate) fn index_case(db: &mut dyn Sql, id: i64, number: &str, data: &CaseData, replace: bool) -> Result<(), StoreError> {
    if replace {
        for sql in search::unindex_statements(db.dialect()) {
            db.exec("re-indexing a case", sql, args![id])?;
        }
    }
    write_clock(db, id, number, data)?;
    for ident in search::identifiers(number, data) {
        db.exec("indexing a case", "INSERT INTO case_idents (ident, case_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING", args![ident, id])?;
    }
    let fields = search::searchable_fields(number, data);
    for (sql, args) in search::index_rows(db.dialect(), id, &fields) {
        db.exec("indexing a case", sql, &args)?;
    }
    Ok(())
}
