//! The limits of what the counter takes in, in one place: the size of a case file, a scan, a
//! certificate file, a CA's answer and a seal image (each checked before the file is read
//! whole), the days of a report, a printed sheet's paper, the lines of the log shown, the
//! idle minutes of a window, the days a password is used, the rows of a page. Both adapters
//! ask here; the lower crates keep their own hard ceilings (the store's file size, the
//! importer's pixel budget, an employee list's and a key file's limits), re-exported in
//! [`ceilings`].

use crate::DeskError;

/// The hard ceilings the lower crates check before they allocate (#78), named here too so that
/// every limit of what the counter reads is found in one place: an employee list's file, what
/// its archive inflates to, the cells, text and formulas of its sheets (`certdesk-roster`); a
/// key file and its slots' argon2 costs (`certdesk-store`).
pub mod ceilings {
    pub use certdesk_roster::limits::{MAX_CELLS, MAX_FILE_BYTES as MAX_EMPLOYEE_LIST_BYTES, MAX_FORMULA_BYTES, MAX_INFLATED_BYTES, MAX_TEXT_BYTES};
    pub use certdesk_store::keys::{MAX_KEY_FILE_BYTES, MAX_SLOT_LANES, MAX_SLOT_MEMORY_KIB, MAX_SLOT_PASSES};
}
use std::ops::RangeInclusive;
use std::path::Path;

/// The largest case JSON accepted, before it is parsed.
pub const MAX_CASE_JSON: u64 = 1 << 20;
/// The largest scan of a seal sheet (what the store keeps with a case at most).
pub const MAX_SCAN: u64 = certdesk_store::MAX_ATTACHMENT_BYTES as u64;
/// A certificate with its chain (PEM, DER or PKCS#7): far smaller than this.
pub const MAX_CERTIFICATE: u64 = 1 << 20;
/// The largest CA answer read: an envelope is a few hundred bytes, a GM/T 0092 answer with
/// its certificates a few kilobytes.
pub const MAX_ANSWER: u64 = 256 * 1024;
/// A seal image that fits on a key.
pub const MAX_SEAL_IMAGE: u64 = 512 * 1024;
/// The clerk's note on an impression accepted against the importer's doubt (UTF-8 bytes).
pub const MAX_NOTE: u64 = 2000;
/// An exported daily ledger checked by `day verify --ledger` (a busy day's is tens of KB).
pub const MAX_LEDGER_FILE: u64 = 20 * 1024 * 1024;
/// The days a report of expiring certificates looks ahead.
pub const REPORT_DAYS: RangeInclusive<i64> = 1..=3650;
/// The paper of a printed sheet, each side in mm.
pub const PAPER_MM: RangeInclusive<f32> = 50.0..=1500.0;
/// The log lines the admin desk shows by default, and at most (also what an export holds).
pub const LOG_LINES: usize = 500;
pub const MAX_LOG_LINES: usize = 20_000;
/// The minutes a window may stay idle before it signs out (`idle_minutes`).
pub const IDLE_MINUTES: RangeInclusive<u64> = 1..=480;
/// The days a password may be used before it must be changed (`password_max_age_days`).
pub const PASSWORD_MAX_AGE_DAYS: RangeInclusive<u32> = 1..=365;
/// The most rows one page of a list holds.
pub const PAGE_ROWS: usize = 500;
/// The cases a search shows as the clerk types (the app) and by default (`case search`).
pub const SEARCH_HITS: usize = 50;
/// The scans of the scanner folder listed, newest first.
pub const SCAN_FOLDER_FILES: usize = 50;
/// A confirmation's reference and a waybill number.
pub const REFERENCE_CHARS: usize = 100;
pub const WAYBILL_CHARS: usize = 40;

/// A file of at most `limit` bytes (`what` names it in the refusal), its size checked before
/// it is read.
pub fn read_file(path: &Path, what: &str, limit: u64) -> Result<Vec<u8>, DeskError> {
    let meta = std::fs::metadata(path).map_err(crate::io("cannot read", path))?;
    if meta.len() > limit {
        return Err(DeskError::TooLarge { what: format!("{what} {}", path.display()), size: meta.len(), limit });
    }
    std::fs::read(path).map_err(crate::io("cannot read", path))
}

