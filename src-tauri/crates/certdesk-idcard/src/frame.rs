//! GA/T 467 framing. A frame is the preamble `AA AA AA 96 69`, a length of 2 bytes big-endian
//! counting everything after it (check byte included), the body, and a check byte: the XOR of
//! every byte after the preamble except itself. A request's body is command, parameter and
//! data; an answer's is the status `SW1 SW2 SW3` and data. `FrameDecoder` takes bytes as they
//! come off the line, skips noise up to a preamble, and refuses a frame whose check byte is
//! wrong, whose length is too small to hold a body, or which is longer than any answer can be
//! (a hard cap, so that a corrupt length does not make the reader wait for bytes that never
//! come). Does not know what a command or a status means: `command` and `status` do.

use zeroize::Zeroizing;

/// Every frame starts with these bytes.
pub const PREAMBLE: [u8; 5] = [0xAA, 0xAA, 0xAA, 0x96, 0x69];
/// The largest length field accepted. The longest answer, text, photo and fingerprints
/// (`30 10`), has a length of 3 + 6 + 256 + 1024 + 1024 + 1 = 2314.
pub const MAX_LEN: u16 = 2560;
/// An answer's length counts at least the three status bytes and the check byte.
pub const MIN_ANSWER_LEN: u16 = 4;
/// A request's length counts at least the command, the parameter and the check byte.
pub const MIN_REQUEST_LEN: u16 = 3;

/// Why bytes on the line are not a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("wrong check byte: the frame says 0x{found:02X}, its bytes give 0x{expected:02X}")]
    BadCheck { expected: u8, found: u8 },
    #[error("short frame: its length field says {len} bytes, fewer than the {min} any frame needs")]
    TooShort { len: u16, min: u16 },
    #[error("oversized frame: its length field says {len} bytes, more than the {cap} any answer can have")]
    Oversized { len: u16, cap: u16 },
}

impl FrameError {
    /// The same in Chinese.
    pub fn zh(&self) -> String {
        match self {
            FrameError::BadCheck { expected, found } => format!("校验和错：帧中为0x{found:02X}，按内容应为0x{expected:02X}"),
            FrameError::TooShort { len, min } => format!("帧过短：长度字段为{len}字节，少于最少的{min}字节"),
            FrameError::Oversized { len, cap } => format!("帧过长：长度字段为{len}字节，超过上限{cap}字节"),
        }
    }
}

/// The XOR of the bytes.
pub fn check_byte(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |acc, b| acc ^ b)
}

fn encode(head: &[u8], data: &[u8]) -> Vec<u8> {
    let len = u16::try_from(head.len() + data.len() + 1).unwrap_or(u16::MAX);
    let mut frame = Vec::with_capacity(PREAMBLE.len() + 2 + usize::from(len));
    frame.extend(PREAMBLE);
    frame.extend(len.to_be_bytes());
    frame.extend(head);
    frame.extend(data);
    frame.push(check_byte(&frame[PREAMBLE.len()..]));
    frame
}

/// A request frame: command and parameter bytes, then data (`61 FF` takes one byte; the
/// counter's commands take none).
pub fn encode_request(command: [u8; 2], data: &[u8]) -> Vec<u8> {
    encode(&command, data)
}

/// An answer frame, as a reader sends it (the simulator's side).
pub fn encode_answer(sw: [u8; 3], data: &[u8]) -> Vec<u8> {
    encode(&sw, data)
}

/// A reader's answer: its three status bytes and its data (wiped when dropped: it holds the
/// card's text and photo).
#[derive(Debug)]
pub struct Answer {
    pub sw: [u8; 3],
    pub data: Zeroizing<Vec<u8>>,
}

/// A request as the reader sees it (the simulator's side).
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub command: [u8; 2],
    pub data: Vec<u8>,
}

/// Cuts frames out of the bytes of a line, in order.
#[derive(Debug)]
pub struct FrameDecoder {
    buf: Zeroizing<Vec<u8>>,
    min_len: u16,
    skipped: usize,
}

