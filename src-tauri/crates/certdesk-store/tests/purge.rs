//! Retention, legal hold and purge (#30, design §7) on a real store, both back ends: a purge
//! on a faked clock (`today` passed in) removes what is due and only that, a held case is
//! kept, the search and the files forget the purged, the chain still verifies and finds a
//! personal part changed or removed behind its back, a dry run writes nothing; on a plain
//! store file the raw bytes after the purge hold none of the purged cases' personal data.

mod common;
use certdesk_domain::workflow::{Actor, Role};
use certdesk_domain::{Action, CaseNumber};
use certdesk_store::{AuditAction, EventBody, NewFile, Password, Store, detail};
use chrono::{Days, Months, NaiveDate, Utc};
use common::*;

fn pw(s: &str) -> Password {
    Password::new(s.to_string())
}

/// One applicant's personal data, unique to a case of the test.
struct Person {
    name: &'static str,
    id_number: &'static str,
    mobile: &'static str,
}

const EXPIRED: Person = Person { name: "欧阳明月", id_number: "11010519491231002X", mobile: "13912345678" };
const CANCELLED: Person = Person { name: "上官飞燕", id_number: "440106198001010017", mobile: "13787654321" };
const HELD: Person = Person { name: "司马长风", id_number: "320102197003030039", mobile: "13611112222" };
const OPEN: Person = Person { name: "诸葛青云", id_number: "510104199505050051", mobile: "13533334444" };

struct Counter {
    store: Store,
    admin: Actor,
    place: Place,
}

fn counter(place: Place) -> Counter {
    let mut store = place.open();
    store.add_account("admin", &[Role::Admin], &pw("admin-pass-1"), None).unwrap();
    let admin = store.authenticate("admin", &pw("admin-pass-1")).unwrap();
    for (name, roles) in [("zhang", vec![Role::Clerk]), ("li", vec![Role::Supervisor]), ("wang", vec![Role::KeyClerk])] {
        store.add_account(name, &roles, &pw(&format!("{name}-pass-1")), Some(&admin)).unwrap();
    }
    Counter { store, admin, place }
}

impl Counter {
    fn login(&mut self, name: &str) -> Actor {
        self.store.authenticate(name, &pw(&format!("{name}-pass-1"))).unwrap()
    }

    /// A case of `p`'s, accepted, with a seal image kept.
    fn new_case(&mut self, p: &Person) -> CaseNumber {
        let mut data = case(ORG_NEW);
        data.handler.name = p.name.into();
        data.handler.id_number = p.id_number.into();
        data.handler.mobile = Some(p.mobile.into());
        if let Some(rep) = data.organization.as_mut().and_then(|o| o.legal_rep.as_mut()) {
            rep.name = p.name.into();
            rep.id_number = p.id_number.into();
        }
        let n = self.store.create_case(&data, "GZ01", day(), &as_clerk("zhang")).unwrap().number;
        let zhang = self.login("zhang");
        self.store.act(&n, Action::Accept, &zhang, None).unwrap();
        put(&mut self.store, &n, "seal:1", "image/png", format!("PNG seal of {}", p.name).as_bytes(), "zhang").unwrap();
        n
    }

    /// `p`'s case approved and its certificate (subject naming `p`) imported, expired in 2020.
    fn expired_case(&mut self, p: &Person) -> CaseNumber {
        let n = self.new_case(p);
        let (zhang, li, wang) = (self.login("zhang"), self.login("li"), self.login("wang"));
        self.store.act(&n, Action::Submit, &zhang, None).unwrap();
        self.store.act(&n, Action::Approve, &li, None).unwrap();
        let imported = detail::CertificateImported {
            certificate_serial: "0A1B".into(),
            subject: format!("CN={},SERIALNUMBER={}", p.name, p.id_number),
            not_after: "2020-03-01T00:00:00Z".into(),
            ..Default::default()
        };
        let file = NewFile { name: "certificate:1", mime: "application/x-pem-file", bytes: format!("-----BEGIN CERTIFICATE----- {}", p.name).as_bytes() }.clone_bytes();
        let body = EventBody::new(AuditAction::CertificateImported, &imported);
        self.store.attach_each(&n, vec![(1, NewFile { name: "certificate:1", mime: "application/x-pem-file", bytes: &file }, body)], &wang).unwrap();
        n
    }

    fn cancelled_case(&mut self, p: &Person) -> CaseNumber {
        let n = self.new_case(p);
        let zhang = self.login("zhang");
        self.store.act(&n, Action::Cancel, &zhang, Some(&format!("{} 撤回申请", p.name))).unwrap();
        n
    }
}

