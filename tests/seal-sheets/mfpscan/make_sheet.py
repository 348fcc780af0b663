#!/usr/bin/env python3
"""Maker J (mfpscan): a seal collection sheet, stamped and signed, put on the glass of an office
multi-function printer and sent to the counter by scan-to-e-mail (a JPEG from the "text/photo" mode
with background removal and descreening), scan-to-folder (a TIFF) or as a compact (MRC) PDF that the
counter turns into an image. Usage: make_sheet.py SEED OUTDIR INDEX -> NNN.<ext>, NNN.truth.json
and one NNN.rRcC.mask.png per impression. See truth.md, "Maker J"."""
import io
import json
import math
import os
import sys

import numpy as np
from PIL import Image
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import raster as rz  # noqa: E402
import mfp  # noqa: E402

A4 = (210.0, 297.0)

# Vocabulary: words whose every character the Ume faces carry (checked against the cmap below; a
# word with a missing character is never drawn).
PLACES = ["北京", "上海", "天津", "广州", "深圳", "杭州", "南京", "成都", "西安", "沈阳", "大连", "青岛",
          "呼和浩特", "包头", "赤峰", "鄂尔多斯", "合肥", "太原", "石家庄", "济南", "福州", "昆明"]
CORES = ["明日", "新和", "恒信", "正元", "宏大", "金石", "白山", "东方", "光明", "中和", "安泰", "信达",
         "天成", "博文", "海川", "嘉禾", "万通", "永安", "青松", "草原", "北方", "星海", "云山", "高原"]
TRADES = ["科技", "建设", "工程", "信息技术", "商贸", "医药", "食品", "环境", "能源", "物流", "教育科技",
          "文化传播", "农牧", "建筑工程", "化工", "机械", "软件"]
FORMS = ["有限公司", "有限公司", "有限公司", "股份有限公司"]
SURNAMES = "王李刘周吴徐胡朱高林何郭梁宋唐于董程曹袁彭蒋蔡魏薛叶潘杜戴夏汪田任姜范方石姚廖熊金郝孔白崔康毛邱秦江史侯邵孟万段雷尹黎易常武"
GIVEN = "文芳娜敏静明超秀霞平桂英玉萍建国志海波宁春梅林杰涛磊洋勇娟辉鹏飞宇"
UNDER = ["（盖章）", "盖章", "年  月  日", "公章", "印章"]


def pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


def u(rng, a, b):
    return float(rng.uniform(a, b))


def smooth_noise(rng, h, w, cell):
    """Zero-mean, unit-σ smooth noise (a random grid every `cell` pixels, cubic spline)."""
    gh, gw = int(h / cell) + 4, int(w / cell) + 4
    g = rng.standard_normal((gh, gw)).astype(np.float32)
    z = ndimage.zoom(g, cell, order=3, prefilter=False)[:h, :w]
    if z.shape != (h, w):
        z = np.pad(z, ((0, h - z.shape[0]), (0, w - z.shape[1])), mode="edge")
    s = float(z.std()) or 1.0
    return ((z - z.mean()) / s).astype(np.float32)


# ---------------------------------------------------------------- geometry: page mm -> render px
class Frame:
    """The page on the platen: page mm (u, v) -> scanner mm (x, y) = R(skew)(p - c) + c + shift,
    then render pixels (x, y) * ppm. skew clockwise positive on screen (y down)."""

    def __init__(self, skew_deg, shift, ppm):
        self.t = math.radians(skew_deg)
        self.c = np.array([A4[0] / 2, A4[1] / 2])
        self.s = np.asarray(shift, float)
        self.ppm = ppm
        ct, st = math.cos(self.t), math.sin(self.t)
        self.R = np.array([[ct, -st], [st, ct]])

    def px(self, p):
        p = np.asarray(p, float)
        return ((p - self.c) @ self.R.T + self.c + self.s) * self.ppm

    def mm(self, xpx, ypx):
        """Page mm of render pixel coordinates (arrays)."""
        x = xpx / self.ppm - self.c[0] - self.s[0]
        y = ypx / self.ppm - self.c[1] - self.s[1]
        ct, st = self.R[0, 0], self.R[1, 0]
        return ct * x + st * y + self.c[0], -st * x + ct * y + self.c[1]


def window_of(frame, polys_mm, margin_mm, W, H, k):
    allp = frame.px(np.vstack(polys_mm))
    m = margin_mm * frame.ppm
    x0 = int(math.floor((allp[:, 0].min() - m) / k)) * k
    y0 = int(math.floor((allp[:, 1].min() - m) / k)) * k
    x1 = int(math.ceil((allp[:, 0].max() + m) / k)) * k
    y1 = int(math.ceil((allp[:, 1].max() + m) / k)) * k
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(x1, W), min(y1, H)
    return x0, y0, max(x1 - x0, 0), max(y1 - y0, 0)


def cover(frame, polys_mm, win):
    x0, y0, w, h = win
    return rz.raster([frame.px(p) for p in polys_mm], x0, y0, w, h)


# ---------------------------------------------------------------- faces (local mm, centre 0, y down)
def turn(polys, deg, centre):
    t = math.radians(deg)
    R = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    return [p @ R.T + centre for p in polys]


