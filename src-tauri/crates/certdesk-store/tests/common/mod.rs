//! Shared helpers of the store's integration tests: the example cases and a temp store.

#![allow(dead_code)]

use certdesk_domain::CaseData;
use chrono::NaiveDate;

pub const ORG_NEW: &str = include_str!("../../../../../tests/fixtures/case-org-new.json");
pub const EMPLOYEES_NEW: &str = include_str!("../../../../../tests/fixtures/case-employees-new.json");

pub fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

pub fn case(text: &str) -> CaseData {
    let mut c = CaseData::from_json(text).unwrap();
    c.validate_and_normalize(day());
    c
}

/// A clerk as the store's rules see one (the tests do not sign in for every case).
pub fn as_clerk(name: &str) -> certdesk_domain::workflow::Actor {
    certdesk_domain::workflow::Actor { name: name.into(), roles: vec![certdesk_domain::workflow::Role::Clerk] }
}

pub fn as_admin(name: &str) -> certdesk_domain::workflow::Actor {
    certdesk_domain::workflow::Actor { name: name.into(), roles: vec![certdesk_domain::workflow::Role::Admin] }
}

pub fn num(text: &str) -> certdesk_domain::CaseNumber {
    certdesk_domain::CaseNumber::parse(text).unwrap()
}

/// Keeps a file with a case as a clerk would.
pub fn put(s: &mut certdesk_store::Store, n: &certdesk_domain::CaseNumber, name: &str, mime: &str, bytes: &[u8], who: &str) -> Result<(), certdesk_store::ActError> {
    s.attach(n, certdesk_store::FileKind::Case, &[certdesk_store::NewFile { name, mime, bytes }], None, &as_clerk(who)).map(drop)
}
