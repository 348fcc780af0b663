//! Staff keys (#31) through the `certdesk` binary on SoftHSM2: the key clerk makes a P-256 key
//! on a token for the supervisor li, a test operator CA (OpenSSL) issues li's certificate for
//! the request made on it, the administrator enrols it (`user enrol-key`, a certificate of
//! another CA refused); li is then refused without a key and with another person's key, signs
//! in with the key and approves with a signature that OpenSSL verifies from what
//! `case show --json` exports (certificate, digest as hashed, DER signature); `audit verify`
//! counts the signature. And #78's forged enrolment and approval, which only the installation's
//! operator CA outside the store finds.

mod common;

use certdesk_testkit::operator_ca::{CaKey, OperatorCa};
use certdesk_testkit::{Counter, stderr};
use serde_json::Value;
use std::process::{Command, Output};

const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
const ORG_NEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json");

struct Rig {
    c: Counter,
}

impl Rig {
    fn p(&self, name: &str) -> String {
        self.c.p(name)
    }

    fn run(&self, args: &[&str]) -> Output {
        self.c.run(args)
    }

    /// `certdesk key --module SoftHSM ARGS --as wang …` (the key clerk, not enrolled).
    fn key(&self, args: &[&str]) -> String {
        let wang = self.c.pw("wang");
        let mut all = vec!["key", "--module", SOFTHSM];
        all.extend_from_slice(args);
        all.extend(["--as", "wang", "--password-file", &wang]);
        let out = self.run(&all);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A token `label` with a P-256 key whose certificate `ca` issued to `cn`; the certificate's
    /// file.
    fn staff_token(&self, slot: &str, label: &str, cn: &str, ca: &OperatorCa) -> String {
        self.key(&["init", "--slot-index", slot, "--label", label, "--so-pin-file", &self.p("so"), "--user-pin-file", &self.p("pin")]);
        let csr = self.p(&format!("{label}.csr"));
        self.key(&["gen", "--token", label, "--pin-file", &self.p("pin"), "--algo", "ec-p256", "--cn", cn, "--csr-out", &csr]);
        let cert = ca.issue(&std::fs::read_to_string(&csr).unwrap(), label, 365).display().to_string();
        self.key(&["write-cert", "--token", label, "--pin-file", &self.p("pin"), "--cert", &cert]);
        cert
    }

    /// `args` as `user` with its password, and `key` flags.
    fn as_with(&self, user: &str, args: &[&str], key: &[&str]) -> Output {
        let pw = self.c.pw(user);
        let mut all = args.to_vec();
        all.extend(["--as", user, "--password-file", &pw]);
        all.extend_from_slice(key);
        self.run(&all)
    }
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", String::from_utf8_lossy(&out.stdout), stderr(out)))
}

fn error_kind(out: &Output) -> String {
    json_of(out)["error"]["kind"].as_str().unwrap_or_default().to_string()
}

#[test]
fn a_supervisor_signs_in_and_approves_with_the_enrolled_key() {
    assert!(std::path::Path::new(SOFTHSM).is_file(), "SoftHSM2 is needed (scripts/deps.sh test installs softhsm2)");
    let c = Counter::new(env!("CARGO_BIN_EXE_certdesk")).softhsm().with_env("CERTDESK_PKCS11_MODULE", SOFTHSM);
    let r = Rig { c };
    for (name, pin) in [("so", "87654321"), ("pin", "24681357"), ("bad", "00000000")] {
        std::fs::write(r.p(name), format!("{pin}\n")).unwrap();
    }
    let admin = r.c.pw("admin");
    let zhao = r.c.pw("zhao");
    let out = r.run(&["user", "add", "zhao", "--role", "supervisor", "--password-file", &zhao, "--as", "admin", "--as-password-file", &admin]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let dir = r.c.dir.path().to_path_buf();
    let ca = OperatorCa::new(&dir, "operator-ca", CaKey::P256);
    let stranger_ca = OperatorCa::new(&dir, "stranger-ca", CaKey::P256);
    let li_cert = r.staff_token("0", "LI-KEY", "李复核", &ca);
    let zhao_cert = r.staff_token("1", "ZHAO-KEY", "赵复核", &ca);

    // a certificate that does not chain to the operator CA given is refused
    let ca_pem = ca.cert.display().to_string();
    let stranger = stranger_ca.cert.display().to_string();
    let refused = r.run(&["--json", "user", "enrol-key", "li", "--cert", &li_cert, "--chain", &stranger, "--as", "admin", "--password-file", &admin]);
    assert_eq!((refused.status.code(), error_kind(&refused).as_str()), (Some(1), "staff_certificate"), "{}", stderr(&refused));
    // an encryption certificate for the same key (keyUsage keyEncipherment) is no staff certificate
    let li_csr = std::fs::read_to_string(r.p("LI-KEY.csr")).unwrap();
    let encipher = ca.issue_for(&li_csr, "li-encipher", 365, "keyEncipherment").display().to_string();
    let refused = r.run(&["--json", "user", "enrol-key", "li", "--cert", &encipher, "--chain", &ca_pem, "--as", "admin", "--password-file", &admin]);
    assert_eq!((refused.status.code(), error_kind(&refused).as_str()), (Some(1), "staff_certificate"), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("key usage") || String::from_utf8_lossy(&refused.stdout).contains("key usage"), "{}", String::from_utf8_lossy(&refused.stdout));
    // the issue's spelling: --as ADMIN --password-file F
    let enrolled = r.run(&["--json", "user", "enrol-key", "li", "--cert", &li_cert, "--chain", &ca_pem, "--as", "admin", "--password-file", &admin]);
    assert_eq!(enrolled.status.code(), Some(0), "{}", stderr(&enrolled));
    let enrolled = json_of(&enrolled);
    assert_eq!((enrolled["account"].as_str(), enrolled["algorithm"].as_str()), (Some("li"), Some("ec-p256")), "{enrolled}");
    let out = r.run(&["user", "enrol-key", "zhao", "--cert", &zhao_cert, "--chain", &ca_pem, "--as", "admin", "--as-password-file", &admin]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // the same certificate for someone else: refused
    let twice = r.run(&["--json", "user", "enrol-key", "zhang", "--cert", &li_cert, "--chain", &ca_pem, "--as", "admin", "--password-file", &admin]);
    assert_eq!(twice.status.code(), Some(1), "{}", stderr(&twice));

    let n = r.c.import(ORG_NEW);
    for action in ["accept", "submit"] {
        r.c.ok_as("zhang", &["case", action, &n]);
    }

    // without the key: refused after the right password, naming the key
    let out = r.as_with("li", &["--json", "case", "approve", &n], &[]);
    assert_eq!((out.status.code(), error_kind(&out).as_str()), (Some(1), "key_required"), "{}", stderr(&out));
    let out = r.as_with("li", &["--json", "case", "show", &n], &[]);
    assert_eq!(error_kind(&out), "key_required", "every command of an account that must use its key");
    // another person's key, named: refused before any PIN is used
    let pin = r.p("pin");
    let out = r.as_with("li", &["--json", "case", "approve", &n], &["--token", "ZHAO-KEY", "--pin-file", &pin]);
    assert_eq!((out.status.code(), error_kind(&out).as_str()), (Some(1), "wrong_staff_key"), "{}", stderr(&out));
    // a wrong PIN is the key's to refuse
    let bad = r.p("bad");
    let out = r.as_with("li", &["--json", "case", "approve", &n], &["--token", "LI-KEY", "--pin-file", &bad]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(r.c.status(&n), "submitted", "nothing approved");

    // li's own key (found by its certificate: no --token needed) signs the approval
    let out = r.as_with("li", &["--json", "case", "approve", &n], &["--pin-file", &pin]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = r.as_with("li", &["--json", "case", "show", &n], &["--token", "LI-KEY", "--pin-file", &pin]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let shown = json_of(&out);
    assert_eq!(shown["status"], "approved");
    let sig = &shown["approval_signature"];
    assert_eq!(sig["algorithm"], "ecdsa-p256-sha256", "{shown}");
    for field in ["digest_hex", "signature_b64", "certificate_pem"] {
        assert!(sig[field].as_str().is_some_and(|v| !v.is_empty()), "{field}: {sig}");
    }

    // OpenSSL checks it from the exported certificate and digest alone, and over the statement
    openssl_checks(&dir, sig, &["-sha256"]);

    // audit verify counts the signature (as the administrator, who signs in by password)
    let (code, report) = r.c.json(&["--json", "audit", "verify"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!((report["signatures"]["checked"].as_u64(), report["signatures"]["failed"].as_array().map(Vec::len)), (Some(1), Some(0)), "{report}");

    // 日结: li signs the day off with the key; anyone checks it
    let day = chrono::Local::now().date_naive().to_string();
    let out = r.as_with("zhang", &["--json", "day", "close", "--day", &day], &[]);
    assert_eq!(out.status.code(), Some(1), "a clerk does not close a day: {}", stderr(&out));
    let out = r.as_with("li", &["--json", "day", "close", "--day", &day], &["--token", "LI-KEY", "--pin-file", &pin]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let closed = json_of(&out);
    let reference = closed["reference"].as_str().unwrap().to_string();
    assert!(closed["ok"] == true && reference.starts_with("certdesk-day:1:"), "{closed}");
    let out = r.as_with("li", &["--json", "day", "close", "--day", &day], &["--token", "LI-KEY", "--pin-file", &pin]);
    assert_eq!(out.status.code(), Some(1), "closed once: {}", stderr(&out));
    assert_eq!(json_of(&out)["error"]["kind"], "day_closed", "a refusal of its own kind (#75)");
    let (code, v) = r.c.json(&["--json", "day", "verify", "--day", &day, "--reference", &reference]);
    assert_eq!((code, &v["signature_ok"], &v["head_ok"], &v["sheet_ok"]), (0, &Value::Bool(true), &Value::Bool(true), &Value::Bool(true)), "{v}");
    let (code, _) = r.c.json(&["--json", "day", "verify", "--day", &day, "--reference", "certdesk-day:1:CD01:2026-01-01:1:00:00"]);
    assert_eq!(code, 1, "a ledger of another close");
    // a case taken after the close shows up as such, and the day still verifies
    let later = r.c.import(ORG_NEW);
    let (code, v) = r.c.json(&["--json", "day", "verify", "--day", &day]);
    assert_eq!(code, 0, "{v}");
    assert!(v["after_close"].as_array().unwrap().iter().any(|a| a["case"] == later.as_str()), "{v}");
    // the closed day's sheet rewritten behind certdesk's back: named
    common::raw_sql(&r.c, "DROP TRIGGER day_closes_no_update; UPDATE day_closes SET sheet = replace(sheet, '\"status\":\"approved\"', '\"status\":\"submitted\"');");
    let (code, v) = r.c.json(&["--json", "day", "verify", "--day", &day]);
    assert_eq!((code, &v["sheet_ok"]), (1, &Value::Bool(false)), "{v}");

    // revoked: li signs in with the password alone again, and the approval signed before holds
    let out = r.run(&["user", "revoke-key", "li", "--reason", "key lost", "--as", "admin", "--as-password-file", &admin]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = r.as_with("li", &["case", "show", &n], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (code, report) = r.c.json(&["--json", "audit", "verify"]);
    assert_eq!((code, report["signatures"]["checked"].as_u64()), (0, Some(1)), "{report}");
}

fn hex_bytes(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

fn b64(text: &str) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(["base64", "-d", "-A"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(text.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    out.stdout
}

/// The same on the soft SKF key with SM2: the operator CA an SM2 one, the signature over
/// e = SM3(Z ‖ statement) with Z under the default ID, checked by OpenSSL over the digest and
/// over the statement (`-sigopt distid:1234567812345678`).
#[test]
fn an_sm2_staff_key_on_the_soft_skf_key_signs_the_approval() {
    let r = certdesk_testkit::skf::SkfRig::new(env!("CARGO_BIN_EXE_certdesk"));
    let lib = r.lib.display().to_string();
    let (li_pem, ca_pem) = r.sm2_staff_key("LI-SKF", "李复核");

    let c = &r.c;
    let admin = c.pw("admin");
    let out = c.run(&["--json", "user", "enrol-key", "li", "--cert", &li_pem, "--chain", &ca_pem, "--as", "admin", "--password-file", &admin]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json_of(&out)["algorithm"], "sm2");
    let n = c.import(ORG_NEW);
    for action in ["accept", "submit"] {
        c.ok_as("zhang", &["case", action, &n]);
    }
    let li = c.pw("li");
    let pin = r.p("pin");
    let key = ["--as", "li", "--password-file", li.as_str(), "--module", lib.as_str(), "--pin-file", pin.as_str()];
    let out = c.run(&[&["--json", "case", "approve", &n][..], &key].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = c.run(&[&["--json", "case", "show", &n][..], &key].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sig = json_of(&out)["approval_signature"].clone();
    assert_eq!((sig["algorithm"].as_str(), sig["sm2_id"].as_str()), (Some("sm2-sm3"), Some("1234567812345678")), "{sig}");

    openssl_checks(c.dir.path(), &sig, &["-sm3", "-sigopt", "distid:1234567812345678"]);
    let out = c.run(&["--json", "audit", "verify", "--as", "admin", "--password-file", &admin]);
    let report = json_of(&out);
    assert_eq!((out.status.code(), report["signatures"]["checked"].as_u64()), (Some(0), Some(1)), "{report}");
}

/// OpenSSL verifies an exported approval signature (`case show --json`'s `approval_signature`)
/// from its certificate and digest (`pkeyutl`), and over its statement (`dgst` with `how`).
fn openssl_checks(dir: &std::path::Path, sig: &Value, how: &[&str]) {
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };
    let cert = write("exported.pem", sig["certificate_pem"].as_str().unwrap().as_bytes());
    let digest = write("digest.bin", &hex_bytes(sig["digest_hex"].as_str().unwrap()));
    let signature = write("sig.der", &b64(sig["signature_b64"].as_str().unwrap()));
    let statement = write("statement.txt", sig["statement"].as_str().unwrap().as_bytes());
    let public = dir.join("signer.pub.pem").display().to_string();
    assert!(Command::new("openssl").args(["x509", "-in", &cert, "-pubkey", "-noout", "-out", &public]).status().unwrap().success());
    let verdict = Command::new("openssl").args(["pkeyutl", "-verify", "-pubin", "-inkey", &public, "-in", &digest, "-sigfile", &signature]).output().unwrap();
    assert!(String::from_utf8_lossy(&verdict.stdout).contains("Signature Verified Successfully"), "{}", String::from_utf8_lossy(&verdict.stderr));
    let dgst = Command::new("openssl").arg("dgst").args(how).args(["-verify", &public, "-signature", &signature, &statement]).output().unwrap();
    assert!(String::from_utf8_lossy(&dgst.stdout).contains("Verified OK"), "{}", String::from_utf8_lossy(&dgst.stderr));
}

/// `openssl ARGS`, which must succeed; its standard output.
fn openssl(args: &[&str]) -> String {
    let out = Command::new("openssl").args(args).output().expect("openssl");
    assert!(out.status.success(), "openssl {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The SHA-256 of a file, hex.
fn sha256_of(path: &str) -> String {
    openssl(&["dgst", "-sha256", "-r", path]).split_whitespace().next().unwrap_or_default().to_string()
}

/// #78, finding 8: someone who can write the store (the data key) makes a CA of their own —
/// even of the operator CA's very name —, a certificate with the supervisor's subject and serial
/// for a key of their own, replaces the enrolment row and its event, signs the approval anew
/// and re-seals the chain. Without an anchor outside the store that passes `audit verify`
/// (checked below, so the forgery is a whole one); with the installation's operator CA, which
/// the first enrolment installed in the user's configuration folder, the approval fails, named.
/// Once an anchor is installed, a certificate of another CA is not enrolled either.
#[test]
fn a_forged_enrolment_and_approval_fail_audit_verify_against_the_installations_operator_ca() {
    let c = Counter::new(env!("CARGO_BIN_EXE_certdesk")).softhsm().with_env("CERTDESK_PKCS11_MODULE", SOFTHSM);
    let r = Rig { c };
    for (name, pin) in [("so", "87654321"), ("pin", "24681357")] {
        std::fs::write(r.p(name), format!("{pin}\n")).unwrap();
    }
    let admin = r.c.pw("admin");
    let dir = r.c.dir.path().to_path_buf();
    let ca = OperatorCa::new(&dir, "operator-ca", CaKey::P256);
    std::fs::create_dir(dir.join("forger")).unwrap();
    let forger = OperatorCa::new(&dir.join("forger"), "operator-ca", CaKey::P256);
    let li_cert = r.staff_token("0", "LI-KEY", "李复核", &ca);
    let wang_cert = r.staff_token("1", "WANG-KEY", "王制证", &forger);

    // no anchor yet: audit verify says its signatures are the store's word only
    let (code, report) = r.c.json(&["--json", "audit", "verify"]);
    assert_eq!((code, &report["signatures"]["anchored"], &report["operator_ca"]), (0, &Value::Bool(false), &Value::Null), "{report}");
    let text = r.c.read(&["audit", "verify"]);
    assert!(text.contains("UNANCHORED"), "{text}");

    // the first enrolment installs the operator CA it chained to, as this account's own file
    let out = r.run(&["--json", "user", "enrol-key", "li", "--cert", &li_cert, "--chain", &ca.cert.display().to_string(), "--as", "admin", "--password-file", &admin]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let enrolled = json_of(&out);
    let anchor = r.c.config_home().join("certdesk").join("operator-ca.pem");
    assert!(anchor.is_file(), "the anchor installed at {}", anchor.display());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&anchor).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let ca_der = r.p("operator-ca.der");
    openssl(&["x509", "-in", &ca.cert.display().to_string(), "-outform", "DER", "-out", &ca_der]);
    let ca_sha256 = sha256_of(&ca_der);
    // and the chain records which operator CA that was, by its SHA-256 (a record, never trusted)
    let (chain, _) = common::store(&r.c).stored_chain().unwrap();
    assert!(chain.iter().any(|e| e.action == "setting" && e.detail.contains("operator_ca_sha256") && e.detail.contains(&ca_sha256)), "the anchor's SHA-256 on the chain");

    // now a certificate of another CA is refused, though its own CA file is given
    let out = r.run(&["--json", "user", "enrol-key", "wang", "--cert", &wang_cert, "--chain", &forger.cert.display().to_string(), "--as", "admin", "--password-file", &admin]);
    assert_eq!((out.status.code(), error_kind(&out).as_str()), (Some(1), "staff_certificate"), "{}", stderr(&out));
    let said = json_of(&out)["error"]["message"].as_str().unwrap_or_default().to_string();
    assert!(said.contains("does not chain to the installation's operator CA") && said.contains(&ca_sha256) && said.contains(&anchor.display().to_string()), "{said}");

    // li approves with the key; audit verify chains the certificate to the anchor
    let n = r.c.import(ORG_NEW);
    for action in ["accept", "submit"] {
        r.c.ok_as("zhang", &["case", action, &n]);
    }
    let pin = r.p("pin");
    let out = r.as_with("li", &["--json", "case", "approve", &n], &["--pin-file", &pin]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (code, report) = r.c.json(&["--json", "audit", "verify"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!((&report["signatures"]["anchored"], report["signatures"]["checked"].as_u64()), (&Value::Bool(true), Some(1)), "{report}");
    assert_eq!((report["signatures"]["operator_ca_sha256"].as_str(), report["operator_ca"]["sha256"].as_str()), (Some(ca_sha256.as_str()), Some(ca_sha256.as_str())), "{report}");
    let out = r.as_with("li", &["--json", "case", "show", &n], &["--token", "LI-KEY", "--pin-file", &pin]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let signed = json_of(&out)["approval_signature"].clone();

    // the forgery: a key of the forger's, a certificate of li's subject and serial by the forger's CA
    let (forged_key, forged_csr) = (r.p("forged.key"), r.p("forged.csr"));
    openssl(&["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", &forged_key]);
    openssl(&["x509", "-x509toreq", "-in", &li_cert, "-signkey", &forged_key, "-out", &forged_csr]);
    let serial = enrolled["serial_hex"].as_str().unwrap().replace(':', "");
    let forged_cert = forger.issue_with_serial(&std::fs::read_to_string(&forged_csr).unwrap(), "forged", 365, &serial).display().to_string();
    let forged_der = r.p("forged.der");
    openssl(&["x509", "-in", &forged_cert, "-outform", "DER", "-out", &forged_der]);
    let subject = |cert: &str| openssl(&["x509", "-in", cert, "-noout", "-subject", "-serial", "-nameopt", "RFC2253"]);
    assert_eq!(subject(&forged_cert), subject(&li_cert), "the forged certificate names li as li's does");
    let (real_fp, forged_fp) = (enrolled["fingerprint"].as_str().unwrap().to_string(), sha256_of(&forged_der));
    // the approval statement signed anew by the forger's key
    let statement = signed["statement"].as_str().unwrap().replace(&real_fp, &forged_fp);
    std::fs::write(r.p("forged-statement.txt"), &statement).unwrap();
    openssl(&["dgst", "-sha256", "-sign", &forged_key, "-out", &r.p("forged.sig"), &r.p("forged-statement.txt")]);
    let forged_sig = openssl(&["base64", "-A", "-in", &r.p("forged.sig")]).trim().to_string();
    let forged_digest = sha256_of(&r.p("forged-statement.txt"));
    let hex: String = std::fs::read(&forged_der).unwrap().iter().map(|b| format!("{b:02x}")).collect();
    let forger_pem = forger.cert_pem().replace('\'', "''");
    common::raw_sql(
        &r.c,
        &format!(
            "DROP TRIGGER operator_keys_end_only; DROP TRIGGER audit_events_no_update;
             UPDATE operator_keys SET fingerprint = '{forged_fp}', certificate = X'{hex}', chain_pem = '{forger_pem}' WHERE fingerprint = '{real_fp}';
             UPDATE audit_events SET detail = replace(detail, '{real_fp}', '{forged_fp}') WHERE action IN ('operator_key_enrolled', 'approve');
             UPDATE audit_events SET detail = replace(replace(detail, '{}', '{forged_sig}'), '{}', '{forged_digest}') WHERE action = 'approve';",
            signed["signature_b64"].as_str().unwrap(),
            signed["digest_hex"].as_str().unwrap()
        ),
    );
    reseal(&r.c);

    // without the anchor the forgery passes: the store vouches for itself
    let installed = std::fs::read(&anchor).unwrap();
    std::fs::remove_file(&anchor).unwrap();
    let (code, report) = r.c.json(&["--json", "audit", "verify"]);
    assert_eq!(
        (code, &report["signatures"]["anchored"], report["signatures"]["checked"].as_u64(), report["signatures"]["failed"].as_array().map(Vec::len)),
        (0, &Value::Bool(false), Some(1), Some(0)),
        "the forgery is whole: only the anchor finds it: {report}"
    );
    // with it, the approval fails, named
    std::fs::write(&anchor, installed).unwrap();
    let (code, report) = r.c.json(&["--json", "audit", "verify"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["signatures"]["failed"], serde_json::json!([n]), "{report}");
    let why = report["signatures"]["problems"][0]["why"].as_str().unwrap_or_default();
    assert!(why.contains("does not chain to the installation's operator CA"), "{why}");
    let out = r.run(&["audit", "verify"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.code() == Some(1) && text.contains(&format!("signature FAILED: case {n}")), "{text}");
    // the same anchor named by CERTDESK_OPERATOR_CA, the user's file gone: the same verdict
    std::fs::remove_file(&anchor).unwrap();
    let out = r.c.cmd(&["--json", "audit", "verify"]).env("CERTDESK_OPERATOR_CA", &ca.cert).output().unwrap();
    assert_eq!((out.status.code(), &json_of(&out)["signatures"]["failed"]), (Some(1), &serde_json::json!([n])), "{}", stderr(&out));
}

/// Re-seals the counter's chain as someone holding the data key would: every event's link and
/// hash recomputed from the first on, the head recorded anew.
fn reseal(c: &Counter) {
    let (events, _) = common::store(c).stored_chain().unwrap();
    let mut statements = Vec::new();
    let mut prev: Option<String> = None;
    let mut head = String::new();
    for mut e in events {
        if let Some(p) = &prev {
            e.prev_hash = p.clone();
        }
        e.hash = e.computed_hash();
        statements.push(format!("UPDATE audit_events SET prev_hash = '{}', hash = '{}' WHERE seq = {};", e.prev_hash, e.hash, e.seq));
        head = format!("{}:{}", e.seq, e.hash);
        prev = Some(e.hash);
    }
    statements.push(format!("UPDATE settings SET value = '{head}' WHERE key = 'audit_head';"));
    common::raw_sql(c, &statements.join(" "));
}
