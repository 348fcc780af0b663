//! `certdesk report …` and `certdesk store …` through the binary on a real store file; a
//! unit's order of three certificates (#28) on SoftHSM2 keys, one withdrawn, as the expiring
//! list, the daily ledger and the receipt tell it.

use serde_json::Value;

const ORG_NEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json");
const EMPLOYEES_NEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-employees-new.json");

fn counter() -> certdesk_testkit::Counter {
    certdesk_testkit::Counter::new(env!("CARGO_BIN_EXE_certdesk"))
}

#[test]
fn the_daily_ledger_counts_the_days_cases_in_every_format() {
    let c = counter();
    c.import(ORG_NEW);
    let sent_back = c.import(ORG_NEW);
    for (who, action) in [("zhang", "accept"), ("zhang", "submit")] {
        c.ok_as(who, &["case", action, &sent_back]);
    }
    c.ok_as("li", &["case", "return", &sent_back, "--reason", "公章模糊"]);
    let today = chrono::Local::now().date_naive().format("%Y-%m-%d").to_string();
    let v: Value = serde_json::from_str(&c.read(&["report", "daily", "--date", &today, "--json"])).unwrap();
    // #79: a case sent back is still the day's (taken and paid): counted, and shown apart
    assert_eq!(v["cases"], 2);
    assert_eq!(v["total"], "1400.00");
    assert_eq!(v["by_payment"][0]["key"], "bank_transfer");
    let by_status: Vec<(String, u64, String)> = v["by_status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap().to_string(), r["cases"].as_u64().unwrap(), r["amount"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(by_status, [("draft".to_string(), 1, "700.00".to_string()), ("returned".to_string(), 1, "700.00".to_string())], "{v}");
    let text = c.read(&["report", "daily"]);
    assert!(text.contains("对公转账\t2\t1400.00"), "{text}");
    let d = c.dir.path();
    let csv = d.join("daily.csv");
    c.read(&["report", "daily", "--out", csv.to_str().unwrap(), "--format", "csv"]);
    let body = std::fs::read_to_string(&csv).unwrap();
    // the ledger's four columns first, in their places; the certificates' (#28) after them
    assert!(body.starts_with("\u{feff}分类,项目,件数,金额（元）,证书数,已写入,撤回（原因）\r\n"), "{body}");
    assert!(body.contains("对公转账,2,1400.00,2,0,0\r\n"), "{body}");
    assert!(body.contains("案件状态,已退回,1,700.00,1,0,0\r\n"), "{body}");
    let xlsx = d.join("daily.xlsx");
    c.read(&["report", "daily", "--out", xlsx.to_str().unwrap(), "--format", "xlsx"]);
    assert_eq!(&std::fs::read(&xlsx).unwrap()[..4], b"PK\x03\x04");
    // an empty day, a bad date, a bad range
    let v: Value = serde_json::from_str(&c.read(&["report", "daily", "--date", "2020-01-01", "--json"])).unwrap();
    assert_eq!(v["cases"], 0);
    let v: Value = serde_json::from_str(&c.read(&["report", "daily", "--date", "2020/01/01", "--json"])).unwrap();
    assert_eq!(v["date"], "2020-01-01", "a day with slashes is read, and shown with dashes");
    assert_eq!(c.read_as("admin", &["report", "daily", "--date", "yesterday"]).status.code(), Some(2));
    assert_eq!(c.read_as("admin", &["report", "expiring", "--days", "0"]).status.code(), Some(2));
    let v: Value = serde_json::from_str(&c.read(&["report", "expiring", "--json"])).unwrap();
    assert_eq!(v, serde_json::json!([]), "no key was issued");
}

#[test]
fn backup_and_restore_through_the_cli() {
    let c = counter();
    let d = c.dir.path();
    let first = c.import(ORG_NEW);
    let b = d.join("b.db");
    let v: Value = serde_json::from_str(&c.ok_as("admin", &["store", "backup", "--out", b.to_str().unwrap(), "--json"])).unwrap();
    assert_eq!(v["cases"], 1);
    assert_eq!(c.as_user("admin", &["store", "backup", "--out", b.to_str().unwrap()]).status.code(), Some(1), "never overwrites");
    let later = c.import(ORG_NEW);
    let v: Value = serde_json::from_str(&c.ok_as("admin", &["store", "restore", b.to_str().unwrap(), "--json"])).unwrap();
    assert_eq!(v["cases"], 1);
    let kept = v["kept"].as_str().unwrap();
    assert!(std::path::Path::new(kept).is_file());
    assert_eq!(c.read(&["case", "list", "--json"]).matches("\"number\"").count(), 1);
    c.read(&["case", "show", &first]);
    // a file that is not a store is refused and the store stays
    let junk = d.join("junk.db");
    std::fs::write(&junk, "not a database").unwrap();
    let out = c.as_user("admin", &["store", "restore", junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("junk.db"));
    c.read(&["case", "show", &first]);
    // the restore is on the restored chain, and the number handed out after the backup is not
    // handed out again
    assert_eq!(c.read_json(&["audit", "verify", "--json"]).1["ok"], true);
    assert_ne!(c.import(ORG_NEW), later);
}

fn ok(c: &certdesk_testkit::Counter, user: &str, args: &[&str]) -> Value {
    let out = c.as_user(user, args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", certdesk_testkit::stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// #28: a unit's order of three employees; the third left before a key was made (withdrawn by
/// the supervisor with a reason), the other two written to their keys with certificates valid
/// 20 days. The expiring list names each certificate with its holder, the ledger keeps the fee
/// as charged and shows the withdrawn one, the receipt lists each holder.
#[test]
fn a_units_order_is_reported_per_certificate_with_the_withdrawn_one() {
    let c = counter().softhsm();
    let d = c.dir.path();
    for (name, pin) in [("so", "87654321"), ("pin", "24681357")] {
        std::fs::write(d.join(name), format!("{pin}\n")).unwrap();
    }
    certdesk_testkit::self_signed(d, "ca", "/C=CN/O=Test CA/CN=Test Root", 30);
    let mut case: Value = serde_json::from_str(&std::fs::read_to_string(EMPLOYEES_NEW).unwrap()).unwrap();
    let third = serde_json::json!({"name": "李娜", "id_type": "resident_id", "id_number": "11010519491231002X", "email": "lina@example.gov.cn", "business": "new", "years": 1});
    case["employees"].as_array_mut().unwrap().push(third);
    case["quantity"] = 3.into();
    case["payment"]["amount"] = "600.00".into();
    let file = c.p("case.json");
    std::fs::write(&file, case.to_string()).unwrap();
    let n = c.approved_case(&file);

    ok(&c, "li", &["--json", "case", "withdraw-cert", &n, "3", "--reason", "员工已离职"]);
    let (so, pin) = (c.p("so"), c.p("pin"));
    let mut serials = Vec::new();
    for k in 1..=2u32 {
        let ks = k.to_string();
        let slot = (k - 1).to_string();
        ok(
            &c,
            "wang",
            &["--json", "key", "--module", certdesk_testkit::SOFTHSM, "init", "--slot-index", &slot, "--so-pin-file", &so, "--user-pin-file", &pin, "--case", &n, "--cert", &ks],
        );
        let label = format!("{n}-{k}");
        let csr = c.p(&format!("req-{k}.csr"));
        ok(
            &c,
            "wang",
            &["--json", "key", "--module", certdesk_testkit::SOFTHSM, "gen", "--token", &label, "--pin-file", &pin, "--algo", "ec-p256", "--case", &n, "--csr-out", &csr],
        );
        let pem = c.p(&format!("cert-{k}.pem"));
        let o = std::process::Command::new("openssl")
            .args(["x509", "-req", "-in", &csr, "-CA", &c.p("ca.pem"), "-CAkey", &c.p("ca.key"), "-CAcreateserial", "-out", &pem, "-days", "20"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let w = ok(&c, "wang", &["--json", "key", "--module", certdesk_testkit::SOFTHSM, "write-cert", "--token", &label, "--pin-file", &pin, "--cert", &pem, "--case", &n]);
        assert_eq!(w["cert"], k);
        serials.push(w["serial_hex"].as_str().unwrap().to_string());
    }
    assert_eq!(c.status(&n), "key_issued", "two written and one withdrawn: every certificate finished");

    // the expiring list: one row per certificate, each with its holder and its own serial
    let v: Value = serde_json::from_str(&c.read(&["report", "expiring", "--days", "30", "--json"])).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{v}");
    let mut got: Vec<(u64, &str, &str)> = rows.iter().map(|r| (r["cert"].as_u64().unwrap(), r["holder"].as_str().unwrap(), r["certificate_serial"].as_str().unwrap())).collect();
    got.sort();
    assert_eq!(got.iter().map(|g| (g.0, g.1)).collect::<Vec<_>>(), [(1, "王芳"), (2, "陈刚")]);
    assert_ne!(got[0].2, got[1].2, "each its own certificate");
    for r in rows {
        // the fields it always had are there as before
        assert_eq!((r["case"].as_str(), r["organization"].as_str(), r["handler"].as_str()), (Some(n.as_str()), Some("广东省示例事业单位"), Some("王芳")));
        assert!((18..=20).contains(&r["days_left"].as_i64().unwrap()), "{r}");
        assert!(r["subject"].as_str().unwrap().contains(r["holder"].as_str().unwrap()), "{r}");
    }
    let csv = d.join("expiring.csv");
    c.read(&["report", "expiring", "--days", "30", "--out", csv.to_str().unwrap(), "--format", "csv"]);
    let body = std::fs::read_to_string(&csv).unwrap();
    assert!(body.starts_with("\u{feff}案件编号,申请单位,经办人,经办人手机,证书序列号,证书主题,到期时间,剩余天数,证书序号,证书持有人\r\n"), "{body}");
    assert!(body.contains(",2,陈刚\r\n"), "{body}");

    // the daily ledger: the fee as charged, three certificates, two written, the third
    // withdrawn with its holder and reason
    let v: Value = serde_json::from_str(&c.read(&["report", "daily", "--json"])).unwrap();
    assert_eq!((v["certificates"].as_u64(), v["certificates_written"].as_u64(), v["certificates_withdrawn"].as_u64()), (Some(3), Some(2), Some(1)), "{v}");
    assert_eq!(v["total"], "600.00");
    let row = &v["by_case"][0];
    assert_eq!((row["case"].as_str(), row["amount"].as_str(), row["certs"].as_u64(), row["written"].as_u64()), (Some(n.as_str()), Some("600.00"), Some(3), Some(2)), "{v}");
    let w = &row["withdrawn"][0];
    assert_eq!((w["cert"].as_u64(), w["holder"].as_str(), w["reason"].as_str(), w["by"].as_str()), (Some(3), Some("李娜"), Some("员工已离职"), Some("li")), "{v}");
    assert_eq!((v["by_business"][0]["certs"].as_u64(), v["by_business"][0]["withdrawn"].as_u64()), (Some(3), Some(1)));
    let text = c.read(&["report", "daily"]);
    assert!(text.contains(&format!("案件\t{n} 广东省示例事业单位（新申请）\t1\t600.00\t3\t2\t第3张 李娜：员工已离职（li）")), "{text}");

    // the receipt reprinted: each holder, the written ones and the withdrawn one with its reason
    let pdf = d.join("receipt.pdf");
    c.read(&["form", "render", "--case", &n, "--form", "receipt", "--out", pdf.to_str().unwrap()]);
    let out = std::process::Command::new("pdftotext").args(["-layout", pdf.to_str().unwrap(), "-"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    // a certificate's row: its holder's ID number and name on one line
    let line = |holder: &str, id: &str| text.lines().find(|l| l.contains(holder) && l.contains(id)).unwrap_or_else(|| panic!("{holder} not listed: {text}")).to_string();
    assert!(text.contains("三、证书明细（共3张）"), "{text}");
    assert!(line("陈刚", "210102198801020030").contains("已写入"), "{text}");
    let lina = line("李娜", "11010519491231002X");
    assert!(lina.contains("已撤回") && lina.contains("撤回原因：员工已离职"), "{text}");
    assert!(text.contains("其中1张证书已由复核员撤回"), "{text}");
}
