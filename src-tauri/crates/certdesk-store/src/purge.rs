//! Retention, legal hold and purge (#30, docs/design-privacy.md §7). Owns the cases' retention
//! facts (`cases.retention_from`/`retention_basis`, kept by the events that change them), the
//! legal holds (`case_holds`, a supervisor's, on the chain as `case_hold` and
//! `case_hold_released`) and the purge: a due case's personal data removed from the case, its
//! search rows, its files and its events' personal parts, in one transaction per case, with a
//! `purged` event; then the physical clean-up. Not the rule of when a case is due
//! (`certdesk_domain::retention`) nor what is personal in a case (`certdesk_domain::purge`).

use crate::act::ActError;
use crate::cases::{index_case, read_case};
use crate::db::{Dialect, Sql, Tx, args};
use crate::refusal::Damage;
use crate::{AuditAction, NewEvent, Store, StoreError, StoredEvent, audit, detail};
use certdesk_domain::retention::{self, Basis, RetentionFacts, RetentionYears};
use certdesk_domain::workflow::{self, Actor, Role};
use certdesk_domain::{CaseNumber, purge};
use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use serde::Serialize;

/// The actions whose events change a case's retention basis.
const RETENTION_ACTIONS: &[AuditAction] =
    &[AuditAction::Close, AuditAction::Cancel, AuditAction::CertificateImported, AuditAction::CertificateWritten, AuditAction::EncryptionImported];

/// The setting of the retention years.
pub const RETENTION_YEARS: &str = "retention_years";

/// Sets `cases.retention_from`/`retention_basis` of case `number` in the transaction that
/// appended `action`: its retention facts read off its events, the basis chosen by the domain
/// (`retention::basis`), the SQL only keeping the answer for the due list's index. (Migration 8
/// filled the columns once, for the cases of a store made before them.)
pub(crate) fn refresh_retention(db: &mut dyn Sql, action: AuditAction, number: &str) -> Result<(), StoreError> {
    if !RETENTION_ACTIONS.contains(&action) {
        return Ok(());
    }
    let not_after = audit::json_of(db.dialect(), "detail", "not_after");
    let wires = RETENTION_ACTIONS.iter().map(|a| format!("'{}'", a.wire())).collect::<Vec<_>>().join(", ");
    let rows = db.rows(
        "reading the case's retention facts",
        &format!("SELECT action, at, {not_after} FROM audit_events WHERE case_number = ?1 AND action IN ({wires}) ORDER BY seq"),
        args![number],
    )?;
    let mut facts = RetentionFacts::default();
    for r in rows {
        let (action, at, not_after) = (r.text(0)?, r.text(1)?, r.opt_text(2)?);
        let time = |text: &str| {
            instant(text).ok_or_else(|| StoreError::Corrupt { number: number.to_string(), detail: Box::new(Damage::EventTime { action: action.clone(), text: text.to_string() }) })
        };
        match AuditAction::from_wire(&action) {
            Some(AuditAction::Close) => facts.closed_at = Some(time(&at)?),
            Some(AuditAction::Cancel) => facts.cancelled_at = Some(time(&at)?),
            // a certificate whose expiry was not recorded (or not as a time) sets no basis
            _ => facts.certificate_expiries.extend(not_after.as_deref().and_then(instant)),
        }
    }
    let (basis, from) = match retention::basis(&facts) {
        Some((basis, from)) => (Some(basis.wire()), Some(from.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))),
        None => (None, None),
    };
    db.exec("keeping the case's retention", "UPDATE cases SET retention_basis = ?1, retention_from = ?2 WHERE number = ?3", args![basis, from, number])?;
    Ok(())
}

/// A case on legal hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct HeldCase {
    pub number: String,
    pub reason: String,
    pub held_by: String,
}

/// A case past its retention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DueCase {
    pub number: String,
    /// `certificate_expiry`, `closed` or `cancelled`
    #[ts(type = "'certificate_expiry' | 'closed' | 'cancelled'")]
    pub basis: Basis,
    /// the basis's local day and the retention's last day (due the day after)
    #[ts(type = "string")]
    pub from: NaiveDate,
    #[ts(type = "string")]
    pub end: NaiveDate,
}

