#!/usr/bin/python3
"""Sheet maker C ("outline"): a collection sheet written as a PostScript program. The seals'
text is glyph outlines read with fontTools and placed by this file's own arc code; the ink is a
pressure field over the stamp's face (low-frequency noise and the stamp held a little askew):
where pressure × the pad's load stays under the paper's take-up no ink transfers. Ghostscript
rasterises the page; outline/scan.sh (ImageMagick) makes the scan. Writes NNN.<ext>,
NNN.truth.json and one mask PNG per impression (truth.md).

Ranges come from the labels' definitions and the forms' printed rules (正红、不歪、不变型、
不压线、字迹清晰无缺损, white clean paper), in page millimetres.

Usage: make_sheet.py SEED OUTDIR INDEX
"""

import colorsys
import json
import math
import os
import random
import subprocess
import sys
import tempfile

import numpy as np
from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTCollection
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
FONT_DIR = "/usr/share/fonts/opentype/noto"
FACES = {"sans": ("NotoSansCJK-Bold.ttc", 2), "serif": ("NotoSerifCJK-Bold.ttc", 2)}
A4 = (210.0, 297.0)
ORGS = ["河北燕赵农业开发有限公司", "山东齐鲁能源集团有限公司", "江苏苏南精密制造有限公司", "福建闽江茶叶进出口有限公司",
        "重庆山城轨道交通有限公司", "陕西秦岭旅游文化有限公司", "湖南潇湘出版传媒有限公司"]
TITLES = ["合同专用章", "财务专用章", "业务专用章", ""]
PEOPLE = ["孙建国", "马晓燕", "朱明", "胡静怡", "郭峰", "何丽", "高远", "林志强"]

_fonts = {}


def face(name):
    if name not in _fonts:
        fn, idx = FACES[name]
        f = TTCollection(os.path.join(FONT_DIR, fn), lazy=True).fonts[idx]
        _fonts[name] = (f, f.getGlyphSet(), f.getBestCmap(), f["head"].unitsPerEm)
    return _fonts[name]


class PsPen(BasePen):
    """Glyph outline → PostScript path operators, through an affine map into page mm
    (PostScript y up)."""

    def __init__(self, glyphset, xf, out):
        super().__init__(glyphset)
        self.xf = xf
        self.out = out

    def _p(self, pt):
        a, b, c, d, e, f = self.xf
        x, y = pt
        return f"{a * x + c * y + e:.3f} {b * x + d * y + f:.3f}"

    def _moveTo(self, pt):
        self.out.append(f"{self._p(pt)} m")

    def _lineTo(self, pt):
        self.out.append(f"{self._p(pt)} l")

    def _curveToOne(self, p1, p2, p3):
        self.out.append(f"{self._p(p1)} {self._p(p2)} {self._p(p3)} c")

    def _closePath(self):
        self.out.append("h")


def glyph(out, facename, ch, cx, cy, size, rot_deg):
    """Character `ch` centred on (cx, cy) mm, em `size` mm, turned by `rot_deg` (clockwise on
    the page)."""
    font, gs, cmap, upem = face(facename)
    name = cmap.get(ord(ch))
    if name is None:
        return
    g = gs[name]
    s = size / upem
    t = math.radians(-rot_deg)
    c, sn = math.cos(t), math.sin(t)
    # Centre of the em box: advance/2, and the CJK ideographic centre ~ 0.38 em above baseline.
    ox, oy = g.width / 2.0, 0.38 * upem
    a, b, cc, d = s * c, s * sn, -s * sn, s * c
    e = cx - (a * ox + cc * oy)
    f = cy - (b * ox + d * oy)
    g.draw(PsPen(gs, (a, b, cc, d, e, f), out))


def star(out, cx, cy, r, rot):
    pts = []
    for k in range(10):
        ang = math.radians(rot + 90 - k * 36)
        rr = r if k % 2 == 0 else r * 0.38
        pts.append((cx + rr * math.cos(ang), cy + rr * math.sin(ang)))
    out.append(f"{pts[0][0]:.3f} {pts[0][1]:.3f} m " + " ".join(f"{x:.3f} {y:.3f} l" for x, y in pts[1:]) + " h")


