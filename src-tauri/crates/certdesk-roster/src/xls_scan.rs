//! The XLS pre-scan (#78): what an XLS file makes the spreadsheet library allocate, measured
//! before the library sees the file. calamine reads an XLS whole when it opens it: its OLE
//! container (the sector chains that hold the Workbook stream) and every sheet of the stream
//! (the area a sheet's DIMENSIONS record declares, the rectangle from its first to its last
//! cell, a shared string copied into each cell that shows it, formulas written out as text).
//! A few kilobytes can claim gigabytes there, and a failed allocation aborts the process. So
//! this module walks the container the way calamine 0.38 does (`calamine/src/cfb.rs`: the
//! header, the DIFAT, the FAT, the directory, the mini stream, the first entry named Workbook
//! or Book) and the stream's BIFF records the way it does (`calamine/src/xls.rs`: records with
//! their CONTINUEs, the globals up to EOF, then each sheet from its BOUNDSHEET offset), every
//! loop bounded by the bytes, and refuses a file past a limit of [`crate::limits`] with the
//! limit named, or a container it cannot follow the way calamine would (a chain that loops,
//! a sector past the end) as unreadable. What calamine refuses by itself without allocating
//! (a record too short, an unknown code page) is left to it; a panic of calamine on a damaged
//! file is caught by `sheet`.

use crate::RosterError;
use crate::error::OleDamage;
use crate::limits::{Limit, MAX_CELLS, MAX_FILE_BYTES, MAX_FORMULA_BYTES, MAX_TEXT_BYTES};

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const RESERVED_SECTORS: u32 = 0xFFFF_FFFA;
const DIFSECT: u32 = 0xFFFF_FFFC;
/// A stream shorter than this lives in the mini stream (64-byte mini sectors).
const MINI_STREAM_CUTOFF: usize = 4096;
const MINI_SECTOR: usize = 64;
/// The most UTF-8 bytes one character unit of a string (a byte, or a UTF-16 unit) can decode
/// to: two replacement characters, where a code page cannot decode the unit's two bytes.
const UTF8_PER_CHAR: u64 = 6;

/// Refuses `bytes` (an OLE file) if calamine would allocate past a limit reading it as XLS.
pub(crate) fn check(bytes: &[u8]) -> Result<(), RosterError> {
    let Some(stream) = workbook_stream(bytes)? else {
        // no workbook stream, or a container calamine refuses on its own before any sheet
        return Ok(());
    };
    scan_biff(&stream)
}

fn unreadable(damage: OleDamage) -> RosterError {
    RosterError::Unreadable { cause: damage.into() }
}

fn over(what: String, limit: Limit) -> RosterError {
    RosterError::OverLimit { what, limit }
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

fn u32s(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

/// The file's sectors as calamine numbers them: sector `id` starts `header + id × size` bytes
/// into the file, and an id above `len / size` is refused.
struct Sectors<'a> {
    body: &'a [u8],
    size: usize,
    max_id: u32,
}

impl<'a> Sectors<'a> {
    fn get(&self, id: u32) -> Result<Option<&'a [u8]>, RosterError> {
        if id > self.max_id {
            // calamine: "sector points past end of file", an error before more is read
            return Ok(None);
        }
        let start = id as usize * self.size;
        match self.body.get(start..start + self.size) {
            Some(sector) => Ok(Some(sector)),
            // calamine reads a sector cut by the end of the file as short the first time and
            // zero-padded after: refused rather than guessed
            None => Err(unreadable(OleDamage::SectorPastEnd { id })),
        }
    }

    /// The chain from `first` through `table` up to `len` bytes, as calamine's `get_chain`
    /// reads it; None where calamine stops with an error. A chain longer than the file has
    /// sectors goes round in a loop: calamine would follow it until `len` (up to 2^64 bytes).
    fn chain(&self, first: u32, table: &[u32], len: usize, what: &'static str) -> Result<Option<Vec<u8>>, RosterError> {
        let mut out = Vec::new();
        let mut id = first;
        let mut steps = 0u64;
        while id != ENDOFCHAIN {
            steps += 1;
            if steps > u64::from(self.max_id) + 1 {
                return Err(unreadable(OleDamage::ChainLoops { chain: what }));
            }
            let Some(sector) = self.get(id)? else { return Ok(None) };
            let take = sector.len().min(len - out.len());
            out.extend_from_slice(&sector[..take]);
            if out.len() >= len {
                break;
            }
            id = *table.get(id as usize).ok_or_else(|| unreadable(OleDamage::ChainNamesMissingSector { chain: what, id }))?;
        }
        Ok(Some(out))
    }
}

