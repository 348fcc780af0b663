//! The counter's reports: the daily ledger (cases by business type and project, fees by
//! payment method, per clerk, keys issued, keys handed over, and each case with its
//! certificates: how many, how many written, which withdrawn and why) and the certificates
//! expiring in the next days, one row per certificate with its holder and the handler's phone,
//! as data and as tables for CSV / XLSX export. Days are the counter's local days. Cancelled
//! cases count nowhere. Also what the reports and the receipt say of each certificate of a case
//! (`cert_outcomes`, read off its chain), and a report's export: CSV or XLSX, into a file the
//! command line names or the export folder under the report's name (`folders`).

use crate::DeskError;
use crate::api::Desk;
use crate::dates::day_bounds;
use crate::place::Environment;
use certdesk_domain::workflow::CaseFacts;
use certdesk_domain::{Money, Status};
use certdesk_store::{AuditAction, AuditEvent, CaseRecord, Store, event_cert};
use chrono::{DateTime, Local, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct LedgerRow {
    pub key: String,
    pub cases: usize,
    pub amount: Money,
    /// The certificates of these cases (#28: an employee case has one per annex row), withdrawn
    /// ones included: what was charged for.
    pub certs: usize,
    /// Of them, written to a key now.
    pub written: usize,
    /// Of them, withdrawn by a supervisor.
    pub withdrawn: usize,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DailyLedger {
    #[ts(type = "string")]
    pub date: NaiveDate,
    pub cases: usize,
    pub total: Money,
    pub by_business: Vec<LedgerRow>,
    pub by_project: Vec<LedgerRow>,
    pub by_payment: Vec<LedgerRow>,
    pub by_clerk: Vec<LedgerRow>,
    /// The day's cases by where they stand now (#79: a case sent back by the supervisor is
    /// still the day's, taken and paid, so it stays in 案件数 and 收费合计; this shows it apart
    /// as 已退回).
    pub by_status: Vec<LedgerRow>,
    pub keys_issued: usize,
    pub delivered: usize,
    /// The invoices the day's cases asked for (seed 002 发票), one row per case.
    pub invoices: Vec<InvoiceRow>,
    /// The certificates of the day's cases, withdrawn ones included.
    pub certificates: usize,
    /// Of them, written to a key now.
    pub certificates_written: usize,
    /// Of them, withdrawn by a supervisor.
    pub certificates_withdrawn: usize,
    /// The day's cases one by one, with their certificates.
    pub by_case: Vec<CaseRow>,
    /// The day signed off (日结, #31), once a supervisor has closed it.
    pub close: Option<LedgerClose>,
    /// While the day is open: why the signed-in account cannot close it, said where the
    /// 日结 button would be, before any PIN is asked (#79). `None` when it can, or once closed.
    pub close_blocked: Option<crate::staff::CloseBlocked>,
}

/// A day's close as the ledger, its export and its print show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct LedgerClose {
    /// what the printed ledger's QR code carries (`day verify --reference`)
    pub reference: String,
    /// the supervisor's account
    pub account: String,
    /// the supervisor, by 姓名 where the account has one
    pub by: String,
    /// when, the counter's local `YYYY-MM-DD HH:MM`
    pub at: String,
    /// the SHA-256 of the certificate that signed
    pub fingerprint: String,
}

/// One case of the day's ledger: what was charged and where its certificates stand now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct CaseRow {
    pub case: String,
    pub project: String,
    /// the business type's wire name (`new`, `renew` …)
    pub business: String,
    /// the unit, or the person of a personal case
    pub applicant: String,
    /// What was charged (the payment recorded). A withdrawal leaves it as it is: the seeds
    /// give no refund rule, so the ledger shows the withdrawal beside the fee.
    pub amount: Money,
    pub certs: usize,
    pub written: usize,
    pub withdrawn: Vec<WithdrawnCert>,
    /// the case's status now (wire name)
    pub status: String,
}

/// A certificate a supervisor withdrew: which, whose, why, by whom and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct WithdrawnCert {
    pub cert: u32,
    pub holder: String,
    pub reason: String,
    /// the supervisor, by 姓名 where the account has one
    pub by: String,
    /// when (UTC, as stored)
    pub at: String,
}

/// One certificate of a case as the reports and the receipt tell it, read off the case's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertOutcome {
    pub index: u32,
    pub holder: String,
    pub holder_id: Option<String>,
    /// written to a key since its last reissue
    pub written: bool,
    pub withdrawn: Option<WithdrawnCert>,
    /// the key of its current round, and its label
    pub key_serial: Option<String>,
    pub key_label: Option<String>,
    /// the certificate its current round wrote to the key, and its last valid day
    pub certificate_serial: Option<String>,
    pub not_after: Option<String>,
}

