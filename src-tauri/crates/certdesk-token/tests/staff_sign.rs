//! Staff signatures (#31) through `Keys` as the desk drives them: SoftHSM2 under the project's
//! test module (the SM2 vendor profile played for SM2 keys). For RSA, P-256 and SM2 a key made
//! on the token, its certificate issued by a test operator CA and written beside it; the token
//! found by the certificate's fingerprint without a PIN; a statement signed after the PIN and
//! checked by `staff::verify` and by OpenSSL 3 — over the statement (`dgst`) and over the
//! digest as hashed (`pkeyutl`), as a reader of `case show --json` does; another key's
//! certificate and a wrong PIN refused.

use certdesk_testkit::gm_ca::GmCa;
use certdesk_testkit::operator_ca::{CaKey, OperatorCa};
use certdesk_token::cert::parse_many;
use certdesk_token::staff::{self, SigAlgorithm};
use certdesk_token::{Algo, Keys, Pin, Subject, TokenError, TokenSel};
use std::path::{Path, PathBuf};
use std::process::Command;

fn shim() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    let name = if cfg!(windows) { "certdesk_pkcs11_shim.dll" } else { "libcertdesk_pkcs11_shim.so" };
    [deps.join(name), deps.join("..").join(name)].into_iter().find(|p| p.is_file()).unwrap_or_else(|| panic!("{name} not built next to {}", exe.display()))
}

fn pem_to_der(pem: &str) -> Vec<u8> {
    parse_many(pem.as_bytes()).map(|mut c| c.remove(0).der).unwrap_or_else(|_| {
        use base64ct::Encoding;
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        base64ct::Base64::decode_vec(&body).unwrap()
    })
}

/// OpenSSL's verdict on `signature` over the statement and over its digest, with the public key
/// of `cert_pem`.
fn openssl_verifies(dir: &Path, algorithm: SigAlgorithm, cert_pem: &str, message: &[u8], digest: &[u8], signature: &[u8]) -> (bool, bool) {
    let f = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };
    let (cert, msg, dig, sig) = (f("signer.pem", cert_pem.as_bytes()), f("statement.txt", message), f("digest.bin", digest), f("sig.bin", signature));
    let public = dir.join("signer.pub.pem").display().to_string();
    assert!(Command::new("openssl").args(["x509", "-in", &cert, "-pubkey", "-noout", "-out", &public]).status().unwrap().success());
    let run = |args: &[&str]| {
        let out = Command::new("openssl").args(args).output().unwrap();
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains("Verified")
    };
    let over_message = match algorithm {
        SigAlgorithm::Sm2Sm3 => run(&["dgst", "-sm3", "-verify", &public, "-sigopt", "distid:1234567812345678", "-signature", &sig, &msg]),
        _ => run(&["dgst", "-sha256", "-verify", &public, "-signature", &sig, &msg]),
    };
    let over_digest = match algorithm {
        SigAlgorithm::RsaPkcs1Sha256 => run(&["pkeyutl", "-verify", "-pubin", "-inkey", &public, "-pkeyopt", "digest:sha256", "-in", &dig, "-sigfile", &sig]),
        _ => run(&["pkeyutl", "-verify", "-pubin", "-inkey", &public, "-in", &dig, "-sigfile", &sig]),
    };
    (over_message, over_digest)
}

