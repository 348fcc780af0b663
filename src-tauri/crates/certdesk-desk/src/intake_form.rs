//! The intake form as data (#71): for a project, business type, certificate kind and medium,
//! the sections and fields the clerk fills in — each with its case JSON path, Chinese label,
//! kind, choices, the identifier check typed values get, and whether and why it is required —
//! the project's counter rules that apply, and what makes an annex row a person. Built from
//! the catalog (choices, the project's own `[[fields]]`, `[rules]`) and the layouts (a field a
//! form prints is offered; a field a form `requires` is required). The app renders this model
//! and `certdesk intake form` prints it; neither decides these things again.

use crate::DeskError;
use certdesk_catalog::{FieldKind, Project};
use certdesk_domain::{BusinessType, CertKind, Channel, DeliveryMethod, IdType, InvoiceType, Medium, PaymentMethod};
use certdesk_forms::Forms;
use serde::Serialize;

/// A value a choice offers, with its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// A condition on another field of the form: `key` (a path of the same form; `employees[].x`
/// for the same row) has the value `equals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct When {
    pub key: String,
    pub equals: String,
}

/// One field of the intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct FieldSpec {
    /// The case JSON's path (`invoice.title`, `employees[].years`, `extra.banner_district`).
    pub key: String,
    pub label: String,
    /// `text`, `date` (`YYYY-MM-DD`), `choice`, `count`.
    pub kind: String,
    /// Required whatever else the form holds.
    pub required: bool,
    /// Required once `required_when` holds (`delivery.address` when `delivery.method` is `mail`).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_when: Option<When>,
    /// Why it is required or asked, in the seed's or the form's words.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<Choice>>,
    /// The value a choice starts with.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// The identifier check a typed value gets (`check_ident`'s kinds: uscc, ric, mobile,
    /// email, postcode, phone), when `ident_when` holds (an ID number is checked as a resident
    /// ID only when its type is one).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ident: Option<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ident_when: Option<When>,
    /// Shown (and written into the case) only while this holds: a posted case's arrival only
    /// when the channel is 邮寄 (#73).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shown_when: Option<When>,
}

/// A section of the intake: its fields in the order the clerk fills them in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Section {
    /// `case`, `organization`, `handler`, `employees`, `invoice`, `delivery`, `project_fields`, `payment`.
    pub id: String,
    pub title: String,
    pub fields: Vec<FieldSpec>,
}

/// A counter rule of the project that applies to this kind of case, in the seed's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct RuleView {
    pub id: String,
    pub text: String,
    /// The field the rule is about.
    pub key: String,
}

/// The intake form of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct IntakeForm {
    pub project: String,
    pub business: BusinessType,
    pub cert_kind: CertKind,
    pub medium: Medium,
    pub sections: Vec<Section>,
    pub rules: Vec<RuleView>,
    /// An annex row counts as a person (and a certificate) once any of these of its fields is
    /// filled in; an empty row is no one.
    pub counts_as_person: Vec<String>,
    /// Whether the business type carries a validity in years (新申请, 续期).
    pub takes_years: bool,
    /// Whether the case names a unit (organisation and employee certificates).
    pub has_organization: bool,
    /// Whether the case lists its certificate holders on an annex (one certificate per row).
    pub has_annex: bool,
}

fn choices_of<T: Copy>(all: &[T], wire: fn(T) -> &'static str, zh: fn(T) -> &'static str) -> Vec<Choice> {
    all.iter().map(|v| Choice { value: wire(*v).to_string(), label: zh(*v).to_string() }).collect()
}

fn field(key: &str, label: &str) -> FieldSpec {
    FieldSpec {
        key: key.into(),
        label: label.into(),
        kind: "text".into(),
        required: false,
        required_when: None,
        why: None,
        choices: None,
        default: None,
        ident: None,
        ident_when: None,
        shown_when: None,
    }
}