/// A certificate's time (RFC 3339) as the counter's day (`YYYY-MM-DD`), or as it is when it
/// is no such time.
fn local_day(time: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(time).map(|t| t.with_timezone(&chrono::Local).date_naive().to_string()).unwrap_or_else(|_| time.to_string())
}

/// Each certificate of a case (`facts.certs`, in index order) with its withdrawal, its key and
/// the certificate on it, from the case's `history`; people by `names` (姓名) where set.
pub fn cert_outcomes(facts: &CaseFacts, history: &[AuditEvent], names: &BTreeMap<String, String>) -> Vec<CertOutcome> {
    facts
        .certs
        .iter()
        .map(|c| {
            let events = crate::rounds::events_of(history, c.index);
            let (key_serial, key_label) = crate::rounds::round_key(&events);
            let written = crate::rounds::current_round(&events).iter().rev().find(|e| e.action == AuditAction::CertificateWritten.wire()).map(|e| e.detail.clone());
            let text = |name: &str| written.as_ref().and_then(|d| d.get(name)).and_then(|v| v.as_str()).map(str::to_string);
            let certificate_serial = text("certificate_serial");
            let not_after = text("not_after").map(|t| local_day(&t));
            let withdrawn =
                c.withdrawn.then(|| history.iter().rev().find(|e| e.action == AuditAction::CertWithdrawn.wire() && event_cert(e) == c.index)).flatten().map(|e| WithdrawnCert {
                    cert: c.index,
                    holder: c.holder.clone(),
                    reason: e.detail.get("reason").and_then(|v| v.as_str()).unwrap_or_default().to_string(),
                    by: names.get(&e.actor).cloned().unwrap_or_else(|| e.actor.clone()),
                    at: e.at.clone(),
                });
            CertOutcome {
                index: c.index,
                holder: c.holder.clone(),
                holder_id: c.holder_id.clone(),
                written: c.written,
                withdrawn,
                key_serial,
                key_label,
                certificate_serial,
                not_after,
            }
        })
        .collect()
}

