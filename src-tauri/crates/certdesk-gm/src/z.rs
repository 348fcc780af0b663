//! The SM2 user hash Z and the signed digest e (GB/T 32918.2 §5.5, §6.1):
//! `Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA)` and `e = SM3(Z ‖ M)`. The host computes
//! these and hands e to the key. Owns the curve constants it hashes; does not sign or verify.

use crate::point::{DistId, Sm2Point};
use sm3::{Digest, Sm3};

const fn hex32(s: &str) -> [u8; 32] {
    let b = s.as_bytes();
    assert!(b.len() == 64);
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (nibble(b[2 * i]) << 4) | nibble(b[2 * i + 1]);
        i += 1;
    }
    out
}

const fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'A'..=b'F' => c - b'A' + 10,
        _ => panic!("upper-case hex only"),
    }
}

/// Curve parameters of GB/T 32918.5 (sm2p256v1).
const A: [u8; 32] = hex32("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC");
const B: [u8; 32] = hex32("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93");
const XG: [u8; 32] = hex32("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7");
const YG: [u8; 32] = hex32("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0");

/// Z of `public_key` under `distid`.
pub fn z_value(public_key: &Sm2Point, distid: &DistId) -> [u8; 32] {
    let mut h = Sm3::new();
    h.update(distid.entl());
    h.update(distid.as_bytes());
    for part in [&A, &B, &XG, &YG, public_key.x(), public_key.y()] {
        h.update(part);
    }
    h.finalize().into()
}

/// e = SM3(Z ‖ msg): the 32 bytes an SM2 key signs (`SKF_ECCSignData`, a vendor's "sign e"
/// mechanism).
pub fn sm3_e(public_key: &Sm2Point, distid: &DistId, msg: &[u8]) -> [u8; 32] {
    let mut h = Sm3::new();
    h.update(z_value(public_key, distid));
    h.update(msg);
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sm2::dsa::signature::Signer;
    use sm2::dsa::signature::hazmat::PrehashVerifier;
    use sm2::elliptic_curve::Generate;

    fn point_of(key: &sm2::SecretKey) -> Sm2Point {
        Sm2Point::from_sec1(&key.public_key().to_sec1_bytes(), "test key").unwrap()
    }

    /// Our Z (hand-written constants) against RustCrypto's, through a signature made by
    /// `sm2::dsa::SigningKey` (which computes its own Z) and checked on our e.
    #[test]
    fn e_matches_rustcrypto_signer() {
        for id in ["1234567812345678", "", "ALICE123@YAHOO.COM"] {
            let sk = sm2::SecretKey::generate();
            let signer = sm2::dsa::SigningKey::new(id, &sk).unwrap();
            let msg = b"message digest";
            let sig: sm2::dsa::Signature = signer.sign(msg);
            let e = sm3_e(&point_of(&sk), &DistId::new(id).unwrap(), msg);
            signer.verifying_key().verify_prehash(&e, &sig).unwrap_or_else(|_| panic!("id {id:?}"));
            let other = sm3_e(&point_of(&sk), &DistId::new("1234567812345679").unwrap(), msg);
            assert!(signer.verifying_key().verify_prehash(&other, &sig).is_err());
        }
    }

    #[test]
    fn generator_is_on_the_curve() {
        Sm2Point::from_coordinates(XG, YG, "G").unwrap();
        let mut y = YG;
        y[31] ^= 1;
        assert!(Sm2Point::from_coordinates(XG, y, "G'").is_err());
    }

    #[test]
    fn entl_is_bits_big_endian() {
        assert_eq!(DistId::default().entl(), [0x00, 0x80]);
        assert!(DistId::new(vec![0u8; 8192]).is_err());
        assert_eq!(DistId::new(vec![0u8; 8191]).unwrap().entl(), [0xFF, 0xF8]);
    }
}
