//! The materials rule of submission and approval: the catalog's checklist against what the
//! clerk recorded as received (`materials` in the case JSON). A required item not handed in
//! stops the submission unless the clerk records the applicant's promise to bring it later
//! (`to_follow`); the supervisor sees those promises and approves only by accepting them, and
//! both are written into the audit event. Owns that rule, not the checklist (the catalog) nor
//! the workflow moves (the store).

use crate::DeskError;
use certdesk_catalog::{Catalog, MaterialItem, MaterialKind};
use certdesk_domain::{CaseData, CaseNumber};
use serde::Serialize;

/// A required item of the checklist that the case does not have in full.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Missing {
    pub id: String,
    pub text: String,
    /// The applicant's promise recorded by the clerk (后补说明); `None`: not accounted for.
    pub to_follow: Option<String>,
}

/// The case's materials against its checklist.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct MaterialsState {
    /// Whether the case records a checklist at all (the intake screen always does; a case file
    /// imported from elsewhere may not).
    pub recorded: bool,
    pub missing: Vec<Missing>,
}

impl MaterialsState {
    /// `id: note` of each item to follow, as the audit event records them.
    pub fn to_follow(&self) -> Vec<String> {
        self.missing.iter().filter_map(|m| m.to_follow.as_ref().map(|n| format!("{}: {n}", m.id))).collect()
    }
}

fn received_in_full(item: &MaterialItem, data: &CaseData) -> bool {
    if item.optional {
        return true;
    }
    let Some(got) = data.materials.iter().find(|m| m.id == item.id) else { return false };
    let needs_original = item.original || item.kind == MaterialKind::OldKey || item.copies == 0;
    (!needs_original || got.original_seen) && got.copies_received >= item.copies
}

pub fn state(catalog: &Catalog, data: &CaseData) -> Result<MaterialsState, DeskError> {
    let project = catalog.project(&data.project).map_err(|e| DeskError::Invalid(e.to_string()))?;
    let missing = project
        .checklist(data.business, data.cert_kind)
        .iter()
        .filter(|item| !received_in_full(item, data))
        .map(|item| Missing { id: item.id.clone(), text: item.text.clone(), to_follow: data.materials.iter().find(|m| m.id == item.id).and_then(|m| m.to_follow.clone()) })
        .collect();
    Ok(MaterialsState { recorded: !data.materials.is_empty(), missing })
}

/// Submission: every required item received, or promised with a note. Returns the promises.
pub(crate) fn check_submit(catalog: &Catalog, number: &CaseNumber, data: &CaseData) -> Result<Option<Vec<String>>, DeskError> {
    let s = state(catalog, data)?;
    if !s.recorded {
        // a case file made elsewhere carries no checklist: nothing to hold it to (the
        // supervisor sees "not recorded" in the case view)
        return Ok(None);
    }
    let open: Vec<String> = s.missing.iter().filter(|m| m.to_follow.is_none()).map(|m| format!("{} ({})", m.id, m.text)).collect();
    if !open.is_empty() {
        return Err(DeskError::Refused {
            number: number.to_string(),
            why: format!(
                "required materials not received (材料未收齐): {}; tick them, or record what the applicant will bring later (后补说明, materials[].to_follow)",
                open.join("; ")
            ),
        });
    }
    let promised = s.to_follow();
    Ok((!promised.is_empty()).then_some(promised))
}

/// Approval: promised materials are approved only when the supervisor accepts them.
pub(crate) fn check_approve(catalog: &Catalog, number: &CaseNumber, data: &CaseData, accept_to_follow: bool) -> Result<Option<Vec<String>>, DeskError> {
    let promised = state(catalog, data)?.to_follow();
    if promised.is_empty() {
        return Ok(None);
    }
    if !accept_to_follow {
        return Err(DeskError::Refused {
            number: number.to_string(),
            why: format!("materials are to follow (材料后补): {}; approve only by accepting them (--accept-to-follow)", promised.join("; ")),
        });
    }
    Ok(Some(promised))
}
