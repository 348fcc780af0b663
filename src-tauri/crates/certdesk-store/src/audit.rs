//! The audit chain. Owns the append-only `audit_events` table: every event carries the
//! SHA-256 of the previous one, so an edited, removed or reordered event breaks the chain, and
//! the head (last seq and hash) is kept in `settings` so that removing the newest events shows
//! too. `verify` walks the chain and names the first broken event; it also checks that every
//! case's stored data still has the digest its last event recorded. The event's stored form
//! and hash ([`StoredEvent`], [`NewEvent::seal`]) and the walk over the chain ([`ChainWalk`])
//! are public; the statements here run on both back ends through `crate::db` (the same text,
//! the JSON and digest functions of `verify` by dialect), so the chain is the very same on each.

use crate::StoreError;
use crate::db::{Dialect, Row, Sql, args};
use certdesk_domain::CaseNumber;
use certdesk_domain::case::sha256_hex;
use serde::Serialize;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
pub const HEAD_KEY: &str = "audit_head";

/// One event as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub case_number: Option<String>,
    pub digest_before: Option<String>,
    pub digest_after: Option<String>,
    /// JSON object: reason, status before and after, anything the action adds.
    pub detail: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

macro_rules! audit_actions {
    ($($variant:ident = $wire:literal: $doc:literal,)+) => {
        /// Every action recorded on the audit chain. Events are stored with the wire name; the
        /// chain of an older store may hold names this build no longer writes, so reading keeps
        /// the text (`AuditEvent::action`) and [`AuditAction::from_wire`] recognises it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ts_rs::TS)]
        #[serde(rename_all = "snake_case")]
        pub enum AuditAction {
            $(#[doc = $doc] $variant,)+
        }

        impl AuditAction {
            pub const ALL: &[AuditAction] = &[$(AuditAction::$variant,)+];

            pub fn wire(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $wire,)+
                }
            }
        }
    };
}

audit_actions! {
    Create = "create": "a case stored as a new draft",
    Accept = "accept": "受理",
    Submit = "submit": "提交复核",
    Approve = "approve": "复核通过, with the approval digest",
    Return = "return": "退回, with a reason",
    Edit = "edit": "the case data replaced",
    IssueKey = "issue_key": "制证: the certificate is on the key",
    Deliver = "deliver": "交付",
    Close = "close": "归档",
    Cancel = "cancel": "作废, with a reason",
    Reissue = "reissue": "a supervisor allowed a second key",
    CertWithdrawn = "cert_withdrawn": "a supervisor withdrew one certificate of a case before its key was made, with a reason",
    StepDone = "step_done": "a step done outside certdesk (the CA's system), with its reference",
    AttachmentAdded = "attachment_added": "a file kept with a case, with its SHA-256",
    FilesChanged = "files_changed": "files attached to an approved case sent it back to review",
    SealImported = "seal_imported": "the seal sheet's verdict",
    SealAccepted = "seal_accepted": "the clerk accepted an impression the importer doubted (#34), with the labels and findings overridden and the checks not made",
    FormsPrinted = "forms_printed": "the forms printed, with the PDF's SHA-256",
    TokenInitialized = "token_initialized": "key desk: a key initialised for the case",
    KeyGenerated = "key_generated": "key desk: a key pair and its request",
    CertificateImported = "certificate_imported": "key desk: the issued certificate kept with the case",
    CertificateWritten = "certificate_written": "key desk: the certificate written to the key and read back",
    SealWritten = "seal_written": "key desk: the seal image written to the key and read back",
    EncryptionImported = "encryption_imported": "key desk: a dual certificate's encryption key pair (enveloped) and certificate on the key, read back",
    TokenUnlocked = "token_unlocked": "a locked key unlocked",
    TokenWiped = "token_wiped": "a returned key wiped",
    PinChanged = "pin_changed": "a key's user PIN changed (never the PIN: whether it is still a CA's default)",
    DesksGranted = "desks_granted": "a hall's desks' login role given what a desk needs (store grant-desks)",
    StoreBackup = "store_backup": "a checked backup written",
    StoreRestored = "store_restored": "the store replaced by a backup",
    StatementImported = "statement_imported": "a bank statement imported (#73): its new credits recorded with what they matched",
    PaymentConfirmed = "payment_confirmed": "a bank credit confirmed as a case's money (#73), after the edit that records it in the case's payment",
    UnitProved = "unit_proved": "the unit proved itself with its own organisation certificate (#74): its key signed the desk's challenge, after the edit that records the proof",
    StoreMigrated = "store_migrated": "a single-desk store copied into the hall (the chain above this event is the file's, verbatim)",
    StoreEncrypted = "store_encrypted": "a plain store file made encrypted (the tables compared row by row)",
    StoreRecovered = "store_recovered": "an encrypted store opened with its recovery key and an administrator's password set",
    StoreRekeyed = "store_rekeyed": "an encrypted store given a new data key and recovery key (store rekey): only the administrator's slot kept",
    Hold = "case_hold": "a supervisor put a case on legal hold, with a reason (it is not purged)",
    ReleaseHold = "case_hold_released": "a supervisor released a case's legal hold",
    Purged = "purged": "a case's personal data removed past its retention (#30)",
    Setting = "setting": "a setting changed",
    UserAdd = "user_add": "an account added",
    UserPasswd = "user_passwd": "a password set",
    UserRoles = "user_roles": "an account's roles changed",
    UserName = "user_name": "an account's display name (姓名) set",
    UserDisable = "user_disable": "an account disabled",
    UserUnlock = "user_unlock": "a locked account unlocked",
    LoginFailed = "login_failed": "a wrong password",
    UserLocked = "user_locked": "an account locked by wrong passwords",
    KeyEnrolled = "operator_key_enrolled": "an operator certificate bound to an account: its key signs the account in and its approvals (#31)",
    KeyEnded = "operator_key_ended": "an account's operator key enrolment ended (revoked, or the account disabled)",
    DayClosed = "day_closed": "a supervisor signed the day's ledger and the chain's head with their USB key (日结, #31)",
}

