//! The SKF (GM/T 0016) constants and structures, byte for byte. Owns the layouts: the
//! `#[repr(C, packed(1))]` structs as GmSSL's `src/skf/skf.h` declares them (`#pragma pack(1)`,
//! `ULONG` = u32 in native byte order), their sizes checked at compile time, and the safe
//! conversions to owned values. 256-bit values (SM2) sit **right-aligned** in the 64-byte
//! fields (the first 32 bytes zero). No IO and no unsafe code: both the host (`ffi`, `api`)
//! and the soft library use these.

/// `SGD_SM2_1`: SM2 signature scheme (GM/T 0006).
pub const SGD_SM2_1: u32 = 0x0002_0200;
/// `SGD_SM2_3`: SM2 encryption scheme.
pub const SGD_SM2_3: u32 = 0x0002_0800;
/// `SGD_SM3`.
pub const SGD_SM3: u32 = 0x0000_0001;
/// `SGD_SM4_ECB`: SM4 in ECB mode, the envelope's symmetric algorithm.
pub const SGD_SM4_ECB: u32 = 0x0000_0401;

/// `ulPINType` of the PIN calls.
pub const ADMIN_TYPE: u32 = 0;
pub const USER_TYPE: u32 = 1;

/// File access rights (`SECURE_*_ACCOUNT`).
pub const SECURE_NEVER_ACCOUNT: u32 = 0x0000_0000;
pub const SECURE_ADM_ACCOUNT: u32 = 0x0000_0001;
pub const SECURE_USER_ACCOUNT: u32 = 0x0000_0010;
pub const SECURE_ANYONE_ACCOUNT: u32 = 0x0000_00FF;

/// `SKF_GetContainerType`: 0 empty, 1 RSA, 2 ECC (SM2).
pub const CONTAINER_EMPTY: u32 = 0;
pub const CONTAINER_RSA: u32 = 1;
pub const CONTAINER_ECC: u32 = 2;

/// `ENVELOPEDKEYBLOB.Version` of the standard.
pub const ENVELOPE_VERSION: u32 = 1;

/// `Struct_Version { BYTE major; BYTE minor; }`.
#[repr(C, packed(1))]
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Version {
    pub major: u8,
    pub minor: u8,
}

/// `DEVINFO` (GM/T 0016 §6.4.2): 294 bytes packed.
#[repr(C, packed(1))]
#[derive(Clone, Copy)]
pub struct DevInfoBlob {
    pub version: Version,
    pub manufacturer: [u8; 64],
    pub issuer: [u8; 64],
    pub label: [u8; 32],
    pub serial_number: [u8; 32],
    pub hw_version: Version,
    pub firmware_version: Version,
    pub alg_sym_cap: u32,
    pub alg_asym_cap: u32,
    pub alg_hash_cap: u32,
    pub dev_auth_alg_id: u32,
    pub total_space: u32,
    pub free_space: u32,
    pub max_ecc_buffer_size: u32,
    pub max_buffer_size: u32,
    pub reserved: [u8; 64],
}

/// `ECCPUBLICKEYBLOB { ULONG BitLen; BYTE X[64]; BYTE Y[64]; }`: 132 bytes.
#[repr(C, packed(1))]
#[derive(Clone, Copy)]
pub struct EccPublicKeyBlob {
    pub bit_len: u32,
    pub x: [u8; 64],
    pub y: [u8; 64],
}

/// `ECCSIGNATUREBLOB { BYTE r[64]; BYTE s[64]; }`: 128 bytes.
#[repr(C, packed(1))]
#[derive(Clone, Copy)]
pub struct EccSignatureBlob {
    pub r: [u8; 64],
    pub s: [u8; 64],
}

/// `FILEATTRIBUTE { CHAR FileName[32]; ULONG FileSize; ULONG ReadRights; ULONG WriteRights; }`.
#[repr(C, packed(1))]
#[derive(Clone, Copy)]
pub struct FileAttributeBlob {
    pub file_name: [u8; 32],
    pub file_size: u32,
    pub read_rights: u32,
    pub write_rights: u32,
}

const _: () = assert!(std::mem::size_of::<DevInfoBlob>() == 294);
const _: () = assert!(std::mem::size_of::<EccPublicKeyBlob>() == 132);
const _: () = assert!(std::mem::size_of::<EccSignatureBlob>() == 128);
const _: () = assert!(std::mem::size_of::<FileAttributeBlob>() == 44);

/// `ECCCIPHERBLOB` without its variable `Cipher` bytes: X[64] Y[64] HASH[32] CipherLen.
pub const ECC_CIPHER_HEADER: usize = 64 + 64 + 32 + 4;
/// `ENVELOPEDKEYBLOB` up to the cipher blob: Version, ulSymmAlgID, ulBits, cbEncryptedPriKey[64], PubKey.
pub const ENVELOPE_HEADER: usize = 4 + 4 + 4 + 64 + 132;

