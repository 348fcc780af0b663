//! A case's certificates at the key desk (#28): each certificate (`certdesk_domain::certs`) has
//! its own key round, read off the events that name it; this module owns that reading (which
//! events are a certificate's, where its round stands, its key's serial and label, its
//! certificate) and choosing the certificate a key-desk command works on (`--cert K`,
//! `--employee K`, or the next one waiting for the step, preferring the plugged key's). The
//! rules (who, when, a second round) are the workflow's, checked by the store; the steps'
//! order is `steps`.

use crate::DeskError;
use certdesk_domain::CaseNumber;
use certdesk_domain::steps::StepKind;
use certdesk_domain::workflow::CertFacts;
use certdesk_store::{AuditAction, AuditEvent, event_cert};
use serde::Serialize;

/// The events of certificate `cert`'s key rounds and reissues, in chain order (events that
/// name no certificate are certificate 1's: written before a case could have several).
pub fn events_of(history: &[AuditEvent], cert: u32) -> Vec<AuditEvent> {
    history.iter().filter(|e| AuditAction::from_wire(&e.action).is_some_and(|a| a.is_cert_round() || a == AuditAction::Reissue) && event_cert(e) == cert).cloned().collect()
}

/// The events of a certificate's current round: from its newest initialisation or reissue.
pub fn current_round(events: &[AuditEvent]) -> &[AuditEvent] {
    let start = events.iter().rposition(|e| e.action == AuditAction::TokenInitialized.wire() || e.action == AuditAction::Reissue.wire()).unwrap_or(0);
    &events[start..]
}

/// The key of a certificate's current round, as its events recorded it: serial and label.
pub fn round_key(events: &[AuditEvent]) -> (Option<String>, Option<String>) {
    let round = current_round(events);
    let field = |name: &str| {
        round
            .iter()
            .filter(|e| e.action == AuditAction::TokenInitialized.wire() || e.action == AuditAction::KeyGenerated.wire())
            .find_map(|e| e.detail.get(name).and_then(|v| v.as_str()).map(str::to_string))
    };
    (field("token_serial"), field("token_label"))
}

/// Whether a certificate of the batch (not withdrawn) still has its key to initialise: what
/// the batch's SO PIN is for.
pub fn needs_key_init(certs: &[CertState]) -> bool {
    certs.iter().any(|c| !c.withdrawn && c.next.as_deref() == Some(StepKind::KeyInit.id()))
}

/// Which certificate a key-desk command works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertChoice {
    /// `--cert K` (1-based)
    Given(u32),
    /// `--employee K`: the same index, for an employee case only
    Employee(u32),
    /// The first certificate waiting for the step (the plugged key's when it has one waiting).
    Next,
}

impl CertChoice {
    /// From the command line's `--cert K` and `--employee K` (at most one of them).
    pub fn from_flags(cert: Option<u32>, employee: Option<u32>) -> CertChoice {
        match (cert, employee) {
            (Some(k), _) => CertChoice::Given(k),
            (None, Some(k)) => CertChoice::Employee(k),
            (None, None) => CertChoice::Next,
        }
    }
}

/// One certificate at the key desk, for choosing: its facts, its next key-desk step and its
/// current round's key.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub facts: CertFacts,
    pub next: Option<String>,
    pub key_serial: Option<String>,
    pub key_label: Option<String>,
}

