//! The PKCS#11 back end of `Keys`, through cryptoki. Owns every call into a PKCS#11 vendor
//! module: listing slots, finding a token by label or serial (slot ids change after
//! C_InitToken), token state with the PIN flags, initialising, PIN change and unlock (SO login +
//! C_InitPIN), wiping, key pairs made on the token (non-extractable, tied to the certificate by
//! CKA_ID), signing the certificate request, writing certificate, chain and seal image, and
//! reading everything back. SM2 has no standard PKCS#11 mechanism: a module (or its token's
//! manufacturer) that a vendor profile names (`sm2_profiles`) makes and signs with SM2 keys
//! through the raw path (`pkcs11_sm2`), the request built by `certdesk-gm`.

use super::{
    Algo, CertUsage, CertView, Contents, DataView, DeviceProblem, KeyView, PinRefusal, ReadBack, SlotView, Subject, TokenError, TokenSel, TokenView, der_tlv, der_uint, hex, unhex,
};
use crate::Pin;
use crate::cert::{self, ParsedCert};
use crate::pkcs11_sm2::{P11Sm2Error, RawModule};
use crate::sm2_profiles::Profile;
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, CertificateType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn device(op: &'static str) -> impl Fn(CkError) -> TokenError {
    move |e| match e {
        CkError::Pkcs11(RvError::DeviceRemoved | RvError::TokenNotPresent | RvError::SessionHandleInvalid | RvError::SessionClosed, _) => TokenError::Removed { op },
        CkError::Pkcs11(RvError::PinLocked, _) => TokenError::PinLocked,
        other => TokenError::device(op, DeviceProblem::Pkcs11(other)),
    }
}

/// prime256v1 (1.2.840.10045.3.1.7) as DER: the CKA_EC_PARAMS of P-256 keys.
const P256_PARAMS: &[u8] = &[0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];

pub(crate) struct P11 {
    ctx: Pkcs11,
    module: PathBuf,
}

/// A failure of the SM2 raw path as the desk knows failures: a locked PIN, a key pulled out,
/// a module that lacks the profile's mechanisms, or the device's own words.
fn sm2_err(op: &'static str) -> impl Fn(P11Sm2Error) -> TokenError {
    move |e| match (&e, e.rv()) {
        (P11Sm2Error::ProfileMismatch { .. }, _) => TokenError::Sm2NeedsProfile,
        (_, Some(cryptoki_sys::CKR_PIN_LOCKED)) => TokenError::PinLocked,
        (_, Some(cryptoki_sys::CKR_DEVICE_REMOVED | cryptoki_sys::CKR_TOKEN_NOT_PRESENT | cryptoki_sys::CKR_SESSION_HANDLE_INVALID)) => TokenError::Removed { op },
        _ => TokenError::device(op, DeviceProblem::Sm2Raw(e)),
    }
}

