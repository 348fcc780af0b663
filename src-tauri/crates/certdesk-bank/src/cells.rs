//! One cell of a statement read as what its column holds: a day (text in the forms banks
//! export, `2025-09-29`, `2025/9/29`, `20250929`, `2025年09月29日`, with or without a time, or an
//! Excel date cell), an amount (text with thousands separators, `¥`, full-width digits, or a
//! number cell, exact to the 分), the debit/credit flag, or plain text. Errors are the English
//! reason a row problem gives; which row and column is the caller's (`statement`).

use crate::normalize::half_width;
use certdesk_domain::Money;
use certdesk_roster::Value;
use chrono::{Days, NaiveDate};

/// A cell as text, as the clerk sees it: trimmed, a CSV's `="…"` (how some exports keep an
/// account's digits from Excel) unwrapped. Number cells as written, without exponent.
pub fn text(value: Option<&Value>) -> String {
    match value {
        None => String::new(),
        Some(Value::Text(t)) => {
            let t = t.trim();
            t.strip_prefix("=\"").and_then(|t| t.strip_suffix('"')).unwrap_or(t).trim().to_string()
        }
        Some(Value::Int(i)) => i.to_string(),
        // an account typed as a number: whole, as Excel shows it with the "0" format
        Some(Value::Number(n)) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{n:.0}"),
        Some(other) => other.shown(),
    }
}

/// Whether the cell holds nothing (absent, or blank text).
pub fn is_blank(value: Option<&Value>) -> bool {
    match value {
        None => true,
        Some(Value::Text(t)) => t.trim().is_empty(),
        Some(_) => false,
    }
}

/// Texts that banks put in an amount column for "nothing".
const NO_AMOUNT: [&str; 4] = ["-", "--", "—", "/"];

/// An amount cell: `None` when blank (or a dash), else the amount in 分 or why it is none.
pub fn amount(value: Option<&Value>) -> Result<Option<Money>, String> {
    match value {
        None => Ok(None),
        Some(Value::Text(t)) => amount_text(t),
        Some(Value::Int(i)) => i.checked_mul(100).map(Money::from_fen).filter(|m| m.in_range()).map(Some).ok_or_else(|| format!("金额“{i}”过大 ({i} is too large an amount)")),
        Some(Value::Number(n)) => amount_number(*n).map(Some),
        Some(other) => Err(format!("“{0}”不是金额 (`{0}` is not an amount)", other.shown())),
    }
}

fn amount_text(text: &str) -> Result<Option<Money>, String> {
    let cleaned: String = half_width(text).chars().filter(|c| !c.is_whitespace() && !matches!(c, ',' | '¥')).collect();
    let cleaned = cleaned.strip_prefix("=\"").and_then(|t| t.strip_suffix('"')).unwrap_or(&cleaned);
    let cleaned = ["RMB", "CNY"].iter().fold(cleaned, |t, p| t.strip_prefix(p).unwrap_or(t));
    let cleaned = cleaned.strip_suffix('元').unwrap_or(cleaned);
    let cleaned = cleaned.strip_prefix('+').unwrap_or(cleaned);
    if cleaned.is_empty() || NO_AMOUNT.contains(&cleaned) {
        return Ok(None);
    }
    match cleaned.parse::<Money>() {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.why.contains("two decimals") => {
            Err(format!("金额“{0}”超过两位小数，金额精确到分 (`{0}` has more than two decimals: an amount is exact to the 分)", text.trim()))
        }
        Err(e) if e.why.contains("at most") => Err(format!("金额“{0}”过大 (`{0}` is too large an amount)", text.trim())),
        Err(_) => Err(format!("“{0}”不是金额，应为 1,234.50 这样的数字 (`{0}` is not an amount: expected digits such as 1,234.50)", text.trim())),
    }
}

fn amount_number(n: f64) -> Result<Money, String> {
    if !n.is_finite() {
        return Err(format!("“{n}”不是金额 (`{n}` is not an amount)"));
    }
    let fen = (n * 100.0).round();
    // a number cell holds binary fractions: 1234.56 is 123455.99999… 分, off by a few units of
    // the float's last place; a third decimal is off by a tenth of a 分 or more
    if (n * 100.0 - fen).abs() > 8.0 * f64::EPSILON * fen.abs().max(1.0) {
        return Err(format!("金额“{n}”超过两位小数，金额精确到分 (`{n}` has more than two decimals: an amount is exact to the 分)"));
    }
    let money = Money::from_fen(fen as i64);
    if fen.abs() > Money::MAX.fen() as f64 || !money.in_range() {
        return Err(format!("金额“{n}”过大 (`{n}` is too large an amount)"));
    }
    Ok(money)
}

/// Excel's day 0 (serial numbers count from 1899-12-30, its 1900 leap-year error included).
fn excel_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or(NaiveDate::MIN)
}

