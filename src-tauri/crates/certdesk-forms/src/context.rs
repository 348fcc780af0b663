//! The values a layout's templates read: the case JSON as it is, plus what the counter knows
//! about it (number, business number, reviewers, counter identity), the project's catalog
//! (CA name, bank), the fee and the materials checklist, the case's certificates with where
//! each stands (#28), and the form being printed. Owns the names of those paths
//! (`forms/LAYOUT.md` lists them).

use certdesk_catalog::Project;
use certdesk_domain::CaseData;
use chrono::NaiveDate;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Who handled the case at the counter; blank until known.
#[derive(Debug, Clone, Default)]
pub struct Review {
    pub clerk: Option<String>,
    pub supervisor: Option<String>,
    pub accepted_at: Option<String>,
}

/// The counter's identity as the administrator set it.
#[derive(Debug, Clone, Default)]
pub struct Counter {
    pub code: String,
    pub name: String,
    pub address: String,
}

/// Where one certificate of a case stands on its way to a key (#28).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CertStage {
    /// no key written yet (待制证)
    #[default]
    Waiting,
    /// its certificate is on its key (已写入)
    Written,
    /// a supervisor withdrew it, with a reason (已撤回)
    Withdrawn,
}

impl CertStage {
    pub fn wire(self) -> &'static str {
        match self {
            CertStage::Waiting => "waiting",
            CertStage::Written => "written",
            CertStage::Withdrawn => "withdrawn",
        }
    }

    /// As the receipt prints it.
    pub fn zh(self) -> &'static str {
        match self {
            CertStage::Waiting => "待制证",
            CertStage::Written => "已写入",
            CertStage::Withdrawn => "已撤回",
        }
    }
}

/// One certificate of a stored case as its audit chain tells it (the desk reads the chain): its
/// holder, where it stands, its key and certificate serials, and a withdrawal's reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertLine {
    /// 1-based, as the key desk numbers it
    pub index: u32,
    pub holder: String,
    pub holder_id: Option<String>,
    pub stage: CertStage,
    pub key_serial: Option<String>,
    /// the label its key was initialised with (`<case>-K`)
    pub key_label: Option<String>,
    pub certificate_serial: Option<String>,
    /// the written certificate's last valid day (`YYYY-MM-DD`)
    pub not_after: Option<String>,
    /// why a supervisor withdrew it
    pub withdrawn_reason: Option<String>,
}

impl CertLine {
    /// The certificates a case's data asks for, none made yet: what a preview of a case file
    /// (no chain) prints.
    pub fn from_data(data: &CaseData) -> Vec<CertLine> {
        certdesk_domain::certs::certificates(data)
            .into_iter()
            .map(|slot| CertLine { index: slot.index, holder: slot.holder, holder_id: slot.holder_id, ..Default::default() })
            .collect()
    }
}

/// Everything a form is filled from.
#[derive(Debug, Clone)]
pub struct CaseInput<'a> {
    pub data: &'a CaseData,
    /// The stored case's number; `None` for a preview of a case file.
    pub number: Option<String>,
    pub digest: String,
    pub review: Review,
    pub counter: Counter,
    pub today: NaiveDate,
    /// Seal images by slot (`seal:official_seal` …): PNG files from the seal importer.
    pub seals: BTreeMap<String, std::path::PathBuf>,
    /// The case's certificates as its chain tells them; `None` (a case file's preview): as the
    /// data asks for them, none made.
    pub certs: Option<Vec<CertLine>>,
}

/// The 17-digit business number (业务号) printed as a barcode: the case's date, three digits
/// of the counter, six of its sequence; for a preview, digits of the data's digest.
pub fn business_number(number: Option<&str>, digest: &str) -> String {
    if let Some(n) = number {
        let mut parts = n.split('-');
        if let (Some(counter), Some(day), Some(seq)) = (parts.next(), parts.next(), parts.next()) {
            let counter_digits = counter.bytes().fold(0u32, |h, b| (h * 31 + u32::from(b)) % 1000);
            if let Ok(seq) = seq.parse::<u32>() {
                return format!("{day}{counter_digits:03}{:06}", seq % 1_000_000);
            }
        }
    }
    let digits: String = digest.bytes().map(|b| char::from(b'0' + b % 10)).take(17).collect();
    format!("9{}", &digits[1..])
}

