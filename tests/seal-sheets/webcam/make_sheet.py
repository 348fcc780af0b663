#!/usr/bin/env python3
"""Maker V `webcam/`: a seal collection sheet drawn as SVG and rendered by Inkscape's CLI
(glyph outlines of IPA Gothic read with fontTools), printed on a dye-sublimation printer,
bond paper (cockle + watermark), a tabulated ink ladder, captured by a 4K USB webcam on the
counter's laptop whose web app rectifies the page and stores HEIC (libheif / x265), exported.
python3 make_sheet.py SEED OUTDIR INDEX"""
import json, math, os, subprocess, sys, tempfile, shutil
import numpy as np, time
_T0=time.time()
def _t(m):
    if os.environ.get("V_TIME"): print("%6.2f %s" % (time.time()-_T0, m), file=sys.stderr)
from PIL import Image
from fontTools.ttLib import TTFont
from fontTools.pens.svgPathPen import SVGPathPen
from scipy import ndimage

FONT = "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"
PXMM = 12.0  # render grid, px per mm
seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
rng = np.random.default_rng(seed)
name = "%03d" % index
U = lambda a, b: float(rng.uniform(a, b))

# ---------------- resolution (drawn first; SEAL_SHEET_DPI overrides after the draw)
dpi = int(rng.choice([150, 200, 300, 400, 600], p=[.08, .14, .56, .12, .10]))
if os.environ.get("SEAL_SHEET_DPI"):
    dpi = int(os.environ["SEAL_SHEET_DPI"])

# ---------------- font and word check (missing or empty glyph: stop)
font = TTFont(FONT)
cmap = font.getBestCmap(); gs = font.getGlyphSet(); glyf = font["glyf"]; UPM = font["head"].unitsPerEm
_pc = {}
def has(ch):
    g = cmap.get(ord(ch))
    if g is None: return False
    gl = glyf[g]
    return ch in " 　" or (gl.numberOfContours != 0)
def need(s):
    for ch in s:
        if not has(ch):
            raise SystemExit("webcam: face lacks %r in %r" % (ch, s))
def gpath(ch):
    if ch not in _pc:
        g = cmap[ord(ch)]; pen = SVGPathPen(gs); gs[g].draw(pen)
        gl = glyf[g]; gl.recalcBounds(glyf) if hasattr(gl, "recalcBounds") else None
        bb = (gl.xMin, gl.yMin, gl.xMax, gl.yMax) if gl.numberOfContours else (0, 0, 0, 0)
        _pc[ch] = (pen.getCommands(), bb, font["hmtx"][g][0])
    return _pc[ch]

CITIES = ["北京", "天津", "上海", "包頭", "赤峰", "通遼", "鄂爾多斯", "呼和浩特", "烏海", "大連", "青島", "武漢", "成都", "西安"]
CORES = ["東方", "新世紀", "金橋", "長城", "泰和", "宏達", "恒信", "天成", "興業", "海川", "正大", "明德", "瑞豐", "安泰", "廣源", "中聯"]
TRADES = ["科技", "商貿", "建設", "物流", "電子", "實業", "能源", "工程", "環保", "信息"]
SURN = ["王", "李", "張", "劉", "陳", "楊", "趙", "黃", "周", "吳", "徐", "孫", "胡", "朱", "高", "林", "何", "郭", "馬", "羅"]
GIVEN = ["偉", "芳", "敏", "靜", "麗", "強", "磊", "軍", "洋", "勇", "傑", "濤", "明", "超", "秀英", "建華", "志強", "海燕", "國慶", "玉蘭"]
ok = lambda s: all(has(c) for c in s)
CITIES = [w for w in CITIES if ok(w)]; CORES = [w for w in CORES if ok(w)]; TRADES = [w for w in TRADES if ok(w)]
SURN = [w for w in SURN if ok(w)]; GIVEN = [w for w in GIVEN if ok(w)]
firm = CITIES[rng.integers(len(CITIES))] + CORES[rng.integers(len(CORES))] + TRADES[rng.integers(len(TRADES))] + "有限公司"
person = SURN[rng.integers(len(SURN))] + GIVEN[rng.integers(len(GIVEN))]
use = ["", "合同專用章", "財務專用章"][int(rng.choice(3, p=[.6, .2, .2]))]
need(firm); need(person); need(use)

# ---------------- layout (after forms/nmgca-procurement personal-seal-application + 附件二's sample rows)
W, H = 210.0, 297.0
tx0 = 18.0 + U(-1.5, 1.5); ty0 = 16.0 + U(-1.0, 2.0)
cols = [58.0, 58.0, 58.0]
lw = U(0.2, 0.4)
rows = []  # (kind, y0, h, texts)
y = ty0 + 14
HEAD = [("申請類別", "新規　　年審　　変更　　補辦"), ("申請類型", "政府採購"),
        ("単位名称", firm), ("法定代表人", person)]
for a, b in HEAD: need(a); need(b)
CAP = {"official_seal": "単位公章採集（本欄需採集三個様本）", "legal_rep_seal": "法定代表人私章採集（三個様本）",
       "signature": "法定代表人簽名採集（請簽写三次）簽名不圧辺框"}
for v in CAP.values(): need(v)
TITLE = "「政府採購電子簽章」単位申請表"; need(TITLE)
FOOT = ["受理人：　　　　　受理日期：　　年　　月　　日", "本単位保証提交的所有信息均真実有効。"]
for f in FOOT: need(f)
hlines = [y]; head_rows = []
for a, b in HEAD:
    head_rows.append((y, 9.0, a, b)); y += 9.0; hlines.append(y)
boxes = []
for r, (kind, h) in enumerate([("official_seal", U(51, 54)), ("legal_rep_seal", U(35, 38)), ("signature", U(44, 47))]):
    head_rows.append((y, 8.0, CAP[kind], None)); y += 8.0; hlines.append(y)
    x = tx0
    for c in range(3):
        boxes.append(dict(row=r, col=c, kind=kind, x0=x, x1=x + cols[c], y0=y, y1=y + h)); x += cols[c]
    y += h; hlines.append(y)
