//! Which key driver (PKCS#11 module or SKF library) to load. Owns the lookup order: the one the
//! front end names (its `--module`, setting or environment: read by the CLI and the app, never
//! here), then the per-platform list of vendor drivers in `assets/pkcs11-modules.toml`
//! (settings data, not code), then on Windows the SKF libraries the CSP registry names
//! (`SKFImagePath` under `HKLM\SOFTWARE\Microsoft\Cryptography\Defaults\Provider`); the
//! first one that exists.

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
    let mut list = candidates(None);
    list.extend(registered_skf_libraries());
    list.iter().find(|p| p.is_file()).cloned().ok_or_else(|| NoModule { tried: list.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ") })
}

/// The SKF libraries the Windows CSP registry names (a vendor's installer registers its
/// `SKFImagePath`); none elsewhere.
#[cfg(windows)]
fn registered_skf_libraries() -> Vec<PathBuf> {
    let out = std::process::Command::new("reg")
        .args(["query", r"HKLM\SOFTWARE\Microsoft\Cryptography\Defaults\Provider", "/s", "/v", "SKFImagePath"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    skf_image_paths(&out)
}

#[cfg(not(windows))]
fn registered_skf_libraries() -> Vec<PathBuf> {
    Vec::new()
}

/// The `SKFImagePath` values in `reg query … /s /v SKFImagePath` output.
#[cfg_attr(not(windows), allow(dead_code))]
fn skf_image_paths(reg_output: &str) -> Vec<PathBuf> {
    reg_output
        .lines()
        .filter_map(|l| {
            let (name, rest) = l.trim().split_once(char::is_whitespace)?;
            let (kind, value) = rest.trim_start().split_once(char::is_whitespace)?;
            let value = value.trim();
            (name.eq_ignore_ascii_case("SKFImagePath") && kind.starts_with("REG_") && !value.is_empty()).then(|| PathBuf::from(value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_registry_names_skf_libraries() {
        let out = "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\Defaults\\Provider\\Longmai mToken GM3000 CSP V1.1\r\n    SKFImagePath    REG_SZ    C:\\Windows\\System32\\mtoken_gm3000.dll\r\n\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\Defaults\\Provider\\Other CSP\r\n    Image Path    REG_SZ    other.dll\r\n\r\nEnd of search: 1 match(es) found.\r\n";
        assert_eq!(super::skf_image_paths(out), [std::path::PathBuf::from(r"C:\Windows\System32\mtoken_gm3000.dll")]);
        assert!(super::skf_image_paths("").is_empty());
    }

    #[test]
    fn the_shipped_list_parses_for_every_platform() {
        let list: super::ModuleList = toml::from_str(super::DEFAULT_LIST).unwrap();
        assert!(!list.linux.is_empty() && !list.windows.is_empty() && !list.macos.is_empty());
    }

    #[test]
    fn no_test_library_is_a_default_on_a_counter_pc() {
        let list: super::ModuleList = toml::from_str(super::DEFAULT_LIST).unwrap();
        for path in list.linux.iter().chain(&list.windows).chain(&list.macos) {
            assert!(!path.to_lowercase().contains("softhsm"), "{path}: a software token would pass for a key");
        }
    }
}
