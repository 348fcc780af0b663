//! Which case store a certdesk program opens, and where a hall's password comes from: one
//! decision with one documented order for the CLI and the app alike, over what the adapter read
//! from its process ([`Environment`]: this crate reads no variable itself).
//!
//! The store, first that is given:
//! 1. the command line's `--db` (the CLI),
//! 2. `CERTDESK_DB` (a file path or a hall's `postgres://` address; tests, support),
//! 3. the app's saved choice, `store.json` in the app's state folder (管理 → 案件库位置; the CLI
//!    honours it too, so both work on the same store),
//! 4. the store file `certdesk/certdesk.db` in the user's data folder.
//!
//! A hall's password, first that is found (never in the address):
//! 1. the command line's `--db-password-file`,
//! 2. `CERTDESK_DB_PASSWORD_FILE`,
//! 3. the app's saved `hall.password` beside `store.json`, when that choice named this hall,
//! 4. the libpq password file (`PGPASSFILE`, else `~/.pgpass`),
//! 5. a prompt, where the adapter has a terminal (the CLI; a window has none).
//!
//! Also owns the two files of the app's choice (written by an administrator through the
//! desk, [`Desk::set_store_place`]) and the check of a hall before it is chosen: connected to
//! with its password and read, never migrated (the next start brings it up to date, and says
//! so), so choosing a hall changes nothing in it.

use crate::DeskError;
use crate::api::{CaseStore, Desk};
use certdesk_store::Store;
use certdesk_store::pg::{HallAddress, HallStatus, ServerPassword};
use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// What an adapter read from its process environment and its platform, handed in whole.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// `CERTDESK_DB`: a store file or a hall's address.
    pub db: Option<String>,
    /// `CERTDESK_DB_PASSWORD_FILE`: the hall's password, first line.
    pub db_password_file: Option<PathBuf>,
    /// `PGPASSFILE`: libpq's password file.
    pub pgpassfile: Option<PathBuf>,
    /// `CERTDESK_USER` and `CERTDESK_PASSWORD_FILE`: the account a command acts as when it
    /// names none (`api::account_for`).
    pub user: Option<String>,
    pub password_file: Option<PathBuf>,
    /// `CERTDESK_TOKEN` and `CERTDESK_PIN_FILE` (#31): the USB key (label) and the file of its
    /// PIN of the `CERTDESK_USER` account, where it must sign in with one.
    pub token: Option<String>,
    pub pin_file: Option<PathBuf>,
    /// `CERTDESK_FORMS`: a counter's own forms folder.
    pub forms: Option<PathBuf>,
    /// `CERTDESK_PKCS11_MODULE`: the key library when the settings name none.
    pub pkcs11_module: Option<PathBuf>,
    /// `CERTDESK_FONTS`, `CERTDESK_FALLBACK_FONTS`: the fonts of printed forms.
    pub fonts: Option<PathBuf>,
    pub fallback_fonts: Option<String>,
    /// `CERTDESK_LOG_DIR`: the app's log folder (its parent is the app's state folder).
    pub log_dir: Option<PathBuf>,
    /// `CERTDESK_OPERATOR_CA` (#78): the installation's operator CA certificate file, before
    /// the configuration folders (`operator_ca::OperatorCa::find`).
    pub operator_ca: Option<PathBuf>,
    /// The user's configuration folder as the environment names it: `XDG_CONFIG_HOME` (else
    /// the home's `.config`), `%APPDATA%` on Windows.
    pub config_home: Option<PathBuf>,
    /// The installation's configuration folder: `/etc`, `%ProgramData%` on Windows.
    pub installation_config: Option<PathBuf>,
    /// The platform's folders.
    pub platform: Platform,
}

/// The platform's folders for this user (the adapter asks the platform: `dirs`).
#[derive(Debug, Clone, Default)]
pub struct Platform {
    pub home: Option<PathBuf>,
    /// Per-user local data (`~/.local/share`, `%LOCALAPPDATA%`).
    pub data_local: Option<PathBuf>,
    /// Per-user state (`~/.local/state`; none on Windows).
    pub state: Option<PathBuf>,
    pub documents: Option<PathBuf>,
    pub temp: PathBuf,
}

impl Environment {
    /// The variables read, by name.
    pub const VARIABLES: [&'static str; 16] = [
        "CERTDESK_DB",
        "CERTDESK_DB_PASSWORD_FILE",
        "PGPASSFILE",
        "CERTDESK_USER",
        "CERTDESK_PASSWORD_FILE",
        "CERTDESK_TOKEN",
        "CERTDESK_PIN_FILE",
        "CERTDESK_FORMS",
        "CERTDESK_PKCS11_MODULE",
        "CERTDESK_FONTS",
        "CERTDESK_FALLBACK_FONTS",
        "CERTDESK_LOG_DIR",
        "CERTDESK_OPERATOR_CA",
        "XDG_CONFIG_HOME",
        "APPDATA",
        "ProgramData",
    ];

