//! What the forms tests share: the fixture cases (the contract examples of `shared/examples/`
//! and the realistic cases of every project), loaded and normalised as of the fixtures' day, and
//! the input a counter prints a stored case with (number, clerk and supervisor, counter).
//! Each test binary uses part of it.
#![allow(dead_code)]

use certdesk_catalog::Catalog;
use certdesk_domain::CaseData;
use certdesk_forms::{CaseInput, Counter, Forms, Review};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures")
}

/// Every fixture case, sorted by file name.
pub fn fixtures() -> Vec<PathBuf> {
    let root = root();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("cases")).unwrap().flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect();
    files.push(root.join("case-org-new.json"));
    files.push(root.join("case-employees-new.json"));
    files.sort();
    files
}

pub fn forms() -> Forms {
    Forms::load(Catalog::embedded().unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

pub fn load_case(path: &Path) -> CaseData {
    let mut data = CaseData::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    data.validate_and_normalize(today());
    data
}

pub fn input<'a>(data: &'a CaseData, number: Option<&str>) -> CaseInput<'a> {
    CaseInput {
        data,
        number: number.map(str::to_string),
        digest: data.digest(),
        review: Review { clerk: Some("zhang".into()), supervisor: Some("li".into()), accepted_at: Some("2026-11-22T09:30:00+08:00".into()) },
        counter: Counter { code: "GZ01".into(), name: "广州受理点".into(), address: "广州市越秀区".into() },
        today: today(),
        seals: Default::default(),
        certs: None,
    }
}
