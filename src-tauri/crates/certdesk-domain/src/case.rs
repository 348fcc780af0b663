//! The case as it travels: the case JSON of `shared/examples/` (those field names are a
//! contract), its enums (business type, certificate kind, medium, payment method, ID type),
//! whole-case validation that reports every problem with its field path, and the SHA-256
//! digest that approvals and the audit chain bind to. Does not know catalogs (whether a
//! project offers a choice is checked by the catalog crate) nor storage.

use crate::ident::{self, IdentKind};
use crate::money::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $wire:literal / $zh:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The name in case JSON, the catalog and the CLI.
            pub fn wire(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }
            /// The name printed on forms and shown in the UI.
            pub fn zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }
            pub fn from_wire(s: &str) -> Option<$name> {
                match s { $($wire => Some($name::$variant),)+ _ => None }
            }
            pub fn wire_names() -> String {
                [$($wire),+].join(", ")
            }
        }

        /// In TypeScript, the union of the wire names.
        impl ts_rs::TS for $name {
            type WithoutGenerics = Self;
            type OptionInnerType = Self;
            fn name(_: &ts_rs::Config) -> String {
                [$(concat!("\"", $wire, "\"")),+].join(" | ")
            }
            fn inline(cfg: &ts_rs::Config) -> String {
                <Self as ts_rs::TS>::name(cfg)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.wire()) }
        }
    };
}

wire_enum!(
    /// 业务类型.
    BusinessType {
        New = "new" / "新申请",
        Renew = "renew" / "更新续期",
        Change = "change" / "变更",
        Replace = "replace" / "补办",
        Unlock = "unlock" / "解锁",
        Revoke = "revoke" / "注销",
        Suspend = "suspend" / "挂起",
        KeyRecovery = "key_recovery" / "密钥恢复",
        AnnualCheck = "annual_check" / "年审",
        Unsuspend = "unsuspend" / "解挂",
    }
);

impl PaymentMethod {
    /// What the applicant pays by this method for a case whose fee is `fee`: the fee, or
    /// nothing for a case the CA does free of charge (免费).
    pub fn amount_due(self, fee: Money) -> Money {
        if self == PaymentMethod::Free { Money::ZERO } else { fee }
    }
}

impl BusinessType {
    /// New and renewed certificates carry a validity in years; the others keep the
    /// original validity (补办 "有效期与原数字证书有效期相同") or have none.
    pub fn takes_years(self) -> bool {
        matches!(self, BusinessType::New | BusinessType::Renew)
    }
}

wire_enum!(
    /// 证书类型.
    CertKind {
        Organization = "organization" / "机构证书",
        Employee = "employee" / "机构员工证书",
        Personal = "personal" / "个人证书",
    }
);

wire_enum!(
    /// 证书介质.
    Medium {
        UsbKey = "usb_key" / "USB Key",
        MobileKey = "mobile_key" / "移动证书",
    }
);

wire_enum!(
    /// Where a person's identity came from (#72): read off the ID card's chip at this counter,
    /// or typed. The backend keeps `chip` only for a number its reader read (see the desk).
    IdSource {
        Chip = "chip" / "读卡",
        Typed = "typed" / "手工录入",
    }
);

wire_enum!(
    /// 付款方式.
    PaymentMethod {
        BankTransfer = "bank_transfer" / "对公转账",
        Card = "card" / "刷卡",
        Cash = "cash" / "现金",
        Wechat = "wechat" / "微信",
        Alipay = "alipay" / "支付宝",
        Free = "free" / "免费",
    }
);

wire_enum!(
    /// 证件类型 (seed 002 lists these for handlers and users).
    IdType {
        ResidentId = "resident_id" / "居民身份证",
        Passport = "passport" / "护照",
        HkMacaoPermit = "hk_macao_permit" / "港澳居民来往内地通行证",
        TaiwanPermit = "taiwan_permit" / "台湾居民来往大陆通行证",
        HkMacaoTaiwanResidence = "hmt_residence_permit" / "港澳台居民居住证",
        ForeignerResidence = "foreigner_residence_permit" / "外国人永久居留身份证",
        MilitaryOfficer = "military_officer" / "军官证",
        Other = "other" / "其他",
    }
);

wire_enum!(
    /// 交付方式: how the key (or the paperwork) goes back to the applicant.
    DeliveryMethod {
        Pickup = "pickup" / "自取",
        Mail = "mail" / "邮寄",
    }
);

wire_enum!(
    /// 发票类型.
    InvoiceType {
        Normal = "normal" / "增值税普通发票",
        Special = "special" / "增值税专用发票",
    }
);

/// Unknown fields are kept and exported again: the case JSON may grow.
pub type Extra = Map<String, Value>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct LegalRep {
    pub name: String,
    pub id_type: IdType,
    pub id_number: String,
    #[serde(default)]
    pub mobile: Option<String>,
    /// Fields this build does not know: kept and exported again (free JSON in TypeScript).
    #[serde(flatten)]
    #[ts(skip)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Organization {
    pub name: String,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub uscc: Option<String>,
    #[serde(default)]
    pub org_code: Option<String>,
    #[serde(default)]
    pub other_id: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub postcode: Option<String>,
    #[serde(default)]
    pub legal_address: Option<String>,
    #[serde(default)]
    pub mailing_address: Option<String>,
    #[serde(default)]
    pub legal_rep: Option<LegalRep>,
    /// The serial (hex) of the organisation certificate the unit already holds, where a
    /// project issues employee certificates only to a unit that has one (seed 001).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub certificate_serial: Option<String>,
    /// 营业执照有效期至 (#74): `YYYY-MM-DD`, or `长期` for a licence without an end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub license_valid_until: Option<String>,
    /// Fields this build does not know: kept and exported again (free JSON in TypeScript).
    #[serde(flatten)]
    #[ts(skip)]
    pub extra: Extra,
}

