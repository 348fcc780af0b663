//! The unit's own certificate as proof of the unit (#74, seed 001: "用户如已开通单位法人数字证书，
//! 可凭单位法人数字证书到受理点，可以免去出示《事业单位法人证书》或《统一社会信用代码证书》的原件"):
//! the handler plugs the unit's organisation key, the desk makes a random challenge naming the
//! case and the unit, the key signs it (the handler's PIN, never kept), and the desk checks the
//! signature with the certificate, the certificate against the case's unit (its 统一社会信用代码),
//! its validity now and its chain to the project's CA (`forms/<project>/ca/`). The proof is
//! recorded on the case (`unit_proof`, the `unit_proved` event) and the checklist's items the
//! guide spares (`waived_by_unit_certificate`) no longer ask for the original. Owns the
//! challenge, those checks and keeping the proof across edits; which items are spared is the
//! catalog's.

use crate::DeskError;
use crate::api::Desk;
use crate::keydesk::KeyLibrary;
use certdesk_catalog::{Catalog, Project};
use certdesk_domain::{CaseData, CaseNumber, MaterialReceived, UnitProof};
use certdesk_store::CaseRecord;
use certdesk_token::cert::ParsedCert;
use certdesk_token::{Pin, TokenSel};
use sha2::{Digest, Sha256};

fn refused(why: UnitProofRefusal) -> DeskError {
    DeskError::UnitProof { why: Box::new(why) }
}

/// Why the unit's own certificate did not prove the unit (#74, #75): what the clerk reads
/// (`zh`) and the CLI prints.
#[derive(Debug, thiserror::Error)]
pub enum UnitProofRefusal {
    #[error("no random challenge: {0}")]
    NoChallenge(getrandom::Error),
    /// The key holds no valid certificate of the unit: the intake's own finding, in its words.
    #[error("{problem}")]
    NoCertificateOfTheUnit { problem: String, problem_zh: String },
    #[error("the certificate {serial} is not on the key")]
    NotOnKey { serial: String },
    #[error("the certificate {serial} on the key cannot be read")]
    Unreadable { serial: String },
    #[error("project {project}'s guide spares no original for a unit's certificate in this case's checklist")]
    NothingSpared { project: String },
    #[error("the case names no 统一社会信用代码 to prove")]
    NoUscc,
    #[error("project {project} has no CA certificate (forms/{project}/ca/): a unit's certificate cannot be checked against its CA")]
    NoProjectCa { project: String },
    #[error("the certificate {serial} does not chain to the project's CA: {error}")]
    NotUnderProjectCa { serial: String, error: certdesk_token::chain::ChainError },
    #[error("the certificate's chain ends at no CA of the project")]
    ChainEndsElsewhere,
    #[error("the key's signature does not verify with its certificate: {0}")]
    SignatureFails(certdesk_token::staff::SigError),
}

impl UnitProofRefusal {
    /// The refusal in the clerk's words.
    pub fn zh(&self) -> String {
        match self {
            UnitProofRefusal::NoChallenge(_) => "无法生成随机挑战码".into(),
            UnitProofRefusal::NoCertificateOfTheUnit { problem_zh, .. } => problem_zh.clone(),
            UnitProofRefusal::NotOnKey { serial } => format!("Key上没有证书（序列号 {serial}）"),
            UnitProofRefusal::Unreadable { serial } => format!("无法读取Key上的证书（序列号 {serial}）"),
            UnitProofRefusal::NothingSpared { .. } => "本项目指引未规定此类案件可凭单位证书免交原件".into(),
            UnitProofRefusal::NoUscc => "案件未填写统一社会信用代码，无法核验单位证书".into(),
            UnitProofRefusal::NoProjectCa { project } => format!("本项目未配置CA证书（forms/{project}/ca/），无法核验单位证书的签发机构"),
            UnitProofRefusal::NotUnderProjectCa { serial, error } => format!("单位证书（序列号 {serial}）不是本项目CA签发的：{}", error.zh()),
            UnitProofRefusal::ChainEndsElsewhere => "单位证书的证书链未到达本项目的CA".into(),
            UnitProofRefusal::SignatureFails(_) => "Key的签名无法用其证书验证".into(),
        }
    }
}

/// What the key signs: the desk's purpose, the case, the unit and 32 random bytes, so that a
/// signature made for another case, unit or moment proves nothing here.
fn challenge(number: &CaseNumber, uscc: &str) -> Result<String, DeskError> {
    let mut nonce = [0u8; 32];
    getrandom::fill(&mut nonce).map_err(|e| refused(UnitProofRefusal::NoChallenge(e)))?;
    let hex: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("certdesk unit proof\ncase {number}\nuscc {uscc}\nnonce {hex}\n"))
}

