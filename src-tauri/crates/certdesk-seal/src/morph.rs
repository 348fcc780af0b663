//! Binary morphology on 0/1 byte masks (row-major, `w` × `h`): square dilation and erosion,
//! closing, and 8- or 4-connected components with their statistics. Everything works on runs of set pixels,
//! so the cost follows the ink, not the size of the crop: a box crop is mostly paper.
//! Outside the mask counts as 0 for dilation and as 1 for erosion, so a closing never eats
//! ink at the crop border.

use certdesk_seal_wide::wide_when_available;

/// Calls `f(start, end)` (inclusive) for every run of non-zero bytes in `row`.
#[inline]
pub(crate) fn runs(row: &[u8], mut f: impl FnMut(usize, usize)) {
    let w = row.len();
    let mut x = 0;
    while x < w {
        // Paper is the common case: skip zeros eight at a time.
        while let Some(word) = row.get(x..x + 8) {
            if word != [0u8; 8] {
                break;
            }
            x += 8;
        }
        while x < w && row[x] == 0 {
            x += 1;
        }
        if x == w {
            break;
        }
        let s = x;
        while x < w && row[x] != 0 {
            x += 1;
        }
        f(s, x - 1);
    }
}

/// Square dilation of a 0/1 mask with radius `r`.
#[wide_when_available]
pub(crate) fn dilate(mask: &[u8], w: usize, h: usize, r: usize) -> Vec<u8> {
    let mut tmp = vec![0u8; w * h];
    let mut any = vec![false; h];
    for y in 0..h {
        let out = &mut tmp[y * w..(y + 1) * w];
        runs(&mask[y * w..(y + 1) * w], |s, e| {
            out[s.saturating_sub(r)..=(e + r).min(w - 1)].fill(1);
            any[y] = true;
        });
    }
    let mut out = Vec::with_capacity(w * h);
    for y in 0..h {
        let (a, b) = (y.saturating_sub(r), (y + r).min(h.saturating_sub(1)));
        out.extend_from_slice(&tmp[a * w..(a + 1) * w]);
        let dst = &mut out[y * w..(y + 1) * w];
        for k in (a + 1..=b).filter(|&k| any[k]) {
            for (d, &s) in dst.iter_mut().zip(&tmp[k * w..(k + 1) * w]) {
                *d |= s;
            }
        }
    }
    out
}

/// Closing (dilation then erosion) with radius `r`, computed only in the window of the set
/// pixels' bounding box grown by 2·r: beyond `r` from the ink the closing is empty, and within
/// it every pixel's neighbourhood lies in the window or beyond the mask, where erosion counts
/// pixels as set either way. The result equals the closing of the whole mask.
pub(crate) fn close(mask: &[u8], w: usize, h: usize, r: usize) -> Vec<u8> {
    let mut out = vec![0u8; w * h];
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for y in 0..h {
        runs(&mask[y * w..(y + 1) * w], |s, e| {
            (x0, x1, y0, y1) = (x0.min(s), x1.max(e), y0.min(y), y1.max(y));
        });
    }
    if x0 == usize::MAX {
        return out;
    }
    let (x0, y0) = (x0.saturating_sub(2 * r), y0.saturating_sub(2 * r));
    let (x1, y1) = ((x1 + 2 * r).min(w - 1), (y1 + 2 * r).min(h - 1));
    let (cw, ch) = (x1 + 1 - x0, y1 + 1 - y0);
    let mut sub = Vec::with_capacity(cw * ch);
    for y in y0..=y1 {
        sub.extend_from_slice(&mask[y * w + x0..=y * w + x1]);
    }
    let closed = erode(&dilate(&sub, cw, ch, r), cw, ch, r);
    for (y, row) in closed.chunks_exact(cw).enumerate() {
        out[(y0 + y) * w + x0..=(y0 + y) * w + x1].copy_from_slice(row);
    }
    out
}