impl FieldSpec {
    fn required(mut self, why: &str) -> Self {
        self.required = true;
        if !why.is_empty() {
            self.why = Some(why.into());
        }
        self
    }
    fn required_when(mut self, key: &str, equals: &str, why: &str) -> Self {
        self.required_when = Some(When { key: key.into(), equals: equals.into() });
        self.why = Some(why.into());
        self
    }
    fn shown_when(mut self, key: &str, equals: &str) -> Self {
        self.shown_when = Some(When { key: key.into(), equals: equals.into() });
        self
    }
    fn why(mut self, why: &str) -> Self {
        self.why = Some(why.into());
        self
    }
    fn kind(mut self, kind: &str) -> Self {
        self.kind = kind.into();
        self
    }
    fn choice(mut self, choices: Vec<Choice>, default: Option<&str>) -> Self {
        self.kind = "choice".into();
        self.choices = Some(choices);
        self.default = default.map(str::to_string);
        self
    }
    fn ident(mut self, kind: &str) -> Self {
        self.ident = Some(kind.into());
        self
    }
    /// An ID number: checked as a resident ID when its type (`type_key`) is one.
    fn id_number(mut self, type_key: &str) -> Self {
        self.ident = Some("ric".into());
        self.ident_when = Some(When { key: type_key.into(), equals: IdType::ResidentId.wire().into() });
        self
    }
}

fn id_types() -> Vec<Choice> {
    choices_of(IdType::ALL, IdType::wire, IdType::zh)
}

