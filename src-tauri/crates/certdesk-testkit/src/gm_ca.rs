//! A test SM2 CA and KMC for the 国密 tests of every crate: an SM2 root (self-signed), sub-CAs,
//! signing certificates issued for an SM2 request after its signature is checked under the
//! ID, and the KMC's side of a dual certificate (a fresh encryption key pair, its
//! certificate, its private key enveloped to the signing key as GM/T 0009 DER and as an SKF
//! blob, and a GM/T 0092 CSRResponse). Also `SoftSm2Key`, a software stand-in for a token's
//! SM2 key behind `Sm2PrehashSigner`. These are the only private keys a test holds: the
//! product never sees a case's private key. Owns no rule of the product; signs with
//! RustCrypto's own SM2 signer (its own Z), so certdesk-gm's Z is checked against it.

use certdesk_gm::envelope::{EnvelopedKey, Sm2Cipher, SymAlg};
use certdesk_gm::response::CsrResponse;
use certdesk_gm::{DistId, RequestError, Sm2Point, Sm2PrehashSigner, sm4ecb, verify_request};
use der::asn1::BitString;
use der::pem::LineEnding;
use der::{Decode, DecodePem, Encode, EncodePem};
use sm2::dsa::signature::Signer;
use sm2::dsa::signature::hazmat::PrehashSigner;
use sm2::elliptic_curve::Generate;
use sm2::elliptic_curve::common::getrandom::{self, SysRng};
use sm2::pkcs8::EncodePrivateKey;
use std::str::FromStr;
use std::time::Duration;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier};
use x509_cert::ext::{Extension, ToExtension};
use x509_cert::name::Name;
use x509_cert::request::CertReq;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoRef;
use x509_cert::time::Validity;
use x509_cert::{Certificate, certificate::TbsCertificate};

/// A software SM2 key standing in for a token's: signs e and returns raw r‖s (or DER, or an
/// SKF `ECCSIGNATUREBLOB`, like the vendors do).
pub struct SoftSm2Key {
    secret: sm2::SecretKey,
    pub encoding: SignatureEncoding,
}

/// How a [`SoftSm2Key`] hands back its signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureEncoding {
    Raw,
    Der,
    SkfBlob,
}

/// The soft key never fails; the error type exists for the trait.
#[derive(Debug, thiserror::Error)]
#[error("soft SM2 key: {0}")]
pub struct SoftKeyError(&'static str);

impl SoftSm2Key {
    pub fn generate() -> Self {
        Self { secret: sm2::SecretKey::generate(), encoding: SignatureEncoding::Raw }
    }

    pub fn public(&self) -> Sm2Point {
        Sm2Point::from_sec1(&self.secret.public_key().to_sec1_bytes(), "soft key").expect("a generated key is on the curve")
    }

    /// The private scalar, big-endian (what an envelope must carry).
    pub fn scalar(&self) -> [u8; 32] {
        self.secret.to_bytes().into()
    }

    /// PKCS#8 PEM, for `openssl pkeyutl -inkey`.
    pub fn to_pkcs8_pem(&self) -> String {
        self.secret.to_pkcs8_pem(LineEnding::LF).expect("PKCS#8 encodes").to_string()
    }

    fn signing_key(&self, distid: &DistId) -> sm2::dsa::SigningKey {
        let id = std::str::from_utf8(distid.as_bytes()).expect("the test CA uses ASCII IDs");
        sm2::dsa::SigningKey::new(id, &self.secret).expect("a generated key signs")
    }
}

impl Sm2PrehashSigner for SoftSm2Key {
    type Error = SoftKeyError;

    fn sign_e(&self, e: &[u8; 32]) -> Result<Vec<u8>, SoftKeyError> {
        // the prehash signature does not depend on the ID: e already carries Z
        let sig: sm2::dsa::Signature = self.signing_key(&DistId::default()).sign_prehash(e).map_err(|_| SoftKeyError("sign_prehash"))?;
        Ok(match self.encoding {
            SignatureEncoding::Raw => sig.to_vec(),
            SignatureEncoding::Der => sig.to_der().to_vec(),
            SignatureEncoding::SkfBlob => [&[0u8; 32][..], &sig.r_bytes(), &[0u8; 32], &sig.s_bytes()].concat(),
        })
    }
}

/// What a certificate is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Usage {
    Ca,
    Sign,
    Encrypt,
}

struct Profile {
    issuer: Name,
    subject: Name,
    usage: Usage,
}

