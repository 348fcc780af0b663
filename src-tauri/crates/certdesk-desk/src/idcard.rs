//! The applicant's ID card read at the counter (#29): which reader (a GA/T 467 reader on a
//! serial line, or a vendor's `SDT_*` library and its port), named on the command line or in the
//! administrator's settings (`idcard_port`, or `idcard_library` with `idcard_usb_port`); a card
//! read through it; and the card judged for the intake against the counter's today. Seed 003:
//! "如单位证件不在有效期内或未年检、个人身份证件无法进行扫描验证，将导致数字证书及电子签章无法办理"
//! — an expired card (or one not valid yet) is refused, with nothing filled from it.
//!
//! The photo never leaves memory: it is only shown (a data URL built for the screen) when a
//! vendor library decoded it; never logged, stored or written to a file. Does not decide which
//! field a card fills: the intake screen does, where the clerk is.

use crate::DeskError;
use base64::Engine;
use certdesk_idcard::{CardDate, CardReader, CardType, IdCard, SdtLibrary, SdtPort, Validity};
use chrono::NaiveDate;
use serde::Serialize;
use std::path::PathBuf;

pub use certdesk_idcard::{IdCard as Card, IdCardError};

/// The seed's words for a card that cannot be accepted (seed 003, 注意事项 1).
pub const SEED_RULE: &str = "个人身份证件无法进行扫描验证，将导致数字证书及电子签章无法办理";

/// Where the counter's reader is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderChoice {
    /// a GA/T 467 reader on a serial device (`/dev/ttyUSB0`, `COM3`)
    Serial(String),
    /// a vendor's SDT library; its USB port number (1–16, i.e. 1001–1016), or every port tried
    Library { path: PathBuf, usb_port: Option<i32> },
}

impl ReaderChoice {
    /// The reader the settings name (`idcard_port`, else `idcard_library` with
    /// `idcard_usb_port`), `None` when the administrator set none.
    pub fn from_settings(get: impl Fn(&str) -> Option<String>) -> Result<Option<ReaderChoice>, DeskError> {
        let set = |k: &str| get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        if let Some(port) = set("idcard_port") {
            return Ok(Some(ReaderChoice::Serial(port)));
        }
        match set("idcard_library") {
            Some(path) => Ok(Some(ReaderChoice::Library { path: PathBuf::from(path), usb_port: set("idcard_usb_port").map(|p| usb_port(&p)).transpose()? })),
            None => Ok(None),
        }
    }

    /// Opens the reader (the serial line at 115200 8N1, or the library and its port).
    pub fn open(&self) -> Result<Box<dyn CardReader + Send>, DeskError> {
        Ok(match self {
            ReaderChoice::Serial(port) => Box::new(certdesk_idcard::Reader::open(port)?),
            ReaderChoice::Library { path, usb_port } => {
                let library = SdtLibrary::open(path)?;
                Box::new(match usb_port {
                    Some(n) => library.open_port(SdtPort::usb(*n)?)?,
                    None => library.find_port()?,
                })
            }
        })
    }
}

/// A USB port as the settings and `--usb-port` give it: 1–16 (the library's 1001–1016).
pub fn usb_port(text: &str) -> Result<i32, DeskError> {
    let n: i32 = text.trim().parse().map_err(|_| DeskError::OutOfRange { what: "the reader's USB port", value: text.to_string(), range: "1–16 (or 1001–1016)".into() })?;
    let n = if (1001..=1016).contains(&n) { n - 1000 } else { n };
    if !(1..=16).contains(&n) {
        return Err(DeskError::OutOfRange { what: "the reader's USB port", value: text.to_string(), range: "1–16 (or 1001–1016)".into() });
    }
    Ok(n)
}

/// Reads the card lying on `reader`: its checked fields, or why not (no card, a failed read:
/// nothing is filled from it).
pub fn read(reader: &mut dyn CardReader) -> Result<IdCard, DeskError> {
    Ok(reader.read_card()?)
}

