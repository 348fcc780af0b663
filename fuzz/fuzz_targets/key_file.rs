//! Fuzz target for the key file of an encrypted store (#78): arbitrary bytes through
//! `KeyFile::parse`, what `KeyFile::read` hands a file's content to once it has checked that it
//! is a regular file within `MAX_KEY_FILE_BYTES`; a parsed file's digest and MAC check against a
//! key of another store (which must refuse it, not panic). Not the slots' unlocking: that is
//! argon2 at the costs the file names, 64 MiB a try. Any error is fine; a panic, an abort or a
//! timeout is a finding.

#![no_main]

use certdesk_store::keys::{KeyFile, RecoverySecret};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;

static OTHER_STORES_KEY: OnceLock<RecoverySecret> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.db.keys");
    if let Ok(file) = KeyFile::parse(data, path) {
        let _ = file.digest();
        let key = OTHER_STORES_KEY.get_or_init(RecoverySecret::generate).data_key();
        assert!(file.verify(&key, path).is_err(), "a key file made up by the fuzzer does not verify under a random key");
    }
});
