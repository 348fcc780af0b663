//! Phone photos of a whole sheet. Owns finding the paper as a quadrilateral on a darker
//! background, the perspective map that straightens it into an upright A4 page (its resolution
//! taken from the paper's own edges), and mapping the importer's results (box corners, masks)
//! back into the photo's pixels, so a report on a photo speaks the same pixels as one on a scan.
//! Scans, where the paper fills the image, are left alone. Also the 4-point homography the
//! synthetic generator uses to take its photos.

use image::{GrayImage, Luma, RgbImage};

use certdesk_seal_wide::wide_when_available;

use crate::analyse::luma8;

/// A projective map as `[h0..h7]` (h8 = 1): (x, y) → ((h0x + h1y + h2)/w, (h3x + h4y + h5)/w),
/// w = h6x + h7y + 1.
pub(crate) type Homography = [f64; 8];

/// The map taking four points to four others (Gaussian elimination, partial pivoting).
pub(crate) fn homography(src: [(f32, f32); 4], dst: [(f32, f32); 4]) -> Homography {
    let mut a = [[0f64; 9]; 8];
    for (k, (&(x, y), &(u, v))) in src.iter().zip(&dst).enumerate() {
        let (x, y, u, v) = (x as f64, y as f64, u as f64, v as f64);
        a[2 * k] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * k + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    for c in 0..8 {
        let p = (c..8).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs())).unwrap_or(c);
        a.swap(c, p);
        let d = a[c][c];
        if d.abs() < 1e-12 {
            continue;
        }
        for r in 0..8 {
            if r != c {
                let f = a[r][c] / d;
                for k in c..9 {
                    a[r][k] -= f * a[c][k];
                }
            }
        }
    }
    let mut h = [0f64; 8];
    for (i, e) in h.iter_mut().enumerate() {
        *e = if a[i][i].abs() < 1e-12 { 0.0 } else { a[i][8] / a[i][i] };
    }
    h
}

pub(crate) fn project(h: &Homography, x: f32, y: f32) -> (f32, f32) {
    let (x, y) = (x as f64, y as f64);
    let w = h[6] * x + h[7] * y + 1.0;
    (((h[0] * x + h[1] * y + h[2]) / w) as f32, ((h[3] * x + h[4] * y + h[5]) / w) as f32)
}

/// A photo straightened into an A4 page.
pub(crate) struct Rectified {
    pub page: RgbImage,
    /// Resolution of `page`, from the paper's edges (or the caller's).
    pub dpi: f32,
    /// The paper's corners in the photo: top-left, top-right, bottom-right, bottom-left.
    pub quad: [[f32; 2]; 4],
    /// Page pixels → photo pixels.
    pub to_photo: Homography,
}

