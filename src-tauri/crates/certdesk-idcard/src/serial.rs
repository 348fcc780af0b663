//! A GA/T 467 reader on a serial line (a USB serial device such as `/dev/ttyUSB0`, or `COM3`),
//! opened with the `serialport` crate at 115200 baud, 8 data bits, no parity, one stop bit. One
//! request at a time: the frame is written, then bytes are read until the decoder gives the
//! answer, the reader falls silent in the middle of it (`gap`), or the command's time is up.
//! Owns what each status means for each command (no card, card removed, SAM failure). Does not
//! decode the text block: `text` does; the photo (WLT) is dropped unread and wiped.

use crate::command::{self, BlockError, Command};
use crate::error::{IdCardError, Step};
use crate::frame::{Answer, FrameDecoder, encode_request};
use crate::status::Status;
use crate::{CardReader, IdCard};
use std::io::{ErrorKind as IoKind, Read, Write};
use std::time::{Duration, Instant};

/// How long the host waits for a reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// For the answer to any command but a read.
    pub answer: Duration,
    /// For the answer to a read (the SAM authenticates and reads the card first).
    pub read: Duration,
    /// Silence in the middle of an answer that means the reader stopped.
    pub gap: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts { answer: Duration::from_millis(1000), read: Duration::from_millis(3000), gap: Duration::from_millis(300) }
    }
}

/// The serial line's speed (GA/T 467 readers: 115200 8N1).
pub const BAUD: u32 = 115_200;

/// A reader on a serial line.
pub struct Reader {
    port: Box<dyn serialport::SerialPort>,
    path: String,
    timeouts: Timeouts,
    decoder: FrameDecoder,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader").field("path", &self.path).field("timeouts", &self.timeouts).finish_non_exhaustive()
    }
}

impl Reader {
    /// Opens the reader at `path` with the default timeouts.
    pub fn open(path: &str) -> Result<Reader, IdCardError> {
        Reader::open_with(path, Timeouts::default())
    }

