//! What the counter has on file for a unit (#74, `certdesk unit show USCC`): from the store's
//! cases of the unit (by its 统一社会信用代码, cancelled ones left out), the authorisation letters
//! its handlers brought with their holder and validity (授权期限), and the certificates the key
//! desk wrote for it here, with their holder, end of validity and the key they went onto (read
//! off each case's audit chain). At intake a handler whose letter is on file and still holds is
//! not asked for it again: the checklist's 授权书 line is marked 在案 with that case's number.
//! Owns which case's facts count as the unit's, and that mark.

use crate::DeskError;
use crate::api::{Desk, case_number};
use certdesk_domain::Status;
use serde::Serialize;

/// An authorisation letter the counter has seen for the unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Authorization {
    /// The person the unit authorised (the case's handler).
    pub holder: String,
    pub holder_id: String,
    /// The letter's last day (YYYY-MM-DD).
    pub until: String,
    /// Whether it still holds on the counter's day.
    pub valid: bool,
    /// The case it came with.
    pub case: String,
    /// That case's project: a letter is on the CA's own form, on file for its project only.
    pub project: String,
}

/// A certificate the key desk wrote for the unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct IssuedHere {
    /// Hex, as the key desk records it.
    pub serial: String,
    pub holder: String,
    pub not_after: String,
    /// The serial of the key it was written to.
    pub key_serial: String,
    pub case: String,
}

/// The `unit show` contract: `{authorizations: [{holder, until}], licence_valid_until,
/// certificates: [{serial, holder, not_after, key_serial}]}` and what it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct UnitOnFile {
    pub uscc: String,
    /// The unit's name on its newest case.
    pub name: Option<String>,
    /// The unit's cases, newest first.
    pub cases: Vec<String>,
    /// Newest first.
    pub authorizations: Vec<Authorization>,
    /// The licence's validity on the unit's newest case that gives it (`YYYY-MM-DD` or 长期).
    pub licence_valid_until: Option<String>,
    /// Newest first.
    pub certificates: Vec<IssuedHere>,
}

/// The unit's letter on file for the handler `holder_id` at `project` (each CA has its own
/// 授权书) that still holds, not the one of the case being corrected (`editing`).
fn letter_for<'a>(on_file: &'a UnitOnFile, project: &str, holder_id: &str, editing: Option<&str>) -> Option<&'a Authorization> {
    on_file.authorizations.iter().find(|a| a.valid && a.project == project && a.holder_id.eq_ignore_ascii_case(holder_id.trim()) && Some(a.case.as_str()) != editing)
}

/// What the intake shows of the unit being typed before it is saved (#74: "intake shows what is
/// on file and still valid and asks only for what is not"): the checklist lines a letter on file
/// covers for this handler, and what else the counter holds of the unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct IntakeOnFile {
    /// The checklist items (by id) the handler's letter on file covers, with the letter.
    pub letters: Vec<LetterOnFile>,
    /// The unit's cases here (cancelled ones left out).
    pub cases: usize,
    pub licence_valid_until: Option<String>,
    /// Certificates the key desk wrote for the unit here.
    pub certificates: usize,
}

/// A checklist line an authorisation letter on file covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct LetterOnFile {
    pub id: String,
    pub holder: String,
    pub until: String,
    pub case: String,
}

/// What the intake is typing: enough to find the unit, the handler and the checklist.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, ts_rs::TS)]
pub struct IntakeTyped {
    pub project: String,
    pub business: certdesk_domain::BusinessType,
    pub cert_kind: certdesk_domain::CertKind,
    pub uscc: String,
    #[serde(default)]
    pub handler_id: String,
    #[serde(default)]
    pub holders: Option<u32>,
    /// The case being corrected (its own letter is not "on file" for itself).
    #[serde(default)]
    pub editing: Option<String>,
}

/// How many of a unit's cases are read (a unit's history at one counter is far shorter).
const MAX_CASES: usize = 2000;

