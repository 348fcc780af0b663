//! The typed reasons carried by `StoreError`'s variants (#75): what moved under an action, why
//! a file is not a store, why a backup's key is refused, why an encrypted copy does not check.
//! Each says itself in English here; `certdesk_desk::ErrorKind` gives its kind and the UI its
//! Chinese sentence.

use std::fmt;
use std::path::{Path, PathBuf};

/// What was under way when the case changed under it (another desk of the hall, another window):
/// nothing was written, and what to do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meanwhile {
    /// a case action (submit, approve, a step …): read, decided, then found changed
    Action,
    /// an edit of the case's data
    Edit,
    /// the unit's key signed the proof over the case as it was read
    UnitProof,
    /// a purge of its personal data
    Purge,
    /// a clerk's acceptance of a doubted seal sample, while another sheet came in
    SealSheet,
}

impl fmt::Display for Meanwhile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Meanwhile::Action => "this action was prepared; try again",
            Meanwhile::Edit => "this edit was prepared; reload it",
            Meanwhile::UnitProof => "its unit's key signed; prove it again",
            Meanwhile::Purge => "it was purged; run the purge again",
            Meanwhile::SealSheet => "its seal sample was accepted: another seal sheet was imported meanwhile; accept from its verdict",
        })
    }
}

/// What moved while a day was being signed off (日结): the day must be closed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayMoved {
    /// events were written after the day sheet the supervisor signed was made
    EventsAdded,
    /// the audit chain's head moved between the signature and its write
    ChainMoved,
}

impl fmt::Display for DayMoved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DayMoved::EventsAdded => "events were added since the day sheet was made: close the day again",
            DayMoved::ChainMoved => "the chain moved while the day was closed: close the day again",
        })
    }
}

/// Why a file given as a store or a backup is not one certdesk can take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAStore {
    /// SQLite cannot read it as a database
    NotSqlite,
    /// a schema version outside what this build reads
    Schema { found: i64, known: i64 },
    /// SQLite's integrity check failed
    Damaged { integrity: String },
    /// the tables differ from the schema this build writes
    Foreign { diff: String },
    /// the audit chain inside it does not verify
    ChainBroken { what: String },
    /// a backup a crash interrupted (its `.certdesk-partial` name)
    HalfWritten,
    /// a folder, a FIFO, a device
    NotAFile,
    /// neither SQLite's header nor an encrypted store's key file beside it (a restore's look)
    NoHeaderNoKeys { keys: PathBuf },
    /// not plain, and the key file an encrypted backup comes with is missing
    KeyFileMissing { keys: PathBuf },
    /// the configured store: not plain, no key file (damaged, or an encrypted store whose key file is lost)
    StoreKeyFileMissing { keys: PathBuf },
}

impl NotAStore {
    /// The sentence for `path`.
    pub fn describe(&self, path: &Path) -> String {
        let path = path.display();
        match self {
            NotAStore::NotSqlite => format!("{path} is not a certdesk store"),
            NotAStore::Schema { found, known } => format!("{path} has schema {found}; this build reads 1–{known}"),
            NotAStore::Damaged { integrity } => format!("{path} is damaged: {integrity}"),
            NotAStore::Foreign { diff } => format!("{path} is not a store this build wrote: {diff}"),
            NotAStore::ChainBroken { what } => format!("{path}: the audit chain is broken: {what}"),
            NotAStore::HalfWritten => {
                format!("{path} is a half-written backup (one a crash interrupted, never checked): restore a finished backup; the next backup into its folder removes it")
            }
            NotAStore::NotAFile => format!("{path} is not a regular file: a backup is one"),
            NotAStore::NoHeaderNoKeys { keys } => format!(
                "{path} is not a certdesk store: it does not start with SQLite's header, and no key file {} is beside it (an encrypted backup is the pair: put its key file back beside it)",
                keys.display()
            ),
            NotAStore::KeyFileMissing { keys } => format!(
                "{path} is not a plain store file and its key file {} is not beside it: an encrypted backup is the pair (put its key file back beside it); anything else is no backup",
                keys.display()
            ),
            NotAStore::StoreKeyFileMissing { keys } => format!(
                "{path} is not a SQLite store, and no key file ({}) is beside it: a damaged file, or an encrypted store whose key file is lost (then its recovery key opens it: certdesk store open-with-recovery)",
                keys.display()
            ),
        }
    }
}

/// Why an encrypted backup's key is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupKeyRefusal {
    /// the account's password opens no slot of the backup's key file
    Password { account: String, key_file: PathBuf },
    /// under another key than the running store, and nothing given to open it
    OtherKey,
    /// the key file beside it is not the one the backup records
    NotItsKeyFile { key_file: PathBuf, generation: u64, recorded: u64 },
}

