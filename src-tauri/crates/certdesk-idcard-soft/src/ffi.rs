//! The soft vendor library's C edge: `SDT_*` (`extern "system"`, the prototypes of the public
//! SDTAPI header) and the photo decoder `unpack` (`cdecl`). The reader sits on one port,
//! `CERTDESK_SDT_PORT` (default 1001); its card is the file `CERTDESK_SDT_CARD` (none: no
//! card), its faults `CERTDESK_SDT_FAULT` plus the card's own; both read at each call. Ports
//! must be opened before use (iIfOpen = 0) or the call opens and closes the port itself
//! (iIfOpen = 1). Every call catches panics: nothing unwinds into C.

// The one module of this crate that takes raw pointers from a C caller: an SDT library cannot
// be written without unsafe. Every block says what the caller guarantees.
#![allow(unsafe_code, non_snake_case, clippy::missing_safety_doc)]

use crate::card::{CardFile, Fault, SAM_ID, soft_photo_bgr};
use std::ffi::{c_char, c_int, c_uint};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Mutex;

const SUCCESS: c_int = 0x90;
const FOUND: c_int = 0x9F;
const NOT_FOUND: c_int = 0x80;
const SELECT_FAILED: c_int = 0x81;
const READ_FAILED: c_int = 0x41;
const PORT: c_int = 0x01;
const SAM_SELF_TEST: c_int = 0x60;

/// What the library remembers between calls: the open port, whether a card was found and
/// selected since.
struct State {
    open: bool,
    found: bool,
    selected: bool,
}

static STATE: Mutex<State> = Mutex::new(State { open: false, found: false, selected: false });

fn reader_port() -> c_int {
    std::env::var("CERTDESK_SDT_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(1001)
}

fn env_faults() -> Vec<Fault> {
    Fault::parse_list(&std::env::var("CERTDESK_SDT_FAULT").unwrap_or_default()).unwrap_or_default()
}

/// The card on the reader (None: no card; a file that is no card reads as none).
fn card() -> Option<CardFile> {
    let path = PathBuf::from(std::env::var_os("CERTDESK_SDT_CARD")?);
    CardFile::load(&path).ok().flatten()
}

fn faults(card: Option<&CardFile>) -> Vec<Fault> {
    env_faults().into_iter().chain(card.iter().flat_map(|c| c.faults.iter().copied())).collect()
}

/// Runs `f` with the library's state, on the port `port` (opened for the call when
/// `if_open` is 1); a panic is a read failure.
fn with_port(port: c_int, if_open: c_int, f: impl FnOnce(&mut State) -> c_int) -> c_int {
    catch_unwind(AssertUnwindSafe(|| {
        let mut state = STATE.lock().unwrap_or_else(|p| p.into_inner());
        if port != reader_port() || env_faults().contains(&Fault::Port) {
            return PORT;
        }
        if if_open == 1 {
            state.open = true;
        }
        if !state.open {
            return PORT;
        }
        let rv = f(&mut state);
        if if_open == 1 {
            state.open = false;
        }
        rv
    }))
    .unwrap_or(READ_FAILED)
}

/// # Safety
/// `out` is null or writable for `len` bytes.
unsafe fn zero(out: *mut u8, len: usize) {
    if !out.is_null() {
        // SAFETY: the caller's buffer holds `len` bytes (the standard's answer size).
        unsafe { std::ptr::write_bytes(out, 0, len) };
    }
}

#[unsafe(no_mangle)]
pub extern "system" fn SDT_OpenPort(port: c_int) -> c_int {
    catch_unwind(|| {
        if port != reader_port() || env_faults().contains(&Fault::Port) {
            return PORT;
        }
        let mut state = STATE.lock().unwrap_or_else(|p| p.into_inner());
        *state = State { open: true, found: false, selected: false };
        SUCCESS
    })
    .unwrap_or(PORT)
}

#[unsafe(no_mangle)]
pub extern "system" fn SDT_ClosePort(port: c_int) -> c_int {
    catch_unwind(|| {
        let mut state = STATE.lock().unwrap_or_else(|p| p.into_inner());
        if port != reader_port() || !state.open {
            return PORT;
        }
        *state = State { open: false, found: false, selected: false };
        SUCCESS
    })
    .unwrap_or(PORT)
}

/// # Safety
/// `iin` is null or writable for 4 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn SDT_StartFindIDCard(port: c_int, iin: *mut u8, if_open: c_int) -> c_int {
    with_port(port, if_open, |state| {
        let card = card();
        let found = card.is_some() && !faults(card.as_ref()).contains(&Fault::NoCard);
        *state = State { open: state.open, found, selected: false };
        if !found {
            return NOT_FOUND;
        }
        // SAFETY: the caller's 4-byte IIN buffer.
        unsafe { zero(iin, 4) };
        FOUND
    })
}

