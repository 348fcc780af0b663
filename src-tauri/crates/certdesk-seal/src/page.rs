//! Page geometry of a scanned sheet. Owns the paper estimate, the page skew (projection
//! profile, 0–3°), the deskewed frame, ruled-box detection (long dark achromatic runs relative to
//! the paper, so grey and yellow paper work), the sub-pixel refinement of each box's line bands,
//! and grouping boxes into rows; then hands each box to `analyse` and picks the best per row.

use image::RgbImage;

use crate::analyse::{self, BoxGeom, Class, luma8};
use crate::decode::Decoded;
use crate::morph::Components;
use crate::{DpiSource, ImportOptions, Row, SampleKind, SealError, SheetReport, SizeWarning};
use crate::{photo, rectify};
use certdesk_seal_wide::wide_when_available;

/// Rotation between scan pixels (x, y) and the deskewed page frame (u, v), both in scan pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub c: f32,
    pub s: f32,
}

impl Frame {
    pub fn new(deg: f32) -> Self {
        let r = deg.to_radians();
        Self { c: r.cos(), s: r.sin() }
    }
    #[inline]
    pub fn to_page(self, x: f32, y: f32) -> (f32, f32) {
        (x * self.c + y * self.s, -x * self.s + y * self.c)
    }
    #[inline]
    pub fn to_scan(self, u: f32, v: f32) -> (f32, f32) {
        (u * self.c - v * self.s, u * self.s + v * self.c)
    }
}

#[inline]
pub(crate) fn luma(p: &[u8]) -> f32 {
    0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32
}

/// Paper colour of a region: the mode of luma among bright pixels, averaged in RGB. Samples
/// every `step`-th pixel of every `step`-th row.
#[wide_when_available]
pub(crate) fn paper_colour(img: &RgbImage, x0: u32, y0: u32, x1: u32, y1: u32, step: u32) -> [f32; 3] {
    let (raw, iw, step) = (img.as_raw(), img.width() as usize, step as usize);
    // One pass: a luma histogram that also sums the RGB of each luma bin.
    let mut hist = [0u32; 256];
    let mut sums = [[0u64; 3]; 256];
    for y in (y0 as usize..y1 as usize).step_by(step) {
        let row = &raw[(y * iw + x0 as usize) * 3..(y * iw + x1 as usize) * 3];
        for p in row.chunks_exact(3).step_by(step) {
            let l = luma8(p[0], p[1], p[2]) as usize;
            hist[l] += 1;
            for c in 0..3 {
                sums[l][c] += u64::from(p[c]);
            }
        }
    }
    let mut best = (0u32, 255usize);
    for l in 60usize..256 {
        let lo = l.saturating_sub(3);
        let hi = (l + 3).min(255);
        let s: u32 = hist[lo..=hi].iter().sum();
        if s > best.0 {
            best = (s, l);
        }
    }
    // Mean colour of the pixels within ±6 of the mode.
    let mode = best.1;
    let mut acc = [0u64; 3];
    let mut n = 0u64;
    for l in mode.saturating_sub(6)..=(mode + 6).min(255) {
        n += u64::from(hist[l]);
        for c in 0..3 {
            acc[c] += sums[l][c];
        }
    }
    if n == 0 {
        return [255.0; 3];
    }
    [acc[0] as f32 / n as f32, acc[1] as f32 / n as f32, acc[2] as f32 / n as f32]
}

/// Low-resolution map of dark achromatic pixels (lines, print, black ink): 1; cells with
/// coloured ink and no dark achromatic pixel (a seal that may hide a line under it): 2.
struct Grid {
    w: usize,
    h: usize,
    f: u32,
    cells: Vec<u8>,
}

fn dark_grid(img: &RgbImage, paper: [f32; 3], f: u32, dpi: f32) -> Grid {
    let (w, h) = (img.width().div_ceil(f) as usize, img.height().div_ceil(f) as usize);
    let mut cells = vec![0u8; w * h];
    let neutral = Neutral::new(paper);
    let (lthr, faint) = line_levels(neutral.paper_l);
    let ridge = Ridge::new(neutral.paper_l, dpi);
    let (lthr, faint) = (lthr as i32, faint as i32);
    let raw = img.as_raw();
    let iw = img.width() as usize;
    let (fu, ih) = (f as usize, img.height() as usize);
    // Bands of cell rows on every core.
    const BAND: usize = 16;
    in_row_bands(&mut cells, w, BAND, |cell_row, band| {
        let top = cell_row * fu;
        for y in top..(top + band.len() / w * fu).min(ih) {
            let row = &raw[y * iw * 3..(y + 1) * iw * 3];
            let cy = ((y - top) / fu) * w;
            // Luma is a weighted mean, so eight pixels whose every channel is at least the
            // threshold hold no dark pixel: paper is skipped with one minimum per 24 bytes.
            for (k, chunk) in row.chunks(24).enumerate() {
                if i32::from(chunk.iter().fold(255u8, |a, &b| a.min(b))) >= faint {
                    continue;
                }
                for (j, p) in chunk.chunks_exact(3).enumerate() {
                    let (r, g, b) = (p[0] as i32, p[1] as i32, p[2] as i32);
                    let l = (77 * r + 150 * g + 29 * b) >> 8;
                    let chroma = r.max(g).max(b) - r.min(g).min(b);
                    let c = &mut band[cy + (8 * k + j) / fu];
                    if (l < lthr && (chroma < 70 || (r < g.max(b) && registered_chroma(raw, iw, ih, 8 * k + j, y) < 70)))
                        || (l < faint && neutral.holds([p[0], p[1], p[2]], l as f32) && ridge.at(img, (8 * k + j) as u32, y as u32, l as f32))
                    {
                        *c = 1;
                    } else if *c == 0 && l < faint && chroma >= 70 {
                        *c = 2;
                    }
                }
            }
        }
    });
    Grid { w, h, f, cells }
}

/// Page skew in degrees from the horizontal projection profile of the dark map.
fn estimate_skew(g: &Grid) -> f32 {
    let mut pts: Vec<(f32, f32)> = Vec::new();
    for y in 0..g.h {
        for x in 0..g.w {
            if g.cells[y * g.w + x] == 1 {
                pts.push((x as f32, y as f32));
            }
        }
    }
    if pts.len() < 50 {
        return 0.0;
    }
    let stride = (pts.len() / 60_000).max(1);
    let pts: Vec<(f32, f32)> = pts.into_iter().step_by(stride).collect();
    let span = (g.w + g.h) as f32;
    let score = |deg: f32, sub: f32| -> f64 {
        let t = deg.to_radians().tan();
        let n = ((2.0 * span) * sub) as usize + 2;
        let mut hist = vec![0u32; n];
        for &(x, y) in &pts {
            let i = ((y - x * t + span * 0.5) * sub) as isize;
            if i >= 0 && (i as usize) < n {
                hist[i as usize] += 1;
            }
        }
        hist.iter().map(|&h| (h as f64) * (h as f64)).sum()
    };
    // The angles of one step scored on every core; the first of the best scores wins, as when
    // they were scored one after another.
    let best_of = |angles: Vec<f32>, sub: f32, start: f32| {
        let scores = in_parallel(angles.clone(), |a| score(a, sub));
        angles.into_iter().zip(scores).fold((f64::MIN, start), |best, (a, sc)| if sc > best.0 { (sc, a) } else { best })
    };
    // Coarse to fine: 0.25° over ±3.5°, then 0.05°, then 0.01° on half-cell bins.
    let best = best_of((-14..=14).map(|k| k as f32 * 0.25).collect(), 1.0, 0.0);
    let best1 = best_of((-5..=5).map(|k| best.1 + k as f32 * 0.05).collect(), 1.0, best.1);
    let centre = best1.1;
    let best2 = best_of((-6..=6).map(|i| centre + i as f32 * 0.01).collect(), 2.0, centre);
    best2.1
}

/// A candidate box: interior rectangle in page-frame pixels.
#[derive(Debug, Clone, Copy)]
struct Cell {
    u0: f32,
    v0: f32,
    u1: f32,
    v1: f32,
}

fn find_cells(g: &Grid, frame: Frame, dpi: f32) -> Vec<Cell> {
    // Deskewed low-res grid covering the rotated page.
    let corners = [(0.0, 0.0), (g.w as f32, 0.0), (0.0, g.h as f32), (g.w as f32, g.h as f32)];
    let (mut umin, mut vmin, mut umax, mut vmax) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for (x, y) in corners {
        let (u, v) = frame.to_page(x, y);
        umin = umin.min(u);
        vmin = vmin.min(v);
        umax = umax.max(u);
        vmax = vmax.max(v);
    }
    // Thicken first: nearest-neighbour rotation of a one-cell line leaves holes.
    let mut thick = g.cells.clone();
    for y in 0..g.h {
        for x in 0..g.w {
            if g.cells[y * g.w + x] == 1 {
                for (dx, dy) in [(-1i32, 0i32), (1, 0), (0, -1), (0, 1)] {
                    let (nx, ny) = (x as i32 + dx, y as i32 + dy);
                    if nx >= 0 && ny >= 0 && (nx as usize) < g.w && (ny as usize) < g.h {
                        thick[ny as usize * g.w + nx as usize] = 1;
                    }
                }
            }
        }
    }
    let (dw, dh) = ((umax - umin).ceil() as usize + 1, (vmax - vmin).ceil() as usize + 1);
    let mut d = vec![0u8; dw * dh];
    let mut valid = vec![false; dw * dh];
    let (gw, gh) = (g.w as f32, g.h as f32);
    for j in 0..dh {
        let (xr, yr) = frame.to_scan(umin + 0.5, vmin + j as f32 + 0.5);
        for i in 0..dw {
            // One cell to the right in the page frame is (c, s) in the scan.
            let (x, y) = (xr + i as f32 * frame.c, yr + i as f32 * frame.s);
            // Negative positions are outside; the rest truncate like floor (no libm call), and
            // comparing as floats avoids saturating float-to-usize casts.
            if x >= 0.0 && y >= 0.0 && x < gw && y < gh {
                valid[j * dw + i] = true;
                d[j * dw + i] = thick[y as i32 as usize * g.w + x as i32 as usize];
            }
        }
    }
    let cell_mm = g.f as f32 * 25.4 / dpi;
    let min_len = (20.0 / cell_mm) as usize;
    let gap = 2usize;
    let mut line = vec![0u8; dw * dh];
    // A line hidden under a seal's ink for up to 18 mm is bridged when it continues beyond
    // (issue 34: the outline maker paints seal ink over the line, so a seal on a divider cut
    // it and merged two boxes). The longest stretch one seal hides is where its ring runs
    // along the line: a ring of radius R and width w covers a chord of up to 2√(2Rw − w²)
    // (the line along its inner edge), 16 mm for a 45 mm 公章 with a 1.5 mm ring; a crossing
    // hides only the ring's width (C-heldout2 033 and B-heldout 005, a 法人章 pair over its
    // line, were bridged only at this reach, not at 12 mm).
    let hidden = (18.0 / cell_mm) as usize;
    for j in 0..dh {
        line_runs(dw, |i| d[j * dw + i], min_len, gap, hidden, |a, b| line[j * dw + a..=j * dw + b].fill(1));
    }
    for i in 0..dw {
        line_runs(
            dh,
            |j| d[j * dw + i],
            min_len,
            gap,
            hidden,
            |a, b| {
                for k in a..=b {
                    line[k * dw + i] = 1;
                }
            },
        );
    }
    close_lost_rules(&mut line, dw, dh, min_len, (25.0 / cell_mm) as usize, (160.0 / cell_mm) as usize);
    bridge_dropouts(&mut line, &d, dw, dh, (DROPOUT_MM / cell_mm) as usize, (5.0 / cell_mm) as usize, (2.0 / cell_mm) as usize);
    // Components of non-line cells (4-connected). Cells outside the rotated page are joined in
    // too: a component that reaches one of them is open to the page border, like one that
    // touches the grid's edge, and is no box.
    let free: Vec<u8> = line.iter().map(|&l| u8::from(l == 0)).collect();
    let inside: Vec<u8> = valid.iter().map(|&v| if v { 2 } else { 0 }).collect();
    let comps = Components::new(&free, &inside, dw, dh, false);
    let mut cells = Vec::new();
    for (k, c) in comps.comps.iter().enumerate() {
        if c.border || c.inside < c.area {
            continue;
        }
        let (x0, y0, x1, y1) = (c.x0, c.y0, c.x1, c.y1);
        let (wmm, hmm) = ((x1 + 1 - x0) as f32 * cell_mm, (y1 + 1 - y0) as f32 * cell_mm);
        // Whatever lies inside the box's lines belongs to it: a 阴文 seal's straight dark edges
        // run as long as lines and cut a hole out of the box's free cells (B-dev 077: a box
        // 0.74 full, and its row's two other boxes, no longer adjacent, were dropped with it).
        let rect = (x1 + 1 - x0) * (y1 + 1 - y0);
        let area = if c.area * 100 < BOX_FILL_PERCENT * rect { comps.enclosed_area(k) } else { c.area };
        if (25.0..=160.0).contains(&wmm) && (25.0..=160.0).contains(&hmm) && area * 100 >= BOX_FILL_PERCENT * rect {
            let f = g.f as f32;
            cells.push(Cell { u0: (umin + x0 as f32) * f, v0: (vmin + y0 as f32) * f, u1: (umin + x1 as f32 + 1.0) * f, v1: (vmin + y1 as f32 + 1.0) * f });
        }
    }
    cells
}

