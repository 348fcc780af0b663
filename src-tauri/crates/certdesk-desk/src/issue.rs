//! Issuing a case's USB key, step by step, each step on the case's audit chain so that the key
//! desk resumes where it stopped: initialise the key, generate the key pair and the request
//! package, import the certificate the CA issued (matched to the case by its public key), write
//! it to the key and read it back, for a dual certificate import the encryption key pair the
//! CA's KMC enveloped to the signing key and the encryption certificate, write the seal image,
//! hand over. Every step is a key clerk's,
//! on a case whose approval still covers its data and files, checked before the token is
//! touched and again in the transaction that records the step. PINs are `Pin` values and never
//! recorded; whether a PIN is a CA's published default is (`keydesk::pin_is_default`), so the
//! key desk warns about it after a restart too. The key operations outside a case are in
//! `keydesk`.

use crate::DeskError;
use crate::api::{Desk, case_number};
use crate::keydesk::{KeyLibrary, pin_is_default};
use crate::rounds::CertChoice;
use certdesk_catalog::Catalog;
use certdesk_domain::steps::StepKind;
use certdesk_domain::workflow::Actor;
use certdesk_domain::{CaseData, CaseNumber, CertKind};
use certdesk_store::{ActError, AuditAction, CaseRecord, EventBody, EventDetail, FileKind, LoadedCase, NewFile, Store, detail};
use certdesk_token::cert::ParsedCert;
use certdesk_token::token::{SEAL_APPLICATION, SEAL_LABEL};
use certdesk_token::{Algo, DistId, KeyView, Pin, Subject, TokenSel, TokenView};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The steps of issuing, in order, with what to do next when a step is missing.
pub const STEPS: [(AuditAction, &str); 6] = [
    (AuditAction::TokenInitialized, "initialise the key (key init --case)"),
    (AuditAction::KeyGenerated, "generate the key pair and export the request (key gen --case)"),
    (AuditAction::CertificateImported, "import the certificate the CA issued (key write-cert imports it too)"),
    (AuditAction::CertificateWritten, "write the issued certificate (key write-cert)"),
    (AuditAction::EncryptionImported, "import the encryption key pair and certificate (key import-enc)"),
    (AuditAction::SealWritten, "write the seal image (key write-seal), if the case has one"),
];

/// Name of the attachment that holds a dual certificate's encryption certificate.
pub const ENC_CERTIFICATE_ATTACHMENT: &str = "certificate:encrypt";

/// Name of the attachment that holds the certificate the CA issued.
pub const CERTIFICATE_ATTACHMENT: &str = "certificate";

/// The certificate request's subject, from the case: certificate `cert` (1-based; an employee
/// case's employee of that row, the same subject for every certificate of the others).
pub fn subject_from_case(rec: &CaseRecord, cert: u32) -> Result<Subject, DeskError> {
    let missing = |what: String| DeskError::NoSubject { number: rec.number.to_string(), what };
    let d = &rec.data;
    let org = d.organization.as_ref();
    let org_id = org.and_then(|o| o.uscc.clone().or_else(|| o.org_code.clone()).or_else(|| o.other_id.clone()));
    Ok(match d.cert_kind {
        CertKind::Organization => {
            let o = org.ok_or_else(|| missing("organisation".into()))?;
            Subject { common_name: o.name.clone(), organization: Some(o.name.clone()), organizational_unit: o.department.clone(), serial_number: org_id, country: "CN".into() }
        }
        CertKind::Employee => {
            let i = cert as usize;
            let e = d.employees.get(i.wrapping_sub(1)).ok_or_else(|| missing(format!("employee {i} (it has {})", d.employees.len())))?;
            Subject {
                common_name: e.name.clone(),
                organization: org.map(|o| o.name.clone()),
                organizational_unit: org.and_then(|o| o.department.clone()),
                serial_number: Some(e.id_number.clone()),
                country: "CN".into(),
            }
        }
        CertKind::Personal => Subject {
            common_name: d.handler.name.clone(),
            organization: org.map(|o| o.name.clone()),
            organizational_unit: None,
            serial_number: Some(d.handler.id_number.clone()),
            country: "CN".into(),
        },
    })
}

/// Checks before a token is touched that this key clerk may do a step on the case now, for
/// certificate `cert`, on the case as loaded for the operation (the write checks again on its
/// own load).
fn check(desk: &Desk<'_>, case: &LoadedCase, new_key: bool, cert: u32) -> Result<(), DeskError> {
    key_step_allowed(&desk.actor, case, new_key, Some(cert))
}

/// Whether `actor` may do a key-desk step on the case as loaded (`cert`: for that certificate).
pub(crate) fn key_step_allowed(actor: &Actor, case: &LoadedCase, new_key: bool, cert: Option<u32>) -> Result<(), DeskError> {
    certdesk_domain::workflow::authorize_key_step(actor, &case.facts, new_key, cert).map_err(|e| DeskError::from(ActError::from(e)))
}

fn record<D: EventDetail>(desk: &mut Desk<'_>, number: &CaseNumber, action: AuditAction, detail: &D, new_key: bool, cert: u32) -> Result<(), DeskError> {
    desk.store.record_key_step(number, &desk.actor, EventBody::new(action, detail), new_key, Some(cert))?;
    Ok(())
}

/// The certificate a step works on (`choice`, else the next one waiting for `step`, the
/// plugged key's first), checked: it exists, and for a step on a key made for it, `plugged`
/// is that key (`WrongKey` naming whose key it is and which to plug).
/// The certificate a step works on (`rounds::choose`), checked against the plugged key: not
/// another certificate's key of the case; for a key pair on a key brought back (续费, 集中更新),
/// not a key whose own certificate (`on_key`: its certificates' subjects) names another holder.
fn resolve(desk: &Desk<'_>, catalog: &Catalog, case: &LoadedCase, choice: CertChoice, step: StepKind, plugged: Option<&TokenView>, on_key: &[String]) -> Result<u32, DeskError> {
    // who may work on the case at all comes first
    key_step_allowed(&desk.actor, case, false, None)?;
    let number = &case.record.number;
    let (certs, employee_case) = crate::steps::waiting_of(catalog, case)?;
    let facts: Vec<_> = certs.iter().map(|c| c.facts.clone()).collect();
    let holds = crate::rounds::holder_on_key(&facts, on_key);
    let cert = crate::rounds::choose(number, employee_case, &certs, choice, step, plugged.map(|t| t.serial.as_str()), holds)?;
    match (step, plugged) {
        (StepKind::KeyInit, Some(t)) => crate::rounds::require_not_taken(number, &certs, cert, &t.serial)?,
        (_, Some(t)) => {
            crate::rounds::require_key(number, &certs, cert, &t.serial, &t.label)?;
            if step == StepKind::KeyGenerate {
                crate::rounds::require_holder(number, &certs, cert, holds, &t.serial, &t.label)?;
            }
        }
        (_, None) => {}
    }
    Ok(cert)
}

