//! A statement export read into its credits (money in): the header row found by its names,
//! each row below it a credit, a debit or zero row (skipped and counted), a totals or note row
//! (passed over), or a row problem; and each credit's id, the same whenever the same statement
//! is read again. Owns the row rules and the ids; cells are read by `cells`, columns found by
//! `columns`.

use crate::cells::{self, Direction};
use crate::columns::{self, HeaderProblem, MoneyColumns, Placed};
use crate::error::{BankError, RowProblem};
use crate::normalize::{compact, header_key, unit_key};
use certdesk_domain::Money;
use certdesk_roster::{SheetRow, Value, letter};
use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The most rows a statement may have below its header: a year of a busy counter's account.
pub const MAX_ROWS: usize = 100_000;

/// One credit (money in) of a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Credit {
    /// Stable across imports of the same statement, distinct for two identical rows of one:
    /// `C` and 16 hex digits (see [`read_statement`]).
    pub id: String,
    /// The row, 1-based as the spreadsheet numbers it.
    pub row: u32,
    pub date: NaiveDate,
    pub amount: Money,
    pub payer_name: String,
    pub payer_account: String,
    /// The remark columns' non-empty cells joined with ` / ` (摘要 / 用途 / 附言 …).
    pub remark: String,
    /// The bank's own number of the transaction, when the statement has one.
    pub bank_ref: Option<String>,
}

/// What a statement holds for the counter: its credits in row order, how many debit and zero
/// rows were passed over, and the rows that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub credits: Vec<Credit>,
    /// Debit rows (money out) and rows of no amount.
    pub skipped_debits: usize,
    pub problems: Vec<RowProblem>,
}

/// Words that begin a totals row or a balance line: not a transaction.
const SUMMARY_WORDS: [&str; 13] = ["合计", "总计", "本页合计", "本页小计", "小计", "累计", "本期合计", "共计", "期初余额", "期末余额", "承前页", "过次页", "上页余额"];

/// Reads the statement in `bytes` (XLSX, XLS, ODS or CSV in UTF-8, UTF-16 or GBK; the format
/// is found from the content), its first sheet.
///
/// A credit's id is `C` and the first 16 hex digits of a SHA-256 over the bank's transaction
/// number with the day and amount when the statement has the number, else over the day, the
/// amount in 分, the payer's name and account and the remark (width and spaces normalised);
/// either with the occurrence number among the statement's rows of the same content, so that
/// two identical transfers on one day are two credits and a statement read twice gives the same
/// ids again.
pub fn read_statement(bytes: &[u8]) -> Result<Statement, BankError> {
    let book = certdesk_roster::read_workbook(bytes, MAX_ROWS + columns::HEADER_SEARCH_ROWS + 1)?;
    let Some(sheet) = book.sheets.first() else {
        return Err(BankError::NoHeader { likeliest_row: None, missing: columns::REQUIRED.to_vec() });
    };
    if sheet.truncated {
        return Err(BankError::TooManyRows { max: MAX_ROWS });
    }
    let header = columns::find_header(&sheet.rows).map_err(|problem| match problem {
        HeaderProblem::Missing { likeliest_row, missing } => BankError::NoHeader { likeliest_row, missing },
        HeaderProblem::NoCredit { header_row, amount_without_direction } => BankError::NoCreditColumn { header_row, amount_without_direction },
    })?;
    let mut statement = Statement { credits: Vec::new(), skipped_debits: 0, problems: Vec::new() };
    for row in sheet.rows.iter().filter(|r| r.number > header.row) {
        match read_row(row, &header) {
            RowRead::Credit(credit) => statement.credits.push(credit),
            RowRead::Skipped => statement.skipped_debits += 1,
            RowRead::NotATransaction => {}
            RowRead::Problems(problems) => statement.problems.extend(problems),
        }
    }
    assign_ids(&mut statement.credits);
    Ok(statement)
}

enum RowRead {
    Credit(Credit),
    /// Money out, or no money at all.
    Skipped,
    /// A totals row, a note, a repeated header, a balance line.
    NotATransaction,
    Problems(Vec<RowProblem>),
}

fn problem(row: &SheetRow, placed: &Placed, why: String) -> RowProblem {
    RowProblem { row: row.number, column: letter(placed.index), header: placed.header.clone(), why }
}

fn cell<'r>(row: &'r SheetRow, placed: &Placed) -> Option<&'r Value> {
    row.cell(placed.index)
}

/// Whether a cell begins with a word of [`SUMMARY_WORDS`].
fn says_summary(value: &Value) -> bool {
    let Value::Text(text) = value else { return false };
    let key = header_key(text);
    SUMMARY_WORDS.iter().any(|w| key.starts_with(w))
}

