//! A PKCS#11 module for tests that behaves like the USB keys at a CA counter, on top of
//! SoftHSM (which never locks a PIN, it only sets COUNT_LOW). It forwards every call to SoftHSM
//! (`CERTDESK_SHIM_TARGET`, default Debian's libsofthsm2.so) and keeps its own count of wrong
//! user PINs per token serial in a small state file (`CERTDESK_SHIM_STATE`), so that separate
//! processes see the same count: COUNT_LOW after a wrong PIN, FINAL_TRY when one try is left,
//! CKR_PIN_LOCKED once ten wrong PINs were given, until the SO sets a new PIN (C_InitPIN) or
//! the token is re-initialised. `CERTDESK_SHIM_SLOW_MS` makes initialising a token and
//! generating a key pair take that long more, as on a real key (tens of seconds for RSA), so the
//! desk's progress can be seen.
//!
//! `CERTDESK_SHIM_SM2_PROFILE=<name>` makes it play a vendor's SM2 profile from
//! `assets/pkcs11-sm2-profiles.toml` (`tass`, `haitai`, `certdesk-test`, …; read on each call):
//! its key-generation and "sign e" mechanisms are listed and described, C_GenerateKeyPair with
//! the profile's mechanism makes the scalar here (RustCrypto `sm2`) and stores both objects in
//! SoftHSM as CKK_EC with the SM2 curve OID, C_SignInit/C_Sign with the profile's mechanism sign
//! the given 32-byte e with real SM2 (raw r‖s or DER as the profile says). SoftHSM holds the
//! scalar as a readable CKA_VALUE (the shim must read it to sign); callers are told the key is
//! sensitive and never extractable, get CKR_ATTRIBUTE_SENSITIVE for CKA_VALUE and
//! CKR_KEY_UNEXTRACTABLE for C_WrapKey, and see the profile's key type. Only the tests load it; the product's code drives it through
//! the same cryptoki calls as any vendor module.

#![allow(non_snake_case)]
// the one crate whose job is unsafe code: a C ABI module handing raw pointers to and from SoftHSM
#![allow(unsafe_code, clippy::not_unsafe_ptr_arg_deref)]

use cryptoki_sys::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

/// Wrong PINs that lock a key (seed 001: 输入错误10次将会锁定).
pub const MAX_TRIES: u64 = 10;

struct Real {
    _lib: libloading::Library,
    list: &'static CK_FUNCTION_LIST,
}

// SAFETY: the function list is immutable after C_GetFunctionList; SoftHSM is thread-safe.
unsafe impl Send for Real {}
unsafe impl Sync for Real {}

static REAL: OnceLock<Option<Real>> = OnceLock::new();
static OURS: OnceLock<usize> = OnceLock::new();
static STATE_LOCK: Mutex<()> = Mutex::new(());

fn real() -> Option<&'static CK_FUNCTION_LIST> {
    REAL.get_or_init(|| {
        let path = std::env::var_os("CERTDESK_SHIM_TARGET").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/lib/softhsm/libsofthsm2.so"));
        // SAFETY: loading a PKCS#11 module and calling its entry point is the documented use
        unsafe {
            let lib = libloading::Library::new(&path).ok()?;
            let get: libloading::Symbol<unsafe extern "C" fn(CK_FUNCTION_LIST_PTR_PTR) -> CK_RV> = lib.get(b"C_GetFunctionList").ok()?;
            let mut list: CK_FUNCTION_LIST_PTR = std::ptr::null_mut();
            if get(&mut list) != CKR_OK || list.is_null() {
                return None;
            }
            Some(Real { list: &*list, _lib: lib })
        }
    })
    .as_ref()
    .map(|r| r.list)
}

fn state_file() -> PathBuf {
    std::env::var_os("CERTDESK_SHIM_STATE").map(PathBuf::from).unwrap_or_else(|| std::env::temp_dir().join("certdesk-pkcs11-shim.state"))
}

