//! SM4 (GB/T 32907) in ECB mode over whole 16-byte blocks, no padding: how GM/T 0009 and
//! SKF encrypt an enveloped private key. Owns nothing else; the host never decrypts a case's
//! key (only the test KMC and a soft token use `decrypt`).

use sm4::Sm4;
use sm4::cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use zeroize::Zeroizing;

/// Data that is not a whole number of SM4 blocks.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Sm4Error {
    #[error("SM4-ECB without padding needs whole 16-byte blocks, got {len} bytes")]
    NotWholeBlocks { len: usize },
}

fn check(len: usize) -> Result<(), Sm4Error> {
    if len.is_multiple_of(16) { Ok(()) } else { Err(Sm4Error::NotWholeBlocks { len }) }
}

/// Encrypts `data` (a multiple of 16 bytes) block by block.
pub fn encrypt(key: &[u8; 16], data: &[u8]) -> Result<Vec<u8>, Sm4Error> {
    check(data.len())?;
    let cipher = Sm4::new(&Array::from(*key));
    let mut out = data.to_vec();
    for chunk in out.chunks_exact_mut(16) {
        let mut block = Array::try_from(&*chunk).expect("16 bytes");
        cipher.encrypt_block(&mut block);
        chunk.copy_from_slice(&block);
    }
    Ok(out)
}

/// Decrypts `data` (a multiple of 16 bytes) block by block; the result is wiped on drop.
pub fn decrypt(key: &[u8; 16], data: &[u8]) -> Result<Zeroizing<Vec<u8>>, Sm4Error> {
    check(data.len())?;
    let cipher = Sm4::new(&Array::from(*key));
    let mut out = Zeroizing::new(data.to_vec());
    for chunk in out.chunks_exact_mut(16) {
        let mut block = Array::try_from(&*chunk).expect("16 bytes");
        cipher.decrypt_block(&mut block);
        chunk.copy_from_slice(&block);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    /// GB/T 32907-2016 Appendix A, example 1.
    #[test]
    fn standard_example() {
        let key: [u8; 16] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10];
        let expect = [0x68, 0x1e, 0xdf, 0x34, 0xd2, 0x06, 0x96, 0x5e, 0x86, 0xb3, 0xe9, 0x4f, 0x53, 0x6e, 0x42, 0x46];
        let ct = super::encrypt(&key, &key).unwrap();
        assert_eq!(ct, expect);
        assert_eq!(&*super::decrypt(&key, &ct).unwrap(), &key);
        assert!(super::encrypt(&key, &[0u8; 15]).is_err());
    }
}
