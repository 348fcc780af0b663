//! Dual (signing + encryption) SM2 certificates through `certdesk key …` on an SKF key: the
//! soft SKF library in a temporary `CERTDESK_SKF_DIR`, a test SM2 CA and KMC (`gm_ca`). The
//! CLI contract of issue #14: `key import-enc` takes the KMC's envelope as a GM/T 0009
//! `SM2EnvelopedKey`, an SKF `ENVELOPEDKEYBLOB` or a GM/T 0092 `CSRResponse` (also as Base64),
//! `key show --json` lists both certificates with their `usage` and serial; every refusal
//! exits 1 and says why (mismatch, another CA, an envelope for another key, no signing
//! certificate yet, a wrong PIN with its tries, PKCS#11). A case of a project that issues dual
//! certificates (`[keys] dual_certificate`) goes through both halves with its steps recorded,
//! and OpenSSL 3 verifies the request and both certificates under the distinguishing ID.

mod common;

use certdesk_testkit::gm_ca::{GmCa, KmcAnswer, pem};
use certdesk_testkit::skf::SkfRig;
use certdesk_testkit::stderr;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ORG_NEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json");
const DISTID: &str = "1234567812345678";

/// The soft SKF rig with what these tests do on it.
struct Rig(SkfRig);

impl std::ops::Deref for Rig {
    type Target = SkfRig;
    fn deref(&self) -> &SkfRig {
        &self.0
    }
}

impl Rig {
    fn new() -> Rig {
        Rig(SkfRig::new(env!("CARGO_BIN_EXE_certdesk")))
    }
    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        std::fs::write(self.p(name), bytes).unwrap();
        self.p(name)
    }
    /// An SM2 key on the token, its request issued by `ca`, the signing certificate written
    /// with the CA's certificate; the key id and the signing certificate (DER).
    fn signing_key(&self, ca: &GmCa, cn: &str) -> (String, Vec<u8>) {
        let csr = self.p(&format!("{cn}.csr"));
        let made = self.json(&["gen", "--token", "DUAL", "--pin-file", &self.p("pin"), "--algo", "sm2", "--cn", cn, "--csr-out", &csr]);
        let cert = ca.issue_signing(&csr_der(&csr)).unwrap();
        let cert_file = self.write(&format!("{cn}.sign.pem"), pem(&cert));
        let root = self.write("root.pem", ca.cert_pem());
        self.ok(&["write-cert", "--token", "DUAL", "--pin-file", &self.p("pin"), "--cert", &cert_file, "--chain", &root]);
        (made["key"]["id"].as_str().unwrap().to_string(), cert)
    }
    fn import_enc(&self, envelope: &str, enc_cert: Option<&str>, extra: &[&str]) -> Output {
        let pin = self.p("pin");
        let mut args = vec!["import-enc", "--token", "DUAL", "--pin-file", &pin, "--envelope", envelope];
        if let Some(c) = enc_cert {
            args.extend(["--enc-cert", c]);
        }
        args.extend_from_slice(extra);
        self.key(&args)
    }
}

fn csr_der(path: &str) -> Vec<u8> {
    let pem = std::fs::read_to_string(path).unwrap();
    certdesk_gm::der::pem::decode_vec(pem.as_bytes()).unwrap().1
}

