//! An encrypted store file (#30, docs/design-privacy.md §3): telling a plain file from an
//! encrypted one without a key, creating one with its first administrator (the recovery key
//! shown once), opening one with an account's slot or the recovery key, and keeping the slots
//! with the accounts (a password set or changed puts the account's slot in; a disabled account's
//! goes). Owns the order of those steps; the cryptography and the key file are `keys`'.
//!
//! Not yet here (the design's later steps): the key file's generation recorded in the store
//! and rolled forward after a crash between the account change and the key file's write (a
//! slot lost that way is given back by the recovery key), wrong passwords counted before the
//! store is open, encrypted backups restored, `store encrypt` of a plain file.

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
    key: Arc<DataKey>,
    cipher: Cipher,
}

impl Keyed {
    /// `PRAGMA key` and SQLCipher's settings: the first statements on a connection.
    pub(crate) fn apply(&self, conn: &Connection) -> Result<(), StoreError> {
        let statement = Zeroizing::new(format!("{} PRAGMA key = \"{}\"; {}", self.cipher.default_pragmas(), &*self.key.pragma_value(), self.cipher.pragmas()));
        conn.execute_batch(&statement).map_err(sql("keying the database"))
    }
}

impl Store {
    /// What is at `path`: missing, a plain SQLite file, or an encrypted one (a file that does
    /// not start with SQLite's header: SQLCipher's first 16 bytes are its salt).
    pub fn state(path: &Path) -> Result<StoreState, StoreError> {
        use std::io::Read;
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

    /// A new encrypted store at `path` with its first administrator: the data key drawn, the
    /// key file written with the administrator's slot. Returns the store and the recovery key,
    /// to be shown once and never again (it is kept nowhere).
    pub fn create_encrypted(path: &Path, admin: &str, password: &Password) -> Result<(Store, Zeroizing<String>), AuthError> {
        if Store::state(path)? != StoreState::Missing || key_file_path(path).exists() {
            return Err(AuthError::Refused(format!("a store (or its key file) is at {} already: an encrypted store is made only where there is none", path.display())));
        }
        crate::accounts::check_password(password)?;
        let secret = RecoverySecret::generate();
        let key = secret.data_key();
        let file = KeyFile::new(&key);
        let keyed = Keyed { key: Arc::new(key), cipher: file.cipher.clone() };
        // the key file first: an account's slot is written into it when the account is added
        file.write(&key_file_path(path)).map_err(StoreError::from)?;
        let mut store = Store::open_keyed(path, keyed)?;
        store.add_account(admin, &[certdesk_domain::workflow::Role::Admin], password, None)?;
        Ok((store, secret.to_text()))
    }

    /// Opens an encrypted store with an account's slot (a wrong password or an account without
    /// a slot: `WrongCredentials`, nothing opened) or the recovery key (the key file not
    /// needed). The account is then signed in as on any store (`authenticate`).
    pub fn open_encrypted(path: &Path, unlock: Unlock<'_>) -> Result<Store, AuthError> {
        if let StoreState::Missing | StoreState::Plain = Store::state(path)? {
            return Err(AuthError::Refused(format!("{} is not an encrypted store", path.display())));
        }
        let key_path = key_file_path(path);
        let (key, cipher) = match unlock {
            Unlock::Account { name, password } => {
                let file = KeyFile::read(&key_path).map_err(StoreError::from)?;
                let key = file.unlock(name, password.bytes(), &key_path).map_err(StoreError::from)?.ok_or(AuthError::WrongCredentials)?;
                (key, file.cipher)
            }
            Unlock::Recovery(secret) => {
                let key = secret.data_key();
                // the paper outranks the key file: only a key of another store is refused
                match KeyFile::read(&key_path) {
                    Ok(file) if file.key_check != key.check_value() => return Err(StoreError::from(crate::keys::KeyError::WrongKey).into()),
                    Ok(file) => (key, file.cipher),
                    Err(_) => (key, Cipher::standard()),
                }
            }
        };
        Ok(Store::open_keyed(path, Keyed { key: Arc::new(key), cipher })?)
    }

    /// Puts `account`'s slot for `password` into an encrypted store's key file (a password set
    /// or changed); nothing on a plain store.
    pub(crate) fn keep_slot(&self, account: &str, password: &Password) -> Result<(), StoreError> {
        let Some(keyed) = self.keyed() else { return Ok(()) };
        let path = key_file_path(self.path());
        let mut file = KeyFile::read(&path)?;
        file.verify(&keyed.key, &path)?;
        file.set_slot(&keyed.key, account, password.bytes(), &crate::now())?;
        Ok(file.write(&path)?)
    }

    /// Takes `account`'s slot out of an encrypted store's key file (a disabled account).
    pub(crate) fn drop_slot(&self, account: &str) -> Result<(), StoreError> {
        let Some(keyed) = self.keyed() else { return Ok(()) };
        let path = key_file_path(self.path());
        let mut file = KeyFile::read(&path)?;
        file.verify(&keyed.key, &path)?;
        file.remove_slot(&keyed.key, account);
        Ok(file.write(&path)?)
    }

    /// Whether this store is an encrypted file.
    pub fn is_encrypted(&self) -> bool {
        self.keyed().is_some()
    }
}
