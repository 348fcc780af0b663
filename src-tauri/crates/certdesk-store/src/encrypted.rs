//! An encrypted store file (#30, docs/design-privacy.md §3): telling a plain file from an
//! encrypted one without a key, creating one with its first administrator (the recovery key
//! shown once), opening one with an account's slot or the recovery key, and keeping the slots
//! with the accounts (a password set or changed puts the account's slot in; a disabled account's
//! goes). Owns the order of those steps; the cryptography and the key file are `keys`'.
//!
//! The key file kept in step with the store (its generation recorded, rolled forward after a
//! crash) is `key_files`'; wrong passwords counted before the store is open are `attempts`'.

use crate::accounts::{AuthError, Password};
use crate::keys::{Cipher, DataKey, KeyFile, RecoverySecret, key_file_path};
use crate::{Store, StoreError, sql};
use rusqlite::Connection;
use std::path::Path;
use std::sync::Arc;
use zeroize::Zeroizing;

/// What opens an encrypted store.
pub enum Unlock<'a> {
    /// An account's slot, with its password.
    Account { name: &'a str, password: &'a Password },
    /// The recovery key on paper: opens the store without the key file.
    Recovery(&'a RecoverySecret),
}

/// What is at a store's path, told without a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreState {
    /// No file, or an empty one.
    Missing,
    /// A plain SQLite file.
    Plain,
    /// An encrypted file; whether its key file is beside it.
    Encrypted { key_file: bool },
}

/// An open encrypted store's key and SQLCipher's settings, for every connection to it.
#[derive(Clone)]
pub(crate) struct Keyed {
    pub(crate) key: Arc<DataKey>,
    pub(crate) cipher: Cipher,
}

impl Keyed {
    /// `PRAGMA key` and SQLCipher's settings: the first statements on a connection.
    pub(crate) fn apply(&self, conn: &Connection) -> Result<(), StoreError> {
        let statement = Zeroizing::new(format!("{} PRAGMA key = \"{}\"; {}", self.cipher.default_pragmas(), &*self.key.pragma_value(), self.cipher.pragmas()));
        conn.execute_batch(&statement).map_err(sql("keying the database"))
    }

    /// Whether this key opens the store file at `path` (read only). Never while this process
    /// has the store open (see `Store::state`).
    fn opens(&self, path: &Path) -> bool {
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Connection::open_with_flags(path, flags)
            .map_err(sql("opening the database"))
            .and_then(|conn| {
                self.apply(&conn)?;
                conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)).map_err(sql("reading the schema"))
            })
            .is_ok()
    }
}

impl Store {
    /// What is at `path`: missing, a plain SQLite file, or an encrypted one (a file that does
    /// not start with SQLite's header: SQLCipher's first 16 bytes are its salt). Never while
    /// this process has the store open: closing any descriptor of a file drops the process's
    /// POSIX locks on it, SQLite's included, and another process could then checkpoint and
    /// remove the WAL under the open connections (found by the e2e: a short read after a CLI
    /// command ran beside the app). `reopen` does not ask.
    /// A `store encrypt` a crash interrupted is settled first ([`crate::journal`]).
    pub fn state(path: &Path) -> Result<StoreState, StoreError> {
        use std::io::Read;
        crate::journal::settle_before_open(path)?;
        // a backup or restore a crash interrupted: what it left beside the store removed
        crate::files::settle_leftovers(path);
        let mut head = [0u8; 16];
        let read = match std::fs::File::open(path) {
            Ok(mut f) => f.read(&mut head).map_err(|source| StoreError::Folder { path: path.to_path_buf(), source })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(source) => return Err(StoreError::Folder { path: path.to_path_buf(), source }),
        };
        Ok(match read {
            0 => StoreState::Missing,
            _ if head[..read] == b"SQLite format 3\0"[..read] => StoreState::Plain,
            _ => StoreState::Encrypted { key_file: key_file_path(path).exists() },
        })
    }

    /// Whether nothing was ever written to this store: no account, no case, no audit event
    /// (a plain file a command made before the first account; it may be replaced by an
    /// encrypted one).
    pub fn is_blank(&self) -> Result<bool, StoreError> {
        self.read(|db| {
            let n = db
                .one("looking for any account, case or event", "SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM cases) + (SELECT count(*) FROM audit_events)", &[])?
                .int(0)?;
            Ok(n == 0)
        })
    }

