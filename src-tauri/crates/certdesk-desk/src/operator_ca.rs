//! The installation's operator CA (#78): the CA certificate every staff certificate must chain
//! to, kept outside the store, so that whoever can write the store (a copy, or the data key)
//! can neither enrol a certificate of their own CA nor forge an approval afterwards and have
//! `audit verify` pass it. Owns where its file is looked for (`CERTDESK_OPERATOR_CA`, then the
//! installation's configuration folder, then the user's), reading it (bounded, CA certificates
//! only), installing it at the first enrolment when none is installed (trust on first use, a
//! file of this account's only), the chain of a staff certificate to it at a time, and the
//! signature check the store is handed with it ([`AnchoredCheck`]). Not the enrolment's other
//! checks nor the statements a staff key signs (`staff`), nor where the environment comes from
//! (the adapters, `place::Environment`).

use crate::DeskError;
use crate::place::Environment;
use crate::staff::TokenCheck;
use certdesk_store::staff_keys::SignatureCheck;
use certdesk_token::cert::{ParsedCert, der_to_pem, parse_many};
use certdesk_token::staff;
use serde::Serialize;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The anchor's file name in a configuration folder's `certdesk` folder.
pub const FILE_NAME: &str = "operator-ca.pem";

/// The largest anchor file read: a few CA certificates are a few kilobytes.
pub const MAX_FILE_BYTES: u64 = 256 * 1024;

/// Where the anchor in force was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum AnchorSource {
    /// `CERTDESK_OPERATOR_CA`
    Environment,
    /// the installation's configuration folder (`/etc/certdesk`, `%ProgramData%\certdesk`)
    Installation,
    /// the user's configuration folder (`$XDG_CONFIG_HOME/certdesk`, `%APPDATA%\certdesk`),
    /// written by the first enrolment when no anchor was installed
    User,
}

/// An installed anchor: its file, where that was found, its CA certificates.
#[derive(Debug, Clone)]
pub struct Anchor {
    pub path: PathBuf,
    pub source: AnchorSource,
    certificates: Vec<ParsedCert>,
}

impl Anchor {
    /// The SHA-256 of its certificates' DER, hex, comma-separated.
    pub fn fingerprint(&self) -> String {
        self.certificates.iter().map(|c| staff::fingerprint(&c.der)).collect::<Vec<_>>().join(",")
    }

    /// Its certificates' subjects.
    pub fn subjects(&self) -> Vec<String> {
        self.certificates.iter().map(|c| c.subject.clone()).collect()
    }
}

/// The installation's operator CA as the environment and the configuration folders hold it:
/// the anchor in force, if one is installed, and where the first enrolment installs one.
#[derive(Debug, Clone, Default)]
pub struct OperatorCa {
    installed: Option<Anchor>,
    first_use: Option<PathBuf>,
}

/// What the adapters say of the anchor (`audit verify`, the day's check).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct AnchorView {
    pub path: String,
    pub source: AnchorSource,
    pub sha256: String,
    pub subjects: Vec<String>,
}

impl OperatorCa {
    /// Looks for the anchor: `CERTDESK_OPERATOR_CA` (a file that must be there: an
    /// administrator's explicit choice is never passed over), else the installation's
    /// configuration folder, else the user's. A file found that cannot be read, or holds
    /// anything but CA certificates, is an error naming it: a damaged anchor is never taken as
    /// none.
    pub fn find(env: &Environment) -> Result<OperatorCa, DeskError> {
        let first_use = env.user_config_dir().map(|d| d.join("certdesk").join(FILE_NAME));
        if let Some(path) = &env.operator_ca {
            return Ok(OperatorCa { installed: Some(read_anchor(path, AnchorSource::Environment)?), first_use: None });
        }
        let folders = [(env.installation_config.as_ref().map(|d| d.join("certdesk").join(FILE_NAME)), AnchorSource::Installation), (first_use.clone(), AnchorSource::User)];
        for (path, source) in folders {
            if let Some(path) = path
                && std::fs::symlink_metadata(&path).is_ok()
            {
                return Ok(OperatorCa { installed: Some(read_anchor(&path, source)?), first_use: None });
            }
        }
        Ok(OperatorCa { installed: None, first_use })
    }

    /// An operator CA read from `path` as if `CERTDESK_OPERATOR_CA` named it (a benchmark's or
    /// a test's set-up).
    pub fn from_file(path: &Path) -> Result<OperatorCa, DeskError> {
        Ok(OperatorCa { installed: Some(read_anchor(path, AnchorSource::Environment)?), first_use: None })
    }

    /// The anchor in force, if one is installed.
    pub fn anchor(&self) -> Option<&Anchor> {
        self.installed.as_ref()
    }

