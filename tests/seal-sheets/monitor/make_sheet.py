#!/usr/bin/python3
"""Maker O (monitor/): a seal collection sheet with its truth, unlike makers B-N.

Drawing: scikit-image's polygon filler (skimage.draw.polygon, even-odd per group) on glyph
outlines of AR PL Mingti2L Big5 / KaitiM Big5 (fonts-arphic-bsmi00lp / -bkai00mp) flattened by
the maker; the form printed by a thermal-transfer (wax ribbon) printer; paper from a forming
wire's and felt's marks; ink from a coherent thin-film (Abeles characteristic matrix) model
over the paper; captured as a photo of the clerk's LCD showing the scan (subpixel moire).
Called as: make_sheet.py SEED OUTDIR INDEX.
"""
import json
import os
import sys

import numpy as np
from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont
from PIL import Image
from scipy import ndimage
from skimage.draw import polygon as sk_polygon

SEED, OUT, INDEX = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
rng = np.random.default_rng(SEED)
RPX = 12.0  # render grid, px per mm
SS = 3  # supersampling of every fill
PW, PH = 210.0, 297.0
FACES = {"ming": "/usr/share/fonts/truetype/arphic-bsmi00lp/bsmi00lp.ttf",
         "kai": "/usr/share/fonts/truetype/arphic-bkai00mp/bkai00mp.ttf"}

PLACES = ["北京", "天津", "上海", "南京", "西安", "成都", "大同", "長沙", "武漢", "福州"]
CORES = ["宏信", "中和", "永安", "同心", "天成", "明光", "正大", "金石", "恒通", "瑞豐"]
TRADES = ["科技", "文化", "建材", "工程", "食品", "商業", "電子", "機械"]
SUFFIX = ["有限公司", "股份有限公司"]
SURN = ["王", "李", "周", "朱", "林", "何", "高", "宋", "方", "田", "石", "丁"]
GIVEN = ["小明", "文", "平", "宇", "志強", "安", "成", "永", "春", "玉", "立", "光明"]
FORM_TEXT = ["印章採集表", "公章", "法人章", "法定代表人手書", "樣本", "單位名稱", "說明",
             "請在框中居中蓋章勿出框保持清白", "（蓋章）", "年月日", "蓋章", "印章", "之印", "一二三",
             "0123456789"]


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
        for t in np.linspace(0, 1, 7)[1:]:
            u = 1 - t
            self.cur.append((u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                             u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1]))

    def _qCurveToOne(self, p1, p2):
        p0 = self.cur[-1]
        for t in np.linspace(0, 1, 6)[1:]:
            u = 1 - t
            self.cur.append((u * u * p0[0] + 2 * u * t * p1[0] + t * t * p2[0],
                             u * u * p0[1] + 2 * u * t * p1[1] + t * t * p2[1]))

    def _closePath(self):
        if len(self.cur) > 2:
            self.contours.append(np.array(self.cur, float))
        self.cur = []

    _endPath = _closePath


class Face:
    def __init__(self, path):
        self.f = TTFont(path)
        self.cmap = self.f.getBestCmap()
        self.gs = self.f.getGlyphSet()
        self.upm = self.f["head"].unitsPerEm
        self.cache = {}

    def glyph(self, ch):
        """Contours in em units (0..1, y down, the em box's top-left at 0)."""
        if ord(ch) not in self.cmap:
            raise SystemExit(f"monitor/make_sheet.py: face lacks {ch!r} (U+{ord(ch):04X})")
        if ch not in self.cache:
            pen = FlatPen(self.gs)
            self.gs[self.cmap[ord(ch)]].draw(pen)
            desc = 0.12 * self.upm
            self.cache[ch] = [np.column_stack([c[:, 0] / self.upm, 1 - (c[:, 1] + desc) / self.upm]) for c in pen.contours]
        return self.cache[ch]


FONTS = {k: Face(v) for k, v in FACES.items()}
# Every word checked against both faces once, before anything is drawn: a lacking face stops the sheet.
for words in (PLACES, CORES, TRADES, SUFFIX, SURN, GIVEN, FORM_TEXT):
    for w in words:
        for ch in w:
            for fc in FONTS.values():
                fc.glyph(ch)


def glyph_at(face, ch, cx, cy, w, h, rot=0.0):
    """A glyph's contours stretched to w x h mm, centred at (cx, cy), turned by rot (rad, clockwise)."""
    out = []
    c, s = np.cos(rot), np.sin(rot)
    for con in face.glyph(ch):
        x = (con[:, 0] - 0.5) * w
        y = (con[:, 1] - 0.5) * h
        out.append(np.column_stack([cx + c * x - s * y, cy + s * x + c * y]))
    return out


def circle(cx, cy, r, n=180):
    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.column_stack([cx + r * np.cos(a), cy + r * np.sin(a)])


def rect(cx, cy, w, h):
    return np.array([[cx - w / 2, cy - h / 2], [cx + w / 2, cy - h / 2], [cx + w / 2, cy + h / 2], [cx - w / 2, cy + h / 2]])