/// A due case the purge left: one of its events no longer matches its hash (edited outside
/// certdesk), so what the purge would redact of it cannot be vouched for. `audit verify` names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct RefusedCase {
    pub number: String,
    pub events: Vec<i64>,
    pub reason: String,
}

/// What `store purge` found and did (the JSON of design §7.5, plus `refused`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct PurgeReport {
    #[ts(type = "string")]
    pub today: NaiveDate,
    pub years: u32,
    /// past retention, not held (on a real run: those purged and those refused)
    pub due: Vec<DueCase>,
    /// past retention and kept by a legal hold
    pub held: Vec<HeldCase>,
    /// purged by this run (empty on a dry run)
    pub purged: Vec<String>,
    pub attachments_emptied: i64,
    /// events whose personal part was removed, or that were redacted in place (written before
    /// #30 with personal data in their hashed text, or holding the case's plain digests)
    pub events_redacted: i64,
    /// due but left: an event of the case was edited outside certdesk
    pub refused: Vec<RefusedCase>,
    /// unfinished intake forms (drafts, not cases) last saved before the retention years
    pub drafts_removed: u64,
}

/// The retention years set (`retention_years`), else the least the law allows.
fn years_in(db: &mut dyn Sql) -> Result<RetentionYears, StoreError> {
    let set = db.row("reading a setting", "SELECT value FROM settings WHERE key = ?1", args![RETENTION_YEARS])?.map(|r| r.text(0)).transpose()?;
    Ok(set.and_then(|v| RetentionYears::parse(&v).ok()).unwrap_or(RetentionYears::DEFAULT))
}

/// The instant a case's retention counts from, as stored (RFC 3339).
fn instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

/// The cases past retention on `today` (the counter's local day) and those a hold keeps.
fn due_in(db: &mut dyn Sql, today: NaiveDate, years: RetentionYears) -> Result<(Vec<DueCase>, Vec<HeldCase>), StoreError> {
    // a coarse bound by the index (a day to spare for the time zone), decided exactly below
    let bound = today.checked_sub_months(Months::new(12 * years.get())).and_then(|d| d.checked_add_days(Days::new(2))).unwrap_or(today);
    let rows = db.rows(
        "finding cases past retention",
        "SELECT c.number, c.retention_basis, c.retention_from, h.reason, h.held_by FROM cases c LEFT JOIN case_holds h ON h.case_number = c.number
         WHERE c.purged_at IS NULL AND c.retention_from IS NOT NULL AND c.retention_from < ?1 ORDER BY c.id",
        args![bound.format("%Y-%m-%d").to_string()],
    )?;
    let (mut due, mut held) = (Vec::new(), Vec::new());
    for r in rows {
        let (number, basis, from) = (r.text(0)?, r.opt_text(1)?, r.text(2)?);
        let Some(at) = instant(&from) else { return Err(StoreError::Corrupt { number, detail: Box::new(Damage::RetentionTime(from)) }) };
        let facts = match basis.as_deref().and_then(Basis::from_wire) {
            Some(Basis::CertificateExpiry) => RetentionFacts { certificate_expiries: vec![at], ..Default::default() },
            Some(Basis::Closed) => RetentionFacts { closed_at: Some(at), ..Default::default() },
            _ => RetentionFacts { cancelled_at: Some(at), ..Default::default() },
        };
        let Some(r_) = retention::retention(&facts, years, &chrono::Local) else { continue };
        if !r_.is_due(today) {
            continue;
        }
        match (r.opt_text(3)?, r.opt_text(4)?) {
            (Some(reason), Some(held_by)) => held.push(HeldCase { number, reason, held_by }),
            _ => due.push(DueCase { number, basis: r_.basis, from: r_.from, end: r_.end }),
        }
    }
    Ok((due, held))
}

