//! The ODS pre-scan (#78): what an ODS's `content.xml` makes calamine hold, measured before
//! calamine opens it. calamine reads every table of an ODS as it opens it, and expands what the
//! file says once and repeats (`table:number-columns-repeated` up to 16 384 columns,
//! `table:number-rows-repeated` up to 1 048 576 rows): a cell's text is copied into each cell it
//! is repeated to, and its own cap is 100 million cells. So this module walks the XML's tags (a
//! plain tag scanner, every loop bounded by the bytes) and counts, the way calamine expands them,
//! the cells of each row up to its last cell with content, the rows from a table's first row
//! with content to its last, and the text copied; a count past [`MAX_CELLS`] or
//! [`MAX_TEXT_BYTES`] refuses the file with the limit named, and so does a table that never
//! ends (calamine would read past the end for ever). The counts are upper bounds: a cell
//! is taken to have content unless it is an empty element without a value type or formula, and
//! its text as the whole of its element's bytes.

use crate::RosterError;
use crate::limits::{Limit, MAX_CELLS, MAX_TEXT_BYTES};

/// calamine's caps on a row's columns and a table's rows (`calamine/src/xlsx/mod.rs`).
const MAX_COLUMNS: u64 = 16_384;
const MAX_ROWS: u64 = 1_048_576;

/// One tag: its name, whether it closes an element, whether it is an empty element, its
/// attributes' text, and where it ends.
struct Tag<'a> {
    name: &'a [u8],
    closing: bool,
    empty: bool,
    attributes: &'a [u8],
    end: usize,
}

/// The tag that starts at `at` (a `<`), or None for a comment, a processing instruction, a
/// declaration or a tag cut short.
fn tag_at(xml: &[u8], at: usize) -> Option<Tag<'_>> {
    let mut i = at + 1;
    let closing = xml.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    if matches!(xml.get(i), Some(b'!' | b'?') | None) {
        return None;
    }
    let name_start = i;
    while i < xml.len() && !matches!(xml[i], b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/') {
        i += 1;
    }
    let name = &xml[name_start..i];
    let attributes_start = i;
    let mut quote = None;
    while i < xml.len() {
        match (quote, xml[i]) {
            (None, b'"' | b'\'') => quote = Some(xml[i]),
            (Some(q), c) if c == q => quote = None,
            (None, b'>') => break,
            _ => {}
        }
        i += 1;
    }
    if i >= xml.len() {
        return None;
    }
    let empty = i > attributes_start && xml[i - 1] == b'/';
    Some(Tag { name, closing, empty, attributes: &xml[attributes_start..i], end: i + 1 })
}

