//! SM2 through PKCS#11 vendor profiles on real parts: SoftHSM2 under the project's test module
//! (`libcertdesk_pkcs11_shim.so`, built beside this test as a dev-dependency) playing a vendor
//! profile (`CERTDESK_SHIM_SM2_PROFILE`): HaiTai's codes below 0x80000000 (which cryptoki
//! refuses: the raw path), TASS's vendor-defined codes, the test profile's DER signatures. Keys
//! generated on the token, the public point read back, a request built with
//! `certdesk_gm::build_request` through the token signer and verified by OpenSSL 3 with the ID
//! and refused without it; the private key unreadable (cryptoki and OpenSC's `pkcs11-tool`); a
//! profile the module does not offer refused with a clear error. The shim reads the profile
//! from the environment on each call: the tests take turns (a lock).

use certdesk_gm::x509_cert::name::Name;
use certdesk_gm::{DistId, build_request, verify_request};
use certdesk_token::pkcs11_sm2::{P11Sm2Error, RawModule};
use certdesk_token::sm2_profiles::{Profile, Profiles};
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::vendor_defined::VendorDefinedMechanism;
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, ObjectClass};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard, OnceLock};

const LABEL: &str = "SM2TEST";
const SO_PIN: &str = "87654321";
const PIN: &str = "24681357";

fn shim() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    let name = if cfg!(windows) { "certdesk_pkcs11_shim.dll" } else { "libcertdesk_pkcs11_shim.so" };
    [deps.join(name), deps.join("..").join(name)].into_iter().find(|p| p.is_file()).unwrap_or_else(|| panic!("{name} not built next to {}", exe.display()))
}

struct Rig {
    dir: tempfile::TempDir,
    ctx: Pkcs11,
}

static TURN: Mutex<()> = Mutex::new(());
static RIG: OnceLock<Rig> = OnceLock::new();

/// The shared token (initialised once) and this test's turn, with the shim playing `profile`.
fn setup(profile: Option<&str>) -> (MutexGuard<'static, ()>, &'static Rig) {
    let turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    let rig = RIG.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        // SAFETY: while holding TURN, before the module is loaded; no other thread of this
        // binary reads the environment meanwhile.
        #[allow(unsafe_code)]
        unsafe {
            certdesk_testkit::shim_over_softhsm(dir.path())
        };
        let ctx = Pkcs11::new(shim()).unwrap();
        ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)).unwrap();
        let slot = ctx.get_slots_with_token().unwrap()[0];
        ctx.init_token(slot, &AuthPin::from(SO_PIN), LABEL).unwrap();
        let slot = find_slot(&ctx);
        let so = ctx.open_rw_session(slot).unwrap();
        so.login(UserType::So, Some(&AuthPin::from(SO_PIN))).unwrap();
        so.init_pin(&AuthPin::from(PIN)).unwrap();
        Rig { dir, ctx }
    });
    // SAFETY: as above: under TURN, the shim reads it on its next call
    #[allow(unsafe_code)]
    unsafe {
        match profile {
            Some(p) => std::env::set_var("CERTDESK_SHIM_SM2_PROFILE", p),
            None => std::env::remove_var("CERTDESK_SHIM_SM2_PROFILE"),
        }
    }
    (turn, rig)
}

fn find_slot(ctx: &Pkcs11) -> cryptoki::slot::Slot {
    ctx.get_slots_with_token().unwrap().into_iter().find(|s| ctx.get_token_info(*s).unwrap().label().trim() == LABEL).unwrap()
}

impl Rig {
    /// A logged-in read-write user session, as `Keys` opens one.
    fn session(&self) -> Session {
        let s = self.ctx.open_rw_session(find_slot(&self.ctx)).unwrap();
        s.login(UserType::User, Some(&AuthPin::from(PIN))).unwrap();
        s
    }
    fn openssl(&self, args: &[&str]) -> Output {
        Command::new("openssl").current_dir(self.dir.path()).args(args).output().expect("openssl (scripts/deps.sh test installs it)")
    }
    fn pkcs11_tool(&self, args: &[&str]) -> Output {
        Command::new("pkcs11-tool")
            .arg("--module")
            .arg(shim())
            .args(args)
            .env("SOFTHSM2_CONF", self.dir.path().join("softhsm2.conf"))
            .env("CERTDESK_SHIM_STATE", self.dir.path().join("shim.state"))
            .output()
            .expect("pkcs11-tool (OpenSC; scripts/deps.sh test installs it)")
    }
}

