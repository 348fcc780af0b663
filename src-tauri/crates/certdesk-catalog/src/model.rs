//! The catalog file format (`forms/<project>/catalog.toml`, documented in `forms/README.md`)
//! as serde types, and the semantic lint that runs after parsing. Owns what a valid project is;
//! does not read files (see `source`) nor compute fees (see `fees`).

use certdesk_domain::steps::{RESERVED_IDS, RouteStep};
use certdesk_domain::workflow::Role;
use certdesk_domain::{BusinessType, CaseData, CertKind, Medium, Money};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use toml::Spanned;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    pub id: String,
    pub ca_name: String,
    pub ca_short: String,
    pub service: String,
    pub source: String,
    pub cert_kinds: Vec<CertKind>,
    pub business_types: Vec<BusinessType>,
    pub media: Vec<Medium>,
    pub years: Vec<u32>,
    #[serde(default)]
    pub notes: Vec<String>,
    /// The SM2 distinguishing ID the CA hashes into Z (requests, certificate signatures), where
    /// it is not GM/T 0009's `1234567812345678`.
    #[serde(default)]
    pub sm2_id: Option<String>,
    #[serde(default)]
    pub pin: Option<PinRules>,
    /// Which key algorithms the CA issues and whether as dual (signing + encryption)
    /// certificates; without it every algorithm the key desk knows, single certificates.
    #[serde(default)]
    pub keys: Option<KeyRules>,
    pub contact: Contact,
    #[serde(default)]
    pub bank: Option<Bank>,
    #[serde(default)]
    #[serde(serialize_with = "ser_spanned_vec")]
    pub fees: Vec<Spanned<FeeRule>>,
    #[serde(default)]
    #[serde(serialize_with = "ser_spanned_vec")]
    pub materials: Vec<Spanned<MaterialRule>>,
    #[serde(default)]
    #[serde(serialize_with = "ser_spanned_vec")]
    pub forms: Vec<Spanned<FormEntry>>,
    /// What follows the approval, per business type (first matching route wins; a case no
    /// route matches follows `certdesk_domain::steps::default_route`).
    #[serde(default)]
    #[serde(serialize_with = "ser_spanned_vec")]
    pub routes: Vec<Spanned<Route>>,
    /// What the CA's guide promises in working days or hours (#73), first match wins.
    #[serde(default)]
    #[serde(serialize_with = "ser_spanned_vec")]
    pub promises: Vec<Spanned<PromiseEntry>>,
    /// What a unit that brings its key is offered, by the state of the certificate on it
    /// (#74), first match wins.
    #[serde(default)]
    #[serde(serialize_with = "ser_spanned_vec")]
    pub triage: Vec<Spanned<TriageEntry>>,
    /// The seeds' counter rules this project applies.
    #[serde(default)]
    pub rules: Rules,
    /// The project's own fields, asked at intake and printed by its forms (`extra.<name>` in
    /// the case JSON and in layouts): 所属旗区, 主锁/副锁, 主体类型 …
    #[serde(default)]
    #[serde(serialize_with = "ser_spanned_vec")]
    pub fields: Vec<Spanned<FieldDef>>,
}

/// What a project's own field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// free text, one line
    Text,
    /// one of `choices` (the form's □ boxes)
    Choice,
    /// a day, `YYYY-MM-DD`
    Date,
    /// a whole number of things (申请个数 主证 N 个)
    Count,
}

impl FieldKind {
    pub fn wire(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Choice => "choice",
            FieldKind::Date => "date",
            FieldKind::Count => "count",
        }
    }
}

/// One of a project's own fields (`[[fields]]` in `catalog.toml`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// The key under `extra` (lowercase letters, digits and '_').
    pub name: String,
    /// The label as the CA's form prints it.
    pub label: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub choices: Vec<String>,
    /// What the form means when it is left blank ("若不勾选则默认为“否”").
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub cert_kinds: Option<Vec<CertKind>>,
    #[serde(default)]
    pub business: Option<Vec<BusinessType>>,
    /// The seed's words that ask for it (shown as why it is asked).
    pub source: String,
    /// Choices that refuse the case, the seed's words in `source` saying why (CFCA's
    /// "如单位证件不在有效期内或未年检…将导致数字证书及电子签章无法办理": 未年检).
    #[serde(default)]
    pub refuses: Vec<String>,
}

impl FieldDef {
    /// Whether a case of this business type and kind asks for the field.
    pub fn applies(&self, business: BusinessType, kind: CertKind) -> bool {
        self.business.as_ref().is_none_or(|b| b.contains(&business)) && self.cert_kinds.as_ref().is_none_or(|k| k.contains(&kind))
    }
}

