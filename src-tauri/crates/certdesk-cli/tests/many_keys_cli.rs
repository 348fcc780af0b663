//! A unit's whole order through the command line (#28): a 20-employee 新办 case read from its
//! 明细表 (`certdesk employees read`), imported, taken and approved by different accounts; one
//! certificate withdrawn by a supervisor (refused to the clerk and without a reason); 19 keys
//! made on SoftHSM2 tokens with `--cert K` and without it (the next certificate waiting); the
//! requests signed by a throw-away `openssl` CA; the answers imported at once from a folder
//! (`key import-certs`), each matched to its certificate by public key; each key written when
//! plugged; `case steps --json` read at 0/19, 3/19 and 19/19; 交付 refused before the last
//! key and done after; 归档; `audit verify`. The refusals at the door a clerk meets: another
//! holder's key plugged, a certificate for none of the case's keys, the same certificate twice,
//! a second key without a reissue, `--employee` on an organisation case.

use serde_json::{Value, json};
use std::path::Path;
use std::process::Output;

const EMPLOYEES_NEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-employees-new.json");
const ORG_NEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json");
const SOFTHSM: &str = certdesk_testkit::SOFTHSM;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout_json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

/// A resident ID number with its GB 11643 check digit.
const NAMES: [&str; 20] =
    ["王芳", "陈刚", "李娜", "张伟", "刘洋", "杨静", "赵磊", "黄敏", "周杰", "吴霞", "徐涛", "孙丽", "马超", "朱琳", "胡军", "郭婷", "何斌", "林燕", "高峰", "罗晶"];

struct Rig {
    c: certdesk_testkit::Counter,
}

impl Rig {
    fn new() -> Rig {
        let c = certdesk_testkit::Counter::new(env!("CARGO_BIN_EXE_certdesk")).softhsm();
        for (name, pin) in [("so", "87654321"), ("pin", "24681357")] {
            std::fs::write(c.dir.path().join(name), format!("{pin}\n")).unwrap();
        }
        certdesk_testkit::self_signed(c.dir.path(), "ca", "/C=CN/O=Test CA/CN=Test Root", 30);
        Rig { c }
    }

    fn p(&self, name: &str) -> String {
        self.c.p(name)
    }

    fn key(&self, user: &str, args: &[&str]) -> Output {
        let mut all = vec!["--json", "key", "--module", SOFTHSM];
        all.extend_from_slice(args);
        self.c.as_user(user, &all)
    }

    fn key_ok(&self, args: &[&str]) -> Value {
        let out = self.key("wang", args);
        assert_eq!(out.status.code(), Some(0), "key {args:?}: {}", stderr(&out));
        stdout_json(&out)
    }

    /// A refusal: exit 1 and its error kind.
    fn key_refused(&self, args: &[&str]) -> (String, String) {
        let out = self.key("wang", args);
        assert_eq!(out.status.code(), Some(1), "key {args:?} should be refused: {}", String::from_utf8_lossy(&out.stdout));
        let v = stdout_json(&out);
        (v["error"]["kind"].as_str().unwrap_or_default().to_string(), stderr(&out))
    }

    fn steps(&self, n: &str) -> Value {
        let (code, v) = self.c.read_json(&["--json", "case", "steps", n]);
        assert_eq!(code, 0, "{v}");
        v
    }

