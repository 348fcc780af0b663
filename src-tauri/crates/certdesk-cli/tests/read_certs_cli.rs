//! `certdesk --json key read-certs [--token LABEL] [--module FILE]` (#74): the certificates on
//! the key an applicant brings, read at intake without a PIN. A SoftHSM2 key made the way
//! another workstation would leave it (an organisation's certificate with its key pair, an
//! expired certificate without one, the CA's certificate, written by OpenSC's `pkcs11-tool`),
//! every contract field checked against `openssl x509` on the same certificate; a dual SM2 key
//! on the soft SKF library lists both halves; an unknown key is refused as the other key
//! commands refuse it.

use certdesk_testkit::skf::SkfRig;
use certdesk_testkit::{Counter, stderr, tool as run};
use serde_json::Value;
use std::process::Output;

const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PIN: &str = "24681357";
const UNIT: &str = "广州某某科技有限公司";
const USCC: &str = "91440101MA59ABCD1D";

/// What `openssl x509` says of a certificate: serial, dates as RFC 3339, subject and issuer
/// as RFC 2253 (UTF-8 left as it is).
struct OpensslView {
    serial: String,
    not_before: String,
    not_after: String,
    subject: Vec<(String, String)>,
    issuer: String,
}

fn openssl_view(c: &Counter, cert: &str) -> OpensslView {
    let out = run("openssl", &["x509", "-in", cert, "-noout", "-serial", "-startdate", "-enddate", "-subject", "-issuer", "-nameopt", "RFC2253,-esc_msb"], c);
    let text = String::from_utf8(out.stdout).unwrap();
    let field = |name: &str| text.lines().find_map(|l| l.strip_prefix(&format!("{name}="))).unwrap_or_else(|| panic!("{name} in {text}")).to_string();
    let subject = field("subject").split(',').map(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())).unwrap()).collect();
    OpensslView { serial: field("serial"), not_before: rfc3339(&field("notBefore")), not_after: rfc3339(&field("notAfter")), subject, issuer: field("issuer") }
}

/// `Jan  1 00:00:00 2020 GMT` as `2020-01-01T00:00:00Z`.
fn rfc3339(openssl_date: &str) -> String {
    let parts: Vec<&str> = openssl_date.split_whitespace().collect();
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].iter().position(|m| *m == parts[0]).unwrap() + 1;
    format!("{}-{month:02}-{:02}T{}Z", parts[3], parts[1].parse::<u32>().unwrap(), parts[2])
}

fn attr<'a>(view: &'a OpensslView, name: &str) -> &'a str {
    view.subject.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("{name} in the subject"))
}

/// The key an organisation brings: initialised elsewhere, its signing key pair and certificate
/// (subject with the unit's name and credit code), an expired certificate whose key is gone,
/// and the CA's certificate.
struct BroughtKey {
    c: Counter,
    org_cert: String,
    expired_cert: String,
}

