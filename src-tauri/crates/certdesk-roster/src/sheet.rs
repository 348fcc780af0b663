//! From a file's bytes to rows of cells, numbered as the spreadsheet numbers them. Owns format
//! detection by content (never by file name): a ZIP workbook (XLSX, XLSB, ODS) or an OLE one
//! (XLS) through calamine, anything else as CSV text whose encoding is detected (UTF-8 with or
//! without BOM, UTF-16 with BOM as Excel's "Unicode text", GB18030/GBK as Excel writes CSV on a
//! Chinese Windows) and whose separator is found (comma, tab, semicolon). Reads at most a row
//! budget of non-empty rows per sheet, so a huge sheet costs no more than a list can hold.
//! Does not know what the columns mean: that is `columns`.

use crate::RosterError;
use crate::error::UnreadableSheet;
use calamine::{Data, DataRef, Reader, SheetType, SheetVisible, Xls, XlsError, Xlsx, XlsxError};
use encoding_rs::{Encoding, GB18030, UTF_8};
use std::io::Cursor;

/// What a list was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Xlsx,
    Xls,
    Xlsb,
    Ods,
    Csv,
}

/// One cell's value as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    /// A whole number the file stores exactly (XLSX `Int`).
    Int(i64),
    Number(f64),
    Bool(bool),
    /// A cell formatted as a date or time (its serial number).
    Date(f64),
    /// An Excel error value (`#N/A`, `#REF!`, …).
    Error(String),
}

impl Value {
    /// The cell as the clerk sees it, for messages.
    pub fn shown(&self) -> String {
        match self {
            Value::Text(t) => t.clone(),
            Value::Int(i) => i.to_string(),
            Value::Number(n) => format!("{n}"),
            Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
            Value::Date(d) => format!("{d}"),
            Value::Error(e) => e.clone(),
        }
    }

    fn is_blank(&self) -> bool {
        matches!(self, Value::Text(t) if t.trim().is_empty())
    }
}

/// A row with at least one non-blank cell: its number (1-based) and its cells by column
/// (0-based), in column order.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    pub number: u32,
    pub cells: Vec<(u32, Value)>,
}

impl SheetRow {
    pub fn cell(&self, column: u32) -> Option<&Value> {
        self.cells.iter().find(|(c, _)| *c == column).map(|(_, v)| v)
    }
}

/// One worksheet's rows (up to the budget) and whether rows were left unread past it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The worksheet's name (none for CSV).
    pub name: Option<String>,
    pub rows: Vec<SheetRow>,
    pub truncated: bool,
}

/// A file's sheets in workbook order (hidden sheets left out: the clerk does not see them).
#[derive(Debug, Clone, PartialEq)]
pub struct Workbook {
    pub format: Format,
    /// The text encoding of a CSV file (`UTF-8`, `GB18030`, `UTF-16LE`, …).
    pub encoding: Option<&'static str>,
    pub sheets: Vec<Sheet>,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Reads the workbook in `bytes`, at most `row_budget` non-empty rows per sheet.
pub fn read(bytes: &[u8], row_budget: usize) -> Result<Workbook, RosterError> {
    // the scans below bound what a file of this size can claim
    if bytes.len() as u64 > crate::MAX_FILE_BYTES {
        return Err(RosterError::TooLarge { size: bytes.len() as u64, max: crate::MAX_FILE_BYTES });
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(RosterError::Empty);
    }
    if bytes.starts_with(ZIP_MAGIC) {
        return guarded(|| read_zip(bytes, row_budget));
    }
    if bytes.starts_with(OLE_MAGIC) {
        return guarded(|| read_ole(bytes, row_budget));
    }
    read_csv(bytes, row_budget)
}

/// Runs a read through calamine, a panic of the library on a damaged file (an index past a
/// record's end, an arithmetic overflow) turned into `Unreadable`: the file is refused, the
/// caller goes on. (Allocations are what the scans bound beforehand: a failed one aborts.)
fn guarded(read: impl FnOnce() -> Result<Workbook, RosterError>) -> Result<Workbook, RosterError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or(Err(RosterError::Unreadable { cause: UnreadableSheet::LibraryFailed }))
}

