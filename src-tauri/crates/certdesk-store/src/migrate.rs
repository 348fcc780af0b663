//! Moving a counter into the hall (`certdesk store migrate --from FILE.db --to postgres://…`):
//! a single-desk store file copied verbatim into an empty hall database — settings and the
//! chain head, case numbers, accounts (with their password history), drafts, cases and files with their ids, the audit chain
//! row for row — in one transaction under the chain lock, the search rows rebuilt from the
//! case data (FTS5 is contentless: nothing to read back), then the whole `verify` run on the
//! hall and `store_migrated` appended by the administrator. Owns the statements of that copy.
//! Does not back up or remove the file (it stays as it was: the counter keeps it as its last
//! single-desk backup). A copy that committed before a crash stopped its check and its event is
//! finished by the next `store migrate` of the same file (#78): the hall holds exactly the
//! file's chain, and no `store_migrated`.

use crate::accounts::{AuthError, Password};
use crate::db::{Lite, Sql};
use crate::pg::{HallAddress, ServerPassword};
use crate::{AuditAction, NewEvent, Store, StoreError, sql};
use serde::Serialize;
use std::path::Path;

/// What a migration copied, and where to.
#[derive(Debug, Clone, Serialize)]
pub struct Migrated {
    /// The hall's server, as shown (`USER@HOST:PORT/DB`).
    pub server: String,
    pub cases: i64,
    pub accounts: i64,
    pub attachments: i64,
    /// Events copied (the `store_migrated` event comes after them).
    pub events: i64,
    /// The source's chain head (`seq:hash`), which the hall's chain continues.
    pub source_head: Option<String>,
    /// SHA-256 of the source file.
    pub sha256: String,
}

/// The tables copied as they are, in an order their references allow: the columns (the same
/// in both dialects) and whether their ids are kept (`OVERRIDING SYSTEM VALUE`).
const TABLES: &[(&str, &str, bool)] = &[
    ("settings", "key, value", false),
    ("case_seq", "counter, day, last", false),
    ("accounts", "name, password_hash, roles, failed_logins, locked, disabled, created_at, updated_at, display_name, password_changed_at, must_change", false),
    ("password_history", "account, hash, set_at", false),
    ("drafts", "account, body, updated_at", false),
    (
        "cases",
        "id, number, project, business, cert_kind, status, org_name, handler_name, data, digest, created_at, updated_at, created_by, updated_by, retention_from, retention_basis, purged_at, salt",
        true,
    ),
    ("case_holds", "case_number, reason, held_by, held_at", false),
    ("attachments", "id, case_number, name, mime, sha256, bytes, at, actor, purged_at", true),
    ("audit_events", "seq, at, actor, action, case_number, digest_before, digest_after, detail, prev_hash, hash", false),
    ("audit_personal", "seq, salt, body", false),
    (
        "operator_keys",
        "id, account, fingerprint, certificate, chain_pem, algorithm, subject, issuer, serial_hex, not_before, not_after, enrolled_at, enrolled_by, enrolled_seq, ended_at, ended_by, ended_seq, end_reason",
        true,
    ),
    ("day_closes", "day, seq, sheet, sheet_sha256, fingerprint, algorithm, signature", false),
    ("bank_credits", "id, statement, row, day, amount_fen, payer_name, payer_account, remark, state, why, proposed, imported_at, imported_by", false),
    ("credit_cases", "case_number, credit, at, actor", false),
];

impl Store {
    /// Copies the store file `file` into the empty hall at `address`, as administrator `admin`
    /// of the file (their password checked against the file, which is only read). The file is
    /// checked first as a backup is (integrity, schema, the whole chain); the hall must have
    /// no event, case or account; the copy is one transaction (a failure leaves the hall
    /// empty); the hall is verified before `store_migrated` is appended. Returns the hall's
    /// store.
    pub fn migrate_into_hall(file: &Path, admin: &str, password: &Password, address: &HallAddress, server_password: ServerPassword) -> Result<(Store, Migrated), AuthError> {
        // an encrypted store file (#30) is read with ADMIN's slot in its key file
        let keyed = match Store::state(file)? {
            crate::StoreState::Encrypted { .. } => {
                let unlock = crate::Unlock::Account { name: admin, password };
                Some(crate::key_files::backup_key(file, None, Some(&unlock)).map_err(|_| AuthError::WrongCredentials)?.0)
            }
            _ => None,
        };
        let checked = Store::check_backup_with(file, keyed.as_ref())?;
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = rusqlite::Connection::open_with_flags(file, flags).map_err(sql("opening the store file"))?;
        crate::files::untrusted(&conn)?;
        if let Some(k) = &keyed {
            k.apply(&conn)?;
        }
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql("reading the schema version"))?;
        if version != crate::schema::MIGRATIONS.len() as i64 {
            return Err(StoreError::NotMigratable { path: file.to_path_buf(), found: version, known: crate::schema::MIGRATIONS.len() as i64 }.into());
        }
        let mut src = Lite(&conn);
        let actor = crate::accounts::check_admin(&mut src, admin, password)?;
        // hashed as a stream: a store of gigabytes is never held in memory (#78)
        let sha256 = crate::files::sha256_of_file(file)?;
        let source_head = crate::audit::head(&mut src)?;

