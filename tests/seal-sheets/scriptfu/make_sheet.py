#!/usr/bin/python3
"""Maker AB (scriptfu/, issue 76): one seal collection sheet and its truth.

  make_sheet.py SEED OUTDIR INDEX

Drawing: GIMP 2.10's own rasteriser driven in batch mode by Script-Fu (one `gimp-console-2.10` start
draws every layer of the sheet: the form's rules and text, and each seal pressing / signature as a
selection built from ellipses, polygons and text turned into paths, filled antialiased; 阴文 and broken
cuts are selection subtractions); the layers come back as grey PGM files and NumPy / SciPy compose
them: a flexographically printed form, a Gabor-noise paper, Tollenaar–Ernst ink, a laser flying-spot
scanner (polygon mirror, three laser diodes, one photodiode and its transimpedance amplifier). A second
GIMP start encodes the delivered file with GIMP's own JPEG / PNG / TIFF savers.
Face: Sawarabi Gothic (fonts-sawarabi-gothic), Japanese: the texts are written in forms it carries; a
character it lacks stops the sheet (exit 3).
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image
from scipy import ndimage, signal

FONT_FILE = "/usr/share/fonts/truetype/sawarabi-gothic/sawarabi-gothic-medium.ttf"
FONT = "Sawarabi Gothic"
GIMP = "gimp-console-2.10"
MAKER = "scriptfu"

FIRMS = ["遼寧盛華信息技術有限公司", "大連宏遠商貿有限公司", "沈陽恒達建設工程有限公司",
         "鞍山興隆新材料有限公司", "撫順泰安物流有限公司", "遼寧通科網絡技術有限公司",
         "大連農牧食品有限責任公司", "沈陽宏盛商貿有限公司"]
SURN = "王李張劉陳楊趙周徐孫馬朱胡郭何高林羅鄭梁謝宋唐許韓曹曾田董杜葉程蘇魏姚姜譚陸汪金石夏孟熊秦江段雷侯龍史陶賀顧毛邵武戴孔湯"
GIVEN = "明偉芳敏靜麗強磊軍洋勇傑娟濤超秀霞平剛桂英建国志紅玉蘭海波輝峰鵬"
USES = ["合同專用章", "財務專用章", "発票專用章"]
UNDER = ["（蓋章）", "以下空白", "印", "年　月　日", "（印）"]

MM = 25.4


def need_glyphs(texts):
    from fontTools.ttLib import TTFont
    cmap = TTFont(FONT_FILE).getBestCmap()
    for t in texts:
        for ch in t:
            if ch.strip() and ord(ch) not in cmap and ch != "\u3000":
                sys.stderr.write(f"scriptfu: {FONT} has no glyph for {ch!r} (in {t!r}); no fallback\n")
                sys.exit(3)


def sq(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Canvas:
    """Script-Fu for one grey image: ops in page px, shifted by (ox, oy)."""

    def __init__(self, name, w, h, ox=0.0, oy=0.0):
        self.name, self.w, self.h, self.ox, self.oy = name, w, h, ox, oy
        self.glyphs = []  # (var, ch, size, ax, sx, sy, ang, dx, dy)
        self.ops = []

    def glyph(self, ch, size, sx, sy, ang, x, y, op="ADD", ax=0.5):
        var = f"g{len(self.glyphs)}"
        self.glyphs.append((var, ch, size, ax, sx, sy, ang, x - self.ox, y - self.oy))
        self.ops.append(f"(gimp-image-select-item img CHANNEL-OP-{op} {var})")

    def poly(self, pts, op="ADD"):
        a = " ".join(f"{x - self.ox:.3f} {y - self.oy:.3f}" for x, y in pts)
        self.ops.append(f"(gimp-image-select-polygon img CHANNEL-OP-{op} {2 * len(pts)} #({a}))")

    def ellipse(self, cx, cy, r, op="ADD"):
        self.ops.append(f"(gimp-image-select-ellipse img CHANNEL-OP-{op} {cx - r - self.ox:.3f} "
                        f"{cy - r - self.oy:.3f} {2 * r:.3f} {2 * r:.3f})")

    def fill(self):
        self.ops.append("(gimp-drawable-edit-fill lay FILL-FOREGROUND) (gimp-selection-none img)")

    def stroke(self, pts, width):
        # pts: Bezier triples flattened (ctrl-in, anchor, ctrl-out) in page px
        a = " ".join(f"{x - self.ox:.3f} {y - self.oy:.3f}" for x, y in pts)
        self.ops.append(
            f"(let ((v (car (gimp-vectors-new img \"s\")))) (gimp-image-insert-vectors img v 0 -1)"
            f" (gimp-vectors-stroke-new-from-points v 0 {2 * len(pts)} #({a}) FALSE)"
            f" (gimp-context-set-line-width {width:.3f}) (gimp-drawable-edit-stroke-item lay v))")

    def scheme(self, path):
        out = [f"(let* ((img (car (gimp-image-new {self.w} {self.h} GRAY)))"
               f" (lay (car (gimp-layer-new img {self.w} {self.h} GRAY-IMAGE \"ink\" 100 LAYER-MODE-NORMAL))))",
               "(gimp-image-insert-layer img lay 0 0)",
               "(gimp-context-set-foreground '(0 0 0)) (gimp-drawable-fill lay FILL-FOREGROUND)",
               "(gimp-context-set-foreground '(255 255 255))"]
        if self.glyphs:
            out.append("(let* (")
            for var, ch, size, ax, sx, sy, ang, dx, dy in self.glyphs:
                out.append(f"({var} (glyph img {sq(ch)} {size:.3f} {ax} {sx:.5f} {sy:.5f} {ang:.6f} {dx:.3f} {dy:.3f}))")
            out.append(")")
        out.append("(gimp-context-set-antialias TRUE) (gimp-selection-none img)")
        out.extend(self.ops)
        out.append(f"(file-pgm-save RUN-NONINTERACTIVE img lay {sq(path)} {sq(path)} 1)")
        if self.glyphs:
            out.append(")")
        out.append("(gimp-image-delete img))")
        return "\n".join(out)


PRELUDE = f"""
(define (glyph img ch size ax sx sy ang dx dy)
  (let* ((tl (car (gimp-text-fontname img -1 0 0 ch 0 TRUE size PIXELS {sq(FONT)})))
         (w (car (gimp-drawable-width tl))) (h (car (gimp-drawable-height tl)))
         (v (car (gimp-vectors-new-from-text-layer img tl))))
    (gimp-image-insert-vectors img v 0 -1)
    (gimp-image-remove-layer img tl)
    (gimp-item-transform-2d v (* ax w) (/ h 2) sx sy ang dx dy)
    v))