impl BuilderProfile for Profile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(&self, spk: SubjectPublicKeyInfoRef<'_>, issuer_spk: SubjectPublicKeyInfoRef<'_>, tbs: &TbsCertificate) -> x509_cert::builder::Result<Vec<Extension>> {
        let mut ext = Vec::new();
        let ski = SubjectKeyIdentifier::try_from(spk)?;
        let aki = SubjectKeyIdentifier::try_from(issuer_spk)?;
        ext.push(AuthorityKeyIdentifier { key_identifier: Some(aki.0), ..Default::default() }.to_extension(tbs.subject(), &ext)?);
        ext.push(ski.to_extension(tbs.subject(), &ext)?);
        ext.push(BasicConstraints { ca: self.usage == Usage::Ca, path_len_constraint: None }.to_extension(tbs.subject(), &ext)?);
        let usages = match self.usage {
            Usage::Ca => KeyUsages::KeyCertSign | KeyUsages::CRLSign,
            Usage::Sign => KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
            Usage::Encrypt => KeyUsages::KeyEncipherment | KeyUsages::DataEncipherment | KeyUsages::KeyAgreement,
        };
        ext.push(KeyUsage(usages).to_extension(tbs.subject(), &ext)?);
        Ok(ext)
    }
}

fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).expect("the system RNG");
    out
}

/// A test SM2 CA: its key, its certificate, the ID it signs and checks requests with.
pub struct GmCa {
    key: SoftSm2Key,
    name: Name,
    cert_der: Vec<u8>,
    pub distid: DistId,
}

impl GmCa {
    /// A self-signed SM2 root `CN=<cn>,O=certdesk test,C=CN` under the standard ID.
    pub fn root(cn: &str) -> GmCa {
        let key = SoftSm2Key::generate();
        let name = Name::from_str(&format!("CN={cn},O=certdesk test,C=CN")).expect("a test name");
        let distid = DistId::default();
        let cert_der = sign_cert(&key, &distid, &name, &name, &key.public(), Usage::Ca);
        GmCa { key, name, cert_der, distid }
    }

    /// A sub-CA issued by this CA.
    pub fn sub_ca(&self, cn: &str) -> GmCa {
        let key = SoftSm2Key::generate();
        let name = Name::from_str(&format!("CN={cn},O=certdesk test,C=CN")).expect("a test name");
        let cert_der = self.issue(&name, &key.public(), Usage::Ca);
        GmCa { key, name, cert_der, distid: self.distid.clone() }
    }

    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// Writes `ca.pem` and `ca.key.pem` (PKCS#8) into `dir`: a CA that other processes of a test
    /// (the `certdesk-test-ca` tool) use again with [`GmCa::load`].
    pub fn save(&self, dir: &std::path::Path) -> std::io::Result<()> {
        std::fs::write(dir.join("ca.pem"), self.cert_pem())?;
        std::fs::write(dir.join("ca.key.pem"), self.key.to_pkcs8_pem())
    }

