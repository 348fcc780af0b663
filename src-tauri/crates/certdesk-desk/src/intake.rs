//! The intake's helpers, which need no store and no session: reading and checking case JSON
//! against the domain and the project's catalog (`parse_case`, with the seeds' counter rules),
//! the catalog itself (`load_catalog`: a counter's own forms folder, else the built-in one), an
//! identifier checked as it is typed (a phone as mobile or landline, by the domain's one rule),
//! the fee of a request with its quantity (an employee case: one per employee), the materials
//! checklist, the projects as the screens list them, and the status and role lists with their
//! labels. Both adapters call these; neither repeats them.

use crate::DeskError;
use certdesk_catalog::{Catalog, FeeQuote, MaterialItem, Project};
use certdesk_domain::ident::{self, IdentKind};
use certdesk_domain::workflow::Role;
use certdesk_domain::{BusinessType, CaseData, CertKind, FieldProblem, Medium, Severity, Status};
use serde::Serialize;
use std::path::Path;

/// The catalog of `dir` (the command line's `--forms`, else `CERTDESK_FORMS`), else the one
/// built into this program.
pub fn load_catalog(dir: Option<&Path>) -> Result<Catalog, DeskError> {
    Ok(match dir {
        Some(dir) => Catalog::from_dir(dir)?,
        None => Catalog::embedded()?,
    })
}

/// A project of the catalog by its id.
pub fn project<'c>(catalog: &'c Catalog, id: &str) -> Result<&'c Project, DeskError> {
    catalog.projects.get(id).ok_or_else(|| DeskError::UnknownProject { project: id.to_string(), known: catalog.projects.keys().cloned().collect::<Vec<_>>().join(", ") })
}

/// A project as the screens and `catalog list` show it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ProjectView {
    pub id: String,
    pub ca_name: String,
    pub ca_short: String,
    pub service: String,
    /// wire names (`organization` …), as the case JSON spells them
    pub cert_kinds: Vec<String>,
    pub business_types: Vec<String>,
    pub media: Vec<String>,
    pub years: Vec<u32>,
    /// how many forms the project prints
    pub forms: usize,
    /// What the clerk must know at intake (notes, bank, default PIN, counter rules).
    pub briefing: crate::briefing::Briefing,
    /// Whether a unit may come back with its key (#74): the project renews or changes
    /// certificates, or its guide says what a key's certificate decides.
    pub reads_old_key: bool,
}

pub fn projects(catalog: &Catalog) -> Vec<ProjectView> {
    catalog
        .projects
        .values()
        .map(|p| ProjectView {
            id: p.id.clone(),
            ca_name: p.ca_name.clone(),
            ca_short: p.ca_short.clone(),
            service: p.service.clone(),
            cert_kinds: p.cert_kinds.iter().map(|k| k.wire().to_string()).collect(),
            business_types: p.business_types.iter().map(|b| b.wire().to_string()).collect(),
            media: p.media.iter().map(|m| m.wire().to_string()).collect(),
            years: p.years.clone(),
            forms: p.forms.len(),
            briefing: crate::briefing::briefing(p),
            reads_old_key: !p.triage.is_empty() || p.business_types.iter().any(|b| matches!(b, BusinessType::Renew | BusinessType::Change)),
        })
        .collect()
}

fn parse_wire<T>(what: &'static str, value: &str, parse: fn(&str) -> Option<T>, names: String) -> Result<T, DeskError> {
    parse(value.trim()).ok_or_else(|| DeskError::UnknownValue { what, value: value.to_string(), known: names })
}

pub fn business(value: &str) -> Result<BusinessType, DeskError> {
    parse_wire("business type", value, BusinessType::from_wire, BusinessType::wire_names())
}

pub fn cert_kind(value: &str) -> Result<CertKind, DeskError> {
    parse_wire("certificate kind", value, CertKind::from_wire, CertKind::wire_names())
}

pub fn medium(value: &str) -> Result<Medium, DeskError> {
    parse_wire("medium", value, Medium::from_wire, Medium::wire_names())
}

pub fn payment_method(value: &str) -> Result<certdesk_domain::PaymentMethod, DeskError> {
    parse_wire("payment method", value, certdesk_domain::PaymentMethod::from_wire, certdesk_domain::PaymentMethod::wire_names())
}

pub fn status(value: &str) -> Result<Status, DeskError> {
    parse_wire("status", value, Status::from_wire, Status::ALL.map(|s| s.wire()).join(", "))
}

/// A filter's status as sent: blank is no filter.
pub fn optional_status(value: Option<&str>) -> Result<Option<Status>, DeskError> {
    value.map(str::trim).filter(|s| !s.is_empty()).map(status).transpose()
}

