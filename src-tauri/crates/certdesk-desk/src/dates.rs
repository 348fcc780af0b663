//! Days as the counter types and reads them: one parser (`YYYY-MM-DD`, also `YYYY/MM/DD` as
//! some locales' date pickers give it) and one way to show a day (`YYYY-MM-DD`) whatever the
//! locale, and the UTC bounds of a counter's local day (times are stored in UTC, days are the
//! counter's). Used by the case list's filters, the reports and both adapters.

use crate::DeskError;
use chrono::{Local, NaiveDate, SecondsFormat, TimeZone, Utc};

/// A day as typed: `2026-11-24` or `2026/11/24` (spaces around ignored).
pub fn parse_day(text: &str) -> Result<NaiveDate, DeskError> {
    let t = text.trim();
    ["%Y-%m-%d", "%Y/%m/%d"].iter().find_map(|f| NaiveDate::parse_from_str(t, f).ok()).filter(|_| t.len() >= 8).ok_or_else(|| DeskError::InvalidDay { text: text.to_string() })
}

/// [`parse_day`] for a command-line parser (its error as text).
pub fn parse_day_arg(text: &str) -> Result<NaiveDate, String> {
    parse_day(text).map_err(|e| e.to_string())
}

/// A day as the counter reads it, `2026-11-24`, whatever the locale.
pub fn show_day(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// A filter's day as sent: blank is no filter.
pub fn optional_day(text: Option<&str>) -> Result<Option<NaiveDate>, DeskError> {
    text.map(str::trim).filter(|t| !t.is_empty()).map(parse_day).transpose()
}

/// The counter's local day today.
pub fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// UTC bounds of a local day (the counter's time zone), in the store's time format.
pub fn day_bounds(date: NaiveDate) -> (String, String) {
    let start = |d: NaiveDate| {
        let local = Local.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default()).earliest().unwrap_or_else(Local::now);
        local.with_timezone(&Utc).to_rfc3339_opts(SecondsFormat::Micros, true)
    };
    (start(date), start(date.succ_opt().unwrap_or(date)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_is_read_with_dashes_or_slashes_and_shown_with_dashes() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        for typed in ["2026-11-24", "2026/11/24", " 2026-11-24 "] {
            assert_eq!(parse_day(typed).unwrap(), day, "{typed:?}");
        }
        assert_eq!(show_day(day), "2026-11-24");
        for bad in ["24.11.2026", "2026-13-01", "yesterday", "", "2026-11"] {
            assert_eq!(parse_day(bad).unwrap_err().kind(), crate::ErrorKind::InvalidDay, "{bad:?}");
        }
        assert_eq!(optional_day(Some("  ")).unwrap(), None);
        assert_eq!(optional_day(Some("2026/11/24")).unwrap(), Some(day));
    }
}