    /// The CA [`GmCa::save`] wrote into `dir` (standard ID).
    pub fn load(dir: &std::path::Path) -> Result<GmCa, String> {
        use sm2::pkcs8::DecodePrivateKey;
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()));
        let secret = sm2::SecretKey::from_pkcs8_pem(&read("ca.key.pem")?).map_err(|e| format!("ca.key.pem: {e}"))?;
        let cert = Certificate::from_pem(read("ca.pem")?.as_bytes()).map_err(|e| format!("ca.pem: {e}"))?;
        let name = cert.tbs_certificate().subject().clone();
        let cert_der = cert.to_der().map_err(|e| format!("ca.pem: {e}"))?;
        Ok(GmCa { key: SoftSm2Key { secret, encoding: SignatureEncoding::Raw }, name, cert_der, distid: DistId::default() })
    }

    pub fn cert_pem(&self) -> String {
        pem(&self.cert_der)
    }

    pub fn public(&self) -> Sm2Point {
        self.key.public()
    }

    /// A certificate for `key` named `subject`, signed by this CA.
    pub fn issue(&self, subject: &Name, key: &Sm2Point, usage: Usage) -> Vec<u8> {
        sign_cert(&self.key, &self.distid, &self.name, subject, key, usage)
    }

    /// The signing certificate for an SM2 request, after checking its signature under the
    /// CA's ID (a request whose Z used another ID is refused).
    pub fn issue_signing(&self, csr_der: &[u8]) -> Result<Vec<u8>, RequestError> {
        let key = verify_request(csr_der, &self.distid)?;
        let req = CertReq::from_der(csr_der).map_err(RequestError::Malformed)?;
        Ok(self.issue(&req.info.subject, &key, Usage::Sign))
    }

    /// The KMC's answer for a signing certificate this CA issued: a fresh encryption key pair,
    /// its certificate (same subject), the private key enveloped to the signing key.
    pub fn kmc_answer(&self, sign_cert_der: &[u8]) -> KmcAnswer {
        let sign_cert = Certificate::from_der(sign_cert_der).expect("a signing certificate");
        let subject = sign_cert.tbs_certificate().subject().clone();
        let signing_public = Sm2Point::from_certificate_der(sign_cert_der, "signing certificate").expect("an SM2 signing certificate");
        let enc = SoftSm2Key::generate();
        let enc_cert_der = self.issue(&subject, &enc.public(), Usage::Encrypt);
        let sm4_key: [u8; 16] = random();
        let scalar = enc.scalar();
        let cipher_der = sm2::pke::EncryptingKey::from_sec1_bytes(&signing_public.to_sec1()).expect("a valid point").encrypt_der(&mut SysRng, &sm4_key).expect("SM2 encryption");
        let cipher = Sm2Cipher::from_der(&cipher_der).expect("RustCrypto's SM2Cipher parses");
        let ct32 = sm4ecb::encrypt(&sm4_key, &scalar).expect("32 bytes");
        let padded: Vec<u8> = [&[0u8; 32][..], &scalar].concat();
        let ct64 = sm4ecb::encrypt(&sm4_key, &padded).expect("64 bytes");
        let gmt0009 = EnvelopedKey::new(SymAlg::Sm4Ecb, ct32, enc.public(), cipher.clone()).expect("envelope shape");
        let skf = EnvelopedKey::new(SymAlg::Sm4Ecb, ct64, enc.public(), cipher).expect("envelope shape");
        let response =
            CsrResponse { sign_certificates: vec![sign_cert_der.to_vec()], encrypted_private_key: Some(gmt0009.clone()), encrypt_certificates: vec![enc_cert_der.clone()] };
        KmcAnswer {
            enc_cert_der,
            enc_scalar: scalar,
            sm4_key,
            gmt0009_der: gmt0009.to_gmt0009_der(),
            skf_blob: skf.to_skf_blob(),
            csr_response_der: response.to_der().expect("CSRResponse encodes"),
            sm2_cipher_der: cipher_der,
        }
    }
}

/// What the test KMC hands back, with the secrets a test checks the envelopes against.
pub struct KmcAnswer {
    pub enc_cert_der: Vec<u8>,
    /// The encryption private scalar (the test's truth; the product never sees it).
    pub enc_scalar: [u8; 32],
    pub sm4_key: [u8; 16],
    /// GM/T 0009 `SM2EnvelopedKey` (32-byte SM4-ECB of the scalar).
    pub gmt0009_der: Vec<u8>,
    /// SKF `ENVELOPEDKEYBLOB` (64-byte SM4-ECB of the scalar right-aligned in 64 bytes).
    pub skf_blob: Vec<u8>,
    /// GM/T 0092 `CSRResponse` carrying both certificates and the GM/T 0009 envelope.
    pub csr_response_der: Vec<u8>,
    /// The DER `SM2Cipher` of the SM4 key, as RustCrypto wrote it.
    pub sm2_cipher_der: Vec<u8>,
}

fn sign_cert(ca: &SoftSm2Key, distid: &DistId, issuer: &Name, subject: &Name, key: &Sm2Point, usage: Usage) -> Vec<u8> {
    let profile = Profile { issuer: issuer.clone(), subject: subject.clone(), usage };
    let serial = SerialNumber::new(&[&[0x01][..], &random::<15>()].concat()).expect("a positive serial");
    let validity = Validity::from_now(Duration::from_secs(3650 * 86_400)).expect("a validity");
    let mut builder = CertificateBuilder::new(profile, serial, validity, key.to_spki()).expect("a certificate builder");
    let signer = ca.signing_key(distid);
    let tbs = builder.finalize(&signer).expect("the TBS encodes");
    // RustCrypto's signer computes Z itself from its ID
    let sig: sm2::dsa::Signature = signer.sign(&tbs);
    let bits = BitString::from_bytes(&sig.to_der().to_vec()).expect("a BIT STRING");
    builder.assemble(bits, &signer).expect("the certificate assembles").to_der().expect("the certificate encodes")
}

/// PEM `CERTIFICATE` of a DER certificate.
pub fn pem(cert_der: &[u8]) -> String {
    Certificate::from_der(cert_der).and_then(|c| c.to_pem(LineEnding::LF)).expect("a certificate")
}
