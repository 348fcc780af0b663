//! The soft key's behaviour, in safe Rust: handles (per process, like a real driver's), device
//! authentication, PINs with retry counters (10 wrong user PINs lock the application like the
//! counters' keys, the administrator PIN unblocks it and has its own counter), the login state
//! per application until `ClearSecureState`, containers with SM2 keys generated inside, signing
//! of e, the import of an enveloped encryption key pair in both forms, certificates in the
//! signing and encryption slot, and files with access rights. Every call answers an SKF code.

use crate::state::{self, AppState, ContainerState, DeviceState, FileState, PinState, with_device};
use certdesk_skf::Sar;
use certdesk_skf::blob::{self, EccPublicKey, EnvelopedKey};
use sm2::dsa::signature::hazmat::PrehashSigner;
use sm4::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};
use zeroize::Zeroizing;

pub type R<T> = Result<T, u32>;

#[derive(Clone, Debug)]
enum Obj {
    Device(String),
    App(String, String),
    Container(String, String, String),
}

#[derive(Default)]
struct Session {
    next: usize,
    handles: HashMap<usize, Obj>,
    /// (device, application) → (user logged in, admin logged in)
    logins: HashMap<(String, String), (bool, bool)>,
    authenticated: HashSet<String>,
    /// the last random each device gave out (for `SKF_DevAuth`)
    challenge: HashMap<String, Vec<u8>>,
}

static SESSION: Mutex<Option<Session>> = Mutex::new(None);

fn session() -> MutexGuard<'static, Option<Session>> {
    SESSION.lock().unwrap_or_else(|p| p.into_inner())
}

fn with_session<T>(f: impl FnOnce(&mut Session) -> T) -> T {
    let mut g = session();
    f(g.get_or_insert_with(|| Session { next: 0x5000, ..Session::default() }))
}

fn new_handle(obj: Obj) -> usize {
    with_session(|s| {
        s.next += 0x10;
        s.handles.insert(s.next, obj);
        s.next
    })
}

fn obj(h: usize) -> R<Obj> {
    with_session(|s| s.handles.get(&h).cloned()).ok_or(Sar::SAR_INVALIDHANDLEERR.0)
}

fn device_of(h: usize) -> R<String> {
    match obj(h)? {
        Obj::Device(d) => Ok(d),
        _ => Err(Sar::SAR_INVALIDHANDLEERR.0),
    }
}

fn app_of(h: usize) -> R<(String, String)> {
    match obj(h)? {
        Obj::App(d, a) => Ok((d, a)),
        _ => Err(Sar::SAR_INVALIDHANDLEERR.0),
    }
}

fn container_of(h: usize) -> R<(String, String, String)> {
    match obj(h)? {
        Obj::Container(d, a, c) => Ok((d, a, c)),
        _ => Err(Sar::SAR_INVALIDHANDLEERR.0),
    }
}

fn login(dev: &str, app: &str) -> (bool, bool) {
    with_session(|s| s.logins.get(&(dev.to_string(), app.to_string())).copied().unwrap_or((false, false)))
}

fn set_login(dev: &str, app: &str, user: Option<bool>, admin: Option<bool>) {
    with_session(|s| {
        let e = s.logins.entry((dev.to_string(), app.to_string())).or_default();
        if let Some(u) = user {
            e.0 = u;
        }
        if let Some(a) = admin {
            e.1 = a;
        }
    })
}

fn fail<T>(code: Sar) -> Result<T, (u32, bool)> {
    Err((code.0, false))
}

fn app_mut<'s>(st: &'s mut DeviceState, app: &str) -> Result<&'s mut AppState, (u32, bool)> {
    st.apps.get_mut(app).ok_or((Sar::SAR_APPLICATION_NOT_EXISTS.0, false))
}

