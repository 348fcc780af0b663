//! Online enrolment (#72, "one plug per key"): a project's RA, set by the administrator (its
//! `http://` address, the CA certificate it must present, the challenge password its operator
//! gave), and the key desk's step that makes the key pair, signs the request on the key, sends
//! it to the RA over SCEP and imports the certificate that comes back, while the key stays
//! plugged. Owns the RA's settings (`ra.<project>.url|ca|challenge` in the store's settings;
//! the challenge never on the audit chain) and that step; not the protocol (`certdesk_scep`)
//! nor the checks of an issued certificate (`issue::import_cert`, the same as a CA's file).

use crate::DeskError;
use crate::api::{Desk, case_number};
use crate::issue::{self, Generated, ImportedCert, RequestFiles};
use crate::keydesk::KeyLibrary;
use crate::rounds::CertChoice;
use certdesk_catalog::Catalog;
use certdesk_domain::workflow::Role;
use certdesk_store::Store;
use certdesk_token::cert::ParsedCert;
use certdesk_token::{Algo, Pin, TokenSel};
use serde::Serialize;
use zeroize::Zeroizing;

/// The longest challenge password taken (RFC 2985: a DirectoryString of up to 255 characters).
pub const MAX_CHALLENGE_CHARS: usize = 255;

fn key(project: &str, part: &str) -> String {
    format!("ra.{project}.{part}")
}

/// A project's RA as the administrator sees it (the challenge only as set or not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct RaView {
    pub project: String,
    pub url: String,
    pub ca_subject: String,
    pub ca_sha256: String,
    pub ca_not_after: String,
    pub challenge_set: bool,
}

/// The RA set for `project`, if any (all three parts set).
pub(crate) fn settings(store: &Store, project: &str) -> Result<Option<(certdesk_scep::Ra, ParsedCert)>, DeskError> {
    let get = |part: &str| -> Result<Option<String>, DeskError> { Ok(store.setting(&key(project, part))?.filter(|v| !v.trim().is_empty())) };
    let (Some(url), Some(ca), Some(challenge)) = (get("url")?, get("ca")?, get("challenge")?) else { return Ok(None) };
    let challenge = Zeroizing::new(challenge);
    let ca = certdesk_token::cert::parse_many(ca.as_bytes()).map_err(certdesk_token::TokenError::from)?.remove(0);
    Ok(Some((certdesk_scep::Ra { url, ca_der: ca.der.clone(), challenge }, ca)))
}

/// Whether `project` has an RA set: its three settings there (read on every key desk poll, so
/// the CA certificate is not parsed here; `settings` checks it when it is used).
pub(crate) fn is_set(store: &Store, project: &str) -> Result<bool, DeskError> {
    for part in ["url", "ca", "challenge"] {
        if store.setting(&key(project, part))?.is_none_or(|v| v.trim().is_empty()) {
            return Ok(false);
        }
    }
    Ok(true)
}

fn view(project: &str, ra: &certdesk_scep::Ra, ca: &ParsedCert) -> RaView {
    RaView {
        project: project.to_string(),
        url: ra.url.clone(),
        ca_subject: ca.subject.clone(),
        ca_sha256: certdesk_scep::sha256_hex(&ca.der),
        ca_not_after: ca.not_after.clone(),
        challenge_set: !ra.challenge.is_empty(),
    }
}

/// What the key desk's online step did: the key pair and request, and the certificate the RA
/// issued, checked and kept with the case.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Enrolled {
    pub generated: Generated,
    pub imported: ImportedCert,
}

