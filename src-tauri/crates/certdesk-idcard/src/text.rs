//! The 256-byte text block (UCS-2 little-endian, fields padded with spaces) decoded into an
//! `IdCard`, per the card type flag at bytes 248–249:
//!
//! | bytes   | resident (space)  | 港澳台 `J`         | foreign 2017 `I`       |
//! |---------|-------------------|--------------------|------------------------|
//! | 0–29    | name              | name               | English name (0–119)   |
//! | 30–31   | sex               | sex                | ″                      |
//! | 32–35   | nation code       | reserved           | ″                      |
//! | 36–51   | birth date        | birth date         | ″                      |
//! | 52–121  | address           | address            | ″ / sex at 120–121     |
//! | 122–157 | ID number (18)    | ID number (18)     | number 122–151 (15), nationality 152–157 |
//! | 158–187 | issuer            | issuer             | Chinese name           |
//! | 188–203 | valid from        | valid from         | valid from             |
//! | 204–219 | valid to / 长期   | valid to / 长期    | valid to               |
//! | 220–247 | reserved          | pass number 220–237, issue count 238–241 | birth date 220–235, version 236–239, authority 240–247 |
//!
//! Every field read must be UCS-2 (no surrogate, no control character); sex, nation and dates
//! must be what the standards allow; an 18-character ID number is checked with
//! `certdesk_domain::ident::ResidentId` and must agree with the birth date and sex fields. A
//! flag other than these three is an unsupported card type, named. Never reads the clock: the
//! number's birth date is checked against the card's own start of validity.

use crate::card::{CardDate, CardType, IdCard, Sex};
use crate::codes::{nation_name, nationality_name};
use crate::command::TEXT_LEN;
use crate::error::{IdNumberProblem, TextError};
use certdesk_domain::ident::{Problem, ResidentId, Sex as IdSex};
use chrono::NaiveDate;
use std::ops::Range;

/// A field of the block: its UCS-2 text with the padding (spaces, or NULs some libraries leave)
/// cut off the end.
fn field(block: &[u8], name: &'static str, bytes: Range<usize>) -> Result<String, TextError> {
    let mut chars = Vec::with_capacity(bytes.len() / 2);
    for offset in bytes.step_by(2) {
        let unit = u16::from_le_bytes([block[offset], block[offset + 1]]);
        let bad = TextError::NotUcs2 { field: name, offset, unit };
        // UCS-2 has no surrogates; C0/C1 controls and the noncharacters U+FFFE/U+FFFF are no
        // text either (NUL is padding, checked below)
        if (0xD800..=0xDFFF).contains(&unit) || (unit != 0 && unit < 0x20) || (0x7F..=0x9F).contains(&unit) || unit >= 0xFFFE {
            return Err(bad);
        }
        chars.push((offset, char::from_u32(u32::from(unit)).ok_or(bad)?));
    }
    let end = chars.iter().rposition(|&(_, c)| c != ' ' && c != '\0').map_or(0, |i| i + 1);
    if let Some(&(offset, _)) = chars[..end].iter().find(|&&(_, c)| c == '\0') {
        return Err(TextError::NotUcs2 { field: name, offset, unit: 0 });
    }
    Ok(chars[..end].iter().map(|&(_, c)| c).collect())
}

fn required(block: &[u8], name: &'static str, bytes: Range<usize>) -> Result<String, TextError> {
    let value = field(block, name, bytes)?;
    if value.is_empty() { Err(TextError::Empty { field: name }) } else { Ok(value) }
}

fn date(block: &[u8], name: &'static str, bytes: Range<usize>) -> Result<NaiveDate, TextError> {
    let value = field(block, name, bytes)?;
    let bad = || TextError::Field { field: name, value: value.clone(), expected: "a date written YYYYMMDD" };
    if value.len() != 8 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    NaiveDate::parse_from_str(&value, "%Y%m%d").map_err(|_| bad())
}