def official_face(rng, firm):
    """A round 公章: ring, star, the firm's name on the upper arc, a code on the lower arc for some."""
    D = u(rng, 38.5, 44.5)
    R = D / 2
    ring = u(rng, 0.9, 1.5)
    font = "mincho" if rng.random() < 0.8 else "gothic"
    emb = u(rng, 0.012, 0.035)
    polys = [rz.circle(0, 0, R, True), rz.circle(0, 0, R - ring, False)]
    inner = None
    if rng.random() < 0.15:
        r2 = R - ring - u(rng, 0.8, 1.2)
        inner = (r2, 0.25)
        polys += [rz.circle(0, 0, r2, True), rz.circle(0, 0, r2 - 0.25, False)]
    rs = R * u(rng, 0.28, 0.33)
    ang = np.arange(10) * math.pi / 5 - math.pi / 2
    rad = np.where(np.arange(10) % 2 == 0, rs, rs * 0.382)
    polys.append(rz.oriented(np.stack([rad * np.cos(ang), rad * np.sin(ang)], 1)))
    n = len(firm)
    span = math.radians(u(rng, 205, 250))
    ch_h = D * u(rng, 0.15, 0.18)
    rc = R - ring - u(rng, 0.5, 0.9) - ch_h / 2
    if inner:
        rc = inner[0] - 0.25 - u(rng, 0.4, 0.7) - ch_h / 2
    step = span / max(n - 1, 1)
    ch_w = min(ch_h * 0.95, rc * step * u(rng, 0.78, 0.92))
    for i, ch in enumerate(firm):
        th = -span / 2 + i * step
        pos = (rc * math.sin(th), -rc * math.cos(th))
        polys += rz.place_glyph(font, ch, emb, pos, (math.cos(th), math.sin(th)), (math.sin(th), -math.cos(th)), ch_w, ch_h)
    code = None
    if rng.random() < 0.4:
        code = "".join(str(int(d)) for d in rng.integers(0, 10, 13))
        dh = D * 0.06
        rd = R - ring - 0.5 - dh / 2
        cspan = math.radians(62)
        for i, ch in enumerate(code):
            b = -cspan / 2 + i * cspan / 12
            pos = (rd * math.sin(b), rd * math.cos(b))
            polys += rz.place_glyph("gothic", ch, 0.02, pos, (math.cos(b), -math.sin(b)), (-math.sin(b), -math.cos(b)), dh * 0.5, dh)
    outer = rz.circle(0, 0, R, True)
    return {"polys": polys, "cut": [], "outer": outer, "diameter_mm": round(D, 2), "font": font, "code": code}


def legal_face(rng, person):
    chars = list(person + ("之印" if len(person) == 2 else "印"))
    rect = rng.random() < 0.38
    if rect:
        L = u(rng, 17.5, 22)
        s = L / u(rng, 1.2, 1.5)
        w, h = (s, L) if rng.random() < 0.5 else (L, s)
    else:
        w = h = u(rng, 15.5, 21.5)
    fr = u(rng, 0.6, 1.1)
    font = "mincho" if rng.random() < 0.55 else "gothic"
    emb = u(rng, 0.01, 0.03)
    yin = rng.random() < 0.22
    gap = u(rng, 0.5, 0.9)
    ix0, iy0 = -w / 2 + fr + gap, -h / 2 + fr + gap
    iw, ih = w - 2 * (fr + gap), h - 2 * (fr + gap)
    cells = []
    if w > h * 1.15 and rng.random() < 0.5:   # one row of four, read right to left
        cw = iw / 4
        for i, ch in enumerate(chars if len(chars) == 4 else chars[:2] + [chars[2], "印"][:2]):
            cells.append((ch, ix0 + iw - (i + 0.5) * cw, 0.0, cw * 0.9, ih * 0.9))
    else:                                       # right column first, top to bottom
        cw, chh = iw / 2, ih / 2
        if len(chars) == 4:
            pos = [(1, 0), (1, 1), (0, 0), (0, 1)]
            for ch, (c, r) in zip(chars, pos):
                cells.append((ch, ix0 + (c + 0.5) * cw, iy0 + (r + 0.5) * chh, cw * 0.9, chh * 0.9))
        else:  # three: 印 fills the left column
            cells.append((chars[0], ix0 + 1.5 * cw, iy0 + 0.5 * chh, cw * 0.9, chh * 0.9))
            cells.append((chars[1], ix0 + 1.5 * cw, iy0 + 1.5 * chh, cw * 0.9, chh * 0.9))
            cells.append((chars[2], ix0 + 0.5 * cw, iy0 + ih / 2, cw * 0.9, ih * 0.95))
    glyphs = []
    for ch, cx, cy, gw, gh in cells:
        glyphs += rz.place_glyph(font, ch, emb, (cx, cy), (1, 0), (0, -1), gw, gh)
    outer = rz.rect(-w / 2, -h / 2, w / 2, h / 2, True)
    if yin:
        polys, cut = [outer], glyphs
    else:
        polys, cut = [outer, rz.rect(-w / 2 + fr, -h / 2 + fr, w / 2 - fr, h / 2 - fr, False)] + glyphs, []
    return {"polys": polys, "cut": cut, "outer": outer, "size_mm": [round(w, 2), round(h, 2)], "font": font, "yin": yin}


def signature_path(rng):
    """Hollerbach's oscillation model of cursive writing: two coupled oscillators (vertical and
    horizontal) at a common frequency, their amplitudes and phase lag switched at every half
    cycle, plus a constant rightward drift; pen lifts between some characters. Returns strokes in
    mm (local, y down) and the pen's speed along them."""
    nch = int(rng.choice([2, 3], p=[0.35, 0.65]))
    cell = u(rng, 8.5, 12.0)
    adv = cell * u(rng, 0.75, 0.95)
    slant = math.radians(u(rng, 6, 20))
    omega = 2 * math.pi * u(rng, 4.0, 6.0)
    dt = 0.002
    strokes, speeds = [], []
    cur = []
    x0 = 0.0
    for c in range(nch):
        halfs = int(rng.integers(5, 9))
        T = halfs * math.pi / omega
        n = int(T / dt)
        t = np.arange(n) * dt
        hi = np.minimum((t * omega / math.pi).astype(int), halfs - 1)
        ay = rng.uniform(0.25, 0.5, halfs) * cell
        ax = rng.uniform(0.05, 0.22, halfs) * cell
        loops = rng.random(halfs) < 0.3
        ph = np.where(loops, rng.uniform(1.1, 2.0, halfs), rng.choice([0.0, math.pi], halfs) + rng.uniform(-0.45, 0.45, halfs))
        k = np.ones(int(0.02 / dt)) / int(0.02 / dt)
        ayt = np.convolve(ay[hi], k, mode="same")
        axt = np.convolve(ax[hi], k, mode="same")
        pht = np.convolve(ph[hi], k, mode="same")
        y = ayt * np.sin(omega * t) + u(rng, -0.08, 0.08) * cell
        x = axt * np.sin(omega * t + pht) + x0 + t / T * adv
        x = x - y * math.tan(slant)
        p = np.stack([x, y], 1)
        if len(cur) and rng.random() < 0.5:
            cur = np.vstack([cur, p])
        else:
            if len(cur):
                strokes.append(np.asarray(cur))
            cur = p
        x0 += adv
    if rng.random() < 0.4:   # a closing flourish
        n = int(0.25 / dt)
        t = np.arange(n) * dt
        last = np.asarray(cur)[-1]
        fx = last[0] + t / t[-1] * cell * u(rng, 0.8, 1.6)
        fy = last[1] + np.sin(t / t[-1] * math.pi) * cell * u(rng, 0.1, 0.3)
        cur = np.vstack([cur, np.stack([fx, fy], 1)])
    strokes.append(np.asarray(cur))
    allp = np.vstack(strokes)
    mid = (allp.min(0) + allp.max(0)) / 2
    strokes = [s - mid for s in strokes]
    for s in strokes:
        v = np.r_[0, np.hypot(*np.diff(s, axis=0).T)] / dt
        speeds.append(v)
    return strokes, speeds


