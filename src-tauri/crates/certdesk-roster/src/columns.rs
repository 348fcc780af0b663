//! The columns of a unit's list, found by their Chinese headers: which header texts name which
//! field of the case JSON's `employees` entry (姓名; 证件类型; 证件号码/身份证号码; 电子邮箱/
//! 邮箱/电子邮件/E-mail; 业务类型; 年限/有效期(年) and their usual variants, as the CAs' 附页 and
//! units' own tables write them), and which row is the header (a title row may stand above it).
//! Does not read cells: that is `rows`.

use crate::error::RowProblem;
use crate::sheet::{SheetRow, Value};
use unicode_normalization::UnicodeNormalization;

/// A field of the employee entry that a column fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Column {
    Name,
    IdType,
    IdNumber,
    Email,
    Business,
    Years,
}

impl Column {
    pub const ALL: [Column; 6] = [Column::Name, Column::IdType, Column::IdNumber, Column::Email, Column::Business, Column::Years];

    /// The field's name in the case JSON.
    pub fn field(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::IdType => "id_type",
            Column::IdNumber => "id_number",
            Column::Email => "email",
            Column::Business => "business",
            Column::Years => "years",
        }
    }

    /// The header the CAs' forms print (seed 001's 附页: 姓名, 业务类型, 身份证号码, 电子邮件).
    pub fn usual_header(self) -> &'static str {
        match self {
            Column::Name => "姓名",
            Column::IdType => "证件类型",
            Column::IdNumber => "身份证号码",
            Column::Email => "电子邮件",
            Column::Business => "业务类型",
            Column::Years => "年限",
        }
    }

    /// Header texts (normalised by [`normalize_header`]) that name this column.
    fn names(self) -> &'static [&'static str] {
        match self {
            Column::Name => &["姓名", "员工姓名", "职工姓名", "人员姓名", "用户姓名", "申请人姓名", "持证人", "持证人姓名", "证书持有人", "持有人姓名", "名字", "name"],
            Column::IdType => &["证件类型", "证件种类", "证件名称", "idtype"],
            Column::IdNumber => &["证件号码", "证件号", "证件编号", "身份证号", "身份证号码", "身份证", "身份证件号码", "居民身份证号码", "公民身份号码", "idnumber"],
            Column::Email => &["电子邮箱", "电子邮箱地址", "邮箱", "邮箱地址", "电子邮件", "电子邮件地址", "邮件", "email"],
            Column::Business => &["业务类型", "业务", "业务种类", "办理业务", "申请业务", "申请类型", "business"],
            Column::Years => &["年限", "证书年限", "有效年限", "申请年限", "有效期", "证书有效期", "年数", "years"],
        }
    }
}

