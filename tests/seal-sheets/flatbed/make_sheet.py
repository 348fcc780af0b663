#!/usr/bin/python3
"""Sheet maker E ("flatbed", issue 76): one collection sheet drawn by matplotlib's Agg renderer
(glyph outlines as TextPath from WenQuanYi Zen Hei, AR PL SungtiL GB and AR PL KaitiM GB,
transformed one by one; rings, frames, stars and pen strokes as Path patches), in page
millimetres at a render grid of 400-600 dpi. The form is printed by an inkjet (a blue-noise
threshold mask, drops wider than the grid composed by a Poisson overlap, swath banding) on
paper whose grain is a real scanned paper texture (Krita's paper patterns, krita-data). Stamp
ink is a Kubelka-Munk layer over what lies under it, its thickness the rubber's squeeze to the
edges, the stamp's pressure tilt and the paper's relief (the valleys it misses are voids).
flatbed/ccd.py is the scanner (a CCD flatbed with a three-line sensor). Writes NNN.<ext>,
NNN.truth.json and one mask PNG per impression (truth.md's format).

Ranges come from the labels' definitions and the forms' printed rules (正红、不歪、不变型、
不压线、字迹清晰无缺损, white clean paper), in page millimetres, none within +-15 % of a
label's limit on purpose; `overlap_line` and its `borderline` are read from the ink as drawn.

Usage: make_sheet.py SEED OUTDIR INDEX
"""

import json
import math
import os
import sys

import numpy as np
import matplotlib

matplotlib.use("Agg")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.patches import PathPatch, Rectangle  # noqa: E402
from matplotlib.path import Path  # noqa: E402
from matplotlib.textpath import TextPath  # noqa: E402
from matplotlib.transforms import Affine2D  # noqa: E402
from PIL import Image  # noqa: E402
from scipy import ndimage, signal  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ccd  # noqa: E402

A4 = (210.0, 297.0)
HEI = FontProperties(fname="/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
SONG = FontProperties(fname="/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf")
KAI = FontProperties(fname="/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf")
PAPERS = ["/usr/share/krita/patterns/03_default-paper.png", "/usr/share/krita/patterns/06_hard-grain.png"]
FIRMS = ["重庆嘉陵江物流股份有限公司", "山西晋中煤机制造有限公司", "福建闽江水产食品有限公司", "吉林长白山旅游开发有限公司",
         "广西桂林山水文化传媒有限公司", "甘肃陇原建设工程有限公司", "湖南湘江智能装备有限公司", "宁夏贺兰山葡萄酒业有限公司",
         "青岛黄海船舶配件有限公司", "浙江钱塘软件信息技术有限公司"]
USES = ["合同专用章", "财务专用章", "业务专用章", "", "", ""]
PERSONS = ["吕志强", "郭芳", "魏建华", "孔令杰", "邓晓燕", "许明", "罗永红", "金海", "钟丽娟", "田野"]
SEAL_POOL = ["pale", "broken", "double", "smudged", "overlap_line", "tilted", "bg_not_white", "text_under", "off_color", "empty"]
PEN_POOL = ["pale", "overlap_line", "bg_not_white", "empty"]
MM_PT = 72.0 / 25.4


# ---------------------------------------------------------------- drawing (matplotlib Agg)

def render(x0, y0, wpx, hpx, ppmm, draw):
    """Draws in page mm onto a grid of wpx x hpx pixels whose corner is page mm (x0, y0);
    returns the darkness (1 - grey) as float32."""
    dpi = ppmm * 25.4
    fig = Figure(figsize=(wpx / dpi, hpx / dpi), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(x0, x0 + wpx / ppmm)
    ax.set_ylim(y0 + hpx / ppmm, y0)
    ax.axis("off")
    draw(ax)
    fig.canvas.draw()
    buf = np.asarray(fig.canvas.buffer_rgba())[:, :, 0]
    out = np.zeros((hpx, wpx), np.float32)
    h, w = min(hpx, buf.shape[0]), min(wpx, buf.shape[1])
    out[:h, :w] = 1.0 - buf[:h, :w].astype(np.float32) / 255.0
    return out


def patch(ax, path, tf, grey=0.0, lw_mm=0.0):
    ax.add_artist(PathPatch(path, transform=tf + ax.transData, facecolor=(grey,) * 3, edgecolor=(grey,) * 3 if lw_mm > 0 else "none",
                           linewidth=lw_mm * MM_PT, snap=False, antialiased=True, joinstyle="round"))


def glyph(ch, prop):
    """A character's outline, centred on its ink box, y turned down, and its size (mm at size 1)."""
    p = TextPath((0, 0), ch, size=1.0, prop=prop)
    (x0, y0), (x1, y1) = p.vertices.min(axis=0), p.vertices.max(axis=0)
    t = Affine2D().translate(-(x0 + x1) / 2, -(y0 + y1) / 2).scale(1, -1)
    return t.transform_path(p), (x1 - x0, y1 - y0)


def text_line(ax, s, x, y, h, prop, grey=0.0, anchor="l", tf=None, bold=0.0):
    p = TextPath((0, 0), s, size=h, prop=prop)
    (x0, y0), (x1, y1) = p.vertices.min(axis=0), p.vertices.max(axis=0)
    dx = {"l": -x0, "c": -(x0 + x1) / 2, "r": -x1}[anchor]
    t = Affine2D().translate(dx, -(y0 + y1) / 2).scale(1, -1).translate(x, y)
    if tf is not None:
        t = t + tf
    patch(ax, p, t, grey, bold)
    return x1 - x0


def circle_path(r, n=720):
    a = np.linspace(0, 2 * math.pi, n)
    return np.c_[r * np.cos(a), r * np.sin(a)]


def ring(r_out, r_in):
    outer, inner = circle_path(r_out), circle_path(r_in)[::-1]
    verts = np.r_[outer, inner]
    codes = [Path.MOVETO] + [Path.LINETO] * (len(outer) - 2) + [Path.CLOSEPOLY] + [Path.MOVETO] + [Path.LINETO] * (len(inner) - 2) + [Path.CLOSEPOLY]
    return Path(verts, codes)


def star(r):
    pts = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.382
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((rr * math.cos(a), rr * math.sin(a)))
    return Path(pts + [pts[0]], [Path.MOVETO] + [Path.LINETO] * 9 + [Path.CLOSEPOLY])


def rect_frame(w, h, t):
    o = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2), (-w / 2, -h / 2)]
    i = [(-w / 2 + t, -h / 2 + t), (-w / 2 + t, h / 2 - t), (w / 2 - t, h / 2 - t), (w / 2 - t, -h / 2 + t), (-w / 2 + t, -h / 2 + t)]
    codes = [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY] * 2
    return Path(o + i, codes)