def signature_face(rng):
    strokes, speeds = signature_path(rng)
    pen = u(rng, 0.4, 0.62)
    polys = []
    for s, v in zip(strokes, speeds):
        s = s[::2]
        v = v[::2]
        vn = v / (np.median(v) + 1e-9)
        wdt = pen * np.clip(1.15 - 0.3 * vn, 0.6, 1.15)
        wdt[:3] *= np.linspace(0.4, 1, 3)[: len(wdt[:3])]
        polys += rz.stroke_polys(s, wdt)
    allp = np.vstack(strokes)
    return {"polys": polys, "cut": [], "outer": None, "pen_mm": round(pen, 3),
            "extent": (allp.min(0), allp.max(0))}


# ---------------------------------------------------------------- ink: Murray–Davies with a dot-area curve
# The share of the paper's surface the paste touches against the pressure (a tone-value curve as
# measured on proofs of stamped wedges): monotone, saturating.
DA_P = np.array([0.0, 0.1, 0.2, 0.35, 0.5, 0.7, 0.85, 1.0, 1.15, 1.3, 3.0])
DA_A = np.array([0.0, 0.07, 0.17, 0.37, 0.57, 0.79, 0.895, 0.955, 0.985, 1.0, 1.0])


def dot_area(p):
    return np.interp(p, DA_P, DA_A).astype(np.float32)


def load_for(a):
    return float(np.interp(a, DA_A[:-1], DA_P[:-1]))


def to_srgb(x):
    x = np.clip(x, 0, 1)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)


def hsv_hue(rgb):
    r, g, b = rgb
    mx, mn = max(rgb), min(rgb)
    if mx - mn < 1e-9:
        return 0.0
    if mx == r:
        h = 60 * ((g - b) / (mx - mn))
    elif mx == g:
        h = 60 * (2 + (b - r) / (mx - mn))
    else:
        h = 60 * (4 + (r - g) / (mx - mn))
    return (h + 180) % 360 - 180


def mix_hue(rho, a):
    return hsv_hue(to_srgb(1 - a * (1 - np.asarray(rho))))


def bisect(f, lo, hi, target, rising):
    """The x in [lo, hi] where f (rising or falling in x) meets target, by 40 halvings."""
    for _ in range(40):
        m = (lo + hi) / 2
        if (f(m) < target) if rising else (f(m) > target):
            lo = m
        else:
            hi = m
    return (lo + hi) / 2


def seal_colour(rng, off):
    """The solid's reflectance over this paper (per channel, relative to it): red kept high, green
    low, blue (正红) or green/blue (off-colour) found by bisection on the sRGB HSV hue of its mixes."""
    for _ in range(60):
        rr = u(rng, 0.5, 0.72)
        rg = u(rng, 0.015, 0.05)
        if off is None:
            target = u(rng, -3.5, 3.5)
            # hue falls as blue rises
            rho = (rr, rg, bisect(lambda x: mix_hue((rr, rg, x), 0.9), 0.0, 0.3, target, rising=False))
            hs = [mix_hue(rho, a) for a in (0.3, 0.6, 0.9, 0.97)]
            if all(abs(h) <= 6.5 for h in hs):
                return rho, target
        else:
            target = u(rng, 26, 38) * (1 if off == "orange" else -1)
            if off == "orange":      # green raised, blue low
                rb = u(rng, 0.01, 0.04)
                rho = (rr, bisect(lambda x: mix_hue((rr, x, rb), 0.9), 0.0, 0.7, target, rising=True), rb)
            else:                    # blue raised: a purple-red
                rho = (rr, rg, bisect(lambda x: mix_hue((rr, rg, x), 0.9), 0.0, 0.9, target, rising=False))
            hs = [abs(mix_hue(rho, a)) for a in (0.3, 0.6, 0.9, 0.97)]
            if all(22 <= h <= 45 for h in hs):
                return rho, target
    raise RuntimeError("no ink colour found")


PENS = {"blue ballpoint": (0.10, 0.16, 0.55), "black gel": (0.05, 0.05, 0.065), "blue-black": (0.06, 0.08, 0.2)}


# ---------------------------------------------------------------- the form
def layout(rng):
    """Boxes in page mm: rows of (kind, [box rects]) with their captions; after the CAs' forms."""
    lw = u(rng, 0.2, 0.45)
    frame_k = u(rng, 1.5, 2.0) if rng.random() < 0.3 else 1.0
    rows = []
    if rng.random() < 0.62:
        name = "collection"
        colw = [58.0, 58.0, 58.0]
        spec = [("official_seal", u(rng, 46, 52), "公章"), ("legal_rep_seal", u(rng, 34, 40), "法定代表人章"),
                ("signature", u(rng, 30, 34), "法定代表人署名")]
        if rng.random() < 0.5:
            spec.append(("signature", u(rng, 30, 33), "使用人署名"))
        top = u(rng, 62, 72)
    else:
        name = "sample"
        colw = [u(rng, 84, 88)] * 2
        kind = rng.choice(["official_seal", "signature", "legal_rep_seal"], p=[0.6, 0.25, 0.15])
        hh = u(rng, 58, 62)
        cap = {"official_seal": "公章", "signature": "本人署名", "legal_rep_seal": "法定代表人章"}[kind]
        spec = [(kind, hh, cap), (kind, hh, cap)]
        top = u(rng, 70, 80)
    left = (A4[0] - sum(colw)) / 2
    y = top
    strip_h = u(rng, 7, 9)
    for kind, hgt, cap in spec:
        strip = (left, y, left + sum(colw), y + strip_h, cap)
        y += strip_h
        boxes = []
        x = left
        for cw in colw:
            boxes.append((x, y, x + cw, y + hgt))
            x += cw
        rows.append({"kind": kind, "boxes": boxes, "strip": strip})
        y += hgt
    return {"name": name, "lw": lw, "frame_k": frame_k, "rows": rows, "left": left,
            "right": left + sum(colw), "top": top, "bottom": y}