    pub fn open_with(path: &str, timeouts: Timeouts) -> Result<Reader, IdCardError> {
        let port = serialport::new(path, BAUD)
            .data_bits(serialport::DataBits::Eight)
            .parity(serialport::Parity::None)
            .stop_bits(serialport::StopBits::One)
            .flow_control(serialport::FlowControl::None)
            .timeout(timeouts.answer)
            .open()
            .map_err(|source| IdCardError::Open { path: path.to_string(), source })?;
        Ok(Reader { port, path: path.to_string(), timeouts, decoder: FrameDecoder::for_answers() })
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// Sends a command and waits for its answer frame (any status: the caller judges it).
    pub fn transact(&mut self, command: Command, data: &[u8]) -> Result<Answer, IdCardError> {
        // bytes left from an earlier exchange (an answer that came too late) belong to no request
        let _ = self.port.clear(serialport::ClearBuffer::Input);
        self.decoder.clear();
        let request = encode_request(command.code(), data);
        self.port.write_all(&request).and_then(|()| self.port.flush()).map_err(|source| IdCardError::Io { op: "sending a command", source })?;
        let started = Instant::now();
        let deadline = started + command.answer_time(&self.timeouts);
        let mut last_byte = started;
        let mut buf = [0u8; 512];
        loop {
            if let Some(answer) = self.decoder.next_answer() {
                return answer.map_err(|source| IdCardError::Frame { command, source });
            }
            let now = Instant::now();
            let partial = self.decoder.partial();
            if let Some((got, expected)) = partial
                && (now >= deadline || now.duration_since(last_byte) >= self.timeouts.gap)
            {
                return Err(IdCardError::Truncated { command, got, expected });
            }
            if now >= deadline {
                return Err(IdCardError::Timeout { command, waited_ms: now.duration_since(started).as_millis() as u64 });
            }
            let mut wait = deadline - now;
            if partial.is_some() {
                wait = wait.min((last_byte + self.timeouts.gap).saturating_duration_since(now));
            }
            self.port.set_timeout(wait.max(Duration::from_millis(1))).map_err(|e| IdCardError::Io { op: "setting the read timeout", source: e.into() })?;
            match self.port.read(&mut buf) {
                Ok(0) => {}
                Ok(n) => {
                    self.decoder.push(&buf[..n]);
                    last_byte = Instant::now();
                }
                Err(e) if matches!(e.kind(), IoKind::TimedOut | IoKind::Interrupted | IoKind::WouldBlock) => {}
                Err(source) => return Err(IdCardError::Io { op: "reading the answer", source }),
            }
            buf.fill(0);
        }
    }

    /// A command whose answer must carry one of `ok` as its status.
    fn expect(&mut self, command: Command, ok: &[Status]) -> Result<Answer, IdCardError> {
        let answer = self.transact(command, &[])?;
        let status = Status(answer.sw[2]);
        if answer.sw[..2] != [0, 0] || !status.on_line() {
            return Err(IdCardError::UnknownStatus { command, sw: answer.sw });
        }
        if ok.contains(&status) { Ok(answer) } else { Err(self.refused(command, status)) }
    }

    fn refused(&self, command: Command, status: Status) -> IdCardError {
        match (command, status) {
            (Command::FindCard, Status::NOT_FOUND) => IdCardError::NoCard,
            (Command::SelectCard, Status::SELECT_FAILED | Status::NOT_FOUND) => IdCardError::CardRemoved { step: Step::Select },
            (Command::ReadText | Command::ReadTextFingerprint, Status::READ_FAILED | Status::NOT_FOUND | Status::SELECT_FAILED) => IdCardError::CardRemoved { step: Step::Read },
            _ => IdCardError::Status { command, status },
        }
    }

    pub fn reset_sam(&mut self) -> Result<(), IdCardError> {
        self.expect(Command::ResetSam, &[Status::SUCCESS]).map(drop)
    }

    /// Selects the card found (`20 02`); a card gone since is `CardRemoved`.
    pub fn select_card(&mut self) -> Result<(), IdCardError> {
        self.expect(Command::SelectCard, &[Status::SUCCESS]).map(drop)
    }

    /// Reads the selected card (`30 01`) and decodes its text; the photo is dropped.
    pub fn read_selected(&mut self) -> Result<IdCard, IdCardError> {
        let answer = self.expect(Command::ReadText, &[Status::SUCCESS])?;
        let blocks = command::read_blocks(&answer.data, false).map_err(|e| block_error(Command::ReadText, e))?;
        Ok(crate::text::decode(blocks.text)?)
    }

    /// Reads the selected card with its fingerprints (`30 10`): the decoded text and whether the
    /// card holds fingerprints (the templates are dropped and wiped: the counter never keeps
    /// them).
    pub fn read_selected_with_fingerprint(&mut self) -> Result<(IdCard, bool), IdCardError> {
        let answer = self.expect(Command::ReadTextFingerprint, &[Status::SUCCESS])?;
        let blocks = command::read_blocks(&answer.data, true).map_err(|e| block_error(Command::ReadTextFingerprint, e))?;
        Ok((crate::text::decode(blocks.text)?, !blocks.fingerprint.is_empty()))
    }
}

fn block_error(command: Command, e: BlockError) -> IdCardError {
    match e {
        BlockError::Short(got, needed) => IdCardError::ShortAnswer { command, got, needed },
        BlockError::Length(what, len) => IdCardError::BlockLength { command, what, len },
    }
}

impl CardReader for Reader {
    fn find_card(&mut self) -> Result<bool, IdCardError> {
        match self.expect(Command::FindCard, &[Status::FOUND]) {
            Ok(_) => Ok(true),
            Err(IdCardError::NoCard) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn read_card(&mut self) -> Result<IdCard, IdCardError> {
        if !self.find_card()? {
            return Err(IdCardError::NoCard);
        }
        self.select_card()?;
        self.read_selected()
    }

    fn sam_status(&mut self) -> Result<(), IdCardError> {
        self.expect(Command::SamStatus, &[Status::SUCCESS]).map(drop)
    }

    fn sam_id(&mut self) -> Result<String, IdCardError> {
        let answer = self.expect(Command::SamId, &[Status::SUCCESS])?;
        command::sam_id_text(&answer.data).ok_or(IdCardError::ShortAnswer { command: Command::SamId, got: answer.data.len(), needed: 16 })
    }
}
