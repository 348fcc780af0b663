//! Identifier checks. Owns the parsing of every identifier a clerk types at the counter:
//! 统一社会信用代码, 组织机构代码, 居民身份证号码, mobile and landline numbers, e-mail, postcode.
//! Each is a newtype that validates once in `parse` and normalises what an IME produces
//! (NFKC full-width forms, spaces, hyphens, lowercase `x`). Does not know where a value sits
//! in a case: field paths are added by `case::validate`.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// Which identifier a value was checked as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentKind {
    Uscc,
    OrgCode,
    Ric,
    Mobile,
    Landline,
    Email,
    Postcode,
}

impl IdentKind {
    pub const ALL: [IdentKind; 7] = [IdentKind::Uscc, IdentKind::OrgCode, IdentKind::Ric, IdentKind::Mobile, IdentKind::Landline, IdentKind::Email, IdentKind::Postcode];

    /// The name used on the command line (`certdesk validate uscc …`).
    pub fn cli_name(self) -> &'static str {
        match self {
            IdentKind::Uscc => "uscc",
            IdentKind::OrgCode => "orgcode",
            IdentKind::Ric => "ric",
            IdentKind::Mobile => "mobile",
            IdentKind::Landline => "landline",
            IdentKind::Email => "email",
            IdentKind::Postcode => "postcode",
        }
    }

    pub fn from_cli_name(name: &str) -> Option<IdentKind> {
        IdentKind::ALL.into_iter().find(|k| k.cli_name() == name)
    }

    pub fn describe(self) -> &'static str {
        match self {
            IdentKind::Uscc => "unified social credit code (统一社会信用代码)",
            IdentKind::OrgCode => "organisation code (组织机构代码)",
            IdentKind::Ric => "resident ID number (居民身份证号码)",
            IdentKind::Mobile => "mobile number (手机号码)",
            IdentKind::Landline => "landline number (固定电话)",
            IdentKind::Email => "e-mail address (电子邮箱)",
            IdentKind::Postcode => "postcode (邮政编码)",
        }
    }

    pub fn describe_zh(self) -> &'static str {
        match self {
            IdentKind::Uscc => "统一社会信用代码",
            IdentKind::OrgCode => "组织机构代码",
            IdentKind::Ric => "居民身份证号码",
            IdentKind::Mobile => "手机号码",
            IdentKind::Landline => "固定电话",
            IdentKind::Email => "电子邮箱",
            IdentKind::Postcode => "邮政编码",
        }
    }
}

/// What is wrong with a value. Positions are 1-based character positions in the
/// normalised value, which is what the clerk sees echoed back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Problem {
    Empty,
    Length { expected: &'static str, found: usize },
    BadChar { position: usize, found: char, allowed: &'static str },
    Checksum { expected: char, found: char },
    BadDate { date: String },
    FutureDate { date: String },
    Before1900 { date: String },
    Format { what: &'static str },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {}: {problem}", kind.describe())]
pub struct IdentError {
    pub kind: IdentKind,
    pub problem: Problem,
}

impl IdentError {
    fn new(kind: IdentKind, problem: Problem) -> Self {
        IdentError { kind, problem }
    }

    /// The message in Simplified Chinese, for the UI and receipts.
    pub fn zh(&self) -> String {
        format!("{}有误：{}", self.kind.describe_zh(), self.problem.zh())
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Empty => write!(f, "the value is empty"),
            Problem::Length { expected, found } => {
                write!(f, "expected {expected} characters, found {found}")
            }
            Problem::BadChar { position, found, allowed } => {
                write!(f, "character {position} '{found}' is not allowed here ({allowed})")
            }
            Problem::Checksum { expected, found } => {
                write!(f, "check character is '{found}' but the value computes to '{expected}'")
            }
            Problem::BadDate { date } => write!(f, "birth date {date} does not exist"),
            Problem::FutureDate { date } => write!(f, "birth date {date} is in the future"),
            Problem::Before1900 { date } => write!(f, "birth date {date} is before 1900"),
            Problem::Format { what } => write!(f, "{what}"),
        }
    }
}

impl Problem {
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Empty => "empty",
            Problem::Length { .. } => "length",
            Problem::BadChar { .. } => "bad_char",
            Problem::Checksum { .. } => "checksum",
            Problem::BadDate { .. } => "bad_date",
            Problem::FutureDate { .. } => "future_date",
            Problem::Before1900 { .. } => "before_1900",
            Problem::Format { .. } => "format",
        }
    }

    pub fn zh(&self) -> String {
        match self {
            Problem::Empty => "未填写".into(),
            Problem::Length { expected, found } => format!("应为{expected}位，实际{found}位"),
            Problem::BadChar { position, found, .. } => format!("第{position}位字符“{found}”不允许"),
            Problem::Checksum { expected, found } => {
                format!("校验位应为“{expected}”，实际为“{found}”，请逐位核对")
            }
            Problem::BadDate { date } => format!("出生日期{date}不存在"),
            Problem::FutureDate { date } => format!("出生日期{date}晚于今天"),
            Problem::Before1900 { date } => format!("出生日期{date}早于1900年"),
            Problem::Format { what } => format!("格式不对（{what}）"),
        }
    }
}