    /// The environment as `var` gives each variable (an empty one is unset).
    pub fn read(var: impl Fn(&str) -> Option<OsString>, platform: Platform) -> Environment {
        let text = |name: &str| var(name).filter(|v| !v.is_empty()).map(|v| v.to_string_lossy().into_owned());
        let path = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        Environment {
            db: text("CERTDESK_DB"),
            db_password_file: path("CERTDESK_DB_PASSWORD_FILE"),
            pgpassfile: path("PGPASSFILE"),
            user: text("CERTDESK_USER"),
            password_file: path("CERTDESK_PASSWORD_FILE"),
            token: text("CERTDESK_TOKEN"),
            pin_file: path("CERTDESK_PIN_FILE"),
            forms: path("CERTDESK_FORMS"),
            pkcs11_module: path("CERTDESK_PKCS11_MODULE"),
            fonts: path("CERTDESK_FONTS"),
            fallback_fonts: text("CERTDESK_FALLBACK_FONTS"),
            log_dir: path("CERTDESK_LOG_DIR"),
            operator_ca: path("CERTDESK_OPERATOR_CA"),
            // XDG's rule: a relative folder is to be ignored
            config_home: if cfg!(windows) { path("APPDATA") } else { path("XDG_CONFIG_HOME").filter(|p| p.is_absolute()) },
            installation_config: if cfg!(windows) { path("ProgramData") } else { Some(PathBuf::from("/etc")) },
            platform,
        }
    }

    /// The user's configuration folder: [`Environment::config_home`], else (Unix) the home's
    /// `.config`.
    pub fn user_config_dir(&self) -> Option<PathBuf> {
        self.config_home.clone().or_else(|| if cfg!(windows) { None } else { self.platform.home.as_ref().map(|h| h.join(".config")) })
    }

    /// The app's log folder: `CERTDESK_LOG_DIR`, else `certdesk/logs` in the platform's state
    /// folder (Windows: the local data folder).
    pub fn log_dir(&self) -> PathBuf {
        if let Some(dir) = &self.log_dir {
            return dir.clone();
        }
        let p = &self.platform;
        let base = if cfg!(windows) { p.data_local.clone() } else { p.state.clone().or_else(|| p.data_local.clone()) };
        base.unwrap_or_else(|| p.temp.clone()).join("certdesk").join("logs")
    }

    /// The app's state folder (`window.json`, `store.json`, `hall.password`): the log folder's
    /// parent.
    pub fn state_dir(&self) -> PathBuf {
        let logs = self.log_dir();
        logs.parent().map(Path::to_path_buf).unwrap_or(logs)
    }

    /// The per-user data folder of certdesk (`certdesk` in the local data folder).
    pub fn data_dir(&self) -> PathBuf {
        self.platform.data_local.clone().unwrap_or_else(|| PathBuf::from(".")).join("certdesk")
    }

    /// The store file used when nothing else is chosen.
    pub fn default_file(&self) -> PathBuf {
        self.data_dir().join("certdesk.db")
    }
}

/// Where a store is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreTarget {
    File(PathBuf),
    Hall(String),
}

/// Who chose the store: the command line, the environment, the admin desk's saved setting, or
/// nobody (the default file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ChosenBy {
    CommandLine,
    Environment,
    Setting,
    Default,
}

/// The store a program opened, who chose it, and the app's state folder (where the choice for
/// the next start is kept).
#[derive(Debug, Clone)]
pub struct Place {
    pub dir: PathBuf,
    pub opened: StoreTarget,
    pub chosen_by: ChosenBy,
}

impl Place {
    /// The store as people read it: the file's path, or the hall's server (`USER@HOST:PORT/DB`).
    pub fn shown(&self) -> String {
        match &self.opened {
            StoreTarget::File(path) => path.display().to_string(),
            StoreTarget::Hall(url) => HallAddress::parse(url).map(|a| a.shown().to_string()).unwrap_or_else(|_| "the hall's server".into()),
        }
    }
}

/// The content of `store.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Setting {
    /// the store file in the user's data folder
    File,
    /// a hall's server: `postgres://USER@HOST:PORT/DB[?sslmode=…&sslrootcert=…]`, no password
    Hall { url: String },
}

/// The choice file in the app's state folder `dir`.
pub fn setting_file(dir: &Path) -> PathBuf {
    dir.join("store.json")
}

/// The hall's password file beside it.
pub fn password_file(dir: &Path) -> PathBuf {
    dir.join("hall.password")
}

fn is_hall_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

fn target_of(text: &str) -> StoreTarget {
    if is_hall_url(text) { StoreTarget::Hall(text.to_string()) } else { StoreTarget::File(PathBuf::from(text)) }
}

/// What is wrong with the app's saved store setting (`store.json`).
#[derive(Debug, thiserror::Error)]
pub enum SettingDamage {
    #[error("{0}")]
    Unreadable(std::io::Error),
    #[error("not a store setting ({0})")]
    NotASetting(serde_json::Error),
    #[error("{0}")]
    BadAddress(Box<certdesk_store::pg::PgError>),
}

