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
use certdesk_seal::thresholds::{Cond, Rule, Thresholds, metric, thresholds};
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
        "broken.lost_side.square" => (Defect::Broken, square),
        "double.round" | "double.beyond" | "double.ring" | "double.plateau.round" | "double.sharp_foot.round" | "double.sharp_ends.round" => (Defect::Double, round),
        "double.square" | "double.square.echo" | "double.shifted_sides.square" | "double.plateau.square" | "double.sharp_foot.square" | "double.sharp_ends.square" => {
            (Defect::Double, square)
        }
        "smudged.round" => (Defect::Smudged, round),
        "smudged.square" | "smudged.field.square" => (Defect::Smudged, square),
        _ => return None,
    })
}

/// Rules that repeat another rule's conditions: (the rule, the rule it copies). A condition of
/// the first on a measure and side the second also reads, in the same place (`all`, `one_of`,
/// `any`; a `one_of` or `any` alternative may copy the second's gate in `all`, on either side), is the second's, not
/// fitted on its own: its limit and band are copied from the second once that is fitted, so a
/// refit cannot move the two apart. Its `why` stays its own (the role it has in its rule).
/// `smudged.field.square` reads a 阴文 face's smear with `smudged.square`'s edge conditions;
/// the smear rules' fading foot, which stands in for the valley, is `trail.fading.square`'s
/// "no copy", and a 阴文 face's plateau reads a copy on the other side of it; `broken.lost_side.square`
/// reads a side that lost its frame on the other side of `double.square`'s gate on where the
/// frame's band starts; `double.square.echo` looks for the second line where `double.square`
/// does (the rules' format has no way to name another rule's condition).
const SHARED: &[(&str, &str)] = &[
    ("smudged.field.square", "smudged.square"),
    ("smudged.square", "trail.fading.square"),
    ("double.plateau.square", "trail.fading.square"),
    ("broken.lost_side.square", "double.square"),
    ("double.square.echo", "double.square"),
];

/// Where a rule holds its condition `k` (in `Rule::conds`' order).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    All,
    OneOf,
    Any,
}

fn place(rule: &Rule, k: usize) -> Place {
    let one_of = rule.one_of.iter().map(Vec::len).sum::<usize>();
    if k < rule.all.len() {
        Place::All
    } else if k < rule.all.len() + one_of {
        Place::OneOf
    } else {
        Place::Any
    }
}

/// The condition of `source` that condition `k` of `rule` copies, if any (see [`SHARED`]).
fn source_of<'a>(source: &'a Rule, rule: &Rule, k: usize) -> Option<&'a Cond> {
    let c = rule.conds().nth(k)?;
    let at = place(rule, k);
    let same = |s: &&Cond| s.measure == c.measure && s.op == c.op;
    let placed = |p: Place| source.conds().enumerate().filter(move |(j, _)| place(source, *j) == p).map(|(_, s)| s);
    // a gate the source holds in `all` may be copied on either side, as a gate's alternative or
    // as a reason: the other side of a gate's limit is where what it sets aside is read
    let measure = |s: &&Cond| s.measure == c.measure;
    placed(at).find(same).or_else(|| matches!(at, Place::OneOf | Place::Any).then(|| placed(Place::All).find(measure)).flatten())
}

/// The rules `name` copies, fitted ones only.
fn sources_of<'a>(fitted: &'a Thresholds, name: &'a str) -> impl Iterator<Item = &'a Rule> {
    SHARED.iter().filter(move |(copy, _)| *copy == name).filter_map(|(_, source)| fitted.0.get(*source))
}

/// Whether condition `k` of rule `name` (in `Rule::conds`' order) is another rule's ([`SHARED`]).
fn shared(fitted: &Thresholds, name: &str, rule: &Rule, k: usize) -> bool {
    sources_of(fitted, name).any(|source| source_of(source, rule, k).is_some())
}

/// Copies each [`SHARED`] rule's shared conditions' limits and bands from the rule it copies,
/// sources first.
fn copy_shared(fitted: &mut Thresholds) {
    for name in fitting_order(fitted) {
        let mut rule = fitted.0[&name].clone();
        for k in 0..rule.conds().count() {
            let Some(s) = sources_of(fitted, &name).find_map(|source| source_of(source, &rule, k)).cloned() else { continue };
            if let Some(c) = rule.cond_mut(k) {
                (c.limit, c.band) = (s.limit, s.band);
            }
        }
        fitted.0.insert(name, rule);
    }
}

