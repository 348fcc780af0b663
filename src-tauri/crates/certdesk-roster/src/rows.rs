//! From the rows under the header to the case JSON's `employees` entries: each cell read as its
//! field (业务类型 as the 附页 writes it, ticked boxes and `年限叁年` included; 证件类型 by its
//! Chinese names; years as digits or Chinese numerals; an ID number Excel stored as a number
//! refused, since Excel keeps only 15 digits), each row checked with the domain's own
//! `validate_employee`, duplicates looked for in the list and among the case's rows, and every
//! problem placed by row and column. Does not find the header: that is `columns`.

use crate::columns::{Column, Header, letter};
use crate::error::RowProblem;
use crate::sheet::{SheetRow, Value};
use certdesk_domain::case::{Employee, Extra, validate_employee};
use certdesk_domain::ident::{self, IdentKind};
use certdesk_domain::{BusinessType, IdType};
use chrono::NaiveDate;
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

/// What fills a field the list leaves out, and what the rows are compared with.
pub struct Defaults<'a> {
    pub business: Option<BusinessType>,
    pub years: Option<u32>,
    pub existing: &'a [Employee],
    pub today: NaiveDate,
}

/// A data row worth reading: not blank in every column the header names, and not the note under
/// a form's table (`说明：…`, `注：…` alone in the name column).
pub fn is_data_row(row: &SheetRow, header: &Header) -> bool {
    let filled: Vec<(Column, String)> = header
        .columns
        .iter()
        .filter_map(|p| row.cell(p.index).map(|v| (p.column, v.shown().trim().to_string())))
        .filter(|(_, s)| !s.is_empty() && (!s.contains(BOXES) || s.contains(TICKED)))
        .collect();
    match filled.as_slice() {
        [] => false,
        [(Column::Name, text)] => {
            let t: String = text.nfkc().collect();
            !["说明", "注", "备注", "填表说明"].iter().any(|w| t.starts_with(&format!("{w}:")) || t.starts_with(&format!("{w}1")))
        }
        _ => true,
    }
}

/// Reads and checks every data row: the entries, or every problem found.
pub fn read_rows(rows: &[&SheetRow], header: &Header, defaults: &Defaults<'_>) -> Result<Vec<Employee>, Vec<RowProblem>> {
    let mut problems = Vec::new();
    let mut employees = Vec::new();
    let mut first_row_of: HashMap<String, u32> = HashMap::new();
    let existing: HashMap<String, &Employee> = defaults.existing.iter().map(|e| (compact(&e.id_number), e)).collect();
    for row in rows {
        let mut at = Place { row: row.number, header, problems: Vec::new() };
        let mut employee = at.employee(row, defaults);
        // the domain's checks of the fields read so far (a cell already refused is not
        // reported twice)
        let refused: Vec<Option<&'static str>> = at.problems.iter().map(|p| p.field).collect();
        for p in validate_employee(&mut employee, defaults.today) {
            if p.severity == certdesk_domain::Severity::Error {
                at.domain_problem(&p, &employee, row, &refused);
            }
        }
        if at.problems.is_empty() {
            let key = compact(&employee.id_number);
            if let Some(first) = first_row_of.get(&key) {
                at.push(
                    Column::IdNumber,
                    Some(employee.id_number.clone()),
                    "duplicate_in_list",
                    format!("the same ID number as row {first}"),
                    format!("证件号码与第{first}行重复"),
                );
            } else if let Some(other) = existing.get(&key) {
                at.push(
                    Column::IdNumber,
                    Some(employee.id_number.clone()),
                    "duplicate_in_case",
                    format!("already on the case's annex ({})", other.name),
                    format!("该证件号码已在本案件附页中（{}）", other.name),
                );
            } else {
                first_row_of.insert(key, row.number);
                employees.push(employee);
            }
        }
        // in the order the row reads, left to right; a problem without a column last
        at.problems.sort_by_key(|p| p.column.as_ref().map_or((usize::MAX, String::new()), |c| (c.len(), c.clone())));
        problems.append(&mut at.problems);
    }
    if problems.is_empty() { Ok(employees) } else { Err(problems) }
}

/// An identifier as compared for duplicates: what the domain normalises it to, spaces aside.
fn compact(id: &str) -> String {
    id.nfkc().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect()
}

