//! Hostile spreadsheets (#78), made here by generators of their own: an XLS (a minimal OLE
//! container around a BIFF8 Workbook stream, written byte by byte) whose one cell sits at the
//! sheet's far corner and whose DIMENSIONS record claims that much or more, which made calamine
//! abort the process ("memory allocation of 137438953472 bytes failed"); an XLS whose container
//! chain goes round in a loop; and an XLSX whose entries stream their sizes in data descriptors
//! and inflate past 64 MiB from a small file, which passed the declared-size check. Each is
//! refused before calamine reads it, with the limit named; the honest versions of both formats,
//! written by the same generators, still read.

use certdesk_roster::limits::{MAX_CELLS, MAX_INFLATED_BYTES};
use certdesk_roster::{Format, Limit, OleDamage, ReadOptions, RosterError, UnreadableSheet, Value, read_employees, read_workbook};
use std::io::Write;

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

// ---- XLS: BIFF8 records in an OLE container ----

fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut out = typ.to_le_bytes().to_vec();
    out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    out.extend_from_slice(data);
    out
}

/// BOF of BIFF8: `kind` 0x0005 for the workbook globals, 0x0010 for a worksheet.
fn bof(kind: u16) -> Vec<u8> {
    let mut data = vec![0x00, 0x06];
    data.extend_from_slice(&kind.to_le_bytes());
    data.extend_from_slice(&[0; 12]);
    record(0x0809, &data)
}

fn eof() -> Vec<u8> {
    record(0x000A, &[])
}

/// DIMENSIONS: rows `first..last_plus_one`, columns `first_col..last_col_plus_one`.
fn dimensions(first_row: u32, last_row_plus_one: u32, first_col: u16, last_col_plus_one: u16) -> Vec<u8> {
    let mut data = first_row.to_le_bytes().to_vec();
    data.extend_from_slice(&last_row_plus_one.to_le_bytes());
    data.extend_from_slice(&first_col.to_le_bytes());
    data.extend_from_slice(&last_col_plus_one.to_le_bytes());
    data.extend_from_slice(&[0, 0]);
    record(0x0200, &data)
}

fn number(row: u16, col: u16, value: f64) -> Vec<u8> {
    let mut data = row.to_le_bytes().to_vec();
    data.extend_from_slice(&col.to_le_bytes());
    data.extend_from_slice(&0u16.to_le_bytes());
    data.extend_from_slice(&value.to_le_bytes());
    record(0x0203, &data)
}

/// LABEL with the text in UTF-16.
fn label(row: u16, col: u16, text: &str) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut data = row.to_le_bytes().to_vec();
    data.extend_from_slice(&col.to_le_bytes());
    data.extend_from_slice(&0u16.to_le_bytes());
    data.extend_from_slice(&(units.len() as u16).to_le_bytes());
    data.push(1);
    for u in units {
        data.extend_from_slice(&u.to_le_bytes());
    }
    record(0x0204, &data)
}

/// A Workbook stream with one worksheet, Sheet1, holding `sheet` (between its BOF and EOF).
fn workbook_stream(sheet: &[Vec<u8>]) -> Vec<u8> {
    let boundsheet = |pos: u32| {
        let mut data = pos.to_le_bytes().to_vec();
        data.extend_from_slice(&[0, 0, 6, 0]);
        data.extend_from_slice(b"Sheet1");
        record(0x0085, &data)
    };
    let globals_len = bof(0x0005).len() + boundsheet(0).len() + eof().len();
    let mut stream = [bof(0x0005), boundsheet(globals_len as u32), eof(), bof(0x0010)].concat();
    for r in sheet {
        stream.extend_from_slice(r);
    }
    stream.extend_from_slice(&eof());
    stream
}

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const FREESECT: u32 = 0xFFFF_FFFF;
const FATSECT: u32 = 0xFFFF_FFFD;

