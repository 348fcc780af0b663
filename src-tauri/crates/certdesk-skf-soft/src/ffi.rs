//! The C ABI edge of the soft key: the exported `SKF_*` functions (`extern "system"`, the
//! prototypes of GmSSL's `skf.h`). Each one reads its pointers into Rust values, calls `token`,
//! and writes the answer back, inside `guard`, which catches any panic (SAR_FAIL: nothing
//! unwinds into C) and answers SAR_DEVICE_REMOVED while the `removed` fault is on. Owns the
//! two-call protocol of the answers and the `short_buffer` fault.

// The one module of this crate that takes raw pointers from a C caller: an SKF library cannot
// be written without unsafe. Every block says what the caller guarantees.
#![allow(unsafe_code, non_snake_case, clippy::missing_safety_doc)]

use crate::state;
use crate::token::{self, R};
use certdesk_skf::Sar;
use certdesk_skf::blob::{self, DevInfoBlob, EccPublicKeyBlob, EccSignatureBlob, FileAttributeBlob};
use std::ffi::{CStr, c_char, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use zeroize::Zeroizing;

type H = *mut c_void;
/// `BOOL` by value: read as 32 bits (the width GM/T 0016 gives; a caller passing a 64-bit
/// `long` puts the same value in the low half of the register).
type Bool = i32;
const OK: u32 = 0;

fn guard(removable: bool, f: impl FnOnce() -> u32) -> u32 {
    if removable && state::fault("removed") {
        return Sar::SAR_DEVICE_REMOVED.0;
    }
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(Sar::SAR_FAIL.0)
}

fn done(r: R<()>) -> u32 {
    r.err().unwrap_or(OK)
}

fn handle(h: H) -> usize {
    h as usize
}

/// A C string argument; None for a null pointer or text that is not UTF-8.
///
/// # Safety
/// `p` is null or points to a NUL-terminated string that outlives the call.
unsafe fn text<'a>(p: *const c_char) -> Option<&'a str> {
    if p.is_null() {
        return None;
    }
    // SAFETY: the caller passes a NUL-terminated string (the SKF contract for LPSTR).
    unsafe { CStr::from_ptr(p) }.to_str().ok()
}

/// A PIN argument as bytes, copied into a zeroizing buffer.
///
/// # Safety
/// As `text`.
unsafe fn pin(p: *const c_char) -> Option<Zeroizing<Vec<u8>>> {
    if p.is_null() {
        return None;
    }
    // SAFETY: the caller passes a NUL-terminated string.
    Some(Zeroizing::new(unsafe { CStr::from_ptr(p) }.to_bytes().to_vec()))
}

/// Writes an answer with the two-call protocol: a null buffer asks for the length (too small a
/// length while `short_buffer` is on), a buffer shorter than the answer gets
/// SAR_BUFFER_TOO_SMALL and the length it needs.
///
/// # Safety
/// `len` is null or valid for reading and writing a u32; `buf` is null or valid for `*len`
/// bytes.
unsafe fn answer(data: &[u8], buf: *mut u8, len: *mut u32) -> u32 {
    if len.is_null() {
        return Sar::SAR_INVALIDPARAMERR.0;
    }
    let need = data.len() as u32;
    if buf.is_null() {
        // SAFETY: `len` is valid for writing (checked not null; the caller's contract).
        unsafe { *len = if state::fault("short_buffer") { need / 2 } else { need } };
        return OK;
    }
    // SAFETY: as above, for reading.
    let have = unsafe { *len };
    if have < need {
        // SAFETY: as above.
        unsafe { *len = need };
        return Sar::SAR_BUFFER_TOO_SMALL.0;
    }
    // SAFETY: `buf` holds `have` ≥ `need` bytes; `data` is our own and does not overlap it.
    unsafe {
        std::ptr::copy_nonoverlapping(data.as_ptr(), buf, data.len());
        *len = need;
    }
    OK
}

/// # Safety
/// As `answer`.
unsafe fn answer_names(r: R<Vec<String>>, buf: *mut u8, len: *mut u32) -> u32 {
    match r {
        // SAFETY: passed on from our caller.
        Ok(names) => unsafe { answer(&blob::name_list(&names), buf, len) },
        Err(e) => e,
    }
}

/// Writes a new handle.
///
/// # Safety
/// `out` is null or valid for writing a pointer.
unsafe fn put_handle(r: R<usize>, out: *mut H) -> u32 {
    if out.is_null() {
        return Sar::SAR_INVALIDPARAMERR.0;
    }
    match r {
        Ok(h) => {
            // SAFETY: `out` is a valid place for a handle (checked not null).
            unsafe { *out = h as H };
            OK
        }
        Err(e) => e,
    }
}

/// Writes a call's fixed-size answer (a packed SKF struct or a u32).
///
/// # Safety
/// `out` is null or valid for writing a `T` (unaligned is fine).
unsafe fn put<T>(r: R<T>, out: *mut T) -> u32 {
    match r {
        Ok(_) if out.is_null() => Sar::SAR_INVALIDPARAMERR.0,
        Ok(v) => {
            // SAFETY: valid for writing a T (checked not null); packed structs may be unaligned.
            unsafe { out.write_unaligned(v) };
            OK
        }
        Err(e) => e,
    }
}

/// # Safety
/// `out` is null or valid for writing a u32.
unsafe fn put_u32(out: *mut u32, v: u32) {
    if !out.is_null() {
        // SAFETY: valid for writing (checked not null).
        unsafe { *out = v };
    }
}

/// # Safety
/// `p` is null or valid for reading `len` bytes.
unsafe fn bytes<'a>(p: *const u8, len: u32) -> Option<&'a [u8]> {
    if p.is_null() {
        return if len == 0 { Some(&[]) } else { None };
    }
    // SAFETY: the caller's buffer of `len` bytes.
    Some(unsafe { std::slice::from_raw_parts(p, len as usize) })
}

macro_rules! arg {
    ($e:expr) => {
        match $e {
            Some(v) => v,
            None => return Sar::SAR_INVALIDPARAMERR.0,
        }
    };
}

// ---- devices

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_EnumDev(_present: Bool, list: *mut u8, size: *mut u32) -> u32 {
    // SAFETY: the SKF contract for (szNameList, pulSize).
    guard(false, || unsafe { answer_names(token::enum_dev(), list, size) })
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_ConnectDev(name: *const c_char, out: *mut H) -> u32 {
    // SAFETY: a NUL-terminated name and a place for the handle.
    guard(true, || unsafe { put_handle(token::connect(arg!(text(name))), out) })
}

#[unsafe(no_mangle)]
pub extern "system" fn SKF_DisConnectDev(h: H) -> u32 {
    guard(false, || done(token::disconnect(handle(h))))
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_GetDevInfo(h: H, out: *mut DevInfoBlob) -> u32 {
    // SAFETY: `out` points to a DEVINFO (packed, 294 bytes).
    guard(true, || unsafe { put(token::dev_info(handle(h)), out) })
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_SetLabel(h: H, label: *const c_char) -> u32 {
    // SAFETY: a NUL-terminated label.
    guard(true, || done(token::set_label(handle(h), arg!(unsafe { text(label) }))))
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_GenRandom(h: H, out: *mut u8, len: u32) -> u32 {
    guard(true, || match token::gen_random(handle(h), len as usize) {
        Ok(r) if !out.is_null() => {
            // SAFETY: the caller's buffer of `len` bytes.
            unsafe { std::ptr::copy_nonoverlapping(r.as_ptr(), out, r.len()) };
            OK
        }
        Ok(_) => Sar::SAR_INVALIDPARAMERR.0,
        Err(e) => e,
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_DevAuth(h: H, data: *const u8, len: u32) -> u32 {
    // SAFETY: `len` readable bytes.
    guard(true, || done(token::dev_auth(handle(h), arg!(unsafe { bytes(data, len) }))))
}

// ---- PINs

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_ChangePIN(h: H, pin_type: u32, old: *const c_char, new: *const c_char, retry: *mut u32) -> u32 {
    guard(true, || {
        // SAFETY: NUL-terminated PINs.
        let (old, new) = (arg!(unsafe { pin(old) }), arg!(unsafe { pin(new) }));
        let (rv, left) = token::change_pin(handle(h), pin_type, &old, &new);
        // SAFETY: a place for the retry count.
        unsafe { put_u32(retry, left) };
        rv
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_GetPINInfo(h: H, pin_type: u32, max: *mut u32, left: *mut u32, default: *mut Bool) -> u32 {
    guard(true, || match token::pin_info(handle(h), pin_type) {
        Ok((m, l, d)) => {
            // SAFETY: places for two counts and a BOOL (we write 32 bits: within either width).
            unsafe {
                put_u32(max, m);
                put_u32(left, l);
                if !default.is_null() {
                    *default = Bool::from(d);
                }
            }
            OK
        }
        Err(e) => e,
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_VerifyPIN(h: H, pin_type: u32, p: *const c_char, retry: *mut u32) -> u32 {
    guard(true, || {
        // SAFETY: a NUL-terminated PIN.
        let p = arg!(unsafe { pin(p) });
        let (rv, left) = token::verify_pin(handle(h), pin_type, &p);
        // SAFETY: a place for the retry count.
        unsafe { put_u32(retry, left) };
        rv
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_UnblockPIN(h: H, admin: *const c_char, new_user: *const c_char, retry: *mut u32) -> u32 {
    guard(true, || {
        // SAFETY: NUL-terminated PINs.
        let (admin, new_user) = (arg!(unsafe { pin(admin) }), arg!(unsafe { pin(new_user) }));
        let (rv, left) = token::unblock_pin(handle(h), &admin, &new_user);
        // SAFETY: a place for the retry count.
        unsafe { put_u32(retry, left) };
        rv
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn SKF_ClearSecureState(h: H) -> u32 {
    guard(true, || done(token::clear_secure_state(handle(h))))
}

// ---- applications

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_CreateApplication(
    h: H,
    name: *const c_char,
    admin: *const c_char,
    admin_tries: u32,
    user: *const c_char,
    user_tries: u32,
    rights: u32,
    out: *mut H,
) -> u32 {
    guard(true, || {
        // SAFETY: NUL-terminated strings.
        let (name, admin, user) = (arg!(unsafe { text(name) }), arg!(unsafe { pin(admin) }), arg!(unsafe { pin(user) }));
        // SAFETY: a place for the handle.
        unsafe { put_handle(token::create_app(handle(h), name, &admin, admin_tries, &user, user_tries, rights), out) }
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_EnumApplication(h: H, list: *mut u8, size: *mut u32) -> u32 {
    // SAFETY: the SKF contract for (szAppName, pulSize).
    guard(true, || unsafe { answer_names(token::enum_apps(handle(h)), list, size) })
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_DeleteApplication(h: H, name: *const c_char) -> u32 {
    // SAFETY: a NUL-terminated name.
    guard(true, || done(token::delete_app(handle(h), arg!(unsafe { text(name) }))))
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_OpenApplication(h: H, name: *const c_char, out: *mut H) -> u32 {
    // SAFETY: a NUL-terminated name and a place for the handle.
    guard(true, || unsafe { put_handle(token::open_app(handle(h), arg!(text(name))), out) })
}

#[unsafe(no_mangle)]
pub extern "system" fn SKF_CloseApplication(h: H) -> u32 {
    guard(false, || done(token::close(handle(h))))
}

// ---- files

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_CreateFile(h: H, name: *const c_char, size: u32, read: u32, write: u32) -> u32 {
    // SAFETY: a NUL-terminated name.
    guard(true, || done(token::create_file(handle(h), arg!(unsafe { text(name) }), size, read, write)))
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_DeleteFile(h: H, name: *const c_char) -> u32 {
    // SAFETY: a NUL-terminated name.
    guard(true, || done(token::delete_file(handle(h), arg!(unsafe { text(name) }))))
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_EnumFiles(h: H, list: *mut u8, size: *mut u32) -> u32 {
    // SAFETY: the SKF contract for (szFileList, pulSize).
    guard(true, || unsafe { answer_names(token::enum_files(handle(h)), list, size) })
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_GetFileInfo(h: H, name: *const c_char, out: *mut FileAttributeBlob) -> u32 {
    guard(true, || {
        // SAFETY: a NUL-terminated name.
        let name = arg!(unsafe { text(name) });
        let attributes = token::file_info(handle(h), name).map(|(size, read, write)| {
            let mut a = FileAttributeBlob { file_name: [0; 32], file_size: size, read_rights: read, write_rights: write };
            blob::put_c_field(&mut a.file_name, name);
            a
        });
        // SAFETY: `out` points to a FILEATTRIBUTE (packed, 44 bytes).
        unsafe { put(attributes, out) }
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_ReadFile(h: H, name: *const c_char, offset: u32, size: u32, out: *mut u8, out_len: *mut u32) -> u32 {
    // SAFETY: a NUL-terminated name; (pbOutData, pulOutLen) in/out as GM/T 0016 §7.4.6 says.
    guard(true, || match token::read_file(handle(h), arg!(unsafe { text(name) }), offset, size) {
        Ok(data) => unsafe { answer(&data, out, out_len) },
        Err(e) => e,
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_WriteFile(h: H, name: *const c_char, offset: u32, data: *const u8, size: u32) -> u32 {
    // SAFETY: a NUL-terminated name and `size` readable bytes.
    guard(true, || done(token::write_file(handle(h), arg!(unsafe { text(name) }), offset, arg!(unsafe { bytes(data, size) }))))
}

// ---- containers

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_CreateContainer(h: H, name: *const c_char, out: *mut H) -> u32 {
    // SAFETY: a NUL-terminated name and a place for the handle.
    guard(true, || unsafe { put_handle(token::create_container(handle(h), arg!(text(name))), out) })
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_DeleteContainer(h: H, name: *const c_char) -> u32 {
    // SAFETY: a NUL-terminated name.
    guard(true, || done(token::delete_container(handle(h), arg!(unsafe { text(name) }))))
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_OpenContainer(h: H, name: *const c_char, out: *mut H) -> u32 {
    // SAFETY: a NUL-terminated name and a place for the handle.
    guard(true, || unsafe { put_handle(token::open_container(handle(h), arg!(text(name))), out) })
}

#[unsafe(no_mangle)]
pub extern "system" fn SKF_CloseContainer(h: H) -> u32 {
    guard(false, || done(token::close(handle(h))))
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_EnumContainer(h: H, list: *mut u8, size: *mut u32) -> u32 {
    // SAFETY: the SKF contract for (szContainerName, pulSize).
    guard(true, || unsafe { answer_names(token::enum_containers(handle(h)), list, size) })
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_GetContainerType(h: H, out: *mut u32) -> u32 {
    // SAFETY: a place for the type.
    guard(true, || unsafe { put(token::container_type(handle(h)), out) })
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_GenECCKeyPair(h: H, alg: u32, out: *mut EccPublicKeyBlob) -> u32 {
    // SAFETY: `out` points to an ECCPUBLICKEYBLOB (packed, 132 bytes).
    guard(true, || unsafe { put(token::gen_ecc(handle(h), alg).map(|k| k.to_blob()), out) })
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_ExportPublicKey(h: H, sign: Bool, out: *mut u8, len: *mut u32) -> u32 {
    guard(true, || match token::export_public_key(handle(h), sign != 0) {
        // SAFETY: the SKF contract for (pbBlob, pulBlobLen).
        Ok(k) => unsafe { answer(&k.to_blob().to_bytes(), out, len) },
        Err(e) => e,
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_ECCSignData(h: H, data: *const u8, len: u32, out: *mut EccSignatureBlob) -> u32 {
    guard(true, || {
        // SAFETY: `len` readable bytes.
        let e = arg!(unsafe { bytes(data, len) });
        // SAFETY: `out` points to an ECCSIGNATUREBLOB (packed, 128 bytes).
        unsafe { put(token::sign(handle(h), e).map(|(r, s)| EccSignatureBlob::from_rs(&r, &s)), out) }
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_ImportECCKeyPair(h: H, envelope: *const u8) -> u32 {
    guard(true, || {
        if envelope.is_null() {
            return Sar::SAR_INVALIDPARAMERR.0;
        }
        let fixed = blob::ENVELOPE_HEADER + blob::ECC_CIPHER_HEADER;
        // SAFETY: an ENVELOPEDKEYBLOB has at least its fixed part; CipherLen (its last u32)
        // says how many cipher bytes follow, which we bound before reading them.
        let head = unsafe { std::slice::from_raw_parts(envelope, fixed) };
        let cipher_len = u32::from_ne_bytes([head[fixed - 4], head[fixed - 3], head[fixed - 2], head[fixed - 1]]) as usize;
        if cipher_len > 64 {
            return Sar::SAR_INDATALENERR.0;
        }
        // SAFETY: the blob's whole length as its CipherLen gives it.
        let whole = unsafe { std::slice::from_raw_parts(envelope, fixed + cipher_len) };
        done(token::import_ecc(handle(h), whole))
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_ImportCertificate(h: H, sign: Bool, der: *const u8, len: u32) -> u32 {
    // SAFETY: `len` readable bytes.
    guard(true, || done(token::import_cert(handle(h), sign != 0, arg!(unsafe { bytes(der, len) }))))
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn SKF_ExportCertificate(h: H, sign: Bool, out: *mut u8, len: *mut u32) -> u32 {
    guard(true, || match token::export_cert(handle(h), sign != 0) {
        // SAFETY: the SKF contract for (pbCert, pulCertLen).
        Ok(der) => unsafe { answer(&der, out, len) },
        Err(e) => e,
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn SKF_CloseHandle(h: H) -> u32 {
    guard(false, || done(token::close(handle(h))))
}