    /// A new encrypted store at `path` with its first administrator: the data key drawn, the
    /// key file written with the administrator's slot. Returns the store and the recovery key,
    /// to be shown once and never again (it is kept nowhere).
    pub fn create_encrypted(path: &Path, admin: &str, password: &Password) -> Result<(Store, Zeroizing<String>), AuthError> {
        Store::create_encrypted_with_roles(path, admin, &[certdesk_domain::workflow::Role::Admin], password)
    }

    /// As [`Store::create_encrypted`], the first account with `roles` (an administrator's role
    /// among them, as on any new store). A refusal leaves nothing behind (no key file, no
    /// store), so the same set-up can be done again.
    pub fn create_encrypted_with_roles(path: &Path, admin: &str, roles: &[certdesk_domain::workflow::Role], password: &Password) -> Result<(Store, Zeroizing<String>), AuthError> {
        if Store::state(path)? != StoreState::Missing || key_file_path(path).exists() {
            return Err(AuthError::StoreExists { path: path.to_path_buf() });
        }
        crate::accounts::check_password(password)?;
        let secret = RecoverySecret::generate();
        let key = secret.data_key();
        let file = KeyFile::new(&key);
        let keyed = Keyed { key: Arc::new(key), cipher: file.cipher.clone() };
        // the key file first: an account's slot is written into it when the account is added
        file.write(&key_file_path(path)).map_err(StoreError::from)?;
        let made = Store::open_keyed(path, keyed).map_err(AuthError::from).and_then(|mut store| store.add_account(admin, roles, password, None).map(|_| store));
        match made {
            Ok(store) => Ok((store, secret.to_text())),
            Err(e) => {
                // nothing of a set-up that failed stays (an empty file and a key file would
                // refuse the next attempt)
                for leftover in [key_file_path(path), crate::keys::next_path(&key_file_path(path)), path.to_path_buf(), sidecar(path, "-wal"), sidecar(path, "-shm")] {
                    let _ = std::fs::remove_file(leftover);
                }
                Err(e)
            }
        }
    }

    /// Opens an encrypted store with an account's slot (a wrong password or an account without
    /// a slot: `WrongCredentials`, nothing opened) or the recovery key (the key file not
    /// needed). The slots of `<store>.keys` are tried, then those of a `<store>.keys.next` a
    /// crash left (both wrap the store's key unless a rekey or restore was interrupted); once
    /// open, such a `.keys.next` is rolled forward or removed (`settle_key_files`), and with an
    /// account the key file must be the one the store records (a stale or newer one is named).
    /// The account is then signed in as on any store (`authenticate`).
    pub fn open_encrypted(path: &Path, unlock: Unlock<'_>) -> Result<Store, AuthError> {
        if let StoreState::Missing | StoreState::Plain = Store::state(path)? {
            return Err(AuthError::NotEncrypted { path: path.to_path_buf() });
        }
        let key_path = key_file_path(path);
        let next = crate::keys::next_path(&key_path);
        let (keyed, by_account) = match unlock {
            Unlock::Account { name, password } => {
                let mut found = None;
                let mut failed = None;
                let mut has_slot = false;
                for candidate in [&key_path, &next] {
                    let file = match KeyFile::read(candidate) {
                        Ok(f) => f,
                        Err(e) if candidate == &key_path => {
                            failed = Some(e);
                            continue;
                        }
                        Err(_) => continue,
                    };
                    has_slot |= file.slots.iter().any(|s| s.account == name);
                    match file.unlock(name, password.bytes(), &key_path) {
                        Ok(Some(key)) => {
                            let keyed = Keyed { key: Arc::new(key), cipher: file.cipher };
                            // with a .keys.next beside it, the key must be the database's
                            if !next.exists() || keyed.opens(path) {
                                found = Some(keyed);
                                break;
                            }
                        }
                        Ok(None) => {}
                        Err(e) => failed = failed.or(Some(e)),
                    }
                }
                match (found, failed) {
                    // locked by wrong passwords before the store was open: said only now
                    (Some(_), _) if crate::attempts::pending(path, name) >= crate::accounts::MAX_FAILED_LOGINS => {
                        return Err(AuthError::Locked { name: name.to_string() });
                    }
                    (Some(keyed), _) => (keyed, true),
                    (None, Some(e)) => return Err(StoreError::from(e).into()),
                    (None, None) => {
                        // counted before the store is open (only an account with a slot)
                        if has_slot {
                            crate::attempts::count(path, name)?;
                        }
                        return Err(AuthError::WrongCredentials);
                    }
                }
            }
            Unlock::Recovery(secret) => {
                let key = secret.data_key();
                // the paper outranks the key file: only a key of another store is refused
                let cipher = match KeyFile::read(&key_path).or_else(|_| KeyFile::read(&next)) {
                    Ok(file) if file.key_check != key.check_value() && !(Keyed { key: Arc::new(secret.data_key()), cipher: file.cipher.clone() }).opens(path) => {
                        return Err(StoreError::from(crate::keys::KeyError::WrongKey).into());
                    }
                    Ok(file) => file.cipher,
                    Err(_) => Cipher::standard(),
                };
                (Keyed { key: Arc::new(key), cipher }, false)
            }
        };
        let mut store = match Store::open_keyed(path, keyed.clone()) {
            Ok(store) => store,
            // a slot of the key file opened, and its key does not open the store: SQLite's
            // "file is not a database" says nothing of which file is wrong (#78)
            Err(e) if by_account && !keyed.opens(path) => {
                return Err(AuthError::KeyFileMismatch { key_file: key_path, store: path.to_path_buf(), sqlite: e.to_string() });
            }
            Err(e) => return Err(e.into()),
        };
        store.settle_key_files()?;
        store.absorb_attempts()?;
        if by_account {
            let rec = store.read(|db| crate::key_files::recorded(db))?;
            crate::key_files::current(path, rec.as_ref(), &keyed.key)?;
        }
        Ok(store)
    }

