//! Issue 34's physical quantities of one impression (design §2), each in a unit with a
//! definition that does not depend on any sheet maker: the second outline of a double
//! impression as the ink's echo at an offset (§2.6: `double_offset_mm`, `double_deg`,
//! `double_echo`, `double_valley`) and the continuity of the seal's border along its fitted
//! outline (§2.3: `border_gap_mm`, `border_present`). Owns the measurement only: `analyse`
//! calls these on the ink mask and the ink level and pushes the results into
//! `Sample::metrics`; the rules that use them are `thresholds`'.
//!
//! Departs from the design so far: the border's presence is read on the ink's absorption in
//! its strongest channel (255 − the smallest white-balanced channel, 0–255) rather than
//! optical density; the threshold is relative (half the border's own median), so the unit of
//! the level divides out.

use crate::morph::Components;
use certdesk_seal_wide::wide_when_available;

/// The ink's echo: how much of the impression reappears shifted by an offset, beyond what a
/// single impression's own structure gives at that distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Echo {
    /// Offset of the strongest echo between 0.4 and 3.5 mm, mm.
    pub offset_mm: f32,
    /// Its direction, degrees in [0, 180) (a shift and its opposite are one echo).
    pub deg: f32,
    /// `(C(d) − m) / (C(0) − m)`, `m` the median of C over |d'| = |d|: the share of the ink
    /// seen again at `d` beyond what the design's own structure repeats at that distance (the
    /// design divides by C(0) alone; this scale reads 0.5 for two equal pressings whatever
    /// the stroke widths, see the calibration test).
    pub echo: f32,
    /// `echo(d/2) / echo(d)`: a double has a valley half way, a smear (a continuous motion) none.
    pub valley: f32,
    /// The strongest echo lies within one cell of the smallest offset searched: the offset one
    /// cell closer along its own direction is not searched, so the echo may still be rising
    /// toward it and has no place of its own (a peak needs a lower neighbour on either side).
    /// A smear's continuous spread reads this way along the smear (issue 34: four 200-dpi
    /// smears of 公章 echoed at exactly 0.80 mm, the grid's first ring there; v13.9: the limit
    /// was half a cell past the start, which placed 600-dpi echoes at 0.95 mm, whose neighbour
    /// one cell closer, 0.74 mm, is not searched: two dev smears of 1.3–1.4 mm read `double`).
    pub unlocated: bool,
}

/// Cell of the echo's grid, about this many mm: a whole number of pixels (a cell of 1.57 px at
/// 200 dpi beat with the pixel grid every 7 cells and made an echo of its own at 1.4 mm).
const CELL_MM: f32 = 0.2;
/// Largest offset searched, mm (the definition's 3 mm and some).
const MAX_MM: f32 = 3.5;
/// Smallest offset reported, mm: below about a stroke width a binary mask's second outline
/// merges with the first and a stroke's overlap with itself changes too fast with the offset
/// for the ring's median to stand for it (design: 0.4 mm; see the calibration test).
const MIN_MM: f32 = 0.8;

/// The ink's bounding box in a `w`-wide mask (non-zero = ink), inclusive: (x0, y0, x1, y1);
/// none without ink.
fn ink_box(mask: &[u8], w: usize) -> Option<(usize, usize, usize, usize)> {
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0usize, 0usize);
    for (y, row) in mask.chunks_exact(w).enumerate() {
        let Some(first) = row.iter().position(|&m| m != 0) else { continue };
        let last = row.iter().rposition(|&m| m != 0).unwrap_or(first);
        x0 = x0.min(first);
        x1 = x1.max(last);
        y0 = y0.min(y);
        y1 = y;
    }
    (x0 <= x1 && y0 <= y1).then_some((x0, y0, x1, y1))
}

/// The echo of a binary ink mask (`w` × `h`, non-zero = ink) at `ppmm` pixels per mm; `None`
/// when there is too little ink to say.
#[wide_when_available]
pub(crate) fn double_echo(mask: &[u8], w: usize, h: usize, ppmm: f32) -> Option<Echo> {
    debug_assert_eq!(mask.len(), w * h);
    let (x0, y0, x1, y1) = ink_box(mask, w)?;
    let cell_px = (CELL_MM * ppmm).round().max(1.0);
    let cell = cell_px;
    let cell_mm = cell_px / ppmm;
    let gw = ((x1 - x0 + 1) as f32 / cell).ceil() as usize + 1;
    let gh = ((y1 - y0 + 1) as f32 / cell).ceil() as usize + 1;
    let mut count = vec![0f32; gw * gh];
    // The cell of each column, once (a division per ink pixel cost more than the counting).
    let col_cell: Vec<usize> = (x0..=x1).map(|x| ((x - x0) as f32 / cell) as usize).collect();
    for y in y0..=y1 {
        let cy = ((y - y0) as f32 / cell) as usize;
        let cells = &mut count[cy * gw..(cy + 1) * gw];
        for (&m, &cx) in mask[y * w + x0..=y * w + x1].iter().zip(&col_cell) {
            cells[cx] += f32::from(u8::from(m != 0));
        }
    }
    // A cell is ink when at least half of it is.
    let half = 0.5 * cell * cell;
    let words = gw.div_ceil(64);
    let mut rows = vec![0u64; words * gh];
    let mut c0 = 0u64;
    for cy in 0..gh {
        for cx in 0..gw {
            if count[cy * gw + cx] >= half {
                rows[cy * words + cx / 64] |= 1 << (cx % 64);
                c0 += 1;
            }
        }
    }
    if c0 < 50 {
        return None;
    }
    let rmax = (MAX_MM / cell_mm).ceil() as i32;
    // Bits x + dx of a row, as the word holding bit positions 64k..64k+64 (dx ≥ 0 or < 0).
    let shifted = |row: &[u64], k: usize, dx: i32| -> u64 {
        let start = 64 * k as i64 + dx as i64;
        let get = |wi: i64| -> u64 { if wi < 0 || wi as usize >= row.len() { 0 } else { row[wi as usize] } };
        let (wi, bit) = (start.div_euclid(64), start.rem_euclid(64) as u32);
        if bit == 0 { get(wi) } else { (get(wi) >> bit) | (get(wi + 1) << (64 - bit)) }
    };
    let side = (2 * rmax + 1) as usize;
    // C(d) over the half plane dy > 0, or dy = 0 and dx > 0.
    let mut corr = vec![f32::NAN; side * side];
    let idx = |dx: i32, dy: i32| ((dy + rmax) as usize) * side + (dx + rmax) as usize;
    // The grid shifted by dx once per dx (not once per offset), then ANDed with each row dy below.
    let mut moved = vec![0u64; words * gh];
    for dx in -rmax..=rmax {
        for (cy, out) in moved.chunks_exact_mut(words).enumerate() {
            let row = &rows[cy * words..(cy + 1) * words];
            for (k, o) in out.iter_mut().enumerate() {
                *o = shifted(row, k, dx);
            }
        }
        for dy in 0..=rmax {
            if (dy == 0 && dx <= 0) || dx * dx + dy * dy > rmax * rmax {
                continue;
            }
            let dy = dy as usize;
            // An offset past the grid's height overlaps nothing (a small extent of ink).
            if dy >= gh {
                corr[idx(dx, dy as i32)] = 0.0;
                continue;
            }
            let n = (gh - dy) * words;
            let c: u64 = rows[..n].iter().zip(&moved[dy * words..dy * words + n]).map(|(&a, &b)| u64::from((a & b).count_ones())).sum();
            corr[idx(dx, dy as i32)] = c as f32;
        }
    }
    // The median of C over the offsets at about the same distance (within ±0.75 cell), in any
    // direction: what the impression's own structure repeats at that distance. C falls fast
    // with |d| near a stroke width, so the window is centred on each offset's own distance.
    let mut by_r: Vec<(f32, f32)> = Vec::new();
    for dy in 0..=rmax {
        for dx in -rmax..=rmax {
            let c = corr[idx(dx, dy)];
            if !c.is_nan() {
                by_r.push((((dx * dx + dy * dy) as f32).sqrt(), c));
            }
        }
    }
    // One median per distinct squared distance (there are far fewer than offsets).
    let mut ring_medians = vec![0f32; (rmax * rmax) as usize + 1];
    let mut done = vec![false; ring_medians.len()];
    for dy in 0..=rmax {
        for dx in -rmax..=rmax {
            let d2 = (dx * dx + dy * dy) as usize;
            if d2 >= done.len() || done[d2] {
                continue;
            }
            done[d2] = true;
            let r = (d2 as f32).sqrt();
            let mut v: Vec<f32> = by_r.iter().filter(|p| (p.0 - r).abs() <= 0.75).map(|p| p.1).collect();
            if !v.is_empty() {
                v.sort_by(f32::total_cmp);
                ring_medians[d2] = v[v.len() / 2];
            }
        }
    }
    let ring_median = |d2: i32| -> f32 { ring_medians.get(d2 as usize).copied().unwrap_or(0.0) };
    let echo_at = |dx: i32, dy: i32| -> f32 {
        let (dx, dy) = if dy < 0 || (dy == 0 && dx < 0) { (-dx, -dy) } else { (dx, dy) };
        if dx == 0 && dy == 0 {
            return 1.0;
        }
        let c = corr[idx(dx, dy)];
        if c.is_nan() {
            return 0.0;
        }
        let m = ring_median(dx * dx + dy * dy);
        (c - m) / (c0 as f32 - m).max(1.0)
    };
    let (rmin2, rmax2) = ((MIN_MM / cell_mm).powi(2), (MAX_MM / cell_mm).powi(2));
    let mut best = (f32::MIN, 0i32, 0i32);
    for dy in 0..=rmax {
        for dx in -rmax..=rmax {
            let d2 = (dx * dx + dy * dy) as f32;
            if d2 < rmin2 || d2 > rmax2 || (dy == 0 && dx <= 0) {
                continue;
            }
            let e = echo_at(dx, dy);
            if e > best.0 {
                best = (e, dx, dy);
            }
        }
    }
    let (echo, dx, dy) = best;
    // Half way, bilinear between the four offsets around d/2 (an odd offset has no cell there).
    let (hx, hy) = (dx as f32 / 2.0, dy as f32 / 2.0);
    let (x0, y0) = (hx.floor() as i32, hy.floor() as i32);
    let (tx, ty) = (hx - x0 as f32, hy - y0 as f32);
    let half =
        ((1.0 - tx) * (1.0 - ty) * echo_at(x0, y0) + tx * (1.0 - ty) * echo_at(x0 + 1, y0) + (1.0 - tx) * ty * echo_at(x0, y0 + 1) + tx * ty * echo_at(x0 + 1, y0 + 1)).max(0.0);
    let valley = if echo > 0.0 { half / echo } else { 1.0 };
    let deg = (dy as f32).atan2(dx as f32).to_degrees().rem_euclid(180.0);
    let offset_mm = ((dx * dx + dy * dy) as f32).sqrt() * cell_mm;
    Some(Echo { offset_mm, deg, echo, valley, unlocated: offset_mm - cell_mm < MIN_MM })
}

/// The outline a border is followed along, in the pixels of the level image.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outline {
    /// Centre and outer radius.
    Circle { cx: f32, cy: f32, r: f32 },
    /// Centre, the direction of the first side's axis (degrees, clockwise on screen) and the
    /// outer half-sizes along it and across it.
    Rect { cx: f32, cy: f32, deg: f32, half_u: f32, half_v: f32 },
}

impl Outline {
    /// The pixels of row `y` (a pixel's x and y are its index, as in the outline's centre) inside
    /// the outline grown by `margin` pixels (shrunk when negative), as `x0..x1` clipped to
    /// `0..w`; empty when the row misses it. A circle's row is a chord; a rectangle's is where
    /// the row meets both pairs of sides' half-planes, `|dx·cos + dy·sin| ≤ half_u` and
    /// `|dy·cos − dx·sin| ≤ half_v`, each an interval of dx.
    pub(crate) fn row_span(&self, y: usize, margin: f32, w: usize) -> std::ops::Range<usize> {
        let yf = y as f32;
        let (lo, hi) = match *self {
            Outline::Circle { cx, cy, r } => {
                let (r, dy) = (r + margin, yf - cy);
                if r < 0.0 || dy.abs() > r {
                    return 0..0;
                }
                let half = (r * r - dy * dy).max(0.0).sqrt();
                (cx - half, cx + half)
            }
            Outline::Rect { cx, cy, deg, half_u, half_v } => {
                let (sn, cs) = deg.to_radians().sin_cos();
                let dy = yf - cy;
                let (mut lo, mut hi) = (f32::MIN, f32::MAX);
                for (a, b, lim) in [(cs, dy * sn, half_u + margin), (-sn, dy * cs, half_v + margin)] {
                    if lim < 0.0 {
                        return 0..0;
                    }
                    if a.abs() < 1e-6 {
                        if b.abs() > lim {
                            return 0..0;
                        }
                    } else {
                        let (p, q) = ((-lim - b) / a, (lim - b) / a);
                        lo = lo.max(p.min(q));
                        hi = hi.min(p.max(q));
                    }
                }
                (cx + lo, cx + hi)
            }
        };
        if hi < lo {
            return 0..0;
        }
        let x0 = lo.ceil().max(0.0).min(w as f32) as usize;
        let x1 = (hi.floor().max(-1.0) + 1.0).min(w as f32) as usize;
        x0..x1.max(x0)
    }
}

/// Continuity of the seal's border.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Border {
    /// The longest run of outline without its border, mm of outline (wrapping round).
    pub gap_mm: f32,
    /// The share of the outline where the border is present.
    pub present: f32,
}

/// Step along the outline, mm.
const STEP_MM: f32 = 0.25;

/// How much of the border's own strength (the median over its steps) a step's ink must reach
/// to count as border: 0.3. A lost cap leaves paper there (a tenth or less); a second pressing
/// with less ink draws a border of its own at a third to all of the first's (B's copies 0.45–1,
/// C's a third and more), and along an outline fitted to both copies that lighter border is
/// the only one in the band on the copy's side. At half the median it read as gaps: 7 of
/// B-dev4's 10 false `broken` were 公章 and 法人章 pressed twice, 6 of them with gaps of 4–12 mm
/// at a half that read 0–1.3 mm at 0.3 (issue 34 v13.8). What it gives up: a lost cap whose
/// edge leaves ink at 0.3–0.5 of the border along the outline reads a shorter gap (5 true
/// `broken` of the dev sets, against 20 false ones gone).
const BORDER_PRESENT: f32 = 0.3;

/// Follows `outline` every 0.25 mm; at each step reads the largest ink level across the
/// border's band (0.5 mm outside the outer edge to 1.5 mm inside it); a step is present when
/// that reaches `BORDER_PRESENT` of the median over all steps (the border's own strength).
pub(crate) fn border_continuity(level: impl Fn(usize) -> u8, w: usize, h: usize, ppmm: f32, outline: Outline) -> Option<Border> {
    let at = |x: f32, y: f32| -> f32 {
        let (xi, yi) = (x.round(), y.round());
        if xi < 0.0 || yi < 0.0 || xi as usize >= w || yi as usize >= h { 0.0 } else { f32::from(level(yi as usize * w + xi as usize)) }
    };
    // (point on the outline, outward normal) per step.
    let mut steps: Vec<((f32, f32), (f32, f32))> = Vec::new();
    let step = STEP_MM * ppmm;
    match outline {
        Outline::Circle { cx, cy, r } => {
            let n = ((std::f32::consts::TAU * r / step).round() as usize).max(16);
            for k in 0..n {
                let a = k as f32 / n as f32 * std::f32::consts::TAU;
                let (s, c) = a.sin_cos();
                steps.push(((cx + r * c, cy + r * s), (c, s)));
            }
        }
        Outline::Rect { cx, cy, deg, half_u, half_v } => {
            let (s, c) = deg.to_radians().sin_cos();
            let (eu, ev) = ((c, s), (-s, c));
            let at_uv = |u: f32, v: f32| (cx + u * eu.0 + v * ev.0, cy + u * eu.1 + v * ev.1);
            // Four sides, corner to corner, clockwise on screen.
            let sides = [
                ((-half_u, -half_v), (half_u, -half_v), (-ev.0, -ev.1)),
                ((half_u, -half_v), (half_u, half_v), eu),
                ((half_u, half_v), (-half_u, half_v), ev),
                ((-half_u, half_v), (-half_u, -half_v), (-eu.0, -eu.1)),
            ];
            for ((u0, v0), (u1, v1), normal) in sides {
                let len = (u1 - u0).hypot(v1 - v0);
                let n = ((len / step).round() as usize).max(2);
                for k in 0..n {
                    let t = (k as f32 + 0.5) / n as f32;
                    steps.push((at_uv(u0 + t * (u1 - u0), v0 + t * (v1 - v0)), normal));
                }
            }
        }
    }
    let (outside, inside) = (0.5 * ppmm, 1.5 * ppmm);
    let samples = ((outside + inside) / 0.5).ceil() as usize + 1;
    let strength: Vec<f32> = steps
        .iter()
        .map(|&((x, y), (nx, ny))| {
            (0..samples)
                .map(|j| {
                    let t = outside - j as f32 * (outside + inside) / (samples - 1) as f32;
                    at(x + t * nx, y + t * ny)
                })
                .fold(0.0f32, f32::max)
        })
        .collect();
    if strength.is_empty() {
        return None;
    }
    let mut sorted = strength.clone();
    sorted.sort_by(f32::total_cmp);
    let median = sorted[sorted.len() / 2];
    if median <= 0.0 {
        return None;
    }
    let present: Vec<bool> = strength.iter().map(|&s| s >= BORDER_PRESENT * median).collect();
    let n = present.len();
    let share = present.iter().filter(|&&p| p).count() as f32 / n as f32;
    // Longest run of absent steps, wrapping round: start after a present step.
    let mut longest = 0usize;
    if let Some(start) = present.iter().position(|&p| p) {
        let mut run = 0usize;
        for k in 1..=n {
            if present[(start + k) % n] {
                run = 0;
            } else {
                run += 1;
                longest = longest.max(run);
            }
        }
    } else {
        longest = n;
    }
    // The mm of outline per step (steps are spread evenly along each side or the circle).
    let perimeter = match outline {
        Outline::Circle { r, .. } => std::f32::consts::TAU * r,
        Outline::Rect { half_u, half_v, .. } => 4.0 * (half_u + half_v),
    };
    Some(Border { gap_mm: longest as f32 * perimeter / n as f32 / ppmm, present: share })
}

