//! `certdesk --json case triage --project P --token LABEL [--case-json FILE]` (#74): what a
//! returning unit is offered by the key it brings. Three SoftHSM2 keys made the way another
//! workstation would leave them (OpenSC's `pkcs11-tool`), holding an organisation certificate
//! from a throw-away `openssl` CA that is valid, ran out 20 days ago, and ran out 13 months ago
//! (issued on a faked clock); each gives its project's route, the guide's words and checklist.
//! A 续期 whose typed unit name differs from the certificate is refused for seed 001 and offered
//! as 变更; a dual SM2 key on the soft SKF library is judged by its signing certificate.

use certdesk_testkit::skf::SkfRig;
use certdesk_testkit::{Counter, stderr, tool as run};
use serde_json::Value;
use std::process::{Command, Output};

const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PIN: &str = "24681357";
const UNIT: &str = "广州市示例科技有限公司";
const USCC: &str = "91440101MA59ABCD1D";

/// A key `label` holding the unit's certificate and key pair, the certificate issued
/// `issued_days_ago` days ago (on a faked clock) for 365 days.
fn unit_key(c: &Counter, label: &str, issued_days_ago: i64) {
    let p = |n: &str| c.p(&format!("{label}.{n}"));
    run("softhsm2-util", &["--init-token", "--free", "--label", label, "--so-pin", "87654321", "--pin", PIN], c);
    let subject = format!("/C=CN/O={UNIT}/OU={USCC}/CN={UNIT}");
    run("openssl", &["req", "-new", "-utf8", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", &p("key"), "-subj", &subject, "-out", &p("csr")], c);
    let when = (chrono::Utc::now() - chrono::Duration::days(issued_days_ago)).format("%Y-%m-%d %H:%M:%S").to_string();
    let (csr, cert, ca, ca_key, ext) = (p("csr"), p("pem"), c.p("ca.pem"), c.p("ca.key"), c.p("sign.ext"));
    let issue = ["openssl", "x509", "-req", "-in", &csr, "-set_serial", "0x5A01", "-days", "365", "-out", &cert, "-CA", &ca, "-CAkey", &ca_key, "-extfile", &ext];
    if issued_days_ago == 0 {
        run(issue[0], &issue[1..], c);
    } else {
        run("faketime", &[&[when.as_str()][..], &issue].concat(), c);
    }
    run("openssl", &["x509", "-in", &p("pem"), "-outform", "DER", "-out", &p("der")], c);
    run("openssl", &["pkey", "-in", &p("key"), "-outform", "DER", "-out", &p("key.der")], c);
    run("openssl", &["pkey", "-in", &p("key"), "-pubout", "-outform", "DER", "-out", &p("pub.der")], c);
    for (file, kind) in [("key.der", "privkey"), ("pub.der", "pubkey"), ("der", "cert")] {
        run("pkcs11-tool", &["--module", SOFTHSM, "--token-label", label, "--login", "--pin", PIN, "--write-object", &p(file), "--type", kind, "--id", "01", "--label", "unit"], c);
    }
}

/// The throw-away CA (`ca.pem`, `ca.key`) and the extensions of the unit certificates it issues.
fn test_ca(c: &Counter) {
    certdesk_testkit::self_signed(c.dir.path(), "ca", "/C=CN/O=Test CA/CN=Test Root", 3650);
    std::fs::write(c.p("sign.ext"), "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n").unwrap();
}

fn triage(c: &Counter, project: &str, label: &str, case_json: Option<&str>) -> Value {
    let mut args = vec!["--json", "case", "triage", "--project", project, "--token", label, "--module", SOFTHSM];
    if let Some(file) = case_json {
        args.extend(["--case-json", file]);
    }
    let out = c.run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn material_ids(t: &Value) -> Vec<&str> {
    t["materials"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect()
}

#[test]
fn a_valid_an_expired_and_a_long_expired_certificate_each_get_the_guides_route_and_checklist() {
    let c = Counter::new(env!("CARGO_BIN_EXE_certdesk")).softhsm();
    test_ca(&c);
    unit_key(&c, "VALID", 0);
    unit_key(&c, "EXPIRED", 385);
    unit_key(&c, "LONGGONE", 760);

    // seed 000: a valid certificate renews online with no paper; an expired one at the counter
    // or by post, with the renewal's papers and the old key
    let t = triage(&c, "netca-gd-procurement", "VALID", None);
    assert_eq!((t["business_type"].as_str(), t["route"].as_str(), t["state"].as_str()), (Some("renew"), Some("online"), Some("valid")), "{t}");
    assert!(t["reason"].as_str().unwrap().contains("数字证书未过期，可以选择在线续期，无须提交任何资料"), "{t}");
    assert_eq!(t["materials"], serde_json::json!([]));
    assert_eq!(t["differences"], serde_json::json!([]));
    assert_eq!(t["certificate"]["subject"]["uscc"], USCC);
    let t = triage(&c, "netca-gd-procurement", "EXPIRED", None);
    assert_eq!((t["route"].as_str(), t["state"].as_str()), (Some("counter_or_post"), Some("expired")), "{t}");
    assert!((19..=21).contains(&t["days"].as_i64().unwrap()), "ran out 20 days ago: {t}");
    assert!(t["reason"].as_str().unwrap().contains("数字证书过期后只能选择现场或者邮寄办理方式"), "{t}");
    assert_eq!(material_ids(&t), ["form", "license_copy", "handler_id_copy", "old_key", "payment_proof"], "{t}");

    // 北京CA: the strong identity check only for a certificate past its end by over a year
    let t = triage(&c, "bjca-nmg", "LONGGONE", None);
    assert!((394..=396).contains(&t["days"].as_i64().unwrap()), "{t}");
    assert!(t["reason"].as_str().unwrap().contains("过期超一年的时候再进行强身份验证"), "{t}");
    let t = triage(&c, "bjca-nmg", "EXPIRED", None);
    assert!(t["reason"].as_str().unwrap().contains("一般情况直接更新"), "{t}");
    assert_eq!(t["materials"], serde_json::json!([]));

    // seed 001: a 续期 must keep the certificate's data; the unit's new name makes it a 变更
    let mut case: Value = serde_json::from_str(&std::fs::read_to_string(certdesk_testkit::fixture("case-org-new.json")).unwrap()).unwrap();
    case["business"] = "renew".into();
    std::fs::write(c.p("same.json"), case.to_string()).unwrap();
    let t = triage(&c, "netca-gd-pension", "VALID", Some(&c.p("same.json")));
    assert_eq!((t["business_type"].as_str(), t["route"].as_str()), (Some("renew"), Some("counter_or_online")), "{t}");
    assert!(t["refused"].is_null() && t["differences"] == serde_json::json!([]), "{t}");
    case["organization"]["name"] = "广州市示例新名科技有限公司".into();
    std::fs::write(c.p("renamed.json"), case.to_string()).unwrap();
    let t = triage(&c, "netca-gd-pension", "VALID", Some(&c.p("renamed.json")));
    assert_eq!(t["differences"], serde_json::json!([{ "field": "organization.name", "typed": "广州市示例新名科技有限公司", "on_key": UNIT }]), "{t}");
    assert_eq!(t["refused"]["business"], "renew", "{t}");
    assert!(t["refused"]["why"].as_str().unwrap().contains("证书的任何信息必须为原来的信息"), "{t}");
    assert_eq!(t["business_type"], "change");
    assert!(material_ids(&t).contains(&"old_key"), "{t}");

    // the text for the administrator: the certificate, the verdict, the guide's words
    let out = c.run(&["case", "triage", "--project", "netca-gd-procurement", "--token", "EXPIRED", "--module", SOFTHSM]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("更新续期") && text.contains("现场或邮寄办理") && text.contains("原CA usbkey"), "{text}");
}

#[test]
fn a_dual_sm2_key_is_judged_by_its_signing_certificate_and_an_empty_key_is_refused() {
    let r = SkfRig::new(env!("CARGO_BIN_EXE_certdesk"));
    r.ok(&["init", "--slot-index", "0", "--label", "DUAL", "--so-pin-file", &r.p("so"), "--user-pin-file", &r.p("pin")]);
    let lib = r.lib.display().to_string();
    // nothing on the key yet: refused, with why
    let out = r.c.run(&["--json", "case", "triage", "--project", "netca-gd-procurement", "--token", "DUAL", "--module", &lib]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let error: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(error["error"]["kind"], "no_unit_certificate", "{error}");

    r.dual_sm2_key("DUAL", UNIT);

    let out = r.c.run(&["--json", "case", "triage", "--project", "netca-gd-procurement", "--token", "DUAL", "--module", &lib]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((t["certificate"]["usage"].as_str(), t["certificate"]["key_algorithm"].as_str(), t["state"].as_str()), (Some("sign"), Some("sm2"), Some("valid")), "{t}");
    assert_eq!(t["route"], "online");
}

/// The catalogs copied into the counter's folder, `netca-gd-pension/ca/` holding `ca` (the CA
/// certificate the project trusts).
fn forms_trusting(c: &Counter, name: &str, ca: &str) -> String {
    let forms = c.dir.path().join(name);
    let copied = Command::new("cp").args(["-r", concat!(env!("CARGO_MANIFEST_DIR"), "/../../../forms")]).arg(&forms).output().unwrap();
    assert!(copied.status.success());
    std::fs::create_dir_all(forms.join("netca-gd-pension/ca")).unwrap();
    std::fs::copy(ca, forms.join("netca-gd-pension/ca/root.pem")).unwrap();
    forms.display().to_string()
}

/// Seed 001's employee order of the unit whose key the handler brings.
fn employee_order(c: &Counter) -> String {
    let mut case: Value = serde_json::from_str(&std::fs::read_to_string(certdesk_testkit::fixture("case-employees-new.json")).unwrap()).unwrap();
    case["organization"]["name"] = UNIT.into();
    case["organization"]["uscc"] = USCC.into();
    case["payment"]["payer_name"] = UNIT.into();
    let file = c.p("order.json");
    std::fs::write(&file, case.to_string()).unwrap();
    file
}

fn refusal(out: &Output) -> (String, String) {
    assert_eq!(out.status.code(), Some(1), "{}", stderr(out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("not JSON: {}", stderr(out)));
    (v["error"]["kind"].as_str().unwrap_or_default().to_string(), v["error"]["message"].as_str().unwrap_or_default().to_string())
}

#[test]
fn the_units_own_certificate_proves_it_and_spares_the_licence_original() {
    let c = Counter::new(env!("CARGO_BIN_EXE_certdesk")).softhsm();
    test_ca(&c);
    certdesk_testkit::self_signed(c.dir.path(), "other", "/C=CN/O=Other CA/CN=Other Root", 3650);
    unit_key(&c, "UNIT", 0);
    std::fs::write(c.p("unit.pin"), format!("{PIN}\n")).unwrap();
    std::fs::write(c.p("wrong.pin"), "11112222\n").unwrap();
    let trusting = forms_trusting(&c, "forms-ok", &c.p("ca.pem"));
    let other = forms_trusting(&c, "forms-other", &c.p("other.pem"));

    let n = c.import(&employee_order(&c));
    let prove = |forms: Option<&str>, pin: &str| {
        let mut args = vec!["--json"];
        if let Some(f) = forms {
            args.extend(["--forms", f]);
        }
        args.extend(["case", "prove-unit", &n, "--token", "UNIT", "--module", SOFTHSM, "--pin-file", pin]);
        c.as_user("zhang", &args)
    };
    let show = |forms: &str| {
        let (code, v) = c.read_json(&["--forms", forms, "case", "show", &n, "--json"]);
        assert_eq!(code, 0, "{v}");
        v
    };

    // the copies handed in, the licence's original not seen: the case cannot go to review
    for (item, copies) in [("form", "2"), ("license", "1"), ("handler_id_copy", "1"), ("employee_id_copy", "2")] {
        c.ok_as("zhang", &["--forms", &trusting, "case", "materials", &n, "--item", item, "--copies", copies]);
    }
    c.ok_as("zhang", &["--forms", &trusting, "case", "accept", &n]);
    let out = c.as_user("zhang", &["--json", "--forms", &trusting, "case", "submit", &n]);
    assert_eq!(refusal(&out).0, "materials_missing");

    // the embedded catalog trusts no CA for the project: nothing can be checked
    let (kind, message) = refusal(&prove(None, &c.p("unit.pin")));
    assert_eq!(kind, "unit_proof_refused", "{message}");
    assert!(message.contains("no CA certificate"), "{message}");
    // a project whose CA did not issue the unit's certificate
    let (kind, message) = refusal(&prove(Some(&other), &c.p("unit.pin")));
    assert_eq!(kind, "unit_proof_refused", "{message}");
    assert!(message.contains("does not chain to the project's CA"), "{message}");
    // a wrong PIN: the key refuses to sign, nothing is recorded
    let (kind, _) = refusal(&prove(Some(&trusting), &c.p("wrong.pin")));
    assert_eq!(kind, "pin_incorrect");
    assert!(show(&trusting)["unit_proof"].is_null());

    // the unit's key signs the desk's challenge: the proof is recorded, the licence's original spared
    let out = prove(Some(&trusting), &c.p("unit.pin"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let proved: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(proved["spared"], serde_json::json!(["license"]), "{proved}");
    assert_eq!((proved["unit_proof"]["serial"].as_str(), proved["unit_proof"]["uscc"].as_str()), (Some("5A01"), Some(USCC)), "{proved}");
    assert_eq!(proved["unit_proof"]["algorithm"], "ecdsa-p256-sha256");
    assert!(proved["unit_proof"]["anchor"].as_str().unwrap().contains("Test Root"), "{proved}");
    let case = show(&trusting);
    let license = case["materials"].as_array().unwrap().iter().find(|m| m["id"] == "license").unwrap().clone();
    assert_eq!((license["original_seen"].as_bool(), license["by_unit_certificate"].as_str()), (Some(false), Some("5A01")), "{case}");
    let history = c.read(&["--forms", &trusting, "case", "show", &n]);
    assert!(history.contains("unit_proved"), "{history}");
    assert!(!history.contains(PIN), "the PIN is never recorded");

    // the proof survives an edit of anything but the unit's code, and goes with a new code
    let mut data = case.clone();
    for f in ["number", "status", "created_at", "updated_at", "digest", "seals", "fee", "approval_signature", "dispatch"] {
        data.as_object_mut().unwrap().remove(f);
    }
    data["notes"] = "电话确认".into();
    std::fs::write(c.p("edit.json"), data.to_string()).unwrap();
    c.ok_as("zhang", &["--forms", &trusting, "case", "edit", &n, &c.p("edit.json")]);
    assert_eq!(show(&trusting)["unit_proof"]["serial"], "5A01");
    // a case JSON bringing a proof of its own is imported without it
    let out = c.as_user("zhang", &["--json", "--forms", &trusting, "case", "import", &c.p("edit.json")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let imported: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(imported["warnings"].to_string().contains("unit_proof"), "{imported}");
    let (_, copy) = c.read_json(&["--forms", &trusting, "case", "show", imported["number"].as_str().unwrap(), "--json"]);
    assert!(copy["unit_proof"].is_null() && copy["materials"].to_string().find("by_unit_certificate").is_none(), "{copy}");

    // with the proof, its papers are complete
    c.ok_as("zhang", &["--forms", &trusting, "case", "submit", &n]);
    assert_eq!(c.status(&n), "submitted");

    // a new code on the case: the proof no longer holds
    data["organization"]["uscc"] = "91440101MA59ABCD2G".into();
    std::fs::write(c.p("recoded.json"), data.to_string()).unwrap();
    let out = c.as_user("zhang", &["--json", "--forms", &trusting, "case", "edit", &n, &c.p("recoded.json")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let saved: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(saved["warnings"].to_string().contains("no longer holds"), "{saved}");
    let case = show(&trusting);
    assert!(case["unit_proof"].is_null() && case["materials"].to_string().find("by_unit_certificate").is_none(), "{case}");
}

#[test]
fn a_dual_sm2_unit_key_proves_its_unit_with_its_signing_certificate() {
    let r = SkfRig::new(env!("CARGO_BIN_EXE_certdesk"));
    r.ok(&["init", "--slot-index", "0", "--label", "DUAL", "--so-pin-file", &r.p("so"), "--user-pin-file", &r.p("pin")]);
    r.dual_sm2_key("DUAL", &format!("{UNIT} {USCC}"));
    let forms = forms_trusting(&r.c, "forms", &r.p("root.pem"));
    let n = r.c.import(&employee_order(&r.c));
    let lib = r.lib.display().to_string();
    let out = r.c.as_user("zhang", &["--json", "--forms", &forms, "case", "prove-unit", &n, "--token", "DUAL", "--module", &lib, "--pin-file", &r.p("pin")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let proved: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((proved["unit_proof"]["algorithm"].as_str(), proved["unit_proof"]["uscc"].as_str()), (Some("sm2-sm3"), Some(USCC)), "{proved}");
    assert_eq!(proved["spared"], serde_json::json!(["license"]));
}
