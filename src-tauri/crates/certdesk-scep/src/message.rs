//! SCEP's messages (RFC 8894 §3): the RA's certificates as GetCACert gives them, the
//! `PKCSReq` (CMS SignedData over an EnvelopedData of the request, AES-128-CBC to the RA's
//! RSA key) and the `CertRep` opened (its signature by the RA, the transaction and nonce it
//! answers, its status, the degenerate SignedData inside decrypted with the transient key).
//! Owns the structures and every check of an answer; not the transport.

use crate::der::{self, Tlv, oid};
use crate::{Cipher, MalformedScep, RequestProblem, ScepError, SignatureProblem, Signer};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Encrypt, Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// A certificate's parts a message needs.
#[derive(Debug, Clone)]
pub struct CertParts {
    pub der: Vec<u8>,
    tbs: Vec<u8>,
    issuer: Vec<u8>,
    serial: Vec<u8>,
    subject: Vec<u8>,
    spki: Vec<u8>,
    signature_algorithm: Vec<u8>,
    signature: Vec<u8>,
}

impl CertParts {
    pub fn parse(der: &[u8]) -> Result<CertParts, ScepError> {
        let cert = der::whole(der, "a certificate")?.expect(der::SEQUENCE, "a certificate")?;
        let parts = cert.children()?;
        let [tbs, alg, sig] = parts.as_slice() else { return Err(ScepError::Malformed(MalformedScep::CertificateParts)) };
        let fields = tbs.children()?;
        let at = usize::from(fields.first().map(|f| f.tag) == Some(der::CTX0));
        let field = |i: usize, what: &'static str| fields.get(at + i).copied().ok_or_else(|| ScepError::Malformed(MalformedScep::CertificateField { field: what }));
        let bits = sig.expect(der::BIT_STRING, "a certificate's signature")?.content;
        Ok(CertParts {
            der: cert.raw.to_vec(),
            tbs: tbs.raw.to_vec(),
            serial: field(0, "serial")?.expect(der::INTEGER, "the serial")?.raw.to_vec(),
            issuer: field(2, "issuer")?.raw.to_vec(),
            subject: field(4, "subject")?.raw.to_vec(),
            spki: field(5, "public key")?.raw.to_vec(),
            signature_algorithm: alg.children()?.first().map(|o| o.content.to_vec()).unwrap_or_default(),
            signature: bits.get(1..).unwrap_or_default().to_vec(),
        })
    }

    fn issuer_and_serial(&self) -> Vec<u8> {
        der::seq(&[&self.issuer, &self.serial])
    }

    fn rsa_key(&self) -> Result<RsaPublicKey, ScepError> {
        RsaPublicKey::from_public_key_der(&self.spki).map_err(|_| ScepError::Malformed(MalformedScep::RaKeyNotRsa))
    }

    fn self_issued(&self) -> bool {
        self.issuer == self.subject
    }
}

/// Checks an RSA PKCS#1 v1.5 signature with the digest its algorithm names.
fn verify_rsa(key: &RsaPublicKey, algorithm: &[u8], digest_algorithm: Option<&[u8]>, data: &[u8], signature: &[u8]) -> Result<(), ScepError> {
    let hash = match (algorithm, digest_algorithm) {
        (oid::SHA256_WITH_RSA, _) | (oid::RSA_ENCRYPTION, Some(oid::SHA256)) => "sha256",
        (oid::SHA1_WITH_RSA, _) | (oid::RSA_ENCRYPTION, Some(oid::SHA1)) => "sha1",
        _ => return Err(ScepError::BadSignature(SignatureProblem::OtherAlgorithm)),
    };
    let ok = if hash == "sha256" {
        key.verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(data), signature)
    } else {
        // SHA-1's DigestInfo prefix (RFC 8017 §9.2 note 1), the sha1 crate being of another digest generation
        let scheme = Pkcs1v15Sign { hash_len: Some(20), prefix: Box::new([0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14]) };
        key.verify(scheme, &<sha1::Sha1 as sha1::Digest>::digest(data), signature)
    };
    ok.map_err(|_| ScepError::BadSignature(SignatureProblem::DoesNotMatch))
}

fn digest(algorithm: &[u8], data: &[u8]) -> Result<Vec<u8>, ScepError> {
    match algorithm {
        oid::SHA256 => Ok(Sha256::digest(data).to_vec()),
        oid::SHA1 => Ok(<sha1::Sha1 as sha1::Digest>::digest(data).to_vec()),
        _ => Err(ScepError::BadSignature(SignatureProblem::OtherDigest)),
    }
}