    /// Whether this store is an encrypted file.
    pub fn is_encrypted(&self) -> bool {
        self.keyed().is_some()
    }
}

/// What `store encrypt` did.
pub struct Encrypted {
    pub store: Store,
    /// To be shown once and never again.
    pub recovery_key: Zeroizing<String>,
    pub tables: i64,
    pub rows: i64,
    /// The enabled accounts other than the administrator's: no slot until an administrator
    /// gives them a new password.
    pub without_slot: Vec<String>,
}

/// `store encrypt` begun, its recovery key not shown yet: the plain store is as it was, held
/// alone. [`PendingEncrypt::finish`] puts the encrypted copy in its place; dropped unfinished,
/// the copy, its key file and the journal are removed.
pub struct PendingEncrypt {
    store: Option<Store>,
    path: std::path::PathBuf,
    secret: RecoverySecret,
    keyed: Keyed,
    file: KeyFile,
    without_slot: Vec<String>,
    tables: i64,
    rows: i64,
}

impl PendingEncrypt {
    /// The recovery key, to be shown (and written down) before [`PendingEncrypt::finish`].
    pub fn recovery_key(&self) -> Zeroizing<String> {
        self.secret.to_text()
    }

    /// The store file being encrypted.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The tables and rows the encrypted copy was compared on.
    pub fn tables(&self) -> i64 {
        self.tables
    }

    pub fn rows(&self) -> i64 {
        self.rows
    }

    /// The enabled accounts other than the administrator's: no slot until an administrator
    /// gives them a new password.
    pub fn without_slot(&self) -> &[String] {
        &self.without_slot
    }

    fn encrypting(&self) -> std::path::PathBuf {
        with_suffix(&self.path, ".encrypting")
    }

    fn plain(&self) -> Result<&Store, StoreError> {
        self.store.as_ref().ok_or_else(|| StoreError::Internal { what: "store encrypt: the plain store is closed already", detail: String::new() })
    }

