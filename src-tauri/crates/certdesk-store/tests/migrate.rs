//! Moving a counter into the hall (`Store::migrate_into_hall`): a real store file with people,
//! cases through the workflow, files and an edit, copied into a fresh database of the test
//! cluster; the chain verbatim and verified there, then continued by `store_migrated`; the
//! cases, files, accounts, numbers and search as on the file. Refusals leave the hall empty.

mod common;
use certdesk_domain::Action;
use certdesk_domain::workflow::Role;
use certdesk_store::pg::{HallAddress, ServerPassword};
use certdesk_store::{AuditAction, AuthError, Password, Store, StoreError};
use common::*;

fn pw(s: &str) -> Password {
    Password::new(s.to_string())
}

/// A counter's store file: an administrator, a clerk and a supervisor, two cases (one
/// approved, with a file, one edited), a draft.
fn counter_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("counter.db");
    let mut s = Store::open(&path).unwrap();
    s.add_account("admin", &[Role::Admin], &pw("admin-pass-1"), None).unwrap();
    let admin = s.authenticate("admin", &pw("admin-pass-1")).unwrap();
    s.add_account("zhang", &[Role::Clerk], &pw("zhang-pass-1"), Some(&admin)).unwrap();
    s.add_account("li", &[Role::Supervisor], &pw("li-pass-1"), Some(&admin)).unwrap();
    let zhang = s.authenticate("zhang", &pw("zhang-pass-1")).unwrap();
    let li = s.authenticate("li", &pw("li-pass-1")).unwrap();
    let a = s.create_case(&case(ORG_NEW), "GZ01", day(), &zhang).unwrap().number;
    put(&mut s, &a, "scan", "image/png", &[0, 1, 2, 3, 255], "zhang").unwrap();
    s.act(&a, Action::Accept, &zhang, None).unwrap();
    s.act(&a, Action::Submit, &zhang, None).unwrap();
    // li approves with an enrolled staff key (#31): the enrolment and the signature move too
    let li_key = common::staff::soft_key(dir, "li");
    s.enrol_key(&admin, "li", &li_key.enrolment()).unwrap();
    let signed = common::staff::verified(&s, &a, &li, li_key.approval(&s, &a, "li")).unwrap();
    let note = certdesk_store::ActNote { signature: Some(signed), ..Default::default() };
    s.act_with(&a, Action::Approve, &li, None, note).unwrap();
    let b = s.create_case(&case(EMPLOYEES_NEW), "GZ01", day(), &zhang).unwrap();
    let mut data = b.data.clone();
    data.organization.as_mut().unwrap().name = "佛山市新名称有限公司".into();
    s.edit(&b.number, &data, &zhang).unwrap();
    s.save_draft("zhang", r#"{"org":"广州"}"#).unwrap();
    assert!(s.authenticate("li", &pw("wrong-password")).is_err(), "a failed sign-in on the chain too");
    path
}

fn address(db: &pg::TestDb) -> (HallAddress, ServerPassword) {
    (HallAddress::parse(&db.url).unwrap(), ServerPassword::from_file(&db.password_file).unwrap())
}

