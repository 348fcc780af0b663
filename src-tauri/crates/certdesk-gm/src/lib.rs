//! 国密 (Chinese commercial cryptography) primitives for the key desk: pure functions over
//! bytes, no IO, no token, no randomness. Owns the SM2 user hash Z and e = SM3(Z‖M) (`z`), the
//! SM2 PKCS#10 request signed through a token-side prehash signer (`request`), SM2-with-SM3
//! certificate signature checks for the chain code (`verify`), the CA/KMC's dual-certificate
//! answers — GM/T 0009 `SM2EnvelopedKey`, the SKF `ENVELOPEDKEYBLOB`, GM/T 0092 `CSRResponse` —
//! (`envelope`, `response`), the checks made before anything is written to a key (`checks`) and
//! SM4-ECB over whole blocks (`sm4ecb`).
//!
//! Does not own: talking to a key (PKCS#11, SKF), path building (`certdesk-token::chain`), the
//! test CA/KMC (`certdesk-testkit::gm_ca`). The private keys of a case never reach this crate:
//! signing goes through [`request::Sm2PrehashSigner`], which the token side implements, and an
//! enveloped private key stays encrypted (only the token opens it).

pub mod checks;
pub mod envelope;
pub mod oid;
pub mod point;
pub mod request;
pub mod response;
pub mod sm4ecb;
pub mod verify;
pub mod z;

pub use checks::{CheckError, check_envelope_matches_encryption_cert, check_sign_cert_matches_key};
pub use envelope::{EnvelopeError, EnvelopedKey, PrivateKeyLayout, Sm2Cipher, SymAlg, UnknownShape};
pub use point::{DistId, DistIdError, KeyError, Sm2Point};
pub use request::{RequestError, SignatureFormatError, Sm2PrehashSigner, Sm2Request, build_request, normalise_signature, sm2_with_sm3, verify_request};

pub use response::{CaAnswer, CsrResponse, parse_ca_answer};
pub use verify::{VerifyError, spki_der_of, verify_certificate, verify_sm2_signed, verify_with_point};
pub use z::{sm3_e, z_value};

/// The crates whose types appear in this API (names, certificates), re-exported so callers
/// use the same versions.
pub use der;
pub use x509_cert;

/// The distinguishing ID that GM/T 0009 fixes when the parties agree on no other:
/// the ASCII string `1234567812345678`.
pub const DEFAULT_DISTID: &[u8] = b"1234567812345678";