/// A structure that did not have the layout the standard gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed SKF structure: {0}")]
pub struct BlobError(pub &'static str);

impl Default for DevInfoBlob {
    fn default() -> Self {
        DevInfoBlob {
            version: Version::default(),
            manufacturer: [0; 64],
            issuer: [0; 64],
            label: [0; 32],
            serial_number: [0; 32],
            hw_version: Version::default(),
            firmware_version: Version::default(),
            alg_sym_cap: 0,
            alg_asym_cap: 0,
            alg_hash_cap: 0,
            dev_auth_alg_id: 0,
            total_space: 0,
            free_space: 0,
            max_ecc_buffer_size: 0,
            max_buffer_size: 0,
            reserved: [0; 64],
        }
    }
}

/// A 256-bit value placed right-aligned in a 64-byte field.
pub fn right_align(v: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[32..].copy_from_slice(v);
    out
}

/// The 256-bit value of a right-aligned 64-byte field; the first half must be zero.
pub fn from_right_aligned(field: &[u8; 64]) -> Result<[u8; 32], BlobError> {
    if field[..32].iter().any(|&b| b != 0) {
        return Err(BlobError("a 256-bit value is not right-aligned in its 64-byte field"));
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(&field[32..]);
    Ok(out)
}

/// A C string field (NUL-padded, maybe not NUL-terminated) as text.
pub fn c_field(field: &[u8]) -> String {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

/// Text into a fixed C string field, truncated so that a NUL always ends it.
pub fn put_c_field(field: &mut [u8], text: &str) {
    field.fill(0);
    let n = text.len().min(field.len().saturating_sub(1));
    field[..n].copy_from_slice(&text.as_bytes()[..n]);
}

/// An SM2 public key: the affine coordinates, 32 bytes each, big-endian.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct EccPublicKey {
    pub x: [u8; 32],
    pub y: [u8; 32],
}

impl EccPublicKey {
    /// The uncompressed SEC1 point `04 ‖ X ‖ Y`.
    pub fn to_sec1(&self) -> [u8; 65] {
        let mut out = [0u8; 65];
        out[0] = 4;
        out[1..33].copy_from_slice(&self.x);
        out[33..].copy_from_slice(&self.y);
        out
    }

    pub fn from_sec1(point: &[u8]) -> Result<Self, BlobError> {
        if point.len() != 65 || point[0] != 4 {
            return Err(BlobError("an SM2 public key is 04 ‖ X ‖ Y (65 bytes)"));
        }
        let mut k = EccPublicKey { x: [0; 32], y: [0; 32] };
        k.x.copy_from_slice(&point[1..33]);
        k.y.copy_from_slice(&point[33..]);
        Ok(k)
    }

    pub fn to_blob(&self) -> EccPublicKeyBlob {
        EccPublicKeyBlob { bit_len: 256, x: right_align(&self.x), y: right_align(&self.y) }
    }

    pub fn from_blob(blob: &EccPublicKeyBlob) -> Result<Self, BlobError> {
        if { blob.bit_len } != 256 {
            return Err(BlobError("ECCPUBLICKEYBLOB.BitLen is not 256"));
        }
        Ok(EccPublicKey { x: from_right_aligned(&blob.x)?, y: from_right_aligned(&blob.y)? })
    }
}

impl EccPublicKeyBlob {
    pub const SIZE: usize = 132;

    pub fn to_bytes(&self) -> [u8; Self::SIZE] {
        let mut out = [0u8; Self::SIZE];
        out[..4].copy_from_slice(&{ self.bit_len }.to_ne_bytes());
        out[4..68].copy_from_slice(&self.x);
        out[68..].copy_from_slice(&self.y);
        out
    }

    pub fn from_bytes(b: &[u8]) -> Result<Self, BlobError> {
        if b.len() < Self::SIZE {
            return Err(BlobError("ECCPUBLICKEYBLOB shorter than 132 bytes"));
        }
        let mut blob = EccPublicKeyBlob { bit_len: u32::from_ne_bytes([b[0], b[1], b[2], b[3]]), x: [0; 64], y: [0; 64] };
        blob.x.copy_from_slice(&b[4..68]);
        blob.y.copy_from_slice(&b[68..132]);
        Ok(blob)
    }
}

impl EccSignatureBlob {
    /// `(r, s)`, each 32 bytes big-endian.
    pub fn from_rs(r: &[u8; 32], s: &[u8; 32]) -> Self {
        EccSignatureBlob { r: right_align(r), s: right_align(s) }
    }

    pub fn to_rs(&self) -> Result<([u8; 32], [u8; 32]), BlobError> {
        Ok((from_right_aligned(&self.r)?, from_right_aligned(&self.s)?))
    }
}

/// `ECCCIPHERBLOB`: an SM2 ciphertext as SKF lays it out (C1 → X/Y right-aligned, C3 → HASH,
/// C2 → CipherLen + Cipher).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct EccCipher {
    pub x: [u8; 32],
    pub y: [u8; 32],
    pub hash: [u8; 32],
    pub cipher: Vec<u8>,
}

impl EccCipher {
    /// From the raw SM2 ciphertext `C1 ‖ C3 ‖ C2` with C1 uncompressed (`04 ‖ x ‖ y`).
    pub fn from_c1c3c2(c: &[u8]) -> Result<Self, BlobError> {
        if c.len() < 65 + 32 || c[0] != 4 {
            return Err(BlobError("an SM2 ciphertext is 04 ‖ x ‖ y ‖ C3 ‖ C2"));
        }
        let mut e = EccCipher { x: [0; 32], y: [0; 32], hash: [0; 32], cipher: c[97..].to_vec() };
        e.x.copy_from_slice(&c[1..33]);
        e.y.copy_from_slice(&c[33..65]);
        e.hash.copy_from_slice(&c[65..97]);
        Ok(e)
    }

    /// The raw SM2 ciphertext `04 ‖ x ‖ y ‖ C3 ‖ C2`.
    pub fn to_c1c3c2(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(97 + self.cipher.len());
        out.push(4);
        out.extend_from_slice(&self.x);
        out.extend_from_slice(&self.y);
        out.extend_from_slice(&self.hash);
        out.extend_from_slice(&self.cipher);
        out
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(ECC_CIPHER_HEADER + self.cipher.len());
        out.extend_from_slice(&right_align(&self.x));
        out.extend_from_slice(&right_align(&self.y));
        out.extend_from_slice(&self.hash);
        out.extend_from_slice(&(self.cipher.len() as u32).to_ne_bytes());
        out.extend_from_slice(&self.cipher);
        out
    }

    /// Parses one cipher blob at the start of `b`; returns it and the bytes it used.
    pub fn from_bytes(b: &[u8]) -> Result<(Self, usize), BlobError> {
        if b.len() < ECC_CIPHER_HEADER {
            return Err(BlobError("ECCCIPHERBLOB shorter than its header"));
        }
        let field = |at: usize| -> [u8; 64] { b[at..at + 64].try_into().unwrap_or([0; 64]) };
        let len = u32::from_ne_bytes([b[160], b[161], b[162], b[163]]) as usize;
        if b.len() < ECC_CIPHER_HEADER + len {
            return Err(BlobError("ECCCIPHERBLOB.CipherLen runs past the data"));
        }
        let mut hash = [0u8; 32];
        hash.copy_from_slice(&b[128..160]);
        let c = EccCipher { x: from_right_aligned(&field(0))?, y: from_right_aligned(&field(64))?, hash, cipher: b[164..164 + len].to_vec() };
        Ok((c, ECC_CIPHER_HEADER + len))
    }
}

/// `ENVELOPEDKEYBLOB`: an SM2 key pair protected to a container's signing key (GM/T 0016
/// §6.4.9): the private key SM4-encrypted in a 64-byte field, the public key, and the SM4 key
/// SM2-encrypted to the signing public key.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct EnvelopedKey {
    pub version: u32,
    pub sym_alg_id: u32,
    pub bits: u32,
    /// `cbEncryptedPriKey[64]`: either the SM4-ECB ciphertext of the 64-byte right-aligned
    /// scalar, or that of the 32-byte scalar right-aligned (first 32 bytes zero).
    pub encrypted_private_key: [u8; 64],
    pub public_key: EccPublicKey,
    pub cipher: EccCipher,
}

