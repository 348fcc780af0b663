//! OpenSSL 3 as the independent verifier of certdesk-gm and the test CA/KMC: SM2 requests
//! (with and without the ID), certificates link by link and a root's self-signature, both
//! envelope forms opened with `pkeyutl -decrypt` and `enc -d -sm4-ecb -nopad`; and the
//! negative cases (tampered TBS, wrong ID, wrong key, mismatched encryption certificate).

use certdesk_gm::verify::spki_der_of;
use certdesk_gm::x509_cert::name::Name;
use certdesk_gm::{
    CaAnswer, CheckError, DistId, EnvelopedKey, PrivateKeyLayout, RequestError, VerifyError, build_request, check_envelope_matches_encryption_cert, check_sign_cert_matches_key,
    parse_ca_answer, verify_certificate,
};
use certdesk_testkit::gm_ca::{GmCa, SignatureEncoding, SoftSm2Key, pem};
use std::path::Path;
use std::process::{Command, Output};
use std::str::FromStr;

const ID: &str = "distid:1234567812345678";

fn openssl(dir: &Path, args: &[&str]) -> Output {
    Command::new("openssl").current_dir(dir).args(args).output().expect("openssl (scripts/deps.sh test installs it)")
}

fn ok(o: &Output) -> bool {
    o.status.success()
}

/// `openssl req -verify` of OpenSSL 3.0 exits 0 even when the signature fails: read its verdict.
fn req_verified(o: &Output) -> bool {
    let text = say(o);
    ok(o) && text.contains("self-signature verify OK") && !text.contains("verify failure")
}