def form_polys(rng, L, firm):
    """Rules and text of the form as page-mm contours (filled as toner), plus the tinted strips."""
    lw = L["lw"]
    polys = []
    ys = sorted({r["strip"][1] for r in L["rows"]} | {r["boxes"][0][1] for r in L["rows"]} | {L["bottom"]})
    xs = sorted({b[0] for r in L["rows"] for b in r["boxes"]} | {L["right"]})
    for y in ys:
        k = L["frame_k"] if y in (ys[0], ys[-1]) else 1.0
        polys.append(rz.rect(L["left"] - lw * k / 2, y - lw * k / 2, L["right"] + lw * k / 2, y + lw * k / 2))
    for r in L["rows"]:
        y0, y1 = r["boxes"][0][1], r["boxes"][0][3]
        for x in xs:
            k = L["frame_k"] if x in (xs[0], xs[-1]) else 1.0
            polys.append(rz.rect(x - lw * k / 2, y0 - lw / 2, x + lw * k / 2, y1 + lw / 2))
        x0, x1 = xs[0], xs[-1]
        k = L["frame_k"]
        polys.append(rz.rect(x0 - lw * k / 2, r["strip"][1], x0 + lw * k / 2, y0))
        polys.append(rz.rect(x1 - lw * k / 2, r["strip"][1], x1 + lw * k / 2, y0))
    texts = []
    titles = ["单位印章采集表", "印章采集表", "印章样本采集表"]
    title = next(t for t in titles if rz.covers("mincho", t) and rz.covers("pgothic", t))
    texts.append((title, "mincho" if rng.random() < 0.6 else "pgothic", A4[0] / 2, 30 + u(rng, 0, 4), u(rng, 6.0, 7.0), "c", 0.02))
    texts.append(("名称：" + firm, "pgothic", L["left"], L["top"] - u(rng, 22, 26), 3.9, "l", 0.0))
    texts.append(("填表日期：     年   月   日", "pgothic", L["left"], L["top"] - u(rng, 13, 16), 3.9, "l", 0.0))
    for r in L["rows"]:
        x0, y0, x1, y1, cap = r["strip"]
        texts.append((cap + "（采集" + ("两" if len(r["boxes"]) == 2 else "三") + "个）", "pgothic", (x0 + x1) / 2, (y0 + y1) / 2 + 1.4, 3.7, "c", 0.0))
    notes = ["注：印章清晰完整，不歪，不出框。", "以下空白"]
    ny = L["bottom"] + 8
    for nt in notes:
        texts.append((nt, "pgothic", L["left"], ny, 3.6, "l", 0.0))
        ny += 6.5
    for t, font, x, y, size, align, emb in texts:
        if not rz.covers(font, t):
            raise ValueError("the form's face lacks a character of %r" % t)
        polys += text_polys(font, t, x, y, size, align, emb)
    strips = [r["strip"][:4] for r in L["rows"]]
    return polys, strips


def text_polys(font, text, x, y, size, align, emb):
    """A line of text set on the em (advance 1.0 em, 0.5 for ASCII and spaces), baseline at y."""
    adv = [0.5 if ord(ch) < 128 else 1.0 for ch in text]
    total = sum(adv) * size
    x0 = x - total / 2 if align == "c" else x
    out = []
    for ch, a in zip(text, adv):
        if ch != " ":
            polys, _ = rz.glyph(font, ch, emb)
            out.append([np.stack([x0 + p[:, 0] * size, y - (p[:, 1] - 0.12) * size], 1) for p in polys])
        x0 += a * size
    return out


# ---------------------------------------------------------------- paper: a fibre network
def fibre_tile(rng, mm, ppm):
    """A periodic tile of paper formation from a physical deposition model: fibres (hardwood
    0.6–1.3 mm, softwood 1.8–3.2 mm long, 20–35 µm wide, gently curved) laid at random with their
    centres clustered in flocs (a Cox process on a smooth field), the grammage summed per pixel."""
    n = int(mm * ppm)
    dens = np.exp(0.9 * smooth_noise(rng, n, n, max(2, int(u(rng, 1.5, 3.0) * ppm))))
    nf = int(mm * mm * u(rng, 9, 14))
    soft = rng.random(nf) < 0.3
    length = np.where(soft, rng.uniform(1.8, 3.2, nf), rng.uniform(0.6, 1.3, nf))
    cx, cy = rng.uniform(0, mm, nf), rng.uniform(0, mm, nf)
    keep = rng.random(nf) < dens[(cy * ppm).astype(int) % n, (cx * ppm).astype(int) % n] / dens.max()
    cx, cy, length = cx[keep], cy[keep], length[keep]
    th = rng.uniform(0, math.pi, len(cx))  # isotropic
    bend = rng.normal(0, 0.25, len(cx))
    m = 24
    s = np.linspace(-0.5, 0.5, m)
    ang = th[:, None] + bend[:, None] * s[None, :]
    px = cx[:, None] + length[:, None] * s[None, :] * np.cos(ang)
    py = cy[:, None] + length[:, None] * s[None, :] * np.sin(ang)
    ix = (px * ppm).astype(int) % n
    iy = (py * ppm).astype(int) % n
    g = np.bincount((iy * n + ix).ravel(), minlength=n * n).reshape(n, n).astype(np.float32)
    g = ndimage.gaussian_filter(g, max(0.5, 0.012 * ppm), mode="wrap")
    g = (g - g.mean()) / (g.std() + 1e-9)
    return g