/// The frame of a square or rectangular seal seen twice: a second impression offset by d
/// draws a second frame line at the normal component of d behind each side's outer edge, on
/// two opposite sides at the same depth (or, when the copy has less ink than the mask and the
/// outline is the first's alone, beyond one side and behind the opposite one). A seal's text
/// can stand that far behind the frame too, but not in the margins next to the corners, where
/// the perpendicular side's frame is and nothing else: the second line is looked for there, and
/// must be the same at both ends of a side, as a frame line along it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FrameEcho {
    /// The share of a corner margin where a second frame line is present behind the first
    /// (the smaller of two opposite sides at one depth, behind both or beyond one; the
    /// largest such pair), 0–1.
    pub second: f32,
    /// The second line's depth behind the frame's outer edge, mm, for that pair.
    pub offset_mm: f32,
    /// The frame's width, mm (the narrower pair of sides).
    pub width_mm: f32,
    /// How far behind the outline's outer edge the frame's band starts, mm: the deepest of the
    /// four sides. The frame is the seal's outermost ink, so a whole one starts at the edge; a
    /// side whose band starts deeper has lost its frame there and what reads as its band is text.
    pub inset_mm: f32,
}

/// The level at (x, y) pixels, bilinear; 0 (paper) outside the crop.
fn bilinear_or_zero(level: &impl Fn(usize) -> u8, w: usize, h: usize, x: f32, y: f32) -> f32 {
    if x < 0.0 || y < 0.0 || x >= (w - 1) as f32 || y >= (h - 1) as f32 {
        return 0.0;
    }
    let (x0, y0) = (x as usize, y as usize);
    let (tx, ty) = (x - x0 as f32, y - y0 as f32);
    let v = |xx: usize, yy: usize| f32::from(level(yy * w + xx));
    (1.0 - ty) * ((1.0 - tx) * v(x0, y0) + tx * v(x0 + 1, y0)) + ty * ((1.0 - tx) * v(x0, y0 + 1) + tx * v(x0 + 1, y0 + 1))
}

/// Profiles across each side of a rectangular outline at the ink level `level` (bilinear):
/// from 0.5 mm outside the outer edge to 4 mm inside it every 0.1 mm; a point is present where
/// the level reaches 0.3 of the frame's own (the median over the sides of the strongest level
/// within 1.5 mm of the edge). On the middle 70 % of each side the share present by depth gives
/// the frame's band (from the first depth at ≥ 0.5 to where it falls below 0.5). Then, in the
/// corner margins (0.2–1.0 mm past the perpendicular frame's inner edge, at both ends of the
/// side, every 0.1 mm), the share present by depth behind the band, up to 3.5 mm: its peak is a
/// second frame line when the opposite side has one at the same depth (± 0.4 mm), behind it or
/// beyond it (on the middle half of the side, out to 3.5 mm; both then read at half the presence
/// level), and neither side's other corner margin shows a line of share ≥ 0.5 at another depth.
pub(crate) fn frame_echo(level: impl Fn(usize) -> u8, w: usize, h: usize, ppmm: f32, outline: Outline) -> Option<FrameEcho> {
    let Outline::Rect { cx, cy, deg, half_u, half_v } = outline else { return None };
    let at = |x: f32, y: f32| bilinear_or_zero(&level, w, h, x, y);
    let (s, c) = deg.to_radians().sin_cos();
    let (eu, ev) = ((c, s), (-s, c));
    let (outside, depth, dq) = (0.5 * ppmm, 4.0 * ppmm, 0.1 * ppmm);
    let nq = ((outside + depth) / dq).round() as usize + 1;
    let q_mm = |j: usize| j as f32 * dq / ppmm - 0.5;
    // Per side: (centre offset along the normal, outward normal, tangent, half length).
    let sides = [(half_v, (-ev.0, -ev.1), eu, half_u), (half_u, eu, ev, half_v), (half_v, ev, eu, half_u), (half_u, (-eu.0, -eu.1), ev, half_v)];
    let profile = |k: usize, along: f32| -> Vec<f32> {
        let (off, n, t, _) = sides[k];
        let (bx, by) = (cx + off * n.0 + along * t.0, cy + off * n.1 + along * t.1);
        (0..nq).map(|j| at(bx - (j as f32 * dq - outside) * n.0, by - (j as f32 * dq - outside) * n.1)).collect()
    };
    let step = 0.25 * ppmm;
    let middle: Vec<Vec<Vec<f32>>> = (0..4)
        .map(|k| {
            let half = sides[k].3;
            let m = ((1.4 * half / step).floor() as usize).max(4);
            (0..m).map(|i| profile(k, -0.7 * half + (i as f32 + 0.5) * 1.4 * half / m as f32)).collect()
        })
        .collect();
    let j_in = (((outside + 1.5 * ppmm) / dq).round() as usize).min(nq - 1);
    let mut peaks: Vec<f32> = middle.iter().flatten().map(|p| p[..=j_in].iter().copied().fold(0.0, f32::max)).collect();
    if peaks.len() < 16 {
        return None;
    }
    peaks.sort_by(f32::total_cmp);
    // Present at 0.3 of the frame's level: a second pressing with less ink (40 % and up) counts.
    let frame_level = 0.3 * peaks[peaks.len() / 2];
    if frame_level <= 0.0 {
        return None;
    }
    let share_at = |rows: &[Vec<f32>], level: f32| -> Vec<f32> {
        (0..rows.first().map_or(0, Vec::len)).map(|j| rows.iter().filter(|p| p[j] >= level).count() as f32 / rows.len().max(1) as f32).collect()
    };
    let share = |rows: &[Vec<f32>]| share_at(rows, frame_level);
    // The frame's band on each side: (first index, index after it).
    let bands: Vec<(usize, usize)> = middle
        .iter()
        .map(|rows| {
            let s = share(rows);
            let start = s.iter().position(|&v| v >= 0.5)?;
            Some((start, (start..nq).find(|&j| s[j] < 0.5).unwrap_or(nq)))
        })
        .collect::<Option<_>>()?;
    let width = |k: usize| (bands[k].1 - bands[k].0) as f32 * dq / ppmm;
    // Per side, per presence level (the frame's, and half of it for the partner of a line
    // beyond the opposite side, below) and per end of the side: the corner margin's peak share
    // behind the band and its depth in mm; `None` where the margin never leaves the band (a
    // line runs across it: a second pressing's perpendicular frame).
    type CornerLines = [[Option<(f32, f32)>; 2]; 2];
    let behind: Vec<CornerLines> = (0..4)
        .map(|k| {
            let half = sides[k].3;
            let (start, end) = bands[k];
            let last = (start + (3.5 * ppmm / dq).round() as usize).min(nq - 1);
            let mut ends = [[None; 2]; 2];
            // The side's ends: towards side k + 1 (along +t for sides 0 and 1, see `sides`) and k + 3.
            for (e, (sign, perp)) in [(1.0f32, if k < 2 { (k + 1) % 4 } else { (k + 3) % 4 }), (-1.0, if k < 2 { (k + 3) % 4 } else { (k + 1) % 4 })].into_iter().enumerate() {
                let perp = bands[perp].1 as f32 * dq / ppmm - 0.5;
                let (a0, a1) = ((perp + 0.2) * ppmm, (perp + 1.0) * ppmm);
                let n = (((a1 - a0) / dq).round() as usize).max(1);
                let rows: Vec<Vec<f32>> = (0..=n).map(|i| profile(k, sign * (half - a0 - i as f32 * (a1 - a0) / n as f32))).collect();
                for (li, level) in [frame_level, 0.5 * frame_level].into_iter().enumerate() {
                    let s = share_at(&rows, level);
                    // Behind a valley: where the corner margin has left the frame's own band.
                    let Some(gap) = (end..=last).find(|&j| s[j] <= 0.35) else { continue };
                    let mut peak = (0.0f32, 0.0f32);
                    for j in gap..=last {
                        if s[j] > peak.0 {
                            peak = (s[j], q_mm(j) - q_mm(start));
                        }
                    }
                    ends[li][e] = Some(peak);
                }
            }
            ends
        })
        .collect();
    // A side's best corner margin at a level.
    let best = |k: usize, li: usize| behind[k][li].iter().flatten().fold((0.0f32, 0.0f32), |b, &x| if x.0 > b.0 { x } else { b });
    // A copy's frame line runs along the whole side: the side's other corner margin shows it at
    // the same depth, or nothing (a copy shifted along the side ends short of that margin), or
    // is crossed (the copy's perpendicular frame). A line at another depth there is the seal's
    // text, and so is the one read at this end (C's smeared 法人章: the smear's trail widens
    // the frame's band and moves the margins into the characters, 国's box in one corner).
    let along_the_side = |k: usize, li: usize, depth: f32| behind[k][li].iter().flatten().all(|&(share, d)| share < 0.5 || (d - depth).abs() <= 0.5);
    // Per side, a second frame line outside it: (peak share, its outer edge's distance beyond
    // the frame's outer edge in mm). A second pressing with less ink than the mask's level lies
    // outside the outline fitted to the first (C-dev2 047: a copy at about 30 %, 2.2 mm up and
    // left): its frame stands beyond two sides and behind the two opposite ones, each at the
    // offset's component along that side's normal. Outside the seal there is no text, so the
    // middle half of the side is read; the line's outer edge is the first peak met coming in
    // from 3.5 mm, as the one behind is met going in from the frame.
    let beyond: Vec<(f32, f32)> = (0..4)
        .map(|k| {
            let (off, n, t, half) = sides[k];
            let edge = off + q_mm(bands[k].0) * -ppmm;
            let (nx, m) = (((3.5 * ppmm) / dq).round() as usize, ((half / step).floor() as usize).max(4));
            let rows: Vec<Vec<f32>> = (0..m)
                .map(|i| {
                    let along = -0.5 * half + (i as f32 + 0.5) * half / m as f32;
                    let (bx, by) = (cx + edge * n.0 + along * t.0, cy + edge * n.1 + along * t.1);
                    (0..=nx).map(|j| at(bx + j as f32 * dq * n.0, by + j as f32 * dq * n.1)).collect()
                })
                .collect();
            let s = share_at(&rows, 0.5 * frame_level);
            let Some(gap) = s.iter().position(|&v| v <= 0.35) else { return (0.0, 0.0) };
            let mut best = (0.0f32, 0.0f32);
            for j in (gap..=nx).rev() {
                if s[j] > best.0 {
                    best = (s[j], j as f32 * dq / ppmm);
                }
            }
            best
        })
        .collect();
    let mut found = (0.0f32, 0.0f32);
    for (k, l) in [(0, 2), (1, 3)] {
        // Behind both sides (the outline holds both pressings), or behind one and beyond the
        // other (it holds only the first): (the two lines, the sides read behind at a level).
        let pairs: [(_, _, &[(usize, usize)]); 3] = [(best(k, 0), best(l, 0), &[(k, 0), (l, 0)]), (best(k, 1), beyond[l], &[(k, 1)]), (beyond[k], best(l, 1), &[(l, 1)])];
        for (a, b, read) in pairs {
            let depth = 0.5 * (a.1 + b.1);
            if (a.1 - b.1).abs() <= 0.4 && read.iter().all(|&(q, li)| along_the_side(q, li, depth)) {
                let p = a.0.min(b.0);
                if p > found.0 {
                    found = (p, depth);
                }
            }
        }
    }
    let inset_mm = bands.iter().map(|b| q_mm(b.0)).fold(f32::MIN, f32::max);
    Some(FrameEcho { second: found.0, offset_mm: found.1, width_mm: (0.5 * (width(0) + width(2))).min(0.5 * (width(1) + width(3))), inset_mm })
}

/// A second pressing of a round seal with less ink than the mask's level, read beyond the
/// border: such a copy offset by d towards φ lies outside the mask, so the circle is the first
/// pressing's, and the copy's border ring stands beyond it at about d·cos(θ − φ) along each
/// direction θ where that clears the first ring (C-dev2 078: a copy at about 30 %, 2 mm up).
/// Outside a seal there is only paper, so a ring there is the copy's; the echo, read over the
/// whole face, had the seal's own text repeating at every distance to stand out from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RingBeyond {
    /// The share of the directions where the copy's ring must clear the first ring that show a
    /// line beyond it at d·cos(θ − φ) (± 0.4 mm), for the best (d, φ), 0–1.
    pub share: f32,
    /// That d, mm, and φ, degrees (clockwise on screen from the +x axis).
    pub offset_mm: f32,
    pub deg: f32,
}

/// Reads [`RingBeyond`] on 180 rays (every 2°) from 1.5 mm inside the circle to 4 mm outside,
/// every 0.1 mm, on the ink level `level` (bilinear). The border's level is the median over the
/// rays of the strongest level within 1.5 mm of the circle; the ring's width, the median run
/// at half of it inward from the circle. Beyond the circle, where the ray first falls under 0.15
/// of the border's level (the presence a copy at a quarter of the ink keeps; outside the seal
/// no text is there to be taken for it), the next run of at least 0.3 mm above it is a line
/// beyond, at the distance of its outer edge. A copy offset by (d, φ) is expected on the rays
/// where d·cos(θ − φ) exceeds the ring's width by 0.3 mm (a valley between the two); d is tried
/// from 0.8 to 3.5 mm every 0.1 mm and φ every 4°, and at least 20 rays (40°) must expect it.
pub(crate) fn ring_beyond(level: impl Fn(usize) -> u8, w: usize, h: usize, ppmm: f32, outline: Outline) -> Option<RingBeyond> {
    let Outline::Circle { cx, cy, r } = outline else { return None };
    let at = |x: f32, y: f32| bilinear_or_zero(&level, w, h, x, y);
    const RAYS: usize = 180;
    let dq = 0.1 * ppmm;
    let (inside, outside) = (15usize, 40usize);
    // Index j is at r + (j − inside) · 0.1 mm.
    let rays: Vec<Vec<f32>> = (0..RAYS)
        .map(|i| {
            let (s, c) = (i as f32 * std::f32::consts::TAU / RAYS as f32).sin_cos();
            (0..=inside + outside)
                .map(|j| {
                    let rr = r + (j as f32 - inside as f32) * dq;
                    at(cx + rr * c, cy + rr * s)
                })
                .collect()
        })
        .collect();
    let mut peaks: Vec<f32> = rays.iter().map(|p| p[..=2 * inside].iter().copied().fold(0.0, f32::max)).collect();
    peaks.sort_by(f32::total_cmp);
    let border_level = peaks[RAYS / 2];
    if border_level <= 0.0 {
        return None;
    }
    // The ring's width at the mask's level, half the border's: a copy under it does not widen it.
    let (ring_at, line_at) = (0.5 * border_level, 0.15 * border_level);
    let mut widths: Vec<f32> = rays
        .iter()
        .filter_map(|p| {
            let outer = (0..=2 * inside).rev().find(|&j| p[j] >= ring_at)?;
            let inner = (0..=outer).rev().find(|&j| p[j] < ring_at).map_or(0, |j| j + 1);
            Some((outer + 1 - inner) as f32 * 0.1)
        })
        .collect();
    if widths.len() < RAYS / 2 {
        return None;
    }
    widths.sort_by(f32::total_cmp);
    let ring_mm = widths[widths.len() / 2];
    // Per ray, the outer edge of a line beyond the first ring, mm past the circle.
    let min_run = 3usize;
    let beyond: Vec<Option<f32>> = rays
        .iter()
        .map(|p| {
            let gap = (inside..p.len()).find(|&j| p[j] < line_at)?;
            let start = (gap..p.len()).find(|&j| p[j] >= line_at)?;
            let end = (start..p.len()).find(|&j| p[j] < line_at).unwrap_or(p.len());
            (end - start >= min_run).then(|| (end - 1 - inside) as f32 * 0.1)
        })
        .collect();
    // The rays with a line beyond: (ray, distance).
    let lines: Vec<(usize, f32)> = beyond.iter().enumerate().filter_map(|(i, b)| b.map(|b| (i, b))).collect();
    // cos(θ − φ) for the rays' 2° steps of difference.
    let cos: Vec<f32> = (0..RAYS).map(|i| (i as f32 * std::f32::consts::TAU / RAYS as f32).cos()).collect();
    let mut best = RingBeyond { share: 0.0, offset_mm: 0.0, deg: 0.0 };
    let mut best_miss = f32::MAX;
    for k in 8..=35 {
        let d = k as f32 * 0.1;
        let clears = |c: f32| d * c >= ring_mm + 0.3;
        // The same number of rays expect the copy whatever its direction.
        let expected = cos.iter().filter(|&&c| clears(c)).count();
        if expected < 20 {
            continue;
        }
        for phi in (0..RAYS).step_by(2) {
            let (mut seen, mut miss) = (0usize, 0.0f32);
            for &(i, b) in &lines {
                let c = cos[(i + RAYS - phi) % RAYS];
                let off = (b - d * c).abs();
                if clears(c) && off <= 0.4 {
                    seen += 1;
                    miss += off;
                }
            }
            // Of the offsets that see as many rays, the one the lines lie closest to.
            let share = seen as f32 / expected as f32;
            if share > best.share || (share == best.share && seen > 0 && miss / (seen as f32) < best_miss) {
                best = RingBeyond { share, offset_mm: d, deg: phi as f32 * 360.0 / RAYS as f32 };
                best_miss = miss / seen.max(1) as f32;
            }
        }
    }
    Some(best)
}

/// How the paper inside a square or rectangular seal hangs together (`paper_field`, share 0–1):
/// over the face 2 mm inside the outline (clear of any frame), the largest 4-connected piece of
/// the paper (`mask` 0) as a share of all of it. A 朱文 face is red characters standing on a
/// paper field that runs round them all: 0.6–1. A 阴文 (白文) face is a field of ink with the
/// characters cut out of it: its paper is the strokes themselves, one piece per character or
/// stroke group, none of them most of it: under 0.5. `None` for a round outline, or a face too
/// small to hold 4 mm² of paper-or-ink inside the margin.
pub(crate) fn paper_field(mask: &[u8], w: usize, h: usize, ppmm: f32, outline: Outline) -> Option<f32> {
    let Outline::Rect { half_u, half_v, .. } = outline else { return None };
    let margin = 2.0 * ppmm;
    let (hu, hv) = (half_u - margin, half_v - margin);
    if hu <= 0.0 || hv <= 0.0 || 4.0 * hu * hv < 4.0 * ppmm * ppmm {
        return None;
    }
    // The face's paper pixels, 1 inside, 0 elsewhere (ink, margin, outside).
    let mut paper = vec![0u8; w * h];
    let mut total = 0usize;
    for (y, (row, mask_row)) in paper.chunks_exact_mut(w).zip(mask.chunks_exact(w)).enumerate() {
        let span = outline.row_span(y, -margin, w);
        for (p, &m) in row[span.clone()].iter_mut().zip(&mask_row[span]) {
            *p = u8::from(m == 0);
            total += usize::from(m == 0);
        }
    }
    if total == 0 {
        return Some(0.0);
    }
    // Only the areas are read: the mask serves as its own region.
    let largest = Components::new(&paper, &paper, w, h, false).comps.iter().map(|c| c.area).max().unwrap_or(0);
    Some(largest as f32 / total as f32)
}