/// The CA's own rules for a case, each quoted from a seed where the catalog sets it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// "证书仅回寄到单位法定地址": a key goes by post only to the unit's legal address.
    #[serde(default)]
    pub mail_to_legal_address_only: bool,
    /// "办理单位必须与申请发票单位一致": the invoice title is the applying unit (and the taxpayer
    /// ID its USCC).
    #[serde(default)]
    pub invoice_title_is_applicant: bool,
    /// "汇款须单位汇款，私人汇款概不受理": a bank transfer is paid by the applying unit.
    #[serde(default)]
    pub payer_is_applicant: bool,
    /// "填写发票抬头和邮箱信息" / "电子邮箱*：必须填写，用于收取电子发票": the invoice is
    /// electronic and goes to an e-mail address, which an invoice must give.
    #[serde(default)]
    pub invoice_email_required: bool,
    /// "单位证书只允许申请1条": one organisation certificate per unit (by its USCC), counted
    /// against the store's earlier cases of the unit.
    #[serde(default)]
    pub one_organization_certificate: bool,
    /// "每个用户需先申请单位法人证书…后才能申请单位员工证书": an employee certificate case
    /// needs the unit's organisation certificate first (an issued one in the store, or the
    /// serial of the one the unit holds, `organization.certificate_serial`).
    #[serde(default)]
    pub organization_certificate_first: bool,
    /// "不接受挂号信" (seeds 000, 001): papers sent by registered letter are not taken.
    #[serde(default)]
    pub no_registered_letter: bool,
    /// "拒收到付件" (seed 004): a parcel whose carriage is to be paid on receipt is refused.
    #[serde(default)]
    pub no_freight_collect: bool,
    /// "新申请证书请经办人互联网线上申请后，邮寄上述资料" (seed 001; seed 000's "①在线填写资料"):
    /// a new application by post follows one made online, whose number the posted case records.
    #[serde(default)]
    pub online_application_first: bool,
    /// "办理证书更新业务时，证书的任何信息必须为原来的信息，不能变更，否则请选择新申请或变更"
    /// (seed 001): a renewal whose data differ from the certificate on the key is refused, and
    /// offered as 变更.
    #[serde(default)]
    pub renewal_keeps_data: bool,
    /// "如单位证件不在有效期内或未年检…将导致数字证书及电子签章无法办理" (CFCA, seed 003): a
    /// case whose licence (`organization.license_valid_until`) has run out is refused.
    #[serde(default)]
    pub license_must_be_valid: bool,
    /// "一个数字证书对应一个电子签章。原则上单位的公章和法人的手写签名或印章要分开办理。如果用户
    /// 自愿将法人的手写签名或印章放到单位锁里…由用户承担" (CFCA 服务协议（五）, seed 003): the
    /// 法人章 and 法人签字 go onto the unit's key only when the case's field says the unit chose so.
    #[serde(default)]
    pub legal_rep_apart: Option<LegalRepApart>,
}

/// The legal representative's seal and signature kept off the unit's key unless the unit
/// consents: the project field (`extra.<field>`) whose choice `consent` records the handler's
/// acknowledgement, and the guide's words (`quote`) said wherever they are kept apart.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct LegalRepApart {
    pub field: String,
    pub consent: String,
    pub quote: String,
}

/// A promise as written in the file: for the business types (all when empty) and channel (any
/// when absent), a term of `working_days` or `hours`, from the paper received or the money in,
/// until approval or delivery, with the guide's words (`quote`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PromiseEntry {
    #[serde(default)]
    pub business: Vec<BusinessType>,
    #[serde(default)]
    pub channel: Option<certdesk_domain::Channel>,
    #[serde(default)]
    pub working_days: Option<u32>,
    #[serde(default)]
    pub hours: Option<u32>,
    #[serde(default)]
    pub from: certdesk_domain::promise::ClockFrom,
    #[serde(default)]
    pub until: certdesk_domain::promise::ClockUntil,
    pub what: String,
    pub quote: String,
}

impl PromiseEntry {
    /// The promise, or what is wrong with the entry.
    pub fn to_promise(&self) -> Result<certdesk_domain::promise::Promise, String> {
        use certdesk_domain::promise::{Promise, Term};
        let term = match (self.working_days, self.hours) {
            (Some(n), None) if n > 0 && n <= 60 => Term::WorkingDays(n),
            (None, Some(h)) if h > 0 && h <= 24 * 60 => Term::Hours(h),
            (Some(_), Some(_)) => return Err("give `working_days` or `hours`, not both".into()),
            (None, None) => return Err("give `working_days` or `hours`".into()),
            _ => return Err("the term is 1–60 working days or 1–1440 hours".into()),
        };
        if self.what.trim().is_empty() || self.quote.trim().is_empty() {
            return Err("`what` and `quote` (the guide's words) must not be empty".into());
        }
        Ok(Promise { term, from: self.from, until: self.until, what: self.what.clone(), quote: self.quote.clone() })
    }
}

/// Whether the certificate on a brought key is still valid on the counter's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    Valid,
    Expired,
}

/// How the applicant goes on (`route` in `case triage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum TriageRoute {
    /// Done online by the applicant (网上续期): nothing at the counter.
    Online,
    /// At the counter or online, as the applicant likes.
    CounterOrOnline,
    /// At the counter only.
    Counter,
    /// At the counter or by post.
    CounterOrPost,
}