impl P11 {
    pub(crate) fn open(module: &Path) -> Result<P11, TokenError> {
        let err = |e: CkError| TokenError::Module { path: module.display().to_string(), why: Box::new(crate::token::ModuleProblem::Pkcs11(e)) };
        let ctx = Pkcs11::new(module).map_err(err)?;
        match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => return Err(err(e)),
        }
        Ok(P11 { ctx, module: module.to_path_buf() })
    }

    /// The vendor SM2 profile this module offers on the session's token: the one its file name
    /// or the token's manufacturer names first, then any shipped one whose mechanisms the module
    /// lists; `None` when it offers none (no SM2 on this module).
    fn sm2_profile(&self, raw: &RawModule, session: &Session, manufacturer: &str) -> Option<&'static Profile> {
        crate::sm2_profiles::candidates(&self.module, manufacturer).into_iter().find(|p| raw.check_profile(session.handle(), p).is_ok())
    }

    /// The manufacturer of the token a session is on (what a vendor profile may match).
    fn manufacturer_of(&self, session: &Session) -> String {
        session.get_session_info().ok().and_then(|i| self.ctx.get_token_info(i.slot_id()).ok()).map(|t| t.manufacturer_id().trim().to_string()).unwrap_or_default()
    }

    fn token_view(&self, index: usize, slot: Slot) -> Result<TokenView, TokenError> {
        let s = self.ctx.get_slot_info(slot).map_err(device("reading the slot"))?;
        let t = self.ctx.get_token_info(slot).map_err(device("reading the token"))?;
        Ok(TokenView {
            slot_index: index,
            slot_description: s.slot_description().trim().to_string(),
            label: t.label().trim().to_string(),
            serial: t.serial_number().trim().to_string(),
            model: t.model().trim().to_string(),
            manufacturer: t.manufacturer_id().trim().to_string(),
            free_public_memory: t.free_public_memory(),
            initialized: t.token_initialized(),
            user_pin_initialized: t.user_pin_initialized(),
            user_pin_count_low: t.user_pin_count_low(),
            user_pin_final_try: t.user_pin_final_try(),
            user_pin_locked: t.user_pin_locked(),
            user_pin_to_be_changed: t.user_pin_to_be_changed(),
            so_pin_count_low: t.so_pin_count_low(),
            so_pin_final_try: t.so_pin_final_try(),
            so_pin_locked: t.so_pin_locked(),
        })
    }

    /// Every slot, with its token when one is present.
    pub(crate) fn slots(&self) -> Result<Vec<SlotView>, TokenError> {
        let slots = self.ctx.get_all_slots().map_err(device("listing slots"))?;
        let with_token = self.ctx.get_slots_with_token().map_err(device("listing slots"))?;
        slots
            .into_iter()
            .enumerate()
            .map(|(i, slot)| {
                let description = self.ctx.get_slot_info(slot).map(|s| s.slot_description().trim().to_string()).unwrap_or_default();
                let token = if with_token.contains(&slot) { Some(self.token_view(i, slot)?) } else { None };
                Ok(SlotView { slot_index: i, description, token })
            })
            .collect()
    }

    /// The one token matching `sel`.
    pub(crate) fn find(&self, sel: &TokenSel) -> Result<(Slot, TokenView), TokenError> {
        sel.the_one(self.selected(sel)?)
    }

    /// Every token `sel` selects, with its slot.
    fn selected(&self, sel: &TokenSel) -> Result<Vec<(Slot, TokenView)>, TokenError> {
        let slots = self.ctx.get_all_slots().map_err(device("listing slots"))?;
        let with_token = self.ctx.get_slots_with_token().map_err(device("listing slots"))?;
        let mut found = Vec::new();
        for (i, slot) in slots.into_iter().enumerate() {
            if !with_token.contains(&slot) {
                continue;
            }
            let view = self.token_view(i, slot)?;
            if sel.selects(&view) {
                found.push((slot, view));
            }
        }
        Ok(found)
    }

    /// The token just initialised with `label`. Slot ids can change after C_InitToken (SoftHSM,
    /// some vendor keys), so it is found again by its label, leaving out the other keys that
    /// bore that label before (`others`, by serial): the first key of a certificate still
    /// plugged while its second key is made (补办) has the same label.
    fn find_initialised(&self, label: &str, others: &[String]) -> Result<(Slot, TokenView), TokenError> {
        let sel = TokenSel::Label(label.to_string());
        let found: Vec<(Slot, TokenView)> = self.selected(&sel)?.into_iter().filter(|(_, v)| !others.contains(&v.serial)).collect();
        sel.the_one(found)
    }

    fn slot_at(&self, index: usize) -> Result<Slot, TokenError> {
        self.ctx.get_all_slots().map_err(device("listing slots"))?.get(index).copied().ok_or(TokenError::NoSlot(index))
    }

    /// Logs in, mapping a wrong PIN to the token's own try flags.
    fn login(&self, slot: Slot, session: &Session, user: UserType, pin: &Pin) -> Result<(), TokenError> {
        let is_so = matches!(user, UserType::So);
        match session.login(user, Some(&pin.auth())) {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(()),
            Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => {
                let t = self.ctx.get_token_info(slot).map_err(device("reading the token"))?;
                if is_so {
                    if t.so_pin_locked() {
                        return Err(TokenError::SoPinLocked);
                    }
                    Err(TokenError::WrongSoPin { final_try: t.so_pin_final_try(), count_low: t.so_pin_count_low(), tries_left: None })
                } else {
                    if t.user_pin_locked() {
                        return Err(TokenError::PinLocked);
                    }
                    Err(TokenError::WrongPin { final_try: t.user_pin_final_try(), count_low: t.user_pin_count_low(), tries_left: None })
                }
            }
            Err(CkError::Pkcs11(RvError::PinLocked, _)) if is_so => Err(TokenError::SoPinLocked),
            Err(e) => Err(device("logging in")(e)),
        }
    }

    /// C_InitToken, a wrong SO PIN reported with the token's try flags.
    fn init_token(&self, slot: Slot, so_pin: &Pin, label: &str, op: &'static str) -> Result<(), TokenError> {
        match self.ctx.init_token(slot, &so_pin.auth(), label) {
            Ok(()) => Ok(()),
            Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => {
                let t = self.ctx.get_token_info(slot).map_err(device("reading the token"))?;
                Err(TokenError::WrongSoPin { final_try: t.so_pin_final_try(), count_low: t.so_pin_count_low(), tries_left: None })
            }
            Err(e) => Err(device(op)(e)),
        }
    }

    fn user_session(&self, sel: &TokenSel, pin: &Pin) -> Result<(Slot, TokenView, Session), TokenError> {
        let (slot, view) = self.find(sel)?;
        let session = self.ctx.open_rw_session(slot).map_err(device("opening a session"))?;
        self.login(slot, &session, UserType::User, pin)?;
        Ok((slot, view, session))
    }

    /// Initialises the token in slot `index` with `label`, then sets the user PIN.
    pub(crate) fn init(&self, index: usize, label: &str, so_pin: &Pin, user_pin: &Pin) -> Result<TokenView, TokenError> {
        if label.trim().is_empty() || label.len() > 32 {
            return Err(TokenError::device("initialising", DeviceProblem::LabelLength));
        }
        let slot = self.slot_at(index)?;
        let others: Vec<String> =
            self.selected(&TokenSel::Label(label.to_string()))?.into_iter().filter(|(s, _)| *s != slot).map(|(_, v)| v.serial).filter(|serial| !serial.is_empty()).collect();
        self.init_token(slot, so_pin, label, "initialising")?;
        let (slot, _) = self.find_initialised(label, &others)?;
        let session = self.ctx.open_rw_session(slot).map_err(device("opening a session"))?;
        self.login(slot, &session, UserType::So, so_pin)?;
        set_user_pin(&session, user_pin)?;
        drop(session);
        Ok(self.find_initialised(label, &others)?.1)
    }

    pub(crate) fn info(&self, sel: &TokenSel) -> Result<TokenView, TokenError> {
        Ok(self.find(sel)?.1)
    }

    pub(crate) fn change_pin(&self, sel: &TokenSel, old: &Pin, new: &Pin) -> Result<(), TokenError> {
        let (_, _, session) = self.user_session(sel, old)?;
        session.set_pin(&old.auth(), &new.auth()).map_err(|e| match e {
            CkError::Pkcs11(RvError::PinLenRange | RvError::PinInvalid, _) => TokenError::PinRefused(PinRefusal::Pkcs11(e)),
            e => device("changing the PIN")(e),
        })
    }

    /// SO login and a new user PIN: what unlocks a key locked by wrong PINs.
    pub(crate) fn unlock(&self, sel: &TokenSel, so_pin: &Pin, new_pin: &Pin) -> Result<TokenView, TokenError> {
        let (slot, _) = self.find(sel)?;
        let session = self.ctx.open_rw_session(slot).map_err(device("opening a session"))?;
        self.login(slot, &session, UserType::So, so_pin)?;
        set_user_pin(&session, new_pin)?;
        drop(session);
        Ok(self.find(sel)?.1)
    }

    /// Re-initialises the token (keeping its label): every object and the user PIN are gone.
    pub(crate) fn wipe(&self, sel: &TokenSel, so_pin: &Pin) -> Result<TokenView, TokenError> {
        let (_, view) = self.find(sel)?;
        let slot = self.slot_at(view.slot_index)?;
        self.init_token(slot, so_pin, &view.label, "wiping")?;
        Ok(self.find(&TokenSel::Serial(view.serial.clone())).or_else(|_| self.find(&TokenSel::Label(view.label.clone())))?.1)
    }

    /// Generates a key pair on the token: the private key never leaves it.
    pub(crate) fn generate(&self, sel: &TokenSel, pin: &Pin, algo: Algo, label: &str) -> Result<KeyView, TokenError> {
        let (_, view, session) = self.user_session(sel, pin)?;
        let mut id = [0u8; 16];
        session.generate_random_slice(&mut id).map_err(device("drawing a key id"))?;
        let id = id.to_vec();
        if algo == Algo::Sm2 {
            // no standard SM2 mechanism: the vendor's codes, through the raw path
            let raw = RawModule::open(&self.module).map_err(sm2_err("loading the module's SM2 functions"))?;
            let profile = self.sm2_profile(&raw, &session, &view.manufacturer).ok_or(TokenError::Sm2NeedsProfile)?;
            let key = raw.generate(session.handle(), profile, &id, label).map_err(sm2_err("generating the SM2 key pair"))?;
            let point = key.point.to_sec1().to_vec();
            return Ok(KeyView { id: hex(&id), algo, label: label.to_string(), public_key_sha256: hex(&Sha256::digest(&point)), public_key: point });
        }
        let common_pub = vec![Attribute::Token(true), Attribute::Private(false), Attribute::Verify(true), Attribute::Id(id.clone()), Attribute::Label(label.as_bytes().to_vec())];
        let common_priv = vec![
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
            Attribute::Id(id.clone()),
            Attribute::Label(label.as_bytes().to_vec()),
        ];
        let (mechanism, mut pub_t) = match algo {
            Algo::Rsa2048 => (Mechanism::RsaPkcsKeyPairGen, vec![Attribute::ModulusBits(2048.into()), Attribute::PublicExponent(vec![1, 0, 1])]),
            Algo::EcP256 => (Mechanism::EccKeyPairGen, vec![Attribute::EcParams(P256_PARAMS.to_vec())]),
            Algo::Sm2 => return Err(TokenError::Sm2NeedsProfile),
        };
        pub_t.extend(common_pub);
        let (public, _private) = session.generate_key_pair(&mechanism, &pub_t, &common_priv).map_err(device("generating the key pair"))?;
        let public_key = public_key_bits(&session, public, algo)?;
        Ok(KeyView { id: hex(&id), algo, label: label.to_string(), public_key_sha256: hex(&Sha256::digest(&public_key)), public_key })
    }

    fn keys_on(&self, session: &Session) -> Result<Vec<KeyView>, TokenError> {
        let handles = session.find_objects(&[Attribute::Class(ObjectClass::PUBLIC_KEY)]).map_err(device("listing keys"))?;
        let mut out = Vec::new();
        let mut labels = std::collections::BTreeMap::new();
        for h in handles {
            let attrs = session.get_attributes(h, &[AttributeType::Id, AttributeType::Label]).map_err(device("reading a key"))?;
            let (mut id, mut label) = (Vec::new(), String::new());
            for a in attrs {
                match a {
                    Attribute::Id(v) => id = v,
                    Attribute::Label(v) => label = String::from_utf8_lossy(&v).into_owned(),
                    _ => {}
                }
            }
            labels.insert(id.clone(), label.clone());
            // a vendor's key type below 0x80000000 (an SM2 key) is not one cryptoki reads: such
            // keys are listed through the profile below
            let kind = session.get_attributes(h, &[AttributeType::KeyType]).ok().and_then(|a| {
                a.into_iter().find_map(|a| match a {
                    Attribute::KeyType(k) => Some(k),
                    _ => None,
                })
            });
            let algo = match kind {
                Some(KeyType::RSA) => Algo::Rsa2048,
                Some(KeyType::EC) => Algo::EcP256,
                _ => continue,
            };
            let public_key = public_key_bits(session, h, algo)?;
            out.push(KeyView { id: hex(&id), algo, label, public_key_sha256: hex(&Sha256::digest(&public_key)), public_key });
        }
        // SM2 keys of a vendor profile the module offers (a module the raw path cannot load has
        // none: its other keys are listed all the same)
        if let Ok(raw) = RawModule::open(&self.module)
            && let Some(profile) = self.sm2_profile(&raw, session, &self.manufacturer_of(session))
        {
            for (id, key) in raw.sm2_keys(session.handle(), profile).map_err(sm2_err("listing SM2 keys"))? {
                if out.iter().any(|k| k.id == hex(&id)) {
                    continue;
                }
                let point = key.point.to_sec1().to_vec();
                let label = labels.get(&id).cloned().unwrap_or_default();
                out.push(KeyView { id: hex(&id), algo: Algo::Sm2, label, public_key_sha256: hex(&Sha256::digest(&point)), public_key: point });
            }
        }
        Ok(out)
    }

    fn private_key(&self, session: &Session, id: &[u8]) -> Result<ObjectHandle, TokenError> {
        session
            .find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY), Attribute::Id(id.to_vec())])
            .map_err(device("finding the key"))?
            .into_iter()
            .next()
            .ok_or_else(|| TokenError::NoKey { id: hex(id) })
    }

    /// A PKCS#10 request for key `key_id` (hex), signed on the token; PEM. With `challenge`
    /// (an RA's, SCEP), it carries the challengePassword attribute (RSA and P-256 only).
    pub(crate) fn csr(&self, sel: &TokenSel, pin: &Pin, key_id: &str, subject: &Subject, distid: &certdesk_gm::DistId, challenge: Option<&str>) -> Result<String, TokenError> {
        let (_, view, session) = self.user_session(sel, pin)?;
        let id = unhex(key_id).ok_or_else(|| TokenError::NoKey { id: key_id.to_string() })?;
        let key = self.keys_on(&session)?.into_iter().find(|k| k.id == hex(&id)).ok_or_else(|| TokenError::NoKey { id: key_id.to_string() })?;
        if key.algo == Algo::Sm2 {
            if challenge.is_some() {
                return Err(super::ONLINE_NOT_FOR_SM2);
            }
            let raw = RawModule::open(&self.module).map_err(sm2_err("loading the module's SM2 functions"))?;
            let profile = self.sm2_profile(&raw, &session, &view.manufacturer).ok_or(TokenError::Sm2NeedsProfile)?;
            let on_token = raw.find_key(session.handle(), &id).map_err(sm2_err("finding the SM2 key"))?;
            let name = super::skf::subject_name(subject)?;
            let request = certdesk_gm::build_request(&name, &on_token.point, distid, &raw.signer(session.handle(), &on_token, profile))?;
            return Ok(request.to_pem());
        }
        let private = self.private_key(&session, &id)?;
        let signer = TokenSigner { session: &session, key: private, algo: key.algo, public_der: rsa_or_ec_der(&key) };
        let mut params = rcgen::CertificateParams::default();
        let mut dn = rcgen::DistinguishedName::new();
        dn.push(
            rcgen::DnType::CountryName,
            rcgen::DnValue::PrintableString(subject.country.clone().try_into().map_err(|_| TokenError::device("making the request", DeviceProblem::CountryNotTwoLetters))?),
        );
        if let Some(o) = &subject.organization {
            dn.push(rcgen::DnType::OrganizationName, rcgen::DnValue::Utf8String(o.clone()));
        }
        if let Some(ou) = &subject.organizational_unit {
            dn.push(rcgen::DnType::OrganizationalUnitName, rcgen::DnValue::Utf8String(ou.clone()));
        }
        if let Some(sn) = &subject.serial_number {
            dn.push(
                rcgen::DnType::CustomDnType(vec![2, 5, 4, 5]),
                rcgen::DnValue::PrintableString(sn.clone().try_into().map_err(|_| TokenError::device("making the request", DeviceProblem::SerialNumberNotPrintable))?),
            );
        }
        dn.push(rcgen::DnType::CommonName, rcgen::DnValue::Utf8String(subject.common_name.clone()));
        params.distinguished_name = dn;
        let attributes = match challenge {
            // PKCS#9 challengePassword: SET { UTF8String } (RFC 2985 §5.4.1; SCEP RFC 8894 §2.2)
            Some(c) => vec![rcgen::Attribute { oid: &[1, 2, 840, 113549, 1, 9, 7], values: der_set_of_utf8(c) }],
            None => Vec::new(),
        };
        let csr = params.serialize_request_with_attributes(&signer, attributes).map_err(|e| TokenError::device("making the request", DeviceProblem::Request(e)))?;
        csr.pem().map_err(|e| TokenError::device("making the request", DeviceProblem::Request(e)))
    }

    /// The signature of the key whose public key is `cert`'s over `message` (#31, staff keys),
    /// after the user PIN: RSA `CKM_SHA256_RSA_PKCS` (the raw block), P-256 `CKM_ECDSA` over
    /// SHA-256 (DER), SM2 through the vendor profile over e = SM3(Z ‖ M) (DER).
    pub(crate) fn sign_as(&self, sel: &TokenSel, pin: &Pin, cert: &ParsedCert, message: &[u8], distid: &certdesk_gm::DistId) -> Result<Vec<u8>, TokenError> {
        let (_, view, session) = self.user_session(sel, pin)?;
        let keys = self.keys_on(&session)?;
        let key = keys.iter().find(|k| k.public_key == cert.public_key).ok_or_else(|| TokenError::ForeignCertificate { subject: cert.subject.clone() })?;
        let id = unhex(&key.id).unwrap_or_default();
        match key.algo {
            Algo::Sm2 => {
                let raw = RawModule::open(&self.module).map_err(sm2_err("loading the module's SM2 functions"))?;
                let profile = self.sm2_profile(&raw, &session, &view.manufacturer).ok_or(TokenError::Sm2NeedsProfile)?;
                let on_token = raw.find_key(session.handle(), &id).map_err(sm2_err("finding the SM2 key"))?;
                let e = certdesk_gm::sm3_e(&on_token.point, distid, message);
                let signature = certdesk_gm::Sm2PrehashSigner::sign_e(&raw.signer(session.handle(), &on_token, profile), &e).map_err(sm2_err("signing"))?;
                certdesk_gm::normalise_signature(&signature).map_err(|e| TokenError::device("signing", DeviceProblem::SignatureFormat(e)))
            }
            Algo::Rsa2048 => {
                let private = self.private_key(&session, &id)?;
                session.sign(&Mechanism::Sha256RsaPkcs, private, message).map_err(device("signing"))
            }
            Algo::EcP256 => {
                let private = self.private_key(&session, &id)?;
                let rs = session.sign(&Mechanism::Ecdsa, private, &Sha256::digest(message)).map_err(device("signing"))?;
                let (r, s) = rs.split_at(rs.len() / 2);
                let mut body = der_uint(r);
                body.extend(der_uint(s));
                Ok(der_tlv(0x30, &body))
            }
        }
    }

    /// Writes the issued certificate with its key's CKA_ID, and the chain; refuses a
    /// certificate whose public key is not on the token. Reads everything back.
    pub(crate) fn write_cert(&self, sel: &TokenSel, pin: &Pin, leaf: ParsedCert, chain: Vec<ParsedCert>) -> Result<CertView, TokenError> {
        let (_, _, session) = self.user_session(sel, pin)?;
        let keys = self.keys_on(&session)?;
        let key = keys.iter().find(|k| k.public_key == leaf.public_key).ok_or_else(|| TokenError::ForeignCertificate { subject: leaf.subject.clone() })?;
        let id = unhex(&key.id).unwrap_or_default();
        // a certificate already there for this key is replaced (renewal on the same key)
        for old in session.find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE), Attribute::Id(id.clone())]).map_err(device("finding certificates"))? {
            session.destroy_object(old).map_err(device("replacing the certificate"))?;
        }
        let label = format!("{} {}", key.label, leaf.serial_hex);
        write_cert_object(&session, &leaf, &id, &label)?;
        for (i, ca) in chain.iter().enumerate() {
            let exists = !session.find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE), Attribute::Value(ca.der.clone())]).map_err(device("finding certificates"))?.is_empty();
            if !exists {
                write_cert_object(&session, ca, &[], &format!("CA {}", i + 1))?;
            }
        }
        // read back and compare
        let back = session.find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE), Attribute::Id(id.clone())]).map_err(device("reading back"))?;
        let value = back.first().map(|h| read_value(&session, *h)).transpose()?.unwrap_or_default();
        if value != leaf.der {
            return Err(TokenError::Verify { what: ReadBack::Certificate });
        }
        for ca in &chain {
            if session.find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE), Attribute::Value(ca.der.clone())]).map_err(device("reading back"))?.is_empty() {
                return Err(TokenError::Verify { what: ReadBack::CaCertificate { subject: ca.subject.clone() } });
            }
        }
        Ok(CertView::of(&leaf, &key.id, &label, CertUsage::Sign, true))
    }

    /// Writes (replacing) the seal image as a CKO_DATA object and reads it back.
    pub(crate) fn write_data(&self, sel: &TokenSel, pin: &Pin, application: &str, label: &str, value: &[u8]) -> Result<DataView, TokenError> {
        let (_, _, session) = self.user_session(sel, pin)?;
        let find = [Attribute::Class(ObjectClass::DATA), Attribute::Application(application.as_bytes().to_vec()), Attribute::Label(label.as_bytes().to_vec())];
        for old in session.find_objects(&find).map_err(device("finding data objects"))? {
            session.destroy_object(old).map_err(device("replacing the data object"))?;
        }
        let mut t = find.to_vec();
        t.extend([Attribute::Token(true), Attribute::Private(false), Attribute::Modifiable(true), Attribute::Value(value.to_vec())]);
        session.create_object(&t).map_err(device("writing the data object"))?;
        let back = session.find_objects(&find).map_err(device("reading back"))?;
        let read = back.first().map(|h| read_value(&session, *h)).transpose()?.unwrap_or_default();
        if read != value {
            return Err(TokenError::Verify { what: ReadBack::DataObject { label: label.to_string() } });
        }
        Ok(DataView { application: application.into(), label: label.into(), size: value.len(), sha256: hex(&Sha256::digest(value)) })
    }

    /// Everything on the token: public objects always, keys and certificates also with a PIN.
    pub(crate) fn show(&self, sel: &TokenSel, pin: Option<&Pin>) -> Result<Contents, TokenError> {
        let (slot, token) = self.find(sel)?;
        let session = self.ctx.open_ro_session(slot).map_err(device("opening a session"))?;
        if let Some(pin) = pin {
            self.login(slot, &session, UserType::User, pin)?;
        }
        let keys = self.keys_on(&session)?;
        let mut certificates = Vec::new();
        for h in session.find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)]).map_err(device("listing certificates"))? {
            let attrs = session.get_attributes(h, &[AttributeType::Id, AttributeType::Label, AttributeType::Value]).map_err(device("reading a certificate"))?;
            let (mut id, mut label, mut value) = (Vec::new(), String::new(), Vec::new());
            for a in attrs {
                match a {
                    Attribute::Id(v) => id = v,
                    Attribute::Label(v) => label = String::from_utf8_lossy(&v).into_owned(),
                    Attribute::Value(v) => value = v,
                    _ => {}
                }
            }
            let Ok(parsed) = cert::parse_many(&value) else { continue };
            let p = &parsed[0];
            let has_key = keys.iter().any(|k| k.id == hex(&id) && !id.is_empty());
            certificates.push(CertView::of(p, &hex(&id), &label, if has_key { CertUsage::Sign } else { CertUsage::Ca }, has_key));
        }
        let mut data = Vec::new();
        for h in session.find_objects(&[Attribute::Class(ObjectClass::DATA)]).map_err(device("listing data objects"))? {
            let attrs = session.get_attributes(h, &[AttributeType::Application, AttributeType::Label, AttributeType::Value]).map_err(device("reading a data object"))?;
            let (mut app, mut label, mut value) = (String::new(), String::new(), Vec::new());
            for a in attrs {
                match a {
                    Attribute::Application(v) => app = String::from_utf8_lossy(&v).into_owned(),
                    Attribute::Label(v) => label = String::from_utf8_lossy(&v).into_owned(),
                    Attribute::Value(v) => value = v,
                    _ => {}
                }
            }
            data.push(DataView { application: app, label, size: value.len(), sha256: hex(&Sha256::digest(&value)) });
        }
        Ok(Contents { token, keys, certificates, data })
    }
}

