//! The rules of the labels `pale`, `broken`, `double` and `smudged`, and their limits. Owns the
//! rules' shape (which measure of `analyse`'s `metrics`, which side, `all`, `one_of` and `any`), the limits
//! as data in `thresholds.json` beside this file (each condition with its unit, the band its
//! label's definition allows and why), the one table of units per measure (`unit_of`), and the
//! reason a rule gives a label (`Rule::finding`: the alternative furthest past its limit).
//! Does not measure anything (`analyse`, `quantities`) and does not decide the labels fixed in
//! code (`empty`, `overlap_line`, `tilted`, `bg_not_white`, `text_under`, `off_color`).
//!
//! Issue 34: the rules read physical quantities with limits written from the labels'
//! definitions and checked on the tune split (`synth::Split::Tune`), never fitted on the
//! independent sets: `broken.seal` the border's continuity (`border_gap_mm`, `border_present`),
//! `broken.lost_side.square` a side whose frame is lost (`frame_inset_mm`, issue 76: past
//! `double.square`'s gate; not read over the box's line),
//! `double.round` the ink's echo with its valley (`double_echo`, `double_valley`) within a
//! second pressing's reach (`double_offset_mm`), or
//! `double.beyond` a faint copy's ring beyond the border (`ring_beyond`),
//! `double.square` a second frame line in the corner margins (`frame_second`) of a frame that starts
//! at the outline on every side (`frame_inset_mm`) and is a line, not a 阴文 face's field
//! (`frame_width_mm`), within a second pressing's reach (`frame_offset_mm`), `double.square.echo`
//! (issue 76) the same line through nearly the whole margin where the mask's echo stands at its
//! depth (`frame_echo_apart_mm`), `double.shifted_sides.square` (issue 76, read last as
//! `double.ring` is) opposite sides ending apart at both corners (`side_shift_mm`), on either shape `double.plateau.*` a trail that stands flat instead of
//! fading (`trail_rise`, the reason) along edges widened in one direction (`smear_q_mm` and
//! `smear_plain_mm`, gates), `double.sharp_foot.*` (v14, read only where `smudged.*` fires) what the smear rule would read where
//! the trail climbs slower than a drag of the definition (`trail_rise`, a gate) and ends in an
//! edge as sharp as the one that leads (`trail_foot`, the reason): a copy's shoulder,
//! `double.sharp_ends.*` (v14.1, likewise) where the trail climbs slower than an edge
//! (`trail_rise`, a gate), leads as sharply as the edges across (`lead_sharp`, a gate: a drag
//! at uniform pressure ramps its lead) and ends as sharply as it leads (`trail_foot`), `smudged.*` the
//! edges' spread by direction against the scanner's own, differenced in quadrature
//! (`smear_q_mm`), where the stroke widths agree and the plain difference stands clear of the
//! noise (`smear_agrees_mm`) and the ink's own edges, the scanner not taken off, differ too
//! (`smear_plain_mm`), without a dip half way along an echo that runs along the smear (`smear_valley`),
//! on a square only a 朱文 face (`paper_field`). `pale.*`
//! reads `absorbed` (issue 76): the share of the light the ink's cores absorb in linear light,
//! against the paper and the sheet's blackest print, one unit for every scanner and camera. `certdesk-fit-seal` (`src/bin/fit_seal.rs`) moves a limit
//! only inside its band and keeps it when the best value lies on a band edge.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::{Defect, Finding, Unit};

/// One condition: `measure op limit`, with `op` `<` or `>`, in the measure's `unit`; `band`
/// is the range the label's definition allows the limit (the fitter moves it only inside), and
/// `why` says where the limit comes from. A measure the sample does not have makes the
/// condition false.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cond {
    pub measure: String,
    pub op: Op,
    pub limit: f32,
    pub unit: Unit,
    pub band: [f32; 2],
    #[serde(default)]
    pub why: String,
}