impl FrameDecoder {
    /// For the host: the frames are answers.
    pub fn for_answers() -> FrameDecoder {
        FrameDecoder { buf: Zeroizing::new(Vec::new()), min_len: MIN_ANSWER_LEN, skipped: 0 }
    }

    /// For a reader (the simulator): the frames are requests.
    pub fn for_requests() -> FrameDecoder {
        FrameDecoder { buf: Zeroizing::new(Vec::new()), min_len: MIN_REQUEST_LEN, skipped: 0 }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Forgets what was pushed (before a new request: stale bytes belong to no answer).
    pub fn clear(&mut self) {
        self.buf.clear();
        self.skipped = 0;
    }

    /// How many bytes before a preamble were skipped as noise so far.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// A frame begun and not complete: (bytes there, bytes the length field asks for, when
    /// already read).
    pub fn partial(&self) -> Option<(usize, Option<usize>)> {
        if self.buf.is_empty() || !PREAMBLE.starts_with(&self.buf[..self.buf.len().min(PREAMBLE.len())]) {
            return None;
        }
        let expected = (self.buf.len() >= 7).then(|| PREAMBLE.len() + 2 + usize::from(u16::from_be_bytes([self.buf[5], self.buf[6]])));
        Some((self.buf.len(), expected))
    }

    /// The next frame's body (between the length field and the check byte), a frame refused,
    /// or None while more bytes are needed. After a refused frame the search for a preamble
    /// goes on from the byte after the refused one's start.
    pub fn next_body(&mut self) -> Option<Result<Zeroizing<Vec<u8>>, FrameError>> {
        match self.buf.windows(PREAMBLE.len()).position(|w| w == PREAMBLE) {
            Some(start) => {
                self.skipped += start;
                self.buf.drain(..start);
            }
            None => {
                // keep a tail that may be the start of a preamble still arriving
                let keep = (1..PREAMBLE.len()).rev().find(|&k| self.buf.len() >= k && self.buf.ends_with(&PREAMBLE[..k])).unwrap_or(0);
                let drop = self.buf.len() - keep;
                self.skipped += drop;
                self.buf.drain(..drop);
                return None;
            }
        }
        if self.buf.len() < 7 {
            return None;
        }
        let len = u16::from_be_bytes([self.buf[5], self.buf[6]]);
        if len < self.min_len {
            self.buf.drain(..1);
            return Some(Err(FrameError::TooShort { len, min: self.min_len }));
        }
        if len > MAX_LEN {
            self.buf.drain(..1);
            return Some(Err(FrameError::Oversized { len, cap: MAX_LEN }));
        }
        let total = 7 + usize::from(len);
        if self.buf.len() < total {
            return None;
        }
        let expected = check_byte(&self.buf[PREAMBLE.len()..total - 1]);
        let found = self.buf[total - 1];
        if expected != found {
            self.buf.drain(..1);
            return Some(Err(FrameError::BadCheck { expected, found }));
        }
        let body = Zeroizing::new(self.buf[7..total - 1].to_vec());
        self.buf.drain(..total);
        Some(Ok(body))
    }

    /// The next answer (see `next_body`).
    pub fn next_answer(&mut self) -> Option<Result<Answer, FrameError>> {
        self.next_body().map(|r| r.map(|body| Answer { sw: [body[0], body[1], body[2]], data: Zeroizing::new(body[3..].to_vec()) }))
    }

    /// The next request (see `next_body`).
    pub fn next_request(&mut self) -> Option<Result<Request, FrameError>> {
        self.next_body().map(|r| r.map(|body| Request { command: [body[0], body[1]], data: body[2..].to_vec() }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace().map(|h| u8::from_str_radix(h, 16).unwrap()).collect()
    }

    #[test]
    fn requests_match_the_frames_of_the_public_sources() {
        // frames quoted by the open implementations (hev-idcard-reader and Android readers)
        assert_eq!(encode_request([0x11, 0xFF], &[]), hex("AA AA AA 96 69 00 03 11 FF ED"));
        assert_eq!(encode_request([0x20, 0x01], &[]), hex("AA AA AA 96 69 00 03 20 01 22"));
        assert_eq!(encode_request([0x20, 0x02], &[]), hex("AA AA AA 96 69 00 03 20 02 21"));
        assert_eq!(encode_request([0x30, 0x01], &[]), hex("AA AA AA 96 69 00 03 30 01 32"));
        assert_eq!(encode_request([0x30, 0x10], &[]), hex("AA AA AA 96 69 00 03 30 10 23"));
        assert_eq!(encode_request([0x12, 0xFF], &[]), hex("AA AA AA 96 69 00 03 12 FF EE"));
        assert_eq!(encode_request([0x61, 0xFF], &[0x50]), hex("AA AA AA 96 69 00 04 61 FF 50 CA"));
        assert_eq!(encode_answer([0, 0, 0x9F], &[0; 4]), hex("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97"));
        assert_eq!(encode_answer([0, 0, 0x90], &[0; 8]), hex("AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C"));
    }

    #[test]
    fn answers_are_cut_out_byte_by_byte_after_noise() {
        let mut stream = vec![0x00, 0xAA, 0x13, 0xAA, 0xAA];
        stream.extend(hex("AA AA AA 96 69 00 04 00 00 80 84"));
        stream.extend(encode_answer([0, 0, 0x90], b"hello"));
        let mut d = FrameDecoder::for_answers();
        let mut got = Vec::new();
        for b in stream {
            d.push(&[b]);
            while let Some(a) = d.next_answer() {
                got.push(a.unwrap());
            }
        }
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].sw, [0, 0, 0x80]);
        assert!(got[0].data.is_empty());
        assert_eq!((got[1].sw, got[1].data.as_slice()), ([0, 0, 0x90], &b"hello"[..]));
        assert_eq!(d.skipped(), 5);
        assert_eq!(d.partial(), None);
    }

    #[test]
    fn a_wrong_check_byte_is_refused_and_the_next_frame_still_read() {
        let mut bad = encode_answer([0, 0, 0x90], b"text");
        *bad.last_mut().unwrap() ^= 0x5A;
        let mut d = FrameDecoder::for_answers();
        d.push(&bad);
        d.push(&encode_answer([0, 0, 0x9F], &[0; 4]));
        let err = d.next_answer().unwrap().unwrap_err();
        assert!(matches!(err, FrameError::BadCheck { found, expected } if found == expected ^ 0x5A), "{err:?}");
        assert_eq!(d.next_answer().unwrap().unwrap().sw, [0, 0, 0x9F]);
    }

    #[test]
    fn short_and_oversized_lengths_are_refused_without_waiting() {
        let mut d = FrameDecoder::for_answers();
        d.push(&hex("AA AA AA 96 69 00 02 00 90 92"));
        assert_eq!(d.next_answer().unwrap().unwrap_err(), FrameError::TooShort { len: 2, min: 4 });
        d.clear();
        d.push(&hex("AA AA AA 96 69 FF F0 00 00"));
        assert_eq!(d.next_answer().unwrap().unwrap_err(), FrameError::Oversized { len: 0xFFF0, cap: MAX_LEN });
        // a request's minimum is smaller: command and parameter and check byte
        let mut r = FrameDecoder::for_requests();
        r.push(&encode_request([0x20, 0x01], &[]));
        assert_eq!(r.next_request().unwrap().unwrap(), Request { command: [0x20, 0x01], data: vec![] });
    }

    #[test]
    fn a_frame_still_arriving_is_reported_as_partial() {
        let frame = encode_answer([0, 0, 0x90], &[7; 100]);
        let mut d = FrameDecoder::for_answers();
        d.push(&frame[..3]);
        assert!(d.next_answer().is_none());
        assert_eq!(d.partial(), Some((3, None)));
        d.push(&frame[3..50]);
        assert!(d.next_answer().is_none());
        assert_eq!(d.partial(), Some((50, Some(frame.len()))));
        d.push(&frame[50..]);
        assert_eq!(d.next_answer().unwrap().unwrap().data.len(), 100);
    }
}
