//! The limits of what a list may be before it is read (#78), in one place: the file's size, what
//! a workbook's archive inflates to, how many cells its sheets span, how much text its cells
//! repeat from an XLS's shared strings and how many bytes of formulas an XLS holds. Every one of
//! them is checked before the spreadsheet library allocates for it (`sheet`, `zip_scan`,
//! `xls_scan`), and a refusal names the limit (`RosterError::OverLimit`). A unit's list of
//! [`certdesk_domain::case::MAX_EMPLOYEES`] rows is far below each of them; what goes past one
//! is a damaged file or one made to exhaust the counter's memory.

use serde::Serialize;
use std::fmt;

/// The largest file read: a list of a thousand employees is far below it, even as XLSX with a
/// logo.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// The most a workbook's archive (XLSX, XLSB, ODS) may inflate to, all its entries together,
/// counted as they inflate whatever their headers declare: a list of a thousand employees is a
/// few megabytes of XML; more is a "zip bomb".
pub const MAX_INFLATED_BYTES: u64 = 64 << 20;

/// The most cells the sheets of an XLS or the tables of an ODS may span together (an ODS's
/// repeated rows and columns as expanded), counted as the rectangle from each
/// sheet's first to its last cell (what the spreadsheet library allocates, 32 bytes a cell,
/// blank or not), as each sheet's DIMENSIONS record declares it (room reserved, 40 bytes a
/// cell) and one by one: 1000 rows of 20 columns are 20 000; a template formatted down to row
/// 65536 in 32 columns still fits.
pub const MAX_CELLS: u64 = 1 << 21;

/// The most text (UTF-8 bytes) the cells of an XLS or an ODS may hold once read: the library
/// copies an XLS's shared string into every cell that shows it, and an ODS cell's text into
/// every cell it is repeated to, so a long string shown in many cells is read as many times.
pub const MAX_TEXT_BYTES: u64 = 64 << 20;

/// The most bytes of formulas (their parsed tokens) an XLS may hold: the library writes every
/// formula out as text, up to about 150 times its size (a sheet's or a defined name's name for
/// each reference of a few bytes), though a list never needs it. A formula in each of ten
/// columns of a thousand rows is about 250 KB.
pub const MAX_FORMULA_BYTES: u64 = 512 << 10;

/// One of the limits above: what a refusal names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    FileBytes,
    InflatedBytes,
    Cells,
    TextBytes,
    FormulaBytes,
}

impl Limit {
    /// The limit's value.
    pub fn max(self) -> u64 {
        match self {
            Limit::FileBytes => MAX_FILE_BYTES,
            Limit::InflatedBytes => MAX_INFLATED_BYTES,
            Limit::Cells => MAX_CELLS,
            Limit::TextBytes => MAX_TEXT_BYTES,
            Limit::FormulaBytes => MAX_FORMULA_BYTES,
        }
    }

    /// The constant's name, as this module spells it.
    pub fn name(self) -> &'static str {
        match self {
            Limit::FileBytes => "MAX_FILE_BYTES",
            Limit::InflatedBytes => "MAX_INFLATED_BYTES",
            Limit::Cells => "MAX_CELLS",
            Limit::TextBytes => "MAX_TEXT_BYTES",
            Limit::FormulaBytes => "MAX_FORMULA_BYTES",
        }
    }

    /// What the limit counts, in English.
    pub fn unit(self) -> &'static str {
        match self {
            Limit::FileBytes => "bytes of file",
            Limit::InflatedBytes => "bytes inflated",
            Limit::Cells => "cells",
            Limit::TextBytes => "bytes of cell text",
            Limit::FormulaBytes => "bytes of formulas",
        }
    }

    /// What the limit counts, in Chinese.
    pub fn unit_zh(self) -> &'static str {
        match self {
            Limit::FileBytes => "字节（文件大小）",
            Limit::InflatedBytes => "字节（解压后）",
            Limit::Cells => "个单元格",
            Limit::TextBytes => "字节（单元格文字）",
            Limit::FormulaBytes => "字节（公式）",
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ({})", self.max(), self.unit(), self.name())
    }
}