def ring(out, cx, cy, r_out, width):
    # Outer circle counter-clockwise, inner clockwise: filled with the non-zero rule a ring.
    out.append(f"{cx + r_out:.3f} {cy:.3f} m {cx:.3f} {cy:.3f} {r_out:.3f} 0 360 arc h")
    r_in = r_out - width
    out.append(f"{cx + r_in:.3f} {cy:.3f} m {cx:.3f} {cy:.3f} {r_in:.3f} 360 0 arcn h")


def official(rng, cx, cy, rot):
    """Path of a 公章 centred at (cx, cy) in PostScript mm (y up), turned by `rot`°."""
    d = rng.uniform(38.0, 45.0)
    r = d / 2
    w = rng.uniform(0.9, 1.6)
    out = []
    ring(out, cx, cy, r, w)
    facename = rng.choice(["sans", "serif"])
    star(out, cx, cy, d * rng.uniform(0.14, 0.18), -rot)
    org = rng.choice(ORGS)
    size = d * rng.uniform(0.115, 0.145)
    span = rng.uniform(220, 270)
    rr = r - w - 0.7 - size / 2
    for k, ch in enumerate(org):
        a = -span / 2 + span * (k + 0.5) / len(org) + rot
        x = cx + rr * math.sin(math.radians(a))
        y = cy + rr * math.cos(math.radians(a))
        glyph(out, facename, ch, x, y, size, a)
    title = rng.choice(TITLES)
    ts = size * 0.78
    for k, ch in enumerate(title):
        u = (k - (len(title) - 1) / 2) * ts * 1.02
        v = -r * 0.5
        ang = math.radians(-rot)
        x = cx + u * math.cos(ang) - v * math.sin(ang)
        y = cy + u * math.sin(ang) + v * math.cos(ang)
        glyph(out, facename, ch, x, y, ts, rot)
    if rng.random() < 0.5:
        code = "".join(str(rng.randrange(10)) for _ in range(13))
        cs = d * 0.05
        rc = r - w - 0.4 - cs / 2
        for k, ch in enumerate(code):
            a = 180 + 45 - 90 * (k + 0.5) / 13 + rot
            x = cx + rc * math.sin(math.radians(a))
            y = cy + rc * math.cos(math.radians(a))
            glyph(out, "sans", ch, x, y, cs, a + 180)
    return out, {"diameter_mm": round(d, 3)}, r


def legal(rng, cx, cy, rot):
    w = rng.uniform(14.0, 23.0)
    h = w if rng.random() < 0.7 else w * rng.uniform(0.8, 0.95)
    b = rng.uniform(0.6, 1.2)
    ang = math.radians(-rot)

    def at(u, v):
        return cx + u * math.cos(ang) - v * math.sin(ang), cy + u * math.sin(ang) + v * math.cos(ang)

    out = []
    outer = [at(-w / 2, -h / 2), at(w / 2, -h / 2), at(w / 2, h / 2), at(-w / 2, h / 2)]
    inner = [at(-w / 2 + b, -h / 2 + b), at(-w / 2 + b, h / 2 - b), at(w / 2 - b, h / 2 - b), at(w / 2 - b, -h / 2 + b)]
    for poly in (outer, inner):
        out.append(f"{poly[0][0]:.3f} {poly[0][1]:.3f} m " + " ".join(f"{x:.3f} {y:.3f} l" for x, y in poly[1:]) + " h")
    name = rng.choice(PEOPLE)
    chars = list(name + "之印") if len(name) == 2 else list(name + "印")
    cw, chh = (w - 2 * b - 0.8) / 2, (h - 2 * b - 0.8) / 2
    size = min(cw, chh) * 0.95
    for k, ch in enumerate(chars):
        col = 1 - k // 2
        row = k % 2
        u = -w / 2 + b + 0.4 + cw * (col + 0.5)
        v = h / 2 - b - 0.4 - chh * (row + 0.5)
        x, y = at(u, v)
        glyph(out, "serif", ch, x, y, size, rot)
    return out, {"size_mm": [round(w, 3), round(h, 3)]}, max(w, h) / 2