/// 经办人 (and, for personal certificates, the applicant).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Handler {
    pub name: String,
    pub id_type: IdType,
    pub id_number: String,
    #[serde(default)]
    pub mobile: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    /// 授权期限: the last day of the unit's authorisation letter (授权书) for this person,
    /// `YYYY-MM-DD` (seeds 002/004 "授权期限…至…", 陕西CA "授权委托有效期至"). Absent when the
    /// letter names none or the case needs none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub authorization_until: Option<String>,
    /// `chip` when the identity was read off the ID card (the supervisor sees it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub source: Option<IdSource>,
    /// Fields this build does not know: kept and exported again (free JSON in TypeScript).
    #[serde(flatten)]
    #[ts(skip)]
    pub extra: Extra,
}

/// One row of the employee annex (附页).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Employee {
    pub name: String,
    pub id_type: IdType,
    pub id_number: String,
    #[serde(default)]
    pub email: Option<String>,
    pub business: BusinessType,
    #[serde(default)]
    pub years: Option<u32>,
    /// 授权期限 of this employee's authorisation letter, `YYYY-MM-DD` (see `Handler`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub authorization_until: Option<String>,
    /// `chip` when the identity was read off the ID card (the supervisor sees it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub source: Option<IdSource>,
    /// Fields this build does not know: kept and exported again (free JSON in TypeScript).
    #[serde(flatten)]
    #[ts(skip)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Payment {
    pub method: PaymentMethod,
    #[serde(default)]
    pub payer_account: Option<String>,
    #[serde(default)]
    pub payer_name: Option<String>,
    pub amount: Money,
    #[serde(default)]
    #[ts(type = "string | null")]
    pub date: Option<NaiveDate>,
    /// Fields this build does not know: kept and exported again (free JSON in TypeScript).
    #[serde(flatten)]
    #[ts(skip)]
    pub extra: Extra,
}

/// How a case came in (#73): at the counter (窗口, the default: a case JSON without `channel`)
/// or by post (邮寄: the paper arrived by courier, taken at the back desk without the applicant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    #[default]
    Counter,
    Post,
}

impl Channel {
    pub fn is_counter(&self) -> bool {
        *self == Channel::Counter
    }

    pub fn wire(self) -> &'static str {
        match self {
            Channel::Counter => "counter",
            Channel::Post => "post",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Channel::Counter => "窗口",
            Channel::Post => "邮寄",
        }
    }
}

/// Who paid a posted parcel's carriage (#73): the sender (寄付, the default) or the counter on
/// receipt (到付, which some CAs refuse: "拒收到付件").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Postage {
    Prepaid,
    Collect,
}

impl Postage {
    pub fn wire(self) -> &'static str {
        match self {
            Postage::Prepaid => "prepaid",
            Postage::Collect => "collect",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Postage::Prepaid => "寄付",
            Postage::Collect => "到付",
        }
    }
}

/// When and how a posted case's paper arrived (`arrival` in the case JSON, #73).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Arrival {
    #[ts(type = "string")]
    pub date: NaiveDate,
    /// The courier company (顺丰速运, EMS, 京东物流 …).
    #[serde(default)]
    pub courier: String,
    /// Its waybill number (运单号).
    #[serde(default)]
    pub waybill: String,
    /// Who paid the carriage (寄付 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub postage: Option<Postage>,
    /// The number of the application made online before the paper was posted (网上申请编号;
    /// seed 001: "新申请证书请经办人互联网线上申请后，邮寄上述资料").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub online_application: Option<String>,
    #[serde(flatten)]
    #[ts(skip)]
    pub extra: Extra,
}

/// A licence without an end (营业期限 长期), as `organization.license_valid_until` holds it.
pub const LICENSE_WITHOUT_END: &str = "长期";

/// The longest waybill number taken (couriers' are 10–20 characters).
pub const MAX_WAYBILL_CHARS: usize = 40;
/// The longest online application number taken.
pub const MAX_ONLINE_APPLICATION_CHARS: usize = 64;

/// How the case's key goes back (`delivery` in the case JSON; pickup by the handler when absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Delivery {
    #[serde(default = "pickup")]
    pub method: DeliveryMethod,
    /// Who receives it (the handler when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The postal address for `mail`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(flatten)]
    #[ts(skip)]
    pub extra: Extra,
}

fn pickup() -> DeliveryMethod {
    DeliveryMethod::Pickup
}

/// The invoice the applicant asks for (`invoice` in the case JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Invoice {
    #[serde(rename = "type", default = "normal_invoice")]
    #[ts(rename = "type")]
    pub kind: InvoiceType,
    /// 发票抬头.
    pub title: String,
    /// 纳税人识别号 (the unit's USCC for a unit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxpayer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// 专票: the unit's registered business address (营业地址), with `phone`, `bank` and
    /// `account` ("专票还需要填写营业地址、电话号码、开户行信息", seed 003).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub address: Option<String>,
    /// 专票: 开户行.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub bank: Option<String>,
    /// 专票: 账号.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub account: Option<String>,
    #[serde(flatten)]
    #[ts(skip)]
    pub extra: Extra,
}

/// One line of the materials checklist as the clerk ticked it (`materials` in the case JSON):
/// the catalog item's id, whether the original was seen, how many copies were taken, and, for
/// an item not handed in, the applicant's promise to bring it later (`to_follow`: what and
/// when), which the supervisor must accept at approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct MaterialReceived {
    pub id: String,
    #[serde(default)]
    pub original_seen: bool,
    #[serde(default)]
    pub copies_received: u32,
    /// 后补说明: why it is missing and when it will be brought.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub to_follow: Option<String>,
    /// 在案 (#74): an authorisation letter the counter already holds for this handler, the
    /// number of the case it came with; set by the desk, never by the clerk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub on_file: Option<String>,
    /// 凭单位证书免原件 (#74): the serial of the unit's certificate whose signature proved the
    /// unit at the desk, on an item the guide spares the original of; set by the desk, never by
    /// the clerk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub by_unit_certificate: Option<String>,
    #[serde(flatten)]
    #[ts(skip)]
    pub extra: Extra,
}

