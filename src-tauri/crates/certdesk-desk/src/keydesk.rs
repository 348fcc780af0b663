//! The key desk outside a case's issuance steps, and what every key operation shares: which
//! key library is loaded (`library_path`: the command line's `--module`, else the
//! `pkcs11_module` setting, else `CERTDESK_PKCS11_MODULE`, else the platform's known vendor
//! libraries), whether a PIN is a CA's published default (`pin_is_default`, recorded on the
//! chain and read back by `default_pin_recorded`, so the warning survives a restart and shows
//! in the CLI and the app alike), reading keys (`key_slots`, `info`, `show`, `watch`) with a
//! signed-in session, and every key operation with or without a case. Without a case an
//! operation needs the key clerk role and appends an event of the key desk's own log (no
//! case): which key by serial, label and model, what was done, never a PIN. With a case it is
//! that case's step (`issue`).

use crate::DeskError;
use crate::api::Desk;
use crate::place::Environment;
use crate::rounds::CertChoice;
use certdesk_catalog::Catalog;
use certdesk_domain::workflow::Role;
use certdesk_store::{AuditAction, NewEvent, Store, detail};
use certdesk_token::readers::{PcscProblem, ReaderEvent, ReaderState, Readers};
use certdesk_token::token::{CertView, Contents, DataView, SEAL_APPLICATION, SEAL_LABEL, SlotView};
use certdesk_token::{Algo, DualAnswer, EncImported, KeyView, Keys, Pin, Subject, TokenSel, TokenView};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A loaded key library (PKCS#11 module or SKF library). The adapters hold it and hand it back;
/// only the desk works the keys through it.
pub struct KeyLibrary {
    path: PathBuf,
    keys: Keys,
}

impl KeyLibrary {
    /// Loads the library at `path` (told apart by its exports).
    pub fn open(path: &Path) -> Result<KeyLibrary, DeskError> {
        Ok(KeyLibrary { path: path.to_path_buf(), keys: Keys::open(path)? })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn keys(&self) -> &Keys {
        &self.keys
    }
}

/// The key library to load: `flag` (the command line's `--module`), else the `pkcs11_module`
/// setting (管理 → USB Key驱动), else `CERTDESK_PKCS11_MODULE`, else the first of the platform's
/// known vendor libraries that is installed.
pub fn library_path(desk: &Desk<'_>, flag: Option<&Path>, env: &Environment) -> Result<PathBuf, DeskError> {
    resolve_library(flag, || desk.setting("pkcs11_module"), env)
}

/// [`library_path`] before anyone is signed in (#31: the staff key that signs the account in):
/// the setting read off the opened store, which is no secret.
pub fn sign_in_library(store: &crate::api::CaseStore, flag: Option<&Path>, env: &Environment) -> Result<PathBuf, DeskError> {
    resolve_library(flag, || Ok(store.store.setting("pkcs11_module")?), env)
}

fn resolve_library(flag: Option<&Path>, setting: impl FnOnce() -> Result<Option<String>, DeskError>, env: &Environment) -> Result<PathBuf, DeskError> {
    let named = match flag {
        Some(f) => Some(f.to_path_buf()),
        None => setting()?.map(PathBuf::from).or_else(|| env.pkcs11_module.clone()),
    };
    certdesk_token::modules::resolve(named.as_deref())
        .map_err(|e| DeskError::Token(certdesk_token::TokenError::Module { path: String::new(), why: Box::new(certdesk_token::ModuleProblem::NoneFound(e)) }))
}

/// 管理 → Key驱动库 (#79 item 3): leave to check key library files, given to an administrator's
/// desk. The check loads the vendor's code and may take seconds, so it runs without the desk:
/// the other calls of the window do not wait behind it.
pub struct KeyLibraryCheck(());

impl KeyLibraryCheck {
    /// Whether the file at `path` is a key library this PC can load, and if not, which check
    /// failed (not found, not a library, another processor's, no PKCS#11 or SKF entry point,
    /// its own start-up failed).
    pub fn run(&self, path: &str) -> certdesk_token::LibraryCheck {
        certdesk_token::check_library(Path::new(path.trim()))
    }
}

impl Desk<'_> {
    /// [`KeyLibraryCheck`], for an administrator.
    pub fn key_library_check(&self) -> Result<KeyLibraryCheck, DeskError> {
        self.require("check the key library", Role::Admin)?;
        Ok(KeyLibraryCheck(()))
    }
}

/// The project whose published default PIN `pin` still is (the applicant must change it).
pub fn default_pin_of(catalog: &Catalog, pin: &Pin) -> Option<String> {
    catalog.projects.values().find(|p| p.pin.as_ref().and_then(|r| r.default.as_deref()).is_some_and(|d| pin.equals(d))).map(|p| p.id.clone())
}

/// What an event records of a PIN set or used: whether it is a CA's published default (never
/// the PIN itself).
pub fn pin_is_default(catalog: &Catalog, pin: &Pin) -> Option<bool> {
    Some(default_pin_of(catalog, pin).is_some())
}

/// Whether the newest event about the key `serial` that says anything of its PIN said it is
/// a CA's default: the key desk's warning, from the chain.
pub(crate) fn default_pin_recorded(store: &Store, serial: &str) -> Result<bool, DeskError> {
    Ok(store.newest_pin_event(serial)?.is_some_and(|e| e.detail.get("pin_is_default").and_then(|v| v.as_bool()) == Some(true)))
}

/// The readers (PC/SC) and keys (the library's slots) as they are now; the key desk polls this.
/// A library that could not be loaded is said, not an error: the readers are still shown.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct KeySlots {
    pub module: Option<String>,
    pub module_error: Option<String>,
    pub slots: Vec<SlotView>,
    pub readers: Vec<ReaderState>,
    /// what is wrong with the smart-card service (the desk's words come from the code); the
    /// English detail is for the log and support
    pub pcsc_problem: Option<PcscProblem>,
    pub pcsc_error: Option<String>,
}

