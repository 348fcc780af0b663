//! The SKF (GM/T 0016) back end of `Keys`, over `certdesk-skf`. Owns how the desk's notions map
//! onto SKF: a slot is a present device (its index in `SKF_EnumDev`), the token is the device
//! (serial and label from DEVINFO), initialised means it holds the application `CERTDESK`, the
//! SO PIN is that application's administrator PIN, a key pair is an SM2 signing key in a
//! container named after the key id, the issued certificate goes into the container's signing
//! slot, the CA chain and the seal images are files of the application; a dual certificate's
//! encryption key pair, enveloped to the signing key, is imported into the same container and
//! its certificate into the encryption slot. Everything written is read back. Does not own the SKF calls themselves (`certdesk-skf`) nor SM2 arithmetic
//! (`certdesk-gm`: the host computes e = SM3(Z‖M), the key signs it).

use super::{
    Algo, CertUsage, CertView, Contents, DataView, DeviceProblem, DualAnswer, EncImported, KeyView, PinRefusal, ReadBack, SEAL_APPLICATION, SEAL_LABEL, SlotView, Subject,
    TokenError, TokenSel, TokenView, hex,
};
use crate::Pin;
use crate::cert::{self, ParsedCert};
use certdesk_gm::{DistId, RequestError, Sm2Point, Sm2PrehashSigner};
use certdesk_skf::blob::{SECURE_ANYONE_ACCOUNT, SECURE_USER_ACCOUNT};
use certdesk_skf::{Application, Container, ContainerType, Device, PinType, SkfError, SkfLibrary, Zeroizing};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::str::FromStr;
use std::sync::Mutex;

/// The application certdesk makes on a key. One fixed name, so that every counter PC, the CLI
/// and the app find the same application again (SKF names applications, it has no token label
/// per application), and so that `init` and `wipe` delete only what certdesk made: an
/// application a vendor's or CA's own tool put on the key is left alone.
pub(crate) const APPLICATION: &str = "CERTDESK";

/// Tries of the administrator and the user PIN, as real keys ship.
/// The wrong PINs an SKF key takes before it locks, where the catalog names none.
pub(crate) const PIN_TRIES: u32 = 10;

/// The device authentication key (SKF_DevAuth, needed to create or delete an application):
/// the factory default of many vendors' keys and of the soft key, the ASCII digits
/// `1234567812345678`. A key whose issuer changed it cannot be initialised here yet.
const DEV_AUTH_KEY: &[u8; 16] = b"1234567812345678";

/// The file with the CA certificates written along with the issued one (PEM): an SKF
/// container holds only its own two certificates.
pub(crate) const CHAIN_FILE: &str = "certdesk-ca-chain";

/// SKF file names are at most 31 bytes: the seal images' data-object labels
/// (`certdesk-seal-image:<slot>`) are stored as `seal:<slot>`.
const SEAL_FILE_PREFIX: &str = "seal:";

pub(crate) struct SkfKeys {
    lib: SkfLibrary,
    /// The devices present at the last look: a key that was there and is gone was pulled out.
    seen: Mutex<Vec<String>>,
}

fn device(op: &'static str) -> impl Fn(SkfError) -> TokenError {
    move |e| match e {
        SkfError::DeviceRemoved { .. } => TokenError::Removed { op },
        SkfError::PinLocked { .. } => TokenError::PinLocked,
        other => TokenError::device(op, DeviceProblem::Skf(other)),
    }
}

/// A PIN call's error: a wrong PIN with the tries the key says are left, a locked PIN.
fn pin_error(which: PinType, op: &'static str) -> impl Fn(SkfError) -> TokenError {
    move |e| match (which, e) {
        (PinType::User, SkfError::PinIncorrect { tries_left, .. }) => TokenError::WrongPin { final_try: tries_left == 1, count_low: true, tries_left: Some(tries_left) },
        (PinType::Admin, SkfError::PinIncorrect { tries_left, .. }) => TokenError::WrongSoPin { final_try: tries_left == 1, count_low: true, tries_left: Some(tries_left) },
        (PinType::Admin, SkfError::PinLocked { .. }) => TokenError::SoPinLocked,
        (_, e) => device(op)(e),
    }
}

fn file_name(label: &str) -> String {
    match label.strip_prefix(SEAL_LABEL).and_then(|rest| rest.strip_prefix(':')) {
        Some(slot) => format!("{SEAL_FILE_PREFIX}{slot}"),
        None => label.to_string(),
    }
}

