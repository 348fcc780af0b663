//! Online enrolment with a CA's registration authority over SCEP (RFC 8894), the "one plug per
//! key" route of #72: the key stays plugged while its request, made and signed on the key,
//! goes to the RA and the certificate comes back. Owns the protocol: the RA's certificates
//! (`GetCACert`), the `PKCSReq` (the request enveloped to the RA and signed), the `CertRep`
//! checked (signature of the RA, nonce, transaction) and opened. Not the token (the request
//! arrives made), not the case (the desk imports the answer as it imports a CA's file), not
//! where the RA's settings are kept.
//!
//! The message is signed by a transient RSA key of this process, not by the key on the token:
//! the answer comes encrypted to the message's signer, the RAs we meet take only RSA signers,
//! and the token's key may be P-256 (or refuse to decrypt). The proof that the holder's key
//! made the request is the request's own signature; the RA's challenge is in the request.

mod der;
pub mod http;
pub mod message;
pub mod signer;

pub use message::{Enrolled, RaCertificates};
pub use signer::Signer;

use zeroize::Zeroizing;

/// Why an enrolment did not bring a certificate back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScepError {
    #[error("the RA's address {url}: {problem}")]
    Address { url: String, problem: http::AddressProblem },
    #[error("the RA at {url} cannot be reached: {source}")]
    Unreachable {
        url: String,
        #[source]
        source: http::Unreachable,
    },
    #[error("the RA answered HTTP {status}: {body}")]
    Http { status: u16, body: String },
    #[error("the RA's answer is not a SCEP message: {0}")]
    Malformed(String),
    #[error("the RA's certificates do not include the CA certificate set for this project (SHA-256 {pinned})")]
    NotPinned { pinned: String },
    #[error("the RA's answer does not verify: {0}")]
    BadSignature(SignatureProblem),
    #[error("the RA refused the request: {reason}")]
    Refused { reason: &'static str },
    #[error("the RA holds the request for its operator's approval (pending): issue it offline or send it again once approved")]
    Pending,
    #[error("the request cannot be sent: {0}")]
    Request(String),
}

/// Why the RA's certificate or answer does not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureProblem {
    #[error("a signature algorithm other than RSA with SHA-256 or SHA-1")]
    OtherAlgorithm,
    #[error("the RA's signature does not match its certificate")]
    DoesNotMatch,
    #[error("a digest other than SHA-256 or SHA-1")]
    OtherDigest,
    #[error("the RA's certificate is not signed by the project's CA")]
    RaNotSignedByCa,
    #[error("the answer is signed by another certificate than the RA's")]
    OtherSigner,
    /// The signed attributes' message digest is not the digest of the content.
    #[error("the answer's content is not what the RA signed")]
    ContentNotSigned,
}

impl ScepError {
    /// The code the app's messages are keyed by.
    pub fn code(&self) -> &'static str {
        match self {
            ScepError::Address { .. } => "ra_address",
            ScepError::Unreachable { .. } | ScepError::Http { .. } => "ra_unreachable",
            ScepError::Malformed(_) | ScepError::BadSignature(_) => "ra_malformed",
            ScepError::NotPinned { .. } => "ra_not_pinned",
            ScepError::Refused { .. } => "ra_refused",
            ScepError::Pending => "ra_pending",
            ScepError::Request(_) => "ra_request",
        }
    }
}

/// Where an RA is and what it wants: its URL (`http://host:port/scep`), the CA certificate it
/// must present (DER; its SHA-256 pins the RA), the challenge password its operator gave.
#[derive(Clone)]
pub struct Ra {
    pub url: String,
    pub ca_der: Vec<u8>,
    pub challenge: Zeroizing<String>,
}

impl std::fmt::Debug for Ra {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ra").field("url", &self.url).field("ca_sha256", &sha256_hex(&self.ca_der)).field("challenge", &"***").finish()
    }
}

/// Hex SHA-256, lower case.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Asks the RA for its certificates and checks that the project's CA certificate is among
/// them; the certificate a request is encrypted to and whose signature the answer carries.
pub fn ra_certificates(ra: &Ra) -> Result<RaCertificates, ScepError> {
    let (content_type, body) = http::get(&ra.url, "GetCACert", "certdesk")?;
    RaCertificates::from_answer(&content_type, &body, &ra.ca_der)
}

/// Sends `csr_der` (the request made on the key, with the RA's challenge in it) and returns
/// the issued certificate with what the RA sent along.
pub fn enrol(ra: &Ra, csr_der: &[u8], signer: &Signer) -> Result<Enrolled, ScepError> {
    let certs = ra_certificates(ra)?;
    let request = message::pkcs_req(csr_der, certs.recipient(), signer)?;
    let (_, body) = http::post(&ra.url, "PKIOperation", &request.der)?;
    let mut enrolled = message::open_cert_rep(&body, &request, certs.recipient(), signer)?;
    enrolled.ca_certificates = certs.all;
    Ok(enrolled)
}
