//! A throwaway SCEP CA for the online enrolment's tests: Debian's `scep` package (micromdm's
//! `scepserver`, a project this repository did not write) with a new CA in a temp folder,
//! serving on a free loopback port with a challenge password, stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct ScepServer {
    child: Child,
    /// `http://127.0.0.1:<port>/scep`
    pub url: String,
    /// the CA certificate (PEM file) the RA presents
    pub ca_pem: PathBuf,
    pub challenge: String,
    /// where the server's log goes
    pub log: PathBuf,
}

/// Whether `scepserver` is on PATH (`scripts/deps.sh test` installs the `scep` package; a test
/// that needs it fails without it rather than skip).
pub fn available() -> bool {
    Command::new("scepserver").arg("-version").stdout(Stdio::null()).stderr(Stdio::null()).status().map(|s| s.success()).unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl ScepServer {
    /// A new CA in `dir/depot` (RSA 2048, to keep the set-up short) and the server on it.
    pub fn start(dir: &Path, challenge: &str) -> ScepServer {
        let depot = dir.join("depot");
        if !depot.join("ca.pem").exists() {
            let st = Command::new("scepserver")
                .args(["ca", "-init", "-keySize", "2048", "-country", "CN", "-organization", "certdesk test SCEP CA", "-organizational_unit", "SCEP"])
                .arg("-depot")
                .arg(&depot)
                .stdout(Stdio::null())
                .status()
                .expect("scepserver ca -init (the scep package)");
            assert!(st.success(), "scepserver ca -init failed");
        }
        let port = free_port();
        let log = dir.join(format!("scepserver-{port}.log"));
        let out = std::fs::File::create(&log).expect("the server's log");
        let child = Command::new("scepserver")
            .arg("-depot")
            .arg(&depot)
            .args(["-port", &port.to_string(), "-challenge", challenge, "-allowrenew", "0", "-debug"])
            .stdout(out.try_clone().expect("log"))
            .stderr(out)
            .spawn()
            .expect("scepserver");
        let url = format!("http://127.0.0.1:{port}/scep");
        let server = ScepServer { child, url, ca_pem: depot.join("ca.pem"), challenge: challenge.to_string(), log };
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(20), "scepserver did not listen on {port}: {}", std::fs::read_to_string(&server.log).unwrap_or_default());
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// The CA certificate, DER.
    pub fn ca_der(&self) -> Vec<u8> {
        let pem = std::fs::read(&self.ca_pem).expect("ca.pem");
        der::pem::decode_vec(&pem).expect("ca.pem is PEM").1
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ScepServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
