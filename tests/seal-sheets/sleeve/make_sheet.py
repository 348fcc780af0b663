#!/usr/bin/python3
"""Maker W (issue 76): one seal collection sheet and its truth.

python3 make_sheet.py SEED OUTDIR INDEX

Drawing: SDL2_gfx's polygon filler (filledPolygonRGBA on an SDL2 software renderer, called through
ctypes) at a supersampled grid, glyph contours of Konatu (fontTools) summed by winding sign.
Form: bjca-nmg's 采样表 (two 87-mm columns) drawn by a pen plotter. Paper: a band-pass formation
spectrum with calender blackening. Ink: discrete-ordinates radiative transfer (four streams a
hemisphere, isotropic scattering, a Lambertian substrate) integrated by invariant imbedding.
Capture: the sheet in a clear PVC sleeve on a flatbed, the counter's archive storing AVIF
(avifenc / avifdec, libaom), exported by Pillow.
"""
import ctypes
import json
import math
import os
import subprocess
import sys
import tempfile

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import logging

import numpy as np
from PIL import Image
from scipy import ndimage
from fontTools.ttLib import TTFont
from fontTools.pens.basePen import BasePen
import sdl2

logging.getLogger("fontTools").setLevel(logging.ERROR)   # Konatu's head dates are before 1970

FONT = "/usr/share/fonts/truetype/konatu/Konatu.ttf"
A4 = (210.0, 297.0)

# ---------------------------------------------------------------- words (checked against the face)
PLACES = "北京 上海 天津 重慶 広州 深圳 杭州 南京 武漢 成都 西安 大連 青島 蘇州 長沙 鄭州 済南 合肥 福州 昆明 寧波 廈門".split()
CORES = "華信 東方 宏達 恒通 金橋 天成 遠大 聯合 中興 海川 泰和 永安 正元 新源 博遠 明徳 興業 瑞豊 同創 嘉禾".split()
TRADES = "科技 貿易 建設 工程 電子 物流 環保 医薬 文化 機械 食品 商貿 信息 材料 能源".split()
SURN = "王李張劉陳楊趙黄周呉徐孫胡朱高林何郭馬羅宋鄭謝韓唐馮于董蕭程曹袁鄧許傅沈曾彭呂".replace("", " ").split()
GIVEN = "偉芳娜敏静麗強磊軍洋勇艶傑娟涛明超秀霞平剛桂英華建国志文斌輝玉萍紅鵬飛".replace("", " ").split()
USES = ["合同専用章", "財務専用章", "業務専用章"]
UNDER = ["蓋章", "公章", "印章", "簽章処", "本公司"]
TEXTS = ["単位電子印章採様表", "説明：",
         "1、単位名称請填写単位全称，与印章使用的単位名称相同。",
         "2、請務必確保電子簽章図形採様区域清晰度和整潔性，印章必須確保蓋在空白区内。",
         "3、為確保採様的清晰度和成功率，需要反復進行採様，請尽可能確保毎次採様的清晰与完整。",
         "4、保証用于印章採様的桌面平整。",
         "5、蘸足量印泥，用力加蓋印章，確保印章図形清晰、完整、無形変。",
         "単位名称：", "備注：",
         "電子簽章図形採様（請在区域内加蓋単位公章，反復操作2次）",
         "法定代表人私章採様（請在区域内加蓋私章，反復操作2次）",
         "法定代表人簽名採様（請手写簽名2次，簽名不圧辺框）",
         "填表日期：　　年　　月　　日", "経弁人：", "之印", "有限公司", "股份有限公司", "0123456789"]

_font = TTFont(FONT, lazy=True)
_cmap = _font.getBestCmap()
_gs = _font.getGlyphSet()
UPEM = _font["head"].unitsPerEm


def has(ch):
    if ch in " 　":
        return True
    g = _cmap.get(ord(ch))
    if g is None:
        return False
    gl = _font["glyf"][g]
    return gl.numberOfContours != 0


def carries(word):
    return all(has(c) for c in word)


def check_words():
    for lst in (PLACES, CORES, TRADES, SURN, GIVEN, USES, UNDER, TEXTS):
        for w in lst:
            bad = [c for c in w if not has(c)]
            if bad:
                raise SystemExit("sleeve/make_sheet.py: Konatu lacks %r (in %r)" % ("".join(bad), w))


check_words()


class FlatPen(BasePen):
    def __init__(self, gs):
        super().__init__(gs)
        self.contours, self.cur = [], []

    def _moveTo(self, p):
        self.cur = [p]

    def _lineTo(self, p):
        self.cur.append(p)

    def _curveToOne(self, p1, p2, p3):
        p0 = self.cur[-1]
        for t in np.linspace(0, 1, 9)[1:]:
            u = 1 - t
            self.cur.append((u**3*p0[0]+3*u*u*t*p1[0]+3*u*t*t*p2[0]+t**3*p3[0],
                             u**3*p0[1]+3*u*u*t*p1[1]+3*u*t*t*p2[1]+t**3*p3[1]))

    def _qCurveToOne(self, p1, p2):
        p0 = self.cur[-1]
        for t in np.linspace(0, 1, 7)[1:]:
            u = 1 - t
            self.cur.append((u*u*p0[0]+2*u*t*p1[0]+t*t*p2[0], u*u*p0[1]+2*u*t*p1[1]+t*t*p2[1]))

    def _closePath(self):
        if len(self.cur) > 2:
            self.contours.append(np.array(self.cur, float))
        self.cur = []

    _endPath = _closePath


_glyph_cache = {}


def glyph_contours(ch):
    """Contours in font units (y up) and the ink bbox."""
    if ch not in _glyph_cache:
        pen = FlatPen(_gs)
        _gs[_cmap[ord(ch)]].draw(pen)
        cs = pen.contours
        if not cs:
            raise SystemExit("sleeve/make_sheet.py: empty glyph for %r" % ch)
        allp = np.concatenate(cs)
        _glyph_cache[ch] = (cs, allp.min(0), allp.max(0))
    return _glyph_cache[ch]


# ---------------------------------------------------------------- SDL2_gfx canvas
_gfx = ctypes.CDLL("libSDL2_gfx-1.0.so.0")
_gfx.filledPolygonRGBA.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int16), ctypes.POINTER(ctypes.c_int16),
                                   ctypes.c_int, ctypes.c_uint8, ctypes.c_uint8, ctypes.c_uint8, ctypes.c_uint8]
_gfx.filledPolygonRGBA.restype = ctypes.c_int
P16 = ctypes.POINTER(ctypes.c_int16)


