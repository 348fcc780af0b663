#!/usr/bin/python3
"""Maker AC (issue 76): one seal collection sheet drawn by Skia (skia-python's CPU raster
backend: anti-aliased path fills of Fandol Song / Kai / Fang / Hei glyph outlines, rings,
frames and strokes), printed by a magnetographic printer, on a Poisson shot-noise floc paper,
stamped with a Ruckdeschel-Hauser halo ink, carried on a mail room's conveyor under a
three-CCD (prism) colour line-scan camera, archived through Skia's JPEG / PNG encoders or the
line's own baseline TIFF writer.

    make_sheet.py SEED OUTDIR INDEX      (SEAL_SHEET_DPI forces the resolution)
"""
import json
import math
import os
import struct
import sys
import zlib

import numpy as np
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "target", "seal-makers", "py"))
import skia  # noqa: E402

FONT_DIRS = [os.path.join(ROOT, "target", "seal-makers", "fandol"),
             "/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"]


def font_file(name):
    for d in FONT_DIRS:
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    raise SystemExit("linescan: %s missing (bash scripts/deps.sh seal-makers)" % name)


TF = {}


def typeface(key):
    if key not in TF:
        names = {"song": "FandolSong-Bold.otf", "songr": "FandolSong-Regular.otf", "kai": "FandolKai-Regular.otf",
                 "fang": "FandolFang-Regular.otf", "hei": "FandolHei-Regular.otf"}
        TF[key] = skia.Typeface.MakeFromFile(font_file(names[key]))
    return TF[key]


GLYPHS = {}


def glyph_path(key, ch):
    k = (key, ch)
    if k not in GLYPHS:
        f = skia.Font(typeface(key), 100)
        g = f.textToGlyphs(ch)
        p = f.getPath(g[0]) if len(g) else None
        GLYPHS[k] = p if p is not None else skia.Path()
    return GLYPHS[k]


def placed(path, x, y, w, h, rot=0.0, shear=0.0, tight=True):
    """The glyph's tight bounds stretched to w x h, centred on (x, y), turned by rot degrees."""
    b = path.computeTightBounds()
    bw, bh = max(b.width(), 1e-3), max(b.height(), 1e-3)
    m = skia.Matrix()
    m.setTranslate(x, y)
    m.preRotate(rot)
    if shear:
        m.preSkew(-math.tan(math.radians(shear)), 0)
    m.preScale(w / bw, h / bh)
    m.preTranslate(-(b.left() + b.right()) / 2, -(b.top() + b.bottom()) / 2)
    q = skia.Path(path)
    q.transform(m)
    return q


# ----------------------------------------------------------------------------------------
# words

FIRMS = ["北京华信科技", "内蒙古安达网络", "广州市海天电子", "上海中联数据", "深圳鹏程信息", "杭州西湖软件",
         "呼和浩特市金桥建设", "辽宁东方物流", "南京金陵电子", "成都天府网络", "武汉长江数据", "西安秦川信息",
         "郑州中原科技", "长沙湘江电子", "天津滨海物流", "包头市北方建设", "鄂尔多斯市恒达", "沈阳北方信息"]
SUFFIX = ["有限公司", "有限责任公司", "股份有限公司", "科技有限公司"]
USES = ["合同专用章", "财务专用章", "业务专用章", "发票专用章"]
SURN = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力成志林东海荣新德志宏"
UNDER = ["（盖章）", "签章处", "年  月  日", "单位盖章", "样本", "盖章处"]


def name(rng):
    n = 2 if rng.random() < 0.55 else 3
    return SURN[rng.integers(len(SURN))] + "".join(GIVEN[rng.integers(len(GIVEN))] for _ in range(n - 1))


# ----------------------------------------------------------------------------------------
# colour

def srgb_to_lin(c):
    c = np.asarray(c, dtype=np.float64)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lin_to_srgb(c):
    c = np.clip(np.asarray(c, dtype=np.float64), 0, 1)
    return np.where(c <= 0.0031308, c * 12.92, 1.055 * c ** (1 / 2.4) - 0.055)


def hue_of(rgb):
    r, g, b = [float(v) for v in rgb]
    mx, mn = max(r, g, b), min(r, g, b)
    if mx - mn < 1e-6:
        return 0.0
    if mx == r:
        h = 60 * (((g - b) / (mx - mn)) % 6)
    elif mx == g:
        h = 60 * ((b - r) / (mx - mn) + 2)
    else:
        h = 60 * ((r - g) / (mx - mn) + 4)
    return h - 360 if h > 180 else h


