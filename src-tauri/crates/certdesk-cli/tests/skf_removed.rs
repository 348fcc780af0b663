//! An SKF key pulled out while the desk holds its library (the app keeps one `Keys` open): the
//! soft SKF library's `removed` fault gives the desk's "removed" error (`token_removed`), not
//! "no such key". Its own test binary: the soft library reads `CERTDESK_SKF_DIR` from this
//! process's environment, set once before anything else runs.

use certdesk_desk::{DeskError, ErrorKind};
use certdesk_token::{Keys, Pin, TokenError, TokenSel};
use std::path::PathBuf;

fn soft_library() -> PathBuf {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_certdesk"));
    let dir = bin.parent().unwrap();
    let name = if cfg!(windows) { "certdesk_skf_soft.dll" } else { "libcertdesk_skf_soft.so" };
    [dir.join(name), dir.join("deps").join(name)].into_iter().find(|p| p.is_file()).unwrap_or_else(|| panic!("{name} not built next to {}", bin.display()))
}

#[test]
fn a_pulled_out_skf_key_is_the_removed_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("soft-key-r")).unwrap();
    // SAFETY: the only test of this binary, before any other thread reads the environment.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("CERTDESK_SKF_DIR", dir.path());
        std::env::remove_var("CERTDESK_SKF_FAULT");
    }
    let keys = Keys::open(&soft_library()).unwrap();
    keys.init(0, "SKF-R", &Pin::new("admin-8765".into()), &Pin::new("24681357".into())).unwrap();
    let sel = TokenSel::Label("SKF-R".into());
    assert!(keys.info(&sel).unwrap().initialized);

    std::fs::write(dir.path().join("fault"), "removed").unwrap();
    let err = keys.info(&sel).unwrap_err();
    assert!(matches!(err, TokenError::Removed { .. }), "{err:?}");
    assert_eq!(DeskError::from(err).kind(), ErrorKind::TokenRemoved);

    // put back: found again
    std::fs::remove_file(dir.path().join("fault")).unwrap();
    assert_eq!(keys.info(&sel).unwrap().label, "SKF-R");
}