class Canvas:
    """An 8-bit grey canvas (ARGB surface, blue byte read) filled by SDL2_gfx at `scale` px a unit."""

    def __init__(self, w, h):
        self.w, self.h = int(w), int(h)
        self.surf = sdl2.SDL_CreateRGBSurfaceWithFormat(0, self.w, self.h, 32, sdl2.SDL_PIXELFORMAT_ARGB8888)
        if not self.surf:
            raise SystemExit("sleeve/make_sheet.py: SDL surface failed")
        self.ren = sdl2.SDL_CreateSoftwareRenderer(self.surf)
        sdl2.SDL_SetRenderDrawColor(self.ren, 0, 0, 0, 255)
        sdl2.SDL_RenderClear(self.ren)
        s = self.surf.contents
        buf = (ctypes.c_uint8 * (s.pitch * self.h)).from_address(s.pixels)
        self.view = np.frombuffer(buf, np.uint8).reshape(self.h, s.pitch // 4, 4)[:, :self.w, 0]

    def poly(self, pts, v=255):
        pts = np.asarray(pts, float)
        xs = np.ascontiguousarray(np.clip(np.round(pts[:, 0]), -30000, 30000).astype(np.int16))
        ys = np.ascontiguousarray(np.clip(np.round(pts[:, 1]), -30000, 30000).astype(np.int16))
        _gfx.filledPolygonRGBA(self.ren, xs.ctypes.data_as(P16), ys.ctypes.data_as(P16), len(xs), v, v, v, 255)

    def read(self):
        sdl2.SDL_RenderFlush(self.ren)
        return self.view

    def free(self):
        sdl2.SDL_DestroyRenderer(self.ren)
        sdl2.SDL_FreeSurface(self.surf)


def fill_winding(canvas, contours, out):
    """Fill glyph contours (canvas px) by the non-zero rule: each contour alone, summed by its sign."""
    allp = np.concatenate(contours)
    x0 = max(int(allp[:, 0].min()) - 2, 0)
    y0 = max(int(allp[:, 1].min()) - 2, 0)
    x1 = min(int(allp[:, 0].max()) + 3, canvas.w)
    y1 = min(int(allp[:, 1].max()) + 3, canvas.h)
    if x1 <= x0 or y1 <= y0:
        return
    acc = np.zeros((y1 - y0, x1 - x0), np.int16)
    for c in contours:
        a = 0.5 * np.sum(c[:, 0] * np.roll(c[:, 1], -1) - np.roll(c[:, 0], -1) * c[:, 1])
        sgn = 1 if a > 0 else -1
        canvas.poly(c, 255)
        m = canvas.read()[y0:y1, x0:x1] > 127
        acc += sgn * m.astype(np.int16)
        canvas.poly(c, 0)
    # the face's own sense: the outer contours' sign
    tot = np.sign(np.sum(acc)) or 1
    ink = (acc * tot) > 0
    o = out[y0:y1, x0:x1]
    o[ink] = 255


def glyph_in_box(ch, cx, cy, w, h, ang, scale):
    """Contours of ch stretched so its ink box is w x h (units), centred at cx, cy, turned ang (rad, clockwise on screen)."""
    cs, mn, mx = glyph_contours(ch)
    sx = w / max(mx[0] - mn[0], 1.0)
    sy = h / max(mx[1] - mn[1], 1.0)
    ca, sa = math.cos(ang), math.sin(ang)
    res = []
    for c in cs:
        x = (c[:, 0] - (mn[0] + mx[0]) / 2) * sx
        y = -(c[:, 1] - (mn[1] + mx[1]) / 2) * sy
        res.append(np.stack([(cx + x * ca - y * sa) * scale, (cy + x * sa + y * ca) * scale], 1))
    return res


def circle_pts(cx, cy, r, n=None):
    n = n or max(24, int(2 * math.pi * r / 1.5))
    t = np.linspace(0, 2 * math.pi, n, endpoint=False)
    return np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], 1)


def stroke_quads(canvas, pts, width, v=255):
    """A round-capped polyline drawn as quads and discs (canvas px)."""
    hw = width / 2
    for i in range(len(pts) - 1):
        p, q = pts[i], pts[i + 1]
        d = q - p
        L = math.hypot(d[0], d[1])
        if L < 1e-6:
            continue
        nx, ny = -d[1] / L * hw, d[0] / L * hw
        canvas.poly([(p[0] + nx, p[1] + ny), (q[0] + nx, q[1] + ny), (q[0] - nx, q[1] - ny), (p[0] - nx, p[1] - ny)], v)
    for i in range(0, len(pts), 3):
        canvas.poly(circle_pts(pts[i][0], pts[i][1], hw, 10), v)
    canvas.poly(circle_pts(pts[-1][0], pts[-1][1], hw, 10), v)


def reduce_cov(a, ss):
    h, w = a.shape[0] // ss * ss, a.shape[1] // ss * ss
    return a[:h, :w].reshape(h // ss, ss, w // ss, ss).mean((1, 3)) / 255.0


# ---------------------------------------------------------------- ink: discrete ordinates, invariant imbedding
MU = (np.polynomial.legendre.leggauss(4)[0] + 1) / 2
WQ = np.polynomial.legendre.leggauss(4)[1] / 2
RG = np.concatenate([np.linspace(0.0, 0.2, 9), np.linspace(0.25, 1.0, 16)])
DT = 0.04


def dom_table(omega, tau_max):
    """Diffuse reflectance of an isotropically scattering film (albedo omega) of optical depth 0..tau_max
    over a Lambertian substrate of reflectance RG[k]: rho[step, k]."""
    N = len(MU)
    Minv = np.diag(1 / MU)
    S = omega / 2 * np.outer(np.ones(N), WQ)
    I = np.eye(N)
    alpha = Minv @ (I - S)
    beta = -Minv @ S
    gamma = Minv @ S
    delta = -Minv @ (I - S)
    wmu = WQ * MU
    R = RG[:, None, None] * 2 * np.ones((1, N, 1)) * wmu[None, None, :]

    def f(R):
        return -alpha @ R - beta + R @ gamma @ R + R @ delta

    n = int(math.ceil(tau_max / DT)) + 1
    out = np.empty((n, len(RG)))
    for i in range(n):
        out[i] = 2 * np.einsum("j,kjl->k", wmu, R)
        k1 = f(R)
        k2 = f(R + DT / 2 * k1)
        k3 = f(R + DT / 2 * k2)
        k4 = f(R + DT * k3)
        R = R + DT / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return out


class Ink:
    """Per channel: extinction e_k (optical depth a unit of film) and albedo w_k; tables over depth and substrate."""

    def __init__(self, ext, alb, h_max=1.2, tabs=None):
        self.ext = np.asarray(ext, float)
        self.alb = np.asarray(alb, float)
        self.h_max = h_max
        self.tab = [tabs[k] if tabs and tabs[k] is not None else dom_table(self.alb[k], self.ext[k] * h_max) for k in range(3)]

    def refl(self, h, sub):
        """h: film (any shape), sub: substrate reflectance (..., 3) -> reflectance (..., 3)."""
        out = np.empty(np.shape(sub), np.float32)
        h = np.asarray(h, np.float32)
        for k in range(3):
            t = self.tab[k]
            fi = np.clip(h * self.ext[k] / DT, 0, t.shape[0] - 1.001)
            i0 = fi.astype(np.int32)
            fr = fi - i0
            g = np.clip(np.asarray(sub[..., k], np.float32), 0, 0.999)
            gi = np.interp(g, RG, np.arange(len(RG))).astype(np.float32)
            j0 = np.minimum(gi.astype(np.int32), len(RG) - 2)
            gr = gi - j0
            v = (t[i0, j0] * (1 - fr) * (1 - gr) + t[i0 + 1, j0] * fr * (1 - gr)
                 + t[i0, j0 + 1] * (1 - fr) * gr + t[i0 + 1, j0 + 1] * fr * gr)
            out[..., k] = v
        return out


def srgb(x):
    x = np.clip(x, 0, 1)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)


def hue_deg(rgb_lin):
    r, g, b = srgb(np.asarray(rgb_lin, float))
    mx, mn = max(r, g, b), min(r, g, b)
    if mx - mn < 1e-9:
        return 0.0
    if mx == r:
        h = 60 * ((g - b) / (mx - mn))
    elif mx == g:
        h = 60 * ((b - r) / (mx - mn) + 2)
    else:
        h = 60 * ((r - g) / (mx - mn) + 4)
    return (h + 180) % 360 - 180


