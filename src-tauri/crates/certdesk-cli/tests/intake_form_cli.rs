//! The intake decided by the backend (#71), through the CLI's contract: `certdesk --json intake
//! form` lists what a request asks (the 业务单号 a 辽宁 form needs, the project's own fields,
//! the rules in the seeds' words), and importing a case applies the same rules: a 专票 whose
//! title is not the unit is refused in seed 002's words, a second organisation certificate of
//! a unit at 内蒙古CA in seed 003's, an electronic invoice without an e-mail, a project field
//! with a value its form does not offer. Each refusal stores nothing.

use certdesk_testkit::{Counter, fixture};
use serde_json::{Value, json};

fn case_file(c: &Counter, name: &str, case: &Value) -> String {
    let path = c.p(name);
    std::fs::write(&path, case.to_string()).unwrap();
    path
}

fn refusal(c: &Counter, file: &str) -> (i32, String) {
    let out = c.as_user("zhang", &["case", "import", file]);
    (out.status.code().unwrap_or(-1), certdesk_testkit::stderr(&out))
}

fn cases(c: &Counter) -> usize {
    let (_, v) = c.read_json(&["--json", "case", "list"]);
    v.as_array().map_or(0, Vec::len)
}

#[test]
fn the_form_model_lists_what_the_forms_print_and_the_rules_that_apply() {
    let c = Counter::new(env!("CARGO_BIN_EXE_certdesk"));
    let (code, ln) = c.json(&["--json", "intake", "form", "--project", "netca-ln-procurement", "--business", "new", "--cert-kind", "employee"]);
    assert_eq!(code, 0, "{ln}");
    let fields: Vec<&Value> = ln["sections"].as_array().unwrap().iter().flat_map(|s| s["fields"].as_array().unwrap()).collect();
    let reference = fields.iter().find(|f| f["key"] == "ca_reference").expect("业务单号 asked");
    assert_eq!(reference["label"], "业务单号");
    assert!(reference["why"].as_str().unwrap().contains("条形码号须与本页面上方的“业务单号”一致"));
    for key in ["handler.authorization_until", "invoice.type", "invoice.account", "delivery.method", "employees[].years"] {
        assert!(fields.iter().any(|f| f["key"] == key), "{key}");
    }
    assert_eq!(ln["counts_as_person"], json!(["name", "id_number", "email"]));
    let (_, nmg) = c.json(&["--json", "intake", "form", "--project", "nmgca-procurement", "--business", "new", "--cert-kind", "organization"]);
    let own = nmg["sections"].as_array().unwrap().iter().find(|s| s["id"] == "project_fields").expect("所属旗区");
    assert_eq!(own["fields"][0]["key"], "extra.banner_district");
    let rules: Vec<&str> = nmg["rules"].as_array().unwrap().iter().map(|r| r["text"].as_str().unwrap()).collect();
    assert!(rules.contains(&"单位证书只允许申请1条"), "{rules:?}");
    let wrong = c.run(&["--json", "intake", "form", "--project", "nmgca-procurement", "--business", "unlock", "--cert-kind", "organization"]);
    assert_ne!(wrong.status.code(), Some(0), "内蒙古CA offers no 解锁 here");
}

#[test]
fn a_second_organisation_certificate_of_a_unit_at_nmgca_is_refused_in_the_seeds_words() {
    let c = Counter::new(env!("CARGO_BIN_EXE_certdesk"));
    let mut case: Value = serde_json::from_str(&std::fs::read_to_string(fixture("cases/nmgca-procurement-organization-new-long-name.json")).unwrap()).unwrap();
    case["extra"] = json!({ "banner_district": "赛罕区" });
    let first = case_file(&c, "first.json", &case);
    let n = c.import(&first);
    let (_, shown) = c.read_json(&["case", "show", &n, "--json"]);
    assert_eq!(shown["extra"]["banner_district"], "赛罕区", "the project's own field is kept");
    let (code, err) = refusal(&c, &first);
    assert_ne!(code, 0);
    assert!(err.contains("单位证书只允许申请1条") && err.contains(&n), "{err}");
    assert_eq!(cases(&c), 1, "nothing stored");
    // once the first is cancelled, the unit may apply again
    c.ok_as("zhang", &["case", "cancel", &n, "--reason", "填错单位"]);
    c.import(&first);

    let mut bad = case.clone();
    bad["extra"] = json!({ "banner_district": "赛罕区", "key_role": "新办主锁" });
    let (code, err) = refusal(&c, &case_file(&c, "bad-field.json", &bad));
    assert_ne!(code, 0);
    assert!(err.contains("extra.key_role"), "a field another project asks: {err}");
}