impl AuditAction {
    pub fn from_wire(s: &str) -> Option<AuditAction> {
        AuditAction::ALL.iter().copied().find(|a| a.wire() == s)
    }

    /// The key-desk steps of a case (an unlock or a wipe done for a case is one too).
    pub fn is_key_step(self) -> bool {
        matches!(
            self,
            AuditAction::TokenInitialized
                | AuditAction::KeyGenerated
                | AuditAction::CertificateWritten
                | AuditAction::EncryptionImported
                | AuditAction::SealWritten
                | AuditAction::TokenUnlocked
                | AuditAction::TokenWiped
        )
    }
}

impl AuditAction {
    /// The steps of one certificate's key round: their events name the certificate (`cert`).
    pub fn is_cert_round(self) -> bool {
        matches!(
            self,
            AuditAction::TokenInitialized
                | AuditAction::KeyGenerated
                | AuditAction::CertificateImported
                | AuditAction::CertificateWritten
                | AuditAction::EncryptionImported
                | AuditAction::SealWritten
        )
    }
}

impl From<certdesk_domain::Action> for AuditAction {
    fn from(a: certdesk_domain::Action) -> AuditAction {
        use certdesk_domain::Action as A;
        match a {
            A::Accept => AuditAction::Accept,
            A::Submit => AuditAction::Submit,
            A::Approve => AuditAction::Approve,
            A::Return => AuditAction::Return,
            A::Edit => AuditAction::Edit,
            A::IssueKey => AuditAction::IssueKey,
            A::Deliver => AuditAction::Deliver,
            A::Close => AuditAction::Close,
            A::Cancel => AuditAction::Cancel,
        }
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.wire())
    }
}

impl PartialEq<AuditAction> for String {
    fn eq(&self, other: &AuditAction) -> bool {
        self == other.wire()
    }
}

/// What is appended; seq and hashes are filled in by `append`, the time by `clock`.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub actor: &'a str,
    pub action: AuditAction,
    pub case_number: Option<&'a CaseNumber>,
    pub digest_before: Option<&'a str>,
    pub digest_after: Option<&'a str>,
    pub detail: serde_json::Value,
}

impl<'a> NewEvent<'a> {
    /// An event that changes no case data (no digests).
    pub fn new<D: crate::detail::EventDetail>(actor: &'a str, action: AuditAction, detail: &D) -> NewEvent<'a> {
        NewEvent::with_body(actor, crate::detail::EventBody::new(action, detail))
    }

    pub fn with_body(actor: &'a str, body: crate::detail::EventBody) -> NewEvent<'a> {
        NewEvent { actor, action: body.action, case_number: None, digest_before: None, digest_after: None, detail: body.detail }
    }

    /// The same event, filed under a case.
    pub fn on_case(self, number: &'a CaseNumber) -> NewEvent<'a> {
        NewEvent { case_number: Some(number), ..self }
    }
}

/// An event as both back ends store it, every field the text that is hashed: what
/// [`NewEvent::seal`] makes and what `verify` reads back. The hash is over these exact texts
/// (`detail` as stored, never re-serialised), so a chain copied verbatim between back ends
/// verifies the same on both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub case_number: Option<String>,
    pub digest_before: Option<String>,
    pub digest_after: Option<String>,
    /// The detail JSON exactly as stored.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl StoredEvent {
    /// Whether the event is of the second form (#30): its detail's personal part kept apart,
    /// referenced by its salted digest (`"v": 2`, `"personal": …`).
    pub fn is_v2(&self) -> bool {
        self.detail.contains("\"v\":2") && serde_json::from_str::<serde_json::Value>(&self.detail).is_ok_and(|d| d.get("v").and_then(|v| v.as_i64()) == Some(2))
    }

    /// The hash this event's content and link call for (`certdesk-audit-v1`, or `-v2` for an
    /// event whose personal part is kept apart: the two never collide).
    pub fn computed_hash(&self) -> String {
        // one field per line; none of the fields can hold a newline unescaped (detail is JSON)
        let line = format!(
            "{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
            if self.is_v2() { "certdesk-audit-v2" } else { "certdesk-audit-v1" },
            self.seq,
            self.at,
            self.actor,
            self.action,
            self.case_number.as_deref().unwrap_or("-"),
            self.digest_before.as_deref().unwrap_or("-"),
            self.digest_after.as_deref().unwrap_or("-"),
            self.detail,
            self.prev_hash,
        );
        sha256_hex(line.as_bytes())
    }

    /// The hash of what a purge left of this event (#30, [`crate::detail::RedactedEvent`]): its
    /// content as stored now, its place in the chain and the hash it was sealed with, so an edit
    /// of what is left, or the form moved to another event, shows.
    pub fn redacted_form(&self) -> String {
        let line = format!(
            "certdesk-audit-redacted\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
            self.seq,
            self.at,
            self.actor,
            self.action,
            self.case_number.as_deref().unwrap_or("-"),
            self.digest_before.as_deref().unwrap_or("-"),
            self.digest_after.as_deref().unwrap_or("-"),
            self.detail,
            self.prev_hash,
            self.hash,
        );
        sha256_hex(line.as_bytes())
    }

    /// The event as callers see it (detail parsed; text that is not JSON kept as a string).
    pub fn into_event(self) -> AuditEvent {
        let detail = serde_json::from_str(&self.detail).unwrap_or(serde_json::Value::String(self.detail));
        AuditEvent {
            seq: self.seq,
            at: self.at,
            actor: self.actor,
            action: self.action,
            case_number: self.case_number,
            digest_before: self.digest_before,
            digest_after: self.digest_after,
            detail,
            prev_hash: self.prev_hash,
            hash: self.hash,
        }
    }
}

impl NewEvent<'_> {
    /// The stored form of this event as number `seq` at `at` after the event whose hash is
    /// `prev`: actor without line breaks, detail as compact JSON (`{}` for none), and its hash.
    pub fn seal(&self, seq: i64, at: &str, prev: &str) -> StoredEvent {
        let mut ev = StoredEvent {
            seq,
            at: at.to_string(),
            actor: self.actor.replace(['\n', '\r'], " "),
            action: self.action.wire().to_string(),
            case_number: self.case_number.map(|n| n.as_str().to_string()),
            digest_before: self.digest_before.map(str::to_string),
            digest_after: self.digest_after.map(str::to_string),
            detail: if self.detail.is_null() { "{}".to_string() } else { self.detail.to_string() },
            prev_hash: prev.to_string(),
            hash: String::new(),
        };
        ev.hash = ev.computed_hash();
        ev
    }
}

/// The value of the chain head (`settings.audit_head`): the last event's seq and hash.
pub fn head_value(seq: i64, hash: &str) -> String {
    format!("{seq}:{hash}")
}

/// The checks `verify` makes on the chain itself, event by event, oldest first: shared by both
/// back ends so that a broken chain is named the same way on each.
#[derive(Debug, Clone)]
pub struct ChainWalk {
    expected_seq: i64,
    prev_hash: String,
    prev_at: String,
    count: i64,
    redacted: std::collections::HashMap<i64, Redaction>,
}

/// An event a later `purged` event says it redacted: that event's seq, its case, the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redaction {
    pub by: i64,
    pub case_number: String,
    pub form: String,
}