/// The saved choice in `dir`: `None` when there is no file. A file that cannot be read or
/// understood is an error naming it: opening the local store instead would put a hall desk's
/// cases where nobody else sees them.
pub fn load(dir: &Path) -> Result<Option<Setting>, DeskError> {
    let path = setting_file(dir);
    let damaged = |why: SettingDamage| DeskError::StoreSetting { path: path.display().to_string(), why };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(damaged(SettingDamage::Unreadable(e))),
    };
    let setting: Setting = serde_json::from_str(&text).map_err(|e| damaged(SettingDamage::NotASetting(e)))?;
    if let Setting::Hall { url } = &setting {
        HallAddress::parse(url).map_err(|e| match e {
            // not damaged: saved before a hall elsewhere needed TLS; said as such
            e @ certdesk_store::pg::PgError::TlsRequired { .. } => DeskError::from(certdesk_store::StoreError::from(e)),
            e => damaged(SettingDamage::BadAddress(Box::new(e))),
        })?;
    }
    Ok(Some(setting))
}

/// The store to open and who chose it, in the order of this module's documentation.
pub fn choose(flag_db: Option<&str>, env: &Environment) -> Result<(StoreTarget, ChosenBy), DeskError> {
    if let Some(db) = flag_db.filter(|d| !d.is_empty()) {
        return Ok((target_of(db), ChosenBy::CommandLine));
    }
    if let Some(db) = env.db.as_deref().filter(|d| !d.is_empty()) {
        return Ok((target_of(db), ChosenBy::Environment));
    }
    Ok(match load(&env.state_dir())? {
        Some(Setting::Hall { url }) => (StoreTarget::Hall(url), ChosenBy::Setting),
        Some(Setting::File) => (StoreTarget::File(env.default_file()), ChosenBy::Setting),
        None => (StoreTarget::File(env.default_file()), ChosenBy::Default),
    })
}

/// The hall's password in the order of this module's documentation, `None` when only a
/// prompt is left.
pub fn hall_password(address: &HallAddress, chosen: ChosenBy, flag_file: Option<&Path>, env: &Environment) -> Result<Option<ServerPassword>, DeskError> {
    if let Some(file) = flag_file.map(Path::to_path_buf).or_else(|| env.db_password_file.clone()) {
        return Ok(Some(ServerPassword::from_file(&file).map_err(certdesk_store::StoreError::from)?));
    }
    let saved = password_file(&env.state_dir());
    if chosen == ChosenBy::Setting && saved.is_file() {
        return Ok(Some(ServerPassword::from_file(&saved).map_err(certdesk_store::StoreError::from)?));
    }
    let pgpass = env.pgpassfile.clone().or_else(|| env.platform.home.as_ref().map(|h| h.join(".pgpass"))).filter(|f| f.is_file());
    match pgpass {
        Some(file) => Ok(ServerPassword::from_pgpass(&file, address).map_err(certdesk_store::StoreError::from)?),
        None => Ok(None),
    }
}

/// A hall's address checked and its password found by [`hall_password`], else from `ask`.
fn hall_with_password(
    url: &str,
    chosen_by: ChosenBy,
    flag_password_file: Option<&Path>,
    env: &Environment,
    ask: impl FnOnce(&HallAddress) -> Result<ServerPassword, DeskError>,
) -> Result<(HallAddress, ServerPassword), DeskError> {
    let address = HallAddress::parse(url).map_err(certdesk_store::StoreError::from)?;
    let password = match hall_password(&address, chosen_by, flag_password_file, env)? {
        Some(p) => p,
        None => ask(&address)?,
    };
    Ok((address, password))
}

/// The store as the adapters hold it, with where it is.
pub struct Opened {
    pub store: CaseStore,
    pub place: Place,
}

/// Opens the store [`choose`] names (its schema brought up to date); a hall's password from
/// [`hall_password`], else from `ask` (the CLI's prompt; the app answers that none was found).
pub fn open(
    flag_db: Option<&str>,
    flag_password_file: Option<&Path>,
    env: &Environment,
    ask: impl FnOnce(&HallAddress) -> Result<ServerPassword, DeskError>,
) -> Result<Opened, DeskError> {
    open_as(flag_db, flag_password_file, env, ask, None)
}

/// As [`open`], with the account that opens an encrypted store file (its slot, #30); a plain
/// file and a hall open as before, and an encrypted file without an account is refused
/// (`store_encrypted`, saying how to give one).
pub fn open_as(
    flag_db: Option<&str>,
    flag_password_file: Option<&Path>,
    env: &Environment,
    ask: impl FnOnce(&HallAddress) -> Result<ServerPassword, DeskError>,
    account: Option<(&str, &certdesk_store::Password)>,
) -> Result<Opened, DeskError> {
    let (target, chosen_by) = choose(flag_db, env)?;
    let store = match &target {
        StoreTarget::File(path) => match (Store::state(path)?, account) {
            (certdesk_store::StoreState::Encrypted { .. }, Some((name, password))) => Store::open_encrypted(path, certdesk_store::Unlock::Account { name, password })?,
            _ => Store::open(path)?,
        },
        StoreTarget::Hall(url) => {
            let (address, password) = hall_with_password(url, chosen_by, flag_password_file, env, ask)?;
            Store::open_hall(&address, password)?
        }
    };
    Ok(Opened { store: CaseStore::new(store), place: Place { dir: env.state_dir(), opened: target, chosen_by } })
}

