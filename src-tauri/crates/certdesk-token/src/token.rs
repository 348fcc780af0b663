//! USB keys as the key desk sees them, whatever library drives them. Owns `Keys` (one loaded
//! key library and the desk's operations on it: slots, find by label or serial, init, PINs,
//! unlock, wipe, on-key key pairs, the token-signed request, certificate, chain and seal image
//! written and read back, a dual certificate's enveloped encryption key pair and certificate),
//! `DualAnswer` (the CA's answer read and checked before a key is touched), the views the desk,
//! CLI and app show, and `TokenError`. `Keys::open`
//! tells a PKCS#11 module from an SKF library (`certdesk_skf::ModuleKind`) and dispatches to
//! the back end: `pkcs11` (cryptoki) or `skf` (GM/T 0016). Neither back end is visible outside.

use crate::Pin;
use crate::cert;
use serde::Serialize;
use std::path::{Path, PathBuf};

mod pkcs11;
mod skf;

/// The application name on the seal image's CKO_DATA object.
pub const SEAL_APPLICATION: &str = "certdesk";
pub const SEAL_LABEL: &str = "certdesk-seal-image";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSel {
    Label(String),
    Serial(String),
}

impl TokenSel {
    /// Whether `view` is the token this names (by label only once initialised).
    pub(crate) fn selects(&self, view: &TokenView) -> bool {
        match self {
            TokenSel::Label(l) => view.initialized && view.label == *l,
            TokenSel::Serial(s) => view.serial == *s,
        }
    }

    /// The one token of those this selected.
    pub(crate) fn the_one<T>(&self, mut found: Vec<T>) -> Result<T, TokenError> {
        match found.len() {
            0 => Err(TokenError::NotFound(self.clone())),
            1 => Ok(found.remove(0)),
            count => Err(TokenError::Ambiguous { sel: self.clone(), count }),
        }
    }
}

impl std::fmt::Display for TokenSel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenSel::Label(l) => write!(f, "label {l:?}"),
            TokenSel::Serial(s) => write!(f, "serial {s:?}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum Algo {
    Rsa2048,
    EcP256,
    /// SM2 (GB/T 32918) with SM3, the request's Z under the project's distinguishing ID.
    Sm2,
}

impl Algo {
    pub fn parse(s: &str) -> Option<Algo> {
        match s {
            "rsa2048" | "rsa-2048" => Some(Algo::Rsa2048),
            "ec-p256" | "p256" | "ecdsa-p256" => Some(Algo::EcP256),
            "sm2" => Some(Algo::Sm2),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Algo::Rsa2048 => "rsa2048",
            Algo::EcP256 => "ec-p256",
            Algo::Sm2 => "sm2",
        }
    }
}

/// What an SM2 key (or an SKF key, SM2 only) answers to an online enrolment.
pub const ONLINE_NOT_FOR_SM2: TokenError =
    TokenError::AlgoUnsupported { algo: "SM2", backend: "online enrolment (SCEP)", why: "SCEP servers take RSA requests and signers; send an SM2 request to the CA offline" };

/// Why a key library could not be loaded or started.
#[derive(Debug, thiserror::Error)]
pub enum ModuleProblem {
    /// None named and none of the configured vendor modules found.
    #[error("{0}")]
    NoneFound(crate::modules::NoModule),
    /// Not loadable, or which kind it is could not be read off its exports.
    #[error("{0}")]
    Skf(certdesk_skf::SkfError),
    /// cryptoki loading the PKCS#11 module or its `C_Initialize`.
    #[error("{0}")]
    Pkcs11(cryptoki::error::Error),
}

