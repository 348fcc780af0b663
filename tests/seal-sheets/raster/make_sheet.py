#!/usr/bin/python3
"""Sheet maker D ("raster"): one collection sheet drawn straight into pixels with Pillow
(ImageDraw, FreeType through ImageFont: AR PL UKai / UMing, 楷体 and 明体, emboldened by a
stroke), at a render grid of 400-800 dpi, with its own geometry (arc text as glyph images
turned one by one). Paper is a real scanned texture (GIMP's "Paper" and "Crinkled Paper"
patterns, gimp-data) tiled as grain; the form is laser toner (solid, spread by dot gain, its
grey strips halftoned by a clustered-dot screen); the ink is a layer of absorbance
(Beer–Lambert: optical densities add, reflectance 10^−D per channel) of a thickness that the
pad's mottle and the paper's own grain modulate. A fifth of the sheets (those scanned at
≤ 300 dpi) are a colour laser copy of the stamped sheet: the whole page separated into
cyan, magenta and yellow toner, each through its own rotated clustered-dot screen at 600 dpi,
with dot gain. raster/cis.py is the scanner (a contact-image sensor line model). Writes
NNN.<ext>, NNN.truth.json and one mask PNG per impression (truth.md).

Ranges come from the labels' definitions and the forms' printed rules (正红、不歪、不变型、
不压线、字迹清晰无缺损, white clean paper), in page millimetres, none within ±15 % of a
label's limit on purpose; `overlap_line` is read from the ink as drawn for every kind.

Usage: make_sheet.py SEED OUTDIR INDEX
"""

import json
import math
import os
import random
import struct
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cis  # noqa: E402

A4 = (210.0, 297.0)
KAI = "/usr/share/fonts/truetype/arphic/ukai.ttc"
MING = "/usr/share/fonts/truetype/arphic/uming.ttc"
PATTERNS = "/usr/share/gimp/2.0/patterns"
FIRMS = ["天津渤海湾港务服务有限公司", "安徽徽商电子科技有限公司", "云南滇池生物制药有限公司", "辽宁沈北机械装备有限公司",
         "江西赣江新材料股份有限公司", "贵州黔南茶业有限责任公司", "海南椰城国际贸易有限公司", "内蒙古草原乳业有限公司"]
USES = ["合同专用章", "财务专用章", "人事专用章", "", ""]
PERSONS = ["宋佳", "韩雪梅", "唐国栋", "冯晨", "曹文博", "彭丽", "潘家豪", "袁晓", "蒋春生", "谢婷"]
SEAL_POOL = ["pale", "broken", "double", "smudged", "overlap_line", "tilted", "bg_not_white", "text_under", "off_color", "empty"]
PEN_POOL = ["pale", "overlap_line", "bg_not_white", "empty"]

_fonts = {}


def font(path, px):
    key = (path, px)
    if key not in _fonts:
        _fonts[key] = ImageFont.truetype(path, px, index=0)
    return _fonts[key]


def gpat(name):
    """A GIMP pattern (.pat): big-endian header size, version, width, height, bytes per
    pixel, 'GPAT', name; then the raw pixels. Returned as float (h, w, channels)."""
    with open(os.path.join(PATTERNS, name), "rb") as f:
        raw = f.read()
    hs, _ver, w, h, bpp = struct.unpack(">5I", raw[:20])
    return np.frombuffer(raw[hs:hs + w * h * bpp], np.uint8).reshape(h, w, bpp).astype(np.float32)


def smooth(nrng, h, w, cell):
    """Smooth noise in −1..1 of feature size `cell` pixels (a coarse random grid, bicubic)."""
    gh, gw = max(2, int(h / cell) + 3), max(2, int(w / cell) + 3)
    g = Image.fromarray(nrng.uniform(-1, 1, (gh, gw)).astype(np.float32), "F")
    return np.asarray(g.resize((w, h), Image.BICUBIC), dtype=np.float32)


def glyph(ch, path, px, bold):
    """One character as coverage (float 0..1), centred in a square of 1.5 em."""
    n = int(px * 1.5) + 2
    im = Image.new("L", (n, n), 0)
    ImageDraw.Draw(im).text((n / 2, n / 2), ch, font=font(path, px), fill=255, anchor="mm",
                            stroke_width=bold, stroke_fill=255)
    return im


