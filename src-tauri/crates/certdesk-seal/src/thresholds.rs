//! The fitted part of the verdicts. Owns the rules that turn a sample's measures (the
//! `metrics` of `analyse`: ink density, ring thickness, edge ramps, outline fits) into the
//! labels `pale`, `broken`, `double` and `smudged`, and their threshold values, which live as
//! data in `thresholds.json` beside this file. The rules' shape (which measure, which side) is
//! written by hand; the values are fitted on the tune split by `certdesk-fit-seal`
//! (`src/bin/fit_seal.rs`), never on the held-out split.
//!
//! Issue 34 (in progress): `broken.seal` and `double.round` now read the physical quantities
//! of `quantities` (`border_gap_mm`, `border_present`; `double_echo`, `double_valley`) with
//! limits written from the labels' definitions (the design's §2.3, §2.6), checked on the tune
//! split, not fitted. Units and bands in the file and the fitter's bands are not done yet.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// One condition: `measure op value`, with `op` `<` or `>`. A measure the sample does not have
/// makes the condition false.
pub type Cond = (String, Op, f32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    #[serde(rename = "<")]
    Below,
    #[serde(rename = ">")]
    Above,
}

/// A label fires when every condition of `all` holds and, if `any` is not empty, one of `any`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    #[serde(default)]
    pub all: Vec<Cond>,
    #[serde(default)]
    pub any: Vec<Cond>,
}

/// The rules by name: `pale.seal`, `pale.signature`, `broken.seal`, `double.round`,
/// `double.square`, `smudged.round`, `smudged.square`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thresholds(pub BTreeMap<String, Rule>);

/// The thresholds this build was compiled with.
pub const THRESHOLDS_JSON: &str = include_str!("thresholds.json");

static THRESHOLDS: LazyLock<Thresholds> = LazyLock::new(|| Thresholds::parse(THRESHOLDS_JSON).unwrap_or_else(|e| panic!("src/thresholds.json: {e}")));

/// The compiled-in thresholds (checked by a unit test, so the parse cannot fail in a build that passed).
pub fn thresholds() -> &'static Thresholds {
    &THRESHOLDS
}

fn holds(c: &Cond, metrics: &[(&'static str, f32)]) -> bool {
    metrics.iter().find(|m| m.0 == c.0).is_some_and(|m| match c.1 {
        Op::Below => m.1 < c.2,
        Op::Above => m.1 > c.2,
    })
}

impl Rule {
    pub fn fires(&self, metrics: &[(&'static str, f32)]) -> bool {
        self.all.iter().all(|c| holds(c, metrics)) && (self.any.is_empty() || self.any.iter().any(|c| holds(c, metrics)))
    }
}

impl Thresholds {
    pub fn parse(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// Whether rule `name` fires on these measures; an unknown rule never fires.
    pub fn fires(&self, name: &str, metrics: &[(&'static str, f32)]) -> bool {
        self.0.get(name).is_some_and(|r| r.fires(metrics))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_thresholds_parse_and_name_every_rule() {
        let t = Thresholds::parse(THRESHOLDS_JSON).expect("thresholds.json parses");
        for name in ["pale.seal", "pale.signature", "broken.seal", "double.round", "double.square", "smudged.round", "smudged.square"] {
            assert!(t.0.contains_key(name), "{name} missing");
        }
    }

    #[test]
    fn every_measure_a_rule_names_is_one_the_importer_measures() {
        // A rule on a measure nobody pushes never fires: a typo in thresholds.json would
        // silently switch a label off.
        let sheet = crate::synth::generate(&crate::synth::SynthOptions { seed: 31, dpi: 150.0, ..Default::default() });
        let report = crate::import_sheet(&sheet.bytes, &crate::ImportOptions::default()).expect("import");
        let measured: std::collections::BTreeSet<&str> = report.samples.iter().flat_map(|s| s.metrics.iter().map(|m| m.0)).collect();
        let t = Thresholds::parse(THRESHOLDS_JSON).expect("thresholds.json parses");
        for (name, rule) in &t.0 {
            for c in rule.all.iter().chain(&rule.any) {
                assert!(measured.contains(c.0.as_str()), "{name}: {} is not measured ({measured:?})", c.0);
            }
        }
    }

    #[test]
    fn rule_needs_all_and_one_of_any() {
        let r = Rule { all: vec![("coverage".into(), Op::Above, 0.9)], any: vec![("a".into(), Op::Above, 1.0), ("b".into(), Op::Below, 0.0)] };
        assert!(r.fires(&[("coverage", 0.95), ("a", 2.0)]));
        assert!(r.fires(&[("coverage", 0.95), ("b", -1.0)]));
        assert!(!r.fires(&[("coverage", 0.95), ("a", 0.5), ("b", 1.0)]));
        assert!(!r.fires(&[("coverage", 0.85), ("a", 2.0)]));
        // A measure the sample lacks holds no condition.
        assert!(!r.fires(&[("a", 2.0)]));
    }
}