/// The paper of a phone photo: the corners of the bright region grown from the middle of the
/// photo, when it is clearly surrounded by something darker (a scan, where the paper reaches
/// the image's edges, gives `None`). Read on cells of a six-hundredth of the image's long side
/// (the upper quartile of each one's luma, in linear light); a corner is the region's extreme along a diagonal.
///
/// Grown, not thresholded (issue 76: maker H's phone photos): the paper's own light falls by
/// 15–40 % under a phone's shadow and towards the corners, while a light desk, lifted by the
/// phone's local tone mapping, can be as bright as the shadowed paper, so no one level parts
/// them (a quarter of H's photos lost their paper or ran it into the desk). Along the paper the
/// light changes by a few per cent a cell, even in a shadow's penumbra (8–25 mm); across the
/// paper's edge it falls at once to the desk's, under 0.7 of the paper's in linear light. So a
/// cell joins its neighbour's region where it keeps 0.8 of that neighbour's light and half of the
/// paper's (`paper`, the middle third's brightest quarter: a photo of a sheet has paper
/// there, while the whole photo's mode can be the desk's).
pub(crate) fn paper_quad(img: &RgbImage) -> Option<[(f32, f32); 4]> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let f = (w.max(h) / 600).max(2);
    let (gw, gh) = (w / f, h / f);
    // A sliver of an image (64 × 60 000 fits the pixel budget) has no paper to find.
    if gw < 8 || gh < 8 {
        return None;
    }
    let raw = img.as_raw();
    let linear: [f32; 256] = std::array::from_fn(|v| crate::analyse::srgb_to_linear(v as f32 / 255.0));
    // Each cell's upper quartile of luma (every other pixel of every other row), in linear
    // light: a ruled line or a character covers under three quarters of a cell's pixels, so the
    // cell reads as the paper round it (a mean, or the median under a 0.3 mm line at 300 dpi,
    // made the cells along a line darker, and the lines walls the region did not cross).
    // Bands of cell rows on every core.
    const BAND: usize = 16;
    let mut light = vec![0f32; gw * gh];
    crate::page::in_row_bands(&mut light, gw, BAND, |cy0, band| {
        let mut levels = Vec::with_capacity(f * f);
        for (cy, row) in band.chunks_exact_mut(gw).enumerate().map(|(k, row)| (cy0 + k, row)) {
            for (cx, cell) in row.iter_mut().enumerate() {
                levels.clear();
                for y in (cy * f..cy * f + f).step_by(2) {
                    let line = &raw[(y * w + cx * f) * 3..(y * w + cx * f + f) * 3];
                    levels.extend(line.chunks_exact(3).step_by(2).map(|p| luma8(p[0], p[1], p[2])));
                }
                let k = levels.len() * 3 / 4;
                *cell = linear[usize::from(*levels.select_nth_unstable(k).1)];
            }
        }
    });
    let mut middle: Vec<f32> = (gh / 3..2 * gh / 3).flat_map(|y| light[y * gw + gw / 3..y * gw + 2 * gw / 3].iter().copied()).collect();
    let k = middle.len() * 3 / 4;
    let paper = *middle.select_nth_unstable_by(k, f32::total_cmp).1;
    if paper <= 0.0 {
        return None;
    }
    // Grown from every paper-bright cell of the middle third not yet reached, the largest region
    // kept: a cell in the middle may be a pocket of paper inside a seal or a character.
    let floor = 0.5 * paper;
    let mut region = vec![0u32; gw * gh];
    let (mut best, mut best_n, mut next) = (0u32, 0usize, 0u32);
    let mut stack = Vec::new();
    for seed in (gh / 3..2 * gh / 3).flat_map(|y| (gw / 3..2 * gw / 3).map(move |x| y * gw + x)) {
        if region[seed] != 0 || light[seed] < 0.9 * paper {
            continue;
        }
        next += 1;
        region[seed] = next;
        stack.push(seed);
        let mut n = 0;
        while let Some(i) = stack.pop() {
            n += 1;
            let (x, y) = (i % gw, i / gw);
            let keep = 0.8 * light[i];
            let mut visit = |j: usize| {
                if region[j] == 0 && light[j] >= floor && light[j] >= keep {
                    region[j] = next;
                    stack.push(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < gw {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - gw);
            }
            if y + 1 < gh {
                visit(i + gw);
            }
        }
        if n > best_n {
            (best, best_n) = (next, n);
        }
    }
    if best == 0 {
        return None;
    }
    let grown: Vec<bool> = region.iter().map(|&r| r == best).collect();
    // A desk's own light lines (the gaps between floorboards, a tile's grout) can touch the
    // paper and the region runs out along them, cells wide: an opening of 3 cells cuts
    // such runs, and what it keeps is grown back over the region's own cells within 3 cells,
    // so the paper's corners stay where they are (issue 76: H's photo on a wooden floor took
    // the floor's top corners for the paper's).
    const R: usize = 3;
    let opened = box_filter(&box_filter(&grown, gw, gh, R, false), gw, gh, R, true);
    let near = box_filter(&opened, gw, gh, R, true);
    let inside: Vec<bool> = grown.iter().zip(&near).map(|(&g, &n)| g & n).collect();
    // A photo has a border all round that is not paper; a scan's paper reaches its edges. A
    // flatbed's lid may show beyond two sides of a page shifted on the glass, which the
    // growth, unlike a level, does not cross: the paper touching a tenth of the frame is a scan.
    let ring: Vec<usize> = (0..gw).flat_map(|x| [x, (gh - 1) * gw + x]).chain((0..gh).flat_map(|y| [y * gw, y * gw + gw - 1])).collect();
    if ring.iter().filter(|&&i| inside[i]).count() * 10 > ring.len() {
        return None;
    }
    // What lies round the region must be darker than paper: a scan's table framed by a thick
    // rule is a region too, with paper beyond the rule (issue 76: E's 600-dpi form read as a
    // photo of its own table). The band 2–10 cells beyond the region, at its median.
    let (beyond_edge, band_out) = (box_filter(&inside, gw, gh, 2, true), box_filter(&inside, gw, gh, 10, true));
    let mut band: Vec<f32> = (0..gw * gh).filter(|&i| band_out[i] && !beyond_edge[i]).map(|i| light[i]).collect();
    if band.is_empty() {
        return None;
    }
    let k = band.len() / 2;
    if *band.select_nth_unstable_by(k, f32::total_cmp).1 >= 0.8 * paper {
        return None;
    }
    // The paper must be most of the photo, or this is something else.
    if inside.iter().filter(|&&v| v).count() * 3 < gw * gh {
        return None;
    }
    let mut ext = [(f32::MAX, (0.0, 0.0)), (f32::MIN, (0.0, 0.0)), (f32::MIN, (0.0, 0.0)), (f32::MIN, (0.0, 0.0))];
    let cells = inside.chunks_exact(gw).enumerate().flat_map(|(cy, row)| row.iter().enumerate().filter(|e| *e.1).map(move |(cx, _)| (cx, cy)));
    for (cx, cy) in cells {
        let (x, y) = ((cx * f + f / 2) as f32, (cy * f + f / 2) as f32);
        // Top-left: min x + y; top-right: max x − y; bottom-right: max x + y; bottom-left: max y − x.
        if x + y < ext[0].0 {
            ext[0] = (x + y, (x, y));
        }
        if x - y > ext[1].0 {
            ext[1] = (x - y, (x, y));
        }
        if x + y > ext[2].0 {
            ext[2] = (x + y, (x, y));
        }
        if y - x > ext[3].0 {
            ext[3] = (y - x, (x, y));
        }
    }
    // Cell centres sit half a cell inside the paper's edge.
    let half = f as f32 * 0.5;
    let [tl, tr, br, bl] = ext.map(|e| e.1);
    Some([(tl.0 - half, tl.1 - half), (tr.0 + half, tr.1 - half), (br.0 + half, br.1 + half), (bl.0 - half, bl.1 + half)])
}

/// A square window of radius `r` cells over a grid: `any` set where a cell of the window is
/// (dilation), else where every cell of it is (erosion, cells beyond the grid counting as set
/// so that a region touching the edge is not eaten from there). Separable: rows, then columns.
fn box_filter(cells: &[bool], gw: usize, gh: usize, r: usize, any: bool) -> Vec<bool> {
    // Along the rows, then along the rows of the transposed grid (the columns), each window's
    // count kept as it slides: one cell in and one out, whatever its radius (issue 76: walking
    // every window took a tenth of a photo's import).
    let pass = |cells: &[bool], n: usize| -> Vec<bool> {
        let mut out = vec![false; cells.len()];
        for (line, done) in cells.chunks_exact(n).zip(out.chunks_exact_mut(n)) {
            let mut set = line[..r.min(n)].iter().filter(|&&c| c).count();
            for (b, o) in done.iter_mut().enumerate() {
                if b + r < n {
                    set += usize::from(line[b + r]);
                }
                if b > r {
                    set -= usize::from(line[b - r - 1]);
                }
                let width = (b + r).min(n - 1) + 1 - b.saturating_sub(r);
                *o = if any { set > 0 } else { set == width };
            }
        }
        out
    };
    let rows = pass(cells, gw);
    let cols = pass(&transposed(&rows, gw, gh), gh);
    transposed(&cols, gh, gw)
}

/// A grid of `h` rows of `w` cells, as `w` rows of `h`.
fn transposed(cells: &[bool], w: usize, h: usize) -> Vec<bool> {
    let mut out = vec![false; w * h];
    for (y, row) in cells.chunks_exact(w).enumerate() {
        for (x, &c) in row.iter().enumerate() {
            out[x * h + y] = c;
        }
    }
    out
}

fn sides(quad: [(f32, f32); 4]) -> (f32, f32, bool) {
    let side = |a: (f32, f32), b: (f32, f32)| (a.0 - b.0).hypot(a.1 - b.1);
    let (across, down) = (side(quad[0], quad[1]) + side(quad[3], quad[2]), side(quad[0], quad[3]) + side(quad[1], quad[2]));
    (across, down, across > down)
}

/// The resolution to straighten a photo's paper to: the caller's, else what its edges give
/// (the mean of its sides against 210 × 297 mm), at most 600 dpi and the pixel budget.
/// `None` when the region is no A4 sheet (sides more than 15 % off A4's proportion, which
/// perspective alone does not do) or the edges give under 100 dpi: then it is not treated
/// as a photo at all.
pub(crate) fn page_dpi(quad: [(f32, f32); 4], given: Option<f32>, max_pixels: u64) -> Option<f32> {
    let (across, down, landscape) = sides(quad);
    let aspect = across.max(down) / across.min(down).max(1.0);
    if (aspect / (297.0 / 210.0) - 1.0).abs() > 0.15 {
        return None;
    }
    let (wmm, hmm) = if landscape { (297.0, 210.0) } else { (210.0, 297.0) };
    let edges = 0.5 * (across / wmm + down / hmm) * 0.5 * 25.4;
    let budget = (max_pixels as f32 / (210.0 * 297.0)).sqrt() * 25.4;
    let dpi = given.unwrap_or(edges).min(600.0).min(budget);
    (dpi >= 100.0).then_some(dpi)
}

/// Straightens the paper of a photo into an upright A4 page at `dpi` (see [`page_dpi`]).
pub(crate) fn rectify(img: &RgbImage, quad: [(f32, f32); 4], dpi: f32) -> Rectified {
    let (_, _, landscape) = sides(quad);
    let (wmm, hmm) = if landscape { (297.0, 210.0) } else { (210.0, 297.0) };
    let (pw, ph) = ((wmm * dpi / 25.4).round() as u32, (hmm * dpi / 25.4).round() as u32);
    let rect = [(0.0, 0.0), (pw as f32, 0.0), (pw as f32, ph as f32), (0.0, ph as f32)];
    let to_photo = homography(rect, quad);
    let mut page = RgbImage::new(pw, ph);
    // In bands of rows on every core (issue 76: the warp was a quarter of a 300-dpi photo's
    // import, on one core); each band is the same arithmetic as the whole page in one piece.
    let (iw, ih, row) = (img.width() as usize, img.height() as usize, pw as usize * 3);
    crate::page::in_row_bands(&mut page, row, WARP_BAND, |y0, band| warp_bilinear(img.as_raw(), iw, ih, &to_photo, band, pw as usize, y0));
    Rectified { page, dpi, quad: quad.map(|(x, y)| [x, y]), to_photo }
}

/// Page rows a thread warps at a time: enough bands for both cores to stay busy to the end,
/// few enough that taking one costs nothing beside warping it.
const WARP_BAND: usize = 64;

/// Fraction bits of the photo coordinates stepped along a run of page pixels.
const WARP_FRAC: u32 = 24;
/// Page pixels between two exact projections: the map is interpolated linearly between them,
/// which on a photo of a sheet (a perspective of at most a few thousandths per pixel) is off
/// by under a thousandth of a pixel, and saves a division per pixel.
const WARP_RUN: usize = 16;

/// A coordinate stepped along a run of samples: the photo's 24-bit fixed point in the warp,
/// the page's floats in the mask's way back.
trait Stepped: Copy {
    /// The step per sample from `from` to `to` over `n` samples.
    fn step(from: Self, to: Self, n: usize) -> Self;
    /// The value `k` steps on from `from`.
    fn nth(from: Self, step: Self, k: usize) -> Self;
}

impl Stepped for i64 {
    fn step(from: i64, to: i64, n: usize) -> i64 {
        (to - from) / n as i64
    }
    fn nth(from: i64, step: i64, k: usize) -> i64 {
        from + step * k as i64
    }
}

impl Stepped for f32 {
    fn step(from: f32, to: f32, n: usize) -> f32 {
        (to - from) / n as f32
    }
    fn nth(from: f32, step: f32, k: usize) -> f32 {
        from + step * k as f32
    }
}

/// One run of a sample row: the map projected exactly at its first sample and at the next
/// run's, and stepped linearly between (see [`WARP_RUN`]).
struct Run<T> {
    start: usize,
    len: usize,
    from: (T, T),
    step: (T, T),
}

impl<T: Stepped> Run<T> {
    /// The mapped point of the run's `k`th sample.
    fn point(&self, k: usize) -> (T, T) {
        (T::nth(self.from.0, self.step.0, k), T::nth(self.from.1, self.step.1, k))
    }
}

/// A row of `samples` samples in runs of [`WARP_RUN`] (the last one shorter), `at` being the
/// exact map of sample `s`; only the runs that reach into `wanted`, each the same as in the
/// whole row.
fn runs<T: Stepped>(samples: usize, wanted: std::ops::Range<usize>, at: impl Fn(usize) -> (T, T)) -> impl Iterator<Item = Run<T>> {
    (0..samples).step_by(WARP_RUN).filter(move |&start| start + WARP_RUN > wanted.start && start < wanted.end).map(move |start| {
        let len = WARP_RUN.min(samples - start);
        let (from, to) = (at(start), at(start + len));
        Run { start, len, from, step: (T::step(from.0, to.0, len), T::step(from.1, to.1, len)) }
    })
}

/// Fills `rows` (RGB, `pw` pixels wide, the page's rows from `y0` on) with the photo `raw`
/// (`iw` × `ih` RGB) sampled bilinearly through `to_photo` (page pixel centres → photo pixels).
#[wide_when_available]
fn warp_bilinear(raw: &[u8], iw: usize, ih: usize, to_photo: &Homography, rows: &mut [u8], pw: usize, y0: usize) {
    let h = to_photo;
    let one = (1i64 << WARP_FRAC) as f64;
    let (umax, vmax) = (((iw - 2) as i64) << WARP_FRAC, ((ih - 2) as i64) << WARP_FRAC);
    for (y, row) in rows.chunks_exact_mut(pw * 3).enumerate() {
        let yc = (y0 + y) as f64 + 0.5;
        // the photo point of page pixel centre x, less the half pixel of the photo's grid
        let at = |x: usize| {
            let xc = x as f64 + 0.5;
            let d = h[6] * xc + h[7] * yc + 1.0;
            ((((h[0] * xc + h[1] * yc + h[2]) / d - 0.5) * one) as i64, (((h[3] * xc + h[4] * yc + h[5]) / d - 0.5) * one) as i64)
        };
        for run in runs(pw, 0..pw, at) {
            let pixels = &mut row[run.start * 3..(run.start + run.len) * 3];
            for (k, p) in pixels.chunks_exact_mut(3).enumerate() {
                let (u, v) = run.point(k);
                let (u, v) = (u.clamp(0, umax), v.clamp(0, vmax));
                // Bilinear weights in 8-bit fixed point (the four products sum to 65 536):
                // integer arithmetic, across each row first and then down.
                let (fu, fv) = ((u >> (WARP_FRAC - 8)) as u32, (v >> (WARP_FRAC - 8)) as u32);
                let (iu, iv) = ((fu >> 8) as usize, (fv >> 8) as usize);
                let (tu, tv) = (fu & 255, fv & 255);
                let a = (iv * iw + iu) * 3;
                let (q, l) = (&raw[a..a + 6], &raw[a + iw * 3..a + iw * 3 + 6]);
                for c in 0..3 {
                    let top = u32::from(q[c]) * (256 - tu) + u32::from(q[c + 3]) * tu;
                    let bottom = u32::from(l[c]) * (256 - tu) + u32::from(l[c + 3]) * tu;
                    p[c] = ((top * (256 - tv) + bottom * tv + 32_768) >> 16) as u8;
                }
            }
        }
    }
}

/// A mask crop of the straightened page (at `offset`) redrawn in the photo's pixels: the new
/// crop and its offset (nearest sample through the inverse map).
pub(crate) fn mask_to_photo(mask: &GrayImage, offset: [u32; 2], to_photo: &Homography, to_page: &Homography, photo: (u32, u32)) -> (GrayImage, [u32; 2]) {
    if mask.width() == 0 || mask.height() == 0 {
        let (x, y) = project(to_photo, offset[0] as f32, offset[1] as f32);
        return (mask.clone(), [x.max(0.0) as u32, y.max(0.0) as u32]);
    }
    let (ox, oy, mw, mh) = (offset[0] as f32, offset[1] as f32, mask.width() as f32, mask.height() as f32);
    let pts = [(ox, oy), (ox + mw, oy), (ox + mw, oy + mh), (ox, oy + mh)].map(|(x, y)| project(to_photo, x, y));
    let x0 = pts.iter().map(|p| p.0).fold(f32::MAX, f32::min).floor().max(0.0) as u32;
    let y0 = pts.iter().map(|p| p.1).fold(f32::MAX, f32::min).floor().max(0.0) as u32;
    let x1 = (pts.iter().map(|p| p.0).fold(f32::MIN, f32::max).ceil().max(0.0) as u32).min(photo.0);
    let y1 = (pts.iter().map(|p| p.1).fold(f32::MIN, f32::max).ceil().max(0.0) as u32).min(photo.1);
    // Four samples per photo pixel, set when at least two fall on ink: the area rule the
    // masks follow, not one nearest sample (which shifts thin strokes by a pixel), along each
    // sample row in the warp's runs.
    let (w, h) = (x1.saturating_sub(x0).max(1), y1.saturating_sub(y0).max(1));
    let mut out = GrayImage::new(w, h);
    // Only the photo pixels round the mask's set pixels can be set (their page rectangle's
    // corners in the photo, and two pixels more for the rounding): the rest of the crop, which
    // no sample of ink reaches, is left unsampled (issue 76: redrawing the masks took a tenth
    // of a photo's import).
    let Some([sx0, sy0, sx1, sy1]) = set_bounds(mask) else {
        return (out, [x0, y0]);
    };
    let set = [(sx0, sy0), (sx1, sy0), (sx1, sy1), (sx0, sy1)].map(|(x, y)| project(to_photo, ox + x as f32, oy + y as f32));
    let near = |v: f32, lo: u32, n: u32| ((v - lo as f32).max(0.0) as u32).min(n);
    let (cx0, cx1) = (near(set.iter().map(|p| p.0).fold(f32::MAX, f32::min) - 2.0, x0, w), near(set.iter().map(|p| p.0).fold(f32::MIN, f32::max).ceil() + 2.0, x0, w));
    let (cy0, cy1) = (near(set.iter().map(|p| p.1).fold(f32::MAX, f32::min) - 2.0, y0, h), near(set.iter().map(|p| p.1).fold(f32::MIN, f32::max).ceil() + 2.0, y0, h));
    let samples = 2 * w as usize;
    let wanted = 2 * cx0 as usize..2 * cx1 as usize;
    let mut hits = vec![0u8; w as usize];
    for y in cy0..cy1 {
        hits.fill(0);
        for dy in [0.25f32, 0.75] {
            let py = (y0 + y) as f32 + dy;
            // sample s of the row sits at x0 + 0.25 + s / 2
            let at = |s: usize| project(to_page, x0 as f32 + 0.25 + s as f32 * 0.5, py);
            for run in runs(samples, wanted.clone(), at) {
                for k in 0..run.len {
                    let (u, v) = run.point(k);
                    let (lx, ly) = (u - ox, v - oy);
                    if lx >= 0.0 && ly >= 0.0 && lx < mw && ly < mh && mask.get_pixel(lx as u32, ly as u32).0[0] != 0 {
                        hits[(run.start + k) / 2] += 1;
                    }
                }
            }
        }
        for (x, &n) in hits.iter().enumerate() {
            if n >= 2 {
                out.put_pixel(x as u32, y, Luma([255]));
            }
        }
    }
    (out, [x0, y0])
}

/// The mask's set pixels' bounds, `[x0, y0, x1, y1]` with the far sides exclusive; `None` when
/// none is set.
fn set_bounds(mask: &GrayImage) -> Option<[u32; 4]> {
    let w = mask.width() as usize;
    let mut bounds: Option<[u32; 4]> = None;
    for (y, row) in mask.as_raw().chunks_exact(w.max(1)).enumerate() {
        let (Some(first), Some(last)) = (row.iter().position(|&m| m != 0), row.iter().rposition(|&m| m != 0)) else { continue };
        let (first, last, y) = (first as u32, last as u32 + 1, y as u32);
        bounds = Some(match bounds {
            Some([x0, y0, x1, _]) => [x0.min(first), y0, x1.max(last), y + 1],
            None => [first, y, last, y + 1],
        });
    }
    bounds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_filter_is_a_window_of_radius_r_clipped_at_the_grid() {
        // Against every window walked cell by cell, on a grid of scattered cells and blobs.
        let (gw, gh) = (23usize, 17usize);
        let cells: Vec<bool> = (0..gw * gh).map(|i| (i * 7919 + i / gw * 31) % 11 < 6 || (i % gw + i / gw) % 9 == 0).collect();
        for r in [0usize, 1, 3, 10, 30] {
            for any in [false, true] {
                let cells = &cells;
                let walked: Vec<bool> = (0..gw * gh)
                    .map(|i| {
                        let (x, y) = (i % gw, i / gw);
                        let xs = x.saturating_sub(r)..=(x + r).min(gw - 1);
                        let mut window = (y.saturating_sub(r)..=(y + r).min(gh - 1)).flat_map(|wy| xs.clone().map(move |wx| cells[wy * gw + wx]));
                        if any { window.any(|c| c) } else { window.all(|c| c) }
                    })
                    .collect();
                assert_eq!(box_filter(cells, gw, gh, r, any), walked, "r {r}, any {any}");
            }
        }
    }

    #[test]
    fn a_mask_redrawn_in_the_photo_is_the_same_sampled_only_round_its_ink() {
        // A disc and a stray pixel in a crop with empty margins, under a photo's perspective:
        // every photo pixel of the crop sampled, against the ink's neighbourhood only.
        let page = [(0.0, 0.0), (2480.0, 0.0), (2480.0, 3508.0), (0.0, 3508.0)];
        let quad = [(103.0, 88.0), (2590.0, 121.0), (2571.0, 3640.0), (91.0, 3597.0)];
        let (to_photo, to_page) = (homography(page, quad), homography(quad, page));
        let mut mask = GrayImage::new(120, 90);
        for (x, y, p) in mask.enumerate_pixels_mut() {
            let (dx, dy) = (x as f32 - 70.5, y as f32 - 40.0);
            if dx * dx + dy * dy < 22.0 * 22.0 || (x, y) == (101, 77) {
                *p = Luma([255]);
            }
        }
        let offset = [1203, 2711];
        let (out, at) = mask_to_photo(&mask, offset, &to_photo, &to_page, (2700, 3700));
        let (ox, oy) = (offset[0] as f32, offset[1] as f32);
        let mut every = GrayImage::new(out.width(), out.height());
        for y in 0..out.height() {
            let mut hits = vec![0u8; out.width() as usize];
            for dy in [0.25f32, 0.75] {
                let py = (at[1] + y) as f32 + dy;
                let samples = 2 * out.width() as usize;
                for run in runs(samples, 0..samples, |s: usize| project(&to_page, at[0] as f32 + 0.25 + s as f32 * 0.5, py)) {
                    for k in 0..run.len {
                        let (lx, ly) = (run.point(k).0 - ox, run.point(k).1 - oy);
                        if lx >= 0.0 && ly >= 0.0 && lx < 120.0 && ly < 90.0 && mask.get_pixel(lx as u32, ly as u32).0[0] != 0 {
                            hits[(run.start + k) / 2] += 1;
                        }
                    }
                }
            }
            for (x, &n) in hits.iter().enumerate() {
                if n >= 2 {
                    every.put_pixel(x as u32, y, Luma([255]));
                }
            }
        }
        let set = |m: &GrayImage| m.pixels().filter(|p| p.0[0] != 0).count();
        assert!(set(&every) > 1400, "the disc is drawn: {}", set(&every));
        assert!(out.as_raw() == every.as_raw(), "{} set against {} sampled everywhere", set(&out), set(&every));
        // Nothing set: an empty crop of the same size.
        let (empty, _) = mask_to_photo(&GrayImage::new(120, 90), offset, &to_photo, &to_page, (2700, 3700));
        assert_eq!((empty.dimensions(), set(&empty)), (out.dimensions(), 0));
    }

    #[test]
    fn a_photo_straightened_in_bands_is_the_page_straightened_in_one_piece() {
        // Bands of rows on the cores, against one call over the whole page; 150 dpi, so that
        // the last band is a short one.
        let photo = RgbImage::from_fn(1400, 1900, |x, y| image::Rgb([(x * 7 + y) as u8, (x ^ y) as u8, (y * 3) as u8]));
        let quad = [(61.0, 40.0), (1310.0, 72.0), (1290.0, 1850.0), (44.0, 1822.0)];
        let r = rectify(&photo, quad, 150.0);
        let mut whole = vec![0u8; r.page.as_raw().len()];
        warp_bilinear(photo.as_raw(), 1400, 1900, &r.to_photo, &mut whole, r.page.width() as usize, 0);
        assert!(!(r.page.height() as usize).is_multiple_of(WARP_BAND) && r.page.height() as usize > 2 * WARP_BAND);
        assert!(r.page.as_raw() == &whole[..]);
    }

    #[test]
    fn homography_maps_the_four_points_and_inverts() {
        let src = [(0.0, 0.0), (100.0, 0.0), (100.0, 140.0), (0.0, 140.0)];
        let dst = [(12.0, 9.0), (118.0, 14.0), (111.0, 160.0), (8.0, 151.0)];
        let h = homography(src, dst);
        let back = homography(dst, src);
        for (s, d) in src.iter().zip(&dst) {
            let p = project(&h, s.0, s.1);
            assert!((p.0 - d.0).abs() < 1e-3 && (p.1 - d.1).abs() < 1e-3, "{p:?} vs {d:?}");
        }
        let p = project(&back, project(&h, 37.0, 81.0).0, project(&h, 37.0, 81.0).1);
        assert!((p.0 - 37.0).abs() < 1e-3 && (p.1 - 81.0).abs() < 1e-3, "{p:?}");
    }

    #[test]
    fn a_sliver_of_an_image_is_no_photo() {
        assert!(paper_quad(&RgbImage::from_pixel(64, 9000, image::Rgb([240, 240, 240]))).is_none());
        assert!(paper_quad(&RgbImage::from_pixel(9000, 64, image::Rgb([20, 20, 20]))).is_none());
    }

    /// A coded level for a linear-light reflectance.
    fn coded(linear: f32) -> u8 {
        let v = crate::analyse::linear_to_srgb(linear);
        (v * 255.0).round() as u8
    }

    #[test]
    fn a_shadowed_sheet_on_a_light_desk_is_found_by_its_edges() {
        // Issue 76 (maker H): a desk lifted by a phone's tone mapping reads above three quarters
        // of the paper's level, and a phone's shadow takes the paper's right half down through
        // a penumbra; a form's ruled table lies across the middle. A level cannot part
        // paper from desk here (the whole frame is "bright"); the paper's edge still is a step.
        let desk = coded(0.49);
        let mut photo = RgbImage::from_pixel(600, 800, image::Rgb([desk, desk, desk]));
        let (x0, y0, x1, y1) = (90u32, 100u32, 510u32, 700u32);
        for y in y0..y1 {
            for x in x0..x1 {
                // Lit 0.85 on the left, 0.65 under the shadow, a penumbra of 60 px between.
                let t = ((x as f32 - 280.0) / 60.0).clamp(0.0, 1.0);
                let l = coded(0.85 - 0.2 * t);
                photo.put_pixel(x, y, image::Rgb([l, l, l]));
            }
        }
        // A table ruled in lines narrower than a cell of the search across the middle: its
        // cells read as the paper round them, so its lines are no walls.
        for y in 250..550u32 {
            for x in 150..450u32 {
                if x % 50 == 0 || y % 50 == 0 {
                    photo.put_pixel(x, y, image::Rgb([30, 30, 30]));
                }
            }
        }
        let q = paper_quad(&photo).expect("a photo");
        for (c, want) in q.iter().zip([(x0, y0), (x1, y0), (x1, y1), (x0, y1)]) {
            assert!((c.0 - want.0 as f32).abs() <= 3.0 && (c.1 - want.1 as f32).abs() <= 3.0, "{q:?}");
        }
    }

    #[test]
    fn a_scans_table_framed_by_a_thick_rule_is_no_photo() {
        // Issue 76: maker E's 600-dpi form, its table framed by a rule wider than two cells of
        // the search (1.8 mm at this image's 72 dpi): the table is a bright region with a dark
        // border, but paper lies beyond it.
        let mut scan = RgbImage::from_pixel(600, 840, image::Rgb([246, 246, 244]));
        for y in 150..700u32 {
            for x in 60..540u32 {
                if !(65..535).contains(&x) || !(155..695).contains(&y) {
                    scan.put_pixel(x, y, image::Rgb([25, 25, 25]));
                }
            }
        }
        assert!(paper_quad(&scan).is_none());
    }

    #[test]
    fn paper_filling_the_image_is_a_scan_not_a_photo() {
        let img = RgbImage::from_pixel(300, 420, image::Rgb([245, 245, 240]));
        assert!(paper_quad(&img).is_none());
        // The same paper on a dark table, its corners found to within a grid cell.
        let mut photo = RgbImage::from_pixel(400, 520, image::Rgb([90, 80, 70]));
        for y in 50..470 {
            for x in 50..350 {
                photo.put_pixel(x, y, image::Rgb([245, 245, 240]));
            }
        }
        let q = paper_quad(&photo).expect("a photo");
        for (c, want) in q.iter().zip([(50.0, 50.0), (350.0, 50.0), (350.0, 470.0), (50.0, 470.0)]) {
            assert!((c.0 - want.0).abs() <= 2.0 && (c.1 - want.1).abs() <= 2.0, "{q:?}");
        }
    }
}