def hsv_rgb(h, s, v):
    h = h % 360
    c = v * s
    x = c * (1 - abs((h / 60) % 2 - 1))
    m = v - c
    seg = int(h // 60)
    r, g, b = [(c, x, 0), (x, c, 0), (0, c, x), (0, x, c), (x, 0, c), (c, 0, x)][seg]
    return np.array([r + m, g + m, b + m])


def ink_density(rng, kind, off):
    """A one-pass density per channel (double pass over paper gives the ink's colour) and its hue."""
    for _ in range(200):
        if off == "orange":
            h = rng.uniform(25, 36)
        elif off == "violet":
            h = -rng.uniform(27, 55)
        elif off == "blue":
            h = -rng.uniform(115, 140)
        else:
            h = rng.uniform(-4.5, 4.5)
        col = hsv_rgb(h, rng.uniform(0.86, 0.97), rng.uniform(0.8, 0.93))
        lin = np.clip(srgb_to_lin(col), 1e-4, 1)
        d = -np.log10(lin) / 2
        # the hue read back at several strengths, scaled to a strongest density of 1 and as thin layers
        hs = []
        for k in (0.15, 0.4, 1.0, 1.0 / (2 * d.max())):
            hs.append(hue_of(lin_to_srgb(10 ** (-2 * d * k))))
        if off is None and max(abs(x) for x in hs) <= 7.0:
            return d, hs[2]
        if off is not None and min(abs(x) for x in hs) >= 19.0:
            return d, hs[2]
    return d, hs[2]


def pen_density(rng):
    kind = rng.choice(["blue", "black", "blueblack"], p=[0.45, 0.35, 0.2])
    col = {"blue": (0.12, 0.2, 0.62), "black": (0.1, 0.1, 0.12), "blueblack": (0.1, 0.13, 0.3)}[kind]
    col = np.clip(np.array(col) + rng.normal(0, 0.02, 3), 0.03, 0.9)
    lin = srgb_to_lin(col)
    return -np.log10(lin) / 2, str(kind)


def strength_for(d, absorbed):
    """k so that over white the strongest channel absorbs `absorbed` (double pass: 10^(-2 k d))."""
    return -math.log10(1 - absorbed) / (2 * d.max())


# ----------------------------------------------------------------------------------------
# smooth noise on a coarse grid, interpolated

def smooth_noise(rng, shape, cell_px):
    # a generator of its own, so that the sheet's other draws do not depend on the grid's size (the resolution)
    sub = np.random.default_rng(int(rng.integers(1 << 62)))
    gh, gw = max(2, int(shape[0] / cell_px) + 3), max(2, int(shape[1] / cell_px) + 3)
    g = ndimage.gaussian_filter(sub.standard_normal((gh, gw)), 1.0)
    g /= g.std() + 1e-9
    yy = np.linspace(1, gh - 2, shape[0])
    xx = np.linspace(1, gw - 2, shape[1])
    return ndimage.map_coordinates(g, np.meshgrid(yy, xx, indexing="ij"), order=1).astype(np.float32)


# ----------------------------------------------------------------------------------------
# Skia drawing into coverage arrays

class Cov:
    """A transparent Skia raster surface over a page region; draws in page millimetres."""

    def __init__(self, x0_mm, y0_mm, w_mm, h_mm, ppm):
        self.ppm = ppm
        self.ox = int(math.floor(x0_mm * ppm))
        self.oy = int(math.floor(y0_mm * ppm))
        self.w = int(math.ceil(w_mm * ppm)) + 2
        self.h = int(math.ceil(h_mm * ppm)) + 2
        self.surface = skia.Surface(self.w, self.h)
        self.canvas = self.surface.getCanvas()
        self.canvas.clear(skia.ColorTRANSPARENT)
        self.canvas.translate(-self.ox, -self.oy)
        self.canvas.scale(ppm, ppm)

    def array(self):
        a = self.surface.makeImageSnapshot().toarray()
        return a[..., 3].astype(np.float32) / 255.0


def fill_paint(stroke=0.0):
    p = skia.Paint(AntiAlias=True, Color=skia.ColorBLACK)
    if stroke > 0:
        p.setStyle(skia.Paint.kStrokeAndFill_Style)
        p.setStrokeWidth(stroke)
        p.setStrokeJoin(skia.Paint.kRound_Join)
    return p


def stroke_paint(w, cap=True):
    p = skia.Paint(AntiAlias=True, Color=skia.ColorBLACK, Style=skia.Paint.kStroke_Style, StrokeWidth=w)
    if cap:
        p.setStrokeCap(skia.Paint.kRound_Cap)
        p.setStrokeJoin(skia.Paint.kRound_Join)
    return p


def draw_official(canvas, sp, cx, cy, rot):
    """公章: ring, star, the firm's name on the upper arc, a use, a code on the lower arc."""
    R = sp["d"] / 2
    canvas.save()
    canvas.translate(cx, cy)
    canvas.rotate(rot)
    ring = skia.Path()
    ring.setFillType(skia.PathFillType.kEvenOdd)
    ring.addCircle(0, 0, R)
    ring.addCircle(0, 0, R - sp["ring"])
    canvas.drawPath(ring, fill_paint())
    if sp["inner"]:
        canvas.drawCircle(0, 0, R - sp["ring"] - 0.9, stroke_paint(0.25, cap=False))
    rs = sp["star"] * R
    star = skia.Path()
    for i in range(10):
        a = math.radians(-90 + 36 * i)
        r = rs if i % 2 == 0 else rs * 0.382
        (star.moveTo if i == 0 else star.lineTo)(r * math.cos(a), r * math.sin(a))
    star.close()
    canvas.drawPath(star, fill_paint())
    text = sp["firm"]
    n = len(text)
    # a use line under the star leaves the arc's lower ends free: the name keeps to 220 degrees then
    span = min(sp["span"], 220.0) if sp["use"] else sp["span"]
    h = sp["ch"] * sp["d"]
    rb = R - sp["ring"] - 0.7 - h
    step = span / max(n - 1, 1)
    cw = min(2 * math.pi * (rb + 0.15 * h) * step / 360 * 0.9, h * sp["sq"])
    bold = fill_paint(sp["bold"])
    for i, ch in enumerate(text):
        a = -span / 2 + i * step
        canvas.save()
        canvas.rotate(a)
        canvas.drawPath(placed(glyph_path(sp["face"], ch), 0, -(rb + h / 2), cw, h), bold)
        canvas.restore()
    if sp["use"]:
        uh = 0.1 * sp["d"]
        uw = min(0.5 * sp["d"] / len(sp["use"]), uh * 0.95)
        y = rs + 0.35 * uh + uh / 2 + 1.0
        for i, ch in enumerate(sp["use"]):
            x = (i - (len(sp["use"]) - 1) / 2) * uw * 1.08
            canvas.drawPath(placed(glyph_path(sp["face"], ch), x, y, uw * 0.92, uh), bold)
    if sp["code"]:
        dh = 0.055 * sp["d"]
        rb2 = R - sp["ring"] - 0.6 - dh
        sp2 = 68.0
        st = sp2 / 12
        for i, ch in enumerate(sp["code"]):
            a = 180 + sp2 / 2 - i * st
            canvas.save()
            canvas.rotate(a - 180)
            canvas.drawPath(placed(glyph_path("hei", ch), 0, rb2 + dh / 2, dh * 0.5, dh), fill_paint(0.05))
            canvas.restore()
    canvas.restore()


def draw_legal(canvas, sp, cx, cy, rot):
    """法人章: a square or rectangular frame, name + 之印 / 印 in right-to-left columns, 朱文 or 阴文."""
    w, h = sp["w"], sp["h"]
    canvas.save()
    canvas.translate(cx, cy)
    canvas.rotate(rot)
    fw = sp["frame"]
    cells = sp["cells"]
    chars = skia.Path()
    for (ch, x, y, cw, chh) in cells:
        g = placed(glyph_path(sp["face"], ch), x, y, cw, chh)
        chars.addPath(g)
    if sp["yin"]:
        face = skia.Path()
        face.addRect(skia.Rect.MakeLTRB(-w / 2, -h / 2, w / 2, h / 2))
        fat = skia.Path()
        # the characters cut into the field, thickened a little by the carver
        stroker = skia.Paint(AntiAlias=True, Style=skia.Paint.kStrokeAndFill_Style, StrokeWidth=sp["bold"])
        ok = stroker.getFillPath(chars, fat)
        cut = skia.Op(face, fat if ok else chars, skia.PathOp.kDifference_PathOp)
        canvas.drawPath(cut, fill_paint())
    else:
        frame = skia.Path()
        frame.setFillType(skia.PathFillType.kEvenOdd)
        frame.addRect(skia.Rect.MakeLTRB(-w / 2, -h / 2, w / 2, h / 2))
        frame.addRect(skia.Rect.MakeLTRB(-w / 2 + fw, -h / 2 + fw, w / 2 - fw, h / 2 - fw))
        canvas.drawPath(frame, fill_paint())
        canvas.drawPath(chars, fill_paint(sp["bold"]))
    canvas.restore()


def legal_cells(rng, sp):
    nm = sp["name"]
    w, h = sp["w"], sp["h"]
    inner_w = w - 2 * sp["frame"] - 2 * sp["pad"]
    inner_h = h - 2 * sp["frame"] - 2 * sp["pad"]
    cells = []
    if len(nm) == 2:
        t = nm + ("之印" if rng.random() < 0.6 else "印信")
        order = [(1, 0), (1, 1), (0, 0), (0, 1)]  # right column first, top to bottom
        cw, ch = inner_w / 2, inner_h / 2
        for c, (col, row) in zip(t, order):
            x = -inner_w / 2 + (col + 0.5) * cw
            y = -inner_h / 2 + (row + 0.5) * ch
            cells.append((c, x, y, cw * 0.88, ch * 0.88))
    else:
        t = nm + "印"
        cw, ch = inner_w / 2, inner_h / 2
        pos = [(1, 0, 1), (1, 1, 1), (0, 0, 1), (0, 1, 1)]
        for c, (col, row, _) in zip(t, pos):
            x = -inner_w / 2 + (col + 0.5) * cw
            y = -inner_h / 2 + (row + 0.5) * ch
            cells.append((c, x, y, cw * 0.88, ch * 0.88))
    return cells


def draw_signature(canvas, sp, cx, cy):
    """A name in Fandol Kai outlines, each character slanted, scaled and shifted as a hand would, a
    connecting stroke and a closing flourish, the outlines roughened by Skia's discrete path effect."""
    p = fill_paint(sp["pen"])
    p.setPathEffect(skia.DiscretePathEffect.Make(0.9, 0.05, sp["seedfx"]))
    x = cx - sp["width"] / 2
    last = None
    for i, (ch, sc, dy, rot) in enumerate(sp["chars"]):
        cw = sp["cw"] * sc
        chh = sp["chh"] * sc
        g = placed(glyph_path("kai", ch), x + cw / 2, cy + dy, cw, chh, rot=rot, shear=sp["slant"])
        canvas.drawPath(g, p)
        if last is not None and sp["join"]:
            s = skia.Path()
            s.moveTo(last[0], last[1])
            s.cubicTo(last[0] + 1.5, last[1] + 2.0, x - 1.0, cy + dy - 1.0, x + cw * 0.2, cy + dy - chh * 0.2)
            canvas.drawPath(s, stroke_paint(sp["pen"] * 1.3))
        last = (x + cw * 0.8, cy + dy + chh * 0.3)
        x += cw * sp["gap"]
    f = sp["flourish"]
    s = skia.Path()
    s.moveTo(last[0], last[1])
    s.cubicTo(last[0] + f[0], last[1] + f[1], last[0] + f[2], last[1] + f[3], last[0] + f[4], last[1] + f[5])
    canvas.drawPath(s, stroke_paint(sp["pen"] * 1.6))


# ----------------------------------------------------------------------------------------
# the sheet


def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng(np.random.PCG64(seed))
    stem = "%03d" % index

    dpi = int(rng.choice([150, 200, 300, 400, 600], p=[0.12, 0.14, 0.5, 0.12, 0.12]))
    if os.environ.get("SEAL_SHEET_DPI"):
        dpi = int(os.environ["SEAL_SHEET_DPI"])
    f = 2 if dpi <= 300 else 1
    rdpi = dpi * f
    ppm = rdpi / 25.4
    PW, PH = 210.0, 297.0
    W, H = int(round(PW * ppm)), int(round(PH * ppm))

    # ---- layout (附件3: 公章及法人签字、签章采集表)
    title = ["公章及法人签字、签章采集表", "印模采集表", "电子签章印模采集表", "数字证书印章及签字采集表"][rng.integers(4)]
    tw = rng.uniform(168, 178)
    tx0 = (PW - tw) / 2 + rng.uniform(-2, 2)
    lab = rng.uniform(13, 17)
    lw = rng.uniform(0.2, 0.5)
    outer = lw * rng.uniform(1.5, 2.0) if rng.random() < 0.4 else lw
    strip = rng.uniform(6, 7.5)
    grey = rng.uniform(0.1, 0.2) if rng.random() < 0.4 else 0.0
    rows_kind = ["official_seal", "legal_rep_seal", "signature"]
    if rng.random() < 0.5:
        rows_kind.append("signature")
    heights = {"official_seal": rng.uniform(54, 60), "legal_rep_seal": rng.uniform(36, 42), "signature": rng.uniform(31, 35)}
    ncols = {"official_seal": 3, "legal_rep_seal": 3 if rng.random() < 0.7 else 4, "signature": 3}
    caps = {"official_seal": "单位公章", "legal_rep_seal": "法人章", "signature": "法定代表人签字"}
    ty0 = rng.uniform(52, 60)
    firm = FIRMS[rng.integers(len(FIRMS))] + SUFFIX[rng.integers(len(SUFFIX))]
    legal_name = name(rng)
    signer2 = name(rng)

    # horizontal rules and rows
    y = ty0
    rows = []
    for ri, kind in enumerate(rows_kind):
        sy0 = y
        y += strip
        bh = heights[kind]
        rows.append({"kind": kind, "strip": (sy0, y), "box": (y, y + bh), "n": ncols[kind],
                     "cap": caps[kind] if not (kind == "signature" and ri == 4 - 1 and len(rows_kind) == 4) else "经办人签字"})
        y += bh
    ty1 = y
    # line widths per rule: the outer frame heavier
    boxes = []
    for ri, r in enumerate(rows):
        n = r["n"]
        bw = (tw - lab) / n
        for ci in range(n):
            xl = tx0 + lab + ci * bw
            xr = xl + bw
            lwl = lw
            lwr = outer if ci == n - 1 else lw
            yt, yb = r["box"]
            lwb = outer if ri == len(rows) - 1 else lw
            boxes.append({"row": ri, "col": ci, "kind": r["kind"],
                          "inner": (xl + lwl / 2, yt + lw / 2, xr - lwr / 2, yb - lwb / 2),
                          "centre": ((xl + xr) / 2, (yt + yb) / 2)})

    # ---- per box plans (decided before drawing)
    sheet_tint = None
    if rng.random() < 0.045:
        hue = rng.choice(["buff", "pink", "blue", "green", "yellow", "lilac"])
        strong = rng.random() < 0.4
        base = {"buff": (0.03, 0.07, 0.17), "pink": (0.0, 0.09, 0.05), "blue": (0.08, 0.03, 0.0),
                "green": (0.07, 0.0, 0.06), "yellow": (0.0, 0.01, 0.16), "lilac": (0.04, 0.08, 0.0)}[hue]
        sc = rng.uniform(1.5, 2.2) if strong else rng.uniform(0.8, 1.1)
        sheet_tint = (str(hue), np.array(base) * sc)
    seal = {"official_seal": None, "legal_rep_seal": None}
    R = rng.uniform(38.5, 44.5)
    seal["official_seal"] = {"d": R, "ring": rng.uniform(0.9, 1.5), "inner": rng.random() < 0.15,
                             "star": rng.uniform(0.28, 0.33), "span": rng.uniform(205, 250),
                             "ch": rng.uniform(0.15, 0.18), "sq": rng.uniform(0.62, 0.8),
                             "firm": firm, "use": USES[rng.integers(4)] if rng.random() < 0.35 else "",
                             "code": "".join(str(rng.integers(10)) for _ in range(13)) if rng.random() < 0.45 else "",
                             "face": "song" if rng.random() < 0.6 else "fang", "bold": rng.uniform(0.08, 0.2)}
    shape = rng.choice(["square", "tall", "wide"], p=[0.55, 0.25, 0.2])
    if shape == "square":
        lw_, lh_ = [rng.uniform(15.5, 21.5)] * 2
    else:
        a = rng.uniform(17.5, 22.5)
        b = a / rng.uniform(1.25, 1.5)
        lw_, lh_ = (b, a) if shape == "tall" else (a, b)
    seal["legal_rep_seal"] = {"w": lw_, "h": lh_, "frame": rng.uniform(0.6, 1.1), "pad": rng.uniform(0.4, 0.8),
                              "yin": rng.random() < 0.25, "name": legal_name, "bold": rng.uniform(0.06, 0.16),
                              "face": ["song", "fang", "hei"][rng.integers(3)]}
    seal["legal_rep_seal"]["cells"] = legal_cells(rng, seal["legal_rep_seal"])
    seal_d = {k: ink_density(rng, k, None) for k in ("official_seal", "legal_rep_seal")}
    pen_d, pen_kind = pen_density(rng)

    PRIMARY = ["double", "smudged", "broken", "pale", "off_color", "tilted", "overlap_line", "bg_not_white", "text_under"]
    PW_ = np.array([13, 17, 17, 10, 11, 13, 11, 7, 11], dtype=float)
    PW_ /= PW_.sum()
    for b in boxes:
        d = set()
        if rng.random() < 0.08:
            b["empty"] = True
            if rng.random() < 0.1:
                d.add("bg_not_white")
        else:
            b["empty"] = False
            if b["kind"] != "signature":
                if rng.random() < 0.58:
                    d.add(str(rng.choice(PRIMARY, p=PW_)))
                    if rng.random() < 0.2:
                        d.add(str(rng.choice(["tilted", "bg_not_white", "text_under", "overlap_line", "double", "pale"])))
                if "double" in d and ("smudged" in d or "broken" in d):
                    d.discard("double")
                if "pale" in d and "off_color" in d:
                    d.discard("off_color")
            else:
                u = rng.random()
                if u < 0.12:
                    d.add("overlap_line")
                elif u < 0.18:
                    d.add("pale")
                elif u < 0.21:
                    d.add("bg_not_white")
        b["plan"] = d

    # ---- the form's coverage (Skia), with print under the seals
    form = Cov(0, 0, PW, PH, ppm)
    cv = form.canvas
    black = fill_paint()
    hei, song, fang = typeface("hei"), typeface("song"), typeface("fang")

    def text(s, x, y, size, tf, centre=False):
        ft = skia.Font(tf, size)
        if centre:
            x -= ft.measureText(s) / 2
        cv.drawString(s, x, y, ft, black)

    text("附件3", tx0, 20, 4.2, hei)
    text(title, PW / 2, 31, rng.uniform(6.5, 7.8), song, centre=True)
    text("单位名称（全称）：", tx0, 42, 3.9, fang)
    cv.drawLine(tx0 + 36, 43, tx0 + tw - 40, 43, stroke_paint(0.2, cap=False))
    text("统一社会信用代码：", tx0, 49.5, 3.9, fang)
    cv.drawLine(tx0 + 36, 50.5, tx0 + tw - 40, 50.5, stroke_paint(0.2, cap=False))
    # grey strips (tint) drawn as a grey fill: dithered by the printer's write grid later
    tint_cov = Cov(0, 0, PW, PH, ppm)
    for r in rows:
        if grey > 0:
            tint_cov.canvas.drawRect(skia.Rect.MakeLTRB(tx0, r["strip"][0], tx0 + tw, r["strip"][1]), black)
    # rules
    sp_lw = stroke_paint(lw, cap=False)
    sp_out = stroke_paint(outer, cap=False)
    cv.drawRect(skia.Rect.MakeLTRB(tx0, ty0, tx0 + tw, ty1), sp_out)
    for ri, r in enumerate(rows):
        for yy in (r["strip"][1], r["box"][1]) if ri < len(rows) - 1 else (r["strip"][1],):
            cv.drawLine(tx0, yy, tx0 + tw, yy, sp_lw)
        cv.drawLine(tx0 + lab, r["strip"][0], tx0 + lab, r["box"][1], sp_lw)
        n = r["n"]
        bw = (tw - lab) / n
        for ci in range(1, n):
            cv.drawLine(tx0 + lab + ci * bw, r["strip"][0], tx0 + lab + ci * bw, r["box"][1], sp_lw)
        for ci in range(n):
            lbl = {"official_seal": "公章印模", "legal_rep_seal": "法人章印模", "signature": "签字样本"}[r["kind"]]
            text("%s%s" % (lbl, "一二三四"[ci]), tx0 + lab + (ci + 0.5) * bw, r["strip"][1] - 1.8, 3.6, fang, centre=True)
        # the row's caption set vertically in the label column
        cap = r["cap"]
        ys = (r["strip"][0] + r["box"][1]) / 2 - (len(cap) - 1) * 2.5
        for i, ch in enumerate(cap):
            text(ch, tx0 + lab / 2, ys + i * 5.0 + 1.6, 4.0, hei, centre=True)
    text("说明：1. 请在方框内加盖清晰、完整的印章，不歪、不变形、不压线，印迹为正红色。", tx0, ty1 + 7, 3.5, fang)
    text("2. 签字须由本人亲笔书写，字迹清晰，不得涂改。3. 本表须用白色纸张打印。", tx0, ty1 + 12.5, 3.5, fang)
    text("经办人：                联系电话：                日期：    年   月   日", tx0, ty1 + 22, 3.8, fang)

    # ---- impression placement (page mm) and print under the seal
    for b in boxes:
        xl, yt, xr, yb = b["inner"]
        cx, cy = b["centre"]
        b["pos"] = (cx + rng.uniform(-1.5, 1.5), cy + rng.uniform(-1.5, 1.5))
        if b["kind"] == "official_seal":
            b["half"] = (seal["official_seal"]["d"] / 2,) * 2
        elif b["kind"] == "legal_rep_seal":
            b["half"] = (seal["legal_rep_seal"]["w"] / 2, seal["legal_rep_seal"]["h"] / 2)
        if "text_under" in b["plan"] and not b["empty"]:
            s = UNDER[rng.integers(len(UNDER))]
            size = rng.uniform(3.8, 5.0)
            ft = skia.Font(fang if rng.random() < 0.5 else hei, size)
            wdt = ft.measureText(s)
            hx = b["half"][0] if b["kind"] != "signature" else 8
            wdt = min(wdt, 1.6 * hx)
            x = b["pos"][0] - wdt / 2 + rng.uniform(-0.15, 0.15) * hx
            yb_ = b["pos"][1] + rng.uniform(-0.3, 0.45) * (b["half"][1] if b["kind"] != "signature" else 5) + size / 2
            cv.drawString(s, x, yb_, ft, black)

    form_c = form.array()[:H, :W]
    form = None
    tint_c = tint_cov.array()[:H, :W] * grey
    tint_cov = None

    # ---- magnetographic print: a 480-dpi head array writes the magnetic image, toner dots develop it
    hp = 25.4 / 480.0
    gw, gh = int(PW / hp), int(PH / hp)
    # area sample the form's coverage onto the head grid
    yy = (np.arange(gh) + 0.5) * hp * ppm - 0.5
    xx = (np.arange(gw) + 0.5) * hp * ppm - 0.5
    zoom_y, zoom_x = gh / H, gw / W
    sm = ndimage.gaussian_filter(form_c, 0.35 / max(zoom_x, 1e-6) * 0.5) if zoom_x < 1 else form_c
    grid = ndimage.map_coordinates(sm, np.meshgrid(yy, xx, indexing="ij"), order=1)
    tint_g = ndimage.map_coordinates(tint_c, np.meshgrid(yy, xx, indexing="ij"), order=0)
    bayer = np.array([[0, 32, 8, 40, 2, 34, 10, 42], [48, 16, 56, 24, 50, 18, 58, 26], [12, 44, 4, 36, 14, 46, 6, 38],
                      [60, 28, 52, 20, 62, 30, 54, 22], [3, 35, 11, 43, 1, 33, 9, 41], [51, 19, 59, 27, 49, 17, 57, 25],
                      [15, 47, 7, 39, 13, 45, 5, 37], [63, 31, 55, 23, 61, 29, 53, 21]]) / 64.0 + 1 / 128
    thr = np.tile(bayer, (gh // 8 + 1, gw // 8 + 1))[:gh, :gw]
    dots = (grid > 0.45) | (tint_g > thr)
    dead = []
    if rng.random() < 0.4:
        for _ in range(rng.integers(1, 3)):
            c0 = int(rng.integers(gw))
            dots[:, c0] = False
            dead.append(c0)
    fog = rng.random((gh, gw)) < rng.uniform(2e-6, 1.2e-5)
    dots = dots | fog
    # back to the render grid: each dot a toner pile, tailing along the process direction (down the page)
    yi = np.clip(((np.arange(H) + 0.5) / ppm / hp).astype(int), 0, gh - 1)
    xi = np.clip(((np.arange(W) + 0.5) / ppm / hp).astype(int), 0, gw - 1)
    toner = dots[yi][:, xi].astype(np.float32)
    dots = grid = tint_g = thr = None
    sig = rng.uniform(0.018, 0.03) * ppm
    toner = ndimage.gaussian_filter(toner, sig)
    tail = rng.uniform(0.025, 0.06) * ppm
    n_t = max(2, int(3 * tail))
    ker = np.exp(-np.arange(n_t) / max(tail, 0.5))
    ker /= ker.sum()
    toner = ndimage.convolve1d(toner, ker, axis=0, origin=-(n_t // 2))
    toner = np.clip(toner * rng.uniform(1.25, 1.45), 0, 1)
    toner_r = np.array([rng.uniform(0.055, 0.08), rng.uniform(0.05, 0.07), rng.uniform(0.045, 0.065)], np.float32)

    # ---- paper: a Poisson shot-noise floc field on a 0.1 mm grid, fine grain, tint and stains
    pg = 0.1
    ph, pw = int(PH / pg) + 2, int(PW / pg) + 2
    field = np.zeros((ph, pw), np.float32)
    for scale, dens, amp in ((rng.uniform(0.35, 0.6), 1.2, 1.0), (rng.uniform(1.2, 2.2), 0.12, 1.6)):
        imp = rng.poisson(dens * pg * pg, (ph, pw)).astype(np.float32) * rng.exponential(1.0, (ph, pw)).astype(np.float32)
        md = rng.uniform(1.3, 2.0)
        s_ = (scale * md / pg, scale / pg)
        field += amp * ndimage.gaussian_filter(imp, s_) * (scale / pg) ** 2
    field -= field.mean()
    field /= field.std() + 1e-9
    grain = rng.uniform(0.006, 0.014)
    w0 = rng.uniform(0.86, 0.9)
    white = np.array([w0 + rng.uniform(-0.006, 0.004), w0 + rng.uniform(-0.003, 0.005), w0 + rng.uniform(-0.002, 0.012)],
                     np.float32)
    yy = (np.arange(H) + 0.5) / ppm / pg
    xx = (np.arange(W) + 0.5) / ppm / pg
    paperv = ndimage.map_coordinates(field, np.meshgrid(yy, xx, indexing="ij"), order=1)
    paperv = 1 + grain * paperv
    field = None
    img = np.empty((H, W, 3), np.float32)
    for c in range(3):
        img[..., c] = paperv * white[c]
    paperv = None
    if sheet_tint is not None:
        img *= (10 ** (-sheet_tint[1])).astype(np.float32)
    # stains in the planned boxes
    for b in boxes:
        if "bg_not_white" in b["plan"] and sheet_tint is None:
            xl, yt, xr, yb = b["inner"]
            x0, y0 = int((xl + 2) * ppm), int((yt + 2) * ppm)
            x1, y1 = int((xr - 2) * ppm), int((yb - 2) * ppm)
            hh, ww = y1 - y0, x1 - x0
            cyy, cxx = rng.uniform(0.3, 0.7) * hh, rng.uniform(0.3, 0.7) * ww
            ay, ax = rng.uniform(0.3, 0.5) * hh, rng.uniform(0.3, 0.5) * ww
            Y, X = np.mgrid[0:hh, 0:ww].astype(np.float32)
            rr = np.sqrt(((Y - cyy) / ay) ** 2 + ((X - cxx) / ax) ** 2)
            rr += 0.18 * smooth_noise(rng, (hh, ww), 3 * ppm)
            # faded out over 3 mm towards the rules' 2 mm margin: no straight edge
            edge = np.minimum(np.minimum(Y, hh - 1 - Y), np.minimum(X, ww - 1 - X)) / (3 * ppm)
            inside = np.clip((1 - rr) * 6, 0, 1) * np.clip(edge, 0, 1)
            rim = np.exp(-((rr - 0.97) / 0.05) ** 2) * rng.uniform(0.4, 0.8) * np.clip(edge, 0, 1)
            kind = rng.choice(["tea", "rust", "coffee", "grey"])
            dvec = {"tea": (0.06, 0.13, 0.3), "rust": (0.05, 0.16, 0.28), "coffee": (0.12, 0.18, 0.26),
                    "grey": (0.16, 0.16, 0.17)}[kind]
            strength = rng.uniform(0.7, 1.1)
            den = (inside * 0.75 + rim) * strength
            for c in range(3):
                img[y0:y1, x0:x1, c] *= (10 ** (-den * dvec[c])).astype(np.float32)
            b["stain"] = str(kind)
    # the toner over the paper (magnetic toner fused by flash: opaque)
    for c in range(3):
        img[..., c] = img[..., c] * (1 - toner) + toner_r[c] * toner
    toner = None

    # ---- impressions: coverage by Skia per box, Ruckdeschel-Hauser halo ink
    halo_w = rng.uniform(0.025, 0.06)
    truth_boxes = []
    for b in boxes:
        kind = b["kind"]
        plan = b["plan"]
        xl, yt, xr, yb = b["inner"]
        entry = {"row": b["row"], "col": b["col"], "kind": kind, "empty": bool(b["empty"])}
        if kind == "official_seal":
            entry["diameter_mm"] = round(seal[kind]["d"], 2)
        elif kind == "legal_rep_seal":
            entry["size_mm"] = [round(seal[kind]["w"], 2), round(seal[kind]["h"], 2)]
        b["entry"] = entry
        if b["empty"]:
            continue
        # crop: the box and 8 mm round it
        m = 8.0
        crop = (xl - m, yt - m, (xr - xl) + 2 * m, (yb - yt) + 2 * m)
        px, py = b["pos"]
        tilt = rng.uniform(10, 30) * rng.choice([-1, 1]) if "tilted" in plan else rng.uniform(-2.5, 2.5)
        if kind == "signature":
            tilt = rng.uniform(-2, 2)
        entry["tilt_deg"] = round(float(tilt), 2)
        # a push over a line: the face's extent past the inner edge by 1.2-3.5 mm
        if "overlap_line" in plan:
            side = rng.integers(4)
            over = rng.uniform(1.2, 3.5)
            if kind == "signature":
                hx, hy = 14.0, 5.5
            else:
                th = math.radians(tilt)
                w2, h2 = b["half"]
                if kind == "official_seal":
                    hx = hy = w2
                else:
                    hx = abs(w2 * math.cos(th)) + abs(h2 * math.sin(th))
                    hy = abs(w2 * math.sin(th)) + abs(h2 * math.cos(th))
            if side == 0:
                px = xl - over + hx
            elif side == 1:
                px = xr + over - hx
            elif side == 2:
                py = yt - over + hy
            else:
                py = yb + over - hy
        presses = []  # (dx, dy, drot, load)
        if "double" in plan:
            off = rng.uniform(0.8, 2.5)
            a = rng.uniform(0, 2 * math.pi)
            presses = [(0, 0, 0, 1.0), (off * math.cos(a), off * math.sin(a), rng.uniform(-1.5, 1.5), rng.uniform(0.5, 0.9))]
            entry["double_offset_mm"] = round(off, 2)
        else:
            presses = [(0, 0, 0, 1.0)]
        covs = []
        sig_sp = None
        if kind == "signature":
            nm = legal_name if b["row"] < 3 or rng.random() < 0.5 else signer2
            if b["row"] == 3:
                nm = signer2
            chh = rng.uniform(8, 11.5)
            chars = [(c, rng.uniform(0.85, 1.12), rng.uniform(-1.2, 1.2), rng.uniform(-6, 6)) for c in nm]
            sig_sp = {"pen": rng.uniform(0.1, 0.22), "seedfx": int(rng.integers(1, 1 << 30)), "chars": chars,
                      "cw": chh * rng.uniform(0.85, 1.0), "chh": chh, "slant": rng.uniform(6, 18),
                      "gap": rng.uniform(0.85, 1.0), "join": rng.random() < 0.5,
                      "flourish": [float(v) for v in rng.uniform([1, -1, 3, 1, 5, -2], [3, 2, 7, 4, 11, 2])]}
            sig_sp["width"] = sum(sig_sp["cw"] * c[1] * sig_sp["gap"] for c in chars)
        for (dx, dy, dr, load) in presses:
            cc = Cov(*crop, ppm)
            if kind == "official_seal":
                draw_official(cc.canvas, seal[kind], px + dx, py + dy, tilt + dr)
            elif kind == "legal_rep_seal":
                draw_legal(cc.canvas, seal[kind], px + dx, py + dy, tilt + dr)
            else:
                draw_signature(cc.canvas, sig_sp, px + dx, py + dy)
            covs.append((cc.array(), load))
        ox, oy = Cov(*crop, ppm).ox, Cov(*crop, ppm).oy
        hh, ww = covs[0][0].shape
        # load field: pad mottle, the hand's pressure plane
        mott = 1 + rng.uniform(0.06, 0.13) * smooth_noise(rng, (hh, ww), rng.uniform(0.8, 2.5) * ppm)
        gy, gx = np.mgrid[0:hh, 0:ww].astype(np.float32)
        a_ = rng.uniform(0, 2 * math.pi)
        plane = 1 + rng.uniform(0, 0.006) * ((gx - ww / 2) * math.cos(a_) + (gy - hh / 2) * math.sin(a_)) / ppm
        load = (mott * plane).astype(np.float32)
        dens_field = np.zeros((hh, ww), np.float32)
        union = np.zeros((hh, ww), np.float32)
        smear = 0.0
        if "smudged" in plan:
            smear = rng.uniform(0.75, 1.35)
            a = rng.uniform(0, 2 * math.pi)
            nstep = max(2, int(round(smear * ppm)))
            fall = rng.uniform(0.25, 0.5)
            base_c = covs[0][0]
            wsum = 0
            for s in range(nstep + 1):
                t = s / nstep
                wgt = 1.0 if s == 0 else (1 - t) * 0.6 + t * fall * 0.6
                sx, sy = int(round(t * smear * ppm * math.cos(a))), int(round(t * smear * ppm * math.sin(a)))
                sh = np.zeros_like(base_c)
                ys0, ys1 = max(0, sy), min(hh, hh + sy)
                xs0, xs1 = max(0, sx), min(ww, ww + sx)
                sh[ys0:ys1, xs0:xs1] = base_c[ys0 - sy:ys1 - sy, xs0 - sx:xs1 - sx]
                dens_field += sh * wgt
                union = np.maximum(union, sh)
                wsum += wgt
            dens_field = np.minimum(dens_field / (1 + 0.25 * (wsum - 1)), 1.15)
            entry["smear_mm"] = round(smear, 2)
        else:
            for (cvr, ld) in covs:
                dens_field += cvr * ld
                union = np.maximum(union, cvr)
        uncut = union.copy()
        broken_depth = 0.0
        if "broken" in plan:
            # a cap lost to the stamp's rocking: cut by a wavy line 15-35 % of the face deep
            ys, xs = np.nonzero(union > 0.5)
            a = rng.uniform(0, 2 * math.pi)
            proj = (xs - xs.mean()) * math.cos(a) + (ys - ys.mean()) * math.sin(a)
            lo, hi = proj.min(), proj.max()
            broken_depth = rng.uniform(0.17, 0.33)
            cut_at = hi - broken_depth * (hi - lo)
            P = (gx - xs.mean()) * math.cos(a) + (gy - ys.mean()) * math.sin(a)
            P = P + 0.35 * ppm * smooth_noise(rng, (hh, ww), 1.5 * ppm)
            keep = np.clip((cut_at - P) / (0.4 * ppm), 0, 1).astype(np.float32)
            dens_field *= keep
            union *= keep
            entry["broken_depth"] = round(float(broken_depth), 2)
        # ink colour and strength
        if kind == "signature":
            d = pen_d
            absorbed = rng.uniform(0.25, 0.6) if "pale" in plan else rng.uniform(0.86, 0.95)
        else:
            off = None
            if "off_color" in plan:
                off = str(rng.choice(["orange", "violet", "blue"], p=[0.4, 0.45, 0.15]))
                d, hue = ink_density(rng, kind, off)
                entry["ink"] = off
            else:
                d, hue = seal_d[kind]
            entry["hue_deg"] = round(float(hue), 1)
            absorbed = rng.uniform(0.2, 0.6) if "pale" in plan else rng.uniform(0.88, 0.96)
        entry["absorbed"] = round(float(absorbed), 3)
        k = strength_for(d, absorbed)
        D = dens_field * load * k  # one-pass density scale
        # Ruckdeschel-Hauser halo: light entering the paper within the halo width of a stroke leaves
        # through it once; under the stroke twice
        r_h = max(1, int(round(halo_w * ppm)))
        fp = np.hypot(*np.mgrid[-r_h:r_h + 1, -r_h:r_h + 1]) <= r_h + 0.01
        Dh = ndimage.maximum_filter(D, footprint=fp)
        y0c, x0c = max(0, oy), max(0, ox)
        y1c, x1c = min(H, oy + hh), min(W, ox + ww)
        sl = (slice(y0c - oy, y1c - oy), slice(x0c - ox, x1c - ox))
        for c in range(3):
            T = 10 ** (-(D[sl] + Dh[sl]) * d[c])
            img[y0c:y1c, x0c:x1c, c] *= T.astype(np.float32)
        # reach of the ink past the inner edges of the box's rules (page mm)
        def reach_of(cov):
            ys, xs = np.nonzero(cov > 0.5)
            if len(xs) == 0:
                return -99.0
            x_min = (ox + xs.min()) / ppm
            x_max = (ox + xs.max() + 1) / ppm
            y_min = (oy + ys.min()) / ppm
            y_max = (oy + ys.max() + 1) / ppm
            return max(xl - x_min, x_max - xr, yt - y_min, y_max - yb)
        rch = reach_of(union)
        entry["reach_mm"] = round(float(rch), 2)
        labels = set(plan)
        labels.discard("overlap_line")
        border = set()
        if rch > 0.3:
            labels.add("overlap_line")
        elif rch >= -0.3:
            border.add("overlap_line")
        if "broken" in plan and reach_of(uncut) >= -0.3 and "overlap_line" not in labels:
            border.add("overlap_line")
        if sheet_tint is not None:
            labels.add("bg_not_white")
        b["labels"], b["border"] = labels, border
        b["mask_src"] = (union, ox, oy)
    for b in boxes:
        if b["empty"]:
            lab_ = {"empty"}
            if "bg_not_white" in b["plan"] or sheet_tint is not None:
                lab_.add("bg_not_white")
            b["labels"], b["border"] = lab_, set()

    # ---- the conveyor and the line-scan camera
    theta = rng.uniform(-0.4, 0.4) if rng.random() < 0.4 else rng.uniform(0.5, 3.0) * rng.choice([-1, 1])
    sy_ = 1 + rng.normal(0, 0.003)
    margin = rng.uniform(4, 10)
    shift = rng.uniform(-1.5, 1.5, 2)
    p_mm = 25.4 / dpi
    C = np.array([PW / 2, PH / 2])
    th = math.radians(theta)
    ct, st = math.cos(th), math.sin(th)
    corners = np.array([[0, 0], [PW, 0], [0, PH], [PW, PH]]) - C
    rc = corners @ np.array([[ct, st], [-st, ct]])
    bx0 = rc[:, 0].min() + C[0] + shift[0] - margin
    by0 = rc[:, 1].min() + C[1] + shift[1] - margin
    OW = int((rc[:, 0].max() - rc[:, 0].min() + 2 * margin) / p_mm)
    OH = int((rc[:, 1].max() - rc[:, 1].min() + 2 * margin) / p_mm / sy_)
    # the encoder's row jitter (belt vibration) in mm
    jit_amp = rng.uniform(0.01, 0.05)
    jit = jit_amp * smooth_noise(rng, (OH, 1), rng.uniform(5, 25) / p_mm)[:, 0]
    axis_x = OW / 2 + rng.uniform(-0.05, 0.05) * OW
    lat = {0: rng.uniform(2e-4, 6e-4), 1: 0.0, 2: -rng.uniform(2e-4, 6e-4)}
    focus = rng.uniform(0.025, 0.05)
    sig_c = [math.hypot(focus, rng.uniform(0.01, 0.03)), focus, math.hypot(focus, rng.uniform(0.01, 0.035))]

    # the aperture: block means of f x f render pixels (scan grid), then the lens per channel
    def aperture(a):
        hh_, ww_ = a.shape[0] // f * f, a.shape[1] // f * f
        if f == 1:
            return a[:hh_, :ww_]
        return a[:hh_, :ww_].reshape(hh_ // f, f, ww_ // f, f).mean(axis=(1, 3))

    uu = np.arange(OW, dtype=np.float64)
    vv = np.arange(OH, dtype=np.float64)

    def page_coords(chan, u0=0, v0=0, w_=None, h_=None):
        u = uu[u0:u0 + w_] if w_ else uu
        v = vv[v0:v0 + h_] if h_ else vv
        Bx = bx0 + (axis_x + (u + 0.5 - axis_x) * (1 + lat[chan])) * p_mm
        By = by0 + (v + 0.5) * p_mm * sy_ + jit[v.astype(int)]
        BX, BY = np.meshgrid(Bx, By)
        dxp, dyp = BX - C[0] - shift[0], BY - C[1] - shift[1]
        Px = ct * dxp + st * dyp + C[0]
        Py = -st * dxp + ct * dyp + C[1]
        return Px, Py

    belt = np.array([rng.uniform(0.05, 0.1), rng.uniform(0.08, 0.14), rng.uniform(0.06, 0.11)])
    out = np.empty((OH, OW, 3), np.float32)
    for c in range(3):
        a = aperture(img[..., c])
        a = ndimage.gaussian_filter(a, sig_c[c] / p_mm)
        Px, Py = page_coords(c)
        out[..., c] = ndimage.map_coordinates(a, [Py / p_mm - 0.5, Px / p_mm - 0.5], order=1, cval=-1.0)
        bg = out[..., c] < -0.5
        out[..., c][bg] = belt[c]
    img = None
    # the page's edge: a thin shadow where it lies on the belt is left out; illumination and sensor
    xr_ = (uu - OW / 2) / (OW / 2)
    vign = 1 - rng.uniform(0.02, 0.05) * xr_ ** 2
    ff_res = 1 + rng.uniform(0.3, 1.0) * (vign - vign.mean()) * 0.4 + 0.004 * smooth_noise(rng, (1, OW), 40)[0]
    ripple = 1 + rng.uniform(0.002, 0.007) * np.sin(2 * np.pi * vv / rng.uniform(3, 20) + rng.uniform(0, 6.3))
    gain = (ff_res[None, :] * ripple[:, None]).astype(np.float32)
    fw = rng.uniform(10000, 40000)
    expo = rng.uniform(0.7, 0.85) / float(white.max())
    read = rng.uniform(4, 12)
    nrng = np.random.default_rng(int(rng.integers(1 << 62)))
    for c in range(3):
        e = np.clip(out[..., c] * gain * expo, 0, 1) * fw
        e = nrng.poisson(e).astype(np.float32) + nrng.normal(0, read, e.shape).astype(np.float32)
        out[..., c] = e / fw
    prnu = (1 + nrng.normal(0, 0.002, (1, OW, 3))).astype(np.float32)
    out *= prnu
    out = np.round(np.clip(out, 0, 1) * 4095) / 4095
    # the capture software: one gain for the three channels so the paper reaches its white, a gamma LUT,
    # luminance sharpening
    lum = out.mean(axis=2)
    wpt = np.percentile(lum[::4, ::4], 99.0)
    out *= rng.uniform(0.95, 1.0) / max(wpt, 1e-3)
    out = lin_to_srgb(out).astype(np.float32)
    lum = out.mean(axis=2)
    blur = ndimage.gaussian_filter(lum, rng.uniform(0.6, 1.2))
    out += (rng.uniform(0.2, 0.6) * (lum - blur))[..., None]
    out8 = np.clip(np.round(out * 255), 0, 255).astype(np.uint8)
    out = lum = blur = None

    # ---- codec
    in_file = rng.random() < 0.8
    u = rng.random()
    if u < 0.6:
        ext = "jpg"
        q = int(rng.integers(70, 96))
        rgba = np.dstack([out8, np.full(out8.shape[:2], 255, np.uint8)])
        data = bytearray(bytes(skia.Image.fromarray(np.ascontiguousarray(rgba), colorType=skia.kRGBA_8888_ColorType)
                               .encodeToData(skia.EncodedImageFormat.kJPEG, q)))
        if data[6:11] == b"JFIF\x00":
            if in_file:
                data[13] = 1
                data[14:16] = struct.pack(">H", dpi)
                data[16:18] = struct.pack(">H", dpi)
            else:
                data[13] = 0
                data[14:18] = b"\x00\x01\x00\x01"
        blob = bytes(data)
    elif u < 0.85:
        ext = "png"
        rgba = np.dstack([out8, np.full(out8.shape[:2], 255, np.uint8)])
        blob = bytes(skia.Image.fromarray(np.ascontiguousarray(rgba), colorType=skia.kRGBA_8888_ColorType,
                                          alphaType=skia.kOpaque_AlphaType).encodeToData(skia.EncodedImageFormat.kPNG, 100))
        # drop any pHYs and put ours after IHDR
        chunks = []
        pos = 8
        while pos < len(blob):
            ln = struct.unpack(">I", blob[pos:pos + 4])[0]
            typ = blob[pos + 4:pos + 8]
            chunks.append((typ, blob[pos:pos + 12 + ln]))
            pos += 12 + ln
        outb = [blob[:8]]
        for typ, ch in chunks:
            if typ == b"pHYs":
                continue
            outb.append(ch)
            if typ == b"IHDR" and in_file:
                ppmeter = int(round(dpi / 0.0254))
                body = b"pHYs" + struct.pack(">IIB", ppmeter, ppmeter, 1)
                outb.append(struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF))
        blob = b"".join(outb)
    else:
        ext = "tif"
        blob = tiff_bytes(out8, dpi if in_file else None, packbits=rng.random() < 0.5)
    fname = "%s.%s" % (stem, ext)
    with open(os.path.join(outdir, fname), "wb") as fh:
        fh.write(blob)

    # ---- truth: masks through green's path (the same map, the same aperture), coverage >= 0.5
    from PIL import Image
    def to_scan(xm, ym):
        Bx = ct * (xm - C[0]) - st * (ym - C[1]) + C[0] + shift[0]
        By = st * (xm - C[0]) + ct * (ym - C[1]) + C[1] + shift[1]
        u_ = (Bx - bx0) / p_mm - 0.5
        v_ = (By - by0) / (p_mm * sy_) - 0.5
        vi = int(min(max(round(v_), 0), OH - 1))
        v_ = (By - by0 - jit[vi]) / (p_mm * sy_) - 0.5
        return u_, v_

    for b in boxes:
        e = b["entry"]
        cu, cv_ = to_scan(*b["centre"])
        e["box_centre_px"] = [round(float(cu), 1), round(float(cv_), 1)]
        e["defects"] = sorted(b["labels"])
        e["borderline"] = sorted(b["border"])
        if b["empty"]:
            truth_boxes.append(e)
            continue
        union, ox, oy = b["mask_src"]
        # the crop's page region at the scan grid, then its extent in the output
        hh, ww = union.shape
        a = union
        # pad so the block means align with the page's scan grid
        px0, py0 = ox % f, oy % f
        a = np.pad(a, ((py0, (-(hh + py0)) % f), (px0, (-(ww + px0)) % f)))
        if f > 1:
            a = a.reshape(a.shape[0] // f, f, a.shape[1] // f, f).mean(axis=(1, 3))
        gx0, gy0 = (ox - px0) // f, (oy - py0) // f
        xs_mm = [ox / ppm, (ox + ww) / ppm]
        ys_mm = [oy / ppm, (oy + hh) / ppm]
        cs = [to_scan(x, y) for x in xs_mm for y in ys_mm]
        u0 = max(0, int(math.floor(min(c[0] for c in cs))) - 2)
        v0 = max(0, int(math.floor(min(c[1] for c in cs))) - 2)
        u1 = min(OW, int(math.ceil(max(c[0] for c in cs))) + 3)
        v1 = min(OH, int(math.ceil(max(c[1] for c in cs))) + 3)
        Px, Py = page_coords(1, u0, v0, u1 - u0, v1 - v0)
        m = ndimage.map_coordinates(a, [Py / p_mm - 0.5 - gy0, Px / p_mm - 0.5 - gx0], order=1, cval=0.0) >= 0.5
        ys, xs = np.nonzero(m)
        if len(xs) == 0:
            e["empty"] = True
            truth_boxes.append(e)
            continue
        m = m[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        mname = "%s.r%dc%d.mask.png" % (stem, e["row"], e["col"])
        Image.fromarray((m * 255).astype(np.uint8), "L").save(os.path.join(outdir, mname))
        e["mask"] = mname
        e["mask_offset"] = [int(u0 + xs.min()), int(v0 + ys.min())]
        truth_boxes.append(e)

    truth = {"maker": "linescan", "seed": seed, "dpi": dpi, "dpi_in_file": bool(in_file),
             "skew_deg": round(float(theta), 3), "file": fname, "boxes": truth_boxes,
             "layout": "附件3 %d rows" % len(rows), "paper_tint": sheet_tint[0] if sheet_tint else None,
             "dead_heads": len(dead), "pen": pen_kind}
    with open(os.path.join(outdir, "%s.truth.json" % stem), "w") as fh:
        json.dump(truth, fh, ensure_ascii=False, indent=1)


def tiff_bytes(rgb, dpi, packbits):
    """The line's own TIFF writer: RGB, a strip every 16 rows, uncompressed or Deflate (zlib)."""
    h, w, _ = rgb.shape
    rows_per = 16
    strips = []
    for y in range(0, h, rows_per):
        raw = rgb[y:y + rows_per].tobytes()
        strips.append(zlib.compress(raw, 6) if packbits else raw)
    entries = []
    n_str = len(strips)
    header = b"II*\x00"
    # layout: header, IFD, arrays, strips
    tags = 15 if dpi else 12
    ifd_size = 2 + tags * 12 + 4
    off = 8 + ifd_size
    bps_off = off
    off += 6
    so_off = off
    off += 4 * n_str
    sc_off = off
    off += 4 * n_str
    res_off = off
    off += 16
    data_off = off
    offsets, counts = [], []
    for s in strips:
        offsets.append(data_off)
        counts.append(len(s))
        data_off += len(s)
    entries.append((256, 4, 1, w))
    entries.append((257, 4, 1, h))
    entries.append((258, 3, 3, bps_off))
    entries.append((259, 3, 1, 8 if packbits else 1))
    entries.append((262, 3, 1, 2))
    entries.append((273, 4, n_str, so_off))
    entries.append((277, 3, 1, 3))
    entries.append((278, 4, 1, rows_per))
    entries.append((279, 4, n_str, sc_off))
    if dpi:
        entries.append((282, 5, 1, res_off))
        entries.append((283, 5, 1, res_off + 8))
    entries.append((284, 3, 1, 1))
    if dpi:
        entries.append((296, 3, 1, 2))
    entries.append((305, 2, 3, struct.unpack("<I", b"AC\x00\x00")[0]))  # "AC" and its NUL
    entries.append((339, 3, 1, 1))
    assert len(entries) == tags, len(entries)
    b = bytearray(header + struct.pack("<I", 8))
    b += struct.pack("<H", tags)
    for tag, typ, cnt, val in entries:
        if typ == 3 and cnt == 1:
            b += struct.pack("<HHIHH", tag, typ, cnt, val, 0)
        else:
            b += struct.pack("<HHII", tag, typ, cnt, val)
    b += struct.pack("<I", 0)
    b += struct.pack("<HHH", 8, 8, 8)
    b += struct.pack("<%dI" % n_str, *offsets)
    b += struct.pack("<%dI" % n_str, *counts)
    b += struct.pack("<IIII", dpi or 1, 1, dpi or 1, 1)
    for s in strips:
        b += s
    return bytes(b)


if __name__ == "__main__":
    main()