/// NFKC (full-width → ASCII), then drop spaces, hyphens and the IME's separators, uppercase.
fn compact_upper(raw: &str) -> String {
    raw.nfkc().filter(|c| !c.is_whitespace() && !matches!(c, '-' | '—' | '–' | '_' | '.' | '·')).flat_map(char::to_uppercase).collect()
}

const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
const RIC_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

fn uscc_value(c: char) -> Option<u32> {
    USCC_ALPHABET.find(c).map(|i| i as u32)
}

fn check_length(kind: IdentKind, chars: &[char], expected: usize, label: &'static str) -> Result<(), IdentError> {
    if chars.is_empty() {
        return Err(IdentError::new(kind, Problem::Empty));
    }
    if chars.len() != expected {
        return Err(IdentError::new(kind, Problem::Length { expected: label, found: chars.len() }));
    }
    Ok(())
}

/// 统一社会信用代码 (GB 32100-2015): 18 characters of `0-9A-HJ-NP-RTUW-Y`; character 1 is the
/// registration authority, 2 the organisation category, 3–8 the administrative area code
/// (digits), 9–17 the GB 11714 organisation code, 18 a check character: weights
/// 3^(i-1) mod 31, check = 31 − (Σ mod 31), 31 written as 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreditCode {
    code: String,
    /// Problems that do not refuse the code (the embedded organisation code's check character).
    #[serde(skip)]
    warnings: Vec<String>,
}

impl CreditCode {
    pub fn parse(raw: &str) -> Result<Self, IdentError> {
        let kind = IdentKind::Uscc;
        let code = compact_upper(raw);
        let chars: Vec<char> = code.chars().collect();
        check_length(kind, &chars, 18, "18")?;
        for (i, &c) in chars.iter().enumerate() {
            let allowed = if (2..8).contains(&i) { c.is_ascii_digit() } else { uscc_value(c).is_some() };
            if !allowed {
                let what = if (2..8).contains(&i) { "characters 3-8 are the area code: digits only" } else { "0-9 and A-Z except I, O, S, V, Z" };
                return Err(IdentError::new(kind, Problem::BadChar { position: i + 1, found: c, allowed: what }));
            }
        }
        let sum: u32 = chars[..17].iter().zip(USCC_WEIGHTS).map(|(&c, w)| uscc_value(c).unwrap_or(0) * w).sum();
        let expected = USCC_ALPHABET.as_bytes()[((31 - sum % 31) % 31) as usize] as char;
        if chars[17] != expected {
            return Err(IdentError::new(kind, Problem::Checksum { expected, found: chars[17] }));
        }
        let mut warnings = Vec::new();
        let org: String = chars[8..17].iter().collect();
        if let Err(e) = OrgCode::parse(&org) {
            warnings.push(format!("the organisation code in characters 9-17 ({org}) does not check: {}", e.problem));
        }
        Ok(CreditCode { code, warnings })
    }

    pub fn as_str(&self) -> &str {
        &self.code
    }