/// What a purge redacts in place of case `number`'s events (#30, design §7.4): the personal
/// fields an event written before #30 hashed in plain and, for a case stored before the salted
/// digests (`salted` false), its plain case digests and the approval digests made from them.
/// Each event that needs it, as it will be stored; none when nothing is to redact.
fn redactions_of(events: &[StoredEvent], salted: bool) -> Vec<StoredEvent> {
    let mut out = Vec::new();
    for ev in events {
        let Some(action) = AuditAction::from_wire(&ev.action) else { continue };
        let Ok(serde_json::Value::Object(mut detail)) = serde_json::from_str::<serde_json::Value>(&ev.detail) else { continue };
        let mut redacted = ev.clone();
        if !ev.is_v2() {
            for f in detail::personal_fields(action) {
                detail.remove(*f);
            }
        }
        if !salted {
            detail.remove("approval_digest");
            redacted.digest_before = None;
            redacted.digest_after = None;
        }
        redacted.detail = serde_json::Value::Object(detail).to_string();
        // an event is rewritten only where something goes: its JSON as written otherwise
        let same_detail = serde_json::from_str::<serde_json::Value>(&ev.detail).ok() == serde_json::from_str::<serde_json::Value>(&redacted.detail).ok();
        if same_detail {
            redacted.detail.clone_from(&ev.detail);
        }
        if !same_detail || redacted.digest_before != ev.digest_before || redacted.digest_after != ev.digest_after {
            out.push(redacted);
        }
    }
    out
}

/// The events of case `number` that no longer match their hash (edited outside certdesk).
fn edited_events(events: &[StoredEvent]) -> Vec<i64> {
    events.iter().filter(|e| e.computed_hash() != e.hash).map(|e| e.seq).collect()
}

/// Purges one due case in the write transaction `tx`; how many files and events it emptied.
fn purge_case(tx: &mut Tx<'_>, due: &DueCase, years: RetentionYears, actor: &str) -> Result<(i64, i64), StoreError> {
    let number = CaseNumber::parse(&due.number).map_err(|e| StoreError::Corrupt { number: due.number.clone(), detail: Box::new(Damage::Number(e)) })?;
    let record = read_case(tx.db, &number)?;
    let row = tx.db.one("reading a case", "SELECT id, purged_at FROM cases WHERE number = ?1", args![number.as_str()])?;
    let (id, purged_at) = (row.int(0)?, row.opt_text(1)?);
    let held = tx.db.row("reading the case's hold", "SELECT reason FROM case_holds WHERE case_number = ?1", args![number.as_str()])?;
    if purged_at.is_some() || held.is_some() {
        return Ok((0, 0));
    }
    let events = audit::stored_events_of_case(tx.db, number.as_str())?;
    if !edited_events(&events).is_empty() {
        return Err(StoreError::EditedOutside { number: number.to_string() });
    }
    let salted = tx.db.one("reading a case", "SELECT salt FROM cases WHERE id = ?1", args![id])?.opt_text(0)?.is_some();
    let (redacted, fields) = purge::redact(&record.data);
    let canonical = redacted.canonical_json();
    // a new salt: nothing links the redacted case's digest to the digests of what it held
    let salt = crate::audit::new_salt();
    let digest = crate::audit::case_digest(Some(&salt), &canonical);
    let changed = tx.db.exec(
        "purging a case",
        "UPDATE cases SET data = ?1, digest = ?2, handler_name = '', purged_at = ?3, updated_at = ?3, updated_by = ?4, salt = ?7 WHERE id = ?5 AND digest = ?6",
        args![canonical, digest.as_str(), tx.at.as_str(), actor, id, record.digest.as_str(), salt],
    )?;
    if changed != 1 {
        return Err(StoreError::ChangedMeanwhile { number: number.to_string(), during: crate::refusal::Meanwhile::Purge });
    }
    index_case(tx.db, id, number.as_str(), &redacted, true)?;
    let seqs: Vec<i64> = tx
        .db
        .rows(
            "reading the case's personal data",
            "SELECT p.seq FROM audit_personal p WHERE p.seq IN (SELECT e.seq FROM audit_events e WHERE e.case_number = ?1) ORDER BY p.seq",
            args![number.as_str()],
        )?
        .iter()
        .map(|r| r.int(0))
        .collect::<Result<_, _>>()?;
    tx.db.exec(
        "purging the case's personal data",
        "DELETE FROM audit_personal WHERE seq IN (SELECT e.seq FROM audit_events e WHERE e.case_number = ?1)",
        args![number.as_str()],
    )?;
    let files: Vec<String> = tx
        .db
        .rows("reading the case's files", "SELECT name FROM attachments WHERE case_number = ?1 AND purged_at IS NULL ORDER BY id", args![number.as_str()])?
        .iter()
        .map(|r| r.text(0))
        .collect::<Result<_, _>>()?;
    tx.db.exec(
        "emptying the case's files",
        "UPDATE attachments SET bytes = ?1, purged_at = ?2 WHERE case_number = ?3 AND purged_at IS NULL",
        args![&[][..], tx.at.as_str(), number.as_str()],
    )?;
    // the case's earlier events hashed what is now gone: each is rewritten to what is left and
    // the hash of that form recorded by the `purged` event below (after the case is marked
    // purged: the store's trigger allows it for a purged case's events only)
    let mut forms = Vec::new();
    for ev in redactions_of(&events, salted) {
        tx.db.exec(
            "redacting the case's events",
            "UPDATE audit_events SET detail = ?1, digest_before = ?2, digest_after = ?3 WHERE seq = ?4",
            args![ev.detail.as_str(), ev.digest_before.as_deref(), ev.digest_after.as_deref(), ev.seq],
        )?;
        forms.push(detail::RedactedEvent { seq: ev.seq, form: ev.redacted_form() });
    }
    let redacted_events = forms.len() as i64;
    let purged = detail::Purged {
        basis: serde_json::to_value(due.basis).ok().and_then(|b| b.as_str().map(str::to_string)).unwrap_or_default(),
        retention_from: due.from.to_string(),
        retention_end: due.end.to_string(),
        years: years.get(),
        fields,
        attachments: files.clone(),
        personal_events: seqs.clone(),
        redacted: (!forms.is_empty()).then_some(forms),
    };
    tx.append(&NewEvent {
        actor,
        action: AuditAction::Purged,
        case_number: Some(&number),
        // a digest of before the salt is a plain hash of the data just removed
        digest_before: salted.then_some(record.digest.as_str()),
        digest_after: Some(&digest),
        detail: detail::value_of(AuditAction::Purged, &purged),
    })?;
    Ok((files.len() as i64, seqs.len() as i64 + redacted_events))
}