impl Default for ChainWalk {
    fn default() -> Self {
        ChainWalk { expected_seq: 1, prev_hash: GENESIS.to_string(), prev_at: String::new(), count: 0, redacted: Default::default() }
    }
}

impl ChainWalk {
    /// A walk that knows the redactions the chain's `purged` events record (by redacted seq):
    /// such an event is held to its redacted form instead of its sealed hash. The `purged`
    /// events themselves are walked as any other, so a forged redaction breaks the chain there.
    pub fn with_redactions(redacted: std::collections::HashMap<i64, Redaction>) -> ChainWalk {
        ChainWalk { redacted, ..ChainWalk::default() }
    }

    /// Events seen so far (the failing one included).
    pub fn events(&self) -> i64 {
        self.count
    }

    /// The next event of the chain: its seq follows, its content matches its hash, it links to
    /// the one before, and it is not dated before it.
    pub fn step(&mut self, ev: &StoredEvent) -> Result<(), ChainBreak> {
        self.count += 1;
        let brk = |kind, seq, case_number: &Option<String>, message| Err(ChainBreak { kind, seq: Some(seq), case_number: case_number.clone(), message });
        if ev.seq > self.expected_seq {
            let expected = self.expected_seq;
            let gap = if ev.seq - expected == 1 { format!("event {expected} is") } else { format!("events {expected}-{} are", ev.seq - 1) };
            return brk(BreakKind::Deleted, expected, &None, format!("{gap} missing: deleted from the chain (next present: {})", ev.seq));
        }
        if ev.computed_hash() != ev.hash {
            let message = match self.redacted.get(&ev.seq) {
                Some(r) if r.by > ev.seq && ev.case_number.as_deref() == Some(r.case_number.as_str()) && ev.redacted_form() == r.form => None,
                Some(r) => Some(format!(
                    "event {} ({} by {} at {}) was edited after the purge of event {} redacted it: what is left does not match the form the purge recorded",
                    ev.seq, ev.action, ev.actor, ev.at, r.by
                )),
                None => Some(format!("event {} ({} by {} at {}) was edited: its content does not match its hash", ev.seq, ev.action, ev.actor, ev.at)),
            };
            if let Some(message) = message {
                return brk(BreakKind::Edited, ev.seq, &ev.case_number, message);
            }
        }
        if ev.prev_hash != self.prev_hash {
            let what = if self.expected_seq == 1 {
                "the first event does not start the chain".to_string()
            } else {
                format!("event {} does not link to event {}: it was inserted out of order, or event {} was replaced", ev.seq, ev.seq - 1, ev.seq - 1)
            };
            return brk(BreakKind::OutOfOrder, ev.seq, &ev.case_number, what);
        }
        if ev.at < self.prev_at {
            let message = format!("event {} is dated {} before event {} ({})", ev.seq, ev.at, ev.seq - 1, self.prev_at);
            return brk(BreakKind::OutOfOrder, ev.seq, &ev.case_number, message);
        }
        self.prev_hash.clone_from(&ev.hash);
        self.prev_at.clone_from(&ev.at);
        self.expected_seq = ev.seq + 1;
        Ok(())
    }