/// Sectors of edge direction over 0–180°, 22.5° each (design §2.4).
pub(crate) const SECTORS: usize = 8;

/// The sector of a direction folded to 0–180°.
pub(crate) fn sector_of(deg: f32) -> usize {
    ((deg.rem_euclid(180.0) / (180.0 / SECTORS as f32)) as usize).min(SECTORS - 1)
}

/// The sector of a direction over the whole circle (2·`SECTORS`, the same 22.5°): `sector_of`
/// on one side, `sector_of` + `SECTORS` on the other.
fn side_sector_of(deg: f32) -> usize {
    ((deg.rem_euclid(360.0) / (360.0 / (2 * SECTORS) as f32)) as usize).min(2 * SECTORS - 1)
}

/// Edge spread by the direction of the edge's normal: at each edge point (index into a `w` ×
/// `h` level image, 0–255, higher = more ink), the level is read along the gradient from 1.5 mm
/// outside to 1.5 mm inside (bilinear, half-pixel or 0.04 mm steps, each the mean of three
/// parallel lines a pixel apart along the edge); the spread is the distance between the
/// points where it crosses 10 % and 90 % of the way from the paper to the highest level
/// inside, nearest the edge point, in mm (three-tap smoothed; the paper is level 0). A step blurred by a Gaussian of σ reads 2.56 σ; a
/// uniform motion of length L along the normal adds 0.8 L, a motion at falling pressure about
/// 0.63 L. Returns the spreads per sector of the normal's direction folded to 0–180°.
pub(crate) fn edge_spreads(level: &[u8], w: usize, h: usize, ppmm: f32, edges: &[usize]) -> [Vec<f32>; SECTORS] {
    read_edges(level, w, h, ppmm, edges, false).spreads
}

/// The edges' profiles read from their outer 10 % crossing inward, every `TRAIL_STEP_MM` to
/// 1.5 mm, each as shares of its own step (paper 0, the highest level inside 1), summed by the
/// direction of the edge's gradient (into the ink) over the whole circle (2·`SECTORS` sectors
/// of 22.5°: sector k of the folded directions is k here and k + `SECTORS` on the opposite
/// side).
pub(crate) struct Trails {
    sum: [[f32; TRAIL_SAMPLES]; 2 * SECTORS],
    count: [u32; 2 * SECTORS],
    /// Each edge's foot climb ([`foot_climb`] of its own profile) squared, summed by side: how
    /// well the side's mean foot is known ([`Trails::foot_se`]).
    foot_sq: [f32; 2 * SECTORS],
}

/// Trail samples per mm; the read reaches 1.5 mm.
const TRAIL_PER_MM: usize = 20;
const TRAIL_STEP_MM: f32 = 1.0 / TRAIL_PER_MM as f32;
const TRAIL_SAMPLES: usize = 3 * TRAIL_PER_MM / 2 + 1;

impl Trails {
    fn new() -> Self {
        Trails { sum: [[0.0; TRAIL_SAMPLES]; 2 * SECTORS], count: [0; 2 * SECTORS], foot_sq: [0.0; 2 * SECTORS] }
    }

    /// Adds one edge's profile (`own`, read inward from its 10 % crossing) to whole-circle
    /// sector `side`.
    fn add(&mut self, side: usize, own: [f32; TRAIL_SAMPLES]) {
        for (acc, v) in self.sum[side].iter_mut().zip(own) {
            *acc += v;
        }
        self.foot_sq[side] += foot_climb(&own).powi(2);
        self.count[side] += 1;
    }

    /// The mean profile of whole-circle sector `k`, when at least `min` edges read it.
    fn mean(&self, k: usize, min: u32) -> Option<[f32; TRAIL_SAMPLES]> {
        let n = self.count[k];
        (n >= min).then(|| self.sum[k].map(|v| v / n as f32))
    }

    /// The standard error of whole-circle sector `k`'s mean foot climb ([`foot_climb`]) over
    /// its edges (0 under two edges: no scatter to read).
    fn foot_se(&self, k: usize) -> f32 {
        let n = self.count[k] as f32;
        if n < 2.0 {
            return 0.0;
        }
        let mean = (self.sum[k][FOOT_SAMPLE] - self.sum[k][0]) / n;
        let variance = ((self.foot_sq[k] / n - mean * mean) * n / (n - 1.0)).max(0.0);
        (variance / n).sqrt()
    }
}

/// Edges a side's mean profile is read from (the trail measures' noise floor).
const TRAIL_EDGES: u32 = 15;

/// The fewest edges a side's foot is read from (`trail_foot`), where their feet agree: under 5
/// the sample's scatter is no estimate (`frame_smear`'s facing asks the same).
const FOOT_FEWEST: u32 = 5;

/// The standard error `trail_foot` is read to where a side has fewer than `TRAIL_EDGES` edges:
/// a smear's foot reads a median 0.60 (B's and C's), under `smear.foot_fades`' limit of 0.75 by
/// 0.15, which is 1.5 standard errors of 0.1 (one-sided, 93 %).
const FOOT_SE: f32 = 0.1;

/// The foot's sample: 0.2 mm in from the outer 10 % crossing.
const FOOT_SAMPLE: usize = TRAIL_PER_MM / 5;

/// The edges' profiles of [`edge_profiles`]: spreads and shapes per folded sector, the trails,
/// and each edge's spread by where it lies (its index in the box, for measures that read the
/// edges of one part of the seal: [`frame_smear`]).
pub(crate) struct EdgeProfiles {
    pub spreads: [Vec<f32>; SECTORS],
    pub steps: [Vec<f32>; SECTORS],
    pub trails: Trails,
    pub each: Vec<(usize, f32)>,
}

/// One side of a folded sector: its whole-circle sector and its edges' mean profile.
type Side = (usize, [f32; TRAIL_SAMPLES]);

/// Folded sector `k`'s two opposite sides (`fewest` edges each at least): the trail's, the one
/// whose mean profile's first 1.0 mm stands lower (a trail rises slower than the sharp side that
/// leads), and the leading one; with one side only, that side as the trail and no lead.
fn trail_and_lead(trails: &Trails, k: usize, fewest: u32) -> (Option<Side>, Option<Side>) {
    let first_mm = TRAIL_PER_MM + 1;
    let low = |a: &Side| a.1[..first_mm].iter().sum::<f32>();
    let side = |s: usize| trails.mean(s, fewest).map(|p| (s, p));
    match (side(k), side(k + SECTORS)) {
        (Some(a), Some(b)) if low(&a) <= low(&b) => (Some(a), Some(b)),
        (Some(a), Some(b)) => (Some(b), Some(a)),
        (a, b) => (a.or(b), None),
    }
}

/// How the trail's foot climbs against the leading edge's, along folded sector `k` (a smear's
/// direction): the climb over the first 0.2 mm in from the outer 10 % crossing on the trail's
/// side, over the same climb on the leading side (both in shares of each edge's own step).
/// `None` without both sides, or where the leading side climbs under 0.05 there.
///
/// Where a side has fewer than `TRAIL_EDGES` edges (`FOOT_FEWEST` at least), the foot is read
/// where its standard error, from each side's scatter of its edges' own feet, is at most
/// `FOOT_SE` (issue 76): a smear's trailing ramps are profiled less often than the sharp edges
/// that lead (the same loss as on a frame's trailing facing, [`frame_smear`]), and 13 of 16
/// 法人章 smears whose strokes did not confirm the direction had no foot read for want of them.
/// Only the foot is read so: its error bounds the foot, not the rest of the profile
/// `trail_rise` reads.
///
/// A smear at falling pressure ends in its faintest ink, so its foot climbs slower than the
/// sharp side that leads (B's and C's smears: a median 0.6); a second pressing's outer edge is
/// the copy's own edge, about as sharp as the leading one (doubles: a median 0.87). A smear at
/// uniform pressure ramps both sides alike and reads about 1 (A's: 0.73–1.08), so a high foot
/// alone says nothing. A low one is read by `trail.fading.square` (a smear's trail along a
/// 法人章's frame read as a second line); a high one where the trail climbs slowly
/// (`double.sharp_foot.*`), or where it climbs slower than an edge and the lead is sharp
/// (`double.sharp_ends.*`, with [`lead_sharp`]).
pub(crate) fn trail_foot(trails: &Trails, k: usize) -> Option<f32> {
    let (Some((t, trail)), Some((l, lead))) = trail_and_lead(trails, k, FOOT_FEWEST) else {
        return None;
    };
    let lead_climb = foot_climb(&lead);
    if lead_climb < 0.05 {
        return None;
    }
    let foot = foot_climb(&trail) / lead_climb;
    if trails.count[t].min(trails.count[l]) >= TRAIL_EDGES {
        return Some(foot);
    }
    // The ratio's standard error from the two means' (first order).
    let se = trails.foot_se(t).hypot(foot * trails.foot_se(l)) / lead_climb;
    (se <= FOOT_SE).then_some(foot)
}

/// An edge's climb over the first 0.2 mm in from its outer 10 % crossing (its foot), in
/// shares of its step.
fn foot_climb(profile: &[f32; TRAIL_SAMPLES]) -> f32 {
    profile[FOOT_SAMPLE] - profile[0]
}

/// How sharply the side that leads climbs, along folded sector `k` (a smear's direction): the
/// leading side's climb over the first 0.2 mm in from its outer 10 % crossing, over the same
/// climb on the edges across (folded sector `k` + 90°, both sides' mean profiles), in shares
/// of each edge's own step. `None` without a leading side, without both sides across, or where
/// the edges across climb under 0.05 there.
///
/// A second pressing's lead is the first copy's own edge: as sharp as the edges the motion does
/// not touch (about 1; 0.95 and more in the calibration test). A drag at uniform pressure lays
/// its ink evenly along the path, so its lead ramps over the motion as its trail does (A's
/// smears: 0.33–0.54). A drag at falling pressure leads with its heaviest ink, in between (B's
/// and C's smears: a median 0.8 and 1.1; the calibration's, whose weights are normalised,
/// 0.41–0.84), and its foot fades. With `trail_foot` it tells the two edges that end sharply
/// apart: a copy's (a sharp lead) and a uniform drag's (a ramped lead).
pub(crate) fn lead_sharp(trails: &Trails, k: usize) -> Option<f32> {
    let lead = trail_and_lead(trails, k, TRAIL_EDGES).1?.1;
    let across = (k + SECTORS / 2) % SECTORS;
    let (a, b) = (trails.mean(across, TRAIL_EDGES)?, trails.mean(across + SECTORS, TRAIL_EDGES)?);
    let across_climb = 0.5 * (foot_climb(&a) + foot_climb(&b));
    (across_climb >= 0.05).then(|| foot_climb(&lead) / across_climb)
}

/// How a trail along folded sector `k` (a smear's direction) climbs to the stroke: the least
/// rise, in shares of the edge's step, over 0.4 mm of the mean profile on the trail's side
/// (of the two opposite sides, the one whose first 1.0 mm stands lower: a trail rises slower
/// than the sharp side that leads), where the profile stands at 0.2–0.8 of the step and still
/// rises by 0.1 or more further in; where no stretch does, the climb over 0.4 mm from 0.2 (a
/// trail that never climbs again: the edge's own step). `None` where neither side has 15 edges.
///
/// A drag leaves ink fading along it: from the stroke's full level down to the trail's end,
/// over at most 1.6 mm at a half to a tenth of the level, so any 0.4 mm of it climbs 0.14 of
/// the step or more (dev sets: 0.09 and more, true smears). A second pressing offset by less
/// than a stroke's width leaves a plateau instead: the second copy's level, flat over the
/// offset, then the first copy's step (0 or below: a dip where the two copies' edges meet).
/// The plateau is seen from about 0.9 mm: closer, it is shorter than the 0.4 mm read once the
/// blur has taken its share of both steps.
pub(crate) fn trail_rise(trails: &Trails, k: usize) -> Option<f32> {
    const WINDOW: usize = 2 * TRAIL_PER_MM / 5;
    let trail = trail_and_lead(trails, k, TRAIL_EDGES).0?.1;
    let rise = |s: usize| trail[s + WINDOW] - trail[s];
    let climbing = (0..TRAIL_SAMPLES - WINDOW)
        .filter(|&s| (0.2..=0.8).contains(&trail[s]))
        .filter(|&s| trail[s + WINDOW..].iter().copied().fold(f32::MIN, f32::max) - trail[s + WINDOW] >= 0.1)
        .map(rise)
        .reduce(f32::min);
    // No stretch climbs again further in: the edge's own climb from 0.2, a sharp edge's most.
    climbing.or_else(|| (0..TRAIL_SAMPLES - WINDOW).find(|&s| trail[s] >= 0.2).map(rise))
}

/// [`edge_spreads`] and, per sector, each edge's 25–75 % width over its 10–90 % width: about
/// 0.5–0.6 for a blur or a smear (a ramp: Gaussian 0.53, uniform motion 0.63, falling pressure
/// 0.58), near 1 on the side of a stroke where a double's stronger pressing leads (a staircase:
/// two sharp steps the offset apart); and the [`Trails`].
pub(crate) fn edge_profiles(level: &[u8], w: usize, h: usize, ppmm: f32, edges: &[usize]) -> EdgeProfiles {
    read_edges(level, w, h, ppmm, edges, true)
}

/// `level` (a crop `w` wide) at (x, y), bilinear; beyond (`x_max`, `y_max`) or below 0 the
/// nearest pixel inside stands for the paper or ink there. Inlined into the profiles' loop,
/// which reads it a hundred times per edge.
#[inline(always)]
fn bilinear_clamped(level: &[u8], w: usize, x_max: f32, y_max: f32, x: f32, y: f32) -> f32 {
    let (x, y) = (x.clamp(0.0, x_max), y.clamp(0.0, y_max));
    // Both are ≥ 0 here; through i32 the conversion is one instruction.
    let (x0, y0) = (x as i32 as usize, y as i32 as usize);
    let (tx, ty) = (x - x0 as f32, y - y0 as f32);
    // The four neighbours from one slice: one bounds check, not four.
    let q = &level[y0 * w + x0..y0 * w + x0 + w + 2];
    let (a, b, c, d) = (f32::from(q[0]), f32::from(q[1]), f32::from(q[w]), f32::from(q[w + 1]));
    (1.0 - ty) * (a + tx * (b - a)) + ty * (c + tx * (d - c))
}

/// [`edge_profiles`]; with `shapes` false the spreads alone (the steps, the trails and `each`
/// left empty: the scanner's ruled lines need no more).
#[wide_when_available]
fn read_edges(level: &[u8], w: usize, h: usize, ppmm: f32, edges: &[usize], shapes: bool) -> EdgeProfiles {
    let mut out: [Vec<f32>; SECTORS] = Default::default();
    let mut steps: [Vec<f32>; SECTORS] = Default::default();
    let mut trails = Trails::new();
    let mut each = Vec::with_capacity(if shapes { edges.len() } else { 0 });
    // Beyond the crop the nearest pixel inside stands for the paper or ink there.
    let (x_max, y_max) = ((w - 1) as f32 - 1e-3, (h - 1) as f32 - 1e-3);
    let at = |x: f32, y: f32| bilinear_clamped(level, w, x_max, y_max, x, y);
    // Samples every half pixel, or 0.04 mm at high resolutions; 1.5 mm each way.
    let dt = (0.04 * ppmm).max(0.5);
    let reach = (1.5 * ppmm / dt).ceil() as i32;
    let mut prof = vec![0f32; 2 * reach as usize + 1];
    let mut sm = prof.clone();
    for &i in edges {
        let (x, y) = (i % w, i / w);
        if x < 1 || y < 1 || x + 1 >= w || y + 1 >= h {
            continue;
        }
        // Sobel gradient.
        let l = |xx: usize, yy: usize| f32::from(level[yy * w + xx]);
        let gx = l(x + 1, y - 1) + 2.0 * l(x + 1, y) + l(x + 1, y + 1) - l(x - 1, y - 1) - 2.0 * l(x - 1, y) - l(x - 1, y + 1);
        let gy = l(x - 1, y + 1) + 2.0 * l(x, y + 1) + l(x + 1, y + 1) - l(x - 1, y - 1) - 2.0 * l(x, y - 1) - l(x + 1, y - 1);
        let g = gx.hypot(gy);
        if g < 1.0 {
            continue;
        }
        let (nx, ny) = (gx / g, gy / g);
        // Each sample averages three parallel lines a pixel apart along the edge: the paper's
        // noise on the profile falls by √3, the edge's own shape stays (it runs along them).
        let sample = |k: usize| -> f32 {
            let t = dt * (k as i32 - reach) as f32;
            let (px, py) = (x as f32 + t * nx, y as f32 + t * ny);
            (at(px - ny, py + nx) + at(px, py) + at(px + ny, py - nx)) / 3.0
        };
        // Three-tap smoothing (noise would move the extremes), the paper at 0 (the level is
        // balanced to the box's own paper), the ink at the highest level inside. The inside is
        // read whole (its highest level); the outside only as far as the lowest crossing
        // (10 %) reaches, which is all the crossings below read of it.
        let (c, n) = (reach as usize, prof.len());
        for (k, p) in prof.iter_mut().enumerate().skip(c - 1) {
            *p = sample(k);
        }
        for k in c..n - 1 {
            sm[k] = (prof[k - 1] + prof[k] + prof[k + 1]) / 3.0;
        }
        sm[n - 1] = sm[n - 2];
        let lo = 0.0f32;
        let hi = sm[c..].iter().copied().fold(f32::MIN, f32::max);
        if hi - lo < 8.0 {
            continue;
        }
        let lowest = lo + 0.1 * (hi - lo);
        let mut k = c;
        while sm[k] >= lowest && k > 0 {
            k -= 1;
            if k == 0 {
                sm[0] = sm[1];
            } else {
                prof[k - 1] = sample(k - 1);
                sm[k] = (prof[k - 1] + prof[k] + prof[k + 1]) / 3.0;
            }
        }
        let prof = &sm;
        // Where the profile crosses `frac` of the step: walking in from the edge point for the
        // upper levels, out for the lower ones, interpolated between samples (in samples from
        // the edge point).
        let cross = |frac: f32| -> Option<f32> {
            let l = lo + frac * (hi - lo);
            if prof[c] < l {
                let k = (c..prof.len()).find(|&k| prof[k] >= l)?;
                Some((k - 1 - c) as f32 + (l - prof[k - 1]) / (prof[k] - prof[k - 1]).max(1e-3))
            } else {
                let k = (0..=c).rev().find(|&k| prof[k] < l)?;
                Some((k + 1) as f32 - c as f32 - (prof[k + 1] - l) / (prof[k + 1] - prof[k]).max(1e-3))
            }
        };
        let (Some(t10), Some(t25), Some(t75), Some(t90)) = (cross(0.1), cross(0.25), cross(0.75), cross(0.9)) else { continue };
        let spread = dt * (t90 - t10).max(0.0) / ppmm;
        // The gradient's direction: folded, the edge's sector; over the whole circle, its side.
        let dir = ny.atan2(nx).to_degrees();
        let k = sector_of(dir);
        out[k].push(spread);
        if !shapes {
            continue;
        }
        each.push((i, spread));
        if t90 - t10 > 0.0 {
            steps[k].push(((t75 - t25) / (t90 - t10)).clamp(0.0, 1.0));
        }
        // The gradient points into the ink: its direction over the whole circle tells the
        // edge's side. The profile is read inward from the 10 % crossing (all of it computed).
        let side = side_sector_of(dir);
        let last = (prof.len() - 1) as f32;
        let at_mm = |j: usize| {
            let pos = (c as f32 + t10 + j as f32 * TRAIL_STEP_MM * ppmm / dt).clamp(0.0, last);
            let i0 = (pos as usize).min(prof.len() - 2);
            (prof[i0] + (pos - i0 as f32) * (prof[i0 + 1] - prof[i0]) - lo) / (hi - lo)
        };
        trails.add(side, std::array::from_fn(at_mm));
    }
    EdgeProfiles { spreads: out, steps, trails, each }
}

