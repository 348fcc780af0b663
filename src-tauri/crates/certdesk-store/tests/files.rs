//! Files kept with cases, drafts, filtered lists and roles on both back ends (`on_both!`);
//! backup / restore on real store files, and their typed refusal on a hall.

mod common;
use certdesk_domain::workflow::Role;
use certdesk_store::{AuthError, CaseFilter, Password, Store, StoreError};
use common::*;

fn pw(s: &str) -> Password {
    Password::new(s.to_string())
}

#[test]
fn a_cancelled_backup_leaves_nothing_behind_and_the_store_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("c.db")).unwrap();
    for _ in 0..20 {
        s.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap();
    }
    let cancel: certdesk_store::CancelFlag = Default::default();
    cancel.store(true, std::sync::atomic::Ordering::Relaxed);
    let backup = dir.path().join("backups").join("b.db");
    let err = s.backup_to_cancellable(&backup, Some(cancel.clone())).unwrap_err();
    assert!(matches!(err, StoreError::Cancelled { .. }), "{err}");
    assert!(!backup.exists(), "no half-written backup stays");
    // the store is untouched and the next backup, not cancelled, is whole
    cancel.store(false, std::sync::atomic::Ordering::Relaxed);
    let report = s.backup_to_cancellable(&backup, Some(cancel)).unwrap();
    assert_eq!(report.cases, 20);
    assert_eq!(s.list_filtered(&CaseFilter::default(), 50).unwrap().len(), 20);
}

#[test]
fn backup_is_verified_and_restore_replaces_the_store_keeping_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut s = Store::open(&path).unwrap();
    let first = s.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap().number;
    put(&mut s, &first, "scan", "image/png", b"png", "zhang").unwrap();
    let backup = dir.path().join("backups").join("b1.db");
    let report = s.backup_to(&backup).unwrap();
    assert_eq!(report.cases, 1);
    assert!(s.backup_to(&backup).is_err(), "a backup never overwrites");
    // more work after the backup, then restore: the later case is gone, the old store kept
    let later = s.create_case(&case(EMPLOYEES_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap().number;
    let (s, kept) = s.restore_from(&backup, &as_admin("admin")).map_err(|(_, e)| e).unwrap();
    assert_eq!(s.count_cases().unwrap(), 1);
    assert!(s.case(&later).is_err());
    assert_eq!(s.attachment(&first, "scan").unwrap().unwrap().1, b"png");
    assert!(s.verify_audit().unwrap().ok);
    let old = Store::open(&kept.kept).unwrap();
    assert_eq!(old.count_cases().unwrap(), 2, "the replaced store is kept beside it");
}

#[test]
fn restore_refuses_a_damaged_or_foreign_file_and_keeps_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut s = Store::open(&path).unwrap();
    let n = s.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap().number;
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"this is not a database at all, just text").unwrap();
    let (back, err) = s.restore_from(&junk, &as_admin("admin")).err().unwrap();
    assert!(err.to_string().contains("junk.db"), "{err}");
    let s = back.expect("the store is handed back");
    assert_eq!(s.case(&n).unwrap().number, n);
    // a backup whose audit chain was edited is refused too
    let b = dir.path().join("b.db");
    s.backup_to(&b).unwrap();
    let conn = rusqlite::Connection::open(&b).unwrap();
    let trigger: String = conn.query_row("SELECT sql FROM sqlite_schema WHERE name = 'audit_events_no_update'", [], |r| r.get(0)).unwrap();
    conn.execute_batch("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'mallory' WHERE seq = 1;").unwrap();
    drop(conn);
    let (back, err) = s.restore_from(&b, &as_admin("admin")).err().unwrap();
    assert!(err.to_string().contains("audit_events_no_update is missing"), "the dropped trigger is named first: {err}");
    let s = back.unwrap();
    assert_eq!(s.count_cases().unwrap(), 1);
    // a chain edited and the trigger put back is refused for its chain
    let conn = rusqlite::Connection::open(&b).unwrap();
    conn.execute_batch(&trigger).unwrap();
    drop(conn);
    let (back, err) = s.restore_from(&b, &as_admin("admin")).err().unwrap();
    assert!(err.to_string().contains("audit chain"), "{err}");
    let mut s = back.unwrap();
    // a backdoor trigger that re-grants a role on every event is refused, and so is a view
    for extra in [
        "CREATE TRIGGER grant AFTER INSERT ON audit_events BEGIN UPDATE accounts SET roles = 'admin,clerk,supervisor'; END;",
        "CREATE VIEW peek AS SELECT name, password_hash FROM accounts;",
    ] {
        let c = dir.path().join(format!("c{}.db", extra.len()));
        s.backup_to(&c).unwrap();
        rusqlite::Connection::open(&c).unwrap().execute_batch(extra).unwrap();
        let (back, err) = s.restore_from(&c, &as_admin("admin")).err().unwrap();
        assert!(err.to_string().contains("extra"), "{err}");
        s = back.unwrap();
        assert_eq!(s.count_cases().unwrap(), 1);
        let s2 = Store::open(&path).unwrap();
        assert_eq!(s2.count_cases().unwrap(), 1);
    }
    // only an administrator restores
    let (_, err) = s.restore_from(&b, &as_clerk("zhang")).err().unwrap();
    assert!(matches!(err, certdesk_store::StoreError::AdminOnly { .. }), "{err}");
    assert!(err.to_string().contains("administrator"), "{err}");
}