impl TriageRoute {
    pub fn zh(self) -> &'static str {
        match self {
            TriageRoute::Online => "网上办理",
            TriageRoute::CounterOrOnline => "现场或网上办理",
            TriageRoute::Counter => "现场办理",
            TriageRoute::CounterOrPost => "现场或邮寄办理",
        }
    }
}

/// A triage entry as written in the file: for a certificate in state `when` (a valid one
/// running out within `expires_within_days`, an expired one past its end by more than
/// `expired_over_days`), the business type, route and checklist the guide gives, in its words.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TriageEntry {
    pub when: Validity,
    #[serde(default)]
    pub expires_within_days: Option<u32>,
    #[serde(default)]
    pub expired_over_days: Option<u32>,
    pub business: BusinessType,
    pub route: TriageRoute,
    /// No paper is asked (the guide's "无须提交任何资料"): the checklist is empty.
    #[serde(default)]
    pub paperless: bool,
    /// The guide's words that say so.
    pub quote: String,
}

impl TriageEntry {
    /// Whether a certificate in `state`, `days` days from its end (left while valid, over
    /// once expired), falls under the entry.
    pub fn applies(&self, state: Validity, days: i64) -> bool {
        self.when == state && self.expires_within_days.is_none_or(|n| days <= i64::from(n)) && self.expired_over_days.is_none_or(|n| days > i64::from(n))
    }
}

/// A route: the steps after approval for the business types (media, kinds) it names.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub business: Vec<BusinessType>,
    #[serde(default)]
    pub media: Option<Vec<Medium>>,
    #[serde(default)]
    pub cert_kinds: Option<Vec<CertKind>>,
    #[serde(default)]
    pub note: Option<String>,
    pub steps: Vec<RouteStepEntry>,
}

/// One step of a route as written in the file (`{ kind = "key" }`, `{ kind = "confirm", id =
/// "ca_revoke", title = "CA系统注销完成" }`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RouteStepEntry {
    pub kind: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub reference: Option<bool>,
}

impl RouteStepEntry {
    /// The step as the domain plans it, or what is wrong with it.
    pub fn to_step(&self) -> Result<RouteStep, String> {
        let only_kind = |name: &str, step: RouteStep| {
            if self.id.is_some() || self.title.is_some() || self.role.is_some() || self.reference.is_some() {
                Err(format!("step {name:?} takes only `kind` (id, title, role and reference are for confirm steps)"))
            } else {
                Ok(step)
            }
        };
        match self.kind.as_str() {
            "key" => only_kind("key", RouteStep::Key),
            "key_renew" => only_kind("key_renew", RouteStep::KeyRenew),
            "unlock" => only_kind("unlock", RouteStep::Unlock),
            "wipe" => only_kind("wipe", RouteStep::Wipe),
            "deliver" => only_kind("deliver", RouteStep::Deliver),
            "confirm" => {
                let id = self.id.clone().ok_or("a confirm step needs an `id`")?;
                if id.is_empty() || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') || RESERVED_IDS.contains(&id.as_str()) {
                    return Err(format!("confirm step id {id:?}: use lowercase letters, digits and '_', not one of {}", RESERVED_IDS.join(", ")));
                }
                let title = self.title.clone().filter(|t| !t.trim().is_empty()).ok_or_else(|| format!("confirm step {id:?} needs a `title`"))?;
                let role = self.role.unwrap_or(Role::Clerk);
                if role == Role::Admin {
                    return Err(format!("confirm step {id:?}: role is clerk, supervisor or key_clerk"));
                }
                Ok(RouteStep::Confirm { id, title, role, reference: self.reference.unwrap_or(true) })
            }
            other => Err(format!("step kind {other:?}: one of key, key_renew, unlock, wipe, confirm, deliver")),
        }
    }
}

fn ser_spanned_vec<T: Serialize, S: serde::Serializer>(v: &[Spanned<T>], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|x| x.get_ref()))
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PinRules {
    /// The CA's default user PIN where its guide gives one (e.g. 12345678).
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub max_tries: Option<u32>,
}

/// The algorithms the key desk names (`rsa2048`, `ec-p256`, `sm2`): the wire names of
/// `certdesk_token::Algo`, kept here as text so the catalog does not depend on the key layer.
pub const KEY_ALGORITHMS: [&str; 3] = ["rsa2048", "ec-p256", "sm2"];

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRules {
    /// The algorithms the CA issues, the desk's default first (empty: any).
    #[serde(default)]
    pub algorithms: Vec<String>,
    /// SM2 dual certificates (双证书): the CA's KMC makes the encryption key pair and sends it
    /// enveloped to the signing key with the encryption certificate; the key desk imports both.
    #[serde(default)]
    pub dual_certificate: bool,
}

