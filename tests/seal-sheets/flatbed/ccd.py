"""Maker E's scanner: a CCD flatbed with a three-line RGB sensor (issue 76).

The page lies on the glass turned by the skew and shifted a little; the carriage reads it in
render-grid units (scipy.ndimage.affine_transform, bilinear), each sensor pixel averages a
k x k block of the render grid (its aperture). The three colour lines sit a few lines apart
on the sensor, so red and blue are read at other instants than green: a constant
misregistration along the travel plus the motor's speed wobble, which each line sees with its
own phase (rows re-sampled). The lens's optical transfer function is applied by FFT at the
scan grid: a defocus disk (jinc), the aperture's diffraction (the incoherent circular-pupil
MTF) and veiling glare (a wide, low kernel of exponential transfer). Then the lamp's residual
profile after shading correction, fixed-pattern column gain with dust streaks along the
travel, Poisson-Gaussian noise in electrons, the software's tone curve and auto-levels (one
black and white point for the three channels), 8 bits; JPEG, PNG or TIFF written by Pillow.
"""

import io
import math

import numpy as np
from PIL import Image
from scipy import fft as sfft
from scipy import ndimage, special


class Flatbed:
    def __init__(self, rng, dpi, k, page_w, page_h, lid):
        self.rng, self.dpi, self.k = rng, dpi, k
        self.W = int(round(210.0 / 25.4 * dpi))
        self.H = int(round(297.0 / 25.4 * dpi))
        self.page_w, self.page_h, self.lid = page_w, page_h, lid
        r = rng.random()
        self.skew = float(rng.uniform(-0.4, 0.4) if r < 0.45 else rng.choice([-1, 1]) * rng.uniform(0.6, 2.8))
        ppx = dpi / 25.4 * k  # render pixels a millimetre
        self.shift = (float(rng.uniform(-1.5, 1.5) * ppx), float(rng.uniform(-1.5, 1.5) * ppx))
        self.yscale = 1.0 + float(rng.uniform(-0.003, 0.003))
        th = math.radians(self.skew)
        # scan frame (render units, continuous) q = Cq + D R (p - Cp) + shift
        rot = np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])
        self.fwd = np.diag([1.0, self.yscale]) @ rot
        self.inv = np.linalg.inv(self.fwd)
        self.cp = np.array([page_w / 2.0, page_h / 2.0])
        self.cq = np.array([self.W * k / 2.0, self.H * k / 2.0])
        # the carriage: a speed wobble (scan rows) and the colour lines' offsets
        self.wob_amp = float(rng.uniform(0.05, 0.25))
        self.wob_per = float(rng.uniform(5.0, 20.0)) / 25.4 * dpi
        self.wob_ph = float(rng.uniform(0, 2 * math.pi))
        self.line_off = {0: float(rng.choice([-1, 1]) * rng.uniform(0.1, 0.5)), 1: 0.0, 2: float(rng.choice([-1, 1]) * rng.uniform(0.1, 0.5))}
        self.line_lag = {0: float(rng.uniform(4, 12)), 1: 0.0, 2: -float(rng.uniform(4, 12))}

    def forward(self, x, y):
        """A page render-grid point (continuous) to scan pixels (pixel centres at integers)."""
        q = self.cq + self.fwd @ (np.array([x, y]) - self.cp) + self.shift
        return float(q[0] / self.k - 0.5), float(q[1] / self.k - 0.5)

    def _warp(self, img, origin, u0, v0, nu, nv, cval):
        """Scan pixels [u0, u0+nu) x [v0, v0+nv) of `img` (render grid, its pixel (0,0) at page
        render pixel `origin`), each the mean of its k x k aperture."""
        k = self.k
        # output index (r, c) -> q = (c + 0.5 + u0 k, r + 0.5 + v0 k); p = Cp + inv (q - Cq - shift)
        # input index = p - origin - 0.5, in (row, col) order for scipy.
        a = self.inv
        m = np.array([[a[1, 1], a[1, 0]], [a[0, 1], a[0, 0]]])
        q0 = np.array([0.5 + u0 * k, 0.5 + v0 * k]) - self.cq - np.array(self.shift)
        p0 = self.cp + a @ q0 - np.array(origin, float) - 0.5
        off = np.array([p0[1], p0[0]])
        out = ndimage.affine_transform(img, m, offset=off, output_shape=(nv * k, nu * k), order=1, mode="constant", cval=cval,
                                       prefilter=False)
        if k > 1:
            out = out.reshape(nv, k, nu, k).mean(axis=(1, 3))
        return out.astype(np.float32)

    def _travel(self, arr, v0, ch):
        """Re-sample rows: the line read for scan row v is at v + offset + wobble."""
        v = np.arange(arr.shape[0], dtype=np.float64) + v0
        lag = self.line_lag[ch]
        d = self.line_off[ch] + self.wob_amp * np.sin(2 * math.pi * (v - lag) / self.wob_per + self.wob_ph)
        src = np.clip(v + d - v0, 0, arr.shape[0] - 1)
        i0 = np.floor(src).astype(np.int64)
        i1 = np.minimum(i0 + 1, arr.shape[0] - 1)
        f = (src - i0).astype(np.float32)[:, None]
        out = arr[i0]
        out *= 1 - f
        out += arr[i1] * f
        return out

    def geometry(self, plane, ch):
        out = self._warp(plane, (0, 0), 0, 0, self.W, self.H, self.lid[ch])
        return self._travel(out, 0, ch)

    def mask(self, cover, ox, oy):
        """An impression's coverage (render grid, placed at page render pixel ox, oy) through
        green's path: the same affine map, aperture and carriage wobble."""
        h, w = cover.shape
        corners = [self.forward(ox + cx, oy + cy) for cx in (0, w) for cy in (0, h)]
        u0 = max(0, int(math.floor(min(c[0] for c in corners))) - 3)
        v0 = max(0, int(math.floor(min(c[1] for c in corners))) - 3)
        u1 = min(self.W, int(math.ceil(max(c[0] for c in corners))) + 4)
        v1 = min(self.H, int(math.ceil(max(c[1] for c in corners))) + 4)
        if u1 <= u0 or v1 <= v0:
            return np.zeros((1, 1), np.float32), (0, 0)
        m = self._warp(cover.astype(np.float32), (ox, oy), u0, v0, u1 - u0, v1 - v0, 0.0)
        return self._travel(m, v0, 1), (u0, v0)

    def optics(self, planes):
        rng, dpi = self.rng, self.dpi
        px_mm = 25.4 / dpi
        defocus_r = float(rng.uniform(0.015, 0.05))  # blur disk radius, mm
        cutoff = float(rng.uniform(12.0, 22.0))  # diffraction cut-off, cycles/mm
        glare = float(rng.uniform(0.01, 0.035))
        glare_a = float(rng.uniform(2.0, 8.0))  # mm
        H, W = planes[0].shape
        fy = sfft.fftfreq(H, d=px_mm).astype(np.float32)[:, None]
        fx = sfft.rfftfreq(W, d=px_mm).astype(np.float32)[None, :]
        f = np.sqrt(fx * fx + fy * fy)
        x = 2 * math.pi * defocus_r * f
        jinc = np.where(x > 1e-6, 2 * special.j1(np.maximum(x, 1e-6)) / np.maximum(x, 1e-6), 1.0)
        nu = np.minimum(f / cutoff, 1.0)
        diff = (2 / math.pi) * (np.arccos(nu) - nu * np.sqrt(1 - nu * nu))
        otf = ((1 - glare) * jinc * diff + glare * np.exp(-2 * math.pi * glare_a * f)).astype(np.float32)
        del f, x, jinc, nu, diff
        return [sfft.irfft2(sfft.rfft2(p, workers=1) * otf, s=p.shape, workers=1).astype(np.float32) for p in planes]

    def sense(self, planes):
        rng = self.rng
        H, W = planes[0].shape
        xs = np.linspace(-1, 1, W, dtype=np.float32)
        lamp = 1.0 + float(rng.uniform(-0.012, 0.012)) * xs * xs + float(rng.uniform(-0.006, 0.006)) * xs
        col = 1.0 + rng.normal(0, rng.uniform(0.001, 0.004), W).astype(np.float32)
        for _ in range(int(rng.integers(0, 4))):
            c = int(rng.integers(0, W))
            wdt = int(rng.integers(1, 4))
            col[c:c + wdt] *= float(rng.uniform(0.965, 0.99))
        full_well = float(rng.uniform(8000, 30000))
        read = float(rng.uniform(0.0015, 0.004))
        gamma = float(rng.uniform(2.0, 2.4))
        out = []
        for p in planes:
            s = np.clip(p * (lamp * col)[None, :], 0, None)
            s = s + rng.standard_normal(s.shape, dtype=np.float32) * np.sqrt(s / full_well + read * read).astype(np.float32)
            out.append(np.power(np.clip(s, 0, 1.2) / 1.2, 1.0 / gamma, dtype=np.float32))
        # auto-levels: one black and one white point for the three channels
        sample = np.minimum(np.minimum(out[0][::7, ::5], out[1][::7, ::5]), out[2][::7, ::5])
        lo = float(np.percentile(sample, 0.05))
        hi = float(np.percentile(np.maximum(np.maximum(out[0][::7, ::5], out[1][::7, ::5]), out[2][::7, ::5]), 99.3))
        white = float(rng.uniform(0.965, 1.0))
        black = float(rng.uniform(0.0, 0.05))
        rgb = np.empty((H, W, 3), np.uint8)
        for c, o in enumerate(out):
            v = black + (o - lo) / max(hi - lo, 1e-3) * (white - black)
            rgb[:, :, c] = np.clip(v * 255 + 0.5, 0, 255).astype(np.uint8)
        return rgb

    def encode(self, rgb):
        rng = self.rng
        im = Image.fromarray(rgb, "RGB")
        in_file = bool(rng.random() < 0.75)
        kw = {"dpi": (self.dpi, self.dpi)} if in_file else {}
        buf = io.BytesIO()
        r = rng.random()
        if r < 0.62:
            im.save(buf, "JPEG", quality=int(rng.integers(55, 96)), subsampling=int(rng.choice([0, 1, 2, 2])), **kw)
            ext = "jpg"
        elif r < 0.82:
            im.save(buf, "PNG", compress_level=int(rng.integers(1, 7)), **kw)
            ext = "png"
        else:
            im.save(buf, "TIFF", compression=str(rng.choice(["tiff_lzw", "tiff_adobe_deflate", "packbits"])), **kw)
            ext = "tif"
        return ext, buf.getvalue(), in_file