        let mut hall = Store::open_hall(address, server_password)?;
        let counts = hall.read(|db| {
            let count = |db: &mut dyn Sql, table: &str| -> Result<i64, StoreError> { db.one("looking at the hall", &format!("SELECT count(*) FROM {table}"), &[])?.int(0) };
            Ok::<_, StoreError>((count(db, "audit_events")?, count(db, "cases")?, count(db, "accounts")?))
        })?;
        // a copy of this very file that committed before a crash stopped its check and its
        // `store_migrated` event: finished now instead of refused (#78)
        let resumed = counts != (0, 0, 0) && hall.read(|db| copy_of(db, source_head.as_deref(), checked.audit_events))?;
        if counts != (0, 0, 0) && !resumed {
            let (events, cases, accounts) = counts;
            return Err(StoreError::HallNotEmpty { address: address.shown().to_string(), events, cases, accounts }.into());
        }
        let copied = if resumed {
            hall.read(|db| {
                TABLES.iter().map(|(table, _, _)| db.one("counting the hall's rows", &format!("SELECT count(*) FROM {table}"), &[])?.int(0)).collect::<Result<Vec<_>, _>>()
            })?
        } else {
            let copied = copy_into(&mut hall, &mut src)?;
            crate::files::crash_point(crate::files::CrashPoint::MigrateCopied);
            copied
        };
        let report = hall.verify_audit()?;
        if !report.ok || report.events != checked.audit_events {
            let what = report.first_break.map(|b| b.message).unwrap_or_else(|| format!("{} event(s) arrived of {}", report.events, checked.audit_events));
            return Err(StoreError::HallCopyDiffers { address: address.shown().to_string(), what }.into());
        }
        let migrated = Migrated {
            server: address.shown().to_string(),
            accounts: copied[2],
            cases: copied[5],
            attachments: copied[7],
            events: copied[8],
            source_head: source_head.clone(),
            sha256: sha256.clone(),
        };
        let detail = crate::detail::StoreMigrated { file: file.display().to_string(), sha256, events: migrated.events, cases: migrated.cases, source_head };
        hall.record_event(&NewEvent::new(actor.name(), AuditAction::StoreMigrated, &detail))?;
        Ok((hall, migrated))
    }
}

/// Whether the hall on `db` holds a copy of the store whose chain head is `source_head` and
/// whose chain has `events` events, and nothing after it: no `store_migrated` event yet.
fn copy_of(db: &mut dyn Sql, source_head: Option<&str>, events: i64) -> Result<bool, StoreError> {
    let Some(source_head) = source_head else { return Ok(false) };
    let hall_head = crate::audit::head(db)?;
    let hall_events = db.one("looking at the hall", "SELECT count(*) FROM audit_events", &[])?.int(0)?;
    let recorded = db.one("looking at the hall", "SELECT count(*) FROM audit_events WHERE action = ?1", crate::db::args![AuditAction::StoreMigrated.wire()])?.int(0)?;
    Ok(hall_head.as_deref() == Some(source_head) && hall_events == events && recorded == 0)
}

/// The file's rows copied into the empty hall in one transaction, the search rows rebuilt:
/// the rows copied per table of [`TABLES`].
fn copy_into(hall: &mut Store, src: &mut Lite<'_>) -> Result<Vec<i64>, StoreError> {
    hall.write(|tx| {
        let mut copied = Vec::new();
        for (table, columns, ids) in TABLES {
            let n = columns.split(',').count();
            let placeholders = (1..=n).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
            let overriding = if *ids { " OVERRIDING SYSTEM VALUE" } else { "" };
            let insert = format!("INSERT INTO {table} ({columns}){overriding} VALUES ({placeholders})");
            let mut rows = 0i64;
            // the file's own key file records stay with the file: a hall has no key file
            let only = if *table == "settings" { format!(" WHERE key NOT IN ('{}', '{}')", crate::key_files::GENERATION, crate::key_files::SHA256) } else { String::new() };
            src.each("reading the store file", &format!("SELECT {columns} FROM {table}{only}"), &[], &mut |row| {
                let values: Vec<crate::db::Val> = (0..n).map(|i| row.val(i).cloned()).collect::<Result<_, _>>()?;
                tx.db.exec("copying into the hall", &insert, &values)?;
                rows += 1;
                Ok(true)
            })?;
            if *ids {
                let reset = format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(max(id), 0) + 1, false) FROM {table}");
                tx.db.one("numbering the hall's rows", &reset, &[])?;
            }
            copied.push(rows);
        }
        // the search rows, from the case data
        src.each("reading the store file", "SELECT id, number, data FROM cases", &[], &mut |row| {
            let (id, number, data) = (row.int(0)?, row.text(1)?, row.text(2)?);
            let data =
                certdesk_domain::CaseData::from_json(&data).map_err(|e| StoreError::Corrupt { number: number.clone(), detail: Box::new(crate::refusal::Damage::Data(e)) })?;
            crate::cases::index_case(tx.db, id, &number, &data, false)?;
            Ok(true)
        })?;
        Ok::<_, StoreError>(copied)
    })
}
