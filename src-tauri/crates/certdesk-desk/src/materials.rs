//! The materials rule of submission and approval: the catalog's checklist against what the
//! clerk recorded as received (`materials` in the case JSON). Each item's state is the
//! catalog's (`MaterialItem::state`: received, optional, to follow, missing), the one the case
//! page, the intake form and the receipt all show. A required item not handed in stops the
//! submission unless the clerk records the applicant's promise to bring it later
//! (`to_follow`); the supervisor sees those promises and approves only by accepting them, and
//! both are written into the audit event. Owns that rule, not the checklist (the catalog) nor
//! the workflow moves (the store).

use crate::DeskError;
use certdesk_catalog::{Catalog, MaterialItem, MaterialState};
use certdesk_domain::{CaseData, CaseNumber, MaterialReceived};
use serde::Serialize;

/// A required item of the checklist that the case does not have in full.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Missing {
    pub id: String,
    pub text: String,
    /// The applicant's promise recorded by the clerk (后补说明); `None`: not accounted for.
    pub to_follow: Option<String>,
}

/// One checklist item and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ItemState {
    pub id: String,
    pub text: String,
    pub state: MaterialState,
    /// The applicant's promise, for an item to follow.
    pub to_follow: Option<String>,
}

/// The case's materials against its checklist.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct MaterialsState {
    /// Whether the case records a checklist at all (the intake screen always does; a case file
    /// imported from elsewhere may not).
    pub recorded: bool,
    /// Every item of the checklist with its state.
    pub items: Vec<ItemState>,
    /// The required items not handed in in full (to follow or missing).
    pub missing: Vec<Missing>,
}

impl MaterialsState {
    /// `id (text)` of each required item neither handed in in full nor promised (后补): what
    /// stops submission and approval.
    pub fn unaccounted(&self) -> Vec<String> {
        self.missing.iter().filter(|m| m.to_follow.is_none()).map(|m| format!("{} ({})", m.id, m.text)).collect()
    }

    /// `id: note` of each item to follow, as the audit event records them.
    pub fn to_follow(&self) -> Vec<String> {
        self.missing.iter().filter_map(|m| m.to_follow.as_ref().map(|n| format!("{}: {n}", m.id))).collect()
    }
}

/// The states of a checklist for what the clerk recorded (the intake form asks as it is ticked).
pub fn states(checklist: &[MaterialItem], received: &[MaterialReceived]) -> MaterialsState {
    let items: Vec<ItemState> = checklist
        .iter()
        .map(|item| {
            let got = received.iter().find(|m| m.id == item.id);
            let state = item.state(got);
            let to_follow = if state == MaterialState::ToFollow { got.and_then(|g| g.to_follow.clone()) } else { None };
            ItemState { id: item.id.clone(), text: item.text.clone(), state, to_follow }
        })
        .collect();
    let missing = items
        .iter()
        .filter(|i| matches!(i.state, MaterialState::ToFollow | MaterialState::Missing))
        .map(|i| Missing { id: i.id.clone(), text: i.text.clone(), to_follow: i.to_follow.clone() })
        .collect();
    MaterialsState { recorded: !received.is_empty(), items, missing }
}

/// 全部收齐: every required item of the checklist received in full (`MaterialItem::received_in_full`);
/// an optional item stays as recorded (the clerk ticks it: #35, a 汇款凭证 ticked for a card
/// payment had the receipt and the case page disagree). The lines in checklist order, then
/// anything recorded the checklist does not list.
pub fn all_received(checklist: &[MaterialItem], received: &[MaterialReceived]) -> Vec<MaterialReceived> {
    let mut out: Vec<MaterialReceived> = checklist
        .iter()
        .filter_map(|item| {
            let got = received.iter().find(|m| m.id == item.id);
            if item.optional { got.cloned() } else { Some(item.received_in_full(got)) }
        })
        .collect();
    out.extend(received.iter().filter(|m| !checklist.iter().any(|i| i.id == m.id)).cloned());
    out
}