/// The ledger's row of one case: its charge and its certificates' outcomes.
fn case_row(record: &CaseRecord, outcomes: &[CertOutcome]) -> CaseRow {
    let data = &record.data;
    let applicant = data.organization.as_ref().map(|o| o.name.trim()).filter(|n| !n.is_empty()).unwrap_or(data.handler.name.trim()).to_string();
    CaseRow {
        case: record.number.to_string(),
        project: data.project.clone(),
        business: data.business.wire().to_string(),
        applicant,
        amount: data.payment.as_ref().map(|p| p.amount).unwrap_or(Money::from_fen(0)),
        certs: outcomes.len(),
        written: outcomes.iter().filter(|o| o.written).count(),
        withdrawn: outcomes.iter().filter_map(|o| o.withdrawn.clone()).collect(),
        status: record.status.wire().to_string(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct InvoiceRow {
    pub case: String,
    /// `normal` | `special`
    pub kind: String,
    pub title: String,
    pub taxpayer_id: Option<String>,
    pub amount: Money,
}

/// A stored UTC time as the counter's local `YYYY-MM-DD HH:MM` (the text itself when it is
/// not a time).
pub fn local_minute(stored: &str) -> String {
    DateTime::parse_from_rfc3339(stored).map(|t| t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|_| stored.to_string())
}

/// The day's cases summed by `key`: cases, amount and certificates.
fn grouped<'r>(rows: impl Iterator<Item = (String, &'r CaseRow)>) -> Vec<LedgerRow> {
    let mut map: BTreeMap<String, LedgerRow> = BTreeMap::new();
    for (key, row) in rows {
        let e = map.entry(key.clone()).or_insert(LedgerRow { key, cases: 0, amount: Money::from_fen(0), certs: 0, written: 0, withdrawn: 0 });
        e.cases += 1;
        e.amount = e.amount + row.amount;
        e.certs += row.certs;
        e.written += row.written;
        e.withdrawn += row.withdrawn.len();
    }
    map.into_values().collect()
}

pub(crate) fn daily(store: &Store, date: NaiveDate) -> Result<DailyLedger, DeskError> {
    let (from, to) = day_bounds(date);
    let cases: Vec<_> = store.cases_created_between(&from, &to)?.into_iter().filter(|c| c.status != Status::Cancelled).collect();
    let amount = |c: &CaseRecord| c.data.payment.as_ref().map(|p| p.amount).unwrap_or(Money::from_fen(0));
    let method = |c: &CaseRecord| c.data.payment.as_ref().map(|p| p.method.wire().to_string()).unwrap_or_else(|| "unpaid".into());
    // a step done again (a certificate written twice to the same key) is one key: count
    // certificates, not events
    let distinct = |events: Vec<certdesk_store::AuditEvent>| {
        events
            .into_iter()
            .map(|e| (e.case_number, e.detail.get("token_serial").map(|v| v.to_string()), e.detail.get("certificate_serial").map(|v| v.to_string())))
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    // people by name (姓名) where the account has one
    let names = store.display_names()?;
    let clerk = |c: &CaseRecord| names.get(&c.created_by).cloned().unwrap_or_else(|| c.created_by.clone());
    // each case with its certificates where they stand now (the chain, read per case)
    let mut rows = Vec::with_capacity(cases.len());
    for c in &cases {
        let (_, facts) = store.facts(&c.number)?;
        let history = store.history(&c.number)?;
        rows.push(case_row(c, &cert_outcomes(&facts, &history, &names)));
    }
    let with_rows = || cases.iter().zip(&rows);
    let invoices = cases
        .iter()
        .filter_map(|c| {
            c.data.invoice.as_ref().map(|i| InvoiceRow {
                case: c.number.to_string(),
                kind: i.kind.wire().to_string(),
                title: i.title.clone(),
                taxpayer_id: i.taxpayer_id.clone(),
                amount: amount(c),
            })
        })
        .collect();
    let keys_issued = distinct(store.events_between(AuditAction::CertificateWritten, &from, &to)?);
    let delivered = distinct(store.events_between(AuditAction::Deliver, &from, &to)?);
    Ok(DailyLedger {
        date,
        cases: cases.len(),
        total: cases.iter().map(amount).sum(),
        by_business: grouped(with_rows().map(|(c, r)| (c.data.business.wire().to_string(), r))),
        by_project: grouped(with_rows().map(|(c, r)| (c.data.project.clone(), r))),
        by_payment: grouped(with_rows().map(|(c, r)| (method(c), r))),
        by_clerk: grouped(with_rows().map(|(c, r)| (clerk(c), r))),
        by_status: grouped(with_rows().map(|(c, r)| (c.status.wire().to_string(), r))),
        keys_issued,
        delivered,
        invoices,
        certificates: rows.iter().map(|r| r.certs).sum(),
        certificates_written: rows.iter().map(|r| r.written).sum(),
        certificates_withdrawn: rows.iter().map(|r| r.withdrawn.len()).sum(),
        by_case: rows,
        close: store.day_close(&date.to_string())?.map(|c| LedgerClose {
            reference: c.event.reference,
            by: names.get(&c.closed_by).cloned().unwrap_or_else(|| c.closed_by.clone()),
            account: c.closed_by,
            at: local_minute(&c.closed_at),
            fingerprint: c.event.fingerprint,
        }),
        close_blocked: None,
    })
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Expiring {
    pub case: String,
    pub organization: String,
    pub handler: String,
    /// The handler's phone, masked (`137****2222`): the full number is on the case's page.
    pub mobile: Option<String>,
    pub certificate_serial: String,
    pub subject: String,
    pub not_after: String,
    pub days_left: i64,
    /// Which certificate of the case (1-based, #28).
    pub cert: u32,
    /// Whose certificate: the employee, the unit or the person (the handler and mobile stay
    /// the unit's contact).
    pub holder: String,
}

/// The certificate on each certificate's key: the newest `certificate_written` of each
/// (case, certificate) that no reissue of that certificate came after (a reissued
/// certificate's key is being replaced; the new write is the one to renew). `writes` and
/// `reissues` in chain order; the answer in (case, certificate) order.
fn current_writes(writes: Vec<AuditEvent>, reissues: &[AuditEvent]) -> BTreeMap<(String, u32), AuditEvent> {
    let mut reissued: BTreeMap<(String, u32), i64> = BTreeMap::new();
    for e in reissues {
        if let Some(n) = &e.case_number {
            reissued.insert((n.clone(), event_cert(e)), e.seq);
        }
    }
    let mut newest = BTreeMap::new();
    for e in writes {
        let Some(n) = e.case_number.clone() else { continue };
        let key = (n, event_cert(&e));
        if reissued.get(&key).is_some_and(|&r| r > e.seq) {
            continue;
        }
        if newest.get(&key).is_none_or(|old: &AuditEvent| old.seq < e.seq) {
            newest.insert(key, e);
        }
    }
    newest
}

/// Certificates written to keys whose validity ends within `days` from `now` (and has not
/// ended yet), soonest first; one row per certificate of a case, its current key's.
fn expiring(store: &Store, now: DateTime<Utc>, days: i64) -> Result<Vec<Expiring>, DeskError> {
    let epoch = "0000-01-01T00:00:00Z";
    let far = "9999-12-31T23:59:59Z";
    let reissues = store.events_between(AuditAction::Reissue, epoch, far)?;
    let newest = current_writes(store.events_between(AuditAction::CertificateWritten, epoch, far)?, &reissues);
    let until = now + chrono::Duration::days(days);
    let mut out = Vec::new();
    // a case's record and facts, read once for all its certificates
    let mut cases: BTreeMap<String, (CaseRecord, CaseFacts)> = BTreeMap::new();
    for ((number, cert), e) in newest {
        // events written before every field was recorded say too little to list
        let Ok(written) = serde_json::from_value::<certdesk_store::detail::CertificateWritten>(e.detail) else { continue };
        let not_after = written.not_after;
        let Ok(end) = DateTime::parse_from_rfc3339(&not_after).map(|t| t.with_timezone(&Utc)) else { continue };
        if end < now || end > until {
            continue;
        }
        if !cases.contains_key(&number) {
            let Ok(parsed) = certdesk_domain::CaseNumber::parse(&number) else { continue };
            cases.insert(number.clone(), store.facts(&parsed)?);
        }
        let Some((rec, facts)) = cases.get(&number) else { continue };
        if matches!(rec.status, Status::Cancelled) {
            continue;
        }
        // the holder as the case's certificates name it (the event's own where the case no
        // longer lists it)
        let holder = facts.certs.iter().find(|c| c.index == cert).map(|c| c.holder.clone()).or(written.holder).unwrap_or_default();
        out.push(Expiring {
            case: number,
            organization: rec.data.organization.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
            handler: rec.data.handler.name.clone(),
            // a list and its exports show less than the case's own page (#30): 137****2222
            mobile: rec.data.handler.mobile.as_deref().map(certdesk_domain::mask::phone),
            certificate_serial: written.certificate_serial,
            subject: written.subject,
            days_left: (end - now).num_days(),
            not_after,
            cert,
            holder,
        });
    }
    out.sort_by(|a, b| (&a.not_after, &a.case, a.cert).cmp(&(&b.not_after, &b.case, b.cert)));
    Ok(out)
}

/// A report as a table: a title, a header row and data rows (all text; amounts as yuan).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn zh_business(wire: &str) -> String {
    certdesk_domain::BusinessType::from_wire(wire).map(|b| b.zh().to_string()).unwrap_or_else(|| wire.to_string())
}

fn zh_status(wire: &str) -> String {
    certdesk_domain::Status::from_wire(wire).map(|st| st.zh().to_string()).unwrap_or_else(|| wire.to_string())
}

pub(crate) fn zh_payment(wire: &str) -> String {
    certdesk_domain::PaymentMethod::from_wire(wire).map(|b| b.zh().to_string()).unwrap_or_else(|| if wire == "unpaid" { "未收费".into() } else { wire.to_string() })
}

/// A withdrawal as the ledger prints it: `第3张 罗晶：员工已离职（李复核）`.
fn withdrawn_text(list: &[WithdrawnCert]) -> String {
    list.iter().map(|w| format!("第{}张 {}：{}（{}）", w.cert, w.holder, w.reason, w.by)).collect::<Vec<_>>().join("；")
}

/// The ledger's groups in the order the export and the print show them, each row with its
/// group's name and its key as people read it (业务类型 and 收费方式 in Chinese).
fn sections(l: &DailyLedger) -> Vec<(&'static str, String, &LedgerRow)> {
    let groups: [(&'static str, &[LedgerRow], KeyLabel); 5] = [
        ("业务类型", &l.by_business, zh_business),
        ("CA项目", &l.by_project, str::to_string),
        ("收费方式", &l.by_payment, zh_payment),
        ("受理员", &l.by_clerk, str::to_string),
        ("案件状态", &l.by_status, zh_status),
    ];
    groups.into_iter().flat_map(|(name, list, label)| list.iter().map(move |r| (name, label(&r.key), r))).collect()
}

/// How a group's key is shown (a wire name in Chinese, or as it is).
type KeyLabel = fn(&str) -> String;

/// The first cell of the exported ledger's row that carries the close's reference.
pub const LEDGER_REFERENCE_ROW: &str = "日结签名";
/// What a ledger says of a day not closed yet.
pub const NOT_CLOSED: &str = "未日结";

/// The daily ledger as a table. The first four columns are the ledger's since it began; the
/// certificates' (#28) follow, so a spreadsheet reading the old columns by position still does.
pub fn daily_table(l: &DailyLedger) -> Table {
    let mut rows: Vec<Vec<String>> = sections(l)
        .into_iter()
        .map(|(name, key, r)| vec![name.to_string(), key, r.cases.to_string(), r.amount.to_string(), r.certs.to_string(), r.written.to_string(), r.withdrawn.to_string()])
        .collect();
    rows.push(vec![
        "合计".into(),
        "".into(),
        l.cases.to_string(),
        l.total.to_string(),
        l.certificates.to_string(),
        l.certificates_written.to_string(),
        l.certificates_withdrawn.to_string(),
    ]);
    let blank = || vec![String::new(); 3];
    rows.push([vec!["制证".into(), "写入证书的USB Key".into(), l.keys_issued.to_string(), "".into()], blank()].concat());
    rows.push([vec!["交付".into(), "已交付".into(), l.delivered.to_string(), "".into()], blank()].concat());
    for i in &l.invoices {
        let kind = certdesk_domain::InvoiceType::from_wire(&i.kind).map(|k| k.zh()).unwrap_or("发票");
        let taxpayer = i.taxpayer_id.as_deref().map(|t| format!(" 纳税人识别号 {t}")).unwrap_or_default();
        rows.push([vec![format!("发票（{}）", i.case), format!("{}：{}{taxpayer}", kind, i.title), "1".into(), i.amount.to_string()], blank()].concat());
    }
    // each case: its fee as charged, its certificates, and which were withdrawn and why
    for c in &l.by_case {
        rows.push(vec![
            "案件".into(),
            format!("{} {}（{}）", c.case, c.applicant, zh_business(&c.business)),
            "1".into(),
            c.amount.to_string(),
            c.certs.to_string(),
            c.written.to_string(),
            withdrawn_text(&c.withdrawn),
        ]);
    }
    // the day's close last (#31): what ties an exported ledger to the signed day
    let row = |name: &str, value: String| [vec![name.to_string(), value], vec![String::new(); 5]].concat();
    match &l.close {
        Some(c) => {
            rows.push(row(LEDGER_REFERENCE_ROW, c.reference.clone()));
            rows.push(row("签名人", format!("{}（{}）", c.by, c.account)));
            rows.push(row("签名时间", c.at.clone()));
        }
        None => rows.push(row(LEDGER_REFERENCE_ROW, NOT_CLOSED.into())),
    }
    Table {
        title: format!("受理日报 {}", l.date), header: ["分类", "项目", "件数", "金额（元）", "证书数", "已写入", "撤回（原因）"].map(String::from).to_vec(), rows
    }
}

/// What the printed ledger's layout reads (`certdesk_forms::context::ledger_sample`'s shape):
/// the sections as the export's rows, each case, the close.
pub fn ledger_context(l: &DailyLedger, counter: &certdesk_forms::Counter, printed_at: &str) -> serde_json::Value {
    use serde_json::json;
    let sections: Vec<serde_json::Value> = sections(l)
        .into_iter()
        .map(|(name, key, r)| {
            json!({"section": name, "key": key, "cases": r.cases, "amount": r.amount.to_string(), "certs": r.certs, "written": r.written, "withdrawn": r.withdrawn})
        })
        .collect();
    let case_rows: Vec<serde_json::Value> = l
        .by_case
        .iter()
        .map(|c| {
            json!({"number": c.case, "applicant": c.applicant, "business": zh_business(&c.business), "amount": c.amount.to_string(), "certs": c.certs,
                   "written": c.written, "withdrawn": withdrawn_text(&c.withdrawn),
                   "status": Status::from_wire(&c.status).map(|s| s.zh().to_string()).unwrap_or_else(|| c.status.clone())})
        })
        .collect();
    let close = match &l.close {
        // operator_ca: the installation's, filled by the print (`Desk::print_ledger`, #78)
        Some(c) => json!({"closed": true, "state": "已日结", "reference": c.reference, "by": c.by, "at": c.at, "fingerprint": c.fingerprint, "operator_ca": ""}),
        None => json!({"closed": false, "state": NOT_CLOSED, "reference": "", "by": "", "at": "", "fingerprint": "", "operator_ca": ""}),
    };
    json!({
        "counter": {"code": counter.code, "name": counter.name, "address": counter.address},
        "ledger": {"day": l.date.to_string(), "day_zh": l.date.format("%Y年%m月%d日").to_string(), "cases": l.cases, "total": l.total.to_string(),
                   "certificates": l.certificates, "written": l.certificates_written, "withdrawn": l.certificates_withdrawn,
                   "keys_issued": l.keys_issued, "delivered": l.delivered, "printed_at": printed_at},
        "sections": sections,
        "case_rows": case_rows,
        "close": close,
    })
}

/// The certificates expiring as a table: the columns it always had, then the certificate's
/// number in its case and its holder.
pub fn expiring_table(list: &[Expiring], days: i64) -> Table {
    Table {
        title: format!("{days}天内到期的证书"),
        header: ["案件编号", "申请单位", "经办人", "经办人手机", "证书序列号", "证书主题", "到期时间", "剩余天数", "证书序号", "证书持有人"].map(String::from).to_vec(),
        rows: list
            .iter()
            .map(|e| {
                vec![
                    e.case.clone(),
                    e.organization.clone(),
                    e.handler.clone(),
                    e.mobile.clone().unwrap_or_default(),
                    e.certificate_serial.clone(),
                    e.subject.clone(),
                    local_minute(&e.not_after),
                    e.days_left.to_string(),
                    e.cert.to_string(),
                    e.holder.clone(),
                ]
            })
            .collect(),
    }
}

/// RFC 4180 CSV with a UTF-8 byte-order mark, so that spreadsheet programs on Windows read
/// the Chinese text right; CRLF line ends.
pub fn to_csv(t: &Table) -> Vec<u8> {
    fn cell(s: &str) -> String {
        // a leading = + - @ would be run as a formula by a spreadsheet: quote it as text
        let s = if s.starts_with(['=', '+', '-', '@']) && s.parse::<f64>().is_err() { format!("'{s}") } else { s.to_string() };
        if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
    }
    let mut out = String::from("\u{feff}");
    for row in std::iter::once(&t.header).chain(&t.rows) {
        out.push_str(&row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

impl Desk<'_> {
    /// The day's ledger (the counter's local day).
    pub fn daily(&self, day: NaiveDate) -> Result<DailyLedger, DeskError> {
        let mut ledger = daily(self.store, day)?;
        if ledger.close.is_none() {
            ledger.close_blocked = self.day_close_check(day)?.err();
        }
        Ok(ledger)
    }

    /// Certificates written to keys whose validity ends within `days` from now, soonest first.
    pub fn expiring(&self, days: i64) -> Result<Vec<Expiring>, DeskError> {
        expiring(self.store, Utc::now(), crate::limits::report_days(days)?)
    }
}

/// How a report is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    pub fn parse(name: &str) -> Result<ExportFormat, DeskError> {
        match name {
            "csv" => Ok(ExportFormat::Csv),
            "xlsx" => Ok(ExportFormat::Xlsx),
            other => Err(DeskError::UnknownValue { what: "export format", value: other.to_string(), known: "csv, xlsx".into() }),
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    pub fn bytes(self, table: &Table) -> Vec<u8> {
        match self {
            ExportFormat::Csv => to_csv(table),
            ExportFormat::Xlsx => crate::xlsx::workbook(std::slice::from_ref(table)),
        }
    }
}

/// Writes a report table into `out` (readable by this account only); its size.
pub fn write_table(table: &Table, format: ExportFormat, out: &Path) -> Result<usize, DeskError> {
    let bytes = format.bytes(table);
    certdesk_store::private::write(out, &bytes).map_err(crate::io("cannot write", out))?;
    Ok(bytes.len())
}

/// A report exported into the export folder.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Exported {
    #[ts(type = "string")]
    pub path: PathBuf,
    pub rows: usize,
}

impl Desk<'_> {
    /// Which report: the day's ledger (`arg`: the day), the certificates expiring (`arg`: days) or
    /// the invoice requests of the cases done that day (`arg`: the day, #73).
    pub fn export_report(&self, catalog: &certdesk_catalog::Catalog, env: &Environment, kind: &str, format: &str, arg: &str) -> Result<Exported, DeskError> {
        let format = ExportFormat::parse(format)?;
        let (table, name) = match kind {
            "daily" => {
                let day = crate::dates::parse_day(arg)?;
                (daily_table(&self.daily(day)?), crate::folders::daily_report(day, format.extension()))
            }
            "expiring" => {
                let days = crate::limits::report_days_text(arg)?;
                let list = self.expiring(days)?;
                (expiring_table(&list, days), crate::folders::expiring_report(days, crate::dates::today(), format.extension()))
            }
            "due" => {
                let day = crate::dates::parse_day(arg)?;
                (crate::due::due_table(&self.due_list(catalog, day)?), crate::folders::due_report(day, format.extension()))
            }
            "invoices" => {
                let day = crate::dates::parse_day(arg)?;
                (crate::invoices::invoice_table(catalog, &self.invoices(day)?), crate::folders::invoice_list(day, format.extension()))
            }
            other => return Err(DeskError::UnknownValue { what: "report", value: other.to_string(), known: "daily, expiring, invoices, due".into() }),
        };
        let path = self.folder(crate::folders::Folder::Exports, env)?.join(name);
        write_table(&table, format, &path)?;
        Ok(Exported { path, rows: table.rows.len() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use certdesk_domain::workflow::CertFacts;
    use serde_json::json;

    fn event(seq: i64, case: &str, action: AuditAction, detail: serde_json::Value) -> AuditEvent {
        AuditEvent {
            seq,
            at: format!("2026-11-22T0{}:00:00Z", seq % 10),
            actor: "li".into(),
            action: action.wire().into(),
            case_number: Some(case.into()),
            digest_before: None,
            digest_after: None,
            detail,
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn written(seq: i64, case: &str, cert: Option<u32>, serial: &str) -> AuditEvent {
        let mut d =
            json!({"token_serial": format!("T{seq}"), "key_id": "k", "certificate_serial": serial, "subject": "CN=x", "not_after": "2026-12-10T00:00:00Z", "verified": true});
        if let Some(k) = cert {
            d["cert"] = k.into();
        }
        event(seq, case, AuditAction::CertificateWritten, d)
    }

    fn fixture(name: &str) -> certdesk_domain::CaseData {
        let path = format!("{}/../../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        certdesk_domain::CaseData::from_json(&std::fs::read_to_string(path).expect("a fixture")).expect("a case")
    }

    fn record(number: &str, data: certdesk_domain::CaseData) -> CaseRecord {
        CaseRecord {
            number: certdesk_domain::CaseNumber::parse(number).expect("a number"),
            status: Status::Approved,
            data,
            digest: String::new(),
            created_at: String::new(),
            updated_at: String::new(),
            created_by: "zhang".into(),
            updated_by: "zhang".into(),
        }
    }

    fn cert(index: u32, holder: &str, written: bool, withdrawn: bool) -> CertFacts {
        CertFacts { index, holder: holder.into(), holder_id: None, written, withdrawn, round_started: written }
    }

    const A: &str = "GZ01-20261122-0001";
    const B: &str = "GZ01-20261122-0002";

    #[test]
    fn each_certificate_of_a_case_has_its_own_newest_write() {
        let writes = vec![written(1, A, Some(1), "01"), written(2, A, Some(2), "02"), written(3, A, Some(1), "03"), written(4, B, None, "04")];
        let got: Vec<((String, u32), String)> =
            current_writes(writes, &[]).into_iter().map(|(k, e)| (k, e.detail["certificate_serial"].as_str().unwrap_or("").to_string())).collect();
        // certificate 1 of A written twice (a retry): the newest; an untagged write is certificate 1
        assert_eq!(got, [((A.into(), 1), "03".into()), ((A.into(), 2), "02".into()), ((B.into(), 1), "04".into())]);
    }

    #[test]
    fn a_reissued_certificate_counts_only_its_write_since_the_reissue() {
        let reissue = |seq, cert: u32| event(seq, A, AuditAction::Reissue, json!({"reason": "Key损坏", "roles": ["supervisor"], "cert": cert}));
        // certificate 2 reissued after its write and not written again: its key is being
        // replaced; certificate 1 reissued and written again: the new write
        let writes = vec![written(1, A, Some(1), "01"), written(2, A, Some(2), "02"), written(5, A, Some(1), "05")];
        let got: Vec<(u32, String)> =
            current_writes(writes, &[reissue(3, 1), reissue(4, 2)]).into_iter().map(|((_, k), e)| (k, e.detail["certificate_serial"].as_str().unwrap_or("").to_string())).collect();
        assert_eq!(got, [(1, "05".into())]);
    }

    #[test]
    fn outcomes_name_the_key_the_certificate_and_who_withdrew_which_and_why() {
        let facts = CaseFacts { certs: vec![cert(1, "王芳", true, false), cert(2, "陈刚", false, false), cert(3, "李娜", false, true)], ..Default::default() };
        let history = vec![
            event(1, A, AuditAction::TokenInitialized, json!({"token_serial": "S1", "token_label": "A-1", "cert": 1, "holder": "王芳"})),
            event(2, A, AuditAction::CertWithdrawn, json!({"cert": 3, "holder": "李娜", "reason": "员工已离职", "roles": ["supervisor"]})),
            written(3, A, Some(1), "7F01"),
        ];
        let names = BTreeMap::from([("li".to_string(), "李复核".to_string())]);
        let got = cert_outcomes(&facts, &history, &names);
        assert_eq!(got.len(), 3);
        assert_eq!((got[0].written, got[0].key_serial.as_deref(), got[0].certificate_serial.as_deref()), (true, Some("S1"), Some("7F01")));
        assert_eq!((got[1].written, got[1].key_serial.as_deref(), &got[1].withdrawn), (false, None, &None));
        let w = got[2].withdrawn.clone().expect("withdrawn");
        assert_eq!((w.cert, w.holder.as_str(), w.reason.as_str(), w.by.as_str()), (3, "李娜", "员工已离职", "李复核"));
    }

    fn outcome(index: u32, holder: &str, written: bool, reason: Option<&str>) -> CertOutcome {
        CertOutcome {
            index,
            holder: holder.into(),
            holder_id: None,
            written,
            withdrawn: reason.map(|r| WithdrawnCert { cert: index, holder: holder.into(), reason: r.into(), by: "李复核".into(), at: String::new() }),
            key_serial: None,
            key_label: None,
            certificate_serial: None,
            not_after: None,
        }
    }

    #[test]
    fn the_ledger_keeps_the_fee_charged_and_shows_the_withdrawn_certificate() {
        let employees = record(A, fixture("case-employees-new.json"));
        let org = record(B, fixture("case-org-new.json"));
        let rows = [
            case_row(&employees, &[outcome(1, "王芳", true, None), outcome(2, "陈刚", false, Some("员工已离职"))]),
            case_row(&org, &[outcome(1, "广州市示例科技有限公司", true, None)]),
        ];
        assert_eq!((rows[0].certs, rows[0].written, rows[0].withdrawn.len()), (2, 1, 1));
        assert_eq!(rows[0].amount, employees.data.payment.as_ref().map(|p| p.amount).expect("paid"), "a withdrawal leaves the charge");
        assert_eq!(rows[0].applicant, "广东省示例事业单位");
        let by_business = grouped([("new".to_string(), &rows[0]), ("new".to_string(), &rows[1])].into_iter());
        assert_eq!(by_business.len(), 1);
        let new = &by_business[0];
        assert_eq!((new.cases, new.certs, new.written, new.withdrawn), (2, 3, 2, 1));
        assert_eq!(new.amount, rows[0].amount + rows[1].amount);

        let ledger = DailyLedger {
            date: NaiveDate::from_ymd_opt(2026, 11, 22).expect("a day"),
            cases: 2,
            total: new.amount,
            by_business: by_business.clone(),
            by_project: vec![],
            by_payment: vec![],
            by_clerk: vec![],
            by_status: vec![],
            keys_issued: 2,
            delivered: 0,
            invoices: vec![],
            certificates: 3,
            certificates_written: 2,
            certificates_withdrawn: 1,
            by_case: rows.to_vec(),
            close: None,
            close_blocked: None,
        };
        let t = daily_table(&ledger);
        assert_eq!(t.rows.last().map(|r| (r[0].as_str(), r[1].as_str())), Some((LEDGER_REFERENCE_ROW, NOT_CLOSED)), "a day not closed says so last");
        assert_eq!(t.header, ["分类", "项目", "件数", "金额（元）", "证书数", "已写入", "撤回（原因）"], "the old columns first, in their places");
        assert!(t.rows.iter().all(|r| r.len() == t.header.len()), "{:?}", t.rows);
        assert_eq!(t.rows[0], ["业务类型", "新申请", "2", &new.amount.to_string(), "3", "2", "1"]);
        assert!(t.rows.iter().any(|r| r[0] == "合计" && r[4] == "3" && r[5] == "2" && r[6] == "1"), "{:?}", t.rows);
        let case = t.rows.iter().find(|r| r[0] == "案件" && r[1].starts_with(A)).expect("the employee case's row");
        assert_eq!(case[1], format!("{A} 广东省示例事业单位（新申请）"));
        assert_eq!((case[3].as_str(), case[4].as_str(), case[5].as_str()), (rows[0].amount.to_string().as_str(), "2", "1"));
        assert_eq!(case[6], "第2张 陈刚：员工已离职（李复核）");
    }

    #[test]
    fn the_expiring_table_adds_the_certificate_and_its_holder_after_the_old_columns() {
        let e = Expiring {
            case: A.into(),
            organization: "广东省示例事业单位".into(),
            handler: "王芳".into(),
            mobile: Some("13711112222".into()),
            certificate_serial: "7F02".into(),
            subject: "CN=陈刚".into(),
            not_after: "2026-12-10T00:00:00Z".into(),
            days_left: 18,
            cert: 2,
            holder: "陈刚".into(),
        };
        let t = expiring_table(&[e], 30);
        assert_eq!(&t.header[..8], ["案件编号", "申请单位", "经办人", "经办人手机", "证书序列号", "证书主题", "到期时间", "剩余天数"]);
        assert_eq!(&t.header[8..], ["证书序号", "证书持有人"]);
        assert_eq!(&t.rows[0][8..], ["2", "陈刚"]);
    }
}
