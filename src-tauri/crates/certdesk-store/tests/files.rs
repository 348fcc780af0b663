//! Files kept with cases, drafts, filtered lists, roles, and backup / restore on real stores.

mod common;
use certdesk_domain::workflow::{Actor, Role};
use certdesk_store::{AuthError, CaseFilter, Password, Store};
use common::*;

fn pw(s: &str) -> Password {
    Password::new(s.to_string())
}

#[test]
fn attachments_are_kept_superseded_and_recorded_on_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("c.db")).unwrap();
    let n = s.create_case(&case(ORG_NEW), "GZ01", day(), "zhang").unwrap().number.to_string();
    s.put_attachment(&n, "seal:official_seal", "image/png", b"first", "zhang").unwrap();
    s.put_attachment(&n, "seal:official_seal", "image/png", b"second", "zhang").unwrap();
    s.put_attachment(&n, "scan", "image/jpeg", b"scan bytes", "zhang").unwrap();
    let list = s.attachments(&n).unwrap();
    assert_eq!(list.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["scan", "seal:official_seal"]);
    let (info, bytes) = s.attachment(&n, "seal:official_seal").unwrap().unwrap();
    assert_eq!(bytes, b"second", "the newest file of a name wins");
    assert_eq!(info.size, 6);
    assert!(s.attachment(&n, "nothing").unwrap().is_none());
    let recorded: Vec<_> = s.history(&n).unwrap().into_iter().filter(|e| e.action == "attachment_added").collect();
    assert_eq!(recorded.len(), 3);
    assert_eq!(recorded[1].detail["sha256"], certdesk_domain::case::sha256_hex(b"second"));
    assert!(s.verify_audit().unwrap().ok);
    // bad names and unknown cases are refused, nothing is written
    assert!(s.put_attachment(&n, "", "image/png", b"x", "zhang").is_err());
    assert!(s.put_attachment(&n, "a\nb", "image/png", b"x", "zhang").is_err());
    assert!(s.put_attachment("GZ01-20260101-0999", "scan", "image/png", b"x", "zhang").is_err());
    assert_eq!(s.attachments(&n).unwrap().len(), 2);
}

#[test]
fn drafts_belong_to_one_account_and_must_be_json() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("c.db")).unwrap();
    assert_eq!(s.draft("zhang").unwrap(), None);
    s.save_draft("zhang", r#"{"org":"广州"}"#).unwrap();
    s.save_draft("zhang", r#"{"org":"广州市"}"#).unwrap();
    assert!(s.save_draft("zhang", "{not json").is_err());
    assert_eq!(s.draft("zhang").unwrap().as_deref(), Some(r#"{"org":"广州市"}"#));
    assert_eq!(s.draft("li").unwrap(), None);
    drop(s);
    let mut s = Store::open(&dir.path().join("c.db")).unwrap();
    assert!(s.draft("zhang").unwrap().is_some(), "a draft survives closing the store");
    s.clear_draft("zhang").unwrap();
    assert_eq!(s.draft("zhang").unwrap(), None);
}

#[test]
fn lists_filter_by_status_project_and_day() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("c.db")).unwrap();
    let a = s.create_case(&case(ORG_NEW), "GZ01", day(), "zhang").unwrap().number.to_string();
    s.create_case(&case(EMPLOYEES_NEW), "GZ01", day(), "zhang").unwrap();
    let today = chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string();
    let all = s.list_filtered(&CaseFilter::default(), 50).unwrap();
    assert_eq!(all.len(), 2);
    let project = case(ORG_NEW).project;
    let by_project = s.list_filtered(&CaseFilter { project: Some(project.clone()), ..Default::default() }, 50).unwrap();
    assert!(by_project.iter().all(|c| c.project == project) && by_project.iter().any(|c| c.number == a));
    assert_eq!(s.list_filtered(&CaseFilter { from: Some(today.clone()), to: Some(today.clone()), ..Default::default() }, 50).unwrap().len(), 2);
    assert_eq!(s.list_filtered(&CaseFilter { to: Some("2020-01-01".into()), ..Default::default() }, 50).unwrap().len(), 0);
    assert_eq!(s.list_filtered(&CaseFilter { status: Some("approved".into()), ..Default::default() }, 50).unwrap().len(), 0);
    assert!(s.list_filtered(&CaseFilter { from: Some("yesterday".into()), ..Default::default() }, 50).is_err());
}

#[test]
fn roles_change_by_an_admin_who_keeps_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("c.db")).unwrap();
    s.add_account("admin", &[Role::Admin], &pw("admin-pass-1"), None).unwrap();
    let admin = s.authenticate("admin", &pw("admin-pass-1")).unwrap();
    s.add_account("zhang", &[Role::Clerk], &pw("zhang-pass-1"), Some(&admin)).unwrap();
    let acc = s.set_roles(&admin, "zhang", &[Role::Clerk, Role::KeyClerk]).unwrap();
    assert_eq!(acc.roles, vec![Role::Clerk, Role::KeyClerk]);
    assert_eq!(s.authenticate("zhang", &pw("zhang-pass-1")).unwrap().roles, vec![Role::Clerk, Role::KeyClerk]);
    assert!(matches!(s.set_roles(&admin, "admin", &[Role::Clerk]), Err(AuthError::Refused(_))));
    assert!(matches!(s.set_roles(&admin, "zhang", &[]), Err(AuthError::Refused(_))));
    let clerk = Actor { name: "zhang".into(), roles: vec![Role::Clerk] };
    assert!(matches!(s.set_roles(&clerk, "zhang", &[Role::Admin]), Err(AuthError::Refused(_))));
    assert!(s.verify_audit().unwrap().ok);
}

