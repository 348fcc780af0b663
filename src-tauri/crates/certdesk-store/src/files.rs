//! Files kept with a case (attachments), each account's intake draft, filtered case lists for
//! the desks and reports, and backup / restore of the whole store. Attachments are
//! append-only: a newer file of the same name supersedes the older one, which stays; every
//! attachment is recorded on the audit chain with its SHA-256 in the same transaction (bytes as
//! a BLOB on SQLite, `bytea` on a hall: the same digests and size limit). Backup and restore
//! are of a store file; on a hall they answer [`StoreError::NotOnHall`] (the server's own
//! `pg_dump` and point-in-time recovery back a hall up).
//!
//! Backups and restores are bounded and leave nothing half-written under a final name (#78): a
//! backup is written as `<dest>.certdesk-partial` (and its key file beside it), checked, and only
//! then renamed into its name, the key file first; a crash leaves only `*.certdesk-partial*`
//! files, which the next backup into that folder removes and restore refuses by name. A
//! restore refuses what is no store from its first 100 bytes, copies the backup into
//! `<store>.restoring` hashing it in the same pass (a fixed buffer, never the whole file in
//! memory), and a crash before its last rename leaves the running store as it was; what it
//! staged is removed at the next open ([`settle_leftovers`]) or the next restore.

use crate::cases::{CASE_COLUMNS, SUMMARY_COLUMNS, case_from_row, summaries};
use crate::db::{Lite, Row, Sql, Tx, Val, args};
use crate::journal::sync_folder;
use crate::refusal::NotAStore;
use crate::{AuditAction, CaseSummary, NewEvent, Store, StoreError, audit, now, sql};
use certdesk_domain::CaseNumber;
use certdesk_domain::case::sha256_hex;
use certdesk_domain::workflow::{Actor, Role};
use rusqlite::{TransactionBehavior, params};
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

/// Filters of a case list; every one optional. `from` and `to` are instants (RFC 3339, UTC, as
/// the store writes them): `from <= created_at < to`; the application turns the counter's local
/// days into them.
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
    /// A backup of an encrypted store: the copy of its key file beside it (`X.db.keys`); the
    /// backup is the pair (#30). None for a plain store.
    pub key_file: Option<PathBuf>,
}

/// A draft (the intake form as typed, kept per account) is at most 1 MiB.
const MAX_DRAFT_BYTES: usize = 1 << 20;

fn check_instant(t: &str) -> Result<(), StoreError> {
    chrono::DateTime::parse_from_rfc3339(t).map(|_| ()).map_err(|_| StoreError::NotAnInstant { text: t.to_string() })
}

pub(crate) fn check_file(f: &crate::NewFile<'_>) -> Result<(), StoreError> {
    let name = f.name;
    if name.is_empty() || name.len() > 120 || name.chars().any(char::is_control) {
        return Err(StoreError::AttachmentName { name: name.to_string() });
    }
    if f.bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(StoreError::AttachmentTooLarge { name: name.to_string(), size: f.bytes.len(), limit: MAX_ATTACHMENT_BYTES });
    }
    Ok(())
}

/// Stores one file in the caller's transaction with its `attachment_added` event.
pub(crate) fn insert(tx: &mut Tx<'_>, number: &CaseNumber, f: &crate::NewFile<'_>, actor: &str) -> Result<AttachmentInfo, StoreError> {
    check_file(f)?;
    let sha = sha256_hex(f.bytes);
    tx.db.exec(
        "storing an attachment",
        "INSERT INTO attachments (case_number, name, mime, sha256, bytes, at, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        args![number.as_str(), f.name, f.mime, sha.as_str(), f.bytes, tx.at.as_str(), actor],
    )?;
    tx.append(
        &NewEvent::new(actor, AuditAction::AttachmentAdded, &crate::detail::FileAdded { name: f.name.into(), mime: f.mime.into(), size: f.bytes.len(), sha256: sha.clone() })
            .on_case(number),
    )?;
    Ok(AttachmentInfo { name: f.name.into(), mime: f.mime.into(), size: f.bytes.len() as i64, sha256: sha, at: tx.at.clone(), actor: actor.into() })
}

fn read_info(r: &Row) -> Result<AttachmentInfo, StoreError> {
    Ok(AttachmentInfo { name: r.text(0)?, mime: r.text(1)?, size: r.int(2)?, sha256: r.text(3)?, at: r.text(4)?, actor: r.text(5)? })
}

/// The current file of every name kept with the case, by name.
pub(crate) fn list(db: &mut dyn Sql, number: &CaseNumber) -> Result<Vec<AttachmentInfo>, StoreError> {
    crate::reads::note(|r| r.file_lists += 1);
    let rows = db.rows(
        "listing attachments",
        "SELECT name, mime, length(bytes), sha256, at, actor FROM attachments a WHERE case_number = ?1
         AND id = (SELECT max(id) FROM attachments b WHERE b.case_number = a.case_number AND b.name = a.name) ORDER BY name",
        args![number.as_str()],
    )?;
    rows.iter().map(read_info).collect()
}

impl Store {
    /// The current file of every name kept with the case, by name.
    pub fn attachments(&self, number: &CaseNumber) -> Result<Vec<AttachmentInfo>, StoreError> {
        self.read(|db| list(db, number))
    }

