//! What the clerk must know about a project at intake, from its catalog: the CA's notes, where
//! a transfer goes (payee, bank, account, remark), the key's default PIN, the project's counter
//! rules in the seed's words, and how to reach the CA. The intake screen shows it as it is; the
//! receipt prints the bank details of a transfer from the same catalog. Owns the wording of the
//! rules, not the rules themselves (the catalog and `api::check_against_catalog`).

use certdesk_catalog::Project;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct BankDetails {
    pub payee: String,
    pub bank: String,
    pub account: String,
    pub remark: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Briefing {
    pub ca_name: String,
    pub notes: Vec<String>,
    pub bank: Option<BankDetails>,
    /// The CA's published default user PIN: the applicant must change it.
    pub default_pin: Option<String>,
    /// The counter rules the project applies, each as the seed says it.
    pub rules: Vec<String>,
    pub hours: String,
    pub phone: Vec<String>,
    pub postal_address: Option<String>,
}

pub fn briefing(project: &Project) -> Briefing {
    let r = &project.rules;
    let rules = [
        (r.mail_to_legal_address_only, "证书仅回寄到单位法定地址"),
        (r.invoice_title_is_applicant, "办理单位必须与申请发票单位一致"),
        (r.payer_is_applicant, "付款单位名称须与申请单位名称一致，私人汇款概不受理"),
        (r.invoice_email_required, "电子邮箱*：必须填写，用于收取电子发票"),
        (r.one_organization_certificate, "单位证书只允许申请1条"),
        (r.organization_certificate_first, crate::intake_form::ORG_FIRST),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, text)| text.to_string())
    .chain(project.pin.as_ref().and_then(|p| p.max_tries).map(|n| format!("多次输入PIN码错误（输入错误{n}次将会锁定）")))
    .collect();
    Briefing {
        ca_name: project.ca_name.clone(),
        notes: project.notes.clone(),
        bank: project.bank.as_ref().map(|b| BankDetails { payee: b.payee.clone(), bank: b.bank.clone(), account: b.account.clone(), remark: b.remark.clone() }),
        default_pin: project.pin.as_ref().and_then(|p| p.default.clone()),
        rules,
        hours: project.contact.hours.clone(),
        phone: project.contact.phone.clone(),
        postal_address: project.contact.postal_address.clone(),
    }
}