/// A row whose date cell repeats a date header (exports that repeat the header on every page),
/// or with a cell that begins with 合计, 期初余额 …: outside the payer's name and the remarks
/// anywhere, in them only when the row has no day (a remark “合计2笔CA费” is a transfer's).
fn is_summary_or_header(row: &SheetRow, header: &columns::Header) -> bool {
    let repeats_header = header.dates.iter().any(|p| matches!(cell(row, p), Some(Value::Text(t)) if header_key(t) == header_key(&p.header)));
    if repeats_header {
        return true;
    }
    let summary_cells: Vec<u32> = row.cells.iter().filter(|(_, v)| says_summary(v)).map(|(c, _)| *c).collect();
    if summary_cells.iter().any(|c| !header.is_free_text(*c)) {
        return true;
    }
    !summary_cells.is_empty() && date_of(row, &header.dates).is_err()
}

fn read_row(row: &SheetRow, header: &columns::Header) -> RowRead {
    if is_summary_or_header(row, header) {
        return RowRead::NotATransaction;
    }
    let money_cells: Vec<&Placed> = match &header.money {
        MoneyColumns::Split { credit, debit } => std::iter::once(credit).chain(debit).collect(),
        MoneyColumns::Signed { amount, .. } => vec![amount],
    };
    // a line under the table (制表人, 打印时间, a note) has neither money nor a payer
    if money_cells.iter().all(|p| cells::is_blank(cell(row, p))) && cells::is_blank(cell(row, &header.payer_name)) {
        return RowRead::NotATransaction;
    }
    let mut problems = Vec::new();
    let amount_of = |placed: &Placed, problems: &mut Vec<RowProblem>| match cells::amount(cell(row, placed)) {
        Ok(amount) => amount,
        Err(why) => {
            problems.push(problem(row, placed, why));
            None
        }
    };
    let credit = match &header.money {
        MoneyColumns::Split { credit, debit } => {
            let money_in = amount_of(credit, &mut problems);
            let money_out = debit.as_ref().and_then(|d| amount_of(d, &mut problems));
            if !problems.is_empty() {
                return RowRead::Problems(problems);
            }
            match (money_in.filter(|m| *m != Money::ZERO), money_out.filter(|m| *m != Money::ZERO)) {
                (Some(m), _) if m.is_negative() => {
                    return RowRead::Problems(vec![problem(
                        row,
                        credit,
                        format!("贷方金额为负数（{m}），是冲正，不予匹配 (a negative credit, {m}, is no money in: a reversal, 冲正, is not matched)"),
                    )]);
                }
                (Some(m), Some(out)) => {
                    let why = format!("同一行既有贷方（{m}）又有借方（{out}），无法判断 (the row has both a credit, {m}, and a debit, {out}: which one is it?)");
                    return RowRead::Problems(vec![problem(row, credit, why)]);
                }
                (Some(m), None) => m,
                (None, _) => return RowRead::Skipped,
            }
        }
        MoneyColumns::Signed { amount, direction } => {
            let signed = amount_of(amount, &mut problems);
            if !problems.is_empty() {
                return RowRead::Problems(problems);
            }
            let Some(signed) = signed.filter(|m| *m != Money::ZERO) else {
                return RowRead::Skipped;
            };
            match cells::direction(cell(row, direction)) {
                Ok(Some(Direction::Out)) => return RowRead::Skipped,
                Ok(Some(Direction::In)) if signed.is_negative() => {
                    return RowRead::Problems(vec![problem(
                        row,
                        amount,
                        format!("标为贷的金额为负数（{signed}），是冲正，不予匹配 (a negative amount, {signed}, flagged 贷 is no money in: a reversal, 冲正, is not matched)"),
                    )]);
                }
                Ok(Some(Direction::In)) => signed,
                Ok(None) => {
                    return RowRead::Problems(vec![problem(
                        row,
                        direction,
                        format!("缺少借贷标志：{signed} 是收入（贷）还是支出（借）？ (no flag: is {signed} money in, 贷, or out, 借?)"),
                    )]);
                }
                Err(why) => return RowRead::Problems(vec![problem(row, direction, why)]),
            }
        }
    };
    let date = match date_of(row, &header.dates) {
        Ok(date) => date,
        Err(p) => return RowRead::Problems(vec![p]),
    };
    let remark: Vec<String> = header.remarks.iter().map(|p| cells::text(cell(row, p))).filter(|t| !t.is_empty()).collect();
    RowRead::Credit(Credit {
        id: String::new(),
        row: row.number,
        date,
        amount: credit,
        payer_name: cells::text(cell(row, &header.payer_name)),
        payer_account: header.payer_account.as_ref().map(|p| cells::text(cell(row, p))).unwrap_or_default(),
        remark: remark.join(" / "),
        bank_ref: header.bank_ref.as_ref().map(|p| cells::text(cell(row, p))).filter(|r| r.chars().any(char::is_alphanumeric)),
    })
}