/// Why the token, or the library's call on it, refused an operation: the call's own error
/// (its CKR or SAR code within), or what of the request the key cannot take.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceProblem {
    /// A PKCS#11 call's error, with its CKR code.
    #[error(transparent)]
    Pkcs11(cryptoki::error::Error),
    /// An SM2 call through a vendor profile (`pkcs11_sm2`): the function and its CK_RV.
    #[error(transparent)]
    Sm2Raw(crate::pkcs11_sm2::P11Sm2Error),
    /// An SKF call's error, with the code's Chinese.
    #[error("{0} ({zh})", zh = .0.zh())]
    Skf(certdesk_skf::SkfError),
    #[error("a label is 1-32 bytes")]
    LabelLength,
    #[error("country must be two letters")]
    CountryNotTwoLetters,
    #[error("serialNumber must be printable ASCII")]
    SerialNumberNotPrintable,
    /// The request's subject as an X.509 name (the SKF path).
    #[error("the subject: {0}")]
    Subject(#[source] der::Error),
    /// rcgen building or encoding the request.
    #[error(transparent)]
    Request(rcgen::Error),
    /// The token's signature is neither DER nor r ‖ s of the right length.
    #[error(transparent)]
    SignatureFormat(certdesk_gm::SignatureFormatError),
    /// The certificate's key cannot sign a staff signature.
    #[error(transparent)]
    StaffKey(crate::staff::SigError),
    /// A file larger than an SKF file's `u32` size.
    #[error("{what} is too large")]
    TooLarge { what: String, bytes: usize },
    #[error("{label:?} cannot be an SKF file name (at most 31 bytes, not {chain})", chain = skf::CHAIN_FILE)]
    SkfFileName { label: String },
}

/// Why the key did not take a new PIN (too short or long, or of characters it refuses).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PinRefusal {
    /// CKR_PIN_LEN_RANGE or CKR_PIN_INVALID, in cryptoki's error.
    #[error(transparent)]
    Pkcs11(cryptoki::error::Error),
    /// SAR_PIN_LEN_RANGE or SAR_PIN_INVALID.
    #[error("{0}")]
    Skf(certdesk_skf::Sar),
}

