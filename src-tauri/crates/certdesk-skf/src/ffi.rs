//! The FFI edge of the host side: loads an SKF library with libloading, resolves the `SKF_*`
//! functions the counter uses (`extern "system"`: stdcall on 32-bit Windows, C elsewhere) and
//! wraps each call so that the rest of the crate passes only Rust values. Owns every raw
//! pointer, the two-call (length first) protocol and the check for which module kind a file is.
//!
//! `BOOL` is `long` in GmSSL's header and a 32-bit integer in others: by value we pass a
//! `c_long` (the callee reads the low 32 bits or all of it, both see 0/1), and a `BOOL*` out
//! parameter points to a zeroed `c_long` read as "nonzero", right whichever width is written.

// The one module of this crate that calls foreign code: loading a vendor's library and calling
// its C functions cannot be done without unsafe. Every block says why it holds.
#![allow(unsafe_code)]

use crate::blob::{DevInfoBlob, EccPublicKeyBlob, EccSignatureBlob, FileAttributeBlob};
use crate::error::{Sar, SkfError};
use std::ffi::{CStr, c_char, c_long, c_void};
use std::path::{Path, PathBuf};
use std::ptr::null_mut;

type H = *mut c_void;
type Bool = c_long;
type Str = *const c_char;

/// A handle the library gave out (device, application or container).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Handle(H);

// SAFETY: a handle is an opaque token of the library; we never dereference it. The SKF
// libraries are used from one thread at a time (the `Device`'s owner), which is what sending
// a handle to another thread allows.
unsafe impl Send for Handle {}

macro_rules! skf_api {
    ($($field:ident: $sym:literal => fn($($arg:ty),*);)*) => {
        /// The resolved `SKF_*` functions of one library; the library stays loaded while any
        /// `Device` made from it lives (they share it through an `Arc`).
        pub(crate) struct Api {
            pub(crate) path: PathBuf,
            $($field: unsafe extern "system" fn($($arg),*) -> u32,)*
            _lib: libloading::Library,
        }

        impl Api {
            pub(crate) fn load(path: &Path) -> Result<Api, SkfError> {
                // SAFETY: loading a library runs its initialisers; the caller chose this file as
                // the key's driver (the same trust as a PKCS#11 module).
                let lib = unsafe { libloading::Library::new(path) }.map_err(|source| SkfError::Load { path: path.to_path_buf(), source })?;
                $(
                    // SAFETY: the symbol is declared with the prototype of GmSSL's skf.h; the
                    // function pointer is kept only as long as `_lib` (same struct).
                    let $field = *unsafe { lib.get::<unsafe extern "system" fn($($arg),*) -> u32>(concat!($sym, "\0").as_bytes()) }
                        .map_err(|_| SkfError::MissingSymbol { path: path.to_path_buf(), symbol: $sym })?;
                )*
                Ok(Api { path: path.to_path_buf(), $($field,)* _lib: lib })
            }
        }
    };
}