/// The subjects of the certificates a key holds for its own keys (not CA certificates), read
/// without a PIN; none when the key cannot say (the steps that need them check the key again).
pub fn subjects_on_key(keys: &KeyLibrary, sel: &TokenSel) -> Vec<String> {
    keys.keys().show(sel, None).map(|c| c.certificates.into_iter().filter(|v| v.usage != certdesk_token::CertUsage::Ca).map(|v| v.subject).collect()).unwrap_or_default()
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct StepView {
    pub step: &'static str,
    pub done: bool,
    pub at: Option<String>,
    pub detail: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct KeyStatus {
    pub case: String,
    pub status: String,
    /// The certificate these steps are of (1-based): the one asked for, else the first not
    /// finished (#28).
    pub cert: u32,
    /// Its holder.
    pub holder: String,
    /// Every certificate of the case: the key desk's queue.
    pub certs: Vec<crate::rounds::CertState>,
    pub token_serial: Option<String>,
    pub steps: Vec<StepView>,
    /// What to do next, or `None` when only the hand-over is left.
    pub next: Option<&'static str>,
    /// The case has a seal image to write.
    pub has_seal: bool,
    /// The case's project issues dual certificates: the encryption key pair and certificate
    /// follow the signing certificate (`encryption_imported` is among the steps).
    pub dual: bool,
    /// The key algorithms the case's project issues (`rsa2048`, `ec-p256`, `sm2`), its
    /// default first: what the key desk offers for `key_generated`.
    pub algorithms: Vec<String>,
    /// The key's user PIN is still a CA's published default (the applicant must change it):
    /// what the chain last recorded for this key, whatever case it was for.
    pub default_pin_warning: bool,
    /// The wrong PINs the case's CA lets a key take before it locks (`[pin] max_tries`), shown
    /// beside the PIN fields and written onto an SKF key at its initialisation.
    pub pin_max_tries: Option<u32>,
    /// The key desk's stepper: the issuance steps this case has (the seal image only when
    /// there is one), then reading the key back (`verify`) and the hand-over (`deliver`).
    pub desk_steps: Vec<DeskStep>,
    /// The first step of `desk_steps` not done, where the key desk resumes.
    pub desk_next: String,
    /// The label the shown certificate's key gets (or has): the case number for a case of one
    /// certificate, else `<case>-<K>`.
    pub label: String,
    /// Where the case's certificates stand as a batch, and which key to plug.
    pub batch: crate::rounds::BatchView,
    /// This session holds the batch's SO PIN and initial user PIN for the case (#72): the key
    /// desk asks for no PIN (never the PINs themselves).
    pub batch_pins_held: bool,
    /// A key of the batch is still to initialise: the batch's PINs include the SO PIN (a
    /// restart in the write round asks the user PIN alone).
    pub so_pin_needed: bool,
    /// The case's project has an RA set (#72): the key pair, the request and the certificate
    /// in one step while the key is plugged (`key_enrol`).
    pub online: bool,
}

/// One step of the key desk's stepper and whether it is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DeskStep {
    pub id: String,
    pub done: bool,
}

/// The seal images of a case that go onto a key, from its file list as loaded: the chosen
/// images, never the scan.
pub(crate) fn seal_images_in(files: &[certdesk_store::AttachmentInfo]) -> Vec<String> {
    files.iter().filter(|a| a.name.starts_with("seal:") && a.name != "seal:scan" && a.mime == "image/png").map(|a| a.name.clone()).collect()
}

/// The row a seal image's name gives it: `seal:<kind>` is its kind's first row, `seal:<kind>:<row>`
/// a later one.
fn image_row(name: &str) -> u32 {
    name.rsplit_once(':').and_then(|(_, row)| row.parse::<u32>().ok()).map_or(0, |row| row + 1)
}

/// Whether a seal image's name (`seal:legal_rep_seal`, `seal:legal_rep_signature:3`) is the
/// legal representative's own: his 法人章 or 法人签字.
fn is_legal_reps(name: &str) -> bool {
    let kind = name.trim_start_matches("seal:").split(':').next().unwrap_or_default();
    kind == "legal_rep_seal" || kind == "legal_rep_signature"
}

/// Whether the legal representative's 法人章 and 法人签字 may go onto the unit's key: yes,
/// unless the project keeps them apart (CFCA 服务协议（五）: "原则上单位的公章和法人的手写签名或
/// 印章要分开办理") and the case's field does not record the unit's consent.
pub fn legal_rep_on_unit_key(catalog: &Catalog, data: &CaseData) -> bool {
    let Some(apart) = catalog.projects.get(&data.project).and_then(|p| p.rules.legal_rep_apart.as_ref()) else { return true };
    data.project_fields.get(&apart.field).and_then(|v| v.as_str()).is_some_and(|v| v.trim() == apart.consent)
}

/// Which of the case's seal images (`names`) belong on certificate `cert`'s key (#74): a
/// unit's key carries the unit's seals (公章, 法人章) and whatever else its sheet collected, the
/// legal representative's 法人章 and 法人签字 only when `legal_rep_on_unit_key`
/// ([`legal_rep_on_unit_key`]); an employee's key only its holder's signature (the sheet's
/// signature rows in order are the annex's holders in order); a person's key their signature,
/// and the 法人章 and 法人签字 a sheet collected in a person's case: a legal representative's own
/// certificate, the one CFCA's 服务协议（五） keeps them for ("单独办理法人的数字证书"), never a
/// unit's 公章. An empty list: nothing of this holder's to write, and no seal step in its round.
pub fn seal_images_for(kind: CertKind, cert: u32, names: &[String], legal_rep_on_unit_key: bool) -> Vec<String> {
    let mut signatures: Vec<&String> = names.iter().filter(|n| *n == "seal:signature" || n.starts_with("seal:signature:")).collect();
    signatures.sort_by_key(|n| image_row(n));
    match kind {
        CertKind::Organization => names.iter().filter(|n| legal_rep_on_unit_key || !is_legal_reps(n)).cloned().collect(),
        CertKind::Employee => signatures.get(cert.saturating_sub(1) as usize).map(|n| vec![(*n).clone()]).unwrap_or_default(),
        CertKind::Personal => signatures.into_iter().chain(names.iter().filter(|n| is_legal_reps(n))).cloned().collect(),
    }
}

/// Whether the case's project issues dual certificates.
fn is_dual(catalog: &Catalog, project: &str) -> bool {
    catalog.projects.get(project).is_some_and(|p| p.dual_certificate())
}

/// Where issuing stands for certificate `cert` of a case (else the first not finished), read off
/// the events that name it (the newest key counts: a new `token_initialized` starts over); the
/// encryption step only for a project's dual certificates.
/// Which certificate `status` shows when none is named.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shown<'a> {
    /// The first not finished (the command line's `key status`).
    FirstUnfinished,
    /// The one the key desk works on next with this key plugged (`rounds::desk_order`), whose
    /// own certificates' subjects are `on_key` (a key brought back names its holder).
    Desk { plugged: Option<&'a str>, on_key: &'a [String] },
}

pub(crate) fn status(store: &Store, catalog: &Catalog, number: &str, cert: Option<u32>, shown: Shown<'_>) -> Result<KeyStatus, DeskError> {
    let case = store.load(&case_number(number)?)?;
    status_of(store, catalog, &case, cert, shown)
}