fn say(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn subject() -> Name {
    Name::from_str("CN=张三,OU=受理台,O=测试单位,C=CN").unwrap()
}

/// A request signed on the (soft) key: its Z under the standard ID.
fn request(key: &SoftSm2Key) -> Vec<u8> {
    build_request(&subject(), &key.public(), &DistId::default(), key).unwrap().der().to_vec()
}

#[test]
fn request_verifies_in_openssl_only_with_the_id() {
    let dir = tempfile::tempdir().unwrap();
    for encoding in [SignatureEncoding::Raw, SignatureEncoding::Der, SignatureEncoding::SkfBlob] {
        let mut key = SoftSm2Key::generate();
        key.encoding = encoding;
        let req = build_request(&subject(), &key.public(), &DistId::default(), &key).unwrap();
        write(dir.path(), "req.pem", req.to_pem());
        let with_id = openssl(dir.path(), &["req", "-verify", "-noout", "-in", "req.pem", "-vfyopt", ID]);
        assert!(req_verified(&with_id), "{encoding:?}: {}", say(&with_id));
        let without = openssl(dir.path(), &["req", "-verify", "-noout", "-in", "req.pem"]);
        assert!(!req_verified(&without), "{encoding:?}: OpenSSL's empty ID must not verify a request whose Z used the standard ID");
        let other_id = openssl(dir.path(), &["req", "-verify", "-noout", "-in", "req.pem", "-vfyopt", "distid:1234567812345679"]);
        assert!(!req_verified(&other_id), "{encoding:?}: another ID must not verify");
        // the subject survives as given
        let text = openssl(dir.path(), &["req", "-noout", "-subject", "-nameopt", "utf8", "-in", "req.pem"]);
        assert!(say(&text).contains("张三"), "{}", say(&text));
    }
}

#[test]
fn ca_refuses_a_request_signed_under_another_id() {
    let ca = GmCa::root("certdesk test SM2 root");
    let key = SoftSm2Key::generate();
    let req = build_request(&subject(), &key.public(), &DistId::new("ALICE123@YAHOO.COM").unwrap(), &key).unwrap();
    assert!(matches!(ca.issue_signing(req.der()), Err(RequestError::BadSignature { .. })));
    ca.issue_signing(&request(&key)).unwrap();
}

#[test]
fn chain_verifies_in_openssl_link_by_link_and_in_certdesk_gm() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let root = GmCa::root("certdesk test SM2 root");
    let sub = root.sub_ca("certdesk test SM2 sub-CA");
    let key = SoftSm2Key::generate();
    let direct = root.issue_signing(&request(&key)).unwrap();
    let leaf = sub.issue_signing(&request(&key)).unwrap();
    write(d, "root.pem", root.cert_pem());
    write(d, "sub.pem", sub.cert_pem());
    write(d, "direct.pem", pem(&direct));
    write(d, "leaf.pem", pem(&leaf));

    // root → leaf, root → sub-CA: plain verify; sub-CA → leaf: -partial_chain (OpenSSL 3.0 cannot verify 3 SM2 levels)
    for (ca, ee, partial) in [("root.pem", "direct.pem", false), ("root.pem", "sub.pem", false), ("sub.pem", "leaf.pem", true)] {
        let mut args = vec!["verify", "-vfyopt", ID, "-CAfile", ca];
        if partial {
            args.push("-partial_chain");
        }
        args.push(ee);
        let o = openssl(d, &args);
        assert!(ok(&o) && say(&o).contains(": OK"), "{ca} → {ee}: {}", say(&o));
        let without_id: Vec<&str> = args.iter().filter(|a| **a != "-vfyopt" && **a != ID).copied().collect();
        assert!(!ok(&openssl(d, &without_id)), "{ca} → {ee} must not verify under the empty ID");
    }
    let wrong = openssl(d, &["verify", "-vfyopt", ID, "-partial_chain", "-CAfile", "root.pem", "leaf.pem"]);
    assert!(!ok(&wrong), "a leaf of the sub-CA must not verify against the root's key");

    // the root's self-signature: openssl dgst over the TBS with the root's public key
    let cert = split(root.cert_der());
    write(d, "root.tbs", &cert.0);
    write(d, "root.sig", &cert.1);
    let pubkey = openssl(d, &["x509", "-in", "root.pem", "-noout", "-pubkey", "-out", "root.pub"]);
    assert!(ok(&pubkey), "{}", say(&pubkey));
    let dgst = openssl(d, &["dgst", "-sm3", "-verify", "root.pub", "-sigopt", ID, "-signature", "root.sig", "root.tbs"]);
    assert!(ok(&dgst), "{}", say(&dgst));
    let mut tampered = cert.0.clone();
    *tampered.last_mut().unwrap() ^= 1;
    write(d, "tampered.tbs", &tampered);
    assert!(!ok(&openssl(d, &["dgst", "-sm3", "-verify", "root.pub", "-sigopt", ID, "-signature", "root.sig", "tampered.tbs"])));

    // certdesk-gm agrees with OpenSSL, and refuses what it refuses
    let id = DistId::default();
    let root_spki = spki_der_of(root.cert_der()).unwrap();
    let sub_spki = spki_der_of(sub.cert_der()).unwrap();
    verify_certificate(root.cert_der(), &root_spki, &id).unwrap();
    verify_certificate(sub.cert_der(), &root_spki, &id).unwrap();
    verify_certificate(&leaf, &sub_spki, &id).unwrap();
    verify_certificate(&direct, &root_spki, &id).unwrap();
    assert!(matches!(verify_certificate(&leaf, &root_spki, &id), Err(VerifyError::BadSignature { .. })), "wrong key");
    assert!(matches!(verify_certificate(&leaf, &sub_spki, &DistId::new("").unwrap()), Err(VerifyError::BadSignature { .. })), "wrong ID");
    certdesk_gm::verify_sm2_signed(&cert.0, &cert.1, &root_spki, &id).unwrap();
    assert!(matches!(certdesk_gm::verify_sm2_signed(&tampered, &cert.1, &root_spki, &id), Err(VerifyError::BadSignature { .. })), "tampered TBS");
    assert!(matches!(certdesk_gm::verify_sm2_signed(&cert.0, &cert.1[2..], &root_spki, &id), Err(VerifyError::SignatureEncoding { .. })));
}

/// (TBS bytes, signature DER) of a certificate.
fn split(der: &[u8]) -> (Vec<u8>, Vec<u8>) {
    use certdesk_gm::der::{Decode, Encode};
    let cert = certdesk_gm::x509_cert::Certificate::from_der(der).unwrap();
    (cert.tbs_certificate().to_der().unwrap(), cert.signature().as_bytes().unwrap().to_vec())
}