/// What `certdesk store status` says of the store a command would use, found without opening
/// it as a desk does (a hall where no server takes writes cannot be opened, and that is exactly
/// what must be said then). Reads only; no account needed: it shows servers, not cases.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(tag = "store", rename_all = "snake_case")]
pub enum PlaceStatus {
    /// a store file: this desk writes to it when it can write the file
    File { path: String, exists: bool, can_write: bool },
    /// a hall: which server takes writes, the one the status was asked on, the standbys' lag
    Hall(HallStatus),
}

impl PlaceStatus {
    /// Whether a desk could write now (the CLI's exit code says the same).
    pub fn can_write(&self) -> bool {
        match self {
            PlaceStatus::File { can_write, .. } => *can_write,
            PlaceStatus::Hall(h) => h.can_write,
        }
    }
}

/// The status of the store [`choose`] names; a hall's password as [`open`] finds it.
pub fn status(
    flag_db: Option<&str>,
    flag_password_file: Option<&Path>,
    env: &Environment,
    ask: impl FnOnce(&HallAddress) -> Result<ServerPassword, DeskError>,
) -> Result<PlaceStatus, DeskError> {
    let (target, chosen_by) = choose(flag_db, env)?;
    Ok(match target {
        StoreTarget::File(path) => {
            let meta = std::fs::metadata(&path).ok();
            let can_write = match &meta {
                Some(m) => m.is_file() && !m.permissions().readonly(),
                // a new store file is made in its folder
                None => path.parent().map(|p| if p.as_os_str().is_empty() { Path::new(".") } else { p }).is_some_and(|p| p.is_dir()),
            };
            PlaceStatus::File { path: path.display().to_string(), exists: meta.is_some(), can_write }
        }
        StoreTarget::Hall(url) => {
            let (address, password) = hall_with_password(&url, chosen_by, flag_password_file, env, ask)?;
            PlaceStatus::Hall(certdesk_store::pg::status::status(&address, &password))
        }
    })
}

/// A store file opened at `path` (tests, and what a caller names itself).
pub fn open_file(path: &Path) -> Result<CaseStore, DeskError> {
    Ok(CaseStore::new(Store::open(path)?))
}

/// A hall's address as typed, checked (no password in it).
pub fn hall_address(url: &str) -> Result<HallAddress, DeskError> {
    Ok(HallAddress::parse(url.trim()).map_err(certdesk_store::StoreError::from)?)
}

/// Saves a hall as this PC's store from the next start: the password first (readable by this
/// account only), then the choice; each file written whole (a temporary file renamed over it).
pub fn save_hall(dir: &Path, address: &str, password: &ServerPassword) -> std::io::Result<()> {
    let mut line = zeroize::Zeroizing::new(password.expose().to_string());
    line.push('\n');
    write_whole(&password_file(dir), line.as_bytes())?;
    write_whole(&setting_file(dir), &serde_json::to_vec_pretty(&Setting::Hall { url: address.to_string() }).map_err(std::io::Error::other)?)
}

/// Saves the store file as this PC's store from the next start; the hall's password is no
/// longer needed and is removed.
pub fn save_file(dir: &Path) -> std::io::Result<()> {
    write_whole(&setting_file(dir), &serde_json::to_vec_pretty(&Setting::File).map_err(std::io::Error::other)?)?;
    match std::fs::remove_file(password_file(dir)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        certdesk_store::private::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    certdesk_store::private::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Where this program's store is, and what is saved for the next start (管理 → 案件库位置).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct StorePlaceView {
    /// what this program works on now: `file` or `hall`
    #[ts(type = "'file' | 'hall'")]
    pub kind: &'static str,
    /// the store file's path, or the hall's server as shown (`USER@HOST:PORT/DB`)
    pub current: String,
    pub chosen_by: ChosenBy,
    /// the choice saved in the admin desk (`file` or `hall`), `None` before any
    #[ts(type = "'file' | 'hall' | null")]
    pub saved_kind: Option<&'static str>,
    /// the saved hall's address (no password in it)
    pub saved_hall: Option<String>,
    /// the saved choice is not what runs now: it applies when the program starts again
    pub restart_needed: bool,
    /// the hall just checked: what its database holds
    pub checked: Option<HallChecked>,
}

/// A hall as the admin desk checked it before saving it: read, never changed.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct HallChecked {
    pub server: String,
    pub cases: i64,
    pub accounts: i64,
    /// migrations the hall has, and this build's
    pub schema_version: u32,
    pub schema_known: u32,
    /// the hall will be brought up to date when a desk opens it next (as its tables' owner)
    pub migration_pending: bool,
}

