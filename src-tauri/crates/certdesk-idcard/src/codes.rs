//! Code tables of the text block: the nation (民族) codes of GB 3304-91, 01–56 with 97 其他 and
//! 98 外国血统中国籍人士, and the three-letter nationality codes of GB/T 2659-2000 (= ISO 3166-1
//! alpha-3) with Chinese short names, kept as data in `data/nationality.tsv` (its header says
//! where it comes from). Does not know where a code sits in the block: `text` does.

/// GB 3304-91, in code order (01 汉 … 56 基诺).
const NATIONS: [&str; 56] = [
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
];

/// The nation's name for its two-digit code, None for a code GB 3304 does not have.
pub fn nation_name(code: &str) -> Option<&'static str> {
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match code.parse::<usize>().ok()? {
        n @ 1..=56 => Some(NATIONS[n - 1]),
        97 => Some("其他"),
        98 => Some("外国血统中国籍人士"),
        _ => None,
    }
}

const NATIONALITIES: &str = include_str!("../data/nationality.tsv");

/// The Chinese short name of a three-letter nationality code (`USA` → 美国), None when the
/// table does not have it.
pub fn nationality_name(code: &str) -> Option<&'static str> {
    NATIONALITIES.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
        let mut cols = l.split('\t');
        (cols.next() == Some(code)).then(|| cols.next()).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nation_codes_follow_gb_3304() {
        for (code, name) in [("01", "汉"), ("02", "蒙古"), ("10", "朝鲜"), ("46", "德昂"), ("56", "基诺"), ("97", "其他"), ("98", "外国血统中国籍人士")] {
            assert_eq!(nation_name(code), Some(name), "{code}");
        }
        for code in ["00", "57", "96", "99", "1", "011", "0A", " 1"] {
            assert_eq!(nation_name(code), None, "{code}");
        }
    }

    #[test]
    fn nationality_codes_have_chinese_names() {
        assert_eq!(nationality_name("USA"), Some("美国"));
        assert_eq!(nationality_name("PAK"), Some("巴基斯坦"));
        assert_eq!(nationality_name("KOR"), Some("韩国"));
        assert_eq!(nationality_name("XXX"), None);
        assert_eq!(nationality_name("code"), None);
        let rows = NATIONALITIES.lines().filter(|l| !l.starts_with('#')).count();
        assert_eq!(rows, 249, "ISO 3166-1 has 249 codes");
        for l in NATIONALITIES.lines().filter(|l| !l.starts_with('#')) {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(cols.len() == 3 && cols[0].len() == 3 && cols[0].bytes().all(|b| b.is_ascii_uppercase()) && !cols[1].is_empty(), "{l}");
        }
    }
}
