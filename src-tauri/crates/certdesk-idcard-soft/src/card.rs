//! The soft readers' card: a JSON description turned into the 256-byte text block (with the
//! offsets of the public tables written out here, apart from the decoder's, so that the tests
//! check one against the other), or a raw block; the made-up photo block and what the soft
//! decoder makes of it; the fault switches both readers understand; the SAM's number.

use serde::Deserialize;
use std::path::Path;

/// The SAM number both soft readers report, as readers print it.
pub const SAM_ID: &str = "05.01-20101028-0050316524-1705309542";
/// The same number as the 16 bytes of the `12 FF` answer: 05 00 01 00, then 20101028,
/// 50316524 and 1705309542 as 32-bit little-endian numbers.
pub const SAM_ID_BYTES: [u8; 16] = [0x05, 0x00, 0x01, 0x00, 0xA4, 0xB7, 0x32, 0x01, 0xEC, 0xC4, 0xFF, 0x02, 0x66, 0xF5, 0xA4, 0x65];

/// A bad input or failure a soft reader injects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// No card lies on the reader (find card: `80`).
    NoCard,
    /// The card is taken off between select and read (read: `41`).
    Removed,
    /// The card is taken off between find and select (select: `81`).
    RemovedAtSelect,
    /// The read answer's check byte is wrong.
    BadCheck,
    /// The read answer's length field is 2, too short for any answer.
    ShortFrame,
    /// The read answer is a good frame whose data stop after 100 bytes of text.
    ShortAnswer,
    /// The reader stops in the middle of the read answer.
    Truncated,
    /// The read answer's length field says 4096.
    Oversized,
    /// The read answer's status is `00 00 55`.
    UnknownStatus,
    /// The reader does not answer the read at all.
    Silence,
    /// Noise on the line before the answers (they must still be read).
    Garbage,
    /// The name holds a lone surrogate (0xD800): not UCS-2.
    BadText,
    /// The ID number's check character is wrong.
    BadCheckDigit,
    /// The SAM's self-test fails (SAM status: `60`).
    SamFault,
    /// The soft library's photo decoder declines.
    NoPhoto,
    /// The soft library cannot open any port.
    Port,
}

const FAULTS: [(&str, Fault); 16] = [
    ("no_card", Fault::NoCard),
    ("removed", Fault::Removed),
    ("removed_at_select", Fault::RemovedAtSelect),
    ("bad_check", Fault::BadCheck),
    ("short_frame", Fault::ShortFrame),
    ("short_answer", Fault::ShortAnswer),
    ("truncated", Fault::Truncated),
    ("oversized", Fault::Oversized),
    ("unknown_status", Fault::UnknownStatus),
    ("silence", Fault::Silence),
    ("garbage", Fault::Garbage),
    ("bad_text", Fault::BadText),
    ("bad_check_digit", Fault::BadCheckDigit),
    ("sam_fault", Fault::SamFault),
    ("no_photo", Fault::NoPhoto),
    ("port", Fault::Port),
];

impl Fault {
    pub fn from_name(name: &str) -> Option<Fault> {
        FAULTS.iter().find(|(n, _)| *n == name).map(|&(_, f)| f)
    }

    pub fn name(self) -> &'static str {
        FAULTS.iter().find(|(_, f)| *f == self).map_or("", |(n, _)| n)
    }

    /// Fault names separated by commas, spaces or new lines; unknown names are an error.
    pub fn parse_list(list: &str) -> Result<Vec<Fault>, String> {
        list.split([',', ' ', '\n']).map(str::trim).filter(|n| !n.is_empty()).map(|n| Fault::from_name(n).ok_or_else(|| format!("unknown fault {n:?}"))).collect()
    }
}

