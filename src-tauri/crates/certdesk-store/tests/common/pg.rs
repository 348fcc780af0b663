//! The throwaway cluster as the tests see it (shared by the tests of `certdesk-store`
//! and of the CLI and the app through `#[path]`): `CERTDESK_TEST_PG` (a URL without password,
//! printed by `scripts/pg-cluster.sh`) and `CERTDESK_TEST_PG_PASSWORD_FILE`. Each test gets a
//! database of its own, dropped when it ends. Unset locally, the tests say so loudly and pass
//! without running; unset in CI (`CI` set), they fail.

#![allow(dead_code)]

use certdesk_store::pg::{Hall, HallAddress, ServerPassword};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

pub struct Server {
    url: String,
    password_file: PathBuf,
}

/// The test server, or `None` (after a loud message) when none is configured here.
pub fn server() -> Option<Server> {
    let Ok(url) = std::env::var("CERTDESK_TEST_PG") else {
        if std::env::var_os("CI").is_some() {
            panic!("CERTDESK_TEST_PG is not set in CI: scripts/test.sh starts the cluster (scripts/pg-cluster.sh) before the Rust tests");
        }
        // straight to the process's stderr, past the test harness's capture, once per binary
        static SAID: std::sync::Once = std::sync::Once::new();
        SAID.call_once(|| {
            use std::io::Write;
            let _ = std::io::stderr()
                .write_all(b"\n!!!!!! SKIPPED: the PostgreSQL tests did not run: CERTDESK_TEST_PG is unset. Run: eval \"$(bash scripts/pg-cluster.sh start)\" !!!!!!\n\n");
        });
        return None;
    };
    let password_file = std::env::var_os("CERTDESK_TEST_PG_PASSWORD_FILE").map(PathBuf::from).expect("CERTDESK_TEST_PG_PASSWORD_FILE names the test role's password file");
    Some(Server { url, password_file })
}

pub fn password(file: &std::path::Path) -> ServerPassword {
    ServerPassword::from_file(file).expect("the test role's password file")
}

/// A database of one test, dropped at the end.
pub struct TestDb {
    pub url: String,
    pub password_file: PathBuf,
    name: String,
    base: String,
}

impl Server {
    pub fn fresh_db(&self, tag: &str) -> TestDb {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!("certdesk_t_{tag}_{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
        let (prefix, _) = self.url.rsplit_once('/').expect("a database URL ends with /DB");
        raw_url(&self.url, &self.password_file).batch_execute(&format!("CREATE DATABASE {name}")).expect("creating the test database");
        TestDb { url: format!("{prefix}/{name}"), password_file: self.password_file.clone(), name, base: self.url.clone() }
    }
}

impl TestDb {
    /// The store of this database, as a desk opens it.
    pub fn open_store(&self) -> certdesk_store::Store {
        certdesk_store::Store::open_hall(&HallAddress::parse(&self.url).expect("test URL"), password(&self.password_file)).expect("opening the hall's store")
    }

    pub fn connect(&self) -> Hall {
        connect_url(&self.url, &self.password_file)
    }

    /// A raw client, for what no desk may do (tampering, terminating a backend).
    pub fn raw(&self) -> postgres::Client {
        raw_url(&self.url, &self.password_file)
    }
    /// A libpq password file for the test role in `dir` (`*:*:*:certdesk_test:PASSWORD`, mode
    /// 600), for a process that connects as a counter desk does (`PGPASSFILE`): its path.
    pub fn pgpass(&self, dir: &std::path::Path) -> String {
        let password = std::fs::read_to_string(&self.password_file).expect("the test role's password");
        let file = dir.join("pgpass");
        std::fs::write(&file, format!("# the hall\n*:*:*:certdesk_test:{}\n", password.trim_end())).expect("writing pgpass");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        }
        file.display().to_string()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = raw_url(&self.base, &self.password_file).batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
    }
}

pub fn connect_url(url: &str, password_file: &std::path::Path) -> Hall {
    let address = HallAddress::parse(url).expect("test URL");
    Hall::connect(&address, &password(password_file)).expect("connecting to the test server")
}

pub fn raw_url(url: &str, password_file: &std::path::Path) -> postgres::Client {
    let pw = std::fs::read_to_string(password_file).expect("password file");
    let mut config: postgres::Config = url.parse().expect("test URL");
    config.password(pw.trim_end());
    config.connect(postgres::NoTls).expect("raw connection to the test server")
}