def official_face(rng):
    """公章: ring, star, the firm's name along the upper arc, a use, a code on the lower arc."""
    d = float(rng.uniform(38.5, 44.5))
    r = d / 2
    ringw = float(rng.uniform(0.9, 1.5))
    firm = str(rng.choice(FIRMS))
    use = str(rng.choice(USES))
    code = "".join(str(int(c)) for c in rng.integers(0, 10, 13)) if rng.random() < 0.5 else ""
    prop = SONG if rng.random() < 0.6 else HEI
    bold = float(rng.uniform(0.08, 0.2)) if prop is SONG else float(rng.uniform(0.0, 0.06))
    span = math.radians(float(rng.uniform(200, 250)))
    ch_h = float(rng.uniform(0.14, 0.17)) * d
    squeeze = float(rng.uniform(0.6, 0.8))
    r_text = r - ringw - float(rng.uniform(0.7, 1.3)) - ch_h / 2
    star_r = float(rng.uniform(0.28, 0.34)) * r

    def draw(ax, tf):
        patch(ax, ring(r, r - ringw), tf)
        patch(ax, star(star_r), Affine2D().translate(0, -0.02 * d) + tf)
        n = len(firm)
        for i, ch in enumerate(firm):
            phi = -span / 2 + span * (i + 0.5) / n
            g, _ = glyph(ch, prop)
            t = Affine2D().scale(ch_h * squeeze, ch_h).rotate(phi).translate(r_text * math.sin(phi), -r_text * math.cos(phi))
            patch(ax, g, t + tf, 0.0, bold)
        if use:
            text_line(ax, use, 0, r * 0.52, d * 0.085, prop, anchor="c", tf=tf, bold=bold)
        if code:
            ch_c = 0.055 * d
            rc = r - ringw - 0.6 - ch_c / 2
            cspan = math.radians(float(rng.uniform(70, 95)))
            for i, ch in enumerate(code):
                psi = cspan / 2 - cspan * (i + 0.5) / len(code)
                g, _ = glyph(ch, HEI)
                t = Affine2D().scale(ch_c * 0.55, ch_c).rotate(psi).translate(-rc * math.sin(psi), rc * math.cos(psi))
                patch(ax, g, t + tf)
    return draw, {"diameter_mm": round(d, 3)}, (d, d)


def legal_face(rng):
    """法人章: a square or a rectangle with a frame, the name and 印 / 之印, a quarter 阴文."""
    person = str(rng.choice(PERSONS))
    rect = rng.random() < 0.35
    if rect:
        long_ = float(rng.uniform(17.0, 22.0))
        short = long_ / float(rng.uniform(1.25, 1.55))
        w, h = (long_, short) if rng.random() < 0.5 else (short, long_)
    else:
        w = h = float(rng.uniform(15.5, 21.5))
    frame = float(rng.uniform(0.6, 1.1))
    yin = rng.random() < 0.25
    prop = KAI if rng.random() < 0.5 else SONG
    bold = float(rng.uniform(0.1, 0.22))
    chars = list(person + ("之印" if len(person) == 2 else "印"))
    gap = float(rng.uniform(0.5, 0.9))
    inner_w, inner_h = w - 2 * frame - 2 * gap, h - 2 * frame - 2 * gap
    cells = []
    if rect and w > h:  # one row, right to left as seals read
        n = len(chars)
        cw = inner_w / n
        for i, ch in enumerate(chars):
            cells.append((ch, inner_w / 2 - cw * (i + 0.5), 0.0, cw * 0.86, inner_h * 0.8))
    elif rect:  # one column, top to bottom
        n = len(chars)
        chh = inner_h / n
        for i, ch in enumerate(chars):
            cells.append((ch, 0.0, -inner_h / 2 + chh * (i + 0.5), inner_w * 0.8, chh * 0.86))
    else:  # 2 x 2, columns right to left, or 3 characters with 印 filling the left column
        cw, chh = inner_w / 2, inner_h / 2
        if len(chars) == 4:
            pos = [(cw / 2, -chh / 2), (cw / 2, chh / 2), (-cw / 2, -chh / 2), (-cw / 2, chh / 2)]
            for ch, (x, y) in zip(chars, pos):
                cells.append((ch, x, y, cw * 0.86, chh * 0.86))
        else:
            cells.append((chars[0], cw / 2, -chh / 2, cw * 0.86, chh * 0.86))
            cells.append((chars[1], cw / 2, chh / 2, cw * 0.86, chh * 0.86))
            cells.append((chars[2], -cw / 2, 0.0, cw * 0.86, inner_h * 0.9))

    def draw(ax, tf):
        if yin:
            patch(ax, Path([(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2), (-w / 2, -h / 2)],
                           [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY]), tf)  # the whole face
            for ch, x, y, cw_, ch_ in cells:
                g, (gw, gh) = glyph(ch, prop)
                patch(ax, g, Affine2D().scale(cw_ / gw * 0.92, ch_ / gh * 0.92).translate(x, y) + tf, 1.0, bold * 0.5)
        else:
            patch(ax, rect_frame(w, h, frame), tf)
            for ch, x, y, cw_, ch_ in cells:
                g, (gw, gh) = glyph(ch, prop)
                patch(ax, g, Affine2D().scale(cw_ / gw, ch_ / gh).translate(x, y) + tf, 0.0, bold)
    return draw, {"size_mm": [round(w, 3), round(h, 3)]}, (w, h)