/// The longest stretch of paper in a rule that is bridged where the rule goes on beyond it.
const DROPOUT_MM: f32 = 20.0;

/// Bridges a stretch of paper in a rule where the same rule goes on beyond it. A thermal-
/// transfer printer drops the dots a wrinkle in its ribbon lifts off the paper, in streaks
/// across the page, and a worn copier drum or a torn fold does the same: the rule has a gap
/// of a few millimetres, and the box on either side of it runs out through the gap into its
/// neighbour or its caption strip (issue 76, maker O's sealed look: 64 of 360 boxes lost, gaps
/// of 4–10 mm; a row kept one box and was dropped with it). From the end of a piece of rule
/// at least `long` cells long, along its row or column, up to `reach` cells of paper (or any
/// ink that is no line) may lie before the next line; it is drawn in where the rule goes on
/// there: dark print of `piece` cells or more just before that line (the rule's short end
/// piece up to a crossing), or dark again for `long` cells from it on (the rule itself, or a
/// crossing line with the rule going on beyond it). A line ending in the open short of
/// another line, with paper beyond that (an underline in a box), is no gap and stays.
fn bridge_dropouts(line: &mut [u8], d: &[u8], dw: usize, dh: usize, reach: usize, long: usize, piece: usize) {
    let thin = piece;
    // Along rows (`across` the columns), then along columns, each on the lines as they stand.
    for along_rows in [true, false] {
        let (n, lanes) = if along_rows { (dw, dh) } else { (dh, dw) };
        let at = |lane: usize, i: usize| if along_rows { lane * dw + i } else { i * dw + lane };
        // Every gap is judged on the lines as the pass found them, then drawn.
        let mut fills: Vec<usize> = Vec::new();
        for lane in 0..lanes {
            let mut i = 0;
            while i < n {
                if line[at(lane, i)] == 0 {
                    i += 1;
                    continue;
                }
                let start = i;
                while i < n && line[at(lane, i)] == 1 {
                    i += 1;
                }
                // A run along a filled band (a grey caption strip, a dark header column) is no
                // rule: a rule is thin across.
                let across = |at_i: usize| {
                    let side = |dir: isize| (1..=thin).take_while(|&t| lane.checked_add_signed(dir * t as isize).is_some_and(|l| l < lanes && line[at(l, at_i)] == 1)).count();
                    side(-1) + side(1) >= thin
                };
                if i - start < long || across((start + i) / 2) {
                    continue;
                }
                for forward in [true, false] {
                    let end = if forward { i - 1 } else { start };
                    // Only an end in the open is a gap's: one at a crossing line (a corner, a T)
                    // is where the rule was drawn to end.
                    let inward = |k: usize| if forward { end.checked_sub(k) } else { Some(end + k).filter(|&q| q < n) };
                    if (0..=2).filter_map(inward).any(across) {
                        continue;
                    }
                    let step = |k: usize| if forward { end.checked_add(k).filter(|&q| q < n) } else { end.checked_sub(k) };
                    // Out from the end to the next line, counting the paper crossed.
                    let (mut k, mut paper, mut dark_before) = (1, 0, 0);
                    let hit = loop {
                        let Some(q) = step(k) else { break None };
                        let c = at(lane, q);
                        if line[c] == 1 {
                            break Some(k);
                        }
                        if d[c] == 1 {
                            dark_before += 1;
                        } else {
                            dark_before = 0;
                            paper += 1;
                            if paper > reach {
                                break None;
                            }
                        }
                        k += 1;
                    };
                    let Some(k) = hit else { continue };
                    if k == 1 {
                        continue;
                    }
                    // Beyond the line it met (a crossing, at most `thin` across), dark again.
                    let past = (k..k + thin).find(|&m| step(m).is_none_or(|q| line[at(lane, q)] == 0)).unwrap_or(k + thin);
                    let goes_on = (past..past + piece).all(|m| step(m).is_some_and(|q| line[at(lane, q)] == 1 || d[at(lane, q)] == 1));
                    // A divider stopping short of the rule it meets (a T whose stem lost its foot).
                    let short_of = k - 1 <= piece + piece / 2;
                    // A gap that a neighbouring lane's line runs through is the ragged edge of a
                    // thicker rule, not a gap in it: filling it would thicken the rule and shrink
                    // the boxes beside it.
                    let mid = step(k / 2).expect("inside the lane");
                    let edge = [lane.wrapping_sub(1), lane + 1].into_iter().any(|l| l < lanes && line[at(l, mid)] == 1);
                    if (dark_before >= piece || goes_on || short_of) && !edge {
                        fills.extend((1..k).map(|m| at(lane, step(m).expect("inside the lane"))));
                    }
                }
            }
        }
        for c in fills {
            line[c] = 1;
        }
    }
}

/// Draws a rule the scan lost between the dividers that end at it. A fax's standard resolution
/// reads 3.85 lines a mm down the page, and a 0.3 mm rule that falls between two of its lines
/// darkens neither past the fax's threshold: the rule is gone and the dividers end in the open
/// at its height (issue 76, maker L read: 015's caption strip and its row of three 公章 boxes
/// became one region, and the row was lost). Two or more vertical lines (`min_len` long) whose
/// ends meet no horizontal line, at the same height within a cell, each at least a box's width
/// (`least_apart`) from the next, mark the rule; it is drawn from the outermost of them to the
/// nearest line that crosses its height on either side within `reach` (the table's frame),
/// else not at all. A 法人章's sides are under a box's width apart, and red: no line.
fn close_lost_rules(line: &mut [u8], dw: usize, dh: usize, min_len: usize, least_apart: usize, reach: usize) {
    let at = |line: &[u8], i: isize, j: isize| i >= 0 && j >= 0 && (i as usize) < dw && (j as usize) < dh && line[j as usize * dw + i as usize] == 1;
    for top in [true, false] {
        // Each vertical run's end on this side (row, column), when there is paper beyond it.
        let mut ends: Vec<(usize, usize)> = Vec::new();
        for i in 0..dw {
            let mut j = 0;
            while j < dh {
                if line[j * dw + i] == 0 {
                    j += 1;
                    continue;
                }
                let a = j;
                while j < dh && line[j * dw + i] == 1 {
                    j += 1;
                }
                let b = j - 1;
                if b + 1 - a >= min_len && if top { a > 0 } else { b + 1 < dh } {
                    ends.push((if top { a } else { b }, i));
                }
            }
        }
        // A line's columns end together: one end per run of neighbouring columns (a row apart at
        // most), kept where no horizontal line leaves it within three rows inwards (a T or a
        // corner); such an end is free.
        ends.sort_unstable();
        let mut free: Vec<(usize, usize)> = Vec::new();
        let mut k = 0;
        while k < ends.len() {
            let (row, c0) = ends[k];
            let mut c1 = c0;
            let mut n = k + 1;
            while n < ends.len() && ends[n].0 <= row + 1 && ends[n].1 == c1 + 1 {
                c1 = ends[n].1;
                n += 1;
            }
            k = n;
            let inward = |d: isize| if top { row as isize + d } else { row as isize - d };
            let junction = (0..=3).any(|d| at(line, c0 as isize - 2, inward(d)) || at(line, c1 as isize + 2, inward(d)));
            if !junction {
                free.push((row, (c0 + c1) / 2));
            }
        }
        // Free ends at one height (the lowest row left and the next), a box's width apart or
        // more: the lost rule's dividers.
        free.sort_unstable();
        let mut a = 0;
        while a < free.len() {
            let row = free[a].0;
            let end = a + free[a..].iter().take_while(|e| e.0 <= row + 1).count();
            let mut cols: Vec<usize> = free[a..end].iter().map(|e| e.1).collect();
            a = end;
            cols.sort_unstable();
            cols.dedup();
            if cols.len() < 2 || cols.windows(2).any(|w| w[1] - w[0] < least_apart || w[1] - w[0] > reach) {
                continue;
            }
            // Past the end's own line, to the next line across the row.
            let (first, last) = (cols[0], cols[cols.len() - 1]);
            let on = |i: usize| at(line, i as isize, row as isize);
            let left = (1..=reach.min(first)).map(|d| first - d).skip_while(|&i| on(i)).find(|&i| on(i));
            let right = (last + 1..(last + 1 + reach).min(dw)).skip_while(|&i| on(i)).find(|&i| on(i));
            if let (Some(l), Some(r)) = (left, right) {
                line[row * dw + l..=row * dw + r].fill(1);
            }
        }
    }
}

/// The share of its bounding rectangle, in per cent, that a box's free cells (with what they
/// enclose) must fill: a box is a rectangle, and a region of free cells that runs round a
/// corner or out through a gap in a line is none.
const BOX_FILL_PERCENT: usize = 85;

