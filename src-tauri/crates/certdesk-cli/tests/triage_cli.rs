//! `certdesk --json case triage --project P --token LABEL [--case-json FILE]` (#74): what a
//! returning unit is offered by the key it brings. Three SoftHSM2 keys made the way another
//! workstation would leave them (OpenSC's `pkcs11-tool`), holding an organisation certificate
//! from a throw-away `openssl` CA that is valid, ran out 20 days ago, and ran out 13 months ago
//! (issued on a faked clock); each gives its project's route, the guide's words and checklist.
//! A 续期 whose typed unit name differs from the certificate is refused for seed 001 and offered
//! as 变更; a dual SM2 key on the soft SKF library is judged by its signing certificate.

use certdesk_testkit::skf::SkfRig;
use certdesk_testkit::{Counter, stderr};
use serde_json::Value;
use std::process::{Command, Output};

const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PIN: &str = "24681357";
const UNIT: &str = "广州市示例科技有限公司";
const USCC: &str = "91440101MA59ABCD1D";

fn run(program: &str, args: &[&str], c: &Counter) -> Output {
    let o = Command::new(program).args(args).env("SOFTHSM2_CONF", c.p("softhsm2.conf")).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(o.status.success(), "{program} {args:?}: {}", stderr(&o));
    o
}

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
    run(
        "openssl",
        &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/C=CN/O=Test CA/CN=Test Root", "-keyout", &c.p("ca.key"), "-out", &c.p("ca.pem"), "-days", "3650"],
        &c,
    );
    std::fs::write(c.p("sign.ext"), "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n").unwrap();
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