def paper_field(rng, H, W, ppm):
    a = fibre_tile(rng, u(rng, 28, 34), ppm)
    b = fibre_tile(rng, u(rng, 19, 23), ppm)
    fa = np.ascontiguousarray(np.tile(a, (H // a.shape[0] + 1, W // a.shape[1] + 1))[:H, :W])
    oy, ox = int(rng.integers(b.shape[0])), int(rng.integers(b.shape[1]))
    fa += 0.7 * np.tile(np.roll(b, (oy, ox), (0, 1)), (H // b.shape[0] + 1, W // b.shape[1] + 1))[:H, :W]
    fa *= 1 / 1.22
    return fa.astype(np.float32, copy=False)


# ---------------------------------------------------------------- stains
def stain_layer(rng, box, frame, win, ppm):
    """A stain in a box as a per-channel reflectance multiplier over the window: foxing (a brown
    haze with its spots) or a greasy thumb's prints (ridges) — faded out 2 mm inside the rules."""
    x0, y0, w, h = win
    yy, xx = np.mgrid[y0:y0 + h, x0:x0 + w].astype(np.float32) + 0.5
    uu, vv = frame.mm(xx, yy)
    bx0, by0, bx1, by1 = box
    inside = np.clip(np.minimum.reduce([uu - bx0 - 2, bx1 - 2 - uu, vv - by0 - 2, by1 - 2 - vv]) / 1.0, 0, 1)
    kind = "foxing" if rng.random() < 0.55 else "prints"
    for attempt in range(6):
        if kind == "foxing":
            cx, cy = u(rng, bx0 + 10, bx1 - 10), u(rng, by0 + 8, by1 - 8)
            ra, rb = (bx1 - bx0) * u(rng, 0.28, 0.42), (by1 - by0) * u(rng, 0.3, 0.45)
            r = np.hypot((uu - cx) / ra, (vv - cy) / rb)
            edge = smooth_noise(rng, h, w, max(2, int(2.5 * ppm))) * 0.15
            haze = np.clip((1 - r + edge) / 0.25, 0, 1) * u(rng, 0.14, 0.24)
            nspot = int(rng.integers(10, 40))
            spots = np.zeros_like(haze)
            for _ in range(nspot):
                sx, sy = cx + rng.normal(0, ra * 0.6), cy + rng.normal(0, rb * 0.6)
                sr = u(rng, 0.2, 1.2)
                sa = u(rng, 0.15, 0.4)
                qx, qy = frame.px((sx, sy)) - (x0, y0)
                rp = (sr + 0.2) * ppm
                ya, yb = max(int(qy - rp), 0), min(int(qy + rp) + 1, h)
                xa, xb = max(int(qx - rp), 0), min(int(qx + rp) + 1, w)
                if ya >= yb or xa >= xb:
                    continue
                sp = np.clip(1 - np.hypot(uu[ya:yb, xa:xb] - sx, vv[ya:yb, xa:xb] - sy) / sr, 0, 1) * sa
                np.maximum(spots[ya:yb, xa:xb], sp, out=spots[ya:yb, xa:xb])
            od = (haze + spots) * inside
            tint = np.array([0.25, 0.55, 1.0])   # OD share per channel: brown-yellow
        else:
            od = np.zeros((h, w), np.float32)
            for _ in range(int(rng.integers(2, 5))):
                cx, cy = u(rng, bx0 + 8, bx1 - 8), u(rng, by0 + 8, by1 - 8)
                a, b = u(rng, 7, 10), u(rng, 9, 12)
                ph = u(rng, 0, math.pi)
                du, dv = uu - cx, vv - cy
                pu = du * math.cos(ph) + dv * math.sin(ph)
                pv = -du * math.sin(ph) + dv * math.cos(ph)
                r = np.hypot(pu / a, pv / b)
                ridge = 0.5 + 0.5 * np.sin(2 * math.pi * np.hypot(pu, pv * a / b) / u(rng, 0.42, 0.52))
                body = np.clip((1 - r) / 0.15, 0, 1)
                od = np.maximum(od, body * (u(rng, 0.08, 0.12) + ridge * u(rng, 0.12, 0.2)))
            od = od * inside
            tint = np.array([0.9, 0.95, 1.0])      # grey, a little brown
        box_area = (bx1 - bx0 - 4) * (by1 - by0 - 4)
        share = float((od >= 0.1).sum()) / (ppm * ppm) / box_area
        if share >= 0.3:
            break
        kind = "foxing"
    mult = np.power(10.0, -od[..., None] * tint[None, None, :]).astype(np.float32)
    return mult, {"kind": kind, "od_max": round(float(od.max()), 3), "area_od_0_1": round(share, 3)}


# ---------------------------------------------------------------- the sheet
def choose_defects(rng):
    if rng.random() >= 0.55:
        return []
    names = ["double", "smudged", "broken", "pale", "off_color", "tilted", "overlap_line", "bg_not_white", "text_under"]
    wts = np.array([13, 12, 13, 12, 9, 13, 12, 8, 8], float)
    first = names[int(rng.choice(len(names), p=wts / wts.sum()))]
    out = [first]
    if rng.random() < 0.18:
        second = ["tilted", "bg_not_white", "text_under", "overlap_line", "double", "pale"]
        s = second[int(rng.integers(len(second)))]
        bad = {("double", "smudged"), ("double", "broken"), ("pale", "off_color")}
        if s != first and (first, s) not in bad and (s, first) not in bad:
            out.append(s)
    return out


def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng(seed)
    os.makedirs(outdir, exist_ok=True)
    stem = "%03d" % index
    dpi = int(rng.choice([150, 200, 300, 400, 600], p=[0.12, 0.2, 0.45, 0.08, 0.15]))
    env = os.environ.get("SEAL_SHEET_DPI")
    if env:
        dpi = int(env)
    k = 2 if dpi <= 300 else 1
    rdpi = dpi * k
    ppm = rdpi / 25.4
    W = int(round(A4[0] / 25.4 * dpi)) * k
    H = int(round(A4[1] / 25.4 * dpi)) * k
    skew = float(rng.normal(0, 0.2)) if rng.random() < 0.5 else float(rng.choice([-1, 1]) * rng.uniform(0.5, 2.5))
    frame = Frame(skew, (u(rng, -1.5, 1.5), u(rng, -1.5, 1.5)), ppm)

    firm = ""
    while not (firm and rz.covers("mincho", firm) and rz.covers("gothic", firm) and 8 <= len(firm) <= 15):
        firm = pick(rng, PLACES) + pick(rng, CORES) + pick(rng, TRADES) + pick(rng, FORMS)
    person = ""
    while not (person and rz.covers("mincho", person + "之印") and rz.covers("gothic", person + "之印")):
        person = pick(rng, SURNAMES) + "".join(pick(rng, GIVEN) for _ in range(int(rng.choice([1, 2]))))
    L = layout(rng)
    offc = official_face(rng, firm)
    legf = legal_face(rng, person)

    # paper
    white = u(rng, 0.86, 0.91)
    P = np.array([white * u(rng, 0.99, 1.01), white, white * u(rng, 1.0, 1.035)], np.float32)
    tinted = None
    if rng.random() < 0.05:
        tinted = pick(rng, ["yellow", "pink", "blue", "green"])
        dens = {"yellow": (0.02, 0.05, 0.2), "pink": (0.02, 0.14, 0.08), "blue": (0.12, 0.06, 0.02), "green": (0.1, 0.03, 0.12)}[tinted]
        P = P * np.power(10.0, -np.array(dens) * u(rng, 0.8, 1.2)).astype(np.float32)
    grain_amp = u(rng, 0.004, 0.009)
    fib = paper_field(rng, H, W, ppm)
    refl = np.empty((H, W, 3), np.float32)
    for c in range(3):
        refl[..., c] = P[c] * (1 - grain_amp * fib)

    # the form: toner coverage from the rasteriser, scatter, the drum's ghost, tints as chain dots
    fpolys, strips = form_polys(rng, L, firm)
    toner = np.zeros((H, W), np.float32)

    def add_cov(groups):
        for g in groups:
            g = g if isinstance(g, list) else [g]
            win = window_of(frame, g, 0.3, W, H, k)
            if win[2] and win[3]:
                x0, y0, w, h = win
                cv = cover(frame, g, win)
                np.maximum(toner[y0:y0 + h, x0:x0 + w], cv, out=toner[y0:y0 + h, x0:x0 + w])

    add_cov(fpolys)
    tint = u(rng, 0.1, 0.2) if rng.random() < 0.5 else 0.0
    lpi = u(rng, 110, 133)
    if tint > 0:
        f = lpi / 25.4
        for (sx0, sy0, sx1, sy1) in strips:
            win = window_of(frame, [rz.rect(sx0, sy0, sx1, sy1)], 0.0, W, H, k)
            x0, y0, w, h = win
            yy, xx = np.mgrid[y0:y0 + h, x0:x0 + w].astype(np.float32) + 0.5
            uu, vv = frame.mm(xx, yy)
            inside = (uu > sx0) & (uu < sx1) & (vv > sy0) & (vv < sy1)
            a = math.radians(75)
            p1 = uu * math.cos(a) + vv * math.sin(a)
            p2 = -uu * math.sin(a) + vv * math.cos(a)
            spot = 0.5 - 0.3 * np.cos(2 * math.pi * f * p1) - 0.2 * np.cos(2 * math.pi * f * p2)   # elliptical chain dot
            cov = np.clip((spot_level(tint) - spot) * 5.0 + 0.5, 0, 1)
            sub = toner[y0:y0 + h, x0:x0 + w]
            np.maximum(sub, np.where(inside, cov, 0).astype(np.float32), out=sub)
    blurred = ndimage.gaussian_filter(toner, 0.07 * ppm)
    scatter = np.clip(blurred - toner, 0, 1) * (rng.random(toner.shape, dtype=np.float32) < u(rng, 0.05, 0.15)) * 0.8
    del blurred
    toner = ndimage.gaussian_filter(toner, 0.3 + 0.015 * ppm)
    toner += scatter
    del scatter
    np.clip(toner, 0, 1, out=toner)
    ghost_amp = u(rng, 0.01, 0.035) if rng.random() < 0.4 else 0.0
    if ghost_amp:
        dd = frame.R @ np.array([0, u(rng, 75, 95)]) * ppm
        gy, gx = int(round(dd[1])), int(round(dd[0]))
        g = np.zeros_like(toner)
        if 0 < gy < H and abs(gx) < W:
            src = toner[:H - gy, max(0, -gx):W - max(0, gx)]
            g[gy:, max(0, gx):max(0, gx) + src.shape[1]] = src
        g *= ghost_amp
        np.maximum(toner, g, out=toner)
        del g
    kblack = u(rng, 0.04, 0.07)
    refl *= (1 - toner * (1 - kblack))[..., None]

    # boxes, impressions
    boxes_truth = []
    masks = []
    seal_ink = {}
    for ri, row in enumerate(L["rows"]):
        sig_seed = int(rng.integers(2 ** 31))
        for ci, box in enumerate(row["boxes"]):
            kind = row["kind"]
            lw = L["lw"]
            inner = (box[0] + lw / 2 * (L["frame_k"] if ci == 0 else 1), box[1] + lw / 2,
                     box[2] - lw / 2 * (L["frame_k"] if ci == len(row["boxes"]) - 1 else 1), box[3] - lw / 2)
            entry = {"row": ri, "col": ci, "kind": kind}
            if kind == "signature":
                r = rng.random()
                defects = (["empty"] if r < 0.06 else ["overlap_line"] if r < 0.18 else ["bg_not_white"] if r < 0.26
                           else ["pale"] if r < 0.31 else [])
            else:
                defects = ["empty"] if rng.random() < 0.08 else choose_defects(rng)
            if tinted:
                defects = defects + ["bg_not_white"] if "bg_not_white" not in defects else defects
            stain = None
            if "bg_not_white" in defects and not tinted or ("empty" in defects and kind != "signature" and rng.random() < 0.12):
                win = window_of(frame, [rz.rect(*box)], 0.0, W, H, k)
                mult, stain = stain_layer(rng, box, frame, win, ppm)
                x0, y0, w, h = win
                refl[y0:y0 + h, x0:x0 + w] *= mult
                if "bg_not_white" not in defects:
                    defects.append("bg_not_white")
            if "empty" in defects:
                entry.update({"empty": True, "borderline": [],
                              "box_centre_px": [round(float(v), 1) for v in frame.px(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)) / k - 0.5]})
                if stain:
                    entry["stain"] = stain
                entry["defects"] = ["empty"] + (["bg_not_white"] if "bg_not_white" in defects else [])
                boxes_truth.append(entry)
                continue
            info = impress(rng, kind, defects, box, inner, offc, legf, frame, refl, toner, W, H, k, ppm, (grain_amp, fib), sig_seed)
            entry.update(info["truth"])
            entry["empty"] = False
            if stain:
                entry["stain"] = stain
            mask = info["mask"]
            mname = "%s.r%dc%d.mask.png" % (stem, ri, ci)
            entry["mask"] = mname
            masks.append((mname, mask))
            boxes_truth.append(entry)

    # beyond the page: the platen lid's white, the page edge's shadow
    yy = np.arange(H, dtype=np.float32)[:, None] + 0.5
    xx = np.arange(W, dtype=np.float32)[None, :] + 0.5
    for y0 in range(0, H, 512):
        ys = yy[y0:y0 + 512]
        uu, vv = frame.mm(xx, ys)
        d = np.minimum.reduce([uu, A4[0] - uu, vv, A4[1] - vv])
        lid = u(rng, 0.9, 0.93) if y0 == 0 else lid
        outside = np.clip(0.5 - d * ppm, 0, 1)
        shadow = 1 - 0.35 * np.exp(-np.clip(-d, 0, None) / 0.25) * (d < 0.6)
        blk = refl[y0:y0 + 512]
        blk *= (1 - outside)[..., None]
        blk += (outside * lid)[..., None]
        blk *= np.where(np.abs(d) < 0.6, shadow, 1)[..., None]

    del toner, fib
    holder = [refl]
    del refl
    img, cap = mfp.capture(rng, holder, k, dpi, ppm)
    out_name, dpi_in_file, cap2 = mfp.deliver(rng, img, dpi, outdir, stem)
    cap.update(cap2)
    for mname, (ox, oy, m) in masks:
        Image.fromarray(m).save(os.path.join(outdir, mname))
    for e in boxes_truth:
        if "mask" in e:
            e["mask_offset"] = [int(v) for v in dict(masks)[e["mask"]][:2]]
    truth = {"maker": "mfpscan", "seed": seed, "dpi": dpi, "dpi_in_file": dpi_in_file, "skew_deg": round(skew, 3),
             "file": out_name, "boxes": boxes_truth, "layout": L["name"], "firm": firm, "person": person,
             "line_mm": round(L["lw"], 3), "paper": {"white": [round(float(v), 4) for v in P], "tinted": tinted, "grain": round(grain_amp, 4)},
             "print": {"tint": round(tint, 3), "lpi": round(lpi, 1), "ghost": round(ghost_amp, 3), "toner_black": round(kblack, 3)},
             "mfp": cap}
    with open(os.path.join(outdir, stem + ".truth.json"), "w") as fh:
        json.dump(truth, fh, ensure_ascii=False, indent=1)


def spot_level(t):
    """The spot function's level that covers a share t of the cell (its values are about uniform
    in [0, 1] near the middle; a table found numerically)."""
    g = np.linspace(0, 1, 64, endpoint=False)
    a, b = np.meshgrid(g, g)
    s = np.sort((0.5 - 0.3 * np.cos(2 * math.pi * a) - 0.2 * np.cos(2 * math.pi * b)).ravel())
    return float(s[min(int(t * s.size), s.size - 1)])


def impress(rng, kind, defects, box, inner, offc, legf, frame, refl, toner, W, H, k, ppm, grain, sig_seed):
    """One impression (or signature) into `refl`; returns its truth and mask."""
    truth = {"defects": [], "borderline": []}
    bw, bh = inner[2] - inner[0], inner[3] - inner[1]
    centre = np.array([(inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2])
    tilt = u(rng, -2, 2)
    if kind != "signature" and "tilted" in defects:
        tilt = float(rng.choice([-1, 1]) * u(rng, 12, 28))
    if kind == "official_seal":
        fc = offc
    elif kind == "legal_rep_seal":
        fc = legf
    else:
        # the same hand and pen for a row's samples: the path from the row's seed, each box's own
        # size (± 6 %) and turn (± 2°)
        srng = np.random.default_rng(sig_seed)
        fc = signature_face(srng)
        pen_name = pick(srng, list(PENS))
        sc = u(rng, 0.94, 1.06)
        fc["polys"] = [p * sc for p in fc["polys"]]
    base_polys = fc["polys"]
    # extents of the turned face, to place it
    allp = np.vstack(turn(base_polys, tilt, (0, 0)))
    ext = (allp.min(0), allp.max(0))
    lo_off = inner[:2] - ext[0] + 0.8 - centre
    hi_off = inner[2:] - ext[1] - 0.8 - centre
    off = np.array([u(rng, -2, 2), u(rng, -2, 2)])
    off = np.where(lo_off <= hi_off, np.clip(off, lo_off, hi_off), (lo_off + hi_off) / 2)
    push = None
    under = None
    if "overlap_line" in defects:
        side = int(rng.integers(4)) if kind != "signature" else int(rng.choice([0, 2]))
        amt = u(rng, 1.2, 3.0)
        off = np.array([u(rng, -1.5, 1.5), u(rng, -1.5, 1.5)])
        if side == 0:
            off[0] = inner[0] - ext[0][0] - amt - centre[0]
        elif side == 2:
            off[0] = inner[2] - ext[1][0] + amt - centre[0]
        elif side == 1:
            off[1] = inner[1] - ext[0][1] - amt - centre[1]
        else:
            off[1] = inner[3] - ext[1][1] + amt - centre[1]
        push = round(amt, 2)
    if "text_under" in defects:
        word = pick(rng, [w for w in UNDER if rz.covers("pgothic", w)])
        size = u(rng, 3.8, 5.0)
        tx = centre[0] + u(rng, -0.2, 0.2) * bw
        ty = centre[1] + u(rng, -0.2, 0.2) * bh
        tp = [p for g in text_polys("pgothic", word, tx, ty + size * 0.38, size, "c", 0.0) for p in g]
        win = window_of(frame, tp, 0.4, W, H, k)
        x0, y0, w, h = win
        cv = ndimage.gaussian_filter(cover(frame, tp, win), 0.3 + 0.015 * ppm)
        kb = 0.055
        refl[y0:y0 + h, x0:x0 + w] *= (1 - cv * (1 - kb))[..., None]
        toner[y0:y0 + h, x0:x0 + w] = np.maximum(toner[y0:y0 + h, x0:x0 + w], cv)
        want = np.array([tx, ty]) - centre
        off = off + 0.75 * (want - off)
        under = word
    c0 = centre + off
    pressings = [(tilt, c0, 1.0)]
    dbl = None
    if "double" in defects:
        d = u(rng, 0.8, 2.5)
        a = u(rng, 0, 2 * math.pi)
        pressings.append((tilt + u(rng, -1.5, 1.5), c0 + d * np.array([math.cos(a), math.sin(a)]), u(rng, 0.5, 0.9)))
        dbl = round(d, 2)
    smear = None
    if "smudged" in defects:
        smear = (u(rng, 0.75, 1.35), u(rng, 0, 2 * math.pi), u(rng, 0.5, 0.65))
    allw = []
    for t, c, _ in pressings:
        allw += turn(base_polys, t, c)
    win = window_of(frame, allw, 2.5, W, H, k)
    x0, y0, w, h = win
    if w == 0 or h == 0:
        raise RuntimeError("impression outside the page")
    covs = []
    for t, c, ld in pressings:
        cv = cover(frame, turn(base_polys, t, c), win)
        if fc["cut"]:
            cv = np.clip(cv - cover(frame, turn(fc["cut"], t, c), win), 0, 1)
        covs.append((cv, ld))
    face_mask = np.maximum.reduce([cv for cv, _ in covs])
    # pressure: coverage × load × the pad's mottle × the rubber's squeeze to its edges × the hand's plane
    pres = np.zeros((h, w), np.float32)
    for cv, ld in covs:
        pres += cv * ld
    mott = 1 + u(rng, 0.05, 0.12) * smooth_noise(rng, h, w, max(2, int(u(rng, 0.8, 2.0) * ppm)))
    edge = np.clip(face_mask - ndimage.gaussian_filter(face_mask, 0.25 * ppm), 0, 1)
    pres = pres * mott * (1 + u(rng, 0.2, 0.35) * edge)
    yy, xx = np.mgrid[y0:y0 + h, x0:x0 + w].astype(np.float32) + 0.5
    uu, vv = frame.mm(xx, yy)
    pa = u(rng, 0, 2 * math.pi)
    pres *= 1 + u(rng, 0, 0.008) * ((uu - c0[0]) * math.cos(pa) + (vv - c0[1]) * math.sin(pa))
    mask_cov = face_mask.copy()
    if smear:
        L, a, stay = smear
        n = max(2, int(L * ppm * 2))
        acc = pres * stay
        wsum = 0.0
        trail = face_mask.copy()
        ws = np.linspace(1.0, 0.25, n)
        for i in range(1, n + 1):
            dx, dy = L * i / n * math.cos(a) * ppm, L * i / n * math.sin(a) * ppm
            sh = ndimage.shift(pres, (dy, dx), order=1, mode="constant")
            acc += (1 - stay) * ws[i - 1] * sh
            wsum += ws[i - 1]
            np.maximum(trail, ndimage.shift(face_mask, (dy, dx), order=1, mode="constant"), out=trail)
        pres = pres * stay + (acc - pres * stay) / wsum
        mask_cov = trail
        smear = round(L, 2)
    uncut_mask = mask_cov.copy()
    lost = None
    if "broken" in defects:
        a = u(rng, 0, 2 * math.pi)
        s = (uu - c0[0]) * math.cos(a) + (vv - c0[1]) * math.sin(a) + 0.3 * smooth_noise(rng, h, w, max(2, int(1.5 * ppm)))
        ink = mask_cov >= 0.5
        want = u(rng, 0.18, 0.31)
        fw = u(rng, 0.3, 0.7)
        q = float(np.quantile(s[ink], 1 - want))
        keep = np.clip((q - s) / fw + 0.5, 0, 1)
        pres *= keep
        mask_cov = mask_cov * (keep >= 0.5)
        lost = round(float((ink & (keep < 0.5)).sum() / max(ink.sum(), 1)), 3)
    # the paper's receptivity: its fibre network (the grain already laid in refl, read back)
    recept = -grain[0] * grain[1][y0:y0 + h, x0:x0 + w]
    pres = pres * (1 + u(rng, 8.0, 20.0) * recept)
    voids = smooth_noise(rng, h, w, max(1, int(0.15 * ppm)))
    pres = pres * np.where(voids < -2.3, 0.2, 1.0)
    # ink colour and strength
    off_c = None
    if kind == "signature":
        rho = np.array(PENS[pen_name], np.float32)
        target = u(rng, 0.2, 0.55) if "pale" in defects else u(rng, 0.9, 0.97)
        hue = None
    else:
        if "off_color" in defects:
            off_c = pick(rng, ["orange", "purple"])
        rho, hue = seal_colour(rng, off_c)
        rho = np.array(rho, np.float32)
        target = u(rng, 0.2, 0.62) if "pale" in defects else u(rng, 0.93, 0.975)
    amax = target / (1 - float(rho.min()))
    if amax > 0.999:
        amax = 0.999
        target = amax * (1 - float(rho.min()))
    load = load_for(amax)
    a_map = dot_area(pres * load)
    sub = refl[y0:y0 + h, x0:x0 + w]
    sub *= (1 - a_map[..., None] * (1 - rho[None, None, :]))
    # truth: overlap_line from the drawn ink against the inner edge of the box's rules
    def reach(mc):
        ink = mc >= 0.5
        if not ink.any():
            return -99.0
        d = np.maximum.reduce([inner[0] - uu, uu - inner[2], inner[1] - vv, vv - inner[3]])
        return float(d[ink].max())
    rch = reach(mask_cov)
    labels = [d for d in defects if d not in ("overlap_line",)]
    border = []
    if rch > 0.3:
        labels.append("overlap_line")
    elif rch >= -0.3:
        border.append("overlap_line")
    elif lost is not None and reach(uncut_mask) >= -0.3:
        border.append("overlap_line")
    if "tilted" in labels and kind == "signature":
        labels.remove("tilted")
    order = ["pale", "broken", "double", "smudged", "overlap_line", "tilted", "bg_not_white", "text_under", "off_color"]
    truth["defects"] = [d for d in order if d in labels]
    truth["borderline"] = border
    truth["box_centre_px"] = [round(float(v), 1) for v in frame.px(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)) / k - 0.5]
    if kind == "official_seal":
        truth["diameter_mm"] = fc["diameter_mm"]
    elif kind == "legal_rep_seal":
        truth["size_mm"] = fc["size_mm"]
        truth["yin"] = fc["yin"]
    else:
        truth["pen"] = pen_name
        truth["pen_mm"] = fc["pen_mm"]
    truth["absorbed"] = round(float(target), 3)
    if hue is not None:
        truth["hue_deg"] = round(float(hue), 1)
    truth["tilt_deg"] = round(float(tilt), 2) if kind != "signature" else 0.0
    truth["reach_mm"] = round(rch, 2)
    if push is not None:
        truth["push_mm"] = push
    if dbl is not None:
        truth["double_offset_mm"] = dbl
    if smear is not None:
        truth["smear_mm"] = smear
    if lost is not None:
        truth["lost"] = lost
    if under:
        truth["under"] = under
    # the mask in delivered pixels: k × k area means of the coverage, ≥ 0.5
    mc = mask_cov.reshape(h // k, k, w // k, k).mean(axis=(1, 3))
    m = mc >= 0.5
    ys_, xs_ = np.nonzero(m)
    if len(ys_) == 0:
        m = mc >= mc.max() * 0.5
        ys_, xs_ = np.nonzero(m)
    my0, my1, mx0, mx1 = ys_.min(), ys_.max() + 1, xs_.min(), xs_.max() + 1
    crop = (m[my0:my1, mx0:mx1] * 255).astype(np.uint8)
    return {"truth": truth, "mask": (x0 // k + mx0, y0 // k + my0, crop)}


if __name__ == "__main__":
    main()