#[test]
fn the_invoice_rules_are_the_seeds_and_fire_at_import() {
    let c = Counter::new(env!("CARGO_BIN_EXE_certdesk"));
    // 辽宁: "办理单位必须与申请发票单位一致"
    let mut ln: Value = serde_json::from_str(&std::fs::read_to_string(fixture("case-employees-new.json")).unwrap()).unwrap();
    ln["project"] = json!("netca-ln-procurement");
    ln["years"] = json!(1);
    for e in ln["employees"].as_array_mut().unwrap() {
        e["years"] = json!(1);
    }
    ln["payment"] = Value::Null;
    ln["invoice"] = json!({ "type": "special", "title": "别的公司", "taxpayer_id": ln["organization"]["uscc"], "phone": "020-83487000", "address": "广州市天河区", "bank": "工商银行", "account": "3602000009200000001" });
    let (code, err) = refusal(&c, &case_file(&c, "ln.json", &ln));
    assert_ne!(code, 0);
    assert!(err.contains("办理单位必须与申请发票单位一致") && err.contains("invoice.title"), "{err}");
    assert_eq!(cases(&c), 0);
    // a 专票 without its bank is taken with the seed's words as a warning (the CA's invoice desk asks)
    ln["invoice"]["title"] = ln["organization"]["name"].clone();
    ln["invoice"].as_object_mut().unwrap().remove("bank");
    let out = c.as_user("zhang", &["case", "import", &case_file(&c, "ln-nobank.json", &ln)]);
    assert_eq!(out.status.code(), Some(0), "{}", certdesk_testkit::stderr(&out));
    let warned = certdesk_testkit::stderr(&out);
    assert!(warned.contains("invoice.bank") && warned.contains("专票还需要填写营业地址、电话号码、开户行信息"), "{warned}");
    ln["invoice"]["bank"] = json!("工商银行");
    ln["handler"]["authorization_until"] = json!("2099年12月31日");
    let n = c.import(&case_file(&c, "ln-ok.json", &ln));
    let (_, shown) = c.read_json(&["case", "show", &n, "--json"]);
    assert_eq!(shown["handler"]["authorization_until"], "2099-12-31", "a day as typed, kept as YYYY-MM-DD");
    assert_eq!(shown["invoice"]["bank"], "工商银行");

    // 内蒙古CA: the electronic invoice goes to an e-mail address
    let mut nmg: Value = serde_json::from_str(&std::fs::read_to_string(fixture("cases/nmgca-procurement-personal-new-expert.json")).unwrap()).unwrap();
    nmg["invoice"] = json!({ "type": "normal", "title": nmg["handler"]["name"] });
    let (code, err) = refusal(&c, &case_file(&c, "nmg.json", &nmg));
    assert_ne!(code, 0);
    assert!(err.contains("电子邮箱*：必须填写，用于收取电子发票"), "{err}");
    // an authorisation that ran out is refused
    ln["handler"]["authorization_until"] = json!("2020-01-01");
    let (code, err) = refusal(&c, &case_file(&c, "ln-expired.json", &ln));
    assert_ne!(code, 0);
    assert!(err.contains("handler.authorization_until"), "{err}");
}