/// The intake form for a request of `project`: what the clerk is asked, from the catalog and
/// the layouts of the forms the case prints.
pub fn intake_form(forms: &Forms, project_id: &str, business: &str, cert_kind: &str, medium: &str) -> Result<IntakeForm, DeskError> {
    let project = crate::intake::project(&forms.catalog, project_id)?;
    let (business, kind, medium) = (crate::intake::business(business)?, crate::intake::cert_kind(cert_kind)?, crate::intake::medium(medium)?);
    for (offered, what, value, known) in [
        (project.business_types.contains(&business), "business type", business.wire(), project.business_types.iter().map(|b| b.wire()).collect::<Vec<_>>()),
        (project.cert_kinds.contains(&kind), "certificate kind", kind.wire(), project.cert_kinds.iter().map(|k| k.wire()).collect()),
        (project.media.contains(&medium), "medium", medium.wire(), project.media.iter().map(|m| m.wire()).collect()),
    ] {
        if !offered {
            return Err(DeskError::UnknownValue { what, value: value.to_string(), known: known.join(", ") });
        }
    }
    let printed = forms.printed_fields(project, business, kind);
    let prints = |key: &str| printed.iter().find(|p| p.path == key);
    let has_organization = kind != CertKind::Personal;
    let has_annex = kind == CertKind::Employee;
    let takes_years = business.takes_years();
    let rules = &project.rules;

    let mut case = vec![];
    if takes_years {
        let years: Vec<Choice> = project.years.iter().map(|y| Choice { value: y.to_string(), label: format!("{y}年") }).collect();
        let first = project.years.first().map(u32::to_string);
        case.push(field("years", "年限").choice(years, first.as_deref()).required("新申请和续期须填写年限"));
    }
    if !has_annex {
        case.push(field("quantity", "张数").kind("count").required(""));
    }
    if let Some(p) = prints("ca_reference") {
        // a form that cannot be printed without it does not stop the save: the clerk often
        // gets the CA's number later, and the print says what is missing
        let why = match &p.required {
            Some(name) => format!("《{}》须有{name}才能打印（条形码号须与本页面上方的“业务单号”一致）", p.form),
            None => format!("《{}》打印业务单号", p.form),
        };
        case.push(field("ca_reference", "业务单号").why(&why));
    }

    // #73: a case by post is taken at the back desk; its paper's arrival is recorded
    let post = Channel::Post.wire();
    case.push(field("channel", "受理方式").choice(choices_of(&[Channel::Counter, Channel::Post], Channel::wire, Channel::zh), Some(Channel::Counter.wire())));
    case.push(field("arrival.date", "收件日期").kind("date").shown_when("channel", post).required_when("channel", post, "邮寄案件须填写收件日期、快递公司和运单号"));
    case.push(field("arrival.courier", "快递公司").shown_when("channel", post).required_when("channel", post, "邮寄案件须填写收件日期、快递公司和运单号"));
    case.push(field("arrival.waybill", "运单号").shown_when("channel", post).required_when("channel", post, "邮寄案件须填写收件日期、快递公司和运单号"));
    case.push(
        field("arrival.postage", "快递费")
            .choice(
                choices_of(&[certdesk_domain::Postage::Prepaid, certdesk_domain::Postage::Collect], certdesk_domain::Postage::wire, certdesk_domain::Postage::zh),
                Some(certdesk_domain::Postage::Prepaid.wire()),
            )
            .shown_when("channel", post),
    );
    let online = field("arrival.online_application", "网上申请编号").shown_when("channel", post);
    case.push(if rules.online_application_first && business == BusinessType::New { online.why(ONLINE_FIRST) } else { online });
    case.push(field("notes", "备注"));
    let mut sections = vec![Section { id: "case".into(), title: "业务".into(), fields: case }];

    if has_organization {
        let mut org = vec![
            field("organization.name", "单位名称").required(""),
            field("organization.uscc", "统一社会信用代码").ident("uscc").required("单位证件号码至少填写一项"),
            field("organization.org_code", "组织机构代码").ident("orgcode"),
            field("organization.other_id", "其他证件号码"),
            field("organization.department", "部门"),
            field("organization.phone", "单位电话").ident("phone"),
            field("organization.email", "单位邮箱").ident("email"),
            field("organization.legal_address", "单位法定地址"),
            field("organization.postcode", "邮政编码").ident("postcode"),
            field("organization.mailing_address", "通讯地址"),
            field("organization.legal_rep.name", "法定代表人姓名"),
            field("organization.legal_rep.id_type", "法定代表人证件类型").choice(id_types(), Some(IdType::ResidentId.wire())),
            field("organization.legal_rep.id_number", "法定代表人证件号码").id_number("organization.legal_rep.id_type"),
            field("organization.legal_rep.mobile", "法定代表人手机").ident("mobile"),
        ];
        if rules.mail_to_legal_address_only {
            org[7] = org[7].clone().required_when("delivery.method", DeliveryMethod::Mail.wire(), "证书仅回寄到单位法定地址");
        }
        let license = field("organization.license_valid_until", "营业执照有效期至").why("日期，或“长期”");
        org.push(if rules.license_must_be_valid { license.required("").why(LICENSE_VALID) } else { license });
        if rules.organization_certificate_first && has_annex {
            org.push(
                field("organization.certificate_serial", "单位法人证书序列号")
                    .why("每个用户需先申请单位法人证书，用于标识机关单位真实身份，后才能申请单位员工证书（本受理点未办过该单位的法人证书时填写其证书序列号）"),
            );
        }
        sections.push(Section { id: "organization".into(), title: "申请单位".into(), fields: org });
    } else {
        // a personal certificate's form may print the holder's work unit (工作单位): asked,
        // never required
        let unit: Vec<FieldSpec> = [
            ("organization.name", "工作单位"),
            ("organization.uscc", "单位统一社会信用代码"),
            ("organization.department", "部门"),
            ("organization.phone", "单位电话"),
            ("organization.legal_address", "单位地址"),
            ("organization.postcode", "邮政编码"),
            ("organization.legal_rep.name", "法定代表人姓名"),
            ("organization.legal_rep.id_number", "法定代表人证件号码"),
        ]
        .into_iter()
        .filter(|(key, _)| prints(key).is_some())
        .map(|(key, label)| field(key, label).why("个人证书申请表：工作单位（选填）"))
        .collect();
        if !unit.is_empty() {
            sections.push(Section { id: "organization".into(), title: "工作单位（选填）".into(), fields: unit });
        }
    }

    let mut handler = vec![
        field("handler.name", "经办人姓名").required(""),
        field("handler.id_type", "证件类型").choice(id_types(), Some(IdType::ResidentId.wire())),
        field("handler.id_number", "证件号码").id_number("handler.id_type").required(""),
        field("handler.mobile", "手机号码").ident("mobile").required("经办人手机号码必填"),
        field("handler.email", "电子邮箱").ident("email"),
        field("handler.address", "联系地址"),
    ];
    if let Some(p) = prints("handler.authorization_until") {
        handler.push(field("handler.authorization_until", "授权期限至").kind("date").why(&format!("《{}》：授权期限", p.form)));
    }
    sections.push(Section { id: "handler".into(), title: if has_organization { "经办人" } else { "申请人" }.into(), fields: handler });

    if has_annex {
        let mut rows = vec![
            field("employees[].name", "姓名").required(""),
            field("employees[].id_type", "证件类型").choice(id_types(), Some(IdType::ResidentId.wire())),
            field("employees[].id_number", "证件号码").id_number("employees[].id_type").required(""),
            field("employees[].email", "邮箱").ident("email"),
        ];
        // a row's own business type and years where the project's annex prints them (seed 001's 附页)
        if prints("employees[].business").is_some() {
            let offered: Vec<Choice> = project.business_types.iter().map(|b| Choice { value: b.wire().into(), label: b.zh().into() }).collect();
            rows.push(field("employees[].business", "业务类型").choice(offered, Some(business.wire())).why("附页每行的业务类型"));
            let years: Vec<Choice> = project.years.iter().map(|y| Choice { value: y.to_string(), label: format!("{y}年") }).collect();
            rows.push(field("employees[].years", "年限").choice(years, project.years.first().map(u32::to_string).as_deref()).why("附页每行的年限（新申请、续期）"));
        }
        if let Some(p) = prints("employees[].authorization_until") {
            rows.push(field("employees[].authorization_until", "授权期限至").kind("date").why(&format!("《{}》：授权期限", p.form)));
        }
        sections.push(Section { id: "employees".into(), title: "员工（附页）".into(), fields: rows });
    }

    let extras: Vec<FieldSpec> = project
        .fields_for(business, kind)
        .into_iter()
        .map(|f| {
            let spec = field(&format!("extra.{}", f.name), &f.label).why(&f.source);
            let spec = match f.kind {
                FieldKind::Choice => spec.choice(f.choices.iter().map(|c| Choice { value: c.clone(), label: c.clone() }).collect(), f.default.as_deref()),
                other => spec.kind(other.wire()),
            };
            if f.required { spec.required(&f.source) } else { spec }
        })
        .collect();
    if !extras.is_empty() {
        sections.push(Section { id: "project_fields".into(), title: format!("{}专用信息", project.ca_short), fields: extras });
    }

    let special = InvoiceType::Special.wire();
    // asked, not required: the domain warns where a 专票 lacks them (seed 003's words)
    let special_why = "专票还需要填写营业地址、电话号码、开户行信息";
    let mut invoice = vec![
        field("invoice.type", "发票类型").choice(choices_of(InvoiceType::ALL, InvoiceType::wire, InvoiceType::zh), Some(InvoiceType::Normal.wire())),
        field("invoice.title", "发票抬头"),
        field("invoice.taxpayer_id", "纳税人识别号").required_when("invoice.type", special, "增值税专用发票须填写纳税人识别号"),
        field("invoice.email", "接收邮箱").ident("email"),
        field("invoice.phone", "电话号码").why(special_why),
        field("invoice.address", "营业地址").why(special_why),
        field("invoice.bank", "开户行").why(special_why),
        field("invoice.account", "账号").why(special_why),
    ];
    if rules.invoice_title_is_applicant {
        invoice[1] = invoice[1].clone().why("办理单位必须与申请发票单位一致");
    }
    if rules.invoice_email_required {
        invoice[3] = invoice[3].clone().why("电子邮箱*：必须填写，用于收取电子发票");
    }
    sections.push(Section { id: "invoice".into(), title: "发票".into(), fields: invoice });

    let mail = DeliveryMethod::Mail.wire();
    let mut delivery = vec![
        field("delivery.method", "交付方式").choice(choices_of(DeliveryMethod::ALL, DeliveryMethod::wire, DeliveryMethod::zh), Some(DeliveryMethod::Pickup.wire())),
        field("delivery.recipient", "收件人").required_when("delivery.method", mail, "邮寄须填写收件人"),
        field("delivery.phone", "收件人手机").ident("mobile").required_when("delivery.method", mail, "邮寄须填写收件人手机号码"),
        field("delivery.address", "收件地址").required_when("delivery.method", mail, "邮寄须填写收件地址"),
    ];
    if rules.mail_to_legal_address_only {
        delivery[3] = delivery[3].clone().required_when("delivery.method", mail, "证书仅回寄到单位法定地址");
    }
    sections.push(Section { id: "delivery".into(), title: "交付".into(), fields: delivery });

    let payment = vec![
        field("payment.method", "付款方式").choice(choices_of(PaymentMethod::ALL, PaymentMethod::wire, PaymentMethod::zh), Some(PaymentMethod::Card.wire())),
        field("payment.payer_name", "付款单位/人"),
        field("payment.payer_account", "付款账号").required_when("payment.method", PaymentMethod::BankTransfer.wire(), "对公转账须填写付款账号"),
        field("payment.date", "付款日期").kind("date"),
    ];
    sections.push(Section { id: "payment".into(), title: "收费".into(), fields: payment });

    Ok(IntakeForm {
        project: project.id.clone(),
        business,
        cert_kind: kind,
        medium,
        rules: rule_views(project, business, kind),
        sections,
        counts_as_person: vec!["name".into(), "id_number".into(), "email".into()],
        takes_years,
        has_organization,
        has_annex,
    })
}