    /// The current bytes of one attachment, checked against the SHA-256 recorded with it (none
    /// once a purge emptied it, #30).
    pub fn attachment(&self, number: &CaseNumber, name: &str) -> Result<Option<(AttachmentInfo, Vec<u8>)>, StoreError> {
        let row = self.read(|db| {
            let sql = "SELECT name, mime, length(bytes), sha256, at, actor, bytes, purged_at FROM attachments WHERE case_number = ?1 AND name = ?2 ORDER BY id DESC LIMIT 1";
            db.row("reading an attachment", sql, args![number.as_str(), name])?.map(|r| Ok::<_, StoreError>((read_info(&r)?, r.blob(6)?, r.opt_text(7)?.is_some()))).transpose()
        })?;
        if let Some((info, bytes, false)) = &row
            && sha256_hex(bytes) != info.sha256
        {
            return Err(StoreError::Corrupt { number: number.to_string(), detail: Box::new(crate::refusal::Damage::AttachmentDigest { name: name.to_string() }) });
        }
        Ok(row.map(|(info, bytes, _)| (info, bytes)))
    }

    /// Keeps the account's unfinished intake form (any JSON text); not on the audit chain.
    pub fn save_draft(&mut self, account: &str, body: &str) -> Result<(), StoreError> {
        if body.len() > MAX_DRAFT_BYTES {
            return Err(StoreError::DraftTooLarge { limit: MAX_DRAFT_BYTES });
        }
        serde_json::from_str::<serde_json::Value>(body).map_err(StoreError::DraftNotJson)?;
        let sql = "INSERT INTO drafts (account, body, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT (account) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at";
        self.write_scratch("saving a draft", sql, args![account, body, now()]).map(drop)
    }

    pub fn draft(&self, account: &str) -> Result<Option<String>, StoreError> {
        self.read(|db| db.row("reading a draft", "SELECT body FROM drafts WHERE account = ?1", args![account])?.map(|r| r.text(0)).transpose())
    }

    pub fn clear_draft(&mut self, account: &str) -> Result<(), StoreError> {
        self.write_scratch("clearing a draft", "DELETE FROM drafts WHERE account = ?1", args![account]).map(drop)
    }

    /// Cases matching every given filter, newest first.
    pub fn list_filtered(&self, f: &CaseFilter, limit: usize) -> Result<Vec<CaseSummary>, StoreError> {
        Ok(self.page_filtered(f, 0, limit)?.1)
    }

    /// How many cases match every given filter, and the `limit` of them after the first
    /// `offset`, newest first: a page of the case list with its total.
    pub fn page_filtered(&self, f: &CaseFilter, offset: usize, limit: usize) -> Result<(u64, Vec<CaseSummary>), StoreError> {
        let (conditions, args) = filter_conditions(f)?;
        self.read(|db| {
            let total = db.one("counting cases", &format!("SELECT COUNT(*) FROM cases WHERE {conditions}"), &args)?.int(0)?;
            let query = format!("SELECT {SUMMARY_COLUMNS} FROM cases WHERE {conditions} ORDER BY id DESC LIMIT {limit} OFFSET {offset}");
            Ok((total.max(0) as u64, summaries(db, "listing cases", &query, &args)?))
        })
    }

    /// Full records of the cases created between two instants (RFC 3339, half-open), for reports.
    pub fn cases_created_between(&self, from: &str, to: &str) -> Result<Vec<crate::CaseRecord>, StoreError> {
        // one statement (on a hall one round trip, not one per case)
        let sql = format!("SELECT number, {} FROM cases WHERE created_at >= ?1 AND created_at < ?2 ORDER BY id", CASE_COLUMNS);
        let rows = self.read(|db| db.rows("listing cases", &sql, args![from, to]))?;
        rows.iter()
            .map(|r| {
                let n = r.text(0)?;
                let number = CaseNumber::parse(&n).map_err(|e| StoreError::Corrupt { number: n.clone(), detail: Box::new(crate::refusal::Damage::Number(e)) })?;
                case_from_row(&number, r, 1)
            })
            .collect()
    }

    /// Every event of `action` between two instants (RFC 3339, half-open), oldest first.
    pub fn events_between(&self, action: AuditAction, from: &str, to: &str) -> Result<Vec<crate::AuditEvent>, StoreError> {
        self.read(|db| audit::events_by_action(db, action, from, to))
    }

    /// The audit log's events `filter` selects, newest first (#79).
    pub fn audit_events(&self, filter: &crate::audit::AuditFilter) -> Result<Vec<crate::AuditEvent>, StoreError> {
        self.read(|db| audit::events_filtered(db, filter))
    }

    /// A consistent copy of the store at `dest` (SQLite `VACUUM INTO`), then opened and
    /// checked: integrity and the whole audit chain. `dest` must not exist. An encrypted
    /// store's copy is encrypted under the same key and gets `<dest>.keys` beside it, a copy of
    /// the key file it goes with, read back and checked (neither may exist).
    pub fn backup_to(&self, dest: &Path) -> Result<BackupReport, StoreError> {
        self.backup_to_cancellable(dest, None)
    }

