//! The key desk through `certdesk key …` on an SKF key: the soft SKF library
//! (`libcertdesk_skf_soft.so`, built beside the tests as a dev-dependency) in a temporary
//! `CERTDESK_SKF_DIR`. Init, a wrong PIN with the tries left, lock after 10 and unlock with the
//! SO (administrator) PIN, an SM2 key and its token-signed request checked by OpenSSL 3 under
//! the distinguishing ID (and refused without it), the certificate of a test SM2 CA written and
//! read back with its chain, a seal image, `show`, PIN change and wipe; RSA refused over SKF.

use certdesk_testkit::gm_ca::GmCa;
use certdesk_testkit::skf::SkfRig;

fn rig() -> SkfRig {
    SkfRig::new(env!("CARGO_BIN_EXE_certdesk"))
}

/// `openssl req -verify` (3.0 exits 0 even when the signature fails: read its words).
fn openssl_req_verify(csr: &str, distid: Option<&str>) -> String {
    let mut args = vec!["req", "-in", csr, "-verify", "-noout"];
    let opt = distid.map(|d| format!("distid:{d}"));
    if let Some(o) = &opt {
        args.extend(["-vfyopt", o]);
    }
    let out = std::process::Command::new("openssl").args(&args).output().unwrap();
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn skf_key_desk_end_to_end_with_sm2() {
    let r = rig();
    let list = r.json(&["list"]);
    assert_eq!(list["slots"][0]["token"]["initialized"], false, "{list}");

    r.ok(&["init", "--slot-index", "0", "--label", "SKF-1", "--so-pin-file", &r.p("so"), "--user-pin-file", &r.p("pin")]);
    let info = r.json(&["info", "--token", "SKF-1"]);
    assert_eq!(info["initialized"], true);
    assert!(info["serial"].as_str().unwrap().starts_with("CDS"), "{info}");

    // a wrong PIN says how many tries are left; ten lock the key; the SO PIN unlocks it
    let gen_bad = ["gen", "--token", "SKF-1", "--pin-file", &r.p("bad"), "--algo", "sm2", "--cn", "张三", "--csr-out", &r.p("x.csr")];
    let err = r.refused(&gen_bad);
    assert!(err.contains("wrong PIN: 9 tries left"), "{err}");
    for _ in 0..8 {
        r.refused(&gen_bad);
    }
    assert!(r.refused(&gen_bad).contains("locked"));
    assert_eq!(r.json(&["info", "--token", "SKF-1"])["user_pin_locked"], true);
    assert!(r.refused(&["unlock", "--token", "SKF-1", "--so-pin-file", &r.p("bad"), "--new-pin-file", &r.p("pin2")]).contains("wrong SO PIN: 9 tries left"));
    let unlocked = r.json(&["unlock", "--token", "SKF-1", "--so-pin-file", &r.p("so"), "--new-pin-file", &r.p("pin2")]);
    assert_eq!(unlocked["user_pin_locked"], false);

    // RSA has no place on an SKF key here
    let err = r.refused(&["gen", "--token", "SKF-1", "--pin-file", &r.p("pin2"), "--algo", "rsa2048", "--cn", "x", "--csr-out", &r.p("x.csr")]);
    assert!(err.contains("cannot be made over an SKF library"), "{err}");

    // an SM2 key and its request, signed on the key with Z under the standard ID
    let made = r.json(&["gen", "--token", "SKF-1", "--pin-file", &r.p("pin2"), "--algo", "sm2", "--cn", "张三", "--csr-out", &r.p("req.pem")]);
    assert_eq!(made["key"]["algo"], "sm2", "{made}");
    assert!(openssl_req_verify(&r.p("req.pem"), Some("1234567812345678")).contains("verify OK"));
    assert!(!openssl_req_verify(&r.p("req.pem"), None).contains("verify OK"), "the ID must be in Z");

    // the test SM2 CA issues it (checking the request under the ID); written, read back
    let ca = GmCa::root("certdesk SM2 Test Root");
    let pem = std::fs::read_to_string(r.p("req.pem")).unwrap();
    let (_, csr_der) = certdesk_gm::der::pem::decode_vec(pem.as_bytes()).unwrap();
    let cert = ca.issue_signing(&csr_der).unwrap();
    std::fs::write(r.p("cert.pem"), certdesk_testkit::gm_ca::pem(&cert)).unwrap();
    std::fs::write(r.p("root.pem"), ca.cert_pem()).unwrap();
    let written = r.json(&["write-cert", "--token", "SKF-1", "--pin-file", &r.p("pin2"), "--cert", &r.p("cert.pem"), "--chain", &r.p("root.pem")]);
    assert_eq!(written["id"], made["key"]["id"], "{written}");

    // a certificate for another key is refused
    let other =
        GmCa::root("Other").issue(&certdesk_gm::x509_cert::name::Name::default(), &certdesk_testkit::gm_ca::SoftSm2Key::generate().public(), certdesk_testkit::gm_ca::Usage::Sign);
    std::fs::write(r.p("other.pem"), certdesk_testkit::gm_ca::pem(&other)).unwrap();
    assert!(r.refused(&["write-cert", "--token", "SKF-1", "--pin-file", &r.p("pin2"), "--cert", &r.p("other.pem")]).contains("belongs to another key"));

    // the seal image as a file of the application
    let png = [&b"\x89PNG\r\n\x1a\n"[..], &[7u8; 300]].concat();
    std::fs::write(r.p("seal.png"), &png).unwrap();
    r.ok(&["write-seal", "--token", "SKF-1", "--pin-file", &r.p("pin2"), "--image", &r.p("seal.png")]);

    let shown = r.json(&["show", "--token", "SKF-1", "--pin-file", &r.p("pin2")]);
    let certs = shown["certificates"].as_array().unwrap();
    let sign = certs.iter().find(|c| c["label"] == "sign").unwrap_or_else(|| panic!("{shown}"));
    assert_eq!(sign["has_key"], true);
    assert_eq!(sign["id"], made["key"]["id"]);
    assert!(sign["subject"].as_str().unwrap().contains("张三"));
    assert!(certs.iter().any(|c| c["label"] == "CA" && c["subject"].as_str().unwrap().contains("SM2 Test Root")), "{shown}");
    assert_eq!(shown["keys"][0]["algo"], "sm2");
    assert_eq!(shown["data"][0]["label"], "certdesk-seal-image");
    assert_eq!(shown["data"][0]["size"], png.len());

    // PIN change, then wipe with the SO PIN: nothing left
    r.ok(&["change-pin", "--token", "SKF-1", "--pin-file", &r.p("pin2"), "--new-pin-file", &r.p("pin")]);
    r.ok(&["wipe", "--token", "SKF-1", "--so-pin-file", &r.p("so")]);
    r.ok(&["unlock", "--token", "SKF-1", "--so-pin-file", &r.p("so"), "--new-pin-file", &r.p("pin")]);
    let empty = r.json(&["show", "--token", "SKF-1", "--pin-file", &r.p("pin")]);
    assert!(empty["keys"].as_array().unwrap().is_empty() && empty["certificates"].as_array().unwrap().is_empty() && empty["data"].as_array().unwrap().is_empty(), "{empty}");
}

/// A key moves only so many bytes per command (`MaxBufferSize`; the soft key's `small_buffer`
/// fault: 1 KiB): a 56 KB seal image is written and read back in pieces, whole.
#[test]
fn files_larger_than_the_keys_buffer_go_in_pieces() {
    let r = rig();
    std::fs::write(r.c.dir.path().join("skf").join("fault"), "small_buffer").unwrap();
    r.ok(&["init", "--slot-index", "0", "--label", "SKF-SMALL", "--so-pin-file", &r.p("so"), "--user-pin-file", &r.p("pin")]);
    let png: Vec<u8> = b"\x89PNG\r\n\x1a\n".iter().copied().chain((0..56 * 1024u32).map(|i| (i * 7919 % 251) as u8)).collect();
    std::fs::write(r.p("big.png"), &png).unwrap();
    let written = r.json(&["write-seal", "--token", "SKF-SMALL", "--pin-file", &r.p("pin"), "--image", &r.p("big.png")]);
    assert_eq!(written["size"], png.len(), "{written}");
    let shown = r.json(&["show", "--token", "SKF-SMALL", "--pin-file", &r.p("pin")]);
    assert_eq!(shown["data"][0]["size"], png.len(), "{shown}");
    assert_eq!(shown["data"][0]["sha256"], certdesk_desk::domain::case::sha256_hex(&png), "read back whole: {shown}");
}

/// The CA's try limit (`[pin] max_tries`, seed 001 "输入错误10次将会锁定") goes onto an SKF key
/// initialised for a case of that project, is recorded with the initialisation, and is what the
/// key desk shows (#71): with a counter's forms folder whose 网证通养老 locks after 6, a wrong PIN
/// leaves 5 tries.
#[test]
fn the_projects_pin_try_limit_goes_onto_the_key() {
    let SkfRig { c, lib } = rig();
    let forms = c.dir.path().join("forms");
    let copied = std::process::Command::new("cp").args(["-r", &certdesk_testkit::root().join("forms").display().to_string(), &forms.display().to_string()]).status().unwrap();
    assert!(copied.success());
    let catalog = forms.join("netca-gd-pension/catalog.toml");
    let text = std::fs::read_to_string(&catalog).unwrap();
    assert!(text.contains("max_tries = 10"), "the seed's limit is in the catalog");
    std::fs::write(&catalog, text.replace("max_tries = 10", "max_tries = 6")).unwrap();
    let r = SkfRig { c: c.with_env("CERTDESK_FORMS", &forms.display().to_string()), lib };
    let number = r.c.approved_case(&certdesk_testkit::fixture("case-org-new.json"));
    let status = || -> serde_json::Value { serde_json::from_slice(&r.c.run(&["key", "status", "--case", &number, "--json"]).stdout).unwrap() };
    assert_eq!(status()["pin_max_tries"], 6, "shown at the key desk");
    r.ok(&["init", "--slot-index", "0", "--label", "GD-1", "--so-pin-file", &r.p("so"), "--user-pin-file", &r.p("pin"), "--case", &number]);
    let err = r.refused(&["gen", "--token", "GD-1", "--pin-file", &r.p("bad"), "--algo", "sm2", "--cn", "张三", "--csr-out", &r.p("x.csr")]);
    assert!(err.contains("wrong PIN: 5 tries left"), "{err}");
    let steps = status()["steps"].clone();
    let init = steps.as_array().unwrap().iter().find(|s| s["step"] == "token_initialized").expect("the initialisation recorded").clone();
    assert_eq!(init["detail"]["user_pin_tries"], 6, "{init}");
}
