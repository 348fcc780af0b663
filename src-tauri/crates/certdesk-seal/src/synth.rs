//! Synthetic collection sheets with ground truth, for tests, tuning and the benchmark. Owns the
//! layouts modelled on the seeds (公章/法人签字/法人签章采集表 3 per row, 电子印章申请表 3/8,
//! BJCA 单位电子印章采样表 2×2 = 4 samples), the seal designs (round 公章 with ring, star and
//! arc text of pseudo-CJK glyphs; square 法人章 incl. 阴文; pen-stroke signatures), the defects
//! (pale, broken, double, smudged, tilted, off-colour, text under, over the line, stains,
//! tinted paper) and the scan degradations (skew, edge blur, noise, JPEG 4:2:0); with a
//! `Variation` also paper tints and mottle, uneven light, ink hue, density and unevenness,
//! seal sizes and phone photos (perspective). Owns the splits of issue 18 (`Split`: tune,
//! held-out, photos) and the scoring against the truth (`Scores`).
//! Truth masks are "ink coverage ≥ 0.5" of the impression geometry, in scan pixels.

use std::io::Cursor;

/// The period of the synthetic signature strokes. Not TAU on purpose: the generated sheets the
/// quality tests and the README's figures were measured on are drawn with this value, and TAU
/// would move every stroke of every sheet.
#[allow(clippy::approx_constant)]
const STROKE_TURN: f32 = 6.28;

use image::codecs::jpeg::JpegEncoder;
use image::{GrayImage, ImageFormat, Luma, RgbImage};

use crate::{Defect, SampleKind};

/// SplitMix64: small, deterministic, good enough for test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [a, b).
    pub fn range(&mut self, a: f32, b: f32) -> f32 {
        a + (b - a) * ((self.next_u64() >> 40) as f32 / (1u64 << 24) as f32)
    }
    /// Standard normal (Box-Muller on two uniforms in (0, 1]).
    pub fn normal(&mut self) -> f32 {
        let (u, v) = (1.0 - self.range(0.0, 1.0), self.range(0.0, 1.0));
        (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
    }
    pub fn chance(&mut self, p: f32) -> bool {
        self.range(0.0, 1.0) < p
    }
    pub fn pick(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Which of the seeds' sheets to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// 公章采集表 / 法人签字采集表 / 法人签章采集表: three tables of 3, label row under each.
    SealCollection,
    /// 电子印章申请表 (3/8): one table, 4 groups of 3 with a heading row each.
    SealApplication,
    /// 单位电子印章采样表: one 2×2 table of 4 official-seal samples with corner labels.
    Sampling,
}

#[derive(Debug, Clone)]
pub struct SynthOptions {
    pub seed: u64,
    pub dpi: f32,
    pub layout: Layout,
    /// Encode as JPEG with this quality (4:2:0); `None` writes PNG.
    pub jpeg_quality: Option<u8>,
    /// Page skew in degrees; `None` draws one in ±3°.
    pub skew_deg: Option<f32>,
    /// Probability that a sample carries a defect.
    pub defect_rate: f32,
    /// Tinted (grey or yellowish) paper; `None` draws it (20 %).
    pub tinted: Option<bool>,
    /// Ink of every seal (balanced RGB); `None` draws it. A colour that is not 正红 (hue beyond
    /// 12° of red) puts `off_color` in the truth of every seal, one that is takes it out.
    pub seal_ink: Option<[f32; 3]>,
    /// Ink of every signature; `None` draws black or blue.
    pub signature_ink: Option<[f32; 3]>,
    /// Ranges of paper, scanner, ink and seal size to draw from; `None` keeps the narrow
    /// original ranges (and the exact sheets the older tests and fixtures were drawn with).
    pub variation: Option<Variation>,
    /// Write the resolution into the file (JFIF density, PNG pHYs); without it the importer
    /// has to take it from the A4 page.
    pub dpi_in_file: bool,
}

impl Default for SynthOptions {
    fn default() -> Self {
        Self {
            seed: 1,
            dpi: 300.0,
            layout: Layout::SealCollection,
            jpeg_quality: None,
            skew_deg: None,
            defect_rate: 0.6,
            tinted: None,
            seal_ink: None,
            signature_ink: None,
            variation: None,
            dpi_in_file: true,
        }
    }
}

/// Ranges a sheet's nuisance parameters are drawn from (paper, scanner, ink, seal size). The
/// defects themselves are drawn the same way in every variation: their definitions (see the
/// crate README) do not change with the scanner.
#[derive(Debug, Clone, PartialEq)]
pub struct Variation {
    /// Luma of white paper.
    pub paper_luma: (f32, f32),
    /// Chance that the sheet is on tinted paper, and the tints to pick from (RGB of the paper).
    pub tint_chance: f32,
    pub tints: Vec<[f32; 3]>,
    /// Amplitude of the paper's mottle (grey levels, low frequency).
    pub texture: (f32, f32),
    /// Uneven light: darkening from one corner to the other (fraction).
    pub light_falloff: (f32, f32),
    /// Scanner blur: width of the edge ramp in scan pixels.
    pub blur_px: (f32, f32),
    /// Scanner noise: standard deviation per channel, grey levels.
    pub noise_sigma: (f32, f32),
    /// Hue of a 正红 seal ink (degrees from red, negative towards purple).
    pub red_hue: (f32, f32),
    /// Hue of an off-colour ink: purple side and orange side.
    pub purple_hue: (f32, f32),
    pub orange_hue: (f32, f32),
    /// Ink density (fraction of light absorbed in the ink's most absorbing channel) of a
    /// normal impression and of a pale one.
    pub density: (f32, f32),
    pub pale_density: (f32, f32),
    /// Unevenness of the ink within an impression (the pad's texture): the local density is
    /// the drawn one times 1 ± this, smooth over about 0.7 mm with a fine grain; the mean stays.
    pub ink_mottle: (f32, f32),
    /// Diameter of a round 公章 and side of a square 法人章, mm.
    pub official_mm: (f32, f32),
    pub legal_rep_mm: (f32, f32),
    /// Signature inks to pick from (balanced RGB at full density).
    pub pen_inks: Vec<[f32; 3]>,
    /// Chance that the sheet is a phone photo rather than a scan: the page lies on a darker
    /// table with a margin of this share of its width around it, its corners moved by up to
    /// `keystone` of its width (perspective).
    pub photo_chance: f32,
    pub photo_margin: (f32, f32),
    pub keystone: f32,
}

/// The two generated sets the verdicts are judged on. Thresholds are fitted on `Tune`
/// (`certdesk-fit-seal`); the figures in the README come from `Heldout`, which is drawn with
/// other seeds *and* other paper tints, noise and blur levels, JPEG qualities, resolutions,
/// ink densities and hues, and seal sizes (all still within issue 18's ranges).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Tune,
    Heldout,
    /// A stress set beyond the targets: held-out sheets photographed with a phone.
    Photos,
}

impl Split {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "tune" => Some(Split::Tune),
            "heldout" | "held-out" => Some(Split::Heldout),
            "photos" => Some(Split::Photos),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Split::Tune => "tune",
            Split::Heldout => "heldout",
            Split::Photos => "photos",
        }
    }

    pub fn variation(self) -> Variation {
        match self {
            Split::Tune => Variation {
                paper_luma: (242.0, 254.0),
                tint_chance: 0.2,
                // Grey recycled paper, cream.
                tints: vec![[214.0, 214.0, 210.0], [244.0, 234.0, 200.0], [236.0, 230.0, 212.0]],
                texture: (0.0, 3.0),
                light_falloff: (0.0, 0.06),
                blur_px: (1.0, 2.2),
                noise_sigma: (1.0, 3.5),
                red_hue: (-6.0, 6.0),
                purple_hue: (-45.0, -22.0),
                orange_hue: (20.0, 32.0),
                density: (0.72, 0.96),
                pale_density: (0.22, 0.38),
                ink_mottle: (0.0, 0.15),
                official_mm: (38.0, 42.0),
                legal_rep_mm: (15.0, 22.0),
                pen_inks: vec![[25.0, 25.0, 30.0], [25.0, 45.0, 150.0], [35.0, 35.0, 40.0]],
                photo_chance: 0.0,
                photo_margin: (0.0, 0.0),
                keystone: 0.0,
            },
            Split::Heldout => Variation {
                paper_luma: (236.0, 252.0),
                tint_chance: 0.2,
                // Light blue, pink, pale green, darker grey: none of them in `Tune`.
                tints: vec![[212.0, 226.0, 242.0], [248.0, 222.0, 224.0], [222.0, 238.0, 212.0], [204.0, 204.0, 204.0]],
                texture: (2.0, 6.0),
                light_falloff: (0.03, 0.12),
                blur_px: (1.4, 3.0),
                noise_sigma: (2.5, 6.0),
                red_hue: (-9.0, 9.0),
                purple_hue: (-60.0, -24.0),
                orange_hue: (22.0, 40.0),
                density: (0.62, 0.92),
                pale_density: (0.25, 0.42),
                ink_mottle: (0.05, 0.3),
                official_mm: (40.0, 45.0),
                legal_rep_mm: (18.0, 25.0),
                pen_inks: vec![[30.0, 40.0, 90.0], [40.0, 70.0, 185.0], [48.0, 48.0, 52.0]],
                photo_chance: 0.0,
                photo_margin: (0.0, 0.0),
                keystone: 0.0,
            },
            // The held-out ranges, every sheet a phone photo; no target is set on it.
            Split::Photos => Variation { photo_chance: 1.0, photo_margin: (0.03, 0.08), keystone: 0.025, ..Split::Heldout.variation() },
        }
    }

    /// Options of sheet `k` of the split: seeds, layouts, resolutions and JPEG qualities of its own.
    pub fn sheet(self, k: usize) -> SynthOptions {
        // Resolutions, JPEG qualities and the share of files without a resolution in them.
        let (base, dpis, q, no_dpi): (u64, &[f32], (f32, f32), f32) = match self {
            Split::Tune => (11_000_000, &[150.0, 200.0, 300.0, 300.0], (72.0, 96.0), 0.1),
            Split::Heldout => (55_000_000, &[150.0, 200.0, 300.0, 300.0, 300.0, 600.0], (60.0, 80.0), 0.15),
            // A phone writes no usable resolution (72 dpi at most).
            Split::Photos => (77_000_000, &[200.0, 300.0], (70.0, 92.0), 1.0),
        };
        let seed = base + k as u64;
        let mut rng = Rng::new(seed ^ 0x5EED);
        let layouts = [Layout::SealCollection, Layout::SealApplication, Layout::Sampling];
        let dpi = dpis[rng.pick(dpis.len())];
        let jpeg_quality = if rng.chance(0.75) { Some(rng.range(q.0, q.1) as u8) } else { None };
        let dpi_in_file = !rng.chance(no_dpi);
        SynthOptions { seed, dpi, layout: layouts[k % 3], jpeg_quality, variation: Some(self.variation()), dpi_in_file, ..SynthOptions::default() }
    }
}

