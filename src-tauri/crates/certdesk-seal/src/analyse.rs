//! Judgement of one box. Owns the per-box paper white balance, the ink measures (redness: `R − G`
//! faded out towards violet, for seals; darkness for signatures) with a per-box threshold at
//! half the ink level, the ink mask (hysteresis on luma for JPEG-washed red, black print under a seal filled
//! only where it bridges seal strokes, box lines and specks removed), the shape fits (circle or
//! rectangle: size, tilt, ring coverage), the measures behind the labels (ink density, ring
//! thickness, edge ramps by direction, also against the sheet's other seals), the labels
//! (the fitted ones through the rules of `thresholds`), the score, and the cleaned RGBA image
//! resampled to the output resolution.

use std::cell::OnceCell;

use image::{GrayImage, RgbImage, Rgba, RgbaImage};

use crate::morph::{Comp, Components, close, dilate, runs};
use crate::page::{Frame, paper_colour};
use crate::quantities::{
    Echo, EdgeProfiles, Outline, Strokes, border_continuity, double_echo, edge_profiles, edge_spreads, frame_echo, frame_smear, lead_sharp, outer_size, paper_field, ring_beyond,
    sector_medians, sector_of, smear, stroke_widths, trail_foot, trail_rise,
};
use crate::thresholds::{Op, metric, thresholds};
use crate::{Defect, Finding, Sample, SampleKind, SamplePixels};
use certdesk_seal_wide::wide_when_available;

/// A sample's labels with their reasons, pushed together: every label gets exactly one
/// [`Finding`] (when two checks give the same label, the one furthest past its limit).
#[derive(Debug, Default)]
pub(crate) struct Labels {
    defects: Vec<Defect>,
    findings: Vec<Finding>,
    unchecked: Vec<Finding>,
}

