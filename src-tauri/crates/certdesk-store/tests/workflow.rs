//! Accounts and the second check on a real store: passwords and lockout, roles, four-eyes,
//! reasons, approval bound to the data, and every step on the audit chain.

mod common;
use certdesk_domain::password_policy::PolicyError;
use certdesk_domain::workflow::{Actor, Role, RuleError};
use certdesk_domain::{Action, Status};
use certdesk_store::{ActError, AuthError, Password, Store};
use common::*;

fn pw(s: &str) -> Password {
    Password::new(s.to_string())
}

struct Counter {
    store: Store,
    admin: Actor,
    // dropped last: the database of the store
    place: Place,
}

fn counter(place: Place) -> Counter {
    let mut store = place.open();
    store.add_account("admin", &[Role::Admin], &pw("admin-pass-1"), None).unwrap();
    let admin = store.authenticate("admin", &pw("admin-pass-1")).unwrap();
    for (name, roles) in [("zhang", vec![Role::Clerk]), ("li", vec![Role::Supervisor]), ("both", vec![Role::Clerk, Role::Supervisor]), ("wang", vec![Role::KeyClerk])] {
        store.add_account(name, &roles, &pw(&format!("{name}-pass-1")), Some(&admin)).unwrap();
    }
    Counter { store, admin, place }
}

impl Counter {
    fn login(&mut self, name: &str) -> Actor {
        self.store.authenticate(name, &pw(&format!("{name}-pass-1"))).unwrap()
    }
    fn new_case(&mut self, clerk: &str) -> certdesk_domain::CaseNumber {
        let n = self.store.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk(clerk)).unwrap().number;
        let who = self.login(clerk);
        self.store.act(&n, Action::Accept, &who, None).unwrap();
        self.store.act(&n, Action::Submit, &who, None).unwrap();
        n
    }
}