skf_api! {
    enum_dev: "SKF_EnumDev" => fn(Bool, *mut u8, *mut u32);
    connect_dev: "SKF_ConnectDev" => fn(Str, *mut H);
    disconnect_dev: "SKF_DisConnectDev" => fn(H);
    get_dev_info: "SKF_GetDevInfo" => fn(H, *mut DevInfoBlob);
    set_label: "SKF_SetLabel" => fn(H, Str);
    gen_random: "SKF_GenRandom" => fn(H, *mut u8, u32);
    dev_auth: "SKF_DevAuth" => fn(H, *const u8, u32);
    change_pin: "SKF_ChangePIN" => fn(H, u32, Str, Str, *mut u32);
    get_pin_info: "SKF_GetPINInfo" => fn(H, u32, *mut u32, *mut u32, *mut Bool);
    verify_pin: "SKF_VerifyPIN" => fn(H, u32, Str, *mut u32);
    unblock_pin: "SKF_UnblockPIN" => fn(H, Str, Str, *mut u32);
    clear_secure_state: "SKF_ClearSecureState" => fn(H);
    create_application: "SKF_CreateApplication" => fn(H, Str, Str, u32, Str, u32, u32, *mut H);
    enum_application: "SKF_EnumApplication" => fn(H, *mut u8, *mut u32);
    delete_application: "SKF_DeleteApplication" => fn(H, Str);
    open_application: "SKF_OpenApplication" => fn(H, Str, *mut H);
    close_application: "SKF_CloseApplication" => fn(H);
    create_file: "SKF_CreateFile" => fn(H, Str, u32, u32, u32);
    delete_file: "SKF_DeleteFile" => fn(H, Str);
    enum_files: "SKF_EnumFiles" => fn(H, *mut u8, *mut u32);
    get_file_info: "SKF_GetFileInfo" => fn(H, Str, *mut FileAttributeBlob);
    read_file: "SKF_ReadFile" => fn(H, Str, u32, u32, *mut u8, *mut u32);
    write_file: "SKF_WriteFile" => fn(H, Str, u32, *const u8, u32);
    create_container: "SKF_CreateContainer" => fn(H, Str, *mut H);
    delete_container: "SKF_DeleteContainer" => fn(H, Str);
    open_container: "SKF_OpenContainer" => fn(H, Str, *mut H);
    close_container: "SKF_CloseContainer" => fn(H);
    enum_container: "SKF_EnumContainer" => fn(H, *mut u8, *mut u32);
    get_container_type: "SKF_GetContainerType" => fn(H, *mut u32);
    gen_ecc_key_pair: "SKF_GenECCKeyPair" => fn(H, u32, *mut EccPublicKeyBlob);
    export_public_key: "SKF_ExportPublicKey" => fn(H, Bool, *mut u8, *mut u32);
    ecc_sign_data: "SKF_ECCSignData" => fn(H, *const u8, u32, *mut EccSignatureBlob);
    import_ecc_key_pair: "SKF_ImportECCKeyPair" => fn(H, *const u8);
    import_certificate: "SKF_ImportCertificate" => fn(H, Bool, *const u8, u32);
    export_certificate: "SKF_ExportCertificate" => fn(H, Bool, *mut u8, *mut u32);
    close_handle: "SKF_CloseHandle" => fn(H);
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api").field("path", &self.path).finish_non_exhaustive()
    }
}

/// Largest answer the two-call protocol accepts (a certificate, a seal image).
const MAX_ANSWER: usize = 16 << 20;

fn check(function: &'static str, rv: u32) -> Result<(), SkfError> {
    if rv == 0 { Ok(()) } else { Err(SkfError::from_code(function, rv, None)) }
}

fn check_pin(function: &'static str, rv: u32, tries_left: u32) -> Result<(), SkfError> {
    if rv == 0 { Ok(()) } else { Err(SkfError::from_code(function, rv, Some(tries_left))) }
}

/// The two-call protocol: ask for the length with a null buffer, then call with a buffer of
/// that size; when the library still says the buffer is too small, grow it (to what it says it
/// needs, at least double) and call again.
fn two_call(function: &'static str, mut call: impl FnMut(*mut u8, *mut u32) -> u32) -> Result<Vec<u8>, SkfError> {
    let mut len = 0u32;
    let rv = call(null_mut(), &mut len);
    if rv != 0 && Sar(rv) != Sar::SAR_BUFFER_TOO_SMALL {
        return Err(SkfError::from_code(function, rv, None));
    }
    let mut buf = vec![0u8; (len as usize).max(1)];
    while buf.len() <= MAX_ANSWER {
        let mut got = u32::try_from(buf.len()).unwrap_or(u32::MAX);
        let rv = call(buf.as_mut_ptr(), &mut got);
        if rv == 0 {
            if got as usize > buf.len() {
                return Err(SkfError::Malformed { function, what: "the answer's length is larger than the buffer" });
            }
            buf.truncate(got as usize);
            return Ok(buf);
        }
        if Sar(rv) != Sar::SAR_BUFFER_TOO_SMALL {
            return Err(SkfError::from_code(function, rv, None));
        }
        let want = (got as usize).max(buf.len() * 2);
        buf.resize(want, 0);
    }
    Err(SkfError::Malformed { function, what: "the library keeps asking for a larger buffer" })
}

/// A Rust string as a C string for a call; refuses an inner NUL.
pub(crate) fn c_string(what: &'static str, s: &str) -> Result<std::ffi::CString, SkfError> {
    std::ffi::CString::new(s).map_err(|_| SkfError::Nul(what))
}

impl Api {
    pub(crate) fn enum_dev(&self, present: bool) -> Result<Vec<u8>, SkfError> {
        // SAFETY: (null or a buffer of *len bytes, its length) as SKF_EnumDev requires.
        two_call("SKF_EnumDev", |buf, len| unsafe { (self.enum_dev)(Bool::from(present), buf, len) })
    }

    pub(crate) fn connect_dev(&self, name: &CStr) -> Result<Handle, SkfError> {
        let mut h: H = null_mut();
        // SAFETY: a NUL-terminated name and a place for the handle.
        check("SKF_ConnectDev", unsafe { (self.connect_dev)(name.as_ptr(), &mut h) })?;
        Ok(Handle(h))
    }

