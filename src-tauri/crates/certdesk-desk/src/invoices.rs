//! The day's invoice requests (#73: "电子发票会在 CA 办理完成的当天开出，并发送至经办人的手机和
//! 邮箱"): every case done that day (its first 交付 or 归档 falls on it, so a case is on one day's
//! list only) that asks for an invoice, with its title, 税号, the 专票 fields, the amount and the
//! handler's mobile and e-mail, as the finance office's 开票 tool imports them (the columns are
//! the catalog's `_counter/invoice-export.toml`). Owns which cases are on the list and what each
//! field holds; the export is `report::write_table`.

use crate::DeskError;
use crate::api::Desk;
use crate::dates::day_bounds;
use crate::report::{ExportFormat, Table, write_table};
use certdesk_catalog::Catalog;
use certdesk_domain::{InvoiceType, Money};
use certdesk_store::{AuditAction, CaseRecord};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One case's invoice request.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct InvoiceRequest {
    pub case: String,
    pub project: String,
    /// `normal` | `special`
    pub kind: String,
    pub title: String,
    pub taxpayer_id: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub bank: Option<String>,
    pub account: Option<String>,
    pub amount: Money,
    /// the handler's mobile, else the invoice's phone
    pub mobile: Option<String>,
    /// the invoice's e-mail, else the handler's
    pub email: Option<String>,
    /// the day the case was done (YYYY-MM-DD)
    pub done: String,
}

impl InvoiceRequest {
    fn of(record: &CaseRecord, done: NaiveDate) -> Option<InvoiceRequest> {
        let i = record.data.invoice.as_ref()?;
        let h = &record.data.handler;
        Some(InvoiceRequest {
            case: record.number.to_string(),
            project: record.data.project.clone(),
            kind: i.kind.wire().to_string(),
            title: i.title.clone(),
            taxpayer_id: i.taxpayer_id.clone(),
            address: i.address.clone(),
            phone: i.phone.clone(),
            bank: i.bank.clone(),
            account: i.account.clone(),
            amount: record.data.payment.as_ref().map(|p| p.amount).unwrap_or(Money::ZERO),
            mobile: h.mobile.clone().or_else(|| i.phone.clone()),
            email: i.email.clone().or_else(|| h.email.clone()),
            done: done.to_string(),
        })
    }

    /// What fills column `field` (the catalog's names).
    fn field(&self, field: &str) -> String {
        let both = |a: &Option<String>, b: &Option<String>| [a.as_deref(), b.as_deref()].into_iter().flatten().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        match field {
            "case" => self.case.clone(),
            "project" => self.project.clone(),
            "kind" => if self.kind == InvoiceType::Special.wire() { "增值税专用发票" } else { "增值税普通发票" }.to_string(),
            "title" => self.title.clone(),
            "taxpayer_id" => text(&self.taxpayer_id),
            "address_phone" => both(&self.address, &self.phone),
            "bank_account" => both(&self.bank, &self.account),
            "address" => text(&self.address),
            "phone" => text(&self.phone),
            "bank" => text(&self.bank),
            "account" => text(&self.account),
            "amount" => self.amount.to_string(),
            "mobile" => text(&self.mobile),
            "email" => text(&self.email),
            "done" => self.done.clone(),
            _ => String::new(),
        }
    }
}

impl Desk<'_> {
    /// The invoice requests of the cases done on `day` (the counter's local day), in case order.
    pub fn invoices(&self, day: NaiveDate) -> Result<Vec<InvoiceRequest>, DeskError> {
        let (from, to) = day_bounds(day);
        let mut done: BTreeMap<String, ()> = BTreeMap::new();
        for action in [AuditAction::Deliver, AuditAction::Close] {
            for e in self.store.events_between(action, &from, &to)? {
                if let Some(n) = e.case_number {
                    done.insert(n, ());
                }
            }
        }
        let mut out = Vec::new();
        for number in done.keys() {
            let number = crate::api::case_number(number)?;
            // done before that day already (delivered, then closed today): on its own day's list
            let earlier = self.store.history(&number)?.iter().any(|e| matches!(e.action.as_str(), "deliver" | "close") && e.at < from);
            if earlier {
                continue;
            }
            let record = self.store.case(&number)?;
            if let Some(request) = InvoiceRequest::of(&record, day) {
                out.push(request);
            }
        }
        Ok(out)
    }
}

/// The list as the catalog's columns lay it out.
pub fn invoice_table(catalog: &Catalog, list: &[InvoiceRequest]) -> Table {
    let layout = catalog.invoice_export.clone().unwrap_or_else(|| certdesk_catalog::invoices::InvoiceExport {
        title: "开票清单".into(),
        columns: ["case", "kind", "title", "taxpayer_id", "amount", "mobile", "email"]
            .iter()
            .map(|f| certdesk_catalog::invoices::InvoiceColumn { header: (*f).into(), field: Some((*f).into()), value: None })
            .collect(),
    });
    Table {
        title: layout.title.clone(),
        header: layout.columns.iter().map(|c| c.header.clone()).collect(),
        rows: list.iter().map(|r| layout.columns.iter().map(|c| c.value.clone().unwrap_or_else(|| r.field(c.field.as_deref().unwrap_or_default()))).collect()).collect(),
    }
}

impl Desk<'_> {
    /// Writes the day's list into `out` (`.csv` or `.xlsx`, by its extension); the rows written.
    pub fn export_invoices(&self, catalog: &Catalog, day: NaiveDate, out: &Path) -> Result<usize, DeskError> {
        let ext = out.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
        let format = ExportFormat::parse(&ext)?;
        let list = self.invoices(day)?;
        write_table(&invoice_table(catalog, &list), format, out)?;
        Ok(list.len())
    }
}