/// What GetCACert gave, with the pinned CA certificate found among it.
#[derive(Debug, Clone)]
pub struct RaCertificates {
    /// every certificate (DER), in the RA's order
    pub all: Vec<Vec<u8>>,
    recipient: CertParts,
}

impl RaCertificates {
    /// Reads the answer (one certificate, or a degenerate PKCS#7 of the RA's and the CA's) and
    /// checks that `pinned` (the project's CA certificate, DER) is among them; the recipient is
    /// the RA's own certificate where the RA has one (issued by the pinned CA, checked), else
    /// the CA's.
    pub fn from_answer(content_type: &str, body: &[u8], pinned: &[u8]) -> Result<RaCertificates, ScepError> {
        let certs: Vec<Vec<u8>> = if content_type.contains("ca-ra-cert") || looks_like_content_info(body) { degenerate_certificates(body)? } else { vec![body.to_vec()] };
        let parsed = certs.iter().map(|c| CertParts::parse(c)).collect::<Result<Vec<_>, _>>()?;
        let pin = crate::sha256_hex(pinned);
        let ca = parsed.iter().find(|c| crate::sha256_hex(&c.der) == pin).ok_or(ScepError::NotPinned { pinned: pin })?;
        let recipient = match parsed.iter().find(|c| !c.self_issued() && c.issuer == ca.subject) {
            Some(ra) => {
                verify_rsa(&ca.rsa_key()?, &ra.signature_algorithm, None, &ra.tbs, &ra.signature).map_err(|_| ScepError::BadSignature(SignatureProblem::RaNotSignedByCa))?;
                ra.clone()
            }
            None => ca.clone(),
        };
        recipient.rsa_key()?;
        Ok(RaCertificates { all: certs, recipient })
    }

    pub fn recipient(&self) -> &CertParts {
        &self.recipient
    }
}

fn looks_like_content_info(body: &[u8]) -> bool {
    der::whole(body, "").ok().and_then(|t| t.children().ok()).and_then(|c| c.first().map(|o| o.tag == der::OID && o.content == oid::SIGNED_DATA)).unwrap_or(false)
}

/// `ContentInfo { signedData, SignedData }`: the SignedData's parts, named.
struct SignedParts<'a> {
    e_content: Option<&'a [u8]>,
    certificates: Vec<Tlv<'a>>,
    signer_infos: Vec<Tlv<'a>>,
}

fn signed_data(body: &[u8]) -> Result<SignedParts<'_>, ScepError> {
    let info = der::whole(body, "the message")?.expect(der::SEQUENCE, "the message")?.children()?;
    match info.as_slice() {
        [kind, content] if kind.tag == der::OID && kind.content == oid::SIGNED_DATA => {
            let sd = der::whole(content.expect(der::CTX0, "the signed data")?.content, "the signed data")?.expect(der::SEQUENCE, "the signed data")?.children()?;
            let [_version, _digests, encap, rest @ ..] = sd.as_slice() else { return Err(ScepError::Malformed(MalformedScep::SignedDataParts)) };
            let encap = encap.expect(der::SEQUENCE, "the signed content")?.children()?;
            let e_content = match encap.get(1) {
                Some(e) => Some(der::whole(e.expect(der::CTX0, "the signed content")?.content, "the signed content")?.expect(der::OCTET_STRING, "the signed content")?.content),
                None => None,
            };
            let certificates = match rest.first() {
                Some(c) if c.tag == der::CTX0 => c.children()?,
                _ => Vec::new(),
            };
            let signer_infos = rest.last().ok_or_else(|| ScepError::Malformed(MalformedScep::NoSignerInfos))?.expect(der::SET, "the signer infos")?.children()?;
            Ok(SignedParts { e_content, certificates, signer_infos })
        }
        _ => Err(ScepError::Malformed(MalformedScep::NotSignedData)),
    }
}

/// The certificates of a degenerate SignedData (RFC 8894 §3.4).
pub fn degenerate_certificates(body: &[u8]) -> Result<Vec<Vec<u8>>, ScepError> {
    let certs: Vec<Vec<u8>> = signed_data(body)?.certificates.iter().map(|c| c.raw.to_vec()).collect();
    if certs.is_empty() {
        return Err(ScepError::Malformed(MalformedScep::NoCertificates));
    }
    Ok(certs)
}

/// A request as sent: its bytes and what its answer must echo.
pub struct PkcsReq {
    pub der: Vec<u8>,
    pub transaction_id: String,
    pub sender_nonce: [u8; 16],
    csr_spki: Vec<u8>,
}

