#!/usr/bin/python3
"""Maker AA (govector): one seal collection sheet with its truth (see truth.md).

    make_sheet.py SEED OUTDIR INDEX

Drawing: draw.go (Go's golang.org/x/image/vector rasteriser on BIZ UD Mincho and Yusei Magic
outlines read with x/image/font/sfnt) writes grey coverage layers; this file composes them:
nmgca-procurement's 附件二 (单位申请表) printed by an ion-deposition (ionographic) printer with
cold pressure fusing, a paper from Perlin gradient noise with an optical brightener, seal paste
and pens as Stokes' pile of plates, a drum scanner with photomultipliers and a logarithmic
amplifier, and Go's own JPEG / PNG encoders. Same bytes from the same seed.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zlib

import numpy as np
from PIL import Image
from scipy import ndimage, signal

HERE = os.path.dirname(os.path.abspath(__file__))
MINCHO = "/usr/share/fonts/truetype/bizud-mincho/BIZUDMincho-Regular.ttf"
PEN_FACE = "/usr/share/fonts/truetype/yusei-magic/YuseiMagic-Regular.ttf"
A4 = (210.0, 297.0)

FIRMS = ["赤峰市宏達商貿有限公司", "包頭市恒信建築工程有限公司", "通遼市瑞豐農牧業有限公司",
         "鄂爾多斯市泰和物流有限公司", "呼和浩特市興隆科技有限公司", "赤峰市安順食品有限公司",
         "包頭市宏泰科技有限公司", "通遼市恒達建築工程有限公司", "内蒙古瑞和商貿有限公司"]
USES = ["", "", "合同專用章", "財務專用章", "發票專用章"]
SURN = list("王李周朱高林何郭梁宋田任姜范方石姚白崔康毛邱秦江史侯邵孟段雷尹黎易常武")
GIVEN = list("文明芳娜敏静磊洋勇杰娟超秀霞平桂英志国建海立新春宏")
UNDER = ["（蓋章）", "年　月　日", "簽章處", "以下空白", "印"]

LABELS = ["empty", "pale", "broken", "double", "smudged", "overlap_line", "tilted",
          "bg_not_white", "text_under", "off_color"]


# ---------------------------------------------------------------- Go drawing stage
def draw_binary():
    src = open(os.path.join(HERE, "draw.go"), "rb").read()
    tag = hashlib.sha256(src).hexdigest()[:16]
    d = os.path.join(tempfile.gettempdir(), "govector-draw-" + tag)
    exe = os.path.join(d, "draw")
    if os.path.exists(exe):
        return exe
    os.makedirs(d, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=d)
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode", GOFLAGS="",
               GOCACHE=os.path.join(tempfile.gettempdir(), "govector-gocache"))
    open(os.path.join(tmp, "draw.go"), "wb").write(src)
    subprocess.run(["go", "build", "-o", os.path.join(tmp, "draw"), "draw.go"], cwd=tmp,
                   env=env, check=True)
    os.replace(os.path.join(tmp, "draw"), exe)
    return exe


class Go:
    def __init__(self, work):
        self.exe = draw_binary()
        self.work = work
        self.fonts = [MINCHO, PEN_FACE]
        self.m = [{}, {}]

    def metrics(self, texts):
        spec = {"fonts": self.fonts, "text": {str(k): "".join(sorted(set(v))) for k, v in texts.items()}}
        p = subprocess.run([self.exe, "metrics"], input=json.dumps(spec).encode(), capture_output=True)
        if p.returncode != 0:
            sys.stderr.write(p.stderr.decode())
            sys.exit(3)  # a character the face lacks: never a fallback
        out = json.loads(p.stdout)
        for k, v in out.items():
            self.m[int(k)].update(v)

    def layers(self, layers):
        spec = {"fonts": self.fonts, "layers": layers}
        subprocess.run([self.exe, "layers", self.work], input=json.dumps(spec).encode(), check=True)
        out = {}
        for L in layers:
            with open(os.path.join(self.work, L["name"] + ".pgm"), "rb") as fh:
                fh.readline(); fh.readline(); fh.readline()
                a = np.frombuffer(fh.read(), np.uint8).reshape(L["h"], L["w"])
            out[L["name"]] = a.astype(np.float32) / 255.0
            os.remove(os.path.join(self.work, L["name"] + ".pgm"))
        return out


# ---------------------------------------------------------------- geometry helpers
def M(a, b, c, d, e, f):
    return np.array([[a, b, c], [d, e, f], [0, 0, 1.0]])


def seal_T(cx, cy, tilt):
    """seal-local mm (x right, y up) -> page mm (y down), turned clockwise on screen by tilt."""
    t = np.radians(tilt)
    return M(np.cos(t), np.sin(t), cx, np.sin(t), -np.cos(t), cy)


def tpts(T, pts):
    p = np.asarray(pts, float)
    return (p @ T[:2, :2].T + T[:2, 2])


def poly_item(T, contours, op="max"):
    return {"k": "poly", "op": op, "c": [tpts(T, c).ravel().round(4).tolist() for c in contours]}


def circle(r, n=240, ccw=True):
    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    if not ccw:
        a = a[::-1]
    return np.c_[r * np.cos(a), r * np.sin(a)]


def rect(x0, y0, x1, y1, ccw=True):
    p = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], float)
    return p if ccw else p[::-1]


def glyph_item(T, font, ch, G, op="max"):
    """G: em (x right, y up) -> local mm; T: local -> page."""
    A = T @ G
    return {"k": "glyph", "f": font, "r": ch, "op": op,
            "m": [round(float(v), 6) for v in (A[0, 0], A[0, 1], A[0, 2], A[1, 0], A[1, 1], A[1, 2])]}


def bold(items, r, n=8):
    """embolden: copies of each item on a circle of r mm (composed by maximum)."""
    out = list(items)
    for k in range(n):
        a = 2 * np.pi * k / n
        dx, dy = r * np.cos(a), r * np.sin(a)
        for it in items:
            j = dict(it)
            if it["k"] == "glyph":
                m = list(it["m"]); m[2] += dx; m[5] += dy; j["m"] = m
            else:
                j["c"] = [(np.array(c).reshape(-1, 2) + [dx, dy]).ravel().round(4).tolist() for c in it["c"]]
            out.append(j)
    return out


# ---------------------------------------------------------------- form text on the page (y down)
def text_line(go, s, x, base, em, font=0, align="left", boldr=0.0, shear=0.0, track=1.0):
    m = go.m[font]
    adv = sum(m[c][4] for c in s) * em * track
    if align == "center":
        x -= adv / 2
    elif align == "right":
        x -= adv
    items = []
    for c in s:
        if c.strip() and c != "　":
            G = M(em, em * np.tan(np.radians(shear)), x, 0, -em, base)
            items.append(glyph_item(np.eye(3), font, c, G))
        x += m[c][4] * em * track
    return bold(items, boldr, 6) if boldr > 0 else items


# ---------------------------------------------------------------- noise
def smooth_noise(rng, shape, sigma_px):
    n = rng.standard_normal(shape).astype(np.float32)
    n = ndimage.gaussian_filter(n, sigma_px, mode="wrap")
    return n / (n.std() + 1e-9)


def perlin(rng, h, w, period):
    """improved Perlin gradient noise (Perlin 2002: quintic fade, lattice gradients)."""
    gy, gx = int(np.ceil(h / period)) + 2, int(np.ceil(w / period)) + 2
    ang = rng.uniform(0, 2 * np.pi, (gy, gx))
    gvx, gvy = np.cos(ang).astype(np.float32), np.sin(ang).astype(np.float32)
    y = (np.arange(h, dtype=np.float32) / period)[:, None]
    x = (np.arange(w, dtype=np.float32) / period)[None, :]
    y0, x0 = np.floor(y).astype(int), np.floor(x).astype(int)
    fy, fx = y - y0, x - x0
    fade = lambda t: t * t * t * (t * (t * 6 - 15) + 10)
    u, v = fade(fx), fade(fy)
    def dot(iy, ix, dy, dx):
        return gvx[iy, ix] * dx + gvy[iy, ix] * dy
    n00 = dot(y0, x0, fy, fx)
    n10 = dot(y0, x0 + 1, fy, fx - 1)
    n01 = dot(y0 + 1, x0, fy - 1, fx)
    n11 = dot(y0 + 1, x0 + 1, fy - 1, fx - 1)
    a = n00 + u * (n10 - n00)
    b = n01 + u * (n11 - n01)
    return (a + v * (b - a)).astype(np.float32)


# ---------------------------------------------------------------- ink: Stokes' pile of plates
class Plates:
    """An ink film as a pile of thin plates (Stokes 1862): each plate reflects r and passes t
    per channel; n plates by adding one at a time; over a substrate Rg,
    R = Rn + Tn² Rg / (1 − Rn Rg). n is continuous by interpolation in the table."""
    NMAX = 96
    PER_LOAD = 16

    def __init__(self, k, s):
        self.k, self.s = np.asarray(k, float), np.asarray(s, float)
        r = self.s * np.ones(3)
        t = (1 - self.s) * np.exp(-self.k)
        R = np.zeros((self.NMAX + 1, 3)); T = np.ones((self.NMAX + 1, 3))
        for n in range(self.NMAX):
            d = 1 - R[n] * r
            R[n + 1] = R[n] + T[n] ** 2 * r / d
            T[n + 1] = T[n] * t / d
        self.R, self.T = R, T

    def over(self, load, Rg):
        n = np.clip(load * self.PER_LOAD, 0, self.NMAX)
        out = np.empty(Rg.shape, np.float32)
        grid = np.arange(self.NMAX + 1)
        for c in range(3):
            Rn = np.interp(n, grid, self.R[:, c]).astype(np.float32)
            Tn = np.interp(n, grid, self.T[:, c]).astype(np.float32)
            g = Rg[..., c]
            out[..., c] = Rn + Tn * Tn * g / (1 - Rn * g)
        return out


def srgb(x):
    x = np.clip(x, 0, 1)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)


def hue_deg(rgb):
    r, g, b = rgb
    mx, mn = max(rgb), min(rgb)
    if mx - mn < 1e-9:
        return 0.0
    if mx == r:
        h = (g - b) / (mx - mn)
    elif mx == g:
        h = 2 + (b - r) / (mx - mn)
    else:
        h = 4 + (r - g) / (mx - mn)
    h *= 60
    return h - 360 if h > 180 else h


def solve_ink(absorb, hue, kind, paper, s):
    """plate absorptions k per channel so that at load 1 over the paper the strongest channel
    absorbs `absorb` (1 − R/P, linear) and the sRGB hue of R/P is `hue` (seal paste), or a pen."""
    def make(scale, rho):
        if kind == "seal":
            k = np.array([0.03, 1.0, rho]) * scale
        elif kind == "blue":
            k = np.array([1.0, 0.7 * rho, 0.06]) * scale
        else:  # black gel
            k = np.array([1.0, 1.0, 0.95]) * scale
        return Plates(k, s)
    def at(scale, rho):
        P = make(scale, rho)
        R = P.over(np.ones(1), paper[None, :])[0] / paper
        return P, R
    def fit_scale(rho):
        lo, hi = 1e-4, 3.0
        for _ in range(40):
            mid = (lo + hi) / 2
            _, R = at(mid, rho)
            if (1 - R).max() < absorb:
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2
    if kind != "seal":
        sc = fit_scale(1.0)
        return at(sc, 1.0)
    lo, hi = 0.15, 6.0
    for _ in range(30):
        rho = np.sqrt(lo * hi)
        sc = fit_scale(rho)
        _, R = at(sc, rho)
        if hue_deg(srgb(R)) < hue:
            lo = rho
        else:
            hi = rho
    rho = np.sqrt(lo * hi)
    return at(fit_scale(rho), rho)


def load_for(P, paper, absorb):
    lo, hi = 0.0, 1.0
    for _ in range(40):
        mid = (lo + hi) / 2
        R = P.over(np.full(1, mid), paper[None, :])[0] / paper
        if (1 - R).max() < absorb:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


# ---------------------------------------------------------------- the sheet
def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.Generator(np.random.PCG64(seed))
    stem = "%03d" % index

    # resolution first drawn, then SEAL_SHEET_DPI (after the draw, so a seed's other draws stay)
    dpi = int(rng.choice([150, 200, 300, 400, 600], p=[0.1, 0.15, 0.5, 0.15, 0.1]))
    if os.environ.get("SEAL_SHEET_DPI"):
        dpi = int(os.environ["SEAL_SHEET_DPI"])
    ss = 2 if dpi <= 300 else 1
    rp = dpi / 25.4 * ss  # render px / mm
    W, H = int(round(A4[0] * rp)), int(round(A4[1] * rp))

    # ---------------- the form: nmgca-procurement 附件二 (单位申请表), table 174 mm, three 58-mm columns
    x0 = 18.0 + rng.uniform(-1.5, 1.5)
    ytab = 31.0 + rng.uniform(-2, 2)
    cols = np.array([0, 26, 58, 84, 116, 174.0]) + x0
    heights = [8, 9, 9, 8, 52, 8, 34, 8, 32, 66]
    rows = np.concatenate([[0], np.cumsum(heights)]) + ytab
    lw = rng.uniform(0.2, 0.4)
    lw_out = lw * rng.uniform(1.3, 1.8)
    em = rng.uniform(3.2, 3.6)
    firm = str(rng.choice(FIRMS))
    use = str(rng.choice(USES))
    sur = str(rng.choice(SURN))
    nm = sur + "".join(rng.choice(GIVEN, size=int(rng.choice([1, 2], p=[0.4, 0.6]))))
    handler = str(rng.choice(SURN)) + "".join(rng.choice(GIVEN, size=2))
    idno = "1504" + "".join(str(d) for d in rng.integers(0, 10, 13)) + str(rng.choice(list("0123456789X")))
    mobile = "1" + str(rng.choice([3, 5, 8])) + "".join(str(d) for d in rng.integers(0, 10, 9))
    code13 = "".join(str(d) for d in rng.integers(0, 10, 13))
    texts_form = ["附件二：", "“政府采購電子簽章”單位申請表", "本單位委托以下人員辦理數字證書事宜", "姓　　名*：",
                  "身份證號*：", "移動電話*：", "電子郵箱*：", "單位公章采集（本欄需采集三個樣本，標準印章如附件三）",
                  "法定代表人私章采集（本欄需采集三個樣本）", "法定代表人簽名采集（請簽寫三次）",
                  "本單位同意提交以上信息及認證資料用於CA數字證書的申請，保證提交的所有",
                  "信息及認證資料均真實有效，接受據此承擔一切法律後果。",
                  "單位公章：", "經辦人簽字：", "申請日期：　　　年　　月　　日", handler, idno, mobile,
                  "nm%d@mail.com" % int(rng.integers(100, 999))]
    go = Go(tempfile.mkdtemp(prefix="govector-"))
    go.metrics({0: "".join(texts_form) + firm + use + nm + "之印" + "".join(UNDER) + code13 + "0123456789",
                1: nm})

    items = []
    def hline(y, xa, xb, w):
        items.append(poly_item(np.eye(3), [rect(xa - w / 2, y - w / 2, xb + w / 2, y + w / 2)]))
    def vline(x, ya, yb, w):
        items.append(poly_item(np.eye(3), [rect(x - w / 2, ya - w / 2, x + w / 2, yb + w / 2)]))
    # rule thickness per row line and column line (inner edges of the sample boxes follow from them)
    hw = [lw_out if i in (0, len(rows) - 1) else lw for i in range(len(rows))]
    for i, y in enumerate(rows):
        hline(y, cols[0], cols[-1], hw[i])
    vw = {0: lw_out, 5: lw_out}
    vline(cols[0], rows[0], rows[-1], lw_out)
    vline(cols[-1], rows[0], rows[-1], lw_out)
    # inner column lines: rows 1-2 (label | value | label | value), sample rows at 58 / 116
    for r in (1, 2):
        for c in (1, 3, 4):
            vline(cols[c], rows[r], rows[r + 1], lw)
    for r in (4, 6, 8):
        vline(cols[2], rows[r], rows[r + 1], lw)
        vline(cols[4], rows[r], rows[r + 1], lw)
    base = lambda r: (rows[r] + rows[r + 1]) / 2 + em * 0.36
    items += text_line(go, "附件二：", x0, ytab - 15, em)
    items += text_line(go, "“政府采購電子簽章”單位申請表", 105 + rng.uniform(-1, 1), ytab - 5, em * 1.6,
                       align="center", boldr=0.09)
    items += text_line(go, "本單位委托以下人員辦理數字證書事宜", cols[0] + 2, base(0), em)
    items += text_line(go, "姓　　名*：", (cols[0] + cols[1]) / 2, base(1), em, align="center")
    items += text_line(go, handler, cols[1] + 3, base(1), em)
    items += text_line(go, "身份證號*：", (cols[3] + cols[4]) / 2, base(1), em * 0.9, align="center")
    items += text_line(go, idno, cols[4] + 2, base(1), em * 0.85)
    items += text_line(go, "移動電話*：", (cols[0] + cols[1]) / 2, base(2), em, align="center")
    items += text_line(go, mobile, cols[1] + 3, base(2), em)
    items += text_line(go, "電子郵箱*：", (cols[3] + cols[4]) / 2, base(2), em * 0.9, align="center")
    items += text_line(go, texts_form[-1], cols[4] + 2, base(2), em * 0.9)
    for r, s in ((3, texts_form[7]), (5, texts_form[8]), (7, texts_form[9])):
        items += text_line(go, s, cols[0] + 2, base(r), em, boldr=0.05)
    items += text_line(go, texts_form[10], cols[0] + 2, rows[9] + 7, em * 0.92)
    items += text_line(go, texts_form[11], cols[0] + 2, rows[9] + 13, em * 0.92)
    items += text_line(go, "單位公章：", cols[0] + 4, rows[9] + 30, em)
    items += text_line(go, "經辦人簽字：", cols[0] + 4, rows[9] + 50, em)
    items += text_line(go, "申請日期：　　　年　　月　　日", cols[2] + 10, rows[9] + 58, em)
    page_layer = {"name": "form", "w": W, "h": H, "ox": 0, "oy": 0, "ppmm": rp, "items": items}

    # ---------------- the boxes: 公章 × 3 (row 4), 法人章 × 3 (row 6), signatures × 3 (row 8)
    boxes = []
    for ri, (r, kind) in enumerate(((4, "official_seal"), (6, "legal_rep_seal"), (8, "signature"))):
        for ci in range(3):
            xa, xb = cols[2 * ci], cols[2 * ci + 2] if ci < 2 else cols[5]
            wl = vw.get(2 * ci, lw); wr = vw.get(2 * ci + 2 if ci < 2 else 5, lw)
            inner = (xa + wl / 2, rows[r] + hw[r] / 2, xb - wr / 2, rows[r + 1] - hw[r + 1] / 2)
            boxes.append({"row": ri, "col": ci, "kind": kind, "inner": inner})

    # ---------------- the sheet's draws
    paper_white = np.array([0.862, 0.868, 0.872]) * rng.uniform(0.985, 1.015, 3)
    paper_white[2] *= rng.uniform(1.02, 1.05)  # the brightener under the drum's xenon lamp
    tinted = rng.random() < 0.02
    tint = None
    if tinted:
        tint = np.array([[0.98, 0.90, 0.72], [0.99, 0.80, 0.86], [0.80, 0.88, 0.99],
                         [0.82, 0.96, 0.83]][int(rng.integers(4))])
    pad_hue = rng.uniform(-3.5, 3.5)
    s_plate = rng.uniform(0.004, 0.012)
    pen = str(rng.choice(["blue", "black"], p=[0.65, 0.35]))

    P_rates = {"official_seal": dict(empty=.06, pale=.065, broken=.085, double=.08, smudged=.11,
                                     overlap_line=.065, tilted=.085, bg_not_white=.045, text_under=.085,
                                     off_color=.085)}
    P_rates["legal_rep_seal"] = P_rates["official_seal"]
    P_rates["signature"] = dict(empty=.06, pale=.07, overlap_line=.07, bg_not_white=.045)
    for b in boxes:
        pr = P_rates[b["kind"]]
        want = {k for k, p in pr.items() if rng.random() < p}
        if "empty" in want:
            want &= {"empty", "bg_not_white"}
        if "pale" in want:
            want.discard("off_color")
        if "broken" in want:
            want -= {"double", "smudged"}
        if "double" in want:
            want.discard("smudged")
        b["want"] = want

    # seal faces (one 公章 and one 法人章 per sheet, stamped three times)
    D = rng.uniform(38.5, 44.5)
    ring = rng.uniform(0.9, 1.4)
    arc_span = rng.uniform(205, 245)
    th = rng.uniform(0.16, 0.19) * D
    with_code = rng.random() < 0.4
    sq_rect = rng.random() < 0.35
    if sq_rect:
        long = rng.uniform(17.5, 21.5); ratio = rng.uniform(1.2, 1.42)
        sw, sh = (long / ratio, long) if rng.random() < 0.6 else (long, long / ratio)
    else:
        sw = sh = rng.uniform(15.5, 21.5)
    intaglio = rng.random() < 0.3  # 阴文
    frame = rng.uniform(0.7, 1.1)
    bold_seal = rng.uniform(0.07, 0.12)
    pen_bold = rng.uniform(0.03, 0.08)

    def official_items(T):
        its = [poly_item(T, [circle(D / 2), circle(D / 2 - ring, ccw=False)])]
        rs = 0.3 * D / 2
        a = np.pi / 2 + np.arange(10) * np.pi / 5
        rr = np.where(np.arange(10) % 2 == 0, rs, rs * 0.382)
        its.append(poly_item(T, [np.c_[rr * np.cos(a), rr * np.sin(a)]]))
        m = go.m[0]
        n = len(firm)
        rt = D / 2 - ring - 0.9 - th / 2
        step = np.radians(arc_span) / n
        gl = []
        for i, ch in enumerate(firm):
            phi = np.pi / 2 + np.radians(arc_span) / 2 - (i + 0.5) * step
            x_0, y_0, x_1, y_1, _ = m[ch]
            gw, gh = max(x_1 - x_0, 1e-3), max(y_1 - y_0, 1e-3)
            sy = th / gh
            sx = min(sy * 0.95, 0.92 * rt * step / gw)
            t = np.array([np.sin(phi), -np.cos(phi)]); u = np.array([np.cos(phi), np.sin(phi)])
            P = rt * u
            G = M(t[0], u[0], P[0], t[1], u[1], P[1]) @ M(sx, 0, -sx * (x_0 + x_1) / 2, 0, sy, -sy * (y_0 + y_1) / 2)
            gl.append(glyph_item(T, 0, ch, G))
        if use:
            h2 = 0.1 * D
            wtot = 0.55 * D
            cw = wtot / len(use)
            for i, ch in enumerate(use):
                x_0, y_0, x_1, y_1, _ = m[ch]
                sx, sy = 0.85 * cw / max(x_1 - x_0, 1e-3), h2 / max(y_1 - y_0, 1e-3)
                cx = -wtot / 2 + (i + 0.5) * cw
                G = M(sx, 0, cx - sx * (x_0 + x_1) / 2, 0, sy, -0.3 * D - sy * (y_0 + y_1) / 2)
                gl.append(glyph_item(T, 0, ch, G))
        if with_code:
            rc = D / 2 - ring - 0.5 - 0.05 * D / 2
            span = np.radians(62)
            for i, ch in enumerate(code13):
                phi = -np.pi / 2 - span / 2 + (i + 0.5) * span / 13
                x_0, y_0, x_1, y_1, _ = m[ch]
                sy = 0.045 * D / max(y_1 - y_0, 1e-3); sx = sy * 0.8
                u = np.array([np.cos(phi), np.sin(phi)]); t = np.array([-np.sin(phi), np.cos(phi)])
                # bottom arc: the characters' feet towards the ring, read left to right
                P = rc * u
                G = M(t[0], -u[0], P[0], t[1], -u[1], P[1]) @ M(sx, 0, -sx * (x_0 + x_1) / 2, 0, sy, -sy * (y_0 + y_1) / 2)
                gl.append(glyph_item(T, 0, ch, G))
        return its + bold(gl, bold_seal)

    def legal_items(T):
        chars = (nm + "之印") if len(nm) == 2 else (nm + "印")
        m = go.m[0]
        hx, hy = sw / 2, sh / 2
        gap = frame + 0.5
        cw, ch_ = (sw - 2 * gap) / 2, (sh - 2 * gap) / 2
        # read right column top to bottom, then the left column
        cells = [(1, 0), (1, 1), (0, 0), (0, 1)]
        gl = []
        for (cx_i, cy_i), c in zip(cells, chars):
            x_0, y_0, x_1, y_1, _ = m[c]
            sx = 0.86 * cw / max(x_1 - x_0, 1e-3); sy = 0.86 * ch_ / max(y_1 - y_0, 1e-3)
            cx = -hx + gap + (cx_i + 0.5) * cw
            cy = hy - gap - (cy_i + 0.5) * ch_
            G = M(sx, 0, cx - sx * (x_0 + x_1) / 2, 0, sy, cy - sy * (y_0 + y_1) / 2)
            gl.append(glyph_item(T, 0, c, G))
        gl = bold(gl, bold_seal * 1.2)
        if intaglio:
            its = [poly_item(T, [rect(-hx, -hy, hx, hy)])]
            return its + [dict(g, op="cut") for g in gl]
        its = [poly_item(T, [rect(-hx, -hy, hx, hy), rect(-hx + frame, -hy + frame, hx - frame, hy - frame, ccw=False)])]
        return its + gl

    slant = rng.uniform(8, 20)
    def sig_items(T, hgt):
        m = go.m[1]
        adv = sum(m[c][4] for c in nm) * hgt * 0.86
        x = -adv / 2
        gl = []
        for c in nm:
            dy = rng.uniform(-0.8, 0.8)
            G = M(hgt, hgt * np.tan(np.radians(slant)), x, 0, hgt, -0.38 * hgt + dy)
            gl.append(glyph_item(T, 1, c, G))
            x += m[c][4] * hgt * 0.86
        return bold(gl, pen_bold, 6), adv

    # per box: its placement and drawing
    margin = 9.0
    box_layers = []
    print_items = []
    for k, b in enumerate(boxes):
        ix0, iy0, ix1, iy1 = b["inner"]
        bcx, bcy = (ix0 + ix1) / 2, (iy0 + iy1) / 2
        want = b["want"]
        kind = b["kind"]
        if kind == "official_seal":
            hxw = hyw = D / 2
        elif kind == "legal_rep_seal":
            hxw, hyw = sw / 2, sh / 2
        else:
            b["sig_h"] = hgt = rng.uniform(8.5, 11)
            hxw = sum(go.m[1][c][4] for c in nm) * hgt * 0.86 / 2 + 0.3 * hgt * np.tan(np.radians(slant))
            hyw = 0.5 * hgt
        tilt = rng.uniform(12, 28) * rng.choice([-1, 1]) if "tilted" in want else rng.uniform(-2, 2)
        if kind == "signature":
            tilt = rng.uniform(-2.5, 2.5)
        cx, cy = bcx + rng.uniform(-2, 2), bcy + rng.uniform(-2, 2)
        if kind == "signature":
            cx, cy = bcx + rng.uniform(-3, 3), bcy + rng.uniform(-1.5, 2.5)
        # nominal half extents after the turn
        ca, sa = abs(np.cos(np.radians(tilt))), abs(np.sin(np.radians(tilt)))
        ex = hxw if kind == "official_seal" else hxw * ca + hyw * sa
        ey = hyw if kind == "official_seal" else hxw * sa + hyw * ca
        push = None
        if "overlap_line" in want:
            side = int(rng.integers(4)) if kind != "signature" else int(rng.choice([0, 2]))
            push = rng.uniform(1.3, 3.0)
            if side == 0:
                cx = ix0 + ex - push
            elif side == 2:
                cx = ix1 - ex + push
            elif side == 1:
                cy = iy0 + ey - push
            else:
                cy = iy1 - ey + push
        else:
            # keep clear of the rules by at least 1.2 mm (the label is read from the ink anyway)
            cx = float(np.clip(cx, ix0 + ex + 1.2, ix1 - ex - 1.2)) if ix1 - ix0 > 2 * ex + 2.4 else bcx
            cy = float(np.clip(cy, iy0 + ey + 1.2, iy1 - ey - 1.2)) if iy1 - iy0 > 2 * ey + 2.4 else bcy
        b.update(cx=cx, cy=cy, tilt=float(tilt), push=push)
        cx0 = np.floor((ix0 - margin) * rp) / rp; cy0 = np.floor((iy0 - margin) * rp) / rp
        cw_px = int(np.ceil((ix1 - ix0 + 2 * margin) * rp)); ch_px = int(np.ceil((iy1 - iy0 + 2 * margin) * rp))
        cx0 = max(cx0, 0.0); cy0 = max(cy0, 0.0)
        cw_px = min(cw_px, W - int(round(cx0 * rp))); ch_px = min(ch_px, H - int(round(cy0 * rp)))
        b["crop"] = (int(round(cx0 * rp)), int(round(cy0 * rp)), cw_px, ch_px)
        if "text_under" in want:
            s = str(rng.choice(UNDER[:4] if kind == "official_seal" else UNDER[1:]))
            e2 = rng.uniform(3.8, 5.0)
            adv = sum(go.m[0][c][4] for c in s) * e2
            if kind == "legal_rep_seal" and adv > 0.8 * min(sw, sh):
                e2 *= 0.8 * min(sw, sh) / adv
            dy = 0.22 * D if kind == "official_seal" else e2 * 0.35
            print_items += text_line(go, s, cx + rng.uniform(-1.5, 1.5), cy + dy, e2, align="center")
            b["under"] = s
        if "empty" in want:
            continue
        pressings = [(cx, cy, tilt, 1.0)]
        if "double" in want:
            d = rng.uniform(1.0, 2.5); a = rng.uniform(0, 2 * np.pi)
            pressings.append((cx + d * np.cos(a), cy + d * np.sin(a), tilt + rng.uniform(-1, 1), rng.uniform(0.55, 0.9)))
            b["double_offset_mm"] = round(float(d), 2)
        b["loads"] = []
        for j, (px, py, pt, ld) in enumerate(pressings):
            T = seal_T(px, py, pt)
            if kind == "official_seal":
                its = official_items(T)
            elif kind == "legal_rep_seal":
                its = legal_items(T)
            else:
                its, _ = sig_items(T, b["sig_h"])
            box_layers.append({"name": "b%dp%d" % (k, j), "w": cw_px, "h": ch_px, "ox": b["crop"][0] / rp,
                               "oy": b["crop"][1] / rp, "ppmm": rp, "items": its})
            b["loads"].append(ld)

    print_layer = {"name": "print", "w": W, "h": H, "ox": 0, "oy": 0, "ppmm": rp, "items": print_items}
    L = go.layers([page_layer, print_layer] + box_layers)

    # ---------------- print: an ion-deposition printer (ionography) with cold pressure fusing
    head = 300 / 25.4  # ion cartridge dots / mm
    cov = np.maximum(L.pop("form"), L.pop("print"))
    zoom = head / rp
    small = ndimage.zoom(ndimage.gaussian_filter(cov, 0.5 / zoom / 2), zoom, order=1)
    dots = (small >= 0.5).astype(np.float32)
    dots *= (rng.random(dots.shape) > 0.002)  # a clogged ion aperture now and then
    lat = ndimage.zoom(dots, (H / dots.shape[0], W / dots.shape[1]), order=0)[:H, :W]
    charge = ndimage.gaussian_filter(lat, rng.uniform(0.03, 0.045) * rp)
    q0, qw = rng.uniform(0.28, 0.36), rng.uniform(0.05, 0.08)
    toner = 1 / (1 + np.exp(np.clip(-(charge - q0) / qw, -60, 60)))
    toner = np.clip((toner - 0.02) / 0.98, 0, 1)
    # cold pressure fusing flattens the toner along the feed
    toner = ndimage.gaussian_filter1d(toner, rng.uniform(0.015, 0.03) * rp, axis=0)
    del cov, small, lat, charge
    speck = (rng.random((H, W)) < 2e-6).astype(np.float32)
    toner = np.maximum(toner, ndimage.gaussian_filter(speck, 0.03 * rp) * 8)
    toner_D = rng.uniform(1.2, 1.45)
    Tprint = np.power(10.0, -toner_D * np.clip(toner, 0, 1)).astype(np.float32)
    del toner, speck

    # ---------------- paper: Perlin gradient noise (formation and grain), machine direction along y
    gp = 6.0  # noise grid px / mm
    gh, gw = int(A4[1] * gp), int(A4[0] * gp)
    form = sum(perlin(rng, gh, gw, p * gp) * a for p, a in ((8, 1.0), (4, 0.6), (2, 0.35)))
    grain = sum(perlin(rng, int(gh * 1.0), gw, p * gp) * a for p, a in ((1.0, 1.0), (0.5, 0.6)))
    form = form / form.std(); grain = grain / grain.std()
    mod = 1 + rng.uniform(0.004, 0.01) * form + rng.uniform(0.003, 0.007) * grain
    mod = ndimage.zoom(mod, (H / gh, W / gw), order=1)[:H, :W].astype(np.float32)
    del form, grain
    page = np.empty((H, W, 3), np.float32)
    for c in range(3):
        pc = paper_white[c] * (tint[c] if tinted else 1.0)
        page[..., c] = pc * mod * Tprint
    del mod, Tprint

    # ---------------- stains in bg_not_white boxes: rust from a wet clip, or yellowed tape
    for b in boxes:
        if "bg_not_white" not in b["want"] or tinted:
            continue
        ix0, iy0, ix1, iy1 = b["inner"]
        bx, by = int(ix0 * rp), int(iy0 * rp)
        bw, bh = int((ix1 - ix0) * rp), int((iy1 - iy0) * rp)
        yy, xx = np.mgrid[0:bh, 0:bw].astype(np.float32) / rp
        inset = 1.5
        keep = ((xx > inset) & (xx < (ix1 - ix0) - inset) & (yy > inset) & (yy < (iy1 - iy0) - inset)).astype(np.float32)
        keep = ndimage.gaussian_filter(keep, 0.4 * rp)
        if rng.random() < 0.5:
            kind_s = "rust"
            ecx, ecy = rng.uniform(0.3, 0.7) * (ix1 - ix0), rng.uniform(0.3, 0.7) * (iy1 - iy0)
            ax_, ay_ = rng.uniform(0.25, 0.38) * (ix1 - ix0), rng.uniform(0.22, 0.35) * (iy1 - iy0)
            ang = rng.uniform(0, np.pi)
            dx, dy = xx - ecx, yy - ecy
            u_ = (dx * np.cos(ang) + dy * np.sin(ang)) / ax_
            v_ = (-dx * np.sin(ang) + dy * np.cos(ang)) / ay_
            rr = np.sqrt(u_ ** 2 + v_ ** 2) + 0.12 * smooth_noise(rng, (bh, bw), 1.5 * rp)
            body = 1 / (1 + np.exp(np.clip((rr - 1) / 0.03, -60, 60)))
            rim = np.exp(-((rr - 0.97) / 0.05) ** 2)
            dens = (body * (0.75 + 0.15 * smooth_noise(rng, (bh, bw), 0.8 * rp)) + 0.5 * rim)
            od = np.array([0.06, 0.17, 0.36]) * rng.uniform(1.0, 1.5)
        else:
            kind_s = "tape"
            ang = np.radians(rng.uniform(-20, 20))
            wdt = rng.uniform(12, 20)
            ecy = rng.uniform(0.35, 0.65) * (iy1 - iy0)
            v_ = (-(xx - (ix1 - ix0) / 2) * np.sin(ang) + (yy - ecy) * np.cos(ang))
            dens = 1 / (1 + np.exp(np.clip((np.abs(v_) - wdt / 2) / 0.08, -60, 60)))
            dens = dens * (0.9 + 0.08 * smooth_noise(rng, (bh, bw), 2 * rp))
            od = np.array([0.03, 0.08, 0.24]) * rng.uniform(1.1, 1.5)
        dens = np.clip(dens, 0, 1.3) * keep
        for c in range(3):
            page[by:by + bh, bx:bx + bw, c] *= np.power(10.0, -od[c] * dens).astype(np.float32)
        b["stain"] = kind_s

    # ---------------- inks (Stokes' pile of plates), per box
    paper_ref = paper_white * (tint if tinted else 1.0)
    normal_abs = rng.uniform(0.88, 0.96)
    seal_ink = solve_ink(normal_abs, pad_hue, "seal", paper_ref, s_plate)[0]
    pen_ink = solve_ink(rng.uniform(0.86, 0.95), 0, pen, paper_ref, s_plate)[0]
    line_edges = []
    for k, b in enumerate(boxes):
        b["mask_cov"] = None
        if "empty" in b["want"]:
            continue
        kind = b["kind"]
        want = b["want"]
        x0c, y0c, cw_px, ch_px = b["crop"]
        covs = [L.pop("b%dp%d" % (k, j)) for j in range(len(b["loads"]))]
        yy, xx = np.mgrid[0:ch_px, 0:cw_px].astype(np.float32)
        xmm, ymm = (xx + x0c) / rp, (yy + y0c) / rp
        if "smudged" in want:
            Ls = rng.uniform(0.8, 1.35); ang = rng.uniform(0, 2 * np.pi)
            n = max(int(Ls * rp * 2), 3)
            kr = int(np.ceil(Ls * rp)) + 1
            ker = np.zeros((2 * kr + 1, 2 * kr + 1), np.float32)
            for i in range(n + 1):
                f = i / n
                wgt = 1 - 0.7 * f
                px, py = kr + f * Ls * rp * np.cos(ang), kr + f * Ls * rp * np.sin(ang)
                ix_, iy_ = int(np.floor(px)), int(np.floor(py)); fx, fy = px - ix_, py - iy_
                for ddy, ddx, ww in ((0, 0, (1 - fx) * (1 - fy)), (0, 1, fx * (1 - fy)), (1, 0, (1 - fx) * fy), (1, 1, fx * fy)):
                    if 0 <= iy_ + ddy < ker.shape[0] and 0 <= ix_ + ddx < ker.shape[1]:
                        ker[iy_ + ddy, ix_ + ddx] += wgt * ww
            ker /= ker.sum()
            covs = [np.clip(signal.fftconvolve(c, ker, mode="same"), 0, 1).astype(np.float32) for c in covs]
            b["smear_mm"] = round(float(Ls), 2)
        if "broken" in want:
            a = rng.uniform(0, 2 * np.pi)
            ext = D / 2 if kind == "official_seal" else max(sw, sh) / 2
            if kind == "official_seal":
                depth = rng.uniform(0.2, 0.3) * D
                reach = D / 2
            else:
                a = np.radians(b["tilt"]) + rng.choice([0, np.pi / 2, np.pi, 1.5 * np.pi]) + rng.uniform(-0.25, 0.25)
                reach = abs(np.cos(a - np.radians(b["tilt"]))) * sw / 2 + abs(np.sin(a - np.radians(b["tilt"]))) * sh / 2
                depth = rng.uniform(0.24, 0.34) * 2 * reach
            # a direction in page mm (y down); the cap beyond the wavy chord is lost
            dvec = np.array([np.cos(a), np.sin(a)])
            dd = (xmm - b["cx"]) * dvec[0] + (ymm - b["cy"]) * dvec[1]
            wave = 0.3 * smooth_noise(rng, (ch_px, cw_px), 1.2 * rp)
            keep = 1 / (1 + np.exp(np.clip((dd + wave - (reach - depth)) / 0.06, -60, 60)))
            covs = [c * keep.astype(np.float32) for c in covs]
            b["lost_depth_mm"] = round(float(depth), 2)
        # the pressure: pad mottle, the rubber's squeeze to its edges, the hand's plane
        mott = 1 + rng.uniform(0.05, 0.11) * smooth_noise(rng, (ch_px, cw_px), 1.0 * rp)
        gx_, gy_ = rng.normal(0, 0.005, 2)
        plane = 1 + gx_ * (xmm - b["cx"]) + gy_ * (ymm - b["cy"])
        load = np.zeros((ch_px, cw_px), np.float32)
        for c, ld in zip(covs, b["loads"]):
            edge = np.clip(c - ndimage.gaussian_filter(c, 0.25 * rp), 0, 1)
            load += c * ld + rng.uniform(0.15, 0.3) * edge * ld
        load *= (mott * np.clip(plane, 0.85, 1.15)).astype(np.float32)
        cov_all = np.max(covs, axis=0) if len(covs) > 1 else covs[0]
        ink = pen_ink if kind == "signature" else seal_ink
        if "pale" in want:
            target = rng.uniform(0.3, 0.55)
            load *= load_for(ink, paper_ref, target)
            b["absorbed"] = round(float(target), 3)
        elif "off_color" in want and kind != "signature":
            hue = rng.uniform(24, 38) * rng.choice([-1, 1])
            ink = solve_ink(normal_abs, hue, "seal", paper_ref, s_plate)[0]
            b["hue_deg"] = round(float(hue), 1)
        sub = page[y0c:y0c + ch_px, x0c:x0c + cw_px, :]
        page[y0c:y0c + ch_px, x0c:x0c + cw_px, :] = ink.over(load, sub)
        b["mask_cov"] = cov_all
        # overlap_line from the drawn ink against the inner edges of the box's rules
        ys, xs = np.nonzero(cov_all >= 0.5)
        ix0, iy0, ix1, iy1 = b["inner"]
        if len(xs):
            reach = max(ix0 - (xs.min() + x0c) / rp, (xs.max() + 1 + x0c) / rp - ix1,
                        iy0 - (ys.min() + y0c) / rp, (ys.max() + 1 + y0c) / rp - iy1)
        else:
            reach = -99
        b["reach_mm"] = round(float(reach), 2)

    # ---------------- capture: a drum scanner (PMTs behind a circular aperture, log amplifier)
    skew = rng.normal(0, 0.3) if rng.random() < 0.5 else rng.uniform(0.3, 1.4) * rng.choice([-1, 1])
    shift = rng.uniform(-0.8, 0.8, 2)
    runout = rng.uniform(0.01, 0.05)
    circ = rng.uniform(280, 340)  # drum circumference, mm
    ap = rng.uniform(1.0, 1.25)  # aperture diameter over the scan pitch
    sw_px, sh_px = int(round(A4[0] * dpi / 25.4)), int(round(A4[1] * dpi / 25.4))

    def pillbox(diam_px):
        r = diam_px / 2
        n = int(np.ceil(r)) + 1
        sub = 8
        g = (np.arange(-n * sub, (n + 1) * sub) + 0.5) / sub - 0.5
        yy, xx = np.meshgrid(g, g, indexing="ij")
        disk = (xx ** 2 + yy ** 2 <= r * r).astype(np.float64)
        k = disk.reshape(2 * n + 1, sub, 2 * n + 1, sub).sum(axis=(1, 3))
        return (k / k.sum()).astype(np.float32)

    drum_grey = rng.uniform(0.5, 0.62)
    th_ = np.radians(skew)
    cth, sth = np.cos(th_), np.sin(th_)
    pc = np.array(A4) / 2
    def scan_to_page(X, Y):
        """scan pixel centres -> page mm: the page turned clockwise by skew on screen, shifted;
        the helical carriage advances one line a turn; the drum's runout modulates the speed."""
        xs_ = (X + 0.5) * 25.4 / dpi
        ys_ = (Y + 0.5) * 25.4 / dpi + (X / sw_px) * 25.4 / dpi
        xs_ = xs_ + runout * np.sin(2 * np.pi * xs_ / circ)
        dx, dy = xs_ - pc[0] - shift[0], ys_ - pc[1] - shift[1]
        return pc[0] + cth * dx + sth * dy, pc[1] - sth * dx + cth * dy
    def page_to_scan(x, y):
        dx, dy = x - pc[0], y - pc[1]
        xs_ = pc[0] + shift[0] + cth * dx - sth * dy
        ys_ = pc[1] + shift[1] + sth * dx + cth * dy
        xs_ = xs_ - runout * np.sin(2 * np.pi * xs_ / circ)
        X = xs_ * dpi / 25.4 - 0.5
        return X, ys_ * dpi / 25.4 - 0.5 - X / sw_px

    blur = []
    for c in range(3):
        k = pillbox(ap * ss * (1.12 if c == 2 else 1.0))
        blur.append(k)
    out = np.empty((sh_px, sw_px, 3), np.float32)
    Xg = np.arange(sw_px, dtype=np.float32)
    strip = 256
    for c in range(3):
        ch = ndimage.convolve(page[..., c], blur[c], mode="nearest")
        for y0s in range(0, sh_px, strip):
            Yg = np.arange(y0s, min(y0s + strip, sh_px), dtype=np.float32)
            X, Y = np.meshgrid(Xg, Yg)
            px, py = scan_to_page(X, Y)
            v = ndimage.map_coordinates(ch, [py * rp - 0.5, px * rp - 0.5], order=1, mode="constant", cval=-1)
            v[v < 0] = drum_grey
            out[y0s:y0s + len(Yg), :, c] = v
        del ch
    del page

    # PMT: photon noise with the multiplier's excess noise; log amplifier, 12 bits of density
    nph = rng.uniform(4000, 15000)
    F = rng.uniform(1.2, 1.5)
    ref = 0.9
    S = out / ref * nph
    S = S + rng.standard_normal(S.shape).astype(np.float32) * np.sqrt(np.maximum(S, 1) * F).astype(np.float32)
    S += rng.normal(0, 2.0, S.shape).astype(np.float32)
    Dn = -np.log10(np.maximum(S, 0.3) / nph)
    Dq = np.round(np.clip(Dn, 0, 3.2) / 3.2 * 4095) / 4095 * 3.2
    del S, Dn
    # the scanner's software: one highlight (the paper) and one shadow point for the three channels
    D_hl = float(np.percentile(Dq[::4, ::4, 1], 75)) - rng.uniform(0.005, 0.02)
    D_sh = rng.uniform(2.1, 2.5)
    lo = 10 ** (-(D_sh - D_hl))
    R = (np.power(10.0, -(Dq - D_hl)) - lo) / (1 - lo) * rng.uniform(0.955, 0.985)
    del Dq
    img = srgb(R)
    del R
    if rng.random() < 0.5:  # the drum software's unsharp mask
        amt = rng.uniform(0.25, 0.6)
        img = img + amt * (img - ndimage.gaussian_filter(img, (1.0, 1.0, 0)))
    img8 = np.clip(np.round(img * 255), 0, 255).astype(np.uint8)
    del img

    # ---------------- codec: Go's image/jpeg or image/png, the resolution spliced in
    fmt = "jpg" if rng.random() < 0.7 else "png"
    q = int(rng.integers(70, 96))
    dpi_in_file = bool(rng.random() < 0.85)
    ppm = os.path.join(go.work, "scan.ppm")
    with open(ppm, "wb") as fh:
        fh.write(b"P6\n%d %d\n255\n" % (sw_px, sh_px)); fh.write(img8.tobytes())
    del img8
    fname = "%s.%s" % (stem, fmt)
    tmp_out = os.path.join(go.work, fname)
    subprocess.run([go.exe, "encode", ppm, tmp_out, str(q)], check=True)
    data = open(tmp_out, "rb").read()
    if dpi_in_file:
        if fmt == "jpg":
            app0 = b"\xff\xe0" + (16).to_bytes(2, "big") + b"JFIF\x00\x01\x01\x01" + dpi.to_bytes(2, "big") * 2 + b"\x00\x00"
            assert data[:2] == b"\xff\xd8"
            data = data[:2] + app0 + data[2:]
        else:
            ppmv = int(round(dpi / 0.0254))
            body = b"pHYs" + ppmv.to_bytes(4, "big") * 2 + b"\x01"
            chunk = (9).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")
            data = data[:33] + chunk + data[33:]  # after the signature and IHDR
    with open(os.path.join(outdir, fname), "wb") as fh:
        fh.write(data)

    # ---------------- masks and truth
    rec = []
    for k, b in enumerate(boxes):
        kind = b["kind"]
        want = set(b["want"])
        defects = set(want)
        border = []
        ix0, iy0, ix1, iy1 = b["inner"]
        bcx, bcy = page_to_scan((ix0 + ix1) / 2, (iy0 + iy1) / 2)
        e = {"row": b["row"], "col": b["col"], "kind": kind, "empty": "empty" in want,
             "box_centre_px": [round(float(bcx), 1), round(float(bcy), 1)]}
        if kind == "official_seal":
            e["diameter_mm"] = round(float(D), 2)
        elif kind == "legal_rep_seal":
            e["size_mm"] = [round(float(sw), 2), round(float(sh), 2)]
            e["intaglio"] = bool(intaglio)
        if "empty" not in want:
            reach = b["reach_mm"]
            defects.discard("overlap_line")
            if reach > 0.3:
                defects.add("overlap_line")
            elif reach >= -0.3:
                border.append("overlap_line")
            if "broken" in want and "overlap_line" not in defects and reach > -1.5 and "overlap_line" not in border:
                border.append("overlap_line")
            cov = b["mask_cov"]
            x0c, y0c, cw_px, ch_px = b["crop"]
            covk = ndimage.convolve(cov, pillbox(ap * ss), mode="constant")
            # the crop's corners in scan pixels, then every scan pixel in its box read back
            cx_ = np.array([x0c, x0c + cw_px, x0c, x0c + cw_px]) / rp
            cy_ = np.array([y0c, y0c, y0c + ch_px, y0c + ch_px]) / rp
            SX, SY = page_to_scan(cx_, cy_)
            mx0, my0 = int(np.floor(SX.min())), int(np.floor(SY.min()))
            mx1, my1 = int(np.ceil(SX.max())) + 1, int(np.ceil(SY.max())) + 1
            mx0, my0 = max(mx0, 0), max(my0, 0)
            mx1, my1 = min(mx1, sw_px), min(my1, sh_px)
            X, Y = np.meshgrid(np.arange(mx0, mx1, dtype=np.float32), np.arange(my0, my1, dtype=np.float32))
            px, py = scan_to_page(X, Y)
            v = ndimage.map_coordinates(covk, [py * rp - 0.5 - y0c, px * rp - 0.5 - x0c], order=1, mode="constant", cval=0)
            m = v >= 0.5
            ys, xs = np.nonzero(m)
            if len(xs):
                m = m[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
                off = [int(mx0 + xs.min()), int(my0 + ys.min())]
                mname = "%s.r%dc%d.mask.png" % (stem, b["row"], b["col"])
                Image.fromarray((m * 255).astype(np.uint8)).save(os.path.join(outdir, mname))
                e["mask"] = mname
                e["mask_offset"] = off
            e["reach_mm"] = b["reach_mm"]
        if kind == "signature":
            defects &= {"empty", "pale", "overlap_line", "bg_not_white"}
        if tinted:
            defects.add("bg_not_white")
        order = [l for l in LABELS if l in defects]
        e["defects"] = order
        e["borderline"] = border
        e["tilt_deg"] = round(b["tilt"], 2)
        for f in ("double_offset_mm", "smear_mm", "lost_depth_mm", "absorbed", "hue_deg", "stain", "under"):
            if f in b:
                e[f] = b[f]
        rec.append(e)
    truth = {"maker": "govector", "seed": seed, "dpi": dpi, "dpi_in_file": dpi_in_file,
             "skew_deg": round(float(skew), 3), "file": fname, "layout": "nmgca-procurement/org-seal-application",
             "firm": firm, "person": nm, "pen": pen, "tinted": bool(tinted), "intaglio": bool(intaglio),
             "boxes": rec}
    with open(os.path.join(outdir, stem + ".truth.json"), "w") as fh:
        json.dump(truth, fh, ensure_ascii=False, indent=1)
    for f in os.listdir(go.work):
        os.remove(os.path.join(go.work, f))
    os.rmdir(go.work)


if __name__ == "__main__":
    main()