fn read_state() -> BTreeMap<String, u64> {
    std::fs::read_to_string(state_file()).unwrap_or_default().lines().filter_map(|l| l.split_once(' ')).filter_map(|(s, n)| Some((s.to_string(), n.parse().ok()?))).collect()
}

fn write_state(state: &BTreeMap<String, u64>) {
    let text: String = state.iter().map(|(s, n)| format!("{s} {n}\n")).collect();
    let _ = std::fs::write(state_file(), text);
}

fn failures(serial: &str) -> u64 {
    let _g = STATE_LOCK.lock();
    read_state().get(serial).copied().unwrap_or(0)
}

fn set_failures(serial: &str, n: u64) {
    let _g = STATE_LOCK.lock();
    let mut s = read_state();
    s.insert(serial.to_string(), n);
    write_state(&s);
}

fn serial_of_slot(slot: CK_SLOT_ID) -> Option<String> {
    let r = real()?;
    let mut info: CK_TOKEN_INFO = unsafe { std::mem::zeroed() };
    // SAFETY: forwarding to the real module with a valid out-pointer
    let rv = unsafe { (r.C_GetTokenInfo?)(slot, &mut info) };
    (rv == CKR_OK).then(|| String::from_utf8_lossy(&info.serialNumber).trim().to_string())
}

fn serial_of_session(h: CK_SESSION_HANDLE) -> Option<String> {
    let r = real()?;
    let mut info: CK_SESSION_INFO = unsafe { std::mem::zeroed() };
    // SAFETY: as above
    let rv = unsafe { (r.C_GetSessionInfo?)(h, &mut info) };
    if rv != CKR_OK {
        return None;
    }
    serial_of_slot(info.slotID)
}

extern "C" fn shim_get_token_info(slot: CK_SLOT_ID, info: CK_TOKEN_INFO_PTR) -> CK_RV {
    let Some(r) = real() else { return CKR_GENERAL_ERROR };
    // SAFETY: forwarding the caller's pointer
    let rv = unsafe { (r.C_GetTokenInfo.expect("C_GetTokenInfo"))(slot, info) };
    if rv == CKR_OK && !info.is_null() {
        // SAFETY: the real module filled it
        let info = unsafe { &mut *info };
        let serial = String::from_utf8_lossy(&info.serialNumber).trim().to_string();
        let n = failures(&serial);
        info.flags &= !(CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED);
        if n > 0 {
            info.flags |= CKF_USER_PIN_COUNT_LOW;
        }
        if n + 1 == MAX_TRIES {
            info.flags |= CKF_USER_PIN_FINAL_TRY;
        }
        if n >= MAX_TRIES {
            info.flags |= CKF_USER_PIN_LOCKED;
        }
        let model = b"certdesk shim   ";
        info.model.copy_from_slice(model);
    }
    rv
}

extern "C" fn shim_login(h: CK_SESSION_HANDLE, user: CK_USER_TYPE, pin: CK_UTF8CHAR_PTR, len: CK_ULONG) -> CK_RV {
    let Some(r) = real() else { return CKR_GENERAL_ERROR };
    let login = r.C_Login.expect("C_Login");
    if user != CKU_USER {
        // SAFETY: forwarding
        return unsafe { login(h, user, pin, len) };
    }
    let Some(serial) = serial_of_session(h) else { return unsafe { login(h, user, pin, len) } };
    let n = failures(&serial);
    if n >= MAX_TRIES {
        return CKR_PIN_LOCKED;
    }
    // SAFETY: forwarding
    let rv = unsafe { login(h, user, pin, len) };
    if rv == CKR_PIN_INCORRECT {
        set_failures(&serial, n + 1);
    } else if rv == CKR_OK && n > 0 {
        set_failures(&serial, 0);
    }
    rv
}

