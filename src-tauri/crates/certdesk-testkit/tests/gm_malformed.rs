//! Malformed input to certdesk-gm's parsers: every truncation, random bit flips and random
//! bytes reach a typed error (or, for a flip inside ciphertext, a parse), never a panic; and
//! the errors name the field and where it is. Containers that are not read are named.

use certdesk_gm::der::Encode;
use certdesk_gm::der::asn1::ObjectIdentifier;
use certdesk_gm::envelope::EnvelopeError;
use certdesk_gm::{CaAnswer, CsrResponse, DistId, EnvelopedKey, Sm2Cipher, normalise_signature, parse_ca_answer, verify_certificate, verify_request};
use certdesk_testkit::gm_ca::{GmCa, KmcAnswer, SoftSm2Key};

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn answer() -> (GmCa, Vec<u8>, KmcAnswer) {
    let ca = GmCa::root("certdesk test SM2 root");
    let key = SoftSm2Key::generate();
    let req = certdesk_gm::build_request(&"CN=fuzz".parse().unwrap(), &key.public(), &DistId::default(), &key).unwrap();
    let sign = ca.issue_signing(req.der()).unwrap();
    let answer = ca.kmc_answer(&sign);
    (ca, req.der().to_vec(), answer)
}

/// Every parser of untrusted bytes, on one input; only panics matter here.
fn feed(bytes: &[u8], spki: &[u8]) {
    let _ = parse_ca_answer(bytes);
    let _ = EnvelopedKey::from_gmt0009_der(bytes);
    let _ = EnvelopedKey::from_skf_blob(bytes);
    let _ = CsrResponse::from_der(bytes);
    let _ = Sm2Cipher::from_der(bytes);
    let _ = normalise_signature(bytes);
    let _ = verify_request(bytes, &DistId::default());
    let _ = verify_certificate(bytes, spki, &DistId::default());
    let _ = verify_certificate(spki, bytes, &DistId::default());
    let _ = certdesk_gm::Sm2Point::from_spki_der(bytes, "fuzz");
}

#[test]
fn every_truncation_is_a_typed_error() {
    let (ca, req, a) = answer();
    for (name, whole) in [("GM/T 0009", &a.gmt0009_der), ("SKF blob", &a.skf_blob), ("CSRResponse", &a.csr_response_der)] {
        parse_ca_answer(whole).unwrap_or_else(|e| panic!("{name} whole: {e}"));
        for len in 0..whole.len() {
            let cut = &whole[..len];
            assert!(parse_ca_answer(cut).is_err(), "{name} cut to {len} bytes parsed");
            feed(cut, ca.cert_der());
        }
    }
    for len in 0..req.len() {
        assert!(verify_request(&req[..len], &DistId::default()).is_err());
    }
}

#[test]
fn random_flips_and_bytes_never_panic() {
    let (ca, req, a) = answer();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let seeds = [&a.gmt0009_der, &a.skf_blob, &a.csr_response_der, &a.sm2_cipher_der, &req, &a.enc_cert_der];
    for _ in 0..3000 {
        let mut bytes = seeds[rng.below(seeds.len())].clone();
        for _ in 0..=rng.below(4) {
            let i = rng.below(bytes.len());
            bytes[i] ^= 1 << rng.below(8);
        }
        feed(&bytes, ca.cert_der());
    }
    for _ in 0..3000 {
        let len = rng.below(700);
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        match rng.below(3) {
            0 if len >= 4 => bytes[..4].copy_from_slice(&[1, 0, 0, 0]),
            1 if len >= 2 => bytes[0] = 0x30,
            _ => {}
        }
        feed(&bytes, ca.cert_der());
    }
}