/// Connects to a hall with its password and reads what it holds, without migrating it or
/// writing anything.
pub fn check_hall(address: &HallAddress, password: &ServerPassword) -> Result<HallChecked, DeskError> {
    let seen = Store::inspect_hall(address, password)?;
    Ok(HallChecked {
        server: address.shown().to_string(),
        cases: seen.cases,
        accounts: seen.accounts,
        schema_version: seen.applied as u32,
        schema_known: seen.known as u32,
        migration_pending: seen.applied < seen.known,
    })
}

impl Desk<'_> {
    /// Where this program's store is (an administrator).
    pub fn store_place(&self, place: &Place) -> Result<StorePlaceView, DeskError> {
        self.require("see where the store is", certdesk_domain::workflow::Role::Admin)?;
        self.place_view(place, None)
    }

    fn place_view(&self, place: &Place, checked: Option<HallChecked>) -> Result<StorePlaceView, DeskError> {
        let saved = load(&place.dir)?;
        let (kind, current) = match &place.opened {
            StoreTarget::File(path) => ("file", path.display().to_string()),
            StoreTarget::Hall(_) => ("hall", self.store.server().unwrap_or_default().to_string()),
        };
        let runs = |s: &Setting| match (s, &place.opened) {
            (Setting::File, StoreTarget::File(_)) => place.chosen_by != ChosenBy::Environment && place.chosen_by != ChosenBy::CommandLine,
            (Setting::Hall { url }, StoreTarget::Hall(now)) => url == now,
            _ => false,
        };
        Ok(StorePlaceView {
            kind,
            current,
            chosen_by: place.chosen_by,
            saved_kind: saved.as_ref().map(|s| match s {
                Setting::File => "file",
                Setting::Hall { .. } => "hall",
            }),
            saved_hall: match &saved {
                Some(Setting::Hall { url }) => Some(url.clone()),
                _ => None,
            },
            restart_needed: saved.as_ref().is_some_and(|s| !runs(s)),
            checked,
        })
    }

    /// Chooses this PC's store for the next start (an administrator): `file` (the store file
    /// on this PC) or `hall` with the server's address and the role's password. A hall is
    /// checked first (connected to, read: its schema version, cases and accounts; never
    /// migrated, so the choice changes nothing in it); a hall that does not answer or refuses
    /// the password is refused and nothing is saved.
    pub fn set_store_place(&mut self, place: &Place, kind: &str, url: Option<&str>, password: Option<ServerPassword>) -> Result<StorePlaceView, DeskError> {
        self.require("choose where the store is", certdesk_domain::workflow::Role::Admin)?;
        let saving = crate::io("cannot save the store setting in", &place.dir);
        match kind {
            "file" => {
                save_file(&place.dir).map_err(saving)?;
                self.place_view(place, None)
            }
            "hall" => {
                let url = url.map(str::trim).filter(|u| !u.is_empty()).ok_or(DeskError::UnknownValue {
                    what: "hall address",
                    value: String::new(),
                    known: "postgres://USER@HOST:PORT/DB".into(),
                })?;
                let address = hall_address(url)?;
                let password = password.filter(|p| !p.expose().is_empty()).ok_or(DeskError::EmptySecret { what: "hall's password" })?;
                let checked = check_hall(&address, &password)?;
                save_hall(&place.dir, url, &password).map_err(saving)?;
                self.place_view(place, Some(checked))
            }
            other => Err(DeskError::UnknownValue { what: "store kind", value: other.to_string(), known: "file, hall".into() }),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const HALL: &str = "postgres://desk@hall.local:5432/certdesk?sslmode=verify-full&sslrootcert=/etc/certdesk/hall-ca.pem";

    fn env(dir: &Path) -> Environment {
        Environment {
            log_dir: Some(dir.join("logs")),
            platform: Platform { data_local: Some(dir.join("data")), temp: dir.to_path_buf(), ..Platform::default() },
            ..Environment::default()
        }
    }

    #[test]
    fn the_command_line_wins_then_the_environment_then_the_setting_then_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let mut e = env(dir.path());
        let default = e.default_file();
        assert_eq!(e.state_dir(), dir.path(), "the state folder is the log folder's parent");
        assert_eq!(choose(None, &e).unwrap(), (StoreTarget::File(default.clone()), ChosenBy::Default));
        save_hall(&e.state_dir(), HALL, &ServerPassword::new("pw".into())).unwrap();
        assert_eq!(choose(None, &e).unwrap(), (StoreTarget::Hall(HALL.into()), ChosenBy::Setting));
        e.db = Some("/tmp/x.db".into());
        assert_eq!(choose(None, &e).unwrap(), (StoreTarget::File("/tmp/x.db".into()), ChosenBy::Environment));
        assert_eq!(choose(Some("postgresql://a@b/c"), &e).unwrap(), (StoreTarget::Hall("postgresql://a@b/c".into()), ChosenBy::CommandLine));
        assert_eq!(choose(Some(""), &e).unwrap().1, ChosenBy::Environment, "an empty flag is no choice");
        e.db = None;
        save_file(&e.state_dir()).unwrap();
        assert_eq!(choose(None, &e).unwrap(), (StoreTarget::File(default), ChosenBy::Setting));
        assert!(!password_file(&e.state_dir()).exists(), "back on the file, the hall's password is gone");
    }

    #[test]
    fn the_password_is_its_own_private_file_and_never_in_the_setting() {
        let dir = tempfile::tempdir().unwrap();
        let mut e = env(dir.path());
        save_hall(&e.state_dir(), HALL, &ServerPassword::new("s3cret:with colon".into())).unwrap();
        let setting = std::fs::read_to_string(setting_file(&e.state_dir())).unwrap();
        assert!(!setting.contains("s3cret"), "{setting}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(password_file(&e.state_dir())).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let address = HallAddress::parse(HALL).unwrap();
        assert_eq!(hall_password(&address, ChosenBy::Setting, None, &e).unwrap().unwrap().expose(), "s3cret:with colon");
        // the saved password serves the saved hall only, not one the environment names
        assert!(hall_password(&address, ChosenBy::Environment, None, &e).unwrap().is_none());
        // the environment's password file wins over the saved one, the command line's over both
        let own = dir.path().join("own.pw");
        std::fs::write(&own, "other\n").unwrap();
        e.db_password_file = Some(own);
        assert_eq!(hall_password(&address, ChosenBy::Setting, None, &e).unwrap().unwrap().expose(), "other");
        let flag = dir.path().join("flag.pw");
        std::fs::write(&flag, "flagged\n").unwrap();
        assert_eq!(hall_password(&address, ChosenBy::Setting, Some(&flag), &e).unwrap().unwrap().expose(), "flagged");
        // then the libpq password file
        e.db_password_file = None;
        let pgpass = dir.path().join("pgpass");
        std::fs::write(&pgpass, "hall.local:5432:certdesk:desk:from-pgpass\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        e.pgpassfile = Some(pgpass);
        assert_eq!(hall_password(&address, ChosenBy::Environment, None, &e).unwrap().unwrap().expose(), "from-pgpass");
    }

    #[test]
    fn a_damaged_setting_is_an_error_naming_the_file_not_a_silent_local_store() {
        let dir = tempfile::tempdir().unwrap();
        let e = env(dir.path());
        std::fs::create_dir_all(e.state_dir()).unwrap();
        for bad in ["{", r#"{"kind":"cloud"}"#, r#"{"kind":"hall"}"#, r#"{"kind":"hall","url":"postgres://desk:pw@h/db"}"#, r#"{"kind":"hall","url":"mysql://x"}"#] {
            std::fs::write(setting_file(&e.state_dir()), bad).unwrap();
            let err = choose(None, &e).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::StoreSetting, "{bad}: {err}");
            assert!(err.to_string().contains("store.json"), "{bad}: {err}");
            assert!(!err.to_string().contains("pw@"), "{bad}: the password is not echoed: {err}");
            let typed = match &err {
                DeskError::StoreSetting { why: SettingDamage::NotASetting(_), .. } => "json",
                DeskError::StoreSetting { why: SettingDamage::BadAddress(_), .. } => "address",
                other => panic!("{bad}: {other:?}"),
            };
            assert_eq!(typed, if bad.contains("://") { "address" } else { "json" }, "{bad}");
        }
    }

    #[test]
    fn a_hall_on_another_computer_in_clear_is_refused_as_needing_tls() {
        let err = hall_address("postgres://desk@hall.local:5432/certdesk").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::HallNeedsTls, "{err}");
        assert!(err.to_string().contains("the hall at hall.local is not on this computer"), "{err}");
        assert!(hall_address("postgres://desk@127.0.0.1:5432/certdesk").is_ok(), "this computer's server in clear");
        // a setting saved before the rule is not damaged: it needs TLS, and says so
        let dir = tempfile::tempdir().unwrap();
        let e = env(dir.path());
        std::fs::create_dir_all(e.state_dir()).unwrap();
        std::fs::write(setting_file(&e.state_dir()), r#"{"kind":"hall","url":"postgres://desk@10.0.0.5:5432/certdesk"}"#).unwrap();
        let err = choose(None, &e).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::HallNeedsTls, "{err}");
        assert!(err.to_string().contains("10.0.0.5") && err.to_string().contains("sslrootcert"), "{err}");
    }

    #[test]
    fn the_environment_is_read_through_the_adapters_lookup() {
        let vars = [("CERTDESK_DB", "/srv/c.db"), ("CERTDESK_USER", "wang"), ("CERTDESK_FORMS", ""), ("CERTDESK_LOG_DIR", "/var/log/cd")];
        let e = Environment::read(|name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| OsString::from(v)), Platform::default());
        assert_eq!((e.db.as_deref(), e.user.as_deref(), e.forms.as_ref()), (Some("/srv/c.db"), Some("wang"), None), "an empty variable is unset");
        assert_eq!(e.state_dir(), PathBuf::from("/var/log"));
        assert!(vars.iter().all(|(n, _)| Environment::VARIABLES.contains(n)));
    }
}

