//! Issued certificates as they come back from the CA: PEM (one or a chain), DER, or a PKCS#7
//! (`.p7b`) bundle. Owns parsing them and the fields a token object needs (subject, issuer and
//! serial as DER, the public key for matching the key on the token).

use der::{Decode, Encode};
use x509_cert::Certificate;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ParsedCert {
    #[serde(skip)]
    pub der: Vec<u8>,
    #[serde(skip)]
    pub subject_der: Vec<u8>,
    #[serde(skip)]
    pub issuer_der: Vec<u8>,
    #[serde(skip)]
    pub serial_der: Vec<u8>,
    /// The subjectPublicKey bits: PKCS#1 RSAPublicKey or an EC point.
    #[serde(skip)]
    pub public_key: Vec<u8>,
    pub subject: String,
    pub issuer: String,
    pub serial_hex: String,
    pub not_after: String,
    pub not_before: String,
    /// The validity window in seconds since 1970 (UTC).
    #[serde(skip)]
    pub not_before_unix: i64,
    #[serde(skip)]
    pub not_after_unix: i64,
    /// The subject public key's algorithm and, for EC keys, its curve (dotted OIDs).
    #[serde(skip)]
    pub key_algorithm: String,
    #[serde(skip)]
    pub key_curve: Option<String>,
    /// basicConstraints says cA (a certificate without the extension is not a CA).
    #[serde(skip)]
    pub is_ca: bool,
    /// keyUsage allows signing (digitalSignature or nonRepudiation), or the certificate has
    /// no keyUsage (any use).
    #[serde(skip)]
    pub may_sign: bool,
    /// The subject's attributes in the certificate's order: dotted OID and the text of each
    /// string value (UTF-8, Printable, IA5, Teletex, BMP), unescaped; other values are left out.
    #[serde(skip)]
    pub subject_attributes: Vec<(String, String)>,
}

impl ParsedCert {
    /// Whether `now` (seconds since 1970) is inside the validity window.
    pub fn valid_at(&self, now_unix: i64) -> bool {
        self.not_before_unix <= now_unix && now_unix <= self.not_after_unix
    }

    /// The values of one attribute of the subject (`CN`, `O`, `serialNumber`…), as its text
    /// form writes them.
    pub fn subject_attr(&self, name: &str) -> Vec<String> {
        name_attr(&self.subject, name)
    }

    /// The values of the subject's attribute `oid` (dotted), unescaped, in the certificate's order.
    pub fn subject_values(&self, oid: &str) -> impl Iterator<Item = &str> {
        self.subject_attributes.iter().filter(move |(o, _)| o == oid).map(|(_, v)| v.as_str())
    }

    /// The subject key's algorithm in the names the key desk uses for `Algo` (`rsa2048`,
    /// `ec-p256`, `sm2`): RSA as `rsa` and its modulus size, other curves as `ec-p384` or
    /// `ec-<curve OID>`, anything else as its dotted OID.
    pub fn key_algorithm_name(&self) -> String {
        match (self.key_algorithm.as_str(), self.key_curve.as_deref()) {
            (RSA_ENCRYPTION, _) => rsa_modulus_bits(&self.public_key).map_or_else(|| "rsa".to_string(), |bits| format!("rsa{bits}")),
            (SM2_CURVE, _) | (EC_PUBLIC_KEY, Some(SM2_CURVE)) => "sm2".into(),
            (EC_PUBLIC_KEY, Some(P256)) => "ec-p256".into(),
            (EC_PUBLIC_KEY, Some(P384)) => "ec-p384".into(),
            (EC_PUBLIC_KEY, Some(curve)) => format!("ec-{curve}"),
            (other, _) => other.to_string(),
        }
    }
}

const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const P256: &str = "1.2.840.10045.3.1.7";
const P384: &str = "1.3.132.0.34";
const SM2_CURVE: &str = "1.2.156.10197.1.301";