fn unreadable(cause: impl Into<UnreadableSheet>) -> RosterError {
    RosterError::Unreadable { cause: cause.into() }
}

/// XLSX and XLSB streamed cell by cell (a sheet is read only as far as the budget); ODS whole.
/// The archive's inflated size is measured first (`zip_scan`), and an ODS's repeated rows and
/// columns as calamine expands them (`ods_scan`).
fn read_zip(bytes: &[u8], row_budget: usize) -> Result<Workbook, RosterError> {
    crate::zip_scan::check(bytes)?;
    match calamine::open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes)) {
        Ok(mut book) => {
            let names = visible_worksheets(book.sheets_metadata());
            let mut sheets = Vec::new();
            for name in names {
                let mut reader = book.worksheet_cells_reader(&name).map_err(unreadable)?;
                let mut rows = RowCollector::new(row_budget);
                while let Some(cell) = reader.next_cell().map_err(unreadable)? {
                    let (row, column) = cell.get_position();
                    if let Some(value) = from_data_ref(cell.get_value())
                        && !rows.push(row + 1, column, value)
                    {
                        break;
                    }
                }
                sheets.push(rows.finish(Some(name)));
            }
            Ok(Workbook { format: Format::Xlsx, encoding: None, sheets })
        }
        Err(XlsxError::Password) => Err(RosterError::Encrypted),
        Err(xlsx) => {
            if let Ok(book) = calamine::open_workbook_from_rs::<calamine::Xlsb<_>, _>(Cursor::new(bytes)) {
                return xlsb_sheets(book, row_budget);
            }
            if let Ok(book) = calamine::open_workbook_from_rs::<calamine::Ods<_>, _>(Cursor::new(bytes)) {
                return whole_sheets(book, Format::Ods, row_budget);
            }
            match xlsx {
                // a ZIP archive without a workbook in it: a .docx, a .zip of scans …
                XlsxError::FileNotFound(_) => Err(RosterError::NotASpreadsheet { what: "a ZIP archive that holds no workbook".into() }),
                other => Err(unreadable(other)),
            }
        }
    }
}

/// An OLE compound file: an XLS workbook, or an encrypted XLSX (which Office wraps in OLE).
/// calamine reads every sheet of an XLS as it opens it: what that would allocate is measured
/// first (`xls_scan`).
fn read_ole(bytes: &[u8], row_budget: usize) -> Result<Workbook, RosterError> {
    crate::xls_scan::check(bytes)?;
    match calamine::open_workbook_from_rs::<Xls<_>, _>(Cursor::new(bytes)) {
        Ok(book) => whole_sheets(book, Format::Xls, row_budget),
        Err(XlsError::Password) => Err(RosterError::Encrypted),
        Err(xls) => match calamine::open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes)) {
            Err(XlsxError::Password) => Err(RosterError::Encrypted),
            _ => match xls {
                XlsError::Cfb(_) | XlsError::Vba(_) => Err(unreadable(xls)),
                // an OLE file without a workbook stream: a .doc, an .msg …
                _ => Err(RosterError::NotASpreadsheet { what: format!("an OLE file that is not an Excel workbook ({xls})") }),
            },
        },
    }
}

fn visible_worksheets(sheets: &[calamine::Sheet]) -> Vec<String> {
    sheets.iter().filter(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible).map(|s| s.name.clone()).collect()
}

/// XLSB's sheets cell by cell, as XLSX's: calamine's whole range of a sheet spans from its first
/// cell to its last, 17 G cells for one at XFD1048576.
fn xlsb_sheets(mut book: calamine::Xlsb<Cursor<&[u8]>>, row_budget: usize) -> Result<Workbook, RosterError> {
    let names = visible_worksheets(book.sheets_metadata());
    let mut sheets = Vec::new();
    for name in names {
        let mut reader = book.worksheet_cells_reader(&name).map_err(unreadable)?;
        let mut rows = RowCollector::new(row_budget);
        while let Some(cell) = reader.next_cell().map_err(unreadable)? {
            let (row, column) = cell.get_position();
            if let Some(value) = from_data_ref(cell.get_value())
                && !rows.push(row + 1, column, value)
            {
                break;
            }
        }
        sheets.push(rows.finish(Some(name)));
    }
    Ok(Workbook { format: Format::Xlsb, encoding: None, sheets })
}

