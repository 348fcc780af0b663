//! The FFI edge of the vendor reader library: loads a library exporting the common `SDT_*`
//! functions with libloading (`extern "system"`: stdcall on 32-bit Windows, C elsewhere),
//! resolves the five every reader library has and the optional ones (SAM status, reset and
//! number; `unpack`, the photo decoder some libraries carry, `cdecl`), and wraps each call so that
//! the rest of the crate passes only Rust values. Owns every raw pointer and buffer size.

// The one module of this crate that calls foreign code: loading a vendor's library and calling
// its C functions cannot be done without unsafe. Every block says why it holds.
#![allow(unsafe_code)]

use crate::error::IdCardError;
use std::ffi::{CStr, c_char, c_int, c_uint};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

type OpenFn = unsafe extern "system" fn(c_int) -> c_int;
type CardFn = unsafe extern "system" fn(c_int, *mut u8, c_int) -> c_int;
type ReadFn = unsafe extern "system" fn(c_int, *mut u8, *mut c_uint, *mut u8, *mut c_uint, c_int) -> c_int;
type SamFn = unsafe extern "system" fn(c_int, c_int) -> c_int;
type SamIdFn = unsafe extern "system" fn(c_int, *mut c_char, c_int) -> c_int;
/// `int unpack(char *wlt, char *bgr, int save_bmp)`: 1 on success; `save_bmp` nonzero would make
/// the library write a BMP file, so it is always 0.
type UnpackFn = unsafe extern "C" fn(*const c_char, *mut c_char, c_int) -> c_int;

/// Buffers handed to the library are larger than the standard's blocks (256 and 1024 bytes):
/// some libraries write more than they report.
const TEXT_BUF: usize = 4096;
const PHOTO_BUF: usize = 4096;
/// The decoded photo (102 × 126 × 3 = 38,556 bytes) with room to spare for a library that
/// writes a BMP header too.
const BGR_BUF: usize = 40 * 1024;

/// The text and the photo blocks of a read, wiped when dropped.
pub(crate) type Blocks = (Zeroizing<Vec<u8>>, Zeroizing<Vec<u8>>);

/// The resolved functions of one library (and of the photo decoder's library, when that is
/// another file); the libraries stay loaded as long as this lives.
pub(crate) struct Api {
    pub(crate) path: PathBuf,
    open_port: OpenFn,
    close_port: OpenFn,
    start_find: CardFn,
    select: CardFn,
    read_base_msg: ReadFn,
    sam_status: Option<SamFn>,
    reset_sam: Option<SamFn>,
    sam_id: Option<SamIdFn>,
    unpack: Option<UnpackFn>,
    _libs: Vec<libloading::Library>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api").field("path", &self.path).field("photo_decoder", &self.unpack.is_some()).finish_non_exhaustive()
    }
}

fn load(path: &Path) -> Result<libloading::Library, IdCardError> {
    // SAFETY: loading a library runs its initialisers; the desk's administrator chose this file
    // as the reader's driver (the same trust as a key's PKCS#11 or SKF library).
    unsafe { libloading::Library::new(path) }.map_err(|source| IdCardError::Load { path: path.to_path_buf(), source })
}

/// A symbol as a function pointer of type `T`, kept only while its library is (`Api::_libs`).
///
/// # Safety
/// `T` must be the function's real prototype.
unsafe fn symbol<T: Copy>(lib: &libloading::Library, name: &str) -> Option<T> {
    let mut c_name = name.as_bytes().to_vec();
    c_name.push(0);
    // SAFETY: the caller gives the prototype of the public SDT header for `name`.
    unsafe { lib.get::<T>(&c_name) }.ok().map(|s| *s)
}

impl Api {
    /// Loads the SDT library at `path`; the photo decoder is looked for in `decoder` when given,
    /// else in the same library.
    pub(crate) fn load(path: &Path, decoder: Option<&Path>) -> Result<Api, IdCardError> {
        let lib = load(path)?;
        let missing = |symbol: &'static str| IdCardError::MissingSymbol { path: path.to_path_buf(), symbol };
        // SAFETY (each `symbol` call): the prototypes are those of the public SDTAPI header
        // (`int __stdcall SDT_OpenPort(int iPort)`, …), repeated in the type aliases above.
        let (open_port, close_port, start_find, select, read_base_msg, sam_status, reset_sam, sam_id) = unsafe {
            (
                symbol::<OpenFn>(&lib, "SDT_OpenPort").ok_or_else(|| missing("SDT_OpenPort"))?,
                symbol::<OpenFn>(&lib, "SDT_ClosePort").ok_or_else(|| missing("SDT_ClosePort"))?,
                symbol::<CardFn>(&lib, "SDT_StartFindIDCard").ok_or_else(|| missing("SDT_StartFindIDCard"))?,
                symbol::<CardFn>(&lib, "SDT_SelectIDCard").ok_or_else(|| missing("SDT_SelectIDCard"))?,
                symbol::<ReadFn>(&lib, "SDT_ReadBaseMsg").ok_or_else(|| missing("SDT_ReadBaseMsg"))?,
                symbol::<SamFn>(&lib, "SDT_GetSAMStatus"),
                symbol::<SamFn>(&lib, "SDT_ResetSAM"),
                symbol::<SamIdFn>(&lib, "SDT_GetSAMIDToStr"),
            )
        };
        let mut libs = vec![lib];
        let unpack = match decoder {
            Some(decoder_path) => {
                let decoder_lib = load(decoder_path)?;
                // SAFETY: `unpack`'s prototype as the vendors' decoder libraries export it.
                let f = unsafe { symbol::<UnpackFn>(&decoder_lib, "unpack") }.ok_or(IdCardError::MissingSymbol { path: decoder_path.to_path_buf(), symbol: "unpack" })?;
                libs.push(decoder_lib);
                Some(f)
            }
            // SAFETY: as above.
            None => unsafe { symbol::<UnpackFn>(&libs[0], "unpack") },
        };
        Ok(Api { path: path.to_path_buf(), open_port, close_port, start_find, select, read_base_msg, sam_status, reset_sam, sam_id, unpack, _libs: libs })
    }