/// HSV colour (hue in degrees, red at 0, negative towards magenta) as RGB 0–255.
fn hsv_rgb(hue: f32, sat: f32, val: f32) -> [f32; 3] {
    let h = hue.rem_euclid(360.0) / 60.0;
    let c = val * sat;
    let x = c * (1.0 - (h % 2.0 - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = val - c;
    [r + m, g + m, b + m]
}

/// Ground truth of one box.
#[derive(Debug, Clone)]
pub struct TruthSample {
    pub row: usize,
    pub col: usize,
    pub kind: SampleKind,
    pub empty: bool,
    pub defects: Vec<Defect>,
    /// Impression mask (coverage ≥ 0.5) in scan pixels, at `offset`.
    pub mask: GrayImage,
    pub offset: [u32; 2],
    pub diameter_mm: Option<f32>,
    pub side_mm: Option<f32>,
    /// The carved face's outer size, mm: `[d, d]` for a round seal, `[w, h]` for a square or
    /// rectangular one (issue 34's truth format; `side_mm` is their mean).
    pub size_mm: Option<[f32; 2]>,
    /// Labels whose truth lies within ±15 % of the label's limit: scored neither way.
    pub borderline: Vec<Defect>,
    /// Centre of the box interior in scan pixels.
    pub box_centre: [f32; 2],
}

pub struct SynthSheet {
    pub bytes: Vec<u8>,
    pub dpi: f32,
    pub skew_deg: f32,
    pub truth: Vec<TruthSample>,
}

/// Page mm → scan pixels: scale, then rotate by the skew about the page centre.
#[derive(Debug, Clone, Copy)]
struct PageXf {
    ppmm: f32,
    c: f32,
    s: f32,
    cx: f32,
    cy: f32,
}

impl PageXf {
    fn fwd(&self, xmm: f32, ymm: f32) -> (f32, f32) {
        let (px, py) = (xmm * self.ppmm - self.cx, ymm * self.ppmm - self.cy);
        (px * self.c - py * self.s + self.cx, px * self.s + py * self.c + self.cy)
    }
    fn inv(&self, x: f32, y: f32) -> (f32, f32) {
        let (px, py) = (x - self.cx, y - self.cy);
        ((px * self.c + py * self.s + self.cx) / self.ppmm, (-px * self.s + py * self.c + self.cy) / self.ppmm)
    }
}

/// Local (mm, about a centre, rotated) → page mm.
#[derive(Debug, Clone, Copy)]
struct LocalXf {
    cx: f32,
    cy: f32,
    c: f32,
    s: f32,
}

impl LocalXf {
    fn new(cx: f32, cy: f32, deg: f32) -> Self {
        let r = deg.to_radians();
        Self { cx, cy, c: r.cos(), s: r.sin() }
    }
    fn fwd(&self, x: f32, y: f32) -> (f32, f32) {
        (self.cx + x * self.c - y * self.s, self.cy + x * self.s + y * self.c)
    }
    fn inv(&self, x: f32, y: f32) -> (f32, f32) {
        let (dx, dy) = (x - self.cx, y - self.cy);
        (dx * self.c + dy * self.s, -dx * self.s + dy * self.c)
    }
}

/// A coverage layer over a scan-pixel rectangle.
struct Layer {
    x0: i32,
    y0: i32,
    w: usize,
    h: usize,
    cov: Vec<f32>,
    ramp: f32,
}

impl Layer {
    fn new(x0: f32, y0: f32, x1: f32, y1: f32, ramp: f32) -> Self {
        let (x0, y0) = (x0.floor() as i32, y0.floor() as i32);
        let (w, h) = ((x1.ceil() as i32 - x0).max(1) as usize, (y1.ceil() as i32 - y0).max(1) as usize);
        Self { x0, y0, w, h, cov: vec![0.0; w * h], ramp }
    }
    fn around(x: f32, y: f32, r: f32, ramp: f32) -> Self {
        Self::new(x - r, y - r, x + r, y + r, ramp)
    }
    /// Thick segment (scan px).
    fn capsule(&mut self, a: (f32, f32), b: (f32, f32), hw: f32) {
        let pad = hw + self.ramp + 1.0;
        let xa = ((a.0.min(b.0) - pad).floor() as i32 - self.x0).max(0);
        let xb = ((a.0.max(b.0) + pad).ceil() as i32 - self.x0).min(self.w as i32 - 1);
        let ya = ((a.1.min(b.1) - pad).floor() as i32 - self.y0).max(0);
        let yb = ((a.1.max(b.1) + pad).ceil() as i32 - self.y0).min(self.h as i32 - 1);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len2 = (dx * dx + dy * dy).max(1e-6);
        for y in ya..=yb {
            for x in xa..=xb {
                let (px, py) = ((x + self.x0) as f32 + 0.5, (y + self.y0) as f32 + 0.5);
                let t = (((px - a.0) * dx + (py - a.1) * dy) / len2).clamp(0.0, 1.0);
                let (qx, qy) = (a.0 + t * dx - px, a.1 + t * dy - py);
                let d = (qx * qx + qy * qy).sqrt();
                let c = ((hw - d) / self.ramp + 0.5).clamp(0.0, 1.0);
                let i = y as usize * self.w + x as usize;
                if c > self.cov[i] {
                    self.cov[i] = c;
                }
            }
        }
    }
    /// Annulus between radii (scan px).
    fn ring(&mut self, c: (f32, f32), r_out: f32, r_in: f32) {
        for y in 0..self.h {
            for x in 0..self.w {
                let (px, py) = ((x as i32 + self.x0) as f32 + 0.5, (y as i32 + self.y0) as f32 + 0.5);
                let d = (px - c.0).hypot(py - c.1);
                let sd = (r_out - d).min(d - r_in);
                let v = (sd / self.ramp + 0.5).clamp(0.0, 1.0);
                let i = y * self.w + x;
                if v > self.cov[i] {
                    self.cov[i] = v;
                }
            }
        }
    }
    /// Filled convex or star polygon (scan px), anti-aliased by edge distance.
    fn polygon(&mut self, pts: &[(f32, f32)]) {
        let (mut xa, mut ya, mut xb, mut yb) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for p in pts {
            xa = xa.min(p.0);
            ya = ya.min(p.1);
            xb = xb.max(p.0);
            yb = yb.max(p.1);
        }
        let pad = self.ramp + 1.0;
        let xa = ((xa - pad) as i32 - self.x0).max(0);
        let xb = ((xb + pad) as i32 - self.x0).min(self.w as i32 - 1);
        let ya = ((ya - pad) as i32 - self.y0).max(0);
        let yb = ((yb + pad) as i32 - self.y0).min(self.h as i32 - 1);
        for y in ya..=yb {
            for x in xa..=xb {
                let (px, py) = ((x + self.x0) as f32 + 0.5, (y + self.y0) as f32 + 0.5);
                let mut inside = false;
                let mut dmin = f32::MAX;
                let n = pts.len();
                for k in 0..n {
                    let (a, b) = (pts[k], pts[(k + 1) % n]);
                    if (a.1 > py) != (b.1 > py) && px < a.0 + (py - a.1) * (b.0 - a.0) / (b.1 - a.1) {
                        inside = !inside;
                    }
                    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
                    let t = (((px - a.0) * dx + (py - a.1) * dy) / (dx * dx + dy * dy).max(1e-6)).clamp(0.0, 1.0);
                    dmin = dmin.min((a.0 + t * dx - px).hypot(a.1 + t * dy - py));
                }
                let sd = if inside { dmin } else { -dmin };
                let v = (sd / self.ramp + 0.5).clamp(0.0, 1.0);
                let i = y as usize * self.w + x as usize;
                if v > self.cov[i] {
                    self.cov[i] = v;
                }
            }
        }
    }
    fn truth(&self, page_w: u32, page_h: u32) -> (GrayImage, [u32; 2]) {
        let x0 = self.x0.max(0) as u32;
        let y0 = self.y0.max(0) as u32;
        let x1 = ((self.x0 + self.w as i32).max(0) as u32).min(page_w);
        let y1 = ((self.y0 + self.h as i32).max(0) as u32).min(page_h);
        let mut m = GrayImage::new(x1.saturating_sub(x0).max(1), y1.saturating_sub(y0).max(1));
        for (x, y, p) in m.enumerate_pixels_mut() {
            let (lx, ly) = ((x + x0) as i32 - self.x0, (y + y0) as i32 - self.y0);
            if lx >= 0 && ly >= 0 && (lx as usize) < self.w && (ly as usize) < self.h && self.cov[ly as usize * self.w + lx as usize] >= 0.5 {
                *p = Luma([255]);
            }
        }
        (m, [x0, y0])
    }
    /// Multiplies the layer's ink into the page.
    fn composite(&self, page: &mut RgbImage, ink: [f32; 3], strength: f32) {
        let (pw, ph) = (page.width() as i32, page.height() as i32);
        for y in 0..self.h {
            let py = y as i32 + self.y0;
            if py < 0 || py >= ph {
                continue;
            }
            for x in 0..self.w {
                let px = x as i32 + self.x0;
                let c = self.cov[y * self.w + x];
                if px < 0 || px >= pw || c <= 0.0 {
                    continue;
                }
                let p = page.get_pixel_mut(px as u32, py as u32);
                for k in 0..3 {
                    let f = 1.0 - strength * c * (1.0 - ink[k] / 255.0);
                    p.0[k] = (p.0[k] as f32 * f).round().clamp(0.0, 255.0) as u8;
                }
            }
        }
    }
    /// Union with another layer of the same frame.
    fn max_with(&mut self, o: &Layer) {
        for y in 0..o.h {
            for x in 0..o.w {
                let (lx, ly) = (x as i32 + o.x0 - self.x0, y as i32 + o.y0 - self.y0);
                if lx >= 0 && ly >= 0 && (lx as usize) < self.w && (ly as usize) < self.h {
                    let i = ly as usize * self.w + lx as usize;
                    self.cov[i] = self.cov[i].max(o.cov[y * o.w + x]);
                }
            }
        }
    }
}

/// Strokes of one pseudo-CJK glyph in a unit square centred on 0 (y down).
fn glyph(rng: &mut Rng) -> Vec<((f32, f32), (f32, f32))> {
    let mut s = Vec::new();
    let n = 3 + rng.pick(4);
    for _ in 0..n {
        match rng.pick(5) {
            0 | 1 => {
                let y = rng.range(-0.4, 0.4);
                let (a, b) = (rng.range(-0.45, -0.1), rng.range(0.1, 0.45));
                s.push(((a, y), (b, y)));
            }
            2 | 3 => {
                let x = rng.range(-0.4, 0.4);
                let (a, b) = (rng.range(-0.45, -0.1), rng.range(0.1, 0.45));
                s.push(((x, a), (x, b)));
            }
            _ => {
                let (x, y) = (rng.range(-0.3, 0.3), rng.range(-0.3, 0.0));
                s.push(((x, y), (x - rng.range(0.1, 0.3), y + rng.range(0.2, 0.4))));
            }
        }
    }
    s
}

/// Draws a glyph at page-mm position into `layer` via the given page transform.
#[allow(clippy::too_many_arguments)]
fn draw_glyph(layer: &mut Layer, rng: &mut Rng, page: &PageXf, local: &LocalXf, gx: f32, gy: f32, size: f32, rot_deg: f32, stroke_mm: f32) {
    let (s, c) = rot_deg.to_radians().sin_cos();
    for (a, b) in glyph(rng) {
        let ta = (gx + (a.0 * c - a.1 * s) * size, gy + (a.0 * s + a.1 * c) * size);
        let tb = (gx + (b.0 * c - b.1 * s) * size, gy + (b.0 * s + b.1 * c) * size);
        let pa = local.fwd(ta.0, ta.1);
        let pb = local.fwd(tb.0, tb.1);
        layer.capsule(page.fwd(pa.0, pa.1), page.fwd(pb.0, pb.1), 0.5 * stroke_mm * page.ppmm);
    }
}

/// A cell of a layout (page mm) and what goes in it.
struct CellSpec {
    x: f32,
    y: f32,
    w: f32,
    h: f32,
    row: usize,
    col: usize,
    kind: SampleKind,
}

struct LayoutSpec {
    cells: Vec<CellSpec>,
    /// Other ruled rectangles (page mm): label rows, headings, info tables.
    rects: Vec<(f32, f32, f32, f32)>,
    /// Pseudo-text lines: (x, y, glyph size mm, count).
    texts: Vec<(f32, f32, f32, usize)>,
    corner_labels: bool,
}

fn layout(l: Layout) -> LayoutSpec {
    let mut cells = Vec::new();
    let mut rects = Vec::new();
    let mut texts = Vec::new();
    match l {
        Layout::SealCollection => {
            let kinds = [SampleKind::OfficialSeal, SampleKind::Signature, SampleKind::LegalRepSeal];
            for (r, kind) in kinds.into_iter().enumerate() {
                let y = 40.0 + r as f32 * 82.0;
                texts.push((80.0, y - 14.0, 5.0, 5));
                texts.push((40.0, y - 6.0, 2.8, 30));
                for c in 0..3 {
                    let x = 18.0 + c as f32 * 58.0;
                    cells.push(CellSpec { x, y, w: 58.0, h: 52.0, row: r, col: c, kind });
                    rects.push((x, y + 52.0, 58.0, 8.0));
                    texts.push((x + 25.0, y + 56.0, 3.0, 3));
                }
            }
            texts.push((18.0, 18.0, 3.0, 4));
        }
        Layout::SealApplication => {
            texts.push((75.0, 14.0, 5.0, 7));
            for k in 0..3 {
                rects.push((18.0, 22.0 + k as f32 * 9.0, 58.0, 9.0));
                rects.push((76.0, 22.0 + k as f32 * 9.0, 116.0, 9.0));
                texts.push((22.0, 26.5 + k as f32 * 9.0, 3.0, 4));
                texts.push((80.0, 26.5 + k as f32 * 9.0, 3.0, 12));
            }
            let kinds = [SampleKind::OfficialSeal, SampleKind::LegalRepSeal, SampleKind::Signature, SampleKind::Signature];
            for (r, kind) in kinds.into_iter().enumerate() {
                let y = 52.0 + r as f32 * 57.0;
                rects.push((18.0, y, 174.0, 8.0));
                texts.push((22.0, y + 4.0, 3.0, 16));
                for c in 0..3 {
                    cells.push(CellSpec { x: 18.0 + c as f32 * 58.0, y: y + 8.0, w: 58.0, h: 49.0, row: r, col: c, kind });
                }
            }
        }
        Layout::Sampling => {
            texts.push((70.0, 16.0, 6.0, 8));
            for k in 0..5 {
                texts.push((20.0, 30.0 + k as f32 * 6.0, 3.0, 34));
            }
            rects.push((18.0, 64.0, 30.0, 12.0));
            rects.push((48.0, 64.0, 144.0, 12.0));
            rects.push((18.0, 76.0, 30.0, 12.0));
            rects.push((48.0, 76.0, 144.0, 12.0));
            rects.push((18.0, 92.0, 174.0, 9.0));
            texts.push((50.0, 96.5, 3.0, 20));
            for k in 0..4 {
                let (c, rr) = (k % 2, k / 2);
                cells.push(CellSpec { x: 18.0 + c as f32 * 87.0, y: 101.0 + rr as f32 * 66.0, w: 87.0, h: 66.0, row: 0, col: k, kind: SampleKind::OfficialSeal });
            }
        }
    }
    LayoutSpec { cells, rects, texts, corner_labels: l == Layout::Sampling }
}

/// Draws one sheet with its truth.
pub fn generate(o: &SynthOptions) -> SynthSheet {
    let mut rng = Rng::new(o.seed);
    let ppmm = o.dpi / 25.4;
    let (pw, ph) = ((210.0 * ppmm).round() as u32, (297.0 * ppmm).round() as u32);
    let skew = o.skew_deg.unwrap_or_else(|| rng.range(-3.0, 3.0));
    let r = skew.to_radians();
    let page = PageXf { ppmm, c: r.cos(), s: r.sin(), cx: pw as f32 * 0.5, cy: ph as f32 * 0.5 };
    let var = o.variation.as_ref();
    let tinted = o.tinted.unwrap_or_else(|| rng.chance(var.map_or(0.2, |v| v.tint_chance)));
    let paper = match var {
        Some(v) if tinted => v.tints[rng.pick(v.tints.len())],
        Some(v) => {
            let l = rng.range(v.paper_luma.0, v.paper_luma.1);
            [l, l, l - rng.range(0.0, 4.0)]
        }
        None if tinted => {
            if rng.chance(0.5) {
                [214.0, 214.0, 210.0]
            } else {
                [244.0, 234.0, 200.0]
            }
        }
        None => {
            let l = rng.range(242.0, 254.0);
            [l, l, l - rng.range(0.0, 4.0)]
        }
    };
    let mut img = RgbImage::from_pixel(pw, ph, image::Rgb([paper[0] as u8, paper[1] as u8, paper[2] as u8]));
    let (blur_lo, blur_hi) = var.map_or((1.0, 1.8), |v| v.blur_px);
    let ramp = rng.range(blur_lo, blur_hi);
    let spec = layout(o.layout);
    let ident = LocalXf::new(0.0, 0.0, 0.0);
    let line_mm = rng.range(0.2, 0.32);
    let black = [25.0, 25.0, 28.0];
    // Printed layer: lines and text.
    let mut print = Layer::new(0.0, 0.0, pw as f32, ph as f32, ramp);
    let rect = |layer: &mut Layer, x: f32, y: f32, w: f32, h: f32| {
        let pts = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)];
        for k in 0..4 {
            let (a, b) = (pts[k], pts[(k + 1) % 4]);
            layer.capsule(page.fwd(a.0, a.1), page.fwd(b.0, b.1), 0.5 * line_mm * ppmm);
        }
    };
    for c in &spec.cells {
        rect(&mut print, c.x, c.y, c.w, c.h);
    }
    for &(x, y, w, h) in &spec.rects {
        rect(&mut print, x, y, w, h);
    }
    for &(x, y, size, n) in &spec.texts {
        for k in 0..n {
            draw_glyph(&mut print, &mut rng, &page, &ident, x + k as f32 * size * 1.1, y, size * 0.9, 0.0, 0.08 * size + 0.1);
        }
    }
    if spec.corner_labels {
        for c in &spec.cells {
            for k in 0..3 {
                draw_glyph(&mut print, &mut rng, &page, &ident, c.x + 3.0 + k as f32 * 2.6, c.y + 3.0, 2.2, 0.0, 0.25);
            }
        }
    }
    // Plan the samples first (text under seals goes into the print layer).
    struct Plan {
        defects: Vec<Defect>,
        empty: bool,
        cx: f32,
        cy: f32,
        size: f32,
        tilt: f32,
        /// Offset of a double's second impression and length of a smear, mm (drawn here
        /// with a variation, so that they fit the box; later otherwise).
        double_mm: Option<f32>,
        smear_mm: Option<f32>,
    }
    let mut plans = Vec::new();
    for c in &spec.cells {
        let mut defects = Vec::new();
        let empty = rng.chance(0.07);
        let seal = c.kind.is_seal();
        if !empty && rng.chance(o.defect_rate) {
            let options: &[Defect] = if seal {
                &[Defect::Pale, Defect::Broken, Defect::Double, Defect::Smudged, Defect::OverlapLine, Defect::Tilted, Defect::TextUnder, Defect::OffColor, Defect::BgNotWhite]
            } else {
                &[Defect::Pale, Defect::OverlapLine, Defect::BgNotWhite]
            };
            defects.push(options[rng.pick(options.len())]);
            if seal && rng.chance(0.15) {
                let d = options[rng.pick(options.len())];
                let clash = matches!((defects[0], d), (Defect::Pale, Defect::OffColor) | (Defect::OffColor, Defect::Pale));
                if !defects.contains(&d) && !clash {
                    defects.push(d);
                }
            }
        }
        let size = match (c.kind, var) {
            (SampleKind::OfficialSeal, None) => [38.0, 40.0, 42.0][rng.pick(3)] + rng.range(-0.5, 0.5),
            (SampleKind::OfficialSeal, Some(v)) => rng.range(v.official_mm.0, v.official_mm.1),
            (SampleKind::LegalRepSeal, None) => rng.range(15.0, 22.0),
            (SampleKind::LegalRepSeal, Some(v)) => rng.range(v.legal_rep_mm.0, v.legal_rep_mm.1),
            (SampleKind::Signature, _) => rng.range(30.0, 44.0),
        };
        // With a variation: a double's offset is 0.5–3 mm and a smear 0.6–1.6 mm (the labels'
        // definitions), as much of it as fits inside the box without touching its lines.
        let room = 0.5 * c.w.min(c.h) - 0.5 * size * if c.kind == SampleKind::LegalRepSeal { std::f32::consts::SQRT_2 } else { 1.0 } - 2.0;
        let double_mm = (var.is_some() && defects.contains(&Defect::Double)).then(|| rng.range(0.5, 3.0).min(room.max(0.5)));
        let smear_mm = (var.is_some() && defects.contains(&Defect::Smudged)).then(|| rng.range(0.6, 1.6).min(room.max(0.6)));
        let tilt = if defects.contains(&Defect::Tilted) { rng.range(9.0, 30.0) * if rng.chance(0.5) { -1.0 } else { 1.0 } } else { rng.range(-1.5, 1.5) };
        // Extent for placement (half-size incl. tilt of squares, double offset, smudge).
        let mut half = if c.kind == SampleKind::LegalRepSeal {
            0.5 * size * (tilt.to_radians().cos().abs() + tilt.to_radians().sin().abs())
        } else if seal {
            0.5 * size
        } else {
            0.5 * size + 1.5
        };
        if defects.contains(&Defect::Double) {
            half += double_mm.map_or(3.2, |d| d + 0.2);
        }
        if defects.contains(&Defect::Smudged) {
            half += smear_mm.map_or(1.6, |d| d + 0.1);
        }
        let (mut cx, mut cy) = (c.x + 0.5 * c.w, c.y + 0.5 * c.h);
        let slack_x = (0.5 * c.w - half - 1.8).max(0.0);
        let slack_y = (0.5 * c.h - half - 1.8).max(0.0);
        cx += rng.range(-slack_x, slack_x.max(1e-3));
        cy += rng.range(-slack_y, slack_y.max(1e-3));
        if defects.contains(&Defect::OverlapLine) && seal {
            // Push one side across the line by 0.6–2.5 mm.
            let over = rng.range(0.6, 2.5);
            match rng.pick(4) {
                0 => cx = c.x + half - over,
                1 => cx = c.x + c.w - half + over,
                2 => cy = c.y + half - over,
                _ => cy = c.y + c.h - half + over,
            }
        }
        let empty_final = empty;
        if empty_final {
            defects.clear();
        }
        plans.push(Plan { defects, empty: empty_final, cx, cy, size, tilt, double_mm, smear_mm });
    }
    for (c, p) in spec.cells.iter().zip(&plans) {
        if p.defects.contains(&Defect::TextUnder) {
            let lines = 1 + rng.pick(2);
            for l in 0..lines {
                let y = p.cy + rng.range(-0.3, 0.3) * p.size + l as f32 * 5.0;
                let n = 8;
                let x0 = (p.cx - 0.5 * p.size).max(c.x + 2.0);
                for k in 0..n {
                    let x = x0 + k as f32 * 3.6;
                    if x < c.x + c.w - 3.0 {
                        draw_glyph(&mut print, &mut rng, &page, &ident, x, y, 3.2, 0.0, 0.3);
                    }
                }
            }
        }
    }
    // Stains go on the paper before the print.
    for (c, p) in spec.cells.iter().zip(&plans) {
        if p.defects.contains(&Defect::BgNotWhite) {
            let (sx, sy) = (p.cx + rng.range(-0.35, 0.35) * c.w.min(p.size), p.cy + rng.range(-0.3, 0.3) * c.h.min(p.size));
            let rad = rng.range(7.0, 12.0) * ppmm;
            let (x, y) = page.fwd(sx, sy);
            let mut st = Layer::around(x, y, rad + 2.0, rad * 0.6);
            st.ring((x, y), rad, -1.0);
            st.composite(&mut img, [170.0, 130.0, 70.0], rng.range(0.22, 0.35));
        }
    }
    print.composite(&mut img, black, 1.0);
    drop(print);
    // Impressions.
    let mut truth = Vec::new();
    for (c, p) in spec.cells.iter().zip(plans) {
        let centre_box = page.fwd(c.x + 0.5 * c.w, c.y + 0.5 * c.h);
        let mut t = TruthSample {
            row: c.row,
            col: c.col,
            kind: c.kind,
            empty: p.empty,
            defects: if p.empty { vec![Defect::Empty] } else { p.defects.clone() },
            mask: GrayImage::new(1, 1),
            offset: [0, 0],
            diameter_mm: None,
            side_mm: None,
            size_mm: None,
            borderline: Vec::new(),
            box_centre: [centre_box.0, centre_box.1],
        };
        if tinted && !t.defects.contains(&Defect::BgNotWhite) {
            t.defects.push(Defect::BgNotWhite);
        }
        if let (Some(ink), false, true) = (o.seal_ink, p.empty, c.kind.is_seal()) {
            t.defects.retain(|&d| d != Defect::OffColor);
            if crate::analyse::hue_deg(ink[0], ink[1], ink[2]).abs() > crate::analyse::RED_HUE_TOLERANCE_DEG {
                t.defects.push(Defect::OffColor);
            }
        }
        t.defects.sort();
        if p.empty {
            truth.push(t);
            continue;
        }
        let local = LocalXf::new(p.cx, p.cy, p.tilt);
        let (sx, sy) = page.fwd(p.cx, p.cy);
        let reach = (0.5 * p.size * 1.5 + 6.0) * ppmm;
        let mut layer = Layer::around(sx, sy, reach, ramp);
        let design_seed = rng.next_u64();
        let draw = |layer: &mut Layer, local: &LocalXf| {
            let mut drng = Rng::new(design_seed);
            match c.kind {
                SampleKind::OfficialSeal => draw_round(layer, &mut drng, &page, local, p.size),
                SampleKind::LegalRepSeal => draw_square(layer, &mut drng, &page, local, p.size),
                SampleKind::Signature => draw_signature(layer, &mut drng, &page, local, p.size, &c_bounds(c), p.defects.contains(&Defect::OverlapLine)),
            }
        };
        draw(&mut layer, &local);
        if p.defects.contains(&Defect::Broken) {
            break_impression(&mut layer, &mut rng, &page, &local, p.size);
        }
        let mut second = None;
        if p.defects.contains(&Defect::Double) {
            let a = rng.range(0.0, std::f32::consts::TAU);
            let d = p.double_mm.unwrap_or_else(|| rng.range(1.5, 3.0));
            let l2 = LocalXf::new(p.cx + d * a.cos(), p.cy + d * a.sin(), p.tilt + rng.range(-2.0, 2.0));
            let mut l = Layer::around(sx, sy, reach, ramp);
            draw(&mut l, &l2);
            second = Some(l);
        }
        if p.defects.contains(&Defect::Smudged) {
            smudge(&mut layer, &mut rng, ppmm, p.smear_mm);
        }
        let forced = if c.kind.is_seal() { o.seal_ink } else { o.signature_ink };
        let (ink, strength) = match var {
            Some(v) => ink_in(&mut rng, v, c.kind, &p.defects, forced),
            None => ink_for(&mut rng, c.kind, &p.defects, forced),
        };
        let mut union = Layer { x0: layer.x0, y0: layer.y0, w: layer.w, h: layer.h, cov: layer.cov.clone(), ramp };
        // Uneven ink (a variation only, from its own stream: the legacy sheets stay as they were).
        let mottle = var.map(|v| {
            let mut mrng = Rng::new(design_seed ^ 0x0DD5);
            let amp = mrng.range(v.ink_mottle.0, v.ink_mottle.1);
            mottle_field(&layer, &mut mrng, ppmm, amp)
        });
        let mottled = |l: &Layer| match &mottle {
            // Never more ink than the ink itself absorbs at full strength.
            Some(m) => Layer { cov: l.cov.iter().zip(m).map(|(c, f)| (c * f).min(1.0 / strength.max(0.05))).collect(), ..*l },
            None => Layer { cov: l.cov.clone(), ..*l },
        };
        mottled(&layer).composite(&mut img, ink, strength);
        if let Some(l) = &second {
            mottled(l).composite(&mut img, ink, strength * rng.range(0.7, 1.0));
            union.max_with(l);
        }
        let (m, off) = union.truth(pw, ph);
        t.mask = m;
        t.offset = off;
        match c.kind {
            SampleKind::OfficialSeal => (t.diameter_mm, t.size_mm) = (Some(p.size), Some([p.size, p.size])),
            SampleKind::LegalRepSeal => (t.side_mm, t.size_mm) = (Some(p.size), Some([p.size, p.size])),
            SampleKind::Signature => {}
        }
        truth.push(t);
    }
    if let Some(v) = var {
        scanner(&mut img, v, &mut Rng::new(o.seed ^ 0x5CA7), ppmm);
        let mut prng = Rng::new(o.seed ^ 0x9407);
        if prng.chance(v.photo_chance) {
            img = photograph(&img, &mut truth, v, &mut prng);
        }
    }
    // Sensor noise (a variation draws its own in `scanner`).
    let mut nrng = Rng::new(o.seed ^ 0xABCD);
    let mut state = nrng.next_u64();
    for px in img.as_mut().iter_mut().filter(|_| var.is_none()) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let n = (state & 7) as i32 - 3;
        *px = (*px as i32 + n).clamp(0, 255) as u8;
    }
    let mut bytes = Vec::new();
    match o.jpeg_quality {
        Some(q) => {
            let mut enc = JpegEncoder::new_with_quality(&mut bytes, q);
            if o.dpi_in_file {
                enc.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(o.dpi.round() as u16));
            }
            let _ = enc.encode_image(&img);
        }
        None => {
            let mut buf = Vec::new();
            let _ = img.write_to(&mut Cursor::new(&mut buf), ImageFormat::Png);
            bytes = if o.dpi_in_file { crate::decode::png_with_dpi(buf, o.dpi) } else { buf };
        }
    }
    SynthSheet { bytes, dpi: o.dpi, skew_deg: skew, truth }
}

