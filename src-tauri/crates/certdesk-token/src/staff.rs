//! Staff signatures (#31): the signature a counter member's own key makes over a statement (a
//! sign-in challenge, an approval, a closed day), its algorithm's wire name, the digest it is
//! over "as hashed" (SHA-256 of the statement, or SM2's e = SM3(Z ‖ M) with Z under the default
//! distinguishing ID) and the check of such a signature with the member's certificate. No IO:
//! the key side is `Keys::sign_as`; the statements themselves are the store's.

use crate::cert::ParsedCert;
use certdesk_gm::{DistId, Sm2Point};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const P256: &str = "1.2.840.10045.3.1.7";
const SM2_CURVE: &str = "1.2.156.10197.1.301";

/// How a staff signature is made, by the family of the certificate's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub enum SigAlgorithm {
    /// RSA PKCS#1 v1.5 over SHA-256(M); the signature is the raw block (RSA has no DER form)
    #[serde(rename = "rsa-pkcs1-sha256")]
    RsaPkcs1Sha256,
    /// ECDSA P-256 over SHA-256(M); DER `ECDSA-Sig-Value`
    #[serde(rename = "ecdsa-p256-sha256")]
    EcdsaP256Sha256,
    /// SM2 over e = SM3(Z ‖ M), Z under `1234567812345678`; DER `SM2Signature`
    #[serde(rename = "sm2-sm3")]
    Sm2Sm3,
}

impl SigAlgorithm {
    pub fn wire(self) -> &'static str {
        match self {
            SigAlgorithm::RsaPkcs1Sha256 => "rsa-pkcs1-sha256",
            SigAlgorithm::EcdsaP256Sha256 => "ecdsa-p256-sha256",
            SigAlgorithm::Sm2Sm3 => "sm2-sm3",
        }
    }

    pub fn parse(wire: &str) -> Option<SigAlgorithm> {
        [SigAlgorithm::RsaPkcs1Sha256, SigAlgorithm::EcdsaP256Sha256, SigAlgorithm::Sm2Sm3].into_iter().find(|a| a.wire() == wire)
    }

    /// The algorithm a key of `cert` signs with: RSA of 2048 bits or more, P-256 or SM2.
    pub fn of_certificate(cert: &ParsedCert) -> Result<SigAlgorithm, SigError> {
        match (cert.key_algorithm.as_str(), cert.key_curve.as_deref()) {
            (RSA_ENCRYPTION, _) => {
                use rsa::pkcs1::DecodeRsaPublicKey;
                use rsa::traits::PublicKeyParts;
                let key = rsa::RsaPublicKey::from_pkcs1_der(&cert.public_key).map_err(|e| SigError::Malformed(MalformedKey::Rsa(e)))?;
                if key.size() * 8 < 2048 {
                    return Err(SigError::Unsupported(UnsupportedKey::ShortRsa { bits: key.size() * 8 }));
                }
                Ok(SigAlgorithm::RsaPkcs1Sha256)
            }
            (EC_PUBLIC_KEY, Some(P256)) => Ok(SigAlgorithm::EcdsaP256Sha256),
            (EC_PUBLIC_KEY, Some(SM2_CURVE)) => Ok(SigAlgorithm::Sm2Sm3),
            (alg, curve) => Err(SigError::Unsupported(UnsupportedKey::OtherAlgorithm { algorithm: alg.to_string(), curve: curve.map(str::to_string) })),
        }
    }

    /// The family's short name as an enrolment records it: `rsa-2048` (every size accepted),
    /// `ec-p256`, `sm2`.
    pub fn key_family(self) -> &'static str {
        match self {
            SigAlgorithm::RsaPkcs1Sha256 => "rsa-2048",
            SigAlgorithm::EcdsaP256Sha256 => "ec-p256",
            SigAlgorithm::Sm2Sm3 => "sm2",
        }
    }
}

/// Why a staff signature does not check.
#[derive(Debug, thiserror::Error)]
pub enum SigError {
    #[error("the certificate's key is {0}, which staff keys cannot be")]
    Unsupported(UnsupportedKey),
    #[error("the signature is {signature}, the certificate's key signs {certificate}")]
    AlgorithmMismatch { signature: &'static str, certificate: &'static str },
    #[error("the signature does not verify with the certificate's key")]
    BadSignature,
    #[error("malformed: {0}")]
    Malformed(MalformedKey),
}