extern "C" fn shim_set_pin(h: CK_SESSION_HANDLE, old: CK_UTF8CHAR_PTR, old_len: CK_ULONG, new: CK_UTF8CHAR_PTR, new_len: CK_ULONG) -> CK_RV {
    let Some(r) = real() else { return CKR_GENERAL_ERROR };
    let serial = serial_of_session(h);
    if serial.as_deref().is_some_and(|s| failures(s) >= MAX_TRIES) {
        return CKR_PIN_LOCKED;
    }
    // SAFETY: forwarding
    let rv = unsafe { (r.C_SetPIN.expect("C_SetPIN"))(h, old, old_len, new, new_len) };
    if let Some(s) = serial {
        if rv == CKR_PIN_INCORRECT {
            set_failures(&s, failures(&s) + 1);
        } else if rv == CKR_OK {
            set_failures(&s, 0);
        }
    }
    rv
}

extern "C" fn shim_init_pin(h: CK_SESSION_HANDLE, pin: CK_UTF8CHAR_PTR, len: CK_ULONG) -> CK_RV {
    let Some(r) = real() else { return CKR_GENERAL_ERROR };
    // SAFETY: forwarding
    let rv = unsafe { (r.C_InitPIN.expect("C_InitPIN"))(h, pin, len) };
    if rv == CKR_OK
        && let Some(s) = serial_of_session(h)
    {
        set_failures(&s, 0);
    }
    rv
}