/// The project's counter rules that a case of this kind meets, in the seeds' words.
fn rule_views(project: &Project, business: BusinessType, kind: CertKind) -> Vec<RuleView> {
    let r = &project.rules;
    let unit = kind != CertKind::Personal;
    [
        (r.payer_is_applicant, "payer_is_applicant", "汇款须单位汇款，私人汇款概不受理", "payment.payer_name"),
        (r.invoice_title_is_applicant, "invoice_title_is_applicant", "办理单位必须与申请发票单位一致", "invoice.title"),
        (r.mail_to_legal_address_only, "mail_to_legal_address_only", "证书仅回寄到单位法定地址", "delivery.address"),
        (r.invoice_email_required, "invoice_email_required", "电子邮箱*：必须填写，用于收取电子发票", "invoice.email"),
        (r.no_registered_letter, "no_registered_letter", "不接受挂号信", "arrival.courier"),
        (r.no_freight_collect, "no_freight_collect", "拒收到付件", "arrival.postage"),
        (r.online_application_first && business == BusinessType::New, "online_application_first", ONLINE_FIRST, "arrival.online_application"),
        (r.one_organization_certificate && kind == CertKind::Organization, "one_organization_certificate", "单位证书只允许申请1条", "organization.uscc"),
        (r.organization_certificate_first && kind == CertKind::Employee, "organization_certificate_first", ORG_FIRST, "organization.certificate_serial"),
        (project.pin.as_ref().and_then(|p| p.max_tries).is_some(), "pin_max_tries", "多次输入PIN码错误将会锁定", ""),
    ]
    .into_iter()
    .filter(|(on, id, ..)| *on && (unit || !matches!(*id, "one_organization_certificate" | "organization_certificate_first")))
    .map(|(_, id, text, key)| {
        let text = match (id, project.pin.as_ref().and_then(|p| p.max_tries)) {
            ("pin_max_tries", Some(n)) => format!("多次输入PIN码错误（输入错误{n}次将会锁定）"),
            _ => text.to_string(),
        };
        RuleView { id: id.into(), text, key: key.into() }
    })
    .collect()
}