/// The certificate `choice` names, checked against the case: it exists (and `--employee` only
/// on an employee case); with `Next`, the first not withdrawn whose next step is `step`,
/// preferring the one whose round's key is `plugged`.
/// `holds`: the certificate whose holder the plugged key's own certificate names (a key brought
/// back), preferred next after the plugged key's own round.
pub fn choose(
    number: &CaseNumber,
    employee_case: bool,
    certs: &[Waiting],
    choice: CertChoice,
    step: StepKind,
    plugged: Option<&str>,
    holds: Option<u32>,
) -> Result<u32, DeskError> {
    let count = certs.len() as u32;
    let exists = |k: u32| {
        if (1..=count).contains(&k) { Ok(k) } else { Err(DeskError::NoSuchCert { number: number.to_string(), cert: k, count }) }
    };
    match choice {
        CertChoice::Given(k) => exists(k),
        CertChoice::Employee(_) if !employee_case => Err(DeskError::NotEmployeeCase { number: number.to_string() }),
        CertChoice::Employee(k) => exists(k),
        CertChoice::Next => {
            let waiting: Vec<&Waiting> = certs.iter().filter(|c| !c.facts.withdrawn && c.next.as_deref() == Some(step.id())).collect();
            let plugged_one = plugged.and_then(|serial| waiting.iter().find(|c| c.key_serial.as_deref() == Some(serial)));
            // the plugged key's own certificate, for a step that does not make a key (writing
            // its certificate or seal image again)
            let own = plugged
                .filter(|_| !matches!(step, StepKind::KeyInit | StepKind::KeyGenerate))
                .and_then(|serial| certs.iter().find(|c| !c.facts.withdrawn && c.key_serial.as_deref() == Some(serial)));
            // a new key for a certificate already written: the rules say a reissue is needed
            let written = matches!(step, StepKind::KeyInit | StepKind::KeyGenerate).then(|| certs.iter().find(|c| !c.facts.withdrawn && c.facts.written)).flatten();
            // a key pair on a key initialised outside the case (the applicant's own): the first
            // certificate without a key
            let keyless = (step == StepKind::KeyGenerate).then(|| certs.iter().find(|c| !c.facts.withdrawn && c.next.as_deref() == Some(StepKind::KeyInit.id()))).flatten();
            let holders = holds.and_then(|k| waiting.iter().find(|c| c.facts.index == k)).copied();
            match plugged_one.copied().or(holders).or(waiting.first().copied()).or(own).or(keyless).or(written) {
                Some(c) => Ok(c.facts.index),
                None => Err(DeskError::NoCertWaiting {
                    number: number.to_string(),
                    step: step.id(),
                    states: certs
                        .iter()
                        .map(|c| {
                            let state = if c.facts.withdrawn { "withdrawn".to_string() } else { c.next.clone().unwrap_or_else(|| "done".into()) };
                            format!("{} {}: {state}", c.facts.index, c.facts.holder)
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                }),
            }
        }
    }
}

/// The certificate of the case whose holder the plugged key's own certificates name (an
/// applicant's key brought back for 续费 or a unit's 集中更新): the holder's ID number as a
/// subject's `serialNumber` (or anywhere in it), else the holder's name as its `CN` when no
/// other certificate of the case has that name. Withdrawn certificates are not looked at.
pub fn holder_on_key(certs: &[CertFacts], subjects: &[String]) -> Option<u32> {
    use certdesk_token::cert::name_attr;
    let open = || certs.iter().filter(|c| !c.withdrawn);
    let names_id = |id: &str| subjects.iter().any(|s| name_attr(s, "serialNumber").iter().any(|v| v == id) || s.contains(id));
    let by_id = || {
        let named: Vec<&CertFacts> = open().filter(|c| c.holder_id.as_deref().is_some_and(names_id)).collect();
        match named.as_slice() {
            // the same subject for every certificate (a quantity of N) names none of them
            [one] if certs.iter().filter(|c| c.holder_id == one.holder_id).count() == 1 => Some(*one),
            _ => None,
        }
    };
    let by_name = || {
        let named: Vec<&CertFacts> = open().filter(|c| subjects.iter().any(|s| name_attr(s, "CN").contains(&c.holder))).collect();
        match named.as_slice() {
            [one] if certs.iter().filter(|c| c.holder == one.holder).count() == 1 => Some(*one),
            _ => None,
        }
    };
    by_id().or_else(by_name).map(|c| c.index)
}

/// The plugged key is the one certificate `cert`'s round was made on, or a refusal naming
/// whose key it is and which to plug.
pub fn require_key(number: &CaseNumber, certs: &[Waiting], cert: u32, plugged_serial: &str, plugged_label: &str) -> Result<(), DeskError> {
    let Some(this) = certs.iter().find(|c| c.facts.index == cert) else { return Ok(()) };
    let Some(expected) = this.key_serial.as_deref() else { return Ok(()) };
    if expected == plugged_serial {
        return Ok(());
    }
    let whose = certs
        .iter()
        .find(|c| c.key_serial.as_deref() == Some(plugged_serial))
        .map(|c| format!("{}'s key (certificate {}, serial {plugged_serial}, label {plugged_label})", c.facts.holder, c.facts.index))
        .unwrap_or_else(|| format!("not a key of this case (serial {plugged_serial}, label {plugged_label})"));
    Err(DeskError::WrongKey {
        number: number.to_string(),
        plugged: whose,
        expected: format!("{}'s key (certificate {cert}, label {}, serial {expected})", this.facts.holder, this.key_label.as_deref().unwrap_or("?")),
    })
}

/// A key brought back whose own certificate names another holder of the case (`holds`) is not
/// the key for certificate `cert`'s key pair: refused naming both.
pub fn require_holder(number: &CaseNumber, certs: &[Waiting], cert: u32, holds: Option<u32>, plugged_serial: &str, plugged_label: &str) -> Result<(), DeskError> {
    let (Some(k), Some(this)) = (holds, certs.iter().find(|c| c.facts.index == cert)) else { return Ok(()) };
    let Some(other) = certs.iter().find(|c| c.facts.index == k).filter(|_| k != cert) else { return Ok(()) };
    Err(DeskError::WrongKey {
        number: number.to_string(),
        plugged: format!("{}'s key (it holds their certificate; certificate {k}, serial {plugged_serial}, label {plugged_label})", other.facts.holder),
        expected: format!("{}'s key (certificate {cert})", this.facts.holder),
    })
}

/// A blank key about to be initialised for certificate `cert` is not another certificate's key
/// of this case (initialising it would destroy that holder's key).
pub fn require_not_taken(number: &CaseNumber, certs: &[Waiting], cert: u32, plugged_serial: &str) -> Result<(), DeskError> {
    match certs.iter().find(|c| c.facts.index != cert && !c.facts.withdrawn && c.key_serial.as_deref() == Some(plugged_serial)) {
        Some(other) => Err(DeskError::KeyTaken { number: number.to_string(), serial: plugged_serial.to_string(), holder: other.facts.holder.clone(), cert: other.facts.index }),
        None => Ok(()),
    }
}

/// The default label of certificate `cert`'s key: `<case number>-<K>` (ASCII, unique, short).
pub fn default_label(number: &CaseNumber, cert: u32) -> String {
    format!("{number}-{cert}")
}

/// Where one certificate stands, as `case steps` and the key desk show it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct CertState {
    pub index: u32,
    pub holder: String,
    pub key_serial: Option<String>,
    /// Written, and every later step of its round done (the encryption pair, the seal image).
    pub done: bool,
    pub withdrawn: bool,
    /// Its next key-desk step's id; none when done or withdrawn.
    pub next: Option<String>,
    pub holder_id: Option<String>,
    pub key_label: Option<String>,
    pub certificate_serial: Option<String>,
    pub not_after: Option<String>,
    pub withdrawn_reason: Option<String>,
    /// Its key round's steps.
    pub steps: Vec<crate::steps::StepState>,
}

/// The certificate the key desk shows when the clerk names none, in the order a batch is
/// worked (#28): the plugged key's own certificate while it has a step at the desk (not while
/// it waits for the CA); else the first waiting for its key to be made (blank keys are plugged
/// one after another and the requests go to the CA together); else the first waiting to be
/// written; else the first waiting for the CA's answer; else the first.
pub fn desk_order(certs: &[CertState], plugged: Option<&str>, holds: Option<u32>) -> Option<u32> {
    let open = || certs.iter().filter(|c| !c.withdrawn && !c.done);
    let at = |c: &&CertState, steps: &[StepKind]| c.next.as_deref().is_some_and(|n| steps.iter().any(|s| s.id() == n));
    let making = [StepKind::KeyInit, StepKind::KeyGenerate];
    let plugged_own = plugged.and_then(|serial| open().find(|c| c.key_serial.as_deref() == Some(serial) && !at(c, &[StepKind::CertImport])));
    // a key brought back for renewal: its holder's certificate, while its key pair is to make
    let holders = holds.and_then(|k| open().find(|c| c.index == k && c.key_serial.is_none() && at(c, &making)));
    plugged_own
        .or(holders)
        .or_else(|| open().find(|c| at(c, &making)))
        .or_else(|| open().find(|c| !at(c, &[StepKind::CertImport])))
        .or_else(|| open().next())
        .or_else(|| certs.iter().find(|c| !c.withdrawn))
        .or(certs.first())
        .map(|c| c.index)
}

/// Where a case's batch of certificates stands at the key desk, for the desk's queue.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct BatchView {
    /// Certificates not withdrawn.
    pub total: u32,
    /// Of them, done (written, and every later step of their round).
    pub done: u32,
    /// Of them, with their key pair made (#72: "n/20 made" in the batch bar).
    pub made: u32,
    /// Of them, with their certificate written to their key.
    pub written: u32,
    pub withdrawn: u32,
    /// Where the shown certificate is: `keys` (its key to be made on a blank key), `answers`
    /// (its request is with the CA), `write` (its issued certificate to be written to its key),
    /// `done` (every certificate done or withdrawn).
    pub phase: String,
    /// The certificates whose request waits for the CA's answer, by index.
    pub awaiting_answers: Vec<u32>,
    /// The key the shown certificate's step needs; none when it needs a blank key.
    pub plug: Option<PlugKey>,
    /// The plugged key is the key of this certificate of the case.
    pub plugged_cert: Option<u32>,
    /// The request packages of the certificates waiting for the CA, where key generation
    /// wrote them: what goes to the CA together.
    pub requests: Vec<RequestPackage>,
}

