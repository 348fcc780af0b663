//! Where a case stands on its way to 归档, and the steps that are not key-desk operations.
//! Owns reading the plan (`certdesk_domain::steps`, with the route the project's catalog
//! declares) off the case's audit chain: which steps are done, which is next, who does it;
//! and doing a step: the fixed transitions, a confirmation recorded with its reference, the
//! hand-over (pickup or post, with the seeds' delivery rule) and the close, each only when it
//! is the case's next step. Key-desk steps are done in `issue`, which asks here whether the
//! case's plan has them.

use crate::DeskError;
use crate::api::{Desk, case_number};
use crate::rounds::CertState;
use certdesk_catalog::Catalog;
use certdesk_domain::steps::{StepKind, StepSpec, plan};
use certdesk_domain::workflow::{Actor, CaseFacts, Role};
use certdesk_domain::{Action, CaseData, CaseNumber, DeliveryMethod};
use certdesk_store::{ActNote, AuditAction, AuditEvent, LoadedCase, StepWrite, Store, detail};
use serde::Serialize;
use std::collections::BTreeMap;

/// One step of a case's plan and whether it is done.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct StepState {
    pub id: String,
    pub title: String,
    pub done: bool,
    /// Who does it: `clerk`, `supervisor` or `key_clerk`.
    pub role: Role,
    /// Done at the key desk (`certdesk key …`), not with `case complete`.
    pub key_desk: bool,
    /// A confirmation that records the reference of what was done elsewhere.
    pub needs_reference: bool,
    /// When it was done (the event's time, UTC).
    pub at: Option<String>,
}

/// `certdesk --json case steps`: the case's plan, done or not, and the next step (`None` once
/// the case is closed or cancelled).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct CaseSteps {
    pub number: String,
    pub status: String,
    /// The case's plan; a key-desk step of a certificate round is `done` when it is done for
    /// every certificate not withdrawn.
    pub steps: Vec<StepState>,
    /// The next step: the next of the first unfinished certificate while keys are being made.
    pub next: Option<String>,
    /// Every certificate of the case, in index order (#28).
    pub certs: Vec<crate::rounds::CertState>,
}

impl CaseSteps {
    fn step(&self, id: &str) -> Option<&StepState> {
        self.steps.iter().find(|s| s.id == id)
    }
}

/// What `case complete` records besides the step: the reference of a confirmation, the courier
/// and waybill of a key sent by post, who collected a key at the counter.
#[derive(Debug, Clone, Default)]
pub struct Completion {
    pub reference: Option<String>,
    pub courier: Option<String>,
    pub waybill: Option<String>,
    pub recipient: Option<String>,
    pub recipient_id: Option<String>,
    /// approve: the supervisor accepts the materials to follow
    pub accept_to_follow: bool,
}

/// A case's plan, and each certificate's key round: the steps of its own row's route (#71: an
/// annex row of 续期 renews onto the holder's key, one of 新申请 starts with a new key).
struct Plan {
    specs: Vec<StepSpec>,
    /// certificate index → the ids of its round's steps
    rounds: BTreeMap<u32, Vec<String>>,
}

impl Plan {
    fn round_of(&self, cert: u32) -> impl Iterator<Item = &StepSpec> {
        let own = self.rounds.get(&cert);
        self.specs.iter().filter(move |s| s.kind.is_cert_round() && own.is_none_or(|ids| ids.contains(&s.id)))
    }

    fn has_in_round(&self, cert: u32, id: &str) -> bool {
        self.round_of(cert).any(|s| s.id == id)
    }
}

fn case_plan(catalog: &Catalog, case: &LoadedCase) -> Result<Plan, DeskError> {
    let data = &case.record.data;
    let project = crate::intake::project(catalog, &data.project)?;
    let seal_names = crate::issue::seal_images_in(&case.files);
    let has_seal = !seal_names.is_empty();
    let plan_of = |business| plan(&project.route_for(business, data.medium, data.cert_kind).0, has_seal, project.dual_certificate());
    let own = plan_of(data.business);
    let certs = certdesk_domain::certs::certificates(data);
    let row_plans: BTreeMap<u32, Vec<StepSpec>> = certs.iter().filter(|c| c.business != data.business).map(|c| (c.index, plan_of(c.business))).collect();
    let round_ids = |p: &[StepSpec]| p.iter().filter(|s| s.kind.is_cert_round()).map(|s| s.id.clone()).collect::<Vec<_>>();
    // a holder with no seal image of their own (an employee whose signature the sheet lacks)
    // has no seal step in their round (#74: each seal to its own key)
    let seal_ids: Vec<String> = own.iter().chain(row_plans.values().flatten()).filter(|s| s.kind == StepKind::SealWrite).map(|s| s.id.clone()).collect();
    let together = crate::issue::legal_rep_on_unit_key(catalog, data);
    let rounds = certs
        .iter()
        .map(|c| {
            let mut ids = row_plans.get(&c.index).map_or_else(|| round_ids(&own), |p| round_ids(p));
            if crate::issue::seal_images_for(data.cert_kind, c.index, &seal_names, together).is_empty() {
                ids.retain(|id| !seal_ids.contains(id));
            }
            (c.index, ids)
        })
        .collect();
    let specs = certdesk_domain::steps::merge(own, &row_plans.into_values().collect::<Vec<_>>());
    Ok(Plan { specs, rounds })
}

