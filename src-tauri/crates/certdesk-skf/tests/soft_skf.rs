//! The host side against the real soft SKF library (`libcertdesk_skf_soft.so`, built beside
//! this test as a dev-dependency): devices, PIN lock after 10 tries and unblock, SM2 keys
//! (signatures checked with RustCrypto's verifier and with OpenSSL 3), the import of both
//! envelope forms, certificates, files, faults (key removed, too-short buffers) and state kept
//! across a reopen. The soft library reads `CERTDESK_SKF_DIR` on each call: the tests share one
//! directory and take turns (a lock), each on a device folder of its own.

use certdesk_skf::blob::{SECURE_ANYONE_ACCOUNT, SECURE_USER_ACCOUNT, SGD_SM4_ECB};
use certdesk_skf::{Application, ContainerType, Device, EccCipher, EccPublicKey, EnvelopedKey, Pin, PinType, Sar, SkfError, SkfLibrary, Zeroizing};
use sm4::cipher::{BlockCipherEncrypt, KeyInit};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

const ID: &str = "1234567812345678";

fn soft_library() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    let name = if cfg!(windows) { "certdesk_skf_soft.dll" } else { "libcertdesk_skf_soft.so" };
    [deps.join(name), deps.join("..").join(name)].into_iter().find(|p| p.is_file()).unwrap_or_else(|| panic!("{name} not built next to {}", exe.display()))
}

static TURN: Mutex<()> = Mutex::new(());
static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();

/// The shared state directory, set once for the soft library, and this test's turn.
fn setup() -> (MutexGuard<'static, ()>, &'static Path) {
    let turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    let dir = DIR.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        // The soft library reads its directory from the environment, as the CLI's users set it.
        // SAFETY: set once, while holding TURN: no other test of this binary runs, and nothing
        // else in the process reads the environment concurrently.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("CERTDESK_SKF_DIR", d.path());
        }
        d
    });
    (turn, dir.path())
}

/// A device folder of this test's own; returns its name.
fn device(dir: &Path, name: &str) -> String {
    std::fs::create_dir_all(dir.join(name)).unwrap();
    name.to_string()
}

fn dev_key() -> Zeroizing<[u8; 16]> {
    Zeroizing::new(*certdesk_skf_soft::DEFAULT_DEV_AUTH_KEY)
}

/// On a new device folder `name` of this test's own: the application `certdesk` (10 tries for
/// each PIN), with the user PIN verified when `login`.
fn with_new_app<T>(name: &str, login: bool, f: impl FnOnce(&Path, &SkfLibrary, &Device, &Application) -> T) -> T {
    let (_turn, dir) = setup();
    let lib = SkfLibrary::open(&soft_library()).unwrap();
    let dev = lib.connect(&device(dir, name)).unwrap();
    dev.authenticate(&dev_key()).unwrap();
    let app = dev.create_application("certdesk", &admin(), 10, &user(), 10, SECURE_USER_ACCOUNT).unwrap();
    if login {
        app.verify_pin(PinType::User, &user()).unwrap();
    }
    f(dir, &lib, &dev, &app)
}

fn admin() -> Pin {
    Pin::new("admin-pin-88")
}