/// Per-pixel factors of an impression's ink over `layer`'s frame: 1 + amp·(2u − 1), u mixing a
/// smooth field on a 0.7 mm grid with a per-pixel grain; the mean is 1.
fn mottle_field(layer: &Layer, rng: &mut Rng, ppmm: f32, amp: f32) -> Vec<f32> {
    let cell = (0.7 * ppmm).max(1.5);
    let (gw, gh) = ((layer.w as f32 / cell) as usize + 2, (layer.h as f32 / cell) as usize + 2);
    let grid: Vec<f32> = (0..gw * gh).map(|_| rng.range(0.0, 1.0)).collect();
    let mut out = Vec::with_capacity(layer.w * layer.h);
    for y in 0..layer.h {
        let gy = y as f32 / cell;
        let (iy, ty) = (gy as usize, gy.fract());
        for x in 0..layer.w {
            let gx = x as f32 / cell;
            let (ix, tx) = (gx as usize, gx.fract());
            let g = |i: usize, j: usize| grid[j * gw + i];
            let smooth = (g(ix, iy) * (1.0 - tx) + g(ix + 1, iy) * tx) * (1.0 - ty) + (g(ix, iy + 1) * (1.0 - tx) + g(ix + 1, iy + 1) * tx) * ty;
            let u = 0.7 * smooth + 0.3 * rng.range(0.0, 1.0);
            out.push((1.0 + amp * (2.0 * u - 1.0)).max(0.0));
        }
    }
    out
}

