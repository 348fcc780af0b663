"""Maker D's scanner: a contact-image-sensor (CIS) sheet-fed / flatbed scanner and its
firmware, in numpy and Pillow. Unlike a lens-and-CCD model it samples the page line by line:

- the page lies skewed on the glass (an affine map at the page's render grid, Pillow 'F'),
  and the carriage's motor runs a little fast or slow (y resolution off by up to ±0.4 %);
- the render grid is area-averaged onto the sensor grid (Image.reduce by an integer factor);
- the rod-lens array's MTF, wider along the travel than across (triple box blur, cumsum);
- the three LEDs flash in turn, so green and blue are read a third and two thirds of a line
  later than red (on most models);
- per-column gain (photo-response non-uniformity: faint streaks along the travel), per-line
  lamp gain jitter, the light guide's fall-off at both ends, shot noise from a full well of
  a few thousand electrons, read noise;
- firmware: black offset, a power-law tone curve (not sRGB's), unsharp mask, 8 bits;
- then JPEG (Pillow, 4:2:0 / 4:2:2 / 4:4:4, quality 60-95), PNG or TIFF, the resolution
  written into the file for most sheets.

`forward` maps page render-grid coordinates to scan pixels; `mask` moves a truth coverage
image by exactly the page's geometry.
"""

import io
import math

import numpy as np
from PIL import Image


def box_blur(a, r, axis):
    """Running mean of width 2r+1 along `axis` (edges held), by cumulative sums."""
    if r < 1:
        return a
    pad = [(0, 0)] * a.ndim
    pad[axis] = (r + 1, r)
    c = np.cumsum(np.pad(a, pad, mode="edge"), axis=axis, dtype=np.float64)
    n = a.shape[axis]
    hi = np.take(c, np.arange(2 * r + 1, 2 * r + 1 + n), axis=axis)
    lo = np.take(c, np.arange(0, n), axis=axis)
    return ((hi - lo) / (2 * r + 1)).astype(np.float32)


def soft(a, sigma, axis):
    """Three box passes ≈ a Gaussian of `sigma` pixels (and the remainder by a 3-tap mix)."""
    if sigma < 0.3:
        return a
    # Three boxes of width w have variance 3 (w² − 1) / 12.
    w = math.sqrt(4.0 * sigma * sigma + 1.0)
    r = max(0, int((w - 1) / 2))
    for _ in range(3):
        a = box_blur(a, r, axis)
    rest = sigma * sigma - 3 * ((2 * r + 1) ** 2 - 1) / 12.0
    if rest > 0.01:
        t = min(0.5, rest / 2.0)
        a = (1 - 2 * t) * a + t * (np.roll(a, 1, axis=axis) + np.roll(a, -1, axis=axis))
    return a