fn label_of(file: &str) -> String {
    match file.strip_prefix(SEAL_FILE_PREFIX) {
        Some(slot) => format!("{SEAL_LABEL}:{slot}"),
        None => file.to_string(),
    }
}

/// An RFC 4514 attribute value, escaped.
fn escape(value: &str) -> String {
    let mut out = String::new();
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=') || ((i == 0 || i == last) && c == ' ') || (i == 0 && c == '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The request's subject in the order rcgen writes it for the other algorithms: C, O, OU,
/// serialNumber, CN (RFC 4514 text lists them the other way round).
pub(super) fn subject_name(subject: &Subject) -> Result<x509_cert::name::Name, TokenError> {
    let mut parts = vec![format!("CN={}", escape(&subject.common_name))];
    if let Some(sn) = &subject.serial_number {
        parts.push(format!("2.5.4.5={}", escape(sn)));
    }
    if let Some(ou) = &subject.organizational_unit {
        parts.push(format!("OU={}", escape(ou)));
    }
    if let Some(o) = &subject.organization {
        parts.push(format!("O={}", escape(o)));
    }
    parts.push(format!("C={}", escape(&subject.country)));
    x509_cert::name::Name::from_str(&parts.join(",")).map_err(|e| TokenError::device("making the request", DeviceProblem::Subject(e)))
}

/// The container's signing key as `certdesk-gm` asks for it: e in, r ‖ s out.
struct ContainerSigner<'c, 'a>(&'c Container<'a>);

impl Sm2PrehashSigner for ContainerSigner<'_, '_> {
    type Error = SkfError;

    fn sign_e(&self, e: &[u8; 32]) -> Result<Vec<u8>, SkfError> {
        let (r, s) = self.0.sign_e(e)?;
        Ok([r, s].concat())
    }
}

fn key_view(id: &str, label: &str, point: Vec<u8>) -> KeyView {
    KeyView { id: id.to_string(), algo: Algo::Sm2, label: label.to_string(), public_key_sha256: hex(&Sha256::digest(&point)), public_key: point }
}

/// The SM2 signing keys of the application's containers.
fn keys_on(app: &Application<'_>) -> Result<Vec<KeyView>, TokenError> {
    let mut out = Vec::new();
    for name in app.containers().map_err(device("listing containers"))? {
        let c = app.open_container(&name).map_err(device("opening a container"))?;
        if c.container_type().map_err(device("reading a container"))? != ContainerType::Ecc {
            continue;
        }
        match c.export_public_key(true) {
            Ok(public) => out.push(key_view(&name, &name, public.to_sec1().to_vec())),
            Err(e @ SkfError::DeviceRemoved { .. }) => return Err(device("reading a public key")(e)),
            Err(_) => continue,
        }
    }
    Ok(out)
}

/// Writes (replacing) a file readable by anyone, writable after the user PIN, and reads it back.
fn put_file(app: &Application<'_>, name: &str, value: &[u8], what: ReadBack) -> Result<(), TokenError> {
    if app.files().map_err(device("listing files"))?.iter().any(|f| f == name) {
        app.delete_file(name).map_err(device("replacing a file"))?;
    }
    let size = u32::try_from(value.len()).map_err(|_| TokenError::device("writing a file", DeviceProblem::TooLarge { what: what.to_string(), bytes: value.len() }))?;
    app.create_file(name, size, SECURE_ANYONE_ACCOUNT, SECURE_USER_ACCOUNT).map_err(device("creating a file"))?;
    app.write_file(name, 0, value).map_err(device("writing a file"))?;
    if app.read_file(name).map_err(device("reading back"))? != value {
        return Err(TokenError::Verify { what });
    }
    Ok(())
}

impl SkfKeys {
    pub(crate) fn open(module: &Path) -> Result<SkfKeys, TokenError> {
        let lib = SkfLibrary::open(module).map_err(|e| TokenError::Module { path: module.display().to_string(), why: Box::new(crate::token::ModuleProblem::Skf(e)) })?;
        Ok(SkfKeys { lib, seen: Mutex::new(Vec::new()) })
    }

    /// The devices present now, and whether one present at the last look is gone.
    fn present(&self) -> Result<(Vec<String>, bool), TokenError> {
        let now = self.lib.devices(true).map_err(device("listing keys"))?;
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let gone = seen.iter().any(|d| !now.contains(d));
        seen.clone_from(&now);
        Ok((now, gone))
    }

    fn view(&self, index: usize, dev: &Device) -> Result<TokenView, TokenError> {
        let info = dev.info().map_err(device("reading the key"))?;
        let mut v = TokenView {
            slot_index: index,
            slot_description: dev.name().to_string(),
            label: info.label.trim().to_string(),
            serial: info.serial_number.trim().to_string(),
            model: if info.issuer.trim().is_empty() { "SKF key".to_string() } else { info.issuer.trim().to_string() },
            manufacturer: info.manufacturer.trim().to_string(),
            free_public_memory: usize::try_from(info.free_space).ok(),
            initialized: false,
            user_pin_initialized: false,
            user_pin_count_low: false,
            user_pin_final_try: false,
            user_pin_locked: false,
            user_pin_to_be_changed: false,
            so_pin_count_low: false,
            so_pin_final_try: false,
            so_pin_locked: false,
        };
        if dev.applications().map_err(device("listing applications"))?.iter().any(|a| a == APPLICATION) {
            let app = dev.open_application(APPLICATION).map_err(device("opening the application"))?;
            let user = app.pin_info(PinType::User).map_err(device("reading the PIN state"))?;
            let admin = app.pin_info(PinType::Admin).map_err(device("reading the PIN state"))?;
            v.initialized = true;
            v.user_pin_initialized = true;
            v.user_pin_count_low = user.tries_left > 0 && user.tries_left < user.max_retries;
            v.user_pin_final_try = user.tries_left == 1;
            v.user_pin_locked = user.locked();
            v.user_pin_to_be_changed = user.default_pin;
            v.so_pin_count_low = admin.tries_left > 0 && admin.tries_left < admin.max_retries;
            v.so_pin_final_try = admin.tries_left == 1;
            v.so_pin_locked = admin.locked();
        }
        Ok(v)
    }

    pub(crate) fn slots(&self) -> Result<Vec<SlotView>, TokenError> {
        let (names, _) = self.present()?;
        names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let dev = self.lib.connect(name).map_err(device("connecting to the key"))?;
                Ok(SlotView { slot_index: i, description: name.clone(), token: Some(self.view(i, &dev)?) })
            })
            .collect()
    }

    /// The one device matching `sel`, connected.
    fn find(&self, sel: &TokenSel) -> Result<(Device, TokenView), TokenError> {
        let (names, gone) = self.present()?;
        let mut found = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let dev = self.lib.connect(name).map_err(device("connecting to the key"))?;
            let view = self.view(i, &dev)?;
            if sel.selects(&view) {
                found.push((dev, view));
            }
        }
        if found.is_empty() && gone {
            return Err(TokenError::Removed { op: "finding the key" });
        }
        sel.the_one(found)
    }

    fn application<'d>(dev: &'d Device, sel: &TokenSel) -> Result<Application<'d>, TokenError> {
        dev.open_application(APPLICATION).map_err(|e| match e {
            e @ SkfError::DeviceRemoved { .. } => device("opening the application")(e),
            _ => TokenError::NotFound(sel.clone()),
        })
    }

    fn user_app<'d>(dev: &'d Device, sel: &TokenSel, pin: &Pin) -> Result<Application<'d>, TokenError> {
        let app = Self::application(dev, sel)?;
        app.verify_pin(PinType::User, &pin.skf()).map_err(pin_error(PinType::User, "logging in"))?;
        Ok(app)
    }

    pub(crate) fn info(&self, sel: &TokenSel) -> Result<TokenView, TokenError> {
        Ok(self.find(sel)?.1)
    }

    /// Device authentication, then the application made anew: what C_InitToken + C_InitPIN are
    /// over PKCS#11. An existing certdesk application is replaced only with its administrator
    /// PIN, as C_InitToken asks for the SO PIN of an initialised token.
    fn make_application(dev: &Device, so_pin: &Pin, user_pin: &Pin, user_tries: u32, op: &'static str) -> Result<(), TokenError> {
        if dev.applications().map_err(device(op))?.iter().any(|a| a == APPLICATION) {
            let app = dev.open_application(APPLICATION).map_err(device(op))?;
            app.verify_pin(PinType::Admin, &so_pin.skf()).map_err(pin_error(PinType::Admin, op))?;
            drop(app);
            dev.authenticate(&Zeroizing::new(*DEV_AUTH_KEY)).map_err(device("authenticating to the key"))?;
            dev.delete_application(APPLICATION).map_err(device(op))?;
        } else {
            dev.authenticate(&Zeroizing::new(*DEV_AUTH_KEY)).map_err(device("authenticating to the key"))?;
        }
        dev.create_application(APPLICATION, &so_pin.skf(), PIN_TRIES, &user_pin.skf(), user_tries, SECURE_USER_ACCOUNT).map_err(|e| match e {
            SkfError::Sar { code, .. } if matches!(code, certdesk_skf::Sar::SAR_PIN_LEN_RANGE | certdesk_skf::Sar::SAR_PIN_INVALID) => {
                TokenError::PinRefused(PinRefusal::Skf(code))
            }
            e => device(op)(e),
        })?;
        Ok(())
    }

    pub(crate) fn init(&self, index: usize, label: &str, so_pin: &Pin, user_pin: &Pin, user_tries: Option<u32>) -> Result<TokenView, TokenError> {
        let (names, _) = self.present()?;
        let name = names.get(index).ok_or(TokenError::NoSlot(index))?;
        let dev = self.lib.connect(name).map_err(device("connecting to the key"))?;
        Self::make_application(&dev, so_pin, user_pin, user_tries.unwrap_or(PIN_TRIES), "initialising")?;
        dev.set_label(label).map_err(device("setting the label"))?;
        self.view(index, &dev)
    }

    pub(crate) fn change_pin(&self, sel: &TokenSel, old: &Pin, new: &Pin) -> Result<(), TokenError> {
        let (dev, _) = self.find(sel)?;
        let app = Self::application(&dev, sel)?;
        app.change_pin(PinType::User, &old.skf(), &new.skf()).map_err(|e| match e {
            SkfError::Sar { code, .. } if matches!(code, certdesk_skf::Sar::SAR_PIN_LEN_RANGE | certdesk_skf::Sar::SAR_PIN_INVALID) => {
                TokenError::PinRefused(PinRefusal::Skf(code))
            }
            e => pin_error(PinType::User, "changing the PIN")(e),
        })
    }

    /// `SKF_UnblockPIN` with the administrator (SO) PIN.
    pub(crate) fn unlock(&self, sel: &TokenSel, so_pin: &Pin, new_pin: &Pin) -> Result<TokenView, TokenError> {
        let (dev, view) = self.find(sel)?;
        let app = Self::application(&dev, sel)?;
        app.unblock_pin(&so_pin.skf(), &new_pin.skf()).map_err(pin_error(PinType::Admin, "unlocking"))?;
        drop(app);
        self.view(view.slot_index, &dev)
    }

    /// The application deleted and made again empty with the same administrator PIN and a
    /// random user PIN nobody knows: set one with `unlock` (SO PIN + new PIN), as after a
    /// PKCS#11 wipe.
    pub(crate) fn wipe(&self, sel: &TokenSel, so_pin: &Pin) -> Result<TokenView, TokenError> {
        let (dev, view) = self.find(sel)?;
        let random = dev.random(8).map_err(device("drawing a random PIN"))?;
        let unknown = Pin::new(hex(&Zeroizing::new(random)));
        Self::make_application(&dev, so_pin, &unknown, PIN_TRIES, "wiping")?;
        self.view(view.slot_index, &dev)
    }

    /// An SM2 signing key pair made in a new container named after the key id.
    pub(crate) fn generate(&self, sel: &TokenSel, pin: &Pin, algo: Algo, label: &str) -> Result<KeyView, TokenError> {
        if algo != Algo::Sm2 {
            return Err(TokenError::AlgoUnsupported { algo: algo.name(), backend: "an SKF library", why: "SKF keys make SM2 keys here (--algo sm2)" });
        }
        let (dev, _) = self.find(sel)?;
        let app = Self::user_app(&dev, sel, pin)?;
        let id = hex(&dev.random(16).map_err(device("drawing a key id"))?);
        let c = app.create_container(&id).map_err(device("creating the container"))?;
        let public = c.gen_sm2_sign_key().map_err(device("generating the key pair"))?;
        Ok(key_view(&id, label, public.to_sec1().to_vec()))
    }

    /// The SM2 request, e = SM3(Z‖M) signed in the container, Z under `distid`; checked
    /// against the container's public key before it is returned.
    pub(crate) fn csr(&self, sel: &TokenSel, pin: &Pin, key_id: &str, subject: &Subject, distid: &DistId) -> Result<String, TokenError> {
        let (dev, _) = self.find(sel)?;
        let app = Self::user_app(&dev, sel, pin)?;
        if !app.containers().map_err(device("listing containers"))?.iter().any(|c| c == key_id) {
            return Err(TokenError::NoKey { id: key_id.to_string() });
        }
        let c = app.open_container(key_id).map_err(device("opening the container"))?;
        let public = c.export_public_key(true).map_err(|e| match e {
            e @ SkfError::DeviceRemoved { .. } => device("reading the public key")(e),
            _ => TokenError::NoKey { id: key_id.to_string() },
        })?;
        let point = Sm2Point::from_sec1(&public.to_sec1(), "the key's signing public key")?;
        let name = subject_name(subject)?;
        let request = certdesk_gm::build_request(&name, &point, distid, &ContainerSigner(&c)).map_err(|e| match e {
            RequestError::Signer(inner) => match inner.downcast::<SkfError>() {
                Ok(skf) => pin_error(PinType::User, "signing the request")(*skf),
                Err(other) => TokenError::Sm2Request(RequestError::Signer(other)),
            },
            e => TokenError::Sm2Request(e),
        })?;
        Ok(request.to_pem())
    }

    /// The signature of the container whose signing key is `cert`'s over `message` (#31, staff
    /// keys), after the user PIN: e = SM3(Z ‖ M) signed in the container, DER.
    pub(crate) fn sign_as(&self, sel: &TokenSel, pin: &Pin, cert: &ParsedCert, message: &[u8], distid: &DistId) -> Result<Vec<u8>, TokenError> {
        let (dev, _) = self.find(sel)?;
        let app = Self::user_app(&dev, sel, pin)?;
        let keys = keys_on(&app)?;
        let key = keys.iter().find(|k| k.public_key == cert.public_key).ok_or_else(|| TokenError::ForeignCertificate { subject: cert.subject.clone() })?;
        let c = app.open_container(&key.id).map_err(device("opening the container"))?;
        let point = Sm2Point::from_sec1(&key.public_key, "the key's signing public key")?;
        let e = certdesk_gm::sm3_e(&point, distid, message);
        let (r, s) = c.sign_e(&e).map_err(pin_error(PinType::User, "signing"))?;
        certdesk_gm::normalise_signature(&[r, s].concat()).map_err(|e| TokenError::device("signing", DeviceProblem::SignatureFormat(e)))
    }

    /// The issued certificate into the signing slot of the container whose key it carries,
    /// read back; the chain (if any) into the chain file, read back.
    pub(crate) fn write_cert(&self, sel: &TokenSel, pin: &Pin, leaf: ParsedCert, chain: Vec<ParsedCert>) -> Result<CertView, TokenError> {
        let (dev, _) = self.find(sel)?;
        let app = Self::user_app(&dev, sel, pin)?;
        let keys = keys_on(&app)?;
        let key = keys.iter().find(|k| k.public_key == leaf.public_key).ok_or_else(|| TokenError::ForeignCertificate { subject: leaf.subject.clone() })?;
        let c = app.open_container(&key.id).map_err(device("opening the container"))?;
        c.import_certificate(true, &leaf.der).map_err(device("writing the certificate"))?;
        if c.export_certificate(true).map_err(device("reading back"))? != leaf.der {
            return Err(TokenError::Verify { what: ReadBack::Certificate });
        }
        if !chain.is_empty() {
            let pem = cert::to_pem(&chain.iter().collect::<Vec<_>>());
            put_file(&app, CHAIN_FILE, pem.as_bytes(), ReadBack::CaCertificates)?;
        }
        Ok(CertView::of(&leaf, &key.id, "sign", CertUsage::Sign, true))
    }

    /// The container that takes a dual certificate's encryption key pair: `key_id`, else the
    /// one whose signing key the answer's signing certificate carries, else the one whose
    /// signing certificate names the encryption certificate's subject.
    fn dual_container(app: &Application<'_>, keys: &[KeyView], key_id: Option<&str>, answer: &DualAnswer) -> Result<String, TokenError> {
        if let Some(id) = key_id {
            return keys.iter().find(|k| k.id == id).map(|k| k.id.clone()).ok_or_else(|| TokenError::NoKey { id: id.to_string() });
        }
        let mut found = Vec::new();
        for k in keys {
            let by_sign_cert = answer.sign_certs.iter().any(|s| s.public_key == k.public_key);
            let by_subject = answer.sign_certs.is_empty() && {
                let c = app.open_container(&k.id).map_err(device("opening a container"))?;
                match c.export_certificate(true) {
                    Ok(der) => cert::parse_many(&der).ok().is_some_and(|p| p[0].subject_der == answer.enc_cert.subject_der),
                    Err(e @ SkfError::DeviceRemoved { .. }) => return Err(device("reading a certificate")(e)),
                    Err(_) => false,
                }
            };
            if by_sign_cert || by_subject {
                found.push(k.id.clone());
            }
        }
        match (found.len(), keys) {
            (1, _) => Ok(found.remove(0)),
            // the one key on the token (a USB key for one certificate): the checks that follow
            // say what is wrong with it (no signing certificate yet, another signing key)
            (0, [only]) => Ok(only.id.clone()),
            (0, _) if !answer.sign_certs.is_empty() => Err(TokenError::ForeignCertificate { subject: answer.sign_certs[0].subject.clone() }),
            (0, _) => Err(TokenError::NoDualKey { subject: answer.enc_cert.subject.clone() }),
            (count, _) => Err(TokenError::KeyAmbiguous { count }),
        }
    }

    /// The encryption key pair enveloped to a container's signing key imported there
    /// (`SKF_ImportECCKeyPair` with the `ENVELOPEDKEYBLOB`; a GM/T 0009 envelope's 32-byte
    /// ciphertext goes right-aligned in its 64-byte field), its public key read back and
    /// compared with the encryption certificate's, then the certificate into the encryption
    /// slot, read back. Checked first: the signing certificate is on the container, names the
    /// same CA, and that CA (where its certificate is in the chain file) signed the encryption
    /// certificate.
    pub(crate) fn import_enc(&self, sel: &TokenSel, pin: &Pin, key_id: Option<&str>, answer: &DualAnswer, distid: &DistId) -> Result<EncImported, TokenError> {
        let (dev, _) = self.find(sel)?;
        let app = Self::user_app(&dev, sel, pin)?;
        let keys = keys_on(&app)?;
        let id = Self::dual_container(&app, &keys, key_id, answer)?;
        let key = keys.iter().find(|k| k.id == id).ok_or_else(|| TokenError::NoKey { id: id.clone() })?;
        if let Some(sign) = answer.sign_certs.first() {
            certdesk_gm::check_sign_cert_matches_key(&sign.der, &Sm2Point::from_sec1(&key.public_key, "the key's signing public key")?)?;
        }
        let c = app.open_container(&id).map_err(device("opening the container"))?;
        let sign_der = match c.export_certificate(true) {
            Ok(der) => der,
            Err(e @ SkfError::DeviceRemoved { .. }) => return Err(device("reading the signing certificate")(e)),
            Err(_) => return Err(TokenError::SignCertMissing { id }),
        };
        let sign = cert::parse_many(&sign_der)?.remove(0);
        let enc = &answer.enc_cert;
        if enc.issuer_der != sign.issuer_der {
            return Err(TokenError::EncIssuer { enc_issuer: enc.issuer.clone(), sign_issuer: sign.issuer.clone() });
        }
        if app.files().map_err(device("listing files"))?.iter().any(|f| f == CHAIN_FILE) {
            let chain = cert::parse_many(&app.read_file(CHAIN_FILE).map_err(device("reading the CA certificates"))?).unwrap_or_default();
            if let Some(ca) = chain.iter().find(|ca| ca.subject_der == enc.issuer_der) {
                crate::chain::verify_signed_by(enc, ca, distid)?;
            }
        }
        c.import_enveloped_key(&answer.envelope.to_skf_blob()).map_err(|e| match e {
            SkfError::Sar { code, .. } if matches!(code, certdesk_skf::Sar::SAR_INDATAERR | certdesk_skf::Sar::SAR_INDATALENERR) => TokenError::EnvelopeRefused { code },
            e => device("importing the encryption key pair")(e),
        })?;
        let public = c.export_public_key(false).map_err(device("reading back the encryption public key"))?;
        if public.to_sec1().as_slice() != enc.public_key.as_slice() {
            return Err(TokenError::Verify { what: ReadBack::EncryptionPublicKey });
        }
        c.import_certificate(false, &enc.der).map_err(device("writing the encryption certificate"))?;
        if c.export_certificate(false).map_err(device("reading back"))? != enc.der {
            return Err(TokenError::Verify { what: ReadBack::EncryptionCertificate });
        }
        Ok(EncImported {
            key_id: id.clone(),
            format: answer.format,
            sign_certificate: CertView::of(&sign, &id, "sign", CertUsage::Sign, true),
            encryption_certificate: CertView::of(enc, &id, "encrypt", CertUsage::Encrypt, true),
        })
    }

    /// A file of the application (the seal image: `seal:<slot>` for long labels).
    pub(crate) fn write_data(&self, sel: &TokenSel, pin: &Pin, application: &str, label: &str, value: &[u8]) -> Result<DataView, TokenError> {
        let name = file_name(label);
        if name.len() > 31 || name == CHAIN_FILE {
            return Err(TokenError::device("writing a file", DeviceProblem::SkfFileName { label: label.to_string() }));
        }
        let (dev, _) = self.find(sel)?;
        let app = Self::user_app(&dev, sel, pin)?;
        put_file(&app, &name, value, ReadBack::DataObject { label: label.to_string() })?;
        Ok(DataView { application: application.into(), label: label.into(), size: value.len(), sha256: hex(&Sha256::digest(value)) })
    }

    /// The containers' keys and both certificates of each (label `sign` / `encrypt`), the CA
    /// certificates of the chain file, and the other files.
    pub(crate) fn show(&self, sel: &TokenSel, pin: Option<&Pin>) -> Result<Contents, TokenError> {
        let (dev, token) = self.find(sel)?;
        let app = Self::application(&dev, sel)?;
        if let Some(pin) = pin {
            app.verify_pin(PinType::User, &pin.skf()).map_err(pin_error(PinType::User, "logging in"))?;
        }
        let keys = keys_on(&app)?;
        let mut certificates = Vec::new();
        for name in app.containers().map_err(device("listing containers"))? {
            let c = app.open_container(&name).map_err(device("opening a container"))?;
            for (sign, usage) in [(true, CertUsage::Sign), (false, CertUsage::Encrypt)] {
                let der = match c.export_certificate(sign) {
                    Ok(der) => der,
                    Err(e @ SkfError::DeviceRemoved { .. }) => return Err(device("reading a certificate")(e)),
                    Err(_) => continue,
                };
                let Ok(parsed) = cert::parse_many(&der) else { continue };
                let p = &parsed[0];
                // the container holds the certificate's key pair: the signing key made there, the
                // encryption key pair imported enveloped
                let has_key = match c.export_public_key(sign) {
                    Ok(public) => public.to_sec1().as_slice() == p.public_key.as_slice(),
                    Err(e @ SkfError::DeviceRemoved { .. }) => return Err(device("reading a public key")(e)),
                    Err(_) => false,
                };
                let label = if sign { "sign" } else { "encrypt" };
                certificates.push(CertView::of(p, &name, label, usage, has_key));
            }
        }
        let mut data = Vec::new();
        for file in app.files().map_err(device("listing files"))? {
            let value = app.read_file(&file).map_err(device("reading a file"))?;
            if file == CHAIN_FILE {
                for p in cert::parse_many(&value).unwrap_or_default() {
                    certificates.push(CertView::of(&p, "", "CA", CertUsage::Ca, false));
                }
                continue;
            }
            let application = if file.starts_with(SEAL_FILE_PREFIX) || file == SEAL_LABEL { SEAL_APPLICATION } else { APPLICATION };
            data.push(DataView { application: application.into(), label: label_of(&file), size: value.len(), sha256: hex(&Sha256::digest(&value)) });
        }
        Ok(Contents { token, keys, certificates, data })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_labels_fit_skf_file_names_and_come_back() {
        for (label, file) in [(SEAL_LABEL, SEAL_LABEL.to_string()), ("certdesk-seal-image:legal_person_seal", "seal:legal_person_seal".to_string()), ("other", "other".to_string())]
        {
            assert_eq!(file_name(label), file);
            assert_eq!(label_of(&file), label);
        }
    }

    #[test]
    fn subject_keeps_the_order_and_escapes() {
        let s = Subject {
            common_name: "张三, 李四".into(),
            organization: Some("测试单位".into()),
            organizational_unit: None,
            serial_number: Some("91350100M000100Y43".into()),
            country: "CN".into(),
        };
        let name = subject_name(&s).unwrap();
        assert_eq!(name.to_string(), "CN=张三\\, 李四,SERIALNUMBER=91350100M000100Y43,O=测试单位,C=CN");
    }
}
