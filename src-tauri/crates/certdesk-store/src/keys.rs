//! The keys of an encrypted store (#30, docs/design-privacy.md §2): the data key SQLCipher
//! opens the file with, derived from a random recovery secret shown once as the recovery key
//! (`RK1-…`, so the paper opens the store and every backup without the key file); a key slot
//! per account, as LUKS has them (the data key wrapped under a key argon2id makes from the
//! account's password, bound to the account's name); and the key file `<store>.keys` that holds
//! the slots with a check of the data key and a MAC under a key derived from it, written
//! atomically. Owns the cryptography and the file's format; not opening the database, nor when
//! slots change (the account changes that call it).

use argon2::password_hash::rand_core::{OsRng, RngCore};
use ring::{aead, hkdf, hmac};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The key file's format name; another is refused.
pub const FORMAT: &str = "certdesk-keys-v1";
/// The largest key file read: one is a few kilobytes (a slot of about 300 bytes per account).
pub const MAX_KEY_FILE_BYTES: u64 = 1 << 20;
/// The most memory (KiB) a slot read from a key file may ask argon2 for: 16 times the standard
/// 64 MiB. A slot asking for more would make the sign-in allocate it (4 TiB at most), and fail
/// by aborting the process.
pub const MAX_SLOT_MEMORY_KIB: u32 = 1 << 20;
/// The most argon2 passes and lanes a slot read from a key file may ask for (the standard: 3
/// passes, 4 lanes); more is a sign-in that never ends.
pub const MAX_SLOT_PASSES: u32 = 64;
pub const MAX_SLOT_LANES: u32 = 64;
/// What binds a slot to its account: a slot copied under another name does not open.
const SLOT_AAD: &[u8] = b"certdesk-slot-v1\0";
/// Why typed text is not a recovery key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecoveryKeyProblem {
    #[error("it does not start with RK1-")]
    NoPrefix,
    #[error("it has {0} characters after RK1-, not 55")]
    Length(usize),
    #[error("it has a character that is not in a recovery key")]
    ForeignCharacter,
    #[error("a character is mistyped (its check does not match)")]
    Mistyped,
}

/// Why a key file cannot be read, before any key is tried on it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileProblem {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("it is a folder, not a regular file")]
    Folder,
    /// Opening one would wait for a writer for ever, or read without end.
    #[error("it is a FIFO, a socket or a device, not a regular file")]
    NotRegular,
    #[error("it is {bytes} bytes; a key file is at most {MAX_KEY_FILE_BYTES} bytes (MAX_KEY_FILE_BYTES)")]
    TooLarge { bytes: u64 },
    #[error("it grew past {MAX_KEY_FILE_BYTES} bytes while read; a key file is at most that (MAX_KEY_FILE_BYTES)")]
    GrewWhileRead,
    #[error("not a key file: {0}")]
    NotJson(#[source] serde_json::Error),
    #[error("its format {found} is not {FORMAT}")]
    Format { found: String },
    /// The costs a slot names are what a sign-in spends, so they are bounded before any is tried.
    #[error(
        "the slot of {account} asks argon2 for {m_kib} KiB, {t} passes and {p} lanes; a slot is read up to {MAX_SLOT_MEMORY_KIB} KiB (MAX_SLOT_MEMORY_KIB), {MAX_SLOT_PASSES} passes (MAX_SLOT_PASSES) and {MAX_SLOT_LANES} lanes (MAX_SLOT_LANES): open the store with the recovery key"
    )]
    SlotTooCostly { account: String, m_kib: u32, t: u32, p: u32 },
}

/// Why a key file cannot be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyWriteProblem {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// Why a password (or a slot) does not give a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KdfProblem {
    #[error("unknown key derivation {0}")]
    UnknownDerivation(String),
    /// argon2 refuses the slot's costs or the salt (its error is `Display`, written out).
    #[error("{0}")]
    Argon2(argon2::Error),
    #[error("AES-256-GCM refused the key")]
    GcmRefusedKey,
    #[error("AES-256-GCM could not wrap the key")]
    GcmCouldNotWrap,
    #[error("the slot of {account} is damaged")]
    SlotDamaged { account: String },
}