    /// The anchor as the adapters show it.
    pub fn view(&self) -> Option<AnchorView> {
        self.installed.as_ref().map(|a| AnchorView { path: a.path.display().to_string(), source: a.source, sha256: a.fingerprint(), subjects: a.subjects() })
    }

    /// Where the first enrolment installs the anchor when none is installed.
    pub fn first_use_path(&self) -> Option<&Path> {
        self.first_use.as_deref()
    }

    /// `leaf` chained to the installed anchor at `at_unix`, through the CA certificates `sent`
    /// (not trusted themselves); why not, in words. Without an installed anchor: an error.
    pub fn chain(&self, leaf: &ParsedCert, sent: &[ParsedCert], at_unix: i64) -> Result<(), NotAnchored> {
        let Some(anchor) = &self.installed else { return Err(NotAnchored::NoneInstalled) };
        let chain = certdesk_token::chain::build(leaf, sent, &anchor.certificates, at_unix, &staff::staff_distid()).map_err(NotAnchored::Chain)?;
        match chain.anchor {
            Some(_) => Ok(()),
            None => Err(NotAnchored::EndsElsewhere { subject: leaf.subject.clone() }),
        }
    }

    /// Installs `ca` (the operator CA an enrolment chained to) as the user's anchor when none
    /// is installed (trust on first use): written whole or not at all, readable by this account
    /// only. Answers the anchor now in force.
    pub(crate) fn install_first(&self, ca: &ParsedCert) -> Result<OperatorCa, DeskError> {
        let Some(path) = &self.first_use else {
            return Err(DeskError::OperatorCa { path: "(none installed)".into(), why: AnchorProblem::NowhereToInstall });
        };
        let failed = |e: std::io::Error| DeskError::OperatorCa { path: path.display().to_string(), why: AnchorProblem::NotInstalled(e) };
        if let Some(dir) = path.parent() {
            certdesk_store::private::create_dir_all(dir).map_err(failed)?;
        }
        let tmp = path.with_extension("pem.partial");
        {
            use std::io::Write;
            let mut file = certdesk_store::private::open_options().write(true).create_new(true).open(&tmp).map_err(failed)?;
            let written = file.write_all(der_to_pem(&ca.der).as_bytes()).and_then(|()| file.sync_all());
            if let Err(e) = written {
                let _ = std::fs::remove_file(&tmp);
                return Err(failed(e));
            }
        }
        // never over an anchor another process installed meanwhile
        let installed = std::fs::hard_link(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        installed.map_err(failed)?;
        Ok(OperatorCa { installed: Some(Anchor { path: path.clone(), source: AnchorSource::User, certificates: vec![ca.clone()] }), first_use: None })
    }

    /// Removes an anchor [`OperatorCa::install_first`] installed (the enrolment it was for
    /// was refused by the store).
    pub(crate) fn uninstall_first(&self) {
        if let Some(a) = &self.installed
            && a.source == AnchorSource::User
        {
            let _ = std::fs::remove_file(&a.path);
        }
    }
}

/// Why a staff certificate does not chain to the installation's operator CA.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotAnchored {
    #[error("no operator CA is installed")]
    NoneInstalled,
    #[error("{0}")]
    Chain(certdesk_token::chain::ChainError),
    #[error("{subject} does not end at it")]
    EndsElsewhere { subject: String },
}

/// What is wrong with the installation's operator CA file, or with installing one.
#[derive(Debug, thiserror::Error)]
pub enum AnchorProblem {
    #[error("cannot be read: {0}")]
    Unreadable(std::io::Error),
    #[error("is not a file")]
    NotAFile,
    #[error("is larger than {MAX_FILE_BYTES} bytes: not an operator CA certificate")]
    TooLarge,
    #[error("{0}")]
    NotCertificates(certdesk_token::cert::CertError),
    #[error("holds no certificate")]
    NoCertificate,
    #[error("holds {subject}, which is no CA certificate")]
    NotACa { subject: String },
    #[error("no operator CA is installed and this account has no configuration folder to install one in: set CERTDESK_OPERATOR_CA to the operator CA's certificate file")]
    NowhereToInstall,
    #[error("installing the operator CA: {0}")]
    NotInstalled(std::io::Error),
}

/// Reads an anchor file: at most [`MAX_FILE_BYTES`], PEM or DER, one or more CA certificates.
fn read_anchor(path: &Path, source: AnchorSource) -> Result<Anchor, DeskError> {
    let refused = |why: AnchorProblem| DeskError::OperatorCa { path: path.display().to_string(), why };
    let file = std::fs::File::open(path).map_err(|e| refused(AnchorProblem::Unreadable(e)))?;
    if !file.metadata().map_err(|e| refused(AnchorProblem::Unreadable(e)))?.is_file() {
        return Err(refused(AnchorProblem::NotAFile));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| refused(AnchorProblem::Unreadable(e)))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(refused(AnchorProblem::TooLarge));
    }
    let certificates = parse_many(&bytes).map_err(|e| refused(AnchorProblem::NotCertificates(e)))?;
    if certificates.is_empty() {
        return Err(refused(AnchorProblem::NoCertificate));
    }
    if let Some(leaf) = certificates.iter().find(|c| !c.is_ca) {
        return Err(refused(AnchorProblem::NotACa { subject: leaf.subject.clone() }));
    }
    Ok(Anchor { path: path.to_path_buf(), source, certificates })
}