impl Cond {
    /// A condition without a band of its own (the limit alone), for tests and tools.
    pub fn new(measure: &str, op: Op, limit: f32) -> Self {
        Cond { measure: measure.into(), op, limit, unit: unit_of(measure), band: [limit, limit], why: String::new() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    #[serde(rename = "<")]
    Below,
    #[serde(rename = ">")]
    Above,
}

/// A label fires when every condition of `all` holds, one condition of each group of `one_of`,
/// and, if `any` is not empty, one of `any`. The groups of `one_of` are gates with alternatives
/// (a measure that stands in for another where that one cannot say it); `any`'s alternatives
/// are the reasons.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    #[serde(default)]
    pub all: Vec<Cond>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub one_of: Vec<Vec<Cond>>,
    #[serde(default)]
    pub any: Vec<Cond>,
    /// A veto: the rule gives no label of its own; where it holds it refuses another rule's
    /// label (`analyse`'s `ShapeRules::fading`, `::unshared` and `::ends_sharp` name the three), and the sample
    /// names its measure as a check not made, in words of their own on the clerk's panel.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub veto: bool,
}

/// The rules by name: `pale.seal`, `pale.signature`, `broken.seal`, `broken.lost_side.square`, `double.round`,
/// `double.beyond` (round, its alternative), `double.square`, `double.square.echo` (its
/// alternative, issue 76), `double.shifted_sides.square` (read last, issue 76), `double.plateau.round`,
/// `double.plateau.square`, `double.sharp_foot.round`, `double.sharp_foot.square`,
/// `double.sharp_ends.round`, `double.sharp_ends.square`, `smudged.round`, `smudged.square`, `smudged.field.square`
/// (a 阴文 face's smear, issue 76); `smear.foot_fades`, which
/// gives no label but confirms a smear's direction (`smear_agrees_mm`); and three vetoes that give no label
/// (`"veto": true`), `trail.fading.square` (no `double.square` nor `double.square.echo`), `smear.unshared.square` (no smear, nor a copy read from
/// its trail) and `smear.sharp_ends` (no smear).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thresholds(pub BTreeMap<String, Rule>);

/// The thresholds this build was compiled with.
pub const THRESHOLDS_JSON: &str = include_str!("thresholds.json");

static THRESHOLDS: LazyLock<Thresholds> = LazyLock::new(|| Thresholds::parse(THRESHOLDS_JSON).unwrap_or_else(|e| panic!("src/thresholds.json: {e}")));

/// The compiled-in thresholds (checked by a unit test, so the parse cannot fail in a build that passed).
pub fn thresholds() -> &'static Thresholds {
    &THRESHOLDS
}

