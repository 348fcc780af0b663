//! Whether a credit's payer is a private person, whose transfer the CAs refuse ("汇款须单位汇款，
//! 私人汇款概不受理"): a payer's name with no word of a unit in it that reads as a person's name
//! (two to four Han characters, or names joined by `·` as Uyghur and other names are written), or
//! such a name paid from a personal bank card. Owns the words and the shapes; what is done with
//! a refusal is `matching`'s.

use crate::normalize::unit_key;

/// Words one of which every unit's name holds (company, bureau, hospital, school, shop,
/// association …), among them the one-character endings (局, 院, 所, 厂, 店, 社, 行 …): a name
/// that holds one is never taken for a person's. Characters common in given names (军, 庭, 镇)
/// are left out although some units end in them: such a unit's transfer is matched by its name
/// when it is a waiting unit, and a person named so is only left unmatched, not refused.
const UNIT_WORDS: &[&str] = &[
    "公司",
    "单位",
    "局",
    "院",
    "中心",
    "委员会",
    "学校",
    "大学",
    "医院",
    "银行",
    "协会",
    "所",
    "厂",
    "店",
    "社",
    "部",
    "站",
    "处",
    "馆",
    "团",
    "会",
    "室",
    "园",
    "队",
    "行",
    "集团",
    "合作社",
    "事务所",
    "企业",
    "政府",
    "基金",
    "商行",
    "街道",
    "个体户",
    "COMPANY",
    "CO.",
    "LTD",
    "LIMITED",
    "INC",
    "CORP",
    "BANK",
    "GMBH",
];

/// Characters written between the parts of a transliterated name (买买提·艾力).
const NAME_DOTS: [char; 5] = ['·', '•', '‧', '・', '.'];

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{323AF}')
}

/// Whether a name holds a word of a unit.
pub fn has_unit_word(name: &str) -> bool {
    let key = unit_key(name);
    UNIT_WORDS.iter().any(|w| key.contains(w))
}

/// Whether a name (without unit words) reads as a person's: 2–4 Han characters, or Han names
/// joined by a middle dot.
pub fn looks_like_person_name(name: &str) -> bool {
    let key = unit_key(name);
    if key.contains(NAME_DOTS) {
        let parts: Vec<&str> = key.split(NAME_DOTS).collect();
        return parts.len() >= 2 && parts.iter().all(|p| !p.is_empty() && p.chars().all(is_han)) && key.chars().count() <= 20;
    }
    let count = key.chars().count();
    (2..=4).contains(&count) && key.chars().all(is_han)
}

/// Whether an account is a personal bank card's number: 16 to 19 digits, of UnionPay (6…) or of
/// the international schemes (4…, 5…). Units' settlement accounts are numbered otherwise or paid
/// under the unit's name.
pub fn is_personal_card(account: &str) -> bool {
    let digits: String = unit_key(account).chars().filter(|c| *c != '-').collect();
    (16..=19).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) && digits.starts_with(['4', '5', '6'])
}

/// Why a credit is a private person's transfer (Chinese, then English), or `None` when it is
/// not one. A name with a unit word is never refused here: it is matched or left unmatched.
pub fn why_private(payer_name: &str, payer_account: &str) -> Option<String> {
    if has_unit_word(payer_name) {
        return None;
    }
    let name = payer_name.trim();
    let card = is_personal_card(payer_account);
    let person = looks_like_person_name(name);
    if !person && !card {
        return None;
    }
    let account = unit_key(payer_account);
    let ending = account.get(account.len().saturating_sub(4)..).unwrap_or("");
    let what = match (person, card) {
        (true, true) => format!("the payer {name} is a person's name, not a unit's, paying from a personal card ending {ending}"),
        (true, false) => format!("the payer {name} is a person's name, not a unit's"),
        _ => format!("the payer {name} has no unit in its name and pays from a personal card ending {ending}"),
    };
    Some(format!("私人汇款恕不受理，须由办理单位的对公账户汇款 (a private person's transfer: {what}; the CA takes money only from the applicant unit's account)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persons_and_units() {
        for person in ["张三", "欧阳娜娜", "王 芳", "李建军", "陈家庭", "买买提·艾力", "阿依古丽・买买提"] {
            assert!(looks_like_person_name(person), "{person}");
            assert!(!has_unit_word(person), "{person}");
            assert!(why_private(person, "").is_some(), "{person}");
        }
        for unit in [
            "广州市示例科技有限公司",
            "广州市越秀区人民医院",
            "某某商店",
            "市税务局",
            "天河区某某中心",
            "某某律师事务所",
            "某某合作社",
            "ABC TRADING CO., LTD",
            "某某工作室",
            "某村委会",
        ] {
            assert!(has_unit_word(unit), "{unit}");
            assert!(why_private(unit, "6222020200112233445").is_none(), "{unit}: a unit's name is never refused as private");
        }
        // one character, five or more, or not Han: no person's name by its shape
        for other in ["张", "欧阳娜娜娜", "ZHANG SAN", "张三2", ""] {
            assert!(!looks_like_person_name(other), "{other}");
        }
    }

    #[test]
    fn personal_cards() {
        assert!(is_personal_card("6222020200112233445"));
        assert!(is_personal_card("6222 0202 0011 2233"));
        assert!(is_personal_card("4367420012345678"));
        assert!(!is_personal_card("3602000009200000000"), "an ICBC settlement account");
        assert!(!is_personal_card("44050100000000000001"), "20 digits");
        assert!(!is_personal_card("622202020011223"), "15 digits");
        assert!(!is_personal_card(""));
    }

    #[test]
    fn why_says_what_made_it_private() {
        let why = why_private("张三", "6222020200112233445").unwrap();
        assert!(why.starts_with("私人汇款恕不受理"), "{why}");
        assert!(why.contains("a private person's transfer: the payer 张三 is a person's name, not a unit's, paying from a personal card ending 3445"), "{why}");
        let card_only = why_private("ZHANG SAN", "6222020200112233445").unwrap();
        assert!(card_only.contains("has no unit in its name and pays from a personal card ending 3445"), "{card_only}");
        assert!(why_private("ZHANG SAN", "3602000009200000000").is_none());
        assert!(why_private("欧阳娜娜娜", "").is_none());
    }
}