    /// Characters 9–17: the GB 11714 organisation code, written `XXXXXXXX-X`.
    pub fn organization_code(&self) -> String {
        format!("{}-{}", &self.code[8..16], &self.code[16..17])
    }

    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

/// 组织机构代码 (GB 11714-1997): 8 body characters (digits or capital letters) and a check
/// character: weights 3 7 9 10 5 8 4 2, check = 11 − (Σ mod 11), 10 written `X`, 11 written `0`.
/// Accepted with or without the hyphen; normalised to `XXXXXXXX-X`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgCode(String);

impl OrgCode {
    pub fn parse(raw: &str) -> Result<Self, IdentError> {
        let kind = IdentKind::OrgCode;
        let code = compact_upper(raw);
        let chars: Vec<char> = code.chars().collect();
        check_length(kind, &chars, 9, "9 (8 + check)")?;
        for (i, &c) in chars[..8].iter().enumerate() {
            if !(c.is_ascii_digit() || c.is_ascii_uppercase()) {
                return Err(IdentError::new(kind, Problem::BadChar { position: i + 1, found: c, allowed: "digits and capital letters" }));
            }
        }
        let value = |c: char| if c.is_ascii_digit() { c as u32 - '0' as u32 } else { c as u32 - 'A' as u32 + 10 };
        let sum: u32 = chars[..8].iter().zip(ORG_WEIGHTS).map(|(&c, w)| value(c) * w).sum();
        let expected = match 11 - sum % 11 {
            10 => 'X',
            11 => '0',
            d => char::from_digit(d, 10).unwrap_or('0'),
        };
        if chars[8] != expected {
            if !(chars[8].is_ascii_digit() || chars[8] == 'X') {
                return Err(IdentError::new(kind, Problem::BadChar { position: 9, found: chars[8], allowed: "check character: a digit or X" }));
            }
            return Err(IdentError::new(kind, Problem::Checksum { expected, found: chars[8] }));
        }
        Ok(OrgCode(format!("{}-{}", &code[..8], &code[8..])))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

/// 居民身份证号码 (GB 11643-1999): 6-digit address code, 8-digit birth date, 3-digit order
/// code (odd for men, even for women), and an ISO 7064 MOD 11-2 check character (`X` for 10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResidentId {
    number: String,
    birth_date: NaiveDate,
    sex: Sex,
}

impl ResidentId {
    /// Checks against today's date; see [`ResidentId::parse_at`].
    pub fn parse(raw: &str) -> Result<Self, IdentError> {
        Self::parse_at(raw, chrono::Local::now().date_naive())
    }

    /// Checks the birth date against `today` (tests pin the day).
    pub fn parse_at(raw: &str, today: NaiveDate) -> Result<Self, IdentError> {
        let kind = IdentKind::Ric;
        let number = compact_upper(raw);
        let chars: Vec<char> = number.chars().collect();
        if chars.len() == 15 && chars.iter().all(char::is_ascii_digit) {
            return Err(IdentError::new(kind, Problem::Format { what: "15-digit first-generation numbers are no longer valid: ask for the 18-digit number" }));
        }
        check_length(kind, &chars, 18, "18")?;
        for (i, &c) in chars[..17].iter().enumerate() {
            if !c.is_ascii_digit() {
                return Err(IdentError::new(kind, Problem::BadChar { position: i + 1, found: c, allowed: "digits" }));
            }
        }
        if !(chars[17].is_ascii_digit() || chars[17] == 'X') {
            return Err(IdentError::new(kind, Problem::BadChar { position: 18, found: chars[17], allowed: "a digit or X" }));
        }
        let digit = |i: usize| chars[i] as u32 - '0' as u32;
        let date_text = format!("{}-{}-{}", &number[6..10], &number[10..12], &number[12..14]);
        let year = (6..10).fold(0, |acc, i| acc * 10 + digit(i)) as i32;
        let month = digit(10) * 10 + digit(11);
        let day = digit(12) * 10 + digit(13);
        let birth_date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| IdentError::new(kind, Problem::BadDate { date: date_text.clone() }))?;
        if birth_date.year() < 1900 {
            return Err(IdentError::new(kind, Problem::Before1900 { date: date_text }));
        }
        if birth_date > today {
            return Err(IdentError::new(kind, Problem::FutureDate { date: date_text }));
        }
        let sum: u32 = (0..17).map(|i| digit(i) * RIC_WEIGHTS[i]).sum();
        let expected = match (12 - sum % 11) % 11 {
            10 => 'X',
            d => char::from_digit(d, 10).unwrap_or('0'),
        };
        if chars[17] != expected {
            return Err(IdentError::new(kind, Problem::Checksum { expected, found: chars[17] }));
        }
        let sex = if digit(16) % 2 == 1 { Sex::Male } else { Sex::Female };
        Ok(ResidentId { number, birth_date, sex })
    }