pub fn key_slots(_desk: &Desk<'_>, library: Result<&KeyLibrary, &str>) -> KeySlots {
    let (readers, pcsc_problem, pcsc_error) = match Readers::connect().and_then(|r| r.list()) {
        Ok(r) => (r, None, None),
        Err(e) => (vec![], Some(e.problem()), Some(e.to_string())),
    };
    let (module, slots, module_error) = match library.map(|l| (l, l.keys.slots())) {
        Ok((l, Ok(slots))) => (Some(l.path.display().to_string()), slots, None),
        Ok((l, Err(e))) => (Some(l.path.display().to_string()), vec![], Some(e.to_string())),
        Err(why) => (None, vec![], Some(why.to_string())),
    };
    KeySlots { module, module_error, slots, readers, pcsc_problem, pcsc_error }
}

/// One key's state: label, serial, model, PIN flags.
pub fn info(_desk: &Desk<'_>, library: &KeyLibrary, sel: &TokenSel) -> Result<TokenView, DeskError> {
    Ok(library.keys.info(sel)?)
}

/// What is on a key; with its PIN (a key clerk) also its keys and certificates.
pub fn show(desk: &Desk<'_>, library: &KeyLibrary, sel: &TokenSel, pin: Option<&Pin>) -> Result<Contents, DeskError> {
    if pin.is_some() {
        desk.require("read a key with its PIN", Role::KeyClerk)?;
    }
    Ok(library.keys.show(sel, pin)?)
}

/// What the reader watch saw: the readers at the start, then each change.
#[derive(Debug, Clone)]
pub enum Watched {
    Present(Vec<ReaderState>),
    Changed(ReaderEvent),
}

