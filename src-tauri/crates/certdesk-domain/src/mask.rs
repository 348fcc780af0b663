//! Less shown than stored: how identity numbers, mobiles, landlines and e-mail addresses of
//! applicants look in lists, search results, the ledger and exports (`4401**********4066`,
//! `137****2222`). Every mask keeps the number of characters, hides at least half of a value
//! (a resident ID: its first 4 and last 4 stay, as the example shows), and leaves a
//! value that already holds a `*` as it is, so that masking twice changes nothing. Owns the
//! masks only: where a full value is shown (the case's own page) is the caller's choice.

use crate::IdType;
use crate::ident::{Email, Landline, Mobile};

const STAR: char = '*';

/// `value` with the characters between the first `front` and the last `back` replaced by `*`.
fn keep(value: &str, front: usize, back: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    if front + back >= n {
        return STAR.to_string().repeat(n);
    }
    chars.iter().enumerate().map(|(i, &c)| if i < front || i >= n - back { c } else { STAR }).collect()
}

/// A value of no known shape: at most a quarter of its characters at each end, at most 4.
fn any(value: &str) -> String {
    let side = (value.chars().count() / 4).min(4);
    keep(value, side, side)
}

fn already_masked(value: &str) -> bool {
    value.contains(STAR)
}

/// An identity document's number. Resident ID cards (18 or, old, 15 characters), the
/// residence permits of Hong Kong, Macao and Taiwan residents and the foreigners' permanent
/// residence cards keep their first 4 (the region) and last 4 characters (3 of a 15-character
/// number); other documents
/// (passports, travel permits, officers' cards) a quarter of the characters at each end.
pub fn id_number(id_type: IdType, value: &str) -> String {
    let value = value.trim();
    if already_masked(value) {
        return value.to_string();
    }
    let n = value.chars().count();
    match id_type {
        // 18 characters: 4 and 4; 15 (the old cards): 4 and 3, so that half stays hidden
        IdType::ResidentId | IdType::HkMacaoTaiwanResidence | IdType::ForeignerResidence if n >= 15 => keep(value, 4, (n / 2 - 4).min(4)),
        _ => any(value),
    }
}

/// A mainland mobile number: the first 3 and the last 4 digits (`137****2222`), the number
/// written as its 11 digits whatever prefix or separators it was typed with.
pub fn mobile(value: &str) -> String {
    let value = value.trim();
    if already_masked(value) {
        return value.to_string();
    }
    match Mobile::parse(value) {
        Ok(m) => keep(m.as_str(), 3, 4),
        Err(_) => any(value),
    }
}

/// A landline: the area code and the last 4 digits of the local number stay, and an extension
/// (`020-****4321-123`); national service numbers (400/800) belong to businesses and stay
/// whole.
pub fn landline(value: &str) -> String {
    let value = value.trim();
    if already_masked(value) {
        return value.to_string();
    }
    let Ok(parsed) = Landline::parse(value) else { return any(value) };
    let text = parsed.as_str();
    if text.starts_with("400-") || text.starts_with("800-") {
        return text.to_string();
    }
    let mut parts = text.splitn(3, '-');
    let (area, local, ext) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next());
    let local = keep(local, 0, 4);
    match ext {
        Some(ext) => format!("{area}-{local}-{ext}"),
        None => format!("{area}-{local}"),
    }
}

/// A telephone number of either kind: a mobile's mask when it is one, a landline's otherwise.
pub fn phone(value: &str) -> String {
    if Mobile::parse(value.trim()).is_ok() { mobile(value) } else { landline(value) }
}

/// An e-mail address: the domain stays, of the part before `@` the first two characters (one
/// when it has two, none when it has one).
pub fn email(value: &str) -> String {
    let value = value.trim();
    if already_masked(value) {
        return value.to_string();
    }
    let Ok(parsed) = Email::parse(value) else { return any(value) };
    let Some((local, domain)) = parsed.as_str().rsplit_once('@') else { return any(value) };
    let n = local.chars().count();
    format!("{}@{domain}", keep(local, if n >= 3 { 2 } else { n.saturating_sub(1) }, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_numbers() {
        let cases: &[(IdType, &str, &str)] = &[
            (IdType::ResidentId, "440106198501014066", "4401**********4066"),
            (IdType::ResidentId, "44010619850101401X", "4401**********401X"),
            (IdType::ResidentId, " 440106198501014066 ", "4401**********4066"),
            (IdType::ResidentId, "440106850101401", "4401********401"),
            (IdType::HkMacaoTaiwanResidence, "810000199001011234", "8100**********1234"),
            (IdType::ForeignerResidence, "USA330090101000", "USA3********000"),
            (IdType::ForeignerResidence, "936001199001011234", "9360**********1234"),
            (IdType::Passport, "E12345678", "E1*****78"),
            (IdType::Passport, "EA1234567", "EA*****67"),
            (IdType::HkMacaoPermit, "H12345678", "H1*****78"),
            (IdType::HkMacaoPermit, "H1234567890", "H1*******90"),
            (IdType::TaiwanPermit, "12345678", "12****78"),
            (IdType::MilitaryOfficer, "南字第1234567号", "南字*******7号"),
            (IdType::Other, "AB12", "A**2"),
            (IdType::Other, "123", "***"),
            (IdType::Other, "", ""),
            // a resident ID too short to be one: a quarter at each end
            (IdType::ResidentId, "4401061985", "44******85"),
        ];
        for &(kind, value, masked) in cases {
            assert_eq!(id_number(kind, value), masked, "{kind:?} {value}");
            assert_eq!(id_number(kind, masked), masked, "masking twice changes nothing: {masked}");
            let hidden = masked.chars().filter(|&c| c == '*').count();
            assert!(hidden * 2 >= masked.chars().count(), "at least half hidden: {masked}");
        }
    }

    #[test]
    fn mobiles() {
        let cases: &[(&str, &str)] = &[
            ("13712342222", "137****2222"),
            ("+86 137 1234 2222", "137****2222"),
            ("0086-137-1234-2222", "137****2222"),
            ("137****2222", "137****2222"),
            // not a mainland mobile: a quarter at each end
            ("85291234567", "85*******67"),
            ("12345", "1***5"),
        ];
        for &(value, masked) in cases {
            assert_eq!(mobile(value), masked, "{value}");
        }
    }

    #[test]
    fn landlines_and_phones() {
        let cases: &[(&str, &str)] = &[
            ("020-87654321", "020-****4321"),
            ("(0769)22499398", "0769-****9398"),
            ("010 6543210", "010-***3210"),
            ("020-87654321转123", "020-****4321-123"),
            ("400-123-4567", "400-123-4567"),
            ("020-****4321", "020-****4321"),
            ("12345678", "12****78"),
        ];
        for &(value, masked) in cases {
            assert_eq!(landline(value), masked, "{value}");
        }
        assert_eq!(phone("13712342222"), "137****2222");
        assert_eq!(phone("020-87654321"), "020-****4321");
    }

    #[test]
    fn emails() {
        let cases: &[(&str, &str)] = &[
            ("zhangwei@example.cn", "zh******@example.cn"),
            ("ZhangWei@Example.CN", "Zh******@example.cn"),
            ("li@example.cn", "l*@example.cn"),
            ("x@example.cn", "*@example.cn"),
            ("zh******@example.cn", "zh******@example.cn"),
            ("not-an-address", "not********ess"),
        ];
        for &(value, masked) in cases {
            assert_eq!(email(value), masked, "{value}");
        }
    }
}
