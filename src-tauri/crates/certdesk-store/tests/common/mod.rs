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