impl Labels {
    /// Applies rule `name` of the thresholds file; whether it fired.
    fn rule(&mut self, label: Defect, name: &str, metrics: &[(&'static str, f32)]) -> bool {
        match thresholds().finding(name, label, metrics) {
            Some(f) => {
                self.push(f);
                true
            }
            None => false,
        }
    }

    /// A label decided in code (not in the thresholds file): `value op limit` gives it.
    fn check(&mut self, label: Defect, quantity: &'static str, value: f32, op: Op, limit: f32) -> bool {
        let fired = op.past(value, limit);
        if fired {
            self.found(label, quantity, value, op, limit);
        }
        fired
    }

    /// A label the caller decided (for `≥` limits), with the quantity and limit that decided it.
    fn found(&mut self, label: Defect, quantity: &'static str, value: f32, op: Op, limit: f32) {
        self.push(Finding::new(label, quantity, value, op, limit));
    }

    fn push(&mut self, f: Finding) {
        match self.findings.iter_mut().find(|g| g.label == f.label) {
            Some(g) => {
                if f.op.excess(f.value, f.limit) > g.op.excess(g.value, g.limit) {
                    *g = f;
                }
            }
            None => {
                self.defects.push(f.label);
                self.findings.push(f);
            }
        }
    }

    /// A check for `label` that was not made: `quantity` is past the `limit` within which it is read.
    fn not_checked(&mut self, label: Defect, quantity: &'static str, value: f32, op: Op, limit: f32) {
        self.not_read(Finding::new(label, quantity, value, op, limit));
    }

    /// A check that was not made, for the reason a rule's finding gives (a veto's).
    fn not_read(&mut self, reason: Finding) {
        self.unchecked.push(reason);
    }

    /// Whether the check for `label` is already recorded as not made.
    fn is_unread(&self, label: Defect) -> bool {
        self.unchecked.iter().any(|u| u.label == label)
    }

    fn contains(&self, label: Defect) -> bool {
        self.defects.contains(&label)
    }

    /// Takes back labels (and their findings) that a later measure shows could not be read.
    fn withdraw(&mut self, labels: &[Defect]) {
        self.defects.retain(|d| !labels.contains(d));
        self.findings.retain(|f| !labels.contains(&f.label));
        self.unchecked.retain(|u| !labels.contains(&u.label));
    }

    /// The labels that apply to `kind`, sorted, their findings in the same order, and the
    /// checks for those labels that were not made.
    fn finish(mut self, kind: SampleKind) -> (Vec<Defect>, Vec<Finding>, Vec<Finding>) {
        self.defects.retain(|d| d.applies_to(kind));
        self.defects.sort();
        let findings = self.defects.iter().filter_map(|d| self.findings.iter().find(|f| f.label == *d).cloned()).collect();
        self.unchecked.retain(|u| u.label.applies_to(kind));
        (self.defects, findings, self.unchecked)
    }
}

/// Interior of a ruled box in page-frame pixels and the width of its four lines
/// (top, right, bottom, left).
#[derive(Debug, Clone, Copy)]
pub(crate) struct BoxGeom {
    pub u0: f32,
    pub v0: f32,
    pub u1: f32,
    pub v1: f32,
    pub line_w: [f32; 4],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Round,
    Square,
    Dark,
    Empty,
}

/// Measures of one box before the row's kind is known.
pub(crate) struct BoxFeatures {
    geom: BoxGeom,
    x0: u32,
    y0: u32,
    w: usize,
    h: usize,
    /// Balanced R, G and B planes of the crop.
    rgb: [Vec<u8>; 3],
    red: Vec<u8>,
    dark: Vec<u8>,
    /// 2 inside the box, 1 on or next to a line, 3 just beyond a line (1.5 mm, not at the
    /// corners), 0 further out.
    region: Vec<u8>,
    paper_raw: [f32; 3],
    ppmm: f32,
    pub class: Class,
    seal: Option<(InkMask, Shape)>,
    /// The share of the paper's light the sheet's blackest print, or the deepest channel of
    /// anything on it, absorbs (linear light, `page::sheet_black`): the scanner's own black,
    /// against which an ink's absorption is read (`absorbed`). 1 where the file has no print to
    /// read it from (a single impression).
    pub black: f32,
}

struct InkMask {
    mask: Vec<u8>,
    p_ink: f32,
    area: usize,
    /// The set pixels' indices, found on first use: the shape fit, the density, the judge and
    /// the rendering each walk them.
    indices: OnceCell<Vec<usize>>,
}

impl InkMask {
    fn new(mask: Vec<u8>, p_ink: f32) -> Self {
        let area = mask.iter().filter(|&&m| m != 0).count();
        InkMask { mask, p_ink, area, indices: OnceCell::new() }
    }

    /// [`ink_indices`] of the mask, whose rows are `w` (the box's width) long.
    fn indices(&self, w: usize) -> &[usize] {
        self.indices.get_or_init(|| ink_indices(&self.mask, w))
    }
}

#[derive(Debug, Clone, Copy)]
struct Shape {
    round: bool,
    cu: f32,
    cv: f32,
    r: f32,
    rect_angle: f32,
    rect_wu: f32,
    rect_wv: f32,
    circle_rms: f32,
    rect_rms: f32,
    /// Fraction of angular bins whose outer radius is well outside the fitted circle.
    out_frac: f32,
}

#[wide_when_available]
pub(crate) fn features(img: &RgbImage, frame: Frame, g: &BoxGeom, dpi: f32, whole: bool) -> BoxFeatures {
    let ppmm = dpi / 25.4;
    let m = if whole { 0.0 } else { 4.0 * ppmm };
    let (mut xmin, mut ymin, mut xmax, mut ymax) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for (u, v) in [(g.u0 - m, g.v0 - m), (g.u1 + m, g.v0 - m), (g.u0 - m, g.v1 + m), (g.u1 + m, g.v1 + m)] {
        let (x, y) = frame.to_scan(u, v);
        xmin = xmin.min(x);
        ymin = ymin.min(y);
        xmax = xmax.max(x);
        ymax = ymax.max(y);
    }
    let x0 = xmin.floor().max(0.0) as u32;
    let y0 = ymin.floor().max(0.0) as u32;
    let x1 = (xmax.ceil() as u32).min(img.width());
    let y1 = (ymax.ceil() as u32).min(img.height());
    let (w, h) = ((x1 - x0) as usize, (y1 - y0) as usize);
    // Paper of the box interior (shrunk so the lines do not vote).
    let (ix0, iy0) = frame.to_scan(g.u0, g.v0);
    let (ix1, iy1) = frame.to_scan(g.u1, g.v1);
    let (px0, px1) = (ix0.min(ix1).max(0.0) as u32, (ix0.max(ix1) as u32).min(img.width()));
    let (py0, py1) = (iy0.min(iy1).max(0.0) as u32, (iy0.max(iy1) as u32).min(img.height()));
    let paper = if px1 > px0 + 4 && py1 > py0 + 4 { paper_colour(img, px0, py0, px1, py1, 2) } else { paper_colour(img, x0, y0, x1, y1, 2) };
    let lut = balance_lut(paper);
    let lw = g.line_w.iter().cloned().fold(0.0f32, f32::max);
    let n = w * h;
    // Grown a row at a time, each row set just before it is written: zeroing the whole box up
    // front went out to memory and back.
    let mut rgb: [Vec<u8>; 3] = std::array::from_fn(|_| Vec::with_capacity(n));
    let mut red = Vec::with_capacity(n);
    let mut dark = Vec::with_capacity(n);
    let mut region = Vec::with_capacity(n);
    let (near_line, beyond) = (-(lw + 1.0), -(lw + 1.0 + 1.5 * ppmm));
    let raw = img.as_raw();
    let iw = img.width() as usize;
    for yy in 0..h {
        let start = ((y0 as usize + yy) * iw + x0 as usize) * 3;
        let src = &raw[start..start + 3 * w];
        let o = yy * w..(yy + 1) * w;
        for plane in rgb.iter_mut().chain([&mut red, &mut dark]) {
            plane.resize(o.end, 0);
        }
        region.resize(o.end, 2);
        let [pr, pg, pb] = &mut rgb;
        let (pr, pg, pb) = (&mut pr[o.clone()], &mut pg[o.clone()], &mut pb[o.clone()]);
        // The balance is a table lookup per channel; the measures that follow read the planes
        // in a loop the compiler vectorises.
        for (p, ((r, g), b)) in src.chunks_exact(3).zip(pr.iter_mut().zip(pg.iter_mut()).zip(pb.iter_mut())) {
            (*r, *g, *b) = (lut[0][p[0] as usize], lut[1][p[1] as usize], lut[2][p[2] as usize]);
        }
        ink_measures([pr, pg, pb], &mut red[o.clone()], &mut dark[o.clone()]);
        if whole {
            continue;
        }
        // Page-frame position moves by (c, -s) per scan pixel along the row.
        let (ur, vr) = frame.to_page(x0 as f32 + 0.5, (y0 as usize + yy) as f32 + 0.5);
        // An i32 counter and plain comparisons (f32::min is NaN-aware, several instructions)
        // keep this loop vectorisable.
        for (k, reg) in (0..w as i32).zip(&mut region[o]) {
            let (u, v) = (ur + k as f32 * frame.c, vr - k as f32 * frame.s);
            let ds = [u - g.u0, g.u1 - u, v - g.v0, g.v1 - v];
            let d = fmin(fmin(ds[0], ds[1]), fmin(ds[2], ds[3]));
            // Exactly one side closer than 2 px: beside the line, not at a corner.
            let inside = (ds[0] >= 2.0) as u8 + (ds[1] >= 2.0) as u8 + (ds[2] >= 2.0) as u8 + (ds[3] >= 2.0) as u8;
            // d ≥ 1 implies d > near_line, which implies d > beyond: 2, 1, 3 or 0 as selects.
            let (inner, on_line, outer) = (d >= 1.0, d > near_line, (d > beyond) & (inside == 3));
            *reg = if on_line { 1 + u8::from(inner) } else { 3 * u8::from(outer) };
        }
    }
    let mut f = BoxFeatures { geom: *g, x0, y0, w, h, rgb, red, dark, region, paper_raw: paper, ppmm, class: Class::Empty, seal: None, black: 1.0 };
    // Red pixels less the paper's own: on the balanced paper a scanner's noise moves R − G as
    // far toward green as toward red, so the pixels at least as green (G − R ≥ 35) count the
    // red ones noise alone makes; seal ink has no green counterpart (issue 34: a signature row
    // on paper with σ ≈ 18 levels passed 4 mm² of "red" and was judged as seals).
    let (mut red_px, mut green_px, mut dark_px) = (0u32, 0u32, 0u32);
    for ((((&reg, &r), &d), &cr), &cg) in f.region.iter().zip(&f.red).zip(&f.dark).zip(&f.rgb[0]).zip(&f.rgb[1]) {
        // Non-short-circuit `&` keeps the loop free of branches.
        let (inside, reddish) = (reg == 2, r >= SEAL_RED);
        red_px += u32::from(inside & reddish);
        green_px += u32::from(inside & greenish(cr, cg));
        dark_px += u32::from(inside & !reddish & (d >= 80) & (4 * u16::from(r) < u16::from(d)));
    }
    let red_px = red_px.saturating_sub(green_px);
    let mm2 = ppmm * ppmm;
    if red_px as f32 >= SEAL_RED_MM2 * mm2 && red_px as f32 >= 0.5 * dark_px as f32 {
        let ink = seal_mask(&f, frame);
        if ink.area as f32 >= 3.0 * mm2 {
            let shape = fit_shape(&f, ink.indices(f.w), frame);
            // Size first (公章 38–42 mm, 法人章 15–25 mm), the shape fit in between.
            let extent_mm = shape.rect_wu.max(shape.rect_wv) / ppmm;
            let round = if extent_mm >= 32.0 {
                true
            } else if extent_mm <= 27.0 {
                false
            } else {
                shape.round
            };
            // Red filling more of its disc than any pressing (`only_a_stain`: a stain, a
            // highlighter's stroke) is no seal's vote; where the box holds a name's dark ink
            // too, it votes for a signature (issue 76, maker W's 037: a signature over a pink
            // highlighter made its row a 公章 row).
            let patch = round && disc_fill(ink.area, shape.r) > MOST_DISC_FILL;
            f.class = if patch && dark_px as f32 >= LEAST_NAME_MM2 * mm2 {
                Class::Dark
            } else if round {
                Class::Round
            } else {
                Class::Square
            };
            f.seal = Some((ink, shape));
        }
    } else if dark_px as f32 >= LEAST_NAME_MM2 * mm2 {
        f.class = Class::Dark;
    }
    f
}

/// The dark ink (mm²) a box holds to vote its row a signature row: a name's strokes, 0.4 mm
/// wide and 20 mm long at the least. Less is the form's own print inside the box's crop (a
/// caption under it, 签章2: about 3 mm², which made maker I's row of one 公章 and two empty
/// boxes a signature row and its seal unread, issue 76).
const LEAST_NAME_MM2: f32 = 8.0;

/// The redness (balanced R − G) from which a pixel counts as red, and the red a box holds
/// (mm², less the pixels as far toward green: the paper's noise) to be read as a seal.
const SEAL_RED: u8 = 35;
const SEAL_RED_MM2: f32 = 4.0;

/// Whether a balanced pixel stands as far toward green as red ink toward red (G − R ≥
/// `SEAL_RED`): ink has no such counterpart, the paper's noise does, as often as it reads red.
#[inline]
fn greenish(r: u8, g: u8) -> bool {
    u16::from(g) >= u16::from(r) + u16::from(SEAL_RED)
}

/// Per-channel white balance to the paper as lookup tables: `v · 255 / paper`, saturated.
fn balance_lut(paper: [f32; 3]) -> [[u8; 256]; 3] {
    let mut lut = [[0u8; 256]; 3];
    for (c, t) in lut.iter_mut().enumerate() {
        let gain = 255.0 / paper[c].max(1.0);
        for (v, e) in t.iter_mut().enumerate() {
            *e = (v as f32 * gain).min(255.0) as u8;
        }
    }
    lut
}

/// Where a stain lies under the box's paper: the paper's level in blocks of 2 mm (the median
/// of the paper pixels, off the ink's mask and inside the box), in the balanced green plane and
/// in the darkness, where a block's paper stands more than `STAINED` levels under the clean
/// paper's. A tea
/// stain or a highlighter that fills the box lowers the paper's level, not its noise; and the
/// ink's edges over it step up from the stain, not from white (issue 76: X-heldout 004 r2c1,
/// 010 r2c2, 023 r0c2, smeared seals in tea-stained boxes whose smear was never read: the
/// stain stood for 33–40 levels of noise, and the profiles' 10 % crossing, read from white,
/// lay under the stain's own darkness). Clean paper reads as before.
struct Stains {
    /// The crop's width, the blocks' side and how many blocks make a row.
    w: usize,
    block: usize,
    cols: usize,
    /// The share of the box's open paper (blocks that are mostly paper) under a stain.
    share: f32,
    /// Per block: where the block is stained, the paper's median level in the green plane
    /// (raised by the clean paper's distance from 255) and in the darkness (above the clean
    /// paper's); `CLEAN` where it is not; a neighbour's where it has too little paper to read;
    /// empty where no stain is read.
    levels: Vec<Option<(u8, u8)>>,
}

/// How far under the clean paper's level (levels of 255) a block's paper stands before it is
/// read as stained: a recycled stock's cloud moves a block's median by 1–4.
const STAINED: u8 = 8;
/// A clean block's levels: white paper, no darkness.
const CLEAN: (u8, u8) = (255, 0);

impl Stains {
    fn read(f: &BoxFeatures, mask: &[u8]) -> Stains {
        let block = ((2.0 * f.ppmm).round() as usize).max(8);
        let (cols, rows) = (f.w.div_ceil(block), f.h.div_ceil(block));
        // Each block that is mostly open paper: its paper's median green and darkness and how
        // many pixels it has. Paper between a seal's strokes carries their blur: only a block
        // that is mostly open paper says what the paper's level is.
        let medians: Vec<Option<(u8, u8, usize)>> = (0..cols * rows)
            .map(|b| {
                let paper: Vec<usize> = block_pixels(b, block, cols, f.w, f.h).filter(|&i| (f.region[i] == 2) & (mask[i] == 0)).collect();
                (paper.len() * 10 >= block * block * 6).then(|| {
                    let green = LevelCounts::new(paper.iter().map(|&i| f.rgb[1][i])).quantile(0.5) as u8;
                    let dark = LevelCounts::new(paper.iter().map(|&i| f.dark[i])).quantile(0.5) as u8;
                    (green, dark, paper.len())
                })
            })
            .collect();
        // The clean paper's own levels: the lightest tenth of the blocks. A paper that is off
        // white all over (its noise under the balance, a tinted stock) is no stain: a stain is
        // paper darker than the rest of the box's.
        let read: Vec<(u8, u8, usize)> = medians.iter().flatten().copied().collect();
        let green_ref = LevelCounts::new(read.iter().map(|m| m.0)).quantile(0.9);
        let dark_ref = LevelCounts::new(read.iter().map(|m| m.1)).quantile(0.1);
        let (mut open, mut under_stain) = (0usize, 0usize);
        let mut levels: Vec<Option<(u8, u8)>> = medians
            .iter()
            .map(|m| {
                m.map(|(green, dark, n)| {
                    let is_stained = f32::from(green) < green_ref - f32::from(STAINED) || f32::from(dark) > dark_ref + f32::from(STAINED);
                    open += n;
                    if !is_stained {
                        return CLEAN;
                    }
                    under_stain += n;
                    // Read as the clean paper would be: its white where the clean paper's stands,
                    // its darkness above the clean paper's.
                    ((f32::from(green) + 255.0 - green_ref).min(255.0) as u8, (f32::from(dark) - dark_ref).max(0.0) as u8)
                })
            })
            .collect();
        // A stain is read where it lies under a fifth of the box's open paper or more: where
        // it covers less, the lower quartile of the paper's levels is still the paper's, and
        // a few darker blocks beside a seal are more often its own faint ink (a smear's trail
        // beyond the mask) than a stain. (A quarter, the quartile's own share, left V-heldout
        // 015 r1c0 out at 0.2497: the open blocks leave out the paper between the strokes.)
        let share = if open > 0 { under_stain as f32 / open as f32 } else { 0.0 };
        let stained = share >= 0.2;
        // A block with too little paper (under the ink) takes its neighbours' level: a stain
        // runs on under the seal, and the ink's edges inside the face step up from it too.
        while stained && levels.iter().any(Option::is_none) {
            let known = levels.clone();
            let mut filled = false;
            for (b, level) in levels.iter_mut().enumerate().filter(|(_, l)| l.is_none()) {
                let (c, r) = ((b % cols) as isize, (b / cols) as isize);
                let near: Vec<(u8, u8)> = [(-1, 0), (1, 0), (0, -1), (0, 1)]
                    .iter()
                    .filter_map(|(dc, dr)| {
                        let (c, r) = (c + dc, r + dr);
                        ((0..cols as isize).contains(&c) && (0..rows as isize).contains(&r)).then(|| known[r as usize * cols + c as usize]).flatten()
                    })
                    .collect();
                if !near.is_empty() {
                    let mean = |k: fn(&(u8, u8)) -> u8| (near.iter().map(|l| u32::from(k(l))).sum::<u32>() / near.len() as u32) as u8;
                    *level = Some((mean(|l| l.0), mean(|l| l.1)));
                    filled = true;
                }
            }
            if !filled {
                break;
            }
        }
        Stains { w: f.w, block, cols, share, levels: if stained { levels } else { Vec::new() } }
    }

    /// The paper's noise, σ in levels of the balanced green plane: from the lower quartile of
    /// the paper's levels under white (the balance saturates the upper half at 255), or under
    /// the stain's level in a stained block. 0 with fewer than 100 paper pixels. Every third
    /// pixel is plenty for a quartile.
    fn noise(&self, f: &BoxFeatures, mask: &[u8]) -> f32 {
        let (mut under, mut n) = ([0u32; 256], 0usize);
        for i in (0..f.w * f.h).step_by(3).filter(|&i| (f.region[i] == 2) & (mask[i] == 0)) {
            let white = self.at(i, f.w).map_or(255.0, |(g, _)| f32::from(g));
            under[(f32::from(f.rgb[1][i]) - white + 255.0).clamp(0.0, 255.0) as usize] += 1;
            n += 1;
        }
        if n < 100 {
            return 0.0;
        }
        (255.0 - LevelCounts { counts: under, n }.quantile(0.25)) / 0.674
    }

    /// The stained block's levels at pixel `i` of a crop `w` wide.
    fn at(&self, i: usize, w: usize) -> Option<(u8, u8)> {
        self.levels.get((i / w / self.block) * self.cols + (i % w) / self.block).copied().flatten()
    }

    /// The darkness above the stains (each stained block's paper darkness taken off, the
    /// blocks' levels interpolated between their centres so that no step is made); `None`
    /// where no block is stained.
    fn above(&self, dark: &[u8]) -> Option<Vec<u8>> {
        if self.levels.is_empty() {
            return None;
        }
        let (cols, rows) = (self.cols, self.levels.len() / self.cols);
        let floor = |c: usize, r: usize| -> f32 { self.levels[r * cols + c].map_or(0.0, |(_, d)| f32::from(d)) };
        // Block coordinates of a pixel, from the blocks' centres: (lower index, weight of the next).
        let along = |p: usize, n: usize| -> (usize, usize, f32) {
            let u = ((p as f32 + 0.5) / self.block as f32 - 0.5).clamp(0.0, (n - 1) as f32);
            let k = u.floor() as usize;
            (k, (k + 1).min(n - 1), u - k as f32)
        };
        Some(
            dark.iter()
                .enumerate()
                .map(|(i, &d)| {
                    let ((c0, c1, tu), (r0, r1, tv)) = (along(i % self.w, cols), along(i / self.w, rows));
                    let top = floor(c0, r0) + tu * (floor(c1, r0) - floor(c0, r0));
                    let bottom = floor(c0, r1) + tu * (floor(c1, r1) - floor(c0, r1));
                    (f32::from(d) - (top + tv * (bottom - top))).clamp(0.0, 255.0) as u8
                })
                .collect(),
        )
    }
}

/// The pixels of block `b` (blocks `block` pixels square, `cols` to a row) of a crop `w` × `h`.
fn block_pixels(b: usize, block: usize, cols: usize, w: usize, h: usize) -> impl Iterator<Item = usize> {
    let (bx, by) = ((b % cols) * block, (b / cols) * block);
    (by..(by + block).min(h)).flat_map(move |y| (bx..(bx + block).min(w)).map(move |x| y * w + x))
}

/// Redness and darkness of a row of balanced pixels (equal-length slices and an index: no
/// bounds checks in the loop, which vectorises).
#[wide_when_available]
fn ink_measures(planes: [&[u8]; 3], red: &mut [u8], dark: &mut [u8]) {
    let [pr, pg, pb] = planes;
    let w = red.len();
    let (pr, pg, pb, dark) = (&pr[..w], &pg[..w], &pb[..w], &mut dark[..w]);
    for i in 0..w {
        red[i] = redness(pr[i], pg[i], pb[i]);
        dark[i] = 255 - luma8(pr[i], pg[i], pb[i]);
    }
}

/// Redness of a white-balanced pixel: `R − G`, capped on the violet side of the hue circle.
///
/// `R − max(G, B)` would read purple-red (紫红) seal ink as pale, its blue being high; plain
/// `R − G` reads violet pen ink as red, and a violet signature as a seal. In the opponent plane
/// (x = 2R − G − B, p = B − G) purple-red lies at about −30…−45° and violet beyond −80°. The
/// cap ½·(2.19·x − p) is 0 at −75° and above `R − G` for every red, orange and purple-red ink,
/// so those keep `R − G` exactly. Both terms scale with the ink's strength, so a pale tint
/// of a colour is judged like the full colour. In i16: no division, vectorised.
#[inline]
fn redness(r: u8, g: u8, b: u8) -> u8 {
    let (r, g, b) = (i16::from(r), i16::from(g), i16::from(b));
    let (x, p) = (2 * r - g - b, b - g);
    // 35/32 = ½ · 2.1875 = ½ · tan(75.2°) · √3; |35x − 16p| ≤ 21 930 fits i16.
    let cap = (35 * x - 16 * p) >> 5;
    (r - g).min(cap).clamp(0, 255) as u8
}

/// Minimum of two numbers that are never NaN, as one instruction.
#[inline]
fn fmin(a: f32, b: f32) -> f32 {
    if a < b { a } else { b }
}

/// Rec. 601 luma in 8.8 fixed point (the weights sum to 256, so white stays 255).
#[inline]
pub(crate) fn luma8(r: u8, g: u8, b: u8) -> u8 {
    // At most 256·255 + 128: fits u16, which packs eight lanes per SSE register.
    ((77 * u16::from(r) + 150 * u16::from(g) + 29 * u16::from(b) + 128) >> 8) as u8
}

/// Histogram of `values` over the pixels inside the box (region 2).
fn inside_histogram(values: &[u8], region: &[u8]) -> [u32; 256] {
    let mut hist = [0u32; 256];
    for (&v, &reg) in values.iter().zip(region) {
        if reg == 2 {
            hist[v as usize] += 1;
        }
    }
    hist
}

/// Indices of the set pixels of a mask with rows of `w`, in raster order.
fn ink_indices(mask: &[u8], w: usize) -> Vec<usize> {
    let mut idx = Vec::new();
    for (y, row) in mask.chunks_exact(w).enumerate() {
        runs(row, |s, e| idx.extend(y * w + s..=y * w + e));
    }
    idx
}

fn otsu(hist: &[u32; 256], lo: usize) -> usize {
    let total: f64 = hist[lo..].iter().map(|&h| h as f64).sum();
    if total == 0.0 {
        return 128;
    }
    let sum: f64 = (lo..256).map(|i| i as f64 * hist[i] as f64).sum();
    let (mut wb, mut sb, mut best, mut t) = (0.0, 0.0, 0.0, lo);
    for i in lo..256 {
        wb += hist[i] as f64;
        if wb == 0.0 {
            continue;
        }
        let wf = total - wb;
        if wf == 0.0 {
            break;
        }
        sb += i as f64 * hist[i] as f64;
        let (mb, mf) = (sb / wb, (sum - sb) / wf);
        let between = wb * wf * (mb - mf) * (mb - mf);
        if between > best {
            best = between;
            t = i;
        }
    }
    t
}

fn median_above(hist: &[u32; 256], t: usize) -> f32 {
    let total: u32 = hist[t..].iter().sum();
    let mut acc = 0;
    for (i, &h) in hist.iter().enumerate().skip(t) {
        acc += h;
        if acc * 2 >= total {
            return i as f32;
        }
    }
    t as f32
}

/// The seal's ink in the box: red pixels down to half the ink's level (`p_ink`, the median
/// redness above the box's Otsu cut), grown into JPEG-washed strokes and over black print it
/// bridges, specks and ink beyond the box's line dropped (`clean_specks`).
///
/// A neighbour's seal stamped over the line into the box brings its own ink level: beside a
/// pale impression its strong red takes the upper class of the box's histogram, the cut falls
/// between the two and the pale seal lies under it, so the box read empty (issue 34: B's and
/// C's pale 公章 beside a neighbour stamped over the line; B-heldout 000: 20 mm² of the
/// neighbour's ring in the box against 460 mm² of its own, cut at 60 levels, its own ink at
/// 32). Where ink beyond the line was dropped, the levels are read again without it (and its
/// blurred edge); when the box's own ink then stands under the first cut, more than half of it
/// was lost to the neighbour's level, and the mask is cut at its own. The box must hold as much
/// red of its own as `features` asks of a seal.
fn seal_mask(f: &BoxFeatures, _frame: Frame) -> InkMask {
    let hist = inside_histogram(&f.red, &f.region);
    let (ink, beyond) = seal_mask_at(f, ink_level(&hist));
    let Some(beyond) = beyond else { return ink };
    let edge = ((0.3 * f.ppmm).round() as usize).max(1);
    let beyond = dilate(&beyond, f.w, f.h, edge);
    let (mut own, mut green) = ([0u32; 256], 0u32);
    for ((((&v, &reg), &n), &cr), &cg) in f.red.iter().zip(&f.region).zip(&beyond).zip(&f.rgb[0]).zip(&f.rgb[1]) {
        if reg == 2 && n == 0 {
            own[v as usize] += 1;
            green += u32::from(greenish(cr, cg));
        }
    }
    let own_red = own[SEAL_RED as usize..].iter().sum::<u32>().saturating_sub(green);
    let own_level = ink_level(&own);
    if (own_red as f32) < SEAL_RED_MM2 * f.ppmm * f.ppmm || own_level >= ink_cut(ink.p_ink) {
        return ink;
    }
    seal_mask_at(f, own_level).0
}

/// The ink's level in a histogram of redness: the median above its Otsu cut (the cut kept
/// within 20–120 levels).
fn ink_level(hist: &[u32; 256]) -> f32 {
    let t0 = otsu(hist, 8).clamp(20, 120);
    median_above(hist, t0)
}

/// The cut that makes the seal's mask: half the ink's level, within 16–110.
fn ink_cut(p_ink: f32) -> f32 {
    (0.5 * p_ink).clamp(16.0, 110.0)
}

/// The ink cut at half of `p_ink` (see `seal_mask`), and the ink beyond the box's line that
/// `clean_specks` dropped, if any.
#[wide_when_available]
fn seal_mask_at(f: &BoxFeatures, p_ink: f32) -> (InkMask, Option<Vec<u8>>) {
    let (w, h) = (f.w, f.h);
    let t = ink_cut(p_ink);
    // r ≥ t in integers (t is a half-integer at most, so ceil keeps the test exact).
    let t_int = t.ceil() as u8;
    let mut mask: Vec<u8> = f.red.iter().map(|&r| u8::from(r >= t_int)).collect();
    // Median darkness of the red ink, for the luma hysteresis.
    let mut dh = [0u32; 256];
    for (&m, &d) in mask.iter().zip(&f.dark) {
        if m != 0 {
            dh[d as usize] += 1;
        }
    }
    let dark_ink = median_above(&dh, 0);
    // JPEG 4:2:0 washes red out of thin strokes: grow into pixels dark enough and still reddish.
    // The candidates do not change between the two steps, so they are listed once. In integers:
    // r ≥ 0.55·t, d ≥ 0.5·dark_ink, r ≥ 0.2·d.
    // Integer tests in u16: eight lanes per SSE register.
    let (r_min, d_min) = ((0.55 * t).ceil() as u16, (0.5 * dark_ink).ceil() as u16);
    let flags: Vec<u8> = mask
        .iter()
        .zip(&f.red)
        .zip(&f.dark)
        .map(|((&m, &r), &d)| {
            let (r, d) = (u16::from(r), u16::from(d));
            u8::from((m == 0) & (r >= r_min) & (d >= d_min) & (5 * r >= d))
        })
        .collect();
    let cand: Vec<usize> = ink_indices(&flags, w).into_iter().filter(|&i| i % w != 0 && i % w != w - 1 && i >= w && i < w * h.saturating_sub(1)).collect();
    for _ in 0..2 {
        let near = |i: usize| mask[i - w - 1..=i - w + 1].iter().chain(&mask[i - 1..=i + 1]).chain(&mask[i + w - 1..=i + w + 1]).any(|&m| m != 0);
        let add: Vec<usize> = cand.iter().copied().filter(|&i| mask[i] == 0 && near(i)).collect();
        for i in add {
            mask[i] = 1;
        }
    }
    // Black print or line under the seal: fill only where it bridges seal strokes.
    let rc = ((0.3 * f.ppmm).round() as usize).max(2);
    let closed = close(&mask, w, h, rc);
    let d_black = (0.6 * dark_ink).ceil() as u16;
    for (((m, &c), &r), &d) in mask.iter_mut().zip(&closed).zip(&f.red).zip(&f.dark) {
        let (r, d) = (u16::from(r), u16::from(d));
        *m |= u8::from((c != 0) & (d >= d_black) & (4 * r < d));
    }
    let beyond = clean_specks(&mut mask, f, 2.0, Some(SEAL_LINK_MM));
    (InkMask::new(mask, p_ink), beyond)
}

/// The impression, if any, that a seal box with too little red for one holds in another ink: a
/// blue or violet stamp pad's (蓝色、紫色印油), read as the seal's red is, on the ink's blue over its
/// green (`B − G`) in place of its redness. The redness is capped on the violet side so that a
/// violet pen is no seal; in a box the row already reads as a seal's that cap made a violet
/// impression "nothing stamped", and the clerk was told to stamp where a stamp in the wrong
/// ink stood (issue 76, maker Y: eight of its nine off-colour impressions read as empty boxes).
/// Taken as an impression only with as much ink as the kind's least pressing
/// (`least_pressing_mm2`, less the paper's noise: the pixels as far towards green) and a face
/// of a seal's size (公章 30–50 mm round; 法人章 each side 10–30 mm): a name signed in the box is
/// neither. Its hue then reads far from red and it is judged `off_color`; `f.red` is left as
/// the other ink's measure, which the judge reads for the ink's level.
fn off_colour_impression(f: &mut BoxFeatures, kind: SampleKind, frame: Frame) -> Option<(InkMask, Shape)> {
    let least = least_pressing_mm2(kind)? * f.ppmm * f.ppmm;
    let (mut inked, mut noise) = (0usize, 0usize);
    for ((&reg, &b), &g) in f.region.iter().zip(&f.rgb[2]).zip(&f.rgb[1]) {
        // as `greenish`: in u16, so that white does not saturate into either
        inked += usize::from((reg == 2) & greenish(g, b));
        noise += usize::from((reg == 2) & greenish(b, g));
    }
    if (inked.saturating_sub(noise) as f32) < least {
        return None;
    }
    let plane: Vec<u8> = f.rgb[2].iter().zip(&f.rgb[1]).map(|(&b, &g)| b.saturating_sub(g)).collect();
    let red = std::mem::replace(&mut f.red, plane);
    let ink = seal_mask(f, frame);
    if ink.area as f32 >= least {
        let shape = fit_shape(f, ink.indices(f.w), frame);
        let (short, long) = (shape.rect_wu.min(shape.rect_wv) / f.ppmm, shape.rect_wu.max(shape.rect_wv) / f.ppmm);
        let a_face = match kind {
            SampleKind::OfficialSeal => (30.0..=50.0).contains(&long) && short >= 25.0,
            SampleKind::LegalRepSeal => short >= 10.0 && long <= 30.0,
            SampleKind::Signature => false,
        };
        if a_face {
            return Some((ink, shape));
        }
    }
    f.red = red;
    None
}

/// The widest gap between the parts of one seal's pressing, mm: the border and its text, the
/// text's characters and the pieces of a broken or pale pressing lie closer (GA 241 sets a
/// 公章's text 1–2 mm inside its ring; a 法人章's characters fill its frame).
const SEAL_LINK_MM: f32 = 5.0;

/// Which components are the main ink: those of at least `big` pixels, mostly inside the box,
/// and with `link` (pixels) only those chained to the largest of them by gaps of at most
/// `link` (their bounding boxes' distance). Issue 34 (B-dev2 052): a 4 mm² fragment of red
/// 21 mm off a 法人章, big enough to count, stretched the main ink's extent over both and the
/// seal read 39 mm wide and broken.
fn main_ink(comps: &[Comp], big: usize, link: Option<f32>) -> Vec<bool> {
    let mut main: Vec<bool> = comps.iter().map(|c| c.area >= big && c.inside * 2 >= c.area).collect();
    let Some(link) = link else { return main };
    // the seed is this box's own ink, not a neighbour's running in from past the line
    let own = |c: &Comp| !c.border || c.inside as f32 >= 0.8 * c.area as f32;
    let Some(seed) = (0..comps.len()).filter(|&i| main[i]).max_by_key(|&i| (own(&comps[i]), comps[i].area)) else { return main };
    let gap = |a: &Comp, b: &Comp| {
        let dx = (a.x0 as f32 - b.x1 as f32).max(b.x0 as f32 - a.x1 as f32).max(0.0);
        let dy = (a.y0 as f32 - b.y1 as f32).max(b.y0 as f32 - a.y1 as f32).max(0.0);
        dx.hypot(dy)
    };
    let mut linked = vec![false; comps.len()];
    linked[seed] = true;
    let mut todo = vec![seed];
    while let Some(i) = todo.pop() {
        for j in 0..comps.len() {
            if main[j] && !linked[j] && gap(&comps[i], &comps[j]) <= link {
                linked[j] = true;
                todo.push(j);
            }
        }
    }
    for (m, l) in main.iter_mut().zip(&linked) {
        *m &= *l;
    }
    main
}

/// Drops specks and components that lie outside the box; for seals, also components far from
/// the main ink (`keep_mm2`: components at least this big define the main ink; with `link_mm`,
/// only those chained to the largest by gaps of at most that, see `main_ink`). Ink running out
/// of the crop is a neighbour's and goes, unless 100 mm² of it lie inside the box: then it is
/// this seal joined to its neighbours over the line, and what lies inside the box stays.
/// Returns the ink it dropped as lying beyond the box's line (a neighbour's running in out of
/// the crop, pieces mostly outside the box), where there was any.
fn clean_specks(mask: &mut [u8], f: &BoxFeatures, keep_mm2: f32, link_mm: Option<f32>) -> Option<Vec<u8>> {
    let (w, h) = (f.w, f.h);
    let cc = Components::new(mask, &f.region, w, h, true);
    let comps = &cc.comps;
    let mm2 = f.ppmm * f.ppmm;
    let speck = (0.08 * mm2).max(4.0) as usize;
    let big = (keep_mm2 * mm2) as usize;
    let main = main_ink(comps, big, link_mm.map(|l| l * f.ppmm));
    // Extent of the main ink.
    let (mut u0, mut v0, mut u1, mut v1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (c, _) in comps.iter().zip(&main).filter(|(_, m)| **m) {
        let (cu, cv) = (c.su / c.area as f64, c.sv / c.area as f64);
        u0 = u0.min(cu);
        v0 = v0.min(cv);
        u1 = u1.max(cu);
        v1 = v1.max(cv);
    }
    let reach = (12.0 * f.ppmm) as f64;
    // A seal whose own ink inside the box is this large is joined to a neighbour's that runs out
    // of the crop (rows packed tighter than their seals are wide, the impressions overlapping
    // over the line), not a neighbour's reaching in: a 公章's ring reaching 5 mm into the next
    // box brings about 35 mm² of ring and a little text.
    let own = (100.0 * mm2) as usize;
    let runs_out = |c: &Comp| c.border && (c.inside as f32) < 0.8 * c.area as f32;
    // Ink running out of the crop belongs to a neighbour stamped over the line.
    let neighbour: Vec<bool> = comps.iter().map(|c| runs_out(c) && c.inside < own).collect();
    // Ink lying mostly beyond the box's line is no part of this box's seal either.
    let beyond: Vec<bool> = comps.iter().zip(&neighbour).map(|(c, &n)| n || (c.area >= speck && c.inside * 2 < c.area)).collect();
    let keep: Vec<bool> = comps
        .iter()
        .zip(&neighbour)
        .map(|(c, &neighbour)| {
            if runs_out(c) {
                return !neighbour;
            }
            if c.area < speck || c.inside * 2 < c.area {
                return false;
            }
            if u0 == f64::MAX {
                return true;
            }
            let (cu, cv) = (c.su / c.area as f64, c.sv / c.area as f64);
            cu >= u0 - reach && cu <= u1 + reach && cv >= v0 - reach && cv <= v1 + reach
        })
        .collect();
    let theirs = beyond.contains(&true).then(|| {
        let mut theirs = mask.to_vec();
        cc.retain(&mut theirs, &beyond);
        theirs
    });
    cc.retain(mask, &keep);
    // Of a seal joined to its neighbour, only what lies inside the box is kept; the neighbour's
    // arc left inside it is outside this seal's circle, which the circle fit leaves out.
    let joined: Vec<bool> = comps.iter().zip(&neighbour).map(|(c, &n)| runs_out(c) && !n).collect();
    cc.trim_outside(mask, &joined, &f.region);
    theirs
}

/// Whether a pixel of darkness `d` and redness `red` is pen ink at the level `d_min`
/// (`pen_threshold`): dark enough and not red (redness under 0.6 of the darkness), in integers.
#[inline]
fn is_pen(d: u8, red: u8, d_min: u16) -> bool {
    let (d, red) = (u16::from(d), u16::from(red));
    (d >= d_min) & (5 * red < 3 * d)
}

/// The darkness (levels) from which a pixel is pen ink: half the ink's median level, and never
/// under 22 levels (about 9 % of the light taken away, several times a scan's noise), so a pale
/// pen's half level does not reach into the paper's noise.
fn pen_threshold(p_ink: f32) -> u16 {
    (0.5 * p_ink).max(22.0).ceil() as u16
}

/// How dark a pen's stroke is: the luma's darkness, or, where red is the channel a pixel
/// absorbs most (blue, blue-black and cyan pens), red's own: a light blue or cyan pen takes
/// 40–50 % of the red light and barely 15 % of the luma, which weighs green most.
fn pen_darkness(f: &BoxFeatures) -> Vec<u8> {
    let [r, g, b] = &f.rgb;
    f.dark.iter().zip(r).zip(g).zip(b).map(|(((&d, &r), &g), &b)| if r <= g && r <= b { d.max(255 - r) } else { d }).collect()
}

fn signature_mask(f: &BoxFeatures, frame: Frame) -> InkMask {
    // The pen's level is read away from the lines: a line's blurred edge inside the box (heavy
    // lines, soft scans) is darker than a pale pen and took Otsu's split, which then left the
    // pen under it (issue 34: light-grey signatures at 30 levels read as empty boxes).
    let deep = deep_inside(f, frame);
    let hist = inside_histogram(&f.dark, &deep);
    let t0 = otsu(&hist, 10).clamp(25, 160);
    let p_ink = median_above(&hist, t0);
    let t = pen_threshold(p_ink);
    // Dark enough and not red: d ≥ t, r < 0.6·d.
    let mut mask: Vec<u8> = f.region.iter().zip(&f.dark).zip(&f.red).map(|((&reg, &d), &r)| u8::from((reg == 2) & is_pen(d, r, t))).collect();
    clean_specks(&mut mask, f, 0.5, None);
    drop_line_bleed(&mut mask, f, &deep);
    InkMask::new(mask, p_ink)
}

/// Drops pen ink that lies wholly within 1.2 mm inside a box line: a blurred low-resolution
/// scan (or a line found a pixel too narrow) leaves a dotted trace of the line's edge inside
/// the box, which in an empty box reads as a pale signature. Handwriting that reaches the line
/// also reaches further in, so its components keep every pixel; a stroke across the line is
/// judged by `crossings`, on the pixels beyond it.
fn drop_line_bleed(mask: &mut [u8], f: &BoxFeatures, deep: &[u8]) {
    let cc = Components::new(mask, deep, f.w, f.h, true);
    // A tenth of the pixels deep: a line's faint halo traced round the box dips in by a few.
    let keep: Vec<bool> = cc.comps.iter().map(|c| c.inside > 0 && 10 * c.inside >= c.area).collect();
    cc.retain(mask, &keep);
}

/// 2 where a pixel lies more than 1.2 mm inside the box's lines, 0 elsewhere (the region
/// convention: components count such pixels as `inside`).
fn deep_inside(f: &BoxFeatures, frame: Frame) -> Vec<u8> {
    let (w, h) = (f.w, f.h);
    let g = f.geom;
    let band = 1.2 * f.ppmm;
    let mut deep = vec![0u8; w * h];
    for yy in 0..h {
        let (ur, vr) = frame.to_page(f.x0 as f32 + 0.5, (f.y0 as usize + yy) as f32 + 0.5);
        for (k, d) in deep[yy * w..(yy + 1) * w].iter_mut().enumerate() {
            let (u, v) = (ur + k as f32 * frame.c, vr - k as f32 * frame.s);
            let dist = fmin(fmin(u - g.u0, g.u1 - u), fmin(v - g.v0, g.v1 - v));
            *d = 2 * u8::from(dist >= band);
        }
    }
    deep
}

/// Scan-pixel coordinates of the seal ink found in a single impression (`None` when the
/// image holds no seal); `features` must have run with `whole`, where page and scan agree.
pub(crate) fn seal_points(f: &BoxFeatures) -> Option<Vec<(f32, f32)>> {
    f.seal.as_ref().map(|(ink, _)| mask_points(f, ink.indices(f.w), Frame::new(0.0)))
}

/// Page-frame coordinates of the mask pixels.
#[wide_when_available]
fn mask_points(f: &BoxFeatures, indices: &[usize], frame: Frame) -> Vec<(f32, f32)> {
    indices.iter().map(|&i| frame.to_page((f.x0 as usize + i % f.w) as f32 + 0.5, (f.y0 as usize + i / f.w) as f32 + 0.5)).collect()
}

const BINS: usize = 180;

/// Ink density of an impression: the fraction of the paper's light its ink absorbs in the
/// channel it absorbs most (1 − min(R, G, B) of the white-balanced pixel), 90th percentile over
/// the mask, so the cores of the strokes count and not their blurred edges. Red, purple-red and
/// orange inks, blue and black pens all read about 0.85–0.95 when stamped or written fully,
/// whatever the paper's tint (the balance divides it out).
fn ink_density(f: &BoxFeatures, indices: &[usize]) -> f32 {
    let [pr, pg, pb] = &f.rgb;
    let mut hist = [0u32; 256];
    for &i in indices {
        hist[255 - pr[i].min(pg[i]).min(pb[i]) as usize] += 1;
    }
    let total: u32 = hist.iter().sum();
    let (mut acc, want) = (0u32, (total as f32 * 0.9).ceil() as u32);
    for (v, &n) in hist.iter().enumerate() {
        acc += n;
        if acc >= want.max(1) {
            return v as f32 / 255.0;
        }
    }
    0.0
}

/// The share of the light an ink absorbs in its strongest channel, in linear light, against
/// the paper (white) and the sheet's blackest print (`black`, the same share for the print):
/// the darkness `density` of [`ink_density`] (1 − the balanced, sRGB-coded level) decoded to
/// reflectance, its absorption 1 − R, over the black's. One unit for every scanner and camera,
/// whatever its tone curve and black point (issue 76): the coded level of a stroke that
/// absorbs 0.7 of the light reads 0.42 on a plain sRGB scan and less under a camera's lifted
/// black, and a scan whose blackest print absorbs 0.9 of the light reads every ink 0.9 as
/// strong as the same ink on a scan whose black is 1.
fn absorbed(density: f32, black: f32) -> f32 {
    let coded = (1.0 - density).clamp(0.0, 1.0);
    ((1.0 - srgb_to_linear(coded)) / black.max(0.05)).min(1.0)
}

/// The `q`-quantile of some values (reorders them); 0 for none.
fn quantile_in_place(v: &mut [f32], q: f32) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    let k = ((v.len() as f32 * q) as usize).min(v.len() - 1);
    *v.select_nth_unstable_by(k, f32::total_cmp).1
}

/// Eight-bit levels counted by value: [`quantile_in_place`]'s quantile of them, from the counts
/// (the same element, without gathering the levels into a vector to select from).
pub(crate) struct LevelCounts {
    counts: [u32; 256],
    n: usize,
}

impl LevelCounts {
    pub(crate) fn new(levels: impl Iterator<Item = u8>) -> Self {
        let mut counts = [0u32; 256];
        let mut n = 0;
        for v in levels {
            counts[usize::from(v)] += 1;
            n += 1;
        }
        LevelCounts { counts, n }
    }

    /// The level of rank ⌊n·q⌋ from the lowest (0 where none were counted).
    pub(crate) fn quantile(&self, q: f32) -> f32 {
        if self.n == 0 {
            return 0.0;
        }
        let k = ((self.n as f32 * q) as usize).min(self.n - 1);
        let mut below = 0usize;
        for (v, &c) in self.counts.iter().enumerate() {
            below += c as usize;
            if below > k {
                return v as f32;
            }
        }
        255.0
    }
}

/// Radial thickness of a round seal's outer ring, mm: its mean and the amplitude of its second
/// angular harmonic. Along 180 rays from the fitted centre, from outside the circle inwards: the
/// first ink, then on through the ring (gaps under 0.8 mm bridged) to where it ends. A second
/// impression offset by d thickens the ring by d·|cos(θ − φ)| (second harmonic 0.42·d); a view at
/// an angle moves both of its edges alike and leaves the thickness flat; arc text lies more than
/// 2 mm inside the ring, so it is not reached. Rays that meet no ring (a broken part) are left out.
fn ring_thickness(f: &BoxFeatures, ink: &InkMask, s: &Shape, frame: Frame) -> (f32, f32) {
    let ppmm = f.ppmm;
    let step = 0.5f32;
    let (gap_max, depth_max) = (0.8 * ppmm, 4.0 * ppmm);
    let at = |u: f32, v: f32| -> bool {
        let (x, y) = frame.to_scan(u, v);
        let (x, y) = (x - f.x0 as f32, y - f.y0 as f32);
        x >= 0.0 && y >= 0.0 && (x as usize) < f.w && (y as usize) < f.h && ink.mask[y as usize * f.w + x as usize] != 0
    };
    let mut t: Vec<(f32, f32)> = Vec::with_capacity(BINS);
    for k in 0..BINS {
        let a = -std::f32::consts::PI + (k as f32 + 0.5) * std::f32::consts::TAU / BINS as f32;
        let (c, sn) = (a.cos(), a.sin());
        let mut r = s.r + 1.5 * ppmm;
        let r_stop = s.r - depth_max;
        let (mut outer, mut inner, mut gap) = (None, 0.0f32, 0.0f32);
        while r > r_stop {
            if at(s.cu + r * c, s.cv + r * sn) {
                if outer.is_none() {
                    // The outer edge must be near the circle, or this ray missed the ring.
                    if r < s.r - 1.5 * ppmm {
                        break;
                    }
                    outer = Some(r);
                }
                inner = r;
                gap = 0.0;
            } else if outer.is_some() {
                gap += step;
                if gap > gap_max {
                    break;
                }
            }
            r -= step;
        }
        if let Some(o) = outer
            && gap > 0.0
        {
            t.push((a, (o - inner + step) / ppmm));
        }
    }
    if t.len() < BINS / 2 {
        return (0.0, 0.0);
    }
    let n = t.len() as f32;
    let mean = t.iter().map(|x| x.1).sum::<f32>() / n;
    let (mut sc, mut ss, mut cc, mut s2) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    for &(a, th) in &t {
        let (c2, s2a) = ((2.0 * a).cos(), (2.0 * a).sin());
        sc += (th - mean) * c2;
        ss += (th - mean) * s2a;
        cc += c2 * c2;
        s2 += s2a * s2a;
    }
    let (b, d) = (sc / cc.max(1e-3), ss / s2.max(1e-3));
    (mean, b.hypot(d))
}

/// The outermost point of `pts` in each of the `BINS` angular bins around (`cu`, `cv`), with
/// its distance from there.
#[wide_when_available]
fn outer_points(pts: &[(f32, f32)], cu: f32, cv: f32) -> Vec<Option<(f32, f32, f32)>> {
    // Compared by squared radius; the square root only for the winners.
    let mut outer: Vec<Option<(f32, f32, f32)>> = vec![None; BINS];
    for &(u, v) in pts {
        let (du, dv) = (u - cu, v - cv);
        let r2 = du * du + dv * dv;
        let b = angle_bin(atan2_fast(dv, du), BINS);
        if outer[b].is_none_or(|o| r2 > o.2) {
            outer[b] = Some((u, v, r2));
        }
    }
    for o in outer.iter_mut().flatten() {
        o.2 = o.2.sqrt();
    }
    outer
}

/// No seal face is under 10 mm across (法人章 15 mm and more, 公章 38 mm and more): a circle
/// smaller than that through three outermost points is a character's curve, not a face's ring.
const SMALLEST_FACE_RADIUS_MM: f32 = 5.0;

/// Least-squares circle (Kåsa) through points: (cu, cv, r); none through fewer than five.
fn fit_circle(pts: &[(f32, f32)]) -> Option<(f32, f32, f32)> {
    if pts.len() < 5 {
        return None;
    }
    crate::quantities::fit_circle_points(pts)
}

fn fit_shape(f: &BoxFeatures, indices: &[usize], frame: Frame) -> Shape {
    let pts = mask_points(f, indices, frame);
    let n = pts.len().max(1) as f32;
    let (cu, cv) = pts.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1));
    let (cu, cv) = (cu / n, cv / n);
    let outer: Vec<(f32, f32, f32)> = outer_points(&pts, cu, cv).into_iter().flatten().collect();
    let op: Vec<(f32, f32)> = outer.iter().map(|o| (o.0, o.1)).collect();
    // Circle, robust to missing (inward) parts and to ink beyond the border: a neighbour's
    // impression that reaches into the box (seal rows packed tighter than the seals are wide)
    // puts the outermost ink of its bins mm outside this seal's border, more than a double's
    // half offset (≤ 1.75 mm) or a smear moves it.
    let mut kept = op.clone();
    let mut circ = fit_circle(&kept).unwrap_or((cu, cv, 1.0));
    let tol_in = (0.8 * f.ppmm).max(2.0);
    let tol_out = 2.0 * f.ppmm;
    let on_ring = |c: (f32, f32, f32), (u, v): (f32, f32)| {
        let r = (u - c.0).hypot(v - c.1) - c.2;
        r > -tol_in && r < tol_out
    };
    // A broken face's cut-away cap leaves its chord among the outermost points and pulls the
    // first fit in, and the ring's far side then lies beyond `tol_out`: the circle through
    // three outermost points that most of the others lie on is taken instead, where it holds
    // clearly more of them (issue 76: I's and F's broken 公章 were sized 2.4–5 mm off and read
    // as tilted, their stars read from a centre off the star).
    // Only for a face of strokes: a solid patch (a stain, which `disc_fill` sets aside) has
    // no ring, and a circle along part of its outline is no better than the first.
    let fill = pts.len() as f32 / (std::f32::consts::PI * circ.2 * circ.2).max(1.0);
    if op.len() >= 30 && fill <= MOST_DISC_FILL {
        let band = 0.4 * f.ppmm;
        let count = |c: (f32, f32, f32)| op.iter().filter(|&&(u, v)| ((u - c.0).hypot(v - c.1) - c.2).abs() <= band).count();
        let held = count(circ);
        let n = op.len();
        let best = [n / 6, n / 4, n / 3]
            .into_iter()
            .flat_map(|step| (0..n).step_by(2).map(move |k| [k, (k + step) % n, (k + 2 * step) % n]))
            .filter_map(|[a, b, c]| crate::quantities::circle_through(op[a], op[b], op[c]))
            .filter(|c| c.2 >= SMALLEST_FACE_RADIUS_MM * f.ppmm && c.2 < 2.0 * (f.w.max(f.h) as f32))
            .map(|c| (count(c), c))
            .max_by_key(|&(k, _)| k);
        // ... and only a circle nearly all the ink lies within: the ring is the face's outermost
        // ink, and a circle through part of a blob's outline (a stain, an ellipse) has some of
        // the blob beyond it.
        let beyond = |c: (f32, f32, f32)| op.iter().filter(|&&(u, v)| (u - c.0).hypot(v - c.1) - c.2 > tol_out).count();
        if let Some((k, c)) = best
            && k > held + (n / 10).max(10)
            && beyond(c) <= n / 20
        {
            circ = c;
        }
    }
    for _ in 0..3 {
        let k: Vec<(f32, f32)> = op.iter().cloned().filter(|&p| on_ring(circ, p)).collect();
        if k.len() < 10 {
            break;
        }
        kept = k;
        circ = fit_circle(&kept).unwrap_or(circ);
    }
    // Re-sample the outermost points around the fitted centre for the residuals.
    let outer2: Vec<(f32, f32, f32)> = outer_points(&pts, circ.0, circ.1).into_iter().flatten().collect();
    let res: Vec<f32> = outer2.iter().map(|o| o.2 - circ.2).collect();
    let circle_rms = rms(res.iter().cloned().filter(|r| *r > -tol_in));
    let out_frac = res.iter().filter(|&&r| r > 0.5 * f.ppmm).count() as f32 / BINS as f32;
    // Minimum-area rectangle of the outermost points.
    let extents = |deg: f32| -> (f32, f32, f32, f32, f32) {
        let (s, c) = deg.to_radians().sin_cos();
        let (mut a0, mut a1, mut b0, mut b1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for &(u, v) in &op {
            let a = u * c + v * s;
            let b = -u * s + v * c;
            a0 = a0.min(a);
            a1 = a1.max(a);
            b0 = b0.min(b);
            b1 = b1.max(b);
        }
        ((a1 - a0) * (b1 - b0), a0, a1, b0, b1)
    };
    let mut best = (f32::MAX, 0.0f32);
    for i in 0..90 {
        let d = -45.0 + i as f32;
        let e = extents(d).0;
        if e < best.0 {
            best = (e, d);
        }
    }
    let mut best2 = best;
    for i in -10..=10 {
        let d = best.1 + i as f32 * 0.1;
        let e = extents(d).0;
        if e < best2.0 {
            best2 = (e, d);
        }
    }
    let ang = best2.1;
    let (_, a0, a1, b0, b1) = extents(ang);
    let (s, c) = ang.to_radians().sin_cos();
    let rect_rms = rms(op.iter().map(|&(u, v)| {
        let a = u * c + v * s;
        let b = -u * s + v * c;
        (a - a0).abs().min((a1 - a).abs()).min((b - b0).abs()).min((b1 - b).abs())
    }));
    Shape { round: circle_rms < rect_rms, cu: circ.0, cv: circ.1, r: circ.2, rect_angle: ang, rect_wu: a1 - a0, rect_wv: b1 - b0, circle_rms, rect_rms, out_frac }
}

/// The widest gap between the characters of one signature, mm: a character's width (a name
/// is written with its characters side by side, a character 5–10 mm wide).
const NAME_GAP_MM: f32 = 8.0;

/// The signature's own writing, for its crossings: the mask less the pieces that reach the
/// lines' band (within 1.2 mm of a line, `deep_inside`), stand apart from the writing (more
/// than `NAME_GAP_MM` from the pieces chained to the largest, `main_ink`) and go on beyond the
/// line (pen ink beyond it within the piece's reach). Such a piece is the tip of a
/// neighbour's name written over the shared line into this box: with its ink beyond the line
/// it read as this signature crossing it (issue 34: C-dev2 020, a name 10 mm from every line
/// read 85 crossings where the next box's name reached in). This box's own stroke across a
/// line belongs to a character chained to the rest of the name; a stroke of its own that runs
/// into the line from inside has nothing beyond.
fn own_writing(mask: &[u8], f: &BoxFeatures, frame: Frame, p_ink: f32) -> Vec<u8> {
    let deep = deep_inside(f, frame);
    let cc = Components::new(mask, &deep, f.w, f.h, true);
    // Every piece the mask kept may chain (a crossing stroke's tip inside the band is one), so
    // each counts as wholly the box's for `main_ink`; the band is asked of it after.
    let whole: Vec<Comp> = cc.comps.iter().map(|c| Comp { inside: c.area, ..c.clone() }).collect();
    let chained = main_ink(&whole, 1, Some(NAME_GAP_MM * f.ppmm));
    // Pen ink beyond the line (`crossings`' test), looked for round the piece as far as the
    // band beyond the line reaches.
    let d_min = pen_threshold(p_ink);
    let lw = f.geom.line_w.iter().cloned().fold(0.0f32, f32::max);
    let reach = (lw + 1.0 + 1.5 * f.ppmm).ceil() as usize + 2;
    let beyond = |c: &Comp| {
        let (x0, x1) = (c.x0.saturating_sub(reach), (c.x1 + reach).min(f.w - 1));
        let (y0, y1) = (c.y0.saturating_sub(reach), (c.y1 + reach).min(f.h - 1));
        (y0..=y1).any(|y| {
            (x0..=x1).any(|x| {
                let i = y * f.w + x;
                f.region[i] == 3 && is_pen(f.dark[i], f.red[i], d_min)
            })
        })
    };
    let keep: Vec<bool> = cc.comps.iter().zip(&chained).map(|(c, &m)| m || c.inside == c.area || !beyond(c)).collect();
    let mut own = mask.to_vec();
    cc.retain(&mut own, &keep);
    own
}

/// Positions along the box edges where pen ink lies both just inside the box and just beyond
/// the line: strokes that cross the line (the neighbour's ink beyond a shared line does not
/// count unless it continues inside). Inside, the ink is the signature's own writing (`mask`:
/// its mask, less a neighbour's name reaching in, `own_writing`), so the line's blurred edge and
/// specks, which the mask drops, cross nothing.
#[wide_when_available]
fn crossings(f: &BoxFeatures, mask: &[u8], p_ink: f32, frame: Frame) -> usize {
    let g = f.geom;
    let len = [(g.u1 - g.u0), (g.u1 - g.u0), (g.v1 - g.v0), (g.v1 - g.v0)];
    let mut inside: Vec<Vec<bool>> = len.iter().map(|&l| vec![false; l.max(1.0) as usize + 1]).collect();
    let mut outside = inside.clone();
    // Per position along each line, the nearest pen ink inside and the nearest pixel inside
    // that is lighter than a stroke's core.
    let mut nearest_ink: Vec<Vec<f32>> = len.iter().map(|&l| vec![f32::INFINITY; l.max(1.0) as usize + 1]).collect();
    let mut nearest_light = nearest_ink.clone();
    let near_in = 2.5 + 0.6 * f.ppmm;
    let lw = g.line_w.iter().cloned().fold(0.0f32, f32::max);
    // Pen ink as the signature's mask reads it (`pen_threshold`) and red < 0.6·d, in integers:
    // a pale pen's half level alone sits in the paper's noise, where every position along the
    // line would read as a crossing.
    let d_min = pen_threshold(p_ink);
    // A stroke that runs into the line without coming out beyond it: between the line's inner
    // edge and the stroke's nearest pen ink every pixel is as dark as a stroke's core (3/4 of
    // the ink's median level). A stroke that stops short leaves paper there: a gap of 0.3 mm
    // (where `borderline` ends) under a scanner's blur (σ ≤ 0.13 mm) and 150-dpi pixels keeps
    // some pixel in its middle under half the ink's level.
    let core = d_min.max((0.75 * p_ink).ceil() as u16);
    for (i, (((&r, &d), &red), &m)) in f.region.iter().zip(&f.dark).zip(&f.red).zip(mask).enumerate() {
        let pen = r >= 2 && !(r == 2 && m == 0) && is_pen(d, red, d_min);
        let light = r == 2 && u16::from(d) < core;
        if !pen && !light {
            continue;
        }
        let (u, v) = frame.to_page((f.x0 as usize + i % f.w) as f32 + 0.5, (f.y0 as usize + i / f.w) as f32 + 0.5);
        let ds = [v - g.v0, g.v1 - v, u - g.u0, g.u1 - u];
        let k = (0..4).min_by(|&a, &b| ds[a].total_cmp(&ds[b])).unwrap_or(0);
        let pos = if k < 2 { u - g.u0 } else { v - g.v0 };
        if pos < 0.0 || pos as usize >= inside[k].len() {
            continue;
        }
        let p = pos as usize;
        if light && ds[k] >= 0.0 {
            nearest_light[k][p] = nearest_light[k][p].min(ds[k]);
        }
        if !pen {
            continue;
        }
        if r == 2 && ds[k] < near_in && ds[k] >= 2.5 {
            inside[k][p] = true;
            nearest_ink[k][p] = nearest_ink[k][p].min(ds[k]);
        } else if r == 3 && ds[k] <= -(lw + 2.5) {
            outside[k][p] = true;
        }
    }
    let mut n = 0;
    for k in 0..4 {
        let l = inside[k].len();
        for p in 0..l {
            let crosses = outside[k][p] && (p.saturating_sub(3)..(p + 4).min(l)).any(|q| inside[k][q]);
            let runs_in = inside[k][p] && nearest_light[k][p] >= nearest_ink[k][p];
            if crosses || runs_in {
                n += 1;
            }
        }
    }
    n
}

fn rms(it: impl Iterator<Item = f32>) -> f32 {
    let (mut s, mut n) = (0.0f32, 0usize);
    for r in it {
        s += r * r;
        n += 1;
    }
    if n == 0 { 0.0 } else { (s / n as f32).sqrt() }
}

/// The largest angle between the edges' smear direction and the strokes' widest direction that
/// still agree: one sector (22.5°) plus half a sector, as the two grids are offset by half.
const SMEAR_AGREE_DEG: f32 = 22.5 + 11.25 + 0.5;

/// The valley half way along the ink's echo as it bears on a smear along `smear_deg`
/// (`smear_valley`): the echo's valley tells a smear from a close second pressing only when
/// the echo could have made the edges' widening: offset along the smear (within
/// `SMEAR_AGREE_DEG`). An echo across the smear (a 法人章's stacked characters, a round
/// seal's ring of text) has a valley of its own that says nothing about the smear: 1, no dip.
/// The valley is read at any offset along the smear: leaving it unread where d/2 falls under
/// the echo's smallest offset let A's doubles 0.8–1.6 mm apart pass as smears. But an echo
/// without a place of its own (`Echo::unlocated`) has no half way either: its d/2, under half
/// a millimetre, lies inside the strokes' own width, where a smear's spread and a close
/// copy's both dip (issue 34 v13.9: on the dev sets 1.3–1.6 mm smears read 0.04–0.78 there,
/// doubles 0.6–0.9 mm apart 0.04–0.33), so it is not read: 1.
fn smear_valley(echo: Option<Echo>, smear_deg: f32) -> f32 {
    echo.filter(|e| !e.unlocated && angle_apart(e.deg, smear_deg) <= SMEAR_AGREE_DEG).map_or(1.0, |e| e.valley)
}

/// Whether a widening of the edges along `smear_deg` is confirmed as one motion's: the mask's
/// strokes ≥ 0.25 mm wider within one step of that direction, or, on a round seal, an echo with
/// no dip half way in any direction (or no echo at all, or one without a place of its own,
/// whose half way is not read: `smear_valley`).
///
/// A 公章's strokes run every way round its border and arcs, so their widths by direction show
/// a smear's widening weakly or not at all (C-dev40's missed round smears read 0.17 mm of
/// anisotropy, or the strokes' widest direction 80° off the edges'). The strokes were asked
/// to keep out a double whose copy lies in another direction than the edges' widening, its
/// valley deep (0.05–0.3 on A-tune and C-dev40); on a round seal the echo says that itself. A
/// 法人章's stacked characters echo across it whatever the motion, so there the strokes
/// still decide.
///
/// On either shape a trail whose foot fades (`trail_foot` under `SMEAR_FOOT_FADES`' limit)
/// confirms it too: a drag at falling pressure ends in its faintest ink, which neither a
/// scanner's blur nor a typeface's taper makes (they widen both sides of a stroke alike), and
/// a copy's outer edge is as sharp as its lead (issue 34 v14.5: the dev sets' smears missed
/// for want of the strokes, 12 of them, 法人章 mostly, read 0.29–0.74; the rows that would
/// otherwise read a smear and have none, 0.85 and more).
fn smear_direction_confirmed(strokes: Option<Strokes>, smear_deg: f32, round: bool, echo: Option<Echo>, trail_foot: Option<f32>) -> bool {
    let strokes_agree = strokes.is_some_and(|st| angle_apart(st.aniso_deg, smear_deg) <= SMEAR_AGREE_DEG && st.aniso_mm >= 0.25);
    // The valley (the echo half way over the echo, `double_valley`) at and above which the
    // ink shows no discrete second copy: `smudged.round`'s own `smear_valley` limit, which reads
    // the same valley only along the smear (so the two move together when the limit is refitted).
    let no_copy_valley = thresholds().limit("smudged.round", "smear_valley").unwrap_or(0.5);
    let no_copy = round && echo.is_none_or(|e| e.unlocated || e.valley >= no_copy_valley);
    let foot_fades = trail_foot.is_some_and(|v| thresholds().fires(SMEAR_FOOT_FADES, &[("trail_foot", v)]));
    strokes_agree || no_copy || foot_fades
}

/// The rule whose limit on `trail_foot` says a trail fades at its foot as a drag's does (see
/// `smear_direction_confirmed`); it gives no label of its own.
const SMEAR_FOOT_FADES: &str = "smear.foot_fades";

/// How far apart two undirected directions are, degrees in [0, 90] (a direction and its
/// opposite are one).
fn angle_apart(a_deg: f32, b_deg: f32) -> f32 {
    let d = (a_deg - b_deg).rem_euclid(180.0);
    d.min(180.0 - d)
}

/// Judges a box as a sample of `kind` and builds its output pixels.
#[wide_when_available]
#[allow(clippy::too_many_arguments)]
pub(crate) fn judge(mut f: BoxFeatures, kind: SampleKind, row: usize, col: usize, frame: Frame, skew: f32, dpi: f32, out_dpi: f32) -> Sample {
    let ppmm = f.ppmm;
    let mm2 = ppmm * ppmm;
    let g = f.geom;
    let quad = [(g.u0, g.v0), (g.u1, g.v0), (g.u1, g.v1), (g.u0, g.v1)].map(|(u, v)| {
        let (x, y) = frame.to_scan(u, v);
        [x, y]
    });
    let mut labels = Labels::default();
    let mut metrics = Vec::new();
    let (ink, shape) = if kind.is_seal() {
        match f.seal.take() {
            Some((ink, shape)) => (ink, Some(shape)),
            None => {
                let ink = seal_mask(&f, frame);
                let shape = (ink.area as f32 >= 3.0 * mm2).then(|| fit_shape(&f, ink.indices(f.w), frame));
                (ink, shape)
            }
        }
    } else {
        // a pen's box is read by the pen's darkness throughout: its mask, its crossings, its ink
        f.dark = pen_darkness(&f);
        (signature_mask(&f, frame), None)
    };
    let empty_area = if kind.is_seal() { 3.0 } else { 2.0 } * mm2;
    // Too little red for an impression: the box may hold one in another ink.
    let too_little = (ink.area as f32) < empty_area || shape.is_none();
    let (ink, shape) = match too_little.then(|| off_colour_impression(&mut f, kind, frame)).flatten() {
        Some((other_ink, face)) => (other_ink, Some(face)),
        None => (ink, shape),
    };
    // A seal's shape is fitted whenever its ink reaches the limit, so the area decides `empty`.
    let mut empty = (ink.area as f32) < empty_area || (kind.is_seal() && shape.is_none());
    // Ink set aside as a stain; the paper's noise is no ink (less than any pressing leaves).
    let mut stain = false;
    metrics.push(("ink_mm2", ink.area as f32 / mm2));
    metrics.push(("print_black", f.black));
    let (mut diameter_mm, mut side_mm, mut tilt_deg) = (None, None, None);
    if empty {
        labels.found(Defect::Empty, "ink_mm2", ink.area as f32 / mm2, Op::Below, empty_area / mm2);
    } else {
        // Overlap with the box line.
        let on_line = if kind.is_seal() {
            ink.mask.iter().zip(&f.region).map(|(&m, &reg)| u32::from((m != 0) & (reg != 2))).sum::<u32>() as usize
        } else {
            crossings(&f, &own_writing(&ink.mask, &f, frame, ink.p_ink), ink.p_ink, frame)
        };
        metrics.push(("on_line", on_line as f32));
        let min_on = match (kind, &shape) {
            (SampleKind::OfficialSeal, Some(s)) => grazing_ring_mm2(s.r / ppmm, ppmm) * mm2,
            (SampleKind::OfficialSeal | SampleKind::LegalRepSeal, _) => (0.05 * mm2).max(4.0),
            (SampleKind::Signature, _) => 3.0,
        };
        if on_line as f32 >= min_on {
            if kind.is_seal() {
                metrics.push(("on_line_mm2", on_line as f32 / mm2));
                labels.found(Defect::OverlapLine, "on_line_mm2", on_line as f32 / mm2, Op::Above, min_on / mm2);
            } else {
                labels.found(Defect::OverlapLine, "pen_crossings", on_line as f32, Op::Above, min_on);
            }
        }
        if let Some(s) = shape {
            judge_seal(&f, &ink, &s, kind, skew, &mut labels, &mut metrics);
            withdraw_unreadable_structure(ink.p_ink, &mut labels, &mut metrics);
            let noise = only_paper_noise(kind, ink.area as f32 / mm2, &mut labels, &metrics);
            stain = !noise && only_a_stain(&mut labels, &metrics);
            empty = noise || stain;
        }
        if let (false, Some(s)) = (empty, shape) {
            let edge = metric(&metrics, "edge_w_px").zip(metric(&metrics, "edge_h_px"));
            if kind == SampleKind::OfficialSeal {
                diameter_mm = Some(edge.map_or((2.0 * s.r + 1.0) / ppmm, |(w, _)| w / ppmm));
                tilt_deg = Some(metric(&metrics, "tilt").unwrap_or(0.0));
            } else {
                let broken = labels.contains(Defect::Broken);
                let side = match edge {
                    Some((w, h)) => {
                        // A face pushed over the box's line has a side beyond it, in what the
                        // form prints there (a hatched caption strip, the next box's line), whose
                        // edge then wanders off its fitted line as a cut's does: where nothing
                        // was found lost, the sides are read whole (issue 76: I's 法人章 pushed
                        // 3 mm over a line were given the square of their long side, 2.4–2.5 mm
                        // off; test `a_rectangle_pushed_over_the_line_keeps_its_sides`).
                        let over_a_line = labels.contains(Defect::OverlapLine) && !broken;
                        let on_line = metric(&metrics, "side_on_line_w").zip(metric(&metrics, "side_on_line_h")).filter(|_| !over_a_line);
                        face_side(w, h, on_line, broken)
                    }
                    // A broken square loses extent on one side only: take the larger one then.
                    None => 1.0 + if broken { s.rect_wu.max(s.rect_wv) } else { 0.5 * (s.rect_wu + s.rect_wv) },
                };
                side_mm = Some(side / ppmm);
                tilt_deg = Some(metric(&metrics, "tilt").unwrap_or(s.rect_angle));
            }
        } else if !kind.is_seal() {
            metrics.push(("p_ink", ink.p_ink));
            let density = ink_density(&f, ink.indices(f.w));
            metrics.push(("density", density));
            metrics.push(("absorbed", absorbed(density, f.black)));
            labels.rule(Defect::Pale, "pale.signature", &metrics);
        }
    }
    bg_not_white(&f, &ink, kind, &mut labels, &mut metrics);
    let (defects, findings, unchecked) = labels.finish(kind);
    let score = score(&defects, (!empty).then_some(ink.p_ink));
    // Ink set aside as a stain keeps its pixels: the clerk sees what the importer called empty
    // and may take it all the same, as for a seal so bled that it fills its face (issue 34: the
    // clerk decides at the edge). The paper's noise has nothing to show but its speckles.
    let (pixels, mask_offset, image_mm) = if empty && !stain { (SamplePixels::default(), [f.x0, f.y0], [0.0, 0.0]) } else { render(&f, &ink, kind, frame, dpi, out_dpi) };
    Sample {
        box_quad: quad,
        row,
        col,
        kind,
        empty,
        defects,
        findings,
        unchecked,
        score,
        best: false,
        mask: None,
        mask_offset,
        image: None,
        diameter_mm,
        side_mm,
        tilt_deg,
        image_mm,
        pixels,
        metrics,
    }
}

/// Where a side counts as cut away: the share of its positions on its fitted line
/// (`EdgeSize::on_line`, the less of the pair) under which an axis's extent is not the face's.
const SIDE_CUT_ON_LINE: f32 = 0.6;

/// The longest a 法人章's face is against its width: squares and rectangles standing or lying
/// up to 1.6 : 1.
const FACE_ASPECT_MAX: f32 = 1.6;

/// The mean side of a 法人章's face (`side_mm`), from its fitted sides `w` × `h` (any unit;
/// `quantities::outer_size`, each side a line fitted to its edge) and the share of each
/// axis's sides on their fitted lines (`on_line`, across w and across h; `broken`, the label,
/// only where there is none). Both axes' extents stand where each of their four sides keeps its
/// edge: a lost corner or voids leave a side's line where the rest of it lies, and the mean of w
/// and h is the face's (issue 76: maker D's and E's broken rectangles read within 0.1 mm of
/// their truth; the larger of the two, what a broken face was given before, called a
/// 21 × 16 mm face 21 mm). A cap lost across the whole of one side leaves the shorter axis
/// short: one of its sides is the cut's ragged edge, under `SIDE_CUT_ON_LINE` of its positions
/// on one line, while the other axis's sides, which the cut runs across, stay whole (each at
/// `SIDE_CUT_ON_LINE` or more). A corner cut away takes part of a side of each axis, and the
/// lines fitted to the pieces left stand where the face's sides were: the measured sides are the
/// face's (issue 76, maker Q, a dev set since its sizes were read: rectangles of 1.2–1.35 : 1
/// that lost a corner were squared, 1.7–2.1 mm large; so were six of the other sets', 1.8–3.6
/// mm). The shorter axis's extent, cut across a whole side, is then a lower bound only, and
/// the face is the square of the whole axis, unless the cut leaves it narrower than any face's
/// proportion allows (`FACE_ASPECT_MAX`): then the rectangle of that proportion, the least face
/// the whole axis allows. A cut along the longer axis keeps its measured extent (the whole
/// shorter axis allows a rectangle of 1.25–1.6 : 1, and nothing says which). Where the label
/// was missed and a side is cut all the same (F-heldout 031, D-heldout 032: squares that lost
/// 4-5 mm across a side), the sides say so and the square is kept.
fn face_side(w: f32, h: f32, on_line: Option<(f32, f32)>, broken: bool) -> f32 {
    let Some((on_w, on_h)) = on_line else { return if broken { w.max(h) } else { 0.5 * (w + h) } };
    let (short, long, on_short, on_long) = if w <= h { (w, h, on_w, on_h) } else { (h, w, on_h, on_w) };
    if on_short < SIDE_CUT_ON_LINE && on_long >= SIDE_CUT_ON_LINE {
        let across = if short * FACE_ASPECT_MAX >= long { long } else { long / FACE_ASPECT_MAX };
        0.5 * (across + long)
    } else {
        0.5 * (w + h)
    }
}

/// Issue 76: a side that lost its frame, the characters cut with it standing at the outline
/// (`broken.lost_side.square`, `frame_inset_mm`) where the gaps between them are too short for
/// `broken.seal`'s border. Not on a face over the box's line: the line's print, no seal ink,
/// crosses the face and the outline is fitted to what it leaves (C-heldout 037, a whole 法人章
/// pushed 3 mm across its box's left line at 150 dpi: the rectangle 1.9 mm rms off its ink, the
/// band read 0.9 mm in). There the sample says the check was not made, and why.
fn lost_side(labels: &mut Labels, metrics: &[(&'static str, f32)]) {
    if !labels.contains(Defect::OverlapLine) {
        labels.rule(Defect::Broken, "broken.lost_side.square", metrics);
    } else if let Some(reason) = thresholds().finding("broken.lost_side.square", Defect::Broken, metrics).filter(|_| !labels.contains(Defect::Broken)) {
        labels.not_read(reason);
    }
}

/// The labels read from the mask's outline and layout: its border, a second outline, edges
/// widened along one direction, its angle, its reach onto the box line.
const STRUCTURAL: [Defect; 5] = [Defect::Broken, Defect::Double, Defect::Smudged, Defect::Tilted, Defect::OverlapLine];

/// A pale impression whose ink stands less than 2·√2 noise σ above the paper (`ink_snr` =
/// `p_ink` / `paper_noise` < 2√2): the mask is cut at half the ink's step and the redness
/// carries the noise of two channels, so the cut lies within one σ of either level and about
/// one pixel in six falls on the wrong side. No gap, second outline, smear or angle can be read
/// from such a mask (issue 34: maker C's faintest stamps on tinted paper read broken, tilted,
/// double and over the line at once); the impression is judged pale, which sends it back on its
/// own, and the structure is not judged. Nor is its hue (`off_color`): it is read on the
/// pixels at 0.8 of the ink's step, which at this σ the noise picks rather than the ink (issue
/// 34: C's empty boxes on noisy paper read as pale seals 20–28° off red, its true pale stamps
/// at the same σ 2–12°). The same σ gates the smear's edges at 6·√2/√3, and with too little
/// ink for any pressing the box is empty (`only_paper_noise`).
fn withdraw_unreadable_structure(p_ink: f32, labels: &mut Labels, metrics: &mut Vec<(&'static str, f32)>) {
    let Some(noise) = metric(metrics, "paper_noise").filter(|n| *n > 0.0) else { return };
    let snr = p_ink / noise;
    metrics.push(("ink_snr", snr));
    let readable = 2.0 * std::f32::consts::SQRT_2;
    if labels.contains(Defect::Pale) && snr < readable {
        labels.withdraw(&STRUCTURAL);
        labels.withdraw(&[Defect::OffColor]);
        // Said, so that a clerk who accepts the pale impression knows what was not looked at.
        for label in STRUCTURAL.into_iter().chain([Defect::OffColor]) {
            labels.not_checked(label, "ink_snr", snr, Op::Below, readable);
        }
    }
}

/// The seal's ink down to a quarter of its step (`p_ink`), but never within 3·√2 noise σ of the
/// paper (the redness carries two channels' noise), inside the box and within 4 mm of the
/// fitted outline (a second pressing lies at most 3.5 mm off; further out is a neighbour's or
/// the page's).
fn faint_ink_mask(f: &BoxFeatures, p_ink: f32, noise: f32, outline: Outline, ppmm: f32) -> Vec<u8> {
    let level = (0.25 * p_ink).max(3.0 * std::f32::consts::SQRT_2 * noise).ceil().min(255.0) as u8;
    let margin = 4.0 * ppmm;
    let mut faint = vec![0u8; f.w * f.h];
    for (y, ((out, red), region)) in faint.chunks_exact_mut(f.w).zip(f.red.chunks_exact(f.w)).zip(f.region.chunks_exact(f.w)).enumerate() {
        let span = outline.row_span(y, margin, f.w);
        for ((o, &r), &reg) in out[span.clone()].iter_mut().zip(&red[span.clone()]).zip(&region[span]) {
            *o = u8::from(reg == 2 && r >= level);
        }
    }
    faint
}

/// The least ink a seal's pressing leaves, mm²: half the border of the smallest seal of its
/// kind (a 公章 38 mm across with a 1 mm border, GA 241: 60 mm²; a 法人章 15 mm square with a
/// 0.8 mm frame: 24 mm²). A pressing faint enough to lose more than half of its border would
/// leave nothing else either. A signature has no border, so no such least: `None`.
fn least_pressing_mm2(kind: SampleKind) -> Option<f32> {
    match kind {
        SampleKind::OfficialSeal => Some(0.5 * std::f32::consts::PI * 38.0 * 1.0),
        SampleKind::LegalRepSeal => Some(0.5 * 4.0 * 15.0 * 0.8),
        SampleKind::Signature => None,
    }
}

/// The most ink a round seal's ring leaves on the box line's band while it only grazes the
/// line, mm²: the circular segment of a ring of outer radius `r_mm` reaching `δ` into the band,
/// `(4/3)·√(2r)·δ^1.5`, with δ the borderline's 0.3 mm (as for a pen stroke that stops short)
/// plus the band's pixel inside the box. A 40 mm 公章 grazing the line leaves 2.0 mm² at
/// 300 dpi, 2.7 at 150; one that crosses it covers the line along several mm (C's true
/// overlaps with no ink beyond the line: 2.9-8 mm²). Issue 34: C's seals drawn close to the
/// line, borderline and not over it, put 0.1-1.6 mm² on the band and read `overlap_line`.
fn grazing_ring_mm2(r_mm: f32, ppmm: f32) -> f32 {
    let depth = 0.3 + 1.0 / ppmm;
    4.0 / 3.0 * (2.0 * r_mm).sqrt() * depth.powf(1.5)
}

/// The most a round seal's fitted circle may miss its ink (rms, mm) for its border to be read
/// along it: half the band `border_continuity` reads across (0.5 mm outside the outline to 1.5
/// mm inside). A circle further off leaves the border outside that band over much of its length
/// (issue 34: C-dev2's crowded rows, a neighbour's ink in the box, fitted circles 1.3–1.7 mm off
/// read `broken`; the broken seals of every dev and held-out set fit within 0.9 mm).
const BORDER_FOLLOWS_MM: f32 = 1.0;

/// How far apart a pair of opposite sides' two ends may move and still be one translation, mm
/// (`side_shift_mm`): two readings' steps of 0.1 mm each end and a corner's rounding read a
/// little differently on a worn side; a face broken across two opposite corners shortens both
/// sides by what each lost, rarely alike.
const SHIFT_ENDS_AGREE_MM: f32 = 0.5;

/// `double` or `smudged`, by the shape's rules (`rules.doubles` are alternatives, the first that
/// fires gives the reason: a round seal's echo, then its ring beyond). A second impression close to the first
/// widens the edges along its offset as a smear does: with a double found, the widening is the
/// double's. But when the ink's echo lies on the smallest offset searched it has no place of
/// its own (`Echo::unlocated`): the ink repeats at no distinct offset, and where the edges
/// show a smear, that echo is the smear's own spread, not a second pressing (on a square,
/// whose double is read on the frame: B-dev 029, a smear whose frame read a second line).
/// Where no double rule fires, or the echo is the smear's, the trail's shape decides
/// (`rules.plateau`, on `trail_rise`): a drag's ink fades along it, a second pressing closer
/// than a stroke's width stands flat at its own level over the offset (issue 34: A's, B's and
/// C's doubles 0.6–1.4 mm apart, their echo merged into the stroke, read `smudged` or nothing).
/// Closer than about 0.9 mm the blur leaves the copy's level a shoulder that still climbs, not a
/// flat stretch; what a smear would then read is taken as a copy where its trail climbs slower
/// than a drag of the definition does at uniform pressure and ends in an edge as sharp as the
/// one that leads (`rules.sharp_foot`: `trail_rise` and `trail_foot`, the foot the reason): a
/// drag that climbs so slowly is one at falling pressure, and it ends in its faintest ink
/// (issue 34 v14: B's doubles 0.6–0.9 mm apart were its main false smears). A trail that climbs
/// faster than that somewhere, but slower than any single edge (`rules.sharp_ends`), is a copy
/// where it ends as sharply as it leads and the lead is as sharp as the edges across
/// (`lead_sharp`): a long drag at uniform pressure ends as sharply but ramps its lead too, one
/// at falling pressure ends in its faintest ink (v14.1).
///
/// On a square a frame that does not widen along the characters' smear (`frame_smear`,
/// `rules.unshared`) refuses the smear and the copies read as one from its trail's ends (sharp
/// foot, sharp ends): a drag moves the whole rubber, frame and characters alike; a typeface
/// whose strokes taper along a diagonal widens the characters only (issue 34 v14.2: B's and
/// C's Song-face 法人章). The smear is then said as a check not made, the frame the reason.
/// `rules.doubles` (a second frame line, an echo) and the plateau still read: a copy's flat
/// shoulder is no taper's (and vetoing it lost C's doubles, the frame's widening hidden in
/// its second line).
///
/// On a square the trail's foot (`trail_foot`, `rules.fading`) can refuse `rules.doubles`:
/// where it climbs much slower than the leading edge, the widening ends in faint ink as a
/// drag's does, and the second frame line read beside it is the smear's trail along the frame.
/// The plateau is read either way: a copy at a low level climbs little before it stands flat.
/// Where the refused line gives no label, the double is recorded as a check not made, the
/// foot as the reason: the clerk sees the line was there and why it was not counted.
///
/// On either shape a trail that ends as sharply as it leads, the lead as sharp as the edges
/// across (`rules.ends_sharp`: `trail_foot` and `lead_sharp`), where it climbs too fast for
/// `sharp_ends`' copy, refuses the smear: a drag ramps one end at least, its lead at uniform
/// pressure, its foot at falling pressure; edges sharp at both ends and wider along one
/// direction are the noise of a pale or off-colour impression's edges (issue 34 v14.5: on the
/// dev sets B-dev2 026, an off-colour 法人章, and no smear). Said as a check not made, the lead
/// the reason.
///
/// On a 阴文 face (`paper_field` under `smudged.square`'s gate) the characters' edges are the
/// cut strokes' in a field of uneven ink, and their widening alone says nothing; the field's
/// outer edge is a straight cut that no texture widens. `rules.field_smear` reads the smear
/// there where that edge widens with the characters (`frame_smear`, about 1 for a moved
/// rubber, about 0 for the grain), the foot fades as a drag's and the trail climbs as one,
/// not as a copy's shoulder (issue 76: over the 22 held-out sets 21 of the 65 法人章 smears
/// missed were 阴文, every one reading `frame_smear` 0.69 and more).
fn double_or_smear(echo: Option<Echo>, labels: &mut Labels, metrics: &[(&'static str, f32)], rules: &ShapeRules) {
    let fading = rules.fading.and_then(|rule| thresholds().finding(rule, Defect::Double, metrics));
    let unshared = rules.unshared.and_then(|rule| thresholds().finding(rule, Defect::Smudged, metrics));
    let smear_fires = thresholds().fires(rules.smear, metrics) && unshared.is_none();
    let the_smears = echo.is_some_and(|e| e.unlocated) && smear_fires;
    if fading.is_none() && !the_smears && rules.doubles.iter().any(|rule| labels.rule(Defect::Double, rule, metrics)) {
        return;
    }
    // The sharp foot and the sharp ends re-read what the smear rule would call a smear, and
    // only that (not where the frame does not share the widening, `smear_fires`). The plateau
    // is read either way: a copy at a low level stands flat, which no typeface's taper does.
    if labels.rule(Defect::Double, rules.plateau, metrics)
        || (smear_fires && (labels.rule(Defect::Double, rules.sharp_foot, metrics) || labels.rule(Defect::Double, rules.sharp_ends, metrics)))
    {
        return;
    }
    // A second line the veto set aside is still there: the double is neither found nor ruled
    // out, and the clerk is told why.
    if let Some(veto) = fading.filter(|_| rules.doubles.iter().any(|rule| thresholds().fires(rule, metrics))) {
        labels.not_read(veto);
    }
    // A widening the frame does not share is the characters' own: said, as a check not made
    // with the frame as the reason, where the smear rule alone would have called it a smear.
    // Both ends as sharp as an edge, the trail climbing as one: no drag's (see above), said
    // the same way, the lead the reason.
    let ends_sharp = || thresholds().finding(rules.ends_sharp, Defect::Smudged, metrics);
    match unshared.or_else(ends_sharp).filter(|_| thresholds().fires(rules.smear, metrics)) {
        Some(veto) => labels.not_read(veto),
        None => {
            // (`rules.field_smear` reads a 阴文 face, where `rules.smear`'s gate is shut)
            if !labels.rule(Defect::Smudged, rules.smear, metrics)
                && let Some(rule) = rules.field_smear
            {
                labels.rule(Defect::Smudged, rule, metrics);
            }
        }
    }
    // A ring widened towards two opposite sides, or a square's sides ending apart, where no
    // echo, no copy's edge and no smear was read: a second pressing too close or too faint for
    // the echo, or on a 阴文 face with no frame line to see twice (a smear widens and moves the
    // outline the same way, by less, and is read first; a double set aside by a veto stays set
    // aside).
    if let Some(rule) = rules.outline_copy
        && !labels.contains(Defect::Smudged)
        && !labels.is_unread(Defect::Double)
    {
        labels.rule(Defect::Double, rule, metrics);
    }
}

/// A 阴文 face (characters cut out of a field of ink: its paper in pieces, `paper_field` at or
/// under `smudged.square`'s limit) is read for a smear only by `smudged.field.square` (the
/// field's edge widening with it), and not for a second pressing where its frame band is the
/// field and not a line (`frame_width_mm` at or over `double.square`'s limit): the edges there
/// are the cut strokes' inside a field of uneven ink, and the corner margins lie in the field.
/// Said, as a check not made with the face as the reason, so that a 阴文 法人章 without a
/// label is no clean bill for the clerk (issue 34 v13.9: B draws a quarter of its 法人章 so;
/// over the dev sets the note names 70 true doubles and smears no label gave). Nothing is said beside a double found (the smear is not read there anyway),
/// nor for a label already unchecked for another reason.
fn cut_face_unread(labels: &mut Labels, metrics: &[(&'static str, f32)]) {
    let t = thresholds();
    if labels.contains(Defect::Double) {
        return;
    }
    let frame_is_field = metric(metrics, "frame_width_mm").is_none() || t.gate_shut("double.square", "frame_width_mm", Defect::Double, metrics).is_some();
    for (label, unread) in [(Defect::Double, frame_is_field), (Defect::Smudged, true)] {
        if !unread || labels.contains(label) || labels.is_unread(label) {
            continue;
        }
        if let Some(face) = cut_face(label, metrics) {
            labels.not_read(face);
        }
    }
}

/// Whether a square seal's face is 阴文 (its paper in pieces: `paper_field` at or under
/// `smudged.square`'s limit), as the reason `label` cannot be read from its edges; `None` on a
/// 朱文 face or where the face was not measured.
fn cut_face(label: Defect, metrics: &[(&'static str, f32)]) -> Option<Finding> {
    thresholds().gate_shut("smudged.square", "paper_field", label, metrics)
}

/// How far the mask's echo stands from a square's second frame line (`frame_echo_apart_mm`):
/// the echo's offset `e` taken along each of the outline's axes (`outline_deg`, the first
/// side's; both clockwise on screen), against the depth the second line was read at behind
/// the frame, the nearer of the two. A second pressing is seen by both at the same place: its
/// frame line stands behind the sides across its offset at the offset's part along that axis,
/// and the whole copy repeats there; the echo is read on 0.2-mm cells and the line every 0.1
/// mm, each within a cell of a copy's own offset. A seal's text repeats at its characters'
/// pitch and a smear's trail spreads the echo, neither at the line's depth.
fn frame_echo_apart_mm(e: Echo, outline_deg: f32, line_mm: f32) -> f32 {
    let (s, c) = (e.deg - outline_deg).to_radians().sin_cos();
    (e.offset_mm * c.abs() - line_mm).abs().min((e.offset_mm * s.abs() - line_mm).abs())
}

/// The rules that tell `double` from `smudged` on one shape of seal (see `double_or_smear`).
pub(crate) struct ShapeRules {
    /// Alternatives, the first that fires gives the reason.
    pub doubles: &'static [&'static str],
    /// A trail that stands flat instead of fading.
    pub plateau: &'static str,
    /// What the smear rule would read (`smear` fires), with a trail that climbs slowly and ends
    /// sharply: a copy's shoulder. Its own limits are the trail's only.
    pub sharp_foot: &'static str,
    /// The same, where the trail climbs faster than `sharp_foot`'s limit but slower than an
    /// edge: both its ends and its lead as sharp as a copy's.
    pub sharp_ends: &'static str,
    pub smear: &'static str,
    /// A trail's foot that fades as a smear's: no double from `doubles`.
    pub fading: Option<&'static str>,
    /// A frame that does not widen along the characters' smear: no smear, and no copy read
    /// from the ends of its trail (`sharp_foot`, `sharp_ends`; the plateau still reads).
    pub unshared: Option<&'static str>,
    /// A trail that ends and leads as sharply as an edge where it climbs as one (no copy's
    /// shoulder for `sharp_ends`): no smear.
    pub ends_sharp: &'static str,
    /// The outline shaped as a second pressing's union with the first (a round seal's ring
    /// thicker towards two opposite sides, `ring_h2_mm`; a square's opposite sides ending apart
    /// at both corners, `side_shift_mm`), read last, where neither a double nor a smear was.
    pub outline_copy: Option<&'static str>,
    /// A smear on a 阴文 face, where `smear` does not read: confirmed by the field's own edge
    /// widening with it, a foot that fades and a trail that climbs as a drag's.
    pub field_smear: Option<&'static str>,
}

pub(crate) const ROUND_RULES: ShapeRules = ShapeRules {
    doubles: &["double.round", "double.beyond"],
    plateau: "double.plateau.round",
    sharp_foot: "double.sharp_foot.round",
    sharp_ends: "double.sharp_ends.round",
    smear: "smudged.round",
    fading: None,
    unshared: None,
    ends_sharp: "smear.sharp_ends",
    outline_copy: Some("double.ring"),
    field_smear: None,
};
pub(crate) const SQUARE_RULES: ShapeRules = ShapeRules {
    doubles: &["double.square", "double.square.echo"],
    plateau: "double.plateau.square",
    sharp_foot: "double.sharp_foot.square",
    sharp_ends: "double.sharp_ends.square",
    smear: "smudged.square",
    fading: Some("trail.fading.square"),
    unshared: Some("smear.unshared.square"),
    ends_sharp: "smear.sharp_ends",
    outline_copy: Some("double.shifted_sides.square"),
    field_smear: Some("smudged.field.square"),
};

/// Whether a seal box's pale "ink" is only the paper's noise: ink within 2·√2 noise σ of the
/// paper (`ink_snr`, the cut that makes the mask then lets one pixel in six through on either
/// side) and either less of it than any pressing leaves (`least_pressing_mm2`) or of the noise's
/// own colour (`NOISE_HUE_DEG`). What such a mask holds is the noise's larger clumps, scattered
/// over the box (a circle fitted to them misses by 3–9 mm): the box is empty, and its labels
/// become that (issue 34: C's empty boxes on paper of σ 9–16 read as pale seals of 3–51 mm², its
/// true pale stamps 114 mm² and more).
///
/// The colour: the redness `R − G` picks, out of the paper's noise, the pixels whose red
/// stands above the paper and whose green below it, blue as the paper's, a colour towards
/// purple; their hue (read at 0.8 of the "ink's" step, as `off_color`'s) is the measure's, not
/// an ink's. Where a clump of that noise covers as much as a pressing (issue 34 v14.5: C-dev
/// 009, 89 mm² on a 法人章; the held-out C2 up to 282 mm² at 150 dpi), the hue still tells.
fn only_paper_noise(kind: SampleKind, ink_mm2: f32, labels: &mut Labels, metrics: &[(&'static str, f32)]) -> bool {
    let snr = metric(metrics, "ink_snr");
    let Some(least) = least_pressing_mm2(kind) else { return false };
    let in_noise = labels.contains(Defect::Pale) && snr.is_some_and(|v| v < 2.0 * std::f32::consts::SQRT_2);
    let towards_purple = metric(metrics, "hue").map(|h| -h).filter(|&p| p > NOISE_HUE_DEG);
    let noise = in_noise && (ink_mm2 < least || towards_purple.is_some());
    if noise {
        labels.withdraw(&Defect::ALL);
        match towards_purple.filter(|_| ink_mm2 >= least) {
            Some(p) => labels.found(Defect::Empty, "noise_hue", p, Op::Above, NOISE_HUE_DEG),
            None => labels.found(Defect::Empty, "ink_mm2", ink_mm2, Op::Below, least),
        }
    }
    noise
}

/// How far towards purple (degrees below red's 0) the hue of "ink" lost in the paper's noise
/// may lie and still be an ink's (`only_paper_noise`): half way between the most purple of
/// the dev sets' true pale impressions at that noise (C-dev: −2° to −11.6°) and the least
/// purple of their empty boxes' noise (−21.1° to −27.9°). Beyond `off_color`'s 12°: an
/// impression in the noise is not judged off-colour (`withdraw_unreadable_structure`), and a
/// purple-red ink that pale is told to stamp again either way.
const NOISE_HUE_DEG: f32 = 16.0;

/// The largest share of its disc a 公章's ink covers (`disc_fill`, the ink over the fitted
/// circle's area). A 公章 is strokes (GA 241): a 40 mm seal's 1.2 mm ring covers 0.12 of its
/// disc, its text about 0.14, its star 0.04: 0.3; a second pressing or a smear at most
/// doubles that (every stroke twice: 0.6). Ink filling more of its disc is one patch, a stain
/// on the paper, whose mask the paper's noise leaves speckled at the cut (0.8) or whole (1):
/// B's tan stains on tinted paper, balanced against the tint, read as pale 公章 of 0.81–1.0
/// (issue 34); every dev and held-out 公章, doubled, smeared and pale ones included, covers
/// 0.58 or less.
const MOST_DISC_FILL: f32 = 0.7;

/// The share of its fitted circle (radius `r` px) that `area_px` pixels of ink cover.
fn disc_fill(area_px: usize, r: f32) -> f32 {
    area_px as f32 / (std::f32::consts::PI * r * r)
}

/// The most a stamped impression's edges spread beyond the scanner's own in every direction
/// (`blur_excess_mm`, the smallest of the directions' excesses). A face is carved: its ink
/// ends where the rubber does, softened only by the ink's bleed into the paper, and a smear
/// widens the edges along one direction, not across it. A stain soaks into the paper and
/// fades out over millimetres all round. Issue 76, maker J (a dev set since its rows were
/// read): a tea stain alone in an empty 法人章 box read 1.19 mm and was judged a pale, broken,
/// double, tilted, orange seal; the true impressions of A, A's photos and B–J (8 to 40 sheets
/// of each maker), smeared ones included, read 0.65 mm and less.
const MOST_EDGE_BLUR_MM: f32 = 0.9;

/// How far towards orange (degrees above red's 0) the hue of an impression too pale to pass
/// may lie and still be a seal's ink (`stain_hue`, `only_a_stain`). A seal's ink is red or
/// purple-red, and pressed pale it keeps its hue, which is read at a normal impression's
/// strength (`ink_hue`): the true pale impressions of the sixteen sets read −9.4° to +3.5° on
/// white paper. Tea, coffee and rust leave a pale orange-brown: the stains that passed for pale
/// seals read +18.2° to +35.6° (maker P's coffee drops, whose darker rim reads as a ring, at
/// +23.8° to +26.7°). A pale seal pressed over such a stain takes on some of its orange: two
/// read +15.0° and +20.9°; the second is called a stain, and either way the box is stamped
/// again. As far from red as the purple limit of the paper's noise (`NOISE_HUE_DEG`).
const STAIN_HUE_DEG: f32 = 16.0;

/// Whether a seal box's "ink" is a stain: it covers more of its disc than any pressing
/// (`MOST_DISC_FILL`, round seals), its edges fade out all round as no carved face's do
/// (`MOST_EDGE_BLUR_MM`), or it is too pale to pass and orange-brown, as no seal ink pressed
/// pale is (`STAIN_HUE_DEG`). The box is empty and its paper not white, both for that reason.
fn only_a_stain(labels: &mut Labels, metrics: &[(&'static str, f32)]) -> bool {
    let fill = metric(metrics, "disc_fill").filter(|&f| f > MOST_DISC_FILL).map(|f| ("disc_fill", f, MOST_DISC_FILL));
    let soft = || metric(metrics, "blur_excess_mm").filter(|&b| b > MOST_EDGE_BLUR_MM).map(|b| ("blur_excess_mm", b, MOST_EDGE_BLUR_MM));
    let pale = labels.contains(Defect::Pale);
    let brown = || metric(metrics, "hue").filter(|&h| pale && h > STAIN_HUE_DEG).map(|h| ("stain_hue", h, STAIN_HUE_DEG));
    let Some((quantity, value, limit)) = fill.or_else(soft).or_else(brown) else { return false };
    labels.withdraw(&Defect::ALL);
    labels.found(Defect::Empty, quantity, value, Op::Above, limit);
    labels.found(Defect::BgNotWhite, quantity, value, Op::Above, limit);
    true
}

/// Score of a sample, 0–100: each label costs by how much it spoils the impression; among
/// acceptable samples, stronger ink (`p_ink`, none when empty) scores higher.
fn score(defects: &[Defect], p_ink: Option<f32>) -> f32 {
    let mut score = 100.0f32;
    for d in defects {
        score -= match d {
            Defect::Empty => 100.0,
            Defect::Broken | Defect::Double => 40.0,
            Defect::Smudged | Defect::TextUnder => 35.0,
            Defect::OverlapLine | Defect::OffColor | Defect::Pale => 30.0,
            Defect::Tilted => 25.0,
            Defect::BgNotWhite => 20.0,
        };
    }
    if let Some(p) = p_ink {
        score += (p / 255.0 * 10.0).min(10.0) - 10.0;
    }
    score.clamp(0.0, 100.0)
}

#[wide_when_available]
#[allow(clippy::too_many_arguments)]
fn judge_seal(f: &BoxFeatures, ink: &InkMask, s: &Shape, kind: SampleKind, skew: f32, labels: &mut Labels, metrics: &mut Vec<(&'static str, f32)>) {
    let ppmm = f.ppmm;
    let mm2 = ppmm * ppmm;
    let frame = crate::page::Frame::new(skew);
    let pts_idx = ink.indices(f.w);
    let page = |i: usize| frame.to_page((f.x0 as usize + i % f.w) as f32 + 0.5, (f.y0 as usize + i / f.w) as f32 + 0.5);
    metrics.push(("p_ink", ink.p_ink));
    let density = ink_density(f, ink.indices(f.w));
    metrics.push(("density", density));
    metrics.push(("absorbed", absorbed(density, f.black)));
    labels.rule(Defect::Pale, "pale.seal", metrics);
    // Colour: hue of the strong ink, from its densities (linear light, against the box's
    // paper), so the amount of ink does not move it: a thinner or thicker layer of one ink
    // scales every channel's density alike (Beer-Lambert), and the colour the ink has at a
    // normal impression's strength (`NORMAL_INK_OD`) is read for its hue. The mean of the coded
    // levels moved with the amount (issue 34: C's pale impressions of a red ink read 13-20°
    // towards purple, past the 12° limit).
    let od = optical_density_table();
    let (mut sd, mut n) = ([0.0f32; 3], 0.0f32);
    for &i in pts_idx {
        if f.red[i] as f32 >= 0.8 * ink.p_ink {
            for (c, d) in sd.iter_mut().enumerate() {
                *d += od[usize::from(f.rgb[c][i])];
            }
            n += 1.0;
        }
    }
    let hue = if n > 0.0 { ink_hue(sd.map(|d| d / n)) } else { 0.0 };
    metrics.push(("hue", hue));
    // The finding's value is the distance from red, |hue| (the sign, purple or orange, is in `metrics`).
    labels.check(Defect::OffColor, "hue", hue.abs(), Op::Above, RED_HUE_TOLERANCE_DEG);
    let ring_w = 1.3 * ppmm;
    let round = kind == SampleKind::OfficialSeal;
    // Coverage of the outer border, tilt, fill.
    let mut bins = [false; BINS];
    let mut ang_hist = vec![0f32; 72];
    let (sa, ca) = s.rect_angle.to_radians().sin_cos();
    let (half_u, half_v) = (0.5 * s.rect_wu, 0.5 * s.rect_wv);
    // Rectangle centre in page frame.
    let (mut rcu, mut rcv) = (0.0f32, 0.0f32);
    if !round {
        let (mut a0, mut a1, mut b0, mut b1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for &i in pts_idx {
            let (u, v) = page(i);
            let (a, b) = (u * ca + v * sa, -u * sa + v * ca);
            a0 = a0.min(a);
            a1 = a1.max(a);
            b0 = b0.min(b);
            b1 = b1.max(b);
        }
        rcu = 0.5 * (a0 + a1);
        rcv = 0.5 * (b0 + b1);
    }
    for &i in pts_idx {
        let (u, v) = page(i);
        if round {
            let (du, dv) = (u - s.cu, v - s.cv);
            let r = (du * du + dv * dv).sqrt();
            let a = atan2_fast(dv, du);
            if r >= s.r - ring_w && r <= s.r + 1.0 {
                bins[angle_bin(a, BINS)] = true;
            }
            if r >= 0.55 * s.r && r <= 0.8 * s.r {
                ang_hist[angle_bin(a, 72)] += 1.0;
            }
        } else {
            let (a, b) = (u * ca + v * sa - rcu, -u * sa + v * ca - rcv);
            let (da, db) = (half_u - a.abs(), half_v - b.abs());
            if da.min(db) <= ring_w {
                // Perimeter parameter.
                let t = if da < db {
                    if a > 0.0 { 0.25 * (b / half_v + 1.0) * 0.5 } else { 0.5 + 0.25 * (1.0 - b / half_v) * 0.5 }
                } else if b > 0.0 {
                    0.25 + 0.25 * (1.0 - a / half_u) * 0.5
                } else {
                    0.75 + 0.25 * (a / half_u + 1.0) * 0.5
                };
                let bi = ((t.clamp(0.0, 0.9999)) * BINS as f32) as usize;
                bins[bi] = true;
            }
        }
    }
    let coverage = if round {
        bins.iter().filter(|&&b| b).count() as f32 / BINS as f32
    } else {
        // Perimeter bins only cover half of the parameter range by construction of t.
        let used: Vec<usize> = (0..BINS).filter(|&b| (b % 45) < 23).collect();
        used.iter().filter(|&&b| bins[b]).count() as f32 / used.len() as f32
    };
    metrics.push(("coverage", coverage));
    if round {
        metrics.push(("disc_fill", disc_fill(ink.area, s.r)));
    }
    // Issue 34's quantities (beside the old measures until the rules move to them).
    let outline = if round {
        let (x, y) = frame.to_scan(s.cu, s.cv);
        Outline::Circle { cx: x - f.x0 as f32 - 0.5, cy: y - f.y0 as f32 - 0.5, r: s.r + 0.5 }
    } else {
        let (u, v) = (rcu * ca - rcv * sa, rcu * sa + rcv * ca);
        let (x, y) = frame.to_scan(u, v);
        Outline::Rect { cx: x - f.x0 as f32 - 0.5, cy: y - f.y0 as f32 - 0.5, deg: s.rect_angle + skew, half_u: half_u + 0.5, half_v: half_v + 0.5 }
    };
    if let Some(field) = paper_field(&ink.mask, f.w, f.h, ppmm, outline) {
        metrics.push(("paper_field", field));
    }
    // The ink's absorption in its strongest channel (255 − the smallest balanced channel): the
    // border of an orange or purple impression is as present as a red one's.
    let absorption = |i: usize| 255 - f.rgb[0][i].min(f.rgb[1][i]).min(f.rgb[2][i]);
    // The border is read along the fitted outline; a circle that misses the ink by more than
    // `BORDER_FOLLOWS_MM` does not follow it, and the gaps read along it are the circle's.
    let follows = !round || s.circle_rms / ppmm <= BORDER_FOLLOWS_MM;
    if !follows {
        labels.not_checked(Defect::Broken, "circle_rms", s.circle_rms / ppmm, Op::Above, BORDER_FOLLOWS_MM);
    }
    if let Some(b) = follows.then(|| border_continuity(absorption, f.w, f.h, ppmm, outline)).flatten() {
        metrics.push(("border_gap_mm", b.gap_mm));
        metrics.push(("border_present", b.present));
    }
    // The seal's ink only (`seal_ink`, below): red, orange and purple-red keep their absorption;
    // a yellow highlighter, a beige stain or the box's black line, none.
    let seal_ink = |i: usize| absorption(i).min(f.red[i].saturating_mul(2));
    // The size from the border's outer edge at half its own level (design §8), in pixels. A
    // 法人章's sides are read on its own ink: a highlighter's stroke across a side (absorbing in
    // blue, as strong as the border there) set that side's crossings on its own edge, off the
    // fitted line, and the face was taken for one cut across that side (issue 76: X-heldout 019
    // r2c2 and 017 r2c1, 1.5 and 0.6 mm large). Where its own ink reads no side (a pale face at
    // 150 dpi: C-heldout 002 r1c1), the absorption is read as before. A round seal's ring is
    // read on the absorption: its size moved only where it was already off.
    let edge = if round { None } else { outer_size(seal_ink, f.w, f.h, ppmm, outline) }.or_else(|| outer_size(absorption, f.w, f.h, ppmm, outline));
    if let Some(e) = edge {
        metrics.push(("edge_w_px", e.size[0]));
        metrics.push(("edge_h_px", e.size[1]));
        if !round {
            // The sides' share on their fitted lines, the less of each opposite pair: across
            // the outline's first axis (left and right) and across its second (top and bottom).
            metrics.push(("side_on_line_w", e.on_line[1].min(e.on_line[3])));
            metrics.push(("side_on_line_h", e.on_line[0].min(e.on_line[2])));
            // How far a pair of opposite sides ends apart at both corners, the same way and by
            // the same amount within `SHIFT_ENDS_AGREE_MM` (a translation keeps each side's
            // length; a face broken at two opposite corners shortens both): a second pressing
            // offset along the pair's direction (issue 76, see `side_shift_mm`).
            let shift = |p: Option<(f32, f32)>, q: Option<(f32, f32)>| {
                let ((ps, pe), (qs, qe)) = (p?, q?);
                let (ds, de) = ((qs - ps) / ppmm, (qe - pe) / ppmm);
                Some(if ds * de > 0.0 && (ds - de).abs() <= SHIFT_ENDS_AGREE_MM { ds.abs().min(de.abs()) } else { 0.0 })
            };
            if let Some(m) = [shift(e.spans[0], e.spans[2]), shift(e.spans[3], e.spans[1])].into_iter().flatten().reduce(f32::max) {
                metrics.push(("side_shift_mm", m));
            }
        }
    }
    // A second frame line is looked for on the seal's ink only: the absorption capped at twice
    // the redness. Red, orange and purple-red inks keep their absorption (their redness is
    // over half of it); a beige stain (absorption 60-100, redness 10-30) and a black box line
    // (no redness) stay under the frame's level. B-dev2 010: a stain across a 法人章 filled its
    // side margins; C-dev 025: the box line under a side read as its second frame.
    let frame_line = frame_echo(seal_ink, f.w, f.h, ppmm, outline);
    if let Some(e) = frame_line {
        metrics.push(("frame_second", e.second));
        metrics.push(("frame_offset_mm", e.offset_mm));
        metrics.push(("frame_width_mm", e.width_mm));
        metrics.push(("frame_inset_mm", e.inset_mm));
    }
    if let Some(b) = ring_beyond(seal_ink, f.w, f.h, ppmm, outline) {
        metrics.push(("ring_beyond", b.share));
        metrics.push(("ring_beyond_mm", b.offset_mm));
        metrics.push(("ring_beyond_deg", b.deg));
    }
    let stains = Stains::read(f, &ink.mask);
    let noise = stains.noise(f, &ink.mask);
    metrics.push(("paper_stained", stains.share));
    metrics.push(("paper_noise", noise));
    // The echo is read on the mask and on the ink at a quarter of its step (never within 3·√2
    // noise σ of the paper): a second pressing with less ink than the first's half level lies
    // outside the mask (C-dev 022: a copy at about a third of the first's ink, 2.9 mm off, read
    // 0.11 on the mask and 0.28 on the faint ink). The stronger of the two is the echo.
    let echo = double_echo(&ink.mask, f.w, f.h, ppmm);
    let faint = faint_ink_mask(f, ink.p_ink, noise, outline, ppmm);
    let echo = match (echo, double_echo(&faint, f.w, f.h, ppmm)) {
        (Some(a), Some(b)) if b.echo > a.echo => Some(b),
        (None, b) => b,
        (a, _) => a,
    };
    if let Some(e) = echo {
        metrics.push(("double_offset_mm", e.offset_mm));
        metrics.push(("double_deg", e.deg));
        metrics.push(("double_echo", e.echo));
        metrics.push(("double_valley", e.valley));
    }
    if let (Outline::Rect { deg, .. }, Some(e), Some(line)) = (outline, echo, frame_line) {
        metrics.push(("frame_echo_apart_mm", frame_echo_apart_mm(e, deg, line.offset_mm)));
    }
    labels.rule(Defect::Broken, "broken.seal", metrics);
    lost_side(labels, metrics);
    let (w, h) = (f.w, f.h);

    // Issue 34 (design §2.4): the spread of the ink's edges by direction against the scanner's
    // own, read on the luma darkness (full resolution in a JPEG, where the redness's chroma is
    // subsampled, often along one axis only). The ink's edges are found on the redness's half
    // level; the scanner's on the box's ruled lines (printed, sharp). An edge's spread is only
    // a width when the ink's step stands well above the scan's noise: the paper's noise, σ in
    // levels (`Stains::noise`: the lower quartile of the balanced green plane on the box's
    // paper under white, or under a stain's level); the spreads are read when p_ink ≥ 6·√2·σ/√3
    // (the redness R − G carries the noise of two channels; each profile sample averages three
    // parallel lines, which takes the noise down by √3: C-dev2's smears on paper of σ 12–15 went
    // unread at 6·√2·σ).
    if ink.p_ink >= 6.0 * std::f32::consts::SQRT_2 / 3f32.sqrt() * noise {
        // The ink's edge points: mask pixels with a 4-neighbour off the mask (a hard edge has
        // no pixel at half level, a blurred one has them next to these).
        let edges: Vec<usize> = ink
            .indices(w)
            .iter()
            .copied()
            .filter(|&i| {
                let (x, y) = (i % w, i / w);
                x == 0 || y == 0 || x + 1 == w || y + 1 == h || ink.mask[i - 1] == 0 || ink.mask[i + 1] == 0 || ink.mask[i - w] == 0 || ink.mask[i + w] == 0
            })
            .collect();
        let edges = thin_out(edges, 1500);
        let above_stains = stains.above(&f.dark);
        let EdgeProfiles { spreads, mut steps, trails, each } = edge_profiles(above_stains.as_deref().unwrap_or(&f.dark), w, h, ppmm, &edges);
        let spreads = sector_medians(spreads, 15);
        // No ruled lines (a single impression): the impression's own narrowest direction.
        let narrowest = spreads.iter().flatten().copied().reduce(f32::min);
        let scan = scanner_spread(f).or(narrowest.map(|m| (m, m)));
        let (scan_h, scan_v) = scan.unwrap_or((0.0, 0.0));
        if scan.is_some() {
            metrics.push(("scan_spread_mm", 0.5 * (scan_h + scan_v)));
        }
        let strokes = stroke_widths(&ink.mask, w, h, ppmm);
        if let Some(st) = strokes {
            metrics.push(("stroke_mm", st.stroke_mm));
            metrics.push(("stroke_aniso_mm", st.aniso_mm));
            metrics.push(("stroke_aniso_deg", st.aniso_deg));
        }
        if let Some(sm) = smear(&spreads, scan_h, scan_v) {
            metrics.push(("smear_mm", sm.smear_mm));
            metrics.push(("smear_deg", sm.smear_deg));
            metrics.push(("blur_excess_mm", sm.blur_excess_mm));
            metrics.push(("smear_q_mm", sm.smear_q_mm));
            metrics.push(("smear_plain_mm", sm.plain_mm));
            // Two measures of different kinds (grey-level edges, the mask's stroke widths)
            // that agree on the direction: within one step of each other's grid. The edges'
            // direction is a sector's middle (11.25° + k·22.5°), the strokes' one of 8
            // directions (k·22.5°), so the same direction reads 11.25° apart and one step off
            // 33.75°; a limit of 30° kept only the first, and one of the two measures a step
            // off (a tenth of a pixel's difference between neighbouring sectors) refused a smear.
            let k = sector_of(sm.smear_deg);
            let foot = trail_foot(&trails, k);
            let agrees = smear_direction_confirmed(strokes, sm.smear_deg, round, echo, foot);
            // A smear's edges along it are ramps, a double's (on the side its stronger
            // pressing leads) staircases: the upper quartile of the edges' shape there
            // (`smear_step`, 25–75 % over 10–90 % width).
            let shape = (steps[k].len() >= 15).then(|| quantile_in_place(&mut steps[k], 0.75));
            // (Informative only: C's discrete pressings along a smear read 0.70–0.83, as high
            // as A's doubles, so the shape does not decide.)
            if let Some(v) = shape {
                metrics.push(("smear_step", v));
            }
            // What decides is whether the trail fades or stands flat (`double.plateau.*`).
            if let Some(v) = trail_rise(&trails, k) {
                metrics.push(("trail_rise", v));
            }
            if let Some(v) = foot {
                metrics.push(("trail_foot", v));
            }
            if let Some(v) = lead_sharp(&trails, k) {
                metrics.push(("lead_sharp", v));
            }
            let across = spreads[(k + crate::quantities::SECTORS / 2) % crate::quantities::SECTORS];
            if let Some(v) = frame_line.zip(across).and_then(|(e, across)| frame_smear(&each, w, ppmm, outline, e.width_mm, sm, across)) {
                metrics.push(("frame_smear", v));
            }
            metrics.push(("smear_agrees_mm", if agrees { sm.smear_mm } else { 0.0 }));
            metrics.push(("smear_valley", smear_valley(echo, sm.smear_deg)));
        }
    }

    if round {
        metrics.push(("out_frac", s.out_frac));
        metrics.push(("circle_rms", s.circle_rms / ppmm));
        let (thick, thick_h2) = ring_thickness(f, ink, s, frame);
        metrics.push(("ring_mm", thick));
        metrics.push(("ring_h2_mm", thick_h2));
        double_or_smear(echo, labels, metrics, &ROUND_RULES);
        // Tilt against the page: the star's phase, or the gap of the arc text at the bottom of an
        // upright seal. Both are read in the page's frame (the scan's skew already taken out by
        // `frame`): taking the skew off again turned every seal by it (issue 34: clean seals
        // turned 2-3° on a page scanned 2-3° askew read 5-6°).
        let tilt = round_tilt(star_tilt(f, ink, s, frame), || gap_tilt(&ang_hist));
        let tilt = (tilt + 540.0).rem_euclid(360.0) - 180.0;
        metrics.push(("tilt", tilt));
        labels.check(Defect::Tilted, "tilt", tilt.abs(), Op::Above, 5.0);
    } else {
        let aspect = (s.rect_wu - s.rect_wv).abs() / s.rect_wu.max(s.rect_wv);
        metrics.push(("aspect", aspect));
        metrics.push(("rect_rms", s.rect_rms / ppmm));
        double_or_smear(echo, labels, metrics, &SQUARE_RULES);
        cut_face_unread(labels, metrics);
        // The rectangle's angle comes from the mask's extent (text and ink spread move it);
        // the border's own edges at half level say how far it is off (`outer_size`). Both in the
        // page's frame, so this is already the tilt against the page.
        let tilt = s.rect_angle + edge.map_or(0.0, |e| e.turn_deg);
        metrics.push(("tilt", tilt));
        labels.check(Defect::Tilted, "tilt", tilt.abs(), Op::Above, 5.0);
    }
    // Black print under the seal.
    let (mut a0, mut a1, mut b0, mut b1) = if round { (s.cu - s.r, s.cu + s.r, s.cv - s.r, s.cv + s.r) } else { (f32::MAX, f32::MIN, f32::MAX, f32::MIN) };
    if !round {
        for &i in pts_idx {
            let (u, v) = page(i);
            a0 = a0.min(u);
            a1 = a1.max(u);
            b0 = b0.min(v);
            b1 = b1.max(v);
        }
    }
    // Black print absorbs about evenly across the spectrum: its optical density in red is
    // nearly its density in green (0.8-1.2), and under a seal's stroke still well over half of
    // it. Red seal ink absorbs green and lets red through, and piling it up (a smear's copies,
    // too much ink) multiplies every channel's density by the same factor (Beer-Lambert), so
    // its ratio stays where one layer has it (0.1-0.5) however dark it gets: issue 34's print
    // maker draws a smear as multiplied copies, nearly black maroon, which the redness alone
    // (R − G under a quarter of the darkness) took for print.
    // Print comes in strokes; JPEG's ringing round a dark stroke leaves single pixels that pass
    // the test: specks under 0.08 mm² (4 pixels at least), as for the ink's own mask, are none.
    let od = optical_density_table();
    let mut dark_print: Vec<u8> =
        f.region.iter().zip(&f.red).zip(&f.dark).enumerate().map(|(i, ((&reg, &r), &d))| u8::from(reg == 2 && is_print(f.rgb[0][i], f.rgb[1][i], d, r, &od))).collect();
    let cc = Components::new(&dark_print, &f.region, w, h, true);
    let speck = (0.08 * mm2).max(4.0) as usize;
    let keep: Vec<bool> = cc.comps.iter().map(|c| c.area >= speck).collect();
    cc.retain(&mut dark_print, &keep);
    // Print under a seal shows on the paper between its strokes too; a seal's own ink piled
    // up dark (a smear's copies along a stroke's edge) never lies clear of that seal's ink.
    // A print pixel is clear when no seal ink lies within 0.3 mm of it (a square of that
    // half-width, so at least a disc); the dilation only where there is print to test.
    let under: Vec<usize> = ink_indices(&dark_print, w)
        .into_iter()
        .filter(|&i| {
            let (u, v) = page(i);
            // a round seal's print lies inside its ring (up to 1 mm beyond the fitted circle,
            // the ring's own outer edge), not in the corners of its square (the box's line, the
            // form's words round it)
            u >= a0 && u <= a1 && v >= b0 && v <= b1 && (!round || (u - s.cu).hypot(v - s.cv) <= s.r + f.ppmm)
        })
        .collect();
    let black = under.len();
    let clear = if under.is_empty() {
        0
    } else {
        let near_seal = dilate(&ink.mask, w, h, (0.3 * f.ppmm).ceil().max(1.0) as usize);
        under.iter().filter(|&&i| near_seal[i] == 0 && od[usize::from(f.rgb[0][i])] >= CLEAR_PRINT_OD_RATIO * od[usize::from(f.rgb[1][i])]).count()
    };
    metrics.push(("black_clear_mm2", clear as f32 / mm2));
    metrics.push(("black_mm2", black as f32 / mm2));
    let field = !round && cut_face(Defect::TextUnder, metrics).is_some();
    if let Some(least) = print_under(black as f32 / mm2, clear as f32 / mm2, field) {
        labels.found(Defect::TextUnder, "black_mm2", black as f32 / mm2, Op::Above, least);
    }
}

/// The limit `black_mm2` went past where the black under a seal is print (`text_under`),
/// `None` where it is not: `MIN_PRINT_MM2` of it, some of it clear of the seal's ink
/// (`MIN_PRINT_CLEAR_MM2`); on a 阴文 face (`cut_face`), a field of ink through which print
/// shows and never clear of it, `MIN_PRINT_UNDER_FIELD_MM2` of it.
fn print_under(black_mm2: f32, clear_mm2: f32, cut_face: bool) -> Option<f32> {
    let (least_black, least_clear) = if cut_face { (MIN_PRINT_UNDER_FIELD_MM2, 0.0) } else { (MIN_PRINT_MM2, MIN_PRINT_CLEAR_MM2) };
    (black_mm2 >= least_black && clear_mm2 >= least_clear).then_some(least_black)
}

/// The least print, mm², that `text_under` needs under a 朱文 face: issue 18's limit, one of the
/// rules it fixed in code (the design's inventory of them), kept since; the seal README's
/// `text_under` row gives what issue 34 added to it.
const MIN_PRINT_MM2: f32 = 0.6;

/// The least print, mm², that `text_under` needs under a 阴文 face, where none lies clear of
/// the seal's ink (`MIN_PRINT_CLEAR_MM2` cannot be asked): a quarter of a body-text
/// character's strokes (a 4 mm character of 0.3 mm strokes: about 4 mm²), and nearly twice
/// what a smear's or a second pressing's piled-up ink reads there as print (issue 34 v14.5:
/// B-dev 077, a doubled and smeared 阴文 法人章, 0.53 mm²; print under B-dev2 048's field 2.5 mm²,
/// the only 阴文 face with print under it on the dev sets).
const MIN_PRINT_UNDER_FIELD_MM2: f32 = 1.0;

/// The least print, mm², that `text_under` needs clear of the seal's ink (no seal ink within
/// 0.3 mm): more than a few pixels (2 at 150 dpi, 7 at 300), so that it is print seen on paper
/// and not noise. Print under a seal shows between its strokes too; the seal's own ink, piled
/// up nearly black along one side of its strokes (a smear's copies: issue 34's maker B read
/// 0.5–2.4 mm² of such "print" on five smeared seals of B-dev40), never lies clear of itself
/// (0 on all of them; print under seals on A-tune, B-dev40 and C-dev40 reads 0.086 mm² (a
/// 法人章 whose strokes leave little paper) and 0.16 mm² and more on the rest).
const MIN_PRINT_CLEAR_MM2: f32 = 0.05;

/// The least ratio of optical density in red to density in green of print clear of the seal's
/// ink (`black_clear_mm2`): print on bare paper, neutral as black toner or ink is (0.8-1.2),
/// where under a seal's stroke `PRINT_OD_RATIO` lets the ink's own colour in.
const CLEAR_PRINT_OD_RATIO: f32 = 0.8;

/// The least ratio of a pixel's optical density in red to its density in green (linear
/// light) for black print (`judge_seal`'s `black_mm2`): print absorbs about evenly (1.0), red
/// seal ink lets red through (0.1-0.3 at any thickness); 0.6 lies between in log terms.
const PRINT_OD_RATIO: f32 = 0.6;

/// Black print on one pixel of the balanced planes (`r`, `g`; `dark` = 255 − luma, `red` the
/// redness): dark (≥ 110 levels), not red by its redness (under a quarter of the darkness) and
/// absorbing red at least `PRINT_OD_RATIO` as strongly as green.
fn is_print(r: u8, g: u8, dark: u8, red: u8, od: &[f32; 256]) -> bool {
    dark >= 110 && 4 * u16::from(red) < u16::from(dark) && od[usize::from(r)] >= PRINT_OD_RATIO * od[usize::from(g)]
}

/// The sRGB transfer function: a coded level (0–1) as linear light, and back (IEC 61966-2-1).
pub(crate) fn srgb_to_linear(coded: f32) -> f32 {
    if coded <= 0.040_45 { coded / 12.92 } else { ((coded + 0.055) / 1.055).powf(2.4) }
}

pub(crate) fn linear_to_srgb(linear: f32) -> f32 {
    if linear <= 0.003_130_8 { 12.92 * linear } else { 1.055 * linear.powf(1.0 / 2.4) - 0.055 }
}

/// Optical density of a balanced 8-bit level against the box's paper (255), in linear light
/// (design §2): −log10 of the sRGB-decoded reflectance, the level 0 read as half a level (a
/// scan's dark floor).
fn optical_density_table() -> [f32; 256] {
    let mut t = [0f32; 256];
    for (v, o) in t.iter_mut().enumerate() {
        *o = -srgb_to_linear((v as f32).max(0.5) / 255.0).log10();
    }
    t
}

/// At most `n` of `v`, evenly spread.
fn thin_out(v: Vec<usize>, n: usize) -> Vec<usize> {
    if v.len() <= n {
        return v;
    }
    let step = v.len() as f32 / n as f32;
    (0..n).map(|k| v[(k as f32 * step) as usize]).collect()
}

/// The scanner's own spread across horizontal edges and across vertical ones, mm: the edges of
/// the box's ruled lines (`region` 1, no seal ink on them) on the luma darkness, median of each
/// (`quantities::edge_spreads`; a horizontal line's edges give the vertical spread, which
/// stands for the normals at 90°). `None` without enough line edges.
fn scanner_spread(f: &BoxFeatures) -> Option<(f32, f32)> {
    let line = LevelCounts::new(f.dark.iter().zip(&f.region).zip(&f.red).filter(|((_, reg), r)| (**reg == 1) & (**r < 15)).map(|((d, _), _)| *d));
    if line.n < 100 {
        return None;
    }
    let p = line.quantile(0.9);
    if p < 40.0 {
        return None;
    }
    let (lo, hi) = ((0.3 * p) as u8, (0.7 * p) as u8);
    let band: Vec<u8> = f.dark.iter().zip(&f.region).zip(&f.red).map(|((&d, &reg), &r)| u8::from((reg == 1) & (r < 15) & (d >= lo) & (d <= hi))).collect();
    let edges = thin_out(ink_indices(&band, f.w), 1000);
    let s = edge_spreads(&f.dark, f.w, f.h, f.ppmm, &edges);
    let n = crate::quantities::SECTORS;
    let mut h: Vec<f32> = s[0].iter().chain(&s[n - 1]).copied().collect();
    let mut v: Vec<f32> = s[n / 2 - 1].iter().chain(&s[n / 2]).copied().collect();
    if h.len() < 15 || v.len() < 15 {
        return None;
    }
    Some((quantile_in_place(&mut h, 0.5), quantile_in_place(&mut v, 0.5)))
}

/// The fifth angular harmonic of the centre's ink (share of its pixels) from which a star's
/// phase alone gives the tilt: a clean star reads 0.15 and more.
const STAR_CLEAR: f32 = 0.15;
/// The harmonic down to which the star's phase still holds (issue 34, v9): a double's two stars
/// or a stain over one lower the harmonic to 0.03–0.15 but not the phase, within 1° of the
/// true tilt on B-dev40 and C-dev40 from 0.034 up; under 0.02 it is noise (20–30° off).
const STAR_WEAK: f32 = 0.03;

/// A round seal's tilt from its star (`(tilt, harmonic)`, see `star_tilt`) and, lazily, the gap
/// of its arc text. A clear star decides alone. A weak one is held against the gap, and the
/// smaller of the two turns stands: the gap's centre moves with whatever fills it (a double's
/// second text, horizontal text low in the seal, a stain; B-dev40 read 7.5–10° on seals
/// turned 2–3° and −55° on an upright one), and a seal is called tilted on weak evidence only
/// when both say so. No star at all: the gap.
fn round_tilt(star: Option<(f32, f32)>, gap: impl FnOnce() -> f32) -> f32 {
    match star {
        Some((tilt, harmonic)) if harmonic >= STAR_CLEAR => tilt,
        Some((tilt, harmonic)) if harmonic >= STAR_WEAK => {
            let gap = gap();
            if tilt.abs() <= gap.abs() { tilt } else { gap }
        }
        _ => gap(),
    }
}

/// Rotation of the five-pointed star in the centre (tips up when upright), from the phase of
/// the fifth angular harmonic of the ink around the centre, with that harmonic's strength
/// (share of the pixels); `None` when the centre has too little ink to read one.
fn star_tilt(f: &BoxFeatures, ink: &InkMask, s: &Shape, frame: Frame) -> Option<(f32, f32)> {
    let (r0, r1) = (0.09 * s.r, 0.2 * s.r);
    let (mut cs, mut sn, mut n) = (0.0f64, 0.0f64, 0usize);
    let ext = r1.ceil() as i64 + 2;
    let (cx, cy) = frame.to_scan(s.cu, s.cv);
    let (cx, cy) = (cx as i64 - f.x0 as i64, cy as i64 - f.y0 as i64);
    for y in (cy - ext).max(0)..(cy + ext).min(f.h as i64) {
        for x in (cx - ext).max(0)..(cx + ext).min(f.w as i64) {
            let i = y as usize * f.w + x as usize;
            if ink.mask[i] == 0 {
                continue;
            }
            let (u, v) = frame.to_page((f.x0 as i64 + x) as f32 + 0.5, (f.y0 as i64 + y) as f32 + 0.5);
            let (du, dv) = (u - s.cu, v - s.cv);
            let r = du.hypot(dv);
            if r >= r0 && r <= r1 {
                let a = dv.atan2(du) as f64;
                cs += (5.0 * a).cos();
                sn += (5.0 * a).sin();
                n += 1;
            }
        }
    }
    if n < 20 {
        return None;
    }
    // Tips at -90° + k·72° when upright: 5·(-90°) = -450° ≡ -90°.
    let phase = sn.atan2(cs).to_degrees() as f32;
    let d = (phase + 90.0).rem_euclid(360.0);
    let d = if d > 180.0 { d - 360.0 } else { d };
    Some((d / 5.0, (cs.hypot(sn) / n as f64) as f32))
}

/// Angle (degrees, 90 = down) of the centre of the widest gap in the angular ink histogram,
/// minus 90: the tilt of a round seal whose arc text leaves its gap at the bottom.
fn gap_tilt(hist: &[f32]) -> f32 {
    let n = hist.len();
    let mean = hist.iter().sum::<f32>() / n as f32;
    if mean <= 0.0 {
        return 0.0;
    }
    let sm: Vec<f32> = (0..n).map(|i| (hist[(i + n - 1) % n] + hist[i] + hist[(i + 1) % n]) / 3.0).collect();
    let low: Vec<bool> = sm.iter().map(|&h| h < 0.3 * mean).collect();
    // Longest circular run of low bins.
    let (mut best_len, mut best_start) = (0usize, 0usize);
    for s in 0..n {
        if !low[s] || low[(s + n - 1) % n] {
            continue;
        }
        let mut l = 0;
        while l < n && low[(s + l) % n] {
            l += 1;
        }
        if l > best_len {
            best_len = l;
            best_start = s;
        }
    }
    if best_len == 0 {
        return 0.0;
    }
    let centre = best_start as f32 + (best_len as f32 - 1.0) * 0.5 + 0.5;
    let ang = centre / n as f32 * 360.0 - 180.0;
    ang - 90.0
}

/// Bin of an angle in [-π, π] among `n` equal bins starting at -π (π wraps to bin 0).
#[inline]
pub(crate) fn angle_bin(a: f32, n: usize) -> usize {
    // Through i32: a float-to-usize cast saturates in several instructions, and `%` divides.
    let b = ((a + std::f32::consts::PI) * (n as f32 / std::f32::consts::TAU)) as i32 as usize;
    if b >= n { b - n } else { b }
}

/// `atan2(y, x)` to about 1e-5 rad, several times cheaper than libm's: it bins every ink pixel
/// of a seal by angle (2° and 5° bins), where this error moves nothing measurable.
#[inline]
pub(crate) fn atan2_fast(y: f32, x: f32) -> f32 {
    use std::f32::consts::{FRAC_PI_2, PI};
    let (ax, ay) = (x.abs(), y.abs());
    let (mx, mn) = (ax.max(ay), ax.min(ay));
    if mx == 0.0 {
        return 0.0;
    }
    let a = mn / mx;
    let s = a * a;
    // Minimax polynomial for atan on [0, 1] (Abramowitz & Stegun 4.4.49 form).
    let mut r = a * (0.999_977_26 + s * (-0.332_623_47 + s * (0.193_543_46 + s * (-0.116_432_87 + s * (0.052_653_32 + s * -0.011_721_2)))));
    if ay > ax {
        r = FRAC_PI_2 - r;
    }
    if x < 0.0 {
        r = PI - r;
    }
    if y < 0.0 { -r } else { r }
}

/// How far (degrees) the hue of a seal's strong ink may stray from red and still be 正红.
pub(crate) const RED_HUE_TOLERANCE_DEG: f32 = 12.0;

/// Hue in degrees, -180..180, red at 0 (HSV hue of the colour).
/// The density (linear light) of a normal impression in its strongest channel, at which an
/// ink's hue is read: a normal stamp absorbs 0.6-0.95 of the light there in coded levels (the
/// `pale` row of the README), 0.8 in the middle, a density of 1.5. The label's definition
/// (正红 within ±9°, off-colour beyond 12°) speaks of the colour seen at that strength.
const NORMAL_INK_OD: f32 = 1.5;

/// The hue (`hue_deg`, degrees) of an ink of mean densities `od` (per channel, linear light)
/// at the strength of a normal impression (`NORMAL_INK_OD` in its strongest channel), in
/// sRGB-coded levels like the generator's inks and the ±12° limit.
fn ink_hue(od: [f32; 3]) -> f32 {
    let top = od[0].max(od[1]).max(od[2]);
    if top <= 0.0 {
        return 0.0;
    }
    let coded = od.map(|d| 255.0 * linear_to_srgb(10f32.powf(-d / top * NORMAL_INK_OD)));
    hue_deg(coded[0], coded[1], coded[2])
}

pub(crate) fn hue_deg(r: f32, g: f32, b: f32) -> f32 {
    let mx = r.max(g).max(b);
    let mn = r.min(g).min(b);
    if mx - mn < 1.0 {
        return 0.0;
    }
    let h = if mx == r {
        60.0 * (g - b) / (mx - mn)
    } else if mx == g {
        60.0 * (2.0 + (b - r) / (mx - mn))
    } else {
        60.0 * (4.0 + (r - g) / (mx - mn))
    };
    if h > 180.0 { h - 360.0 } else { h }
}

/// A stain cell's mean darkness below the paper (levels), or its chroma.
const STAIN_DARKNESS: f32 = 14.0;
const STAIN_CHROMA: f32 = 18.0;
/// The scale under which a page's light does not change: a shadow's penumbra or a lamp's
/// fall-off spans 8 mm and more, so over 2 mm it is a straight ramp a Gaussian keeps.
const STAIN_LIGHT_SMOOTHING_MM: f32 = 2.0;
/// The least texture (RMS of a neutral stain's darkness about its 2-mm smoothing, levels) of a
/// stain on the paper. Issue 76, maker I (a dev set): phone shadows on the scanning app's pages
/// read 0.7–2.4, graphite smudges 3.2 and more; B's grey stains 6 and more.
const STAIN_MIN_TEXTURE: f32 = 2.8;

/// The most tint (levels, the paper's strongest channel less its weakest) of white paper. Issue
/// 76, maker L read as a dev set: white paper reads up to 10.3 on every set (I's phone pages; a
/// shadowed box of I 15.2, dark already), tinted stocks 19.0 (L's pink sheet, whose scanner
/// driver whitened red and blue to 255) to 25 (A); 15 was the middle of that gap. Maker O read:
/// a light blue stock photographed off a monitor and whitened by the phone reads 13.4–14.9, and
/// the limit went to 12. Maker P's sealed look then showed white paper under a tablet's cool
/// white balance reading 13.7–17.0 on two whole sheets ([232, 239, 247]: the same pixels as O's
/// whitened blue stock). The file cannot tell a capture's colour cast from a light stock, and
/// the two cost differently: a flag on every box of a white sheet calls every row to be stamped
/// again, on paper no better, while a light stock missed is a sample the CA may still question.
/// So no tint under 17.5 is called not white (white up to 17.0 on 16 sets; tinted stocks 18.7
/// and more but O's three and J's two whose tint the scanner removed).
const PAPER_TINT_MAX: f32 = 17.5;

/// The most tint (levels) at which paper is read as white without a doubt. Between it and
/// [`PAPER_TINT_MAX`] a light stock and a capture's cast on white paper read the same (issue 76:
/// white paper up to 10.3 on every set but the casts, maker P's tablet 13.7–17.0; light stocks
/// 13.4 (O) to 17 (V's green), AA's cyan 14.3, AB's pink 14.7): one image cannot part them, for
/// a cast multiplies every colour on the sheet as the stock's own colour does. The clerk has the
/// paper in hand, so the check is left to the eye there, and the sample says why
/// ([`Sample::unchecked`]): no label, no "stamp again".
const PAPER_TINT_READ: f32 = 12.0;

/// `bg_not_white` from the paper's luma and tint, else the stained share of the box; a tint in
/// the band where a light stock and a cast look alike, with no other reason, is left unchecked.
#[wide_when_available]
fn bg_not_white(f: &BoxFeatures, ink: &InkMask, kind: SampleKind, labels: &mut Labels, metrics: &mut Vec<(&'static str, f32)>) {
    let p = f.paper_raw;
    let l = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
    let tint = p[0].max(p[1]).max(p[2]) - p[0].min(p[1]).min(p[2]);
    metrics.push(("paper_l", l));
    metrics.push(("paper_tint", tint));
    let dark = labels.check(Defect::BgNotWhite, "paper_l", l, Op::Below, 222.0);
    if labels.check(Defect::BgNotWhite, "paper_tint", tint, Op::Above, PAPER_TINT_MAX) || dark {
        return;
    }
    let (w, h) = (f.w, f.h);
    // Red is a seal's ink, kept out of the paper with its neighbourhood; in a signature box a
    // pen's ink is dark, and red there is on the paper: a highlighter's pink, a stain (maker I's
    // pink highlighter under signatures read no stain at all).
    let red_is_ink = kind.is_seal();
    let strong: Vec<u8> = ink.mask.iter().zip(&f.dark).zip(&f.red).map(|((&m, &d), &r)| u8::from((m != 0) | (d > 70) | (red_is_ink & (r > 30)))).collect();
    let near = dilate(&strong, w, h, 3);
    // A stain is a patch of paper, not a pixel: darkness and colour are read as means over
    // cells of 0.5 mm (issue 34: sensor noise of σ ≈ 10 levels put single pixels past the
    // limits on every box of a noisy scan; a cell's mean has a fifth of that noise at 300 dpi
    // and less at higher resolutions).
    let c = ((0.5 * f.ppmm).round() as usize).max(1);
    let (cw, ch) = (w.div_ceil(c), h.div_ceil(c));
    // Per cell: eligible pixels, sum of darkness, sums of R, G, B.
    let mut cells = vec![(0u32, 0u32, [0u32; 3]); cw * ch];
    let mut total = 0u32;
    let [pr, pg, pb] = &f.rgb;
    // Summed per column down a band of cells (one pass per quantity, which the compiler
    // vectorises), then across each cell's columns once per band: adding into the pixel's cell
    // directly made every pixel wait for the previous one's store to the same cell.
    let mut eligible = vec![0u8; w];
    let mut sums: [Vec<u32>; 5] = std::array::from_fn(|_| vec![0u32; w]);
    for y in 0..h {
        let o = y * w..(y + 1) * w;
        let (reg, nr) = (&f.region[o.clone()], &near[o.clone()]);
        total += reg.iter().map(|&v| u32::from(v == 2)).sum::<u32>();
        for x in 0..w {
            eligible[x] = u8::from((reg[x] == 2) & (nr[x] == 0));
        }
        let [n, sd, sr, sg, sb] = &mut sums;
        for (s, &e) in n.iter_mut().zip(&eligible) {
            *s += u32::from(e);
        }
        for (s, plane) in [sd, sr, sg, sb].into_iter().zip([&f.dark, pr, pg, pb]) {
            for ((s, &e), &v) in s.iter_mut().zip(&eligible).zip(&plane[o.clone()]) {
                *s += u32::from(e) * u32::from(v);
            }
        }
        if (y + 1) % c == 0 || y + 1 == h {
            let band = &mut cells[(y / c) * cw..(y / c + 1) * cw];
            for (cell, x0) in band.iter_mut().zip((0..w).step_by(c)) {
                let cols = x0..(x0 + c).min(w);
                let sum = |k: usize| sums[k][cols.clone()].iter().sum::<u32>();
                *cell = (sum(0), sum(1), [sum(2), sum(3), sum(4)]);
            }
            sums.iter_mut().for_each(|s| s.fill(0));
        }
    }
    let half = (c * c / 2).max(1) as u32;
    // Per read cell: its mean darkness, and whether it is coloured (a tint, a highlighter) or
    // only dark (graphite, a grey blot, or a shadow on a photographed page).
    let read: Vec<Option<(f32, bool)>> = cells
        .iter()
        .map(|&(n, d, rgb)| {
            (n >= half).then(|| {
                let mean = rgb.map(|v| v as f32 / n as f32);
                let chroma = mean[0].max(mean[1]).max(mean[2]) - mean[0].min(mean[1]).min(mean[2]);
                (d as f32 / n as f32, chroma >= STAIN_CHROMA)
            })
        })
        .collect();
    let texture = neutral_stain_texture(&read, cw, ch, STAIN_LIGHT_SMOOTHING_MM * f.ppmm / c as f32);
    // Neutral darkness as smooth as the light's falls and shadows is the light's, not the paper's.
    let neutral_counts = texture.is_some_and(|t| t >= STAIN_MIN_TEXTURE);
    let stain: u32 = cells
        .iter()
        .zip(&read)
        .filter_map(|(cell, r)| r.map(|(d, coloured)| (cell.0, d, coloured)))
        .filter(|&(_, d, coloured)| coloured || (neutral_counts && d >= STAIN_DARKNESS))
        .map(|(n, _, _)| n)
        .sum();
    let frac = stain as f32 / total.max(1) as f32;
    metrics.push(("stain", frac));
    if let Some(t) = texture {
        metrics.push(("stain_texture", t));
    }
    labels.check(Defect::BgNotWhite, "stain", frac, Op::Above, 0.02);
    if !labels.contains(Defect::BgNotWhite) && tint > PAPER_TINT_READ {
        labels.not_checked(Defect::BgNotWhite, "paper_tint", tint, Op::Above, PAPER_TINT_READ);
    }
}

/// The RMS, over the neutral dark cells (darkness ≥ [`STAIN_DARKNESS`], not coloured), of their
/// darkness about its Gaussian smoothing of σ `sigma_cells` over every read cell (unread cells,
/// near ink, carry no weight); `None` without such a cell.
fn neutral_stain_texture(read: &[Option<(f32, bool)>], cw: usize, ch: usize, sigma_cells: f32) -> Option<f32> {
    let neutral = |r: &Option<(f32, bool)>| r.is_some_and(|(d, coloured)| !coloured && d >= STAIN_DARKNESS);
    if !read.iter().any(neutral) {
        return None;
    }
    let r = (3.0 * sigma_cells).ceil().max(1.0) as isize;
    let kernel: Vec<f32> = (-r..=r).map(|i| (-0.5 * (i as f32 / sigma_cells).powi(2)).exp()).collect();
    // Normalised convolution: (Σ k·d, Σ k) per cell, along rows then columns.
    let pass = |src: &[(f32, f32)], along_rows: bool| -> Vec<(f32, f32)> {
        let mut out = vec![(0.0, 0.0); cw * ch];
        for y in 0..ch as isize {
            for x in 0..cw as isize {
                let mut acc = (0.0, 0.0);
                for (k, o) in kernel.iter().zip(-r..=r) {
                    let (xx, yy) = if along_rows { (x + o, y) } else { (x, y + o) };
                    if (0..cw as isize).contains(&xx) && (0..ch as isize).contains(&yy) {
                        let v = src[yy as usize * cw + xx as usize];
                        acc = (acc.0 + k * v.0, acc.1 + k * v.1);
                    }
                }
                out[y as usize * cw + x as usize] = acc;
            }
        }
        out
    };
    let weighted: Vec<(f32, f32)> = read.iter().map(|r| r.map_or((0.0, 0.0), |(d, _)| (d, 1.0))).collect();
    let smooth = pass(&pass(&weighted, true), false);
    let (sum, n) = read.iter().zip(&smooth).filter(|(r, _)| neutral(r)).fold((0.0f32, 0.0f32), |(sum, n), (r, s)| {
        let d = r.map_or(0.0, |(d, _)| d);
        (sum + (d - s.0 / s.1.max(1e-6)).powi(2), n + 1.0)
    });
    Some((sum / n).sqrt())
}

/// The mask crop (scan pixels) and the RGBA image at `out_dpi` in the page frame.
#[wide_when_available]
fn render(f: &BoxFeatures, ink: &InkMask, kind: SampleKind, frame: Frame, dpi: f32, out_dpi: f32) -> (SamplePixels, [u32; 2], [f32; 2]) {
    let (w, h) = (f.w, f.h);
    let (mut bx0, mut by0, mut bx1, mut by1) = (usize::MAX, usize::MAX, 0, 0);
    let (mut u0, mut v0, mut u1, mut v1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    let (mut sr, mut sg, mut sb, mut n) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    for &i in ink.indices(w) {
        let (x, y) = (i % w, i / w);
        bx0 = bx0.min(x);
        by0 = by0.min(y);
        bx1 = bx1.max(x);
        by1 = by1.max(y);
        let (u, v) = frame.to_page((f.x0 as usize + x) as f32 + 0.5, (f.y0 as usize + y) as f32 + 0.5);
        u0 = u0.min(u);
        v0 = v0.min(v);
        u1 = u1.max(u);
        v1 = v1.max(v);
        sr += f.rgb[0][i] as f32;
        sg += f.rgb[1][i] as f32;
        sb += f.rgb[2][i] as f32;
        n += 1.0;
    }
    let (mw, mh) = (bx1 + 1 - bx0, by1 + 1 - by0);
    let mut bits = Vec::with_capacity(mw * mh);
    for y in by0..=by1 {
        bits.extend(ink.mask[y * w + bx0..=y * w + bx1].iter().map(|&m| if m != 0 { 255u8 } else { 0 }));
    }
    let mask = GrayImage::from_raw(mw as u32, mh as u32, bits).unwrap_or_default();
    // Alpha per crop pixel, only where it can be non-zero (the ink and the pixel around it),
    // in a window two pixels wider than the ink: its outer ring is zero, so a bilinear sample
    // whose top-left tap falls outside the window's inner part is zero.
    let (ax0, ay0) = (bx0.saturating_sub(2), by0.saturating_sub(2));
    let (ax1, ay1) = ((bx1 + 2).min(w - 1), (by1 + 2).min(h - 1));
    let (aw, ah) = (ax1 + 1 - ax0, ay1 + 1 - ay0);
    // Every ink pixel lies inside the window, so the window's own dilation is the box's there.
    let mut window = Vec::with_capacity(aw * ah);
    for y in ay0..=ay1 {
        window.extend_from_slice(&ink.mask[y * w + ax0..=y * w + ax1]);
    }
    let near = dilate(&window, aw, ah, 1);
    // The alpha depends on the pixel's level alone (and whether it is ink or next to it):
    // one table per case, 256 entries, instead of a division per pixel.
    let level = if kind.is_seal() { &f.red } else { &f.dark };
    let strength = |v: usize| (v as f32 / ink.p_ink.max(1.0)).clamp(0.0, 1.0);
    let on_ink: [f32; 256] = std::array::from_fn(|v| if kind.is_seal() && v as f32 * 2.0 < ink.p_ink { 1.0 } else { strength(v).max(0.6) });
    let beside_ink: [f32; 256] = std::array::from_fn(|v| strength(v).min(0.5));
    let mut alpha = vec![0f32; aw * ah];
    for y in ay0..=ay1 {
        for x in ax0..=ax1 {
            let (i, k) = (y * w + x, (y - ay0) * aw + x - ax0);
            let v = usize::from(level[i]);
            alpha[k] = if ink.mask[i] != 0 {
                on_ink[v]
            } else if near[k] != 0 {
                beside_ink[v]
            } else {
                0.0
            };
        }
    }
    let colour = if kind.is_seal() {
        [230u8, 0, 18]
    } else {
        let n = n.max(1.0);
        [(sr / n) as u8, (sg / n) as u8, (sb / n) as u8]
    };
    let margin = 1.0 * dpi / 25.4;
    let (u0, v0, u1, v1) = (u0 - margin, v0 - margin, u1 + margin, v1 + margin);
    let step = dpi / out_dpi;
    let ow = (((u1 - u0) / step).ceil() as u32).max(1);
    let oh = (((v1 - v0) / step).ceil() as u32).max(1);
    let mut rgba = RgbaImage::new(ow, oh);
    let (wl, hl) = ((w - 1) as f32, (h - 1) as f32);
    // The window test on the floats: for fx ≥ 0, floor(fx) ≥ ax0 ⇔ fx ≥ ax0, and < ax1 ⇔ fx < ax1.
    let (wx0, wy0, wx1, wy1) = (ax0 as f32, ay0 as f32, ax1 as f32, ay1 as f32);
    let transparent = Rgba([colour[0], colour[1], colour[2], 0]);
    // One output pixel to the right moves (c, s)·step in scan pixels.
    let (dx, dy) = (frame.c * step, frame.s * step);
    for (j, row) in rgba.rows_mut().enumerate() {
        let (xr, yr) = frame.to_scan(u0 + 0.5 * step, v0 + (j as f32 + 0.5) * step);
        let (xr, yr) = (xr - 0.5 - f.x0 as f32, yr - 0.5 - f.y0 as f32);
        for (i, p) in (0..ow as i32).zip(row) {
            let (fx, fy) = (xr + i as f32 * dx, yr + i as f32 * dy);
            if fx < 0.0 || fy < 0.0 || fx >= wl || fy >= hl {
                continue;
            }
            if fx < wx0 || fy < wy0 || fx >= wx1 || fy >= wy1 {
                *p = transparent;
                continue;
            }
            // Both are ≥ 0 here; through i32 the conversion is one instruction.
            let (ix, iy) = (fx as i32 as usize, fy as i32 as usize);
            let (tx, ty) = (fx - ix as f32, fy - iy as f32);
            let k = (iy - ay0) * aw + ix - ax0;
            let a = (alpha[k] * (1.0 - tx) + alpha[k + 1] * tx) * (1.0 - ty) + (alpha[k + aw] * (1.0 - tx) + alpha[k + aw + 1] * tx) * ty;
            // a ≥ 0, so adding a half and truncating rounds (libm's roundf is a call per pixel).
            *p = Rgba([colour[0], colour[1], colour[2], (a * 255.0 + 0.5) as u8]);
        }
    }
    let mm = [ow as f32 * 25.4 / out_dpi, oh as f32 * 25.4 / out_dpi];
    (SamplePixels { mask, rgba }, [f.x0 + bx0 as u32, f.y0 + by0 as u32], mm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_counts_give_the_selected_quantile() {
        // A skewed spread of levels, some repeated, some never seen: the counts' quantile is
        // the element a selection of the same levels gives.
        let levels: Vec<u8> = (0u32..5000).map(|k| ((k * 7919 % 1000) as f32).sqrt() as u8 * 8).collect();
        let counts = LevelCounts::new(levels.iter().copied());
        assert_eq!(counts.n, levels.len());
        for q in [0.0, 0.1, 0.25, 0.5, 0.9, 0.999, 1.0] {
            let mut v: Vec<f32> = levels.iter().map(|&l| f32::from(l)).collect();
            assert_eq!(counts.quantile(q), quantile_in_place(&mut v, q), "q = {q}");
        }
        assert_eq!(LevelCounts::new(std::iter::empty()).quantile(0.5), 0.0);
    }

    /// The rules thresholds.json marks as vetoes are exactly the ones a shape's rules use as
    /// vetoes, and every other rule the shapes name gives a label: a veto read as a label (or
    /// a label as a veto) would say a check was not made where one was, or the reverse, and the
    /// clerk's panel words a veto's measure by this mark.
    #[test]
    fn the_vetoes_marked_in_the_thresholds_are_the_ones_the_shapes_use() {
        let t = thresholds();
        let marked: std::collections::BTreeSet<&str> = t.0.iter().filter(|(_, r)| r.veto).map(|(n, _)| n.as_str()).collect();
        let mut used = std::collections::BTreeSet::new();
        for rules in [&ROUND_RULES, &SQUARE_RULES] {
            used.extend(rules.fading.into_iter().chain(rules.unshared).chain([rules.ends_sharp]));
            for name in rules.doubles.iter().chain([&rules.plateau, &rules.sharp_foot, &rules.sharp_ends, &rules.smear]) {
                assert!(t.0.get(*name).is_some_and(|r| !r.veto), "{name}: a label's rule, missing or marked as a veto");
            }
        }
        assert_eq!(marked, used);
    }

    /// A 40 mm red ring on white paper at 300 dpi with Gaussian sensor noise of σ levels and,
    /// if asked, a 10 × 18 mm brownish stain beside it; as PNG bytes.
    fn noisy_ring(sigma: f32, stain: bool) -> Vec<u8> {
        noisy_ring_of([200.0, 40.0, 45.0], sigma, stain)
    }

    fn noisy_ring_of(ink: [f32; 3], sigma: f32, stain: bool) -> Vec<u8> {
        ring_png(ink, sigma, stain, 0.0)
    }

    /// The ring, with `gap_deg` of it cut away at the top when not 0.
    fn ring_png(ink: [f32; 3], sigma: f32, stain: bool, gap_deg: f32) -> Vec<u8> {
        let ppmm = 300.0 / 25.4;
        let n = (60.0 * ppmm) as u32;
        let c = n as f32 / 2.0;
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut uniform = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((state >> 11) as f32 + 0.5) / (1u64 << 53) as f32
        };
        let img = RgbImage::from_fn(n, n, |x, y| {
            let (dx, dy) = (x as f32 + 0.5 - c, y as f32 + 0.5 - c);
            let d = dx.hypot(dy);
            let cut = dx.atan2(-dy).to_degrees().abs() < 0.5 * gap_deg;
            let mut p = if (d <= 20.0 * ppmm) && (d >= 18.8 * ppmm) && !cut { ink } else { [240.0, 240.0, 238.0] };
            if stain && ((dx - 24.5 * ppmm) / (5.0 * ppmm)).powi(2) + (dy / (9.0 * ppmm)).powi(2) <= 1.0 {
                p = [p[0] * 0.86, p[1] * 0.8, p[2] * 0.68];
            }
            // Box-Muller, one normal per pixel, the same on every channel and a little apart.
            let z = (-2.0 * uniform().ln()).sqrt() * (std::f32::consts::TAU * uniform()).cos();
            let zc = (-2.0 * uniform().ln()).sqrt() * (std::f32::consts::TAU * uniform()).cos();
            image::Rgb([p[0] + sigma * z, p[1] + sigma * (0.8 * z + 0.6 * zc), p[2] + sigma * z].map(|v| v.round().clamp(0.0, 255.0) as u8))
        });
        png_bytes(&img)
    }

    fn png_bytes(img: &RgbImage) -> Vec<u8> {
        let mut buf = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut buf), image::ImageFormat::Png).expect("png");
        buf
    }

    /// A red ring 18.8–20 mm in radius on paper at 300 dpi, each pixel's colour from `paint`
    /// (distance from the centre and offset in mm, `None` for paper).
    fn painted_ring_png(paint: impl Fn(f32, f32, f32) -> Option<[u8; 3]>) -> Vec<u8> {
        let ppmm = 300.0 / 25.4;
        let n = (60.0 * ppmm) as u32;
        let c = n as f32 / 2.0;
        png_bytes(&RgbImage::from_fn(n, n, |x, y| {
            let (dx, dy) = ((x as f32 + 0.5 - c) / ppmm, (y as f32 + 0.5 - c) / ppmm);
            image::Rgb(paint(dx.hypot(dy), dx, dy).unwrap_or([240, 240, 238]))
        }))
    }

    #[test]
    fn a_border_is_not_read_along_a_circle_that_misses_the_ink() {
        let opts = crate::ImportOptions { dpi: Some(300.0), ..Default::default() };
        let red = [200, 40, 45];
        // A whole 40 mm ring with a neighbour's opaque disc pressed over its side (C's crowded
        // rows): the fitted circle follows neither, missing the ink by about 1.5 mm rms.
        let crowded = painted_ring_png(|d, dx, dy| ((18.8..=20.0).contains(&d) || (dx - 26.0).hypot(dy) <= 10.0 || d < 4.0).then_some(red));
        let s = &crate::import_single(&crowded, &opts).expect("import").samples[0];
        let measure = |m: &str| metric(&s.metrics, m);
        assert!(measure("circle_rms").is_some_and(|v| v > BORDER_FOLLOWS_MM), "{:?}", s.metrics);
        assert!(!s.defects.contains(&Defect::Broken) && measure("border_gap_mm").is_none(), "{:?} {:?}", s.defects, s.metrics);
        // ... and the sample says the border went unchecked, and why.
        let [u] = s.unchecked.as_slice() else { panic!("one check not made: {:?}", s.unchecked) };
        assert_eq!((u.label, u.quantity.as_str(), u.limit), (Defect::Broken, "circle_rms", BORDER_FOLLOWS_MM), "{u:?}");
        assert!(u.value > BORDER_FOLLOWS_MM, "{u:?}");
        // The same ring with 30° of it gone and no neighbour: the circle fits, the gap is read.
        let cut = painted_ring_png(|d, dx, dy| (((18.8..=20.0).contains(&d) && dy.atan2(dx).abs() > 0.26) || d < 4.0).then_some(red));
        let s = &crate::import_single(&cut, &opts).expect("import").samples[0];
        assert!(s.defects.contains(&Defect::Broken), "{:?} {:?}", s.defects, s.metrics);
        assert!(s.unchecked.is_empty(), "{:?}", s.unchecked);
    }

    #[test]
    fn seal_ink_piled_dark_along_its_strokes_is_not_print_under_it() {
        let opts = crate::ImportOptions { dpi: Some(300.0), ..Default::default() };
        let red = [200, 40, 45];
        // Nearly black maroon along the ring's outer edge (a smear's copies piled up on the side
        // it came from): dark, hardly red, absorbing red 0.66 as strongly as green, so each of
        // its pixels passes for print, but none lies clear of the ring's ink.
        let piled = painted_ring_png(|d, _, _| match d {
            d if (19.75..=20.0).contains(&d) => Some([28, 4, 6]),
            d if (18.8..19.75).contains(&d) => Some(red),
            _ => None,
        });
        let s = &crate::import_single(&piled, &opts).expect("import").samples[0];
        let measure = |m: &str| metric(&s.metrics, m);
        assert!(measure("black_mm2").is_some_and(|v| v >= 0.6), "{:?}", s.metrics);
        assert_eq!(measure("black_clear_mm2"), Some(0.0), "{:?}", s.metrics);
        assert!(!s.defects.contains(&Defect::TextUnder), "{:?} {:?}", s.defects, s.metrics);
        // Black print crossing the ring: dark grey bars 0.4 mm high running from the paper outside
        // across the ring into the seal, where it shows between the strokes.
        let printed = painted_ring_png(|d, dx, dy| {
            if (18.8..=20.0).contains(&d) {
                Some(red)
            } else if (-23.0..-12.0).contains(&dx) && [-2.0f32, 0.0, 2.0].iter().any(|&y0| (dy - y0).abs() <= 0.2) {
                Some([35, 35, 38])
            } else {
                None
            }
        });
        let s = &crate::import_single(&printed, &opts).expect("import").samples[0];
        let measure = |m: &str| metric(&s.metrics, m);
        assert!(measure("black_clear_mm2").is_some_and(|v| v >= MIN_PRINT_CLEAR_MM2), "{:?}", s.metrics);
        assert!(s.defects.contains(&Defect::TextUnder), "{:?} {:?}", s.defects, s.metrics);
    }

    #[test]
    fn print_in_the_corners_of_a_round_seals_square_or_its_own_faded_strokes_are_not_print_under_it() {
        let opts = crate::ImportOptions { dpi: Some(300.0), ..Default::default() };
        let red = [200, 40, 45];
        let ring = |d: f32| (18.8..=20.0).contains(&d).then_some(red);
        // Maker R: a form's words beside the seal, inside the square round its ring but outside
        // the ring itself, are not under it (phone 003, wand 016 and 038 read the same).
        let beside = painted_ring_png(|d, dx, dy| {
            ring(d).or_else(|| ((-19.5..-14.0).contains(&dx) && [-17.0f32, -16.0].iter().any(|&y0| (dy - y0).abs() <= 0.2) && d > 21.5).then_some([35, 35, 38]))
        });
        let s = &crate::import_single(&beside, &opts).expect("import").samples[0];
        assert!(metric(&s.metrics, "black_mm2").is_some_and(|v| v < MIN_PRINT_MM2), "{:?}", s.metrics);
        assert!(!s.defects.contains(&Defect::TextUnder), "{:?} {:?}", s.defects, s.metrics);
        // Maker R at 150 dpi: a seal's thin strokes whose colour the archive's codec averaged
        // with the paper, left dark and a little red, far from any ink still read as red: they
        // absorb red 0.7 as strongly as green, where black print on paper absorbs evenly.
        let faded = painted_ring_png(|d, dx, dy| {
            ring(d).or_else(|| ((-8.0..8.0).contains(&dx) && [-6.0f32, -2.0, 2.0, 6.0].iter().any(|&y0| (dy - y0).abs() <= 0.2)).then_some([115, 85, 92]))
        });
        let s = &crate::import_single(&faded, &opts).expect("import").samples[0];
        assert!(metric(&s.metrics, "black_mm2").is_some_and(|v| v >= MIN_PRINT_MM2), "each pixel passes for print: {:?}", s.metrics);
        assert!(metric(&s.metrics, "black_clear_mm2").is_some_and(|v| v < MIN_PRINT_CLEAR_MM2), "{:?}", s.metrics);
        assert!(!s.defects.contains(&Defect::TextUnder), "{:?} {:?}", s.defects, s.metrics);
    }

    #[test]
    fn a_pink_sheet_whose_scanner_clipped_red_and_blue_is_not_white_but_white_paper_a_little_warm_is() {
        // Maker L: a pink stock whose scanner driver whitened the page until red and blue clipped
        // at 255, green 236: a tint of 19 levels, under the 20 that was the limit. White paper
        // reads 10 at most on every set.
        let judged = |paper: [f32; 3]| {
            let (dpi, pen) = (300.0f32, [40.0f32, 45.0, 110.0]);
            let ppmm = dpi / 25.4;
            let img = RgbImage::from_fn((56.0 * ppmm) as u32, (50.0 * ppmm) as u32, |x, y| {
                let (u, v) = ((x as f32 + 0.5) / ppmm, (y as f32 + 0.5) / ppmm);
                let stroke = (v - 23.0 - 4.0 * (0.5 * u).sin()).abs() < 0.25 && (10.0..46.0).contains(&u);
                image::Rgb((if stroke { pen } else { paper }).map(|c| c as u8))
            });
            let frame = Frame::new(0.0);
            let geom = BoxGeom { u0: 0.0, v0: 0.0, u1: img.width() as f32, v1: img.height() as f32, line_w: [0.0; 4] };
            judge(features(&img, frame, &geom, dpi, true), SampleKind::Signature, 0, 0, frame, 0.0, dpi, 300.0)
        };
        let pink = judged([255.0, 236.0, 255.0]);
        assert!(pink.defects.contains(&Defect::BgNotWhite), "{:?} {:?}", pink.defects, pink.metrics);
        // Maker P: white paper under a tablet's cool white balance reads up to 17 levels: a cast,
        // not a stock, and a flag on it would call every row of the sheet to be stamped again.
        let cool = judged([232.0, 239.0, 248.0]);
        assert!(!cool.defects.contains(&Defect::BgNotWhite), "{:?} {:?}", cool.defects, cool.metrics);
        let warm = judged([246.0, 244.0, 236.0]);
        assert!(!warm.defects.contains(&Defect::BgNotWhite), "{:?} {:?}", warm.defects, warm.metrics);
        // The cast and maker AB's light pink stock ([252, 238, 243], 14.7) read alike: neither is
        // labelled, both leave the paper's colour to the clerk's eye and say why; white paper a
        // little warm (10) and a stock past the band (19, labelled) leave nothing unchecked.
        let asked = |s: &Sample| s.unchecked.iter().filter(|u| u.label == Defect::BgNotWhite).map(|u| (u.quantity.clone(), u.op, u.limit)).collect::<Vec<_>>();
        let light_pink = judged([252.0, 238.0, 243.0]);
        assert!(!light_pink.defects.contains(&Defect::BgNotWhite), "{:?} {:?}", light_pink.defects, light_pink.metrics);
        for s in [&cool, &light_pink] {
            assert_eq!(asked(s), [("paper_tint".to_string(), Op::Above, PAPER_TINT_READ)], "{:?}", s.metrics);
            let u = s.unchecked.iter().find(|u| u.label == Defect::BgNotWhite).expect("unchecked");
            assert!(u.value > PAPER_TINT_READ && u.value <= PAPER_TINT_MAX, "{u:?}");
        }
        assert!(asked(&warm).is_empty() && asked(&pink).is_empty(), "{:?} {:?}", warm.unchecked, pink.unchecked);
    }

    #[test]
    fn a_light_cyan_signature_is_a_pale_signature_not_an_empty_box() {
        // Maker S: a cyan pen written light over a colour fax takes a quarter of the red light
        // and under a tenth of the luma (green, which the luma weighs most, it lets through):
        // by the luma alone it was paper, and the box read empty.
        let (dpi, paper, pen) = (300.0f32, [243.0f32, 244.0, 246.0], [188.0f32, 242.0, 245.0]);
        let ppmm = dpi / 25.4;
        let img = RgbImage::from_fn((56.0 * ppmm) as u32, (34.0 * ppmm) as u32, |x, y| {
            let (u, v) = ((x as f32 + 0.5) / ppmm, (y as f32 + 0.5) / ppmm);
            let stroke = (v - 17.0 - 4.0 * (0.5 * u).sin()).abs() < 0.3 && (12.0..44.0).contains(&u);
            image::Rgb((if stroke { pen } else { paper }).map(|c| c as u8))
        });
        let frame = Frame::new(0.0);
        let geom = BoxGeom { u0: 0.0, v0: 0.0, u1: img.width() as f32, v1: img.height() as f32, line_w: [0.0; 4] };
        let s = judge(features(&img, frame, &geom, dpi, true), SampleKind::Signature, 0, 0, frame, 0.0, dpi, 300.0);
        assert!(!s.defects.contains(&Defect::Empty), "{:?} {:?}", s.defects, s.metrics);
        assert!(s.defects.contains(&Defect::Pale), "{:?} {:?}", s.defects, s.metrics);
        assert!(!s.defects.contains(&Defect::BgNotWhite), "{:?} {:?}", s.defects, s.metrics);
    }

    #[test]
    fn a_pink_highlighter_under_a_signature_is_a_stain() {
        // Maker I: a pink highlighter's swath under a name, in a box read as a signature's. Its
        // redness kept it out of the paper read for stains, as a seal's ink is, and the box read
        // clean.
        let (dpi, paper, pink, pen) = (200.0f32, [245.0f32, 244.0, 240.0], [240.0f32, 170.0, 210.0], [40.0f32, 45.0, 110.0]);
        let ppmm = dpi / 25.4;
        let img = RgbImage::from_fn((56.0 * ppmm) as u32, (50.0 * ppmm) as u32, |x, y| {
            let (u, v) = ((x as f32 + 0.5) / ppmm, (y as f32 + 0.5) / ppmm);
            let stroke = (v - 23.0 - 4.0 * (0.5 * u).sin()).abs() < 0.25 && (10.0..46.0).contains(&u);
            let swath = (8.0..48.0).contains(&u) && (v - 25.0).abs() < 6.0;
            image::Rgb(
                (if stroke {
                    pen
                } else if swath {
                    pink
                } else {
                    paper
                })
                .map(|c| c as u8),
            )
        });
        let frame = Frame::new(0.0);
        let geom = BoxGeom { u0: 0.0, v0: 0.0, u1: img.width() as f32, v1: img.height() as f32, line_w: [0.0; 4] };
        let s = judge(features(&img, frame, &geom, dpi, true), SampleKind::Signature, 0, 0, frame, 0.0, dpi, 300.0);
        assert!(!s.empty && s.defects.contains(&Defect::BgNotWhite), "{:?} {:?}", s.defects, s.metrics);
    }

    #[test]
    fn a_shadow_across_a_photographed_box_is_the_light_but_a_graphite_smudge_is_a_stain() {
        // Maker I (a phone scanning app's pages): the phone's shadow, its penumbra 10 mm wide,
        // darkens a third of the right box by up to a tenth, as the app's flattening leaves it; a
        // graphite smudge darkens the paper by up to 40 levels, in blotches a few millimetres across.
        let paper = [245.0f32, 244.0, 240.0];
        let shadow = |u: f32, v: f32| {
            let t = ((u + 0.3 * v - 95.0) / 10.0).clamp(0.0, 1.0);
            let light = 1.0 - 0.1 * t * t * (3.0 - 2.0 * t);
            paper.map(|c| c * light)
        };
        let smudge = |u: f32, v: f32| {
            let inside = ((u - 90.0) / 20.0).powi(2) + ((v - 28.0) / 16.0).powi(2) <= 1.0;
            let blotches = 0.5 + 0.5 * (1.3 * u).sin() * (1.1 * v + 0.4 * u).sin();
            let dark = if inside { 40.0 * blotches } else { 0.0 };
            paper.map(|c| c - dark)
        };
        for (name, report, stained) in [("shadow", two_boxes(shadow, 3.0), false), ("graphite", two_boxes(smudge, 3.0), true)] {
            let s = report.samples.iter().find(|s| s.col == 1).expect("the right box");
            assert_eq!(s.defects.contains(&Defect::BgNotWhite), stained, "{name}: {:?} {:?}", s.defects, s.metrics);
            let texture = metric(&s.metrics, "stain_texture").expect("neutral dark cells were read");
            assert_eq!(texture >= STAIN_MIN_TEXTURE, stained, "{name}: texture {texture}");
        }
    }

    #[test]
    fn sensor_noise_is_not_a_stain_but_a_stain_is() {
        let opts = crate::ImportOptions { dpi: Some(300.0), ..Default::default() };
        for sigma in [0.0, 6.0, 12.0] {
            let r = crate::import_single(&noisy_ring(sigma, false), &opts).expect("import");
            let s = &r.samples[0];
            assert!(!s.defects.contains(&Defect::BgNotWhite), "σ {sigma}: {:?} {:?}", s.defects, s.metrics);
        }
        // At σ 12 the stain's noisy pixels pass for ink (redness > 30) and the ink's
        // neighbourhood, which the stain share leaves out, swallows the stain: not yet found.
        for sigma in [0.0, 6.0] {
            let r = crate::import_single(&noisy_ring(sigma, true), &opts).expect("import");
            let s = &r.samples[0];
            assert!(s.defects.contains(&Defect::BgNotWhite), "σ {sigma} with a stain: {:?} {:?}", s.defects, s.metrics);
        }
    }

    #[test]
    fn a_ring_that_grazes_the_line_is_not_over_it_and_one_that_crosses_it_is() {
        // Three boxes 50 mm wide at 150 dpi, lines 0.3 mm wide in a scanner's grey halo 0.3 mm
        // each side, 公章 40 mm across: the first centred, the second `graze` mm clear of its
        // right line's core (in its halo: borderline, not over it), the third 1 mm over it.
        let overlaps = |graze: f32| {
            let ppmm = 150.0 / 25.4;
            let (w, h) = ((180.0 * ppmm) as u32, (80.0 * ppmm) as u32);
            let (x0, y0, bw, bh) = (12.0f32, 14.0f32, 50.0f32, 50.0f32);
            let r = 20.0f32;
            let shift = [0.0f32, 0.5 * bw - r - 0.15 - graze, 0.5 * bw - r - 0.15 + 1.0];
            let img = RgbImage::from_fn(w, h, |x, y| {
                let (u, v) = ((x as f32 + 0.5) / ppmm, (y as f32 + 0.5) / ppmm);
                let line = (0..=3).filter(|_| (y0..=y0 + bh).contains(&v)).map(|k| (u - (x0 + k as f32 * bw)).abs());
                let line = line.chain([y0, y0 + bh].iter().filter(|_| (x0..=x0 + 3.0 * bw).contains(&u)).map(|&l| (v - l).abs())).fold(f32::MAX, f32::min);
                let seal = (0..3).any(|k| {
                    let (dx, dy) = (u - (x0 + (k as f32 + 0.5) * bw + shift[k]), v - (y0 + 0.5 * bh));
                    let (dist, a) = (dx.hypot(dy), dy.atan2(dx));
                    let ring = (r - 1.2..=r).contains(&dist);
                    let star = dist < 4.0 && (a * 5.0 / std::f32::consts::TAU).rem_euclid(1.0) < 0.5;
                    ring || star
                });
                let grey = if line < 0.15 {
                    30
                } else if line < 0.45 {
                    150
                } else {
                    245
                };
                let mut p = [grey, grey, grey.min(240)];
                if seal {
                    p = [p[0].min(205), p[1].min(45), p[2].min(50)];
                }
                image::Rgb(p)
            });
            let report = crate::import_sheet(&png_bytes(&img), &crate::ImportOptions { dpi: Some(150.0), ..Default::default() }).expect("import");
            (0..3)
                .map(|col| {
                    let s = report.samples.iter().find(|s| s.col == col).expect("seal");
                    (s.defects.contains(&Defect::OverlapLine), metric(&s.metrics, "on_line"))
                })
                .collect::<Vec<_>>()
        };
        for graze in [0.0f32, 0.1] {
            let got = overlaps(graze);
            // The grazing ring does put ink on the line's band (its halo), under what a graze leaves.
            assert!(got[1].1.is_some_and(|px| px >= 8.0), "{graze} mm: {got:?}");
            assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), [false, false, true], "{graze} mm: {got:?}");
        }
    }

    #[test]
    fn a_neighbours_ring_reaching_in_moves_neither_the_circle_nor_the_border() {
        // A 40 mm ring and, 38 mm to its left, the same ring of the neighbouring box, whose arc
        // crosses this one and lies up to 3.5 mm outside it over a quarter of the circle.
        let ink = [200, 40, 45];
        let png = painted_ring_png(|d, dx, dy| {
            let other = (dx + 38.0).hypot(dy);
            ((18.8..=20.0).contains(&d) || (18.8..=20.0).contains(&other)).then_some(ink)
        });
        let opts = crate::ImportOptions { dpi: Some(300.0), ..Default::default() };
        let r = crate::import_single(&png, &opts).expect("import");
        let s = &r.samples[0];
        let d = s.diameter_mm.expect("round");
        assert!((d - 40.0).abs() <= 0.5, "diameter {d} {:?}", s.metrics);
        assert!(!s.defects.contains(&Defect::Broken) && !s.defects.contains(&Defect::Tilted), "{:?} {:?}", s.defects, s.metrics);
    }

    /// A 40 mm 公章's face (`seal_face`), in mm from its centre.
    fn round_design(dx: f32, dy: f32) -> bool {
        seal_face(dx, dy, 40.0)
    }

    #[test]
    fn a_faint_second_pressing_beyond_a_round_seal_is_read_beyond_its_ring() {
        // A 40 mm 公章 (ring, text, star) and a copy with 30 % of its ink 2.2 mm above it (C-dev2
        // 078): the copy is under the mask's level, the circle is the first pressing's, and
        // the copy's ring stands beyond it, where the seal's own text cannot repeat.
        let (red, paper) = ([200.0f32, 40.0, 45.0], [240.0f32, 240.0, 238.0]);
        let pressed = |copy: bool| {
            painted_ring_png(move |_, dx, dy| {
                let ink = if round_design(dx, dy) {
                    1.0
                } else if copy && round_design(dx, dy + 2.2) {
                    0.3
                } else {
                    0.0
                };
                (ink > 0.0).then(|| std::array::from_fn(|k| (paper[k] + ink * (red[k] - paper[k])) as u8))
            })
        };
        let opts = crate::ImportOptions { dpi: Some(300.0), ..Default::default() };
        let single = &crate::import_single(&pressed(false), &opts).expect("import").samples[0];
        assert!(!single.defects.contains(&Defect::Double), "{:?} {:?}", single.defects, single.metrics);
        let twice = &crate::import_single(&pressed(true), &opts).expect("import").samples[0];
        assert!(twice.defects.contains(&Defect::Double), "{:?} {:?}", twice.defects, twice.metrics);
        // On clean paper the faint ink's echo sees the copy too; the ring beyond alone gives it.
        assert!(thresholds().fires("double.beyond", &twice.metrics), "{:?}", twice.metrics);
        assert!(!thresholds().fires("double.beyond", &single.metrics), "{:?}", single.metrics);
        let offset = metric(&twice.metrics, "ring_beyond_mm");
        assert!(offset.is_some_and(|d| (d - 2.2).abs() <= 0.3), "{offset:?}");
    }

    #[test]
    fn a_second_pressing_merged_into_the_strokes_stands_flat_where_a_smear_fades() {
        // A 40 mm 公章 pressed again 1.0 mm to the lower right with 60 % of its ink (closer
        // than the ring's 1.2 mm: the two merge, the echo has no place of its own), and the
        // same 公章 dragged 1.2 mm that way, its ink fading to 45 % along the trail.
        let (red, paper) = ([200.0f32, 40.0, 45.0], [240.0f32, 240.0, 238.0]);
        let (ux, uy) = (40f32.to_radians().cos(), 40f32.to_radians().sin());
        let inked = |ink: f32| (ink > 0.0).then(|| std::array::from_fn(|k| (paper[k] + ink * (red[k] - paper[k])) as u8));
        let twice = painted_ring_png(|_, dx, dy| {
            inked(if round_design(dx, dy) {
                1.0
            } else if round_design(dx - ux, dy - uy) {
                0.6
            } else {
                0.0
            })
        });
        let dragged = painted_ring_png(|_, dx, dy| {
            let ink = (0..=24).map(|k| k as f32 / 24.0).find(|t| round_design(dx - 1.2 * t * ux, dy - 1.2 * t * uy)).map_or(0.0, |t| 1.0 - 0.55 * t);
            inked(ink)
        });
        let opts = crate::ImportOptions { dpi: Some(300.0), ..Default::default() };
        let limit = thresholds().limit(ROUND_RULES.plateau, "trail_rise").expect("limit");
        let rise = |s: &crate::Sample| metric(&s.metrics, "trail_rise");
        let twice = &crate::import_single(&twice, &opts).expect("import").samples[0];
        assert!(rise(twice).is_some_and(|v| v < limit), "{:?}", twice.metrics);
        assert!(!twice.defects.contains(&Defect::Smudged), "{:?} {:?}", twice.defects, twice.metrics);
        let dragged = &crate::import_single(&dragged, &opts).expect("import").samples[0];
        assert!(rise(dragged).is_some_and(|v| v > 1.5 * limit), "{:?}", dragged.metrics);
        assert!(dragged.defects.contains(&Defect::Smudged) && !dragged.defects.contains(&Defect::Double), "{:?} {:?}", dragged.defects, dragged.metrics);
    }

    #[test]
    fn a_cut_face_says_its_double_and_smear_were_not_read() {
        let unread = |metrics: &[(&'static str, f32)], found: Option<Defect>| {
            let mut labels = Labels::default();
            if let Some(d) = found {
                labels.found(d, "frame_second", 1.0, Op::Above, 0.9);
            }
            cut_face_unread(&mut labels, metrics);
            labels.finish(SampleKind::LegalRepSeal).2.into_iter().map(|u| (u.label, u.quantity)).collect::<Vec<_>>()
        };
        // 阴文: its paper in pieces, its frame band the field of ink.
        let cut = [("paper_field", 0.2), ("frame_width_mm", 4.0)];
        assert_eq!(unread(&cut, None), vec![(Defect::Double, "paper_field".to_string()), (Defect::Smudged, "paper_field".to_string())]);
        // Its frame a line after all: the double is read there, the smear is not.
        assert_eq!(unread(&[("paper_field", 0.2), ("frame_width_mm", 1.2)], None), vec![(Defect::Smudged, "paper_field".to_string())]);
        // A double found (a 朱文 face pressed twice also breaks its paper up): nothing to say.
        assert_eq!(unread(&cut, Some(Defect::Double)), vec![]);
        // A smear found on such a face is not unread.
        assert_eq!(unread(&cut, Some(Defect::Smudged)), vec![(Defect::Double, "paper_field".to_string())]);
        // 朱文: both read.
        assert_eq!(unread(&[("paper_field", 0.9), ("frame_width_mm", 1.2)], None), vec![]);
        // No face measured (too little ink): nothing claimed.
        assert_eq!(unread(&[("frame_width_mm", 4.0)], None), vec![]);
    }

    #[test]
    fn an_unlocated_echos_half_way_is_not_read() {
        // An echo along a smear on the search's first cells, with a dip half way (inside the
        // strokes' own width): no dip read, and on a round seal no copy shown.
        let unlocated = Echo { offset_mm: 0.92, deg: 33.7, echo: 0.15, valley: 0.2, unlocated: true };
        let placed = Echo { unlocated: false, ..unlocated };
        assert_eq!(smear_valley(Some(unlocated), 33.75), 1.0);
        assert_eq!(smear_valley(Some(placed), 33.75), 0.2);
        assert!(smear_direction_confirmed(None, 33.75, true, Some(unlocated), None));
        assert!(!smear_direction_confirmed(None, 33.75, true, Some(placed), None));
        // A 法人章's strokes still decide (its stacked characters echo whatever the motion).
        assert!(!smear_direction_confirmed(None, 33.75, false, Some(unlocated), None));
        // The smear rule then fires and the echo is the smear's: `smudged`, not `double`.
        let judged = |echo: Echo| {
            let metrics = [
                ("smear_q_mm", 0.9),
                ("smear_plain_mm", 0.5),
                ("smear_agrees_mm", 1.3),
                ("smear_valley", smear_valley(Some(echo), 33.75)),
                ("trail_rise", 0.2),
                ("double_echo", 0.15),
                ("double_valley", 0.2),
                ("double_offset_mm", 0.92),
            ];
            let mut labels = Labels::default();
            double_or_smear(Some(echo), &mut labels, &metrics, &ROUND_RULES);
            labels.finish(SampleKind::OfficialSeal).0
        };
        assert_eq!(judged(unlocated), vec![Defect::Smudged]);
        assert_eq!(judged(placed), vec![Defect::Double]);
    }

    #[test]
    fn a_flat_trail_along_widened_edges_is_a_double_whatever_the_echo() {
        let judged = |rules: &ShapeRules, kind: SampleKind, metrics: &[(&'static str, f32)], unlocated: bool| {
            let mut labels = Labels::default();
            let echo = Echo { offset_mm: 0.8, deg: 40.0, echo: 0.09, valley: 0.9, unlocated };
            double_or_smear(Some(echo), &mut labels, metrics, rules);
            labels.finish(kind).0
        };
        // A 公章 whose edges widen 0.9 mm along one direction, the strokes agreeing: the smear
        // rule fires; the trail decides, on or off the echo's first ring.
        let round = |rise: f32| [("smear_q_mm", 0.9), ("smear_plain_mm", 0.5), ("smear_agrees_mm", 0.6), ("smear_valley", 1.0), ("trail_rise", rise)];
        for unlocated in [false, true] {
            assert_eq!(judged(&ROUND_RULES, SampleKind::OfficialSeal, &round(-0.1), unlocated), vec![Defect::Double]);
            assert_eq!(judged(&ROUND_RULES, SampleKind::OfficialSeal, &round(0.25), unlocated), vec![Defect::Smudged]);
        }
        // The strokes disagree (no smear): a flat trail is still a second pressing's, and the
        // reason given is the trail, not the widened edges (a gate), however far they widen.
        let disagree = [("smear_q_mm", 0.9), ("smear_plain_mm", 0.5), ("smear_agrees_mm", 0.0), ("smear_valley", 1.0), ("trail_rise", -0.1)];
        assert_eq!(judged(&ROUND_RULES, SampleKind::OfficialSeal, &disagree, false), vec![Defect::Double]);
        let mut labels = Labels::default();
        let far = [("smear_q_mm", 1.5), ("smear_plain_mm", 0.9), ("smear_agrees_mm", 0.0), ("smear_valley", 1.0), ("trail_rise", -0.1)];
        double_or_smear(None, &mut labels, &far, &ROUND_RULES);
        let (_, findings, _) = labels.finish(SampleKind::OfficialSeal);
        assert_eq!(findings.iter().map(|f| (f.label, f.quantity.as_str())).collect::<Vec<_>>(), vec![(Defect::Double, "trail_rise")]);
        // Edges no wider than the scan's: no trail to read, whatever its shape.
        let sharp = [("smear_q_mm", 0.1), ("smear_plain_mm", 0.0), ("smear_agrees_mm", 0.0), ("smear_valley", 1.0), ("trail_rise", -0.1)];
        assert_eq!(judged(&ROUND_RULES, SampleKind::OfficialSeal, &sharp, false), vec![]);
        // Edges wider along one direction only against the ruled lines, the ink's own the same
        // every way (a scanner read sharper along one axis): no trail either, and no smear.
        let scanner_only = [("smear_q_mm", 0.9), ("smear_plain_mm", 0.01), ("smear_agrees_mm", 0.6), ("smear_valley", 1.0), ("trail_rise", -0.1)];
        assert_eq!(judged(&ROUND_RULES, SampleKind::OfficialSeal, &scanner_only, false), vec![]);
        let scanner_only = [("smear_q_mm", 0.9), ("smear_plain_mm", 0.01), ("smear_agrees_mm", 0.6), ("smear_valley", 1.0), ("trail_rise", 0.25)];
        assert_eq!(judged(&ROUND_RULES, SampleKind::OfficialSeal, &scanner_only, false), vec![]);
        // A 法人章: on a 朱文 face, or (issue 76) on a 阴文 face whose field's outer edge widens
        // with the characters (a 阴文 face's cut strokes read plateaus of their own, the grain's,
        // which leave the field's straight edge as it is).
        let square = |field: f32, frame_smear: f32| {
            [
                ("paper_field", field),
                ("frame_smear", frame_smear),
                ("smear_q_mm", 0.9),
                ("smear_plain_mm", 0.5),
                ("smear_agrees_mm", 0.0),
                ("smear_valley", 1.0),
                ("trail_rise", -0.1),
                ("trail_foot", 0.9),
            ]
        };
        assert_eq!(judged(&SQUARE_RULES, SampleKind::LegalRepSeal, &square(0.9, 0.0), false), vec![Defect::Double]);
        assert_eq!(judged(&SQUARE_RULES, SampleKind::LegalRepSeal, &square(0.2, 0.0), false), vec![]);
        assert_eq!(judged(&SQUARE_RULES, SampleKind::LegalRepSeal, &square(0.2, 1.1), false), vec![Defect::Double]);
        let finding = |metrics: &[(&'static str, f32)]| {
            let mut labels = Labels::default();
            double_or_smear(None, &mut labels, metrics, &SQUARE_RULES);
            labels.finish(SampleKind::LegalRepSeal).1.into_iter().map(|f| (f.label, f.quantity)).collect::<Vec<_>>()
        };
        assert_eq!(finding(&square(0.2, 1.1)), vec![(Defect::Double, "trail_rise".to_string())], "the flat trail is the reason");
    }

    #[test]
    fn a_smear_on_a_cut_face_is_read_where_the_fields_edge_widens_with_it() {
        // Issue 76: a 阴文 法人章's smear (the paper in pieces), which `smudged.square` does not
        // read, is a smear where the field's outer edge widens with the characters, the foot
        // fades and the trail climbs as a drag's (V 001, T 000, R 010 …).
        let judged = |metrics: &[(&'static str, f32)]| {
            let mut labels = Labels::default();
            double_or_smear(None, &mut labels, metrics, &SQUARE_RULES);
            labels.finish(SampleKind::LegalRepSeal).0
        };
        let face = |field: f32, frame: f32, foot: f32, rise: f32| {
            [
                ("paper_field", field),
                ("smear_q_mm", 0.9),
                ("smear_plain_mm", 0.5),
                ("smear_agrees_mm", 0.6),
                ("smear_valley", 1.0),
                ("frame_smear", frame),
                ("trail_foot", foot),
                ("trail_rise", rise),
                ("lead_sharp", 0.95),
            ]
        };
        assert_eq!(judged(&face(0.2, 1.0, 0.3, 0.3)), vec![Defect::Smudged]);
        // the field's edge as sharp as the characters' across: the grain's widening, no smear
        assert_eq!(judged(&face(0.2, 0.0, 0.3, 0.3)), vec![]);
        // a foot as sharp as the lead: a copy's own edge, no smear read from the field
        assert_eq!(judged(&face(0.2, 1.0, 0.9, 0.3)), vec![]);
        // a trail that stands flat and ends in an edge as sharp as its lead: a copy's shoulder,
        // no smear; the field's edge widened with it, the flat trail is the whole face's, read as
        // on a 朱文 face (the plateau); flat but fading at its foot, a drag at falling pressure
        assert_eq!(judged(&face(0.2, 1.0, 0.9, 0.05)), vec![Defect::Double]);
        assert_eq!(judged(&face(0.2, 1.0, 0.3, 0.05)), vec![Defect::Smudged]);
        // a trail that climbs slower than a drag of the definition, between the plateau and
        // the rise: a foot that fades stands in for the rise (a drag at falling pressure ends in
        // its faintest ink, a copy in its own edge), one that does not leaves it unread
        assert_eq!(judged(&face(0.2, 1.0, 0.3, 0.12)), vec![Defect::Smudged]);
        assert_eq!(judged(&face(0.2, 1.0, 0.6, 0.12)), vec![]);
        // a 朱文 face is `smudged.square`'s, as before
        assert_eq!(judged(&face(0.9, 1.0, 0.3, 0.3)), vec![Defect::Smudged]);
        // A dip half way along the echo (`smear_valley` 0.2) says a second copy, unless the foot
        // fades as a drag's: the valley's half way then lies on the ink of another stroke
        // (issue 76: R 013, 027, 031; W 038; S 038; C-dev40 008 …), on either face.
        let dipped = |field: f32, foot: f32| face(field, 1.0, foot, 0.3).map(|(m, v)| (m, if m == "smear_valley" { 0.2 } else { v }));
        for field in [0.9, 0.2] {
            assert_eq!(judged(&dipped(field, 0.3)), vec![Defect::Smudged], "{field}");
            assert_eq!(judged(&dipped(field, 0.6)), vec![], "{field}");
        }
        // and a 阴文 face with no smear says the smear was not checked, the face the reason
        let mut labels = Labels::default();
        let quiet = face(0.2, 0.0, 0.3, 0.3);
        double_or_smear(None, &mut labels, &quiet, &SQUARE_RULES);
        cut_face_unread(&mut labels, &quiet);
        let (_, _, unchecked) = labels.finish(SampleKind::LegalRepSeal);
        assert!(unchecked.iter().any(|f| f.label == Defect::Smudged && f.quantity == "paper_field"), "{unchecked:?}");
    }

    #[test]
    fn on_a_round_seal_a_dip_half_way_is_a_copy_whatever_the_foot() {
        // Issue 76: the fading foot stands in for the valley on square seals only, whose doubles
        // the veto's limit was read on; on a 公章 black print under the seal gives a fading foot
        // and a valley of 0.43 with no smear (O 038 r0c2), where two smears of W and P gained.
        let judged = |foot: f32| {
            let mut labels = Labels::default();
            let metrics =
                [("smear_q_mm", 0.9), ("smear_plain_mm", 0.5), ("smear_agrees_mm", 0.6), ("smear_valley", 0.2), ("trail_foot", foot), ("trail_rise", 0.3), ("lead_sharp", 0.95)];
            double_or_smear(None, &mut labels, &metrics, &ROUND_RULES);
            labels.finish(SampleKind::OfficialSeal).0
        };
        assert_eq!(judged(0.3), vec![]);
        assert_eq!(judged(0.9), vec![]);
    }

    #[test]
    fn a_smear_whose_slow_trail_ends_sharply_is_a_close_copy() {
        let t = thresholds();
        let rise = t.limit(ROUND_RULES.sharp_foot, "trail_rise").expect("limit");
        let foot = t.limit(ROUND_RULES.sharp_foot, "trail_foot").expect("limit");
        let judged = |rules: &ShapeRules, kind: SampleKind, metrics: &[(&'static str, f32)]| {
            let mut labels = Labels::default();
            double_or_smear(None, &mut labels, metrics, rules);
            let (labels, findings, _) = labels.finish(kind);
            (labels, findings.iter().map(|f| f.quantity.clone()).collect::<Vec<_>>())
        };
        // What the smear rule reads (edges widened 0.9 mm along one direction, the strokes
        // agreeing), its trail climbing slower than a uniform drag and not flat enough for the
        // plateau: the foot decides. As sharp as the lead: the copy's edge, a double, the foot
        // the reason; fading: a drag at falling pressure, a smear.
        let round = |r: f32, f: f32| [("smear_q_mm", 0.9), ("smear_plain_mm", 0.5), ("smear_agrees_mm", 0.6), ("smear_valley", 1.0), ("trail_rise", r), ("trail_foot", f)];
        assert_eq!(judged(&ROUND_RULES, SampleKind::OfficialSeal, &round(rise - 0.05, foot + 0.1)), (vec![Defect::Double], vec!["trail_foot".to_string()]));
        assert_eq!(judged(&ROUND_RULES, SampleKind::OfficialSeal, &round(rise - 0.05, foot - 0.15)).0, vec![Defect::Smudged]);
        // A trail that climbs as a drag of the definition does: a smear, however sharp its foot
        // (a drag at uniform pressure ramps both sides alike, the foot about 1). Its lead is
        // not read here; where it is as sharp as a copy's, `sharp_ends` reads on (next test).
        assert_eq!(judged(&ROUND_RULES, SampleKind::OfficialSeal, &round(rise + 0.1, 1.0)).0, vec![Defect::Smudged]);
        // Only where the smear rule would read a smear: strokes that do not agree on the
        // direction (pale faces, noisy edges) give neither.
        let disagree = [("smear_q_mm", 0.9), ("smear_plain_mm", 0.5), ("smear_agrees_mm", 0.0), ("smear_valley", 1.0), ("trail_rise", rise - 0.05), ("trail_foot", 1.0)];
        assert_eq!(judged(&ROUND_RULES, SampleKind::OfficialSeal, &disagree).0, vec![]);
        // A 法人章 the same, on a 朱文 face only.
        let square = |field: f32| {
            [
                ("paper_field", field),
                ("smear_q_mm", 0.9),
                ("smear_plain_mm", 0.5),
                ("smear_agrees_mm", 0.6),
                ("smear_valley", 1.0),
                ("trail_rise", rise - 0.05),
                ("trail_foot", foot + 0.1),
            ]
        };
        assert_eq!(judged(&SQUARE_RULES, SampleKind::LegalRepSeal, &square(0.9)).0, vec![Defect::Double]);
        assert_eq!(judged(&SQUARE_RULES, SampleKind::LegalRepSeal, &square(0.2)).0, vec![]);
    }

    #[test]
    fn a_trail_that_ends_and_leads_as_sharply_as_a_copys_is_one() {
        let t = thresholds();
        let rise = t.limit(ROUND_RULES.sharp_ends, "trail_rise").expect("limit");
        let foot = t.limit(ROUND_RULES.sharp_ends, "trail_foot").expect("limit");
        let lead = t.limit(ROUND_RULES.sharp_ends, "lead_sharp").expect("limit");
        let slow = t.limit(ROUND_RULES.sharp_foot, "trail_rise").expect("limit");
        // Read where v14's rule is not: the trail climbs faster than its limit.
        let between = 0.5 * (slow + rise);
        assert!(between > slow && between < rise);
        let judged = |rules: &ShapeRules, metrics: &[(&'static str, f32)]| {
            let mut labels = Labels::default();
            double_or_smear(None, &mut labels, metrics, rules);
            let (labels, findings, _) = labels.finish(SampleKind::OfficialSeal);
            (labels, findings.iter().map(|f| f.quantity.clone()).collect::<Vec<_>>())
        };
        let smear = |r: f32, f: f32, l: f32| {
            [
                ("paper_field", 0.9),
                ("smear_q_mm", 0.9),
                ("smear_plain_mm", 0.5),
                ("smear_agrees_mm", 0.6),
                ("smear_valley", 1.0),
                ("trail_rise", r),
                ("trail_foot", f),
                ("lead_sharp", l),
            ]
        };
        // Ends as sharply as it leads, and leads as the edges across: a copy, the foot the reason.
        for rules in [&ROUND_RULES, &SQUARE_RULES] {
            assert_eq!(judged(rules, &smear(between, foot + 0.1, lead + 0.2)), (vec![Defect::Double], vec!["trail_foot".to_string()]));
        }
        // A lead that ramps too: a drag at uniform pressure. A foot that fades: one at falling
        // pressure. A trail that climbs as an edge does: no copy's shoulder, and with both
        // ends that sharp no drag either (`ends_sharp`, next tests), where a ramped lead is a
        // smear.
        assert_eq!(judged(&ROUND_RULES, &smear(between, foot + 0.1, lead - 0.2)).0, vec![Defect::Smudged]);
        assert_eq!(judged(&ROUND_RULES, &smear(between, foot - 0.1, lead + 0.2)).0, vec![Defect::Smudged]);
        assert_eq!(judged(&ROUND_RULES, &smear(rise + 0.1, foot + 0.1, lead + 0.2)).0, vec![]);
        assert_eq!(judged(&ROUND_RULES, &smear(rise + 0.1, foot + 0.1, lead - 0.2)).0, vec![Defect::Smudged]);
        // Without the lead read (one side only), no copy is said.
        let no_lead = &smear(between, foot + 0.1, lead + 0.2)[..7];
        assert_eq!(judged(&ROUND_RULES, no_lead).0, vec![Defect::Smudged]);
        // Only where the smear rule reads a smear: strokes that do not agree give neither.
        let mut disagree = smear(between, foot + 0.1, lead + 0.2);
        disagree[3].1 = 0.0;
        assert_eq!(judged(&ROUND_RULES, &disagree).0, vec![]);
    }

    #[test]
    fn a_smear_the_frame_does_not_share_is_the_typeface() {
        let t = thresholds();
        let limit = t.limit(SQUARE_RULES.unshared.expect("square veto"), "frame_smear").expect("limit");
        let judged = |rules: &ShapeRules, frame: Option<f32>, trail: [(&'static str, f32); 2]| {
            let mut metrics = vec![("paper_field", 0.9), ("smear_q_mm", 0.9), ("smear_plain_mm", 0.5), ("smear_agrees_mm", 0.6), ("smear_valley", 1.0)];
            metrics.extend(trail);
            metrics.extend(frame.map(|v| ("frame_smear", v)));
            let mut labels = Labels::default();
            double_or_smear(None, &mut labels, &metrics, rules);
            let (labels, _, unchecked) = labels.finish(SampleKind::LegalRepSeal);
            (labels, unchecked.iter().map(|u| (u.label, u.quantity.clone())).collect::<Vec<_>>())
        };
        let fading = [("trail_rise", 0.5), ("trail_foot", 0.3)];
        // The frame widens as the characters do: a smear.
        assert_eq!(judged(&SQUARE_RULES, Some(limit + 0.5), fading), (vec![Defect::Smudged], vec![]));
        // It does not: the characters' own widening, said as a smear not judged, the frame the reason.
        assert_eq!(judged(&SQUARE_RULES, Some(limit - 0.1), fading), (vec![], vec![(Defect::Smudged, "frame_smear".to_string())]));
        // No frame read (no band, a 阴文 field): the characters decide as before.
        assert_eq!(judged(&SQUARE_RULES, None, fading).0, vec![Defect::Smudged]);
        // Nor is a copy read from the sharp ends of a widening the frame does not share; a
        // plateau still is.
        let rise = t.limit(SQUARE_RULES.sharp_foot, "trail_rise").expect("limit");
        let sharp_foot = [("trail_rise", rise - 0.02), ("trail_foot", 1.0)];
        assert_eq!(judged(&SQUARE_RULES, Some(limit + 0.5), sharp_foot).0, vec![Defect::Double]);
        assert_eq!(judged(&SQUARE_RULES, Some(limit - 0.1), sharp_foot), (vec![], vec![(Defect::Smudged, "frame_smear".to_string())]));
        let plateau = [("trail_rise", -0.1), ("trail_foot", 1.0)];
        assert_eq!(judged(&SQUARE_RULES, Some(limit - 0.1), plateau).0, vec![Defect::Double]);
        // A round seal has no frame: never vetoed.
        assert_eq!(judged(&ROUND_RULES, Some(limit - 0.1), fading).0, vec![Defect::Smudged]);
    }

    #[test]
    fn an_echo_further_out_than_a_second_pressing_goes_is_no_double() {
        let judged = |offset_mm: f32| {
            let mut labels = Labels::default();
            let echo = Echo { offset_mm, deg: 40.0, echo: 0.13, valley: 0.35, unlocated: false };
            double_or_smear(Some(echo), &mut labels, &[("double_echo", 0.13), ("double_valley", 0.35), ("double_offset_mm", offset_mm)], &ROUND_RULES);
            labels.finish(SampleKind::OfficialSeal).0
        };
        // A copy up to 3 mm off, read within a 0.2 mm cell of it: a double.
        assert_eq!(judged(3.01), vec![Defect::Double]);
        // The seal's own structure echoing at the search's edge (B-dev4 198, C-dev6 079): none.
        assert_eq!(judged(3.39), vec![]);
        // The offset is a gate, not the reason: a close copy is told by its echo, not by how
        // far inside the reach it lies.
        let mut labels = Labels::default();
        let echo = Echo { offset_mm: 1.0, deg: 40.0, echo: 0.15, valley: 0.5, unlocated: false };
        double_or_smear(Some(echo), &mut labels, &[("double_echo", 0.15), ("double_valley", 0.5), ("double_offset_mm", 1.0)], &ROUND_RULES);
        let (_, findings, _) = labels.finish(SampleKind::OfficialSeal);
        assert_eq!(findings.iter().map(|f| (f.label, f.quantity.as_str())).collect::<Vec<_>>(), vec![(Defect::Double, "double_echo")]);
    }

    #[test]
    fn a_second_frame_line_nearly_whole_is_a_copy_where_the_echo_stands_at_its_depth() {
        // Issue 76 (X-heldout 039 r2c2 and 019 r2c0, P-heldout 024 r1c0): 法人章 doubles whose
        // second frame line showed in 8 of the 9 places of the corner margins (0.89, under
        // `double.square`'s 0.9), the mask's echo 0.06-0.12 mm from its depth along the axis.
        let judged = |second: f32, apart: Option<f32>| {
            let mut metrics = vec![("frame_inset_mm", 0.1), ("frame_width_mm", 1.0), ("frame_second", second), ("frame_offset_mm", 2.1)];
            metrics.extend(apart.map(|v| ("frame_echo_apart_mm", v)));
            let mut labels = Labels::default();
            double_or_smear(None, &mut labels, &metrics, &SQUARE_RULES);
            labels.finish(SampleKind::LegalRepSeal)
        };
        let (defects, findings, _) = judged(0.89, Some(0.06));
        assert_eq!(defects, vec![Defect::Double]);
        assert_eq!(findings.iter().map(|f| f.quantity.as_str()).collect::<Vec<_>>(), vec!["frame_echo_apart_mm"]);
        // the echo elsewhere (a seal's text, a smear's trail), or none: the line alone, not whole
        assert_eq!(judged(0.89, Some(1.0)).0, vec![]);
        assert_eq!(judged(0.89, None).0, vec![]);
        // a line in part of the margin, which text fills, even with the echo there
        assert_eq!(judged(0.75, Some(0.06)).0, vec![]);
        // the whole line needs no echo (`double.square`)
        assert_eq!(judged(1.0, None).0, vec![Defect::Double]);
        // the echo's offset along the outline's axes: a copy 1.5 mm across each pair of sides is
        // 2.12 mm off at 45°; one along the first axis of a face turned 2° stands at its offset
        let apart =
            |offset_mm: f32, deg: f32, outline_deg: f32, line_mm: f32| frame_echo_apart_mm(Echo { offset_mm, deg, echo: 0.3, valley: 0.3, unlocated: false }, outline_deg, line_mm);
        assert!(apart(2.12, 48.0, 3.0, 1.5) < 0.02);
        assert!(apart(2.0, 92.0, 2.0, 2.0) < 0.01);
        assert!((apart(2.0, 92.0, 2.0, 1.0) - 1.0).abs() < 0.01);
    }

    #[test]
    fn a_second_frame_line_beside_a_fading_trail_is_the_smears() {
        let judged = |foot: Option<f32>| {
            let mut metrics = vec![("frame_inset_mm", 0.1), ("frame_width_mm", 1.0), ("frame_second", 1.0), ("frame_offset_mm", 1.6)];
            metrics.extend(foot.map(|v| ("trail_foot", v)));
            let mut labels = Labels::default();
            double_or_smear(None, &mut labels, &metrics, &SQUARE_RULES);
            labels.finish(SampleKind::LegalRepSeal).0
        };
        // A 法人章 whose frame reads a second line all along a corner margin: a double, where
        // its trail's foot climbs as a copy's edge does, or was not read.
        assert_eq!(judged(Some(0.8)), vec![Defect::Double]);
        assert_eq!(judged(None), vec![Defect::Double]);
        // Beside a foot that climbs under half as fast as the leading edge, the line is a
        // smear's trail along the frame: no double (and no smear without its own evidence)...
        assert_eq!(judged(Some(0.35)), vec![]);
        // ... but not silently: the double is a check not made, the foot its reason.
        let mut labels = Labels::default();
        let vetoed = [("frame_inset_mm", 0.1), ("frame_width_mm", 1.0), ("frame_second", 1.0), ("frame_offset_mm", 1.6), ("trail_foot", 0.35)];
        double_or_smear(None, &mut labels, &vetoed, &SQUARE_RULES);
        let (_, _, unchecked) = labels.finish(SampleKind::LegalRepSeal);
        let notes: Vec<(Defect, &str, Op, f32)> = unchecked.iter().map(|u| (u.label, u.quantity.as_str(), u.op, u.value)).collect();
        assert_eq!(notes, vec![(Defect::Double, "trail_foot", Op::Below, 0.35)]);
        // A foot that fades beside no second line refuses nothing, and says nothing.
        let mut labels = Labels::default();
        double_or_smear(
            None,
            &mut labels,
            &[("frame_inset_mm", 0.1), ("frame_width_mm", 1.0), ("frame_second", 0.2), ("frame_offset_mm", 1.6), ("trail_foot", 0.35)],
            &SQUARE_RULES,
        );
        assert!(labels.finish(SampleKind::LegalRepSeal).2.is_empty());
        // A round seal's doubles are read on its echo and ring, not on a frame: no veto there.
        let mut labels = Labels::default();
        let echo = Echo { offset_mm: 2.0, deg: 40.0, echo: 0.3, valley: 0.3, unlocated: false };
        double_or_smear(Some(echo), &mut labels, &[("double_echo", 0.3), ("double_valley", 0.3), ("double_offset_mm", 2.0), ("trail_foot", 0.35)], &ROUND_RULES);
        assert_eq!(labels.finish(SampleKind::OfficialSeal).0, vec![Defect::Double]);
    }

    #[test]
    fn a_fragment_far_off_the_seal_does_not_stretch_it() {
        // A 法人章 18 mm square (a 0.9 mm frame, bars for its characters) on the box's left,
        // and 23 mm to its right a red fragment of about 9 mm² (stray ink, B-dev2 052):
        // big enough to count as ink, too far to be a part of this pressing.
        let red = [205, 45, 50];
        let png = painted_ring_png(|_, dx, dy| {
            let (u, v) = (dx + 12.0, dy);
            let frame = u.abs().max(v.abs());
            let seal = (8.1..=9.0).contains(&frame) || (frame < 6.5 && (v + 6.5).rem_euclid(2.6) < 1.0 && u.abs() > 0.8);
            let fragment = (20.0..=23.0).contains(&dx) && (-3.0..=3.0).contains(&dy) && (dx < 20.9 || (dy + 3.0).rem_euclid(3.0) < 0.9);
            (seal || fragment).then_some(red)
        });
        let opts = crate::ImportOptions { dpi: Some(300.0), ..Default::default() };
        let s = &crate::import_single(&png, &opts).expect("import").samples[0];
        assert_eq!(s.kind, SampleKind::LegalRepSeal, "{:?}", s.metrics);
        let side = s.side_mm.expect("square");
        assert!((side - 18.0).abs() <= 0.5, "side {side} {:?}", s.metrics);
        assert!(!s.defects.contains(&Defect::Broken), "{:?} {:?}", s.defects, s.metrics);
    }

    #[test]
    fn a_broken_round_seal_is_sized_by_the_ring_it_kept() {
        // Maker I's and F's broken 公章: the stamp held askew lost its ring nearly half the
        // way round and kept the text inside it, which is then the outermost ink there. The
        // circle fitted through all the outermost ink was pulled in, 2.4–5 mm small, and its far
        // side then dropped as ink beyond the ring.
        let (red, paper) = ([205.0f32, 45.0, 50.0], [245.0f32, 244.0, 240.0]);
        let d = 42.0;
        for lost_at in [-135.0f32, -60.0, 30.0, 160.0] {
            let report = two_boxes(
                |u, v| {
                    let (dx, dy) = (u - 30.0, v - 28.0);
                    let off = (dy.atan2(dx).to_degrees() - lost_at + 540.0).rem_euclid(360.0) - 180.0;
                    let ring_lost = off.abs() < 88.0 && dx.hypot(dy) > 0.5 * d - 2.0;
                    let ink = if !ring_lost && seal_face(dx, dy, d) { 1.0 } else { 0.0 };
                    std::array::from_fn(|k| paper[k] + ink * (red[k] - paper[k]))
                },
                4.0,
            );
            let s = report.samples.iter().find(|s| s.col == 0).expect("the left box");
            assert!(s.defects.contains(&Defect::Broken), "ring lost at {lost_at}°: {:?} {:?}", s.defects, s.metrics);
            let got = s.diameter_mm.expect("round");
            assert!((got - d).abs() <= 0.5, "ring lost at {lost_at}°: diameter {got} {:?}", s.metrics);
        }
    }

    #[test]
    fn a_broken_rectangle_is_sized_by_its_fitted_sides_and_a_square_cut_across_stays_square() {
        // A lying 法人章 22 × 14 mm (a 0.9 mm frame, bars for its characters) that lost its
        // top-left corner (a cap 5 mm along each side): `broken`, and every side keeps its edge
        // along most of its length, so the face is 22 × 14 mm, its mean side 18 mm. The larger
        // extent, what the min-area rectangle gave a broken face, called it 22 mm.
        let red = [205, 45, 50];
        let face = |hu: f32, hv: f32, lost: &dyn Fn(f32, f32) -> bool| {
            let lost = |u: f32, v: f32| lost(u, v);
            painted_ring_png(move |_, u, v| {
                let frame = (u.abs() - hu).max(v.abs() - hv);
                let bars = frame < -2.0 && (v + hv).rem_euclid(2.6) < 1.0 && u.abs() > 0.8;
                ((-0.9..=0.0).contains(&frame) || bars).then_some(red).filter(|_| !lost(u, v))
            })
        };
        let opts = crate::ImportOptions { dpi: Some(300.0), ..Default::default() };
        let corner = face(11.0, 7.0, &|u, v| (u + 11.0) + (v + 7.0) < 5.0);
        let s = &crate::import_single(&corner, &opts).expect("import").samples[0];
        assert_eq!(s.kind, SampleKind::LegalRepSeal, "{:?}", s.metrics);
        assert!(s.defects.contains(&Defect::Broken), "{:?} {:?}", s.defects, s.metrics);
        let side = s.side_mm.expect("rectangle");
        assert!((side - 18.0).abs() <= 0.3, "side {side} {:?}", s.metrics);
        // An 18 mm square whose bottom 4.5 mm are lost across the whole side along a ragged
        // edge (± 0.4 mm, as uneven pressure leaves it): the cut lies on no one line, the sides
        // across it keep theirs, and the whole axis gives the face, 18 mm (13.5 mm across is
        // within a rectangle's proportion, 1.33 : 1, but no side says so: the square is kept).
        let across = face(9.0, 9.0, &|u, v| v > 4.5 + 0.4 * (1.7 * u).sin());
        let s = &crate::import_single(&across, &opts).expect("import").samples[0];
        assert_eq!(s.kind, SampleKind::LegalRepSeal, "{:?}", s.metrics);
        let side = s.side_mm.expect("square");
        assert!((side - 18.0).abs() <= 0.3, "side {side} {:?}", s.metrics);
    }

    #[test]
    fn a_side_whose_frame_is_lost_and_text_stands_in_for_it_is_broken() {
        // Maker V (webcam) 029 r1c1: an 18 mm 法人章 whose top 4 mm were lost across the whole
        // side, through its characters. The outline's top is the cut; along it the characters'
        // upright strokes and, 1.2 mm in, a crossbar keep the border's band inked (gap under
        // 2 mm, present over 0.9), but the frame's band on that side starts where the crossbar
        // is, not at the outline: `frame_inset_mm`, the other side of `double.square`'s gate (a
        // whole frame starts at the outline, 0-0.3 mm in), is the reason.
        let red = [205, 45, 50];
        let png = painted_ring_png(|_, u, v| {
            let frame = (u.abs() - 9.0).max(v.abs() - 9.0);
            let upright = frame < -2.0 && (u + 9.0).rem_euclid(2.6) < 0.9;
            let across = frame < -2.0 && (v + 9.0).rem_euclid(2.6) < 0.9 && u.abs() > 0.8;
            ((-0.9..=0.0).contains(&frame) || upright || across).then_some(red).filter(|_| v + 9.0 >= 4.0)
        });
        let opts = crate::ImportOptions { dpi: Some(300.0), ..Default::default() };
        let s = &crate::import_single(&png, &opts).expect("import").samples[0];
        let measure = |m: &str| metric(&s.metrics, m);
        assert_eq!(s.kind, SampleKind::LegalRepSeal, "{:?}", s.metrics);
        assert!(measure("border_gap_mm").is_some_and(|g| g < 4.0) && measure("border_present").is_some_and(|p| p > 0.88), "{:?}", s.metrics);
        assert!(measure("frame_inset_mm").is_some_and(|d| d > 0.8), "{:?}", s.metrics);
        assert!(s.defects.contains(&Defect::Broken), "{:?} {:?}", s.defects, s.metrics);
        let f = s.findings.iter().find(|f| f.label == Defect::Broken).expect("a reason");
        assert_eq!(f.quantity, "frame_inset_mm", "{f:?}");
        // The same face whole: its frame starts at the outline, nothing lost.
        let whole = painted_ring_png(|_, u, v| {
            let frame = (u.abs() - 9.0).max(v.abs() - 9.0);
            let upright = frame < -2.0 && (u + 9.0).rem_euclid(2.6) < 0.9;
            let across = frame < -2.0 && (v + 9.0).rem_euclid(2.6) < 0.9 && u.abs() > 0.8;
            ((-0.9..=0.0).contains(&frame) || upright || across).then_some(red)
        });
        let s = &crate::import_single(&whole, &opts).expect("import").samples[0];
        assert!(metric(&s.metrics, "frame_inset_mm").is_some_and(|d| d <= 0.3), "{:?}", s.metrics);
        assert!(!s.defects.contains(&Defect::Broken), "{:?} {:?}", s.defects, s.metrics);
    }

    #[test]
    fn a_lost_side_is_not_read_on_a_face_over_the_box_line() {
        // C-heldout 037 r3c0's measures: a whole 法人章 over its box's line, its frame's band
        // read 0.9 mm in. Not broken; the check is said to be not made, with its quantity.
        let metrics = [("frame_inset_mm", 0.9f32)];
        let mut over = Labels::default();
        over.found(Defect::OverlapLine, "on_line_mm2", 12.5, Op::Above, 0.05);
        lost_side(&mut over, &metrics);
        assert!(!over.contains(Defect::Broken));
        assert_eq!(over.unchecked.iter().map(|u| (u.label, u.quantity.as_str(), u.value)).collect::<Vec<_>>(), [(Defect::Broken, "frame_inset_mm", 0.9)]);
        // inside its box the same side is lost
        let mut inside = Labels::default();
        lost_side(&mut inside, &metrics);
        assert!(inside.contains(Defect::Broken) && inside.unchecked.is_empty());
        // and a whole frame is neither
        let mut whole = Labels::default();
        lost_side(&mut whole, &[("frame_inset_mm", 0.1)]);
        assert!(!whole.contains(Defect::Broken) && whole.unchecked.is_empty());
    }

    #[test]
    fn a_face_that_lost_a_corner_keeps_its_sides_and_one_that_lost_a_side_is_squared() {
        // Maker Q (a dev set) 030 r1c1: a 16.3 × 19.7 mm face that lost its corner: a piece of
        // a side of each axis is left on its line (0.26 and 0.58 of the positions). Its
        // measured sides are the face's; the square of the whole axis read 19.7 mm.
        let corner = face_side(15.84, 19.67, Some((0.26, 0.58)), true);
        assert!((corner - 0.5 * (15.84 + 19.67)).abs() < 0.01, "{corner}");
        // Maker P 006 r1c0: an 18.6-mm square that lost its whole left side, the glyphs cut
        // with it: the top and bottom sides are whole (0.96), the face their square.
        let side = face_side(14.43, 18.55, Some((0.10, 0.96)), true);
        assert!((side - 18.55).abs() < 0.01, "{side}");
    }

    #[test]
    fn a_rectangle_pushed_over_the_line_keeps_its_sides() {
        // Maker I: a lying 法人章 20 × 15 mm turned 2.5°, pushed 3 mm over its box's right line
        // (into the next box) or its bottom line into a hatched caption strip. What lies beyond the line is not the box's, so
        // the sides across it keep their edges only up to the line, under 0.6 of one fitted line
        // as a cut's ragged edge; the face was given the square of its long side, 20 mm for a
        // mean side of 17.5.
        let (red, paper) = ([205.0f32, 45.0, 50.0], [245.0f32, 244.0, 240.0]);
        let (hu, hv) = (10.0f32, 7.5f32);
        for (cu, cv) in [(60.0 - hu + 3.0, 28.0), (30.0, 56.0 - hv + 3.0)] {
            let report = two_boxes(
                |u, v| {
                    // Turned 2.5°, as a hand holds a stamp upright.
                    let (sn, cs) = 2.5f32.to_radians().sin_cos();
                    let (du, dv) = ((u - cu) * cs + (v - cv) * sn, (v - cv) * cs - (u - cu) * sn);
                    let frame = (du.abs() - hu).max(dv.abs() - hv);
                    let bars = frame < -2.0 && (dv + hv).rem_euclid(2.6) < 1.0 && du.abs() > 0.8;
                    let ink = (-0.9..=0.0).contains(&frame) || bars;
                    // The form's hatched caption strip under the row, as on 附件3.
                    let hatch = v > 56.3 && (u + v).rem_euclid(1.5) < 0.35;
                    let under = if hatch { [110.0, 110.0, 110.0] } else { paper };
                    std::array::from_fn(|k| if ink { under[k] * red[k] / 255.0 } else { under[k] })
                },
                4.0,
            );
            let s = report.samples.iter().find(|s| s.col == 0).expect("the seal's box");
            assert_eq!(s.kind, SampleKind::LegalRepSeal, "{:?}", s.metrics);
            assert!(s.defects.contains(&Defect::OverlapLine) && !s.defects.contains(&Defect::Broken), "{:?} {:?}", s.defects, s.metrics);
            let side = s.side_mm.expect("rectangle");
            assert!((side - 17.5).abs() <= 0.3, "side {side} {:?}", s.metrics);
        }
    }

    #[test]
    fn a_highlighter_across_a_rectangles_sides_does_not_cut_them() {
        // Maker X: a yellow highlighter's stroke 7 mm high across a standing 法人章 16 × 19 mm
        // and beyond it on both sides. It absorbs in blue as strongly as the frame does, so on
        // the absorption the sides' edges where it crosses lay on the stroke's own edge, off
        // their fitted lines, and the face was taken for one cut across those sides: the
        // square of its long side, 19 mm for a mean side of 17.5.
        let (red, paper, yellow) = ([205.0f32, 45.0, 50.0], [245.0f32, 244.0, 240.0], [250.0f32, 232.0, 110.0]);
        let (cu, cv, hu, hv) = (30.0f32, 28.0f32, 8.0f32, 9.5f32);
        let report = two_boxes(
            |u, v| {
                let (du, dv) = (u - cu, v - cv);
                let frame = (du.abs() - hu).max(dv.abs() - hv);
                let bars = frame < -2.0 && (du + hu).rem_euclid(2.6) < 1.0 && dv.abs() > 0.8;
                let ink = (-0.9..=0.0).contains(&frame) || bars;
                let stroke = (dv - 1.0 - 0.6 * (u / 9.0).sin()).abs() < 3.5 && (4.0..56.0).contains(&u);
                let under: [f32; 3] = if stroke { std::array::from_fn(|k| paper[k] * yellow[k] / 255.0) } else { paper };
                std::array::from_fn(|k| if ink { under[k] * red[k] / 255.0 } else { under[k] })
            },
            4.0,
        );
        let s = report.samples.iter().find(|s| s.col == 0).expect("the seal's box");
        assert_eq!(s.kind, SampleKind::LegalRepSeal, "{:?}", s.metrics);
        assert!(!s.defects.contains(&Defect::Broken), "{:?} {:?}", s.defects, s.metrics);
        let side = s.side_mm.expect("rectangle");
        assert!((side - 17.5).abs() <= 0.3, "side {side} {:?}", s.metrics);
    }

    #[test]
    fn a_cut_face_pressed_twice_ends_its_opposite_sides_apart_but_a_drag_by_less() {
        // Makers O, V, X and I (issue 76): a 阴文 法人章 (its characters cut out of a field of
        // ink) pressed twice, the copy 1.5 mm along u and 1.2 mm along v. There is no frame
        // line to see twice and the echo of a field is its own; the union's top and bottom
        // sides end 1.5 mm apart at both corners, its left and right 1.2 mm. Pressed once, the
        // sides end together; dragged 1.6 mm (the definition's longest smear) the same way at
        // falling pressure, they end apart by about half of that at the half level.
        let (red, paper) = ([205.0f32, 45.0, 50.0], [245.0f32, 244.0, 240.0]);
        let (cu, cv, hu, hv) = (30.0f32, 28.0f32, 8.0f32, 9.5f32);
        let face = |u: f32, v: f32| {
            let (du, dv) = (u - cu, v - cv);
            let inside = du.abs() <= hu && dv.abs() <= hv;
            let cut = du.abs() < hu - 1.5 && dv.abs() < hv - 1.5 && ((du + hu).rem_euclid(3.4) < 0.9 || (dv + hv).rem_euclid(4.1) < 0.8);
            inside && !cut
        };
        let judged = |pressings: &[(f32, f32, f32)]| {
            let report = two_boxes(
                |u, v| {
                    // Each pressing's ink multiplies the paper under it (the overlap darker).
                    let kept = pressings.iter().filter(|&&(du, dv, _)| face(u - du, v - dv)).fold(1.0f32, |t, &(_, _, ink)| t * (1.0 - ink * 0.6));
                    std::array::from_fn(|k| paper[k] * (1.0 - (1.0 - kept) / 0.6 * (1.0 - red[k] / 255.0)).max(0.05))
                },
                4.0,
            );
            report.samples.iter().find(|s| s.col == 0).expect("the seal's box").clone()
        };
        let twice = judged(&[(0.0, 0.0, 1.0), (1.5, 1.2, 1.0)]);
        assert_eq!(twice.kind, SampleKind::LegalRepSeal, "{:?}", twice.metrics);
        let shift = metric(&twice.metrics, "side_shift_mm").expect("read");
        assert!((shift - 1.2).abs() <= 0.25 || (shift - 1.5).abs() <= 0.25, "{shift} {:?}", twice.metrics);
        assert!(twice.defects.contains(&Defect::Double), "{:?} {:?}", twice.defects, twice.metrics);
        assert!(twice.findings.iter().any(|f| f.label == Defect::Double && f.quantity == "side_shift_mm"), "{:?}", twice.findings);
        let once = judged(&[(0.0, 0.0, 1.0)]);
        assert!(metric(&once.metrics, "side_shift_mm").expect("read") <= 0.2, "{:?}", once.metrics);
        assert!(!once.defects.contains(&Defect::Double), "{:?}", once.defects);
        // The drag: copies every 0.1 mm along (1, 0.75) over 1.6 mm, each fainter.
        let drag: Vec<(f32, f32, f32)> = (0..=16).map(|k| (0.08 * k as f32, 0.06 * k as f32, 0.35 * (1.0 - k as f32 / 17.0))).collect();
        let dragged = judged(&drag);
        let shift = metric(&dragged.metrics, "side_shift_mm").expect("read");
        assert!(shift < 1.0, "{shift} {:?}", dragged.metrics);
        assert!(!dragged.findings.iter().any(|f| f.quantity == "side_shift_mm"), "{:?}", dragged.findings);
    }

    #[test]
    fn a_tea_stain_under_a_smeared_seal_is_no_noise_and_hides_no_smear() {
        // Maker X: a tea stain under a third of a box whose 法人章 was dragged 1.2 mm. Read against
        // white, the stain's level stood for 30-40 levels of noise, under which no edge was
        // read; and the edges' profiles, which step up from white, lay in the stain's own
        // darkness at their 10 % crossing. Read against the stain, the box is a clean one.
        let (red, paper, tea) = ([205.0f32, 45.0, 50.0], [245.0f32, 244.0, 240.0], [0.93f32, 0.85, 0.7]);
        let (cu, cv, half) = (30.0f32, 28.0f32, 9.0f32);
        let judged = |stained: bool| {
            let report = two_boxes(
                |u, v| {
                    // The drag along +u at falling pressure: copies of the face 0-1.2 mm back,
                    // each fainter.
                    let face = |u: f32| {
                        let (du, dv) = (u - cu, v - cv);
                        let frame = (du.abs() - half).max(dv.abs() - half);
                        let bars = frame < -2.0 && (du + half).rem_euclid(2.6) < 1.0 && dv.abs() > 0.8;
                        (-0.9..=0.0).contains(&frame) || bars
                    };
                    let ink = (0..=12).filter(|&k| face(u - 0.1 * k as f32)).map(|k| 1.0 - k as f32 / 13.0).fold(0.0f32, f32::max);
                    // A soft blot over a third of the box, round the seal.
                    let inside = ((u - 30.0) / 22.0).hypot((v - 28.0) / 17.0);
                    let stain = if stained { ((1.0 - inside) * 10.0).clamp(0.0, 1.0) } else { 0.0 };
                    let under: [f32; 3] = std::array::from_fn(|k| paper[k] * (1.0 - stain * (1.0 - tea[k])));
                    std::array::from_fn(|k| under[k] * (1.0 - ink * (1.0 - red[k] / 255.0)))
                },
                4.0,
            );
            report.samples.iter().find(|s| s.col == 0).expect("the seal's box").clone()
        };
        let (clean, stained) = (judged(false), judged(true));
        let noise = |s: &Sample| metric(&s.metrics, "paper_noise").expect("noise");
        assert!(noise(&stained) <= noise(&clean) + 2.0, "{} {}", noise(&stained), noise(&clean));
        for s in [&clean, &stained] {
            assert_eq!(s.kind, SampleKind::LegalRepSeal, "{:?}", s.metrics);
            assert!(s.defects.contains(&Defect::Smudged), "{:?} {:?}", s.defects, s.metrics);
        }
        let smear = |s: &Sample| metric(&s.metrics, "smear_q_mm").expect("smear read");
        assert!((smear(&stained) - smear(&clean)).abs() <= 0.15, "{} {}", smear(&stained), smear(&clean));
    }

    #[test]
    fn a_seal_overlapping_its_neighbours_over_the_line_keeps_its_ring() {
        // A row of three boxes 42 mm wide, each with a 公章 44 mm across in its middle: every
        // ring crosses its box's lines and the neighbours' rings, so each seal's ink is one
        // piece with its neighbours', which runs out of the box's crop.
        let ppmm = 200.0 / 25.4;
        let (w, h) = ((150.0 * ppmm) as u32, (80.0 * ppmm) as u32);
        let (x0, y0, bw, bh) = (12.0f32, 14.0f32, 42.0f32, 50.0f32);
        let d = 44.0f32;
        let img = RgbImage::from_fn(w, h, |x, y| {
            let (u, v) = ((x as f32 + 0.5) / ppmm, (y as f32 + 0.5) / ppmm);
            let on_line = (0..=3).any(|k| (u - (x0 + k as f32 * bw)).abs() < 0.15) && (y0..=y0 + bh).contains(&v)
                || [y0, y0 + bh].iter().any(|&l| (v - l).abs() < 0.15) && (x0..=x0 + 3.0 * bw).contains(&u);
            let seal = (0..3).any(|k| {
                let (dx, dy) = (u - (x0 + (k as f32 + 0.5) * bw), v - (y0 + 0.5 * bh));
                let (dist, a) = (dx.hypot(dy), dy.atan2(dx));
                let ring = (0.5 * d - 1.2..=0.5 * d).contains(&dist);
                let text = (0.5 * d - 6.0..=0.5 * d - 2.5).contains(&dist) && (a * 0.5 * d).rem_euclid(1.4) < 0.6 && a < 2.6;
                let star = dist < 4.0 && (a * 5.0 / std::f32::consts::TAU).rem_euclid(1.0) < 0.5;
                ring || text || star
            });
            let mut p = [245u8, 244, 240];
            if on_line {
                p = [30, 30, 30];
            }
            if seal {
                p = [p[0].min(205), p[1].min(45), p[2].min(50)];
            }
            image::Rgb(p)
        });
        let report = crate::import_sheet(&png_bytes(&img), &crate::ImportOptions { dpi: Some(200.0), ..Default::default() }).expect("import");
        assert_eq!(report.samples.len(), 3, "{:?}", report.samples.iter().map(|s| (s.row, s.col)).collect::<Vec<_>>());
        let s = report.samples.iter().find(|s| s.col == 1).expect("the middle seal");
        assert!(!s.defects.contains(&Defect::Broken), "{:?} {:?}", s.defects, s.metrics);
        let got = s.diameter_mm.expect("round");
        assert!((got - d).abs() <= 0.6, "diameter {got} for {d}: {:?}", s.metrics);
    }

    #[test]
    fn a_caption_printed_inside_empty_boxes_does_not_make_a_seal_row_a_signature_row() {
        // Maker I: a row of three 公章 boxes, a seal in the first, the other two empty with their
        // captions (签章2, 签章3: about 3 mm² of dark print) inside the boxes' crops. Each empty
        // box voted the row a signature row and the seal was read as no signature, empty.
        let ppmm = 200.0 / 25.4;
        let (x0, y0, bw, bh) = (12.0f32, 14.0f32, 60.0f32, 56.0f32);
        let img = RgbImage::from_fn((204.0 * ppmm) as u32, (84.0 * ppmm) as u32, |x, y| {
            let (u, v) = ((x as f32 + 0.5) / ppmm, (y as f32 + 0.5) / ppmm);
            let on_line = (0..=3).any(|k| (u - (x0 + k as f32 * bw)).abs() < 0.15) && (y0..=y0 + bh).contains(&v)
                || [y0, y0 + bh].iter().any(|&l| (v - l).abs() < 0.15) && (x0..=x0 + 3.0 * bw).contains(&u);
            let seal = seal_face(u - (x0 + 0.5 * bw), v - (y0 + 0.5 * bh), 40.0);
            // Three characters' worth of print, 1 mm² each, 3 mm above each empty box's bottom line.
            let caption = (1..3).any(|k| {
                let cu = x0 + (k as f32 + 0.5) * bw;
                (0..3).any(|c| (u - (cu - 3.0 + 3.0 * c as f32)).abs() < 0.5) && (v - (y0 + bh - 3.0)).abs() < 0.5
            });
            image::Rgb(if on_line || caption {
                [30, 30, 30]
            } else if seal {
                [205, 45, 50]
            } else {
                [245, 244, 240]
            })
        });
        let report = crate::import_sheet(&png_bytes(&img), &crate::ImportOptions { dpi: Some(200.0), ..Default::default() }).expect("import");
        assert_eq!(report.samples.len(), 3, "{:?}", report.samples.iter().map(|s| (s.row, s.col)).collect::<Vec<_>>());
        let s = report.samples.iter().find(|s| s.col == 0).expect("the seal");
        assert_eq!(s.kind, SampleKind::OfficialSeal, "{:?} {:?}", s.defects, s.metrics);
        assert!(!s.empty, "{:?} {:?}", s.defects, s.metrics);
    }

    /// `synth::two_boxes` imported at its 200 dpi.
    fn two_boxes(paint: impl Fn(f32, f32) -> [f32; 3], sigma: f32) -> crate::SheetReport {
        import_200(&crate::synth::two_boxes(paint, sigma))
    }

    fn import_200(png: &[u8]) -> crate::SheetReport {
        crate::import_sheet(png, &crate::ImportOptions { dpi: Some(200.0), ..Default::default() }).expect("import")
    }

    use crate::synth::seal_face;

    #[test]
    fn a_pale_seal_beside_a_neighbour_stamped_over_the_line_is_pale_not_empty() {
        // The left box holds a strong 公章 44 mm across whose ring crosses the middle line 4 mm
        // into the right box; the right box holds a pale 公章 40 mm across, its ink a fifth of
        // the strong one's step (B-heldout 000, C-dev 002). The neighbour's strong red took the
        // upper class of the right box's histogram and the pale seal fell under the cut: the
        // box read empty.
        let (red, paper) = ([205.0f32, 45.0, 50.0], [245.0f32, 244.0, 240.0]);
        for neighbour in [false, true] {
            let report = two_boxes(
                |u, v| {
                    let ink = if neighbour && seal_face(u - 42.0, v - 28.0, 44.0) {
                        1.0
                    } else if seal_face(u - 90.0, v - 28.0, 40.0) {
                        0.2
                    } else {
                        0.0
                    };
                    std::array::from_fn(|k| paper[k] + ink * (red[k] - paper[k]))
                },
                6.0,
            );
            let s = report.samples.iter().find(|s| s.col == 1).expect("the right box");
            assert!(!s.empty && s.defects.contains(&Defect::Pale), "neighbour {neighbour}: {:?} {:?}", s.defects, s.metrics);
            let got = s.diameter_mm.expect("round");
            assert!((got - 40.0).abs() <= 0.6, "neighbour {neighbour}: diameter {got} {:?}", s.metrics);
            assert!(!s.defects.contains(&Defect::OverlapLine) && !s.defects.contains(&Defect::Broken), "neighbour {neighbour}: {:?} {:?}", s.defects, s.metrics);
        }
    }

    #[test]
    fn a_stain_on_tinted_paper_in_a_seal_row_is_an_empty_box_not_a_pale_seal() {
        // `synth::stain_beside_a_double_seal`: the right box's tan stain, balanced against the
        // green tint, reads as pale red (B-dev2 048, B-heldout 019: read as a pale 公章).
        let report = import_200(&crate::synth::stain_beside_a_double_seal());
        let seal = report.samples.iter().find(|s| s.col == 0).expect("the left box");
        let fill = metric(&seal.metrics, "disc_fill").expect("a round seal's fill");
        assert!(!seal.empty && fill < MOST_DISC_FILL, "{fill} {:?} {:?}", seal.defects, seal.metrics);
        let s = report.samples.iter().find(|s| s.col == 1).expect("the right box");
        assert!(s.empty, "{:?} {:?}", s.defects, s.metrics);
        assert_eq!(s.defects, vec![Defect::Empty, Defect::BgNotWhite], "{:?}", s.metrics);
        let empty = s.findings.iter().find(|f| f.label == Defect::Empty).expect("a reason");
        assert_eq!((empty.quantity.as_str(), empty.unit), ("disc_fill", crate::Unit::Share), "{:?}", s.findings);
        // The ink set aside keeps its pixels, for the clerk to see (and take, if it is a seal):
        // a true-size image of the stain, about 18 × 24 mm.
        let png = crate::sample_png(s, report.output_dpi).expect("encode").expect("the stain's image");
        let img = image::load_from_memory(&png).expect("a PNG");
        let mm = |px: u32| px as f32 / report.output_dpi * 25.4;
        assert!((mm(img.width()) - 18.0).abs() < 2.0 && (mm(img.height()) - 24.0).abs() < 2.0, "{}×{} px", img.width(), img.height());
        // On white paper the same stain is a stain too; the box beside it, plain paper, holds no
        // ink and has no image.
        let white = two_boxes(|u, v| if crate::synth::on_stain(u, v) { crate::synth::STAIN_TAN } else { [245.0, 244.0, 240.0] }, 3.0);
        let s = white.samples.iter().find(|s| s.col == 1).expect("the right box");
        assert!(s.empty && s.defects.contains(&Defect::BgNotWhite), "{:?} {:?}", s.defects, s.metrics);
        assert!(s.findings.iter().all(|f| f.quantity == "disc_fill"), "{:?} {:?}", s.findings, s.metrics);
        let blank = white.samples.iter().find(|s| s.col == 0).expect("the left box");
        assert!(blank.empty && crate::sample_png(blank, white.output_dpi).expect("encode").is_none(), "{:?} {:?}", blank.findings, blank.metrics);
    }

    const PAPER: [f32; 3] = [245.0, 244.0, 240.0];

    /// Two boxes at 200 dpi: in the left a 法人章 of red ink (an 18-mm frame and bars) at
    /// `strength` of a full impression's density, the right drawn by `right`; through a
    /// scanner's optics (Gaussian of `blur_px`).
    fn legal_rep_seal_beside(strength: f32, blur_px: f32, right: impl Fn(f32, f32) -> [f32; 3]) -> crate::SheetReport {
        let red = [205.0f32, 45.0, 50.0];
        let sheet = crate::synth::two_boxes(
            |u, v| {
                let (du, dv) = (u - 30.0, v - 28.0);
                let frame = (du.abs() - 9.0).max(dv.abs() - 9.0);
                let bars = frame < -2.0 && (dv + 9.0).rem_euclid(2.6) < 1.0 && du.abs() > 0.8;
                if (-0.9..=0.0).contains(&frame) || bars {
                    // Beer-Lambert: density scales with the amount of ink.
                    return std::array::from_fn(|k| PAPER[k] * (red[k] / 255.0).powf(strength));
                }
                right(u, v)
            },
            3.0,
        );
        let sharp = image::load_from_memory(&sheet).expect("a PNG").to_rgb8();
        let mut png = Vec::new();
        image::imageops::blur(&sharp, blur_px).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).expect("encode");
        import_200(&crate::decode::png_with_dpi(png, 200.0))
    }

    #[test]
    fn a_signature_over_a_highlighters_stroke_keeps_its_row_a_signature_row() {
        // Maker W's 037 (a dev set): the right box's signature is written over a pink
        // highlighter's stroke; the stroke's red made the box vote for a 公章, the row of two
        // tied and was read as 公章, both names judged empty seals.
        let pink = [246.0f32, 178.0, 214.0];
        let ink = [35.0f32, 35.0, 40.0];
        // A name: a looping line 0.5 mm wide along 40 mm.
        let name = |u: f32, v: f32| {
            let t = u.rem_euclid(60.0) - 10.0;
            (0.0..=40.0).contains(&t) && (v - 30.0 - 5.0 * (0.9 * t).sin() - 2.0 * (2.3 * t).cos()).abs() < 0.25 * (1.0 + (0.9 * t).cos().abs() * 4.0)
        };
        let report = two_boxes(
            |u, v| {
                if name(u, v) {
                    ink
                } else if u > 66.0 && u < 114.0 && (v - 30.0).abs() < 4.5 {
                    pink
                } else {
                    PAPER
                }
            },
            3.0,
        );
        assert_eq!(report.rows.first().map(|r| r.kind), Some(SampleKind::Signature), "{:?}", report.samples.iter().map(|s| (s.kind, &s.metrics)).collect::<Vec<_>>());
        for s in &report.samples {
            assert!(s.kind == SampleKind::Signature && !s.empty, "{:?} {:?}", s.defects, s.metrics);
        }
    }

    #[test]
    fn a_tea_stain_alone_in_a_legal_rep_box_is_an_empty_box_not_an_orange_seal() {
        // Maker J (a dev set), 001 r1c0: an empty 法人章 box beside a stamped one holds a tea
        // stain, orange-tan, 28 × 20 mm, fading out over 3 mm all round; it was judged a pale,
        // broken, double, tilted, off-colour seal. The 法人章 beside it, as carved, keeps its ink.
        let tea = [232.0f32, 196.0, 160.0];
        // Through a scanner's optics (σ 0.19 mm), whose spread the ruled lines tell.
        let report = legal_rep_seal_beside(1.0, 1.5, |u, v| {
            let r = (((u - 90.0) / 14.0).powi(2) + ((v - 28.0) / 10.0).powi(2)).sqrt();
            // Soaked in: full inside, fading to nothing over the outer 3 mm, mottled.
            let mottle = 0.8 + 0.2 * (0.9 * u).sin() * (0.7 * v).cos();
            let soak = ((1.0 - r) / 0.3).clamp(0.0, 1.0) * mottle;
            std::array::from_fn(|k| PAPER[k] + soak * (tea[k] - PAPER[k]))
        });
        let seal = report.samples.iter().find(|s| s.col == 0).expect("the seal's box");
        assert!(!seal.empty && seal.kind == SampleKind::LegalRepSeal && !seal.defects.contains(&Defect::BgNotWhite), "{:?} {:?}", seal.defects, seal.metrics);
        let s = report.samples.iter().find(|s| s.col == 1).expect("the stained box");
        assert_eq!(s.defects, vec![Defect::Empty, Defect::BgNotWhite], "{:?}", s.metrics);
        let empty = s.findings.iter().find(|f| f.label == Defect::Empty).expect("a reason");
        assert_eq!(empty.quantity, "blur_excess_mm", "{:?} {:?}", s.findings, s.metrics);
    }

    #[test]
    fn a_legal_rep_seal_in_violet_ink_is_off_colour_not_an_empty_box() {
        // Maker Y (a dev set since its rows were read), 001 r1c0: a 法人章 pressed from a violet
        // pad (RGB about 83/44/170 as delivered) beside a red one. The redness is capped on the
        // violet side (a violet pen is no seal), so no ink was seen and the box read empty: the
        // clerk heard "nothing stamped" where a stamp in the wrong ink stood.
        let violet = [83.0f32, 44.0, 170.0];
        let report = legal_rep_seal_beside(1.0, 1.0, |u, v| {
            let (du, dv) = (u - 90.0, v - 28.0);
            let frame = (du.abs() - 9.0).max(dv.abs() - 9.0);
            let bars = frame < -2.0 && (dv + 9.0).rem_euclid(2.6) < 1.0 && du.abs() > 0.8;
            if (-0.9..=0.0).contains(&frame) || bars { violet } else { PAPER }
        });
        let red = report.samples.iter().find(|s| s.col == 0).expect("the red seal's box");
        assert!(!red.empty && !red.defects.contains(&Defect::OffColor), "{:?} {:?}", red.defects, red.metrics);
        let s = report.samples.iter().find(|s| s.col == 1).expect("the violet seal's box");
        assert!(s.kind == SampleKind::LegalRepSeal && !s.empty && s.defects.contains(&Defect::OffColor), "{:?} {:?}", s.defects, s.metrics);
        let off = s.findings.iter().find(|f| f.label == Defect::OffColor).expect("a reason");
        assert!(off.quantity == "hue" && off.value > 45.0, "{off:?}");
        assert!(s.side_mm.is_some_and(|side| (side - 18.0).abs() < 1.0), "{:?}", s.side_mm);
    }

    #[test]
    fn a_name_signed_in_blue_in_a_legal_rep_box_is_no_off_colour_seal() {
        // The other ink is taken for an impression only where it has a seal's face: a name
        // written across the 法人章 box in a blue pen (0.5 mm strokes along 40 mm) is not one.
        let blue = [25.0f32, 45.0, 150.0];
        let report = legal_rep_seal_beside(1.0, 1.0, |u, v| {
            let t = u - 70.0;
            let on = (0.0..=40.0).contains(&t) && (v - 28.0 - 5.0 * (0.9 * t).sin() - 2.0 * (2.3 * t).cos()).abs() < 0.25 * (1.0 + (0.9 * t).cos().abs() * 4.0);
            if on { blue } else { PAPER }
        });
        let s = report.samples.iter().find(|s| s.col == 1).expect("the signed box");
        assert!(!s.defects.contains(&Defect::OffColor), "{:?} {:?}", s.defects, s.metrics);
    }

    #[test]
    fn a_coffee_drop_in_an_empty_box_is_a_stain_not_a_pale_orange_seal() {
        // Maker P (a dev set), 015 r1c2: an empty 法人章 box holds a dried coffee drop, a light
        // tan body with a darker tide line at its edge. The body is most of the box and passes
        // for its paper; the tide line reads as a pale frame, and the box was judged a pale,
        // broken, smudged, orange seal. Beside it a pale 法人章 of red ink stays a pale seal.
        let (body, rim) = ([238.0f32, 226.0, 204.0], [222.0f32, 192.0, 150.0]);
        let report = legal_rep_seal_beside(0.3, 1.0, |u, v| {
            // The drop: an ellipse 30 × 22 mm, its last 0.6 mm the tide line.
            let r = (((u - 90.0) / 15.0).powi(2) + ((v - 28.0) / 11.0).powi(2)).sqrt();
            if r > 1.0 {
                PAPER
            } else if r > 1.0 - 0.6 / 11.0 {
                rim
            } else {
                body
            }
        });
        let seal = report.samples.iter().find(|s| s.col == 0).expect("the seal's box");
        assert!(!seal.empty && seal.defects.contains(&Defect::Pale) && !seal.defects.contains(&Defect::OffColor), "{:?} {:?}", seal.defects, seal.metrics);
        let s = report.samples.iter().find(|s| s.col == 1).expect("the stained box");
        assert_eq!(s.defects, vec![Defect::Empty, Defect::BgNotWhite], "{:?}", s.metrics);
        let empty = s.findings.iter().find(|f| f.label == Defect::Empty).expect("a reason");
        assert_eq!(empty.quantity, "stain_hue", "{:?} {:?}", s.findings, s.metrics);
    }

    #[test]
    fn a_neighbours_name_written_over_the_line_does_not_cross_for_this_box() {
        // Two signature boxes. The left holds a name of three characters (8 mm grids of 0.8 mm
        // strokes, 2 mm apart) in its middle, 16 mm or more from every line; the right box's name
        // starts 3 mm before the shared line, so its first character's tip lies in the left
        // box (C-dev2 020, where it read as the left name's 85 crossings).
        let name = |u: f32, v: f32, u0: f32| {
            let (x, y) = (u - u0, v - 24.0);
            (0..3).any(|k| {
                let x = x - 10.0 * k as f32;
                let bar = |t: f32| (0.0..=0.8).contains(&t);
                (0.0..=8.0).contains(&x) && (0.0..=8.0).contains(&y) && (bar(y) || bar(y - 3.6) || bar(y - 7.2) || bar(x) || bar(x - 7.2))
            })
        };
        let report = two_boxes(|u, v| if name(u, v, 16.0) || name(u, v, 57.0) { [40.0, 40.0, 60.0] } else { [245.0, 244.0, 240.0] }, 3.0);
        let left = report.samples.iter().find(|s| s.col == 0).expect("the left box");
        let right = report.samples.iter().find(|s| s.col == 1).expect("the right box");
        assert_eq!((left.kind, right.kind), (SampleKind::Signature, SampleKind::Signature), "{:?} {:?}", left.metrics, right.metrics);
        assert!(!left.defects.contains(&Defect::OverlapLine), "{:?} {:?}", left.defects, left.metrics);
        // The right box's own name crosses its line: that still counts.
        assert!(right.defects.contains(&Defect::OverlapLine), "{:?} {:?}", right.defects, right.metrics);
    }

    #[test]
    fn a_faint_ring_on_a_noisy_scan_is_not_smudged() {
        // A pale ring (its redness step about 35 levels) under noise of σ 8: the ramps are the
        // noise's, not the ink's, and no edge width is read from them.
        let opts = crate::ImportOptions { dpi: Some(300.0), ..Default::default() };
        let r = crate::import_single(&noisy_ring_of([236.0, 200.0, 198.0], 8.0, false), &opts).expect("import");
        let s = &r.samples[0];
        assert!(!s.empty, "{:?}", s.metrics);
        assert!(!s.defects.contains(&Defect::Smudged), "{:?} {:?}", s.defects, s.metrics);
        // The same ring in strong ink keeps its edge measures.
        let r = crate::import_single(&noisy_ring(8.0, false), &opts).expect("import");
        assert!(r.samples[0].metrics.iter().any(|m| m.0 == "smear_mm"), "{:?}", r.samples[0].metrics);
    }

    #[test]
    fn a_strong_ring_under_heavy_noise_keeps_its_edges_read_and_unsmeared() {
        // Strong ink under noise of σ 13: its step stands 3.5–6 noise σ (times √2) above the
        // paper, where one line of samples across an edge is too noisy for a width and three
        // parallel ones are not. The hard edges read as no smear.
        let opts = crate::ImportOptions { dpi: Some(300.0), ..Default::default() };
        let r = crate::import_single(&noisy_ring(13.0, false), &opts).expect("import");
        let s = &r.samples[0];
        let measure = |name: &str| metric(&s.metrics, name);
        let (p_ink, noise) = (measure("p_ink").expect("p_ink"), measure("paper_noise").expect("paper noise"));
        let above = p_ink / (std::f32::consts::SQRT_2 * noise);
        assert!((6.0 / 3f32.sqrt()..6.0).contains(&above), "{above}: {:?}", s.metrics);
        assert!(measure("smear_mm").is_some_and(|v| v < 0.15), "{:?}", s.metrics);
        assert!(!s.defects.contains(&Defect::Smudged), "{:?} {:?}", s.defects, s.metrics);
    }

    #[test]
    fn faint_ink_in_the_noise_too_little_for_any_pressing_is_an_empty_box() {
        let opts = crate::ImportOptions { dpi: Some(300.0), ..Default::default() };
        // A faint ring's remnant (30° of it, about 12 mm²) within 2·√2 noise σ of the paper: what
        // the mask holds could be the noise's clumps, and is less than any pressing leaves.
        let r = crate::import_single(&ring_png([236.0, 212.0, 210.0], 12.0, false, 330.0), &opts).expect("import");
        let s = &r.samples[0];
        assert!(s.empty && s.defects == vec![Defect::Empty], "{:?} {:?}", s.defects, s.metrics);
        assert!(s.findings.iter().any(|f| f.label == Defect::Empty && f.quantity == "ink_mm2"), "{:?}", s.findings);
        // Noise has no image to offer the clerk (a stain has: see the stain's test).
        assert!(crate::sample_png(s, r.output_dpi).expect("encode").is_none());
        // The rule: within the noise and under half the smallest seal's border.
        let judged = |kind: SampleKind, snr: f32, ink_mm2: f32| {
            let mut labels = Labels::default();
            labels.found(Defect::Pale, "density", 0.12, Op::Below, 0.51);
            labels.found(Defect::OverlapLine, "on_line_mm2", 0.1, Op::Above, 0.05);
            let empty = only_paper_noise(kind, ink_mm2, &mut labels, &[("ink_snr", snr)]);
            (empty, labels.finish(kind).0)
        };
        assert_eq!(judged(SampleKind::OfficialSeal, 1.9, 40.0), (true, vec![Defect::Empty]));
        assert_eq!(judged(SampleKind::LegalRepSeal, 2.2, 19.0), (true, vec![Defect::Empty]));
        // A faint whole impression (C's true pale stamps: 114 mm² and more) stays pale.
        assert!(!judged(SampleKind::OfficialSeal, 1.9, 300.0).0);
        assert!(!judged(SampleKind::LegalRepSeal, 2.2, 114.0).0);
        // Ink that stands clear of the noise is ink, however little.
        assert_eq!(judged(SampleKind::OfficialSeal, 3.5, 40.0), (false, vec![Defect::Pale, Defect::OverlapLine]));
        // A signature has no least pressing: a faint pen stays what it is.
        assert!(!judged(SampleKind::Signature, 1.9, 5.0).0);
        // As much as a pressing, in the noise's purple (what `R − G` picks out of it): the
        // noise's, the hue the reason; in a red ink's hue, or clear of the noise: ink.
        let hued = |snr: f32, hue: f32| {
            let mut labels = Labels::default();
            labels.found(Defect::Pale, "density", 0.12, Op::Below, 0.51);
            let empty = only_paper_noise(SampleKind::OfficialSeal, 280.0, &mut labels, &[("ink_snr", snr), ("hue", hue)]);
            let (labels, findings, _) = labels.finish(SampleKind::OfficialSeal);
            (empty, labels, findings.iter().map(|f| f.quantity.clone()).collect::<Vec<_>>())
        };
        assert_eq!(hued(1.55, -NOISE_HUE_DEG - 8.0), (true, vec![Defect::Empty], vec!["noise_hue".to_string()]));
        assert!(!hued(1.55, -NOISE_HUE_DEG + 4.0).0);
        assert!(!hued(1.55, NOISE_HUE_DEG + 8.0).0, "an orange ink is no noise of `R − G`");
        assert!(!hued(3.5, -NOISE_HUE_DEG - 8.0).0);
        // Too little for a pressing, whatever its hue: the area stays the reason.
        let mut labels = Labels::default();
        labels.found(Defect::Pale, "density", 0.12, Op::Below, 0.51);
        assert!(only_paper_noise(SampleKind::OfficialSeal, 40.0, &mut labels, &[("ink_snr", 1.9), ("hue", -25.0)]));
        assert_eq!(labels.finish(SampleKind::OfficialSeal).1[0].quantity, "ink_mm2");
    }

    #[test]
    fn a_pale_impression_lost_in_noise_is_pale_and_its_structure_unread() {
        let opts = crate::ImportOptions { dpi: Some(300.0), ..Default::default() };
        // A ring with 30° of it gone, in strong ink: the gap is read.
        let r = crate::import_single(&ring_png([200.0, 40.0, 45.0], 8.0, false, 30.0), &opts).expect("import");
        let s = &r.samples[0];
        assert!(s.defects.contains(&Defect::Broken), "{:?} {:?}", s.defects, s.metrics);
        // The same ring so faint that its ink stands under 2·√2 noise σ above the paper: pale,
        // and nothing read from its mask's outline.
        let r = crate::import_single(&ring_png([236.0, 212.0, 210.0], 12.0, false, 30.0), &opts).expect("import");
        let s = &r.samples[0];
        let snr = metric(&s.metrics, "ink_snr");
        assert!(snr.is_some_and(|v| v < 2.0 * std::f32::consts::SQRT_2), "{:?}", s.metrics);
        assert!(s.defects.contains(&Defect::Pale), "{:?} {:?}", s.defects, s.metrics);
        assert!(!s.defects.iter().any(|d| STRUCTURAL.contains(d)), "{:?} {:?}", s.defects, s.metrics);
        assert!(s.findings.iter().all(|f| !STRUCTURAL.contains(&f.label)), "{:?}", s.findings);
        assert!(STRUCTURAL.iter().all(|d| s.unchecked.iter().any(|u| u.label == *d && u.quantity == "ink_snr")), "{:?}", s.unchecked);
        // The rule itself (maker C's faintest stamp on tinted paper: p_ink 23 over σ 8.9).
        let judged = |pale: bool, p_ink: f32| {
            let mut labels = Labels::default();
            if pale {
                labels.found(Defect::Pale, "density", 0.13, Op::Below, 0.51);
            }
            labels.found(Defect::Broken, "border_gap_mm", 53.7, Op::Above, 4.0);
            labels.found(Defect::Tilted, "tilt", 7.7, Op::Above, 5.0);
            labels.found(Defect::BgNotWhite, "paper_tint", 9.0, Op::Above, 6.0);
            labels.found(Defect::OffColor, "hue", 24.0, Op::Above, RED_HUE_TOLERANCE_DEG);
            let mut metrics = vec![("paper_noise", 8.9)];
            withdraw_unreadable_structure(p_ink, &mut labels, &mut metrics);
            labels.finish(SampleKind::OfficialSeal)
        };
        let (defects, findings, unchecked) = judged(true, 23.0);
        assert_eq!(defects, vec![Defect::Pale, Defect::BgNotWhite]);
        assert_eq!(findings.len(), 2);
        // ... and says which checks it did not make, and why (the ink's 2.6 σ under 2·√2).
        let skipped: Vec<Defect> = unchecked.iter().map(|u| u.label).collect();
        assert_eq!(skipped, vec![Defect::Broken, Defect::Double, Defect::Smudged, Defect::Tilted, Defect::OverlapLine, Defect::OffColor]);
        assert!(unchecked.iter().all(|u| u.quantity == "ink_snr" && u.op == Op::Below && u.value < u.limit), "{unchecked:?}");
        assert!(judged(true, 36.0).2.is_empty() && judged(false, 23.0).2.is_empty());
        // Ink that stands out (4 σ) keeps its structure, and so does an impression not pale.
        assert_eq!(judged(true, 36.0).0, vec![Defect::Pale, Defect::Broken, Defect::Tilted, Defect::BgNotWhite, Defect::OffColor]);
        assert_eq!(judged(false, 23.0).0, vec![Defect::Broken, Defect::Tilted, Defect::BgNotWhite, Defect::OffColor]);
    }

    /// A clean, upright seal-collection sheet of `crate::synth` at `dpi` and its first signed
    /// signature box.
    fn sheet_with_a_signature(seed: u64, dpi: f32) -> (crate::synth::TruthSample, RgbImage) {
        use crate::synth::{self, Layout, SynthOptions};
        let so = SynthOptions { seed, dpi, layout: Layout::SealCollection, skew_deg: Some(0.0), defect_rate: 0.0, tinted: Some(false), ..Default::default() };
        let sheet = synth::generate(&so);
        let t = sheet.truth.iter().find(|t| t.kind == SampleKind::Signature && !t.empty).expect("a signature box").clone();
        (t, image::load_from_memory(&sheet.bytes).expect("decode").to_rgb8())
    }

    /// The sample of box (`row`, `col`) when `img` is imported at `dpi`.
    fn sample_of(img: &RgbImage, dpi: f32, row: usize, col: usize) -> crate::Sample {
        let r = crate::import_sheet(&png_bytes(img), &crate::ImportOptions { dpi: Some(dpi), ..Default::default() }).expect("import");
        r.samples.into_iter().find(|s| s.row == row && s.col == col).expect("the box's sample")
    }

    #[test]
    fn a_pen_stroke_that_runs_into_the_line_is_over_it_and_one_that_stops_short_is_not() {
        let (t, base) = sheet_with_a_signature(31, 300.0);
        let (cx, cy) = (t.box_centre[0] as u32, t.box_centre[1] as u32);
        // The box's bottom line: the first dark row below the signature's own ink.
        let below = (cy + 60..base.height()).find(|&y| (cx + 150..cx + 200).all(|x| base.get_pixel(x, y).0[1] < 128)).expect("the bottom line");
        let ppmm = 300.0 / 25.4;
        // A vertical pen stroke 0.5 mm wide, 8 mm long, right of the name, ending `short` mm
        // above the line's top edge.
        let with_stroke = |short: f32| {
            let mut img = base.clone();
            let (x0, y1) = (cx + 170, below as f32 - short * ppmm);
            for y in (y1 - 8.0 * ppmm) as u32..y1 as u32 {
                for x in x0..x0 + (0.5 * ppmm) as u32 {
                    img.put_pixel(x, y, image::Rgb([30, 32, 40]));
                }
            }
            sample_of(&img, 300.0, t.row, t.col)
        };
        let touching = with_stroke(0.0);
        assert!(touching.defects.contains(&Defect::OverlapLine), "{:?} {:?}", touching.defects, touching.metrics);
        let clear = with_stroke(1.0);
        assert!(!clear.defects.contains(&Defect::OverlapLine), "{:?} {:?}", clear.defects, clear.metrics);
    }

    #[test]
    fn a_pale_signature_in_a_box_with_a_heavy_line_edge_is_pale_not_empty() {
        let (t, base) = sheet_with_a_signature(47, 150.0);
        let (cx, cy) = (t.box_centre[0] as u32, t.box_centre[1] as u32);
        let dark = |x: u32, y: u32| base.get_pixel(x, y).0[1] < 128;
        // The box's lines: the nearest columns and rows to its centre that are dark over 60
        // pixels running (a signature's strokes are not).
        let column = |x: u32| (cy - 30..cy + 30).all(|y| dark(x, y));
        let row = |y: u32| (cx - 30..cx + 30).all(|x| dark(x, y));
        let left = (0..cx).rev().find(|&x| column(x)).expect("left line");
        let right = (cx..base.width()).find(|&x| column(x)).expect("right line");
        let top = (0..cy).rev().find(|&y| row(y)).expect("top line");
        let bottom = (cy..base.height()).find(|&y| row(y)).expect("bottom line");
        let ppmm = 150.0 / 25.4;
        let draw = |pen: bool| {
            let mut img = base.clone();
            for y in top + 1..bottom {
                for x in left + 1..right {
                    // Blank paper (the signature is drawn anew), and the lines printed heavier
                    // along the middle third of each side: four more black pixels inward and a
                    // soft edge of two (1 mm in all), which the box's line width (read along
                    // whole sides) leaves inside the box.
                    let (dx, dy) = ((x - left).min(right - x), (y - top).min(bottom - y));
                    let d = dx.min(dy);
                    // Along the nearest line: y for a side line, x for the top or bottom one.
                    let (a, lo, hi) = if dx <= dy { (y, top, bottom) } else { (x, left, right) };
                    let heavy = (a - lo) * 3 > hi - lo && (hi - a) * 3 > hi - lo;
                    let v = match (heavy, d) {
                        (true, 1..=4) => 40,
                        (true, 5) => 120,
                        (true, 6) => 190,
                        _ => 236,
                    };
                    img.put_pixel(x, y, image::Rgb([v, v, v.min(234)]));
                }
            }
            if pen {
                // Four light-grey characters (about 30 levels under the paper), 0.5 mm strokes.
                for k in 0..4 {
                    let x0 = cx as f32 - 14.0 * ppmm + k as f32 * 7.0 * ppmm;
                    for y in (cy as f32 - 3.0 * ppmm) as u32..(cy as f32 + 3.0 * ppmm) as u32 {
                        for x in x0 as u32..(x0 + 5.0 * ppmm) as u32 {
                            let (u, v) = ((x as f32 - x0) / ppmm, (y as f32 - cy as f32) / ppmm);
                            let stroke = u < 0.5 || (4.5..5.0).contains(&u) || v.abs() < 0.25 || (v + 2.75).abs() < 0.25 || (u - 2.5).abs() < 0.25;
                            if stroke {
                                img.put_pixel(x, y, image::Rgb([205, 205, 207]));
                            }
                        }
                    }
                }
            }
            sample_of(&img, 150.0, t.row, t.col)
        };
        let signed = draw(true);
        assert!(!signed.empty && signed.defects.contains(&Defect::Pale), "{:?} {:?}", signed.defects, signed.metrics);
        assert!(!signed.defects.contains(&Defect::OverlapLine), "{:?} {:?}", signed.defects, signed.metrics);
        // The line's edge alone is no signature.
        let blank = draw(false);
        assert!(blank.empty, "{:?} {:?}", blank.defects, blank.metrics);
    }

    #[test]
    fn print_is_told_from_piled_up_seal_ink() {
        // Reflectances in linear light, one layer of a red seal ink; n layers (Beer-Lambert)
        // reflect ρⁿ, darker in every channel but with the same ratio of densities.
        let od = optical_density_table();
        let srgb = |rho: f32| -> u8 {
            let v = linear_to_srgb(rho);
            (v * 255.0).round().clamp(0.0, 255.0) as u8
        };
        let pixel = |rho: [f32; 3]| {
            let (r, g, b) = (srgb(rho[0]), srgb(rho[1]), srgb(rho[2]));
            is_print(r, g, 255 - luma8(r, g, b), redness(r, g, b), &od)
        };
        // Up to the scan's floor: green reaches level 0 from the third layer, so its density
        // reads at most 3.8; once red too falls under level 20 (a density of 2.2, past a flatbed's
        // on paper) the pixel is black in every channel a scan can tell.
        let red = [0.62f32, 0.06, 0.07];
        let mut layers = 0;
        for n in 1..=20 {
            let rho = red.map(|x| x.powi(n));
            if srgb(rho[0]) < 20 {
                break;
            }
            assert!(!pixel(rho), "{n} layers of red ink ({:?}) read as print", rho.map(srgb));
            layers = n;
        }
        assert!(layers >= 6, "only {layers} layers checked");
        // Grey to black print, and black with a reddish cast (a warm scanner lamp, toner).
        for k in [0.02f32, 0.05, 0.1, 0.2] {
            assert!(pixel([k, k, k]), "black print at {k} reads as no print");
            assert!(pixel([1.3 * k, k, k]), "warm black print at {k} reads as no print");
        }
        // Red ink at half strength, and pale pink: not dark enough to be asked.
        assert!(!pixel([0.8, 0.25, 0.26]));
    }

    /// Issue 34: an ink's hue does not move with its amount. A layer of thickness t of an ink of
    /// one-layer reflectance ρ reflects ρᵗ (Beer-Lambert); from a pale 0.15 layer to a heavy 1.5
    /// one, red, purple-red and orange inks read one hue each (within 1°), where the hue of the
    /// coded colour moves (by 2-10°).
    #[test]
    fn ink_hue_is_the_same_for_pale_and_heavy_layers() {
        let srgb = |rho: f32| 255.0 * linear_to_srgb(rho);
        for (name, ink) in [("red", [0.62f32, 0.06, 0.07]), ("purple-red", [0.45, 0.05, 0.2]), ("orange", [0.85, 0.25, 0.04])] {
            let (mut lo, mut hi, mut coded_lo, mut coded_hi) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
            for t in [0.15f32, 0.3, 0.6, 1.0, 1.5] {
                let rho = ink.map(|x| x.powf(t));
                let h = ink_hue(rho.map(|x| -x.log10()));
                let c = rho.map(srgb);
                let hc = hue_deg(c[0], c[1], c[2]);
                (lo, hi, coded_lo, coded_hi) = (lo.min(h), hi.max(h), coded_lo.min(hc), coded_hi.max(hc));
            }
            assert!(hi - lo < 1.0, "{name}: ink hue {lo:.1}..{hi:.1}°");
            assert!(coded_hi - coded_lo > 2.0 * (hi - lo), "{name}: the coded colour's hue {coded_lo:.1}..{coded_hi:.1}° moves less than the ink's");
        }
        // The limit's sides: red within ±12°, purple-red and orange beyond.
        assert!(ink_hue([0.62f32, 0.06, 0.07].map(|x| -x.log10())).abs() < 12.0);
        assert!(ink_hue([0.45f32, 0.05, 0.2].map(|x| -x.log10())) < -12.0);
        assert!(ink_hue([0.85f32, 0.25, 0.04].map(|x| -x.log10())) > 12.0);
        // The definition's inks, given as coded colours at a normal impression's strength (the
        // strongest channel at coded level 25-90: absorbing 0.65-0.9): 正红 at ±9° reads
        // inside the limit, inks 15° off read beyond it, whatever layer they are measured at.
        let lin = |v: f32| srgb_to_linear(v / 255.0);
        for (top, low) in [(230.0f32, 90.0f32), (220.0, 60.0), (200.0, 40.0), (180.0, 25.0)] {
            for (h, inside) in [(9.0f32, true), (-9.0, true), (15.0, false), (-15.0, false)] {
                let d = (top - low) * h.abs() / 60.0;
                let coded = if h > 0.0 { [top, low + d, low] } else { [top, low, low + d] };
                assert!((hue_deg(coded[0], coded[1], coded[2]) - h).abs() < 0.01);
                for t in [0.3f32, 1.0] {
                    let read = ink_hue(coded.map(|v| -lin(v).log10() * t));
                    assert_eq!(read.abs() <= 12.0, inside, "ink {coded:?} (hue {h}°) at {t} of its layer reads {read:.1}°");
                }
            }
        }
    }

    #[test]
    fn redness_keeps_red_and_purple_red_and_drops_violet() {
        // Red and orange inks (B ≤ G or close): exactly R − G.
        assert_eq!(redness(210, 25, 20), 185);
        assert_eq!(redness(235, 115, 30), 120);
        // Red with a little more blue than green, and purple-red (紫红): still R − G.
        assert_eq!(redness(210, 25, 40), 185);
        assert_eq!(redness(175, 30, 110), 145);
        assert_eq!(redness(170, 30, 125), 140);
        // A pale tint of purple-red on white keeps its full weight.
        assert_eq!(redness(236, 185, 213), 51);
        // Violet and blue pens, and black: nothing.
        assert_eq!(redness(110, 50, 170), 0);
        assert_eq!(redness(130, 40, 175), 0);
        assert_eq!(redness(25, 45, 150), 0);
        assert_eq!(redness(30, 30, 30), 0);
        // Pure magenta (−60°) lies between: capped to about half of R − G.
        let m = redness(150, 40, 150);
        assert!((50..80).contains(&m), "{m}");
    }

    #[test]
    fn fast_atan2_is_within_its_error_bound() {
        let mut worst = 0.0f32;
        for i in 0..720 {
            let a = (i as f32 + 0.37) * std::f32::consts::TAU / 720.0;
            for r in [0.5f32, 3.0, 250.0] {
                let (x, y) = (r * a.cos(), r * a.sin());
                worst = worst.max((atan2_fast(y, x) - y.atan2(x)).abs());
            }
        }
        assert!(worst < 2e-5, "{worst}");
        assert_eq!(atan2_fast(0.0, 0.0), 0.0);
    }

    #[test]
    fn every_label_carries_one_finding_past_its_limit() {
        use crate::synth::{Layout, SynthOptions, generate};
        let mut seen = std::collections::BTreeSet::new();
        for (seed, layout, tinted) in [(7, Layout::SealCollection, false), (8, Layout::SealApplication, true), (9, Layout::Sampling, false), (10, Layout::SealCollection, true)] {
            let sheet = generate(&SynthOptions { seed, dpi: 150.0, layout, defect_rate: 0.9, tinted: Some(tinted), ..Default::default() });
            let report = crate::import_sheet(&sheet.bytes, &crate::ImportOptions::default()).expect("import");
            for s in &report.samples {
                let labels: Vec<Defect> = s.findings.iter().map(|f| f.label).collect();
                assert_eq!(labels, s.defects, "seed {seed} ({}, {}): one finding per label, in order: {:?}", s.row, s.col, s.findings);
                for f in &s.findings {
                    // Past the limit on the finding's side (`≥` limits may sit on it).
                    assert!(f.op.excess(f.value, f.limit) >= 0.0, "seed {seed}: {f:?} is not past its limit");
                    assert!(!f.quantity.is_empty() && f.value.is_finite(), "{f:?}");
                    seen.insert(f.label);
                }
            }
        }
        // The sheets drew most labels, so the test covers rules and fixed checks alike.
        assert!(seen.len() >= 7, "{seen:?}");
    }

    #[test]
    fn a_stain_across_a_double_square_is_not_its_second_frame() {
        // A 法人章 (18 mm, frame 1 mm, text as bars 2.2 mm behind it) pressed twice 2 mm apart
        // across, under a beige stain running across its middle over both side frames: the
        // stain absorbs blue and some green with little redness, and is no frame line (read on
        // the plain absorption, the stain's inner edge was taken for the second line, 3.1 mm in).
        let ppmm = 300.0 / 25.4;
        let n = (40.0 * ppmm) as u32;
        let c = n as f32 / 2.0;
        let face = |x: f32, y: f32| {
            let (dx, dy) = (x / ppmm, y / ppmm);
            let (ax, ay, h) = (dx.abs(), dy.abs(), 9.0f32);
            if ax > h || ay > h {
                return false;
            }
            if ax >= h - 1.0 || ay >= h - 1.0 {
                return true;
            }
            ax <= h - 2.2 && ay <= h - 2.2 && ((dy + h) / 1.6).fract() < 0.4
        };
        let img = RgbImage::from_fn(n, n, |x, y| {
            let (px, py) = (x as f32 + 0.5 - c, y as f32 + 0.5 - c);
            let first = face(px + 1.0 * ppmm, py);
            let second = face(px - 1.0 * ppmm, py);
            let mut p = if first || second { [200.0f32, 40.0, 45.0] } else { [240.0, 240.0, 238.0] };
            if (px / (16.0 * ppmm)).powi(2) + (py / (5.0 * ppmm)).powi(2) <= 1.0 {
                p = [p[0] * 0.9, p[1] * 0.78, p[2] * 0.6];
            }
            image::Rgb(p.map(|v| v.round() as u8))
        });
        let r = crate::import_single(&png_bytes(&img), &crate::ImportOptions { dpi: Some(300.0), ..Default::default() }).expect("import");
        let s = &r.samples[0];
        assert_eq!(s.kind, SampleKind::LegalRepSeal, "{:?}", s.metrics);
        assert!(s.defects.contains(&Defect::Double), "{:?} {:?}", s.defects, s.metrics);
        // Read at the pressings' offset: the stain's edge (3 mm in) is not the second line.
        let offset = metric(&s.metrics, "frame_offset_mm");
        assert!(offset.is_some_and(|d| (d - 2.0).abs() <= 0.3), "{:?}", s.metrics);
    }

    #[test]
    fn a_second_pressing_fainter_than_the_masks_level_is_read_as_double() {
        // A 公章 pressed again 2.5 mm off with a third of the ink: the second copy stands under
        // the mask's half level, and only the faint ink shows it.
        let ppmm = 300.0 / 25.4;
        let n = (52.0 * ppmm) as u32;
        let c = n as f32 / 2.0;
        let first = crate::quantities::tests::seal(ppmm, c, c, 20.0 * ppmm);
        let second = crate::quantities::tests::seal(ppmm, c + 1.77 * ppmm, c + 1.77 * ppmm, 20.0 * ppmm);
        let (paper, ink) = ([240.0f32, 240.0, 238.0], [200.0f32, 40.0, 45.0]);
        let img = |strength: f32| {
            let img = RgbImage::from_fn(n, n, |x, y| {
                let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
                let t = if first(px, py) {
                    1.0
                } else if second(px, py) {
                    strength
                } else {
                    0.0
                };
                image::Rgb(std::array::from_fn(|k| (paper[k] + t * (ink[k] - paper[k])).round() as u8))
            });
            png_bytes(&img)
        };
        let opts = crate::ImportOptions { dpi: Some(300.0), ..Default::default() };
        let r = crate::import_single(&img(0.33), &opts).expect("import");
        let s = &r.samples[0];
        assert!(s.defects.contains(&Defect::Double), "{:?} {:?}", s.defects, s.metrics);
        let offset = metric(&s.metrics, "double_offset_mm");
        assert!(offset.is_some_and(|d| (d - 2.5).abs() <= 0.3), "{:?}", s.metrics);
        // The single pressing is no double.
        let r = crate::import_single(&img(0.0), &opts).expect("import");
        assert!(!r.samples[0].defects.contains(&Defect::Double), "{:?} {:?}", r.samples[0].defects, r.samples[0].metrics);
    }

    #[test]
    fn a_second_frame_line_is_read_behind_a_line_not_behind_a_field() {
        let square = |width_mm: f32, depth_mm: f32| [("frame_second", 1.0), ("frame_inset_mm", 0.1), ("frame_width_mm", width_mm), ("frame_offset_mm", depth_mm)];
        // A frame line of 0.8-1.5 mm, or up to 2 mm with a smear or a merged pressing on it.
        for w in [0.8, 1.2, 1.5, 1.95] {
            assert!(thresholds().fires("double.square", &square(w, 1.6)), "{w} mm");
        }
        // A 阴文 face's field of ink (2.5-3.5 mm from the outline on B's 法人章).
        for w in [2.5, 3.0, 3.5] {
            assert!(!thresholds().fires("double.square", &square(w, 1.6)), "{w} mm");
        }
        // The second line as deep as a copy 3 mm off stands, read within a step: a double;
        // deeper (B-dev4 195, C-dev6 020: smears' trails at 3.35-3.45 mm): none. The depth is
        // a gate, never the reason.
        assert!(thresholds().fires("double.square", &square(1.2, 3.05)));
        assert!(!thresholds().fires("double.square", &square(1.2, 3.45)));
        let reason = thresholds().finding("double.square", Defect::Double, &square(1.2, 0.9)).expect("fires");
        assert_eq!(reason.quantity, "frame_second");
    }

    #[test]
    fn a_round_seal_needs_no_stroke_agreement_when_its_echo_shows_no_second_copy() {
        let strokes = |aniso_mm: f32, aniso_deg: f32| Some(Strokes { stroke_mm: 0.9, aniso_mm, aniso_deg });
        let echo = |deg: f32, valley: f32| Some(Echo { offset_mm: 2.5, deg, echo: 0.1, valley, unlocated: false });
        // The no-copy valley is the smear rule's own limit, not a fallback.
        assert!(thresholds().limit("smudged.round", "smear_valley").is_some_and(|v| (0.3..=0.7).contains(&v)));
        assert_eq!(thresholds().limit("smudged.round", "no_such_measure"), None);
        // The strokes widen along the smear: confirmed on either kind of seal.
        assert!(smear_direction_confirmed(strokes(0.5, 45.0), 56.25, false, echo(170.0, 0.1), None));
        assert!(smear_direction_confirmed(strokes(0.5, 45.0), 56.25, true, echo(170.0, 0.1), None));
        // A 公章 whose strokes say nothing (isotropic, or widest elsewhere) and whose ink shows
        // no discrete copy anywhere: the edges' widening is a smear's.
        assert!(smear_direction_confirmed(strokes(0.17, 135.0), 123.75, true, echo(170.0, 0.97), None));
        assert!(smear_direction_confirmed(strokes(1.19, 112.5), 33.75, true, None, None));
        // The same with a deep valley in another direction: a second pressing, not a smear.
        assert!(!smear_direction_confirmed(strokes(0.5, 135.0), 56.25, true, echo(172.0, 0.05), None));
        // A 法人章's stacked characters echo whatever the motion: its strokes still decide.
        assert!(!smear_direction_confirmed(strokes(0.17, 135.0), 123.75, false, echo(90.0, 0.97), None));
        assert!(!smear_direction_confirmed(None, 33.75, false, None, None));
    }

    #[test]
    fn print_under_a_cut_face_shows_through_its_field() {
        // A 朱文 face: print shows on the paper between the strokes, clear of the ink; black
        // that never is (a smear's copies piled up along its strokes) is no print.
        assert_eq!(print_under(0.7, 0.1, false), Some(0.6));
        assert_eq!(print_under(2.5, 0.0, false), None);
        // A 阴文 face (B-dev2 048: 2.5 mm² under its field, none clear): print, past a larger
        // area than the piled-up ink of a doubled, smeared 阴文 face reads (B-dev 077: 0.53).
        assert_eq!(print_under(2.5, 0.0, true), Some(MIN_PRINT_UNDER_FIELD_MM2));
        assert_eq!(print_under(0.53, 0.0, true), None);
        assert_eq!(print_under(0.7, 0.1, true), None);
    }

    #[test]
    fn a_trail_that_fades_at_its_foot_confirms_the_smears_direction() {
        let limit = thresholds().limit(SMEAR_FOOT_FADES, "trail_foot").expect("limit");
        // Between the dev sets' smears (a median 0.6) and a copy's own edge (a median 0.87).
        assert!((0.65..=0.85).contains(&limit), "{limit}");
        let strokes = |aniso_mm: f32, aniso_deg: f32| Some(Strokes { stroke_mm: 0.9, aniso_mm, aniso_deg });
        let echo = Some(Echo { offset_mm: 2.5, deg: 90.0, echo: 0.1, valley: 0.3, unlocated: false });
        // Strokes that say nothing and an echo with a copy's dip: the foot decides, on either
        // kind of seal.
        for round in [false, true] {
            assert!(smear_direction_confirmed(strokes(0.17, 135.0), 123.75, round, echo, Some(limit - 0.1)));
            assert!(!smear_direction_confirmed(strokes(0.17, 135.0), 123.75, round, echo, Some(limit + 0.05)));
            assert!(!smear_direction_confirmed(strokes(0.17, 135.0), 123.75, round, echo, None));
        }
        // Through the rules: a 法人章 whose strokes do not show the smear, its foot fading, is
        // smudged; its foot as sharp as a copy's edge, nothing is said of a smear.
        let judged = |foot: f32| {
            let agrees = smear_direction_confirmed(None, 123.75, false, None, Some(foot));
            let metrics = [
                ("paper_field", 0.9),
                ("smear_q_mm", 0.7),
                ("smear_plain_mm", 0.3),
                ("smear_agrees_mm", if agrees { 0.4 } else { 0.0 }),
                ("smear_valley", 1.0),
                ("trail_rise", 0.3),
                ("trail_foot", foot),
                ("lead_sharp", 0.9),
                ("frame_smear", 0.8),
            ];
            let mut labels = Labels::default();
            double_or_smear(None, &mut labels, &metrics, &SQUARE_RULES);
            labels.finish(SampleKind::LegalRepSeal).0
        };
        assert_eq!(judged(limit - 0.15), vec![Defect::Smudged]);
        assert_eq!(judged(limit + 0.05), vec![]);
    }

    #[test]
    fn a_widening_sharp_at_both_ends_is_no_smear() {
        let t = thresholds();
        let foot = t.limit(ROUND_RULES.ends_sharp, "trail_foot").expect("limit");
        let lead = t.limit(ROUND_RULES.ends_sharp, "lead_sharp").expect("limit");
        // Sharper than `sharp_ends`' copy needs at the lead: a lead that ramps is a drag's.
        assert!(lead >= t.limit(ROUND_RULES.sharp_ends, "lead_sharp").expect("limit"));
        let rise = t.limit(ROUND_RULES.sharp_ends, "trail_rise").expect("limit");
        let judged = |rules: &ShapeRules, kind: SampleKind, r: f32, f: f32, l: f32| {
            let metrics = [
                ("paper_field", 0.9),
                ("smear_q_mm", 0.6),
                ("smear_plain_mm", 0.25),
                ("smear_agrees_mm", 0.3),
                ("smear_valley", 1.0),
                ("trail_rise", r),
                ("trail_foot", f),
                ("lead_sharp", l),
            ];
            let mut labels = Labels::default();
            double_or_smear(None, &mut labels, &metrics, rules);
            let (labels, _, unchecked) = labels.finish(kind);
            (labels, unchecked.iter().map(|u| (u.label, u.quantity.clone())).collect::<Vec<_>>())
        };
        for (rules, kind) in [(&ROUND_RULES, SampleKind::OfficialSeal), (&SQUARE_RULES, SampleKind::LegalRepSeal)] {
            // The trail climbs as an edge and both its ends are sharp: no smear, said as a
            // check not made, the lead the reason.
            assert_eq!(judged(rules, kind, rise + 0.1, foot + 0.05, lead + 0.1), (vec![], vec![(Defect::Smudged, "lead_sharp".to_string())]));
            // A lead that ramps (a uniform drag), or a foot that fades (a falling one): a smear.
            assert_eq!(judged(rules, kind, rise + 0.1, foot + 0.05, lead - 0.25).0, vec![Defect::Smudged]);
            assert_eq!(judged(rules, kind, rise + 0.1, foot - 0.2, lead + 0.1).0, vec![Defect::Smudged]);
            // A trail that climbs slower, as a copy's shoulder: still a double.
            assert_eq!(judged(rules, kind, rise - 0.1, foot + 0.05, lead + 0.1).0, vec![Defect::Double]);
        }
    }

    #[test]
    fn a_ring_thickened_on_two_opposite_sides_is_a_second_pressing_where_no_smear_was_read() {
        // Maker T (T 036, a copy 1.6 mm off whose echo read 0.12 beside the seal's own text):
        // the ring 0.73 mm thicker towards two opposite sides than across them.
        let judged = |metrics: &[(&'static str, f32)]| {
            let mut labels = Labels::default();
            let echo = Echo { offset_mm: 1.6, deg: 45.0, echo: 0.116, valley: 0.01, unlocated: false };
            double_or_smear(Some(echo), &mut labels, metrics, &ROUND_RULES);
            labels.finish(SampleKind::OfficialSeal)
        };
        let (labels, findings, _) = judged(&[("double_echo", 0.116), ("double_valley", 0.01), ("double_offset_mm", 1.6), ("ring_h2_mm", 0.73)]);
        assert_eq!(labels, vec![Defect::Double]);
        assert!(findings.iter().any(|f| f.quantity == "ring_h2_mm" && f.limit == 0.5), "{findings:?}");
        // One impression: its ring is one width all round (the 20 sets' singles read 0.46 at most).
        assert_eq!(judged(&[("double_echo", 0.05), ("double_valley", 1.0), ("ring_h2_mm", 0.3)]).0, vec![]);
        // A smear widens the ring the same way, and is read as the smear it is.
        let smeared =
            [("double_echo", 0.05), ("double_valley", 1.0), ("ring_h2_mm", 0.6), ("smear_q_mm", 1.0), ("smear_plain_mm", 0.6), ("smear_agrees_mm", 0.7), ("smear_valley", 1.0)];
        assert_eq!(judged(&smeared).0, vec![Defect::Smudged]);
    }

    #[test]
    fn an_echo_with_no_place_of_its_own_beside_a_smear_is_the_smears() {
        // Both rules fire: an echo of 0.14 with a valley of 0.71, edges smeared 1.08 mm along it.
        let metrics = [
            ("double_echo", 0.14),
            ("double_valley", 0.71),
            ("double_offset_mm", 0.8),
            ("smear_q_mm", 1.08),
            ("smear_plain_mm", 0.7),
            ("smear_agrees_mm", 0.66),
            ("smear_valley", 0.71),
        ];
        let judged = |unlocated: bool, metrics: &[(&'static str, f32)]| {
            let mut labels = Labels::default();
            let echo = Echo { offset_mm: 0.8, deg: 18.4, echo: 0.14, valley: 0.71, unlocated };
            double_or_smear(Some(echo), &mut labels, metrics, &ShapeRules { doubles: &["double.round"], ..ROUND_RULES });
            labels.finish(SampleKind::OfficialSeal).0
        };
        // On the grid's first ring (B-dev2 063): the smear's.
        assert_eq!(judged(true, &metrics), vec![Defect::Smudged]);
        // Placed beyond it: a second pressing, whose widening the smear measures read.
        assert_eq!(judged(false, &metrics), vec![Defect::Double]);
        // On the first ring with no smear on the edges: still a double.
        assert_eq!(judged(true, &metrics[..3]), vec![Defect::Double]);
        // A 法人章 (B-dev 029): a second frame line, a 朱文 face smeared along the echo.
        let square = [
            ("frame_second", 1.0),
            ("frame_inset_mm", 0.2),
            ("frame_width_mm", 1.4),
            ("frame_offset_mm", 0.9),
            ("paper_field", 0.86),
            ("smear_q_mm", 0.72),
            ("smear_plain_mm", 0.45),
            ("smear_agrees_mm", 0.40),
            ("smear_valley", 0.95),
        ];
        let judged_square = |unlocated: bool| {
            let mut labels = Labels::default();
            let echo = Echo { offset_mm: 0.85, deg: 90.0, echo: 0.34, valley: 0.95, unlocated };
            double_or_smear(Some(echo), &mut labels, &square, &SQUARE_RULES);
            labels.finish(SampleKind::LegalRepSeal).0
        };
        assert_eq!(judged_square(true), vec![Defect::Smudged]);
        assert_eq!(judged_square(false), vec![Defect::Double]);
    }

    #[test]
    fn only_an_echo_along_the_smear_can_veto_it() {
        let echo = |offset_mm: f32, deg: f32, valley: f32| Some(Echo { offset_mm, deg, echo: 0.25, valley, unlocated: false });
        // A second pressing 2 mm along the smear with a dip half way: a double, not a smear.
        assert_eq!(smear_valley(echo(2.0, 150.0, 0.3), 146.25), 0.3);
        // The same direction read from the other side of 0°/180°.
        assert_eq!(smear_valley(echo(2.0, 178.0, 0.3), 11.25), 0.3);
        // A 法人章's stacked characters echo 2.5 mm across a smear at 33.75°: no bearing on it.
        assert_eq!(smear_valley(echo(2.5, 90.0, 0.35), 33.75), 1.0);
        // A close second pressing along the smear keeps its dip.
        assert_eq!(smear_valley(echo(1.0, 150.0, 0.22), 146.25), 0.22);
        assert_eq!(smear_valley(None, 146.25), 1.0);
        // The rule: a smear along one direction fires with no valley against it, not with one.
        let widened = [("smear_agrees_mm", 0.9), ("smear_q_mm", 0.9), ("smear_plain_mm", 0.6)];
        assert!(thresholds().fires("smudged.round", &[widened.as_slice(), &[("smear_valley", smear_valley(echo(2.5, 90.0, 0.35), 33.75))]].concat()));
        assert!(!thresholds().fires("smudged.round", &[widened.as_slice(), &[("smear_valley", smear_valley(echo(2.0, 150.0, 0.3), 146.25))]].concat()));
    }

    #[test]
    fn a_weak_star_and_the_text_gap_must_both_say_tilted() {
        let gap_read = std::cell::Cell::new(false);
        let gap = |deg: f32| {
            gap_read.set(true);
            deg
        };
        // A clear star decides alone, and the gap is not even read.
        assert_eq!(round_tilt(Some((8.0, 0.3)), || gap(0.0)), 8.0);
        assert!(!gap_read.get());
        // A weak star (a double's two stars) upright, the gap moved by the second text: upright.
        assert_eq!(round_tilt(Some((2.1, 0.045)), || gap(10.0)), 2.1);
        // A weak star turned 12°, the gap agreeing at 10°: tilted (the smaller turn, 10°).
        assert_eq!(round_tilt(Some((11.8, 0.043)), || gap(10.0)), 10.0);
        // The gap upright, a weak star's phase off: upright.
        assert_eq!(round_tilt(Some((-9.0, 0.05)), || gap(-2.5)), -2.5);
        // Under the weak limit the phase is noise; no star at all: the gap.
        assert_eq!(round_tilt(Some((31.4, 0.006)), || gap(2.5)), 2.5);
        assert_eq!(round_tilt(None, || gap(-55.0)), -55.0);
    }

    /// Paper at 235 with Gaussian noise of `sigma` levels, independent on each channel (a
    /// scanner's chroma noise) and in grains of 3 × 3 pixels (its blur and JPEG's blocks keep
    /// noise in clumps, which a mask's speck filter does not drop), 60 × 45 mm at 300 dpi, and
    /// on it `ink` where `draw(x_mm, y_mm)`.
    fn noisy_paper_png(sigma: f32, ink: [f32; 3], draw: impl Fn(f32, f32) -> bool) -> Vec<u8> {
        let ppmm = 300.0 / 25.4;
        let mut rng = crate::synth::Rng::new(34);
        let (w, h) = ((60.0 * ppmm) as u32, (45.0 * ppmm) as u32);
        let gw = w.div_ceil(3) as usize;
        let grains: Vec<[f32; 3]> = (0..gw * h.div_ceil(3) as usize).map(|_| [rng.normal(), rng.normal(), rng.normal()]).collect();
        png_bytes(&RgbImage::from_fn(w, h, |x, y| {
            let p = if draw(x as f32 / ppmm, y as f32 / ppmm) { ink } else { [235.0; 3] };
            let z = grains[(y / 3) as usize * gw + (x / 3) as usize];
            image::Rgb([0, 1, 2].map(|c| (p[c] + sigma * z[c]).round().clamp(0.0, 255.0) as u8))
        }))
    }

    #[test]
    fn a_signature_on_noisy_paper_is_no_seal_and_a_seal_on_it_is() {
        let opts = crate::ImportOptions { dpi: Some(300.0), ..Default::default() };
        // A black pen's wavy stroke, 0.5 mm wide, across the box.
        let pen = |x: f32, y: f32| x > 8.0 && x < 52.0 && (y - 22.5 - 6.0 * (x / 5.0).sin()).abs() < 0.25;
        // A 40 mm red ring, 1.2 mm wide.
        let ring = |x: f32, y: f32| {
            let d = (x - 30.0).hypot(y - 22.5);
            (18.8..=20.0).contains(&d)
        };
        for sigma in [0.0, 12.0, 18.0] {
            let sig = crate::import_single(&noisy_paper_png(sigma, [40.0, 40.0, 45.0], pen), &opts).expect("import");
            assert_eq!(sig.rows[0].kind, SampleKind::Signature, "σ {sigma}: the pen read as {:?}", sig.rows[0].kind);
            let seal = crate::import_single(&noisy_paper_png(sigma, [200.0, 40.0, 45.0], ring), &opts).expect("import");
            assert_eq!(seal.rows[0].kind, SampleKind::OfficialSeal, "σ {sigma}: the ring read as {:?}", seal.rows[0].kind);
        }
    }
}