/// A phone photo of the finished page: the page on a darker, grainy table with a margin
/// around it, its corners moved by up to `keystone` of its width (perspective), resampled
/// bilinearly. The truth follows: box centres and masks are mapped into the photo.
fn photograph(page: &RgbImage, truth: &mut [TruthSample], v: &Variation, rng: &mut Rng) -> RgbImage {
    let (pw, ph) = (page.width() as f32, page.height() as f32);
    let m = rng.range(v.photo_margin.0, v.photo_margin.1) * pw;
    let k = v.keystone * pw;
    let (cw, ch) = ((pw + 2.0 * m).round() as u32, (ph + 2.0 * m).round() as u32);
    let corners = [(0.0, 0.0), (pw, 0.0), (pw, ph), (0.0, ph)];
    let mut jitter = || rng.range(-k, k);
    let dst = corners.map(|(x, y)| (x + m + jitter(), y + m + jitter()));
    let fwd = crate::photo::homography(corners, dst);
    let inv = crate::photo::homography(dst, corners);
    let table = [rng.range(70.0, 140.0), rng.range(60.0, 120.0), rng.range(50.0, 110.0)];
    let mut grain = rng.next_u64() | 1;
    let raw = page.as_raw();
    let pwu = page.width() as usize;
    let out = RgbImage::from_fn(cw, ch, |x, y| {
        let (u, w) = crate::photo::project(&inv, x as f32 + 0.5, y as f32 + 0.5);
        let (u, w) = (u - 0.5, w - 0.5);
        if u < 0.0 || w < 0.0 || u >= pw - 1.0 || w >= ph - 1.0 {
            grain ^= grain << 13;
            grain ^= grain >> 7;
            grain ^= grain << 17;
            let n = (grain % 17) as f32 - 8.0;
            return image::Rgb(table.map(|c| (c + n).clamp(0.0, 255.0) as u8));
        }
        let (iu, iw) = (u as usize, w as usize);
        let (tu, tw) = (u - iu as f32, w - iw as f32);
        let at = |xx: usize, yy: usize, c: usize| raw[(yy * pwu + xx) * 3 + c] as f32;
        image::Rgb([0, 1, 2].map(|c| {
            let top = at(iu, iw, c) * (1.0 - tu) + at(iu + 1, iw, c) * tu;
            let bottom = at(iu, iw + 1, c) * (1.0 - tu) + at(iu + 1, iw + 1, c) * tu;
            (top * (1.0 - tw) + bottom * tw + 0.5) as u8
        }))
    });
    for t in truth.iter_mut() {
        let (bx, by) = crate::photo::project(&fwd, t.box_centre[0], t.box_centre[1]);
        t.box_centre = [bx, by];
        if t.empty {
            continue;
        }
        let (ox, oy, mw, mh) = (t.offset[0] as f32, t.offset[1] as f32, t.mask.width() as f32, t.mask.height() as f32);
        let pts = [(ox, oy), (ox + mw, oy), (ox + mw, oy + mh), (ox, oy + mh)].map(|(x, y)| crate::photo::project(&fwd, x, y));
        let x0 = pts.iter().map(|p| p.0).fold(f32::MAX, f32::min).floor().max(0.0) as u32;
        let y0 = pts.iter().map(|p| p.1).fold(f32::MAX, f32::min).floor().max(0.0) as u32;
        let x1 = (pts.iter().map(|p| p.0).fold(f32::MIN, f32::max).ceil() as u32).min(cw);
        let y1 = (pts.iter().map(|p| p.1).fold(f32::MIN, f32::max).ceil() as u32).min(ch);
        let old = &t.mask;
        // Four samples per photo pixel, ink when at least two are (coverage ≥ 0.5, as on the page).
        let hit = |x: f32, y: f32| {
            let (u, w) = crate::photo::project(&inv, x, y);
            let (lx, ly) = (u - ox, w - oy);
            lx >= 0.0 && ly >= 0.0 && lx < mw && ly < mh && old.get_pixel(lx as u32, ly as u32).0[0] != 0
        };
        let mask = GrayImage::from_fn(x1.saturating_sub(x0).max(1), y1.saturating_sub(y0).max(1), |x, y| {
            let (px, py) = ((x0 + x) as f32, (y0 + y) as f32);
            let n = [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)].iter().filter(|&&(dx, dy)| hit(px + dx, py + dy)).count();
            Luma([if n >= 2 { 255 } else { 0 }])
        });
        t.mask = mask;
        t.offset = [x0, y0];
    }
    out
}

