//! `certdesk payments …` (#73) on a real store through the binary: a posted order of seed 001
//! (网证通's 养老保险 employees) arrives, cannot be approved before its money is in, is matched
//! from a statement written by other code (Python's openpyxl, in a 建设银行 layout with title
//! rows, a totals row and debits), confirmed by a clerk and then approved; the same statement
//! imported again adds nothing; a private person's transfer is refused and cannot be confirmed;
//! a credit from another unit cannot pay the case (汇款单位必须是办理CA的单位).

use serde_json::Value;
use std::process::Command;

const PYTHON_STATEMENT: &str = r#"
import sys, openpyxl
out, case_no = sys.argv[1], sys.argv[2]
wb = openpyxl.Workbook()
ws = wb.active
ws.append(["中国建设银行单位客户账户明细"])
ws.append(["账号：44050149010900000888", "户名：广东省电子商务认证有限公司", "币种：人民币"])
ws.append(["起止日期：2025-10-01 至 2025-10-31"])
ws.append(["交易时间", "借方发生额（支取）", "贷方发生额（收入）", "余额", "对方户名", "对方账号", "摘要", "备注"])
ws.append(["2025-10-09 10:21:33", "", "400.00", "12,400.00", "广东省示例事业单位", "44001234567890123456", "转账", "养老保险员工证书 " + case_no])
ws.append(["2025-10-09 11:02:10", "", "400.00", "12,800.00", "王小明", "6217002870012345678", "转账", "证书费"])
ws.append(["2025-10-09 15:40:00", "", "400.00", "13,200.00", "广州某某贸易有限公司", "44009876543210987654", "转账", "代付 " + case_no])
ws.append(["2025-10-10 09:00:00", "25.00", "", "13,175.00", "", "", "手续费", ""])
ws.append(["合计", "25.00", "1,200.00", "", "", "", "", ""])
wb.save(out)
"#;

fn statement(dir: &std::path::Path, case_no: &str) -> String {
    let out = dir.join("建设银行明细.xlsx");
    let run = Command::new(certdesk_testkit::python_with(&["openpyxl"])).args(["-c", PYTHON_STATEMENT, out.to_str().unwrap(), case_no]).output().unwrap();
    assert!(run.status.success(), "the statement's generator: {}", String::from_utf8_lossy(&run.stderr));
    out.display().to_string()
}

