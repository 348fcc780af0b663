//! The password rule of 等保 2.0 level 3 (GB/T 22239-2019, 8.1.4.1 a: "身份鉴别信息具有复杂度
//! 要求并定期更换"), as certdesk applies it to its local accounts: at least 8 characters, from at
//! least 3 of the 4 classes (upper-case letters, lower-case letters, digits, other characters),
//! no control characters; and when a password is due for a change. Messages in English
//! (`Display`) and Chinese (`zh`). Owns the rule only: hashing, the history of the last
//! passwords and the date of the last change are the store's, the clock the caller's.

use chrono::NaiveDate;
use serde::Serialize;

/// The fewest characters a password has.
pub const MIN_CHARS: usize = 8;
/// The most characters a password has (a bound on the work of hashing what is typed).
pub const MAX_CHARS: usize = 128;
/// How many of the four classes a password draws from, at least.
pub const MIN_CLASSES: usize = 3;
/// The days after which a password must be changed, unless the setting says otherwise.
pub const DEFAULT_MAX_AGE_DAYS: u32 = 90;
/// How many earlier passwords a new one may not repeat.
pub const HISTORY: usize = 5;

/// A class of characters the rule counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CharClass {
    Upper,
    Lower,
    Digit,
    /// punctuation, symbols, spaces, and any letter without case (Chinese characters)
    Other,
}

impl CharClass {
    pub const ALL: [CharClass; 4] = [CharClass::Upper, CharClass::Lower, CharClass::Digit, CharClass::Other];

    /// The class of `c`; `None` for a control character, which no class admits.
    pub fn of(c: char) -> Option<CharClass> {
        if c.is_control() {
            None
        } else if c.is_uppercase() {
            Some(CharClass::Upper)
        } else if c.is_lowercase() {
            Some(CharClass::Lower)
        } else if c.is_ascii_digit() || ('０'..='９').contains(&c) {
            Some(CharClass::Digit)
        } else {
            Some(CharClass::Other)
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            CharClass::Upper => "upper-case letters",
            CharClass::Lower => "lower-case letters",
            CharClass::Digit => "digits",
            CharClass::Other => "other characters (symbols, spaces, Chinese characters)",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            CharClass::Upper => "大写字母",
            CharClass::Lower => "小写字母",
            CharClass::Digit => "数字",
            CharClass::Other => "其他字符（符号、空格、汉字）",
        }
    }
}

/// Why a password does not meet the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum PolicyError {
    #[error("a password needs at least {min} characters; this one has {found}")]
    TooShort { min: usize, found: usize },
    #[error("a password has at most {max} characters; this one has {found}")]
    TooLong { max: usize, found: usize },
    #[error("a password draws from at least {needed} of: upper-case letters, lower-case letters, digits, other characters; this one has only {}", list_en(.found))]
    TooFewClasses { needed: usize, found: Vec<CharClass> },
    #[error("character {position} of the password is a control character")]
    ControlCharacter { position: usize },
}

fn list_en(classes: &[CharClass]) -> String {
    if classes.is_empty() {
        return "none".into();
    }
    classes.iter().map(|c| c.en()).collect::<Vec<_>>().join(", ")
}

impl PolicyError {
    /// The message in Chinese, for the UI and a Chinese CLI.
    pub fn zh(&self) -> String {
        match self {
            PolicyError::TooShort { min, found } => format!("密码至少需要 {min} 个字符，当前只有 {found} 个"),
            PolicyError::TooLong { max, found } => format!("密码最多 {max} 个字符，当前有 {found} 个"),
            PolicyError::TooFewClasses { needed, found } => {
                let have = if found.is_empty() { "无".to_string() } else { found.iter().map(|c| c.zh()).collect::<Vec<_>>().join("、") };
                format!("密码需包含大写字母、小写字母、数字、其他字符中的至少 {needed} 类，当前只有：{have}")
            }
            PolicyError::ControlCharacter { position } => format!("密码的第 {position} 个字符是控制字符，不能使用"),
        }
    }
}

/// The classes `password` draws from, in [`CharClass::ALL`] order.
pub fn classes(password: &str) -> Vec<CharClass> {
    let mut found: Vec<CharClass> = password.chars().filter_map(CharClass::of).collect();
    found.sort();
    found.dedup();
    found
}

/// Checks a new password against the rule; the first problem found, in the order a person
/// fixes them: a control character, the length, the classes.
pub fn check(password: &str) -> Result<(), PolicyError> {
    if let Some(i) = password.chars().position(char::is_control) {
        return Err(PolicyError::ControlCharacter { position: i + 1 });
    }
    let n = password.chars().count();
    if n < MIN_CHARS {
        return Err(PolicyError::TooShort { min: MIN_CHARS, found: n });
    }
    if n > MAX_CHARS {
        return Err(PolicyError::TooLong { max: MAX_CHARS, found: n });
    }
    let found = classes(password);
    if found.len() < MIN_CLASSES {
        return Err(PolicyError::TooFewClasses { needed: MIN_CLASSES, found });
    }
    Ok(())
}

