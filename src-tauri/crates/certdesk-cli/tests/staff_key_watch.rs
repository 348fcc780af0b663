//! Pulling the USB key out locks a key session (#31): a supervisor's SM2 key on the soft SKF
//! library (set up through the `certdesk` binary: key made on the key, certificate from an SM2
//! operator CA, enrolled), then the session opened in this process through the desk API as the
//! app opens it, and the key pulled out with the library's own `removed` switch (every SKF call
//! then answers as a vendor's library does for a key that is gone). The watch locks the
//! session, nothing goes through it, and only the password with the same key opens it again.
//! The app's side runs as a child of the test (this binary again) with the soft library's
//! environment of its own.

use certdesk_desk::api::Session;
use certdesk_desk::keydesk::KeyLibrary;
use certdesk_desk::staff::StaffKey;
use certdesk_desk::store::Password;
use certdesk_desk::token::Pin;
use certdesk_testkit::stderr;
use std::process::Command;

#[test]
fn pulling_the_key_out_locks_the_session_until_the_same_key_is_back() {
    let r = certdesk_testkit::skf::SkfRig::new(env!("CARGO_BIN_EXE_certdesk"));
    let (li_pem, ca_pem) = r.sm2_staff_key("LI-SKF", "李复核");
    let admin = r.c.pw("admin");
    let out = r.c.run(&["user", "enrol-key", "li", "--cert", &li_pem, "--chain", &ca_pem, "--as", "admin", "--password-file", &admin]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // the app's side: this test binary again, as a child with the soft library's environment
    // (the desk API in one process, as the app holds it)
    let out = Command::new(std::env::current_exe().expect("this test binary"))
        .args(["--exact", "the_watch_in_a_process_of_its_own", "--nocapture", "--test-threads", "1"])
        .env("CERTDESK_SKF_DIR", r.c.dir.path().join("skf"))
        .env("CERTDESK_SKF_FAULT", "")
        .env("WATCH_STORE", r.c.db())
        .env("WATCH_LIBRARY", &r.lib)
        .output()
        .expect("runs");
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(out.status.success() && said.contains("1 passed"), "{said}");
}

/// The app's side of [`pulling_the_key_out_locks_the_session_until_the_same_key_is_back`]: runs
/// only as its child (`WATCH_STORE` set), the soft library reading the rig's key folder.
#[test]
fn the_watch_in_a_process_of_its_own() {
    let (Some(db), Some(lib), Some(skf)) = (std::env::var_os("WATCH_STORE"), std::env::var_os("WATCH_LIBRARY"), std::env::var_os("CERTDESK_SKF_DIR")) else { return };
    let skf = std::path::PathBuf::from(skf);
    let r_lib = std::path::PathBuf::from(lib);
    let db = std::path::PathBuf::from(db);
    let library = KeyLibrary::open(&r_lib).expect("the soft SKF library loads");
    let password = Password::new("li-secret-pass-1".to_string());
    let mut store = certdesk_desk::place::open_encrypted_file(&db, "li", &password).expect("li opens the store");
    let pin = Pin::new("24681357".to_string());
    let key = StaffKey { library: &library, token: None, pin: &pin };
    let mut session = Session::sign_in_with_key(&mut store, "li", &password, Some(&key)).expect("li signs in with the key").with_idle_timeout(std::time::Duration::from_secs(600));
    assert!(session.key().is_some());

    // plugged in: the watch finds it and the session works
    let w = session.watch_key(&library);
    assert!(w.watched && w.present && !w.locked, "{w:?}");
    assert!(session.desk(&mut store).is_ok());

    // pulled out: the watch locks the session; the desk refuses it
    std::fs::write(skf.join("fault"), "removed\n").unwrap();
    let w = session.watch_key(&library);
    assert!(w.watched && !w.present && w.locked, "{w:?}");
    assert_eq!(session.desk(&mut store).err().map(|e| e.kind()), Some(certdesk_desk::ErrorKind::SessionLocked));
    // the password alone does not open a key session, nor does it with the key still out
    assert_eq!(session.unlock(&mut store, &password).err().map(|e| e.kind()), Some(certdesk_desk::ErrorKind::KeyRequired));
    assert!(session.unlock_with_key(&mut store, &password, Some(&key)).is_err(), "the key is still out");
    assert!(session.is_locked());

    // back in: the password and the same key open it again, and the watch finds it
    std::fs::remove_file(skf.join("fault")).unwrap();
    session.unlock_with_key(&mut store, &password, Some(&key)).expect("unlocked with the same key");
    assert!(session.desk(&mut store).is_ok());
    let w = session.watch_key(&library);
    assert!(w.present && !w.locked, "{w:?}");
}