impl Desk<'_> {
    /// What the counter has on file for the unit `uscc`, on `today`.
    pub fn unit_on_file(&self, uscc: &str, today: chrono::NaiveDate) -> Result<UnitOnFile, DeskError> {
        self.read_unit(uscc, today, true)
    }

    /// [`Desk::unit_on_file`], with the certificates written here (each case's audit chain read)
    /// only when `certificates` asks for them: the intake's letter check needs the cases alone.
    fn read_unit(&self, uscc: &str, today: chrono::NaiveDate, certificates: bool) -> Result<UnitOnFile, DeskError> {
        let code = certdesk_domain::ident::CreditCode::parse(uscc)
            .map_err(|e| {
                DeskError::InvalidCase(vec![crate::intake::problem(
                    "organization.uscc",
                    format!("{uscc:?} is not a 统一社会信用代码: {e}"),
                    format!("“{uscc}”不是正确的统一社会信用代码"),
                    certdesk_domain::Severity::Error,
                )])
            })?
            .as_str()
            .to_string();
        let mut out = UnitOnFile { uscc: code.clone(), name: None, cases: Vec::new(), authorizations: Vec::new(), licence_valid_until: None, certificates: Vec::new() };
        let mut hits = self.store.search(&code, MAX_CASES)?;
        hits.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.number.cmp(&a.number)));
        for hit in hits {
            let number = case_number(&hit.number)?;
            let rec = self.store.case(&number)?;
            let Some(org) = rec.data.organization.as_ref().filter(|o| o.uscc.as_deref() == Some(code.as_str())) else { continue };
            if rec.status == Status::Cancelled {
                continue;
            }
            out.name.get_or_insert_with(|| org.name.clone());
            if out.licence_valid_until.is_none() {
                out.licence_valid_until = org.license_valid_until.clone();
            }
            out.cases.push(rec.number.to_string());
            if let Some(until) = rec.data.handler.authorization_until.as_deref() {
                let valid = chrono::NaiveDate::parse_from_str(until, "%Y-%m-%d").is_ok_and(|d| d >= today);
                out.authorizations.push(Authorization {
                    holder: rec.data.handler.name.clone(),
                    holder_id: rec.data.handler.id_number.clone(),
                    until: until.to_string(),
                    valid,
                    case: rec.number.to_string(),
                    project: rec.data.project.clone(),
                });
            }
            if !certificates {
                continue;
            }
            for event in self.store.history(&number)?.iter().rev().filter(|e| e.action == certdesk_store::AuditAction::CertificateWritten.wire()) {
                let text = |key: &str| event.detail.get(key).and_then(|v| v.as_str()).unwrap_or_default().to_string();
                let serial = text("certificate_serial");
                if serial.is_empty() || out.certificates.iter().any(|c| c.serial == serial) {
                    continue;
                }
                let holder = match text("holder") {
                    h if h.is_empty() => org.name.clone(),
                    h => h,
                };
                out.certificates.push(IssuedHere { serial, holder, not_after: text("not_after"), key_serial: text("token_serial"), case: rec.number.to_string() });
            }
        }
        Ok(out)
    }
}

impl Desk<'_> {
    /// What the counter holds of the unit the intake is typing (nothing for a code that is not
    /// a valid 统一社会信用代码 yet: the clerk is still typing it).
    pub fn intake_on_file(&self, catalog: &certdesk_catalog::Catalog, typed: &IntakeTyped) -> Result<IntakeOnFile, DeskError> {
        let project = crate::intake::project(catalog, &typed.project)?;
        if certdesk_domain::ident::CreditCode::parse(&typed.uscc).is_err() {
            return Ok(IntakeOnFile { letters: Vec::new(), cases: 0, licence_valid_until: None, certificates: 0 });
        }
        let on_file = self.read_unit(&typed.uscc, chrono::Local::now().date_naive(), true)?;
        let letter = letter_for(&on_file, &typed.project, &typed.handler_id, typed.editing.as_deref()).filter(|_| !typed.handler_id.trim().is_empty());
        let letters = project
            .checklist_for(typed.business, typed.cert_kind, typed.holders.unwrap_or(1))
            .into_iter()
            .filter(|i| i.kind == certdesk_catalog::MaterialKind::Authorization)
            .filter_map(|i| letter.map(|l| LetterOnFile { id: i.id, holder: l.holder.clone(), until: l.until.clone(), case: l.case.clone() }))
            .collect();
        let own = |case: &str| typed.editing.as_deref() == Some(case);
        Ok(IntakeOnFile {
            letters,
            cases: on_file.cases.iter().filter(|c| !own(c)).count(),
            licence_valid_until: on_file.licence_valid_until,
            certificates: on_file.certificates.len(),
        })
    }

    /// Marks the case's authorisation-letter lines 在案 where the unit's handler brought a letter
    /// that still holds with an earlier case (#74), and clears the mark where none does (the
    /// mark is the desk's: a case file's own is not trusted). The warnings say what was found.
    pub(crate) fn letters_on_file(
        &self,
        catalog: &certdesk_catalog::Catalog,
        data: &mut certdesk_domain::CaseData,
        editing: Option<&str>,
    ) -> Result<Vec<certdesk_domain::FieldProblem>, DeskError> {
        for line in &mut data.materials {
            line.on_file = None;
        }
        let project = crate::intake::project(catalog, &data.project)?;
        let letters: Vec<certdesk_catalog::MaterialItem> = project.checklist_of(data).into_iter().filter(|i| i.kind == certdesk_catalog::MaterialKind::Authorization).collect();
        let Some(uscc) = data.organization.as_ref().and_then(|o| o.uscc.clone()) else { return Ok(Vec::new()) };
        if letters.is_empty() || data.handler.id_number.trim().is_empty() {
            return Ok(Vec::new());
        }
        let on_file = self.read_unit(&uscc, chrono::Local::now().date_naive(), false)?;
        let Some(letter) = letter_for(&on_file, &data.project, &data.handler.id_number, editing) else {
            return Ok(Vec::new());
        };
        let mut warnings = Vec::new();
        for item in &letters {
            let line = match data.materials.iter_mut().find(|m| m.id == item.id) {
                Some(line) => line,
                None => {
                    data.materials.push(certdesk_domain::MaterialReceived::blank(&item.id));
                    data.materials.last_mut().expect("just pushed")
                }
            };
            line.on_file = Some(letter.case.clone());
            line.to_follow = None;
            warnings.push(crate::intake::problem(
                &format!("materials.{}", item.id),
                format!("{} is on file: {}'s letter came with case {}, valid until {}; not asked again", item.text, letter.holder, letter.case, letter.until),
                format!("{}已在案（案件{}，{}的授权期限至{}），本次无须再交", item.text, letter.case, letter.holder, letter.until),
                certdesk_domain::Severity::Warning,
            ));
        }
        Ok(warnings)
    }
}
