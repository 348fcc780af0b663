//! `certdesk seal import`: a loose scan judged without a case (the sheet's boxes or one
//! impression), the images written into a folder; nothing stored. `certdesk seal accept`: the
//! clerk's acceptance of a doubted impression of a case's sheet (#34). Through the desk's
//! `seal`; also the verdict as a script reads it (`verdict_json`, for `case seal` too).

use crate::ActAs;
use crate::context::Ctx;
use crate::output::{CliError, print_json};
use certdesk_desk::seal::Verdict;
use std::path::Path;
use std::process::ExitCode;

/// A case's seal verdict for `--json`: the screen copies are for the app; a script reads the
/// verdict.
pub fn verdict_json(verdict: &Verdict) -> serde_json::Value {
    let mut v = serde_json::to_value(verdict).unwrap_or_default();
    if let Some(m) = v.as_object_mut() {
        m.remove("scan_url");
        for s in m.get_mut("samples").and_then(|s| s.as_array_mut()).into_iter().flatten() {
            if let Some(o) = s.as_object_mut() {
                o.remove("image_url");
            }
        }
    }
    v
}

/// `seal accept CASE --row R --col C [--note TEXT]`.
pub fn accept(ctx: &Ctx, number: &str, row: usize, col: usize, note: Option<String>, by: &ActAs) -> Result<ExitCode, CliError> {
    let (mut store, mut session) = ctx.session("seal accept", by)?;
    let verdict = session.desk(&mut store)?.accept_seal_sample(number, row, col, note)?;
    if ctx.g.json {
        print_json(&verdict_json(&verdict));
        return Ok(ExitCode::SUCCESS);
    }
    let number = number.trim().to_ascii_uppercase();
    if let Some(s) = verdict.samples.iter().find(|s| s.row == row && s.col == col) {
        println!("{number}: row {row} column {col} accepted as its row's seal, overriding {}", s.defects.join(", "));
        for f in &s.findings {
            println!("  {}: {} = {} {} ({} {} {})", f.label, f.quantity, f.value, f.unit, f.op, f.limit, f.unit);
        }
        for u in &s.unchecked {
            println!("  未能检查 {}: {} = {} {} ({} {} {})", u.label, u.quantity, u.value, u.unit, u.op, u.limit, u.unit);
        }
    }
    for r in verdict.rows.iter().filter(|r| r.needs_restamp) {
        println!("row {} ({}): 没有合格的样本，请申请人重新盖章/签名", r.row, r.kind);
    }
    println!("stored with {number}: {}", verdict.stored.join(", "));
    Ok(ExitCode::SUCCESS)
}

pub fn import(ctx: &Ctx, scan: &Path, out: &Path, dpi: Option<f32>, single: bool) -> Result<ExitCode, CliError> {
    let report = certdesk_desk::seal::import_loose(scan, out, dpi, single)?;
    if ctx.g.json {
        println!("{}", report.to_json());
    } else {
        let wire = |v: &dyn erased::Wire| v.wire();
        for s in &report.samples {
            let size = s.diameter_mm.map(|d| format!(" ⌀{d:.1} mm")).or(s.side_mm.map(|d| format!(" {d:.1} mm"))).unwrap_or_default();
            let verdict = if s.empty {
                "空白".to_string()
            } else if s.defects.is_empty() {
                "合格".to_string()
            } else {
                s.defects.iter().map(|d| wire(d)).collect::<Vec<_>>().join(", ")
            };
            println!("row {} col {} {:<15}{size} score {:.2} {}{}", s.row, s.col, wire(&s.kind), s.score, verdict, if s.best { "  ← 选用" } else { "" });
            for u in &s.unchecked {
                println!("  未能检查 {}: {} = {:.2} {} ({} {} {})", wire(&u.label), u.quantity, u.value, wire(&u.unit), wire(&u.op), u.limit, wire(&u.unit));
            }
        }
        for r in &report.rows {
            if r.needs_restamp {
                println!("row {} ({}): 没有合格的样本，请申请人重新盖章/签名", r.row, wire(&r.kind));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

mod erased {
    //! The JSON name of a serialisable enum value, for human output.
    pub trait Wire {
        fn wire(&self) -> String;
    }
    impl<T: serde::Serialize> Wire for T {
        fn wire(&self) -> String {
            serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
        }
    }
}
