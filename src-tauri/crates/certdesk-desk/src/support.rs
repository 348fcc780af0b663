//! The app's log as an administrator reads it back (管理 → 日志) and exports it for support:
//! the newest lines of the daily files, within the log's line limit, and the export into the
//! export folder under a dated name. Owns who may read it and how much; not the log's format
//! or where it is written (the app's `log`), which names its files with [`LOG_FILE_PREFIX`].

use crate::DeskError;
use crate::api::Desk;
use crate::place::Environment;
use certdesk_domain::workflow::Role;
use std::path::{Path, PathBuf};

/// The daily log files: `certdesk.log.2026-11-23`.
pub const LOG_FILE_PREFIX: &str = "certdesk.log";

/// The last `lines` lines of the newest log files in `dir`, oldest first.
pub fn recent(dir: &Path, lines: usize) -> Result<Vec<String>, DeskError> {
    let read = crate::io("cannot read the log in", dir);
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).map_err(&read)?.flatten().map(|e| e.path()).filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(LOG_FILE_PREFIX))).collect();
    // daily files sort by their date suffix
    files.sort();
    let mut out: Vec<String> = Vec::new();
    for file in files.iter().rev() {
        let text = std::fs::read_to_string(file).map_err(&read)?;
        let mut these: Vec<String> = text.lines().map(str::to_string).collect();
        these.append(&mut out);
        out = these;
        if out.len() >= lines {
            break;
        }
    }
    let skip = out.len().saturating_sub(lines);
    Ok(out.split_off(skip))
}

/// What the log export wrote.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct LogExport {
    #[ts(type = "string")]
    pub path: PathBuf,
    pub rows: usize,
}

impl Desk<'_> {
    /// The last lines of the app's log (an administrator; at most `limits::MAX_LOG_LINES`).
    pub fn recent_logs(&self, env: &Environment, lines: Option<usize>) -> Result<Vec<String>, DeskError> {
        self.require("read the log", Role::Admin)?;
        recent(&env.log_dir(), crate::limits::log_lines(lines))
    }

    /// The log's recent lines written to the export folder for support
    /// (`certdesk-log-<time>.txt`).
    pub fn export_logs(&self, env: &Environment) -> Result<LogExport, DeskError> {
        self.require("export the log", Role::Admin)?;
        let lines = recent(&env.log_dir(), crate::limits::MAX_LOG_LINES)?;
        let dir = self.folder(crate::folders::Folder::Exports, env)?;
        let path = crate::folders::write_private(&dir, &crate::folders::log_export_name(chrono::Local::now()), (lines.join("\n") + "\n").as_bytes())?;
        Ok(LogExport { path, rows: lines.len() })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn recent_lines_come_from_the_newest_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("certdesk.log.2026-11-22"), "a\nb\n").unwrap();
        std::fs::write(dir.path().join("certdesk.log.2026-11-23"), "c\nd\n").unwrap();
        std::fs::write(dir.path().join("other.txt"), "x\n").unwrap();
        assert_eq!(super::recent(dir.path(), 3).unwrap(), ["b", "c", "d"]);
        assert_eq!(super::recent(dir.path(), 10).unwrap(), ["a", "b", "c", "d"]);
    }
}