def pen_face(rng):
    """A signature: cursive strokes in 2-3 character cells, slanted, as cubic Bézier paths."""
    n = int(rng.integers(2, 4))
    cw = float(rng.uniform(7.5, 10.5))
    chh = cw * float(rng.uniform(1.0, 1.25))
    lw = float(rng.uniform(0.32, 0.55))
    slant = math.tan(math.radians(float(rng.uniform(8, 24))))
    strokes = []
    x = -n * cw / 2
    for _ in range(n):
        for _ in range(int(rng.integers(3, 7))):
            kind = rng.integers(0, 4)
            sx, sy = x + rng.uniform(0.1, 0.6) * cw, rng.uniform(-0.45, 0.2) * chh
            if kind == 0:
                ex, ey = sx + rng.uniform(0.4, 0.9) * cw, sy + rng.uniform(-0.1, 0.1) * chh
            elif kind == 1:
                ex, ey = sx + rng.uniform(-0.1, 0.1) * cw, sy + rng.uniform(0.4, 0.8) * chh
            elif kind == 2:
                ex, ey = sx - rng.uniform(0.2, 0.5) * cw, sy + rng.uniform(0.3, 0.6) * chh
            else:
                ex, ey = sx + rng.uniform(0.3, 0.6) * cw, sy + rng.uniform(0.3, 0.6) * chh
            c1 = (sx + (ex - sx) / 3 + rng.normal(0, 0.12) * cw, sy + (ey - sy) / 3 + rng.normal(0, 0.12) * chh)
            c2 = (sx + 2 * (ex - sx) / 3 + rng.normal(0, 0.12) * cw, sy + 2 * (ey - sy) / 3 + rng.normal(0, 0.12) * chh)
            strokes.append([(sx, sy), c1, c2, (ex, ey)])
        x += cw * float(rng.uniform(0.95, 1.15))
    # a closing flourish under the name
    y = chh * 0.55
    strokes.append([(-n * cw / 2 + cw * 0.3, y), (0, y + rng.uniform(0.5, 1.5)), (n * cw / 4, y - rng.uniform(0, 1)), (n * cw / 2 + rng.uniform(0, 3), y - rng.uniform(1, 3))])

    def draw(ax, tf):
        shear = Affine2D(np.array([[1, -slant, 0], [0, 1, 0], [0, 0, 1]], float))
        for s in strokes:
            p = Path(s, [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4])
            ax.add_artist(PathPatch(p, transform=shear + tf + ax.transData, facecolor="none", edgecolor="black", linewidth=lw * MM_PT,
                                   capstyle="round", joinstyle="round", snap=False))
    return draw, {}, (n * cw + 6, chh * 2)


# ---------------------------------------------------------------- physics

def km(rg, rinf, sx):
    """Kubelka-Munk: reflectance of a layer (scattering x thickness sx, reflectance at infinite
    thickness rinf) over a background of reflectance rg."""
    a = 0.5 * (1.0 / rinf + rinf)
    b = math.sqrt(a * a - 1.0)
    cth = 1.0 / np.tanh(np.maximum(b * sx, 1e-4))
    return (1.0 - rg * (a - b * cth)) / (a - rg + b * cth)


def shift(a, dy, dx):
    """a moved by (dy, dx) whole pixels, zeros coming in."""
    out = np.zeros_like(a)
    h, w = a.shape
    out[max(0, dy):h + min(0, dy), max(0, dx):w + min(0, dx)] = a[max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)]
    return out


def encode(lin):
    return np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * np.power(np.maximum(lin, 1e-9), 1 / 2.4) - 0.055)


def hue(c):
    r, g, b = c
    mx, mn = max(c), min(c)
    if mx - mn < 1e-6:
        return 0.0
    if mx == r:
        h = 60 * (g - b) / (mx - mn)
    elif mx == g:
        h = 60 * (2 + (b - r) / (mx - mn))
    else:
        h = 60 * (4 + (r - g) / (mx - mn))
    return (h + 180) % 360 - 180