/// The unit's own certificate as proof of the unit (#74): which certificate signed the desk's
/// challenge, whose CA it chained to, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct UnitProof {
    /// The certificate's serial, hex.
    pub serial: String,
    /// Its subject (RFC 4514) and the 统一社会信用代码 in it.
    pub subject: String,
    pub uscc: String,
    pub issuer: String,
    /// RFC 3339, UTC.
    pub not_after: String,
    /// The signature's algorithm (`rsa-pkcs1-sha256`, `ecdsa-p256-sha256`, `sm2-sm3`).
    pub algorithm: String,
    /// The project's CA certificate the chain ended at (its subject).
    pub anchor: String,
    /// When the key signed, RFC 3339.
    pub proved_at: String,
}

impl MaterialReceived {
    /// A checklist line with nothing recorded yet.
    pub fn blank(id: &str) -> MaterialReceived {
        MaterialReceived { id: id.to_string(), original_seen: false, copies_received: 0, to_follow: None, on_file: None, by_unit_certificate: None, extra: Extra::default() }
    }
}

fn normal_invoice() -> InvoiceType {
    InvoiceType::Normal
}

/// The case data: what the applicant asks for and who they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct CaseData {
    pub project: String,
    pub business: BusinessType,
    pub cert_kind: CertKind,
    #[serde(default)]
    pub years: Option<u32>,
    #[serde(default = "one")]
    pub quantity: u32,
    pub medium: Medium,
    #[serde(default)]
    pub organization: Option<Organization>,
    pub handler: Handler,
    #[serde(default)]
    pub employees: Vec<Employee>,
    #[serde(default)]
    pub payment: Option<Payment>,
    #[serde(default)]
    pub notes: String,
    /// 业务单号: the CA's own number for this application, from its online system (printed as
    /// the barcode of forms that carry one). Absent until the clerk has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice: Option<Invoice>,
    /// How the case came in (#73), as the case JSON gives it: absent (a counter case, as every
    /// case before #73, whose data and digest stay as they were) or `counter`/`post`. Read it
    /// with [`CaseData::channel`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// A posted case's arrival: its date, courier and waybill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrival: Option<Arrival>,
    /// 凭单位证书核验 (#74): the unit proved itself at the desk with its own organisation
    /// certificate (its key signed the desk's challenge, the certificate chained to the
    /// project's CA). Set by the desk only (`case prove-unit`); kept across edits while the
    /// unit's code stays; an imported case never brings one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub unit_proof: Option<UnitProof>,
    /// The materials checklist as received (catalog item ids); empty until the clerk ticks it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub materials: Vec<MaterialReceived>,
    /// The project's own fields (`extra` in the case JSON: 所属旗区, 主锁/副锁, 主体类型 …), by
    /// the names its catalog declares (`[[fields]]`); text, a choice's text, a day or a count.
    /// Whether a name and value are the project's is the catalog's check.
    #[serde(rename = "extra", default, skip_serializing_if = "BTreeMap::is_empty")]
    #[ts(rename = "extra", type = "Record<string, string | number> | undefined")]
    pub project_fields: BTreeMap<String, Value>,
    /// Fields this build does not know: kept and exported again (free JSON in TypeScript).
    #[serde(flatten)]
    #[ts(skip)]
    pub extra: Extra,
}

fn one() -> u32 {
    1
}

/// Fields that the store adds on export and that import ignores: a case imported always
/// gets a new number and starts as a draft. `seals` (#34) is built from the case's audit chain
/// by the desk: the seal sheet's impressions kept and the clerk's acceptances; `fee` (#71) is
/// the catalog's quote and `approval_signature` the supervisor's signed approval, both as
/// `case show` adds them; `dispatch` (#73) the key sent back by post, read off the chain.
pub const STORE_FIELDS: [&str; 9] = ["number", "status", "created_at", "updated_at", "digest", "seals", "fee", "approval_signature", "dispatch"];

/// One problem in a case, with the JSON path of the field (`organization.uscc`,
/// `employees[1].id_number`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct FieldProblem {
    pub path: String,
    pub message: String,
    pub message_zh: String,
    /// `error` refuses the case, `warning` is shown but accepted.
    pub severity: Severity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{tag}: {}: {}", self.path, self.message)
    }
}

/// Why case JSON cannot be read as a case.
#[derive(Debug, thiserror::Error)]
pub enum CaseParseError {
    #[error("the case JSON cannot be read: the case JSON is {size} bytes; a case is at most {MAX_CASE_JSON_BYTES} bytes")]
    TooLarge { size: usize },
    /// not JSON at all (serde_json's line and column)
    #[error("the case JSON cannot be read: {0}")]
    Syntax(serde_json::Error),
    #[error("the case JSON cannot be read: expected a JSON object")]
    NotAnObject,
    /// JSON, but a field of the wrong type or form (serde_json names it)
    #[error("the case JSON cannot be read: {0}")]
    Fields(serde_json::Error),
}

impl CaseData {
    /// Reads case JSON. Store-managed fields (`number`, `status`, …) are dropped.
    pub fn from_json(text: &str) -> Result<CaseData, CaseParseError> {
        if text.len() > MAX_CASE_JSON_BYTES {
            return Err(CaseParseError::TooLarge { size: text.len() });
        }
        let mut value: Value = serde_json::from_str(text).map_err(CaseParseError::Syntax)?;
        if let Value::Object(map) = &mut value {
            for field in STORE_FIELDS {
                map.remove(field);
            }
        } else {
            return Err(CaseParseError::NotAnObject);
        }
        serde_json::from_value(value).map_err(CaseParseError::Fields)
    }

    /// Canonical JSON: keys sorted, no whitespace. What the digest is taken over.
    pub fn canonical_json(&self) -> String {
        // serde_json's Map is a BTreeMap (no `preserve_order`), so a round trip through
        // Value sorts every object's keys.
        let value = serde_json::to_value(self).unwrap_or(Value::Null);
        value.to_string()
    }

