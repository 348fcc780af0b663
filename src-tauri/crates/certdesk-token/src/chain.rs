//! Whether an issued certificate chains to the CA certificates a project trusts: signatures
//! (RSA PKCS#1 v1.5 with SHA-256/384/512, ECDSA P-256 with SHA-256/384, SM2 with SM3 under the
//! project's distinguishing ID through `certdesk-gm`), issuer names, CA flags
//! and validity of every certificate on the way. Owns path building over the certificates a CA
//! sent along (a PKCS#7 in any order); the anchors themselves are trusted as configured. Does not
//! know where anchors come from (the catalog's `forms/<project>/ca/`) nor check revocation: the
//! counter is offline.

use crate::cert::{ParsedCert, children, tlv};
use certdesk_gm::DistId;
use sha2::Digest;

/// The longest path accepted from the issued certificate to an anchor.
pub const MAX_DEPTH: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("no certificate of {issuer} was sent along and the project trusts no such CA")]
    NoIssuer { issuer: String },
    #[error("the signature on {subject} does not verify with the key of {issuer}")]
    BadSignature { subject: String, issuer: String },
    #[error("{subject} is signed with {algorithm}, which the counter does not accept")]
    Unsupported { subject: String, algorithm: String },
    #[error("{subject} is valid from {not_before} to {not_after}, not now")]
    OutOfValidity { subject: String, not_before: String, not_after: String },
    #[error("{subject} signs certificates but is not a CA certificate (basicConstraints)")]
    NotCa { subject: String },
    #[error("the chain from {subject} is longer than {MAX_DEPTH} certificates")]
    TooLong { subject: String },
    #[error("certificate {subject} is malformed: {part}")]
    Malformed { subject: String, part: MalformedPart },
}

/// Which part of a certificate's outer DER (certificate, algorithm, signature) is not as
/// RFC 5280 lays it out: what is needed to check its signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MalformedPart {
    #[error("not a DER sequence")]
    NotDerSequence,
    #[error("not three parts")]
    NotThreeParts,
    #[error("algorithm")]
    Algorithm,
    #[error(transparent)]
    AlgorithmOid(der::Error),
    #[error("signature")]
    Signature,
    #[error("signature is not a whole-byte BIT STRING")]
    SignatureNotWholeBytes,
}

impl ChainError {
    /// The refusal in the key clerk's words.
    pub fn zh(&self) -> String {
        match self {
            ChainError::NoIssuer { issuer } => format!("未随附签发者 {issuer} 的证书，本项目也不信任该CA"),
            ChainError::BadSignature { subject, issuer } => format!("{subject} 上的签名无法用 {issuer} 的公钥验证"),
            ChainError::Unsupported { subject, algorithm } => format!("{subject} 使用 {algorithm} 签名，受理台不接受"),
            ChainError::OutOfValidity { subject, not_before, not_after } => format!("{subject} 的有效期为 {not_before} 至 {not_after}，当前不在有效期内"),
            ChainError::NotCa { subject } => format!("{subject} 签发了证书，但它不是CA证书"),
            ChainError::TooLong { subject } => format!("自 {subject} 起的证书链超过 {MAX_DEPTH} 张"),
            ChainError::Malformed { subject, part } => format!("证书 {subject} 格式有误：{part}"),
        }
    }
}

/// A verified path: the CA certificates between the issued certificate and the anchor
/// (issuer first), the anchor it ends at, and the certificates sent along that were left out.
#[derive(Debug, Clone)]
pub struct Chain {
    pub intermediates: Vec<ParsedCert>,
    pub anchor: Option<ParsedCert>,
    pub dropped: Vec<ParsedCert>,
}

/// Builds and verifies the path from `leaf` through `sent` (the other certificates of the CA's
/// file) to one of `anchors`, everything valid at `now_unix`. With no anchors configured the
/// path runs through the certificates sent along as far as their signatures verify, and ends
/// without an anchor: the caller says so. SM2 signatures are checked with Z under `distid`
/// (the project's distinguishing ID; GM/T 0009's `1234567812345678` unless it says otherwise).
pub fn build(leaf: &ParsedCert, sent: &[ParsedCert], anchors: &[ParsedCert], now_unix: i64, distid: &DistId) -> Result<Chain, ChainError> {
    let mut intermediates: Vec<ParsedCert> = Vec::new();
    let mut current = leaf.clone();
    loop {
        if let Some(anchor) = anchors.iter().find(|a| a.subject_der == current.issuer_der) {
            verify_signed_by(&current, anchor, distid)?;
            if !anchor.valid_at(now_unix) {
                return Err(ChainError::OutOfValidity { subject: anchor.subject.clone(), not_before: anchor.not_before.clone(), not_after: anchor.not_after.clone() });
            }
            let dropped = unused(sent, &intermediates);
            return Ok(Chain { intermediates, anchor: Some(anchor.clone()), dropped });
        }
        let next = sent.iter().find(|c| c.subject_der == current.issuer_der && c.der != current.der && !intermediates.iter().any(|i| i.der == c.der));
        let Some(next) = next else {
            if anchors.is_empty() {
                let dropped = unused(sent, &intermediates);
                return Ok(Chain { intermediates, anchor: None, dropped });
            }
            return Err(ChainError::NoIssuer { issuer: current.issuer.clone() });
        };
        verify_signed_by(&current, next, distid)?;
        if !next.is_ca {
            return Err(ChainError::NotCa { subject: next.subject.clone() });
        }
        if !next.valid_at(now_unix) {
            return Err(ChainError::OutOfValidity { subject: next.subject.clone(), not_before: next.not_before.clone(), not_after: next.not_after.clone() });
        }
        if intermediates.len() >= MAX_DEPTH {
            return Err(ChainError::TooLong { subject: leaf.subject.clone() });
        }
        intermediates.push(next.clone());
        if next.subject_der == next.issuer_der {
            // a self-signed root sent along: the path ends here, trusted only if configured
            if anchors.is_empty() {
                let dropped = unused(sent, &intermediates);
                return Ok(Chain { intermediates, anchor: None, dropped });
            }
            return Err(ChainError::NoIssuer { issuer: next.subject.clone() });
        }
        current = next.clone();
    }
}

