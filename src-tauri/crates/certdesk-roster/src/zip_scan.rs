//! What a workbook's ZIP archive (XLSX, XLSB, ODS) inflates to, measured before the spreadsheet
//! library opens it (#78). The sizes the archive declares are the fast path: past
//! [`MAX_INFLATED_BYTES`] the file is refused at once. But an entry that streams its sizes in a
//! data descriptor declares none, and a declared size can be a lie, so every entry is then
//! inflated through a counting reader that stops one byte past what is left of the limit,
//! whatever its headers say: the archive is refused as soon as its entries together inflate
//! past the limit. Entries the ZIP library cannot open (an unknown method, a password) are left
//! to the spreadsheet library, which cannot open them either. An ODS's `content.xml` is kept
//! as it inflates and measured by `ods_scan`.

use crate::RosterError;
use crate::limits::{Limit, MAX_INFLATED_BYTES};
use std::io::{Cursor, Read};

/// Refuses `bytes` (a ZIP archive) if its entries declare or inflate to more than
/// [`MAX_INFLATED_BYTES`] together.
pub(crate) fn check(bytes: &[u8]) -> Result<(), RosterError> {
    let too_much = |what: String| RosterError::OverLimit { what, limit: Limit::InflatedBytes };
    // an archive the ZIP library does not open is one calamine (the same library) does not
    // open either
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else { return Ok(()) };
    if let Some(declared) = archive.decompressed_size()
        && declared > u128::from(MAX_INFLATED_BYTES)
    {
        return Err(too_much(format!("the workbook's entries declare {declared} bytes")));
    }
    let mut inflated = 0u64;
    let mut buffer = vec![0u8; 64 << 10];
    // an ODS's tables, kept for `ods_scan` (within the limit, as everything inflated)
    let mut ods_content: Option<Vec<u8>> = None;
    for index in 0..archive.len() {
        let Ok(entry) = archive.by_index(index) else { continue };
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_else(|_| format!("number {index}"));
        let mut keep = (name == "content.xml").then(Vec::new);
        let mut limited = entry.take(MAX_INFLATED_BYTES - inflated + 1);
        loop {
            match limited.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => {
                    inflated += n as u64;
                    if let Some(kept) = keep.as_mut() {
                        kept.extend_from_slice(&buffer[..n]);
                    }
                }
                // a damaged entry: calamine meets the same damage if it reads that far
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
            if inflated > MAX_INFLATED_BYTES {
                return Err(too_much(format!("the workbook's entries inflate to more than {MAX_INFLATED_BYTES} bytes (counted up to entry {name})")));
            }
        }
        if keep.is_some() {
            ods_content = keep;
        }
    }
    match ods_content {
        Some(content) => crate::ods_scan::check(&content),
        None => Ok(()),
    }
}
