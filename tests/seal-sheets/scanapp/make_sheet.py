#!/usr/bin/python3
"""Maker I (scanapp): a seal collection sheet drawn with Cairo + Pango (PangoCairo) in page
millimetres, Smiley Sans (得意黑) glyph outlines set upright by a shear, digiKam's scanned paper
textures, a Clapper-Yule ink layer model, then photographed by a phone under room light and
flattened, enhanced and exported by a phone scanning app (capture.py).

    make_sheet.py SEED OUTDIR INDEX

Writes OUTDIR/NNN.<jpg|png>, NNN.truth.json and NNN.rRcC.mask.png (truth.md)."""
import json
import math
import os
import sys

import numpy as np
from scipy import ndimage

import gi
gi.require_version("Pango", "1.0")
gi.require_version("PangoCairo", "1.0")
from gi.repository import Pango, PangoCairo  # noqa: E402
import cairo  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capture  # noqa: E402

FONT_FAMILY = "Smiley Sans"
FONT_FILE = "/usr/share/fonts/truetype/smiley-sans/SmileySans-Oblique.ttf"
SLANT = math.tan(math.radians(8.0))  # the face's italic angle (post table: -8)
TEX = "/usr/share/digikam/data/"
PAGE_W, PAGE_H = 210.0, 297.0
MARGIN = 6.0  # mm of desk drawn around the page

SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华玉兰萍红建国志文斌辉鹏飞宇浩然轩晨阳海燕立新振东春梅"
PLACES = ["北京", "上海", "深圳", "广州", "杭州", "南京", "成都", "武汉", "西安", "天津", "重庆", "苏州",
          "长沙", "郑州", "济南", "青岛", "合肥", "福州", "内蒙古", "呼和浩特", "包头", "鄂尔多斯", "赤峰", "通辽"]
CORES = ["华信", "恒瑞", "宏泰", "安盛", "鑫源", "兴隆", "博远", "创新", "智联", "中科", "星辰", "金桥", "云海",
         "天润", "明德", "鼎诚", "嘉禾", "永丰", "东方", "众合", "汇通", "瑞达"]
TRADES = ["科技", "信息技术", "网络工程", "建设工程", "贸易", "商务咨询", "电子设备", "实业", "环保", "能源",
          "医药", "物流", "文化传媒", "教育咨询", "软件开发"]
FORMS = ["有限公司", "有限责任公司", "股份有限公司", "集团有限公司"]
USES = ["合同专用章", "财务专用章", "发票专用章", "业务专用章"]


def uni(rng, a, b):
    return float(rng.uniform(a, b))


# ---------------------------------------------------------------- glyphs (Pango outlines)
class Glyphs:
    """Each character's outline from Pango at 100 units, flattened, set upright (the oblique
    face sheared back by its 8°) and normalised to its ink box: polygons in [0,1]²."""

    def __init__(self):
        self.cache = {}
        self.surf = cairo.ImageSurface(cairo.FORMAT_A8, 8, 8)
        self.ctx = cairo.Context(self.surf)
        self.ctx.set_tolerance(0.04)
        fo = cairo.FontOptions()
        fo.set_hint_style(cairo.HINT_STYLE_NONE)
        fo.set_hint_metrics(cairo.HINT_METRICS_OFF)
        self.layout = PangoCairo.create_layout(self.ctx)
        PangoCairo.context_set_font_options(self.layout.get_context(), fo)
        desc = Pango.FontDescription.from_string(FONT_FAMILY)
        desc.set_absolute_size(100 * Pango.SCALE)
        self.layout.set_font_description(desc)
        self.layout.context_changed()

    def get(self, ch):
        if ch in self.cache:
            return self.cache[ch]
        self.ctx.new_path()
        self.layout.set_text(ch, -1)
        PangoCairo.layout_path(self.ctx, self.layout)
        polys, cur = [], []
        for kind, pts in self.ctx.copy_path_flat():
            if kind == cairo.PATH_MOVE_TO:
                if len(cur) > 2:
                    polys.append(np.array(cur))
                cur = [pts]
            elif kind == cairo.PATH_LINE_TO:
                cur.append(pts)
            elif kind == cairo.PATH_CLOSE_PATH:
                if len(cur) > 2:
                    polys.append(np.array(cur))
                cur = []
        if len(cur) > 2:
            polys.append(np.array(cur))
        self.ctx.new_path()
        if not polys:
            raise RuntimeError("no glyph for %r" % ch)
        base = self.layout.get_baseline() / Pango.SCALE
        out = []
        for p in polys:
            q = p.copy()
            q[:, 0] = q[:, 0] + SLANT * (q[:, 1] - base)  # upright: the top leans right by 8°
            out.append(q)
        allp = np.concatenate(out)
        lo, hi = allp.min(0), allp.max(0)
        span = np.maximum(hi - lo, 1e-6)
        norm = [(q - lo) / span for q in out]
        self.cache[ch] = (norm, span[0] / span[1])
        return self.cache[ch]


_CMAP = []


def check_coverage(text):
    """Every character drawn must be Smiley Sans's own (Pango would fall back to another face)."""
    if not _CMAP:
        from fontTools.ttLib import TTFont
        _CMAP.append(TTFont(FONT_FILE).getBestCmap())
    cmap = _CMAP[0]
    missing = [c for c in set(text) if not c.isspace() and ord(c) not in cmap]
    if missing:
        raise RuntimeError("Smiley Sans lacks " + "".join(missing))


def glyph_path(ctx, glyphs, ch, cx, cy, w, h, ang):
    """Append the glyph stretched to a w × h cell centred at (cx, cy), turned by ang (rad)."""
    polys, _ = glyphs.get(ch)
    ca, sa = math.cos(ang), math.sin(ang)
    for p in polys:
        x = (p[:, 0] - 0.5) * w
        y = (p[:, 1] - 0.5) * h
        X = cx + x * ca - y * sa
        Y = cy + x * sa + y * ca
        ctx.move_to(X[0], Y[0])
        for i in range(1, len(X)):
            ctx.line_to(X[i], Y[i])
        ctx.close_path()


# ---------------------------------------------------------------- faces
def make_official(rng, firm):
    d = uni(rng, 38.5, 44.5)
    face = dict(shape="round", d=d, ring=uni(rng, 0.9, 1.5), star=uni(rng, 0.28, 0.33),
                name=firm, arc=math.radians(uni(rng, 205, 250)), ch_h=uni(rng, 0.15, 0.18) * d,
                use=(USES[rng.integers(len(USES))] if rng.random() < 0.35 else None),
                code=("".join(str(v) for v in rng.integers(0, 10, 13)) if rng.random() < 0.4 else None),
                inner=rng.random() < 0.15, bold=uni(rng, 0.03, 0.11))
    return face