    pub fn as_str(&self) -> &str {
        &self.number
    }
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }
    pub fn sex(&self) -> Sex {
        self.sex
    }
}

/// Mainland mobile number: 11 digits `1[3-9]…`, typed with or without `+86`/`0086` and
/// separators. Normalised to the bare 11 digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mobile(String);

impl Mobile {
    pub fn parse(raw: &str) -> Result<Self, IdentError> {
        let kind = IdentKind::Mobile;
        let mut s = compact_upper(raw).replace(['(', ')'], "");
        for prefix in ["+86", "0086"] {
            if let Some(rest) = s.strip_prefix(prefix) {
                s = rest.to_string();
            }
        }
        if s.len() == 13 && s.starts_with("86") {
            s = s[2..].to_string();
        }
        let chars: Vec<char> = s.chars().collect();
        if let Some((i, &c)) = chars.iter().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(IdentError::new(kind, Problem::BadChar { position: i + 1, found: c, allowed: "digits" }));
        }
        check_length(kind, &chars, 11, "11")?;
        if chars[0] != '1' || !('3'..='9').contains(&chars[1]) {
            return Err(IdentError::new(kind, Problem::Format { what: "a mobile number starts with 13-19" }));
        }
        Ok(Mobile(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Landline with area code: `0` + 2–3 digit area code and a 7–8 digit local number
/// (`020-87654321`, `(0769)22499398`), optionally an extension (`转123`, `ext 123`), or a
/// national service number `400-xxx-xxxx` / `800-xxx-xxxx`. Normalised to `area-number[-ext]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Landline(String);

/// Area codes with two digits after the 0 (the rest have three): 北京 010, 广州 020, 上海 021,
/// 天津 022, 重庆 023, 沈阳 024, 南京 025, 武汉 027, 成都 028, 西安 029.
const TWO_DIGIT_AREAS: [&str; 10] = ["010", "020", "021", "022", "023", "024", "025", "027", "028", "029"];

impl Landline {
    pub fn parse(raw: &str) -> Result<Self, IdentError> {
        let kind = IdentKind::Landline;
        let nfkc: String = raw.nfkc().collect::<String>().to_lowercase();
        let (main, ext) = match nfkc.split_once(['转', '#']).or_else(|| nfkc.split_once("ext")) {
            Some((m, e)) => (m.to_string(), Some(e.chars().filter(|c| c.is_ascii_digit()).collect::<String>())),
            None => (nfkc, None),
        };
        let digits: String = main.chars().filter(|c| !c.is_whitespace() && !matches!(c, '-' | '(' | ')' | '.')).collect();
        let digits = digits.strip_prefix("+86").map(|d| format!("0{d}")).unwrap_or(digits);
        let chars: Vec<char> = digits.chars().collect();
        if chars.is_empty() {
            return Err(IdentError::new(kind, Problem::Empty));
        }
        if let Some((i, &c)) = chars.iter().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(IdentError::new(kind, Problem::BadChar { position: i + 1, found: c, allowed: "digits, hyphen, brackets" }));
        }
        if (digits.starts_with("400") || digits.starts_with("800")) && digits.len() == 10 {
            return Ok(Landline(format!("{}-{}-{}", &digits[..3], &digits[3..6], &digits[6..])));
        }
        if !digits.starts_with('0') {
            return Err(IdentError::new(kind, Problem::Format { what: "start with the area code, e.g. 020-87654321" }));
        }
        let area_len = if TWO_DIGIT_AREAS.contains(&&digits[..3.min(digits.len())]) { 3 } else { 4 };
        if digits.len() <= area_len {
            return Err(IdentError::new(kind, Problem::Length { expected: "10-12 (area code + 7-8)", found: digits.len() }));
        }
        let local = &digits[area_len..];
        if !(7..=8).contains(&local.len()) {
            return Err(IdentError::new(kind, Problem::Length { expected: "10-12 (area code + 7-8)", found: digits.len() }));
        }
        if local.starts_with('0') || local.starts_with('1') {
            return Err(IdentError::new(kind, Problem::Format { what: "a local number does not start with 0 or 1" }));
        }
        let mut out = format!("{}-{}", &digits[..area_len], local);
        if let Some(ext) = ext.filter(|e| !e.is_empty()) {
            out.push('-');
            out.push_str(&ext);
        }
        Ok(Landline(out))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// E-mail address: `local@domain.tld` in ASCII (after NFKC), domain lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, IdentError> {
        let kind = IdentKind::Email;
        let s: String = raw.nfkc().collect::<String>().trim().replace('＠', "@");
        if s.is_empty() {
            return Err(IdentError::new(kind, Problem::Empty));
        }
        if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| c.is_whitespace() || !c.is_ascii() || c.is_ascii_control()) {
            return Err(IdentError::new(kind, Problem::BadChar { position: i + 1, found: c, allowed: "ASCII letters, digits and . _ % + - @" }));
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err(IdentError::new(kind, Problem::Format { what: "no @" }));
        };
        if local.is_empty() || local.len() > 64 || local.contains('@') || local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(IdentError::new(kind, Problem::Format { what: "the part before @ is empty or malformed" }));
        }
        if let Some((i, c)) = s.chars().enumerate().find(|&(_, c)| !(c.is_ascii_alphanumeric() || "._%+-@".contains(c))) {
            return Err(IdentError::new(kind, Problem::BadChar { position: i + 1, found: c, allowed: "ASCII letters, digits and . _ % + - @" }));
        }
        let domain = domain.to_ascii_lowercase();
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 || labels.iter().any(|l| l.is_empty() || l.starts_with('-') || l.ends_with('-')) {
            return Err(IdentError::new(kind, Problem::Format { what: "the domain after @ needs a dot and no empty parts, e.g. example.cn" }));
        }
        if labels.last().is_some_and(|tld| tld.len() < 2 || !tld.chars().all(|c| c.is_ascii_alphabetic())) {
            return Err(IdentError::new(kind, Problem::Format { what: "the domain must end in a letters-only suffix such as .cn or .com" }));
        }
        Ok(Email(format!("{local}@{domain}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 邮政编码: six digits; mainland codes start with 0–8.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Postcode(String);

impl Postcode {
    pub fn parse(raw: &str) -> Result<Self, IdentError> {
        let kind = IdentKind::Postcode;
        let s = compact_upper(raw);
        let chars: Vec<char> = s.chars().collect();
        if let Some((i, &c)) = chars.iter().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(IdentError::new(kind, Problem::BadChar { position: i + 1, found: c, allowed: "digits" }));
        }
        check_length(kind, &chars, 6, "6")?;
        if chars[0] == '9' {
            return Err(IdentError::new(kind, Problem::Format { what: "no mainland postcode starts with 9" }));
        }
        Ok(Postcode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The outcome of checking one value as one kind: what the CLI's `validate` prints and the
/// UI shows beside a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Checked {
    /// The kind checked (`validate`'s name: `mobile`, `landline` … ; a phone number is checked
    /// as the kind [`phone_kind`] finds).
    pub kind: &'static str,
    pub value: String,
    pub valid: bool,
    pub normalized: Option<String>,
    pub error: Option<String>,
    pub error_code: Option<&'static str>,
    pub error_zh: Option<String>,
    pub warnings: Vec<String>,
}

/// Parses `raw` as `kind` (resident IDs checked against `today`): the normalised value and
/// warnings that do not refuse it.
pub fn parse_at(kind: IdentKind, raw: &str, today: NaiveDate) -> Result<(String, Vec<String>), IdentError> {
    match kind {
        IdentKind::Uscc => CreditCode::parse(raw).map(|c| (c.code.clone(), c.warnings)),
        IdentKind::OrgCode => OrgCode::parse(raw).map(|c| (c.0, vec![])),
        IdentKind::Ric => ResidentId::parse_at(raw, today).map(|c| (c.number, vec![])),
        IdentKind::Mobile => Mobile::parse(raw).map(|c| (c.0, vec![])),
        IdentKind::Landline => Landline::parse(raw).map(|c| (c.0, vec![])),
        IdentKind::Email => Email::parse(raw).map(|c| (c.0, vec![])),
        IdentKind::Postcode => Postcode::parse(raw).map(|c| (c.0, vec![])),
    }
}

/// Checks `raw` as `kind`, normalising it.
/// Whether a phone number is a mobile number (11 digits from 1, as [`Mobile`] reads it) or a
/// landline: the one rule of an organisation's phone field.
pub fn phone_kind(raw: &str) -> IdentKind {
    if Mobile::parse(raw).is_ok() { IdentKind::Mobile } else { IdentKind::Landline }
}

pub fn check(kind: IdentKind, raw: &str) -> Checked {
    match parse_at(kind, raw, chrono::Local::now().date_naive()) {
        Ok((normalized, warnings)) => {
            Checked { kind: kind.cli_name(), value: raw.to_string(), valid: true, normalized: Some(normalized), error: None, error_code: None, error_zh: None, warnings }
        }
        Err(e) => Checked {
            kind: kind.cli_name(),
            value: raw.to_string(),
            valid: false,
            normalized: None,
            error: Some(e.to_string()),
            error_code: Some(e.problem.code()),
            error_zh: Some(e.zh()),
            warnings: vec![],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    /// `(input, Ok(normalised) | Err(problem code))`
    fn table(kind: IdentKind, rows: &[(&str, Result<&str, &str>)]) {
        for (input, expect) in rows {
            let got = parse_at(kind, input, today()).map(|(n, _)| n).map_err(|e| e.problem.code());
            assert_eq!(got.as_deref().map_err(|c| *c), *expect, "{kind:?} {input:?}");
        }
    }

    #[test]
    fn uscc() {
        table(
            IdentKind::Uscc,
            &[
                // python-stdnum cn.uscc doctests
                ("91110000600037341L", Ok("91110000600037341L")),
                ("91110000600037341M", Err("checksum")),
                ("A1110000600037341L", Err("checksum")),
                ("9111000060003734", Err("length")),
                // the examples of the case JSON contract
                ("91440101MA59ABCD1D", Ok("91440101MA59ABCD1D")),
                ("12440000455600109U", Ok("12440000455600109U")),
                // what clerks type: spaces, hyphens, full width, lower case
                ("9111 0000 6000 3734 1l", Ok("91110000600037341L")),
                ("９１１１００００６０００３７３４１Ｌ", Ok("91110000600037341L")),
                ("91110000-60003734-1L", Ok("91110000600037341L")),
                ("", Err("empty")),
                ("9111000060003734IL", Err("bad_char")),
                ("911A0000600037341L", Err("bad_char")),
            ],
        );
    }

    #[test]
    fn uscc_reports_position_of_bad_character() {
        let e = CreditCode::parse("91110000600O37341L").unwrap_err();
        assert_eq!(e.problem, Problem::BadChar { position: 12, found: 'O', allowed: "0-9 and A-Z except I, O, S, V, Z" });
        assert!(e.to_string().contains("character 12 'O'"), "{e}");
        assert!(e.zh().contains("第12位"), "{}", e.zh());
    }

    #[test]
    fn uscc_embedded_org_code_is_a_warning_not_a_refusal() {
        let good = CreditCode::parse("91110000600037341L").unwrap();
        assert!(good.warnings().is_empty());
        assert_eq!(good.organization_code(), "60003734-1");
        assert!(CreditCode::parse("91440101MA59ABCD1D").unwrap().warnings().is_empty());
        // MA59ABCD2 does not check as GB 11714, yet the USCC's own check character is right
        let warned = CreditCode::parse("91440101MA59ABCD2G").unwrap();
        assert_eq!(warned.warnings().len(), 1, "{:?}", warned.warnings());
        assert!(warned.warnings()[0].contains("MA59ABCD2"));
    }

    #[test]
    fn org_code() {
        table(
            IdentKind::OrgCode,
            &[
                ("60003734-1", Ok("60003734-1")),
                ("600037341", Ok("60003734-1")),
                ("D2143569-X", Ok("D2143569-X")),
                ("60003734-2", Err("checksum")),
                ("6000373", Err("length")),
                ("6000373!-1", Err("bad_char")),
            ],
        );
    }

    #[test]
    fn resident_id() {
        table(
            IdentKind::Ric,
            &[
                // python-stdnum cn.ric doctests
                ("360426199101010071", Ok("360426199101010071")),
                // the case JSON examples
                ("440106198503142038", Ok("440106198503142038")),
                ("440304199207271516", Ok("440304199207271516")),
                ("440106200109094066", Ok("440106200109094066")),
                ("210102198801020030", Ok("210102198801020030")),
                ("11010519491231002x", Ok("11010519491231002X")),
                ("110105 19491231 002X", Ok("11010519491231002X")),
                ("360426199101010072", Err("checksum")),
                ("360426199102300071", Err("bad_date")),
                ("360426203001010071", Err("future_date")),
                ("360426189901010071", Err("before_1900")),
                ("36042619910101007", Err("length")),
                ("36042619910101A071", Err("bad_char")),
                ("360426910101007", Err("format")),
            ],
        );
    }

    #[test]
    fn resident_id_sex_and_birth_date() {
        let male = ResidentId::parse_at("360426199101010071", today()).unwrap();
        assert_eq!(male.sex(), Sex::Male);
        assert_eq!(male.birth_date(), NaiveDate::from_ymd_opt(1991, 1, 1).unwrap());
        let female = ResidentId::parse_at("440106200109094066", today()).unwrap();
        assert_eq!(female.sex(), Sex::Female);
    }

    #[test]
    fn mobile() {
        table(
            IdentKind::Mobile,
            &[
                ("13800138000", Ok("13800138000")),
                ("+86 138 0013 8000", Ok("13800138000")),
                ("0086-138-0013-8000", Ok("13800138000")),
                ("8613800138000", Ok("13800138000")),
                ("１３８００１３８０００", Ok("13800138000")),
                ("12800138000", Err("format")),
                ("1380013800", Err("length")),
                ("1380013800a", Err("bad_char")),
            ],
        );
    }

    #[test]
    fn landline() {
        table(
            IdentKind::Landline,
            &[
                ("020-87654321", Ok("020-87654321")),
                ("(020)87654321", Ok("020-87654321")),
                ("0769-22499398", Ok("0769-22499398")),
                // 西安 is one of the two-digit area codes
                ("029-88451236", Ok("029-88451236")),
                ("0471 6862335", Ok("0471-6862335")),
                ("020-89524338转123", Ok("020-89524338-123")),
                ("400-830-1330", Ok("400-830-1330")),
                ("87654321", Err("format")),
                ("020-8765", Err("length")),
                ("020-0765432", Err("format")),
            ],
        );
    }

    #[test]
    fn email() {
        table(
            IdentKind::Email,
            &[
                ("office@example-tech.cn", Ok("office@example-tech.cn")),
                ("Wang.Fang@Example.GOV.cn", Ok("Wang.Fang@example.gov.cn")),
                ("ｏｆｆｉｃｅ＠ｅｘａｍｐｌｅ．ｃｎ", Ok("office@example.cn")),
                ("office@example", Err("format")),
                ("office.example.cn", Err("format")),
                ("王芳@example.cn", Err("bad_char")),
                ("a b@example.cn", Err("bad_char")),
            ],
        );
    }

    #[test]
    fn postcode() {
        table(IdentKind::Postcode, &[("510030", Ok("510030")), (" 510 030 ", Ok("510030")), ("51003", Err("length")), ("910030", Err("format")), ("51003a", Err("bad_char"))]);
    }
}
