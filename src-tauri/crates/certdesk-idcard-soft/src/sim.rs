//! A GA/T 467 reader simulated on a pseudo-terminal (Unix): the host opens the slave side
//! (`Simulator::path`) as it opens a USB serial reader, and a thread answers on the master side:
//! SAM reset, status and number, find, select, read (`30 01`, `30 10`). Answers leave at the pace
//! of a 115200-baud line (10 bits a byte: the 1295-byte read answer takes ≈112 ms) unless the
//! baud rate is 0. The card file is read again at each "find card"; faults come from the
//! configuration and from the card's description.

use crate::card::{CardFile, Fault, SAM_ID_BYTES};
use certdesk_idcard::frame::{FrameDecoder, PREAMBLE, encode_answer};
use serialport::{SerialPort, TTYPort};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How the simulated reader behaves.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The card file (read at each find card); None: no card.
    pub card: Option<PathBuf>,
    pub faults: Vec<Fault>,
    /// The line's speed for pacing the answers; 0: as fast as the pseudo-terminal goes.
    pub baud: u32,
    /// The SAM's time to read a card before it answers a read.
    pub think: Duration,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig { card: None, faults: Vec::new(), baud: 115_200, think: Duration::ZERO }
    }
}

/// A running simulated reader; stops when dropped.
pub struct Simulator {
    path: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Simulator {
    pub fn start(config: SimConfig) -> std::io::Result<Simulator> {
        let (master, slave) = TTYPort::pair().map_err(std::io::Error::from)?;
        let path = slave.name().ok_or_else(|| std::io::Error::other("the pseudo-terminal has no name"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || serve(master, slave, config, &stop))
        };
        Ok(Simulator { path, stop, thread: Some(thread) })
    }

    /// The slave side's device path (`/dev/pts/N`), what the host opens.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The session of one simulated reader. `_slave` stays open so that the pseudo-terminal
/// lives on between the host's openings.
fn serve(mut master: TTYPort, _slave: TTYPort, config: SimConfig, stop: &AtomicBool) {
    let _ = master.set_timeout(Duration::from_millis(20));
    let mut decoder = FrameDecoder::for_requests();
    let mut card: Option<CardFile> = None;
    let mut selected = false;
    let mut buf = [0u8; 256];
    while !stop.load(Ordering::Relaxed) {
        match master.read(&mut buf) {
            Ok(n) if n > 0 => decoder.push(&buf[..n]),
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
            // EIO while no host has the slave open on some systems: wait for one
            Err(_) => {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
        }
        while let Some(request) = decoder.next_request() {
            let Ok(request) = request else {
                // a corrupt request: the reader says it got a wrong check byte
                send(&mut master, &config, &[], &encode_answer([0, 0, 0x10], &[]));
                continue;
            };
            let faults: Vec<Fault> = config.faults.iter().chain(card.iter().flat_map(|c| c.faults.iter())).copied().collect();
            let has = |f: Fault| faults.contains(&f);
            let noise: &[u8] = if has(Fault::Garbage) { &[0x00, 0xAA, 0x13, 0xAA, 0xAA, 0x96] } else { &[] };
            let answer = match request.command {
                [0x10, 0xFF] | [0x61, 0xFF] => encode_answer([0, 0, 0x90], &[]),
                [0x11, 0xFF] => encode_answer([0, 0, if has(Fault::SamFault) { 0x60 } else { 0x90 }], &[]),
                [0x12, 0xFF] => encode_answer([0, 0, 0x90], &SAM_ID_BYTES),
                [0x20, 0x01] => {
                    selected = false;
                    card = match &config.card {
                        Some(path) if !config.faults.contains(&Fault::NoCard) => CardFile::load(path).unwrap_or_else(|e| {
                            eprintln!("certdesk-idcard-sim: {e}");
                            None
                        }),
                        _ => None,
                    };
                    let found = card.as_ref().is_some_and(|c| !c.faults.contains(&Fault::NoCard));
                    if found { encode_answer([0, 0, 0x9F], &[0; 4]) } else { encode_answer([0, 0, 0x80], &[]) }
                }
                [0x20, 0x02] => {
                    selected = card.is_some() && !has(Fault::RemovedAtSelect);
                    if selected { encode_answer([0, 0, 0x90], &[0; 8]) } else { encode_answer([0, 0, 0x81], &[]) }
                }
                [0x30, code @ (0x01 | 0x10)] => match (&card, selected) {
                    (Some(card), true) => {
                        if !config.think.is_zero() {
                            std::thread::sleep(config.think);
                        }
                        match read_answer(card, code == 0x10, &faults) {
                            Some(frame) => frame,
                            None => continue,
                        }
                    }
                    _ => encode_answer([0, 0, 0x41], &[]),
                },
                _ => encode_answer([0, 0, 0x21], &[]),
            };
            if has(Fault::Truncated) && request.command[0] == 0x30 {
                send(&mut master, &config, noise, &answer[..answer.len() / 2]);
            } else {
                send(&mut master, &config, noise, &answer);
            }
        }
    }
}

/// The read answer with the faults applied; None: silence.
fn read_answer(card: &CardFile, fingerprint: bool, faults: &[Fault]) -> Option<Vec<u8>> {
    let has = |f: Fault| faults.contains(&f);
    if has(Fault::Silence) {
        return None;
    }
    if has(Fault::Removed) {
        return Some(encode_answer([0, 0, 0x41], &[]));
    }
    let fp: Vec<u8> = if fingerprint && card.fingerprint { (0..1024).map(|i| (i * 7) as u8).collect() } else { Vec::new() };
    let mut data = Vec::with_capacity(6 + 256 + 1024 + fp.len());
    data.extend(256u16.to_be_bytes());
    data.extend((card.photo.len() as u16).to_be_bytes());
    if fingerprint {
        data.extend((fp.len() as u16).to_be_bytes());
    }
    data.extend(card.text_with(faults));
    data.extend(&card.photo);
    data.extend(&fp);
    if has(Fault::ShortAnswer) {
        data.truncate(4 + 100);
    }
    let sw = if has(Fault::UnknownStatus) { [0, 0, 0x55] } else { [0, 0, 0x90] };
    let mut frame = encode_answer(sw, &data);
    if has(Fault::BadCheck) {
        *frame.last_mut()? ^= 0xFF;
    }
    if has(Fault::ShortFrame) {
        frame = PREAMBLE.to_vec();
        frame.extend([0x00, 0x02, 0x00, 0x90, 0x92]);
    }
    if has(Fault::Oversized) {
        frame[5..7].copy_from_slice(&4096u16.to_be_bytes());
    }
    Some(frame)
}

/// Writes `noise` and `frame` at the line's pace: each byte leaves when a `baud`-rate line,
/// 10 bits a byte, would have sent it.
fn send(port: &mut TTYPort, config: &SimConfig, noise: &[u8], frame: &[u8]) {
    let bytes: Vec<u8> = noise.iter().chain(frame).copied().collect();
    if config.baud == 0 {
        let _ = port.write_all(&bytes);
        return;
    }
    let per_byte = 10.0 / f64::from(config.baud);
    let start = Instant::now();
    let mut sent = 0;
    while sent < bytes.len() {
        let due = ((start.elapsed().as_secs_f64() / per_byte) as usize + 1).min(bytes.len());
        if due > sent {
            if port.write_all(&bytes[sent..due]).is_err() {
                return;
            }
            sent = due;
        } else {
            std::thread::sleep(Duration::from_micros(200));
        }
    }
    let _ = port.flush();
}