/// [`status`] of the case as loaded.
pub(crate) fn status_of(store: &Store, catalog: &Catalog, case: &LoadedCase, cert: Option<u32>, shown: Shown<'_>) -> Result<KeyStatus, DeskError> {
    let plugged = match shown {
        Shown::Desk { plugged, .. } => plugged,
        Shown::FirstUnfinished => None,
    };
    let LoadedCase { record: rec, history, .. } = case;
    let number = &rec.number;
    let certs = crate::steps::steps_of(catalog, case)?.certs;
    let chosen = match cert {
        Some(k) => certs.iter().find(|c| c.index == k).ok_or(DeskError::NoSuchCert { number: number.to_string(), cert: k, count: certs.len() as u32 })?,
        None => match shown {
            Shown::Desk { plugged, on_key } => {
                let holds = match on_key {
                    [] => None,
                    _ => crate::rounds::holder_on_key(&crate::steps::waiting_of(catalog, case)?.0.into_iter().map(|w| w.facts).collect::<Vec<_>>(), on_key),
                };
                crate::rounds::desk_order(&certs, plugged, holds).and_then(|k| certs.iter().find(|c| c.index == k))
            }
            Shown::FirstUnfinished => certs.iter().find(|c| !c.withdrawn && !c.done).or(certs.first()),
        }
        .ok_or(DeskError::NoSuchCert { number: number.to_string(), cert: 1, count: 0 })?,
    };
    let (index, holder) = (chosen.index, chosen.holder.clone());
    let events = crate::rounds::events_of(history, index);
    let current = crate::rounds::current_round(&events);
    let has_seal = !seal_images_in(&case.files).is_empty();
    let dual = is_dual(catalog, &rec.data.project);
    let algorithms = match catalog.projects.get(&rec.data.project).and_then(|p| p.keys.as_ref()).filter(|k| !k.algorithms.is_empty()) {
        Some(k) => k.algorithms.clone(),
        None => certdesk_catalog::model::KEY_ALGORITHMS.iter().map(|a| a.to_string()).collect(),
    };
    let planned: Vec<&(AuditAction, &str)> = STEPS.iter().filter(|(action, _)| dual || *action != AuditAction::EncryptionImported).collect();
    let steps: Vec<StepView> = planned
        .iter()
        .map(|(action, _)| {
            let ev = current.iter().rev().find(|e| e.action == *action);
            StepView { step: action.wire(), done: ev.is_some(), at: ev.map(|e| e.at.clone()), detail: ev.map(|e| e.detail.clone()) }
        })
        .collect();
    let next = planned.iter().zip(&steps).find(|((action, _), s)| !s.done && (*action != AuditAction::SealWritten || has_seal)).map(|((_, hint), _)| *hint);
    let token_serial = current.iter().rev().find_map(|e| e.detail.get("token_serial").and_then(|s| s.as_str()).map(str::to_string));
    let default_pin_warning = match &token_serial {
        Some(serial) => crate::keydesk::default_pin_recorded(store, serial)?,
        None => false,
    };
    let handed_over = matches!(rec.status, certdesk_domain::Status::Delivered | certdesk_domain::Status::Closed);
    let desk_steps: Vec<DeskStep> = steps
        .iter()
        .filter(|s| s.step != AuditAction::SealWritten.wire() || has_seal)
        .map(|s| DeskStep { id: s.step.to_string(), done: s.done })
        .chain(["verify", "deliver"].map(|id| DeskStep { id: id.into(), done: handed_over }))
        .collect();
    let desk_next = desk_steps.iter().find(|s| !s.done).map(|s| s.id.clone()).unwrap_or_else(|| "deliver".into());
    let mut batch = crate::rounds::batch_view(&certs, index, plugged);
    batch.requests = crate::rounds::waiting_requests(&certs, history);
    let label = match (certs.len(), &chosen.key_label) {
        (_, Some(label)) => label.clone(),
        // a case of one certificate: its key is named after the case, as before #28
        (1, None) => number.to_string(),
        (_, None) => crate::rounds::default_label(number, index),
    };
    let so_pin_needed = crate::rounds::needs_key_init(&certs);
    Ok(KeyStatus {
        label,
        batch,
        case: rec.number.to_string(),
        status: rec.status.wire().into(),
        cert: index,
        holder,
        certs,
        token_serial,
        steps,
        next,
        has_seal,
        dual,
        algorithms,
        default_pin_warning,
        pin_max_tries: crate::intake::project(catalog, &rec.data.project).ok().and_then(|p| p.pin.as_ref()).and_then(|p| p.max_tries),
        desk_steps,
        desk_next,
        batch_pins_held: false,
        so_pin_needed,
        online: crate::online::is_set(store, &rec.data.project)?,
    })
}

/// Step 1: initialise the key in slot `slot_index` for certificate `cert` with a label (default
/// `<case>-<K>`) and both PINs. A key that is another certificate's of this case is refused
/// before it is touched.
#[allow(clippy::too_many_arguments)]
pub(crate) fn init(
    desk: &mut Desk<'_>,
    keys: &KeyLibrary,
    catalog: &Catalog,
    number: &str,
    cert: CertChoice,
    slot_index: usize,
    label: Option<&str>,
    so_pin: &Pin,
    user_pin: &Pin,
) -> Result<TokenView, DeskError> {
    let number = case_number(number)?;
    let case = desk.store.load(&number)?;
    crate::steps::require_in_plan(catalog, &case, StepKind::KeyInit)?;
    let plugged = keys.keys().slots()?.into_iter().find(|s| s.slot_index == slot_index).and_then(|s| s.token);
    let cert = resolve(desk, catalog, &case, cert, StepKind::KeyInit, plugged.as_ref(), &[])?;
    check(desk, &case, true, cert)?;
    let label = label.map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).unwrap_or_else(|| crate::rounds::default_label(&number, cert));
    // the CA's try limit (seed 001: "输入错误10次将会锁定") goes onto a key that can take it
    let tries = crate::intake::project(catalog, &case.record.data.project)?.pin.as_ref().and_then(|p| p.max_tries);
    let (t, user_pin_tries) = keys.keys().init_limited(slot_index, &label, so_pin, user_pin, tries)?;
    let detail = detail::TokenInitialized {
        token_serial: t.serial.clone(),
        token_label: t.label.clone(),
        model: t.model.clone(),
        pin_is_default: pin_is_default(catalog, user_pin),
        user_pin_tries,
        ..Default::default()
    };
    record(desk, &number, AuditAction::TokenInitialized, &detail, true, cert)?;
    Ok(t)
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Generated {
    /// The certificate the key pair is for (1-based) and its holder.
    pub cert: u32,
    pub holder: String,
    pub key_id: String,
    pub algo: &'static str,
    pub public_key_sha256: String,
    pub csr_pem: String,
    #[ts(type = "string")]
    pub package_path: PathBuf,
}

/// Where step 2 writes the request (PEM) and the request package (JSON).
pub struct RequestFiles {
    pub csr: PathBuf,
    pub package: PathBuf,
}

impl RequestFiles {
    /// `<dir>/<case>.request.json` and `<dir>/<case>.request.csr.pem` (the key desk's request
    /// folder).
    pub fn in_dir(dir: &Path, number: &str) -> RequestFiles {
        let package = dir.join(format!("{number}.request.json"));
        RequestFiles { csr: package.with_extension("csr.pem"), package }
    }

    /// Certificate `cert`'s of a case of `of` certificates: a one-key case keeps the names of
    /// [`RequestFiles::in_dir`]; a batch's are `<case>-K.request.json` and `….csr.pem` for
    /// every K, certificate 1's with its "-1" too (#72: the files sent to the CA named alike).
    pub fn in_dir_for(dir: &Path, number: &str, cert: u32, of: usize) -> RequestFiles {
        if of <= 1 {
            return RequestFiles::in_dir(dir, number);
        }
        RequestFiles::in_dir(dir, &format!("{number}-{cert}"))
    }

    /// The certificate of case `number` a key pair is made for (the one chosen, else the key
    /// desk's next) and its request in the counter's requests folder, named by that certificate
    /// (#75: decided here, not in the adapters), with the key status it was decided on (the
    /// project's algorithms, for a caller that chooses one: read once).
    pub(crate) fn for_certificate(
        desk: &Desk<'_>,
        catalog: &Catalog,
        env: &crate::place::Environment,
        number: &str,
        choice: CertChoice,
    ) -> Result<(CertChoice, RequestFiles, KeyStatus), DeskError> {
        let dir = desk.folder(crate::folders::Folder::Requests, env)?;
        let status = desk.key_status(catalog, number, None)?;
        let index = match choice {
            CertChoice::Given(k) | CertChoice::Employee(k) => k,
            CertChoice::Next => status.cert,
        };
        let files = RequestFiles::in_dir_for(&dir, case_number(number)?.as_str(), index, status.certs.len());
        Ok((CertChoice::Given(index), files, status))
    }

    /// The request where the command line names it, the package beside it
    /// (`<csr-out>.request.json`) unless named too.
    pub fn beside(csr: &Path, package: Option<&Path>) -> RequestFiles {
        RequestFiles { csr: csr.to_path_buf(), package: package.map(Path::to_path_buf).unwrap_or_else(|| csr.with_extension("request.json")) }
    }
}

/// Step 2: a key pair on the key, the request signed by it, and the request package the CA
/// receives (the case data, the subject, the request).
#[allow(clippy::too_many_arguments)]
pub(crate) fn generate(
    desk: &mut Desk<'_>,
    keys: &KeyLibrary,
    catalog: &Catalog,
    number: &str,
    sel: &TokenSel,
    pin: &Pin,
    algo: Algo,
    cert: CertChoice,
    files: &RequestFiles,
) -> Result<Generated, DeskError> {
    generate_for(desk, keys, catalog, number, sel, pin, algo, cert, files, None)
}

