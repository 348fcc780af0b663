//! What a purge leaves of a case past its retention (#30, docs/design-privacy.md §7.3): the
//! pure [`redact`] of the case data, and the paths it emptied. Owns which fields are personal
//! data; not when a case is due (`retention`), nor the store's writes (certdesk-store's purge).

use crate::case::{CaseData, Extra};

/// The case with every personal field removed: names and ID numbers `""` (their `id_type`
/// kept, so the case still parses), phones, e-mails, addresses, the payer, the materials'
/// promises, the notes and every `extra` (unknown fields may be personal) gone. What stays:
/// project, business, kind, quantities, fees and payment method, the CA's reference, the
/// organisation's name and identifiers (a unit's, not a person's). Also the paths emptied,
/// for the `purged` event.
pub fn redact(data: &CaseData) -> (CaseData, Vec<String>) {
    let mut d = data.clone();
    let mut fields = Vec::new();
    let mut note = |path: &str, had: bool| {
        if had {
            fields.push(path.to_string());
        }
    };
    fn take(s: &mut String) -> bool {
        let had = !s.is_empty();
        s.clear();
        had
    }
    fn drop_opt(s: &mut Option<String>) -> bool {
        s.take().is_some_and(|v| !v.is_empty())
    }
    fn drop_extra(e: &mut Extra) -> bool {
        let had = !e.is_empty();
        e.clear();
        had
    }
    let h = &mut d.handler;
    note("handler.name", take(&mut h.name));
    note("handler.id_number", take(&mut h.id_number));
    note("handler.mobile", drop_opt(&mut h.mobile));
    note("handler.email", drop_opt(&mut h.email));
    note("handler.address", drop_opt(&mut h.address));
    note("handler.extra", drop_extra(&mut h.extra));
    if let Some(o) = d.organization.as_mut() {
        note("organization.phone", drop_opt(&mut o.phone));
        note("organization.email", drop_opt(&mut o.email));
        note("organization.postcode", drop_opt(&mut o.postcode));
        note("organization.legal_address", drop_opt(&mut o.legal_address));
        note("organization.mailing_address", drop_opt(&mut o.mailing_address));
        note("organization.extra", drop_extra(&mut o.extra));
        if let Some(r) = o.legal_rep.as_mut() {
            note("organization.legal_rep.name", take(&mut r.name));
            note("organization.legal_rep.id_number", take(&mut r.id_number));
            note("organization.legal_rep.mobile", drop_opt(&mut r.mobile));
            note("organization.legal_rep.extra", drop_extra(&mut r.extra));
        }
    }
    for (i, e) in d.employees.iter_mut().enumerate() {
        note(&format!("employees[{i}].name"), take(&mut e.name));
        note(&format!("employees[{i}].id_number"), take(&mut e.id_number));
        note(&format!("employees[{i}].email"), drop_opt(&mut e.email));
        note(&format!("employees[{i}].extra"), drop_extra(&mut e.extra));
    }
    if let Some(p) = d.payment.as_mut() {
        note("payment.payer_account", drop_opt(&mut p.payer_account));
        note("payment.payer_name", drop_opt(&mut p.payer_name));
        note("payment.extra", drop_extra(&mut p.extra));
    }
    if let Some(v) = d.delivery.as_mut() {
        note("delivery.recipient", drop_opt(&mut v.recipient));
        note("delivery.phone", drop_opt(&mut v.phone));
        note("delivery.address", drop_opt(&mut v.address));
        note("delivery.extra", drop_extra(&mut v.extra));
    }
    if let Some(v) = d.invoice.as_mut() {
        note("invoice.email", drop_opt(&mut v.email));
        note("invoice.phone", drop_opt(&mut v.phone));
        note("invoice.extra", drop_extra(&mut v.extra));
    }
    for (i, m) in d.materials.iter_mut().enumerate() {
        note(&format!("materials[{i}].to_follow"), drop_opt(&mut m.to_follow));
        note(&format!("materials[{i}].extra"), drop_extra(&mut m.extra));
    }
    note("notes", take(&mut d.notes));
    note("extra", drop_extra(&mut d.extra));
    (d, fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: &str = include_str!("../../../../tests/fixtures/case-org-new.json");
    const EMPLOYEES: &str = include_str!("../../../../tests/fixtures/case-employees-new.json");

    #[test]
    fn no_name_id_number_or_phone_is_left_and_the_case_still_parses() {
        for text in [ORG, EMPLOYEES] {
            let case = CaseData::from_json(text).unwrap();
            let (redacted, fields) = redact(&case);
            let json = redacted.canonical_json();
            let mut personal = vec![case.handler.name.clone(), case.handler.id_number.clone()];
            personal.extend(case.handler.mobile.clone());
            personal.extend(case.employees.iter().flat_map(|e| [e.name.clone(), e.id_number.clone()]));
            if let Some(r) = case.organization.as_ref().and_then(|o| o.legal_rep.as_ref()) {
                personal.extend([r.name.clone(), r.id_number.clone()]);
            }
            for p in personal.iter().filter(|p| !p.is_empty()) {
                assert!(!json.contains(p.as_str()), "{p} left in {json}");
            }
            assert!(fields.contains(&"handler.name".to_string()) && fields.contains(&"handler.id_number".to_string()));
            let back = CaseData::from_json(&json).unwrap();
            assert_eq!(back, redacted);
            assert_eq!(back.project, case.project);
            assert_eq!(back.organization.as_ref().map(|o| &o.name), case.organization.as_ref().map(|o| &o.name));
            // twice changes nothing more
            assert_eq!(redact(&redacted), (redacted.clone(), vec![]));
        }
    }
}