/// The scanner or camera over the finished sheet: paper mottle (a 2 mm grid of random levels,
/// bilinear), light falling off towards one corner, and noise of a drawn standard deviation
/// (sum of two uniforms: triangular, close enough to Gaussian for an 8-bit sensor).
fn scanner(img: &mut RgbImage, v: &Variation, rng: &mut Rng, ppmm: f32) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let amp = rng.range(v.texture.0, v.texture.1);
    let cell = (2.0 * ppmm).max(2.0);
    let (gw, gh) = ((w as f32 / cell) as usize + 2, (h as f32 / cell) as usize + 2);
    let grid: Vec<f32> = (0..gw * gh).map(|_| rng.range(-amp, amp)).collect();
    let fall = rng.range(v.light_falloff.0, v.light_falloff.1);
    let dir = rng.range(0.0, std::f32::consts::TAU);
    let (dc, ds) = (dir.cos(), dir.sin());
    let sigma = rng.range(v.noise_sigma.0, v.noise_sigma.1);
    let k = sigma * 6f32.sqrt() / (1u64 << 24) as f32;
    let mut state = rng.next_u64() | 1;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32
    };
    let mut tex_row = vec![0f32; w];
    for (y, row) in img.as_mut().chunks_exact_mut(3 * w).enumerate() {
        let gy = y as f32 / cell;
        let (iy, ty) = (gy as usize, gy.fract());
        for (x, t) in tex_row.iter_mut().enumerate() {
            let gx = x as f32 / cell;
            let (ix, tx) = (gx as usize, gx.fract());
            let g = |i: usize, j: usize| grid[j * gw + i];
            *t = (g(ix, iy) * (1.0 - tx) + g(ix + 1, iy) * tx) * (1.0 - ty) + (g(ix, iy + 1) * (1.0 - tx) + g(ix + 1, iy + 1) * tx) * ty;
        }
        for (x, px) in row.chunks_exact_mut(3).enumerate() {
            // 0 at one corner, 1 at the opposite one along `dir`.
            let along = 0.5 + 0.5 * ((x as f32 / w as f32 - 0.5) * dc + (y as f32 / h as f32 - 0.5) * ds) * std::f32::consts::SQRT_2;
            let gain = (1.0 - fall * along.clamp(0.0, 1.0)) * (1.0 + tex_row[x] / 255.0);
            for c in px.iter_mut() {
                let n = (uniform() + uniform() - (1u64 << 24) as f32) * k * 0.5;
                *c = (*c as f32 * gain + n).round().clamp(0.0, 255.0) as u8;
            }
        }
    }
}