/// [`generate`], the request carrying an RA's challenge password when `challenge` is given
/// (online enrolment, `online::enrol`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn generate_for(
    desk: &mut Desk<'_>,
    keys: &KeyLibrary,
    catalog: &Catalog,
    number: &str,
    sel: &TokenSel,
    pin: &Pin,
    algo: Algo,
    cert: CertChoice,
    files: &RequestFiles,
    challenge: Option<&str>,
) -> Result<Generated, DeskError> {
    let on_key = subjects_on_key(keys, sel);
    let keys = keys.keys();
    let number = case_number(number)?;
    let case = desk.store.load(&number)?;
    crate::steps::require_in_plan(catalog, &case, StepKind::KeyGenerate)?;
    let plugged = keys.info(sel)?;
    let cert = resolve(desk, catalog, &case, cert, StepKind::KeyGenerate, Some(&plugged), &on_key)?;
    check(desk, &case, true, cert)?;
    let rec = &case.record;
    let slot = certdesk_domain::certs::certificates(&rec.data).into_iter().find(|c| c.index == cert);
    let subject = subject_from_case(rec, cert)?;
    if let Some(project) = catalog.projects.get(&rec.data.project)
        && !project.issues_algorithm(algo.name())
    {
        let offered = project.keys.as_ref().map(|k| k.algorithms.join(", ")).unwrap_or_default();
        return Err(DeskError::AlgoNotIssued { number: number.to_string(), project: project.ca_short.clone(), offered, algo: algo.name() });
    }
    let distid = project_sm2_id(catalog, &rec.data.project)?;
    let t = keys.info(sel)?;
    let key = keys.generate(sel, pin, algo, &subject.common_name)?;
    let csr = match challenge {
        Some(c) => keys.csr_for_ra(sel, pin, &key.id, &subject, c)?,
        None => keys.csr_with_id(sel, pin, &key.id, &subject, &distid)?,
    };
    let package = serde_json::json!({
        "format": "certdesk-request/1",
        "case": rec.to_export_json(),
        "subject": subject,
        "cert": { "index": cert, "holder": slot.as_ref().map(|s| s.holder.clone()), "holder_id": slot.as_ref().and_then(|s| s.holder_id.clone()) },
        "token": { "serial": t.serial, "label": t.label, "model": t.model },
        "key": { "id": key.id, "algo": algo.name(), "public_key_sha256": key.public_key_sha256 },
        "csr_pem": csr,
    });
    let (package_path, csr_path) = (files.package.clone(), files.csr.clone());
    // the request package carries the case (ID numbers, phones): this account's only
    certdesk_store::private::write(&package_path, serde_json::to_string_pretty(&package).unwrap_or_default().as_bytes()).map_err(crate::io("cannot write", &package_path))?;
    certdesk_store::private::write(&csr_path, csr.as_bytes()).map_err(crate::io("cannot write", &csr_path))?;
    let detail = key_generated(t, &key, algo, &csr_path, Some(&package_path), pin_is_default(catalog, pin));
    record(desk, &number, AuditAction::KeyGenerated, &detail, true, cert)?;
    let holder = slot.map(|s| s.holder).unwrap_or_default();
    Ok(Generated { cert, holder, key_id: key.id, algo: algo.name(), public_key_sha256: key.public_key_sha256, csr_pem: csr, package_path })
}

/// What the chain records of a key pair made on key `t` and its request (and package) written:
/// the public key's SHA-256, never the key or a PIN.
pub(crate) fn key_generated(t: TokenView, key: &KeyView, algo: Algo, csr: &Path, package: Option<&Path>, pin_is_default: Option<bool>) -> detail::KeyGenerated {
    detail::KeyGenerated {
        token_serial: t.serial,
        token_label: t.label,
        key_id: key.id.clone(),
        algo: algo.name().into(),
        public_key_sha256: key.public_key_sha256.clone(),
        csr: csr.display().to_string(),
        package: package.map(|p| p.display().to_string()),
        pin_is_default,
        ..Default::default()
    }
}

/// Copies the request packages of a case's certificates waiting for the CA (each request and
/// its package, as key generation wrote them) into `out`, the batch that goes to the CA
/// together; the files copied, in certificate order. A package that is gone (its folder
/// cleaned) is refused naming it: generate that certificate's key again after a reissue.
pub(crate) fn export_requests(store: &Store, catalog: &Catalog, number: &str, out: &Path) -> Result<Vec<PathBuf>, DeskError> {
    let number = case_number(number)?;
    let certs = crate::steps::steps(store, catalog, number.as_str())?.certs;
    let requests = crate::rounds::waiting_requests(&certs, &store.history(&number)?);
    if requests.is_empty() {
        return Err(DeskError::KeyStepOutOfOrder { number: number.to_string(), why: "no certificate's request is waiting for the CA" });
    }
    std::fs::create_dir_all(out).map_err(crate::io("cannot create", out))?;
    let mut written = Vec::new();
    for r in &requests {
        for from in std::iter::once(r.csr.as_str()).chain(r.package.as_deref()) {
            let from = Path::new(from);
            let name = from.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let bytes = std::fs::read(from).map_err(crate::io("cannot read the request of certificate", from))?;
            written.push(crate::folders::write_private(out, &name, &bytes)?);
        }
    }
    Ok(written)
}