/// The notices of store operations a crash interrupted and the last open settled (#78: a
/// `store encrypt` or `store rekey` finished or undone), each said once: the adapters print
/// them or log them.
pub fn take_settled_notices() -> Vec<certdesk_store::journal::Notice> {
    certdesk_store::journal::take_notices()
}

/// What `store encrypt` says once: the recovery key (never stored, never shown again), the
/// tables and rows compared, the accounts that need a new password.
#[derive(Debug, Serialize)]
pub struct EncryptedStore {
    pub path: String,
    pub recovery_key: String,
    pub tables: i64,
    pub rows: i64,
    pub without_slot: Vec<String>,
}

/// Turns the store file [`choose`] names into an encrypted one (#30), as administrator
/// `admin` with `password` (which becomes its slot). A hall is refused: its data is on its
/// server (docs/hall.md on encrypting the server's disk). `show` is given what is to be said
/// once (the recovery key among it) after the encrypted copy is made and checked and before it
/// takes the plain file's place (#78): an error from it (the key not confirmed) leaves the store
/// plain, as it was.
pub fn encrypt_store(
    flag_db: Option<&str>,
    env: &Environment,
    admin: &str,
    password: &certdesk_store::Password,
    show: &mut dyn FnMut(&EncryptedStore) -> Result<(), DeskError>,
) -> Result<EncryptedStore, DeskError> {
    let StoreTarget::File(path) = choose(flag_db, env)?.0 else {
        return Err(certdesk_store::StoreError::NotOnHall { what: "store encrypt", instead: "a hall's data is on its server: encrypt the server's disk and require TLS" }.into());
    };
    if let certdesk_store::StoreState::Encrypted { .. } = Store::state(&path)? {
        return Err(DeskError::Auth(certdesk_store::AuthError::EncryptedAlready { path }));
    }
    let pending = Store::open(&path)?.encrypt_begin(admin, password)?;
    let said = EncryptedStore {
        path: path.display().to_string(),
        recovery_key: pending.recovery_key().to_string(),
        tables: pending.tables(),
        rows: pending.rows(),
        without_slot: pending.without_slot().to_vec(),
    };
    show(&said)?;
    pending.finish()?;
    Ok(said)
}