/// Luma levels under which an achromatic pixel is printed line: `.0` (62 % of the paper's
/// luma, chroma under 70 or 80) for lines of any width, `.1` (80 %, chroma under
/// `FAINT_CHROMA`) for hairlines. A 0.1 mm hairline scanned at 150-200 dpi (a pixel of
/// 0.13-0.17 mm, blurred over about two) keeps a third or less of its darkness at its centre:
/// issue 34's print maker's inner dividers read 0.75 of the paper's luma at 200 dpi, so their
/// boxes merged into one per row and whole sheets had no box. Only grey print is this light
/// and this neutral (a pale red or purple seal at 80 % of the paper keeps a chroma of 40 and
/// more), and only where it is a ridge (`Ridge`: a tinted box is as dark all over); nothing
/// else on a sheet runs 20 mm straight.
fn line_levels(paper_l: f32) -> (f32, f32) {
    (0.62 * paper_l, 0.80 * paper_l)
}

/// The chroma (max − min of R, G, B) under which a faint pixel is grey print: its own in
/// `refine`, beyond the paper's tint in the grid (`Neutral`).
const FAINT_CHROMA: i32 = 25;

/// Whether a faint pixel is neutral print on this paper: grey ink takes the same share of
/// every channel of the paper under it, so a pixel at a share t of the paper's luma is the
/// paper's colour times t, and its chroma beyond that (max − min of the pixel less t × the
/// paper, per channel) is under `FAINT_CHROMA`. On white paper this is the pixel's own chroma;
/// on tinted paper a hairline keeps t of the paper's tint (issue 34: B's khaki paper, chroma
/// 32, made a hairline at 0.7 of its luma read a chroma of 17–27 against the limit of 25, and
/// a 法人章's whole table was lost on B-dev 038, 053 and 077 and B-heldout2 021).
struct Neutral {
    paper: [f32; 3],
    paper_l: f32,
}

impl Neutral {
    fn new(paper: [f32; 3]) -> Self {
        Neutral { paper, paper_l: (0.299 * paper[0] + 0.587 * paper[1] + 0.114 * paper[2]).max(1.0) }
    }

    fn holds(&self, p: [u8; 3], l: f32) -> bool {
        let t = l / self.paper_l;
        let off: [f32; 3] = std::array::from_fn(|c| f32::from(p[c]) - t * self.paper[c]);
        off[0].max(off[1]).max(off[2]) - off[0].min(off[1]).min(off[2]) < FAINT_CHROMA as f32
    }
}

/// A faint pixel is hairline only where it is a ridge: lighter by at least a tenth of the
/// paper's luma on both sides, 0.4 mm away (beyond a hairline's blur), across or along the
/// scan's rows. A tinted box or a grey wash is as dark on both sides and is no line.
struct Ridge {
    d: u32,
    contrast: f32,
}

impl Ridge {
    fn new(paper_l: f32, dpi: f32) -> Self {
        Ridge { d: ((0.4 * dpi / 25.4).round() as u32).max(2), contrast: 0.1 * paper_l }
    }

    fn at(&self, img: &RgbImage, x: u32, y: u32, l: f32) -> bool {
        let (w, h, d) = (img.width(), img.height(), self.d);
        let lighter = |xx: u32, yy: u32| luma(&img.get_pixel(xx, yy).0) - l >= self.contrast;
        (x >= d && x + d < w && lighter(x - d, y) && lighter(x + d, y)) || (y >= d && y + d < h && lighter(x, y - d) && lighter(x, y + d))
    }
}

/// Marks (`mark(first, last)`) the runs of a row or column of the grid (`at(i)`: 1 dark, 2
/// coloured ink, 0 paper) that are lines: dark cells at least `min_len` long end to end, gaps
/// of up to `gap` cells bridged, and gaps of up to `hidden` cells that are coloured ink through
/// (a line under a seal), paper in them no longer than a bridged gap; at most half of a run
/// hidden, so a seal's own strokes with a few dark specks are no line. The paper allowed in a
/// hidden stretch is the seal's own: where a divider runs under the ring and the characters of
/// two seals side by side, the grid reads their ink with pinholes of paper between strokes
/// (issue 34: C-heldout 039, a double and a smear on one divider, merged two boxes).
fn line_runs(n: usize, at: impl Fn(usize) -> u8, min_len: usize, gap: usize, hidden: usize, mut mark: impl FnMut(usize, usize)) {
    // Cells `a..b` are coloured ink with paper in runs of at most `gap` cells.
    let under_ink = |a: usize, b: usize| {
        let (mut paper, mut ink) = (0, false);
        for q in a..b {
            if at(q) == 2 {
                (paper, ink) = (0, true);
            } else {
                paper += 1;
                if paper > gap {
                    return false;
                }
            }
        }
        ink
    };
    let mut run: Option<(usize, usize, usize)> = None; // (first, last dark, cells hidden)
    let mut end = |r: (usize, usize, usize)| {
        let len = r.1 + 1 - r.0;
        if len >= min_len && 2 * r.2 <= len {
            mark(r.0, r.1);
        }
    };
    for i in 0..n {
        if at(i) != 1 {
            continue;
        }
        run = Some(match run {
            Some((s, last, h)) if i - last <= gap + 1 => (s, i, h),
            Some((s, last, h)) if i - last - 1 <= hidden && under_ink(last + 1, i) => (s, i, h + i - last - 1),
            Some(r) => {
                end(r);
                (i, i, 0)
            }
            None => (i, i, 0),
        });
    }
    if let Some(r) = run {
        end(r);
    }
}

/// The chroma of a pixel with each channel at its darkest over the pixel and its four
/// neighbours: a scanner that reads its colours at different places (a CIS whose green and blue
/// lines are read a third and two thirds of a line late, a three-line CCD) paints a thin black
/// rule's edges in colour fringes (issue 76, maker D's held-out 010 at 150 dpi: rules of
/// R 85, G 130, B 170, chroma 85, and no box found on the sheet). Realigned so, a black rule is
/// black again, while seal ink stays red (its red channel is light wherever it is ink or paper).
/// Asked only of a pixel whose red is not its lightest channel (the fringe on the side of the
/// colour read first): seal ink, whose red always is, costs nothing more.
fn registered_chroma(raw: &[u8], w: usize, h: usize, x: usize, y: usize) -> i32 {
    let mut m = [255u8; 3];
    let mut take = |xx: usize, yy: usize| {
        let i = (yy * w + xx) * 3;
        for c in 0..3 {
            m[c] = m[c].min(raw[i + c]);
        }
    };
    take(x, y);
    if x > 0 {
        take(x - 1, y);
    }
    if x + 1 < w {
        take(x + 1, y);
    }
    if y > 0 {
        take(x, y - 1);
    }
    if y + 1 < h {
        take(x, y + 1);
    }
    i32::from(m[0].max(m[1]).max(m[2]) - m[0].min(m[1]).min(m[2]))
}

/// Dark achromatic test on one scan pixel, relative to the paper luma (`line_levels`).
#[inline]
fn is_ink_line(img: &RgbImage, x: f32, y: f32, levels: (f32, f32), ridge: &Ridge) -> bool {
    let (xi, yi) = (x as i64, y as i64);
    if xi < 0 || yi < 0 || xi >= img.width() as i64 || yi >= img.height() as i64 {
        return false;
    }
    let p = img.get_pixel(xi as u32, yi as u32).0;
    let mx = p[0].max(p[1]).max(p[2]);
    let mn = p[0].min(p[1]).min(p[2]);
    let (l, chroma) = (luma(&p), i32::from(mx - mn));
    let registered = || registered_chroma(img.as_raw(), img.width() as usize, img.height() as usize, xi as usize, yi as usize);
    (l < levels.0 && (chroma < 80 || (p[0] < p[1].max(p[2]) && registered() < 80))) || (l < levels.1 && chroma < FAINT_CHROMA && ridge.at(img, xi as u32, yi as u32, l))
}

/// Refines the four line bands of a box at full resolution. Returns the geometry with the
/// interior rectangle just inside the lines.
fn refine(img: &RgbImage, frame: Frame, cell: Cell, paper_l: f32, f: f32, dpi: f32) -> BoxGeom {
    let lthr = line_levels(paper_l);
    let ridge = Ridge::new(paper_l, dpi);
    let win = (2.0 * f + 4.0) as i32;
    // Profile across a horizontal edge at v, sampling u in the middle 70 %.
    let prof_h = |v_nom: f32| -> Option<(f32, f32)> {
        let (ua, ub) = (cell.u0 + 0.15 * (cell.u1 - cell.u0), cell.u1 - 0.15 * (cell.u1 - cell.u0));
        let mut counts = Vec::new();
        let mut total = 0;
        for dv in -win..=win {
            let v = v_nom + dv as f32;
            let mut n = 0;
            total = 0;
            let mut u = ua;
            while u < ub {
                let (x, y) = frame.to_scan(u, v);
                if is_ink_line(img, x, y, lthr, &ridge) {
                    n += 1;
                }
                total += 1;
                u += 2.0;
            }
            counts.push(n);
        }
        band(&counts, total, v_nom - win as f32)
    };
    let prof_v = |u_nom: f32| -> Option<(f32, f32)> {
        let (va, vb) = (cell.v0 + 0.15 * (cell.v1 - cell.v0), cell.v1 - 0.15 * (cell.v1 - cell.v0));
        let mut counts = Vec::new();
        let mut total = 0;
        for du in -win..=win {
            let u = u_nom + du as f32;
            let mut n = 0;
            total = 0;
            let mut v = va;
            while v < vb {
                let (x, y) = frame.to_scan(u, v);
                if is_ink_line(img, x, y, lthr, &ridge) {
                    n += 1;
                }
                total += 1;
                v += 2.0;
            }
            counts.push(n);
        }
        band(&counts, total, u_nom - win as f32)
    };
    let top = prof_h(cell.v0 - 0.5 * f).unwrap_or((cell.v0 - 2.0, cell.v0 - 1.0));
    let bottom = prof_h(cell.v1 + 0.5 * f).unwrap_or((cell.v1, cell.v1 + 1.0));
    let left = prof_v(cell.u0 - 0.5 * f).unwrap_or((cell.u0 - 2.0, cell.u0 - 1.0));
    let right = prof_v(cell.u1 + 0.5 * f).unwrap_or((cell.u1, cell.u1 + 1.0));
    BoxGeom {
        u0: left.1 + 1.0,
        v0: top.1 + 1.0,
        u1: right.0,
        v1: bottom.0,
        line_w: [top.1 - top.0 + 1.0, right.1 - right.0 + 1.0, bottom.1 - bottom.0 + 1.0, left.1 - left.0 + 1.0],
    }
}

/// The line band in a profile: (first, last) position with count ≥ half the peak.
fn band(counts: &[i32], total: i32, origin: f32) -> Option<(f32, f32)> {
    let (imax, &max) = counts.iter().enumerate().max_by_key(|(_, c)| **c)?;
    if (max as f32) < 0.3 * total as f32 {
        return None;
    }
    let half = max / 2;
    let mut a = imax;
    while a > 0 && counts[a - 1] >= half {
        a -= 1;
    }
    let mut b = imax;
    while b + 1 < counts.len() && counts[b + 1] >= half {
        b += 1;
    }
    Some((origin + a as f32, origin + b as f32))
}

/// The most boxes a group of boxes sharing lines is read as one row of samples with.
const MOST_IN_ROW: usize = 8;