/// An OLE container (version 3, 512-byte sectors) holding `stream` as its Workbook, padded to
/// 4096 bytes so that it lives in ordinary sectors: the stream's sectors, then the directory,
/// then the FAT. `declared_len` is the length its directory entry gives (the stream's own for an
/// honest file) and `loop_chain` makes the stream's last sector point back at its first.
fn ole(stream: &[u8], declared_len: Option<u32>, loop_chain: bool) -> Vec<u8> {
    let mut body = stream.to_vec();
    body.resize(body.len().max(4096).div_ceil(512) * 512, 0);
    let n = (body.len() / 512) as u32;
    assert!(n + 2 <= 128, "one FAT sector");
    let (dir, fat) = (n, n + 1);

    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let put16 = |h: &mut Vec<u8>, at: usize, v: u16| h[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 = |h: &mut Vec<u8>, at: usize, v: u32| h[at..at + 4].copy_from_slice(&v.to_le_bytes());
    put16(&mut header, 24, 0x003E);
    put16(&mut header, 26, 3);
    put16(&mut header, 28, 0xFFFE);
    put16(&mut header, 30, 9);
    put16(&mut header, 32, 6);
    put32(&mut header, 44, 1); // FAT sectors
    put32(&mut header, 48, dir);
    put32(&mut header, 56, 4096); // mini stream cutoff
    put32(&mut header, 60, ENDOFCHAIN); // no mini FAT
    put32(&mut header, 64, 0);
    put32(&mut header, 68, ENDOFCHAIN); // no DIFAT sectors
    put32(&mut header, 72, 0);
    for i in 0..109 {
        put32(&mut header, 76 + 4 * i, if i == 0 { fat } else { FREESECT });
    }

    let entry = |name: &str, kind: u8, child: u32, start: u32, len: u32| {
        let mut e = vec![0u8; 128];
        let units: Vec<u16> = name.encode_utf16().collect();
        for (i, u) in units.iter().enumerate() {
            e[2 * i..2 * i + 2].copy_from_slice(&u.to_le_bytes());
        }
        e[64..66].copy_from_slice(&((units.len() as u16 + 1) * 2).to_le_bytes());
        e[66] = kind;
        e[67] = 1; // black
        e[68..72].copy_from_slice(&FREESECT.to_le_bytes());
        e[72..76].copy_from_slice(&FREESECT.to_le_bytes());
        e[76..80].copy_from_slice(&child.to_le_bytes());
        e[116..120].copy_from_slice(&start.to_le_bytes());
        e[120..124].copy_from_slice(&len.to_le_bytes());
        e
    };
    let mut directory = entry("Root Entry", 5, 1, ENDOFCHAIN, 0);
    directory.extend(entry("Workbook", 2, FREESECT, 0, declared_len.unwrap_or(stream.len().max(4096) as u32)));
    directory.resize(512, 0);

    let mut fat_entries: Vec<u32> = (1..n).collect();
    fat_entries.push(if loop_chain { 0 } else { ENDOFCHAIN });
    fat_entries.push(ENDOFCHAIN); // the directory
    fat_entries.push(FATSECT);
    fat_entries.resize(128, FREESECT);
    let fat_sector: Vec<u8> = fat_entries.iter().flat_map(|e| e.to_le_bytes()).collect();

    [header, body, directory, fat_sector].concat()
}

fn over_limit(result: Result<impl std::fmt::Debug, RosterError>) -> (Limit, String) {
    match result {
        Err(e @ RosterError::OverLimit { limit, .. }) => (limit, e.to_string()),
        other => panic!("not refused over a limit: {other:?}"),
    }
}

#[test]
fn an_honest_xls_from_the_generator_is_read() {
    let stream = workbook_stream(&[dimensions(0, 2, 0, 2), label(0, 0, "姓名"), label(0, 1, "身份证号码"), label(1, 0, "张三"), number(1, 1, 7.0)]);
    let book = read_workbook(&ole(&stream, None, false), 100).unwrap();
    assert_eq!(book.format, Format::Xls);
    let rows = &book.sheets[0].rows;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].cell(1), Some(&Value::Text("身份证号码".into())));
    assert_eq!(rows[1].cell(0), Some(&Value::Text("张三".into())));
    assert_eq!(rows[1].cell(1), Some(&Value::Number(7.0)));
}

