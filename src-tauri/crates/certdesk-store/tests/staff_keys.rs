//! Staff keys (#31) in the store, both back ends: enrolments (an administrator's, append-only
//! but for their end, by trigger), the sign-in's second factor (a key required once enrolled, a
//! signature of another key refused and counted), signed approvals checked in the approval's
//! transaction, and `audit verify`'s signature pass against someone who can rewrite the database
//! and re-seal the whole chain: a signature swapped from another case, an approval rewritten as
//! another supervisor's, a signature removed — each found and named by case while the chain
//! itself verifies. Keys are software keys made and used by OpenSSL (the tokens are the CLI's
//! tests'); the checks are the desk's (`certdesk_token::staff`).

mod common;
use certdesk_domain::Action;
use certdesk_domain::workflow::{Actor, Role, RuleError, SignatureFailure, SignatureRefusal};
use certdesk_store::staff_keys::{FirstFactor, SignedApproval, verify_day};
use certdesk_store::{ActError, ActNote, AuthError, Password, Store, StoredEvent, detail};
use common::staff::{Check, SoftKey, soft_key, verified};
use common::*;

fn pw(s: &str) -> Password {
    Password::new(s.to_string())
}

/// Rewrites the chain from the first event on as someone holding the database would: every
/// event's link and hash recomputed, the head recorded anew.
fn reseal(place: &Place, store: &Store) {
    let (events, _) = store.stored_chain().unwrap();
    let mut prev = "0".repeat(64);
    let mut statements = Vec::new();
    let mut last: Option<StoredEvent> = None;
    for mut e in events {
        if last.is_none() {
            prev = e.prev_hash.clone();
        }
        e.prev_hash = prev.clone();
        e.hash = e.computed_hash();
        statements.push(format!("UPDATE audit_events SET prev_hash = '{}', hash = '{}' WHERE seq = {};", e.prev_hash, e.hash, e.seq));
        prev = e.hash.clone();
        last = Some(e);
    }
    let last = last.unwrap();
    statements.push(format!("UPDATE settings SET value = '{}:{}' WHERE key = 'audit_head';", last.seq, last.hash));
    place.tamper(&statements.join(" "));
}

fn approve_event(place: &Place, n: &certdesk_domain::CaseNumber) -> (i64, String) {
    let text = place.text(&format!("SELECT CAST(seq AS TEXT) || '|' || detail FROM audit_events WHERE case_number = '{n}' AND action = 'approve' ORDER BY seq DESC LIMIT 1"));
    let (seq, detail) = text.split_once('|').unwrap();
    (seq.parse().unwrap(), detail.to_string())
}

fn set_detail(place: &Place, seq: i64, detail: &str, actor: Option<&str>) {
    let actor = actor.map(|a| format!(", actor = '{a}'")).unwrap_or_default();
    place.tamper(&format!("UPDATE audit_events SET detail = '{}'{actor} WHERE seq = {seq}", detail.replace('\'', "''")));
}