    /// The second half of `store encrypt`, once the recovery key was shown: the plain file
    /// closed (still held alone), renamed to `<store>.plain-old`, the encrypted copy renamed
    /// into its place, the plain copy removed, the journal removed. A crash on the way is
    /// settled at the next open ([`crate::journal`]).
    pub fn finish(mut self) -> Result<Encrypted, AuthError> {
        let path = self.path.clone();
        let io = |source: std::io::Error| StoreError::Folder { path: path.clone(), source };
        let lock = self.store.take().ok_or_else(|| StoreError::Internal { what: "store encrypt finished already", detail: String::new() })?.close_keeping_lock()?;
        let old = with_suffix(&path, ".plain-old");
        // a WAL the close left goes with the plain file (it would be read as the new file's)
        for side in ["-wal", "-shm"] {
            if with_suffix(&path, side).exists() {
                std::fs::rename(with_suffix(&path, side), with_suffix(&old, side)).map_err(io)?;
            }
        }
        std::fs::rename(&path, &old).map_err(io)?;
        std::fs::rename(self.encrypting(), &path).map_err(io)?;
        crate::journal::sync_folder(&path)?;
        std::fs::remove_file(&old).map_err(io)?;
        for side in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(with_suffix(&old, side));
        }
        crate::journal::Journal::remove(&path)?;
        drop(lock);
        let store = Store::open_keyed(&path, self.keyed.clone())?;
        Ok(Encrypted { store, recovery_key: self.secret.to_text(), tables: self.tables, rows: self.rows, without_slot: std::mem::take(&mut self.without_slot) })
    }
}

impl Drop for PendingEncrypt {
    fn drop(&mut self) {
        // not finished: nothing of the encrypted copy stays (the plain file was never touched)
        if let Some(store) = self.store.take() {
            let target = self.encrypting();
            let key_path = key_file_path(&self.path);
            for leftover in [
                with_suffix(&target, "-journal"),
                with_suffix(&target, "-wal"),
                with_suffix(&target, "-shm"),
                with_suffix(&target, ".lock"),
                target,
                crate::keys::next_path(&key_path),
                key_path,
            ] {
                let _ = std::fs::remove_file(leftover);
            }
            let _ = crate::journal::Journal::remove(&self.path);
            drop(store);
        }
    }
}

impl Store {
    /// Turns this plain store file into an encrypted one (`store encrypt`, #30): begun
    /// ([`Store::encrypt_begin`]) and finished at once. An adapter that shows the recovery key
    /// calls the two itself, and shows the key between them.
    pub fn encrypt(self, admin: &str, password: &Password) -> Result<Encrypted, AuthError> {
        self.encrypt_begin(admin, password)?.finish()
    }

    /// The first half of `store encrypt` (#30, #78): `admin` (an administrator, with the
    /// password that becomes its slot) checked; the store taken alone; the journal written
    /// ([`crate::journal`]); the file checkpointed and copied into `<store>.encrypting` under a
    /// new data key (`sqlcipher_export`), the copy checked (integrity; every table's row count
    /// and rows' digest equal to the plain file's; the audit chain); the key file written with
    /// the administrator's slot and recorded in the copy with the `store_encrypted` event. The
    /// plain file is untouched: the recovery key is to be shown now, then
    /// [`PendingEncrypt::finish`] swaps the files. Dropped unfinished (or a crash), nothing of it
    /// stays. The other accounts keep their roles and history but need a new password from an
    /// administrator (a slot) before they can sign in.
    pub fn encrypt_begin(mut self, admin: &str, password: &Password) -> Result<PendingEncrypt, AuthError> {
        let actor = self.authenticate(admin, password)?;
        if !actor.has(certdesk_domain::workflow::Role::Admin) {
            return Err(AuthError::AdminOnly { what: "encrypts the store", who: Some(admin.to_string()) });
        }
        if self.keyed().is_some() {
            return Err(AuthError::EncryptedAlready { path: self.path().to_path_buf() });
        }
        let path = self.file("encrypting the store", "a hall's data is on its server: encrypt the server's disk (docs/hall.md)")?.1.to_path_buf();
        let without_slot: Vec<String> = self.accounts()?.into_iter().filter(|a| !a.disabled && a.name != admin).map(|a| a.name).collect();
        let secret = RecoverySecret::generate();
        let key = secret.data_key();
        let mut file = KeyFile::new(&key);
        // the argon2 work before the store is taken alone
        file.set_slot(&key, admin, password.bytes(), &crate::now()).map_err(StoreError::from)?;
        let keyed = Keyed { key: Arc::new(key), cipher: file.cipher.clone() };
        drop(self);
        let lock = crate::open::StoreLock::exclusive(&path)?;
        let store = Store::open_with(&path, lock, None)?;
        let mut pending = PendingEncrypt { store: Some(store), path: path.clone(), secret, keyed, file, without_slot, tables: 0, rows: 0 };
        crate::journal::Journal::new(crate::journal::Operation::Encrypt, admin, pending.keyed.key.check_value()).write(&path)?;
        let target = pending.encrypting();
        let _ = std::fs::remove_file(&target);
        let (tables, rows) = {
            let (conn, _) = pending.plain()?.file("encrypting the store", "")?;
            export_into(conn, &target, &pending.keyed)?
        };
        (pending.tables, pending.rows) = (tables, rows);
        pending.file.write(&key_file_path(&path)).map_err(StoreError::from)?;
        {
            // the copy is whole before the swap: its key file recorded, its event on its chain
            let mut copy = Store::open_locked(&target, Some(pending.keyed.clone()))?;
            let detail = crate::detail::StoreEncrypted { tables, rows, without_slot: pending.without_slot.clone() };
            let file = pending.file.clone();
            copy.write(|tx| {
                crate::key_files::record(tx.db, &file)?;
                tx.append(&crate::NewEvent::new(admin, crate::AuditAction::StoreEncrypted, &detail))
            })?;
        }
        let _ = std::fs::remove_file(with_suffix(&target, ".lock"));
        Ok(pending)
    }

