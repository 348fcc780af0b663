//! Which PKCS#11 module to load. Owns the lookup order: the module the front end names (its
//! `--module`, setting or environment: read by the CLI and the app, never here), then the
//! per-platform list of vendor modules in `assets/pkcs11-modules.toml` (settings data, not
//! code), first one that exists.

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModuleList {
    linux: Vec<String>,
    windows: Vec<String>,
    macos: Vec<String>,
}

const DEFAULT_LIST: &str = include_str!("../../../../assets/pkcs11-modules.toml");

/// The configured candidates for this platform, in order.
pub fn candidates(list_toml: Option<&str>) -> Vec<PathBuf> {
    let list: ModuleList = toml::from_str(list_toml.unwrap_or(DEFAULT_LIST)).unwrap_or(ModuleList { linux: vec![], windows: vec![], macos: vec![] });
    let for_os = if cfg!(windows) {
        list.windows
    } else if cfg!(target_os = "macos") {
        list.macos
    } else {
        list.linux
    };
    for_os.into_iter().map(PathBuf::from).collect()
}

#[derive(Debug, thiserror::Error)]
#[error("no PKCS#11 module found: give --module PATH, set CERTDESK_PKCS11_MODULE or the pkcs11_module setting (tried: {tried})")]
pub struct NoModule {
    pub tried: String,
}

pub fn resolve(explicit: Option<&Path>) -> Result<PathBuf, NoModule> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    let list = candidates(None);
    list.iter().find(|p| p.is_file()).cloned().ok_or_else(|| NoModule { tried: list.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ") })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_list_parses_for_every_platform() {
        let list: super::ModuleList = toml::from_str(super::DEFAULT_LIST).unwrap();
        assert!(!list.linux.is_empty() && !list.windows.is_empty() && !list.macos.is_empty());
    }
}
