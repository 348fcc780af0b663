//! A reader reached through its vendor's `SDT_*` library (SDTAPI: `SDT_OpenPort`,
//! `SDT_StartFindIDCard`, `SDT_SelectIDCard`, `SDT_ReadBaseMsg`, `SDT_ClosePort`; optionally
//! `SDT_GetSAMStatus`, `SDT_ResetSAM`, `SDT_GetSAMIDToStr` and a photo decoder `unpack`),
//! loaded from the path the desk was configured with. Ports are USB 1001–1016 or serial 1–16;
//! `0x90` is success, `0x9F` a card found, `0x80` none. Owns what each return value means; the
//! calls themselves are in `ffi`. The photo is returned only when the library decodes it.

use crate::card::Photo;
use crate::error::{IdCardError, Step};
use crate::ffi::Api;
use crate::status::Status;
use crate::{CardReader, IdCard};
use std::path::Path;
use std::sync::Arc;

/// A port number of the SDT interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SdtPort(i32);

impl SdtPort {
    /// USB port `n` (1–16), i.e. 1000 + n.
    pub fn usb(n: i32) -> Result<SdtPort, IdCardError> {
        SdtPort::new(1000 + n)
    }

    /// Serial port `n` (1–16: COM1–COM16).
    pub fn serial(n: i32) -> Result<SdtPort, IdCardError> {
        if (1..=16).contains(&n) { Ok(SdtPort(n)) } else { Err(IdCardError::BadPort { port: n }) }
    }

    /// A port by its SDT number: 1001–1016 (USB) or 1–16 (serial).
    pub fn new(number: i32) -> Result<SdtPort, IdCardError> {
        if (1..=16).contains(&number) || (1001..=1016).contains(&number) { Ok(SdtPort(number)) } else { Err(IdCardError::BadPort { port: number }) }
    }

    pub fn number(self) -> i32 {
        self.0
    }

    /// Every port, USB first (the order vendors' tools search them).
    pub fn all() -> impl Iterator<Item = SdtPort> {
        (1001..=1016).chain(1..=16).map(SdtPort)
    }
}

impl std::fmt::Display for SdtPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0 > 1000 { write!(f, "USB port {} ({})", self.0 - 1000, self.0) } else { write!(f, "serial port {} (COM{})", self.0, self.0) }
    }
}

/// A loaded vendor library.
#[derive(Clone, Debug)]
pub struct SdtLibrary {
    api: Arc<Api>,
}

impl SdtLibrary {
    /// Loads the library at `path`; its own `unpack`, when it has one, decodes photos.
    pub fn open(path: &Path) -> Result<SdtLibrary, IdCardError> {
        Ok(SdtLibrary { api: Arc::new(Api::load(path, None)?) })
    }

    /// Loads the library at `path` and the photo decoder (a library exporting `unpack`, such as
    /// a vendor's `libwlt.so` or `DLL_File.dll`) at `decoder`.
    pub fn open_with_decoder(path: &Path, decoder: &Path) -> Result<SdtLibrary, IdCardError> {
        Ok(SdtLibrary { api: Arc::new(Api::load(path, Some(decoder))?) })
    }

    pub fn path(&self) -> &Path {
        &self.api.path
    }

    /// Whether photos come back decoded.
    pub fn decodes_photos(&self) -> bool {
        self.api.has_photo_decoder()
    }

    /// Opens a port (the reader stays open until the `SdtReader` is dropped).
    pub fn open_port(&self, port: SdtPort) -> Result<SdtReader, IdCardError> {
        let rv = self.api.open_port(port.0);
        if rv != i32::from(Status::SUCCESS.0) {
            return Err(library_error("SDT_OpenPort", rv));
        }
        Ok(SdtReader { api: self.api.clone(), port })
    }

    /// The first port with a reader, USB first.
    pub fn find_port(&self) -> Result<SdtReader, IdCardError> {
        SdtPort::all().find_map(|p| self.open_port(p).ok()).ok_or_else(|| IdCardError::NoReader { path: self.api.path.clone() })
    }
}

fn library_error(function: &'static str, rv: i32) -> IdCardError {
    match u8::try_from(rv) {
        Ok(code) if Status(code).known() => IdCardError::Library { function, status: Status(code) },
        _ => IdCardError::LibraryAnswer { function, what: format!("the unknown value {rv}") },
    }
}