/// The case whose request carried the public key of this certificate.
pub(crate) fn case_of_cert(store: &Store, cert_bytes: &[u8]) -> Result<Option<String>, DeskError> {
    let certs = certdesk_token::cert::parse_many(cert_bytes).map_err(certdesk_token::TokenError::from)?;
    let fingerprint = certdesk_domain::case::sha256_hex(&certs[0].public_key);
    Ok(store.find_event(AuditAction::KeyGenerated, "public_key_sha256", &fingerprint)?.and_then(|e| e.case_number))
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ImportedCert {
    /// The certificate of the case it answers (matched by its public key) and its holder.
    pub cert: u32,
    pub holder: String,
    pub subject: String,
    pub issuer: String,
    pub serial_hex: String,
    pub not_after: String,
    /// The chain ends at a CA certificate the project configures (`forms/<project>/ca/`); false
    /// when the project configures none, so that only the signatures of what the CA sent along
    /// were checked.
    pub issuer_trusted: bool,
    /// Certificates of the CA's file that are not on the chain: not kept, not written.
    pub left_out: Vec<String>,
}

/// The CA certificates the case's project trusts (`forms/<project>/ca/`).
pub fn project_anchors(catalog: &Catalog, project: &str) -> Result<Vec<ParsedCert>, DeskError> {
    let mut anchors = Vec::new();
    for (path, bytes) in catalog.tree.ca_certificates(project) {
        let certs = certdesk_token::cert::parse_many(bytes).map_err(|source| DeskError::CaCertificates { project: project.to_string(), path: path.to_string(), source })?;
        anchors.extend(certs);
    }
    Ok(anchors)
}

/// The SM2 distinguishing ID of a project (`sm2_id` in its catalog; GM/T 0009's
/// `1234567812345678` when it names none): Z of its requests and of its CA's signatures.
pub fn project_sm2_id(catalog: &Catalog, project: &str) -> Result<DistId, DeskError> {
    match catalog.projects.get(project).and_then(|p| p.sm2_id.as_deref()) {
        Some(id) => DistId::new(id.as_bytes().to_vec()).map_err(|source| DeskError::Sm2Id { project: project.to_string(), source }),
        None => Ok(DistId::default()),
    }
}

/// One certificate of the case as an answer from the CA may meet it: its holder, the public
/// key its current round generated, whether its round has a certificate already.
struct Open {
    cert: u32,
    holder: String,
    holder_id: Option<String>,
    public_key_sha256: Option<String>,
    imported: bool,
    written: bool,
    withdrawn: bool,
}

fn open_rounds(case: &LoadedCase) -> Vec<Open> {
    let LoadedCase { history, facts, .. } = case;
    facts
        .certs
        .iter()
        .map(|c| {
            let events = crate::rounds::events_of(history, c.index);
            let round = crate::rounds::current_round(&events);
            let has = |a: AuditAction| round.iter().any(|e| e.action == a.wire());
            let generated = round.iter().rev().find(|e| e.action == AuditAction::KeyGenerated.wire());
            Open {
                cert: c.index,
                holder: c.holder.clone(),
                holder_id: c.holder_id.clone(),
                public_key_sha256: generated.and_then(|e| e.detail.get("public_key_sha256")).and_then(|v| v.as_str()).map(str::to_string),
                imported: has(AuditAction::CertificateImported),
                written: c.written,
                withdrawn: c.withdrawn,
            }
        })
        .collect()
}

/// An issued certificate checked for one certificate of the case: what is kept (the leaf and
/// the chain that holds) and what the event records.
struct Checked {
    cert: u32,
    out: ImportedCert,
    bundle: String,
    detail: detail::CertificateImported,
}

/// Checks `leaf` as the answer for `open`: valid now, issued to its holder, its chain to the
/// project's CA certificates holds (with `pool`, the CA certificates sent along).
/// Why [`check_answer`] refused: the certificate, or the project's own CA settings.
enum AnswerCheck {
    Refused(CertRefusal),
    Project(Box<DeskError>),
}

impl From<CertRefusal> for AnswerCheck {
    fn from(refusal: CertRefusal) -> Self {
        AnswerCheck::Refused(refusal)
    }
}

impl From<DeskError> for AnswerCheck {
    fn from(e: DeskError) -> Self {
        AnswerCheck::Project(Box::new(e))
    }
}

fn check_answer(
    catalog: &Catalog,
    data: &certdesk_domain::CaseData,
    open: &Open,
    leaf: &ParsedCert,
    pool: &[ParsedCert],
    file_sha256: &str,
    also_trusted: &[ParsedCert],
) -> Result<Checked, AnswerCheck> {
    let now = chrono::Utc::now().timestamp();
    if !leaf.valid_at(now) {
        return Err(CertRefusal::NotValidNow { not_before: leaf.not_before.clone(), not_after: leaf.not_after.clone() }.into());
    }
    subject_matches_holder(leaf, open)?;
    let mut anchors = project_anchors(catalog, &data.project)?;
    anchors.extend(also_trusted.iter().cloned());
    let distid = project_sm2_id(catalog, &data.project)?;
    let chain = certdesk_token::chain::build(leaf, pool, &anchors, now, &distid).map_err(CertRefusal::ChainBroken)?;
    let on_key: Vec<&ParsedCert> = std::iter::once(leaf).chain(&chain.intermediates).chain(&chain.anchor).collect();
    let bundle = certdesk_token::cert::to_pem(&on_key);
    let left_out: Vec<String> = chain.dropped.iter().map(|c| c.subject.clone()).collect();
    let out = ImportedCert {
        cert: open.cert,
        holder: open.holder.clone(),
        subject: leaf.subject.clone(),
        issuer: leaf.issuer.clone(),
        serial_hex: leaf.serial_hex.clone(),
        not_after: leaf.not_after.clone(),
        issuer_trusted: chain.anchor.is_some(),
        left_out: left_out.clone(),
    };
    let detail = detail::CertificateImported {
        certificate_serial: out.serial_hex.clone(),
        subject: out.subject.clone(),
        issuer: out.issuer.clone(),
        not_after: out.not_after.clone(),
        chain: on_key.len() - 1,
        issuer_trusted: Some(out.issuer_trusted),
        anchor: chain.anchor.as_ref().map(|a| a.subject.clone()),
        left_out: Some(left_out),
        file_sha256: Some(file_sha256.to_string()),
        from: None,
        to: None,
        ..Default::default()
    };
    Ok(Checked { cert: open.cert, out, bundle, detail })
}

fn keep(desk: &mut Desk<'_>, number: &CaseNumber, checked: &Checked) -> Result<(), DeskError> {
    let name = certdesk_domain::workflow::cert_attachment(checked.cert, false);
    let file = NewFile { name: &name, mime: "application/x-pem-file", bytes: checked.bundle.as_bytes() };
    desk.store.attach(number, FileKind::KeyDesk { cert: checked.cert }, &[file], Some(EventBody::new(AuditAction::CertificateImported, &checked.detail)), &desk.actor)?;
    Ok(())
}

/// Step 3: the certificate the CA issued (PEM, DER or PKCS#7 with its chain, in any order),
/// matched to the certificate of the case whose current round generated its public key, and
/// checked: valid now, issued to that certificate's holder, the issuer chain to the project's
/// CA certificates; kept with the case as the issued certificate followed by the chain (only
/// what chains, so only that goes onto the key).
pub(crate) fn import_cert(desk: &mut Desk<'_>, catalog: &Catalog, number: &str, bytes: &[u8]) -> Result<ImportedCert, DeskError> {
    import_cert_from(desk, catalog, number, bytes, &[], None)
}

/// [`import_cert`] with CA certificates trusted besides the project's (the CA certificate the
/// administrator pinned for the project's RA) and where the answer came from (recorded).
pub(crate) fn import_cert_from(
    desk: &mut Desk<'_>,
    catalog: &Catalog,
    number: &str,
    bytes: &[u8],
    also_trusted: &[ParsedCert],
    from: Option<&str>,
) -> Result<ImportedCert, DeskError> {
    let number = case_number(number)?;
    crate::limits::check_size("the certificate file", bytes.len(), crate::limits::MAX_CERTIFICATE)?;
    let mut certs = certdesk_token::cert::parse_many(bytes).map_err(certdesk_token::TokenError::from)?;
    let case = desk.store.load(&number)?;
    let opens = open_rounds(&case);
    if opens.iter().all(|o| o.public_key_sha256.is_none()) {
        check(desk, &case, false, 1)?;
        return Err(DeskError::KeyStepOutOfOrder { number: number.to_string(), why: "no key was generated for it yet" });
    }
    let found = certs.iter().enumerate().find_map(|(i, c)| {
        let fp = certdesk_domain::case::sha256_hex(&c.public_key);
        opens.iter().find(|o| o.public_key_sha256.as_deref() == Some(fp.as_str())).map(|o| (i, o))
    });
    let Some((at, open)) = found else {
        let other_case = case_of_cert(desk.store, bytes)?.filter(|o| o != number.as_str());
        return Err(DeskError::CertMismatch { number: number.to_string(), refusal: Box::new(CertRefusal::NotThisCasesKey { other_case }) });
    };
    check(desk, &case, false, open.cert)?;
    let leaf = certs.remove(at);
    let mut checked = match check_answer(catalog, &case.record.data, open, &leaf, &certs, &certdesk_domain::case::sha256_hex(bytes), also_trusted) {
        Ok(checked) => checked,
        Err(AnswerCheck::Refused(refusal)) => return Err(DeskError::CertMismatch { number: number.to_string(), refusal: Box::new(refusal) }),
        Err(AnswerCheck::Project(e)) => return Err(*e),
    };
    if let Some(from) = from {
        checked.detail.via = Some(from.to_string());
    }
    keep(desk, &number, &checked)?;
    Ok(checked.out)
}

/// Why one certificate of the CA's answers was refused.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct AnswerRefusal {
    /// the file it came in
    pub file: String,
    pub subject: String,
    pub serial: String,
    /// `no_match`, `duplicate`, `already_imported`, `already_written`, `withdrawn`, `invalid`
    /// (expired, another holder, a chain that does not hold), `unreadable`
    pub code: String,
    pub why: String,
}

/// The CA's answers imported at once.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct BatchImported {
    pub matched: Vec<ImportedCert>,
    /// The certificates (not withdrawn) still without an issued certificate, by index.
    pub waiting: Vec<u32>,
}