impl Store {
    /// A supervisor puts case `number` on legal hold with a reason (`case_hold`): it is never
    /// purged while held.
    pub fn hold(&mut self, number: &CaseNumber, actor: &Actor, reason: &str) -> Result<(), ActError> {
        self.write_case(number, |tx, record, _| {
            workflow::authorize_hold(actor, Some(reason))?;
            let row = tx.db.one("reading a case", "SELECT purged_at FROM cases WHERE number = ?1", args![record.number.as_str()])?;
            if row.opt_text(0)?.is_some() {
                return Err(StoreError::PurgedAlready { number: record.number.to_string() }.into());
            }
            if let Some(r) = tx.db.row("reading the case's hold", "SELECT reason, held_by FROM case_holds WHERE case_number = ?1", args![record.number.as_str()])? {
                return Err(StoreError::HeldAlready { number: record.number.to_string(), by: r.text(1)?, reason: r.text(0)? }.into());
            }
            let reason = reason.trim();
            tx.db.exec(
                "holding a case",
                "INSERT INTO case_holds (case_number, reason, held_by, held_at) VALUES (?1, ?2, ?3, ?4)",
                args![record.number.as_str(), reason, actor.name(), tx.at.as_str()],
            )?;
            let hold = detail::CaseHold { reason: Some(reason.into()), roles: actor.roles().to_vec() };
            tx.append(&NewEvent::new(actor.name(), AuditAction::Hold, &hold).on_case(&record.number))?;
            Ok(())
        })
    }

    /// A supervisor releases the legal hold of case `number` (`case_hold_released`).
    pub fn release_hold(&mut self, number: &CaseNumber, actor: &Actor) -> Result<(), ActError> {
        self.write_case(number, |tx, record, _| {
            workflow::authorize_hold(actor, None)?;
            if tx.db.exec("releasing a case's hold", "DELETE FROM case_holds WHERE case_number = ?1", args![record.number.as_str()])? != 1 {
                return Err(StoreError::NotHeld { number: record.number.to_string() }.into());
            }
            let release = detail::CaseHold { reason: None, roles: actor.roles().to_vec() };
            tx.append(&NewEvent::new(actor.name(), AuditAction::ReleaseHold, &release).on_case(&record.number))?;
            Ok(())
        })
    }