    /// SHA-256 of the canonical JSON, lowercase hex.
    pub fn digest(&self) -> String {
        sha256_hex(self.canonical_json().as_bytes())
    }

    /// Checks the whole case and normalises its identifiers in place (spaces, full-width
    /// characters, lowercase x). Returns every problem found, errors and warnings.
    /// How the case came in: by post only when its JSON says so.
    pub fn channel(&self) -> Channel {
        self.channel.unwrap_or_default()
    }

    pub fn validate_and_normalize(&mut self, today: NaiveDate) -> Vec<FieldProblem> {
        let mut v = Validator { today, problems: Vec::new() };
        v.required("project", &self.project);
        if self.business.takes_years() {
            match self.years {
                None => v.error("years", "new and renewed certificates need a validity in years", "新申请和续期须填写年限"),
                Some(0) => v.error("years", "validity must be at least one year", "年限至少为1年"),
                Some(_) => {}
            }
        }
        if self.quantity == 0 {
            v.error("quantity", "quantity must be at least 1", "张数至少为1");
        }
        if self.quantity > MAX_QUANTITY {
            v.error(
                "quantity",
                &format!("quantity {} is more than the {MAX_QUANTITY} one case may ask for", self.quantity),
                &format!("张数{}超过单个案件上限{MAX_QUANTITY}", self.quantity),
            );
        }
        if self.years.is_some_and(|y| y > MAX_YEARS) {
            v.error("years", &format!("no CA issues certificates for {} years", self.years.unwrap_or_default()), "年限超出范围");
        }
        if self.employees.len() > MAX_EMPLOYEES {
            v.error(
                "employees",
                &format!("{} employees: one case takes at most {MAX_EMPLOYEES}", self.employees.len()),
                &format!("附页员工{}人，超过单个案件上限{MAX_EMPLOYEES}人", self.employees.len()),
            );
        }
        v.texts(self);
        match (&mut self.organization, self.cert_kind) {
            (None, CertKind::Organization | CertKind::Employee) => {
                v.error("organization", "organisation and employee certificates need the organisation", "机构证书和员工证书须填写申请单位资料")
            }
            (Some(org), _) => v.organization(org),
            (None, CertKind::Personal) => {}
        }
        v.person("handler", &self.handler.name, self.handler.id_type, &mut self.handler.id_number);
        v.optional_ident("handler.mobile", IdentKind::Mobile, &mut self.handler.mobile);
        v.optional_ident("handler.email", IdentKind::Email, &mut self.handler.email);
        v.authorization("handler.authorization_until", &mut self.handler.authorization_until);
        if self.handler.mobile.is_none() {
            v.error("handler.mobile", "the handler's mobile number is required", "经办人手机号码必填");
        }
        if self.cert_kind == CertKind::Employee && self.employees.is_empty() {
            v.error("employees", "an employee certificate needs at least one employee on the annex", "员工证书须在附页填写至少一名员工");
        }
        if self.quantity != quantity_for(self.cert_kind, self.employees.len(), self.quantity) {
            v.warning(
                "quantity",
                &format!("quantity {} differs from the {} employees on the annex", self.quantity, self.employees.len()),
                &format!("张数{}与附页员工人数{}不一致", self.quantity, self.employees.len()),
            );
        }
        let mut seen = std::collections::HashMap::new();
        for (i, e) in self.employees.iter_mut().enumerate() {
            let base = format!("employees[{i}]");
            v.employee(&base, e);
            if let Some(first) = seen.insert(e.id_number.clone(), i) {
                v.error(&format!("{base}.id_number"), &format!("same ID number as employees[{first}]"), &format!("证件号码与第{}行员工重复", first + 1));
            }
        }
        if self.ca_reference.as_deref().is_some_and(|r| r.trim().is_empty()) {
            self.ca_reference = None;
        }
        if let Some(r) = &mut self.ca_reference {
            *r = r.trim().to_string();
            if r.len() > MAX_REFERENCE_CHARS || !r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                v.error("ca_reference", "the CA's business number (业务单号) is letters, digits and '-', at most 40", "业务单号只能由字母、数字和“-”组成，最多40位");
            }
        }
        if let Some(d) = &mut self.delivery {
            v.optional_ident("delivery.phone", IdentKind::Mobile, &mut d.phone);
            if d.method == DeliveryMethod::Mail {
                if d.address.as_deref().is_none_or(|a| a.trim().is_empty()) {
                    v.error("delivery.address", "delivery by post needs the postal address", "邮寄须填写收件地址");
                }
                if d.recipient.as_deref().is_none_or(|a| a.trim().is_empty()) {
                    v.error("delivery.recipient", "delivery by post needs the recipient", "邮寄须填写收件人");
                }
                if d.phone.is_none() {
                    v.error("delivery.phone", "delivery by post needs the recipient's mobile number", "邮寄须填写收件人手机号码");
                }
            }
        }
        match (self.channel(), &mut self.arrival) {
            (Channel::Post, None) => v.error("arrival", "a case by post needs its arrival (date, courier, waybill)", "邮寄案件须填写收件日期、快递公司和运单号"),
            (Channel::Post, Some(a)) => {
                a.courier = a.courier.trim().to_string();
                a.waybill = a.waybill.split_whitespace().collect::<String>().to_uppercase();
                if a.date > v.today {
                    v.error("arrival.date", &format!("the paper cannot arrive in the future ({})", a.date), &format!("收件日期{}晚于今天", a.date));
                }
                if a.courier.is_empty() {
                    v.error("arrival.courier", "the courier the paper came with", "请填写快递公司");
                }
                if a.waybill.is_empty() {
                    v.error("arrival.waybill", "the waybill number the paper came with", "请填写运单号");
                } else if a.waybill.chars().count() > MAX_WAYBILL_CHARS || !a.waybill.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    v.error("arrival.waybill", "a waybill number is letters, digits and '-', at most 40", "运单号只能由字母、数字和“-”组成，最多40位");
                }
                a.online_application = a.online_application.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
                if a.online_application.as_deref().is_some_and(|s| s.chars().count() > MAX_ONLINE_APPLICATION_CHARS || s.chars().any(char::is_control)) {
                    v.error("arrival.online_application", "an online application number is one line of at most 64 characters", "网上申请编号为一行，最多64个字符");
                }
            }
            (Channel::Counter, Some(_)) => v.error("arrival", "an arrival belongs to a case by post (channel \"post\")", "只有邮寄案件才有收件信息"),
            (Channel::Counter, None) => {}
        }
        if let Some(inv) = &mut self.invoice {
            v.required("invoice.title", &inv.title);
            for field in [&mut inv.taxpayer_id, &mut inv.email, &mut inv.phone] {
                if field.as_deref().is_some_and(|s| s.trim().is_empty()) {
                    *field = None;
                }
            }
            if let Some(t) = &mut inv.taxpayer_id {
                let compact: String = t.split_whitespace().collect::<String>().to_uppercase();
                *t = compact;
                if !(15..=20).contains(&t.len()) || !t.chars().all(|c| c.is_ascii_alphanumeric()) {
                    v.error("invoice.taxpayer_id", "a taxpayer ID (纳税人识别号) is 15 to 20 letters and digits", "纳税人识别号应为15-20位字母或数字");
                }
            }
            for field in [&mut inv.address, &mut inv.bank, &mut inv.account] {
                if field.as_deref().is_some_and(|s| s.trim().is_empty()) {
                    *field = None;
                }
            }
            if inv.kind == InvoiceType::Special {
                if inv.taxpayer_id.is_none() {
                    v.error("invoice.taxpayer_id", "a special VAT invoice needs the taxpayer ID", "增值税专用发票须填写纳税人识别号");
                }
                // seed 003: "专票还需要填写营业地址、电话号码、开户行信息"; a warning, not a
                // refusal: case files of other tools name a 专票 by its taxpayer ID alone, and
                // the CA's invoice desk asks for the rest
                for (path, value, en, zh) in [
                    ("invoice.address", &inv.address, "address", "营业地址"),
                    ("invoice.phone", &inv.phone, "phone number", "电话号码"),
                    ("invoice.bank", &inv.bank, "bank", "开户行"),
                    ("invoice.account", &inv.account, "account", "账号"),
                ] {
                    if value.is_none() {
                        v.warning(
                            path,
                            &format!("a special VAT invoice needs the unit's {en} (专票还需要填写营业地址、电话号码、开户行信息)"),
                            &format!("专票还需要填写{zh}（专票还需要填写营业地址、电话号码、开户行信息）"),
                        );
                    }
                }
            }
            v.optional_ident("invoice.email", IdentKind::Email, &mut inv.email);
        }
        let mut seen_materials = std::collections::BTreeSet::new();
        for (i, m) in self.materials.iter_mut().enumerate() {
            if !seen_materials.insert(m.id.clone()) {
                v.error(&format!("materials[{i}].id"), &format!("material {} is listed twice", m.id), &format!("材料 {} 重复", m.id));
            }
            if m.to_follow.as_deref().is_some_and(|s| s.trim().is_empty()) {
                m.to_follow = None;
            }
            if let Some(t) = &mut m.to_follow {
                *t = t.trim().to_string();
            }
        }
        if let Some(p) = &self.payment {
            if p.amount.is_negative() {
                v.error("payment.amount", "the amount is negative", "金额不能为负数");
            }
            if p.method == PaymentMethod::BankTransfer && p.payer_account.as_deref().is_none_or(|a| a.trim().is_empty()) {
                v.error("payment.payer_account", "a bank transfer needs the payer's account", "对公转账须填写付款账号");
            }
            if let Some(date) = p.date
                && date > today
            {
                v.error("payment.date", &format!("payment date {date} is in the future"), &format!("付款日期{date}晚于今天"));
            }
        }
        v.problems
    }
}

