//! Files kept with a case (attachments), each account's intake draft, filtered case lists for
//! the desks and reports, and backup / restore of the whole store. Attachments are
//! append-only: a newer file of the same name supersedes the older one, which stays; every
//! attachment is recorded on the audit chain with its SHA-256 in the same transaction.

use crate::{CaseSummary, NewEvent, SUMMARY_COLUMNS, Store, StoreError, audit, now, read_summary, sql};
use certdesk_domain::case::sha256_hex;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The largest file kept with a case: a 600-dpi colour A4 scan as PNG stays below this.
pub const MAX_ATTACHMENT_BYTES: usize = 64 << 20;

/// What is known about a stored file, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AttachmentInfo {
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
    pub at: String,
    pub actor: String,
}

/// Filters of a case list; every one optional. Days are `YYYY-MM-DD` of `created_at` (UTC).
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<String>,
    pub project: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// What a verified backup holds.
#[derive(Debug, Clone, Serialize)]
pub struct BackupReport {
    pub path: PathBuf,
    pub bytes: u64,
    pub cases: i64,
    pub audit_events: i64,
}

fn check_day(day: &str) -> Result<(), StoreError> {
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").map(|_| ()).map_err(|_| StoreError::Invalid(format!("{day:?} is not a date (YYYY-MM-DD)")))
}