/// What a key did not read back as it was written (#75): the object, never its bytes.
#[derive(Debug, thiserror::Error)]
pub enum ReadBack {
    #[error("the certificate")]
    Certificate,
    #[error("the CA certificate {subject}")]
    CaCertificate { subject: String },
    #[error("the CA certificates")]
    CaCertificates,
    #[error("the data object {label}")]
    DataObject { label: String },
    #[error("the encryption public key")]
    EncryptionPublicKey,
    #[error("the encryption certificate")]
    EncryptionCertificate,
    /// a signature the key made that does not verify with its certificate
    #[error("the key's signature ({0})")]
    Signature(Box<crate::staff::SigError>),
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("cannot load the PKCS#11 module {path}: {why}")]
    Module { path: String, why: Box<ModuleProblem> },
    #[error("no token with {0}")]
    NotFound(TokenSel),
    #[error("{count} tokens with {sel}: use the serial")]
    Ambiguous { sel: TokenSel, count: usize },
    #[error("no slot {0} (see `certdesk key list`)")]
    NoSlot(usize),
    /// `tries_left` where the key says how many (SKF does; PKCS#11 has only the flags).
    #[error("wrong PIN{}", tries_text(*final_try, *count_low, *tries_left))]
    WrongPin { final_try: bool, count_low: bool, tries_left: Option<u32> },
    #[error("the PIN is locked after too many wrong PINs: unlock the key with the SO PIN (certdesk key unlock)")]
    PinLocked,
    #[error("wrong SO PIN{}", tries_text(*final_try, *count_low, *tries_left))]
    WrongSoPin { final_try: bool, count_low: bool, tries_left: Option<u32> },
    #[error("the SO PIN is locked: the key cannot be unlocked any more")]
    SoPinLocked,
    #[error("the new PIN is not acceptable to the key ({0})")]
    PinRefused(PinRefusal),
    #[error("the key or reader was removed during {op}: insert it and try again")]
    Removed { op: &'static str },
    #[error("the certificate's public key matches no key on this token: it belongs to another key (certificate subject {subject})")]
    ForeignCertificate { subject: String },
    #[error("no key {id} on the token")]
    NoKey { id: String },
    #[error("what was written does not read back the same: {what}")]
    Verify { what: ReadBack },
    #[error(transparent)]
    Cert(#[from] cert::CertError),
    #[error("the token refused {op}: {problem}")]
    Device { op: &'static str, problem: Box<DeviceProblem> },
    #[error("SM2 over this PKCS#11 module needs a vendor profile (no standard PKCS#11 mechanism exists): use the key's SKF library, or a module with an SM2 profile")]
    Sm2NeedsProfile,
    #[error("{algo} keys cannot be made over {backend}: {why}")]
    AlgoUnsupported { algo: &'static str, backend: &'static str, why: &'static str },
    #[error("the SM2 request: {0}")]
    Sm2Request(#[from] certdesk_gm::RequestError),
    #[error("the key's public key is not an SM2 point: {0}")]
    Sm2Key(#[from] certdesk_gm::KeyError),
    #[error("the CA's answer: {0}")]
    Envelope(#[from] certdesk_gm::EnvelopeError),
    #[error("the CA's answer carries no enveloped encryption key pair")]
    NoEnvelope,
    #[error("no encryption certificate: give its file (--enc-cert), or the GM/T 0092 answer that carries it")]
    NoEncCert,
    #[error("{0}")]
    DualMismatch(#[from] certdesk_gm::CheckError),
    #[error(
        "an enveloped encryption key pair cannot be imported over PKCS#11: no standard mechanism exists and each vendor's differs; point the key desk at the key's SKF library"
    )]
    EnvelopeImportUnsupported,
    /// SAR_INDATAERR or SAR_INDATALENERR from `SKF_ImportECCKeyPair`.
    #[error("the key could not open the envelope: it is not enveloped to this key's signing key, or damaged ({code} {zh})", zh = code.zh())]
    EnvelopeRefused { code: certdesk_skf::Sar },
    #[error("key {id} has no signing certificate yet: write the signing certificate first (key write-cert)")]
    SignCertMissing { id: String },
    #[error("no key on the token has a signing certificate for {subject}: write the signing certificate first, or name the key (--key ID)")]
    NoDualKey { subject: String },
    #[error("{count} keys on the token could take this encryption key pair: name the key (--key ID)")]
    KeyAmbiguous { count: usize },
    #[error("the encryption certificate is issued by {enc_issuer}, the signing certificate by {sign_issuer}: they must come from the same CA")]
    EncIssuer { enc_issuer: String, sign_issuer: String },
    #[error("the encryption certificate's issuer chain: {0}")]
    EncChain(#[from] crate::chain::ChainError),
}

impl TokenError {
    /// The token refused `op` for `problem`.
    pub(crate) fn device(op: &'static str, problem: DeviceProblem) -> TokenError {
        TokenError::Device { op, problem: Box::new(problem) }
    }
}

fn tries_text(final_try: bool, count_low: bool, tries_left: Option<u32>) -> String {
    match tries_left {
        Some(1) => ": one try left before the key locks".into(),
        Some(n) => format!(": {n} tries left before the key locks"),
        None if final_try => ": one try left before the key locks".into(),
        None if count_low => ": few tries left before the key locks".into(),
        None => String::new(),
    }
}

/// A token as shown at the key desk.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct TokenView {
    pub slot_index: usize,
    pub slot_description: String,
    pub label: String,
    pub serial: String,
    pub model: String,
    pub manufacturer: String,
    pub free_public_memory: Option<usize>,
    pub initialized: bool,
    pub user_pin_initialized: bool,
    pub user_pin_count_low: bool,
    pub user_pin_final_try: bool,
    pub user_pin_locked: bool,
    pub user_pin_to_be_changed: bool,
    pub so_pin_count_low: bool,
    pub so_pin_final_try: bool,
    pub so_pin_locked: bool,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SlotView {
    pub slot_index: usize,
    pub description: String,
    pub token: Option<TokenView>,
}

/// A key pair on the token.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct KeyView {
    /// CKA_ID, hex.
    pub id: String,
    pub algo: Algo,
    pub label: String,
    /// SHA-256 of the public key bits, hex: what a certificate is matched by.
    pub public_key_sha256: String,
    #[serde(skip)]
    pub public_key: Vec<u8>,
}

/// What a certificate on a key is for: the signing certificate of a key pair on the token, the
/// encryption certificate of a dual certificate (its key pair imported enveloped), a CA's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum CertUsage {
    Sign,
    Encrypt,
    Ca,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CertView {
    /// The key it belongs to (CKA_ID, hex; SKF: the container), empty for CA certificates.
    pub id: String,
    pub label: String,
    pub usage: CertUsage,
    pub subject: String,
    pub issuer: String,
    pub serial_hex: String,
    /// The same serial number (hex): the name `key show --json` readers look for.
    pub serial: String,
    pub not_after: String,
    /// Whether a key with the same CKA_ID is on the token.
    pub has_key: bool,
    /// SHA-256 of the certificate's DER, hex: how a staff key's certificate is named (#31).
    pub sha256: String,
    /// The certificate itself (DER), for what the view does not show (`old_key`).
    #[serde(skip)]
    pub der: Vec<u8>,
}

impl CertView {
    pub(crate) fn of(p: &cert::ParsedCert, id: &str, label: &str, usage: CertUsage, has_key: bool) -> CertView {
        CertView {
            id: id.to_string(),
            label: label.to_string(),
            usage,
            subject: p.subject.clone(),
            issuer: p.issuer.clone(),
            serial_hex: p.serial_hex.clone(),
            serial: p.serial_hex.clone(),
            not_after: p.not_after.clone(),
            has_key,
            sha256: crate::staff::fingerprint(&p.der),
            der: p.der.clone(),
        }
    }
}

/// Which container a CA's dual-certificate answer came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum EnvelopeFormat {
    /// A DER GM/T 0009 `SM2EnvelopedKey`.
    Gmt0009,
    /// An SKF `ENVELOPEDKEYBLOB`.
    Skf,
    /// A GM/T 0092 `CSRResponse` (the certificates may come inside).
    Gmt0092,
}

/// A CA's answer for a dual certificate, read and checked for shape before any key is
/// touched: the encryption key pair enveloped to the signing key, the encryption certificate
/// (whose public key is the enveloped one: checked), and the signing certificates a GM/T 0092
/// answer carries.
#[derive(Debug, Clone)]
pub struct DualAnswer {
    pub format: EnvelopeFormat,
    pub envelope: certdesk_gm::EnvelopedKey,
    pub enc_cert: cert::ParsedCert,
    pub sign_certs: Vec<cert::ParsedCert>,
}

/// PEM or Base64 text decoded to its bytes (CAs often send an envelope as Base64); `None` when
/// `bytes` is not such text.
fn text_to_der(bytes: &[u8]) -> Option<Vec<u8>> {
    use base64ct::Encoding;
    let text = std::str::from_utf8(bytes).ok()?;
    let body: String = text.lines().filter(|l| !l.trim_start().starts_with("-----")).flat_map(|l| l.chars()).filter(|c| !c.is_whitespace()).collect();
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)) {
        return None;
    }
    base64ct::Base64::decode_vec(&body).ok()
}

impl DualAnswer {
    /// Reads the CA's answer (GM/T 0009 DER, SKF blob or GM/T 0092 `CSRResponse`, each also as
    /// Base64 or PEM text) and the encryption certificate (`enc_cert`; else the one a GM/T 0092
    /// answer carries), and checks that the enveloped public key is the certificate's.
    pub fn read(answer: &[u8], enc_cert: Option<&[u8]>) -> Result<DualAnswer, TokenError> {
        let decoded = text_to_der(answer);
        let parsed = certdesk_gm::parse_ca_answer(decoded.as_deref().unwrap_or(answer))?;
        let envelope = parsed.envelope().cloned().ok_or(TokenError::NoEnvelope)?;
        let (format, carried_enc, carried_sign) = match &parsed {
            certdesk_gm::CaAnswer::CsrResponse(r) => (EnvelopeFormat::Gmt0092, r.encrypt_certificates.clone(), r.sign_certificates.clone()),
            certdesk_gm::CaAnswer::SkfBlob(_) => (EnvelopeFormat::Skf, Vec::new(), Vec::new()),
            _ => (EnvelopeFormat::Gmt0009, Vec::new(), Vec::new()),
        };
        let enc_cert = match enc_cert {
            Some(bytes) => cert::parse_many(bytes)?.remove(0),
            None => cert::parse_many(carried_enc.first().ok_or(TokenError::NoEncCert)?)?.remove(0),
        };
        certdesk_gm::check_envelope_matches_encryption_cert(&envelope, &enc_cert.der)?;
        let mut sign_certs = Vec::new();
        for der in &carried_sign {
            sign_certs.extend(cert::parse_many(der)?);
        }
        Ok(DualAnswer { format, envelope, enc_cert, sign_certs })
    }
}

/// What a dual certificate's import left on the key, read back.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct EncImported {
    /// The key (SKF container) that holds both key pairs.
    pub key_id: String,
    pub format: EnvelopeFormat,
    pub sign_certificate: CertView,
    pub encryption_certificate: CertView,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DataView {
    pub application: String,
    pub label: String,
    pub size: usize,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Contents {
    pub token: TokenView,
    pub keys: Vec<KeyView>,
    pub certificates: Vec<CertView>,
    pub data: Vec<DataView>,
}

/// The subject of a certificate request.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Subject {
    pub common_name: String,
    pub organization: Option<String>,
    pub organizational_unit: Option<String>,
    /// X.520 serialNumber: the USCC or ID number the CA project asks for.
    pub serial_number: Option<String>,
    pub country: String,
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex(s: &str) -> Option<Vec<u8>> {
    s.len().is_multiple_of(2).then(|| (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok()).collect::<Option<Vec<u8>>>())?
}

/// DER of an unsigned INTEGER.
pub(crate) fn der_uint(bytes: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    if v.is_empty() {
        v.push(0);
    }
    if v[0] & 0x80 != 0 {
        v.insert(0, 0);
    }
    der_tlv(0x02, &v)
}

pub(crate) fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let len_bytes: Vec<u8> = n.to_be_bytes().iter().copied().skip_while(|b| *b == 0).collect();
        out.push(0x80 | len_bytes.len() as u8);
        out.extend(len_bytes);
    }
    out.extend_from_slice(content);
    out
}

/// Which kind of library a `Keys` drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Pkcs11,
    Skf,
}

