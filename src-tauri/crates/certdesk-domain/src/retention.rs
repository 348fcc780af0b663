//! How long a case's personal data is kept. 电子签名法 Art. 24 asks a CA to keep certification
//! information at least five years after the certificate 失效; PIPL Art. 19 no longer than
//! necessary. A case's retention ends `years` (a setting, at least 5) after the latest expiry
//! of its certificates, or, when it has none, after the day it was closed or cancelled; a case
//! still open has no end. Days are the counter's local days (the caller passes its time zone),
//! the data is kept through the end day and due for purging from the next. Owns the rule only:
//! the facts come from the store's events, the clock and the legal hold from the caller.

use chrono::{DateTime, Months, NaiveDate, TimeZone, Utc};
use serde::Serialize;

/// The fewest years personal data is kept after its basis (电子签名法 Art. 24).
pub const MIN_YEARS: u32 = 5;
/// The most years the setting accepts.
pub const MAX_YEARS: u32 = 50;

/// The `retention_years` setting: a number of years from [`MIN_YEARS`] to [`MAX_YEARS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RetentionYears(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetentionError {
    #[error("retention_years {0:?}: give a whole number of years from {MIN_YEARS} to {MAX_YEARS} (电子签名法 Art. 24 asks for at least {MIN_YEARS})")]
    Years(String),
}

impl RetentionError {
    pub fn zh(&self) -> String {
        match self {
            RetentionError::Years(v) => format!("保存年限 {v:?} 无效：请填写 {MIN_YEARS} 至 {MAX_YEARS} 的整数年（《电子签名法》第二十四条要求至少 {MIN_YEARS} 年）"),
        }
    }
}

impl RetentionYears {
    pub const DEFAULT: RetentionYears = RetentionYears(MIN_YEARS);

    pub fn new(years: u32) -> Result<RetentionYears, RetentionError> {
        if (MIN_YEARS..=MAX_YEARS).contains(&years) { Ok(RetentionYears(years)) } else { Err(RetentionError::Years(years.to_string())) }
    }

    /// The setting as stored and typed (surrounding spaces ignored).
    pub fn parse(text: &str) -> Result<RetentionYears, RetentionError> {
        text.trim().parse::<u32>().ok().and_then(|y| RetentionYears::new(y).ok()).ok_or_else(|| RetentionError::Years(text.to_string()))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// What a case's retention counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// the latest expiry (`not_after`) of the case's certificates
    CertificateExpiry,
    /// the day the case was closed (归档), having no certificate
    Closed,
    /// the day the case was cancelled (作废), having no certificate
    Cancelled,
}

impl Basis {
    /// The name the store keeps (`cases.retention_basis`) and the reports show.
    pub fn wire(self) -> &'static str {
        match self {
            Basis::CertificateExpiry => "certificate_expiry",
            Basis::Closed => "closed",
            Basis::Cancelled => "cancelled",
        }
    }

    pub fn from_wire(wire: &str) -> Option<Basis> {
        [Basis::CertificateExpiry, Basis::Closed, Basis::Cancelled].into_iter().find(|b| b.wire() == wire)
    }
}

/// The facts of a case the rule reads: the `not_after` of every certificate issued for it
/// (signing and encryption), and when it was closed or cancelled, if it was.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionFacts {
    pub certificate_expiries: Vec<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
}

/// When a case's retention ends, and from what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Retention {
    pub basis: Basis,
    /// the local day of the basis
    pub from: NaiveDate,
    /// the last local day the personal data is kept
    pub end: NaiveDate,
}

impl Retention {
    /// The personal data is due for purging `today` (a local day): the end day is past.
    pub fn is_due(&self, today: NaiveDate) -> bool {
        today > self.end
    }
}

/// `day` plus `years` calendar years; 29 February becomes 28 February in a common year.
fn plus_years(day: NaiveDate, years: RetentionYears) -> NaiveDate {
    day.checked_add_months(Months::new(years.get() * 12)).unwrap_or(NaiveDate::MAX)
}

/// The retention of a case with `facts`, its days in the counter's time zone `tz`; `None` while
/// the case has neither a certificate nor a closing or cancelling day (it is still open).
pub fn retention<Tz: TimeZone>(facts: &RetentionFacts, years: RetentionYears, tz: &Tz) -> Option<Retention> {
    let (basis, at) = basis(facts)?;
    let from = at.with_timezone(tz).date_naive();
    Some(Retention { basis, from, end: plus_years(from, years) })
}

