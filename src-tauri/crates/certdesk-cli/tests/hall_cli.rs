//! The `certdesk` binary on a counter hall (`--db postgres://…` / `CERTDESK_DB`), on a fresh
//! database of the test cluster: people, a case imported, accepted, submitted and approved by
//! another account, search, the audit chain verified; the password from `PGPASSFILE` or
//! `--db-password-file`, never the address; file backups refused with the hall's way instead.

#[path = "../../certdesk-store/tests/common/pg.rs"]
mod pg;

use certdesk_testkit::{Counter, stderr};
use std::path::Path;

const ORG_NEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json");

/// A counter working on a fresh database of the test cluster (`CERTDESK_DB`, the server's
/// password from `PGPASSFILE`), with its people; the database lives as long as the first half.
fn counter_on_a_hall(server: &pg::Server, tag: &str) -> (pg::TestDb, Counter) {
    let db = server.fresh_db(tag);
    let c = Counter::empty(env!("CARGO_BIN_EXE_certdesk"));
    let pgpass = db.pgpass(c.dir.path());
    let c = c.with_env("CERTDESK_DB", &db.url).with_env("PGPASSFILE", &pgpass);
    c.add_people();
    (db, c)
}

#[test]
fn a_counter_day_on_a_hall_works_as_on_a_file() {
    let Some(server) = pg::server() else { return };
    let (db, c) = counter_on_a_hall(&server, "cli");
    let n = c.import(ORG_NEW);
    for (action, who) in [("accept", "zhang"), ("submit", "zhang")] {
        c.ok_as(who, &["case", action, &n]);
    }
    let own = c.as_user("zhang", &["case", "approve", &n]);
    assert_eq!(own.status.code(), Some(1), "the clerk cannot approve: {}", stderr(&own));
    c.ok_as("li", &["case", "approve", &n]);
    assert_eq!(c.status(&n), "approved");
    let found = c.read(&["case", "search", "示例科技"]);
    assert!(found.contains(&n), "{found}");
    let found = c.read(&["case", "search", "示例"]);
    assert!(found.contains(&n), "two characters: {found}");
    let (code, report) = c.read_json(&["audit", "verify", "--json"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["ok"], true, "{report}");
    // the case is on the server, not in a file somewhere
    let on_server: String = db.raw().query_one("SELECT string_agg(number || ' ' || status, ',') FROM cases", &[]).expect("reading the hall").get(0);
    assert_eq!(on_server, format!("{n} approved"));
    assert!(!c.db().exists(), "no store file was made");

    // the same hall through --db and --db-password-file, no PGPASSFILE
    let password_file = db.password_file.display().to_string();
    let out = c
        .cmd(&["case", "show", &n, "--json", "--db", &db.url, "--db-password-file", &password_file, "--as", "li", "--password-file", &c.pw("li")])
        .env_remove("PGPASSFILE")
        .env_remove("CERTDESK_DB")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // what only a file has answers with what a hall does instead
    let backup = c.p("b.db");
    let admin = c.pw("admin");
    let out = c.run(&["store", "backup", "--out", &backup, "--as", "admin", "--password-file", &admin]);
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("not on a hall") && stderr(&out).contains("pg_dump"), "{}", stderr(&out));
    assert!(!Path::new(&backup).exists());
}

/// #79 on a hall as on a file: a case whose forms collect the seal samples (内蒙古CA's
/// 电子签章单位申请表) is not submitted before its seal sheet is imported; then it is approved.
#[test]
fn a_case_whose_forms_collect_seal_samples_waits_for_its_sheet_on_a_hall() {
    let Some(server) = pg::server() else { return };
    let (_db, c) = counter_on_a_hall(&server, "seal");
    let n = c.import(&certdesk_testkit::fixture("cases/nmgca-procurement-organization-new-long-name.json"));
    c.ok_as("zhang", &["case", "accept", &n]);
    let refused = c.as_user("zhang", &["case", "submit", &n, "--json"]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(String::from_utf8_lossy(&refused.stdout).contains("seal_samples_missing"), "{}", String::from_utf8_lossy(&refused.stdout));
    assert_eq!(c.status(&n), "accepted");
    c.ok_as("zhang", &["case", "seal", &n, &certdesk_testkit::fixture("seal/collection-150dpi.jpg")]);
    c.ok_as("zhang", &["case", "submit", &n]);
    c.ok_as("li", &["case", "approve", &n]);
    assert_eq!(c.status(&n), "approved");
}

#[test]
fn a_password_in_the_address_is_refused_and_never_echoed() {
    let Some(server) = pg::server() else { return };
    let db = server.fresh_db("cli_url");
    let c = Counter::empty(env!("CARGO_BIN_EXE_certdesk"));
    let with_password = db.url.replacen("certdesk_test@", "certdesk_test:s3cret-pw@", 1);
    let out = c.cmd(&["case", "list"]).env("CERTDESK_DB", &with_password).output().expect("runs");
    assert_ne!(out.status.code(), Some(0));
    let said = format!("{}{}", stderr(&out), String::from_utf8_lossy(&out.stdout));
    assert!(said.contains("must not carry a password") && !said.contains("s3cret-pw"), "{said}");
    // a wrong password: refused by the server, said with the server's name, nothing echoed
    let wrong = c.p("wrong.pw");
    std::fs::write(&wrong, "not-the-password\n").expect("writing");
    let out = c.cmd(&["case", "list", "--db", &db.url, "--db-password-file", &wrong]).output().expect("runs");
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("certdesk_test@127.0.0.1") && !stderr(&out).contains("not-the-password"), "{}", stderr(&out));
}

#[test]
fn store_migrate_moves_a_counter_into_the_hall() {
    let Some(server) = pg::server() else { return };
    let db = server.fresh_db("cli_migrate");
    let c = Counter::new(env!("CARGO_BIN_EXE_certdesk"));
    let n = c.approved_case(ORG_NEW);
    let file = c.db().display().to_string();
    let (admin, server_pw) = (c.pw("admin"), db.password_file.display().to_string());
    let (code, moved) = c.json(&["store", "migrate", "--from", &file, "--to", &db.url, "--as", "admin", "--password-file", &admin, "--db-password-file", &server_pw, "--json"]);
    assert_eq!(code, 0, "{moved}");
    assert_eq!((moved["cases"].as_i64(), moved["accounts"].as_i64()), (Some(1), Some(4)), "{moved}");
    // the hall is the counter's store now: the same case, the chain verified, the next step there
    let hall = c.with_env("CERTDESK_DB", &db.url).with_env("PGPASSFILE", "/nonexistent");
    let out = hall.read_as("li", &["case", "show", &n, "--json", "--db-password-file", &server_pw]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (code, report) = hall.read_json(&["audit", "verify", "--json", "--db-password-file", &server_pw]);
    assert_eq!((code, report["ok"].as_bool()), (0, Some(true)), "{report}");
    // into a hall that is no longer empty: refused
    let again = hall.run(&["store", "migrate", "--from", &file, "--to", &db.url, "--as", "admin", "--password-file", &admin, "--db-password-file", &server_pw]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("not empty"), "{}", stderr(&again));
}