fn openssl(args: &[&str]) -> String {
    let out = Command::new("openssl").args(args).output().unwrap();
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// `openssl verify` of one link (OpenSSL 3.0 cannot verify longer SM2 chains), under the ID.
fn openssl_verify_link(issuer: &str, cert: &str) -> String {
    openssl(&["verify", "-partial_chain", "-vfyopt", &format!("distid:{DISTID}"), "-CAfile", issuer, cert])
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            out.push(if i <= chunk.len() { T[((n >> (18 - 6 * i)) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

fn serial_of(der: &[u8]) -> String {
    let cert: certdesk_gm::x509_cert::Certificate = certdesk_gm::der::Decode::from_der(der).unwrap();
    cert.tbs_certificate().serial_number().as_bytes().iter().map(|b| format!("{b:02X}")).collect()
}

/// Which bytes of the KMC's answer a form sends.
type AnswerBytes = fn(&KmcAnswer) -> Vec<u8>;

#[test]
fn dual_certificates_through_the_cli_contract_in_all_three_envelope_forms() {
    let r = Rig::new();
    r.ok(&["init", "--slot-index", "0", "--label", "DUAL", "--so-pin-file", &r.p("so"), "--user-pin-file", &r.p("pin")]);
    let ca = GmCa::root("certdesk SM2 Dual Root");

    // the encryption half before the signing certificate is on the key: refused, says why
    let csr = r.p("early.csr");
    r.ok(&["gen", "--token", "DUAL", "--pin-file", &r.p("pin"), "--algo", "sm2", "--cn", "早到", "--csr-out", &csr]);
    let early_cert = ca.issue_signing(&csr_der(&csr)).unwrap();
    let early = ca.kmc_answer(&early_cert);
    let env = r.write("early.env", &early.gmt0009_der);
    let enc = r.write("early.enc.pem", pem(&early.enc_cert_der));
    let o = r.import_enc(&env, Some(&enc), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("no signing certificate yet"), "{}", stderr(&o));

    // three keys, one for each form the KMC's answer comes in
    let forms: [(&str, AnswerBytes, bool); 3] = [
        ("gmt0009", |a| a.gmt0009_der.clone(), true),
        ("skf", |a| a.skf_blob.clone(), true),
        // a GM/T 0092 answer carries the certificates: no --enc-cert, and sent as Base64 text
        ("gmt0092", |a| base64(&a.csr_response_der).into_bytes(), false),
    ];
    let mut imported = Vec::new();
    for (format, bytes, with_cert) in forms {
        let cn = format!("双证{format}");
        let (key_id, sign_cert) = r.signing_key(&ca, &cn);
        let answer = ca.kmc_answer(&sign_cert);
        let env = r.write(&format!("{format}.env"), bytes(&answer));
        let enc = r.write(&format!("{format}.enc.pem"), pem(&answer.enc_cert_der));
        let out = r.import_enc(&env, with_cert.then_some(enc.as_str()), &["--json"]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["format"], format, "{v}");
        assert_eq!(v["key_id"], key_id.as_str(), "{format}: into the container whose signing certificate names the subject: {v}");
        assert_eq!(v["encryption_certificate"]["usage"], "encrypt");
        assert_eq!(v["encryption_certificate"]["serial"], serial_of(&answer.enc_cert_der));
        // OpenSSL 3 verifies both certificates against the CA under the ID
        let sign_file = r.p(&format!("{cn}.sign.pem"));
        assert!(openssl_verify_link(&r.p("root.pem"), &sign_file).contains(": OK"), "{format}");
        assert!(openssl_verify_link(&r.p("root.pem"), &enc).contains(": OK"), "{format}");
        imported.push((key_id, serial_of(&sign_cert), serial_of(&answer.enc_cert_der)));
    }

    // `key show` lists both certificates of every key with their usage and serial
    let shown = r.json(&["show", "--token", "DUAL", "--pin-file", &r.p("pin")]);
    let certs = shown["certificates"].as_array().unwrap();
    for (key_id, sign_serial, enc_serial) in &imported {
        let of = |usage: &str| certs.iter().find(|c| c["id"] == key_id.as_str() && c["usage"] == usage).unwrap_or_else(|| panic!("no {usage} certificate of {key_id}: {shown}"));
        assert_eq!(of("sign")["serial"], sign_serial.as_str());
        assert_eq!(of("encrypt")["serial"], enc_serial.as_str());
        assert_eq!(of("encrypt")["has_key"], true, "the encryption key pair is in the container: {shown}");
    }
    assert!(certs.iter().any(|c| c["usage"] == "ca"), "{shown}");
    let text = r.ok(&["show", "--token", "DUAL", "--pin-file", &r.p("pin")]);
    assert!(text.contains("cert encrypt") && text.contains("cert sign"), "{text}");

    // refusals, each saying why, and nothing written
    let (key_a, sign_a) = (imported[0].0.clone(), r.p("双证gmt0009.sign.pem"));
    let sign_a_der = certdesk_gm::der::pem::decode_vec(std::fs::read(&sign_a).unwrap().as_slice()).unwrap().1;
    let fresh = ca.kmc_answer(&sign_a_der);
    let other = ca.kmc_answer(&sign_a_der);
    let env = r.write("fresh.env", &fresh.gmt0009_der);
    // an encryption certificate that is not the enveloped key's
    let wrong_cert = r.write("other.enc.pem", pem(&other.enc_cert_der));
    let o = r.import_enc(&env, Some(&wrong_cert), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is not the enveloped one"), "{}", stderr(&o));
    // an encryption certificate of another CA
    let foreign = GmCa::root("Another SM2 Root").kmc_answer(&sign_a_der);
    let o = r.import_enc(&r.write("foreign.env", &foreign.gmt0009_der), Some(&r.write("foreign.enc.pem", pem(&foreign.enc_cert_der))), &["--key", &key_a]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("same CA"), "{}", stderr(&o));
    // an envelope made for another key's signing key, forced onto this one
    let key_b = imported[1].0.clone();
    let o = r.import_enc(&env, Some(&r.write("fresh.enc.pem", pem(&fresh.enc_cert_der))), &["--key", &key_b]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("could not open the envelope"), "{}", stderr(&o));
    // not an envelope at all
    let o = r.import_enc(&r.write("junk.env", b"\x30\x03\x02\x01\x05"), Some(&wrong_cert), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("CA's answer"), "{}", stderr(&o));
    // a wrong PIN says how many tries are left
    let err = r.refused(&["import-enc", "--token", "DUAL", "--pin-file", &r.p("bad"), "--envelope", &env, "--enc-cert", &r.p("fresh.enc.pem")]);
    assert!(err.contains("wrong PIN: 9 tries left"), "{err}");
    let shown_after = r.json(&["show", "--token", "DUAL", "--pin-file", &r.p("pin")]);
    let enc_b = shown_after["certificates"].as_array().unwrap().iter().find(|c| c["id"] == key_b.as_str() && c["usage"] == "encrypt").cloned().unwrap();
    assert_eq!(enc_b["serial"], imported[1].2.as_str(), "a refused import changes nothing");

    // over PKCS#11 the enveloped import is refused by name
    let hsm = certdesk_testkit::Counter::new(env!("CARGO_BIN_EXE_certdesk")).softhsm();
    std::fs::write(hsm.dir.path().join("pin"), "24681357\n").unwrap();
    let pin = hsm.p("pin");
    let out = hsm.read_as(
        "wang",
        &["key", "--module", "/usr/lib/softhsm/libsofthsm2.so", "import-enc", "--token", "X", "--pin-file", &pin, "--envelope", &env, "--enc-cert", &r.p("fresh.enc.pem")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot be imported over PKCS#11"), "{}", stderr(&out));
}

/// A copy of the repository's forms in which the fixture's project issues SM2 dual
/// certificates and trusts `root` (its `ca/` folder).
fn dual_forms(dir: &Path, root: &str) -> PathBuf {
    let forms = dir.join("forms");
    let copied = Command::new("cp").args(["-r", concat!(env!("CARGO_MANIFEST_DIR"), "/../../../forms"), forms.to_str().unwrap()]).status().unwrap();
    assert!(copied.success());
    let catalog = forms.join("netca-gd-pension/catalog.toml");
    let mut text = std::fs::read_to_string(&catalog).unwrap();
    text.push_str("\n[keys]\nalgorithms = [\"sm2\"]\ndual_certificate = true\n");
    std::fs::write(&catalog, text).unwrap();
    std::fs::create_dir_all(forms.join("netca-gd-pension/ca")).unwrap();
    std::fs::write(forms.join("netca-gd-pension/ca/sm2-root.pem"), root).unwrap();
    forms
}

#[test]
fn a_case_of_a_dual_certificate_project_imports_the_encryption_half_as_a_step() {
    let r = Rig::new();
    let number = r.c.approved_case(ORG_NEW);
    let ca = GmCa::root("certdesk SM2 Case Root");
    let forms = dual_forms(r.c.dir.path(), &ca.cert_pem());
    let forms = forms.to_str().unwrap();
    let wang = ["--as", "wang", "--password-file", &r.c.pw("wang")].map(str::to_string);
    let step = |args: &[&str]| -> Output {
        let mut all = vec!["--forms", forms];
        all.extend_from_slice(args);
        all.extend(wang.iter().map(String::as_str));
        r.key(&all)
    };
    let status = || -> Value { serde_json::from_slice(&r.c.run(&["--forms", forms, "key", "status", "--case", &number, "--json"]).stdout).unwrap() };

    let o = step(&["init", "--slot-index", "0", "--label", "DUAL", "--so-pin-file", &r.p("so"), "--user-pin-file", &r.p("pin"), "--case", &number]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // the project issues SM2 keys only
    let o = step(&["gen", "--token", "DUAL", "--pin-file", &r.p("pin"), "--algo", "ec-p256", "--case", &number, "--csr-out", &r.p("case.csr")]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("issues sm2 keys"), "{}", stderr(&o));
    let o = step(&["gen", "--token", "DUAL", "--pin-file", &r.p("pin"), "--algo", "sm2", "--case", &number, "--csr-out", &r.p("case.csr")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let verdict = openssl(&["req", "-verify", "-noout", "-in", &r.p("case.csr"), "-vfyopt", &format!("distid:{DISTID}")]);
    assert!(verdict.contains("verify OK"), "{verdict}");

    // the signing certificate first; then the encryption half is the next step
    let sign = ca.issue_signing(&csr_der(&r.p("case.csr"))).unwrap();
    let sign_file = r.write("case.sign.pem", pem(&sign));
    let o = step(&["write-cert", "--token", "DUAL", "--pin-file", &r.p("pin"), "--cert", &sign_file, "--case", &number]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = status();
    assert_eq!(s["dual"], true, "{s}");
    assert!(s["next"].as_str().unwrap().contains("import-enc"), "{s}");
    let steps: Value = serde_json::from_slice(&r.c.run(&["--forms", forms, "case", "steps", &number, "--json"]).stdout).unwrap();
    assert_eq!(steps["next"], "enc_import", "{steps}");

    // an encryption certificate for someone else is refused before the key is touched
    let stranger = ca.issue(&certdesk_gm::x509_cert::name::Name::default(), &certdesk_testkit::gm_ca::SoftSm2Key::generate().public(), certdesk_testkit::gm_ca::Usage::Encrypt);
    let answer = ca.kmc_answer(&sign);
    let o = step(&[
        "import-enc",
        "--token",
        "DUAL",
        "--pin-file",
        &r.p("pin"),
        "--envelope",
        &r.write("case.env", &answer.gmt0009_der),
        "--enc-cert",
        &r.write("stranger.pem", pem(&stranger)),
        "--case",
        &number,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("is not the enveloped one"), "{}", stderr(&o));

    // the CA's GM/T 0092 answer, checked against the case and the project's CA, then imported
    let o = step(&["import-enc", "--token", "DUAL", "--pin-file", &r.p("pin"), "--envelope", &r.write("case.0092", &answer.csr_response_der), "--case", &number, "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["format"].as_str(), v["issuer_trusted"].as_bool(), v["case"].as_str()), (Some("gmt0092"), Some(true), Some(number.as_str())), "{v}");
    let s = status();
    let done = |step: &str| s["steps"].as_array().unwrap().iter().any(|x| x["step"] == step && x["done"] == true);
    assert!(done("encryption_imported") && done("certificate_written"), "{s}");
    assert_eq!(s["steps"].as_array().unwrap().iter().find(|x| x["step"] == "encryption_imported").unwrap()["detail"]["envelope_format"], "gmt0092");
    let steps: Value = serde_json::from_slice(&r.c.run(&["--forms", forms, "case", "steps", &number, "--json"]).stdout).unwrap();
    assert_eq!(steps["next"], "deliver", "{steps}");
    // the encryption certificate is kept with the case, outside the approval; the chain holds
    let store = common::store(&r.c);
    let case = certdesk_desk::domain::CaseNumber::parse(&number).unwrap();
    let (_, kept) = store.attachment(&case, "certificate:encrypt").unwrap().expect("the encryption certificate kept with the case");
    assert!(String::from_utf8_lossy(&kept).contains("BEGIN CERTIFICATE"));
    drop(store);
    let verify = r.c.run(&["audit", "verify"]);
    assert_eq!(verify.status.code(), Some(0), "{}", String::from_utf8_lossy(&verify.stdout));
    let shown = r.json(&["show", "--token", "DUAL", "--pin-file", &r.p("pin")]);
    let usages: Vec<&str> = shown["certificates"].as_array().unwrap().iter().filter_map(|c| c["usage"].as_str()).collect();
    assert!(usages.contains(&"sign") && usages.contains(&"encrypt"), "{shown}");
}
