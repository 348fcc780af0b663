//! The safe API over one SKF library: devices, applications (PINs), containers (SM2 keys,
//! certificates) and files. Owns the handles' lifetimes: a `Device` disconnects, an
//! `Application` and a `Container` close when dropped, and each borrows its parent so that it
//! cannot outlive it. No private key ever comes out of these calls (SKF has none that would);
//! PINs go in as `Pin` and leave only as zeroized C strings handed to the library.

use crate::blob::{self, ADMIN_TYPE, CONTAINER_ECC, CONTAINER_EMPTY, CONTAINER_RSA, DeviceInfo, EccPublicKey, EccPublicKeyBlob, SGD_SM2_1, USER_TYPE};
use crate::error::SkfError;
use crate::ffi::{Api, Handle, c_string};
use std::ffi::CString;
use std::path::Path;
use std::sync::Arc;
use zeroize::{Zeroize, Zeroizing};

/// A PIN or device-auth secret: zeroized on drop, never shown by `Debug`.
#[derive(Clone)]
pub struct Pin(Zeroizing<String>);

impl Pin {
    pub fn new(pin: impl Into<String>) -> Self {
        Pin(Zeroizing::new(pin.into()))
    }

    fn c(&self) -> Result<ZeroizingCString, SkfError> {
        Ok(ZeroizingCString(Some(c_string("a PIN", &self.0)?)))
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(***)")
    }
}

/// A PIN as the C string a call needs, wiped when dropped.
struct ZeroizingCString(Option<CString>);

impl std::ops::Deref for ZeroizingCString {
    type Target = std::ffi::CStr;
    fn deref(&self) -> &std::ffi::CStr {
        self.0.as_deref().unwrap_or_default()
    }
}

impl Drop for ZeroizingCString {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            c.into_bytes_with_nul().zeroize();
        }
    }
}

/// Which PIN of an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinType {
    /// The administrator (SO) PIN: unblocks the user PIN.
    Admin,
    User,
}

impl PinType {
    fn code(self) -> u32 {
        match self {
            PinType::Admin => ADMIN_TYPE,
            PinType::User => USER_TYPE,
        }
    }
}

/// `SKF_GetPINInfo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinInfo {
    pub max_retries: u32,
    pub tries_left: u32,
    /// The PIN is still the factory default.
    pub default_pin: bool,
}

impl PinInfo {
    pub fn locked(&self) -> bool {
        self.tries_left == 0
    }
}

/// `SKF_GetContainerType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerType {
    Empty,
    Rsa,
    /// SM2 (ECC) keys.
    Ecc,
    Other(u32),
}

/// An SKF library, loaded and with every function the counter uses resolved.
#[derive(Clone)]
pub struct SkfLibrary {
    api: Arc<Api>,
}

impl std::fmt::Debug for SkfLibrary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SkfLibrary").field("path", &self.api.path).finish()
    }
}

impl SkfLibrary {
    /// Loads the library; refused when it lacks one of the calls this crate uses.
    pub fn open(path: &Path) -> Result<SkfLibrary, SkfError> {
        Ok(SkfLibrary { api: Arc::new(Api::load(path)?) })
    }

    pub fn path(&self) -> &Path {
        &self.api.path
    }

    /// The names of the devices (`SKF_EnumDev`; `present_only` = only those plugged in).
    pub fn devices(&self, present_only: bool) -> Result<Vec<String>, SkfError> {
        Ok(blob::parse_name_list(&self.api.enum_dev(present_only)?))
    }

    /// Connects to a device by the name `devices` gave.
    pub fn connect(&self, name: &str) -> Result<Device, SkfError> {
        let h = self.api.connect_dev(&c_string("a device name", name)?)?;
        Ok(Device { api: self.api.clone(), h, name: name.to_string() })
    }
}

/// A connected device; disconnected when dropped.
#[derive(Debug)]
pub struct Device {
    api: Arc<Api>,
    h: Handle,
    name: String,
}

impl Drop for Device {
    fn drop(&mut self) {
        let _ = self.api.disconnect_dev(self.h);
    }
}

