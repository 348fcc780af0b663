//! The object identifiers of the 国密 formats this crate reads and writes (GM/T 0006). Owns
//! the constants only; which container is supported is `response`'s business.

use der::asn1::ObjectIdentifier as Oid;

/// id-ecPublicKey (RFC 5480), the SPKI algorithm of an SM2 key.
pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
/// The SM2 curve (sm2p256v1), the SPKI parameters of an SM2 key.
pub const SM2_CURVE: Oid = Oid::new_unwrap("1.2.156.10197.1.301");
/// SM2 signature with SM3 (sm2sign-with-sm3), encoded without parameters.
pub const SM2_WITH_SM3: Oid = Oid::new_unwrap("1.2.156.10197.1.501");
/// SM4 in ECB mode, the symmetric algorithm of a GM/T 0009 `SM2EnvelopedKey`.
pub const SM4_ECB: Oid = Oid::new_unwrap("1.2.156.10197.1.104.1");

/// PKCS#7 content types (`1.2.840.113549.1.7.n`) and GM/T 0010 ones (`1.2.156.10197.6.1.4.2.n`),
/// named so an unsupported answer can say what it is.
pub const CONTAINERS: &[(&str, &str)] = &[
    ("1.2.840.113549.1.7.1", "PKCS#7 data"),
    ("1.2.840.113549.1.7.2", "PKCS#7 signedData"),
    ("1.2.840.113549.1.7.3", "PKCS#7 envelopedData"),
    ("1.2.840.113549.1.7.4", "PKCS#7 signedAndEnvelopedData"),
    ("1.2.840.113549.1.7.5", "PKCS#7 digestedData"),
    ("1.2.840.113549.1.7.6", "PKCS#7 encryptedData"),
    ("1.2.156.10197.6.1.4.2.1", "GM/T 0010 data"),
    ("1.2.156.10197.6.1.4.2.2", "GM/T 0010 signedData"),
    ("1.2.156.10197.6.1.4.2.3", "GM/T 0010 envelopedData"),
    ("1.2.156.10197.6.1.4.2.4", "GM/T 0010 signedAndEnvelopedData"),
    ("1.2.156.10197.6.1.4.2.5", "GM/T 0010 encryptedData"),
    ("1.2.156.10197.6.1.4.2.6", "GM/T 0010 keyAgreementInfo"),
];
