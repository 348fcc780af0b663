//! Staff keys for the store's tests (#31): software P-256 keys and their certificates from an
//! OpenSSL operator CA, signed statements made as the desk makes them, and the desk's signature
//! check (`certdesk_token::staff`). Owns no rule of the product.

use certdesk_domain::workflow::{Actor, SignatureFailure, SignatureRefusal};
use certdesk_store::Store;
use certdesk_store::detail;
use certdesk_store::staff_keys::{NewEnrolment, SignatureCheck, SignedApproval, VerifiedApproval, verify_approval};
use certdesk_token::staff::{self, SigAlgorithm};
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Check;
impl SignatureCheck for Check {
    fn check(&self, der: &[u8], algorithm: &str, message: &[u8], signature: &[u8]) -> Result<(), SignatureFailure> {
        let cert = certdesk_token::cert::parse_many(der).map_err(|e| SignatureFailure::Malformed(e.to_string()))?.remove(0);
        let algorithm = SigAlgorithm::parse(algorithm).ok_or_else(|| SignatureFailure::UnknownAlgorithm(algorithm.into()))?;
        staff::verify(&cert, algorithm, message, signature).map_err(|_| SignatureFailure::BadSignature)
    }
    fn digest(&self, der: &[u8], algorithm: &str, message: &[u8]) -> Result<Vec<u8>, SignatureFailure> {
        let cert = certdesk_token::cert::parse_many(der).map_err(|e| SignatureFailure::Malformed(e.to_string()))?.remove(0);
        let algorithm = SigAlgorithm::parse(algorithm).ok_or_else(|| SignatureFailure::UnknownAlgorithm(algorithm.into()))?;
        staff::digest(&cert, algorithm, message).map_err(|e| SignatureFailure::Malformed(e.to_string()))
    }
}

/// `signed`, an approval of case `number` by `signer`, verified as the desk verifies it before
/// the approval: with the signer's open enrolment, over the case as it stands now.
pub fn verified(store: &Store, number: &certdesk_domain::CaseNumber, signer: &Actor, signed: SignedApproval) -> Result<VerifiedApproval, SignatureRefusal> {
    let enrolment = store.enrolments(Some(signer.name())).unwrap().into_iter().rfind(|e| e.ended_at.is_none()).expect("an open enrolment");
    let (_, facts) = store.facts(number).unwrap();
    verify_approval(&enrolment, number.as_str(), &facts.approval_digest, signer, signed, &Check)
}

pub fn openssl(args: &[&str]) {
    let out = Command::new("openssl").args(args).output().unwrap();
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A software P-256 staff key and its certificate from the CA in `dir` (made once).
pub struct SoftKey {
    key: PathBuf,
    cert_der: Vec<u8>,
}

pub fn operator_ca(dir: &Path) -> PathBuf {
    let ca = dir.join("ca.pem");
    if !ca.exists() {
        let key = dir.join("ca.key").display().to_string();
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            "/CN=operator CA",
            "-days",
            "30",
            "-keyout",
            &key,
            "-out",
            &ca.display().to_string(),
        ]);
    }
    ca
}

pub fn soft_key(dir: &Path, name: &str) -> SoftKey {
    let ca = operator_ca(dir);
    let p = |ext: &str| dir.join(format!("{name}.{ext}")).display().to_string();
    openssl(&["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", &format!("/CN={name}"), "-keyout", &p("key"), "-out", &p("csr")]);
    std::fs::write(p("ext"), "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n").unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        &p("csr"),
        "-CA",
        &ca.display().to_string(),
        "-CAkey",
        &dir.join("ca.key").display().to_string(),
        "-CAcreateserial",
        "-days",
        "30",
        "-extfile",
        &p("ext"),
        "-outform",
        "DER",
        "-out",
        &p("der"),
    ]);
    SoftKey { key: PathBuf::from(p("key")), cert_der: std::fs::read(p("der")).unwrap() }
}

impl SoftKey {
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let dir = self.key.parent().unwrap();
        let (m, s) = (dir.join("m.bin"), dir.join("s.bin"));
        std::fs::write(&m, message).unwrap();
        openssl(&["dgst", "-sha256", "-sign", &self.key.display().to_string(), "-out", &s.display().to_string(), &m.display().to_string()]);
        std::fs::read(&s).unwrap()
    }

    pub fn fingerprint(&self) -> String {
        staff::fingerprint(&self.cert_der)
    }

    pub fn enrolment(&self) -> NewEnrolment {
        let cert = certdesk_token::cert::parse_many(&self.cert_der).unwrap().remove(0);
        let utc = |t: i64| chrono::DateTime::from_timestamp(t, 0).unwrap().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        NewEnrolment {
            fingerprint: self.fingerprint(),
            certificate_der: self.cert_der.clone(),
            chain_pem: String::new(),
            algorithm: "ec-p256".into(),
            subject: cert.subject.clone(),
            issuer: cert.issuer.clone(),
            serial_hex: cert.serial_hex.clone(),
            not_before: utc(cert.not_before_unix),
            not_after: utc(cert.not_after_unix),
        }
    }

    /// The signed approval of case `number` by `signer` as the desk makes it.
    pub fn approval(&self, store: &Store, number: &certdesk_domain::CaseNumber, signer: &str) -> SignedApproval {
        let (_, facts) = store.facts(number).unwrap();
        let statement = certdesk_domain::staff::approval_statement("GZ01", number.as_str(), &facts.approval_digest, signer, &self.fingerprint());
        let signature = self.sign(statement.as_bytes());
        let digest = staff::digest(&certdesk_token::cert::parse_many(&self.cert_der).unwrap().remove(0), SigAlgorithm::EcdsaP256Sha256, statement.as_bytes()).unwrap();
        SignedApproval {
            detail: detail::ApprovalSigned {
                algorithm: "ecdsa-p256-sha256".into(),
                digest_hex: certdesk_store::staff_keys::hex(&digest),
                signature_b64: String::new(),
                fingerprint: self.fingerprint(),
                counter: "GZ01".into(),
                sm2_id: None,
            },
            signature,
        }
    }
}