fn user() -> Pin {
    Pin::new("12345678")
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// e = SM3(Z ‖ M), Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA) (GM/T 0003.2 §5.5), written
/// out here so that the verifiers below check it independently.
fn e_of(public: &EccPublicKey, msg: &[u8]) -> [u8; 32] {
    use sm3::Digest;
    let mut z = sm3::Sm3::new();
    z.update(((ID.len() * 8) as u16).to_be_bytes());
    z.update(ID);
    z.update(hex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"));
    z.update(hex("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"));
    z.update(hex("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"));
    z.update(hex("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"));
    z.update(public.x);
    z.update(public.y);
    let z = z.finalize();
    let mut e = sm3::Sm3::new();
    e.update(z);
    e.update(msg);
    e.finalize().into()
}

fn der_integer(v: &[u8; 32]) -> Vec<u8> {
    let mut i: Vec<u8> = v.iter().copied().skip_while(|&b| b == 0).collect();
    if i.first().is_none_or(|&b| b & 0x80 != 0) {
        i.insert(0, 0);
    }
    [vec![2, i.len() as u8], i].concat()
}

/// (r, s) as the DER `SM2Signature` OpenSSL reads.
fn der_signature(r: &[u8; 32], s: &[u8; 32]) -> Vec<u8> {
    let body = [der_integer(r), der_integer(s)].concat();
    [vec![0x30, body.len() as u8], body].concat()
}

/// SubjectPublicKeyInfo of an SM2 key (id-ecPublicKey, curve 1.2.156.10197.1.301).
fn spki_der(k: &EccPublicKey) -> Vec<u8> {
    [hex("3059301306072a8648ce3d020106082a811ccf5501822d034200"), k.to_sec1().to_vec()].concat()
}

fn sm4_ecb(key: &[u8; 16], data: &[u8]) -> Vec<u8> {
    let c = sm4::Sm4::new(&(*key).into());
    data.chunks(16)
        .flat_map(|b| {
            let mut block = sm4::cipher::Block::<sm4::Sm4>::try_from(b).unwrap();
            c.encrypt_block(&mut block);
            block.to_vec()
        })
        .collect()
}

/// What a KMC sends: an encryption key pair enveloped to the signing public key, the private
/// key SM4-ECB encrypted as 32 bytes (GM/T 0009) or as the 64-byte right-aligned field.
fn envelope(sign_public: &EccPublicKey, wide: bool) -> (Vec<u8>, EccPublicKey) {
    let scalar = loop {
        let mut b = [0u8; 32];
        getrandom::fill(&mut b).unwrap();
        if sm2::SecretKey::from_slice(&b).is_ok() {
            break b;
        }
    };
    let enc_public = EccPublicKey::from_sec1(&sm2::SecretKey::from_slice(&scalar).unwrap().public_key().to_sec1_bytes()).unwrap();
    let mut sym = [0u8; 16];
    getrandom::fill(&mut sym).unwrap();
    let mut field = [0u8; 64];
    if wide {
        let mut plain = [0u8; 64];
        plain[32..].copy_from_slice(&scalar);
        field.copy_from_slice(&sm4_ecb(&sym, &plain));
    } else {
        field[32..].copy_from_slice(&sm4_ecb(&sym, &scalar));
    }
    let to = sm2::pke::EncryptingKey::from_sec1_bytes(&sign_public.to_sec1()).unwrap();
    let c1c3c2 = to.encrypt(&mut getrandom::SysRng, &sym).unwrap();
    let cipher = EccCipher::from_c1c3c2(&c1c3c2).unwrap();
    assert_eq!(cipher.cipher.len(), 16);
    let blob = EnvelopedKey { version: 1, sym_alg_id: SGD_SM4_ECB, bits: 256, encrypted_private_key: field, public_key: enc_public, cipher };
    (blob.to_bytes(), enc_public)
}

#[test]
fn device_info_label_and_device_authentication() {
    let (_turn, dir) = setup();
    let name = device(dir, "dev-info");
    let lib = SkfLibrary::open(&soft_library()).unwrap();
    assert!(lib.devices(true).unwrap().contains(&name));
    let dev = lib.connect(&name).unwrap();
    let info = dev.info().unwrap();
    assert_eq!(info.manufacturer, "certdesk");
    assert!(info.serial_number.starts_with("CDS"), "{info:?}");
    dev.set_label("张三的Key").unwrap();
    assert_eq!(dev.info().unwrap().label, "张三的Key");
    assert_eq!(dev.random(24).unwrap().len(), 24);

    // without device authentication no application is made; a wrong key is refused
    let e = dev.create_application("certdesk", &admin(), 10, &user(), 10, SECURE_ANYONE_ACCOUNT).unwrap_err();
    assert_eq!(e.code(), Some(Sar::SAR_FAIL));
    assert!(dev.authenticate(&Zeroizing::new([9u8; 16])).is_err());
    dev.authenticate(&dev_key()).unwrap();
    drop(dev.create_application("certdesk", &admin(), 10, &user(), 10, SECURE_ANYONE_ACCOUNT).unwrap());
    assert_eq!(dev.applications().unwrap(), vec!["certdesk".to_string()]);
    let e = dev.create_application("certdesk", &admin(), 10, &user(), 10, SECURE_ANYONE_ACCOUNT).unwrap_err();
    assert_eq!(e.code(), Some(Sar::SAR_APPLICATION_EXISTS));
    dev.delete_application("certdesk").unwrap();
    assert!(dev.applications().unwrap().is_empty());
}

#[test]
fn ten_wrong_user_pins_lock_and_the_admin_pin_unblocks() {
    with_new_app("dev-pins", false, |_, _, _, app| pins_lock_and_unblock(app))
}

fn pins_lock_and_unblock(app: &Application) {
    let info = app.pin_info(PinType::User).unwrap();
    assert_eq!((info.max_retries, info.tries_left, info.default_pin), (10, 10, true));

    for left in (1..10).rev() {
        let e = app.verify_pin(PinType::User, &Pin::new("00000000")).unwrap_err();
        assert!(matches!(e, SkfError::PinIncorrect { function: "SKF_VerifyPIN", tries_left } if tries_left == left), "{e:?}");
        assert_eq!(e.zh(), format!("PIN码错误，还可尝试{left}次"));
        assert_eq!(app.pin_info(PinType::User).unwrap().tries_left, left);
    }
    let e = app.verify_pin(PinType::User, &Pin::new("00000000")).unwrap_err();
    assert!(matches!(e, SkfError::PinLocked { .. }), "{e:?}");
    assert!(e.zh().starts_with("PIN已锁死"));
    // locked: even the right PIN is refused
    assert!(matches!(app.verify_pin(PinType::User, &user()).unwrap_err(), SkfError::PinLocked { .. }));
    assert!(app.pin_info(PinType::User).unwrap().locked());

    // a wrong admin PIN costs an admin try, not a user one
    let e = app.unblock_pin(&Pin::new("wrong-admin"), &Pin::new("87654321")).unwrap_err();
    assert!(matches!(e, SkfError::PinIncorrect { function: "SKF_UnblockPIN", tries_left: 9 }), "{e:?}");
    assert_eq!(app.pin_info(PinType::Admin).unwrap().tries_left, 9);
    app.unblock_pin(&admin(), &Pin::new("87654321")).unwrap();
    assert_eq!(app.pin_info(PinType::Admin).unwrap().tries_left, 10);
    let info = app.pin_info(PinType::User).unwrap();
    assert_eq!((info.tries_left, info.default_pin), (10, false));
    app.verify_pin(PinType::User, &Pin::new("87654321")).unwrap();

    // change: the old PIN stops working, the new one works
    app.change_pin(PinType::User, &Pin::new("87654321"), &Pin::new("11223344")).unwrap();
    assert!(matches!(app.verify_pin(PinType::User, &Pin::new("87654321")).unwrap_err(), SkfError::PinIncorrect { tries_left: 9, .. }));
    app.verify_pin(PinType::User, &Pin::new("11223344")).unwrap();
    assert_eq!(app.pin_info(PinType::User).unwrap().tries_left, 10);

    // logged out, the key refuses what needs the user PIN
    app.clear_secure_state().unwrap();
    let e = app.create_container("sign").unwrap_err();
    assert_eq!(e.code(), Some(Sar::SAR_USER_NOT_LOGGED_IN));
    // a PIN is never printed
    assert_eq!(format!("{:?}", Pin::new("11223344")), "Pin(***)");
}

#[test]
fn sm2_signature_verifies_and_both_envelope_forms_import() {
    with_new_app("dev-sm2", true, |_, _, _, app| sm2_keys_envelopes_certificates_files(app))
}

fn sm2_keys_envelopes_certificates_files(app: &Application) {
    for (container, wide) in [("dual-32", false), ("dual-64", true)] {
        let c = app.create_container(container).unwrap();
        assert_eq!(c.container_type().unwrap(), ContainerType::Empty);
        let public = c.gen_sm2_sign_key().unwrap();
        assert_eq!(c.container_type().unwrap(), ContainerType::Ecc);
        assert_eq!(c.export_public_key(true).unwrap(), public);
        assert_eq!(c.export_public_key(false).unwrap_err().code(), Some(Sar::SAR_KEYNOTFOUNTERR));

        // the host computes e; the key signs it; RustCrypto's verifier computes Z itself
        let msg = "证书受理台 SKF test".as_bytes();
        let (r, s) = c.sign_e(&e_of(&public, msg)).unwrap();
        use sm2::dsa::signature::Verifier;
        let vk = sm2::dsa::VerifyingKey::from_sec1_bytes(ID, &public.to_sec1()).unwrap();
        vk.verify(msg, &sm2::dsa::Signature::from_scalars(r, s).unwrap()).expect("SM2 signature verifies");
        let mut tampered = msg.to_vec();
        tampered[0] ^= 1;
        assert!(vk.verify(&tampered, &sm2::dsa::Signature::from_scalars(r, s).unwrap()).is_err());

        if !wide {
            // and once with OpenSSL 3, with the distinguishing ID (it assumes an empty one otherwise)
            let tmp = tempfile::tempdir().unwrap();
            std::fs::write(tmp.path().join("pub.der"), spki_der(&public)).unwrap();
            std::fs::write(tmp.path().join("sig.der"), der_signature(&r, &s)).unwrap();
            std::fs::write(tmp.path().join("msg"), msg).unwrap();
            let verify = |distid: bool| {
                let mut cmd = std::process::Command::new("openssl");
                cmd.current_dir(tmp.path()).args(["dgst", "-sm3", "-verify", "pub.der", "-keyform", "DER", "-signature", "sig.der"]);
                if distid {
                    cmd.args(["-sigopt", &format!("distid:{ID}")]);
                }
                cmd.arg("msg").output().unwrap()
            };
            let ok = verify(true);
            assert!(ok.status.success() && String::from_utf8_lossy(&ok.stdout).contains("Verified OK"), "{ok:?}");
            assert!(!verify(false).status.success(), "OpenSSL verified without the ID: the ID is not in Z");
        }

        // the KMC's encryption key pair, enveloped to the signing key
        let (blob, enc_public) = envelope(&public, wide);
        c.import_enveloped_key(&blob).unwrap();
        assert_eq!(c.export_public_key(false).unwrap(), enc_public);
        assert_eq!(c.export_public_key(true).unwrap(), public, "the signing key stays");

        // an envelope whose public key is not the enveloped private key's is refused
        let (mut other, _) = envelope(&public, wide);
        let mut e = EnvelopedKey::from_bytes(&other).unwrap();
        e.public_key = public;
        other = e.to_bytes();
        assert_eq!(c.import_enveloped_key(&other).unwrap_err().code(), Some(Sar::SAR_INDATAERR));

        // certificates in both slots, read back
        assert_eq!(c.export_certificate(true).unwrap_err().code(), Some(Sar::SAR_CERTNOTFOUNTERR));
        let sign_cert: Vec<u8> = (0..900u32).map(|i| (i % 251) as u8).collect();
        let enc_cert: Vec<u8> = (0..1100u32).map(|i| (i % 241) as u8).collect();
        c.import_certificate(true, &sign_cert).unwrap();
        c.import_certificate(false, &enc_cert).unwrap();
        assert_eq!(c.export_certificate(true).unwrap(), sign_cert);
        assert_eq!(c.export_certificate(false).unwrap(), enc_cert);
    }
    assert_eq!(app.containers().unwrap(), vec!["dual-32".to_string(), "dual-64".to_string()]);
    app.delete_container("dual-64").unwrap();
    assert_eq!(app.containers().unwrap(), vec!["dual-32".to_string()]);

    // a seal image as a file, read back
    let image: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 256) as u8).collect();
    app.create_file("seal.png", image.len() as u32, SECURE_ANYONE_ACCOUNT, SECURE_USER_ACCOUNT).unwrap();
    app.write_file("seal.png", 0, &image).unwrap();
    assert_eq!(app.files().unwrap(), vec!["seal.png".to_string()]);
    assert_eq!(app.file_size("seal.png").unwrap(), 5000);
    assert_eq!(app.read_file("seal.png").unwrap(), image);
    app.clear_secure_state().unwrap();
    assert_eq!(app.write_file("seal.png", 0, b"x").unwrap_err().code(), Some(Sar::SAR_USER_NOT_LOGGED_IN));
    assert_eq!(app.read_file("seal.png").unwrap(), image, "anyone may read it");
    app.delete_file("seal.png").unwrap_err();
}