/// Serial numbers taken as days in a number cell without a date format: 1954 to 2119.
const PLAUSIBLE_SERIALS: std::ops::RangeInclusive<f64> = 20_000.0..=80_000.0;

/// Why a row has no day.
const NO_DATE: &str = "缺少交易日期 (no date)";

/// A date cell: text, an Excel date, or a number holding `20250929` or a day's serial number.
pub fn date(value: Option<&Value>) -> Result<NaiveDate, String> {
    match value {
        None => Err(NO_DATE.into()),
        Some(Value::Text(t)) if t.trim().is_empty() => Err(NO_DATE.into()),
        Some(Value::Text(t)) => date_text(t).ok_or_else(|| {
            format!(
                "“{0}”不是日期，应为 2025-09-29、2025/09/29、20250929 或 2025年09月29日 (`{0}` is not a date: expected e.g. 2025-09-29, 2025/09/29, 20250929 or 2025年09月29日)",
                t.trim()
            )
        }),
        Some(Value::Date(serial)) => serial_day(*serial).ok_or_else(|| format!("日期单元格 {serial} 不是有效日期 (the date cell {serial} is no day)")),
        Some(Value::Int(i)) => number_day(*i as f64).ok_or_else(|| format!("“{i}”不是日期 (`{i}` is not a date)")),
        Some(Value::Number(n)) => number_day(*n).ok_or_else(|| format!("“{n}”不是日期 (`{n}` is not a date)")),
        Some(other) => Err(format!("“{0}”不是日期 (`{0}` is not a date)", other.shown())),
    }
}

fn serial_day(serial: f64) -> Option<NaiveDate> {
    if !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    excel_epoch().checked_add_days(Days::new(serial.floor() as u64))
}

fn number_day(n: f64) -> Option<NaiveDate> {
    if n.fract() == 0.0 && (19_000_101.0..=29_991_231.0).contains(&n) {
        return yyyymmdd(&format!("{n:.0}"));
    }
    PLAUSIBLE_SERIALS.contains(&n).then(|| serial_day(n)).flatten()
}

fn yyyymmdd(digits: &str) -> Option<NaiveDate> {
    let (y, m, d) = (digits.get(0..4)?.parse().ok()?, digits.get(4..6)?.parse().ok()?, digits.get(6..8)?.parse().ok()?);
    NaiveDate::from_ymd_opt(y, m, d)
}

/// A day written as text, with or without a time after it.
pub fn date_text(text: &str) -> Option<NaiveDate> {
    let t = half_width(text);
    let t = t.trim();
    let digits_at_start = t.bytes().take_while(u8::is_ascii_digit).count();
    // 20250929, 20250929 10:23:45, 20250929102345
    if digits_at_start == 8 || digits_at_start == 14 {
        return yyyymmdd(t).filter(|_| is_time(&t[digits_at_start.min(8)..]));
    }
    if digits_at_start != 4 {
        return None;
    }
    // 2025-09-29, 2025/9/29, 2025.09.29, 2025年9月29日, each perhaps followed by a time
    let mut parts = [0u32; 3];
    let mut rest = t;
    for (i, part) in parts.iter_mut().enumerate() {
        let n = rest.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || (i > 0 && n > 2) {
            return None;
        }
        *part = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let separator = rest.chars().next();
        match (i, separator) {
            (0 | 1, Some('-' | '/' | '.' | '年' | '月')) => rest = &rest[separator.map_or(0, char::len_utf8)..],
            (0 | 1, _) => return None,
            (_, Some('日')) => rest = &rest['日'.len_utf8()..],
            _ => {}
        }
    }
    NaiveDate::from_ymd_opt(parts[0] as i32, parts[1], parts[2]).filter(|_| is_time(rest))
}

/// What may follow a day: nothing, or a time (`10:23:45`, `T10:23:45.000`, `102345`).
fn is_time(rest: &str) -> bool {
    let rest = rest.trim_start_matches([' ', 'T']);
    rest.chars().all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | ' ' | '时' | '分' | '秒'))
}

/// A debit/credit flag as banks write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    In,
    Out,
}

