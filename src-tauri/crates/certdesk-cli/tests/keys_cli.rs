//! The key desk through `certdesk key …` on real PKCS#11 tokens: SoftHSM2 with a private
//! configuration per test, cross-checked with OpenSC's `pkcs11-tool` and `openssl`; the
//! locked-key path through the project's test module (`certdesk-pkcs11-shim`), which behaves
//! like a real key (10 wrong PINs lock it).

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
const ORG_NEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json");

/// What the key desk records.
const KEY_DESK: [&str; 8] = ["token_initialized", "key_generated", "certificate_written", "seal_written", "encryption_imported", "token_unlocked", "token_wiped", "pin_changed"];

struct Rig {
    c: certdesk_testkit::Counter,
    dir: PathBuf,
    module: PathBuf,
}

fn shim() -> PathBuf {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_certdesk"));
    let lib = bin.parent().unwrap().join(if cfg!(windows) { "certdesk_pkcs11_shim.dll" } else { "libcertdesk_pkcs11_shim.so" });
    assert!(lib.is_file(), "{} missing: build it first (cargo build -p certdesk-pkcs11-shim; scripts/test.sh does)", lib.display());
    lib
}

impl Rig {
    fn new(module: Option<PathBuf>) -> Rig {
        assert!(Path::new(SOFTHSM).is_file(), "SoftHSM2 is needed (scripts/deps.sh test installs softhsm2)");
        let c = certdesk_testkit::Counter::new(env!("CARGO_BIN_EXE_certdesk")).softhsm();
        let dir = c.dir.path().to_path_buf();
        for (name, pin) in [("so", "87654321"), ("pin", "24681357"), ("pin2", "11223344"), ("bad", "00000000"), ("default", "12345678")] {
            std::fs::write(dir.join(name), format!("{pin}\n")).unwrap();
        }
        Rig { module: module.unwrap_or_else(|| PathBuf::from(SOFTHSM)), dir, c }
    }
    fn p(&self, name: &str) -> String {
        self.c.p(name)
    }
    /// `--as wang` with the key clerk's password file.
    fn wang(&self) -> [String; 4] {
        ["--as".into(), "wang".into(), "--password-file".into(), self.c.pw("wang")]
    }
    /// `program` with the rig's environment; the key clerk wang is the environment's account
    /// (a command's `--as` wins).
    fn cmd(&self, program: &str, args: &[&str]) -> Output {
        self.cmd_as("wang", program, args)
    }
    fn cmd_as(&self, user: &str, program: &str, args: &[&str]) -> Output {
        Command::new(program)
            .args(args)
            .env("SOFTHSM2_CONF", self.p("softhsm2.conf"))
            .env("CERTDESK_SHIM_STATE", self.p("shim.state"))
            .env("CERTDESK_DB", self.c.db())
            .env("CERTDESK_USER", user)
            .env("CERTDESK_PASSWORD_FILE", self.c.pw(user))
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }
    /// `certdesk key …` with `user` as the environment's account.
    fn key_as(&self, user: &str, args: &[&str]) -> Output {
        let mut all = vec!["key", "--module", self.module.to_str().unwrap()];
        all.extend_from_slice(args);
        self.cmd_as(user, env!("CARGO_BIN_EXE_certdesk"), &all)
    }
    /// The events of the key desk's own log (no case), oldest first, read from the store file.
    fn key_desk_log(&self) -> Vec<(String, Value)> {
        let store = common::store(&self.c);
        let (chain, _) = store.stored_chain().unwrap();
        chain.into_iter().map(|e| e.into_event()).filter(|e| e.case_number.is_none() && KEY_DESK.contains(&e.action.as_str())).map(|e| (e.action, e.detail)).collect()
    }
    fn key(&self, args: &[&str]) -> Output {
        let mut all = vec!["key", "--module", self.module.to_str().unwrap()];
        all.extend_from_slice(args);
        self.cmd(env!("CARGO_BIN_EXE_certdesk"), &all)
    }
    fn ok(&self, args: &[&str]) -> String {
        let out = self.key(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }
    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).unwrap()
    }
    fn init(&self, label: &str) {
        self.ok(&["init", "--slot-index", "0", "--label", label, "--so-pin-file", &self.p("so"), "--user-pin-file", &self.p("pin")]);
    }
    /// Issues a certificate for a request with a throw-away CA (openssl).
    fn issue(&self, csr: &str, out: &str) {
        if !self.dir.join("ca.pem").exists() {
            certdesk_testkit::self_signed(&self.dir, "ca", "/C=CN/O=Test CA/CN=Test Root", 30);
        }
        let o = self
            .cmd("openssl", &["x509", "-req", "-in", &self.p(csr), "-CA", &self.p("ca.pem"), "-CAkey", &self.p("ca.key"), "-CAcreateserial", "-out", &self.p(out), "-days", "365"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    fn pkcs11_tool(&self, args: &[&str]) -> String {
        let mut all = vec!["--module", SOFTHSM];
        all.extend_from_slice(args);
        let o = self.cmd("pkcs11-tool", &all);
        assert!(o.status.success(), "pkcs11-tool {args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
}

impl Rig {
    fn certdesk(&self, args: &[&str]) -> Output {
        self.cmd(env!("CARGO_BIN_EXE_certdesk"), args)
    }
    /// A case taken by a clerk and approved by a supervisor.
    fn approved_case(&self) -> String {
        self.c.approved_case(ORG_NEW)
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn issuance_on_softhsm_end_to_end() {
    let r = Rig::new(None);
    let slots = r.json(&["list"]);
    assert!(!slots["slots"].as_array().unwrap().is_empty());
    r.init("CASE0001");
    let info = r.json(&["info", "--token", "CASE0001"]);
    assert_eq!(info["label"], "CASE0001");
    assert_eq!(info["user_pin_initialized"], true);
    let serial = info["serial"].as_str().unwrap().to_string();
    // found by serial too (slot ids changed after C_InitToken)
    assert_eq!(r.json(&["info", "--serial", &serial])["label"], "CASE0001");

    for (algo, csr, cert) in [("ec-p256", "req-ec.pem", "cert-ec.pem"), ("rsa2048", "req-rsa.pem", "cert-rsa.pem")] {
        r.ok(&["gen", "--token", "CASE0001", "--pin-file", &r.p("pin"), "--algo", algo, "--cn", "广州市示例科技有限公司", "--csr-out", &r.p(csr)]);
        let v = r.cmd("openssl", &["req", "-in", &r.p(csr), "-verify", "-noout", "-subject", "-nameopt", "utf8"]);
        assert!(v.status.success(), "openssl req -verify: {}", stderr(&v));
        assert!(String::from_utf8_lossy(&v.stdout).contains("CN=广州市示例科技有限公司"));
        r.issue(csr, cert);
        let written = r.json(&["write-cert", "--token", "CASE0001", "--pin-file", &r.p("pin"), "--cert", &r.p(cert), "--chain", &r.p("ca.pem")]);
        assert_eq!(written["has_key"], true);
    }
    // the private keys stay on the token, non-extractable; certificate and key share CKA_ID
    let objects = r.pkcs11_tool(&["--token-label", "CASE0001", "--login", "--pin", "24681357", "--list-objects"]);
    assert_eq!(objects.matches("Private Key Object").count(), 2, "{objects}");
    assert_eq!(objects.matches("never extractable").count(), 2, "{objects}");
    assert_eq!(objects.matches("Certificate Object").count(), 3, "two certificates and the CA: {objects}");
    let shown = r.json(&["show", "--token", "CASE0001", "--pin-file", &r.p("pin")]);
    let key_ids: Vec<&str> = shown["keys"].as_array().unwrap().iter().map(|k| k["id"].as_str().unwrap()).collect();
    for cert in shown["certificates"].as_array().unwrap().iter().filter(|c| c["has_key"] == true) {
        assert!(key_ids.contains(&cert["id"].as_str().unwrap()));
    }

    // a certificate of another key is refused
    certdesk_testkit::self_signed(&r.dir, "other", "/CN=other", 30);
    let refused = r.key(&["write-cert", "--token", "CASE0001", "--pin-file", &r.p("pin"), "--cert", &r.p("other.pem")]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("matches no key"), "{}", stderr(&refused));

    // the seal image as a data object, read back
    let png = r.dir.join("seal.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-not-a-real-image-but-a-png-signature").unwrap();
    let d = r.json(&["write-seal", "--token", "CASE0001", "--pin-file", &r.p("pin"), "--image", png.to_str().unwrap()]);
    assert_eq!(d["application"], "certdesk");
    let data = r.pkcs11_tool(&["--token-label", "CASE0001", "--list-objects", "--type", "data"]);
    assert!(data.contains("certdesk-seal-image"), "{data}");
    let not_png = r.key(&["write-seal", "--token", "CASE0001", "--pin-file", &r.p("pin"), "--image", &r.p("so")]);
    assert_eq!(not_png.status.code(), Some(1));

    // PINs: change, wrong PIN exits 1 with the token's tries state, wipe
    r.ok(&["change-pin", "--token", "CASE0001", "--pin-file", &r.p("pin"), "--new-pin-file", &r.p("pin2")]);
    let wrong = r.key(&["show", "--token", "CASE0001", "--pin-file", &r.p("pin")]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(stderr(&wrong).contains("wrong PIN"), "{}", stderr(&wrong));
    r.ok(&["wipe", "--token", "CASE0001", "--so-pin-file", &r.p("so")]);
    let after = r.json(&["show", "--token", "CASE0001"]);
    assert_eq!(after["keys"].as_array().unwrap().len(), 0);
    assert_eq!(after["certificates"].as_array().unwrap().len(), 0);
    assert_eq!(r.json(&["info", "--token", "CASE0001"])["user_pin_initialized"], false);
}

#[test]
fn a_key_locks_after_ten_wrong_pins_and_the_so_unlocks_it() {
    let r = Rig::new(Some(shim()));
    r.init("LOCKME");
    for i in 1..=10 {
        let o = r.key(&["show", "--token", "LOCKME", "--pin-file", &r.p("bad")]);
        assert_eq!(o.status.code(), Some(1), "try {i}");
        let msg = stderr(&o);
        match i {
            9 => assert!(msg.contains("one try left"), "try {i}: {msg}"),
            10 => assert!(msg.contains("locked"), "try {i}: {msg}"),
            _ => assert!(msg.contains("wrong PIN"), "try {i}: {msg}"),
        }
    }
    let info = r.json(&["info", "--token", "LOCKME"]);
    assert_eq!(info["user_pin_locked"], true);
    // even the right PIN is refused now
    let o = r.key(&["show", "--token", "LOCKME", "--pin-file", &r.p("pin")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("locked"), "{}", stderr(&o));
    // a wrong SO PIN does not unlock
    let o = r.key(&["unlock", "--token", "LOCKME", "--so-pin-file", &r.p("bad"), "--new-pin-file", &r.p("pin2")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("SO PIN"), "{}", stderr(&o));
    r.ok(&["unlock", "--token", "LOCKME", "--so-pin-file", &r.p("so"), "--new-pin-file", &r.p("pin2")]);
    assert_eq!(r.json(&["info", "--token", "LOCKME"])["user_pin_locked"], false);
    r.ok(&["show", "--token", "LOCKME", "--pin-file", &r.p("pin2")]);
}

#[test]
fn pins_come_from_stdin_never_arguments_and_never_reach_the_store() {
    let r = Rig::new(None);
    let mut child = Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .args(["key", "--module", SOFTHSM, "init", "--slot-index", "0", "--label", "STDIN1"])
        .env("SOFTHSM2_CONF", r.p("softhsm2.conf"))
        .env("CERTDESK_DB", r.c.db())
        .args(["--as", "wang", "--password-file", &r.c.pw("wang")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"87654321\n12345678\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // the CA's default PIN gets a warning
    assert!(stderr(&out).contains("default PIN"), "{}", stderr(&out));
    // a case-bound request records the step, but no PIN, on the case
    let number = r.approved_case();
    let w = r.wang();
    let refused = r.key_as("zhang", &["gen", "--token", "STDIN1", "--pin-file", &r.p("default"), "--algo", "ec-p256", "--case", &number, "--csr-out", &r.p("case.csr")]);
    assert_eq!(refused.status.code(), Some(1), "a step on a case needs the key clerk: {}", stderr(&refused));
    assert!(stderr(&refused).contains("key clerk") || stderr(&refused).contains("key_clerk") || stderr(&refused).contains("制证员"), "{}", stderr(&refused));
    r.ok(&["gen", "--token", "STDIN1", "--pin-file", &r.p("default"), "--algo", "ec-p256", "--case", &number, "--csr-out", &r.p("case.csr"), &w[0], &w[1], &w[2], &w[3]]);
    let subject = r.cmd("openssl", &["req", "-in", &r.p("case.csr"), "-noout", "-subject", "-nameopt", "utf8"]);
    let subject = String::from_utf8_lossy(&subject.stdout).into_owned();
    assert!(subject.contains("CN=广州市示例科技有限公司") && subject.contains("91440101MA59ABCD1D"), "{subject}");
    let shown = r.cmd(env!("CARGO_BIN_EXE_certdesk"), &["case", "show", &number]);
    assert!(String::from_utf8_lossy(&shown.stdout).contains("key_generated"));
    let db = std::fs::read(r.c.db()).unwrap();
    let wal = std::fs::read(r.dir.join("c.db-wal")).unwrap_or_default();
    for pin in ["87654321", "12345678", "zhang-secret-pass-1"] {
        assert!(!String::from_utf8_lossy(&db).contains(pin) && !String::from_utf8_lossy(&wal).contains(pin), "PIN {pin} found in the store");
    }
}

#[test]
fn missing_token_and_module_are_clear_errors() {
    let r = Rig::new(None);
    let o = r.key(&["info", "--token", "NOPE"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no token with label \"NOPE\""), "{}", stderr(&o));
    let o = r.cmd(env!("CARGO_BIN_EXE_certdesk"), &["key", "--module", "/nonexistent/module.so", "list"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cannot load the PKCS#11 module"), "{}", stderr(&o));
}

#[test]
fn issuance_is_tied_to_its_case_and_resumes() {
    let r = Rig::new(None);
    // the key desk works only on approved cases
    let draft = r.c.import(ORG_NEW);
    let w = r.wang();
    let w: Vec<&str> = w.iter().map(String::as_str).collect();
    let refused = r.key(&[&["init", "--slot-index", "0", "--label", "K0", "--so-pin-file", &r.p("so"), "--user-pin-file", &r.p("pin"), "--case", &draft], &w[..]].concat());
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("approved"), "{}", stderr(&refused));
    let number = r.approved_case();
    let status = |r: &Rig| -> Value { serde_json::from_slice(&r.cmd(env!("CARGO_BIN_EXE_certdesk"), &["key", "status", "--case", &number, "--json"]).stdout).unwrap() };
    assert!(status(&r)["next"].as_str().unwrap().contains("initialise"));
    r.ok(&[&["init", "--slot-index", "0", "--label", "K1", "--so-pin-file", &r.p("so"), "--user-pin-file", &r.p("pin"), "--case", &number], &w[..]].concat());
    let s = status(&r);
    assert_eq!(s["steps"][0]["done"], true);
    let serial = s["token_serial"].as_str().unwrap().to_string();
    assert_eq!(r.json(&["info", "--token", "K1"])["serial"], serial.as_str());
    assert!(s["next"].as_str().unwrap().contains("generate"), "a key pulled out now resumes here: {s}");
    r.ok(&[&["gen", "--token", "K1", "--pin-file", &r.p("pin"), "--algo", "rsa2048", "--case", &number, "--csr-out", &r.p("k1.csr")], &w[..]].concat());
    // the request package: the request and the case data
    let package: Value = serde_json::from_str(&std::fs::read_to_string(r.dir.join("k1.request.json")).unwrap()).unwrap();
    assert_eq!(package["case"]["number"], number.as_str());
    assert_eq!(package["case"]["organization"]["uscc"], "91440101MA59ABCD1D");
    assert!(package["csr_pem"].as_str().unwrap().contains("BEGIN CERTIFICATE REQUEST"));
    assert!(status(&r)["next"].as_str().unwrap().contains("certificate"));
    // the CA answers with a file; it is matched to its case by the public key
    r.issue("k1.csr", "k1.pem");
    let matched = r.cmd(env!("CARGO_BIN_EXE_certdesk"), &["key", "match-cert", "--cert", &r.p("k1.pem")]);
    assert_eq!(String::from_utf8_lossy(&matched.stdout).trim(), number);
    // with the project's CA certificates configured (a forms folder of the counter's own), a
    // certificate from another CA is refused and nothing is written or recorded
    let forms = r.dir.join("forms");
    let copied = r.cmd("cp", &["-r", concat!(env!("CARGO_MANIFEST_DIR"), "/../../../forms"), forms.to_str().unwrap()]);
    assert!(copied.status.success());
    std::fs::create_dir_all(forms.join("netca-gd-pension/ca")).unwrap();
    certdesk_testkit::self_signed(&r.dir, "else", "/CN=Elsewhere Root", 3);
    std::fs::copy(r.p("else.pem"), forms.join("netca-gd-pension/ca/elsewhere.pem")).unwrap();
    let forms_arg = forms.to_str().unwrap();
    let refused = r.key(&[
        "write-cert",
        "--token",
        "K1",
        "--pin-file",
        &r.p("pin"),
        "--cert",
        &r.p("k1.pem"),
        "--chain",
        &r.p("ca.pem"),
        "--as",
        "wang",
        "--password-file",
        &r.c.pw("wang"),
        "--forms",
        forms_arg,
    ]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("issuer chain") && stderr(&refused).contains("Test Root"), "{}", stderr(&refused));
    assert!(r.pkcs11_tool(&["--token-label", "K1", "--list-objects", "--type", "cert"]).is_empty(), "nothing written");
    std::fs::copy(r.p("ca.pem"), forms.join("netca-gd-pension/ca/test-root.pem")).unwrap();
    let written = r.json(&[
        "--forms",
        forms_arg,
        "write-cert",
        "--token",
        "K1",
        "--pin-file",
        &r.p("pin"),
        "--cert",
        &r.p("k1.pem"),
        "--chain",
        &r.p("ca.pem"),
        "--as",
        "wang",
        "--password-file",
        &r.c.pw("wang"),
    ]);
    assert_eq!(written["case"], number.as_str());
    let shown: Value = serde_json::from_slice(&r.certdesk(&["case", "show", &number, "--json"]).stdout).unwrap();
    assert_eq!(shown["status"], "key_issued", "the key clerk's verified write issues the key");
    let s = status(&r);
    assert!(s["steps"].as_array().unwrap().iter().filter(|st| st["step"] != "seal_written").all(|st| st["done"] == true), "{s}");
    assert!(s["next"].is_null(), "no seal image on this case: nothing left before the hand-over: {s}");
    // a certificate of this case written by anyone but a key clerk is refused
    let o = r.key_as("zhang", &["write-cert", "--token", "K1", "--pin-file", &r.p("pin"), "--cert", &r.p("k1.pem")]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // a certificate no case asked for matches nothing
    certdesk_testkit::self_signed(&r.dir, "x", "/CN=x", 3);
    assert_eq!(r.cmd(env!("CARGO_BIN_EXE_certdesk"), &["key", "match-cert", "--cert", &r.p("x.pem")]).status.code(), Some(1));
    let verify = r.cmd(env!("CARGO_BIN_EXE_certdesk"), &["audit", "verify"]);
    assert_eq!(verify.status.code(), Some(0), "{}", String::from_utf8_lossy(&verify.stdout));
}

/// A key worked on for no case is on the key desk's own log, with which key (serial, label,
/// model) and what was done (the public key's SHA-256, the certificate's serial and subject),
/// never a PIN; and only a key clerk does it.
#[test]
fn key_operations_without_a_case_are_on_the_key_desks_log_and_a_key_clerks() {
    let r = Rig::new(None);
    // a clerk is refused before the key is touched
    let o = r.key_as("zhang", &["--json", "init", "--slot-index", "0", "--label", "LOOSE1", "--so-pin-file", &r.p("so"), "--user-pin-file", &r.p("pin")]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(serde_json::from_slice::<Value>(&o.stdout).unwrap()["error"]["kind"], "missing_role");
    assert!(r.json(&["list"])["slots"].as_array().unwrap().iter().all(|s| s["token"]["label"] != "LOOSE1"), "nothing initialised");
    assert!(r.key_desk_log().is_empty());
    // no account at all: which one is missing
    let o = r.cmd("env", &["-u", "CERTDESK_USER", env!("CARGO_BIN_EXE_certdesk"), "--json", "key", "--module", SOFTHSM, "list"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(serde_json::from_slice::<Value>(&o.stdout).unwrap()["error"]["kind"], "no_account");

    r.init("LOOSE1");
    let serial = r.json(&["info", "--token", "LOOSE1"])["serial"].as_str().unwrap().to_string();
    r.ok(&["gen", "--token", "LOOSE1", "--pin-file", &r.p("pin"), "--algo", "ec-p256", "--cn", "示例", "--csr-out", &r.p("loose.csr")]);
    r.issue("loose.csr", "loose.pem");
    let written = r.json(&["write-cert", "--token", "LOOSE1", "--pin-file", &r.p("pin"), "--cert", &r.p("loose.pem")]);
    assert!(written["case"].is_null(), "{written}");
    r.ok(&["change-pin", "--token", "LOOSE1", "--pin-file", &r.p("pin"), "--new-pin-file", &r.p("pin2")]);
    r.ok(&["wipe", "--token", "LOOSE1", "--so-pin-file", &r.p("so")]);

    let log = r.key_desk_log();
    let actions: Vec<&str> = log.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions, ["token_initialized", "key_generated", "certificate_written", "pin_changed", "token_wiped"], "{log:?}");
    for (action, detail) in &log {
        assert_eq!(detail["token_serial"], serial.as_str(), "{action}: {detail}");
    }
    assert_eq!((log[0].1["token_label"].as_str(), log[0].1["pin_is_default"].as_bool()), (Some("LOOSE1"), Some(false)), "{:?}", log[0]);
    assert!(log[0].1["model"].is_string());
    assert_eq!(log[1].1["public_key_sha256"].as_str().map(str::len), Some(64), "{:?}", log[1]);
    assert_eq!(log[2].1["certificate_serial"], written["serial_hex"]);
    assert!(log[2].1["subject"].as_str().unwrap().contains("示例"), "{:?}", log[2]);
    let text = serde_json::to_string(&log).unwrap();
    for pin in ["87654321", "24681357", "11223344"] {
        assert!(!text.contains(pin), "a PIN on the log: {text}");
    }
    let verify = r.cmd(env!("CARGO_BIN_EXE_certdesk"), &["audit", "verify"]);
    assert_eq!(verify.status.code(), Some(0), "{}", String::from_utf8_lossy(&verify.stdout));
}

/// Whether a key's PIN is still a CA's published default is on the chain: a later process (a
/// restart, another desk) warns about it, until the PIN is changed.
#[test]
fn the_default_pin_warning_is_on_the_chain_and_survives_a_restart() {
    let r = Rig::new(None);
    r.ok(&["init", "--slot-index", "0", "--label", "DEFPIN", "--so-pin-file", &r.p("so"), "--user-pin-file", &r.p("default")]);
    // another process: the warning is read from the chain
    assert_eq!(r.json(&["info", "--token", "DEFPIN"])["default_pin_warning"], true);
    let o = r.key(&["info", "--token", "DEFPIN"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("default PIN"), "{}", String::from_utf8_lossy(&o.stdout));
    r.ok(&["change-pin", "--token", "DEFPIN", "--pin-file", &r.p("default"), "--new-pin-file", &r.p("pin")]);
    assert_eq!(r.json(&["info", "--token", "DEFPIN"])["default_pin_warning"], false);
    assert_eq!(r.key_desk_log().iter().filter(|(_, d)| d["pin_is_default"] == true).count(), 1, "recorded once, as a flag");
}