def fill(groups, x0, y0, w, h, px=RPX):
    """groups: list of (contours in mm, op) with op 'or' / 'clear'; each group even-odd.
    Returns coverage (h x w at px per mm, window's top-left at (x0, y0) mm)."""
    k = px * SS
    acc = np.zeros((h * SS, w * SS), bool)
    for cons, op in groups:
        if op.endswith("_nz"):  # a glyph: non-zero winding (its contours may overlap)
            wn = np.zeros(acc.shape, np.int8)
            for con in cons:
                sa = np.sum(con[:, 0] * np.roll(con[:, 1], -1) - np.roll(con[:, 0], -1) * con[:, 1])
                rr, cc = sk_polygon((con[:, 1] - y0) * k - 0.5, (con[:, 0] - x0) * k - 0.5, acc.shape)
                wn[rr, cc] += 1 if sa > 0 else -1
            g = wn != 0
        else:
            g = np.zeros_like(acc)
            for con in cons:
                rr, cc = sk_polygon((con[:, 1] - y0) * k - 0.5, (con[:, 0] - x0) * k - 0.5, acc.shape)
                g[rr, cc] ^= True
        if op.startswith("or"):
            acc |= g
        else:
            acc &= ~g
    return acc.reshape(h, SS, w, SS).mean(axis=(1, 3)).astype(np.float32)


def rotate_groups(groups, ang, cx, cy):
    c, s = np.cos(ang), np.sin(ang)
    out = []
    for cons, op in groups:
        nc = []
        for con in cons:
            x, y = con[:, 0] - cx, con[:, 1] - cy
            nc.append(np.column_stack([cx + c * x - s * y, cy + s * x + c * y]))
        out.append((nc, op))
    return out


# ---------------------------------------------------------------- the sheet's draws
dpi = int(rng.choice([150, 200, 300, 400, 600], p=[0.1, 0.12, 0.5, 0.14, 0.14]))
face_name = "kai" if rng.random() < 0.5 else "ming"
face = FONTS[face_name]
firm = str(rng.choice(PLACES)) + str(rng.choice(CORES)) + str(rng.choice(TRADES)) + str(rng.choice(SUFFIX, p=[0.75, 0.25]))
person = str(rng.choice(SURN)) + str(rng.choice(GIVEN))
if len(person) > 3:
    person = person[:3]
line_mm = float(rng.uniform(0.22, 0.45))
W, H = int(PW * RPX), int(PH * RPX)

# layout: title, a 單位名稱 line, three rows of three boxes with a caption strip under each
tx0 = 18 + rng.uniform(-2, 2)
ty0 = 42 + rng.uniform(-2, 2)
TW = 174.0
rows = [("official_seal", 54.0), ("legal_rep_seal", 40.0), ("signature", 36.0)]
CAP = 8.0

# ---------------------------------------------------------------- the form's coverage
form_groups = []


def text(s, x, y, size, fc=None):
    fc = fc or FONTS["ming"]
    for i, ch in enumerate(s):
        form_groups.append((glyph_at(fc, ch, x + (i + 0.5) * size, y + size / 2, size, size), "or_nz"))


text("印章採集表", 105 - 2.5 * 8, 18 + rng.uniform(-1, 1), 8.0, FONTS[face_name])
text("單位名稱", tx0, ty0 - 14, 4.2)
form_groups.append(([rect(tx0 + 18 + 60, ty0 - 9.5, 120, 0.3)], "or"))
text("請在框中居中蓋章勿出框保持清白", tx0, ty0 - 6.5, 3.6)
boxes = []
y = ty0
lw = line_mm
for ri, (kind, bh) in enumerate(rows):
    cap = {"official_seal": "公章", "legal_rep_seal": "法人章", "signature": "法定代表人手書"}[kind]
    for ci in range(3):
        bx0 = tx0 + ci * TW / 3
        boxes.append(dict(row=ri, col=ci, kind=kind, x0=bx0 + lw / 2, y0=y + lw / 2, x1=bx0 + TW / 3 - lw / 2, y1=y + bh - lw / 2))
        # caption under each box
        s = cap + "樣本" + "一二三"[ci]
        sz = 3.8
        text(s, bx0 + TW / 6 - len(s) * sz / 2, y + bh + (CAP - sz) / 2, sz)
    # rules: horizontal at y, y+bh, y+bh+CAP; verticals
    for yy in (y, y + bh, y + bh + CAP):
        form_groups.append(([rect(tx0 + TW / 2, yy, TW + lw, lw)], "or"))
    for ci in range(4):
        form_groups.append(([rect(tx0 + ci * TW / 3, y + (bh + CAP) / 2, lw, bh + CAP)], "or"))
    y += bh + CAP + 6.0
strip_rows = rng.random() < 0.4

# ---------------------------------------------------------------- per-box plans
SEAL_DEFECTS = ["double", "smudged", "broken", "pale", "off_color", "tilted", "overlap_line", "bg_not_white", "text_under"]
SEAL_W = np.array([13, 12, 13, 12, 9, 13, 12, 8, 8], float)
tinted = rng.random() < 0.05
for b in boxes:
    d = set()
    b["empty"] = False
    if b["kind"] != "signature":
        u = rng.random()
        if u < 0.08:
            b["empty"] = True
            if rng.random() < 0.12:
                d.add("bg_not_white")
        elif u < 0.08 + 0.55:
            first = str(rng.choice(SEAL_DEFECTS, p=SEAL_W / SEAL_W.sum()))
            d.add(first)
            if rng.random() < 0.2:
                second = str(rng.choice(["tilted", "bg_not_white", "text_under", "overlap_line", "double", "pale"]))
                bad = {frozenset(("double", "smudged")), frozenset(("double", "broken")), frozenset(("pale", "off_color")),
                       frozenset(("pale", "double"))}
                if frozenset((first, second)) not in bad:
                    d.add(second)
    else:
        u = rng.random()
        if u < 0.06:
            b["empty"] = True
        else:
            if rng.random() < 0.14:
                d.add("overlap_line")
            if rng.random() < 0.09:
                d.add("bg_not_white")
            if rng.random() < 0.08:
                d.add("pale")
    if tinted:
        d.add("bg_not_white")
    b["plan"] = d