impl Store {
    /// Keeps `bytes` with case `number` under `name` (e.g. `seal:official_seal`), recorded on
    /// the audit chain as `attachment_added` with its size and SHA-256.
    pub fn put_attachment(&mut self, number: &str, name: &str, mime: &str, bytes: &[u8], actor: &str) -> Result<AttachmentInfo, StoreError> {
        let record = self.case(number)?;
        if name.is_empty() || name.len() > 120 || name.chars().any(char::is_control) {
            return Err(StoreError::Invalid(format!("attachment name {name:?} must be 1–120 printable characters")));
        }
        if bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(StoreError::Invalid(format!("{name} is {} bytes; at most {MAX_ATTACHMENT_BYTES} are kept with a case", bytes.len())));
        }
        let sha = sha256_hex(bytes);
        let at = now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql("starting a write"))?;
        tx.execute(
            "INSERT INTO attachments (case_number, name, mime, sha256, bytes, at, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![record.number.as_str(), name, mime, sha, bytes, at, actor],
        )
        .map_err(sql("storing an attachment"))?;
        audit::append(
            &tx,
            &at,
            &NewEvent {
                actor,
                action: "attachment_added",
                case_number: Some(record.number.as_str()),
                detail: serde_json::json!({ "name": name, "mime": mime, "size": bytes.len(), "sha256": sha }),
                ..Default::default()
            },
        )?;
        tx.commit().map_err(sql("committing an attachment"))?;
        Ok(AttachmentInfo { name: name.into(), mime: mime.into(), size: bytes.len() as i64, sha256: sha, at, actor: actor.into() })
    }

    /// The current file of every name kept with the case, by name.
    pub fn attachments(&self, number: &str) -> Result<Vec<AttachmentInfo>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT name, mime, length(bytes), sha256, at, actor FROM attachments a WHERE case_number = ?1
                 AND id = (SELECT max(id) FROM attachments b WHERE b.case_number = a.case_number AND b.name = a.name) ORDER BY name",
            )
            .map_err(sql("listing attachments"))?;
        let rows = stmt
            .query_map([number], |r| Ok(AttachmentInfo { name: r.get(0)?, mime: r.get(1)?, size: r.get(2)?, sha256: r.get(3)?, at: r.get(4)?, actor: r.get(5)? }))
            .map_err(sql("listing attachments"))?;
        rows.collect::<Result<_, _>>().map_err(sql("listing attachments"))
    }

    /// The current bytes of one attachment, checked against the SHA-256 recorded with it.
    pub fn attachment(&self, number: &str, name: &str) -> Result<Option<(AttachmentInfo, Vec<u8>)>, StoreError> {
        let row: Option<(AttachmentInfo, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT name, mime, length(bytes), sha256, at, actor, bytes FROM attachments WHERE case_number = ?1 AND name = ?2 ORDER BY id DESC LIMIT 1",
                params![number, name],
                |r| Ok((AttachmentInfo { name: r.get(0)?, mime: r.get(1)?, size: r.get(2)?, sha256: r.get(3)?, at: r.get(4)?, actor: r.get(5)? }, r.get(6)?)),
            )
            .optional()
            .map_err(sql("reading an attachment"))?;
        if let Some((info, bytes)) = &row
            && sha256_hex(bytes) != info.sha256
        {
            return Err(StoreError::Corrupt { number: number.into(), detail: format!("attachment {name} does not match its recorded SHA-256") });
        }
        Ok(row)
    }

    /// Keeps the account's unfinished intake form (any JSON text); not on the audit chain.
    pub fn save_draft(&mut self, account: &str, body: &str) -> Result<(), StoreError> {
        if body.len() > 1 << 20 {
            return Err(StoreError::Invalid("a draft is at most 1 MiB".into()));
        }
        serde_json::from_str::<serde_json::Value>(body).map_err(|e| StoreError::Invalid(format!("the draft is not JSON: {e}")))?;
        self.conn
            .execute(
                "INSERT INTO drafts (account, body, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT (account) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                params![account, body, now()],
            )
            .map_err(sql("saving a draft"))?;
        Ok(())
    }

    pub fn draft(&self, account: &str) -> Result<Option<String>, StoreError> {
        self.conn.query_row("SELECT body FROM drafts WHERE account = ?1", [account], |r| r.get(0)).optional().map_err(sql("reading a draft"))
    }

    pub fn clear_draft(&mut self, account: &str) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM drafts WHERE account = ?1", [account]).map_err(sql("clearing a draft"))?;
        Ok(())
    }

    /// Cases matching every given filter, newest first.
    pub fn list_filtered(&self, f: &CaseFilter, limit: usize) -> Result<Vec<CaseSummary>, StoreError> {
        let mut conditions = vec!["1 = 1".to_string()];
        let mut args: Vec<String> = Vec::new();
        let mut push = |cond: &str, value: String| {
            args.push(value);
            conditions.push(cond.replace('?', &format!("?{}", args.len())));
        };
        if let Some(s) = f.status.as_ref().filter(|s| !s.is_empty()) {
            push("status = ?", s.clone());
        }
        if let Some(p) = f.project.as_ref().filter(|s| !s.is_empty()) {
            push("project = ?", p.clone());
        }
        if let Some(d) = f.from.as_ref().filter(|s| !s.is_empty()) {
            check_day(d)?;
            push("created_at >= ?", d.clone());
        }
        if let Some(d) = f.to.as_ref().filter(|s| !s.is_empty()) {
            check_day(d)?;
            // the whole last day: created_at is an RFC 3339 time, so compare with the next day
            push("created_at < ?", format!("{d}\u{7f}"));
        }
        let query = format!("SELECT {SUMMARY_COLUMNS} FROM cases WHERE {} ORDER BY id DESC LIMIT {limit}", conditions.join(" AND "));
        let mut stmt = self.conn.prepare(&query).map_err(sql("listing cases"))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), read_summary).map_err(sql("listing cases"))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(sql("listing cases"))
    }

    /// Full records of the cases created between two instants (RFC 3339, half-open), for reports.
    pub fn cases_created_between(&self, from: &str, to: &str) -> Result<Vec<crate::CaseRecord>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT number FROM cases WHERE created_at >= ?1 AND created_at < ?2 ORDER BY id").map_err(sql("listing cases"))?;
        let numbers: Vec<String> = stmt.query_map(params![from, to], |r| r.get(0)).map_err(sql("listing cases"))?.collect::<Result<_, _>>().map_err(sql("listing cases"))?;
        numbers.iter().map(|n| self.case(n)).collect()
    }

    /// Every event of `action` between two instants (RFC 3339, half-open), oldest first.
    pub fn events_between(&self, action: &str, from: &str, to: &str) -> Result<Vec<crate::AuditEvent>, StoreError> {
        audit::events_by_action(&self.conn, action, from, to)
    }

    /// A consistent copy of the store at `dest` (SQLite `VACUUM INTO`), then opened and
    /// checked: integrity and the whole audit chain. `dest` must not exist.
    pub fn backup_to(&self, dest: &Path) -> Result<BackupReport, StoreError> {
        if dest.exists() {
            return Err(StoreError::Invalid(format!("{} exists already; a backup never overwrites a file", dest.display())));
        }
        if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Folder { path: parent.to_path_buf(), source })?;
        }
        let target = dest.to_str().ok_or_else(|| StoreError::Invalid(format!("{} is not a UTF-8 path", dest.display())))?;
        self.conn.execute("VACUUM INTO ?1", [target]).map_err(sql("writing the backup"))?;
        Store::check_backup(dest)
    }

    /// Opens a backup file and checks it (integrity, schema not newer, audit chain intact).
    pub fn check_backup(path: &Path) -> Result<BackupReport, StoreError> {
        let bytes = std::fs::metadata(path).map_err(|source| StoreError::Folder { path: path.to_path_buf(), source })?.len();
        let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sql("opening the backup"))?;
        let header_ok: Result<i64, _> = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0));
        header_ok.map_err(|_| StoreError::Invalid(format!("{} is not a certdesk store", path.display())))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql("reading the backup's schema"))?;
        let known = crate::schema::MIGRATIONS.len() as i64;
        if version == 0 || version > known {
            return Err(StoreError::Invalid(format!("{} has schema {version}; this build reads 1–{known}", path.display())));
        }
        let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(sql("checking the backup"))?;
        if integrity != "ok" {
            return Err(StoreError::Invalid(format!("{} is damaged: {integrity}", path.display())));
        }
        let report = audit::verify(&conn)?;
        if !report.ok {
            let what = report.first_break.map(|b| b.message).unwrap_or_default();
            return Err(StoreError::Invalid(format!("{}: the audit chain is broken: {what}", path.display())));
        }
        let cases: i64 = conn.query_row("SELECT count(*) FROM cases", [], |r| r.get(0)).map_err(sql("counting cases"))?;
        Ok(BackupReport { path: path.to_path_buf(), bytes, cases, audit_events: report.events })
    }

    /// Replaces this store by a checked backup. The current file is kept beside it as
    /// `<name>.before-restore-<time>`; returns the reopened store and that path.
    pub fn restore_from(self, backup: &Path) -> Result<(Store, PathBuf), (Option<Store>, StoreError)> {
        if let Err(e) = Store::check_backup(backup) {
            return Err((Some(self), e));
        }
        let path = self.path.clone();
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let kept = path.with_file_name(format!("{}.before-restore-{stamp}", path.file_name().and_then(|n| n.to_str()).unwrap_or("certdesk.db")));
        if let Err(e) = self.backup_to(&kept) {
            return Err((Some(self), e));
        }
        drop(self);
        let side = |suffix: &str| PathBuf::from(format!("{}{suffix}", path.display()));
        let staged = side(".restoring");
        let io = |e: std::io::Error| StoreError::Folder { path: path.clone(), source: e };
        let result = std::fs::copy(backup, &staged)
            .and_then(|_| {
                for suffix in ["-wal", "-shm"] {
                    if side(suffix).exists() {
                        std::fs::remove_file(side(suffix))?;
                    }
                }
                std::fs::rename(&staged, &path)
            })
            .map_err(io);
        if let Err(e) = result {
            return Err((Store::open(&path).ok(), e));
        }
        match Store::open(&path) {
            Ok(s) => Ok((s, kept)),
            Err(e) => Err((None, e)),
        }
    }
}