pub fn role(value: &str) -> Result<Role, DeskError> {
    parse_wire("role", value, Role::from_wire, Role::ALL.map(|r| r.wire()).join(", "))
}

pub fn roles(values: &[String]) -> Result<Vec<Role>, DeskError> {
    values.iter().map(|r| role(r)).collect()
}

pub fn action(value: &str) -> Result<certdesk_domain::Action, DeskError> {
    parse_wire("action", value, certdesk_domain::Action::from_wire, "accept, submit, approve, return, cancel, deliver, close".into())
}

/// The kinds `check_ident` takes: the domain's identifiers and `phone` (mobile or landline).
pub fn ident_kinds() -> Vec<&'static str> {
    IdentKind::ALL.iter().map(|k| k.cli_name()).chain(["phone"]).collect()
}

/// An identifier checked as it is typed; `phone` is checked as a mobile or a landline number
/// (the kind found is `Checked::kind`).
pub fn check_ident(kind: &str, value: &str) -> Result<ident::Checked, DeskError> {
    let kind = match kind {
        "phone" => ident::phone_kind(value),
        other => IdentKind::from_cli_name(other).ok_or_else(|| DeskError::UnknownValue { what: "identifier kind", value: other.to_string(), known: ident_kinds().join(", ") })?,
    };
    Ok(ident::check(kind, value))
}

/// One row of an employee case's annex as the intake form sends it for its fee: the row's
/// business type (wire name) and years (#71).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct RowOrder {
    pub business: String,
    #[serde(default)]
    pub years: Option<u32>,
}

/// The fee of a request from the project's fee table, with the quantity it was computed for
/// (`FeeQuote::quantity`): the number of employees for an employee certificate case that lists
/// them (`employees`), else `quantity`. The intake form shows that quantity. An employee case's
/// annex rows (`rows`, each with its business type and years) are priced row by row
/// (`Project::fee_by_rows`); then the quantity is the rows', and a refusal names its row.
#[allow(clippy::too_many_arguments)]
pub fn fee_quote(
    catalog: &Catalog,
    project_id: &str,
    business_type: &str,
    kind: &str,
    medium_name: &str,
    years: Option<u32>,
    quantity: u32,
    employees: Option<usize>,
    rows: Option<&[RowOrder]>,
    payment: Option<&str>,
) -> Result<FeeQuote, DeskError> {
    let payment = payment.filter(|m| !m.is_empty()).map(payment_method).transpose()?;
    let kind = cert_kind(kind)?;
    let rows = rows.unwrap_or_default();
    let employees = if rows.is_empty() { employees.unwrap_or(0) } else { rows.len() };
    let quantity = certdesk_domain::case::quantity_for(kind, employees, quantity);
    let req = certdesk_catalog::FeeRequest { business: business(business_type)?, cert_kind: kind, medium: medium(medium_name)?, years, quantity };
    let project = project(catalog, project_id)?;
    let quote = if kind != CertKind::Employee || rows.is_empty() {
        project.fee(&req)?
    } else {
        let rows = rows.iter().map(|r| Ok(certdesk_catalog::FeeRow { business: business(&r.business)?, years: r.years })).collect::<Result<Vec<_>, DeskError>>()?;
        project.fee_by_rows(&req, &rows)?
    };
    Ok(match payment {
        Some(m) => quote.with_payment(m),
        None => quote,
    })
}

/// The fee of a case as its data stand (an employee case's annex row by row), as receipts
/// print it and `case show` lists it; `None` when the catalog cannot price it (an unknown
/// project, a choice not offered, no fee rule).
pub fn case_fee(catalog: &Catalog, data: &CaseData) -> Option<FeeQuote> {
    catalog.projects.get(&data.project)?.fee_of_case(data).ok()
}

/// The catalog's materials checklist for a request of `holders` certificate holders (an
/// employee case's rows; `None`: one), per-holder copies counted.
pub fn checklist(catalog: &Catalog, project_id: &str, business_type: &str, kind: &str, holders: Option<u32>) -> Result<Vec<MaterialItem>, DeskError> {
    Ok(project(catalog, project_id)?.checklist_for(business(business_type)?, cert_kind(kind)?, holders.unwrap_or(1)))
}

/// Each checklist item's state for what the intake form has ticked so far (the form shows the
/// promise field where an item is not handed in, as the case page and the receipt will).
pub fn materials_state(
    catalog: &Catalog,
    project_id: &str,
    business_type: &str,
    kind: &str,
    received: &[certdesk_domain::MaterialReceived],
    holders: Option<u32>,
) -> Result<crate::materials::MaterialsState, DeskError> {
    Ok(crate::materials::states(&checklist(catalog, project_id, business_type, kind, holders)?, received))
}