/// One directory entry as calamine reads it.
struct Entry {
    name: String,
    start: u32,
    len: usize,
}

/// The stream calamine would read as the workbook: the first directory entry named Workbook,
/// else Book (ASCII case ignored), whole; None where calamine stops before reading any sheet.
fn workbook_stream(bytes: &[u8]) -> Result<Option<Vec<u8>>, RosterError> {
    let Some(header) = bytes.get(..512) else { return Ok(None) };
    let size = match u16_at(header, 30) {
        Some(0x0009) => 512,
        Some(0x000C) => 4096,
        _ => return Ok(None),
    };
    if u16_at(header, 32) != Some(6) || bytes.len() < size {
        return Ok(None);
    }
    let version = u16_at(header, 26).unwrap_or(0);
    let read = |at| u32_at(header, at).unwrap_or(0);
    let (dir_start, mini_fat_start, mini_fat_len, difat_start) = (read(48), read(60), read(64) as usize, read(68));
    let max_id = u32::try_from(bytes.len() / size).unwrap_or(u32::MAX);
    let sectors = Sectors { body: &bytes[size..], size, max_id };

    // the DIFAT: the header's 109 entries, then a chain of DIFAT sectors whose last entry is
    // the next one's id
    let mut difat: Vec<u32> = u32s(&header[76..512]).collect();
    let mut id = difat_start;
    let mut difat_sectors = 0u64;
    while id < RESERVED_SECTORS {
        difat_sectors += 1;
        if difat_sectors > u64::from(max_id) + 1 {
            return Ok(None);
        }
        let Some(sector) = sectors.get(id)? else { return Ok(None) };
        difat.extend(u32s(sector));
        let Some(next) = difat.pop() else { return Ok(None) };
        id = next;
    }
    // the FAT: calamine reads a sector for each DIFAT entry, the same sector as often as it is
    // named, so a DIFAT that repeats one id costs a sector each time
    let fat_ids: Vec<u32> = difat.into_iter().filter(|id| *id < DIFSECT).collect();
    if (fat_ids.len() as u64).saturating_mul(size as u64) > bytes.len() as u64 {
        return Err(unreadable(OleDamage::TooManyFatSectors { count: fat_ids.len() }));
    }
    let mut fat = Vec::with_capacity(fat_ids.len() * size / 4);
    for id in fat_ids {
        let Some(sector) = sectors.get(id)? else { return Ok(None) };
        fat.extend(u32s(sector));
    }

    let Some(directory) = sectors.chain(dir_start, &fat, usize::MAX, "directory")? else { return Ok(None) };
    let entries: Vec<Entry> = directory
        .chunks_exact(128)
        .map(|e| {
            let units: Vec<u16> = e[..64].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
            let mut name = String::from_utf16_lossy(&units);
            if let Some(end) = name.find('\0') {
                name.truncate(end);
            }
            let start = u32_at(e, 116).unwrap_or(0);
            let len = if size == 512 { u32_at(e, 120).map(|l| l as u64) } else { u64_at(e, 120) };
            Entry { name, start, len: usize::try_from(len.unwrap_or(0)).unwrap_or(usize::MAX) }
        })
        .collect();
    let Some(root) = entries.first() else { return Ok(None) };
    if version != 3 && root.start == ENDOFCHAIN {
        return Ok(None);
    }

    // the mini stream (the root entry's chain) and its table, read whenever the header
    // counts mini FAT sectors
    let (mini_fat, mini_stream) = if mini_fat_len > 0 {
        let Some(mini_stream) = sectors.chain(root.start, &fat, root.len, "mini stream")? else { return Ok(None) };
        let Some(mini_fat) = sectors.chain(mini_fat_start, &fat, mini_fat_len.saturating_mul(size), "mini FAT")? else { return Ok(None) };
        (u32s(&mini_fat).collect::<Vec<u32>>(), mini_stream)
    } else {
        (Vec::new(), Vec::new())
    };

    for name in ["Workbook", "Book"] {
        let Some(entry) = entries.iter().find(|e| e.name.eq_ignore_ascii_case(name)) else { continue };
        let stream =
            if entry.len < MINI_STREAM_CUTOFF { mini_chain(&mini_stream, &mini_fat, max_id, entry)? } else { sectors.chain(entry.start, &fat, entry.len, "workbook stream")? };
        match stream {
            Some(stream) if stream.len() as u64 > MAX_FILE_BYTES => {
                return Err(over(format!("the workbook stream is {} bytes", stream.len()), Limit::FileBytes));
            }
            Some(stream) => return Ok(Some(stream)),
            // calamine tries Book when Workbook fails
            None => continue,
        }
    }
    Ok(None)
}

