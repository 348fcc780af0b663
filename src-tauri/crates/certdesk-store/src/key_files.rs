//! The key file kept in step with the encrypted store it opens (#30, docs/design-privacy.md
//! §2.4, §4.5). The store records which key file it goes with in its `settings` table:
//! `key_file_generation` and `key_file_sha256` (of the part the MAC covers) — internal keys, not
//! among the desk's settings (so `counter set` neither shows nor changes them) and needing no
//! migration. Every change of slots (an account added, a password set or changed, an account
//! disabled, the recovery key's reset) runs as: the slot sealed before the write lock; in the
//! account change's write transaction the next generation recorded and written as
//! `<store>.keys.next` (synced); the commit; then the rename over `<store>.keys`. The first open
//! after a crash between the commit and the rename finishes the rename (roll forward); a
//! `.keys.next` that nothing committed is removed — both under the write lock, so that a change
//! under way in another process is waited for, never undone. A backup gets a copy of the key
//! file its copy goes with; a restored one brings its own. `store rekey` (a new data key and
//! recovery key, the administrator's slot only) is here too. Owns those steps; the file's
//! format and cryptography are `keys`', what an account change does is `accounts`'.

use crate::db::{Lite, Sql, args};
use crate::encrypted::Keyed;
use crate::keys::{self, DataKey, KeyError, KeyFile, Slot, key_file_path, next_path};
use crate::refusal::BackupKeyRefusal;
use crate::{Password, Store, StoreError};
use std::cell::OnceCell;
use std::path::{Path, PathBuf};

/// The settings' key of the generation of the key file the store goes with.
pub(crate) const GENERATION: &str = "key_file_generation";
/// The settings' key of that file's digest ([`KeyFile::digest`]).
pub(crate) const SHA256: &str = "key_file_sha256";

/// What the store records of its key file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recorded {
    pub(crate) generation: u64,
    pub(crate) sha256: String,
}

impl Recorded {
    fn matches(&self, file: &KeyFile) -> bool {
        self.generation == file.generation && self.sha256 == file.digest()
    }
}

/// What the store records of its key file; none for a store whose slots were last changed by a
/// build that did not record it (its `.keys` is then taken as it is).
pub(crate) fn recorded(db: &mut dyn Sql) -> Result<Option<Recorded>, StoreError> {
    let mut value = |key: &str| -> Result<Option<String>, StoreError> {
        db.row("reading what the store records of its key file", "SELECT value FROM settings WHERE key = ?1", args![key])?.map(|r| r.text(0)).transpose()
    };
    let (generation, sha256) = (value(GENERATION)?, value(SHA256)?);
    let (Some(generation), Some(sha256)) = (generation, sha256) else { return Ok(None) };
    let generation = generation.parse().map_err(|_| StoreError::Internal { what: "the store's key file generation is not a number", detail: generation.to_string() })?;
    Ok(Some(Recorded { generation, sha256 }))
}

/// Records `file` as the key file the store goes with (in the caller's write transaction).
pub(crate) fn record(db: &mut dyn Sql, file: &KeyFile) -> Result<(), StoreError> {
    for (key, value) in [(GENERATION, file.generation.to_string()), (SHA256, file.digest())] {
        db.exec("recording the key file", "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", args![key, value.as_str()])?;
    }
    Ok(())
}

/// What the store file at `path` records of its key file, read with `keyed` (a backup).
fn recorded_in_file(path: &Path, keyed: &Keyed) -> Result<Option<Recorded>, StoreError> {
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = rusqlite::Connection::open_with_flags(path, flags).map_err(crate::sql("opening the backup"))?;
    keyed.apply(&conn)?;
    recorded(&mut Lite(&conn))
}