/// `bytes` of at most `limit` (what arrived through the app's IPC).
pub fn check_size(what: &str, size: usize, limit: u64) -> Result<(), DeskError> {
    if size as u64 > limit {
        return Err(DeskError::TooLarge { what: what.to_string(), size: size as u64, limit });
    }
    Ok(())
}

/// The days of a report of expiring certificates, checked.
pub fn report_days(days: i64) -> Result<i64, DeskError> {
    if REPORT_DAYS.contains(&days) {
        return Ok(days);
    }
    Err(DeskError::OutOfRange { what: "days", value: days.to_string(), range: format!("{} to {}", REPORT_DAYS.start(), REPORT_DAYS.end()) })
}

/// A number of days as typed.
pub fn report_days_text(text: &str) -> Result<i64, DeskError> {
    let days = text.trim().parse::<i64>().map_err(|_| DeskError::OutOfRange {
        what: "days",
        value: format!("{text:?}"),
        range: format!("a number from {} to {}", REPORT_DAYS.start(), REPORT_DAYS.end()),
    })?;
    report_days(days)
}

/// A sheet's paper (width × height in mm) that a printer can take.
pub fn paper(width: f32, height: f32) -> Result<(), DeskError> {
    if PAPER_MM.contains(&width) && PAPER_MM.contains(&height) {
        return Ok(());
    }
    Err(DeskError::OutOfRange { what: "paper", value: format!("{width} × {height} mm"), range: format!("{} to {} mm a side", PAPER_MM.start(), PAPER_MM.end()) })
}

/// The log lines asked for, within [`MAX_LOG_LINES`] ([`LOG_LINES`] when none were).
pub fn log_lines(asked: Option<usize>) -> usize {
    asked.unwrap_or(LOG_LINES).min(MAX_LOG_LINES)
}

/// The `idle_minutes` setting's value, checked.
pub fn idle_minutes(text: &str) -> Result<u64, DeskError> {
    text.trim().parse::<u64>().ok().filter(|m| IDLE_MINUTES.contains(m)).ok_or_else(|| DeskError::OutOfRange {
        what: "idle_minutes",
        value: format!("{text:?}"),
        range: format!("{} to {} minutes", IDLE_MINUTES.start(), IDLE_MINUTES.end()),
    })
}

/// The `password_max_age_days` setting's value, checked.
pub fn password_max_age_days(text: &str) -> Result<u32, DeskError> {
    text.trim().parse::<u32>().ok().filter(|d| PASSWORD_MAX_AGE_DAYS.contains(d)).ok_or_else(|| DeskError::OutOfRange {
        what: "password_max_age_days",
        value: format!("{text:?}"),
        range: format!("{} to {} days", PASSWORD_MAX_AGE_DAYS.start(), PASSWORD_MAX_AGE_DAYS.end()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_limit_refuses_just_past_its_edge() {
        assert_eq!(report_days(3650).unwrap(), 3650);
        assert_eq!(report_days(3651).unwrap_err().kind(), crate::ErrorKind::OutOfRange);
        assert_eq!(report_days(0).unwrap_err().kind(), crate::ErrorKind::OutOfRange);
        assert_eq!(report_days_text(" 30 ").unwrap(), 30);
        assert!(report_days_text("soon").is_err());
        assert!(paper(210.0, 297.0).is_ok());
        assert!(paper(10.0, 297.0).is_err() && paper(210.0, 2000.0).is_err());
        assert_eq!((log_lines(None), log_lines(Some(5)), log_lines(Some(1_000_000))), (LOG_LINES, 5, MAX_LOG_LINES));
        assert_eq!(idle_minutes("480").unwrap(), 480);
        assert!(idle_minutes("0").is_err() && idle_minutes("481").is_err() && idle_minutes("x").is_err());
        assert_eq!(password_max_age_days(" 365 ").unwrap(), 365);
        assert!(password_max_age_days("0").is_err() && password_max_age_days("366").is_err() && password_max_age_days("90d").is_err());
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("big.bin");
        std::fs::write(&file, vec![0u8; 11]).unwrap();
        assert_eq!(read_file(&file, "a scan", 11).unwrap().len(), 11);
        let e = read_file(&file, "a scan", 10).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::TooLarge);
        assert!(e.to_string().contains("11 bytes; at most 10"), "{e}");
    }
}
