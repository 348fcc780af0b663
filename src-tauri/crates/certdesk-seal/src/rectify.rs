//! View correction of the single-impression mode. A round seal photographed at an angle is,
//! over its 40 mm, an affine image of a circle: an ellipse (the perspective of a phone held
//! 20–40 cm away changes the scale across the seal by a few per cent at most). Owns estimating
//! that stretch from the impression's outline and resampling the photo so the outline is round
//! again; the size then follows the direction the tilt did not shorten.

use image::RgbImage;

use crate::analyse::{angle_bin, atan2_fast};

/// Below this the outline counts as round and the photo is left untouched. A double
/// impression is elongated too, by 1 + d / D: at most 1.08 for the usual 1.5–3 mm offset on a
/// 38–42 mm 公章, so only views more than about 25° off the perpendicular (1.10) are
/// straightened, and a double stays a double.
const MIN_FACTOR: f32 = 1.10;
/// Beyond this (a view more than 60° off the perpendicular) the photo is not corrected.
const MAX_FACTOR: f32 = 2.0;
const BINS: usize = 180;

/// A linear map about a centre, `p' = m·(p − c) + c`, that stretches the photo along one
/// direction by `factor`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stretch {
    m: [[f32; 2]; 2],
    c: (f32, f32),
    pub factor: f32,
}

impl Stretch {
    fn apply(&self, p: (f32, f32)) -> (f32, f32) {
        let (dx, dy) = (p.0 - self.c.0, p.1 - self.c.1);
        (self.m[0][0] * dx + self.m[0][1] * dy + self.c.0, self.m[1][0] * dx + self.m[1][1] * dy + self.c.1)
    }
}

/// Symmetric stretch by `k` along the direction at angle `phi` (radians).
fn along(phi: f32, k: f32) -> [[f32; 2]; 2] {
    let (s, c) = phi.sin_cos();
    // R(φ) · diag(k, 1) · R(−φ)
    [[1.0 + (k - 1.0) * c * c, (k - 1.0) * c * s], [(k - 1.0) * c * s, 1.0 + (k - 1.0) * s * s]]
}

fn mul(a: [[f32; 2]; 2], b: [[f32; 2]; 2]) -> [[f32; 2]; 2] {
    [[a[0][0] * b[0][0] + a[0][1] * b[1][0], a[0][0] * b[0][1] + a[0][1] * b[1][1]], [a[1][0] * b[0][0] + a[1][1] * b[1][0], a[1][0] * b[0][1] + a[1][1] * b[1][1]]]
}

/// Eigen-decomposition of a symmetric 2×2 matrix: (larger, smaller, angle of the larger's
/// eigenvector).
fn eigen(sxx: f32, sxy: f32, syy: f32) -> (f32, f32, f32) {
    let half_tr = 0.5 * (sxx + syy);
    let d = (0.25 * (sxx - syy) * (sxx - syy) + sxy * sxy).sqrt();
    (half_tr + d, half_tr - d, 0.5 * (2.0 * sxy).atan2(sxx - syy))
}

/// The outermost point in each angular bin around the origin.
fn outline(pts: impl Iterator<Item = (f32, f32)>) -> Vec<(f32, f32)> {
    let mut best: Vec<Option<(f32, f32, f32)>> = vec![None; BINS];
    for (x, y) in pts {
        let r2 = x * x + y * y;
        let b = angle_bin(atan2_fast(y, x), BINS);
        if best[b].is_none_or(|o| r2 > o.2) {
            best[b] = Some((x, y, r2));
        }
    }
    best.into_iter().flatten().map(|(x, y, _)| (x, y)).collect()
}

/// The stretch that makes the outline of the ink `points` (scan pixels) isotropic: the second
/// moments of the outermost points per direction are those of a circle or a square exactly
/// when the impression is seen square-on. Each step stretches along the short principal
/// axis by the square root of the moments' ratio, and the outline is taken again. `None`
/// when the outline is round within `MIN_FACTOR`, or too oblique to trust.
pub(crate) fn outline_stretch(points: &[(f32, f32)]) -> Option<Stretch> {
    if points.len() < 100 {
        return None;
    }
    let n = points.len() as f32;
    let c = points.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0 / n, a.1 + p.1 / n));
    let mut m = [[1.0f32, 0.0], [0.0, 1.0]];
    for _ in 0..8 {
        let out = outline(points.iter().map(|&(x, y)| {
            let (dx, dy) = (x - c.0, y - c.1);
            (m[0][0] * dx + m[0][1] * dy, m[1][0] * dx + m[1][1] * dy)
        }));
        // An outline seen at most `MAX_FACTOR` off round lies everywhere beyond half its longest
        // radius, so beyond half its median: nearer ink is what a broken face's lost ring left
        // outermost there (its text, its star), not the outline.
        let mut radii: Vec<f32> = out.iter().map(|p| p.0.hypot(p.1)).collect();
        radii.sort_by(f32::total_cmp);
        let least = radii.get(radii.len() / 2).map_or(0.0, |m| m / MAX_FACTOR);
        let out: Vec<(f32, f32)> = out.into_iter().filter(|p| p.0.hypot(p.1) >= least).collect();
        // A gap in the outline (a broken face) skews its moments as a view would: with more
        // than 18° of it missing the view is not read from them.
        if out.len() < BINS - BINS / 20 {
            return None;
        }
        let k = out.len() as f32;
        let (mx, my) = out.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0 / k, a.1 + p.1 / k));
        let (mut sxx, mut sxy, mut syy) = (0.0f32, 0.0f32, 0.0f32);
        for &(x, y) in &out {
            let (dx, dy) = (x - mx, y - my);
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
        let (big, small, phi) = eigen(sxx, sxy, syy);
        if small <= 0.0 {
            return None;
        }
        let step = (big / small).sqrt();
        if step < 1.002 {
            break;
        }
        // Stretch the short axis (perpendicular to the long one).
        m = mul(along(phi + std::f32::consts::FRAC_PI_2, step), m);
    }
    // The total stretch is the ratio of m's singular values.
    let (big, small, _) = eigen(m[0][0] * m[0][0] + m[1][0] * m[1][0], m[0][0] * m[0][1] + m[1][0] * m[1][1], m[0][1] * m[0][1] + m[1][1] * m[1][1]);
    let factor = (big / small.max(1e-6)).sqrt();
    // Undo any overall growth beyond the stretch itself: the long axis keeps its scale.
    let scale = 1.0 / small.max(1e-6).sqrt();
    let m = [[m[0][0] * scale, m[0][1] * scale], [m[1][0] * scale, m[1][1] * scale]];
    (MIN_FACTOR..=MAX_FACTOR).contains(&factor).then_some(Stretch { m, c, factor })
}