/// 全部收齐 on the intake form: what the checklist's lines become (`materials::all_received`).
pub fn materials_all_received(
    catalog: &Catalog,
    project_id: &str,
    business_type: &str,
    kind: &str,
    received: &[certdesk_domain::MaterialReceived],
    holders: Option<u32>,
) -> Result<Vec<certdesk_domain::MaterialReceived>, DeskError> {
    Ok(crate::materials::all_received(&checklist(catalog, project_id, business_type, kind, holders)?, received))
}

/// A value of a fixed list with its labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Label {
    pub id: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

/// The case statuses and the account roles, in their order, with their labels: the one list
/// the screens show (filters, badges, the account form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Labels {
    pub statuses: Vec<Label>,
    pub roles: Vec<Label>,
}

pub fn labels() -> Labels {
    Labels {
        statuses: Status::ALL.iter().map(|s| Label { id: s.wire(), zh: s.zh(), en: s.en() }).collect(),
        roles: Role::ALL.iter().map(|r| Label { id: r.wire(), zh: r.zh(), en: r.en() }).collect(),
    }
}

/// Why case JSON was refused: every problem at once, with its field path.
pub fn parse_case(catalog: &Catalog, json: &str, today: chrono::NaiveDate) -> Result<(CaseData, Vec<FieldProblem>), DeskError> {
    crate::limits::check_size("the case JSON", json.len(), crate::limits::MAX_CASE_JSON)?;
    let mut data = CaseData::from_json(json).map_err(|e| DeskError::invalid_json(None, e))?;
    let problems = data.validate_and_normalize(today);
    let (mut errors, mut warnings): (Vec<_>, Vec<_>) = problems.into_iter().partition(|p| p.severity == Severity::Error);
    match check_against_catalog(catalog, &data) {
        Ok(mut w) => warnings.append(&mut w),
        Err(mut e) => errors.append(&mut e),
    }
    if !errors.is_empty() {
        return Err(DeskError::InvalidCase(errors));
    }
    Ok((data, warnings))
}

pub(crate) fn problem(path: &str, message: String, message_zh: String, severity: Severity) -> FieldProblem {
    FieldProblem { path: path.into(), message, message_zh, severity }
}

/// Checks a case against its project's catalog: everything the CA does not offer is an error,
/// a payment that differs from the catalog's fee a warning.
pub fn check_against_catalog(catalog: &Catalog, data: &CaseData) -> Result<Vec<FieldProblem>, Vec<FieldProblem>> {
    use certdesk_catalog::{FeeError, RowFeeError};
    let Ok(project) = catalog.project(&data.project) else {
        let known = catalog.projects.keys().cloned().collect::<Vec<_>>().join(", ");
        return Err(vec![problem("project", format!("unknown CA project {:?} (known: {known})", data.project), format!("未知的CA项目 {:?}", data.project), Severity::Error)]);
    };
    let (broken, mut warnings): (Vec<_>, Vec<_>) =
        counter_rules(&project.rules, data).into_iter().chain(project_fields(project, data)).partition(|p| p.severity == Severity::Error);
    if !broken.is_empty() {
        return Err(broken);
    }
    // an employee case's annex is priced row by row (#71); a refusal names its row
    match project.fee_of_case(data) {
        Ok(quote) => {
            if let Some(p) = &data.payment
                && p.amount != p.method.amount_due(quote.total)
            {
                let due = p.method.amount_due(quote.total);
                let message = format!("{} differs from the amount due {due} (the catalog fee {}, {})", p.amount, quote.total, quote.total_capital);
                let zh = format!("收费金额 {} 与应收金额 {due} 不符（收费标准 {}）", p.amount, quote.total);
                warnings.push(problem("payment.amount", message, zh, Severity::Warning));
            }
            Ok(warnings)
        }
        Err(RowFeeError { row, error: FeeError::NoFeeRule { .. } }) => {
            let (message, zh) = match row {
                Some(i) => (
                    format!("{} has no fee table for employee row {} (employees[{i}]); check the amount by hand", project.id, i + 1),
                    format!("该项目没有附页第{}行业务的收费标准，请人工核对金额", i + 1),
                ),
                None => (format!("{} has no fee table for this request; check the amount by hand", project.id), "该项目没有此业务的收费标准，请人工核对金额".into()),
            };
            warnings.push(problem("fee", message, zh, Severity::Warning));
            Ok(warnings)
        }
        Err(e) => {
            let field = match (&e.error, e.row) {
                (FeeError::BusinessNotOffered { .. }, Some(i)) => format!("employees[{i}].business"),
                (FeeError::YearsNotOffered { .. } | FeeError::YearsRequired { .. } | FeeError::TooLarge { .. }, Some(i)) => format!("employees[{i}].years"),
                (FeeError::BusinessNotOffered { .. }, None) => "business".into(),
                (FeeError::KindNotOffered { .. }, _) => "cert_kind".into(),
                (FeeError::MediumNotOffered { .. }, _) => "medium".into(),
                (FeeError::ZeroQuantity | FeeError::TooMany(_) | FeeError::TooLarge { .. }, _) => "quantity".into(),
                _ => "years".into(),
            };
            Err(vec![problem(&field, e.to_string(), e.zh(), Severity::Error)])
        }
    }
}