/// The value of measure `name` in a sample's measures, `None` where it was not read.
pub fn metric(metrics: &[(&'static str, f32)], name: &str) -> Option<f32> {
    metrics.iter().find(|m| m.0 == name).map(|m| m.1)
}

fn holds(c: &Cond, metrics: &[(&'static str, f32)]) -> bool {
    metric(metrics, &c.measure).is_some_and(|v| c.op.past(v, c.limit))
}

impl Op {
    /// The other side: what a measure that does not hold this condition is past.
    pub fn opposite(self) -> Op {
        match self {
            Op::Below => Op::Above,
            Op::Above => Op::Below,
        }
    }

    /// Whether `value` is past `limit` on this side (strictly).
    pub fn past(self, value: f32, limit: f32) -> bool {
        match self {
            Op::Below => value < limit,
            Op::Above => value > limit,
        }
    }

    /// How far `value` is past `limit`, relative to the limit: `(value − limit)/|limit|`, signed
    /// so that past is positive whichever side the limit bounds.
    pub fn excess(self, value: f32, limit: f32) -> f32 {
        let d = (value - limit) / limit.abs().max(1e-6);
        match self {
            Op::Below => -d,
            Op::Above => d,
        }
    }
}

/// The unit of each measure a rule or a fixed label reads (one table, so a finding's unit is
/// the measure's, whoever reports it). A measure not listed has no physical unit (`Level`).
pub fn unit_of(measure: &str) -> Unit {
    match measure {
        "ink_mm2" | "on_line_mm2" | "black_mm2" | "black_clear_mm2" => Unit::Mm2,
        "border_gap_mm"
        | "double_offset_mm"
        | "smear_mm"
        | "ramp_mm"
        | "ramp_max_mm"
        | "rect_rms"
        | "circle_rms"
        | "ring_mm"
        | "ring_h2_mm"
        | "ring_double_mm"
        | "blur_excess_mm"
        | "smear_agrees_mm"
        | "smear_q_mm"
        | "smear_plain_mm"
        | "stroke_mm"
        | "stroke_aniso_mm"
        | "scan_spread_mm"
        | "frame_offset_mm"
        | "frame_echo_apart_mm"
        | "frame_width_mm"
        | "frame_inset_mm"
        | "side_shift_mm"
        | "ring_beyond_mm" => Unit::Mm,
        "tilt" | "hue" | "noise_hue" | "stain_hue" | "double_deg" | "smear_deg" | "stroke_aniso_deg" | "ring_beyond_deg" => Unit::Deg,
        "core_od" => Unit::Od,
        "border_present" | "double_echo" | "double_valley" | "smear_valley" | "coverage" | "aspect" | "out_frac" | "stain" | "ink_fill" | "frame_second" | "smear_step"
        | "paper_field" | "ring_beyond" | "trail_rise" | "trail_foot" | "lead_sharp" | "frame_smear" | "disc_fill" | "absorbed" | "print_black" | "paper_stained" => Unit::Share,
        _ => Unit::Level,
    }
}

impl Rule {
    pub fn fires(&self, metrics: &[(&'static str, f32)]) -> bool {
        self.all.iter().all(|c| holds(c, metrics))
            && self.one_of.iter().all(|group| group.iter().any(|c| holds(c, metrics)))
            && (self.any.is_empty() || self.any.iter().any(|c| holds(c, metrics)))
    }

    /// Every condition of the rule: `all`, then `one_of`'s groups in order, then `any` (the
    /// order [`Rule::cond_mut`] counts in).
    pub fn conds(&self) -> impl Iterator<Item = &Cond> {
        self.all.iter().chain(self.one_of.iter().flatten()).chain(&self.any)
    }

    /// Condition `k` in [`Rule::conds`]' order.
    pub fn cond_mut(&mut self, k: usize) -> Option<&mut Cond> {
        self.all.iter_mut().chain(self.one_of.iter_mut().flatten()).chain(self.any.iter_mut()).nth(k)
    }

    /// The reason this rule gives `label` on these measures, `None` when it does not fire: the
    /// condition furthest past its limit among the alternatives of `any` (the conditions of
    /// `all` are then gates, not reasons), or among `all` when `any` is empty.
    pub fn finding(&self, label: Defect, metrics: &[(&'static str, f32)]) -> Option<Finding> {
        if !self.fires(metrics) {
            return None;
        }
        let reasons = if self.any.is_empty() { &self.all } else { &self.any };
        reasons
            .iter()
            .filter(|c| holds(c, metrics))
            .filter_map(|c| metric(metrics, &c.measure).map(|v| (c, v)))
            .max_by(|a, b| a.0.op.excess(a.1, a.0.limit).total_cmp(&b.0.op.excess(b.1, b.0.limit)))
            .map(|(c, value)| Finding { label, quantity: c.measure.clone(), value, limit: c.limit, unit: c.unit, op: c.op })
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

    /// The reason rule `name` gives `label`, `None` when it does not fire or is unknown.
    pub fn finding(&self, name: &str, label: Defect, metrics: &[(&'static str, f32)]) -> Option<Finding> {
        self.0.get(name).and_then(|r| r.finding(label, metrics))
    }

    /// The limit rule `name` puts on `measure` (its first condition on it, in
    /// [`Rule::conds`]' order), for a measure read elsewhere with the rule's own limit; `None`
    /// when the rule is unknown or does not read the measure.
    pub fn limit(&self, name: &str, measure: &str) -> Option<f32> {
        self.0.get(name)?.conds().find(|c| c.measure == measure).map(|c| c.limit)
    }

    /// Why rule `name` cannot fire on these measures because of its condition on `measure`:
    /// the measure as read, past the condition's limit on the other side, as a check for
    /// `label` not made; `None` when the condition holds, the measure is not read, or the rule
    /// has no condition on it.
    pub fn gate_shut(&self, name: &str, measure: &str, label: Defect, metrics: &[(&'static str, f32)]) -> Option<Finding> {
        let c = self.0.get(name)?.conds().find(|c| c.measure == measure)?;
        let value = metric(metrics, measure)?;
        (!c.op.past(value, c.limit)).then(|| Finding { label, quantity: c.measure.clone(), value, limit: c.limit, unit: c.unit, op: c.op.opposite() })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shut_gate_says_which_condition_and_how_far() {
        let t = Thresholds::parse(THRESHOLDS_JSON).expect("thresholds.json parses");
        let limit = t.limit("smudged.square", "paper_field").expect("limit");
        let f = t.gate_shut("smudged.square", "paper_field", Defect::Smudged, &[("paper_field", 0.2)]).expect("shut");
        assert_eq!((f.label, f.quantity.as_str(), f.value, f.limit, f.op, f.unit), (Defect::Smudged, "paper_field", 0.2, limit, Op::Below, Unit::Share));
        assert_eq!(t.gate_shut("smudged.square", "paper_field", Defect::Smudged, &[("paper_field", 0.9)]), None);
        assert_eq!(t.gate_shut("smudged.square", "paper_field", Defect::Smudged, &[]), None);
        assert_eq!(t.gate_shut("smudged.round", "paper_field", Defect::Smudged, &[("paper_field", 0.2)]), None);
    }

    #[test]
    fn compiled_thresholds_parse_and_name_every_rule() {
        let t = Thresholds::parse(THRESHOLDS_JSON).expect("thresholds.json parses");
        for name in [
            "pale.seal",
            "pale.signature",
            "broken.seal",
            "broken.lost_side.square",
            "double.round",
            "double.beyond",
            "double.ring",
            "double.square",
            "double.square.echo",
            "double.shifted_sides.square",
            "double.plateau.round",
            "double.plateau.square",
            "double.sharp_foot.round",
            "double.sharp_foot.square",
            "double.sharp_ends.round",
            "double.sharp_ends.square",
            "smudged.round",
            "smudged.square",
            "smudged.field.square",
            "trail.fading.square",
            "smear.unshared.square",
            "smear.foot_fades",
            "smear.sharp_ends",
        ] {
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
            for c in rule.conds() {
                assert!(measured.contains(c.measure.as_str()), "{name}: {} is not measured ({measured:?})", c.measure);
            }
        }
    }

    #[test]
    fn a_finding_names_the_alternative_furthest_past_its_limit() {
        let r = Rule {
            all: vec![Cond::new("coverage", Op::Above, 0.5)],
            one_of: vec![],
            any: vec![Cond::new("border_gap_mm", Op::Above, 2.0), Cond::new("border_present", Op::Below, 0.9)],
            veto: false,
        };
        // gap 2.5 mm is 25 % past 2.0; present 0.45 is 50 % past 0.9: the share is the reason.
        let f = r.finding(Defect::Broken, &[("coverage", 0.95), ("border_gap_mm", 2.5), ("border_present", 0.45)]).expect("fires");
        assert_eq!((f.quantity.as_str(), f.value, f.limit, f.unit, f.op), ("border_present", 0.45, 0.9, Unit::Share, Op::Below));
        let f = r.finding(Defect::Broken, &[("coverage", 0.95), ("border_gap_mm", 6.0), ("border_present", 0.85)]).expect("fires");
        assert_eq!((f.quantity.as_str(), f.unit), ("border_gap_mm", Unit::Mm));
        // A condition that does not hold is never the reason, however far its value is.
        let f = r.finding(Defect::Broken, &[("coverage", 0.95), ("border_gap_mm", 2.1), ("border_present", 0.95)]).expect("fires");
        assert_eq!(f.quantity, "border_gap_mm");
        assert_eq!(r.finding(Defect::Broken, &[("coverage", 0.4), ("border_gap_mm", 6.0)]), None);
        // Without alternatives the conditions of `all` are the reasons.
        let r = Rule { all: vec![Cond::new("double_echo", Op::Above, 0.1), Cond::new("double_valley", Op::Below, 0.8)], any: vec![], one_of: vec![], veto: false };
        let f = r.finding(Defect::Double, &[("double_echo", 0.3), ("double_valley", 0.7)]).expect("fires");
        assert_eq!(f.quantity, "double_echo");
    }

    #[test]
    fn a_cut_faces_smear_reads_the_edges_as_the_smear_rule_does() {
        // `smudged.field.square` repeats `smudged.square`'s edge conditions and the valley's
        // alternative (the format cannot name another rule's); the fitter copies them
        // (`fit_seal`'s SHARED), and an edit by hand must keep them the same too.
        let t = Thresholds::parse(THRESHOLDS_JSON).expect("thresholds.json parses");
        let (field, square) = (&t.0["smudged.field.square"], &t.0["smudged.square"]);
        let flat = |r: &Rule| r.one_of.iter().flatten().cloned().collect::<Vec<Cond>>();
        let mut shared: Vec<String> = vec![];
        for (copies, source) in [(&field.all, &square.all), (&flat(field), &flat(square)), (&field.any, &square.any)] {
            for c in copies.iter().filter(|c| c.measure != "paper_field") {
                if let Some(s) = source.iter().find(|s| s.measure == c.measure && s.op == c.op) {
                    assert_eq!((c.limit, c.band), (s.limit, s.band), "{}", c.measure);
                    shared.push(c.measure.clone());
                }
            }
        }
        assert_eq!(shared, ["smear_agrees_mm", "smear_plain_mm", "smear_valley", "trail_foot", "trail_foot", "smear_q_mm"]);
    }

    #[test]
    fn a_smears_fading_foot_is_the_vetos_no_copy() {
        // Where the smear rules let a fading foot stand in for the valley (or the field's rise),
        // "fading" is `trail.fading.square`'s limit: the foot under which no copy is read.
        let t = Thresholds::parse(THRESHOLDS_JSON).expect("thresholds.json parses");
        let veto = t.0["trail.fading.square"].all.iter().find(|c| c.measure == "trail_foot").expect("the veto's foot");
        let mut stand_ins = 0;
        for name in ["smudged.square", "smudged.field.square"] {
            for group in &t.0[name].one_of {
                let foot = group.iter().find(|c| c.measure == "trail_foot").expect("a foot in each group");
                assert_eq!((foot.op, foot.limit, foot.band), (veto.op, veto.limit, veto.band), "{name}");
                stand_ins += 1;
            }
        }
        assert_eq!(stand_ins, 3);
        // not on a round seal: the veto's limit was read on 法人章 doubles only, and a 公章's
        // print under the seal reads a fading foot (issue 76: O 038)
        assert!(t.0["smudged.round"].one_of.is_empty());
        // and a 阴文 face's plateau reads a copy only where the foot is past it the other way
        let plateau = t.0["double.plateau.square"].one_of.iter().flatten().find(|c| c.measure == "trail_foot").expect("the plateau's foot");
        assert_eq!((plateau.op, plateau.limit, plateau.band), (veto.op.opposite(), veto.limit, veto.band));
    }

    #[test]
    fn a_side_that_lost_its_frame_is_broken_where_no_copy_is_looked_for() {
        // `broken.lost_side.square` reads a lost side where `double.square` stops looking for a
        // second frame line: the same limit and band on `frame_inset_mm`, the other side.
        let t = Thresholds::parse(THRESHOLDS_JSON).expect("thresholds.json parses");
        let gate = t.0["double.square"].all.iter().find(|c| c.measure == "frame_inset_mm").expect("double.square's gate");
        let rule = &t.0["broken.lost_side.square"];
        let [lost] = rule.any.as_slice() else { panic!("one reason: {rule:?}") };
        assert!(rule.all.is_empty() && rule.one_of.is_empty() && !rule.veto);
        assert_eq!((lost.measure.as_str(), lost.op, lost.limit, lost.band, lost.unit), ("frame_inset_mm", gate.op.opposite(), gate.limit, gate.band, gate.unit));
        assert!(rule.fires(&[("frame_inset_mm", 1.1)]) && !rule.fires(&[("frame_inset_mm", 0.2)]));
        // a round seal has no frame band: its border alone says
        assert!(!rule.fires(&[("border_gap_mm", 1.0), ("border_present", 0.95)]));
    }

    #[test]
    fn one_of_needs_one_condition_of_each_group() {
        let r = Rule {
            all: vec![Cond::new("smear_q_mm", Op::Above, 0.3)],
            one_of: vec![
                vec![Cond::new("smear_valley", Op::Above, 0.5), Cond::new("trail_foot", Op::Below, 0.5)],
                vec![Cond::new("trail_rise", Op::Above, 0.18), Cond::new("trail_foot", Op::Below, 0.5)],
            ],
            any: vec![],
            veto: false,
        };
        assert!(r.fires(&[("smear_q_mm", 0.4), ("smear_valley", 0.9), ("trail_rise", 0.3)]));
        assert!(r.fires(&[("smear_q_mm", 0.4), ("trail_foot", 0.3)]), "the foot stands in for both");
        assert!(!r.fires(&[("smear_q_mm", 0.4), ("smear_valley", 0.9), ("trail_foot", 0.6)]), "no rise, and the foot does not fade");
        assert!(!r.fires(&[("smear_q_mm", 0.2), ("trail_foot", 0.3)]), "all still gates");
        // the reason is still `all`'s (no `any`), never a group's alternative
        assert_eq!(r.finding(Defect::Smudged, &[("smear_q_mm", 0.4), ("trail_foot", 0.1)]).map(|f| f.quantity), Some("smear_q_mm".to_string()));
    }

    #[test]
    fn every_limit_lies_in_its_band_with_its_measures_unit_and_a_reason() {
        let t = Thresholds::parse(THRESHOLDS_JSON).expect("thresholds.json parses");
        for (name, rule) in &t.0 {
            for c in rule.conds() {
                assert!(c.band[0] < c.band[1] && c.band[0] <= c.limit && c.limit <= c.band[1], "{name}: {} limit {} outside its band {:?}", c.measure, c.limit, c.band);
                assert_eq!(c.unit, unit_of(&c.measure), "{name}: {} is in {:?}, the measures' table says {:?}", c.measure, c.unit, unit_of(&c.measure));
                assert!(!c.why.is_empty(), "{name}: {} has no reason", c.measure);
            }
        }
    }

    #[test]
    fn every_measure_a_rule_names_has_a_row_in_the_readme() {
        let readme = include_str!("../README.md");
        let t = Thresholds::parse(THRESHOLDS_JSON).expect("thresholds.json parses");
        for (name, rule) in &t.0 {
            for c in rule.conds() {
                assert!(readme.contains(&format!("`{}`", c.measure)), "{name}: {} is not in the README's table", c.measure);
            }
        }
    }

    #[test]
    fn rule_needs_all_and_one_of_any() {
        let r = Rule { all: vec![Cond::new("coverage", Op::Above, 0.9)], any: vec![Cond::new("a", Op::Above, 1.0), Cond::new("b", Op::Below, 0.0)], one_of: vec![], veto: false };
        assert!(r.fires(&[("coverage", 0.95), ("a", 2.0)]));
        assert!(r.fires(&[("coverage", 0.95), ("b", -1.0)]));
        assert!(!r.fires(&[("coverage", 0.95), ("a", 0.5), ("b", 1.0)]));
        assert!(!r.fires(&[("coverage", 0.85), ("a", 2.0)]));
        // A measure the sample lacks holds no condition.
        assert!(!r.fires(&[("a", 2.0)]));
    }
}
