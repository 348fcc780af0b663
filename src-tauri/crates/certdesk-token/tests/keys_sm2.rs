//! SM2 through `Keys` over a PKCS#11 module with a vendor profile, as the key desk drives it:
//! SoftHSM2 under the project's test module (`libcertdesk_pkcs11_shim.so`) playing HaiTai's
//! profile (codes below 0x80000000, which cryptoki cannot read or call: the raw path) and TASS's
//! (vendor-defined codes). The token initialised, an SM2 key generated on it, the request signed
//! on it and verified by OpenSSL 3 under the distinguishing ID, the certificate a test SM2 CA
//! issued from that request written and read back; without a profile SM2 is refused clearly.

use certdesk_gm::DistId;
use certdesk_testkit::gm_ca::GmCa;
use certdesk_token::{Algo, Keys, Pin, Subject, TokenError, TokenSel};
use std::path::PathBuf;
use std::process::Command;

fn shim() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    let name = if cfg!(windows) { "certdesk_pkcs11_shim.dll" } else { "libcertdesk_pkcs11_shim.so" };
    [deps.join(name), deps.join("..").join(name)].into_iter().find(|p| p.is_file()).unwrap_or_else(|| panic!("{name} not built next to {}", exe.display()))
}

fn openssl_verdict(dir: &std::path::Path, pem: &str, distid: Option<&str>) -> String {
    let file = dir.join("req.pem");
    std::fs::write(&file, pem).unwrap();
    let mut args = vec!["req".to_string(), "-verify".into(), "-noout".into(), "-in".into(), file.display().to_string()];
    if let Some(id) = distid {
        args.extend(["-vfyopt".into(), format!("distid:{id}")]);
    }
    let out = Command::new("openssl").args(&args).output().unwrap();
    // OpenSSL 3.0's `req -verify` exits 0 either way: its words are the verdict
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn sm2_keys_requests_and_certificates_through_vendor_profiles() {
    let dir = tempfile::tempdir().unwrap();
    // SAFETY: the only test of this binary; before the module is loaded, no other thread
    #[allow(unsafe_code)]
    unsafe {
        certdesk_testkit::shim_over_softhsm(dir.path())
    };
    let keys = Keys::open(&shim()).unwrap();
    let (so, pin) = (Pin::new("87654321".into()), Pin::new("24681357".into()));
    let subject = Subject {
        common_name: "呼和浩特市示例科技有限公司".into(),
        organization: None,
        organizational_unit: None,
        serial_number: Some("91150100MA0N2X3Y4Z".into()),
        country: "CN".into(),
    };
    let ca = GmCa::root("certdesk test SM2 root");

    // no profile played: the module has no SM2 mechanism and says so
    let t = keys.init(0, "SM2-NONE", &so, &pin).unwrap();
    let sel = TokenSel::Serial(t.serial.clone());
    assert!(matches!(keys.generate(&sel, &pin, Algo::Sm2, "x"), Err(TokenError::Sm2NeedsProfile)));

    for (i, profile) in ["haitai", "tass"].into_iter().enumerate() {
        // SAFETY: as above; the shim reads it on its next call
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("CERTDESK_SHIM_SM2_PROFILE", profile)
        };
        let label = format!("SM2-{i}");
        let slot = keys.slots().unwrap().into_iter().find(|s| s.token.as_ref().is_some_and(|t| !t.initialized)).expect("an empty slot").slot_index;
        let t = keys.init(slot, &label, &so, &pin).unwrap();
        let sel = TokenSel::Serial(t.serial.clone());
        let key = keys.generate(&sel, &pin, Algo::Sm2, &subject.common_name).unwrap();
        assert_eq!((key.algo, key.public_key.len(), key.public_key[0]), (Algo::Sm2, 65, 4), "{profile}");
        // the request signed on the token under the standard ID: OpenSSL agrees only with it
        let pem = keys.csr_with_id(&sel, &pin, &key.id, &subject, &DistId::default()).unwrap();
        assert!(openssl_verdict(dir.path(), &pem, Some("1234567812345678")).contains("verify OK"), "{profile}");
        assert!(!openssl_verdict(dir.path(), &pem, None).contains("verify OK"), "{profile}: without the ID");
        // the key is listed (a vendor key type cryptoki cannot read included)
        let shown = keys.show(&sel, Some(&pin)).unwrap();
        assert!(shown.keys.iter().any(|k| k.id == key.id && k.algo == Algo::Sm2 && k.public_key == key.public_key), "{profile}: {:?}", shown.keys);
        // the CA's certificate for that request is written with the key and read back
        let der = pem_to_der(&pem);
        let cert = ca.issue_signing(&der).unwrap();
        let written = keys.write_cert(&sel, &pin, &cert, Some(ca.cert_der())).unwrap();
        assert!(written.subject.contains("呼和浩特市示例科技有限公司"), "{}", written.subject);
        let shown = keys.show(&sel, Some(&pin)).unwrap();
        assert!(shown.certificates.iter().any(|c| c.id == key.id && c.has_key), "{profile}: {:?}", shown.certificates);
        // a certificate of another key is refused
        let other = GmCa::root("another");
        assert!(matches!(keys.write_cert(&sel, &pin, other.cert_der(), None), Err(TokenError::ForeignCertificate { .. })));
    }
}

fn pem_to_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64_decode(&body)
}

fn base64_decode(s: &str) -> Vec<u8> {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = T.iter().position(|t| *t == c).expect("base64") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
