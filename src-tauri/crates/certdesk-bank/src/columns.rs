//! The columns of a statement export, found by their Chinese headers (never by position): which
//! header texts name the date, the credit and debit amounts (or one signed amount and its
//! 借贷标志), the payer's name and account, the remarks and the bank's own transaction number,
//! as the big banks' exports (工商银行, 建设银行, 中国银行, 农业银行, 招商银行) combine them; and
//! which row is the header, below any title rows. Does not read cells: that is `cells` and
//! `statement`.

use crate::normalize::{header_key, header_key_without_notes};
use certdesk_roster::{SheetRow, Value};
use serde::Serialize;
use std::fmt;

/// What a column of a statement holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Date,
    /// Money in (贷方).
    Credit,
    /// Money out (借方).
    Debit,
    /// One signed amount for both, told apart by [`Field::Direction`].
    Amount,
    /// 借贷标志: 借 (out) or 贷 (in).
    Direction,
    PayerName,
    PayerAccount,
    Remark,
    Balance,
    /// The bank's own number of the transaction.
    BankRef,
}

impl Field {
    pub const ALL: [Field; 10] =
        [Field::Date, Field::Credit, Field::Debit, Field::Amount, Field::Direction, Field::PayerName, Field::PayerAccount, Field::Remark, Field::Balance, Field::BankRef];

    /// The header texts (as [`header_key`] makes them) that name the field, the one preferred
    /// first when a statement has several: 交易日 before 交易时间, which may hold the time alone.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Date => &["交易日期", "记账日期", "入账日期", "交易日", "交易时间", "日期"],
            Field::Credit => &["贷方发生额", "贷方金额", "收入金额", "收入", "贷方"],
            Field::Debit => &["借方发生额", "借方金额", "支出金额", "支出", "借方"],
            Field::Amount => &["交易金额", "发生额", "金额"],
            Field::Direction => &["借贷标志", "借贷方向", "借贷标识", "借/贷", "借贷", "收支标志", "收支方向"],
            Field::PayerName => &["对方户名", "对方账户名称", "对方单位", "对方单位名称", "收(付)方名称", "对方名称", "对方账户名"],
            Field::PayerAccount => &["对方账号", "对方账户", "收(付)方账号", "对方帐号", "收(付)方帐号"],
            Field::Remark => &["摘要", "附言", "用途", "交易用途", "备注", "交易附言"],
            Field::Balance => &["余额", "账户余额"],
            Field::BankRef => &["交易流水号", "流水号", "交易参考号", "凭证号"],
        }
    }

    /// The field's name in English, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Field::Date => "date",
            Field::Credit => "credit (money in)",
            Field::Debit => "debit (money out)",
            Field::Amount => "signed amount",
            Field::Direction => "debit/credit flag",
            Field::PayerName => "payer name",
            Field::PayerAccount => "payer account",
            Field::Remark => "remark",
            Field::Balance => "balance",
            Field::BankRef => "bank transaction number",
        }
    }

    /// Which field a header names, and how far down its aliases (0: the preferred one).
    pub fn of_header(text: &str) -> Option<(Field, usize)> {
        let key = header_key(text);
        let find = |key: &str| Field::ALL.into_iter().find_map(|f| f.aliases().iter().position(|a| *a == key).map(|p| (f, p)));
        find(&key).or_else(|| find(&header_key_without_notes(&key)))
    }
}

impl fmt::Display for Field {
    /// `the date column (交易日期, 记账日期, …)`: the name and every header accepted (for the
    /// credit, the signed amount and flag that may stand for it).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the {} column ({})", self.name(), self.aliases().join(", "))?;
        if *self == Field::Credit {
            write!(f, " or {} with {}", Field::Amount, Field::Direction)?;
        }
        Ok(())
    }
}

/// The fields a statement must have: without them no credit can be told or matched.
pub const REQUIRED: [Field; 3] = [Field::Date, Field::Credit, Field::PayerName];

/// How many non-empty rows at the top may stand above the header (bank, account, currency,
/// period, the customer's name, a printing date).
pub const HEADER_SEARCH_ROWS: usize = 30;

/// One column as the file heads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub index: u32,
    /// The header as written (trimmed).
    pub header: String,
}

/// Where money in is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoneyColumns {
    /// A credit column, and a debit column when there is one.
    Split { credit: Placed, debit: Option<Placed> },
    /// One signed amount and its debit/credit flag.
    Signed { amount: Placed, direction: Placed },
}