/// The case's plan with what is done, read off its audit chain: the case's steps once, the
/// key-desk steps of a certificate round per certificate (`rounds`).
pub(crate) fn steps(store: &Store, catalog: &Catalog, number: &str) -> Result<CaseSteps, DeskError> {
    steps_of(catalog, &store.load(&case_number(number)?)?)
}

/// [`steps`] of a case as loaded.
pub(crate) fn steps_of(catalog: &Catalog, case: &LoadedCase) -> Result<CaseSteps, DeskError> {
    Ok(steps_in(&case_plan(catalog, case)?, case))
}

fn steps_in(plan: &Plan, case: &LoadedCase) -> CaseSteps {
    let LoadedCase { record, history, facts, .. } = case;
    let number = &record.number;
    let certs = cert_states(plan, history, facts);
    let specs = &plan.specs;
    let steps: Vec<StepState> = specs
        .iter()
        .map(|spec| {
            let (done, at) = if spec.kind.is_cert_round() {
                let open: Vec<&CertState> = certs.iter().filter(|c| !c.withdrawn).collect();
                // a row whose own round lacks the step (a 续期 row's 初始化Key) has nothing to do
                let having: Vec<&&CertState> = open.iter().filter(|c| plan.has_in_round(c.index, &spec.id)).collect();
                let done_in = |c: &&&CertState| c.steps.iter().find(|s| s.id == spec.id).filter(|s| s.done).and_then(|s| s.at.clone());
                let ats: Vec<String> = having.iter().filter_map(done_in).collect();
                (!open.is_empty() && ats.len() == having.len(), ats.into_iter().max())
            } else {
                let event = done_by(spec, history, facts);
                (event.is_some(), event.map(|e| e.at.clone()))
            };
            state(spec, done, at)
        })
        .collect();
    let next = if !record.status.is_open() {
        None
    } else {
        let first = steps.iter().find(|s| !s.done);
        match first {
            Some(s) if specs.iter().any(|p| p.id == s.id && p.kind.is_cert_round()) => {
                certs.iter().find(|c| !c.withdrawn && !c.done).and_then(|c| c.next.clone()).or(Some(s.id.clone()))
            }
            other => other.map(|s| s.id.clone()),
        }
    };
    CaseSteps { number: number.to_string(), status: record.status.wire().into(), steps, next, certs }
}

fn state(spec: &StepSpec, done: bool, at: Option<String>) -> StepState {
    StepState { id: spec.id.clone(), title: spec.title.clone(), done, role: spec.role, key_desk: spec.kind.is_key_desk(), needs_reference: spec.needs_reference, at }
}

/// Each certificate's key round: its steps of the plan, done or not, off the events that name it.
fn cert_states(plan: &Plan, history: &[AuditEvent], facts: &CaseFacts) -> Vec<CertState> {
    facts
        .certs
        .iter()
        .map(|c| {
            let events = crate::rounds::events_of(history, c.index);
            let steps: Vec<StepState> = plan
                .round_of(c.index)
                .map(|spec| {
                    let event = done_by(spec, &events, facts);
                    state(spec, event.is_some(), event.map(|e| e.at.clone()))
                })
                .collect();
            let (key_serial, key_label) = crate::rounds::round_key(&events);
            let round = crate::rounds::current_round(&events);
            let written = round.iter().rev().find(|e| e.action == AuditAction::CertificateWritten.wire() || e.action == AuditAction::CertificateImported.wire());
            let text = |e: Option<&AuditEvent>, field: &str| e.and_then(|e| e.detail.get(field)).and_then(|v| v.as_str()).map(str::to_string);
            let withdrawn_reason =
                c.withdrawn.then(|| history.iter().rev().find(|e| e.action == AuditAction::CertWithdrawn.wire() && certdesk_store::event_cert(e) == c.index)).flatten();
            let next = if c.withdrawn { None } else { steps.iter().find(|s| !s.done).map(|s| s.id.clone()) };
            CertState {
                index: c.index,
                holder: c.holder.clone(),
                key_serial,
                done: !c.withdrawn && next.is_none(),
                withdrawn: c.withdrawn,
                next,
                holder_id: c.holder_id.clone(),
                key_label,
                certificate_serial: text(written, "certificate_serial"),
                not_after: text(written, "not_after"),
                withdrawn_reason: text(withdrawn_reason, "reason"),
                steps,
            }
        })
        .collect()
}