/// The store's signature check with the installation's operator CA (#78): the signatures as
/// [`TokenCheck`] checks them, each certificate chained to the anchor at its time.
pub struct AnchoredCheck<'a>(pub &'a OperatorCa);

impl SignatureCheck for AnchoredCheck<'_> {
    fn check(&self, certificate_der: &[u8], algorithm: &str, message: &[u8], signature: &[u8]) -> Result<(), certdesk_domain::workflow::SignatureFailure> {
        TokenCheck.check(certificate_der, algorithm, message, signature)
    }

    fn digest(&self, certificate_der: &[u8], algorithm: &str, message: &[u8]) -> Result<Vec<u8>, certdesk_domain::workflow::SignatureFailure> {
        TokenCheck.digest(certificate_der, algorithm, message)
    }

    fn operator_ca(&self) -> Option<String> {
        self.0.anchor().map(Anchor::fingerprint)
    }

    fn chains_to_operator_ca(&self, certificate_der: &[u8], sent_pem: &str, at: &str) -> Result<(), String> {
        let leaf = parse_many(certificate_der).map_err(|e| e.to_string())?.into_iter().next().ok_or("no certificate")?;
        // the enrolment's CA certificates only help build the path: the anchor is the installation's
        let sent = parse_many(sent_pem.as_bytes()).unwrap_or_default();
        let at = chrono::DateTime::parse_from_rfc3339(at).map_err(|e| format!("the time {at:?}: {e}"))?.timestamp();
        self.0.chain(&leaf, &sent, at).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::place::Platform;

    fn env(dir: &Path) -> Environment {
        Environment {
            installation_config: Some(dir.join("etc")),
            config_home: Some(dir.join("config")),
            platform: Platform { home: Some(dir.join("home")), temp: dir.to_path_buf(), ..Platform::default() },
            ..Environment::default()
        }
    }

    #[test]
    fn the_anchor_is_looked_for_in_the_environment_then_the_installation_then_the_user_folder() {
        let dir = tempfile::tempdir().unwrap();
        let mut e = env(dir.path());
        let found = OperatorCa::find(&e).unwrap();
        assert!(found.anchor().is_none());
        assert_eq!(found.first_use_path(), Some(dir.path().join("config/certdesk/operator-ca.pem").as_path()));
        // without XDG_CONFIG_HOME: the home's .config (Unix)
        e.config_home = None;
        #[cfg(unix)]
        assert_eq!(OperatorCa::find(&e).unwrap().first_use_path(), Some(dir.path().join("home/.config/certdesk/operator-ca.pem").as_path()));
        e.config_home = Some(dir.path().join("config"));

        // a damaged file is an error naming it, never "no anchor"
        let user = dir.path().join("config/certdesk/operator-ca.pem");
        std::fs::create_dir_all(user.parent().unwrap()).unwrap();
        std::fs::write(&user, "not a certificate").unwrap();
        let err = OperatorCa::find(&e).unwrap_err();
        assert!(err.to_string().contains(&user.display().to_string()), "{err}");
        assert!(matches!(err, DeskError::OperatorCa { why: AnchorProblem::NotCertificates(_), .. }), "{err:?}");
        // so is a huge one, read no further than the bound
        std::fs::write(&user, vec![b'A'; MAX_FILE_BYTES as usize + 10]).unwrap();
        let err = OperatorCa::find(&e).unwrap_err();
        assert!(matches!(err, DeskError::OperatorCa { why: AnchorProblem::TooLarge, .. }) && err.to_string().contains("larger than"), "{err:?}");
        // the installation's folder wins over the user's, the environment over both
        let system = dir.path().join("etc/certdesk/operator-ca.pem");
        std::fs::create_dir_all(system.parent().unwrap()).unwrap();
        std::fs::write(&system, "still no certificate").unwrap();
        assert!(OperatorCa::find(&e).unwrap_err().to_string().contains(&system.display().to_string()));
        let named = dir.path().join("named.pem");
        e.operator_ca = Some(named.clone());
        let err = OperatorCa::find(&e).unwrap_err();
        assert!(err.to_string().contains(&named.display().to_string()) && err.to_string().contains("cannot be read"), "a named file that is not there: {err}");
        assert!(matches!(&err, DeskError::OperatorCa { why: AnchorProblem::Unreadable(io), .. } if io.kind() == std::io::ErrorKind::NotFound), "{err:?}");
    }
}