/// The flag of a signed-amount row: 贷/借 and the other words banks use for them.
pub fn direction(value: Option<&Value>) -> Result<Option<Direction>, String> {
    let shown = text(value);
    let key: String = half_width(&shown).chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
    match key.as_str() {
        "" => Ok(None),
        "贷" | "贷方" | "收" | "收入" | "入" | "来账" | "C" | "CR" | "CREDIT" => Ok(Some(Direction::In)),
        "借" | "借方" | "支" | "支出" | "付" | "出" | "往账" | "D" | "DR" | "DEBIT" => Ok(Some(Direction::Out)),
        _ => Err(format!("“{shown}”既不是借也不是贷 (`{shown}` is neither 借, money out, nor 贷, money in)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Option<Value> {
        Some(Value::Text(s.into()))
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn dates_as_banks_write_them() {
        for text in [
            "2025-09-29",
            "2025/09/29",
            "2025/9/29",
            "2025.09.29",
            "20250929",
            "2025年09月29日",
            "2025年9月29日",
            "2025-09-29 10:23:45",
            "2025-09-29T10:23:45.000",
            "2025/9/29 8:05",
            "20250929 102345",
            "20250929102345",
            "２０２５－０９－２９",
            " 2025-09-29 ",
        ] {
            assert_eq!(date(t(text).as_ref()), Ok(day(2025, 9, 29)), "{text}");
        }
        for bad in ["2025-02-30", "29/09/2025", "2025-09", "2025-09-29x", "2025929", "合计", "20251329", "10:23:45"] {
            assert!(date(t(bad).as_ref()).is_err(), "{bad:?} should not be a date");
        }
        assert_eq!(date(None), Err(NO_DATE.into()));
        assert!(date(t("29/09/2025").as_ref()).unwrap_err().contains("`29/09/2025` is not a date"));
    }

    #[test]
    fn dates_as_number_cells() {
        // Excel's serial 45929 is 2025-09-29, with or without a time of day
        assert_eq!(date(Some(&Value::Date(45929.0))), Ok(day(2025, 9, 29)));
        assert_eq!(date(Some(&Value::Date(45929.75))), Ok(day(2025, 9, 29)));
        assert_eq!(date(Some(&Value::Int(20250929))), Ok(day(2025, 9, 29)));
        assert_eq!(date(Some(&Value::Number(45929.0))), Ok(day(2025, 9, 29)));
        assert!(date(Some(&Value::Int(700))).is_err());
        assert!(date(Some(&Value::Bool(true))).is_err());
    }

    #[test]
    fn amounts_as_banks_write_them() {
        for (text, fen) in [
            ("1,234.50", 123450),
            ("¥1,234.50", 123450),
            ("￥700", 70000),
            ("１，２３４．５０", 123450),
            ("+700.00", 70000),
            ("700.00元", 70000),
            ("RMB 700.00", 70000),
            ("-400.00", -40000),
            ("0.01", 1),
            ("0.00", 0),
            ("=\"700.00\"", 70000),
            ("  12 345.6 ", 1234560),
        ] {
            assert_eq!(amount(t(text).as_ref()), Ok(Some(Money::from_fen(fen))), "{text}");
        }
        for blank in ["", " ", "-", "--", "—"] {
            assert_eq!(amount(t(blank).as_ref()), Ok(None), "{blank:?}");
        }
        assert_eq!(amount(None), Ok(None));
        assert!(amount(t("12.345").as_ref()).unwrap_err().contains("more than two decimals"));
        assert!(amount(t("七百元").as_ref()).unwrap_err().contains("is not an amount"));
        assert!(amount(t("1.2.3").as_ref()).is_err());
        assert!(amount(t("99999999999999").as_ref()).unwrap_err().contains("too large"));
    }

    #[test]
    fn amounts_as_number_cells_are_exact_to_the_fen() {
        assert_eq!(amount(Some(&Value::Int(700))), Ok(Some(Money::from_fen(70000))));
        assert_eq!(amount(Some(&Value::Number(1234.56))), Ok(Some(Money::from_fen(123456))));
        assert_eq!(amount(Some(&Value::Number(0.29))), Ok(Some(Money::from_fen(29))));
        assert_eq!(amount(Some(&Value::Number(12_345_678.91))), Ok(Some(Money::from_fen(1_234_567_891))));
        assert!(amount(Some(&Value::Number(700.005))).unwrap_err().contains("more than two decimals"));
        assert!(amount(Some(&Value::Number(12_345_678.915))).unwrap_err().contains("more than two decimals"));
        assert!(amount(Some(&Value::Number(f64::NAN))).is_err());
        assert!(amount(Some(&Value::Error("#VALUE!".into()))).is_err());
    }

    #[test]
    fn flags() {
        assert_eq!(direction(t("贷").as_ref()), Ok(Some(Direction::In)));
        assert_eq!(direction(t(" 借 ").as_ref()), Ok(Some(Direction::Out)));
        assert_eq!(direction(t("c").as_ref()), Ok(Some(Direction::In)));
        assert_eq!(direction(t("").as_ref()), Ok(None));
        assert!(direction(t("冲").as_ref()).unwrap_err().contains("neither 借"));
    }

    #[test]
    fn text_cells() {
        assert_eq!(text(t("=\"6222020200112233445\"").as_ref()), "6222020200112233445");
        assert_eq!(text(Some(&Value::Number(44012345.0))), "44012345");
        assert_eq!(text(Some(&Value::Int(1234))), "1234");
        assert_eq!(text(None), "");
    }
}