/// What a case's retention counts from, and the instant: the latest expiry of its certificates,
/// else the day it was closed or cancelled; `None` while it has none of these (still open).
pub fn basis(facts: &RetentionFacts) -> Option<(Basis, DateTime<Utc>)> {
    if let Some(latest) = facts.certificate_expiries.iter().max() {
        return Some((Basis::CertificateExpiry, *latest));
    }
    // a case is closed or cancelled, not both; were it both, the later day counts
    [(Basis::Closed, facts.closed_at), (Basis::Cancelled, facts.cancelled_at)].into_iter().filter_map(|(b, t)| t.map(|t| (b, t))).max_by_key(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }
    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn shanghai() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).unwrap()
    }
    fn years(n: u32) -> RetentionYears {
        RetentionYears::new(n).unwrap()
    }

    #[test]
    fn the_end_of_retention_from_the_facts() {
        let cert = |list: &[&str]| list.iter().map(|s| at(s)).collect::<Vec<_>>();
        // what, the facts, the years, and the expected basis, first and last day
        type Row = (&'static str, RetentionFacts, u32, Option<(Basis, &'static str, &'static str)>);
        let cases: Vec<Row> = vec![
            (
                "one certificate",
                RetentionFacts { certificate_expiries: cert(&["2027-03-01T00:00:00Z"]), ..Default::default() },
                5,
                Some((Basis::CertificateExpiry, "2027-03-01", "2032-03-01")),
            ),
            (
                "the latest of several certificates (signing and encryption)",
                RetentionFacts { certificate_expiries: cert(&["2027-03-01T00:00:00Z", "2028-06-30T12:00:00Z", "2026-01-01T00:00:00Z"]), ..Default::default() },
                5,
                Some((Basis::CertificateExpiry, "2028-06-30", "2033-06-30")),
            ),
            (
                "a certificate counts even when the case was closed after it",
                RetentionFacts { certificate_expiries: cert(&["2027-03-01T00:00:00Z"]), closed_at: Some(at("2026-04-02T03:00:00Z")), cancelled_at: None },
                5,
                Some((Basis::CertificateExpiry, "2027-03-01", "2032-03-01")),
            ),
            (
                "an expiry late in the UTC day is the next local day in Shanghai",
                RetentionFacts { certificate_expiries: cert(&["2026-12-31T16:00:00Z"]), ..Default::default() },
                5,
                Some((Basis::CertificateExpiry, "2027-01-01", "2032-01-01")),
            ),
            (
                "closed without a certificate: the closing day",
                RetentionFacts { closed_at: Some(at("2026-11-22T17:30:00Z")), ..Default::default() },
                5,
                Some((Basis::Closed, "2026-11-23", "2031-11-23")),
            ),
            ("cancelled", RetentionFacts { cancelled_at: Some(at("2026-11-22T01:00:00Z")), ..Default::default() }, 8, Some((Basis::Cancelled, "2026-11-22", "2034-11-22"))),
            ("a leap day", RetentionFacts { closed_at: Some(at("2024-02-29T02:00:00Z")), ..Default::default() }, 5, Some((Basis::Closed, "2024-02-29", "2029-02-28"))),
            (
                "a leap day, four years on",
                RetentionFacts { closed_at: Some(at("2024-02-29T02:00:00Z")), ..Default::default() },
                8,
                Some((Basis::Closed, "2024-02-29", "2032-02-29")),
            ),
            ("still open", RetentionFacts::default(), 5, None),
        ];
        for (what, facts, n, expected) in cases {
            let got = retention(&facts, years(n), &shanghai());
            let expected = expected.map(|(basis, from, end)| Retention { basis, from: day(from), end: day(end) });
            assert_eq!(got, expected, "{what}");
        }
    }

    #[test]
    fn due_from_the_day_after_the_end() {
        let r = retention(&RetentionFacts { closed_at: Some(at("2026-11-22T02:00:00Z")), ..Default::default() }, years(5), &shanghai()).unwrap();
        assert_eq!(r.end, day("2031-11-22"));
        for (today, due) in [("2026-11-22", false), ("2031-11-21", false), ("2031-11-22", false), ("2031-11-23", true), ("2040-01-01", true)] {
            assert_eq!(r.is_due(day(today)), due, "{today}");
        }
    }

    #[test]
    fn the_years_setting_is_at_least_five() {
        for (text, ok) in [("5", Some(5)), (" 10 ", Some(10)), ("50", Some(50)), ("4", None), ("0", None), ("51", None), ("-5", None), ("5.5", None), ("", None), ("五", None)] {
            assert_eq!(RetentionYears::parse(text).ok().map(RetentionYears::get), ok, "{text:?}");
        }
        assert_eq!(RetentionYears::DEFAULT.get(), MIN_YEARS);
        let e = RetentionYears::parse("3").unwrap_err();
        assert!(e.to_string().contains("from 5 to 50"), "{e}");
        assert!(e.zh().contains("至少 5 年"), "{}", e.zh());
    }
}