/// A card as a test describes it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Description {
    /// `resident`, `hmt_residence` or `foreign_permanent`.
    pub card_type: String,
    /// Another type flag than the card type's (`Y`: an unsupported card).
    pub type_flag: Option<String>,
    pub name: Option<String>,
    /// 男/女, or the code itself.
    pub sex: Option<String>,
    /// The nation code (`01`).
    pub nation: Option<String>,
    /// `YYYY-MM-DD` or `YYYYMMDD`.
    pub birth_date: Option<String>,
    pub address: Option<String>,
    pub id_number: Option<String>,
    pub issuer: Option<String>,
    pub valid_from: Option<String>,
    /// A date or 长期.
    pub valid_to: Option<String>,
    pub pass_number: Option<String>,
    pub issue_count: Option<u32>,
    pub english_name: Option<String>,
    pub chinese_name: Option<String>,
    /// The three-letter code (`USA`).
    pub nationality: Option<String>,
    pub card_version: Option<String>,
    pub authority_code: Option<String>,
    /// Faults this card brings with it.
    #[serde(default)]
    pub faults: Vec<String>,
    /// Whether the card holds fingerprints (`30 10`).
    #[serde(default)]
    pub fingerprint: bool,
}

/// A card read from its file: the text block, the photo block, whether it has fingerprints,
/// and the faults it brings.
#[derive(Clone, Debug)]
pub struct CardFile {
    pub text: [u8; 256],
    pub photo: Vec<u8>,
    pub fingerprint: bool,
    pub faults: Vec<Fault>,
}