/// One certificate's request package as its `key_generated` event recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct RequestPackage {
    pub cert: u32,
    pub holder: String,
    /// the package (JSON: the case, the subject, the key, the request)
    pub package: Option<String>,
    /// the request alone (PEM)
    pub csr: String,
}

/// The request packages of the certificates waiting for the CA's answer (their current round
/// generated a key pair and has no issued certificate yet), from the case's history.
pub fn waiting_requests(certs: &[CertState], history: &[AuditEvent]) -> Vec<RequestPackage> {
    certs
        .iter()
        .filter(|c| !c.withdrawn && c.next.as_deref() == Some(StepKind::CertImport.id()))
        .filter_map(|c| {
            let events = events_of(history, c.index);
            let generated = current_round(&events).iter().rev().find(|e| e.action == AuditAction::KeyGenerated.wire())?.detail.clone();
            let text = |name: &str| generated.get(name).and_then(|v| v.as_str()).map(str::to_string);
            Some(RequestPackage { cert: c.index, holder: c.holder.clone(), package: text("package"), csr: text("csr")? })
        })
        .collect()
}

/// A certificate's key as the desk asks for it: "请插入 王芳 的Key（标签 …，序列号 …）".
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct PlugKey {
    pub cert: u32,
    pub holder: String,
    pub label: Option<String>,
    pub serial: String,
}

