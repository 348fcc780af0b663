//! SM2-with-SM3 signature checks for certificate chains: a certificate (or any signed
//! structure) against its issuer's SPKI under a distinguishing ID, a root against itself.
//! Owns only the signature arithmetic and the algorithm check; path building, validity and
//! names are `certdesk-token::chain`'s.

use crate::oid;
use crate::point::{DistId, KeyError, Sm2Point};
use crate::request::check_signature;
use crate::z::sm3_e;
use der::asn1::Null;
use der::{Decode, Encode, Reader, SliceReader};
use x509_cert::Certificate;
use x509_cert::spki::AlgorithmIdentifierOwned;

/// Why an SM2 signature check failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    #[error("issuer key")]
    IssuerKey(#[source] KeyError),
    #[error("malformed certificate")]
    Certificate(#[source] der::Error),
    #[error("signature algorithm {found} (parameters {parameters}): expected SM2 with SM3 (1.2.156.10197.1.501)")]
    NotSm2WithSm3 { found: String, parameters: &'static str },
    #[error("the certificate's outer signature algorithm differs from the one in its TBS")]
    AlgorithmMismatch,
    #[error("signature value of {len} bytes is not a DER SM2Signature")]
    SignatureEncoding { len: usize },
    #[error("SM2 signature does not verify with the issuer key under ID {distid}")]
    BadSignature { distid: String },
}

/// Verifies `signature_der` (a DER `SM2Signature`, the content of the signature BIT STRING)
/// over `tbs_der` with the SM2 key of `issuer_spki_der` and Z under `distid`.
pub fn verify_sm2_signed(tbs_der: &[u8], signature_der: &[u8], issuer_spki_der: &[u8], distid: &DistId) -> Result<(), VerifyError> {
    let key = Sm2Point::from_spki_der(issuer_spki_der, "issuer SPKI").map_err(VerifyError::IssuerKey)?;
    verify_with_point(tbs_der, signature_der, &key, distid)
}

/// Verifies `signature_der` (DER `SM2Signature`) over the message `tbs_der` with the SM2 key
/// `key` and Z under `distid`: e = SM3(Z ‖ M), as every SM2 signature of this crate is made.
pub fn verify_with_point(tbs_der: &[u8], signature_der: &[u8], key: &Sm2Point, distid: &DistId) -> Result<(), VerifyError> {
    if sm2::dsa::DerSignature::from_bytes(signature_der).is_err() {
        return Err(VerifyError::SignatureEncoding { len: signature_der.len() });
    }
    let e = sm3_e(key, distid, tbs_der);
    check_signature(key, &e, signature_der).map_err(|()| VerifyError::BadSignature { distid: distid.to_string() })
}

/// Verifies a DER certificate's SM2-with-SM3 signature against `issuer_spki_der` (the
/// certificate's own SPKI for a root). The signed bytes are the TBSCertificate exactly as
/// they stand in the input.
pub fn verify_certificate(cert_der: &[u8], issuer_spki_der: &[u8], distid: &DistId) -> Result<(), VerifyError> {
    let cert = Certificate::from_der(cert_der).map_err(VerifyError::Certificate)?;
    check_algorithm(cert.signature_algorithm())?;
    if cert.signature_algorithm() != cert.tbs_certificate().signature() {
        return Err(VerifyError::AlgorithmMismatch);
    }
    let tbs = first_element(cert_der).map_err(VerifyError::Certificate)?;
    let sig = cert.signature().as_bytes().unwrap_or_default();
    verify_sm2_signed(tbs, sig, issuer_spki_der, distid)
}

/// A certificate's SPKI as DER, to pass as the issuer of what it signed.
pub fn spki_der_of(cert_der: &[u8]) -> Result<Vec<u8>, VerifyError> {
    let cert = Certificate::from_der(cert_der).map_err(VerifyError::Certificate)?;
    cert.tbs_certificate().subject_public_key_info().to_der().map_err(VerifyError::Certificate)
}

fn check_algorithm(alg: &AlgorithmIdentifierOwned) -> Result<(), VerifyError> {
    let parameters = match &alg.parameters {
        None => "absent",
        Some(p) if p.decode_as::<Null>().is_ok() => "NULL",
        Some(_) => "present",
    };
    if alg.oid != oid::SM2_WITH_SM3 || parameters == "present" {
        return Err(VerifyError::NotSm2WithSm3 { found: alg.oid.to_string(), parameters });
    }
    Ok(())
}

/// The first element of the outer SEQUENCE as encoded: the signed part of a certificate or
/// request (never re-encoded).
pub(crate) fn first_element(cert_der: &[u8]) -> der::Result<&[u8]> {
    let mut reader = SliceReader::new(cert_der)?;
    let header = der::Header::decode(&mut reader)?;
    header.tag().assert_eq(der::Tag::Sequence)?;
    reader.tlv_bytes()
}
