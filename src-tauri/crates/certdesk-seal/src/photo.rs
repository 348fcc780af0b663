//! Phone photos of a whole sheet. Owns finding the paper as a quadrilateral on a darker
//! background, the perspective map that straightens it into an upright A4 page (its resolution
//! taken from the paper's own edges), and mapping the importer's results (box corners, masks)
//! back into the photo's pixels, so a report on a photo speaks the same pixels as one on a scan.
//! Scans, where the paper fills the image, are left alone. Also the 4-point homography the
//! synthetic generator uses to take its photos.

use image::{GrayImage, Luma, RgbImage};

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

/// The paper of a phone photo: the corners of the largest bright region, when it is clearly
/// surrounded by something darker (a scan, where the paper reaches the image's edges, gives
/// `None`). Found on a grid of about 2 mm; a corner is the region's extreme along a diagonal.
pub(crate) fn paper_quad(img: &RgbImage, paper_l: f32) -> Option<[(f32, f32); 4]> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let f = (w.max(h) / 600).max(2);
    let (gw, gh) = (w / f, h / f);
    // A sliver of an image (64 × 60 000 fits the pixel budget) has no paper to find.
    if gw < 8 || gh < 8 {
        return None;
    }
    let raw = img.as_raw();
    // Paper-bright: within 25 % of the paper's luma (print and ink inside are enclosed anyway).
    let thr = (0.75 * paper_l) as u8;
    let bright: Vec<bool> = (0..gw * gh)
        .map(|i| {
            let (x, y) = ((i % gw) * f + f / 2, (i / gw) * f + f / 2);
            let p = &raw[(y * w + x) * 3..(y * w + x) * 3 + 3];
            luma8(p[0], p[1], p[2]) >= thr
        })
        .collect();
    // A photo has a dark border all round: most of the outermost ring of cells is not paper.
    let ring: Vec<usize> = (0..gw).flat_map(|x| [x, (gh - 1) * gw + x]).chain((0..gh).flat_map(|y| [y * gw, y * gw + gw - 1])).collect();
    let ring_bright = ring.iter().filter(|&&i| bright[i]).count();
    if ring_bright * 2 > ring.len() {
        return None;
    }
    // Largest 4-connected bright region.
    let mut label = vec![0u32; gw * gh];
    let (mut best, mut best_n, mut next) = (0u32, 0usize, 0u32);
    let mut stack = Vec::new();
    for s in 0..gw * gh {
        if !bright[s] || label[s] != 0 {
            continue;
        }
        next += 1;
        let mut n = 0;
        label[s] = next;
        stack.push(s);
        while let Some(i) = stack.pop() {
            n += 1;
            let (x, y) = (i % gw, i / gw);
            let mut visit = |j: usize| {
                if bright[j] && label[j] == 0 {
                    label[j] = next;
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
    // The paper must be most of the photo, or this is something else.
    if best_n * 3 < gw * gh {
        return None;
    }
    let mut ext = [(f32::MAX, (0.0, 0.0)), (f32::MIN, (0.0, 0.0)), (f32::MIN, (0.0, 0.0)), (f32::MIN, (0.0, 0.0))];
    for (i, &l) in label.iter().enumerate() {
        if l != best {
            continue;
        }
        let (x, y) = (((i % gw) * f + f / 2) as f32, ((i / gw) * f + f / 2) as f32);
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
    let (iw, ih) = (img.width() as usize, img.height() as usize);
    let raw = img.as_raw();
    let mut page = RgbImage::new(pw, ph);
    let h = &to_photo;
    let (umax, vmax) = ((iw - 2) as f32, (ih - 2) as f32);
    for (y, row) in page.rows_mut().enumerate() {
        // Numerators and denominator are linear along a row: one step each per pixel, one
        // division (instead of a full projection per pixel).
        let yc = y as f64 + 0.5;
        let (mut nu, mut nv, mut d) = (h[0] * 0.5 + h[1] * yc + h[2], h[3] * 0.5 + h[4] * yc + h[5], h[6] * 0.5 + h[7] * yc + 1.0);
        for p in row {
            let r = 1.0 / d;
            let (u, v) = ((nu * r) as f32, (nv * r) as f32);
            (nu, nv, d) = (nu + h[0], nv + h[3], d + h[6]);
            let (u, v) = ((u - 0.5).clamp(0.0, umax), (v - 0.5).clamp(0.0, vmax));
            // Bilinear weights in 8-bit fixed point (they sum to 65 536): integer arithmetic,
            // several times cheaper than four float blends per channel.
            let (fu, fv) = ((u * 256.0) as u32, (v * 256.0) as u32);
            let (iu, iv) = ((fu >> 8) as usize, (fv >> 8) as usize);
            let (tu, tv) = (fu & 255, fv & 255);
            let (w00, w10, w01, w11) = ((256 - tu) * (256 - tv), tu * (256 - tv), (256 - tu) * tv, tu * tv);
            let (a, b) = ((iv * iw + iu) * 3, ((iv + 1) * iw + iu) * 3);
            let (q, l) = (&raw[a..a + 6], &raw[b..b + 6]);
            for c in 0..3 {
                let sum = u32::from(q[c]) * w00 + u32::from(q[c + 3]) * w10 + u32::from(l[c]) * w01 + u32::from(l[c + 3]) * w11;
                p.0[c] = ((sum + 32_768) >> 16) as u8;
            }
        }
    }
    Rectified { page, dpi, quad: quad.map(|(x, y)| [x, y]), to_photo }
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
    // masks follow, not one nearest sample (which shifts thin strokes by a pixel).
    let hit = |x: f32, y: f32| {
        let (u, v) = project(to_page, x, y);
        let (lx, ly) = (u - ox, v - oy);
        lx >= 0.0 && ly >= 0.0 && lx < mw && ly < mh && mask.get_pixel(lx as u32, ly as u32).0[0] != 0
    };
    let out = GrayImage::from_fn(x1.saturating_sub(x0).max(1), y1.saturating_sub(y0).max(1), |x, y| {
        let (px, py) = ((x0 + x) as f32, (y0 + y) as f32);
        let n = [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)].iter().filter(|&&(dx, dy)| hit(px + dx, py + dy)).count();
        Luma([if n >= 2 { 255 } else { 0 }])
    });
    (out, [x0, y0])
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(paper_quad(&RgbImage::from_pixel(64, 9000, image::Rgb([240, 240, 240])), 240.0).is_none());
        assert!(paper_quad(&RgbImage::from_pixel(9000, 64, image::Rgb([20, 20, 20])), 240.0).is_none());
    }

    #[test]
    fn paper_filling_the_image_is_a_scan_not_a_photo() {
        let img = RgbImage::from_pixel(300, 420, image::Rgb([245, 245, 240]));
        assert!(paper_quad(&img, 245.0).is_none());
        // The same paper on a dark table, its corners found to within a grid cell.
        let mut photo = RgbImage::from_pixel(400, 520, image::Rgb([90, 80, 70]));
        for y in 50..470 {
            for x in 50..350 {
                photo.put_pixel(x, y, image::Rgb([245, 245, 240]));
            }
        }
        let q = paper_quad(&photo, 245.0).expect("a photo");
        for (c, want) in q.iter().zip([(50.0, 50.0), (350.0, 50.0), (350.0, 470.0), (50.0, 470.0)]) {
            assert!((c.0 - want.0).abs() <= 2.0 && (c.1 - want.1).abs() <= 2.0, "{q:?}");
        }
    }
}