/// The largest case JSON read (a case with a full annex is far below it).
pub const MAX_CASE_JSON_BYTES: usize = 1 << 20;

/// Whether two names of a unit are the same unit's name, as a clerk compares them: spaces
/// ignored, full-width and half-width brackets alike (“某某（广州）有限公司” = “某某(广州)有限公司”).
pub fn same_unit(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '（' => '(',
                '）' => ')',
                c => c,
            })
            .collect()
    };
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && a == b
}

/// Checks one row of an employee annex on its own and normalises its identifiers in place, as
/// [`CaseData::validate_and_normalize`] checks each of a case's `employees`: name and ID number
/// (the resident ID's checksum and birth date against `today`), e-mail, years. Paths are the
/// row's own fields (`name`, `id_number`, `email`, `years`). Duplicates are not looked for: a
/// caller that reads a list compares the rows itself (`certdesk-roster` names them by row).
pub fn validate_employee(employee: &mut Employee, today: NaiveDate) -> Vec<FieldProblem> {
    let mut v = Validator { today, problems: Vec::new() };
    v.employee("", employee);
    for p in &mut v.problems {
        p.path = p.path.trim_start_matches('.').to_string();
    }
    v.problems
}

/// A day as a clerk types it: `2026-11-24`, `2026/11/24`, `2026.11.24`, `20261124` or
/// `2026年11月24日` (spaces ignored).
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.trim_end_matches('日').replace(['年', '月', '/', '.'], "-");
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(&t, "%Y%m%d").ok();
    }
    NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok().filter(|_| t.len() >= 8)
}

/// The longest CA business number (业务单号) taken.
pub const MAX_REFERENCE_CHARS: usize = 40;

/// The most certificates one case asks for.
pub const MAX_QUANTITY: u32 = 10_000;

