//! The few DER shapes SCEP's messages are made of, written and read by hand: a definite-length
//! TLV writer, a reader that walks one level at a time, and the object identifiers used. Owns
//! the encoding rules (SET OF sorted, lengths) and refusing what is not DER (indefinite
//! lengths, a length past the input); not what the structures mean (`message`).

use crate::{MalformedScep, ScepError};

pub const SEQUENCE: u8 = 0x30;
pub const SET: u8 = 0x31;
pub const INTEGER: u8 = 0x02;
pub const BIT_STRING: u8 = 0x03;
pub const OCTET_STRING: u8 = 0x04;
pub const NULL: u8 = 0x05;
pub const OID: u8 = 0x06;
pub const UTF8_STRING: u8 = 0x0c;
pub const PRINTABLE_STRING: u8 = 0x13;
pub const UTC_TIME: u8 = 0x17;
/// `[0]` constructed (EXPLICIT, or IMPLICIT of a constructed type)
pub const CTX0: u8 = 0xa0;
/// `[0]` primitive (IMPLICIT OCTET STRING)
pub const CTX0_PRIMITIVE: u8 = 0x80;

/// Object identifiers, as the content bytes of their DER encoding.
pub mod oid {
    pub const DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
    pub const SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
    pub const ENVELOPED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03];
    pub const CONTENT_TYPE: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03];
    pub const MESSAGE_DIGEST: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04];
    pub const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    pub const SHA1_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05];
    pub const SHA256_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
    pub const SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
    pub const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    pub const AES128_CBC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02];
    pub const AES256_CBC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a];
    pub const DES_CBC: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x07];
    pub const DES_EDE3_CBC: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x07];
    pub const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
    /// 2.16.840.1.113733.1.9.x: SCEP's signed attributes (RFC 8894 §3.2.1)
    const SCEP: [u8; 9] = [0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x45, 0x01, 0x09];
    const fn scep(x: u8) -> [u8; 10] {
        let mut o = [0u8; 10];
        let mut i = 0;
        while i < 9 {
            o[i] = SCEP[i];
            i += 1;
        }
        o[9] = x;
        o
    }
    pub const MESSAGE_TYPE: &[u8] = &scep(2);
    pub const PKI_STATUS: &[u8] = &scep(3);
    pub const FAIL_INFO: &[u8] = &scep(4);
    pub const SENDER_NONCE: &[u8] = &scep(5);
    pub const RECIPIENT_NONCE: &[u8] = &scep(6);
    pub const TRANSACTION_ID: &[u8] = &scep(7);
}

/// One TLV with a definite length.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// A constructed TLV of the parts, in the order given.
pub fn cons(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    tlv(tag, &parts.concat())
}

pub fn seq(parts: &[&[u8]]) -> Vec<u8> {
    cons(SEQUENCE, parts)
}

/// A SET OF: DER orders its elements by their encodings (X.690 §11.6).
pub fn set_of(parts: &[&[u8]]) -> Vec<u8> {
    let mut sorted = parts.to_vec();
    sorted.sort();
    cons(SET, &sorted)
}

pub fn oid(content: &[u8]) -> Vec<u8> {
    tlv(OID, content)
}

/// An INTEGER of a non-negative value given big-endian, minimal as DER wants it.
pub fn uint(be: &[u8]) -> Vec<u8> {
    let skip = be.iter().take_while(|b| **b == 0).count().min(be.len().saturating_sub(1));
    let v = &be[skip..];
    if v.is_empty() {
        return tlv(INTEGER, &[0]);
    }
    if v[0] & 0x80 != 0 { tlv(INTEGER, &[&[0u8][..], v].concat()) } else { tlv(INTEGER, v) }
}

/// `AlgorithmIdentifier { oid, NULL }`
pub fn algorithm_null(o: &[u8]) -> Vec<u8> {
    seq(&[&oid(o), &tlv(NULL, &[])])
}

/// One read TLV: its tag, its content and the whole encoding.
#[derive(Debug, Clone, Copy)]
pub struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    pub raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// The TLVs directly inside this one.
    pub fn children(&self) -> Result<Vec<Tlv<'a>>, ScepError> {
        all(self.content)
    }

    /// Refuses another tag, naming what was expected.
    pub fn expect(self, tag: u8, what: &'static str) -> Result<Tlv<'a>, ScepError> {
        if self.tag == tag { Ok(self) } else { Err(ScepError::Malformed(MalformedScep::WrongTag { what, found: self.tag, expected: tag })) }
    }
}

