//! What a returning unit is offered (#74, `certdesk case triage`): from the unit's certificate on
//! the key it brings (read by `old_key`, no PIN) and its project's `[[triage]]` entries, the
//! business type, the route (online, counter, post), the guide's words that decide it and the
//! checklist that follows; the typed data compared with the certificate's subject, each
//! difference listed; a 续期 whose data differ refused where the guide says the data must stay
//! (seed 001) and offered as 变更. Owns the choice of the certificate judged and the counting of
//! days on the counter's local day; the entries themselves are the catalog's.

use crate::DeskError;
use crate::old_key::BroughtCert;
use certdesk_catalog::{MaterialItem, Project, TriageRoute, Validity};
use certdesk_domain::{BusinessType, CaseData, CertKind, same_unit};
use certdesk_token::CertUsage;
use serde::Serialize;

/// Seed 001's words for `renewal_keeps_data`.
pub const RENEWAL_KEEPS_DATA: &str = "办理证书更新业务时，证书的任何信息必须为原来的信息，不能变更，否则请选择新申请或变更";

/// A field whose typed value differs from the certificate on the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Difference {
    /// The case JSON's path (`organization.name`, `organization.uscc`).
    pub field: String,
    pub typed: String,
    pub on_key: String,
}

/// A business type the typed case asked for and the guide refuses for this key, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Refused {
    pub business: BusinessType,
    pub why: String,
}

/// What the counter offers the unit that brought the key (the `case triage` contract:
/// `business_type, route, reason, materials, differences`).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Triage {
    pub business_type: BusinessType,
    pub route: TriageRoute,
    pub route_zh: String,
    /// The guide's words that decide it (or what the counter says where the guide is silent).
    pub reason: String,
    /// Whether `reason` quotes the project's guide.
    pub quoted: bool,
    /// The checklist of `business_type` (empty where the guide asks no paper).
    pub materials: Vec<MaterialItem>,
    pub differences: Vec<Difference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub refused: Option<Refused>,
    /// The certificate judged.
    pub certificate: BroughtCert,
    pub state: Validity,
    /// Days left while valid, days past its end once expired, on the counter's day.
    pub days: i64,
}

/// What the clerk has typed of the unit so far (a whole case JSON, or the intake's fields).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, ts_rs::TS)]
pub struct Typed {
    #[serde(default)]
    pub cert_kind: Option<CertKind>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub uscc: Option<String>,
    /// Certificate holders (an employee case's annex rows), for per-holder copies.
    #[serde(default)]
    pub holders: Option<u32>,
}

impl Typed {
    pub fn of(data: &CaseData) -> Typed {
        let org = data.organization.as_ref();
        Typed { cert_kind: Some(data.cert_kind), name: org.map(|o| o.name.clone()), uscc: org.and_then(|o| o.uscc.clone()), holders: Some(data.employees.len().max(1) as u32) }
    }
}

/// Why the key an applicant brings gives no certificate of theirs to judge.
#[derive(Debug, thiserror::Error)]
pub enum NoUnitCertificate {
    #[error("the key holds no certificate of the applicant (only CA certificates, or none)")]
    NoneOnKey,
    #[error("the certificate {serial} has no readable end of validity ({not_after}): {source}")]
    UnreadableEnd {
        serial: String,
        not_after: String,
        #[source]
        source: chrono::ParseError,
    },
}

/// The unit's certificate among `certs` (as `read_certs` lists them, the newest first): a
/// signing one naming the typed unit's code, else one naming any code, else any signing one.
fn judged<'a>(certs: &'a [BroughtCert], uscc: Option<&str>) -> Option<&'a BroughtCert> {
    let signing = || certs.iter().filter(|c| c.usage == CertUsage::Sign);
    uscc.and_then(|code| signing().find(|c| c.subject.uscc.as_deref() == Some(code))).or_else(|| signing().find(|c| c.subject.uscc.is_some())).or_else(|| signing().next())
}

/// The certificate's last day on the counter's clock, and where `today` stands from it.
fn standing(cert: &BroughtCert, today: chrono::NaiveDate) -> Result<(Validity, i64), DeskError> {
    let end = chrono::DateTime::parse_from_rfc3339(&cert.not_after)
        .map_err(|source| DeskError::NoUnitCertificate { why: NoUnitCertificate::UnreadableEnd { serial: cert.serial.clone(), not_after: cert.not_after.clone(), source } })?;
    let last_day = end.with_timezone(&chrono::Local).date_naive();
    let days = (last_day - today).num_days();
    Ok(if days >= 0 { (Validity::Valid, days) } else { (Validity::Expired, -days) })
}