fn whole_sheets<'b, R: Reader<Cursor<&'b [u8]>>>(mut book: R, format: Format, row_budget: usize) -> Result<Workbook, RosterError>
where
    R::Error: Into<UnreadableSheet>,
{
    let mut sheets = Vec::new();
    for name in visible_worksheets(book.sheets_metadata()) {
        let range = book.worksheet_range(&name).map_err(unreadable)?;
        let (top, left) = range.start().unwrap_or((0, 0));
        let mut rows = RowCollector::new(row_budget);
        for (r, c, data) in range.used_cells() {
            if let Some(value) = from_data(data)
                && !rows.push(top + r as u32 + 1, left + c as u32, value)
            {
                break;
            }
        }
        sheets.push(rows.finish(Some(name)));
    }
    Ok(Workbook { format, encoding: None, sheets })
}

fn from_data_ref(data: &DataRef<'_>) -> Option<Value> {
    Some(match data {
        DataRef::Int(i) => Value::Int(*i),
        DataRef::Float(f) => Value::Number(*f),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Value::Text(s.clone()),
        DataRef::SharedString(s) => Value::Text((*s).to_string()),
        DataRef::Bool(b) => Value::Bool(*b),
        DataRef::DateTime(d) => Value::Date(d.as_f64()),
        DataRef::Error(e) => Value::Error(e.to_string()),
        DataRef::Empty => return None,
    })
}

fn from_data(data: &Data) -> Option<Value> {
    Some(match data {
        Data::Int(i) => Value::Int(*i),
        Data::Float(f) => Value::Number(*f),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Value::Text(s.clone()),
        Data::Bool(b) => Value::Bool(*b),
        Data::DateTime(d) => Value::Date(d.as_f64()),
        Data::Error(e) => Value::Error(e.to_string()),
        Data::Empty => return None,
    })
}

/// Gathers cells (in reading order: row by row) into non-empty rows, up to the budget.
struct RowCollector {
    rows: Vec<SheetRow>,
    budget: usize,
    truncated: bool,
}

impl RowCollector {
    fn new(budget: usize) -> Self {
        RowCollector { rows: Vec::new(), budget, truncated: false }
    }

    /// Adds a cell; false once a row past the budget begins (the caller stops reading).
    fn push(&mut self, row: u32, column: u32, value: Value) -> bool {
        if value.is_blank() {
            return true;
        }
        match self.rows.last_mut() {
            Some(last) if last.number == row => last.cells.push((column, value)),
            _ => {
                if self.rows.len() == self.budget {
                    self.truncated = true;
                    return false;
                }
                self.rows.push(SheetRow { number: row, cells: vec![(column, value)] });
            }
        }
        true
    }

    fn finish(mut self, name: Option<String>) -> Sheet {
        for row in &mut self.rows {
            row.cells.sort_by_key(|(c, _)| *c);
        }
        Sheet { name, rows: self.rows, truncated: self.truncated }
    }
}

/// The text of a CSV file and the name of its encoding; `NotASpreadsheet` for bytes that are no
/// text in any encoding a counter PC writes.
fn decode(bytes: &[u8]) -> Result<(String, &'static str), RosterError> {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom..];
        // a UTF-16 "Unicode text" from Excel, or UTF-8 with a BOM (Excel's "CSV UTF-8")
        let text = encoding
            .decode_without_bom_handling_and_without_replacement(body)
            .ok_or_else(|| RosterError::NotASpreadsheet { what: format!("the text is not valid {}", encoding.name()) })?;
        return Ok((text.into_owned(), encoding.name()));
    }
    if bytes.contains(&0) {
        return Err(RosterError::NotASpreadsheet { what: "binary data".into() });
    }
    if let Some(text) = UTF_8.decode_without_bom_handling_and_without_replacement(bytes) {
        return Ok((text.into_owned(), UTF_8.name()));
    }
    // GB18030 includes GBK (Excel's "CSV (逗号分隔)" on a Chinese Windows, code page 936)
    if let Some(text) = GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        return Ok((text.into_owned(), GB18030.name()));
    }
    Err(RosterError::NotASpreadsheet { what: "text in an encoding that is neither UTF-8 nor GB18030".into() })
}