/// One row being read: where its problems go.
struct Place<'h> {
    row: u32,
    header: &'h Header,
    problems: Vec<RowProblem>,
}

impl Place<'_> {
    fn push(&mut self, column: Column, value: Option<String>, code: &'static str, message: String, message_zh: String) {
        let placed = self.header.get(column);
        self.problems.push(RowProblem {
            row: Some(self.row),
            column: placed.map(|p| letter(p.index)),
            header: Some(placed.map_or_else(|| column.usual_header().to_string(), |p| p.header.clone())),
            field: Some(column.field()),
            value,
            code,
            message,
            message_zh,
        });
    }

    fn cell<'r>(&self, row: &'r SheetRow, column: Column) -> Option<&'r Value> {
        self.header.get(column).and_then(|p| row.cell(p.index))
    }

    /// The cell as text; numbers written as the clerk sees them; `None` when blank.
    fn text(&mut self, row: &SheetRow, column: Column) -> Option<String> {
        let value = self.cell(row, column)?;
        let text = match value {
            Value::Text(t) => t.trim().to_string(),
            Value::Int(i) => i.to_string(),
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{n:.0}"),
            Value::Number(n) => format!("{n}"),
            other => {
                let shown = other.shown();
                let (en, zh) = match other {
                    Value::Error(e) => (format!("the cell holds the Excel error {e}"), format!("单元格是 Excel 错误值 {e}")),
                    Value::Date(_) => ("the cell is formatted as a date".to_string(), "单元格是日期格式，请改为文本".to_string()),
                    _ => ("the cell is a TRUE/FALSE value".to_string(), "单元格是逻辑值（TRUE/FALSE）".to_string()),
                };
                self.push(column, Some(shown), "not_text", en, zh);
                return None;
            }
        };
        (!text.is_empty()).then_some(text)
    }

    /// The row's entry; a cell that cannot be read leaves a problem and a stand-in value.
    fn employee(&mut self, row: &SheetRow, defaults: &Defaults<'_>) -> Employee {
        let name = self.text(row, Column::Name).unwrap_or_default();
        let id_type = match self.text(row, Column::IdType) {
            None => IdType::ResidentId,
            Some(t) => id_type_of(&t).unwrap_or_else(|| {
                self.push(
                    Column::IdType,
                    Some(t.clone()),
                    "unknown_id_type",
                    format!("unknown ID document type {t:?}; one of 居民身份证, 护照, 港澳居民来往内地通行证, 台湾居民来往大陆通行证, 港澳台居民居住证, 外国人永久居留身份证, 军官证, 其他"),
                    format!("证件类型“{t}”无法识别，应为居民身份证、护照、港澳居民来往内地通行证、台湾居民来往大陆通行证、港澳台居民居住证、外国人永久居留身份证、军官证或其他"),
                );
                // a stand-in the domain checks no further than "not empty"
                IdType::Other
            }),
        };
        let id_number = self.id_number(row).unwrap_or_default();
        let email = self.text(row, Column::Email);
        let (business, years_in_business) = match self.text(row, Column::Business) {
            Some(t) => match business_of(&t) {
                Some(found) => found,
                None => {
                    self.push(
                        Column::Business,
                        Some(t.clone()),
                        "unknown_business",
                        format!("unknown business type {t:?}; one of 新申请, 更新, 变更, 补办, 解锁, 注销"),
                        format!("业务类型“{t}”无法识别，应为新申请、更新、变更、补办、解锁、注销等"),
                    );
                    (BusinessType::New, None)
                }
            },
            None => match defaults.business {
                Some(b) => (b, None),
                None => {
                    self.push(Column::Business, None, "required", "the business type is empty".into(), "业务类型未填写".into());
                    (BusinessType::New, None)
                }
            },
        };
        let years_cell = match self.text(row, Column::Years) {
            Some(t) => match years_of(&t) {
                Some(y) => Some(y),
                None => {
                    self.push(Column::Years, Some(t.clone()), "bad_years", format!("{t:?} is no number of years"), format!("年限“{t}”不是年数（如 3、三、叁）"));
                    None
                }
            },
            None => None,
        };
        if let (Some(a), Some(b)) = (years_cell, years_in_business)
            && a != b
        {
            self.push(
                Column::Years,
                Some(a.to_string()),
                "years_conflict",
                format!("{a} years here, {b} years in the business type"),
                format!("年限{a}年与业务类型中的{b}年不一致"),
            );
        }
        let years = if business.takes_years() { years_cell.or(years_in_business).or(defaults.years) } else { None };
        Employee { name, id_type, id_number, email, business, years, authorization_until: None, source: None, extra: Extra::new() }
    }

    /// The ID number's cell. A number of 15 digits or more is refused: Excel keeps 15
    /// significant digits, so an 18-digit ID typed into a number cell has lost its last ones
    /// (shown as `4.40106E+17`, or ending in 000).
    fn id_number(&mut self, row: &SheetRow) -> Option<String> {
        let lost = |value: String| {
            (
                value,
                "number_lost_digits",
                "the ID number is stored as a number and Excel keeps only 15 digits: set the column's format to text and type the numbers again".to_string(),
                "证件号码被存成了数字，Excel 只保留15位，末几位已丢失：请把该列设为“文本”格式后重新录入".to_string(),
            )
        };
        let problem = match self.cell(row, Column::IdNumber)? {
            Value::Number(n) if n.abs() >= 1e15 || n.fract() != 0.0 => Some(lost(format!("{n}"))),
            Value::Int(i) if i.unsigned_abs() >= 1_000_000_000_000_000 => Some(lost(i.to_string())),
            Value::Text(t) if is_scientific(t.trim()) => Some(lost(t.trim().to_string())),
            _ => None,
        };
        if let Some((value, code, en, zh)) = problem {
            self.push(Column::IdNumber, Some(value), code, en, zh);
            return None;
        }
        self.text(row, Column::IdNumber)
    }

    /// A problem of `validate_employee`, placed at its field's column; the identifier's own
    /// problem code where the domain gives one.
    fn domain_problem(&mut self, p: &certdesk_domain::FieldProblem, e: &Employee, row: &SheetRow, refused: &[Option<&'static str>]) {
        let column = match p.path.as_str() {
            "name" => Column::Name,
            "id_number" => Column::IdNumber,
            "email" => Column::Email,
            "years" if self.header.get(Column::Years).is_none() && self.header.get(Column::Business).is_some() => Column::Business,
            _ => Column::Years,
        };
        let field = if p.path == "years" { "years" } else { column.field() };
        if refused.contains(&Some(column.field())) || refused.contains(&Some(field)) {
            return;
        }
        let value = self.cell(row, column).map(Value::shown);
        let code = match column {
            _ if p.message == "required" => "required",
            Column::IdNumber if e.id_type == IdType::ResidentId => ident_code(IdentKind::Ric, &e.id_number),
            Column::Email => e.email.as_deref().map_or("invalid", |m| ident_code(IdentKind::Email, m)),
            _ => "invalid",
        };
        self.push(column, value, code, p.message.clone(), p.message_zh.clone());
    }
}

