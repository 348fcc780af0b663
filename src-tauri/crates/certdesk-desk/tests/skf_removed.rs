//! An SKF key pulled out while the desk holds its library (the app keeps one `KeyLibrary`
//! loaded): the soft SKF library's `removed` fault gives the desk's "removed" error
//! (`token_removed`), not "no such key", through the desk's own key read. Its own test binary:
//! the soft library reads `CERTDESK_SKF_DIR` from this process's environment, set once before
//! anything else runs.

use certdesk_desk::keydesk::KeyLibrary;
use certdesk_desk::store::Password;
use certdesk_desk::token::{Pin, TokenSel};
use certdesk_desk::{DeskError, ErrorKind};
use std::path::PathBuf;

/// The soft SKF library cargo built beside this test (a dev-dependency's cdylib).
fn soft_library() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    let name = if cfg!(windows) { "certdesk_skf_soft.dll" } else { "libcertdesk_skf_soft.so" };
    [deps.join(name), deps.parent().unwrap().join(name)].into_iter().find(|p| p.is_file()).unwrap_or_else(|| panic!("{name} not built next to {}", deps.display()))
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
    let mut store = certdesk_desk::place::open_file(&dir.path().join("c.db")).unwrap();
    let pw = |s: &str| Password::new(s.into());
    let mut admin = certdesk_desk::api::Session::first_admin(&mut store, "admin", &pw("admin-pass-1"), "GZ01", "").unwrap();
    admin.desk(&mut store).unwrap().add_account("wang", &[certdesk_desk::domain::workflow::Role::KeyClerk], &pw("wang-pass-1")).unwrap();
    let mut wang = certdesk_desk::api::Session::sign_in(&mut store, "wang", &pw("wang-pass-1")).unwrap();
    let catalog = certdesk_desk::intake::load_catalog(None).unwrap();
    let keys = KeyLibrary::open(&soft_library()).unwrap();
    wang.desk(&mut store).unwrap().keys(&keys, &catalog).init_loose(0, Some("SKF-R"), &Pin::new("admin-8765".into()), &Pin::new("24681357".into())).unwrap();
    let sel = TokenSel::Label("SKF-R".into());
    assert!(wang.desk(&mut store).unwrap().keys(&keys, &catalog).info(&sel).unwrap().initialized);

    std::fs::write(dir.path().join("fault"), "removed").unwrap();
    let err = wang.desk(&mut store).unwrap().keys(&keys, &catalog).info(&sel).unwrap_err();
    assert!(matches!(err, DeskError::Token(_)), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::TokenRemoved, "{err}");

    // put back: found again
    std::fs::remove_file(dir.path().join("fault")).unwrap();
    assert_eq!(wang.desk(&mut store).unwrap().keys(&keys, &catalog).info(&sel).unwrap().label, "SKF-R");
}