/// A header as compared: NFKC (full-width forms to ASCII), no spaces or line breaks, no
/// required-field marks (`*`), no trailing colon, no parenthesised note (`有效期(年)`,
/// `身份证号码（18位）`), ASCII lowercase without `-`, `_` and `.` (`E-mail`).
pub fn normalize_header(text: &str) -> String {
    let nfkc: String = text.nfkc().collect();
    let mut out = String::new();
    let mut depth = 0u32;
    for c in nfkc.chars() {
        match c {
            '(' | '[' | '【' => depth += 1,
            ')' | ']' | '】' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c if c.is_whitespace() || matches!(c, '*' | '-' | '_' | '.' | ':' | '※') => {}
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Which column a header names, if any.
pub fn column_of(header: &str) -> Option<Column> {
    let key = normalize_header(header);
    Column::ALL.into_iter().find(|c| c.names().contains(&key.as_str()))
}

/// The spreadsheet's letter of a 0-based column: A … Z, AA …
pub fn letter(column: u32) -> String {
    let mut n = column as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push((b'A' + rem) as char);
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// Where one field's column is and how the file heads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub column: Column,
    pub index: u32,
    pub header: String,
}

/// The header row and the columns it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub row: u32,
    pub columns: Vec<Placed>,
}

impl Header {
    pub fn get(&self, column: Column) -> Option<&Placed> {
        self.columns.iter().find(|p| p.column == column)
    }
}

/// How many non-empty rows at the top may stand above the header (titles, the unit's name,
/// notes on how to fill the table).
pub const HEADER_SEARCH_ROWS: usize = 20;

fn recognised(row: &SheetRow) -> Vec<Placed> {
    row.cells
        .iter()
        .filter_map(|(index, value)| match value {
            Value::Text(text) => column_of(text).map(|column| Placed { column, index: *index, header: text.trim().to_string() }),
            _ => None,
        })
        .collect()
}

/// Finds the header row among the first rows: the first that names both 姓名 and the ID number.
/// `Err` with the columns missing from the likeliest header row (the one naming most columns,
/// or none) when no row does, or with a column named twice.
pub fn find_header(rows: &[SheetRow], required: &[Column]) -> Result<Header, Vec<RowProblem>> {
    let mut likeliest: Option<(u32, Vec<Placed>)> = None;
    for row in rows.iter().take(HEADER_SEARCH_ROWS) {
        let found = recognised(row);
        let has = |c: Column| found.iter().any(|p| p.column == c);
        if required.iter().all(|c| has(*c)) && has(Column::Name) && has(Column::IdNumber) {
            return header_of(row.number, found);
        }
        if !found.is_empty() && likeliest.as_ref().is_none_or(|(_, best)| found.len() > best.len()) {
            likeliest = Some((row.number, found));
        }
    }
    let (row, found) = match likeliest {
        Some((row, found)) => (Some(row), found),
        None => (None, Vec::new()),
    };
    let mut wanted: Vec<Column> = vec![Column::Name, Column::IdNumber];
    for c in required {
        if !wanted.contains(c) {
            wanted.push(*c);
        }
    }
    Err(wanted.into_iter().filter(|c| !found.iter().any(|p| p.column == *c)).map(|c| missing_column(row, c)).collect())
}

/// The problem of a column the list lacks (row: the header row, when one was found).
pub fn missing_column(row: Option<u32>, column: Column) -> RowProblem {
    let also = match column {
        Column::IdNumber => "（或“证件号码”“身份证号”）",
        Column::Email => "（或“电子邮箱”“邮箱”）",
        Column::Years => "（或“有效期(年)”）",
        _ => "",
    };
    RowProblem {
        row,
        column: None,
        header: Some(column.usual_header().to_string()),
        field: Some(column.field()),
        value: None,
        code: "missing_column",
        message: format!("the list has no column {} ({})", column.usual_header(), column.field()),
        message_zh: format!("找不到“{}”列{also}", column.usual_header()),
    }
}

fn header_of(row: u32, found: Vec<Placed>) -> Result<Header, Vec<RowProblem>> {
    let mut problems = Vec::new();
    for (i, p) in found.iter().enumerate() {
        if let Some(first) = found[..i].iter().find(|q| q.column == p.column) {
            problems.push(RowProblem {
                row: Some(row),
                column: Some(letter(p.index)),
                header: Some(p.header.clone()),
                field: Some(p.column.field()),
                value: None,
                code: "duplicate_column",
                message: format!("column {} ({}) and column {} ({}) both give the {}", letter(first.index), first.header, letter(p.index), p.header, p.column.field()),
                message_zh: format!("{}列（{}）与{}列（{}）是同一项，请删去一列", letter(first.index), first.header, letter(p.index), p.header),
            });
        }
    }
    if problems.is_empty() { Ok(Header { row, columns: found }) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_their_variants() {
        for (header, column) in [
            ("姓名", Some(Column::Name)),
            (" 姓 名 *", Some(Column::Name)),
            ("证件号码", Some(Column::IdNumber)),
            ("身份证号", Some(Column::IdNumber)),
            ("身份证号码（18位）", Some(Column::IdNumber)),
            ("E-mail", Some(Column::Email)),
            ("电子邮箱：", Some(Column::Email)),
            ("电子邮件", Some(Column::Email)),
            ("有效期(年)", Some(Column::Years)),
            ("有效期（年）", Some(Column::Years)),
            ("业务类型", Some(Column::Business)),
            ("证件类型", Some(Column::IdType)),
            ("序号", None),
            ("手机号码", None),
            ("部门", None),
        ] {
            assert_eq!(column_of(header), column, "{header}");
        }
    }

    #[test]
    fn letters() {
        for (i, l) in [(0, "A"), (2, "C"), (25, "Z"), (26, "AA"), (27, "AB"), (701, "ZZ"), (702, "AAA")] {
            assert_eq!(letter(i), l);
        }
    }
}