enum Lib {
    Pkcs11(pkcs11::P11),
    Skf(skf::SkfKeys),
}

/// One loaded key library (a PKCS#11 module or an SKF library, told apart by its exports) and
/// the key desk's operations on its keys. Tokens are found by label or serial, never by slot.
pub struct Keys {
    lib: Lib,
    pub module: PathBuf,
}

/// Forwards a call to the back end.
macro_rules! each {
    ($self:ident, $l:ident => $call:expr) => {
        match &$self.lib {
            Lib::Pkcs11($l) => $call,
            Lib::Skf($l) => $call,
        }
    };
}

impl Keys {
    /// Loads `module`: a PKCS#11 module (`C_GetFunctionList`) or an SKF library (`SKF_EnumDev`).
    pub fn open(module: &Path) -> Result<Keys, TokenError> {
        let kind = certdesk_skf::ModuleKind::detect(module).map_err(|e| TokenError::Module { path: module.display().to_string(), why: Box::new(ModuleProblem::Skf(e)) })?;
        let lib = match kind {
            certdesk_skf::ModuleKind::Pkcs11 => Lib::Pkcs11(pkcs11::P11::open(module)?),
            certdesk_skf::ModuleKind::Skf => Lib::Skf(skf::SkfKeys::open(module)?),
        };
        Ok(Keys { lib, module: module.to_path_buf() })
    }

