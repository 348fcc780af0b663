//! The key desk: every key operation's one door, `Desk::keys(library, catalog)` → [`KeyDesk`],
//! for a case (its issuance step, decided in `issue`) or for none (a key clerk's, on the key
//! desk's own log: which key by serial, label and model, what was done, never a PIN). Also what
//! every key operation shares: which key library is loaded (`Desk::key_library_path`: the
//! command line's `--module`, else the `pkcs11_module` setting, else `CERTDESK_PKCS11_MODULE`,
//! else the platform's known vendor libraries), whether a PIN is a CA's published default
//! (`pin_is_default`, recorded on the chain and read back by `default_pin_recorded`, so the
//! warning survives a restart and shows in the CLI and the app alike), and reading the readers
//! (`Desk::key_slots`, `Desk::watch_readers`).

use crate::DeskError;
use crate::api::Desk;
use crate::issue::RequestFiles;
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

/// [`Desk::key_library_path`] before anyone is signed in (#31: the staff key that signs the account in):
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

/// What the reader watch saw: the readers at the start, then each change.
#[derive(Debug, Clone)]
pub enum Watched {
    Present(Vec<ReaderState>),
    Changed(ReaderEvent),
}

/// Where key generation writes a case's request and its package.
pub enum RequestsTo<'a> {
    /// the counter's requests folder (管理 → 文件夹), the files named by the certificate, which is
    /// therefore chosen before the key is touched (the app's)
    Counter(&'a Environment),
    /// where the command line names them (`--csr-out`, `--package-out`)
    Files(RequestFiles),
}

/// A certificate written to a key from a file: a case's (its step, the case named or found by
/// the public key its request carried), or none.
#[derive(Debug, Clone)]
pub enum CertOnKey {
    Case { case: String, written: crate::issue::Written },
    Loose(CertView),
}

/// Where a batch's requests went for the CA, in one folder (#72).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct RequestsFolder {
    #[ts(type = "string")]
    pub folder: PathBuf,
    pub files: usize,
}