/// C_InitPIN in an SO session: a PIN the key does not accept is named as such.
fn set_user_pin(session: &Session, pin: &Pin) -> Result<(), TokenError> {
    session.init_pin(&pin.auth()).map_err(|e| match e {
        CkError::Pkcs11(RvError::PinLenRange | RvError::PinInvalid, _) => TokenError::PinRefused(PinRefusal::Pkcs11(e)),
        e => device("setting the user PIN")(e),
    })
}

fn read_value(session: &Session, h: ObjectHandle) -> Result<Vec<u8>, TokenError> {
    let attrs = session.get_attributes(h, &[AttributeType::Value]).map_err(device("reading back"))?;
    Ok(attrs.into_iter().find_map(|a| if let Attribute::Value(v) = a { Some(v) } else { None }).unwrap_or_default())
}

fn write_cert_object(session: &Session, c: &ParsedCert, id: &[u8], label: &str) -> Result<(), TokenError> {
    let mut t = vec![
        Attribute::Class(ObjectClass::CERTIFICATE),
        Attribute::CertificateType(CertificateType::X_509),
        Attribute::Token(true),
        Attribute::Private(false),
        Attribute::Label(label.as_bytes().to_vec()),
        Attribute::Subject(c.subject_der.clone()),
        Attribute::Issuer(c.issuer_der.clone()),
        Attribute::SerialNumber(c.serial_der.clone()),
        Attribute::Value(c.der.clone()),
    ];
    if !id.is_empty() {
        t.push(Attribute::Id(id.to_vec()));
    }
    session.create_object(&t).map_err(device("writing the certificate"))?;
    Ok(())
}