fn end_date(block: &[u8], name: &'static str, bytes: Range<usize>) -> Result<CardDate, TextError> {
    if field(block, name, bytes.clone())? == "长期" { Ok(CardDate::LongTerm) } else { date(block, name, bytes).map(CardDate::Day) }
}

fn sex(block: &[u8], bytes: Range<usize>) -> Result<Sex, TextError> {
    match field(block, "sex", bytes)?.as_str() {
        "1" => Ok(Sex::Male),
        "2" => Ok(Sex::Female),
        other => Err(TextError::Field { field: "sex", value: other.into(), expected: "1 (男) or 2 (女)" }),
    }
}

/// An 18-character number (resident and 港澳台 cards) checked with the product's validator,
/// against the card's own birth date and sex.
fn resident_number(block: &[u8], issued: NaiveDate, birth: NaiveDate, sex: Sex) -> Result<String, TextError> {
    let raw = required(block, "ID number", 122..158)?;
    let id = ResidentId::parse_at(&raw, issued).map_err(|e| match e.problem {
        Problem::Checksum { expected, found } => TextError::CheckDigit { position: 18, found, expected },
        problem => TextError::IdNumber(IdNumberProblem::Validator(problem)),
    })?;
    // the validator normalises (full-width digits, lowercase x): the chip must already be plain
    if id.as_str() != raw {
        return Err(TextError::IdNumber(IdNumberProblem::NotPlain));
    }
    if id.birth_date() != birth {
        return Err(TextError::Disagrees { field: "birth date" });
    }
    let id_sex = if sex == Sex::Male { IdSex::Male } else { IdSex::Female };
    if id.sex() != id_sex {
        return Err(TextError::Disagrees { field: "sex" });
    }
    Ok(raw)
}

/// Decodes a text block, whichever card type it says it is.
pub fn decode(block: &[u8]) -> Result<IdCard, TextError> {
    if block.len() != TEXT_LEN {
        return Err(TextError::Size(block.len()));
    }
    let flag = field(block, "card type", 248..250)?;
    match flag.as_str() {
        "" => resident(block),
        "J" => hmt(block),
        "I" => foreign(block),
        other => Err(TextError::UnsupportedType { flag: other.chars().next().unwrap_or(' ') }),
    }
}

fn resident(block: &[u8]) -> Result<IdCard, TextError> {
    let name = required(block, "name", 0..30)?;
    let sex = sex(block, 30..32)?;
    let code = field(block, "nation", 32..36)?;
    let nation = nation_name(&code).ok_or_else(|| TextError::Field { field: "nation", value: code.clone(), expected: "a GB 3304 nation code (01–56, 97, 98)" })?;
    let birth_date = date(block, "birth date", 36..52)?;
    let address = required(block, "address", 52..122)?;
    let issuer = required(block, "issuer", 158..188)?;
    let valid_from = date(block, "valid from", 188..204)?;
    let valid_to = end_date(block, "valid to", 204..220)?;
    let id_number = resident_number(block, valid_from, birth_date, sex)?;
    Ok(IdCard {
        card_type: CardType::Resident,
        name,
        sex,
        nation: Some(nation.to_string()),
        birth_date,
        address: Some(address),
        id_number,
        issuer: Some(issuer),
        valid_from,
        valid_to,
        pass_number: None,
        issue_count: None,
        english_name: None,
        chinese_name: None,
        nationality: None,
        nationality_code: None,
        card_version: None,
        authority_code: None,
        photo: None,
    })
}