/// What `store rekey` says once: the new recovery key (never stored, never shown again) and
/// the accounts that need a new password.
#[derive(Debug, Serialize)]
pub struct RekeyedStore {
    pub path: String,
    pub recovery_key: String,
    pub without_slot: Vec<String>,
}

/// Gives the encrypted store file [`choose`] names a new data key and recovery key (#30,
/// `Store::rekey_begin`), as administrator `admin` with `password` (its slot is the one kept).
/// `show` is given the new recovery key before the store takes it (#78): until then, and when
/// `show` fails (the key not confirmed), the old key and recovery key stay valid.
pub fn rekey_store(
    flag_db: Option<&str>,
    env: &Environment,
    admin: &str,
    password: &certdesk_store::Password,
    show: &mut dyn FnMut(&RekeyedStore) -> Result<(), DeskError>,
) -> Result<RekeyedStore, DeskError> {
    let StoreTarget::File(path) = choose(flag_db, env)?.0 else {
        return Err(certdesk_store::StoreError::NotOnHall { what: "store rekey", instead: "a hall's data is on its server: encrypt the server's disk and require TLS" }.into());
    };
    if !matches!(Store::state(&path)?, certdesk_store::StoreState::Encrypted { .. }) {
        return Err(DeskError::Auth(certdesk_store::AuthError::NotEncrypted { path }));
    }
    let store = Store::open_encrypted(&path, certdesk_store::Unlock::Account { name: admin, password })?;
    let pending = store.rekey_begin(admin, password)?;
    let said = RekeyedStore { path: path.display().to_string(), recovery_key: pending.recovery_key().to_string(), without_slot: pending.without_slot().to_vec() };
    show(&said)?;
    pending.finish()?;
    Ok(said)
}

/// Opens the encrypted store file [`choose`] names with its recovery key (`recovery`, as
/// typed) and gives administrator `admin` the new password and slot (#30: every password
/// lost, or the key file).
pub fn recover_store(flag_db: Option<&str>, env: &Environment, recovery: &str, admin: &str, password: &certdesk_store::Password) -> Result<(), DeskError> {
    let StoreTarget::File(path) = choose(flag_db, env)?.0 else {
        return Err(certdesk_store::StoreError::NotOnHall { what: "store open-with-recovery", instead: "a hall's accounts are reset by another administrator of the hall" }.into());
    };
    let secret = certdesk_store::keys::RecoverySecret::parse(recovery).map_err(certdesk_store::StoreError::from)?;
    Store::recover(&path, &secret, admin, password)?;
    Ok(())
}

