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
    Malformed(MalformedScep),
    #[error("the RA's certificates do not include the CA certificate set for this project (SHA-256 {pinned})")]
    NotPinned { pinned: String },
    #[error("the RA's answer does not verify: {0}")]
    BadSignature(SignatureProblem),
    #[error("the RA refused the request: {reason}")]
    Refused { reason: &'static str },
    #[error("the RA holds the request for its operator's approval (pending): issue it offline or send it again once approved")]
    Pending,
    #[error("the request cannot be sent: {0}")]
    Request(RequestProblem),
}

/// What of the RA's answer (or of a DER structure read) is not as SCEP has it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MalformedScep {
    // the DER reader
    #[error("{what}: tag {found:#04x} where {expected:#04x} was expected")]
    WrongTag { what: &'static str, found: u8, expected: u8 },
    #[error("the message ends where an element was expected")]
    EndsEarly,
    #[error("a multi-byte tag (none is used by SCEP)")]
    MultiByteTag,
    #[error("an element without its length")]
    NoLength,
    #[error("an indefinite length (BER, not DER)")]
    IndefiniteLength,
    #[error("a length that does not fit")]
    LengthDoesNotFit,
    #[error("an element longer than what holds it")]
    LongerThanItsHolder,
    #[error("{what}: {bytes} bytes after its end")]
    BytesAfterEnd { what: &'static str, bytes: usize },
    // the HTTP answer
    #[error("an answer of more than {limit} bytes")]
    AnswerTooLarge { limit: u64 },
    #[error("an HTTP answer without its headers' end")]
    NoHeadersEnd,
    #[error("an HTTP answer without a status")]
    NoHttpStatus,
    /// A `Transfer-Encoding` other than identity (chunked), which HTTP/1.0 has not.
    #[error("a {encoding} body to an HTTP/1.0 request")]
    TransferEncoding { encoding: String },
    #[error("the answer ended after {got} of its {length} bytes")]
    Truncated { got: usize, length: usize },
    // certificates
    #[error("a certificate of other than three parts")]
    CertificateParts,
    #[error("a certificate without its {field}")]
    CertificateField { field: &'static str },
    #[error("the RA's certificate has no RSA key (SCEP encrypts to RSA)")]
    RaKeyNotRsa,
    #[error("a certificate list without certificates")]
    NoCertificates,
    // the signed answer
    #[error("a SignedData missing parts")]
    SignedDataParts,
    #[error("a SignedData without signer infos")]
    NoSignerInfos,
    #[error("not a CMS SignedData")]
    NotSignedData,
    #[error("an answer nobody signed")]
    NobodySigned,
    #[error("a signer info missing parts")]
    SignerInfoParts,
    #[error("an answer that is not a CertRep")]
    NotCertRep,
    #[error("an answer to another request (transaction or nonce)")]
    OtherTransaction,
    #[error("an answer without its status")]
    NoPkiStatus,
    #[error("a success without content")]
    SuccessWithoutContent,
    #[error("the answer's certificates are for another key than the request's")]
    CertificatesForAnotherKey,
    // the envelope
    #[error("an envelope of other than two parts")]
    EnvelopeParts,
    #[error("the content is not an EnvelopedData")]
    NotEnvelopedData,
    #[error("an EnvelopedData missing parts")]
    EnvelopedDataParts,
    #[error("the content key does not decrypt with this desk's message key")]
    ContentKeyDoesNotDecrypt,
    #[error("the answer is encrypted to another requester")]
    EncryptedToAnother,
    #[error("the encrypted content is missing")]
    NoEncryptedContent,
    #[error("a content algorithm without its IV")]
    NoIv,
    #[error("the encrypted content's tag")]
    EncryptedContentTag,
    #[error("the content does not decrypt (key, IV or padding)")]
    DoesNotDecrypt,
    /// The content key or IV of the wrong length for its cipher.
    #[error("the {cipher} key")]
    CipherKey { cipher: Cipher },
    #[error("a content encryption other than AES-CBC or (3)DES-CBC")]
    OtherContentEncryption,
}

/// A content encryption of an RA's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cipher {
    Aes,
    TripleDes,
    Des,
}

impl std::fmt::Display for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Cipher::Aes => "AES",
            Cipher::TripleDes => "3DES",
            Cipher::Des => "DES",
        })
    }
}

/// Why the request could not be made into a message for the RA.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestProblem {
    /// The request made on the key is not a DER SEQUENCE (said as the reader says it).
    #[error("the RA's answer is not a SCEP message: {0}")]
    NotASequence(MalformedScep),
    #[error("an empty request")]
    Empty,
    #[error("a request without its public key")]
    NoPublicKey,
    #[error("the content key")]
    ContentKey,
    #[error("encrypting to the RA: {0}")]
    EncryptingToRa(#[source] rsa::Error),
    #[error("signing the message: {0}")]
    SigningMessage(#[source] rsa::Error),
    #[error("making the message's key: {0}")]
    MakingKey(#[source] rsa::Error),
    #[error("encoding the message's key: {0}")]
    EncodingKey(#[source] rsa::pkcs8::spki::Error),
    #[error("signing the message's certificate: {0}")]
    SigningCertificate(#[source] rsa::Error),
    /// The PEM the token layer made does not decode (the decoder's error).
    #[error("the request's PEM: {0}")]
    Pem(#[source] Box<dyn std::error::Error + Send + Sync>),
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
