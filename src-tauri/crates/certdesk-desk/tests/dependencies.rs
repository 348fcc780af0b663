//! The adapters reach certdesk through its application API only: the `certdesk` CLI and the
//! Tauri shell have exactly one of the workspace's crates among their normal dependencies,
//! `certdesk-desk`, which re-exports what they need as plain data and nothing that writes
//! (the compiler then refuses any call past it; see the doc-tests of `certdesk_desk`). Read
//! from `cargo metadata`, so a dependency added in any way (a path, the workspace table, a
//! renamed package, a target-specific table) is seen. Dev-dependencies (the test kit, the
//! store for reading a test's results) are the tests' own.

use serde_json::Value;
use std::collections::BTreeSet;

/// The adapters, by package name.
const ADAPTERS: [&str; 2] = ["certdesk-cli", "certdesk-app"];
/// The one workspace crate they may depend on.
const FRONT_DOOR: &str = "certdesk-desk";

fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../Cargo.toml");
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline", "--manifest-path"])
        .arg(&manifest)
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

/// The workspace crates among `package`'s normal (not dev, not build) dependencies.
fn workspace_dependencies(meta: &Value, package: &str) -> BTreeSet<String> {
    let packages = meta["packages"].as_array().expect("packages");
    let members: BTreeSet<&str> = packages.iter().filter_map(|p| p["name"].as_str()).collect();
    let adapter = packages.iter().find(|p| p["name"] == package).unwrap_or_else(|| panic!("{package} is not in the workspace"));
    adapter["dependencies"]
        .as_array()
        .expect("dependencies")
        .iter()
        .filter(|d| d["kind"].is_null())
        .filter_map(|d| d["name"].as_str())
        .filter(|name| members.contains(name))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_adapters_depend_on_the_application_api_alone() {
    let meta = metadata();
    let mut found = Vec::new();
    for adapter in ADAPTERS {
        let deps = workspace_dependencies(&meta, adapter);
        assert!(deps.contains(FRONT_DOOR), "{adapter} does not depend on {FRONT_DOOR}: {deps:?}");
        for other in deps.iter().filter(|d| *d != FRONT_DOOR) {
            found.push(format!("{adapter} depends on {other}: reach it through {FRONT_DOOR} (its re-exported data or a desk function)"));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_check_reads_what_it_checks() {
    // the desk itself depends on the lower crates: the same reading finds them there
    let meta = metadata();
    let desk = workspace_dependencies(&meta, FRONT_DOOR);
    for lower in ["certdesk-store", "certdesk-token", "certdesk-domain"] {
        assert!(desk.contains(lower), "{lower} not found among {desk:?}");
    }
    // and a dev-dependency does not count (the CLI's tests use the test kit)
    assert!(!workspace_dependencies(&meta, "certdesk-cli").contains("certdesk-testkit"));
}
