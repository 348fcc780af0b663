//! Units' lists made by other programs (`make_lists.py`: openpyxl, xlwt, Python's csv in
//! UTF-8, UTF-8 with BOM, GBK and UTF-16) read back: the good ones give exactly the employees
//! the generator expected, the bad ones every problem at its row and column, and nothing else.

use certdesk_domain::case::Employee;
use certdesk_domain::{BusinessType, CaseData};
use certdesk_roster::{Format, ReadOptions, RosterError, read_employees, read_employees_file};
use chrono::NaiveDate;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

/// The generated lists, made once per test run. The generator needs openpyxl and xlwt
/// (`scripts/deps.sh test` installs python3-openpyxl and python3-xlwt); the first python3 that
/// has both is used (a pyenv shim may come before Debian's).
fn lists() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/make_lists.py");
        let python = ["python3", "/usr/bin/python3"]
            .into_iter()
            .find(|p| Command::new(p).args(["-c", "import openpyxl, xlwt"]).output().is_ok_and(|o| o.status.success()))
            .expect("no python3 with openpyxl and xlwt: run `bash scripts/deps.sh test` (python3-openpyxl, python3-xlwt)");
        let out = Command::new(python).arg(&script).arg(dir.path()).output().unwrap();
        assert!(out.status.success(), "make_lists.py failed: {}", String::from_utf8_lossy(&out.stderr));
        dir
    })
    .path()
}

fn file(name: &str) -> PathBuf {
    lists().join(name)
}

fn read(name: &str) -> Result<certdesk_roster::Roster, RosterError> {
    read_employees_file(&file(name), &ReadOptions::new(today()))
}

/// (row, column letter, code) of every problem.
fn places(e: &RosterError) -> Vec<(Option<u32>, Option<String>, &'static str)> {
    e.problems().iter().map(|p| (p.row, p.column.clone(), p.code)).collect()
}

#[test]
fn good_lists_give_the_employees_the_generator_expected() {
    let cases = [
        ("seed-annex.xlsx", Format::Xlsx, None, Some("附页"), 3),
        ("variants.xlsx", Format::Xlsx, None, Some("员工明细"), 2),
        ("utf8.csv", Format::Csv, Some("UTF-8"), None, 1),
        ("utf8-bom.csv", Format::Csv, Some("UTF-8"), None, 1),
        ("gbk.csv", Format::Csv, Some("gb18030"), None, 1),
        ("utf16.txt", Format::Csv, Some("UTF-16LE"), None, 1),
        ("list.xls", Format::Xls, None, Some("Sheet1"), 1),
    ];
    for (name, format, encoding, sheet, header_row) in cases {
        let roster = read(name).unwrap_or_else(|e| panic!("{name}: {e}\n{}", e.zh()));
        let expected: Value = serde_json::from_str(&std::fs::read_to_string(file(&format!("{name}.expected.json"))).unwrap()).unwrap();
        assert_eq!(serde_json::to_value(&roster.employees).unwrap(), expected, "{name}");
        assert_eq!(
            (roster.format, roster.encoding.map(str::to_ascii_lowercase), roster.sheet.as_deref(), roster.header_row),
            (format, encoding.map(str::to_ascii_lowercase), sheet, header_row),
            "{name}"
        );
    }
}

