//! Statement exports made by other programs (`make_statements.py`: openpyxl, Python's csv in
//! GBK and UTF-8 with BOM), in the layouts of the five big banks, read back: each gives exactly
//! the credits and skipped debits the generator expected; the same statement as XLSX and as CSV
//! gives the same ids; a file without a statement's header, without a column of money in, with a
//! bad amount, or that is no table at all is refused or reported as it should be. Then the
//! credits read are matched to waiting cases, end to end.

use certdesk_bank::{BankError, Credit, Field, WaitingCase, match_credits, read_statement};
use chrono::NaiveDate;
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The generated statements, made once per test run. The generator needs openpyxl
/// (`scripts/deps.sh test` installs python3-openpyxl); the first python3 that has it is used (a
/// pyenv shim may come before Debian's). Without one the tests fail: they are not skipped.
fn statements() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/make_statements.py");
        let python = certdesk_testkit::python_with(&["openpyxl"]);
        let out = Command::new(python).arg(&script).arg(dir.path()).output().unwrap();
        assert!(out.status.success(), "make_statements.py failed: {}", String::from_utf8_lossy(&out.stderr));
        dir
    })
    .path()
}

fn file(name: &str) -> PathBuf {
    statements().join(name)
}

fn read(name: &str) -> Result<certdesk_bank::Statement, BankError> {
    read_statement(&std::fs::read(file(name)).unwrap())
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(file("expected.json")).unwrap()).unwrap()
}

/// A credit as the generator writes it: every field but the id.
fn without_id(credit: &Credit) -> Value {
    let mut value = serde_json::to_value(credit).unwrap();
    value.as_object_mut().unwrap().remove("id");
    value
}

#[test]
fn every_bank_layout_gives_the_credits_the_generator_expected() {
    let expected = expected();
    let files = expected.as_object().unwrap();
    assert_eq!(files.len(), 6, "{:?}", files.keys().collect::<Vec<_>>());
    for (name, want) in files {
        let statement = read(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(statement.problems, [], "{name}");
        let got: Vec<Value> = statement.credits.iter().map(without_id).collect();
        assert_eq!(Value::Array(got), want["credits"], "{name}");
        assert_eq!(statement.skipped_debits as u64, want["skipped_debits"].as_u64().unwrap(), "{name}");
        assert!(!statement.credits.is_empty(), "{name}: a statement of no credits proves nothing");
    }
}

#[test]
fn ids_are_stable_across_reads_and_formats_and_distinct_within_a_statement() {
    let xlsx = read("ccb.xlsx").unwrap();
    let csv = read("ccb.csv").unwrap();
    let ids = |s: &certdesk_bank::Statement| s.credits.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&xlsx), ids(&csv), "the same statement exported as XLSX and as CSV");
    assert_eq!(ids(&read("ccb.xlsx").unwrap()), ids(&xlsx));
    for name in ["icbc.csv", "ccb.xlsx", "boc.csv", "abc.xlsx", "cmb.xlsx"] {
        let statement = read(name).unwrap();
        let distinct: HashSet<&str> = statement.credits.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(distinct.len(), statement.credits.len(), "{name}: two credits with one id");
    }
    // the ICBC statement holds two identical transfers (no voucher number): two credits
    let icbc = read("icbc.csv").unwrap();
    let same: Vec<&Credit> = icbc.credits.iter().filter(|c| c.remark == "汇款 / 数字证书").collect();
    assert_eq!(same.len(), 2);
    assert_ne!(same[0].id, same[1].id);
}

#[test]
fn a_file_without_a_statement_header_is_refused_naming_the_columns() {
    let e = read("no-header.xlsx").unwrap_err();
    let BankError::NoHeader { likeliest_row, missing } = &e else { panic!("{e:?}") };
    assert_eq!(*likeliest_row, None);
    assert_eq!(missing, &[Field::Date, Field::Credit, Field::PayerName]);
    let message = e.to_string();
    for accepted in ["交易日期", "记账日期", "贷方发生额", "收入金额", "借贷标志", "对方户名", "收(付)方名称"] {
        assert!(message.contains(accepted), "{accepted} not named in: {message}");
    }
    assert!(e.zh().contains("缺少“交易日期”、“贷方发生额”、“对方户名”列"), "{}", e.zh());
}

#[test]
fn a_signed_amount_without_its_flag_is_refused() {
    let e = read("no-credit.csv").unwrap_err();
    assert!(matches!(&e, BankError::NoCreditColumn { header_row: 1, amount_without_direction: Some(a) } if a == "交易金额"), "{e:?}");
    assert!(
        e.to_string().starts_with("the header row 1 has no credit column: its 交易金额 column tells no money in from money out without the debit/credit flag column (借贷标志,"),
        "{e}"
    );
}