#[test]
fn an_xls_whose_dimensions_claim_more_than_the_limit_is_refused_before_it_is_read() {
    // the file of the issue: the last cell of a BIFF8 sheet, its DIMENSIONS claiming the whole
    // sheet or more (rows are 32-bit in BIFF8)
    for (rows, cols) in [(65_536, 256), (0x1000_0000, 256)] {
        let stream = workbook_stream(&[dimensions(0, rows, 0, cols), number(65_535, 255, 1.0)]);
        let file = ole(&stream, None, false);
        assert!(file.len() < 8 << 10, "a small file: {}", file.len());
        let (limit, message) = over_limit(read_employees(&file, &ReadOptions::new(today())));
        assert_eq!(limit, Limit::Cells);
        assert!(message.contains("DIMENSIONS") && message.contains(&MAX_CELLS.to_string()) && message.contains("MAX_CELLS"), "{message}");
    }
    // a DIMENSIONS record whose end comes before its start (calamine's subtraction wraps)
    let stream = workbook_stream(&[dimensions(10, 5, 0, 2), number(0, 0, 1.0)]);
    assert_eq!(over_limit(read_workbook(&ole(&stream, None, false), 100)).0, Limit::Cells);
}

#[test]
fn an_xls_whose_cells_span_more_than_the_limit_is_refused_whatever_its_dimensions_say() {
    // honest dimensions, or none: the first cell and the last make calamine's dense range
    for dims in [Some(dimensions(0, 65_536, 0, 256)), None] {
        let mut sheet: Vec<Vec<u8>> = dims.into_iter().collect();
        sheet.extend([number(0, 0, 1.0), number(65_535, 255, 2.0)]);
        let (limit, message) = over_limit(read_workbook(&ole(&workbook_stream(&sheet), None, false), 100));
        assert_eq!(limit, Limit::Cells, "{message}");
    }
    // a span just within the limit is read
    let sheet = [number(0, 0, 1.0), number(2047, 255, 2.0)];
    const { assert!(2048 * 256 <= MAX_CELLS) };
    let book = read_workbook(&ole(&workbook_stream(&sheet), None, false), 100).unwrap();
    assert_eq!(book.sheets[0].rows.len(), 2);
}

#[test]
fn an_xls_whose_sector_chain_loops_is_refused_instead_of_followed_for_gigabytes() {
    // the Workbook entry claims 4 GB and its last sector points back at its first: calamine
    // would copy the loop until it had 4 GB
    let stream = workbook_stream(&[dimensions(0, 1, 0, 1), number(0, 0, 1.0)]);
    let e = read_workbook(&ole(&stream, Some(0xFFFF_FF00), true), 100).unwrap_err();
    assert!(matches!(e, RosterError::Unreadable { cause: UnreadableSheet::Ole(OleDamage::ChainLoops { .. }) }) && e.to_string().contains("loop"), "{e}");
}

// ---- XLSX: a ZIP archive whose entries stream their sizes in data descriptors ----

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const SHEET: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>身份证号码</t></is></c></row></sheetData></worksheet>"#;

/// An XLSX written as a stream (every entry's sizes in a data descriptor after its data, none in
/// its local header) whose shared string is `filler` bytes of `a` after 姓名.
fn streamed_xlsx(filler: usize) -> Vec<u8> {
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut zip = zip::ZipWriter::new_stream(Vec::new());
    for (name, text) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/worksheets/sheet1.xml", SHEET),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.start_file("xl/sharedStrings.xml", options).unwrap();
    zip.write_all(
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>"#,
    )
    .unwrap();
    zip.write_all("姓名".as_bytes()).unwrap();
    let run = vec![b'a'; 1 << 20];
    for start in (0..filler).step_by(run.len()) {
        zip.write_all(&run[..run.len().min(filler - start)]).unwrap();
    }
    zip.write_all(b"</t></si></sst>").unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    // general purpose flag bit 3: sizes after the data, zeros in the local header
    assert_eq!(&bytes[..4], b"PK\x03\x04");
    assert_ne!(bytes[6] & 0x08, 0, "the generator writes data descriptors");
    assert_eq!(&bytes[18..26], &[0; 8], "no sizes in the local header");
    bytes
}

