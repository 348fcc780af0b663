//! The journal of a store file's multi-step operations (#78): `store encrypt` and `store rekey`
//! write `<store>.journal` (their intent: which operation, when, by whom, the new key's check
//! value) before their first step and remove it after their last, so that the next open finds
//! an operation a crash interrupted and finishes or undoes it before anything reads the store —
//! never an empty store made beside the real one, never a plain copy left, never a recovery key
//! lost. The journal holds no secret. What settling did is said once, as a [`Notice`] the
//! adapters take ([`take_notices`]) and show.
//!
//! The rules (the recovery key is always shown before the step that makes it the store's):
//! - `encrypt`, the store file still plain or missing with `<store>.plain-old` beside it (killed
//!   before or between the swap's renames): undone — the plain file put back, the encrypted
//!   copy and its key file removed; the recovery key shown opens nothing.
//! - `encrypt`, the store file encrypted (killed after the swap): finished — the plain copy
//!   removed (the encrypted copy was complete, its event recorded, before the swap began).
//! - `rekey`: settled once the store is open with a key ([`settle_rekey`]): opened with the
//!   new key, finished; with the old one, undone (the old key and recovery key stay valid).
//!
//! Not the operations themselves (`encrypted`, `key_files`), nor the key file's own
//! `.keys.next` roll-forward (`key_files`).

use crate::StoreError;
use crate::refusal::NotAJournal;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The journal's format name; another is refused.
const FORMAT: &str = "certdesk-journal-v1";
/// A journal is a few hundred bytes; more is no journal of ours.
const MAX_JOURNAL_BYTES: u64 = 64 * 1024;

/// The operations that keep a journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Encrypt,
    Rekey,
}

impl Operation {
    fn command(self) -> &'static str {
        match self {
            Operation::Encrypt => "store encrypt",
            Operation::Rekey => "store rekey",
        }
    }
}

/// What an operation wrote before its first step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Journal {
    pub(crate) format: String,
    pub(crate) operation: Operation,
    pub(crate) started_at: String,
    pub(crate) by: String,
    /// The check value of the key the operation puts the store under.
    pub(crate) new_key_check: String,
}

/// What settling an interrupted operation did, said once to whoever opens the store next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub operation: Operation,
    pub started_at: String,
    pub by: String,
    /// True when the operation was finished, false when it was undone.
    pub finished: bool,
    pub message: String,
}

static NOTICES: Mutex<Vec<Notice>> = Mutex::new(Vec::new());

/// The notices of operations settled in this process since the last call (the adapters print
/// them, or show them at the sign-in).
pub fn take_notices() -> Vec<Notice> {
    NOTICES.lock().map(|mut n| std::mem::take(&mut *n)).unwrap_or_default()
}

fn say(journal: &Journal, finished: bool, message: String) {
    if let Ok(mut n) = NOTICES.lock() {
        n.push(Notice { operation: journal.operation, started_at: journal.started_at.clone(), by: journal.by.clone(), finished, message });
    }
}

/// `<store>.journal`.
pub(crate) fn path_of(store: &Path) -> PathBuf {
    sibling(store, ".journal")
}

/// `<store><suffix>` beside it.
pub(crate) fn sibling(store: &Path, suffix: &str) -> PathBuf {
    let mut name = store.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Folder { path: path.to_path_buf(), source }
}

impl Journal {
    pub(crate) fn new(operation: Operation, by: &str, new_key_check: String) -> Journal {
        Journal { format: FORMAT.into(), operation, started_at: crate::now(), by: by.to_string(), new_key_check }
    }

    /// Written (0600) and synced, with its folder, before the operation's first step.
    pub(crate) fn write(&self, store: &Path) -> Result<(), StoreError> {
        let path = path_of(store);
        let text = serde_json::to_vec_pretty(self).map_err(|e| StoreError::Internal { what: "the journal cannot be serialised", detail: format!("{}: {e}", path.display()) })?;
        crate::private::write(&path, &text).map_err(io(&path))?;
        sync_folder(&path)
    }

    /// The journal beside `store`, if any; a file that is no journal of ours is refused by name
    /// (it is never acted on).
    pub(crate) fn read(store: &Path) -> Result<Option<Journal>, StoreError> {
        use std::io::Read;
        let path = path_of(store);
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(StoreError::Folder { path, source }),
        };
        let refused = |why: NotAJournal| StoreError::NotAJournal { path: path.clone(), why };
        if !meta.is_file() {
            return Err(refused(NotAJournal::NotAFile));
        }
        if meta.len() > MAX_JOURNAL_BYTES {
            return Err(refused(NotAJournal::TooLarge { size: meta.len(), max: MAX_JOURNAL_BYTES }));
        }
        let mut bytes = Vec::new();
        std::fs::File::open(&path).map_err(io(&path))?.take(MAX_JOURNAL_BYTES + 1).read_to_end(&mut bytes).map_err(io(&path))?;
        let journal: Journal = serde_json::from_slice(&bytes).map_err(|e| refused(NotAJournal::Unreadable { error: e.to_string() }))?;
        if journal.format != FORMAT {
            return Err(refused(NotAJournal::Format { found: journal.format.clone(), expected: FORMAT }));
        }
        Ok(Some(journal))
    }

    /// Removed after the operation's last step (or once settled), the folder synced.
    pub(crate) fn remove(store: &Path) -> Result<(), StoreError> {
        let path = path_of(store);
        match std::fs::remove_file(&path) {
            Ok(()) => sync_folder(&path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(StoreError::Folder { path, source }),
        }
    }
}