/// The first TLV of `input` and what follows it.
pub fn read(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), ScepError> {
    let bad = ScepError::Malformed;
    let (&tag, rest) = input.split_first().ok_or_else(|| bad(MalformedScep::EndsEarly))?;
    if tag & 0x1f == 0x1f {
        return Err(bad(MalformedScep::MultiByteTag));
    }
    let (&first, rest) = rest.split_first().ok_or_else(|| bad(MalformedScep::NoLength))?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 {
            return Err(bad(MalformedScep::IndefiniteLength));
        }
        if n > 4 || rest.len() < n {
            return Err(bad(MalformedScep::LengthDoesNotFit));
        }
        let len = rest[..n].iter().fold(0usize, |a, b| (a << 8) | *b as usize);
        (len, &rest[n..])
    };
    if rest.len() < len {
        return Err(bad(MalformedScep::LongerThanItsHolder));
    }
    let header = input.len() - rest.len();
    Ok((Tlv { tag, content: &rest[..len], raw: &input[..header + len] }, &rest[len..]))
}

/// Every TLV of `input`, which they must fill.
pub fn all(mut input: &[u8]) -> Result<Vec<Tlv<'_>>, ScepError> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let (t, rest) = read(input)?;
        out.push(t);
        input = rest;
    }
    Ok(out)
}

/// The one TLV that is the whole of `input`.
pub fn whole<'a>(input: &'a [u8], what: &'static str) -> Result<Tlv<'a>, ScepError> {
    let (t, rest) = read(input)?;
    if !rest.is_empty() {
        return Err(ScepError::Malformed(MalformedScep::BytesAfterEnd { what, bytes: rest.len() }));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_integers_are_minimal() {
        assert_eq!(tlv(OCTET_STRING, &[1; 3]), vec![4, 3, 1, 1, 1]);
        let long = tlv(OCTET_STRING, &[0; 300]);
        assert_eq!(&long[..4], &[4, 0x82, 0x01, 0x2c]);
        assert_eq!(uint(&[0, 0, 5]), vec![2, 1, 5]);
        assert_eq!(uint(&[0x80]), vec![2, 2, 0, 0x80]);
        assert_eq!(uint(&[0, 0]), vec![2, 1, 0]);
        let (t, rest) = read(&long).unwrap();
        assert_eq!((t.tag, t.content.len(), rest.len()), (4, 300, 0));
    }

    #[test]
    fn a_set_of_is_sorted_and_bad_lengths_are_refused() {
        assert_eq!(set_of(&[&[4, 1, 9], &[2, 1, 1]]), vec![0x31, 6, 2, 1, 1, 4, 1, 9]);
        assert!(read(&[0x30, 0x80, 0, 0]).is_err());
        assert!(read(&[0x30, 5, 1]).is_err());
        assert!(whole(&[4, 0, 4, 0], "x").is_err());
        assert_eq!(oid::TRANSACTION_ID, &[0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x45, 0x01, 0x09, 0x07]);
    }

    /// #75: what is wrong with the DER is a typed reason, in the words the text had.
    #[test]
    fn bad_der_is_a_typed_reason() {
        let indefinite = read(&[0x30, 0x80, 0, 0]).unwrap_err();
        assert!(matches!(indefinite, ScepError::Malformed(MalformedScep::IndefiniteLength)), "{indefinite:?}");
        assert_eq!(indefinite.to_string(), "the RA's answer is not a SCEP message: an indefinite length (BER, not DER)");
        let after = whole(&[4, 0, 4, 0], "x").unwrap_err();
        assert!(matches!(after, ScepError::Malformed(MalformedScep::BytesAfterEnd { what: "x", bytes: 2 })), "{after:?}");
        assert_eq!(after.to_string(), "the RA's answer is not a SCEP message: x: 2 bytes after its end");
        let tag = read(&[4, 0]).unwrap().0.expect(SEQUENCE, "the request").unwrap_err();
        assert_eq!(tag.to_string(), "the RA's answer is not a SCEP message: the request: tag 0x04 where 0x30 was expected");
        assert_eq!(tag.code(), "ra_malformed");
    }
}