    pub(crate) fn disconnect_dev(&self, h: Handle) -> Result<(), SkfError> {
        // SAFETY: a device handle from SKF_ConnectDev, disconnected once (by `Device::drop`).
        check("SKF_DisConnectDev", unsafe { (self.disconnect_dev)(h.0) })
    }

    pub(crate) fn get_dev_info(&self, h: Handle) -> Result<DevInfoBlob, SkfError> {
        let mut info = DevInfoBlob::default();
        // SAFETY: `info` is a packed DEVINFO (size checked at compile time) the library fills.
        check("SKF_GetDevInfo", unsafe { (self.get_dev_info)(h.0, &mut info) })?;
        Ok(info)
    }

    pub(crate) fn set_label(&self, h: Handle, label: &CStr) -> Result<(), SkfError> {
        // SAFETY: a live device handle and a NUL-terminated label.
        check("SKF_SetLabel", unsafe { (self.set_label)(h.0, label.as_ptr()) })
    }

    pub(crate) fn gen_random(&self, h: Handle, out: &mut [u8]) -> Result<(), SkfError> {
        let len = u32::try_from(out.len()).map_err(|_| SkfError::Nul("random length"))?;
        // SAFETY: `out` has exactly `len` writable bytes.
        check("SKF_GenRandom", unsafe { (self.gen_random)(h.0, out.as_mut_ptr(), len) })
    }

    pub(crate) fn dev_auth(&self, h: Handle, data: &[u8]) -> Result<(), SkfError> {
        // SAFETY: `data` is read for its length only.
        check("SKF_DevAuth", unsafe { (self.dev_auth)(h.0, data.as_ptr(), data.len() as u32) })
    }

    pub(crate) fn change_pin(&self, h: Handle, pin_type: u32, old: &CStr, new: &CStr) -> Result<(), SkfError> {
        let mut left = 0u32;
        // SAFETY: an application handle, two NUL-terminated PINs, a place for the retry count.
        let rv = unsafe { (self.change_pin)(h.0, pin_type, old.as_ptr(), new.as_ptr(), &mut left) };
        check_pin("SKF_ChangePIN", rv, left)
    }

    /// (max retries, remaining, default PIN still set).
    pub(crate) fn get_pin_info(&self, h: Handle, pin_type: u32) -> Result<(u32, u32, bool), SkfError> {
        let (mut max, mut left, mut default): (u32, u32, Bool) = (0, 0, 0);
        // SAFETY: three out places; `default` is a zeroed c_long, wide enough for either BOOL.
        check("SKF_GetPINInfo", unsafe { (self.get_pin_info)(h.0, pin_type, &mut max, &mut left, &mut default) })?;
        Ok((max, left, default != 0))
    }

    pub(crate) fn verify_pin(&self, h: Handle, pin_type: u32, pin: &CStr) -> Result<(), SkfError> {
        let mut left = 0u32;
        // SAFETY: an application handle, a NUL-terminated PIN, a place for the retry count.
        let rv = unsafe { (self.verify_pin)(h.0, pin_type, pin.as_ptr(), &mut left) };
        check_pin("SKF_VerifyPIN", rv, left)
    }

    pub(crate) fn unblock_pin(&self, h: Handle, admin: &CStr, new_user: &CStr) -> Result<(), SkfError> {
        let mut left = 0u32;
        // SAFETY: an application handle, two NUL-terminated PINs, a place for the retry count.
        let rv = unsafe { (self.unblock_pin)(h.0, admin.as_ptr(), new_user.as_ptr(), &mut left) };
        check_pin("SKF_UnblockPIN", rv, left)
    }