/// The public key bits as a certificate carries them: PKCS#1 RSAPublicKey, or the EC point.
fn public_key_bits(session: &Session, h: ObjectHandle, algo: Algo) -> Result<Vec<u8>, TokenError> {
    match algo {
        Algo::Rsa2048 => {
            let attrs = session.get_attributes(h, &[AttributeType::Modulus, AttributeType::PublicExponent]).map_err(device("reading the public key"))?;
            let (mut n, mut e) = (Vec::new(), Vec::new());
            for a in attrs {
                match a {
                    Attribute::Modulus(v) => n = v,
                    Attribute::PublicExponent(v) => e = v,
                    _ => {}
                }
            }
            let mut body = der_uint(&n);
            body.extend(der_uint(&e));
            Ok(der_tlv(0x30, &body))
        }
        Algo::EcP256 | Algo::Sm2 => {
            let attrs = session.get_attributes(h, &[AttributeType::EcPoint]).map_err(device("reading the public key"))?;
            let point = attrs.into_iter().find_map(|a| if let Attribute::EcPoint(v) = a { Some(v) } else { None }).unwrap_or_default();
            // CKA_EC_POINT is a DER OCTET STRING around the point
            match point.first() {
                Some(0x04) if point.len() > 2 && point[1] as usize == point.len() - 2 && point.len() == 67 => Ok(point[2..].to_vec()),
                _ => Ok(point),
            }
        }
    }
}