/// The size in bits of the modulus of a PKCS#1 RSAPublicKey (SEQUENCE { n INTEGER, e INTEGER }).
fn rsa_modulus_bits(public_key: &[u8]) -> Option<usize> {
    let (_, header, total) = tlv(public_key)?;
    let n = *children(&public_key[header..total]).first()?;
    let (tag, h, t) = tlv(n)?;
    if tag != 0x02 {
        return None;
    }
    let digits: &[u8] = &n[h..t];
    let start = digits.iter().position(|b| *b != 0)?;
    Some((digits.len() - start) * 8 - digits[start].leading_zeros() as usize)
}

/// The text of a name attribute's string value; `None` for other kinds of value.
fn attribute_text(value: &der::Any) -> Option<String> {
    use der::Tagged;
    let bytes = value.value();
    match value.tag() {
        der::Tag::Utf8String | der::Tag::PrintableString | der::Tag::Ia5String | der::Tag::TeletexString => Some(String::from_utf8_lossy(bytes).into_owned()),
        der::Tag::BmpString if bytes.len().is_multiple_of(2) => {
            char::decode_utf16(bytes.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]))).collect::<Result<String, _>>().ok()
        }
        _ => None,
    }
}

/// The values of one attribute (`CN`, `O`, `serialNumber`…) of a name in its RFC 4514 text
/// form (a certificate's subject as `CertView` shows it).
pub fn name_attr(text: &str, attr: &str) -> Vec<String> {
    let prefix = format!("{attr}=");
    split_rdns(text).into_iter().filter_map(|part| part.strip_prefix(&prefix).map(|v| v.replace("\\,", ","))).collect()
}