/// How far a rectangular seal's frame widens along the characters' smear, as a share of what
/// the characters show (`smear_plain_mm`): a motion moves the whole rubber, so a frame side
/// whose normal makes an angle φ with the smear widens by the smear's share cos φ, as the
/// characters' strokes do along it; a typeface whose strokes taper along one diagonal (a Song
/// face's 撇 and 捺) widens the characters' edges there and leaves the frame's straight edges
/// as sharp as the characters' edges across. The frame's edges are the ink's profiled edge
/// points (`each` of [`edge_profiles`], in a box `w` wide) within the frame's band (from 0.3 mm
/// outside the outline to 0.3 mm past the frame's width inside it) on the middle 80 % of a
/// side; per pair of opposite sides the median spread of its trailing edges (15 edges at least
/// on the pair) less `across_mm` (the characters' spread across the smear, the same ink
/// unsmeared) is that pair's widening, and
/// the share is the least-squares fit of the widenings to cos φ · `smear.plain_mm`:
/// Σ cos φ · widening / (`plain_mm` · Σ cos² φ)
/// (about 1 for a motion on sharp ink, less on soft ink seen diagonally, where the widening
/// adds in quadrature, and about 0 for the typeface; the share of a smear under about 0.05 mm
/// is mostly the edges' noise, and no rule reads one there). `None` on a round outline, where
/// the smear is under 0.01 mm, or where the frame's sides with edges lie nearly across
/// the smear (Σ cos² φ < 0.25).
///
/// The trailing edges are the facing whose median is the wider: a pair's edges face one way
/// (the left side's outer edge and the right side's inner one) or the other, and a drag that
/// keeps each line's leading edge the pressing's own ramps only the other facing, whose wide
/// ramps are profiled less often than sharp edges are. A median over both facings then read
/// the sharp ones (issue 76: R's, T's and V's 法人章 smears, −0.05 to 0.04; their trailing
/// facings 0.46 and more). A facing needs 5 edges; with one facing only, that one.
pub(crate) fn frame_smear(each: &[(usize, f32)], w: usize, ppmm: f32, outline: Outline, frame_width_mm: f32, smear: Smear, across_mm: f32) -> Option<f32> {
    let Outline::Rect { cx, cy, deg, half_u, half_v } = outline else { return None };
    let plain_mm = smear.plain_mm;
    if plain_mm < 0.01 {
        return None;
    }
    let (s, c) = deg.to_radians().sin_cos();
    let (outside, inside) = (0.3 * ppmm, (frame_width_mm + 0.3) * ppmm);
    let mid = 0.5 * frame_width_mm * ppmm;
    // [u sides, v sides] × [edges facing −, facing +]: an edge nearer the outline than the
    // frame's middle is the frame's outer edge, facing away from the centre.
    let mut sides: [[Vec<f32>; 2]; 2] = Default::default();
    for &(i, spread) in each {
        let (dx, dy) = ((i % w) as f32 - cx, (i / w) as f32 - cy);
        let (u, v) = (dx * c + dy * s, -dx * s + dy * c);
        let (du, dv) = (half_u - u.abs(), half_v - v.abs());
        if du <= dv && (-outside..=inside).contains(&du) && v.abs() <= 0.8 * half_v {
            sides[0][usize::from((u > 0.0) == (du < mid))].push(spread);
        } else if dv < du && (-outside..=inside).contains(&dv) && u.abs() <= 0.8 * half_u {
            sides[1][usize::from((v > 0.0) == (dv < mid))].push(spread);
        }
    }
    let median = |mut all: Vec<f32>| -> Option<f32> {
        (all.len() >= 5).then(|| {
            all.sort_by(f32::total_cmp);
            all[all.len() / 2]
        })
    };
    // A pair of opposite sides (15 edges at least) reads its trailing edges: the wider of its
    // two facings' medians.
    let trailing = |[minus, plus]: [Vec<f32>; 2]| -> Option<f32> {
        if minus.len() + plus.len() < 15 {
            return None;
        }
        match (median(minus), median(plus)) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    };
    let [on_u, on_v] = sides;
    let phi = (smear.smear_deg - deg).to_radians();
    // The u sides' normal is the u axis; the v sides' the v axis.
    let pairs = [(trailing(on_u), phi.cos().abs()), (trailing(on_v), phi.sin().abs())];
    let weight: f32 = pairs.iter().filter(|(m, _)| m.is_some()).map(|(_, c)| c * c).sum();
    if weight < 0.25 {
        return None;
    }
    let widening: f32 = pairs.iter().filter_map(|(m, c)| m.map(|m| c * (m - across_mm))).sum();
    Some(widening / (plain_mm * weight))
}

/// The median of each sector with at least `min` spreads.
pub(crate) fn sector_medians(mut s: [Vec<f32>; SECTORS], min: usize) -> [Option<f32>; SECTORS] {
    std::array::from_fn(|k| {
        let v = &mut s[k];
        (v.len() >= min).then(|| {
            let m = v.len() / 2;
            *v.select_nth_unstable_by(m, f32::total_cmp).1
        })
    })
}

/// A smear from the spreads of the ink's edges by direction against the scanner's own (the
/// excess in quadrature):
/// `smear_mm` the largest excess less the one at 90° from it, `smear_deg` its direction,
/// `blur_excess_mm` the smallest excess (what every direction has beyond the scanner),
/// `smear_q_mm` the same two excesses' difference in quadrature, √(along² − across²): what the
/// motion itself adds. An ink whose own edges are soft (bleed, a textured pad) widens every
/// direction by its spread s; a motion x along one adds as variances do, √(s² + x²), so the
/// plain difference √(s² + x²) − s reads a 0.6 mm smear (x ≈ 0.38 mm) as 0.18 mm on an ink of
/// s = 0.45 mm and the full 0.38 mm only on a sharp one. The quadrature difference reads x on
/// both; its price is noise: a difference δ between two unsmeared directions reads √(2sδ).
/// `plain_mm` the ink's own spreads along less across, nothing taken off: the measure the
/// scanner's readings cannot move. Both excesses are read against the ruled lines' spreads,
/// which can differ by direction where the ink's do not (a blurred scan: C-dev2 051, ruled
/// lines of 0.77 mm on average, read an excess of 0.38 mm along one direction and none across
/// where the ink's own edges differ by 0.01 mm).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Smear {
    pub smear_mm: f32,
    pub smear_deg: f32,
    pub blur_excess_mm: f32,
    pub smear_q_mm: f32,
    pub plain_mm: f32,
}

/// `ink` and `scan` per sector (mm); a sector without a spread of the ink is left out, and
/// without the scanner's takes the scanner's nearest one (the ruled lines are horizontal and
/// vertical: their spreads stand for 0° and 90°, the diagonals take their mean).
pub(crate) fn smear(ink: &[Option<f32>; SECTORS], scan_h: f32, scan_v: f32) -> Option<Smear> {
    let scan = |k: usize| {
        let a = (k as f32 + 0.5) * 180.0 / SECTORS as f32;
        let c2 = a.to_radians().cos().powi(2);
        c2 * scan_h + (1.0 - c2) * scan_v
    };
    // What the ink's edges spread beyond the scanner's, in quadrature (a blur and a motion
    // widen an edge about as variances add; a plain difference under-reads a smear by the
    // scanner's share).
    let excess: Vec<Option<f32>> = (0..SECTORS).map(|k| ink[k].map(|v| (v * v - scan(k).powi(2)).max(0.0).sqrt())).collect();
    // (along, across, sector) of the pair with the largest plain difference.
    let mut best: Option<(f32, f32, usize)> = None;
    for k in 0..SECTORS {
        if let (Some(a), Some(b)) = (excess[k], excess[(k + SECTORS / 2) % SECTORS])
            && best.is_none_or(|(ba, bb, _)| a - b > ba - bb)
        {
            best = Some((a, b, k));
        }
    }
    let (along, across, k) = best?;
    let min = excess.iter().flatten().copied().fold(f32::MAX, f32::min);
    let q = (along * along - across * across).max(0.0).sqrt();
    let plain = ink[k]? - ink[(k + SECTORS / 2) % SECTORS]?;
    Some(Smear { smear_mm: along - across, smear_deg: (k as f32 + 0.5) * 180.0 / SECTORS as f32, blur_excess_mm: min, smear_q_mm: q, plain_mm: plain })
}

/// Stroke width by direction (design §2.5): on the binary mask, the runs of ink along lines in
/// each of the 8 directions (every 22.5°) through the impression, a line every third pixel
/// across, read every pixel; the median per direction of the runs shorter than 3 mm (longer ones are
/// fills and long strokes, not widths). `stroke_mm` the median of the directions' medians,
/// `aniso_mm` the largest direction less the one at 90° from it, `aniso_deg` its direction. A
/// smear of L along θ widens the strokes along θ by up to L, not across.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Strokes {
    pub stroke_mm: f32,
    pub aniso_mm: f32,
    pub aniso_deg: f32,
}

#[wide_when_available]
pub(crate) fn stroke_widths(mask: &[u8], w: usize, h: usize, ppmm: f32) -> Option<Strokes> {
    let (x0, y0, x1, y1) = ink_box(mask, w)?;
    let (cx, cy) = (0.5 * (x0 + x1) as f32, 0.5 * (y0 + y1) as f32);
    let half = 0.5 * ((x1 - x0) as f32).hypot((y1 - y0) as f32) + 2.0;
    let n = (2.0 * half) as i32;
    let max_run = 3.0 * ppmm;
    let mut med = [0f32; SECTORS];
    for (k, m) in med.iter_mut().enumerate() {
        let a = (k as f32 * 180.0 / SECTORS as f32).to_radians();
        let (dx, dy) = (a.cos(), a.sin());
        // Unit steps along the direction: a run of r steps is r pixels long.
        let mut runs: Vec<f32> = Vec::new();
        // Every third line across (plenty for a median), each clipped to the ink's box.
        for j in (0..n).step_by(3) {
            let off = j as f32 - half;
            let (bx, by) = (cx - off * dy - half * dx, cy + off * dx - half * dy);
            let (mut t0, mut t1) = (0.0f32, n as f32);
            for (b, d, lo, hi) in [(bx, dx, x0 as f32 - 1.0, x1 as f32 + 1.0), (by, dy, y0 as f32 - 1.0, y1 as f32 + 1.0)] {
                if d.abs() < 1e-6 {
                    if b < lo || b > hi {
                        t1 = -1.0;
                    }
                } else {
                    let (a, c) = ((lo - b) / d, (hi - b) / d);
                    t0 = t0.max(a.min(c));
                    t1 = t1.min(a.max(c));
                }
            }
            if t1 < t0 {
                continue;
            }
            let mut run = 0u32;
            // Nearest pixel by adding a half and truncating (libm's roundf is a call per pixel);
            // a position below -0.5 stays negative and is outside.
            let (bx, by) = (bx + 0.5, by + 0.5);
            for t in t0.floor() as i32..=t1.ceil() as i32 {
                let (x, y) = (bx + t as f32 * dx, by + t as f32 * dy);
                // Non-short-circuit `&`: one predictable branch per pixel, not four.
                let (xi, yi) = (x as i32 as usize, y as i32 as usize);
                let inside = (x >= 0.0) & (y >= 0.0) & (xi < w) & (yi < h);
                let ink = inside && mask[yi * w + xi] != 0;
                if ink {
                    run += 1;
                } else if run > 0 {
                    if (run as f32) < max_run {
                        runs.push(run as f32);
                    }
                    run = 0;
                }
            }
        }
        if runs.len() < 20 {
            return None;
        }
        let mid = runs.len() / 2;
        *m = *runs.select_nth_unstable_by(mid, f32::total_cmp).1 / ppmm;
    }
    let mut sorted = med;
    sorted.sort_by(f32::total_cmp);
    let (mut best, mut deg) = (f32::MIN, 0.0);
    for k in 0..SECTORS {
        let d = med[k] - med[(k + SECTORS / 2) % SECTORS];
        if d > best {
            (best, deg) = (d, k as f32 * 180.0 / SECTORS as f32);
        }
    }
    Some(Strokes { stroke_mm: sorted[SECTORS / 2], aniso_mm: best, aniso_deg: deg })
}

/// The outer edge's size, pixels (`[2r, 2r]` or `[w, h]`), and for a rectangle how far its edges
/// are turned against the outline handed in (degrees, clockwise positive; 0 for a circle).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct EdgeSize {
    pub size: [f32; 2],
    pub turn_deg: f32,
    /// A rectangle's sides (top, right, bottom, left along the outline's axes): the share of
    /// the positions along each side whose crossing lies on the side's fitted line (within
    /// `SIDE_FIT_MM`); 1 for a circle. A side the face still has reads 0.6 and more (its edge
    /// is one straight line however much of the face's text lies behind it); a side cut away
    /// reads the ragged edge of what is left, or the text, and little of it on one line.
    pub on_line: [f32; 4],
    /// A rectangle's sides' ends along their own direction (pixels from the outline's middle,
    /// along the outline's first axis for the top and bottom, its second for the right and
    /// left): where the side's edge lies on its fitted line, read past the corners; `None` for a
    /// circle or a side with no run on its line.
    pub spans: [Option<(f32, f32)>; 4],
}

/// How far a crossing may lie off its side's fitted line and still be the side's edge, mm: a
/// scan's noise moves a crisp edge's half-level crossing by well under 0.1 mm, a carved side
/// is straight to within that; a smear's trail, a second pressing, a stain or a neighbour's
/// ink along part of a side lie 0.3 mm and more outside it, a cut edge's raggedness either
/// side of it.
const SIDE_FIT_MM: f32 = 0.2;

/// A side's edge as a straight line `depth = a + b·along` (pixels), fitted robustly to its
/// crossings `(along, depth)`: least squares on the crossings within 0.3 mm of the side's
/// median depth, then twice on those within `SIDE_FIT_MM` of the line so far. Returns the
/// line and how many crossings lie on it. A smear's trail, a stain or a second pressing over
/// part of a side moves its crossings off the line and out of the fit, not the line with them;
/// the median alone stood where such ink covered half the side.
fn fit_side(pts: &[(f32, f32)], median_depth: f32, ppmm: f32) -> (f32, f32, usize) {
    let (mut a, mut b) = (median_depth, 0.0f32);
    let mut on = pts.iter().filter(|p| (p.1 - a).abs() <= 0.3 * ppmm).count();
    for tol in [0.3 * ppmm, SIDE_FIT_MM * ppmm, SIDE_FIT_MM * ppmm] {
        let near: Vec<(f32, f32)> = pts.iter().copied().filter(|p| (p.1 - a - b * p.0).abs() <= tol).collect();
        if near.len() < 5 {
            break;
        }
        let n = near.len() as f32;
        let (ma, md) = near.iter().fold((0.0, 0.0), |s, p| (s.0 + p.0 / n, s.1 + p.1 / n));
        let (saa, sad) = near.iter().fold((0.0, 0.0), |s, p| (s.0 + (p.0 - ma) * (p.0 - ma), s.1 + (p.0 - ma) * (p.1 - md)));
        b = if saa > 0.0 { sad / saa } else { 0.0 };
        a = md - b * ma;
        on = pts.iter().filter(|p| (p.1 - a - b * p.0).abs() <= SIDE_FIT_MM * ppmm).count();
    }
    (a, b, on)
}