impl BackupKeyRefusal {
    /// The sentence for the backup `backup`.
    pub fn describe(&self, backup: &Path) -> String {
        match self {
            BackupKeyRefusal::Password { account, key_file } => format!(
                "the password given for {account} opens no slot of {}: give {account}'s password of the backup's time, or the recovery key of that time",
                key_file.display()
            ),
            BackupKeyRefusal::OtherKey => format!(
                "{} is under another key than this store (made before a store rekey, or of another store): give the recovery key of its time (--recovery-file) or a password of its time (--backup-password-file)",
                backup.display()
            ),
            BackupKeyRefusal::NotItsKeyFile { key_file, generation, recorded } => format!(
                "{} is not the key file of {} (generation {generation}, the backup records {recorded}): put back the key file written with the backup",
                key_file.display(),
                backup.display()
            ),
        }
    }
}

/// Why an encrypted copy (`store encrypt`, `store rekey`) does not check against the plain store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyCheck {
    /// SQLite's integrity check or the schema version
    Integrity { integrity: String, found: i64, expected: i64 },
    /// a table's rows differ
    Table { table: String },
    /// its audit chain does not verify
    Chain,
}

impl fmt::Display for CopyCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CopyCheck::Integrity { integrity, found, expected } => write!(f, "the encrypted copy does not check ({integrity}, schema {found} of {expected})"),
            CopyCheck::Table { table } => write!(f, "table {table} differs in the encrypted copy"),
            CopyCheck::Chain => f.write_str("the encrypted copy's audit chain does not verify"),
        }
    }
}

/// Why the file beside a store named as its journal is not one (it is never acted on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAJournal {
    NotAFile,
    TooLarge {
        size: u64,
        max: u64,
    },
    /// serde's reading of it
    Unreadable {
        error: String,
    },
    Format {
        found: String,
        expected: &'static str,
    },
}

impl fmt::Display for NotAJournal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotAJournal::NotAFile => f.write_str("not a regular file"),
            NotAJournal::TooLarge { size, max } => write!(f, "{size} bytes; a journal has at most {max}"),
            NotAJournal::Unreadable { error } => f.write_str(error),
            NotAJournal::Format { found, expected } => write!(f, "its format {found} is not {expected}"),
        }
    }
}

impl NotAStore {
    /// The reason in the counter's words, for the app's detail line.
    pub fn zh(&self) -> String {
        match self {
            NotAStore::NotSqlite => "不是案件库文件".into(),
            NotAStore::Schema { found, known } => format!("案件库结构版本为 {found}，本软件只能读取 1–{known}（可能由更新版本的软件写入）"),
            NotAStore::Damaged { .. } => "文件已损坏（完整性检查未通过）".into(),
            NotAStore::Foreign { .. } => "不是本软件写入的案件库".into(),
            NotAStore::ChainBroken { .. } => "其中的审计日志链不完整（曾在本软件之外被改动）".into(),
            NotAStore::HalfWritten => "这是一份备份时被中断、未写完的文件：请选择完整的备份".into(),
            NotAStore::NotAFile => "不是普通文件".into(),
            NotAStore::NoHeaderNoKeys { keys } | NotAStore::KeyFileMissing { keys } | NotAStore::StoreKeyFileMissing { keys } => {
                format!("加密的案件库须与其密钥文件一起使用：旁边缺少 {}", keys.display())
            }
        }
    }
}

/// What of a stored case (or bank credit) cannot be read: the value as stored, or the domain's
/// own parse error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Damage {
    /// The status column names no status.
    #[error("unknown status {0:?}")]
    UnknownStatus(String),
    /// The case data does not parse as the domain's `CaseData`.
    #[error(transparent)]
    Data(certdesk_domain::case::CaseParseError),
    /// The case number column is no case number.
    #[error(transparent)]
    Number(certdesk_domain::number::CaseNumberError),
    /// The clock index's received or paid day is no ISO day.
    #[error("clock day {0:?}")]
    ClockDay(String),
    /// The clock index's status is text naming no status.
    #[error("status {0:?}")]
    ClockStatus(String),
    /// The clock index's status is not text at all.
    #[error("status {0:?}")]
    ClockStatusValue(StoredValue),
    /// The clock index's channel is neither `post` nor `counter`.
    #[error("channel {0:?}")]
    Channel(StoredValue),
    /// A bank credit's statement row out of range.
    #[error("row")]
    CreditRow { row: i64 },
    #[error("day {0:?}")]
    CreditDay(String),
    #[error("state {0:?}")]
    CreditState(String),
    /// A case event's time (closing, cancelling …) that is no RFC 3339 time.
    #[error("its {action} event's time {text:?} is not a time")]
    EventTime { action: String, text: String },
    #[error("its retention time {0:?} is not a time")]
    RetentionTime(String),
    #[error("attachment {name} does not match its recorded SHA-256")]
    AttachmentDigest { name: String },
}

/// A column's value as the database gave it (integers of any width as `Int`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredValue {
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
}