    fn sign(&self, csr: &str, out: &str) {
        let o = std::process::Command::new("openssl")
            .args(["x509", "-req", "-in", csr, "-CA", &self.p("ca.pem"), "-CAkey", &self.p("ca.key"), "-CAcreateserial", "-out", out, "-days", "365"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    }

    fn import_case(&self, case: &Value) -> String {
        let file = self.p("case.json");
        std::fs::write(&file, case.to_string()).unwrap();
        self.c.approved_case(&file)
    }
}

fn certs_done(steps: &Value) -> (usize, usize) {
    let certs = steps["certs"].as_array().unwrap();
    (certs.iter().filter(|c| c["done"] == true).count(), certs.iter().filter(|c| c["withdrawn"] != true).count())
}

/// The 明细表 as a unit sends it: a title row, then the form's headers, 20 rows.
fn write_list(path: &Path) {
    let mut csv = String::from("\u{feff}广东省示例事业单位员工明细表,,,\n姓名,身份证号码,电子邮件,业务类型\n");
    for (i, name) in NAMES.iter().enumerate() {
        csv.push_str(&format!("{name},{},e{i}@example.gov.cn,新办\n", certdesk_testkit::resident_id(i as u32 + 1)));
    }
    std::fs::write(path, csv).unwrap();
}

#[test]
fn a_twenty_employee_order_makes_a_key_per_certificate_and_is_delivered_only_when_all_are_written() {
    let r = Rig::new();
    // the 明细表, read into the case JSON's employees
    let list = r.c.dir.path().join("明细表.csv");
    write_list(&list);
    let (code, read) = r.c.read_json(&["--json", "employees", "read", list.to_str().unwrap(), "--years", "1"]);
    assert_eq!(code, 0, "{read}");
    let employees = read["employees"].as_array().unwrap().clone();
    assert_eq!(employees.len(), 20);
    assert_eq!((employees[0]["name"].as_str(), employees[0]["business"].as_str(), employees[0]["years"].as_u64()), (Some("王芳"), Some("new"), Some(1)));

    let mut case: Value = serde_json::from_str(&std::fs::read_to_string(EMPLOYEES_NEW).unwrap()).unwrap();
    case["employees"] = Value::Array(employees);
    case.as_object_mut().unwrap().remove("payment");
    let n = r.import_case(&case);

    let s = r.steps(&n);
    assert_eq!(s["certs"].as_array().unwrap().len(), 20, "{s}");
    assert_eq!(s["next"], "key_init");
    assert_eq!(certs_done(&s), (0, 20));
    assert_eq!(s["certs"][4]["holder"], "刘洋");
    assert!(s["certs"].as_array().unwrap().iter().all(|c| c["next"] == "key_init" && c["done"] == false && c["withdrawn"] == false && c["key_serial"].is_null()));

    // an employee left: withdrawn by a supervisor, with a reason; not by the clerk, not without
    let clerk = r.c.as_user("zhang", &["--json", "case", "withdraw-cert", &n, "20", "--reason", "离职"]);
    assert_eq!(clerk.status.code(), Some(1));
    assert_eq!(stdout_json(&clerk)["error"]["kind"], "missing_role");
    assert_eq!(r.c.as_user("li", &["case", "withdraw-cert", &n, "20"]).status.code(), Some(2), "no reason: a usage error");
    let w = r.c.as_user("li", &["--json", "case", "withdraw-cert", &n, "20", "--reason", "员工已离职"]);
    assert_eq!(w.status.code(), Some(0), "{}", stderr(&w));
    let s = r.steps(&n);
    assert_eq!(certs_done(&s), (0, 19));
    assert_eq!((s["certs"][19]["withdrawn"].as_bool(), s["certs"][19]["withdrawn_reason"].as_str(), s["certs"][19]["next"].is_null()), (Some(true), Some("员工已离职"), true));
    let again = r.c.as_user("li", &["--json", "case", "withdraw-cert", &n, "20", "--reason", "x"]);
    assert_eq!(stdout_json(&again)["error"]["kind"], "cert_withdrawn");

    // 19 keys: odd certificates named with --cert K, even ones left to the desk (the next one
    // waiting); labels default to <case>-<K>
    let (so, pin) = (r.p("so"), r.p("pin"));
    for k in 1..=19u32 {
        let slot = (k - 1).to_string();
        let ks = k.to_string();
        let mut init = vec!["init", "--slot-index", &slot, "--so-pin-file", &so, "--user-pin-file", &pin, "--case", &n];
        if k % 2 == 1 {
            init.extend(["--cert", &ks]);
        }
        let t = r.key_ok(&init);
        let label = format!("{n}-{k}");
        assert_eq!(t["label"], label.as_str(), "certificate {k}'s key label");
        let csr = r.p(&format!("req-{k}.csr"));
        let mut gen_args = vec!["gen", "--token", &label, "--pin-file", &pin, "--algo", "ec-p256", "--case", &n, "--csr-out", &csr];
        if k % 2 == 0 {
            gen_args.extend(["--employee", &ks]);
        }
        let g = r.key_ok(&gen_args);
        assert_eq!(g["cert"], k);
    }
    // the withdrawn certificate gets no key
    let (kind, _) = r.key_refused(&["init", "--slot-index", "19", "--so-pin-file", &r.p("so"), "--user-pin-file", &r.p("pin"), "--case", &n, "--cert", "20"]);
    assert_eq!(kind, "cert_withdrawn");
    let s = r.steps(&n);
    assert!(s["certs"].as_array().unwrap()[..19].iter().all(|c| c["next"] == "cert_import" && c["key_serial"].is_string()), "{s}");

    // the batch that goes to the CA: every request waiting and its package, in one folder
    let to_ca = r.c.dir.path().join("to-ca");
    let out = r.key("zhang", &["requests", "--case", &n, "--out", to_ca.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "a key clerk's: {}", String::from_utf8_lossy(&out.stdout));
    let exported = r.key_ok(&["requests", "--case", &n, "--out", to_ca.to_str().unwrap()]);
    assert_eq!(exported["files"].as_array().unwrap().len(), 38, "a request and a package for each of 19: {exported}");
    let package: Value = serde_json::from_slice(&std::fs::read(to_ca.join("req-7.request.json")).unwrap()).unwrap();
    assert_eq!((package["cert"]["index"].as_u64(), package["cert"]["holder"].as_str()), (Some(7), Some(NAMES[6])));
    // the CA signs every request; its answers come back in one folder
    let answers = r.c.dir.path().join("answers");
    std::fs::create_dir(&answers).unwrap();
    for k in 1..=19 {
        r.sign(to_ca.join(format!("req-{k}.csr")).to_str().unwrap(), answers.join(format!("{k:02}.pem")).to_str().unwrap());
    }
    // refused as a whole, nothing imported: a certificate for none of the case's keys, and
    // the same certificate twice
    let stray_dir = r.c.dir.path().join("stray");
    std::fs::create_dir(&stray_dir).unwrap();
    // issued by the same CA to 王芳, but for a key this case never made
    let stray_csr = stray_dir.join("stray.csr");
    let o = std::process::Command::new("openssl")
        .args(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout"])
        .arg(stray_dir.join("stray.key"))
        .args(["-subj", &format!("/C=CN/CN=王芳/serialNumber={}", certdesk_testkit::resident_id(1)), "-utf8", "-out"])
        .arg(&stray_csr)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    r.sign(stray_csr.to_str().unwrap(), stray_dir.join("stray.pem").to_str().unwrap());
    let (kind, why) = r.key_refused(&["import-certs", "--case", &n, answers.to_str().unwrap(), stray_dir.join("stray.pem").to_str().unwrap()]);
    assert_eq!(kind, "batch_refused");
    assert!(why.contains("no_match") && why.contains("stray.pem"), "{why}");
    std::fs::copy(answers.join("03.pem"), r.c.dir.path().join("copy-of-03.pem")).unwrap();
    let (kind, why) = r.key_refused(&["import-certs", "--case", &n, answers.to_str().unwrap(), &r.p("copy-of-03.pem")]);
    assert_eq!(kind, "batch_refused");
    assert!(why.contains("duplicate"), "{why}");
    assert!(r.steps(&n)["certs"].as_array().unwrap()[..19].iter().all(|c| c["next"] == "cert_import"), "nothing half-imported");

    let batch = r.key_ok(&["import-certs", "--case", &n, answers.to_str().unwrap()]);
    assert_eq!(batch["matched"].as_array().unwrap().len(), 19, "{batch}");
    assert_eq!(batch["waiting"].as_array().unwrap().len(), 0);
    let third = batch["matched"].as_array().unwrap().iter().find(|m| m["cert"] == 3).unwrap();
    assert_eq!(third["holder"], "李娜");
    // imported twice: refused
    let (kind, why) = r.key_refused(&["import-certs", "--case", &n, answers.join("05.pem").to_str().unwrap()]);
    assert_eq!(kind, "batch_refused");
    assert!(why.contains("already_imported"), "{why}");

    // writing: another holder's key plugged is refused naming whose key it is and which to plug
    let (kind, why) = r.key_refused(&["write-cert", "--token", &format!("{n}-1"), "--pin-file", &r.p("pin"), "--case", &n, "--cert", "2"]);
    assert_eq!(kind, "wrong_key");
    assert!(why.contains("王芳") && why.contains("陈刚") && why.contains(&format!("{n}-2")), "{why}");
    // each key written as it is plugged: the desk takes the plugged key's certificate
    for k in [3u32, 1, 2] {
        let w = r.key_ok(&["write-cert", "--token", &format!("{n}-{k}"), "--pin-file", &r.p("pin"), "--case", &n]);
        assert_eq!(w["cert"], k, "{w}");
    }
    let s = r.steps(&n);
    assert_eq!(certs_done(&s), (3, 19));
    assert_eq!(s["status"], "approved", "not issued while keys are missing");
    assert_eq!(s["next"], "cert_write");
    // a second key for a written certificate needs a supervisor's reissue
    let (kind, _) = r.key_refused(&["init", "--slot-index", "19", "--so-pin-file", &r.p("so"), "--user-pin-file", &r.p("pin"), "--case", &n, "--cert", "1"]);
    assert_eq!(kind, "reissue_needed");
    // 交付 before the last key: refused
    let early = r.c.as_user("wang", &["--json", "case", "complete", &n, "deliver"]);
    assert_eq!(early.status.code(), Some(1), "{}", String::from_utf8_lossy(&early.stdout));

    for k in 4..=19u32 {
        let ks = k.to_string();
        let label = format!("{n}-{k}");
        let mut args = vec!["write-cert", "--token", &label, "--pin-file", &pin, "--case", &n];
        if k % 3 == 0 {
            args.extend(["--cert", &ks]);
        }
        r.key_ok(&args);
        if k == 10 {
            assert_eq!(r.steps(&n)["status"], "approved");
        }
    }
    let s = r.steps(&n);
    assert_eq!(certs_done(&s), (19, 19), "{s}");
    assert_eq!((s["status"].as_str(), s["next"].as_str()), (Some("key_issued"), Some("deliver")));
    assert!(s["steps"].as_array().unwrap().iter().filter(|x| x["key_desk"] == true).all(|x| x["done"] == true), "{s}");
    let serials: std::collections::BTreeSet<&str> = s["certs"].as_array().unwrap()[..19].iter().map(|c| c["key_serial"].as_str().unwrap()).collect();
    assert_eq!(serials.len(), 19, "a key per certificate");

    r.c.ok_as("wang", &["case", "complete", &n, "deliver"]);
    r.c.ok_as("zhang", &["case", "complete", &n, "close"]);
    assert_eq!(r.c.status(&n), "closed");
    let (code, v) = r.c.read_json(&["--json", "audit", "verify"]);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn an_organisation_case_of_quantity_two_makes_two_keys_of_the_same_subject() {
    let r = Rig::new();
    let mut case: Value = serde_json::from_str(&std::fs::read_to_string(ORG_NEW).unwrap()).unwrap();
    case["quantity"] = json!(2);
    case.as_object_mut().unwrap().remove("payment");
    let n = r.import_case(&case);
    let s = r.steps(&n);
    let org = case["organization"]["name"].as_str().unwrap();
    assert_eq!(s["certs"].as_array().unwrap().iter().map(|c| c["holder"].as_str().unwrap()).collect::<Vec<_>>(), [org, org]);
    // --employee is for an employee case's annex
    let (kind, _) = r.key_refused(&["init", "--slot-index", "0", "--so-pin-file", &r.p("so"), "--user-pin-file", &r.p("pin"), "--case", &n, "--employee", "1"]);
    assert_eq!(kind, "no_such_cert");
    let (kind, why) = r.key_refused(&["init", "--slot-index", "0", "--so-pin-file", &r.p("so"), "--user-pin-file", &r.p("pin"), "--case", &n, "--cert", "3"]);
    assert_eq!(kind, "no_such_cert");
    assert!(why.contains("it has 2"), "{why}");
    for k in 1..=2 {
        r.key_ok(&["init", "--slot-index", &(k - 1).to_string(), "--so-pin-file", &r.p("so"), "--user-pin-file", &r.p("pin"), "--case", &n]);
        let label = format!("{n}-{k}");
        let csr = r.p(&format!("o{k}.csr"));
        r.key_ok(&["gen", "--token", &label, "--pin-file", &r.p("pin"), "--algo", "ec-p256", "--case", &n, "--csr-out", &csr]);
        let pem = r.p(&format!("o{k}.pem"));
        r.sign(&csr, &pem);
        // the old way still works: the certificate file with the case, matched by public key
        let w = r.key_ok(&["write-cert", "--token", &label, "--pin-file", &r.p("pin"), "--cert", &pem, "--case", &n]);
        assert_eq!(w["cert"], k);
        assert_eq!(r.c.status(&n), if k == 1 { "approved" } else { "key_issued" });
    }
    // a broken key: the supervisor names which certificate gets a second key
    let refused = r.c.as_user("li", &["--json", "case", "reissue", &n, "--reason", "Key损坏"]);
    assert_eq!(refused.status.code(), Some(1), "two written: which one?");
    let ok = r.c.as_user("li", &["--json", "case", "reissue", &n, "--reason", "Key损坏", "--cert", "2"]);
    assert_eq!(stdout_json(&ok)["cert"], 2, "{}", stderr(&ok));
    let s = r.steps(&n);
    assert_eq!((s["certs"][0]["done"].as_bool(), s["certs"][1]["next"].as_str()), (Some(true), Some("key_init")));
}

#[test]
fn a_bad_employee_list_is_refused_by_row_and_column_and_nothing_is_read() {
    let r = Rig::new();
    let list = r.c.dir.path().join("bad.csv");
    std::fs::write(
        &list,
        format!("姓名,身份证号码,业务类型\n王芳,{},新办\n陈刚,440106199001010010,新办\n李娜,{},新办\n", certdesk_testkit::resident_id(1), certdesk_testkit::resident_id(1)),
    )
    .unwrap();
    let out = r.c.run(&["--json", "employees", "read", list.to_str().unwrap(), "--years", "1"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    let v = stdout_json(&out);
    assert_eq!(v["error"]["kind"], "employee_list");
    let problems = v["error"]["problems"].as_array().unwrap();
    assert!(problems.iter().any(|p| p["row"] == 3 && p["field"] == "id_number"), "the bad check digit on row 3: {v}");
    assert!(problems.iter().any(|p| p["row"] == 4 && p["field"] == "id_number"), "the duplicate on row 4: {v}");
    assert!(v.get("employees").is_none());
    // no 业务类型 column: required unless --business says it
    std::fs::write(&list, format!("姓名,身份证号码\n王芳,{}\n", certdesk_testkit::resident_id(1))).unwrap();
    let (code, v) = r.c.read_json(&["--json", "employees", "read", list.to_str().unwrap()]);
    assert_eq!((code, v["error"]["reason"].as_str()), (1, Some("columns")), "{v}");
    let (code, v) = r.c.read_json(&["--json", "employees", "read", list.to_str().unwrap(), "--business", "new", "--years", "2"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!((v["employees"][0]["business"].as_str(), v["employees"][0]["years"].as_u64()), (Some("new"), Some(2)));
}

/// 集中更新 (seed 003): the unit's employees bring their keys back; each renewed certificate's key
/// pair is made on the key its holder brought (the desk tells them apart by the certificate
/// already on each key) and its certificate written there; a key of another holder is refused.
#[test]
fn a_units_renewal_writes_each_renewed_certificate_onto_the_key_its_holder_brought_back() {
    let r = Rig::new();
    let pin = r.p("pin");
    // the keys as they come back, each with its holder's old certificate (made with no case)
    for (slot, name) in [(0, "王芳"), (1, "陈刚")] {
        let label = format!("old-{slot}");
        r.key_ok(&["init", "--slot-index", &slot.to_string(), "--label", &label, "--so-pin-file", &r.p("so"), "--user-pin-file", &pin]);
        let csr = r.p(&format!("{label}.csr"));
        r.key_ok(&["gen", "--token", &label, "--pin-file", &pin, "--algo", "ec-p256", "--cn", name, "--csr-out", &csr]);
        let pem = r.p(&format!("{label}.pem"));
        r.sign(&csr, &pem);
        r.key_ok(&["write-cert", "--token", &label, "--pin-file", &pin, "--cert", &pem]);
    }
    let mut case: Value = serde_json::from_str(&std::fs::read_to_string(EMPLOYEES_NEW).unwrap()).unwrap();
    case["business"] = json!("renew");
    for e in case["employees"].as_array_mut().unwrap() {
        e["business"] = json!("renew");
    }
    case.as_object_mut().unwrap().remove("payment");
    let n = r.import_case(&case);
    assert_eq!(
        r.steps(&n)["certs"].as_array().unwrap().iter().map(|c| c["next"].as_str().unwrap()).collect::<Vec<_>>(),
        ["key_generate", "key_generate"],
        "a renewal makes no new key"
    );

    // 王芳's key offered for 陈刚's certificate: refused naming both
    let generate = |token: &str, cert: Option<&str>, csr: &str| {
        let mut args = vec!["gen", "--token", token, "--pin-file", &pin, "--algo", "ec-p256", "--case", &n, "--csr-out", csr];
        args.extend(cert.map(|k| ["--cert", k]).into_iter().flatten());
        args.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let args = generate("old-0", Some("2"), &r.p("x.csr"));
    let (kind, why) = r.key_refused(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(kind, "wrong_key");
    assert!(why.contains("王芳's key") && why.contains("陈刚's key"), "{why}");
    // plugged in any order, each key gets its own holder's certificate
    for (token, k) in [("old-1", 2), ("old-0", 1)] {
        let args = generate(token, None, &r.p(&format!("renew-{k}.csr")));
        let g = r.key_ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(g["cert"], k, "{token}");
    }
    let answers = r.c.dir.path().join("renewed");
    std::fs::create_dir(&answers).unwrap();
    for k in 1..=2 {
        r.sign(&r.p(&format!("renew-{k}.csr")), answers.join(format!("{k}.pem")).to_str().unwrap());
    }
    r.key_ok(&["import-certs", "--case", &n, answers.to_str().unwrap()]);
    for (token, k) in [("old-1", 2), ("old-0", 1)] {
        let w = r.key_ok(&["write-cert", "--token", token, "--pin-file", &pin, "--case", &n]);
        assert_eq!(w["cert"], k, "{token}");
    }
    assert_eq!(r.c.status(&n), "key_issued");
    let s = r.steps(&n);
    assert!(s["certs"].as_array().unwrap().iter().all(|c| c["done"] == true), "{s}");
    let (code, v) = r.c.read_json(&["--json", "audit", "verify"]);
    assert_eq!(code, 0, "{v}");
}