fn put(block: &mut [u8; 256], at: usize, chars: usize, what: &str, value: &str) -> Result<(), String> {
    let units: Vec<u16> = value.encode_utf16().collect();
    if units.len() > chars {
        return Err(format!("{what} {value:?} is longer than its {chars} characters"));
    }
    for (i, u) in units.iter().enumerate() {
        block[at + 2 * i..at + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
    }
    Ok(())
}

fn compact_date(d: &str) -> String {
    if d.len() == 10 && d.as_bytes()[4] == b'-' && d.as_bytes()[7] == b'-' { d.replace('-', "") } else { d.to_string() }
}

fn sex_code(s: &str) -> &str {
    match s {
        "男" => "1",
        "女" => "2",
        other => other,
    }
}

impl Description {
    /// The text block this description makes.
    pub fn text_block(&self) -> Result<[u8; 256], String> {
        let mut b = [0u8; 256];
        for pair in b.chunks_mut(2) {
            pair.copy_from_slice(&[0x20, 0x00]);
        }
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        let date = |v: &Option<String>| compact_date(&s(v));
        match self.card_type.as_str() {
            "resident" | "hmt_residence" => {
                put(&mut b, 0, 15, "name", &s(&self.name))?;
                put(&mut b, 30, 1, "sex", sex_code(&s(&self.sex)))?;
                if self.card_type == "resident" {
                    put(&mut b, 32, 2, "nation", &s(&self.nation))?;
                }
                put(&mut b, 36, 8, "birth date", &date(&self.birth_date))?;
                put(&mut b, 52, 35, "address", &s(&self.address))?;
                put(&mut b, 122, 18, "ID number", &s(&self.id_number))?;
                put(&mut b, 158, 15, "issuer", &s(&self.issuer))?;
                put(&mut b, 188, 8, "valid from", &date(&self.valid_from))?;
                put(&mut b, 204, 8, "valid to", &date(&self.valid_to))?;
                if self.card_type == "hmt_residence" {
                    put(&mut b, 220, 9, "pass number", &s(&self.pass_number))?;
                    put(&mut b, 238, 2, "issue count", &format!("{:02}", self.issue_count.unwrap_or(0)))?;
                    put(&mut b, 248, 1, "type flag", "J")?;
                }
            }
            "foreign_permanent" => {
                put(&mut b, 0, 60, "English name", &s(&self.english_name))?;
                put(&mut b, 120, 1, "sex", sex_code(&s(&self.sex)))?;
                put(&mut b, 122, 15, "ID number", &s(&self.id_number))?;
                put(&mut b, 152, 3, "nationality", &s(&self.nationality))?;
                put(&mut b, 158, 15, "Chinese name", &s(&self.chinese_name))?;
                put(&mut b, 188, 8, "valid from", &date(&self.valid_from))?;
                put(&mut b, 204, 8, "valid to", &date(&self.valid_to))?;
                put(&mut b, 220, 8, "birth date", &date(&self.birth_date))?;
                put(&mut b, 236, 2, "card version", &s(&self.card_version))?;
                put(&mut b, 240, 4, "authority code", &s(&self.authority_code))?;
                put(&mut b, 248, 1, "type flag", "I")?;
            }
            other => return Err(format!("unknown card_type {other:?}")),
        }
        if let Some(flag) = &self.type_flag {
            put(&mut b, 248, 1, "type flag", flag)?;
        }
        Ok(b)
    }
}

/// The made-up photo block of a card (1024 bytes; a real one is WLT): a marker and bytes drawn
/// from the text, so that two cards have different photos.
fn photo_block(text: &[u8; 256]) -> Vec<u8> {
    let mut photo = b"WLT-SOFT".to_vec();
    photo.extend((0..1016).map(|i| text[i % 256].wrapping_mul(31).wrapping_add(i as u8)));
    photo
}

/// What the soft decoder makes of a photo block: 102 × 126 × 3 bytes, None for a block that
/// is not one of ours.
pub fn soft_photo_bgr(photo: &[u8]) -> Option<Vec<u8>> {
    if photo.len() != 1024 || !photo.starts_with(b"WLT-SOFT") {
        return None;
    }
    Some((0..102 * 126 * 3).map(|i| photo[i % 1024] ^ (i / 1024) as u8).collect())
}

impl CardFile {
    /// The card in `path`: None when there is no such file (no card on the reader).
    pub fn load(path: &Path) -> Result<Option<CardFile>, String> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        CardFile::from_bytes(&bytes).map(Some).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// A JSON description (starting with `{`) or a raw 256-byte block.
    pub fn from_bytes(bytes: &[u8]) -> Result<CardFile, String> {
        if bytes.first() == Some(&b'{') {
            let d: Description = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
            CardFile::from_description(&d)
        } else if bytes.len() == 256 {
            let mut text = [0u8; 256];
            text.copy_from_slice(bytes);
            Ok(CardFile { photo: photo_block(&text), text, fingerprint: false, faults: Vec::new() })
        } else {
            Err(format!("neither a JSON description nor a 256-byte text block ({} bytes)", bytes.len()))
        }
    }

    pub fn from_description(d: &Description) -> Result<CardFile, String> {
        let faults = Fault::parse_list(&d.faults.join(","))?;
        let text = d.text_block()?;
        Ok(CardFile { photo: photo_block(&text), text, fingerprint: d.fingerprint, faults })
    }

    /// The text block as the reader sends it with `faults` on (those that change the text:
    /// `bad_text`, `bad_check_digit`).
    pub fn text_with(&self, faults: &[Fault]) -> [u8; 256] {
        let mut text = self.text;
        if faults.contains(&Fault::BadText) {
            // a lone high surrogate as the name's second character
            text[2..4].copy_from_slice(&0xD800u16.to_le_bytes());
        }
        if faults.contains(&Fault::BadCheckDigit) {
            // the last character of an 18-character number at 122–157: another digit
            let at = 122 + 17 * 2;
            let c = text[at];
            text[at] = if c == b'0' {
                b'1'
            } else if c == b'X' {
                b'0'
            } else {
                c - 1
            };
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_names_round_trip_and_unknown_ones_are_refused() {
        for (name, fault) in FAULTS {
            assert_eq!(Fault::from_name(name), Some(fault));
            assert_eq!(fault.name(), name);
        }
        assert_eq!(Fault::parse_list("removed, bad_check\nsilence").unwrap(), vec![Fault::Removed, Fault::BadCheck, Fault::Silence]);
        assert!(Fault::parse_list("removed,nonsense").is_err());
    }

    #[test]
    fn a_description_too_long_for_its_field_is_refused() {
        let d = Description { card_type: "resident".into(), name: Some("一二三四五六七八九十一二三四五六".into()), ..Description::default() };
        assert!(d.text_block().unwrap_err().contains("15 characters"));
        assert!(CardFile::from_bytes(b"not a card").is_err());
    }

    #[test]
    fn the_sam_number_bytes_spell_the_printed_number() {
        let word = |i: usize| u32::from_le_bytes(SAM_ID_BYTES[i..i + 4].try_into().unwrap());
        assert_eq!((word(4), word(8), word(12)), (20101028, 50316524, 1705309542));
    }
}