impl EnvelopedKey {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(ENVELOPE_HEADER + ECC_CIPHER_HEADER + self.cipher.cipher.len());
        out.extend_from_slice(&self.version.to_ne_bytes());
        out.extend_from_slice(&self.sym_alg_id.to_ne_bytes());
        out.extend_from_slice(&self.bits.to_ne_bytes());
        out.extend_from_slice(&self.encrypted_private_key);
        out.extend_from_slice(&self.public_key.to_blob().to_bytes());
        out.extend_from_slice(&self.cipher.to_bytes());
        out
    }

    pub fn from_bytes(b: &[u8]) -> Result<Self, BlobError> {
        if b.len() < ENVELOPE_HEADER + ECC_CIPHER_HEADER {
            return Err(BlobError("ENVELOPEDKEYBLOB shorter than its fixed part"));
        }
        let u = |at: usize| u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
        let mut encrypted_private_key = [0u8; 64];
        encrypted_private_key.copy_from_slice(&b[12..76]);
        let public_key = EccPublicKey::from_blob(&EccPublicKeyBlob::from_bytes(&b[76..208])?)?;
        let (cipher, used) = EccCipher::from_bytes(&b[ENVELOPE_HEADER..])?;
        if ENVELOPE_HEADER + used != b.len() {
            return Err(BlobError("ENVELOPEDKEYBLOB has bytes after its cipher blob"));
        }
        Ok(EnvelopedKey { version: u(0), sym_alg_id: u(4), bits: u(8), encrypted_private_key, public_key, cipher })
    }
}

