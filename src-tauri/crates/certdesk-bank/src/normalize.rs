//! How texts of a statement are compared: headers (to find columns by name), payers' and units'
//! names (a credit's payer against a waiting case's unit), and case numbers or references
//! written in a remark. Owns only the comparison keys: what they are compared for is
//! `columns` and `matching`.

use std::borrow::Cow;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// The text in NFKC (full-width forms as half-width, `（）` as `()`), borrowed when it already
/// is: names of Han characters and ASCII mostly are, and a run indexes 100,000 of them.
pub fn half_width(text: &str) -> Cow<'_, str> {
    // ASCII and the unified Han block are NFKC as they stand and compose with nothing: most
    // names and numbers, told without the tables
    let plain = |c: char| c.is_ascii() || ('\u{4E00}'..='\u{9FFF}').contains(&c);
    if text.chars().all(plain) || is_nfkc_quick(text.chars()) == IsNormalized::Yes { Cow::Borrowed(text) } else { Cow::Owned(text.nfkc().collect()) }
}

/// A header as compared: full-width forms as half-width (NFKC: `（）` as `()`, `１` as `1`), no
/// whitespace anywhere, no trailing colon.
pub fn header_key(text: &str) -> String {
    let key: String = half_width(text).chars().filter(|c| !c.is_whitespace()).collect();
    key.trim_end_matches(':').to_string()
}

/// A header without its parenthesised notes (`借方发生额(支取)` → `借方发生额`), for headers
/// that are no alias as written. Not applied first: `收(付)方名称` is an alias with brackets.
pub fn header_key_without_notes(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut depth = 0u32;
    for c in key.chars() {
        match c {
            '(' | '[' | '【' => depth += 1,
            ')' | ']' | '】' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c => out.push(c),
        }
    }
    out
}

/// A unit's or payer's name as compared: width and brackets alike (NFKC), no whitespace, Latin
/// letters in capitals (bank systems print names in capitals). Nothing else is merged:
/// “有限责任公司” and “有限公司” stay two names, as the CA's rule (付款账户名与申请办理的单位名称
/// 一致) reads them.
pub fn unit_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    unit_key_into(name, &mut key);
    key
}

/// [`unit_key`] written into `key` (cleared first), for indexes that look many names up.
pub fn unit_key_into(name: &str, key: &mut String) {
    key.clear();
    key.extend(half_width(name).chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()));
}

/// The shortest case number or reference looked for in remarks: shorter ones would be found in
/// any amount or date the payer writes.
pub const MIN_REFERENCE_CHARS: usize = 4;

/// A case number or CA reference as looked for in remarks: capitals and digits, its `-` and `_`
/// left out (payers write `GZ01-20251001-0007` as `GZ0120251001-0007`); `None` for one too short
/// to be told from a number in the remark, or holding anything else.
pub fn reference_key(reference: &str) -> Option<String> {
    let mut key = String::with_capacity(reference.len());
    reference_key_into(reference, &mut key).then_some(key)
}

/// [`reference_key`] written into `key` (cleared first): false when there is none.
pub fn reference_key_into(reference: &str, key: &mut String) -> bool {
    key.clear();
    key.extend(half_width(reference).chars().filter(|c| !matches!(c, '-' | '_') && !c.is_whitespace()).map(|c| c.to_ascii_uppercase()));
    key.len() >= MIN_REFERENCE_CHARS && key.bytes().all(|c| c.is_ascii_alphanumeric()) && key.bytes().any(|c| c.is_ascii_digit())
}

/// The runs of Latin letters and digits in a remark, as [`reference_key`] makes them: any other
/// character (a Han character, a comma, a space) ends a run, `-` and `_` inside one are left out.
pub fn reference_tokens(remark: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    for c in half_width(remark).chars() {
        if c.is_ascii_alphanumeric() {
            current.push(c.to_ascii_uppercase());
        } else if !matches!(c, '-' | '_') {
            take_token(&mut current, &mut tokens);
        }
    }
    take_token(&mut current, &mut tokens);
    tokens
}

fn take_token(current: &mut String, tokens: &mut Vec<String>) {
    if current.len() >= MIN_REFERENCE_CHARS && current.chars().any(|c| c.is_ascii_digit()) {
        tokens.push(std::mem::take(current));
    } else {
        current.clear();
    }
}

/// Free text as compared (remarks, accounts in ids): half-width, no whitespace.
pub fn compact(text: &str) -> String {
    half_width(text).chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_width_borrows_what_is_already_normal() {
        assert!(matches!(half_width("广州市示例科技(广州)有限公司"), Cow::Borrowed(_)));
        assert!(matches!(half_width("GZ01-20250929-0001"), Cow::Borrowed(_)));
        assert_eq!(half_width("广州市示例科技（广州）有限公司"), "广州市示例科技(广州)有限公司");
        assert_eq!(half_width("ＧＺ０１\u{3000}"), "GZ01 ");
    }

    #[test]
    fn headers_lose_width_spaces_and_colons() {
        assert_eq!(header_key(" 交易 日期："), "交易日期");
        assert_eq!(header_key("收（付）方名称"), "收(付)方名称");
        assert_eq!(header_key("收(付)方名称"), "收(付)方名称");
        assert_eq!(header_key("\u{3000}对方户名\t"), "对方户名");
        assert_eq!(header_key_without_notes(&header_key("借方发生额（支取）")), "借方发生额");
        assert_eq!(header_key_without_notes("收入金额[元]"), "收入金额");
    }

    #[test]
    fn unit_names_compare_across_width_brackets_and_spaces_only() {
        assert_eq!(unit_key("广州市示例科技（广州）有限公司"), unit_key("广州市示例科技(广州)有限公司"));
        assert_eq!(unit_key("广州市 示例科技有限公司"), unit_key("广州市示例科技有限公司"));
        assert_eq!(unit_key("ＡＢＣ科技有限公司"), unit_key("abc科技有限公司"));
        assert_ne!(unit_key("广州市示例科技有限责任公司"), unit_key("广州市示例科技有限公司"));
        assert_ne!(unit_key("广州市示例科技有限公司"), unit_key("广州示例科技有限公司"));
    }

    #[test]
    fn references_in_remarks() {
        assert_eq!(reference_key("GZ01-20251001-0007").as_deref(), Some("GZ01202510010007"));
        assert_eq!(reference_key("yw_2025"), Some("YW2025".into()));
        assert_eq!(reference_key("123"), None);
        assert_eq!(reference_key("ABCD"), None, "no digit: a word, not a number");
        assert_eq!(reference_key("业务123456"), None);
        assert_eq!(reference_tokens("CA费GZ01-20251001-0007、ｇｚ01-20251001-0008 共2笔"), ["GZ01202510010007", "GZ01202510010008"]);
        assert_eq!(reference_tokens("业务单号:YW123456;数字证书"), ["YW123456"]);
        assert!(reference_tokens("数字证书费 700 元").is_empty());
    }
}