/// Seed 001's words for the organisation certificate before employee certificates.
pub const ORG_FIRST: &str = "每个用户需先申请单位法人证书，用于标识机关单位真实身份，后才能申请单位员工证书";
/// CFCA's words for `license_must_be_valid` (seed 003).
pub const LICENSE_VALID: &str = "如单位证件不在有效期内或未年检、个人身份证件无法进行扫描验证，将导致数字证书及电子签章无法办理";
/// Seed 001's words for a new application by post (`online_application_first`).
pub const ONLINE_FIRST: &str = "新申请证书请经办人互联网线上申请后，邮寄上述资料";

#[cfg(test)]
mod tests {
    use super::*;
    use certdesk_catalog::Catalog;

    fn forms() -> Forms {
        Forms::load(Catalog::embedded().unwrap()).unwrap()
    }

    /// What a layout prints that the clerk does not type: the counter's, the catalog's, the
    /// computed and the chosen-before-the-form.
    fn not_typed(path: &str) -> bool {
        const OTHERS: [&str; 24] = [
            "review.",
            "counter.",
            "ca.",
            "fee.",
            "materials",
            "certs",
            "route.",
            "today",
            "form.",
            "page.",
            "repeat.",
            "seals",
            "case.",
            "close.",
            "ledger.",
            "item.",
            "project",
            "business",
            "cert_kind",
            "medium",
            "employees_count",
            "employees.count",
            "payment.amount",
            "sections",
        ];
        path == "employees" || OTHERS.iter().any(|o| path == o.trim_end_matches('.') || path.starts_with(o))
    }

