//! Which case store this PC's app opens: the store file in the user's data folder (the default,
//! one desk) or a counter hall's PostgreSQL server. The choice is a small local file
//! `store.json` in the app's state folder (beside `window.json`): the address of a hall cannot
//! live in the store it selects. The hall's password goes in `hall.password` next to it,
//! readable by this account only (as libpq's `~/.pgpass`), never in `store.json`, the log or a
//! command line. `CERTDESK_DB` in the environment wins over the file (tests, an override by
//! support). Owns those two files, their precedence and where the password is read from; not
//! who may change them (the admin desk's command checks the role) nor the store itself.

use certdesk_store::pg::{HallAddress, ServerPassword};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Where the app's store is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreTarget {
    File(PathBuf),
    Hall(String),
}

/// Who chose the target: the environment, the admin desk's setting, or nobody (the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ChosenBy {
    Environment,
    Setting,
    Default,
}

/// The store this app opened, who chose it, and the folder of the choice for the next start.
#[derive(Debug, Clone)]
pub struct Place {
    pub dir: PathBuf,
    pub opened: StoreTarget,
    pub chosen_by: ChosenBy,
}

impl Place {
    /// Whether `saved` is what this app runs on now.
    pub fn runs(&self, saved: &Setting) -> bool {
        match (saved, &self.opened) {
            (Setting::File, StoreTarget::File(path)) => *path == default_file(),
            (Setting::Hall { url }, StoreTarget::Hall(now)) => url == now,
            _ => false,
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

/// The choice file in `dir`.
pub fn setting_file(dir: &Path) -> PathBuf {
    dir.join("store.json")
}

/// The hall's password file in `dir`.
pub fn password_file(dir: &Path) -> PathBuf {
    dir.join("hall.password")
}

/// The default store file: `certdesk/certdesk.db` in the user's data folder.
pub fn default_file() -> PathBuf {
    dirs::data_local_dir().unwrap_or_else(|| PathBuf::from(".")).join("certdesk").join("certdesk.db")
}

fn is_hall_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// The saved choice: `None` when there is no file. A file that cannot be read or understood is
/// an error naming it: opening the local store instead would put a hall desk's cases where
/// nobody else sees them.
pub fn load(dir: &Path) -> Result<Option<Setting>, String> {
    let path = setting_file(dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let setting: Setting = serde_json::from_str(&text).map_err(|e| format!("{}: not a store setting ({e}); delete it to use the store file on this PC", path.display()))?;
    if let Setting::Hall { url } = &setting {
        HallAddress::parse(url).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(Some(setting))
}

/// The store to open and who chose it: `env_db` (`CERTDESK_DB`: a file path or a hall's
/// address) first, then the saved setting in `dir`, else the default file.
pub fn target(env_db: Option<String>, dir: &Path) -> Result<(StoreTarget, ChosenBy), String> {
    if let Some(db) = env_db.filter(|p| !p.is_empty()) {
        let target = if is_hall_url(&db) { StoreTarget::Hall(db) } else { StoreTarget::File(PathBuf::from(db)) };
        return Ok((target, ChosenBy::Environment));
    }
    Ok(match load(dir)? {
        Some(Setting::Hall { url }) => (StoreTarget::Hall(url), ChosenBy::Setting),
        Some(Setting::File) => (StoreTarget::File(default_file()), ChosenBy::Setting),
        None => (StoreTarget::File(default_file()), ChosenBy::Default),
    })
}

/// The hall's password: the file `env_password_file` names (`CERTDESK_DB_PASSWORD_FILE`), else
/// the admin desk's saved password (when the setting chose this hall), else the libpq password
/// file (`PGPASSFILE`, `~/.pgpass`); a window has no terminal to ask at.
pub fn hall_password(address: &HallAddress, chosen: ChosenBy, dir: &Path, env_password_file: Option<PathBuf>, pgpass: Option<PathBuf>) -> Result<ServerPassword, String> {
    if let Some(file) = env_password_file {
        return ServerPassword::from_file(&file).map_err(|e| e.to_string());
    }
    let saved = password_file(dir);
    if chosen == ChosenBy::Setting && saved.is_file() {
        return ServerPassword::from_file(&saved).map_err(|e| e.to_string());
    }
    match pgpass.filter(|f| f.is_file()).map(|f| ServerPassword::from_pgpass(&f, address)).transpose().map_err(|e| e.to_string())?.flatten() {
        Some(p) => Ok(p),
        None => Err(format!("no password for {}: set the hall in 管理 → 案件库位置, or CERTDESK_DB_PASSWORD_FILE, or a line in PGPASSFILE (~/.pgpass)", address.shown())),
    }
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
    let tmp = path.with_extension("tmp");
    certdesk_store::private::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const HALL: &str = "postgres://desk@hall.local:5432/certdesk";

    #[test]
    fn the_environment_wins_then_the_setting_then_the_default() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(target(None, dir.path()).unwrap(), (StoreTarget::File(default_file()), ChosenBy::Default));
        save_hall(dir.path(), HALL, &ServerPassword::new("pw".into())).unwrap();
        assert_eq!(target(None, dir.path()).unwrap(), (StoreTarget::Hall(HALL.into()), ChosenBy::Setting));
        assert_eq!(target(Some("/tmp/x.db".into()), dir.path()).unwrap(), (StoreTarget::File("/tmp/x.db".into()), ChosenBy::Environment));
        assert_eq!(target(Some("postgresql://a@b/c".into()), dir.path()).unwrap(), (StoreTarget::Hall("postgresql://a@b/c".into()), ChosenBy::Environment));
        assert_eq!(target(Some(String::new()), dir.path()).unwrap().1, ChosenBy::Setting, "an empty variable is no choice");
        save_file(dir.path()).unwrap();
        assert_eq!(target(None, dir.path()).unwrap(), (StoreTarget::File(default_file()), ChosenBy::Setting));
        assert!(!password_file(dir.path()).exists(), "back on the file, the hall's password is gone");
    }

    #[test]
    fn the_password_is_its_own_private_file_and_never_in_the_setting() {
        let dir = tempfile::tempdir().unwrap();
        save_hall(dir.path(), HALL, &ServerPassword::new("s3cret:with colon".into())).unwrap();
        let setting = std::fs::read_to_string(setting_file(dir.path())).unwrap();
        assert!(!setting.contains("s3cret"), "{setting}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(password_file(dir.path())).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let address = HallAddress::parse(HALL).unwrap();
        let read = hall_password(&address, ChosenBy::Setting, dir.path(), None, None).unwrap();
        assert_eq!(read.expose(), "s3cret:with colon");
        // the saved password serves the saved hall only, not one the environment names
        let err = hall_password(&address, ChosenBy::Environment, dir.path(), None, None).map(drop).unwrap_err();
        assert!(err.contains("no password for desk@hall.local:5432/certdesk"), "{err}");
        // the environment's password file wins
        let own = dir.path().join("own.pw");
        std::fs::write(&own, "other\n").unwrap();
        assert_eq!(hall_password(&address, ChosenBy::Setting, dir.path(), Some(own), None).unwrap().expose(), "other");
    }

    #[test]
    fn a_damaged_setting_is_an_error_naming_the_file_not_a_silent_local_store() {
        let dir = tempfile::tempdir().unwrap();
        for bad in ["{", r#"{"kind":"cloud"}"#, r#"{"kind":"hall"}"#, r#"{"kind":"hall","url":"postgres://desk:pw@h/db"}"#, r#"{"kind":"hall","url":"mysql://x"}"#] {
            std::fs::write(setting_file(dir.path()), bad).unwrap();
            let err = target(None, dir.path()).unwrap_err();
            assert!(err.contains("store.json"), "{bad}: {err}");
            assert!(!err.contains("pw@"), "{bad}: the password is not echoed: {err}");
        }
    }
}