fn hmt(block: &[u8]) -> Result<IdCard, TextError> {
    let name = required(block, "name", 0..30)?;
    let sex = sex(block, 30..32)?;
    let birth_date = date(block, "birth date", 36..52)?;
    let address = required(block, "address", 52..122)?;
    let issuer = required(block, "issuer", 158..188)?;
    let valid_from = date(block, "valid from", 188..204)?;
    let valid_to = end_date(block, "valid to", 204..220)?;
    let id_number = resident_number(block, valid_from, birth_date, sex)?;
    // 港澳台居民居住证 numbers start with the address codes 810000 (香港), 820000 (澳门), 830000 (台湾)
    if !["810000", "820000", "830000"].iter().any(|p| id_number.starts_with(p)) {
        return Err(TextError::IdNumber(IdNumberProblem::NotHkMoTwRegion));
    }
    let pass_number = required(block, "pass number", 220..238)?;
    let count = field(block, "issue count", 238..242)?;
    let issue_count = (count.len() == 2 && count.bytes().all(|b| b.is_ascii_digit())).then(|| count.parse::<u32>().ok()).flatten().ok_or_else(|| TextError::Field {
        field: "issue count",
        value: count.clone(),
        expected: "two digits",
    })?;
    Ok(IdCard {
        card_type: CardType::HmtResidence,
        name,
        sex,
        nation: None,
        birth_date,
        address: Some(address),
        id_number,
        issuer: Some(issuer),
        valid_from,
        valid_to,
        pass_number: Some(pass_number),
        issue_count: Some(issue_count),
        english_name: None,
        chinese_name: None,
        nationality: None,
        nationality_code: None,
        card_version: None,
        authority_code: None,
        photo: None,
    })
}