def make_ink(rng, paper, target_hue, target_pass, pen=None):
    """A seal paste (pen None) or a pen ink; returns (Ink, h at which its strongest channel passes target_pass)."""
    if pen is None:
        s = rng.uniform(0.25, 0.6)
        aR = rng.uniform(0.02, 0.08)
        aG = rng.uniform(2.6, 3.4)
        lo, hi = 0.02, 12.0
        ink = None
        base = Ink([aR + s, aG + s, aG + s], [s / (aR + s), s / (aG + s), s / (aG + s)])
        for _ in range(18):
            aB = math.sqrt(lo * hi)
            ext = [aR + s, aG + s, aB + s]
            alb = [s / e for e in ext]
            ink = Ink(ext, alb, tabs=[base.tab[0], base.tab[1], None])
            h = solve_h(ink, paper, target_pass)
            hu = hue_deg(ink.refl(np.float32(h), paper[None])[0])
            if hu > target_hue:   # too orange: less blue absorbed
                hi = aB
            else:
                lo = aB
        return ink, solve_h(ink, paper, target_pass)
    rel = np.asarray(pen, float)
    s = rng.uniform(0.05, 0.15)
    ext = rel * 3.0 + s
    ink = Ink(ext, s / ext)
    return ink, solve_h(ink, paper, target_pass)


def passed(ink, paper, h):
    r = ink.refl(np.float32(h), paper[None])[0] / paper
    return float(r.min())


def solve_h(ink, paper, target):
    lo, hi = 0.0, ink.h_max * 0.4
    for _ in range(30):
        m = (lo + hi) / 2
        if passed(ink, paper, m) > target:
            lo = m
        else:
            hi = m
    return (lo + hi) / 2


# ---------------------------------------------------------------- noise helpers
def smooth_noise(rng, shape, cell):
    gh, gw = int(shape[0] / cell) + 3, int(shape[1] / cell) + 3
    g = rng.standard_normal((gh, gw)).astype(np.float32)
    z = ndimage.zoom(g, (shape[0] / (gh - 2) * 1.0, shape[1] / (gw - 2) * 1.0), order=3)
    z = z[:shape[0], :shape[1]]
    if z.shape != tuple(shape):
        z = np.pad(z, ((0, shape[0] - z.shape[0]), (0, shape[1] - z.shape[1])), mode="edge")
    return z / (z.std() + 1e-6)


def bandpass_formation(rng, shape_mm, per_mm, f0, bw):
    """Formation: white noise shaped by a Gaussian band of spatial frequencies (f0 cycles/mm, width bw)."""
    h, w = int(shape_mm[1] * per_mm), int(shape_mm[0] * per_mm)
    n = rng.standard_normal((h, w))
    F = np.fft.rfft2(n)
    fy = np.fft.fftfreq(h, 1 / per_mm)[:, None]
    fx = np.fft.rfftfreq(w, 1 / per_mm)[None, :]
    f = np.hypot(fx, fy * 1.25)   # flocs a little longer along the machine direction
    F *= np.exp(-0.5 * ((f - f0) / bw) ** 2)
    z = np.fft.irfft2(F, (h, w))
    return (z / z.std()).astype(np.float32)