/// What the clerk records of a case's checklist outside the intake form (`case materials`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MaterialsChange {
    /// 全部收齐 (`all_received`).
    AllReceived,
    /// One line: the copies taken, the original seen, the applicant's promise (后补说明).
    Item { id: String, copies: u32, original: bool, to_follow: Option<String> },
}

/// The case's checklist lines after `change`; an item the case's checklist does not list is
/// refused, naming the ones it does.
pub fn apply(checklist: &[MaterialItem], received: &[MaterialReceived], change: &MaterialsChange) -> Result<Vec<MaterialReceived>, DeskError> {
    match change {
        MaterialsChange::AllReceived => Ok(all_received(checklist, received)),
        MaterialsChange::Item { id, copies, original, to_follow } => {
            if !checklist.iter().any(|i| &i.id == id) {
                return Err(DeskError::UnknownValue { what: "checklist item", value: id.clone(), known: checklist.iter().map(|i| i.id.as_str()).collect::<Vec<_>>().join(", ") });
            }
            let line = MaterialReceived {
                original_seen: *original,
                copies_received: *copies,
                to_follow: to_follow.clone().filter(|t| !t.trim().is_empty()),
                ..MaterialReceived::blank(id)
            };
            let mut out: Vec<MaterialReceived> = received.iter().filter(|m| &m.id != id).cloned().collect();
            out.push(line);
            Ok(out)
        }
    }
}

/// A case JSON with its checklist recorded as all received (全部收齐), as the intake's clerk
/// ticks it: for a case file made elsewhere that is to be taken through the second check in
/// one go (the benchmarks' cases). The JSON is otherwise as given.
pub fn case_json_all_received(catalog: &Catalog, json: &str) -> Result<String, DeskError> {
    let mut value: serde_json::Value = serde_json::from_str(json).map_err(|e| DeskError::invalid_json(None, e))?;
    let data = CaseData::from_json(json).map_err(|e| DeskError::invalid_json(None, e))?;
    let checklist = crate::intake::project(catalog, &data.project)?.checklist_of(&data);
    value["materials"] = serde_json::to_value(all_received(&checklist, &data.materials)).map_err(|e| DeskError::invalid_json(None, e))?;
    Ok(value.to_string())
}

pub fn state(catalog: &Catalog, data: &CaseData) -> Result<MaterialsState, DeskError> {
    let project = crate::intake::project(catalog, &data.project)?;
    Ok(states(&project.checklist_of(data), &data.materials))
}

/// Submission: every required item received, or promised with a note. Returns the promises.
pub(crate) fn check_submit(catalog: &Catalog, number: &CaseNumber, data: &CaseData) -> Result<Option<Vec<String>>, DeskError> {
    let s = state(catalog, data)?;
    // a case file made elsewhere with no checklist recorded has every required item missing
    // (#79: such a case went through the second check with nothing ticked); the clerk records
    // it (全部收齐, `case materials`) as at the intake
    refuse_missing(number, &s)?;
    let promised = s.to_follow();
    Ok((!promised.is_empty()).then_some(promised))
}

/// A required item neither handed in in full nor promised (后补) stops the case.
fn refuse_missing(number: &CaseNumber, s: &MaterialsState) -> Result<(), DeskError> {
    let open = s.unaccounted();
    if open.is_empty() {
        return Ok(());
    }
    Err(DeskError::MaterialsMissing { number: number.to_string(), missing: open })
}