impl Project {
    /// Whether the project issues keys of `algo` (a `KEY_ALGORITHMS` name).
    pub fn issues_algorithm(&self, algo: &str) -> bool {
        self.keys.as_ref().is_none_or(|k| k.algorithms.is_empty() || k.algorithms.iter().any(|a| a == algo))
    }

    /// Whether the project's keys get dual certificates.
    pub fn dual_certificate(&self) -> bool {
        self.keys.as_ref().is_some_and(|k| k.dual_certificate)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub counter_address: Vec<String>,
    pub hours: String,
    pub phone: Vec<String>,
    #[serde(default)]
    pub postal_address: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Bank {
    pub payee: String,
    pub bank: String,
    pub account: String,
    #[serde(default)]
    pub remark: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FeeRule {
    pub business: Vec<BusinessType>,
    #[serde(default)]
    pub cert_kinds: Option<Vec<CertKind>>,
    #[serde(default)]
    pub media: Option<Vec<Medium>>,
    #[serde(default)]
    pub years: Option<Vec<u32>>,
    #[serde(default)]
    pub note: Option<String>,
    pub items: Vec<FeeItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    /// amount × years × quantity
    Year,
    /// amount × quantity
    Unit,
    /// amount once per case
    Case,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FeeItem {
    pub label: String,
    pub per: Per,
    #[serde(default)]
    pub amount: Option<Money>,
    #[serde(default)]
    pub by_years: Option<BTreeMap<String, Money>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialRule {
    pub business: Vec<BusinessType>,
    #[serde(default)]
    pub cert_kinds: Option<Vec<CertKind>>,
    /// Done online and paperless (the seed says so): no paper list applies (`items = []`).
    #[serde(default)]
    pub online: bool,
    /// What the seed says about these business types' materials (or that it is silent).
    #[serde(default)]
    pub note: Option<String>,
    pub items: Vec<MaterialItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum MaterialKind {
    Form,
    Document,
    IdCopy,
    Authorization,
    PaymentProof,
    OldKey,
    Other,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct MaterialItem {
    pub id: String,
    pub text: String,
    pub kind: MaterialKind,
    #[serde(default)]
    pub original: bool,
    #[serde(default)]
    pub copies: u32,
    #[serde(default)]
    pub stamped: bool,
    #[serde(default)]
    pub optional: bool,
    #[serde(default)]
    pub note: Option<String>,
    /// `copies` is per holder (seed 001: "使用人《身份证》复印件一份" for each user): a case of
    /// twenty employees needs twenty (#72). `Project::checklist_for` counts them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(as = "Option<bool>", optional)]
    pub per_holder: bool,
    /// The original need not be seen once the unit has proved itself at the desk with its own
    /// organisation certificate (#74, seed 001: "可凭单位法人数字证书到受理点，可以免去出示…原件");
    /// its copies are still taken. Only on an item that asks for an original.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(as = "Option<bool>", optional)]
    pub waived_by_unit_certificate: bool,
}

/// Where a checklist item stands for a case: what the case page, the receipt and the
/// submission rule all read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum MaterialState {
    /// handed in in full (the original seen where one is asked for, the copies taken)
    Received,
    /// optional, and not handed in in full
    Optional,
    /// required, not handed in in full, and promised for later (后补)
    ToFollow,
    /// required, not handed in in full, and not accounted for
    Missing,
}

impl MaterialItem {
    /// Whether the item is seen, not only copied: an original asked for, the old key, or an
    /// item of no copies (the clerk ticks it received).
    pub fn needs_original(&self) -> bool {
        self.original || self.kind == MaterialKind::OldKey || self.copies == 0
    }

    /// What 全部收齐 records of the item: handed in as the checklist asks (seen where it is to be
    /// seen, its copies taken), no promise left; what was recorded beyond that is kept.
    pub fn received_in_full(&self, got: Option<&certdesk_domain::MaterialReceived>) -> certdesk_domain::MaterialReceived {
        let mut out = got.cloned().unwrap_or_else(|| certdesk_domain::MaterialReceived::blank(&self.id));
        // an original the unit's certificate spares is not claimed seen
        if self.needs_original() && !(self.waived_by_unit_certificate && out.by_unit_certificate.is_some()) {
            out.original_seen = true;
        }
        out.copies_received = out.copies_received.max(self.copies);
        out.to_follow = None;
        out
    }

    /// The item's state for what the clerk recorded of it (`got`, when anything was).
    pub fn state(&self, got: Option<&certdesk_domain::MaterialReceived>) -> MaterialState {
        // the unit proved itself with its own certificate where the guide spares the original
        let spared = self.waived_by_unit_certificate && got.is_some_and(|g| g.by_unit_certificate.is_some());
        let needs_original = self.needs_original() && !spared;
        // a letter the counter holds on file for the handler counts as handed in (#74)
        let on_file = self.kind == MaterialKind::Authorization && got.is_some_and(|g| g.on_file.is_some());
        let in_full = on_file || got.is_some_and(|g| (!needs_original || g.original_seen) && g.copies_received >= self.copies);
        let promised = got.and_then(|g| g.to_follow.as_deref()).is_some_and(|t| !t.trim().is_empty());
        match (in_full, self.optional, promised) {
            (true, _, _) => MaterialState::Received,
            (false, true, _) => MaterialState::Optional,
            (false, false, true) => MaterialState::ToFollow,
            (false, false, false) => MaterialState::Missing,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FormEntry {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub cert_kinds: Option<Vec<CertKind>>,
    #[serde(default)]
    pub business: Option<Vec<BusinessType>>,
    pub copies: u32,
    #[serde(default)]
    pub copy_labels: Vec<String>,
    #[serde(default)]
    pub layout: Option<String>,
}

/// A problem in a catalog file, at a line when it is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lint {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for Lint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].bytes().filter(|&b| b == b'\n').count() + 1
}

fn subset<T: PartialEq + std::fmt::Display>(what: &str, items: &[T], allowed: &[T], project_key: &str) -> Option<String> {
    let bad: Vec<String> = items.iter().filter(|i| !allowed.contains(i)).map(ToString::to_string).collect();
    (!bad.is_empty()).then(|| format!("{what} {} not offered by the project (add to `{project_key}` or remove here)", bad.join(", ")))
}

fn duplicates<T: std::hash::Hash + Eq + Clone + std::fmt::Display>(items: &[T]) -> Option<String> {
    let mut seen = HashSet::new();
    items.iter().find(|i| !seen.insert((*i).clone())).map(ToString::to_string)
}

impl FeeItem {
    /// The validity years a `by_years` table offers, parsed from its keys.
    pub fn table_years(&self) -> Result<Vec<u32>, String> {
        let Some(table) = &self.by_years else { return Ok(vec![]) };
        table.keys().map(|k| k.parse::<u32>().map_err(|_| format!("by_years key {k:?} is not a number of years"))).collect()
    }
}

impl Project {
    /// Everything that parses but is still wrong: ids, references to business types and
    /// kinds the project does not offer, fee items without a price, duplicate ids.
    pub fn lint(&self, folder: &str, file: &str, source: &str) -> Vec<Lint> {
        let mut out = Vec::new();
        let mut push = |line: Option<usize>, message: String| out.push(Lint { file: file.to_string(), line, message });
        if self.id != folder {
            push(Some(1), format!("id {:?} must equal the folder name {:?}", self.id, folder));
        }
        if self.id.is_empty() || !self.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            push(Some(1), format!("id {:?}: use lowercase letters, digits and '-'", self.id));
        }
        for (key, empty) in [
            ("cert_kinds", self.cert_kinds.is_empty()),
            ("business_types", self.business_types.is_empty()),
            ("media", self.media.is_empty()),
            ("years", self.years.is_empty()),
            ("ca_name", self.ca_name.trim().is_empty()),
            ("service", self.service.trim().is_empty()),
        ] {
            if empty {
                push(None, format!("`{key}` must not be empty"));
            }
        }
        if let Some(id) = &self.sm2_id
            && (id.is_empty() || id.len() > 8191)
        {
            push(None, format!("sm2_id: {} bytes; an SM2 distinguishing ID is 1 to 8191 bytes", id.len()));
        }
        if let Some(n) = self.pin.as_ref().and_then(|p| p.max_tries)
            && !(1..=255).contains(&n)
        {
            push(None, format!("pin.max_tries: {n}; a key takes 1 to 255 wrong PINs before it locks"));
        }
        if let Some(keys) = &self.keys {
            for a in keys.algorithms.iter().filter(|a| !KEY_ALGORITHMS.contains(&a.as_str())) {
                push(None, format!("keys.algorithms: {a:?} is none of {}", KEY_ALGORITHMS.join(", ")));
            }
            if let Some(d) = duplicates(&keys.algorithms) {
                push(None, format!("keys.algorithms: {d:?} twice"));
            }
            if keys.dual_certificate && keys.algorithms != ["sm2"] {
                push(None, "keys.dual_certificate: dual certificates are SM2 certificates: set `algorithms = [\"sm2\"]`".into());
            }
        }
        if let Some(y) = self.years.iter().find(|&&y| !(1..=10).contains(&y)) {
            push(None, format!("years: {y} is not a validity between 1 and 10"));
        }
        for (key, dup) in [
            ("cert_kinds", duplicates(&self.cert_kinds)),
            ("business_types", duplicates(&self.business_types)),
            ("media", duplicates(&self.media)),
            ("years", duplicates(&self.years)),
        ] {
            if let Some(d) = dup {
                push(None, format!("`{key}` lists {d} twice"));
            }
        }
        for rule in &self.fees {
            let line = Some(line_of(source, rule.span().start));
            let r = rule.get_ref();
            if r.business.is_empty() {
                push(line, "fee rule: `business` must not be empty".into());
            }
            if let Some(m) = subset("business type", &r.business, &self.business_types, "business_types") {
                push(line, format!("fee rule: {m}"));
            }
            if let Some(k) = &r.cert_kinds
                && let Some(m) = subset("certificate kind", k, &self.cert_kinds, "cert_kinds")
            {
                push(line, format!("fee rule: {m}"));
            }
            if let Some(k) = &r.media
                && let Some(m) = subset("medium", k, &self.media, "media")
            {
                push(line, format!("fee rule: {m}"));
            }
            if let Some(y) = &r.years
                && let Some(m) = subset("validity years", y, &self.years, "years")
            {
                push(line, format!("fee rule: {m}"));
            }
            if r.items.is_empty() {
                push(line, "fee rule has no items".into());
            }
            for item in &r.items {
                match (&item.amount, &item.by_years) {
                    (Some(_), Some(_)) => push(line, format!("fee item {:?}: give `amount` or `by_years`, not both", item.label)),
                    (None, None) => push(line, format!("fee item {:?}: needs `amount` (\"0.00\" when free) or `by_years`", item.label)),
                    (Some(a), None) if a.is_negative() => push(line, format!("fee item {:?}: negative amount", item.label)),
                    (None, Some(_)) if item.per == Per::Year => push(line, format!("fee item {:?}: a `by_years` table is a price per period: use per = \"unit\"", item.label)),
                    (None, Some(_)) => match item.table_years() {
                        Err(m) => push(line, format!("fee item {:?}: {m}", item.label)),
                        Ok(ys) => {
                            if let Some(m) = subset("validity years", &ys, &self.years, "years") {
                                push(line, format!("fee item {:?}: {m}", item.label));
                            }
                        }
                    },
                    _ => {}
                }
                if item.label.trim().is_empty() {
                    push(line, "fee item without a label".into());
                }
            }
        }
        for rule in &self.materials {
            let line = Some(line_of(source, rule.span().start));
            let r = rule.get_ref();
            if let Some(m) = subset("business type", &r.business, &self.business_types, "business_types") {
                push(line, format!("materials rule: {m}"));
            }
            if let Some(k) = &r.cert_kinds
                && let Some(m) = subset("certificate kind", k, &self.cert_kinds, "cert_kinds")
            {
                push(line, format!("materials rule: {m}"));
            }
            let ids: Vec<&str> = r.items.iter().map(|i| i.id.as_str()).collect();
            if let Some(d) = duplicates(&ids) {
                push(line, format!("materials rule: item id {d:?} appears twice"));
            }
            for item in &r.items {
                if item.text.trim().is_empty() {
                    push(line, format!("material {:?} has no text", item.id));
                }
                if item.waived_by_unit_certificate && !item.original {
                    push(line, format!("material {:?}: `waived_by_unit_certificate` spares an original, and the item asks for none (`original = true`)", item.id));
                }
            }
            if r.online && !r.items.is_empty() {
                push(line, "materials rule: an online (paperless) rule has `items = []`".into());
            }
        }
        for route in &self.routes {
            let line = Some(line_of(source, route.span().start));
            let r = route.get_ref();
            if r.business.is_empty() {
                push(line, "route: `business` must not be empty".into());
            }
            if let Some(m) = subset("business type", &r.business, &self.business_types, "business_types") {
                push(line, format!("route: {m}"));
            }
            if let Some(k) = &r.media
                && let Some(m) = subset("medium", k, &self.media, "media")
            {
                push(line, format!("route: {m}"));
            }
            if let Some(k) = &r.cert_kinds
                && let Some(m) = subset("certificate kind", k, &self.cert_kinds, "cert_kinds")
            {
                push(line, format!("route: {m}"));
            }
            let mut ids = Vec::new();
            for step in &r.steps {
                match step.to_step() {
                    Err(m) => push(line, format!("route: {m}")),
                    Ok(RouteStep::Confirm { id, .. }) => ids.push(id),
                    Ok(s) => ids.push(format!("{s:?}")),
                }
            }
            if let Some(d) = duplicates(&ids) {
                push(line, format!("route: step {d} appears twice"));
            }
            let keys = r.steps.iter().filter(|s| s.kind == "key" || s.kind == "key_renew").count();
            if keys > 1 {
                push(line, "route: one key step (key or key_renew) per route".into());
            }
            if r.media.as_ref().is_some_and(|m| m == &[Medium::MobileKey]) && r.steps.iter().any(|s| s.kind != "confirm") {
                push(line, "route: a mobile certificate has no USB key steps and nothing to hand over (only confirm steps)".into());
            }
        }
        for promise in &self.promises {
            let line = Some(line_of(source, promise.span().start));
            let p = promise.get_ref();
            if let Some(m) = subset("business type", &p.business, &self.business_types, "business_types") {
                push(line, format!("promise: {m}"));
            }
            if let Err(m) = p.to_promise() {
                push(line, format!("promise: {m}"));
            }
        }
        for entry in &self.triage {
            let line = Some(line_of(source, entry.span().start));
            let t = entry.get_ref();
            if !self.business_types.contains(&t.business) {
                push(line, format!("triage: business type {} is not among business_types", t.business));
            }
            if t.quote.trim().is_empty() {
                push(line, "triage: `quote` (the guide's words) must not be empty".into());
            }
            if t.expires_within_days.is_some() && t.when != Validity::Valid {
                push(line, "triage: expires_within_days is for when = \"valid\"".into());
            }
            if t.expired_over_days.is_some() && t.when != Validity::Expired {
                push(line, "triage: expired_over_days is for when = \"expired\"".into());
            }
        }
        // a project that declares routes declares them all: a forgotten business type would
        // quietly take the default
        if !self.routes.is_empty() {
            for b in &self.business_types {
                for m in &self.media {
                    for k in &self.cert_kinds {
                        if !self.route_for(*b, *m, *k).1 {
                            push(None, format!("no route for {b} / {m} / {k}: add it to a [[routes]] entry"));
                        }
                    }
                }
            }
        }
        let field_names: Vec<&str> = self.fields.iter().map(|f| f.get_ref().name.as_str()).collect();
        if let Some(d) = duplicates(&field_names) {
            push(None, format!("field {d:?} appears twice"));
        }
        for field in &self.fields {
            let line = Some(line_of(source, field.span().start));
            let f = field.get_ref();
            if f.name.is_empty() || !f.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
                push(line, format!("field {:?}: name with lowercase letters, digits and '_'", f.name));
            }
            if f.label.trim().is_empty() || f.source.trim().is_empty() {
                push(line, format!("field {:?}: needs a `label` and the seed's words in `source`", f.name));
            }
            match (f.kind, f.choices.is_empty()) {
                (FieldKind::Choice, true) => push(line, format!("field {:?}: a choice needs `choices`", f.name)),
                (FieldKind::Choice, false) => {}
                (_, false) => push(line, format!("field {:?}: only a choice has `choices`", f.name)),
                _ => {}
            }
            if let Some(r) = f.refuses.iter().find(|r| !f.choices.contains(r)) {
                push(line, format!("field {:?}: refuses {r:?}, none of its choices", f.name));
            }
            if let Some(d) = &f.default
                && f.refuses.contains(d)
            {
                push(line, format!("field {:?}: its default {d:?} refuses the case", f.name));
            }
            if let Some(d) = &f.default
                && f.kind == FieldKind::Choice
                && !f.choices.contains(d)
            {
                push(line, format!("field {:?}: default {d:?} is none of its choices", f.name));
            }
            if let Some(k) = &f.cert_kinds
                && let Some(m) = subset("certificate kind", k, &self.cert_kinds, "cert_kinds")
            {
                push(line, format!("field {:?}: {m}", f.name));
            }
            if let Some(b) = &f.business
                && let Some(m) = subset("business type", b, &self.business_types, "business_types")
            {
                push(line, format!("field {:?}: {m}", f.name));
            }
        }
        if let Some(apart) = &self.rules.legal_rep_apart {
            let field = self.fields.iter().map(|f| f.get_ref()).find(|f| f.name == apart.field);
            match field {
                None => push(None, format!("rules.legal_rep_apart: no [[fields]] entry named {:?}", apart.field)),
                Some(f) if f.kind != FieldKind::Choice || !f.choices.contains(&apart.consent) => {
                    push(None, format!("rules.legal_rep_apart: field {:?} is no choice with {:?} among its choices", apart.field, apart.consent))
                }
                Some(_) => {}
            }
            if apart.quote.trim().is_empty() {
                push(None, "rules.legal_rep_apart: `quote` (the guide's words) must not be empty".into());
            }
        }
        let form_ids: Vec<&str> = self.forms.iter().map(|f| f.get_ref().id.as_str()).collect();
        if let Some(d) = duplicates(&form_ids) {
            push(None, format!("form id {d:?} appears twice"));
        }
        for form in &self.forms {
            let line = Some(line_of(source, form.span().start));
            let f = form.get_ref();
            if f.copies == 0 {
                push(line, format!("form {:?}: copies must be at least 1", f.id));
            }
            if !f.copy_labels.is_empty() && f.copy_labels.len() != f.copies as usize {
                push(line, format!("form {:?}: {} copy_labels for {} copies", f.id, f.copy_labels.len(), f.copies));
            }
            if let Some(k) = &f.cert_kinds
                && let Some(m) = subset("certificate kind", k, &self.cert_kinds, "cert_kinds")
            {
                push(line, format!("form {:?}: {m}", f.id));
            }
            if let Some(b) = &f.business
                && let Some(m) = subset("business type", b, &self.business_types, "business_types")
            {
                push(line, format!("form {:?}: {m}", f.id));
            }
        }
        out
    }

    /// The steps after approval for a case: the first declared route that matches, else the
    /// domain's default for its business type and medium. The bool says whether the catalog
    /// declared it.
    pub fn route_for(&self, business: BusinessType, medium: Medium, kind: CertKind) -> (Vec<RouteStep>, bool) {
        match self.declared_route(business, medium, kind) {
            // lint refused a bad step: the loader never hands out a project that has one
            Some(r) => (r.steps.iter().filter_map(|s| s.to_step().ok()).collect(), true),
            None => (certdesk_domain::steps::default_route(business, medium), false),
        }
    }

    fn declared_route(&self, business: BusinessType, medium: Medium, kind: CertKind) -> Option<&Route> {
        self.routes
            .iter()
            .map(|r| r.get_ref())
            .find(|r| r.business.contains(&business) && r.media.as_ref().is_none_or(|m| m.contains(&medium)) && r.cert_kinds.as_ref().is_none_or(|k| k.contains(&kind)))
    }

    /// The promise a case of `business` that came in by `channel` is under (the first entry
    /// that matches), if the guide makes one.
    pub fn promise(&self, business: BusinessType, channel: certdesk_domain::Channel) -> Option<certdesk_domain::promise::Promise> {
        self.promises
            .iter()
            .map(|p| p.get_ref())
            .find(|p| (p.business.is_empty() || p.business.contains(&business)) && p.channel.is_none_or(|c| c == channel))
            .and_then(|p| p.to_promise().ok())
    }

    /// What the guide offers a unit whose certificate is in `state`, `days` from its end (the
    /// first entry that applies), if it says.
    pub fn triage_for(&self, state: Validity, days: i64) -> Option<&TriageEntry> {
        self.triage.iter().map(|t| t.get_ref()).find(|t| t.applies(state, days))
    }

    /// The seed's words about the route a case takes (its `note`), printed on the receipt as
    /// what the applicant does next.
    pub fn route_note(&self, business: BusinessType, medium: Medium, kind: CertKind) -> Option<String> {
        self.declared_route(business, medium, kind).and_then(|r| r.note.clone())
    }

    /// What the seeds say about a business type's materials when it has no paper list: the
    /// notes of its rules, and whether it is done online.
    pub fn materials_notes(&self, business: BusinessType, kind: CertKind) -> (Vec<String>, bool) {
        let rules: Vec<&MaterialRule> =
            self.materials.iter().map(|r| r.get_ref()).filter(|r| r.business.contains(&business) && r.cert_kinds.as_ref().is_none_or(|k| k.contains(&kind))).collect();
        (rules.iter().filter_map(|r| r.note.clone()).collect(), rules.iter().any(|r| r.online))
    }

    pub fn fee_rules(&self) -> impl Iterator<Item = &FeeRule> {
        self.fees.iter().map(|r| r.get_ref())
    }

    /// [`Project::checklist`] for a request of `holders` certificate holders (an employee
    /// case's annex rows): an item whose copies are per holder asks that many times over.
    pub fn checklist_for(&self, business: BusinessType, kind: CertKind, holders: u32) -> Vec<MaterialItem> {
        let mut list = self.checklist(business, kind);
        for item in list.iter_mut().filter(|i| i.per_holder) {
            item.copies = item.copies.saturating_mul(holders.max(1));
        }
        list
    }

    /// The checklist of a case as its data stand ([`Project::checklist_for`] its holders).
    pub fn checklist_of(&self, data: &CaseData) -> Vec<MaterialItem> {
        self.checklist_for(data.business, data.cert_kind, holders_of(data))
    }

    /// The materials checklist for a business type and certificate kind: every matching
    /// rule's items, in file order, each id once.
    pub fn checklist(&self, business: BusinessType, kind: CertKind) -> Vec<MaterialItem> {
        let mut seen = HashSet::new();
        self.materials
            .iter()
            .map(|r| r.get_ref())
            .filter(|r| r.business.contains(&business) && r.cert_kinds.as_ref().is_none_or(|k| k.contains(&kind)))
            .flat_map(|r| r.items.iter())
            .filter(|i| seen.insert(i.id.clone()))
            .cloned()
            .collect()
    }

    /// The project's own fields a case of this business type and kind asks for.
    pub fn fields_for(&self, business: BusinessType, kind: CertKind) -> Vec<&FieldDef> {
        self.fields.iter().map(|f| f.get_ref()).filter(|f| f.applies(business, kind)).collect()
    }

    /// The forms a case of this business type and kind prints.
    pub fn forms_for(&self, business: BusinessType, kind: CertKind) -> Vec<&FormEntry> {
        self.forms
            .iter()
            .map(|f| f.get_ref())
            .filter(|f| f.business.as_ref().is_none_or(|b| b.contains(&business)) && f.cert_kinds.as_ref().is_none_or(|k| k.contains(&kind)))
            .collect()
    }
}

/// How many holders a case's checklist counts for per-holder copies: an employee case's annex
/// rows (at least one), one otherwise.
pub fn holders_of(data: &CaseData) -> u32 {
    if data.cert_kind == CertKind::Employee { u32::try_from(data.employees.len()).unwrap_or(u32::MAX).max(1) } else { 1 }
}