#[test]
fn restore_records_itself_and_never_reuses_case_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut s = Store::open(&path).unwrap();
    s.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap();
    let backup = dir.path().join("b.db");
    s.backup_to(&backup).unwrap();
    // numbers handed out after the backup (printed, sent to the CA) must not come again
    let later = s.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap().number;
    let (mut s, restored) = s.restore_from(&backup, &as_admin("admin")).map_err(|(_, e)| e).unwrap();
    let next = s.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap().number;
    assert_ne!(next, later);
    assert_eq!(next.as_str(), "GZ01-20261122-0003");
    let report = s.verify_audit().unwrap();
    assert!(report.ok, "{report:?}");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let (actor, detail): (String, String) = conn.query_row("SELECT actor, detail FROM audit_events WHERE action = 'store_restored'", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(actor, "admin");
    let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["sha256"], certdesk_domain::case::sha256_hex(&std::fs::read(&backup).unwrap()));
    assert_eq!(detail["kept"], restored.kept.display().to_string());
}

#[test]
fn restore_is_refused_while_another_process_has_the_store_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let s = Store::open(&path).unwrap();
    let backup = dir.path().join("b.db");
    s.backup_to(&backup).unwrap();
    // another handle stands for another process (the app while a CLI command restores)
    let other = Store::open(&path).unwrap();
    let (back, err) = s.restore_from(&backup, &as_admin("admin")).err().unwrap();
    assert!(matches!(err, certdesk_store::StoreError::Busy(_)), "{err}");
    assert!(back.is_some(), "the store is given back");
    drop(other);
    let s = back.unwrap();
    assert!(s.restore_from(&backup, &as_admin("admin")).is_ok());
}