    /// After the last event: the recorded head (`settings.audit_head`) names it, so removing
    /// the newest events shows.
    pub fn finish(&self, recorded_head: Option<&str>) -> Result<(), ChainBreak> {
        let last_seq = self.expected_seq - 1;
        let matches = match recorded_head {
            None => last_seq == 0,
            Some(h) => h == head_value(last_seq, &self.prev_hash),
        };
        if matches {
            return Ok(());
        }
        let recorded = recorded_head.and_then(|h| h.split(':').next()).unwrap_or("none").to_string();
        Err(ChainBreak {
            kind: BreakKind::Truncated,
            seq: Some(last_seq + 1),
            case_number: None,
            message: format!("the chain ends at event {last_seq} but its recorded head is event {recorded}: the newest events were removed or replaced"),
        })
    }
}

/// The time of an event appended in this write transaction: now, or the newest event's time
/// when the clock reads earlier (it was set back, or this desk's clock is behind another's).
/// Taken after the write lock, so sequence and time agree whatever the number of writers.
pub(crate) fn clock(db: &mut dyn Sql) -> Result<String, StoreError> {
    let last = db.row("reading the audit head", "SELECT at FROM audit_events ORDER BY seq DESC LIMIT 1", &[])?.map(|r| r.text(0)).transpose()?;
    let now = crate::now();
    Ok(match last {
        Some(last) if last > now => last,
        _ => now,
    })
}

/// Appends one event inside the caller's transaction, at a time from [`clock`] in the same
/// transaction.
/// Appends `ev` after the chain's head; returns its seq and hash.
pub(crate) fn append(db: &mut dyn Sql, at: &str, ev: &NewEvent<'_>) -> Result<(i64, String), StoreError> {
    let (last_seq, prev) = match db.row("reading the audit head", "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1", &[])? {
        Some(r) => (r.int(0)?, r.text(1)?),
        None => (0, GENESIS.to_string()),
    };
    // only a case's events are ever purged: an event of no case (the key desk's log) stays whole
    let (public, personal) = if ev.case_number.is_some() { split_personal(ev.action, &ev.detail) } else { (ev.detail.clone(), None) };
    let e = NewEvent { detail: public, ..ev.clone() }.seal(last_seq + 1, at, &prev);
    if let Some(p) = personal {
        db.exec("keeping an event's personal part", "INSERT INTO audit_personal (seq, salt, body) VALUES (?1, ?2, ?3)", args![e.seq, p.salt, p.body])?;
    }
    db.exec(
        "appending an audit event",
        "INSERT INTO audit_events (seq, at, actor, action, case_number, digest_before, digest_after, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        args![e.seq, e.at, e.actor, e.action, e.case_number, e.digest_before, e.digest_after, e.detail, e.prev_hash, e.hash.as_str()],
    )?;
    db.exec(
        "recording the audit head",
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        args![HEAD_KEY, head_value(e.seq, &e.hash)],
    )?;
    Ok((e.seq, e.hash))
}

/// The personal part of an event's detail (#30): its text and the salt of its digest.
pub(crate) struct Personal {
    pub(crate) salt: String,
    pub(crate) body: String,
}

/// A case's digest (the chain's `digest_before`/`digest_after`, `cases.digest`): SHA-256 of
/// its canonical JSON, salted with the case's own random salt (#30, `cases.salt`) so that the
/// chain holds no plain hash of anyone's data (a candidate case cannot be confirmed against
/// it); a case stored before the salt (no salt) keeps its plain digest. A purge gives the case
/// a new salt, so nothing links the redacted case to what it held.
pub fn case_digest(salt: Option<&str>, canonical: &str) -> String {
    match salt {
        Some(salt) => sha256_hex(format!("certdesk-case\n{salt}\n{canonical}").as_bytes()),
        None => sha256_hex(canonical.as_bytes()),
    }
}

/// 16 random bytes in hex: a case's or a personal part's salt.
pub(crate) fn new_salt() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    salt.iter().map(|b| format!("{b:02x}")).collect()
}

/// The digest of a personal part that the event's public detail carries (`personal`).
pub fn personal_digest(salt: &str, body: &str) -> String {
    sha256_hex(format!("certdesk-personal\n{salt}\n{body}").as_bytes())
}

/// Splits an event's detail into what is hashed on the chain and its personal part
/// ([`crate::detail::personal_fields`] of the action, where present): the public detail then
/// says `"v": 2` and the part's salted digest (`personal`). A detail without personal data is
/// kept whole (a v1 event).
pub(crate) fn split_personal(action: AuditAction, detail: &serde_json::Value) -> (serde_json::Value, Option<Personal>) {
    let fields = crate::detail::personal_fields(action);
    let Some(map) = detail.as_object() else { return (detail.clone(), None) };
    if !fields.iter().any(|f| map.get(*f).is_some_and(|v| !v.is_null())) {
        return (detail.clone(), None);
    }
    let mut public = map.clone();
    let mut personal = serde_json::Map::new();
    for f in fields {
        if let Some(v) = public.remove(*f).filter(|v| !v.is_null()) {
            personal.insert((*f).to_string(), v);
        }
    }
    let salt = new_salt();
    let body = serde_json::Value::Object(personal).to_string();
    public.insert("personal".into(), personal_digest(&salt, &body).into());
    public.insert("v".into(), 2.into());
    (serde_json::Value::Object(public), Some(Personal { salt, body }))
}