/// The CA's answers for many certificates at once (several PEM/DER files, a PKCS#7 bundle,
/// a folder's files read by the caller): every certificate whose public key one of the case's
/// current rounds generated is matched to that certificate and checked; CA certificates serve
/// as the chain. Anything wrong (a certificate that matches none of the case's keys, the same
/// certificate twice, two for one key, one for a certificate already imported, written or
/// withdrawn, one that does not check) refuses the whole batch with every reason, and nothing
/// is imported.
pub(crate) fn import_answers(desk: &mut Desk<'_>, catalog: &Catalog, number: &str, files: &[(String, Vec<u8>)]) -> Result<BatchImported, DeskError> {
    let number = case_number(number)?;
    if files.is_empty() {
        return Err(DeskError::KeyStepOutOfOrder { number: number.to_string(), why: "no file of the CA's answers was given" });
    }
    let mut refusals = Vec::new();
    let mut parsed: Vec<(String, String, ParsedCert)> = Vec::new();
    for (name, bytes) in files {
        crate::limits::check_size(&format!("the certificate file {name}"), bytes.len(), crate::limits::MAX_CERTIFICATE)?;
        match certdesk_token::cert::parse_many(bytes) {
            Ok(certs) if !certs.is_empty() => parsed.extend(certs.into_iter().map(|c| (name.clone(), certdesk_domain::case::sha256_hex(bytes), c))),
            Ok(_) => {
                refusals.push(AnswerRefusal { file: name.clone(), subject: String::new(), serial: String::new(), code: "unreadable".into(), why: "no certificate in it".into() })
            }
            Err(e) => refusals.push(AnswerRefusal { file: name.clone(), subject: String::new(), serial: String::new(), code: "unreadable".into(), why: e.to_string() }),
        }
    }
    let case = desk.store.load(&number)?;
    let opens = open_rounds(&case);
    let rec = &case.record;
    let fp = |c: &ParsedCert| certdesk_domain::case::sha256_hex(&c.public_key);
    let is_answer = |c: &ParsedCert| opens.iter().any(|o| o.public_key_sha256.as_deref() == Some(fp(c).as_str()));
    let pool: Vec<ParsedCert> = parsed.iter().filter(|(_, _, c)| !is_answer(c)).map(|(_, _, c)| c.clone()).collect();
    let mut seen: Vec<(String, String, String)> = Vec::new(); // issuer+serial, key, file
    let mut checked = Vec::new();
    for (file, sha, c) in &parsed {
        let refuse = |code: &str, why: String| AnswerRefusal { file: file.clone(), subject: c.subject.clone(), serial: c.serial_hex.clone(), code: code.into(), why };
        let Some(open) = opens.iter().find(|o| o.public_key_sha256.as_deref() == Some(fp(c).as_str())) else {
            if is_ca(c) {
                continue;
            }
            let why = match case_of_cert(desk.store, &c.der)? {
                Some(o) if o != number.as_str() => format!("{} matches none of this case's keys: it is case {o}'s", c.subject),
                _ => format!("{} matches none of this case's keys", c.subject),
            };
            refusals.push(refuse("no_match", why));
            continue;
        };
        let id = format!("{}#{}", c.issuer, c.serial_hex);
        if let Some((_, _, other)) = seen.iter().find(|(i, _, _)| *i == id) {
            if other == file {
                continue; // the same certificate twice in one file (a bundle repeating it)
            }
            refusals.push(refuse("duplicate", format!("the same certificate {} is also in {other}", c.serial_hex)));
            continue;
        }
        if let Some((_, _, other)) = seen.iter().find(|(_, k, _)| *k == fp(c)) {
            refusals.push(refuse("duplicate", format!("another certificate for the key of certificate {} ({}) is in {other}", open.cert, open.holder)));
            continue;
        }
        seen.push((id, fp(c), file.clone()));
        if open.withdrawn {
            refusals.push(refuse("withdrawn", format!("certificate {} ({}) was withdrawn", open.cert, open.holder)));
        } else if open.written {
            refusals.push(refuse("already_written", format!("certificate {} ({}) is written to its key already", open.cert, open.holder)));
        } else if open.imported {
            refusals.push(refuse("already_imported", format!("certificate {} ({}) has its issued certificate already", open.cert, open.holder)));
        } else {
            match check_answer(catalog, &rec.data, open, c, &pool, sha, &[]) {
                Ok(ok) => checked.push(ok),
                Err(AnswerCheck::Refused(why)) => refusals.push(refuse("invalid", format!("第 {} 张证书（{}）：{}", open.cert, open.holder, why.zh()))),
                Err(AnswerCheck::Project(e)) => return Err(*e),
            }
        }
    }
    if !refusals.is_empty() {
        return Err(DeskError::BatchRefused(refusals));
    }
    if checked.is_empty() {
        return Err(DeskError::KeyStepOutOfOrder { number: number.to_string(), why: "the files hold no certificate for this case's keys" });
    }
    for c in &checked {
        check(desk, &case, false, c.cert)?;
    }
    // one transaction: a store that fails midway keeps none of them
    let names: Vec<String> = checked.iter().map(|c| certdesk_domain::workflow::cert_attachment(c.cert, false)).collect();
    let items = checked
        .iter()
        .zip(&names)
        .map(|(c, name)| (c.cert, NewFile { name, mime: "application/x-pem-file", bytes: c.bundle.as_bytes() }, EventBody::new(AuditAction::CertificateImported, &c.detail)))
        .collect();
    desk.store.attach_each(&number, items, &desk.actor)?;
    let done: Vec<u32> = checked.iter().map(|c| c.cert).collect();
    let waiting = opens.iter().filter(|o| !o.withdrawn && !o.written && !o.imported && !done.contains(&o.cert)).map(|o| o.cert).collect();
    Ok(BatchImported { matched: checked.into_iter().map(|c| c.out).collect(), waiting })
}

/// A CA certificate (basicConstraints cA, or self-issued): the chain, not an answer.
fn is_ca(c: &ParsedCert) -> bool {
    c.is_ca || c.subject_der == c.issuer_der
}

/// The key generated in a certificate's current key-desk round, as its event recorded it.
fn generated_key(st: &KeyStatus) -> Option<detail::KeyGenerated> {
    let generated = st.steps.iter().find(|s| s.step == AuditAction::KeyGenerated.wire()).and_then(|s| s.detail.clone());
    generated.and_then(|d| serde_json::from_value::<detail::KeyGenerated>(d).ok())
}

/// A dual certificate's second half on the key, as recorded.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct EncWritten {
    /// The key (SKF container) holding both key pairs.
    pub key_id: String,
    pub format: certdesk_token::EnvelopeFormat,
    pub serial_hex: String,
    pub subject: String,
    pub issuer: String,
    pub not_after: String,
    /// The encryption certificate chains to a CA certificate the project configures.
    pub issuer_trusted: bool,
}