    /// As `backup_to`; setting `cancel` stops the copy at its next step (SQLite's progress
    /// handler interrupts the `VACUUM INTO`) and removes what it had written. The copy is
    /// written as `<dest>.certdesk-partial` (its key file `<dest>.certdesk-partial.keys`),
    /// checked, synced, and renamed into its name, the key file first: a store copy under its
    /// final name always has its key file, and a crash leaves only partial files (removed by
    /// the next backup into the folder, refused by restore).
    pub fn backup_to_cancellable(&self, dest: &Path, cancel: Option<crate::CancelFlag>) -> Result<BackupReport, StoreError> {
        let (conn, _) = self.file("a file backup", NO_FILE_BACKUP)?;
        let never_overwrites = |taken: &Path| StoreError::BackupExists { path: taken.to_path_buf() };
        if dest.exists() {
            return Err(never_overwrites(dest));
        }
        let dest_keys = crate::keys::key_file_path(dest);
        if self.keyed().is_some() && dest_keys.exists() {
            return Err(never_overwrites(&dest_keys));
        }
        let folder = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        crate::private::create_dir_all(folder).map_err(|source| StoreError::Folder { path: folder.to_path_buf(), source })?;
        // what backups a crash interrupted left here goes first
        remove_partial_backups(folder, "");
        let partial = with_suffix(dest, PARTIAL);
        let target = partial.to_str().ok_or_else(|| StoreError::PathNotUtf8 { path: dest.to_path_buf() })?;
        // VACUUM INTO writes into an empty file: made 0600 first, as the store is, and held
        // while it is written so that another backup's clean-up leaves it alone
        let mut writing = PartialBackup::create(&partial)?;
        use std::sync::atomic::{AtomicBool, Ordering};
        let done = AtomicBool::new(false);
        let copied = std::thread::scope(|scope| {
            if let Some(flag) = &cancel {
                // a watcher interrupts the copy when asked (SQLite clears a late interrupt
                // before the connection's next statement)
                let interrupt = conn.get_interrupt_handle();
                let done = &done;
                scope.spawn(move || {
                    while !done.load(Ordering::Relaxed) {
                        if flag.load(Ordering::Relaxed) {
                            interrupt.interrupt();
                            return;
                        }
                        std::thread::sleep(std::time::Duration::from_millis(20));
                    }
                });
            }
            let copied = conn.execute("VACUUM INTO ?1", [target]);
            done.store(true, Ordering::Relaxed);
            copied
        });
        // from here every early return removes the partial files (`PartialBackup`'s drop)
        if let Err(e) = copied {
            let interrupted = matches!(&e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::OperationInterrupted);
            return Err(if interrupted { StoreError::Cancelled { what: "the backup" } } else { sql("writing the backup")(e) });
        }
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(StoreError::Cancelled { what: "the backup" });
        }
        crash_point(CrashPoint::BackupCopied);
        // an encrypted store's backup is encrypted with the same key (VACUUM INTO keeps it); its
        // key file goes beside it
        let key_file = self.backup_key_file(&partial)?;
        let named = |e: StoreError| match e {
            StoreError::NotAStore { path, why } if path == partial => StoreError::NotAStore { path: dest.to_path_buf(), why },
            other => other,
        };
        let mut report = Store::check_backup_with(&partial, self.keyed()).map_err(named)?;
        std::fs::File::open(&partial).and_then(|f| f.sync_all()).map_err(|source| StoreError::Folder { path: partial.clone(), source })?;
        // into their names, the key file first: a store copy never exists without its key file
        if dest.exists() {
            return Err(never_overwrites(dest));
        }
        writing.release();
        if let Some(keys) = &key_file {
            if dest_keys.exists() {
                return Err(never_overwrites(&dest_keys));
            }
            std::fs::rename(keys, &dest_keys).map_err(|source| StoreError::Folder { path: dest_keys.clone(), source })?;
            writing.renamed_keys = Some(dest_keys.clone());
            crash_point(CrashPoint::BackupKeyFileRenamed);
        }
        std::fs::rename(&partial, dest).map_err(|source| StoreError::Folder { path: dest.to_path_buf(), source })?;
        writing.finished = true;
        sync_folder(dest)?;
        report.path = dest.to_path_buf();
        report.key_file = key_file.map(|_| dest_keys);
        Ok(report)
    }

    /// A checked backup written as an administrator, recorded on the chain (`store_backup`);
    /// `cancel` as for `backup_to_cancellable` (nothing recorded then).
    pub fn backup_as(&mut self, dest: &Path, actor: &Actor, cancel: Option<crate::CancelFlag>) -> Result<BackupReport, StoreError> {
        if !actor.has(Role::Admin) {
            return Err(StoreError::AdminOnly { what: "backs up the store", who: actor.name().to_string() });
        }
        let report = self.backup_to_cancellable(dest, cancel)?;
        let detail = crate::detail::BackupWritten { path: report.path.display().to_string(), cases: report.cases, bytes: report.bytes };
        self.record_event(&NewEvent::new(actor.name(), AuditAction::StoreBackup, &detail))?;
        Ok(report)
    }

    /// Opens a backup file and checks it as untrusted input: read-only, with SQLite's defensive
    /// mode and no trust in its schema; its schema must be exactly what this build's migrations
    /// produce for its version (every table, index, trigger and view, with its SQL), its pages
    /// intact and its audit chain whole.
    pub fn check_backup(path: &Path) -> Result<BackupReport, StoreError> {
        Store::check_backup_with(path, None)
    }

    /// As `check_backup`, for a backup of an encrypted store opened with its key.
    pub(crate) fn check_backup_with(path: &Path, keyed: Option<&crate::encrypted::Keyed>) -> Result<BackupReport, StoreError> {
        let bytes = std::fs::metadata(path).map_err(|source| StoreError::Folder { path: path.to_path_buf(), source })?.len();
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = rusqlite::Connection::open_with_flags(path, flags).map_err(sql("opening the backup"))?;
        untrusted(&conn)?;
        if let Some(k) = keyed {
            k.apply(&conn)?;
        }
        let not_a_store = || StoreError::NotAStore { path: path.to_path_buf(), why: NotAStore::NotSqlite };
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|_| not_a_store())?;
        let known = crate::schema::MIGRATIONS.len() as i64;
        if version == 0 || version > known {
            return Err(StoreError::NotAStore { path: path.to_path_buf(), why: NotAStore::Schema { found: version, known } });
        }
        let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|_| not_a_store())?;
        if integrity != "ok" {
            return Err(StoreError::NotAStore { path: path.to_path_buf(), why: NotAStore::Damaged { integrity } });
        }
        let expected = crate::schema::expected_schema(version as usize)?;
        let found = schema_of(&conn)?;
        if let Some(diff) = crate::schema::first_difference(&expected, &found) {
            return Err(StoreError::NotAStore { path: path.to_path_buf(), why: NotAStore::Foreign { diff } });
        }
        audit::register_functions(&conn)?;
        let report = audit::verify(&mut Lite(&conn))?;
        if !report.ok {
            let what = report.first_break.map(|b| b.message).unwrap_or_default();
            return Err(StoreError::NotAStore { path: path.to_path_buf(), why: NotAStore::ChainBroken { what } });
        }
        let cases: i64 = conn.query_row("SELECT count(*) FROM cases", [], |r| r.get(0)).map_err(sql("counting cases"))?;
        Ok(BackupReport { path: path.to_path_buf(), bytes, cases, audit_events: report.events, key_file: None })
    }

    /// Replaces this store by a backup, as an administrator. The backup is copied first and the
    /// copy is what is checked ([`Store::check_backup`]) and installed; the current store is kept
    /// beside it as `<name>.before-restore-<time>`; case numbers handed out by the current store
    /// are never handed out again; `store_restored` (who, the file's SHA-256, where the replaced
    /// store was kept) is appended to the restored chain. Refused while another process has the
    /// store open. On failure the current store is given back unchanged. Encrypted stores and
    /// backups: see [`Store::restore_with`] (this is it with the running store's key only).
    // the store itself travels back in the error so that a failed restore leaves it usable
    #[allow(clippy::result_large_err)]
    pub fn restore_from(self, backup: &Path, actor: &Actor) -> Result<(Store, Restored), (Option<Store>, StoreError)> {
        self.restore_with(backup, actor, None)
    }

    /// As [`Store::restore_from`], for encrypted stores too (#30, design §4.5). An encrypted
    /// backup `X.db` comes with its key file `X.db.keys`: the running store's key opens it when
    /// it is the same (its key check); a backup made before a `store rekey` needs `unlock`, the
    /// recovery key of that time or an account's password of that time (its slot in
    /// `X.db.keys`). The restored store gets the backup's key file (the slots of the backup's
    /// time, as its accounts are). A plain backup restored into an encrypted store is encrypted
    /// on the way in under the running key (the key file stays): a restore never brings
    /// plaintext back.
    #[allow(clippy::result_large_err)]
    pub fn restore_with(self, backup: &Path, actor: &Actor, unlock: Option<crate::Unlock<'_>>) -> Result<(Store, Restored), (Option<Store>, StoreError)> {
        if !actor.has(Role::Admin) {
            let e = StoreError::AdminOnly { what: "restores the store", who: actor.name().to_string() };
            return Err((Some(self), e));
        }
        let path = match self.file("a restore", NO_FILE_BACKUP) {
            Ok((_, path)) => path.to_path_buf(),
            Err(e) => return Err((Some(self), e)),
        };
        let side = |suffix: &str| PathBuf::from(format!("{}{suffix}", path.display()));
        let running = self.keyed().cloned();
        let reopen = |path: &Path| match &running {
            Some(k) => Store::open_keyed(path, k.clone()),
            None => Store::open(path),
        };
        let staged = side(".restoring");
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("certdesk.db").to_string();
        // two restores within one second keep two stores (and their key files)
        let kept = (0..)
            .map(|i| path.with_file_name(if i == 0 { format!("{name}.before-restore-{stamp}") } else { format!("{name}.before-restore-{stamp}-{i}") }))
            .find(|k| !k.exists() && !crate::keys::key_file_path(k).exists())
            .unwrap_or_else(|| path.with_file_name(format!("{name}.before-restore-{stamp}")));
        // the key the restored store is under, and the key file that comes with it (none: the
        // running one stays)
        let mut restored_key: Option<crate::encrypted::Keyed> = None;
        let mut restored_key_file: Option<(crate::keys::KeyFile, PathBuf)> = None;
        // the staged copy, held while this restore may need it (see `settle_leftovers`)
        let mut held_copy: Option<std::fs::File> = None;
        let prepared = (|| -> Result<(BackupReport, String), StoreError> {
            // what is no store is refused from its first bytes, and a backup under another key
            // from its key file, before anything is copied
            let mut early_key = if first_look(backup)? { Some(crate::key_files::backup_key(backup, running.as_ref(), unlock.as_ref())?) } else { None };
            for f in staged_files(&path) {
                if f.exists() {
                    std::fs::remove_file(&f).map_err(|source| StoreError::Folder { path: f.clone(), source })?;
                }
            }
            // one pass: copied and hashed a buffer at a time, never the whole file in memory
            let (copy, sha256) = copy_hashing(backup, &staged)?;
            held_copy = Some(copy);
            crash_point(CrashPoint::RestoreStaged);
            // the copy is what is checked; the administrator knows the file by its own name
            let named = |e: StoreError| match e {
                StoreError::NotAStore { path, why } if path == staged => StoreError::NotAStore { path: backup.to_path_buf(), why },
                other => other,
            };
            let report = match Store::state(&staged)? {
                crate::StoreState::Encrypted { .. } => {
                    let (keyed, file) = match early_key.take() {
                        Some(k) => k,
                        None => crate::key_files::backup_key(backup, running.as_ref(), unlock.as_ref())?,
                    };
                    let report = Store::check_backup_with(&staged, Some(&keyed)).map_err(named)?;
                    crate::key_files::check_backup_pair(&staged, &keyed, &file, backup)?;
                    restored_key = Some(keyed);
                    restored_key_file = Some((file, crate::keys::key_file_path(backup)));
                    report
                }
                _ => {
                    let report = Store::check_backup(&staged).map_err(named)?;
                    if let Some(keyed) = &running {
                        // a plain backup into an encrypted store: encrypted on the way in
                        let encrypting = side(".restoring.encrypting");
                        {
                            let conn = rusqlite::Connection::open(&staged).map_err(sql("opening the backup's copy"))?;
                            audit::register_functions(&conn)?;
                            crate::encrypted::export_into(&conn, &encrypting, keyed)?;
                        }
                        // the plain copy let go of (a held file is not replaced on Windows),
                        // the encrypted one held in its place
                        held_copy = None;
                        std::fs::rename(&encrypting, &staged).map_err(|source| StoreError::Folder { path: staged.clone(), source })?;
                        held_copy = Some(hold(&staged, false)?);
                        for f in [side(".restoring-wal"), side(".restoring-shm")] {
                            let _ = std::fs::remove_file(f);
                        }
                        restored_key = Some(keyed.clone());
                    }
                    report
                }
            };
            Ok((report, sha256))
        })();
        let (report, sha256) = match prepared {
            Ok(p) => p,
            Err(e) => {
                drop(held_copy);
                for f in [staged.clone(), side(".restoring.encrypting")] {
                    let _ = std::fs::remove_file(f);
                }
                return Err((Some(self), e));
            }
        };
        let key_path = crate::keys::key_file_path(&path);
        // the running store's key file, which a plain backup encrypted on the way in keeps
        let running_file = match &running {
            Some(k) => match self.read(crate::key_files::recorded).and_then(|rec| crate::key_files::current(&path, rec.as_ref(), &k.key)) {
                Ok(f) => Some(f),
                Err(e) => {
                    drop(held_copy);
                    let _ = std::fs::remove_file(&staged);
                    return Err((Some(self), e));
                }
            },
            None => None,
        };
        let seqs = match self.case_seqs() {
            Ok(s) => s,
            Err(e) => {
                drop(held_copy);
                let _ = std::fs::remove_file(&staged);
                return Err((Some(self), e));
            }
        };
        if let Err(e) = self.backup_to(&kept) {
            drop(held_copy);
            let _ = std::fs::remove_file(&staged);
            return Err((Some(self), e));
        }
        // alone with the store from here: every other process's handle would keep the old file
        drop(self);
        let exclusive = match crate::open::StoreLock::exclusive(&path) {
            Ok(l) => l,
            Err(e) => {
                drop(held_copy);
                let _ = std::fs::remove_file(&staged);
                let _ = std::fs::remove_file(&kept);
                let _ = std::fs::remove_file(crate::keys::key_file_path(&kept));
                return Err((reopen(&path).ok(), e));
            }
        };
        // the store alone keeps others' clean-up away from the staged copy from here; it is let
        // go of to be renamed (on Windows a held file cannot be)
        drop(held_copy);
        if !staged.exists() {
            drop(exclusive);
            let _ = std::fs::remove_file(&kept);
            let _ = std::fs::remove_file(crate::keys::key_file_path(&kept));
            let e = StoreError::RestoreCopyGone { path: staged.clone() };
            return Err((reopen(&path).ok(), e));
        }
        let finished = (|| -> Result<(), StoreError> {
            let mut restored = Store::open_locked(&staged, restored_key.clone())?;
            let detail = crate::detail::StoreRestored { file: backup.display().to_string(), sha256: sha256.clone(), kept: kept.display().to_string(), cases: report.cases };
            // the key file the restored store goes with: the backup's, or the running one
            let goes_with = match &restored_key_file {
                Some((file, _)) => Some(file.clone()),
                None => running_file.clone(),
            };
            restored.after_restore(&seqs, actor, detail, goes_with.as_ref())?;
            drop(restored);
            // the backup's key file waits as .keys.next: a crash after the database's rename is
            // rolled forward at the next open (its key opens the database, the old .keys' may not)
            if let Some((file, _)) = &restored_key_file {
                file.write_next(&key_path)?;
            }
            for suffix in ["-wal", "-shm"] {
                if side(suffix).exists() {
                    std::fs::remove_file(side(suffix)).map_err(|source| StoreError::Folder { path: side(suffix), source })?;
                }
            }
            std::fs::rename(&staged, &path).map_err(|source| StoreError::Folder { path: path.clone(), source })?;
            if restored_key_file.is_some() {
                crate::keys::install_next(&key_path)?;
            }
            Ok(())
        })();
        drop(exclusive);
        if let Err(e) = finished {
            // before the database's rename the backup's key file goes with it; after, it stays
            // for the next open to roll forward
            if staged.exists() {
                let _ = std::fs::remove_file(crate::keys::next_path(&key_path));
            }
            let _ = std::fs::remove_file(&staged);
            return Err((reopen(&path).ok(), e));
        }
        let opened = match &restored_key {
            Some(k) => Store::open_keyed(&path, k.clone()),
            None => Store::open(&path),
        };
        let encrypted_on_the_way_in = running.is_some() && restored_key_file.is_none();
        match opened {
            Ok(s) => Ok((s, Restored { kept, report, sha256, key_file: restored_key_file.map(|(_, p)| p), encrypted_on_the_way_in })),
            Err(e) => Err((None, e)),
        }
    }

    fn case_seqs(&self) -> Result<Vec<(String, String, i64)>, StoreError> {
        let (conn, _) = self.file("a restore", NO_FILE_BACKUP)?;
        let mut stmt = conn.prepare("SELECT counter, day, last FROM case_seq").map_err(sql("reading case numbers"))?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(sql("reading case numbers"))?;
        rows.collect::<Result<_, _>>().map_err(sql("reading case numbers"))
    }

    /// On a restored store: never hand out a number the replaced store handed out, and record
    /// the restore on the chain.
    fn after_restore(
        &mut self,
        seqs: &[(String, String, i64)],
        actor: &Actor,
        detail: crate::detail::StoreRestored,
        key_file: Option<&crate::keys::KeyFile>,
    ) -> Result<(), StoreError> {
        let (conn, _) = self.file("a restore", NO_FILE_BACKUP)?;
        let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate).map_err(sql("starting a write"))?;
        for (counter, day, last) in seqs {
            tx.execute(
                "INSERT INTO case_seq (counter, day, last) VALUES (?1, ?2, ?3) ON CONFLICT (counter, day) DO UPDATE SET last = max(last, excluded.last)",
                params![counter, day, last],
            )
            .map_err(sql("keeping case numbers"))?;
        }
        let mut lite = Lite(&tx);
        if let Some(file) = key_file {
            crate::key_files::record(&mut lite, file)?;
        }
        let at = audit::clock(&mut lite)?;
        audit::append(&mut lite, &at, &NewEvent::new(actor.name(), AuditAction::StoreRestored, &detail))?;
        tx.commit().map_err(sql("recording the restore"))
    }
}

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
pub struct Restored {
    /// Where the replaced store was kept.
    pub kept: PathBuf,
    pub report: BackupReport,
    /// SHA-256 of the backup file restored.
    pub sha256: String,
    /// An encrypted backup: its key file, whose copy the restored store now has (#30).
    pub key_file: Option<PathBuf>,
    /// A plain backup restored into an encrypted store: encrypted on the way in.
    pub encrypted_on_the_way_in: bool,
}