/// The attributes of an RFC 4514 name, split on the commas that are not escaped.
fn split_rdns(name: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut escaped = false;
    for c in name.chars() {
        match c {
            '\\' if !escaped => {
                escaped = true;
                cur.push(c);
                continue;
            }
            ',' | '+' if !escaped => parts.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
        escaped = false;
    }
    parts.push(cur.trim().to_string());
    parts
}

/// Why bytes given as certificates do not read as any.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnreadableCert {
    #[error(transparent)]
    Der(#[from] der::Error),
    #[error(transparent)]
    Pem(#[from] der::pem::Error),
    #[error("PKCS#7 without certificates")]
    Pkcs7WithoutCertificates,
}

#[derive(Debug, thiserror::Error)]
pub enum CertError {
    #[error("not a certificate file (PEM, DER or PKCS#7): {0}")]
    Unreadable(#[source] UnreadableCert),
    #[error("the file holds no certificate")]
    Empty,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn one(cert: &Certificate) -> Result<ParsedCert, CertError> {
    let bad = |e: der::Error| CertError::Unreadable(e.into());
    let tbs = cert.tbs_certificate();
    let serial = tbs.serial_number();
    Ok(ParsedCert {
        der: cert.to_der().map_err(bad)?,
        subject_der: tbs.subject().to_der().map_err(bad)?,
        issuer_der: tbs.issuer().to_der().map_err(bad)?,
        serial_der: serial.to_der().map_err(bad)?,
        public_key: tbs.subject_public_key_info().subject_public_key.raw_bytes().to_vec(),
        subject: tbs.subject().to_string(),
        issuer: tbs.issuer().to_string(),
        serial_hex: hex(serial.as_bytes()),
        not_after: tbs.validity().not_after.to_string(),
        not_before: tbs.validity().not_before.to_string(),
        not_before_unix: i64::try_from(tbs.validity().not_before.to_unix_duration().as_secs()).unwrap_or(i64::MAX),
        not_after_unix: i64::try_from(tbs.validity().not_after.to_unix_duration().as_secs()).unwrap_or(i64::MAX),
        key_algorithm: tbs.subject_public_key_info().algorithm.oid.to_string(),
        key_curve: tbs.subject_public_key_info().algorithm.parameters.as_ref().and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok()).map(|o| o.to_string()),
        is_ca: tbs.get_extension::<x509_cert::ext::pkix::BasicConstraints>().ok().flatten().is_some_and(|(_, b)| b.ca),
        may_sign: tbs.get_extension::<x509_cert::ext::pkix::KeyUsage>().ok().flatten().is_none_or(|(_, k)| k.digital_signature() || k.non_repudiation()),
        subject_attributes: tbs.subject().iter().filter_map(|a| Some((a.oid.to_string(), attribute_text(&a.value)?))).collect(),
    })
}

/// A DER TLV: (tag, header length, total length).
pub(crate) fn tlv(bytes: &[u8]) -> Option<(u8, usize, usize)> {
    let tag = *bytes.first()?;
    let first = *bytes.get(1)?;
    let (len, header) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let len = bytes.get(2..2 + n)?.iter().fold(0usize, |acc, b| acc << 8 | *b as usize);
        (len, 2 + n)
    };
    (header + len <= bytes.len()).then_some((tag, header, header + len))
}

/// Children of a constructed TLV's content.
pub(crate) fn children(mut content: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while let Some((_, _, total)) = tlv(content) {
        out.push(&content[..total]);
        content = &content[total..];
    }
    out
}

const SIGNED_DATA_OID: &[u8] = &[0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];

/// The certificates of a PKCS#7 SignedData (ContentInfo → [0] SignedData → [0] certificates).
fn pkcs7_certs(bytes: &[u8]) -> Option<Vec<Certificate>> {
    let (_, h, total) = tlv(bytes)?;
    let info = children(&bytes[h..total]);
    if info.first()? != &SIGNED_DATA_OID {
        return None;
    }
    let explicit = info.get(1)?;
    let (_, h0, t0) = tlv(explicit)?;
    let signed = &explicit[h0..t0];
    let (_, hs, ts) = tlv(signed)?;
    let fields = children(&signed[hs..ts]);
    let certs = fields.iter().find(|f| f[0] == 0xA0)?;
    let (_, hc, tc) = tlv(certs)?;
    children(&certs[hc..tc]).into_iter().map(|c| Certificate::from_der(c).ok()).collect()
}

/// Every certificate of a file, leaf first as the file has them.
pub fn parse_many(bytes: &[u8]) -> Result<Vec<ParsedCert>, CertError> {
    let text = std::str::from_utf8(bytes).ok();
    let certs: Vec<Certificate> = if let Some(t) = text.filter(|t| t.contains("-----BEGIN")) {
        if t.contains("BEGIN PKCS7") {
            let (_, der) = der::pem::decode_vec(t.as_bytes()).map_err(|e| CertError::Unreadable(e.into()))?;
            pkcs7_certs(&der).ok_or(CertError::Unreadable(UnreadableCert::Pkcs7WithoutCertificates))?
        } else {
            Certificate::load_pem_chain(t.as_bytes()).map_err(|e| CertError::Unreadable(e.into()))?
        }
    } else if let Some(certs) = pkcs7_certs(bytes) {
        certs
    } else {
        vec![Certificate::from_der(bytes).map_err(|e| CertError::Unreadable(e.into()))?]
    };
    if certs.is_empty() {
        return Err(CertError::Empty);
    }
    certs.iter().map(one).collect()
}

/// Certificates as one PEM file, in the order given.
pub fn to_pem(certs: &[&ParsedCert]) -> String {
    certs.iter().map(|c| der_to_pem(&c.der)).collect()
}

/// One certificate's DER as a PEM block (64-character lines, LF).
pub fn der_to_pem(der: &[u8]) -> String {
    // PEM encoding cannot fail on bytes; an empty string would only come from a length overflow
    der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, der).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes that are no certificate keep the DER decoder's own error, and read as before.
    #[test]
    fn bytes_that_are_no_certificate_keep_the_der_error() {
        let Err(err) = parse_many(b"\x04\x03abc") else { panic!("an OCTET STRING read as a certificate") };
        assert!(matches!(err, CertError::Unreadable(UnreadableCert::Der(_))), "{err:?}");
        assert!(err.to_string().starts_with("not a certificate file (PEM, DER or PKCS#7): "), "{err}");
        let Err(err) = parse_many(b"-----BEGIN PKCS7-----\n!!!!\n-----END PKCS7-----\n") else { panic!("a broken PEM read as a certificate") };
        assert!(matches!(err, CertError::Unreadable(UnreadableCert::Pem(_))), "{err:?}");
    }
}