def pen(rng, cx, cy, rot):
    out = []
    name = rng.choice(PEOPLE)
    size = rng.uniform(7.0, 9.5)
    for k, ch in enumerate(name):
        glyph(out, "sans", ch, cx + (k - (len(name) - 1) / 2) * size * 0.9, cy + rng.uniform(-1, 1), size, rot + rng.uniform(-6, 6))
    return out, {}, 14.0


def pressure_image(rng, n, load, base_rgb, paper_rgb, broken):
    """The ink reaching the paper over the stamp's face as an n×n RGB image (PostScript image
    data, hex). Pressure: smooth noise and a tilt of the stamp; take-up: the paper's threshold
    below which no ink transfers (the caller clips the lost cap, so `broken` only deepens it)."""
    coarse = np.array([[rng.random() for _ in range(6)] for _ in range(6)])
    yy, xx = np.mgrid[0:n, 0:n] / (n - 1)
    # Bilinear upsampling of the coarse noise.
    gx, gy = xx * 5, yy * 5
    i0, j0 = np.minimum(gx.astype(int), 4), np.minimum(gy.astype(int), 4)
    fx, fy = gx - i0, gy - j0
    noise = (coarse[j0, i0] * (1 - fx) * (1 - fy) + coarse[j0, i0 + 1] * fx * (1 - fy) + coarse[j0 + 1, i0] * (1 - fx) * fy
             + coarse[j0 + 1, i0 + 1] * fx * fy)
    tilt_dir = rng.uniform(0, 2 * math.pi)
    tilt = rng.uniform(0.0, 0.25 if not broken else 0.5)
    pressure = 1.0 + 0.35 * (noise - 0.5) + tilt * ((xx - 0.5) * math.cos(tilt_dir) + (yy - 0.5) * math.sin(tilt_dir))
    amount = np.clip(pressure * load, 0.0, 1.0)
    # Reflectance in linear light: paper × (1 − amount × (1 − ink)).
    lin = lambda v: ((v / 255.0 + 0.055) / 1.055) ** 2.4
    srgb = lambda v: 255.0 * (1.055 * np.clip(v, 0, 1) ** (1 / 2.4) - 0.055)
    rgb = np.zeros((n, n, 3))
    for c in range(3):
        refl = lin(paper_rgb[c]) * (1.0 - amount * (1.0 - lin(base_rgb[c]) / max(lin(paper_rgb[c]), 1e-3)))
        rgb[:, :, c] = srgb(refl)
    return "".join(f"{int(v):02x}" for v in np.clip(rgb, 0, 255).astype(np.uint8).reshape(-1))


def draw_impression(ps, truth, path, centre, radius, ink_rgb, paper_rgb, load, rng, defects, channel, broken_clip):
    """PostScript for one impression: path as clip, the pressure image over it; the truth
    fills the same path in its channel's colour."""
    cx, cy = centre
    copies = [(0.0, 0.0, load)]
    if "double" in defects:
        off = rng.uniform(0.6, 3.0)
        th = rng.uniform(0, 2 * math.pi)
        copies.insert(0, (off * math.cos(th), off * math.sin(th), load * rng.uniform(0.5, 1.0)))
    if "smudged" in defects:
        length = rng.uniform(0.7, 1.6)
        th = rng.uniform(0, 2 * math.pi)
        n = rng.randint(8, 16)
        copies = [(length * k / (n - 1) * math.cos(th), length * k / (n - 1) * math.sin(th), load * (0.45 + 0.55 * (1 - k / (n - 1))))
                  for k in range(n - 1, -1, -1)]
    body = " ".join(path)
    for dx, dy, ld in copies:
        # The pressure image covers the whole face however it is turned (a 法人章's corners
        # reach half its diagonal): an image only as wide as the face left a tilted square's
        # corners unprinted, which its truth did not call broken.
        size = 2 * radius * math.sqrt(2) + 2
        img = pressure_image(rng, 48, ld, ink_rgb, paper_rgb, "broken" in defects)
        ps.append("gsave")
        if broken_clip:
            ps.append(broken_clip)
        ps.append(f"{dx:.3f} {dy:.3f} translate newpath {body} clip newpath")
        ps.append(f"{cx - size / 2:.3f} {cy - size / 2:.3f} translate {size:.3f} {size:.3f} scale")
        ps.append(f"/DeviceRGB setcolorspace << /ImageType 1 /Width 48 /Height 48 /BitsPerComponent 8 /Decode [0 1 0 1 0 1] "
                  f"/ImageMatrix [48 0 0 -48 0 48] /Interpolate true /DataSource currentfile /ASCIIHexDecode filter >> image")
        ps.append(img + ">")
        ps.append("grestore")
        truth.append("gsave")
        if broken_clip:
            truth.append(broken_clip)
        truth.append(f"{['1 0 0', '0 1 0', '0 0 1'][channel]} setrgbcolor {dx:.3f} {dy:.3f} translate newpath {body} fill grestore")
    return copies