impl Device {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `SKF_GetDevInfo`: manufacturer, label, serial number, capabilities.
    pub fn info(&self) -> Result<DeviceInfo, SkfError> {
        Ok(DeviceInfo::from(&self.api.get_dev_info(self.h)?))
    }

    /// `SKF_SetLabel` (at most 31 bytes of UTF-8 fit the DEVINFO field).
    pub fn set_label(&self, label: &str) -> Result<(), SkfError> {
        self.api.set_label(self.h, &c_string("a label", label)?)
    }

    /// `SKF_GenRandom`.
    pub fn random(&self, len: usize) -> Result<Vec<u8>, SkfError> {
        let mut out = vec![0u8; len];
        self.api.gen_random(self.h, &mut out)?;
        Ok(out)
    }

    /// Device authentication (`SKF_DevAuth`, GM/T 0016 §7.2.3), needed before applications are
    /// created or deleted: an 8-byte random from the device, zero-padded to one block,
    /// SM4-ECB encrypted with the 16-byte device authentication key.
    pub fn authenticate(&self, dev_auth_key: &Zeroizing<[u8; 16]>) -> Result<(), SkfError> {
        use sm4::cipher::{BlockCipherEncrypt, KeyInit};
        let random = self.random(8)?;
        let mut block = [0u8; 16];
        block[..8].copy_from_slice(&random);
        let cipher = sm4::Sm4::new(&(**dev_auth_key).into());
        let mut b = block.into();
        cipher.encrypt_block(&mut b);
        let auth: [u8; 16] = b.into();
        self.api.dev_auth(self.h, &auth)
    }

    /// `SKF_EnumApplication`.
    pub fn applications(&self) -> Result<Vec<String>, SkfError> {
        Ok(blob::parse_name_list(&self.api.enum_application(self.h)?))
    }

    /// `SKF_CreateApplication` (after `authenticate`): the application with its administrator
    /// and user PIN and how many wrong tries lock each; `create_file_rights` is a
    /// `SECURE_*_ACCOUNT` value.
    pub fn create_application(&self, name: &str, admin_pin: &Pin, admin_tries: u32, user_pin: &Pin, user_tries: u32, create_file_rights: u32) -> Result<Application<'_>, SkfError> {
        let h = self.api.create_application(self.h, &c_string("an application name", name)?, &admin_pin.c()?, admin_tries, &user_pin.c()?, user_tries, create_file_rights)?;
        Ok(Application { dev: self, h })
    }

    pub fn open_application(&self, name: &str) -> Result<Application<'_>, SkfError> {
        let h = self.api.open_application(self.h, &c_string("an application name", name)?)?;
        Ok(Application { dev: self, h })
    }

    /// `SKF_DeleteApplication` (after `authenticate`): its containers and files go with it.
    pub fn delete_application(&self, name: &str) -> Result<(), SkfError> {
        self.api.delete_application(self.h, &c_string("an application name", name)?)
    }
}

/// The piece size of file reads and writes on a device that reports no `MaxBufferSize`.
const FALLBACK_IO_CHUNK: u32 = 1024;

/// An open application of a device; closed when dropped.
#[derive(Debug)]
pub struct Application<'d> {
    dev: &'d Device,
    h: Handle,
}

impl Drop for Application<'_> {
    fn drop(&mut self) {
        let _ = self.dev.api.close_application(self.h);
    }
}

impl<'d> Application<'d> {
    fn api(&self) -> &Api {
        &self.dev.api
    }

    /// `SKF_GetPINInfo`.
    pub fn pin_info(&self, which: PinType) -> Result<PinInfo, SkfError> {
        let (max_retries, tries_left, default_pin) = self.api().get_pin_info(self.h, which.code())?;
        Ok(PinInfo { max_retries, tries_left, default_pin })
    }

    /// `SKF_VerifyPIN`: a wrong PIN is `PinIncorrect { tries_left }`, the last wrong one and any
    /// try after it `PinLocked`.
    pub fn verify_pin(&self, which: PinType, pin: &Pin) -> Result<(), SkfError> {
        self.api().verify_pin(self.h, which.code(), &pin.c()?)
    }

