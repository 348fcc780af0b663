//! SM2 over PKCS#11 with a vendor profile (`sm2_profiles`), through the module's raw function
//! list. Owns: checking that a module offers a profile's mechanisms, generating an SM2 key pair
//! on the token with the profile's key type and mechanism, reading the public point back, and
//! signing e = SM3(Z‖M) with the profile's "sign e" mechanism as a
//! [`certdesk_gm::Sm2PrehashSigner`], so `certdesk_gm::build_request` makes the request.
//!
//! Why raw: cryptoki 0.12 drops vendor mechanisms from `get_mechanism_list()` and its
//! `new_vendor_defined` refuses codes below 0x80000000 (HaiTai's), so the calls here go to the
//! module's `CK_FUNCTION_LIST` directly. The sessions are cryptoki's: [`RawModule::open`] loads
//! the same module file again, which the dynamic loader answers with the library already loaded
//! (initialised by the `Keys` context), so `Session::handle()` is valid here. Opening and
//! logging in stay with cryptoki; this module never sees a PIN.

// Calls through the C function list of a PKCS#11 module: unsafe by nature, confined here.
#![allow(unsafe_code)]

use crate::sm2_profiles::Profile;
use certdesk_gm::{KeyError, SignatureFormatError, Sm2Point, Sm2PrehashSigner, normalise_signature};
use cryptoki_sys::*;
use std::ffi::c_void;
use std::path::Path;

/// The SM2 curve OID 1.2.156.10197.1.301 as DER: the CKA_EC_PARAMS of an SM2 key.
pub const SM2_EC_PARAMS: &[u8] = &[0x06, 0x08, 0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x82, 0x2D];

