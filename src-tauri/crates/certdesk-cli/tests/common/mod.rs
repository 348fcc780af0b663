//! What several CLI test files need beside the binary: the counter's encrypted store (#30)
//! opened in the test's own process, to read what the CLI wrote or to change it behind the
//! application's back (a tampering test).
#![allow(dead_code)]

use certdesk_store::keys::{Cipher, RecoverySecret};
use certdesk_testkit::Counter;
use std::path::Path;

/// The counter's store opened with its recovery key.
pub fn store(c: &Counter) -> certdesk_store::Store {
    store_at(&c.db(), &c.recovery_key())
}

/// An encrypted store file opened with a recovery key.
pub fn store_at(db: &Path, recovery_key: &str) -> certdesk_store::Store {
    let secret = RecoverySecret::parse(recovery_key).expect("a recovery key");
    certdesk_store::Store::open_encrypted(db, certdesk_store::Unlock::Recovery(&secret)).expect("the store opens with its recovery key")
}

/// Runs SQL on the counter's store file as a person with the key and a SQLCipher shell would:
/// no rule of the application, no trigger dropped unless the SQL drops it.
pub fn raw_sql(c: &Counter, sql: &str) {
    let secret = RecoverySecret::parse(&c.recovery_key()).expect("a recovery key");
    let cipher = Cipher::standard();
    let conn = rusqlite::Connection::open(c.db()).expect("the store file opens");
    conn.execute_batch(&format!("{} PRAGMA key = \"{}\"; {}", cipher.default_pragmas(), &*secret.data_key().pragma_value(), cipher.pragmas())).expect("keyed");
    conn.execute_batch(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A counter whose store is a plain SQLite file with the people of `certdesk_testkit::PEOPLE`,
/// as an older build made them before stores were encrypted (#30): what `store encrypt` turns
/// into an encrypted one. Made in the test's process (this build's CLI makes encrypted stores).
pub fn plain_counter(bin: &str) -> Counter {
    use certdesk_desk::domain::workflow::Role;
    let c = Counter::empty(bin);
    let mut store = certdesk_store::Store::open(&c.db()).expect("a plain store file");
    let password = |user: &str| certdesk_store::Password::new(std::fs::read_to_string(c.pw(user)).expect("a password file").trim().to_string());
    store.add_account("admin", &[Role::Admin], &password("admin"), None).expect("the first administrator");
    let admin = store.authenticate("admin", &password("admin")).expect("the administrator signs in");
    for (name, role) in certdesk_testkit::PEOPLE.iter().filter(|(n, _)| *n != "admin") {
        let role = match *role {
            "clerk" => Role::Clerk,
            "supervisor" => Role::Supervisor,
            "key_clerk" => Role::KeyClerk,
            other => panic!("a role {other}"),
        };
        store.add_account(name, &[role], &password(name), Some(&admin)).expect("an account");
    }
    c
}