/// The key file that goes with the store at `store`, as the store records it: `<store>.keys`,
/// or `<store>.keys.next` while a committed change's rename has not happened yet; checked
/// against `key` (its key check and MAC). With nothing recorded, `<store>.keys`. A key file of
/// a later generation than recorded, or another one, is named ([`KeyError::Ahead`],
/// [`KeyError::Stale`]).
pub(crate) fn current(store: &Path, recorded: Option<&Recorded>, key: &DataKey) -> Result<KeyFile, StoreError> {
    let path = key_file_path(store);
    let file = KeyFile::read(&path);
    let Some(rec) = recorded else {
        let file = file?;
        file.verify(key, &path)?;
        return Ok(file);
    };
    if let Ok(f) = &file
        && rec.matches(f)
    {
        f.verify(key, &path)?;
        return Ok(f.clone());
    }
    if let Ok(next) = KeyFile::read(&next_path(&path))
        && rec.matches(&next)
    {
        next.verify(key, &path)?;
        return Ok(next);
    }
    let file = file?;
    file.verify(key, &path)?;
    let shown = path.display().to_string();
    Err(if file.generation > rec.generation {
        KeyError::Ahead { path: shown, file: file.generation, store: rec.generation }
    } else {
        KeyError::Stale { path: shown, file: file.generation, store: rec.generation }
    }
    .into())
}

/// A change of an encrypted store's slots, made in one step with the account change it goes
/// with: [`SlotChange::stage`] inside the change's write transaction, [`SlotChange::finish`]
/// after its commit. Nothing on a plain store or a hall.
pub(crate) struct SlotChange {
    inner: Option<(Keyed, PathBuf, Change)>,
    /// The digest of the file staged, to know it when another process renamed it first.
    staged: OnceCell<String>,
}

enum Change {
    Put(Slot),
    Remove(String),
}

impl Store {
    /// `account`'s slot for its new `password`, sealed now (the argon2 work, before the store's
    /// write lock is taken).
    pub(crate) fn slot_for(&self, account: &str, password: &Password) -> Result<SlotChange, StoreError> {
        let inner = match self.keyed() {
            Some(keyed) => Some((keyed.clone(), self.path().to_path_buf(), Change::Put(Slot::seal(account, password.bytes(), &keyed.key, &crate::now())?))),
            None => None,
        };
        Ok(SlotChange { inner, staged: OnceCell::new() })
    }

    /// `account`'s slot taken out (a disabled account).
    pub(crate) fn slot_removal(&self, account: &str) -> SlotChange {
        let inner = self.keyed().map(|keyed| (keyed.clone(), self.path().to_path_buf(), Change::Remove(account.to_string())));
        SlotChange { inner, staged: OnceCell::new() }
    }
}

impl SlotChange {
    /// A change that touches no slot.
    pub(crate) fn none() -> SlotChange {
        SlotChange { inner: None, staged: OnceCell::new() }
    }

    /// Inside the account change's write transaction (the store's write lock held): the key
    /// file the store goes with, changed, recorded as the next generation and written as
    /// `<store>.keys.next`. An error rolls the account change back.
    pub(crate) fn stage(&self, db: &mut dyn Sql) -> Result<(), StoreError> {
        let Some((keyed, store, change)) = &self.inner else { return Ok(()) };
        let rec = recorded(db)?;
        let mut file = current(store, rec.as_ref(), &keyed.key)?;
        file.generation = file.generation.max(rec.map(|r| r.generation).unwrap_or(0));
        match change {
            Change::Put(slot) => file.put_slot(&keyed.key, slot.clone()),
            Change::Remove(account) => file.remove_slot(&keyed.key, account),
        }
        record(db, &file)?;
        file.write_next(&key_file_path(store))?;
        let _ = self.staged.set(file.digest());
        Ok(())
    }

