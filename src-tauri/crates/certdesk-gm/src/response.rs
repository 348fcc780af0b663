//! The CA/KMC's answer to a dual-certificate request, and telling its kind from its bytes.
//! Owns GM/T 0092-2020 §8 `CSRResponse ::= SEQUENCE { signCertificate CertificateSet,
//! encryptedPrivateKey [0] SM2EnvelopedKey OPTIONAL, encryptCertificate [1] CertificateSet
//! OPTIONAL }` and the detection among it, a bare GM/T 0009 envelope and an SKF blob.
//!
//! Assumptions, since the standard's ASN.1 module was not at hand (only its field list, as
//! public sources quote it): `CertificateSet` is `SET OF Certificate` (as in PKCS#7, plain
//! certificates only); whether `[0]` and `[1]` are IMPLICIT or EXPLICIT is unknown, so both
//! are read (EXPLICIT is recognised by a single inner SEQUENCE resp. SET spanning the whole
//! field) and IMPLICIT is written (the default of PKCS#7-family modules). GM/T 0010
//! `signedAndEnvelopedData` and PKCS#7 containers are named in an error, not read.

use crate::envelope::{EnvelopeError, EnvelopedKey, UnknownShape};
use crate::oid::CONTAINERS;
use der::asn1::{AnyRef, ObjectIdentifier};
use der::{Decode, Encode, Header, Length, Reader, SliceReader, Tag, TagNumber, Tagged};
use x509_cert::Certificate;

const WHAT: &str = "GM/T 0092 CSRResponse";

/// A GM/T 0092 `CSRResponse`, certificates kept as their DER bytes (each checked to parse).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsrResponse {
    pub sign_certificates: Vec<Vec<u8>>,
    pub encrypted_private_key: Option<EnvelopedKey>,
    pub encrypt_certificates: Vec<Vec<u8>>,
}

/// What a CA's answer file turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CaAnswer {
    /// A DER GM/T 0009 `SM2EnvelopedKey` (the certificates come as separate files).
    Gmt0009(EnvelopedKey),
    /// An SKF `ENVELOPEDKEYBLOB`.
    SkfBlob(EnvelopedKey),
    /// A GM/T 0092 `CSRResponse`.
    CsrResponse(CsrResponse),
}

impl CaAnswer {
    /// The envelope, wherever it came.
    pub fn envelope(&self) -> Option<&EnvelopedKey> {
        match self {
            CaAnswer::Gmt0009(e) | CaAnswer::SkfBlob(e) => Some(e),
            CaAnswer::CsrResponse(r) => r.encrypted_private_key.as_ref(),
        }
    }
}

/// Tells the kind of a CA answer from its bytes and parses it. An SKF blob starts with
/// `Version` 1 little-endian; DER starts with a SEQUENCE whose first element is an
/// AlgorithmIdentifier (GM/T 0009), a SET (GM/T 0092) or an OID (a PKCS#7 / GM/T 0010
/// ContentInfo: refused by name).
pub fn parse_ca_answer(bytes: &[u8]) -> Result<CaAnswer, EnvelopeError> {
    if bytes.starts_with(&[1, 0, 0, 0]) {
        return EnvelopedKey::from_skf_blob(bytes).map(CaAnswer::SkfBlob);
    }
    // Base64 of DER starting with a SEQUENCE starts with 'M'
    let base64 = bytes.first() == Some(&b'M') && bytes.iter().all(|b| b.is_ascii_alphanumeric() || b"+/=\r\n ".contains(b));
    if bytes.starts_with(b"-----BEGIN") || base64 {
        return Err(EnvelopeError::Text);
    }
    let outer = AnyRef::from_der(bytes).map_err(|source| EnvelopeError::Der { what: "CA answer", source })?;
    if outer.tag() != Tag::Sequence {
        return Err(EnvelopeError::UnknownFormat { shape: UnknownShape::OuterNotSequence(outer.tag()) });
    }
    let mut inner = SliceReader::new(outer.value()).map_err(|source| EnvelopeError::Der { what: "CA answer", source })?;
    let first = Tag::peek(&inner).map_err(|source| EnvelopeError::Der { what: "CA answer", source })?;
    match first {
        Tag::Sequence => EnvelopedKey::from_gmt0009_der(bytes).map(CaAnswer::Gmt0009),
        Tag::Set => CsrResponse::from_der(bytes).map(CaAnswer::CsrResponse),
        Tag::ObjectIdentifier => {
            let oid: ObjectIdentifier = ObjectIdentifier::decode(&mut inner).map_err(|source| EnvelopeError::Der { what: "ContentInfo contentType", source })?;
            let oid = oid.to_string();
            let container = CONTAINERS.iter().find(|(o, _)| *o == oid).map_or("a ContentInfo of unknown content type", |(_, name)| name);
            Err(EnvelopeError::UnsupportedContainer { container, oid })
        }
        other => Err(EnvelopeError::UnknownFormat { shape: UnknownShape::FirstElement(other) }),
    }
}

fn der_err(what: &'static str) -> impl Fn(der::Error) -> EnvelopeError {
    move |source| EnvelopeError::Der { what, source }
}

fn context(number: u32) -> Tag {
    Tag::ContextSpecific { constructed: true, number: TagNumber(number) }
}