on_both! {
    fn first_account_must_be_an_admin_and_later_ones_need_one(place) {
        let mut s = place.open();
        assert!(matches!(s.add_account("zhang", &[Role::Clerk], &pw("password-1"), None), Err(AuthError::FirstAccountAdmin)));
        s.add_account("admin", &[Role::Admin], &pw("password-1"), None).unwrap();
        assert!(matches!(s.add_account("li", &[Role::Supervisor], &pw("password-1"), None), Err(AuthError::AdminOnly { .. })));
        let clerk = certdesk_domain::workflow::Actor::new(certdesk_domain::workflow::AccountChecked::by_the_store(), "x", vec![Role::Clerk]);
        assert!(matches!(s.add_account("li", &[Role::Supervisor], &pw("password-1"), Some(&clerk)), Err(AuthError::AdminOnly { .. })));
        assert!(matches!(s.add_account("li", &[Role::Supervisor], &pw("short"), None), Err(AuthError::Policy(PolicyError::TooShort { .. }))));
        let admin = s.authenticate("admin", &pw("password-1")).unwrap();
        assert!(matches!(s.add_account("l i", &[Role::Supervisor], &pw("password-1"), Some(&admin)), Err(AuthError::BadName(_))));
        assert!(matches!(s.add_account("li", &[], &pw("password-1"), Some(&admin)), Err(AuthError::NoRole)));
        s.add_account("li", &[Role::Supervisor], &pw("password-1"), Some(&admin)).unwrap();
        assert!(matches!(s.add_account("li", &[Role::Clerk], &pw("password-1"), Some(&admin)), Err(AuthError::Exists(n)) if n == "li"));
    }

    fn passwords_are_hashed_with_argon2id_never_stored_plain(place) {
        let c = counter(place);
        let hash = c.place.text("SELECT password_hash FROM accounts WHERE name = 'zhang'");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("zhang-pass-1"));
        let dump = match &c.place {
            Place::File { path, .. } => std::fs::read(path).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap(),
            Place::Hall(_) => c.place.text("SELECT string_agg(t::text, ' ') FROM (SELECT * FROM accounts) t"),
        };
        assert!(!dump.contains("zhang-pass-1"));
    }

    fn five_wrong_passwords_lock_until_an_admin_unlocks(place) {
        let mut c = counter(place);
        for _ in 0..4 {
            // the same answer as for an unknown name: nothing tells names apart
            assert!(matches!(c.store.authenticate("zhang", &pw("wrong-password")), Err(AuthError::WrongCredentials)));
            assert!(matches!(c.store.authenticate("nobody", &pw("wrong-password")), Err(AuthError::WrongCredentials)));
        }
        assert!(matches!(c.store.authenticate("zhang", &pw("wrong-password")), Err(AuthError::WrongCredentials)));
        // locked: even the right password is refused, and a locked account cannot act
        assert!(matches!(c.store.authenticate("zhang", &pw("zhang-pass-1")), Err(AuthError::Locked { .. })));
        assert!(c.store.account("zhang").unwrap().unwrap().locked);
        let admin = c.admin.clone();
        c.store.unlock_account(&admin, "zhang").unwrap();
        c.login("zhang");
        // a right password resets the count
        c.store.authenticate("zhang", &pw("wrong-password")).unwrap_err();
        c.login("zhang");
        assert_eq!(c.store.account("zhang").unwrap().unwrap().failed_logins, 0);
        assert!(matches!(c.store.authenticate("nobody", &pw("whatever-1")), Err(AuthError::WrongCredentials)));
    }

    fn every_password_set_meets_the_rule_of_three_classes(place) {
        let mut c = counter(place);
        let admin = c.admin.clone();
        // two classes: lower-case letters and a symbol
        let weak = c.store.add_account("zhao", &[Role::Clerk], &pw("zhao-password"), Some(&admin)).unwrap_err();
        assert!(matches!(&weak, AuthError::Policy(PolicyError::TooFewClasses { .. })), "{weak}");
        assert!(weak.to_string().contains("at least 3 of"), "{weak}");
        let AuthError::Policy(why) = &weak else { unreachable!() };
        assert!(why.zh().contains("至少 3 类"), "{}", why.zh());
        assert!(matches!(c.store.set_password(&admin, "zhang", &pw("abcdefgh")), Err(AuthError::Policy(_))));
        assert!(matches!(c.store.change_own_password("zhang", &pw("zhang-pass-1"), &pw("12345678")), Err(AuthError::Policy(_))));
        assert!(matches!(c.store.change_own_password("zhang", &pw("zhang-pass-1"), &pw("Abc\u{7}12345")), Err(AuthError::Policy(PolicyError::ControlCharacter { .. }))));
        // nothing changed: the old password still signs in
        c.login("zhang");
        assert!(c.store.account("zhao").unwrap().is_none());
    }

    fn a_new_password_repeats_none_of_the_last_five(place) {
        let mut c = counter(place);
        let history = |c: &Counter| c.place.text("SELECT CAST(count(*) AS TEXT) FROM password_history WHERE account = 'zhang'");
        assert_eq!(history(&c), "1", "the first password is remembered");
        // the current one is one of the last five
        assert!(matches!(c.store.change_own_password("zhang", &pw("zhang-pass-1"), &pw("zhang-pass-1")), Err(AuthError::Reused)));
        let mut current = "zhang-pass-1".to_string();
        for i in 2..=6 {
            let next = format!("zhang-pass-{i}");
            c.store.change_own_password("zhang", &pw(&current), &pw(&next)).unwrap();
            current = next;
        }
        assert_eq!(history(&c), "5", "only the last five are kept");
        // passwords 2…6 are the last five; an administrator's reset is held to them too
        for old in ["zhang-pass-2", "zhang-pass-5"] {
            assert!(matches!(c.store.change_own_password("zhang", &pw(&current), &pw(old)), Err(AuthError::Reused)), "{old}");
        }
        let admin = c.admin.clone();
        assert!(matches!(c.store.set_password(&admin, "zhang", &pw("zhang-pass-4")), Err(AuthError::Reused)));
        // the sixth from now is forgotten: allowed again
        c.store.change_own_password("zhang", &pw(&current), &pw("zhang-pass-1")).unwrap();
        c.login("zhang");
        assert!(!c.place.text("SELECT hash FROM password_history WHERE account = 'zhang' ORDER BY set_at DESC LIMIT 1").contains("zhang-pass"));
    }

    fn a_password_an_administrator_set_must_be_changed(place) {
        let mut c = counter(place);
        // added by the administrator, who chose its password: due at the first sign-in
        let fresh = c.store.account("zhang").unwrap().unwrap();
        assert!(fresh.must_change);
        assert_eq!(fresh.password_changed_at, fresh.created_at);
        let own = c.store.change_own_password("zhang", &pw("zhang-pass-1"), &pw("zhang-own-pass-1")).unwrap();
        assert!(!own.must_change);
        // the first administrator chose their own
        assert!(!c.store.account(c.admin.name()).unwrap().unwrap().must_change);
        let admin = c.admin.clone();
        let reset = c.store.set_password(&admin, "zhang", &pw("Zhang-reset-1")).unwrap();
        assert!(reset.must_change);
        assert!(reset.password_changed_at > fresh.password_changed_at);
        // it still signs in (the desk asks for the change)
        c.store.authenticate("zhang", &pw("Zhang-reset-1")).unwrap();
        let changed = c.store.change_own_password("zhang", &pw("Zhang-reset-1"), &pw("zhang-own-pass-2")).unwrap();
        assert!(!changed.must_change);
        assert!(changed.password_changed_at > reset.password_changed_at);
        // the hash never reaches the chain
        assert_eq!(c.place.text("SELECT CAST(count(*) AS TEXT) FROM audit_events WHERE detail LIKE '%argon2%'"), "0");
    }

    fn a_disabled_account_keeps_its_history_and_cannot_sign_in(place) {
        let mut c = counter(place);
        let n = c.new_case("zhang");
        let admin = c.admin.clone();
        c.store.disable_account(&admin, "zhang").unwrap();
        assert!(matches!(c.store.authenticate("zhang", &pw("zhang-pass-1")), Err(AuthError::Disabled { .. })));
        assert!(c.store.history(&n).unwrap().iter().any(|e| e.actor == "zhang"));
        assert!(c.store.account("zhang").unwrap().unwrap().disabled);
    }

    fn self_approval_is_refused_for_a_user_holding_both_roles(place) {
        let mut c = counter(place);
        let n = c.new_case("both");
        let both = c.login("both");
        let err = c.store.act(&n, Action::Approve, &both, None).unwrap_err();
        assert!(matches!(err, ActError::Rule(RuleError::OwnCase { .. })), "{err}");
        assert_eq!(c.store.case(&n).unwrap().status, Status::Submitted);
        let li = c.login("li");
        assert_eq!(c.store.act(&n, Action::Approve, &li, None).unwrap().status, Status::Approved);
    }

    /// #75: a move is checked once, on the load it is written on; one checked on an earlier
    /// load of the case (its chain has grown since) is not written.
    fn a_move_checked_on_one_load_is_not_written_on_another(place) {
        let mut c = counter(place);
        let n = c.new_case("zhang");
        let (li, zhang) = (c.login("li"), c.login("zhang"));
        let earlier = c.store.load(&n).unwrap();
        let stale = certdesk_store::allowed_move(&earlier, Action::Approve, &li, None).unwrap();
        assert_eq!((stale.action(), stale.to()), (Action::Approve, Status::Approved));
        c.store.act(&n, Action::Return, &li, Some("营业执照复印件不清晰")).unwrap();
        c.store.act(&n, Action::Submit, &zhang, None).unwrap();
        let move_of = |allowed| certdesk_store::StepWrite::Move { allowed, note: Box::default() };
        let err = c.store.write_step(&n, &li, |_| Ok::<_, ActError>(move_of(stale))).unwrap_err();
        assert!(matches!(err, ActError::Store(certdesk_store::StoreError::Internal { .. })), "{err:?}");
        assert_eq!(c.store.case(&n).unwrap().status, Status::Submitted);
        let approved = c.store.write_step(&n, &li, |case| Ok::<_, ActError>(move_of(certdesk_store::allowed_move(case, Action::Approve, &li, None)?))).unwrap();
        assert_eq!(approved.status, Status::Approved);
    }

    fn roles_are_enforced_by_the_store(place) {
        let mut c = counter(place);
        let n = c.store.create_case(&case(ORG_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap().number;
        let li = c.login("li");
        let wang = c.login("wang");
        assert!(matches!(c.store.act(&n, Action::Accept, &li, None), Err(ActError::Rule(RuleError::MissingRole { .. }))));
        let zhang = c.login("zhang");
        c.store.act(&n, Action::Accept, &zhang, None).unwrap();
        c.store.act(&n, Action::Submit, &zhang, None).unwrap();
        assert!(matches!(c.store.act(&n, Action::Approve, &wang, None), Err(ActError::Rule(RuleError::MissingRole { .. }))));
        // issuing before approval: the state machine refuses
        assert!(matches!(c.store.act(&n, Action::IssueKey, &wang, None), Err(ActError::Store(_))));
    }

    fn return_needs_a_reason_that_the_clerk_sees(place) {
        let mut c = counter(place);
        let n = c.new_case("zhang");
        let li = c.login("li");
        assert!(matches!(c.store.act(&n, Action::Return, &li, None), Err(ActError::Rule(RuleError::ReasonRequired { .. }))));
        c.store.act(&n, Action::Return, &li, Some("营业执照复印件未加盖公章")).unwrap();
        let last = c.store.history(&n).unwrap().pop().unwrap();
        assert_eq!(last.action, "return");
        assert_eq!(last.detail["reason"], "营业执照复印件未加盖公章");
        assert_eq!(c.store.case(&n).unwrap().status, Status::Returned);
    }

    fn an_edit_after_approval_voids_it(place) {
        let mut c = counter(place);
        let n = c.new_case("zhang");
        let li = c.login("li");
        let approved = c.store.act(&n, Action::Approve, &li, None).unwrap();
        let approve_event = c.store.history(&n).unwrap().pop().unwrap();
        assert_eq!(approve_event.digest_after.as_deref(), Some(approved.digest.as_str()));
        let zhang = c.login("zhang");
        let mut data = approved.data.clone();
        data.handler.mobile = Some("13922223333".into());
        let edited = c.store.edit(&n, &data, &zhang).unwrap();
        assert_eq!(edited.status, Status::Submitted, "back to review");
        assert_ne!(edited.digest, approved.digest);
        // zhang edited it last: zhang can never approve it; li can approve again
        let wang = c.login("wang");
        assert!(c.store.act(&n, Action::IssueKey, &wang, None).is_err());
        c.store.act(&n, Action::Approve, &li, None).unwrap();
        assert_eq!(c.store.act(&n, Action::IssueKey, &wang, None).unwrap().status, Status::KeyIssued);
        assert!(c.store.verify_audit().unwrap().ok);
    }

    fn supervisor_who_edited_cannot_approve(place) {
        let mut c = counter(place);
        let n = c.new_case("zhang");
        let both = c.login("both");
        let mut data = c.store.case(&n).unwrap().data;
        data.notes = "补充说明".into();
        c.store.edit(&n, &data, &both).unwrap();
        assert!(matches!(c.store.act(&n, Action::Approve, &both, None), Err(ActError::Rule(RuleError::OwnCase { did: "edited", .. }))));
    }

    fn cancel_needs_a_reason_and_closes_the_case(place) {
        let mut c = counter(place);
        let n = c.new_case("zhang");
        let zhang = c.login("zhang");
        assert!(c.store.act(&n, Action::Cancel, &zhang, None).is_err());
        assert_eq!(c.store.act(&n, Action::Cancel, &zhang, Some("申请人撤回")).unwrap().status, Status::Cancelled);
        assert!(c.store.act(&n, Action::Submit, &zhang, None).is_err());
    }

    fn a_batch_of_key_desk_files_is_kept_whole_or_not_at_all(place) {
        let mut c = counter(place);
        let n = c.store.create_case(&case(EMPLOYEES_NEW), "GZ01", day(), &as_clerk("zhang")).unwrap().number;
        let (zhang, li, wang) = (c.login("zhang"), c.login("li"), c.login("wang"));
        for action in [Action::Accept, Action::Submit] {
            c.store.act(&n, action, &zhang, None).unwrap();
        }
        c.store.act(&n, Action::Approve, &li, None).unwrap();
        c.store.withdraw_cert(&n, &li, 2, "已离职").unwrap();
        let body = |k: u32| certdesk_store::EventBody::new(certdesk_store::AuditAction::CertificateImported, &certdesk_store::detail::CertificateImported { certificate_serial: format!("0{k}"), ..Default::default() });
        let file = |name: &'static str| certdesk_store::NewFile { name, mime: "application/x-pem-file", bytes: b"-----BEGIN CERTIFICATE-----" };
        // the second is refused by the rules: the first is not kept either
        let refused = c.store.attach_each(&n, vec![(1, file("certificate:1"), body(1)), (2, file("certificate:2"), body(2))], &wang).unwrap_err();
        assert!(matches!(refused, ActError::Rule(RuleError::CertWithdrawn { cert: 2, .. })), "{refused:?}");
        assert!(c.store.attachments(&n).unwrap().iter().all(|a| !a.name.starts_with("certificate")));
        assert!(!c.store.history(&n).unwrap().iter().any(|e| e.action == "certificate_imported"));
        // a clerk may not, whatever the batch
        assert!(c.store.attach_each(&n, vec![(1, file("certificate:1"), body(1))], &zhang).is_err());
        c.store.attach_each(&n, vec![(1, file("certificate:1"), body(1))], &wang).unwrap();
        let imported: Vec<_> = c.store.history(&n).unwrap().into_iter().filter(|e| e.action == "certificate_imported").collect();
        assert_eq!(imported.len(), 1);
        assert_eq!((imported[0].detail["cert"].as_u64(), imported[0].detail["holder"].as_str()), (Some(1), Some("王芳")), "tagged with its certificate");
        assert!(c.store.verify_audit().unwrap().ok);
    }
}