/// Opens an envelope with OpenSSL alone: the SM4 key with the signing key, then the private
/// key with the SM4 key. Returns the decrypted private key field.
fn open_with_openssl(d: &Path, envelope: &EnvelopedKey, signing_key_pem: &str) -> (Vec<u8>, Vec<u8>) {
    write(d, "sign.key", signing_key_pem);
    write(d, "cipher.der", envelope.cipher().to_der());
    let sm4 = openssl(d, &["pkeyutl", "-decrypt", "-inkey", "sign.key", "-in", "cipher.der", "-out", "sm4.key"]);
    assert!(ok(&sm4), "{}", say(&sm4));
    let sm4_key = std::fs::read(d.join("sm4.key")).unwrap();
    write(d, "epk.bin", envelope.encrypted_private_key());
    let dec = openssl(d, &["enc", "-d", "-sm4-ecb", "-nopad", "-K", &hex(&sm4_key), "-in", "epk.bin", "-out", "priv.bin"]);
    assert!(ok(&dec), "{}", say(&dec));
    (sm4_key, std::fs::read(d.join("priv.bin")).unwrap())
}

#[test]
fn both_envelope_forms_open_with_openssl_to_the_kmc_scalar() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ca = GmCa::root("certdesk test SM2 root");
    let key = SoftSm2Key::generate();
    let sign_cert = ca.issue_signing(&request(&key)).unwrap();
    let answer = ca.kmc_answer(&sign_cert);

    let CaAnswer::Gmt0009(gmt) = parse_ca_answer(&answer.gmt0009_der).unwrap() else { panic!("GM/T 0009 not detected") };
    assert_eq!(gmt.layout(), PrivateKeyLayout::Scalar32);
    let (sm4, private) = open_with_openssl(d, &gmt, &key.to_pkcs8_pem());
    assert_eq!(sm4, answer.sm4_key);
    assert_eq!(private, answer.enc_scalar, "GM/T 0009: exactly the KMC's scalar");
    assert_eq!(gmt.cipher().to_der(), answer.sm2_cipher_der, "SM2Cipher encodes as RustCrypto wrote it");

    let CaAnswer::SkfBlob(skf) = parse_ca_answer(&answer.skf_blob).unwrap() else { panic!("SKF blob not detected") };
    assert_eq!(skf.layout(), PrivateKeyLayout::RightAligned64);
    let (_, private) = open_with_openssl(d, &skf, &key.to_pkcs8_pem());
    assert_eq!(&private[..32], &[0u8; 32]);
    assert_eq!(private[32..], answer.enc_scalar, "SKF: the scalar right-aligned in 64 bytes");
    assert_eq!(skf.to_skf_blob(), answer.skf_blob, "SKF blob round trip");

    // GM/T 0009 carried in an SKF blob: the 32-byte ciphertext right-aligned, read back as such
    let carried = gmt.to_skf_blob();
    assert_eq!(carried.len(), answer.skf_blob.len());
    let back = EnvelopedKey::from_skf_blob(&carried).unwrap();
    assert_eq!(back, gmt);
    let (_, private) = open_with_openssl(d, &back, &key.to_pkcs8_pem());
    assert_eq!(private, answer.enc_scalar);

    // GM/T 0092: both certificates and the envelope
    let CaAnswer::CsrResponse(resp) = parse_ca_answer(&answer.csr_response_der).unwrap() else { panic!("CSRResponse not detected") };
    assert_eq!(resp.sign_certificates, vec![sign_cert.clone()]);
    assert_eq!(resp.encrypt_certificates, vec![answer.enc_cert_der.clone()]);
    assert_eq!(resp.encrypted_private_key.as_ref(), Some(&gmt));
    assert_eq!(resp.to_der().unwrap(), answer.csr_response_der);

    // the pre-write checks
    check_envelope_matches_encryption_cert(&gmt, &answer.enc_cert_der).unwrap();
    check_envelope_matches_encryption_cert(&skf, &answer.enc_cert_der).unwrap();
    check_sign_cert_matches_key(&sign_cert, &key.public()).unwrap();
    let other = ca.kmc_answer(&sign_cert);
    assert!(matches!(check_envelope_matches_encryption_cert(&gmt, &other.enc_cert_der), Err(CheckError::EncryptionKeyMismatch { .. })));
    assert!(matches!(check_sign_cert_matches_key(&sign_cert, &SoftSm2Key::generate().public()), Err(CheckError::SigningKeyMismatch { .. })));
    assert!(matches!(check_sign_cert_matches_key(b"not a certificate", &key.public()), Err(CheckError::Certificate { .. })));

    // another signing key cannot open it
    write(d, "other.key", SoftSm2Key::generate().to_pkcs8_pem());
    assert!(!ok(&openssl(d, &["pkeyutl", "-decrypt", "-inkey", "other.key", "-in", "cipher.der", "-out", "x.bin"])));
}
