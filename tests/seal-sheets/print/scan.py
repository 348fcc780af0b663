"""Maker B's scanner: turns a rendered page (sRGB uint8) into what a flatbed scanner and its
driver hand over. In linear light: paper white and lamp fall-off, a Gaussian MTF per axis,
shot and read noise; back to sRGB; the page laid ±3° crooked (Pillow's bicubic rotate); JPEG
(Pillow, quality 55-95, 4:2:0 / 4:2:2 / 4:4:4) or PNG, the resolution written into the file
for 85 % of sheets. `geometry` moves a truth image by the same tilt.
"""

import io
import math

import numpy as np
from PIL import Image


def to_linear(v):
    v = v / 255.0
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def to_srgb(lin):
    lin = np.clip(lin, 0.0, 1.0)
    v = np.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)
    return np.clip(v * 255.0 + 0.5, 0, 255).astype(np.uint8)


def gauss_1d(img, sigma, axis):
    if sigma < 0.05:
        return img
    r = max(1, int(math.ceil(3 * sigma)))
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k /= k.sum()
    pad = [(0, 0)] * img.ndim
    pad[axis] = (r, r)
    p = np.pad(img, pad, mode="edge")
    out = np.zeros_like(img)
    n = img.shape[axis]
    for i, w in enumerate(k):
        out += w * np.take(p, range(i, i + n), axis=axis)
    return out


class Scanner:
    def __init__(self, rng, dpi):
        self.rng = rng
        self.dpi = dpi
        self.tilt = rng.uniform(-3.0, 3.0)
        # MTF as a Gaussian in mm (a flatbed's optics and CCD), wider across the carriage.
        self.sigma_mm = (rng.uniform(0.03, 0.11), rng.uniform(0.03, 0.13))
        self.white = rng.uniform(0.86, 0.98)
        self.falloff = rng.uniform(0.0, 0.10)
        self.read_noise = rng.uniform(0.002, 0.008)
        self.shot = rng.uniform(0.0005, 0.003)

    def scan(self, rgb):
        lin = to_linear(rgb.astype(np.float32)).astype(np.float32)
        h, w, _ = lin.shape
        ppmm = self.dpi / 25.4
        lin = gauss_1d(lin, self.sigma_mm[0] * ppmm, 1)
        lin = gauss_1d(lin, self.sigma_mm[1] * ppmm, 0)
        ys = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
        xs = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :]
        lamp = self.white * (1.0 - self.falloff * (0.6 * xs + 0.4 * ys))
        lin = lin * lamp[:, :, None]
        nrng = np.random.default_rng(self.rng.randrange(1 << 30))
        noise = nrng.standard_normal(lin.shape, dtype=np.float32)
        lin = lin + noise * np.sqrt(self.read_noise ** 2 + self.shot * np.maximum(lin, 0.0))
        out = to_srgb(lin)
        img = Image.fromarray(out).rotate(self.tilt, resample=Image.BICUBIC, fillcolor=tuple(int(v) for v in out[2, 2]))
        cx, cy = w / 2.0, h / 2.0
        t = math.radians(self.tilt)
        c, s = math.cos(t), math.sin(t)

        def to_scan(x, y):
            # Pillow turns the content counter-clockwise on screen by `tilt` degrees.
            dx, dy = x - cx, y - cy
            return cx + c * dx + s * dy, cy - s * dx + c * dy

        return np.asarray(img), to_scan

    def geometry(self, img):
        return np.asarray(Image.fromarray(img).rotate(self.tilt, resample=Image.BILINEAR, fillcolor=(0, 0, 0)))

    def encode(self, arr):
        img = Image.fromarray(arr)
        in_file = self.rng.random() < 0.85
        buf = io.BytesIO()
        if self.rng.random() < 0.75:
            q = self.rng.randint(55, 95)
            sub = self.rng.choice([2, 1, 0])  # Pillow: 0 = 4:4:4, 1 = 4:2:2, 2 = 4:2:0
            kw = {"quality": q, "subsampling": sub}
            if in_file:
                kw["dpi"] = (self.dpi, self.dpi)
            img.save(buf, "JPEG", **kw)
            return "jpg", buf.getvalue(), in_file
        kw = {"dpi": (self.dpi, self.dpi)} if in_file else {}
        img.save(buf, "PNG", compress_level=3, **kw)
        return "png", buf.getvalue(), in_file
