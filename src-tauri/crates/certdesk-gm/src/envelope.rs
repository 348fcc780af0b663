//! The encryption key pair as the KMC sends it, enveloped to the signing key, in a neutral
//! form (`EnvelopedKey`) and its two encodings:
//!
//! - GM/T 0009-2012 §7.4 `SM2EnvelopedKey ::= SEQUENCE { symAlgID AlgorithmIdentifier,
//!   symEncryptedKey SM2Cipher, sm2PublicKey BIT STRING (04‖X‖Y), sm2EncryptedPrivateKey
//!   BIT STRING }` with `SM2Cipher ::= SEQUENCE { XCoordinate INTEGER, YCoordinate INTEGER,
//!   HASH OCTET STRING (32), CipherText OCTET STRING }` (C1, C3, C2);
//! - GM/T 0016 (SKF) `ENVELOPEDKEYBLOB { ULONG Version = 1; ULONG ulSymmAlgID = SGD_SM4_ECB;
//!   ULONG ulBits = 256; BYTE cbEncryptedPriKey[64]; ECCPUBLICKEYBLOB PubKey;
//!   ECCCIPHERBLOB ECCCipherBlob }`, ULONGs little-endian u32, packed, 256-bit values
//!   right-aligned in 64-byte fields, `ECCCIPHERBLOB { X[64]; Y[64]; HASH[32]; CipherLen;
//!   Cipher[CipherLen] }`.
//!
//! The private key stays encrypted: the SM4 key inside `symEncryptedKey` opens only with the
//! signing key, which lives on the token. Owns parsing, encoding and the shape checks (every
//! malformed input is a typed error naming the field and its offset, never a panic). Does not
//! decrypt, and does not compare keys with certificates (`checks`).

use crate::oid;
use crate::point::{KeyError, Sm2Point};
use der::asn1::{Any, BitString, Null, OctetString, Uint};
use der::{Decode, Encode, Sequence};
use x509_cert::spki::AlgorithmIdentifierOwned;

/// The symmetric algorithm that encrypts the private key. Only SM4-ECB is defined for both
/// GM/T 0009 (1.2.156.10197.1.104.1) and SKF (`SGD_SM4_ECB` 0x401).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SymAlg {
    Sm4Ecb,
}

/// `SGD_SM4_ECB` (GM/T 0006).
pub const SGD_SM4_ECB: u32 = 0x0000_0401;

/// How the encrypted private key was laid out before SM4-ECB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrivateKeyLayout {
    /// GM/T 0009: the 32-byte scalar, so 32 bytes of ciphertext. In an SKF blob these 32 bytes
    /// stand right-aligned in the 64-byte field (the host cannot re-encrypt them: the SM4 key
    /// opens only inside the token), so whether a token accepts it depends on the vendor.
    Scalar32,
    /// SKF: the scalar right-aligned in 64 bytes (32 zero bytes first), so 64 bytes of
    /// ciphertext filling the field.
    RightAligned64,
}

/// An SM2 ciphertext (GB/T 32918.4): C1 the ephemeral point, C3 = SM3(x2‖M‖y2), C2 the
/// masked message (here the 16-byte SM4 key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sm2Cipher {
    pub c1: Sm2Point,
    pub c3: [u8; 32],
    pub c2: Vec<u8>,
}

/// The KMC's enveloped encryption key pair, independent of its encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopedKey {
    sym_alg: SymAlg,
    encrypted_private_key: Vec<u8>,
    public_key: Sm2Point,
    cipher: Sm2Cipher,
}