def over_line(box, line, cx, cy_ps):
    """How far (mm) the face centred at (cx, cy_ps), PostScript page coordinates, reaches past
    the inner edge of its box's nearest line; negative when it stays clear."""
    x, y_box, bw, h = box["box_mm"]
    cy = A4[1] - cy_ps
    if "diameter_mm" in box:
        ext_x = ext_y = box["diameter_mm"] / 2
    else:
        w, hh = box["size_mm"]
        t = math.radians(box["tilt_deg"])
        ext_x = abs(w / 2 * math.cos(t)) + abs(hh / 2 * math.sin(t))
        ext_y = abs(w / 2 * math.sin(t)) + abs(hh / 2 * math.cos(t))
    return max((x + line / 2) - (cx - ext_x), (cx + ext_x) - (x + bw - line / 2),
               (y_box + line / 2) - (cy - ext_y), (cy + ext_y) - (y_box + h - line / 2))


def make(seed, outdir, index):
    rng = random.Random(seed)
    dpi = rng.choice([150, 200, 300, 300, 400])
    # A set's fixed resolution (the committed fixtures' 150 dpi) after the draw, so the sheet
    # is otherwise the one its seed makes.
    dpi = int(os.environ.get("SEAL_SHEET_DPI", dpi))
    line = rng.uniform(0.18, 0.5)
    double_rule = rng.random() < 0.25
    tinted = rng.random() < 0.08
    paper = (rng.uniform(205, 218), rng.uniform(205, 216), rng.uniform(180, 200)) if tinted else (255.0, 255.0, 255.0)
    ps = ["%!PS-Adobe-3.0", "<< /PageSize [595.276 841.89] >> setpagedevice", "72 25.4 div dup scale",
          "/m {moveto} bind def /l {lineto} bind def /c {curveto} bind def /h {closepath} bind def",
          f"{paper[0] / 255:.3f} {paper[1] / 255:.3f} {paper[2] / 255:.3f} setrgbcolor 0 0 210 297 rectfill"]
    truth = ["%!PS-Adobe-3.0", "<< /PageSize [595.276 841.89] >> setpagedevice", "72 25.4 div dup scale",
             "/m {moveto} bind def /l {lineto} bind def /c {curveto} bind def /h {closepath} bind def",
             "0 0 0 setrgbcolor 0 0 210 297 rectfill"]
    # Layout: rows of boxes, each under its own caption strip; page mm with y down, converted.
    kinds = rng.choice([["official_seal", "legal_rep_seal", "signature"], ["official_seal", "official_seal", "signature", "legal_rep_seal"],
                        ["official_seal", "legal_rep_seal"]])
    height = {"official_seal": rng.uniform(52, 60), "legal_rep_seal": rng.uniform(34, 42), "signature": rng.uniform(30, 36)}
    ncol = rng.choice([3, 3, 2, 4]) if len(kinds) < 4 else 3
    left = rng.uniform(12, 22)
    width = A4[0] - 2 * left
    y = rng.uniform(22, 34)
    boxes = []
    later = []
    for ri, kind in enumerate(kinds):
        cap = rng.uniform(7, 11)
        h = height[kind]
        y_box = y + cap
        Y = lambda v: A4[1] - v
        ps.append(f"0.07 setgray {line:.3f} setlinewidth {left:.3f} {Y(y_box + h):.3f} {width:.3f} {h + cap:.3f} rectstroke")
        ps.append(f"{left:.3f} {Y(y_box):.3f} m {left + width:.3f} {Y(y_box):.3f} l stroke")
        if double_rule:
            ps.append(f"{line * 0.6:.3f} setlinewidth {left - 0.8:.3f} {Y(y_box + h + 0.8):.3f} {width + 1.6:.3f} {h + cap + 1.6:.3f} rectstroke")
        caption = {"official_seal": "单位公章印模", "legal_rep_seal": "法定代表人印鉴", "signature": "法定代表人签名"}[kind]
        cap_path = []
        for k, ch in enumerate(caption):
            glyph(cap_path, "sans", ch, left + 4 + k * 3.6, Y(y + cap / 2), 3.4, 0)
        ps.append("0.1 setgray " + " ".join(cap_path) + " fill")
        bw = width / ncol
        for ci in range(ncol):
            x = left + ci * bw
            if ci > 0:
                ps.append(f"0.07 setgray {line:.3f} setlinewidth {x:.3f} {Y(y_box):.3f} m {x:.3f} {Y(y_box + h):.3f} l stroke")
            box = {"row": ri, "col": ci, "kind": kind, "box_mm": [x, y_box, bw, h], "defects": [], "borderline": []}
            pool = {"signature": ["pale", "overlap_line", "bg_not_white", "empty"]}.get(
                kind, ["pale", "broken", "double", "smudged", "overlap_line", "tilted", "bg_not_white", "text_under", "off_color", "empty"])
            if rng.random() < 0.55:
                box["defects"].append(rng.choice(pool))
            box_paper = paper
            stained = "bg_not_white" in box["defects"]
            if tinted and not stained:
                # Tinted paper: every box is on it; no box gets a tint of its own.
                box["defects"].append("bg_not_white")
            box["empty"] = "empty" in box["defects"]
            if stained and not tinted:
                box_paper = (rng.uniform(190, 212), rng.uniform(185, 205), rng.uniform(160, 190))
                ps.append(f"{box_paper[0] / 255:.3f} {box_paper[1] / 255:.3f} {box_paper[2] / 255:.3f} setrgbcolor "
                          f"{x + line:.3f} {Y(y_box + h - line):.3f} {bw - 2 * line:.3f} {h - 2 * line:.3f} rectfill")
            boxes.append(box)
            if box["empty"]:
                continue
            cx, cy = x + bw / 2 + rng.uniform(-2, 2), y_box + h / 2 + rng.uniform(-2, 2)
            rot = rng.uniform(-3, 3)
            if "tilted" in box["defects"]:
                rot = rng.choice([-1, 1]) * rng.uniform(10, 35)
            if kind == "signature":
                rot = rng.uniform(-6, 6)
            design = rng.random()
            maker = {"official_seal": official, "legal_rep_seal": legal, "signature": pen}[kind]
            _, _, radius = maker(random.Random(design), 0, 0, rot)
            if "overlap_line" in box["defects"]:
                side = rng.choice("lrtb")
                over = rng.uniform(1.0, 4.0)
                ry = radius if kind != "signature" else 6.0
                cx = {"l": x + radius - over, "r": x + bw - radius + over}.get(side, cx)
                cy = {"t": y_box + ry - over, "b": y_box + h - ry + over}.get(side, cy)
            path, size, radius = maker(random.Random(design), cx, Y(cy), rot)
            box.update(size)
            box["tilt_deg"] = round(rot, 2)
            box["centre_mm"] = [cx, cy]
            if kind == "signature":
                ink = rng.choice([(25, 25, 30), (20, 35, 120)])
                load = rng.uniform(0.85, 1.0)
            else:
                hue = rng.uniform(-7, 7)
                if "off_color" in box["defects"]:
                    hue = rng.choice([rng.uniform(-60, -25), rng.uniform(25, 45)])
                ink = hue_ink(hue)
                load = rng.uniform(0.85, 1.0)
            if "pale" in box["defects"]:
                load = rng.uniform(0.18, 0.35)
            clip = ""
            if "broken" in box["defects"]:
                # Pressure under the take-up over a cap of the face: that part never printed.
                depth = 2 * radius * rng.uniform(0.12, 0.30)
                a = rng.uniform(0, 360)
                big = 4 * radius
                ca, sa = math.cos(math.radians(a)), math.sin(math.radians(a))
                # Keep the half plane {p : (p − c)·n ≤ radius − depth}.
                k = radius - depth
                px, py = cx + ca * k, Y(cy) + sa * k
                tx, ty = -sa, ca
                pts = [(px + tx * big, py + ty * big), (px - tx * big, py - ty * big),
                       (px - tx * big - ca * big, py - ty * big - sa * big), (px + tx * big - ca * big, py + ty * big - sa * big)]
                clip = f"newpath {pts[0][0]:.3f} {pts[0][1]:.3f} m " + " ".join(f"{u:.3f} {v:.3f} l" for u, v in pts[1:]) + " h clip newpath"
            channel = (ri + ci) % 3
            box["channel"] = channel
            later.append((path, (cx, Y(cy)), radius, ink, box_paper, load, rng.random(), box["defects"], channel, clip, box))
        y = y_box + h + rng.uniform(6, 12)
    for path, centre, radius, ink, box_paper, load, sub, defects, channel, clip, box in later:
        copies = draw_impression(ps, truth, path, centre, radius, ink, box_paper, load, random.Random(sub), defects, channel, clip)
        if box["kind"] != "signature" and "overlap_line" not in defects:
            # 不压线 is about the ink, not about what the sheet meant to draw: an impression
            # whose face reaches into a box line (its place drawn at random, or a second pressing
            # or a smear beyond it) is over the line; one within 0.3 mm of the line's edge is
            # borderline, scored neither way.
            past = max(over_line(box, line, centre[0] + dx, centre[1] + dy) for dx, dy, _ in copies)
            if past > 0.3 and "broken" not in defects:
                defects.append("overlap_line")
            elif past > -0.3:
                # (a lost cap may be the part that reached the line: not known here)
                box["borderline"].append("overlap_line")
        if "double" in defects:
            box["double_offset_mm"] = round(math.hypot(copies[0][0], copies[0][1]), 3)
        if "smudged" in defects:
            box["smear_mm"] = round(math.hypot(copies[0][0], copies[0][1]), 3)
        if "text_under" in defects:
            # Black print under the impression: drawn last, black absorbs through red ink.
            cx, cy = centre
            words = []
            base = cy + rng.uniform(-5, 5)
            for k, ch in enumerate("以上印章属实"):
                glyph(words, "serif", ch, cx - 11 + k * 4.4, base, 4.0, 0)
            ps.append("0.08 setgray " + " ".join(words) + " fill")
    ps.append("showpage")
    truth.append("showpage")
    name = f"{index:03d}"
    with tempfile.TemporaryDirectory() as tmp:
        page_png, ink_png = os.path.join(tmp, "page.png"), os.path.join(tmp, "ink.png")
        for src, dst, prog in ((os.path.join(tmp, "page.ps"), page_png, ps), (os.path.join(tmp, "ink.ps"), ink_png, truth)):
            with open(src, "w") as f:
                f.write("\n".join(prog))
            subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=png16m", f"-r{dpi}", "-dGraphicsAlphaBits=4",
                            "-dTextAlphaBits=4", "-dFIXEDMEDIA", "-sPAPERSIZE=a4", f"-sOutputFile={dst}", src], check=True)
        scan_rng = random.Random(rng.random())
        ext = scan_rng.choice(["jpg", "jpg", "jpg", "png", "tif"])
        tilt = scan_rng.uniform(-3, 3)
        in_file = scan_rng.random() < 0.85
        out = os.path.join(outdir, f"{name}.{ext}")
        ink_rot = os.path.join(tmp, "ink-rot.png")
        subprocess.run(["bash", os.path.join(HERE, "scan.sh"), page_png, out, str(dpi), f"{tilt:.3f}", str(scan_rng.randrange(1 << 30)),
                        "1" if in_file else "0", ink_png, ink_rot], check=True)
        ink = np.asarray(Image.open(ink_rot).convert("RGB"))
        ink_page = np.asarray(Image.open(ink_png).convert("RGB"))
    h_px, w_px = ink.shape[:2]
    ppmm = dpi / 25.4
    t = math.radians(tilt)

    def to_scan(xp, yp):
        # ImageMagick's SRT turns the page clockwise on screen by `tilt` about its centre.
        dx, dy = xp - w_px / 2, yp - h_px / 2
        return w_px / 2 + dx * math.cos(t) - dy * math.sin(t), h_px / 2 + dx * math.sin(t) + dy * math.cos(t)

    recs = []
    for b in boxes:
        x, y0, w, h = b.pop("box_mm")
        cx, cy = to_scan((x + w / 2) * ppmm, (y0 + h / 2) * ppmm)
        rec = {k: b[k] for k in ("row", "col", "kind", "empty", "defects", "borderline")}
        rec["defects"] = sorted(rec["defects"])
        rec["box_centre_px"] = [round(cx, 2), round(cy, 2)]
        for k in ("diameter_mm", "size_mm", "tilt_deg", "double_offset_mm", "smear_mm"):
            if k in b:
                rec[k] = b[k]
        if b["kind"] == "signature" and not b["empty"]:
            # A signature reaches as far as its strokes, not its nominal 14 × 6 mm: whether the
            # pen went over the line is read from the ink as Ghostscript drew it (page pixels).
            past = ink_past_line(ink_page[:, :, b["channel"]], x, y0, w, h, line, ppmm)
            if past is not None:
                rec["defects"] = sorted(set(rec["defects"]) - {"overlap_line"} | ({"overlap_line"} if past > 0.3 else set()))
                rec["borderline"] = sorted(set(rec["borderline"]) - {"overlap_line"} | ({"overlap_line"} if -0.3 < past <= 0.3 else set()))
        if not b["empty"]:
            corners = [to_scan(u * ppmm, v * ppmm) for u, v in ((x - 6, y0 - 6), (x + w + 6, y0 - 6), (x + w + 6, y0 + h + 6), (x - 6, y0 + h + 6))]
            xa, xb = max(0, int(min(p[0] for p in corners))), min(w_px, int(max(p[0] for p in corners)) + 1)
            ya, yb = max(0, int(min(p[1] for p in corners))), min(h_px, int(max(p[1] for p in corners)) + 1)
            m = ink[ya:yb, xa:xb, b["channel"]] >= 128
            ys, xs = np.nonzero(m)
            if len(xs):
                crop = m[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
                mname = f"{name}.r{b['row']}c{b['col']}.mask.png"
                Image.fromarray((crop * 255).astype(np.uint8)).save(os.path.join(outdir, mname))
                rec["mask"] = mname
                rec["mask_offset"] = [int(xa + xs.min()), int(ya + ys.min())]
            else:
                rec["empty"] = True
        recs.append(rec)
    doc = {"maker": "outline", "seed": seed, "dpi": dpi, "dpi_in_file": in_file, "skew_deg": round(tilt, 3), "file": f"{name}.{ext}",
           "boxes": recs}
    with open(os.path.join(outdir, f"{name}.truth.json"), "w") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)