    pub fn backend(&self) -> Backend {
        match self.lib {
            Lib::Pkcs11(_) => Backend::Pkcs11,
            Lib::Skf(_) => Backend::Skf,
        }
    }

    /// Every slot (SKF: every device present), with its token when one is present.
    pub fn slots(&self) -> Result<Vec<SlotView>, TokenError> {
        each!(self, l => l.slots())
    }

    /// The one token matching `sel`.
    pub fn info(&self, sel: &TokenSel) -> Result<TokenView, TokenError> {
        each!(self, l => l.info(sel))
    }

    /// Initialises the token in slot `index` with `label`, the SO PIN (SKF: the application's
    /// administrator PIN) and the user PIN.
    pub fn init(&self, index: usize, label: &str, so_pin: &Pin, user_pin: &Pin) -> Result<TokenView, TokenError> {
        Ok(self.init_limited(index, label, so_pin, user_pin, None)?.0)
    }

    /// [`Keys::init`] with the wrong PINs a key takes before it locks, where the CA's catalog
    /// says (`[pin] max_tries`). An SKF key is made with it (`SKF_CreateApplication`'s retry
    /// counts); PKCS#11 has no standard way to set it, and the key keeps its own. The second
    /// value is the limit the key was made with, when this call set one.
    pub fn init_limited(&self, index: usize, label: &str, so_pin: &Pin, user_pin: &Pin, user_tries: Option<u32>) -> Result<(TokenView, Option<u32>), TokenError> {
        if label.trim().is_empty() || label.len() > 32 {
            return Err(TokenError::device("initialising", DeviceProblem::LabelLength));
        }
        match &self.lib {
            Lib::Pkcs11(l) => Ok((l.init(index, label, so_pin, user_pin)?, None)),
            Lib::Skf(l) => Ok((l.init(index, label, so_pin, user_pin, user_tries)?, user_tries.or(Some(skf::PIN_TRIES)))),
        }
    }