impl<'s> Desk<'s> {
    /// The key desk over a loaded key library: every key operation's one door, for a case (its
    /// issuance step) or for none (a key clerk's, on the key desk's own log).
    pub fn keys<'a>(&'a mut self, library: &'a KeyLibrary, catalog: &'a Catalog) -> KeyDesk<'a, 's> {
        KeyDesk { desk: self, library, catalog }
    }

    /// The key library to load: `flag` (the command line's `--module`), else the `pkcs11_module`
    /// setting (管理 → USB Key驱动), else `CERTDESK_PKCS11_MODULE`, else the first of the
    /// platform's known vendor libraries that is installed.
    pub fn key_library_path(&self, flag: Option<&Path>, env: &Environment) -> Result<PathBuf, DeskError> {
        resolve_library(flag, || self.setting("pkcs11_module"), env)
    }

    /// The readers and the keys of `library` (or why no library is loaded) as they are now.
    pub fn key_slots(&self, library: Result<&KeyLibrary, &str>) -> KeySlots {
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

    /// Watches the readers for `seconds` (or until `seen` says stop by returning `false`): first
    /// the readers as they are, then every key inserted or removed.
    pub fn watch_readers(&self, seconds: Option<u64>, mut seen: impl FnMut(Watched) -> bool) -> Result<(), DeskError> {
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

    /// Whether the user PIN of the key `serial` is still a CA's published default, as the chain
    /// last recorded it (`key status`, the key desk's warning).
    pub fn default_pin_warning(&self, serial: &str) -> Result<bool, DeskError> {
        default_pin_recorded(self.store, serial)
    }

    /// The CA's certificate for a case (step 3), checked against its request and the project's
    /// anchors; no key is touched.
    pub fn import_cert(&mut self, catalog: &Catalog, number: &str, bytes: &[u8]) -> Result<crate::issue::ImportedCert, DeskError> {
        crate::issue::import_cert(self, catalog, number, bytes)
    }

    /// Every request of the case waiting for the CA, with its package, copied into one folder of
    /// the counter's requests folder, `<case>-送CA` (the key desk's one click).
    pub fn export_requests_for_ca(&self, catalog: &Catalog, env: &Environment, number: &str) -> Result<RequestsFolder, DeskError> {
        let dir = self.folder(crate::folders::Folder::Requests, env)?;
        let folder = dir.join(format!("{}-送CA", crate::api::case_number(number)?.as_str()));
        let files = self.export_requests(catalog, number, &folder)?.len();
        Ok(RequestsFolder { folder, files })
    }
}

/// [`Desk::keys`]: the key operations over one loaded library and the catalog.
pub struct KeyDesk<'a, 's> {
    desk: &'a mut Desk<'s>,
    library: &'a KeyLibrary,
    catalog: &'a Catalog,
}

impl KeyDesk<'_, '_> {
    /// One key's state: label, serial, model, PIN flags.
    pub fn info(&self, sel: &TokenSel) -> Result<TokenView, DeskError> {
        Ok(self.library.keys.info(sel)?)
    }

    /// What is on a key; with its PIN (a key clerk) also its keys and certificates.
    pub fn show(&self, sel: &TokenSel, pin: Option<&Pin>) -> Result<Contents, DeskError> {
        if pin.is_some() {
            self.desk.require("read a key with its PIN", Role::KeyClerk)?;
        }
        Ok(self.library.keys.show(sel, pin)?)
    }

    /// The certificates on a key brought to the counter, read without a PIN (`old_key`).
    pub fn read_certs(&self, sel: Option<&TokenSel>) -> Result<Vec<crate::old_key::BroughtCert>, DeskError> {
        crate::old_key::read_certs(self.library, sel)
    }

    /// Step 1 of certificate `cert` of case `number`: the key in `slot_index` initialised with a
    /// label and both PINs.
    #[allow(clippy::too_many_arguments)]
    pub fn init(&mut self, number: &str, cert: CertChoice, slot_index: usize, label: Option<&str>, so_pin: &Pin, user_pin: &Pin) -> Result<TokenView, DeskError> {
        crate::issue::init(self.desk, self.library, self.catalog, number, cert, slot_index, label, so_pin, user_pin)
    }

    /// A key initialised for no case, by a key clerk, on the key desk's log.
    pub fn init_loose(&mut self, slot_index: usize, label: Option<&str>, so_pin: &Pin, user_pin: &Pin) -> Result<TokenView, DeskError> {
        key_clerk(self.desk, "initialise a key")?;
        let label = label.map(str::trim).filter(|l| !l.is_empty()).ok_or(DeskError::EmptySecret { what: "key label (--label)" })?;
        let (t, user_pin_tries) = self.library.keys.init_limited(slot_index, label, so_pin, user_pin, None)?;
        let detail = detail::TokenInitialized {
            token_serial: t.serial.clone(),
            token_label: t.label.clone(),
            model: t.model.clone(),
            pin_is_default: pin_is_default(self.catalog, user_pin),
            user_pin_tries,
            ..Default::default()
        };
        log(self.desk, AuditAction::TokenInitialized, &detail)?;
        Ok(t)
    }

    /// Step 2 of certificate `cert` of case `number`: a key pair on the key, its request and the
    /// request package the CA receives, written where `to` says.
    pub fn generate(&mut self, number: &str, cert: CertChoice, sel: &TokenSel, pin: &Pin, algo: Algo, to: RequestsTo<'_>) -> Result<crate::issue::Generated, DeskError> {
        let (cert, files) = match to {
            RequestsTo::Counter(env) => {
                let (cert, files, _) = RequestFiles::for_certificate(self.desk, self.catalog, env, number, cert)?;
                (cert, files)
            }
            RequestsTo::Files(files) => (cert, files),
        };
        crate::issue::generate(self.desk, self.library, self.catalog, number, sel, pin, algo, cert, &files)
    }

    /// A key pair for a common name and its request (`csr`), by a key clerk, on the key desk's
    /// log with the public key's SHA-256.
    pub fn generate_loose(&mut self, common_name: &str, sel: &TokenSel, pin: &Pin, algo: Algo, csr: &Path) -> Result<KeyView, DeskError> {
        key_clerk(self.desk, "make a key pair")?;
        let keys = &self.library.keys;
        let t = keys.info(sel)?;
        let subject = Subject { common_name: common_name.to_string(), country: "CN".into(), ..Default::default() };
        let key: KeyView = keys.generate(sel, pin, algo, &subject.common_name)?;
        let request = keys.csr(sel, pin, &key.id, &subject)?;
        certdesk_store::private::write(csr, request.as_bytes()).map_err(crate::io("cannot write", csr))?;
        let detail = crate::issue::key_generated(t, &key, algo, csr, None, pin_is_default(self.catalog, pin));
        log(self.desk, AuditAction::KeyGenerated, &detail)?;
        Ok(key)
    }

    /// Online enrolment (#72): step 2 with the project's RA challenge, the request sent over SCEP
    /// and the certificate imported (step 3). `algo`: the project's first offered when not
    /// given; `files`: the counter's requests folder unless the command line names them.
    #[allow(clippy::too_many_arguments)]
    pub fn enrol(
        &mut self,
        env: &Environment,
        number: &str,
        cert: CertChoice,
        sel: &TokenSel,
        pin: &Pin,
        algo: Option<Algo>,
        files: Option<RequestFiles>,
    ) -> Result<crate::online::Enrolled, DeskError> {
        // The status the certificate is chosen on gives the project's algorithms too: the case
        // is read once.
        let (chosen, in_counter, status) = RequestFiles::for_certificate(self.desk, self.catalog, env, number, cert)?;
        let algo = algo.unwrap_or_else(|| status.algorithms.first().and_then(|a| Algo::parse(a)).unwrap_or(Algo::Rsa2048));
        let files = files.unwrap_or(in_counter);
        crate::online::enrol(self.desk, self.library, self.catalog, number, sel, pin, algo, chosen, &files)
    }

    /// Step 4 of certificate `cert` of case `number`: its imported certificate (and chain)
    /// written to the key and read back.
    pub fn write_cert(&mut self, number: &str, cert: CertChoice, sel: &TokenSel, pin: &Pin) -> Result<crate::issue::Written, DeskError> {
        crate::issue::write_cert(self.desk, self.library, self.catalog, number, cert, sel, pin)
    }

    /// An issued certificate file (and its chain file) written to a key. A case's (named, or
    /// found by the public key its request carried) is imported for that case (matched to its
    /// certificate by public key) and written as its step; any other by a key clerk, on the key
    /// desk's log with its serial and subject.
    #[allow(clippy::too_many_arguments)]
    pub fn write_cert_file(&mut self, case: Option<&str>, choice: CertChoice, sel: &TokenSel, pin: &Pin, cert: &[u8], chain: Option<&[u8]>) -> Result<CertOnKey, DeskError> {
        crate::limits::check_size("the certificate file", cert.len(), crate::limits::MAX_CERTIFICATE)?;
        crate::limits::check_size("the chain file", chain.map_or(0, <[u8]>::len), crate::limits::MAX_CERTIFICATE)?;
        let case = match case {
            Some(n) => Some(crate::api::case_number(n)?.to_string()),
            None => crate::issue::case_of_cert(self.desk.store, cert)?,
        };
        let Some(number) = case else {
            key_clerk(self.desk, "write a certificate to a key")?;
            let t = self.library.keys.info(sel)?;
            let written = self.library.keys.write_cert(sel, pin, cert, chain)?;
            let detail = crate::issue::certificate_written(t.serial, &written, None, pin_is_default(self.catalog, pin));
            log(self.desk, AuditAction::CertificateWritten, &detail)?;
            return Ok(CertOnKey::Loose(written));
        };
        // the certificate and the chain file may differ in format (DER, PEM, PKCS#7)
        let mut certs = certdesk_token::cert::parse_many(cert).map_err(certdesk_token::TokenError::from)?;
        if let Some(extra) = chain {
            certs.extend(certdesk_token::cert::parse_many(extra).map_err(certdesk_token::TokenError::from)?);
        }
        let combined = certdesk_token::cert::to_pem(&certs.iter().collect::<Vec<_>>());
        let imported = crate::issue::import_cert(self.desk, self.catalog, &number, combined.as_bytes())?;
        if let CertChoice::Given(k) | CertChoice::Employee(k) = choice
            && k != imported.cert
        {
            return Err(DeskError::CertMismatch {
                number,
                refusal: Box::new(crate::issue::CertRefusal::OtherCertificate { cert: imported.cert, holder: imported.holder, chosen: k }),
            });
        }
        let written = self.write_cert(&number, CertChoice::Given(imported.cert), sel, pin)?;
        Ok(CertOnKey::Case { case: number, written })
    }

    /// Dual certificates, for certificate `cert` of case `number`: the encryption key pair the
    /// CA's KMC enveloped to the signing key, with its certificate, checked against the case
    /// first.
    #[allow(clippy::too_many_arguments)]
    pub fn import_enc(&mut self, number: &str, cert: CertChoice, sel: &TokenSel, pin: &Pin, answer: &[u8], enc_cert: Option<&[u8]>) -> Result<crate::issue::EncWritten, DeskError> {
        crate::issue::import_enc(self.desk, self.library, self.catalog, number, sel, pin, cert, answer, enc_cert)
    }

    /// An enveloped encryption key pair imported for no case, by a key clerk, into `key_id`
    /// (or the one key that can take it), on the key desk's log.
    pub fn import_enc_loose(&mut self, key_id: Option<&str>, sel: &TokenSel, pin: &Pin, answer: &[u8], enc_cert: Option<&[u8]>) -> Result<EncImported, DeskError> {
        key_clerk(self.desk, "import an encryption key pair")?;
        crate::limits::check_size("the CA's answer", answer.len(), crate::limits::MAX_ANSWER)?;
        crate::limits::check_size("the encryption certificate", enc_cert.map_or(0, <[u8]>::len), crate::limits::MAX_CERTIFICATE)?;
        let read = DualAnswer::read(answer, enc_cert)?;
        let imported = self.library.keys.import_enc(sel, pin, key_id, &read, &certdesk_token::DistId::default())?;
        let t = self.library.keys.info(sel)?;
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
            pin_is_default: pin_is_default(self.catalog, pin),
            ..Default::default()
        };
        log(self.desk, AuditAction::EncryptionImported, &detail)?;
        Ok(imported)
    }

    /// Step 5 of certificate `cert` of case `number`: the case's chosen seal images written to
    /// the key and read back.
    pub fn write_seal(&mut self, number: &str, cert: CertChoice, sel: &TokenSel, pin: &Pin) -> Result<crate::issue::SealWritten, DeskError> {
        crate::issue::write_seal(self.desk, self.library, self.catalog, number, cert, sel, pin)
    }

    /// A PNG seal image (recorded by `name`, the file's) written to a key for no case and read
    /// back, by a key clerk, on the key desk's log with its size and SHA-256.
    pub fn write_seal_png(&mut self, bytes: &[u8], name: &str, sel: &TokenSel, pin: &Pin) -> Result<DataView, DeskError> {
        key_clerk(self.desk, "write a seal image to a key")?;
        crate::limits::check_size(&format!("the seal image {name}"), bytes.len(), crate::limits::MAX_SEAL_IMAGE)?;
        if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err(DeskError::NotPng { what: name.to_string() });
        }
        let t = self.library.keys.info(sel)?;
        let d = self.library.keys.write_data(sel, pin, SEAL_APPLICATION, SEAL_LABEL, bytes)?;
        let detail = detail::SealImageWritten {
            token_serial: t.serial,
            image: name.to_string(),
            size: d.size,
            sha256: d.sha256.clone(),
            pin_is_default: pin_is_default(self.catalog, pin),
            ..Default::default()
        };
        log(self.desk, AuditAction::SealWritten, &detail)?;
        Ok(d)
    }

    /// Unlocks a PIN-locked key with the SO PIN and a new user PIN (a key clerk), recorded; for
    /// a case (`case`: a 解锁 case whose plan has the unlock, approved) the unlock is that case's
    /// step.
    pub fn unlock(&mut self, case: Option<&str>, sel: &TokenSel, so_pin: &Pin, new_pin: &Pin) -> Result<TokenView, DeskError> {
        key_clerk(self.desk, "unlock a key")?;
        let number = self.so_pin_step(case, certdesk_domain::steps::StepKind::Unlock)?;
        let t = self.library.keys.unlock(sel, so_pin, new_pin)?;
        let detail = changed(&t, pin_is_default(self.catalog, new_pin));
        self.record_so_pin_step(number.as_ref(), AuditAction::TokenUnlocked, &detail)?;
        Ok(t)
    }

    /// Wipes a returned key with the SO PIN (a key clerk), recorded; for a case whose plan has
    /// the wipe (a revocation that takes the key back), as that case's step.
    pub fn wipe(&mut self, case: Option<&str>, sel: &TokenSel, so_pin: &Pin) -> Result<TokenView, DeskError> {
        key_clerk(self.desk, "wipe a key")?;
        let number = self.so_pin_step(case, certdesk_domain::steps::StepKind::Wipe)?;
        let t = self.library.keys.wipe(sel, so_pin)?;
        // a wiped key has no user PIN: no default to warn about any more
        self.record_so_pin_step(number.as_ref(), AuditAction::TokenWiped, &changed(&t, Some(false)))?;
        Ok(t)
    }

    /// Changes a key's user PIN (a key clerk), on the key desk's log with whether the new PIN is
    /// still a CA's default.
    pub fn change_pin(&mut self, sel: &TokenSel, old: &Pin, new: &Pin) -> Result<TokenView, DeskError> {
        key_clerk(self.desk, "change a key's PIN")?;
        self.library.keys.change_pin(sel, old, new)?;
        let t = self.library.keys.info(sel)?;
        log(self.desk, AuditAction::PinChanged, &changed(&t, pin_is_default(self.catalog, new)))?;
        Ok(t)
    }

    /// An unlock's or a wipe's case, checked before the key is touched: the key clerk may work
    /// on it and its plan has the step.
    fn so_pin_step(&self, case: Option<&str>, kind: certdesk_domain::steps::StepKind) -> Result<Option<certdesk_domain::CaseNumber>, DeskError> {
        let Some(n) = case else { return Ok(None) };
        let number = crate::api::case_number(n)?;
        let loaded = self.desk.store.load(&number)?;
        crate::issue::key_step_allowed(&self.desk.actor, &loaded, false, None)?;
        crate::steps::require_in_plan(self.catalog, &loaded, kind)?;
        Ok(Some(number))
    }

    /// An unlock or a wipe recorded: the case's step, else the key desk's log.
    fn record_so_pin_step(&mut self, number: Option<&certdesk_domain::CaseNumber>, action: AuditAction, detail: &detail::TokenChanged) -> Result<(), DeskError> {
        match number {
            Some(n) => {
                self.desk.store.record_key_step(n, &self.desk.actor, certdesk_store::EventBody::new(action, detail), false, None)?;
                Ok(())
            }
            None => log(self.desk, action, detail),
        }
    }
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