def ink(rng, pen, pale, off):
    """An ink's masstone (rinf per channel) and the nominal thickness, chosen so that over white
    paper its strongest channel absorbs the target and its hue is in the class meant."""
    for _ in range(200):
        if pen:
            base = np.array([0.05, 0.05, 0.06]) if rng.random() < 0.5 else np.array([0.09, 0.12, 0.32])
            rinf = np.clip(base * rng.uniform(0.85, 1.15, 3), 0.02, 0.6)
        else:
            rinf = np.array([rng.uniform(0.45, 0.7), rng.uniform(0.02, 0.05), 0.0])
            rinf[2] = rinf[1] * rng.uniform(0.85, 1.25)
            if off:
                if rng.random() < 0.5:  # purple: blue reflected
                    rinf[2] = rng.uniform(0.12, 0.3)
                    rinf[0] *= rng.uniform(0.6, 0.9)
                else:  # orange: green reflected
                    rinf[1] = rng.uniform(0.07, 0.18)
        target = rng.uniform(0.14, 0.28) if pale else rng.uniform(0.66, 0.92)
        lo, hi = 0.01, 60.0
        strong = int(np.argmin(rinf))
        for _ in range(60):
            mid = math.sqrt(lo * hi)
            if 1 - float(km(1.0, float(rinf[strong]), mid)) < target:
                lo = mid
            else:
                hi = mid
        sx = math.sqrt(lo * hi)
        if pen:
            return rinf, sx
        ok = True
        for f in (0.7, 1.0, 1.3):
            col = np.array([float(km(1.0, float(rinf[c]), sx * f)) for c in range(3)])
            h = hue(encode(col))
            lin_h = hue(col)  # the same colour's hue in linear light
            if off:
                ok &= 22 <= abs(h) <= 42 and abs(lin_h) >= 18
            else:
                ok &= abs(h) <= 6 and abs(lin_h) <= 7
        if ok:
            return rinf, sx
    raise RuntimeError("no ink found")


def smooth_noise(rng, h, w, scale_px):
    """Smooth noise, unit deviation, correlation length ~ scale_px, by FFT filtering."""
    n = rng.standard_normal((h, w)).astype(np.float32)
    f = np.fft.rfft2(n)
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.rfftfreq(w)[None, :]
    f *= np.exp(-((fx * fx + fy * fy) * (scale_px ** 2) * 4))
    out = np.fft.irfft2(f, s=(h, w)).astype(np.float32)
    return out / max(float(out.std()), 1e-6)


def blue_mask(rng, n=128):
    """A blue-noise threshold mask: white noise with its low frequencies taken away, ranked."""
    w = rng.random((n, n))
    f = np.fft.fft2(w)
    fy = np.fft.fftfreq(n)[:, None]
    fx = np.fft.fftfreq(n)[None, :]
    f *= 1 - np.exp(-(fx * fx + fy * fy) / (2 * 0.12 ** 2))
    hp = np.real(np.fft.ifft2(f))
    ranks = np.argsort(np.argsort(hp.ravel()))
    return ((ranks + 0.5) / ranks.size).reshape(n, n).astype(np.float32)


