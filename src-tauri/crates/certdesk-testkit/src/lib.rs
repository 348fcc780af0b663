//! Test set-up written once for the integration tests of the crates and the CLI: a counter's
//! store in a temp folder driven through the real `certdesk` binary, with its accounts
//! (admin, clerk `zhang`, supervisor `li`, key clerk `wang`) and their password files (each
//! command signs in: `--as` for a change, the environment's account for a read); a
//! private SoftHSM2 configuration; a private pcscd with a virtual card (`pcsc`); a throwaway SCEP CA (Debian's `scepserver`, `scep`); a test SM2 CA and KMC (`gm_ca`); the
//! `certdesk key` commands on the soft SKF key (`skf`); the fixtures' paths. Owns no rule of the product: it only
//! runs the binary the way an operator (or an outside check) does, never with a secret in argv.

pub mod gm_ca;
pub mod operator_ca;
pub mod pcsc;
pub mod scep;
pub mod skf;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository's root (for fixtures and forms).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..").canonicalize().expect("the repository root")
}

/// A fixture file under `tests/fixtures/`.
pub fn fixture(rel: &str) -> String {
    root().join("tests/fixtures").join(rel).display().to_string()
}

/// A made-up resident ID number with a valid check digit (GB 11643): the `seq`th born on
/// 1990-01-01 in 广州市海珠区, for lists of employees in tests.
pub fn resident_id(seq: u32) -> String {
    let body = format!("44010619900101{seq:03}");
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// A self-signed P-256 certificate made by OpenSSL, `<dir>/<name>.pem` with its key
/// `<dir>/<name>.key`: a throw-away CA for the key-desk tests, or a certificate no case asked
/// for. Returns the certificate's path.
pub fn self_signed(dir: &Path, name: &str, subject: &str, days: u32) -> PathBuf {
    let (key, pem) = (dir.join(format!("{name}.key")), dir.join(format!("{name}.pem")));
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", subject, "-days", &days.to_string(), "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&pem)
        .output()
        .expect("openssl (scripts/deps.sh test installs it)");
    assert!(out.status.success(), "openssl req -x509: {}", String::from_utf8_lossy(&out.stderr));
    pem
}

/// `program` (`openssl`, `softhsm2-util`, `pkcs11-tool` …) run with `args` beside the counter's
/// store, on its private SoftHSM2 configuration; it must succeed.
pub fn tool(program: &str, args: &[&str], c: &Counter) -> std::process::Output {
    let o = Command::new(program).args(args).env("SOFTHSM2_CONF", c.p("softhsm2.conf")).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(o.status.success(), "{program} {args:?}: {}", stderr(&o));
    o
}

/// SoftHSM2 as Debian installs it.
pub const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";

/// The people of a counter, with their roles.
pub const PEOPLE: [(&str, &str); 4] = [("admin", "admin"), ("zhang", "clerk"), ("li", "supervisor"), ("wang", "key_clerk")];

/// A counter's store in a temp folder, driven through the `certdesk` binary.
pub struct Counter {
    pub dir: tempfile::TempDir,
    bin: PathBuf,
    env: Vec<(String, String)>,
    /// The store's recovery key, as the first `user add` printed it.
    recovery_key: std::cell::OnceCell<String>,
}

impl Counter {
    /// An empty store (no account yet).
    pub fn empty(bin: &str) -> Counter {
        Counter { dir: tempfile::tempdir().expect("a temp folder"), bin: PathBuf::from(bin), env: Vec::new(), recovery_key: Default::default() }
    }

    /// A store with the four people of [`PEOPLE`]: the first administrator made on the empty
    /// store, the others by that administrator.
    pub fn new(bin: &str) -> Counter {
        let c = Counter::empty(bin);
        c.add_people();
        c
    }