/// The certificates of a case at the key desk, for choosing which one a command works on.
pub(crate) fn waiting_of(catalog: &Catalog, case: &LoadedCase) -> Result<(Vec<crate::rounds::Waiting>, bool), DeskError> {
    let st = steps_of(catalog, case)?;
    let LoadedCase { record, facts, .. } = case;
    let waiting = facts
        .certs
        .iter()
        .zip(&st.certs)
        .map(|(f, c)| crate::rounds::Waiting { facts: f.clone(), next: c.next.clone(), key_serial: c.key_serial.clone(), key_label: c.key_label.clone() })
        .collect();
    Ok((waiting, record.data.cert_kind == certdesk_domain::CertKind::Employee))
}

fn last(history: &[AuditEvent], action: AuditAction) -> Option<usize> {
    history.iter().rposition(|e| e.action == action.wire())
}

/// The event that did `spec`, if any. A key is made once per key-desk round: the steps count
/// from the newest initialisation (a renewal onto the applicant's key: from the newest
/// reissue), as the key desk resumes. For a certificate round's step `history` is that
/// certificate's events (`rounds::events_of`).
fn done_by<'h>(spec: &StepSpec, history: &'h [AuditEvent], facts: &CaseFacts) -> Option<&'h AuditEvent> {
    use AuditAction as A;
    let after =
        |from: Option<usize>, action: AuditAction| history.iter().enumerate().rev().find(|(i, e)| from.is_none_or(|f| *i >= f) && e.action == action.wire()).map(|(_, e)| e);
    let round = last(history, A::Reissue);
    let key_round = last(history, A::TokenInitialized).max(round);
    match spec.kind {
        StepKind::Accept => after(None, A::Accept),
        StepKind::Submit => after(last(history, A::Return), A::Submit),
        StepKind::Approve => {
            if facts.approved.is_some() && facts.approval_holds() {
                after(None, A::Approve)
            } else {
                None
            }
        }
        StepKind::KeyInit => after(round, A::TokenInitialized),
        StepKind::KeyGenerate => after(key_round, A::KeyGenerated),
        StepKind::CertImport => after(key_round, A::CertificateImported),
        StepKind::CertWrite => after(key_round, A::CertificateWritten),
        StepKind::EncImport => after(key_round, A::EncryptionImported),
        StepKind::SealWrite => after(key_round, A::SealWritten),
        StepKind::Unlock => after(None, A::TokenUnlocked),
        StepKind::Wipe => after(None, A::TokenWiped),
        StepKind::Confirm => history.iter().rev().find(|e| e.action == A::StepDone.wire() && e.detail.get("step").and_then(|s| s.as_str()) == Some(spec.id.as_str())),
        StepKind::Deliver => after(None, A::Deliver),
        StepKind::Close => after(None, A::Close),
    }
}

/// Refuses a key-desk operation the case's plan does not have (a key made for an unlock case,
/// an unlock for a new one).
pub(crate) fn require_in_plan(catalog: &Catalog, case: &LoadedCase, kind: StepKind) -> Result<(), DeskError> {
    let record = &case.record;
    let number = &record.number;
    let specs = case_plan(catalog, case)?.specs;
    if specs.iter().any(|s| s.kind == kind) {
        return Ok(());
    }
    let plan = specs.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(" → ");
    Err(DeskError::NotInPlan { number: number.to_string(), step: kind.id(), business: record.data.business.zh(), plan })
}

/// Does `step`, the case's next step, as this account, and answers the plan as it then stands.
/// Key-desk steps are refused with the command that does them. Whether the step is the case's
/// next and what it records are decided on the case as the write loads it (#75).
pub(crate) fn complete(desk: &mut Desk<'_>, catalog: &Catalog, number: &str, step: &str, with: &Completion) -> Result<CaseSteps, DeskError> {
    let number = case_number(number)?;
    let actor = desk.actor.clone();
    desk.store.write_step(&number, &actor, |case| step_write(catalog, &actor, case, step, with))?;
    steps(desk.store, catalog, number.as_str())
}

