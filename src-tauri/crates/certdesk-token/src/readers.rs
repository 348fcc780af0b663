//! PC/SC readers and the keys in them. Owns listing readers with their card's ATR, identifying
//! the key model from the ATR (`assets/atr.toml`, then pcsc-tools' `smartcard_list.txt` when
//! installed), watching for insertion and removal through the PnP pseudo-reader, and APDU
//! exchange. A daemon, reader or card that goes away is an ordinary, clearly named state.

use serde::{Deserialize, Serialize};
use std::ffi::{CStr, CString};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ReaderError {
    #[error("the smart-card service is not running (start pcscd / the Windows Smart Card service)")]
    NoService,
    #[error("no reader named {0:?}")]
    NoReader(String),
    #[error("no key in reader {0:?}")]
    NoCard(String),
    #[error("the key was removed from {0:?} during the operation: insert it again")]
    Removed(String),
    #[error("PC/SC failed while {op}: {source}")]
    Pcsc { op: &'static str, source: pcsc::Error },
}

/// What went wrong with the smart-card service, as a code the desk shows in its own language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum PcscProblem {
    NoService,
    NoReader,
    NoCard,
    Removed,
    Failed,
}

impl ReaderError {
    pub fn problem(&self) -> PcscProblem {
        match self {
            ReaderError::NoService => PcscProblem::NoService,
            ReaderError::NoReader(_) => PcscProblem::NoReader,
            ReaderError::NoCard(_) => PcscProblem::NoCard,
            ReaderError::Removed(_) => PcscProblem::Removed,
            ReaderError::Pcsc { .. } => PcscProblem::Failed,
        }
    }
}