/// The elements of a SET OF Certificate's content, each checked to be a certificate.
fn certificates(content: &[u8], what: &'static str) -> Result<Vec<Vec<u8>>, EnvelopeError> {
    let mut reader = SliceReader::new(content).map_err(der_err(what))?;
    let mut out = Vec::new();
    while !reader.is_finished() {
        let tlv = reader.tlv_bytes().map_err(der_err(what))?;
        Certificate::from_der(tlv).map_err(der_err(what))?;
        out.push(tlv.to_vec());
    }
    Ok(out)
}

/// If `content` is exactly one TLV with `tag`, its value (EXPLICIT tagging).
fn sole_element(content: &[u8], tag: Tag) -> Option<&[u8]> {
    let any = AnyRef::from_der(content).ok()?;
    (any.tag() == tag).then(|| any.value())
}

fn tlv(tag: Tag, content: &[u8]) -> der::Result<Vec<u8>> {
    let mut out = Header::new(tag, Length::try_from(content.len())?).to_der()?;
    out.extend_from_slice(content);
    Ok(out)
}

fn set_of(certs: &[Vec<u8>]) -> Vec<u8> {
    // DER orders a SET OF by the encodings
    let mut sorted: Vec<&Vec<u8>> = certs.iter().collect();
    sorted.sort();
    sorted.into_iter().flatten().copied().collect()
}

impl CsrResponse {
    pub fn from_der(der: &[u8]) -> Result<Self, EnvelopeError> {
        let outer = AnyRef::from_der(der).map_err(der_err(WHAT))?;
        outer.tag().assert_eq(Tag::Sequence).map_err(der_err(WHAT))?;
        let mut reader = SliceReader::new(outer.value()).map_err(der_err(WHAT))?;
        let sign = AnyRef::decode(&mut reader).map_err(der_err("CSRResponse signCertificate"))?;
        sign.tag().assert_eq(Tag::Set).map_err(der_err("CSRResponse signCertificate"))?;
        let sign_certificates = certificates(sign.value(), "CSRResponse signCertificate")?;
        let mut encrypted_private_key = None;
        let mut encrypt_certificates = Vec::new();
        if !reader.is_finished() && Tag::peek(&reader).map_err(der_err(WHAT))? == context(0) {
            let field = AnyRef::decode(&mut reader).map_err(der_err("CSRResponse encryptedPrivateKey [0]"))?;
            let envelope = match sole_element(field.value(), Tag::Sequence) {
                Some(_) => EnvelopedKey::from_gmt0009_der(field.value())?,
                None => EnvelopedKey::from_gmt0009_der(&tlv(Tag::Sequence, field.value()).map_err(der_err(WHAT))?)?,
            };
            encrypted_private_key = Some(envelope);
        }
        if !reader.is_finished() && Tag::peek(&reader).map_err(der_err(WHAT))? == context(1) {
            let field = AnyRef::decode(&mut reader).map_err(der_err("CSRResponse encryptCertificate [1]"))?;
            let content = sole_element(field.value(), Tag::Set).unwrap_or(field.value());
            encrypt_certificates = certificates(content, "CSRResponse encryptCertificate [1]")?;
        }
        if !reader.is_finished() {
            let offset = usize::try_from(reader.position()).unwrap_or(0);
            return Err(EnvelopeError::TrailingBytes { what: WHAT, offset, count: outer.value().len() - offset });
        }
        Ok(Self { sign_certificates, encrypted_private_key, encrypt_certificates })
    }

    /// DER with IMPLICIT `[0]` and `[1]` (see the module's assumptions).
    pub fn to_der(&self) -> Result<Vec<u8>, EnvelopeError> {
        let encode = || -> der::Result<Vec<u8>> {
            let mut content = tlv(Tag::Set, &set_of(&self.sign_certificates))?;
            if let Some(envelope) = &self.encrypted_private_key {
                let der = envelope.to_gmt0009_der();
                let value = AnyRef::from_der(&der)?.value().to_vec();
                content.extend(tlv(context(0), &value)?);
            }
            if !self.encrypt_certificates.is_empty() {
                content.extend(tlv(context(1), &set_of(&self.encrypt_certificates))?);
            }
            tlv(Tag::Sequence, &content)
        };
        encode().map_err(der_err(WHAT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DER that is none of the answers says where it stops fitting, by the tag found there.
    #[test]
    fn unknown_shapes_name_the_tag_found() {
        // an INTEGER 5, not a SEQUENCE
        let Err(err) = parse_ca_answer(&[0x02, 0x01, 0x05]) else { panic!("an INTEGER parsed as an answer") };
        assert!(matches!(err, EnvelopeError::UnknownFormat { shape: UnknownShape::OuterNotSequence(Tag::Integer) }), "{err:?}");
        assert!(err.to_string().contains("(outer tag INTEGER is not a SEQUENCE)"), "{err}");
        // a SEQUENCE whose first element is an INTEGER
        let Err(err) = parse_ca_answer(&[0x30, 0x03, 0x02, 0x01, 0x05]) else { panic!("a SEQUENCE of an INTEGER parsed as an answer") };
        assert!(matches!(err, EnvelopeError::UnknownFormat { shape: UnknownShape::FirstElement(Tag::Integer) }), "{err:?}");
        assert!(err.to_string().contains("(first element INTEGER is none of AlgorithmIdentifier, SET, OID)"), "{err}");
    }
}