/// The typed unit against the certificate's subject: its name (O, or CN without one) and its
/// 统一社会信用代码 where both give one.
fn differences(typed: &Typed, cert: &BroughtCert) -> Vec<Difference> {
    let mut out = Vec::new();
    if let (Some(name), Some(on_key)) = (typed.name.as_deref().filter(|n| !n.trim().is_empty()), cert.subject.o.as_deref().or(cert.subject.cn.as_deref()))
        && !same_unit(name, on_key)
    {
        out.push(Difference { field: "organization.name".into(), typed: name.to_string(), on_key: on_key.to_string() });
    }
    if let (Some(typed_code), Some(on_key)) = (typed.uscc.as_deref().map(str::trim).filter(|c| !c.is_empty()), cert.subject.uscc.as_deref())
        && !typed_code.eq_ignore_ascii_case(on_key)
    {
        out.push(Difference { field: "organization.uscc".into(), typed: typed_code.to_string(), on_key: on_key.to_string() });
    }
    out
}

/// What `project` offers the unit whose key holds `certs`, on `today`, with the typed case
/// (if any) compared with the key.
pub fn triage(project: &Project, certs: &[BroughtCert], typed: Option<&Typed>, today: chrono::NaiveDate) -> Result<Triage, DeskError> {
    let uscc = typed.and_then(|t| t.uscc.as_deref());
    let Some(cert) = judged(certs, uscc) else {
        return Err(DeskError::NoUnitCertificate { why: NoUnitCertificate::NoneOnKey });
    };
    let (state, days) = standing(cert, today)?;
    let kind = typed.and_then(|t| t.cert_kind).unwrap_or(if cert.subject.uscc.is_some() { CertKind::Organization } else { CertKind::Personal });
    let entry = project.triage_for(state, days);
    let (mut business, mut route, mut reason, quoted, paperless) = match entry {
        Some(e) => (e.business, e.route, e.quote.clone(), true, e.paperless),
        None => {
            let said = match state {
                Validity::Valid => format!("证书在有效期内（尚余{days}天），该项目的指引对此未作规定：按现场更新续期受理"),
                Validity::Expired => format!("证书已过期{days}天，该项目的指引对此未作规定：按现场更新续期受理"),
            };
            (BusinessType::Renew, TriageRoute::Counter, said, false, false)
        }
    };
    let differences = typed.map(|t| differences(t, cert)).unwrap_or_default();
    let mut refused = None;
    if business == BusinessType::Renew && !differences.is_empty() && project.rules.renewal_keeps_data {
        let instead = if project.business_types.contains(&BusinessType::Change) { BusinessType::Change } else { BusinessType::New };
        refused = Some(Refused { business: BusinessType::Renew, why: RENEWAL_KEEPS_DATA.into() });
        reason = format!("{RENEWAL_KEEPS_DATA}：请办理{}", instead.zh());
        business = instead;
        route = TriageRoute::Counter;
    }
    let paperless = paperless && refused.is_none();
    let holders = typed.and_then(|t| t.holders).unwrap_or(1).max(1);
    let materials = if paperless { Vec::new() } else { project.checklist_for(business, kind, holders) };
    Ok(Triage { business_type: business, route, route_zh: route.zh().into(), reason, quoted, materials, differences, refused, certificate: cert.clone(), state, days })
}