#[test]
fn entries_serialise_with_the_field_names_of_the_case_json() {
    let example: Value = serde_json::from_str(include_str!("../../../../tests/fixtures/case-employees-new.json")).unwrap();
    let roster = read("utf8.csv").unwrap();
    let produced = serde_json::to_value(&roster.employees).unwrap();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&produced[0]), keys(&example["employees"][0]));
    // and they are what a case takes: parsed back as the case's employees and validated whole
    let mut case = example.clone();
    case["employees"] = produced;
    case["quantity"] = 4.into();
    let mut case: CaseData = serde_json::from_value(case).unwrap();
    let errors: Vec<_> = case.validate_and_normalize(today()).into_iter().filter(|p| p.severity == certdesk_domain::Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_missing_column_is_named_with_the_header_row() {
    let e = read("missing-column.xlsx").unwrap_err();
    assert!(matches!(e, RosterError::Columns(_)), "{e}");
    assert_eq!(places(&e), [(Some(2), None, "missing_column")]);
    assert_eq!(e.problems()[0].header.as_deref(), Some("身份证号码"));
    assert_eq!(e.problems()[0].field, Some("id_number"));
    assert!(e.zh().contains("找不到“身份证号码”列"), "{}", e.zh());
}

#[test]
fn business_and_years_columns_are_needed_only_without_the_case_to_fill_them() {
    let e = read("names-only.csv").unwrap_err();
    assert_eq!(places(&e), [(Some(1), None, "missing_column")]);
    assert_eq!(e.problems()[0].field, Some("business"));

    let mut case: CaseData = serde_json::from_str(include_str!("../../../../tests/fixtures/case-employees-new.json")).unwrap();
    case.employees.clear();
    case.years = Some(3);
    let roster = read_employees_file(&file("names-only.csv"), &ReadOptions::for_case(&case, today())).unwrap();
    assert_eq!(roster.employees.len(), 2);
    assert!(roster.employees.iter().all(|e| e.business == BusinessType::New && e.years == Some(3) && e.email.is_none()));

    // a new case without years and a list without them: one problem, the column
    case.years = None;
    let e = read_employees_file(&file("names-only.csv"), &ReadOptions::for_case(&case, today())).unwrap_err();
    assert_eq!(places(&e), [(Some(1), None, "missing_column")]);
    assert_eq!(e.problems()[0].field, Some("years"));
}

#[test]
fn bad_cells_are_all_listed_by_row_and_column_and_nothing_is_read() {
    let e = read("bad-cells.csv").unwrap_err();
    assert!(matches!(e, RosterError::Rows(_)), "{e}");
    let got = places(&e);
    assert_eq!(
        got,
        [
            (Some(4), Some("B".into()), "checksum"),
            (Some(6), Some("C".into()), e.problems()[1].code),
            (Some(6), Some("D".into()), "unknown_business"),
            (Some(7), Some("A".into()), "required"),
            (Some(7), Some("E".into()), "bad_years"),
        ]
    );
    // the e-mail problem is the domain's own, with its header as the file writes it
    assert_eq!((e.problems()[1].field, e.problems()[1].header.as_deref()), (Some("email"), Some("邮箱")));
    assert!(e.problems()[0].message_zh.contains("校验位"), "{:?}", e.problems()[0]);
    assert!(e.zh().lines().next().unwrap().starts_with("第4行 B列（身份证号）："), "{}", e.zh());
    // the report as the CLI prints it
    let report = serde_json::to_value(e.report()).unwrap();
    assert_eq!(report["kind"], "rows");
    assert_eq!(report["problems"][0]["row"], 4);
    assert_eq!(report["problems"][0]["column"], "B");
    assert_eq!(report["problems"][0]["header"], "身份证号");
    assert_eq!(report["problems"][0]["field"], "id_number");
    assert_eq!(report["problems"][0]["code"], "checksum");
    assert!(report["problems"][0]["value"].as_str().unwrap().starts_with("210102"));
}

#[test]
fn duplicates_in_the_list_and_on_the_case_are_refused() {
    let existing: Vec<Employee> = serde_json::from_str(&std::fs::read_to_string(file("duplicates.case.json")).unwrap()).unwrap();
    let options = ReadOptions { existing: &existing, ..ReadOptions::new(today()) };
    let e = read_employees_file(&file("duplicates.xlsx"), &options).unwrap_err();
    assert_eq!(places(&e), [(Some(3), Some("B".into()), "duplicate_in_case"), (Some(4), Some("B".into()), "duplicate_in_list")]);
    assert!(e.problems()[1].message_zh.contains("第2行"), "{:?}", e.problems()[1]);
    assert!(e.problems()[0].message_zh.contains(&existing[0].name), "{:?}", e.problems()[0]);
    // without the case, only the list's own duplicate
    let e = read("duplicates.xlsx").unwrap_err();
    assert_eq!(places(&e), [(Some(4), Some("B".into()), "duplicate_in_list")]);
}

#[test]
fn an_id_excel_stored_as_a_number_is_refused_with_the_reason() {
    for name in ["id-as-number.xlsx", "id-as-number.csv"] {
        let e = read(name).unwrap_err();
        assert_eq!(places(&e), [(Some(3), Some("B".into()), "number_lost_digits")], "{name}");
        assert!(e.zh().contains("文本"), "{}", e.zh());
    }
}

#[test]
fn empty_files_and_lists_without_rows() {
    assert!(matches!(read("empty.csv"), Err(RosterError::Empty)));
    assert!(matches!(read("empty.xlsx"), Err(RosterError::Empty)));
    assert!(matches!(read("header-only.xlsx"), Err(RosterError::NoRows)));
}

#[test]
fn files_that_are_no_spreadsheet_say_so() {
    for name in ["scan.pdf", "letter.docx", "seal.png"] {
        let e = read(name).unwrap_err();
        assert!(matches!(e, RosterError::NotASpreadsheet { .. }), "{name}: {e:?}");
        assert_eq!(e.report().kind, "not_a_spreadsheet");
        assert!(e.zh().contains("不是表格文件"));
    }
    let e = read_employees_file(&file("no-such-file.xlsx"), &ReadOptions::new(today())).unwrap_err();
    assert!(matches!(e, RosterError::Io { .. }), "{e}");
}

#[test]
fn huge_files_and_too_many_rows_are_refused_before_reading_them_whole() {
    let e = read("huge.csv").unwrap_err();
    assert!(matches!(e, RosterError::TooLarge { .. }), "{e}");
    let bytes = std::fs::read(file("huge.csv")).unwrap();
    assert!(matches!(read_employees(&bytes, &ReadOptions::new(today())), Err(RosterError::TooLarge { .. })));

    let bomb = std::fs::metadata(file("bomb.xlsx")).unwrap().len();
    assert!(bomb < 1 << 20, "the bomb is small on disk: {bomb}");
    let e = read("bomb.xlsx").unwrap_err();
    assert!(matches!(e, RosterError::OverLimit { limit: certdesk_roster::Limit::InflatedBytes, .. }) && e.to_string().contains("MAX_INFLATED_BYTES"), "{e}");

    let e = read("many-rows.xlsx").unwrap_err();
    assert!(matches!(e, RosterError::TooManyRows { max: 1000 }), "{e}");
    // a case with room for two more
    let options = ReadOptions { max_rows: 2, ..ReadOptions::new(today()) };
    assert!(matches!(read_employees_file(&file("utf8.csv"), &options), Err(RosterError::TooManyRows { max: 2 })));
    let options = ReadOptions { max_rows: 4, ..ReadOptions::new(today()) };
    assert_eq!(read_employees_file(&file("utf8.csv"), &options).unwrap().employees.len(), 4);
}