/// Square erosion of a 0/1 mask with radius `r`; pixels beyond the mask count as set.
pub(crate) fn erode(mask: &[u8], w: usize, h: usize, r: usize) -> Vec<u8> {
    let mut tmp = vec![0u8; w * h];
    for y in 0..h {
        let out = &mut tmp[y * w..(y + 1) * w];
        runs(&mask[y * w..(y + 1) * w], |s, e| {
            let a = if s == 0 { 0 } else { s + r };
            let b = if e + 1 == w { e as isize } else { e as isize - r as isize };
            if a as isize <= b {
                out[a..=b as usize].fill(1);
            }
        });
    }
    let mut out = Vec::with_capacity(w * h);
    for y in 0..h {
        let (a, b) = (y.saturating_sub(r), (y + r).min(h.saturating_sub(1)));
        out.extend_from_slice(&tmp[a * w..(a + 1) * w]);
        let dst = &mut out[y * w..(y + 1) * w];
        for k in a + 1..=b {
            for (d, &s) in dst.iter_mut().zip(&tmp[k * w..(k + 1) * w]) {
                *d &= s;
            }
        }
    }
    out
}

/// One connected component of a mask.
#[derive(Debug, Clone)]
pub(crate) struct Comp {
    /// Touches the edge of the mask.
    pub border: bool,
    pub area: usize,
    /// Pixels whose `region` value is 2 (inside the box).
    pub inside: usize,
    /// Sums of x and y over the pixels (centroid = sum / area).
    pub su: f64,
    pub sv: f64,
    /// Bounding box, inclusive.
    pub x0: usize,
    pub y0: usize,
    pub x1: usize,
    pub y1: usize,
}

impl Default for Comp {
    fn default() -> Self {
        Self { border: false, area: 0, inside: 0, su: 0.0, sv: 0.0, x0: usize::MAX, y0: usize::MAX, x1: 0, y1: 0 }
    }
}

/// A run of set pixels on row `y`, `s..=e`, in component `label` (an index into the runs until
/// resolved).
struct Run {
    y: usize,
    s: usize,
    e: usize,
    label: usize,
}

/// The components of `mask` (8-connected, or 4-connected with `eight` false): the runs
/// (resolved to component indices) and the components' statistics. Runs are joined with
/// union-find over the runs of consecutive rows.
pub(crate) struct Components {
    runs: Vec<Run>,
    pub comps: Vec<Comp>,
    w: usize,
}

impl Components {
    pub fn new(mask: &[u8], region: &[u8], w: usize, h: usize, eight: bool) -> Self {
        // Runs on consecutive rows touch when they overlap, or (8-connected) meet at a corner.
        let reach = usize::from(eight);
        let mut rs: Vec<Run> = Vec::new();
        let mut parent: Vec<usize> = Vec::new();
        fn find(p: &mut [usize], mut i: usize) -> usize {
            while p[i] != i {
                p[i] = p[p[i]];
                i = p[i];
            }
            i
        }
        let mut prev = 0..0;
        for y in 0..h {
            let start = rs.len();
            runs(&mask[y * w..(y + 1) * w], |s, e| {
                let id = rs.len();
                rs.push(Run { y, s, e, label: id });
                parent.push(id);
            });
            // Join with the runs above that touch, diagonals included.
            let mut k = prev.start;
            for i in start..rs.len() {
                let (s, e) = (rs[i].s, rs[i].e);
                while k < prev.end && rs[k].e + reach < s {
                    k += 1;
                }
                let mut j = k;
                while j < prev.end && rs[j].s <= e + reach {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    if a != b {
                        parent[a.max(b)] = a.min(b);
                    }
                    j += 1;
                }
            }
            prev = start..rs.len();
        }
        // Components numbered in order of their first run (raster order).
        let mut index = vec![usize::MAX; rs.len()];
        let mut comps: Vec<Comp> = Vec::new();
        for (i, run) in rs.iter_mut().enumerate() {
            let root = find(&mut parent, i);
            if index[root] == usize::MAX {
                index[root] = comps.len();
                comps.push(Comp::default());
            }
            let c = &mut comps[index[root]];
            let Run { y, s, e, .. } = *run;
            let n = e + 1 - s;
            c.area += n;
            c.inside += region[y * w + s..=y * w + e].iter().filter(|&&r| r == 2).count();
            c.su += (s + e) as f64 * n as f64 * 0.5;
            c.sv += (y * n) as f64;
            c.border |= s == 0 || e + 1 == w || y == 0 || y + 1 == h;
            (c.x0, c.x1, c.y0, c.y1) = (c.x0.min(s), c.x1.max(e), c.y0.min(y), c.y1.max(y));
            run.label = index[root];
        }
        Self { runs: rs, comps, w }
    }

