//! The SM2 PKCS#10 request (RFC 2986 with GM/T 0092's algorithms): SPKI id-ecPublicKey with
//! the SM2 curve, signature algorithm sm2sign-with-sm3 (1.2.156.10197.1.501) without
//! parameters, signature value the DER `SM2Signature` (a raw 64-byte r‖s BIT STRING is what
//! OpenSSL rejects). Owns the signer contract with the token side and the normalisation of
//! what tokens return (raw r‖s, DER, SKF `ECCSIGNATUREBLOB`). Does not talk to a token and
//! adds no attributes: the subject is taken as the caller gives it.

use crate::oid;
use crate::point::{DistId, KeyError, Sm2Point};
use crate::z::sm3_e;
use der::asn1::BitString;
use der::pem::LineEnding;
use der::{Decode, Encode, EncodePem};
use sm2::dsa::signature::hazmat::PrehashVerifier;
use sm2::dsa::{DerSignature, Signature};
use x509_cert::name::Name;
use x509_cert::request::{CertReq, CertReqInfo, Version};
use x509_cert::spki::AlgorithmIdentifierOwned;

/// What the token side implements: sign the 32-byte e = SM3(Z‖M) with the case's SM2 key
/// (`SKF_ECCSignData`, a vendor "sign e" mechanism). The key never leaves the token. The
/// answer may be raw r‖s (64 bytes), a DER `SM2Signature`, or an SKF `ECCSIGNATUREBLOB`
/// (r[64] ‖ s[64], right-aligned): [`normalise_signature`] accepts each.
pub trait Sm2PrehashSigner {
    type Error: std::error::Error + Send + Sync + 'static;

    fn sign_e(&self, e: &[u8; 32]) -> Result<Vec<u8>, Self::Error>;
}