/// A connection to a file nobody vouches for: defensive mode (no writes to the schema or
/// shadow tables through SQL), no trust in functions its schema calls.
pub(crate) fn untrusted(conn: &rusqlite::Connection) -> Result<(), StoreError> {
    use rusqlite::config::DbConfig;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true).map_err(sql("opening the backup defensively"))?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false).map_err(sql("opening the backup defensively"))?;
    Ok(())
}

/// Every schema object of a database: (type, name, table, SQL), sorted.
pub(crate) fn schema_of(conn: &rusqlite::Connection) -> Result<Vec<crate::schema::SchemaRow>, StoreError> {
    let mut stmt = conn.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name").map_err(sql("reading the schema"))?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).map_err(sql("reading the schema"))?;
    rows.collect::<Result<_, _>>().map_err(sql("reading the schema"))
}

/// The suffix of a backup being written (`<dest>.certdesk-partial`, its key file
/// `<dest>.certdesk-partial.keys`): a name no other program gives a file, so that removing what
/// a crash left never removes anyone else's.
const PARTIAL: &str = ".certdesk-partial";
/// What a restore reads of a file before copying anything: SQLite's header.
const HEADER_BYTES: u64 = 100;
/// The buffer a restore copies and hashes the backup through.
const COPY_BUFFER: usize = 1 << 20;