/// The batch's state with certificate `shown` on the desk and the key `plugged` in the reader.
pub fn batch_view(certs: &[CertState], shown: u32, plugged: Option<&str>) -> BatchView {
    let open: Vec<&CertState> = certs.iter().filter(|c| !c.withdrawn).collect();
    let this = certs.iter().find(|c| c.index == shown);
    let next = this.and_then(|c| c.next.as_deref());
    let phase = match next {
        _ if open.iter().all(|c| c.done) => "done",
        Some(n) if n == StepKind::KeyInit.id() || n == StepKind::KeyGenerate.id() => "keys",
        Some(n) if n == StepKind::CertImport.id() => "answers",
        Some(_) => "write",
        None => "done",
    };
    let plug = this
        .filter(|c| !c.withdrawn && !c.done && next != Some(StepKind::KeyInit.id()))
        .and_then(|c| c.key_serial.clone().map(|serial| PlugKey { cert: c.index, holder: c.holder.clone(), label: c.key_label.clone(), serial }));
    BatchView {
        total: open.len() as u32,
        done: open.iter().filter(|c| c.done).count() as u32,
        made: open.iter().filter(|c| c.done || !matches!(c.next.as_deref(), Some(n) if n == StepKind::KeyInit.id() || n == StepKind::KeyGenerate.id())).count() as u32,
        written: open.iter().filter(|c| c.done || c.steps.iter().any(|s| s.id == StepKind::CertWrite.id() && s.done)).count() as u32,
        withdrawn: (certs.len() - open.len()) as u32,
        phase: phase.into(),
        awaiting_answers: open.iter().filter(|c| c.next.as_deref() == Some(StepKind::CertImport.id())).map(|c| c.index).collect(),
        plug,
        plugged_cert: plugged.and_then(|serial| open.iter().find(|c| c.key_serial.as_deref() == Some(serial)).map(|c| c.index)),
        requests: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(index: u32, next: Option<&str>, serial: Option<&str>) -> CertState {
        CertState {
            index,
            holder: format!("员工{index}"),
            key_serial: serial.map(str::to_string),
            done: next.is_none(),
            withdrawn: false,
            next: next.map(str::to_string),
            holder_id: None,
            key_label: serial.map(|_| format!("N-{index}")),
            certificate_serial: None,
            not_after: None,
            withdrawn_reason: None,
            steps: Vec::new(),
        }
    }

    #[test]
    fn a_batch_makes_every_key_before_it_writes_and_follows_the_plugged_key() {
        // certificate 1 waits for the CA, 2 for its key pair on K2, 3 for a blank key
        let certs = [cert(1, Some("cert_import"), Some("K1")), cert(2, Some("key_generate"), Some("K2")), cert(3, Some("key_init"), None)];
        assert_eq!(desk_order(&certs, None, None), Some(2), "a key round begun comes before a blank key");
        assert_eq!(desk_order(&certs, Some("K2"), None), Some(2));
        assert_eq!(desk_order(&certs, Some("K1"), None), Some(2), "a key waiting for the CA has nothing to do at the desk");
        assert_eq!(desk_order(&certs, Some("BLANK"), None), Some(2));
        let view = batch_view(&certs, 3, Some("K1"));
        assert_eq!((view.phase.as_str(), view.plug.is_none(), view.plugged_cert), ("keys", true, Some(1)), "a new key needs a blank one");
        assert_eq!(view.awaiting_answers, [1]);
        assert_eq!((view.made, view.written), (1, 0), "one key pair made (K1's), none written");

        // every key made, two answered: the write phase follows the plugged key, else the first
        let certs = [cert(1, Some("cert_write"), Some("K1")), cert(2, Some("cert_write"), Some("K2")), cert(3, Some("cert_import"), Some("K3"))];
        assert_eq!(desk_order(&certs, Some("K2"), None), Some(2));
        assert_eq!(desk_order(&certs, Some("K3"), None), Some(1), "its answer has not come: the first to write");
        assert_eq!(desk_order(&certs, None, None), Some(1));
        let view = batch_view(&certs, 1, Some("K2"));
        assert_eq!(view.phase, "write");
        assert_eq!(view.plug, Some(PlugKey { cert: 1, holder: "员工1".into(), label: Some("N-1".into()), serial: "K1".into() }));
        assert_eq!(view.plugged_cert, Some(2));
        assert_eq!((view.total, view.done), (3, 0));
        assert_eq!(view.made, 3);
        let mut written = cert(1, Some("seal_write"), Some("K1"));
        written.steps = vec![crate::steps::StepState {
            id: "cert_write".into(),
            title: String::new(),
            done: true,
            role: certdesk_domain::workflow::Role::KeyClerk,
            key_desk: true,
            needs_reference: false,
            at: None,
        }];
        assert_eq!(batch_view(&[written, cert(2, Some("cert_write"), Some("K2"))], 1, None).written, 1, "written, its seal still to come");

        // only answers missing: the desk shows the first waiting for the CA
        let certs = [cert(1, None, Some("K1")), cert(2, Some("cert_import"), Some("K2"))];
        assert_eq!(desk_order(&certs, Some("K1"), None), Some(2));
        assert_eq!(batch_view(&certs, 2, None).phase, "answers");
    }

    #[test]
    fn withdrawn_and_done_certificates_are_counted_apart_and_never_shown_next() {
        let mut gone = cert(2, None, None);
        gone.withdrawn = true;
        gone.done = false;
        let certs = [cert(1, None, Some("K1")), gone, cert(3, None, Some("K3"))];
        assert_eq!(desk_order(&certs, Some("K3"), None), Some(1), "all done: the first not withdrawn");
        let view = batch_view(&certs, 1, None);
        assert_eq!((view.total, view.done, view.withdrawn, view.phase.as_str()), (2, 2, 1, "done"));
        assert!(view.plug.is_none());
        assert_eq!(desk_order(&[], None, None), None);
    }

    #[test]
    fn a_key_brought_back_is_its_holders_by_id_number_else_by_a_name_no_one_else_has() {
        let facts = |list: &[(&str, Option<&str>)]| -> Vec<CertFacts> {
            list.iter()
                .enumerate()
                .map(|(i, (holder, id))| CertFacts { index: i as u32 + 1, holder: holder.to_string(), holder_id: id.map(str::to_string), ..Default::default() })
                .collect()
        };
        let unit = facts(&[("王芳", Some("440106200109094066")), ("陈刚", Some("210102198801020030")), ("王芳", Some("44010619900101003X"))]);
        let on = |s: &str| vec![s.to_string()];
        assert_eq!(holder_on_key(&unit, &on("CN=王芳,serialNumber=44010619900101003X,O=广东省示例事业单位")), Some(3), "the ID number tells the two 王芳 apart");
        assert_eq!(holder_on_key(&unit, &on("CN=陈刚,O=广东省示例事业单位")), Some(2));
        assert_eq!(holder_on_key(&unit, &on("CN=王芳,O=广东省示例事业单位")), None, "two 王芳: the name alone says nothing");
        assert_eq!(holder_on_key(&unit, &on("CN=李娜")), None);
        assert_eq!(holder_on_key(&unit, &[]), None);
        // a quantity of N: the same subject for every certificate names none of them
        let org = facts(&[("广州市示例科技有限公司", Some("91440101MA59ABCD1D")), ("广州市示例科技有限公司", Some("91440101MA59ABCD1D"))]);
        assert_eq!(holder_on_key(&org, &on("CN=广州市示例科技有限公司,serialNumber=91440101MA59ABCD1D")), None);
        // a withdrawn certificate is not looked at
        let mut gone = facts(&[("王芳", None), ("陈刚", None)]);
        gone[1].withdrawn = true;
        assert_eq!(holder_on_key(&gone, &on("CN=陈刚")), None);
        // the desk shows the brought-back key's holder while its key pair is to make
        let certs = [cert(1, Some("key_generate"), None), cert(2, Some("key_generate"), None)];
        assert_eq!(desk_order(&certs, Some("OLD"), Some(2)), Some(2));
        assert_eq!(desk_order(&certs, Some("OLD"), None), Some(1));
    }
}