tab_y1 = y
TW = sum(cols)

# ---------------- plan the boxes
def plan_box(b):
    k = b["kind"]; d = dict(defects=[], borderline=[], impressions=[])
    b.update(d); b["stain"] = False; b["under"] = None; b["pale"] = False; b["off"] = 0; b["push"] = None
    b["tilt"] = U(-2, 2); b["smear"] = None; b["double"] = None; b["broken"] = None
    if k == "signature":
        if rng.random() < 0.06: b["empty"] = True; b["stain"] = rng.random() < 0.12; return
        b["empty"] = False
        if rng.random() < 0.12: b["push"] = U(1.2, 3.0)
        if rng.random() < 0.08: b["stain"] = True
        if rng.random() < 0.10: b["pale"] = True
        return
    if rng.random() < 0.08: b["empty"] = True; b["stain"] = rng.random() < 0.12; return
    b["empty"] = False
    if rng.random() < 0.72:
        names = ["double", "smudged", "broken", "pale", "off", "tilted", "push", "blot", "print"]
        w = np.array([13, 13, 13, 12, 11, 13, 11, 8, 9], float)
        chosen = [names[rng.choice(9, p=w / w.sum())]]
        if rng.random() < 0.30:
            sec = [s for s in ["tilted", "blot", "print", "push", "double", "pale"] if s not in chosen]
            if chosen[0] in ("smudged", "broken"): sec = [s for s in sec if s != "double"]
            if chosen[0] == "off": sec = [s for s in sec if s != "pale"]
            chosen.append(sec[rng.integers(len(sec))])
        for c in chosen:
            if c == "double": b["double"] = (U(0.8, 2.4), U(0, 360), U(-1.5, 1.5), U(0.5, 0.9))
            if c == "smudged": b["smear"] = (U(0.8, 1.3), U(0, 360))
            if c == "broken": b["broken"] = (U(0.18, 0.30), U(0, 360))
            if c == "pale": b["pale"] = True
            if c == "off": b["off"] = 1 if rng.random() < 0.5 else -1
            if c == "tilted": b["tilt"] = U(12, 28) * (1 if rng.random() < 0.5 else -1)
            if c == "push": b["push"] = U(1.2, 3.0)
            if c == "blot": b["stain"] = True
            if c == "print": b["under"] = ["蓋章", "公章", "印章", "本公司"][int(rng.integers(4))] if k == "official_seal" else ["蓋章", "印章"][int(rng.integers(2))]
for b in boxes: plan_box(b)
tinted = rng.random() < 0.05
tint = None
if tinted:
    tint = [(0.03, 0.06, 0.2), (0.02, 0.12, 0.08), (0.16, 0.07, 0.02), (0.12, 0.03, 0.12)][int(rng.integers(4))]
    tint = tuple(t * U(0.8, 1.2) for t in tint)

D_OFF = U(38.5, 44.5)  # one seal a sheet
legal_rect = rng.random() < 0.35
LS = U(15.5, 21.5)
LSIZE = (U(19.5, 22.5), 0) if legal_rect else (LS, LS)
if legal_rect:
    ratio = U(1.15, 1.3); LSIZE = (LSIZE[0], LSIZE[0] / ratio) if rng.random() < 0.5 else (LSIZE[0] / ratio, LSIZE[0])
legal_yin = rng.random() < 0.2
ring_w = U(0.9, 1.4); frame_w = U(0.6, 1.1)
arc_span = U(200, 250); char_h = D_OFF * U(0.14, 0.17)
code_digits = "".join(str(int(rng.integers(10))) for _ in range(13)) if rng.random() < 0.4 else ""
pen = ["blue", "black", "blueblack"][int(rng.choice(3, p=[.5, .3, .2]))]
sig_w = U(0.42, 0.6)

# ---------------- SVG pieces (page mm coordinates)
def glyph_at(ch, cx, cy, w, h, rot=0.0, fill="#000"):
    p, (x0, y0, x1, y1), adv = gpath(ch)
    if x1 <= x0: return ""
    sx, sy = w / (x1 - x0), h / (y1 - y0)
    return ('<path fill="%s" transform="translate(%.4f %.4f) rotate(%.4f) scale(%.6f %.6f) translate(%.2f %.2f)" d="%s"/>'
            % (fill, cx, cy, rot, sx, -sy, -(x0 + x1) / 2, -(y0 + y1) / 2, p))
def text_line(s, x, yb, size, bold=False, anchor="start"):
    out = []; adv_total = sum(gpath(c)[2] for c in s) * size / UPM
    if anchor == "middle": x -= adv_total / 2
    for c in s:
        p, bb, adv = gpath(c)
        if p:
            out.append('<path fill="#000" %s transform="translate(%.4f %.4f) scale(%.6f %.6f)" d="%s"/>'
                       % ('stroke="#000" stroke-width="%.1f"' % (UPM * 0.03) if bold else "", x, yb, size / UPM, -size / UPM, p))
        x += adv * size / UPM
    return "".join(out)

def star(cx, cy, R):
    pts = []
    for i in range(10):
        r = R if i % 2 == 0 else R * 0.382
        a = -math.pi / 2 + i * math.pi / 5
        pts.append("%.4f,%.4f" % (cx + r * math.cos(a), cy + r * math.sin(a)))
    return '<polygon fill="#000" points="%s"/>' % " ".join(pts)