/// A card as the intake shows and uses it: the fields as text, the case's 证件类型 for it, and
/// whether it may be accepted today (refused in the seed's words when not).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CardForIntake {
    /// `resident`, `hmt_residence`, `foreign_permanent` (the CLI's `card_type`)
    pub card_type: String,
    /// 居民身份证, 港澳台居民居住证, 外国人永久居留身份证
    pub card_type_zh: String,
    /// the case JSON's `id_type` for this card
    pub id_type: String,
    pub name: String,
    pub sex: String,
    pub nation: Option<String>,
    pub birth_date: String,
    pub address: Option<String>,
    pub id_number: String,
    pub issuer: Option<String>,
    pub valid_from: String,
    /// `YYYY-MM-DD` or `长期`
    pub valid_to: String,
    pub english_name: Option<String>,
    pub nationality: Option<String>,
    pub pass_number: Option<String>,
    /// `valid`, `expired`, `not_yet_valid` on the counter's today
    pub validity: String,
    /// why the card cannot be used, in Chinese with the seed's words; `None`: it can
    pub refused: Option<String>,
    /// the photo as a BMP data URL, only when a vendor library decoded it (never stored)
    pub photo: Option<String>,
}

/// The card judged for the intake on `today`.
pub fn for_intake(card: &IdCard, today: NaiveDate) -> CardForIntake {
    let (validity, refused) = match card.validity_on(today) {
        Validity::Valid => ("valid", None),
        Validity::Expired { on } => ("expired", Some(format!("证件已于{on}过期，不能受理（{SEED_RULE}）"))),
        Validity::NotYetValid { from } => ("not_yet_valid", Some(format!("证件自{from}起才有效，不能受理（{SEED_RULE}）"))),
    };
    let id_type = match card.card_type {
        CardType::Resident => "resident_id",
        CardType::HmtResidence => "hmt_residence_permit",
        CardType::ForeignPermanent => "foreigner_residence_permit",
    };
    CardForIntake {
        card_type: serde_json::to_value(card.card_type).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
        card_type_zh: card.card_type.zh().to_string(),
        id_type: id_type.to_string(),
        name: card.name.clone(),
        sex: card.sex.zh().to_string(),
        nation: card.nation.clone(),
        birth_date: card.birth_date.to_string(),
        address: card.address.clone(),
        id_number: card.id_number.clone(),
        issuer: card.issuer.clone(),
        valid_from: card.valid_from.to_string(),
        valid_to: match card.valid_to {
            CardDate::Day(d) => d.to_string(),
            CardDate::LongTerm => "长期".to_string(),
        },
        english_name: card.english_name.clone(),
        nationality: card.nationality.clone(),
        pass_number: card.pass_number.clone(),
        validity: validity.to_string(),
        refused,
        photo: card.photo.as_ref().map(|p| format!("data:image/bmp;base64,{}", base64::engine::general_purpose::STANDARD.encode(&*p.to_bmp()))),
    }
}

/// The intake's reader as the app asks it every moment: opened once (again after it failed), a
/// card reported once each time it is laid on the reader, not again while it lies there.
pub struct CardWatch {
    choice: ReaderChoice,
    reader: Option<Box<dyn CardReader + Send>>,
    lying: bool,
}

impl CardWatch {
    pub fn new(choice: ReaderChoice) -> CardWatch {
        CardWatch { choice, reader: None, lying: false }
    }

    pub fn choice(&self) -> &ReaderChoice {
        &self.choice
    }

    /// A card newly laid on the reader, read and judged on `today`; `None`: no card, or the
    /// card read before still lying there. A failed read fills nothing and says why; a reader
    /// that failed is opened again at the next call (unplugged and plugged back).
    pub fn poll(&mut self, today: NaiveDate) -> Result<Option<CardForIntake>, DeskError> {
        if self.reader.is_none() {
            self.reader = Some(self.choice.open()?);
        }
        let reader = self.reader.as_mut().expect("opened above");
        let outcome = match reader.find_card() {
            Ok(false) => {
                self.lying = false;
                return Ok(None);
            }
            Ok(true) if self.lying => return Ok(None),
            Ok(true) => reader.read_card(),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(card) => {
                self.lying = true;
                Ok(Some(for_intake(&card, today)))
            }
            Err(IdCardError::NoCard) => Ok(None),
            Err(e) => {
                if matches!(e.kind(), certdesk_idcard::ErrorKind::Io | certdesk_idcard::ErrorKind::Timeout | certdesk_idcard::ErrorKind::Open) {
                    self.reader = None;
                }
                Err(e.into())
            }
        }
    }
}