/// `case materials` (#79's CLI for #71's 全部收齐): a case made from JSON records its checklist as the
/// app does, every required line in full; one line with the applicant's promise; an item the
/// checklist does not list is refused naming the ones it does.
#[test]
fn a_case_from_json_records_its_checklist_as_the_app_does() {
    let c = Counter::new(env!("CARGO_BIN_EXE_certdesk"));
    let n = c.import_unrecorded(&fixture("case-org-new.json"));
    let (_, before) = c.read_json(&["case", "show", &n, "--json"]);
    assert!(before.get("materials").is_none_or(|m| m.as_array().is_none_or(Vec::is_empty)), "{before}");
    // #79: nothing recorded, nothing goes to the second check
    c.ok_as("zhang", &["case", "accept", &n]);
    let out = c.as_user("zhang", &["--json", "case", "submit", &n]);
    assert_eq!(out.status.code(), Some(1), "{}", certdesk_testkit::stderr(&out));
    let refused: Value = serde_json::from_slice(&out.stdout).expect("an error as JSON");
    assert_eq!(refused["error"]["kind"], "materials_missing", "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap().contains("case materials"), "says how to record them: {refused}");
    assert_eq!(c.status(&n), "accepted", "the case stays where it was");
    c.ok_as("zhang", &["case", "materials", &n, "--all-received"]);
    let (_, after) = c.read_json(&["case", "show", &n, "--json"]);
    let lines = after["materials"].as_array().expect("the checklist recorded");
    assert!(!lines.is_empty());
    let (_, project) = c.json(&["--json", "catalog", "show", "netca-gd-pension"]);
    let matches = |rule: &&Value| rule["business"].as_array().unwrap().contains(&json!("new")) && rule["cert_kinds"].as_array().is_none_or(|k| k.contains(&json!("organization")));
    let checklist: Vec<Value> = project["materials"].as_array().unwrap().iter().filter(matches).flat_map(|r| r["items"].as_array().unwrap().clone()).collect();
    assert!(!checklist.is_empty());
    for item in checklist.iter().filter(|i| i["optional"] != true) {
        let line = lines.iter().find(|l| l["id"] == item["id"]).unwrap_or_else(|| panic!("{item} recorded"));
        assert!(line["copies_received"].as_u64() >= item["copies"].as_u64(), "{line} for {item}");
    }
    // one line: nothing handed in, promised for Monday
    let first = checklist.iter().find(|i| i["optional"] != true).unwrap()["id"].as_str().unwrap().to_string();
    c.ok_as("zhang", &["case", "materials", &n, "--item", &first, "--copies", "0", "--to-follow", "下周一补交"]);
    let (_, promised) = c.read_json(&["case", "show", &n, "--json"]);
    let line = promised["materials"].as_array().unwrap().iter().find(|l| l["id"] == first.as_str()).unwrap().clone();
    assert_eq!((line["copies_received"].as_u64(), line["to_follow"].as_str()), (Some(0), Some("下周一补交")), "{line}");
    let out = c.as_user("zhang", &["case", "materials", &n, "--item", "no_such_item", "--copies", "1"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(certdesk_testkit::stderr(&out).contains(&first), "the checklist's items named: {}", certdesk_testkit::stderr(&out));
    // a supervisor records no checklist: the clerk's
    let out = c.as_user("li", &["case", "materials", &n, "--all-received"]);
    assert_ne!(out.status.code(), Some(0), "{}", certdesk_testkit::stderr(&out));
    // promised: submitted with the promise, approved only by accepting it
    c.ok_as("zhang", &["case", "submit", &n]);
    let out = c.as_user("li", &["--json", "case", "approve", &n]);
    assert_ne!(out.status.code(), Some(0));
    let refused: Value = serde_json::from_slice(&out.stdout).expect("an error as JSON");
    assert_eq!(refused["error"]["kind"], "materials_to_follow", "{refused}");
    c.ok_as("li", &["case", "approve", &n, "--accept-to-follow"]);
    assert_eq!(c.status(&n), "approved");
}
