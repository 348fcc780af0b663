//! What the soft key remembers, on disk so that every process sees the same key: one folder a
//! device under `CERTDESK_SKF_DIR` (default `<tmp>/certdesk-skf-soft`; when it has none,
//! `certdesk-soft-0` is made), its state in `device.json`, read and rewritten under an exclusive
//! lock on `device.lock` for each call. Also the fault switches (`fault` file in the state
//! directory, or `CERTDESK_SKF_FAULT`). PINs are stored as SM3 hashes; the private keys are
//! stored here because this folder *is* the key's chip: no SKF call returns them.

use serde::{Deserialize, Serialize};
use sm3::Digest;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// The device authentication key of a new soft device (SM4, 16 bytes): the ASCII digits
/// `1234567812345678`, the factory default of many vendors' keys.
pub const DEFAULT_DEV_AUTH_KEY: &[u8; 16] = b"1234567812345678";

pub fn root() -> PathBuf {
    std::env::var_os("CERTDESK_SKF_DIR").map(PathBuf::from).unwrap_or_else(|| std::env::temp_dir().join("certdesk-skf-soft"))
}

/// Whether a fault switch is on: `removed` (the key is pulled out), `short_buffer` (the length
/// query answers too small a size, so the caller must grow its buffer), `small_buffer` (the key
/// moves at most 1 KiB of a file per command).
pub fn fault(name: &str) -> bool {
    let env = std::env::var("CERTDESK_SKF_FAULT").unwrap_or_default();
    let file = std::fs::read_to_string(root().join("fault")).unwrap_or_default();
    env.split([',', ' ', '\n']).chain(file.split([',', ' ', '\n'])).any(|f| f.trim() == name)
}

/// The device names: the folders of the state directory, made with one device when empty.
pub fn devices() -> Result<Vec<String>, std::io::Error> {
    let root = root();
    std::fs::create_dir_all(&root)?;
    let mut names: Vec<String> = std::fs::read_dir(&root)?.flatten().filter(|e| e.path().is_dir()).filter_map(|e| e.file_name().into_string().ok()).collect();
    if names.is_empty() {
        std::fs::create_dir_all(root.join("certdesk-soft-0"))?;
        names.push("certdesk-soft-0".to_string());
    }
    names.sort();
    Ok(names)
}

mod hex {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.iter().map(|b| format!("{b:02x}")).collect::<String>())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        (0..s.len()).step_by(2).map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or_else(|| serde::de::Error::custom("bad hex"))).collect()
    }

    pub mod opt {
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => super::serialize(v, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
            let s: Option<String> = Option::deserialize(d)?;
            s.map(|s| super::deserialize(serde::de::value::StrDeserializer::<D::Error>::new(&s))).transpose()
        }
    }
}

#[derive(Serialize, Deserialize, Clone, PartialEq)]
pub struct DeviceState {
    pub label: String,
    pub serial: String,
    #[serde(with = "hex")]
    pub dev_auth_key: Vec<u8>,
    pub apps: BTreeMap<String, AppState>,
}

#[derive(Serialize, Deserialize, Clone, PartialEq)]
pub struct PinState {
    /// SM3(application name ‖ 0 ‖ PIN).
    #[serde(with = "hex")]
    pub hash: Vec<u8>,
    pub max_retries: u32,
    pub tries_left: u32,
}

#[derive(Serialize, Deserialize, Clone, PartialEq)]
pub struct AppState {
    pub admin: PinState,
    pub user: PinState,
    pub create_file_rights: u32,
    pub containers: BTreeMap<String, ContainerState>,
    pub files: BTreeMap<String, FileState>,
}

#[derive(Serialize, Deserialize, Clone, Default, PartialEq)]
pub struct ContainerState {
    /// The SM2 private scalars (32 bytes): never returned by a call.
    #[serde(with = "hex::opt", default)]
    pub sign_key: Option<Vec<u8>>,
    #[serde(with = "hex::opt", default)]
    pub enc_key: Option<Vec<u8>>,
    #[serde(with = "hex::opt", default)]
    pub sign_cert: Option<Vec<u8>>,
    #[serde(with = "hex::opt", default)]
    pub enc_cert: Option<Vec<u8>>,
}

#[derive(Serialize, Deserialize, Clone, PartialEq)]
pub struct FileState {
    pub read_rights: u32,
    pub write_rights: u32,
    #[serde(with = "hex")]
    pub data: Vec<u8>,
}

/// The PIN hash stored for an application's PIN.
pub fn pin_hash(app: &str, pin: &[u8]) -> Vec<u8> {
    let mut h = sm3::Sm3::new();
    h.update(app.as_bytes());
    h.update([0]);
    h.update(pin);
    h.finalize().to_vec()
}

/// The default user PIN of the soft key: `GetPINInfo` reports `bDefaultPin` while it is set.
pub const DEFAULT_USER_PIN: &[u8] = b"12345678";

fn dir(device: &str) -> Result<PathBuf, u32> {
    if device.is_empty() || device.contains(['/', '\\']) || device.starts_with('.') {
        return Err(certdesk_skf::Sar::SAR_INVALIDPARAMERR.0);
    }
    let d = root().join(device);
    if d.is_dir() { Ok(d) } else { Err(certdesk_skf::Sar::SAR_INVALIDPARAMERR.0) }
}

fn load(path: &Path, device: &str) -> Result<DeviceState, u32> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|_| certdesk_skf::Sar::SAR_FILEERR.0),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut serial = [0u8; 6];
            getrandom::fill(&mut serial).map_err(|_| certdesk_skf::Sar::SAR_GENRANDERR.0)?;
            Ok(DeviceState {
                label: device.to_string(),
                serial: format!("CDS{}", serial.iter().map(|b| format!("{b:02X}")).collect::<String>()),
                dev_auth_key: DEFAULT_DEV_AUTH_KEY.to_vec(),
                apps: BTreeMap::new(),
            })
        }
        Err(_) => Err(certdesk_skf::Sar::SAR_READFILEERR.0),
    }
}

/// Runs `f` on the device's state under the device lock, and writes the state back when `f`
/// succeeded and changed it (or when it says to keep its change anyway: a wrong PIN counts even
/// though the call fails).
pub fn with_device<T>(device: &str, f: impl FnOnce(&mut DeviceState) -> Result<T, (u32, bool)>) -> Result<T, u32> {
    let dir = dir(device)?;
    let lock = OpenOptions::new().create(true).truncate(false).write(true).open(dir.join("device.lock")).map_err(|_| certdesk_skf::Sar::SAR_FILEERR.0)?;
    lock.lock().map_err(|_| certdesk_skf::Sar::SAR_FILEERR.0)?;
    let path = dir.join("device.json");
    let mut state = load(&path, device)?;
    let before = state.clone();
    let (result, save) = match f(&mut state) {
        Ok(v) => (Ok(v), true),
        Err((code, save)) => (Err(code), save),
    };
    // a call that changed nothing (a read, an export) writes nothing, as a real key's reads do
    // not wear its flash; a device never written yet is written on its first call
    if save && (state != before || !path.exists()) {
        let tmp = dir.join("device.json.tmp");
        let bytes = serde_json::to_vec_pretty(&state).map_err(|_| certdesk_skf::Sar::SAR_FILEERR.0)?;
        std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, &path)).map_err(|_| certdesk_skf::Sar::SAR_WRITEFILEERR.0)?;
    }
    drop::<File>(lock);
    result
}