    pub fn change_pin(&self, sel: &TokenSel, old: &Pin, new: &Pin) -> Result<(), TokenError> {
        each!(self, l => l.change_pin(sel, old, new))
    }

    /// The SO PIN and a new user PIN: what unlocks a key locked by wrong PINs.
    pub fn unlock(&self, sel: &TokenSel, so_pin: &Pin, new_pin: &Pin) -> Result<TokenView, TokenError> {
        each!(self, l => l.unlock(sel, so_pin, new_pin))
    }

    /// Re-initialises the token (keeping its label): every key, certificate and file is gone.
    pub fn wipe(&self, sel: &TokenSel, so_pin: &Pin) -> Result<TokenView, TokenError> {
        each!(self, l => l.wipe(sel, so_pin))
    }

    /// Generates a key pair on the token: the private key never leaves it.
    pub fn generate(&self, sel: &TokenSel, pin: &Pin, algo: Algo, label: &str) -> Result<KeyView, TokenError> {
        each!(self, l => l.generate(sel, pin, algo, label))
    }

    /// A PKCS#10 request for key `key_id` (hex), signed on the token; PEM. SM2 keys hash Z
    /// under the default distinguishing ID (`csr_with_id` takes the project's).
    pub fn csr(&self, sel: &TokenSel, pin: &Pin, key_id: &str, subject: &Subject) -> Result<String, TokenError> {
        self.csr_with_id(sel, pin, key_id, subject, &certdesk_gm::DistId::default())
    }

    /// `csr` with the distinguishing ID an SM2 request's Z is computed under (ignored for RSA
    /// and P-256).
    pub fn csr_with_id(&self, sel: &TokenSel, pin: &Pin, key_id: &str, subject: &Subject, distid: &certdesk_gm::DistId) -> Result<String, TokenError> {
        match &self.lib {
            Lib::Pkcs11(l) => l.csr(sel, pin, key_id, subject, distid, None),
            Lib::Skf(l) => l.csr(sel, pin, key_id, subject, distid),
        }
    }