/// The header row and the columns it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub row: u32,
    /// The date columns, the preferred first: a row whose first one is blank takes the next.
    pub dates: Vec<Placed>,
    pub money: MoneyColumns,
    pub payer_name: Placed,
    pub payer_account: Option<Placed>,
    /// Every remark column, in column order: their non-empty cells are joined.
    pub remarks: Vec<Placed>,
    pub bank_ref: Option<Placed>,
}

impl Header {
    /// Whether a cell's column is one whose text a payer wrote (the payer's name, the remarks):
    /// such a text beginning with 合计 alone makes no totals row.
    pub fn is_free_text(&self, column: u32) -> bool {
        self.payer_name.index == column || self.remarks.iter().any(|p| p.index == column)
    }
}

/// A header recognised: its field, how far down the field's aliases, its column.
type Recognised = (Field, usize, Placed);

/// The recognised headers of one row.
fn recognised(row: &SheetRow) -> Vec<Recognised> {
    row.cells
        .iter()
        .filter_map(|(index, value)| match value {
            Value::Text(text) => Field::of_header(text).map(|(field, rank)| (field, rank, Placed { index: *index, header: text.trim().to_string() })),
            _ => None,
        })
        .collect()
}

/// The columns of `field` in the row, the preferred alias first, then left to right.
fn placed(found: &[Recognised], field: Field) -> Vec<Placed> {
    let mut of_field: Vec<&Recognised> = found.iter().filter(|(f, _, _)| *f == field).collect();
    of_field.sort_by_key(|(_, rank, p)| (*rank, p.index));
    of_field.into_iter().map(|(_, _, p)| p.clone()).collect()
}

/// Why no header row was taken: the columns the likeliest row (the one naming most fields)
/// lacks, or that it has no column to read money in from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderProblem {
    Missing { likeliest_row: Option<u32>, missing: Vec<Field> },
    NoCredit { header_row: u32, amount_without_direction: Option<String> },
}

/// Finds the header row among the first [`HEADER_SEARCH_ROWS`] rows: the first that names a
/// date, a credit (or a signed amount with its flag) and the payer's name.
pub fn find_header(rows: &[SheetRow]) -> Result<Header, HeaderProblem> {
    let mut likeliest: Option<(u32, Vec<Recognised>)> = None;
    for row in rows.iter().take(HEADER_SEARCH_ROWS) {
        let found = recognised(row);
        if let Some(header) = header_of(row.number, &found) {
            return Ok(header);
        }
        let distinct = |f: &[Recognised]| Field::ALL.iter().filter(|field| f.iter().any(|(g, _, _)| g == *field)).count();
        if !found.is_empty() && likeliest.as_ref().is_none_or(|(_, best)| distinct(&found) > distinct(best)) {
            likeliest = Some((row.number, found));
        }
    }
    let Some((row, found)) = likeliest else {
        return Err(HeaderProblem::Missing { likeliest_row: None, missing: REQUIRED.to_vec() });
    };
    let has = |field: Field| found.iter().any(|(f, _, _)| *f == field);
    let credit_missing = !(has(Field::Credit) || has(Field::Amount) && has(Field::Direction));
    // a row with the date and the payer is the header: what it lacks is the money in
    if has(Field::Date) && has(Field::PayerName) && credit_missing {
        let amount_without_direction = placed(&found, Field::Amount).into_iter().next().map(|p| p.header);
        return Err(HeaderProblem::NoCredit { header_row: row, amount_without_direction });
    }
    let missing = REQUIRED.into_iter().filter(|f| if *f == Field::Credit { credit_missing } else { !has(*f) }).collect();
    Err(HeaderProblem::Missing { likeliest_row: Some(row), missing })
}