/// An open port of a vendor library.
#[derive(Debug)]
pub struct SdtReader {
    api: Arc<Api>,
    port: SdtPort,
}

impl SdtReader {
    pub fn port(&self) -> SdtPort {
        self.port
    }

    pub fn reset_sam(&mut self) -> Result<(), IdCardError> {
        let rv = self.api.reset_sam(self.port.0).ok_or_else(|| self.missing("SDT_ResetSAM"))?;
        self.success("SDT_ResetSAM", rv)
    }

    fn missing(&self, symbol: &'static str) -> IdCardError {
        IdCardError::MissingSymbol { path: self.api.path.clone(), symbol }
    }

    fn success(&self, function: &'static str, rv: i32) -> Result<(), IdCardError> {
        if rv == i32::from(Status::SUCCESS.0) { Ok(()) } else { Err(library_error(function, rv)) }
    }
}

impl CardReader for SdtReader {
    fn find_card(&mut self) -> Result<bool, IdCardError> {
        match self.api.start_find(self.port.0) {
            rv if rv == i32::from(Status::FOUND.0) => Ok(true),
            rv if rv == i32::from(Status::NOT_FOUND.0) => Ok(false),
            rv => Err(library_error("SDT_StartFindIDCard", rv)),
        }
    }

    fn read_card(&mut self) -> Result<IdCard, IdCardError> {
        if !self.find_card()? {
            return Err(IdCardError::NoCard);
        }
        match self.api.select(self.port.0) {
            rv if rv == i32::from(Status::SUCCESS.0) => {}
            rv if rv == i32::from(Status::SELECT_FAILED.0) || rv == i32::from(Status::NOT_FOUND.0) => return Err(IdCardError::CardRemoved { step: Step::Select }),
            rv => return Err(library_error("SDT_SelectIDCard", rv)),
        }
        let (rv, blocks) = self.api.read_base_msg(self.port.0);
        match rv {
            rv if rv == i32::from(Status::SUCCESS.0) => {}
            rv if [Status::READ_FAILED, Status::NOT_FOUND, Status::SELECT_FAILED].iter().any(|s| rv == i32::from(s.0)) => {
                return Err(IdCardError::CardRemoved { step: Step::Read });
            }
            rv => return Err(library_error("SDT_ReadBaseMsg", rv)),
        }
        let (text, photo) = blocks.map_err(|what| IdCardError::LibraryAnswer { function: "SDT_ReadBaseMsg", what })?;
        if text.len() < crate::command::TEXT_LEN {
            return Err(IdCardError::LibraryAnswer { function: "SDT_ReadBaseMsg", what: format!("{} bytes of text, fewer than 256", text.len()) });
        }
        let mut card = crate::text::decode(&text[..crate::command::TEXT_LEN])?;
        if !photo.is_empty() {
            card.photo = self.api.unpack(&photo).and_then(Photo::from_bgr);
        }
        Ok(card)
    }

    fn sam_status(&mut self) -> Result<(), IdCardError> {
        let rv = self.api.sam_status(self.port.0).ok_or_else(|| self.missing("SDT_GetSAMStatus"))?;
        self.success("SDT_GetSAMStatus", rv)
    }

    fn sam_id(&mut self) -> Result<String, IdCardError> {
        let (rv, text) = self.api.sam_id(self.port.0).ok_or_else(|| self.missing("SDT_GetSAMIDToStr"))?;
        self.success("SDT_GetSAMIDToStr", rv)?;
        Ok(text)
    }
}

impl Drop for SdtReader {
    fn drop(&mut self) {
        // nothing to do when closing fails: the library keeps no state the desk relies on
        let _ = self.api.close_port(self.port.0);
    }
}

#[cfg(test)]
mod tests {
    use super::SdtPort;

    #[test]
    fn ports_are_usb_1001_to_1016_or_serial_1_to_16() {
        assert_eq!(SdtPort::usb(1).unwrap().number(), 1001);
        assert_eq!(SdtPort::serial(16).unwrap().number(), 16);
        for bad in [0, 17, 1000, 1017, -1] {
            assert!(SdtPort::new(bad).is_err(), "{bad}");
        }
        assert!(SdtPort::usb(17).is_err() && SdtPort::serial(0).is_err());
        assert_eq!(SdtPort::all().count(), 32);
        assert_eq!(SdtPort::all().next().unwrap().to_string(), "USB port 1 (1001)");
    }
}