    /// The hold of case `number`, if it is held.
    pub fn case_hold(&self, number: &CaseNumber) -> Result<Option<HeldCase>, StoreError> {
        self.read(|db| {
            db.row("reading the case's hold", "SELECT case_number, reason, held_by FROM case_holds WHERE case_number = ?1", args![number.as_str()])?
                .map(|r| Ok(HeldCase { number: r.text(0)?, reason: r.text(1)?, held_by: r.text(2)? }))
                .transpose()
        })
    }

    /// When case `number`'s personal data was purged, if it was.
    pub fn purged_at(&self, number: &CaseNumber) -> Result<Option<String>, StoreError> {
        self.read(|db| db.one("reading a case", "SELECT purged_at FROM cases WHERE number = ?1", args![number.as_str()])?.opt_text(0))
    }

    /// Purges, as an administrator, the personal data of every case past its retention on
    /// `today` (the counter's local day) and not held: each case in one transaction of its
    /// own (an interrupted purge leaves whole cases purged or not; running it again finishes),
    /// then the physical clean-up (FTS5 `optimize` and a WAL truncate on a file, `VACUUM` on a
    /// hall). A case's events written before #30 are redacted in place, their redacted forms
    /// recorded on the chain; a case with an event edited outside certdesk is left and named
    /// (`refused`). `dry_run` lists and writes nothing.
    pub fn purge(&mut self, today: NaiveDate, dry_run: bool, actor: &Actor) -> Result<PurgeReport, StoreError> {
        if !actor.has(Role::Admin) {
            return Err(StoreError::AdminOnly { what: "purges personal data past its retention", who: actor.name().to_string() });
        }
        let (years, due, held) = self.snapshot(|db| {
            let years = years_in(db)?;
            let (due, held) = due_in(db, today, years)?;
            Ok((years, due, held))
        })?;
        let mut report = PurgeReport { today, years: years.get(), due, held, purged: vec![], attachments_emptied: 0, events_redacted: 0, refused: vec![], drafts_removed: 0 };
        for d in &report.due {
            let edited = self.read(|db| audit::stored_events_of_case(db, &d.number).map(|e| edited_events(&e)))?;
            if !edited.is_empty() {
                let reason = "its events do not match their hashes: they were edited outside certdesk (run audit verify)".to_string();
                report.refused.push(RefusedCase { number: d.number.clone(), events: edited, reason });
            }
        }
        if dry_run {
            return Ok(report);
        }
        for d in report.due.clone() {
            if report.refused.iter().any(|r| r.number == d.number) {
                continue;
            }
            let (files, events) = self.write(|tx| purge_case(tx, &d, years, actor.name()))?;
            report.purged.push(d.number.clone());
            report.attachments_emptied += files;
            report.events_redacted += events;
        }
        // an intake form left unfinished for the retention years is forgotten too
        let cutoff = today.checked_sub_months(Months::new(12 * years.get())).unwrap_or(today);
        report.drafts_removed = self.write_scratch("removing old drafts", "DELETE FROM drafts WHERE updated_at < ?1", args![cutoff.format("%Y-%m-%d").to_string()])?;
        if !report.purged.is_empty() || report.drafts_removed > 0 {
            self.clean_up_after_purge()?;
        }
        Ok(report)
    }
}

/// The statements of the physical clean-up after a purge, by back end (design §7.6).
pub(crate) fn clean_up_statements(dialect: Dialect) -> &'static [&'static str] {
    match dialect {
        Dialect::Sqlite => &["INSERT INTO case_text (case_text) VALUES ('optimize')", "INSERT INTO case_grams (case_grams) VALUES ('optimize')", "PRAGMA wal_checkpoint(TRUNCATE)"],
        Dialect::Postgres => &["VACUUM (ANALYZE) cases, attachments, case_text, case_idents, audit_events, audit_personal, case_holds"],
    }
}