/// An event as callers see it: a v2 event's personal part merged back into its detail (`body`,
/// none once purged: the detail keeps only its digest).
fn merged(stored: StoredEvent, body: Option<String>) -> AuditEvent {
    let mut ev = stored.into_event();
    if let (Some(body), Some(map)) = (body, ev.detail.as_object_mut())
        && let Ok(serde_json::Value::Object(personal)) = serde_json::from_str::<serde_json::Value>(&body)
    {
        map.remove("personal");
        map.remove("v");
        map.extend(personal);
    }
    ev
}

fn read_stored(r: &Row) -> Result<StoredEvent, StoreError> {
    Ok(StoredEvent {
        seq: r.int(0)?,
        at: r.text(1)?,
        actor: r.text(2)?,
        action: r.text(3)?,
        case_number: r.opt_text(4)?,
        digest_before: r.opt_text(5)?,
        digest_after: r.opt_text(6)?,
        detail: r.text(7)?,
        prev_hash: r.text(8)?,
        hash: r.text(9)?,
    })
}

const SELECT_EVENT: &str = "SELECT seq, at, actor, action, case_number, digest_before, digest_after, detail, prev_hash, hash FROM audit_events";

/// [`SELECT_EVENT`] with each event's personal part (`audit_personal.body`) as an 11th column.
const SELECT_MERGED: &str = "SELECT seq, at, actor, action, case_number, digest_before, digest_after, detail, prev_hash, hash,
    (SELECT p.body FROM audit_personal p WHERE p.seq = audit_events.seq) FROM audit_events";

/// Events read with [`SELECT_MERGED`], their personal parts merged.
fn events(db: &mut dyn Sql, op: &'static str, sql: &str, args: &[crate::db::Val]) -> Result<Vec<AuditEvent>, StoreError> {
    db.rows(op, sql, args)?.iter().map(|r| Ok(merged(read_stored(r)?, r.opt_text(10)?))).collect()
}

pub(crate) fn events_for_case(db: &mut dyn Sql, number: &CaseNumber) -> Result<Vec<AuditEvent>, StoreError> {
    crate::reads::note(|r| r.histories += 1);
    events(db, "reading case history", &format!("{SELECT_MERGED} WHERE case_number = ?1 ORDER BY seq"), args![number.as_str()])
}

/// Every event of `action` with `from <= at < to` (RFC 3339 texts), oldest first.
pub(crate) fn events_by_action(db: &mut dyn Sql, action: AuditAction, from: &str, to: &str) -> Result<Vec<AuditEvent>, StoreError> {
    events(db, "reading events", &format!("{SELECT_MERGED} WHERE action = ?1 AND at >= ?2 AND at < ?3 ORDER BY seq"), args![action.wire(), from, to])
}

/// Which events a page of the audit log shows (#79: the log in the app): `from <= at < to`
/// (RFC 3339 texts), and where given the account, the case and the action (its wire name),
/// and only events before `before_seq` (the next page); newest first, at most `limit`.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub from: String,
    pub to: String,
    pub actor: Option<String>,
    pub case_number: Option<String>,
    pub action: Option<String>,
    pub before_seq: Option<i64>,
    pub limit: i64,
}

pub(crate) fn events_filtered(db: &mut dyn Sql, f: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
    // the CASTs give PostgreSQL the parameters' types where they are only compared with NULL
    let sql = format!(
        "{SELECT_MERGED} WHERE at >= ?1 AND at < ?2 AND (CAST(?3 AS TEXT) IS NULL OR actor = ?3) AND (CAST(?4 AS TEXT) IS NULL OR case_number = ?4)
         AND (CAST(?5 AS TEXT) IS NULL OR action = ?5) AND (CAST(?6 AS BIGINT) IS NULL OR seq < ?6) ORDER BY seq DESC LIMIT ?7"
    );
    events(db, "reading the audit log", &sql, args![f.from.as_str(), f.to.as_str(), f.actor.clone(), f.case_number.clone(), f.action.clone(), f.before_seq, f.limit])
}

/// The newest event of `action` whose detail has `field` equal to `value`: its case number.
pub(crate) fn find_case_of_event(db: &mut dyn Sql, action: AuditAction, field: &str, value: &str) -> Result<Option<Option<String>>, StoreError> {
    let sql = format!("SELECT case_number FROM audit_events WHERE action = ?1 AND {} = ?3 ORDER BY seq DESC LIMIT 1", json_field(db.dialect(), "detail", "?2"));
    let key = match db.dialect() {
        Dialect::Sqlite => format!("$.{field}"),
        Dialect::Postgres => field.to_string(),
    };
    db.row("searching events", &sql, args![action.wire(), key, value])?.map(|r| r.opt_text(0)).transpose()
}

/// The newest event about the key `token_serial` that says whether its user PIN is a CA's
/// published default (`pin_is_default`), whatever case it belongs to (or none).
pub(crate) fn newest_pin_event(db: &mut dyn Sql, token_serial: &str) -> Result<Option<AuditEvent>, StoreError> {
    let d = db.dialect();
    let sql = format!("{SELECT_MERGED} WHERE {} = ?1 AND {} IS NOT NULL ORDER BY seq DESC LIMIT 1", json_of(d, "detail", "token_serial"), json_of(d, "detail", "pin_is_default"));
    Ok(events(db, "reading the key's events", &sql, args![token_serial])?.pop())
}

/// A field of a JSON text column as text: `key` is an SQL expression (a quoted literal or a
/// placeholder) naming the field, as `'$.to'` on SQLite and `'to'` on PostgreSQL.
fn json_field(dialect: Dialect, column: &str, key: &str) -> String {
    match dialect {
        Dialect::Sqlite => format!("json_extract({column}, {key})"),
        Dialect::Postgres => format!("({column}::jsonb ->> {key})"),
    }
}