fn rsa_or_ec_der(key: &KeyView) -> Vec<u8> {
    key.public_key.clone()
}

/// rcgen's view of a key that lives on the token.
struct TokenSigner<'a> {
    session: &'a Session,
    key: ObjectHandle,
    algo: Algo,
    public_der: Vec<u8>,
}

impl rcgen::PublicKeyData for TokenSigner<'_> {
    fn der_bytes(&self) -> &[u8] {
        &self.public_der
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        match self.algo {
            Algo::Rsa2048 => &rcgen::PKCS_RSA_SHA256,
            // SM2 keys are refused by `csr` before a signer is made
            Algo::EcP256 | Algo::Sm2 => &rcgen::PKCS_ECDSA_P256_SHA256,
        }
    }
}

impl rcgen::SigningKey for TokenSigner<'_> {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let remote = |_: CkError| rcgen::Error::RemoteKeyError;
        match self.algo {
            Algo::Rsa2048 => self.session.sign(&Mechanism::Sha256RsaPkcs, self.key, msg).map_err(remote),
            Algo::Sm2 => Err(rcgen::Error::RemoteKeyError),
            Algo::EcP256 => {
                // no CKM_ECDSA_SHA256 on SoftHSM and many keys: hash here, sign the digest
                let digest = Sha256::digest(msg);
                let rs = self.session.sign(&Mechanism::Ecdsa, self.key, &digest).map_err(remote)?;
                let (r, s) = rs.split_at(rs.len() / 2);
                let mut body = der_uint(r);
                body.extend(der_uint(s));
                Ok(der_tlv(0x30, &body))
            }
        }
    }
}

/// `SET { UTF8String s }`, DER.
fn der_set_of_utf8(s: &str) -> Vec<u8> {
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let n = content.len();
        if n < 0x80 {
            out.push(n as u8);
        } else if n < 0x100 {
            out.extend([0x81, n as u8]);
        } else {
            out.extend([0x82, (n >> 8) as u8, n as u8]);
        }
        out.extend_from_slice(content);
        out
    }
    tlv(0x31, &tlv(0x0c, s.as_bytes()))
}
