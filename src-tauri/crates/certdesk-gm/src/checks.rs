//! The checks made before a dual certificate touches a key, as pure functions: the
//! enveloped public key is the encryption certificate's, and the signing certificate carries
//! the key generated on the token for this case. Owns the comparison and its error; chain
//! checks are `verify` plus the token crate's path building.

use crate::envelope::EnvelopedKey;
use crate::point::{KeyError, Sm2Point, hex};

/// A certificate that does not belong with this case's keys.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    #[error("{which}")]
    Certificate {
        which: &'static str,
        #[source]
        source: KeyError,
    },
    #[error("the encryption certificate's public key (x {cert}…) is not the enveloped one (x {envelope}…)")]
    EncryptionKeyMismatch { cert: String, envelope: String },
    #[error("the signing certificate's public key (x {cert}…) is not the key generated for this case (x {generated}…)")]
    SigningKeyMismatch { cert: String, generated: String },
}

fn short(p: &Sm2Point) -> String {
    hex(&p.x()[..8])
}

/// The public key enveloped by the KMC equals the encryption certificate's SPKI point.
pub fn check_envelope_matches_encryption_cert(envelope: &EnvelopedKey, enc_cert_der: &[u8]) -> Result<(), CheckError> {
    let cert = Sm2Point::from_certificate_der(enc_cert_der, "encryption certificate").map_err(|source| CheckError::Certificate { which: "encryption certificate", source })?;
    if &cert != envelope.public_key() {
        return Err(CheckError::EncryptionKeyMismatch { cert: short(&cert), envelope: short(envelope.public_key()) });
    }
    Ok(())
}

/// The signing certificate's public key equals the key generated on the token for the case.
pub fn check_sign_cert_matches_key(sign_cert_der: &[u8], generated: &Sm2Point) -> Result<(), CheckError> {
    let cert = Sm2Point::from_certificate_der(sign_cert_der, "signing certificate").map_err(|source| CheckError::Certificate { which: "signing certificate", source })?;
    if &cert != generated {
        return Err(CheckError::SigningKeyMismatch { cert: short(&cert), generated: short(generated) });
    }
    Ok(())
}