fn brought_key() -> BroughtKey {
    let c = Counter::new(env!("CARGO_BIN_EXE_certdesk")).softhsm();
    let p = |n: &str| c.p(n);
    run("softhsm2-util", &["--init-token", "--free", "--label", "OLDKEY", "--so-pin", "87654321", "--pin", PIN], &c);
    run("openssl", &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/C=CN/O=Test CA/CN=Test Root", "-keyout", &p("ca.key"), "-out", &p("ca.pem"), "-days", "3650"], &c);
    std::fs::write(p("sign.ext"), "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n").unwrap();
    // the organisation's certificate, on a P-256 key pair that goes onto the key with it
    let subject = format!("/C=CN/O={UNIT}/OU={USCC}/CN={UNIT}");
    run(
        "openssl",
        &["req", "-new", "-utf8", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", &p("org.key"), "-subj", &subject, "-out", &p("org.csr")],
        &c,
    );
    let ca = ["-CA", &p("ca.pem"), "-CAkey", &p("ca.key"), "-extfile", &p("sign.ext")];
    run("openssl", &[&["x509", "-req", "-in", &p("org.csr"), "-set_serial", "0x1A2B3C4D", "-days", "365", "-out", &p("org.pem")][..], &ca].concat(), &c);
    // an RSA certificate that ran out years ago (issued on a faked clock), its key long gone
    run("openssl", &["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", &p("old.key"), "-subj", "/C=CN/CN=old holder", "-out", &p("old.csr")], &c);
    let (old_csr, old_pem) = (p("old.csr"), p("old.pem"));
    run("faketime", &[&["2020-01-01 08:00:00", "openssl", "x509", "-req", "-in", &old_csr, "-set_serial", "0x0F", "-days", "30", "-out", &old_pem][..], &ca].concat(), &c);
    for (pem_file, der_file) in [("org.pem", "org.der"), ("old.pem", "old.der"), ("ca.pem", "ca.der")] {
        run("openssl", &["x509", "-in", &p(pem_file), "-outform", "DER", "-out", &p(der_file)], &c);
    }
    run("openssl", &["pkey", "-in", &p("org.key"), "-outform", "DER", "-out", &p("org.key.der")], &c);
    run("openssl", &["pkey", "-in", &p("org.key"), "-pubout", "-outform", "DER", "-out", &p("org.pub.der")], &c);
    let write = |file: &str, kind: &str, id: Option<&str>, label: &str| {
        let mut args = vec!["--module", SOFTHSM, "--token-label", "OLDKEY", "--login", "--pin", PIN, "--write-object", file, "--type", kind, "--label", label];
        if let Some(id) = id {
            args.extend(["--id", id]);
        }
        run("pkcs11-tool", &args, &c);
    };
    write(&p("org.key.der"), "privkey", Some("01"), "org");
    write(&p("org.pub.der"), "pubkey", Some("01"), "org");
    write(&p("org.der"), "cert", Some("01"), "org");
    write(&p("old.der"), "cert", Some("02"), "old");
    write(&p("ca.der"), "cert", None, "CA");
    let (org_cert, expired_cert) = (p("org.pem"), p("old.pem"));
    BroughtKey { c, org_cert, expired_cert }
}

/// `certdesk ARGS` as the administrator (no key clerk), stdin closed and no PIN file.
fn certdesk(c: &Counter, args: &[&str]) -> Output {
    c.run(args)
}

fn listed(out: &Output) -> Vec<Value> {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    serde_json::from_slice::<Value>(&out.stdout).unwrap().as_array().unwrap_or_else(|| panic!("an array: {}", String::from_utf8_lossy(&out.stdout))).clone()
}

fn by_serial<'a>(certs: &'a [Value], serial: &str) -> &'a Value {
    certs.iter().find(|c| c["serial"] == serial).unwrap_or_else(|| panic!("serial {serial} in {certs:?}"))
}

#[test]
fn the_certificates_on_a_brought_key_are_read_without_a_pin() {
    let k = brought_key();
    let out = certdesk(&k.c, &["--json", "key", "read-certs", "--token", "OLDKEY", "--module", SOFTHSM]);
    let certs = listed(&out);
    assert_eq!(certs.len(), 2, "the organisation's and the expired certificate, not the CA's: {certs:?}");
    assert_eq!(certs[0]["label"], "org", "the one valid longest first: {certs:?}");

    let org = openssl_view(&k.c, &k.org_cert);
    let c = by_serial(&certs, &org.serial);
    assert_eq!(c["usage"], "sign");
    assert_eq!(c["subject"]["cn"], attr(&org, "CN"));
    assert_eq!(c["subject"]["o"], attr(&org, "O"));
    assert_eq!(c["subject"]["o"], UNIT);
    assert_eq!(c["subject"]["uscc"], attr(&org, "OU"));
    assert_eq!(c["subject"]["uscc"], USCC);
    assert_eq!(c["issuer"], org.issuer);
    assert_eq!(c["not_before"], org.not_before);
    assert_eq!(c["not_after"], org.not_after);
    assert_eq!(c["key_algorithm"], "ec-p256");

    // the key pair is gone: its use is the certificate's own (digitalSignature); no code in
    // its subject, so no uscc at all
    let old = openssl_view(&k.c, &k.expired_cert);
    assert!(old.not_after.starts_with("2020-01-"), "the faked clock issued it in the past: {}", old.not_after);
    let e = by_serial(&certs, &old.serial);
    assert_eq!(e["usage"], "sign");
    assert_eq!(e["subject"]["cn"], attr(&old, "CN"));
    assert_eq!(e["subject"]["o"], Value::Null);
    assert!(e["subject"].get("uscc").is_none(), "{e}");
    assert_eq!(e["issuer"], old.issuer);
    assert_eq!(e["not_before"], old.not_before);
    assert_eq!(e["not_after"], old.not_after);
    assert_eq!(e["key_algorithm"], "rsa2048");

    // without --token: the one key plugged in; the same list
    assert_eq!(listed(&certdesk(&k.c, &["--json", "key", "read-certs", "--module", SOFTHSM])), certs);

    // the text: one line per certificate
    let text = certdesk(&k.c, &["key", "read-certs", "--token", "OLDKEY", "--module", SOFTHSM]);
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    let text = String::from_utf8(text.stdout).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    for serial in [&org.serial, &old.serial] {
        assert_eq!(text.lines().filter(|l| l.contains(serial.as_str())).count(), 1, "{serial}: {text}");
    }
    assert!(text.lines().any(|l| l.contains(USCC) && l.contains(UNIT)), "{text}");
}