/// A stream in the mini stream (under 4096 bytes, so at most 64 mini sectors are read).
fn mini_chain(mini_stream: &[u8], mini_fat: &[u32], max_id: u32, entry: &Entry) -> Result<Option<Vec<u8>>, RosterError> {
    let mut out = Vec::new();
    let mut id = entry.start;
    while id != ENDOFCHAIN {
        if u64::from(id) > u64::from(max_id) * 8 {
            return Ok(None);
        }
        let start = id as usize * MINI_SECTOR;
        // calamine reads a mini sector past the mini stream from wherever the file was left:
        // refused rather than guessed
        let sector = mini_stream.get(start..start + MINI_SECTOR).ok_or_else(|| unreadable(OleDamage::MiniSectorPastStream { id }))?;
        let take = MINI_SECTOR.min(entry.len - out.len());
        out.extend_from_slice(&sector[..take]);
        if out.len() >= entry.len {
            break;
        }
        id = *mini_fat.get(id as usize).ok_or_else(|| unreadable(OleDamage::MiniChainNamesMissingSector { id }))?;
    }
    Ok(Some(out))
}

/// One BIFF record with the CONTINUE records that follow it, as calamine's `RecordIter` splits
/// the stream.
struct Record<'a> {
    typ: u16,
    data: &'a [u8],
    cont: Vec<&'a [u8]>,
}

/// The records of `stream`, until its end or a record cut short (where calamine stops with an
/// error: None after it).
struct Records<'a> {
    stream: &'a [u8],
    failed: bool,
}

impl<'a> Records<'a> {
    fn new(stream: &'a [u8]) -> Self {
        Records { stream, failed: false }
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        if self.failed || self.stream.is_empty() {
            return None;
        }
        let header = |s: &[u8]| Some((u16_at(s, 0)?, u16_at(s, 2)? as usize));
        let Some((typ, len)) = header(self.stream).filter(|(_, len)| self.stream.len() >= len + 4) else {
            self.failed = true;
            return None;
        };
        let data = &self.stream[4..4 + len];
        self.stream = &self.stream[4 + len..];
        let mut cont = Vec::new();
        while self.stream.len() > 4 && u16_at(self.stream, 0) == Some(0x003C) {
            let len = u16_at(self.stream, 2).unwrap_or(0) as usize;
            if self.stream.len() < len + 4 {
                self.failed = true;
                return None;
            }
            cont.push(&self.stream[4..4 + len]);
            self.stream = &self.stream[4 + len..];
        }
        Some(Record { typ, data, cont })
    }
}

/// What the sheets read so far make calamine hold.
#[derive(Default)]
struct Totals {
    /// Dense cells of every sheet read so far (values and formulas).
    cells: u64,
    /// Cells calamine holds one by one before it builds a sheet's dense range.
    records: u64,
    /// UTF-8 bytes of cell text, at most.
    text: u64,
    formula_bytes: u64,
}

/// The rectangle spanned by a sheet's cells, and how many there are.
#[derive(Default)]
struct Span {
    corners: Option<(u32, u32, u32, u32)>,
    count: u64,
}

impl Span {
    fn add(&mut self, row: u32, col: u32) {
        self.count += 1;
        self.corners = Some(match self.corners {
            None => (row, row, col, col),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(col)),
        });
    }

    fn area(&self) -> u64 {
        self.corners.map_or(0, |(r0, r1, c0, c1)| u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1))
    }
}

