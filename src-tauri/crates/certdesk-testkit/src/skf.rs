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

    /// A staff key (#31) on the soft key: initialised as `label`, an SM2 key made on it for
    /// `cn`, its certificate issued by a fresh SM2 operator CA (from the request, read by
    /// OpenSSL) and written back. The certificate's and the CA's PEM files (`li.pem`, `ca.pem`).
    pub fn sm2_staff_key(&self, label: &str, cn: &str) -> (String, String) {
        use crate::gm_ca::{GmCa, pem};
        self.ok(&["init", "--slot-index", "0", "--label", label, "--so-pin-file", &self.p("so"), "--user-pin-file", &self.p("pin")]);
        self.ok(&["gen", "--token", label, "--pin-file", &self.p("pin"), "--algo", "sm2", "--cn", cn, "--csr-out", &self.p("li.csr")]);
        let der = self.p("li.csr.der");
        let converted = std::process::Command::new("openssl").args(["req", "-in", &self.p("li.csr"), "-outform", "DER", "-out", &der]).status().expect("openssl");
        assert!(converted.success(), "openssl req -outform DER");
        let ca = GmCa::root("certdesk test operator SM2 CA");
        let issued = ca.issue_signing(&std::fs::read(&der).expect("the request")).expect("the SM2 CA issues");
        std::fs::write(self.p("li.pem"), pem(&issued)).expect("writing the certificate");
        std::fs::write(self.p("ca.pem"), ca.cert_pem()).expect("writing the CA");
        self.ok(&["write-cert", "--token", label, "--pin-file", &self.p("pin"), "--cert", &self.p("li.pem")]);
        (self.p("li.pem"), self.p("ca.pem"))
    }

    /// A dual SM2 key as a CA leaves it, on the initialised key `label`: an SM2 signing key made
    /// on it for `cn`, its certificate from a fresh SM2 root written with the root as its chain,
    /// and the encryption key pair and certificate from the root's KMC imported as a GM/T 0009
    /// envelope. The signing and encryption certificates' PEM files (`sign.pem`, `enc.pem`).
    pub fn dual_sm2_key(&self, label: &str, cn: &str) -> (String, String) {
        use crate::gm_ca::{GmCa, pem};
        let ca = GmCa::root("certdesk SM2 Root");
        self.ok(&["gen", "--token", label, "--pin-file", &self.p("pin"), "--algo", "sm2", "--cn", cn, "--csr-out", &self.p("sign.csr")]);
        let csr = std::fs::read_to_string(self.p("sign.csr")).expect("the request");
        let sign = ca.issue_signing(&certdesk_gm::der::pem::decode_vec(csr.as_bytes()).expect("a PEM request").1).expect("the SM2 CA issues");
        std::fs::write(self.p("sign.pem"), pem(&sign)).expect("writing the certificate");
        std::fs::write(self.p("root.pem"), ca.cert_pem()).expect("writing the CA");
        self.ok(&["write-cert", "--token", label, "--pin-file", &self.p("pin"), "--cert", &self.p("sign.pem"), "--chain", &self.p("root.pem")]);
        let answer = ca.kmc_answer(&sign);
        std::fs::write(self.p("enc.env"), &answer.gmt0009_der).expect("writing the envelope");
        std::fs::write(self.p("enc.pem"), pem(&answer.enc_cert_der)).expect("writing the encryption certificate");
        self.ok(&["import-enc", "--token", label, "--pin-file", &self.p("pin"), "--envelope", &self.p("enc.env"), "--enc-cert", &self.p("enc.pem")]);
        (self.p("sign.pem"), self.p("enc.pem"))
    }
}
