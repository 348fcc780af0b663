//! The GA/T 467 commands the counter uses (command and parameter bytes) and how long a reader
//! may take to answer each; the layout of the answers that carry data: the card's text, photo
//! and fingerprint lengths and blocks, and the SAM's 16-byte number as readers print it.

use std::time::Duration;

/// A command to the reader's SAM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// `10 FF`: reset the SAM.
    ResetSam,
    /// `11 FF`: SAM status (self-test).
    SamStatus,
    /// `12 FF`: the SAM's number.
    SamId,
    /// `20 01`: find a card (SW3 `9F` found, `80` none).
    FindCard,
    /// `20 02`: select the card found (`90` ok, `81` failed).
    SelectCard,
    /// `30 01`: read the text and the photo.
    ReadText,
    /// `30 10`: read the text, the photo and the fingerprints.
    ReadTextFingerprint,
}

impl Command {
    /// The command and parameter bytes.
    pub fn code(self) -> [u8; 2] {
        match self {
            Command::ResetSam => [0x10, 0xFF],
            Command::SamStatus => [0x11, 0xFF],
            Command::SamId => [0x12, 0xFF],
            Command::FindCard => [0x20, 0x01],
            Command::SelectCard => [0x20, 0x02],
            Command::ReadText => [0x30, 0x01],
            Command::ReadTextFingerprint => [0x30, 0x10],
        }
    }

    /// The command with these bytes, if the counter knows it.
    pub fn from_code(code: [u8; 2]) -> Option<Command> {
        ALL.into_iter().find(|c| c.code() == code)
    }

    /// What the command does, in English.
    pub fn en(self) -> &'static str {
        match self {
            Command::ResetSam => "reset SAM",
            Command::SamStatus => "SAM status",
            Command::SamId => "SAM number",
            Command::FindCard => "find card",
            Command::SelectCard => "select card",
            Command::ReadText => "read text and photo",
            Command::ReadTextFingerprint => "read text, photo and fingerprints",
        }
    }

    /// What the command does, in Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Command::ResetSam => "复位SAM",
            Command::SamStatus => "SAM状态检测",
            Command::SamId => "读SAM编号",
            Command::FindCard => "寻找证/卡",
            Command::SelectCard => "选取证/卡",
            Command::ReadText => "读文字和相片信息",
            Command::ReadTextFingerprint => "读文字、相片和指纹信息",
        }
    }

    /// Reading takes the SAM a while (it authenticates the card, then reads ≈1.3 KB over the air
    /// and sends it at 115200 baud); the other commands answer at once.
    pub(crate) fn answer_time(self, t: &crate::serial::Timeouts) -> Duration {
        match self {
            Command::ReadText | Command::ReadTextFingerprint => t.read,
            _ => t.answer,
        }
    }
}

const ALL: [Command; 7] = [Command::ResetSam, Command::SamStatus, Command::SamId, Command::FindCard, Command::SelectCard, Command::ReadText, Command::ReadTextFingerprint];

/// The text block's size (GA/T 467; the same for every card type).
pub const TEXT_LEN: usize = 256;
/// The photo's largest size (WLT).
pub const PHOTO_MAX: usize = 1024;
/// The fingerprints' largest size (two templates of 512 bytes).
pub const FINGERPRINT_MAX: usize = 1024;

/// The blocks of a read answer (`30 01`: text and photo lengths, 2 bytes big-endian each, then
/// the blocks; `30 10`: a third length and the fingerprints after them). The photo (WLT) is
/// skipped: on the serial line nothing can decode it.
#[derive(Debug)]
pub(crate) struct ReadBlocks<'a> {
    pub text: &'a [u8],
    pub fingerprint: &'a [u8],
}

/// Why a read answer's data do not hold what their lengths say.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BlockError {
    /// The data end before the lengths' sum: (bytes there, bytes needed).
    Short(usize, usize),
    /// A length out of the standard's range: (which, length).
    Length(&'static str, usize),
}

pub(crate) fn read_blocks(data: &[u8], with_fingerprint: bool) -> Result<ReadBlocks<'_>, BlockError> {
    let heads = if with_fingerprint { 3 } else { 2 };
    if data.len() < heads * 2 {
        return Err(BlockError::Short(data.len(), heads * 2));
    }
    let len = |i: usize| usize::from(u16::from_be_bytes([data[2 * i], data[2 * i + 1]]));
    let (text, photo) = (len(0), len(1));
    let fingerprint = if with_fingerprint { len(2) } else { 0 };
    if text != TEXT_LEN {
        return Err(BlockError::Length("text", text));
    }
    if photo > PHOTO_MAX {
        return Err(BlockError::Length("photo", photo));
    }
    if fingerprint > FINGERPRINT_MAX {
        return Err(BlockError::Length("fingerprint", fingerprint));
    }
    let start = heads * 2;
    let need = start + text + photo + fingerprint;
    if data.len() < need {
        return Err(BlockError::Short(data.len(), need));
    }
    Ok(ReadBlocks { text: &data[start..start + text], fingerprint: &data[start + text + photo..need] })
}

/// The SAM's number as readers print it: bytes 0 and 2 in hexadecimal, then three 32-bit
/// little-endian numbers in decimal, the last two on 10 digits (`05.01-20101028-0050316524-1705309542`).
pub(crate) fn sam_id_text(data: &[u8]) -> Option<String> {
    if data.len() < 16 {
        return None;
    }
    let word = |i: usize| u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
    Some(format!("{:02X}.{:02X}-{}-{:010}-{:010}", data[0], data[2], word(4), word(8), word(12)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_round_trip_through_their_bytes() {
        for c in ALL {
            assert_eq!(Command::from_code(c.code()), Some(c));
        }
        assert_eq!(Command::from_code([0x61, 0xFF]), None);
    }

    #[test]
    fn read_blocks_follow_the_lengths_and_refuse_short_or_odd_data() {
        let mut data = vec![0x01, 0x00, 0x04, 0x00];
        data.extend(std::iter::repeat_n(b't', 256));
        data.extend(std::iter::repeat_n(b'p', 1024));
        let blocks = read_blocks(&data, false).unwrap();
        assert_eq!((blocks.text.len(), blocks.fingerprint.len()), (256, 0));
        assert!(blocks.text.iter().all(|&b| b == b't'));
        assert_eq!(read_blocks(&data[..1000], false).unwrap_err(), BlockError::Short(1000, 1284));
        assert_eq!(read_blocks(&[0x00, 0x10, 0x00, 0x00], false).unwrap_err(), BlockError::Length("text", 16));
        let mut fp = vec![0x01, 0x00, 0x04, 0x00, 0x02, 0x00];
        fp.extend(&data[4..]);
        fp.extend([b'f'; 512]);
        assert_eq!(read_blocks(&fp, true).unwrap().fingerprint, &[b'f'; 512][..]);
    }

    #[test]
    fn sam_number_is_printed_as_readers_print_it() {
        let mut data = vec![0x05, 0x00, 0x01, 0x00];
        data.extend(20101028u32.to_le_bytes());
        data.extend(50316524u32.to_le_bytes());
        data.extend(1705309542u32.to_le_bytes());
        assert_eq!(sam_id_text(&data).unwrap(), "05.01-20101028-0050316524-1705309542");
        assert_eq!(sam_id_text(&data[..15]), None);
    }
}