(gimp-context-set-antialias TRUE)
(gimp-context-set-stroke-method STROKE-LINE)
(gimp-context-set-line-width-unit UNIT-PIXEL)
(gimp-context-set-line-cap-style CAP-ROUND)
(gimp-context-set-line-join-style JOIN-ROUND)
"""


def rot(pts, cx, cy, a):
    c, s = math.cos(a), math.sin(a)
    return [(cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c) for x, y in pts]


def hsv_lin(h_deg, s, v):
    h = (h_deg % 360) / 60.0
    i = int(h) % 6
    f = h - int(h)
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    rgb = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i]
    return np.array([((c + 0.055) / 1.055) ** 2.4 if c > 0.04045 else c / 12.92 for c in rgb])


def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng(seed)
    U = rng.uniform
    os.makedirs(outdir, exist_ok=True)
    stem = f"{index:03d}"

    # ---------------- sheet-level draws (resolution first, then SEAL_SHEET_DPI) ----------------
    dpi = int(rng.choice([150, 200, 300, 400, 600], p=[0.08, 0.20, 0.52, 0.12, 0.08]))
    if os.environ.get("SEAL_SHEET_DPI"):
        dpi = int(os.environ["SEAL_SHEET_DPI"])
    k = dpi / MM  # px per mm
    W, H = int(round(210 * k)), int(round(297 * k))
    firm = FIRMS[rng.integers(len(FIRMS))]
    rep = SURN[rng.integers(len(SURN))] + "".join(GIVEN[i] for i in rng.choice(len(GIVEN), rng.integers(1, 3), replace=False))
    user = SURN[rng.integers(len(SURN))] + "".join(GIVEN[i] for i in rng.choice(len(GIVEN), 2, replace=False))
    use = USES[rng.integers(3)] if U() < 0.6 else ""
    code = "".join(str(d) for d in rng.integers(0, 10, 13)) if U() < 0.4 else ""
    rule = U(0.2, 0.4)
    tinted = U() < 0.02
    form_texts = ["電子印章申請表 (3/8)", "単位名称:", "公章管理員:", "連絡電話:", firm, rep,
                  "機構印章采集 (油印適中, 毎枚印章采集三個様本)", "法人印章采集 (油印適中, 毎枚印章采集三個様本)",
                  "法人署名采集 (字跡清晰, 毎枚署名采集三個様本)", "使用人署名采集 (字跡清晰, 毎枚署名采集三個様本)",
                  "CA 客服受理人:", "日期:", "年", "月", "日", use, code, "之印", "印"] + UNDER
    need_glyphs(form_texts)

    # ---------------- layout (mm, page) ----------------
    left, top = 18.0 + U(-1.5, 1.5), 22.0 + U(-1.5, 1.5)
    form = Canvas("form", W, H)
    tsize = U(3.3, 3.7)

    def text(s, x, y, size_mm, ax=0.0):
        form.glyph(s, size_mm * k, 1.0, 1.0, 0.0, x * k, y * k, ax=ax)

    def hline(x0, x1, y, w):
        form.poly([(x0 * k, (y - w / 2) * k), (x1 * k, (y - w / 2) * k), (x1 * k, (y + w / 2) * k), (x0 * k, (y + w / 2) * k)])

    def vline(x, y0, y1, w):
        form.poly([((x - w / 2) * k, y0 * k), ((x + w / 2) * k, y0 * k), ((x + w / 2) * k, y1 * k), ((x - w / 2) * k, y1 * k)])

    text("電子印章申請表 (3/8)", 105 + left - 18, top, 5.6, ax=0.5)
    y = top + 6
    cols1 = [30, 60, 28, 56]
    xs1 = np.cumsum([left] + cols1)
    for r in range(3):
        hline(xs1[0], xs1[-1], y + 9 * r, rule)
    for i, x in enumerate(xs1):
        if i in (2, 3):
            vline(x, y + 9, y + 18, rule)
        else:
            vline(x, y, y + 18, rule)
    text("単位名称:", xs1[0] + 1.5, y + 4.5, tsize)
    text(firm, xs1[1] + 1.5, y + 4.5, tsize)
    text("公章管理員:", xs1[0] + 1.5, y + 13.5, tsize)
    text("連絡電話:", xs1[2] + 1.5, y + 13.5, tsize)
    y += 18 + 3
    rows = [(8, None), (46, "official_seal"), (8, None), (36, "legal_rep_seal"), (8, None), (30, "signature"), (8, None), (30, "signature")]
    heads = ["機構印章采集 (油印適中, 毎枚印章采集三個様本)", "法人印章采集 (油印適中, 毎枚印章采集三個様本)",
             "法人署名采集 (字跡清晰, 毎枚署名采集三個様本)", "使用人署名采集 (字跡清晰, 毎枚署名采集三個様本)"]
    xs2 = [left + 58 * i for i in range(4)]
    boxes = []
    yy = y
    hline(xs2[0], xs2[-1], yy, rule)
    hi = 0
    for h_mm, kind in rows:
        if kind is None:
            text(heads[hi], xs2[0] + 1.5, yy + 4, tsize)
            hi += 1
            vline(xs2[0], yy, yy + h_mm, rule)
            vline(xs2[-1], yy, yy + h_mm, rule)
        else:
            for c in range(4):
                vline(xs2[c], yy, yy + h_mm, rule)
            for c in range(3):
                boxes.append(dict(row=len(boxes) // 3, col=c, kind=kind,
                                  x0=xs2[c], x1=xs2[c + 1], y0=yy, y1=yy + h_mm,
                                  signer=(rep if len(boxes) < 9 else user)))
        yy += h_mm
        hline(xs2[0], xs2[-1], yy, rule)
    y = yy + 3
    for r in range(2):
        hline(xs1[0], xs1[-1], y + 9 * r, rule)
    for x in xs1:
        vline(x, y, y + 9, rule)
    text("CA 客服受理人:", xs1[0] + 1.5, y + 4.5, tsize)
    text("日期:", xs1[2] + 1.5, y + 4.5, tsize)
    for s, dx in (("年", 14), ("月", 24), ("日", 34)):
        text(s, xs1[3] + dx, y + 4.5, tsize)

    # ---------------- per box plans ----------------
    canvases = []
    pads = U(0, 360)
    pad_hue = U(-3, 3)
    face_d = U(38.5, 42.0)
    ring_w = U(0.9, 1.3)
    lr_square = U() < 0.65
    if lr_square:
        lr_w = lr_h = U(15.5, 21.5)
    else:
        long_ = U(17.5, 21.5)
        short = long_ / U(1.2, 1.42)
        lr_w, lr_h = (short, long_) if U() < 0.6 else (long_, short)
    lr_frame = U(0.7, 1.1)
    name_h = U(0.165, 0.185)
    intaglio = U() < 0.3
    lr_chars = (rep + "之印") if len(rep) == 2 else (rep + "印")
    pen = "blue" if U() < 0.65 else "black"

    for b in boxes:
        b["defects"], b["borderline"], b["info"] = [], [], {}
        seal = b["kind"] != "signature"
        b["empty"] = U() < (0.05 if seal else 0.04)
        b["stain"] = None
        if U() < 0.03:
            b["stain"] = "coffee" if U() < 0.55 else "carbon"
        if b["empty"]:
            continue
        if seal:
            b["pale"] = U() < 0.06
            b["broken"] = U() < 0.08
            b["double"] = (not b["broken"]) and U() < 0.085
            b["smudged"] = (not b["broken"]) and (not b["double"]) and U() < 0.09
            b["tilted"] = U() < 0.08
            b["off"] = (not b["pale"]) and U() < 0.085
            b["under"] = U() < 0.08
            b["push"] = U() < 0.05
        else:
            b["pale"] = U() < 0.035
            b["push"] = U() < 0.04
            for f in ("broken", "double", "smudged", "tilted", "off", "under"):
                b[f] = False

    # ---------------- drawing plans into canvases ----------------
    def box_canvas(b, name):
        m = 9.0
        ox, oy = math.floor((b["x0"] - m) * k), math.floor((b["y0"] - m) * k)
        w = int(math.ceil((b["x1"] - b["x0"] + 2 * m) * k)) + 2
        h = int(math.ceil((b["y1"] - b["y0"] + 2 * m) * k)) + 2
        return Canvas(name, w, h, ox, oy)

    def cap_poly(cx, cy, R, depth, psi, wav):
        """A cap beyond a wavy chord at distance R - depth from (cx, cy) towards psi (page px)."""
        d0 = R - depth
        ux, uy = math.cos(psi), math.sin(psi)
        vx, vy = -uy, ux
        pts = []
        n = 24
        ph = rng.uniform(0, 6.28, 3)
        for i in range(n + 1):
            t = -1.3 * R + 2.6 * R * i / n
            off = wav * (math.sin(t / R * 3.1 + ph[0]) * 0.6 + math.sin(t / R * 7.3 + ph[1]) * 0.4)
            pts.append((cx + ux * (d0 + off) + vx * t, cy + uy * (d0 + off) + vy * t))
        pts.append((cx + ux * 2 * R + vx * 1.3 * R, cy + uy * 2 * R + vy * 1.3 * R))
        pts.append((cx + ux * 2 * R - vx * 1.3 * R, cy + uy * 2 * R - vy * 1.3 * R))
        return pts

    def draw_official(cv, cx, cy, tilt, cut):
        r = face_d / 2 * k
        rw = ring_w * k
        hch = face_d * name_h * k
        n = len(firm)
        span = math.radians(min(250, max(205, 18 * n + 30)))
        rt = r - rw - 0.55 * k - hch / 2
        arc = rt * span / n
        squeeze = min(1.0, arc * 0.93 / hch)
        for i, ch in enumerate(firm):
            phi = -span / 2 + span * (i + 0.5) / n
            a = phi + tilt
            cv.glyph(ch, hch, squeeze, 1.0, a, cx + rt * math.sin(a), cy - rt * math.cos(a))
        if use:
            hu = face_d * 0.085 * k
            for i, ch in enumerate(use):
                dx = (i - (len(use) - 1) / 2) * hu * 0.95
                px, py = rot([(cx + dx, cy + 0.47 * r)], cx, cy, tilt)[0]
                cv.glyph(ch, hu, 0.9, 1.0, tilt, px, py)
        if code:
            hd = face_d * 0.06 * k
            rc = r - rw - 0.45 * k - hd / 2
            for j, ch in enumerate(code):
                dl = math.radians(31 - 62 * (j + 0.5) / 13)
                phi = math.pi + dl + tilt
                cv.glyph(ch, hd, 0.8, 1.0, dl + tilt, cx + rc * math.sin(phi), cy - rc * math.cos(phi))
        cv.ellipse(cx, cy, r, "ADD")
        cv.ellipse(cx, cy, r - rw, "SUBTRACT")
        rs = 0.3 * r
        star = []
        for i in range(10):
            a = tilt + i * math.pi / 5
            rr = rs if i % 2 == 0 else rs * 0.382
            star.append((cx + rr * math.sin(a), cy - 0.02 * r - rr * math.cos(a)))
        cv.poly(star, "ADD")
        # the glyph selections are added where they were created: reorder so they come after the ring
        gl = [o for o in cv.ops if "select-item" in o]
        cv.ops = [o for o in cv.ops if "select-item" not in o] + gl
        if cut:
            cv.poly(cut, "SUBTRACT")
        cv.fill()

    def draw_legal(cv, cx, cy, tilt, cut):
        w, h = lr_w * k, lr_h * k
        fr = lr_frame * k
        outer = rot([(cx - w / 2, cy - h / 2), (cx + w / 2, cy - h / 2), (cx + w / 2, cy + h / 2), (cx - w / 2, cy + h / 2)], cx, cy, tilt)
        inner = rot([(cx - w / 2 + fr, cy - h / 2 + fr), (cx + w / 2 - fr, cy - h / 2 + fr), (cx + w / 2 - fr, cy + h / 2 - fr), (cx - w / 2 + fr, cy + h / 2 - fr)], cx, cy, tilt)
        gap = 0.45 * k
        iw, ih = w - 2 * fr - 3 * gap, h - 2 * fr - 3 * gap
        cw, chh = iw / 2, ih / 2
        cells = [(1, 0), (1, 1), (0, 0), (0, 1)]  # right column first, top to bottom
        op = "SUBTRACT" if intaglio else "ADD"
        if intaglio:
            cv.poly(outer, "ADD")
        else:
            cv.poly(outer, "ADD")
            cv.poly(inner, "SUBTRACT")
        for ch, (ci, ri) in zip(lr_chars, cells):
            px = cx - w / 2 + fr + gap + ci * (cw + gap) + cw / 2
            py = cy - h / 2 + fr + gap + ri * (chh + gap) + chh / 2
            px, py = rot([(px, py)], cx, cy, tilt)[0]
            em = max(cw, chh)
            cv.glyph(ch, em, cw / em * 1.02, chh / em * 0.92, tilt, px, py, op=op)
        if cut:
            cv.poly(cut, "SUBTRACT")
        cv.fill()

    def signature_strokes(cv, cx, cy, name, push_vec):
        hmm = U(8.5, 11.0)
        slant = math.radians(U(8, 20))
        n = len(name)
        cw = hmm * U(0.75, 0.95)
        x = cx - cw * n / 2
        width = U(0.38, 0.6) * k
        for i in range(n):
            nstrokes = int(rng.integers(2, 5))
            base = U(-0.8, 0.8)  # the character's own offset from the line
            for s in range(nstrokes):
                # the first stroke is a long running one, the others short ticks and crossings
                npt = int(rng.integers(4, 8)) if s == 0 else int(rng.integers(2, 4))
                anc = []
                for p in range(npt):
                    px = x + U(0.05, 0.95) * cw
                    py = cy + base + U(-0.5, 0.5) * hmm
                    px += (cy - py) * math.tan(slant)
                    anc.append((px, py))
                pts = []
                for p, (px, py) in enumerate(anc):
                    qa, qb = anc[max(p - 1, 0)], anc[min(p + 1, npt - 1)]
                    hx, hy = (qb[0] - qa[0]) * 0.22, (qb[1] - qa[1]) * 0.22
                    for qx, qy in ((px - hx, py - hy), (px, py), (px + hx, py + hy)):
                        pts.append((qx * k, qy * k))
                cv.stroke(pts, width)
            x += cw + U(0.2, 1.2)
        return hmm, cw * n

    tmp = tempfile.mkdtemp(prefix="ab-sheet-")
    try:
        plans = []
        for bi, b in enumerate(boxes):
            bx, by = (b["x0"] + b["x1"]) / 2, (b["y0"] + b["y1"]) / 2
            b["centre_mm"] = (bx, by)
            if b["empty"]:
                continue
            # placement: within 1 mm of the centre, or pushed over a rule
            dx, dy = U(-1, 1), U(-1, 1)
            if b["kind"] == "official_seal":
                ext = (face_d / 2, face_d / 2)
            elif b["kind"] == "legal_rep_seal":
                ext = (lr_w / 2, lr_h / 2)
            else:
                ext = (4.2 * len(b["signer"]), 5.0)
            if b["push"]:
                side = int(rng.integers(4))
                over = U(1.3, 3.0)
                if side == 0:
                    dx = (b["x1"] - rule / 2 - bx) - ext[0] + over
                elif side == 1:
                    dx = -((bx - b["x0"] - rule / 2) - ext[0] + over)
                elif side == 2:
                    dy = (b["y1"] - rule / 2 - by) - ext[1] + over
                else:
                    dy = -((by - b["y0"] - rule / 2) - ext[1] + over)
            cx, cy = bx + dx, by + dy
            tilt = math.radians(U(12, 28) * (1 if U() < 0.5 else -1)) if b["tilted"] else math.radians(U(-1.8, 1.8))
            b["info"]["tilt_deg"] = round(math.degrees(tilt), 2)
            pressings = [(cx, cy, tilt, 1.0)]
            if b["double"]:
                off = U(1.2, 2.5)
                ang = U(0, 2 * math.pi)
                pressings.append((cx + off * math.cos(ang), cy + off * math.sin(ang), tilt + math.radians(U(-1, 1)), U(0.55, 0.9)))
                b["info"]["double_offset_mm"] = round(off, 2)
            for pi_, (px, py, pt, load) in enumerate(pressings):
                cv = box_canvas(b, f"b{bi}p{pi_}")
                if b["kind"] == "signature":
                    signature_strokes(cv, px, py, b["signer"], None)
                else:
                    cut = None
                    if b["broken"]:
                        if b["kind"] == "official_seal":
                            R = face_d / 2 * k
                            depth = U(0.2, 0.3) * face_d * k
                            psi = U(0, 2 * math.pi)
                        else:
                            psi = U(0, 2 * math.pi)
                            rel = psi - pt
                            R = min(lr_w / 2 / max(abs(math.cos(rel)), 1e-6), lr_h / 2 / max(abs(math.sin(rel)), 1e-6)) * k
                            depth = U(0.24, 0.34) * 2 * R
                        cut = cap_poly(px * k, py * k, R, depth, psi, 0.3 * k)
                        b["info"]["lost_depth_mm"] = round(depth / k, 2)
                    if b["kind"] == "official_seal":
                        draw_official(cv, px * k, py * k, pt, cut)
                    else:
                        draw_legal(cv, px * k, py * k, pt, cut)
                canvases.append(cv)
                plans.append((bi, cv, load))
            if b["under"]:
                s = UNDER[rng.integers(len(UNDER))]
                hs = U(3.8, 5.0)
                text(s, cx + U(-3, 3), cy + U(-3, 3), hs, ax=0.5)
                b["info"]["under"] = s
        form.fill()
        canvases.insert(0, form)

        # ---------------- one GIMP start draws every layer ----------------
        gdir = os.path.join(tmp, "gimp")
        os.makedirs(gdir)
        with open(os.path.join(gdir, "gimprc"), "w") as f:
            f.write("(export-color-profile no)\n(export-metadata-exif no)\n(export-metadata-xmp no)\n"
                    "(export-metadata-iptc no)\n(num-processors 1)\n")
        parts = [PRELUDE]
        for cv in canvases:
            parts.append(cv.scheme(os.path.join(tmp, cv.name + ".pgm")))
        scm = "\n".join(parts)
        env = dict(os.environ, HOME=tmp, GIMP2_DIRECTORY=gdir, XDG_CACHE_HOME=os.path.join(tmp, "cache"),
                   XDG_CONFIG_HOME=os.path.join(tmp, "cfg"), XDG_DATA_HOME=os.path.join(tmp, "data"))

        def gimp_run(script, tag):
            with open(os.path.join(tmp, tag + ".scm"), "w") as f:
                f.write(script)
            p = subprocess.run([GIMP, "-i", "-d", "--no-splash", "-b", f'(load "{tmp}/{tag}.scm")', "-b", "(gimp-quit 0)"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
            if "batch command executed successfully" not in p.stdout.decode("utf-8", "replace"):
                sys.stderr.write(p.stdout.decode("utf-8", "replace")[-3000:])
                sys.stderr.write(f"scriptfu: GIMP failed ({tag})\n")
                sys.exit(4)

        gimp_run(scm, "draw")

        def load(cv):
            return np.asarray(Image.open(os.path.join(tmp, cv.name + ".pgm")), dtype=np.float32) / 255.0

        # ---------------- paper: sparse Gabor convolution noise, anisotropic along the machine direction ----------------
        g = 4.0  # cells per mm
        gw, gh = int(210 * g) + 8, int(297 * g) + 8

        def gabor_noise(F0_mm, a_mm, omega, density):
            imp = np.zeros((gh, gw), np.float32)
            n = int(density * gw * gh)
            ys, xs = rng.integers(0, gh, n), rng.integers(0, gw, n)
            np.add.at(imp, (ys, xs), rng.choice([-1.0, 1.0], n).astype(np.float32))
            rad = int(math.ceil(1.6 * a_mm * g))
            yy_, xx_ = np.mgrid[-rad:rad + 1, -rad:rad + 1] / g
            ker = np.exp(-math.pi * ((xx_ * math.cos(omega) + yy_ * math.sin(omega)) ** 2 / (a_mm * 1.3) ** 2
                                      + (-xx_ * math.sin(omega) + yy_ * math.cos(omega)) ** 2 / a_mm ** 2))
            ker = ker * np.cos(2 * math.pi * F0_mm * (xx_ * math.cos(omega + 1.3) + yy_ * math.sin(omega + 1.3)))
            out = signal.fftconvolve(imp, ker.astype(np.float32), mode="same")
            return out / (out.std() + 1e-9)

        md = math.radians(90 + U(-12, 12))  # machine direction down the sheet
        paper_lo = gabor_noise(1 / U(2.5, 4.0), U(1.6, 2.6), md, 0.08) * U(0.003, 0.007)
        paper_lo += gabor_noise(1 / U(0.6, 0.9), U(0.4, 0.6), md, 0.25) * U(0.002, 0.004)
        paper_lo += gabor_noise(0.0001, U(5, 8), md, 0.02) * U(0.003, 0.008)

        def up(a):
            zy, zx = H / (297 * g), W / (210 * g)
            return ndimage.zoom(a[:int(297 * g), :int(210 * g)], (zy, zx), order=1)[:H, :W].astype(np.float32)

        fib = up(paper_lo)
        if fib.shape != (H, W):
            fib = np.pad(fib, ((0, H - fib.shape[0]), (0, W - fib.shape[1])), mode="edge")
        white = U(0.86, 0.90)
        tint = np.array([1.0, 1.0, 1.0])
        if tinted:
            tint = [np.array([1.0, 0.97, 0.80]), np.array([1.0, 0.88, 0.90]), np.array([0.86, 0.93, 1.0]), np.array([0.88, 1.0, 0.88])][rng.integers(4)]
        paperc = white * tint * np.array([U(0.99, 1.01), 1.0, U(1.0, 1.025)])
        D = np.zeros((3, H, W), np.float32)  # optical density over the paper, per channel

        # ---------------- flexographic print of the form ----------------
        cov = load(form)
        sq_mm = U(0.015, 0.03)
        bl = ndimage.gaussian_filter(cov, sq_mm * k)
        squash = np.clip((bl - U(0.3, 0.38)) / 0.4 + 0.5 * cov, 0, 1)
        halo = np.clip(ndimage.gaussian_filter(cov, U(0.05, 0.08) * k) - squash, 0, 1) * U(0.18, 0.32)
        inner = np.clip(ndimage.gaussian_filter(cov, 0.25 * k) - 0.8, 0, 0.2) * 5  # solids: starved centre
        yy_ = (np.arange(H, dtype=np.float32) / k)[:, None]
        xx_ = (np.arange(W, dtype=np.float32) / k)[None, :]
        per = U(0.06, 0.09)
        anilox = np.cos(2 * math.pi * (xx_ * 0.866 + yy_ * 0.5) / per).astype(np.float32)
        anilox *= np.cos(2 * math.pi * (-xx_ * 0.5 + yy_ * 0.866) / per).astype(np.float32)
        dpr = U(1.3, 1.5)
        film = (squash * (1 - 0.1 * inner) * (1 + 0.04 * anilox) + halo)
        del anilox, bl, inner, halo
        for c, tw in enumerate((1.0, U(0.98, 1.01), U(0.97, 1.02))):
            D[c] += dpr * tw * (1 - np.exp(-3.0 * film)) / (1 - math.exp(-3.0))
        del film, cov, squash

        # ---------------- stains in their boxes ----------------
        for b in boxes:
            if not b["stain"] and not tinted:
                continue
            if tinted:
                b["defects"].append("bg_not_white")
            if not b["stain"]:
                continue
            x0, x1 = (b["x0"] + rule / 2 + 1.5) * k, (b["x1"] - rule / 2 - 1.5) * k
            y0, y1 = (b["y0"] + rule / 2 + 1.5) * k, (b["y1"] - rule / 2 - 1.5) * k
            X0, Y0, X1, Y1 = int(x0), int(y0), int(x1), int(y1)
            yy2, xx2 = np.mgrid[Y0:Y1, X0:X1].astype(np.float32)
            R0 = U(0.3, 0.42) * min(x1 - x0, y1 - y0)
            ra, rb = min(R0 * U(1.0, 1.5), (x1 - x0) / 2.5), R0
            rm = max(ra, rb) * 1.18
            scx = U(x0 + rm, max(x0 + rm, x1 - rm))
            scy = U(y0 + min(rm, (y1 - y0) / 2), max(y0 + min(rm, (y1 - y0) / 2), y1 - rm))
            th = U(0, math.pi)
            u = ((xx2 - scx) * math.cos(th) + (yy2 - scy) * math.sin(th)) / ra
            v = (-(xx2 - scx) * math.sin(th) + (yy2 - scy) * math.cos(th)) / rb
            wob = ndimage.zoom(rng.normal(0, 1, (12, 12)).astype(np.float32), ((Y1 - Y0) / 12, (X1 - X0) / 12), order=3)[:Y1 - Y0, :X1 - X0]
            wob = np.pad(wob, ((0, Y1 - Y0 - wob.shape[0]), (0, X1 - X0 - wob.shape[1])), mode="edge")
            rr = np.sqrt(u * u + v * v) + 0.12 * wob
            inside = np.clip((1 - rr) * 8, 0, 1)
            fx = np.clip(np.minimum(xx2 - x0, x1 - xx2) / (0.8 * k), 0, 1) * np.clip(np.minimum(yy2 - y0, y1 - yy2) / (0.8 * k), 0, 1)
            inside *= fx
            s = U(1.0, 1.5)
            if b["stain"] == "coffee":
                rim = np.exp(-((rr - 0.97) / 0.05) ** 2) * fx
                amt = inside * (0.55 + 0.2 * wob) + 0.9 * rim
                od = np.array([0.035, 0.10, 0.24]) * s
            else:
                streak = ndimage.gaussian_filter1d(rng.normal(0, 1, (Y1 - Y0, X1 - X0)).astype(np.float32), 1.5 * k, axis=1)
                streak /= streak.std() + 1e-9
                amt = inside * np.clip(0.7 + 0.35 * streak + 0.2 * wob, 0.1, 1.4)
                od = np.array([0.13, 0.11, 0.035]) * s
            for c in range(3):
                D[c, Y0:Y1, X0:X1] += (od[c] * amt).astype(np.float32)
            b["defects"].append("bg_not_white")
            b["info"]["stain"] = b["stain"]

        # ---------------- seal and pen ink: Tollenaar–Ernst film density ----------------
        def ink_dinf(h_deg):
            lin = hsv_lin(h_deg, 0.93, 0.95)
            d = -np.log10(np.maximum(lin, 1e-4))
            return d / d.max()

        m_te = U(2.4, 3.0)
        seal_dmax = U(1.35, 1.55)
        inkcov = {}
        for bi, cv, load_ in plans:
            b = boxes[bi]
            c = load(cv)
            if b["smudged"]:
                L = U(0.9, 1.35)
                ang = U(0, 2 * math.pi)
                n = max(3, int(L * k) + 1)
                size = 2 * n + 1
                ker = np.zeros((size, size), np.float32)
                for i in range(n * 4 + 1):
                    t = i / (n * 4)
                    wgt = 1.0 - 0.7 * t
                    ker[int(round(n + t * L * k * math.cos(ang))), int(round(n + t * L * k * math.sin(ang)))] += wgt
                ker /= ker.sum()
                c = signal.fftconvolve(c, ker, mode="same").astype(np.float32) * 1.2
                b["info"]["smear_mm"] = round(L, 2)
            key = bi
            if key not in inkcov:
                inkcov[key] = [cv.ox, cv.oy, np.zeros_like(c), np.zeros_like(c)]
            inkcov[key][2] += c * load_
            inkcov[key][3] = np.maximum(inkcov[key][3], c)
        for bi, (ox, oy, film, covmax) in inkcov.items():
            b = boxes[bi]
            seal = b["kind"] != "signature"
            hh, ww = film.shape
            mot = ndimage.gaussian_filter(rng.normal(0, 1, film.shape).astype(np.float32), 1.0 * k)
            mot /= mot.std() + 1e-9
            if seal:
                hue = pad_hue
                if b["off"]:
                    hue = (1 if U() < 0.5 else -1) * U(26, 40)
                    b["info"]["hue_deg"] = round(hue, 1)
                dinf = ink_dinf(hue) * seal_dmax
                # a pale impression is thin everywhere: its film is capped at one pressing's before thinning
                x = (np.minimum(film, 1.0) if b["pale"] else film) * (1 + U(0.05, 0.1) * mot)
                if b["pale"]:
                    a = U(0.30, 0.52)
                    dt = -math.log10(1 - a)
                    x *= -math.log(1 - dt / seal_dmax * (1 - math.exp(-m_te))) / m_te
                    b["info"]["absorbed"] = round(a, 2)
            else:
                dinf = (np.array([0.95, 0.75, 0.25]) if pen == "blue" else np.array([1.0, 0.97, 0.92])) * U(1.25, 1.45)
                x = (np.minimum(film, 1.0) if b["pale"] else film) * (1 + 0.04 * mot)
                if b["pale"]:
                    a = U(0.30, 0.52)
                    dt = -math.log10(1 - a)
                    x *= -math.log(1 - dt / dinf.max() * (1 - math.exp(-m_te))) / m_te
                    b["info"]["absorbed"] = round(a, 2)
            # Tollenaar–Ernst: D = D_inf (1 - exp(-m x)), D_inf = dmax / (1 - exp(-m)) so a unit film reads dmax
            dens = (1 - np.exp(-m_te * x)) / (1 - math.exp(-m_te))
            oy2, ox2 = max(oy, 0), max(ox, 0)
            y2, x2 = min(oy + hh, H), min(ox + ww, W)
            for ch in range(3):
                D[ch, oy2:y2, ox2:x2] += (dinf[ch] * dens[oy2 - oy:y2 - oy, ox2 - ox:x2 - ox]).astype(np.float32)

        # ---------------- reflectance ----------------
        refl = np.empty((3, H, W), np.float32)
        for c in range(3):
            refl[c] = paperc[c] * (1 + fib) * np.power(10.0, -D[c])
        del D, fib

        # ---------------- capture: a laser flying-spot scanner ----------------
        skew = float(rng.normal(0, 0.25)) if U() < 0.5 else U(0.3, 1.2) * (1 if U() < 0.5 else -1)
        tx, ty = U(-0.6, 0.6) * k, U(-0.6, 0.6) * k
        th = math.radians(skew)
        facets = int(rng.integers(6, 9))
        facet_dy = rng.uniform(-0.025, 0.025, facets) * k
        facet_gain = 1 + rng.uniform(-0.006, 0.006, facets)
        ftheta = U(0.05, 0.2) * k
        spot = [U(0.035, 0.05) * k, U(0.03, 0.045) * k, U(0.03, 0.045) * k]
        tau = U(0.3, 0.7)
        speck = U(0.008, 0.02)
        noise = U(0.0015, 0.0035)
        for c in range(3):
            refl[c] = ndimage.gaussian_filter(refl[c], spot[c])
        ccx, ccy = W / 2, H / 2
        cos_, sin_ = math.cos(-th), math.sin(-th)

        def page_of(xs, ys):
            """scan px -> page px."""
            xb = xs + ftheta * np.sin(math.pi * xs / W) * np.cos(math.pi * xs / W)
            yb = ys + facet_dy[ys.astype(np.int64) % facets]
            xr, yr = xb - ccx - tx, yb - ccy - ty
            return ccx + xr * cos_ - yr * sin_, ccy + xr * sin_ + yr * cos_

        out = np.empty((H, W, 3), np.uint8)
        white_cal = paperc.max() * U(1.0, 1.03)
        alpha = 1 - math.exp(-1 / tau)
        strip = max(64, int(2e6 // W))
        for r0 in range(0, H, strip):
            r1 = min(H, r0 + strip)
            ys, xs = np.mgrid[r0:r1, 0:W]
            px, py = page_of(xs.astype(np.float32), ys)
            for c in range(3):
                v = ndimage.map_coordinates(refl[c], [py, px], order=1, mode="constant", cval=0.8 * paperc[c])
                v = v * facet_gain[ys % facets]
                v = signal.lfilter([alpha], [1, -(1 - alpha)], v - v[:, :1], axis=1) + v[:, :1]
                sp = rng.normal(0, 1, v.shape).astype(np.float32)
                v = v * (1 + speck * sp) + noise * rng.normal(0, 1, v.shape)
                v = np.clip(np.round(v / white_cal * 4095) / 4095, 0, 1)
                e = np.where(v <= 0.0031308, 12.92 * v, 1.055 * np.power(v, 1 / 2.4) - 0.055)
                out[r0:r1, :, c] = np.clip(np.round(e * 255), 0, 255).astype(np.uint8)
        del refl

        # ---------------- truth: masks and overlap_line from the drawn ink ----------------
        inv_c, inv_s = math.cos(th), math.sin(th)

        def scan_of(px, py):
            xr, yr = px - ccx, py - ccy
            return ccx + xr * inv_c - yr * inv_s + tx, ccy + xr * inv_s + yr * inv_c + ty

        truth_boxes = []
        for bi, b in enumerate(boxes):
            bx, by = b["centre_mm"]
            sx, sy = scan_of(bx * k, by * k)
            tb = dict(row=b["row"], col=b["col"], kind=b["kind"], empty=bool(b["empty"]))
            tb["box_centre_px"] = [round(sx, 1), round(sy, 1)]
            if b["kind"] == "official_seal":
                tb["diameter_mm"] = round(face_d, 2)
            elif b["kind"] == "legal_rep_seal":
                tb["size_mm"] = [round(lr_w, 2), round(lr_h, 2)]
            defects = list(b["defects"])
            border = []
            if not b["empty"]:
                ox, oy, film, covmax = inkcov[bi]
                cm = covmax >= 0.5
                yy3, xx3 = np.nonzero(cm)
                gx = (xx3 + ox + 0.5) / k
                gy = (yy3 + oy + 0.5) / k
                ix0, ix1 = b["x0"] + rule / 2, b["x1"] - rule / 2
                iy0, iy1 = b["y0"] + rule / 2, b["y1"] - rule / 2
                reach = float(max((ix0 - gx).max(), (gx - ix1).max(), (iy0 - gy).max(), (gy - iy1).max())) if len(gx) else -99
                tb["reach_mm"] = round(reach, 2)
                if reach > 0.3:
                    defects.append("overlap_line")
                elif reach >= -0.3:
                    border.append("overlap_line")
                elif b["broken"] and reach > -1.5:
                    border.append("overlap_line")
                if b["pale"]:
                    defects.append("pale")
                if b["broken"]:
                    defects.append("broken")
                if b["double"]:
                    defects.append("double")
                if b["smudged"]:
                    defects.append("smudged")
                if b["tilted"]:
                    defects.append("tilted")
                if b["off"]:
                    defects.append("off_color")
                if b["under"]:
                    defects.append("text_under")
                # mask: the drawn coverage through the same map (scan px -> page px), >= 0.5
                hh, ww = covmax.shape
                corners = [scan_of(ox + a, oy + c2) for a in (0, ww) for c2 in (0, hh)]
                sx0 = max(0, int(min(p[0] for p in corners)) - 3)
                sx1 = min(W, int(max(p[0] for p in corners)) + 3)
                sy0 = max(0, int(min(p[1] for p in corners)) - 3)
                sy1 = min(H, int(max(p[1] for p in corners)) + 3)
                ys, xs = np.mgrid[sy0:sy1, sx0:sx1]
                px, py = page_of(xs.astype(np.float32), ys)
                sm = ndimage.gaussian_filter(covmax, spot[1])
                mv = ndimage.map_coordinates(sm, [py - oy, px - ox], order=1, mode="constant", cval=0.0) >= 0.5
                nz = np.nonzero(mv)
                if len(nz[0]):
                    my0, my1, mx0, mx1 = nz[0].min(), nz[0].max() + 1, nz[1].min(), nz[1].max() + 1
                    name = f"{stem}.r{b['row']}c{b['col']}.mask.png"
                    Image.fromarray((mv[my0:my1, mx0:mx1] * 255).astype(np.uint8), "L").save(os.path.join(outdir, name), optimize=False)
                    tb["mask"] = name
                    tb["mask_offset"] = [int(sx0 + mx0), int(sy0 + my0)]
                else:
                    defects = ["empty"] + [d for d in defects if d == "bg_not_white"]
                    tb["empty"] = True
            else:
                defects = ["empty"] + defects
            order = ["empty", "pale", "broken", "double", "smudged", "overlap_line", "tilted", "bg_not_white", "text_under", "off_color"]
            tb["defects"] = [d for d in order if d in defects]
            tb["borderline"] = border
            for kk, vv in b["info"].items():
                tb[kk] = vv
            truth_boxes.append(tb)

        # ---------------- codec: GIMP's own savers (a second GIMP start) ----------------
        fmt = rng.choice(["jpg", "png", "tif"], p=[0.6, 0.25, 0.15])
        dpi_in_file = bool(U() < 0.85)
        ppm = os.path.join(tmp, "scan.ppm")
        Image.fromarray(out, "RGB").save(ppm)
        del out
        fname = f"{stem}.{fmt}"
        dst = os.path.join(tmp, fname)
        res = dpi if dpi_in_file else 72
        if fmt == "jpg":
            q = U(0.72, 0.95)
            sub = int(rng.choice([0, 1, 2], p=[0.6, 0.2, 0.2]))
            save = f"(file-jpeg-save RUN-NONINTERACTIVE img lay {sq(dst)} {sq(dst)} {q:.3f} 0 1 0 \"\" {sub} 1 0 1)"
        elif fmt == "png":
            save = f"(file-png-save2 RUN-NONINTERACTIVE img lay {sq(dst)} {sq(dst)} 0 9 0 0 0 {1 if dpi_in_file else 0} 0 0 0)"
        else:
            save = f"(file-tiff-save RUN-NONINTERACTIVE img lay {sq(dst)} {sq(dst)} 1)"
        enc = (f"(let* ((img (car (file-pnm-load RUN-NONINTERACTIVE {sq(ppm)} {sq(ppm)})))"
               f" (lay (car (gimp-image-get-active-drawable img))))"
               f" (gimp-image-set-resolution img {res} {res}) {save} (gimp-image-delete img))")
        gimp_run(enc, "encode")
        shutil.copyfile(dst, os.path.join(outdir, fname))

        truth = dict(maker=MAKER, seed=seed, dpi=dpi, dpi_in_file=dpi_in_file, skew_deg=round(skew, 3), file=fname,
                     boxes=truth_boxes, layout="netca-ln-procurement/seal-application", firm=firm, person=rep,
                     user=user, pen=pen, tinted=tinted, intaglio=intaglio)
        with open(os.path.join(outdir, f"{stem}.truth.json"), "w") as f:
            json.dump(truth, f, ensure_ascii=False, indent=1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
