//! Every change to a stored case: workflow moves, edits, files kept with a case, key-desk steps,
//! confirmations, reissues and notes. Each runs in one write transaction that reads the case and
//! the workflow's facts, asks `certdesk_domain::workflow`, makes the change and appends its audit
//! event. Owns those writes and the facts read off a case's chain (`case_facts`); not the rules.

use crate::cases::{index_case, read_case};
use crate::db::{Sql, Tx, args};
use crate::{AttachmentInfo, AuditAction, AuditEvent, CaseRecord, EventBody, NewEvent, Store, StoreError, audit, detail, files};
use certdesk_domain::status::{self, Action};
use certdesk_domain::workflow::{self, Actor, CaseFacts, RuleError};
use certdesk_domain::{CaseData, CaseNumber, Status};

/// What a workflow move records besides the move itself.
#[derive(Debug, Clone, Default)]
pub struct ActNote {
    pub handover: Option<detail::Handover>,
    pub to_follow: Option<Vec<String>>,
    /// approve: the supervisor's key's signature (#31), verified before the approval's
    /// transaction and bound there to the case as loaded and the supervisor's open enrolment
    pub signature: Option<crate::staff_keys::VerifiedApproval>,
}

/// A check of a case's history inside the transaction that writes ([`Store::attach_if`]).
pub type HistoryCheck<'a> = dyn Fn(&[AuditEvent]) -> Result<(), StoreError> + 'a;

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
            A::Edit => facts.shaped(&ev.actor, "edited"),
            A::AttachmentAdded if workflow::covered_by_approval(file()) => facts.shaped(&ev.actor, "attached a file to"),
            A::SealImported => facts.shaped(&ev.actor, "imported the seal sheet of"),
            A::SealAccepted => facts.shaped(&ev.actor, "accepted a doubted seal impression of"),
            _ => {}
        }
    }
    facts.approved = approval_in_force(history).and_then(|ev| ev.detail.get("approval_digest")).and_then(|d| d.as_str()).map(str::to_string);
    cert_facts(&mut facts, &record.data, history);
    facts
}

/// The approval in force in a case's history: the newest `approve` that no later edit, return,
/// cancel or arrival of files voided. The one reading of it: the workflow's facts and the
/// approval's signature (`Desk::approval_signature`) both ask here.
pub fn approval_in_force(history: &[AuditEvent]) -> Option<&AuditEvent> {
    use AuditAction as A;
    history.iter().fold(None, |current, ev| match AuditAction::from_wire(&ev.action) {
        Some(A::Approve) => Some(ev),
        Some(A::Edit | A::Return | A::Cancel | A::FilesChanged) => None,
        _ => current,
    })
}

/// The certificate an event of a key round (or a reissue, a withdrawal) is for: the one it
/// names, else certificate 1 (events written before a case could have several).
pub fn event_cert(ev: &AuditEvent) -> u32 {
    ev.detail.get("cert").and_then(|c| c.as_u64()).and_then(|c| u32::try_from(c).ok()).unwrap_or(1)
}

/// Where each certificate stands: written since its last reissue, withdrawn, its round begun.
fn cert_facts(facts: &mut CaseFacts, data: &CaseData, history: &[AuditEvent]) {
    let rounds = || history.iter().filter(|e| AuditAction::from_wire(&e.action).is_some_and(AuditAction::is_cert_round));
    let untagged = rounds().any(|e| e.detail.get("cert").is_none());
    facts.key_desk_started = rounds().next().is_some();
    facts.certs = certdesk_domain::certs::on_chain(data, untagged)
        .into_iter()
        .map(|slot| workflow::CertFacts { index: slot.index, holder: slot.holder, holder_id: slot.holder_id, ..Default::default() })
        .collect();
    for ev in history {
        let Some(action) = AuditAction::from_wire(&ev.action) else { continue };
        let Some(cert) = facts.certs.iter_mut().find(|c| c.index == event_cert(ev)) else { continue };
        match action {
            AuditAction::TokenInitialized | AuditAction::KeyGenerated => cert.round_started = true,
            AuditAction::CertificateWritten => cert.written = true,
            // a supervisor allowed a second key for the certificate
            AuditAction::Reissue => {
                cert.written = false;
                cert.round_started = false;
            }
            AuditAction::CertWithdrawn => cert.withdrawn = true,
            _ => {}
        }
    }
}