/// The BIFF records of the workbook stream: the globals (shared strings, sheets' offsets), then
/// each sheet as calamine reads it, refused as soon as a limit is passed.
fn scan_biff(stream: &[u8]) -> Result<(), RosterError> {
    let mut sheets: Vec<usize> = Vec::new();
    let mut shared: Vec<u16> = Vec::new();
    for mut r in Records::new(stream) {
        match r.typ {
            // BoundSheet8: the sheet's offset in the stream
            0x0085 => match u32_at(r.data, 0) {
                Some(pos) if r.data.len() >= 6 => sheets.push(pos as usize),
                _ => return Ok(()),
            },
            // SST: each string's length, as calamine splits them
            0x00FC => match shared_string_lengths(&mut r) {
                Some(lengths) => shared = lengths,
                None => return Ok(()),
            },
            0x000A => break,
            _ => {}
        }
    }
    let mut totals = Totals::default();
    for (n, pos) in sheets.into_iter().enumerate() {
        let Some(sheet) = stream.get(pos..) else { continue };
        if !scan_sheet(sheet, n + 1, &shared, &mut totals)? {
            break;
        }
    }
    Ok(())
}

/// The character counts of the SST's strings, read as calamine's `parse_sst` does (a string's
/// characters may go on in the next CONTINUE, behind a byte that says their width); None where
/// calamine stops with an error.
fn shared_string_lengths(r: &mut Record<'_>) -> Option<Vec<u16>> {
    let mut data = r.data.get(8..)?;
    let mut conts = r.cont.iter();
    let mut lengths = Vec::new();
    loop {
        if data.is_empty() {
            match conts.next() {
                Some(next) => data = next,
                None => return Some(lengths),
            }
            if data.is_empty() {
                lengths.push(0);
                continue;
            }
        }
        let cch = u16_at(data, 0)?;
        let flags = *data.get(2)?;
        data = &data[3..];
        let mut runs = 0usize;
        if flags & 0x8 != 0 {
            runs = u16_at(data, 0)? as usize;
            data = &data[2..];
        }
        let mut ext = 0usize;
        if flags & 0x4 != 0 {
            ext = u32_at(data, 0)? as i32 as usize;
            data = &data[4..];
        }
        let mut high_byte = flags & 0x1 != 0;
        let mut left = cch as usize;
        while left > 0 {
            let width = if high_byte { 2 } else { 1 };
            let n = left.min(data.len() / width);
            data = &data[n * width..];
            left -= n;
            if left > 0 {
                let next = conts.next()?;
                high_byte = *next.first()? & 0x1 != 0;
                data = &next[1..];
            }
        }
        for mut skip in [runs.saturating_mul(4), ext] {
            while skip > 0 {
                while data.is_empty() {
                    data = conts.next()?;
                }
                let n = skip.min(data.len());
                data = &data[n..];
                skip -= n;
            }
        }
        lengths.push(cch);
    }
}