/// The seal's size from its border's outer edge (design §8), in pixels: where the level crosses
/// half the border's own level going outwards (the median over the rays or the sides' positions
/// of the strongest level within 2 mm inside the outline), interpolated between bilinear samples
/// a quarter pixel apart. A symmetric blur does not move that crossing; a mask's edge moves
/// with its threshold. Round: 360 rays from the outline's centre, a circle fitted to the
/// crossings (algebraic, then refitted on those within 0.3 mm), `[2r, 2r]`. Square: every 0.5 mm
/// along the middle 80 % of each side, the crossing's depth along the side's normal; each side
/// at its median depth, `[w, h]` the distances between opposite sides. Rays or positions whose
/// strongest level is under half the border's (a gap) are left out; `None` with too few.
pub(crate) fn outer_size(level: impl Fn(usize) -> u8, w: usize, h: usize, ppmm: f32, outline: Outline) -> Option<EdgeSize> {
    let at = |x: f32, y: f32| -> f32 {
        let (x, y) = (x.clamp(0.0, (w - 1) as f32 - 1e-3), y.clamp(0.0, (h - 1) as f32 - 1e-3));
        let (x0, y0) = (x as usize, y as usize);
        let (tx, ty) = (x - x0 as f32, y - y0 as f32);
        let v = |xx: usize, yy: usize| f32::from(level(yy * w + xx));
        (1.0 - ty) * ((1.0 - tx) * v(x0, y0) + tx * v(x0 + 1, y0)) + ty * ((1.0 - tx) * v(x0, y0 + 1) + tx * v(x0 + 1, y0 + 1))
    };
    let (outside, inside, dt) = (1.0 * ppmm, 2.0 * ppmm, 0.25f32);
    let n = ((outside + inside) / dt).ceil() as usize + 1;
    // Profile from outside inwards along (px, py) -> inward normal (nx, ny); returns the peak
    // and the profile.
    let profile = |px: f32, py: f32, nx: f32, ny: f32| -> Vec<f32> { (0..n).map(|k| at(px - (outside - k as f32 * dt) * nx, py - (outside - k as f32 * dt) * ny)).collect() };
    // Depth (px, from the outline inwards; negative = outside) where the profile first reaches `l`.
    let crossing = |p: &[f32], l: f32| -> Option<f32> {
        let k = p.iter().position(|&v| v >= l)?;
        if k == 0 {
            return None;
        }
        let t = (k - 1) as f32 + (l - p[k - 1]) / (p[k] - p[k - 1]).max(1e-3);
        Some(t * dt - outside)
    };
    let median = |v: &mut Vec<f32>| -> Option<f32> {
        if v.is_empty() {
            return None;
        }
        let m = v.len() / 2;
        Some(*v.select_nth_unstable_by(m, f32::total_cmp).1)
    };
    match outline {
        Outline::Circle { cx, cy, r } => {
            let rays: Vec<(f32, f32, Vec<f32>)> = (0..360)
                .map(|k| {
                    let (s, c) = (k as f32).to_radians().sin_cos();
                    (c, s, profile(cx + r * c, cy + r * s, -c, -s))
                })
                .collect();
            let mut peaks: Vec<f32> = rays.iter().map(|(_, _, p)| p.iter().copied().fold(0.0, f32::max)).collect();
            let half = 0.5 * median(&mut peaks)?;
            let pts: Vec<(f32, f32)> =
                rays.iter().filter(|(_, _, p)| p.iter().any(|&v| v >= half)).filter_map(|(c, s, p)| crossing(p, half).map(|d| (cx + (r - d) * c, cy + (r - d) * s))).collect();
            // Started from the outline, not from every crossing: a broken face's rays across
            // its lost cap cross its text or nothing, and a first fit through them all is
            // pulled off the ring (issue 76: I's and F's broken 公章, 2.4–5 mm).
            let (mut fx, mut fy, mut fr) = (cx, cy, r);
            let near: Vec<(f32, f32)> = pts.iter().copied().filter(|&(x, y)| ((x - fx).hypot(y - fy) - fr).abs() <= 1.0 * ppmm).collect();
            if near.len() >= 90 {
                (fx, fy, fr) = fit_circle_points(&near)?;
            } else {
                (fx, fy, fr) = fit_circle_points(&pts)?;
            }
            for _ in 0..2 {
                let kept: Vec<(f32, f32)> = pts.iter().copied().filter(|&(x, y)| ((x - fx).hypot(y - fy) - fr).abs() <= 0.3 * ppmm).collect();
                if kept.len() < 90 {
                    return None;
                }
                (fx, fy, fr) = fit_circle_points(&kept)?;
            }
            Some(EdgeSize { size: [2.0 * fr, 2.0 * fr], turn_deg: 0.0, on_line: [1.0; 4], spans: [None; 4] })
        }
        Outline::Rect { cx, cy, deg, half_u, half_v } => {
            let (s, c) = deg.to_radians().sin_cos();
            let (eu, ev) = ((c, s), (-s, c));
            // (half size along the normal, outward normal, tangent, half length).
            let sides = [(half_v, (-ev.0, -ev.1), eu, half_u), (half_u, eu, ev, half_v), (half_v, ev, eu, half_u), (half_u, (-eu.0, -eu.1), ev, half_v)];
            let profiles: Vec<Vec<Vec<f32>>> = sides
                .iter()
                .map(|&(off, nrm, t, hl)| {
                    let m = ((1.6 * hl / (0.5 * ppmm)).floor() as usize).max(4);
                    (0..m)
                        .map(|i| {
                            let along = -0.8 * hl + (i as f32 + 0.5) * 1.6 * hl / m as f32;
                            profile(cx + off * nrm.0 + along * t.0, cy + off * nrm.1 + along * t.1, -nrm.0, -nrm.1)
                        })
                        .collect()
                })
                .collect();
            let mut peaks: Vec<f32> = profiles.iter().flatten().map(|p| p.iter().copied().fold(0.0, f32::max)).collect();
            let half = 0.5 * median(&mut peaks)?;
            let mut depth = [0f32; 4];
            let mut fitted = [0f32; 4];
            let mut on_line = [0f32; 4];
            let mut spans = [None; 4];
            // Each side's slope of its crossings' depth along it (least squares on those within
            // 0.3 mm of the median): the outline's turn against the edge, signed per side so that
            // all four read the same turn (clockwise positive, as `deg`).
            let mut turns = Vec::new();
            for (k, rows) in profiles.iter().enumerate() {
                let hl = sides[k].3;
                let m = rows.len();
                let pts: Vec<(f32, f32)> =
                    rows.iter().enumerate().filter_map(|(i, p)| crossing(p, half).map(|d| (-0.8 * hl + (i as f32 + 0.5) * 1.6 * hl / m as f32, d))).collect();
                if pts.len() < 5 {
                    return None;
                }
                let mut d: Vec<f32> = pts.iter().map(|p| p.1).collect();
                depth[k] = median(&mut d)?;
                // The side at its fitted line's depth half way along it (the outline's own
                // middle), not at the median of its crossings.
                let (a, slope, on) = fit_side(&pts, depth[k], ppmm);
                let (off, nrm, t, _) = sides[k];
                spans[k] = side_span(|along| crossing(&profile(cx + off * nrm.0 + along * t.0, cy + off * nrm.1 + along * t.1, -nrm.0, -nrm.1), half), a, slope, hl, ppmm);
                fitted[k] = a;
                on_line[k] = on as f32 / m as f32;
                let near: Vec<(f32, f32)> = pts.iter().copied().filter(|p| (p.1 - depth[k]).abs() <= 0.3 * ppmm).collect();
                if near.len() >= 5 {
                    let n = near.len() as f32;
                    let (ma, md) = near.iter().fold((0.0, 0.0), |s, p| (s.0 + p.0 / n, s.1 + p.1 / n));
                    let (saa, sad) = near.iter().fold((0.0, 0.0), |s, p| (s.0 + (p.0 - ma) * (p.0 - ma), s.1 + (p.0 - ma) * (p.1 - md)));
                    if saa > 0.0 {
                        turns.push(if k < 2 { sad / saa } else { -sad / saa });
                    }
                }
            }
            let turn_deg = if turns.len() >= 2 { turns.iter().sum::<f32>() / turns.len() as f32 } else { 0.0 }.atan().to_degrees();
            Some(EdgeSize { size: [2.0 * half_u - fitted[1] - fitted[3], 2.0 * half_v - fitted[0] - fitted[2]], turn_deg, on_line, spans })
        }
    }
}

/// Where a side's edge runs on its fitted line `depth = a + slope·along`: read every 0.1 mm
/// from 1.5 mm before its one corner to 1.5 mm past the other (`crossing` gives the edge's
/// depth at a position along it), the first and last position of the runs on the line (within
/// `SIDE_FIT_MM`, gaps under 0.5 mm bridged) at least 1 mm long. A carved face's opposite
/// sides end alike at its corners; two pressings offset along a side end that side's pair
/// apart by the offset's component, at both corners. Only the 5.5 mm at each end are read (a
/// second pressing's offset is under 3.5 mm); the middle counts as on the line, so that a gap
/// in it does not end the side (the middle 80 % is what the line was fitted on).
fn side_span(crossing: impl Fn(f32) -> Option<f32>, a: f32, slope: f32, half_len: f32, ppmm: f32) -> Option<(f32, f32)> {
    let step = 0.1 * ppmm;
    let reach = half_len + 1.5 * ppmm;
    let n = (2.0 * reach / step).ceil() as usize + 1;
    let on: Vec<bool> = (0..n)
        .map(|i| {
            let along = -reach + i as f32 * step;
            along.abs() < half_len - 4.0 * ppmm || crossing(along).is_some_and(|d| (d - a - slope * along).abs() <= SIDE_FIT_MM * ppmm)
        })
        .collect();
    let (bridge, least) = ((0.5 / 0.1) as usize, (1.0 / 0.1) as usize);
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for i in (0..n).filter(|&i| on[i]) {
        match runs.last_mut() {
            Some(r) if i - r.1 <= bridge => r.1 = i,
            _ => runs.push((i, i)),
        }
    }
    let mut long = runs.into_iter().filter(|r| r.1 - r.0 >= least);
    let first = long.next()?;
    let last = long.next_back().unwrap_or(first);
    Some((-reach + first.0 as f32 * step, -reach + last.1 as f32 * step))
}

/// The circle through three points (centre and radius); none when they lie on a line.
pub(crate) fn circle_through(a: (f32, f32), b: (f32, f32), c: (f32, f32)) -> Option<(f32, f32, f32)> {
    let (bx, by, cx, cy) = (b.0 - a.0, b.1 - a.1, c.0 - a.0, c.1 - a.1);
    let d = 2.0 * (bx * cy - by * cx);
    if d.abs() < 1e-6 * (bx.hypot(by) * cx.hypot(cy)).max(1e-12) {
        return None;
    }
    let (b2, c2) = (bx * bx + by * by, cx * cx + cy * cy);
    let (ux, uy) = ((cy * b2 - by * c2) / d, (bx * c2 - cx * b2) / d);
    Some((a.0 + ux, a.1 + uy, ux.hypot(uy)))
}

