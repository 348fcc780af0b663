//! A test operator CA for staff keys (#31), made and run by OpenSSL's command line: a
//! self-signed P-256 or RSA root that issues a staff certificate for a request made on a key (so
//! the private key is only ever on the token). The SM2 operator CA is [`crate::gm_ca::GmCa`].
//! Owns no rule of the product.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The key family of an operator CA and of the certificates it issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaKey {
    P256,
    Rsa,
}

/// A root CA in `<dir>/<name>.pem` with its key `<dir>/<name>.key`.
pub struct OperatorCa {
    dir: PathBuf,
    name: String,
    pub cert: PathBuf,
    key: PathBuf,
}

fn openssl(args: &[&str]) -> std::process::Output {
    let out = Command::new("openssl").args(args).output().expect("openssl (scripts/deps.sh test installs it)");
    assert!(out.status.success(), "openssl {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    out
}

impl OperatorCa {
    pub fn new(dir: &Path, name: &str, key: CaKey) -> OperatorCa {
        let (cert, key_file) = (dir.join(format!("{name}.pem")), dir.join(format!("{name}.key")));
        let newkey: &[&str] = match key {
            CaKey::P256 => &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            CaKey::Rsa => &["-newkey", "rsa:2048"],
        };
        let subject = format!("/C=CN/O=certdesk test/CN={name}");
        let (c, k) = (cert.display().to_string(), key_file.display().to_string());
        let mut args = vec!["req", "-x509"];
        args.extend_from_slice(newkey);
        args.extend_from_slice(&[
            "-nodes",
            "-subj",
            &subject,
            "-days",
            "3650",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout",
            &k,
            "-out",
            &c,
        ]);
        openssl(&args);
        OperatorCa { dir: dir.to_path_buf(), name: name.to_string(), cert, key: key_file }
    }

    /// The CA's certificate, PEM.
    pub fn cert_pem(&self) -> String {
        std::fs::read_to_string(&self.cert).expect("the CA certificate")
    }

    /// A staff certificate (digitalSignature) for the PEM request `csr_pem`, valid from a day
    /// ago for `days`, in `<dir>/<file>.pem`.
    pub fn issue(&self, csr_pem: &str, file: &str, days: u32) -> PathBuf {
        self.issue_for(csr_pem, file, days, "digitalSignature,nonRepudiation")
    }

    /// [`OperatorCa::issue`] with another keyUsage (`keyEncipherment`: an encryption
    /// certificate, which is no staff certificate).
    pub fn issue_for(&self, csr_pem: &str, file: &str, days: u32, key_usage: &str) -> PathBuf {
        self.issue_numbered(csr_pem, file, days, key_usage, None)
    }

    /// [`OperatorCa::issue`] with the serial number `serial_hex` (hex digits) instead of the
    /// CA's next: a forger's copy of another CA's certificate (#78).
    pub fn issue_with_serial(&self, csr_pem: &str, file: &str, days: u32, serial_hex: &str) -> PathBuf {
        self.issue_numbered(csr_pem, file, days, "digitalSignature,nonRepudiation", Some(serial_hex))
    }

    fn issue_numbered(&self, csr_pem: &str, file: &str, days: u32, key_usage: &str, serial_hex: Option<&str>) -> PathBuf {
        let csr = self.dir.join(format!("{file}.csr"));
        std::fs::write(&csr, csr_pem).expect("the request");
        let ext = self.dir.join(format!("{file}.ext"));
        std::fs::write(&ext, format!("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,{key_usage}\n")).expect("the extensions");
        let out = self.dir.join(format!("{file}.pem"));
        let serial = self.dir.join(format!("{}.srl", self.name));
        let p = |p: &Path| p.display().to_string();
        let days = days.to_string();
        let (ca_cert, ca_key, csr, ext, out_file, serial_file) = (p(&self.cert), p(&self.key), p(&csr), p(&ext), p(&out), p(&serial));
        let set_serial = serial_hex.map(|s| format!("0x{s}"));
        let mut args = vec!["x509", "-req", "-in", &csr, "-CA", &ca_cert, "-CAkey", &ca_key];
        match &set_serial {
            Some(s) => args.extend(["-set_serial", s.as_str()]),
            None => args.extend(["-CAserial", &serial_file, "-CAcreateserial"]),
        }
        args.extend(["-days", &days, "-sha256", "-extfile", &ext, "-out", &out_file]);
        openssl(&args);
        out
    }
}