/// Comma, tab or semicolon: the one the first lines use most.
fn separator(text: &str) -> u8 {
    let sample: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
    let count = |c: char| sample.iter().map(|l| l.matches(c).count()).sum::<usize>();
    let mut best = (b',', count(','));
    for sep in ['\t', ';'] {
        let n = count(sep);
        if n > best.1 {
            best = (sep as u8, n);
        }
    }
    best.0
}

fn read_csv(bytes: &[u8], row_budget: usize) -> Result<Workbook, RosterError> {
    let (text, encoding) = decode(bytes)?;
    // binary files that happen to decode (GB18030 takes most byte pairs) still hold controls
    if let Some(c) = text.chars().find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{1a}')) {
        return Err(RosterError::NotASpreadsheet { what: format!("binary data (control character U+{:04X})", c as u32) });
    }
    let text = text.trim_end_matches('\u{1a}');
    if text.trim().is_empty() {
        return Err(RosterError::Empty);
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(separator(text)).from_reader(text.as_bytes());
    let mut rows = RowCollector::new(row_budget);
    // Excel numbers records, blank lines included, and a quoted cell with line breaks is one
    // row: the row is 1 + the line breaks before the record's first cell − those inside cells.
    // (The reader's own line number counts from before the blank lines it skips.)
    let bytes = text.as_bytes();
    let (mut counted_to, mut breaks_before) = (0usize, 0u64);
    let mut breaks_inside_cells = 0u64;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(unreadable(e)),
        }
        let mut start = record.position().map_or(0, |p| p.byte() as usize).min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        breaks_before += bytes[counted_to.min(start)..start].iter().filter(|b| **b == b'\n').count() as u64;
        counted_to = counted_to.max(start);
        let row = u32::try_from(1 + breaks_before - breaks_inside_cells.min(breaks_before)).unwrap_or(u32::MAX);
        let mut more = true;
        for (column, cell) in record.iter().enumerate() {
            breaks_inside_cells += cell.matches('\n').count() as u64;
            if more && !rows.push(row, column as u32, Value::Text(cell.to_string())) {
                more = false;
            }
        }
        if !more {
            break;
        }
    }
    Ok(Workbook { format: Format::Csv, encoding: Some(encoding), sheets: vec![rows.finish(None)] })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_are_numbered_as_a_spreadsheet_numbers_them() {
        let text = "title\n\n姓名,身份证号码\n\"张\n三\",1\n李四,2\n";
        let book = read(text.as_bytes(), 100).unwrap();
        let numbers: Vec<u32> = book.sheets[0].rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [1, 3, 4, 5]);
        assert_eq!(book.encoding, Some("UTF-8"));
    }

    #[test]
    fn separator_is_found() {
        assert_eq!(separator("姓名\t身份证号码\n张三\t1"), b'\t');
        assert_eq!(separator("姓名;身份证号码\n张三;1"), b';');
        assert_eq!(separator("姓名,身份证号码\n张三,1"), b',');
    }

    #[test]
    fn budget_stops_reading_and_says_so() {
        let text: String = (1..=50).map(|i| format!("{i},x\n")).collect();
        let book = read(text.as_bytes(), 10).unwrap();
        assert_eq!(book.sheets[0].rows.len(), 10);
        assert!(book.sheets[0].truncated);
    }

    #[test]
    fn binary_and_blank_input_are_refused() {
        assert!(matches!(read(b"  \r\n", 10), Err(RosterError::Empty)));
        assert!(matches!(read(b"%PDF-1.7\n\x00\x01\x02", 10), Err(RosterError::NotASpreadsheet { .. })));
        assert!(matches!(read(b"PK\x03\x04garbage", 10), Err(RosterError::Unreadable { .. } | RosterError::NotASpreadsheet { .. })));
    }
}