#[test]
fn a_bad_amount_is_a_problem_of_its_row_and_the_others_are_read() {
    let statement = read("bad-amount.csv").unwrap();
    assert_eq!(statement.problems.len(), 1);
    let problem = &statement.problems[0];
    assert_eq!((problem.row, problem.column.as_str(), problem.header.as_str()), (4, "E", "贷方发生额"));
    assert_eq!(
        problem.to_string(),
        "row 4, column E (贷方发生额): 金额“1,400.005”超过两位小数，金额精确到分 (`1,400.005` has more than two decimals: an amount is exact to the 分)"
    );
    let rows: Vec<(u32, String)> = statement.credits.iter().map(|c| (c.row, c.amount.to_string())).collect();
    assert_eq!(rows, [(3, "700.00".to_string()), (5, "350.00".to_string())]);
}

#[test]
fn a_file_that_is_no_table_is_refused() {
    for name in ["letter.docx", "scan.pdf"] {
        let e = read(name).unwrap_err();
        assert!(matches!(e, BankError::Table(_)), "{name}: {e:?}");
        assert!(e.to_string().starts_with("the statement cannot be read as a table: not a spreadsheet"), "{name}: {e}");
    }
}

#[test]
fn credits_read_are_matched_by_the_rules() {
    let day = |d| NaiveDate::from_ymd_opt(2025, 9, d).unwrap();
    let case = |number: &str, unit: &str, fee: &str, received| WaitingCase {
        number: number.into(),
        unit_name: unit.into(),
        fee: fee.parse().unwrap(),
        received: day(received),
        references: vec![],
    };
    let cases = [
        case("GZ01-20250905-0001", "广州市示例科技有限公司", "400.00", 5),
        case("GZ01-20250910-0002", "广州市示例科技有限公司", "700.00", 10),
        case("GZ01-20250911-0003", "广州市示例科技有限公司", "700.00", 11),
        case("GZ01-20250912-0004", "深圳市样本贸易（深圳）有限公司", "350.00", 12),
    ];
    // the CCB statement alone: 1,100.00 naming 0001 and 0003 pays both together; the Shenzhen
    // unit's half-width brackets are its case's full-width ones; 买买提·艾力 is a private person
    let ccb = read("ccb.xlsx").unwrap().credits;
    let matching = match_credits(&ccb, &cases, &HashSet::new());
    let payer = |credits: &[Credit], id: &str| credits.iter().find(|c| c.id == id).unwrap().payer_name.clone();
    let matched: Vec<(String, Vec<&str>)> = matching.matched.iter().map(|m| (payer(&ccb, &m.credit), m.cases.iter().map(String::as_str).collect())).collect();
    assert_eq!(
        matched,
        [("广州市示例科技有限公司".to_string(), vec!["GZ01-20250905-0001", "GZ01-20250911-0003"]), ("深圳市样本贸易(深圳)有限公司".to_string(), vec!["GZ01-20250912-0004"]),]
    );
    assert_eq!(matching.refused.iter().map(|r| payer(&ccb, &r.credit)).collect::<Vec<_>>(), ["买买提·艾力"]);
    assert!(matching.unmatched.is_empty() && matching.repeated.is_empty(), "{matching:?}");

    // with the BOC statement, whose credit of the 26th paid 0001 first: the CCB credit of the
    // 28th finds 0001 paid and is left to the clerk; the agent of the 27th is the wrong payer
    let mut credits = read("boc.csv").unwrap().credits;
    credits.extend(ccb.iter().cloned());
    let matching = match_credits(&credits, &cases, &HashSet::new());
    let matched: Vec<(String, Vec<&str>)> = matching.matched.iter().map(|m| (payer(&credits, &m.credit), m.cases.iter().map(String::as_str).collect())).collect();
    assert_eq!(matched, [("广州市示例科技有限公司".to_string(), vec!["GZ01-20250905-0001"]), ("深圳市样本贸易(深圳)有限公司".to_string(), vec!["GZ01-20250912-0004"])]);
    let unmatched: Vec<(String, &str)> = matching.unmatched.iter().map(|u| (payer(&credits, &u.credit), u.why.as_str())).collect();
    assert_eq!(unmatched.len(), 2, "{unmatched:?}");
    assert_eq!(unmatched[0].0, "广州市另一家代理有限公司");
    assert!(unmatched[0].1.starts_with("汇款单位与办理单位不一致 (wrong payer: the remark names case GZ01-20250910-0002 of 广州市示例科技有限公司"), "{}", unmatched[0].1);
    assert_eq!(
        unmatched[1],
        (
            "广州市示例科技有限公司".to_string(),
            "金额1100.00与广州市示例科技有限公司待缴案件的应收金额不符 (amount 1100.00 matches no waiting case of 广州市示例科技有限公司; fees: 700.00 ×2)"
        )
    );
    let refused: HashSet<String> = matching.refused.iter().map(|r| payer(&credits, &r.credit)).collect();
    assert_eq!(refused, HashSet::from(["李四".to_string(), "买买提·艾力".to_string()]));

    // the CCB statement imported again (as CSV): every credit repeated, nothing matched twice
    let recorded: HashSet<String> = credits.iter().map(|c| c.id.clone()).collect();
    let again = match_credits(&read("ccb.csv").unwrap().credits, &cases, &recorded);
    assert!(again.matched.is_empty() && again.unmatched.is_empty() && again.refused.is_empty(), "{again:?}");
    assert_eq!(again.repeated.len(), 3);
}