/// The number an attribute gives (`name="123"`), if the tag has it.
fn attribute_number(attributes: &[u8], name: &[u8]) -> Option<u64> {
    let at = attributes.windows(name.len() + 2).position(|w| &w[..name.len()] == name && w[name.len()] == b'=' && matches!(w[name.len() + 1], b'"' | b'\''))?;
    let digits = &attributes[at + name.len() + 2..];
    let end = digits.iter().position(|c| !c.is_ascii_digit()).unwrap_or(digits.len());
    // a number too long to read is as large as any: calamine caps it the same way
    Some(std::str::from_utf8(&digits[..end]).ok()?.parse::<u64>().unwrap_or(u64::MAX))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// What one table makes calamine hold.
#[derive(Default)]
struct Table {
    /// Rows read so far, as repeated (calamine's cap applies to them all).
    rows: u64,
    /// Rows from the first with content through the last, and the empty ones between.
    spanned_rows: u64,
    empty_rows_pending: u64,
    started: bool,
    widest: u64,
}

/// Refuses `content` (an ODS's `content.xml`) if calamine would hold more than the limits.
pub(crate) fn check(content: &[u8]) -> Result<(), RosterError> {
    let (mut cells, mut text) = (0u64, 0u64);
    let mut table = Table::default();
    // the row being read: its repeats, its cells with content so far, the empty ones waiting for
    // a later cell with content, its text
    let mut row: Option<(u64, u64, u64, u64)> = None;
    let mut cell: Option<(usize, u64, bool)> = None;
    let mut open_tables = 0u64;
    let mut at = 0;
    while let Some(offset) = content[at..].iter().position(|c| *c == b'<') {
        let start = at + offset;
        // a comment, CDATA or processing instruction: nothing in it is a tag
        if let Some(close) =
            [(&b"<!--"[..], &b"-->"[..]), (b"<![CDATA[", b"]]>"), (b"<?", b"?>")].iter().find(|(open, _)| content[start..].starts_with(open)).map(|(_, close)| *close)
        {
            match content[start..].windows(close.len()).position(|w| w == close) {
                Some(end) => at = start + end + close.len(),
                None => break,
            }
            continue;
        }
        let Some(tag) = tag_at(content, start) else {
            at = start + 1;
            continue;
        };
        at = tag.end;
        match (tag.name, tag.closing) {
            (b"table:table", false) if !tag.empty => {
                table = Table::default();
                open_tables += 1;
            }
            (b"table:table", true) => {
                open_tables = open_tables.saturating_sub(1);
                cells = cells.saturating_add(table.spanned_rows.saturating_mul(table.widest));
            }
            (b"table:table-row", false) => {
                let repeats = attribute_number(tag.attributes, b"table:number-rows-repeated").unwrap_or(1).min(MAX_ROWS.saturating_sub(table.rows));
                table.rows += repeats;
                row = Some((repeats, 0, 0, 0));
                if tag.empty {
                    table.empty_rows_pending = table.empty_rows_pending.saturating_add(repeats);
                    row = None;
                }
            }
            (b"table:table-row", true) => {
                if let Some((repeats, width, _, row_text)) = row.take() {
                    if width == 0 {
                        table.empty_rows_pending = table.empty_rows_pending.saturating_add(repeats);
                    } else {
                        // the row's cells are held once as read, then copied per repeat
                        cells = cells.saturating_add(width);
                        if table.started {
                            table.spanned_rows = table.spanned_rows.saturating_add(table.empty_rows_pending);
                        }
                        table.empty_rows_pending = 0;
                        table.started = true;
                        table.spanned_rows = table.spanned_rows.saturating_add(repeats);
                        table.widest = table.widest.max(width);
                        text = text.saturating_add(row_text.saturating_mul(repeats.saturating_add(1)));
                    }
                }
            }
            (b"table:table-cell" | b"table:covered-table-cell", false) => {
                let repeats = attribute_number(tag.attributes, b"table:number-columns-repeated").unwrap_or(1);
                let valued = contains(tag.attributes, b"office:value-type") || contains(tag.attributes, b"table:formula");
                if tag.empty {
                    add_cell(&mut row, repeats, valued, tag.end - start);
                } else {
                    cell = Some((start, repeats, valued));
                }
            }
            (b"table:table-cell" | b"table:covered-table-cell", true) => {
                if let Some((cell_start, repeats, _)) = cell.take() {
                    // an element with anything in it may hold a value: taken to have content
                    add_cell(&mut row, repeats, true, tag.end - cell_start);
                }
            }
            _ => {}
        }
        if cells > MAX_CELLS {
            return Err(RosterError::OverLimit { what: format!("the ODS tables expand to more than {cells} cells (repeated rows and columns)"), limit: Limit::Cells });
        }
        if text > MAX_TEXT_BYTES {
            return Err(RosterError::OverLimit { what: format!("the ODS tables' repeated cells copy {text} bytes of text"), limit: Limit::TextBytes });
        }
    }
    if open_tables > 0 {
        // calamine reads on past the end of such a file for ever (quick-xml answers its end
        // again and again)
        return Err(RosterError::Unreadable { cause: crate::error::UnreadableSheet::OdsEndsInsideTable });
    }
    Ok(())
}

/// A cell of `bytes` repeated `repeats` times, added to the row as calamine adds it: the empty
/// cells before it held only once a cell with content follows, the row at most 16 384 wide.
fn add_cell(row: &mut Option<(u64, u64, u64, u64)>, repeats: u64, content: bool, bytes: usize) {
    let Some((_, width, pending, row_text)) = row.as_mut() else { return };
    let room = MAX_COLUMNS.saturating_sub(*width + *pending);
    let repeats = repeats.min(room);
    if content {
        *width += *pending + repeats;
        *pending = 0;
        *row_text = row_text.saturating_add((bytes as u64).saturating_mul(repeats));
    } else {
        *pending += repeats;
    }
}