on_both! {
    fn enrolled_supervisors_sign_in_with_their_key_and_their_approvals_are_verified(place) {
        let keys_dir = tempfile::tempdir().unwrap();
        let (li_key, zhao_key) = (soft_key(keys_dir.path(), "li"), soft_key(keys_dir.path(), "zhao"));
        let mut store = place.open();
        store.add_account("admin", &[Role::Admin], &pw("admin-pass-1"), None).unwrap();
        let admin = store.authenticate("admin", &pw("admin-pass-1")).unwrap();
        for (name, role) in [("zhang", Role::Clerk), ("li", Role::Supervisor), ("zhao", Role::Supervisor)] {
            store.add_account(name, &[role], &pw(&format!("{name}-pass-1")), Some(&admin)).unwrap();
        }
        // enrolment: an administrator's; the same certificate twice refused
        let li_actor = store.authenticate("li", &pw("li-pass-1")).unwrap();
        assert!(matches!(store.enrol_key(&li_actor, "li", &li_key.enrolment()), Err(AuthError::AdminOnly { .. })));
        store.enrol_key(&admin, "li", &li_key.enrolment()).unwrap();
        store.enrol_key(&admin, "zhao", &zhao_key.enrolment()).unwrap();
        assert!(matches!(store.enrol_key(&admin, "zhang", &li_key.enrolment()), Err(AuthError::KeyEnrolledAlready { .. })));
        // the rows only ever end
        assert!(place.try_sql("UPDATE operator_keys SET account = 'zhang'").is_err());
        assert!(place.try_sql("DELETE FROM operator_keys").is_err());

        // sign-in: the password alone is refused, a signature by another key counts as a failure
        assert!(matches!(store.authenticate("li", &pw("li-pass-1")), Err(AuthError::KeyRequired { .. })));
        let FirstFactor::KeyNeeded(challenge) = store.authenticate_first("li", &pw("li-pass-1")).unwrap() else { panic!("li must use the key") };
        assert!(String::from_utf8_lossy(challenge.message()).starts_with("certdesk-sign-in-v1\n"));
        let forged = zhao_key.sign(challenge.message());
        assert!(matches!(store.authenticate_key(challenge, "ecdsa-p256-sha256", &forged, &Check), Err(AuthError::WrongStaffKey { .. })));
        assert_eq!(store.account("li").unwrap().unwrap().failed_logins, 1, "counted as a failed sign-in");
        let FirstFactor::KeyNeeded(challenge) = store.authenticate_first("li", &pw("li-pass-1")).unwrap() else { panic!() };
        let signature = li_key.sign(challenge.message());
        let li: Actor = store.authenticate_key(challenge, "ecdsa-p256-sha256", &signature, &Check).unwrap();
        assert_eq!(store.account("li").unwrap().unwrap().failed_logins, 0);

        // two cases approved with li's key; an approval without it is refused
        let zhang = store.authenticate("zhang", &pw("zhang-pass-1")).unwrap();
        let mut cases = Vec::new();
        for _ in 0..2 {
            let n = store.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap().number;
            store.act(&n, Action::Accept, &zhang, None).unwrap();
            store.act(&n, Action::Submit, &zhang, None).unwrap();
            cases.push(n);
        }
        let err = store.act_with(&cases[0], Action::Approve, &li, None, ActNote::default()).unwrap_err();
        assert!(err.to_string().contains("USB key"), "{err}");
        // a signature made for another case does not verify for this one
        let other = li_key.approval(&store, &cases[1], "li");
        match verified(&store, &cases[0], &li, other).unwrap_err() {
            refusal @ SignatureRefusal::DoesNotVerify(SignatureFailure::BadSignature) => {
                assert!(refusal.to_string().contains("signature"), "{refusal}");
                assert!(refusal.zh().starts_with("签名无法验证：签名后案件已被修改"), "{}", refusal.zh())
            }
            other => panic!("a signature over another case's statement: {other:?}"),
        }
        // #75: verified before the approval's transaction, bound there to the case as it loads
        // it: a verified approval of another case does not approve this one
        let for_other = verified(&store, &cases[1], &li, li_key.approval(&store, &cases[1], "li")).unwrap();
        let err = store.act_with(&cases[0], Action::Approve, &li, None, ActNote { signature: Some(for_other), ..Default::default() }).unwrap_err();
        assert!(matches!(&err, ActError::Rule(RuleError::SignatureRefused { refusal: SignatureRefusal::CaseChanged })), "{err:?}");
        // by another person's key: not li's enrolled key
        let zhaos = zhao_key.approval(&store, &cases[0], "li");
        assert!(matches!(verified(&store, &cases[0], &li, zhaos), Err(SignatureRefusal::NotTheEnrolledKey { account, .. }) if account == "li"));
        for n in &cases {
            let signed = verified(&store, n, &li, li_key.approval(&store, n, "li")).unwrap();
            store.act_with(n, Action::Approve, &li, None, ActNote { signature: Some(signed), ..Default::default() }).unwrap();
        }
        let report = store.verify_audit_with(&Check).unwrap();
        assert!(report.ok && report.signatures.checked == 2 && report.signatures.failed.is_empty(), "{report:?}");

        // a signature swapped in from the other case, the chain re-sealed: the chain holds, the
        // signature does not
        let (seq0, detail0) = approve_event(&place, &cases[0]);
        let (_, detail1) = approve_event(&place, &cases[1]);
        let swapped = {
            let mut d: serde_json::Value = serde_json::from_str(&detail0).unwrap();
            let other: serde_json::Value = serde_json::from_str(&detail1).unwrap();
            d["signature"] = other["signature"].clone();
            d.to_string()
        };
        set_detail(&place, seq0, &swapped, None);
        reseal(&place, &store);
        let report = store.verify_audit_with(&Check).unwrap();
        assert!(report.first_break.is_none(), "the re-sealed chain itself verifies: {report:?}");
        assert_eq!((report.ok, report.signatures.failed.clone()), (false, vec![cases[0].to_string()]), "{report:?}");

        // written as another supervisor's approval
        set_detail(&place, seq0, &detail0, Some("zhao"));
        reseal(&place, &store);
        let report = store.verify_audit_with(&Check).unwrap();
        assert_eq!(report.signatures.failed, vec![cases[0].to_string()], "{report:?}");

        // the signature removed from an enrolled supervisor's approval
        let unsigned = {
            let mut d: serde_json::Value = serde_json::from_str(&detail0).unwrap();
            d.as_object_mut().unwrap().remove("signature");
            d.to_string()
        };
        set_detail(&place, seq0, &unsigned, Some("li"));
        reseal(&place, &store);
        let report = store.verify_audit_with(&Check).unwrap();
        assert_eq!(report.signatures.failed, vec![cases[0].to_string()], "{report:?}");
        assert!(report.signatures.problems[0].why.contains("without their USB key"), "{report:?}");

        // put back as signed: whole again
        set_detail(&place, seq0, &detail0, Some("li"));
        reseal(&place, &store);
        assert!(store.verify_audit_with(&Check).unwrap().ok);

        // 日结: the day statement signed by li's key over the sheet and the head; another key,
        // a head that moved and a second close are refused
        let head = store.audit_head().unwrap().unwrap();
        let sheet = r#"{"cases":[],"day":"2026-11-24","format":"certdesk-day-v1"}"#;
        let day_signed = |key: &SoftKey, head: &(i64, String)| {
            let sha = certdesk_domain::case::sha256_hex(sheet.as_bytes());
            let statement = certdesk_domain::staff::day_statement("GZ01", "2026-11-24", &sha, &format!("{}:{}", head.0, head.1), "li", &li_key.fingerprint());
            SignedApproval { detail: detail::ApprovalSigned { algorithm: "ecdsa-p256-sha256".into(), fingerprint: li_key.fingerprint(), counter: "GZ01".into(), ..Default::default() }, signature: key.sign(statement.as_bytes()) }
        };
        // #75: verified before the close's transaction, bound there to the open enrolment and head
        let lis = store.enrolments(Some("li")).unwrap().into_iter().rfind(|e| e.ended_at.is_none()).unwrap();
        let verified = |head: &(i64, String), signed| verify_day(&lis, &li, "2026-11-24", sheet, head, signed, &Check);
        assert!(matches!(verified(&head, day_signed(&zhao_key, &head)), Err(SignatureRefusal::DoesNotVerify(_))), "another person's signature");
        assert!(store.close_day(&zhang, &verified(&head, day_signed(&li_key, &head)).unwrap()).is_err(), "a clerk");
        let stale = (head.0 - 1, head.1.clone());
        assert!(store.close_day(&li, &verified(&stale, day_signed(&li_key, &stale)).unwrap()).is_err(), "a head that moved");
        let closed = store.close_day(&li, &verified(&head, day_signed(&li_key, &head)).unwrap()).unwrap();
        assert!(closed.event.reference.starts_with("certdesk-day:1:GZ01:2026-11-24:"), "{closed:?}");
        assert_eq!(store.day_close("2026-11-24").unwrap().unwrap().sheet, sheet);
        let head = store.audit_head().unwrap().unwrap();
        assert!(store.close_day(&li, &verified(&head, day_signed(&li_key, &head)).unwrap()).is_err(), "closed once");
        assert!(place.try_sql("UPDATE day_closes SET sheet = '{}'").is_err() && place.try_sql("DELETE FROM day_closes").is_err(), "a close never changes");

        // revoked: the password alone signs li in again, the approvals signed before hold
        store.revoke_key(&admin, "li", "key lost").unwrap();
        store.authenticate("li", &pw("li-pass-1")).unwrap();
        let report = store.verify_audit_with(&Check).unwrap();
        assert!(report.ok && report.signatures.checked == 2, "{report:?}");

        // a disabled account's key ends with it (recorded), and the approvals it signed still verify
        let ended = store.enrolments(Some("zhao")).unwrap();
        assert!(ended.iter().all(|e| e.ended_at.is_none()));
        store.disable_account(&admin, "zhao").unwrap();
        let ended = store.enrolments(Some("zhao")).unwrap();
        assert_eq!(ended.iter().map(|e| e.end_reason.as_deref()).collect::<Vec<_>>(), [Some("account disabled")]);
        let events = store.events_between(certdesk_store::AuditAction::KeyEnded, "2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z").unwrap();
        assert!(events.iter().any(|e| e.detail["user"] == "zhao" && e.detail["end"] == "account disabled"), "{events:?}");
        assert!(store.verify_audit_with(&Check).unwrap().ok);
    }
}