fn attribute(o: &[u8], value: &[u8]) -> Vec<u8> {
    der::seq(&[&der::oid(o), &der::set_of(&[value])])
}

fn random<const N: usize>() -> Zeroizing<[u8; N]> {
    let mut b = Zeroizing::new([0u8; N]);
    rsa::rand_core::RngCore::fill_bytes(&mut rsa::rand_core::OsRng, b.as_mut());
    b
}

/// The `PKCSReq` of `csr_der` for `recipient`, signed by `signer`.
pub fn pkcs_req(csr_der: &[u8], recipient: &CertParts, signer: &Signer) -> Result<PkcsReq, ScepError> {
    let csr = der::whole(csr_der, "the request")?.expect(der::SEQUENCE, "the request").map_err(|e| match e {
        ScepError::Malformed(m) => ScepError::Request(RequestProblem::NotASequence(m)),
        e => e,
    })?;
    let info = csr.children()?.first().copied().ok_or_else(|| ScepError::Request(RequestProblem::Empty))?.children()?;
    let csr_spki = info.get(2).ok_or_else(|| ScepError::Request(RequestProblem::NoPublicKey))?.raw.to_vec();
    // the content: the request under AES-128-CBC, its key under the RA's RSA key
    let (key, iv) = (random::<16>(), random::<16>());
    let encrypted =
        cbc::Encryptor::<aes::Aes128>::new_from_slices(key.as_ref(), iv.as_ref()).map_err(|_| ScepError::Request(RequestProblem::ContentKey))?.encrypt_padded_vec::<Pkcs7>(csr_der);
    let wrapped = recipient.rsa_key()?.encrypt(&mut rsa::rand_core::OsRng, Pkcs1v15Encrypt, key.as_ref()).map_err(|e| ScepError::Request(RequestProblem::EncryptingToRa(e)))?;
    let ktri = der::seq(&[&der::uint(&[0]), &recipient.issuer_and_serial(), &der::algorithm_null(oid::RSA_ENCRYPTION), &der::tlv(der::OCTET_STRING, &wrapped)]);
    let content_algorithm = der::seq(&[&der::oid(oid::AES128_CBC), &der::tlv(der::OCTET_STRING, iv.as_ref())]);
    let eci = der::seq(&[&der::oid(oid::DATA), &content_algorithm, &der::tlv(der::CTX0_PRIMITIVE, &encrypted)]);
    let enveloped = der::seq(&[&der::uint(&[0]), &der::set_of(&[&ktri]), &eci]);
    let envelope = der::seq(&[&der::oid(oid::ENVELOPED_DATA), &der::tlv(der::CTX0, &enveloped)]);
    // the signed attributes
    let transaction_id: String = Sha256::digest(&csr_spki).iter().map(|b| format!("{b:02X}")).collect();
    let nonce = random::<16>();
    let sender_nonce: [u8; 16] = *nonce;
    let attributes = [
        attribute(oid::CONTENT_TYPE, &der::oid(oid::DATA)),
        attribute(oid::MESSAGE_DIGEST, &der::tlv(der::OCTET_STRING, &Sha256::digest(&envelope))),
        attribute(oid::MESSAGE_TYPE, &der::tlv(der::PRINTABLE_STRING, b"19")),
        attribute(oid::TRANSACTION_ID, &der::tlv(der::PRINTABLE_STRING, transaction_id.as_bytes())),
        attribute(oid::SENDER_NONCE, &der::tlv(der::OCTET_STRING, &sender_nonce)),
    ];
    let refs: Vec<&[u8]> = attributes.iter().map(Vec::as_slice).collect();
    let signed_set = der::set_of(&refs);
    let signature = signer.key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(&signed_set)).map_err(|e| ScepError::Request(RequestProblem::SigningMessage(e)))?;
    let signer_info = der::seq(&[
        &der::uint(&[1]),
        &signer.issuer_and_serial,
        &der::algorithm_null(oid::SHA256),
        // the same SET under [0] IMPLICIT
        &der::tlv(der::CTX0, &signed_set[header_len(&signed_set)..]),
        &der::algorithm_null(oid::RSA_ENCRYPTION),
        &der::tlv(der::OCTET_STRING, &signature),
    ]);
    let signed = der::seq(&[
        &der::uint(&[1]),
        &der::set_of(&[&der::algorithm_null(oid::SHA256)]),
        &der::seq(&[&der::oid(oid::DATA), &der::tlv(der::CTX0, &der::tlv(der::OCTET_STRING, &envelope))]),
        &der::tlv(der::CTX0, &signer.certificate),
        &der::set_of(&[&signer_info]),
    ]);
    let der = der::seq(&[&der::oid(oid::SIGNED_DATA), &der::tlv(der::CTX0, &signed)]);
    Ok(PkcsReq { der, transaction_id, sender_nonce, csr_spki })
}