fn container_mut<'s>(st: &'s mut DeviceState, app: &str, c: &str) -> Result<&'s mut ContainerState, (u32, bool)> {
    app_mut(st, app)?.containers.get_mut(c).ok_or((Sar::SAR_INVALIDPARAMERR.0, false))
}

fn need_user(dev: &str, app: &str) -> Result<(), (u32, bool)> {
    if login(dev, app).0 { Ok(()) } else { fail(Sar::SAR_USER_NOT_LOGGED_IN) }
}

// ---- devices

pub fn enum_dev() -> R<Vec<String>> {
    if state::fault("removed") {
        return Ok(Vec::new());
    }
    state::devices().map_err(|_| Sar::SAR_FILEERR.0)
}

pub fn connect(name: &str) -> R<usize> {
    if !enum_dev()?.iter().any(|d| d == name) {
        return Err(Sar::SAR_INVALIDPARAMERR.0);
    }
    Ok(new_handle(Obj::Device(name.to_string())))
}

pub fn close(h: usize) -> R<()> {
    with_session(|s| s.handles.remove(&h)).map(|_| ()).ok_or(Sar::SAR_INVALIDHANDLEERR.0)
}

pub fn disconnect(h: usize) -> R<()> {
    let dev = device_of(h)?;
    with_session(|s| s.authenticated.remove(&dev));
    close(h)
}

pub fn dev_info(h: usize) -> R<blob::DevInfoBlob> {
    let dev = device_of(h)?;
    with_device(&dev, |st| {
        let mut info = blob::DevInfoBlob { version: blob::Version { major: 1, minor: 0 }, ..Default::default() };
        blob::put_c_field(&mut info.manufacturer, "certdesk");
        blob::put_c_field(&mut info.issuer, "certdesk soft SKF (test double)");
        blob::put_c_field(&mut info.label, &st.label);
        blob::put_c_field(&mut info.serial_number, &st.serial);
        info.alg_sym_cap = blob::SGD_SM4_ECB;
        info.alg_asym_cap = blob::SGD_SM2_1 | blob::SGD_SM2_3;
        info.alg_hash_cap = blob::SGD_SM3;
        info.dev_auth_alg_id = blob::SGD_SM4_ECB;
        info.total_space = 1 << 20;
        info.free_space = 1 << 20;
        info.max_ecc_buffer_size = 256;
        info.max_buffer_size = max_buffer_size();
        Ok(info)
    })
}

pub fn set_label(h: usize, label: &str) -> R<()> {
    let dev = device_of(h)?;
    if label.len() > 31 {
        return Err(Sar::SAR_INVALIDPARAMERR.0);
    }
    with_device(&dev, |st| {
        st.label = label.to_string();
        Ok(())
    })
}

pub fn gen_random(h: usize, n: usize) -> R<Vec<u8>> {
    let dev = device_of(h)?;
    let mut out = vec![0u8; n];
    getrandom::fill(&mut out).map_err(|_| Sar::SAR_GENRANDERR.0)?;
    with_session(|s| s.challenge.insert(dev, out.clone()));
    Ok(out)
}

/// `SKF_DevAuth`: the last random (zero-padded to 16 bytes) SM4-ECB encrypted with the
/// device authentication key.
pub fn dev_auth(h: usize, data: &[u8]) -> R<()> {
    let dev = device_of(h)?;
    let challenge = with_session(|s| s.challenge.remove(&dev)).ok_or(Sar::SAR_FAIL.0)?;
    let key = with_device(&dev, |st| Ok(Zeroizing::new(st.dev_auth_key.clone())))?;
    let mut block = [0u8; 16];
    let n = challenge.len().min(16);
    block[..n].copy_from_slice(&challenge[..n]);
    let cipher = sm4::Sm4::new_from_slice(&key).map_err(|_| Sar::SAR_FAIL.0)?;
    let mut b = block.into();
    cipher.encrypt_block(&mut b);
    let expect: [u8; 16] = b.into();
    if data != expect {
        return Err(Sar::SAR_FAIL.0);
    }
    with_session(|s| s.authenticated.insert(dev));
    Ok(())
}

