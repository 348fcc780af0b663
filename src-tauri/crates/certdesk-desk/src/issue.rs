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
use certdesk_catalog::Catalog;
use certdesk_domain::steps::StepKind;
use certdesk_domain::{CaseNumber, CertKind};
use certdesk_store::{AuditAction, EventBody, EventDetail, FileKind, NewFile, Store, detail};
use certdesk_token::cert::ParsedCert;
use certdesk_token::token::{SEAL_APPLICATION, SEAL_LABEL};
use certdesk_token::{Algo, DistId, Pin, Subject, TokenSel, TokenView};
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

/// The certificate request's subject, from the case (employee certificates: `employee`, from 1).
pub fn subject_from_case(store: &Store, number: &CaseNumber, employee: Option<usize>) -> Result<Subject, DeskError> {
    let rec = store.case(number)?;
    let missing = |what: String| DeskError::NoSubject { number: number.to_string(), what };
    let d = &rec.data;
    let org = d.organization.as_ref();
    let org_id = org.and_then(|o| o.uscc.clone().or_else(|| o.org_code.clone()).or_else(|| o.other_id.clone()));
    Ok(match d.cert_kind {
        CertKind::Organization => {
            let o = org.ok_or_else(|| missing("organisation".into()))?;
            Subject { common_name: o.name.clone(), organization: Some(o.name.clone()), organizational_unit: o.department.clone(), serial_number: org_id, country: "CN".into() }
        }
        CertKind::Employee => {
            let i = employee.unwrap_or(1);
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

/// Checks before a token is touched that this key clerk may do a step on the case now.
fn check(desk: &Desk<'_>, number: &CaseNumber, new_key: bool) -> Result<(), DeskError> {
    desk.store.check_key_step(number, &desk.actor, new_key)?;
    Ok(())
}

fn record<D: EventDetail>(desk: &mut Desk<'_>, number: &CaseNumber, action: AuditAction, detail: &D, new_key: bool) -> Result<(), DeskError> {
    desk.store.record_key_step(number, &desk.actor, EventBody::new(action, detail), new_key)?;
    Ok(())
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
    /// The key desk's stepper: the issuance steps this case has (the seal image only when
    /// there is one), then reading the key back (`verify`) and the hand-over (`deliver`).
    pub desk_steps: Vec<DeskStep>,
    /// The first step of `desk_steps` not done, where the key desk resumes.
    pub desk_next: String,
}

/// One step of the key desk's stepper and whether it is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DeskStep {
    pub id: String,
    pub done: bool,
}

/// The seal images of a case that go onto a key: the chosen images, never the scan.
fn seal_images(store: &Store, number: &CaseNumber) -> Result<Vec<String>, DeskError> {
    Ok(store.attachments(number)?.into_iter().filter(|a| a.name.starts_with("seal:") && a.name != "seal:scan" && a.mime == "image/png").map(|a| a.name).collect())
}

/// Whether the case has a seal image for the key desk to write.
pub(crate) fn has_seal_image(store: &Store, number: &CaseNumber) -> Result<bool, DeskError> {
    Ok(!seal_images(store, number)?.is_empty())
}

/// Whether the case's project issues dual certificates.
fn is_dual(catalog: &Catalog, project: &str) -> bool {
    catalog.projects.get(project).is_some_and(|p| p.dual_certificate())
}

/// Where issuing stands for a case, read off its audit chain (the newest key counts: a new
/// `token_initialized` starts over); the encryption step only for a project's dual certificates.
pub(crate) fn status(store: &Store, catalog: &Catalog, number: &str) -> Result<KeyStatus, DeskError> {
    let number = case_number(number)?;
    let rec = store.case(&number)?;
    let history = store.history(&number)?;
    let start = history.iter().rposition(|e| e.action == AuditAction::TokenInitialized).unwrap_or(0);
    let current = &history[start..];
    let has_seal = !seal_images(store, &number)?.is_empty();
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
    Ok(KeyStatus {
        case: rec.number.to_string(),
        status: rec.status.wire().into(),
        token_serial,
        steps,
        next,
        has_seal,
        dual,
        algorithms,
        default_pin_warning,
        desk_steps,
        desk_next,
    })
}

/// Step 1: initialise the key in slot `slot_index` with a label and both PINs.
#[allow(clippy::too_many_arguments)]
pub fn init(desk: &mut Desk<'_>, keys: &KeyLibrary, catalog: &Catalog, number: &str, slot_index: usize, label: &str, so_pin: &Pin, user_pin: &Pin) -> Result<TokenView, DeskError> {
    let number = case_number(number)?;
    check(desk, &number, true)?;
    crate::steps::require_in_plan(desk.store, catalog, &number, StepKind::KeyInit)?;
    let t = keys.keys().init(slot_index, label, so_pin, user_pin)?;
    let detail =
        detail::TokenInitialized { token_serial: t.serial.clone(), token_label: t.label.clone(), model: t.model.clone(), pin_is_default: pin_is_default(catalog, user_pin) };
    record(desk, &number, AuditAction::TokenInitialized, &detail, true)?;
    Ok(t)
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Generated {
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

    /// The request where the command line names it, the package beside it
    /// (`<csr-out>.request.json`) unless named too.
    pub fn beside(csr: &Path, package: Option<&Path>) -> RequestFiles {
        RequestFiles { csr: csr.to_path_buf(), package: package.map(Path::to_path_buf).unwrap_or_else(|| csr.with_extension("request.json")) }
    }
}

/// Step 2: a key pair on the key, the request signed by it, and the request package the CA
/// receives (the case data, the subject, the request).
#[allow(clippy::too_many_arguments)]
pub fn generate(
    desk: &mut Desk<'_>,
    keys: &KeyLibrary,
    catalog: &Catalog,
    number: &str,
    sel: &TokenSel,
    pin: &Pin,
    algo: Algo,
    employee: Option<usize>,
    files: &RequestFiles,
) -> Result<Generated, DeskError> {
    let keys = keys.keys();
    let number = case_number(number)?;
    check(desk, &number, true)?;
    crate::steps::require_in_plan(desk.store, catalog, &number, StepKind::KeyGenerate)?;
    let subject = subject_from_case(desk.store, &number, employee)?;
    let rec = desk.store.case(&number)?;
    if let Some(project) = catalog.projects.get(&rec.data.project)
        && !project.issues_algorithm(algo.name())
    {
        let offered = project.keys.as_ref().map(|k| k.algorithms.join(", ")).unwrap_or_default();
        return Err(DeskError::AlgoNotIssued { number: number.to_string(), project: project.ca_short.clone(), offered, algo: algo.name() });
    }
    let distid = project_sm2_id(catalog, &rec.data.project)?;
    let t = keys.info(sel)?;
    let key = keys.generate(sel, pin, algo, &subject.common_name)?;
    let csr = keys.csr_with_id(sel, pin, &key.id, &subject, &distid)?;
    let package = serde_json::json!({
        "format": "certdesk-request/1",
        "case": rec.to_export_json(),
        "subject": subject,
        "token": { "serial": t.serial, "label": t.label, "model": t.model },
        "key": { "id": key.id, "algo": algo.name(), "public_key_sha256": key.public_key_sha256 },
        "csr_pem": csr,
    });
    let (package_path, csr_path) = (files.package.clone(), files.csr.clone());
    // the request package carries the case (ID numbers, phones): this account's only
    certdesk_store::private::write(&package_path, serde_json::to_string_pretty(&package).unwrap_or_default().as_bytes()).map_err(crate::io("cannot write", &package_path))?;
    certdesk_store::private::write(&csr_path, csr.as_bytes()).map_err(crate::io("cannot write", &csr_path))?;
    let detail = detail::KeyGenerated {
        token_serial: t.serial,
        token_label: t.label,
        key_id: key.id.clone(),
        algo: algo.name().into(),
        public_key_sha256: key.public_key_sha256.clone(),
        csr: csr_path.display().to_string(),
        package: Some(package_path.display().to_string()),
        pin_is_default: pin_is_default(catalog, pin),
    };
    record(desk, &number, AuditAction::KeyGenerated, &detail, true)?;
    Ok(Generated { key_id: key.id, algo: algo.name(), public_key_sha256: key.public_key_sha256, csr_pem: csr, package_path })
}

/// The case whose request carried the public key of this certificate.
pub(crate) fn case_of_cert(store: &Store, cert_bytes: &[u8]) -> Result<Option<String>, DeskError> {
    let certs = certdesk_token::cert::parse_many(cert_bytes).map_err(certdesk_token::TokenError::from)?;
    let fingerprint = certdesk_domain::case::sha256_hex(&certs[0].public_key);
    Ok(store.find_event(AuditAction::KeyGenerated, "public_key_sha256", &fingerprint)?.and_then(|e| e.case_number))
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ImportedCert {
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
        let certs = certdesk_token::cert::parse_many(bytes).map_err(|e| DeskError::CaCertificates { project: project.to_string(), path: path.to_string(), why: e.to_string() })?;
        anchors.extend(certs);
    }
    Ok(anchors)
}

/// The SM2 distinguishing ID of a project (`sm2_id` in its catalog; GM/T 0009's
/// `1234567812345678` when it names none): Z of its requests and of its CA's signatures.
pub fn project_sm2_id(catalog: &Catalog, project: &str) -> Result<DistId, DeskError> {
    match catalog.projects.get(project).and_then(|p| p.sm2_id.as_deref()) {
        Some(id) => DistId::new(id.as_bytes().to_vec()).map_err(|e| DeskError::Sm2Id { project: project.to_string(), why: e.to_string() }),
        None => Ok(DistId::default()),
    }
}

/// Step 3: the certificate the CA issued (PEM, DER or PKCS#7 with its chain, in any order),
/// checked against the key generated for this case, its validity, the case's subject and the
/// issuer chain to the project's CA certificates; kept with the case as the issued certificate
/// followed by the chain (only what chains, so only that goes onto the key).
pub fn import_cert(desk: &mut Desk<'_>, catalog: &Catalog, number: &str, bytes: &[u8]) -> Result<ImportedCert, DeskError> {
    let number = case_number(number)?;
    check(desk, &number, false)?;
    crate::limits::check_size("the certificate file", bytes.len(), crate::limits::MAX_CERTIFICATE)?;
    let mut certs = certdesk_token::cert::parse_many(bytes).map_err(certdesk_token::TokenError::from)?;
    let st = status(desk.store, catalog, number.as_str())?;
    let Some(expected) = generated_key(&st).map(|g| g.public_key_sha256) else {
        return Err(DeskError::KeyStepOutOfOrder { number: number.to_string(), why: "no key was generated for it yet" });
    };
    let Some(at) = certs.iter().position(|c| certdesk_domain::case::sha256_hex(&c.public_key) == expected) else {
        let why = match case_of_cert(desk.store, bytes)? {
            Some(o) => format!("it was issued for the key of case {o}"),
            None => "its public key is not the one generated for this case".into(),
        };
        return Err(DeskError::CertMismatch { number: number.to_string(), why });
    };
    let leaf = certs.remove(at);
    let now = chrono::Utc::now().timestamp();
    if !leaf.valid_at(now) {
        let why = format!("it is valid from {} to {}, not now: ask the CA for the right certificate", leaf.not_before, leaf.not_after);
        return Err(DeskError::CertMismatch { number: number.to_string(), why });
    }
    let rec = desk.store.case(&number)?;
    subject_matches_case(&leaf, &rec.data).map_err(|why| DeskError::CertMismatch { number: number.to_string(), why })?;
    let anchors = project_anchors(catalog, &rec.data.project)?;
    let distid = project_sm2_id(catalog, &rec.data.project)?;
    let chain = certdesk_token::chain::build(&leaf, &certs, &anchors, now, &distid)
        .map_err(|e| DeskError::CertMismatch { number: number.to_string(), why: format!("its issuer chain does not hold: {e}") })?;
    let on_key: Vec<&ParsedCert> = std::iter::once(&leaf).chain(&chain.intermediates).chain(&chain.anchor).collect();
    let bundle = certdesk_token::cert::to_pem(&on_key);
    let left_out: Vec<String> = chain.dropped.iter().map(|c| c.subject.clone()).collect();
    let out = ImportedCert {
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
        file_sha256: Some(certdesk_domain::case::sha256_hex(bytes)),
        from: None,
        to: None,
    };
    let file = NewFile { name: CERTIFICATE_ATTACHMENT, mime: "application/x-pem-file", bytes: bundle.as_bytes() };
    desk.store.attach(&number, FileKind::KeyDesk, &[file], Some(EventBody::new(AuditAction::CertificateImported, &detail)), &desk.actor)?;
    Ok(out)
}

/// The key generated in the case's current key-desk round, as its event recorded it.
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
pub fn import_enc(
    desk: &mut Desk<'_>,
    keys: &KeyLibrary,
    catalog: &Catalog,
    number: &str,
    sel: &TokenSel,
    pin: &Pin,
    answer: &[u8],
    enc_cert: Option<&[u8]>,
) -> Result<EncWritten, DeskError> {
    let keys = keys.keys();
    let number = case_number(number)?;
    check(desk, &number, false)?;
    crate::steps::require_in_plan(desk.store, catalog, &number, StepKind::EncImport)?;
    crate::limits::check_size("the CA's answer", answer.len(), crate::limits::MAX_ANSWER)?;
    crate::limits::check_size("the encryption certificate", enc_cert.map_or(0, <[u8]>::len), crate::limits::MAX_CERTIFICATE)?;
    let refused = |why: &'static str| DeskError::KeyStepOutOfOrder { number: number.to_string(), why };
    let mismatch = |why: String| DeskError::CertMismatch { number: number.to_string(), why };
    let read = certdesk_token::DualAnswer::read(answer, enc_cert)?;
    let st = status(desk.store, catalog, number.as_str())?;
    let generated = generated_key(&st).ok_or_else(|| refused("no key was generated for it yet"))?;
    if !st.steps.iter().any(|s| s.step == AuditAction::CertificateWritten.wire() && s.done) {
        return Err(refused("its signing certificate is not on the key yet: write it first (key write-cert)"));
    }
    if read.sign_certs.iter().any(|c| certdesk_domain::case::sha256_hex(&c.public_key) != generated.public_key_sha256) {
        return Err(mismatch("the signing certificate in the CA's answer is not for the key generated for this case".into()));
    }
    let enc = &read.enc_cert;
    let now = chrono::Utc::now().timestamp();
    if !enc.valid_at(now) {
        return Err(mismatch(format!("the encryption certificate is valid from {} to {}, not now", enc.not_before, enc.not_after)));
    }
    let rec = desk.store.case(&number)?;
    subject_matches_case(enc, &rec.data).map_err(|why| mismatch(format!("the encryption certificate: {why}")))?;
    let anchors = project_anchors(catalog, &rec.data.project)?;
    let distid = project_sm2_id(catalog, &rec.data.project)?;
    // the CA certificates kept with the signing certificate, and any the answer sent along
    let mut sent = read.sign_certs.clone();
    if let Some((_, bundle)) = desk.store.attachment(&number, CERTIFICATE_ATTACHMENT)? {
        sent.extend(certdesk_token::cert::parse_many(&bundle).map_err(certdesk_token::TokenError::from)?.into_iter().skip(1));
    }
    let chain = certdesk_token::chain::build(enc, &sent, &anchors, now, &distid).map_err(|e| mismatch(format!("the encryption certificate's issuer chain does not hold: {e}")))?;
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
    };
    let pem = certdesk_token::cert::to_pem(&[enc]);
    let file = NewFile { name: ENC_CERTIFICATE_ATTACHMENT, mime: "application/x-pem-file", bytes: pem.as_bytes() };
    desk.store.attach(&number, FileKind::KeyDesk, &[file], Some(EventBody::new(AuditAction::EncryptionImported, &detail)), &desk.actor)?;
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

/// The issued certificate names whom the case is for: the organisation (organisation
/// certificates), one of its employees (employee certificates) or the handler (personal), by
/// common name, and by identifier where the certificate carries a serialNumber.
fn subject_matches_case(leaf: &certdesk_token::cert::ParsedCert, data: &certdesk_domain::CaseData) -> Result<(), String> {
    let org = data.organization.as_ref();
    let org_id = org.and_then(|o| o.uscc.clone().or_else(|| o.org_code.clone()).or_else(|| o.other_id.clone()));
    let expected: Vec<(String, Option<String>)> = match data.cert_kind {
        CertKind::Organization => org.map(|o| (o.name.clone(), org_id.clone())).into_iter().collect(),
        CertKind::Employee => data.employees.iter().map(|e| (e.name.clone(), Some(e.id_number.clone()))).collect(),
        CertKind::Personal => vec![(data.handler.name.clone(), Some(data.handler.id_number.clone()))],
    };
    let cns = leaf.subject_attr("CN");
    let serials = leaf.subject_attr("serialNumber");
    let matched = expected.iter().any(|(name, id)| cns.iter().any(|cn| cn == name) && (serials.is_empty() || id.as_ref().is_some_and(|id| serials.contains(id))));
    if matched {
        return Ok(());
    }
    let wanted = expected.iter().map(|(n, id)| format!("{n}{}", id.as_deref().map(|i| format!(" ({i})")).unwrap_or_default())).collect::<Vec<_>>().join(" / ");
    Err(format!("it is issued to {} but the case is for {wanted}", leaf.subject))
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
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Written {
    pub serial_hex: String,
    pub subject: String,
    pub not_after: String,
    pub key_id: String,
}

/// Step 4: writes the imported certificate (and its chain) to the key, reads it back, and marks
/// the case as issued (in the same transaction as the step, which checks the approval again).
pub fn write_cert(desk: &mut Desk<'_>, keys: &KeyLibrary, catalog: &Catalog, number: &str, sel: &TokenSel, pin: &Pin) -> Result<Written, DeskError> {
    let keys = keys.keys();
    let number = case_number(number)?;
    check(desk, &number, false)?;
    let (_, bytes) = desk
        .store
        .attachment(&number, CERTIFICATE_ATTACHMENT)?
        .ok_or_else(|| DeskError::KeyStepOutOfOrder { number: number.to_string(), why: "import the issued certificate first" })?;
    let t = keys.info(sel)?;
    // a renewal onto the applicant's key finds the old certificate there: recorded, not lost
    let previous: Vec<String> = keys.show(sel, Some(pin))?.certificates.iter().map(|c| format!("{} {}", c.serial_hex, c.subject)).collect();
    let written = keys.write_cert(sel, pin, &bytes, None)?;
    let detail = certificate_written(t.serial, &written, (!previous.is_empty()).then_some(previous), pin_is_default(catalog, pin));
    record(desk, &number, AuditAction::CertificateWritten, &detail, false)?;
    Ok(Written { serial_hex: written.serial_hex, subject: written.subject, not_after: written.not_after, key_id: written.id })
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
}

/// The data object label of a seal image: the main one keeps the label readers know
/// (`certdesk-seal-image`); the others are `certdesk-seal-image:<slot>`.
pub fn seal_label(name: &str, main: bool) -> String {
    if main { SEAL_LABEL.to_string() } else { format!("{SEAL_LABEL}:{}", name.trim_start_matches("seal:")) }
}

/// Step 5: every seal image chosen from the case's seal sheet (never the scan) on the key, each
/// as its own data object, read back; the official seal (else the first) is the main one.
pub fn write_seal(desk: &mut Desk<'_>, keys: &KeyLibrary, catalog: &Catalog, number: &str, sel: &TokenSel, pin: &Pin) -> Result<SealWritten, DeskError> {
    let keys = keys.keys();
    let number = case_number(number)?;
    check(desk, &number, false)?;
    crate::steps::require_in_plan(desk.store, catalog, &number, StepKind::SealWrite)?;
    let mut names = seal_images(desk.store, &number)?;
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
            &detail::SealImageWritten { token_serial: t.serial.clone(), image: name.clone(), size: d.size, sha256: d.sha256.clone(), pin_is_default: pin_is_default(catalog, pin) },
            false,
        )?;
        written.push(SealImageOnKey { name: name.clone(), label, size: d.size, sha256: d.sha256 });
    }
    let main = written[0].clone();
    Ok(SealWritten { name: main.name, size: main.size, sha256: main.sha256, images: written })
}
