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
                let key = rsa::RsaPublicKey::from_pkcs1_der(&cert.public_key).map_err(|e| SigError::Malformed(format!("the RSA key: {e}")))?;
                if key.size() * 8 < 2048 {
                    return Err(SigError::Unsupported(format!("an RSA key of {} bits (2048 at least)", key.size() * 8)));
                }
                Ok(SigAlgorithm::RsaPkcs1Sha256)
            }
            (EC_PUBLIC_KEY, Some(P256)) => Ok(SigAlgorithm::EcdsaP256Sha256),
            (EC_PUBLIC_KEY, Some(SM2_CURVE)) => Ok(SigAlgorithm::Sm2Sm3),
            (alg, curve) => Err(SigError::Unsupported(format!("a {alg} key{}", curve.map(|c| format!(" on {c}")).unwrap_or_default()))),
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
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    #[error("the certificate's key is {0}, which staff keys cannot be")]
    Unsupported(String),
    #[error("the signature is {signature}, the certificate's key signs {certificate}")]
    AlgorithmMismatch { signature: &'static str, certificate: &'static str },
    #[error("the signature does not verify with the certificate's key")]
    BadSignature,
    #[error("malformed: {0}")]
    Malformed(String),
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
            let point = Sm2Point::from_sec1(&cert.public_key, "the certificate's key").map_err(|e| SigError::Malformed(e.to_string()))?;
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
            let key = rsa::RsaPublicKey::from_pkcs1_der(&cert.public_key).map_err(|e| SigError::Malformed(format!("the RSA key: {e}")))?;
            key.verify(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message), signature).map_err(|_| SigError::BadSignature)
        }
        SigAlgorithm::EcdsaP256Sha256 => {
            use p256::ecdsa::signature::hazmat::PrehashVerifier;
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&cert.public_key).map_err(|e| SigError::Malformed(format!("the P-256 key: {e}")))?;
            let sig = p256::ecdsa::Signature::from_der(signature).map_err(|_| SigError::BadSignature)?;
            key.verify_prehash(&Sha256::digest(message), &sig).map_err(|_| SigError::BadSignature)
        }
        SigAlgorithm::Sm2Sm3 => {
            let point = Sm2Point::from_sec1(&cert.public_key, "the certificate's key").map_err(|e| SigError::Malformed(e.to_string()))?;
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
}