/// Bytes a signer returned that are no SM2 signature in any accepted encoding.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureFormatError {
    #[error("signature of {len} bytes is neither DER SM2Signature, raw r‖s (64) nor an ECCSIGNATUREBLOB (128)")]
    UnknownEncoding { len: usize },
    #[error("signature {encoding}: r or s is zero or not below the group order")]
    OutOfRange { encoding: &'static str },
    #[error("ECCSIGNATUREBLOB: the high 32 bytes of {field} are not zero (a 256-bit value is right-aligned)")]
    NotRightAligned { field: &'static str },
}

/// Turns a token's signature into the DER `SM2Signature` (SEQUENCE { r INTEGER, s INTEGER }).
pub fn normalise_signature(bytes: &[u8]) -> Result<Vec<u8>, SignatureFormatError> {
    if bytes.first() == Some(&0x30)
        && let Ok(der) = DerSignature::from_bytes(bytes)
    {
        // range check r and s as well
        Signature::try_from(der.clone()).map_err(|_| SignatureFormatError::OutOfRange { encoding: "DER" })?;
        return Ok(der.to_vec());
    }
    let raw: Vec<u8> = match bytes.len() {
        64 => bytes.to_vec(),
        128 => {
            for (field, half) in [("r", &bytes[..64]), ("s", &bytes[64..])] {
                if half[..32].iter().any(|b| *b != 0) {
                    return Err(SignatureFormatError::NotRightAligned { field });
                }
            }
            [&bytes[32..64], &bytes[96..]].concat()
        }
        len => return Err(SignatureFormatError::UnknownEncoding { len }),
    };
    let encoding = if bytes.len() == 64 { "raw r‖s" } else { "ECCSIGNATUREBLOB" };
    let sig = Signature::from_slice(&raw).map_err(|_| SignatureFormatError::OutOfRange { encoding })?;
    Ok(sig.to_der().to_vec())
}

/// Why a request was not made or does not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    #[error("the token refused to sign the request")]
    Signer(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("the token's signature")]
    SignatureFormat(#[from] SignatureFormatError),
    #[error("the token's signature does not verify with the request's public key and ID {distid} (another key, or the token hashed e again)")]
    SignatureDoesNotVerify { distid: String },
    #[error("encoding the request")]
    Encode(#[source] der::Error),
    #[error("malformed PKCS#10 request")]
    Malformed(#[source] der::Error),
    #[error("request signature algorithm {found}: expected SM2 with SM3 (1.2.156.10197.1.501)")]
    NotSm2WithSm3 { found: String },
    #[error("request public key")]
    Key(#[from] KeyError),
    #[error("the request's signature does not verify under ID {distid}")]
    BadSignature { distid: String },
}

/// A DER-encoded SM2 PKCS#10 request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sm2Request {
    der: Vec<u8>,
}

impl Sm2Request {
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// `-----BEGIN CERTIFICATE REQUEST-----`, LF line endings.
    pub fn to_pem(&self) -> String {
        CertReq::from_der(&self.der).and_then(|r| r.to_pem(LineEnding::LF)).expect("a request this crate encoded decodes and encodes again")
    }
}

/// The signature AlgorithmIdentifier of GM/T 0015: sm2sign-with-sm3, parameters absent.
pub fn sm2_with_sm3() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned { oid: oid::SM2_WITH_SM3, parameters: None }
}

/// Builds the request for `public_key` (the key generated on the token) with `subject`,
/// has the token sign e = SM3(Z‖CertificationRequestInfo) with Z under `distid`, normalises
/// the signature to DER and checks it against `public_key` before returning.
pub fn build_request<S: Sm2PrehashSigner>(subject: &Name, public_key: &Sm2Point, distid: &DistId, signer: &S) -> Result<Sm2Request, RequestError> {
    let info = CertReqInfo { version: Version::V1, subject: subject.clone(), public_key: public_key.to_spki(), attributes: Default::default() };
    let tbs = info.to_der().map_err(RequestError::Encode)?;
    let e = sm3_e(public_key, distid, &tbs);
    let answer = signer.sign_e(&e).map_err(|err| RequestError::Signer(Box::new(err)))?;
    let der_sig = normalise_signature(&answer)?;
    check_signature(public_key, &e, &der_sig).map_err(|()| RequestError::SignatureDoesNotVerify { distid: distid.to_string() })?;
    let req = CertReq { info, algorithm: sm2_with_sm3(), signature: BitString::from_bytes(&der_sig).map_err(RequestError::Encode)? };
    Ok(Sm2Request { der: req.to_der().map_err(RequestError::Encode)? })
}

/// Checks a DER request's SM2 signature under `distid` (what a CA does first) and returns
/// its public key.
pub fn verify_request(der: &[u8], distid: &DistId) -> Result<Sm2Point, RequestError> {
    let req = CertReq::from_der(der).map_err(RequestError::Malformed)?;
    if req.algorithm.oid != oid::SM2_WITH_SM3 {
        return Err(RequestError::NotSm2WithSm3 { found: req.algorithm.oid.to_string() });
    }
    let key = Sm2Point::from_spki(&req.info.public_key, "request public key")?;
    let tbs = crate::verify::first_element(der).map_err(RequestError::Malformed)?;
    let sig = req.signature.as_bytes().unwrap_or_default();
    let e = sm3_e(&key, distid, tbs);
    check_signature(&key, &e, sig).map_err(|()| RequestError::BadSignature { distid: distid.to_string() })?;
    Ok(key)
}

/// Verifies a DER SM2Signature over the prehash `e`.
pub(crate) fn check_signature(key: &Sm2Point, e: &[u8; 32], der_sig: &[u8]) -> Result<(), ()> {
    let sig = Signature::from_der(der_sig).map_err(|_| ())?;
    // the ID is irrelevant to a prehash check: e already carries Z
    let vk = sm2::dsa::VerifyingKey::new("", key.to_public_key()).map_err(|_| ())?;
    vk.verify_prehash(e, &sig).map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sm2::dsa::signature::hazmat::PrehashSigner;
    use sm2::elliptic_curve::Generate;
    use std::str::FromStr;

    struct Soft(sm2::dsa::SigningKey, &'static str);

    #[derive(Debug, thiserror::Error)]
    #[error("soft signer")]
    struct SoftError;

    impl Sm2PrehashSigner for Soft {
        type Error = SoftError;
        fn sign_e(&self, e: &[u8; 32]) -> Result<Vec<u8>, SoftError> {
            let sig: Signature = self.0.sign_prehash(e).map_err(|_| SoftError)?;
            Ok(match self.1 {
                "raw" => sig.to_vec(),
                "der" => sig.to_der().to_vec(),
                "blob" => [&[0u8; 32][..], &sig.r_bytes(), &[0u8; 32], &sig.s_bytes()].concat(),
                _ => b"nonsense".to_vec(),
            })
        }
    }

    fn soft(encoding: &'static str) -> (Soft, Sm2Point) {
        let sk = sm2::SecretKey::generate();
        let point = Sm2Point::from_sec1(&sk.public_key().to_sec1_bytes(), "key").unwrap();
        (Soft(sm2::dsa::SigningKey::new("", &sk).unwrap(), encoding), point)
    }

    #[test]
    fn every_signer_encoding_gives_the_same_der_request() {
        let subject = Name::from_str("CN=张三,O=测试单位,C=CN").unwrap();
        for encoding in ["raw", "der", "blob"] {
            let (signer, point) = soft(encoding);
            let req = build_request(&subject, &point, &DistId::default(), &signer).unwrap();
            assert_eq!(verify_request(req.der(), &DistId::default()).unwrap(), point);
            assert!(matches!(verify_request(req.der(), &DistId::new("").unwrap()), Err(RequestError::BadSignature { .. })));
            let parsed = CertReq::from_der(req.der()).unwrap();
            assert_eq!(parsed.algorithm, sm2_with_sm3());
            assert_eq!(parsed.signature.as_bytes().unwrap()[0], 0x30, "{encoding}: DER SM2Signature");
            assert!(req.to_pem().starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
        }
    }

    #[test]
    fn signer_garbage_and_wrong_key_are_refused() {
        let subject = Name::from_str("CN=x").unwrap();
        let (signer, _) = soft("nonsense");
        let (_, point) = soft("der");
        assert!(matches!(build_request(&subject, &point, &DistId::default(), &signer), Err(RequestError::SignatureFormat(_))));
        let (signer, _) = soft("der");
        assert!(matches!(build_request(&subject, &point, &DistId::default(), &signer), Err(RequestError::SignatureDoesNotVerify { .. })));
    }

    #[test]
    fn normalise_rejects_zero_and_misaligned() {
        assert!(matches!(normalise_signature(&[0u8; 64]), Err(SignatureFormatError::OutOfRange { .. })));
        let mut blob = [1u8; 128];
        blob[..32].fill(0);
        assert!(matches!(normalise_signature(&blob), Err(SignatureFormatError::NotRightAligned { field: "s" })));
        assert!(matches!(normalise_signature(&[0x30, 0x03, 0x02, 0x01]), Err(SignatureFormatError::UnknownEncoding { len: 4 })));
    }
}