def paste_max(canvas, img, cx, cy):
    """Puts coverage `img` (L image or float array) centred on canvas pixel (cx, cy), keeping
    the larger value."""
    a = np.asarray(img, dtype=np.float32) / (255.0 if isinstance(img, Image.Image) else 1.0)
    h, w = a.shape
    x0, y0 = int(round(cx - w / 2)), int(round(cy - h / 2))
    xa, ya = max(0, x0), max(0, y0)
    xb, yb = min(canvas.shape[1], x0 + w), min(canvas.shape[0], y0 + h)
    if xa >= xb or ya >= yb:
        return
    region = canvas[ya:yb, xa:xb]
    np.maximum(region, a[ya - y0:yb - y0, xa - x0:xb - x0], out=region)


def round_face(rng, ppmm):
    """A 公章 face, upright, as coverage around the canvas centre: ring, star, the firm's
    name on the upper arc, a use across the lower half, sometimes the 13-digit code on the
    lower arc."""
    d = rng.uniform(38.5, 44.5)
    r = d / 2
    n = int((d + 1) * ppmm) | 1
    c = n / 2
    im = Image.new("L", (n, n), 0)
    dr = ImageDraw.Draw(im)
    ring = rng.uniform(0.9, 1.5)
    dr.ellipse([c - r * ppmm, c - r * ppmm, c + r * ppmm, c + r * ppmm], outline=255, width=max(1, round(ring * ppmm)))
    rs = d * rng.uniform(0.15, 0.185) * ppmm
    pts = [(c + (rs if k % 2 == 0 else rs * 0.38) * math.sin(math.radians(36 * k)),
            c - (rs if k % 2 == 0 else rs * 0.38) * math.cos(math.radians(36 * k))) for k in range(10)]
    dr.polygon(pts, fill=255)
    canvas = np.asarray(im, dtype=np.float32) / 255.0
    canvas = canvas.copy()
    face = rng.choice([KAI, MING])
    bold = rng.uniform(0.025, 0.045)
    fs = d * rng.uniform(0.12, 0.145)
    name = rng.choice(FIRMS)
    span = rng.uniform(205, 250)
    rt = r - ring - rng.uniform(0.5, 0.9) - fs / 2
    for k, ch in enumerate(name):
        a = -span / 2 + span * (k + 0.5) / len(name)
        g = glyph(ch, face, int(fs * ppmm), max(1, round(bold * fs * ppmm))).rotate(-a, Image.BICUBIC, expand=True)
        paste_max(canvas, g, c + rt * ppmm * math.sin(math.radians(a)), c - rt * ppmm * math.cos(math.radians(a)))
    use = rng.choice(USES)
    us = fs * rng.uniform(0.75, 0.85)
    for k, ch in enumerate(use):
        g = glyph(ch, face, int(us * ppmm), max(1, round(bold * us * ppmm)))
        paste_max(canvas, g, c + (k - (len(use) - 1) / 2) * us * 1.05 * ppmm, c + r * rng.uniform(0.48, 0.56) * ppmm)
    if rng.random() < 0.55:
        code = "".join(str(rng.randrange(10)) for _ in range(13))
        cs = d * 0.052
        rc = r - ring - 0.45 - cs / 2
        for k, ch in enumerate(code):
            a = 180 + 48 - 96 * (k + 0.5) / 13
            g = glyph(ch, MING, int(cs * ppmm), 1).rotate(-(a - 180), Image.BICUBIC, expand=True)
            paste_max(canvas, g, c + rc * ppmm * math.sin(math.radians(a)), c - rc * ppmm * math.cos(math.radians(a)))
    return canvas, {"diameter_mm": round(d, 3)}, (d, d)


def fill_cell(ch, path, wpx, hpx, bold):
    """A character stretched to fill a cell of the seal (seal type fills its square)."""
    g = glyph(ch, path, int(max(wpx, hpx)), bold)
    bb = g.getbbox() or (0, 0, 1, 1)
    return g.crop(bb).resize((max(1, int(wpx)), max(1, int(hpx))), Image.BICUBIC)