    pub(crate) fn clear_secure_state(&self, h: Handle) -> Result<(), SkfError> {
        // SAFETY: a live application handle.
        check("SKF_ClearSecureState", unsafe { (self.clear_secure_state)(h.0) })
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn create_application(&self, dev: Handle, name: &CStr, admin: &CStr, admin_tries: u32, user: &CStr, user_tries: u32, rights: u32) -> Result<Handle, SkfError> {
        let mut h: H = null_mut();
        // SAFETY: a live device handle, NUL-terminated strings, a place for the new handle.
        check("SKF_CreateApplication", unsafe { (self.create_application)(dev.0, name.as_ptr(), admin.as_ptr(), admin_tries, user.as_ptr(), user_tries, rights, &mut h) })?;
        Ok(Handle(h))
    }

    pub(crate) fn enum_application(&self, dev: Handle) -> Result<Vec<u8>, SkfError> {
        // SAFETY: (null or a buffer of *len bytes, its length).
        two_call("SKF_EnumApplication", |buf, len| unsafe { (self.enum_application)(dev.0, buf, len) })
    }

    pub(crate) fn delete_application(&self, dev: Handle, name: &CStr) -> Result<(), SkfError> {
        // SAFETY: a live device handle and a NUL-terminated name.
        check("SKF_DeleteApplication", unsafe { (self.delete_application)(dev.0, name.as_ptr()) })
    }

    pub(crate) fn open_application(&self, dev: Handle, name: &CStr) -> Result<Handle, SkfError> {
        let mut h: H = null_mut();
        // SAFETY: a live device handle, a NUL-terminated name, a place for the handle.
        check("SKF_OpenApplication", unsafe { (self.open_application)(dev.0, name.as_ptr(), &mut h) })?;
        Ok(Handle(h))
    }

    pub(crate) fn close_application(&self, h: Handle) -> Result<(), SkfError> {
        // SAFETY: an application handle, closed once (by `Application::drop`).
        check("SKF_CloseApplication", unsafe { (self.close_application)(h.0) })
    }

    pub(crate) fn create_file(&self, app: Handle, name: &CStr, size: u32, read: u32, write: u32) -> Result<(), SkfError> {
        // SAFETY: a live application handle and a NUL-terminated name.
        check("SKF_CreateFile", unsafe { (self.create_file)(app.0, name.as_ptr(), size, read, write) })
    }

    pub(crate) fn delete_file(&self, app: Handle, name: &CStr) -> Result<(), SkfError> {
        // SAFETY: a live application handle and a NUL-terminated name.
        check("SKF_DeleteFile", unsafe { (self.delete_file)(app.0, name.as_ptr()) })
    }

    pub(crate) fn enum_files(&self, app: Handle) -> Result<Vec<u8>, SkfError> {
        // SAFETY: (null or a buffer of *len bytes, its length).
        two_call("SKF_EnumFiles", |buf, len| unsafe { (self.enum_files)(app.0, buf, len) })
    }

    pub(crate) fn get_file_info(&self, app: Handle, name: &CStr) -> Result<FileAttributeBlob, SkfError> {
        let mut info = FileAttributeBlob { file_name: [0; 32], file_size: 0, read_rights: 0, write_rights: 0 };
        // SAFETY: `info` is a packed FILEATTRIBUTE (size checked at compile time).
        check("SKF_GetFileInfo", unsafe { (self.get_file_info)(app.0, name.as_ptr(), &mut info) })?;
        Ok(info)
    }

    pub(crate) fn read_file(&self, app: Handle, name: &CStr, offset: u32, size: u32) -> Result<Vec<u8>, SkfError> {
        // SAFETY: (null or a buffer of *len bytes, its length: pulOutLen is in/out, GM/T 0016 §7.4.6).
        two_call("SKF_ReadFile", |buf, len| unsafe { (self.read_file)(app.0, name.as_ptr(), offset, size, buf, len) })
    }

    pub(crate) fn write_file(&self, app: Handle, name: &CStr, offset: u32, data: &[u8]) -> Result<(), SkfError> {
        let len = u32::try_from(data.len()).map_err(|_| SkfError::Nul("file length"))?;
        // SAFETY: `data` is read for `len` bytes.
        check("SKF_WriteFile", unsafe { (self.write_file)(app.0, name.as_ptr(), offset, data.as_ptr(), len) })
    }

    pub(crate) fn create_container(&self, app: Handle, name: &CStr) -> Result<Handle, SkfError> {
        let mut h: H = null_mut();
        // SAFETY: a live application handle, a NUL-terminated name, a place for the handle.
        check("SKF_CreateContainer", unsafe { (self.create_container)(app.0, name.as_ptr(), &mut h) })?;
        Ok(Handle(h))
    }

    pub(crate) fn delete_container(&self, app: Handle, name: &CStr) -> Result<(), SkfError> {
        // SAFETY: a live application handle and a NUL-terminated name.
        check("SKF_DeleteContainer", unsafe { (self.delete_container)(app.0, name.as_ptr()) })
    }

    pub(crate) fn open_container(&self, app: Handle, name: &CStr) -> Result<Handle, SkfError> {
        let mut h: H = null_mut();
        // SAFETY: a live application handle, a NUL-terminated name, a place for the handle.
        check("SKF_OpenContainer", unsafe { (self.open_container)(app.0, name.as_ptr(), &mut h) })?;
        Ok(Handle(h))
    }

    pub(crate) fn close_container(&self, h: Handle) -> Result<(), SkfError> {
        // SAFETY: a container handle, closed once (by `Container::drop`).
        check("SKF_CloseContainer", unsafe { (self.close_container)(h.0) })
    }

    pub(crate) fn enum_container(&self, app: Handle) -> Result<Vec<u8>, SkfError> {
        // SAFETY: (null or a buffer of *len bytes, its length).
        two_call("SKF_EnumContainer", |buf, len| unsafe { (self.enum_container)(app.0, buf, len) })
    }

    pub(crate) fn get_container_type(&self, h: Handle) -> Result<u32, SkfError> {
        let mut t = 0u32;
        // SAFETY: a live container handle and a place for the type.
        check("SKF_GetContainerType", unsafe { (self.get_container_type)(h.0, &mut t) })?;
        Ok(t)
    }

    pub(crate) fn gen_ecc_key_pair(&self, h: Handle, alg: u32) -> Result<EccPublicKeyBlob, SkfError> {
        let mut blob = EccPublicKeyBlob { bit_len: 0, x: [0; 64], y: [0; 64] };
        // SAFETY: `blob` is a packed ECCPUBLICKEYBLOB (size checked at compile time).
        check("SKF_GenECCKeyPair", unsafe { (self.gen_ecc_key_pair)(h.0, alg, &mut blob) })?;
        Ok(blob)
    }

    pub(crate) fn export_public_key(&self, h: Handle, sign: bool) -> Result<Vec<u8>, SkfError> {
        // SAFETY: (null or a buffer of *len bytes, its length).
        two_call("SKF_ExportPublicKey", |buf, len| unsafe { (self.export_public_key)(h.0, Bool::from(sign), buf, len) })
    }

    pub(crate) fn ecc_sign_data(&self, h: Handle, e: &[u8; 32]) -> Result<EccSignatureBlob, SkfError> {
        let mut sig = EccSignatureBlob { r: [0; 64], s: [0; 64] };
        // SAFETY: 32 readable bytes and a packed ECCSIGNATUREBLOB to fill.
        check("SKF_ECCSignData", unsafe { (self.ecc_sign_data)(h.0, e.as_ptr(), 32, &mut sig) })?;
        Ok(sig)
    }

    pub(crate) fn import_ecc_key_pair(&self, h: Handle, envelope: &[u8]) -> Result<(), SkfError> {
        // SAFETY: `envelope` is a whole ENVELOPEDKEYBLOB (its CipherLen bytes included), as the
        // library reads it; `EnvelopedKey::to_bytes` made it.
        check("SKF_ImportECCKeyPair", unsafe { (self.import_ecc_key_pair)(h.0, envelope.as_ptr()) })
    }

    pub(crate) fn import_certificate(&self, h: Handle, sign: bool, der: &[u8]) -> Result<(), SkfError> {
        let len = u32::try_from(der.len()).map_err(|_| SkfError::Nul("certificate length"))?;
        // SAFETY: `der` is read for `len` bytes.
        check("SKF_ImportCertificate", unsafe { (self.import_certificate)(h.0, Bool::from(sign), der.as_ptr(), len) })
    }

    pub(crate) fn export_certificate(&self, h: Handle, sign: bool) -> Result<Vec<u8>, SkfError> {
        // SAFETY: (null or a buffer of *len bytes, its length).
        two_call("SKF_ExportCertificate", |buf, len| unsafe { (self.export_certificate)(h.0, Bool::from(sign), buf, len) })
    }

    #[allow(dead_code)] // resolved so that a library without it is refused; no session keys yet
    pub(crate) fn close_handle(&self, h: Handle) -> Result<(), SkfError> {
        // SAFETY: a session-key handle, closed once.
        check("SKF_CloseHandle", unsafe { (self.close_handle)(h.0) })
    }
}

/// Which of `symbols` the library at `path` exports.
pub(crate) fn exports(path: &Path, symbols: &[&str]) -> Result<Vec<bool>, libloading::Error> {
    // SAFETY: as in `Api::load`: the caller names the file as a key driver to inspect.
    let lib = unsafe { libloading::Library::new(path) }?;
    Ok(symbols
        .iter()
        .map(|s| {
            let name: Vec<u8> = s.bytes().chain([0]).collect();
            // SAFETY: the symbol is only looked up, never called.
            unsafe { lib.get::<*const c_void>(&name) }.is_ok()
        })
        .collect())
}
