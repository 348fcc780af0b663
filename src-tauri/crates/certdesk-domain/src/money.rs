//! Money and Chinese numerals. Owns the fixed-point amount type (yuan with two decimals,
//! stored as whole 分, never a float), its text form `"700.00"`, the receipt's 大写金额
//! (柒佰元整) and the capital numerals forms print for years (叁). Does not know fees: those
//! are computed by the catalog crate.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Mul};
use std::str::FromStr;

/// An amount of RMB in 分 (1/100 yuan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid amount {text:?}: {why}")]
pub struct MoneyError {
    pub text: String,
    pub why: &'static str,
}

impl Money {
    pub const ZERO: Money = Money(0);
    /// The largest amount any fee, payment or ledger line may hold: 10^10 yuan.
    pub const MAX: Money = Money(1_000_000_000_000);

    pub fn from_fen(fen: i64) -> Money {
        Money(fen)
    }
    pub fn from_yuan(yuan: i64) -> Money {
        Money(yuan.saturating_mul(100))
    }

    /// Within ±[`Money::MAX`].
    pub fn in_range(self) -> bool {
        self.0.unsigned_abs() <= Money::MAX.0.unsigned_abs()
    }

    /// The sum, or `None` beyond ±[`Money::MAX`].
    pub fn checked_add(self, rhs: Money) -> Option<Money> {
        self.0.checked_add(rhs.0).map(Money).filter(|m| m.in_range())
    }

    /// The product, or `None` beyond ±[`Money::MAX`].
    pub fn checked_mul(self, n: u32) -> Option<Money> {
        self.0.checked_mul(i64::from(n)).map(Money).filter(|m| m.in_range())
    }
    pub fn fen(self) -> i64 {
        self.0
    }
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// 大写金额 as written on receipts: 柒佰元整, 壹仟零伍拾元伍角, 零元整.
    pub fn to_capital(self) -> String {
        let mut out = String::new();
        if self.0 < 0 {
            out.push('负');
        }
        let fen = self.0.unsigned_abs();
        let yuan = fen / 100;
        let jiao = (fen / 10) % 10;
        let fen_digit = fen % 10;
        if yuan > 0 {
            out.push_str(&capital_integer(yuan));
            out.push('元');
        }
        match (jiao, fen_digit) {
            (0, 0) => {
                if yuan == 0 {
                    out.push_str("零元");
                }
                out.push('整');
            }
            (j, 0) => {
                out.push(DIGITS[j as usize]);
                out.push_str("角整");
            }
            (j, f) => {
                if j == 0 {
                    if yuan > 0 {
                        out.push('零');
                    }
                } else {
                    out.push(DIGITS[j as usize]);
                    out.push('角');
                }
                out.push(DIGITS[f as usize]);
                out.push('分');
            }
        }
        out
    }
}

/// In TypeScript an amount is a string of yuan with two decimals, as in case JSON.
impl ts_rs::TS for Money {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;
    fn name(_: &ts_rs::Config) -> String {
        "string".into()
    }
    fn inline(cfg: &ts_rs::Config) -> String {
        <Self as ts_rs::TS>::name(cfg)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    /// Accepts `700`, `700.0`, `700.00`, `1,200.50`, `¥700`, full-width digits.
    fn from_str(text: &str) -> Result<Money, MoneyError> {
        use unicode_normalization::UnicodeNormalization;
        let err = |why| MoneyError { text: text.to_string(), why };
        let cleaned: String = text.nfkc().filter(|c| !matches!(c, ',' | ' ' | '¥' | '￥')).collect();
        let cleaned = cleaned.strip_suffix('元').unwrap_or(&cleaned);
        let (negative, body) = match cleaned.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, cleaned),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty() || !int.chars().all(|c| c.is_ascii_digit()) {
            return Err(err("expected digits such as 700.00"));
        }
        if frac.len() > 2 || !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err(err("at most two decimals (分)"));
        }
        let int = int.trim_start_matches('0');
        if int.len() > 11 {
            return Err(err("at most 10,000,000,000 yuan"));
        }
        let yuan: i64 = if int.is_empty() { 0 } else { int.parse().map_err(|_| err("expected digits such as 700.00"))? };
        let frac_fen: i64 = format!("{frac:0<2}").parse().map_err(|_| err("bad decimals"))?;
        let fen = yuan * 100 + frac_fen;
        let money = Money(if negative { -fen } else { fen });
        if !money.in_range() {
            return Err(err("at most 10,000,000,000 yuan"));
        }
        Ok(money)
    }
}

/// Sums of amounts that are each within [`Money::MAX`] (ledger totals): saturating, never
/// wrapping. Fees use [`Money::checked_add`] and [`Money::checked_mul`] and refuse what overflows.
impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0.saturating_add(rhs.0))
    }
}