#[test]
fn state_persists_across_a_reopen_and_the_file_holds_no_pin() {
    let name = "dev-persist";
    let (dir, public) = with_new_app(name, true, |dir, _, _, app| {
        let public = app.create_container("sign").unwrap().gen_sm2_sign_key().unwrap();
        app.verify_pin(PinType::User, &Pin::new("99999999")).unwrap_err();
        (dir.to_path_buf(), public)
    });
    let _turn = setup().0;
    let lib = SkfLibrary::open(&soft_library()).unwrap();
    let dev = lib.connect(name).unwrap();
    let app = dev.open_application("certdesk").unwrap();
    assert_eq!(app.pin_info(PinType::User).unwrap().tries_left, 9, "the wrong PIN was counted on disk");
    assert_eq!(app.open_container("sign").unwrap().export_public_key(true).unwrap(), public);
    let state = std::fs::read_to_string(dir.join(name).join("device.json")).unwrap();
    assert!(!state.contains("12345678") && !state.contains("admin-pin-88"), "PINs are stored hashed");
}

#[test]
fn faults_removed_key_and_too_small_buffers() {
    with_new_app("dev-faults", true, |dir, lib, dev, app| faults(dir, lib, dev, app, "dev-faults"))
}

fn faults(dir: &Path, lib: &SkfLibrary, dev: &Device, app: &Application, name: &str) {
    let c = app.create_container("sign").unwrap();
    let public = c.gen_sm2_sign_key().unwrap();
    let cert = vec![0x30u8; 1500];
    c.import_certificate(true, &cert).unwrap();
    app.create_file("seal", 700, SECURE_USER_ACCOUNT, SECURE_USER_ACCOUNT).unwrap();
    app.write_file("seal", 0, &[5u8; 700]).unwrap();

    // the length query answers half: every two-call read must grow its buffer and still work
    std::fs::write(dir.join("fault"), "short_buffer").unwrap();
    assert!(lib.devices(true).unwrap().iter().any(|d| d == name));
    assert_eq!(dev.applications().unwrap(), vec!["certdesk".to_string()]);
    assert_eq!(app.containers().unwrap(), vec!["sign".to_string()]);
    assert_eq!(app.files().unwrap(), vec!["seal".to_string()]);
    assert_eq!(c.export_public_key(true).unwrap(), public);
    assert_eq!(c.export_certificate(true).unwrap(), cert);
    assert_eq!(app.read_file("seal").unwrap(), vec![5u8; 700]);

    // the key pulled out: a typed error naming the call, in both languages
    std::fs::write(dir.join("fault"), "removed").unwrap();
    let e = dev.info().unwrap_err();
    assert!(matches!(e, SkfError::DeviceRemoved { function: "SKF_GetDevInfo" }), "{e:?}");
    assert_eq!(e.to_string(), "SKF_GetDevInfo: the key was removed");
    assert!(e.zh().contains("已拔出"));
    assert!(matches!(c.sign_e(&[1; 32]).unwrap_err(), SkfError::DeviceRemoved { function: "SKF_ECCSignData" }));
    assert!(lib.devices(true).unwrap().is_empty());
    assert!(matches!(lib.connect(name).unwrap_err(), SkfError::DeviceRemoved { .. }));

    // put back
    std::fs::remove_file(dir.join("fault")).unwrap();
    assert_eq!(c.export_public_key(true).unwrap(), public);
}

/// The soft library exports the SKF calls and nothing that could hand out a private key.
#[test]
fn no_exported_call_returns_a_private_key() {
    let out = std::process::Command::new("nm").args(["-D", "--defined-only"]).arg(soft_library()).output().expect("nm (binutils) runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let skf: Vec<&str> = text.lines().filter_map(|l| l.split_whitespace().last()).filter(|s| s.starts_with("SKF_")).collect();
    assert!(skf.len() >= 36, "{skf:?}");
    for forbidden in ["SKF_ExtECCSign", "SKF_ExtECCDecrypt", "SKF_ExportPrivateKey", "SKF_GenExtRSAKey", "SKF_ECCDecrypt"] {
        assert!(!skf.contains(&forbidden), "{forbidden} is exported");
    }
    let exports: Vec<&&str> = skf.iter().filter(|s| s.contains("Export")).collect();
    assert_eq!(exports, [&"SKF_ExportCertificate", &"SKF_ExportPublicKey"]);
}