pub fn build(input: &CaseInput<'_>, project: &Project) -> Value {
    let mut root = serde_json::to_value(input.data).unwrap_or_else(|_| json!({}));
    let number = input.number.clone().unwrap_or_default();
    // an employee case's annex priced row by row (#71): one line per row group when rows differ
    let fee = project.fee_of_case(input.data).ok();
    let fee = match fee {
        Some(q) => json!({
            "total": q.total.to_string(),
            "total_capital": q.total_capital,
            "items": q.items.iter().map(|i| json!({"label": i.label, "unit_price": i.unit_price.to_string(), "count": i.count, "amount": i.amount.to_string()})).collect::<Vec<_>>(),
        }),
        None => json!({"total": "", "total_capital": "", "items": []}),
    };
    let materials: Vec<Value> = project
        .checklist_of(input.data)
        .iter()
        .map(|m| {
            // what the applicant promised to bring later, for an item not handed in (the
            // case page reads the same state)
            let got = input.data.materials.iter().find(|r| r.id == m.id);
            let to_follow = match m.state(got) {
                certdesk_catalog::model::MaterialState::ToFollow => got.and_then(|r| r.to_follow.clone()).unwrap_or_default(),
                _ => String::new(),
            };
            let to_follow_note = if to_follow.is_empty() { String::new() } else { format!("（后补：{to_follow}）") };
            // what was handed in, in the words the case page uses for the same state (#35: the
            // receipt once printed the checklist's demand beside a case page saying 已收)
            let state_zh = match m.state(got) {
                certdesk_catalog::model::MaterialState::Received => "已收",
                certdesk_catalog::model::MaterialState::ToFollow => "后补",
                certdesk_catalog::model::MaterialState::Optional => "未交（非必需）",
                certdesk_catalog::model::MaterialState::Missing => "未收",
            };
            let (copies_received, original_seen) = got.map_or((0, false), |g| (g.copies_received, g.original_seen));
            json!({"id": m.id, "text": m.text, "copies": m.copies, "original": m.original, "stamped": m.stamped, "optional": m.optional, "to_follow": to_follow, "to_follow_note": to_follow_note,
                   "copies_received": copies_received, "original_seen": original_seen, "state_zh": state_zh})
        })
        .collect();
    // what the receipt says where the checklist is empty: the seed's own words (online,
    // paperless) or that the guide lists nothing
    let (notes, online) = project.materials_notes(input.data.business, input.data.cert_kind);
    let materials_none = match (online, notes.is_empty()) {
        (true, _) => format!("本业务在证书机构系统在线办理，无需纸质材料。{}", notes.join(" ")),
        (false, false) => notes.join(" "),
        (false, true) => "证书机构的办理指南未列出本业务所需材料，以受理点实际收取为准。".to_string(),
    };
    let to_follow_count = materials.iter().filter(|m| m["to_follow"].as_str().is_some_and(|t| !t.is_empty())).count();
    let cert_lines = input.certs.clone().unwrap_or_else(|| CertLine::from_data(input.data));
    let certs: Vec<Value> = cert_lines.iter().map(cert_value).collect();
    let certs_withdrawn = cert_lines.iter().filter(|c| c.stage == CertStage::Withdrawn).count();
    // the holders a key goes to (#72: a slip and a label each): the certificates not withdrawn
    let holders: Vec<Value> = cert_lines.iter().filter(|c| c.stage != CertStage::Withdrawn).map(cert_value).collect();
    let extra = json!({
        "case": {
            "number": number,
            "business_number": business_number(input.number.as_deref(), &input.digest),
            // 业务单号: the CA's own number, where a form's barcode must carry it
            "ca_reference": input.data.ca_reference.clone().unwrap_or_default(),
            "digest": input.digest,
        },
        "review": {
            "clerk": input.review.clerk,
            "supervisor": input.review.supervisor,
            "accepted_at": input.review.accepted_at,
        },
        "counter": {"code": input.counter.code, "name": input.counter.name, "address": input.counter.address},
        "ca": {
            "name": project.ca_name,
            "short": project.ca_short,
            "service": project.service,
            // what the holder's slip says of the PIN (#72): the CA's try limit and whether
            // its guide publishes a default PIN (never the PIN itself)
            "pin": {
                "max_tries": project.pin.as_ref().and_then(|p| p.max_tries).map(|n| n.to_string()).unwrap_or_default(),
                "has_default": if project.pin.as_ref().is_some_and(|p| p.default.is_some()) { "yes" } else { "" },
            },
            "bank": project.bank.as_ref().map(|b| json!({"payee": b.payee, "bank": b.bank, "account": b.account, "remark": b.remark.clone().unwrap_or_default()})).unwrap_or_else(|| json!({"payee": "", "bank": "", "account": "", "remark": ""})),
            "contact": {"hours": project.contact.hours, "phone": project.contact.phone.join("，"), "address": project.contact.counter_address.first().cloned().unwrap_or_default()},
        },
        "fee": fee,
        "materials": materials,
        "materials_to_follow": to_follow_count,
        "materials_none": materials_none,
        // the case's certificates (a list for `repeat`), how many were withdrawn, and whether
        // there are several (a one-certificate case's receipt needs no list of one)
        "certs": certs,
        "certs_withdrawn": certs_withdrawn,
        "holders": holders,
        "certs_several": cert_lines.len() > 1,
        // the seed's words about this case's route (what the applicant does next)
        "route": {"note": project.route_note(input.data.business, input.data.medium, input.data.cert_kind).unwrap_or_default()},
        "today": input.today.to_string(),
        "form": {"title": "", "copy_label": "", "copy_index": 1, "copies": 1},
        "page": {"number": 1, "count": ""},
        "repeat": {"count": "", "total": "", "first": "", "last": "", "sheet": "", "sheets": ""},
        "seals": input.seals.iter().map(|(k, v)| (k.clone(), Value::String(v.display().to_string()))).collect::<serde_json::Map<_, _>>(),
        "item": {},
    });
    if let (Value::Object(r), Value::Object(e)) = (&mut root, extra) {
        for (k, v) in e {
            r.insert(k, v);
        }
        // the annex counts its rows
        let count = r.get("employees").and_then(Value::as_array).map_or(0, Vec::len);
        r.insert("employees_count".into(), count.into());
        present_and_empty(r, project);
    }
    root
}