def make_legal(rng, person):
    if rng.random() < 0.62:
        w = h = uni(rng, 15.5, 21.5)
    else:
        long = uni(rng, 17.5, 22.0)
        short = long / uni(rng, 1.2, 1.5)
        w, h = (long, short) if rng.random() < 0.5 else (short, long)
    chars = list(person) + (["之", "印"] if len(person) == 2 else ["印"])
    lying = w > h * 1.1
    layout = "row" if (lying and rng.random() < 0.5) else "grid"
    return dict(shape="rect", w=w, h=h, frame=uni(rng, 0.6, 1.1), chars=chars, layout=layout,
                yin=rng.random() < 0.22, bold=uni(rng, 0.03, 0.09))


def face_extent(face):
    """Half extents (mm) of the face unturned."""
    if face["shape"] == "round":
        return face["d"] / 2, face["d"] / 2
    return face["w"] / 2, face["h"] / 2


def draw_face(ctx, glyphs, face, cx, cy, ang):
    """Fill the face's ink (alpha = coverage) on an A8 context in page mm."""
    ca, sa = math.cos(ang), math.sin(ang)

    def rot(x, y):
        return cx + x * ca - y * sa, cy + x * sa + y * ca

    ctx.set_source_rgba(0, 0, 0, 1)
    ctx.set_fill_rule(cairo.FILL_RULE_WINDING)
    ctx.set_line_join(cairo.LINE_JOIN_ROUND)
    if face["shape"] == "round":
        R = face["d"] / 2
        ctx.new_path()
        ctx.arc(cx, cy, R, 0, 2 * math.pi)
        ctx.arc_negative(cx, cy, R - face["ring"], 2 * math.pi, 0)
        ctx.fill()
        if face["inner"]:
            ctx.arc(cx, cy, R - face["ring"] - 0.9, 0, 2 * math.pi)
            ctx.arc_negative(cx, cy, R - face["ring"] - 1.2, 2 * math.pi, 0)
            ctx.fill()
        # star
        rs = face["star"] * R
        pts = []
        for k in range(10):
            r = rs if k % 2 == 0 else rs * 0.382
            a = -math.pi / 2 + k * math.pi / 5
            pts.append(rot(r * math.cos(a), r * math.sin(a)))
        ctx.move_to(*pts[0])
        for p in pts[1:]:
            ctx.line_to(*p)
        ctx.close_path()
        ctx.fill()
        # the firm's name on the upper arc, tops to the rim
        name = face["name"]
        n = len(name)
        rc = R - face["ring"] - 0.8 - face["ch_h"] / 2
        span = face["arc"]
        step = span / n
        cw = min(step * (rc - face["ch_h"] / 2) * 0.92, face["ch_h"] * 0.95)
        for i, ch in enumerate(name):
            t = -math.pi / 2 - span / 2 + (i + 0.5) * step  # screen angle, up = -pi/2
            x, y = rc * math.cos(t), rc * math.sin(t)
            X, Y = rot(x, y)
            glyph_path(ctx, glyphs, ch, X, Y, cw, face["ch_h"], t + math.pi / 2 + ang)
        ctx.fill_preserve()
        ctx.set_line_width(face["bold"])
        ctx.stroke()
        if face["use"]:
            u = face["use"]
            hh = 0.11 * face["d"]
            ww = min(0.62 * face["d"] / len(u), hh * 0.95)
            for i, ch in enumerate(u):
                x = (i - (len(u) - 1) / 2) * ww * 1.05
                X, Y = rot(x, 0.22 * face["d"])
                glyph_path(ctx, glyphs, ch, X, Y, ww * 0.92, hh, ang)
            ctx.fill_preserve()
            ctx.set_line_width(face["bold"] * 0.8)
            ctx.stroke()
        if face["code"]:
            code = face["code"]
            hh = 0.055 * face["d"]
            rcode = R - face["ring"] - 0.6 - hh / 2
            cspan = math.radians(62)
            for i, ch in enumerate(code):
                t = math.pi / 2 + cspan / 2 - (i + 0.5) * cspan / len(code)
                X, Y = rot(rcode * math.cos(t), rcode * math.sin(t))
                glyph_path(ctx, glyphs, ch, X, Y, hh * 0.55, hh, t - math.pi / 2 + ang)
            ctx.fill()
        return
    # rectangular 法人章
    w, h, fr = face["w"], face["h"], face["frame"]
    corners = [rot(-w / 2, -h / 2), rot(w / 2, -h / 2), rot(w / 2, h / 2), rot(-w / 2, h / 2)]
    inner = [rot(-w / 2 + fr, -h / 2 + fr), rot(-w / 2 + fr, h / 2 - fr), rot(w / 2 - fr, h / 2 - fr),
             rot(w / 2 - fr, -h / 2 + fr)]
    ctx.new_path()
    ctx.move_to(*corners[0])
    for p in corners[1:]:
        ctx.line_to(*p)
    ctx.close_path()
    if not face["yin"]:
        ctx.move_to(*inner[0])
        for p in inner[1:]:
            ctx.line_to(*p)
        ctx.close_path()
    ctx.fill()
    iw, ih = w - 2 * fr - 0.8, h - 2 * fr - 0.8
    chars = face["chars"]
    cells = []
    if face["layout"] == "row":
        n = len(chars)
        for i, ch in enumerate(chars):  # right to left
            cells.append((ch, iw / 2 - (i + 0.5) * iw / n, 0.0, iw / n * 0.9, ih * 0.9))
    else:
        if len(chars) == 4:
            order = [(0, 0), (0, 1), (1, 0), (1, 1)]  # (column from right, row)
            for ch, (c, r) in zip(chars, order):
                cells.append((ch, iw / 4 - c * iw / 2, -ih / 4 + r * ih / 2, iw / 2 * 0.88, ih / 2 * 0.88))
        else:  # three: the name's two in the right column, 印 fills the left
            cells.append((chars[0], iw / 4, -ih / 4, iw / 2 * 0.88, ih / 2 * 0.88))
            cells.append((chars[1], iw / 4, ih / 4, iw / 2 * 0.88, ih / 2 * 0.88))
            cells.append((chars[2], -iw / 4, 0.0, iw / 2 * 0.88, ih * 0.92))
    if face["yin"]:
        ctx.set_operator(cairo.OPERATOR_DEST_OUT)
    for ch, x, y, cw, chh in cells:
        X, Y = rot(x, y)
        glyph_path(ctx, glyphs, ch, X, Y, cw, chh, ang)
    if face["yin"]:
        ctx.fill()
        ctx.set_operator(cairo.OPERATOR_OVER)
    else:
        ctx.fill_preserve()
        ctx.set_line_width(face["bold"])
        ctx.stroke()


# ---------------------------------------------------------------- signatures: minimum-jerk pen
STROKES = {"heng": (1.0, 0.05), "shu": (0.0, 1.0), "pie": (-0.7, 0.8), "na": (0.75, 0.7),
           "dian": (0.3, 0.35), "ti": (0.8, -0.5), "zhe": (1.0, 0.0)}