trait CloneBytes {
    fn clone_bytes(&self) -> Vec<u8>;
}
impl CloneBytes for NewFile<'_> {
    fn clone_bytes(&self) -> Vec<u8> {
        self.bytes.to_vec()
    }
}

/// A day past the retention of a case cancelled now (5 years and a week on).
fn later() -> NaiveDate {
    Utc::now().date_naive().checked_add_months(Months::new(60)).unwrap().checked_add_days(Days::new(7)).unwrap()
}

fn strings(p: &Person) -> [&'static str; 3] {
    [p.name, p.id_number, p.mobile]
}

on_both! {
    fn a_purge_removes_what_is_due_and_keeps_a_held_case(place) {
        let mut c = counter(place);
        let expired = c.expired_case(&EXPIRED);
        let cancelled = c.cancelled_case(&CANCELLED);
        let held = c.cancelled_case(&HELD);
        let open = c.new_case(&OPEN);
        let li = c.login("li");
        // only a supervisor holds a case, with a reason
        let zhang = c.login("zhang");
        assert!(c.store.hold(&held, &zhang, "诉讼保全").is_err());
        assert!(c.store.hold(&held, &li, " ").is_err());
        c.store.hold(&held, &li, "诉讼保全（2026）粤01民初1号").unwrap();
        assert!(c.store.hold(&held, &li, "again").is_err(), "held once");
        // a clerk may not purge; the years are at least five
        assert!(c.store.purge(later(), true, &zhang).is_err());
        let err = c.store.set_setting(certdesk_store::RETENTION_YEARS, "4", &c.admin).unwrap_err();
        assert!(err.to_string().contains("电子签名法 Art. 24"), "{err}");

        // an intake form left unfinished for years goes with the purge; a recent one stays
        c.store.save_draft("zhang", &format!("{{\"handler\":\"{}\"}}", EXPIRED.name)).unwrap();
        c.store.save_draft("li", "{}").unwrap();
        c.place.try_sql("UPDATE drafts SET updated_at = '2019-01-01T00:00:00.000000Z' WHERE account = 'zhang'").unwrap();
        // (saved a year before the faked today)
        c.place.try_sql(&format!("UPDATE drafts SET updated_at = '{}T00:00:00.000000Z' WHERE account = 'li'", later().checked_sub_months(Months::new(12)).unwrap())).unwrap();
        // a dry run lists and writes nothing
        let events_before = c.place.text("SELECT CAST(count(*) AS TEXT) FROM audit_events");
        let dry = c.store.purge(later(), true, &c.admin).unwrap();
        let numbers = |d: &[certdesk_store::DueCase]| d.iter().map(|d| d.number.clone()).collect::<Vec<_>>();
        assert_eq!(numbers(&dry.due), vec![expired.to_string(), cancelled.to_string()]);
        assert_eq!(dry.held.iter().map(|h| (h.number.clone(), h.held_by.clone())).collect::<Vec<_>>(), vec![(held.to_string(), "li".to_string())]);
        assert!(dry.purged.is_empty() && dry.refused.is_empty() && dry.years == 5 && dry.drafts_removed == 0);
        assert_eq!(dry.due[0].basis, certdesk_domain::retention::Basis::CertificateExpiry);
        assert_eq!((dry.due[0].from.to_string(), dry.due[0].end.to_string()), ("2020-03-01".into(), "2025-03-01".into()));
        assert_eq!(dry.due[1].basis, certdesk_domain::retention::Basis::Cancelled);
        assert_eq!(c.place.text("SELECT CAST(count(*) AS TEXT) FROM audit_events"), events_before);
        assert_eq!(c.store.case(&expired).unwrap().data.handler.name, EXPIRED.name);
        // before its end nothing of the cancelled case is due
        let early = c.store.purge(Utc::now().date_naive().checked_add_months(Months::new(60)).unwrap(), true, &c.admin).unwrap();
        assert_eq!(numbers(&early.due), vec![expired.to_string()]);

        let report = c.store.purge(later(), false, &c.admin).unwrap();
        assert_eq!(report.purged, vec![expired.to_string(), cancelled.to_string()]);
        assert_eq!(report.attachments_emptied, 3, "two seal images and a certificate");
        assert_eq!(report.drafts_removed, 1);
        assert!(c.store.draft("zhang").unwrap().is_none() && c.store.draft("li").unwrap().is_some());
        assert!(report.events_redacted >= 2, "{report:?}");
        let v = c.store.verify_audit().unwrap();
        assert!(v.ok, "{:?}", v.first_break);

        for (n, p) in [(&expired, &EXPIRED), (&cancelled, &CANCELLED)] {
            let record = c.store.case(n).unwrap();
            let text = serde_json::to_string(&record.data).unwrap() + &serde_json::to_string(&c.store.history(n).unwrap()).unwrap();
            for s in strings(p) {
                assert!(!text.contains(s), "{s} left in case {n}");
                assert!(c.store.search(s, 10).unwrap().is_empty(), "{s} still found");
            }
            assert_eq!(c.store.search(n.as_str(), 10).unwrap()[0].number, n.to_string(), "the number still finds it");
            assert!(c.store.purged_at(n).unwrap().is_some());
            let history = c.store.history(n).unwrap();
            let purged = history.last().unwrap();
            assert_eq!(purged.action, "purged");
            // the redacted case's digest is salted anew: neither its plain hash nor any digest
            // the chain recorded while it held personal data
            assert_ne!(purged.digest_after.as_deref(), Some(record.data.digest().as_str()));
            assert_eq!(purged.digest_after.as_deref(), Some(record.digest.as_str()));
            assert!(history[..history.len() - 1].iter().all(|e| e.digest_after.as_deref() != Some(record.digest.as_str())));
            assert!(purged.detail["fields"].as_array().unwrap().iter().any(|f| f == "handler.name"));
            let (info, bytes) = c.store.attachment(n, "seal:1").unwrap().unwrap();
            assert!(bytes.is_empty(), "{info:?}");
        }
        // what is not due or held is whole
        for (n, p) in [(&held, &HELD), (&open, &OPEN)] {
            assert_eq!(c.store.case(n).unwrap().data.handler.name, p.name);
            assert_eq!(c.store.search(p.id_number, 10).unwrap()[0].number, n.to_string());
            assert!(!c.store.attachment(n, "seal:1").unwrap().unwrap().1.is_empty());
        }
        assert_eq!(c.store.history(&held).unwrap().iter().find(|e| e.action == "cancel").unwrap().detail["reason"], format!("{} 撤回申请", HELD.name));
        // the files' trigger allows a purge's update and nothing else
        assert!(c.place.try_sql("UPDATE attachments SET name = 'seal:2' WHERE purged_at IS NOT NULL").is_err());
        assert!(c.place.try_sql("UPDATE attachments SET mime = 'text/plain' WHERE purged_at IS NULL").is_err());
        // a second run purges nothing
        let again = c.store.purge(later(), false, &c.admin).unwrap();
        assert!(again.due.is_empty() && again.purged.is_empty(), "{again:?}");
        // released, the held case goes at the next run
        c.store.release_hold(&held, &li).unwrap();
        assert!(c.store.release_hold(&held, &li).is_err(), "not held any more");
        assert_eq!(c.store.purge(later(), false, &c.admin).unwrap().purged, vec![held.to_string()]);
        assert!(c.store.verify_audit().unwrap().ok);

        // a personal part changed, or removed outside a purge, is found
        c.store.hold(&open, &li, "调查中").unwrap();
        let seq = c.place.text(&format!("SELECT CAST(min(p.seq) AS TEXT) FROM audit_personal p JOIN audit_events e ON e.seq = p.seq WHERE e.case_number = '{open}'"));
        c.place.tamper(&format!("UPDATE audit_personal SET body = '{{}}' WHERE seq = {seq}"));
        let b = c.store.verify_audit().unwrap().first_break.unwrap();
        assert!(b.message.contains("changed outside certdesk"), "{}", b.message);
        c.place.tamper(&format!("DELETE FROM audit_personal WHERE seq = {seq}"));
        let b = c.store.verify_audit().unwrap().first_break.unwrap();
        assert!(b.message.contains("removed outside certdesk"), "{}", b.message);
    }
}