def seal_svg(b, cx, cy, rot):
    k = b["kind"]; g = []
    if k == "official_seal":
        R = D_OFF / 2
        g.append('<circle cx="%.4f" cy="%.4f" r="%.4f" fill="none" stroke="#000" stroke-width="%.4f"/>' % (cx, cy, R - ring_w / 2, ring_w))
        g.append(star(cx, cy, R * 0.30))
        n = len(firm); span = math.radians(arc_span); rr = R - ring_w - 0.6 - char_h / 2
        step = span / max(n - 1, 1); cw = min(char_h * 0.72, rr * step * 0.85)
        for i, ch in enumerate(firm):
            a = -math.pi / 2 - span / 2 + i * step
            g.append(glyph_at(ch, cx + rr * math.cos(a), cy + rr * math.sin(a), cw, char_h, math.degrees(a) + 90))
        if use:
            uw = R * 0.95 / len(use)
            for i, ch in enumerate(use):
                g.append(glyph_at(ch, cx - R * 0.475 + uw * (i + 0.5), cy + R * 0.52, uw * 0.8, R * 0.17))
        if code_digits:
            rr2 = R - ring_w - 0.5 - R * 0.05; st = math.radians(7.5)
            for i, ch in enumerate(code_digits):
                a = math.pi / 2 + (6 - i) * st
                g.append(glyph_at(ch, cx + rr2 * math.cos(a), cy + rr2 * math.sin(a), R * 0.045, R * 0.08, math.degrees(a) - 90))
    else:
        w, h = LSIZE; x0, y0 = cx - w / 2, cy - h / 2
        words = person + ("之印" if len(person) == 2 else "印")
        cells = [(1, 0), (1, 1), (0, 0), (0, 1)]  # right column first, top to bottom
        inner = frame_w + 0.4
        cw, ch_ = (w - 2 * inner) / 2, (h - 2 * inner) / 2
        if legal_yin:
            g.append('<rect x="%.4f" y="%.4f" width="%.4f" height="%.4f" fill="#000"/>' % (x0, y0, w, h))
            fill = "#fff"
        else:
            g.append('<rect x="%.4f" y="%.4f" width="%.4f" height="%.4f" fill="none" stroke="#000" stroke-width="%.4f"/>'
                     % (x0 + frame_w / 2, y0 + frame_w / 2, w - frame_w, h - frame_w, frame_w))
            fill = "#000"
        for (cc, rr_), chh in zip(cells, words):
            g.append(glyph_at(chh, x0 + inner + cw * (cc + 0.5), y0 + inner + ch_ * (rr_ + 0.5), cw * 0.86, ch_ * 0.86, 0, fill))
    return '<g transform="rotate(%.4f %.4f %.4f)">%s</g>' % (rot, cx, cy, "".join(g))

def sig_svg(cx, cy, seedv):
    r2 = np.random.default_rng(seedv)
    n = len(person); cell = float(r2.uniform(9, 12)); shear = float(r2.uniform(6, 15)); width = n * cell * 0.9
    ds = []
    for i in range(n):
        ox = cx - width / 2 + (i + 0.5) * cell * 0.9
        for s in range(int(r2.integers(3, 6))):
            p = [(ox + r2.uniform(-cell * 0.4, cell * 0.4), cy + r2.uniform(-cell * 0.45, cell * 0.45)) for _ in range(4)]
            ds.append("M%.3f %.3f C%.3f %.3f %.3f %.3f %.3f %.3f" % (p[0] + p[1] + p[2] + p[3]))
    ds.append("M%.3f %.3f C%.3f %.3f %.3f %.3f %.3f %.3f" % (cx + width / 2 - 3, cy + 2, cx + width / 2 + 2, cy + 5, cx - width / 3, cy + 6, cx - width / 2 - 1, cy + 3))
    return ('<g transform="translate(%.3f %.3f) skewX(%.3f) translate(%.3f %.3f)"><path d="%s" fill="none" stroke="#000" stroke-width="%.3f" stroke-linecap="round" stroke-linejoin="round"/></g>'
            % (cx, cy, -shear, -cx, -cy, " ".join(ds), sig_w)), width

# ---------------- place impressions
def extent(b, rot):
    if b["kind"] == "official_seal": return D_OFF / 2, D_OFF / 2
    w, h = LSIZE; a = math.radians(rot)
    return (abs(w * math.cos(a)) + abs(h * math.sin(a))) / 2, (abs(w * math.sin(a)) + abs(h * math.cos(a))) / 2
for b in boxes:
    if b["empty"]: continue
    ix0, ix1, iy0, iy1 = b["x0"] + lw / 2, b["x1"] - lw / 2, b["y0"] + lw / 2, b["y1"] - lw / 2
    b["inner"] = (ix0, ix1, iy0, iy1)
    mx, my = (ix0 + ix1) / 2, (iy0 + iy1) / 2
    if b["kind"] == "signature":
        b["sig_seed"] = int(rng.integers(1 << 30)); _, wdt = sig_svg(0, 0, b["sig_seed"]); ex, ey = wdt / 2 + 1, 7
    else:
        ex, ey = extent(b, b["tilt"])
    cx = mx + U(-2, 2); cy = my + U(-2, 2)
    cx = min(max(cx, ix0 + ex + 0.8), ix1 - ex - 0.8); cy = min(max(cy, iy0 + ey + 0.8), iy1 - ey - 0.8)
    if b["under"]:
        ux, uy = mx + U(-5, 5), my + (iy1 - iy0) * U(0.1, 0.2)
        b["under_xy"] = (ux, uy)
        cx = min(max(ux + U(-1.5, 1.5), ix0 + ex + 0.8), ix1 - ex - 0.8); cy = min(max(uy + U(-1.5, 1.5), iy0 + ey + 0.8), iy1 - ey - 0.8)
    if b["push"]:
        side = int(rng.integers(4)) if b["kind"] != "signature" else int(rng.integers(2))
        b["push_side"] = ["left", "right", "top", "bottom"][side]
        if side == 0: cx = ix0 + ex - b["push"]
        if side == 1: cx = ix1 - ex + b["push"]
        if side == 2: cy = iy0 + ey - b["push"]
        if side == 3: cy = iy1 - ey + b["push"]
    b["cx"], b["cy"] = cx, cy
    b["impressions"] = [(cx, cy, b["tilt"], 1.0)]
    if b["double"]:
        o, a, dr, ld = b["double"]
        b["impressions"].append((cx + o * math.cos(math.radians(a)), cy + o * math.sin(math.radians(a)), b["tilt"] + dr, ld))