# text under the seal: thermal-printed into the form before the seals
for b in boxes:
    if "text_under" in b["plan"] and not b["empty"]:
        s = str(rng.choice(["（蓋章）", "蓋章", "年月日", "公章", "印章"]))
        sz = rng.uniform(3.9, 5.0)
        cx = (b["x0"] + b["x1"]) / 2 + rng.uniform(-5, 5)
        cy = (b["y0"] + b["y1"]) / 2 + rng.uniform(0.1, 0.25) * (b["y1"] - b["y0"])
        text(s, cx - len(s) * sz / 2, cy - sz / 2, sz)
        b["under"] = [s, round(cx, 2), round(cy, 2)]

form_cov = fill(form_groups, 0.0, 0.0, W, H)

# ---------------------------------------------------------------- thermal-transfer print
# a 300-dpi head (11.81 dots a mm): each dot melts the wax ribbon on or off; grey strips by a Bayer 4x4 order
head = 300 / 25.4
hy, hx = np.mgrid[0:H, 0:W]
dot_y = np.floor(hy / RPX * head).astype(np.int32)
dot_x = np.floor(hx / RPX * head).astype(np.int32)
bayer = (np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]]) + 0.5) / 16
tone = form_cov.copy()
if strip_rows:
    g = rng.uniform(0.1, 0.2)
    y = ty0
    for kind, bh in rows:
        r0, r1 = int((y + bh) * RPX), int((y + bh + CAP) * RPX)
        x0, x1 = int(tx0 * RPX), int((tx0 + TW) * RPX)
        sl = tone[r0:r1, x0:x1]
        np.maximum(sl, np.where(sl > 0.5, sl, g), out=sl)
        y += bh + CAP + 6.0
