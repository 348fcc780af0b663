//! Where the counter's files go and what they are called, in one place: the print folder
//! (`<case>.pdf`, the record of what was printed), the export folder (reports, the log for
//! support), the request folder (a key's request package), the backup folder, and the scanner
//! folder the seal panel watches. Each folder is its setting (管理), else a default under the
//! user's documents (backups: the local data folder, so that a synced Documents folder never
//! carries every applicant's ID number off the PC). Owns the names and the defaults, not the
//! writing (the use cases write, through `certdesk_store::private`).

use crate::DeskError;
use crate::api::Desk;
use crate::place::Environment;
use chrono::{DateTime, Local, NaiveDate};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The counter's folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    /// forms printed (`print_dir`)
    Print,
    /// reports and the log exported (`export_dir`)
    Exports,
    /// a key's certificate request package for the CA (`export_dir`)
    Requests,
    /// backups of the store (`backup_dir`)
    Backups,
}

impl Folder {
    fn setting(self) -> &'static str {
        match self {
            Folder::Print => "print_dir",
            Folder::Exports | Folder::Requests => "export_dir",
            Folder::Backups => "backup_dir",
        }
    }

    /// The folder when its setting is blank.
    pub fn default_in(self, env: &Environment) -> PathBuf {
        let p = &env.platform;
        let documents = || p.documents.clone().or_else(|| p.data_local.clone()).unwrap_or_else(|| PathBuf::from(".")).join("certdesk");
        match self {
            Folder::Print => documents().join("print"),
            Folder::Exports => documents().join("reports"),
            Folder::Requests => documents().join("requests"),
            Folder::Backups => env.data_dir().join("backups"),
        }
    }
}

impl Desk<'_> {
    /// A folder: its setting, else its default.
    pub fn folder(&self, which: Folder, env: &Environment) -> Result<PathBuf, DeskError> {
        Ok(self.setting(which.setting())?.map(PathBuf::from).unwrap_or_else(|| which.default_in(env)))
    }

    /// The scanner folder (`scan_folder`); none set is [`DeskError::NoScanFolder`].
    pub fn scan_folder(&self) -> Result<PathBuf, DeskError> {
        self.setting("scan_folder")?.map(PathBuf::from).ok_or(DeskError::NoScanFolder)
    }

    /// The newest scans of the scanner folder (the seal panel polls this, so a sheet the scanner
    /// just wrote shows up by itself).
    pub fn scan_files(&self) -> Result<Vec<ScanFile>, DeskError> {
        let dir = self.scan_folder()?;
        let entries = std::fs::read_dir(&dir).map_err(crate::io("cannot read", &dir))?;
        let mut files: Vec<(std::time::SystemTime, ScanFile)> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let meta = e.metadata().ok().filter(|m| m.is_file())?;
                let name = e.file_name().into_string().ok()?;
                let ext = name.rsplit_once('.').map(|(_, x)| x.to_ascii_lowercase())?;
                if !SCAN_EXTENSIONS.contains(&ext.as_str()) {
                    return None;
                }
                let at = meta.modified().ok()?;
                let modified = DateTime::<Local>::from(at).to_rfc3339();
                Some((at, ScanFile { name, size: meta.len(), modified }))
            })
            .collect();
        files.sort_by_key(|f| std::cmp::Reverse(f.0));
        Ok(files.into_iter().take(crate::limits::SCAN_FOLDER_FILES).map(|(_, f)| f).collect())
    }

    /// A scan of the scanner folder by its plain name, read (at most a scan's size).
    pub fn read_scan(&self, name: &str) -> Result<Vec<u8>, DeskError> {
        let path = self.scan_folder()?.join(plain_name(name)?);
        crate::limits::read_file(&path, "the scan", crate::limits::MAX_SCAN)
    }
}

/// A name typed or sent for a file inside a folder: a plain name, never a path.
pub fn plain_name(name: &str) -> Result<&str, DeskError> {
    if name.is_empty() || name.contains(['/', '\\', ':']) || name == "." || name.contains("..") {
        return Err(DeskError::NotAFileName { name: name.to_string() });
    }
    Ok(name)
}

