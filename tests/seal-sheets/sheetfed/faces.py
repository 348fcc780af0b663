"""Maker F's drawing: glyph outlines flattened here (fontTools only reads the outlines), filled
by OpenCV's polygon filler on a supersampled grid, emboldened and anti-aliased through a
distance field (cv2.distanceTransform), rings as analytic distance fields, signatures as a
pen of varying width run along the skeleton (cv2.ximgproc.thinning) of the name's glyphs."""
import math

import cv2
import numpy as np
from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont

FONT_FILES = {
    "hei": "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # Droid Sans Fallback
    "ming": "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",  # Hanazono Mincho A
}
SS = 2  # supersampling of the render grid while a face is drawn


class _Flatten(BasePen):
    """Outline → closed polylines in font units; curves cut into chords of about 1/120 em."""

    def __init__(self, glyphset, tol):
        super().__init__(glyphset)
        self.tol = tol
        self.polys = []
        self.cur = []

    def _flush(self):
        if len(self.cur) > 2:
            self.polys.append(np.array(self.cur, np.float64))
        self.cur = []

    def _moveTo(self, p):
        self._flush()
        self.cur = [p]

    def _lineTo(self, p):
        self.cur.append(p)

    def _n(self, *pts):
        span = sum(math.dist(a, b) for a, b in zip(pts, pts[1:]))
        return max(2, min(24, int(span / self.tol) + 1))

    def _qCurveToOne(self, p1, p2):
        p0 = self.cur[-1]
        for t in np.linspace(0, 1, self._n(p0, p1, p2) + 1)[1:]:
            u = 1 - t
            self.cur.append((u * u * p0[0] + 2 * u * t * p1[0] + t * t * p2[0],
                             u * u * p0[1] + 2 * u * t * p1[1] + t * t * p2[1]))

    def _curveToOne(self, p1, p2, p3):
        p0 = self.cur[-1]
        for t in np.linspace(0, 1, self._n(p0, p1, p2, p3) + 1)[1:]:
            u = 1 - t
            a, b, c, d = u ** 3, 3 * u * u * t, 3 * u * t * t, t ** 3
            self.cur.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                             a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))

    def _closePath(self):
        self._flush()

    def _endPath(self):
        self._flush()


class Face:
    """One typeface: characters as polylines normalised to their ink box (x right, y down, 0..1)."""

    def __init__(self, key):
        self.tt = TTFont(FONT_FILES[key], lazy=True)
        self.cmap = self.tt.getBestCmap()
        self.gs = self.tt.getGlyphSet()
        self.em = self.tt["head"].unitsPerEm
        self.cache = {}

    def has(self, ch):
        return ord(ch) in self.cmap

    def glyph(self, ch):
        """(polylines in ink-box units, ink box aspect w/h, ink box in em units)."""
        if ch not in self.cache:
            pen = _Flatten(self.gs, self.em / 120.0)
            self.gs[self.cmap[ord(ch)]].draw(pen)
            polys = pen.polys
            allp = np.concatenate(polys) if polys else np.zeros((1, 2))
            x0, y0 = allp.min(0)
            x1, y1 = allp.max(0)
            w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
            norm = [np.stack([(p[:, 0] - x0) / w, (y1 - p[:, 1]) / h], 1) for p in polys]
            self.cache[ch] = (norm, w / h, (x0 / self.em, y0 / self.em, x1 / self.em, y1 / self.em))
        return self.cache[ch]


_FACES = {}


def face(key):
    if key not in _FACES:
        _FACES[key] = Face(key)
    return _FACES[key]


def place(polys, cx, cy, w, h, rot):
    """Ink-box polylines into a cell of w × h mm centred at (cx, cy) mm, turned by rot radians
    (clockwise on the page, y down)."""
    c, s = math.cos(rot), math.sin(rot)
    out = []
    for p in polys:
        x = (p[:, 0] - 0.5) * w
        y = (p[:, 1] - 0.5) * h
        out.append(np.stack([cx + c * x - s * y, cy + s * x + c * y], 1))
    return out


