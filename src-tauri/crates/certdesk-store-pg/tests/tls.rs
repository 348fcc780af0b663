//! TLS to the hall's server on the throwaway cluster (which has a CA of its own and a server
//! certificate for 127.0.0.1): a store opened with `sslmode=verify-full&sslrootcert=CA` works and
//! the server says its connection is encrypted; another CA is refused at the handshake, naming
//! the certificate; TLS asked for without a CA is refused before any connection.

mod common;

use certdesk_store::pg::{HallAddress, PgError};
use certdesk_store::{Store, StoreError};

#[test]
fn a_hall_over_tls_verifies_the_servers_certificate() {
    let Some(server) = common::server() else { return };
    let Some(ca) = std::env::var_os("CERTDESK_TEST_PG_CA") else {
        assert!(std::env::var_os("CI").is_none(), "CERTDESK_TEST_PG_CA is not set in CI: scripts/pg-cluster.sh prints it");
        return;
    };
    let db = server.fresh_db("tls");
    let password = || common::password(&db.password_file);
    let tls_url = |ca: &std::ffi::OsStr| format!("{}?sslmode=verify-full&sslrootcert={}", db.url, ca.to_string_lossy());

    let store = Store::open_hall(&HallAddress::parse(&tls_url(&ca)).expect("a TLS address"), password()).expect("the hall over TLS");
    assert_eq!(store.account_count().expect("a query over TLS"), 0);
    let encrypted: i64 = db
        .raw()
        .query_one("SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.datname = current_database() AND a.application_name = 'certdesk' AND s.ssl", &[])
        .expect("the server's view of its connections")
        .get(0);
    assert!(encrypted >= 1, "the store's connection is not encrypted");
    drop(store);

    // a server whose certificate another CA signed is not this hall's
    let dir = tempfile::tempdir().expect("a folder");
    let other = dir.path().join("other-ca.pem");
    let made = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "3", "-subj", "/CN=another CA", "-keyout"])
        .arg(dir.path().join("other-ca.key"))
        .arg("-out")
        .arg(&other)
        .output()
        .expect("openssl");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let refused = Store::open_hall(&HallAddress::parse(&tls_url(other.as_os_str())).expect("a TLS address"), password()).err().expect("another CA");
    let text = format!("{refused}: {:?}", std::error::Error::source(&refused));
    assert!(text.to_lowercase().contains("certificate"), "{text}");

    // TLS without the hall's CA, or with a CA file that holds none: refused by name
    assert!(matches!(HallAddress::parse(&format!("{}?sslmode=require", db.url)), Err(PgError::TlsNeedsCa { .. })));
    std::fs::write(dir.path().join("empty.pem"), "not a certificate\n").expect("a file");
    let empty = Store::open_hall(&HallAddress::parse(&tls_url(dir.path().join("empty.pem").as_os_str())).expect("an address"), password()).err().expect("no CA in the file");
    assert!(matches!(&empty, StoreError::Server(e) if matches!(**e, PgError::TlsCa { .. })), "{empty}");
}