/// Names certificate `cert` (its index, holder and holder's identifier) in an event's detail.
fn tag_cert(body: &mut EventBody, cert: &workflow::CertFacts) {
    body.detail["cert"] = cert.index.into();
    body.detail["holder"] = cert.holder.clone().into();
    if let Some(id) = &cert.holder_id {
        body.detail["holder_id"] = id.clone().into();
    }
}

/// The move to key_issued, once no certificate is left unfinished: its event and the status.
fn issue_keys(tx: &mut Tx<'_>, record: &CaseRecord, actor: &Actor, facts: &CaseFacts) -> Result<CaseRecord, ActError> {
    let to = status::next(record.status, Action::IssueKey).map_err(StoreError::from)?;
    workflow::authorize(actor, Action::IssueKey, facts, None)?;
    set_status(tx, record, to)?;
    tx.append(&NewEvent {
        actor: actor.name(),
        action: AuditAction::IssueKey,
        case_number: Some(&record.number),
        digest_before: Some(&record.digest),
        digest_after: Some(&record.digest),
        detail: detail::value_of(AuditAction::IssueKey, &detail::CaseChange { roles: Some(actor.roles().to_vec()), ..detail::CaseChange::moved(record.status, to) }),
    })?;
    Ok(CaseRecord { status: to, updated_at: tx.at.clone(), ..record.clone() })
}

pub(crate) fn facts_in(db: &mut dyn Sql, record: &CaseRecord) -> Result<CaseFacts, StoreError> {
    let history = audit::events_for_case(db, &record.number)?;
    let files = files::list(db, &record.number)?;
    Ok(case_facts(record, &history, &files))
}

/// A case as one transaction loads it, once (#75): the stored case, its chain, its files and the
/// workflow's facts read off them. What a case action decides, it decides on this.
#[derive(Debug, Clone)]
pub struct LoadedCase {
    pub record: CaseRecord,
    pub history: Vec<AuditEvent>,
    pub files: Vec<AttachmentInfo>,
    pub facts: CaseFacts,
}

pub(crate) fn load_case(db: &mut dyn Sql, number: &CaseNumber) -> Result<LoadedCase, StoreError> {
    let record = read_case(db, number)?;
    let history = audit::events_for_case(db, number)?;
    let files = files::list(db, number)?;
    let facts = case_facts(&record, &history, &files);
    Ok(LoadedCase { record, history, files, facts })
}

/// A workflow move the state machine and the workflow's authorisation allowed on a case as
/// loaded: made only by [`allowed_move`], so a move is written only once it was checked, and
/// checked once (#75). It is written only on the load it was checked on (the case, its
/// status, its digest and the length of its chain as read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedMove {
    action: Action,
    to: Status,
    on: LoadMark,
}

/// Which load of a case a decision was made on.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LoadMark {
    number: CaseNumber,
    status: Status,
    digest: String,
    events: usize,
}

impl LoadMark {
    fn of(case: &LoadedCase) -> Self {
        LoadMark { number: case.record.number.clone(), status: case.record.status, digest: case.record.digest.clone(), events: case.history.len() }
    }
}

impl AllowedMove {
    pub fn action(&self) -> Action {
        self.action
    }

    /// the status the move leads to
    pub fn to(&self) -> Status {
        self.to
    }
}

/// Whether `actor` may take `action` on the case as loaded (the state machine, then the
/// workflow's roles, four-eyes and reasons): the move, or why not. The only check of a move; a
/// wrong status or one's own case is said before any condition of the caller's.
pub fn allowed_move(case: &LoadedCase, action: Action, actor: &Actor, reason: Option<&str>) -> Result<AllowedMove, ActError> {
    let to = status::next(case.record.status, action).map_err(StoreError::from)?;
    workflow::authorize(actor, action, &case.facts, reason)?;
    Ok(AllowedMove { action, to, on: LoadMark::of(case) })
}

/// What a step of a case's plan writes, as the caller decided it on the case loaded for it
/// ([`Store::write_step`]).
#[derive(Debug, Clone)]
pub enum StepWrite {
    /// a workflow move (accept, submit, approve, deliver, close), allowed on that load, with
    /// what it records
    Move { allowed: AllowedMove, note: Box<ActNote> },
    /// a step done outside certdesk, recorded by an account with the step's role
    Confirm { role: workflow::Role, confirmed: detail::StepConfirmed },
}