/// The boxes of `group` by line, top to bottom: a box joins the line of the box above it in
/// the order of their centres when the two overlap by half the lower one's height or more.
fn lines_of(mut group: Vec<usize>, cells: &[BoxGeom]) -> Vec<Vec<usize>> {
    let centre = |i: usize| (cells[i].v0 + cells[i].v1) * 0.5;
    group.sort_by(|&a, &b| centre(a).total_cmp(&centre(b)));
    let mut lines: Vec<Vec<usize>> = Vec::new();
    for i in group {
        let joins = lines.last().and_then(|l| l.first()).is_some_and(|&j| {
            let (a, b) = (&cells[i], &cells[j]);
            a.v1.min(b.v1) - a.v0.max(b.v0) >= 0.5 * (a.v1 - a.v0).min(b.v1 - b.v0)
        });
        match lines.last_mut() {
            Some(line) if joins => line.push(i),
            _ => lines.push(vec![i]),
        }
    }
    lines
}

/// Groups boxes sharing lines into rows, sorted top to bottom; boxes in reading order.
fn group(cells: &[BoxGeom], dpi: f32) -> Vec<Vec<usize>> {
    let tol = 4.0 * dpi / 25.4;
    let n = cells.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while p[r] != r {
            r = p[r];
        }
        p[i] = r;
        r
    }
    for i in 0..n {
        for j in i + 1..n {
            let (a, b) = (&cells[i], &cells[j]);
            let vo = a.v1.min(b.v1) - a.v0.max(b.v0);
            let ho = a.u1.min(b.u1) - a.u0.max(b.u0);
            let hmin = (a.v1 - a.v0).min(b.v1 - b.v0);
            let wmin = (a.u1 - a.u0).min(b.u1 - b.u0);
            let hgap = (b.u0 - a.u1).abs().min((a.u0 - b.u1).abs());
            let vgap = (b.v0 - a.v1).abs().min((a.v0 - b.v1).abs());
            // Boxes between the same two rules are one row even where a box between them was
            // lost (issue 76, maker O: a row kept its first and last box, no longer adjacent,
            // and was dropped as two rows of one).
            let aligned = (a.v0 - b.v0).abs() < tol && (a.v1 - b.v1).abs() < tol && hgap < 1.25 * (a.u1 - a.u0).max(b.u1 - b.u0);
            if (vo > 0.5 * hmin && (hgap < tol || aligned)) || (ho > 0.5 * wmin && vgap < tol) {
                let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                parent[ri] = rj;
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut roots: Vec<usize> = Vec::new();
    for i in 0..n {
        let r = find(&mut parent, i);
        match roots.iter().position(|&x| x == r) {
            Some(k) => groups[k].push(i),
            None => {
                roots.push(r);
                groups.push(vec![i]);
            }
        }
    }
    // One table whose rows share their rules (maker Z's 3 × 3: 公章 | 法人章 | 签字, three
    // samples of each, no caption strip between the rows) joins into more boxes than a row of
    // samples holds; it is read as its lines, the boxes between the same two rules, as separate
    // tables' rows are. A group of up to `MOST_IN_ROW` is kept whole, as before.
    let mut groups: Vec<Vec<usize>> = groups.into_iter().flat_map(|g| if g.len() > MOST_IN_ROW { lines_of(g, cells) } else { vec![g] }).collect();
    groups.retain(|g| (2..=MOST_IN_ROW).contains(&g.len()));
    for g in &mut groups {
        g.sort_by(|&a, &b| {
            let (ca, cb) = (&cells[a], &cells[b]);
            let h = (ca.v1 - ca.v0).min(cb.v1 - cb.v0);
            let dv = (ca.v0 + ca.v1) * 0.5 - (cb.v0 + cb.v1) * 0.5;
            if dv.abs() > 0.5 * h { dv.total_cmp(&0.0) } else { ca.u0.total_cmp(&cb.u0) }
        });
    }
    groups.sort_by(|a, b| cells[a[0]].v0.total_cmp(&cells[b[0]].v0));
    groups
}

/// Each box's column in its row (`group`'s reading order): the next box along the same line is
/// the next column, or the one after where a box between them was lost (its start a box's
/// pitch further), so that the clerk's 样本三 stays 样本三.
fn columns(row: &[usize], cells: &[BoxGeom]) -> Vec<usize> {
    let mut cols = Vec::with_capacity(row.len());
    for (k, &i) in row.iter().enumerate() {
        let col = match k.checked_sub(1).map(|p| (&cells[row[p]], cols[p])) {
            None => 0,
            Some((prev, prev_col)) => {
                let b = &cells[i];
                let h = (prev.v1 - prev.v0).min(b.v1 - b.v0);
                let same_line = ((prev.v0 + prev.v1) - (b.v0 + b.v1)).abs() * 0.5 <= 0.5 * h;
                let pitches = ((b.u0 - prev.u0) / (prev.u1 - prev.u0).max(1.0)).round();
                prev_col + if same_line && pitches >= 2.0 { pitches as usize } else { 1 }
            }
        };
        cols.push(col);
    }
    cols
}

/// Imports a sheet: a phone photo (paper on a darker background) is straightened into an
/// A4 page first (`photo`) and the results are mapped back into the photo's pixels; a scan
/// goes straight to [`import_scan`].
pub(crate) fn import_page(dec: &Decoded, opts: &ImportOptions) -> Result<SheetReport, SealError> {
    let given = (dec.dpi_source == DpiSource::Option).then_some(dec.dpi);
    let Some((quad, dpi)) = photo::paper_quad(&dec.rgb).and_then(|q| photo::page_dpi(q, given, opts.max_pixels).map(|d| (q, d))) else {
        return import_scan(dec, opts);
    };
    let r = photo::rectify(&dec.rgb, quad, dpi);
    let to_page = photo::homography(quad, [(0.0, 0.0), (r.page.width() as f32, 0.0), (r.page.width() as f32, r.page.height() as f32), (0.0, r.page.height() as f32)]);
    let source = if given.is_some() { DpiSource::Option } else { DpiSource::PaperEdges };
    let straight = Decoded { rgb: r.page, dpi: r.dpi, dpi_source: source };
    let mut report = import_scan(&straight, opts)?;
    let (pw, ph) = (dec.rgb.width(), dec.rgb.height());
    // Each sample's mask on its own core: redrawn one after another they took a tenth of a
    // 300-dpi photo's import (issue 76).
    let samples: Vec<&mut crate::Sample> = report.samples.iter_mut().collect();
    in_parallel(samples, |s| {
        s.box_quad = s.box_quad.map(|[x, y]| {
            let (u, v) = photo::project(&r.to_photo, x, y);
            [u, v]
        });
        let (mask, offset) = photo::mask_to_photo(&s.pixels.mask, s.mask_offset, &r.to_photo, &to_page, (pw, ph));
        s.pixels.mask = mask;
        s.mask_offset = offset;
    });
    // The paper's sides against A4's: another paper size would make every mm wrong.
    let side = |a: [f32; 2], b: [f32; 2]| (a[0] - b[0]).hypot(a[1] - b[1]);
    let q = r.quad;
    let (across, down) = (side(q[0], q[1]) + side(q[3], q[2]), side(q[0], q[3]) + side(q[1], q[2]));
    let aspect = across.max(down) / across.min(down).max(1.0);
    report.size_warning = (given.is_none() && (aspect / (297.0 / 210.0) - 1.0).abs() > 0.06).then_some(SizeWarning::DpiNotFromA4Page);
    report.paper_quad = Some(r.quad);
    report.width = pw;
    report.height = ph;
    Ok(report)
}

/// Imports a scan (or a straightened photo): paper, skew, boxes, rows, judgement.
fn import_scan(dec: &Decoded, opts: &ImportOptions) -> Result<SheetReport, SealError> {
    let img = &dec.rgb;
    let dpi = dec.dpi;
    let paper = paper_colour(img, 0, 0, img.width(), img.height(), 4);
    let paper_l = 0.299 * paper[0] + 0.587 * paper[1] + 0.114 * paper[2];
    let f = ((dpi / 100.0).round() as u32).max(1);
    let grid = dark_grid(img, paper, f, dpi);
    let skew = estimate_skew(&grid);
    let frame = Frame::new(skew);
    let cells = find_cells(&grid, frame, dpi);
    drop(grid);
    if cells.is_empty() {
        return Err(SealError::NoBoxes);
    }
    let geoms: Vec<BoxGeom> = cells.iter().map(|&c| refine(img, frame, c, paper_l, f as f32, dpi)).collect();
    let groups = group(&geoms, dpi);
    if groups.is_empty() {
        return Err(SealError::NoBoxes);
    }
    let black = sheet_black(img, frame, &geoms, paper, dpi);
    let (groups, printed) = match opts.printed_rows.as_deref().and_then(|p| as_printed(&groups, p)) {
        Some(read) => (read.groups, Some(read.kinds)),
        None => (groups, None),
    };
    // The groups' features are read and judged [`GROUPS_AT_ONCE`] groups at a time (a whole
    // sheet's at once would hold every box's planes, up to 140 MB more at 600 dpi), with the
    // boxes' classes kept; a sheet whose classes run down its columns is then judged again by
    // columns.
    let judge_groups = |groups: &[Vec<usize>]| {
        let (mut samples, mut kinds, mut classes) = (Vec::new(), Vec::new(), Vec::new());
        for (bi, batch) in groups.chunks(GROUPS_AT_ONCE).enumerate() {
            let boxes: Vec<usize> = batch.iter().flatten().copied().collect();
            let mut feats = in_parallel(boxes, |i| {
                let mut ft = analyse::features(img, frame, &geoms[i], dpi, false);
                ft.black = black;
                ft
            })
            .into_iter();
            let mut judged = Vec::new();
            for (k, g) in batch.iter().enumerate() {
                let ri = bi * GROUPS_AT_ONCE + k;
                let feats: Vec<analyse::BoxFeatures> = feats.by_ref().take(g.len()).collect();
                let kind = printed.as_ref().and_then(|p| p[ri]).unwrap_or_else(|| vote(&feats, ri));
                classes.push(feats.iter().map(|f| f.class).collect::<Vec<Class>>());
                judged.extend(columns(g, &geoms).into_iter().zip(feats).map(|(ci, ft)| (ri, ci, kind, ft)));
                kinds.push(kind);
            }
            samples.extend(in_parallel(judged, |(ri, ci, kind, ft)| analyse::judge(ft, kind, ri, ci, frame, skew, dpi, opts.output_dpi)));
        }
        (samples, kinds, classes)
    };
    let (by_rows, row_kinds, classes) = judge_groups(&groups);
    let down = printed.is_none().then(|| kinds_down_columns(&groups, &classes, &geoms)).flatten();
    let read_down_columns = down.is_some();
    let (mut samples, kinds) = match down {
        Some(columns) => {
            let (by_columns, column_kinds, _) = judge_groups(&columns);
            (by_columns, column_kinds)
        }
        None => (by_rows, row_kinds),
    };
    let mut rows = Vec::new();
    // Samples are in row order, so each row's are one contiguous run.
    let mut rest = &mut samples[..];
    for (ri, &kind) in kinds.iter().enumerate() {
        let n = rest.iter().take_while(|s| s.row == ri).count();
        let (row_samples, tail) = rest.split_at_mut(n);
        rows.push(pick_best(row_samples, ri, kind));
        rest = tail;
    }
    let size_warning = SizeWarning::check(dec.dpi_source, dpi, img.width(), img.height());
    Ok(SheetReport {
        samples,
        rows,
        dpi,
        dpi_source: dec.dpi_source,
        output_dpi: opts.output_dpi,
        skew_deg: skew,
        width: img.width(),
        height: img.height(),
        size_warning,
        paper_quad: None,
        printed_rows_followed: printed.is_some(),
        kinds_down_columns: read_down_columns,
    })
}

/// Groups (rows, or columns) whose boxes are read and judged together: a row has three boxes
/// or four, which on two cores left one core idle for a third of each row's work (issue 76);
/// two rows keep both busy and hold two rows' planes, not the whole sheet's.
const GROUPS_AT_ONCE: usize = 2;

/// `buf`, rows of `row_len` items, worked on in bands of `rows_per_band` rows on every core
/// (`in_parallel`): `work(first_row, band)`, the band's rows whole and its first row's index.
pub(crate) fn in_row_bands<T: Send>(buf: &mut [T], row_len: usize, rows_per_band: usize, work: impl Fn(usize, &mut [T]) + Sync) {
    let bands: Vec<(usize, &mut [T])> = buf.chunks_mut(rows_per_band * row_len).enumerate().map(|(k, band)| (k * rows_per_band, band)).collect();
    in_parallel(bands, |(first_row, band)| work(first_row, band));
}

/// `work` done on each of `items`, the results in the items' order, on as many threads as the
/// machine has cores (at most one an item): a row's boxes are read and judged independently of
/// each other, and a counter PC has two cores or more (issue 76: 275–286 ms a 300-dpi sheet on
/// one core against the 250 ms asked). Each thread takes the next item left, so a slow box does
/// not hold back the others. A panic in `work` reaches the caller as before.
pub(crate) fn in_parallel<T: Send, R: Send>(items: Vec<T>, work: impl Fn(T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Mutex, PoisonError};
    // Read once a process: on Linux each call reads the affinity mask and the cgroup's quota.
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let threads = (*CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))).min(items.len());
    if threads <= 1 {
        return items.into_iter().map(work).collect();
    }
    let todo: Vec<Mutex<Option<T>>> = items.into_iter().map(|t| Mutex::new(Some(t))).collect();
    let done: Vec<Mutex<Option<R>>> = todo.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let worker = || {
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            let Some(slot) = todo.get(k) else { break };
            let item = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
            if let Some(item) = item {
                let result = work(item);
                *done[k].lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
            }
        }
    };
    std::thread::scope(|s| {
        for _ in 1..threads {
            s.spawn(worker);
        }
        worker();
    });
    done.into_iter().filter_map(|d| d.into_inner().unwrap_or_else(PoisonError::into_inner)).collect()
}