#[test]
fn an_honest_streamed_xlsx_is_read() {
    let book = read_workbook(&streamed_xlsx(0), 100).unwrap();
    assert_eq!(book.format, Format::Xlsx);
    assert_eq!(book.sheets[0].rows[0].cells, vec![(0, Value::Text("姓名".into())), (1, Value::Text("身份证号码".into()))]);
}

#[test]
fn an_xlsx_that_inflates_past_the_limit_through_data_descriptors_is_refused_while_inflating() {
    let file = streamed_xlsx(80 << 20);
    assert!(file.len() < 1 << 20, "a small file: {}", file.len());
    let (limit, message) = over_limit(read_employees(&file, &ReadOptions::new(today())));
    assert_eq!(limit, Limit::InflatedBytes);
    assert!(message.contains("MAX_INFLATED_BYTES") && message.contains(&MAX_INFLATED_BYTES.to_string()), "{message}");
    // the message and the report say which limit, in both languages
    let report = RosterError::OverLimit { what: "x".into(), limit }.report();
    assert_eq!(report.kind, "over_limit");
    assert!(report.message_zh.contains("MAX_INFLATED_BYTES"), "{}", report.message_zh);
}

// ---- ODS: repeated rows and columns ----

const ODS_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Sheet1">"#;
const ODS_TAIL: &str = "</table:table></office:spreadsheet></office:body></office:document-content>";
const HEADER_ROW: &str = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>姓名</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>身份证号码</text:p></table:table-cell></table:table-row>"#;

/// An ODS whose content.xml is `content`.
fn ods(content: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    zip.start_file("META-INF/manifest.xml", deflated).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).unwrap();
    zip.start_file("content.xml", deflated).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

#[test]
fn an_honest_ods_with_the_empty_rows_an_office_suite_writes_after_its_last_is_read() {
    let empty_rest = r#"<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#;
    let book = read_workbook(&ods(&format!("{ODS_HEAD}{HEADER_ROW}{empty_rest}{ODS_TAIL}")), 100).unwrap();
    assert_eq!(book.format, Format::Ods);
    assert_eq!(book.sheets[0].rows[0].cells, vec![(0, Value::Text("姓名".into())), (1, Value::Text("身份证号码".into()))]);
}

#[test]
fn an_ods_whose_repeated_cell_copies_its_text_past_the_limit_is_refused() {
    // one cell of 8 KB repeated across a row of 16 384 columns, the row twice: 256 MB of copies
    let text = "a".repeat(8 << 10);
    let row = format!(
        r#"<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>{text}</text:p></table:table-cell></table:table-row>"#
    );
    let file = ods(&format!("{ODS_HEAD}{HEADER_ROW}{row}{ODS_TAIL}"));
    assert!(file.len() < 16 << 10, "a small file: {}", file.len());
    let (limit, message) = over_limit(read_workbook(&file, 100));
    assert_eq!(limit, Limit::TextBytes);
    assert!(message.contains("MAX_TEXT_BYTES"), "{message}");
}

#[test]
fn an_ods_whose_repeated_rows_and_columns_span_past_the_limit_is_refused() {
    // 16 000 empty cells then a number, the row 200 times: 3.2 million cells in calamine
    let row = r#"<table:table-row table:number-rows-repeated="200"><table:table-cell table:number-columns-repeated="16000"/><table:table-cell office:value-type="float" office:value="1"/></table:table-row>"#;
    let (limit, message) = over_limit(read_workbook(&ods(&format!("{ODS_HEAD}{HEADER_ROW}{row}{ODS_TAIL}")), 100));
    assert_eq!(limit, Limit::Cells);
    assert!(message.contains("MAX_CELLS"), "{message}");
}

#[test]
fn an_ods_that_ends_inside_a_table_is_refused_instead_of_read_for_ever() {
    let e = read_workbook(&ods(&format!("{ODS_HEAD}{HEADER_ROW}")), 100).unwrap_err();
    assert!(matches!(e, RosterError::Unreadable { cause: UnreadableSheet::OdsEndsInsideTable }) && e.to_string().contains("ends inside a table"), "{e}");
}