/// Watches the readers for `seconds` (or until `seen` says stop by returning `false`): first
/// the readers as they are, then every key inserted or removed.
pub fn watch(_desk: &Desk<'_>, seconds: Option<u64>, mut seen: impl FnMut(Watched) -> bool) -> Result<(), DeskError> {
    let readers = Readers::connect()?;
    let mut known = readers.list()?;
    if !seen(Watched::Present(known.clone())) {
        return Ok(());
    }
    let until = seconds.map(|s| Instant::now() + Duration::from_secs(s));
    while until.is_none_or(|u| Instant::now() < u) {
        let (events, now) = readers.wait(&known, Duration::from_millis(500))?;
        known = now;
        for e in events {
            if !seen(Watched::Changed(e)) {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Records an event of the key desk's own log (no case) as this key clerk.
fn log<D: detail::EventDetail>(desk: &mut Desk<'_>, action: AuditAction, detail: &D) -> Result<(), DeskError> {
    desk.store.record_event(&NewEvent::new(desk.actor.name(), action, detail))?;
    Ok(())
}

/// A key clerk, for a key operation outside a case.
fn key_clerk(desk: &Desk<'_>, what: &'static str) -> Result<(), DeskError> {
    desk.require(what, Role::KeyClerk)
}

fn changed(t: &TokenView, pin_is_default: Option<bool>) -> detail::TokenChanged {
    detail::TokenChanged { token_serial: t.serial.clone(), token_label: Some(t.label.clone()), model: Some(t.model.clone()), pin_is_default }
}

/// Initialises the key in `slot_index` with a label and both PINs: for a case, its step
/// (`issue::init`); otherwise by a key clerk, on the key desk's log.
#[allow(clippy::too_many_arguments)]
pub fn init(
    desk: &mut Desk<'_>,
    library: &KeyLibrary,
    catalog: &Catalog,
    case: Option<(&str, CertChoice)>,
    slot_index: usize,
    label: Option<&str>,
    so_pin: &Pin,
    user_pin: &Pin,
) -> Result<TokenView, DeskError> {
    if let Some((n, cert)) = case {
        return crate::issue::init(desk, library, catalog, n, cert, slot_index, label, so_pin, user_pin);
    }
    key_clerk(desk, "initialise a key")?;
    let label = label.map(str::trim).filter(|l| !l.is_empty()).ok_or(DeskError::EmptySecret { what: "key label (--label)" })?;
    let (t, user_pin_tries) = library.keys.init_limited(slot_index, label, so_pin, user_pin, None)?;
    let detail = detail::TokenInitialized {
        token_serial: t.serial.clone(),
        token_label: t.label.clone(),
        model: t.model.clone(),
        pin_is_default: pin_is_default(catalog, user_pin),
        user_pin_tries,
        ..Default::default()
    };
    log(desk, AuditAction::TokenInitialized, &detail)?;
    Ok(t)
}

/// Whom a key pair's request names: a case's applicant (its step) or a common name given at
/// the key desk.
#[derive(Debug, Clone, Copy)]
pub enum KeyFor<'a> {
    Case { number: &'a str, cert: CertChoice },
    CommonName(&'a str),
}

/// A key pair made on a key and its request written.
#[derive(Debug, Clone, Serialize)]
pub struct MadeKey {
    /// the key as the token shows it (a case's: id, algorithm, public key's SHA-256)
    #[serde(flatten)]
    pub key: serde_json::Value,
    pub key_id: String,
    pub token_serial: String,
    pub token_label: String,
    pub case: Option<String>,
    /// A case's: the certificate (1-based) the key pair is for.
    pub cert: Option<u32>,
}

/// A key pair on the key and its request (`files.csr`): for a case its step with the request
/// package (`issue::generate`); for a common name by a key clerk, on the key desk's log with
/// the public key's SHA-256.
#[allow(clippy::too_many_arguments)]
pub fn generate(
    desk: &mut Desk<'_>,
    library: &KeyLibrary,
    catalog: &Catalog,
    key_for: KeyFor<'_>,
    sel: &TokenSel,
    pin: &Pin,
    algo: Algo,
    files: &crate::issue::RequestFiles,
) -> Result<MadeKey, DeskError> {
    let t = library.keys.info(sel)?;
    match key_for {
        KeyFor::Case { number, cert } => {
            let made = crate::issue::generate(desk, library, catalog, number, sel, pin, algo, cert, files)?;
            let key = serde_json::json!({ "id": made.key_id, "algo": made.algo, "public_key_sha256": made.public_key_sha256 });
            Ok(MadeKey { key, key_id: made.key_id, token_serial: t.serial, token_label: t.label, case: Some(crate::api::case_number(number)?.to_string()), cert: Some(made.cert) })
        }
        KeyFor::CommonName(cn) => {
            key_clerk(desk, "make a key pair")?;
            let subject = Subject { common_name: cn.to_string(), country: "CN".into(), ..Default::default() };
            let key: KeyView = library.keys.generate(sel, pin, algo, &subject.common_name)?;
            let csr = library.keys.csr(sel, pin, &key.id, &subject)?;
            certdesk_store::private::write(&files.csr, csr.as_bytes()).map_err(crate::io("cannot write", &files.csr))?;
            let detail = detail::KeyGenerated {
                token_serial: t.serial.clone(),
                token_label: t.label.clone(),
                key_id: key.id.clone(),
                algo: algo.name().into(),
                public_key_sha256: key.public_key_sha256.clone(),
                csr: files.csr.display().to_string(),
                package: None,
                pin_is_default: pin_is_default(catalog, pin),
                ..Default::default()
            };
            log(desk, AuditAction::KeyGenerated, &detail)?;
            Ok(MadeKey { key: serde_json::to_value(&key).unwrap_or_default(), key_id: key.id, token_serial: t.serial, token_label: t.label, case: None, cert: None })
        }
    }
}

/// A certificate written to a key: for a case (its step, the case named), or for none.
#[derive(Debug, Clone)]
pub enum CertOnKey {
    Case { case: String, written: crate::issue::Written },
    Loose(CertView),
}

/// Writes an issued certificate (and its chain file) to a key. A certificate of a case (named,
/// or found by the public key its request carried) is imported for that case (matched to its
/// certificate by public key) and written as its step; any other by a key clerk, on the key
/// desk's log with its serial and subject. Without a file, a case's certificate imported
/// before (`key import-certs`) is written: `choice`'s, else the plugged key's.
#[allow(clippy::too_many_arguments)]
pub fn write_cert(
    desk: &mut Desk<'_>,
    library: &KeyLibrary,
    catalog: &Catalog,
    case: Option<&str>,
    choice: CertChoice,
    sel: &TokenSel,
    pin: &Pin,
    cert: Option<&[u8]>,
    chain: Option<&[u8]>,
) -> Result<CertOnKey, DeskError> {
    let Some(cert) = cert else {
        let number = case.ok_or(DeskError::KeyStepOutOfOrder { number: String::new(), why: "give the certificate file, or the case whose imported certificate to write" })?;
        let number = crate::api::case_number(number)?.to_string();
        let written = crate::issue::write_cert(desk, library, catalog, &number, choice, sel, pin)?;
        return Ok(CertOnKey::Case { case: number, written });
    };
    crate::limits::check_size("the certificate file", cert.len(), crate::limits::MAX_CERTIFICATE)?;
    crate::limits::check_size("the chain file", chain.map_or(0, <[u8]>::len), crate::limits::MAX_CERTIFICATE)?;
    let case = match case {
        Some(n) => Some(crate::api::case_number(n)?.to_string()),
        None => crate::issue::case_of_cert(desk.store, cert)?,
    };
    match case {
        Some(number) => {
            // the certificate and the chain file may differ in format (DER, PEM, PKCS#7)
            let mut certs = certdesk_token::cert::parse_many(cert).map_err(certdesk_token::TokenError::from)?;
            if let Some(extra) = chain {
                certs.extend(certdesk_token::cert::parse_many(extra).map_err(certdesk_token::TokenError::from)?);
            }
            let combined = certdesk_token::cert::to_pem(&certs.iter().collect::<Vec<_>>());
            let imported = crate::issue::import_cert(desk, catalog, &number, combined.as_bytes())?;
            if let CertChoice::Given(k) | CertChoice::Employee(k) = choice
                && k != imported.cert
            {
                return Err(DeskError::CertMismatch {
                    number,
                    refusal: Box::new(crate::issue::CertRefusal::OtherCertificate { cert: imported.cert, holder: imported.holder, chosen: k }),
                });
            }
            let written = crate::issue::write_cert(desk, library, catalog, &number, CertChoice::Given(imported.cert), sel, pin)?;
            Ok(CertOnKey::Case { case: number, written })
        }
        None => {
            key_clerk(desk, "write a certificate to a key")?;
            let t = library.keys.info(sel)?;
            let written = library.keys.write_cert(sel, pin, cert, chain)?;
            let detail = crate::issue::certificate_written(t.serial, &written, None, pin_is_default(catalog, pin));
            log(desk, AuditAction::CertificateWritten, &detail)?;
            Ok(CertOnKey::Loose(written))
        }
    }
}

/// A dual certificate's second half on a key: for a case (its step), or for none.
#[derive(Debug, Clone)]
pub enum EncOnKey {
    Case { case: String, written: crate::issue::EncWritten },
    Loose(Box<EncImported>),
}

/// Imports the encryption key pair the CA's KMC enveloped to a signing key, with its
/// certificate: for a case its step (checked against the case first, `issue::import_enc`);
/// otherwise by a key clerk into `key_id` (or the one key that can take it), on the key desk's
/// log.
#[allow(clippy::too_many_arguments)]
pub fn import_enc(
    desk: &mut Desk<'_>,
    library: &KeyLibrary,
    catalog: &Catalog,
    case: Option<(&str, CertChoice)>,
    key_id: Option<&str>,
    sel: &TokenSel,
    pin: &Pin,
    answer: &[u8],
    enc_cert: Option<&[u8]>,
) -> Result<EncOnKey, DeskError> {
    if let Some((n, cert)) = case {
        let written = crate::issue::import_enc(desk, library, catalog, n, sel, pin, cert, answer, enc_cert)?;
        return Ok(EncOnKey::Case { case: crate::api::case_number(n)?.to_string(), written });
    }
    key_clerk(desk, "import an encryption key pair")?;
    crate::limits::check_size("the CA's answer", answer.len(), crate::limits::MAX_ANSWER)?;
    crate::limits::check_size("the encryption certificate", enc_cert.map_or(0, <[u8]>::len), crate::limits::MAX_CERTIFICATE)?;
    let read = DualAnswer::read(answer, enc_cert)?;
    let imported = library.keys.import_enc(sel, pin, key_id, &read, &certdesk_token::DistId::default())?;
    let t = library.keys.info(sel)?;
    let e = &imported.encryption_certificate;
    let detail = detail::EncryptionImported {
        token_serial: t.serial,
        key_id: imported.key_id.clone(),
        envelope_format: serde_json::to_value(imported.format).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
        certificate_serial: e.serial_hex.clone(),
        subject: e.subject.clone(),
        issuer: e.issuer.clone(),
        not_after: e.not_after.clone(),
        issuer_trusted: false,
        file_sha256: certdesk_domain::case::sha256_hex(answer),
        verified: true,
        pin_is_default: pin_is_default(catalog, pin),
        ..Default::default()
    };
    log(desk, AuditAction::EncryptionImported, &detail)?;
    Ok(EncOnKey::Loose(Box::new(imported)))
}

/// A seal image on a key: a case's chosen images (its step), or one PNG for no case.
#[derive(Debug, Clone)]
pub enum SealOnKey {
    Case(crate::issue::SealWritten),
    Loose(DataView),
}

/// What a seal image written to a key comes from.
#[derive(Debug, Clone, Copy)]
pub enum SealFrom<'a> {
    /// a case's chosen images, onto certificate `cert`'s key
    Case(&'a str, CertChoice),
    /// a PNG image and the name it is recorded by (the file's)
    Png { bytes: &'a [u8], name: &'a str },
}

/// Writes a seal image to a key and reads it back: a case's (its step, `issue::write_seal`),
/// or a PNG by a key clerk, on the key desk's log with its size and SHA-256.
pub fn write_seal(desk: &mut Desk<'_>, library: &KeyLibrary, catalog: &Catalog, from: SealFrom<'_>, sel: &TokenSel, pin: &Pin) -> Result<SealOnKey, DeskError> {
    match from {
        SealFrom::Case(n, cert) => Ok(SealOnKey::Case(crate::issue::write_seal(desk, library, catalog, n, cert, sel, pin)?)),
        SealFrom::Png { bytes, name } => {
            key_clerk(desk, "write a seal image to a key")?;
            crate::limits::check_size(&format!("the seal image {name}"), bytes.len(), crate::limits::MAX_SEAL_IMAGE)?;
            if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
                return Err(DeskError::NotPng { what: name.to_string() });
            }
            let t = library.keys.info(sel)?;
            let d = library.keys.write_data(sel, pin, SEAL_APPLICATION, SEAL_LABEL, bytes)?;
            let detail = detail::SealImageWritten {
                token_serial: t.serial,
                image: name.to_string(),
                size: d.size,
                sha256: d.sha256.clone(),
                pin_is_default: pin_is_default(catalog, pin),
                ..Default::default()
            };
            log(desk, AuditAction::SealWritten, &detail)?;
            Ok(SealOnKey::Loose(d))
        }
    }
}

/// Unlocks a PIN-locked key with the SO PIN and a new user PIN (a key clerk), recorded; for a
/// case (`case`: a 解锁 case whose plan has the unlock, approved) the unlock is that case's step.
pub fn unlock(desk: &mut Desk<'_>, library: &KeyLibrary, catalog: &Catalog, case: Option<&str>, sel: &TokenSel, so_pin: &Pin, new_pin: &Pin) -> Result<TokenView, DeskError> {
    key_clerk(desk, "unlock a key")?;
    let number = case.map(crate::api::case_number).transpose()?;
    if let Some(n) = &number {
        let case = desk.store.load(n)?;
        crate::issue::key_step_allowed(&desk.actor, &case, false, None)?;
        crate::steps::require_in_plan(catalog, &case, certdesk_domain::steps::StepKind::Unlock)?;
    }
    let t = library.keys.unlock(sel, so_pin, new_pin)?;
    let detail = changed(&t, pin_is_default(catalog, new_pin));
    match &number {
        Some(n) => {
            desk.store.record_key_step(n, &desk.actor, certdesk_store::EventBody::new(AuditAction::TokenUnlocked, &detail), false, None)?;
        }
        None => log(desk, AuditAction::TokenUnlocked, &detail)?,
    }
    Ok(t)
}

/// Wipes a returned key with the SO PIN (a key clerk), recorded; for a case whose plan has the
/// wipe (a revocation that takes the key back), as that case's step.
pub fn wipe(desk: &mut Desk<'_>, library: &KeyLibrary, catalog: &Catalog, case: Option<&str>, sel: &TokenSel, so_pin: &Pin) -> Result<TokenView, DeskError> {
    key_clerk(desk, "wipe a key")?;
    let number = case.map(crate::api::case_number).transpose()?;
    if let Some(n) = &number {
        let case = desk.store.load(n)?;
        crate::issue::key_step_allowed(&desk.actor, &case, false, None)?;
        crate::steps::require_in_plan(catalog, &case, certdesk_domain::steps::StepKind::Wipe)?;
    }
    let t = library.keys.wipe(sel, so_pin)?;
    // a wiped key has no user PIN: no default to warn about any more
    let detail = changed(&t, Some(false));
    match &number {
        Some(n) => {
            desk.store.record_key_step(n, &desk.actor, certdesk_store::EventBody::new(AuditAction::TokenWiped, &detail), false, None)?;
        }
        None => log(desk, AuditAction::TokenWiped, &detail)?,
    }
    Ok(t)
}

/// Changes a key's user PIN (a key clerk), on the key desk's log with whether the new PIN is
/// still a CA's default.
pub fn change_pin(desk: &mut Desk<'_>, library: &KeyLibrary, catalog: &Catalog, sel: &TokenSel, old: &Pin, new: &Pin) -> Result<TokenView, DeskError> {
    key_clerk(desk, "change a key's PIN")?;
    library.keys.change_pin(sel, old, new)?;
    let t = library.keys.info(sel)?;
    log(desk, AuditAction::PinChanged, &changed(&t, pin_is_default(catalog, new)))?;
    Ok(t)
}

/// Whether the user PIN of the key `serial` is still a CA's published default, as the chain
/// last recorded it (`key status`, the key desk's warning).
pub fn default_pin_warning(desk: &Desk<'_>, serial: &str) -> Result<bool, DeskError> {
    default_pin_recorded(desk.store, serial)
}

impl Desk<'_> {
    /// Where issuing stands for a case (`key status`), with the key desk's stepper and its
    /// default-PIN warning.
    pub fn key_status(&self, catalog: &Catalog, number: &str, cert: Option<u32>) -> Result<crate::issue::KeyStatus, DeskError> {
        let mut status = crate::issue::status(self.store, catalog, number, cert, crate::issue::Shown::FirstUnfinished)?;
        status.batch_pins_held = self.batch_pins_held(&status.case);
        Ok(status)
    }

    /// Where issuing stands as the key desk shows it with key `plugged` (its serial) in the
    /// reader: without `cert`, the certificate a batch works on next (`rounds::desk_order`).
    /// `on_key`: the subjects of the plugged key's own certificates (`issue::subjects_on_key`),
    /// so a key brought back for renewal shows its holder's certificate.
    pub fn key_desk_status(&self, catalog: &Catalog, number: &str, cert: Option<u32>, plugged: Option<&str>, on_key: &[String]) -> Result<crate::issue::KeyStatus, DeskError> {
        let mut status = crate::issue::status(self.store, catalog, number, cert, crate::issue::Shown::Desk { plugged, on_key })?;
        status.batch_pins_held = self.batch_pins_held(&status.case);
        Ok(status)
    }

    /// The CA's answers for a case's certificates, imported at once (`issue::import_answers`).
    pub fn import_answers(&mut self, catalog: &Catalog, number: &str, files: &[(String, Vec<u8>)]) -> Result<crate::issue::BatchImported, DeskError> {
        crate::issue::import_answers(self, catalog, number, files)
    }

    /// The request packages of the certificates waiting for the CA, copied into `out` together
    /// (a key clerk's).
    pub fn export_requests(&self, catalog: &Catalog, number: &str, out: &std::path::Path) -> Result<Vec<std::path::PathBuf>, DeskError> {
        self.require("export the request packages", certdesk_domain::workflow::Role::KeyClerk)?;
        crate::issue::export_requests(self.store, catalog, number, out)
    }

    /// A supervisor withdraws certificate `cert` of a case before its key is made, with a reason.
    pub fn withdraw_cert(&mut self, number: &str, cert: u32, reason: &str) -> Result<(), DeskError> {
        let number = crate::api::case_number(number)?;
        self.store.withdraw_cert(&number, &self.actor, cert, reason)?;
        Ok(())
    }

    /// The case whose request carried the public key of this certificate (`key match-cert`).
    pub fn case_of_cert(&self, cert: &[u8]) -> Result<String, DeskError> {
        crate::limits::check_size("the certificate file", cert.len(), crate::limits::MAX_CERTIFICATE)?;
        crate::issue::case_of_cert(self.store, cert)?.ok_or(DeskError::NoCaseForCertificate)
    }
}