#[test]
fn an_unknown_key_is_refused_as_the_other_key_commands_refuse_it() {
    let k = brought_key();
    let info = certdesk(&k.c, &["--json", "key", "info", "--token", "NOSUCH", "--module", SOFTHSM]);
    let out = certdesk(&k.c, &["--json", "key", "read-certs", "--token", "NOSUCH", "--module", SOFTHSM]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(out.status.code(), info.status.code());
    let error: Value = serde_json::from_slice(&out.stdout).unwrap();
    let info_error: Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(error["error"]["kind"], info_error["error"]["kind"]);
    assert!(error["error"]["message"].as_str().unwrap().contains("NOSUCH"), "{error}");
    assert!(stderr(&out).contains("no token with label \"NOSUCH\""), "{}", stderr(&out));

    // no key named, and two plugged in: which one is asked for
    run("softhsm2-util", &["--init-token", "--free", "--label", "SECOND", "--so-pin", "87654321", "--pin", PIN], &k.c);
    let out = certdesk(&k.c, &["key", "read-certs", "--module", SOFTHSM]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("2 keys are plugged in: name one with --token"), "{}", stderr(&out));
}

#[test]
fn a_dual_sm2_key_lists_both_certificates() {
    let r = SkfRig::new(env!("CARGO_BIN_EXE_certdesk"));
    r.ok(&["init", "--slot-index", "0", "--label", "DUAL", "--so-pin-file", &r.p("so"), "--user-pin-file", &r.p("pin")]);
    r.dual_sm2_key("DUAL", UNIT);

    // read as the administrator, no PIN
    let lib = r.lib.display().to_string();
    let certs = listed(&r.c.run(&["--json", "key", "read-certs", "--token", "DUAL", "--module", &lib]));
    assert_eq!(certs.len(), 2, "both halves, not the CA on the key: {certs:?}");
    for (usage, cert) in [("sign", r.p("sign.pem")), ("encrypt", r.p("enc.pem"))] {
        let view = openssl_view(&r.c, &cert);
        let c = certs.iter().find(|c| c["usage"] == usage).unwrap_or_else(|| panic!("{usage} in {certs:?}"));
        assert_eq!(c["serial"], view.serial, "{usage}");
        assert_eq!(c["subject"]["cn"], UNIT, "{usage}");
        assert_eq!(c["issuer"], view.issuer, "{usage}");
        assert_eq!(c["not_before"], view.not_before, "{usage}");
        assert_eq!(c["not_after"], view.not_after, "{usage}");
        assert_eq!(c["key_algorithm"], "sm2", "{usage}");
    }
}

/// #71: employee certificates need the unit's organisation certificate first; the intake reads
/// its serial off the unit's key. The valid one whose subject carries the unit's code is found;
/// another unit's code is refused in Chinese with exit 1.
#[test]
fn the_units_organisation_certificate_is_found_by_its_credit_code() {
    let k = brought_key();
    let out = certdesk(&k.c, &["--json", "key", "unit-cert", "--uscc", "9144 0101 ma59 abcd1d", "--token", "OLDKEY", "--module", SOFTHSM]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["found"]["serial"], openssl_view(&k.c, &k.org_cert).serial, "{v}");
    assert_eq!(v["problem"], Value::Null);
    let other = certdesk(&k.c, &["--json", "key", "unit-cert", "--uscc", "91110000600037341L", "--token", "OLDKEY", "--module", SOFTHSM]);
    assert_eq!(other.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&other.stdout).unwrap();
    assert_eq!(v["found"], Value::Null);
    assert!(v["problem_zh"].as_str().unwrap().starts_with("该Key上的证书不是本单位（91110000600037341L）的"), "{v}");
    assert!(stderr(&other).contains("不是本单位"), "{}", stderr(&other));
}