/// The raw file of a plain store after a purge: none of the purged cases' names, ID numbers or
/// mobiles, in the pages, the WAL or the search indexes' vocabularies; the held case's still
/// there (so the test can fail).
#[test]
fn the_raw_file_after_a_purge_holds_none_of_the_purged_personal_data() {
    let place = Place::sqlite();
    let Place::File { path, .. } = &place else { unreachable!() };
    let path = path.clone();
    let mut c = counter(place);
    let expired = c.expired_case(&EXPIRED);
    let cancelled = c.cancelled_case(&CANCELLED);
    let held = c.cancelled_case(&HELD);
    let li = c.login("li");
    c.store.hold(&held, &li, "诉讼保全").unwrap();
    let raw = || {
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend(std::fs::read(format!("{}-wal", path.display())).unwrap_or_default());
        bytes
    };
    let holds = |bytes: &[u8], s: &str| bytes.windows(s.len()).any(|w| w == s.as_bytes());
    // before: the file (or its WAL) holds them all
    c.store.integrity_check().unwrap();
    let before = raw();
    for s in strings(&EXPIRED).into_iter().chain(strings(&CANCELLED)) {
        assert!(holds(&before, s), "{s} not in the store before the purge: the check could not fail");
    }
    let report = c.store.purge(later(), false, &c.admin).unwrap();
    assert_eq!(report.purged, vec![expired.to_string(), cancelled.to_string()]);
    let after = raw();
    for s in strings(&EXPIRED).into_iter().chain(strings(&CANCELLED)) {
        assert!(!holds(&after, s), "{s} still in the raw store file after the purge");
    }
    for s in strings(&HELD) {
        assert!(holds(&after, s), "{s} of the held case is gone");
    }
    // the search indexes' vocabularies: the purged names' grams are gone, the held one's stay
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("CREATE VIRTUAL TABLE temp.grams USING fts5vocab(main, case_grams, 'row'); CREATE VIRTUAL TABLE temp.tri USING fts5vocab(main, case_text, 'row');").unwrap();
    let count = |table: &str, term: &str| -> i64 { conn.query_row(&format!("SELECT count(*) FROM temp.{table} WHERE term = ?1"), [term], |r| r.get(0)).unwrap() };
    for term in ["欧阳", "上官", "13912345678"] {
        assert_eq!(count("grams", term), 0, "{term}");
    }
    assert_eq!((count("tri", "欧阳明"), count("tri", "阳明月")), (0, 0));
    assert_eq!(count("grams", "司马"), 1);
    assert_eq!(c.store.verify_audit().unwrap().first_break, None);
}