class Cis:
    def __init__(self, rng, dpi, k, page_w, page_h):
        self.rng = rng
        self.dpi = dpi
        self.k = k
        self.skew = rng.uniform(-2.5, 2.5)  # clockwise on screen
        self.ys = 1.0 + rng.uniform(-0.004, 0.004)
        self.W = page_w
        self.H = int(round(page_h * self.ys / k)) * k
        self.mtf_mm = (rng.uniform(0.035, 0.085), rng.uniform(0.045, 0.11))
        self.led_lag = rng.random() < 0.65
        self.white = rng.uniform(0.885, 0.975)
        self.guide_falloff = rng.uniform(0.0, 0.06)
        self.prnu = rng.uniform(0.001, 0.006)
        self.line_gain = rng.uniform(0.0005, 0.004)
        self.full_well = rng.uniform(1500.0, 6000.0)
        self.read = rng.uniform(0.0015, 0.005)
        self.black = rng.uniform(0.0, 0.02)
        self.gamma = rng.uniform(1.8, 2.4)
        self.usm = (rng.uniform(0.15, 0.7), rng.uniform(0.7, 1.4))
        t = math.radians(self.skew)
        c, s = math.cos(t), math.sin(t)
        cx, cy = page_w / 2.0, page_h / 2.0
        self.cx, self.cy, self.c, self.s = cx, cy, c, s
        # Output (x, y) of the render-grid scan → input page (x, y):
        #   u = x − cx, v = (y − cy) / ys; page = centre + R(−skew) (u, v).
        ys = self.ys
        self.inv = (c, s / ys, cx - c * cx - s * cy / ys, -s, c / ys, cy + s * cx - c * cy / ys)

    def forward(self, x, y):
        """Page render-grid coordinates (pixel edges at integers) → scan pixels."""
        dx, dy = x - self.cx, y - self.cy
        u = self.c * dx - self.s * dy
        v = self.s * dx + self.c * dy
        return (self.cx + u) / self.k, (self.cy + v * self.ys) / self.k

    def _place(self, plane, size, data, resample):
        img = Image.fromarray(np.ascontiguousarray(plane, dtype=np.float32), "F")
        return img.transform(size, Image.AFFINE, data, resample=resample)

    def geometry(self, plane, fill):
        """One page plane (float, render grid) laid on the glass and sampled by the sensor."""
        # Pillow fills outside the input with 0: hand it the plane less `fill`.
        img = self._place(plane - fill, (self.W, self.H), self.inv, Image.BICUBIC)
        if self.k > 1:
            img = img.reduce(self.k)
        return np.asarray(img, dtype=np.float32) + fill

    def mask(self, cov, ox, oy):
        """A truth coverage image (0..1, render grid) whose top-left lies at page (ox, oy):
        through the same map and the same area sampling; returns (coverage at scan
        resolution, its top-left in scan pixels)."""
        h, w = cov.shape
        k = self.k
        pts = [self.forward(ox + u, oy + v) for u, v in ((0, 0), (w, 0), (0, h), (w, h))]
        x0 = int(math.floor(min(p[0] for p in pts))) - 1
        y0 = int(math.floor(min(p[1] for p in pts))) - 1
        x1 = int(math.ceil(max(p[0] for p in pts))) + 1
        y1 = int(math.ceil(max(p[1] for p in pts))) + 1
        a, b, c0, d, e, f = self.inv
        X0, Y0 = x0 * k, y0 * k
        data = (a, b, c0 + a * X0 + b * Y0 - ox, d, e, f + d * X0 + e * Y0 - oy)
        img = self._place(cov, ((x1 - x0) * k, (y1 - y0) * k), data, Image.BILINEAR)
        if k > 1:
            img = img.reduce(k)
        return np.asarray(img, dtype=np.float32), (x0, y0)

    def sense(self, planes):
        """Linear reflectance planes at the sensor grid → 8-bit RGB as the firmware sends it."""
        rng = np.random.default_rng(self.rng.randrange(1 << 31))
        mm = self.dpi / 25.4
        h, w = planes[0].shape
        col_gain = 1.0 + self.prnu * rng.standard_normal(w).astype(np.float32)
        row_gain = 1.0 + self.line_gain * rng.standard_normal(h).astype(np.float32)
        xs = np.linspace(-1.0, 1.0, w, dtype=np.float32)
        guide = 1.0 - self.guide_falloff * xs ** 4
        out = []
        for ci, p in enumerate(planes):
            p = soft(p, self.mtf_mm[0] * mm, 1)
            p = soft(p, self.mtf_mm[1] * mm, 0)
            if self.led_lag and ci > 0:
                t = ci / 3.0
                p = (1 - t) * p + t * np.roll(p, -1, axis=0)
            sig = np.clip(p, 0.0, 1.2) * self.white * guide[None, :] * col_gain[None, :] * row_gain[:, None]
            sigma = np.sqrt(np.maximum(sig, 0.0) / self.full_well + self.read ** 2)
            sig = sig + sigma * rng.standard_normal(sig.shape, dtype=np.float32)
            v = np.clip((sig - self.black) / (1.0 - self.black), 0.0, 1.0) ** (1.0 / self.gamma)
            amount, radius = self.usm
            blur = soft(soft(v, radius, 0), radius, 1)
            v = v + amount * (v - blur)
            out.append(np.clip(v * 255.0 + rng.uniform(0, 1, v.shape), 0, 255).astype(np.uint8))
        return np.dstack(out)

    def encode(self, rgb):
        img = Image.fromarray(rgb, "RGB")
        in_file = self.rng.random() < 0.8
        dpi = {"dpi": (self.dpi, self.dpi)} if in_file else {}
        buf = io.BytesIO()
        kind = self.rng.random()
        if kind < 0.65:
            img.save(buf, "JPEG", quality=self.rng.randint(60, 95), subsampling=self.rng.choice([0, 1, 2, 2]), **dpi)
            return "jpg", buf.getvalue(), in_file
        if kind < 0.85:
            img.save(buf, "PNG", compress_level=6, **dpi)
            return "png", buf.getvalue(), in_file
        img.save(buf, "TIFF", compression=self.rng.choice(["tiff_lzw", "tiff_adobe_deflate", None]), **dpi)
        return "tif", buf.getvalue(), in_file