on_both! {
    fn attachments_are_kept_superseded_and_recorded_on_the_chain(place) {
        let mut s = place.open();
        let n = s.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap().number;
        put(&mut s, &n, "seal:official_seal", "image/png", b"first", "zhang").unwrap();
        put(&mut s, &n, "seal:official_seal", "image/png", b"second", "zhang").unwrap();
        put(&mut s, &n, "scan", "image/jpeg", b"scan bytes", "zhang").unwrap();
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
        assert!(put(&mut s, &n, "", "image/png", b"x", "zhang").is_err());
        assert!(put(&mut s, &n, "a\nb", "image/png", b"x", "zhang").is_err());
        assert!(put(&mut s, &num("GZ01-20260101-0999"), "scan", "image/png", b"x", "zhang").is_err());
        assert_eq!(s.attachments(&n).unwrap().len(), 2);
    }

    fn drafts_belong_to_one_account_and_must_be_json(place) {
        let mut s = place.open();
        assert_eq!(s.draft("zhang").unwrap(), None);
        s.save_draft("zhang", r#"{"org":"广州"}"#).unwrap();
        s.save_draft("zhang", r#"{"org":"广州市"}"#).unwrap();
        assert!(s.save_draft("zhang", "{not json").is_err());
        assert_eq!(s.draft("zhang").unwrap().as_deref(), Some(r#"{"org":"广州市"}"#));
        assert_eq!(s.draft("li").unwrap(), None);
        drop(s);
        let mut s = place.open();
        assert!(s.draft("zhang").unwrap().is_some(), "a draft survives closing the store");
        s.clear_draft("zhang").unwrap();
        assert_eq!(s.draft("zhang").unwrap(), None);
    }

    fn lists_filter_by_status_project_and_time(place) {
        let mut s = place.open();
        let a = s.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap().number;
        s.create_case(&case(EMPLOYEES_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap();
        let hour = |h: i64| (chrono::Utc::now() + chrono::Duration::hours(h)).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let all = s.list_filtered(&CaseFilter::default(), 50).unwrap();
        assert_eq!(all.len(), 2);
        let project = case(ORG_NEW).project;
        let by_project = s.list_filtered(&CaseFilter { project: Some(project.clone()), ..Default::default() }, 50).unwrap();
        assert!(by_project.iter().all(|c| c.project == project) && by_project.iter().any(|c| c.number == a.as_str()));
        assert_eq!(s.list_filtered(&CaseFilter { from: Some(hour(-1)), to: Some(hour(1)), ..Default::default() }, 50).unwrap().len(), 2);
        assert_eq!(s.list_filtered(&CaseFilter { to: Some(hour(-1)), ..Default::default() }, 50).unwrap().len(), 0);
        assert_eq!(s.list_filtered(&CaseFilter { from: Some(hour(1)), ..Default::default() }, 50).unwrap().len(), 0);
        assert_eq!(s.list_filtered(&CaseFilter { status: Some("approved".into()), ..Default::default() }, 50).unwrap().len(), 0);
        assert!(s.list_filtered(&CaseFilter { from: Some("yesterday".into()), ..Default::default() }, 50).is_err());
        assert!(s.list_filtered(&CaseFilter { to: Some("2026-11-22".into()), ..Default::default() }, 50).is_err(), "a day is not an instant: the application converts local days");
    }

    fn a_page_of_the_list_comes_with_the_total_of_every_match(place) {
        let mut s = place.open();
        let numbers: Vec<String> = (0..7).map(|_| s.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap().number.as_str().to_string()).collect();
        let drafts = CaseFilter { status: Some("draft".into()), ..Default::default() };
        let (total, first) = s.page_filtered(&drafts, 0, 3).unwrap();
        let newest: Vec<&str> = numbers.iter().rev().map(String::as_str).collect();
        assert_eq!((total, first.iter().map(|c| c.number.as_str()).collect::<Vec<_>>()), (7, newest[..3].to_vec()));
        let (total, last) = s.page_filtered(&drafts, 6, 3).unwrap();
        assert_eq!((total, last.iter().map(|c| c.number.as_str()).collect::<Vec<_>>()), (7, newest[6..].to_vec()));
        assert_eq!(s.page_filtered(&drafts, 9, 3).unwrap(), (7, vec![]));
        s.create_case(&case(EMPLOYEES_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap();
        assert_eq!(s.page_filtered(&CaseFilter::default(), 0, 100).unwrap().0, 8);
        assert_eq!(s.page_filtered(&CaseFilter { status: Some("approved".into()), ..Default::default() }, 0, 10).unwrap(), (0, vec![]));
    }

    fn roles_change_by_an_admin_who_keeps_their_own(place) {
        let mut s = place.open();
        s.add_account("admin", &[Role::Admin], &pw("admin-pass-1"), None).unwrap();
        let admin = s.authenticate("admin", &pw("admin-pass-1")).unwrap();
        s.add_account("zhang", &[Role::Clerk], &pw("zhang-pass-1"), Some(&admin)).unwrap();
        let acc = s.set_roles(&admin, "zhang", &[Role::Clerk, Role::KeyClerk]).unwrap();
        assert_eq!(acc.roles, vec![Role::Clerk, Role::KeyClerk]);
        assert_eq!(s.authenticate("zhang", &pw("zhang-pass-1")).unwrap().roles(), [Role::Clerk, Role::KeyClerk]);
        assert!(matches!(s.set_roles(&admin, "admin", &[Role::Clerk]), Err(AuthError::OwnAccount { .. })));
        assert!(matches!(s.set_roles(&admin, "zhang", &[]), Err(AuthError::NoRole)));
        assert!(matches!(s.set_roles(&admin, "nobody", &[Role::Clerk]), Err(AuthError::NoAccount(n)) if n == "nobody"));
        let clerk = certdesk_domain::workflow::Actor::new(certdesk_domain::workflow::AccountChecked::by_the_store(), "zhang", vec![Role::Clerk]);
        assert!(matches!(s.set_roles(&clerk, "zhang", &[Role::Admin]), Err(AuthError::AdminOnly { .. })));
        assert!(s.verify_audit().unwrap().ok);
    }

    fn verify_notices_a_file_replaced_or_removed_behind_its_back(place) {
        let mut s = place.open();
        let n = s.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap().number;
        put(&mut s, &n, "scan", "image/png", &[0u8, 1, 2, 255], "zhang").unwrap();
        assert!(s.verify_audit().unwrap().ok);
        drop(s);
        place.tamper("UPDATE attachments SET sha256 = 'ab' || substr(sha256, 3)");
        let report = place.open().verify_audit().unwrap();
        let b = report.first_break.expect("a break");
        assert_eq!((b.kind, b.case_number.as_deref()), (certdesk_store::BreakKind::AttachmentChanged, Some(n.as_str())), "{}", b.message);
        assert!(b.message.contains("bytes do not match"), "{}", b.message);
        place.tamper("DELETE FROM attachments");
        let b = place.open().verify_audit().unwrap().first_break.expect("a break");
        assert!(b.message.contains("files were removed"), "{}", b.message);
    }

    fn attachments_keep_every_byte_and_refuse_what_is_too_big(place) {
        let mut s = place.open();
        let n = s.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap().number;
        let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        put(&mut s, &n, "scan", "image/png", &bytes, "zhang").unwrap();
        let (info, back) = s.attachment(&n, "scan").unwrap().unwrap();
        assert_eq!((back, info.size, info.sha256), (bytes, 70_000, certdesk_domain::case::sha256_hex(&(0..=255u8).cycle().take(70_000).collect::<Vec<_>>())));
        let big = vec![0u8; certdesk_store::MAX_ATTACHMENT_BYTES + 1];
        assert!(put(&mut s, &n, "big", "image/png", &big, "zhang").is_err());
        assert_eq!(s.attachments(&n).unwrap().len(), 1);
    }
}

#[test]
fn a_hall_answers_file_backups_and_restores_with_a_typed_refusal() {
    let Some(place) = Place::postgres() else { return };
    let mut s = place.open();
    assert!(s.server().is_some_and(|server| server.starts_with("certdesk_test@")), "{:?}", s.server());
    let dir = tempfile::tempdir().unwrap();
    let err = s.backup_to(&dir.path().join("b.db")).unwrap_err();
    assert!(matches!(err, StoreError::NotOnHall { .. }) && err.to_string().contains("pg_dump"), "{err}");
    assert!(!dir.path().join("b.db").exists());
    assert!(matches!(s.integrity_check(), Err(StoreError::NotOnHall { .. })));
    s.add_account("admin", &[Role::Admin], &pw("admin-pass-1"), None).unwrap();
    let admin = s.authenticate("admin", &pw("admin-pass-1")).unwrap();
    assert!(matches!(s.backup_as(&dir.path().join("b.db"), &admin, None), Err(StoreError::NotOnHall { .. })));
    let Err((back, err)) = s.restore_from(&dir.path().join("b.db"), &admin) else { panic!("a restore on a hall") };
    assert!(matches!(err, StoreError::NotOnHall { .. }), "{err}");
    assert!(back.expect("the store given back").verify_audit().unwrap().ok, "nothing was recorded");
}

on_both! {
    /// #34: the seal sheet's event gained optional fields (`dpi_source`, `size_warning`,
    /// `thresholds_sha256`, a row's `doubted`) and the clerk's acceptance is an event of its
    /// own. A sheet recorded by an older build reads and verifies as it did; the acceptance
    /// keeps the clerk's note out of the hashed detail.
    fn an_older_seal_sheet_event_verifies_beside_an_acceptance(place) {
        use certdesk_store::detail::{SealAccepted, SealFinding, SealSheet};
        use certdesk_store::{AuditAction, EventBody, FileKind, NewFile};
        let mut s = place.open();
        let n = s.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap().number;
        // the detail exactly as issue 18's build wrote it
        let old = serde_json::json!({
            "file": "sheet.jpg", "sha256": certdesk_domain::case::sha256_hex(b"scan"), "dpi": 150.0,
            "rows": [{ "row": 0, "kind": "official_seal", "best_col": null, "needs_restamp": true }],
            "stored": [],
        });
        let body = EventBody { action: AuditAction::SealImported, detail: old.clone() };
        s.attach(&n, FileKind::Case, &[NewFile { name: "seal:scan", mime: "image/jpeg", bytes: b"scan" }], Some(body), &as_clerk("zhang")).unwrap();
        let read: SealSheet = serde_json::from_value(s.history(&n).unwrap().last().unwrap().detail.clone()).unwrap();
        assert_eq!((read.dpi_source.as_deref(), read.rows[0].doubted), (None, None));
        assert_eq!(serde_json::to_value(&read).unwrap(), old, "read and written again, an old detail is the same text");

        let accepted = SealAccepted {
            sheet_sha256: certdesk_domain::case::sha256_hex(b"scan"),
            row: 0,
            col: 1,
            kind: "official_seal".into(),
            stored: "seal:official_seal".into(),
            replaced: None,
            defects: vec!["broken".into()],
            findings: vec![SealFinding { label: "broken".into(), quantity: "border_gap_mm".into(), value: 3.4, limit: 2.0, unit: "mm".into(), op: ">".into() }],
            unchecked: Some(vec![SealFinding { label: "double".into(), quantity: "ink_snr".into(), value: 2.1, limit: 2.83, unit: "level".into(), op: "<".into() }]),
            note: Some("申请人只带了这一枚章".into()),
            diameter_mm: Some(41.8),
            side_mm: None,
            from: None,
            to: None,
        };
        let body = EventBody::new(AuditAction::SealAccepted, &accepted);
        s.attach(&n, FileKind::Case, &[NewFile { name: "seal:official_seal", mime: "image/png", bytes: b"png" }], Some(body), &as_clerk("zhang")).unwrap();
        let ev = s.history(&n).unwrap().into_iter().rev().find(|e| e.action == "seal_accepted").unwrap();
        assert_eq!(serde_json::from_value::<SealAccepted>(ev.detail.clone()).unwrap(), accepted, "read back whole, the note merged in");
        assert_eq!(ev.detail["findings"][0]["value"], 3.4);
        assert_eq!(ev.detail["unchecked"][0]["quantity"], "ink_snr");
        let before_unchecked = serde_json::to_value(SealAccepted { unchecked: None, ..accepted.clone() }).unwrap();
        assert!(before_unchecked.get("unchecked").is_none(), "every check made (and events written before): no field, {before_unchecked}");
        let hashed = place.text(&format!("SELECT detail FROM audit_events WHERE seq = {}", ev.seq));
        assert!(!hashed.contains("申请人") && hashed.contains("\"personal\""), "the note is kept off the chain's text: {hashed}");

        // what the desk decided on a read before holds when it writes, or nothing is written
        let newest_sheet = |h: &[certdesk_store::AuditEvent]| h.iter().rev().find(|e| e.action == "seal_imported").map(|e| e.detail["sha256"].clone());
        let of_sheet = |sha: &'static [u8]| {
            move |h: &[certdesk_store::AuditEvent]| {
                if newest_sheet(h) == Some(certdesk_domain::case::sha256_hex(sha).into()) { Ok(()) } else { Err(certdesk_store::StoreError::ChangedMeanwhile { number: "case".into(), during: certdesk_store::refusal::Meanwhile::SealSheet }) }
            }
        };
        let (before, files) = (s.history(&n).unwrap().len(), s.attachments(&n).unwrap());
        let body = || Some(EventBody::new(AuditAction::SealAccepted, &accepted));
        let png = [NewFile { name: "seal:official_seal", mime: "image/png", bytes: b"png 2" }];
        let err = s.attach_if(&n, FileKind::Case, &png, body(), &as_clerk("zhang"), &of_sheet(b"an older scan")).unwrap_err();
        assert!(matches!(err, certdesk_store::ActError::Store(certdesk_store::StoreError::ChangedMeanwhile { .. })), "{err}");
        assert_eq!((s.history(&n).unwrap().len(), s.attachments(&n).unwrap()), (before, files), "nothing written");
        s.attach_if(&n, FileKind::Case, &png, body(), &as_clerk("zhang"), &of_sheet(b"scan")).unwrap();
        assert_eq!(s.attachment(&n, "seal:official_seal").unwrap().unwrap().1, b"png 2");
        assert!(s.verify_audit().unwrap().ok);
    }
}