# ---------------- one SVG: the page at the left, one tile per pressing to the right
PW, PH = int(round(W * PXMM)), int(round(H * PXMM))
MARG = 8.0
tiles = []
for bi, b in enumerate(boxes):
    for pi, imp in enumerate(b["impressions"]):
        rx0 = int(math.floor((b["x0"] - MARG) * PXMM)); ry0 = int(math.floor((b["y0"] - MARG) * PXMM))
        tw = int(math.ceil((b["x1"] - b["x0"] + 2 * MARG) * PXMM)); th = int(math.ceil((b["y1"] - b["y0"] + 2 * MARG) * PXMM))
        tiles.append(dict(bi=bi, pi=pi, rx0=rx0, ry0=ry0, tw=tw, th=th))
TWM = max([t["tw"] for t in tiles] + [1]); THM = max([t["th"] for t in tiles] + [1])
ncol = 4
for k, t in enumerate(tiles):
    t["X"] = PW + (k % ncol) * TWM; t["Y"] = (k // ncol) * THM
CW = PW + ncol * TWM; CH = max(PH, ((len(tiles) + ncol - 1) // ncol) * THM)
svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="%dpx" height="%dpx" viewBox="0 0 %d %d">' % (CW, CH, CW, CH)]
svg.append('<rect x="0" y="0" width="%d" height="%d" fill="#fff"/>' % (CW, CH))
pg = ['<g transform="scale(%.6f)">' % PXMM]
pg.append(text_line(TITLE, W / 2 + U(-1, 1), ty0 + 8, 5.6, True, "middle"))
for yy in hlines:
    pg.append('<rect x="%.4f" y="%.4f" width="%.4f" height="%.4f" fill="#000"/>' % (tx0 - lw / 2, yy - lw / 2, TW + lw, lw))
for (yy, hh, a, bb) in head_rows:
    if bb is None:
        pg.append(text_line(a, tx0 + 3, yy + hh / 2 + 1.3, 3.6, True))
        for xx in (tx0, tx0 + TW):
            pg.append('<rect x="%.4f" y="%.4f" width="%.4f" height="%.4f" fill="#000"/>' % (xx - lw / 2, yy, lw, hh))
    else:
        pg.append(text_line(a, tx0 + 3, yy + hh / 2 + 1.3, 3.5))
        pg.append(text_line(bb, tx0 + 40, yy + hh / 2 + 1.3, 3.5))
        for xx in (tx0, tx0 + 37, tx0 + TW):
            pg.append('<rect x="%.4f" y="%.4f" width="%.4f" height="%.4f" fill="#000"/>' % (xx - lw / 2, yy, lw, hh))
for b in boxes:
    for xx in (b["x0"], b["x1"]):
        pg.append('<rect x="%.4f" y="%.4f" width="%.4f" height="%.4f" fill="#000"/>' % (xx - lw / 2, b["y0"], lw, b["y1"] - b["y0"]))
    if b.get("under"):
        ux, uy = b["under_xy"]; sz = U(3.8, 5.0)
        pg.append(text_line(b["under"], ux, uy + sz * 0.4, sz, False, "middle"))
pg.append(text_line(FOOT[1], tx0, tab_y1 + 8, 3.5))
pg.append(text_line(FOOT[0], tx0 + 70, tab_y1 + 16, 3.5))
pg.append("</g>")
svg += pg
for t in tiles:
    b = boxes[t["bi"]]; cx, cy, rot, ld = b["impressions"][t["pi"]]
    body = sig_svg(cx, cy, b["sig_seed"])[0] if b["kind"] == "signature" else seal_svg(b, cx, cy, rot)
    svg.append('<svg x="%d" y="%d" width="%d" height="%d" overflow="hidden"><g transform="translate(%d %d) scale(%.6f)">%s</g></svg>'
               % (t["X"], t["Y"], t["tw"], t["th"], -t["rx0"], -t["ry0"], PXMM, body))
svg.append("</svg>")

tmp = tempfile.mkdtemp(prefix="v-", dir=outdir)
try:
    env = dict(os.environ, HOME=tmp, XDG_CONFIG_HOME=tmp, XDG_CACHE_HOME=tmp, OMP_NUM_THREADS="1", LC_ALL="C.UTF-8")
    with open(os.path.join(tmp, "s.svg"), "w") as f: f.write("".join(svg))
    subprocess.run(["inkscape", "--export-type=png", "--export-filename=" + os.path.join(tmp, "s.png"), "--export-dpi=96",
                    "--export-area-page", "--export-background=#ffffff", "--export-background-opacity=1",
                    "--export-png-color-mode=Gray_8", os.path.join(tmp, "s.svg")], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _t('canvas = np.asarray')
    canvas = np.asarray(Image.open(os.path.join(tmp, "s.png")).convert("L"), np.float32) / 255.0
    if canvas.shape != (CH, CW): raise SystemExit("webcam: inkscape gave %r" % (canvas.shape,))
    form = 1.0 - canvas[:PH, :PW]
    r2 = np.random.default_rng(seed * 7 + 3)  # textures / noise

    # ---------------- dye-sublimation print of the form: heat history along the feed, head elements
    a = U(0.35, 0.6)
    from scipy.signal import lfilter
    form = lfilter([1 - a], [1, -a], form, axis=0).astype(np.float32) * 1.0
    form = np.clip(form / max(1 - a, 1e-3) * (1 - a), 0, 1)
    colgain = 1 + np.repeat(r2.normal(0, 0.02, PW // 4 + 1), 4)[:PW].astype(np.float32)
    dye_black = np.array([U(0.05, 0.08), U(0.05, 0.08), U(0.06, 0.1)], np.float32)
    _t('# ---------------- bond paper')
    # ---------------- bond paper: cockle (plane waves, shaded), grain (sparse convolution), watermark
    yy, xx = np.mgrid[0:PH, 0:PW].astype(np.float32) / PXMM
    height = np.zeros((PH, PW), np.float32)
    for _ in range(6):
        lam = U(15, 40); th = U(0, math.pi); ph = U(0, 2 * math.pi)
        height += np.sin((xx * math.cos(th) + yy * math.sin(th)) * 2 * math.pi / lam + ph).astype(np.float32) * U(0.1, 0.3)
    shade = 1 + np.gradient(height, axis=1) * U(0.5, 1.2) + np.gradient(height, axis=0) * U(0.3, 0.8)
    del yy, xx
    imp = np.zeros((PH, PW), np.float32); nimp = int(PH * PW * 0.02)
    imp.flat[r2.integers(0, PH * PW, nimp)] = r2.normal(0, 1, nimp).astype(np.float32)
    grain = ndimage.gaussian_filter(imp, 0.6); grain *= U(0.004, 0.008) / (grain.std() + 1e-9)
    paper_white = np.array([U(0.89, 0.91), U(0.895, 0.915), U(0.9, 0.93)], np.float32)
    base = (shade * (1 + grain)).astype(np.float32)
    wm = np.zeros((PH, PW), np.float32)
    wcx, wcy = int(U(40, 170) * PXMM), int(U(40, 250) * PXMM); rr = int(14 * PXMM)
    Y, X = np.ogrid[-rr:rr, -rr:rr]; ringm = (np.abs(np.sqrt(X * X + Y * Y) - rr * 0.8) < rr * 0.06).astype(np.float32)
    y0w, x0w = max(wcy - rr, 0), max(wcx - rr, 0)
    sub = ringm[y0w - (wcy - rr):, x0w - (wcx - rr):][:PH - y0w, :PW - x0w]
    wm[y0w:y0w + sub.shape[0], x0w:x0w + sub.shape[1]] = sub
    wm = ndimage.gaussian_filter(wm, 3) * U(0.01, 0.02)
    page = np.empty((PH, PW, 3), np.float32)
    for c in range(3):
        page[..., c] = paper_white[c] * base * (1 - wm) * (1 - form * colgain * (1 - dye_black[c]))
    if tinted:
        for c in range(3): page[..., c] *= 10 ** (-tint[c])
    _t('# stains')
    # stains
    for b in boxes:
        if not b["stain"]: continue
        ix0, ix1, iy0, iy1 = [v for v in (b["x0"], b["x1"], b["y0"], b["y1"])]
        scx, scy = U(ix0 + 12, ix1 - 12), U(iy0 + 10, iy1 - 10)
        ax, ay = (ix1 - ix0) * U(0.25, 0.42) / 2 * 2, (iy1 - iy0) * U(0.25, 0.42) / 2 * 2
        x0p, x1p, y0p, y1p = int((ix0 + 2) * PXMM), int((ix1 - 2) * PXMM), int((iy0 + 2) * PXMM), int((iy1 - 2) * PXMM)
        Yg, Xg = np.mgrid[y0p:y1p, x0p:x1p].astype(np.float32) / PXMM
        nz = ndimage.gaussian_filter(r2.normal(0, 1, Yg.shape).astype(np.float32), 2.5 * PXMM); nz /= nz.std() + 1e-9
        rad = np.sqrt(((Xg - scx) / ax) ** 2 + ((Yg - scy) / ay) ** 2) + 0.12 * nz
        m = np.clip((1 - rad) * 6, 0, 1)
        dB = U(0.14, 0.26); dens = (dB * 0.3, dB * 0.6, dB)
        for c in range(3): page[y0p:y1p, x0p:x1p, c] *= 10 ** (-dens[c] * m)

    _t('# ---------------- inks')
    # ---------------- inks: a tabulated transmittance ladder per channel (double pass, Lambertian)
    KN = np.array([0, .1, .2, .35, .5, .7, 1.0, 1.5, 2.0], np.float32)
    def ladder(t1, ksat):
        f = (1 - np.exp(-ksat * KN)) / (1 - math.exp(-ksat))
        return np.exp(np.log(t1) * f).astype(np.float32)
    def to_srgb(v):
        v = np.clip(v, 0, 1); return np.where(v <= 0.0031308, 12.92 * v, 1.055 * np.power(v, 1 / 2.4) - 0.055)
    def hue(rgb):
        r, g, b_ = to_srgb(np.asarray(rgb, float)); mx, mn = max(r, g, b_), min(r, g, b_)
        if mx - mn < 1e-6: return 0.0
        if mx == r: h = 60 * (g - b_) / (mx - mn)
        elif mx == g: h = 60 * (2 + (b_ - r) / (mx - mn))
        else: h = 60 * (4 + (r - g) / (mx - mn))
        return (h + 180) % 360 - 180
    ksat = U(1.2, 2.2)
    def red_ink(passed, target):
        tr = U(0.86, 0.95)
        if target >= 0:
            lo, hi = passed, tr  # green raised
            for _ in range(40):
                mid = (lo + hi) / 2
                if hue((tr, mid, passed)) < target: lo = mid
                else: hi = mid
            t1 = (tr, (lo + hi) / 2, passed)
        else:
            lo, hi = passed, tr
            for _ in range(40):
                mid = (lo + hi) / 2
                if hue((tr, passed, mid)) > target: lo = mid
                else: hi = mid
            t1 = (tr, passed, (lo + hi) / 2)
        return [ladder(t, ksat) for t in t1]
    def interp(lad, l):
        return np.interp(l, KN, lad).astype(np.float32)
    PEN = {"blue": (1, 0.72, 0.14), "black": (1, 0.97, 0.92), "blueblack": (1, 0.9, 0.55)}[pen]

    truth_boxes = []
    cover_full = {}
    for bi, b in enumerate(boxes):
        if b["empty"]: continue
        bt = [t for t in tiles if t["bi"] == bi]
        rx0, ry0, tw, th = bt[0]["rx0"], bt[0]["ry0"], bt[0]["tw"], bt[0]["th"]
        covs = [1.0 - canvas[t["Y"]:t["Y"] + th, t["X"]:t["X"] + tw] for t in bt]
        loads = [c * b["impressions"][k][3] for k, c in enumerate(covs)]
        hh, ww = covs[0].shape
        # pad's mottle (thinning only) and hand's plane
        mot = ndimage.gaussian_filter(r2.normal(0, 1, (hh, ww)).astype(np.float32), PXMM); mot /= mot.std() + 1e-9
        mot = 1 - U(0.04, 0.12) * np.clip(mot, 0, None)
        gy, gx = np.mgrid[0:hh, 0:ww].astype(np.float32) / PXMM
        pa = U(0, 2 * math.pi); plane = 1 + np.clip(0.004 * ((gx - ww / PXMM / 2) * math.cos(pa) + (gy - hh / PXMM / 2) * math.sin(pa)), -0.1, 0.1)
        load = sum(loads) * mot * plane if b["kind"] != "signature" else sum(loads)
        cov = np.maximum.reduce(covs)
        face_cov = cov.copy()
        if b["smear"]:
            L, ang = b["smear"]; steps = int(L * PXMM * 2) + 1; keep = U(0.5, 0.65)
            acc = np.zeros_like(load); wsum = 0; mk = cov.copy(); w1 = U(0.25, 0.45)
            for s in range(1, steps + 1):
                d = L * PXMM * s / steps; wgt = 1 + (w1 - 1) * s / steps
                sh = ndimage.shift(load, (d * math.sin(math.radians(ang)), d * math.cos(math.radians(ang))), order=1)
                acc += wgt * sh; wsum += wgt
                mk = np.maximum(mk, ndimage.shift(cov, (d * math.sin(math.radians(ang)), d * math.cos(math.radians(ang))), order=1))
            load = keep * load + (1 - keep) * acc / wsum; cov = mk; face_cov = mk.copy()
        lost = 0.0
        if b["broken"]:
            frac, ang = b["broken"]
            nz = ndimage.gaussian_filter(r2.normal(0, 1, (hh, ww)).astype(np.float32), 1.5 * PXMM); nz *= 0.3 * PXMM / (nz.std() + 1e-9)
            proj = (gx * math.cos(math.radians(ang)) + gy * math.sin(math.radians(ang))) * PXMM + nz
            inkpx = cov >= 0.5
            q = np.quantile(proj[inkpx], 1 - frac)
            fade = U(0.3, 0.7) * PXMM
            keepm = np.clip((q - proj) / fade + 0.5, 0, 1)
            load = load * keepm; cov = cov * (keepm >= 0.5); lost = 1 - (cov >= 0.5).sum() / max(inkpx.sum(), 1)
        b["load"], b["cov"], b["face_cov"], b["lost"] = load, cov, face_cov, lost
        b["rx0"], b["ry0"] = rx0, ry0
        # inks
        if b["kind"] == "signature":
            passed = U(0.35, 0.6) if b["pale"] else U(0.05, 0.12)
            t1 = tuple(math.exp(math.log(passed) * r) for r in PEN)
            lads = [ladder(t, ksat) for t in t1]; b["hue"] = None
        else:
            passed = U(0.32, 0.6) if b["pale"] else U(0.04, 0.11)
            tgt = U(-3, 3) if not b["off"] else b["off"] * U(22, 34)
            lads = red_ink(passed, tgt)
            hs = [hue([float(interp(l_, v)) for l_ in lads]) for v in (0.5, 0.8, 1.0)]
            b["hue"] = hs
            if not b["off"] and max(abs(h) for h in hs) > 10.2: b["borderline"].append("off_color")
            if b["off"] and min(abs(h) for h in hs) < 13.8: b["borderline"].append("off_color")
        b["lads"] = lads
        mxl = float(load.max())
        seen = min(float(interp(l_, mxl)) for l_ in lads)
        b["passed_seen"] = seen
        lim = 0.25 if b["kind"] == "signature" else 0.2
        if b["pale"] and seen < lim * 1.15: b["borderline"].append("pale")
        if (not b["pale"]) and seen > lim * 0.85: b["borderline"].append("pale")
        b["is_pale"] = b["pale"]
        sl = np.s_[ry0:ry0 + hh, rx0:rx0 + ww]
        for c in range(3):
            page[sl][..., c] *= interp(lads[c], load)
        # overlap from the drawn ink on the render grid
        ix0, ix1, iy0, iy1 = b["inner"]
        def reach(cv):
            ys, xs = np.nonzero(cv >= 0.5)
            if len(xs) == 0: return -99.0
            xm = (xs + rx0 + 0.5) / PXMM; ym = (ys + ry0 + 0.5) / PXMM
            return float(max(ix0 - xm.min(), xm.max() - ix1, iy0 - ym.min(), ym.max() - iy1))
        b["reach"] = reach(cov)
        if b["reach"] > 0.3: b["defects"].append("overlap_line")
        elif b["reach"] >= -0.3: b["borderline"].append("overlap_line")
        elif b["broken"] and reach(face_cov) >= -0.3: b["borderline"].append("overlap_line")

    _t('# ---------------- capture')
    # ---------------- capture: a 4K USB webcam (3840 x 2160) over the counter, the page portrait across its rows
    fill = U(0.86, 0.94); cam_ppmm = 2160 * fill / H
    th_ = math.radians(rng.normal(0, 0.6) if r2.random() < 0.5 else U(0.3, 1.8) * (1 if r2.random() < 0.5 else -1))
    ox, oy = 1920 - W / 2 * cam_ppmm + r2.normal(0, 20), 1080 - H / 2 * cam_ppmm + r2.normal(0, 10)
    cs, sn = math.cos(th_), math.sin(th_)
    Hc = np.array([[cam_ppmm * cs, -cam_ppmm * sn, 0], [cam_ppmm * sn, cam_ppmm * cs, 0], [0, 0, 1]], float)
    Hc[0, 2] = ox + W / 2 * cam_ppmm - (Hc[0, 0] * W / 2 + Hc[0, 1] * H / 2)
    Hc[1, 2] = oy + H / 2 * cam_ppmm - (Hc[1, 0] * W / 2 + Hc[1, 1] * H / 2)
    Hc[2, 0], Hc[2, 1] = r2.normal(0, 4e-5), r2.normal(0, 4e-5)  # the page's plane a little off square
    Hc[2, 2] = 1 - Hc[2, 0] * W / 2 - Hc[2, 1] * H / 2
    Hc /= Hc[2, 2]
    def apply(Hm, x, y):
        d = Hm[2, 0] * x + Hm[2, 1] * y + Hm[2, 2]
        return (Hm[0, 0] * x + Hm[0, 1] * y + Hm[0, 2]) / d, (Hm[1, 0] * x + Hm[1, 1] * y + Hm[1, 2]) / d
    corners = np.array([[0, 0], [W, 0], [W, H], [0, H]], float)
    cc = np.array([apply(Hc, *p) for p in corners])
    cx0, cy0 = int(max(cc[:, 0].min() - 30, 0)), int(max(cc[:, 1].min() - 30, 0))
    cx1, cy1 = int(min(cc[:, 0].max() + 30, 3840)), int(min(cc[:, 1].max() + 30, 2160))
    Hinv = np.linalg.inv(Hc)
    vy, vx = np.mgrid[cy0:cy1, cx0:cx1].astype(np.float64)
    mxp, myp = apply(Hinv, vx + 0.5, vy + 0.5)
    rs = PXMM / cam_ppmm
    pre = np.empty_like(page)
    for c in range(3): pre[..., c] = ndimage.gaussian_filter(page[..., c], 0.45 * rs)
    desk = np.array([U(0.1, 0.2)] * 3, np.float32) * np.array([1.0, 0.95, 0.9], np.float32)
    cam = np.empty(vx.shape + (3,), np.float32)
    rc = [myp * PXMM - 0.5, mxp * PXMM - 0.5]
    for c in range(3):
        cam[..., c] = ndimage.map_coordinates(pre[..., c], rc, order=1, mode="constant", cval=-1)
    out_page = cam[..., 0] < 0
    cam[out_page] = desk
    del pre
    _t('# rolling shutter')
    # rolling shutter ignored (still page); optics, vignetting, white balance, noise, sRGB, 8 bit
    for c in range(3): cam[..., c] = ndimage.gaussian_filter(cam[..., c], U(0.5, 0.8))
    rr_ = np.sqrt(((vx - 1920) / 1920) ** 2 + ((vy - 1080) / 1920) ** 2).astype(np.float32)
    cam *= (1 - U(0.08, 0.18) * rr_ ** 2)[..., None]
    wb = np.array([1 + r2.normal(0, 0.03), 1, 1 + r2.normal(0, 0.03)], np.float32)
    expo = U(0.95, 1.06) / float(np.percentile(cam[~out_page][:, 1], 90))
    cam = cam * wb * expo
    fw = U(3000, 9000)
    cam = cam + r2.normal(0, 1, cam.shape).astype(np.float32) * np.sqrt(np.clip(cam, 0, None) / fw + U(0.001, 0.003) ** 2)
    bp = U(0.01, 0.035)
    cam = np.clip((cam - bp) / (1 - bp), 0, 1)
    cam8 = np.round(to_srgb(cam) * 255).astype(np.float32)
    _t('# ---------------- the counter')
    # ---------------- the counter's web app: corners found, page rectified to A4 at dpi, sharpened, whitened
    found = cc + r2.normal(0, U(0.5, 2.0), cc.shape)
    import numpy.linalg as la
    A = []; bv = []
    for (X_, Y_), (u, v) in zip(corners, found):
        A.append([X_, Y_, 1, 0, 0, 0, -u * X_, -u * Y_]); bv.append(u)
        A.append([0, 0, 0, X_, Y_, 1, -v * X_, -v * Y_]); bv.append(v)
    hsol = la.solve(np.array(A), np.array(bv)); He = np.append(hsol, 1).reshape(3, 3)
    OW, OH = int(round(W / 25.4 * dpi)), int(round(H / 25.4 * dpi))
    s_out = dpi / 25.4
    img = np.empty((OH, OW, 3), np.float32)
    for r0 in range(0, OH, 256):  # in strips of rows (the same reads, less memory)
        oy_, ox_ = np.mgrid[r0:min(r0 + 256, OH), 0:OW].astype(np.float64)
        ux, uy = apply(He, (ox_ + 0.5) / s_out, (oy_ + 0.5) / s_out)
        crd = [uy - cy0 - 0.5, ux - cx0 - 0.5]
        for c in range(3):
            img[r0:r0 + oy_.shape[0], :, c] = ndimage.map_coordinates(cam8[..., c], crd, order=1, mode="nearest")
    del oy_, ox_, ux, uy, crd
    lum = img.mean(axis=2)
    bl = ndimage.gaussian_filter(lum, max(0.8, dpi / 300))
    img += (U(0.3, 0.7) * (lum - bl))[..., None]
    white = float(np.percentile(lum, 92)); img *= U(0.93, 0.985) * 255 / max(white, 1)
    img8 = np.clip(np.round(img), 0, 255).astype(np.uint8)
    del img, lum, bl
    _t('# ---------------- archive')
    # ---------------- archive: HEIC (libheif, x265), decoded again, exported by Pillow
    Image.fromarray(img8).save(os.path.join(tmp, "a.png"), compress_level=1)
    q = int(rng.integers(55, 86))
    subprocess.run(["heif-enc", "-q", str(q), "-p", "chroma=420", "-p", "preset=ultrafast", "-p", "x265:pools=1", "-p", "x265:frame-threads=1", "-o", os.path.join(tmp, "a.heic"), os.path.join(tmp, "a.png")],
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["heif-convert", os.path.join(tmp, "a.heic"), os.path.join(tmp, "b.png")], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = Image.open(os.path.join(tmp, "b.png")).convert("RGB")
    if out.size != (OW, OH): out = out.crop((0, 0, OW, OH))
    fmt = rng.choice(["jpg", "png", "tif"], p=[.5, .3, .2]); dif = bool(rng.random() < 0.8)
    fn = "%s.%s" % (name, fmt); kw = {}
    if dif: kw["dpi"] = (dpi, dpi)
    if fmt == "jpg": out.save(os.path.join(outdir, fn), quality=int(rng.integers(82, 95)), subsampling=int(rng.choice([0, 1, 2])), **kw)
    elif fmt == "png": out.save(os.path.join(outdir, fn), **kw)
    else: out.save(os.path.join(outdir, fn), compression=["tiff_lzw", "tiff_adobe_deflate"][int(rng.integers(2))], **kw)

    _t('# ---------------- truth')
    # ---------------- truth: masks through the composite map (output px -> camera -> page render grid)
    def fwd(xm, ym):  # page mm -> output px (true camera, then the app's estimate inverted)
        u, v = apply(Hc, xm, ym); X_, Y_ = apply(np.linalg.inv(He), u, v); return X_ * s_out, Y_ * s_out
    p0, p1 = fwd(40, 148.5), fwd(170, 148.5)
    skew = math.degrees(math.atan2(p1[1] - p0[1], p1[0] - p0[0]))
    boxes_out = []
    for b in boxes:
        bx, by = fwd((b["x0"] + b["x1"]) / 2, (b["y0"] + b["y1"]) / 2)
        e = dict(row=b["row"], col=b["col"], kind=b["kind"], empty=bool(b["empty"]), defects=[], borderline=[],
                 box_centre_px=[round(bx, 1), round(by, 1)])
        if b["kind"] == "official_seal": e["diameter_mm"] = round(D_OFF, 2)
        elif b["kind"] == "legal_rep_seal": e["size_mm"] = [round(LSIZE[0], 2), round(LSIZE[1], 2)]
        defs = []
        if b["empty"]: defs.append("empty")
        if b["stain"] or tinted: defs.append("bg_not_white")
        if not b["empty"]:
            defs += b["defects"]
            if b["is_pale"]: defs.append("pale")
            if b["broken"]: defs.append("broken")
            if b["double"]: defs.append("double")
            if b["smear"]: defs.append("smudged")
            if abs(b["tilt"]) > 5 and b["kind"] != "signature": defs.append("tilted")
            if b["under"]:
                ux, uy = b["under_xy"]; dx, dy = ux - b["cx"], uy - b["cy"]
                if b["kind"] == "official_seal": inside = math.hypot(dx, dy) < D_OFF / 2 - 2
                else:
                    a_ = math.radians(b["tilt"]); lx = dx * math.cos(a_) + dy * math.sin(a_); ly = -dx * math.sin(a_) + dy * math.cos(a_)
                    inside = abs(lx) < LSIZE[0] / 2 - 1 and abs(ly) < LSIZE[1] / 2 - 1
                if inside: defs.append("text_under")
                else: b["borderline"].append("text_under")
            if b["off"]: defs.append("off_color")
            bl_ = [x for x in b["borderline"]]  # includes text_under when its print lies near the face's edge
            defs = [d for d in defs if d not in bl_]
            e["borderline"] = sorted(set(bl_))
            hh, ww = b["cov"].shape
            xs_mm = [b["rx0"] / PXMM, (b["rx0"] + ww) / PXMM]; ys_mm = [b["ry0"] / PXMM, (b["ry0"] + hh) / PXMM]
            pts = [fwd(x_, y_) for x_ in xs_mm for y_ in ys_mm]
            X0 = max(int(math.floor(min(p[0] for p in pts))) - 2, 0); X1 = min(int(math.ceil(max(p[0] for p in pts))) + 2, OW)
            Y0 = max(int(math.floor(min(p[1] for p in pts))) - 2, 0); Y1 = min(int(math.ceil(max(p[1] for p in pts))) + 2, OH)
            gy_, gx_ = np.mgrid[Y0:Y1, X0:X1].astype(np.float64)
            u, v = apply(He, (gx_ + 0.5) / s_out, (gy_ + 0.5) / s_out)
            pxm, pym = apply(Hinv, u, v)
            mv = ndimage.map_coordinates(b["cov"], [pym * PXMM - 0.5 - b["ry0"], pxm * PXMM - 0.5 - b["rx0"]], order=1, mode="constant", cval=0)
            m = (mv >= 0.5)
            ys, xs = np.nonzero(m)
            if len(xs):
                my0, my1, mx0, mx1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
                mf = "%s.r%dc%d.mask.png" % (name, b["row"], b["col"])
                Image.fromarray((m[my0:my1, mx0:mx1] * 255).astype(np.uint8)).save(os.path.join(outdir, mf))
                e["mask"] = mf; e["mask_offset"] = [int(X0 + mx0), int(Y0 + my0)]
            e["tilt_deg"] = round(b["tilt"], 2)
            if b["double"]: e["double_offset_mm"] = round(b["double"][0], 2)
            if b["smear"]: e["smear_mm"] = round(b["smear"][0], 2)
            e["passed_seen"] = round(b["passed_seen"], 4); e["reach_mm"] = round(b["reach"], 3)
            if b["hue"]: e["hue_deg"] = [round(h, 2) for h in b["hue"]]
            if b["broken"]: e["lost"] = round(b["lost"], 3)
            if b["push"]: e["push_mm"] = round(b["push"], 2); e["push_side"] = b["push_side"]
            if b["under"]: e["under"] = b["under"]
        e["defects"] = sorted(set(defs), key=defs.index)
        boxes_out.append(e)
    truth = dict(maker="webcam", seed=seed, dpi=dpi, dpi_in_file=dif, skew_deg=round(skew, 3), file=fn,
                 layout="nmgca-procurement personal-seal-application + 附件二 sample rows", firm=firm, person=person,
                 pen=pen, paper_tint=bool(tinted), heic_quality=q, cam_px_per_mm=round(cam_ppmm, 3), boxes=boxes_out)
    with open(os.path.join(outdir, name + ".truth.json"), "w") as f:
        json.dump(truth, f, ensure_ascii=False, indent=1)
finally:
    shutil.rmtree(tmp, ignore_errors=True)
