//! SM2 public points and distinguishing IDs as validated values. Owns `Sm2Point` (an affine
//! point checked to be on the SM2 curve, read from SEC1 bytes, coordinates, an SPKI or a
//! certificate) and `DistId` (the ID that goes into Z). Does not compute Z: that is `z`.

use crate::{DEFAULT_DISTID, oid};
use der::asn1::{Any, BitString, ObjectIdentifier};
use der::{Decode, Encode};
use std::fmt;
use x509_cert::Certificate;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// Why bytes are not an SM2 public key. `what` names the key in question ("issuer SPKI",
/// "enveloped public key", …).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    #[error("{what}: expected an uncompressed SM2 point (04‖X‖Y, 65 bytes), got {len} bytes")]
    NotUncompressed { what: &'static str, len: usize },
    #[error("{what}: coordinate of {len} bytes is longer than 32")]
    CoordinateTooLong { what: &'static str, len: usize },
    #[error("{what}: the point is not on the SM2 curve")]
    NotOnCurve { what: &'static str },
    #[error("{what}: not an SM2 public key (algorithm {algorithm}, parameters {parameters})")]
    NotSm2 { what: &'static str, algorithm: String, parameters: String },
    #[error("{what}: malformed DER")]
    Der {
        what: &'static str,
        #[source]
        source: der::Error,
    },
}

/// An affine point on the SM2 curve (GB/T 32918.5), kept as its two 32-byte big-endian
/// coordinates; never the point at infinity.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Sm2Point {
    x: [u8; 32],
    y: [u8; 32],
}

impl fmt::Debug for Sm2Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sm2Point(x={}, y={})", hex(&self.x), hex(&self.y))
    }
}

impl Sm2Point {
    /// From the coordinates, checked to be on the curve.
    pub fn from_coordinates(x: [u8; 32], y: [u8; 32], what: &'static str) -> Result<Self, KeyError> {
        let mut sec1 = [0u8; 65];
        sec1[0] = 4;
        sec1[1..33].copy_from_slice(&x);
        sec1[33..].copy_from_slice(&y);
        sm2::PublicKey::from_sec1_bytes(&sec1).map_err(|_| KeyError::NotOnCurve { what })?;
        Ok(Self { x, y })
    }

    /// From big-endian coordinates of at most 32 bytes each (DER INTEGER magnitudes, right-
    /// aligned SKF fields after their padding is removed): left-padded with zeros.
    pub fn from_short_coordinates(x: &[u8], y: &[u8], what: &'static str) -> Result<Self, KeyError> {
        Self::from_coordinates(left_pad(x, what)?, left_pad(y, what)?, what)
    }

    /// From the SEC1 uncompressed encoding `04‖X‖Y` (what a BIT STRING of an SPKI or of a GM/T
    /// 0009 envelope holds).
    pub fn from_sec1(bytes: &[u8], what: &'static str) -> Result<Self, KeyError> {
        if bytes.len() != 65 || bytes[0] != 4 {
            return Err(KeyError::NotUncompressed { what, len: bytes.len() });
        }
        let mut x = [0u8; 32];
        let mut y = [0u8; 32];
        x.copy_from_slice(&bytes[1..33]);
        y.copy_from_slice(&bytes[33..]);
        Self::from_coordinates(x, y, what)
    }

    /// From a DER `SubjectPublicKeyInfo` whose algorithm is id-ecPublicKey with the SM2 curve.
    pub fn from_spki_der(der: &[u8], what: &'static str) -> Result<Self, KeyError> {
        let spki = SubjectPublicKeyInfoOwned::from_der(der).map_err(|source| KeyError::Der { what, source })?;
        Self::from_spki(&spki, what)
    }

