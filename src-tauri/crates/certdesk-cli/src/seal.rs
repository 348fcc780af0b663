//! `certdesk seal import`: a loose scan judged without a case (the sheet's boxes or one
//! impression), the images written into a folder; nothing stored. Through the desk's `seal`.

use crate::context::Ctx;
use crate::output::CliError;
use std::path::Path;
use std::process::ExitCode;

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