/// The photo with `s` applied, on a canvas that holds all of it (bilinear; edge pixels
/// repeat beyond the photo, which keeps the flattened paper colour there).
pub(crate) fn resample(img: &RgbImage, s: &Stretch) -> RgbImage {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let corners = [(0.0, 0.0), (w, 0.0), (0.0, h), (w, h)].map(|p| s.apply(p));
    let x0 = corners.iter().map(|p| p.0).fold(f32::MAX, f32::min).floor();
    let y0 = corners.iter().map(|p| p.1).fold(f32::MAX, f32::min).floor();
    let x1 = corners.iter().map(|p| p.0).fold(f32::MIN, f32::max).ceil();
    let y1 = corners.iter().map(|p| p.1).fold(f32::MIN, f32::max).ceil();
    let (ow, oh) = ((x1 - x0) as u32, (y1 - y0) as u32);
    // Inverse of m for output → source.
    let det = s.m[0][0] * s.m[1][1] - s.m[0][1] * s.m[1][0];
    let inv = [[s.m[1][1] / det, -s.m[0][1] / det], [-s.m[1][0] / det, s.m[0][0] / det]];
    let (wl, hl) = (w - 1.0, h - 1.0);
    RgbImage::from_fn(ow.max(1), oh.max(1), |x, y| {
        let (dx, dy) = (x as f32 + 0.5 + x0 - s.c.0, y as f32 + 0.5 + y0 - s.c.1);
        let sx = (inv[0][0] * dx + inv[0][1] * dy + s.c.0 - 0.5).clamp(0.0, wl);
        let sy = (inv[1][0] * dx + inv[1][1] * dy + s.c.1 - 0.5).clamp(0.0, hl);
        let (ix, iy) = (sx as u32, sy as u32);
        let (ix1, iy1) = ((ix + 1).min(img.width() - 1), (iy + 1).min(img.height() - 1));
        let (ax, ay) = (sx - ix as f32, sy - iy as f32);
        let (p00, p10, p01, p11) = (img.get_pixel(ix, iy).0, img.get_pixel(ix1, iy).0, img.get_pixel(ix, iy1).0, img.get_pixel(ix1, iy1).0);
        let mut out = [0u8; 3];
        for k in 0..3 {
            let v = (p00[k] as f32 * (1.0 - ax) + p10[k] as f32 * ax) * (1.0 - ay) + (p01[k] as f32 * (1.0 - ax) + p11[k] as f32 * ax) * ay;
            out[k] = (v + 0.5) as u8;
        }
        image::Rgb(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Points of a ring of radius 200 squashed to `f` along `deg`.
    fn squashed_ring(deg: f32, f: f32) -> Vec<(f32, f32)> {
        let (c, s) = (deg.to_radians().cos(), deg.to_radians().sin());
        let mut pts = Vec::new();
        for i in 0..2000 {
            let a = i as f32 * std::f32::consts::TAU / 2000.0;
            for r in [185.0f32, 192.0, 200.0] {
                let (x, y) = (r * a.cos(), r * a.sin());
                let (along, across) = (x * c + y * s, -x * s + y * c);
                let along = along * f;
                pts.push((1000.0 + along * c - across * s, 800.0 + along * s + across * c));
            }
        }
        pts
    }

    #[test]
    fn a_squashed_ring_is_made_round_at_its_long_axis_scale() {
        let pts = squashed_ring(30.0, 0.8);
        let s = outline_stretch(&pts).expect("a stretch");
        assert!((s.factor - 1.25).abs() < 0.02, "{}", s.factor);
        // Every point of the outer circle lands at radius 200 again.
        let worst = pts.iter().map(|&p| s.apply(p)).map(|(x, y)| (x - 1000.0).hypot(y - 800.0)).fold(0.0f32, f32::max);
        assert!((worst - 200.0).abs() < 2.0, "{worst}");
    }

    #[test]
    fn a_round_or_slightly_elongated_outline_is_left_alone() {
        assert!(outline_stretch(&squashed_ring(0.0, 1.0)).is_none());
        assert!(outline_stretch(&squashed_ring(70.0, 0.99)).is_none());
        // As elongated as a double impression can make a 公章.
        assert!(outline_stretch(&squashed_ring(10.0, 0.93)).is_none());
    }
}