/// The seeds' counter rules a project applies (its catalog's `[rules]`): who pays, whom the
/// invoice names, where a key may be posted.
fn counter_rules(rules: &certdesk_catalog::Rules, data: &CaseData) -> Vec<FieldProblem> {
    use certdesk_domain::{DeliveryMethod, PaymentMethod, same_unit};
    let mut out = Vec::new();
    let org = data.organization.as_ref();
    let unit = org.map(|o| o.name.as_str()).unwrap_or_default();
    let mut error = |path: &str, en: String, zh: String| out.push(problem(path, en, zh, Severity::Error));
    if rules.payer_is_applicant
        && let Some(p) = &data.payment
        && p.method == PaymentMethod::BankTransfer
        && !p.payer_name.as_deref().is_some_and(|payer| same_unit(payer, unit))
    {
        error(
            "payment.payer_name",
            format!("this CA takes transfers only from the applying unit {unit:?} (汇款须单位汇款，私人汇款概不受理), not from {:?}", p.payer_name.as_deref().unwrap_or("")),
            format!("付款单位须与申请单位“{unit}”一致（汇款须单位汇款，私人汇款概不受理）"),
        );
    }
    if rules.invoice_title_is_applicant
        && let Some(inv) = &data.invoice
    {
        if !same_unit(&inv.title, unit) {
            error(
                "invoice.title",
                format!("the invoice must name the applying unit {unit:?} (办理单位必须与申请发票单位一致)"),
                format!("发票抬头须为申请单位“{unit}”（办理单位必须与申请发票单位一致）"),
            );
        }
        if let (Some(tax), Some(uscc)) = (&inv.taxpayer_id, org.and_then(|o| o.uscc.as_ref()))
            && tax != uscc
        {
            error("invoice.taxpayer_id", format!("the taxpayer ID must be the unit's USCC {uscc}"), format!("纳税人识别号须为申请单位的统一社会信用代码{uscc}"));
        }
    }
    if data.channel() == certdesk_domain::Channel::Post
        && let Some(a) = &data.arrival
    {
        if rules.no_registered_letter && a.courier.contains("挂号") {
            error("arrival.courier", format!("this CA takes no papers sent by registered letter ({:?}: 不接受挂号信)", a.courier), "不接受挂号信：请申请人改用快递寄送".into());
        }
        if rules.no_freight_collect && a.postage == Some(certdesk_domain::Postage::Collect) {
            error("arrival.postage", "this CA refuses parcels with the carriage to pay on receipt (拒收到付件)".into(), "拒收到付件：快递费须由寄件方支付".into());
        }
    }
    if rules.invoice_email_required
        && let Some(inv) = &data.invoice
        && inv.email.is_none()
    {
        error(
            "invoice.email",
            "this CA sends the invoice by e-mail: give the address (电子邮箱*：必须填写，用于收取电子发票)".into(),
            "电子邮箱*：必须填写，用于收取电子发票".into(),
        );
    }
    if rules.mail_to_legal_address_only
        && let Some(d) = &data.delivery
        && d.method == DeliveryMethod::Mail
        && let Some(address) = &d.address
        && !org.and_then(|o| o.legal_address.as_deref()).is_some_and(|legal| same_unit(address, legal))
    {
        error(
            "delivery.address",
            "this CA posts keys only to the unit's legal address (证书仅回寄到单位法定地址): organization.legal_address".into(),
            "证书仅回寄到单位法定地址：收件地址须与单位法定地址一致".into(),
        );
    }
    if let Some(until) = org.and_then(|o| o.license_valid_until.as_deref())
        && let Ok(day) = chrono::NaiveDate::parse_from_str(until, "%Y-%m-%d")
        && day < chrono::Local::now().date_naive()
    {
        let (en, zh) = (format!("the unit's licence ran out on {day}"), format!("营业执照已于{day}超过有效期"));
        if rules.license_must_be_valid {
            out.push(problem(
                "organization.license_valid_until",
                format!("{en}: this CA issues nothing then (如单位证件不在有效期内或未年检…将导致数字证书及电子签章无法办理)"),
                format!("{zh}：如单位证件不在有效期内或未年检，将导致数字证书及电子签章无法办理"),
                Severity::Error,
            ));
        } else {
            out.push(problem("organization.license_valid_until", en, format!("{zh}，请核对"), Severity::Warning));
        }
    }
    // a warning, not a refusal: the paper is here and the number can be looked up later
    if rules.online_application_first
        && data.channel() == certdesk_domain::Channel::Post
        && let Some(a) = &data.arrival
        && data.business == certdesk_domain::BusinessType::New
        && a.online_application.is_none()
    {
        out.push(problem(
            "arrival.online_application",
            "this CA takes a new application by post after one made online (新申请证书请经办人互联网线上申请后，邮寄上述资料): record its number".into(),
            "新申请须先在网上申请后再邮寄材料：请填写网上申请编号".into(),
            Severity::Warning,
        ));
    }
    out
}

