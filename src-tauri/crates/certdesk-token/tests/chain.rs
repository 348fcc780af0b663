//! Path building and signature checks on certificates made by OpenSSL (RSA and P-256 CAs, SHA-1,
//! a non-CA signer, an impostor root with the same name, a tampered signature).

use certdesk_token::DistId;
use certdesk_token::cert::{ParsedCert, parse_many};
use certdesk_token::chain::{ChainError, build, verify_signed_by};
use std::path::Path;
use std::process::Command;

struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn new() -> Pki {
        let pki = Pki { dir: tempfile::tempdir().unwrap() };
        std::fs::write(pki.p("ext.cnf"), "[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign,cRLSign\n[ee]\nbasicConstraints=CA:FALSE\n").unwrap();
        pki
    }
    fn p(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
    fn openssl(&self, args: &[&str]) {
        let out = Command::new("openssl").args(args).current_dir(self.dir.path()).output().unwrap();
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    fn root(&self, name: &str, subject: &str) {
        let (key, pem) = (self.p(&format!("{name}.key")), self.p(&format!("{name}.pem")));
        self.openssl(&["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &pem, "-subj", subject, "-days", "3650"]);
    }
    /// A P-256 certificate for `subject` signed by `ca` with `digest`, as a CA or an end entity.
    fn issue(&self, name: &str, subject: &str, ca: &str, digest: &str, as_ca: bool) {
        let key = self.p(&format!("{name}.key"));
        let csr = self.p(&format!("{name}.csr"));
        self.openssl(&["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", &key, "-out", &csr, "-subj", subject]);
        let (ca_pem, ca_key) = (self.p(&format!("{ca}.pem")), self.p(&format!("{ca}.key")));
        let out = self.p(&format!("{name}.pem"));
        let ext = if as_ca { "ca" } else { "ee" };
        let digest = format!("-{digest}");
        self.openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca_pem,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-out",
            &out,
            "-days",
            "400",
            &digest,
            "-extfile",
            &self.p("ext.cnf"),
            "-extensions",
            ext,
        ]);
    }
    fn cert(&self, name: &str) -> ParsedCert {
        parse_many(&std::fs::read(Path::new(&self.p(&format!("{name}.pem")))).unwrap()).unwrap().remove(0)
    }
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[test]
fn paths_through_sent_certificates_to_configured_anchors() {
    let pki = Pki::new();
    pki.root("root", "/CN=Test Root CA/O=certdesk");
    pki.root("impostor", "/CN=Test Root CA/O=certdesk");
    pki.root("other", "/CN=Other Root CA");
    pki.issue("sub", "/CN=Test Sub CA", "root", "sha256", true);
    pki.issue("leaf", "/CN=Leaf", "sub", "sha256", false);
    pki.issue("direct", "/CN=Direct", "root", "sha384", false);
    pki.issue("unrelated", "/CN=Unrelated Sub CA", "other", "sha256", true);
    let (root, impostor, other, sub, leaf, direct, unrelated) =
        (pki.cert("root"), pki.cert("impostor"), pki.cert("other"), pki.cert("sub"), pki.cert("leaf"), pki.cert("direct"), pki.cert("unrelated"));

    // RSA-SHA256 (sub by root) and ECDSA-SHA256 (leaf by sub), an unrelated certificate left out
    let chain = build(&leaf, &[unrelated.clone(), sub.clone()], std::slice::from_ref(&root), now(), &DistId::default()).unwrap();
    assert_eq!(chain.intermediates.iter().map(|c| c.subject.as_str()).collect::<Vec<_>>(), ["CN=Test Sub CA"]);
    assert_eq!(chain.anchor.as_ref().map(|a| a.subject.as_str()), Some(root.subject.as_str()));
    assert_eq!(chain.dropped.iter().map(|c| c.subject.as_str()).collect::<Vec<_>>(), ["CN=Unrelated Sub CA"]);
    // RSA-SHA384 straight from the anchor
    assert!(build(&direct, &[], std::slice::from_ref(&root), now(), &DistId::default()).unwrap().intermediates.is_empty());

    // the same name with another key is not the anchor
    let err = build(&leaf, std::slice::from_ref(&sub), &[impostor], now(), &DistId::default()).unwrap_err();
    assert!(matches!(err, ChainError::BadSignature { ref subject, .. } if subject == "CN=Test Sub CA"), "{err}");
    // the intermediate missing, or another CA configured
    assert!(matches!(build(&leaf, &[], std::slice::from_ref(&root), now(), &DistId::default()), Err(ChainError::NoIssuer { ref issuer }) if issuer == "CN=Test Sub CA"));
    assert!(matches!(build(&leaf, std::slice::from_ref(&sub), std::slice::from_ref(&other), now(), &DistId::default()), Err(ChainError::NoIssuer { .. })));
    // an intermediate past its validity
    let later = sub.not_after_unix + 1;
    assert!(matches!(build(&leaf, std::slice::from_ref(&sub), std::slice::from_ref(&root), later, &DistId::default()), Err(ChainError::OutOfValidity { .. })));

    // nothing configured: the path runs as far as the signatures of what was sent verify
    let open = build(&leaf, &[root.clone(), unrelated.clone(), sub.clone()], &[], now(), &DistId::default()).unwrap();
    assert_eq!(open.intermediates.iter().map(|c| c.subject.as_str()).collect::<Vec<_>>(), ["CN=Test Sub CA", root.subject.as_str()]);
    assert!(open.anchor.is_none());
    assert_eq!(open.dropped.len(), 1);
}

#[test]
fn signatures_and_signers_are_checked() {
    let pki = Pki::new();
    pki.root("root", "/CN=Test Root CA");
    pki.issue("plain", "/CN=Not A CA", "root", "sha256", false);
    pki.issue("leaf", "/CN=Leaf", "plain", "sha256", false);
    pki.issue("old", "/CN=Old", "root", "sha1", false);
    let (root, plain, leaf, old) = (pki.cert("root"), pki.cert("plain"), pki.cert("leaf"), pki.cert("old"));

    assert!(
        matches!(build(&leaf, std::slice::from_ref(&plain), std::slice::from_ref(&root), now(), &DistId::default()), Err(ChainError::NotCa { ref subject }) if subject == "CN=Not A CA")
    );
    assert!(matches!(verify_signed_by(&old, &root, &DistId::default()), Err(ChainError::Unsupported { .. })));
    verify_signed_by(&plain, &root, &DistId::default()).unwrap();

    // one bit of the signature changed
    let mut tampered = plain.clone();
    let last = tampered.der.len() - 1;
    tampered.der[last] ^= 1;
    assert!(matches!(verify_signed_by(&tampered, &root, &DistId::default()), Err(ChainError::BadSignature { .. })));
    // one bit of the signed part changed (the subject name's last letter)
    let mut renamed = plain.clone();
    let at = renamed.der.windows(8).position(|w| w == b"Not A CA").unwrap() + 7;
    renamed.der[at] = b'B';
    assert!(matches!(verify_signed_by(&renamed, &root, &DistId::default()), Err(ChainError::BadSignature { .. })));
}

/// SM2 CAs (the test GmCa: root → sub-CA → leaf, SM2 with SM3 under the standard ID).
mod sm2 {
    use super::*;
    use certdesk_gm::x509_cert::name::Name;
    use certdesk_testkit::gm_ca::{GmCa, SoftSm2Key, Usage};
    use std::str::FromStr;

    fn one(der: &[u8]) -> ParsedCert {
        parse_many(der).unwrap().remove(0)
    }

    #[test]
    fn sm2_chain_holds_under_the_projects_id_and_not_under_another() {
        let root = GmCa::root("SM2 Root");
        let sub = root.sub_ca("SM2 Sub");
        let key = SoftSm2Key::generate();
        let leaf = one(&sub.issue(&Name::from_str("CN=张三,C=CN").unwrap(), &key.public(), Usage::Sign));
        let (root_c, sub_c) = (one(root.cert_der()), one(sub.cert_der()));

        let chain = build(&leaf, std::slice::from_ref(&sub_c), std::slice::from_ref(&root_c), now(), &DistId::default()).unwrap();
        assert_eq!(chain.intermediates.len(), 1);
        assert_eq!(chain.anchor.unwrap().subject, root_c.subject);

        // a project that says another distinguishing ID: the signatures do not verify
        let other_id = DistId::new(b"another-id".to_vec()).unwrap();
        assert!(matches!(build(&leaf, std::slice::from_ref(&sub_c), std::slice::from_ref(&root_c), now(), &other_id), Err(ChainError::BadSignature { .. })));

        // under another SM2 root of the same name: refused
        let impostor = one(GmCa::root("SM2 Root").cert_der());
        assert!(matches!(build(&leaf, std::slice::from_ref(&sub_c), &[impostor], now(), &DistId::default()), Err(ChainError::BadSignature { .. })));
        // under an unrelated root: no issuer
        let unrelated = one(GmCa::root("Other Root").cert_der());
        assert!(matches!(build(&leaf, std::slice::from_ref(&sub_c), &[unrelated], now(), &DistId::default()), Err(ChainError::NoIssuer { .. })));
    }
}