/// What doing `step` writes on the case as loaded, or why it cannot be done now.
fn step_write(catalog: &Catalog, actor: &Actor, case: &LoadedCase, step: &str, with: &Completion) -> Result<StepWrite, DeskError> {
    let (record, number) = (&case.record, &case.record.number);
    let plan = case_plan(catalog, case)?;
    let before = steps_in(&plan, case);
    let Some(spec) = plan.specs.iter().find(|s| s.id == step) else {
        let steps = plan.specs.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", ");
        return Err(DeskError::NoSuchStep { number: number.to_string(), step: step.to_string(), steps });
    };
    if before.step(step).is_some_and(|s| s.done) {
        return Err(DeskError::StepDone { number: number.to_string(), step: step.to_string(), title: spec.title.clone() });
    }
    if spec.kind.is_key_desk() {
        return Err(DeskError::KeyDeskStep { number: number.to_string(), step: step.to_string(), title: spec.title.clone(), command: key_desk_command(spec.kind) });
    }
    match before.next.as_deref() {
        None => return Err(DeskError::NoStepLeft { number: number.to_string(), status: format!("{} ({})", record.status, record.status.zh()) }),
        Some(next) if next != step => {
            let title = before.step(next).map(|s| s.title.clone()).unwrap_or_default();
            return Err(DeskError::NotNextStep { number: number.to_string(), next: next.to_string(), title, step: step.to_string() });
        }
        Some(_) => {}
    }
    let allowed = |action: Action| certdesk_store::allowed_move(case, action, actor, None);
    let moved = |action: Action, note: ActNote| -> Result<StepWrite, DeskError> { Ok(StepWrite::Move { allowed: allowed(action)?, note: Box::new(note) }) };
    // submission and approval hold the case to its materials, after the move itself is allowed
    let checked = |action: Action, accept_to_follow: bool| -> Result<StepWrite, DeskError> {
        let allowed = allowed(action)?;
        let to_follow = crate::api::conditions(catalog, action, accept_to_follow, case)?;
        Ok(StepWrite::Move { allowed, note: Box::new(ActNote { to_follow, ..Default::default() }) })
    };
    Ok(match spec.kind {
        StepKind::Accept => moved(Action::Accept, ActNote::default())?,
        StepKind::Submit => checked(Action::Submit, false)?,
        StepKind::Approve => checked(Action::Approve, with.accept_to_follow)?,
        StepKind::Confirm => {
            let reference = with.reference.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
            if spec.needs_reference && reference.is_none() {
                return Err(DeskError::ReferenceRequired { number: number.to_string(), step: step.to_string(), title: spec.title.clone() });
            }
            if let Some(r) = &reference
                && (r.chars().count() > crate::limits::REFERENCE_CHARS || r.chars().any(char::is_control))
            {
                return Err(DeskError::InvalidReference { max: crate::limits::REFERENCE_CHARS });
            }
            StepWrite::Confirm { role: spec.role, confirmed: detail::StepConfirmed { step: spec.id.clone(), title: spec.title.clone(), reference } }
        }
        StepKind::Deliver => {
            let project = crate::intake::project(catalog, &record.data.project)?;
            let handover = handover(number, &record.data, &project.rules, with)?;
            moved(Action::Deliver, ActNote { handover: Some(handover), ..Default::default() })?
        }
        StepKind::Close => moved(Action::Close, ActNote::default())?,
        _ => return Err(DeskError::KeyDeskStep { number: number.to_string(), step: step.to_string(), title: spec.title.clone(), command: key_desk_command(spec.kind) }),
    })
}

fn key_desk_command(kind: StepKind) -> &'static str {
    match kind {
        StepKind::KeyInit => "certdesk key init --case N",
        StepKind::KeyGenerate => "certdesk key gen --case N",
        StepKind::CertImport | StepKind::CertWrite => "certdesk key write-cert --case N",
        StepKind::EncImport => "certdesk key import-enc --case N",
        StepKind::SealWrite => "certdesk key write-seal --case N",
        StepKind::Unlock => "certdesk key unlock --case N",
        StepKind::Wipe => "certdesk key wipe --case N",
        _ => "the key desk",
    }
}