fn profile(name: &str) -> Profile {
    Profiles::shipped().by_name(name).unwrap().clone()
}

fn say(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// `openssl req -verify` of OpenSSL 3.0 exits 0 even when the signature fails: read its verdict.
fn req_verified(o: &Output) -> bool {
    let text = say(o);
    o.status.success() && text.contains("verify OK") && !text.contains("verify failure")
}

#[test]
fn cryptoki_refuses_haitai_codes_so_the_raw_path_is_needed() {
    let haitai = profile("haitai");
    assert!(haitai.below_vendor_defined());
    assert!(MechanismType::new_vendor_defined(haitai.sign_e).is_err(), "cryptoki 0.12 refuses codes below CKM_VENDOR_DEFINED");
    assert!(MechanismType::new_vendor_defined(profile("tass").sign_e).is_ok());
}

#[test]
fn vendor_profiles_generate_sign_and_openssl_verifies_only_with_the_id() {
    let subject = Name::from_str("CN=张三,OU=受理台,O=测试单位,C=CN").unwrap();
    for (n, name) in ["haitai", "tass", "certdesk-test"].into_iter().enumerate() {
        let (_turn, rig) = setup(Some(name));
        let p = profile(name);
        let session = rig.session();
        let raw = RawModule::open(&shim()).unwrap();
        let h = session.handle();
        raw.check_profile(h, &p).unwrap();
        let id = [0x51, n as u8];
        let key = raw.generate(h, &p, &id, &format!("sm2 {name}")).unwrap();

        // read back: by CKA_ID, the same point; the token reports the profile's key type
        let found = raw.find_key(h, &id).unwrap();
        assert_eq!(found.point, key.point, "{name}");
        assert_eq!(raw.key_type(h, found.public).unwrap(), p.key_type as cryptoki_sys::CK_KEY_TYPE, "{name}: the vendor's CKK");
        // cryptoki cannot even read a CKK below CKK_VENDOR_DEFINED: whoever lists keys with
        // cryptoki (`Keys`) must read the key type through the raw path on such tokens
        let public = session.find_objects(&[Attribute::Class(ObjectClass::PUBLIC_KEY), Attribute::Id(id.to_vec())]).unwrap()[0];
        assert_eq!(session.get_attributes(public, &[AttributeType::KeyType]).is_err(), p.below_vendor_defined(), "{name}");
        let listed = raw.sm2_keys(h, &p).unwrap();
        assert!(listed.iter().any(|(i, k)| i == &id && k.point == key.point), "{name}: listed among the profile's keys");

        let req = build_request(&subject, &key.point, &DistId::default(), &raw.signer(h, &key, &p)).unwrap();
        assert_eq!(verify_request(req.der(), &DistId::default()).unwrap(), key.point);
        std::fs::write(rig.dir.path().join("req.pem"), req.to_pem()).unwrap();
        let with_id = rig.openssl(&["req", "-verify", "-noout", "-in", "req.pem", "-vfyopt", "distid:1234567812345678"]);
        assert!(req_verified(&with_id), "{name}: {}", say(&with_id));
        let without = rig.openssl(&["req", "-verify", "-noout", "-in", "req.pem"]);
        assert!(!req_verified(&without), "{name}: OpenSSL's empty ID must not verify: {}", say(&without));

        // the profile's own encoding, where cryptoki can name the mechanism at all
        if !p.below_vendor_defined() {
            let private = session.find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY), Attribute::Id(id.to_vec())]).unwrap()[0];
            let mech = Mechanism::VendorDefined(VendorDefinedMechanism::new::<()>(MechanismType::new_vendor_defined(p.sign_e).unwrap(), None));
            let sig = session.sign(&mech, private, &[7u8; 32]).unwrap();
            match p.signature {
                certdesk_token::sm2_profiles::SignatureEncoding::Raw => assert_eq!(sig.len(), 64, "{name}: raw r‖s"),
                certdesk_token::sm2_profiles::SignatureEncoding::Der => assert_eq!(sig[0], 0x30, "{name}: DER"),
            }
        }
    }
}