class Grid:
    """A supersampled patch of the render grid: origin (render px) and scale (render px / mm)."""

    def __init__(self, x0, y0, w, h, pxmm):
        self.x0, self.y0, self.w, self.h, self.pxmm = x0, y0, w, h, pxmm
        self.W, self.H = w * SS, h * SS

    def to_ss(self, mm_pts):
        """Page mm → supersampled pixel coordinates (pixel centres at integers)."""
        return (mm_pts * self.pxmm - np.array([self.x0, self.y0])) * SS - 0.5

    def fill(self, polys_mm, canvas=None):
        if canvas is None:
            canvas = np.zeros((self.H, self.W), np.uint8)
        pts = [np.round(self.to_ss(p) * 16).astype(np.int32) for p in polys_mm if len(p) > 2]
        if pts:
            cv2.fillPoly(canvas, pts, 255, cv2.LINE_8, shift=4)
        return canvas

    def coords_mm(self):
        xs = ((np.arange(self.W) + 0.5) / SS + self.x0) / self.pxmm
        ys = ((np.arange(self.H) + 0.5) / SS + self.y0) / self.pxmm
        return np.meshgrid(xs.astype(np.float32), ys.astype(np.float32))

    def down(self, cov):
        return cv2.resize(cov, (self.w, self.h), interpolation=cv2.INTER_AREA)