    /// `csr` for an RA (SCEP): the request carries the RA's challenge password. RSA and P-256
    /// keys of a PKCS#11 token; an SM2 key's request goes to its CA offline.
    pub fn csr_for_ra(&self, sel: &TokenSel, pin: &Pin, key_id: &str, subject: &Subject, challenge: &str) -> Result<String, TokenError> {
        match &self.lib {
            Lib::Pkcs11(l) => l.csr(sel, pin, key_id, subject, &certdesk_gm::DistId::default(), Some(challenge)),
            Lib::Skf(_) => Err(ONLINE_NOT_FOR_SM2),
        }
    }

    /// Writes the issued certificate with its key, and the chain; refuses a certificate whose
    /// public key is not on the token. Reads everything back.
    pub fn write_cert(&self, sel: &TokenSel, pin: &Pin, cert_bytes: &[u8], chain_bytes: Option<&[u8]>) -> Result<CertView, TokenError> {
        let mut certs = cert::parse_many(cert_bytes)?;
        let leaf = certs.remove(0);
        let mut chain = certs;
        if let Some(c) = chain_bytes {
            chain.extend(cert::parse_many(c)?);
        }
        each!(self, l => l.write_cert(sel, pin, leaf, chain))
    }

    /// Writes (replacing) a data object (SKF: a file) such as the seal image and reads it back.
    pub fn write_data(&self, sel: &TokenSel, pin: &Pin, application: &str, label: &str, value: &[u8]) -> Result<DataView, TokenError> {
        each!(self, l => l.write_data(sel, pin, application, label, value))
    }

    /// A dual certificate's second half: the encryption key pair the CA's KMC enveloped to the
    /// signing key of `key_id` (else the one key whose signing certificate the answer names)
    /// opened on the key, and the encryption certificate beside it; both read back. The
    /// signing certificate must be on the key already (`write_cert`), and the encryption
    /// certificate must come from the same CA (its signature checked under `distid` where the
    /// CA certificate is on the key). SKF only: over PKCS#11 it is refused.
    pub fn import_enc(&self, sel: &TokenSel, pin: &Pin, key_id: Option<&str>, answer: &DualAnswer, distid: &certdesk_gm::DistId) -> Result<EncImported, TokenError> {
        match &self.lib {
            Lib::Pkcs11(_) => Err(TokenError::EnvelopeImportUnsupported),
            Lib::Skf(l) => l.import_enc(sel, pin, key_id, answer, distid),
        }
    }

    /// Everything on the token: public objects always, keys and certificates also with a PIN.
    pub fn show(&self, sel: &TokenSel, pin: Option<&Pin>) -> Result<Contents, TokenError> {
        each!(self, l => l.show(sel, pin))
    }

    /// The present tokens holding the certificate whose DER's SHA-256 is `fingerprint` (#31:
    /// a staff key found by its certificate), without a PIN (certificates are public), each
    /// named by serial.
    pub fn find_certificate(&self, fingerprint: &str) -> Result<Vec<TokenView>, TokenError> {
        let mut out = Vec::new();
        for slot in self.slots()? {
            let Some(token) = slot.token.filter(|t| t.initialized) else { continue };
            let Ok(contents) = self.show(&TokenSel::Serial(token.serial.clone()), None) else { continue };
            if contents.certificates.iter().any(|c| c.sha256.eq_ignore_ascii_case(fingerprint)) {
                out.push(contents.token);
            }
        }
        Ok(out)
    }