/// `json_field` of a literal field name.
pub(crate) fn json_of(dialect: Dialect, column: &str, field: &str) -> String {
    match dialect {
        Dialect::Sqlite => json_field(dialect, column, &format!("'$.{field}'")),
        Dialect::Postgres => json_field(dialect, column, &format!("'{field}'")),
    }
}

/// The first thing found wrong, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    /// The event's content no longer matches its own hash.
    Edited,
    /// A sequence number is missing: an event was deleted.
    Deleted,
    /// The event does not link to the one before it (inserted, replaced or reordered).
    OutOfOrder,
    /// Events at the end are missing: the chain is shorter than its recorded head.
    Truncated,
    /// A case's stored data differs from what its last event recorded.
    CaseDataChanged,
    /// A case's stored status differs from the status its last transition recorded.
    CaseStatusChanged,
    /// A file kept with a case differs from what its `attachment_added` event recorded, or
    /// has no such event.
    AttachmentChanged,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainBreak {
    pub kind: BreakKind,
    /// The event named (the first one that fails).
    pub seq: Option<i64>,
    pub case_number: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub ok: bool,
    pub events: i64,
    pub cases_checked: i64,
    pub first_break: Option<ChainBreak>,
    /// the approvals' signatures (#31): checked only with a signature check at hand
    /// (`Store::verify_audit_with`), else none checked
    pub signatures: crate::staff_keys::SignatureReport,
}

/// The recorded chain head (`settings.audit_head`), if any.
pub(crate) fn head(db: &mut dyn Sql) -> Result<Option<String>, StoreError> {
    db.row("reading the audit head", "SELECT value FROM settings WHERE key = ?1", args![HEAD_KEY])?.map(|r| r.text(0)).transpose()
}

/// The events of case `number` exactly as stored, oldest first.
pub(crate) fn stored_events_of_case(db: &mut dyn Sql, number: &str) -> Result<Vec<StoredEvent>, StoreError> {
    db.rows("reading case history", &format!("{SELECT_EVENT} WHERE case_number = ?1 ORDER BY seq"), args![number])?.iter().map(read_stored).collect()
}

/// Every event exactly as stored, oldest first, and the recorded head: the chain as a copy to
/// another back end takes it (verbatim, so it verifies the same there).
pub(crate) fn stored_chain(db: &mut dyn Sql) -> Result<(Vec<StoredEvent>, Option<String>), StoreError> {
    let events = db.rows("reading the audit chain", &format!("{SELECT_EVENT} ORDER BY seq"), &[])?.iter().map(read_stored).collect::<Result<Vec<_>, _>>()?;
    Ok((events, head(db)?))
}

/// The redactions the chain's `purged` events record, by redacted seq (#30).
fn redactions(db: &mut dyn Sql) -> Result<std::collections::HashMap<i64, Redaction>, StoreError> {
    let mut out = std::collections::HashMap::new();
    for r in db.rows("reading the purges", "SELECT seq, case_number, detail FROM audit_events WHERE action = 'purged' ORDER BY seq", &[])? {
        let (by, case_number, detail) = (r.int(0)?, r.opt_text(1)?.unwrap_or_default(), r.text(2)?);
        let Ok(purged) = serde_json::from_str::<crate::detail::Purged>(&detail) else { continue };
        for e in purged.redacted.unwrap_or_default() {
            out.insert(e.seq, Redaction { by, case_number: case_number.clone(), form: e.form });
        }
    }
    Ok(out)
}

/// The chain half of `verify`: `Err(events)` when the chain is whole (how many), `Ok(report)`
/// naming the first break otherwise. Events are streamed, not loaded at once.
pub(crate) fn verify_chain(db: &mut dyn Sql) -> Result<Result<VerifyReport, i64>, StoreError> {
    let mut walk = ChainWalk::with_redactions(redactions(db)?);
    let mut brk = None;
    db.each("reading the audit chain", &format!("{SELECT_EVENT} ORDER BY seq"), &[], &mut |row| {
        let ev = read_stored(&row)?;
        if let Err(b) = walk.step(&ev) {
            brk = Some(b);
            return Ok(false);
        }
        Ok(true)
    })?;
    let brk = match brk {
        Some(b) => Some(b),
        None => walk.finish(head(db)?.as_deref()).err(),
    };
    Ok(match brk {
        Some(b) => Ok(VerifyReport { ok: false, events: walk.events(), cases_checked: 0, first_break: Some(b), signatures: Default::default() }),
        None => Err(walk.events()),
    })
}