#[test]
fn backup_is_verified_and_restore_replaces_the_store_keeping_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut s = Store::open(&path).unwrap();
    let first = s.create_case(&case(ORG_NEW), "GZ01", day(), "zhang").unwrap().number.to_string();
    s.put_attachment(&first, "scan", "image/png", b"png", "zhang").unwrap();
    let backup = dir.path().join("backups").join("b1.db");
    let report = s.backup_to(&backup).unwrap();
    assert_eq!(report.cases, 1);
    assert!(s.backup_to(&backup).is_err(), "a backup never overwrites");
    // more work after the backup, then restore: the later case is gone, the old store kept
    let later = s.create_case(&case(EMPLOYEES_NEW), "GZ01", day(), "zhang").unwrap().number.to_string();
    let (s, kept) = s.restore_from(&backup).map_err(|(_, e)| e).unwrap();
    assert_eq!(s.count_cases().unwrap(), 1);
    assert!(s.case(&later).is_err());
    assert_eq!(s.attachment(&first, "scan").unwrap().unwrap().1, b"png");
    assert!(s.verify_audit().unwrap().ok);
    let old = Store::open(&kept).unwrap();
    assert_eq!(old.count_cases().unwrap(), 2, "the replaced store is kept beside it");
}

#[test]
fn restore_refuses_a_damaged_or_foreign_file_and_keeps_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut s = Store::open(&path).unwrap();
    let n = s.create_case(&case(ORG_NEW), "GZ01", day(), "zhang").unwrap().number.to_string();
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"this is not a database at all, just text").unwrap();
    let (back, err) = s.restore_from(&junk).err().unwrap();
    assert!(err.to_string().contains("junk.db"), "{err}");
    let s = back.expect("the store is handed back");
    assert_eq!(s.case(&n).unwrap().number.as_str(), n);
    // a backup whose audit chain was edited is refused too
    let b = dir.path().join("b.db");
    s.backup_to(&b).unwrap();
    let conn = rusqlite::Connection::open(&b).unwrap();
    conn.execute_batch("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'mallory' WHERE seq = 1;").unwrap();
    drop(conn);
    let (back, err) = s.restore_from(&b).err().unwrap();
    assert!(err.to_string().contains("audit chain"), "{err}");
    assert_eq!(back.unwrap().count_cases().unwrap(), 1);
}