/// The share of the paper's light the sheet's blackest print absorbs, in linear light: the
/// scanner's own black, against which an ink's absorption is read (`analyse`'s `absorbed`).
/// Read on the boxes' ruled lines, the one print every sheet has where the importer knows it
/// is: across each line every 2 px along the middle 70 % of each side, the darkest pixel
/// (luma), and the darkest 5 % of those; or on the form's print around them, or the deepest
/// channel of anything there, a seal's ink included ([`darkest_print`]), where that is darker;
/// against the sheet's paper, decoded from sRGB. A scanner
/// reads black print 0.93–0.99 of the way to no light; a document camera's or a phone's tone
/// curve lifts its black (issue 76: the makers' black points of 1.5–4 %), and a thin rule at
/// 150 dpi keeps less of its darkness than bold print, so this is a floor of the print's true
/// black, never above 1; under 0.5 (no lines read as lines) it is not used.
pub(crate) fn sheet_black(img: &RgbImage, frame: Frame, geoms: &[BoxGeom], paper: [f32; 3], dpi: f32) -> f32 {
    let paper_l = 0.299 * paper[0] + 0.587 * paper[1] + 0.114 * paper[2];
    let (w, h) = (img.width() as i64, img.height() as i64);
    let at = |u: f32, v: f32| -> Option<f32> {
        let (x, y) = frame.to_scan(u, v);
        let (xi, yi) = (x as i64, y as i64);
        (xi >= 0 && yi >= 0 && xi < w && yi < h).then(|| luma(&img.get_pixel(xi as u32, yi as u32).0))
    };
    let mut darkest = Vec::new();
    for g in geoms {
        let (du, dv) = (0.15 * (g.u1 - g.u0), 0.15 * (g.v1 - g.v0));
        // (along from, along to, across from, across to, horizontal)
        let sides = [
            (g.u0 + du, g.u1 - du, g.v0 - g.line_w[0] - 2.0, g.v0 + 1.0, true),
            (g.v0 + dv, g.v1 - dv, g.u1 - 1.0, g.u1 + g.line_w[1] + 2.0, false),
            (g.u0 + du, g.u1 - du, g.v1 - 1.0, g.v1 + g.line_w[2] + 2.0, true),
            (g.v0 + dv, g.v1 - dv, g.u0 - g.line_w[3] - 2.0, g.u0 + 1.0, false),
        ];
        for (a0, a1, c0, c1, horizontal) in sides {
            let mut a = a0;
            while a < a1 {
                let mut c = c0;
                let mut least = f32::MAX;
                while c <= c1 {
                    let l = if horizontal { at(a, c) } else { at(c, a) };
                    least = least.min(l.unwrap_or(f32::MAX));
                    c += 1.0;
                }
                if least < f32::MAX {
                    darkest.push(least);
                }
                a += 2.0;
            }
        }
    }
    if darkest.is_empty() || paper_l <= 0.0 {
        return 1.0;
    }
    let k = darkest.len() / 20;
    let on_lines = *darkest.select_nth_unstable_by(k, f32::total_cmp).1;
    let level = on_lines.min(darkest_print(img, frame, geoms, paper, dpi));
    let coded = (level / paper_l).clamp(0.0, 1.0);
    let black = 1.0 - crate::analyse::srgb_to_linear(coded);
    if black < 0.5 { 1.0 } else { black }
}