/// How many certificates a case asks for: an employee certificate case one per employee of its
/// annex (when it lists any), any other what was asked.
pub fn quantity_for(kind: CertKind, employees: usize, asked: u32) -> u32 {
    if kind == CertKind::Employee && employees > 0 { u32::try_from(employees).unwrap_or(u32::MAX) } else { asked }
}
/// The most employees on one case's annex.
pub const MAX_EMPLOYEES: usize = 1_000;
/// The longest validity any CA of the catalogs sells is far below this; a larger number is a typo.
pub const MAX_YEARS: u32 = 50;
/// The longest name (of an organisation, a person, a department) a form can print.
pub const MAX_NAME_CHARS: usize = 200;
/// The longest other free text (addresses, notes).
pub const MAX_TEXT_CHARS: usize = 2_000;

/// Why a text cannot be printed or stored as it is: control characters break forms and logs,
/// bidirectional controls make a printed name read otherwise than it is stored.
fn text_problem(text: &str, max: usize) -> Option<(String, String)> {
    let n = text.chars().count();
    if n > max {
        return Some((format!("{n} characters; at most {max}"), format!("共{n}个字符，最多{max}个")));
    }
    let bidi = |c: char| matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if let Some(c) = text.chars().find(|c| c.is_control() && !(max > MAX_NAME_CHARS && matches!(c, '\n' | '\t')) || bidi(*c)) {
        return Some((format!("contains the control character U+{:04X}", c as u32), format!("含有控制字符 U+{:04X}", c as u32)));
    }
    None
}

struct Validator {
    today: NaiveDate,
    problems: Vec<FieldProblem>,
}

impl Validator {
    /// Every free text of the case: names at most [`MAX_NAME_CHARS`], other texts at most
    /// [`MAX_TEXT_CHARS`], no control or bidirectional characters (newlines and tabs only in
    /// long texts), identifiers likewise.
    fn texts(&mut self, c: &CaseData) {
        let mut check = |path: String, text: &str, max: usize| {
            if let Some((en, zh)) = text_problem(text, max) {
                self.error(&path, &en, &zh);
            }
        };
        let name = MAX_NAME_CHARS;
        let long = MAX_TEXT_CHARS;
        check("project".into(), &c.project, name);
        check("handler.name".into(), &c.handler.name, name);
        check("handler.id_number".into(), &c.handler.id_number, name);
        if let Some(a) = &c.handler.address {
            check("handler.address".into(), a, long);
        }
        if let Some(o) = &c.organization {
            check("organization.name".into(), &o.name, name);
            for (field, value) in [("department", &o.department), ("other_id", &o.other_id)] {
                if let Some(v) = value {
                    check(format!("organization.{field}"), v, name);
                }
            }
            for (field, value) in [("legal_address", &o.legal_address), ("mailing_address", &o.mailing_address)] {
                if let Some(v) = value {
                    check(format!("organization.{field}"), v, long);
                }
            }
            if let Some(r) = &o.legal_rep {
                check("organization.legal_rep.name".into(), &r.name, name);
                check("organization.legal_rep.id_number".into(), &r.id_number, name);
            }
        }
        if let Some(p) = &c.payment {
            for (field, value) in [("payer_name", &p.payer_name), ("payer_account", &p.payer_account)] {
                if let Some(v) = value {
                    check(format!("payment.{field}"), v, name);
                }
            }
        }
        check("notes".into(), &c.notes, long);
        if let Some(d) = &c.delivery {
            for (field, value, max) in [("recipient", &d.recipient, name), ("address", &d.address, long)] {
                if let Some(v) = value {
                    check(format!("delivery.{field}"), v, max);
                }
            }
        }
        if let Some(inv) = &c.invoice {
            check("invoice.title".into(), &inv.title, name);
            for (field, value, max) in [("address", &inv.address, long), ("bank", &inv.bank, name), ("account", &inv.account, name)] {
                if let Some(v) = value {
                    check(format!("invoice.{field}"), v, max);
                }
            }
        }
        for (key, value) in &c.project_fields {
            check(format!("extra.{key}"), key, name);
            if let Some(text) = value.as_str() {
                check(format!("extra.{key}"), text, long);
            }
        }
        for (i, m) in c.materials.iter().enumerate() {
            check(format!("materials[{i}].id"), &m.id, name);
            if let Some(t) = &m.to_follow {
                check(format!("materials[{i}].to_follow"), t, long);
            }
        }
    }

    fn error(&mut self, path: &str, message: &str, zh: &str) {
        self.problems.push(FieldProblem { path: path.into(), message: message.into(), message_zh: zh.into(), severity: Severity::Error });
    }
    fn warning(&mut self, path: &str, message: &str, zh: &str) {
        self.problems.push(FieldProblem { path: path.into(), message: message.into(), message_zh: zh.into(), severity: Severity::Warning });
    }
    fn required(&mut self, path: &str, value: &str) {
        if value.trim().is_empty() {
            self.error(path, "required", "必填");
        }
    }

    /// Checks and normalises `value` in place.
    fn ident(&mut self, path: &str, kind: IdentKind, value: &mut String) {
        match ident::parse_at(kind, value, self.today) {
            Ok((normalized, warnings)) => {
                *value = normalized;
                for w in warnings {
                    self.warning(path, &w, "统一社会信用代码第9-17位（组织机构代码）校验不通过，请核对");
                }
            }
            Err(e) => self.error(path, &e.to_string(), &e.zh()),
        }
    }

    fn optional_ident(&mut self, path: &str, kind: IdentKind, value: &mut Option<String>) {
        if value.as_deref().is_some_and(|s| s.trim().is_empty()) {
            *value = None;
        }
        if let Some(v) = value {
            self.ident(path, kind, v);
        }
    }

    /// 授权期限: a day (`2026-11-24`, `2026/11/24`, `2026年11月24日`), normalised to
    /// `YYYY-MM-DD`; a letter that ran out before today authorises nobody.
    fn authorization(&mut self, path: &str, value: &mut Option<String>) {
        if value.as_deref().is_some_and(|s| s.trim().is_empty()) {
            *value = None;
        }
        let Some(text) = value else { return };
        match parse_day(text) {
            None => self.error(path, &format!("{text:?} is not a day (2026-11-24)"), &format!("“{text}”不是日期，请按 2026-11-24 填写")),
            Some(day) => {
                *text = day.format("%Y-%m-%d").to_string();
                if day < self.today {
                    self.error(path, &format!("the authorisation ran out on {day}"), &format!("授权期限已于{day}届满，请提供有效的授权书"));
                }
            }
        }
    }