fn map<'a>(op: &'static str, reader: &'a str) -> impl Fn(pcsc::Error) -> ReaderError + 'a {
    move |e| match e {
        pcsc::Error::NoService | pcsc::Error::ServiceStopped | pcsc::Error::NoReadersAvailable if op == "connecting to the service" => ReaderError::NoService,
        pcsc::Error::NoService | pcsc::Error::ServiceStopped => ReaderError::NoService,
        pcsc::Error::RemovedCard | pcsc::Error::ResetCard => ReaderError::Removed(reader.to_string()),
        pcsc::Error::NoSmartcard => ReaderError::NoCard(reader.to_string()),
        pcsc::Error::UnknownReader | pcsc::Error::ReaderUnavailable => ReaderError::NoReader(reader.to_string()),
        source => ReaderError::Pcsc { op, source },
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ReaderState {
    pub reader: String,
    pub card_present: bool,
    /// Upper-case hex, space separated.
    pub atr: Option<String>,
    /// The key model when the ATR is known, else `None` ("unknown" at the desk).
    pub model: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum ReaderEvent {
    ReaderAdded { reader: String },
    ReaderRemoved { reader: String },
    CardInserted { reader: String, atr: String, model: Option<String> },
    CardRemoved { reader: String },
}

pub fn hex_atr(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(" ")
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    compact.len().is_multiple_of(2).then(|| (0..compact.len()).step_by(2).map(|i| u8::from_str_radix(&compact[i..i + 2], 16).ok()).collect::<Option<Vec<u8>>>())?
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AtrTable {
    card: Vec<AtrEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AtrEntry {
    atr: String,
    #[serde(default)]
    mask: Option<String>,
    model: String,
    #[serde(default)]
    vendor: Option<String>,
}

const SHIPPED_ATRS: &str = include_str!("../../../../assets/atr.toml");

/// The key model of an ATR: the shipped table first, then pcsc-tools' list if installed.
pub fn identify(atr: &[u8]) -> Option<String> {
    if let Ok(table) = toml::from_str::<AtrTable>(SHIPPED_ATRS) {
        for e in &table.card {
            let Some(want) = unhex(&e.atr) else { continue };
            let mask = e.mask.as_deref().and_then(unhex).unwrap_or_else(|| vec![0xFF; want.len()]);
            if want.len() == atr.len() && mask.len() == atr.len() && want.iter().zip(atr).zip(&mask).all(|((w, a), m)| w & m == a & m) {
                return Some(match &e.vendor {
                    Some(v) => format!("{} ({v})", e.model),
                    None => e.model.clone(),
                });
            }
        }
    }
    smartcard_list(atr)
}

/// pcsc-tools' list: an ATR line (regex-ish, `..` for any byte) then tab-indented descriptions.
fn smartcard_list(atr: &[u8]) -> Option<String> {
    let text = ["/usr/share/pcsc/smartcard_list.txt", "/usr/local/share/pcsc/smartcard_list.txt"].iter().find_map(|p| std::fs::read_to_string(p).ok())?;
    let wanted = hex_atr(atr);
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.starts_with('#') || line.starts_with('\t') || line.trim().is_empty() {
            continue;
        }
        let pattern: Vec<&str> = line.split_whitespace().collect();
        let got: Vec<&str> = wanted.split(' ').collect();
        let matches = pattern.len() == got.len()
            && pattern.iter().zip(&got).all(|(p, g)| {
                p.eq_ignore_ascii_case(g) || p.chars().all(|c| c == '.') || (p.len() == 2 && p.chars().zip(g.chars()).all(|(pc, gc)| pc == '.' || pc.eq_ignore_ascii_case(&gc)))
            });
        if matches {
            let mut desc = Vec::new();
            while let Some(next) = lines.peek() {
                if let Some(d) = next.strip_prefix('\t') {
                    desc.push(d.trim().to_string());
                    lines.next();
                } else {
                    break;
                }
            }
            return desc.into_iter().next();
        }
    }
    None
}

pub struct Readers {
    ctx: pcsc::Context,
}

impl Readers {
    pub fn connect() -> Result<Readers, ReaderError> {
        let ctx = pcsc::Context::establish(pcsc::Scope::User).map_err(map("connecting to the service", ""))?;
        Ok(Readers { ctx })
    }

    fn names(&self) -> Result<Vec<CString>, ReaderError> {
        match self.ctx.list_readers_owned() {
            Ok(r) => Ok(r),
            Err(pcsc::Error::NoReadersAvailable) => Ok(vec![]),
            Err(e) => Err(map("listing readers", "")(e)),
        }
    }

    /// Every reader with its card, if any.
    pub fn list(&self) -> Result<Vec<ReaderState>, ReaderError> {
        let names = self.names()?;
        let mut states: Vec<pcsc::ReaderState> = names.iter().map(|n| pcsc::ReaderState::new(n.clone(), pcsc::State::UNAWARE)).collect();
        if !states.is_empty() {
            self.ctx.get_status_change(Duration::from_millis(0), &mut states).map_err(map("reading reader states", ""))?;
        }
        Ok(states
            .iter()
            .map(|s| {
                let present = s.event_state().contains(pcsc::State::PRESENT);
                let atr = (present && !s.atr().is_empty()).then(|| s.atr().to_vec());
                ReaderState { reader: s.name().to_string_lossy().into_owned(), card_present: present, model: atr.as_deref().and_then(identify), atr: atr.as_deref().map(hex_atr) }
            })
            .collect())
    }

    /// Waits up to `timeout` for the next change: a reader or a key arriving or leaving.
    /// `known` is the previous `list()`; returns the events and the new list.
    pub fn wait(&self, known: &[ReaderState], timeout: Duration) -> Result<(Vec<ReaderEvent>, Vec<ReaderState>), ReaderError> {
        let names = self.names()?;
        let pnp = CString::new("\\\\?PnP?\\Notification").expect("no NUL");
        let mut states: Vec<pcsc::ReaderState> = names
            .iter()
            .map(|n| {
                let before = known.iter().find(|k| k.reader.as_bytes() == n.as_bytes());
                let st = match before {
                    Some(k) if k.card_present => pcsc::State::PRESENT,
                    Some(_) => pcsc::State::EMPTY,
                    None => pcsc::State::UNAWARE,
                };
                pcsc::ReaderState::new(n.clone(), st)
            })
            .collect();
        states.push(pcsc::ReaderState::new(pnp, pcsc::State::UNAWARE));
        // the PnP pseudo-reader reports the number of readers in the high word
        if let Some(last) = states.last_mut() {
            *last = pcsc::ReaderState::new(last.name().to_owned(), pcsc::State::from_bits_retain((names.len() as u64) << 16));
        }
        match self.ctx.get_status_change(timeout, &mut states) {
            Ok(()) | Err(pcsc::Error::Timeout) => {}
            Err(e) => return Err(map("watching readers", "")(e)),
        }
        let now = self.list()?;
        let mut events = Vec::new();
        for k in known {
            match now.iter().find(|n| n.reader == k.reader) {
                None => {
                    if k.card_present {
                        events.push(ReaderEvent::CardRemoved { reader: k.reader.clone() });
                    }
                    events.push(ReaderEvent::ReaderRemoved { reader: k.reader.clone() });
                }
                Some(n) if k.card_present && !n.card_present => events.push(ReaderEvent::CardRemoved { reader: n.reader.clone() }),
                Some(n) if n.card_present && (!k.card_present || k.atr != n.atr) => {
                    events.push(ReaderEvent::CardInserted { reader: n.reader.clone(), atr: n.atr.clone().unwrap_or_default(), model: n.model.clone() })
                }
                _ => {}
            }
        }
        for n in &now {
            if !known.iter().any(|k| k.reader == n.reader) {
                events.push(ReaderEvent::ReaderAdded { reader: n.reader.clone() });
                if n.card_present {
                    events.push(ReaderEvent::CardInserted { reader: n.reader.clone(), atr: n.atr.clone().unwrap_or_default(), model: n.model.clone() });
                }
            }
        }
        Ok((events, now))
    }

    /// Sends one APDU to the key in `reader` and returns the response (with SW1 SW2).
    pub fn transmit(&self, reader: &str, apdu: &[u8]) -> Result<Vec<u8>, ReaderError> {
        let name = CString::new(reader).map_err(|_| ReaderError::NoReader(reader.to_string()))?;
        let card = self.ctx.connect(&name, pcsc::ShareMode::Shared, pcsc::Protocols::ANY).map_err(map("connecting to the key", reader))?;
        let mut buf = [0u8; pcsc::MAX_BUFFER_SIZE];
        let resp = card.transmit(apdu, &mut buf).map_err(map("exchanging an APDU", reader))?;
        // a response without its status word: the key went away in the middle of the exchange
        if resp.len() < 2 {
            return Err(ReaderError::Removed(reader.to_string()));
        }
        Ok(resp.to_vec())
    }
}

/// The reader name as PC/SC spells it.
pub fn reader_name(c: &CStr) -> String {
    c.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_table_identifies_the_test_key_and_unknown_stays_unknown() {
        let atr = unhex("3B 8A 80 01 63 65 72 74 64 65 73 6B 31 2E 30 5A").unwrap();
        assert_eq!(identify(&atr).as_deref(), Some("certdesk virtual test key (certdesk)"));
        assert_eq!(identify(&[0x3B, 0x00]), None);
        assert_eq!(hex_atr(&[0x3B, 0x8A]), "3B 8A");
    }
}