/// A key staff keys cannot be: RSA below 2048 bits, or neither RSA, P-256 nor SM2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnsupportedKey {
    #[error("an RSA key of {bits} bits (2048 at least)")]
    ShortRsa { bits: usize },
    /// The key's algorithm OID, and its curve's where it names one.
    #[error("a {algorithm} key{}", curve.as_ref().map(|c| format!(" on {c}")).unwrap_or_default())]
    OtherAlgorithm { algorithm: String, curve: Option<String> },
}

/// The certificate's public key cannot be read as the key of its algorithm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MalformedKey {
    #[error("the RSA key: {0}")]
    Rsa(#[source] rsa::pkcs1::Error),
    #[error("the P-256 key: {0}")]
    P256(#[source] p256::ecdsa::Error),
    #[error(transparent)]
    Sm2(certdesk_gm::KeyError),
}

/// A signature made by a staff key: its algorithm, the digest it is over as hashed (SHA-256 of
/// the statement, or SM2's e) and the signature (DER for ECDSA and SM2, the raw block for RSA).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffSignature {
    pub algorithm: SigAlgorithm,
    pub digest: Vec<u8>,
    pub signature: Vec<u8>,
}

/// The distinguishing ID of staff SM2 keys: always GM/T 0009's default (never a project's).
pub fn staff_distid() -> DistId {
    DistId::default()
}

/// The digest a signature of `algorithm` by `cert`'s key covers, as hashed: SHA-256(M), or
/// e = SM3(Z ‖ M) with Z of the certificate's key under [`staff_distid`].
pub fn digest(cert: &ParsedCert, algorithm: SigAlgorithm, message: &[u8]) -> Result<Vec<u8>, SigError> {
    digest_under(cert, algorithm, message, &staff_distid())
}

/// [`digest`] with SM2's Z under `distid` (a project's ID for a key its CA issued); RSA and
/// P-256 have no Z.
pub fn digest_under(cert: &ParsedCert, algorithm: SigAlgorithm, message: &[u8], distid: &DistId) -> Result<Vec<u8>, SigError> {
    match algorithm {
        SigAlgorithm::RsaPkcs1Sha256 | SigAlgorithm::EcdsaP256Sha256 => Ok(Sha256::digest(message).to_vec()),
        SigAlgorithm::Sm2Sm3 => {
            let point = Sm2Point::from_sec1(&cert.public_key, "the certificate's key").map_err(|e| SigError::Malformed(MalformedKey::Sm2(e)))?;
            Ok(certdesk_gm::sm3_e(&point, distid, message).to_vec())
        }
    }
}

/// Whether `signature` is `cert`'s key's signature of `algorithm` over `message`. Refuses an
/// algorithm that is not the one the certificate's key signs with.
pub fn verify(cert: &ParsedCert, algorithm: SigAlgorithm, message: &[u8], signature: &[u8]) -> Result<(), SigError> {
    verify_under(cert, algorithm, message, signature, &staff_distid())
}

/// [`verify`] with SM2's Z under `distid`.
pub fn verify_under(cert: &ParsedCert, algorithm: SigAlgorithm, message: &[u8], signature: &[u8], distid: &DistId) -> Result<(), SigError> {
    let expected = SigAlgorithm::of_certificate(cert)?;
    if expected != algorithm {
        return Err(SigError::AlgorithmMismatch { signature: algorithm.wire(), certificate: expected.wire() });
    }
    match algorithm {
        SigAlgorithm::RsaPkcs1Sha256 => {
            use rsa::pkcs1::DecodeRsaPublicKey;
            let key = rsa::RsaPublicKey::from_pkcs1_der(&cert.public_key).map_err(|e| SigError::Malformed(MalformedKey::Rsa(e)))?;
            key.verify(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message), signature).map_err(|_| SigError::BadSignature)
        }
        SigAlgorithm::EcdsaP256Sha256 => {
            use p256::ecdsa::signature::hazmat::PrehashVerifier;
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&cert.public_key).map_err(|e| SigError::Malformed(MalformedKey::P256(e)))?;
            let sig = p256::ecdsa::Signature::from_der(signature).map_err(|_| SigError::BadSignature)?;
            key.verify_prehash(&Sha256::digest(message), &sig).map_err(|_| SigError::BadSignature)
        }
        SigAlgorithm::Sm2Sm3 => {
            let point = Sm2Point::from_sec1(&cert.public_key, "the certificate's key").map_err(|e| SigError::Malformed(MalformedKey::Sm2(e)))?;
            certdesk_gm::verify_with_point(message, signature, &point, distid).map_err(|_| SigError::BadSignature)
        }
    }
}