/// A workflow move, allowed on the case the caller's write transaction loaded, written there:
/// an approval's signature (#31: an account that must use its key approves only with a
/// signature over the approval statement its enrolled key made), the status and the event.
fn move_in(tx: &mut Tx<'_>, case: &LoadedCase, allowed: AllowedMove, actor: &Actor, reason: Option<&str>, note: ActNote) -> Result<CaseRecord, ActError> {
    let (record, facts) = (&case.record, &case.facts);
    let AllowedMove { action, to, on } = allowed;
    if on != LoadMark::of(case) {
        return Err(StoreError::Internal { what: "a move checked on another load of the case", detail: record.number.to_string() }.into());
    }
    let signature = if action == Action::Approve {
        match &note.signature {
            Some(verified) => Some(crate::staff_keys::check_approval(tx.db, &tx.at, record.number.as_str(), &facts.approval_digest, actor, verified)?),
            None => {
                if crate::staff_keys::key_of(tx.db, actor.name(), actor.roles())?.is_some() {
                    return Err(RuleError::SignatureRequired { actor: actor.name().into() }.into());
                }
                None
            }
        }
    } else {
        None
    };
    set_status(tx, record, to)?;
    let detail = detail::CaseChange {
        from: Some(record.status.wire().into()),
        to: to.wire().into(),
        roles: Some(actor.roles().to_vec()),
        reason: reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_string),
        approval_digest: (action == Action::Approve).then(|| facts.approval_digest.clone()),
        files: None,
        handover: note.handover,
        to_follow: note.to_follow,
        signature,
    };
    tx.append(&NewEvent {
        actor: actor.name(),
        action: action.into(),
        case_number: Some(&record.number),
        digest_before: Some(&record.digest),
        digest_after: Some(&record.digest),
        detail: detail::value_of(action.into(), &detail),
    })?;
    Ok(CaseRecord { status: to, updated_at: tx.at.clone(), ..record.clone() })
}

/// A step done outside certdesk, inside the caller's write transaction: by an account with the
/// step's role, on an approved case whose approval still covers it.
fn confirm_in(tx: &mut Tx<'_>, case: &LoadedCase, actor: &Actor, role: workflow::Role, confirmed: &detail::StepConfirmed) -> Result<(), ActError> {
    let (record, facts) = (&case.record, &case.facts);
    actor.require("step", &[role])?;
    if !matches!(record.status, Status::Approved | Status::KeyIssued | Status::Delivered) {
        return Err(RuleError::NotApproved { status: record.status }.into());
    }
    if !facts.approval_holds() {
        return Err(RuleError::ApprovalVoid { approved: facts.approved.clone().unwrap_or_else(|| "never".into()), current: facts.approval_digest.clone() }.into());
    }
    tx.append(&NewEvent::new(actor.name(), AuditAction::StepDone, confirmed).on_case(&record.number))?;
    Ok(())
}