/// # Safety
/// `sn` is null or writable for 8 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn SDT_SelectIDCard(port: c_int, sn: *mut u8, if_open: c_int) -> c_int {
    with_port(port, if_open, |state| {
        let card = card();
        state.selected = state.found && card.is_some() && !faults(card.as_ref()).contains(&Fault::RemovedAtSelect);
        if !state.selected {
            return SELECT_FAILED;
        }
        // SAFETY: the caller's 8-byte serial number buffer.
        unsafe { zero(sn, 8) };
        SUCCESS
    })
}

/// # Safety
/// `text` is writable for 256 bytes and `photo` for 1024; both lengths are null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn SDT_ReadBaseMsg(port: c_int, text: *mut u8, text_len: *mut c_uint, photo: *mut u8, photo_len: *mut c_uint, if_open: c_int) -> c_int {
    with_port(port, if_open, |state| {
        let Some(card) = card().filter(|_| state.selected) else { return READ_FAILED };
        let faults = faults(Some(&card));
        if faults.contains(&Fault::Removed) || text.is_null() || photo.is_null() {
            return READ_FAILED;
        }
        let block = card.text_with(&faults);
        // SAFETY: the caller's buffers of the standard's sizes (256 and 1024 bytes) and two
        // places for the lengths (checked not null before writing).
        unsafe {
            std::ptr::copy_nonoverlapping(block.as_ptr(), text, 256);
            std::ptr::copy_nonoverlapping(card.photo.as_ptr(), photo, card.photo.len().min(1024));
            if !text_len.is_null() {
                *text_len = 256;
            }
            if !photo_len.is_null() {
                *photo_len = card.photo.len().min(1024) as c_uint;
            }
        }
        SUCCESS
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn SDT_GetSAMStatus(port: c_int, if_open: c_int) -> c_int {
    with_port(port, if_open, |_| if env_faults().contains(&Fault::SamFault) { SAM_SELF_TEST } else { SUCCESS })
}

#[unsafe(no_mangle)]
pub extern "system" fn SDT_ResetSAM(port: c_int, if_open: c_int) -> c_int {
    with_port(port, if_open, |_| SUCCESS)
}

/// # Safety
/// `out` is null or writable for 37 bytes (the number and its NUL).
#[unsafe(no_mangle)]
pub unsafe extern "system" fn SDT_GetSAMIDToStr(port: c_int, out: *mut c_char, if_open: c_int) -> c_int {
    with_port(port, if_open, |_| {
        if out.is_null() {
            return PORT;
        }
        // SAFETY: the caller's buffer holds the 36 characters and the NUL.
        unsafe {
            std::ptr::copy_nonoverlapping(SAM_ID.as_ptr().cast::<c_char>(), out, SAM_ID.len());
            *out.add(SAM_ID.len()) = 0;
        }
        SUCCESS
    })
}

/// The photo decoder: 1 and 38,556 BGR bytes for one of the soft cards' photo blocks; -1 for
/// anything else or while `no_photo` is on; -2, writing nothing, when asked to save a BMP file
/// (the counter never asks).
///
/// # Safety
/// `wlt` is readable for 1024 bytes, `bgr` writable for 38,556.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn unpack(wlt: *const c_char, bgr: *mut c_char, save_bmp: c_int) -> c_int {
    catch_unwind(|| {
        if save_bmp != 0 {
            return -2;
        }
        if wlt.is_null() || bgr.is_null() || env_faults().contains(&Fault::NoPhoto) {
            return -1;
        }
        // SAFETY: the caller's 1024-byte WLT block.
        let block = unsafe { std::slice::from_raw_parts(wlt.cast::<u8>(), 1024) };
        match soft_photo_bgr(block) {
            Some(pixels) => {
                // SAFETY: the caller's buffer holds the decoded photo's 38,556 bytes.
                unsafe { std::ptr::copy_nonoverlapping(pixels.as_ptr(), bgr.cast::<u8>(), pixels.len()) };
                1
            }
            None => -1,
        }
    })
    .unwrap_or(-1)
}