    /// `SKF_ChangePIN`.
    pub fn change_pin(&self, which: PinType, old: &Pin, new: &Pin) -> Result<(), SkfError> {
        self.api().change_pin(self.h, which.code(), &old.c()?, &new.c()?)
    }

    /// `SKF_UnblockPIN`: a new user PIN set with the administrator PIN; its tries are reset.
    pub fn unblock_pin(&self, admin: &Pin, new_user_pin: &Pin) -> Result<(), SkfError> {
        self.api().unblock_pin(self.h, &admin.c()?, &new_user_pin.c()?)
    }

    /// `SKF_ClearSecureState`: logs out.
    pub fn clear_secure_state(&self) -> Result<(), SkfError> {
        self.api().clear_secure_state(self.h)
    }

    /// `SKF_EnumContainer`.
    pub fn containers(&self) -> Result<Vec<String>, SkfError> {
        Ok(blob::parse_name_list(&self.api().enum_container(self.h)?))
    }

    pub fn create_container(&self, name: &str) -> Result<Container<'_>, SkfError> {
        let h = self.api().create_container(self.h, &c_string("a container name", name)?)?;
        Ok(Container { app: self, h })
    }

    pub fn open_container(&self, name: &str) -> Result<Container<'_>, SkfError> {
        let h = self.api().open_container(self.h, &c_string("a container name", name)?)?;
        Ok(Container { app: self, h })
    }

    pub fn delete_container(&self, name: &str) -> Result<(), SkfError> {
        self.api().delete_container(self.h, &c_string("a container name", name)?)
    }

    /// `SKF_EnumFiles`.
    pub fn files(&self) -> Result<Vec<String>, SkfError> {
        Ok(blob::parse_name_list(&self.api().enum_files(self.h)?))
    }

    /// `SKF_CreateFile`: a file of `size` bytes with `SECURE_*_ACCOUNT` read and write rights.
    pub fn create_file(&self, name: &str, size: u32, read_rights: u32, write_rights: u32) -> Result<(), SkfError> {
        self.api().create_file(self.h, &c_string("a file name", name)?, size, read_rights, write_rights)
    }

    pub fn delete_file(&self, name: &str) -> Result<(), SkfError> {
        self.api().delete_file(self.h, &c_string("a file name", name)?)
    }

    /// The file's size (`SKF_GetFileInfo`).
    pub fn file_size(&self, name: &str) -> Result<u32, SkfError> {
        Ok(self.api().get_file_info(self.h, &c_string("a file name", name)?)?.file_size)
    }

    /// The most bytes one `SKF_ReadFile` / `SKF_WriteFile` may move: the device's
    /// `MaxBufferSize` (a key's buffer for one command; real keys have a few KiB), 1 KiB where it
    /// reports none.
    fn io_chunk(&self) -> Result<u32, SkfError> {
        let max = self.dev.info()?.max_buffer_size;
        Ok(if max == 0 { FALLBACK_IO_CHUNK } else { max })
    }

    /// `SKF_WriteFile` at `offset`, in pieces of at most the device's `MaxBufferSize`.
    pub fn write_file(&self, name: &str, offset: u32, data: &[u8]) -> Result<(), SkfError> {
        let c = c_string("a file name", name)?;
        let chunk = self.io_chunk()?;
        let mut at = offset;
        for part in data.chunks(chunk as usize) {
            self.api().write_file(self.h, &c, at, part)?;
            at = at.checked_add(part.len() as u32).ok_or(SkfError::Malformed { function: "SKF_WriteFile", what: "an offset beyond 4 GiB" })?;
        }
        Ok(())
    }

    /// The whole file (`SKF_GetFileInfo`, then `SKF_ReadFile` with the two-call protocol), in
    /// pieces of at most the device's `MaxBufferSize`.
    pub fn read_file(&self, name: &str) -> Result<Vec<u8>, SkfError> {
        let c = c_string("a file name", name)?;
        let size = self.api().get_file_info(self.h, &c)?.file_size;
        let chunk = self.io_chunk()?;
        let mut out = Vec::with_capacity(size as usize);
        let mut at = 0u32;
        while at < size {
            let part = self.api().read_file(self.h, &c, at, chunk.min(size - at))?;
            if part.is_empty() {
                return Err(SkfError::Malformed { function: "SKF_ReadFile", what: "no bytes before the end of the file" });
            }
            at += u32::try_from(part.len()).map_err(|_| SkfError::Malformed { function: "SKF_ReadFile", what: "more bytes than asked for" })?;
            out.extend_from_slice(&part);
        }
        out.truncate(size as usize);
        Ok(out)
    }
}

