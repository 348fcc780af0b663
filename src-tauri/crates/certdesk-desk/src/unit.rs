//! What the counter has on file for a unit (#74, `certdesk unit show USCC`): from the store's
//! cases of the unit (by its 统一社会信用代码, cancelled ones left out), the authorisation letters
//! its handlers brought with their holder and validity (授权期限), and the certificates the key
//! desk wrote for it here, with their holder, end of validity and the key they went onto (read
//! off each case's audit chain). Reads only. Owns which case's facts count as the unit's.

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
    /// The licence's validity: no case records it yet (null).
    pub licence_valid_until: Option<String>,
    /// Newest first.
    pub certificates: Vec<IssuedHere>,
}

/// How many of a unit's cases are read (a unit's history at one counter is far shorter).
const MAX_CASES: usize = 2000;

impl Desk<'_> {
    /// What the counter has on file for the unit `uscc`, on `today`.
    pub fn unit_on_file(&self, uscc: &str, today: chrono::NaiveDate) -> Result<UnitOnFile, DeskError> {
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
            out.cases.push(rec.number.to_string());
            if let Some(until) = rec.data.handler.authorization_until.as_deref() {
                let valid = chrono::NaiveDate::parse_from_str(until, "%Y-%m-%d").is_ok_and(|d| d >= today);
                out.authorizations.push(Authorization {
                    holder: rec.data.handler.name.clone(),
                    holder_id: rec.data.handler.id_number.clone(),
                    until: until.to_string(),
                    valid,
                    case: rec.number.to_string(),
                });
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