#[test]
fn a_counter_moves_into_an_empty_hall_verbatim_and_goes_on_there() {
    let Some(server) = pg::server() else { return };
    let db = server.fresh_db("migrate");
    let dir = tempfile::tempdir().unwrap();
    let file = counter_file(dir.path());
    let (source_chain, source_head) = Store::open(&file).unwrap().stored_chain().unwrap();
    let (a, b) = (num("GZ01-20261122-0001"), num("GZ01-20261122-0002"));
    let before = Store::open(&file).unwrap();
    let (case_a, case_b, file_a) = (before.case(&a).unwrap(), before.case(&b).unwrap(), before.attachment(&a, "scan").unwrap().unwrap());
    drop(before);

    let (url, password) = address(&db);
    let (mut hall, moved) = Store::migrate_into_hall(&file, "admin", &pw("admin-pass-1"), &url, password).unwrap();
    assert_eq!((moved.cases, moved.accounts, moved.attachments, moved.events), (2, 3, 1, source_chain.len() as i64));
    let signed = hall.verify_audit_with(&common::staff::Check).unwrap();
    assert!(signed.ok && signed.signatures.checked == 1, "the enrolment moved with its signed approval: {signed:?}");
    assert_eq!(hall.enrolments(None).unwrap().len(), 1);
    assert_eq!(moved.source_head, source_head);

    // the chain: the file's verbatim, then store_migrated by the administrator
    let (hall_chain, _) = hall.stored_chain().unwrap();
    assert_eq!(&hall_chain[..source_chain.len()], &source_chain[..]);
    let last = hall_chain.last().unwrap();
    assert_eq!((last.action.as_str(), last.actor.as_str(), last.seq), ("store_migrated", "admin", source_chain.len() as i64 + 1));
    assert_eq!(last.prev_hash, source_chain.last().unwrap().hash);
    let report = hall.verify_audit().unwrap();
    assert!(report.ok && report.events == source_chain.len() as i64 + 1 && report.cases_checked == 2, "{report:?}");

    // cases, files, drafts, accounts, search as on the file
    assert_eq!((hall.case(&a).unwrap(), hall.case(&b).unwrap()), (case_a, case_b));
    assert_eq!(hall.attachment(&a, "scan").unwrap().unwrap(), file_a);
    assert_eq!(hall.draft("zhang").unwrap().as_deref(), Some(r#"{"org":"广州"}"#));
    assert_eq!(hall.search("新名称", 10).unwrap()[0].number, b.as_str());
    assert_eq!(hall.search("示例科技", 10).unwrap().iter().map(|c| c.number.clone()).collect::<Vec<_>>(), vec![a.to_string()]);
    assert_eq!(hall.account("li").unwrap().unwrap().failed_logins, 1);
    let zhang = hall.authenticate("zhang", &pw("zhang-pass-1")).unwrap();
    // numbering goes on after the file's, the chain after the migration
    let c = hall.create_case(&case(ORG_NEW), "GZ01", day(), &zhang).unwrap().number;
    assert_eq!(c.as_str(), "GZ01-20261122-0003");
    put(&mut hall, &c, "scan", "image/png", b"next", "zhang").unwrap();
    assert!(hall.verify_audit().unwrap().ok);
    assert!(hall.history(&a).unwrap().iter().any(|e| e.action == AuditAction::Approve));

    // a second move into the same hall is refused: it is not empty
    let (url, password) = address(&db);
    let err = Store::migrate_into_hall(&file, "admin", &pw("admin-pass-1"), &url, password).map(drop).unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err}");
}

#[test]
fn a_move_is_refused_without_the_files_administrator_or_with_a_broken_chain_and_the_hall_stays_empty() {
    let Some(server) = pg::server() else { return };
    let db = server.fresh_db("migrate_refused");
    let dir = tempfile::tempdir().unwrap();
    let file = counter_file(dir.path());
    let file_bytes = std::fs::read(&file).unwrap();
    for (who, password) in [("admin", "wrong-password"), ("zhang", "zhang-pass-1"), ("nobody", "admin-pass-1")] {
        let (url, server_password) = address(&db);
        let err = Store::migrate_into_hall(&file, who, &pw(password), &url, server_password).map(drop).unwrap_err();
        assert!(matches!(err, AuthError::WrongCredentials | AuthError::AdminOnly { .. }), "{who}: {err}");
    }
    assert_eq!(std::fs::read(&file).unwrap(), file_bytes, "the file is only read: no failed sign-in counted there");

    // a file whose chain was edited is refused before anything reaches the hall
    let conn = rusqlite::Connection::open(&file).unwrap();
    // (the trigger put back as the migration wrote it, so only the chain tells)
    let trigger: String = conn.query_row("SELECT sql FROM sqlite_schema WHERE name = 'audit_events_no_update'", [], |r| r.get(0)).unwrap();
    conn.execute_batch(&format!("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'mallory' WHERE seq = 2; {trigger};")).unwrap();
    drop(conn);
    let (url, server_password) = address(&db);
    let err = Store::migrate_into_hall(&file, "admin", &pw("admin-pass-1"), &url, server_password).map(drop).unwrap_err();
    assert!(matches!(&err, AuthError::Store(StoreError::NotAStore { why: certdesk_store::refusal::NotAStore::ChainBroken { .. }, .. })), "{err}");
    let events: i64 = db.raw().query_opt("SELECT count(*) FROM audit_events", &[]).ok().flatten().map(|r| r.get(0)).unwrap_or(0);
    assert_eq!(events, 0, "nothing reached the hall");
}

/// A move killed after its copy committed (before the hall was verified and `store_migrated`
/// appended) is finished by the next move of the same file, not refused as a hall that is not
/// empty (#78); another file is still refused there. The crash is real: the test binary re-runs
/// itself as a child that aborts at the store's crash point.
#[test]
fn a_move_killed_after_its_copy_committed_is_finished_by_the_next_one() {
    if let Ok(order) = std::env::var("CERTDESK_MIGRATE_CHILD") {
        let (file, url, password_file) = {
            let mut parts = order.splitn(3, '\n');
            (parts.next().unwrap().to_string(), parts.next().unwrap().to_string(), parts.next().unwrap().to_string())
        };
        certdesk_store::crash_at(Some(certdesk_store::CrashPoint::MigrateCopied));
        let address = HallAddress::parse(&url).unwrap();
        let password = ServerPassword::from_file(std::path::Path::new(&password_file)).unwrap();
        let _ = Store::migrate_into_hall(std::path::Path::new(&file), "admin", &pw("admin-pass-1"), &address, password);
        panic!("the crash point was passed");
    }
    let Some(server) = pg::server() else { return };
    let db = server.fresh_db("migrate_killed");
    let dir = tempfile::tempdir().unwrap();
    let file = counter_file(dir.path());
    let order = format!("{}\n{}\n{}", file.display(), db.url, db.password_file.display());
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args(["--exact", "a_move_killed_after_its_copy_committed_is_finished_by_the_next_one", "--nocapture", "--test-threads=1"])
        .env("CERTDESK_MIGRATE_CHILD", order)
        .output()
        .unwrap();
    assert!(!out.status.success(), "the child aborted at the crash point: {}", String::from_utf8_lossy(&out.stderr));
    let (address, password) = address(&db);
    // the copy is there, its event is not
    let hall = Store::open_hall(&address, password.clone()).unwrap();
    let events = hall.stored_chain().unwrap().0;
    assert!(!events.is_empty() && events.iter().all(|e| e.action != AuditAction::StoreMigrated.wire()), "the child's copy committed without its event");
    drop(hall);
    // another store file is refused there as before
    let other_dir = tempfile::tempdir().unwrap();
    let other = counter_file(other_dir.path());
    let refused = Store::migrate_into_hall(&other, "admin", &pw("admin-pass-1"), &address, password.clone());
    assert!(matches!(refused, Err(AuthError::Store(StoreError::HallNotEmpty { .. }))), "{:?}", refused.err());
    // the same file: finished (verified, recorded once)
    let (hall, migrated) = Store::migrate_into_hall(&file, "admin", &pw("admin-pass-1"), &address, password.clone()).unwrap();
    assert_eq!(migrated.cases, 2);
    assert!(hall.verify_audit().unwrap().ok);
    let recorded = hall.stored_chain().unwrap().0.iter().filter(|e| e.action == AuditAction::StoreMigrated.wire()).count();
    assert_eq!(recorded, 1);
    // and a third move of it is refused: the hall is no longer an unrecorded copy
    let again = Store::migrate_into_hall(&file, "admin", &pw("admin-pass-1"), &address, password);
    assert!(again.is_err(), "a recorded move is not finished twice");
}