impl Mul<u32> for Money {
    type Output = Money;
    fn mul(self, rhs: u32) -> Money {
        Money(self.0.saturating_mul(i64::from(rhs)))
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Money {
    /// From a string (`"700.00"`) or a whole number (`700`); a JSON float is refused
    /// because it may already have lost a 分.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an amount as a string such as \"700.00\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Money, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Money, E> {
                i64::try_from(v).ok().and_then(|y| y.checked_mul(100)).map(Money).filter(|m| m.in_range()).ok_or_else(|| E::custom("amount too large: at most 10,000,000,000 yuan"))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Money, E> {
                v.checked_mul(100).map(Money).filter(|m| m.in_range()).ok_or_else(|| E::custom("amount too large: at most 10,000,000,000 yuan"))
            }
        }
        d.deserialize_any(Visitor)
    }
}

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const SMALL_UNITS: [&str; 4] = ["", "拾", "佰", "仟"];
// 10^16 is 亿亿: enough for every i64 amount of yuan (9.2 × 10^16)
const BIG_UNITS: [&str; 5] = ["", "万", "亿", "万亿", "亿亿"];

/// A whole number in financial capitals: 1050 → 壹仟零伍拾, 100000 → 壹拾万.
pub fn capital_integer(mut n: u64) -> String {
    if n == 0 {
        return DIGITS[0].to_string();
    }
    let mut groups = Vec::new();
    while n > 0 {
        groups.push(n % 10_000);
        n /= 10_000;
    }
    let mut out = String::new();
    let mut pending_zero = false;
    for (gi, &group) in groups.iter().enumerate().rev() {
        if group == 0 {
            pending_zero = !out.is_empty();
            continue;
        }
        // a leading zero inside a group after a higher group: 壹万零伍佰
        if !out.is_empty() && group < 1000 {
            pending_zero = true;
        }
        let digits = [group / 1000, (group / 100) % 10, (group / 10) % 10, group % 10];
        for (pos, &d) in digits.iter().enumerate() {
            let unit = 3 - pos;
            if d == 0 {
                if !out.is_empty() {
                    pending_zero = true;
                }
                continue;
            }
            if pending_zero && !out.is_empty() {
                out.push(DIGITS[0]);
            }
            pending_zero = false;
            out.push(DIGITS[d as usize]);
            out.push_str(SMALL_UNITS[unit]);
        }
        out.push_str(BIG_UNITS[gi]);
        pending_zero = false;
        // zeros at the end of this group show as 零 before the next non-zero digit
        if group % 10 == 0 {
            pending_zero = true;
        }
    }
    out
}

/// Years and counts as forms ask for them (填大写数字): 1 → 壹, 3 → 叁, 10 → 壹拾.
pub fn capital_numeral(n: u32) -> String {
    capital_integer(u64::from(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display() {
        for (input, fen, shown) in [
            ("700.00", 70000, "700.00"),
            ("700", 70000, "700.00"),
            ("700.5", 70050, "700.50"),
            ("1,200.05", 120005, "1200.05"),
            ("¥40", 4000, "40.00"),
            ("０.０１", 1, "0.01"),
            ("-20.00", -2000, "-20.00"),
        ] {
            let m: Money = input.parse().unwrap();
            assert_eq!(m.fen(), fen, "{input}");
            assert_eq!(m.to_string(), shown, "{input}");
        }
        for bad in ["", "abc", "7.005", "7.0.0", "1e3"] {
            assert!(bad.parse::<Money>().is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn json_float_is_refused_string_and_integer_accepted() {
        assert_eq!(serde_json::from_str::<Money>("\"700.00\"").unwrap(), Money::from_yuan(700));
        assert_eq!(serde_json::from_str::<Money>("700").unwrap(), Money::from_yuan(700));
        assert!(serde_json::from_str::<Money>("700.1").is_err());
        assert_eq!(serde_json::to_string(&Money::from_fen(70001)).unwrap(), "\"700.01\"");
    }

    #[test]
    fn capital_amounts() {
        for (fen, text) in [
            (70000, "柒佰元整"),
            (40000, "肆佰元整"),
            (2000, "贰拾元整"),
            (0, "零元整"),
            (105050, "壹仟零伍拾元伍角整"),
            (100001, "壹仟元零壹分"),
            (123456, "壹仟贰佰叁拾肆元伍角陆分"),
            (10000000, "壹拾万元整"),
            (10050000, "壹拾万零伍佰元整"),
            (1000000000, "壹仟万元整"),
            (10000010000, "壹亿零壹佰元整"),
            (85000, "捌佰伍拾元整"),
            (24000, "贰佰肆拾元整"),
            (5, "伍分"),
        ] {
            assert_eq!(Money::from_fen(fen).to_capital(), text, "{fen}");
        }
    }

    #[test]
    fn capital_years() {
        let got: Vec<String> = (1..=5).map(capital_numeral).collect();
        assert_eq!(got, ["壹", "贰", "叁", "肆", "伍"]);
        assert_eq!(capital_numeral(10), "壹拾");
        assert_eq!(capital_numeral(14), "壹拾肆");
        assert_eq!(capital_numeral(0), "零");
    }
}