/// The items of the case's checklist whose original the unit's certificate spares.
fn spared_items(project: &Project, data: &CaseData) -> Vec<String> {
    project.checklist_of(data).into_iter().filter(|i| i.waived_by_unit_certificate).map(|i| i.id).collect()
}

/// Whether the unit of `data` may prove itself with its certificate: not proved yet, the case
/// names its code and its checklist has an original the guide spares.
pub fn offered(catalog: &Catalog, data: &CaseData) -> Result<bool, DeskError> {
    let project = crate::intake::project(catalog, &data.project)?;
    Ok(data.unit_proof.is_none() && data.organization.as_ref().is_some_and(|o| o.uscc.as_deref().is_some_and(|c| !c.trim().is_empty())) && !spared_items(project, data).is_empty())
}

/// Marks the checklist's spared items with the proof's certificate serial, and clears a mark
/// where the case holds no proof (the desk's marks only: the clerk never sets them).
pub(crate) fn mark_spared(project: &Project, data: &mut CaseData) {
    for line in &mut data.materials {
        line.by_unit_certificate = None;
    }
    let Some(serial) = data.unit_proof.as_ref().map(|p| p.serial.clone()) else { return };
    for id in spared_items(project, data) {
        match data.materials.iter_mut().find(|m| m.id == id) {
            Some(line) => line.by_unit_certificate = Some(serial.clone()),
            None => data.materials.push(MaterialReceived { by_unit_certificate: Some(serial.clone()), ..MaterialReceived::blank(&id) }),
        }
    }
}

/// The proof as the case keeps it across a save: never from the clerk's data (an imported case
/// brings none, an edit cannot make one), the stored one while the unit's code stays, and the
/// checklist's marks set to match. A warning says when a proof was dropped.
pub(crate) fn keep_proof(catalog: &Catalog, data: &mut CaseData, before: Option<&CaseData>) -> Result<Vec<certdesk_domain::FieldProblem>, DeskError> {
    let project = crate::intake::project(catalog, &data.project)?;
    let typed = data.unit_proof.take();
    let code = |d: &CaseData| d.organization.as_ref().and_then(|o| o.uscc.as_deref()).map(|c| c.trim().to_ascii_uppercase());
    let stored = before.and_then(|b| b.unit_proof.clone());
    let mut warnings = Vec::new();
    match stored {
        Some(proof) if code(data).as_deref() == Some(proof.uscc.as_str()) => data.unit_proof = Some(proof),
        Some(proof) => warnings.push(crate::intake::problem(
            "unit_proof",
            format!("the unit's code changed: the proof by its certificate {} no longer holds; prove the unit again", proof.serial),
            format!("单位的统一社会信用代码已修改，原单位证书（序列号 {}）的核验不再有效，请重新核验", proof.serial),
            certdesk_domain::Severity::Warning,
        )),
        None if typed.is_some() => warnings.push(crate::intake::problem(
            "unit_proof",
            "a proof by the unit's certificate is made at this desk (case prove-unit), never taken from case JSON: dropped".into(),
            "单位证书核验须在本受理台进行，案件数据中的核验记录已忽略".into(),
            certdesk_domain::Severity::Warning,
        )),
        None => {}
    }
    mark_spared(project, data);
    Ok(warnings)
}

/// The certificate on the key the unit brings that names the case's unit, valid now, parsed
/// (the unit's signing certificate, as the intake finds it for #71); the key is read once.
fn units_certificate(library: &KeyLibrary, sel: &TokenSel, uscc: &str) -> Result<ParsedCert, DeskError> {
    let views = library.keys().show(sel, None)?.certificates;
    let found = crate::old_key::unit_certificate(&crate::old_key::brought_of(&views), uscc, chrono::Utc::now());
    let Some(cert) = found.found else {
        return Err(refused(UnitProofRefusal::NoCertificateOfTheUnit { problem: found.problem.unwrap_or_default(), problem_zh: found.problem_zh.unwrap_or_default() }));
    };
    let view = views.iter().find(|v| v.sha256 == cert.sha256).ok_or_else(|| refused(UnitProofRefusal::NotOnKey { serial: cert.serial.clone() }))?;
    certdesk_token::cert::parse_many(&view.der).ok().and_then(|c| c.into_iter().next()).ok_or_else(|| refused(UnitProofRefusal::Unreadable { serial: cert.serial.clone() }))
}