    /// Component `k`'s area with whatever it encloses filled in: per row the span from its
    /// first pixel to its last, summed, and the same per column; the smaller of the two. A
    /// rectangle with a hole reads its whole rectangle; a shape open on one side (a U) keeps
    /// its opening in the direction across it.
    pub fn enclosed_area(&self, k: usize) -> usize {
        let c = &self.comps[k];
        let (cw, ch) = (c.x1 + 1 - c.x0, c.y1 + 1 - c.y0);
        let mut rows = vec![(usize::MAX, 0usize); ch];
        let mut cols = vec![(usize::MAX, 0usize); cw];
        for r in self.runs.iter().filter(|r| r.label == k) {
            let row = &mut rows[r.y - c.y0];
            *row = (row.0.min(r.s), row.1.max(r.e));
            for col in &mut cols[r.s - c.x0..=r.e - c.x0] {
                *col = (col.0.min(r.y), col.1.max(r.y));
            }
        }
        let spanned = |spans: &[(usize, usize)]| spans.iter().filter(|s| s.0 != usize::MAX).map(|s| s.1 + 1 - s.0).sum::<usize>();
        spanned(&rows).min(spanned(&cols))
    }

    /// Clears the pixels of every component for which `keep` is false.
    pub fn retain(&self, mask: &mut [u8], keep: &[bool]) {
        for r in &self.runs {
            if !keep[r.label] {
                mask[r.y * self.w + r.s..=r.y * self.w + r.e].fill(0);
            }
        }
    }