/// Migration 8 backfills the retention of existing cases from their chain.
#[test]
fn migration_8_backfills_the_retention_from_the_chain() {
    let place = Place::sqlite();
    let Place::File { path, .. } = &place else { unreachable!() };
    let path = path.clone();
    let (expired, cancelled, open) = {
        let mut c = counter(Place::File { _dir: tempfile::tempdir().unwrap(), path: path.clone() });
        (c.expired_case(&EXPIRED), c.cancelled_case(&CANCELLED), c.new_case(&OPEN))
    };
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(UNDO_M011_TO_M013).unwrap();
    conn.execute_batch(
        "DROP TABLE operator_keys; DROP TABLE day_closes; DROP TRIGGER audit_events_no_update; \
         CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END; \
         DROP INDEX cases_retention; ALTER TABLE cases DROP COLUMN retention_from; ALTER TABLE cases DROP COLUMN retention_basis; \
         ALTER TABLE cases DROP COLUMN purged_at; ALTER TABLE cases DROP COLUMN salt; DROP TABLE case_holds; DROP TABLE audit_personal; DROP TRIGGER attachments_no_update; \
         ALTER TABLE attachments DROP COLUMN purged_at; \
         CREATE TRIGGER attachments_no_update BEFORE UPDATE ON attachments BEGIN SELECT RAISE(ABORT, 'attachments are append-only'); END; \
         PRAGMA user_version = 7;",
    )
    .unwrap();
    drop(conn);
    drop(Store::open(&path).unwrap());
    let basis =
        |n: &CaseNumber| place.text(&format!("SELECT coalesce(retention_basis, '-') || ' ' || coalesce(substr(retention_from, 1, 10), '-') FROM cases WHERE number = '{n}'"));
    assert_eq!(basis(&expired), "certificate_expiry 2020-03-01");
    assert_eq!(basis(&cancelled), format!("cancelled {}", Utc::now().date_naive()));
    assert_eq!(basis(&open), "- -");
}

