//! Fuzz target for the unit's list reader (明细表, #78): arbitrary bytes through
//! `certdesk_roster::read_employees`, what `certdesk employees read FILE` and the app's import
//! call with a file's whole content (the format found from the bytes: XLSX, XLSB, ODS, XLS or
//! CSV). Any error is fine. An abort (a failed allocation), memory past `-rss_limit_mb`, a
//! timeout, or a panic in certdesk's own code is a finding. A panic inside the spreadsheet
//! library is caught by the reader (the file is refused as unreadable), so the panic hook is
//! silenced here: libFuzzer's own would abort on a panic even when it is caught. To see a
//! finding's message, read the saved input with `read_employees` in a test.

#![no_main]

use certdesk_roster::{ReadOptions, read_employees};
use libfuzzer_sys::fuzz_target;
use std::sync::Once;

static QUIET_CAUGHT_PANICS: Once = Once::new();

fuzz_target!(|data: &[u8]| {
    QUIET_CAUGHT_PANICS.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("a date");
    if let Ok(roster) = read_employees(data, &ReadOptions::new(today)) {
        assert!(!roster.employees.is_empty(), "a list read whole has rows");
    }
});