fn header_of(row: u32, found: &[Recognised]) -> Option<Header> {
    let first = |field: Field| placed(found, field).into_iter().next();
    let dates = placed(found, Field::Date);
    let payer_name = first(Field::PayerName)?;
    if dates.is_empty() {
        return None;
    }
    // separate credit and debit columns say more than a signed amount and are preferred
    let money = match (first(Field::Credit), first(Field::Amount), first(Field::Direction)) {
        (Some(credit), _, _) => MoneyColumns::Split { credit, debit: first(Field::Debit) },
        (None, Some(amount), Some(direction)) => MoneyColumns::Signed { amount, direction },
        _ => return None,
    };
    let mut remarks = placed(found, Field::Remark);
    remarks.sort_by_key(|p| p.index);
    Some(Header { row, dates, money, payer_name, payer_account: first(Field::PayerAccount), remarks, bank_ref: first(Field::BankRef) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(number: u32, cells: &[&str]) -> SheetRow {
        SheetRow { number, cells: cells.iter().enumerate().filter(|(_, t)| !t.is_empty()).map(|(i, t)| (i as u32, Value::Text(t.to_string()))).collect() }
    }

    #[test]
    fn headers_and_their_variants() {
        for (header, field) in [
            ("交易日期", Some(Field::Date)),
            (" 记账 日期 ", Some(Field::Date)),
            ("贷方发生额（收入）", Some(Field::Credit)),
            ("借方发生额(支取)", Some(Field::Debit)),
            ("收入金额(元)", Some(Field::Credit)),
            ("收（付）方名称", Some(Field::PayerName)),
            ("对方账户名称", Some(Field::PayerName)),
            ("收(付)方帐号", Some(Field::PayerAccount)),
            ("借/贷", Some(Field::Direction)),
            ("借贷标志", Some(Field::Direction)),
            ("交易金额", Some(Field::Amount)),
            ("用途", Some(Field::Remark)),
            ("交易流水号", Some(Field::BankRef)),
            ("账户余额", Some(Field::Balance)),
            // the statement's own account is no payer
            ("账号", None),
            ("账户名称", None),
            ("起息日期", None),
            ("币种", None),
        ] {
            assert_eq!(Field::of_header(header).map(|(f, _)| f), field, "{header}");
        }
    }

    #[test]
    fn header_below_title_rows_and_preferred_aliases() {
        let rows = [
            row(1, &["中国工商银行账户明细"]),
            row(2, &["账号：3602000009200000000", "", "币种：人民币"]),
            row(4, &["交易时间", "交易日", "对方户名", "摘要", "借方发生额", "贷方发生额", "用途"]),
        ];
        let header = find_header(&rows).unwrap();
        assert_eq!(header.row, 4);
        let dates: Vec<&str> = header.dates.iter().map(|p| p.header.as_str()).collect();
        assert_eq!(dates, ["交易日", "交易时间"]);
        assert!(matches!(&header.money, MoneyColumns::Split { credit, debit: Some(debit) } if credit.index == 5 && debit.index == 4));
        let remarks: Vec<u32> = header.remarks.iter().map(|p| p.index).collect();
        assert_eq!(remarks, [3, 6]);
    }

    #[test]
    fn signed_amount_needs_its_flag() {
        let with_flag = [row(1, &["交易日期", "交易金额", "借贷标志", "对方户名"])];
        assert!(matches!(find_header(&with_flag).unwrap().money, MoneyColumns::Signed { .. }));
        let without = [row(1, &["交易日期", "交易金额", "对方户名"])];
        assert_eq!(find_header(&without), Err(HeaderProblem::NoCredit { header_row: 1, amount_without_direction: Some("交易金额".into()) }));
    }

    #[test]
    fn fields_are_shown_with_the_headers_accepted() {
        assert_eq!(Field::PayerAccount.to_string(), "the payer account column (对方账号, 对方账户, 收(付)方账号, 对方帐号, 收(付)方帐号)");
        assert_eq!(
            Field::Credit.to_string(),
            "the credit (money in) column (贷方发生额, 贷方金额, 收入金额, 收入, 贷方) or the signed amount column (交易金额, 发生额, 金额) with the debit/credit flag column (借贷标志, 借贷方向, 借贷标识, 借/贷, 借贷, 收支标志, 收支方向)"
        );
    }

    #[test]
    fn missing_columns_are_named_from_the_likeliest_row() {
        let rows = [row(1, &["某银行对账单"]), row(2, &["交易日期", "摘要", "金额说明"])];
        assert_eq!(find_header(&rows), Err(HeaderProblem::Missing { likeliest_row: Some(2), missing: vec![Field::Credit, Field::PayerName] }));
        assert_eq!(find_header(&[row(1, &["姓名", "身份证号码"])]), Err(HeaderProblem::Missing { likeliest_row: None, missing: REQUIRED.to_vec() }));
    }
}
