//! Fuzz target for the seal importer's decoder path: arbitrary bytes go through the same entry
//! points as `certdesk seal import` (sheet) and `certdesk seal import --single`, with the
//! default options, so the pixel-budget check made on the header, the decoder limits, the dpi
//! read from file metadata and the whole analysis all see the input. Any result is fine; a
//! panic, an abort or a runaway allocation is a finding.

#![no_main]

use certdesk_seal::{ImportOptions, import_sheet, import_single};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = ImportOptions::default();
    if let Ok(report) = import_sheet(data, &opts) {
        // The JSON of the output contract must serialise whatever was measured.
        let _ = report.to_json();
    }
    if let Ok(report) = import_single(data, &opts) {
        let _ = report.to_json();
    }
});