/// Ink colour and strength of an impression drawn from a variation: the colour at full
/// density from the hue ranges (正红, or purple / orange for `off_color`), the strength such
/// that the ink absorbs the drawn density of light in its most absorbing channel.
fn ink_in(rng: &mut Rng, v: &Variation, kind: SampleKind, defects: &[Defect], forced: Option<[f32; 3]>) -> ([f32; 3], f32) {
    let density = if defects.contains(&Defect::Pale) { rng.range(v.pale_density.0, v.pale_density.1) } else { rng.range(v.density.0, v.density.1) };
    let ink = if let Some(ink) = forced {
        ink
    } else if kind.is_seal() {
        let hue = if defects.contains(&Defect::OffColor) {
            if rng.chance(0.5) { rng.range(v.purple_hue.0, v.purple_hue.1) } else { rng.range(v.orange_hue.0, v.orange_hue.1) }
        } else {
            rng.range(v.red_hue.0, v.red_hue.1)
        };
        hsv_rgb(hue, rng.range(0.82, 0.95), rng.range(200.0, 235.0))
    } else {
        let base = v.pen_inks[rng.pick(v.pen_inks.len())];
        base.map(|c| (c + rng.range(-8.0, 8.0)).clamp(0.0, 255.0))
    };
    let absorb = 1.0 - ink[0].min(ink[1]).min(ink[2]) / 255.0;
    (ink, (density / absorb.max(0.05)).min(1.0))
}

fn c_bounds(c: &CellSpec) -> (f32, f32, f32, f32) {
    (c.x, c.y, c.x + c.w, c.y + c.h)
}

fn ink_for(rng: &mut Rng, kind: SampleKind, defects: &[Defect], forced: Option<[f32; 3]>) -> ([f32; 3], f32) {
    let pale = defects.contains(&Defect::Pale);
    let strength = if pale { rng.range(0.3, 0.45) } else { rng.range(0.8, 1.0) };
    // A forced colour draws nothing more, so unforced sheets keep their random stream.
    let ink = if let Some(ink) = forced {
        ink
    } else if kind.is_seal() {
        if defects.contains(&Defect::OffColor) {
            if rng.chance(0.5) { [235.0, 115.0, 30.0] } else { [170.0, 30.0, 125.0] }
        } else {
            [rng.range(200.0, 225.0), rng.range(10.0, 40.0), rng.range(25.0, 50.0)]
        }
    } else if rng.chance(0.5) {
        [25.0, 25.0, 30.0]
    } else {
        [25.0, 45.0, 150.0]
    };
    (ink, strength)
}

fn draw_round(layer: &mut Layer, rng: &mut Rng, page: &PageXf, local: &LocalXf, d: f32) {
    let r = 0.5 * d;
    let ring_w = rng.range(1.0, 1.4);
    let c = page.fwd(local.fwd(0.0, 0.0).0, local.fwd(0.0, 0.0).1);
    layer.ring(c, r * page.ppmm, (r - ring_w) * page.ppmm);
    // Star.
    let mut star = Vec::new();
    let rs = 0.2 * r;
    for k in 0..10 {
        let a = -std::f32::consts::FRAC_PI_2 + k as f32 * std::f32::consts::PI / 5.0;
        let rr = if k % 2 == 0 { rs } else { 0.4 * rs };
        let (x, y) = local.fwd(rr * a.cos(), rr * a.sin());
        star.push(page.fwd(x, y));
    }
    layer.polygon(&star);
    // Arc text across the top, 240° centred at -90°.
    let n = 10 + rng.pick(6);
    let rt = 0.72 * r;
    let size = 0.2 * r;
    let stroke = rng.range(0.5, 0.7);
    for k in 0..n {
        let a = (-210.0 + 240.0 * (k as f32 + 0.5) / n as f32).to_radians();
        let (gx, gy) = (rt * a.cos(), rt * a.sin());
        draw_glyph(layer, rng, page, local, gx, gy, size, a.to_degrees() + 90.0, stroke);
    }
    // Horizontal text under the star.
    let m = 3 + rng.pick(3);
    for k in 0..m {
        let gx = (k as f32 - (m as f32 - 1.0) * 0.5) * 0.14 * r;
        draw_glyph(layer, rng, page, local, gx, 0.4 * r, 0.12 * r, 0.0, stroke * 0.8);
    }
}

fn draw_square(layer: &mut Layer, rng: &mut Rng, page: &PageXf, local: &LocalXf, side: f32) {
    let h = 0.5 * side;
    let xf = |x: f32, y: f32| {
        let p = local.fwd(x, y);
        page.fwd(p.0, p.1)
    };
    let stroke = rng.range(0.6, 0.9);
    if rng.chance(0.3) {
        // 阴文: solid square, glyphs cut out in white.
        layer.polygon(&[xf(-h, -h), xf(h, -h), xf(h, h), xf(-h, h)]);
        let mut cut = Layer { x0: layer.x0, y0: layer.y0, w: layer.w, h: layer.h, cov: vec![0.0; layer.w * layer.h], ramp: layer.ramp };
        for k in 0..4 {
            let (gx, gy) = (if k % 2 == 0 { 0.25 } else { -0.25 } * side, if k < 2 { -0.25 } else { 0.25 } * side);
            draw_glyph(&mut cut, rng, page, local, gx, gy, 0.36 * side, 0.0, stroke);
        }
        for (a, b) in layer.cov.iter_mut().zip(&cut.cov) {
            *a = a.min(1.0 - b);
        }
    } else {
        let bw = rng.range(0.8, 1.2);
        let hi = h - bw;
        // Border as a thick square ring: outer polygon minus inner.
        let mut border = Layer { x0: layer.x0, y0: layer.y0, w: layer.w, h: layer.h, cov: vec![0.0; layer.w * layer.h], ramp: layer.ramp };
        border.polygon(&[xf(-h, -h), xf(h, -h), xf(h, h), xf(-h, h)]);
        let mut inner = Layer { x0: layer.x0, y0: layer.y0, w: layer.w, h: layer.h, cov: vec![0.0; layer.w * layer.h], ramp: layer.ramp };
        inner.polygon(&[xf(-hi, -hi), xf(hi, -hi), xf(hi, hi), xf(-hi, hi)]);
        for ((a, b), c) in layer.cov.iter_mut().zip(&border.cov).zip(&inner.cov) {
            *a = a.max(b.min(1.0 - c));
        }
        for k in 0..4 {
            let (gx, gy) = (if k % 2 == 0 { 0.23 } else { -0.23 } * side, if k < 2 { -0.23 } else { 0.23 } * side);
            draw_glyph(layer, rng, page, local, gx, gy, 0.32 * side, 0.0, stroke);
        }
    }
}

fn draw_signature(layer: &mut Layer, rng: &mut Rng, page: &PageXf, local: &LocalXf, width: f32, cell: &(f32, f32, f32, f32), over: bool) {
    let chars = 2 + rng.pick(2);
    let cw = width / chars as f32;
    let hw = 0.5 * rng.range(0.4, 0.7) * page.ppmm;
    let mut last: Option<(f32, f32)> = None;
    for k in 0..chars {
        let x0 = -0.5 * width + k as f32 * cw;
        let (f1, f2, p1, p2) = (rng.range(1.0, 3.0), rng.range(2.0, 5.0), rng.range(0.0, 6.3), rng.range(0.0, 6.3));
        let steps = 60;
        for i in 0..=steps {
            let t = i as f32 / steps as f32;
            let x = x0 + cw * (0.1 + 0.8 * t) + 0.1 * cw * (f2 * t * STROKE_TURN + p2).sin();
            let y = 0.35 * cw * (f1 * t * STROKE_TURN + p1).sin() + 0.15 * cw * (f2 * t * STROKE_TURN).cos();
            let p = local.fwd(x, y);
            let q = page.fwd(p.0, p.1);
            if let Some(l) = last {
                layer.capsule(l, q, hw);
            }
            last = Some(q);
        }
        last = None;
    }
    if over {
        // A tail stroke that runs across the bottom line.
        let start = local.fwd(0.3 * width, 0.2 * cw);
        let end = (start.0 + 4.0, cell.3 + rng.range(1.5, 3.0));
        layer.capsule(page.fwd(start.0, start.1), page.fwd(end.0, end.1), hw);
    }
}