fn authenticated(dev: &str) -> bool {
    with_session(|s| s.authenticated.contains(dev))
}

// ---- applications

fn new_pin(app: &str, pin: &[u8], tries: u32) -> R<PinState> {
    if !(6..=16).contains(&pin.len()) {
        return Err(Sar::SAR_PIN_LEN_RANGE.0);
    }
    if !(1..=15).contains(&tries) {
        return Err(Sar::SAR_INVALIDPARAMERR.0);
    }
    Ok(PinState { hash: state::pin_hash(app, pin), max_retries: tries, tries_left: tries })
}

pub fn create_app(h: usize, name: &str, admin: &[u8], admin_tries: u32, user: &[u8], user_tries: u32, rights: u32) -> R<usize> {
    let dev = device_of(h)?;
    if name.is_empty() || name.len() > 32 {
        return Err(Sar::SAR_APPLICATION_NAME_INVALID.0);
    }
    if !authenticated(&dev) {
        return Err(Sar::SAR_FAIL.0);
    }
    let app = AppState {
        admin: new_pin(name, admin, admin_tries)?,
        user: new_pin(name, user, user_tries)?,
        create_file_rights: rights,
        containers: Default::default(),
        files: Default::default(),
    };
    with_device(&dev, |st| {
        if st.apps.contains_key(name) {
            return fail(Sar::SAR_APPLICATION_EXISTS);
        }
        st.apps.insert(name.to_string(), app);
        Ok(())
    })?;
    set_login(&dev, name, Some(false), Some(false));
    Ok(new_handle(Obj::App(dev, name.to_string())))
}

pub fn enum_apps(h: usize) -> R<Vec<String>> {
    let dev = device_of(h)?;
    with_device(&dev, |st| Ok(st.apps.keys().cloned().collect()))
}

pub fn delete_app(h: usize, name: &str) -> R<()> {
    let dev = device_of(h)?;
    if !authenticated(&dev) {
        return Err(Sar::SAR_FAIL.0);
    }
    with_device(&dev, |st| st.apps.remove(name).map(|_| ()).ok_or((Sar::SAR_APPLICATION_NOT_EXISTS.0, false)))?;
    set_login(&dev, name, Some(false), Some(false));
    Ok(())
}

pub fn open_app(h: usize, name: &str) -> R<usize> {
    let dev = device_of(h)?;
    with_device(&dev, |st| if st.apps.contains_key(name) { Ok(()) } else { fail(Sar::SAR_APPLICATION_NOT_EXISTS) })?;
    Ok(new_handle(Obj::App(dev, name.to_string())))
}

// ---- PINs: each answers (code, tries left)

fn pin_of(app: &mut AppState, pin_type: u32) -> Result<&mut PinState, (u32, bool)> {
    match pin_type {
        blob::ADMIN_TYPE => Ok(&mut app.admin),
        blob::USER_TYPE => Ok(&mut app.user),
        _ => fail(Sar::SAR_USER_TYPE_INVALID),
    }
}

/// Checks a PIN against its counter: a wrong one costs a try (kept on disk even though the call
/// fails), the one that uses the last try and every one after it answer SAR_PIN_LOCKED.
fn check_pin(app_name: &str, pin: &mut PinState, given: &[u8]) -> Result<(), (u32, bool)> {
    if pin.tries_left == 0 {
        return fail(Sar::SAR_PIN_LOCKED);
    }
    if state::pin_hash(app_name, given) != pin.hash {
        pin.tries_left -= 1;
        return Err((if pin.tries_left == 0 { Sar::SAR_PIN_LOCKED } else { Sar::SAR_PIN_INCORRECT }.0, true));
    }
    pin.tries_left = pin.max_retries;
    Ok(())
}