    pub fn add_people(&self) {
        for (name, role) in PEOPLE {
            let pw = self.pw(name);
            let out = if name == "admin" {
                let out = self.run(&["user", "add", name, "--role", role, "--password-file", &pw]);
                // a new store file is encrypted (#30): its recovery key is printed this once
                let printed = String::from_utf8_lossy(&out.stdout).lines().find_map(|l| l.strip_prefix("recovery key: ").map(str::to_string));
                if let Some(key) = printed {
                    let _ = self.recovery_key.set(key);
                }
                out
            } else {
                let admin = self.pw("admin");
                self.run(&["user", "add", name, "--role", role, "--password-file", &pw, "--as", "admin", "--as-password-file", &admin])
            };
            assert!(out.status.success(), "user add {name}: {}", stderr(&out));
        }
    }

    /// The recovery key the first `user add` printed (the store is encrypted); panics on a
    /// store made otherwise.
    pub fn recovery_key(&self) -> String {
        self.recovery_key.get().cloned().expect("the store's recovery key (printed by the first user add)")
    }

    /// Another environment variable for every run (e.g. `SOFTHSM2_CONF`).
    pub fn with_env(mut self, key: &str, value: &str) -> Counter {
        self.env.push((key.into(), value.into()));
        self
    }

    /// A path in the counter's folder.
    pub fn p(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("c.db")
    }

    /// The password file of `user` (`<user>-secret-pass-1`: lower-case letters, a symbol and a
    /// digit, as the password rule asks), written when first asked for.
    pub fn pw(&self, user: &str) -> String {
        let p = self.dir.path().join(format!("{user}.pw"));
        if !p.exists() {
            std::fs::write(&p, format!("{user}-secret-pass-1\n")).expect("a password file");
        }
        p.display().to_string()
    }

    /// `args` on the counter's store. Stores are encrypted (#30), so every command signs in:
    /// as the administrator through the environment (`CERTDESK_USER`, `CERTDESK_PASSWORD_FILE`)
    /// unless the command names its own account (`--as`), as a support shell would; see
    /// [`Counter::cmd_without_account`].
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = self.bare(args);
        c.env("CERTDESK_USER", "admin").env("CERTDESK_PASSWORD_FILE", self.pw("admin"));
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    /// `args` with no account in the environment: only what the command line gives.
    pub fn cmd_without_account(&self, args: &[&str]) -> Command {
        let mut c = self.bare(args);
        for (k, v) in self.env.iter().filter(|(k, _)| k != "CERTDESK_USER" && k != "CERTDESK_PASSWORD_FILE") {
            c.env(k, v);
        }
        c
    }

