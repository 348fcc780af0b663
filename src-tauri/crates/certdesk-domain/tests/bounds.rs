//! Out-of-range and hostile input: every bound of the case data and of money is refused with a
//! clear problem naming the field, and nothing panics (the same entry points as the fuzz
//! targets `case_json` in `fuzz/`, over a corpus of nasty inputs, on stable Rust).

use certdesk_domain::case::{MAX_CASE_JSON_BYTES, MAX_EMPLOYEES, MAX_NAME_CHARS, MAX_QUANTITY};
use certdesk_domain::{CaseData, Money, Severity};
use chrono::NaiveDate;
use serde_json::{Value, json};

const ORG_NEW: &str = include_str!("../../../../tests/fixtures/case-org-new.json");
const EMPLOYEES_NEW: &str = include_str!("../../../../tests/fixtures/case-employees-new.json");

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

/// The error paths of a case, or `None` when it cannot even be read.
fn errors(value: &Value) -> Option<Vec<String>> {
    let mut c = CaseData::from_json(&value.to_string()).ok()?;
    Some(c.validate_and_normalize(today()).into_iter().filter(|p| p.severity == Severity::Error).map(|p| p.path).collect())
}

fn with(base: &str, edit: impl FnOnce(&mut Value)) -> Value {
    let mut v: Value = serde_json::from_str(base).unwrap();
    edit(&mut v);
    v
}

#[test]
fn the_fixtures_are_within_every_bound() {
    assert_eq!(errors(&serde_json::from_str(ORG_NEW).unwrap()), Some(vec![]));
    assert_eq!(errors(&serde_json::from_str(EMPLOYEES_NEW).unwrap()), Some(vec![]));
}

#[test]
fn names_are_bounded_and_free_of_control_and_bidi_characters() {
    let long = "长".repeat(MAX_NAME_CHARS + 1);
    assert_eq!(errors(&with(ORG_NEW, |v| v["organization"]["name"] = long.clone().into())), Some(vec!["organization.name".to_string()]));
    let ok = "长".repeat(MAX_NAME_CHARS);
    assert_eq!(errors(&with(ORG_NEW, |v| v["organization"]["name"] = ok.into())), Some(vec![]));
    for bad in ["广州\u{202E}司公限有", "张\u{0007}伟", "张伟\u{200F}", "李\u{2066}明\u{2069}", "a\nb"] {
        assert_eq!(errors(&with(ORG_NEW, |v| v["handler"]["name"] = bad.into())), Some(vec!["handler.name".to_string()]), "{bad:?}");
    }
    assert_eq!(errors(&with(EMPLOYEES_NEW, |v| v["employees"][0]["name"] = "陈\u{202D}刚".into())), Some(vec!["employees[0].name".to_string()]));
    // a note may have lines
    assert_eq!(errors(&with(ORG_NEW, |v| v["notes"] = "第一行\n第二行".into())), Some(vec![]));
}

#[test]
fn quantity_years_and_employees_are_bounded() {
    assert_eq!(errors(&with(ORG_NEW, |v| v["quantity"] = (MAX_QUANTITY + 1).into())), Some(vec!["quantity".to_string()]));
    assert_eq!(errors(&with(ORG_NEW, |v| v["quantity"] = 4_000_000_000u32.into())), Some(vec!["quantity".to_string()]));
    assert!(errors(&with(ORG_NEW, |v| v["quantity"] = 5_000_000_000u64.into())).is_none(), "beyond u32: not a case");
    assert_eq!(errors(&with(ORG_NEW, |v| v["years"] = 1000.into())), Some(vec!["years".to_string()]));
    let many = with(EMPLOYEES_NEW, |v| {
        let e = v["employees"][0].clone();
        v["employees"] = Value::Array((0..=MAX_EMPLOYEES).map(|_| e.clone()).collect());
    });
    let errs = errors(&many).unwrap();
    assert!(errs.contains(&"employees".to_string()), "{:?}", &errs[..3.min(errs.len())]);
}

#[test]
fn case_json_is_bounded_before_it_is_parsed() {
    let huge = format!("{{\"notes\": \"{}\"}}", "x".repeat(MAX_CASE_JSON_BYTES));
    let err = CaseData::from_json(&huge).unwrap_err();
    assert!(err.to_string().contains("bytes"), "{err}");
}

#[test]
fn amounts_are_bounded_in_string_and_integer_form() {
    assert_eq!("10000000000.00".parse::<Money>().unwrap(), Money::MAX);
    for bad in ["10000000000.01", "99999999999999", "9223372036854775807", "-10000000000.01"] {
        assert!(bad.parse::<Money>().is_err(), "{bad}");
    }
    assert_eq!("0000700.00".parse::<Money>().unwrap().to_string(), "700.00");
    assert_eq!("00000000000000000000000001".parse::<Money>().unwrap().to_string(), "1.00", "leading zeros are no amount");
    let paid = |amount: Value| errors(&with(ORG_NEW, |v| v["payment"]["amount"] = amount));
    assert!(paid(json!(10_000_000_001u64)).is_none(), "an integer amount beyond 10^10 yuan is refused");
    assert!(paid(json!(u64::MAX)).is_none());
    assert_eq!(paid(json!("700.00")), Some(vec![]));
    // arithmetic never wraps
    assert_eq!(Money::MAX.checked_add(Money::from_fen(1)), None);
    assert_eq!(Money::MAX.checked_mul(2), None);
    assert_eq!(Money::from_yuan(700).checked_mul(3), Some(Money::from_yuan(2100)));
}

#[test]
fn capital_numerals_never_panic() {
    for fen in [0, 1, 99, 100, 1_000_000_000_000, 10_i64.pow(18), i64::MAX, i64::MIN, -1] {
        let text = Money::from_fen(fen).to_capital();
        assert!(!text.is_empty(), "{fen}");
    }
    assert_eq!(Money::from_yuan(10_i64.pow(16)).to_capital(), "壹亿亿元整");
}

#[test]
fn nasty_inputs_give_an_error_never_a_panic() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let nasty: Vec<String> = vec![
        String::new(),
        "null".into(),
        "{".into(),
        deep,
        "{\"project\": \"\\ud800\"}".into(),
        "{\"quantity\": -1}".into(),
        "{\"quantity\": 1e309}".into(),
        "{\"payment\": {\"amount\": 1e400}}".into(),
        "{\"years\": NaN}".into(),
        with(ORG_NEW, |v| v["payment"]["amount"] = "-9223372036854775808".into()).to_string(),
        with(ORG_NEW, |v| v["payment"]["amount"] = "１２３４５６７８９０１２.００".into()).to_string(),
        with(ORG_NEW, |v| v["handler"]["id_number"] = "\u{202E}".repeat(300).into()).to_string(),
        with(ORG_NEW, |v| v["organization"]["uscc"] = "９".repeat(5000).into()).to_string(),
        with(ORG_NEW, |v| v["employees"] = json!([{"name": "x"}])).to_string(),
    ];
    for text in nasty {
        let shown: String = text.chars().take(60).collect();
        match CaseData::from_json(&text) {
            Ok(mut c) => {
                let problems = c.validate_and_normalize(today());
                assert!(problems.iter().any(|p| p.severity == Severity::Error), "{shown}: accepted");
            }
            Err(e) => assert!(!e.to_string().is_empty(), "{shown}"),
        }
    }
}