/// When a password set on `changed_on` must be changed under a maximum age of `max_age_days`
/// (the first day on which the account is asked for a new one).
pub fn change_due_on(changed_on: NaiveDate, max_age_days: u32) -> NaiveDate {
    changed_on + chrono::Days::new(u64::from(max_age_days))
}

/// Whether a password set on `changed_on` must be changed `today`.
pub fn must_change(changed_on: NaiveDate, max_age_days: u32, today: NaiveDate) -> bool {
    today >= change_due_on(changed_on, max_age_days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use CharClass::*;

    #[test]
    fn passwords_against_the_rule() {
        let ok: &[&str] = &[
            "Abcdef12",         // upper, lower, digit: exactly 8
            "abcdef1!",         // lower, digit, other
            "ABCDEF1!",         // upper, digit, other
            "Abcdefg!",         // upper, lower, other
            "admin-pass-1",     // the test accounts' passwords meet it
            "受理台密码ab12",   // Chinese characters are "other"
            "Ｐａｓｓ１２３４", // full-width letters and digits count as letters and digits
            "correct horse 9",  // a space is "other"
        ];
        for p in ok {
            assert_eq!(check(p), Ok(()), "{p:?}");
        }
        assert_eq!(check(&"Ab1!".repeat(32)), Ok(()), "128 characters");
        let refused: &[(&str, PolicyError)] = &[
            ("", PolicyError::TooShort { min: 8, found: 0 }),
            ("Ab1!Ab1", PolicyError::TooShort { min: 8, found: 7 }),
            ("密码Ab1!", PolicyError::TooShort { min: 8, found: 6 }),
            ("abcdefgh", PolicyError::TooFewClasses { needed: 3, found: vec![Lower] }),
            ("12345678", PolicyError::TooFewClasses { needed: 3, found: vec![Digit] }),
            ("abcd1234", PolicyError::TooFewClasses { needed: 3, found: vec![Lower, Digit] }),
            ("ABCDabcd", PolicyError::TooFewClasses { needed: 3, found: vec![Upper, Lower] }),
            ("!!!!@@@@", PolicyError::TooFewClasses { needed: 3, found: vec![Other] }),
            ("受理台受理台受理台", PolicyError::TooFewClasses { needed: 3, found: vec![Other] }),
            ("Abcd\t1234", PolicyError::ControlCharacter { position: 5 }),
            ("Ab1\u{7f}xxxx", PolicyError::ControlCharacter { position: 4 }),
        ];
        for (p, why) in refused {
            assert_eq!(check(p).as_ref(), Err(why), "{p:?}");
        }
        let long = "Ab1!".repeat(32) + "x";
        assert_eq!(check(&long), Err(PolicyError::TooLong { max: 128, found: 129 }));
    }

    #[test]
    fn messages_in_both_languages_say_what_is_missing() {
        let e = check("abcd1234").unwrap_err();
        assert_eq!(
            e.to_string(),
            "a password draws from at least 3 of: upper-case letters, lower-case letters, digits, other characters; this one has only lower-case letters, digits"
        );
        assert_eq!(e.zh(), "密码需包含大写字母、小写字母、数字、其他字符中的至少 3 类，当前只有：小写字母、数字");
        let e = check("Ab1!").unwrap_err();
        assert_eq!(e.to_string(), "a password needs at least 8 characters; this one has 4");
        assert_eq!(e.zh(), "密码至少需要 8 个字符，当前只有 4 个");
        assert_eq!(check("a\nbcdefgh12").unwrap_err().zh(), "密码的第 2 个字符是控制字符，不能使用");
        assert_eq!(serde_json::to_value(check("abcdefgh").unwrap_err()).unwrap(), serde_json::json!({ "problem": "too_few_classes", "needed": 3, "found": ["lower"] }));
    }

    #[test]
    fn a_password_is_due_for_a_change_after_its_maximum_age() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let cases: &[(&str, u32, &str, bool)] = &[
            ("2026-01-01", 90, "2026-03-31", false), // day 89
            ("2026-01-01", 90, "2026-04-01", true),  // day 90
            ("2026-01-01", 90, "2027-01-01", true),
            ("2024-02-29", 1, "2024-03-01", true), // across a leap day
            ("2026-11-22", 30, "2026-11-22", false),
            ("2026-11-22", 30, "2026-12-21", false),
            ("2026-11-22", 30, "2026-12-22", true),
        ];
        for &(changed, days, today, due) in cases {
            assert_eq!(must_change(day(changed), days, day(today)), due, "{changed} + {days} on {today}");
        }
        assert_eq!(change_due_on(day("2026-01-01"), DEFAULT_MAX_AGE_DAYS), day("2026-04-01"));
    }
}