/// `<path><suffix>` beside it.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn folder_error(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Folder { path: path.to_path_buf(), source }
}

/// Test hook (#78): a step of a backup, a restore or a move into a hall at which this process aborts, as a crash
/// there would (no destructor runs, nothing is cleaned up). For tests that run the operation in
/// a child process; certdesk itself never sets one.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashPoint {
    /// The backup's copy written, its key file not yet.
    BackupCopied = 1,
    /// The backup's key file renamed into its name, the copy not yet.
    BackupKeyFileRenamed = 2,
    /// The restore's copy of the backup staged, nothing replaced yet.
    RestoreStaged = 3,
    /// A `store migrate`'s copy committed in the hall, not yet verified there nor recorded.
    MigrateCopied = 4,
}

static CRASH_AT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Sets (or clears) the step at which this process aborts ([`CrashPoint`]).
#[doc(hidden)]
pub fn crash_at(point: Option<CrashPoint>) {
    CRASH_AT.store(point.map_or(0, |p| p as u8), std::sync::atomic::Ordering::SeqCst);
}

pub(crate) fn crash_point(point: CrashPoint) {
    if CRASH_AT.load(std::sync::atomic::Ordering::SeqCst) == point as u8 {
        std::process::abort();
    }
}

/// Creates `path` (0600; it must not exist) or opens it, and holds it as being written, so that another
/// process's clean-up ([`remove_unless_held`]) leaves it alone: an `flock` on Unix (apart from
/// SQLite's own `fcntl` locks, so SQLite writes it all the same), a handle that does not share
/// deletion on Windows. Released (dropped) before the file is renamed.
fn hold(path: &Path, create_new: bool) -> Result<std::fs::File, StoreError> {
    let mut options = crate::private::open_options();
    options.read(true).write(true).create_new(create_new);
    #[cfg(windows)]
    {
        // FILE_SHARE_READ | FILE_SHARE_WRITE: SQLite opens it too; nobody deletes it
        std::os::windows::fs::OpenOptionsExt::share_mode(&mut options, 0x1 | 0x2);
    }
    let file = options.open(path).map_err(folder_error(path))?;
    #[cfg(unix)]
    file.try_lock().map_err(|e| StoreError::Folder { path: path.to_path_buf(), source: e.into() })?;
    Ok(file)
}

