//! `certdesk-fit-seal`: fits the threshold values of `src/thresholds.json` on the tune split
//! (`synth::Split::Tune`, never the held-out one). Imports every sheet of the split, keeps each
//! sample's measures and its truth, then for each rule moves one threshold at a time to the
//! value that scores best on that rule's label (F1, less twice any shortfall of precision below
//! 0.9: a false "stamp again" costs more than a missed defect), three passes. Ties are broken by
//! the middle of the best plateau, so a threshold sits between the classes, not on a sample.
//! The rules' shape (measures, sides) is kept; only the values move, and only inside each
//! condition's band (issue 34): a value that scores best on a band's edge is reported as a
//! measure that does not separate the set and the limit is kept. A rule that repeats another
//! rule's conditions (`SHARED`) is fitted after it and takes those conditions from it.
//!
//! Usage: `certdesk-fit-seal [--sheets N] [--write PATH] [--dump PATH]` (prints the fitted JSON
//! without `--write`; `--dump` writes every sample's measures and truth, one line each).

use certdesk_seal::synth::{self, Split};
use certdesk_seal::thresholds::{Rule, Thresholds, metric, thresholds};
use certdesk_seal::{Defect, ImportOptions, SampleKind, import_sheet};

/// One judged sample of the tune split with its truth.
struct Obs {
    kind: SampleKind,
    dpi: f32,
    metrics: Vec<(&'static str, f32)>,
    truth: Vec<Defect>,
}

/// Which samples a rule is fitted on.
type Applies = fn(&Obs) -> bool;

/// The label a rule decides and the samples it applies to.
fn scope(name: &str) -> Option<(Defect, Applies)> {
    // A seal whose outline was read (its border's coverage measured), by shape.
    let seal_shape = |o: &Obs| o.kind.is_seal() && metric(&o.metrics, "coverage").is_some();
    let round = |o: &Obs| o.kind == SampleKind::OfficialSeal && metric(&o.metrics, "coverage").is_some();
    let square = |o: &Obs| o.kind == SampleKind::LegalRepSeal && metric(&o.metrics, "coverage").is_some();
    Some(match name {
        "pale.seal" => (Defect::Pale, seal_shape),
        "pale.signature" => (Defect::Pale, |o: &Obs| o.kind == SampleKind::Signature),
        "broken.seal" => (Defect::Broken, seal_shape),
        "double.round" | "double.beyond" | "double.ring" | "double.plateau.round" | "double.sharp_foot.round" | "double.sharp_ends.round" => (Defect::Double, round),
        "double.square" | "double.plateau.square" | "double.sharp_foot.square" | "double.sharp_ends.square" => (Defect::Double, square),
        "smudged.round" => (Defect::Smudged, round),
        "smudged.square" | "smudged.field.square" => (Defect::Smudged, square),
        _ => return None,
    })
}

/// Rules that repeat another rule's conditions: (the rule, the rule it copies). A condition of
/// the first on a measure and side the second also reads is the second's, not fitted on its
/// own: it is copied from the second once that is fitted, so a refit cannot move the two apart
/// (`smudged.field.square` reads a 阴文 face's smear with `smudged.square`'s four edge
/// conditions; the rules' format has no way to name another rule's condition).
const SHARED: &[(&str, &str)] = &[("smudged.field.square", "smudged.square")];

/// Whether condition `k` of rule `name` (all first, then any) is another rule's ([`SHARED`]).
fn shared(fitted: &Thresholds, name: &str, rule: &Rule, k: usize) -> bool {
    let c = if k < rule.all.len() { &rule.all[k] } else { &rule.any[k - rule.all.len()] };
    SHARED
        .iter()
        .filter(|(copy, _)| *copy == name)
        .filter_map(|(_, source)| fitted.0.get(*source))
        .any(|source| source.all.iter().chain(&source.any).any(|s| s.measure == c.measure && s.op == c.op))
}

/// Copies each [`SHARED`] rule's shared conditions from the rule it copies.
fn copy_shared(fitted: &mut Thresholds) {
    for (copy, source) in SHARED {
        let Some(source) = fitted.0.get(*source).cloned() else { continue };
        let Some(rule) = fitted.0.get_mut(*copy) else { continue };
        for c in rule.all.iter_mut().chain(rule.any.iter_mut()) {
            if let Some(s) = source.all.iter().chain(&source.any).find(|s| s.measure == c.measure && s.op == c.op) {
                c.clone_from(s);
            }
        }
    }
}

/// (true positives, false positives, false negatives) of a rule on the samples.
fn count(rule: &Rule, label: Defect, obs: &[&Obs]) -> (usize, usize, usize) {
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for o in obs {
        match (rule.fires(&o.metrics), o.truth.contains(&label)) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fn_ += 1,
            _ => {}
        }
    }
    (tp, fp, fn_)
}