/// Approval: every required item received or promised, as at submission (a case submitted
/// before the rule held, or whose materials were edited since, is held to it here too); the
/// promised ones approved only when the supervisor accepts them.
pub(crate) fn check_approve(catalog: &Catalog, number: &CaseNumber, data: &CaseData, accept_to_follow: bool) -> Result<Option<Vec<String>>, DeskError> {
    let s = state(catalog, data)?;
    refuse_missing(number, &s)?;
    let promised = s.to_follow();
    if promised.is_empty() {
        return Ok(None);
    }
    if !accept_to_follow {
        return Err(DeskError::MaterialsToFollow { number: number.to_string(), promised });
    }
    Ok(Some(promised))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_item_has_one_state_the_screens_and_the_receipt_read() {
        let catalog = Catalog::embedded().unwrap();
        let p = catalog.projects.values().next().unwrap();
        let list = p.checklist(p.business_types[0], p.cert_kinds[0]);
        let item = list.iter().find(|i| !i.optional && i.copies > 0).expect("a required item with copies");
        let got = |original_seen, copies_received, to_follow: Option<&str>| MaterialReceived {
            id: item.id.clone(),
            original_seen,
            copies_received,
            to_follow: to_follow.map(str::to_string),
            on_file: None,
            by_unit_certificate: None,
            extra: Default::default(),
        };
        let state_of = |r: Vec<MaterialReceived>| states(&list, &r).items.into_iter().find(|i| i.id == item.id).unwrap();
        assert_eq!(state_of(vec![]).state, MaterialState::Missing);
        assert_eq!(state_of(vec![got(true, item.copies, None)]).state, MaterialState::Received);
        let promised = state_of(vec![got(false, 0, Some("下周一补交"))]);
        assert_eq!((promised.state, promised.to_follow.as_deref()), (MaterialState::ToFollow, Some("下周一补交")));
        // a note on an item handed in in full is no promise
        assert_eq!(state_of(vec![got(true, item.copies, Some("x"))]).to_follow, None);
    }

    #[test]
    fn all_received_ticks_every_required_item_and_leaves_an_optional_one() {
        let catalog = Catalog::embedded().unwrap();
        let (list, optional) = catalog
            .projects
            .values()
            .flat_map(|p| p.business_types.iter().flat_map(move |b| p.cert_kinds.iter().map(move |k| p.checklist(*b, *k))))
            .find_map(|l| l.iter().find(|i| i.optional).cloned().map(|o| (l, o)))
            .expect("a checklist with an optional item");
        let promised = list.iter().find(|i| !i.optional).unwrap();
        let before = vec![MaterialReceived {
            id: promised.id.clone(),
            original_seen: false,
            copies_received: 0,
            to_follow: Some("明天".into()),
            on_file: None,
            by_unit_certificate: None,
            extra: Default::default(),
        }];
        let after = all_received(&list, &before);
        let s = states(&list, &after);
        assert!(s.items.iter().filter(|i| i.id != optional.id).all(|i| i.state == MaterialState::Received), "{s:?}");
        assert_eq!(s.items.iter().find(|i| i.id == optional.id).unwrap().state, MaterialState::Optional, "the clerk ticks an optional item");
        assert!(after.iter().all(|m| m.to_follow.is_none()), "no promise left for what was handed in");
    }

    #[test]
    fn a_case_with_no_checklist_recorded_is_neither_submitted_nor_approved() {
        let catalog = Catalog::embedded().unwrap();
        let json = include_str!("../../../../tests/fixtures/case-org-new.json");
        let bare = CaseData::from_json(json).unwrap();
        assert!(bare.materials.is_empty(), "the fixture records no checklist");
        let number = CaseNumber::parse("GZ01-20261120-0001").unwrap();
        for refused in [check_submit(&catalog, &number, &bare), check_approve(&catalog, &number, &bare, true)] {
            match refused {
                Err(DeskError::MaterialsMissing { missing, .. }) => assert!(!missing.is_empty()),
                other => panic!("refused as missing: {other:?}"),
            }
        }
        // 全部收齐: both pass, with no promise to accept
        let recorded = CaseData::from_json(&case_json_all_received(&catalog, json).unwrap()).unwrap();
        assert_eq!(check_submit(&catalog, &number, &recorded).unwrap(), None);
        assert_eq!(check_approve(&catalog, &number, &recorded, false).unwrap(), None);
        // one item promised: submitted with the promise; approved only by accepting it
        let mut promised = recorded.clone();
        let line = promised.materials.iter_mut().next().unwrap();
        (line.copies_received, line.original_seen, line.to_follow) = (0, false, Some("下周一补交".into()));
        assert!(check_submit(&catalog, &number, &promised).unwrap().is_some());
        assert!(matches!(check_approve(&catalog, &number, &promised, false), Err(DeskError::MaterialsToFollow { .. })));
        assert!(check_approve(&catalog, &number, &promised, true).unwrap().is_some());
    }
}