fn unused(sent: &[ParsedCert], used: &[ParsedCert]) -> Vec<ParsedCert> {
    sent.iter().filter(|c| !used.iter().any(|u| u.der == c.der)).cloned().collect()
}

const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const P256: &str = "1.2.840.10045.3.1.7";
/// sm2p256v1 (GM/T 0006) and SM2-with-SM3 (GM/T 0006 §7.2).
const SM2_CURVE: &str = "1.2.156.10197.1.301";
const SM2_WITH_SM3: &str = "1.2.156.10197.1.501";

/// The parts of a certificate a signature covers and carries.
struct Signed<'a> {
    tbs: &'a [u8],
    algorithm: String,
    signature: &'a [u8],
}

fn signed_parts(cert: &ParsedCert) -> Result<Signed<'_>, ChainError> {
    let malformed = |part: MalformedPart| ChainError::Malformed { subject: cert.subject.clone(), part };
    let (_, h, total) = tlv(&cert.der).ok_or_else(|| malformed(MalformedPart::NotDerSequence))?;
    let parts = children(&cert.der[h..total]);
    let [tbs, alg, sig] = parts[..] else { return Err(malformed(MalformedPart::NotThreeParts)) };
    let (_, ha, ta) = tlv(alg).ok_or_else(|| malformed(MalformedPart::Algorithm))?;
    let oid_tlv = *children(&alg[ha..ta]).first().ok_or_else(|| malformed(MalformedPart::Algorithm))?;
    let oid = <der::asn1::ObjectIdentifier as der::Decode>::from_der(oid_tlv).map_err(|e| malformed(MalformedPart::AlgorithmOid(e)))?;
    let (tag, hs, ts) = tlv(sig).ok_or_else(|| malformed(MalformedPart::Signature))?;
    let bits = &sig[hs..ts];
    if tag != 0x03 || bits.first() != Some(&0) {
        return Err(malformed(MalformedPart::SignatureNotWholeBytes));
    }
    Ok(Signed { tbs, algorithm: oid.to_string(), signature: &bits[1..] })
}

/// Whether `issuer`'s key made the signature on `cert` (SM2: Z under `distid`).
pub fn verify_signed_by(cert: &ParsedCert, issuer: &ParsedCert, distid: &DistId) -> Result<(), ChainError> {
    let s = signed_parts(cert)?;
    let bad = || ChainError::BadSignature { subject: cert.subject.clone(), issuer: issuer.subject.clone() };
    let unsupported = |what: &str| ChainError::Unsupported { subject: cert.subject.clone(), algorithm: what.to_string() };
    match (s.algorithm.as_str(), issuer.key_algorithm.as_str()) {
        ("1.2.840.113549.1.1.11" | "1.2.840.113549.1.1.12" | "1.2.840.113549.1.1.13", RSA_ENCRYPTION) => {
            use rsa::pkcs1::DecodeRsaPublicKey;
            let key = rsa::RsaPublicKey::from_pkcs1_der(&issuer.public_key).map_err(|_| bad())?;
            let (scheme, digest) = match s.algorithm.as_str() {
                "1.2.840.113549.1.1.11" => (rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), sha2::Sha256::digest(s.tbs).to_vec()),
                "1.2.840.113549.1.1.12" => (rsa::Pkcs1v15Sign::new::<sha2::Sha384>(), sha2::Sha384::digest(s.tbs).to_vec()),
                _ => (rsa::Pkcs1v15Sign::new::<sha2::Sha512>(), sha2::Sha512::digest(s.tbs).to_vec()),
            };
            key.verify(scheme, &digest, s.signature).map_err(|_| bad())
        }
        ("1.2.840.10045.4.3.2" | "1.2.840.10045.4.3.3", EC_PUBLIC_KEY) if issuer.key_curve.as_deref() == Some(P256) => {
            use p256::ecdsa::signature::hazmat::PrehashVerifier;
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&issuer.public_key).map_err(|_| bad())?;
            let sig = p256::ecdsa::Signature::from_der(s.signature).map_err(|_| bad())?;
            let digest = if s.algorithm.ends_with(".2") { sha2::Sha256::digest(s.tbs).to_vec() } else { sha2::Sha384::digest(s.tbs).to_vec() };
            key.verify_prehash(&digest, &sig).map_err(|_| bad())
        }
        ("1.2.840.113549.1.1.5", _) => Err(unsupported("SHA-1 with RSA")),
        (SM2_WITH_SM3, EC_PUBLIC_KEY) if issuer.key_curve.as_deref() == Some(SM2_CURVE) => {
            let spki = certdesk_gm::spki_der_of(&issuer.der).map_err(|_| bad())?;
            certdesk_gm::verify_sm2_signed(s.tbs, s.signature, &spki, distid).map_err(|_| bad())
        }
        (SM2_WITH_SM3, _) => Err(unsupported("SM2 with SM3 by a key that is not an SM2 key")),
        (alg, key) => Err(unsupported(&format!("signature {alg} by a {key} key{}", issuer.key_curve.as_deref().map(|c| format!(" on {c}")).unwrap_or_default()))),
    }
}
