//! A unit's employee list (员工明细表) read for the intake or the command line: the file through
//! `certdesk-roster` (calamine, csv, encodings, headers, every row checked), with what fills the
//! columns a list may leave out. Owns choosing those defaults and mapping the reader's refusal
//! to a desk error; not the reading itself, and not adding the rows to a case (the case JSON
//! and `Desk::edit` do that).

use crate::DeskError;
use certdesk_domain::BusinessType;
use certdesk_roster::{ReadOptions, Roster};
use std::path::Path;

/// Reads `path` as an employee list on `today`: rows without a business type take `business`
/// (without it the list needs a 业务类型 column), rows without years take `years`.
pub fn read_list(path: &Path, business: Option<&str>, years: Option<u32>, today: chrono::NaiveDate) -> Result<Roster, DeskError> {
    let business = business
        .map(|b| BusinessType::from_wire(b.trim()).ok_or_else(|| DeskError::UnknownValue { what: "business type", value: b.to_string(), known: BusinessType::wire_names() }))
        .transpose()?;
    let mut options = ReadOptions::new(today);
    options.business = business;
    options.years = years;
    Ok(certdesk_roster::read_employees_file(path, &options)?)
}

/// The reader's refusal as data (`{kind, message, message_zh, problems: [{row, column, …}]}`),
/// when `err` is one.
pub fn refusal(err: &DeskError) -> Option<certdesk_roster::ErrorReport> {
    match err {
        DeskError::EmployeeList(e) => Some(e.report()),
        _ => None,
    }
}

/// Reads a list's bytes for the intake's employee table on `today`: rows without a business
/// type or years take the form's, an ID number already in the table is refused, and the table
/// stays within the annex's limit.
pub fn read_for_intake(
    bytes: &[u8],
    business: Option<&str>,
    years: Option<u32>,
    existing: &[certdesk_domain::case::Employee],
    today: chrono::NaiveDate,
) -> Result<Roster, DeskError> {
    let business = business
        .map(|b| BusinessType::from_wire(b.trim()).ok_or_else(|| DeskError::UnknownValue { what: "business type", value: b.to_string(), known: BusinessType::wire_names() }))
        .transpose()?;
    let options = ReadOptions { business, years, existing, max_rows: certdesk_domain::case::MAX_EMPLOYEES.saturating_sub(existing.len()), ..ReadOptions::new(today) };
    Ok(certdesk_roster::read_employees(bytes, &options)?)
}