/// Removes `path` unless another process holds it as being written ([`hold`]); whether it
/// was removed.
fn remove_unless_held(path: &Path) -> bool {
    #[cfg(unix)]
    {
        let Ok(file) = std::fs::File::open(path) else { return false };
        if file.try_lock().is_err() {
            return false;
        }
        std::fs::remove_file(path).is_ok()
    }
    // a handle held without sharing deletion makes the removal fail
    #[cfg(not(unix))]
    std::fs::remove_file(path).is_ok()
}

/// The files of a backup being written at `partial`: the copy, SQLite's journal of it, its
/// key file and that key file's `.next`.
fn partial_files(partial: &Path) -> [PathBuf; 4] {
    let keys = crate::keys::key_file_path(partial);
    [partial.to_path_buf(), with_suffix(partial, "-journal"), crate::keys::next_path(&keys), keys]
}

/// A backup being written at `<dest>.certdesk-partial`. Dropped unfinished (an error, a
/// cancel), its files are removed, and the key file if it was renamed into its name already:
/// nothing half-written stays behind.
struct PartialBackup {
    path: PathBuf,
    held: Option<std::fs::File>,
    renamed_keys: Option<PathBuf>,
    finished: bool,
}

impl PartialBackup {
    fn create(path: &Path) -> Result<PartialBackup, StoreError> {
        Ok(PartialBackup { path: path.to_path_buf(), held: Some(hold(path, true)?), renamed_keys: None, finished: false })
    }