def square_face(rng, ppmm):
    """A 法人章: frame and name, 2×2 (name + 之印 / name + 印) or three characters with 印
    filling the left column; a quarter 阴文 (the characters cut out of a field of ink)."""
    w = rng.uniform(15.5, 22.5)
    h = w if rng.random() < 0.75 else w / rng.uniform(1.1, 1.35)
    b = rng.uniform(0.7, 1.2)
    yin = rng.random() < 0.25
    W, H = int(w * ppmm), int(h * ppmm)
    pad = 2
    im = Image.new("L", (W + 2 * pad, H + 2 * pad), 0)
    dr = ImageDraw.Draw(im)
    if yin:
        dr.rectangle([pad, pad, pad + W - 1, pad + H - 1], fill=255)
    else:
        dr.rectangle([pad, pad, pad + W - 1, pad + H - 1], outline=255, width=max(1, round(b * ppmm)))
    canvas = np.asarray(im, dtype=np.float32) / 255.0
    canvas = canvas.copy()
    name = rng.choice(PERSONS)
    inner = 0.5 + (0.3 if yin else 0.0)
    x0, y0 = pad + (b + inner) * ppmm, pad + (b + inner) * ppmm
    cw, chh = (W - 2 * (b + inner) * ppmm) / 2, (H - 2 * (b + inner) * ppmm) / 2
    bold = max(1, round(0.1 * min(cw, chh) * rng.uniform(0.6, 1.0)))
    cells = []
    if len(name) == 3 or (len(name) == 2 and rng.random() < 0.6):
        chars = list(name + "之印") if len(name) == 2 else list(name + "印")
        for k, ch in enumerate(chars):
            col, row = 1 - k // 2, k % 2
            cells.append((ch, x0 + col * cw, y0 + row * chh, cw, chh))
    else:
        cells = [(name[0], x0 + cw, y0, cw, chh), (name[1], x0 + cw, y0 + chh, cw, chh), ("印", x0, y0, cw, 2 * chh)]
    for ch, cx0, cy0, cwid, chei in cells:
        g = np.asarray(fill_cell(ch, MING if rng.random() < 0.5 else KAI, cwid * 0.9, chei * 0.9, bold), dtype=np.float32) / 255.0
        gy, gx = int(cy0 + chei * 0.05), int(cx0 + cwid * 0.05)
        region = canvas[gy:gy + g.shape[0], gx:gx + g.shape[1]]
        g = g[:region.shape[0], :region.shape[1]]
        if yin:
            np.minimum(region, 1.0 - g, out=region)
        else:
            np.maximum(region, g, out=region)
    return canvas, {"size_mm": [round(w, 3), round(h, 3)]}, (w, h)


def pen_face(rng, ppmm):
    """A signature: the name in 楷体 at a slant, letters crowding, and a closing stroke."""
    name = rng.choice(PERSONS)
    size = rng.uniform(7.0, 10.0)
    n_w, n_h = int((len(name) * size + 8) * ppmm), int((size + 8) * ppmm)
    canvas = np.zeros((n_h, n_w), np.float32)
    bold = max(1, round(rng.uniform(0.06, 0.12) * ppmm * 2))
    x = 4 * ppmm + size * ppmm / 2
    for ch in name:
        g = glyph(ch, KAI, int(size * ppmm * rng.uniform(0.9, 1.1)), bold).rotate(rng.uniform(-8, 8), Image.BICUBIC, expand=True)
        paste_max(canvas, g, x, n_h / 2 + rng.uniform(-1.0, 1.0) * ppmm)
        x += size * ppmm * rng.uniform(0.72, 0.92)
    im = Image.fromarray((canvas * 255).astype(np.uint8))
    dr = ImageDraw.Draw(im)
    p0 = (x - size * ppmm * 0.6, n_h / 2 + size * ppmm * 0.3)
    p1 = (x + rng.uniform(0, 2) * ppmm, n_h / 2 - size * ppmm * 0.35)
    p2 = (4 * ppmm, n_h / 2 + size * ppmm * rng.uniform(0.3, 0.5))
    pts = [((1 - t) ** 2 * p0[0] + 2 * t * (1 - t) * p1[0] + t * t * p2[0], (1 - t) ** 2 * p0[1] + 2 * t * (1 - t) * p1[1] + t * t * p2[1])
           for t in np.linspace(0, 1, 40)]
    dr.line(pts, fill=255, width=max(1, round(rng.uniform(0.3, 0.55) * ppmm)), joint="curve")
    slant = math.tan(math.radians(rng.uniform(8, 22)))
    im = im.transform((n_w + int(n_h * slant), n_h), Image.AFFINE, (1, slant, -n_h * slant, 0, 1, 0), Image.BICUBIC)
    a = np.asarray(im, dtype=np.float32) / 255.0
    ys, xs = np.nonzero(a > 0.02)
    a = a[max(0, ys.min() - 3):ys.max() + 4, max(0, xs.min() - 3):xs.max() + 4]
    return a.copy(), {}, (a.shape[1] / ppmm, a.shape[0] / ppmm)