/// The row's day from the preferred date column that is not blank.
fn date_of(row: &SheetRow, dates: &[Placed]) -> Result<NaiveDate, RowProblem> {
    let Some(first) = dates.first() else {
        // find_header gives no header without a date column
        return Err(RowProblem { row: row.number, column: String::new(), header: String::new(), why: "对账单没有交易日期列 (no date column)".into() });
    };
    let placed = dates.iter().find(|p| !cells::is_blank(cell(row, p))).unwrap_or(first);
    cells::date(cell(row, placed)).map_err(|why| problem(row, placed, why))
}

/// What a credit's id is made from, before its occurrence number.
fn content_key(credit: &Credit) -> String {
    let fen = credit.amount.fen();
    match &credit.bank_ref {
        Some(bank_ref) => format!("ref\u{1f}{}\u{1f}{}\u{1f}{fen}", compact(bank_ref), credit.date),
        None => format!("row\u{1f}{}\u{1f}{fen}\u{1f}{}\u{1f}{}\u{1f}{}", credit.date, unit_key(&credit.payer_name), compact(&credit.payer_account), compact(&credit.remark)),
    }
}

fn assign_ids(credits: &mut [Credit]) {
    let mut seen: HashMap<String, u32> = HashMap::with_capacity(credits.len());
    for credit in credits {
        let key = content_key(credit);
        let occurrence = seen.entry(key.clone()).or_insert(0);
        *occurrence += 1;
        let digest = Sha256::digest(format!("certdesk-bank credit v1\u{1f}{key}\u{1f}{occurrence}").as_bytes());
        let mut id = String::with_capacity(17);
        id.push('C');
        for byte in &digest[..8] {
            id.push_str(&format!("{byte:02x}"));
        }
        credit.id = id;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(lines: &[&str]) -> Vec<u8> {
        lines.join("\n").into_bytes()
    }

    const HEADER: &str = "交易日期,对方户名,对方账号,借方发生额,贷方发生额,余额,摘要,用途";

    #[test]
    fn credits_debits_totals_and_notes() {
        let bytes = csv(&[
            "中国建设银行 账户明细",
            "账号:44050100000000000001,币种:人民币",
            HEADER,
            "2025/09/29,广州市示例科技有限公司,44050100000000009999,,\"1,400.00\",\"11,400.00\",汇款,CA费用",
            "2025/09/29,中国移动,11000000000000000000,99.00,,\"11,301.00\",话费,",
            "2025/09/30,某某单位,1234,0.00,0.00,\"11,301.00\",结息,",
            "2025/09/30,张三,6222020200112233445,,￥700,\"12,001.00\",,数字证书",
            "合计,,,99.00,\"2,100.00\",,,",
            "制表人：李四",
        ]);
        let statement = read_statement(&bytes).unwrap();
        assert_eq!(statement.problems, []);
        assert_eq!(statement.skipped_debits, 2);
        let got: Vec<(u32, &str, String, &str)> = statement.credits.iter().map(|c| (c.row, c.payer_name.as_str(), c.amount.to_string(), c.remark.as_str())).collect();
        assert_eq!(got, [(4, "广州市示例科技有限公司", "1400.00".into(), "汇款 / CA费用"), (7, "张三", "700.00".into(), "数字证书")]);
        assert_eq!(statement.credits[0].date, NaiveDate::from_ymd_opt(2025, 9, 29).unwrap());
        assert_eq!(statement.credits[1].payer_account, "6222020200112233445");
        assert_eq!(statement.credits[0].bank_ref, None);
    }

    #[test]
    fn ids_are_stable_and_identical_rows_distinct() {
        let row = "2025-09-29,广州市示例科技有限公司,4405,,700.00,,CA费用,";
        let bytes = csv(&[HEADER, row, row, "2025-09-29,广州市示例科技有限公司,4405,,700.00,,CA费用2,"]);
        let first = read_statement(&bytes).unwrap();
        let again = read_statement(&bytes).unwrap();
        let ids: Vec<&str> = first.credits.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, again.credits.iter().map(|c| c.id.as_str()).collect::<Vec<_>>());
        assert_eq!(ids.len(), 3);
        assert!(ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2], "{ids:?}");
        assert!(ids.iter().all(|id| id.len() == 17 && id.starts_with('C') && id[1..].chars().all(|c| c.is_ascii_hexdigit())));
        // the same transfer in a statement of a longer period, among other rows, keeps its id
        let longer = csv(&[HEADER, "2025-09-28,某单位,1,,5.00,,,", row, "2025-09-28,某单位,1,,6.00,,,", row]);
        let longer_ids: Vec<String> = read_statement(&longer).unwrap().credits.into_iter().map(|c| c.id).collect();
        assert_eq!(&longer_ids[1], ids[0]);
        assert_eq!(&longer_ids[3], ids[1]);
    }

    #[test]
    fn bank_reference_makes_the_id() {
        let header = "交易日期,流水号,对方户名,贷方发生额,摘要";
        let a = read_statement(&csv(&[header, "2025-09-29,SN0001,甲公司,700.00,CA费"])).unwrap();
        let b = read_statement(&csv(&[header, "2025-09-29,SN0001,甲 公司,700.00,CA费用（更正）"])).unwrap();
        let c = read_statement(&csv(&[header, "2025-09-29,SN0002,甲公司,700.00,CA费"])).unwrap();
        assert_eq!(a.credits[0].bank_ref.as_deref(), Some("SN0001"));
        assert_eq!(a.credits[0].id, b.credits[0].id, "a bank's number names the transaction whatever the remark");
        assert_ne!(a.credits[0].id, c.credits[0].id);
    }

    #[test]
    fn signed_amounts_with_a_flag() {
        let bytes = csv(&[
            "交易日期,交易金额,借贷标志,对方户名,交易用途",
            "20250929,\"1,234.50\",贷,甲公司,CA",
            "20250929,-99.00,借,乙公司,",
            "20250929,99.00,借,乙公司,",
            "20250930,-5.00,贷,丙公司,冲正",
            "20250930,5.00,冲,丙公司,",
        ]);
        let statement = read_statement(&bytes).unwrap();
        assert_eq!(statement.credits.len(), 1);
        assert_eq!(statement.credits[0].amount, Money::from_fen(123450));
        assert_eq!(statement.skipped_debits, 2);
        let places: Vec<(u32, &str, &str)> = statement.problems.iter().map(|p| (p.row, p.column.as_str(), p.header.as_str())).collect();
        assert_eq!(places, [(5, "B", "交易金额"), (6, "C", "借贷标志")]);
    }

    #[test]
    fn a_bad_row_is_a_problem_and_the_others_are_read() {
        let bytes = csv(&[HEADER, "2025-09-29,甲公司,1,,700.005,,,", "2025-13-01,乙公司,1,,400.00,,,", "2025-09-29,丙公司,1,,400.00,,,", "2025-09-29,丁公司,1,abc,,,,"]);
        let statement = read_statement(&bytes).unwrap();
        assert_eq!(statement.credits.len(), 1);
        assert_eq!(statement.credits[0].payer_name, "丙公司");
        let shown: Vec<String> = statement.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "row 2, column E (贷方发生额): 金额“700.005”超过两位小数，金额精确到分 (`700.005` has more than two decimals: an amount is exact to the 分)",
                "row 3, column A (交易日期): “2025-13-01”不是日期，应为 2025-09-29、2025/09/29、20250929 或 2025年09月29日 (`2025-13-01` is not a date: expected e.g. 2025-09-29, 2025/09/29, 20250929 or 2025年09月29日)",
                "row 5, column D (借方发生额): “abc”不是金额，应为 1,234.50 这样的数字 (`abc` is not an amount: expected digits such as 1,234.50)",
            ]
        );
    }

    #[test]
    fn repeated_headers_and_blank_preferred_dates() {
        let bytes = csv(&["交易日,交易时间,对方户名,贷方金额", "20250929,10:00:00,甲公司,1.00", "交易日,交易时间,对方户名,贷方金额", ",2025-09-30 08:00:00,乙公司,2.00"]);
        let statement = read_statement(&bytes).unwrap();
        assert_eq!(statement.problems, []);
        let dates: Vec<String> = statement.credits.iter().map(|c| c.date.to_string()).collect();
        assert_eq!(dates, ["2025-09-29", "2025-09-30"]);
    }

    #[test]
    fn totals_rows_wherever_their_word_stands() {
        let header = "交易日期,凭证号,对方户名,借方发生额,贷方发生额,摘要";
        let bytes =
            csv(&[header, "2025-09-29,V1,甲公司,,1400.00,合计2笔CA费用", ",合计,,99.00,\"1,400.00\",", ",,,,1400.00,本页合计", ",,总计,,1400.00,", "2025-09-30,,,,,期初余额"]);
        let statement = read_statement(&bytes).unwrap();
        assert_eq!(statement.problems, []);
        // a remark beginning with 合计 on a dated row is a transfer's
        assert_eq!(statement.credits.len(), 1);
        assert_eq!(statement.credits[0].remark, "合计2笔CA费用");
        assert_eq!(statement.skipped_debits, 0);
    }
}
