//! The failover rig of `scripts/pg-failover.sh` as the tests drive it (shared through `#[path]`
//! by the store's failover test and the benchmark's rehearsals): a primary and a streaming
//! standby of their own in a fresh folder, the script's commands run and their `KEY=VALUE`
//! lines read back, every node stopped and the folder removed when the rig is dropped (a
//! failing test included). Without PostgreSQL's server programs the tests say so loudly and
//! pass without running; in CI (`CI` set) they fail.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

pub struct Rig {
    dir: PathBuf,
    script: PathBuf,
    /// both servers, `target_session_attrs=read-write`: as the desks are given the hall
    pub url: String,
    pub password_file: PathBuf,
    /// each node alone (the one that is primary now, the other)
    pub primary_url: String,
    pub standby_url: String,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../scripts/pg-failover.sh")
}

impl Rig {
    /// A rig started with `args` (`--async` for asynchronous replication), or `None` (after a
    /// loud message) where PostgreSQL's server programs are not installed.
    pub fn start(tag: &str, args: &[&str]) -> Option<Rig> {
        if !Path::new(PG_BIN).join("pg_rewind").exists() {
            if std::env::var_os("CI").is_some() {
                panic!("{PG_BIN}/pg_rewind is missing in CI: scripts/test.sh installs postgresql (scripts/pg-cluster.sh) before the Rust tests");
            }
            use std::io::Write;
            let _ = std::io::stderr().write_all(
                format!("\n!!!!!! SKIPPED: the failover rig did not run: no PostgreSQL 15 server programs in {PG_BIN} (apt-get install postgresql) !!!!!!\n\n").as_bytes(),
            );
            return None;
        }
        let dir = std::env::temp_dir().join(format!("certdesk-rig-{tag}-{}", std::process::id()));
        let mut rig = Rig { dir, script: script(), url: String::new(), password_file: PathBuf::new(), primary_url: String::new(), standby_url: String::new() };
        let mut start = vec!["start"];
        start.extend_from_slice(args);
        let said = rig.run(&start);
        rig.read_env(&said);
        Some(rig)
    }

    fn read_env(&mut self, said: &BTreeMap<String, String>) {
        let get = |k: &str| said.get(k).unwrap_or_else(|| panic!("the rig did not say {k}: {said:?}")).clone();
        self.url = get("CERTDESK_HALL_URL");
        self.password_file = PathBuf::from(get("CERTDESK_HALL_PASSWORD_FILE"));
        self.primary_url = get("CERTDESK_HALL_PRIMARY_URL");
        self.standby_url = get("CERTDESK_HALL_STANDBY_URL");
    }

    /// Runs one command of the script; panics with its output when it fails. Returns its
    /// `KEY=VALUE` and `export KEY=VALUE` lines.
    pub fn run(&self, args: &[&str]) -> BTreeMap<String, String> {
        let out = Command::new("bash").arg(&self.script).args(args).env("CERTDESK_HALL_DIR", &self.dir).output().expect("running scripts/pg-failover.sh");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "pg-failover.sh {args:?} failed ({}):\n{stdout}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
        stdout.lines().filter_map(|l| l.trim_start_matches("export ").split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// The rig's folder (`CERTDESK_HALL_DIR` for a command that runs the script itself).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The script, for a command that runs it itself.
    pub fn script(&self) -> &Path {
        &self.script
    }

    /// The nodes' addresses again (after a failover the primary is the other one).
    pub fn refresh(&mut self) {
        let said = self.run(&["env"]);
        self.read_env(&said);
    }

    /// A Unix time in milliseconds a command said (`KILLED_AT`, `PROMOTED_AT`, `RESTORE_POINT`).
    pub fn moment(said: &BTreeMap<String, String>, key: &str) -> u64 {
        said.get(key).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("the rig did not say {key}: {said:?}"))
    }

    /// A raw client on one node's address (what no desk does: look behind the store).
    pub fn raw(&self, url: &str) -> postgres::Client {
        let pw = std::fs::read_to_string(&self.password_file).expect("the rig's password file");
        let mut config: postgres::Config = url.parse().expect("a node's address");
        config.password(pw.trim_end());
        config.connect(postgres::NoTls).expect("connecting to a node of the rig")
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(&self.script).arg("stop").env("CERTDESK_HALL_DIR", &self.dir).output();
    }
}