/// One sheet's records from its BOF to its EOF (nested substreams skipped, as calamine skips
/// them), added to `totals`; false where calamine stops with an error (nothing after it is read).
fn scan_sheet(stream: &[u8], number: usize, shared: &[u16], totals: &mut Totals) -> Result<bool, RosterError> {
    let mut records = Records::new(stream);
    let (mut values, mut formulas) = (Span::default(), Span::default());
    let mut formula_at = (0u32, 0u32);
    let (mut seen_bof, mut depth) = (false, 0usize);
    let mut complete = true;
    let text_limit = |text: u64| {
        if text > MAX_TEXT_BYTES { Err(over(format!("the cells of sheet {number} and those before it hold up to {text} bytes of text"), Limit::TextBytes)) } else { Ok(()) }
    };
    for r in records.by_ref() {
        if depth > 0 {
            match r.typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let d = r.data;
        let at = |d: &[u8]| (u32::from(u16_at(d, 0).unwrap_or(0)), u32::from(u16_at(d, 2).unwrap_or(0)));
        // a record shorter than calamine requires ends the read with an error
        let long_enough = |min: usize| d.len() >= min;
        match r.typ {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            // DIMENSIONS: calamine reserves room for the area it declares
            0x0200 => {
                let Some((rows, cols)) = declared(d) else {
                    complete = false;
                    break;
                };
                let area = rows.checked_mul(cols).filter(|a| *a <= MAX_CELLS as i64 && rows > 0 && cols > 0);
                if area.is_none() {
                    return Err(over(format!("sheet {number} declares {rows} rows by {cols} columns (its DIMENSIONS record)"), Limit::Cells));
                }
            }
            // Number, BoolErr, RK
            0x0203 | 0x0205 | 0x027E => {
                if !long_enough(match r.typ {
                    0x0203 => 14,
                    0x0205 => 8,
                    _ => 10,
                }) {
                    complete = false;
                    break;
                }
                let (row, col) = at(d);
                values.add(row, col);
            }
            // Label, RString: their text is in the record
            0x0204 | 0x00D6 => {
                if !long_enough(6) {
                    complete = false;
                    break;
                }
                let (row, col) = at(d);
                values.add(row, col);
                totals.text += UTF8_PER_CHAR * d.len() as u64;
                text_limit(totals.text)?;
            }
            // String: a formula's text value, in the formula's cell
            0x0207 => {
                values.add(formula_at.0, formula_at.1);
                totals.text += UTF8_PER_CHAR * d.len() as u64;
                text_limit(totals.text)?;
            }
            // LabelSst: a copy of a shared string
            0x00FD => {
                if !long_enough(10) {
                    complete = false;
                    break;
                }
                let index = u32_at(d, 6).unwrap_or(u32::MAX) as usize;
                if let Some(chars) = shared.get(index) {
                    let (row, col) = at(d);
                    values.add(row, col);
                    totals.text += UTF8_PER_CHAR * u64::from(*chars);
                    text_limit(totals.text)?;
                }
            }
            // MulRk: a run of numbers in one row
            0x00BD => {
                let (row, first) = at(d);
                let last = d.len().checked_sub(2).and_then(|end| u16_at(d, end)).map(u32::from);
                let Some(last) = last.filter(|_| long_enough(6)) else {
                    complete = false;
                    break;
                };
                let declared_len = 6usize.wrapping_add(6usize.wrapping_mul((last as u16).wrapping_sub(first as u16).wrapping_add(1) as usize));
                if d.len() != declared_len {
                    complete = false;
                    break;
                }
                let count = (d.len() - 6).div_ceil(6) as u32;
                if count > 0 {
                    values.add(row, first);
                    values.add(row, first + count - 1);
                    // the two corners counted, the run is `count` cells
                    values.count = values.count + u64::from(count) - 2;
                }
            }
            // Formula: its value in the cell, its tokens written out as text
            0x0006 => {
                if !long_enough(20) {
                    complete = false;
                    break;
                }
                formula_at = at(d);
                values.add(formula_at.0, formula_at.1);
                formulas.add(formula_at.0, formula_at.1);
                totals.formula_bytes += (d.len() - 20) as u64;
                if totals.formula_bytes > MAX_FORMULA_BYTES {
                    return Err(over(format!("the formulas of sheet {number} and those before it are {} bytes", totals.formula_bytes), Limit::FormulaBytes));
                }
            }
            0x000A => break,
            _ => {}
        }
    }
    if records.failed {
        complete = false;
    }
    // both dense ranges are built even when the sheet's read ends in an error: only the
    // globals' error stops calamine before any allocation, and then nothing more is read
    totals.cells += values.area() + formulas.area();
    totals.records += values.count + formulas.count;
    if totals.records > MAX_CELLS {
        return Err(over(format!("sheet {number} and those before it hold {} cells", totals.records), Limit::Cells));
    }
    if totals.cells > MAX_CELLS {
        return Err(over(format!("the cells of sheet {number} and those before it span {} cells (from each sheet's first cell to its last)", totals.cells), Limit::Cells));
    }
    Ok(complete)
}

/// The rows and columns a DIMENSIONS record declares, as calamine computes them (its start
/// column set to 0 when past 255 or past the end); None where calamine refuses the record.
fn declared(d: &[u8]) -> Option<(i64, i64)> {
    let (first_row, last_row, mut first_col, last_col) = match d.len() {
        10 => (u32::from(u16_at(d, 0)?), u32::from(u16_at(d, 2)?), u32::from(u16_at(d, 4)?), u32::from(u16_at(d, 6)?)),
        14 | 16 => (u32_at(d, 0)?, u32_at(d, 4)?, u32::from(u16_at(d, 8)?), u32::from(u16_at(d, 10)?)),
        _ => return None,
    };
    if 0xFF < first_col || last_col < first_col {
        first_col = 0;
    }
    let (end_row, end_col) = if last_row >= 1 && last_col >= 1 { (last_row - 1, last_col - 1) } else { (first_row, first_col) };
    Some((i64::from(end_row) - i64::from(first_row) + 1, i64::from(end_col) - i64::from(first_col) + 1))
}
