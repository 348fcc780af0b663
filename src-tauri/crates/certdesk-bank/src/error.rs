//! What can be wrong with a statement: the file as a whole (`BankError`: not a table, no header
//! row, no column of money in, too long), or one of its rows (`RowProblem`, by spreadsheet row
//! and column, the column's header as the file writes it). A refused file gives nothing; a row
//! problem leaves the other rows read. Does not decide what is wrong: `columns`, `cells` and
//! `statement` do.

use crate::columns::Field;
use certdesk_roster::RosterError;
use serde::Serialize;
use std::fmt;

/// A row that could not be read, where the spreadsheet shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    /// The row, 1-based as the spreadsheet numbers it (title rows and header counted).
    pub row: u32,
    /// The column's letter (`A`, `B`, … `AA`).
    pub column: String,
    /// The column's header as the file writes it (`贷方发生额`).
    pub header: String,
    /// What is wrong, written "中文 (English)": `` 金额“12.345”超过两位小数，金额精确到分 (`12.345` has more than two decimals: …) ``.
    pub why: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}, column {} ({}): {}", self.row, self.column, self.header, self.why)
    }
}

/// Why a statement was not read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BankError {
    /// Not a table the counter reads (not XLSX/XLS/ODS/CSV, damaged, encrypted, empty, past the
    /// size limits).
    #[error("the statement cannot be read as a table: {0}")]
    Table(#[from] RosterError),
    /// No row among the first ones names the columns a statement needs.
    #[error("{}", no_header(*likeliest_row, missing))]
    NoHeader { likeliest_row: Option<u32>, missing: Vec<Field> },
    /// The header row was found, but no column says which money came in.
    #[error("{}", no_credit(*header_row, amount_without_direction.as_deref()))]
    NoCreditColumn { header_row: u32, amount_without_direction: Option<String> },
    #[error("the statement has more than {max} rows: export a shorter period")]
    TooManyRows { max: usize },
}

fn no_header(likeliest_row: Option<u32>, missing: &[Field]) -> String {
    let place = match likeliest_row {
        Some(row) => format!("row {row}, the likeliest header row, lacks"),
        None => "no row names any column of a statement; a header row needs".into(),
    };
    let columns: Vec<String> = missing.iter().map(Field::to_string).collect();
    format!("no header row found in the first {} rows: {place} {}", crate::columns::HEADER_SEARCH_ROWS, columns.join("; "))
}

fn no_credit(header_row: u32, amount_without_direction: Option<&str>) -> String {
    let why = match amount_without_direction {
        Some(amount) => format!("its {amount} column tells no money in from money out without {}", Field::Direction),
        None => "it names no column of money in".into(),
    };
    format!("the header row {header_row} has no credit column: {why}; a statement needs {}", Field::Credit)
}

impl BankError {
    /// A stable name for programs.
    pub fn kind(&self) -> &'static str {
        match self {
            BankError::Table(_) => "table",
            BankError::NoHeader { .. } => "no_header",
            BankError::NoCreditColumn { .. } => "no_credit_column",
            BankError::TooManyRows { .. } => "too_many_rows",
        }
    }

    /// The message in Simplified Chinese, for the clerk.
    pub fn zh(&self) -> String {
        match self {
            BankError::Table(e) => format!("无法读取对账单：{}", e.zh()),
            BankError::NoHeader { missing, .. } => {
                let columns: Vec<String> = missing.iter().map(|f| format!("“{}”", f.aliases()[0])).collect();
                format!("找不到对账单的表头：缺少{}列（请导出含交易日期、贷方发生额、对方户名的账户明细）", columns.join("、"))
            }
            BankError::NoCreditColumn { amount_without_direction: Some(amount), .. } => format!("对账单有“{amount}”列但没有“借贷标志”列，无法区分收入与支出"),
            BankError::NoCreditColumn { .. } => "对账单没有贷方发生额（收入）列".into(),
            BankError::TooManyRows { max } => format!("对账单超过{max}行：请缩短导出的期间"),
        }
    }
}
