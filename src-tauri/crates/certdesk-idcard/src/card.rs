//! What a read gives: `IdCard`, whose JSON is the CLI contract of `certdesk idcard read`
//! (`card_type`, `name`, `sex`, `nation`, `birth_date`, `address`, `id_number`, `issuer`,
//! `valid_from`, `valid_to`, then each card type's own fields by their English names), the
//! validity on a day the caller gives, and the photo a vendor library decoded (in memory only,
//! never serialised). Does not decode anything: `text` does.

use chrono::NaiveDate;
use serde::{Serialize, Serializer};
use zeroize::Zeroizing;

/// The kind of card, from the flag at bytes 248–249 of the text block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardType {
    /// 居民身份证 (flag: a space).
    Resident,
    /// 港澳台居民居住证 (flag `J`).
    HmtResidence,
    /// 外国人永久居留身份证, 2017 edition (flag `I`).
    ForeignPermanent,
}

impl CardType {
    pub fn zh(self) -> &'static str {
        match self {
            CardType::Resident => "居民身份证",
            CardType::HmtResidence => "港澳台居民居住证",
            CardType::ForeignPermanent => "外国人永久居留身份证",
        }
    }
}

/// Sex as the card codes it (GB/T 2261.1: 1 男, 2 女); serialised as the Chinese word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn zh(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
}

impl Serialize for Sex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.zh())
    }
}

/// The end of a card's validity: a day, or 长期 (no end: cards of people aged 46 and over).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardDate {
    Day(NaiveDate),
    LongTerm,
}

impl std::fmt::Display for CardDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CardDate::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            CardDate::LongTerm => f.write_str("长期"),
        }
    }
}

impl Serialize for CardDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn day<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&d.format("%Y-%m-%d"))
}

/// Whether a card may be accepted on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validity {
    Valid,
    /// The validity starts after that day.
    NotYetValid {
        from: NaiveDate,
    },
    /// The validity ended before that day.
    Expired {
        on: NaiveDate,
    },
}

/// A card's fields as read from its chip and checked.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IdCard {
    pub card_type: CardType,
    /// 姓名; on a foreign card the Chinese name, or the English name when it has none.
    pub name: String,
    pub sex: Sex,
    /// 民族 by name (汉, 蒙古 …); resident cards only.
    pub nation: Option<String>,
    #[serde(serialize_with = "day")]
    pub birth_date: NaiveDate,
    /// 住址; not on foreign cards.
    pub address: Option<String>,
    /// 公民身份号码 (resident and 港澳台 cards, 18 characters) or 永久居留证号码 (15).
    pub id_number: String,
    /// 签发机关; foreign cards carry an authority code instead (`authority_code`).
    pub issuer: Option<String>,
    #[serde(serialize_with = "day")]
    pub valid_from: NaiveDate,
    pub valid_to: CardDate,
    /// 通行证号码 (港澳台 cards).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pass_number: Option<String>,
    /// 签发次数 (港澳台 cards).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue_count: Option<u32>,
    /// English name (foreign cards).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub english_name: Option<String>,
    /// Chinese name when the card has one (foreign cards).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chinese_name: Option<String>,
    /// Nationality by its Chinese name, or the code when the table lacks it (foreign cards).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// Nationality code, GB/T 2659 three letters (foreign cards).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality_code: Option<String>,
    /// 证件版本号 (foreign cards).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_version: Option<String>,
    /// 当次申请受理机关代码 (foreign cards).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authority_code: Option<String>,
    /// The photo, when a vendor library decoded it; never serialised, never written.
    #[serde(skip)]
    pub photo: Option<Photo>,
}

impl IdCard {
    /// The card's validity on `today` (the caller's date: the library has no clock). A card is
    /// valid through the last day of its validity.
    pub fn validity_on(&self, today: NaiveDate) -> Validity {
        if today < self.valid_from {
            return Validity::NotYetValid { from: self.valid_from };
        }
        match self.valid_to {
            CardDate::Day(end) if today > end => Validity::Expired { on: end },
            _ => Validity::Valid,
        }
    }

    /// Whether the card's validity ended before `today`.
    pub fn is_expired_on(&self, today: NaiveDate) -> bool {
        matches!(self.validity_on(today), Validity::Expired { .. })
    }
}

/// A photo decoded by a vendor library: 102 × 126 pixels, 3 bytes each (blue, green, red),
/// rows bottom-up as in a BMP file. Wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Photo {
    bgr: Zeroizing<Vec<u8>>,
}