impl Desk<'_> {
    /// Proves case `number`'s unit with its own certificate on the key `sel` (or the one key
    /// plugged in): the key signs the desk's challenge with `pin`, the signature, the unit's
    /// code, the certificate's validity and its chain to the project's CA are checked, and the
    /// proof is recorded with the items it spares. A clerk's step on an editable case.
    pub fn prove_unit(&mut self, catalog: &Catalog, number: &str, library: &KeyLibrary, sel: Option<&TokenSel>, pin: &Pin) -> Result<CaseRecord, DeskError> {
        let number = crate::api::case_number(number)?;
        let record = self.store.case(&number)?;
        let project = crate::intake::project(catalog, &record.data.project)?;
        if spared_items(project, &record.data).is_empty() {
            return Err(refused(UnitProofRefusal::NothingSpared { project: project.id.clone() }));
        }
        let Some(uscc) = record.data.organization.as_ref().and_then(|o| o.uscc.clone()).map(|c| c.trim().to_ascii_uppercase()) else {
            return Err(refused(UnitProofRefusal::NoUscc));
        };
        let anchors = crate::issue::project_anchors(catalog, &project.id)?;
        if anchors.is_empty() {
            return Err(refused(UnitProofRefusal::NoProjectCa { project: project.id.clone() }));
        }
        let sel = match sel {
            Some(s) => s.clone(),
            None => crate::old_key::the_plugged_key(library)?,
        };
        let cert = units_certificate(library, &sel, &uscc)?;
        let now = chrono::Utc::now();
        let distid = crate::issue::project_sm2_id(catalog, &project.id)?;
        let chain = certdesk_token::chain::build(&cert, &[], &anchors, now.timestamp(), &distid)
            .map_err(|error| refused(UnitProofRefusal::NotUnderProjectCa { serial: cert.serial_hex.clone(), error }))?;
        let anchor = chain.anchor.ok_or_else(|| refused(UnitProofRefusal::ChainEndsElsewhere))?;
        let statement = challenge(&number, &uscc)?;
        // the unit's key was issued by the project's CA: an SM2 key signs under the project's ID
        let signed = library.keys().sign_under(&sel, pin, &cert, statement.as_bytes(), &distid)?;
        certdesk_token::staff::verify_under(&cert, signed.algorithm, statement.as_bytes(), &signed.signature, &distid).map_err(|e| refused(UnitProofRefusal::SignatureFails(e)))?;
        let proof = UnitProof {
            serial: cert.serial_hex.clone(),
            subject: cert.subject.clone(),
            uscc,
            issuer: cert.issuer.clone(),
            not_after: cert.not_after.clone(),
            algorithm: signed.algorithm.wire().to_string(),
            anchor: anchor.subject.clone(),
            proved_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        };
        let mut data = record.data.clone();
        data.unit_proof = Some(proof.clone());
        mark_spared(project, &mut data);
        let event = certdesk_store::detail::UnitProved {
            serial: proof.serial,
            subject: proof.subject,
            issuer: proof.issuer,
            anchor: proof.anchor,
            algorithm: proof.algorithm,
            challenge_sha256: Sha256::digest(statement.as_bytes()).iter().map(|b| format!("{b:02x}")).collect(),
        };
        Ok(self.store.prove_unit(&number, &record.digest, &data, &event, &self.actor)?)
    }
}

#[cfg(test)]
mod refusal_tests {
    use super::*;

    /// The clerk reads each refusal in Chinese, the chain's own reason in Chinese too.
    #[test]
    fn a_refused_proof_says_why_in_the_clerks_words() {
        let foreign = UnitProofRefusal::NotUnderProjectCa { serial: "5A01".into(), error: certdesk_token::chain::ChainError::NoIssuer { issuer: "CN=Other CA".into() } };
        assert_eq!(foreign.zh(), "单位证书（序列号 5A01）不是本项目CA签发的：未随附签发者 CN=Other CA 的证书，本项目也不信任该CA");
        assert!(foreign.to_string().contains("does not chain to the project's CA"), "{foreign}");
        let err = refused(UnitProofRefusal::NoProjectCa { project: "netca-gd-pension".into() });
        assert_eq!(err.kind(), crate::ErrorKind::UnitProofRefused);
        assert_eq!(err.zh_detail().as_deref(), Some("本项目未配置CA证书（forms/netca-gd-pension/ca/），无法核验单位证书的签发机构"));
    }
}