/// The PDF a case's forms print into: `<case>.pdf`, one form `<case>-<form>.pdf`.
pub fn printed_pdf(number: &str, form: Option<&str>) -> Result<String, DeskError> {
    let number = crate::api::case_number(number)?;
    Ok(match form {
        Some(f) => format!("{number}-{}.pdf", plain_name(f)?),
        None => format!("{number}.pdf"),
    })
}

/// What the print dialog's "print to file" writes: `<case>-打印.pdf`.
pub fn print_to_file(number: &str) -> String {
    format!("{number}-打印.pdf")
}

/// The day's ledger exported: `受理日报-<day>.<csv|xlsx>`.
/// The due list (morning report) exported: `到期提醒-<day>.<csv|xlsx>`.
pub fn due_report(day: NaiveDate, format: &str) -> String {
    format!("到期提醒-{}.{format}", crate::dates::show_day(day))
}

/// The day's invoice list exported: `开票清单-<day>.<csv|xlsx>`.
pub fn invoice_list(day: NaiveDate, format: &str) -> String {
    format!("开票清单-{}.{format}", crate::dates::show_day(day))
}

/// The audit log exported (#79): `审计日志-<from>至<to>.<csv|xlsx>`.
pub fn audit_log(from: NaiveDate, to: NaiveDate, format: &str) -> String {
    format!("审计日志-{}至{}.{format}", crate::dates::show_day(from), crate::dates::show_day(to))
}

pub fn daily_report(day: NaiveDate, format: &str) -> String {
    format!("受理日报-{}.{format}", crate::dates::show_day(day))
}

/// The expiring certificates exported: `到期证书-<days>天-<today>.<csv|xlsx>`.
pub fn expiring_report(days: i64, today: NaiveDate, format: &str) -> String {
    format!("到期证书-{days}天-{}.{format}", crate::dates::show_day(today))
}

/// A backup: `certdesk-<YYYYmmdd-HHMMSS>.db`.
pub fn backup_file_name(now: DateTime<Local>) -> String {
    format!("certdesk-{}.db", now.format("%Y%m%d-%H%M%S"))
}

/// The log exported for support: `certdesk-log-<YYYYmmdd-HHMMSS>.txt`.
pub fn log_export_name(now: DateTime<Local>) -> String {
    format!("certdesk-log-{}.txt", now.format("%Y%m%d-%H%M%S"))
}

/// The image files a scanner writes.
pub const SCAN_EXTENSIONS: [&str; 6] = ["png", "jpg", "jpeg", "tif", "tiff", "bmp"];

/// A scan in the scanner folder.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ScanFile {
    pub name: String,
    pub size: u64,
    /// Last modified, RFC 3339 (local time).
    pub modified: String,
}

/// Writes `bytes` into `dir/name`, readable by this account only (what the counter's files
/// carry: ID numbers, phones).
pub fn write_private(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, DeskError> {
    let path = dir.join(name);
    certdesk_store::private::write(&path, bytes).map_err(crate::io("cannot write", &path))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain_and_dated_as_the_counter_reads_them() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert_eq!(daily_report(day, "csv"), "受理日报-2026-11-24.csv");
        assert_eq!(expiring_report(30, day, "xlsx"), "到期证书-30天-2026-11-24.xlsx");
        assert_eq!(printed_pdf(" gz01-20261124-0001", None).unwrap(), "GZ01-20261124-0001.pdf");
        assert_eq!(printed_pdf("GZ01-20261124-0001", Some("receipt")).unwrap(), "GZ01-20261124-0001-receipt.pdf");
        for bad in ["../x", "a/b", "c:\\d", "", ".."] {
            assert_eq!(printed_pdf("GZ01-20261124-0001", Some(bad)).unwrap_err().kind(), crate::ErrorKind::NotAFileName, "{bad:?}");
        }
        let env = Environment {
            platform: crate::place::Platform { documents: Some("/home/w/Documents".into()), data_local: Some("/home/w/.local/share".into()), ..Default::default() },
            ..Default::default()
        };
        assert_eq!(Folder::Print.default_in(&env), PathBuf::from("/home/w/Documents/certdesk/print"));
        assert_eq!(Folder::Backups.default_in(&env), PathBuf::from("/home/w/.local/share/certdesk/backups"), "backups stay off a synced Documents folder");
    }
}