    /// Opens an encrypted store with its recovery key and gives administrator `admin` a new
    /// password and slot (`store open-with-recovery`): every password lost, or the key file.
    /// A key file that is missing, damaged or changed outside certdesk is made anew with that
    /// one slot (the other accounts then need a new password, as after `store encrypt`). The
    /// password rule and the account's last passwords apply as to any change (`Reused`).
    pub fn recover(path: &Path, secret: &RecoverySecret, admin: &str, password: &Password) -> Result<Store, AuthError> {
        crate::accounts::check_password(password)?;
        let mut store = Store::open_encrypted(path, Unlock::Recovery(secret))?;
        let account = store.account(admin)?.ok_or_else(|| AuthError::NoAccount(admin.to_string()))?;
        if account.disabled || !account.roles.contains(&certdesk_domain::workflow::Role::Admin) {
            return Err(AuthError::AdminOnly { what: "gets a password from the recovery key (an enabled one)", who: Some(admin.to_string()) });
        }
        // the last passwords are refused here as at any other change (#78)
        store.read(|db| crate::accounts::check_not_reused(db, admin, password))?;
        let hashed = crate::accounts::hash(password)?;
        let key_path = key_file_path(path);
        let key = secret.data_key();
        let slot = crate::keys::Slot::seal(admin, password.bytes(), &key, &crate::now()).map_err(StoreError::from)?;
        store.write(|tx| {
            // the key file the store goes with, or (missing, damaged, changed outside certdesk,
            // stale) a new one: the next generation either way, written as .keys.next
            let rec = crate::key_files::recorded(tx.db)?;
            let current = crate::key_files::current(path, rec.as_ref(), &key).ok();
            let rebuilt = current.is_none();
            let mut file = current.unwrap_or_else(|| KeyFile::new(&key));
            file.generation = file.generation.max(rec.map(|r| r.generation).unwrap_or(0));
            file.put_slot(&key, slot);
            crate::key_files::record(tx.db, &file)?;
            file.write_next(&key_path).map_err(StoreError::from)?;
            tx.db.exec(
                "setting a password",
                "UPDATE accounts SET password_hash = ?2, failed_logins = 0, locked = 0, updated_at = ?3, password_changed_at = ?3, must_change = 0 WHERE name = ?1",
                crate::db::args![admin, hashed.as_str(), tx.at.as_str()],
            )?;
            crate::accounts::remember_password(tx.db, admin, &hashed, &tx.at)?;
            let detail = crate::detail::StoreRecovered { user: admin.to_string(), key_file_rebuilt: rebuilt };
            tx.append(&crate::NewEvent::new(admin, crate::AuditAction::StoreRecovered, &detail))?;
            Ok::<_, AuthError>(())
        })?;
        crate::keys::install_next(&key_path).map_err(StoreError::from)?;
        crate::attempts::clear(path, admin)?;
        Ok(store)
    }
}

/// `<path><suffix>` beside it.
fn with_suffix(path: &Path, suffix: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(format!("{}{suffix}", path.display()))
}

