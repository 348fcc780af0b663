//! `ModuleKind::detect` on real files: the soft SKF library, SoftHSM's PKCS#11 module, a shared
//! library that is neither, and a file that is no library at all.

use certdesk_skf::{ModuleKind, SkfError, SkfLibrary};
use std::path::{Path, PathBuf};

fn soft_library() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let name = if cfg!(windows) { "certdesk_skf_soft.dll" } else { "libcertdesk_skf_soft.so" };
    exe.parent().unwrap().join(name)
}

const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";

#[test]
fn the_soft_skf_library_is_skf() {
    assert_eq!(ModuleKind::detect(&soft_library()).unwrap(), ModuleKind::Skf);
}

#[test]
fn softhsm_is_pkcs11_and_not_an_skf_library() {
    assert!(Path::new(SOFTHSM).is_file(), "{SOFTHSM} missing: scripts/deps.sh test installs softhsm2");
    assert_eq!(ModuleKind::detect(Path::new(SOFTHSM)).unwrap(), ModuleKind::Pkcs11);
    let e = SkfLibrary::open(Path::new(SOFTHSM)).unwrap_err();
    assert!(matches!(e, SkfError::MissingSymbol { symbol: "SKF_EnumDev", .. }), "{e:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_library_with_neither_entry_point_is_named_in_the_error() {
    // libm: loads everywhere on glibc, exports neither C_GetFunctionList nor SKF_EnumDev
    let e = ModuleKind::detect(Path::new("libm.so.6")).unwrap_err();
    assert!(matches!(e, SkfError::NotAModule { .. }), "{e:?}");
    assert!(e.to_string().starts_with("libm.so.6 is neither a PKCS#11 module"), "{e}");
    assert!(e.zh().contains("libm.so.6"));
}

#[test]
fn a_file_that_is_no_library_is_a_load_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("notes.so");
    std::fs::write(&f, "not a shared object").unwrap();
    let e = ModuleKind::detect(&f).unwrap_err();
    assert!(matches!(&e, SkfError::Load { path, .. } if path == &f), "{e:?}");
    assert!(e.to_string().contains("notes.so"));
}