pub(crate) fn verify(db: &mut dyn Sql) -> Result<VerifyReport, StoreError> {
    let count = match verify_chain(db)? {
        Ok(broken) => return Ok(broken),
        Err(count) => count,
    };
    let d = db.dialect();
    let fail = |kind, case_number: Option<String>, message: String, cases_checked| VerifyReport {
        ok: false,
        events: count,
        cases_checked,
        first_break: Some(ChainBreak { kind, seq: None, case_number, message }),
        signatures: Default::default(),
    };

    // every case's data must still be what its last event recorded
    let mut cases_checked = 0;
    let mut found = None;
    db.each(
        "checking case digests",
        "SELECT c.number, c.data, c.digest,
                (SELECT e.digest_after FROM audit_events e WHERE e.case_number = c.number AND e.digest_after IS NOT NULL ORDER BY e.seq DESC LIMIT 1),
                c.salt
         FROM cases c ORDER BY c.id",
        &[],
        &mut |row| {
            let (number, data, digest, recorded, salt) = (row.text(0)?, row.text(1)?, row.text(2)?, row.opt_text(3)?, row.opt_text(4)?);
            cases_checked += 1;
            let actual = case_digest(salt.as_deref(), &data);
            if actual != digest || recorded.as_deref() != Some(actual.as_str()) {
                let message = format!("case {number}: its stored data was changed outside certdesk (digest {actual} is not the one on the audit chain)");
                found = Some(fail(BreakKind::CaseDataChanged, Some(number), message, cases_checked));
                return Ok(false);
            }
            Ok(true)
        },
    )?;
    if let Some(report) = found {
        return Ok(report);
    }

    // every personal part kept apart must be the one its event's digest names, and one removed
    // must have been removed by a purge that lists it
    if let Some(report) = verify_personal(db)? {
        return Ok(fail(report.0, report.1, report.2, cases_checked));
    }

    // every case's status must be the `to` of its last transition
    let to = json_of(d, "e.detail", "to");
    let sql = format!(
        "SELECT c.number, c.status, (SELECT {to} FROM audit_events e WHERE e.case_number = c.number AND {to} IS NOT NULL ORDER BY e.seq DESC LIMIT 1) FROM cases c ORDER BY c.id"
    );
    db.each("checking case statuses", &sql, &[], &mut |row| {
        let (number, status, recorded) = (row.text(0)?, row.text(1)?, row.opt_text(2)?);
        if recorded.as_deref() != Some(status.as_str()) {
            let message = format!(
                "case {number}: its stored status {status:?} is not the one its last transition on the audit chain recorded ({}): it was changed outside certdesk",
                recorded.as_deref().unwrap_or("none")
            );
            found = Some(fail(BreakKind::CaseStatusChanged, Some(number), message, cases_checked));
            return Ok(false);
        }
        Ok(true)
    })?;
    if let Some(report) = found {
        return Ok(report);
    }

    // every stored file must be the one its event recorded, one event per file
    let (bytes_ok, size) = match d {
        Dialect::Sqlite => {
            let has_files = db.one("checking attachments", "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'attachments'", &[])?.int(0)?;
            if has_files == 0 {
                return Ok(VerifyReport { ok: true, events: count, cases_checked, first_break: None, signatures: Default::default() });
            }
            ("sha256_ok(a.bytes, a.sha256)", "length(a.bytes)")
        }
        Dialect::Postgres => ("encode(sha256(a.bytes), 'hex') = a.sha256", "length(a.bytes)::text"),
    };
    // a file emptied by a purge (#30): no bytes, dated, and its case purged on the chain
    let (bytes_ok, size_ok) = if has_table(db, "audit_personal")? {
        (
            format!(
                "CASE WHEN a.purged_at IS NOT NULL THEN length(a.bytes) = 0 AND EXISTS (SELECT 1 FROM audit_events q WHERE q.action = 'purged' AND q.case_number = a.case_number) ELSE {bytes_ok} END"
            ),
            format!("(a.purged_at IS NOT NULL OR {} = {size})", json_of(d, "e.detail", "size")),
        )
    } else {
        (bytes_ok.to_string(), format!("{} = {size}", json_of(d, "e.detail", "size")))
    };
    let sql = format!(
        "SELECT a.case_number, a.name, {bytes_ok},
                (SELECT count(*) FROM audit_events e WHERE e.action = 'attachment_added' AND e.case_number = a.case_number
                    AND {} = a.name AND {} = a.sha256 AND {size_ok} AND e.at = a.at AND e.actor = a.actor)
         FROM attachments a ORDER BY a.id",
        json_of(d, "e.detail", "name"),
        json_of(d, "e.detail", "sha256"),
    );
    let mut files = 0i64;
    db.each("checking attachments", &sql, &[], &mut |row| {
        let (number, name, bytes_ok, events) = (row.text(0)?, row.text(1)?, row.int(2)? != 0, row.int(3)?);
        files += 1;
        if !bytes_ok || events == 0 {
            let why = if !bytes_ok { "its bytes do not match its recorded SHA-256" } else { "no attachment_added event on the audit chain records it" };
            let message = format!("case {number}: the file {name:?} was replaced or added outside certdesk ({why})");
            found = Some(fail(BreakKind::AttachmentChanged, Some(number), message, cases_checked));
            return Ok(false);
        }
        Ok(true)
    })?;
    if let Some(report) = found {
        return Ok(report);
    }
    let recorded = db.one("checking attachments", "SELECT count(*) FROM audit_events WHERE action = 'attachment_added'", &[])?.int(0)?;
    if recorded != files {
        let message = format!("the audit chain records {recorded} file(s) kept with cases but the store holds {files}: files were removed outside certdesk");
        return Ok(fail(BreakKind::AttachmentChanged, None, message, cases_checked));
    }
    Ok(VerifyReport { ok: true, events: count, cases_checked, first_break: None, signatures: Default::default() })
}

/// Whether the store has `table` (a backup of an older schema may not; a hall is migrated).
fn has_table(db: &mut dyn Sql, table: &str) -> Result<bool, StoreError> {
    match db.dialect() {
        Dialect::Sqlite => Ok(db.one("reading the schema", "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1", args![table])?.int(0)? > 0),
        Dialect::Postgres => Ok(true),
    }
}

