//! What can be wrong with a unit's list: the file as a whole (`RosterError`) or its rows
//! (`RowProblem`, by spreadsheet row and column), each in English and Chinese, and the one
//! serialisable form of either (`ErrorReport`) that the CLI prints with `--json` and the app
//! shows. Does not decide what is wrong: `sheet`, `columns` and `rows` do.

use crate::limits::Limit;
use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// One problem of the list, where the spreadsheet shows it: `row` as the spreadsheet numbers it
/// (1-based, the header and any title row counted), `column` as its letter (`A`, `B`, … `AA`)
/// and `header` the column's header as the file writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    /// The row (1-based, as the spreadsheet numbers it); absent for a column the list lacks
    /// when no header row was found at all.
    pub row: Option<u32>,
    /// The column's letter; absent for a problem of the whole row or a missing column.
    pub column: Option<String>,
    /// The column's header as written in the file, or for a missing column its usual name.
    pub header: Option<String>,
    /// The field of the case JSON's `employees` entry the cell fills (`name`, `id_type`,
    /// `id_number`, `email`, `business`, `years`).
    pub field: Option<&'static str>,
    /// The cell as read (absent for an empty or missing cell).
    pub value: Option<String>,
    /// A stable code for programs: `missing_column`, `duplicate_column`, `required`, `checksum`
    /// and the other identifier codes of `certdesk_domain::ident::Problem`, `number_lost_digits`,
    /// `unknown_business`, `unknown_id_type`, `bad_years`, `years_conflict`, `duplicate_in_list`,
    /// `duplicate_in_case`, `not_text`, `invalid`.
    pub code: &'static str,
    pub message: String,
    pub message_zh: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.row, &self.column) {
            (Some(row), Some(col)) => write!(f, "row {row}, column {col}")?,
            (Some(row), None) => write!(f, "row {row}")?,
            (None, _) => write!(f, "header")?,
        }
        if let Some(h) = &self.header {
            write!(f, " ({h})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl RowProblem {
    /// The problem in Chinese, placed as the clerk reads it: 第3行 C列（身份证号码）：…
    pub fn zh(&self) -> String {
        let mut at = String::new();
        match (self.row, &self.column) {
            (Some(row), Some(col)) => at.push_str(&format!("第{row}行 {col}列")),
            (Some(row), None) => at.push_str(&format!("第{row}行")),
            (None, _) => at.push_str("表头"),
        }
        if let Some(h) = &self.header {
            at.push_str(&format!("（{h}）"));
        }
        format!("{at}：{}", self.message_zh)
    }
}

/// Why a list was not read. Nothing of a refused list is taken: either every row, or this.
/// Why a file that is a spreadsheet cannot be read: the reading library's error, or damage
/// the pre-read scans (`xls_scan`, `ods_scan`) find before the library would be misled by it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UnreadableSheet {
    #[error(transparent)]
    Xlsx(#[from] calamine::XlsxError),
    #[error(transparent)]
    Xls(#[from] calamine::XlsError),
    #[error(transparent)]
    Xlsb(#[from] calamine::XlsbError),
    #[error(transparent)]
    Ods(#[from] calamine::OdsError),
    #[error(transparent)]
    Csv(#[from] csv::Error),
    /// calamine panicked (an index past a record's end, an overflow): caught, the file refused.
    #[error("the spreadsheet library failed on a damaged part of the file")]
    LibraryFailed,
    #[error("the ODS content ends inside a table")]
    OdsEndsInsideTable,
    #[error(transparent)]
    Ole(#[from] OleDamage),
}

/// Damage in an OLE compound file (an XLS) that calamine would misread: refused instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OleDamage {
    #[error("the OLE container's sector {id} runs past the end of the file")]
    SectorPastEnd { id: u32 },
    /// `chain` is which chain: directory, mini stream, mini FAT, workbook stream.
    #[error("the OLE container's {chain} goes round in a loop")]
    ChainLoops { chain: &'static str },
    #[error("the OLE container's {chain} names sector {id}, which its table does not hold")]
    ChainNamesMissingSector { chain: &'static str, id: u32 },
    #[error("the OLE container names {count} FAT sectors, more than the file holds")]
    TooManyFatSectors { count: usize },
    #[error("the OLE container's mini sector {id} lies past its mini stream")]
    MiniSectorPastStream { id: u32 },
    #[error("the OLE container's mini sector chain names sector {id}, which its table does not hold")]
    MiniChainNamesMissingSector { id: u32 },
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RosterError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the file is {size} bytes; a list is read up to {max} bytes")]
    TooLarge { size: u64, max: u64 },
    /// A workbook past one of the limits of `limits` (#78), found before it was read: `what` says
    /// where (a sheet, the archive's entries), `limit` which limit.
    #[error("the workbook is refused unread: {what}; a list is read up to {limit}")]
    OverLimit { what: String, limit: Limit },
    #[error("the file is empty")]
    Empty,
    #[error("not a spreadsheet (XLSX, XLS or CSV): {what}")]
    NotASpreadsheet { what: String },
    #[error("the spreadsheet cannot be read: {cause}")]
    Unreadable {
        #[source]
        cause: UnreadableSheet,
    },
    #[error("the workbook is protected by a password: save it without one and choose it again")]
    Encrypted,
    #[error("the list holds no employee: no row under the header has a name or an ID number")]
    NoRows,
    #[error("the list has more than {max} employees, the most this case can still take")]
    TooManyRows { max: usize },
    /// Columns the list must have and lacks (with the header row when one was found), or a
    /// column that appears twice.
    #[error("{}", summary(.0))]
    Columns(Vec<RowProblem>),
    /// Rows with problems: every one of them, by row and column.
    #[error("{}", summary(.0))]
    Rows(Vec<RowProblem>),
}

fn summary(problems: &[RowProblem]) -> String {
    match problems {
        [one] => one.to_string(),
        _ => {
            let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
            format!("{} problems in the list:\n{}", problems.len(), lines.join("\n"))
        }
    }
}

impl RosterError {
    /// A stable name for programs (`kind` of the JSON report).
    pub fn kind(&self) -> &'static str {
        match self {
            RosterError::Io { .. } => "io",
            RosterError::TooLarge { .. } => "too_large",
            RosterError::OverLimit { .. } => "over_limit",
            RosterError::Empty => "empty",
            RosterError::NotASpreadsheet { .. } => "not_a_spreadsheet",
            RosterError::Unreadable { .. } => "unreadable",
            RosterError::Encrypted => "encrypted",
            RosterError::NoRows => "no_rows",
            RosterError::TooManyRows { .. } => "too_many_rows",
            RosterError::Columns(_) => "columns",
            RosterError::Rows(_) => "rows",
        }
    }

    /// The message in Simplified Chinese.
    pub fn zh(&self) -> String {
        match self {
            RosterError::Io { path, source } => format!("无法读取文件 {}：{source}", path.display()),
            RosterError::TooLarge { size, max } => format!("文件大小{size}字节，员工明细表最大{max}字节"),
            RosterError::OverLimit { limit, .. } => format!("表格文件超出读取上限，未读取：员工明细表最多{}{}（{}）", limit.max(), limit.unit_zh(), limit.name()),
            RosterError::Empty => "文件是空的".into(),
            RosterError::NotASpreadsheet { .. } => "不是表格文件：请选择 Excel（.xlsx、.xls）或 CSV 文件".into(),
            RosterError::Unreadable { cause } => format!("表格文件已损坏或无法读取（{cause}）"),
            RosterError::Encrypted => "表格文件设置了打开密码：请在 Excel 中取消密码另存后重新选择".into(),
            RosterError::NoRows => "表头下没有任何员工（没有填写姓名或证件号码的行）".into(),
            RosterError::TooManyRows { max } => format!("员工超过{max}人，本案件最多还能添加{max}人"),
            RosterError::Columns(p) | RosterError::Rows(p) => {
                let lines: Vec<String> = p.iter().map(RowProblem::zh).collect();
                lines.join("\n")
            }
        }
    }

    /// The problems by row and column (empty for an error of the whole file).
    pub fn problems(&self) -> &[RowProblem] {
        match self {
            RosterError::Columns(p) | RosterError::Rows(p) => p,
            _ => &[],
        }
    }

    /// The serialisable form: what `certdesk employees read --json` prints on failure.
    pub fn report(&self) -> ErrorReport {
        ErrorReport { kind: self.kind(), message: self.to_string(), message_zh: self.zh(), problems: self.problems().to_vec() }
    }
}

/// A refused list as data: `{kind, message, message_zh, problems: [{row, column, header, field,
/// value, code, message, message_zh}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorReport {
    pub kind: &'static str,
    pub message: String,
    pub message_zh: String,
    pub problems: Vec<RowProblem>,
}
