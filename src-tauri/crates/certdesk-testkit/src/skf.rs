//! The key desk's commands on the soft SKF key, written once for the CLI's tests: a counter
//! ([`crate::Counter`]) whose `certdesk key …` runs go to `libcertdesk_skf_soft.so` (built
//! beside the test binaries as a dev-dependency) with its state in a private
//! `CERTDESK_SKF_DIR` holding one key, the key clerk `wang` as the environment's account (a
//! command's `--as` wins), and PIN files (`so`, `pin`, `pin2`, `bad`) never put on a command
//! line. Owns no rule of the product.

use crate::{Counter, stderr};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The soft SKF library next to the `certdesk` binary `bin` (or in its `deps/`).
pub fn soft_library(bin: &str) -> PathBuf {
    let dir = Path::new(bin).parent().expect("the binary's folder");
    let name = if cfg!(windows) { "certdesk_skf_soft.dll" } else { "libcertdesk_skf_soft.so" };
    [dir.join(name), dir.join("deps").join(name)].into_iter().find(|p| p.is_file()).unwrap_or_else(|| panic!("{name} not built next to {bin}"))
}

/// A counter with one soft SKF key plugged in.
pub struct SkfRig {
    pub c: Counter,
    pub lib: PathBuf,
}

impl SkfRig {
    pub fn new(bin: &str) -> SkfRig {
        let c = Counter::new(bin);
        let skf = c.dir.path().join("skf");
        std::fs::create_dir_all(skf.join("soft-key-1")).expect("the soft key's folder");
        let wang = c.pw("wang");
        let c = c
            .with_env("CERTDESK_SKF_DIR", &skf.display().to_string())
            .with_env("CERTDESK_SKF_FAULT", "")
            .with_env("CERTDESK_USER", "wang")
            .with_env("CERTDESK_PASSWORD_FILE", &wang);
        for (name, pin) in [("so", "admin-8765"), ("pin", "24681357"), ("pin2", "11223344"), ("bad", "00000000")] {
            std::fs::write(c.dir.path().join(name), format!("{pin}\n")).expect("a PIN file");
        }
        SkfRig { c, lib: soft_library(bin) }
    }

    /// `certdesk key --module <soft SKF> ARGS…`.
    pub fn key(&self, args: &[&str]) -> Output {
        let lib = self.lib.display().to_string();
        let mut all = vec!["key", "--module", &lib];
        all.extend_from_slice(args);
        self.c.run(&all)
    }

    /// Expects exit 0; stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.key(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// With `--json`: the parsed output.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).expect("JSON")
    }

    /// Expects exit 1 (a refusal); stderr.
    pub fn refused(&self, args: &[&str]) -> String {
        let out = self.key(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        stderr(&out)
    }

    /// A path in the counter's folder.
    pub fn p(&self, name: &str) -> String {
        self.c.p(name)
    }
}