/// Dual certificates, after the signing certificate is on the key: the CA's answer (the
/// encryption key pair enveloped to the signing key: GM/T 0009, SKF blob or GM/T 0092) and the
/// encryption certificate (`enc_cert`, or the one a GM/T 0092 answer carries). Checked before
/// the key is touched: the envelope's public key is the encryption certificate's; signing
/// certificates the answer carries are this case's key's; the encryption certificate is valid
/// now, names whom the case is for and chains to the project's CA certificates. Then the pair
/// is opened on the key, both read back, the encryption certificate kept with the case and
/// the step recorded. The envelope itself is not kept (only its SHA-256).
#[allow(clippy::too_many_arguments)]
pub(crate) fn import_enc(
    desk: &mut Desk<'_>,
    keys: &KeyLibrary,
    catalog: &Catalog,
    number: &str,
    sel: &TokenSel,
    pin: &Pin,
    cert: CertChoice,
    answer: &[u8],
    enc_cert: Option<&[u8]>,
) -> Result<EncWritten, DeskError> {
    let keys = keys.keys();
    let number = case_number(number)?;
    let case = desk.store.load(&number)?;
    crate::steps::require_in_plan(catalog, &case, StepKind::EncImport)?;
    let plugged = keys.info(sel)?;
    let cert = resolve(desk, catalog, &case, cert, StepKind::EncImport, Some(&plugged), &[])?;
    check(desk, &case, false, cert)?;
    crate::limits::check_size("the CA's answer", answer.len(), crate::limits::MAX_ANSWER)?;
    crate::limits::check_size("the encryption certificate", enc_cert.map_or(0, <[u8]>::len), crate::limits::MAX_CERTIFICATE)?;
    let refused = |why: &'static str| DeskError::KeyStepOutOfOrder { number: number.to_string(), why };
    let mismatch = |refusal: CertRefusal| DeskError::CertMismatch { number: number.to_string(), refusal: Box::new(refusal) };
    let enc_refused = |refusal: CertRefusal| mismatch(CertRefusal::Encryption(Box::new(refusal)));
    let read = certdesk_token::DualAnswer::read(answer, enc_cert)?;
    let st = status_of(desk.store, catalog, &case, Some(cert), Shown::FirstUnfinished)?;
    let generated = generated_key(&st).ok_or_else(|| refused("no key was generated for it yet"))?;
    if !st.steps.iter().any(|s| s.step == AuditAction::CertificateWritten.wire() && s.done) {
        return Err(refused("its signing certificate is not on the key yet: write it first (key write-cert)"));
    }
    if read.sign_certs.iter().any(|c| certdesk_domain::case::sha256_hex(&c.public_key) != generated.public_key_sha256) {
        return Err(mismatch(CertRefusal::SigningKeyNotThisCases));
    }
    let enc = &read.enc_cert;
    let now = chrono::Utc::now().timestamp();
    if !enc.valid_at(now) {
        return Err(enc_refused(CertRefusal::NotValidNow { not_before: enc.not_before.clone(), not_after: enc.not_after.clone() }));
    }
    let rec = &case.record;
    let open = open_rounds(&case).into_iter().find(|o| o.cert == cert).ok_or_else(|| refused("no such certificate"))?;
    subject_matches_holder(enc, &open).map_err(enc_refused)?;
    let anchors = project_anchors(catalog, &rec.data.project)?;
    let distid = project_sm2_id(catalog, &rec.data.project)?;
    // the CA certificates kept with the signing certificate, and any the answer sent along
    let mut sent = read.sign_certs.clone();
    if let Some((_, bundle)) = desk.store.attachment(&number, &certdesk_domain::workflow::cert_attachment(cert, false))? {
        sent.extend(certdesk_token::cert::parse_many(&bundle).map_err(certdesk_token::TokenError::from)?.into_iter().skip(1));
    }
    let chain = certdesk_token::chain::build(enc, &sent, &anchors, now, &distid).map_err(|e| enc_refused(CertRefusal::ChainBroken(e)))?;
    let t = keys.info(sel)?;
    let imported = keys.import_enc(sel, pin, Some(&generated.key_id), &read, &distid)?;
    let format = serde_json::to_value(imported.format).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let detail = detail::EncryptionImported {
        token_serial: t.serial,
        key_id: imported.key_id.clone(),
        envelope_format: format,
        certificate_serial: enc.serial_hex.clone(),
        subject: enc.subject.clone(),
        issuer: enc.issuer.clone(),
        not_after: enc.not_after.clone(),
        issuer_trusted: chain.anchor.is_some(),
        file_sha256: certdesk_domain::case::sha256_hex(answer),
        verified: true,
        pin_is_default: pin_is_default(catalog, pin),
        ..Default::default()
    };
    let pem = certdesk_token::cert::to_pem(&[enc]);
    let name = certdesk_domain::workflow::cert_attachment(cert, true);
    let file = NewFile { name: &name, mime: "application/x-pem-file", bytes: pem.as_bytes() };
    desk.store.attach(&number, FileKind::KeyDesk { cert }, &[file], Some(EventBody::new(AuditAction::EncryptionImported, &detail)), &desk.actor)?;
    Ok(EncWritten {
        key_id: imported.key_id,
        format: imported.format,
        serial_hex: enc.serial_hex.clone(),
        subject: enc.subject.clone(),
        issuer: enc.issuer.clone(),
        not_after: enc.not_after.clone(),
        issuer_trusted: chain.anchor.is_some(),
    })
}

/// Why a certificate from the CA is not the one a case's certificate waits for (#75): what the
/// key clerk reads (`zh`) and the CLI prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertRefusal {
    /// Its public key is none generated for the case's certificates (`other_case`: the case
    /// whose key it is, when it is another's).
    #[error("{}", match other_case { Some(o) => format!("it was issued for the key of case {o}"), None => "its public key is not one generated for this case's certificates".into() })]
    NotThisCasesKey { other_case: Option<String> },
    #[error("it is valid from {not_before} to {not_after}, not now: ask the CA for the right certificate")]
    NotValidNow { not_before: String, not_after: String },
    /// It names someone else than the holder of the certificate it answers.
    #[error("it is issued to {subject} but certificate {cert} is {}'s", holder_named(holder, holder_id.as_deref()))]
    OtherHolder { subject: String, cert: u32, holder: String, holder_id: Option<String> },
    #[error("its issuer chain does not hold: {0}")]
    ChainBroken(certdesk_token::chain::ChainError),
    /// The answer is for another certificate of the case than the one the key desk chose.
    #[error("it answers certificate {cert} ({holder}), not {chosen}")]
    OtherCertificate { cert: u32, holder: String, chosen: u32 },
    /// A dual answer's signing certificate is not the one of the key made for the case.
    #[error("the signing certificate in the CA's answer is not for the key generated for this case")]
    SigningKeyNotThisCases,
    /// What is wrong with a dual certificate's encryption certificate.
    #[error("the encryption certificate: {0}")]
    Encryption(Box<CertRefusal>),
}

fn holder_named(holder: &str, id: Option<&str>) -> String {
    format!("{holder}{}", id.map(|i| format!(" ({i})")).unwrap_or_default())
}

impl CertRefusal {
    /// The refusal in the key clerk's words.
    pub fn zh(&self) -> String {
        match self {
            CertRefusal::NotThisCasesKey { other_case: Some(o) } => format!("该证书是为案件 {o} 的密钥签发的"),
            CertRefusal::NotThisCasesKey { other_case: None } => "该证书的公钥不是为本案件的证书生成的密钥".into(),
            CertRefusal::NotValidNow { not_before, not_after } => format!("证书有效期为 {not_before} 至 {not_after}，当前不在有效期内，请向CA索取正确的证书"),
            CertRefusal::OtherHolder { subject, cert, holder, holder_id } => {
                format!("证书签发给 {subject}，而第 {cert} 张证书属于 {}", holder_named(holder, holder_id.as_deref()))
            }
            CertRefusal::ChainBroken(e) => format!("证书链无法验证：{}", e.zh()),
            CertRefusal::OtherCertificate { cert, holder, chosen } => format!("这是第 {cert} 张证书（{holder}）的证书，不是第 {chosen} 张"),
            CertRefusal::SigningKeyNotThisCases => "CA答复中的签名证书不是本案件所生成密钥的证书".into(),
            CertRefusal::Encryption(inner) => format!("加密证书：{}", inner.zh()),
        }
    }
}

/// The issued certificate names the holder of the certificate it answers: by common name (the
/// organisation, the employee or the person), and by identifier where the certificate carries
/// a serialNumber.
fn subject_matches_holder(leaf: &ParsedCert, open: &Open) -> Result<(), CertRefusal> {
    let cns = leaf.subject_attr("CN");
    let serials = leaf.subject_attr("serialNumber");
    let name_ok = cns.iter().any(|cn| cn.trim() == open.holder);
    let id_ok = serials.is_empty() || open.holder_id.as_ref().is_some_and(|id| serials.iter().any(|s| s.trim() == id));
    if name_ok && id_ok {
        return Ok(());
    }
    Err(CertRefusal::OtherHolder { subject: leaf.subject.clone(), cert: open.cert, holder: open.holder.clone(), holder_id: open.holder_id.clone() })
}