fn tries_left(dev: &str, app: &str, pin_type: u32) -> u32 {
    with_device(dev, |st| {
        let a = app_mut(st, app)?;
        Ok(pin_of(a, pin_type)?.tries_left)
    })
    .unwrap_or(0)
}

pub fn verify_pin(h: usize, pin_type: u32, pin: &[u8]) -> (u32, u32) {
    let Ok((dev, app)) = app_of(h) else { return (Sar::SAR_INVALIDHANDLEERR.0, 0) };
    let rv = with_device(&dev, |st| {
        let a = app_mut(st, &app)?;
        check_pin(&app, pin_of(a, pin_type)?, pin)
    });
    let left = tries_left(&dev, &app, pin_type);
    match rv {
        Ok(()) => {
            if pin_type == blob::USER_TYPE {
                set_login(&dev, &app, Some(true), None)
            } else {
                set_login(&dev, &app, None, Some(true))
            }
            (0, left)
        }
        Err(e) => (e, left),
    }
}

pub fn change_pin(h: usize, pin_type: u32, old: &[u8], new: &[u8]) -> (u32, u32) {
    let Ok((dev, app)) = app_of(h) else { return (Sar::SAR_INVALIDHANDLEERR.0, 0) };
    let rv = with_device(&dev, |st| {
        let a = app_mut(st, &app)?;
        let p = pin_of(a, pin_type)?;
        check_pin(&app, p, old)?;
        let fresh = new_pin(&app, new, p.max_retries).map_err(|e| (e, false))?;
        *p = fresh;
        Ok(())
    });
    (rv.err().unwrap_or(0), tries_left(&dev, &app, pin_type))
}

pub fn unblock_pin(h: usize, admin: &[u8], new_user: &[u8]) -> (u32, u32) {
    let Ok((dev, app)) = app_of(h) else { return (Sar::SAR_INVALIDHANDLEERR.0, 0) };
    let rv = with_device(&dev, |st| {
        let a = app_mut(st, &app)?;
        check_pin(&app, &mut a.admin, admin)?;
        let fresh = new_pin(&app, new_user, a.user.max_retries).map_err(|e| (e, true))?;
        a.user = fresh;
        Ok(())
    });
    (rv.err().unwrap_or(0), tries_left(&dev, &app, blob::ADMIN_TYPE))
}

/// (max retries, tries left, default PIN still set).
pub fn pin_info(h: usize, pin_type: u32) -> R<(u32, u32, bool)> {
    let (dev, app) = app_of(h)?;
    with_device(&dev, |st| {
        let a = app_mut(st, &app)?;
        let p = pin_of(a, pin_type)?;
        Ok((p.max_retries, p.tries_left, pin_type == blob::USER_TYPE && p.hash == state::pin_hash(&app, state::DEFAULT_USER_PIN)))
    })
}

pub fn clear_secure_state(h: usize) -> R<()> {
    let (dev, app) = app_of(h)?;
    set_login(&dev, &app, Some(false), Some(false));
    Ok(())
}

// ---- containers

pub fn create_container(h: usize, name: &str) -> R<usize> {
    let (dev, app) = app_of(h)?;
    if name.is_empty() || name.len() > 64 {
        return Err(Sar::SAR_NAMELENERR.0);
    }
    with_device(&dev, |st| {
        need_user(&dev, &app)?;
        let a = app_mut(st, &app)?;
        if a.containers.contains_key(name) {
            return fail(Sar::SAR_INVALIDPARAMERR);
        }
        a.containers.insert(name.to_string(), ContainerState::default());
        Ok(())
    })?;
    Ok(new_handle(Obj::Container(dev, app, name.to_string())))
}

pub fn open_container(h: usize, name: &str) -> R<usize> {
    let (dev, app) = app_of(h)?;
    with_device(&dev, |st| container_mut(st, &app, name).map(|_| ()))?;
    Ok(new_handle(Obj::Container(dev, app, name.to_string())))
}