#[test]
fn a_posted_order_waits_for_its_money_and_is_matched_from_the_banks_statement() {
    let c = certdesk_testkit::Counter::new(env!("CARGO_BIN_EXE_certdesk"));
    let mut case: Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-employees-new.json")).unwrap()).unwrap();
    case["channel"] = "post".into();
    case["arrival"] = serde_json::json!({ "date": "2025-10-08", "courier": "顺丰速运", "waybill": "SF 1402 3344 5566" });
    case["payment"] = serde_json::json!({ "method": "bank_transfer", "payer_name": "广东省示例事业单位", "payer_account": "44001234567890123456", "amount": "400.00" });
    let file = c.p("posted.json");
    std::fs::write(&file, case.to_string()).unwrap();
    let number = c.import(&file);
    for action in ["accept", "submit"] {
        c.ok_as("zhang", &["case", action, &number]);
    }
    // the receipt of a posted case is a letter to the unit: what arrived, what is missing, what
    // it costs and where to pay (read back by poppler)
    let pdf = c.p("letter.pdf");
    c.ok_as("zhang", &["form", "render", "--case", &number, "--form", "receipt", "--out", &pdf]);
    let text = Command::new("pdftotext").args(["-layout", &pdf, "-"]).output().expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    for want in ["邮寄材料收件及受理通知", "致广东省示例事业单位", "SF140233445566", "顺丰速运", &number, "广东省电子商务认证有限公司"] {
        assert!(text.contains(want), "{want:?} not in the letter:\n{text}");
    }
    assert!(!text.contains("受理回执"), "{text}");

    // no money, no approval
    let early = c.as_user("li", &["case", "approve", &number, "--json"]);
    assert_eq!(early.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&early.stdout).contains("money_not_in"), "{}", String::from_utf8_lossy(&early.stdout));
    let (_, due) = c.read_json(&["calendar", "due", "--day", "2025-10-09", "--json"]);
    assert_eq!(due["waiting"][0]["waiting_on"], serde_json::json!(["payment"]), "{due}");

    // the statement, imported by the administrator
    let xlsx = statement(c.dir.path(), &number);
    let clerk_import = c.as_user("zhang", &["payments", "import", &xlsx, "--json"]);
    assert_eq!(clerk_import.status.code(), Some(1), "an administrator's import");
    let out = c.as_user("admin", &["payments", "import", &xlsx, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((report["credits"].as_u64(), report["new"].as_u64(), report["skipped_debits"].as_u64()), (Some(3), Some(3), Some(1)), "{report}");
    let matched = report["matched"].as_array().unwrap();
    assert_eq!(matched.len(), 1, "{report}");
    assert_eq!(matched[0]["cases"], serde_json::json!([number]));
    let credit = matched[0]["credit"].as_str().unwrap().to_string();
    assert_eq!(report["refused"].as_array().unwrap().len(), 1);
    assert!(report["refused"][0]["why"].as_str().unwrap().contains("私人汇款"), "{report}");
    let other_payer = report["unmatched"][0]["credit"].as_str().expect("the other unit's credit matches nothing").to_string();
    // imported again: nothing added
    let again: Value = serde_json::from_slice(&c.as_user("admin", &["payments", "import", &xlsx, "--json"]).stdout).unwrap();
    assert_eq!((again["new"].as_u64(), again["repeated"].as_array().map(Vec::len)), (Some(0), Some(3)), "{again}");
    let (_, all) = c.read_json(&["payments", "list", "--json"]);
    assert_eq!(all.as_array().unwrap().len(), 3);
    let (_, unmatched) = c.read_json(&["payments", "list", "--unmatched", "--json"]);
    assert_eq!(unmatched.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect::<Vec<_>>(), [other_payer.as_str()]);

    // the other unit's money cannot pay the case; the private transfer cannot either
    let wrong = c.as_user("zhang", &["payments", "confirm", &other_payer, &number, "--json"]);
    assert!(String::from_utf8_lossy(&wrong.stdout).contains("汇款单位与办理单位不一致"), "{}", String::from_utf8_lossy(&wrong.stdout));
    let private = report["refused"][0]["credit"].as_str().unwrap();
    let refused = c.as_user("zhang", &["payments", "confirm", private, &number, "--json"]);
    assert!(String::from_utf8_lossy(&refused.stdout).contains("payment_refused"), "{}", String::from_utf8_lossy(&refused.stdout));

    // the clerk confirms the match: the case's payment has the bank's day, and it is approved
    c.ok_as("zhang", &["payments", "confirm", &credit, &number]);
    let (_, shown) = c.read_json(&["case", "show", &number, "--json"]);
    assert_eq!((shown["payment"]["date"].as_str(), shown["payment"]["payer_name"].as_str()), (Some("2025-10-09"), Some("广东省示例事业单位")), "{shown}");
    c.ok_as("li", &["case", "approve", &number]);
    let (_, due) = c.read_json(&["calendar", "due", "--day", "2025-10-09", "--json"]);
    assert!(due["waiting"].as_array().unwrap().is_empty(), "{due}");
    let (_, listed) = c.read_json(&["payments", "list", "--json"]);
    let confirmed = listed.as_array().unwrap().iter().find(|x| x["id"] == credit.as_str()).unwrap();
    assert_eq!((confirmed["state"].as_str(), confirmed["cases"].clone()), (Some("confirmed"), serde_json::json!([number])));
    // the chain holds the import and the confirmation, and verifies
    let (code, verify) = c.read_json(&["audit", "verify", "--json"]);
    assert_eq!((code, verify["ok"].as_bool()), (0, Some(true)), "{verify}");
}