    /// Lets go of the copy, to be renamed (on Windows a held file cannot be).
    fn release(&mut self) {
        self.held = None;
    }
}

impl Drop for PartialBackup {
    fn drop(&mut self) {
        self.held = None;
        if self.finished {
            return;
        }
        for f in partial_files(&self.path).iter().chain(self.renamed_keys.as_ref()) {
            let _ = std::fs::remove_file(f);
        }
    }
}

/// Removes from `folder` what backups a crash interrupted left there, of names starting with
/// `prefix`: each `*.certdesk-partial` with its journal and key file, and the key file already
/// renamed into its name whose copy never was (a crash between the two renames: that backup
/// was never reported). A copy another process is writing is left alone. Best effort: what
/// cannot be removed stays for the next time, and restore refuses it by name.
pub(crate) fn remove_partial_backups(folder: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(name) = file_name.to_str().filter(|n| n.starts_with(prefix)) else { continue };
        let partial = if let Some(dest_name) = name.strip_suffix(PARTIAL) {
            let partial = entry.path();
            if !remove_unless_held(&partial) {
                continue;
            }
            let dest = folder.join(dest_name);
            let dest_keys = crate::keys::key_file_path(&dest);
            if !dest.exists() && dest_keys.exists() {
                let _ = std::fs::remove_file(dest_keys);
            }
            partial
        } else if let Some(partial_name) = name.strip_suffix(".keys").or_else(|| name.strip_suffix(".keys.next")).filter(|n| n.ends_with(PARTIAL)) {
            // a key file whose copy is gone already
            let partial = folder.join(partial_name);
            if partial.exists() {
                continue;
            }
            partial
        } else {
            continue;
        };
        for f in partial_files(&partial).iter().skip(1) {
            let _ = std::fs::remove_file(f);
        }
    }
}

/// The files a restore stages beside the store `store`: its copy of the backup, that copy's
/// WAL and shared memory, and a plain backup being encrypted on the way in.
fn staged_files(store: &Path) -> [PathBuf; 4] {
    let staged = with_suffix(store, ".restoring");
    [with_suffix(&staged, "-wal"), with_suffix(&staged, "-shm"), with_suffix(&staged, ".encrypting"), staged]
}