    /// From a parsed `SubjectPublicKeyInfo` (id-ecPublicKey, SM2 curve).
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned, what: &'static str) -> Result<Self, KeyError> {
        let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        if spki.algorithm.oid != oid::EC_PUBLIC_KEY || curve != Some(oid::SM2_CURVE) {
            return Err(KeyError::NotSm2 {
                what,
                algorithm: spki.algorithm.oid.to_string(),
                parameters: curve.map_or_else(|| "absent or not an OID".to_owned(), |c| c.to_string()),
            });
        }
        let bits = spki.subject_public_key.as_bytes().ok_or(KeyError::NotUncompressed { what, len: 0 })?;
        Self::from_sec1(bits, what)
    }

    /// The subject public key of a DER certificate.
    pub fn from_certificate_der(der: &[u8], what: &'static str) -> Result<Self, KeyError> {
        let cert = Certificate::from_der(der).map_err(|source| KeyError::Der { what, source })?;
        Self::from_spki(cert.tbs_certificate().subject_public_key_info(), what)
    }

    pub fn x(&self) -> &[u8; 32] {
        &self.x
    }

    pub fn y(&self) -> &[u8; 32] {
        &self.y
    }

    /// `04‖X‖Y`.
    pub fn to_sec1(&self) -> [u8; 65] {
        let mut out = [0u8; 65];
        out[0] = 4;
        out[1..33].copy_from_slice(&self.x);
        out[33..].copy_from_slice(&self.y);
        out
    }

    /// The SPKI of this key: id-ecPublicKey with the SM2 curve OID as parameters.
    pub fn to_spki(&self) -> SubjectPublicKeyInfoOwned {
        SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned { oid: oid::EC_PUBLIC_KEY, parameters: Some(Any::encode_from(&oid::SM2_CURVE).expect("an OID always encodes")) },
            subject_public_key: BitString::from_bytes(&self.to_sec1()).expect("65 bytes always encode"),
        }
    }

    /// [`Self::to_spki`] as DER.
    pub fn to_spki_der(&self) -> Vec<u8> {
        self.to_spki().to_der().expect("an SPKI of fixed shape always encodes")
    }

    /// The key in RustCrypto's type, for the arithmetic.
    pub(crate) fn to_public_key(self) -> sm2::PublicKey {
        sm2::PublicKey::from_sec1_bytes(&self.to_sec1()).expect("checked on the curve at construction")
    }
}

fn left_pad(bytes: &[u8], what: &'static str) -> Result<[u8; 32], KeyError> {
    let mut out = [0u8; 32];
    let start = 32usize.checked_sub(bytes.len()).ok_or(KeyError::CoordinateTooLong { what, len: bytes.len() })?;
    out[start..].copy_from_slice(bytes);
    Ok(out)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The distinguishing ID (ID_A) hashed into Z. GB/T 32918.2 gives its length in bits as two
/// bytes (ENTL), so it holds at most 8191 bytes; empty is allowed (what OpenSSL uses unless
/// told otherwise). The default is [`DEFAULT_DISTID`].
#[derive(Clone, PartialEq, Eq)]
pub struct DistId(Vec<u8>);

/// A distinguishing ID too long for ENTL.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DistIdError {
    #[error("distinguishing ID of {len} bytes: ENTL holds at most 8191 bytes (65535 bits)")]
    TooLong { len: usize },
}

impl DistId {
    pub fn new(id: impl Into<Vec<u8>>) -> Result<Self, DistIdError> {
        let id = id.into();
        if id.len() > 8191 {
            return Err(DistIdError::TooLong { len: id.len() });
        }
        Ok(Self(id))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// ENTL: the ID's length in bits, big-endian.
    pub fn entl(&self) -> [u8; 2] {
        u16::try_from(self.0.len() * 8).expect("checked at construction").to_be_bytes()
    }
}

impl Default for DistId {
    fn default() -> Self {
        Self(DEFAULT_DISTID.to_vec())
    }
}

impl fmt::Debug for DistId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DistId({:?})", String::from_utf8_lossy(&self.0))
    }
}

impl fmt::Display for DistId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.0))
    }
}