#[test]
fn the_private_key_never_leaves_the_shim() {
    let (_turn, rig) = setup(Some("certdesk-test"));
    let p = profile("certdesk-test");
    let session = rig.session();
    let raw = RawModule::open(&shim()).unwrap();
    let id = [0x52, 0x01];
    raw.generate(session.handle(), &p, &id, "sm2 secret").unwrap();
    let private = session.find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY), Attribute::Id(id.to_vec())]).unwrap()[0];
    let attrs = session.get_attributes(private, &[AttributeType::Value, AttributeType::Sensitive, AttributeType::Extractable, AttributeType::NeverExtractable]).unwrap();
    assert!(!attrs.iter().any(|a| matches!(a, Attribute::Value(_))), "CKA_VALUE must not be returned: {attrs:?}");
    assert!(attrs.contains(&Attribute::Sensitive(true)) && attrs.contains(&Attribute::Extractable(false)) && attrs.contains(&Attribute::NeverExtractable(true)), "{attrs:?}");
    let info = session.get_attribute_info(private, &[AttributeType::Value]).unwrap();
    assert!(matches!(info.as_slice(), [cryptoki::object::AttributeInfo::Sensitive]), "{info:?}");
    drop(session);

    // OpenSC, an independent client: the key listed with the vendor's key type, sensitive and
    // never extractable (OpenSC 0.23's --read-object reads no private key of any module at all)
    let list = rig.pkcs11_tool(&["--token-label", LABEL, "--login", "--pin", PIN, "--list-objects", "--type", "privkey"]);
    let text = say(&list);
    assert!(list.status.success() && text.contains("sm2 secret"), "{text}");
    assert!(text.contains(&format!("unknown key algorithm {}", p.key_type)), "{text}");
    assert!(text.contains("Access:     sensitive, always sensitive, never extractable"), "{text}");
    assert!(text.contains("Usage:      sign\n"), "a signing key only: {text}");
}

#[test]
fn a_module_without_the_profile_says_so() {
    let (_turn, rig) = setup(Some("tass"));
    let session = rig.session();
    let raw = RawModule::open(&shim()).unwrap();
    let haitai = profile("haitai");
    let err = raw.check_profile(session.handle(), &haitai).unwrap_err();
    assert!(matches!(&err, P11Sm2Error::ProfileMismatch { profile, missing } if profile == "haitai" && missing.contains("0x00010009") && missing.contains("0x00010002")), "{err}");
    assert!(err.to_string().contains("does not offer the SM2 profile \"haitai\""), "{err}");
    assert!(matches!(raw.generate(session.handle(), &haitai, &[0x53], "x"), Err(P11Sm2Error::ProfileMismatch { .. })));
    drop(session);

    // no profile at all: SoftHSM alone offers no SM2 mechanism
    let (_turn2, rig) = {
        drop(_turn);
        setup(None)
    };
    let session = rig.session();
    let err = raw.check_profile(session.handle(), &profile("tass")).unwrap_err();
    assert!(matches!(err, P11Sm2Error::ProfileMismatch { .. }), "{err}");
}

#[test]
fn the_shim_still_counts_wrong_pins_with_a_profile_set() {
    let (_turn, rig) = setup(Some("tass"));
    let slot = find_slot(&rig.ctx);
    // one wrong PIN counts; the right one resets (the full lock is covered by the CLI tests)
    let s = rig.ctx.open_ro_session(slot).unwrap();
    assert!(s.login(UserType::User, Some(&AuthPin::from("00000000"))).is_err());
    assert!(rig.ctx.get_token_info(slot).unwrap().user_pin_count_low());
    s.login(UserType::User, Some(&AuthPin::from(PIN))).unwrap();
    assert!(!rig.ctx.get_token_info(slot).unwrap().user_pin_count_low());
}