    fn bare(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.bin);
        c.args(args).env("CERTDESK_DB", self.db()).env_remove("CERTDESK_FORMS").env_remove("CERTDESK_USER").env_remove("CERTDESK_PASSWORD_FILE").stdin(Stdio::null());
        // the operator CA the first enrolment installs (#78) goes to the counter's own
        // configuration folder, never the developer's or the CI runner's
        c.env("XDG_CONFIG_HOME", self.config_home()).env("APPDATA", self.config_home()).env_remove("CERTDESK_OPERATOR_CA");
        c
    }

    /// The user's configuration folder of every run (`XDG_CONFIG_HOME`): the operator CA the
    /// first enrolment installs is `certdesk/operator-ca.pem` in it.
    pub fn config_home(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("the certdesk binary runs")
    }

    /// `args` signed in through the environment's account (`CERTDESK_USER` = `user` with its
    /// `CERTDESK_PASSWORD_FILE`), as a script or a support shell reads the store.
    pub fn read_as(&self, user: &str, args: &[&str]) -> Output {
        self.cmd(args).env("CERTDESK_USER", user).env("CERTDESK_PASSWORD_FILE", self.pw(user)).output().expect("the certdesk binary runs")
    }

    /// `args` read as the administrator through the environment's account; exit 0 expected.
    pub fn read(&self, args: &[&str]) -> String {
        let out = self.read_as("admin", args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `--json` output of `args` read as the administrator, with its exit code.
    pub fn read_json(&self, args: &[&str]) -> (i32, Value) {
        let out = self.read_as("admin", args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {stdout}\nstderr: {}", stderr(&out)));
        (out.status.code().unwrap_or(-1), value)
    }

    /// `args` as `user`, with the password from its file.
    pub fn as_user(&self, user: &str, args: &[&str]) -> Output {
        let pw = self.pw(user);
        let mut all = args.to_vec();
        all.extend(["--as", user, "--password-file", &pw]);
        self.run(&all)
    }

    /// Runs and expects exit 0; stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn ok_as(&self, user: &str, args: &[&str]) -> String {
        let out = self.as_user(user, args);
        assert_eq!(out.status.code(), Some(0), "{args:?} as {user}: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `--json` output, with its exit code.
    pub fn json(&self, args: &[&str]) -> (i32, Value) {
        let out = self.run(args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {stdout}\nstderr: {}", stderr(&out)));
        (out.status.code().unwrap_or(-1), value)
    }

    /// A case file imported by the clerk, its checklist then recorded as all received (全部收齐,
    /// as the intake's clerk ticks it: a case goes to the second check only with its materials,
    /// #79); its number.
    pub fn import(&self, case_file: &str) -> String {
        let n = self.import_unrecorded(case_file);
        self.ok_as("zhang", &["case", "materials", &n, "--all-received"]);
        n
    }

    /// A case file imported by the clerk as it is, no checklist recorded; its number.
    pub fn import_unrecorded(&self, case_file: &str) -> String {
        self.ok_as("zhang", &["case", "import", case_file]).trim().to_string()
    }

    /// A case file taken (accepted, submitted) by the clerk and approved by the supervisor.
    pub fn approved_case(&self, case_file: &str) -> String {
        let n = self.import(case_file);
        for (action, who) in [("accept", "zhang"), ("submit", "zhang"), ("approve", "li")] {
            self.ok_as(who, &["case", action, &n]);
        }
        n
    }

    pub fn status(&self, number: &str) -> String {
        let (_, v) = self.read_json(&["case", "show", number, "--json"]);
        v["status"].as_str().unwrap_or_default().to_string()
    }

    /// A private SoftHSM2 configuration in the counter's folder, set for every run.
    pub fn softhsm(self) -> Counter {
        let conf = softhsm_conf(self.dir.path()).display().to_string();
        self.with_env("SOFTHSM2_CONF", &conf)
    }
}

/// A private SoftHSM2 configuration (`<dir>/softhsm2.conf`, tokens in `<dir>/tokens`): what
/// `SOFTHSM2_CONF` points at for a test's processes. SoftHSM2 itself must be installed.
pub fn softhsm_conf(dir: &Path) -> PathBuf {
    assert!(Path::new(SOFTHSM).is_file(), "SoftHSM2 is needed (scripts/deps.sh test installs softhsm2)");
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens).expect("a token folder");
    let conf = dir.join("softhsm2.conf");
    std::fs::write(&conf, format!("directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", tokens.display()))
        .expect("a SoftHSM configuration");
    conf
}

/// Points this process's PKCS#11 shim at a private SoftHSM2 (`SOFTHSM2_CONF`) and its own
/// state file (`CERTDESK_SHIM_STATE`) in `dir`, playing no vendor profile yet.
///
/// # Safety
/// Sets environment variables: call it before the module is loaded, while no other thread of
/// the process reads the environment.
#[allow(unsafe_code)]
pub unsafe fn shim_over_softhsm(dir: &Path) {
    let conf = softhsm_conf(dir);
    // SAFETY: the caller's promise
    unsafe {
        std::env::set_var("SOFTHSM2_CONF", &conf);
        std::env::set_var("CERTDESK_SHIM_STATE", dir.join("shim.state"));
        std::env::remove_var("CERTDESK_SHIM_SM2_PROFILE");
    }
}

/// A Python 3 that imports `modules` (Debian's, where a pyenv shim comes first without them);
/// panics naming the set-up that installs them.
pub fn python_with(modules: &[&str]) -> &'static str {
    let import = format!("import {}", modules.join(", "));
    ["python3", "/usr/bin/python3"]
        .into_iter()
        .find(|p| Command::new(p).args(["-c", &import]).output().is_ok_and(|o| o.status.success()))
        .unwrap_or_else(|| panic!("no python3 with {}: run `bash scripts/deps.sh test`", modules.join(", ")))
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