/// The recovery key's printed prefix (its format).
const RECOVERY_PREFIX: &str = "RK1";
/// Crockford's base32 alphabet (no I, L, O, U).
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// (Not `PartialEq`: the io and JSON errors a refusal carries are not comparable; tests match.)
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the recovery key is not one: {0}")]
    BadRecoveryKey(RecoveryKeyProblem),
    #[error("the key file {path} cannot be read: {source}")]
    Unreadable {
        path: String,
        #[source]
        source: KeyFileProblem,
    },
    #[error("the key file {path} was changed outside certdesk (its MAC does not match): open the store with the recovery key")]
    Tampered { path: String },
    #[error("the key does not open this store (its key check does not match)")]
    WrongKey,
    #[error("cannot write the key file {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: KeyWriteProblem,
    },
    #[error("the password cannot be turned into a key: {0}")]
    Kdf(KdfProblem),
    /// The key file is of a later generation than the store records (a store restored without
    /// the key file of its backup).
    #[error(
        "the key file {path} is newer than the store (generation {file}, the store records {store}): put back the key file that goes with the store (a backup's is X.db.keys beside it), or open the store with the recovery key (store open-with-recovery)"
    )]
    Ahead { path: String, file: u64, store: u64 },
    /// The key file is not the one the store records (an older copy put back, or another of
    /// the same generation).
    #[error(
        "the key file {path} is not the one the store was last written with (generation {file}, the store records {store}): put back the key file that goes with the store, or open the store with the recovery key (store open-with-recovery)"
    )]
    Stale { path: String, file: u64, store: u64 },
}

/// A 256-bit secret that is wiped when dropped.
type Secret = Zeroizing<[u8; 32]>;

fn random() -> Secret {
    let mut s = Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(&mut *s);
    s
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// HKDF-SHA256 of `ikm` with `info`, 32 bytes.
fn derive(ikm: &[u8], salt: &[u8], info: &[u8]) -> Secret {
    struct Len32;
    impl hkdf::KeyType for Len32 {
        fn len(&self) -> usize {
            32
        }
    }
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(ikm);
    let mut out = Zeroizing::new([0u8; 32]);
    let info = [info];
    // only fails for an output longer than 255 hash lengths
    if let Ok(okm) = prk.expand(&info, Len32) {
        let _ = okm.fill(&mut *out);
    }
    out
}

/// The key SQLCipher opens the store with.
pub struct DataKey(Secret);

impl DataKey {
    /// The key as `PRAGMA key` takes a raw key (`x'…'`), in a string wiped when dropped.
    pub fn pragma_value(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex(&*self.0)))
    }

    /// What the key file holds to tell this key from another before SQLCipher sees it.
    pub fn check_value(&self) -> String {
        hex(hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &*self.0), b"certdesk key check v1").as_ref())
    }

    fn mac_key(&self) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &*derive(&*self.0, b"", b"certdesk key file mac v1"))
    }
}

/// The secret the data key is derived from, drawn when an encrypted store is made and shown
/// once, on paper, as the recovery key.
pub struct RecoverySecret(Secret);

impl RecoverySecret {
    pub fn generate() -> RecoverySecret {
        RecoverySecret(random())
    }

    pub fn data_key(&self) -> DataKey {
        DataKey(derive(&*self.0, b"certdesk", b"certdesk data key v1"))
    }

    /// `RK1-XXXXX-…`: the 32 bytes and a 2-byte check (SHA-256's first two) in Crockford's
    /// base32, 55 characters in 11 groups of 5.
    pub fn to_text(&self) -> Zeroizing<String> {
        let mut bytes = Zeroizing::new(self.0.to_vec());
        bytes.extend_from_slice(&check_bytes(&*self.0));
        let chars = base32(&bytes);
        let groups: Vec<&str> = chars.as_bytes().chunks(5).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect();
        Zeroizing::new(format!("{RECOVERY_PREFIX}-{}", groups.join("-")))
    }

    /// Reads a recovery key back as typed: case, spaces and hyphens ignored, O read as 0 and
    /// I or L as 1; a mistyped character is caught by the check.
    pub fn parse(text: &str) -> Result<RecoverySecret, KeyError> {
        let bad = KeyError::BadRecoveryKey;
        let cleaned: Zeroizing<String> = Zeroizing::new(
            text.trim()
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .map(|c| match c.to_ascii_uppercase() {
                    'O' => '0',
                    'I' | 'L' => '1',
                    other => other,
                })
                .collect(),
        );
        let body = cleaned.strip_prefix(RECOVERY_PREFIX).ok_or(bad(RecoveryKeyProblem::NoPrefix))?;
        if body.len() != 55 {
            return Err(bad(RecoveryKeyProblem::Length(body.len())));
        }
        let bytes = Zeroizing::new(unbase32(body).ok_or(bad(RecoveryKeyProblem::ForeignCharacter))?);
        let (secret, check) = bytes.split_at(32);
        if check != check_bytes(secret) {
            return Err(bad(RecoveryKeyProblem::Mistyped));
        }
        let mut s = Zeroizing::new([0u8; 32]);
        s.copy_from_slice(secret);
        Ok(RecoverySecret(s))
    }
}