def paper_texture(rng, H, W, ppmm):
    img = np.asarray(Image.open(str(rng.choice(PAPERS))).convert("L"), np.float32)
    img = np.rot90(img, int(rng.integers(0, 4)))
    mm_per_tex = float(rng.uniform(0.035, 0.06))
    tile = ndimage.zoom(img, mm_per_tex * ppmm, order=1)
    tile = (tile - tile.mean()) / max(float(tile.std()), 1e-3)
    reps = (H // tile.shape[0] + 1, W // tile.shape[1] + 1)
    oy, ox = int(rng.integers(0, tile.shape[0])), int(rng.integers(0, tile.shape[1]))
    return np.tile(tile, reps)[:H, :W] if oy == 0 else np.roll(np.tile(tile, reps), (-oy, -ox), axis=(0, 1))[:H, :W]


# ---------------------------------------------------------------- the sheet

def layout(rng):
    left = float(rng.uniform(15, 22))
    right = A4[0] - float(rng.uniform(15, 22))
    top = float(rng.uniform(14, 22))
    label_w = float(rng.uniform(16, 24)) if rng.random() < 0.7 else 0.0
    line = float(rng.uniform(0.2, 0.5))
    frame = line * float(rng.uniform(1.0, 1.8))
    cap_h = float(rng.uniform(6, 8))
    table_top = top + float(rng.uniform(22, 30))
    avail = right - left - label_w
    rows = []
    y = table_top
    kinds = ["official_seal"]
    rest = ["official_seal", "legal_rep_seal", "signature", "legal_rep_seal", "signature"]
    rng.shuffle(rest)
    kinds += rest
    for kind in kinds:
        if kind == "official_seal":
            ncol = 2 if avail < 156 else int(rng.choice([2, 3]))
            h = float(rng.uniform(52, 60))
        elif kind == "legal_rep_seal":
            ncol = int(rng.integers(3, min(5, int(avail // 30)) + 1))
            h = float(rng.uniform(30, 38))
        else:
            ncol = int(rng.integers(2, min(4, int(avail // 36)) + 1))
            h = float(rng.uniform(23, 30))
        if y + h + cap_h > A4[1] - 24:
            continue
        rows.append((kind, ncol, y, h))
        y += h + cap_h
    return dict(left=left, right=right, top=top, label_w=label_w, line=line, frame=frame, cap_h=cap_h, table_top=table_top,
                table_bottom=y, rows=rows, grey=rng.random() < 0.4, grey_level=float(rng.uniform(0.06, 0.1)))


def make(seed, outdir, index):
    rng = np.random.default_rng(seed)
    dpi = int(rng.choice([150, 200, 300, 300, 300, 300, 400, 600, 600]))
    if os.environ.get("SEAL_SHEET_DPI"):
        dpi = int(os.environ["SEAL_SHEET_DPI"])
    k = {150: 4, 200: 3, 300: 2}.get(dpi, 1)
    rdpi = dpi * k
    ppmm = rdpi / 25.4
    W, H = int(round(A4[0] * ppmm)), int(round(A4[1] * ppmm))
    L = layout(rng)
    line, frame = L["line"], L["frame"]
    left, right, lw_ = L["left"], L["right"], L["label_w"]
    bx0 = left + lw_
    tinted = rng.random() < 0.08
    heads = {"official_seal": ["单位公章", "单位印章", "公章印模"], "legal_rep_seal": ["法定代表人章", "法人名章", "法人印鉴"],
             "signature": ["经办人签名", "法定代表人签字", "授权人签名"]}

    boxes = []
    for ri, (kind, ncol, y, h) in enumerate(L["rows"]):
        bw = (right - bx0) / ncol
        for ci in range(ncol):
            x = bx0 + ci * bw
            sides = (frame if (ci == 0 and lw_ == 0) else line, frame if ci == ncol - 1 else line, frame if ri == 0 else line, line)
            defects = []
            if rng.random() < 0.55:
                pool = PEN_POOL if kind == "signature" else SEAL_POOL
                defects.append(str(rng.choice(pool)))
                if defects[0] != "empty" and rng.random() < 0.12:
                    extra = str(rng.choice(pool))
                    if extra not in defects and extra != "empty" and {extra, defects[0]} != {"double", "smudged"}:
                        defects.append(extra)
            if tinted and "bg_not_white" not in defects:
                defects.append("bg_not_white")
            boxes.append({"row": ri, "col": ci, "kind": kind, "rect": (x, y, bw, h), "sides": sides, "defects": defects,
                          "empty": "empty" in defects})

    # faces and where they go (page mm), before anything is printed: text_under needs the place
    for b in boxes:
        if b["empty"]:
            continue
        x, y, w, h = b["rect"]
        maker = {"official_seal": official_face, "legal_rep_seal": legal_face, "signature": pen_face}[b["kind"]]
        draw, size, (fw, fh) = maker(rng)
        b.update(size)
        b["draw"], b["extent"] = draw, (fw, fh)
        if b["kind"] == "signature":
            angle = float(rng.uniform(-6, 6))
        elif "tilted" in b["defects"]:
            angle = float(rng.choice([-1, 1]) * rng.uniform(10, 30))
        else:
            angle = float(rng.uniform(-2.5, 2.5))
        b["tilt_deg"] = round(angle, 2)
        cx, cy = x + w / 2 + float(rng.uniform(-2, 2)), y + h / 2 + float(rng.uniform(-2, 2))
        th = math.radians(angle)
        hx = (abs(fw * math.cos(th)) + abs(fh * math.sin(th))) / 2
        hy = (abs(fw * math.sin(th)) + abs(fh * math.cos(th))) / 2
        if b["kind"] == "signature":
            hx, hy = hx * 0.75, hy * 0.6
        if "overlap_line" in b["defects"]:
            side = str(rng.choice(list("lrtb")))
            over = float(rng.uniform(1.0, 3.5))
            sl, sr, st, sb = b["sides"]
            if side == "l":
                cx = x + sl / 2 + hx - over
            elif side == "r":
                cx = x + w - sr / 2 - hx + over
            elif side == "t":
                cy = y + st / 2 + hy - over
            else:
                cy = y + h - sb / 2 - hy + over
        b["centre"] = (cx, cy)

    # ---- the form, printed by an inkjet
    title = str(rng.choice(["数字证书申请印章采集表", "印章及签名样式采集表", "电子认证业务印鉴采集表"]))
    title_font = HEI if rng.random() < 0.5 else SONG

    def draw_form(ax):
        def bar(x0, y0, x1, y1, grey=0.0):
            ax.add_artist(Rectangle((x0, y0), x1 - x0, y1 - y0, facecolor=(grey,) * 3, edgecolor="none", snap=False, antialiased=True))
        if L["grey"]:
            for kind, ncol, y, h in L["rows"]:
                bar(bx0, y + h, right, y + h + L["cap_h"], 1 - L["grey_level"])
            if lw_ > 0:
                bar(left, L["table_top"], bx0, L["table_bottom"], 1 - 0.7 * L["grey_level"])
        text_line(ax, title, A4[0] / 2, L["top"] + 5, float(rng.uniform(5.5, 7.0)), title_font, anchor="c", bold=0.12)
        yy = L["top"] + 15
        text_line(ax, "申请单位：", left, yy, 3.6, SONG, bold=0.05)
        bar(left + 19, yy + 2.2, left + 100, yy + 2.5)
        text_line(ax, "填表日期：      年    月    日", right, yy, 3.6, SONG, anchor="r", bold=0.05)
        t0, t1 = L["table_top"], L["table_bottom"]
        bar(left - frame / 2, t0 - frame / 2, right + frame / 2, t0 + frame / 2)
        bar(left - frame / 2, t1 - frame / 2, right + frame / 2, t1 + frame / 2)
        bar(left - frame / 2, t0, left + frame / 2, t1)
        bar(right - frame / 2, t0, right + frame / 2, t1)
        if lw_ > 0:
            bar(bx0 - line / 2, t0, bx0 + line / 2, t1)
        for ri, (kind, ncol, y, h) in enumerate(L["rows"]):
            bw = (right - bx0) / ncol
            if ri > 0:
                bar(left, y - line / 2, right, y + line / 2)
            bar(bx0, y + h - line / 2, right, y + h + line / 2)
            for ci in range(1, ncol):
                bar(bx0 + ci * bw - line / 2, y, bx0 + ci * bw + line / 2, y + h + L["cap_h"])
            for ci in range(ncol):
                text_line(ax, f"样式{'一二三四五'[ci]}", bx0 + (ci + 0.5) * bw, y + h + L["cap_h"] / 2, 3.0, HEI, anchor="c")
            if lw_ > 0:
                label = str(rng.choice(heads[kind]))
                step = min(5.0, (h + L["cap_h"] - 4) / len(label))
                for i, ch in enumerate(label):
                    text_line(ax, ch, left + lw_ / 2, y + (h + L["cap_h"]) / 2 + (i - (len(label) - 1) / 2) * step, min(3.8, step * 0.8),
                              SONG, anchor="c", bold=0.06)
        ny = L["table_bottom"] + 6
        for note in ["说明：1. 印模须清晰、完整，不得压线、歪斜，请使用红色印油。", "2. 签名须由本人亲笔书写，不得使用签名章。"]:
            if ny < A4[1] - 8:
                text_line(ax, note, left, ny, 3.0, SONG)
            ny += 5
        for b in boxes:
            if "text_under" in b["defects"] and not b["empty"]:
                cx, cy = b["centre"]
                s = str(rng.choice(["（盖章）", "年  月  日", "以下空白", "签章处"]))
                ch_h = float(rng.uniform(3.8, 5.0))
                text_line(ax, s, cx + float(rng.uniform(-3, 3)), cy + float(rng.uniform(-0.25, 0.25)) * b["extent"][1], ch_h, SONG,
                          anchor="c", bold=0.08)

    tone = render(0, 0, W, H, ppmm, draw_form)
    # inkjet: swath banding, a blue-noise threshold, drops wider than the grid (Poisson overlap)
    swath = float(rng.uniform(8, 14)) * ppmm
    nb = int(H / swath) + 2
    band = 1 + rng.normal(0, rng.uniform(0.01, 0.04), nb).astype(np.float32)
    tone *= band[(np.arange(H) / swath).astype(np.int64)][:, None]
    bm = blue_mask(rng)
    thr = np.tile(bm, (H // bm.shape[0] + 1, W // bm.shape[1] + 1))[:H, :W]
    dots = (tone > thr).astype(np.float32)
    del thr
    drop = float(rng.uniform(0.045, 0.075)) * ppmm  # drop diameter in render pixels
    rad = max(1, int(math.ceil(drop / 2)))
    yy, xx = np.mgrid[-rad - 1:rad + 2, -rad - 1:rad + 2]
    ker = np.clip(drop / 2 + 0.5 - np.hypot(xx, yy), 0, 1).astype(np.float32)
    ker *= (math.pi * drop * drop / 4) / ker.sum() * 1.2
    cover = 1.0 - np.exp(-ndimage.convolve(dots, ker, mode="constant"))
    del dots, tone
    black = np.clip(np.array([0.045, 0.045, 0.05]) * rng.uniform(0.8, 1.3, 3), 0.02, 0.09)

    # ---- paper: its base colour, its grain (a real scanned texture) and formation
    base = np.array([0.87, 0.87, 0.875]) * rng.uniform(0.995, 1.005, 3) * float(rng.uniform(0.97, 1.03))
    if tinted:
        d = np.array([[0.02, 0.05, 0.16], [0.0, 0.09, 0.06], [0.08, 0.04, 0.0], [0.08, 0.02, 0.08]][int(rng.integers(0, 4))]) * rng.uniform(1.0, 1.5)
        base = base * np.power(10.0, -d)
    tex = paper_texture(rng, H, W, ppmm)
    grain_amp = float(rng.uniform(0.003, 0.008))
    form_amp = float(rng.uniform(0.0015, 0.004))
    small = smooth_noise(rng, H // 16 + 1, W // 16 + 1, float(rng.uniform(1.5, 4.0)) * ppmm / 16)
    formation = ndimage.zoom(small, 16, order=1)[:H, :W]
    paper_mod = (1.0 + grain_amp * tex + form_amp * formation).astype(np.float32)
    del formation
    planes = [(base[c] * paper_mod * (1.0 - cover * (1.0 - black[c]))).astype(np.float32) for c in range(3)]
    del cover

    # stains (a coffee ring: its rim darker, its inside lighter) in boxes with bg_not_white
    for b in boxes:
        if "bg_not_white" in b["defects"] and not tinted:
            x, y, w, h = b["rect"]
            sx0, sy0, sx1, sy1 = int((x + 1) * ppmm), int((y + 1) * ppmm), int((x + w - 1) * ppmm), int((y + h - 1) * ppmm)
            hh, ww = sy1 - sy0, sx1 - sx0
            area = float(rng.uniform(0.15, 0.45)) * w * h
            rr = math.sqrt(area / math.pi)
            ecc = float(rng.uniform(0.75, 1.3))
            ex, ey = float(rng.uniform(0.3, 0.7)) * w, float(rng.uniform(0.3, 0.7)) * h
            yy, xx = np.mgrid[0:hh, 0:ww].astype(np.float32) / ppmm
            ang = np.arctan2(yy - ey, xx - ex)
            wob = sum(float(rng.normal(0, 0.06)) * np.cos(m * ang + float(rng.uniform(0, 6.3))) for m in range(2, 7))
            dist = np.hypot((xx - ex) * ecc, (yy - ey) / ecc) / (rr * (1 + wob))
            inside = np.clip((1 - dist) * rr * ppmm / 2 + 0.5, 0, 1)
            rim = np.exp(-((1 - dist) * rr / float(rng.uniform(0.4, 1.0))) ** 2) * inside
            dens = float(rng.uniform(0.07, 0.14)) * inside + float(rng.uniform(0.1, 0.2)) * rim
            tint = np.array([0.35, 0.7, 1.0]) * rng.uniform(0.9, 1.1, 3)
            for c in range(3):
                planes[c][sy0:sy1, sx0:sx1] *= np.power(10.0, -dens * tint[c]).astype(np.float32)

    # ---- the impressions: Kubelka-Munk layers over the printed, stained paper
    covers = []
    for b in boxes:
        if b["empty"]:
            continue
        pen = b["kind"] == "signature"
        rinf, sx = ink(rng, pen, "pale" in b["defects"], "off_color" in b["defects"])
        cx, cy = b["centre"]
        fw, fh = b["extent"]
        half = math.hypot(fw, fh) / 2 + 4.0
        x0p, y0p = int(math.floor((cx - half) * ppmm)), int(math.floor((cy - half) * ppmm))
        n = int(math.ceil(2 * half * ppmm))
        X0, Y0 = x0p / ppmm, y0p / ppmm
        draw = b["draw"]
        presses = [(0.0, 0.0, 0.0, 1.0)]
        if "double" in b["defects"]:
            off = float(rng.uniform(0.8, 2.5))
            th = float(rng.uniform(0, 2 * math.pi))
            presses.append((off * math.cos(th), off * math.sin(th), float(rng.uniform(-1.5, 1.5)), float(rng.uniform(0.55, 1.0))))
            b["double_offset_mm"] = round(off, 3)
        thick = np.zeros((n, n), np.float32)
        cov = np.zeros((n, n), np.float32)
        intact = np.zeros((n, n), np.float32)
        yy, xx = (np.mgrid[0:n, 0:n].astype(np.float32) + 0.5) / ppmm
        xx += X0
        yy += Y0
        for (dx, dy, dang, load) in presses:
            tf = Affine2D().rotate_deg(b["tilt_deg"] + dang).translate(cx + dx, cy + dy)
            c = render(X0, Y0, n, n, ppmm, lambda ax: draw(ax, tf))
            intact = np.maximum(intact, c)
            # the rubber squeezes ink to the edges of its raised parts
            near = ndimage.uniform_filter(c, size=max(3, int(0.3 * ppmm)))
            t = c * (1.0 + float(rng.uniform(0.2, 0.45)) * np.clip(c - near, 0, 1) * 2)
            # pressure: the stamp held askew (a plane) and the pad's mottle
            pa = float(rng.uniform(0, 2 * math.pi))
            tiltp = float(rng.uniform(0.0, 0.012)) * ((xx - cx) * math.cos(pa) + (yy - cy) * math.sin(pa))
            mott = smooth_noise(rng, n, n, float(rng.uniform(0.8, 2.0)) * ppmm) * float(rng.uniform(0.05, 0.12))
            press = np.clip(1.0 + tiltp + mott, 0.7, 1.4)
            if not pen:
                # the paper's valleys that the rubber misses: voids
                relief = tex[y0p:y0p + n, x0p:x0p + n] if (y0p >= 0 and x0p >= 0 and y0p + n <= H and x0p + n <= W) else np.zeros((n, n), np.float32)
                if relief.shape != (n, n):
                    relief = np.zeros((n, n), np.float32)
                void = np.clip((-(relief) - float(rng.uniform(2.0, 2.6)) * press) * 3, 0, 1)
                c = c * (1 - void)
            else:
                # a pen skips now and then along its strokes
                skip = smooth_noise(rng, n, n, 0.4 * ppmm)
                c = c * np.clip((skip + 2.3) * 2, 0, 1)
            t = t * press * load
            thick += t
            cov = np.maximum(cov, c)
        if "broken" in b["defects"]:
            # part missing: a cap lost to uneven pressure, or a patch of voids
            ys_, xs_ = np.nonzero(cov >= 0.5)
            if rng.random() < 0.6:
                depth = float(rng.uniform(0.15, 0.3)) * max(fw, fh)
                th = float(rng.uniform(0, 2 * math.pi))
                along = (xx - cx) * math.cos(th) + (yy - cy) * math.sin(th)
                reach = float(along[cov >= 0.5].max())
                wave = 0.4 * smooth_noise(rng, n, n, 2.5 * ppmm)
                keep = np.clip((reach - depth + wave - along) / 0.25, 0, 1)
            else:
                blob = smooth_noise(rng, n, n, float(rng.uniform(2.5, 4.0)) * ppmm)
                inside = cov >= 0.5
                level = float(np.quantile(blob[inside], 1 - float(rng.uniform(0.18, 0.3))))
                keep = np.clip((level - blob) * 8, 0, 1)
            cov = cov * (keep >= 0.5)
            thick = thick * keep
        if "smudged" in b["defects"]:
            # a drag: the thickness convolved along one direction (a motion blur, load falling)
            length = float(rng.uniform(0.75, 1.4))
            th = float(rng.uniform(0, 2 * math.pi))
            m = int(math.ceil(length * ppmm)) + 1
            kk = np.zeros((2 * m + 1, 2 * m + 1), np.float32)
            steps = max(4, int(length * ppmm * 2))
            end = float(rng.uniform(0.35, 0.55))
            for s in range(steps + 1):
                f = s / steps
                px, py = m + f * length * ppmm * math.cos(th), m + f * length * ppmm * math.sin(th)
                ix, iy = int(round(px)), int(round(py))
                kk[iy, ix] += 1.0 - (1.0 - end) * f
            kk /= kk.sum() / 1.15
            thick = signal.fftconvolve(thick, kk, mode="same").astype(np.float32)
            # the trail whole: the union of the coverage over every place the face passed
            union = cov.copy()
            for j, i in zip(*np.nonzero(kk)):
                union = np.maximum(union, shift(cov, int(j) - m, int(i) - m))
            cov = union
            b["smear_mm"] = round(length, 3)
        # Kubelka-Munk over what lies below, where the ink covers
        sl = (slice(max(0, y0p), min(H, y0p + n)), slice(max(0, x0p), min(W, x0p + n)))
        il = (slice(sl[0].start - y0p, sl[0].stop - y0p), slice(sl[1].start - x0p, sl[1].stop - x0p))
        tt = np.clip(thick[il], 0, 3) * sx
        cc = cov[il]
        for c in range(3):
            rg = planes[c][sl]
            planes[c][sl] = rg + cc * (km(rg, float(rinf[c]), tt) - rg)
        covers.append((b, cov, intact, x0p, y0p))

    lid = [float(v) for v in float(rng.uniform(0.78, 0.86)) * rng.uniform(0.99, 1.01, 3)]
    scanner = ccd.Flatbed(rng, dpi, k, W, H, lid)
    sensed = [scanner.geometry(p, c) for c, p in enumerate(planes)]
    del planes
    sensed = scanner.optics(sensed)
    rgb = scanner.sense(sensed)
    del sensed
    ext, data, in_file = scanner.encode(rgb)
    name = f"{index:03d}"
    with open(os.path.join(outdir, f"{name}.{ext}"), "wb") as f:
        f.write(data)

    recs = []
    cov_of = {id(b): (cv, it, ox, oy) for b, cv, it, ox, oy in covers}
    for b in boxes:
        x, y, w, h = b["rect"]
        rec = {"row": b["row"], "col": b["col"], "kind": b["kind"], "empty": b["empty"]}
        defects = set(b["defects"])
        border = set()
        if id(b) in cov_of:
            cv, it, ox, oy = cov_of[id(b)]
            sl_, sr_, st_, sb_ = b["sides"]

            def past(m):
                ys_, xs_ = np.nonzero(m >= 0.5)
                if len(xs_) == 0:
                    return -99.0
                l_, r_ = (ox + xs_.min()) / ppmm, (ox + xs_.max() + 1) / ppmm
                t_, b_ = (oy + ys_.min()) / ppmm, (oy + ys_.max() + 1) / ppmm
                return max((x + sl_ / 2) - l_, r_ - (x + w - sr_ / 2), (y + st_ / 2) - t_, b_ - (y + h - sb_ / 2))
            drawn = past(cv)
            defects.discard("overlap_line")
            if drawn > 0.3:
                defects.add("overlap_line")
            elif drawn > -0.3:
                border.add("overlap_line")
            elif "broken" in defects and past(it) > -0.3:
                border.add("overlap_line")
            m, (mx, my) = scanner.mask(cv, ox, oy)
            m = m >= 0.5
            ys_, xs_ = np.nonzero(m)
            if len(xs_) == 0:
                rec["empty"] = True
                defects = {"empty"} | ({"bg_not_white"} & defects)
            else:
                crop = m[ys_.min():ys_.max() + 1, xs_.min():xs_.max() + 1]
                mname = f"{name}.r{b['row']}c{b['col']}.mask.png"
                Image.fromarray((crop * 255).astype(np.uint8)).save(os.path.join(outdir, mname))
                rec["mask"] = mname
                rec["mask_offset"] = [int(mx + xs_.min()), int(my + ys_.min())]
        rec["defects"] = sorted(defects)
        rec["borderline"] = sorted(border)
        bcx, bcy = scanner.forward((x + w / 2) * ppmm, (y + h / 2) * ppmm)
        rec["box_centre_px"] = [round(bcx, 2), round(bcy, 2)]
        for key in ("diameter_mm", "size_mm", "tilt_deg", "double_offset_mm", "smear_mm"):
            if key in b:
                rec[key] = b[key]
        recs.append(rec)
    doc = {"maker": "flatbed", "seed": seed, "dpi": dpi, "dpi_in_file": in_file, "skew_deg": round(scanner.skew, 3),
           "file": f"{name}.{ext}", "boxes": recs}
    with open(os.path.join(outdir, f"{name}.truth.json"), "w") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    make(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