/// Moves the stored status of a case, guarded by what it was read as.
fn set_status(tx: &mut Tx<'_>, record: &CaseRecord, to: Status) -> Result<(), StoreError> {
    let changed = tx.db.exec(
        "changing a case's status",
        "UPDATE cases SET status = ?1, updated_at = ?2 WHERE number = ?3 AND status = ?4 AND digest = ?5",
        args![to.wire(), tx.at.as_str(), record.number.as_str(), record.status.wire(), record.digest.as_str()],
    )?;
    if changed != 1 {
        return Err(StoreError::ChangedMeanwhile { number: record.number.to_string(), during: crate::refusal::Meanwhile::Action });
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
    /// What the key desk keeps (the issued certificate) for certificate `cert`: a key clerk on
    /// an approved case; the event names the certificate.
    KeyDesk { cert: u32 },
}

impl Store {
    /// Takes a workflow action as `actor`: the state machine, the actor's roles, four-eyes
    /// (nobody who ever shaped the case approves it), a required reason and, for issuing, an
    /// approval of the current data and files are all checked in the transaction that writes.
    pub fn act(&mut self, number: &CaseNumber, action: Action, actor: &Actor, reason: Option<&str>) -> Result<CaseRecord, ActError> {
        self.act_with(number, action, actor, reason, ActNote::default())
    }

    /// [`Store::act`] with what the move records besides: a hand-over (`deliver`), the
    /// materials to follow (`submit`, `approve`), an approval's verified signature (#31: an
    /// account that must use its key approves only with a signature over the approval statement
    /// that its enrolled key made; `RuleError::SignatureRequired` without one, `SignatureRefused`
    /// for one that does not hold, a case changed since it was signed included).
    pub fn act_with(&mut self, number: &CaseNumber, action: Action, actor: &Actor, reason: Option<&str>, note: ActNote) -> Result<CaseRecord, ActError> {
        self.act_decided(number, action, actor, reason, note, |_| Ok::<_, ActError>(None))
    }

    /// [`Store::act_with`] with the caller's own conditions on the move (#75: the materials,
    /// the money, the seal samples): `decide` is asked on the case as the transaction loaded it,
    /// after the state machine and the workflow's authorisation, and before anything is
    /// written; what it answers is the materials to follow the move records (else `note`'s).
    /// The case is read once, in the transaction that writes.
    pub fn act_decided<E: From<ActError> + From<StoreError>>(
        &mut self,
        number: &CaseNumber,
        action: Action,
        actor: &Actor,
        reason: Option<&str>,
        note: ActNote,
        decide: impl FnOnce(&LoadedCase) -> Result<Option<Vec<String>>, E>,
    ) -> Result<CaseRecord, E> {
        self.write_loaded(number, |tx, case| {
            // the move itself may be refused (wrong status, one's own case): said before the
            // caller's conditions
            let allowed = allowed_move(case, action, actor, reason)?;
            let to_follow = decide(case)?.or(note.to_follow);
            Ok(move_in(tx, case, allowed, actor, reason, ActNote { to_follow, ..note })?)
        })
    }

    /// Does a step of the case's plan that is no key-desk operation (#75): `decide` answers
    /// what it writes, on the case as the transaction loaded it (whether the step is the
    /// case's next, what it records), so the plan read and the write are one.
    pub fn write_step<E: From<ActError> + From<StoreError>>(
        &mut self,
        number: &CaseNumber,
        actor: &Actor,
        decide: impl FnOnce(&LoadedCase) -> Result<StepWrite, E>,
    ) -> Result<CaseRecord, E> {
        self.write_loaded(number, |tx, case| match decide(case)? {
            StepWrite::Move { allowed, note } => Ok(move_in(tx, case, allowed, actor, None, *note)?),
            StepWrite::Confirm { role, confirmed } => {
                confirm_in(tx, case, actor, role, &confirmed)?;
                Ok(case.record.clone())
            }
        })
    }

    /// Replaces the case data (already validated) as `actor`, a clerk; an approved case goes
    /// back to review.
    pub fn edit(&mut self, number: &CaseNumber, data: &CaseData, actor: &Actor) -> Result<CaseRecord, ActError> {
        self.write_case(number, |tx, record, facts| edit_in(tx, record, facts, data, actor))
    }

    /// Keeps `files` with the case as `actor`, each recorded as `attachment_added`, and then
    /// `event` (e.g. the seal sheet's verdict) — all in one transaction, or nothing. Case files
    /// are accepted only while the case is editable (an approved case goes back to review);
    /// key-desk files only from a key clerk on a case whose approval holds.
    pub fn attach(&mut self, number: &CaseNumber, kind: FileKind, files: &[NewFile<'_>], event: Option<EventBody>, actor: &Actor) -> Result<Vec<AttachmentInfo>, ActError> {
        self.attach_checked(number, kind, files, event, actor, None)
    }

    /// [`Store::attach`] only while `still` accepts the case's history as the transaction
    /// reads it: what a caller decided on a read before (the seal sheet a clerk's acceptance
    /// is of is still the newest, #34) holds when the files are written; refused with what
    /// `still` answers otherwise, nothing written.
    pub fn attach_if(
        &mut self,
        number: &CaseNumber,
        kind: FileKind,
        files: &[NewFile<'_>],
        event: Option<EventBody>,
        actor: &Actor,
        still: &HistoryCheck<'_>,
    ) -> Result<Vec<AttachmentInfo>, ActError> {
        self.attach_checked(number, kind, files, event, actor, Some(still))
    }

    fn attach_checked(
        &mut self,
        number: &CaseNumber,
        kind: FileKind,
        files: &[NewFile<'_>],
        event: Option<EventBody>,
        actor: &Actor,
        still: Option<&HistoryCheck<'_>>,
    ) -> Result<Vec<AttachmentInfo>, ActError> {
        for f in files {
            files::check_file(f)?;
        }
        self.write_loaded(number, |tx, case| {
            let (record, facts) = (&case.record, &case.facts);
            if let Some(still) = still {
                still(&case.history)?;
            }
            let to = match kind {
                FileKind::Case => workflow::authorize_attach(actor, facts)?,
                FileKind::KeyDesk { cert } => {
                    workflow::authorize_key_step(actor, facts, false, Some(cert))?;
                    record.status
                }
            };
            let event = match (event, kind) {
                (Some(mut body), FileKind::KeyDesk { cert }) => {
                    tag_cert(&mut body, facts.cert(cert)?);
                    Some(body)
                }
                (event, _) => event,
            };
            let mut out = Vec::new();
            for f in files {
                out.push(files::insert(tx, &record.number, f, actor.name())?);
            }
            let evented = event.is_some();
            if let Some(mut body) = event {
                // the detail types of file events have `from` and `to` for this
                if to != record.status {
                    body.detail["from"] = record.status.wire().into();
                    body.detail["to"] = to.wire().into();
                }
                tx.append(&NewEvent::with_body(actor.name(), body).on_case(&record.number))?;
            }
            if to != record.status {
                set_status(tx, record, to)?;
                if !evented {
                    let detail = detail::CaseChange { files: Some(files.iter().map(|f| f.name.to_string()).collect()), ..detail::CaseChange::moved(record.status, to) };
                    tx.append(&NewEvent::new(actor.name(), AuditAction::FilesChanged, &detail).on_case(&record.number))?;
                }
            }
            Ok(out)
        })
    }

    /// Keeps several certificates' key-desk files at once, each with its event (the CA's
    /// answers imported as a batch, #28): every one checked by the rules and written in one
    /// transaction, so a batch is kept whole or not at all. None of them may move the case.
    pub fn attach_each(&mut self, number: &CaseNumber, items: Vec<(u32, NewFile<'_>, EventBody)>, actor: &Actor) -> Result<Vec<AttachmentInfo>, ActError> {
        for (_, f, _) in &items {
            files::check_file(f)?;
        }
        self.write_case(number, |tx, record, facts| {
            let mut out = Vec::new();
            for (cert, file, mut body) in items {
                workflow::authorize_key_step(actor, facts, false, Some(cert))?;
                tag_cert(&mut body, facts.cert(cert)?);
                out.push(files::insert(tx, &record.number, &file, actor.name())?);
                tx.append(&NewEvent::with_body(actor.name(), body).on_case(&record.number))?;
            }
            Ok(out)
        })
    }

    /// Records a key-desk step done on a token (`token_initialized`, `key_generated`,
    /// `certificate_written`, `seal_written`…) for certificate `cert` (named in the event;
    /// none for an unlock or a wipe), checking the rules again in the transaction that appends
    /// it. The `certificate_written` that leaves no certificate unfinished (every one written
    /// or withdrawn) moves an approved case to key_issued.
    pub fn record_key_step(&mut self, number: &CaseNumber, actor: &Actor, mut body: EventBody, new_key: bool, cert: Option<u32>) -> Result<CaseRecord, ActError> {
        let action = body.action;
        if !action.is_key_step() {
            return Err(StoreError::Internal { what: "not a key-desk step", detail: action.wire().to_string() }.into());
        }
        if action.is_cert_round() != cert.is_some() {
            return Err(StoreError::Internal {
                what: if cert.is_some() { "a key-desk step that does not name a certificate was given one" } else { "a key-desk step that names a certificate was given none" },
                detail: action.wire().to_string(),
            }
            .into());
        }
        self.write_case(number, |tx, record, facts| {
            workflow::authorize_key_step(actor, facts, new_key, cert)?;
            let mut after = facts.clone();
            if let Some(index) = cert {
                tag_cert(&mut body, facts.cert(index)?);
                if action == AuditAction::CertificateWritten {
                    after.certs.iter_mut().filter(|c| c.index == index).for_each(|c| c.written = true);
                }
            }
            tx.append(&NewEvent::with_body(actor.name(), body).on_case(&record.number))?;
            if action != AuditAction::CertificateWritten || record.status != Status::Approved || !after.all_issued() {
                return Ok(record.clone());
            }
            issue_keys(tx, record, actor, &after)
        })
    }

    /// A supervisor withdraws certificate `cert` of a case before its key is made (an employee
    /// left), with a reason (`workflow::authorize_withdraw`). When every other certificate is
    /// written, the case's keys are issued (key_issued), as if the last one had been written.
    pub fn withdraw_cert(&mut self, number: &CaseNumber, actor: &Actor, cert: u32, reason: &str) -> Result<CaseRecord, ActError> {
        self.write_case(number, |tx, record, facts| {
            workflow::authorize_withdraw(actor, facts, cert, reason)?;
            let c = facts.cert(cert)?;
            let detail = detail::CertWithdrawn { cert, holder: c.holder.clone(), holder_id: c.holder_id.clone(), reason: reason.trim().into(), roles: actor.roles().to_vec() };
            tx.append(&NewEvent::new(actor.name(), AuditAction::CertWithdrawn, &detail).on_case(&record.number))?;
            let mut after = facts.clone();
            after.certs.iter_mut().filter(|c| c.index == cert).for_each(|c| c.withdrawn = true);
            if record.status != Status::Approved || !after.all_issued() {
                return Ok(record.clone());
            }
            // the supervisor's withdrawal completes the keys a key clerk made
            let to = status::next(record.status, Action::IssueKey).map_err(StoreError::from)?;
            set_status(tx, record, to)?;
            let change =
                detail::CaseChange { roles: Some(actor.roles().to_vec()), reason: Some(format!("certificate {cert} withdrawn")), ..detail::CaseChange::moved(record.status, to) };
            tx.append(&NewEvent::new(actor.name(), AuditAction::IssueKey, &change).on_case(&record.number))?;
            Ok(CaseRecord { status: to, updated_at: tx.at.clone(), ..record.clone() })
        })
    }

    /// Records a step done outside certdesk (a revocation in the CA's system, a mobile
    /// certificate activated) on an approved case whose approval still covers it, by an account
    /// with the step's role.
    pub fn confirm_step(&mut self, number: &CaseNumber, actor: &Actor, role: workflow::Role, confirmed: &detail::StepConfirmed) -> Result<(), ActError> {
        self.write_loaded(number, |tx, case| confirm_in(tx, case, actor, role, confirmed))
    }

    /// A supervisor allows a second key for a certificate that was written (its first key lost
    /// or broken), with a reason; the approval still has to cover the data and files. `cert`
    /// may be left out when one certificate is written.
    pub fn reissue(&mut self, number: &CaseNumber, actor: &Actor, reason: &str, cert: Option<u32>) -> Result<u32, ActError> {
        self.write_case(number, |tx, record, facts| {
            let index = workflow::authorize_reissue(actor, facts, cert, reason)?;
            let c = facts.cert(index)?;
            let detail = detail::Reissued { reason: reason.trim().into(), roles: actor.roles().to_vec(), cert: Some(index), holder: Some(c.holder.clone()) };
            tx.append(&NewEvent::new(actor.name(), AuditAction::Reissue, &detail).on_case(&record.number))?;
            Ok(index)
        })
    }

    /// Records the unit's proof by its own certificate (#74): the case data with the proof, as
    /// the desk decided it from the case `read` (refused when the case changed since), and the
    /// `unit_proved` event, in one transaction.
    pub fn prove_unit(&mut self, number: &CaseNumber, read: &str, data: &CaseData, proved: &detail::UnitProved, actor: &Actor) -> Result<CaseRecord, ActError> {
        self.write_case(number, |tx, record, facts| {
            if record.digest != read {
                return Err(StoreError::ChangedMeanwhile { number: record.number.to_string(), during: crate::refusal::Meanwhile::UnitProof }.into());
            }
            let edited = edit_in(tx, record, facts, data, actor)?;
            tx.append(&NewEvent {
                actor: actor.name(),
                action: AuditAction::UnitProved,
                case_number: Some(&record.number),
                digest_before: Some(&edited.digest),
                digest_after: Some(&edited.digest),
                detail: detail::value_of(AuditAction::UnitProved, proved),
            })?;
            Ok(edited)
        })
    }

    /// Records an event on a case that changes nothing in it (forms printed), by any signed-in
    /// account with a role, on an open case.
    pub fn note(&mut self, number: &CaseNumber, actor: &Actor, body: EventBody) -> Result<(), ActError> {
        self.write_case(number, |tx, record, _| {
            if actor.roles().is_empty() {
                return Err(ActError::Store(StoreError::NoRole { name: actor.name().to_string() }));
            }
            tx.append(&NewEvent::with_body(actor.name(), body).on_case(&record.number))?;
            Ok(())
        })
    }
}

impl Store {
    /// Runs `change` on case `number` inside one write transaction: the case as stored and the
    /// workflow's facts are read in that transaction, so what `change` checks is what it
    /// changes; `tx.at` is the time of the events it appends.
    pub(crate) fn write_case<T>(&mut self, number: &CaseNumber, change: impl FnOnce(&mut Tx<'_>, &CaseRecord, &CaseFacts) -> Result<T, ActError>) -> Result<T, ActError> {
        self.write_loaded(number, |tx, case| change(tx, &case.record, &case.facts))
    }

    /// A case as one read loads it: the stored case, its chain, its files and the workflow's
    /// facts (what a view of the case or its plan is computed from).
    pub fn load(&self, number: &CaseNumber) -> Result<LoadedCase, StoreError> {
        self.read(|db| load_case(db, number))
    }

    /// [`Store::write_case`] with the whole case as loaded (its chain and files too), read once.
    pub(crate) fn write_loaded<T, E: From<StoreError>>(&mut self, number: &CaseNumber, change: impl FnOnce(&mut Tx<'_>, &LoadedCase) -> Result<T, E>) -> Result<T, E> {
        self.write(|tx| {
            let case = load_case(tx.db, number)?;
            change(tx, &case)
        })
    }
}

/// An edit inside the caller's write transaction (`Store::edit`, a confirmed payment): the case
/// data replaced as `actor`, a clerk, an approved case back to review, the search rows and
/// clock facts rewritten, an `edit` event appended.
pub(crate) fn edit_in(tx: &mut Tx<'_>, record: &CaseRecord, facts: &CaseFacts, data: &CaseData, actor: &Actor) -> Result<CaseRecord, ActError> {
    let to = status::next(record.status, Action::Edit).map_err(StoreError::from)?;
    workflow::authorize(actor, Action::Edit, facts, None)?;
    let untagged = facts.certs.len() == 1 && certdesk_domain::certs::certificates(&record.data).len() > 1;
    workflow::check_annex_frozen(facts, &certdesk_domain::certs::on_chain(&record.data, untagged), &certdesk_domain::certs::on_chain(data, untagged))?;
    let canonical = data.canonical_json();
    let row = tx.db.one("reading a case", "SELECT id, salt FROM cases WHERE number = ?1", args![record.number.as_str()])?;
    let (id, salt) = (row.int(0)?, row.opt_text(1)?);
    let digest = crate::audit::case_digest(salt.as_deref(), &canonical);
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
            actor.name(),
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
        return Err(StoreError::ChangedMeanwhile { number: record.number.to_string(), during: crate::refusal::Meanwhile::Edit }.into());
    }
    index_case(tx.db, id, record.number.as_str(), data, true)?;
    tx.append(&NewEvent {
        actor: actor.name(),
        action: AuditAction::Edit,
        case_number: Some(&record.number),
        digest_before: Some(&record.digest),
        digest_after: Some(&digest),
        detail: detail::value_of(AuditAction::Edit, &detail::CaseChange::moved(record.status, to)),
    })?;
    Ok(CaseRecord { status: to, data: data.clone(), digest, updated_at: tx.at.clone(), updated_by: actor.name().to_string(), ..record.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: i64, action: &str) -> AuditEvent {
        AuditEvent {
            seq,
            at: String::new(),
            actor: "li".into(),
            action: action.into(),
            case_number: None,
            digest_before: None,
            digest_after: None,
            detail: serde_json::json!({ "approval_digest": format!("d{seq}") }),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn in_force(actions: &[&str]) -> Option<i64> {
        let history: Vec<AuditEvent> = actions.iter().enumerate().map(|(i, a)| event(i as i64, a)).collect();
        approval_in_force(&history).map(|ev| ev.seq)
    }

    #[test]
    fn an_approval_holds_until_an_edit_a_return_a_cancel_or_new_files() {
        assert_eq!(in_force(&["create", "submit"]), None);
        assert_eq!(in_force(&["submit", "approve", "token_initialized", "forms_printed"]), Some(1));
        for voiding in ["edit", "return", "cancel", "files_changed"] {
            assert_eq!(in_force(&["submit", "approve", voiding]), None, "{voiding}");
            assert_eq!(in_force(&["submit", "approve", voiding, "submit", "approve"]), Some(4), "{voiding}");
        }
    }
}