def make_signature(rng, name):
    """A hand as overlapping minimum-jerk submovements (Flash & Hogan) between via-points:
    x(t) = Σ Dᵢ · s((t − t0ᵢ)/Tᵢ), s(τ) = 10τ³ − 15τ⁴ + 6τ⁵; the pen's width falls with speed."""
    cell = uni(rng, 10.0, 13.5)
    adv = uni(rng, 0.72, 0.95)
    slant = math.radians(uni(rng, 6, 20))
    width = uni(rng, 0.38, 0.62)
    segs = []  # list of polylines (N × 3: x, y, speed)
    x0 = 0.0
    for ci, ch in enumerate(name):
        nmov = int(rng.integers(8, 14))
        subs = []
        t = 0.0
        pos = np.array([x0 + uni(rng, 0.1, 0.4) * cell, uni(rng, 0.05, 0.4) * cell])
        start = pos.copy()
        names = list(STROKES)
        for k in range(nmov):
            dx, dy = STROKES[names[rng.integers(len(names))]]
            if rng.random() < 0.5:
                dx, dy = -dx, -dy  # written back the other way (a hook, a return)
            L = uni(rng, 0.2, 0.55) * cell
            D = np.array([dx, dy]) / math.hypot(dx, dy) * L + rng.normal(0, 0.05 * cell, 2)
            tgt = pos + D
            lo_x, hi_x = x0 + 0.05 * cell, x0 + 0.95 * cell
            for ax, lo, hi in ((0, lo_x, hi_x), (1, 0.0, cell)):
                if tgt[ax] < lo:
                    tgt[ax] = 2 * lo - tgt[ax]
                if tgt[ax] > hi:
                    tgt[ax] = 2 * hi - tgt[ax]
                tgt[ax] = min(max(tgt[ax], lo), hi)
            D = tgt - pos
            T = uni(rng, 0.08, 0.16)
            subs.append((t, T, D))
            pos = tgt
            t += T * uni(rng, 0.35, 0.7)
        tend = max(s[0] + s[1] for s in subs)
        ts = np.arange(0, tend, 0.002)
        P = np.tile(start, (len(ts), 1))
        V = np.zeros(len(ts))
        vel = np.zeros((len(ts), 2))
        for t0, T, D in subs:
            tau = np.clip((ts - t0) / T, 0, 1)
            P += np.outer(10 * tau ** 3 - 15 * tau ** 4 + 6 * tau ** 5, D)
            vel += np.outer((30 * tau ** 2 - 60 * tau ** 3 + 30 * tau ** 4) / T * ((ts >= t0) & (ts <= t0 + T)), D)
        V = np.hypot(vel[:, 0], vel[:, 1])
        seg = np.column_stack([P, V])
        if segs and rng.random() < 0.5:
            segs[-1] = np.vstack([segs[-1], seg])  # joined to the last character
        else:
            segs.append(seg)
        x0 += cell * adv
    if rng.random() < 0.4:  # a closing flourish
        last = segs[-1][-1, :2]
        ts = np.linspace(0, 1, 120)
        fl = np.column_stack([last[0] + ts * cell * uni(rng, 0.8, 1.6), last[1] - np.sin(ts * math.pi) * cell * 0.3,
                              np.full(120, 40.0)])
        segs[-1] = np.vstack([segs[-1], fl])
    allp = np.concatenate([s[:, :2] for s in segs])
    c = (allp.min(0) + allp.max(0)) / 2
    out = []
    for s in segs:
        q = s.copy()
        q[:, 0] -= c[0]
        q[:, 1] -= c[1]
        q[:, 0] -= q[:, 1] * math.tan(slant)  # lean the tops right
        out.append(q)
    allp = np.concatenate([s[:, :2] for s in out])
    half = (allp.max(0) - allp.min(0)) / 2 + width
    vmax = max(np.percentile(np.concatenate([s[:, 2] for s in out]), 90), 1e-6)
    return dict(shape="pen", segs=out, width=width, vmax=vmax, half=half)


def draw_pen(ctx, sig, cx, cy, ang):
    ca, sa = math.cos(ang), math.sin(ang)
    ctx.set_source_rgba(0, 0, 0, 1)
    ctx.set_line_cap(cairo.LINE_CAP_ROUND)
    ctx.set_line_join(cairo.LINE_JOIN_ROUND)
    for s in sig["segs"]:
        X = cx + s[:, 0] * ca - s[:, 1] * sa
        Y = cy + s[:, 0] * sa + s[:, 1] * ca
        wv = sig["width"] * (1.15 - 0.45 * np.clip(s[:, 2] / sig["vmax"], 0, 1.2))
        step = 3
        for i in range(0, len(X) - step, step):
            ctx.set_line_width(float(wv[i]))
            ctx.move_to(X[i], Y[i])
            ctx.line_to(X[i + step], Y[i + step])
            ctx.stroke()


# ---------------------------------------------------------------- ink: Clapper-Yule layers
R_S, R_I = 0.04, 0.6  # surface (specular) and internal reflection of the sheet's surface


def cy(body):
    """Clapper-Yule: observed reflectance of a diffuse body under a film (transmittance in body)."""
    return R_S + (1 - R_S) * (1 - R_I) * body / (1 - R_I * body)


def cy_inverse(obs):
    x = (obs - R_S) / ((1 - R_S) * (1 - R_I))
    return x / (1 + R_I * x)


def absorption(rb, a):
    """1 − R/P per channel for a layer of absorbance a (per pass) on body rb."""
    return 1 - cy(rb * np.exp(-2 * np.asarray(a))) / cy(rb)


def solve_scale(rb, ratios, target):
    """Scale s so that absorbance s · ratios absorbs target in its strongest channel."""
    lo, hi = 0.0, 20.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if absorption(rb, mid * np.asarray(ratios)).max() < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def srgb(v):
    v = np.clip(v, 0, 1)
    return np.where(v <= 0.0031308, 12.92 * v, 1.055 * np.power(v, 1 / 2.4) - 0.055)


def hue_deg(rgb):
    r, g, b = [float(x) for x in rgb]
    mx, mn = max(r, g, b), min(r, g, b)
    if mx - mn < 1e-9:
        return 0.0
    if mx == r:
        h = 60 * ((g - b) / (mx - mn))
    elif mx == g:
        h = 60 * (2 + (b - r) / (mx - mn))
    else:
        h = 60 * (4 + (r - g) / (mx - mn))
    return (h + 180) % 360 - 180


def ink_hue(rb, a):
    obs = 1 - absorption(rb, a)  # relative to the paper, linear
    return hue_deg(srgb(obs))


def make_red(rng, rb, target, off):
    """Absorbance ratios (R, G, B) for a red ink (off: None, 'orange', 'purple'), solved so that the
    strongest channel absorbs target; the hue checked at 0.5–1.3 × the film."""
    for _ in range(40):
        rr = uni(rng, 0.02, 0.09)
        if off is None:
            want = uni(rng, -3.5, 3.5)
            ok = (-7.0, 7.0)
        elif off == "orange":
            want = uni(rng, 26, 38)
            ok = (22.0, 45.0)
        else:
            want = -uni(rng, 26, 38)
            ok = (-45.0, -22.0)
        lo, hi = 0.02, 6.0  # blue's absorbance relative to green: more → orange
        for _ in range(40):
            mid = (lo + hi) / 2
            ratios = np.array([rr, 1.0, mid]) if mid <= 1 else np.array([rr, 1.0 / mid, 1.0])
            s = solve_scale(rb, ratios, target)
            if ink_hue(rb, s * ratios) < want:
                lo = mid
            else:
                hi = mid
        s = solve_scale(rb, ratios, target)
        hs = [ink_hue(rb, k * s * ratios) for k in (0.5, 0.75, 1.0, 1.3)]
        if all(ok[0] <= h <= ok[1] for h in hs):
            return s * ratios, hs[2]
    raise RuntimeError("no ink found")