fn foreign(block: &[u8]) -> Result<IdCard, TextError> {
    let english_name = required(block, "English name", 0..120)?;
    let sex = sex(block, 120..122)?;
    let number = required(block, "ID number", 122..152)?;
    // 3 letters (the nationality at first issue) and 12 digits; no public source fixes the
    // check character's algorithm, so only the form is checked
    let chars: Vec<char> = number.chars().collect();
    if chars.len() != 15 || !chars[..3].iter().all(char::is_ascii_uppercase) || !chars[3..].iter().all(char::is_ascii_digit) {
        return Err(TextError::IdNumber(IdNumberProblem::NotPermanentResidenceForm));
    }
    let code = required(block, "nationality", 152..158)?;
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(TextError::Field { field: "nationality", value: code, expected: "a GB/T 2659 three-letter code" });
    }
    let chinese_name = field(block, "Chinese name", 158..188)?;
    let valid_from = date(block, "valid from", 188..204)?;
    let valid_to = end_date(block, "valid to", 204..220)?;
    let birth_date = date(block, "birth date", 220..236)?;
    let card_version = required(block, "card version", 236..240)?;
    let authority_code = required(block, "authority code", 240..248)?;
    let chinese_name = (!chinese_name.is_empty()).then_some(chinese_name);
    Ok(IdCard {
        card_type: CardType::ForeignPermanent,
        name: chinese_name.clone().unwrap_or_else(|| english_name.clone()),
        sex,
        nation: None,
        birth_date,
        address: None,
        id_number: number,
        issuer: None,
        valid_from,
        valid_to,
        pass_number: None,
        issue_count: None,
        english_name: Some(english_name),
        chinese_name,
        nationality: Some(nationality_name(&code).unwrap_or(&code).to_string()),
        nationality_code: Some(code),
        card_version: Some(card_version),
        authority_code: Some(authority_code),
        photo: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::CardDate;

    /// A block filled with UCS-2 spaces, the given texts written at the given byte offsets
    /// (the offsets of the public tables, written out here rather than taken from the decoder).
    fn block(fields: &[(usize, &str)]) -> Vec<u8> {
        let mut b: Vec<u8> = std::iter::repeat_n([0x20, 0x00], 128).flatten().collect();
        for &(at, text) in fields {
            for (i, unit) in text.encode_utf16().enumerate() {
                b[at + 2 * i..at + 2 * i + 2].copy_from_slice(&unit.to_le_bytes());
            }
        }
        b
    }

    fn resident_fields() -> Vec<(usize, &'static str)> {
        vec![
            (0, "张三丰"),
            (30, "1"),
            (32, "01"),
            (36, "19900307"),
            (52, "广东省深圳市福田区深南大道1号"),
            (122, "440306199003071232"),
            (158, "深圳市公安局福田分局"),
            (188, "20150101"),
            (204, "20350101"),
        ]
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_resident_card_is_decoded_into_checked_fields() {
        let card = decode(&block(&resident_fields())).unwrap();
        assert_eq!(card.card_type, CardType::Resident);
        assert_eq!(card.name, "张三丰");
        assert_eq!(card.sex, Sex::Male);
        assert_eq!(card.nation.as_deref(), Some("汉"));
        assert_eq!(card.birth_date, date("1990-03-07"));
        assert_eq!(card.address.as_deref(), Some("广东省深圳市福田区深南大道1号"));
        assert_eq!(card.id_number, "440306199003071232");
        assert_eq!(card.issuer.as_deref(), Some("深圳市公安局福田分局"));
        assert_eq!((card.valid_from, card.valid_to), (date("2015-01-01"), CardDate::Day(date("2035-01-01"))));
        assert_eq!(card.pass_number, None);
    }

    #[test]
    fn long_term_validity_and_nul_padding_are_kept() {
        let mut fields = resident_fields();
        fields[8] = (204, "长期");
        fields[2] = (32, "98");
        let mut b = block(&fields);
        // a library that pads the issuer with NULs instead of spaces
        for i in (158 + 2 * 10..188).step_by(2) {
            b[i] = 0;
        }
        let card = decode(&b).unwrap();
        assert_eq!(card.valid_to, CardDate::LongTerm);
        assert_eq!(card.nation.as_deref(), Some("外国血统中国籍人士"));
        assert_eq!(card.issuer.as_deref(), Some("深圳市公安局福田分局"));
    }

    #[test]
    fn an_hmt_card_has_its_pass_number_and_issue_count() {
        let b = block(&[
            (0, "陈大文"),
            (30, "2"),
            (36, "19880815"),
            (52, "广东省深圳市南山区科技园"),
            (122, "810000198808150042"),
            (158, "深圳市公安局"),
            (188, "20190301"),
            (204, "20240301"),
            (220, "H12345678"),
            (238, "03"),
            (248, "J"),
        ]);
        let card = decode(&b).unwrap();
        assert_eq!(card.card_type, CardType::HmtResidence);
        assert_eq!((card.name.as_str(), card.sex, card.nation.as_deref()), ("陈大文", Sex::Female, None));
        assert_eq!((card.pass_number.as_deref(), card.issue_count), (Some("H12345678"), Some(3)));
        assert_eq!(card.id_number, "810000198808150042");
    }

    #[test]
    fn a_2017_foreign_card_has_its_english_name_and_nationality() {
        let mut fields = vec![
            (0, "SMITH, JOHN WILLIAM"),
            (120, "1"),
            (122, "USA310080010103"),
            (152, "USA"),
            (158, "史密斯"),
            (188, "20200808"),
            (204, "20300807"),
            (220, "19800101"),
            (236, "20"),
            (240, "1500"),
            (248, "I"),
        ];
        let card = decode(&block(&fields)).unwrap();
        assert_eq!(card.card_type, CardType::ForeignPermanent);
        assert_eq!((card.name.as_str(), card.english_name.as_deref(), card.chinese_name.as_deref()), ("史密斯", Some("SMITH, JOHN WILLIAM"), Some("史密斯")));
        assert_eq!((card.nationality.as_deref(), card.nationality_code.as_deref()), (Some("美国"), Some("USA")));
        assert_eq!((card.birth_date, card.card_version.as_deref(), card.authority_code.as_deref()), (date("1980-01-01"), Some("20"), Some("1500")));
        assert_eq!((card.address.as_ref(), card.issuer.as_ref(), card.nation.as_ref()), (None, None, None));
        // no Chinese name: the English one is the name
        fields[4] = (158, "");
        let card = decode(&block(&fields)).unwrap();
        assert_eq!((card.name.as_str(), card.chinese_name), ("SMITH, JOHN WILLIAM", None));
    }

    #[test]
    fn other_flags_are_unsupported_card_types_named() {
        let mut fields = resident_fields();
        fields.push((248, "Y"));
        let err = decode(&block(&fields)).unwrap_err();
        assert_eq!(err, TextError::UnsupportedType { flag: 'Y' });
        assert!(err.to_string().contains("2023"), "{err}");
        fields.pop();
        fields.push((248, "Q"));
        assert_eq!(decode(&block(&fields)).unwrap_err(), TextError::UnsupportedType { flag: 'Q' });
    }

    #[test]
    fn text_that_is_not_ucs2_is_refused_with_its_place() {
        let mut b = block(&resident_fields());
        b[2..4].copy_from_slice(&0xD83Du16.to_le_bytes());
        assert_eq!(decode(&b).unwrap_err(), TextError::NotUcs2 { field: "name", offset: 2, unit: 0xD83D });
        let mut b = block(&resident_fields());
        b[60..62].copy_from_slice(&0x0007u16.to_le_bytes());
        assert_eq!(decode(&b).unwrap_err(), TextError::NotUcs2 { field: "address", offset: 60, unit: 7 });
        let mut b = block(&resident_fields());
        b[2..4].copy_from_slice(&[0, 0]);
        assert_eq!(decode(&b).unwrap_err(), TextError::NotUcs2 { field: "name", offset: 2, unit: 0 });
        let mut b = block(&resident_fields());
        b[248..250].copy_from_slice(&0xFFFFu16.to_le_bytes());
        assert_eq!(decode(&b).unwrap_err(), TextError::NotUcs2 { field: "card type", offset: 248, unit: 0xFFFF });
    }

    #[test]
    fn a_wrong_check_digit_is_named_by_its_position() {
        let mut fields = resident_fields();
        fields[5] = (122, "440306199003071235");
        let err = decode(&block(&fields)).unwrap_err();
        assert_eq!(err, TextError::CheckDigit { position: 18, found: '5', expected: '2' });
        assert!(!err.to_string().contains("440306"), "the number stays out of the message: {err}");
    }

    #[test]
    fn fields_outside_the_standard_are_refused() {
        let check = |at: usize, text: &'static str, expect: TextError| {
            let mut fields = resident_fields();
            let i = fields.iter().position(|f| f.0 == at).unwrap();
            fields[i] = (at, text);
            assert_eq!(decode(&block(&fields)).unwrap_err(), expect, "{at} {text}");
        };
        check(30, "9", TextError::Field { field: "sex", value: "9".into(), expected: "1 (男) or 2 (女)" });
        check(32, "57", TextError::Field { field: "nation", value: "57".into(), expected: "a GB 3304 nation code (01–56, 97, 98)" });
        check(36, "19900230", TextError::Field { field: "birth date", value: "19900230".into(), expected: "a date written YYYYMMDD" });
        check(36, "19900308", TextError::Disagrees { field: "birth date" });
        check(0, "", TextError::Empty { field: "name" });
        check(30, "2", TextError::Disagrees { field: "sex" });
        check(122, "44030619900307123", TextError::IdNumber(IdNumberProblem::Validator(Problem::Length { expected: "18", found: 17 })));
        // the typed problem reads as the validator's words did when they were kept as text
        assert_eq!(
            TextError::IdNumber(IdNumberProblem::Validator(Problem::Length { expected: "18", found: 17 })).to_string(),
            "the ID number is not valid: expected 18 characters, found 17"
        );
        assert_eq!(TextError::IdNumber(IdNumberProblem::NotPlain).zh(), "证件号码有误：it is not written in plain digits and X");
        check(204, "长久", TextError::Field { field: "valid to", value: "长久".into(), expected: "a date written YYYYMMDD" });
        assert_eq!(decode(&[0x20; 200]).unwrap_err(), TextError::Size(200));
    }
}