on = np.where(tone > 0.5, 1.0, (tone > bayer[dot_y % 4, dot_x % 4]).astype(np.float32) * (tone > 0.03))
# the head's elements: a few weak ones leave white lines along the feed; the ribbon's wrinkles drop dots
weak = rng.random(int(np.ceil(PW * head)) + 2) < rng.uniform(0.002, 0.01)
on = on * (~weak[dot_x])
wrinkle = ndimage.gaussian_filter(rng.standard_normal((H // 24 + 1, W // 24 + 1)).astype(np.float32), 2)
wrinkle = ndimage.zoom(wrinkle, (H / wrinkle.shape[0] * 1.001, W / wrinkle.shape[1] * 1.001), order=1)[:H, :W]
on = on * (wrinkle < np.quantile(wrinkle, 0.995))
wax = ndimage.gaussian_filter(on.astype(np.float32), 0.35)  # the melted dot's edge
wax_r = rng.uniform(0.04, 0.07)  # black wax's reflectance
del hy, hx, dot_y, dot_x, tone, on

# ---------------------------------------------------------------- paper: forming wire and felt marks
white = rng.uniform(0.84, 0.9)
tintc = np.array([1.0, 1.0, 1.0])
if tinted:
    tintc = np.array([[1.0, 0.95, 0.78], [1.0, 0.88, 0.9], [0.86, 0.93, 1.0], [0.9, 1.0, 0.88]][rng.integers(4)])
yy, xx = np.mgrid[0:H, 0:W].astype(np.float32) / RPX
pitch = rng.uniform(0.25, 0.4)  # the wire's mesh (mm)
ang = np.deg2rad(rng.uniform(-3, 3))
u = (xx * np.cos(ang) + yy * np.sin(ang)) / pitch
v = (-xx * np.sin(ang) + yy * np.cos(ang)) / pitch
wire = np.cos(2 * np.pi * u) * np.cos(np.pi * v)  # the woven knuckles
felt = np.cos(2 * np.pi * (xx / rng.uniform(0.9, 1.4) + 0.3 * np.sin(yy / 3.0)))
floc = ndimage.zoom(rng.standard_normal((int(PH / 2), int(PW / 2))).astype(np.float32), (H / int(PH / 2), W / int(PW / 2)), order=1)[:H, :W]
floc = ndimage.gaussian_filter(floc, 4)
floc /= floc.std() + 1e-6
grain = 1 + rng.uniform(0.003, 0.007) * wire + rng.uniform(0.001, 0.003) * felt + rng.uniform(0.003, 0.008) * floc
del yy, xx, u, v, wire, felt, floc
page = np.empty((3, H, W), np.float32)
for c in range(3):
    page[c] = white * tintc[c] * grain * (1 - wax * (1 - wax_r / white))
del wax

# stains in bg_not_white boxes (not tinted stock): a tea or rust spill
for b in boxes:
    if "bg_not_white" in b["plan"] and not tinted:
        bw, bh = b["x1"] - b["x0"], b["y1"] - b["y0"]
        cx, cy = b["x0"] + bw * rng.uniform(0.4, 0.6), b["y0"] + bh * rng.uniform(0.4, 0.6)
        ax, ay = bw * rng.uniform(0.3, 0.42), bh * rng.uniform(0.3, 0.42)
        r0, r1, c0, c1 = int(b["y0"] * RPX), int(b["y1"] * RPX), int(b["x0"] * RPX), int(b["x1"] * RPX)
        yy, xx = np.mgrid[r0:r1, c0:c1].astype(np.float32) / RPX
        th = np.arctan2(yy - cy, xx - cx)
        rad = np.hypot((xx - cx) / ax, (yy - cy) / ay) * (1 + 0.08 * np.sin(3 * th + rng.uniform(0, 6)))
        body = np.clip((1 - rad) * 8, 0, 1)
        rim = np.exp(-((rad - 0.95) / 0.05) ** 2)
        od = rng.uniform(0.18, 0.28) * (0.6 * body + 0.9 * rim)
        colour = np.array([0.5, 0.85, 1.3]) if rng.random() < 0.6 else np.array([0.45, 0.9, 1.1])
        for c in range(3):
            page[c, r0:r1, c0:c1] *= 10 ** (-od * colour[c] / colour.max())
        b["stain"] = {"od_max": round(float(od.max() * 1.0), 3)}

# ---------------------------------------------------------------- ink: Abeles characteristic matrix
LAM = {0: np.linspace(600, 690, 10), 1: np.linspace(500, 590, 10), 2: np.linspace(410, 490, 10)}
HS = np.linspace(0, 12, 97)  # film thickness, um


def film_factor(kc, n=1.52, n_sub=1.53, rg=0.88):
    """R(h)/R(0) per channel for a film of index n + i k over paper (cellulose n_sub with a Lambertian rg)."""
    fac = np.zeros((3, HS.size))
    for c in range(3):
        rs = []
        for lam in LAM[c]:
            N1 = n + 1j * kc[c]
            r01 = (1 - N1) / (1 + N1)
            r12 = (N1 - n_sub) / (N1 + n_sub)
            t01 = 2 / (1 + N1)
            t12 = 2 * N1 / (N1 + n_sub)
            d = 2 * np.pi * N1 * HS * 1e3 / lam
            e = np.exp(1j * d)
            den = 1 + r01 * r12 * e * e
            r = (r01 + r12 * e * e) / den
            t = t01 * t12 * e / den
            R = np.abs(r) ** 2
            T = n_sub * np.abs(t) ** 2  # into the paper and, by reciprocity, back out
            rs.append(R + T * T * rg / (1 - rg * R))
        rs = np.mean(rs, axis=0)
        fac[c] = rs / rs[0]
    return fac


def srgb(lin):
    lin = np.clip(lin, 0, 1)
    return np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)


def hue(rgb):
    r, g, b = rgb
    mx, mn = max(rgb), min(rgb)
    if mx - mn < 1e-9:
        return 0.0
    if mx == r:
        h = 60 * ((g - b) / (mx - mn))
    elif mx == g:
        h = 60 * ((b - r) / (mx - mn) + 2)
    else:
        h = 60 * ((r - g) / (mx - mn) + 4)
    return (h + 180) % 360 - 180


def make_ink(kind, pale, off):
    """Returns (factor table, nominal h index float, info)."""
    for _ in range(60):
        if kind == "signature":
            pen = str(rng.choice(["blue", "black", "blueblack"], p=[0.5, 0.3, 0.2]))
            ratios = {"blue": (1, 0.7, 0.12), "black": (1, 0.97, 0.9), "blueblack": (1, 0.9, 0.5)}[pen]
            kc = np.array(ratios) * 0.02
            target_h = None
        else:
            pen = None
            kg = rng.uniform(0.012, 0.02)
            kr = kg * rng.uniform(0.02, 0.07)
            if off:
                way = str(rng.choice(["orange", "purple"]))
                target_h = rng.uniform(19, 27) * (1 if way == "orange" else -1)  # in linear light
            else:
                way = None
                target_h = rng.uniform(-3, 3)
            lo, hi = 0.05, 3.0
            for _it in range(30):  # blue's absorption over green's, for the hue at the nominal film
                mid = np.sqrt(lo * hi)
                fac = film_factor(np.array([kr, kg, kg * mid]))
                idx = int(np.argmin(np.abs(1 - fac[1] - 0.9)))
                hh = hue(fac[:, idx] * white) if off else hue(srgb(fac[:, idx] * white))
                if hh > target_h:
                    hi = mid
                else:
                    lo = mid
            kc = np.array([kr, kg, kg * mid])
        fac = film_factor(kc)
        strongest = int(np.argmin(fac[:, -1]))
        absorbed = 1 - fac[strongest]
        if kind == "signature":
            tgt = rng.uniform(0.3, 0.6) if pale else rng.uniform(0.85, 0.94)
        else:
            tgt = rng.uniform(0.3, 0.65) if pale else rng.uniform(0.86, 0.95)
        if absorbed[-1] < tgt:
            continue
        hidx = float(np.interp(tgt, absorbed, np.arange(HS.size)))
        if kind != "signature":
            hs, hl = [], []
            for m in (0.5, 0.8, 1.0, 1.2):
                i = min(int(round(hidx * m)), HS.size - 1)
                hs.append(hue(srgb(fac[:, i] * white)))
                hl.append(hue(fac[:, i] * white))
            # off-colour at least 15 deg from red in linear light and 18 in sRGB; 正红 within 7 in both
            if off and not (all(18 <= abs(x) <= 60 for x in hs) and all(15 <= abs(x) <= 60 for x in hl)):
                continue
            if not off and not all(abs(x) <= 7 for x in hs + hl):
                continue
            return fac, hidx, dict(absorbed=round(tgt, 3), hue_deg=[round(x, 1) for x in hs], hue_linear_deg=[round(x, 1) for x in hl],
                                   off_way=way, k=[round(x, 4) for x in kc])
        return fac, hidx, dict(absorbed=round(tgt, 3), pen=pen, k=[round(x, 4) for x in kc])
    raise SystemExit("monitor/make_sheet.py: no ink found")


# ---------------------------------------------------------------- faces
def official_face(d, tilt):
    R = d / 2
    ring = rng.uniform(0.9, 1.5)
    g = [([circle(0, 0, R), circle(0, 0, R - ring)], "or")]
    # star
    rs = R * rng.uniform(0.28, 0.33)
    a = -np.pi / 2 + np.arange(10) * np.pi / 5
    rr = np.where(np.arange(10) % 2 == 0, rs, rs * 0.382)
    g.append(([np.column_stack([rr * np.cos(a), rr * np.sin(a)])], "or"))
    # name along the upper arc
    n = len(firm)
    span = np.deg2rad(rng.uniform(205, 250))
    ch_h = d * rng.uniform(0.15, 0.18)
    rc = R - ring - 0.6 - ch_h / 2
    ch_w = min(ch_h, 0.85 * rc * span / n)
    for i, ch in enumerate(firm):
        th = -np.pi / 2 - span / 2 + (i + 0.5) * span / n
        g.append((glyph_at(face, ch, rc * np.cos(th), rc * np.sin(th), ch_w, ch_h, th + np.pi / 2), "or_nz"))
    return rotate_groups(g, tilt, 0, 0), (d, d)


def legal_face(tilt):
    yin = rng.random() < 0.22
    if rng.random() < 0.62:
        w = h = rng.uniform(15.5, 21.5)
    else:
        L = rng.uniform(17.5, 22.0)
        s = L / rng.uniform(1.2, 1.5)
        w, h = (L, s) if rng.random() < 0.5 else (s, L)
    fr = rng.uniform(0.6, 1.1)
    chars = (person + "之印") if len(person) == 2 else (person + "印")
    g = []
    if yin:
        g.append(([rect(0, 0, w, h)], "or"))
    else:
        g.append(([rect(0, 0, w, h), rect(0, 0, w - 2 * fr, h - 2 * fr)], "or"))
    iw, ih = w - 2 * fr - 1.0, h - 2 * fr - 1.0
    cells = []  # right-to-left columns
    if len(chars) == 4:
        for i, ch in enumerate(chars):
            col, row = i // 2, i % 2
            cells.append((ch, iw / 4 - col * iw / 2, -ih / 4 + row * ih / 2, iw / 2, ih / 2))
    else:
        cells = [(chars[0], iw / 4, -ih / 4, iw / 2, ih / 2), (chars[1], iw / 4, ih / 4, iw / 2, ih / 2),
                 (chars[2], -iw / 4, 0, iw / 2, ih)]
    for ch, cx, cy, cw, chh in cells:
        g.append((glyph_at(face, ch, cx, cy, cw * 0.94, chh * 0.94), "clear_nz" if yin else "or_nz"))
    return rotate_groups(g, tilt, 0, 0), (w, h), yin


def signature_face(tilt):
    """A pen scribble: per character 3-6 strokes, each a quadratic curve drawn as a thick polyline."""
    pw = rng.uniform(0.4, 0.65)
    cell = rng.uniform(10, 13)
    slant = np.deg2rad(rng.uniform(6, 18))
    n = len(person)
    total = cell * (n - 1) * 0.85
    g = []
    dirs = [(1, 0.05), (0.05, 1), (-0.7, 0.8), (0.7, 0.7), (0.2, 0.3), (1, 0.6)]
    for i in range(n):
        ox = -total / 2 + i * cell * 0.85
        for _ in range(rng.integers(4, 8)):
            dx, dy = dirs[rng.integers(len(dirs))]
            L = cell * rng.uniform(0.35, 0.8)
            sx, sy = ox + rng.uniform(-0.35, 0.2) * cell, rng.uniform(-0.4, 0.2) * cell
            p0 = np.array([sx, sy])
            p2 = p0 + L * np.array([dx, dy]) / np.hypot(dx, dy)
            p1 = (p0 + p2) / 2 + rng.normal(0, 0.12 * L, 2)
            t = np.linspace(0, 1, 14)[:, None]
            pts = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t * t * p2
            pts[:, 0] -= pts[:, 1] * np.tan(slant)
            for a, b2 in zip(pts[:-1], pts[1:]):
                dv = b2 - a
                nv = np.array([-dv[1], dv[0]]) / (np.hypot(*dv) + 1e-9) * pw / 2
                g.append(([np.array([a + nv, b2 + nv, b2 - nv, a - nv])], "or"))
                g.append(([circle(b2[0], b2[1], pw / 2, 12)], "or"))
    return rotate_groups(g, tilt, 0, 0)


def smooth_noise(shape, cell_px):
    sh = (max(2, int(shape[0] / cell_px) + 2), max(2, int(shape[1] / cell_px) + 2))
    z = rng.standard_normal(sh).astype(np.float32)
    z = ndimage.zoom(z, (shape[0] / sh[0] * 1.0001, shape[1] / sh[1] * 1.0001), order=3)[:shape[0], :shape[1]]
    return z / (z.std() + 1e-6)


def inner_px(b):
    return b["x0"] * RPX, b["y0"] * RPX, b["x1"] * RPX, b["y1"] * RPX


# ---------------------------------------------------------------- impressions
inks = {}
for b in boxes:
    if b["empty"]:
        continue
    kind, plan = b["kind"], b["plan"]
    pale, off = "pale" in plan, "off_color" in plan
    fac, hidx, info = make_ink(kind, pale, off)
    b.update(info)
    bw, bh = b["x1"] - b["x0"], b["y1"] - b["y0"]
    cx0, cy0 = (b["x0"] + b["x1"]) / 2, (b["y0"] + b["y1"]) / 2
    tilt = np.deg2rad(rng.uniform(12, 28) * rng.choice([-1, 1])) if "tilted" in plan else np.deg2rad(rng.uniform(-2, 2))
    if kind == "official_seal":
        d = min(rng.uniform(38.5, 44.5), min(bw, bh) - 4.5)
        d = max(d, 38.5)
        groups, size = official_face(d, tilt)
        b["diameter_mm"] = round(float(d), 2)
        ext = d / 2
        ex, ey = ext, ext
    elif kind == "legal_rep_seal":
        groups, size, yin = legal_face(tilt)
        b["size_mm"] = [round(float(size[0]), 2), round(float(size[1]), 2)]
        b["yin"] = yin
        c, s = abs(np.cos(tilt)), abs(np.sin(tilt))
        ex, ey = (size[0] * c + size[1] * s) / 2, (size[0] * s + size[1] * c) / 2
    else:
        groups = signature_face(np.deg2rad(rng.uniform(-2, 2)))
        allp = np.concatenate([c for cons, _ in groups for c in cons])
        ex, ey = np.abs(allp[:, 0]).max(), np.abs(allp[:, 1]).max()
    # placement: centred within 2 mm, kept 1 mm inside the rules, or pushed 1.2-3 mm past one
    cx = cx0 + rng.uniform(-2, 2)
    cy = cy0 + rng.uniform(-2, 2)
    cx = np.clip(cx, b["x0"] + ex + 1.0, b["x1"] - ex - 1.0) if b["x1"] - b["x0"] > 2 * ex + 2 else cx0
    cy = np.clip(cy, b["y0"] + ey + 1.0, b["y1"] - ey - 1.0) if b["y1"] - b["y0"] > 2 * ey + 2 else cy0
    if "text_under" in plan and "under" in b:
        cx += 0.75 * (b["under"][1] - cx)
        cy += 0.75 * (b["under"][2] - cy)
        cx = np.clip(cx, b["x0"] + ex + 0.8, b["x1"] - ex - 0.8) if b["x1"] - b["x0"] > 2 * ex + 2 else cx0
        cy = np.clip(cy, b["y0"] + ey + 0.8, b["y1"] - ey - 0.8) if b["y1"] - b["y0"] > 2 * ey + 2 else cy0
    if "overlap_line" in plan:
        push = rng.uniform(1.2, 3.0)
        side = rng.integers(4) if kind != "signature" else rng.integers(2)
        if side == 0:
            cx = b["x0"] - push + ex
        elif side == 1:
            cx = b["x1"] + push - ex
        elif side == 2:
            cy = b["y0"] - push + ey
        else:
            cy = b["y1"] + push - ey
        b["push_mm"] = round(float(push), 2)
    # pressings: offsets (mm) and loads
    press = [(0.0, 0.0, 1.0, 0.0)]
    if "double" in plan:
        off_mm = rng.uniform(0.9, 2.4)
        a = rng.uniform(0, 2 * np.pi)
        press.append((off_mm * np.cos(a), off_mm * np.sin(a), rng.uniform(0.5, 0.9), np.deg2rad(rng.uniform(-1.5, 1.5))))
        b["double_offset_mm"] = round(float(off_mm), 2)
    smear = None
    if "smudged" in plan:
        smear = (rng.uniform(0.8, 1.3), rng.uniform(0, 2 * np.pi))
        b["smear_mm"], b["smear_deg"] = round(float(smear[0]), 2), round(float(np.rad2deg(smear[1])), 1)
    reach = max(ex, ey) + 5.0
    x0w, y0w = int((cx - reach) * RPX), int((cy - reach) * RPX)
    x0w, y0w = max(x0w, 0), max(y0w, 0)
    x1w, y1w = min(int((cx + reach) * RPX) + 1, W), min(int((cy + reach) * RPX) + 1, H)
    ww, wh = x1w - x0w, y1w - y0w
    film = np.zeros((wh, ww), np.float32)
    cov = np.zeros((wh, ww), np.float32)
    mottle = 1 - rng.uniform(0.04, 0.12) * np.clip(np.abs(smooth_noise((wh, ww), rng.uniform(10, 24))), 0, 2.5) / 2.5
    for dx, dy, load, dr in press:
        gg = [(cons, op) for cons, op in rotate_groups(groups, dr, 0, 0)]
        gg = [([c + np.array([cx + dx, cy + dy]) for c in cons], op) for cons, op in gg]
        cv = fill(gg, x0w / RPX, y0w / RPX, ww, wh)
        if smear is not None:
            L, a = smear
            steps = int(np.ceil(L * RPX * 2))
            trail = np.zeros_like(cv)
            fl = cv * rng.uniform(0.5, 0.65)
            wsum = 0
            weights = np.linspace(1, rng.uniform(0.25, 0.45), steps)
            for k in range(1, steps + 1):
                sh = ndimage.shift(cv, (np.sin(a) * L * RPX * k / steps, np.cos(a) * L * RPX * k / steps), order=1)
                trail = np.maximum(trail, sh)
                wsum += weights[k - 1]
            for k in range(1, steps + 1):
                sh = ndimage.shift(cv, (np.sin(a) * L * RPX * k / steps, np.cos(a) * L * RPX * k / steps), order=1)
                fl += sh * weights[k - 1] / wsum * (1 - 0.575)
            cv_ink = fl
            cv = np.maximum(cv, trail)
        else:
            cv_ink = cv
        film += cv_ink * load
        cov = np.maximum(cov, cv)
    film *= mottle
    if "broken" in plan:
        a = rng.uniform(0, 2 * np.pi)
        yy, xx = np.mgrid[0:wh, 0:ww].astype(np.float32)
        pl = (xx * np.cos(a) + yy * np.sin(a)) + smooth_noise((wh, ww), 4) * 0.3 * RPX
        inkpx = cov >= 0.5
        lost = rng.uniform(0.18, 0.3)
        q = np.quantile(pl[inkpx], lost)
        fade = rng.uniform(0.3, 0.7) * RPX
        keep = np.clip((pl - q) / fade + 0.5, 0, 1)
        film *= keep
        uncut = cov.copy()
        cov = cov * (keep >= 0.5)
        b["lost"] = round(float(lost), 3)
    else:
        uncut = cov
    # film thickness in table units: the nominal film where the face is full
    hmap = np.clip(film * hidx, 0, HS.size - 1)
    i0 = np.floor(hmap).astype(np.int32)
    i1 = np.minimum(i0 + 1, HS.size - 1)
    fr = hmap - i0
    for c in range(3):
        f = fac[c, i0] * (1 - fr) + fac[c, i1] * fr
        page[c, y0w:y1w, x0w:x1w] *= f
    b["cov"] = (cov, x0w, y0w)
    # overlap from the drawn ink against the inner edge of the box's rules
    ix0, iy0, ix1, iy1 = inner_px(b)

    def reach_past(m):
        ys, xs = np.nonzero(m >= 0.5)
        if ys.size == 0:
            return -99.0
        xs = xs + x0w + 0.5
        ys = ys + y0w + 0.5
        return float(max(ix0 - xs.min(), xs.max() - ix1, iy0 - ys.min(), ys.max() - iy1)) / RPX
    rp = reach_past(cov)
    b["reach_mm"] = round(rp, 3)
    b["defects_drawn"] = set(plan) - {"overlap_line"}
    border = set()
    if rp > 0.3:
        b["defects_drawn"].add("overlap_line")
    elif rp >= -0.3:
        border.add("overlap_line")
    if "broken" in plan and reach_past(uncut) >= -0.3 and "overlap_line" not in b["defects_drawn"]:
        border.add("overlap_line")
    b["border"] = border
    b["tilt_deg"] = round(float(np.rad2deg(tilt)), 2) if kind != "signature" else 0.0

# ---------------------------------------------------------------- capture: a photo of the LCD showing the scan
skew = float(rng.normal(0, 0.4)) if rng.random() < 0.5 else float(rng.uniform(0.3, 1.5) * rng.choice([-1, 1]))
env = os.environ.get("SEAL_SHEET_DPI")
if env:
    dpi = int(env)
opx = dpi / 25.4
OW, OH = int(round(PW * opx)), int(round(PH * opx))
th = np.deg2rad(skew)
sc = opx / RPX
shift = rng.normal(0, 0.8, 2) * opx
# output = M @ render + t, rotation clockwise on screen about the page centre
M = sc * np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
cr = np.array([W / 2, H / 2])
t = np.array([OW / 2, OH / 2]) + shift - M @ cr
Minv = np.linalg.inv(M)


def to_out(xr, yr):
    p = M @ np.array([xr, yr]) + t
    return float(p[0]), float(p[1])


def warp(img, out_shape, off_out=(0, 0), off_in=(0, 0), cval=0.0, pre=True):
    """img (render grid, its top-left at off_in) to the output grid window at off_out, both (x, y)."""
    if pre and sc < 1:
        img = ndimage.gaussian_filter(img, 0.42 / sc)
    # input (row, col) = Minv[::-1, ::-1] @ (orow, ocol) + offset
    A = Minv[::-1, ::-1]
    o = Minv @ (np.array(off_out, float) - t) - np.array(off_in, float)
    return ndimage.affine_transform(img, A, offset=o[::-1], output_shape=out_shape, order=1, cval=cval)


out = np.empty((3, OH, OW), np.float32)
for c in range(3):
    out[c] = warp(page[c], (OH, OW), cval=0.92)
del page
# the monitor: its RGB subpixel stripes beaten against the camera's pixels (moire), its backlight's fall-off
yy, xx = np.ogrid[0:OH, 0:OW]
yy, xx = yy.astype(np.float32), xx.astype(np.float32)
mper = rng.uniform(4, 14) * opx
mang = np.deg2rad(rng.uniform(-30, 30))
amp = rng.uniform(0.015, 0.04)
ph = (xx * np.cos(mang) + yy * np.sin(mang)) / mper * 2 * np.pi
rr = ((xx / OW - 0.5) ** 2 + (yy / OH - 0.5) ** 2)
fall = 1 - rng.uniform(0.04, 0.1) * rr / 0.5
gamma_panel = rng.uniform(2.1, 2.4)
for c in range(3):
    ch = out[c] ** (2.2 / gamma_panel)  # the panel's gamma against the scan's 2.2
    ch = ch * (1 + amp * np.cos(ph + c * 2 * np.pi / 3)) * fall
    ch = ndimage.gaussian_filter(ch, rng.uniform(0.45, 0.8))  # the phone lens
    out[c] = ch
del yy, xx, ph, rr, fall
# the phone's sensor noise, white point and tone
fw = rng.uniform(3000, 8000)
for c in range(3):  # one channel at a time, float32, to keep a 600-dpi sheet small
    ch = np.clip(out[c], 0, None)
    # shot noise (Gaussian with the Poisson variance) and read noise
    ch += rng.standard_normal(ch.shape, dtype=np.float32) * np.sqrt(ch / np.float32(fw) + np.float32(0.004 ** 2))
    out[c] = ch
    del ch
wp = np.quantile(out[1, ::7, ::7], 0.95) / rng.uniform(0.93, 0.98)
bp = rng.uniform(0.01, 0.035)
img8 = np.empty((OH, OW, 3), np.uint8)
for c in range(3):
    ch = np.clip((out[c] / np.float32(wp) - np.float32(bp)) / np.float32(1 - bp), 0, 1)
    ch = np.where(ch <= 0.0031308, 12.92 * ch, 1.055 * ch ** np.float32(1 / 2.4) - 0.055)
    img8[:, :, c] = (ch * 255 + 0.5).astype(np.uint8)
    del ch
del out
u = rng.random()
ext = "jpg" if u < 0.65 else ("png" if u < 0.85 else "tif")
dpi_in_file = bool(rng.random() < 0.8)
name = f"{INDEX:03d}.{ext}"
im = Image.fromarray(img8, "RGB")
kw = {}
if dpi_in_file:
    kw["dpi"] = (dpi, dpi)
if ext == "jpg":
    kw["quality"] = int(rng.integers(60, 93))
    kw["subsampling"] = int(rng.choice([0, 1, 2], p=[0.2, 0.2, 0.6]))
elif ext == "tif":
    kw["compression"] = str(rng.choice(["tiff_lzw", "tiff_adobe_deflate", "raw"]))
os.makedirs(OUT, exist_ok=True)
im.save(os.path.join(OUT, name), **kw)

# ---------------------------------------------------------------- truth
tboxes = []
for b in boxes:
    cxr, cyr = (b["x0"] + b["x1"]) / 2 * RPX, (b["y0"] + b["y1"]) / 2 * RPX
    e = {"row": b["row"], "col": b["col"], "kind": b["kind"], "empty": b["empty"]}
    if b["empty"]:
        defs = ["empty"] + (["bg_not_white"] if "bg_not_white" in b["plan"] else [])
        e["defects"], e["borderline"] = defs, []
    else:
        order = ["pale", "broken", "double", "smudged", "overlap_line", "tilted", "bg_not_white", "text_under", "off_color"]
        e["defects"] = [x for x in order if x in b["defects_drawn"]]
        e["borderline"] = sorted(b["border"])
    e["box_centre_px"] = [round(v, 1) for v in to_out(cxr, cyr)]
    if "diameter_mm" in b:
        e["diameter_mm"] = b["diameter_mm"]
    if "size_mm" in b:
        e["size_mm"] = b["size_mm"]
    if not b["empty"]:
        cov, x0w, y0w = b["cov"]
        hh, ww = cov.shape
        corners = [to_out(x0w + x, y0w + y) for x in (0, ww) for y in (0, hh)]
        ox0 = max(int(np.floor(min(p[0] for p in corners))) - 2, 0)
        oy0 = max(int(np.floor(min(p[1] for p in corners))) - 2, 0)
        ox1 = min(int(np.ceil(max(p[0] for p in corners))) + 2, OW)
        oy1 = min(int(np.ceil(max(p[1] for p in corners))) + 2, OH)
        m = warp(cov, (oy1 - oy0, ox1 - ox0), off_out=(ox0, oy0), off_in=(x0w, y0w))
        mk = m >= 0.5
        ys, xs = np.nonzero(mk)
        if ys.size:
            mk = mk[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
            mname = f"{INDEX:03d}.r{b['row']}c{b['col']}.mask.png"
            Image.fromarray((mk * 255).astype(np.uint8), "L").save(os.path.join(OUT, mname))
            e["mask"] = mname
            e["mask_offset"] = [int(ox0 + xs.min()), int(oy0 + ys.min())]
    for k in ("tilt_deg", "double_offset_mm", "smear_mm", "smear_deg", "push_mm", "reach_mm", "lost", "absorbed",
              "hue_deg", "hue_linear_deg", "off_way", "pen", "yin", "under", "stain", "k"):
        if k in b:
            e[k] = b[k]
    e["inner_mm"] = [round(b[k], 2) for k in ("x0", "y0", "x1", "y1")]
    tboxes.append(e)
truth = {"maker": "monitor", "seed": SEED, "dpi": dpi, "dpi_in_file": dpi_in_file, "skew_deg": round(skew, 3),
         "file": name, "layout": "own 印章採集表 (3 x 3 boxes)", "firm": firm, "person": person, "face": face_name,
         "line_mm": round(line_mm, 3), "boxes": tboxes}
with open(os.path.join(OUT, f"{INDEX:03d}.truth.json"), "w", encoding="utf-8") as f:
    json.dump(truth, f, ensure_ascii=False, indent=1)
