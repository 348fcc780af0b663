//! Online enrolment (#72) through `certdesk ra …` and `certdesk key enrol` against a SCEP
//! server this repository did not write (Debian's `scepserver`, a throwaway CA on loopback)
//! and a SoftHSM2 key: one plug from the key pair to the certificate on the key, read back by
//! OpenSC's `pkcs11-tool` and verified by OpenSSL; the RA's challenge never on the chain.

mod common;

use certdesk_testkit::Counter;
use certdesk_testkit::scep::{ScepServer, available};
use serde_json::Value;
use std::process::{Command, Output};

const ORG_NEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json");
const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
const CHALLENGE: &str = "Ch-4711-挑战口令";

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn key_as_wang(c: &Counter, args: &[&str]) -> Output {
    let pw = c.pw("wang");
    let mut all = vec!["key", "--module", SOFTHSM];
    all.extend_from_slice(args);
    all.extend(["--as", "wang", "--password-file", &pw]);
    c.run(&all)
}

#[test]
fn a_key_is_made_and_issued_online_in_one_plug_and_the_challenge_stays_off_the_chain() {
    assert!(available(), "scepserver is needed (scripts/deps.sh test installs the scep package)");
    let c = Counter::new(env!("CARGO_BIN_EXE_certdesk")).softhsm();
    let dir = c.dir.path().to_path_buf();
    for (name, secret) in [("so", "87654321"), ("pin", "24681357"), ("challenge", CHALLENGE)] {
        std::fs::write(dir.join(name), format!("{secret}\n")).unwrap();
    }
    std::fs::create_dir_all(dir.join("ra")).unwrap();
    let server = ScepServer::start(&dir.join("ra"), CHALLENGE);
    let number = c.approved_case(ORG_NEW);
    let init = key_as_wang(&c, &["init", "--slot-index", "0", "--label", "K1", "--so-pin-file", &c.p("so"), "--user-pin-file", &c.p("pin"), "--case", &number]);
    assert_eq!(init.status.code(), Some(0), "{}", stderr(&init));

    // no RA set: the key desk says so, nothing is made
    let refused = key_as_wang(&c, &["enrol", "--token", "K1", "--pin-file", &c.p("pin"), "--case", &number, "--csr-out", &c.p("k1.csr"), "--json"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("no online enrolment set"), "{}", stderr(&refused));
    // only an administrator sets it
    let not_admin = c.as_user(
        "wang",
        &["ra", "set", "--project", "netca-gd-pension", "--url", &server.url, "--ca-cert", server.ca_pem.to_str().unwrap(), "--challenge-file", &c.p("challenge")],
    );
    assert_ne!(not_admin.status.code(), Some(0));
    let admin_pw = c.pw("admin");
    let as_admin = ["--as", "admin", "--as-password-file", admin_pw.as_str()];
    // an https address or a wrong certificate file is refused before anything is written
    let https = c.run(
        &[
            &[
                "ra",
                "set",
                "--project",
                "netca-gd-pension",
                "--url",
                "https://ra.example.cn/scep",
                "--ca-cert",
                server.ca_pem.to_str().unwrap(),
                "--challenge-file",
                &c.p("challenge"),
            ][..],
            &as_admin,
        ]
        .concat(),
    );
    assert_eq!(https.status.code(), Some(1), "{}", stderr(&https));
    assert!(stderr(&https).contains("https is not supported"), "{}", stderr(&https));
    let set =
        c.run(
            &[
                &[
                    "ra",
                    "set",
                    "--project",
                    "netca-gd-pension",
                    "--url",
                    &server.url,
                    "--ca-cert",
                    server.ca_pem.to_str().unwrap(),
                    "--challenge-file",
                    &c.p("challenge"),
                    "--json",
                ][..],
                &as_admin,
            ]
            .concat(),
        );
    assert_eq!(set.status.code(), Some(0), "{}", stderr(&set));
    let shown: Value = serde_json::from_slice(&c.read_as("wang", &["ra", "show", "--project", "netca-gd-pension", "--json"]).stdout).unwrap();
    assert_eq!(shown["url"], server.url.as_str());
    assert_eq!(shown["challenge_set"], true);
    // its parts, not "4711" alone: four digits turn up in the test CA's random SHA-256 (a CI run
    // had "…3158471150…" in `ca_sha256`)
    assert!(!shown.to_string().contains("Ch-4711") && !shown.to_string().contains("挑战口令"), "the challenge is never shown: {shown}");
    let tried = c.read_as("wang", &["ra", "try", "--project", "netca-gd-pension"]);
    assert_eq!(tried.status.code(), Some(0), "{}", stderr(&tried));

    // the online step: key pair, request with the challenge, the RA's certificate imported
    let got = key_as_wang(&c, &["enrol", "--token", "K1", "--pin-file", &c.p("pin"), "--case", &number, "--csr-out", &c.p("k1.csr"), "--json"]);
    assert_eq!(got.status.code(), Some(0), "{}\n{}", stderr(&got), server.log_text());
    let got: Value = serde_json::from_slice(&got.stdout).unwrap();
    assert_eq!(got["imported"]["cert"], 1);
    assert_eq!(got["imported"]["issuer_trusted"], true, "the RA's pinned CA is trusted: {got}");
    assert!(got["imported"]["issuer"].as_str().unwrap().contains("certdesk test SCEP CA"), "{got}");
    // the request carried the challenge (OpenSSL reads it back) and verifies
    let req = Command::new("openssl").args(["req", "-in", &c.p("k1.csr"), "-verify", "-noout", "-text"]).output().unwrap();
    assert!(req.status.success(), "{}", stderr(&req));
    assert!(String::from_utf8_lossy(&req.stdout).contains("challengePassword"), "{}", String::from_utf8_lossy(&req.stdout));
    // then written onto the same key, still plugged
    let written = key_as_wang(&c, &["write-cert", "--token", "K1", "--pin-file", &c.p("pin"), "--case", &number, "--json"]);
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    let listed = Command::new("pkcs11-tool")
        .args([
            "--module",
            SOFTHSM,
            "--token-label",
            "K1",
            "--read-object",
            "--type",
            "cert",
            "--id",
            got["generated"]["key_id"].as_str().unwrap(),
            "--output-file",
            &c.p("onkey.der"),
        ])
        .env("SOFTHSM2_CONF", c.p("softhsm2.conf"))
        .output()
        .unwrap();
    assert!(listed.status.success(), "{}", stderr(&listed));
    let verify = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "openssl x509 -inform DER -in '{}' -out '{}' && openssl verify -CAfile '{}' '{}'",
            c.p("onkey.der"),
            c.p("onkey.pem"),
            server.ca_pem.display(),
            c.p("onkey.pem")
        ))
        .output()
        .unwrap();
    assert!(verify.status.success(), "{}{}", String::from_utf8_lossy(&verify.stdout), stderr(&verify));
    assert_eq!(c.status(&number), "key_issued");

    // the holder's slip and the key's label, read back from the PDF: holder, key label and
    // serial, certificate serial, the CA's try limit; never a PIN
    let pdf = c.p("slips.pdf");
    let rendered = c.as_user("wang", &["form", "render", "--case", &number, "--form", "holder-slips", "--out", &pdf]);
    assert_eq!(rendered.status.code(), Some(0), "{}", stderr(&rendered));
    let text = Command::new("pdftotext").args(["-layout", &pdf, "-"]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout).replace(' ', "");
    let serial = got["imported"]["serial_hex"].as_str().unwrap().to_string();
    let key_serial = String::from_utf8_lossy(&key_as_wang(&c, &["info", "--token", "K1", "--json"]).stdout).to_string();
    let key_serial: Value = serde_json::from_str(&key_serial).unwrap();
    for want in ["持有人交接单", "Key标签", "K1", key_serial["serial"].as_str().unwrap(), &serial, "连续输错10次", &number] {
        assert!(text.contains(want), "{want} missing from the slips:\n{text}");
    }
    assert!(!text.contains("24681357") && !text.contains("87654321"), "no PIN on the slip");

    // the chain records the RA and that a challenge was set, never the challenge
    let store = common::store(&c);
    let (chain, _) = store.stored_chain().unwrap();
    let events: Vec<_> = chain.into_iter().map(|e| e.into_event()).collect();
    let text = serde_json::to_string(&events.iter().map(|e| (&e.action, &e.detail)).collect::<Vec<_>>()).unwrap();
    assert!(!text.contains("Ch-4711") && !text.contains("挑战口令"), "the challenge reached the chain");
    assert!(text.contains(&format!("scep {}", server.url)), "the import says where it came from");
    assert!(text.contains("ra.netca-gd-pension.challenge"));

    // an RA gone: a clear error, and the administrator takes the project back offline
    drop(server);
    let gone = c.read_as("wang", &["ra", "try", "--project", "netca-gd-pension"]);
    assert_eq!(gone.status.code(), Some(1));
    assert!(stderr(&gone).contains("cannot be reached"), "{}", stderr(&gone));
    let cleared = c.run(&[&["ra", "clear", "--project", "netca-gd-pension"][..], &as_admin].concat());
    assert_eq!(cleared.status.code(), Some(0), "{}", stderr(&cleared));
    let shown: Value = serde_json::from_slice(&c.read_as("wang", &["ra", "show", "--project", "netca-gd-pension", "--json"]).stdout).unwrap();
    assert_eq!(shown["set"], false);
}