/// What a restore or a backup a crash interrupted left beside the store `store`, removed
/// before it is opened (`Store::state`, which every open asks first): the restore's staged
/// copy (the running store is replaced only by the staged copy's rename, the restore's last
/// step, so it is as it was) and the partial files of the copy of the replaced store it was
/// writing. The staged files only with the store alone: while another process has it open (it
/// may be the one restoring) they stay, for the next open or the next restore. One stat when
/// nothing was left, and one read of the folder.
pub(crate) fn settle_leftovers(store: &Path) {
    let staged = staged_files(store);
    if staged.iter().any(|f| f.exists())
        && let Ok(_alone) = crate::open::StoreLock::exclusive(store)
    {
        let [.., copy] = &staged;
        if !copy.exists() || remove_unless_held(copy) {
            for f in &staged {
                let _ = std::fs::remove_file(f);
            }
        }
    }
    if let Some(name) = store.file_name().and_then(|n| n.to_str()) {
        let folder = store.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        remove_partial_backups(folder, &format!("{name}.before-restore-"));
    }
}

/// What the first 100 bytes of `backup` say, before anything is copied (SQLite's header is 100
/// bytes): a plain store file (SQLite's header; false) or an encrypted one (true), which comes
/// with its key file beside it. Anything else is refused here without reading further, and so
/// is a half-written backup, by its name.
fn first_look(backup: &Path) -> Result<bool, StoreError> {
    use std::io::Read;
    let name = backup.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if name.ends_with(PARTIAL) || name.ends_with(&format!("{PARTIAL}.keys")) {
        return Err(StoreError::NotAStore { path: backup.to_path_buf(), why: NotAStore::HalfWritten });
    }
    // looked at before it is opened: opening a FIFO would wait for a writer for ever
    if !std::fs::metadata(backup).map_err(folder_error(backup))?.is_file() {
        return Err(StoreError::NotAStore { path: backup.to_path_buf(), why: NotAStore::NotAFile });
    }
    let file = std::fs::File::open(backup).map_err(folder_error(backup))?;
    let mut head = Vec::with_capacity(HEADER_BYTES as usize);
    file.take(HEADER_BYTES).read_to_end(&mut head).map_err(folder_error(backup))?;
    if head.len() as u64 == HEADER_BYTES && head.starts_with(b"SQLite format 3\0") {
        return Ok(false);
    }
    let keys = crate::keys::key_file_path(backup);
    if head.len() as u64 == HEADER_BYTES && keys.exists() {
        return Ok(true);
    }
    Err(StoreError::NotAStore { path: backup.to_path_buf(), why: NotAStore::NoHeaderNoKeys { keys } })
}

/// Copies `from` into the new file `to` (0600, held as [`hold`] holds it) and hashes it in
/// the same pass, a fixed buffer at a time; synced. The held copy and its SHA-256.
fn copy_hashing(from: &Path, to: &Path) -> Result<(std::fs::File, String), StoreError> {
    use sha2::Digest;
    use std::io::{Read, Write};
    let mut source = std::fs::File::open(from).map_err(folder_error(from))?;
    let mut copy = hold(to, true)?;
    let mut hasher = sha2::Sha256::new();
    let mut buffer = vec![0u8; COPY_BUFFER];
    loop {
        let read = match source.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(folder_error(from)(e)),
        };
        hasher.update(&buffer[..read]);
        copy.write_all(&buffer[..read]).map_err(folder_error(to))?;
    }
    copy.sync_all().map_err(folder_error(to))?;
    let sha256 = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((copy, sha256))
}

/// The SHA-256 of the file at `path`, read a fixed buffer at a time (a store of gigabytes is
/// never held in memory: `store migrate`).
pub(crate) fn sha256_of_file(path: &Path) -> Result<String, StoreError> {
    use sha2::Digest;
    use std::io::Read;
    let mut source = std::fs::File::open(path).map_err(folder_error(path))?;
    let mut hasher = sha2::Sha256::new();
    let mut buffer = vec![0u8; COPY_BUFFER];
    loop {
        match source.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buffer[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(folder_error(path)(e)),
        }
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// What a hall offers instead of a file backup.
const NO_FILE_BACKUP: &str = "back the hall's server up with pg_dump and its WAL archive (point-in-time recovery) (docs/hall.md, Backups)";

/// The SQL condition of a case filter and its arguments (`?1`, `?2`… in order).
fn filter_conditions(f: &CaseFilter) -> Result<(String, Vec<Val>), StoreError> {
    let mut conditions = vec!["1 = 1".to_string()];
    let mut args: Vec<Val> = Vec::new();
    let mut push = |cond: &str, value: String| {
        args.push(Val::Text(value));
        conditions.push(cond.replace('?', &format!("?{}", args.len())));
    };
    if let Some(s) = f.status.as_ref().filter(|s| !s.is_empty()) {
        push("status = ?", s.clone());
    }
    if let Some(p) = f.project.as_ref().filter(|s| !s.is_empty()) {
        push("project = ?", p.clone());
    }
    if let Some(t) = f.from.as_ref().filter(|s| !s.is_empty()) {
        check_instant(t)?;
        push("created_at >= ?", t.clone());
    }
    if let Some(t) = f.to.as_ref().filter(|s| !s.is_empty()) {
        check_instant(t)?;
        push("created_at < ?", t.clone());
    }
    Ok((conditions.join(" AND "), args))
}