fn ident_code(kind: IdentKind, value: &str) -> &'static str {
    // the domain already refused it; only its code is asked for (any date: the code is the same
    // for all but a birth date after today, which `validate_employee` checked against today)
    match ident::parse_at(kind, value, NaiveDate::MAX) {
        Err(e) => e.problem.code(),
        Ok(_) => "future_date",
    }
}

/// `4.40106E+17`, `4.40106200109094E+17`: what Excel writes for a long number in CSV.
fn is_scientific(t: &str) -> bool {
    let Some((mantissa, exponent)) = t.split_once(['E', 'e']) else { return false };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    !mantissa.is_empty()
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && mantissa.chars().next().is_some_and(|c| c.is_ascii_digit())
        && !exponent.is_empty()
        && exponent.chars().all(|c| c.is_ascii_digit())
}

/// Text as compared: NFKC, no spaces, ASCII lowercase.
fn squeeze(text: &str) -> String {
    text.nfkc().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

fn id_type_of(text: &str) -> Option<IdType> {
    let t = squeeze(text);
    if let Some(found) = IdType::ALL.iter().find(|k| k.wire() == t || squeeze(k.zh()) == t) {
        return Some(*found);
    }
    let names: &[(&str, IdType)] = &[
        ("身份证", IdType::ResidentId),
        ("二代身份证", IdType::ResidentId),
        ("居民身份证号码", IdType::ResidentId),
        ("中华人民共和国居民身份证", IdType::ResidentId),
        ("港澳通行证", IdType::HkMacaoPermit),
        ("回乡证", IdType::HkMacaoPermit),
        ("港澳居民来往内地通行证", IdType::HkMacaoPermit),
        ("台胞证", IdType::TaiwanPermit),
        ("台湾居民来往大陆通行证", IdType::TaiwanPermit),
        ("港澳台居民居住证", IdType::HkMacaoTaiwanResidence),
        ("外国人永久居留证", IdType::ForeignerResidence),
        ("外国人永久居留身份证", IdType::ForeignerResidence),
        ("军官证", IdType::MilitaryOfficer),
        ("其它", IdType::Other),
    ];
    names.iter().find(|(n, _)| *n == t).map(|(_, k)| *k)
}

/// A ticked box, as forms and Word print them.
const TICKED: [char; 6] = ['■', '☑', '☒', '✓', '✔', '√'];
/// Any box of a row of choices, ticked or not (a template's untouched row counts as blank).
const BOXES: [char; 8] = ['□', '☐', '■', '☑', '☒', '✓', '✔', '√'];

/// Drops the form's parenthesised notes (`(填大写数字)`), keeping those with a number in them
/// (`更新（二年）`).
fn without_notes(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find(['(', '（']) {
        let after = &rest[open..];
        let close = after.find([')', '）']).map(|i| i + after[i..].chars().next().map_or(1, char::len_utf8));
        let Some(close) = close else { break };
        let note = &after[..close];
        out.push_str(&rest[..open]);
        if note.chars().any(|c| c.is_ascii_digit() || "零一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾".contains(c)) {
            out.push_str(note);
        }
        rest = &after[close..];
    }
    out.push_str(rest);
    out
}

/// The business type and any years it carries: `新申请`, `new`, `更新`/`续期`/`延期`, the 附页's
/// `新申请，年限叁年`, and a row of check boxes where one is ticked (`■新申请，年限叁年 □变更`).
fn business_of(text: &str) -> Option<(BusinessType, Option<u32>)> {
    let t = without_notes(&squeeze(text));
    let chosen: String = if t.contains(BOXES) {
        // the options after a ticked box, up to the next box
        let mut picked = Vec::new();
        let mut rest = t.as_str();
        while let Some(i) = rest.find(TICKED) {
            let after = &rest[i..];
            let mut chars = after.chars();
            chars.next();
            let option: String = chars.as_str().chars().take_while(|c| !BOXES.contains(c)).collect();
            picked.push(option);
            rest = chars.as_str();
        }
        match picked.as_slice() {
            [one] => one.clone(),
            _ => return None,
        }
    } else {
        t
    };
    let chosen = chosen.trim_matches(|c: char| matches!(c, ',' | '，' | '、' | ';' | '；'));
    if let Some(b) = BusinessType::from_wire(chosen) {
        return Some((b, None));
    }
    let names: &[(&str, BusinessType)] = &[
        ("新申请", BusinessType::New),
        ("新办", BusinessType::New),
        ("新增", BusinessType::New),
        ("申请", BusinessType::New),
        ("更新续期", BusinessType::Renew),
        ("更新", BusinessType::Renew),
        ("续期", BusinessType::Renew),
        ("延期", BusinessType::Renew),
        ("续费", BusinessType::Renew),
        ("变更", BusinessType::Change),
        ("补办", BusinessType::Replace),
        ("补发", BusinessType::Replace),
        ("解锁", BusinessType::Unlock),
        ("注销", BusinessType::Revoke),
        ("吊销", BusinessType::Revoke),
        ("挂起", BusinessType::Suspend),
        ("解挂", BusinessType::Unsuspend),
        ("密钥恢复", BusinessType::KeyRecovery),
        ("年审", BusinessType::AnnualCheck),
        ("年检", BusinessType::AnnualCheck),
    ];
    let (word, business) = names.iter().find(|(n, _)| chosen.starts_with(n))?;
    let rest = chosen[word.len()..].trim_matches(|c: char| matches!(c, ',' | '，' | '、' | '(' | ')' | '（' | '）' | ':' | '：'));
    if rest.is_empty() {
        return Some((*business, None));
    }
    // `年限叁年`, `年限3年`, `3年`, `(三年)`
    let rest = rest.strip_prefix("年限").unwrap_or(rest).trim_start_matches([':', '：']);
    let years = rest.strip_suffix('年').and_then(numeral)?;
    Some((*business, Some(years)))
}

/// Years as a cell writes them: `3`, `3.0`, `3年`, `三`, `叁年`.
fn years_of(text: &str) -> Option<u32> {
    let t = squeeze(text);
    let t = t.strip_suffix('年').unwrap_or(&t);
    if let Ok(f) = t.parse::<f64>() {
        return (f.fract() == 0.0 && (0.0..=1000.0).contains(&f)).then_some(f as u32);
    }
    numeral(t)
}

/// A small number in digits or Chinese numerals (lower or capital): 3, 三, 叁, 十, 拾贰, 两.
fn numeral(text: &str) -> Option<u32> {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) {
        return text.parse().ok();
    }
    let digit = |c: char| "零一二三四五六七八九".find(c).or_else(|| "零壹贰叁肆伍陆柒捌玖".find(c)).map(|i| (i / 3) as u32).or(if c == '两' { Some(2) } else { None });
    let chars: Vec<char> = text.chars().collect();
    match chars.as_slice() {
        [d] if digit(*d).is_some() => digit(*d),
        ['十' | '拾'] => Some(10),
        ['十' | '拾', d] => digit(*d).map(|d| 10 + d),
        [d, '十' | '拾'] => digit(*d).map(|d| d * 10),
        [d, '十' | '拾', e] => Some(digit(*d)? * 10 + digit(*e)?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_types_as_lists_write_them() {
        for (text, expect) in [
            ("新申请", Some((BusinessType::New, None))),
            ("new", Some((BusinessType::New, None))),
            ("新申请，年限叁年", Some((BusinessType::New, Some(3)))),
            ("新申请, 年限 3 年", Some((BusinessType::New, Some(3)))),
            ("更新（二年）", Some((BusinessType::Renew, Some(2)))),
            ("续期", Some((BusinessType::Renew, None))),
            ("■新申请，年限壹年 □变更 □注销 □更新，年限 年 □补办 □解锁", Some((BusinessType::New, Some(1)))),
            ("□新申请，年限 年 □变更 □注销 ☑更新，年限贰年 □补办 □解锁", Some((BusinessType::Renew, Some(2)))),
            ("□新申请 □变更", None),
            ("■新申请 ■变更", None),
            ("变更", Some((BusinessType::Change, None))),
            ("补办", Some((BusinessType::Replace, None))),
            ("开户", None),
        ] {
            assert_eq!(business_of(text), expect, "{text}");
        }
    }

    #[test]
    fn years_and_numerals() {
        for (text, expect) in [
            ("3", Some(3)),
            ("3.0", Some(3)),
            ("3年", Some(3)),
            ("三", Some(3)),
            ("叁年", Some(3)),
            ("拾", Some(10)),
            ("十二", Some(12)),
            ("两年", Some(2)),
            ("3.5", None),
            ("三年半", None),
            ("", None),
        ] {
            assert_eq!(years_of(text), expect, "{text}");
        }
    }

    #[test]
    fn id_types_by_their_chinese_names() {
        for (text, expect) in [
            ("身份证", Some(IdType::ResidentId)),
            ("居民身份证", Some(IdType::ResidentId)),
            ("resident_id", Some(IdType::ResidentId)),
            ("护照", Some(IdType::Passport)),
            ("回乡证", Some(IdType::HkMacaoPermit)),
            ("台胞证", Some(IdType::TaiwanPermit)),
            ("驾驶证", None),
        ] {
            assert_eq!(id_type_of(text), expect, "{text}");
        }
    }

    #[test]
    fn scientific_notation_is_what_excel_does_to_long_numbers() {
        assert!(is_scientific("4.40106E+17"));
        assert!(is_scientific("4.40106200109094e17"));
        assert!(!is_scientific("440106200109094066"));
        assert!(!is_scientific("E+17"));
        assert!(!is_scientific("H12345678"));
    }
}