PENS = {"blue ballpoint": np.array([1.0, 0.78, 0.1]), "black gel": np.array([1.0, 0.97, 0.9]),
        "blue-black": np.array([1.0, 0.9, 0.5])}


# ---------------------------------------------------------------- helpers
def smooth_noise(rng, shape, cells):
    """Smooth noise, zero mean, unit σ, about `cells` features across the longer side."""
    gy = max(2, int(round(cells * shape[0] / max(shape)))) + 3
    gx = max(2, int(round(cells * shape[1] / max(shape)))) + 3
    g = rng.normal(0, 1, (gy, gx))
    z = ndimage.zoom(g, (shape[0] / gy * 1.0001, shape[1] / gx * 1.0001), order=3)[:shape[0], :shape[1]]
    if z.shape != tuple(shape):
        z = np.pad(z, ((0, shape[0] - z.shape[0]), (0, shape[1] - z.shape[1])), mode="edge")
    return (z - z.mean()) / (z.std() + 1e-9)


def a8(w, h):
    surf = cairo.ImageSurface(cairo.FORMAT_A8, w, h)
    return surf, cairo.Context(surf)


def a8_array(surf):
    surf.flush()
    st = surf.get_stride()
    h, w = surf.get_height(), surf.get_width()
    return np.ndarray((h, st), np.uint8, surf.get_data())[:, :w].astype(np.float32) / 255.0


def tiled(tex, shape, scale, rng, mirror=True):
    """A texture tiled (mirrored) and resampled to `shape` at `scale` output px a texel."""
    t = tex
    if mirror:
        t = np.concatenate([t, t[:, ::-1]], 1)
        t = np.concatenate([t, t[::-1]], 0)
    if rng.random() < 0.5:
        t = t.T
    ny = int(math.ceil(shape[0] / scale / t.shape[0])) + 1
    nx = int(math.ceil(shape[1] / scale / t.shape[1])) + 1
    big = np.tile(t, (ny, nx))
    oy, ox = rng.integers(0, t.shape[0]), rng.integers(0, t.shape[1])
    yy = oy + (np.arange(shape[0]) + 0.5) / scale
    xx = ox + (np.arange(shape[1]) + 0.5) / scale
    yi = np.minimum(yy.astype(int), big.shape[0] - 2)
    xi = np.minimum(xx.astype(int), big.shape[1] - 2)
    fy = (yy - yi)[:, None]
    fx = (xx - xi)[None, :]
    a = big[yi][:, xi]
    b = big[yi][:, xi + 1]
    c = big[yi + 1][:, xi]
    d = big[yi + 1][:, xi + 1]
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


def load_gray(name):
    from PIL import Image
    return np.asarray(Image.open(TEX + name).convert("L"), np.float32) / 255.0


# ---------------------------------------------------------------- the form
class Page:
    def __init__(self, s):
        self.s = s  # render px a mm
        self.W = int(round((PAGE_W + 2 * MARGIN) * s))
        self.H = int(round((PAGE_H + 2 * MARGIN) * s))
        self.print_s, self.pc = a8(self.W, self.H)
        self.tint_s, self.tc = a8(self.W, self.H)
        for c in (self.pc, self.tc):
            c.scale(s, s)
            c.translate(MARGIN, MARGIN)
            c.set_source_rgba(0, 0, 0, 1)
        fo = cairo.FontOptions()
        fo.set_hint_style(cairo.HINT_STYLE_NONE)
        fo.set_hint_metrics(cairo.HINT_METRICS_OFF)
        fo.set_antialias(cairo.ANTIALIAS_GRAY)
        self.fo = fo

    def text(self, x, y, txt, size, anchor="left", upright=True, ctx=None, width=None):
        """Set txt (size mm em) with its top-left (or centre) at x, y; returns its width."""
        check_coverage(txt)
        c = ctx or self.pc
        c.save()
        layout = PangoCairo.create_layout(c)
        PangoCairo.context_set_font_options(layout.get_context(), self.fo)
        desc = Pango.FontDescription.from_string(FONT_FAMILY)
        desc.set_absolute_size(size * Pango.SCALE)
        layout.set_font_description(desc)
        layout.context_changed()
        if width:
            layout.set_width(int(width * Pango.SCALE))
            layout.set_wrap(Pango.WrapMode.CHAR)
        layout.set_text(txt, -1)
        ink, log = layout.get_extents()
        lw, lh = log.width / Pango.SCALE, log.height / Pango.SCALE
        if anchor == "centre":
            x, y = x - lw / 2, y - lh / 2
        elif anchor == "right":
            x = x - lw
        c.translate(x, y)
        if upright:
            base = layout.get_baseline() / Pango.SCALE
            c.translate(0, base)
            c.transform(cairo.Matrix(1, 0, SLANT, 1, 0, 0))
            c.translate(0, -base)
        PangoCairo.show_layout(c, layout)
        c.restore()
        return lw, lh

    def rect(self, x, y, w, h, lw):
        self.pc.set_line_width(lw)
        self.pc.rectangle(x, y, w, h)
        self.pc.stroke()

    def hline(self, x0, x1, y, lw):
        self.pc.set_line_width(lw)
        self.pc.move_to(x0, y)
        self.pc.line_to(x1, y)
        self.pc.stroke()

    def vline(self, x, y0, y1, lw):
        self.pc.set_line_width(lw)
        self.pc.move_to(x, y0)
        self.pc.line_to(x, y1)
        self.pc.stroke()

    def tint(self, x, y, w, h):
        self.tc.rectangle(x, y, w, h)
        self.tc.fill()


