//! Issuing a case's USB key, step by step, each step on the case's audit chain so that the key
//! desk resumes where it stopped: initialise the key, generate the key pair and the request
//! package, import the certificate the CA issued (matched to the case by its public key), write
//! it to the key and read it back, write the seal image, hand over. Only approved cases (and
//! cases already being issued) get a key. PINs are `Pin` values and never recorded.

use crate::DeskError;
use certdesk_domain::workflow::Actor;
use certdesk_domain::{Action, CertKind, Status};
use certdesk_store::{NewEvent, Store};
use certdesk_token::token::{Contents, SEAL_APPLICATION, SEAL_LABEL};
use certdesk_token::{Algo, Keys, Pin, Subject, TokenSel, TokenView};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The steps of issuing, in order, with what to do next when a step is missing.
pub const STEPS: [(&str, &str); 5] = [
    ("token_initialized", "initialise the key (key init --case)"),
    ("key_generated", "generate the key pair and export the request (key gen --case)"),
    ("certificate_imported", "import the certificate the CA issued (key write-cert imports it too)"),
    ("certificate_written", "write the issued certificate (key write-cert)"),
    ("seal_written", "write the seal image (key write-seal), if the case has one"),
];

/// Name of the attachment that holds the certificate the CA issued.
pub const CERTIFICATE_ATTACHMENT: &str = "certificate";