fn objective((tp, fp, fn_): (usize, usize, usize)) -> f32 {
    if tp + fp + fn_ == 0 {
        return 1.0;
    }
    let f1 = 2.0 * tp as f32 / (2 * tp + fp + fn_) as f32;
    let precision = if tp + fp == 0 { 1.0 } else { tp as f32 / (tp + fp) as f32 };
    f1 - 2.0 * (0.9 - precision).max(0.0)
}

/// Moves condition `k` of the rule (all first, then any) to its best value inside its band
/// (issue 34, design §3.3). Returns the condition's measure when the best value lies on an edge
/// of the band: the measure does not separate the set there, and the limit is left as it was.
fn fit_one(rule: &mut Rule, k: usize, label: Defect, obs: &[&Obs]) -> Option<String> {
    let cond = |rule: &Rule| if k < rule.all.len() { rule.all[k].clone() } else { rule.any[k - rule.all.len()].clone() };
    let c = cond(rule);
    let feature = c.measure.clone();
    let mut values: Vec<f32> = obs.iter().filter_map(|o| metric(&o.metrics, &feature)).filter(|v| v.is_finite()).collect();
    values.sort_by(f32::total_cmp);
    values.dedup();
    if values.len() < 2 {
        return None;
    }
    let [lo, hi] = c.band;
    let mut cands: Vec<f32> = values.windows(2).map(|w| 0.5 * (w[0] + w[1])).filter(|v| (lo..=hi).contains(v)).collect();
    cands.insert(0, lo);
    cands.push(hi);
    cands.sort_by(f32::total_cmp);
    cands.dedup();
    let set = |rule: &mut Rule, v: f32| {
        if k < rule.all.len() {
            rule.all[k].limit = v;
        } else {
            let j = k - rule.all.len();
            rule.any[j].limit = v;
        }
    };
    let scores: Vec<f32> = cands
        .iter()
        .map(|&v| {
            set(rule, v);
            objective(count(rule, label, obs))
        })
        .collect();
    let best = scores.iter().cloned().fold(f32::MIN, f32::max);
    // The middle of the first plateau of best scores.
    let start = scores.iter().position(|&s| s >= best - 1e-6).unwrap_or(0);
    let end = scores[start..].iter().position(|&s| s < best - 1e-6).map_or(scores.len(), |e| start + e);
    let v = cands[(start + end - 1) / 2];
    if lo < hi && (v <= lo || v >= hi) {
        set(rule, c.limit);
        return Some(feature);
    }
    set(rule, v);
    None
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut sheets = 80usize;
    let mut write: Option<String> = None;
    let mut dump: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--sheets" => {
                i += 1;
                sheets = args.get(i).and_then(|s| s.parse().ok()).unwrap_or(sheets);
            }
            "--dump" => {
                i += 1;
                dump = args.get(i).cloned();
            }
            "--write" => {
                i += 1;
                write = args.get(i).cloned();
            }
            a => {
                eprintln!("unknown argument {a}; usage: certdesk-fit-seal [--sheets N] [--write PATH]");
                std::process::exit(2);
            }
        }
        i += 1;
    }
    let mut obs = Vec::new();
    for k in 0..sheets {
        let so = Split::Tune.sheet(k);
        let sheet = synth::generate(&so);
        let Ok(report) = import_sheet(&sheet.bytes, &ImportOptions::default()) else {
            eprintln!("tune sheet {k}: import failed");
            continue;
        };
        for t in sheet.truth.iter().filter(|t| !t.empty) {
            if let Some(s) = report.samples.iter().find(|s| s.row == t.row && s.col == t.col && !s.empty) {
                obs.push(Obs { kind: s.kind, dpi: so.dpi, metrics: s.metrics.clone(), truth: t.defects.clone() });
            }
        }
    }
    eprintln!("{} samples from {sheets} tune sheets", obs.len());
    if let Some(p) = dump {
        // One line per sample: kind, dpi, truth labels, then measure=value pairs.
        let lines: Vec<String> = obs
            .iter()
            .map(|o| {
                let truth: Vec<&str> = o.truth.iter().map(|d| d.as_str()).collect();
                let m: Vec<String> = o.metrics.iter().map(|m| format!("{}={}", m.0, m.1)).collect();
                format!("{:?}\t{}\t{}\t{}", o.kind, o.dpi, truth.join(","), m.join(" "))
            })
            .collect();
        let _ = std::fs::write(&p, lines.join("\n") + "\n");
    }
    let mut fitted = thresholds().clone();
    // A rule that copies another's conditions is fitted after it, on the copied values.
    let (copies, sources): (Vec<String>, Vec<String>) = fitted.0.keys().cloned().partition(|n| SHARED.iter().any(|(copy, _)| copy == n));
    for name in sources.iter().chain(&copies) {
        copy_shared(&mut fitted);
        let Some((label, applies)) = scope(name) else {
            eprintln!("{name}: no scope known, left as it is");
            continue;
        };
        let mut rule = fitted.0[name].clone();
        let sel: Vec<&Obs> = obs.iter().filter(|o| applies(o)).collect();
        let before = count(&rule, label, &sel);
        let mut on_edge = std::collections::BTreeSet::new();
        for _ in 0..3 {
            for k in 0..rule.all.len() + rule.any.len() {
                if shared(&fitted, name, &rule, k) {
                    continue;
                }
                if let Some(m) = fit_one(&mut rule, k, label, &sel) {
                    on_edge.insert(m);
                }
            }
        }
        for m in &on_edge {
            eprintln!("{name}: {m} scores best on an edge of its band: it does not separate this set; its limit is kept");
        }
        let after = count(&rule, label, &sel);
        eprintln!("{name:<15} {} samples: (tp, fp, fn) {before:?} -> {after:?}", sel.len());
        fitted.0.insert(name.clone(), rule);
    }
    let json = fitted.to_json();
    match write {
        Some(p) => {
            if let Err(e) = std::fs::write(&p, &json) {
                eprintln!("cannot write {p}: {e}");
                std::process::exit(1);
            }
            eprintln!("written to {p}");
        }
        None => print!("{json}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use certdesk_seal::thresholds::{Cond, Op};

    #[test]
    fn a_copied_condition_follows_its_source_and_is_not_fitted_on_its_own() {
        let rule = |conds: Vec<Cond>| Rule { all: conds, any: vec![], veto: false };
        let mut t = Thresholds(
            [
                ("smudged.square".to_string(), rule(vec![Cond::new("smear_valley", Op::Above, 0.6)])),
                ("smudged.field.square".to_string(), rule(vec![Cond::new("smear_valley", Op::Above, 0.5), Cond::new("frame_smear", Op::Above, 0.5)])),
            ]
            .into(),
        );
        let field = t.0["smudged.field.square"].clone();
        assert!(shared(&t, "smudged.field.square", &field, 0), "the source's condition");
        assert!(!shared(&t, "smudged.field.square", &field, 1), "the rule's own condition");
        assert!(!shared(&t, "smudged.square", &t.0["smudged.square"].clone(), 0), "the source is fitted itself");
        copy_shared(&mut t);
        let field = &t.0["smudged.field.square"];
        assert_eq!(field.all[0].limit, 0.6);
        assert_eq!(field.all[1].limit, 0.5);
    }
}