/// The personal parts of v2 events (#30): each kept one matches the digest its event recorded;
/// each missing one was removed by a `purged` event of the same case that lists the event.
/// The first problem found: kind, case, message.
fn verify_personal(db: &mut dyn Sql) -> Result<Option<(BreakKind, Option<String>, String)>, StoreError> {
    if !has_table(db, "audit_personal")? {
        return Ok(None);
    }
    let mut found = None;
    db.each(
        "checking the events' personal parts",
        "SELECT p.seq, p.salt, p.body, e.detail, e.case_number FROM audit_personal p LEFT JOIN audit_events e ON e.seq = p.seq ORDER BY p.seq",
        &[],
        &mut |row| {
            let (seq, salt, body, detail, number) = (row.int(0)?, row.text(1)?, row.text(2)?, row.opt_text(3)?, row.opt_text(4)?);
            let recorded =
                detail.as_deref().and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok()).and_then(|d| d.get("personal").and_then(|p| p.as_str()).map(str::to_string));
            if recorded.as_deref() != Some(personal_digest(&salt, &body).as_str()) {
                found =
                    Some((BreakKind::Edited, number, format!("the personal data of event {seq} was changed outside certdesk: it does not match the digest on the audit chain")));
                return Ok(false);
            }
            Ok(true)
        },
    )?;
    if found.is_some() {
        return Ok(found);
    }
    let missing = db.rows(
        "checking the events' personal parts",
        "SELECT e.seq, e.case_number FROM audit_events e WHERE e.detail LIKE '%\"personal\":\"%' AND NOT EXISTS (SELECT 1 FROM audit_personal p WHERE p.seq = e.seq) ORDER BY e.seq",
        &[],
    )?;
    for row in missing {
        let (seq, number) = (row.int(0)?, row.opt_text(1)?);
        let purges = match &number {
            Some(n) => db.rows("checking the events' personal parts", "SELECT detail FROM audit_events WHERE action = 'purged' AND case_number = ?1", args![n.as_str()])?,
            None => vec![],
        };
        let listed = purges.iter().any(|r| {
            r.text(0)
                .ok()
                .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
                .is_some_and(|d| d.get("personal_events").and_then(|l| l.as_array()).is_some_and(|l| l.iter().any(|s| s.as_i64() == Some(seq))))
        });
        if !listed {
            return Ok(Some((BreakKind::Edited, number, format!("the personal data of event {seq} was removed outside certdesk (no purge lists it)"))));
        }
    }
    Ok(None)
}

/// Registers `sha256_ok(bytes, hex)` on a connection, for [`verify`].
pub(crate) fn register_functions(conn: &rusqlite::Connection) -> Result<(), StoreError> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function("sha256_ok", 2, FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC, |ctx| {
        let bytes = ctx.get_raw(0).as_blob_or_null().map_err(|e| rusqlite::Error::UserFunctionError(e.into()))?.unwrap_or_default();
        let hex: String = ctx.get(1)?;
        Ok(sha256_hex(bytes) == hex)
    })
    .map_err(crate::sql("registering functions"))
}

impl crate::Store {
    /// The newest event of `action` whose detail has `field` equal to `value` (e.g. the key
    /// generated for a case, found by its public key).
    pub fn find_event(&self, action: AuditAction, field: &str, value: &str) -> Result<Option<AuditEvent>, StoreError> {
        let number = self.read(|db| find_case_of_event(db, action, field, value))?;
        let Some(Some(number)) = number else { return Ok(None) };
        let Ok(number) = CaseNumber::parse(&number) else { return Ok(None) };
        Ok(self.history(&number)?.into_iter().rev().find(|e| e.action == action && e.detail.get(field).and_then(|v| v.as_str()) == Some(value)))
    }

    /// The newest event that says whether the user PIN of the key `token_serial` is a CA's
    /// published default.
    pub fn newest_pin_event(&self, token_serial: &str) -> Result<Option<AuditEvent>, StoreError> {
        self.read(|db| newest_pin_event(db, token_serial))
    }

    /// Walks the audit chain and checks every case and file against it, on one snapshot; see
    /// [`audit`].
    pub fn verify_audit(&self) -> Result<VerifyReport, StoreError> {
        self.snapshot(verify)
    }

    /// The audit chain exactly as stored, oldest first, with its recorded head (`store migrate`
    /// copies it verbatim to a hall).
    pub fn stored_chain(&self) -> Result<(Vec<StoredEvent>, Option<String>), StoreError> {
        self.snapshot(stored_chain)
    }

    /// `PRAGMA integrity_check`: "ok" or the first problems SQLite finds. (A hall's server
    /// checks its own pages: `NotOnHall`.)
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        let (conn, _) = self.file("SQLite's integrity check", "the server checks its own pages (data checksums, amcheck)")?;
        let mut stmt = conn.prepare("PRAGMA integrity_check").map_err(crate::sql("checking integrity"))?;
        let rows: Vec<String> = stmt.query_map([], |r| r.get(0)).map_err(crate::sql("checking integrity"))?.collect::<Result<_, _>>().map_err(crate::sql("checking integrity"))?;
        Ok(rows.join("\n"))
    }

    /// Appends an event that concerns no case (a key unlocked or wiped outside a case, a backup
    /// written). Events of a case are appended by the methods that check the case's rules.
    pub fn record_event(&mut self, ev: &NewEvent<'_>) -> Result<i64, StoreError> {
        if ev.case_number.is_some() {
            return Err(StoreError::Internal { what: "events of a case are recorded by the case's own methods", detail: String::new() });
        }
        self.write(|tx| tx.append(ev))
    }
}