/// SHA-256 of a certificate's DER, hex: how a staff certificate is named everywhere.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithms_round_trip_their_wire_names() {
        for a in [SigAlgorithm::RsaPkcs1Sha256, SigAlgorithm::EcdsaP256Sha256, SigAlgorithm::Sm2Sm3] {
            assert_eq!(SigAlgorithm::parse(a.wire()), Some(a));
            assert_eq!(serde_json::to_value(a).unwrap(), serde_json::Value::String(a.wire().into()));
        }
        assert_eq!(SigAlgorithm::parse("sha1-rsa"), None);
    }

    fn cert_with_key(algorithm: &str, curve: Option<&str>, public_key: &[u8]) -> ParsedCert {
        ParsedCert {
            der: Vec::new(),
            subject_der: Vec::new(),
            issuer_der: Vec::new(),
            serial_der: Vec::new(),
            public_key: public_key.to_vec(),
            subject: "CN=test".into(),
            issuer: "CN=test".into(),
            serial_hex: "01".into(),
            not_after: String::new(),
            not_before: String::new(),
            not_before_unix: 0,
            not_after_unix: 0,
            key_algorithm: algorithm.into(),
            key_curve: curve.map(str::to_string),
            is_ca: false,
            may_sign: true,
            subject_attributes: Vec::new(),
        }
    }

    /// #75: a key staff keys cannot be, and one that cannot be read, are typed reasons with
    /// the words the text had.
    #[test]
    fn unusable_and_unreadable_keys_are_typed_reasons() {
        let dsa = SigAlgorithm::of_certificate(&cert_with_key("1.2.840.10040.4.1", None, b"")).unwrap_err();
        assert!(matches!(&dsa, SigError::Unsupported(UnsupportedKey::OtherAlgorithm { curve: None, .. })), "{dsa:?}");
        assert_eq!(dsa.to_string(), "the certificate's key is a 1.2.840.10040.4.1 key, which staff keys cannot be");
        let p384 = SigAlgorithm::of_certificate(&cert_with_key(EC_PUBLIC_KEY, Some("1.3.132.0.34"), b"")).unwrap_err();
        assert_eq!(p384.to_string(), "the certificate's key is a 1.2.840.10045.2.1 key on 1.3.132.0.34, which staff keys cannot be");
        let rsa = SigAlgorithm::of_certificate(&cert_with_key(RSA_ENCRYPTION, None, b"\x30\x00")).unwrap_err();
        assert!(matches!(&rsa, SigError::Malformed(MalformedKey::Rsa(_))), "{rsa:?}");
        assert!(rsa.to_string().starts_with("malformed: the RSA key: "), "{rsa}");
        let sm2 = digest(&cert_with_key(EC_PUBLIC_KEY, Some(SM2_CURVE), &[4; 3]), SigAlgorithm::Sm2Sm3, b"m").unwrap_err();
        assert!(matches!(&sm2, SigError::Malformed(MalformedKey::Sm2(_))), "{sm2:?}");
        assert_eq!(sm2.to_string(), "malformed: the certificate's key: expected an uncompressed SM2 point (04‖X‖Y, 65 bytes), got 3 bytes");
        let p256 = verify(&cert_with_key(EC_PUBLIC_KEY, Some(P256), &[4; 3]), SigAlgorithm::EcdsaP256Sha256, b"m", b"").unwrap_err();
        assert!(matches!(&p256, SigError::Malformed(MalformedKey::P256(_))), "{p256:?}");
        assert!(p256.to_string().starts_with("malformed: the P-256 key: "), "{p256}");
    }
}
