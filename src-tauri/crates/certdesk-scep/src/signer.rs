//! The message's transient signer: an RSA 2048 key made once in this process, never written,
//! and a self-signed certificate for it that the RA encrypts its answer to (RFC 8894 §2.3: a
//! requester without a certificate signs with a self-signed one). Owns making them.

use crate::der::{self, oid};
use crate::{RequestProblem, ScepError};
use rsa::pkcs8::EncodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use sha2::{Digest, Sha256};

/// The RSA key and its self-signed certificate.
pub struct Signer {
    pub(crate) key: RsaPrivateKey,
    pub(crate) certificate: Vec<u8>,
    pub(crate) issuer_and_serial: Vec<u8>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").field("certificate_sha256", &crate::sha256_hex(&self.certificate)).finish()
    }
}

impl Signer {
    /// A new key and certificate (about a second: make one per process, see `shared`).
    pub fn new() -> Result<Signer, ScepError> {
        let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).map_err(|e| ScepError::Request(RequestProblem::MakingKey(e)))?;
        let spki = key.to_public_key().to_public_key_der().map_err(|e| ScepError::Request(RequestProblem::EncodingKey(e)))?;
        let mut serial = [0u8; 8];
        rsa::rand_core::RngCore::fill_bytes(&mut rsa::rand_core::OsRng, &mut serial);
        serial[0] &= 0x7f;
        serial[0] |= 0x01;
        let name = der::seq(&[&der::set_of(&[&der::seq(&[&der::oid(oid::COMMON_NAME), &der::tlv(der::UTF8_STRING, "certdesk SCEP requester".as_bytes())])])]);
        let now = chrono::Utc::now();
        let time = |t: chrono::DateTime<chrono::Utc>| der::tlv(der::UTC_TIME, t.format("%y%m%d%H%M%SZ").to_string().as_bytes());
        let validity = der::seq(&[&time(now - chrono::Duration::hours(1)), &time(now + chrono::Duration::days(2))]);
        let algorithm = der::algorithm_null(oid::SHA256_WITH_RSA);
        let version = der::tlv(der::CTX0, &der::uint(&[2]));
        let serial_int = der::uint(&serial);
        let tbs = der::seq(&[&version, &serial_int, &algorithm, &name, &validity, &name, spki.as_bytes()]);
        let signature = key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(&tbs)).map_err(|e| ScepError::Request(RequestProblem::SigningCertificate(e)))?;
        let bits = der::tlv(der::BIT_STRING, &[&[0u8][..], &signature].concat());
        let certificate = der::seq(&[&tbs, &algorithm, &bits]);
        let issuer_and_serial = der::seq(&[&name, &serial_int]);
        Ok(Signer { key, certificate, issuer_and_serial })
    }

    /// This process's signer, made at the first enrolment and kept until the process ends.
    pub fn shared() -> Result<std::sync::Arc<Signer>, ScepError> {
        static SHARED: std::sync::Mutex<Option<std::sync::Arc<Signer>>> = std::sync::Mutex::new(None);
        let mut held = SHARED.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = held.as_ref() {
            return Ok(s.clone());
        }
        let s = std::sync::Arc::new(Signer::new()?);
        *held = Some(s.clone());
        Ok(s)
    }

    /// The self-signed certificate (DER).
    pub fn certificate(&self) -> &[u8] {
        &self.certificate
    }
}