/// Whether the store [`choose`] names is an encrypted file: its account is then needed before
/// it can be opened (anything else is opened first, so a wrong address or server password is
/// said before an account is asked for).
pub fn is_encrypted_file(flag_db: Option<&str>, env: &Environment) -> Result<bool, DeskError> {
    Ok(match choose(flag_db, env)?.0 {
        StoreTarget::File(path) => matches!(Store::state(&path)?, certdesk_store::StoreState::Encrypted { .. }),
        StoreTarget::Hall(_) => false,
    })
}

/// A store file that cannot be opened before someone signs in (#30): the app starts without
/// it and opens it at the sign-in, or makes it at the first administrator's set-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// No store yet: the first administrator makes it, encrypted.
    Missing,
    /// An encrypted store: an account's password opens it.
    Encrypted,
}

/// Whether the store file at `path` waits for an account before it can be opened. Reads the
/// file's header: ask before this process opens the store, never while it has it open (see
/// `Store::state`).
pub fn closed_file(path: &Path) -> Result<Option<Closed>, DeskError> {
    Ok(match Store::state(path)? {
        certdesk_store::StoreState::Missing => Some(Closed::Missing),
        certdesk_store::StoreState::Encrypted { key_file: true } => Some(Closed::Encrypted),
        // no account can open it: a damaged file, or an encrypted store whose key file is lost
        certdesk_store::StoreState::Encrypted { key_file: false } => {
            let keys = certdesk_store::keys::key_file_path(path);
            return Err(certdesk_store::StoreError::NotAStore { path: path.to_path_buf(), why: certdesk_store::refusal::NotAStore::StoreKeyFileMissing { keys } }.into());
        }
        certdesk_store::StoreState::Plain => None,
    })
}

/// Whether the first account made at the store file `path` makes the store (#30): no store
/// there, or a plain one with nothing in it ([`create_first_admin_file`] replaces it).
pub fn awaits_first_account(path: &Path) -> Result<bool, DeskError> {
    Ok(match Store::state(path)? {
        certdesk_store::StoreState::Missing => true,
        certdesk_store::StoreState::Plain => Store::open(path)?.is_blank()?,
        certdesk_store::StoreState::Encrypted { .. } => false,
    })
}

/// The encrypted store file at `path` opened with `name`'s slot (its password); the account
/// is then signed in as on any store. A wrong password or an account without a slot opens
/// nothing (`wrong_credentials`).
pub fn open_encrypted_file(path: &Path, name: &str, password: &certdesk_store::Password) -> Result<CaseStore, DeskError> {
    Ok(CaseStore::new(Store::open_encrypted(path, certdesk_store::Unlock::Account { name, password })?))
}

/// A new store file made with its first administrator: encrypted, with the recovery key to
/// show once.
pub struct FirstStore {
    pub store: CaseStore,
    pub account: certdesk_store::Account,
    /// Shown once to be written down; kept nowhere.
    pub recovery_key: zeroize::Zeroizing<String>,
}

/// Makes the store file at `path` encrypted with its first administrator `name` (#30: new
/// stores are encrypted). Where a plain store with nothing in it is (no account, case or
/// event: a command or an older build made it before the first account), it is replaced; a
/// store with anything in it is refused (an administrator adds the next account, or encrypts
/// a plain store with `store encrypt`).
pub fn create_first_admin_file(path: &Path, name: &str, roles: &[certdesk_domain::workflow::Role], password: &certdesk_store::Password) -> Result<FirstStore, DeskError> {
    match Store::state(path)? {
        certdesk_store::StoreState::Missing => {}
        certdesk_store::StoreState::Encrypted { .. } => {
            return Err(DeskError::Auth(certdesk_store::AuthError::AccountsExist));
        }
        certdesk_store::StoreState::Plain => {
            let blank = Store::open(path)?.is_blank()?;
            if !blank {
                return Err(DeskError::Auth(certdesk_store::AuthError::AccountsExist));
            }
            // the plain store (closed above) holds nothing: it goes, with SQLite's files
            // beside it, so that the first account makes an encrypted one in its place
            for suffix in ["", "-wal", "-shm"] {
                let mut file = path.as_os_str().to_owned();
                file.push(suffix);
                match std::fs::remove_file(&file) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(source) => return Err(certdesk_store::StoreError::Folder { path: PathBuf::from(file), source }.into()),
                }
            }
        }
    }
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::private::create_dir_all(folder).map_err(|source| certdesk_store::StoreError::Folder { path: folder.to_path_buf(), source })?;
    }
    let (store, recovery_key) = Store::create_encrypted_with_roles(path, name, roles, password)?;
    let account = store.account(name)?.ok_or_else(|| DeskError::Auth(certdesk_store::AuthError::Internal { what: "the first account was not made", detail: name.to_string() }))?;
    Ok(FirstStore { store: CaseStore::new(store), account, recovery_key })
}