/// The folder of `path` synced, so that a rename or removal in it outlives a power cut (not
/// possible on Windows, where renames are durable on their own).
pub(crate) fn sync_folder(path: &Path) -> Result<(), StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        #[cfg(unix)]
        std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))?;
        #[cfg(not(unix))]
        let _ = dir;
    }
    Ok(())
}

fn remove_if_there(path: &Path) -> Result<(), StoreError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(StoreError::Folder { path: path.to_path_buf(), source }),
    }
}

fn starts_plain(path: &Path) -> Result<bool, StoreError> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let read = match std::fs::File::open(path) {
        Ok(mut f) => f.read(&mut head).map_err(io(path))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(source) => return Err(StoreError::Folder { path: path.to_path_buf(), source }),
    };
    Ok(read == 16 && &head == b"SQLite format 3\0")
}

/// Settles an interrupted `store encrypt` beside `store` before anything reads it (called by
/// `Store::state`, which every open asks first). Nothing when there is no journal (one stat).
/// Takes the store alone: while another process has it open (it may be the one encrypting),
/// `Busy`. A `rekey` journal is left for [`settle_rekey`], which needs the key.
pub(crate) fn settle_before_open(store: &Path) -> Result<(), StoreError> {
    if !path_of(store).exists() {
        return Ok(());
    }
    let Some(journal) = Journal::read(store)? else { return Ok(()) };
    if journal.operation != Operation::Encrypt {
        return Ok(());
    }
    let _alone = crate::open::StoreLock::exclusive(store)?;
    // read again under the lock: the process that held it may have finished meanwhile
    let Some(journal) = Journal::read(store)? else { return Ok(()) };
    let plain_old = sibling(store, ".plain-old");
    let encrypting = sibling(store, ".encrypting");
    let key_path = crate::keys::key_file_path(store);
    let store_is_plain = starts_plain(store)?;
    let store_missing = !store.exists() || std::fs::metadata(store).map(|m| m.len() == 0).unwrap_or(true);
    if store_is_plain || (store_missing && plain_old.exists()) {
        // undone: the plain file where it was, nothing of the encrypted copy left
        if !store_is_plain {
            remove_if_there(store)?;
            std::fs::rename(&plain_old, store).map_err(io(store))?;
        }
        // the plain file's WAL, moved aside with it before the swap
        for side in ["-wal", "-shm"] {
            let from = sibling(&plain_old, side);
            if from.exists() {
                std::fs::rename(&from, sibling(store, side)).map_err(io(store))?;
            }
        }
        for leftover in [
            encrypting.clone(),
            sibling(&encrypting, "-journal"),
            sibling(&encrypting, "-wal"),
            sibling(&encrypting, "-shm"),
            sibling(&encrypting, ".lock"),
            key_path.clone(),
            crate::keys::next_path(&key_path),
        ] {
            remove_if_there(&leftover)?;
        }
        sync_folder(store)?;
        Journal::remove(store)?;
        say(
            &journal,
            false,
            format!(
                "{} (begun {} by {}) did not finish: the store is plain, as it was, with every case; the recovery key it showed opens nothing. Run {} again.",
                journal.operation.command(),
                journal.started_at,
                journal.by,
                journal.operation.command()
            ),
        );
        return Ok(());
    }
    if store.exists() && !store_is_plain {
        // finished: the encrypted copy was whole (checked, its event recorded) before the swap
        for leftover in
            [plain_old.clone(), sibling(&plain_old, "-wal"), sibling(&plain_old, "-shm"), encrypting.clone(), sibling(&encrypting, "-journal"), sibling(&encrypting, ".lock")]
        {
            remove_if_there(&leftover)?;
        }
        sync_folder(store)?;
        Journal::remove(store)?;
        say(
            &journal,
            true,
            format!(
                "{} (begun {} by {}) was interrupted after the swap and is now finished: the store is encrypted, the plain copy removed; the recovery key it showed opens it.",
                journal.operation.command(),
                journal.started_at,
                journal.by
            ),
        );
        return Ok(());
    }
    Err(StoreError::JournalStranded { operation: journal.operation.command(), store: store.to_path_buf(), journal: path_of(store) })
}

/// Settles an interrupted `store rekey` once the store is open under `opened_with` (the check
/// value of the key that opened it): the new key, finished; the old one, undone. Its
/// `.keys.next` is the key files' own roll-forward (`settle_key_files`), done before this.
pub(crate) fn settle_rekey(store: &Path, opened_with: &str) -> Result<(), StoreError> {
    if !path_of(store).exists() {
        return Ok(());
    }
    let Some(journal) = Journal::read(store)? else { return Ok(()) };
    if journal.operation != Operation::Rekey {
        return Ok(());
    }
    let finished = journal.new_key_check == opened_with;
    Journal::remove(store)?;
    let message = if finished {
        format!(
            "store rekey (begun {} by {}) was interrupted after the store took its new key and is now finished: the new recovery key it showed opens the store.",
            journal.started_at, journal.by
        )
    } else {
        format!(
            "store rekey (begun {} by {}) did not finish: the store keeps its old key, and the old recovery key still opens it; the recovery key that rekey showed opens nothing. Run store rekey again.",
            journal.started_at, journal.by
        )
    };
    say(&journal, finished, message);
    Ok(())
}