    pub(crate) fn open_port(&self, port: i32) -> i32 {
        // SAFETY: an int by value.
        unsafe { (self.open_port)(port) }
    }

    pub(crate) fn close_port(&self, port: i32) -> i32 {
        // SAFETY: an int by value.
        unsafe { (self.close_port)(port) }
    }

    /// `SDT_StartFindIDCard` with the port already open (iIfOpen = 0).
    pub(crate) fn start_find(&self, port: i32) -> i32 {
        // the IIN answer is 4 bytes; libraries have written up to 8
        let mut iin = [0u8; 16];
        // SAFETY: `iin` is writable for more than the 4 bytes the function writes.
        unsafe { (self.start_find)(port, iin.as_mut_ptr(), 0) }
    }

    /// `SDT_SelectIDCard` with the port already open.
    pub(crate) fn select(&self, port: i32) -> i32 {
        // the card's serial number is 8 bytes
        let mut sn = [0u8; 16];
        // SAFETY: `sn` is writable for more than the 8 bytes the function writes.
        unsafe { (self.select)(port, sn.as_mut_ptr(), 0) }
    }

    /// `SDT_ReadBaseMsg`: (status, text and photo), each block cut to the length the library
    /// reports (refused when it reports more than the buffer).
    pub(crate) fn read_base_msg(&self, port: i32) -> (i32, Result<Blocks, String>) {
        let mut text = Zeroizing::new(vec![0u8; TEXT_BUF]);
        let mut photo = Zeroizing::new(vec![0u8; PHOTO_BUF]);
        let (mut text_len, mut photo_len): (c_uint, c_uint) = (0, 0);
        // SAFETY: both buffers are writable for their (large) sizes, both lengths are places
        // for an unsigned int; the port is open (iIfOpen = 0).
        let rv = unsafe { (self.read_base_msg)(port, text.as_mut_ptr(), &mut text_len, photo.as_mut_ptr(), &mut photo_len, 0) };
        let (text_len, photo_len) = (text_len as usize, photo_len as usize);
        if text_len > TEXT_BUF || photo_len > PHOTO_BUF {
            return (rv, Err(format!("lengths {text_len} and {photo_len}, larger than the buffers")));
        }
        text.truncate(text_len);
        photo.truncate(photo_len);
        (rv, Ok((text, photo)))
    }

    pub(crate) fn sam_status(&self, port: i32) -> Option<i32> {
        // SAFETY: two ints by value.
        self.sam_status.map(|f| unsafe { f(port, 0) })
    }

    pub(crate) fn reset_sam(&self, port: i32) -> Option<i32> {
        // SAFETY: two ints by value.
        self.reset_sam.map(|f| unsafe { f(port, 0) })
    }

    /// `SDT_GetSAMIDToStr`: (status, the number as the library prints it).
    pub(crate) fn sam_id(&self, port: i32) -> Option<(i32, String)> {
        let f = self.sam_id?;
        let mut out = [0 as c_char; 256];
        // SAFETY: `out` has room for the 36-character number and its NUL many times over.
        let rv = unsafe { f(port, out.as_mut_ptr(), 0) };
        out[out.len() - 1] = 0;
        // SAFETY: `out` is NUL-terminated (its last byte at least).
        let text = unsafe { CStr::from_ptr(out.as_ptr()) }.to_string_lossy().trim().to_string();
        Some((rv, text))
    }

    /// Whether the library (or the decoder library) can decode photos.
    pub(crate) fn has_photo_decoder(&self) -> bool {
        self.unpack.is_some()
    }

    /// The photo decoded to 102 × 126 BGR pixels by the vendor's `unpack`, never saved to a
    /// file (save_bmp = 0); None when there is no decoder or it fails.
    pub(crate) fn unpack(&self, wlt: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let f = self.unpack?;
        // the decoder reads a full 1024-byte WLT block
        let mut input = Zeroizing::new(vec![0u8; crate::command::PHOTO_MAX]);
        let n = wlt.len().min(input.len());
        input[..n].copy_from_slice(&wlt[..n]);
        let mut bgr = Zeroizing::new(vec![0u8; BGR_BUF]);
        // SAFETY: `input` holds 1024 readable bytes, `bgr` 40 KiB writable (the output is 38,556);
        // save_bmp = 0 asks for no file.
        let rv = unsafe { f(input.as_ptr().cast(), bgr.as_mut_ptr().cast(), 0) };
        if rv != 1 {
            return None;
        }
        bgr.truncate(crate::card::Photo::BGR_LEN);
        Some(bgr)
    }
}