impl Photo {
    pub const WIDTH: usize = 102;
    pub const HEIGHT: usize = 126;
    pub const BGR_LEN: usize = Self::WIDTH * Self::HEIGHT * 3;

    /// None unless `bgr` has exactly `BGR_LEN` bytes.
    pub fn from_bgr(bgr: Zeroizing<Vec<u8>>) -> Option<Photo> {
        (bgr.len() == Self::BGR_LEN).then_some(Photo { bgr })
    }

    pub fn bgr(&self) -> &[u8] {
        &self.bgr
    }

    /// The photo as a BMP file in memory (24 bits, rows padded to 4 bytes: 38,862 bytes), for
    /// showing it; the caller must not write it anywhere.
    pub fn to_bmp(&self) -> Zeroizing<Vec<u8>> {
        let row = Self::WIDTH * 3;
        let padded = row.div_ceil(4) * 4;
        let pixels = padded * Self::HEIGHT;
        let size = 54 + pixels;
        let mut bmp = Zeroizing::new(Vec::with_capacity(size));
        bmp.extend(b"BM");
        bmp.extend((size as u32).to_le_bytes());
        bmp.extend([0; 4]);
        bmp.extend(54u32.to_le_bytes());
        bmp.extend(40u32.to_le_bytes());
        bmp.extend((Self::WIDTH as i32).to_le_bytes());
        bmp.extend((Self::HEIGHT as i32).to_le_bytes());
        bmp.extend(1u16.to_le_bytes());
        bmp.extend(24u16.to_le_bytes());
        bmp.extend([0; 4]);
        bmp.extend((pixels as u32).to_le_bytes());
        bmp.extend([0; 16]);
        for r in self.bgr.chunks(row) {
            bmp.extend(r);
            bmp.extend(std::iter::repeat_n(0, padded - row));
        }
        bmp
    }
}

impl std::fmt::Debug for Photo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Photo({}×{}, decoded by the vendor library)", Self::WIDTH, Self::HEIGHT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn card(from: &str, to: CardDate) -> IdCard {
        IdCard {
            card_type: CardType::Resident,
            name: "张三".into(),
            sex: Sex::Male,
            nation: Some("汉".into()),
            birth_date: date("1990-03-07"),
            address: Some("广东省深圳市".into()),
            id_number: "440306199003071232".into(),
            issuer: Some("深圳市公安局".into()),
            valid_from: date(from),
            valid_to: to,
            pass_number: None,
            issue_count: None,
            english_name: None,
            chinese_name: None,
            nationality: None,
            nationality_code: None,
            card_version: None,
            authority_code: None,
            photo: None,
        }
    }

    #[test]
    fn validity_counts_the_last_day_and_long_term_never_ends() {
        let c = card("2015-01-01", CardDate::Day(date("2025-01-01")));
        assert_eq!(c.validity_on(date("2025-01-01")), Validity::Valid);
        assert_eq!(c.validity_on(date("2025-01-02")), Validity::Expired { on: date("2025-01-01") });
        assert_eq!(c.validity_on(date("2014-12-31")), Validity::NotYetValid { from: date("2015-01-01") });
        assert!(c.is_expired_on(date("2030-06-01")));
        assert!(!card("2015-01-01", CardDate::LongTerm).is_expired_on(date("2099-01-01")));
    }

    #[test]
    fn json_is_the_cli_contract() {
        let json = serde_json::to_value(card("2015-01-01", CardDate::LongTerm)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"card_type": "resident", "name": "张三", "sex": "男", "nation": "汉", "birth_date": "1990-03-07", "address": "广东省深圳市",
                "id_number": "440306199003071232", "issuer": "深圳市公安局", "valid_from": "2015-01-01", "valid_to": "长期"})
        );
    }

    #[test]
    fn a_bmp_is_made_in_memory_with_padded_rows() {
        let photo = Photo::from_bgr(Zeroizing::new((0..Photo::BGR_LEN).map(|i| i as u8).collect())).unwrap();
        let bmp = photo.to_bmp();
        assert_eq!(bmp.len(), 38_862);
        assert_eq!(&bmp[..2], b"BM");
        assert_eq!(u32::from_le_bytes(bmp[2..6].try_into().unwrap()), 38_862);
        assert_eq!(&bmp[54..54 + 306], &photo.bgr()[..306]);
        assert_eq!(&bmp[54 + 306..54 + 308], &[0, 0]);
        assert!(Photo::from_bgr(Zeroizing::new(vec![0; 100])).is_none());
        assert_eq!(format!("{photo:?}"), "Photo(102×126, decoded by the vendor library)");
    }
}