impl crate::api::Desk<'_> {
    /// [`triage`] of the key `sel` (or the one key plugged in) for `project`, what is typed (if
    /// anything) compared with it, on the counter's day. Reads only.
    pub fn triage_key(
        &self,
        catalog: &certdesk_catalog::Catalog,
        project: &str,
        library: &crate::keydesk::KeyLibrary,
        sel: Option<&certdesk_token::TokenSel>,
        typed: Option<&Typed>,
    ) -> Result<Triage, DeskError> {
        let project = catalog.project(project)?;
        let certs = crate::old_key::read_certs(library, sel)?;
        triage(project, &certs, typed, chrono::Local::now().date_naive())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use certdesk_catalog::Catalog;

    fn cert(o: &str, uscc: &str, not_after: &str) -> BroughtCert {
        BroughtCert {
            usage: CertUsage::Sign,
            subject: crate::old_key::BroughtSubject { cn: Some(o.into()), o: Some(o.into()), uscc: Some(uscc.into()), dn: String::new() },
            serial: "1A2B".into(),
            issuer: "CN=NETCA".into(),
            not_before: "2020-01-01T00:00:00Z".into(),
            not_after: not_after.into(),
            key_algorithm: "sm2".into(),
            label: String::new(),
            key_id: String::new(),
            sha256: String::new(),
        }
    }

    const UNIT: &str = "广州市示例科技有限公司";
    const USCC: &str = "91440101MA59ABCD1D";

    fn day(s: &str) -> chrono::NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_guides_words_decide_by_the_certificates_state() {
        let catalog = Catalog::embedded().unwrap();
        let p = |id: &str| catalog.project(id).unwrap();
        let valid = [cert(UNIT, USCC, "2027-06-30T15:59:59Z")];
        let expired = [cert(UNIT, USCC, "2026-10-31T15:59:59Z")];
        let long_expired = [cert(UNIT, USCC, "2025-10-31T15:59:59Z")];
        let today = day("2026-11-28");

        // seed 000: valid → online, no paper; expired → counter or post, the renewal checklist
        let t = triage(p("netca-gd-procurement"), &valid, None, today).unwrap();
        assert_eq!((t.business_type, t.route, t.state, t.materials.len()), (BusinessType::Renew, TriageRoute::Online, Validity::Valid, 0));
        assert!(t.reason.contains("无须提交任何资料") && t.quoted);
        let t = triage(p("netca-gd-procurement"), &expired, None, today).unwrap();
        assert_eq!((t.route, t.state, t.days), (TriageRoute::CounterOrPost, Validity::Expired, 28));
        assert!(t.materials.iter().any(|m| m.id == "old_key"), "{:?}", t.materials);

        // 北京CA: the strong identity check only past a year
        let t = triage(p("bjca-nmg"), &long_expired, None, today).unwrap();
        assert!(t.reason.contains("过期超一年的时候再进行强身份验证"), "{}", t.reason);
        let t = triage(p("bjca-nmg"), &expired, None, today).unwrap();
        assert!(t.reason.contains("一般情况直接更新"), "{}", t.reason);

        // 陕西CA: within 30 days of the end; further off, the counter says the guide is silent
        let soon = [cert(UNIT, USCC, "2026-12-20T15:59:59Z")];
        let t = triage(p("snca-nmg"), &soon, None, today).unwrap();
        assert!(t.reason.contains("失效期前30天") && t.days == 22, "{t:?}");
        let t = triage(p("snca-nmg"), &valid, None, today).unwrap();
        assert!(!t.quoted && t.reason.contains("尚余"), "{}", t.reason);
    }

    #[test]
    fn a_renewal_that_changes_the_unit_is_refused_where_the_guide_keeps_the_data() {
        let catalog = Catalog::embedded().unwrap();
        let mut typed: CaseData = serde_json::from_str(include_str!("../../../../tests/fixtures/case-org-new.json")).unwrap();
        typed.business = BusinessType::Renew;
        let org = typed.organization.as_mut().unwrap();
        let on_key = [cert("广州市示例科技有限公司（旧名）", org.uscc.as_deref().unwrap(), "2027-06-30T15:59:59Z")];
        org.name = "广州市示例科技有限公司".into();
        let t = triage(catalog.project("netca-gd-pension").unwrap(), &on_key, Some(&Typed::of(&typed)), day("2026-11-28")).unwrap();
        assert_eq!(t.differences, [Difference { field: "organization.name".into(), typed: "广州市示例科技有限公司".into(), on_key: "广州市示例科技有限公司（旧名）".into() }]);
        assert_eq!(t.refused, Some(Refused { business: BusinessType::Renew, why: RENEWAL_KEEPS_DATA.into() }));
        assert_eq!(t.business_type, BusinessType::Change);
        // 网证通's procurement guide says no such thing: a renewal, the differences listed
        let t = triage(catalog.project("netca-gd-procurement").unwrap(), &on_key, Some(&Typed::of(&typed)), day("2026-11-28")).unwrap();
        assert_eq!((t.business_type, t.refused.is_none(), t.differences.len()), (BusinessType::Renew, true, 1));
        // the same name spaced and bracketed otherwise is the same unit
        let same = [cert(" 广州市示例科技有限公司 ", typed.organization.as_ref().unwrap().uscc.as_deref().unwrap(), "2027-06-30T15:59:59Z")];
        assert!(triage(catalog.project("netca-gd-pension").unwrap(), &same, Some(&Typed::of(&typed)), day("2026-11-28")).unwrap().differences.is_empty());
    }

    #[test]
    fn a_key_without_the_applicants_certificate_is_refused() {
        let catalog = Catalog::embedded().unwrap();
        let err = triage(catalog.project("netca-gd-pension").unwrap(), &[], None, day("2026-11-28")).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::NoUnitCertificate);
    }
}