/// The luma of the darkest neutral print around the boxes: over the rectangle that holds them,
/// 10 mm more each way (the form's own labels and headings beside and above its grid, not the
/// desk or the scanner's lid beyond the page), every other pixel of every other row, the 1/2000
/// darkest of the pixels whose chroma is under 40 (black print and pens), at least
/// 20. A form may print its rules grey (issue 76: maker E's inkjet form, rules at 0.6–0.8 of the
/// way to black at 400 dpi) while its text is black.
///
/// Or, where that is darker, the same quantile of every pixel's darkest channel against the
/// paper's in that channel (as a luma level: the channel's share of the paper's times the
/// paper's luma), whatever its colour: the scanner's black lies at least as deep as anything on
/// the sheet reads in any channel, and a red ink's green is read as deep as black print's. A
/// form printed by a ribbon or from a faded cartridge is no black (issue 76, maker K: a 24-pin
/// printer's print absorbs 0.72–0.96 of the light), and taken for the scanner's black it lifted
/// every ink read against it by up to a third: pale seals read normal.
fn darkest_print(img: &RgbImage, frame: Frame, geoms: &[BoxGeom], paper: [f32; 3], dpi: f32) -> f32 {
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for g in geoms {
        for (u, v) in [(g.u0, g.v0), (g.u1, g.v0), (g.u0, g.v1), (g.u1, g.v1)] {
            let (x, y) = frame.to_scan(u, v);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
    }
    let margin = 10.0 * dpi / 25.4;
    let (w, h) = (img.width() as usize, img.height() as usize);
    let clamp = |v: f32, n: usize| (v.max(0.0) as usize).min(n);
    let (x0, x1, y0, y1) = (clamp(x0 - margin, w), clamp(x1 + margin, w), clamp(y0 - margin, h), clamp(y1 + margin, h));
    let raw = img.as_raw();
    let paper_l = 0.299 * paper[0] + 0.587 * paper[1] + 0.114 * paper[2];
    // Each channel's level as a luma level: the channel's share of the paper's, times its luma.
    let to_luma: [[u8; 256]; 3] = std::array::from_fn(|c| std::array::from_fn(|v| (v as f32 / paper[c].max(1.0) * paper_l).round().clamp(0.0, 255.0) as u8));
    let (mut neutral, mut any) = ([0u32; 256], [0u32; 256]);
    let mut n = 0u32;
    for y in (y0..y1).step_by(2) {
        for x in (x0..x1).step_by(2) {
            let p = &raw[(y * w + x) * 3..(y * w + x) * 3 + 3];
            if i32::from(p[0].max(p[1]).max(p[2])) - i32::from(p[0].min(p[1]).min(p[2])) < 40 {
                neutral[usize::from(luma8(p[0], p[1], p[2]))] += 1;
                n += 1;
            }
            let deepest = to_luma[0][usize::from(p[0])].min(to_luma[1][usize::from(p[1])]).min(to_luma[2][usize::from(p[2])]);
            any[usize::from(deepest)] += 1;
        }
    }
    let quantile = |hist: &[u32; 256], total: u32| {
        let want = (total / 2000).max(20);
        let mut acc = 0;
        for (l, &c) in hist.iter().enumerate() {
            acc += c;
            if acc >= want {
                return l as f32;
            }
        }
        255.0
    };
    let total: u32 = any.iter().sum();
    quantile(&neutral, n).min(quantile(&any, total))
}

/// The scan's rows read as the printed sheet `printed` has them (#74), or `None` when they do
/// not match it: as many rows, and each row whose printed boxes are for different things with
/// as many boxes. Such a row is split into rows of one box each, judged as printed; a row of
/// one kind stays whole and is read by its ink.
fn as_printed(groups: &[Vec<usize>], printed: &[Vec<SampleKind>]) -> Option<ReadAsPrinted> {
    use crate::mixed_row as mixed;
    if groups.len() != printed.len() || groups.iter().zip(printed).any(|(g, p)| mixed(p) && g.len() != p.len()) {
        return None;
    }
    let mut rows = Vec::new();
    let mut kinds = Vec::new();
    for (g, p) in groups.iter().zip(printed) {
        if mixed(p) {
            rows.extend(g.iter().map(|&i| vec![i]));
            kinds.extend(p.iter().map(|&k| Some(k)));
        } else {
            rows.push(g.clone());
            kinds.push(None);
        }
    }
    Some(ReadAsPrinted { groups: rows, kinds })
}

/// A scan's rows of boxes as [`as_printed`] reads them: the boxes of each row, and the kind a
/// row is judged as where the sheet prints it (`None`: by its ink).
struct ReadAsPrinted {
    groups: Vec<Vec<usize>>,
    kinds: Vec<Option<SampleKind>>,
}

/// A sheet whose kinds run down its columns, not along its rows (issue 76, maker U: cfca-xs's
/// 签章采集表 prints 企业公章, 法人方章 and 法人签字 side by side, and a counter asks for that row
/// three times), read as printed nowhere: its columns as the groups a best sample is picked
/// from, top to bottom. Read so where the rows form a full grid (two rows or more, as many
/// boxes in each, no gap) and more of the boxes' ink classes (round, square, pen; empty boxes
/// not counted) agree with their column's commonest than with their row's. A row of one kind
/// with one odd impression stays a row; a single row has no columns to go by (the printed
/// layout tells those, [`as_printed`]).
/// The columns as groups, top to bottom, where they are the sheet's groups; `None` where its
/// rows are.
fn kinds_down_columns(groups: &[Vec<usize>], classes: &[Vec<Class>], geoms: &[BoxGeom]) -> Option<Vec<Vec<usize>>> {
    let n = groups.first().map_or(0, Vec::len);
    let grid = groups.len() >= 2 && n >= 2 && groups.iter().all(|g| g.len() == n && columns(g, geoms).iter().enumerate().all(|(k, &c)| c == k));
    if !grid {
        return None;
    }
    // the boxes that agree with their line's commonest class
    let agreeing = |line: &mut dyn Iterator<Item = Class>| {
        let mut counts = [0usize; 3];
        for k in line {
            match k {
                Class::Round => counts[0] += 1,
                Class::Square => counts[1] += 1,
                Class::Dark => counts[2] += 1,
                Class::Empty => {}
            }
        }
        counts.into_iter().max().unwrap_or(0)
    };
    let along_rows: usize = classes.iter().map(|row| agreeing(&mut row.iter().copied())).sum();
    let down_columns: usize = (0..n).map(|c| agreeing(&mut classes.iter().map(|row| row[c]))).sum();
    (down_columns > along_rows).then(|| (0..n).map(|c| groups.iter().map(|g| g[c]).collect()).collect())
}

/// The kind of a row: majority of the boxes' ink classes; seals split by shape.
fn vote(feats: &[analyse::BoxFeatures], row_index: usize) -> SampleKind {
    let (mut round, mut square, mut sig) = (0, 0, 0);
    for f in feats {
        match f.class {
            Class::Round => round += 1,
            Class::Square => square += 1,
            Class::Dark => sig += 1,
            Class::Empty => {}
        }
    }
    if round + square + sig == 0 {
        return if row_index == 0 { SampleKind::OfficialSeal } else { SampleKind::Signature };
    }
    if sig > round + square {
        SampleKind::Signature
    } else if square > round {
        SampleKind::LegalRepSeal
    } else {
        SampleKind::OfficialSeal
    }
}

fn pick_best(samples: &mut [crate::Sample], ri: usize, kind: SampleKind) -> Row {
    let best = samples.iter().enumerate().filter(|(_, s)| s.defects.is_empty()).max_by(|a, b| a.1.score.total_cmp(&b.1.score)).map(|(i, _)| i);
    if let Some(i) = best {
        samples[i].best = true;
    }
    Row { row: ri, kind, boxes: samples.len(), best_col: best.map(|i| samples[i].col), needs_restamp: best.is_none() }
}

/// Single-impression mode: the whole image is one box without lines; uneven light is
/// flattened first, and a round seal photographed at an angle is straightened (`rectify`),
/// after which masks and box are in the straightened image's pixels.
pub(crate) fn import_whole(dec: &Decoded, opts: &ImportOptions) -> Result<SheetReport, SealError> {
    let img = flatten_light(&dec.rgb, dec.dpi);
    let frame = Frame::new(0.0);
    let whole = |img: &RgbImage| {
        let geom = BoxGeom { u0: 0.0, v0: 0.0, u1: img.width() as f32, v1: img.height() as f32, line_w: [0.0; 4] };
        analyse::features(img, frame, &geom, dec.dpi, true)
    };
    let ft = whole(&img);
    // Round seals only: a square's outline cannot tell a view at an angle from a double
    // impression of a 15–25 mm 法人章.
    let stretch = if ft.class == Class::Round { analyse::seal_points(&ft).and_then(|p| rectify::outline_stretch(&p)) } else { None };
    let (img, ft) = match &stretch {
        Some(s) => {
            let straight = rectify::resample(&img, s);
            let ft = whole(&straight);
            (straight, ft)
        }
        None => (img, ft),
    };
    let kind = vote(std::slice::from_ref(&ft), 0);
    let mut s = vec![analyse::judge(ft, kind, 0, 0, frame, 0.0, dec.dpi, opts.output_dpi)];
    s[0].metrics.push(("view_stretch", stretch.map_or(1.0, |s| s.factor)));
    let row = pick_best(&mut s, 0, kind);
    // A single impression is no page: only a resolution the file does not give is a warning.
    let size_warning = (dec.dpi_source == DpiSource::Assumed).then_some(SizeWarning::DpiAssumed);
    Ok(SheetReport {
        samples: s,
        rows: vec![row],
        dpi: dec.dpi,
        dpi_source: dec.dpi_source,
        output_dpi: opts.output_dpi,
        skew_deg: 0.0,
        width: img.width(),
        height: img.height(),
        size_warning,
        paper_quad: None,
        printed_rows_followed: false,
        kinds_down_columns: false,
    })
}

/// Divides out a smooth illumination field estimated from the bright pixels of coarse blocks.
fn flatten_light(img: &RgbImage, dpi: f32) -> RgbImage {
    let bs = ((8.0 * dpi / 25.4) as u32).max(8);
    let (bw, bh) = (img.width().div_ceil(bs) as usize, img.height().div_ceil(bs) as usize);
    let mut field = vec![[255f32; 3]; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            let (x0, y0) = (bx as u32 * bs, by as u32 * bs);
            let (x1, y1) = ((x0 + bs).min(img.width()), (y0 + bs).min(img.height()));
            // 90th percentile of luma, its colour.
            let mut ls: Vec<(f32, [u8; 3])> = Vec::new();
            for y in (y0..y1).step_by(2) {
                for x in (x0..x1).step_by(2) {
                    let p = img.get_pixel(x, y).0;
                    ls.push((luma(&p), p));
                }
            }
            ls.sort_by(|a, b| a.0.total_cmp(&b.0));
            let p = ls[(ls.len() * 9 / 10).min(ls.len() - 1)].1;
            field[by * bw + bx] = [p[0].max(1) as f32, p[1].max(1) as f32, p[2].max(1) as f32];
        }
    }
    // Max over 3×3 blocks so ink-dense blocks borrow their neighbours' paper.
    let src = field.clone();
    for by in 0..bh {
        for bx in 0..bw {
            let mut best = src[by * bw + bx];
            for dy in -1i32..=1 {
                for dx in -1i32..=1 {
                    let (x, y) = (bx as i32 + dx, by as i32 + dy);
                    if x >= 0 && y >= 0 && (x as usize) < bw && (y as usize) < bh {
                        let q = src[y as usize * bw + x as usize];
                        if q[0] + q[1] + q[2] > best[0] + best[1] + best[2] {
                            best = q;
                        }
                    }
                }
            }
            field[by * bw + bx] = best;
        }
    }
    let mut out = img.clone();
    for (x, y, p) in out.enumerate_pixels_mut() {
        let fx = ((x as f32 + 0.5) / bs as f32 - 0.5).clamp(0.0, (bw - 1) as f32);
        let fy = ((y as f32 + 0.5) / bs as f32 - 0.5).clamp(0.0, (bh - 1) as f32);
        let (ix, iy) = (fx as usize, fy as usize);
        let (ax, ay) = (fx - ix as f32, fy - iy as f32);
        let (ix1, iy1) = ((ix + 1).min(bw - 1), (iy + 1).min(bh - 1));
        for c in 0..3 {
            let v = field[iy * bw + ix][c] * (1.0 - ax) * (1.0 - ay)
                + field[iy * bw + ix1][c] * ax * (1.0 - ay)
                + field[iy1 * bw + ix][c] * (1.0 - ax) * ay
                + field[iy1 * bw + ix1][c] * ax * ay;
            p.0[c] = (p.0[c] as f32 * 245.0 / v).min(255.0) as u8;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DPI: f32 = 200.0;

    #[test]
    fn work_done_in_parallel_comes_back_in_the_items_order() {
        // Uneven work (the first items slowest), more items than cores: every item once, in order.
        let items: Vec<u64> = (0..23).collect();
        let out = in_parallel(items.clone(), |i| {
            std::thread::sleep(std::time::Duration::from_millis(23 - i));
            (i, std::thread::current().id())
        });
        assert_eq!(out.iter().map(|o| o.0).collect::<Vec<_>>(), items);
        assert!(in_parallel(Vec::<u8>::new(), |i| i).is_empty());
        assert_eq!(in_parallel(vec![7u8], |i| i * 2), vec![14]);
    }

    use crate::analyse::{linear_to_srgb, srgb_to_linear};

    /// Each sample's (kind, `absorbed`, `density`), in box order.
    fn pale_measures(png: &[u8]) -> Vec<(SampleKind, f32, f32)> {
        let opts = ImportOptions { dpi: Some(300.0), ..Default::default() };
        let report = crate::import_sheet(png, &opts).expect("import");
        let m = |s: &crate::Sample, name: &str| s.metrics.iter().find(|m| m.0 == name).map(|m| m.1);
        report.samples.iter().filter_map(|s| Some((s.kind, m(s, "absorbed")?, m(s, "density")?))).collect()
    }

    #[test]
    fn an_inks_absorption_is_read_against_the_sheets_own_black_whatever_the_black_point() {
        // Issue 76: a document camera's or a phone's tone curve lifts its black (flare, a black
        // point of a few per cent): every level of the sheet becomes f + (1 − f)·L in linear
        // light. The ink's absorption against the paper then shrinks by the same factor as the
        // black print's, so read against the sheet's black it is what it was; the 8-bit coded
        // darkness (`density`) is not.
        let sheet = crate::synth::generate(&crate::synth::SynthOptions { seed: 12, dpi: 300.0, skew_deg: Some(0.4), defect_rate: 0.0, tinted: Some(false), ..Default::default() });
        let plain = image::load_from_memory(&sheet.bytes).expect("decode").to_rgb8();
        let flare = 0.06;
        let mut lifted = plain.clone();
        for p in lifted.pixels_mut() {
            for c in &mut p.0 {
                let l = srgb_to_linear(f32::from(*c) / 255.0);
                *c = (linear_to_srgb(flare + (1.0 - flare) * l) * 255.0).round() as u8;
            }
        }
        let png = |img: &RgbImage| {
            let mut out = std::io::Cursor::new(Vec::new());
            img.write_to(&mut out, image::ImageFormat::Png).expect("encode");
            out.into_inner()
        };
        let (before, after) = (pale_measures(&png(&plain)), pale_measures(&png(&lifted)));
        assert_eq!(before.len(), after.len());
        assert!(before.iter().any(|s| s.0.is_seal()) && before.iter().any(|s| !s.0.is_seal()), "{before:?}");
        let mut density_moved = 0.0f32;
        for (b, a) in before.iter().zip(&after) {
            assert!((b.1 - a.1).abs() <= 0.03, "{:?}: absorbed {} under a lifted black, {} without", b.0, a.1, b.1);
            density_moved = density_moved.max(b.2 - a.2);
        }
        // The coded darkness fell under the same lift: a limit on it would have moved.
        assert!(density_moved >= 0.1, "density moved {density_moved}");
    }

    /// Boxes of `w` × `h` mm at 300 dpi, `rows` × `cols` of them sharing their rules, the
    /// table's corner at (20, `top`) mm.
    fn table(rows: usize, cols: usize, w: f32, h: f32, top: f32) -> Vec<BoxGeom> {
        let px = 300.0 / 25.4;
        let mut boxes = Vec::new();
        for r in 0..rows {
            for c in 0..cols {
                let (u0, v0) = ((20.0 + c as f32 * w) * px, (top + r as f32 * h) * px);
                boxes.push(BoxGeom { u0: u0 + 2.0, v0: v0 + 2.0, u1: u0 + w * px - 2.0, v1: v0 + h * px - 2.0, line_w: [4.0; 4] });
            }
        }
        boxes
    }

    #[test]
    fn one_table_of_three_rows_sharing_their_rules_is_read_as_its_three_rows() {
        // Maker Z's sheet: one ruled table, 公章 | 法人章 | 签字 across, three samples down, no
        // caption strip between the rows; all nine boxes share lines, more than a row holds.
        let rows = group(&table(3, 3, 57.0, 55.0, 60.0), 300.0);
        assert_eq!(rows, vec![vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8]]);
        // A table of two rows of three is one group of six as before (a row that wrapped).
        assert_eq!(group(&table(2, 3, 57.0, 55.0, 60.0), 300.0), vec![vec![0, 1, 2, 3, 4, 5]]);
        // Three tables of three apart (a caption strip between them): a row each, as before.
        let apart: Vec<BoxGeom> = (0..3).flat_map(|k| table(1, 3, 58.0, 42.0, 30.0 + 80.0 * k as f32)).collect();
        assert_eq!(group(&apart, 300.0), vec![vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8]]);
    }

    #[test]
    fn a_sheet_of_one_three_by_three_table_has_its_nine_boxes() {
        // An empty 3 × 3 table of 57 × 55 mm boxes under a 10-mm caption row, rules 0.3 mm,
        // on a 200-dpi A4 page: once "no ruled sample boxes found" (the nine made one group).
        let px = 200.0 / 25.4;
        let (w, h) = ((210.0 * px) as u32, (297.0 * px) as u32);
        let mut img = RgbImage::from_pixel(w, h, image::Rgb([250, 250, 250]));
        let rule = |mm: f32| (mm * px) as u32..(mm * px) as u32 + 3;
        let (left, top) = (20.0, 50.0);
        let xs: Vec<f32> = (0..4).map(|c| left + 57.0 * c as f32).collect();
        let ys: Vec<f32> = std::iter::once(top).chain((0..4).map(|r| top + 10.0 + 55.0 * r as f32)).collect();
        for y in rule(top).start..rule(*ys.last().unwrap()).end {
            for &x in &xs {
                for xi in rule(x) {
                    img.put_pixel(xi, y, image::Rgb([70, 66, 78]));
                }
            }
        }
        for x in rule(left).start..rule(*xs.last().unwrap()).end {
            for &y in &ys {
                for yi in rule(y) {
                    img.put_pixel(x, yi, image::Rgb([70, 66, 78]));
                }
            }
        }
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(img).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).expect("png");
        let r = crate::import_sheet(&png, &crate::ImportOptions { dpi: Some(200.0), ..Default::default() }).expect("boxes found");
        assert_eq!(r.samples.len(), 9, "{:?}", r.samples.iter().map(|s| (s.row, s.col)).collect::<Vec<_>>());
        assert!(r.samples.iter().all(|s| s.empty), "nothing stamped");
    }

    #[test]
    fn the_sheets_black_is_read_on_its_ruled_lines() {
        // Lines of luma 60 on paper of 240: a coded ratio of 0.25, a reflectance of 0.05.
        let mut img = RgbImage::from_pixel(400, 400, image::Rgb([240, 240, 240]));
        for y in 0..400 {
            for x in 0..400 {
                if (98..102).contains(&x) || (298..302).contains(&x) || (98..102).contains(&y) || (298..302).contains(&y) {
                    img.put_pixel(x, y, image::Rgb([60, 60, 60]));
                }
            }
        }
        let g = BoxGeom { u0: 102.0, v0: 102.0, u1: 298.0, v1: 298.0, line_w: [4.0; 4] };
        let black = sheet_black(&img, Frame::new(0.0), &[g], [240.0; 3], 50.8);
        assert!((black - 0.949).abs() < 0.005, "{black}");
        // No print at all: no black to read, the ink is read against full absorption.
        let blank = RgbImage::from_pixel(400, 400, image::Rgb([240, 240, 240]));
        assert_eq!(sheet_black(&blank, Frame::new(0.0), &[g], [240.0; 3], 50.8), 1.0);
    }
    #[test]
    fn a_ribbon_printed_forms_grey_is_not_the_scanners_black_where_a_seals_ink_reads_deeper() {
        // Maker K: a 24-pin printer's rules absorb three quarters of the light (luma 129 on
        // paper of 240); a red seal's strokes in the box read green 12 of the paper's 240, as
        // deep as black print. The scanner's black is at least that deep: the rules' grey
        // taken for it lifted every ink a third, and pale seals read normal.
        let mut img = RgbImage::from_pixel(400, 400, image::Rgb([240, 240, 240]));
        for y in 0..400 {
            for x in 0..400 {
                if (98..102).contains(&x) || (298..302).contains(&x) || (98..102).contains(&y) || (298..302).contains(&y) {
                    img.put_pixel(x, y, image::Rgb([129, 129, 129]));
                }
            }
        }
        let g = BoxGeom { u0: 102.0, v0: 102.0, u1: 298.0, v1: 298.0, line_w: [4.0; 4] };
        let grey = sheet_black(&img, Frame::new(0.0), &[g], [240.0; 3], 50.8);
        assert!((grey - 0.75).abs() < 0.01, "the rules alone: {grey}");
        for y in 150..250 {
            for x in 150..250 {
                if (x / 6 + y / 6) % 3 == 0 {
                    img.put_pixel(x, y, image::Rgb([205, 12, 20]));
                }
            }
        }
        let black = sheet_black(&img, Frame::new(0.0), &[g], [240.0; 3], 50.8);
        assert!(black > 0.99, "with a seal's strokes: {black}");
    }
    const PAPER: [u8; 3] = [240, 240, 240];

    /// A 200-dpi page with one row of three 45 mm boxes (outer lines 0.4 mm dark grey) whose two
    /// dividers are 1-pixel lines of `divider` luma; `seal_on_divider` paints an opaque red ring
    /// (1.5 mm stroke, 20 mm radius) centred on the first divider, `tint` fills the middle box.
    fn page(divider: u8, seal_on_divider: bool, tint: Option<[u8; 3]>) -> RgbImage {
        let ppmm = DPI / 25.4;
        let px = |mm: f32| (mm * ppmm).round() as i64;
        let mut img = RgbImage::from_pixel(px(210.0) as u32, px(297.0) as u32, image::Rgb(PAPER));
        let mut fill = |x0: i64, y0: i64, x1: i64, y1: i64, c: [u8; 3]| {
            for y in y0..y1 {
                for x in x0..x1 {
                    img.put_pixel(x as u32, y as u32, image::Rgb(c));
                }
            }
        };
        let (l, t, r, b) = (px(20.0), px(40.0), px(155.0), px(85.0));
        if let Some(c) = tint {
            fill(px(65.0), t, px(110.0), b, c);
        }
        let w = px(0.4);
        for (x0, y0, x1, y1) in [(l, t, r + w, t + w), (l, b, r + w, b + w), (l, t, l + w, b + w), (r, t, r + w, b + w)] {
            fill(x0, y0, x1, y1, [40, 40, 40]);
        }
        for x in [px(65.0), px(110.0)] {
            fill(x, t, x + 1, b, [divider; 3]);
        }
        if seal_on_divider {
            let (cx, cy) = (65.0 * ppmm, 62.5 * ppmm);
            for y in 0..img.height() {
                for x in 0..img.width() {
                    let rr = (x as f32 - cx).hypot(y as f32 - cy) / ppmm;
                    if (18.5..=20.0).contains(&rr) {
                        img.put_pixel(x, y, image::Rgb([215, 45, 50]));
                    }
                }
            }
        }
        img
    }

    fn boxes(img: &RgbImage) -> Vec<Cell> {
        let paper = paper_colour(img, 0, 0, img.width(), img.height(), 4);
        let f = ((DPI / 100.0).round() as u32).max(1);
        let grid = dark_grid(img, paper, f, DPI);
        find_cells(&grid, Frame::new(0.0), DPI)
    }

    fn widths_mm(cells: &[Cell]) -> Vec<f32> {
        let mut w: Vec<f32> = cells.iter().map(|c| ((c.u1 - c.u0) * 25.4 / DPI).round()).collect();
        w.sort_by(f32::total_cmp);
        w
    }

    /// Issue 76, maker L: a fax lost the rule under a caption strip, and the row's two dividers
    /// end in the open where it was. The rule is drawn between them and the frame: three boxes,
    /// not one region with the strip. Two dark upright strokes 22 mm long and 17.5 mm apart in
    /// a box (closer than a box's width) draw nothing.
    #[test]
    fn a_rule_a_fax_lost_is_drawn_where_the_dividers_end_at_it() {
        let ppmm = DPI / 25.4;
        let px = |mm: f32| (mm * ppmm).round() as u32;
        let mut img = RgbImage::from_pixel(px(210.0), px(297.0), image::Rgb(PAPER));
        let mut fill = |x0: u32, y0: u32, x1: u32, y1: u32| paint(&mut img, x0, y0, x1, y1, [40, 40, 40]);
        let (l, strip, t, r, b, w) = (px(20.0), px(30.0), px(38.0), px(155.0), px(95.0), px(0.4));
        fill(l, strip, r + w, strip + w);
        fill(l, b, r + w, b + w);
        fill(l, strip, l + w, b + w);
        fill(r, strip, r + w, b + w);
        for x in [px(65.0), px(110.0)] {
            fill(x, t, x + w, b);
        }
        fill(px(75.0), px(50.0), px(75.0) + w, px(72.0));
        fill(px(92.5), px(50.0), px(92.5) + w, px(72.0));
        let w = widths_mm(&boxes(&img));
        assert!(w.len() == 3 && w.iter().all(|&x| (44.0..=46.0).contains(&x)), "{w:?}");
    }

    /// Issue 34: a hairline divider blurred at 150-200 dpi keeps a quarter of its darkness (0.75
    /// of the paper's luma): the boxes on either side are two boxes, not one.
    /// A synthetic sheet of boxes (no defects, upright) and its import: (row, col, box) per sample,
    /// the box as (left, top, right, bottom) in pixels.
    fn sheet_boxes(img: &RgbImage) -> Vec<(usize, usize, [f32; 4])> {
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).expect("encode");
        let report = crate::import_sheet(&out.into_inner(), &ImportOptions { dpi: Some(DPI), ..Default::default() }).expect("import");
        let mut boxes: Vec<(usize, usize, [f32; 4])> = report
            .samples
            .iter()
            .map(|s| {
                let xs = s.box_quad.map(|p| p[0]);
                let ys = s.box_quad.map(|p| p[1]);
                let lo = |v: [f32; 4]| v.iter().copied().fold(f32::MAX, f32::min);
                let hi = |v: [f32; 4]| v.iter().copied().fold(f32::MIN, f32::max);
                (s.row, s.col, [lo(xs), lo(ys), hi(xs), hi(ys)])
            })
            .collect();
        boxes.sort_by_key(|b| (b.0, b.1));
        boxes
    }

    fn plain_sheet() -> RgbImage {
        let sheet = crate::synth::generate(&crate::synth::SynthOptions { seed: 7, dpi: DPI, skew_deg: Some(0.0), defect_rate: 0.0, tinted: Some(false), ..Default::default() });
        image::load_from_memory(&sheet.bytes).expect("decode").to_rgb8()
    }

    /// Paper over a rectangle of the sheet (pixels), as a ribbon wrinkle drops a printer's dots.
    fn dropout(img: &mut RgbImage, x0: f32, y0: f32, x1: f32, y1: f32) {
        let paper = paper_colour(img, 0, 0, img.width(), img.height(), 4).map(|c| c.round() as u8);
        paint(img, x0.max(0.0) as u32, y0.max(0.0) as u32, x1 as u32, y1 as u32, paper);
    }

    /// One colour over a rectangle of pixels (`x0..x1`, `y0..y1`), cut to the image.
    fn paint(img: &mut RgbImage, x0: u32, y0: u32, x1: u32, y1: u32, colour: [u8; 3]) {
        for y in y0..y1.min(img.height()) {
            for x in x0..x1.min(img.width()) {
                img.put_pixel(x, y, image::Rgb(colour));
            }
        }
    }

    /// Issue 76, maker O: a thermal-transfer printer's ribbon wrinkles drop streaks of a form's
    /// print, and a divider and a box's bottom rule had gaps of 4–16 mm; each box ran out through
    /// its gap and its row was lost. The rule goes on beyond each gap, so the gap is bridged: the
    /// same boxes in the same rows and columns as on the whole sheet.
    #[test]
    fn a_rule_with_a_gap_a_printer_dropped_still_divides_boxes() {
        let clean = plain_sheet();
        let whole = sheet_boxes(&clean);
        let row0: Vec<&[f32; 4]> = whole.iter().filter(|b| b.0 == 0).map(|b| &b.2).collect();
        assert!(row0.len() >= 3, "{whole:?}");
        let mm = DPI / 25.4;
        let mut gapped = clean.clone();
        // The divider between the first two boxes, 8 mm of it halfway down; the second box's
        // bottom rule, 14 mm of it in the middle; the third box's top rule, 6 mm by its corner.
        let divider = (row0[0][2] + row0[1][0]) / 2.0;
        let middle = (row0[0][1] + row0[0][3]) / 2.0;
        dropout(&mut gapped, divider - 2.0 * mm, middle - 4.0 * mm, divider + 2.0 * mm, middle + 4.0 * mm);
        let centre = (row0[1][0] + row0[1][2]) / 2.0;
        dropout(&mut gapped, centre - 7.0 * mm, row0[1][3] - 0.5 * mm, centre + 7.0 * mm, row0[1][3] + 2.0 * mm);
        dropout(&mut gapped, row0[2][0] + 1.0 * mm, row0[2][1] - 2.0 * mm, row0[2][0] + 7.0 * mm, row0[2][1] + 0.5 * mm);
        let after = sheet_boxes(&gapped);
        let cells = |b: &[(usize, usize, [f32; 4])]| b.iter().map(|b| (b.0, b.1)).collect::<Vec<_>>();
        assert_eq!(cells(&after), cells(&whole));
        for (a, w) in after.iter().zip(&whole) {
            assert!(a.2.iter().zip(&w.2).all(|(a, w)| (a - w).abs() < 1.0 * mm), "r{}c{}: {:?} against {:?}", a.0, a.1, a.2, w.2);
        }
    }

    /// The other side of bridging: a line inside a box that ends in the open (an underline 8 mm
    /// short of the box's side, with paper beyond the side) is no gap, and the box stays whole.
    #[test]
    fn an_underline_ending_short_of_a_boxs_side_leaves_the_box_whole() {
        let ppmm = DPI / 25.4;
        let px = |mm: f32| (mm * ppmm).round() as u32;
        let mut img = RgbImage::from_pixel(px(210.0), px(297.0), image::Rgb(PAPER));
        let mut fill = |x0: u32, y0: u32, x1: u32, y1: u32| paint(&mut img, x0, y0, x1, y1, [40, 40, 40]);
        let w = px(0.4);
        // Three boxes 55 × 45 mm; an underline 40 mm long in the first, ending 8 mm from its
        // right side, halfway down.
        let (l, t, b) = (px(20.0), px(40.0), px(85.0));
        fill(l, t, px(185.0) + w, t + w);
        fill(l, b, px(185.0) + w, b + w);
        for x in [20.0, 75.0, 130.0, 185.0] {
            fill(px(x), t, px(x) + w, b + w);
        }
        fill(px(27.0), px(62.5), px(67.0), px(62.5) + w);
        let cells = boxes(&img);
        let heights: Vec<f32> = cells.iter().map(|c| ((c.v1 - c.v0) / ppmm).round()).collect();
        assert!(cells.len() == 3 && heights.iter().all(|&h| (44.0..=46.0).contains(&h)), "{heights:?}");
    }

    /// Boxes between the same two rules are one row even where the box between them was lost
    /// (a 30-mm stretch of its top rule gone, beyond any bridging, so that it opens onto the
    /// page): the other two are kept, in their own columns, 0 and 2, not 0 and 1.
    #[test]
    fn a_row_that_lost_its_middle_box_keeps_the_others_in_their_columns() {
        let clean = plain_sheet();
        let whole = sheet_boxes(&clean);
        let row0: Vec<&[f32; 4]> = whole.iter().filter(|b| b.0 == 0).map(|b| &b.2).collect();
        assert_eq!(row0.len(), 3, "{whole:?}");
        let mm = DPI / 25.4;
        let mut opened = clean.clone();
        let centre = (row0[1][0] + row0[1][2]) / 2.0;
        dropout(&mut opened, centre - 15.0 * mm, row0[1][1] - 3.0 * mm, centre + 15.0 * mm, row0[1][1] + 0.5 * mm);
        let after = sheet_boxes(&opened);
        let first: Vec<(usize, usize)> = after.iter().filter(|b| b.0 == 0).map(|b| (b.0, b.1)).collect();
        assert_eq!(first, vec![(0, 0), (0, 2)], "{after:?}");
        assert_eq!(after.len(), whole.len() - 1);
    }

    #[test]
    fn a_hairline_divides_boxes() {
        for divider in [40u8, 150, 180] {
            let w = widths_mm(&boxes(&page(divider, false, None)));
            assert_eq!(w.len(), 3, "divider at luma {divider}: {w:?}");
            assert!(w.iter().all(|&x| (44.0..=46.0).contains(&x)), "divider at luma {divider}: {w:?}");
        }
        // Paper noise-level darkening (0.9 of the paper) is no line.
        let w = widths_mm(&boxes(&page(216, false, None)));
        assert!(w.len() == 1 && w[0] > 130.0, "{w:?}");
    }

    /// A tinted box (grey, as dark as a faint hairline all over) stays a box: faint pixels are
    /// a line only where they are a ridge.
    #[test]
    fn a_tinted_box_is_no_line() {
        let w = widths_mm(&boxes(&page(40, false, Some([188, 186, 190]))));
        assert_eq!(w.len(), 3, "{w:?}");
    }

    /// Issue 34: on tinted paper a grey hairline keeps the paper's tint (neutral ink takes the
    /// same share of every channel): on a cream form (chroma 60) a divider at 0.72 of the paper
    /// reads a chroma of 43, and still divides the boxes; a red stroke as dark does not.
    #[test]
    fn a_hairline_on_tinted_paper_divides_boxes() {
        let cream = [235u8, 225, 175];
        let on_cream = |colour: [u8; 3]| {
            let mut img = page(150, false, None);
            for p in img.pixels_mut() {
                if p.0 == PAPER {
                    p.0 = cream;
                } else if p.0 == [40; 3] {
                    // the frame: dark grey on the cream, the paper's tint kept
                    p.0 = cream.map(|c| (f32::from(c) * 0.17) as u8);
                } else {
                    p.0 = colour;
                }
            }
            img
        };
        let grey = cream.map(|c| (f32::from(c) * 0.72) as u8);
        let w = widths_mm(&boxes(&on_cream(grey)));
        assert_eq!(w.len(), 3, "a grey hairline at 0.72 of cream paper: {w:?}");
        let red = [200, 100, 95];
        let w = widths_mm(&boxes(&on_cream(red)));
        assert!(w.len() == 1 && w[0] > 130.0, "a red stroke is no line: {w:?}");
    }

    /// Issue 34: a 阴文 seal (a field of dark ink with straight edges longer than a line's least
    /// run) cuts a hole out of its box's free cells; the box encloses it and stays a box (B-dev
    /// 077: the box read 0.74 full and was dropped, and its row with it).
    #[test]
    fn a_field_of_ink_inside_a_box_leaves_it_a_box() {
        let ppmm = DPI / 25.4;
        let mut img = page(40, false, None);
        let (x0, y0) = ((76.0 * ppmm) as u32, (51.0 * ppmm) as u32);
        let side = (22.0 * ppmm) as u32;
        for y in y0..y0 + side {
            for x in x0..x0 + side {
                img.put_pixel(x, y, image::Rgb([90, 40, 45]));
            }
        }
        let w = widths_mm(&boxes(&img));
        assert_eq!(w.len(), 3, "{w:?}");
    }

    /// Issue 34: seal ink painted over a divider hides 1.5 mm of it twice; the line continues
    /// under it and still divides the boxes.
    #[test]
    fn a_line_under_a_seal_still_divides_boxes() {
        let w = widths_mm(&boxes(&page(40, true, None)));
        assert_eq!(w.len(), 3, "{w:?}");
    }

    /// Issue 34: a seal's ring painted along a divider (its middle tangent to the line) hides
    /// 15 mm of it, with 0.4 mm pinholes of paper every 4 mm where the line is gone too, as C's seals
    /// over a line read at the grid's resolution: the line continues under the ink and still
    /// divides the boxes (C-heldout 039 and C-heldout2 033 merged two boxes each). Paper
    /// between the ink's strokes for 2 mm of every 4 is no ink over a line: the divider ends there.
    #[test]
    fn a_line_along_a_seal_ring_with_pinholes_still_divides_boxes() {
        let ppmm = DPI / 25.4;
        let ring = |paper_share: f32| {
            let mut img = page(40, false, None);
            let (cx, cy) = ((65.0 + 18.5) * ppmm, 62.5 * ppmm);
            for y in 0..img.height() {
                let paper = (y as f32 / ppmm) % 4.0 < 4.0 * paper_share;
                for x in 0..img.width() {
                    let rr = (x as f32 - cx).hypot(y as f32 - cy) / ppmm;
                    // The ring hides the divider wherever it lies over it, its holes included.
                    if (17.0..=20.0).contains(&rr) {
                        img.put_pixel(x, y, image::Rgb(if paper { PAPER } else { [215, 45, 50] }));
                    }
                }
            }
            widths_mm(&boxes(&img))
        };
        let w = ring(0.1);
        assert_eq!(w.len(), 3, "pinholes of 0.4 mm: {w:?}");
        let w = ring(0.5);
        assert_eq!(w.len(), 2, "paper for 2 mm at a time: {w:?}");
    }
}