/// A device's `DEVINFO`, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    pub version: (u8, u8),
    pub manufacturer: String,
    pub issuer: String,
    pub label: String,
    pub serial_number: String,
    pub hw_version: (u8, u8),
    pub firmware_version: (u8, u8),
    pub alg_sym_cap: u32,
    pub alg_asym_cap: u32,
    pub alg_hash_cap: u32,
    pub dev_auth_alg_id: u32,
    pub total_space: u32,
    pub free_space: u32,
    /// The most bytes one command moves (`MaxBufferSize`): file reads and writes are split to it.
    pub max_buffer_size: u32,
}

impl From<&DevInfoBlob> for DeviceInfo {
    fn from(d: &DevInfoBlob) -> Self {
        DeviceInfo {
            version: (d.version.major, d.version.minor),
            manufacturer: c_field(&d.manufacturer),
            issuer: c_field(&d.issuer),
            label: c_field(&d.label),
            serial_number: c_field(&d.serial_number),
            hw_version: (d.hw_version.major, d.hw_version.minor),
            firmware_version: (d.firmware_version.major, d.firmware_version.minor),
            alg_sym_cap: d.alg_sym_cap,
            alg_asym_cap: d.alg_asym_cap,
            alg_hash_cap: d.alg_hash_cap,
            dev_auth_alg_id: d.dev_auth_alg_id,
            total_space: d.total_space,
            free_space: d.free_space,
            max_buffer_size: d.max_buffer_size,
        }
    }
}

/// A multi-string list (`name\0name\0\0`) as names.
pub fn parse_name_list(b: &[u8]) -> Vec<String> {
    b.split(|&c| c == 0).take_while(|s| !s.is_empty()).map(|s| String::from_utf8_lossy(s).into_owned()).collect()
}

/// Names as a multi-string list: each name NUL-terminated, then one more NUL (an empty list
/// is `\0\0`, as the vendors' libraries answer).
pub fn name_list(names: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    for n in names {
        out.extend_from_slice(n.as_bytes());
        out.push(0);
    }
    out.push(0);
    if names.is_empty() {
        out.push(0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_ids_are_the_standards() {
        assert_eq!(SGD_SM2_1, 0x0002_0200);
        assert_eq!(SGD_SM4_ECB, 0x401);
    }

    #[test]
    fn public_key_blob_is_right_aligned_and_round_trips() {
        let k = EccPublicKey { x: [0x11; 32], y: [0x22; 32] };
        let b = k.to_blob().to_bytes();
        assert_eq!(&b[..4], &256u32.to_ne_bytes());
        assert!(b[4..36].iter().all(|&c| c == 0) && b[36..68].iter().all(|&c| c == 0x11));
        assert!(b[68..100].iter().all(|&c| c == 0) && b[100..].iter().all(|&c| c == 0x22));
        assert_eq!(EccPublicKey::from_blob(&EccPublicKeyBlob::from_bytes(&b).unwrap()).unwrap(), k);
    }

    #[test]
    fn a_left_aligned_value_is_refused() {
        let mut f = [0u8; 64];
        f[0] = 1;
        assert!(from_right_aligned(&f).is_err());
    }

    #[test]
    fn envelope_round_trips_with_its_variable_cipher() {
        let e = EnvelopedKey {
            version: 1,
            sym_alg_id: SGD_SM4_ECB,
            bits: 256,
            encrypted_private_key: [7; 64],
            public_key: EccPublicKey { x: [1; 32], y: [2; 32] },
            cipher: EccCipher { x: [3; 32], y: [4; 32], hash: [5; 32], cipher: vec![6; 16] },
        };
        let b = e.to_bytes();
        assert_eq!(b.len(), ENVELOPE_HEADER + ECC_CIPHER_HEADER + 16);
        assert_eq!(EnvelopedKey::from_bytes(&b).unwrap(), e);
        assert_eq!(EccCipher::from_c1c3c2(&e.cipher.to_c1c3c2()).unwrap(), e.cipher);
    }

    #[test]
    fn name_lists() {
        assert_eq!(parse_name_list(b"a\0bc\0\0"), vec!["a".to_string(), "bc".to_string()]);
        assert_eq!(parse_name_list(b"\0\0"), Vec::<String>::new());
        assert_eq!(name_list(&["a".into(), "bc".into()]), b"a\0bc\0\0");
        assert_eq!(name_list(&[]), b"\0\0");
    }
}