/// Removes a cap of the impression (uneven pressure) and a few patches.
fn break_impression(layer: &mut Layer, rng: &mut Rng, page: &PageXf, local: &LocalXf, size: f32) {
    let phi = rng.range(0.0, std::f32::consts::TAU);
    let cut = rng.range(0.5, 0.7) * 0.5 * size;
    let blobs: Vec<(f32, f32, f32)> = (0..2 + rng.pick(3)).map(|_| (rng.range(-0.4, 0.4) * size, rng.range(-0.4, 0.4) * size, rng.range(1.5, 3.0))).collect();
    let soft = 0.3;
    for y in 0..layer.h {
        for x in 0..layer.w {
            let i = y * layer.w + x;
            if layer.cov[i] <= 0.0 {
                continue;
            }
            let (pxm, pym) = page.inv((x as i32 + layer.x0) as f32 + 0.5, (y as i32 + layer.y0) as f32 + 0.5);
            let (lx, ly) = local.inv(pxm, pym);
            let proj = lx * phi.cos() + ly * phi.sin();
            let mut keep = ((cut - proj) / soft + 0.5).clamp(0.0, 1.0);
            for &(bx, by, br) in &blobs {
                keep = keep.min((((lx - bx).hypot(ly - by) - br) / soft + 0.5).clamp(0.0, 1.0));
            }
            layer.cov[i] *= keep;
        }
    }
}

/// Smears the coverage along a random direction and spreads it.
fn smudge(layer: &mut Layer, rng: &mut Rng, ppmm: f32, len_mm: Option<f32>) {
    let a = rng.range(0.0, std::f32::consts::TAU);
    let len = len_mm.unwrap_or_else(|| rng.range(0.8, 1.5)) * ppmm;
    let n = (len as usize).max(2);
    let (dx, dy) = (a.cos() * len / n as f32, a.sin() * len / n as f32);
    let src = layer.cov.clone();
    for y in 0..layer.h {
        for x in 0..layer.w {
            let mut s = 0.0;
            for k in 0..n {
                let (sx, sy) = ((x as f32 + k as f32 * dx).round() as i32, (y as f32 + k as f32 * dy).round() as i32);
                if sx >= 0 && sy >= 0 && (sx as usize) < layer.w && (sy as usize) < layer.h {
                    s += src[sy as usize * layer.w + sx as usize];
                }
            }
            layer.cov[y * layer.w + x] = (1.6 * s / n as f32).min(1.0);
        }
    }
}

/// Quality of a report against the truth of a synthetic sheet (accumulates over sheets).
#[derive(Debug, Clone, Default)]
pub struct Scores {
    pub boxes_truth: usize,
    pub boxes_found: usize,
    pub boxes_extra: usize,
    /// Labels of truth boxes the importer did not find, counted as missed (false negatives),
    /// and labels the importer gave boxes that are not in the truth, counted as false
    /// positives: a box not found gives the clerk no verdict for its impression, so its labels
    /// are missed, not left out of the figures.
    pub labels_in_boxes_not_found: usize,
    pub labels_in_extra_boxes: usize,
    pub kind_correct: usize,
    pub iou: Vec<f32>,
    /// Per label: (true positives, false positives, false negatives).
    pub labels: Vec<(Defect, usize, usize, usize)>,
    /// |measured − true| diameter or side, mm (seals that are not double or smudged).
    pub size_err_mm: Vec<f32>,
    /// The same, split: round 公章 diameters and square 法人章 sides.
    pub size_err_official: Vec<f32>,
    pub size_err_legal_rep: Vec<f32>,
    /// Mask IoU per truth label (a sample counts under each of its labels; `None`: no defect).
    pub iou_by_label: Vec<(Option<Defect>, f32)>,
    /// Rows of the truth, and of them: rows with an acceptable sample (no defect in the
    /// truth), rows whose chosen sample is acceptable, rows told to stamp again although an
    /// acceptable sample is on the sheet (false "stamp again"), rows without any acceptable
    /// sample where one was picked anyway (missed "stamp again").
    pub rows: usize,
    pub rows_acceptable: usize,
    pub rows_best_acceptable: usize,
    pub rows_false_restamp: usize,
    pub rows_missed_restamp: usize,
    /// Per label, the checks left to the clerk's eye (`Sample::unchecked`): (its truth
    /// positives not found but left unchecked, its truth negatives left unchecked, its truth
    /// negatives). A box so asked about carries no label: the clerk looks at the paper.
    pub left_to_eye: Vec<(Defect, usize, usize, usize)>,
}

impl Scores {
    pub fn new() -> Self {
        Self { labels: Defect::ALL.iter().map(|&d| (d, 0, 0, 0)).collect(), left_to_eye: Defect::ALL.iter().map(|&d| (d, 0, 0, 0)).collect(), ..Self::default() }
    }

    pub fn mean_iou(&self) -> f32 {
        self.iou.iter().sum::<f32>() / self.iou.len().max(1) as f32
    }

    /// F1 of one label (1.0 when it never occurs and is never predicted).
    pub fn f1(&self, d: Defect) -> f32 {
        let (_, tp, fp, fn_) = self.labels.iter().find(|l| l.0 == d).copied().unwrap_or((d, 0, 0, 0));
        if tp + fp + fn_ == 0 {
            return 1.0;
        }
        2.0 * tp as f32 / (2 * tp + fp + fn_) as f32
    }

    /// Mean F1 over the labels that occur in the truth or the predictions.
    pub fn macro_f1(&self) -> f32 {
        let used: Vec<f32> = self.labels.iter().filter(|l| l.1 + l.2 + l.3 > 0).map(|l| self.f1(l.0)).collect();
        used.iter().sum::<f32>() / used.len().max(1) as f32
    }

    /// Macro-F1 over the labels with at least `min_support` truth positives (issue 34's
    /// protocol, §5.2), and the labels left out for too few positives that occur at all.
    pub fn macro_f1_supported(&self, min_support: usize) -> (f32, Vec<Defect>) {
        let (mut sum, mut n, mut few) = (0.0, 0, Vec::new());
        for l in &self.labels {
            if l.1 + l.3 >= min_support {
                sum += self.f1(l.0);
                n += 1;
            } else if l.1 + l.2 + l.3 > 0 {
                few.push(l.0);
            }
        }
        (if n == 0 { 1.0 } else { sum / n as f32 }, few)
    }

    /// Rows told to stamp again although an acceptable sample is in them, over the rows that
    /// have one (issue 34's count: the applicants a false "stamp again" costs a visit).
    pub fn false_restamp_share(&self) -> f32 {
        self.rows_false_restamp as f32 / self.rows_acceptable.max(1) as f32
    }

    pub fn max_size_err(&self) -> f32 {
        self.size_err_mm.iter().cloned().fold(0.0, f32::max)
    }

    /// Precision and recall of one label (1.0 where nothing was predicted or nothing was there).
    pub fn precision_recall(&self, d: Defect) -> (f32, f32) {
        let (_, tp, fp, fn_) = self.labels.iter().find(|l| l.0 == d).copied().unwrap_or((d, 0, 0, 0));
        let p = if tp + fp == 0 { 1.0 } else { tp as f32 / (tp + fp) as f32 };
        let r = if tp + fn_ == 0 { 1.0 } else { tp as f32 / (tp + fn_) as f32 };
        (p, r)
    }

    /// Mean IoU of the samples carrying `label` in the truth (`None`: defect-free samples).
    pub fn mean_iou_of(&self, label: Option<Defect>) -> Option<f32> {
        let v: Vec<f32> = self.iou_by_label.iter().filter(|x| x.0 == label).map(|x| x.1).collect();
        (!v.is_empty()).then(|| v.iter().sum::<f32>() / v.len() as f32)
    }

    /// Adds one sheet: matches boxes by centre (within 4 mm).
    pub fn add(&mut self, report: &crate::SheetReport, truth: &[TruthSample], dpi: f32) {
        self.boxes_truth += truth.len();
        let mut used = vec![false; report.samples.len()];
        // (truth box, report row, chosen, acceptable) of every matched box.
        let mut matched: Vec<(usize, usize, bool, bool)> = Vec::new();
        for (ti, t) in truth.iter().enumerate() {
            let hit = report.samples.iter().enumerate().find(|(i, s)| !used[*i] && same_box(s, t, dpi));
            let Some((i, s)) = hit else {
                self.labels_in_boxes_not_found += self.count_labels(t.kind, &t.defects, &t.borderline, Outcome::Missed);
                continue;
            };
            used[i] = true;
            self.boxes_found += 1;
            matched.push((ti, s.row, s.best, t.defects.is_empty() && t.borderline.is_empty()));
            if s.kind == t.kind {
                self.kind_correct += 1;
            }
            for l in &mut self.labels {
                // A label drawn within ±15 % of its limit is scored neither way (design §5.2).
                if !l.0.applies_to(t.kind) || t.borderline.contains(&l.0) {
                    continue;
                }
                let (p, g) = (s.defects.contains(&l.0), t.defects.contains(&l.0));
                match (p, g) {
                    (true, true) => l.1 += 1,
                    (true, false) => l.2 += 1,
                    (false, true) => l.3 += 1,
                    _ => {}
                }
            }
            for e in &mut self.left_to_eye {
                if !e.0.applies_to(t.kind) || t.borderline.contains(&e.0) {
                    continue;
                }
                let (g, asked) = (t.defects.contains(&e.0), s.unchecked.iter().any(|u| u.label == e.0));
                let found = s.defects.contains(&e.0);
                e.1 += usize::from(g && !found && asked);
                e.2 += usize::from(!g && asked);
                e.3 += usize::from(!g);
            }
            if !t.empty {
                let iou = mask_iou(&s.pixels.mask, s.mask_offset, &t.mask, t.offset);
                self.iou.push(iou);
                if t.defects.is_empty() {
                    self.iou_by_label.push((None, iou));
                }
                self.iou_by_label.extend(t.defects.iter().map(|&d| (Some(d), iou)));
                if let Some(e) = size_error_mm(s, t) {
                    self.size_err_mm.push(e);
                    if t.kind == SampleKind::OfficialSeal {
                        self.size_err_official.push(e);
                    } else {
                        self.size_err_legal_rep.push(e);
                    }
                }
            }
        }
        self.boxes_extra += used.iter().filter(|u| !**u).count();
        for (s, _) in report.samples.iter().zip(&used).filter(|(_, u)| !**u) {
            self.labels_in_extra_boxes += self.count_labels(s.kind, &s.defects, &[], Outcome::Given);
        }
        // What the clerk needs one good sample of: a row of one kind, or where a sheet's rows
        // mix kinds (a form printing 公章, 法人章 and 签字 side by side, asked for more than
        // once), each kind over those rows.
        let need = |t: &TruthSample| {
            let mixed = truth.iter().any(|o| o.row == t.row && o.kind != t.kind);
            if mixed { Need::Kind(t.kind) } else { Need::Row(t.row) }
        };
        let needs: Vec<Need> = truth.iter().map(need).collect();
        let mut distinct = Vec::new();
        for n in &needs {
            if !distinct.contains(n) {
                distinct.push(*n);
            }
        }
        for n in distinct {
            self.rows += 1;
            let boxes: Vec<_> = matched.iter().filter(|m| needs[m.0] == n).collect();
            let acceptable = truth.iter().zip(&needs).any(|(t, tn)| *tn == n && t.defects.is_empty() && t.borderline.is_empty());
            let restamp = boxes.first().and_then(|b| report.rows.iter().find(|row| row.row == b.1)).is_none_or(|row| row.needs_restamp);
            let best_ok = boxes.iter().any(|b| b.2 && b.3);
            self.rows_acceptable += usize::from(acceptable);
            self.rows_best_acceptable += usize::from(acceptable && best_ok);
            self.rows_false_restamp += usize::from(acceptable && restamp);
            self.rows_missed_restamp += usize::from(!acceptable && !restamp);
        }
    }
}