/// What the hand-over records, checked: a key sent by post needs its waybill (and goes only to
/// the unit's legal address where the CA says so); a key collected at the counter is collected
/// by the handler unless someone else is named with their ID number.
fn handover(number: &CaseNumber, data: &CaseData, rules: &certdesk_catalog::Rules, with: &Completion) -> Result<detail::Handover, DeskError> {
    let clean = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let method = data.delivery.as_ref().map_or(DeliveryMethod::Pickup, |d| d.method);
    match method {
        DeliveryMethod::Mail => {
            let delivery = data.delivery.as_ref();
            let waybill = clean(&with.waybill).ok_or_else(|| DeskError::WaybillRequired { number: number.to_string() })?;
            if waybill.chars().count() > crate::limits::WAYBILL_CHARS || !waybill.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(DeskError::InvalidWaybill { waybill, max: crate::limits::WAYBILL_CHARS });
            }
            let address = delivery.and_then(|d| clean(&d.address));
            mail_rule(number, data, rules, address.as_deref())?;
            Ok(detail::Handover {
                method: "mail".into(),
                recipient: delivery.and_then(|d| clean(&d.recipient)),
                recipient_id: None,
                courier: clean(&with.courier),
                waybill: Some(waybill),
                address,
            })
        }
        DeliveryMethod::Pickup => {
            let (recipient, recipient_id) = match (clean(&with.recipient), clean(&with.recipient_id)) {
                (None, None) => (data.handler.name.clone(), data.handler.id_number.clone()),
                (Some(name), Some(id)) => {
                    let id = collector_id(&id).map_err(|resident| DeskError::InvalidCollectorId { id: id.clone(), resident })?;
                    (name, id)
                }
                (Some(_), None) => {
                    return Err(DeskError::CollectorIncomplete {
                        number: number.to_string(),
                        why: "someone other than the handler collects the key: give their ID number (--recipient-id)",
                    });
                }
                (None, Some(_)) => return Err(DeskError::CollectorIncomplete { number: number.to_string(), why: "give the collector's name (--recipient) with their ID number" }),
            };
            Ok(detail::Handover { method: "pickup".into(), recipient: Some(recipient), recipient_id: Some(recipient_id), courier: None, waybill: None, address: None })
        }
    }
}

/// A collector's ID number: a resident ID (checked, GB 11643) or another document's number.
/// Refused: the resident ID's own fault, or none (neither shape).
fn collector_id(id: &str) -> Result<String, Option<certdesk_domain::ident::IdentError>> {
    let compact: String = id.split_whitespace().collect::<String>().to_uppercase();
    let looks_resident = compact.len() == 18 && compact[..17].bytes().all(|b| b.is_ascii_digit());
    if looks_resident {
        return certdesk_domain::ident::parse_at(certdesk_domain::ident::IdentKind::Ric, &compact, chrono::Local::now().date_naive()).map(|(n, _)| n).map_err(Some);
    }
    if (5..=20).contains(&compact.len()) && compact.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Ok(compact);
    }
    Err(None)
}

/// Seed 001: "证书仅回寄到单位法定地址" where the project says so.
fn mail_rule(number: &CaseNumber, data: &CaseData, rules: &certdesk_catalog::Rules, address: Option<&str>) -> Result<(), DeskError> {
    if !rules.mail_to_legal_address_only {
        return Ok(());
    }
    let legal = data.organization.as_ref().and_then(|o| o.legal_address.as_deref());
    match (address, legal) {
        (Some(a), Some(l)) if certdesk_domain::same_unit(a, l) => Ok(()),
        (_, None) => Err(DeskError::MailToLegalAddress { number: number.to_string(), why: "the case has no legal address of the unit (organization.legal_address)" }),
        _ => Err(DeskError::MailToLegalAddress { number: number.to_string(), why: "the postal address is not the unit's legal address" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_collectors_id_is_a_resident_id_or_another_documents_number_and_a_refusal_says_which() {
        assert_eq!(collector_id(" 440106 200109094066 ").as_deref(), Ok("440106200109094066"));
        assert_eq!(collector_id("g12345678").as_deref(), Ok("G12345678"), "a passport's number");
        let bad_check = collector_id("440106200109094067").unwrap_err();
        assert!(bad_check.is_some(), "a resident ID's own fault: {bad_check:?}");
        assert_eq!(collector_id("12"), Err(None), "neither shape");
        let said = DeskError::InvalidCollectorId { id: "12".into(), resident: None };
        assert!(said.to_string().contains("5-20 letters and digits"), "{said}");
        assert_eq!(said.kind().as_str(), "invalid_collector_id");
    }
}
