//! SKF (GM/T 0016), the host side: most Chinese USB keys come with a vendor library exporting
//! the `SKF_*` functions. This crate loads such a library (`SkfLibrary::open`), drives devices,
//! applications with their administrator and user PINs, containers with SM2 keys and
//! certificates, and files (seal images) through a safe API, and tells a PKCS#11 module from an
//! SKF library (`ModuleKind::detect`). The layouts are in `blob`, the codes and errors in
//! `error`, the only unsafe code in `ffi`. The caller computes e = SM3(Z ‖ M): the key signs
//! 32 bytes. No call returns a private key; PINs are `Pin`s, zeroized and never printed.

mod api;
pub mod blob;
mod error;
mod ffi;

pub use api::{Application, Container, ContainerType, Device, Pin, PinInfo, PinType, SkfLibrary};
pub use blob::{DeviceInfo, EccCipher, EccPublicKey, EnvelopedKey};
pub use error::{Sar, SkfError};
pub use zeroize::Zeroizing;

use std::path::Path;

/// What kind of key library a file is, read off the symbols it exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModuleKind {
    /// Exports `C_GetFunctionList`.
    Pkcs11,
    /// Exports `SKF_EnumDev`.
    Skf,
}

impl ModuleKind {
    /// Loads the library to look at its exports; a file that loads but has neither entry point,
    /// or does not load, is an error naming it. A library exporting both is taken as PKCS#11
    /// (the path the desk knows best).
    pub fn detect(path: &Path) -> Result<ModuleKind, SkfError> {
        let found = ffi::exports(path, &["C_GetFunctionList", "SKF_EnumDev"]).map_err(|source| SkfError::Load { path: path.to_path_buf(), source })?;
        match (found[0], found[1]) {
            (true, _) => Ok(ModuleKind::Pkcs11),
            (false, true) => Ok(ModuleKind::Skf),
            (false, false) => Err(SkfError::NotAModule { path: path.to_path_buf() }),
        }
    }
}