    /// 营业执照有效期至: a day, or 长期 (a licence without an end, as licences print it).
    fn license_validity(&mut self, value: &mut Option<String>) {
        let path = "organization.license_valid_until";
        if value.as_deref().is_some_and(|s| s.trim().is_empty()) {
            *value = None;
        }
        let Some(text) = value else { return };
        if matches!(text.trim(), "长期" | "长期有效" | "永久") {
            *text = LICENSE_WITHOUT_END.to_string();
            return;
        }
        match parse_day(text) {
            Some(day) => *text = day.format("%Y-%m-%d").to_string(),
            None => self.error(path, &format!("{text:?} is not a day (2030-06-30) nor 长期"), &format!("“{text}”不是日期，请按 2030-06-30 填写，无期限的填“长期”")),
        }
    }

    fn person(&mut self, base: &str, name: &str, id_type: IdType, id_number: &mut String) {
        self.required(&format!("{base}.name"), name);
        if id_type == IdType::ResidentId {
            self.ident(&format!("{base}.id_number"), IdentKind::Ric, id_number);
        } else {
            let trimmed: String = id_number.split_whitespace().collect();
            *id_number = trimmed.to_uppercase();
            self.required(&format!("{base}.id_number"), id_number);
        }
    }

    /// One annex row's own checks (texts, name, ID number, e-mail, years); duplicates are the
    /// caller's, who knows what the row is compared with.
    fn employee(&mut self, base: &str, e: &mut Employee) {
        for (field, text) in [("name", &e.name), ("id_number", &e.id_number)] {
            if let Some((en, zh)) = text_problem(text, MAX_NAME_CHARS) {
                self.error(&format!("{base}.{field}"), &en, &zh);
            }
        }
        self.person(base, &e.name, e.id_type, &mut e.id_number);
        self.optional_ident(&format!("{base}.email"), IdentKind::Email, &mut e.email);
        self.authorization(&format!("{base}.authorization_until"), &mut e.authorization_until);
        if e.business.takes_years() && e.years.is_none_or(|y| y == 0) {
            self.error(&format!("{base}.years"), "new and renewed certificates need a validity in years", "新申请和续期须填写年限");
        }
        if e.years.is_some_and(|y| y > MAX_YEARS) {
            self.error(&format!("{base}.years"), &format!("no CA issues certificates for {} years", e.years.unwrap_or_default()), "年限超出范围");
        }
    }

    fn organization(&mut self, org: &mut Organization) {
        self.required("organization.name", &org.name);
        self.license_validity(&mut org.license_valid_until);
        for field in [&mut org.uscc, &mut org.org_code, &mut org.other_id] {
            if field.as_deref().is_some_and(|s| s.trim().is_empty()) {
                *field = None;
            }
        }
        if org.uscc.is_none() && org.org_code.is_none() && org.other_id.is_none() {
            self.error("organization.uscc", "at least one organisation identifier is required (uscc, org_code or other_id)", "单位证件号码至少填写一项");
        }
        if let Some(uscc) = &mut org.uscc {
            self.ident("organization.uscc", IdentKind::Uscc, uscc);
        }
        if org.certificate_serial.as_deref().is_some_and(|s| s.trim().is_empty()) {
            org.certificate_serial = None;
        }
        if let Some(serial) = &mut org.certificate_serial {
            let hex: String = serial.chars().filter(|c| !c.is_whitespace() && *c != ':').collect::<String>().to_uppercase();
            *serial = hex;
            if serial.is_empty() || serial.len() > 64 || !serial.chars().all(|c| c.is_ascii_hexdigit()) {
                self.error("organization.certificate_serial", "a certificate serial is 1 to 64 hexadecimal digits", "证书序列号应为1-64位十六进制数字");
            }
        }
        if let Some(code) = &mut org.org_code {
            self.ident("organization.org_code", IdentKind::OrgCode, code);
        }
        if let Some(phone) = &mut org.phone {
            if phone.trim().is_empty() {
                org.phone = None;
            } else {
                // some units give a mobile as the contact number
                self.ident("organization.phone", ident::phone_kind(phone), phone);
            }
        }
        self.optional_ident("organization.email", IdentKind::Email, &mut org.email);
        self.optional_ident("organization.postcode", IdentKind::Postcode, &mut org.postcode);
        if let Some(rep) = &mut org.legal_rep {
            self.person("organization.legal_rep", &rep.name, rep.id_type, &mut rep.id_number);
            self.optional_ident("organization.legal_rep.mobile", IdentKind::Mobile, &mut rep.mobile);
        }
    }
}