#[test]
fn staff_keys_sign_statements_that_openssl_verifies() {
    let dir = tempfile::tempdir().unwrap();
    // SAFETY: the only test of this binary; before the module is loaded, no other thread
    #[allow(unsafe_code)]
    unsafe {
        certdesk_testkit::shim_over_softhsm(dir.path());
        std::env::set_var("CERTDESK_SHIM_SM2_PROFILE", "haitai");
    };
    let keys = Keys::open(&shim()).unwrap();
    let (so, pin) = (Pin::new("87654321".into()), Pin::new("24681357".into()));
    let message = b"certdesk-approval-v1\ncounter GZ01\ncase GZ01-20261124-0001\napproval 00\nsigner li\ncertificate 00\n";
    let sm2_ca = GmCa::root("certdesk test operator SM2 root");
    let mut others = Vec::new();
    for (i, algo) in [Algo::EcP256, Algo::Rsa2048, Algo::Sm2].into_iter().enumerate() {
        let label = format!("STAFF-{i}");
        let slot = keys.slots().unwrap().into_iter().find(|s| s.token.as_ref().is_some_and(|t| !t.initialized)).expect("an empty slot").slot_index;
        let t = keys.init(slot, &label, &so, &pin).unwrap();
        let sel = TokenSel::Serial(t.serial.clone());
        let key = keys.generate(&sel, &pin, algo, "li").unwrap();
        let subject = Subject { common_name: "李复核".into(), organization: Some("certdesk test".into()), organizational_unit: None, serial_number: None, country: "CN".into() };
        let csr = keys.csr(&sel, &pin, &key.id, &subject).unwrap();
        let cert_pem = match algo {
            Algo::Sm2 => certdesk_testkit::gm_ca::pem(&sm2_ca.issue_signing(&pem_to_der(&csr)).unwrap()),
            _ => {
                let ca = OperatorCa::new(dir.path(), &format!("op-ca-{i}"), if algo == Algo::Rsa2048 { CaKey::Rsa } else { CaKey::P256 });
                std::fs::read_to_string(ca.issue(&csr, &format!("li-{i}"), 365)).unwrap()
            }
        };
        let written = keys.write_cert(&sel, &pin, cert_pem.as_bytes(), None).unwrap();
        let cert = parse_many(cert_pem.as_bytes()).unwrap().remove(0);
        assert_eq!(written.sha256, staff::fingerprint(&cert.der), "{algo:?}");

        // found by the certificate, no PIN asked
        let found = keys.find_certificate(&written.sha256).unwrap();
        assert_eq!(found.iter().map(|t| t.serial.as_str()).collect::<Vec<_>>(), vec![t.serial.as_str()], "{algo:?}");

        let signed = keys.sign_as(&sel, &pin, &cert, message).unwrap();
        let expected = match algo {
            Algo::EcP256 => SigAlgorithm::EcdsaP256Sha256,
            Algo::Rsa2048 => SigAlgorithm::RsaPkcs1Sha256,
            Algo::Sm2 => SigAlgorithm::Sm2Sm3,
        };
        assert_eq!(signed.algorithm, expected);
        staff::verify(&cert, signed.algorithm, message, &signed.signature).unwrap();
        assert_eq!(signed.digest, staff::digest(&cert, signed.algorithm, message).unwrap());
        assert!(
            matches!(staff::verify(&cert, signed.algorithm, b"another statement", &signed.signature), Err(staff::SigError::BadSignature)),
            "{algo:?}: a signature of one statement is none of another"
        );
        let (over_message, over_digest) = openssl_verifies(dir.path(), signed.algorithm, &cert_pem, message, &signed.digest, &signed.signature);
        assert!(over_message && over_digest, "{algo:?}: OpenSSL over the statement {over_message}, over the digest {over_digest}");

        // #74: a key a project's CA issued signs under the project's SM2 ID (the unit's own
        // certificate as proof): Z under that ID, which OpenSSL confirms and the default refuses
        if algo == Algo::Sm2 {
            let project_id = certdesk_gm::DistId::new(b"CERTDESK-PROJECT".to_vec()).unwrap();
            let under = keys.sign_under(&sel, &pin, &cert, message, &project_id).unwrap();
            staff::verify_under(&cert, under.algorithm, message, &under.signature, &project_id).unwrap();
            assert!(matches!(staff::verify(&cert, under.algorithm, message, &under.signature), Err(staff::SigError::BadSignature)), "not under the default ID");
            assert_eq!(under.digest, staff::digest_under(&cert, under.algorithm, message, &project_id).unwrap());
            let (f_sig, f_msg, f_cert) = (dir.path().join("under.sig"), dir.path().join("under.txt"), dir.path().join("under.pem"));
            std::fs::write(&f_sig, &under.signature).unwrap();
            std::fs::write(&f_msg, message).unwrap();
            std::fs::write(&f_cert, &cert_pem).unwrap();
            let public = dir.path().join("under.pub.pem");
            assert!(Command::new("openssl").arg("x509").arg("-in").arg(&f_cert).args(["-pubkey", "-noout", "-out"]).arg(&public).status().unwrap().success());
            let verified = |id: &str| {
                let out = Command::new("openssl")
                    .args(["dgst", "-sm3", "-verify"])
                    .arg(&public)
                    .args(["-sigopt", &format!("distid:{id}"), "-signature"])
                    .arg(&f_sig)
                    .arg(&f_msg)
                    .output()
                    .unwrap();
                out.status.success() && String::from_utf8_lossy(&out.stdout).contains("Verified")
            };
            assert!(verified("CERTDESK-PROJECT") && !verified("1234567812345678"));
        }

        // a wrong PIN is the token's to count
        assert!(matches!(keys.sign_as(&sel, &Pin::new("00000000".into()), &cert, message), Err(TokenError::WrongPin { .. })), "{algo:?}");
        others.push((sel, cert));
    }
    // a certificate whose key is on another token: refused before anything is signed
    let (sel0, _) = &others[0];
    let (_, cert1) = &others[1];
    assert!(matches!(keys.sign_as(sel0, &pin, cert1, message), Err(TokenError::ForeignCertificate { .. })));
    // a signature checked against another algorithm than the certificate's key is refused
    let (_, cert0) = &others[0];
    assert!(matches!(staff::verify(cert0, SigAlgorithm::Sm2Sm3, message, &[0u8; 70]), Err(staff::SigError::AlgorithmMismatch { .. })));
}