pub fn delete_container(h: usize, name: &str) -> R<()> {
    let (dev, app) = app_of(h)?;
    with_device(&dev, |st| {
        need_user(&dev, &app)?;
        app_mut(st, &app)?.containers.remove(name).map(|_| ()).ok_or((Sar::SAR_INVALIDPARAMERR.0, false))
    })
}

pub fn enum_containers(h: usize) -> R<Vec<String>> {
    let (dev, app) = app_of(h)?;
    with_device(&dev, |st| Ok(app_mut(st, &app)?.containers.keys().cloned().collect()))
}

pub fn container_type(h: usize) -> R<u32> {
    let (dev, app, c) = container_of(h)?;
    with_device(&dev, |st| Ok(if container_mut(st, &app, &c)?.sign_key.is_some() { blob::CONTAINER_ECC } else { blob::CONTAINER_EMPTY }))
}

fn public_of(scalar: &[u8]) -> R<EccPublicKey> {
    let sk = sm2::SecretKey::from_slice(scalar).map_err(|_| Sar::SAR_KEYNOTFOUNTERR.0)?;
    EccPublicKey::from_sec1(&sk.public_key().to_sec1_bytes()).map_err(|_| Sar::SAR_FAIL.0)
}

/// `SKF_GenECCKeyPair(SGD_SM2_1)`: a new signing key pair inside the container (a new one
/// replaces the old and empties the container's other slot, as a re-issued key would).
pub fn gen_ecc(h: usize, alg: u32) -> R<EccPublicKey> {
    let (dev, app, c) = container_of(h)?;
    if alg != blob::SGD_SM2_1 {
        return Err(Sar::SAR_NOTSUPPORTYETERR.0);
    }
    let scalar = loop {
        let mut b = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut b[..]).map_err(|_| Sar::SAR_GENRANDERR.0)?;
        if sm2::SecretKey::from_slice(&b[..]).is_ok() {
            break b;
        }
    };
    let public = public_of(&scalar[..])?;
    with_device(&dev, |st| {
        need_user(&dev, &app)?;
        let k = container_mut(st, &app, &c)?;
        *k = ContainerState { sign_key: Some(scalar.to_vec()), ..ContainerState::default() };
        Ok(())
    })?;
    Ok(public)
}

pub fn export_public_key(h: usize, sign: bool) -> R<EccPublicKey> {
    let (dev, app, c) = container_of(h)?;
    let scalar = with_device(&dev, |st| {
        let k = container_mut(st, &app, &c)?;
        Ok(Zeroizing::new(if sign { k.sign_key.clone() } else { k.enc_key.clone() }))
    })?;
    public_of(scalar.as_deref().ok_or(Sar::SAR_KEYNOTFOUNTERR.0)?)
}

fn sign_scalar(dev: &str, app: &str, c: &str) -> R<Zeroizing<Vec<u8>>> {
    with_device(dev, |st| {
        need_user(dev, app)?;
        container_mut(st, app, c)?.sign_key.clone().map(Zeroizing::new).ok_or((Sar::SAR_KEYNOTFOUNTERR.0, false))
    })
}

/// `SKF_ECCSignData`: SM2 over the given 32-byte e (the caller computed SM3(Z ‖ M)).
pub fn sign(h: usize, e: &[u8]) -> R<([u8; 32], [u8; 32])> {
    let (dev, app, c) = container_of(h)?;
    if e.len() != 32 {
        return Err(Sar::SAR_INDATALENERR.0);
    }
    let scalar = sign_scalar(&dev, &app, &c)?;
    let key = sm2::dsa::SigningKey::from_slice("1234567812345678", &scalar).map_err(|_| Sar::SAR_KEYNOTFOUNTERR.0)?;
    let sig: sm2::dsa::Signature = key.sign_prehash(e).map_err(|_| Sar::SAR_FAIL.0)?;
    Ok((sig.r_bytes().into(), sig.s_bytes().into()))
}