# ---------------------------------------------------------------- the sheet
def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.default_rng([seed, 76, 23])
    dpi = int(rng.choice([150, 200, 300, 400, 600], p=[0.08, 0.12, 0.56, 0.12, 0.12]))
    if os.environ.get("SEAL_SHEET_DPI"):
        dpi = int(os.environ["SEAL_SHEET_DPI"])
    p = dpi / 25.4                      # page grid, px a mm
    W, H = int(round(A4[0] * p)), int(round(A4[1] * p))
    stem = "%03d" % index

    # ---- layout (bjca-nmg 采样表: two 87-mm columns)
    x0 = 18.0 + rng.uniform(-1.5, 1.5)
    y0 = rng.uniform(15, 18)
    pen_w = rng.uniform(0.3, 0.4)       # the plotter's pen
    firm = rng.choice(PLACES) + rng.choice(CORES) + rng.choice(TRADES) + ("股份有限公司" if rng.random() < 0.2 else "有限公司")
    person = rng.choice(SURN) + "".join(rng.choice(GIVEN, size=int(rng.choice([1, 2], p=[0.3, 0.7]))))
    yt = y0 + 50
    rows = [  # (kind, top, height, caption above)
        ("official_seal", yt + 34, 64.0, None),
        ("legal_rep_seal", yt + 34 + 64 + 8, 40.0, TEXTS[10]),
        ("signature", yt + 34 + 64 + 8 + 40 + 8, 38.0, TEXTS[11]),
    ]
    table_bottom = rows[-1][1] + rows[-1][2]
    hlines = [yt, yt + 10, yt + 26, yt + 34, rows[0][1] + 64, rows[1][1] - 8 + 8, rows[1][1] + 40,
              rows[2][1], table_bottom]
    hlines = sorted(set([round(v, 4) for v in hlines]))
    # vertical rules: left, right always; 30 mm split in rows 0-1 of table 1; 87 in sample rows
    vsegs = [(x0, yt, table_bottom), (x0 + 174, yt, table_bottom), (x0 + 30, yt, yt + 26)]
    for kind, top, hh, cap in rows:
        vsegs.append((x0 + 87, top, top + hh))
    boxes = []
    for r, (kind, top, hh, cap) in enumerate(rows):
        for c in range(2):
            boxes.append(dict(row=r, col=c, kind=kind, x=x0 + 87 * c, y=top, w=87.0, h=hh))

    # ---- paper (linear reflectance)
    prng = np.random.default_rng([seed, 1])
    white = np.array([rng.uniform(0.885, 0.905), rng.uniform(0.89, 0.91), rng.uniform(0.9, 0.925)], np.float32)
    tinted = rng.random() < 0.05
    tint = None
    if tinted:
        tint = [("buff", (0.03, 0.08, 0.2)), ("pink", (0.02, 0.14, 0.09)), ("blue", (0.16, 0.07, 0.03)),
                ("green", (0.12, 0.03, 0.12))][int(rng.integers(4))]
        white = white * 10 ** (-np.array(tint[1], np.float32) * rng.uniform(0.9, 1.2))
    form_amp = rng.uniform(0.006, 0.014)
    f0 = rng.uniform(0.25, 0.45)
    cal_n = int(rng.integers(20, 80))
    fm = bandpass_formation(prng, A4, 2.0, f0, f0 * 0.6)
    fine = bandpass_formation(prng, A4, 8.0, 1.6, 1.0)
    zf = ndimage.zoom(fm, (H / fm.shape[0], W / fm.shape[1]), order=1)[:H, :W]
    zz = ndimage.zoom(fine, (H / fine.shape[0], W / fine.shape[1]), order=1)[:H, :W]
    zf = np.pad(zf, ((0, H - zf.shape[0]), (0, W - zf.shape[1])), mode="edge")
    zz = np.pad(zz, ((0, H - zz.shape[0]), (0, W - zz.shape[1])), mode="edge")
    shade = 1 + form_amp * zf + 0.004 * zz
    del zf, zz
    # calender blackening: small glossy, darker spots where the calender crushed a floc
    for _ in range(cal_n):
        cx, cy = prng.uniform(0, W), prng.uniform(0, H)
        rr = prng.uniform(0.15, 0.5) * p
        ys, xs = slice(max(int(cy - 3 * rr), 0), min(int(cy + 3 * rr) + 1, H)), slice(max(int(cx - 3 * rr), 0), min(int(cx + 3 * rr) + 1, W))
        yy, xx = np.mgrid[ys, xs]
        shade[ys, xs] *= 1 - prng.uniform(0.02, 0.05) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * rr * rr))
    page = shade[..., None] * white[None, None, :]
    del shade

    # ---- form: a pen plotter (rules stroked, glyphs outlined and hatched)
    ssf = 2 if p <= 12.5 else 1
    fp = p * ssf
    cf = Canvas(W * ssf, H * ssf)
    scratch = Canvas(W * ssf, H * ssf)
    form = cf.read()

    def hline(y, xa, xb):
        stroke_quads(cf, np.array([[xa * fp, y * fp], [xb * fp, y * fp]]), pen_w * fp)

    def vline(x, ya, yb):
        stroke_quads(cf, np.array([[x * fp, ya * fp], [x * fp, yb * fp]]), pen_w * fp)

    def text(s, x, y, size, bold=False, canvas=None, center=False):
        """Glyphs on an em of `size` mm, baseline-free: each glyph's ink box in its em cell (y top of the line)."""
        adv = size * (1.0 if not all(ord(c) < 128 for c in s) else 0.55)
        if center:
            x = x - adv * len(s) / 2
        for i, ch in enumerate(s):
            if ch in " 　":
                continue
            cs, mn, mx = glyph_contours(ch)
            k = size / UPEM
            cx = x + i * adv + (mn[0] + mx[0]) / 2 * k * (adv / size)
            cy = y + (UPEM * 0.88 - (mn[1] + mx[1]) / 2) * k
            w = (mx[0] - mn[0]) * k * (adv / size)
            hgt = (mx[1] - mn[1]) * k
            if bold:
                w, hgt = w * 1.04, hgt * 1.02
            fill_winding(scratch, glyph_in_box(ch, cx, cy, w, hgt, 0.0, fp), form)
        return x + adv * len(s)

    for y in hlines:
        hline(y, x0, x0 + 174)
    for (x, ya, yb) in vsegs:
        vline(x, ya, yb)
    cf.read()
    text(TEXTS[0], 105 + rng.uniform(-1, 1), y0, 6.0, True, center=True)
    text(TEXTS[1], x0, y0 + 10, 3.6, True)
    for i in range(5):
        text(TEXTS[2 + i], x0 + 2, y0 + 15 + i * 6.2, 3.4)
    text(TEXTS[7], x0 + 4, yt + 3, 4.0)
    text(firm, x0 + 33, yt + 3, 4.0)
    text(TEXTS[8], x0 + 7, yt + 16, 4.0)
    text(TEXTS[9], x0 + 87, yt + 28.2, 3.8, True, center=True)
    text(TEXTS[10], x0 + 87, rows[1][1] - 5.8, 3.8, True, center=True)
    text(TEXTS[11], x0 + 87, rows[2][1] - 5.8, 3.8, True, center=True)
    text(TEXTS[12], x0 + 100, table_bottom + 5, 4.0)
    text(TEXTS[13], x0 + 2, table_bottom + 5, 4.0)
    hlines_inner = hlines  # boxes' rules are these

    # ---- per-box plan (stream 0 decisions, independent of the resolution)
    seal_d = rng.uniform(38.5, 44.5)
    seal_ring = rng.uniform(0.9, 1.4)
    seal_use = rng.choice(USES) if rng.random() < 0.4 else None
    seal_code = "".join(str(int(v)) for v in rng.integers(0, 10, 13)) if rng.random() < 0.4 else None
    sq = rng.random() < 0.65
    if sq:
        lr_w = lr_h = rng.uniform(15.5, 21.5)
    else:
        long_ = rng.uniform(19.0, 22.5)
        short = long_ / rng.uniform(1.15, 1.3)
        lr_w, lr_h = (short, long_) if rng.random() < 0.5 else (long_, short)
    lr_frame = rng.uniform(0.6, 1.1)
    lr_yin = rng.random() < 0.2
    lr_chars = person + ("之印" if len(person) == 2 else "印")
    pen_kind = ["blue", "black", "blueblack"][int(rng.choice(3, p=[0.5, 0.3, 0.2]))]
    pen_rel = {"blue": (1.0, 0.72, 0.14), "black": (1.0, 0.97, 0.92), "blueblack": (1.0, 0.9, 0.55)}[pen_kind]

    plans = []
    for b in boxes:
        d = dict(defects=[], borderline=[])
        b["plan"] = d
        sig = b["kind"] == "signature"
        d["empty"] = rng.random() < (0.06 if sig else 0.08)
        d["dx"], d["dy"] = rng.uniform(-2, 2), rng.uniform(-2, 2)
        d["tilt"] = rng.uniform(-2, 2)
        d["hue"] = rng.uniform(-3, 3)
        d["pale"] = False
        d["off"] = 0.0
        d["under"] = None
        d["stain"] = tinted
        d["push"] = None
        d["double"] = None
        d["smear"] = None
        d["broken"] = None
        d["ply_seed"] = int(rng.integers(1 << 30))
        if d["empty"]:
            if rng.random() < 0.12 and not tinted:
                d["stain"] = True
            plans.append(d)
            continue
        if sig:
            u = rng.random()
            if u < 0.12:
                d["push"] = (["left", "right"][int(rng.integers(2))], rng.uniform(1.2, 3.0))
            elif u < 0.2 and not tinted:
                d["stain"] = True
            if rng.random() < 0.1:
                d["pale"] = True
            plans.append(d)
            continue
        if rng.random() < 0.78:
            picks = ["double", "smudged", "broken", "pale", "off", "tilted", "pushed", "stain", "under"]
            wts = np.array([13, 13, 14, 12, 13, 12, 11, 8, 10], float)
            first = picks[int(rng.choice(9, p=wts / wts.sum()))]
            chosen = [first]
            if rng.random() < 0.3:
                second = ["tilted", "stain", "under", "pushed", "double", "pale"][int(rng.integers(6))]
                if second not in chosen and not ({first, second} & {"smudged", "broken"} and "double" in {first, second}) \
                        and not ({first, second} == {"pale", "off"}):
                    chosen.append(second)
            for c in chosen:
                if c == "double":
                    ang = rng.uniform(0, 2 * math.pi)
                    dist = rng.uniform(0.8, 2.4)
                    d["double"] = (dist * math.cos(ang), dist * math.sin(ang), rng.uniform(-1.5, 1.5), rng.uniform(0.5, 0.9), dist)
                elif c == "smudged":
                    ang = rng.uniform(0, 2 * math.pi)
                    d["smear"] = (ang, rng.uniform(0.8, 1.3), rng.uniform(0.5, 0.65), rng.uniform(0.25, 0.45))
                elif c == "broken":
                    d["broken"] = (rng.uniform(0, 2 * math.pi), rng.uniform(0.18, 0.3), rng.uniform(0.3, 0.7))
                elif c == "pale":
                    d["pale"] = True
                elif c == "off":
                    d["off"] = rng.uniform(22, 34) * (1 if rng.random() < 0.5 else -1)
                elif c == "tilted":
                    d["tilt"] = rng.uniform(12, 28) * (1 if rng.random() < 0.5 else -1)
                elif c == "pushed":
                    d["push"] = (["left", "right", "top", "bottom"][int(rng.integers(4))], rng.uniform(1.2, 3.0))
                elif c == "stain":
                    d["stain"] = True
                elif c == "under":
                    d["under"] = (UNDER[int(rng.integers(len(UNDER)))], rng.uniform(3.8, 5.0), rng.uniform(0.1, 0.2),
                                  rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5))
        plans.append(d)

    # print under the seal: plotted with the form
    for b in boxes:
        d = b["plan"]
        if d["under"]:
            word, size, fr, ddx, ddy = d["under"]
            cx = b["x"] + b["w"] / 2 + d["dx"] + ddx
            cy = b["y"] + b["h"] / 2 + d["dy"] + ddy
            text(word, cx, cy - size * 0.5, size, center=True)
            d["under_centre"] = (cx, cy)

    cf.read()
    cov_form = reduce_cov(form.astype(np.float32), ssf) if ssf > 1 else form.astype(np.float32) / 255.0
    cov_form = cov_form[:H, :W]
    cf.free()
    scratch.free()
    # the plotter's ink: a pigment gel, a little uneven along the pen's path, hatched in filled glyphs
    frng = np.random.default_rng([seed, 2])
    k_ink = np.array([frng.uniform(0.06, 0.09), frng.uniform(0.06, 0.09), frng.uniform(0.07, 0.1)], np.float32)
    var = 1 + 0.06 * smooth_noise(frng, (max(H // 8, 4), max(W // 8, 4)), 2.0 * p / 8)
    var = ndimage.zoom(var, (H / var.shape[0], W / var.shape[1]), order=1)[:H, :W]
    var = np.pad(var, ((0, H - var.shape[0]), (0, W - var.shape[1])), mode="edge")
    pitch = pen_w * 0.85 * p
    ph_x = (2 * math.pi * 0.7071 / pitch) * np.arange(W, dtype=np.float32)
    ph_y = (2 * math.pi * 0.7071 / pitch) * np.arange(H, dtype=np.float32)
    # cos(a + b) from its parts, the hatching at 45 degrees
    hatch = np.cos(ph_y)[:, None] * np.cos(ph_x)[None, :]
    hatch -= np.sin(ph_y)[:, None] * np.sin(ph_x)[None, :]
    hatch *= -0.06
    hatch += 0.94
    a = np.clip(cov_form * var * hatch, 0, 1)
    for k in range(3):
        page[..., k] *= 1 - a * (1 - k_ink[k])
    del a, hatch, var

    # ---- stains: a highlighter swipe across the box (dye, transmits)
    srng = np.random.default_rng([seed, 3])
    for b in boxes:
        d = b["plan"]
        if d["stain"] and not tinted:
            col = [(0.98, 0.93, 0.42), (0.97, 0.62, 0.78), (0.72, 0.96, 0.55)][int(srng.integers(3))]
            bh = srng.uniform(6, 10)
            cyb = srng.uniform(b["y"] + 2 + bh / 2, b["y"] + b["h"] - 2 - bh / 2)
            xa, xb = b["x"] + 2 + srng.uniform(0, 8), b["x"] + b["w"] - 2 - srng.uniform(0, 8)
            ya, yb = int((b["y"] + 2) * p), int((b["y"] + b["h"] - 2) * p)
            xs0, xs1 = int(xa * p), int(xb * p)
            yy, xx = np.mgrid[ya:yb, xs0:xs1].astype(np.float32)
            slope = srng.uniform(-0.04, 0.04)
            wav = 0.3 * p * np.sin(xx / (srng.uniform(8, 15) * p) * 2 * math.pi)
            dist = np.abs(yy - (cyb * p + slope * (xx - xs0) + wav))
            cov = np.clip((bh / 2 * p - dist) / (0.4 * p), 0, 1) * srng.uniform(0.75, 1.0)
            trans = 1 - cov[..., None] * (1 - np.array(col, np.float32)[None, None, :])
            page[ya:yb, xs0:xs1] *= trans

    # ---- inks
    paper_ref = white.copy()
    irng = np.random.default_rng([seed, 4])
    full_pass = irng.uniform(0.07, 0.13)
    base_hue = 0.0
    ink_cache = {}

    base_hue = irng.uniform(-3, 3)

    def seal_ink(hue, target):
        key = round(hue, 3)
        if key not in ink_cache:
            ink_cache[key] = make_ink(irng, paper_ref, hue, full_pass)[0]
        ink = ink_cache[key]
        return ink, solve_h(ink, paper_ref, target)

    # ---- impressions: each drawn in its own tile by SDL2_gfx
    ss = max(2, int(math.ceil(36.0 / p)))
    g = p * ss
    truth_boxes = []
    impressions = []
    for b in boxes:
        d = b["plan"]
        kind = b["kind"]
        bx, by, bw, bh = b["x"], b["y"], b["w"], b["h"]
        half_line = pen_w / 2
        inner = (bx + half_line, by + half_line, bx + bw - half_line, by + bh - half_line)
        cx, cy = bx + bw / 2 + d["dx"], by + bh / 2 + d["dy"]
        tb = dict(row=b["row"], col=b["col"], kind=kind, empty=bool(d["empty"]), defects=[], borderline=[])
        if kind == "official_seal":
            tb["diameter_mm"] = round(seal_d, 2)
            ext_x = ext_y = seal_d / 2
        elif kind == "legal_rep_seal":
            tb["size_mm"] = [round(lr_w, 2), round(lr_h, 2)]
            ext_x, ext_y = lr_w / 2, lr_h / 2
        else:
            ext_x, ext_y = 20.0, 7.0
        if d["stain"]:
            tb["defects"].append("bg_not_white")
        if d["empty"]:
            tb["defects"].append("empty")
            truth_boxes.append((b, tb, None))
            continue
        # keep faces 0.8 mm inside unless pushed
        t = math.radians(d["tilt"])
        ex = abs(ext_x * math.cos(t)) + abs(ext_y * math.sin(t))
        ey = abs(ext_x * math.sin(t)) + abs(ext_y * math.cos(t))
        if kind == "official_seal":
            ex = ey = seal_d / 2
        if kind != "signature":
            cx = min(max(cx, inner[0] + ex + 0.8), inner[2] - ex - 0.8)
            cy = min(max(cy, inner[1] + ey + 0.8), inner[3] - ey - 0.8)
        if d["push"] and kind != "signature":
            side, amt = d["push"]
            if side == "left":
                cx = inner[0] + ex - amt
            elif side == "right":
                cx = inner[2] - ex + amt
            elif side == "top":
                cy = inner[1] + ey - amt
            else:
                cy = inner[3] - ey + amt
        pressings = [(cx, cy, d["tilt"], 1.0)]
        if d["double"]:
            ddx, ddy, dt, ld, dist = d["double"]
            pressings.append((cx + ddx, cy + ddy, d["tilt"] + dt, ld))
        marg = 6.0
        tx0 = int(math.floor((min(pc[0] for pc in pressings) - ext_x - 8 - marg) * p))
        ty0 = int(math.floor((min(pc[1] for pc in pressings) - max(ext_y, ext_x) - marg) * p))
        tx1 = int(math.ceil((max(pc[0] for pc in pressings) + ext_x + 8 + marg) * p))
        ty1 = int(math.ceil((max(pc[1] for pc in pressings) + max(ext_y, ext_x) + marg) * p))
        if kind == "signature":
            tx0, tx1 = int((bx - 6) * p), int((bx + bw + 6) * p)
            ty0, ty1 = int((by - 6) * p), int((by + bh + 6) * p)
        tx0, ty0 = max(tx0, 0), max(ty0, 0)
        tx1, ty1 = min(tx1, W), min(ty1, H)
        tw, th = tx1 - tx0, ty1 - ty0
        ox, oy = tx0 / p, ty0 / p          # tile origin in mm
        cv = Canvas(tw * ss, th * ss)
        sc = Canvas(tw * ss, th * ss)
        covs = []
        sig_info = {}
        for (px_, py_, tdeg, ld) in pressings:
            buf = cv.read()
            buf[:] = 0
            draw_face(kind, cv, sc, buf, px_ - ox, py_ - oy, tdeg, g, dict(
                d=seal_d, ring=seal_ring, firm=firm, use=seal_use, code=seal_code,
                lw=lr_w, lh=lr_h, frame=lr_frame, yin=lr_yin, chars=lr_chars, person=person,
                rng=np.random.default_rng([seed, 5, b["row"], b["col"]]), box=(bx - ox, by - oy, bw, bh), push=d["push"],
                inner=(inner[0] - ox, inner[1] - oy, inner[2] - ox, inner[3] - oy), info=sig_info))
            covs.append((reduce_cov(cv.read().astype(np.float32), ss)[:th, :tw], ld))
        cv.free()
        sc.free()
        # loads: pad mottle x the hand's plane
        lrng = np.random.default_rng([seed, 6, b["row"], b["col"]])
        m_amp, m_cell = lrng.uniform(0.05, 0.12), lrng.uniform(0.8, 2.5)
        ang, tilt_amp = lrng.uniform(0, 2 * math.pi), lrng.uniform(0.0, 0.004)
        mott = 1 + m_amp * smooth_noise(lrng, (th, tw), m_cell * p)
        yy, xx = np.mgrid[0:th, 0:tw].astype(np.float32)
        plane = 1 + tilt_amp * ((xx / p - (cx - ox)) * math.cos(ang) + (yy / p - (cy - oy)) * math.sin(ang))
        load = np.zeros((th, tw), np.float32)
        mask = np.zeros((th, tw), np.float32)
        uncut = np.zeros((th, tw), np.float32)
        for i, (cov, ld) in enumerate(covs):
            load += cov * ld
            mask = np.maximum(mask, cov)
        load *= mott * plane
        uncut = mask.copy()
        if d["smear"]:
            a_, L, stay, wend = d["smear"]
            n = max(2, int(L * p) + 1)
            acc = load * stay
            wsum = 0.0
            mm = mask.copy()
            trail = np.zeros_like(load)
            for k in range(1, n + 1):
                f = k / n
                sh = (f * L * p * math.sin(a_), f * L * p * math.cos(a_))
                wgt = 1 - (1 - wend) * f
                s_load = ndimage.shift(load, sh, order=1, mode="constant")
                trail += wgt * s_load
                wsum += wgt
                mm = np.maximum(mm, ndimage.shift(mask, sh, order=1, mode="constant"))
            load = acc + (1 - stay) * trail / wsum * 1.0
            mask = mm
            uncut = mm.copy()
            tb["smear_mm"] = round(L, 2)
        if d["broken"]:
            a_, lose, fade = d["broken"]
            brng = np.random.default_rng([seed, 7, b["row"], b["col"]])
            proj = (xx / p - (cx - ox)) * math.cos(a_) + (yy / p - (cy - oy)) * math.sin(a_)
            proj = proj + 0.3 * smooth_noise(brng, (th, tw), 1.5 * p)
            inkpx = mask >= 0.5
            cut = float(np.quantile(proj[inkpx], 1 - lose))
            keep = np.clip((cut - proj) / fade + 0.5, 0, 1)
            load *= keep
            mask = mask * (keep >= 0.5)
            tb["lost"] = lose
        # the ink
        if kind == "signature":
            tgt = irng.uniform(0.35, 0.55) if d["pale"] else irng.uniform(0.05, 0.12)
            ink, h1 = make_ink(irng, paper_ref, 0, tgt, pen=pen_rel)
        else:
            tgt = irng.uniform(0.32, 0.55) if d["pale"] else full_pass
            ink, h1 = seal_ink(d["off"] if d["off"] else base_hue, tgt)
        hmap = load * h1
        sub = page[ty0:ty1, tx0:tx1]
        page[ty0:ty1, tx0:tx1] = np.where(hmap[..., None] > 1e-4, ink.refl(hmap, sub), sub)
        # labels from the ink as drawn
        m5 = mask >= 0.5
        if not m5.any():
            tb["defects"].append("empty")
            tb["empty"] = True
            truth_boxes.append((b, tb, None))
            continue
        hmax = float(hmap[m5].max())
        ps = passed(ink, paper_ref, hmax)
        tb["passed_seen"] = round(ps, 3)
        lim = 0.25 if kind == "signature" else 0.2
        if d["pale"]:
            tb["defects"].append("pale")
            if ps < lim * 1.15:
                tb["borderline"].append("pale")
        elif ps > lim * 0.85:
            tb["borderline"].append("pale")
        if kind != "signature":
            hues = [hue_deg(ink.refl(np.float32(h1 * f), paper_ref[None])[0]) for f in (0.5, 0.8, 1.0)]
            tb["hue_deg"] = round(max(hues, key=abs), 2)
            if d["off"]:
                tb["defects"].append("off_color")
                if min(abs(v) for v in hues) < 12 * 1.15:
                    tb["borderline"].append("off_color")
            elif max(abs(v) for v in hues) > 9 * 0.85:
                tb["borderline"].append("off_color")
            if abs(d["tilt"]) > 5:
                tb["defects"].append("tilted")
            tb["tilt_deg"] = round(d["tilt"], 2)
            if d["double"]:
                tb["defects"].append("double")
                tb["double_offset_mm"] = round(d["double"][4], 2)
            if d["smear"]:
                tb["defects"].append("smudged")
            if d["broken"]:
                tb["defects"].append("broken")
            if d["under"]:
                ucx, ucy = d["under_centre"]
                if kind == "official_seal":
                    inside = seal_d / 2 - math.hypot(ucx - cx, ucy - cy)
                    ok = inside > 2.0
                else:
                    t = math.radians(-d["tilt"])
                    lx = (ucx - cx) * math.cos(t) - (ucy - cy) * math.sin(t)
                    ly = (ucx - cx) * math.sin(t) + (ucy - cy) * math.cos(t)
                    inside = min(lr_w / 2 - abs(lx), lr_h / 2 - abs(ly))
                    ok = inside > 1.0
                if ok:
                    tb["defects"].append("text_under")
                else:
                    tb["borderline"].append("text_under")
        # overlap_line: reach of the ink (coverage >= 0.5) past the box's inner edges
        yi, xi = np.nonzero(m5)
        xs_mm = (xi + 0.5) / p + ox
        ys_mm = (yi + 0.5) / p + oy
        reach = max(inner[0] - xs_mm.min(), xs_mm.max() - inner[2], inner[1] - ys_mm.min(), ys_mm.max() - inner[3])
        yu, xu = np.nonzero(uncut >= 0.5)
        reach_u = max(inner[0] - ((xu.min() + 0.5) / p + ox), ((xu.max() + 0.5) / p + ox) - inner[2],
                      inner[1] - ((yu.min() + 0.5) / p + oy), ((yu.max() + 0.5) / p + oy) - inner[3])
        tb["reach_mm"] = round(reach, 2)
        if reach > 0.3:
            tb["defects"].append("overlap_line")
        elif reach >= -0.3 or (d["broken"] and reach_u >= -0.3):
            tb["borderline"].append("overlap_line")
        if d["push"]:
            tb["push_mm"] = round(d["push"][1], 2)
            tb["push_side"] = d["push"][0]
        truth_boxes.append((b, tb, (tx0, ty0, mask)))

    # ---- capture: the sheet in a clear PVC sleeve on a flatbed, archived as AVIF
    crng = np.random.default_rng([seed, 8])
    if crng.random() < 0.5:
        skew = crng.normal(0, 0.5)
    else:
        skew = crng.uniform(0.3, 1.8) * (1 if crng.random() < 0.5 else -1)
    shx, shy = crng.uniform(-1.2, 1.2) * p, crng.uniform(-1.2, 1.2) * p
    th_ = math.radians(skew)
    c_, s_ = math.cos(th_), math.sin(th_)
    ccx, ccy = W / 2, H / 2
    # forward map page (x, y) -> output: rotate clockwise on screen by skew about the centre, then shift
    # inverse: page = R^-1 (out - centre - shift) + centre ; in (row, col) for ndimage
    Minv = np.array([[c_, -s_], [s_, c_]])   # (row, col) <- (row, col) inverse of clockwise turn
    # derive with x = col, y = row: clockwise on screen (y down): x' = c x - s y, y' = s x + c y
    # inverse: x = c x' + s y', y = -s x' + c y'  -> row = c*r' - s*c', col = s*r' + c*c'
    Minv = np.array([[c_, -s_], [s_, c_]])

    off = np.array([ccy, ccx]) - Minv @ np.array([ccy + shy, ccx + shx])
    lid = crng.uniform(0.86, 0.92)
    img = np.empty_like(page)
    for k in range(3):
        img[..., k] = ndimage.affine_transform(page[..., k], Minv, offset=off, order=1, mode="constant", cval=lid)
    del page
    # the sleeve: a PVC film over the page (surface reflection, haze, scratches, Newton rings at contacts)
    refl = crng.uniform(0.01, 0.025)
    haze = crng.uniform(0.02, 0.05)
    trans = crng.uniform(0.9, 0.95)
    for k in range(3):
        hz = ndimage.uniform_filter(img[::8, ::8, k], 40, mode="nearest").repeat(8, 0).repeat(8, 1)[:H, :W]
        ch = img[..., k]
        ch *= trans * (1 - haze)
        ch += trans * haze * hz + refl
    del hz
    nrng = np.random.default_rng([seed, 9])
    for _ in range(int(nrng.integers(0, 3))):
        rcx, rcy = nrng.uniform(0, W), nrng.uniform(0, H)
        rad = nrng.uniform(6, 14) * p
        ys = slice(max(int(rcy - rad), 0), min(int(rcy + rad), H))
        xs = slice(max(int(rcx - rad), 0), min(int(rcx + rad), W))
        yy, xx = np.mgrid[ys, xs].astype(np.float32)
        r2 = ((yy - rcy) ** 2 + (xx - rcx) ** 2) / (p * p)
        env = np.clip(1 - np.sqrt(r2) * p / rad, 0, 1)
        kk = nrng.uniform(0.03, 0.08)
        for k, lam in enumerate((0.61, 0.545, 0.465)):
            img[ys, xs, k] *= 1 + 0.012 * env * np.cos(kk * r2 / lam)
    for _ in range(int(nrng.integers(2, 9))):
        # fine scratches in the film catch the lamp: thin bright arcs
        xa, ya = nrng.uniform(0, W), nrng.uniform(0, H)
        ang = nrng.uniform(0, math.pi)
        L = nrng.uniform(10, 60) * p
        tt = np.linspace(0, L, int(L))
        xs_ = (xa + tt * math.cos(ang)).astype(int)
        ys_ = (ya + tt * math.sin(ang) + 0.002 * tt * tt / p).astype(int)
        ok = (xs_ >= 0) & (xs_ < W) & (ys_ >= 0) & (ys_ < H)
        img[ys_[ok], xs_[ok]] += nrng.uniform(0.02, 0.06)
    # the scanner: lamp, optics, noise, tone
    lamp = 1 + crng.uniform(-0.015, 0.015) * np.cos(np.linspace(0, math.pi, W))[None, :]
    img *= lamp[..., None]
    sig = crng.uniform(0.035, 0.065) * p
    for k in range(3):
        img[..., k] = ndimage.gaussian_filter(img[..., k], sig, mode="nearest")
    fw = crng.uniform(6000, 20000)
    np.clip(img, 0, 1.2, out=img)
    rd = crng.uniform(0.001, 0.003)
    nz = nrng.standard_normal((H, W), dtype=np.float32)
    for k in range(3):
        ch = img[..., k]
        sd = np.sqrt(ch / fw + rd * rd)
        sd *= np.roll(nz, (int(nrng.integers(H)), int(nrng.integers(W))), (0, 1)) if k else nz
        ch += sd
    del nz
    wp = float(np.percentile(img[::4, ::4].mean(2), 99)) * crng.uniform(1.0, 1.04)
    bp = crng.uniform(0.005, 0.025)
    img /= wp
    img -= bp
    img /= (1 - bp)
    np.clip(img, 0, 1, out=img)
    lut = (srgb(np.linspace(0, 1, 4096)) * 255 + 0.5).astype(np.uint8)
    img *= 4095
    img8 = lut[img.astype(np.int16)]
    del img
    q = int(crng.integers(18, 34))
    with tempfile.TemporaryDirectory(prefix="w-sleeve-") as td:
        pin, pav, pout = os.path.join(td, "in.png"), os.path.join(td, "a.avif"), os.path.join(td, "out.png")
        Image.fromarray(img8).save(pin, compress_level=0)
        subprocess.run(["avifenc", "-j", "1", "-s", "9", "-y", "420", "--min", str(q - 6), "--max", str(q),
                        pin, pav], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["avifdec", "-j", "1", "-d", "8", pav, pout], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        out = Image.open(pout).convert("RGB")
        out.load()
    fmt = crng.choice(["jpg", "png", "tif"], p=[0.5, 0.3, 0.2])
    dpi_in_file = bool(crng.random() < 0.8)
    fname = "%s.%s" % (stem, fmt)
    kw = {"dpi": (dpi, dpi)} if dpi_in_file else {}
    if fmt == "jpg":
        out.save(os.path.join(outdir, fname), quality=int(crng.integers(82, 95)),
                 subsampling=int(crng.choice([0, 1, 2])), **kw)
    elif fmt == "png":
        out.save(os.path.join(outdir, fname), **kw)
    else:
        out.save(os.path.join(outdir, fname), compression=["tiff_lzw", "tiff_adobe_deflate"][int(crng.integers(2))], **kw)

    # ---- truth: masks through the same map
    jboxes = []
    M = np.array([[c_, s_], [-s_, c_]])   # forward (row, col)
    for b, tb, tile in truth_boxes:
        bcx, bcy = (b["x"] + b["w"] / 2) * p, (b["y"] + b["h"] / 2) * p
        fr = M @ np.array([bcy - ccy, bcx - ccx]) + np.array([ccy + shy, ccx + shx])
        tb["box_centre_px"] = [round(float(fr[1]), 1), round(float(fr[0]), 1)]
        if tile is not None:
            tx0, ty0, mask = tile
            th, tw = mask.shape
            corners = np.array([[ty0, tx0], [ty0, tx0 + tw], [ty0 + th, tx0], [ty0 + th, tx0 + tw]], float)
            oc = (M @ (corners - [ccy, ccx]).T).T + [ccy + shy, ccx + shx]
            r0, c0 = int(math.floor(oc[:, 0].min())) - 1, int(math.floor(oc[:, 1].min())) - 1
            r1, c1 = int(math.ceil(oc[:, 0].max())) + 2, int(math.ceil(oc[:, 1].max())) + 2
            r0, c0 = max(r0, 0), max(c0, 0)
            r1, c1 = min(r1, H), min(c1, W)
            # output (r, c) -> page (pr, pc) -> tile (pr - ty0, pc - tx0)
            toff = Minv @ np.array([r0, c0]) + off - np.array([ty0, tx0])
            mo = ndimage.affine_transform(mask, Minv, offset=toff, output_shape=(r1 - r0, c1 - c0), order=1,
                                          mode="constant", cval=0.0) >= 0.5
            if mo.any():
                rr, cc = np.nonzero(mo)
                mo = mo[rr.min():rr.max() + 1, cc.min():cc.max() + 1]
                mname = "%s.r%dc%d.mask.png" % (stem, b["row"], b["col"])
                Image.fromarray((mo * 255).astype(np.uint8)).save(os.path.join(outdir, mname))
                tb["mask"] = mname
                tb["mask_offset"] = [int(c0 + cc.min()), int(r0 + rr.min())]
        tb["defects"] = sorted(set(tb["defects"]), key=tb["defects"].index)
        tb["borderline"] = [x for x in dict.fromkeys(tb["borderline"]) if x not in tb["defects"]]
        jboxes.append(tb)
    truth = dict(maker="sleeve", seed=seed, dpi=dpi, dpi_in_file=dpi_in_file, skew_deg=round(skew, 3), file=fname,
                 layout="bjca-nmg/org-seal-sample+personal-seal-sample", firm=firm, person=person, pen=pen_kind,
                 paper_tint=tint[0] if tint else None, avif_quantizer=q, boxes=jboxes)
    with open(os.path.join(outdir, "%s.truth.json" % stem), "w") as f:
        json.dump(truth, f, ensure_ascii=False, indent=1)


def draw_face(kind, cv, sc, buf, cx, cy, tdeg, g, o):
    """One pressing's face into canvas cv (units mm x g px), centre (cx, cy) in tile mm, turned tdeg clockwise."""
    t = math.radians(tdeg)
    ca, sa = math.cos(t), math.sin(t)

    def rot(pts):
        pts = np.asarray(pts, float)
        x, y = pts[:, 0], pts[:, 1]
        return np.stack([(cx + x * ca - y * sa) * g, (cy + x * sa + y * ca) * g], 1)

    if kind == "official_seal":
        R = o["d"] / 2
        cv.poly(rot(circle_pts(0, 0, R, 360)), 255)
        cv.poly(rot(circle_pts(0, 0, R - o["ring"], 360)), 0)
        # star
        rs = R * 0.3
        st = []
        for i in range(10):
            a = -math.pi / 2 + i * math.pi / 5
            rr = rs if i % 2 == 0 else rs * 0.382
            st.append((rr * math.cos(a), rr * math.sin(a)))
        cv.poly(rot(st), 255)
        cv.read()
        name = o["firm"]
        n = len(name)
        span = math.radians(min(250, max(200, 22 * n)))
        chh = R * 2 * 0.155
        rc = R - o["ring"] - 0.6 - chh / 2
        step = span / max(n - 1, 1)
        chw = min(chh * 0.8, step * (rc - chh / 2) * 0.9)
        for i, ch in enumerate(name):
            a = -math.pi / 2 - span / 2 + i * step
            gx, gy = rc * math.cos(a), rc * math.sin(a)
            fill_winding(sc, glyph_in_box(ch, cx + gx * ca - gy * sa, cy + gx * sa + gy * ca, chw, chh,
                                          a + math.pi / 2 + t, g), buf)
        if o["use"]:
            u = o["use"]
            cw = min(R * 0.22, R * 1.2 / len(u))
            for i, ch in enumerate(u):
                gx = (i - (len(u) - 1) / 2) * cw
                gy = R * 0.5
                fill_winding(sc, glyph_in_box(ch, cx + gx * ca - gy * sa, cy + gx * sa + gy * ca, cw * 0.85, R * 0.2, t, g), buf)
        if o["code"]:
            code = o["code"]
            span2 = math.radians(70)
            rc2 = R - o["ring"] - 0.5 - R * 0.045
            for i, ch in enumerate(code):
                a = math.pi / 2 + span2 / 2 - i * span2 / (len(code) - 1)
                gx, gy = rc2 * math.cos(a), rc2 * math.sin(a)
                fill_winding(sc, glyph_in_box(ch, cx + gx * ca - gy * sa, cy + gx * sa + gy * ca, R * 0.045, R * 0.08,
                                              a - math.pi / 2 + t, g), buf)
    elif kind == "legal_rep_seal":
        w, h = o["lw"], o["lh"]
        fr = o["frame"]
        outer = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
        innr = [(-w / 2 + fr, -h / 2 + fr), (w / 2 - fr, -h / 2 + fr), (w / 2 - fr, h / 2 - fr), (-w / 2 + fr, h / 2 - fr)]
        cv.poly(rot(outer), 255)
        if not o["yin"]:
            cv.poly(rot(innr), 0)
        cv.read()
        chars = o["chars"]
        iw, ih = w - 2 * fr - 0.8, h - 2 * fr - 0.8
        cells = []
        if len(chars) == 4:   # right-to-left columns: c0 c1 right column, c2 c3 left
            for i in range(4):
                col, row = 1 - i // 2, i % 2
                cells.append((chars[i], -iw / 2 + iw / 4 + col * iw / 2, -ih / 2 + ih / 4 + row * ih / 2, iw / 2, ih / 2))
        else:                 # three: name right column, 印 fills the left
            cells.append((chars[0], iw / 4, -ih / 4, iw / 2, ih / 2))
            cells.append((chars[1], iw / 4, ih / 4, iw / 2, ih / 2))
            cells.append((chars[2], -iw / 4, 0, iw / 2, ih))
        for ch, gx, gy, cw, chh in cells:
            cs = glyph_in_box(ch, cx + gx * ca - gy * sa, cy + gx * sa + gy * ca, cw * 0.86, chh * 0.86, t, g)
            if o["yin"]:
                tmp = np.zeros_like(buf)
                fill_winding(sc, cs, tmp)
                cv.read()
                buf[tmp > 0] = 0
            else:
                fill_winding(sc, cs, buf)
    else:
        # a signature after Hollerbach's oscillatory model: two coupled oscillations and a drift per character
        rng = o["rng"]
        info = o["info"]
        if "pts" not in info:
            n = len(o["person"])
            cell = rng.uniform(9.0, 12.0)
            slant = math.radians(rng.uniform(6, 16))
            strokes = []
            for ci in range(n):
                T = rng.uniform(2.5, 4.0) * 2 * math.pi
                tt = np.linspace(0, T, 220)
                ax, ay = rng.uniform(0.25, 0.4) * cell, rng.uniform(0.35, 0.5) * cell
                wx, wy = 1.0, rng.uniform(0.9, 1.15)
                ph = rng.uniform(0, 2 * math.pi)
                drift = cell * 0.8 / T
                x = ax * np.sin(wx * tt + ph) + drift * tt + ci * cell * 0.95
                y = -ay * np.sin(wy * tt + ph + rng.uniform(0.8, 1.6)) * (1 + 0.25 * np.sin(tt / 3))
                x = x - y * math.tan(slant)
                strokes.append(np.stack([x, y], 1))
            tail = strokes[-1][-1]
            fl = np.stack([tail[0] + np.linspace(0, rng.uniform(4, 8), 30), tail[1] + np.sin(np.linspace(0, math.pi, 30)) * -1.5], 1)
            strokes.append(fl)
            allp = np.concatenate(strokes)
            mid = (allp.min(0) + allp.max(0)) / 2
            halfw = (allp.max(0)[0] - allp.min(0)[0]) / 2
            bx, by, bw, bh = o["box"]
            ix0, iy0, ix1, iy1 = o["inner"]
            ccx = bx + bw / 2 + rng.uniform(-3, 3)
            ccy = by + bh / 2 + rng.uniform(-2, 2)
            if o["push"]:
                side, amt = o["push"]
                ccx = (ix0 + halfw - amt) if side == "left" else (ix1 - halfw + amt)
            else:
                ccx = min(max(ccx, ix0 + halfw + 1.5), ix1 - halfw - 1.5)
            info["pts"] = [s - mid + [ccx, ccy] for s in strokes]
            info["w"] = rng.uniform(0.45, 0.6)
        for s in info["pts"]:
            stroke_quads(cv, s * g, info["w"] * g)


if __name__ == "__main__":
    main()