def embolden(binary, bold_mm, g):
    """Coverage of the binary shape grown by bold_mm, anti-aliased by its distance field."""
    d = cv2.distanceTransform(255 - binary, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    return np.clip(bold_mm * g.pxmm * SS + 1.0 - d, 0, 1).astype(np.float32)


def annulus(g, cx, cy, r_out, r_in, X, Y):
    r = np.hypot(X - cx, Y - cy)
    half = SS * g.pxmm
    return np.clip(0.5 + np.minimum(r_out - r, r - r_in) * half, 0, 1).astype(np.float32)


def star(cx, cy, r, rot):
    pts = []
    for k in range(10):
        rr = r if k % 2 == 0 else r * 0.382
        a = rot + k * math.pi / 5
        pts.append((cx + rr * math.sin(a), cy - rr * math.cos(a)))
    return [np.array(pts)]


def official_face(spec, cx, cy, rot, pxmm):
    """A round 公章 at page (cx, cy) mm turned by rot: (coverage crop at the render grid, x0, y0)."""
    R = spec["d"] / 2
    m = R + 0.8
    x0, y0 = int(math.floor((cx - m) * pxmm)), int(math.floor((cy - m) * pxmm))
    n = int(math.ceil(2 * m * pxmm)) + 2
    g = Grid(x0, y0, n, n, pxmm)
    X, Y = g.coords_mm()
    ring = annulus(g, cx, cy, R, R - spec["ring"], X, Y)
    if spec.get("inner_ring"):
        ring = np.maximum(ring, annulus(g, cx, cy, R - spec["ring"] - 0.9, R - spec["ring"] - 1.2, X, Y))
    fc = face(spec["font"])
    polys = star(cx, cy, R * spec["star"], rot)
    name = spec["name"]
    n_ch = len(name)
    span = math.radians(spec["span"])
    ch_h = spec["ch_h"]
    r_txt = R - spec["ring"] - spec["gap"] - ch_h / 2
    step = span / max(n_ch - 1, 1)
    ch_w = min(ch_h * 0.85, step * (r_txt - 0.3 * ch_h) * spec["squeeze"])
    for i, ch in enumerate(name):
        phi = -span / 2 + i * step + rot
        px, py = cx + r_txt * math.sin(phi), cy - r_txt * math.cos(phi)
        polys += place(fc.glyph(ch)[0], px, py, ch_w, ch_h, phi)
    c, s = math.cos(rot), math.sin(rot)
    if spec.get("use"):
        u = spec["use"]
        uh = spec["use_h"]
        uw = min(uh * 0.9, R * 1.15 / len(u))
        for i, ch in enumerate(u):
            lx = (i - (len(u) - 1) / 2) * uw * 1.08
            ly = R * 0.52
            polys += place(fc.glyph(ch)[0], cx + c * lx - s * ly, cy + s * lx + c * ly, uw, uh, rot)
    if spec.get("code"):
        code = spec["code"]
        dh = spec["code_h"]
        r_c = R - spec["ring"] - 0.5 - dh / 2
        dspan = math.radians(spec["code_span"])
        dstep = dspan / (len(code) - 1)
        digit_face = face("ming")
        for i, ch in enumerate(code):
            phi = math.pi + dspan / 2 - i * dstep + rot
            px, py = cx + r_c * math.sin(phi), cy - r_c * math.cos(phi)
            gl, asp, _ = digit_face.glyph(ch)
            polys += place(gl, px, py, dh * min(asp, 0.62), dh, phi + math.pi)
    text = embolden(g.fill(polys), spec["bold"], g)
    cov = np.maximum(ring, text)
    return g.down(cov), x0, y0


def legal_face(spec, cx, cy, rot, pxmm):
    """A square or rectangular 法人章: (coverage crop, x0, y0)."""
    w, h = spec["w"], spec["h"]
    m = 0.5 * math.hypot(w, h) + 0.8
    x0, y0 = int(math.floor((cx - m) * pxmm)), int(math.floor((cy - m) * pxmm))
    n = int(math.ceil(2 * m * pxmm)) + 2
    g = Grid(x0, y0, n, n, pxmm)
    X, Y = g.coords_mm()
    c, s = math.cos(rot), math.sin(rot)
    lx = c * (X - cx) + s * (Y - cy)
    ly = -s * (X - cx) + c * (Y - cy)
    inside = np.minimum(w / 2 - np.abs(lx), h / 2 - np.abs(ly))  # mm, > 0 inside
    k = SS * pxmm
    outer = np.clip(0.5 + inside * k, 0, 1).astype(np.float32)
    fr = spec["frame"]
    fc = face(spec["font"])
    polys = []
    iw, ih = w - 2 * fr - 2 * spec["pad"], h - 2 * fr - 2 * spec["pad"]
    for ch, (gx, gy, gw, gh) in zip(spec["chars"], spec["cells"]):
        ccx, ccy = (gx + gw / 2 - 0.5) * iw, (gy + gh / 2 - 0.5) * ih
        polys += place(fc.glyph(ch)[0], cx + c * ccx - s * ccy, cy + s * ccx + c * ccy,
                       gw * iw * 0.88, gh * ih * 0.88, rot)
    text = embolden(g.fill(polys), spec["bold"], g)
    if spec["yin"]:  # 阴文: a red field, the characters cut away
        cov = outer * (1 - text)
    else:
        frame = np.clip(0.5 + np.minimum(inside, fr - inside) * k, 0, 1).astype(np.float32)
        cov = np.maximum(frame, text * outer)
    return g.down(cov), x0, y0


def _smooth_noise(rng, shape, scale_px):
    small = (max(2, int(shape[1] / scale_px) + 2), max(2, int(shape[0] / scale_px) + 2))
    n = rng.standard_normal((small[1], small[0])).astype(np.float32)
    return cv2.resize(n, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)


def signature_face(spec, cx, cy, pxmm, rng):
    """A handwritten name: each glyph's skeleton, slanted, squeezed and wobbled like a hand,
    inked by a pen whose width follows a smooth pressure field. (coverage crop, x0, y0)."""
    fc = face(spec["font"])
    wpx = 36.0  # working grid for the skeletons, px / mm
    pts = []
    xpos = 0.0
    slant = math.tan(math.radians(spec["slant"]))
    for i, ch in enumerate(spec["name"]):
        polys, _, _ = fc.glyph(ch)
        ch_h = spec["ch_h"] * rng.uniform(0.85, 1.12)
        ch_w = ch_h * rng.uniform(0.75, 1.0)
        W, H = int(ch_w * wpx) + 8, int(ch_h * wpx) + 8
        can = np.zeros((H, W), np.uint8)
        pp = [np.round((np.stack([p[:, 0] * ch_w, p[:, 1] * ch_h], 1) * wpx + 4) * 16).astype(np.int32)
              for p in polys if len(p) > 2]
        cv2.fillPoly(can, pp, 255, cv2.LINE_8, shift=4)
        skel = cv2.ximgproc.thinning(can, thinningType=cv2.ximgproc.THINNING_GUOHALL)
        ys, xs = np.nonzero(skel)
        x = (xs - 4) / wpx
        y = (ys - 4) / wpx - ch_h / 2
        # a hand: the glyph's lower half drawn narrower, strokes wobbling
        x = x * (1 - 0.18 * (y / ch_h + 0.5) * rng.uniform(0, 1))
        base = spec["wave"] * math.sin(xpos / spec["wave_len"] + spec["phase"])
        y = y * rng.uniform(0.8, 1.0) + base + rng.uniform(-0.6, 0.6)
        pts.append(np.stack([x + xpos, y], 1))
        xpos += ch_w * spec["advance"]
    P = np.concatenate(pts)
    # wobble: a smooth displacement of the whole name
    for k in range(3):
        a, f, ph = rng.uniform(0.12, 0.35), rng.uniform(0.5, 1.6), rng.uniform(0, 6.3)
        P[:, 1] += a * np.sin(P[:, 0] * f + ph)
        P[:, 0] += 0.6 * a * np.sin(P[:, 1] * f * 1.3 + ph)
    if spec["underline"]:
        t = np.linspace(0, 1, 800)
        ux = -1.0 + t * (xpos + 1.5)
        uy = spec["ch_h"] * 0.62 + 1.2 * t * (1 - t) * rng.uniform(-1, 1) - 0.8 * t
        P = np.concatenate([P, np.stack([ux, uy], 1)])
    P[:, 0] -= slant * P[:, 1]  # slant to the right (y down)
    P[:, 0] -= (P[:, 0].max() + P[:, 0].min()) / 2
    P[:, 1] -= (P[:, 1].max() + P[:, 1].min()) / 2
    r = math.radians(spec["rot"])
    c, s = math.cos(r), math.sin(r)
    P = np.stack([cx + c * P[:, 0] - s * P[:, 1], cy + s * P[:, 0] + c * P[:, 1]], 1)
    m = spec["pen"] + 0.6
    x0 = int(math.floor((P[:, 0].min() - m) * pxmm))
    y0 = int(math.floor((P[:, 1].min() - m) * pxmm))
    w = int(math.ceil((P[:, 0].max() + m) * pxmm)) - x0 + 1
    h = int(math.ceil((P[:, 1].max() + m) * pxmm)) - y0 + 1
    g = Grid(x0, y0, w, h, pxmm)
    q = np.round(g.to_ss(P)).astype(np.int64)
    ok = (q[:, 0] >= 0) & (q[:, 0] < g.W) & (q[:, 1] >= 0) & (q[:, 1] < g.H)
    trace = np.zeros((g.H, g.W), np.uint8)
    trace[q[ok, 1], q[ok, 0]] = 255
    d = cv2.distanceTransform(255 - trace, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    press = np.clip(1 + 0.28 * _smooth_noise(rng, d.shape, 3.0 * g.pxmm * SS), 0.55, 1.5)
    half = spec["pen"] / 2 * g.pxmm * SS * press
    cov = np.clip(half + 0.5 - d, 0, 1).astype(np.float32)
    return g.down(cov), x0, y0