def build_form(rng, page, firm, person):
    """Draws one of three layouts; returns (layout name, boxes), each box a dict with its inner
    rectangle (inside its rules' inner edges) in page mm, its kind, row and col."""
    lw = uni(rng, 0.2, 0.45)
    TW = uni(rng, 168, 178)
    x0 = (PAGE_W - TW) / 2
    boxes = []
    strip_h = uni(rng, 7, 9)
    tint_strips = rng.random() < 0.5
    upright_titles = rng.random() < 0.6
    r = rng.random()
    layout = "collection" if r < 0.4 else ("annex3" if r < 0.72 else "sampling")
    y = uni(rng, 16, 22)

    def row_of(y, kind, n, h, row, caption=None, under=None, widths=None):
        widths = widths or [TW / n] * n
        if caption:
            if tint_strips:
                page.tint(x0, y, TW, strip_h)
            page.rect(x0, y, TW, strip_h, lw)
            page.text(x0 + TW / 2, y + strip_h / 2, caption, uni(rng, 3.6, 4.4), "centre")
            y += strip_h
        x = x0
        for col, w in enumerate(widths):
            page.rect(x, y, w, h, lw)
            boxes.append(dict(kind=kind, row=row, col=col,
                              inner=(x + lw / 2, y + lw / 2, x + w - lw / 2, y + h - lw / 2)))
            if under:
                page.rect(x, y + h, w, 6.5, lw)
                page.text(x + w / 2, y + h + 3.25, "%s%d" % (under, col + 1), 3.4, "centre")
            x += w
        return y + h + (6.5 if under else 0)

    if layout == "collection":
        page.text(PAGE_W / 2, y, ["印章采集表", "电子印章印模采集表", "印章印模及签字采集表"][rng.integers(3)],
                  uni(rng, 6.5, 8), "centre", upright=upright_titles)
        y += 12
        for lab in ["单位名称", "统一社会信用代码", "经办人及联系电话"]:
            page.rect(x0, y, 48, 8, lw)
            page.rect(x0 + 48, y, TW - 48, 8, lw)
            page.text(x0 + 24, y + 4, lab, 3.8, "centre")
            if lab == "单位名称":
                page.text(x0 + 52, y + 4 - 2.0, firm, 4.0)
            y += 8
        y += uni(rng, 3, 6)
        n_leg = 4 if rng.random() < 0.35 else 3
        y = row_of(y, "official_seal", 3, uni(rng, 48, 54), 0, "单位公章（请加盖清晰、完整的印模）")
        y = row_of(y, "legal_rep_seal", n_leg, uni(rng, 34, 40), 1, "法定代表人印章")
        y = row_of(y, "signature", 3, uni(rng, 30, 35), 2, "法定代表人签字")
        y = row_of(y, "signature", 3, uni(rng, 30, 33), 3, "使用人签字")
        y += 4
        for note in ["注：1．请使用红色印油，每个方框内只盖一次，不得压线、歪斜、变形。",
                     "2．签字请使用黑色或蓝色签字笔，字迹清晰。"]:
            page.text(x0, y, note, 3.4)
            y += 5.5
    elif layout == "annex3":
        page.text(x0, y - 6, "附件3", 4.2)
        page.text(PAGE_W / 2, y + 2, "印章、签字样本采集表", uni(rng, 6.5, 7.5), "centre", upright=upright_titles)
        y += 10
        page.text(x0, y, "【请在下列方框内加盖印章或签字，印模须为正红色，清晰完整】", 3.4)
        y += 7
        TW = 174.0
        x0 = (PAGE_W - TW) / 2
        y = row_of(y, "official_seal", 3, uni(rng, 50, 55), 0, "单位公章", "签章")
        y += uni(rng, 4, 7)
        y = row_of(y, "signature", 3, uni(rng, 33, 37), 1, "法定代表人签字", "签字")
        y += uni(rng, 4, 7)
        y = row_of(y, "legal_rep_seal", 3, uni(rng, 38, 42), 2, "法定代表人印章", "签章")
    else:
        personal = rng.random() < 0.4
        title = "个人电子印章采样表" if personal else "单位电子印章采样表"
        page.text(PAGE_W / 2, y, title, uni(rng, 6.5, 7.5), "centre", upright=upright_titles)
        y += 11
        page.text(x0, y, "说明：", 3.8)
        y += 5.5
        for i, t in enumerate(["本表用于制作电子印章，印模须与实物一致。", "请在框内加盖清晰完整的印模，不得压线。",
                               "印模颜色为正红色，不得歪斜、变形。", "每个方框只盖一次。", "本表须与营业执照一致。"]):
            page.text(x0 + 4, y, "%d．%s" % (i + 1, t), 3.4)
            y += 5.2
        y += 3
        for lab, val in [("单位名称", firm), ("备注", "")]:
            page.rect(x0, y, 30, 8, lw)
            page.rect(x0 + 30, y, TW - 30, 8, lw)
            page.text(x0 + 15, y + 4, lab, 3.8, "centre")
            if val:
                page.text(x0 + 34, y + 2, val, 4.0)
            y += 8
        y += 4
        if personal:
            kind = "signature" if rng.random() < 0.6 else "legal_rep_seal"
            cap = "签名样本" if kind == "signature" else "个人名章样本"
        else:
            kind, cap = "official_seal", "印章样本"
        h = uni(rng, 58, 64)
        y = row_of(y, kind, 2, h, 0, cap)
        y = row_of(y, kind, 2, h, 1)
    page.text(PAGE_W - x0, PAGE_H - 14, "填表日期：    年   月   日", 3.6, "right")
    return layout, boxes, lw


# ---------------------------------------------------------------- defects
SEAL_DEFECTS = ["double", "smudged", "broken", "pale", "off_color", "tilted", "overlap_line", "bg_not_white",
                "text_under"]
SEAL_W = [13, 12, 13, 12, 9, 13, 12, 8, 8]
SECONDS = ["tilted", "bg_not_white", "text_under", "overlap_line", "double", "pale"]


def draw_defects(rng, kind):
    if kind == "signature":
        if rng.random() < 0.06:
            return True, set()
        d = set()
        if rng.random() < 0.12:
            d.add("overlap_line")
        if rng.random() < 0.08:
            d.add("bg_not_white")
        if rng.random() < 0.05:
            d.add("pale")
        return False, d
    if rng.random() < 0.08:
        return True, ({"bg_not_white"} if rng.random() < 0.12 else set())
    d = set()
    if rng.random() < 0.55:
        w = np.array(SEAL_W, float)
        d.add(SEAL_DEFECTS[rng.choice(len(w), p=w / w.sum())])
        if rng.random() < 0.18:
            for _ in range(10):
                x = SECONDS[rng.integers(len(SECONDS))]
                if x in d:
                    continue
                if x == "double" and d & {"smudged", "broken"}:
                    continue
                if x == "pale" and "off_color" in d:
                    continue
                d.add(x)
                break
    return False, d