impl Desk<'_> {
    /// The RA set for `project` (`None`: offline only).
    pub fn ra(&self, catalog: &Catalog, project: &str) -> Result<Option<RaView>, DeskError> {
        crate::intake::project(catalog, project)?;
        Ok(settings(self.store, project)?.map(|(ra, ca)| view(project, &ra, &ca)))
    }

    /// Sets `project`'s RA (administrators): its address (`http://…`), the CA certificate it
    /// must present (PEM or DER) and the challenge password. Each is checked before any is
    /// written.
    pub fn set_ra(&mut self, catalog: &Catalog, project: &str, url: &str, ca_certificate: &[u8], challenge: &str) -> Result<RaView, DeskError> {
        self.require("set a project's online enrolment", Role::Admin)?;
        crate::intake::project(catalog, project)?;
        let url = url.trim();
        certdesk_scep::http::parse_url(url).map_err(|e| DeskError::Ra { project: project.to_string(), source: e })?;
        crate::limits::check_size("the CA certificate file", ca_certificate.len(), crate::limits::MAX_CERTIFICATE)?;
        let ca = certdesk_token::cert::parse_many(ca_certificate).map_err(certdesk_token::TokenError::from)?.remove(0);
        if challenge.is_empty() {
            return Err(DeskError::EmptySecret { what: "the RA's challenge password" });
        }
        if challenge.chars().count() > MAX_CHALLENGE_CHARS || challenge.chars().any(char::is_control) {
            return Err(DeskError::OutOfRange {
                what: "the RA's challenge password",
                value: "…".into(),
                range: format!("1–{MAX_CHALLENGE_CHARS} characters, no control characters"),
            });
        }
        let actor = self.actor.clone();
        self.store.set_setting(&key(project, "url"), url, &actor)?;
        self.store.set_setting(&key(project, "ca"), &certdesk_token::cert::der_to_pem(&ca.der), &actor)?;
        self.store.set_setting(&key(project, "challenge"), challenge, &actor)?;
        let (ra, ca) = settings(self.store, project)?.ok_or(DeskError::RaNotSet { project: project.to_string() })?;
        Ok(view(project, &ra, &ca))
    }

    /// Takes `project` back to offline issuance (administrators).
    pub fn clear_ra(&mut self, catalog: &Catalog, project: &str) -> Result<(), DeskError> {
        self.require("set a project's online enrolment", Role::Admin)?;
        crate::intake::project(catalog, project)?;
        let actor = self.actor.clone();
        for part in ["url", "ca", "challenge"] {
            if self.store.setting(&key(project, part))?.is_some_and(|v| !v.is_empty()) {
                self.store.set_setting(&key(project, part), "", &actor)?;
            }
        }
        Ok(())
    }

    /// Asks `project`'s RA for its certificates (GetCACert) and checks that the pinned CA
    /// certificate is among them: what the administrator tries after setting it.
    pub fn try_ra(&self, catalog: &Catalog, project: &str) -> Result<RaView, DeskError> {
        crate::intake::project(catalog, project)?;
        let (ra, ca) = settings(self.store, project)?.ok_or(DeskError::RaNotSet { project: project.to_string() })?;
        certdesk_scep::ra_certificates(&ra).map_err(|e| DeskError::Ra { project: project.to_string(), source: e })?;
        Ok(view(project, &ra, &ca))
    }
}

/// The online step: a key pair on the plugged key, the request signed on it with the RA's
/// challenge, sent to the project's RA, and the certificate it issues checked and kept as a
/// CA's file would be (the RA's pinned CA certificate trusted besides the project's). When the
/// RA fails, the key pair and request stay (the request package is written as offline) and the
/// error says why: send the package to the CA, or make the key again once the RA answers.
#[allow(clippy::too_many_arguments)]
pub(crate) fn enrol(
    desk: &mut Desk<'_>,
    keys: &KeyLibrary,
    catalog: &Catalog,
    number: &str,
    sel: &TokenSel,
    pin: &Pin,
    algo: Algo,
    cert: CertChoice,
    files: &RequestFiles,
) -> Result<Enrolled, DeskError> {
    let parsed = case_number(number)?;
    let project = desk.store.case(&parsed)?.data.project.clone();
    let (ra, ca) = settings(desk.store, &project)?.ok_or(DeskError::RaNotSet { project: project.clone() })?;
    if algo == Algo::Sm2 {
        return Err(certdesk_token::ONLINE_NOT_FOR_SM2.into());
    }
    let generated = issue::generate_for(desk, keys, catalog, number, sel, pin, algo, cert, files, Some(ra.challenge.as_str()))?;
    let ra_error = |e| DeskError::Ra { project: project.clone(), source: e };
    let csr = pem_body(&generated.csr_pem).map_err(ra_error)?;
    let signer = certdesk_scep::Signer::shared().map_err(ra_error)?;
    let got = certdesk_scep::enrol(&ra, &csr, &signer).map_err(ra_error)?;
    let bundle: String = std::iter::once(&got.certificate).chain(&got.chain).chain(&got.ca_certificates).map(|d| certdesk_token::cert::der_to_pem(d)).collect();
    let imported = issue::import_cert_from(desk, catalog, number, bundle.as_bytes(), std::slice::from_ref(&ca), Some(&format!("scep {}", ra.url)))?;
    Ok(Enrolled { generated, imported })
}

/// The request's DER from the PEM the token layer made.
fn pem_body(pem: &str) -> Result<Vec<u8>, certdesk_scep::ScepError> {
    use base64::Engine;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body.trim()).map_err(|e| certdesk_scep::ScepError::Request(certdesk_scep::RequestProblem::Pem(Box::new(e))))
}
