"""Maker F's capture: a multifunction copier's sheet feeder (ADF) over a fixed three-line CCD.

The page travels past a still sensor: its skew is the feeder's, its rows are where the rollers
had brought it (a speed that wanders with the rollers' vibration and slips once or twice), and
the red and blue lines, a fixed gap ahead of and behind green, are re-aligned by the firmware as
if the speed were nominal, so whatever the speed did in between shows as colour fringes. Then
the sensor (fixed-pattern column gain, dust on the feeder's glass as a streak down the page,
shot and read noise, 10 bits) and the copier's image path: shading residual, tone curve,
background removal by a luminance knee (one gain for the three channels, so a tint stays), a colour matrix,
"text/photo" sharpening of luminance, descreening of chroma, and OpenCV's codecs."""
import math
import struct
import zlib

import cv2
import numpy as np

A4 = (210.0, 297.0)


class Feed:
    """Where each scan pixel looks on the page (page mm ↔ scan px), for each colour line."""

    def __init__(self, rng, dpi):
        self.dpi = dpi
        self.k = dpi / 25.4
        self.W = int(round(A4[0] * self.k))
        self.H = int(round(A4[1] * self.k))
        r = rng.random()
        self.skew = rng.uniform(-0.35, 0.35) if r < 0.4 else rng.choice([-1, 1]) * rng.uniform(0.5, 2.9)
        self.th = math.radians(self.skew)
        self.shift = (rng.uniform(-1.2, 1.2), rng.uniform(-1.5, 1.5))
        self.gap = rng.uniform(0.25, 0.5)  # mm between the colour lines
        # the rollers' speed along the page (relative), sampled every scan row, with margin rows
        n = self.H + int(2 * self.gap * self.k) + 64
        self.v0 = int(self.gap * self.k) + 32
        y = (np.arange(n) - self.v0) / self.k
        speed = np.full(n, 1 + rng.uniform(-0.006, 0.006))
        for _ in range(rng.integers(1, 4)):
            period = rng.uniform(3, 14)
            speed += rng.uniform(0.006, 0.03) * np.sin(2 * math.pi * y / period + rng.uniform(0, 6.3))
        for _ in range(rng.integers(0, 3)):  # a slip: the roller loses grip for a few mm
            at, ln = rng.uniform(20, 280), rng.uniform(1, 6)
            speed -= rng.uniform(0.01, 0.04) * np.exp(-0.5 * ((y - at) / ln) ** 2)
        self.dist = np.cumsum(speed) / self.k  # mm fed by row index i (v = i - v0)
        self.dist -= self.dist[self.v0]

    def fed(self, v):
        """Page travel (mm) at fractional row v."""
        return np.interp(v + self.v0, np.arange(len(self.dist)), self.dist)

    def row_of(self, d):
        return np.interp(d, self.dist, np.arange(len(self.dist))) - self.v0

    def line_y(self, v, ch):
        """Feed-frame y (mm) seen by colour line ch (0 R, 1 G, 2 B) on output row v."""
        if ch == 1:
            return self.fed(v)
        s = 1 if ch == 0 else -1
        n = s * self.gap * self.k
        return self.fed(v - n) + s * self.gap

    def to_page(self, u, v, ch=1):
        """Scan pixel centres (u, v, arrays) → page mm."""
        X = (u + 0.5) / self.k - self.shift[0] - A4[0] / 2
        Y = self.line_y(v + 0.5, ch) - self.shift[1] - A4[1] / 2
        c, s = math.cos(self.th), math.sin(self.th)
        return A4[0] / 2 + c * X + s * Y, A4[1] / 2 - s * X + c * Y

    def to_scan(self, x, y):
        """Page mm → scan px (green line)."""
        x, y = np.asarray(x, float) - A4[0] / 2, np.asarray(y, float) - A4[1] / 2
        c, s = math.cos(self.th), math.sin(self.th)
        X = c * x - s * y + A4[0] / 2 + self.shift[0]
        Y = s * x + c * y + A4[1] / 2 + self.shift[1]
        return X * self.k - 0.5, self.row_of(Y) - 0.5

    def maps(self, pxmm, u0, v0, w, h, ch):
        """cv2.remap maps for a window of the scan into the render grid (pixel centres at integers);
        a row's page travel and a column's place across are separable, so the maps are outer sums."""
        u = np.arange(u0, u0 + w, dtype=np.float64)
        v = np.arange(v0, v0 + h, dtype=np.float64)
        X = (u + 0.5) / self.k - self.shift[0] - A4[0] / 2
        Yv = self.line_y(v + 0.5, ch) - self.shift[1] - A4[1] / 2
        c, s = math.cos(self.th), math.sin(self.th)
        px = (c * X * pxmm).astype(np.float32)[None, :] + ((A4[0] / 2 + s * Yv) * pxmm - 0.5).astype(np.float32)[:, None]
        py = (-s * X * pxmm).astype(np.float32)[None, :] + ((A4[1] / 2 + c * Yv) * pxmm - 0.5).astype(np.float32)[:, None]
        return px, py