def ink_past_line(chan, x, y, w, h, line, ppmm):
    """How far (mm) the ink of one box (a channel of the ink-only page in page pixels, at
    least half covered) reaches past the inner edge of the box's nearest line, within 6 mm
    around the box; negative when clear; None when there is no ink."""
    ya, xa = max(0, int((y - 6) * ppmm)), max(0, int((x - 6) * ppmm))
    rows, cols = np.nonzero(chan[ya:int((y + h + 6) * ppmm) + 1, xa:int((x + w + 6) * ppmm) + 1] >= 128)
    if len(rows) == 0:
        return None
    top, bottom = (ya + rows.min()) / ppmm, (ya + rows.max() + 1) / ppmm
    left, right = (xa + cols.min()) / ppmm, (xa + cols.max() + 1) / ppmm
    return max((x + line / 2) - left, right - (x + w - line / 2), (y + line / 2) - top, bottom - (y + h - line / 2))


def hue_ink(hue):
    """Stamp-pad ink of a hue (degrees from red on the HSV circle, negative towards purple),
    sRGB 0-255: saturation 0.8, value 0.82 (a strong pad), by the standard library's HSV."""
    r, g, b = colorsys.hsv_to_rgb((hue / 360.0) % 1.0, 0.8, 0.82)
    return (r * 255.0, g * 255.0, b * 255.0)


if __name__ == "__main__":
    make(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