/// The project's own fields (`extra`): each one the catalog declares for this business type
/// and kind, a choice one of its choices, a count a whole number, a day a day; a required one
/// given.
fn project_fields(project: &Project, data: &CaseData) -> Vec<FieldProblem> {
    use certdesk_catalog::FieldKind;
    let mut out = Vec::new();
    let asked = project.fields_for(data.business, data.cert_kind);
    let mut error = |path: String, en: String, zh: String| out.push(problem(&path, en, zh, Severity::Error));
    for (name, value) in &data.project_fields {
        let path = format!("extra.{name}");
        let Some(f) = asked.iter().find(|f| &f.name == name) else {
            let known = asked.iter().map(|f| format!("{} ({})", f.name, f.label)).collect::<Vec<_>>().join(", ");
            error(path, format!("{} asks no field {name:?} for this case (asks: {known})", project.id), format!("该项目的此类业务没有“{name}”这一项"));
            continue;
        };
        let text = match value {
            serde_json::Value::String(s) => s.trim().to_string(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Null => String::new(),
            _ => {
                error(path, format!("{}: a text or a number", f.label), format!("{}：应为文字或数字", f.label));
                continue;
            }
        };
        if text.is_empty() {
            continue;
        }
        match f.kind {
            FieldKind::Choice if !f.choices.contains(&text) => {
                error(path, format!("{}: {text:?} is none of {}", f.label, f.choices.join(", ")), format!("{}只能选{}", f.label, f.choices.join("、")))
            }
            FieldKind::Choice if f.refuses.contains(&text) => {
                error(path, format!("{}: {text}: this CA issues nothing then ({})", f.label, f.source), format!("{}：{text}。{}", f.label, f.source))
            }
            FieldKind::Count if text.parse::<u32>().is_err() => error(path, format!("{}: {text:?} is not a whole number", f.label), format!("{}应为整数", f.label)),
            FieldKind::Date if certdesk_domain::case::parse_day(&text).is_none() => {
                error(path, format!("{}: {text:?} is not a day (2026-11-24)", f.label), format!("{}应为日期，如2026-11-24", f.label))
            }
            _ => {}
        }
    }
    for f in asked.iter().filter(|f| f.required && f.default.is_none()) {
        let given = data.project_fields.get(&f.name).is_some_and(|v| !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty()));
        if !given {
            error(format!("extra.{}", f.name), format!("{} is required ({})", f.label, f.source), format!("{}必填（{}）", f.label, f.source));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A posted case's paper by registered letter, or its carriage to pay on receipt, is refused
    /// where the project's guide says so (#73: "不接受挂号信", "拒收到付件"), by the field.
    #[test]
    fn a_registered_letter_and_carriage_to_pay_are_refused_where_the_guide_says() {
        let catalog = Catalog::embedded().unwrap();
        let mut data: CaseData = serde_json::from_str(include_str!("../../../../tests/fixtures/case-org-new.json")).unwrap();
        data.channel = Some(certdesk_domain::Channel::Post);
        data.arrival =
            Some(serde_json::from_value(serde_json::json!({ "date": "2025-10-08", "courier": "中国邮政挂号信", "waybill": "XA123456789CN", "postage": "collect" })).unwrap());
        let paths_of = |data: &CaseData, project: &str| {
            counter_rules(&catalog.project(project).unwrap().rules, data).into_iter().filter(|p| p.severity == Severity::Error).map(|p| p.path).collect::<Vec<_>>()
        };
        let paths = |project: &str| paths_of(&data, project);
        assert!(paths("netca-gd-pension").contains(&"arrival.courier".to_string()), "seed 001: 不接收挂号信");
        assert!(!paths("netca-gd-pension").contains(&"arrival.postage".to_string()));
        assert!(paths("netca-ln-procurement").contains(&"arrival.postage".to_string()), "seed 004: 拒收到付件");
        assert!(!paths("netca-ln-procurement").contains(&"arrival.courier".to_string()));
        let mut data = data.clone();
        data.arrival.as_mut().unwrap().courier = "顺丰速运".into();
        data.arrival.as_mut().unwrap().postage = Some(certdesk_domain::Postage::Prepaid);
        assert!(paths_of(&data, "netca-gd-pension").iter().chain(&paths_of(&data, "netca-ln-procurement")).all(|p| !p.starts_with("arrival")));

        // seed 001: "新申请证书请经办人互联网线上申请后，邮寄上述资料": a posted new case without the
        // online application's number is taken with a warning, where the guide says so only
        let warned = |data: &CaseData, project: &str| {
            counter_rules(&catalog.project(project).unwrap().rules, data).iter().any(|p| p.path == "arrival.online_application" && p.severity == Severity::Warning)
        };
        assert!(warned(&data, "netca-gd-pension"));
        assert!(!warned(&data, "netca-ln-procurement"));
        data.arrival.as_mut().unwrap().online_application = Some("YL2025100800123".into());
        assert!(!warned(&data, "netca-gd-pension"));
        data.arrival.as_mut().unwrap().online_application = None;
        data.business = certdesk_domain::BusinessType::Renew;
        assert!(!warned(&data, "netca-gd-pension"), "a renewal is not an online application");
    }

    /// #74: CFCA refuses a unit whose licence has run out in its guide's words; elsewhere the
    /// clerk is warned; 长期 and a day ahead pass; the day is written as the domain normalises it.
    #[test]
    fn an_expired_licence_is_refused_where_the_guide_says() {
        let catalog = Catalog::embedded().unwrap();
        let mut data: CaseData = serde_json::from_str(include_str!("../../../../tests/fixtures/case-org-new.json")).unwrap();
        let problems = |data: &CaseData, project: &str| counter_rules(&catalog.project(project).unwrap().rules, data);
        let org = data.organization.as_mut().unwrap();
        org.license_valid_until = Some("2020年6月30日".into());
        assert!(data.validate_and_normalize(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()).is_empty());
        assert_eq!(data.organization.as_ref().unwrap().license_valid_until.as_deref(), Some("2020-06-30"));
        let cfca = problems(&data, "cfca-xs");
        let refused = cfca.iter().find(|p| p.path == "organization.license_valid_until").expect("refused at CFCA");
        assert_eq!(refused.severity, Severity::Error);
        assert!(refused.message_zh.contains("如单位证件不在有效期内或未年检"), "{refused:?}");
        let elsewhere = problems(&data, "netca-gd-pension");
        assert!(elsewhere.iter().any(|p| p.path == "organization.license_valid_until" && p.severity == Severity::Warning), "{elsewhere:?}");
        for fine in ["长期", "2099-12-31"] {
            data.organization.as_mut().unwrap().license_valid_until = Some(fine.into());
            assert!(!problems(&data, "cfca-xs").iter().any(|p| p.path == "organization.license_valid_until"), "{fine}");
        }
        data.organization.as_mut().unwrap().license_valid_until = Some("长期有效".into());
        assert!(data.validate_and_normalize(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()).is_empty());
        assert_eq!(data.organization.as_ref().unwrap().license_valid_until.as_deref(), Some("长期"));
        data.organization.as_mut().unwrap().license_valid_until = Some("明年".into());
        let bad = data.validate_and_normalize(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap());
        assert!(bad.iter().any(|p| p.path == "organization.license_valid_until"), "{bad:?}");
    }

    /// #74: CFCA's "…未年检…将导致数字证书及电子签章无法办理": the unit's 单位证件年检 chosen as 未年检
    /// refuses the case with the guide's words; the default and the other choice pass.
    #[test]
    fn a_unit_whose_papers_missed_their_annual_check_is_refused_where_the_guide_says() {
        let catalog = Catalog::embedded().unwrap();
        let cfca = catalog.project("cfca-xs").unwrap();
        let mut data: CaseData = serde_json::from_str(include_str!("../../../../tests/fixtures/case-org-new.json")).unwrap();
        data.project = "cfca-xs".into();
        let on = |data: &CaseData| project_fields(cfca, data).into_iter().filter(|p| p.path == "extra.license_annual_check").collect::<Vec<_>>();
        assert!(on(&data).is_empty(), "not chosen: the default");
        data.project_fields.insert("license_annual_check".into(), "已年检或无需年检".into());
        assert!(on(&data).is_empty());
        data.project_fields.insert("license_annual_check".into(), "未年检".into());
        let refused = on(&data);
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert_eq!(refused[0].severity, Severity::Error);
        assert!(refused[0].message_zh.starts_with("单位证件年检：未年检。如单位证件不在有效期内或未年检"), "{refused:?}");
    }

    #[test]
    fn a_phone_is_checked_as_the_kind_the_domain_finds() {
        let mobile = check_ident("phone", "13800138000").unwrap();
        assert_eq!((mobile.kind, mobile.valid), ("mobile", true));
        let landline = check_ident("phone", "020-83487000").unwrap();
        assert_eq!((landline.kind, landline.valid), ("landline", true), "{landline:?}");
        assert_eq!(check_ident("fax", "1").unwrap_err().kind(), crate::ErrorKind::UnknownValue);
    }

    #[test]
    fn an_employee_case_is_quoted_for_its_employees() {
        let catalog = Catalog::embedded().unwrap();
        let (id, p) = catalog.projects.iter().find(|(_, p)| p.cert_kinds.contains(&CertKind::Employee)).unwrap();
        let years = p.years.first().copied();
        let q = fee_quote(&catalog, id, "new", "employee", p.media[0].wire(), years, 1, Some(3), None, None).unwrap();
        assert_eq!(q.quantity, 3);
        assert_eq!(q.items.iter().map(|i| i.count).max(), Some(3), "{q:?}");
        let one = fee_quote(&catalog, id, "new", "employee", p.media[0].wire(), years, 1, Some(0), None, None).unwrap();
        assert_eq!(one.quantity, 1, "no employees listed yet: what was asked");
        assert_eq!(fee_quote(&catalog, "nope", "new", "employee", "usb_key", years, 1, None, None, None).unwrap_err().kind(), crate::ErrorKind::UnknownProject);
    }

    /// A mixed annex (2 rows 新申请 3 years, 1 row 续期 1 year) of the example employee case,
    /// paid `amount`.
    fn mixed_annex(amount: &str) -> CaseData {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures/case-employees-new.json");
        let mut case: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        case["years"] = 3.into();
        case["quantity"] = 3.into();
        // the unit's organisation certificate, for a project that asks for it first
        case["organization"]["certificate_serial"] = "0A1B2C3D".into();
        let rows = case["employees"].as_array_mut().unwrap();
        for row in rows.iter_mut() {
            row["years"] = 3.into();
        }
        rows.push(serde_json::json!({"name": "邓伟明", "id_type": "resident_id", "id_number": "441900197802110118", "business": "renew", "years": 1}));
        case["payment"]["amount"] = amount.into();
        CaseData::from_json(&case.to_string()).unwrap()
    }

    /// #71: the payment is checked against the annex priced row by row, not against the whole
    /// annex priced as the case's own business type and years.
    #[test]
    fn a_mixed_annex_is_checked_against_its_per_row_fee() {
        let catalog = Catalog::embedded().unwrap();
        // the old price: 3 × (100 × 3 years + 100) = 1200
        let old = check_against_catalog(&catalog, &mixed_annex("1200.00")).unwrap();
        assert_eq!(old.iter().map(|p| p.path.as_str()).collect::<Vec<_>>(), ["payment.amount"], "{old:?}");
        assert!(old[0].message.contains("the catalog fee 900.00") && old[0].message_zh.contains("收费标准 900.00"), "{old:?}");
        // 2 × (100 × 3 + 100) + 100 × 1 = 900
        assert_eq!(check_against_catalog(&catalog, &mixed_annex("900.00")).unwrap(), vec![]);
        let q = case_fee(&catalog, &mixed_annex("900.00")).unwrap();
        assert_eq!(q.groups.iter().map(|g| g.label.as_str()).collect::<Vec<_>>(), ["新申请 3年", "更新续期 1年"]);

        // a row the project does not sell names its row
        let mut six = mixed_annex("900.00");
        six.employees[2].years = Some(6);
        let errors = check_against_catalog(&catalog, &six).unwrap_err();
        assert_eq!(errors.iter().map(|p| p.path.as_str()).collect::<Vec<_>>(), ["employees[2].years"], "{errors:?}");
        assert!(errors[0].message_zh.starts_with("附页第3行："), "{errors:?}");
        let mut check = mixed_annex("900.00");
        check.employees[0].business = BusinessType::AnnualCheck;
        check.employees[0].years = None;
        let errors = check_against_catalog(&catalog, &check).unwrap_err();
        assert_eq!(errors.iter().map(|p| p.path.as_str()).collect::<Vec<_>>(), ["employees[0].business"], "{errors:?}");
    }

    #[test]
    fn the_intake_quotes_the_rows_it_sends() {
        let catalog = Catalog::embedded().unwrap();
        let row = |business: &str, years: Option<u32>| RowOrder { business: business.into(), years };
        let rows = [row("new", Some(3)), row("renew", Some(1)), row("new", None)];
        let q = fee_quote(&catalog, "netca-gd-pension", "new", "employee", "usb_key", Some(3), 1, Some(2), Some(&rows), None).unwrap();
        assert_eq!((q.quantity, q.total.to_string(), q.groups.len()), (3, "900.00".to_string(), 2), "{q:?}");
        assert_eq!(q.items[0].label, "新申请 3年 · 证书年服务费");
        // no rows (the form before its annex): as before
        let q = fee_quote(&catalog, "netca-gd-pension", "new", "employee", "usb_key", Some(3), 1, Some(3), Some(&[]), None).unwrap();
        assert_eq!((q.total.to_string(), q.groups.len()), ("1200.00".to_string(), 0));
        let e = fee_quote(&catalog, "netca-gd-pension", "new", "employee", "usb_key", Some(3), 1, None, Some(&[row("new", Some(3)), row("renew", Some(9))]), None).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::FeeRefused);
        assert!(e.to_string().starts_with("employee row 2 (employees[1]): "), "{e}");
        let e = fee_quote(&catalog, "netca-gd-pension", "new", "employee", "usb_key", Some(3), 1, None, Some(&[row("renw", Some(1))]), None).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::UnknownValue);
    }

    #[test]
    fn what_is_due_is_decided_here_a_free_case_pays_nothing() {
        let catalog = Catalog::embedded().unwrap();
        let quote = |method: Option<&str>| fee_quote(&catalog, "netca-gd-pension", "new", "organization", "usb_key", Some(3), 1, None, None, method);
        let cash = quote(Some("cash")).unwrap();
        assert_eq!((cash.due, quote(None).unwrap().due), (cash.total, cash.total));
        assert!(cash.total > certdesk_domain::Money::ZERO);
        assert_eq!(quote(Some("free")).unwrap().due, certdesk_domain::Money::ZERO);
        assert_eq!(quote(Some("gratis")).unwrap_err().kind(), crate::ErrorKind::UnknownValue);
        // and a saved case is held to the same amount: 免费 at 0.00 is what is due, at the fee it is not
        let path = format!("{}/../../../tests/fixtures/case-org-new.json", env!("CARGO_MANIFEST_DIR"));
        let mut case: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let warned = |case: &serde_json::Value| {
            let data = CaseData::from_json(&case.to_string()).unwrap();
            check_against_catalog(&catalog, &data).unwrap().iter().any(|p| p.path == "payment.amount")
        };
        let fee = case_fee(&catalog, &CaseData::from_json(&case.to_string()).unwrap()).unwrap().total;
        case["payment"]["method"] = "free".into();
        case["payment"]["amount"] = "0.00".into();
        assert!(!warned(&case));
        case["payment"]["amount"] = fee.to_string().into();
        assert!(warned(&case), "a 免费 case that pays the fee is a mistake worth a word");
    }

    #[test]
    fn a_copy_per_user_is_counted_per_holder() {
        // seed 001: "使用人《身份证》复印件一份" is one for each of the order's users (#72)
        let catalog = Catalog::embedded().unwrap();
        let copies = |holders: Option<u32>| {
            let list = checklist(&catalog, "netca-gd-pension", "new", "employee", holders).unwrap();
            let per_user = list.iter().find(|i| i.id == "employee_id_copy").unwrap().copies;
            let form = list.iter().find(|i| !i.per_holder && i.copies > 0).unwrap().copies;
            (per_user, form)
        };
        let (one, form) = copies(None);
        assert_eq!((one, copies(Some(20))), (1, (20, form)), "the application form stays as it is");
        let all = materials_all_received(&catalog, "netca-gd-pension", "new", "employee", &[], Some(20)).unwrap();
        assert_eq!(all.iter().find(|m| m.id == "employee_id_copy").unwrap().copies_received, 20);
        // one copy for twenty users is not the line received
        let short = [certdesk_domain::MaterialReceived { copies_received: 1, ..all.iter().find(|m| m.id == "employee_id_copy").unwrap().clone() }];
        let state = materials_state(&catalog, "netca-gd-pension", "new", "employee", &short, Some(20)).unwrap();
        assert!(format!("{state:?}").contains("employee_id_copy"));
        let line = state.items.iter().find(|i| i.id == "employee_id_copy").unwrap();
        assert_ne!(line.state, certdesk_catalog::model::MaterialState::Received, "{line:?}");
    }

    #[test]
    fn the_status_and_role_lists_are_the_domains() {
        let l = labels();
        assert_eq!(l.statuses.len(), Status::ALL.len());
        assert_eq!(l.roles.iter().map(|r| r.zh).collect::<Vec<_>>(), ["管理员", "受理员", "复核员", "制证员"]);
        assert!(l.statuses.iter().any(|s| s.id == "key_issued" && s.zh == "已制证"));
    }
}