def ink_densities(rng, kind, defects):
    """The ink's optical densities at a full layer (per channel R, G, B) and the layer's
    thickness. Seal ink from a hue (正红 within ±6° of red on the HSV circle, off-colour
    24-50° away), a full layer absorbing 0.74-0.97 of the light in its strongest channel;
    a pale one 0.14-0.33 (the definition's line 0.42-0.45, a normal stamp 0.6-0.95)."""
    if kind == "signature":
        base = rng.choice([(1.6, 1.5, 1.3), (1.3, 1.0, 0.35), (1.1, 1.0, 0.7)])
    else:
        hue = rng.uniform(-6.0, 6.0)
        if "off_color" in defects:
            hue = rng.choice([rng.uniform(-50.0, -24.0), rng.uniform(24.0, 40.0)])
        sat, val = rng.uniform(0.84, 0.95), rng.uniform(0.84, 0.95)
        h6 = (hue % 360.0) / 60.0
        i, f = int(h6) % 6, h6 - int(h6)
        p, q, t = val * (1 - sat), val * (1 - sat * f), val * (1 - sat * (1 - f))
        rgb = [(val, t, p), (q, val, p), (p, val, t), (p, q, val), (t, p, val), (val, p, q)][i]
        lin = [((v + 0.055) / 1.055) ** 2.4 if v > 0.04045 else v / 12.92 for v in rgb]
        base = tuple(min(2.2, -math.log10(max(v, 1e-3))) for v in lin)
    top = max(base)
    # Absorptance a in the strongest channel: D = −log10(1 − a).
    a = rng.uniform(0.14, 0.33) if "pale" in defects else rng.uniform(0.76, 0.97)
    scale = -math.log10(1 - a) / top
    return np.array(base, np.float32) * scale


def laser_screen(h, w, x0, y0, period, angle):
    """Clustered-dot threshold (0..1) of a screen of `period` pixels at `angle` degrees."""
    yy, xx = np.mgrid[y0:y0 + h, x0:x0 + w].astype(np.float32)
    t = math.radians(angle)
    u = (xx * math.cos(t) + yy * math.sin(t)) * (2 * math.pi / period)
    v = (-xx * math.sin(t) + yy * math.cos(t)) * (2 * math.pi / period)
    return (1.0 - (np.cos(u) + np.cos(v)) / 2.0) / 2.0


