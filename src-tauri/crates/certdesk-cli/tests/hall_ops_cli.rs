//! The backup of a counter hall (docs/hall.md), rehearsed on the throwaway cluster: a hall with people
//! and a case is dumped with `pg_dump --format=custom` while it works, restored with
//! `pg_restore --no-comments` into an empty database (the extension's comment belongs to the
//! cluster's superuser: without the flag pg_restore fails on it), the restored hall's audit
//! chain verifies with `certdesk audit verify`, and the desks go on writing there.

#[path = "../../certdesk-store/tests/common/pg.rs"]
mod pg;

use certdesk_testkit::{Counter, stderr};
use std::process::Command;

const ORG_NEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json");

#[test]
fn a_hall_dumped_with_pg_dump_restores_and_verifies() {
    let Some(server) = pg::server() else { return };
    let (source, target) = (server.fresh_db("dump"), server.fresh_db("restored"));
    let c = Counter::empty(env!("CARGO_BIN_EXE_certdesk"));
    let pgpass = source.pgpass(c.dir.path());
    let c = c.with_env("CERTDESK_DB", &source.url).with_env("PGPASSFILE", &pgpass);
    c.add_people();
    let n = c.import(ORG_NEW);
    c.ok_as("zhang", &["case", "accept", &n]);

    // pg_dump and pg_restore as the server's administrator runs them (libpq options, no URL password)
    let url: url_parts::Parts = url_parts::parse(&source.url);
    let dump = c.dir.path().join("hall.dump");
    let tool = |program: &str, args: &[&str]| {
        let out = Command::new(program)
            .args(["-h", &url.host, "-p", &url.port, "-U", &url.user])
            .args(args)
            .env("PGPASSFILE", &pgpass)
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e} (Debian's postgresql-client)"));
        assert!(out.status.success(), "{program} {args:?}: {}", stderr(&out));
    };
    tool("pg_dump", &["--format=custom", "--file", dump.to_str().expect("a path"), &url.database]);
    let restored = url_parts::parse(&target.url).database;
    tool("pg_restore", &["--no-comments", "--dbname", &restored, dump.to_str().expect("a path")]);

    // the restored hall: the chain verifies, the case is there, and the desks go on
    fn on<'a>(args: &[&'a str], db: &'a str) -> Vec<&'a str> {
        let mut all = args.to_vec();
        all.extend(["--db", db]);
        all
    }
    let (code, report) = c.read_json(&on(&["audit", "verify", "--json"], &target.url));
    assert_eq!((code, &report["ok"]), (0, &serde_json::Value::Bool(true)), "{report}");
    let (_, case) = c.read_json(&on(&["case", "show", &n, "--json"], &target.url));
    assert_eq!(case["status"], "accepted", "{case}");
    c.ok_as("zhang", &on(&["case", "submit", &n], &target.url));
    let (code, report) = c.read_json(&on(&["audit", "verify", "--json"], &target.url));
    assert_eq!((code, &report["ok"]), (0, &serde_json::Value::Bool(true)), "{report}");
}

/// The parts of the test cluster's `postgres://USER@HOST:PORT/DB` that libpq's tools take.
mod url_parts {
    pub struct Parts {
        pub user: String,
        pub host: String,
        pub port: String,
        pub database: String,
    }

    pub fn parse(url: &str) -> Parts {
        let rest = url.strip_prefix("postgres://").expect("a postgres:// URL");
        let (user, rest) = rest.split_once('@').expect("USER@");
        let (hostport, database) = rest.split_once('/').expect("/DB");
        let (host, port) = hostport.rsplit_once(':').expect("HOST:PORT");
        Parts { user: user.into(), host: host.into(), port: port.into(), database: database.split('?').next().unwrap_or_default().into() }
    }
}
