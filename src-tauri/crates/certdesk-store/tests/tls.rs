//! TLS to the hall's server on the throwaway cluster (which has a CA of its own and a server
//! certificate for 127.0.0.1): a store opened with `sslmode=verify-full&sslrootcert=CA` works and
//! the server says its connection is encrypted; another CA is refused at the handshake, naming
//! the certificate; TLS asked for without a CA is refused before any connection. A server that
//! also asks the desk for a certificate gets the one `sslcert`/`sslkey` name.

mod common;

use certdesk_store::pg::{HallAddress, PgError, TlsFileProblem};
use certdesk_store::{Store, StoreError};

#[test]
fn a_hall_over_tls_verifies_the_servers_certificate() {
    let Some(server) = common::pg::server() else { return };
    let Some(ca) = std::env::var_os("CERTDESK_TEST_PG_CA") else {
        assert!(std::env::var_os("CI").is_none(), "CERTDESK_TEST_PG_CA is not set in CI: scripts/pg-cluster.sh prints it");
        return;
    };
    let db = server.fresh_db("tls");
    let password = || common::pg::password(&db.password_file);
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
    assert!(matches!(&empty, StoreError::Server(e) if matches!(**e, PgError::TlsCa { source: TlsFileProblem::NoCertificate, .. })), "{empty}");
}

/// A hall whose server also asks the desk for a certificate (`clientcert=verify-full` for the
/// cluster's role `certdesk_test_cert`): with `sslcert`/`sslkey` the desk gets in; without, or
/// with another certificate's key, it does not, and says which file is wrong.
#[test]
fn a_desk_shows_its_own_certificate_where_the_server_asks_for_one() {
    let Some(server) = common::pg::server() else { return };
    // skipped (loudly) only where no cluster of scripts/pg-cluster.sh runs, as every hall
    // test: in CI the cluster is there, and a missing certificate fails the test
    let (Some(ca), Some(cert), Some(key)) =
        (std::env::var_os("CERTDESK_TEST_PG_CA"), std::env::var_os("CERTDESK_TEST_PG_CLIENT_CERT"), std::env::var_os("CERTDESK_TEST_PG_CLIENT_KEY"))
    else {
        assert!(std::env::var_os("CI").is_none(), "CERTDESK_TEST_PG_CLIENT_CERT is not set in CI: scripts/pg-cluster.sh prints it");
        eprintln!("SKIPPED: no client certificate of the cluster (restart it with scripts/pg-cluster.sh)");
        return;
    };
    let db = server.fresh_db("client_cert");
    let password = || common::pg::password(&db.password_file);
    let as_cert_role = db.url.replacen("certdesk_test@", "certdesk_test_cert@", 1);
    let tls = format!("{as_cert_role}?sslmode=verify-full&sslrootcert={}", ca.to_string_lossy());
    let with = |cert: &std::ffi::OsStr, key: &std::ffi::OsStr| format!("{tls}&sslcert={}&sslkey={}", cert.to_string_lossy(), key.to_string_lossy());

    // the role may write there: the database is the test role's, opened to everyone
    db.raw().batch_execute("GRANT ALL ON SCHEMA public TO PUBLIC").expect("a schema the certificate's role may use");
    let store = Store::open_hall(&HallAddress::parse(&with(&cert, &key)).expect("an address"), password()).expect("in with the desk's certificate");
    assert_eq!(store.account_count().expect("a query"), 0);
    drop(store);

    // without a certificate: the server refuses the desk
    let refused = Store::open_hall(&HallAddress::parse(&tls).expect("an address"), password()).err().expect("no certificate");
    let text = format!("{refused}: {:?}", std::error::Error::source(&refused));
    assert!(text.contains("certificate"), "{text}");

    // a key that is not the certificate's, and a certificate file that holds none: named
    let dir = tempfile::tempdir().expect("a folder");
    let other_key = dir.path().join("other.key");
    let made =
        std::process::Command::new("openssl").args(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out"]).arg(&other_key).output().expect("openssl");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let wrong = Store::open_hall(&HallAddress::parse(&with(&cert, other_key.as_os_str())).expect("an address"), password()).err().expect("another key");
    assert!(matches!(&wrong, StoreError::Server(e) if matches!(**e, PgError::TlsClient { .. })) || wrong.to_string().contains("certificate"), "{wrong}");
    std::fs::write(dir.path().join("none.pem"), "no certificate\n").expect("a file");
    let none =
        Store::open_hall(&HallAddress::parse(&with(dir.path().join("none.pem").as_os_str(), &key)).expect("an address"), password()).err().expect("no certificate in the file");
    assert!(matches!(&none, StoreError::Server(e) if matches!(**e, PgError::TlsClient { .. })), "{none}");
}