# ---------------------------------------------------------------- main
def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng(seed)
    stem = "%03d" % index
    cap = capture.draw_capture(rng)  # the phone, the room, the app: drawn first
    if os.environ.get("SEAL_SHEET_DPI"):
        cap["dpi"] = int(os.environ["SEAL_SHEET_DPI"])
    s = cap["render_px_mm"]
    glyphs = Glyphs()
    place = PLACES[rng.integers(len(PLACES))]
    firm = place + CORES[rng.integers(len(CORES))] + TRADES[rng.integers(len(TRADES))] + FORMS[rng.integers(len(FORMS))]
    if len(firm) > 15:
        firm = place + CORES[rng.integers(len(CORES))] + "有限公司"
    person = SURNAMES[rng.integers(len(SURNAMES))] + "".join(GIVEN[i] for i in rng.integers(0, len(GIVEN), 1 + (rng.random() < 0.6)))
    check_coverage(firm + person + "".join(USES) + "之印0123456789")

    page = Page(s)
    layout, boxes, line_w = build_form(rng, page, firm, person)
    official = make_official(rng, firm)
    legal = make_legal(rng, person)
    # paper: body reflectance so that the bare sheet reads 0.84–0.9 through Clapper–Yule
    white = uni(rng, 0.84, 0.9) * np.array([uni(rng, 0.985, 1.01), 1.0, uni(rng, 0.985, 1.025)])
    rb_white = cy_inverse(white)
    rb_ref = float(rb_white.mean())
    toner_black = uni(rng, 0.04, 0.07)
    toner_a = float(-0.5 * math.log(cy_inverse(toner_black) / rb_ref))
    tint_tone = uni(rng, 0.1, 0.2)

    H, W = page.H, page.W
    absorb = np.zeros((3, H, W), np.float32)  # absorbance per pass, summed over layers
    truth_boxes = []
    under_texts = ["（盖章）", "签章处", "单位盖章", "年 月 日", "样本"]
    pen_name = list(PENS)[rng.integers(len(PENS))]
    red_cache = {}

    def red_for(target, off):
        return make_red(rng, rb_ref, target, off)

    stains = []
    plans = []
    for b in boxes:
        empty, defects = draw_defects(rng, b["kind"])
        plans.append((b, empty, defects))
        if "text_under" in defects:
            xi0, yi0, xi1, yi1 = b["inner"]
            b["under_text"] = under_texts[rng.integers(len(under_texts))]
            b["under_pos"] = ((xi0 + xi1) / 2 + uni(rng, -4, 4), (yi0 + yi1) / 2 + uni(rng, -3, 3))
            page.text(b["under_pos"][0], b["under_pos"][1], b["under_text"], uni(rng, 3.8, 5.0), "centre")
    print_cov = a8_array(page.print_s)
    tint_cov = a8_array(page.tint_s)
    # the form: a monochrome laser's toner, tints as a 45° line screen of 100–130 lpi
    period = 25.4 / uni(rng, 100, 130) * s
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    phase = ((xx + yy) / math.sqrt(2)) % period / period
    screen = (np.abs(phase - 0.5) * 2 < tint_tone).astype(np.float32)
    screen = ndimage.gaussian_filter(screen, 0.35)
    del yy, xx, phase
    toner = np.maximum(print_cov, tint_cov * screen)
    absorb += (toner * toner_a)[None]
    del screen

    # stains in bg_not_white boxes, as absorbance with a stated optical density
    for b, empty, defects in plans:
        if "bg_not_white" not in defects:
            continue
        xi0, yi0, xi1, yi1 = b["inner"]
        bw, bh = xi1 - xi0, yi1 - yi0
        ox, oy = int((xi0 + MARGIN) * s), int((yi0 + MARGIN) * s)
        nx, ny = int(bw * s), int(bh * s)
        kind = "highlighter" if rng.random() < 0.5 else "graphite"
        for attempt in range(6):
            if kind == "highlighter":
                col = [np.array([0.03, 0.12, 1.0]), np.array([0.05, 1.0, 0.35]), np.array([0.9, 0.08, 0.9])][rng.integers(3)]
                band = uni(rng, 0.35, 0.6) * bh
                yc = uni(rng, 0.3, 0.7) * bh
                ang = math.radians(uni(rng, -6, 6))
                Y, X = np.mgrid[0:ny, 0:nx].astype(np.float32) / s
                d = (Y - yc) * math.cos(ang) - (X - bw / 2) * math.sin(ang)
                along = X
                x_start, x_end = uni(rng, 0.02, 0.12) * bw, uni(rng, 0.85, 0.98) * bw
                field = (np.abs(d) < band / 2) & (along > x_start) & (along < x_end)
                field = ndimage.gaussian_filter(field.astype(np.float32), 0.25 * s)
                streak = 1 + 0.15 * smooth_noise(rng, (ny, nx), 6)
                streak *= 1 + 0.12 * np.sin(d[:, :] * 2 * math.pi / uni(rng, 0.8, 1.6))
                field = field * streak
                od = uni(rng, 0.2, 0.38)
            else:
                col = np.array([1.0, 1.0, 1.05])
                nz = smooth_noise(rng, (ny, nx), 5)
                Y, X = np.mgrid[0:ny, 0:nx].astype(np.float32)
                rr = np.hypot((X / nx - uni(rng, 0.35, 0.65)) / 0.55, (Y / ny - uni(rng, 0.35, 0.65)) / 0.55)
                field = np.clip(1.4 - rr * 1.6 + 0.35 * nz, 0, 1)
                field = ndimage.gaussian_filter(field, 0.6 * s)
                od = uni(rng, 0.15, 0.3)
            # fade out 2 mm inside the rules
            fx = np.minimum(np.arange(nx), nx - 1 - np.arange(nx)) / (2.0 * s)
            fy = np.minimum(np.arange(ny), ny - 1 - np.arange(ny)) / (2.0 * s)
            field = field * np.clip(np.minimum(fy[:, None], fx[None, :]), 0, 1)
            scale = solve_scale(rb_ref, col, 1 - 10 ** (-od))
            a_st = field[None] * (scale * col)[:, None, None]
            dens = (-np.log10(np.clip(1 - absorption(rb_ref, a_st.transpose(1, 2, 0)), 1e-6, 1))).max(-1)
            frac = float((dens >= 0.1).mean())
            if frac >= 0.3:
                break
        absorb[:, oy:oy + ny, ox:ox + nx] += a_st.astype(np.float32)
        b["stain"] = dict(kind=kind, od=round(od, 3), area_od_0_1=round(frac, 3))

    # impressions
    for b, empty, defects in plans:
        xi0, yi0, xi1, yi1 = b["inner"]
        cxb, cyb = (xi0 + xi1) / 2, (yi0 + yi1) / 2
        tb = dict(row=b["row"], col=b["col"], kind=b["kind"], empty=empty, defects=[], borderline=[])
        tb["_centre_mm"] = (cxb, cyb)
        tb["_inner"] = b["inner"]
        if empty:
            if "bg_not_white" in defects:
                tb["defects"].append("bg_not_white")
            tb["defects"].insert(0, "empty")
            truth_boxes.append(tb)
            continue
        kind = b["kind"]
        if kind == "official_seal":
            face = official
        elif kind == "legal_rep_seal":
            face = legal
        else:
            face = make_signature(rng, person)
        # turn
        if "tilted" in defects:
            ang_d = uni(rng, 12, 28) * (1 if rng.random() < 0.5 else -1)
        elif kind == "signature":
            ang_d = uni(rng, -2, 2)
        else:
            ang_d = uni(rng, -2, 2)
        ang = math.radians(ang_d)
        if face["shape"] == "round":
            hx = hy = face["d"] / 2
        elif face["shape"] == "rect":
            ca, sa = abs(math.cos(ang)), abs(math.sin(ang))
            hx = face["w"] / 2 * ca + face["h"] / 2 * sa
            hy = face["w"] / 2 * sa + face["h"] / 2 * ca
        else:
            hx, hy = face["half"]
        cx, cy_ = cxb + uni(rng, -2, 2), cyb + uni(rng, -2, 2)
        # keep a face that was not pushed inside its box where it can be
        room_x = (xi1 - xi0) / 2 - hx - 0.8
        room_y = (yi1 - yi0) / 2 - hy - 0.8
        if "overlap_line" not in defects:
            cx = cxb + float(np.clip(cx - cxb, -max(room_x, 0), max(room_x, 0)))
            cy_ = cyb + float(np.clip(cy_ - cyb, -max(room_y, 0), max(room_y, 0)))
        else:
            push = uni(rng, 1.2, 3.0)
            side = rng.integers(4)
            if kind == "signature":
                side = rng.integers(2)  # left or right, the long way
            if side == 0:
                cx = xi0 + hx - push
            elif side == 1:
                cx = xi1 - hx + push
            elif side == 2:
                cy_ = yi0 + hy - push
            else:
                cy_ = yi1 - hy + push
            tb["push_mm"] = round(push, 2)
        if "text_under" in defects:
            ux, uy = b["under_pos"]
            cx, cy_ = cx * 0.3 + ux * 0.7, cy_ * 0.3 + uy * 0.7
        # the crop at the render grid
        ext = max(hx, hy) + 6.0
        ox = int(math.floor((cx - ext + MARGIN) * s))
        oy = int(math.floor((cy_ - ext + MARGIN) * s))
        n = int(math.ceil(2 * ext * s)) + 2
        ox, oy = max(ox, 0), max(oy, 0)
        nx, ny = min(n, W - ox), min(n, H - oy)

        def press(px, py, pang):
            surf, ctx = a8(nx, ny)
            ctx.translate(-ox, -oy)
            ctx.scale(s, s)
            ctx.translate(MARGIN, MARGIN)
            if face["shape"] == "pen":
                draw_pen(ctx, face, px, py, pang)
            else:
                draw_face(ctx, glyphs, face, px, py, pang)
            return a8_array(surf)

        cov = press(cx, cy_, ang)
        # load and the pad's mottle, the squeeze to the rubber's edges, voids in the paper's valleys
        mott = 1 + uni(rng, 0.05, 0.12) * smooth_noise(rng, cov.shape, max(2, 2 * ext / uni(rng, 1.5, 3.5)))
        if kind != "signature":
            edge = np.clip(cov - ndimage.gaussian_filter(cov, 0.25 * s), 0, 1) * uni(rng, 0.2, 0.4)
            plane = 1 + uni(rng, -0.008, 0.008) * (np.arange(nx)[None, :] / s - ext) + \
                uni(rng, -0.008, 0.008) * (np.arange(ny)[:, None] / s - ext)
            voids = smooth_noise(rng, cov.shape, 2 * ext / 0.25) < -uni(rng, 1.9, 2.4)
            h = cov * mott * (1 + edge) * plane * (~voids)
        else:
            skips = smooth_noise(rng, cov.shape, 2 * ext / 0.6) < -uni(rng, 1.8, 2.4)
            h = cov * (1 + 0.1 * (mott - 1)) * (~skips)
        mask_cov = cov.copy()
        info = {}
        if "double" in defects:
            off = uni(rng, 0.8, 2.5)
            th = uni(rng, 0, 2 * math.pi)
            cov2 = press(cx + off * math.cos(th), cy_ + off * math.sin(th), ang + math.radians(uni(rng, -1.5, 1.5)))
            load2 = uni(rng, 0.5, 0.9)
            h = h + cov2 * load2 * mott
            mask_cov = np.maximum(mask_cov, cov2)
            info["double_offset_mm"] = round(off, 2)
        if "smudged" in defects:
            drag = uni(rng, 0.75, 1.25)
            th = uni(rng, 0, 2 * math.pi)
            steps = max(4, int(drag * s / 0.5))
            keep = uni(rng, 0.5, 0.65)
            acc = h * keep
            wsum = 0
            trail = np.zeros_like(h)
            weights = [(1 - k / steps) * 0.8 + 0.2 for k in range(1, steps + 1)]
            for k, wk in zip(range(1, steps + 1), weights):
                dk = drag * k / steps
                sh = ndimage.shift(h, (dk * math.sin(th) * s, dk * math.cos(th) * s), order=1)
                trail += sh * wk
                wsum += wk
                mask_cov = np.maximum(mask_cov, ndimage.shift(cov, (dk * math.sin(th) * s, dk * math.cos(th) * s), order=1))
            h = acc + trail / wsum * (1 - keep) * 1.6
            info["smear_mm"] = round(drag, 2)
        full_cov = mask_cov.copy()
        if "broken" in defects:
            target_lost = uni(rng, 0.18, 0.31)
            Y, X = np.mgrid[0:ny, 0:nx].astype(np.float32)
            X = X / s - (cx - (ox / s - MARGIN))
            Y = Y / s - (cy_ - (oy / s - MARGIN))
            th = uni(rng, 0, 2 * math.pi)
            wav = 0.3 * smooth_noise(rng, (ny, nx), 2 * ext / 3.0)
            if face["shape"] == "round" and rng.random() < 0.5:  # a domed face: a crescent
                r0 = face["d"] / 2
                shiftc = uni(rng, 0.1, 0.2) * r0
                p = np.hypot(X + shiftc * math.cos(th), Y + shiftc * math.sin(th)) + wav
                how = "crescent"
            else:
                p = X * math.cos(th) + Y * math.sin(th) + wav
                how = "cap"
            inked = mask_cov >= 0.5
            thr = float(np.quantile(p[inked], 1 - target_lost))
            fade = uni(rng, 0.3, 0.7)
            keepf = np.clip((thr - p) / fade + 0.5, 0, 1)
            h = h * keepf
            mask_cov = mask_cov * (keepf >= 0.5)
            lost = 1 - float((mask_cov >= 0.5).sum()) / max(1, int(inked.sum()))
            info["lost"] = round(lost, 3)
            info["broken_how"] = how
        # the ink
        if kind == "signature":
            target = uni(rng, 0.17, 0.3) if "pale" in defects else uni(rng, 0.75, 0.95)
            ratios = PENS[pen_name] * np.array([uni(rng, 0.95, 1.05), 1, uni(rng, 0.95, 1.05)])
            a_ink = solve_scale(rb_ref, ratios, target) * ratios
            info["pen"] = pen_name
        else:
            target = uni(rng, 0.17, 0.3) if "pale" in defects else uni(rng, 0.70, 0.92)
            off = None
            if "off_color" in defects:
                off = "orange" if rng.random() < 0.5 else "purple"
            key = (kind, off, "pale" in defects)
            if key not in red_cache or "pale" in defects:
                red_cache[key] = red_for(target, off)
            a_ink, hue = red_cache[key]
            a_ink = a_ink * solve_scale(rb_ref, a_ink, target)
            info["hue_deg"] = round(ink_hue(rb_ref, a_ink), 1)
        absorbed = float(absorption(rb_ref, a_ink).max())
        info["absorbed"] = round(absorbed, 3)
        absorb[:, oy:oy + ny, ox:ox + nx] += h[None].astype(np.float32) * a_ink[:, None, None].astype(np.float32)
        # over the line: read from the ink at the render grid
        ink_px = mask_cov >= 0.5
        yy_i, xx_i = np.nonzero(ink_px)
        xm = (ox + xx_i + 0.5) / s - MARGIN
        ym = (oy + yy_i + 0.5) / s - MARGIN
        reach = float(np.max(np.maximum.reduce([xi0 - xm, xm - xi1, yi0 - ym, ym - yi1]))) if len(xm) else -99
        labels = set(defects) - {"overlap_line"}
        border = set()
        if reach > 0.3:
            labels.add("overlap_line")
        elif reach >= -0.3:
            border.add("overlap_line")
        if "broken" in defects:
            fy_, fx_ = np.nonzero(full_cov >= 0.5)
            xm2 = (ox + fx_ + 0.5) / s - MARGIN
            ym2 = (oy + fy_ + 0.5) / s - MARGIN
            reach_full = float(np.max(np.maximum.reduce([xi0 - xm2, xm2 - xi1, yi0 - ym2, ym2 - yi1])))
            if reach_full >= -0.3 and "overlap_line" not in labels:
                border.add("overlap_line")
        info["reach_mm"] = round(reach, 2)
        info["tilt_deg"] = round(ang_d, 1)
        order = ["empty", "pale", "broken", "double", "smudged", "overlap_line", "tilted", "bg_not_white",
                 "text_under", "off_color"]
        tb["defects"] = [d for d in order if d in labels]
        tb["borderline"] = sorted(border)
        if face["shape"] == "round":
            tb["diameter_mm"] = round(face["d"], 2)
        elif face["shape"] == "rect":
            tb["size_mm"] = [round(face["w"], 2), round(face["h"], 2)]
        tb.update(info)
        if "stain" in b:
            tb["stain"] = b["stain"]
        tb["_mask"] = (mask_cov, ox, oy)
        truth_boxes.append(tb)
    for tb, (b, empty, defects) in zip(truth_boxes, plans):
        if empty and "stain" in b:
            tb["stain"] = b["stain"]
    del print_cov, tint_cov, toner

    # the paper: digiKam's scanned paper as grain, the crumpled scan as cockle (for the light)
    grain_tex = load_gray("paper-texture.png")
    grain_tex = (grain_tex - grain_tex.mean()) / grain_tex.std()
    gscale = s * uni(rng, 0.03, 0.06)  # render px a texel
    grain = tiled(grain_tex, (H, W), gscale, rng)
    grain = 1 + uni(rng, 0.004, 0.009) * grain
    body = rb_white[:, None, None].astype(np.float32) * grain[None].astype(np.float32)
    refl = cy(body * np.exp(-2 * absorb)).astype(np.float32)
    del absorb, body, grain
    # sheet's outline: beyond the page, the desk
    page_mask = np.zeros((H, W), np.float32)
    m0 = int(round(MARGIN * s))
    page_mask[m0:H - m0, m0:W - m0] = 1
    desk_name = ["cellwood-texture.png", "marble-texture.png", "stone-texture.png", "wall-texture.png"][rng.integers(4)]
    desk_tex = load_gray(desk_name)
    desk = tiled(desk_tex, (H, W), s * uni(rng, 0.25, 0.6), rng)
    desk_tone = uni(rng, 0.12, 0.35)
    desk_col = desk_tone * np.array([uni(rng, 0.9, 1.25), 1.0, uni(rng, 0.6, 1.0)])
    desk_img = desk_col[:, None, None] * (0.75 + 0.5 * desk[None])
    shadow = 1 - uni(rng, 0.15, 0.4) * ndimage.gaussian_filter(page_mask, 0.9 * s)
    pm = ndimage.gaussian_filter(page_mask, 0.05 * s)[None]
    scene = refl * pm + desk_img.astype(np.float32) * shadow[None] * (1 - pm)
    del refl, desk_img, desk, shadow
    cockle_tex = load_gray(["paper-pattern.png", "paper2-texture.png"][rng.integers(2)])
    cockle_tex = (cockle_tex - ndimage.gaussian_filter(cockle_tex, 12)) / (cockle_tex.std() + 1e-6)
    cockle = tiled(cockle_tex, (H // 4 + 1, W // 4 + 1), s / 4 * uni(rng, 0.4, 0.9), rng)
    cockle = ndimage.zoom(cockle, 4, order=1)[:H, :W]
    cockle_amp = uni(rng, 0.004, 0.014)
    scene *= (1 + cockle_amp * cockle * page_mask)[None]
    del cockle, page_mask

    out = capture.photograph_and_scan(rng, scene, cap, s, MARGIN)
    img, Pmap, meta = out  # Pmap: page mm -> delivered px (homography 3x3)
    del scene

    # truth: boxes, masks through the whole map
    os.makedirs(outdir, exist_ok=True)
    Hout, Wout = img.shape[:2]
    final = []
    lin = None
    for tb in truth_boxes:
        inner = tb.pop("_inner")
        c = capture.apply_h(Pmap, np.array([tb.pop("_centre_mm")]))[0]
        tb["box_centre_px"] = [round(float(c[0]), 1), round(float(c[1]), 1)]
        mk = tb.pop("_mask", None)
        if mk is not None:
            mcov, ox, oy = mk
            m, mx0, my0 = capture.mask_to_output(mcov, ox, oy, s, MARGIN, Pmap, Wout, Hout)
            if m is None or m.sum() == 0:
                tb["empty"] = True
            name = "%s.r%dc%d.mask.png" % (stem, tb["row"], tb["col"])
            from PIL import Image
            Image.fromarray((m * 255).astype(np.uint8), "L").save(os.path.join(outdir, name), optimize=True)
            tb["mask"] = name
            tb["mask_offset"] = [int(mx0), int(my0)]
        else:
            m, mx0, my0 = None, 0, 0
        # is the box clearly not white in the delivered file? its density there (linear light,
        # strongest channel) against the paper around the box (the 90th percentile of a ring 3–9 mm out)
        if lin is None:
            v = img.astype(np.float32) / 255.0
            lin = np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)
            del v
        frac = capture.delivered_density_area(lin, Pmap, inner, m, mx0, my0)
        tb["delivered_area_od_0_1"] = round(frac, 3)
        if "bg_not_white" in tb["defects"] and frac < 0.25:
            # the app took the stain away: no longer clearly there, scored neither way
            tb["defects"].remove("bg_not_white")
            tb["borderline"] = sorted(set(tb["borderline"]) | {"bg_not_white"})
        elif "bg_not_white" not in tb["defects"] and frac >= 0.25:
            # a clean box that the light (the phone's shadow left by the app) darkened
            tb["borderline"] = sorted(set(tb["borderline"]) | {"bg_not_white"})
        final.append(tb)
    ext = meta["ext"]
    fname = "%s.%s" % (stem, ext)
    capture.save(img, os.path.join(outdir, fname), meta)
    truth = dict(maker="scanapp", seed=seed, dpi=round(meta["dpi"], 2), dpi_in_file=meta["dpi_in_file"],
                 skew_deg=round(meta["skew_deg"], 3), file=fname, layout=layout,
                 firm=firm, person=person, line_mm=round(line_w, 3),
                 phone=meta["phone"], app=meta["app"], boxes=final)
    with open(os.path.join(outdir, stem + ".truth.json"), "w") as f:
        json.dump(truth, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
