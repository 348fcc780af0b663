//! A case's certificates (#28), derived from the case data and never stored beside it: an
//! employee case has one per row of its 附页 in row order; an organisation or personal case of
//! quantity N has N of the same subject. Each has a stable 1-based index (the key desk's events
//! name it), its holder and the holder's identifier, and its business type and years. Owns the
//! derivation only; which key events belong to which certificate, and the rules that freeze the
//! annex once keys are made, live with the store's events and the workflow.

use crate::case::{BusinessType, CaseData, CertKind};
use serde::Serialize;

/// One certificate of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertSlot {
    /// 1-based, in the annex's row order (employees) or 1..=quantity
    pub index: u32,
    /// whose certificate: the employee, the organisation, or the person
    pub holder: String,
    /// the holder's identifier: the employee's or person's ID number, the organisation's USCC
    /// (else its organisation code or other identifier)
    pub holder_id: Option<String>,
    pub business: BusinessType,
    pub years: Option<u32>,
}

/// The certificates `data` asks for, in index order.
pub fn certificates(data: &CaseData) -> Vec<CertSlot> {
    match data.cert_kind {
        CertKind::Employee => data
            .employees
            .iter()
            .enumerate()
            .map(|(i, e)| CertSlot {
                index: i as u32 + 1,
                holder: e.name.trim().to_string(),
                holder_id: Some(e.id_number.trim().to_string()).filter(|s| !s.is_empty()),
                business: e.business,
                years: e.years.or(data.years),
            })
            .collect(),
        CertKind::Organization | CertKind::Personal => {
            let (holder, holder_id) = match (&data.cert_kind, &data.organization) {
                (CertKind::Organization, Some(org)) => {
                    let id = [&org.uscc, &org.org_code, &org.other_id].into_iter().flatten().map(|s| s.trim()).find(|s| !s.is_empty()).map(str::to_string);
                    (org.name.trim().to_string(), id)
                }
                _ => (data.handler.name.trim().to_string(), Some(data.handler.id_number.trim().to_string()).filter(|s| !s.is_empty())),
            };
            (1..=data.quantity.max(1)).map(|index| CertSlot { index, holder: holder.clone(), holder_id: holder_id.clone(), business: data.business, years: data.years }).collect()
        }
    }
}

/// The certificates a case's chain speaks of: [`certificates`], unless the chain has key-desk
/// events that name no certificate (written before a case could have several): such a case
/// was made as one certificate, the first, and stays so.
pub fn on_chain(data: &CaseData, untagged_key_events: bool) -> Vec<CertSlot> {
    let mut all = certificates(data);
    if untagged_key_events {
        all.truncate(1);
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> CaseData {
        let path = format!("{}/../../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        CaseData::from_json(&std::fs::read_to_string(path).expect("a fixture")).expect("a case")
    }

    #[test]
    fn an_employee_case_has_one_certificate_per_annex_row_in_order() {
        let data = fixture("case-employees-new.json");
        let certs = certificates(&data);
        assert_eq!(certs.len(), data.employees.len());
        for (i, (c, e)) in certs.iter().zip(&data.employees).enumerate() {
            assert_eq!((c.index, c.holder.as_str(), c.holder_id.as_deref()), (i as u32 + 1, e.name.trim(), Some(e.id_number.trim())));
            assert_eq!(c.years, e.years.or(data.years));
        }
    }

    #[test]
    fn an_organisation_case_of_quantity_n_has_n_certificates_of_the_same_subject() {
        let mut data = fixture("case-org-new.json");
        data.quantity = 3;
        let certs = certificates(&data);
        assert_eq!(certs.iter().map(|c| c.index).collect::<Vec<_>>(), [1, 2, 3]);
        let org = data.organization.as_ref().expect("an organisation");
        assert!(certs.iter().all(|c| c.holder == org.name.trim() && c.holder_id == org.uscc.as_deref().map(str::trim).map(str::to_string)));
        // a personal case: the handler is the holder
        data.cert_kind = CertKind::Personal;
        data.quantity = 1;
        let certs = certificates(&data);
        assert_eq!((certs.len(), certs[0].holder.as_str()), (1, data.handler.name.trim()));
    }

    #[test]
    fn an_old_chain_without_certificate_numbers_is_one_certificate() {
        let data = fixture("case-employees-new.json");
        assert!(data.employees.len() > 1);
        assert_eq!(on_chain(&data, true).len(), 1);
        assert_eq!(on_chain(&data, false).len(), data.employees.len());
    }
}
