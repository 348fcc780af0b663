//! Wrong passwords counted before an encrypted store is open (#30, docs/design-privacy.md
//! §2.5). The failed-login count lives in `accounts`, which a wrong password cannot open; so a
//! password that opens no slot of an account that has one is counted in `<store>.attempts`
//! beside the store (JSON, 0600): per account, the failures in a row and their times. At
//! [`MAX_FAILED_LOGINS`](crate::accounts::MAX_FAILED_LOGINS) in a row the account is locked before the store is open: its right
//! password then opens nothing and hears "locked" (said only after a right password, as
//! `authenticate` does); a wrong one hears "wrong user name or password". The next open by any
//! account moves the pending failures into the store (`failed_logins`, `locked`, a
//! `login_failed` or `user_locked` event each, as `authenticate` writes them, at the time they
//! are moved) and empties the file; an administrator's unlock, password reset or the recovery
//! key's reset clears the account's pending failures too.
//!
//! Why a file of its own and not the key file's `attempts` (the design's first idea): the key
//! file is replaced whole by a rename after every slot change (`key_files`), so a count written
//! into it by a process that cannot take the store's write lock (it has no key) could be lost
//! by, or undo, a concurrent slot change. This file is only ever changed under its own lock
//! (`flock`, held for a read-change-write of a few hundred bytes), in place; a file left
//! half-written by a crash reads as empty (the count starts again), as does a removed one:
//! whoever can write beside the store can reset the count — but could copy the files and guess
//! offline anyway; the count is against guessing at the counter. Moving the failures into the
//! store commits before the file is emptied: a crash between counts them twice, never zero
//! times. Unknown names are not counted (the file cannot be filled with made-up names).

use crate::db::args;
use crate::{Store, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

const FORMAT: &str = "certdesk-attempts-v1";
/// The failures kept per account between two opens (the account is locked long before).
const KEPT: usize = 20;

#[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
struct Attempts {
    format: String,
    accounts: BTreeMap<String, Pending>,
}

/// One account's failures since the store was last opened.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
struct Pending {
    failed_in_a_row: i64,
    at: Vec<String>,
}

/// `<store>.attempts` beside the store file.
pub fn attempts_path(store: &Path) -> PathBuf {
    PathBuf::from(format!("{}.attempts", store.display()))
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Folder { path: path.to_path_buf(), source }
}

/// Runs `change` on what the file holds, with the file locked for this process; writes it
/// back when `change` succeeded and changed something. A missing file is made only when
/// `create`; else `change` sees nothing pending.
fn with_file<T>(store: &Path, create: bool, change: impl FnOnce(&mut Attempts) -> Result<T, StoreError>) -> Result<T, StoreError> {
    let path = attempts_path(store);
    let file = match crate::private::open_options().read(true).write(true).create(create).truncate(false).open(&path) {
        Ok(f) => f,
        Err(e) if !create && e.kind() == std::io::ErrorKind::NotFound => return change(&mut Attempts::default()),
        Err(e) => return Err(io(&path)(e)),
    };
    file.lock().map_err(io(&path))?;
    let mut text = String::new();
    (&file).read_to_string(&mut text).map_err(io(&path))?;
    // half-written by a crash, or not ours: nothing pending
    let mut attempts: Attempts = serde_json::from_str(&text).ok().filter(|a: &Attempts| a.format == FORMAT).unwrap_or_default();
    let before = serde_json::to_string(&attempts).unwrap_or_default();
    let out = change(&mut attempts)?;
    if serde_json::to_string(&attempts).unwrap_or_default() != before || text.is_empty() {
        attempts.format = FORMAT.into();
        let bytes = serde_json::to_vec_pretty(&attempts).unwrap_or_default();
        let mut f = &file;
        f.set_len(0).map_err(io(&path))?;
        f.rewind().map_err(io(&path))?;
        f.write_all(&bytes).map_err(io(&path))?;
        f.sync_all().map_err(io(&path))?;
    }
    Ok(out)
}

/// The failures in a row pending for `account` (read without the lock: a count being written
/// meanwhile is seen at the next try).
pub(crate) fn pending(store: &Path, account: &str) -> i64 {
    let text = std::fs::read_to_string(attempts_path(store)).unwrap_or_default();
    serde_json::from_str::<Attempts>(&text).ok().and_then(|a| a.accounts.get(account).map(|p| p.failed_in_a_row)).unwrap_or(0)
}

/// A wrong password for `account` (which has a slot), counted now.
pub(crate) fn count(store: &Path, account: &str) -> Result<(), StoreError> {
    with_file(store, true, |a| {
        let p = a.accounts.entry(account.to_string()).or_default();
        if p.at.len() < KEPT {
            p.failed_in_a_row += 1;
            p.at.push(crate::now());
        }
        Ok(())
    })
}

/// `account`'s pending failures forgotten (an administrator unlocked it or set its password).
pub(crate) fn clear(store: &Path, account: &str) -> Result<(), StoreError> {
    with_file(store, false, |a| {
        a.accounts.remove(account);
        Ok(())
    })
}

impl Store {
    /// Right after an encrypted store is opened: the failures counted before it was open moved
    /// into it, as `authenticate` records a failure (one event each), then the file emptied.
    pub(crate) fn absorb_attempts(&mut self) -> Result<(), StoreError> {
        if self.keyed().is_none() {
            return Ok(());
        }
        let path = self.path().to_path_buf();
        with_file(&path, false, |a| {
            if a.accounts.is_empty() {
                return Ok(());
            }
            let taken = std::mem::take(&mut a.accounts);
            self.write(|tx| {
                for (name, p) in &taken {
                    let Some(row) = tx.db.row("reading an account", "SELECT locked FROM accounts WHERE name = ?1", args![name.as_str()])? else { continue };
                    let mut locked = row.int(0)? != 0;
                    for _ in 0..p.failed_in_a_row {
                        locked = crate::accounts::count_failed_login(tx, name, locked, false)?;
                    }
                }
                Ok::<_, StoreError>(())
            })
        })
    }
}
