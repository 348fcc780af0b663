//! A unit's employee list (明细表) read into the case JSON's `employees` entries (#28): XLSX, XLS,
//! XLSB and ODS through calamine, CSV through `csv` in UTF-8 (with or without BOM), UTF-16 or
//! GB18030/GBK as Excel writes it on a Chinese Windows, the encoding detected, never assumed.
//! Columns are found by their Chinese headers, below any title rows; every row is checked with
//! the domain's own rules (`certdesk_domain::validate_employee`), duplicates are looked for
//! within the list and among the rows the case already has, blank rows are skipped, and the
//! number of rows is capped. A file is measured before the spreadsheet library allocates for it
//! (#78): its size, what its archive inflates to, and for an XLS what its sheets span and copy
//! (`xls_scan`, `zip_scan`, `ods_scan`), against the limits of [`limits`], named in the refusal
//! (`RosterError::OverLimit`). Nothing is half-read: either every row, or every problem by row
//! and column (`RosterError`). Library only: no environment, no printing; what the list is
//! added to, and who may add it, is the caller's (`certdesk-desk`).
//!
//! (Compiled, not run: the example names a file that is not there; the crate's tests read
//! lists they generate.)
//!
//! ```no_run
//! use certdesk_roster::{ReadOptions, read_employees_file};
//! let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
//! match read_employees_file("员工明细表.xlsx".as_ref(), &ReadOptions::new(today)) {
//!     Ok(roster) => assert!(!roster.employees.is_empty()),
//!     Err(e) => assert!(!serde_json::to_string(&e.report()).unwrap().is_empty()),
//! }
//! ```

mod columns;
mod error;
pub mod limits;
mod ods_scan;
mod rows;
mod sheet;
mod xls_scan;
mod zip_scan;

pub use columns::{Column, letter};
pub use error::{ErrorReport, OleDamage, RosterError, RowProblem, UnreadableSheet};
pub use limits::{Limit, MAX_FILE_BYTES};
pub use sheet::{Format, Sheet, SheetRow, Value, Workbook};

/// Reads any table file the counter handles (XLSX/XLS/ODS or CSV, by content) into rows of
/// cells, at most `row_budget` non-empty rows per sheet: used beyond the 明细表, e.g. for a
/// daily ledger exported earlier and checked against the store (#31).
pub fn read_workbook(bytes: &[u8], row_budget: usize) -> Result<Workbook, RosterError> {
    sheet::read(bytes, row_budget)
}

use certdesk_domain::BusinessType;
use certdesk_domain::case::{CaseData, Employee, MAX_EMPLOYEES};
use chrono::NaiveDate;
use serde::Serialize;
use std::io::Read;
use std::path::Path;

/// What a list is read for: today (resident IDs' birth dates), what fills a column the list
/// leaves out, the rows the case already has (duplicates) and how many more it may take.
#[derive(Debug, Clone)]
pub struct ReadOptions<'a> {
    pub today: NaiveDate,
    /// The business type of rows without one (no 业务类型 column, or a blank cell); without it
    /// the column is required.
    pub business: Option<BusinessType>,
    /// The validity of new and renewed rows that give none.
    pub years: Option<u32>,
    /// The case's rows already on its annex: an ID number among them is refused.
    pub existing: &'a [Employee],
    /// The most rows the list may have.
    pub max_rows: usize,
}

impl<'a> ReadOptions<'a> {
    /// A list read on its own: 业务类型 required, no years filled in, nothing to compare with.
    pub fn new(today: NaiveDate) -> Self {
        ReadOptions { today, business: None, years: None, existing: &[], max_rows: MAX_EMPLOYEES }
    }

    /// A list read into `case`: rows without a business type or years take the case's, rows
    /// already on the case are refused, and the case's annex stays within [`MAX_EMPLOYEES`].
    pub fn for_case(case: &'a CaseData, today: NaiveDate) -> Self {
        ReadOptions { today, business: Some(case.business), years: case.years, existing: &case.employees, max_rows: MAX_EMPLOYEES.saturating_sub(case.employees.len()) }
    }
}

/// A list read whole: its rows as the case JSON's `employees`, and where they came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Roster {
    /// Serialise this to get the case JSON's `employees` array.
    pub employees: Vec<Employee>,
    pub format: Format,
    /// The text encoding of a CSV file (`UTF-8`, `GB18030`, `UTF-16LE`).
    pub encoding: Option<&'static str>,
    /// The worksheet read (none for CSV).
    pub sheet: Option<String>,
    /// The header's row (1-based).
    pub header_row: u32,
}

/// Reads the list in the file at `path` (at most [`MAX_FILE_BYTES`]): what
/// `certdesk employees read FILE` does.
pub fn read_employees_file(path: &Path, options: &ReadOptions<'_>) -> Result<Roster, RosterError> {
    let io = |source| RosterError::Io { path: path.to_path_buf(), source };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(RosterError::TooLarge { size, max: MAX_FILE_BYTES });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // a file that grows while read is still cut at the limit
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
    read_employees(&bytes, options)
}

/// Reads the list in `bytes` (a file's whole content; the format is found from it).
pub fn read_employees(bytes: &[u8], options: &ReadOptions<'_>) -> Result<Roster, RosterError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(RosterError::TooLarge { size: bytes.len() as u64, max: MAX_FILE_BYTES });
    }
    let budget = options.max_rows.saturating_add(columns::HEADER_SEARCH_ROWS + 1);
    let book = sheet::read(bytes, budget)?;
    let mut required = Vec::new();
    if options.business.is_none() {
        required.push(Column::Business);
    }
    // the first visible worksheet with a header row is the list; else the first one's problems
    let mut first_problems = None;
    let mut found = None;
    for s in &book.sheets {
        match columns::find_header(&s.rows, &required) {
            Ok(header) => {
                found = Some((s, header));
                break;
            }
            Err(problems) => {
                first_problems.get_or_insert(problems);
            }
        }
    }
    let Some((sheet, header)) = found else {
        if book.sheets.iter().all(|s| s.rows.is_empty()) {
            return Err(RosterError::Empty);
        }
        return Err(RosterError::Columns(first_problems.unwrap_or_default()));
    };
    let data: Vec<&sheet::SheetRow> = sheet.rows.iter().filter(|r| r.number > header.row && rows::is_data_row(r, &header)).collect();
    if data.len() > options.max_rows || (sheet.truncated && data.len() >= options.max_rows) {
        return Err(RosterError::TooManyRows { max: options.max_rows });
    }
    if data.is_empty() {
        return Err(RosterError::NoRows);
    }
    // no 年限 column, no business column to carry the years, nothing to fill them: one problem
    // for the column, not one per row
    let business_takes_years = options.business.is_some_and(BusinessType::takes_years);
    if header.get(Column::Years).is_none() && header.get(Column::Business).is_none() && options.years.is_none() && business_takes_years {
        return Err(RosterError::Columns(vec![columns::missing_column(Some(header.row), Column::Years)]));
    }
    let defaults = rows::Defaults { business: options.business, years: options.years, existing: options.existing, today: options.today };
    let employees = rows::read_rows(&data, &header, &defaults).map_err(RosterError::Rows)?;
    Ok(Roster { employees, format: book.format, encoding: book.encoding, sheet: sheet.name.clone(), header_row: header.row })
}