on_both! {
    /// A case stored by a build before #30: its digest the plain hash of its data (no salt) and
    /// an event with the applicant's name in its hashed text (v1). The purge redacts those
    /// events in place and records their forms: nothing of the person nor the plain digest is
    /// left on the chain, `audit verify` passes, and an edit of what is left shows.
    fn events_written_before_30_are_redacted_by_the_purge(place) {
        let mut c = counter(place);
        let n = c.cancelled_case(&CANCELLED);
        let data = c.place.text(&format!("SELECT data FROM cases WHERE number = '{n}'"));
        let plain = certdesk_store::audit::case_digest(None, &data);
        c.place.tamper(&format!("UPDATE cases SET salt = NULL, digest = '{plain}' WHERE number = '{n}'"));
        // an older build's event of the case, appended as that build did
        let head = c.place.text("SELECT CAST(seq AS TEXT) || ' ' || hash || ' ' || at FROM audit_events ORDER BY seq DESC LIMIT 1");
        let mut parts = head.split(' ');
        let (seq, prev, at): (i64, &str, &str) = (parts.next().unwrap().parse().unwrap(), parts.next().unwrap(), parts.next().unwrap());
        let step = detail::StepConfirmed { step: "revoke".into(), title: "吊销".into(), reference: Some(format!("{} 电话确认", CANCELLED.name)) };
        let ev = certdesk_store::NewEvent { digest_before: Some(&plain), digest_after: Some(&plain), ..certdesk_store::NewEvent::new("li", AuditAction::StepDone, &step).on_case(&n) }
            .seal(seq + 1, at, prev);
        assert!(!ev.is_v2());
        let q = |t: &Option<String>| t.as_ref().map_or("NULL".to_string(), |t| format!("'{t}'"));
        c.place.tamper(&format!(
            "INSERT INTO audit_events (seq, at, actor, action, case_number, digest_before, digest_after, detail, prev_hash, hash) VALUES ({}, '{}', '{}', '{}', {}, {}, {}, '{}', '{}', '{}'); \
             UPDATE settings SET value = '{}:{}' WHERE key = 'audit_head';",
            ev.seq, ev.at, ev.actor, ev.action, q(&ev.case_number), q(&ev.digest_before), q(&ev.digest_after), ev.detail, ev.prev_hash, ev.hash, ev.seq, ev.hash
        ));
        let old = seq + 1;
        assert!(c.store.verify_audit().unwrap().ok, "an older build's event verifies");
        let report = c.store.purge(later(), false, &c.admin).unwrap();
        assert_eq!(report.purged, vec![n.to_string()], "{report:?}");
        assert!(report.refused.is_empty() && report.events_redacted >= 2, "{report:?}");
        let left = |sql: &str| c.place.text(&format!("SELECT CAST(count(*) AS TEXT) FROM audit_events WHERE {sql}"));
        assert_eq!(left(&format!("detail LIKE '%{}%'", CANCELLED.name)), "0", "the name is gone from the chain");
        assert_eq!(left(&format!("digest_before = '{plain}' OR digest_after = '{plain}' OR detail LIKE '%{plain}%'")), "0", "so is the plain digest");
        let purged = c.store.history(&n).unwrap().into_iter().rfind(|e| e.action == "purged").unwrap();
        let redacted = purged.detail["redacted"].as_array().unwrap();
        assert!(redacted.iter().any(|r| r["seq"] == old), "{redacted:?}");
        assert_eq!(purged.digest_before, None, "the purge records no plain digest either");
        let report = c.store.verify_audit().unwrap();
        assert!(report.ok, "{report:?}");

        // what is left of a redacted event is held to its recorded form
        c.place.tamper(&format!("UPDATE audit_events SET detail = replace(detail, 'revoke', 'renew') WHERE seq = {old}"));
        let report = c.store.verify_audit().unwrap();
        let brk = report.first_break.expect("the edit is found");
        assert_eq!(brk.seq, Some(old), "{brk:?}");
        assert!(brk.message.contains("after the purge"), "{}", brk.message);
    }
}

on_both! {
    /// The store itself lets a purge rewrite a purged case's events' detail and digests and
    /// nothing else: not another case's events, not any other column.
    fn only_a_purged_cases_events_may_be_redacted(place) {
        let mut c = counter(place);
        let n = c.cancelled_case(&CANCELLED);
        let kept = c.new_case(&OPEN);
        let seq_of = |n: &CaseNumber| c.place.text(&format!("SELECT CAST(max(seq) AS TEXT) FROM audit_events WHERE case_number = '{n}' AND action <> 'purged'"));
        let (old, other) = (seq_of(&n), seq_of(&kept));
        let rewrite = |seq: &str, set: &str| c.place.try_sql(&format!("UPDATE audit_events SET {set} WHERE seq = {seq}"));
        assert!(rewrite(&old, "detail = '{}'").is_err(), "a case not purged: its events are append-only");
        c.store.purge(later(), false, &c.admin).unwrap();
        assert!(c.store.purged_at(&n).unwrap().is_some());
        assert!(rewrite(&other, "detail = '{}'").is_err(), "another case's events stay as they are");
        for set in ["actor = 'mallory'", "hash = 'x'", "prev_hash = 'x'", "at = '2000-01-01T00:00:00Z'", "case_number = NULL"] {
            assert!(rewrite(&old, set).is_err(), "{set}: only detail and digests");
        }
        rewrite(&old, "digest_before = NULL").expect("a redaction the trigger allows");
        assert!(!c.store.verify_audit().unwrap().ok, "and verify holds it to the recorded form");
    }
}