fn sm4_ecb_decrypt(key: &[u8], data: &[u8]) -> R<Zeroizing<Vec<u8>>> {
    let cipher = sm4::Sm4::new_from_slice(key).map_err(|_| Sar::SAR_INDATAERR.0)?;
    let mut out = Zeroizing::new(data.to_vec());
    for chunk in out.chunks_exact_mut(16) {
        let mut b = sm4::cipher::Block::<sm4::Sm4>::try_from(&*chunk).map_err(|_| Sar::SAR_INDATAERR.0)?;
        cipher.decrypt_block(&mut b);
        chunk.copy_from_slice(&b);
    }
    Ok(out)
}

/// `SKF_ImportECCKeyPair`: the SM4 key is opened with the container's signing private key
/// (ECCCIPHERBLOB as SM2 C1 ‖ C3 ‖ C2), then the private key with SM4-ECB, in either form of
/// the 64-byte field: the 32-byte scalar encrypted and right-aligned (first half zero), or the
/// whole right-aligned 64-byte field encrypted. It must match the blob's public key.
pub fn import_ecc(h: usize, envelope: &[u8]) -> R<()> {
    let (dev, app, c) = container_of(h)?;
    let env = EnvelopedKey::from_bytes(envelope).map_err(|_| Sar::SAR_INDATAERR.0)?;
    if env.sym_alg_id != blob::SGD_SM4_ECB || env.bits != 256 {
        return Err(Sar::SAR_NOTSUPPORTYETERR.0);
    }
    let sign = sign_scalar(&dev, &app, &c)?;
    let opener = sm2::pke::DecryptingKey::from_slice(&sign).map_err(|_| Sar::SAR_KEYNOTFOUNTERR.0)?;
    let sym = Zeroizing::new(opener.decrypt(&env.cipher.to_c1c3c2()).map_err(|_| Sar::SAR_INDATAERR.0)?);
    if sym.len() != 16 {
        return Err(Sar::SAR_INDATAERR.0);
    }
    let field = &env.encrypted_private_key;
    let scalar = if field[..32].iter().all(|&b| b == 0) {
        sm4_ecb_decrypt(&sym, &field[32..])?
    } else {
        let plain = sm4_ecb_decrypt(&sym, field)?;
        if plain[..32].iter().any(|&b| b != 0) {
            return Err(Sar::SAR_INDATAERR.0);
        }
        Zeroizing::new(plain[32..].to_vec())
    };
    if public_of(&scalar)? != env.public_key {
        return Err(Sar::SAR_INDATAERR.0);
    }
    with_device(&dev, |st| {
        container_mut(st, &app, &c)?.enc_key = Some(scalar.to_vec());
        Ok(())
    })
}

pub fn import_cert(h: usize, sign: bool, der: &[u8]) -> R<()> {
    let (dev, app, c) = container_of(h)?;
    if der.is_empty() {
        return Err(Sar::SAR_INDATALENERR.0);
    }
    with_device(&dev, |st| {
        need_user(&dev, &app)?;
        let k = container_mut(st, &app, &c)?;
        *(if sign { &mut k.sign_cert } else { &mut k.enc_cert }) = Some(der.to_vec());
        Ok(())
    })
}

pub fn export_cert(h: usize, sign: bool) -> R<Vec<u8>> {
    let (dev, app, c) = container_of(h)?;
    with_device(&dev, |st| {
        let k = container_mut(st, &app, &c)?;
        if sign { k.sign_cert.clone() } else { k.enc_cert.clone() }.ok_or((Sar::SAR_CERTNOTFOUNTERR.0, false))
    })
}

// ---- files

fn allowed(rights: u32, (user, admin): (bool, bool)) -> bool {
    rights == blob::SECURE_ANYONE_ACCOUNT || (rights & blob::SECURE_USER_ACCOUNT != 0 && user) || (rights & blob::SECURE_ADM_ACCOUNT != 0 && admin)
}