/// SHA-256, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG_NEW: &str = include_str!("../../../../tests/fixtures/case-org-new.json");
    const EMPLOYEES_NEW: &str = include_str!("../../../../tests/fixtures/case-employees-new.json");

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn examples_parse_validate_and_round_trip() {
        for text in [ORG_NEW, EMPLOYEES_NEW] {
            let mut case = CaseData::from_json(text).unwrap();
            let errors: Vec<_> = case.validate_and_normalize(today()).into_iter().filter(|p| p.severity == Severity::Error).collect();
            assert!(errors.is_empty(), "{errors:?}");
            let original: Value = serde_json::from_str(text).unwrap();
            let exported = serde_json::to_value(&case).unwrap();
            assert_eq!(original, exported);
        }
    }

    #[test]
    fn a_case_by_post_carries_its_arrival_and_a_counter_case_stays_as_it_was() {
        // a counter case: no channel written, so its data (and digest) is as before #73
        let counter = CaseData::from_json(ORG_NEW).unwrap();
        assert_eq!(counter.channel(), Channel::Counter);
        assert!(serde_json::to_value(&counter).unwrap().get("channel").is_none());
        let mut value: Value = serde_json::from_str(EMPLOYEES_NEW).unwrap();
        value["channel"] = "post".into();
        let mut case: CaseData = serde_json::from_value(value.clone()).unwrap();
        let paths = |c: &mut CaseData| c.validate_and_normalize(today()).into_iter().filter(|p| p.severity == Severity::Error).map(|p| p.path).collect::<Vec<_>>();
        assert_eq!(paths(&mut case), ["arrival"], "a case by post says when its paper came");
        value["arrival"] = serde_json::json!({ "date": "2026-11-20", "courier": " 顺丰速运 ", "waybill": "sf 1234 5678 9012" });
        let mut case: CaseData = serde_json::from_value(value.clone()).unwrap();
        assert!(paths(&mut case).is_empty());
        let a = case.arrival.clone().unwrap();
        assert_eq!((a.courier.as_str(), a.waybill.as_str()), ("顺丰速运", "SF123456789012"));
        let out = serde_json::to_value(&case).unwrap();
        assert_eq!((out["channel"].as_str(), out["arrival"]["date"].as_str()), (Some("post"), Some("2026-11-20")));
        value["arrival"]["date"] = "2026-11-23".into();
        value["arrival"]["waybill"] = "运单".into();
        let mut case: CaseData = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(paths(&mut case), ["arrival.date", "arrival.waybill"]);
        value["channel"] = "counter".into();
        let mut case: CaseData = serde_json::from_value(value).unwrap();
        assert_eq!(paths(&mut case), ["arrival"], "an arrival belongs to a posted case");
    }

    #[test]
    fn validation_reports_every_problem_with_its_path() {
        let mut value: Value = serde_json::from_str(ORG_NEW).unwrap();
        value["organization"]["uscc"] = "91440101MA59ABCD1X".into();
        value["organization"]["postcode"] = "5101".into();
        value["handler"]["id_number"] = "440106198503142039".into();
        value["handler"]["mobile"] = "1380013800".into();
        let mut case: CaseData = serde_json::from_value(value).unwrap();
        let problems = case.validate_and_normalize(today());
        let paths: Vec<&str> = problems.iter().filter(|p| p.severity == Severity::Error).map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["organization.uscc", "organization.postcode", "handler.id_number", "handler.mobile"]);
    }

    #[test]
    fn normalizes_what_an_ime_types() {
        let mut value: Value = serde_json::from_str(ORG_NEW).unwrap();
        value["organization"]["uscc"] = "９１４４０１０１ＭＡ５９ＡＢＣＤ１Ｄ".into();
        value["handler"]["mobile"] = "+86 138-0013-8000".into();
        let mut case: CaseData = serde_json::from_value(value).unwrap();
        case.validate_and_normalize(today());
        assert_eq!(case.organization.as_ref().unwrap().uscc.as_deref(), Some("91440101MA59ABCD1D"));
        assert_eq!(case.handler.mobile.as_deref(), Some("13800138000"));
    }

    #[test]
    fn unknown_fields_survive_and_store_fields_are_dropped() {
        let mut value: Value = serde_json::from_str(ORG_NEW).unwrap();
        value["number"] = "X-1".into();
        value["status"] = "approved".into();
        value["channel"] = "counter".into();
        value["handler"]["wechat"] = "zw123".into();
        let case = CaseData::from_json(&value.to_string()).unwrap();
        let back = serde_json::to_value(&case).unwrap();
        assert_eq!(back["channel"], "counter");
        assert_eq!(back["handler"]["wechat"], "zw123");
        assert!(back.get("number").is_none() && back.get("status").is_none());
    }

    #[test]
    fn digest_ignores_key_order_but_not_content() {
        let a = CaseData::from_json(ORG_NEW).unwrap();
        let mut value: Value = serde_json::from_str(ORG_NEW).unwrap();
        let reordered: Map<String, Value> = value.as_object().unwrap().clone().into_iter().rev().collect();
        let b = CaseData::from_json(&Value::Object(reordered).to_string()).unwrap();
        assert_eq!(a.digest(), b.digest());
        value["notes"] = "changed".into();
        let c = CaseData::from_json(&value.to_string()).unwrap();
        assert_ne!(a.digest(), c.digest());
        assert_eq!(a.digest().len(), 64);
    }

    #[test]
    fn one_annex_row_is_checked_on_its_own_with_its_own_paths() {
        let row = |id: &str, email: Option<&str>, business: BusinessType, years: Option<u32>| Employee {
            name: "陈刚".into(),
            id_type: IdType::ResidentId,
            id_number: id.into(),
            email: email.map(str::to_string),
            business,
            years,
            authorization_until: None,
            source: None,
            extra: Extra::new(),
        };
        let mut good = row("21010219880102003 0", Some(" chengang@example.gov.cn "), BusinessType::New, Some(1));
        assert_eq!(validate_employee(&mut good, today()), vec![]);
        assert_eq!(good.id_number, "210102198801020030");
        let mut bad = row("210102198801020031", Some("chengang@"), BusinessType::Renew, None);
        let problems = validate_employee(&mut bad, today());
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["id_number", "email", "years"]);
        assert!(problems[0].message_zh.contains("校验位"), "{problems:?}");
        let mut typo = row("210102198801020030", None, BusinessType::New, Some(300));
        assert_eq!(validate_employee(&mut typo, today())[0].path, "years");
        // a change keeps the original validity: no years needed
        let mut change = row("210102198801020030", None, BusinessType::Change, None);
        assert_eq!(validate_employee(&mut change, today()), vec![]);
    }

    #[test]
    fn wrong_enum_value_names_the_allowed_ones() {
        let mut value: Value = serde_json::from_str(ORG_NEW).unwrap();
        value["business"] = "renewal".into();
        let err = CaseData::from_json(&value.to_string()).unwrap_err();
        let CaseParseError::Fields(why) = &err else { panic!("a field's value, not {err:?}") };
        assert!(why.to_string().contains("renewal") && why.to_string().contains("renew"), "{err}");
    }
}