/// The case JSON leaves out what a case does not have; a layout still names those paths (the
/// project's own fields, 授权期限, the 专票's bank): they print as nothing, or as the field's
/// default where the CA's form gives one ("若不勾选则默认为“否”").
fn present_and_empty(root: &mut serde_json::Map<String, Value>, project: &Project) {
    let object = |v: &mut Value| {
        if !v.is_object() {
            *v = json!({});
        }
    };
    let extra = root.entry("extra").or_insert_with(|| json!({}));
    object(extra);
    for f in project.fields.iter().map(|f| f.get_ref()) {
        let blank = extra.get(&f.name).is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()));
        if blank {
            extra[&f.name] = f.default.clone().map_or(Value::String(String::new()), Value::String);
        }
    }
    for (section, fields) in [("handler", &["authorization_until"][..]), ("invoice", &["type", "title", "taxpayer_id", "email", "phone", "address", "bank", "account"][..])] {
        let s = root.entry(section).or_insert_with(|| json!({}));
        object(s);
        for f in fields {
            if s.get(*f).is_none() {
                s[*f] = Value::Null;
            }
        }
    }
    // #73: a case JSON without `channel` is a counter case; only a posted one has an arrival
    if root.get("channel").is_none_or(Value::is_null) {
        root.insert("channel".into(), json!("counter"));
    }
    let arrival = root.entry("arrival").or_insert_with(|| json!({}));
    object(arrival);
    for f in ["date", "courier", "waybill", "postage", "online_application"] {
        if arrival.get(f).is_none() {
            arrival[f] = Value::Null;
        }
    }
    if let Some(org) = root.get_mut("organization").filter(|o| o.is_object())
        && org.get("certificate_serial").is_none()
    {
        org["certificate_serial"] = Value::Null;
    }
    if let Some(rows) = root.get_mut("employees").and_then(Value::as_array_mut) {
        for row in rows.iter_mut().filter(|r| r.is_object()) {
            if row.get("authorization_until").is_none() {
                row["authorization_until"] = Value::Null;
            }
        }
    }
}