/// An open container; closed when dropped.
#[derive(Debug)]
pub struct Container<'a> {
    app: &'a Application<'a>,
    h: Handle,
}

impl Drop for Container<'_> {
    fn drop(&mut self) {
        let _ = self.app.api().close_container(self.h);
    }
}

impl Container<'_> {
    fn api(&self) -> &Api {
        self.app.api()
    }

    /// `SKF_GetContainerType`.
    pub fn container_type(&self) -> Result<ContainerType, SkfError> {
        Ok(match self.api().get_container_type(self.h)? {
            CONTAINER_EMPTY => ContainerType::Empty,
            CONTAINER_RSA => ContainerType::Rsa,
            CONTAINER_ECC => ContainerType::Ecc,
            other => ContainerType::Other(other),
        })
    }

    /// `SKF_GenECCKeyPair(SGD_SM2_1)`: the signing key pair, made inside the key (user PIN
    /// verified); only its public key comes back.
    pub fn gen_sm2_sign_key(&self) -> Result<EccPublicKey, SkfError> {
        let blob = self.api().gen_ecc_key_pair(self.h, SGD_SM2_1)?;
        EccPublicKey::from_blob(&blob).map_err(|e| SkfError::Malformed { function: "SKF_GenECCKeyPair", what: e.0 })
    }

    /// `SKF_ExportPublicKey`: the signing (`sign`) or encryption public key.
    pub fn export_public_key(&self, sign: bool) -> Result<EccPublicKey, SkfError> {
        let bytes = self.api().export_public_key(self.h, sign)?;
        let malformed = |e: blob::BlobError| SkfError::Malformed { function: "SKF_ExportPublicKey", what: e.0 };
        EccPublicKey::from_blob(&EccPublicKeyBlob::from_bytes(&bytes).map_err(malformed)?).map_err(malformed)
    }

    /// `SKF_ECCSignData`: signs e = SM3(Z ‖ M), which the caller computed, with the signing
    /// key; returns (r, s), 32 bytes each, big-endian.
    pub fn sign_e(&self, e: &[u8; 32]) -> Result<([u8; 32], [u8; 32]), SkfError> {
        self.api().ecc_sign_data(self.h, e)?.to_rs().map_err(|e| SkfError::Malformed { function: "SKF_ECCSignData", what: e.0 })
    }

    /// `SKF_ImportECCKeyPair`: the encryption key pair as an `ENVELOPEDKEYBLOB`
    /// (`EnvelopedKey::to_bytes`), opened inside the key with the signing private key.
    pub fn import_enveloped_key(&self, envelope: &[u8]) -> Result<(), SkfError> {
        // the library reads the blob by its own CipherLen: hand it only a well-formed one
        blob::EnvelopedKey::from_bytes(envelope).map_err(|e| SkfError::Malformed { function: "SKF_ImportECCKeyPair", what: e.0 })?;
        self.api().import_ecc_key_pair(self.h, envelope)
    }

    /// `SKF_ImportCertificate`: into the signing (`sign`) or the encryption slot.
    pub fn import_certificate(&self, sign: bool, der: &[u8]) -> Result<(), SkfError> {
        self.api().import_certificate(self.h, sign, der)
    }

    /// `SKF_ExportCertificate` of the signing (`sign`) or the encryption slot.
    pub fn export_certificate(&self, sign: bool) -> Result<Vec<u8>, SkfError> {
        self.api().export_certificate(self.h, sign)
    }
}
