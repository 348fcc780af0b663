//! The counter's reports: the daily ledger (cases by business type and project, fees by
//! payment method, per clerk, keys issued, keys handed over) and the certificates expiring in
//! the next days with the handler's phone, as data and as tables for CSV / XLSX export.
//! Days are the counter's local days. Cancelled cases count nowhere. Also a report's export:
//! CSV or XLSX, into a file the command line names or the export folder under the report's
//! name (`folders`).

use crate::DeskError;
use crate::api::Desk;
use crate::dates::day_bounds;
use crate::place::Environment;
use certdesk_domain::{Money, Status};
use certdesk_store::{AuditAction, Store};
use chrono::{DateTime, Local, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct LedgerRow {
    pub key: String,
    pub cases: usize,
    pub amount: Money,
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
    pub keys_issued: usize,
    pub delivered: usize,
    /// The invoices the day's cases asked for (seed 002 发票), one row per case.
    pub invoices: Vec<InvoiceRow>,
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

fn grouped(rows: impl Iterator<Item = (String, Money)>) -> Vec<LedgerRow> {
    let mut map: BTreeMap<String, (usize, Money)> = BTreeMap::new();
    for (key, amount) in rows {
        let e = map.entry(key).or_insert((0, Money::from_fen(0)));
        e.0 += 1;
        e.1 = e.1 + amount;
    }
    map.into_iter().map(|(key, (cases, amount))| LedgerRow { key, cases, amount }).collect()
}

fn daily(store: &Store, date: NaiveDate) -> Result<DailyLedger, DeskError> {
    let (from, to) = day_bounds(date);
    let cases: Vec<_> = store.cases_created_between(&from, &to)?.into_iter().filter(|c| c.status != Status::Cancelled).collect();
    let amount = |c: &certdesk_store::CaseRecord| c.data.payment.as_ref().map(|p| p.amount).unwrap_or(Money::from_fen(0));
    let method = |c: &certdesk_store::CaseRecord| c.data.payment.as_ref().map(|p| p.method.wire().to_string()).unwrap_or_else(|| "unpaid".into());
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
    let clerk = |c: &certdesk_store::CaseRecord| names.get(&c.created_by).cloned().unwrap_or_else(|| c.created_by.clone());
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
        by_business: grouped(cases.iter().map(|c| (c.data.business.wire().to_string(), amount(c)))),
        by_project: grouped(cases.iter().map(|c| (c.data.project.clone(), amount(c)))),
        by_payment: grouped(cases.iter().map(|c| (method(c), amount(c)))),
        by_clerk: grouped(cases.iter().map(|c| (clerk(c), amount(c)))),
        keys_issued,
        delivered,
        invoices,
    })
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Expiring {
    pub case: String,
    pub organization: String,
    pub handler: String,
    pub mobile: Option<String>,
    pub certificate_serial: String,
    pub subject: String,
    pub not_after: String,
    pub days_left: i64,
}

/// Certificates written to keys whose validity ends within `days` from `now` (and has not
/// ended yet), soonest first; the newest certificate of a case counts.
fn expiring(store: &Store, now: DateTime<Utc>, days: i64) -> Result<Vec<Expiring>, DeskError> {
    let epoch = "0000-01-01T00:00:00Z";
    let far = "9999-12-31T23:59:59Z";
    let mut newest: BTreeMap<String, certdesk_store::AuditEvent> = BTreeMap::new();
    for e in store.events_between(AuditAction::CertificateWritten, epoch, far)? {
        if let Some(n) = e.case_number.clone() {
            newest.insert(n, e);
        }
    }
    let until = now + chrono::Duration::days(days);
    let mut out = Vec::new();
    for (number, e) in newest {
        // events written before every field was recorded say too little to list
        let Ok(written) = serde_json::from_value::<certdesk_store::detail::CertificateWritten>(e.detail) else { continue };
        let not_after = written.not_after;
        let Ok(end) = DateTime::parse_from_rfc3339(&not_after).map(|t| t.with_timezone(&Utc)) else { continue };
        if end < now || end > until {
            continue;
        }
        let Ok(parsed) = certdesk_domain::CaseNumber::parse(&number) else { continue };
        let rec = store.case(&parsed)?;
        if matches!(rec.status, Status::Cancelled) {
            continue;
        }
        out.push(Expiring {
            case: number,
            organization: rec.data.organization.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
            handler: rec.data.handler.name.clone(),
            mobile: rec.data.handler.mobile.clone(),
            certificate_serial: written.certificate_serial,
            subject: written.subject,
            days_left: (end - now).num_days(),
            not_after,
        });
    }
    out.sort_by(|a, b| a.not_after.cmp(&b.not_after));
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

fn zh_payment(wire: &str) -> String {
    certdesk_domain::PaymentMethod::from_wire(wire).map(|b| b.zh().to_string()).unwrap_or_else(|| if wire == "unpaid" { "未收费".into() } else { wire.to_string() })
}

pub fn daily_table(l: &DailyLedger) -> Table {
    let mut rows = Vec::new();
    let mut section = |name: &str, list: &[LedgerRow], label: &dyn Fn(&str) -> String| {
        for r in list {
            rows.push(vec![name.to_string(), label(&r.key), r.cases.to_string(), r.amount.to_string()]);
        }
    };
    section("业务类型", &l.by_business, &zh_business);
    section("CA项目", &l.by_project, &|k: &str| k.to_string());
    section("收费方式", &l.by_payment, &zh_payment);
    section("受理员", &l.by_clerk, &|k: &str| k.to_string());
    rows.push(vec!["合计".into(), "".into(), l.cases.to_string(), l.total.to_string()]);
    rows.push(vec!["制证".into(), "写入证书的USB Key".into(), l.keys_issued.to_string(), "".into()]);
    rows.push(vec!["交付".into(), "已交付".into(), l.delivered.to_string(), "".into()]);
    for i in &l.invoices {
        let kind = certdesk_domain::InvoiceType::from_wire(&i.kind).map(|k| k.zh()).unwrap_or("发票");
        let taxpayer = i.taxpayer_id.as_deref().map(|t| format!(" 纳税人识别号 {t}")).unwrap_or_default();
        rows.push(vec![format!("发票（{}）", i.case), format!("{}：{}{taxpayer}", kind, i.title), "1".into(), i.amount.to_string()]);
    }
    Table { title: format!("受理日报 {}", l.date), header: vec!["分类".into(), "项目".into(), "件数".into(), "金额（元）".into()], rows }
}

pub fn expiring_table(list: &[Expiring], days: i64) -> Table {
    Table {
        title: format!("{days}天内到期的证书"),
        header: ["案件编号", "申请单位", "经办人", "经办人手机", "证书序列号", "证书主题", "到期时间", "剩余天数"].map(String::from).to_vec(),
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
        daily(self.store, day)
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

/// Which report: the day's ledger (`arg`: the day) or the certificates expiring (`arg`: days).
pub fn export(desk: &Desk<'_>, env: &Environment, kind: &str, format: &str, arg: &str) -> Result<Exported, DeskError> {
    let format = ExportFormat::parse(format)?;
    let (table, name) = match kind {
        "daily" => {
            let day = crate::dates::parse_day(arg)?;
            (daily_table(&desk.daily(day)?), crate::folders::daily_report(day, format.extension()))
        }
        "expiring" => {
            let days = crate::limits::report_days_text(arg)?;
            let list = desk.expiring(days)?;
            (expiring_table(&list, days), crate::folders::expiring_report(days, crate::dates::today(), format.extension()))
        }
        other => return Err(DeskError::UnknownValue { what: "report", value: other.to_string(), known: "daily, expiring".into() }),
    };
    let path = crate::folders::folder(desk, crate::folders::Folder::Exports, env)?.join(name);
    write_table(&table, format, &path)?;
    Ok(Exported { path, rows: table.rows.len() })
}