#[test]
fn errors_say_what_and_where() {
    let (_, _, a) = answer();
    let cut = &a.skf_blob[..100];
    let e = parse_ca_answer(cut).unwrap_err();
    assert!(matches!(e, EnvelopeError::Truncated { field: "PubKey.XCoordinate", offset: 80, .. }), "{e:?}");
    assert!(e.to_string().contains("offset 80"), "{e}");

    let mut wrong_alg = a.skf_blob.clone();
    wrong_alg[4] = 0x02; // SGD_SM1_ECB-like id 0x402
    let e = parse_ca_answer(&wrong_alg).unwrap_err();
    assert!(matches!(e, EnvelopeError::BadField { field: "ulSymmAlgID", offset: 4, found: 0x402, expected: 0x401 }), "{e:?}");

    let mut trailing = a.skf_blob.clone();
    trailing.push(0);
    assert!(matches!(parse_ca_answer(&trailing), Err(EnvelopeError::TrailingBytes { .. })));

    let mut off_curve = a.skf_blob.clone();
    off_curve[12 + 64 + 4 + 63] ^= 1; // last byte of PubKey.X
    let e = parse_ca_answer(&off_curve).unwrap_err();
    assert!(e.to_string().contains("PubKey") || format!("{:?}", e).contains("PubKey"), "{e:?}");

    assert!(matches!(parse_ca_answer(b"-----BEGIN CERTIFICATE-----"), Err(EnvelopeError::Text)));
}

fn content_info(oid: &str) -> Vec<u8> {
    let oid = ObjectIdentifier::new_unwrap(oid).to_der().unwrap();
    let body = [&oid[..], &[0xA0, 0x02, 0x30, 0x00]].concat();
    [&[0x30, body.len() as u8][..], &body].concat()
}

#[test]
fn other_containers_are_named() {
    for (oid, name) in
        [("1.2.156.10197.6.1.4.2.4", "GM/T 0010 signedAndEnvelopedData"), ("1.2.840.113549.1.7.2", "PKCS#7 signedData"), ("1.2.840.113549.1.7.4", "PKCS#7 signedAndEnvelopedData")]
    {
        match parse_ca_answer(&content_info(oid)) {
            Err(e @ EnvelopeError::UnsupportedContainer { container, .. }) => {
                assert_eq!(container, name);
                assert!(e.to_string().contains(name), "{e}");
            }
            other => panic!("{oid}: {other:?}"),
        }
    }
}

/// DER TLV with a short or long-form length.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = vec![tag];
    match len {
        0..=0x7f => out.push(len as u8),
        0x80..=0xff => out.extend([0x81, len as u8]),
        _ => out.extend([0x82, (len >> 8) as u8, len as u8]),
    }
    out.extend_from_slice(content);
    out
}

/// GM/T 0092's tagging mode is an assumption (see certdesk-gm's `response`): a CSRResponse
/// with EXPLICIT `[0]`/`[1]` reads the same as the IMPLICIT one the test KMC writes.
#[test]
fn csr_response_reads_explicit_and_implicit_tags() {
    let (_, _, a) = answer();
    let CaAnswer::CsrResponse(implicit) = parse_ca_answer(&a.csr_response_der).unwrap() else { panic!("not detected") };
    let sign_set = tlv(0x31, &implicit.sign_certificates[0]);
    let explicit_content = [sign_set, tlv(0xA0, &a.gmt0009_der), tlv(0xA1, &tlv(0x31, &a.enc_cert_der))].concat();
    let explicit = tlv(0x30, &explicit_content);
    assert_ne!(explicit, a.csr_response_der);
    let CaAnswer::CsrResponse(read) = parse_ca_answer(&explicit).unwrap() else { panic!("EXPLICIT not detected") };
    assert_eq!(read, implicit);

    // only the signing certificate: both optional fields absent
    let bare = tlv(0x30, &tlv(0x31, &implicit.sign_certificates[0]));
    let CaAnswer::CsrResponse(read) = parse_ca_answer(&bare).unwrap() else { panic!("bare not detected") };
    assert!(read.encrypted_private_key.is_none() && read.encrypt_certificates.is_empty());

    // a certificate set holding something else is refused, naming the field
    let bad = tlv(0x30, &tlv(0x31, &tlv(0x30, &[0x02, 0x01, 0x01])));
    let e = parse_ca_answer(&bad).unwrap_err();
    assert!(e.to_string().contains("signCertificate"), "{e}");
}