fn header_len(tlv: &[u8]) -> usize {
    der::read(tlv).map(|(t, _)| t.raw.len() - t.content.len()).unwrap_or(0)
}

/// The certificate an RA issued, with what else it sent along.
#[derive(Debug, Clone)]
pub struct Enrolled {
    /// the issued certificate (DER), its public key the request's
    pub certificate: Vec<u8>,
    /// other certificates in the answer
    pub chain: Vec<Vec<u8>>,
    /// the RA's certificates (GetCACert)
    pub ca_certificates: Vec<Vec<u8>>,
}

/// Checks and opens the `CertRep` answering `request`.
pub fn open_cert_rep(body: &[u8], request: &PkcsReq, ra: &CertParts, signer: &Signer) -> Result<Enrolled, ScepError> {
    let sd = signed_data(body)?;
    let info = sd.signer_infos.first().ok_or_else(|| ScepError::Malformed(MalformedScep::NobodySigned))?.children()?;
    let [_version, sid, digest_alg, attrs, sig_alg, signature, ..] = info.as_slice() else { return Err(ScepError::Malformed(MalformedScep::SignerInfoParts)) };
    if sid.raw != ra.issuer_and_serial().as_slice() {
        return Err(ScepError::BadSignature(SignatureProblem::OtherSigner));
    }
    let digest_alg = digest_alg.children()?.first().map(|o| o.content).unwrap_or_default();
    let sig_alg = sig_alg.children()?.first().map(|o| o.content).unwrap_or_default();
    let attrs = attrs.expect(der::CTX0, "the signed attributes")?;
    verify_rsa(&ra.rsa_key()?, sig_alg, Some(digest_alg), &der::tlv(der::SET, attrs.content), signature.expect(der::OCTET_STRING, "the signature")?.content)?;
    let mut found: Vec<(&[u8], Tlv<'_>)> = Vec::new();
    for a in attrs.children()? {
        let parts = a.children()?;
        if let [o, values] = parts.as_slice()
            && let Some(v) = values.children()?.first()
        {
            found.push((o.content, *v));
        }
    }
    let value = |o: &[u8]| found.iter().find(|(k, _)| *k == o).map(|(_, v)| v.content);
    if let Some(e) = sd.e_content
        && value(oid::MESSAGE_DIGEST) != Some(digest(digest_alg, e)?.as_slice())
    {
        return Err(ScepError::BadSignature(SignatureProblem::ContentNotSigned));
    }
    if value(oid::MESSAGE_TYPE) != Some(b"3") {
        return Err(ScepError::Malformed(MalformedScep::NotCertRep));
    }
    if value(oid::TRANSACTION_ID) != Some(request.transaction_id.as_bytes()) || value(oid::RECIPIENT_NONCE) != Some(&request.sender_nonce[..]) {
        return Err(ScepError::Malformed(MalformedScep::OtherTransaction));
    }
    match value(oid::PKI_STATUS) {
        Some(b"0") => {}
        Some(b"3") => return Err(ScepError::Pending),
        Some(b"2") => {
            let reason = match value(oid::FAIL_INFO) {
                Some(b"0") => "badAlg: an algorithm the RA does not take",
                Some(b"1") => "badMessageCheck: the message's signature",
                Some(b"2") => "badRequest: the request (its challenge, its subject or its key)",
                Some(b"3") => "badTime: the clocks differ",
                Some(b"4") => "badCertId",
                _ => "no reason given",
            };
            return Err(ScepError::Refused { reason });
        }
        _ => return Err(ScepError::Malformed(MalformedScep::NoPkiStatus)),
    }
    let e = sd.e_content.ok_or_else(|| ScepError::Malformed(MalformedScep::SuccessWithoutContent))?;
    let inner = decrypt_envelope(e, signer)?;
    let mut certs = degenerate_certificates(&inner)?;
    let at = certs
        .iter()
        .position(|c| CertParts::parse(c).map(|p| p.spki == request.csr_spki).unwrap_or(false))
        .ok_or_else(|| ScepError::Malformed(MalformedScep::CertificatesForAnotherKey))?;
    let certificate = certs.remove(at);
    Ok(Enrolled { certificate, chain: certs, ca_certificates: Vec::new() })
}

/// Opens the EnvelopedData encrypted to the transient signer.
fn decrypt_envelope(e: &[u8], signer: &Signer) -> Result<Vec<u8>, ScepError> {
    let info = der::whole(e, "the envelope")?.children()?;
    let [kind, content] = info.as_slice() else { return Err(ScepError::Malformed(MalformedScep::EnvelopeParts)) };
    if kind.content != oid::ENVELOPED_DATA {
        return Err(ScepError::Malformed(MalformedScep::NotEnvelopedData));
    }
    let ed = der::whole(content.content, "the envelope")?.children()?;
    let rest: Vec<Tlv<'_>> = ed.into_iter().skip(1).filter(|t| t.tag != der::CTX0).collect();
    let [recipients, eci, ..] = rest.as_slice() else { return Err(ScepError::Malformed(MalformedScep::EnvelopedDataParts)) };
    let mut key = None;
    for r in recipients.expect(der::SET, "the recipients")?.children()? {
        let parts = r.children()?;
        if let [_v, rid, _alg, encrypted] = parts.as_slice()
            && rid.raw == signer.issuer_and_serial.as_slice()
        {
            key = Some(Zeroizing::new(signer.key.decrypt(Pkcs1v15Encrypt, encrypted.content).map_err(|_| ScepError::Malformed(MalformedScep::ContentKeyDoesNotDecrypt))?));
        }
    }
    let key = key.ok_or_else(|| ScepError::Malformed(MalformedScep::EncryptedToAnother))?;
    let eci = eci.children()?;
    let [_type, alg, body, ..] = eci.as_slice() else { return Err(ScepError::Malformed(MalformedScep::NoEncryptedContent)) };
    let alg = alg.children()?;
    let (alg_oid, iv) = match alg.as_slice() {
        [o, iv] => (o.content, iv.expect(der::OCTET_STRING, "the IV")?.content),
        _ => return Err(ScepError::Malformed(MalformedScep::NoIv)),
    };
    let ciphertext: Vec<u8> = match body.tag {
        der::CTX0_PRIMITIVE => body.content.to_vec(),
        der::CTX0 => body.children()?.iter().flat_map(|c| c.content.iter().copied()).collect(),
        _ => return Err(ScepError::Malformed(MalformedScep::EncryptedContentTag)),
    };
    let bad = |_| ScepError::Malformed(MalformedScep::DoesNotDecrypt);
    let plain = match alg_oid {
        oid::AES128_CBC => cbc::Decryptor::<aes::Aes128>::new_from_slices(&key, iv)
            .map_err(|_| ScepError::Malformed(MalformedScep::CipherKey { cipher: Cipher::Aes }))?
            .decrypt_padded_vec::<Pkcs7>(&ciphertext)
            .map_err(bad)?,
        oid::AES256_CBC => cbc::Decryptor::<aes::Aes256>::new_from_slices(&key, iv)
            .map_err(|_| ScepError::Malformed(MalformedScep::CipherKey { cipher: Cipher::Aes }))?
            .decrypt_padded_vec::<Pkcs7>(&ciphertext)
            .map_err(bad)?,
        oid::DES_EDE3_CBC => cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, iv)
            .map_err(|_| ScepError::Malformed(MalformedScep::CipherKey { cipher: Cipher::TripleDes }))?
            .decrypt_padded_vec::<Pkcs7>(&ciphertext)
            .map_err(bad)?,
        oid::DES_CBC => cbc::Decryptor::<des::Des>::new_from_slices(&key, iv)
            .map_err(|_| ScepError::Malformed(MalformedScep::CipherKey { cipher: Cipher::Des }))?
            .decrypt_padded_vec::<Pkcs7>(&ciphertext)
            .map_err(bad)?,
        _ => return Err(ScepError::Malformed(MalformedScep::OtherContentEncryption)),
    };
    Ok(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A digest the RA may not use is refused by name, in the words the message had as text.
    #[test]
    fn an_unknown_digest_is_a_typed_signature_problem() {
        let Err(err) = digest(b"\x2a\x03", b"data") else { panic!("an unknown digest hashed") };
        assert!(matches!(err, ScepError::BadSignature(SignatureProblem::OtherDigest)), "{err:?}");
        assert_eq!(err.to_string(), "the RA's answer does not verify: a digest other than SHA-256 or SHA-1");
        assert_eq!(err.code(), "ra_malformed");
    }
}