    /// A staff signature (#31): the key beside certificate `cert` on token `sel` signs
    /// `message` after the user PIN ([`crate::staff`]: SHA-256 for RSA and P-256, SM3(Z ‖ M)
    /// under the default ID for SM2), and the signature is checked on the host with the
    /// certificate's key before it is returned, so a key that signs something else is caught
    /// here. A certificate whose key is not on the token is refused.
    pub fn sign_as(&self, sel: &TokenSel, pin: &Pin, cert: &cert::ParsedCert, message: &[u8]) -> Result<crate::staff::StaffSignature, TokenError> {
        self.sign_under(sel, pin, cert, message, &crate::staff::staff_distid())
    }

    /// [`Keys::sign_as`] with SM2's Z under `distid`: a key its project's CA issued signs
    /// under the project's ID (#74, the unit's own certificate as proof).
    pub fn sign_under(&self, sel: &TokenSel, pin: &Pin, cert: &cert::ParsedCert, message: &[u8], distid: &certdesk_gm::DistId) -> Result<crate::staff::StaffSignature, TokenError> {
        let algorithm = crate::staff::SigAlgorithm::of_certificate(cert).map_err(|e| TokenError::device("signing", DeviceProblem::StaffKey(e)))?;
        let signature = each!(self, l => l.sign_as(sel, pin, cert, message, distid))?;
        crate::staff::verify_under(cert, algorithm, message, &signature, distid).map_err(|e| TokenError::Verify { what: ReadBack::Signature(Box::new(e)) })?;
        let digest = crate::staff::digest_under(cert, algorithm, message, distid).map_err(|e| TokenError::device("signing", DeviceProblem::StaffKey(e)))?;
        Ok(crate::staff::StaffSignature { algorithm, digest, signature })
    }
}

#[cfg(test)]
mod error_tests {
    use super::*;

    /// #75: what the token refused says why as a typed reason, in the words the text had.
    #[test]
    fn refusals_hold_typed_reasons_in_the_old_words() {
        let label = TokenError::device("initialising", DeviceProblem::LabelLength);
        assert!(matches!(&label, TokenError::Device { op: "initialising", problem } if matches!(**problem, DeviceProblem::LabelLength)), "{label:?}");
        assert_eq!(label.to_string(), "the token refused initialising: a label is 1-32 bytes");
        let file = TokenError::device("writing a file", DeviceProblem::SkfFileName { label: "x".repeat(40) });
        assert_eq!(file.to_string(), format!("the token refused writing a file: {:?} cannot be an SKF file name (at most 31 bytes, not certdesk-ca-chain)", "x".repeat(40)));
        let skf = TokenError::device("listing files", DeviceProblem::Skf(certdesk_skf::SkfError::Sar { function: "SKF_EnumFiles", code: certdesk_skf::Sar::SAR_INDATAERR }));
        assert!(skf.to_string().starts_with("the token refused listing files: SKF_EnumFiles failed: SAR_INDATAERR (0x0A000011), input data error ("), "{skf}");
        let pin = TokenError::PinRefused(PinRefusal::Skf(certdesk_skf::Sar::SAR_PIN_LEN_RANGE));
        assert!(pin.to_string().starts_with("the new PIN is not acceptable to the key (SAR_PIN_LEN_RANGE (0x"), "{pin}");
        let envelope = TokenError::EnvelopeRefused { code: certdesk_skf::Sar::SAR_INDATAERR };
        assert_eq!(
            envelope.to_string(),
            "the key could not open the envelope: it is not enveloped to this key's signing key, or damaged (SAR_INDATAERR (0x0A000011) 输入数据错误)"
        );
        let data = TokenError::Verify { what: ReadBack::DataObject { label: "certdesk-seal-image".into() } };
        assert_eq!(data.to_string(), "what was written does not read back the same: the data object certdesk-seal-image");
        let ca = TokenError::Verify { what: ReadBack::CaCertificate { subject: "CN=Test Root".into() } };
        assert_eq!(ca.to_string(), "what was written does not read back the same: the CA certificate CN=Test Root");
        assert!(matches!(TokenError::Verify { what: ReadBack::Certificate }, TokenError::Verify { what: ReadBack::Certificate }));
    }
}
