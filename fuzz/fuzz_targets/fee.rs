//! Fuzz target for the fee computation: any project, business type, kind, medium, years and
//! quantity (as `certdesk fee` and the intake screen send them) against the embedded catalog.
//! An error is fine; a panic, or a total outside ±10^10 yuan, is a finding.

#![no_main]

use certdesk_catalog::{Catalog, FeeRequest};
use certdesk_domain::{BusinessType, CertKind, Medium};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static CATALOG: OnceLock<Catalog> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    if data.len() < 12 {
        return;
    }
    let catalog = CATALOG.get_or_init(|| Catalog::embedded().expect("the embedded catalog"));
    let pick = |i: usize, n: usize| data[i] as usize % n.max(1);
    let projects: Vec<_> = catalog.projects.values().collect();
    let project = projects[pick(0, projects.len())];
    let years = u32::from_le_bytes([data[4], data[5], data[6], data[7]]);
    let quantity = u32::from_le_bytes([data[8], data[9], data[10], data[11]]);
    let req = FeeRequest {
        business: BusinessType::ALL[pick(1, BusinessType::ALL.len())],
        cert_kind: CertKind::ALL[pick(2, CertKind::ALL.len())],
        medium: Medium::ALL[pick(3, Medium::ALL.len())],
        years: if years.is_multiple_of(7) { None } else { Some(years) },
        quantity,
    };
    if let Ok(quote) = project.fee(&req) {
        assert!(quote.total.in_range(), "{req:?}: {}", quote.total);
        let _ = quote.total.to_capital();
    }
});