/// The rules' names in the order they are fitted: a rule after every rule it copies.
fn fitting_order(fitted: &Thresholds) -> Vec<String> {
    fn depth(name: &str) -> usize {
        SHARED.iter().filter(|(copy, _)| *copy == name).map(|(_, source)| 1 + depth(source)).max().unwrap_or(0)
    }
    let mut names: Vec<String> = fitted.0.keys().cloned().collect();
    names.sort_by_key(|n| depth(n));
    names
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
    let c = rule.conds().nth(k).cloned()?;
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
        if let Some(c) = rule.cond_mut(k) {
            c.limit = v;
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
    for name in &fitting_order(&fitted) {
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
            for k in 0..rule.conds().count() {
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
    use certdesk_seal::thresholds::Op;

    #[test]
    fn a_copied_condition_follows_its_source_and_is_not_fitted_on_its_own() {
        let rule = |all: Vec<Cond>, one_of: Vec<Vec<Cond>>| Rule { all, one_of, any: vec![], veto: false };
        let foot = |limit| Cond::new("trail_foot", Op::Below, limit);
        let mut t = Thresholds(
            [
                ("trail.fading.square".to_string(), rule(vec![foot(0.45)], vec![])),
                ("smudged.square".to_string(), rule(vec![Cond::new("smear_q_mm", Op::Above, 0.3)], vec![vec![Cond::new("smear_valley", Op::Above, 0.6), foot(0.5)]])),
                (
                    "smudged.field.square".to_string(),
                    rule(
                        vec![Cond::new("smear_q_mm", Op::Above, 0.25), Cond::new("frame_smear", Op::Above, 0.5), foot(0.75)],
                        vec![vec![Cond::new("smear_valley", Op::Above, 0.5), foot(0.5)], vec![Cond::new("trail_rise", Op::Above, 0.18), foot(0.5)]],
                    ),
                ),
            ]
            .into(),
        );
        let field = t.0["smudged.field.square"].clone();
        let copied: Vec<bool> = (0..field.conds().count()).map(|k| shared(&t, "smudged.field.square", &field, k)).collect();
        // smear_q_mm, frame_smear, the foot that fades (a gate the source does not have in
        // `all`), then the valley and its foot, the rise and its foot
        assert_eq!(copied, [true, false, false, true, true, false, true]);
        let square = t.0["smudged.square"].clone();
        assert_eq!((0..3).map(|k| shared(&t, "smudged.square", &square, k)).collect::<Vec<_>>(), [false, false, true], "the veto's foot only");
        assert!(!shared(&t, "trail.fading.square", &t.0["trail.fading.square"].clone(), 0), "the source is fitted itself");
        copy_shared(&mut t);
        let limits = |t: &Thresholds, name: &str| t.0[name].conds().map(|c| c.limit).collect::<Vec<f32>>();
        // the veto's 0.45 reaches the square rule and, through it, the field rule's alternatives
        assert_eq!(limits(&t, "smudged.square"), [0.3, 0.6, 0.45]);
        assert_eq!(limits(&t, "smudged.field.square"), [0.3, 0.5, 0.75, 0.6, 0.45, 0.18, 0.45]);
        // the other side of the veto's limit, as a plateau's alternative
        t.0.insert(
            "double.plateau.square".into(),
            rule(vec![Cond::new("trail_rise", Op::Below, 0.07)], vec![vec![Cond::new("paper_field", Op::Above, 0.5), Cond::new("trail_foot", Op::Above, 0.5)]]),
        );
        let plateau = t.0["double.plateau.square"].clone();
        assert_eq!((0..3).map(|k| shared(&t, "double.plateau.square", &plateau, k)).collect::<Vec<_>>(), [false, false, true]);
        copy_shared(&mut t);
        assert_eq!(limits(&t, "double.plateau.square"), [0.07, 0.5, 0.45]);
        // a reason on the other side of a gate: a side whose frame's band starts deep is broken
        let inset = |op, limit| Cond::new("frame_inset_mm", op, limit);
        t.0.insert("double.square".into(), rule(vec![inset(Op::Below, 0.6), Cond::new("frame_width_mm", Op::Below, 2.2)], vec![]));
        t.0.insert("broken.lost_side.square".into(), Rule { all: vec![], one_of: vec![], any: vec![inset(Op::Above, 0.5)], veto: false });
        let lost = t.0["broken.lost_side.square"].clone();
        assert!(shared(&t, "broken.lost_side.square", &lost, 0));
        copy_shared(&mut t);
        assert_eq!(limits(&t, "broken.lost_side.square"), [0.6]);
        let order = fitting_order(&t);
        assert!(order.iter().position(|n| n == "double.square") < order.iter().position(|n| n == "broken.lost_side.square"));
        assert!(order.iter().position(|n| n == "smudged.square") < order.iter().position(|n| n == "smudged.field.square"));
        assert!(order.iter().position(|n| n == "trail.fading.square") < order.iter().position(|n| n == "smudged.square"));
    }
}
