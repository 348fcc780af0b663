//! The applicant's ID card, read from its chip at the counter. Two ways to a card: a reader
//! speaking GA/T 467 on a serial line (`Reader`: a USB serial device or COMn, 115200 8N1), or a
//! vendor's `SDT_*` library loaded from a configured path (`SdtLibrary`). Both give the same
//! `IdCard`: the 256-byte UCS-2LE text block decoded per the card type it says it is (resident
//! card, 港澳台居民居住证, 外国人永久居留身份证 of 2017), nation and nationality codes as names,
//! dates as dates (`长期` kept), the ID number checked with `certdesk_domain::ident`.
//!
//! The modules: `frame` (GA/T 467 framing and the streaming decoder), `status` (the reader's
//! status bytes), `command` (the commands and their answers), `text` (the text block),
//! `codes` (nation and nationality tables), `card` (the result), `serial` (the serial reader),
//! `sdt` with its `ffi` (the vendor library), `error`. The photo is never decoded here (WLT is
//! closed): it is returned only when a vendor library decodes it, kept in memory, never written.
//! No clock, no environment, no printing: the caller passes today's date where one is needed.

pub mod card;
pub mod codes;
pub mod command;
mod error;
mod ffi;
pub mod frame;
mod sdt;
mod serial;
pub mod status;
pub mod text;

pub use card::{CardDate, CardType, IdCard, Photo, Sex, Validity};
pub use command::Command;
pub use error::{ErrorKind, IdCardError, IdNumberProblem, Step, TextError};
pub use frame::{Answer, FrameDecoder, FrameError};
pub use sdt::{SdtLibrary, SdtPort, SdtReader};
pub use serial::{Reader, Timeouts};
pub use status::Status;

/// What the desk asks of a reader, whichever way it is reached.
pub trait CardReader {
    /// Whether a card lies on the reader (find card); no card is `Ok(false)`, cheap enough to poll.
    fn find_card(&mut self) -> Result<bool, IdCardError>;
    /// Find, select and read the card lying on the reader: its checked fields. No card is
    /// `IdCardError::NoCard`; a failed read fills nothing (the error says why).
    fn read_card(&mut self) -> Result<IdCard, IdCardError>;
    /// The reader's security module (SAM) works: `Ok(())`, else the status it reports.
    fn sam_status(&mut self) -> Result<(), IdCardError>;
    /// The SAM's number as readers print it (`05.01-20101028-0050316524-1705309542`), for the
    /// desk's reader panel.
    fn sam_id(&mut self) -> Result<String, IdCardError>;
}