fn check_bytes(secret: &[u8]) -> [u8; 2] {
    let d = ring::digest::digest(&ring::digest::SHA256, secret);
    [d.as_ref()[0], d.as_ref()[1]]
}

fn base32(bytes: &[u8]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::new());
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in bytes {
        acc = (acc << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            out.push(CROCKFORD[((acc >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(CROCKFORD[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn unbase32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = CROCKFORD.iter().position(|x| *x == c)? as u32;
        acc = (acc << 5) | v;
        bits += 5;
        if bits >= 8 {
            out.push((acc >> (bits - 8)) as u8);
            bits -= 8;
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// How a slot's key is made from a password: argon2id's costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kdf {
    pub alg: String,
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl Kdf {
    /// 64 MiB, 3 passes, 4 lanes: about 150 ms here, on every sign-in that opens the store.
    pub fn standard() -> Kdf {
        Kdf { alg: "argon2id".into(), m_kib: 64 * 1024, t: 3, p: 4 }
    }

    fn key(&self, password: &[u8], salt: &[u8]) -> Result<Secret, KeyError> {
        if self.alg != "argon2id" {
            return Err(KeyError::Kdf(KdfProblem::UnknownDerivation(self.alg.clone())));
        }
        let params = argon2::Params::new(self.m_kib, self.t, self.p, Some(32)).map_err(|e| KeyError::Kdf(KdfProblem::Argon2(e)))?;
        let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut out = Zeroizing::new([0u8; 32]);
        argon.hash_password_into(password, salt, &mut *out).map_err(|e| KeyError::Kdf(KdfProblem::Argon2(e)))?;
        Ok(out)
    }
}

/// One account's copy of the data key, wrapped under its password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub account: String,
    pub kdf: Kdf,
    pub salt: String,
    pub nonce: String,
    pub wrapped: String,
    pub set_at: String,
}

fn gcm(key: &[u8]) -> Result<aead::LessSafeKey, KeyError> {
    aead::UnboundKey::new(&aead::AES_256_GCM, key).map(aead::LessSafeKey::new).map_err(|_| KeyError::Kdf(KdfProblem::GcmRefusedKey))
}

fn aad(account: &str) -> Vec<u8> {
    [SLOT_AAD, account.as_bytes()].concat()
}

impl Slot {
    /// The data key wrapped for `account` under `password`.
    pub fn seal(account: &str, password: &[u8], key: &DataKey, set_at: &str) -> Result<Slot, KeyError> {
        let kdf = Kdf::standard();
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut salt);
        OsRng.fill_bytes(&mut nonce);
        let kek = kdf.key(password, &salt)?;
        let mut sealed = Zeroizing::new(key.0.to_vec());
        gcm(&*kek)?
            .seal_in_place_append_tag(aead::Nonce::assume_unique_for_key(nonce), aead::Aad::from(aad(account)), &mut *sealed)
            .map_err(|_| KeyError::Kdf(KdfProblem::GcmCouldNotWrap))?;
        Ok(Slot { account: account.to_string(), kdf, salt: hex(&salt), nonce: hex(&nonce), wrapped: hex(&sealed), set_at: set_at.to_string() })
    }

    /// The data key, when `password` is this slot's; none for another password (or a slot
    /// that was moved to another account's name).
    pub fn open(&self, password: &[u8]) -> Result<Option<DataKey>, KeyError> {
        let damaged = || KeyError::Kdf(KdfProblem::SlotDamaged { account: self.account.clone() });
        let (salt, nonce, mut wrapped) =
            (unhex(&self.salt).ok_or_else(damaged)?, unhex(&self.nonce).ok_or_else(damaged)?, Zeroizing::new(unhex(&self.wrapped).ok_or_else(damaged)?));
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| damaged())?;
        let kek = self.kdf.key(password, &salt)?;
        let Ok(plain) = gcm(&*kek)?.open_in_place(aead::Nonce::assume_unique_for_key(nonce), aead::Aad::from(aad(&self.account)), &mut wrapped) else {
            return Ok(None);
        };
        let key: [u8; 32] = plain.try_into().map_err(|_| damaged())?;
        Ok(Some(DataKey(Zeroizing::new(key))))
    }
}

/// SQLCipher's settings the file was written with: they are not in the file, and must be set
/// on every connection after the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cipher {
    pub page_size: u32,
    pub hmac: String,
    pub kdf: String,
}

impl Cipher {
    /// 4 KiB pages, HMAC-SHA256, a raw key (the design's measured profile).
    pub fn standard() -> Cipher {
        Cipher { page_size: 4096, hmac: "HMAC_SHA256".into(), kdf: "raw-key".into() }
    }

    /// The statements that follow `PRAGMA key` on a connection.
    pub fn pragmas(&self) -> String {
        format!("PRAGMA cipher_page_size = {}; PRAGMA cipher_hmac_algorithm = {}; PRAGMA cipher_log_level = NONE;", self.page_size, self.hmac)
    }

    /// The statements that come before `PRAGMA key`: the same settings as SQLCipher's defaults
    /// (for the process), because `VACUUM INTO` writes a backup with the defaults, not with its
    /// connection's settings (measured: a backup written under HMAC-SHA256 otherwise comes out
    /// under SHA-512 and does not open with the key file's settings).
    pub fn default_pragmas(&self) -> String {
        format!("PRAGMA cipher_default_page_size = {}; PRAGMA cipher_default_hmac_algorithm = {};", self.page_size, self.hmac)
    }
}

/// The key file `<store>.keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyFile {
    pub format: String,
    /// A random id, also in the store's settings: a key file of another store is told apart.
    pub store_id: String,
    /// Counts every change; the store records the one it was last written with.
    pub generation: u64,
    pub cipher: Cipher,
    pub key_check: String,
    pub slots: Vec<Slot>,
    /// HMAC-SHA256, under a key derived from the data key, of everything above.
    pub mac: String,
}

/// The part of the key file its MAC covers, in one canonical JSON form.
#[derive(Serialize)]
struct Covered<'a> {
    format: &'a str,
    store_id: &'a str,
    generation: u64,
    cipher: &'a Cipher,
    key_check: &'a str,
    slots: &'a [Slot],
}

impl KeyFile {
    /// A new key file for a store whose data key is `key`, with no slot yet.
    pub fn new(key: &DataKey) -> KeyFile {
        let mut id = [0u8; 16];
        OsRng.fill_bytes(&mut id);
        let mut file =
            KeyFile { format: FORMAT.into(), store_id: hex(&id), generation: 0, cipher: Cipher::standard(), key_check: key.check_value(), slots: Vec::new(), mac: String::new() };
        file.seal(key);
        file
    }

    fn covered(&self) -> Vec<u8> {
        let c = Covered { format: &self.format, store_id: &self.store_id, generation: self.generation, cipher: &self.cipher, key_check: &self.key_check, slots: &self.slots };
        serde_json::to_vec(&c).unwrap_or_default()
    }

    /// SHA-256 of the part the MAC covers: what the store records of the key file it goes with
    /// (`key_file_sha256`), so that another well-MAC'd file of the same generation is told apart.
    pub fn digest(&self) -> String {
        hex(ring::digest::digest(&ring::digest::SHA256, &self.covered()).as_ref())
    }

    /// Sets the MAC after a change.
    pub fn seal(&mut self, key: &DataKey) {
        self.mac = hex(hmac::sign(&key.mac_key(), &self.covered()).as_ref());
    }

    /// The data key `key` is this file's (its check) and nothing in the file was changed
    /// outside certdesk (its MAC).
    pub fn verify(&self, key: &DataKey, path: &Path) -> Result<(), KeyError> {
        if key.check_value() != self.key_check {
            return Err(KeyError::WrongKey);
        }
        let mac = unhex(&self.mac).unwrap_or_default();
        hmac::verify(&key.mac_key(), &self.covered(), &mac).map_err(|_| KeyError::Tampered { path: path.display().to_string() })
    }

    /// The data key from `account`'s slot with `password`: checked against the file before it
    /// is used. None for a wrong password or no slot of that name (the same argon2 work is done
    /// either way, so the answer takes as long).
    pub fn unlock(&self, account: &str, password: &[u8], path: &Path) -> Result<Option<DataKey>, KeyError> {
        let Some(slot) = self.slots.iter().find(|s| s.account == account) else {
            let _ = Kdf::standard().key(password, &[0u8; 16])?;
            return Ok(None);
        };
        match slot.open(password)? {
            Some(key) => {
                self.verify(&key, path)?;
                Ok(Some(key))
            }
            None => Ok(None),
        }
    }

    /// Puts `account`'s slot for `password` in (replacing its old one): the next generation.
    pub fn set_slot(&mut self, key: &DataKey, account: &str, password: &[u8], now: &str) -> Result<(), KeyError> {
        let slot = Slot::seal(account, password, key, now)?;
        self.put_slot(key, slot);
        Ok(())
    }

    /// Puts a slot sealed beforehand in (replacing its account's old one): the next
    /// generation. (The argon2 work of [`Slot::seal`] is done before the store's write lock.)
    pub fn put_slot(&mut self, key: &DataKey, slot: Slot) {
        self.slots.retain(|s| s.account != slot.account);
        self.slots.push(slot);
        self.generation += 1;
        self.seal(key);
    }

    /// Takes `account`'s slot out (a disabled or deleted account): the next generation.
    pub fn remove_slot(&mut self, key: &DataKey, account: &str) {
        self.slots.retain(|s| s.account != account);
        self.generation += 1;
        self.seal(key);
    }

    /// Reads the key file at `path` (#78): a regular file of at most [`MAX_KEY_FILE_BYTES`],
    /// looked at before it is opened (a FIFO in its place would make the open wait for a writer
    /// for ever, a device would be read without end) and read no further than the limit (a file
    /// that grows while read is still cut there).
    pub fn read(path: &Path) -> Result<KeyFile, KeyError> {
        use std::io::Read;
        let unreadable = |source: KeyFileProblem| KeyError::Unreadable { path: path.display().to_string(), source };
        let regular = |meta: &std::fs::Metadata| {
            if !meta.is_file() {
                return Err(unreadable(if meta.is_dir() { KeyFileProblem::Folder } else { KeyFileProblem::NotRegular }));
            }
            if meta.len() > MAX_KEY_FILE_BYTES {
                return Err(unreadable(KeyFileProblem::TooLarge { bytes: meta.len() }));
            }
            Ok(())
        };
        regular(&std::fs::metadata(path).map_err(|e| unreadable(e.into()))?)?;
        let file = std::fs::File::open(path).map_err(|e| unreadable(e.into()))?;
        // what was opened is what was looked at (not swapped for something else in between)
        regular(&file.metadata().map_err(|e| unreadable(e.into()))?)?;
        let mut bytes = Vec::new();
        file.take(MAX_KEY_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| unreadable(e.into()))?;
        if bytes.len() as u64 > MAX_KEY_FILE_BYTES {
            return Err(unreadable(KeyFileProblem::GrewWhileRead));
        }
        KeyFile::parse(&bytes, path)
    }

    /// The key file in `bytes` (read from `path`, which the errors name): its JSON, in the
    /// format [`FORMAT`]. Nothing is checked against a key here ([`KeyFile::verify`]).
    pub fn parse(bytes: &[u8], path: &Path) -> Result<KeyFile, KeyError> {
        let unreadable = |source: KeyFileProblem| KeyError::Unreadable { path: path.display().to_string(), source };
        let file: KeyFile = serde_json::from_slice(bytes).map_err(|e| unreadable(KeyFileProblem::NotJson(e)))?;
        if file.format != FORMAT {
            return Err(unreadable(KeyFileProblem::Format { found: file.format }));
        }
        // the costs a slot names are what a sign-in spends: bounded here, before any is tried
        if let Some(slot) = file.slots.iter().find(|s| s.kdf.m_kib > MAX_SLOT_MEMORY_KIB || s.kdf.t > MAX_SLOT_PASSES || s.kdf.p > MAX_SLOT_LANES) {
            let Kdf { m_kib, t, p, .. } = slot.kdf;
            return Err(unreadable(KeyFileProblem::SlotTooCostly { account: slot.account.clone(), m_kib, t, p }));
        }
        Ok(file)
    }

    /// Writes the file where `path` says, atomically: the new text beside it, synced, then
    /// renamed over the old one (0600, as the store).
    pub fn write(&self, path: &Path) -> Result<(), KeyError> {
        self.write_next(path)?;
        install_next(path)
    }

    /// Writes the file as `<path>.next` (0600, synced): the next generation, waiting for the
    /// change that goes with it to commit before it replaces `path` ([`install_next`]).
    pub fn write_next(&self, path: &Path) -> Result<(), KeyError> {
        let text = serde_json::to_vec_pretty(self).map_err(|e| KeyError::Write { path: path.display().to_string(), source: e.into() })?;
        crate::private::write(&next_path(path), &text).map_err(|e| KeyError::Write { path: path.display().to_string(), source: e.into() })
    }
}

/// `<path>.next` renamed over `path` (atomic in one folder, Windows included), the folder
/// synced so that the rename outlives a power cut.
pub fn install_next(path: &Path) -> Result<(), KeyError> {
    let failed = |e: std::io::Error| KeyError::Write { path: path.display().to_string(), source: e.into() };
    std::fs::rename(next_path(path), path).map_err(failed)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // the rename is durable once the folder is synced (not possible on Windows)
        #[cfg(unix)]
        std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(failed)?;
        #[cfg(not(unix))]
        let _ = dir;
    }
    Ok(())
}

/// `<store>.keys` beside the store file.
pub fn key_file_path(store: &Path) -> PathBuf {
    let mut name = store.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".keys");
    store.with_file_name(name)
}

/// Where a key file's next generation is written before it replaces it (`<store>.keys.next`).
pub fn next_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".next");
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recovery_key_reads_back_as_typed_and_catches_a_mistyped_character() {
        let secret = RecoverySecret::generate();
        let text = secret.to_text();
        assert!(text.starts_with("RK1-"));
        assert_eq!(text.len(), 4 + 55 + 10, "11 groups of 5 with hyphens: {}", &*text);
        let back = RecoverySecret::parse(&text).unwrap();
        assert_eq!(back.data_key().check_value(), secret.data_key().check_value());
        // lower case, spaces for hyphens, O for 0 and l for 1 read the same
        let typed = text.to_lowercase().replace('-', " ").replace('0', "o").replace('1', "l");
        assert_eq!(RecoverySecret::parse(&typed).unwrap().data_key().check_value(), secret.data_key().check_value());
        // one character changed: caught
        let mut chars: Vec<char> = text.chars().collect();
        chars[10] = if chars[10] == 'A' { 'B' } else { 'A' };
        let wrong: String = chars.into_iter().collect();
        assert!(matches!(RecoverySecret::parse(&wrong), Err(KeyError::BadRecoveryKey(_))));
        assert!(matches!(RecoverySecret::parse("RK1-ABCDE"), Err(KeyError::BadRecoveryKey(RecoveryKeyProblem::Length(5)))));
        assert!(matches!(RecoverySecret::parse("hello"), Err(KeyError::BadRecoveryKey(RecoveryKeyProblem::NoPrefix))));
    }

    #[test]
    fn a_slot_opens_with_its_password_only_and_only_under_its_account() {
        let key = RecoverySecret::generate().data_key();
        let slot = Slot::seal("zhang", b"Zhang-pass-1", &key, "2026-11-24T00:00:00Z").unwrap();
        assert_eq!(slot.open(b"Zhang-pass-1").unwrap().unwrap().check_value(), key.check_value());
        assert!(slot.open(b"zhang-pass-1").unwrap().is_none());
        let moved = Slot { account: "li".into(), ..slot.clone() };
        assert!(moved.open(b"Zhang-pass-1").unwrap().is_none(), "a slot copied under another name opens nothing");
        assert!(!slot.wrapped.contains(&hex(&*key.0)), "the key is not in the slot");
    }

    #[test]
    fn the_key_file_finds_any_change_made_outside_and_a_key_of_another_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = key_file_path(&dir.path().join("certdesk.db"));
        assert!(path.ends_with("certdesk.db.keys"));
        let key = RecoverySecret::generate().data_key();
        let mut file = KeyFile::new(&key);
        file.set_slot(&key, "admin", b"Admin-pass-1", "2026-11-24T00:00:00Z").unwrap();
        file.set_slot(&key, "zhang", b"Zhang-pass-1", "2026-11-24T00:00:00Z").unwrap();
        assert_eq!(file.generation, 2);
        file.write(&path).unwrap();
        assert!(!next_path(&path).exists(), "the next generation was renamed into place");
        let read = KeyFile::read(&path).unwrap();
        assert_eq!(read, file);
        assert_eq!(read.unlock("zhang", b"Zhang-pass-1", &path).unwrap().unwrap().check_value(), key.check_value());
        assert!(read.unlock("zhang", b"wrong", &path).unwrap().is_none());
        assert!(read.unlock("nobody", b"Zhang-pass-1", &path).unwrap().is_none());
        // a slot taken out by hand: the MAC says so
        let mut edited = read.clone();
        edited.slots.retain(|s| s.account != "admin");
        assert!(matches!(edited.verify(&key, &path), Err(KeyError::Tampered { .. })));
        assert!(matches!(edited.unlock("zhang", b"Zhang-pass-1", &path), Err(KeyError::Tampered { .. })));
        // another store's key
        let other = RecoverySecret::generate().data_key();
        assert!(matches!(read.verify(&other, &path), Err(KeyError::WrongKey)));
        // a disabled account's slot goes with the next generation
        let mut file = read;
        file.remove_slot(&key, "zhang");
        assert_eq!(file.generation, 3);
        assert!(file.unlock("zhang", b"Zhang-pass-1", &path).unwrap().is_none());
        file.verify(&key, &path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn a_key_file_past_the_limit_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("certdesk.db.keys");
        // valid JSON all the way, so that only the limit can refuse it
        let mut big = br#"{"format":"certdesk-keys-v1","pad":""#.to_vec();
        big.resize(2 << 20, b' ');
        big.extend_from_slice(br#""}"#);
        std::fs::write(&path, &big).unwrap();
        let e = KeyFile::read(&path).unwrap_err();
        assert!(matches!(&e, KeyError::Unreadable { source: KeyFileProblem::TooLarge { bytes }, .. } if *bytes > MAX_KEY_FILE_BYTES), "{e:?}");
        assert!(e.to_string().contains("MAX_KEY_FILE_BYTES") && e.to_string().contains(&MAX_KEY_FILE_BYTES.to_string()), "{e}");
        // the same file at the limit is read (and refused only for what it holds)
        let key = RecoverySecret::generate().data_key();
        KeyFile::new(&key).write(&path).unwrap();
        assert!(KeyFile::read(&path).is_ok());
    }

    #[test]
    fn a_slot_asking_argon2_for_more_than_the_limits_is_refused_when_parsed() {
        let key = RecoverySecret::generate().data_key();
        let mut file = KeyFile::new(&key);
        file.set_slot(&key, "admin", b"Admin-pass-1", "2026-11-24T00:00:00Z").unwrap();
        let path = Path::new("certdesk.db.keys");
        assert_eq!(KeyFile::parse(&serde_json::to_vec(&file).unwrap(), path).unwrap(), file);
        for (m_kib, t, p) in [(u32::MAX, 3, 4), (64 * 1024, u32::MAX, 4), (64 * 1024, 3, 255)] {
            let mut costly = file.clone();
            costly.slots[0].kdf = Kdf { alg: "argon2id".into(), m_kib, t, p };
            let e = KeyFile::parse(&serde_json::to_vec(&costly).unwrap(), path).unwrap_err();
            assert!(e.to_string().contains("the slot of admin asks argon2") && e.to_string().contains("MAX_SLOT_"), "{e}");
        }
    }

    #[test]
    fn a_folder_in_the_key_files_place_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let e = KeyFile::read(dir.path()).unwrap_err();
        assert!(e.to_string().contains("a folder, not a regular file"), "{e}");
    }

    /// A FIFO in the key file's place: opening it for reading would wait for a writer. The
    /// test's own writer (a thread that opens the other end) lets such an open go on, so a
    /// reader that opened it reads an empty file and says so instead of hanging the test.
    #[cfg(unix)]
    #[test]
    fn a_fifo_in_the_key_files_place_is_refused_without_opening_it() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("certdesk.db.keys");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let writer = fifo.clone();
        // left blocked when the reader never opens the FIFO: the test process ends it
        std::thread::spawn(move || drop(std::fs::OpenOptions::new().write(true).open(writer)));
        let e = KeyFile::read(&fifo).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }

    #[test]
    fn base32_round_trips_any_bytes() {
        for bytes in [vec![], vec![0u8], vec![255u8; 34], (0..=33).collect::<Vec<u8>>()] {
            assert_eq!(unbase32(&base32(&bytes)).unwrap()[..bytes.len()], bytes[..]);
        }
    }
}