def aperture(img, ratio):
    """The sensor pixel's area (ratio render px across) and the travel during one line time
    (a second box along y): a box × triangle, fractional widths."""
    def box(width):
        n = int(math.ceil(width))
        if n % 2 == 0:
            n += 1
        k = np.zeros(n, np.float32)
        c = n // 2
        for i in range(n):
            lo, hi = i - c - 0.5, i - c + 0.5
            k[i] = max(0.0, min(hi, width / 2) - max(lo, -width / 2))
        return k / k.sum()
    kx = box(ratio)
    ky = np.convolve(box(ratio), box(ratio)).astype(np.float32)
    return cv2.sepFilter2D(img, -1, kx, ky, borderType=cv2.BORDER_REPLICATE)


def sample(feed, img, pxmm, ratio, u0, v0, w, h, ch, border):
    mx, my = feed.maps(pxmm, u0, v0, w, h, ch)
    return cv2.remap(aperture(img, ratio), mx, my, cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def mask_of(feed, cov, x0, y0, pxmm, ratio):
    """An impression's coverage crop (render grid at x0, y0) → (scan mask ≥ 0.5, offset)."""
    h, w = cov.shape
    pad = int(math.ceil(2 * ratio)) + 2
    big = np.zeros((h + 2 * pad, w + 2 * pad), np.float32)
    big[pad:pad + h, pad:pad + w] = cov
    bx0, by0 = x0 - pad, y0 - pad
    xs = np.array([bx0, bx0 + big.shape[1], bx0, bx0 + big.shape[1]]) / pxmm
    ys = np.array([by0, by0, by0 + big.shape[0], by0 + big.shape[0]]) / pxmm
    su, sv = feed.to_scan(xs, ys)
    u0, v0 = int(math.floor(su.min())) - 2, int(math.floor(sv.min())) - 2
    u1, v1 = int(math.ceil(su.max())) + 3, int(math.ceil(sv.max())) + 3
    u0, v0 = max(u0, 0), max(v0, 0)
    u1, v1 = min(u1, feed.W), min(v1, feed.H)
    mx, my = feed.maps(pxmm, u0, v0, u1 - u0, v1 - v0, 1)
    m = cv2.remap(aperture(big, ratio), mx - bx0, my - by0, cv2.INTER_LINEAR,
                  borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    m = (m >= 0.5).astype(np.uint8) * 255
    ys_, xs_ = np.nonzero(m)
    if len(xs_) == 0:
        return None, None
    a, b, c, d = xs_.min(), xs_.max() + 1, ys_.min(), ys_.max() + 1
    return m[c:d, a:b], (int(u0 + a), int(v0 + c))


def capture(rng, feed, page, pxmm, ratio):
    """page: render-grid reflectance, 3 float32 channels (R, G, B) → 8-bit BGR scan."""
    backing = float(rng.choice([0.93, 0.9, 0.62]))  # the feeder's backing plate seen past the page
    chans = []
    for ch in range(3):
        chans.append(sample(feed, page[ch], pxmm, ratio, 0, 0, feed.W, feed.H, ch, backing))
    img = np.stack(chans, -1)
    k = feed.k
    # lens: a Cauchy core (cheap reduction lens) and a wide veiling glare
    gam = rng.uniform(0.018, 0.045) * k
    rad = max(1, int(math.ceil(5 * gam)))
    t = np.arange(-rad, rad + 1, dtype=np.float32)
    R2 = t[None, :] ** 2 + t[:, None] ** 2
    psf = 1.0 / (1 + R2 / gam ** 2) ** 1.5
    psf /= psf.sum()
    img = cv2.filter2D(img, -1, psf, borderType=cv2.BORDER_REPLICATE)
    glare = rng.uniform(0.008, 0.03)
    small = cv2.resize(img, (max(8, feed.W // 16), max(8, feed.H // 16)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), rng.uniform(2.0, 5.0) * k / 16)
    img = (1 - glare) * img + glare * cv2.resize(small, (feed.W, feed.H), interpolation=cv2.INTER_LINEAR)
    # the lamp and its shading correction's residual, across the fixed sensor
    x = np.linspace(-1, 1, feed.W, dtype=np.float32)
    lamp = 1 - rng.uniform(0.0, 0.02) * x ** 2 + rng.uniform(-0.006, 0.006) * x
    gains = np.array([rng.uniform(0.985, 1.0), 1.0, rng.uniform(0.98, 1.0)], np.float32)
    prnu = 1 + rng.uniform(0.001, 0.004) * rng.standard_normal(feed.W).astype(np.float32)
    img *= (lamp * prnu)[None, :, None] * gains[None, None, :]
    for _ in range(rng.choice([0, 0, 1, 1, 2])):  # dust on the feeder glass: a streak down the page
        c0 = int(rng.uniform(0.03, 0.97) * feed.W)
        wd = int(rng.integers(1, 3))
        img[:, c0:c0 + wd, :] *= 1 - rng.uniform(0.015, 0.04)
    fw = rng.uniform(5000, 20000)
    rd = rng.uniform(0.0008, 0.0025)
    img = np.clip(img, 0, 1.2)
    # shot and read noise as one Gaussian of their summed variance
    img += np.sqrt(img / fw + rd * rd).astype(np.float32) * rng.standard_normal(img.shape, dtype=np.float32)
    code = np.round(np.clip(img, 0, 1) * 1023).astype(np.uint16)  # 10 bits
    del img
    # the copier's image path
    g = rng.uniform(1.9, 2.3)
    lut = np.power(np.maximum(np.arange(1024) / 1023, 1e-6), 1 / g).astype(np.float32)
    enc = lut[code]
    del code
    Y = enc @ np.array([0.299, 0.587, 0.114], np.float32)
    white = float(np.percentile(Y[::7, ::7], 99.0))
    gain = min(1.15, max(1.0, rng.uniform(0.97, 1.0) / max(white, 1e-3)))
    knee = rng.uniform(0.93, 0.97)
    Yg = Y * gain
    Yk = np.where(Yg > knee, knee + (Yg - knee) * 1.8, Yg)
    enc = enc * (Yk / np.maximum(Y, 1e-4))[..., None]
    s = rng.uniform(0.03, 0.18)
    M = (1 + s) * np.eye(3, dtype=np.float32) - s / 3
    enc = enc @ M.T
    ycc = cv2.cvtColor(np.clip(enc, 0, 1)[..., ::-1].copy(), cv2.COLOR_BGR2YCrCb)
    yb = cv2.GaussianBlur(ycc[..., 0], (0, 0), rng.uniform(0.6, 1.3))
    ycc[..., 0] += rng.uniform(0.3, 0.9) * (ycc[..., 0] - yb)
    if rng.random() < 0.5:  # descreen: the chroma smoothed
        sig = rng.uniform(0.6, 1.2)
        for c in (1, 2):
            ycc[..., c] = cv2.GaussianBlur(ycc[..., c], (0, 0), sig)
    bgr = cv2.cvtColor(ycc, cv2.COLOR_YCrCb2BGR)
    return np.clip(np.round(bgr * 255), 0, 255).astype(np.uint8)


def _png_phys(data, dpi):
    ppm = int(round(dpi / 0.0254))
    body = b"pHYs" + struct.pack(">IIB", ppm, ppm, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    return data[:33] + chunk + data[33:]


def _jfif_density(data, dpi):
    b = bytearray(data)
    if b[6:11] == b"JFIF\x00":
        b[13] = 1
        b[14:16] = struct.pack(">H", dpi)
        b[16:18] = struct.pack(">H", dpi)
    return bytes(b)


def write(rng, bgr, path_stem, dpi, in_file):
    """The copier's file: JPEG (OpenCV, 4:2:0, q 55–92), PNG or TIFF. Returns the file's name."""
    r = rng.random()
    if r < 0.65:
        q = int(rng.choice([rng.integers(55, 70), rng.integers(70, 86), rng.integers(86, 93)]))
        ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, q,
                                             cv2.IMWRITE_JPEG_OPTIMIZE, int(rng.random() < 0.5)])
        data = buf.tobytes()
        if in_file:
            data = _jfif_density(data, dpi)
        ext = "jpg"
    elif r < 0.85:
        ok, buf = cv2.imencode(".png", bgr, [cv2.IMWRITE_PNG_COMPRESSION, 6])
        data = buf.tobytes()
        if in_file:
            data = _png_phys(data, dpi)
        ext = "png"
    else:
        params = [cv2.IMWRITE_TIFF_COMPRESSION, int(rng.choice([1, 5, 32773]))]
        if in_file:
            params += [cv2.IMWRITE_TIFF_RESUNIT, 2, cv2.IMWRITE_TIFF_XDPI, dpi, cv2.IMWRITE_TIFF_YDPI, dpi]
        ok, buf = cv2.imencode(".tif", bgr, params)
        data = buf.tobytes()
        ext = "tif"
    assert ok
    name = f"{path_stem}.{ext}"
    return name, data