/// Copies the plain database on `conn` into `target` under `keyed`, then checks the copy:
/// integrity, the schema version, and every table's row count and rows' digest against the
/// plain file's. Returns the tables and rows compared.
pub(crate) fn export_into(conn: &Connection, target: &Path, keyed: &Keyed) -> Result<(i64, i64), StoreError> {
    let target_text = target.to_str().ok_or_else(|| StoreError::PathNotUtf8 { path: target.to_path_buf() })?;
    crate::private::open_options().write(true).create_new(true).open(target).map_err(|source| StoreError::Folder { path: target.to_path_buf(), source })?;
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").map_err(sql("checkpointing the store"))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql("reading the schema version"))?;
    // the attached file takes SQLCipher's defaults for its settings: the key file's profile
    let attach = Zeroizing::new(format!("ATTACH DATABASE ?1 AS enc KEY \"{}\"", &*keyed.key.pragma_value()));
    let exported = (|| {
        conn.execute_batch(&keyed.cipher.default_pragmas())?;
        conn.execute(&attach, [target_text])?;
        conn.query_row("SELECT sqlcipher_export('enc')", [], |_| Ok(()))?;
        conn.execute_batch(&format!("PRAGMA enc.user_version = {version}; DETACH DATABASE enc;"))
    })();
    if let Err(e) = exported {
        let _ = conn.execute_batch("DETACH DATABASE enc;");
        let _ = std::fs::remove_file(target);
        return Err(sql("copying the store into the encrypted file")(e));
    }
    // the copy, opened with its key, must hold what the plain file holds
    let check = || -> Result<(i64, i64), StoreError> {
        let enc = Connection::open(target).map_err(sql("opening the encrypted copy"))?;
        keyed.apply(&enc)?;
        crate::audit::register_functions(&enc)?;
        let ok: String = enc.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(sql("checking the encrypted copy"))?;
        let enc_version: i64 = enc.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql("reading the copy's schema version"))?;
        if ok != "ok" || enc_version != version {
            return Err(StoreError::CopyCheck(crate::refusal::CopyCheck::Integrity { integrity: ok, found: enc_version, expected: version }));
        }
        let tables: Vec<String> = {
            let mut st = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND rootpage > 0 ORDER BY name").map_err(sql("listing the tables"))?;
            st.query_map([], |r| r.get(0)).map_err(sql("listing the tables"))?.collect::<Result<_, _>>().map_err(sql("listing the tables"))?
        };
        let mut rows = 0;
        for table in &tables {
            // every row as text, sorted (WITHOUT ROWID tables have no rowid to order by)
            let digest = |c: &Connection| -> Result<(i64, String), StoreError> {
                use sha2::Digest;
                let mut st = c.prepare(&format!("SELECT * FROM \"{}\"", table.replace('"', "\"\""))).map_err(sql("reading a table"))?;
                let columns = st.column_count();
                let mut all = Vec::new();
                let mut q = st.query([]).map_err(sql("reading a table"))?;
                while let Some(row) = q.next().map_err(sql("reading a table"))? {
                    let mut text = String::new();
                    for i in 0..columns {
                        text.push_str(&format!("{:?}\u{1f}", row.get_ref(i).map_err(sql("reading a value"))?));
                    }
                    all.push(text);
                }
                all.sort();
                let mut hasher = sha2::Sha256::default();
                for row in &all {
                    hasher.update(row.as_bytes());
                    hasher.update(b"\x1e");
                }
                Ok((all.len() as i64, format!("{:x}", hasher.finalize())))
            };
            let (plain, copy) = (digest(conn)?, digest(&enc)?);
            if plain != copy {
                return Err(StoreError::CopyCheck(crate::refusal::CopyCheck::Table { table: table.clone() }));
            }
            rows += plain.0;
        }
        let report = crate::audit::verify(&mut crate::db::Lite(&enc))?;
        if !report.ok {
            return Err(StoreError::CopyCheck(crate::refusal::CopyCheck::Chain));
        }
        Ok((tables.len() as i64, rows))
    };
    check().inspect_err(|_| {
        let _ = std::fs::remove_file(target);
    })
}

/// `<store><suffix>` (SQLite's `-wal` and `-shm` beside the store).
fn sidecar(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    std::path::PathBuf::from(name)
}
