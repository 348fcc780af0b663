//! Fuzz target for case JSON: arbitrary bytes through the same entry points as `certdesk case
//! import` and the app's intake (`CaseData::from_json`, then `validate_and_normalize`, then the
//! canonical form that is digested and stored). Any error is fine; a panic is a finding.

#![no_main]

use certdesk_domain::CaseData;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(mut case) = CaseData::from_json(text) {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("a date");
        let _ = case.validate_and_normalize(today);
        let _ = case.digest();
    }
});