/// One certificate as a layout reads it (`item.…` in a `repeat = "certs"` table).
pub fn cert_value(c: &CertLine) -> Value {
    // what the receipt's 说明 column says: why it was withdrawn, else the key it is on
    let note = match (c.stage, &c.withdrawn_reason, &c.key_serial) {
        (CertStage::Withdrawn, Some(reason), _) => format!("撤回原因：{reason}"),
        (CertStage::Withdrawn, None, _) => String::new(),
        (_, _, Some(serial)) => format!("Key序列号 {serial}"),
        _ => String::new(),
    };
    json!({
        "index": c.index,
        "holder": c.holder,
        "holder_id": c.holder_id.clone().unwrap_or_default(),
        "state": c.stage.wire(),
        "state_zh": c.stage.zh(),
        "key_serial": c.key_serial.clone().unwrap_or_default(),
        "key_label": c.key_label.clone().unwrap_or_default(),
        "certificate_serial": c.certificate_serial.clone().unwrap_or_default(),
        "not_after": c.not_after.clone().unwrap_or_default(),
        "withdrawn_reason": c.withdrawn_reason.clone().unwrap_or_default(),
        "note": note,
    })
}

/// A context with every path present, for linting templates without a real case.
pub fn sample(project: &Project) -> Value {
    let data = CaseData::from_json(include_str!("../../../../tests/fixtures/case-employees-new.json")).expect("the sample case parses");
    let mut data = data;
    data.organization.as_mut().expect("sample organisation").legal_rep = Some(certdesk_domain::case::LegalRep {
        name: "李明".into(),
        id_type: certdesk_domain::IdType::ResidentId,
        id_number: "440304199207271516".into(),
        mobile: Some("13922223333".into()),
        extra: Default::default(),
    });
    data.ca_reference = Some("20261122000000001".into());
    data.delivery = Some(certdesk_domain::Delivery {
        method: certdesk_domain::DeliveryMethod::Mail,
        recipient: Some("张伟".into()),
        phone: Some("13800138000".into()),
        address: Some("地址".into()),
        extra: Default::default(),
    });
    data.invoice = Some(certdesk_domain::Invoice {
        kind: certdesk_domain::InvoiceType::Normal,
        title: "单位".into(),
        taxpayer_id: Some("91440101MA59ABCD1D".into()),
        email: Some("a@example.cn".into()),
        phone: Some("13800138000".into()),
        address: Some("地址".into()),
        bank: Some("开户行".into()),
        account: Some("0000".into()),
        extra: Default::default(),
    });
    data.handler.authorization_until = Some("2027-12-31".into());
    for e in &mut data.employees {
        e.authorization_until = Some("2027-12-31".into());
    }
    for f in project.fields.iter().map(|f| f.get_ref()) {
        data.project_fields.insert(f.name.clone(), Value::String(f.choices.first().cloned().unwrap_or_default()));
    }
    let input = CaseInput {
        data: &data,
        number: Some("CD01-20261122-0001".into()),
        digest: data.digest(),
        review: Review { clerk: Some("clerk".into()), supervisor: Some("supervisor".into()), accepted_at: Some("2026-11-22T09:00:00+08:00".into()) },
        counter: Counter { code: "CD01".into(), name: "受理点".into(), address: "地址".into() },
        today: NaiveDate::from_ymd_opt(2026, 11, 22).expect("date"),
        seals: BTreeMap::new(),
        certs: None,
    };
    build(&input, project)
}

/// What the daily ledger's layout (`_counter/layouts/daily.toml`) reads, every path present:
/// the counter, the day's totals (`ledger`), the sections as the export's rows (`sections`),
/// each case (`case_rows`) and the day's close (`close`: `state` 已日结/未日结, the signer, the
/// time, the reference its QR code carries and the SHA-256 of the installation's operator CA,
/// #78). The desk fills the same shape.
pub fn ledger_sample() -> Value {
    json!({
        "counter": {"code": "CD01", "name": "受理点", "address": "地址"},
        "ledger": {"day": "2026-11-24", "day_zh": "2026年11月24日", "cases": 1, "total": "700.00", "certificates": 1, "written": 1, "withdrawn": 0,
                   "keys_issued": 1, "delivered": 0, "printed_at": "2026-11-24 18:00"},
        "sections": [{"section": "业务类型", "key": "新办", "cases": 1, "amount": "700.00", "certs": 1, "written": 1, "withdrawn": 0}],
        "case_rows": [{"number": "CD01-20261124-0001", "applicant": "单位", "business": "新办", "amount": "700.00", "certs": 1, "written": 1, "withdrawn": "", "status": "已受理"}],
        "close": {"closed": true, "state": "已日结", "reference": "certdesk-day:1:CD01:2026-11-24:1:0:0", "by": "复核员", "at": "2026-11-24 18:00", "fingerprint": "00", "operator_ca": "00"},
    })
}