pub fn create_file(h: usize, name: &str, size: u32, read: u32, write: u32) -> R<()> {
    let (dev, app) = app_of(h)?;
    if name.is_empty() || name.len() > 31 {
        return Err(Sar::SAR_NAMELENERR.0);
    }
    let who = login(&dev, &app);
    with_device(&dev, |st| {
        let a = app_mut(st, &app)?;
        if !allowed(a.create_file_rights, who) {
            return fail(Sar::SAR_USER_NOT_LOGGED_IN);
        }
        if a.files.contains_key(name) {
            return fail(Sar::SAR_FILE_ALREADY_EXIST);
        }
        a.files.insert(name.to_string(), FileState { read_rights: read, write_rights: write, data: vec![0; size as usize] });
        Ok(())
    })
}

pub fn delete_file(h: usize, name: &str) -> R<()> {
    let (dev, app) = app_of(h)?;
    let who = login(&dev, &app);
    with_device(&dev, |st| {
        let a = app_mut(st, &app)?;
        let f = a.files.get(name).ok_or((Sar::SAR_FILE_NOT_EXIST.0, false))?;
        if !allowed(f.write_rights, who) {
            return fail(Sar::SAR_USER_NOT_LOGGED_IN);
        }
        a.files.remove(name);
        Ok(())
    })
}

pub fn enum_files(h: usize) -> R<Vec<String>> {
    let (dev, app) = app_of(h)?;
    with_device(&dev, |st| Ok(app_mut(st, &app)?.files.keys().cloned().collect()))
}

/// (size, read rights, write rights).
pub fn file_info(h: usize, name: &str) -> R<(u32, u32, u32)> {
    let (dev, app) = app_of(h)?;
    with_device(&dev, |st| {
        let f = app_mut(st, &app)?.files.get(name).ok_or((Sar::SAR_FILE_NOT_EXIST.0, false))?;
        Ok((f.data.len() as u32, f.read_rights, f.write_rights))
    })
}

/// What one file command may move, as the key reports it: 64 KiB, or 1 KiB with the fault
/// switch `small_buffer` (a real key's few KiB), so that the host must split reads and writes.
fn max_buffer_size() -> u32 {
    if crate::state::fault("small_buffer") { 1024 } else { 1 << 16 }
}

pub fn read_file(h: usize, name: &str, offset: u32, size: u32) -> R<Vec<u8>> {
    if size > max_buffer_size() {
        return Err(Sar::SAR_INDATALENERR.0);
    }
    let (dev, app) = app_of(h)?;
    let who = login(&dev, &app);
    with_device(&dev, |st| {
        let f = app_mut(st, &app)?.files.get(name).ok_or((Sar::SAR_FILE_NOT_EXIST.0, false))?;
        if !allowed(f.read_rights, who) {
            return fail(Sar::SAR_USER_NOT_LOGGED_IN);
        }
        let start = (offset as usize).min(f.data.len());
        let end = start.saturating_add(size as usize).min(f.data.len());
        Ok(f.data[start..end].to_vec())
    })
}

pub fn write_file(h: usize, name: &str, offset: u32, data: &[u8]) -> R<()> {
    if data.len() > max_buffer_size() as usize {
        return Err(Sar::SAR_INDATALENERR.0);
    }
    let (dev, app) = app_of(h)?;
    let who = login(&dev, &app);
    with_device(&dev, |st| {
        let f = app_mut(st, &app)?.files.get_mut(name).ok_or((Sar::SAR_FILE_NOT_EXIST.0, false))?;
        if !allowed(f.write_rights, who) {
            return fail(Sar::SAR_USER_NOT_LOGGED_IN);
        }
        let end = (offset as usize).checked_add(data.len()).filter(|&e| e <= f.data.len()).ok_or((Sar::SAR_NO_ROOM.0, false))?;
        f.data[offset as usize..end].copy_from_slice(data);
        Ok(())
    })
}