/// Algebraic (Kåsa) circle through points: centre and radius (also the outline fit of
/// `analyse`).
pub(crate) fn fit_circle_points(pts: &[(f32, f32)]) -> Option<(f32, f32, f32)> {
    if pts.len() < 3 {
        return None;
    }
    let n = pts.len() as f64;
    let (mx, my) = pts.iter().fold((0.0f64, 0.0f64), |a, p| (a.0 + f64::from(p.0), a.1 + f64::from(p.1)));
    let (mx, my) = (mx / n, my / n);
    let (mut suu, mut suv, mut svv, mut suuu, mut svvv, mut suvv, mut svuu) = (0.0f64, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for p in pts {
        let (u, v) = (f64::from(p.0) - mx, f64::from(p.1) - my);
        suu += u * u;
        suv += u * v;
        svv += v * v;
        suuu += u * u * u;
        svvv += v * v * v;
        suvv += u * v * v;
        svuu += v * u * u;
    }
    let det = suu * svv - suv * suv;
    if det.abs() < 1e-9 {
        return None;
    }
    let (b1, b2) = (0.5 * (suuu + suvv), 0.5 * (svvv + svuu));
    let uc = (b1 * svv - b2 * suv) / det;
    let vc = (suu * b2 - suv * b1) / det;
    let r = (uc * uc + vc * vc + (suu + svv) / n).sqrt();
    Some(((uc + mx) as f32, (vc + my) as f32, r as f32))
}

#[cfg(test)]
pub(crate) mod tests {
    //! Calibration by construction (design §2.7): analytic images whose true values are known,
    //! drawn here with area coverage (4×4 supersampling), at several resolutions and blurs.
    use super::*;

    /// Coverage of `inside` over each pixel of a `w` × `h` image, 0–255.
    fn draw(w: usize, h: usize, inside: impl Fn(f32, f32) -> bool) -> Vec<u8> {
        let mut out = vec![0u8; w * h];
        for y in 0..h {
            for x in 0..w {
                let mut n = 0;
                for sy in 0..4 {
                    for sx in 0..4 {
                        n += u32::from(inside(x as f32 + (sx as f32 + 0.5) / 4.0, y as f32 + (sy as f32 + 0.5) / 4.0));
                    }
                }
                out[y * w + x] = (n * 255 / 16) as u8;
            }
        }
        out
    }

    /// Separable Gaussian blur of σ pixels.
    fn blur(img: &[u8], w: usize, h: usize, sigma: f32) -> Vec<u8> {
        if sigma <= 0.0 {
            return img.to_vec();
        }
        let r = (3.0 * sigma).ceil() as i32;
        let k: Vec<f32> = (-r..=r).map(|i| (-0.5 * (i as f32 / sigma).powi(2)).exp()).collect();
        let ks: f32 = k.iter().sum();
        let pass = |src: &[f32], horizontal: bool| -> Vec<f32> {
            let mut out = vec![0f32; w * h];
            for y in 0..h as i32 {
                for x in 0..w as i32 {
                    let mut s = 0.0;
                    for (j, kv) in k.iter().enumerate() {
                        let o = j as i32 - r;
                        let (xx, yy) = if horizontal { ((x + o).clamp(0, w as i32 - 1), y) } else { (x, (y + o).clamp(0, h as i32 - 1)) };
                        s += kv * src[yy as usize * w + xx as usize];
                    }
                    out[y as usize * w + x as usize] = s / ks;
                }
            }
            out
        };
        let f: Vec<f32> = img.iter().map(|&v| f32::from(v)).collect();
        pass(&pass(&f, true), false).iter().map(|&v| v.round().clamp(0.0, 255.0) as u8).collect()
    }

    fn threshold(img: &[u8]) -> Vec<u8> {
        img.iter().map(|&v| u8::from(v >= 128)).collect()
    }

    /// A 公章-like design around (cx, cy): a ring (outer radius `r`, 1.2 mm wide), a
    /// five-pointed star, and short radial strokes in the text band standing in for characters.
    /// A 公章's design (ring, star, a band of text strokes), true inside its ink; pixels.
    pub(crate) fn seal(ppmm: f32, cx: f32, cy: f32, r: f32) -> impl Fn(f32, f32) -> bool {
        move |x, y| {
            let (dx, dy) = (x - cx, y - cy);
            let d = dx.hypot(dy);
            if d <= r && d >= r - 1.2 * ppmm {
                return true;
            }
            let a = dy.atan2(dx);
            // Star: radius within the five-lobed outline.
            let lobes = 0.5 + 0.5 * (5.0 * (a + std::f32::consts::FRAC_PI_2)).cos();
            if d <= (0.07 + 0.1 * lobes.powi(3)) * 2.0 * r {
                return true;
            }
            // Text band: 24 strokes 0.6 mm wide, 5 mm long, along the top 250°.
            let band = d >= r - 7.5 * ppmm && d <= r - 2.5 * ppmm;
            let deg = a.to_degrees().rem_euclid(360.0);
            let stroke = ((deg * 24.0 / 250.0).fract() - 0.5).abs() * (250.0f32 / 24.0).to_radians() * d <= 0.3 * ppmm;
            band && stroke && !(45.0..135.0).contains(&deg)
        }
    }

    #[test]
    fn a_row_span_holds_the_pixels_inside_the_grown_or_shrunk_outline() {
        let w = 120usize;
        let inside = |o: Outline, margin: f32, x: f32, y: f32| match o {
            Outline::Circle { cx, cy, r } => (x - cx).hypot(y - cy) <= r + margin,
            Outline::Rect { cx, cy, deg, half_u, half_v } => {
                let (s, c) = deg.to_radians().sin_cos();
                let (dx, dy) = (x - cx, y - cy);
                (dx * c + dy * s).abs() <= half_u + margin && (-dx * s + dy * c).abs() <= half_v + margin
            }
        };
        for o in [
            Outline::Circle { cx: 60.3, cy: 55.7, r: 40.2 },
            Outline::Rect { cx: 58.6, cy: 61.1, deg: 0.0, half_u: 30.4, half_v: 22.2 },
            Outline::Rect { cx: 58.6, cy: 61.1, deg: 17.3, half_u: 30.4, half_v: 22.2 },
            Outline::Rect { cx: 20.0, cy: 61.1, deg: -3.0, half_u: 30.4, half_v: 22.2 },
        ] {
            for margin in [-12.0f32, 0.0, 9.5] {
                let (mut wrong, mut near_edge) = (0, 0);
                for y in 0..110 {
                    let span = o.row_span(y, margin, w);
                    for x in 0..w {
                        let want = inside(o, margin, x as f32, y as f32);
                        if span.contains(&x) != want {
                            wrong += 1;
                            // Only rounding at the boundary may differ.
                            near_edge += usize::from(inside(o, margin + 0.01, x as f32, y as f32) != inside(o, margin - 0.01, x as f32, y as f32));
                        }
                    }
                }
                assert_eq!(wrong, near_edge, "{o:?} margin {margin}: {wrong} pixels off, {near_edge} on the edge");
            }
        }
        // Shrunk past nothing: no pixels.
        assert_eq!(Outline::Circle { cx: 50.0, cy: 50.0, r: 5.0 }.row_span(50, -6.0, w), 0..0);
    }

    #[test]
    fn echo_of_ink_lower_than_the_offsets_is_read_without_reaching_past_it() {
        // A bar 20 mm long and 1 mm high: the grid is 5 cells high, the offsets reach 18 below.
        let ppmm = 300.0 / 25.4;
        let (w, h) = ((24.0 * ppmm) as usize, (3.0 * ppmm) as usize);
        let bar = draw(w, h, |x, y| (2.0 * ppmm..22.0 * ppmm).contains(&x) && (1.0 * ppmm..2.0 * ppmm).contains(&y));
        let e = double_echo(&bar, w, h, ppmm).expect("enough ink");
        assert!(e.echo.is_finite() && e.valley.is_finite(), "{e:?}");
    }

    #[test]
    fn echo_of_a_double_is_found_at_its_offset() {
        for (dpi, sigma) in [(150.0f32, 0.5f32), (200.0, 0.8), (300.0, 1.0), (600.0, 1.5)] {
            let ppmm = dpi / 25.4;
            let n = (50.0 * ppmm) as usize;
            let c = n as f32 / 2.0;
            // Offsets from a stroke width (the ring's 1.2 mm) up: below it the second outline
            // merges with the first in a binary mask and the echo is weak (design §2.5's
            // stroke widths are meant for that; not implemented yet).
            for (off_mm, deg) in [(1.2f32, 0.0f32), (2.0, 30.0), (3.0, 125.0)] {
                let (ox, oy) = (off_mm * ppmm * deg.to_radians().cos(), off_mm * ppmm * deg.to_radians().sin());
                let one = seal(ppmm, c - ox / 2.0, c - oy / 2.0, 20.0 * ppmm);
                let two = seal(ppmm, c + ox / 2.0, c + oy / 2.0, 20.0 * ppmm);
                let img = threshold(&blur(&draw(n, n, |x, y| one(x, y) || two(x, y)), n, n, sigma));
                let e = double_echo(&img, n, n, ppmm).expect("ink");
                assert!((e.offset_mm - off_mm).abs() <= 0.2, "{dpi} dpi, {off_mm} mm: offset {e:?}");
                // Within the rule's reach: a copy 3 mm off (the definition's farthest) is one.
                let reach = crate::thresholds::thresholds().limit("double.round", "double_offset_mm").expect("limit");
                assert!(e.offset_mm < reach, "{dpi} dpi, {off_mm} mm: offset {e:?} past {reach}");
                assert!(e.echo >= 0.15, "{dpi} dpi, {off_mm} mm: echo {e:?}");
                assert!(!e.unlocated, "{dpi} dpi, {off_mm} mm: a copy has its place: {e:?}");
                assert!(e.valley <= 0.8, "{dpi} dpi, {off_mm} mm: valley {e:?}");
                let dd = (e.deg - deg).rem_euclid(180.0);
                assert!(dd.min(180.0 - dd) <= 15.0, "{dpi} dpi, {off_mm} mm at {deg}°: {e:?}");
            }
            // A single impression has no echo to speak of.
            let single = threshold(&blur(&draw(n, n, seal(ppmm, c, c, 20.0 * ppmm)), n, n, sigma));
            let e = double_echo(&single, n, n, ppmm).expect("ink");
            assert!(e.echo < 0.12 || e.valley > 0.8, "{dpi} dpi single: {e:?}");
        }
    }

    #[test]
    fn an_echo_on_the_first_ring_searched_is_unlocated_and_one_beyond_it_is_placed() {
        let ppmm = 200.0 / 25.4;
        let n = (50.0 * ppmm) as usize;
        let c = n as f32 / 2.0;
        // A 2 mm smear at 20° at 200 dpi: its strongest echo lies on the grid's first ring
        // (0.80 mm), strong and with a dip there as a double's (B-dev2 063, 073: read double).
        let smear = threshold(&smeared(ppmm, n, 2.0, 20.0, false, 0.8));
        let e = double_echo(&smear, n, n, ppmm).expect("ink");
        assert!(e.unlocated && e.offset_mm < MIN_MM + 0.1, "{e:?}");
        assert!(e.echo > 0.12 && e.valley < 0.8, "the echo alone reads a double here: {e:?}");
        // Two pressings 2 mm apart: the echo has its place.
        let one = seal(ppmm, c - ppmm, c, 20.0 * ppmm);
        let two = seal(ppmm, c + ppmm, c, 20.0 * ppmm);
        let pair = threshold(&blur(&draw(n, n, |x, y| one(x, y) || two(x, y)), n, n, 0.8));
        let e = double_echo(&pair, n, n, ppmm).expect("ink");
        assert!(!e.unlocated && (e.offset_mm - 2.0).abs() <= 0.2, "{e:?}");
    }

    #[test]
    fn an_echo_within_a_cell_of_the_search_start_has_no_place() {
        // Smears of 1.4-1.6 mm: their strongest echo lies on a ring whose neighbour one cell
        // closer along it is not searched, and reads a deep dip half way (under half a mm, the
        // strokes' own width), as a close copy's would.
        let read = |dpi: f32, len: f32, deg: f32| {
            let ppmm = dpi / 25.4;
            let n = (50.0 * ppmm) as usize;
            let cell_mm = (CELL_MM * ppmm).round().max(1.0) / ppmm;
            (double_echo(&threshold(&smeared(ppmm, n, len, deg, false, 0.8)), n, n, ppmm).expect("ink"), cell_mm)
        };
        // 200 dpi: the grid's second ring (0.92 mm), strong enough to read a double on its own.
        let (e, cell_mm) = read(200.0, 1.6, 33.7);
        assert!(e.offset_mm > MIN_MM + 0.1 && e.offset_mm - cell_mm < MIN_MM && e.unlocated, "{e:?}");
        assert!(e.echo > 0.12 && e.valley < 0.8, "the echo alone reads a double here: {e:?}");
        // 600 dpi: 0.95 mm, more than half a cell past the start (placed before v13.9).
        let (e, cell_mm) = read(600.0, 1.4, 56.3);
        assert!(e.offset_mm > MIN_MM + 0.5 * cell_mm && e.unlocated && e.valley < 0.2, "{e:?}");
    }

    #[test]
    fn a_smear_has_no_valley_half_way() {
        let ppmm = 300.0 / 25.4;
        let n = (50.0 * ppmm) as usize;
        let c = n as f32 / 2.0;
        // The seal pressed along a 1 mm motion: the union of 11 positions.
        let designs: Vec<_> = (0..=10).map(|k| seal(ppmm, c + k as f32 * 0.1 * ppmm, c, 20.0 * ppmm)).collect();
        let img = threshold(&blur(&draw(n, n, |x, y| designs.iter().any(|d| d(x, y))), n, n, 1.0));
        let e = double_echo(&img, n, n, ppmm).expect("ink");
        assert!(e.echo < 0.12 || e.valley > 0.9, "smear read as a double: {e:?}");
    }

    #[test]
    fn a_second_pressings_lighter_ring_is_border_not_a_gap() {
        for (dpi, sigma) in [(150.0f32, 0.5f32), (300.0, 1.0), (600.0, 1.5)] {
            let ppmm = dpi / 25.4;
            let n = (50.0 * ppmm) as usize;
            let (c, r, w) = (n as f32 / 2.0, 20.0 * ppmm, 1.2 * ppmm);
            let ring = |cx: f32, cy: f32| move |x: f32, y: f32| (r - w..=r).contains(&(x - cx).hypot(y - cy));
            for (off_mm, copy_level) in [(2.5f32, 0.45f32), (1.8, 0.35), (2.5, 1.0)] {
                // The first pressing at full ink, the copy `off_mm` to the right at `copy_level`
                // of it: where both lie, the stronger shows (one ink over itself).
                let d = off_mm * ppmm;
                let (first, copy) = (blur(&draw(n, n, ring(c, c)), n, n, sigma), blur(&draw(n, n, ring(c + d, c)), n, n, sigma));
                let img: Vec<u8> = first.iter().zip(&copy).map(|(&a, &b)| a.max((f32::from(b) * copy_level).round() as u8)).collect();
                // The outline fitted to the pair: between the two, wide enough for both.
                let outline = Outline::Circle { cx: c + d / 2.0, cy: c, r: r + d / 2.0 };
                let b = border_continuity(|i| img[i], n, n, ppmm, outline).expect("border");
                assert!(b.gap_mm < 1.5 && b.present > 0.95, "{dpi} dpi, copy {off_mm} mm off at {copy_level}: {b:?}");
                // A 3 mm cap lost from both copies is still a gap.
                let half_angle = (1.5 * ppmm / r).asin();
                let lost = |x: f32, y: f32| ((y - c).atan2(x - c - d / 2.0)).abs() < half_angle;
                let cut: Vec<u8> = img.iter().enumerate().map(|(i, &v)| if lost((i % n) as f32, (i / n) as f32) { 0 } else { v }).collect();
                let b = border_continuity(|i| cut[i], n, n, ppmm, outline).expect("border");
                assert!(b.gap_mm > 2.5, "{dpi} dpi, copy {off_mm} mm off at {copy_level}, a 3 mm cap lost: {b:?}");
            }
        }
    }

    #[test]
    fn gap_in_the_border_is_measured_in_mm() {
        for (dpi, sigma) in [(150.0f32, 0.5f32), (300.0, 1.0), (600.0, 1.5)] {
            let ppmm = dpi / 25.4;
            let n = (46.0 * ppmm) as usize;
            let (c, r) = (n as f32 / 2.0, 20.0 * ppmm);
            // A wedge cut whose chord at the outer edge is 3 mm long (the outline's arc ≈ 3 mm).
            let half_angle = (1.5 * ppmm / r).asin();
            let ring = |cut: bool| {
                move |x: f32, y: f32| {
                    let (dx, dy) = (x - c, y - c);
                    let d = dx.hypot(dy);
                    let a = dy.atan2(dx) - 1.0;
                    d <= r && d >= r - 1.2 * ppmm && !(cut && a.abs() < half_angle)
                }
            };
            let whole = blur(&draw(n, n, ring(false)), n, n, sigma);
            let b = border_continuity(|i| whole[i], n, n, ppmm, Outline::Circle { cx: c, cy: c, r }).expect("border");
            assert!(b.gap_mm < 0.3 && b.present > 0.99, "{dpi} dpi uncut: {b:?}");
            let cut = blur(&draw(n, n, ring(true)), n, n, sigma);
            let b = border_continuity(|i| cut[i], n, n, ppmm, Outline::Circle { cx: c, cy: c, r }).expect("border");
            assert!((b.gap_mm - 3.0).abs() <= 0.3, "{dpi} dpi cut 3 mm: {b:?}");
            // A square frame of 20 mm missing 4 mm of its right side.
            let s = 10.0 * ppmm;
            let frame = |x: f32, y: f32| {
                let (dx, dy) = ((x - c).abs(), (y - c).abs());
                let on = dx <= s && dy <= s && (dx >= s - 1.0 * ppmm || dy >= s - 1.0 * ppmm);
                on && !(x > c + s - 1.2 * ppmm && (y - c).abs() < 2.0 * ppmm)
            };
            let img = blur(&draw(n, n, frame), n, n, sigma);
            let b = border_continuity(|i| img[i], n, n, ppmm, Outline::Rect { cx: c, cy: c, deg: 0.0, half_u: s, half_v: s }).expect("border");
            assert!((b.gap_mm - 4.0).abs() <= 0.3, "{dpi} dpi square cut 4 mm: {b:?}");
        }
    }

    /// A 法人章-like square around (cx, cy): a frame of outer side `side` mm and 1 mm wide, and
    /// text standing in as bars 0.5 mm wide every 1.2 mm, both ways, 2.2 mm inside the frame's
    /// outer edge (text comes that close to the frame along the sides, never into the corners).
    fn square(ppmm: f32, cx: f32, cy: f32, side: f32) -> impl Fn(f32, f32) -> bool {
        move |x, y| {
            let (dx, dy) = ((x - cx) / ppmm, (y - cy) / ppmm);
            let (ax, ay, h) = (dx.abs(), dy.abs(), side / 2.0);
            if ax > h || ay > h {
                return false;
            }
            if ax >= h - 1.0 || ay >= h - 1.0 {
                return true;
            }
            let inner = h - 2.2;
            ax <= inner && ay <= inner && (((dx + h) / 1.2).fract() < 0.42 || ((dy + h) / 1.2).fract() < 0.42)
        }
    }

    #[test]
    fn a_yin_face_has_its_paper_in_pieces_and_a_yang_face_in_one_field() {
        for dpi in [150.0f32, 300.0] {
            let ppmm = dpi / 25.4;
            let n = (26.0 * ppmm) as usize;
            let c = n as f32 / 2.0;
            let side = 18.0;
            let outline = Outline::Rect { cx: c - 0.5, cy: c - 0.5, deg: 0.0, half_u: side / 2.0 * ppmm, half_v: side / 2.0 * ppmm };
            // Four characters, each a cross of 0.6 mm strokes 5 mm long, in a 2 × 2 grid.
            let character = |dx: f32, dy: f32| {
                let (gx, gy) = (dx - 4.0 * dx.signum(), dy - 4.0 * dy.signum());
                (gx.abs() < 0.3 && gy.abs() < 2.5) || (gy.abs() < 0.3 && gx.abs() < 2.5)
            };
            let face = |x: f32, y: f32| ((x - c) / ppmm, (y - c) / ppmm);
            // 朱文: a 1 mm frame and the characters in ink on paper.
            let yang = |x: f32, y: f32| {
                let (dx, dy) = face(x, y);
                let (ax, ay) = (dx.abs(), dy.abs());
                ax <= side / 2.0 && ay <= side / 2.0 && (ax >= side / 2.0 - 1.0 || ay >= side / 2.0 - 1.0 || character(dx, dy))
            };
            let mask: Vec<u8> = draw(n, n, yang).iter().map(|&v| u8::from(v >= 128)).collect();
            let field = paper_field(&mask, n, n, ppmm, outline).expect("square");
            assert!(field > 0.9, "{dpi} dpi 朱文: {field}");
            // 阴文: a solid face with the same characters cut out of it.
            let yin = |x: f32, y: f32| {
                let (dx, dy) = face(x, y);
                dx.abs() <= side / 2.0 && dy.abs() <= side / 2.0 && !character(dx, dy)
            };
            let mask: Vec<u8> = draw(n, n, yin).iter().map(|&v| u8::from(v >= 128)).collect();
            let field = paper_field(&mask, n, n, ppmm, outline).expect("square");
            assert!(field < 0.5, "{dpi} dpi 阴文: {field}");
        }
    }

    /// Two pressings of an n × n design, the second at `strength` of the first's ink, blurred by σ.
    fn pressed_twice(n: usize, first: &dyn Fn(f32, f32) -> bool, second: &dyn Fn(f32, f32) -> bool, strength: f32, sigma: f32) -> Vec<u8> {
        let (a, b) = (draw(n, n, first), draw(n, n, second));
        let sum: Vec<u8> = a.iter().zip(&b).map(|(&p, &q)| (f32::from(p) + strength * f32::from(q)).min(255.0) as u8).collect();
        blur(&sum, n, n, sigma)
    }

    #[test]
    fn second_frame_of_a_double_square_is_found_at_its_depth() {
        for (dpi, sigma) in [(150.0f32, 0.5f32), (300.0, 1.0), (600.0, 1.5)] {
            let ppmm = dpi / 25.4;
            let n = (26.0 * ppmm) as usize;
            let c = n as f32 / 2.0;
            let side = 18.0;
            let outline = |ox: f32, oy: f32| Outline::Rect {
                cx: c + ox.abs() / 2.0 * ppmm - 0.5,
                cy: c + oy.abs() / 2.0 * ppmm - 0.5,
                deg: 0.0,
                half_u: (side + ox.abs()) / 2.0 * ppmm,
                half_v: (side + oy.abs()) / 2.0 * ppmm,
            };
            // A single impression: the text behind the frame is no second frame.
            let one = square(ppmm, c, c, side);
            let img = blur(&draw(n, n, &one), n, n, sigma);
            let e = frame_echo(|i| img[i], n, n, ppmm, outline(0.0, 0.0)).expect("frame");
            assert!(e.second < 0.5 && (e.width_mm - 1.0).abs() <= 0.2, "{dpi} dpi single: {e:?}");
            assert!(e.inset_mm <= 0.3, "{dpi} dpi single: the frame starts at the outline: {e:?}");
            // A broken one: most of the top side's frame lost, so the text behind it is the
            // first ink there; the band read on that side starts at the text, not the outline.
            let broken = |x: f32, y: f32| one(x, y) && !((y - c) / ppmm < -(side / 2.0 - 1.0) && ((x - c) / ppmm).abs() < 0.6 * side / 2.0);
            let img = blur(&draw(n, n, broken), n, n, sigma);
            let e = frame_echo(|i| img[i], n, n, ppmm, outline(0.0, 0.0)).expect("frame");
            assert!(e.inset_mm >= 1.5, "{dpi} dpi, top side's frame lost: {e:?}");
            // A 阴文 face: a field of ink from the outline to 3 mm in, then strokes of paper cut
            // 0.8 mm wide every 2 mm: its band is the field, much deeper than a frame line.
            let field = |x: f32, y: f32| {
                let (dx, dy) = ((x - c) / ppmm, (y - c) / ppmm);
                let h = side / 2.0;
                dx.abs() <= h && dy.abs() <= h && (dx.abs().max(dy.abs()) >= h - 3.0 || ((dx + h) / 2.0).fract() >= 0.4)
            };
            let img = blur(&draw(n, n, field), n, n, sigma);
            let e = frame_echo(|i| img[i], n, n, ppmm, outline(0.0, 0.0)).expect("frame");
            assert!(e.width_mm >= 2.8, "{dpi} dpi, 阴文 field: {e:?}");
            // Two pressings (the second at 50 % or 100 % of the first's ink), offset (ox, oy) mm:
            // the second frame at the larger normal component that is clear of the first frame.
            // Up to 3 mm off (the definition's farthest), within the rule's reach.
            let reach = crate::thresholds::thresholds().limit("double.square", "frame_offset_mm").expect("limit");
            for ((ox, oy), depth) in [((1.5f32, 0.3f32), 1.5f32), ((0.2, 2.5), 2.5), ((2.0, 2.0), 2.0), ((0.3, 3.0), 3.0)] {
                for strength in [0.5f32, 1.0] {
                    let img = pressed_twice(n, &one, &square(ppmm, c + ox * ppmm, c + oy * ppmm, side), strength, sigma);
                    let e = frame_echo(|i| img[i], n, n, ppmm, outline(ox, oy)).expect("frame");
                    assert!(e.second >= 0.9, "{dpi} dpi, ({ox}, {oy}) mm at {strength}: {e:?}");
                    assert!((e.offset_mm - depth).abs() <= 0.3 && e.offset_mm < reach, "{dpi} dpi, ({ox}, {oy}) mm at {strength}: {e:?}");
                    assert!(e.inset_mm <= 0.3, "{dpi} dpi, ({ox}, {oy}) mm at {strength}: {e:?}");
                }
            }
            // A copy with less ink than the mask's level: the outline is the first pressing's,
            // and the copy's frame stands beyond one side and behind the opposite one.
            for ((ox, oy), depth) in [((0.2f32, -2.2f32), 2.2f32), ((-2.0, 1.8), 2.0), ((2.6, 0.0), 2.6)] {
                for strength in [0.3f32, 0.45] {
                    let img = pressed_twice(n, &one, &square(ppmm, c + ox * ppmm, c + oy * ppmm, side), strength, sigma);
                    let e = frame_echo(|i| img[i], n, n, ppmm, outline(0.0, 0.0)).expect("frame");
                    assert!(e.second >= 0.9, "{dpi} dpi, faint ({ox}, {oy}) mm at {strength}: {e:?}");
                    assert!((e.offset_mm - depth).abs() <= 0.4, "{dpi} dpi, faint ({ox}, {oy}) mm at {strength}: {e:?}");
                }
            }
        }
    }

    #[test]
    fn text_in_the_corners_behind_the_frame_is_no_second_frame() {
        // A single 法人章 whose characters come close to the frame in its corners (C's 国, a
        // box): behind the top and bottom sides a stroke at 2.5 and 2.6 mm in the right-hand
        // corners, in the left-hand ones at 3.3 mm. The right-hand pair agrees in depth, but
        // each side's corner margins read lines at two depths: text, not a copy's frame line,
        // which would run along the whole side.
        for (dpi, sigma) in [(150.0f32, 0.5f32), (300.0, 1.0)] {
            let ppmm = dpi / 25.4;
            let n = (26.0 * ppmm) as usize;
            let c = n as f32 / 2.0;
            let h = 9.0f32;
            let outline = Outline::Rect { cx: c - 0.5, cy: c - 0.5, deg: 0.0, half_u: h * ppmm, half_v: h * ppmm };
            let seal = |x: f32, y: f32| {
                let (dx, dy) = ((x - c) / ppmm, (y - c) / ppmm);
                let (ax, ay) = (dx.abs(), dy.abs());
                if ax > h || ay > h {
                    return false;
                }
                // A corner's stroke: 0.8 mm wide, at `depth` behind the top or bottom side, over
                // the 4 mm next to the corner.
                let depth = if dx > 0.0 { if dy < 0.0 { 2.5 } else { 2.6 } } else { 3.3 };
                let stroke = (h - depth - 0.8..=h - depth).contains(&ay) && (h - 5.0..=h - 1.0).contains(&ax);
                ax >= h - 1.0 || ay >= h - 1.0 || stroke
            };
            let img = blur(&draw(n, n, seal), n, n, sigma);
            let e = frame_echo(|i| img[i], n, n, ppmm, outline).expect("frame");
            assert!(e.second < 0.9, "{dpi} dpi: {e:?}");
        }
    }

    #[test]
    fn a_faint_copy_beyond_a_round_seal_is_read_at_its_offset_and_a_smear_or_a_single_is_not() {
        for (dpi, sigma) in [(150.0f32, 0.5f32), (300.0, 1.0), (600.0, 1.5)] {
            let ppmm = dpi / 25.4;
            let n = (50.0 * ppmm) as usize;
            let c = n as f32 / 2.0;
            let r = 20.0 * ppmm;
            let first = Outline::Circle { cx: c - 0.5, cy: c - 0.5, r };
            let one = seal(ppmm, c, c, r);
            let img = blur(&draw(n, n, &one), n, n, sigma);
            let b = ring_beyond(|i| img[i], n, n, ppmm, first).expect("ring");
            assert!(b.share < 0.2, "{dpi} dpi single: {b:?}");
            // φ clockwise on screen from +x: 270° is up.
            for (d, phi) in [(2.0f32, 270.0f32), (1.8, 30.0), (3.0, 135.0)] {
                let (dx, dy) = (d * phi.to_radians().cos() * ppmm, d * phi.to_radians().sin() * ppmm);
                let two = seal(ppmm, c + dx, c + dy, r);
                for strength in [0.25f32, 0.4] {
                    let img = pressed_twice(n, &one, &two, strength, sigma);
                    let b = ring_beyond(|i| img[i], n, n, ppmm, first).expect("ring");
                    assert!(b.share >= 0.9, "{dpi} dpi, {d} mm at {phi}°, {strength}: {b:?}");
                    assert!((b.offset_mm - d).abs() <= 0.3, "{dpi} dpi, {d} mm at {phi}°, {strength}: {b:?}");
                    let turn = (b.deg - phi + 540.0).rem_euclid(360.0) - 180.0;
                    assert!(turn.abs() <= 10.0, "{dpi} dpi, {d} mm at {phi}°, {strength}: {b:?}");
                }
            }
            // A smear is one continuous stretch of ink beyond the first ring: no line apart
            // (drawn at the two lower resolutions: eleven pressings at 600 dpi take seconds).
            for falling in [false, true].into_iter().filter(|_| dpi <= 300.0) {
                let img = smeared(ppmm, n, 1.5, 20.0, falling, sigma);
                let b = ring_beyond(|i| img[i], n, n, ppmm, Outline::Circle { cx: c - 0.5, cy: c - 0.5, r: r + 0.75 * ppmm }).expect("ring");
                assert!(b.share < 0.3, "{dpi} dpi smear, falling {falling}: {b:?}");
            }
        }
    }

    /// The design moved along `deg` over `len_mm` while pressing, at uniform or linearly
    /// falling pressure: the mean of 11 pressings (0–255 ink level), blurred by σ.
    fn smeared(ppmm: f32, n: usize, len_mm: f32, deg: f32, falling: bool, sigma: f32) -> Vec<u8> {
        smeared_design(ppmm, n, len_mm, deg, falling, sigma, |cx, cy| seal(ppmm, cx, cy, 20.0 * ppmm))
    }

    /// As `smeared`, for any design drawn about a centre.
    fn smeared_design<D: Fn(f32, f32) -> bool>(ppmm: f32, n: usize, len_mm: f32, deg: f32, falling: bool, sigma: f32, design: impl Fn(f32, f32) -> D) -> Vec<u8> {
        let c = n as f32 / 2.0;
        let (dx, dy) = (deg.to_radians().cos() * len_mm * ppmm, deg.to_radians().sin() * len_mm * ppmm);
        let mut acc = vec![0f32; n * n];
        let mut total = 0.0;
        for k in 0..=10 {
            let t = k as f32 / 10.0;
            let wgt = if falling { 1.0 - 0.9 * t } else { 1.0 };
            let img = draw(n, n, design(c + (t - 0.5) * dx, c + (t - 0.5) * dy));
            for (a, &v) in acc.iter_mut().zip(&img) {
                *a += wgt * f32::from(v);
            }
            total += wgt;
        }
        let img: Vec<u8> = acc.iter().map(|&v| (v / total).round() as u8).collect();
        blur(&img, n, n, sigma)
    }

    /// The median edge spread per sector of an `n`×`n` design, read at its half-level band.
    fn sector_spreads(img: &[u8], n: usize, ppmm: f32) -> [Option<f32>; SECTORS] {
        let band: Vec<usize> = (0..n * n).filter(|&i| (90..=165).contains(&img[i])).collect();
        sector_medians(edge_spreads(img, n, n, ppmm, &band), 15)
    }

    fn smear_of(img: &[u8], n: usize, ppmm: f32, scan: f32) -> Smear {
        smear(&sector_spreads(img, n, ppmm), scan, scan).expect("edges")
    }

    /// The edges' spread averaged over the directions: an unsmeared design's is the scanner's
    /// own, as the ruled lines give it.
    fn mean_spread(img: &[u8], n: usize, ppmm: f32) -> f32 {
        let m = sector_spreads(img, n, ppmm);
        m.iter().flatten().sum::<f32>() / m.iter().flatten().count() as f32
    }

    #[test]
    fn the_spreads_alone_are_the_profiles_spreads() {
        // The scanner's spreads skip the trails; they must be the very same numbers.
        let ppmm = 300.0 / 25.4;
        let n = (46.0 * ppmm) as usize;
        let img = smeared(ppmm, n, 0.6, 30.0, true, 1.2);
        let band: Vec<usize> = (0..n * n).filter(|&i| (90..=165).contains(&img[i])).collect();
        let all = edge_profiles(&img, n, n, ppmm, &band);
        let alone = edge_spreads(&img, n, n, ppmm, &band);
        assert!(alone.iter().map(Vec::len).sum::<usize>() > 500, "a design's edges are read");
        assert_eq!(alone, all.spreads);
        assert_eq!(all.each.len(), alone.iter().map(Vec::len).sum::<usize>());
    }

    #[test]
    fn smear_reads_the_motion_length() {
        for (dpi, sigma) in [(150.0f32, 0.7f32), (300.0, 1.2)] {
            let ppmm = dpi / 25.4;
            let n = (46.0 * ppmm) as usize;
            // The scanner's own spread: the design's edges without a smear (as the ruled lines give it).
            let clean = smeared(ppmm, n, 0.0, 0.0, false, sigma);
            let scan = mean_spread(&clean, n, ppmm);
            // 10–90 % of a Gaussian edge: 2.56 σ, σ² the blur's plus what the reading adds
            // (area sampling 1/12 px², bilinear and three-tap smoothing about 1/3 px²).
            let sigma_read = (sigma * sigma + 1.0 / 12.0 + 1.0 / 3.0).sqrt();
            assert!((scan - 2.56 * sigma_read / ppmm).abs() <= 0.1 * sigma_read / ppmm + 0.02, "{dpi} dpi: scanner {scan} mm for σ {sigma} px");
            let s = smear_of(&clean, n, ppmm, scan);
            assert!(s.smear_mm < 0.1 && s.smear_q_mm < 0.1, "{dpi} dpi, no smear: {s:?}");
            for (len, deg) in [(0.6f32, 0.0f32), (1.0, 30.0), (1.6, 45.0)] {
                for falling in [false, true] {
                    let s = smear_of(&smeared(ppmm, n, len, deg, falling, sigma), n, ppmm, scan);
                    // A uniform motion's 10–90 % width is 0.8 L, a linearly falling one's about
                    // 0.6 L, on edges of areas wider than L; a stroke narrower than L keeps its
                    // own width as its edge (its profile is a trapezoid with ramps of the stroke's
                    // width), so longer smears read about the strokes' width: never less than
                    // the rule's 0.3 mm for the definition's smears (0.6–1.6 mm).
                    let expect = if falling { 0.6 } else { 0.8 } * len;
                    if len <= 0.6 {
                        assert!((s.smear_mm - expect).abs() <= 0.1, "{dpi} dpi, {len} mm at {deg}° (falling {falling}): {s:?}, expected {expect}");
                    }
                    assert!(s.smear_mm > 0.3 && s.smear_q_mm >= s.smear_mm, "{dpi} dpi, {len} mm at {deg}° (falling {falling}): {s:?}");
                    let dd = (s.smear_deg - deg).rem_euclid(180.0);
                    assert!(dd.min(180.0 - dd) <= 15.0, "{dpi} dpi, {len} mm at {deg}°: {s:?}");
                }
            }
        }
    }

    #[test]
    fn a_trail_read_from_few_edges_gives_its_foot_where_their_feet_agree() {
        // A smear's trailing ramps are profiled less often than the sharp edges that lead; the
        // foot is read from fewer than 15 of them where their feet agree (its standard error
        // within `FOOT_SE`), not where they scatter, nor from under 5.
        let empty = Trails::new;
        // An edge whose profile climbs `foot` over its first 0.2 mm, then on to its step.
        let add = |t: &mut Trails, side: usize, foot: f32| {
            t.add(side, std::array::from_fn(|j| if j <= FOOT_SAMPLE { foot * j as f32 / FOOT_SAMPLE as f32 } else { (foot + 0.1 * (j - FOOT_SAMPLE) as f32).min(1.0) }));
        };
        let (k, trail, lead) = (2, 2, 2 + SECTORS);
        // The lead: 25 sharp edges, climbing 0.5 at the foot.
        let with_lead = || {
            let mut t = empty();
            (0..25).for_each(|i| add(&mut t, lead, 0.5 + 0.01 * (i % 3) as f32));
            t
        };
        let mut agreeing = with_lead();
        for i in 0..8 {
            add(&mut agreeing, trail, 0.2 + 0.02 * (i % 3) as f32);
        }
        let foot = trail_foot(&agreeing, k).expect("8 agreeing edges give the foot");
        assert!((foot - 0.42).abs() < 0.03, "the trail's foot over the lead's: {foot}");
        assert!(trail_rise(&agreeing, k).is_some(), "one side of 25 still gives the rise");
        assert!(lead_sharp(&agreeing, k).is_none(), "the lead's measures ask for 15 edges on both sides");

        let mut scattered = with_lead();
        for i in 0..8 {
            add(&mut scattered, trail, if i % 2 == 0 { 0.05 } else { 0.45 });
        }
        assert_eq!(trail_foot(&scattered, k), None, "feet scattered by 0.2: known to 0.15 from 8");
        for _ in 0..7 {
            add(&mut scattered, trail, 0.25);
        }
        assert!(trail_foot(&scattered, k).is_some(), "15 edges are read whatever their scatter");

        let mut four = with_lead();
        (0..4).for_each(|_| add(&mut four, trail, 0.2));
        assert_eq!(trail_foot(&four, k), None, "under 5 edges the scatter is no estimate");
    }

    /// The trails of an `n` × `n` design's edges (its mid-level band).
    fn trails_of(img: &[u8], n: usize, ppmm: f32) -> Trails {
        let band: Vec<usize> = (0..n * n).filter(|&i| (90..=165).contains(&img[i])).collect();
        edge_profiles(img, n, n, ppmm, &band).trails
    }

    #[test]
    fn a_fading_trail_climbs_and_a_second_pressing_stands_flat() {
        // The rules `double.plateau.*` read `trail_rise` on edges widened along one direction:
        // a smear of the definition (0.6–1.6 mm, uniform or falling pressure) must climb clear
        // above its limit, a second pressing 0.9–1.2 mm off (the ring is 1.2 mm wide), at a half
        // or more of the first's ink, must stand under it. Closer copies are not seen: at 0.7 mm
        // the plateau, less the blur's climb on either step, is shorter than the 0.4 mm read
        // (0.09–0.19 at 150–300 dpi).
        let limit = crate::thresholds::thresholds().limit(crate::analyse::ROUND_RULES.plateau, "trail_rise").expect("limit");
        for (dpi, sigma) in [(150.0f32, 0.7f32), (300.0, 1.2)] {
            let ppmm = dpi / 25.4;
            let n = (46.0 * ppmm) as usize;
            let (c, r) = (n as f32 / 2.0, 20.0 * ppmm);
            let rise = |img: &[u8], deg: f32| trail_rise(&trails_of(img, n, ppmm), sector_of(deg)).expect("trail");
            for (d, deg) in [(0.9f32, 35.0f32), (1.0, 60.0), (1.2, 100.0)] {
                let (dx, dy) = (d * deg.to_radians().cos() * ppmm, d * deg.to_radians().sin() * ppmm);
                for strength in [0.5f32, 0.7] {
                    let img = pressed_twice(n, &seal(ppmm, c, c, r), &seal(ppmm, c + dx, c + dy, r), strength, sigma);
                    let v = rise(&img, deg);
                    assert!(v < limit, "{dpi} dpi, second pressing {d} mm at {deg}°, {strength}: {v}");
                }
            }
            for (len, deg) in [(0.6f32, 10.0f32), (1.0, 35.0), (1.6, 100.0)] {
                for falling in [false, true] {
                    let v = rise(&smeared(ppmm, n, len, deg, falling, sigma), deg);
                    assert!(v > 1.5 * limit, "{dpi} dpi, smear {len} mm at {deg}° (falling {falling}): {v}");
                }
            }
        }
    }

    #[test]
    fn a_close_copy_on_soft_ink_ends_sharply_and_no_smear_of_the_definition_does_both() {
        // `double.sharp_foot.*` takes what the smear rule reads for a copy where the trail
        // climbs slower than `trail_rise`'s limit and its foot climbs faster than
        // `trail_foot`'s against the lead. On a soft ink (0.18 mm of bleed, as maker B's), a
        // second pressing 0.7–0.9 mm off at 0.7–0.85 of the first's ink is read as a double by
        // that rule or by the plateau's flat trail (`double.plateau.round`) at 150–600 dpi
        // (only 0.7 mm at 150 dpi, 0.20–0.29, climbs as a drag does); where the plateau alone
        // misses it, the sharp foot finds it. No smear of the definition (0.6–1.6 mm, uniform
        // or falling pressure) on soft or hard ink reads both: they climb 0.27 and more.
        let t = crate::thresholds::thresholds();
        let rules = crate::analyse::ROUND_RULES;
        let rise_limit = t.limit(rules.sharp_foot, "trail_rise").expect("limit");
        let foot_limit = t.limit(rules.sharp_foot, "trail_foot").expect("limit");
        let flat_limit = t.limit(rules.plateau, "trail_rise").expect("limit");
        let mut found_by_the_foot_alone = 0;
        for (dpi, sigma) in [(150.0f32, 0.7f32), (300.0, 1.2), (600.0, 2.0)] {
            let ppmm = dpi / 25.4;
            let soft = (sigma * sigma + (0.18 * ppmm).powi(2)).sqrt();
            let n = (46.0 * ppmm) as usize;
            let (c, r) = (n as f32 / 2.0, 20.0 * ppmm);
            let read = |img: &[u8], deg: f32| {
                let trails = trails_of(img, n, ppmm);
                (trail_rise(&trails, sector_of(deg)).expect("trail"), trail_foot(&trails, sector_of(deg)).expect("both sides"))
            };
            for d in [0.7f32, 0.8, 0.9] {
                if dpi < 200.0 && d < 0.8 {
                    continue;
                }
                let deg = 35.0f32;
                let (dx, dy) = (d * deg.to_radians().cos() * ppmm, d * deg.to_radians().sin() * ppmm);
                for strength in [0.7f32, 0.85] {
                    let img = pressed_twice(n, &seal(ppmm, c, c, r), &seal(ppmm, c + dx, c + dy, r), strength, soft);
                    let (rise, foot) = read(&img, deg);
                    let flat = rise < flat_limit;
                    let sharp = rise < rise_limit && foot > foot_limit;
                    assert!(flat || sharp, "{dpi} dpi, soft ink, copy {d} mm off at {strength}: rise {rise}, foot {foot}");
                    found_by_the_foot_alone += usize::from(sharp && !flat);
                }
            }
            for ink in [sigma, soft] {
                for len in [0.6f32, 1.0, 1.6] {
                    for falling in [false, true] {
                        let (rise, foot) = read(&smeared(ppmm, n, len, 35.0, falling, ink), 35.0);
                        assert!(rise >= rise_limit + 0.05, "{dpi} dpi, σ {ink}, smear {len} mm (falling {falling}): rise {rise}, foot {foot}");
                    }
                }
            }
        }
        assert!(found_by_the_foot_alone >= 3, "the sharp foot finds copies the plateau misses: {found_by_the_foot_alone}");
    }

    #[test]
    fn a_frame_widens_with_a_motion_and_not_with_a_typeface() {
        // An 18 mm 法人章 (a 1 mm frame; four characters, each a cross of 0.6 mm strokes 5 mm
        // long) dragged 1 mm along 0°, at uniform and at falling pressure; and its characters
        // alone widened so (a typeface's strokes), the frame only blurred by the scan.
        for (dpi, sigma) in [(150.0f32, 0.7f32), (300.0, 1.2)] {
            let ppmm = dpi / 25.4;
            let n = (24.0 * ppmm) as usize;
            let c = n as f32 / 2.0;
            let (side, len) = (18.0f32, 1.0f32);
            let on_frame = move |dx: f32, dy: f32| dx.abs() <= side / 2.0 && dy.abs() <= side / 2.0 && (dx.abs() >= side / 2.0 - 1.0 || dy.abs() >= side / 2.0 - 1.0);
            let character = |dx: f32, dy: f32| {
                let (gx, gy) = (dx - 4.0 * dx.signum(), dy - 4.0 * dy.signum());
                (gx.abs() < 0.3 && gy.abs() < 2.5) || (gy.abs() < 0.3 && gx.abs() < 2.5)
            };
            let frame_only = move |cx: f32, cy: f32| move |x: f32, y: f32| on_frame((x - cx) / ppmm, (y - cy) / ppmm);
            let text_only = move |cx: f32, cy: f32| move |x: f32, y: f32| character((x - cx) / ppmm, (y - cy) / ppmm);
            let seal = move |cx: f32, cy: f32| move |x: f32, y: f32| on_frame((x - cx) / ppmm, (y - cy) / ppmm) || character((x - cx) / ppmm, (y - cy) / ppmm);
            let read = |img: &[u8]| -> Option<f32> {
                let edges: Vec<usize> = (0..n * n).filter(|&i| (90..=165).contains(&img[i])).collect();
                let profiles = edge_profiles(img, n, n, ppmm, &edges);
                let spreads = sector_medians(profiles.spreads, 15);
                let sm = smear(&spreads, 0.0, 0.0)?;
                let across = spreads[(sector_of(sm.smear_deg) + SECTORS / 2) % SECTORS]?;
                let outline = Outline::Rect { cx: c - 0.5, cy: c - 0.5, deg: 0.0, half_u: (side + len) / 2.0 * ppmm, half_v: side / 2.0 * ppmm };
                frame_smear(&profiles.each, n, ppmm, outline, 1.0 + len, sm, across)
            };
            for falling in [false, true] {
                let moved = smeared_design(ppmm, n, len, 0.0, falling, sigma, seal);
                let fs = read(&moved).expect("a motion along a frame side's normal");
                assert!(fs > 0.6, "{dpi} dpi, falling {falling}: the frame widens with the characters, {fs}");
                let characters = smeared_design(ppmm, n, len, 0.0, falling, sigma, text_only);
                let frame = blur(&draw(n, n, frame_only(c, c)), n, n, sigma);
                let face: Vec<u8> = characters.iter().zip(&frame).map(|(&a, &b)| a.max(b)).collect();
                let fs = read(&face).expect("the characters widened");
                assert!(fs.abs() < 0.2, "{dpi} dpi, falling {falling}: the frame stays sharp, {fs}");
            }
        }
    }

    #[test]
    fn a_frame_is_read_on_its_trailing_edges_where_a_drag_leaves_the_leading_ones_sharp() {
        // Issue 76 (R's, T's and V's 法人章 smears, `frame_smear` −0.05 to 0.04): a drag that
        // keeps each line's leading edge the pressing's own ramps only the trailing edges, and
        // of those fewer are profiled (V 003: 129 edges on the sides across the smear, 266 on
        // the others; 0.37–0.39 mm up to their median, 0.89 mm above it). A median over both
        // facings read the sharp ones; the trailing facing's median reads the widening.
        let (w, ppmm) = (400usize, 10.0f32);
        let (cx, cy, half) = (200.0f32, 200.0f32, 90.0f32);
        let outline = Outline::Rect { cx, cy, deg: 0.0, half_u: half, half_v: half };
        let at = |u: f32, v: f32| ((cy + v) as usize) * w + (cx + u) as usize;
        let (sharp, ramp) = (0.38f32, 0.9f32);
        let mut each = Vec::new();
        for k in 0..30 {
            let along = -70.0 + k as f32 * 140.0 / 29.0;
            // the sides across the smear (normal along u): the leading facing (left outer,
            // right inner) all profiled and sharp; the trailing one (left inner, right outer)
            // ramped, two in three of its edges lost
            each.extend([(at(-half, along), sharp), (at(half - 10.0, along), sharp)]);
            if k % 3 == 0 {
                each.extend([(at(-half + 10.0, along), ramp), (at(half, along), ramp)]);
            }
            // the sides along the smear: sharp, both facings
            each.extend([(at(along, -half), sharp), (at(along, -half + 10.0), sharp), (at(along, half), sharp), (at(along, half - 10.0), sharp)]);
        }
        // a smear along u (the sides across it are the u sides)
        let smear = Smear { smear_mm: 0.5, smear_deg: 0.0, blur_excess_mm: 0.0, smear_q_mm: 0.6, plain_mm: 0.5 };
        let fs = frame_smear(&each, w, ppmm, outline, 1.0, smear, sharp).expect("read");
        assert!((fs - (ramp - sharp) / 0.5).abs() < 0.05, "the trailing edges' widening over the characters', {fs}");
        // the frame left sharp on every side (a typeface's taper) still reads about 0
        let flat: Vec<(usize, f32)> = each.iter().map(|&(i, _)| (i, sharp)).collect();
        let fs = frame_smear(&flat, w, ppmm, outline, 1.0, smear, sharp).expect("read");
        assert!(fs.abs() < 0.01, "{fs}");
    }

    #[test]
    fn a_copy_leads_as_sharply_as_the_edges_across_and_a_uniform_drag_ramps_its_lead() {
        // `double.sharp_ends.*` takes what the smear rule reads for a copy where the trail
        // climbs under `trail_rise`'s limit somewhere, ends as sharply as the lead
        // (`trail_foot`) and the lead is as sharp as the edges across (`lead_sharp`). A copy
        // 0.6–1 mm off at a half to 0.85 of the ink leads with the first pressing's own edge
        // (0.95 and more at 150–600 dpi, hard or soft ink); a drag at uniform pressure ramps its
        // lead over the motion, so the long ones that climb that slowly lead at 0.6 or less, and
        // a drag at falling pressure that climbs that slowly ends in its faintest ink (feet 0.58
        // or less). Short drags on soft ink end and lead nearly as sharply (0.6 mm: feet to 0.9,
        // leads to 0.84) but climb 0.5 and more: the rise is the gate.
        let t = crate::thresholds::thresholds();
        let rule = crate::analyse::ROUND_RULES.sharp_ends;
        let rise_limit = t.limit(rule, "trail_rise").expect("limit");
        let foot_limit = t.limit(rule, "trail_foot").expect("limit");
        let lead_limit = t.limit(rule, "lead_sharp").expect("limit");
        let mut copies_found = 0;
        for (dpi, sigma) in [(150.0f32, 0.7f32), (300.0, 1.2), (600.0, 2.0)] {
            let ppmm = dpi / 25.4;
            let soft = (sigma * sigma + (0.18 * ppmm).powi(2)).sqrt();
            let n = (46.0 * ppmm) as usize;
            let (c, r) = (n as f32 / 2.0, 20.0 * ppmm);
            let deg = 35.0f32;
            let read = |img: &[u8]| {
                let trails = trails_of(img, n, ppmm);
                let k = sector_of(deg);
                (trail_rise(&trails, k).expect("trail"), trail_foot(&trails, k).expect("both sides"), lead_sharp(&trails, k).expect("lead and across"))
            };
            // At 600 dpi the soft ink only: the grid's cost grows with the square of the scale.
            for ink in if dpi > 400.0 { vec![soft] } else { vec![sigma, soft] } {
                for d in [0.6f32, 1.0] {
                    let (dx, dy) = (d * deg.to_radians().cos() * ppmm, d * deg.to_radians().sin() * ppmm);
                    for strength in [0.5f32, 0.85] {
                        let (rise, foot, lead) = read(&pressed_twice(n, &seal(ppmm, c, c, r), &seal(ppmm, c + dx, c + dy, r), strength, ink));
                        assert!(lead > lead_limit + 0.2, "{dpi} dpi, σ {ink}, copy {d} mm off at {strength}: lead {lead}");
                        copies_found += usize::from(rise < rise_limit && foot > foot_limit);
                    }
                }
                for len in [0.6f32, 1.3, 2.0] {
                    for falling in [false, true] {
                        let (rise, foot, lead) = read(&smeared(ppmm, n, len, deg, falling, ink));
                        let what = format!("{dpi} dpi, σ {ink}, smear {len} mm (falling {falling}): rise {rise}, foot {foot}, lead {lead}");
                        if rise < rise_limit + 0.05 {
                            if falling {
                                assert!(foot < foot_limit - 0.2, "{what}");
                            } else {
                                assert!(lead < lead_limit - 0.05, "{what}");
                            }
                        }
                        assert!(!(rise < rise_limit && foot > foot_limit && lead > lead_limit), "{what}");
                    }
                }
            }
        }
        assert!(copies_found >= 5, "copies the rule finds: {copies_found}");
    }

    #[test]
    fn a_trails_foot_climbs_slower_than_its_lead_and_a_copys_edge_does_not() {
        // `trail.fading.square` refuses a second frame line where the trail's foot climbs
        // under its limit against the leading edge (a ring stands in for the frame: the
        // profiles are the edges', whatever their shape). A second pressing the frame rule can
        // see (1.2 mm off and more: under the frame's width plus 0.2 mm it is not read), at a half
        // or more of the first's ink, must read well above it: its outer edge is the copy's
        // own (0.71 and more here). A long smear at falling pressure, its trail ending in its
        // faintest ink, reads under it (1.6 mm: 0.42-0.48). What the veto does not see: a
        // shorter falling smear (1 mm: 0.53-0.61) and any smear at uniform pressure, whose
        // both sides ramp alike (about 1); and a copy 0.9 mm off at half the ink reads 0.42-0.49,
        // below the limit, where the frame rule reads no second line anyway.
        let limit = crate::thresholds::thresholds().limit("trail.fading.square", "trail_foot").expect("limit");
        for (dpi, sigma) in [(150.0f32, 0.7f32), (300.0, 1.2)] {
            let ppmm = dpi / 25.4;
            let n = (46.0 * ppmm) as usize;
            let (c, r) = (n as f32 / 2.0, 20.0 * ppmm);
            let foot = |img: &[u8], deg: f32| trail_foot(&trails_of(img, n, ppmm), sector_of(deg)).expect("both sides");
            for (d, deg) in [(1.2f32, 100.0f32), (2.0, 10.0)] {
                let (dx, dy) = (d * deg.to_radians().cos() * ppmm, d * deg.to_radians().sin() * ppmm);
                for strength in [0.5f32, 0.7, 1.0] {
                    let img = pressed_twice(n, &seal(ppmm, c, c, r), &seal(ppmm, c + dx, c + dy, r), strength, sigma);
                    let v = foot(&img, deg);
                    assert!(v > limit + 0.15, "{dpi} dpi, second pressing {d} mm at {deg}°, {strength}: {v}");
                }
            }
            let v = foot(&smeared(ppmm, n, 1.6, 100.0, true, sigma), 100.0);
            assert!(v < limit, "{dpi} dpi, smear 1.6 mm at falling pressure: {v}");
            let v = foot(&smeared(ppmm, n, 1.6, 100.0, false, sigma), 100.0);
            assert!(v > 0.9, "{dpi} dpi, smear 1.6 mm at uniform pressure: both sides ramp alike, {v}");
        }
    }

    #[test]
    fn a_smear_on_soft_ink_reads_in_quadrature_not_as_a_plain_difference() {
        // An ink whose own edges are soft (σ 0.18 mm of bleed, 10–90 % 0.46 mm: maker B's inks
        // read 0.4–0.5 mm beyond their ruled lines) under a sharp scanner (the ruled lines'
        // spread): the smallest smear of the definition adds as a variance, so the plain
        // difference along less across falls under the rule's gate while the quadrature
        // difference still reads the motion (0.6 L falling, 0.8 L uniform).
        for (dpi, sigma) in [(150.0f32, 0.7f32), (300.0, 1.2)] {
            let ppmm = dpi / 25.4;
            let n = (46.0 * ppmm) as usize;
            let soft = (sigma * sigma + (0.18 * ppmm).powi(2)).sqrt();
            let scan = mean_spread(&smeared(ppmm, n, 0.0, 0.0, false, sigma), n, ppmm);
            // Unsmeared, the design's own strokes (more of them one way than another, blurred
            // narrower than a step) leave a plain difference of 0.1–0.15 mm, which the
            // quadrature turns into about 0.3: the plain difference's gate (0.2) keeps it out.
            let s = smear_of(&smeared(ppmm, n, 0.0, 0.0, false, soft), n, ppmm, scan);
            assert!(s.blur_excess_mm > 0.25 && s.smear_mm < 0.2, "{dpi} dpi, soft ink, no smear: {s:?}");
            for falling in [true, false] {
                let s = smear_of(&smeared(ppmm, n, 0.6, 30.0, falling, soft), n, ppmm, scan);
                let expect = if falling { 0.6 } else { 0.8 } * 0.6;
                assert!(
                    (0.2..0.3).contains(&s.smear_mm),
                    "{dpi} dpi, soft ink, 0.6 mm (falling {falling}): the plain difference under-reads it, yet stands clear of the gate: {s:?}"
                );
                assert!(s.smear_q_mm > 0.3 && (s.smear_q_mm - expect).abs() <= 0.12, "{dpi} dpi, soft ink, 0.6 mm (falling {falling}): {s:?}, expected {expect}");
            }
        }
    }

    #[test]
    fn a_scanner_read_sharper_one_way_is_no_smear_in_the_inks_own_edges() {
        // The ruled lines give the scanner's spread per axis, and on a blurred scan they can
        // read one axis sharper than the ink's edges show it (C-dev2 051: lines of 0.77 mm on
        // average). Against them an unsmeared ring (the same every way) shows an excess along
        // that axis past the smear rule's quadrature limit, while its own edges along and
        // across do not differ at all. A smear of the definition widens the ink itself.
        let t = crate::thresholds::thresholds();
        let q_limit = t.limit(crate::analyse::ROUND_RULES.smear, "smear_q_mm").expect("limit");
        let plain_limit = t.limit(crate::analyse::ROUND_RULES.smear, "smear_plain_mm").expect("limit");
        for (dpi, sigma, blurred) in [(150.0f32, 0.7f32, false), (150.0, 2.0, true), (300.0, 1.2, false), (300.0, 4.0, true)] {
            let ppmm = dpi / 25.4;
            let n = (46.0 * ppmm) as usize;
            let ring = |cx: f32, cy: f32| move |x: f32, y: f32| ((20.0 - 1.2) * ppmm..=20.0 * ppmm).contains(&(x - cx).hypot(y - cy));
            let clean = smeared_design(ppmm, n, 0.0, 0.0, false, sigma, ring);
            let scan = mean_spread(&clean, n, ppmm);
            let s = smear(&sector_spreads(&clean, n, ppmm), 0.8 * scan, 1.05 * scan).expect("edges");
            assert!(s.plain_mm.abs() < 0.2 * plain_limit, "{dpi} dpi σ {sigma} px, no smear, the scanner read 0.8 and 1.05 of its spread: {s:?}");
            if blurred {
                assert!(s.smear_q_mm > q_limit, "{dpi} dpi σ {sigma} px: the excess alone would read a smear: {s:?}");
            }
            for falling in [true, false] {
                let m = smear_of(&smeared_design(ppmm, n, 0.6, 30.0, falling, sigma, ring), n, ppmm, scan);
                if blurred {
                    // What the gate gives up: on a scan spreading 0.8 mm the smallest smear's
                    // plain difference is 0.05-0.07 mm, and its excess stands at the limit anyway.
                    assert!(m.plain_mm < plain_limit && m.smear_q_mm < q_limit + 0.06, "{dpi} dpi σ {sigma} px, 0.6 mm (falling {falling}): {m:?}");
                } else {
                    assert!(m.plain_mm > 1.5 * plain_limit && m.smear_q_mm > q_limit, "{dpi} dpi σ {sigma} px, 0.6 mm (falling {falling}): {m:?}");
                }
            }
        }
    }

    #[test]
    fn half_level_edge_is_blur_invariant() {
        for (dpi, sigma) in [(150.0f32, 0.5f32), (300.0, 1.0), (300.0, 2.0), (600.0, 1.5)] {
            let ppmm = dpi / 25.4;
            let n = (46.0 * ppmm) as usize;
            let c = n as f32 / 2.0;
            // A ring of 40.00 mm outer diameter with the star and text: the outline handed in
            // is off by half a millimetre, as a mask's fit may be.
            let img = blur(&draw(n, n, seal(ppmm, c, c, 20.0 * ppmm)), n, n, sigma);
            let sz = outer_size(|i| img[i], n, n, ppmm, Outline::Circle { cx: c - 0.5, cy: c - 0.5, r: 20.5 * ppmm }).expect("ring").size;
            assert!((sz[0] / ppmm - 40.0).abs() <= 0.05, "{dpi} dpi σ {sigma}: {} mm", sz[0] / ppmm);
            // An 18 × 14 mm frame, the outline 0.3 mm too large.
            let frame = |x: f32, y: f32| {
                let (dx, dy) = ((x - c).abs() / ppmm, (y - c).abs() / ppmm);
                dx <= 9.0 && dy <= 7.0 && (dx >= 8.0 || dy >= 6.0)
            };
            let img = blur(&draw(n, n, frame), n, n, sigma);
            let e = outer_size(|i| img[i], n, n, ppmm, Outline::Rect { cx: c - 0.5, cy: c - 0.5, deg: 0.0, half_u: 9.3 * ppmm, half_v: 7.3 * ppmm }).expect("frame");
            let sz = e.size;
            assert!(e.turn_deg.abs() < 0.2, "{dpi} dpi σ {sigma}: turned {e:?}");
            // The same frame turned 2° clockwise, the outline handed in square to the page.
            let (sn, cs) = 2.0f32.to_radians().sin_cos();
            let turned = |x: f32, y: f32| {
                let (dx, dy) = (x - c, y - c);
                frame(c + dx * cs + dy * sn, c - dx * sn + dy * cs)
            };
            let img = blur(&draw(n, n, turned), n, n, sigma);
            let t = outer_size(|i| img[i], n, n, ppmm, Outline::Rect { cx: c - 0.5, cy: c - 0.5, deg: 0.0, half_u: 9.3 * ppmm, half_v: 7.3 * ppmm }).expect("turned frame");
            assert!((t.turn_deg - 2.0).abs() <= 0.2, "{dpi} dpi σ {sigma}: {t:?}");
            // A nearly unblurred edge along the pixel grid reads up to 0.2 px off (linear
            // interpolation of area-sampled pixels): 0.06 mm at 150 dpi.
            assert!((sz[0] / ppmm - 18.0).abs() <= 0.06 && (sz[1] / ppmm - 14.0).abs() <= 0.06, "{dpi} dpi σ {sigma}: {:?} mm", sz.map(|v| v / ppmm));
        }
    }
}