    /// After the commit: `<store>.keys.next` renamed over `<store>.keys`. An open by another
    /// process may have rolled it forward first: then the key file in place is the one staged.
    pub(crate) fn finish(&self) -> Result<(), StoreError> {
        let (Some((_, store, _)), Some(digest)) = (&self.inner, self.staged.get()) else { return Ok(()) };
        let path = key_file_path(store);
        match keys::install_next(&path) {
            Ok(()) => Ok(()),
            Err(_) if !next_path(&path).exists() && KeyFile::read(&path).is_ok_and(|f| &f.digest() == digest) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

impl Store {
    /// Right after an encrypted store is opened: a `<store>.keys.next` left by a change whose
    /// rename did not happen (a crash, a power cut) is rolled forward when the store records it,
    /// or when its data key is the one that opened the store and `<store>.keys`' is not (a
    /// `store rekey` or a restore of a backup under another key, interrupted after the database
    /// changed); any other is removed (a change that never committed, a half-written file). Done
    /// under the write lock; nothing when there is no `.keys.next`.
    pub(crate) fn settle_key_files(&mut self) -> Result<(), StoreError> {
        let Some(keyed) = self.keyed().cloned() else { return Ok(()) };
        let path = key_file_path(self.path());
        let next = next_path(&path);
        if !next.exists() {
            return Ok(());
        }
        self.write(|tx| {
            let rec = recorded(tx.db)?;
            let remove = || std::fs::remove_file(&next).or_else(|e| if e.kind() == std::io::ErrorKind::NotFound { Ok(()) } else { Err(e) });
            let removed = |e: std::io::Error| StoreError::Keys(KeyError::Write { path: next.display().to_string(), source: e.into() });
            let file = match KeyFile::read(&next) {
                Ok(f) if f.verify(&keyed.key, &path).is_ok() => f,
                // gone meanwhile (another process rolled it forward), half-written, or of another key
                _ => return remove().map_err(removed),
            };
            let committed = rec.as_ref().is_some_and(|r| r.matches(&file));
            let keys_opens = KeyFile::read(&path).is_ok_and(|k| k.key_check == keyed.key.check_value());
            if committed || !keys_opens {
                if !committed {
                    record(tx.db, &file)?;
                }
                keys::install_next(&path)?;
                Ok(())
            } else {
                remove().map_err(removed)
            }
        })
    }

    /// Beside the backup `dest` of this encrypted store: `<dest>.keys`, a copy of the key file
    /// the backup goes with (the one the backup records), written atomically (0600), then read
    /// back and checked against the store's key. None for a plain store.
    pub(crate) fn backup_key_file(&self, dest: &Path) -> Result<Option<PathBuf>, StoreError> {
        let Some(keyed) = self.keyed() else { return Ok(None) };
        let rec = recorded_in_file(dest, keyed)?;
        let file = current(self.path(), rec.as_ref(), &keyed.key)?;
        let out = key_file_path(dest);
        file.write(&out)?;
        let back = KeyFile::read(&out)?;
        back.verify(&keyed.key, &out)?;
        if back != file {
            return Err(StoreError::Internal { what: "the key file copied does not read back as written", detail: out.display().to_string() });
        }
        Ok(Some(out))
    }
}

/// The key of the encrypted backup `backup` and its key file `<backup>.keys` (a backup of an
/// encrypted store is the pair): the running store's key when the backup's key check is its
/// own, else `unlock`'s — the recovery key of the backup's time, or an account's password of
/// that time against the backup's key file. The key file is checked (its MAC) either way.
pub(crate) fn backup_key(backup: &Path, running: Option<&Keyed>, unlock: Option<&crate::Unlock<'_>>) -> Result<(Keyed, KeyFile), StoreError> {
    let path = key_file_path(backup);
    if !path.exists() {
        return Err(StoreError::NotAStore { path: backup.to_path_buf(), why: crate::refusal::NotAStore::KeyFileMissing { keys: path } });
    }
    let file = KeyFile::read(&path)?;
    let key = match (running, unlock) {
        (Some(k), _) if k.key.check_value() == file.key_check => k.key.clone(),
        (_, Some(crate::Unlock::Recovery(secret))) => std::sync::Arc::new(secret.data_key()),
        (_, Some(crate::Unlock::Account { name, password })) => match file.unlock(name, password.bytes(), &path)? {
            Some(key) => std::sync::Arc::new(key),
            None => {
                return Err(StoreError::BackupKey { backup: backup.to_path_buf(), why: BackupKeyRefusal::Password { account: name.to_string(), key_file: path } });
            }
        },
        (_, None) => {
            return Err(StoreError::BackupKey { backup: backup.to_path_buf(), why: BackupKeyRefusal::OtherKey });
        }
    };
    file.verify(&key, &path)?;
    Ok((Keyed { key, cipher: file.cipher.clone() }, file))
}

/// The key file given with an encrypted backup is the one the backup records (a backup made
/// by an earlier build records none: taken as it is).
pub(crate) fn check_backup_pair(staged: &Path, keyed: &Keyed, file: &KeyFile, backup: &Path) -> Result<(), StoreError> {
    match recorded_in_file(staged, keyed)? {
        Some(rec) if !rec.matches(file) => Err(StoreError::BackupKey {
            backup: backup.to_path_buf(),
            why: BackupKeyRefusal::NotItsKeyFile { key_file: key_file_path(backup), generation: file.generation, recorded: rec.generation },
        }),
        _ => Ok(()),
    }
}

/// What `store rekey` did.
pub struct Rekeyed {
    pub store: Store,
    /// The new recovery key: shown once and never again (the old one opens nothing now but the
    /// backups made before).
    pub recovery_key: zeroize::Zeroizing<String>,
    /// The enabled accounts other than the administrator's: no slot until an administrator
    /// gives them a new password.
    pub without_slot: Vec<String>,
}

impl Store {
    /// Gives this encrypted store a new data key from a new recovery secret (`store rekey`, #30
    /// design §4.2: a password known to be compromised, or a lost paper): begun
    /// ([`Store::rekey_begin`]) and finished at once. An adapter that shows the recovery key
    /// calls the two itself, and shows the key between them.
    pub fn rekey(self, admin: &str, password: &Password) -> Result<Rekeyed, crate::AuthError> {
        self.rekey_begin(admin, password)?.finish()
    }

    /// The first half of `store rekey`, as administrator `admin` with `password`, which
    /// becomes the one slot of the new key file: checked, the store taken alone (another
    /// process with it open: `Busy`), the new recovery secret drawn and the journal written
    /// ([`crate::journal`]). The store is unchanged: its old key and recovery key stay valid
    /// until [`PendingRekey::finish`], called once the new recovery key was shown (#78).
    /// Dropped unfinished, or a crash before the finish commits: the rekey is undone with a
    /// notice at the next open.
    pub fn rekey_begin(mut self, admin: &str, password: &Password) -> Result<PendingRekey, crate::AuthError> {
        use crate::AuthError;
        let actor = self.authenticate(admin, password)?;
        if !actor.has(certdesk_domain::workflow::Role::Admin) {
            return Err(AuthError::AdminOnly { what: "rekeys the store", who: Some(admin.to_string()) });
        }
        let Some(old) = self.keyed().cloned() else {
            return Err(AuthError::NotEncrypted { path: self.path().to_path_buf() });
        };
        let path = self.path().to_path_buf();
        let without_slot: Vec<String> = self.accounts()?.into_iter().filter(|a| !a.disabled && a.name != admin).map(|a| a.name).collect();
        let secret = keys::RecoverySecret::generate();
        let key = secret.data_key();
        // the argon2 work before the store is taken alone
        let slot = Slot::seal(admin, password.bytes(), &key, &crate::now()).map_err(StoreError::from)?;
        drop(self);
        let lock = crate::open::StoreLock::exclusive(&path)?;
        let store = Store::open_with(&path, lock, Some(old.clone()))?;
        crate::journal::Journal::new(crate::journal::Operation::Rekey, admin, key.check_value()).write(&path)?;
        Ok(PendingRekey { store: Some(store), path, secret, slot: Some(slot), old, admin: admin.to_string(), without_slot })
    }
}

/// `store rekey` begun, its new recovery key not shown yet: the store is unchanged (its old key
/// and recovery key valid), held alone. Dropped unfinished, the journal is removed.
pub struct PendingRekey {
    store: Option<Store>,
    path: PathBuf,
    secret: keys::RecoverySecret,
    slot: Option<Slot>,
    old: Keyed,
    admin: String,
    without_slot: Vec<String>,
}

impl PendingRekey {
    /// The new recovery key, to be shown (and written down) before [`PendingRekey::finish`].
    pub fn recovery_key(&self) -> zeroize::Zeroizing<String> {
        self.secret.to_text()
    }

    /// The store file being rekeyed.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The enabled accounts other than the administrator's: no slot until an administrator
    /// gives them a new password.
    pub fn without_slot(&self) -> &[String] {
        &self.without_slot
    }

    /// The second half of `store rekey`, once the new recovery key was shown. Steps: the new
    /// key file written as `<store>.keys.next`; `PRAGMA rekey` (every page rewritten under the
    /// new key); the new generation recorded with a `store_rekeyed` event; the rename; the
    /// journal removed. A crash after the rekey and before the rename is finished at the next
    /// open (the new file's key is the one that opens the store); before the rekey, the store
    /// is as it was. Backups made before keep their own key file and open with it, or with the
    /// old recovery key.
    pub fn finish(mut self) -> Result<Rekeyed, crate::AuthError> {
        let path = self.path.clone();
        let key_path = key_file_path(&path);
        let mut store = self.store.take().ok_or_else(|| StoreError::Internal { what: "store rekey finished already", detail: String::new() })?;
        let slot = self.slot.take().ok_or_else(|| StoreError::Internal { what: "store rekey finished already", detail: String::new() })?;
        let key = self.secret.data_key();
        let rec = store.read(recorded)?;
        let before = current(&path, rec.as_ref(), &self.old.key).ok().map(|f| f.generation).unwrap_or(0);
        let mut file = KeyFile::new(&key);
        file.generation = before.max(rec.map(|r| r.generation).unwrap_or(0));
        file.put_slot(&key, slot);
        file.write_next(&key_path).map_err(StoreError::from)?;
        let new = Keyed { key: std::sync::Arc::new(key), cipher: self.old.cipher.clone() };
        let rekeyed = (|| -> Result<(), StoreError> {
            let (conn, _) = store.file("store rekey", "")?;
            conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").map_err(crate::sql("checkpointing the store"))?;
            let statement = zeroize::Zeroizing::new(format!("PRAGMA rekey = \"{}\";", &*new.key.pragma_value()));
            conn.execute_batch(&statement).map_err(crate::sql("rekeying the store"))
        })();
        if let Err(e) = rekeyed {
            let _ = std::fs::remove_file(next_path(&key_path));
            // the store keeps its old key: the journal goes with the drop below
            self.store = Some(store);
            return Err(e.into());
        }
        store.set_keyed(new.clone());
        let detail = crate::detail::StoreRekeyed { user: self.admin.clone(), without_slot: self.without_slot.clone() };
        store.write(|tx| {
            record(tx.db, &file)?;
            tx.append(&crate::NewEvent::new(&self.admin, crate::AuditAction::StoreRekeyed, &detail))
        })?;
        keys::install_next(&key_path).map_err(StoreError::from)?;
        crate::journal::Journal::remove(&path)?;
        drop(store);
        let store = Store::open_keyed(&path, new)?;
        Ok(Rekeyed { store, recovery_key: self.secret.to_text(), without_slot: std::mem::take(&mut self.without_slot) })
    }
}

impl Drop for PendingRekey {
    fn drop(&mut self) {
        // not finished (or failed before its commit): the store keeps its old key
        if let Some(store) = self.store.take() {
            let _ = crate::journal::Journal::remove(&self.path);
            drop(store);
        }
    }
}