/// Why bytes are not a supported envelope or answer. Offsets are byte offsets into the input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    #[error("{what}: malformed DER")]
    Der {
        what: &'static str,
        #[source]
        source: der::Error,
    },
    #[error("SKF blob: {field} at offset {offset} needs {need} bytes, only {have} left")]
    Truncated { field: &'static str, offset: usize, need: usize, have: usize },
    #[error("SKF blob: {field} at offset {offset} is {found:#x}, expected {expected:#x}")]
    BadField { field: &'static str, offset: usize, found: u32, expected: u32 },
    #[error("SKF blob: {field} at offset {offset}: the 32 high bytes of a 256-bit value are not zero")]
    NotRightAligned { field: &'static str, offset: usize },
    #[error("{what}: {count} bytes after the end at offset {offset}")]
    TrailingBytes { what: &'static str, offset: usize, count: usize },
    #[error("symmetric algorithm {found}: only SM4-ECB (1.2.156.10197.1.104.1) is supported")]
    UnsupportedSymAlg { found: String },
    #[error("{field}: a BIT STRING with unused bits, expected whole bytes")]
    UnusedBits { field: &'static str },
    #[error("{field} is {len} bytes: expected {expected}")]
    BadLength { field: &'static str, len: usize, expected: &'static str },
    #[error("key in the envelope")]
    Key(#[from] KeyError),
    #[error("{container} ({oid}) is not supported: send the GM/T 0009 SM2EnvelopedKey, the SKF ENVELOPEDKEYBLOB or a GM/T 0092 CSRResponse")]
    UnsupportedContainer { container: &'static str, oid: String },
    #[error("PEM or Base64 text: decode it to the DER or blob bytes first")]
    Text,
    #[error("not a GM/T 0009 envelope, SKF ENVELOPEDKEYBLOB or GM/T 0092 CSRResponse ({shape})")]
    UnknownFormat { shape: UnknownShape },
}

/// Where DER bytes stop looking like any answer this crate reads, with the tag found there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnknownShape {
    #[error("outer tag {0} is not a SEQUENCE")]
    OuterNotSequence(der::Tag),
    /// The first element inside tells the formats apart: a GM/T 0009 envelope starts with an
    /// AlgorithmIdentifier, a CSRResponse with a SET, a ContentInfo with an OID.
    #[error("first element {0} is none of AlgorithmIdentifier, SET, OID")]
    FirstElement(der::Tag),
}

#[derive(Sequence)]
struct Sm2CipherAsn1 {
    x: Uint,
    y: Uint,
    hash: OctetString,
    cipher_text: OctetString,
}

#[derive(Sequence)]
struct Sm2EnvelopedKeyAsn1 {
    sym_alg_id: AlgorithmIdentifierOwned,
    sym_encrypted_key: Sm2CipherAsn1,
    sm2_public_key: BitString,
    sm2_encrypted_private_key: BitString,
}

const GMT0009: &str = "GM/T 0009 SM2EnvelopedKey";

impl Sm2Cipher {
    /// From the DER `SM2Cipher` (what `openssl pkeyutl -encrypt` writes).
    pub fn from_der(der: &[u8]) -> Result<Self, EnvelopeError> {
        let asn1 = Sm2CipherAsn1::from_der(der).map_err(|source| EnvelopeError::Der { what: "SM2Cipher", source })?;
        Self::from_asn1(&asn1)
    }

    fn from_asn1(asn1: &Sm2CipherAsn1) -> Result<Self, EnvelopeError> {
        let c1 = Sm2Point::from_short_coordinates(asn1.x.as_bytes(), asn1.y.as_bytes(), "SM2Cipher C1")?;
        let c3 = fixed32(asn1.hash.as_bytes(), "SM2Cipher HASH (C3)")?;
        Ok(Self { c1, c3, c2: asn1.cipher_text.as_bytes().to_vec() })
    }

    fn to_asn1(&self) -> der::Result<Sm2CipherAsn1> {
        Ok(Sm2CipherAsn1 { x: Uint::new(self.c1.x())?, y: Uint::new(self.c1.y())?, hash: OctetString::new(self.c3.to_vec())?, cipher_text: OctetString::new(self.c2.clone())? })
    }

    /// The DER `SM2Cipher` (what `openssl pkeyutl -decrypt` reads).
    pub fn to_der(&self) -> Vec<u8> {
        self.to_asn1().and_then(|a| a.to_der()).expect("an SM2Cipher of checked shape always encodes")
    }
}

fn fixed32(bytes: &[u8], field: &'static str) -> Result<[u8; 32], EnvelopeError> {
    bytes.try_into().map_err(|_| EnvelopeError::BadLength { field, len: bytes.len(), expected: "32" })
}

impl EnvelopedKey {
    /// Checks the shape: the encrypted private key is 32 bytes (GM/T 0009) or 64 (SKF), and the
    /// SM2 ciphertext carries a 16-byte SM4 key.
    pub fn new(sym_alg: SymAlg, encrypted_private_key: Vec<u8>, public_key: Sm2Point, cipher: Sm2Cipher) -> Result<Self, EnvelopeError> {
        if !matches!(encrypted_private_key.len(), 32 | 64) {
            return Err(EnvelopeError::BadLength { field: "encrypted private key", len: encrypted_private_key.len(), expected: "32 or 64" });
        }
        if cipher.c2.len() != 16 {
            return Err(EnvelopeError::BadLength { field: "SM2-encrypted SM4 key (C2)", len: cipher.c2.len(), expected: "16" });
        }
        Ok(Self { sym_alg, encrypted_private_key, public_key, cipher })
    }

    pub fn sym_alg(&self) -> SymAlg {
        self.sym_alg
    }

    /// The SM4-ECB ciphertext of the private key: 32 or 64 bytes, see [`Self::layout`].
    pub fn encrypted_private_key(&self) -> &[u8] {
        &self.encrypted_private_key
    }

    pub fn layout(&self) -> PrivateKeyLayout {
        if self.encrypted_private_key.len() == 32 { PrivateKeyLayout::Scalar32 } else { PrivateKeyLayout::RightAligned64 }
    }

    /// The enveloped (encryption) public key.
    pub fn public_key(&self) -> &Sm2Point {
        &self.public_key
    }

    /// The SM4 key, SM2-encrypted to the signing public key.
    pub fn cipher(&self) -> &Sm2Cipher {
        &self.cipher
    }

    /// Parses a DER GM/T 0009 `SM2EnvelopedKey`.
    pub fn from_gmt0009_der(der: &[u8]) -> Result<Self, EnvelopeError> {
        let asn1 = Sm2EnvelopedKeyAsn1::from_der(der).map_err(|source| EnvelopeError::Der { what: GMT0009, source })?;
        let alg = &asn1.sym_alg_id;
        let null_or_absent = alg.parameters.as_ref().is_none_or(|p| p.decode_as::<Null>().is_ok());
        if alg.oid != oid::SM4_ECB || !null_or_absent {
            return Err(EnvelopeError::UnsupportedSymAlg { found: alg.oid.to_string() });
        }
        let cipher = Sm2Cipher::from_asn1(&asn1.sym_encrypted_key)?;
        let pub_bits = asn1.sm2_public_key.as_bytes().ok_or(EnvelopeError::UnusedBits { field: "sm2PublicKey" })?;
        let public_key = Sm2Point::from_sec1(pub_bits, "sm2PublicKey")?;
        let key_bits = asn1.sm2_encrypted_private_key.as_bytes().ok_or(EnvelopeError::UnusedBits { field: "sm2EncryptedPrivateKey" })?;
        Self::new(SymAlg::Sm4Ecb, key_bits.to_vec(), public_key, cipher)
    }

    /// The DER GM/T 0009 `SM2EnvelopedKey` (symAlgID SM4-ECB without parameters).
    pub fn to_gmt0009_der(&self) -> Vec<u8> {
        let encode = || -> der::Result<Vec<u8>> {
            Sm2EnvelopedKeyAsn1 {
                sym_alg_id: AlgorithmIdentifierOwned { oid: oid::SM4_ECB, parameters: None::<Any> },
                sym_encrypted_key: self.cipher.to_asn1()?,
                sm2_public_key: BitString::from_bytes(&self.public_key.to_sec1())?,
                sm2_encrypted_private_key: BitString::from_bytes(&self.encrypted_private_key)?,
            }
            .to_der()
        };
        encode().expect("an envelope of checked shape always encodes")
    }

    /// Parses an SKF `ENVELOPEDKEYBLOB`. A 64-byte private key field whose first 32 bytes are
    /// zero is read as a 32-byte GM/T 0009 ciphertext right-aligned ([`PrivateKeyLayout::Scalar32`]).
    pub fn from_skf_blob(blob: &[u8]) -> Result<Self, EnvelopeError> {
        let mut r = BlobReader { blob, at: 0 };
        r.expect_u32("Version", 1)?;
        r.expect_u32("ulSymmAlgID", SGD_SM4_ECB)?;
        r.expect_u32("ulBits", 256)?;
        let field = r.take("cbEncryptedPriKey", 64)?;
        let encrypted_private_key = if field[..32].iter().all(|b| *b == 0) { field[32..].to_vec() } else { field.to_vec() };
        r.expect_u32("PubKey.BitLen", 256)?;
        let x = r.right_aligned("PubKey.XCoordinate")?;
        let y = r.right_aligned("PubKey.YCoordinate")?;
        let public_key = Sm2Point::from_coordinates(x, y, "ENVELOPEDKEYBLOB PubKey")?;
        let cx = r.right_aligned("ECCCipherBlob.XCoordinate")?;
        let cy = r.right_aligned("ECCCipherBlob.YCoordinate")?;
        let c1 = Sm2Point::from_coordinates(cx, cy, "ECCCipherBlob C1")?;
        let c3 = fixed32(r.take("ECCCipherBlob.HASH", 32)?, "ECCCipherBlob.HASH")?;
        let len = r.u32("ECCCipherBlob.CipherLen")?;
        let c2 = r.take("ECCCipherBlob.Cipher", len as usize)?.to_vec();
        if r.at != blob.len() {
            return Err(EnvelopeError::TrailingBytes { what: "ENVELOPEDKEYBLOB", offset: r.at, count: blob.len() - r.at });
        }
        Self::new(SymAlg::Sm4Ecb, encrypted_private_key, public_key, Sm2Cipher { c1, c3, c2 })
    }

    /// The SKF `ENVELOPEDKEYBLOB` bytes (Version 1, `SGD_SM4_ECB`, 256 bits). A
    /// [`PrivateKeyLayout::Scalar32`] key (from GM/T 0009) stands right-aligned in the 64-byte
    /// field as it is: it cannot be re-encrypted on the host.
    pub fn to_skf_blob(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(12 + 64 + 132 + 164 + self.cipher.c2.len());
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&SGD_SM4_ECB.to_le_bytes());
        out.extend_from_slice(&256u32.to_le_bytes());
        out.extend_from_slice(&[0u8; 64][..64 - self.encrypted_private_key.len()]);
        out.extend_from_slice(&self.encrypted_private_key);
        out.extend_from_slice(&256u32.to_le_bytes());
        for coordinate in [self.public_key.x(), self.public_key.y(), self.cipher.c1.x(), self.cipher.c1.y()] {
            out.extend_from_slice(&[0u8; 32]);
            out.extend_from_slice(coordinate);
        }
        out.extend_from_slice(&self.cipher.c3);
        out.extend_from_slice(&u32::try_from(self.cipher.c2.len()).expect("16 bytes, checked").to_le_bytes());
        out.extend_from_slice(&self.cipher.c2);
        out
    }
}

struct BlobReader<'a> {
    blob: &'a [u8],
    at: usize,
}

impl<'a> BlobReader<'a> {
    fn take(&mut self, field: &'static str, need: usize) -> Result<&'a [u8], EnvelopeError> {
        let have = self.blob.len() - self.at;
        if need > have {
            return Err(EnvelopeError::Truncated { field, offset: self.at, need, have });
        }
        let out = &self.blob[self.at..self.at + need];
        self.at += need;
        Ok(out)
    }

    fn u32(&mut self, field: &'static str) -> Result<u32, EnvelopeError> {
        let bytes = self.take(field, 4)?;
        Ok(u32::from_le_bytes(bytes.try_into().expect("4 bytes")))
    }

    fn expect_u32(&mut self, field: &'static str, expected: u32) -> Result<(), EnvelopeError> {
        let offset = self.at;
        let found = self.u32(field)?;
        if found != expected {
            return Err(EnvelopeError::BadField { field, offset, found, expected });
        }
        Ok(())
    }

    fn right_aligned(&mut self, field: &'static str) -> Result<[u8; 32], EnvelopeError> {
        let offset = self.at;
        let bytes = self.take(field, 64)?;
        if bytes[..32].iter().any(|b| *b != 0) {
            return Err(EnvelopeError::NotRightAligned { field, offset });
        }
        Ok(bytes[32..].try_into().expect("32 bytes"))
    }
}