    #[test]
    fn every_field_a_form_prints_is_offered_at_intake() {
        let forms = forms();
        let mut walked = 0;
        let mut missing = std::collections::BTreeSet::new();
        for p in forms.catalog.projects.values() {
            for b in &p.business_types {
                for k in &p.cert_kinds {
                    for m in &p.media {
                        let model = intake_form(&forms, &p.id, b.wire(), k.wire(), m.wire()).unwrap();
                        let keys: Vec<&str> = model.sections.iter().flat_map(|s| &s.fields).map(|f| f.key.as_str()).collect();
                        for printed in forms.printed_fields(p, *b, *k) {
                            // years print only where the business type has them; a project field
                            // prints its boxes empty where it does not apply
                            let inapplicable = (printed.path == "years" && !model.takes_years)
                                || printed.path.strip_prefix("extra.").is_some_and(|n| !p.fields_for(*b, *k).iter().any(|f| f.name == n));
                            if not_typed(&printed.path) || inapplicable {
                                continue;
                            }
                            walked += 1;
                            if !keys.contains(&printed.path.as_str()) {
                                missing.insert(format!("{} {k}: 《{}》 prints {} and the intake does not ask it", p.id, printed.form, printed.path));
                            }
                        }
                        for f in p.fields_for(*b, *k) {
                            assert!(keys.contains(&format!("extra.{}", f.name).as_str()), "{}: {} not offered", p.id, f.name);
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "{}", missing.into_iter().collect::<Vec<_>>().join("\n"));
        assert!(walked > 500, "the walk reached {walked} printed fields");
    }

    #[test]
    fn the_liaoning_employee_form_asks_its_business_number_and_the_authorisation_term() {
        let model = intake_form(&forms(), "netca-ln-procurement", "new", "employee", "usb_key").unwrap();
        let all: Vec<&FieldSpec> = model.sections.iter().flat_map(|s| &s.fields).collect();
        let reference = all.iter().find(|f| f.key == "ca_reference").expect("业务单号 offered");
        assert!(reference.why.as_deref().unwrap().contains("条形码号须与本页面上方的“业务单号”一致"), "{reference:?}");
        assert!(all.iter().any(|f| f.key == "handler.authorization_until" && f.kind == "date"));
        assert!(model.has_annex && model.takes_years && model.has_organization);
        assert!(model.rules.iter().any(|r| r.id == "invoice_title_is_applicant" && r.text == "办理单位必须与申请发票单位一致"));
        // a project without a form that prints it does not ask for it
        let gd = intake_form(&forms(), "netca-gd-procurement", "new", "organization", "usb_key").unwrap();
        assert!(!gd.sections.iter().flat_map(|s| &s.fields).any(|f| f.key == "ca_reference" || f.key == "handler.authorization_until"));
    }

    /// #73: the posted case's own fields, and the rules about the paper's arrival in the seeds'
    /// words where the project says them.
    #[test]
    fn a_posted_case_asks_its_arrival_and_the_online_application_where_the_guide_says() {
        let forms = forms();
        let pension = intake_form(&forms, "netca-gd-pension", "new", "employee", "usb_key").unwrap();
        let all: Vec<&FieldSpec> = pension.sections.iter().flat_map(|s| &s.fields).collect();
        let online = all.iter().find(|f| f.key == "arrival.online_application").expect("网上申请编号 offered");
        assert_eq!((online.why.as_deref(), online.shown_when.as_ref().map(|w| w.equals.as_str())), (Some(ONLINE_FIRST), Some("post")));
        assert!(!online.required, "the paper is taken without it, with a warning");
        let ids: Vec<&str> = pension.rules.iter().map(|r| r.id.as_str()).collect();
        assert!(ids.contains(&"online_application_first") && ids.contains(&"no_registered_letter") && !ids.contains(&"no_freight_collect"), "{ids:?}");
        let unlock = intake_form(&forms, "netca-gd-pension", "unlock", "employee", "usb_key").unwrap();
        assert!(!unlock.rules.iter().any(|r| r.id == "online_application_first"), "an unlock is not applied for online first");
        let ln = intake_form(&forms, "netca-ln-procurement", "new", "employee", "usb_key").unwrap();
        assert!(ln.rules.iter().any(|r| r.id == "no_freight_collect" && r.text == "拒收到付件" && r.key == "arrival.postage"));
        let ln_online = ln.sections.iter().flat_map(|s| &s.fields).find(|f| f.key == "arrival.online_application").unwrap();
        assert_eq!(ln_online.why, None);
    }

    #[test]
    fn the_projects_own_fields_and_rules_come_from_the_catalog() {
        let forms = forms();
        let nmg = intake_form(&forms, "nmgca-procurement", "new", "organization", "usb_key").unwrap();
        let own = nmg.sections.iter().find(|s| s.id == "project_fields").expect("内蒙古CA's own fields");
        assert_eq!(own.fields.iter().map(|f| (f.key.as_str(), f.label.as_str())).collect::<Vec<_>>(), [("extra.banner_district", "所属旗区")]);
        assert!(nmg.rules.iter().any(|r| r.id == "one_organization_certificate" && r.text == "单位证书只允许申请1条"));
        assert!(nmg.rules.iter().any(|r| r.id == "invoice_email_required"));
        let cfca = intake_form(&forms, "cfca-xs", "new", "organization", "usb_key").unwrap();
        let licence = cfca.sections.iter().flat_map(|s| &s.fields).find(|f| f.key == "organization.license_valid_until").expect("营业执照有效期至");
        assert!(licence.required && licence.why.as_deref() == Some(LICENSE_VALID), "CFCA refuses an expired licence: {licence:?}");
        let other = nmg.sections.iter().flat_map(|s| &s.fields).find(|f| f.key == "organization.license_valid_until").unwrap();
        assert!(!other.required, "asked, not required, where the guide does not refuse");
        let role = cfca.sections.iter().flat_map(|s| &s.fields).find(|f| f.key == "extra.key_role").unwrap();
        assert!(!role.required, "left for ink when not chosen");
        assert_eq!(role.choices.as_ref().unwrap().iter().map(|c| c.value.as_str()).collect::<Vec<_>>(), ["新办主锁", "新办副锁"]);
        let renew = intake_form(&forms, "cfca-xs", "renew", "organization", "usb_key").unwrap();
        assert!(!renew.sections.iter().flat_map(|s| &s.fields).any(|f| f.key == "extra.key_role"), "主锁/副锁 is for 新办 only");
        let personal = intake_form(&forms, "nmgca-procurement", "new", "personal", "usb_key").unwrap();
        assert!(!personal.has_organization && !personal.rules.iter().any(|r| r.id == "one_organization_certificate"));
        let special = nmg.sections.iter().flat_map(|s| &s.fields).find(|f| f.key == "invoice.taxpayer_id").unwrap();
        assert_eq!(special.required_when, Some(When { key: "invoice.type".into(), equals: "special".into() }));
        let err = intake_form(&forms, "nmgca-procurement", "unlock", "organization", "usb_key").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::UnknownValue, "a business type the project does not offer");
    }
}
