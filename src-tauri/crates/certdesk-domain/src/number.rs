//! Case numbers: `<counter>-<yyyymmdd>-<seq>`, e.g. `GZ01-20261122-0007`. Readable at the
//! counter (said over the phone, written on the receipt) and unique per counter. Owns the
//! format and its parsing; the sequence itself is kept by the store.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CaseNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a case number (expected COUNTER-YYYYMMDD-SEQ, e.g. GZ01-20261122-0007): {why}")]
pub struct CaseNumberError {
    pub text: String,
    pub why: &'static str,
}

/// Counter codes: 1–12 ASCII capitals and digits.
pub fn check_counter_code(code: &str) -> Result<(), &'static str> {
    if code.is_empty() || code.len() > 12 || !code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        return Err("a counter code is 1-12 capital letters and digits");
    }
    Ok(())
}

impl CaseNumber {
    pub fn new(counter: &str, day: NaiveDate, seq: u32) -> CaseNumber {
        CaseNumber(format!("{counter}-{}-{seq:04}", day.format("%Y%m%d")))
    }

    pub fn parse(text: &str) -> Result<CaseNumber, CaseNumberError> {
        let upper = text.trim().to_ascii_uppercase();
        let err = |why| CaseNumberError { text: text.to_string(), why };
        let mut parts = upper.split('-');
        let (Some(counter), Some(day), Some(seq), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(err("three parts separated by '-'"));
        };
        check_counter_code(counter).map_err(err)?;
        if day.len() != 8 || NaiveDate::parse_from_str(day, "%Y%m%d").is_err() {
            return Err(err("the middle part is a date YYYYMMDD"));
        }
        if seq.len() < 4 || !seq.chars().all(|c| c.is_ascii_digit()) || seq.parse::<u32>().map_or(true, |n| n == 0) {
            return Err(err("the last part is a sequence of at least four digits, from 0001"));
        }
        Ok(CaseNumber(upper))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The day the case was numbered (the middle part).
    pub fn day(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(self.0.split('-').nth(1)?, "%Y%m%d").ok()
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CaseNumber {
    type Error = CaseNumberError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        CaseNumber::parse(&s)
    }
}

impl From<CaseNumber> for String {
    fn from(n: CaseNumber) -> String {
        n.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_and_parse() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let n = CaseNumber::new("GZ01", day, 7);
        assert_eq!(n.as_str(), "GZ01-20261122-0007");
        assert_eq!(CaseNumber::parse("gz01-20261122-0007").unwrap(), n);
        assert_eq!(CaseNumber::new("GZ01", day, 12345).as_str(), "GZ01-20261122-12345");
        for bad in ["", "GZ01", "GZ01-2026112-0007", "GZ01-20261340-0007", "GZ01-20261122-7", "GZ01-20261122-0000", "gz 01-20261122-0001"] {
            assert!(CaseNumber::parse(bad).is_err(), "{bad:?}");
        }
    }
}