/// What the clerk needs one good sample of (see [`Scores::add`]).
#[derive(Clone, Copy, PartialEq)]
enum Need {
    /// A truth row of one kind.
    Row(usize),
    /// A kind over the sheet's rows that mix kinds.
    Kind(SampleKind),
}

/// How a label of a box that was matched on one side only counts.
#[derive(Clone, Copy)]
enum Outcome {
    /// In the truth, on a box not found: a false negative.
    Missed,
    /// Given on a box the truth does not have: a false positive.
    Given,
}

impl Scores {
    /// Counts `defects` of a box of `kind` one-sided (scored as matched boxes are: labels that
    /// apply to the kind, none drawn within the borderline band); returns how many counted.
    fn count_labels(&mut self, kind: SampleKind, defects: &[Defect], borderline: &[Defect], outcome: Outcome) -> usize {
        let mut counted = 0;
        for l in &mut self.labels {
            if !l.0.applies_to(kind) || borderline.contains(&l.0) || !defects.contains(&l.0) {
                continue;
            }
            match outcome {
                Outcome::Missed => l.3 += 1,
                Outcome::Given => l.2 += 1,
            }
            counted += 1;
        }
        counted
    }
}

/// The size error of a judged seal against its truth, mm, as the figures score it: none for
/// an empty box, a double or a smear (whose outline the truth does not fix) or a missing size.
pub fn size_error_mm(s: &crate::Sample, t: &TruthSample) -> Option<f32> {
    if t.empty || t.defects.contains(&Defect::Double) || t.defects.contains(&Defect::Smudged) {
        return None;
    }
    let (a, b) = (s.diameter_mm.or(s.side_mm)?, t.diameter_mm.or(t.side_mm)?);
    Some((a - b).abs())
}

/// Whether the importer's sample `s` is the truth's box `t` on a sheet at `dpi`: their centres
/// within 4 mm.
pub fn same_box(s: &crate::Sample, t: &TruthSample, dpi: f32) -> bool {
    let cx = s.box_quad.iter().map(|p| p[0]).sum::<f32>() / 4.0;
    let cy = s.box_quad.iter().map(|p| p[1]).sum::<f32>() / 4.0;
    (cx - t.box_centre[0]).hypot(cy - t.box_centre[1]) < 4.0 * dpi / 25.4
}

/// The `q`-quantile (0–1) of some values, nearest rank; 0 for none.
pub fn quantile(values: &[f32], q: f32) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f32::total_cmp);
    v[((q * v.len() as f32).ceil() as usize).clamp(1, v.len()) - 1]
}

/// IoU of two binary masks given as crops with scan-pixel offsets.
pub fn mask_iou(a: &GrayImage, ao: [u32; 2], b: &GrayImage, bo: [u32; 2]) -> f32 {
    let x0 = ao[0].min(bo[0]);
    let y0 = ao[1].min(bo[1]);
    let x1 = (ao[0] + a.width()).max(bo[0] + b.width());
    let y1 = (ao[1] + a.height()).max(bo[1] + b.height());
    let get = |m: &GrayImage, o: [u32; 2], x: u32, y: u32| -> bool {
        x >= o[0] && y >= o[1] && x < o[0] + m.width() && y < o[1] + m.height() && m.get_pixel(x - o[0], y - o[1]).0[0] > 127
    };
    let (mut inter, mut uni) = (0u64, 0u64);
    for y in y0..y1 {
        for x in x0..x1 {
            let (p, q) = (get(a, ao, x, y), get(b, bo, x, y));
            inter += (p && q) as u64;
            uni += (p || q) as u64;
        }
    }
    if uni == 0 { 1.0 } else { inter as f32 / uni as f32 }
}

/// A small sheet for tests: two seal boxes 60 × 56 mm side by side at 200 dpi (PNG with its
/// resolution), their lines black, each pixel's colour from `paint` (page mm from the boxes'
/// top-left corner) with a scan's noise of about `sigma` levels, a little apart per channel.
pub fn two_boxes(paint: impl Fn(f32, f32) -> [f32; 3], sigma: f32) -> Vec<u8> {
    let dpi = 200.0;
    let ppmm = dpi / 25.4;
    let (margin, bw, bh) = (12.0f32, 60.0f32, 56.0f32);
    let (w, h) = ((2.0 * bw + 2.0 * margin) * ppmm, (bh + 2.0 * margin) * ppmm);
    let img = RgbImage::from_fn(w as u32, h as u32, |x, y| {
        let (u, v) = ((x as f32 + 0.5) / ppmm - margin, (y as f32 + 0.5) / ppmm - margin);
        let on_line =
            (0..=2).any(|k| (u - k as f32 * bw).abs() < 0.15) && (0.0..=bh).contains(&v) || [0.0, bh].iter().any(|&l| (v - l).abs() < 0.15) && (0.0..=2.0 * bw).contains(&u);
        // Xorshift on the position; a sum of three uniforms for each channel.
        let mut state = 0x2545_f491_4f6c_dd1du64 ^ (u64::from(y) << 32 | u64::from(x));
        let mut uniform = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        };
        let p = paint(u, v);
        let p: [f32; 3] = std::array::from_fn(|k| p[k] + 2.0 * sigma * (uniform() + uniform() + uniform()));
        image::Rgb(if on_line { [30, 30, 30] } else { p.map(|c| c.round().clamp(0.0, 255.0) as u8) })
    });
    let mut buf = Vec::new();
    // Encoding a buffer in memory cannot fail.
    let _ = img.write_to(&mut Cursor::new(&mut buf), ImageFormat::Png);
    crate::decode::png_with_dpi(buf, dpi)
}

/// The tan of [`stain_beside_a_double_seal`]'s stain.
pub const STAIN_TAN: [f32; 3] = [200.0, 180.0, 140.0];

/// Whether page mm `(u, v)` of [`two_boxes`] lies on the stain of
/// [`stain_beside_a_double_seal`]: 18 × 24 mm, centred 90 mm right of and 28 mm below the
/// boxes' top-left corner (in the right box).
pub fn on_stain(u: f32, v: f32) -> bool {
    ((u - 90.0) / 9.0).powi(2) + ((v - 28.0) / 12.0).powi(2) <= 1.0
}

/// [`two_boxes`] on green-tinted paper: the left box holds a 公章 40 mm across pressed twice 3
/// mm apart (every stroke doubled: the most of its disc a pressing covers), the right box only a
/// tan stain ([`STAIN_TAN`], [`on_stain`]).
pub fn stain_beside_a_double_seal() -> Vec<u8> {
    let (red, paper) = ([205.0f32, 45.0, 50.0], [200.0f32, 215.0, 180.0]);
    two_boxes(
        |u, v| {
            if seal_face(u - 30.0, v - 28.0, 40.0) || seal_face(u - 30.0, v - 31.0, 40.0) {
                std::array::from_fn(|k| paper[k] * red[k] / 255.0)
            } else if on_stain(u, v) {
                STAIN_TAN
            } else {
                paper
            }
        },
        3.0,
    )
}

/// A 公章's face `d` mm across, in mm from its centre (for [`two_boxes`]): a 1.2 mm ring, text
/// bars on an arc 2.5–6 mm inside it, a disc for the star.
pub fn seal_face(dx: f32, dy: f32, d: f32) -> bool {
    let (dist, a) = (dx.hypot(dy), dy.atan2(dx));
    let ring = (0.5 * d - 1.2..=0.5 * d).contains(&dist);
    let text = (0.5 * d - 6.0..=0.5 * d - 2.5).contains(&dist) && (a * 0.5 * d).rem_euclid(1.4) < 0.6 && a < 2.6;
    ring || text || dist < 4.0
}