def make(seed, outdir, index):
    rng = random.Random(seed)
    dpi = rng.choice([150, 200, 300, 300, 300, 300, 400, 600])
    dpi = int(os.environ.get("SEAL_SHEET_DPI", dpi))
    render = {150: 600, 200: 600, 300: 600, 400: 800, 600: 600}.get(dpi, 600)
    k = render // dpi if render % dpi == 0 else 1
    if render % dpi:
        render = dpi
    ppmm = render / 25.4
    nrng = np.random.default_rng(rng.randrange(1 << 31))
    W, H = k * int(round(A4[0] / 25.4 * dpi)), k * int(round(A4[1] / 25.4 * dpi))

    # Paper: white stock with the grain of a scanned paper texture; a tenth tinted (recycled,
    # cream or grey stock).
    tinted = rng.random() < 0.1
    if tinted:
        paper_d = np.array([rng.uniform(0.03, 0.05), rng.uniform(0.07, 0.11), rng.uniform(0.18, 0.26)], np.float32)
    else:
        paper_d = np.array([rng.uniform(0.0, 0.006), rng.uniform(0.0, 0.008), rng.uniform(0.0, 0.014)], np.float32)
    pat = gpat(rng.choice(["Paper/paper.pat", "Paper/crinklepaper.pat"]))
    grain_mm = rng.uniform(0.1, 0.25)
    tile = Image.fromarray(np.clip(pat.mean(axis=2), 0, 255).astype(np.uint8))
    side = max(8, int(tile.width * grain_mm * ppmm))
    tile = np.asarray(tile.resize((side, side), Image.BICUBIC), np.float32)
    tile = (tile - tile.mean()) / (tile.std() + 1e-6)
    if rng.random() < 0.5:
        tile = tile.T
    reps = (H // side + 2, W // side + 2)
    oy, ox = rng.randrange(side), rng.randrange(side)
    grain = np.tile(tile, reps)[oy:oy + H, ox:ox + W]
    grain_amp = rng.uniform(0.002, 0.005)
    dens = [np.full((H, W), paper_d[c], np.float32) + grain_amp * grain for c in range(3)]

    # The form: laser toner on a bitmap of the page.
    form = Image.new("L", (W, H), 0)
    fd = ImageDraw.Draw(form)
    shade = Image.new("L", (W, H), 0)
    sd = ImageDraw.Draw(shade)
    P = lambda mm: mm * ppmm
    line = rng.uniform(0.2, 0.5)
    lw = max(1, round(line * ppmm))
    title = rng.choice(["印章印模及签字样本采集表", "电子印章制作申请表（印模页）", "单位印章备案采样表"])
    fd.text((P(A4[0] / 2), P(rng.uniform(16, 22))), title, font=font(MING, int(P(rng.uniform(5.5, 7)))), fill=255, anchor="mm",
            stroke_width=1, stroke_fill=255)
    templates = [["official_seal", "legal_rep_seal", "signature"], ["official_seal", "official_seal", "legal_rep_seal"],
                 ["official_seal", "signature", "legal_rep_seal", "signature"], ["legal_rep_seal", "official_seal", "signature"]]
    kinds = rng.choice(templates)
    heights = {"official_seal": (54, 61), "legal_rep_seal": (34, 42), "signature": (27, 34)}
    heading_txt = {"official_seal": ["单位公章", "合同专用章", "印章样本"], "legal_rep_seal": ["法定代表人名章", "法人签章"],
                   "signature": ["法定代表人签字", "经办人签名"]}
    left = rng.uniform(15, 24)
    width = A4[0] - 2 * left
    strip = rng.uniform(7, 10)
    shaded = rng.random() < 0.3
    y = rng.uniform(28, 36)
    if rng.random() < 0.6:
        fd.text((P(left), P(y - 4)), f"单位名称：{rng.choice(FIRMS)}", font=font(MING, int(P(3.6))), fill=255, anchor="lm")
        y += 4
    rows = []
    for ri, kind in enumerate(kinds):
        h = rng.uniform(*heights[kind])
        if y + strip + h > A4[1] - 22:
            break
        ncol = rng.choice([2, 3, 3]) if kind == "official_seal" else rng.choice([3, 3, 4])
        bw = width / ncol
        if shaded:
            sd.rectangle([P(left), P(y), P(left + width), P(y + strip)], fill=255)
        fd.rectangle([P(left), P(y), P(left + width), P(y + strip + h)], outline=255, width=lw)
        fd.line([P(left), P(y + strip), P(left + width), P(y + strip)], fill=255, width=lw)
        for ci in range(1, ncol):
            fd.line([P(left + ci * bw), P(y + strip), P(left + ci * bw), P(y + strip + h)], fill=255, width=lw)
        fd.text((P(left + 3), P(y + strip / 2)), rng.choice(heading_txt[kind]), font=font(MING, int(P(strip * 0.45))), fill=255,
                anchor="lm", stroke_width=1, stroke_fill=255)
        rows.append((kind, [(left + ci * bw, y + strip, bw, h) for ci in range(ncol)]))
        y += strip + h + rng.uniform(5, 12)
    notes = ["注：1. 印章须清晰完整，不得压线、歪斜。", "2. 请使用红色印油，签字须本人亲笔。"]
    for kk, note in enumerate(notes):
        fd.text((P(left), P(min(y + 2, A4[1] - 18) + kk * 5)), note, font=font(MING, int(P(3.2))), fill=255, anchor="lm")

    boxes = []
    impressions = []
    for ri, (kind, rects) in enumerate(rows):
        for ci, (x, yb, w, h) in enumerate(rects):
            defects = []
            if rng.random() < 0.55:
                pool = PEN_POOL if kind == "signature" else SEAL_POOL
                defects.append(rng.choice(pool))
                if defects[0] != "empty" and rng.random() < 0.12:
                    extra = rng.choice(pool)
                    if extra not in defects and extra != "empty" and {extra, defects[0]} != {"double", "smudged"}:
                        defects.append(extra)
            if tinted and "bg_not_white" not in defects:
                defects.append("bg_not_white")
            box = {"row": ri, "col": ci, "kind": kind, "rect": (x, yb, w, h), "defects": defects, "borderline": [],
                   "empty": "empty" in defects}
            boxes.append(box)
            if "bg_not_white" in defects and not tinted:
                # A stain: a blot of tea or toner dust, its edge from smooth noise, its inside the
                # crinkled paper's own colour variation.
                sx0, sy0, sx1, sy1 = int(P(x + 1)), int(P(yb + 1)), int(P(x + w - 1)), int(P(yb + h - 1))
                hh, ww = sy1 - sy0, sx1 - sx0
                yy, xx = np.mgrid[0:hh, 0:ww].astype(np.float32)
                ex, ey = rng.uniform(0.25, 0.75) * ww, rng.uniform(0.25, 0.75) * hh
                rx, ry = rng.uniform(0.22, 0.4) * ww, rng.uniform(0.22, 0.4) * hh
                blob = ((xx - ex) / rx) ** 2 + ((yy - ey) / ry) ** 2 + 0.35 * smooth(nrng, hh, ww, P(4))
                st = np.clip((1.0 - blob) * 4.0, 0.0, 1.0)
                crinkle = gpat("Paper/crinklepaper.pat")
                crk = np.asarray(Image.fromarray(crinkle.astype(np.uint8)).resize((ww, hh), Image.BICUBIC), np.float32) / 255.0
                tone = np.array(rng.choice([(0.05, 0.12, 0.26), (0.07, 0.1, 0.2), (0.04, 0.09, 0.22)]), np.float32) * rng.uniform(0.9, 1.4)
                for c in range(3):
                    dens[c][sy0:sy1, sx0:sx1] += st * tone[c] * (0.7 + 0.6 * (1 - crk[:, :, c]))
            if box["empty"]:
                continue
            maker = {"official_seal": round_face, "legal_rep_seal": square_face, "signature": pen_face}[kind]
            face, size, (fw, fh) = maker(rng, ppmm)
            box.update(size)
            angle = rng.uniform(-2.5, 2.5)
            if "tilted" in defects:
                angle = rng.choice([-1, 1]) * rng.uniform(9.0, 32.0)
            if kind == "signature":
                angle = rng.uniform(-5, 5)
            box["tilt_deg"] = round(angle, 2)
            img = Image.fromarray(face, "F").rotate(-angle, Image.BICUBIC, expand=True)
            face = np.clip(np.asarray(img, np.float32), 0.0, 1.0)
            margin = int(P(3.5))
            face = np.pad(face, margin)
            fhpx, fwpx = face.shape
            # Where the face's centre goes (page mm): near the box's centre, or pushed over a line.
            cx, cy = x + w / 2 + rng.uniform(-2, 2), yb + h / 2 + rng.uniform(-2, 2)
            ys_, xs_ = np.nonzero(face >= 0.5)
            half_x = (xs_.max() - xs_.min() + 1) / 2 / ppmm
            half_y = (ys_.max() - ys_.min() + 1) / 2 / ppmm
            if "overlap_line" in defects:
                side = rng.choice("lrtb")
                over = rng.uniform(1.0, 3.5)
                if side == "l":
                    cx = x + line / 2 + half_x - over
                elif side == "r":
                    cx = x + w - line / 2 - half_x + over
                elif side == "t":
                    cy = yb + line / 2 + half_y - over
                else:
                    cy = yb + h - line / 2 - half_y + over
            if "broken" in defects:
                # A cap lost to uneven pressure: a wavy cut 14-30 % of the face deep.
                depth = rng.uniform(0.14, 0.30) * max(fw, fh)
                th = rng.uniform(0, 2 * math.pi)
                yy, xx = np.mgrid[0:fhpx, 0:fwpx].astype(np.float32)
                along = ((xx - fwpx / 2) * math.cos(th) + (yy - fhpx / 2) * math.sin(th)) / ppmm
                reach = float(along[face >= 0.5].max())
                wave = 0.5 * smooth(nrng, fhpx, fwpx, P(3))
                keep = np.clip((reach - depth + wave - along) * ppmm / 2 + 0.5, 0.0, 1.0)
                face = face * keep
            # Pressings: (dx mm, dy mm, load); thickness composed by sum (double) or max (drag).
            pressings = [(0.0, 0.0, 1.0)]
            compose = "sum"
            if "double" in defects:
                off = rng.uniform(0.8, 2.5)
                th = rng.uniform(0, 2 * math.pi)
                pressings.append((off * math.cos(th), off * math.sin(th), rng.uniform(0.5, 1.0)))
                box["double_offset_mm"] = round(off, 3)
            if "smudged" in defects:
                length = rng.uniform(0.72, 1.45)
                th = rng.uniform(0, 2 * math.pi)
                steps = max(3, int(length * ppmm))
                end = rng.uniform(0.2, 0.45)
                pressings = [(length * s / steps * math.cos(th), length * s / steps * math.sin(th), 1.0 - (1.0 - end) * (s / steps) ** 0.8)
                             for s in range(steps + 1)]
                compose = "max"
                box["smear_mm"] = round(length, 3)
            dens_ink = ink_densities(rng, kind, defects)
            ox, oy = int(round(P(cx) - fwpx / 2)), int(round(P(cy) - fhpx / 2))
            cover = np.zeros_like(face)
            thick = np.zeros_like(face)
            for dx, dy, load in pressings:
                sx, sy = P(dx), P(dy)
                ix, iy = int(math.floor(sx)), int(math.floor(sy))
                fx, fy = sx - ix, sy - iy
                sh = np.roll(np.roll(face, iy, 0), ix, 1)
                sh = (1 - fy) * sh + fy * np.roll(sh, 1, 0)
                sh = (1 - fx) * sh + fx * np.roll(sh, 1, 1)
                if kind == "signature":
                    layer = sh * load
                else:
                    mottle = 1.0 + rng.uniform(0.1, 0.22) * smooth(nrng, fhpx, fwpx, P(rng.uniform(0.8, 2.5)))
                    layer = sh * load * mottle
                thick = thick + layer if compose == "sum" else np.maximum(thick, layer)
                np.maximum(cover, sh, out=cover)
            # The ink sinks into the paper's grain: thicker in its valleys.
            ya, yb2 = max(0, oy), min(H, oy + fhpx)
            xa, xb = max(0, ox), min(W, ox + fwpx)
            sl = (slice(ya - oy, yb2 - oy), slice(xa - ox, xb - ox))
            thick[sl] *= 1.0 + 0.08 * np.clip(grain[ya:yb2, xa:xb], -2.5, 2.5)
            impressions.append((box, thick, cover, dens_ink, ox, oy, sl, (ya, yb2, xa, xb)))
            if "text_under" in defects:
                tx, ty = cx + rng.uniform(-5, 5), cy + rng.uniform(-6, 6)
                fd.text((P(tx), P(ty)), rng.choice(["（盖章）", "以上印鉴属实", "年　月　日"]), font=font(MING, int(P(rng.uniform(3.8, 5.0)))),
                        fill=255, anchor="mm", stroke_width=1, stroke_fill=255)

    # Toner: a solid layer whose edges spread (dot gain), the strips' grey by a 45° screen.
    toner = np.asarray(form.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.9) * render / 600)), np.float32) / 255.0
    toner_d = rng.uniform(1.2, 1.6)
    if shaded:
        sh = np.asarray(shade, np.float32) > 0
        ys_, xs_ = np.nonzero(sh.any(axis=1))[0], np.nonzero(sh.any(axis=0))[0]
        scr = laser_screen(ys_.max() + 1 - ys_.min(), xs_.max() + 1 - xs_.min(), xs_.min(), ys_.min(), render / rng.uniform(85, 110), 45)
        grey = rng.uniform(0.08, 0.14)
        dots = (scr < grey) & sh[ys_.min():ys_.max() + 1, xs_.min():xs_.max() + 1]
        toner[ys_.min():ys_.max() + 1, xs_.min():xs_.max() + 1] = np.maximum(toner[ys_.min():ys_.max() + 1, xs_.min():xs_.max() + 1], dots * 0.9)
    for c in range(3):
        dens[c] += toner * toner_d * (1.0, 1.02, 1.05)[c]
    truth_cov = []
    for box, thick, cover, dens_ink, ox, oy, sl, (ya, yb2, xa, xb) in impressions:
        for c in range(3):
            dens[c][ya:yb2, xa:xb] += np.minimum(thick[sl] * dens_ink[c], 2.6)
        truth_cov.append((box, cover, ox, oy))
    del impressions

    copy = render == 600 and dpi <= 300 and rng.random() < 0.2
    planes = []
    for c in range(3):
        refl = np.power(10.0, -dens[c], dtype=np.float32)
        dens[c] = None
        if copy:
            # A colour laser copy: this channel's light taken by one toner (cyan for red,
            # magenta for green, yellow for blue), as coverage through its own screen, spread.
            tmax = 1.4
            cov = np.clip((1.0 - refl) / (1.0 - 10 ** -tmax), 0.0, 1.0)
            # Background suppression: the copier drops what is barely off white.
            cov = np.clip((cov - 0.03) / 0.97, 0.0, 1.0)
            scr = laser_screen(H, W, 0, 0, 600 / rng.uniform(140, 175), (15, 75, 0)[c])
            dots = (cov > scr).astype(np.float32)
            dots = cis.soft(cis.soft(dots, 0.6, 0), 0.6, 1)
            refl = np.power(10.0, -np.minimum(dots * 1.05, 1.0) * tmax, dtype=np.float32) * np.power(10.0, -paper_d[c] - grain_amp * grain)
        planes.append(refl)
    del dens

    scanner = cis.Cis(rng, dpi, k, W, H)
    sensed = [scanner.geometry(p, 1.0) for p in planes]
    del planes
    rgb = scanner.sense(sensed)
    ext, data, in_file = scanner.encode(rgb)
    name = f"{index:03d}"
    with open(os.path.join(outdir, f"{name}.{ext}"), "wb") as f:
        f.write(data)

    recs = []
    covers = {id(b): (cv, ox, oy) for b, cv, ox, oy in truth_cov}
    for b in boxes:
        x, yb, w, h = b["rect"]
        cx, cy = scanner.forward(P(x + w / 2), P(yb + h / 2))
        rec = {"row": b["row"], "col": b["col"], "kind": b["kind"], "empty": b["empty"]}
        defects = set(b["defects"])
        border = set()
        if id(b) in covers:
            cv, ox, oy = covers[id(b)]
            ys_, xs_ = np.nonzero(cv >= 0.5)
            # 不压线 is about the ink: how far the ink as drawn reaches past the inner edge of
            # its box's nearest line (mm; > 0.3 over the line, within ±0.3 borderline).
            left_mm, right_mm = (ox + xs_.min()) / ppmm, (ox + xs_.max() + 1) / ppmm
            top_mm, bot_mm = (oy + ys_.min()) / ppmm, (oy + ys_.max() + 1) / ppmm
            past = max((x + line / 2) - left_mm, right_mm - (x + w - line / 2), (yb + line / 2) - top_mm, bot_mm - (yb + h - line / 2))
            defects.discard("overlap_line")
            if past > 0.3:
                defects.add("overlap_line")
            elif past > -0.3:
                border.add("overlap_line")
            m, (mx, my) = scanner.mask(cv, ox, oy)
            m = m >= 0.5
            ys_, xs_ = np.nonzero(m)
            if len(xs_) == 0:
                rec["empty"] = True
            else:
                crop = m[ys_.min():ys_.max() + 1, xs_.min():xs_.max() + 1]
                mname = f"{name}.r{b['row']}c{b['col']}.mask.png"
                Image.fromarray((crop * 255).astype(np.uint8)).save(os.path.join(outdir, mname))
                rec["mask"] = mname
                rec["mask_offset"] = [int(mx + xs_.min()), int(my + ys_.min())]
        rec["defects"] = sorted(defects)
        rec["borderline"] = sorted(border)
        rec["box_centre_px"] = [round(cx, 2), round(cy, 2)]
        for key in ("diameter_mm", "size_mm", "tilt_deg", "double_offset_mm", "smear_mm"):
            if key in b:
                rec[key] = b[key]
        recs.append(rec)
    doc = {"maker": "raster", "seed": seed, "dpi": dpi, "dpi_in_file": in_file, "skew_deg": round(scanner.skew, 3),
           "file": f"{name}.{ext}", "copy": copy, "boxes": recs}
    with open(os.path.join(outdir, f"{name}.truth.json"), "w") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    make(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