/// What the chain records of a certificate written to a key and read back (the serial and
/// subject the key reports, never a PIN), for a case's step or for no case.
pub(crate) fn certificate_written(
    token_serial: String,
    written: &certdesk_token::token::CertView,
    previous: Option<Vec<String>>,
    pin_is_default: Option<bool>,
) -> detail::CertificateWritten {
    detail::CertificateWritten {
        token_serial,
        key_id: written.id.clone(),
        certificate_serial: written.serial_hex.clone(),
        subject: written.subject.clone(),
        not_after: written.not_after.clone(),
        verified: true,
        previous,
        pin_is_default,
        ..Default::default()
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Written {
    /// The certificate of the case written (1-based) and its holder.
    pub cert: u32,
    pub holder: String,
    pub serial_hex: String,
    pub subject: String,
    pub not_after: String,
    pub key_id: String,
}

/// Step 4: writes a certificate's imported certificate (and its chain) to its key (the plugged
/// key must be the one its round made), reads it back; the last certificate written marks the
/// case as issued (in the same transaction as the step, which checks the approval again).
pub(crate) fn write_cert(desk: &mut Desk<'_>, keys: &KeyLibrary, catalog: &Catalog, number: &str, cert: CertChoice, sel: &TokenSel, pin: &Pin) -> Result<Written, DeskError> {
    let keys = keys.keys();
    let number = case_number(number)?;
    let t = keys.info(sel)?;
    let case = desk.store.load(&number)?;
    let cert = resolve(desk, catalog, &case, cert, StepKind::CertWrite, Some(&t), &[])?;
    check(desk, &case, false, cert)?;
    let (_, bytes) = desk
        .store
        .attachment(&number, &certdesk_domain::workflow::cert_attachment(cert, false))?
        .ok_or_else(|| DeskError::KeyStepOutOfOrder { number: number.to_string(), why: "import the issued certificate first" })?;
    // a renewal onto the applicant's key finds the old certificate there: recorded, not lost
    let previous: Vec<String> = keys.show(sel, Some(pin))?.certificates.iter().map(|c| format!("{} {}", c.serial_hex, c.subject)).collect();
    let written = keys.write_cert(sel, pin, &bytes, None)?;
    let detail = certificate_written(t.serial, &written, (!previous.is_empty()).then_some(previous), pin_is_default(catalog, pin));
    record(desk, &number, AuditAction::CertificateWritten, &detail, false, cert)?;
    let holder = case.facts.cert(cert).map(|c| c.holder.clone()).unwrap_or_default();
    Ok(Written { cert, holder, serial_hex: written.serial_hex, subject: written.subject, not_after: written.not_after, key_id: written.id })
}

/// One seal image on the key: its slot on the case (`seal:official_seal` …), the data
/// object's label, size and SHA-256 as read back.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SealImageOnKey {
    pub name: String,
    pub label: String,
    pub size: usize,
    pub sha256: String,
}

/// Step 5's result: the main image (the official seal, else the first) as before, and every
/// image written (机构印章, 法人印章, 法人签字, 使用人签字 … where the seal sheet collected them).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SealWritten {
    pub name: String,
    pub size: usize,
    pub sha256: String,
    pub images: Vec<SealImageOnKey>,
    /// The case's images left off this unit's key because the project keeps the legal
    /// representative's apart and the unit did not consent (`rules.legal_rep_apart`), and the
    /// guide's words why.
    pub kept_apart: Vec<String>,
    pub kept_apart_why: Option<String>,
}

/// The data object label of a seal image: the main one keeps the label readers know
/// (`certdesk-seal-image`); the others are `certdesk-seal-image:<slot>`.
pub fn seal_label(name: &str, main: bool) -> String {
    if main { SEAL_LABEL.to_string() } else { format!("{SEAL_LABEL}:{}", name.trim_start_matches("seal:")) }
}

/// Step 5: the seal images chosen from the case's seal sheet (never the scan) that belong to
/// the certificate's holder ([`seal_images_for`]) on the key, each as its own data object, read
/// back; the official seal (else the first) is the main one.
pub(crate) fn write_seal(desk: &mut Desk<'_>, keys: &KeyLibrary, catalog: &Catalog, number: &str, cert: CertChoice, sel: &TokenSel, pin: &Pin) -> Result<SealWritten, DeskError> {
    let keys = keys.keys();
    let number = case_number(number)?;
    let case = desk.store.load(&number)?;
    crate::steps::require_in_plan(catalog, &case, StepKind::SealWrite)?;
    let plugged = keys.info(sel)?;
    let cert = resolve(desk, catalog, &case, cert, StepKind::SealWrite, Some(&plugged), &[])?;
    check(desk, &case, false, cert)?;
    let data = &case.record.data;
    let on_file = seal_images_in(&case.files);
    let together = legal_rep_on_unit_key(catalog, data);
    let mut names = seal_images_for(data.cert_kind, cert, &on_file, together);
    let kept_apart: Vec<String> = match data.cert_kind {
        CertKind::Organization if !together => on_file.iter().filter(|n| is_legal_reps(n)).cloned().collect(),
        _ => Vec::new(),
    };
    let kept_apart_why = (!kept_apart.is_empty()).then(|| catalog.projects.get(&data.project).and_then(|p| p.rules.legal_rep_apart.as_ref()).map(|a| a.quote.clone())).flatten();
    if names.is_empty() {
        return Err(DeskError::NoSealImage { number: number.to_string() });
    }
    // the main image first
    if let Some(i) = names.iter().position(|n| n == "seal:official_seal") {
        let main = names.remove(i);
        names.insert(0, main);
    }
    let mut images = Vec::new();
    for name in &names {
        let (_, png) = desk.store.attachment(&number, name)?.ok_or_else(|| DeskError::NoSealImage { number: number.to_string() })?;
        crate::limits::check_size(&format!("the seal image {name}"), png.len(), crate::limits::MAX_SEAL_IMAGE)?;
        images.push((name.clone(), png));
    }
    let t = keys.info(sel)?;
    let mut written = Vec::new();
    for (i, (name, png)) in images.iter().enumerate() {
        let label = seal_label(name, i == 0);
        let d = keys.write_data(sel, pin, SEAL_APPLICATION, &label, png)?;
        record(
            desk,
            &number,
            AuditAction::SealWritten,
            &detail::SealImageWritten {
                token_serial: t.serial.clone(),
                image: name.clone(),
                size: d.size,
                sha256: d.sha256.clone(),
                pin_is_default: pin_is_default(catalog, pin),
                ..Default::default()
            },
            false,
            cert,
        )?;
        written.push(SealImageOnKey { name: name.clone(), label, size: d.size, sha256: d.sha256 });
    }
    let main = written[0].clone();
    Ok(SealWritten { name: main.name, size: main.size, sha256: main.sha256, images: written, kept_apart, kept_apart_why })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// #74: "一个数字证书对应一个电子签章": the unit's seals stay on the unit's key, an employee's
    /// key gets only its holder's signature (the sheet's signature rows in order), a person's
    /// key their signature and a legal representative's own seal and signature.
    #[test]
    fn each_seal_goes_to_its_own_holders_key() {
        let names: Vec<String> = ["seal:official_seal", "seal:legal_rep_seal", "seal:signature:7", "seal:signature", "seal:signature:4"].into_iter().map(String::from).collect();
        assert_eq!(seal_images_for(CertKind::Organization, 1, &names, true), names);
        assert_eq!(
            seal_images_for(CertKind::Organization, 1, &names, false),
            ["seal:official_seal", "seal:signature:7", "seal:signature", "seal:signature:4"],
            "the 法人章 kept apart"
        );
        let with_signature: Vec<String> = ["seal:official_seal", "seal:legal_rep_signature", "seal:legal_rep_seal:2"].into_iter().map(String::from).collect();
        assert_eq!(seal_images_for(CertKind::Organization, 1, &with_signature, false), ["seal:official_seal"]);
        assert_eq!(seal_images_for(CertKind::Employee, 1, &names, true), ["seal:signature"]);
        assert_eq!(seal_images_for(CertKind::Employee, 2, &names, true), ["seal:signature:4"]);
        assert_eq!(seal_images_for(CertKind::Employee, 3, &names, true), ["seal:signature:7"]);
        assert!(seal_images_for(CertKind::Employee, 4, &names, true).is_empty(), "a holder the sheet has no signature for");
        assert!(seal_images_for(CertKind::Employee, 1, &names[..2], true).is_empty(), "the unit's seals never go onto an employee's key");
        assert_eq!(seal_images_for(CertKind::Personal, 1, &names, true), ["seal:signature", "seal:signature:4", "seal:signature:7", "seal:legal_rep_seal"]);
        // CFCA's sheet in a legal representative's own case: his 法人章 and 法人签字, not the 公章
        let cfca: Vec<String> = ["seal:official_seal", "seal:legal_rep_seal", "seal:legal_rep_signature"].into_iter().map(String::from).collect();
        assert_eq!(seal_images_for(CertKind::Personal, 1, &cfca, false), ["seal:legal_rep_seal", "seal:legal_rep_signature"]);
    }
}
