//! The store's SQLite is SQLCipher (#30): a file written under a key, its WAL included, holds
//! none of what was written and opens with that key only, while a plain file written the same
//! way shows everything and still opens without a key (old stores, backups and `store encrypt`
//! read plain files). What the store builds on for encryption at rest, checked on real files.

use rusqlite::Connection;

const NAME: &str = "王芳";
const ID: &str = "440106200109094066";
const MOBILE: &str = "13711112222";
const KEY: &str = "x'2b7e151628aed2a6abf7158809cf4f3c2b7e151628aed2a6abf7158809cf4f3c'";

/// Writes the markers into `path` (under `key` when given) and leaves them in the WAL: the
/// connection stays open, nothing checkpointed.
fn write(path: &std::path::Path, key: Option<&str>) -> Connection {
    let conn = Connection::open(path).unwrap();
    if let Some(key) = key {
        conn.execute_batch(&format!("PRAGMA key = \"{key}\"; PRAGMA cipher_page_size = 4096; PRAGMA cipher_hmac_algorithm = HMAC_SHA256;")).unwrap();
    }
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE people (name TEXT, id TEXT, mobile TEXT); CREATE VIRTUAL TABLE people_fts USING fts5(name, id, tokenize = 'trigram');").unwrap();
    conn.execute("INSERT INTO people VALUES (?1, ?2, ?3)", [NAME, ID, MOBILE]).unwrap();
    conn.execute("INSERT INTO people_fts VALUES (?1, ?2)", [NAME, ID]).unwrap();
    conn
}

fn holds(path: &std::path::Path, marker: &str) -> bool {
    let bytes = std::fs::read(path).unwrap_or_default();
    bytes.windows(marker.len()).any(|w| w == marker.as_bytes())
}

#[test]
fn the_store_library_is_sqlcipher() {
    let v = certdesk_store::cipher_version().expect("SQLCipher");
    assert!(v.starts_with('4'), "SQLCipher 4, got {v}");
}

#[test]
fn a_keyed_file_and_its_wal_hold_nothing_readable_and_open_with_their_key_only() {
    let dir = tempfile::tempdir().unwrap();
    let (plain, secret) = (dir.path().join("plain.db"), dir.path().join("secret.db"));
    let _p = write(&plain, None);
    let _s = write(&secret, Some(KEY));
    let wal = |p: &std::path::Path| p.with_file_name(format!("{}-wal", p.file_name().unwrap().to_string_lossy()));
    for marker in [NAME, ID, MOBILE] {
        // the test can fail: the plain file's WAL has every value
        assert!(holds(&wal(&plain), marker), "{marker} in the plain WAL");
        assert!(!holds(&secret, marker) && !holds(&wal(&secret), marker), "{marker} readable in the keyed file or its WAL");
    }
    assert!(!holds(&secret, "SQLite format 3"), "not even the header");
    drop((_p, _s));

    // no key, a wrong key: not a database; the key: the row, and the search finds it
    let count = |conn: &Connection| conn.query_row("SELECT count(*) FROM people", [], |r| r.get::<_, i64>(0));
    let bare = Connection::open(&secret).unwrap();
    assert!(count(&bare).unwrap_err().to_string().contains("not a database"));
    let wrong = Connection::open(&secret).unwrap();
    wrong
        .execute_batch(
            "PRAGMA cipher_log_level = NONE; PRAGMA key = \"x'00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'\"; PRAGMA cipher_hmac_algorithm = HMAC_SHA256;",
        )
        .unwrap();
    assert!(count(&wrong).is_err());
    let right = Connection::open(&secret).unwrap();
    right.execute_batch(&format!("PRAGMA key = \"{KEY}\"; PRAGMA cipher_page_size = 4096; PRAGMA cipher_hmac_algorithm = HMAC_SHA256;")).unwrap();
    assert_eq!(count(&right).unwrap(), 1);
    let found: String = right.query_row("SELECT id FROM people_fts WHERE people_fts MATCH ?1", ["109094"], |r| r.get(0)).unwrap();
    assert_eq!(found, ID);
    // a plain file opens without a key, as old stores and backups must
    assert_eq!(count(&Connection::open(&plain).unwrap()).unwrap(), 1);
}