    /// Clears the pixels of the components in `trim` where `region` is not 2 (outside the box).
    pub fn trim_outside(&self, mask: &mut [u8], trim: &[bool], region: &[u8]) {
        for r in &self.runs {
            if trim[r.label] {
                let row = r.y * self.w;
                for (m, &reg) in mask[row + r.s..=row + r.e].iter_mut().zip(&region[row + r.s..=row + r.e]) {
                    if reg != 2 {
                        *m = 0;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, pixel by pixel: max (dilation) or min (erosion) over the clipped square.
    fn naive(mask: &[u8], w: usize, h: usize, r: usize, dil: bool) -> Vec<u8> {
        let mut out = vec![0u8; w * h];
        for y in 0..h {
            for x in 0..w {
                let mut v = if dil { 0 } else { 1 };
                for yy in y.saturating_sub(r)..=(y + r).min(h - 1) {
                    for xx in x.saturating_sub(r)..=(x + r).min(w - 1) {
                        v = if dil { v | mask[yy * w + xx] } else { v & mask[yy * w + xx] };
                    }
                }
                out[y * w + x] = v;
            }
        }
        out
    }

    #[test]
    fn closing_of_a_small_blob_far_from_the_border_is_exact() {
        // Two strokes 3 px apart in a big empty mask: the window is small, the result must be
        // the closing of the whole mask.
        let (w, h) = (60, 50);
        let mut m = vec![0u8; w * h];
        for y in 20..30 {
            m[y * w + 25] = 1;
            m[y * w + 29] = 1;
        }
        let want = naive(&naive(&m, w, h, 2, true), w, h, 2, false);
        assert_eq!(close(&m, w, h, 2), want);
        assert_eq!(want[25 * w + 27], 1, "the gap is bridged");
        assert_eq!(close(&vec![0u8; w * h], w, h, 2), vec![0u8; w * h]);
    }

    fn noise(w: usize, h: usize, seed: u64, density: u64) -> Vec<u8> {
        let mut s = seed | 1;
        (0..w * h)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                u8::from(s % 100 < density)
            })
            .collect()
    }

    #[test]
    fn dilation_and_erosion_match_the_definition() {
        for (w, h) in [(1, 1), (3, 17), (23, 9), (40, 31)] {
            for density in [3, 40, 90] {
                let m = noise(w, h, (w * 131 + h) as u64 + density, density);
                for r in 0..4 {
                    assert_eq!(dilate(&m, w, h, r), naive(&m, w, h, r, true), "dilate {w}×{h} r{r} d{density}");
                    assert_eq!(erode(&m, w, h, r), naive(&m, w, h, r, false), "erode {w}×{h} r{r} d{density}");
                    let closing = naive(&naive(&m, w, h, r, true), w, h, r, false);
                    assert_eq!(close(&m, w, h, r), closing, "close {w}×{h} r{r} d{density}");
                }
            }
        }
    }

    #[test]
    fn components_are_eight_connected_with_their_sums() {
        // Diagonal neighbours join; runs with a gap or an empty row between them do not.
        #[rustfmt::skip]
        let m = [
            1, 0, 0, 0, 1,
            0, 1, 0, 0, 1,
            0, 0, 0, 0, 0,
            1, 1, 0, 1, 0,
        ];
        let region = [2u8; 20];
        let c = Components::new(&m, &region, 5, 4, true);
        let areas: Vec<usize> = c.comps.iter().map(|c| c.area).collect();
        assert_eq!(areas, vec![2, 2, 2, 1]);
        assert_eq!((c.comps[0].su, c.comps[0].sv), (1.0, 1.0));
        assert_eq!((c.comps[2].su, c.comps[2].sv), (1.0, 6.0));
        assert!(c.comps.iter().all(|c| c.border));
        let mut m2 = m;
        c.retain(&mut m2, &[true, false, true, true]);
        assert_eq!(m2.iter().map(|&v| v as usize).sum::<usize>(), 5);
        assert_eq!(m2[4] + m2[9], 0);
        assert_eq!((c.comps[0].x0, c.comps[0].y0, c.comps[0].x1, c.comps[0].y1), (0, 0, 1, 1));
        // 4-connected: the diagonal pair splits.
        let c4 = Components::new(&m, &region, 5, 4, false);
        assert_eq!(c4.comps.iter().map(|c| c.area).collect::<Vec<_>>(), vec![1, 2, 1, 2, 1]);
    }

    #[test]
    fn a_component_encloses_its_holes_and_not_its_openings() {
        // A 6 × 5 frame round a 2 × 2 hole (plus a cell of the frame's own), and a U open at the top.
        #[rustfmt::skip]
        let framed = [
            1, 1, 1, 1, 1, 1,
            1, 0, 0, 1, 1, 1,
            1, 0, 0, 1, 0, 1,
            1, 1, 1, 1, 1, 1,
            1, 1, 1, 1, 1, 1,
        ];
        let c = Components::new(&framed, &[2u8; 30], 6, 5, false);
        assert_eq!(c.comps[0].area, 25);
        assert_eq!(c.enclosed_area(0), 30);
        #[rustfmt::skip]
        let u = [
            1, 0, 0, 0, 1,
            1, 0, 0, 0, 1,
            1, 1, 1, 1, 1,
        ];
        let c = Components::new(&u, &[2u8; 15], 5, 3, false);
        // Across the rows the opening fills (15), down the columns it stays open (9).
        assert_eq!(c.enclosed_area(0), 9);
    }
}