/// Why an SM2 operation through a vendor profile failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum P11Sm2Error {
    #[error("cannot load the PKCS#11 module {path}")]
    Load {
        path: String,
        #[source]
        source: libloading::Error,
    },
    #[error("the PKCS#11 module has no {function}")]
    MissingFunction { function: &'static str },
    #[error("the module does not offer the SM2 profile {profile:?}: no {missing} (ask the vendor which profile its key uses, or set another)")]
    ProfileMismatch { profile: String, missing: String },
    #[error("the token refused {op}: {function} returned 0x{rv:08X}")]
    Call { op: &'static str, function: &'static str, rv: CK_RV },
    #[error("no SM2 key with CKA_ID {id} on the token")]
    NoKey { id: String },
    #[error("the token's CKA_EC_POINT of {len} bytes is neither a DER OCTET STRING nor 04‖X‖Y")]
    PointEncoding { len: usize },
    #[error("the token's public key")]
    Point(#[from] KeyError),
    #[error("the token's signature")]
    Signature(#[from] SignatureFormatError),
}

impl P11Sm2Error {
    /// The module's return value, where the module answered with one (CKR_PIN_LOCKED,
    /// CKR_DEVICE_REMOVED, …): for the caller's own mapping.
    pub fn rv(&self) -> Option<CK_RV> {
        match self {
            P11Sm2Error::Call { rv, .. } => Some(*rv),
            _ => None,
        }
    }
}

/// A module's function list, for the calls cryptoki cannot make.
pub struct RawModule {
    list: CK_FUNCTION_LIST_PTR,
    _lib: Option<libloading::Library>,
}

impl RawModule {
    /// The function list of `module`: the same file the `Keys` context loaded (so the same
    /// library instance, already initialised). Does not call C_Initialize.
    pub fn open(module: &Path) -> Result<RawModule, P11Sm2Error> {
        let path = module.display().to_string();
        // SAFETY: loading a PKCS#11 module and calling its C_GetFunctionList is the documented
        // use; the module was already loaded and initialised by cryptoki, so no initialiser runs
        // twice. The list pointer stays valid while `_lib` keeps the library loaded.
        unsafe {
            let lib = libloading::Library::new(module).map_err(|source| P11Sm2Error::Load { path: path.clone(), source })?;
            let get: libloading::Symbol<unsafe extern "C" fn(CK_FUNCTION_LIST_PTR_PTR) -> CK_RV> =
                lib.get(b"C_GetFunctionList").map_err(|source| P11Sm2Error::Load { path: path.clone(), source })?;
            let mut list: CK_FUNCTION_LIST_PTR = std::ptr::null_mut();
            let rv = get(&mut list);
            if rv != CKR_OK || list.is_null() {
                return Err(P11Sm2Error::Call { op: "listing its functions", function: "C_GetFunctionList", rv });
            }
            Ok(RawModule { list, _lib: Some(lib) })
        }
    }

    /// A function list the caller already holds.
    ///
    /// # Safety
    /// `list` must be a module's `CK_FUNCTION_LIST` that stays valid (its library loaded) for
    /// the life of the returned value.
    pub unsafe fn from_function_list(list: CK_FUNCTION_LIST_PTR) -> RawModule {
        RawModule { list, _lib: None }
    }

    fn f(&self) -> &CK_FUNCTION_LIST {
        // SAFETY: `list` is non-null and valid for our life (checked in `open`, promised in
        // `from_function_list`); a function list is never written after C_GetFunctionList.
        unsafe { &*self.list }
    }

    /// The slot a session is on.
    pub fn slot_of(&self, session: CK_SESSION_HANDLE) -> Result<CK_SLOT_ID, P11Sm2Error> {
        let get = self.f().C_GetSessionInfo.ok_or(P11Sm2Error::MissingFunction { function: "C_GetSessionInfo" })?;
        // SAFETY: CK_SESSION_INFO is plain data; zeroed is a valid value
        let mut info: CK_SESSION_INFO = unsafe { std::mem::zeroed() };
        // SAFETY: a valid out-pointer
        check(unsafe { get(session, &mut info) }, "reading the session", "C_GetSessionInfo")?;
        Ok(info.slotID)
    }

    /// Every mechanism the slot's token offers, vendor codes included.
    pub fn mechanisms(&self, slot: CK_SLOT_ID) -> Result<Vec<CK_MECHANISM_TYPE>, P11Sm2Error> {
        let get = self.f().C_GetMechanismList.ok_or(P11Sm2Error::MissingFunction { function: "C_GetMechanismList" })?;
        let mut count: CK_ULONG = 0;
        // SAFETY: the length query: null list, valid count pointer
        check(unsafe { get(slot, std::ptr::null_mut(), &mut count) }, "listing mechanisms", "C_GetMechanismList")?;
        let mut list = vec![0 as CK_MECHANISM_TYPE; count as usize];
        // SAFETY: a buffer of `count` entries
        check(unsafe { get(slot, list.as_mut_ptr(), &mut count) }, "listing mechanisms", "C_GetMechanismList")?;
        list.truncate(count as usize);
        Ok(list)
    }

    /// Refuses a profile whose key generation or "sign e" mechanism the session's token lacks.
    pub fn check_profile(&self, session: CK_SESSION_HANDLE, profile: &Profile) -> Result<(), P11Sm2Error> {
        let offered = self.mechanisms(self.slot_of(session)?)?;
        let missing: Vec<String> = [("key generation", profile.keygen), ("sign e", profile.sign_e)]
            .into_iter()
            .filter(|(_, code)| !offered.contains(&(*code as CK_MECHANISM_TYPE)))
            .map(|(what, code)| format!("{what} mechanism 0x{code:08X}"))
            .collect();
        if missing.is_empty() { Ok(()) } else { Err(P11Sm2Error::ProfileMismatch { profile: profile.name.clone(), missing: missing.join(", ") }) }
    }

    /// Generates an SM2 key pair on the token (token object, private, sensitive,
    /// non-extractable, for signing; CKA_EC_PARAMS the SM2 curve) and reads its public point.
    /// The session must be a logged-in read-write user session.
    pub fn generate(&self, session: CK_SESSION_HANDLE, profile: &Profile, id: &[u8], label: &str) -> Result<Sm2KeyOnToken, P11Sm2Error> {
        self.check_profile(session, profile)?;
        let gen_fn = self.f().C_GenerateKeyPair.ok_or(P11Sm2Error::MissingFunction { function: "C_GenerateKeyPair" })?;
        let (yes, no): (CK_BBOOL, CK_BBOOL) = (CK_TRUE, CK_FALSE);
        let key_type: CK_KEY_TYPE = profile.key_type as CK_KEY_TYPE;
        let mut public = vec![
            attr(CKA_TOKEN, &yes),
            attr(CKA_PRIVATE, &no),
            attr(CKA_VERIFY, &yes),
            attr(CKA_KEY_TYPE, &key_type),
            attr_bytes(CKA_EC_PARAMS, SM2_EC_PARAMS),
            attr_bytes(CKA_ID, id),
            attr_bytes(CKA_LABEL, label.as_bytes()),
        ];
        let mut private = vec![
            attr(CKA_TOKEN, &yes),
            attr(CKA_PRIVATE, &yes),
            attr(CKA_SENSITIVE, &yes),
            attr(CKA_EXTRACTABLE, &no),
            attr(CKA_SIGN, &yes),
            attr(CKA_KEY_TYPE, &key_type),
            attr_bytes(CKA_ID, id),
            attr_bytes(CKA_LABEL, label.as_bytes()),
        ];
        let mut mechanism = CK_MECHANISM { mechanism: profile.keygen as CK_MECHANISM_TYPE, pParameter: std::ptr::null_mut(), ulParameterLen: 0 };
        let (mut public_key, mut private_key): (CK_OBJECT_HANDLE, CK_OBJECT_HANDLE) = (CK_INVALID_HANDLE, CK_INVALID_HANDLE);
        // SAFETY: the templates point at locals and slices that outlive the call; the module
        // only reads them and writes the two handles.
        let rv = unsafe {
            gen_fn(session, &mut mechanism, public.as_mut_ptr(), public.len() as CK_ULONG, private.as_mut_ptr(), private.len() as CK_ULONG, &mut public_key, &mut private_key)
        };
        if rv == CKR_MECHANISM_INVALID {
            return Err(P11Sm2Error::ProfileMismatch { profile: profile.name.clone(), missing: format!("key generation mechanism 0x{:08X}", profile.keygen) });
        }
        check(rv, "generating the SM2 key pair", "C_GenerateKeyPair")?;
        let point = self.public_point(session, public_key)?;
        Ok(Sm2KeyOnToken { public: public_key, private: private_key, point })
    }

    /// The SM2 key pair with CKA_ID `id` (its public key object and private key object).
    pub fn find_key(&self, session: CK_SESSION_HANDLE, id: &[u8]) -> Result<Sm2KeyOnToken, P11Sm2Error> {
        let no_key = || P11Sm2Error::NoKey { id: id.iter().map(|b| format!("{b:02x}")).collect() };
        let public = self.find_one(session, CKO_PUBLIC_KEY, id)?.ok_or_else(no_key)?;
        let private = self.find_one(session, CKO_PRIVATE_KEY, id)?.ok_or_else(no_key)?;
        Ok(Sm2KeyOnToken { public, private, point: self.public_point(session, public)? })
    }

    /// Every SM2 key pair of `profile`'s key type on the token, with its CKA_ID. (cryptoki's
    /// `get_attributes` fails with `NotSupported` on a vendor CKA_KEY_TYPE: read it here.)
    pub fn sm2_keys(&self, session: CK_SESSION_HANDLE, profile: &Profile) -> Result<Vec<(Vec<u8>, Sm2KeyOnToken)>, P11Sm2Error> {
        let class: CK_OBJECT_CLASS = CKO_PUBLIC_KEY;
        let mut out = Vec::new();
        for public in self.find_all(session, &mut [attr(CKA_CLASS, &class)])? {
            if self.key_type(session, public)? != profile.key_type as CK_KEY_TYPE {
                continue;
            }
            let id = self.attribute(session, public, CKA_ID, "reading a key")?;
            if let Ok(key) = self.find_key(session, &id) {
                out.push((id, key));
            }
        }
        Ok(out)
    }

    /// An object's CKA_KEY_TYPE, vendor codes included.
    pub fn key_type(&self, session: CK_SESSION_HANDLE, object: CK_OBJECT_HANDLE) -> Result<CK_KEY_TYPE, P11Sm2Error> {
        let bytes = self.attribute(session, object, CKA_KEY_TYPE, "reading a key")?;
        let bytes: [u8; std::mem::size_of::<CK_KEY_TYPE>()] =
            bytes.as_slice().try_into().map_err(|_| P11Sm2Error::Call { op: "reading a key", function: "C_GetAttributeValue", rv: CKR_ATTRIBUTE_VALUE_INVALID })?;
        Ok(CK_KEY_TYPE::from_ne_bytes(bytes))
    }

    fn find_one(&self, session: CK_SESSION_HANDLE, class: CK_OBJECT_CLASS, id: &[u8]) -> Result<Option<CK_OBJECT_HANDLE>, P11Sm2Error> {
        let found = self.find_all(session, &mut [attr(CKA_CLASS, &class), attr_bytes(CKA_ID, id)])?;
        Ok(found.first().copied())
    }

    fn find_all(&self, session: CK_SESSION_HANDLE, template: &mut [CK_ATTRIBUTE]) -> Result<Vec<CK_OBJECT_HANDLE>, P11Sm2Error> {
        let f = self.f();
        let init = f.C_FindObjectsInit.ok_or(P11Sm2Error::MissingFunction { function: "C_FindObjectsInit" })?;
        let find = f.C_FindObjects.ok_or(P11Sm2Error::MissingFunction { function: "C_FindObjects" })?;
        let fin = f.C_FindObjectsFinal.ok_or(P11Sm2Error::MissingFunction { function: "C_FindObjectsFinal" })?;
        // SAFETY: the template outlives the call
        check(unsafe { init(session, template.as_mut_ptr(), template.len() as CK_ULONG) }, "finding keys", "C_FindObjectsInit")?;
        let mut found = Vec::new();
        let rv = loop {
            let mut batch = [CK_INVALID_HANDLE; 16];
            let mut count: CK_ULONG = 0;
            // SAFETY: room for `batch.len()` handles
            let rv = unsafe { find(session, batch.as_mut_ptr(), batch.len() as CK_ULONG, &mut count) };
            if rv != CKR_OK || count == 0 {
                break rv;
            }
            found.extend_from_slice(&batch[..(count as usize).min(batch.len())]);
        };
        // SAFETY: ends the search begun above, whatever C_FindObjects said
        let rv_final = unsafe { fin(session) };
        check(rv, "finding keys", "C_FindObjects")?;
        check(rv_final, "finding keys", "C_FindObjectsFinal")?;
        Ok(found)
    }

    /// The public point of an SM2 public key object: CKA_EC_POINT as a DER OCTET STRING around
    /// 04‖X‖Y, or 04‖X‖Y itself (both occur).
    pub fn public_point(&self, session: CK_SESSION_HANDLE, public_key: CK_OBJECT_HANDLE) -> Result<Sm2Point, P11Sm2Error> {
        let bytes = self.attribute(session, public_key, CKA_EC_POINT, "reading the public key")?;
        let sec1 = match bytes.as_slice() {
            [0x04, 0x41, rest @ ..] if rest.len() == 65 => rest,
            [0x04, ..] if bytes.len() == 65 => &bytes[..],
            _ => return Err(P11Sm2Error::PointEncoding { len: bytes.len() }),
        };
        Ok(Sm2Point::from_sec1(sec1, "token CKA_EC_POINT")?)
    }

    /// One attribute's value (two-call protocol).
    fn attribute(&self, session: CK_SESSION_HANDLE, object: CK_OBJECT_HANDLE, kind: CK_ATTRIBUTE_TYPE, op: &'static str) -> Result<Vec<u8>, P11Sm2Error> {
        let get = self.f().C_GetAttributeValue.ok_or(P11Sm2Error::MissingFunction { function: "C_GetAttributeValue" })?;
        let mut a = CK_ATTRIBUTE { type_: kind, pValue: std::ptr::null_mut(), ulValueLen: 0 };
        // SAFETY: the length query: null value pointer
        check(unsafe { get(session, object, &mut a, 1) }, op, "C_GetAttributeValue")?;
        let mut value = vec![0u8; a.ulValueLen as usize];
        a.pValue = value.as_mut_ptr().cast();
        // SAFETY: a buffer of the length the module asked for
        check(unsafe { get(session, object, &mut a, 1) }, op, "C_GetAttributeValue")?;
        value.truncate(a.ulValueLen as usize);
        Ok(value)
    }

    /// A signer over `key` in `session` with `profile`'s "sign e" mechanism.
    pub fn signer<'a>(&'a self, session: CK_SESSION_HANDLE, key: &Sm2KeyOnToken, profile: &'a Profile) -> P11Sm2Signer<'a> {
        P11Sm2Signer { module: self, session, private_key: key.private, profile }
    }

    fn sign_e(&self, session: CK_SESSION_HANDLE, key: CK_OBJECT_HANDLE, profile: &Profile, e: &[u8; 32]) -> Result<Vec<u8>, P11Sm2Error> {
        let f = self.f();
        let init = f.C_SignInit.ok_or(P11Sm2Error::MissingFunction { function: "C_SignInit" })?;
        let sign = f.C_Sign.ok_or(P11Sm2Error::MissingFunction { function: "C_Sign" })?;
        let mut mechanism = CK_MECHANISM { mechanism: profile.sign_e as CK_MECHANISM_TYPE, pParameter: std::ptr::null_mut(), ulParameterLen: 0 };
        // SAFETY: the mechanism outlives the call
        let rv = unsafe { init(session, &mut mechanism, key) };
        if rv == CKR_MECHANISM_INVALID {
            return Err(P11Sm2Error::ProfileMismatch { profile: profile.name.clone(), missing: format!("sign e mechanism 0x{:08X}", profile.sign_e) });
        }
        check(rv, "signing", "C_SignInit")?;
        let mut data = *e;
        // room for any SM2 signature (DER is at most 72 bytes): one call, no length query
        let mut out = vec![0u8; 256];
        let mut len: CK_ULONG = out.len() as CK_ULONG;
        // SAFETY: 32 bytes in, a buffer of `len` bytes out
        check(unsafe { sign(session, data.as_mut_ptr(), data.len() as CK_ULONG, out.as_mut_ptr(), &mut len) }, "signing", "C_Sign")?;
        out.truncate(len as usize);
        Ok(normalise_signature(&out)?)
    }
}

/// An SM2 key pair on the token: its two object handles (valid in the session that found or
/// made them) and its public point.
#[derive(Debug, Clone, Copy)]
pub struct Sm2KeyOnToken {
    pub public: CK_OBJECT_HANDLE,
    pub private: CK_OBJECT_HANDLE,
    pub point: Sm2Point,
}

/// Signs e on the token with a profile's "sign e" mechanism; answers DER whatever the module
/// returned (raw r‖s is normalised).
pub struct P11Sm2Signer<'a> {
    module: &'a RawModule,
    session: CK_SESSION_HANDLE,
    private_key: CK_OBJECT_HANDLE,
    profile: &'a Profile,
}

impl Sm2PrehashSigner for P11Sm2Signer<'_> {
    type Error = P11Sm2Error;

    fn sign_e(&self, e: &[u8; 32]) -> Result<Vec<u8>, P11Sm2Error> {
        self.module.sign_e(self.session, self.private_key, self.profile, e)
    }
}

fn check(rv: CK_RV, op: &'static str, function: &'static str) -> Result<(), P11Sm2Error> {
    if rv == CKR_OK { Ok(()) } else { Err(P11Sm2Error::Call { op, function, rv }) }
}

/// An attribute pointing at a plain value; the value must outlive the call it is used in.
fn attr<T>(kind: CK_ATTRIBUTE_TYPE, value: &T) -> CK_ATTRIBUTE {
    CK_ATTRIBUTE { type_: kind, pValue: value as *const T as *mut c_void, ulValueLen: std::mem::size_of::<T>() as CK_ULONG }
}

fn attr_bytes(kind: CK_ATTRIBUTE_TYPE, value: &[u8]) -> CK_ATTRIBUTE {
    CK_ATTRIBUTE { type_: kind, pValue: value.as_ptr() as *mut c_void, ulValueLen: value.len() as CK_ULONG }
}
