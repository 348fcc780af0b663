//! A PKCS#11 module for tests that behaves like the USB keys at a CA counter, on top of
//! SoftHSM (which never locks a PIN, it only sets COUNT_LOW). It forwards every call to SoftHSM
//! (`CERTDESK_SHIM_TARGET`, default Debian's libsofthsm2.so) and keeps its own count of wrong
//! user PINs per token serial in a small state file (`CERTDESK_SHIM_STATE`), so that separate
//! processes see the same count: COUNT_LOW after a wrong PIN, FINAL_TRY when one try is left,
//! CKR_PIN_LOCKED once ten wrong PINs were given, until the SO sets a new PIN (C_InitPIN) or
//! the token is re-initialised. `CERTDESK_SHIM_SLOW_MS` makes initialising a token and
//! generating a key pair take that long more, as on a real key (tens of seconds for RSA), so the
//! desk's progress can be seen. Only the tests load it; the product's code drives it through
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

/// The module's entry point: SoftHSM's function list with the PIN functions replaced.
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
        Box::into_raw(Box::new(ours)) as usize
    });
    // SAFETY: pp was checked; the list lives for the life of the process
    unsafe { *pp = addr as CK_FUNCTION_LIST_PTR };
    CKR_OK
}