/// The slowness of a real key's chip, where the tests ask for it.
fn slow_down() {
    let ms = std::env::var("CERTDESK_SHIM_SLOW_MS").ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    if ms > 0 {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

extern "C" fn shim_generate_key_pair(
    h: CK_SESSION_HANDLE,
    mechanism: CK_MECHANISM_PTR,
    public_template: CK_ATTRIBUTE_PTR,
    public_count: CK_ULONG,
    private_template: CK_ATTRIBUTE_PTR,
    private_count: CK_ULONG,
    public_key: CK_OBJECT_HANDLE_PTR,
    private_key: CK_OBJECT_HANDLE_PTR,
) -> CK_RV {
    let Some(r) = real() else { return CKR_GENERAL_ERROR };
    slow_down();
    if let Some(p) = sm2_profile()
        && !mechanism.is_null()
        // SAFETY: checked non-null
        && unsafe { (*mechanism).mechanism } == p.keygen
    {
        return sm2_generate(h, read_template(public_template, public_count), read_template(private_template, private_count), public_key, private_key);
    }
    // SAFETY: forwarding the caller's pointers
    unsafe { (r.C_GenerateKeyPair.expect("C_GenerateKeyPair"))(h, mechanism, public_template, public_count, private_template, private_count, public_key, private_key) }
}

extern "C" fn shim_init_token(slot: CK_SLOT_ID, pin: CK_UTF8CHAR_PTR, len: CK_ULONG, label: CK_UTF8CHAR_PTR) -> CK_RV {
    let Some(r) = real() else { return CKR_GENERAL_ERROR };
    slow_down();
    let before = serial_of_slot(slot);
    // SAFETY: forwarding
    let rv = unsafe { (r.C_InitToken.expect("C_InitToken"))(slot, pin, len, label) };
    if rv == CKR_OK
        && let Some(s) = before.filter(|s| !s.is_empty())
    {
        set_failures(&s, 0);
    }
    rv
}

extern "C" fn shim_get_function_list(pp: CK_FUNCTION_LIST_PTR_PTR) -> CK_RV {
    C_GetFunctionList(pp)
}

/// The SM2 profile this process plays, if `CERTDESK_SHIM_SM2_PROFILE` names one.
#[derive(Clone, Copy)]
struct Sm2Profile {
    key_type: CK_KEY_TYPE,
    keygen: CK_MECHANISM_TYPE,
    sign_e: CK_MECHANISM_TYPE,
    der: bool,
}

#[derive(serde::Deserialize)]
struct ProfileFile {
    profile: Vec<ProfileEntry>,
}

/// The fields of a profile the shim needs (the product's `certdesk_token::sm2_profiles`
/// validates the whole file).
#[derive(serde::Deserialize)]
struct ProfileEntry {
    name: String,
    key_type: u64,
    keygen: u64,
    sign_e: u64,
    signature: String,
}

fn sm2_profile() -> Option<Sm2Profile> {
    static FILE: OnceLock<Vec<ProfileEntry>> = OnceLock::new();
    let name = std::env::var("CERTDESK_SHIM_SM2_PROFILE").ok()?;
    let list = FILE.get_or_init(|| toml::from_str::<ProfileFile>(include_str!("../../../../assets/pkcs11-sm2-profiles.toml")).map(|f| f.profile).unwrap_or_default());
    let p = list.iter().find(|p| p.name.eq_ignore_ascii_case(name.trim()))?;
    Some(Sm2Profile { key_type: p.key_type as CK_KEY_TYPE, keygen: p.keygen as CK_MECHANISM_TYPE, sign_e: p.sign_e as CK_MECHANISM_TYPE, der: p.signature == "der" })
}

/// The SM2 curve OID 1.2.156.10197.1.301 as DER (CKA_EC_PARAMS).
const SM2_EC_PARAMS: &[u8] = &[0x06, 0x08, 0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x82, 0x2D];

/// One attribute of an object, straight from SoftHSM.
fn real_attribute(h: CK_SESSION_HANDLE, object: CK_OBJECT_HANDLE, kind: CK_ATTRIBUTE_TYPE) -> Option<Vec<u8>> {
    let r = real()?;
    let get = r.C_GetAttributeValue?;
    let mut a = CK_ATTRIBUTE { type_: kind, pValue: std::ptr::null_mut(), ulValueLen: 0 };
    // SAFETY: length query, then a buffer of that length
    unsafe {
        if get(h, object, &mut a, 1) != CKR_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION {
            return None;
        }
        let mut v = vec![0u8; a.ulValueLen as usize];
        a.pValue = v.as_mut_ptr().cast();
        if get(h, object, &mut a, 1) != CKR_OK {
            return None;
        }
        v.truncate(a.ulValueLen as usize);
        Some(v)
    }
}

/// An SM2 key in SoftHSM (a key object with the SM2 curve): `Some(true)` for a private key.
fn sm2_key_class(h: CK_SESSION_HANDLE, object: CK_OBJECT_HANDLE) -> Option<bool> {
    let class = real_attribute(h, object, CKA_CLASS)?;
    let class = CK_OBJECT_CLASS::from_ne_bytes(class.as_slice().try_into().ok()?);
    if class != CKO_PRIVATE_KEY && class != CKO_PUBLIC_KEY {
        return None;
    }
    (real_attribute(h, object, CKA_EC_PARAMS)? == SM2_EC_PARAMS).then_some(class == CKO_PRIVATE_KEY)
}

/// The caller's attributes as (type, bytes).
fn read_template(t: CK_ATTRIBUTE_PTR, n: CK_ULONG) -> Vec<(CK_ATTRIBUTE_TYPE, Vec<u8>)> {
    if t.is_null() {
        return Vec::new();
    }
    // SAFETY: the caller passes `n` attributes, each pointing at ulValueLen bytes
    unsafe {
        std::slice::from_raw_parts(t, n as usize)
            .iter()
            .map(|a| (a.type_, if a.pValue.is_null() { Vec::new() } else { std::slice::from_raw_parts(a.pValue as *const u8, a.ulValueLen as usize).to_vec() }))
            .collect()
    }
}

fn as_ck(attrs: &mut [(CK_ATTRIBUTE_TYPE, Vec<u8>)]) -> Vec<CK_ATTRIBUTE> {
    attrs.iter_mut().map(|(k, v)| CK_ATTRIBUTE { type_: *k, pValue: v.as_mut_ptr().cast(), ulValueLen: v.len() as CK_ULONG }).collect()
}

fn ulong(v: CK_ULONG) -> Vec<u8> {
    v.to_ne_bytes().to_vec()
}

/// The profile's key generation: a fresh scalar here, both objects created in SoftHSM.
fn sm2_generate(
    h: CK_SESSION_HANDLE,
    public_t: Vec<(CK_ATTRIBUTE_TYPE, Vec<u8>)>,
    private_t: Vec<(CK_ATTRIBUTE_TYPE, Vec<u8>)>,
    public_key: CK_OBJECT_HANDLE_PTR,
    private_key: CK_OBJECT_HANDLE_PTR,
) -> CK_RV {
    let Some(r) = real() else { return CKR_GENERAL_ERROR };
    let (Some(create), Some(destroy)) = (r.C_CreateObject, r.C_DestroyObject) else { return CKR_GENERAL_ERROR };
    if public_key.is_null() || private_key.is_null() {
        return CKR_ARGUMENTS_BAD;
    }
    if public_t.iter().any(|(k, v)| *k == CKA_EC_PARAMS && v != SM2_EC_PARAMS) {
        return CKR_DOMAIN_PARAMS_INVALID;
    }
    let scalar = loop {
        let mut b = zeroize::Zeroizing::new([0u8; 32]);
        if getrandom::fill(&mut b[..]).is_err() {
            return CKR_FUNCTION_FAILED;
        }
        if sm2::SecretKey::from_slice(&b[..]).is_ok() {
            break b;
        }
    };
    let Ok(sk) = sm2::SecretKey::from_slice(&scalar[..]) else { return CKR_FUNCTION_FAILED };
    let sec1 = sk.public_key().to_sec1_bytes();
    let mut ec_point = vec![0x04, sec1.len() as u8];
    ec_point.extend_from_slice(&sec1);
    let keep = |t: Vec<(CK_ATTRIBUTE_TYPE, Vec<u8>)>, allowed: &[CK_ATTRIBUTE_TYPE]| t.into_iter().filter(|(k, _)| allowed.contains(k)).collect::<Vec<_>>();
    let mut pubs = vec![(CKA_CLASS, ulong(CKO_PUBLIC_KEY)), (CKA_KEY_TYPE, ulong(CKK_EC)), (CKA_EC_PARAMS, SM2_EC_PARAMS.to_vec()), (CKA_EC_POINT, ec_point)];
    pubs.extend(keep(public_t, &[CKA_TOKEN, CKA_PRIVATE, CKA_ID, CKA_LABEL, CKA_SUBJECT, CKA_VERIFY, CKA_MODIFIABLE]));
    // readable in SoftHSM so that the shim can sign; callers are told otherwise (shim_get_attribute_value)
    let mut privs = vec![
        (CKA_CLASS, ulong(CKO_PRIVATE_KEY)),
        (CKA_KEY_TYPE, ulong(CKK_EC)),
        (CKA_EC_PARAMS, SM2_EC_PARAMS.to_vec()),
        (CKA_VALUE, scalar.to_vec()),
        (CKA_SENSITIVE, vec![CK_FALSE]),
        (CKA_EXTRACTABLE, vec![CK_TRUE]),
        // a signing key, as the vendors' SM2 keys made by their "sign" key generation
        (CKA_DECRYPT, vec![CK_FALSE]),
        (CKA_UNWRAP, vec![CK_FALSE]),
        (CKA_DERIVE, vec![CK_FALSE]),
    ];
    privs.extend(keep(private_t, &[CKA_TOKEN, CKA_PRIVATE, CKA_ID, CKA_LABEL, CKA_SUBJECT, CKA_SIGN, CKA_MODIFIABLE]));
    let (mut pub_ck, mut priv_ck) = (as_ck(&mut pubs), as_ck(&mut privs));
    let (mut hp, mut hq): (CK_OBJECT_HANDLE, CK_OBJECT_HANDLE) = (0, 0);
    // SAFETY: templates over owned buffers that outlive the calls; out-pointers checked above
    unsafe {
        let rv = create(h, pub_ck.as_mut_ptr(), pub_ck.len() as CK_ULONG, &mut hp);
        if rv != CKR_OK {
            return rv;
        }
        let rv = create(h, priv_ck.as_mut_ptr(), priv_ck.len() as CK_ULONG, &mut hq);
        if let Some((_, v)) = privs.iter_mut().find(|(k, _)| *k == CKA_VALUE) {
            zeroize::Zeroize::zeroize(v);
        }
        if rv != CKR_OK {
            destroy(h, hp);
            return rv;
        }
        *public_key = hp;
        *private_key = hq;
    }
    CKR_OK
}

extern "C" fn shim_get_mechanism_list(slot: CK_SLOT_ID, list: CK_MECHANISM_TYPE_PTR, count: CK_ULONG_PTR) -> CK_RV {
    let Some(r) = real() else { return CKR_GENERAL_ERROR };
    let get = r.C_GetMechanismList.expect("C_GetMechanismList");
    let Some(p) = sm2_profile() else {
        // SAFETY: forwarding
        return unsafe { get(slot, list, count) };
    };
    if count.is_null() {
        return CKR_ARGUMENTS_BAD;
    }
    let extra = [p.keygen, p.sign_e];
    let mut n: CK_ULONG = 0;
    // SAFETY: SoftHSM's length, then its list into the caller's buffer (checked to have room
    // for ours after it)
    unsafe {
        let rv = get(slot, std::ptr::null_mut(), &mut n);
        if rv != CKR_OK {
            return rv;
        }
        let total = n + extra.len() as CK_ULONG;
        if list.is_null() {
            *count = total;
            return CKR_OK;
        }
        if *count < total {
            *count = total;
            return CKR_BUFFER_TOO_SMALL;
        }
        let rv = get(slot, list, &mut n);
        if rv != CKR_OK {
            return rv;
        }
        for (i, m) in extra.iter().enumerate() {
            *list.add(n as usize + i) = *m;
        }
        *count = n + extra.len() as CK_ULONG;
    }
    CKR_OK
}

extern "C" fn shim_get_mechanism_info(slot: CK_SLOT_ID, kind: CK_MECHANISM_TYPE, info: CK_MECHANISM_INFO_PTR) -> CK_RV {
    let Some(r) = real() else { return CKR_GENERAL_ERROR };
    let flags = match sm2_profile() {
        Some(p) if kind == p.keygen => CKF_GENERATE_KEY_PAIR | CKF_HW,
        Some(p) if kind == p.sign_e => CKF_SIGN | CKF_HW,
        // SAFETY: forwarding
        _ => return unsafe { (r.C_GetMechanismInfo.expect("C_GetMechanismInfo"))(slot, kind, info) },
    };
    if info.is_null() {
        return CKR_ARGUMENTS_BAD;
    }
    // SAFETY: checked non-null; the caller's out-parameter
    unsafe { *info = CK_MECHANISM_INFO { ulMinKeySize: 256, ulMaxKeySize: 256, flags } };
    CKR_OK
}

/// SM2 keys: the private key reads as sensitive and never extractable, its CKA_VALUE is
/// refused, and both show the profile's key type; everything else is SoftHSM's answer.
extern "C" fn shim_get_attribute_value(h: CK_SESSION_HANDLE, object: CK_OBJECT_HANDLE, template: CK_ATTRIBUTE_PTR, count: CK_ULONG) -> CK_RV {
    let Some(r) = real() else { return CKR_GENERAL_ERROR };
    let get = r.C_GetAttributeValue.expect("C_GetAttributeValue");
    let Some(private) = sm2_key_class(h, object) else {
        // SAFETY: forwarding
        return unsafe { get(h, object, template, count) };
    };
    if template.is_null() {
        return CKR_ARGUMENTS_BAD;
    }
    let key_type = sm2_profile().map(|p| p.key_type);
    let mut result = CKR_OK;
    // SAFETY: the caller's `count` attributes, each answered on its own
    for a in unsafe { std::slice::from_raw_parts_mut(template, count as usize) } {
        let ours: Option<Vec<u8>> = match a.type_ {
            CKA_VALUE if private => {
                a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
                result = CKR_ATTRIBUTE_SENSITIVE;
                continue;
            }
            CKA_SENSITIVE | CKA_ALWAYS_SENSITIVE | CKA_NEVER_EXTRACTABLE if private => Some(vec![CK_TRUE]),
            CKA_EXTRACTABLE if private => Some(vec![CK_FALSE]),
            CKA_KEY_TYPE => key_type.map(ulong),
            _ => None,
        };
        let rv = match ours {
            Some(v) if a.pValue.is_null() => {
                a.ulValueLen = v.len() as CK_ULONG;
                CKR_OK
            }
            Some(v) if (a.ulValueLen as usize) < v.len() => {
                a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
                CKR_BUFFER_TOO_SMALL
            }
            Some(v) => {
                // SAFETY: the caller's buffer holds at least v.len() bytes (checked)
                unsafe { std::ptr::copy_nonoverlapping(v.as_ptr(), a.pValue as *mut u8, v.len()) };
                a.ulValueLen = v.len() as CK_ULONG;
                CKR_OK
            }
            // SAFETY: forwarding one attribute
            None => unsafe { get(h, object, a, 1) },
        };
        if rv != CKR_OK && result == CKR_OK {
            result = rv;
        }
    }
    result
}

extern "C" fn shim_wrap_key(
    h: CK_SESSION_HANDLE,
    mechanism: CK_MECHANISM_PTR,
    wrapping: CK_OBJECT_HANDLE,
    key: CK_OBJECT_HANDLE,
    out: CK_BYTE_PTR,
    out_len: CK_ULONG_PTR,
) -> CK_RV {
    let Some(r) = real() else { return CKR_GENERAL_ERROR };
    if sm2_key_class(h, key) == Some(true) {
        return CKR_KEY_UNEXTRACTABLE;
    }
    // SAFETY: forwarding
    unsafe { (r.C_WrapKey.expect("C_WrapKey"))(h, mechanism, wrapping, key, out, out_len) }
}

/// Sessions in an SM2 "sign e" operation: session → (private key, DER output).
static SIGNING: Mutex<BTreeMap<CK_SESSION_HANDLE, (CK_OBJECT_HANDLE, bool)>> = Mutex::new(BTreeMap::new());

fn signing() -> std::sync::MutexGuard<'static, BTreeMap<CK_SESSION_HANDLE, (CK_OBJECT_HANDLE, bool)>> {
    SIGNING.lock().unwrap_or_else(|p| p.into_inner())
}

extern "C" fn shim_sign_init(h: CK_SESSION_HANDLE, mechanism: CK_MECHANISM_PTR, key: CK_OBJECT_HANDLE) -> CK_RV {
    let Some(r) = real() else { return CKR_GENERAL_ERROR };
    signing().remove(&h);
    // SAFETY: the caller's mechanism, read only when non-null
    let kind = (!mechanism.is_null()).then(|| unsafe { (*mechanism).mechanism });
    if let (Some(p), Some(kind)) = (sm2_profile(), kind)
        && kind == p.sign_e
    {
        if sm2_key_class(h, key) != Some(true) {
            return CKR_KEY_TYPE_INCONSISTENT;
        }
        signing().insert(h, (key, p.der));
        return CKR_OK;
    }
    // SAFETY: forwarding
    unsafe { (r.C_SignInit.expect("C_SignInit"))(h, mechanism, key) }
}

extern "C" fn shim_sign(h: CK_SESSION_HANDLE, data: CK_BYTE_PTR, len: CK_ULONG, sig: CK_BYTE_PTR, sig_len: CK_ULONG_PTR) -> CK_RV {
    let Some(r) = real() else { return CKR_GENERAL_ERROR };
    let Some((key, der)) = signing().get(&h).copied() else {
        // SAFETY: forwarding
        return unsafe { (r.C_Sign.expect("C_Sign"))(h, data, len, sig, sig_len) };
    };
    if sig_len.is_null() || data.is_null() {
        signing().remove(&h);
        return CKR_ARGUMENTS_BAD;
    }
    if len != 32 {
        signing().remove(&h);
        return CKR_DATA_LEN_RANGE;
    }
    if sig.is_null() {
        // the length query: at most 72 bytes of DER, exactly 64 raw
        // SAFETY: checked non-null
        unsafe { *sig_len = if der { 72 } else { 64 } };
        return CKR_OK;
    }
    let Some(value) = real_attribute(h, key, CKA_VALUE).map(zeroize::Zeroizing::new) else {
        signing().remove(&h);
        return CKR_KEY_HANDLE_INVALID;
    };
    let mut scalar = zeroize::Zeroizing::new([0u8; 32]);
    let Some(start) = 32usize.checked_sub(value.len()) else { return CKR_KEY_HANDLE_INVALID };
    scalar[start..].copy_from_slice(&value);
    let Ok(signer) = sm2::dsa::SigningKey::from_slice("1234567812345678", &scalar[..]) else { return CKR_KEY_HANDLE_INVALID };
    // SAFETY: the caller's 32 bytes (checked non-null and of length 32)
    let e = unsafe { std::slice::from_raw_parts(data, 32) };
    let signature: sm2::dsa::Signature = match sm2::dsa::signature::hazmat::PrehashSigner::sign_prehash(&signer, e) {
        Ok(s) => s,
        Err(_) => {
            signing().remove(&h);
            return CKR_FUNCTION_FAILED;
        }
    };
    let out = if der { signature.to_der().to_vec() } else { signature.to_vec() };
    // SAFETY: sig_len checked non-null; sig holds *sig_len bytes (checked before writing)
    unsafe {
        if (*sig_len as usize) < out.len() {
            *sig_len = out.len() as CK_ULONG;
            return CKR_BUFFER_TOO_SMALL;
        }
        std::ptr::copy_nonoverlapping(out.as_ptr(), sig, out.len());
        *sig_len = out.len() as CK_ULONG;
    }
    signing().remove(&h);
    CKR_OK
}

extern "C" fn shim_close_session(h: CK_SESSION_HANDLE) -> CK_RV {
    let Some(r) = real() else { return CKR_GENERAL_ERROR };
    signing().remove(&h);
    // SAFETY: forwarding
    unsafe { (r.C_CloseSession.expect("C_CloseSession"))(h) }
}

extern "C" fn shim_close_all_sessions(slot: CK_SLOT_ID) -> CK_RV {
    let Some(r) = real() else { return CKR_GENERAL_ERROR };
    // the slot of a closed session can no longer be asked: forget every pending SM2 signature
    signing().clear();
    // SAFETY: forwarding
    unsafe { (r.C_CloseAllSessions.expect("C_CloseAllSessions"))(slot) }
}

/// The module's entry point: SoftHSM's function list with the PIN, key generation, mechanism,
/// attribute, wrap and sign functions replaced.
#[unsafe(no_mangle)]
pub extern "C" fn C_GetFunctionList(pp: CK_FUNCTION_LIST_PTR_PTR) -> CK_RV {
    if pp.is_null() {
        return CKR_ARGUMENTS_BAD;
    }
    let Some(r) = real() else { return CKR_GENERAL_ERROR };
    let addr = *OURS.get_or_init(|| {
        let mut ours: CK_FUNCTION_LIST = *r;
        ours.C_GetFunctionList = Some(shim_get_function_list);
        ours.C_GetTokenInfo = Some(shim_get_token_info);
        ours.C_Login = Some(shim_login);
        ours.C_SetPIN = Some(shim_set_pin);
        ours.C_InitPIN = Some(shim_init_pin);
        ours.C_InitToken = Some(shim_init_token);
        ours.C_GenerateKeyPair = Some(shim_generate_key_pair);
        ours.C_GetMechanismList = Some(shim_get_mechanism_list);
        ours.C_GetMechanismInfo = Some(shim_get_mechanism_info);
        ours.C_GetAttributeValue = Some(shim_get_attribute_value);
        ours.C_WrapKey = Some(shim_wrap_key);
        ours.C_SignInit = Some(shim_sign_init);
        ours.C_Sign = Some(shim_sign);
        ours.C_CloseSession = Some(shim_close_session);
        ours.C_CloseAllSessions = Some(shim_close_all_sessions);
        Box::into_raw(Box::new(ours)) as usize
    });
    // SAFETY: pp was checked; the list lives for the life of the process
    unsafe { *pp = addr as CK_FUNCTION_LIST_PTR };
    CKR_OK
}