/// The certificate request's subject, from the case (employee certificates: `employee`, from 1).
pub fn subject_from_case(store: &Store, number: &str, employee: Option<usize>) -> Result<Subject, DeskError> {
    let rec = store.case(number)?;
    let refused = |why: String| DeskError::Refused { number: number.to_string(), why };
    let d = &rec.data;
    let org = d.organization.as_ref();
    let org_id = org.and_then(|o| o.uscc.clone().or_else(|| o.org_code.clone()).or_else(|| o.other_id.clone()));
    Ok(match d.cert_kind {
        CertKind::Organization => {
            let o = org.ok_or_else(|| refused("it has no organisation".into()))?;
            Subject { common_name: o.name.clone(), organization: Some(o.name.clone()), organizational_unit: o.department.clone(), serial_number: org_id, country: "CN".into() }
        }
        CertKind::Employee => {
            let i = employee.unwrap_or(1);
            let e = d.employees.get(i.wrapping_sub(1)).ok_or_else(|| refused(format!("it has no employee {i} (it has {})", d.employees.len())))?;
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

/// The key desk works on approved cases, and on cases whose key is being issued (resuming).
pub fn check_key_desk(store: &Store, number: &str) -> Result<(), DeskError> {
    let rec = store.case(number)?;
    if rec.status == Status::KeyIssued {
        return Ok(());
    }
    certdesk_domain::workflow::may_make_key(rec.status).map_err(|e| DeskError::Refused { number: number.to_string(), why: e.to_string() })
}

fn record(store: &mut Store, actor: &str, action: &str, number: &str, detail: serde_json::Value) -> Result<(), DeskError> {
    store.record_event(&NewEvent { actor, action, case_number: Some(number), detail, ..Default::default() })?;
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
}

/// Where issuing stands for a case, read off its audit chain (the newest key counts: a new
/// `token_initialized` starts over).
pub fn status(store: &Store, number: &str) -> Result<KeyStatus, DeskError> {
    let rec = store.case(number)?;
    let history = store.history(rec.number.as_str())?;
    let start = history.iter().rposition(|e| e.action == "token_initialized").unwrap_or(0);
    let current = &history[start..];
    let has_seal = store.attachments(rec.number.as_str())?.iter().any(|a| a.name.starts_with("seal:") && a.mime == "image/png");
    let steps: Vec<StepView> = STEPS
        .iter()
        .map(|(action, _)| {
            let ev = current.iter().rev().find(|e| e.action == *action);
            StepView { step: action, done: ev.is_some(), at: ev.map(|e| e.at.clone()), detail: ev.map(|e| e.detail.clone()) }
        })
        .collect();
    let next = STEPS.iter().zip(&steps).find(|((action, _), s)| !s.done && (*action != "seal_written" || has_seal)).map(|((_, hint), _)| *hint);
    let token_serial = current.iter().rev().find_map(|e| e.detail.get("token_serial").and_then(|s| s.as_str()).map(str::to_string));
    Ok(KeyStatus { case: rec.number.to_string(), status: rec.status.wire().into(), token_serial, steps, next, has_seal })
}

/// Step 1: initialise the key in slot `slot_index` with a label and both PINs.
pub fn init(store: &mut Store, keys: &Keys, number: &str, slot_index: usize, label: &str, so_pin: &Pin, user_pin: &Pin, actor: &str) -> Result<TokenView, DeskError> {
    check_key_desk(store, number)?;
    let t = keys.init(slot_index, label, so_pin, user_pin)?;
    record(store, actor, "token_initialized", number, serde_json::json!({ "token_serial": t.serial, "token_label": t.label, "model": t.model }))?;
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
    /// `<dir>/<case>.request.json` and `<dir>/<case>.request.csr.pem`.
    pub fn in_dir(dir: &Path, number: &str) -> RequestFiles {
        let package = dir.join(format!("{number}.request.json"));
        RequestFiles { csr: package.with_extension("csr.pem"), package }
    }
}

/// Step 2: a key pair on the key, the request signed by it, and the request package the CA
/// receives (the case data, the subject, the request).
#[allow(clippy::too_many_arguments)]
pub fn generate(
    store: &mut Store,
    keys: &Keys,
    number: &str,
    sel: &TokenSel,
    pin: &Pin,
    algo: Algo,
    employee: Option<usize>,
    files: &RequestFiles,
    actor: &str,
) -> Result<Generated, DeskError> {
    check_key_desk(store, number)?;
    let subject = subject_from_case(store, number, employee)?;
    let t = keys.info(sel)?;
    let key = keys.generate(sel, pin, algo, &subject.common_name)?;
    let csr = keys.csr(sel, pin, &key.id, &subject)?;
    let rec = store.case(number)?;
    let package = serde_json::json!({
        "format": "certdesk-request/1",
        "case": rec.to_export_json(),
        "subject": subject,
        "token": { "serial": t.serial, "label": t.label, "model": t.model },
        "key": { "id": key.id, "algo": algo.name(), "public_key_sha256": key.public_key_sha256 },
        "csr_pem": csr,
    });
    for path in [&files.package, &files.csr] {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(crate::io("cannot create", dir))?;
        }
    }
    let (package_path, csr_path) = (files.package.clone(), files.csr.clone());
    std::fs::write(&package_path, serde_json::to_string_pretty(&package).unwrap_or_default()).map_err(crate::io("cannot write", &package_path))?;
    std::fs::write(&csr_path, &csr).map_err(crate::io("cannot write", &csr_path))?;
    record(
        store,
        actor,
        "key_generated",
        number,
        serde_json::json!({
            "token_serial": t.serial, "token_label": t.label, "key_id": key.id, "algo": algo.name(),
            "public_key_sha256": key.public_key_sha256, "csr": csr_path, "package": package_path,
        }),
    )?;
    Ok(Generated { key_id: key.id, algo: algo.name(), public_key_sha256: key.public_key_sha256, csr_pem: csr, package_path })
}

/// The case whose request carried the public key of this certificate.
pub fn case_of_cert(store: &Store, cert_bytes: &[u8]) -> Result<Option<String>, DeskError> {
    let certs = certdesk_token::cert::parse_many(cert_bytes).map_err(certdesk_token::TokenError::from)?;
    let fingerprint = certdesk_domain::case::sha256_hex(&certs[0].public_key);
    Ok(store.find_event("key_generated", "public_key_sha256", &fingerprint)?.and_then(|e| e.case_number))
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ImportedCert {
    pub subject: String,
    pub issuer: String,
    pub serial_hex: String,
    pub not_after: String,
}

/// Step 3: the certificate the CA issued (PEM, DER or PKCS#7 with its chain), checked against
/// the key generated for this case, kept with the case.
pub fn import_cert(store: &mut Store, number: &str, bytes: &[u8], actor: &str) -> Result<ImportedCert, DeskError> {
    check_key_desk(store, number)?;
    if bytes.len() > 1 << 20 {
        return Err(DeskError::Invalid(format!("the certificate file is {} bytes; a certificate with its chain is far smaller", bytes.len())));
    }
    let certs = certdesk_token::cert::parse_many(bytes).map_err(certdesk_token::TokenError::from)?;
    let leaf = &certs[0];
    let fingerprint = certdesk_domain::case::sha256_hex(&leaf.public_key);
    let st = status(store, number)?;
    let generated = st.steps.iter().find(|s| s.step == "key_generated").and_then(|s| s.detail.clone());
    let expected = generated.as_ref().and_then(|d| d.get("public_key_sha256")).and_then(|v| v.as_str());
    match expected {
        None => return Err(DeskError::Refused { number: number.into(), why: "no key was generated for it yet".into() }),
        Some(e) if e != fingerprint => {
            let other = case_of_cert(store, bytes)?;
            let why = match other {
                Some(o) => format!("it was issued for the key of case {o}"),
                None => "its public key is not the one generated for this case".into(),
            };
            return Err(DeskError::CertMismatch { number: number.into(), why });
        }
        Some(_) => {}
    }
    store.put_attachment(number, CERTIFICATE_ATTACHMENT, "application/pkix-cert", bytes, actor)?;
    let out = ImportedCert { subject: leaf.subject.clone(), issuer: leaf.issuer.clone(), serial_hex: leaf.serial_hex.clone(), not_after: leaf.not_after.clone() };
    record(
        store,
        actor,
        "certificate_imported",
        number,
        serde_json::json!({ "certificate_serial": out.serial_hex, "subject": out.subject, "issuer": out.issuer, "not_after": out.not_after, "chain": certs.len() - 1 }),
    )?;
    Ok(out)
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Written {
    pub serial_hex: String,
    pub subject: String,
    pub not_after: String,
    pub key_id: String,
}

/// Step 4: writes the imported certificate (and its chain) to the key, reads it back, and —
/// for a signed-in key clerk — marks the case as issued (the approval must still match the
/// data: the workflow checks it).
pub fn write_cert(store: &mut Store, keys: &Keys, number: &str, sel: &TokenSel, pin: &Pin, clerk: &Actor) -> Result<Written, DeskError> {
    check_key_desk(store, number)?;
    let (_, bytes) =
        store.attachment(number, CERTIFICATE_ATTACHMENT)?.ok_or_else(|| DeskError::Refused { number: number.into(), why: "import the issued certificate first".into() })?;
    let t = keys.info(sel)?;
    let written = keys.write_cert(sel, pin, &bytes, None)?;
    record(
        store,
        &clerk.name,
        "certificate_written",
        number,
        serde_json::json!({
            "token_serial": t.serial, "key_id": written.id, "certificate_serial": written.serial_hex,
            "subject": written.subject, "not_after": written.not_after, "verified": true,
        }),
    )?;
    if store.case(number)?.status == Status::Approved {
        store.act(number, Action::IssueKey, clerk, None)?;
    }
    Ok(Written { serial_hex: written.serial_hex, subject: written.subject, not_after: written.not_after, key_id: written.id })
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SealWritten {
    pub name: String,
    pub size: usize,
    pub sha256: String,
}

/// Step 5: the case's official seal image (else its first seal image) on the key, read back.
pub fn write_seal(store: &mut Store, keys: &Keys, number: &str, sel: &TokenSel, pin: &Pin, actor: &str) -> Result<SealWritten, DeskError> {
    check_key_desk(store, number)?;
    let names: Vec<String> = store.attachments(number)?.into_iter().filter(|a| a.name.starts_with("seal:") && a.mime == "image/png").map(|a| a.name).collect();
    let name = names
        .iter()
        .find(|n| *n == "seal:official_seal")
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| DeskError::Refused { number: number.into(), why: "it has no seal image (import the seal sheet first)".into() })?;
    let (_, png) = store.attachment(number, &name)?.ok_or_else(|| DeskError::Invalid(format!("attachment {name} vanished")))?;
    if png.len() > 512 * 1024 {
        return Err(DeskError::Invalid(format!("the seal image is {} bytes; at most 512 KiB fit on a key", png.len())));
    }
    let t = keys.info(sel)?;
    let d = keys.write_data(sel, pin, SEAL_APPLICATION, SEAL_LABEL, &png)?;
    record(store, actor, "seal_written", number, serde_json::json!({ "token_serial": t.serial, "image": name, "size": d.size, "sha256": d.sha256 }))?;
    Ok(SealWritten { name, size: d.size, sha256: d.sha256 })
}

/// Step 6: what is on the key now (keys, certificates, data objects).
pub fn verify(keys: &Keys, sel: &TokenSel, pin: &Pin) -> Result<Contents, DeskError> {
    Ok(keys.show(sel, Some(pin))?)
}

/// Whether `pin` is still one of the CA's published default PINs (the applicant must change it).
pub fn is_default_pin(catalog: &certdesk_catalog::Catalog, pin: &Pin) -> Option<String> {
    catalog.projects.values().find(|p| p.pin.as_ref().and_then(|r| r.default.as_deref()).is_some_and(|d| pin.equals(d))).map(|p| p.id.clone())
}
