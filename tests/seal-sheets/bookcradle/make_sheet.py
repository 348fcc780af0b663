#!/usr/bin/python3
"""Maker AD (bookcradle): one seal collection sheet and its truth.

    make_sheet.py SEED OUTDIR INDEX

Drawing: GNU libplot's bitmap driver (libxmi scan conversion, aliased, supersampled here),
driven through adplot.c (compiled once into a cache) from glyph outlines of Mona and
Reggae One read with fontTools.  Form: an electrofax (zinc-oxide paper, liquid toner)
copy with edge development.  Paper: a blade-coated sheet whose coat weight levels like a
wet film (Orchard levelling), with blade streaks and pinholes.  Ink: a paste whose vehicle
soaks into the coating (Lucas-Washburn), part of the dye kept at the surface, part carried
into the sheet and sideways, and an oil halo.  Capture: an archive's V-cradle book scanner
(the sheet punched and filed in a ring binder, its gutter edge curling off the plate) with a
monochrome sensor under three sequential R / G / B flashes.  Codec: JPEG, a pngquant-reduced
PNG (palette) or TIFF.
"""
import hashlib
import logging
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
from fontTools.pens.basePen import BasePen
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from PIL import Image

Image.MAX_IMAGE_PIXELS = None
from scipy import ndimage

logging.getLogger("fontTools").setLevel(logging.ERROR)
HERE = os.path.dirname(os.path.abspath(__file__))
MONA = "/usr/share/fonts/truetype/mona/mona.ttf"
REGGAE = "/usr/share/fonts/truetype/reggae/ReggaeOne-Regular.ttf"
PAGE_W, PAGE_H = 210.0, 297.0


# ---------------------------------------------------------------- libplot front end
def adplot_binary():
    src = os.path.join(HERE, "adplot.c")
    with open(src, "rb") as f:
        h = hashlib.sha256(f.read()).hexdigest()[:16]
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(tempfile.gettempdir(), "adplot-%d" % os.getuid())
    os.makedirs(cache, exist_ok=True)
    exe = os.path.join(cache, "adplot-" + h)
    if not os.path.exists(exe):
        tmp = "%s.%d" % (exe, os.getpid())
        subprocess.run(["gcc", "-O2", "-o", tmp, src, "-lplot"], check=True)
        os.replace(tmp, exe)
    return exe


def plot(cmds, w, h):
    """Renders the commands on a w x h bitmap with libplot; returns a bool array (True = drawn)."""
    data = ("%d %d\n" % (w, h) + "\n".join(cmds) + "\n").encode()
    out = subprocess.run([adplot_binary()], input=data, stdout=subprocess.PIPE, check=True).stdout
    fd, path = tempfile.mkstemp(suffix=".pnm")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(out)
        im = Image.open(path)
        im.load()
        a = np.array(im.convert("L")) > 127
    finally:
        os.unlink(path)
    return a


def block_mean(a, k):
    if k == 1:
        return a.astype(np.float32)
    h, w = a.shape[0] // k * k, a.shape[1] // k * k
    return a[:h, :w].reshape(h // k, k, w // k, k).mean(axis=(1, 3), dtype=np.float32)


# ---------------------------------------------------------------- glyphs
class CmdPen(BasePen):
    def __init__(self, gs, tf, out):
        super().__init__(gs)
        self.tf, self.out = tf, out

    def _p(self, p):
        x, y = self.tf(p)
        return "%.2f %.2f" % (x, y)

    def _moveTo(self, p):
        self.out.append("M " + self._p(p))

    def _lineTo(self, p):
        self.out.append("L " + self._p(p))

    def _qCurveToOne(self, p1, p2):
        self.out.append("Q %s %s" % (self._p(p1), self._p(p2)))

    def _curveToOne(self, p1, p2, p3):
        self.out.append("C %s %s %s" % (self._p(p1), self._p(p2), self._p(p3)))

    def _closePath(self):
        self.out.append("Z")


class Face:
    def __init__(self, path):
        self.font = TTFont(path)
        # Mona's maxp counts one glyph more than its hmtx and loca hold
        if self.font["maxp"].numGlyphs > self.font["hhea"].numberOfHMetrics and len(self.font.reader["hmtx"]) == 4 * self.font["hhea"].numberOfHMetrics:
            self.font["maxp"].numGlyphs = self.font["hhea"].numberOfHMetrics
        self.gs = self.font.getGlyphSet()
        self.cmap = self.font.getBestCmap()
        self.upm = self.font["head"].unitsPerEm
        self.hmtx = self.font["hmtx"]
        self.bounds = {}

    def has(self, s):
        return all(ord(c) in self.cmap for c in s if not c.isspace())

    def gname(self, ch):
        return self.cmap.get(ord(ch))

    def bbox(self, ch):
        if self.gname(ch) is None:
            return (0, 0, self.upm, self.upm)
        if ch not in self.bounds:
            bp = BoundsPen(self.gs)
            self.gs[self.gname(ch)].draw(bp)
            self.bounds[ch] = bp.bounds or (0, 0, self.upm, self.upm)
        return self.bounds[ch]

    def glyph(self, ch, mat, out):
        """mat maps font units (x right, y up) to pixels: (a, b, c, d, e, f) -> X = a x + b y + e, Y = c x + d y + f."""
        g = self.gname(ch)
        if g is None:
            return
        a, b, c, d, e, f = mat
        pen = CmdPen(self.gs, lambda p: (a * p[0] + b * p[1] + e, c * p[0] + d * p[1] + f), out)
        n = len(out)
        self.gs[g].draw(pen)
        if len(out) > n:
            out.append("E")


def cell_matrix(face, ch, cx, cy, w, h, rot, s):
    """Matrix that stretches the glyph's ink box to w x h mm centred at (cx, cy) mm, turned by rot
    (radians, clockwise on the page, y down), in pixels of s per mm."""
    x0, y0, x1, y1 = face.bbox(ch)
    sx, sy = w / max(x1 - x0, 1), h / max(y1 - y0, 1)
    gx, gy = (x0 + x1) / 2, (y0 + y1) / 2
    co, si = math.cos(rot), math.sin(rot)
    # local: lx = (x - gx) sx, ly = -(y - gy) sy ; page = R(rot) (lx, ly) + c
    a, b = co * sx, si * sy
    c, d = si * sx, -co * sy
    e = cx - a * gx - b * gy
    f = cy - c * gx - d * gy
    return (a * s, b * s, c * s, d * s, e * s, f * s)


def text_line(face, txt, x, y, size, s, out, anchor="l"):
    """Sets txt with its baseline at y (mm), size = em in mm."""
    k = size / face.upm
    adv = [face.hmtx[face.gname(ch)][0] * k if face.gname(ch) else size * 0.5 for ch in txt]
    wtot = sum(adv)
    if anchor == "c":
        x -= wtot / 2
    elif anchor == "r":
        x -= wtot
    for ch, a in zip(txt, adv):
        if not ch.isspace() and face.gname(ch):
            face.glyph(ch, (k * s, 0, 0, -k * s, x * s, y * s), out)
        x += a
    return wtot


def rect_cmd(x0, y0, x1, y1, s):
    return "M %.2f %.2f L %.2f %.2f L %.2f %.2f L %.2f %.2f Z E" % (
        x0 * s, y0 * s, x1 * s, y0 * s, x1 * s, y1 * s, x0 * s, y1 * s)


# ---------------------------------------------------------------- vocabulary (forms Mona and Reggae One hold)
CITIES = ["北京", "上海", "天津", "広州", "深圳", "杭州", "南京", "成都", "武漢", "西安", "長沙", "瀋陽", "青島", "大連", "済南", "鄭州", "合肥", "福州", "昆明", "蘭州"]
WORDS = ["恒達", "華信", "創新", "聯合", "興業", "宏遠", "金橋", "東方", "中天", "瑞豊", "鴻運", "錦程", "博遠", "安泰", "広源", "新世紀", "嘉禾", "天成"]
TRADES = ["貿易", "科技", "建設", "実業", "電子", "網絡", "機械", "環境工程", "信息技術", "商務諮詢", "建築装飾", "物流", "医薬", "文化伝媒"]
TAILS = ["有限公司", "有限責任公司", "股份有限公司"]
USES = ["合同専用章", "財務専用章", "業務専用章", "発票専用章"]
SURN = "王李張劉陳楊趙黄周呉徐孫馬朱胡郭何高林羅鄭梁謝宋唐許韓馮曹彭曾田董潘袁蔡蒋余杜葉程蘇魏呂丁任沈姚盧姜崔鍾譚陸汪范金石廖賈夏韋方白鄒孟熊秦邱江尹薛段雷侯龍史陶黎賀顧毛郝邵萬錢厳覃武戴莫孔向湯"
GIVEN = "偉芳娜敏静麗強磊軍洋勇傑娟涛明超秀霞平剛桂英華玉蘭萍紅建国志文輝鵬飛宇浩然海峰雪梅"
UNDER = ["（蓋章）", "簽章処", "年 月 日", "単位蓋章", "様本", "蓋章処"]


# ---------------------------------------------------------------- colour helpers
def srgb(x):
    x = np.clip(x, 0, 1)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)


def hue_deg(rgb):
    r, g, b = [float(v) for v in rgb]
    mx, mn = max(r, g, b), min(r, g, b)
    if mx - mn < 1e-9:
        return 0.0
    if mx == r:
        h = 60 * ((g - b) / (mx - mn))
    elif mx == g:
        h = 60 * ((b - r) / (mx - mn) + 2)
    else:
        h = 60 * ((r - g) / (mx - mn) + 4)
    return (h + 180) % 360 - 180


class Maker:
    def __init__(self, seed, outdir, index):
        self.seed, self.outdir, self.index = seed, outdir, index
        self.rng = np.random.default_rng(seed)
        self.name = "%03d" % index

    def U(self, a, b):
        return float(self.rng.uniform(a, b))

    def P(self, p):
        return bool(self.rng.random() < p)

    def pick(self, seq):
        return seq[int(self.rng.integers(len(seq)))]

    # ------------------------------------------------------------ ink
    def ink_eps(self, target_hue, off):
        """Relative densities (R, G, B) of a paste whose full layer reads target_hue over white;
        checked over a range of strengths.  Returns None when the hue leaves its band."""
        r = self.U(0.035, 0.09)
        lo, hi = 0.15, 6.0

        def hue_for(bb):
            eps = np.array([r, 1.0, bb])
            eps = eps / eps.max()
            rgb = srgb(10 ** (-eps * 1.0))
            return hue_deg(rgb)
        for _ in range(60):
            mid = math.sqrt(lo * hi)
            if hue_for(mid) > target_hue:
                hi = mid
            else:
                lo = mid
        eps = np.array([r, 1.0, math.sqrt(lo * hi)])
        eps = eps / eps.max()
        for dmax in (0.12, 0.3, 0.6, 1.0, 1.4, 1.9):
            rgb_lin = 10 ** (-eps * dmax)
            h1 = hue_deg(srgb(rgb_lin))
            h2 = hue_deg(rgb_lin)
            for h in (h1, h2):
                if not off and abs(h) > 7.0:
                    return None
                if off and abs(h) < 15.0:
                    return None
        return eps

    def make_ink(self, off):
        for _ in range(200):
            if off:
                t = self.U(22, 40) if self.P(0.5) else -self.U(22, 44)
            else:
                t = self.U(-4, 4)
            eps = self.ink_eps(t, off)
            if eps is not None:
                return eps, t
        raise RuntimeError("no ink")

    # ------------------------------------------------------------ sheet
    def run(self):
        rng = self.rng
        dpi = int(rng.choice([150, 200, 300, 400, 600], p=[0.12, 0.13, 0.5, 0.12, 0.13]))
        if os.environ.get("SEAL_SHEET_DPI"):
            dpi = int(os.environ["SEAL_SHEET_DPI"])
        self.dpi = dpi
        self.k = 2 if dpi <= 300 else 1          # render grid = k x scan
        self.g = dpi * self.k                    # render grid, px per inch
        self.s = self.g / 25.4                   # px per mm
        self.mona, self.reggae = Face(MONA), Face(REGGAE)
        self.layout()
        self.plan()
        self.paper()
        self.form_print()
        self.impressions()
        self.capture()
        self.encode_and_write()

    # ------------------------------------------------------------ layout: after nmgca-procurement's 单位申请表（个人）
    def layout(self):
        U = self.U
        tw = U(170, 178)
        x0 = (PAGE_W - tw) / 2 + U(-1.5, 1.5)
        x1 = x0 + tw
        self.rule = U(0.2, 0.5)
        self.frame = self.rule * (U(1.5, 2.0) if self.P(0.4) else 1.0)
        self.tint_strips = self.P(0.45)
        y = U(16, 22)
        self.title = ("“政府採購電子簽章”単位申請表", y + 6.5)
        y += U(11, 14)
        top = y
        hl = []   # horizontal rules (y, x0, x1, width)
        vl = []   # vertical rules (x, y0, y1, width)
        texts = []
        strips = []
        hl.append((y, x0, x1, self.frame))
        lab = U(30, 36)
        firm = self.firm_name()
        self.firm = firm
        info = [("単位名称", firm), ("申請類別", "☐新辦　☐年審　☐変更　☐補辦"), ("申請類型", "政府採購")]
        ninfo = 3 if self.P(0.5) else 2
        for i in range(ninfo):
            h = 9.0
            texts.append((info[i][0], x0 + lab / 2, y + 6.3, 3.6, "c"))
            texts.append((info[i][1], x0 + lab + 3, y + 6.3, 3.6, "l"))
            vl.append((x0 + lab, y, y + h, self.rule))
            y += h
            hl.append((y, x0, x1, self.rule))
        rows = []
        heads = [("単位公章印模採集（請蓋三次）印章不圧辺框", "official_seal", 3, U(48, 56)),
                 ("法定代表人章印模採集（請蓋三次）", "legal_rep_seal", 4 if self.P(0.45) else 3, U(34, 40)),
                 ("法定代表人簽名採集（請簽写三次）簽名不圧辺框", "signature", 3, U(38, 45))]
        self.boxes = []
        for r, (head, kind, n, h) in enumerate(heads):
            sh = 8.0
            if self.tint_strips:
                strips.append((x0, y, x1, y + sh))
            texts.append((head, (x0 + x1) / 2, y + 5.6, 3.7, "c"))
            y += sh
            hl.append((y, x0, x1, self.rule))
            bw = tw / n
            for c in range(n):
                bx0, bx1 = x0 + c * bw, x0 + (c + 1) * bw
                self.boxes.append(dict(row=r, col=c, kind=kind, x0=bx0, x1=bx1, y0=y, y1=y + h))
                if c > 0:
                    vl.append((bx0, y, y + h, self.rule))
            y += h
            hl.append((y, x0, x1, self.rule))
        dh = U(32, 40)
        texts.append(("本単位同意提交以上信息及認証資料用于CA数字証書的申請，保証所提交信息真実有効。", x0 + 3, y + 7, 3.3, "l"))
        texts.append(("申請人簽字：", x0 + 6, y + dh * 0.55, 3.6, "l"))
        texts.append(("申請日期：　　年　　月　　日", x1 - 8, y + dh - 6, 3.6, "r"))
        y += dh
        hl[-1] = (hl[-1][0], x0, x1, self.rule)
        hl.append((y, x0, x1, self.frame))
        vl.append((x0, top, y, self.frame))
        vl.append((x1, top, y, self.frame))
        texts.append(("注：印章須清晰完整，不得圧線；簽名須本人親筆簽写。", x0, y + 6, 3.2, "l"))
        self.hl, self.vl, self.texts, self.strips = hl, vl, texts, strips
        # inner edges of each box: the rules' inner edges
        for b in self.boxes:
            wl = self.frame if abs(b["x0"] - x0) < 1e-6 else self.rule
            wr = self.frame if abs(b["x1"] - x1) < 1e-6 else self.rule
            b["in"] = (b["x0"] + wl / 2, b["y0"] + self.rule / 2, b["x1"] - wr / 2, b["y1"] - self.rule / 2)
        self.table = (x0, top, x1, y)

    def firm_name(self):
        for _ in range(50):
            n = self.pick(CITIES) + ("市" if self.P(0.6) else "") + self.pick(WORDS) + self.pick(TRADES) + self.pick(TAILS)
            if self.mona.has(n):
                return n
        return self.pick(CITIES) + ("市" if self.P(0.6) else "") + self.pick(WORDS) + self.pick(TRADES) + self.pick(TAILS)

    # ------------------------------------------------------------ what each box gets
    def plan(self):
        P, U = self.P, self.U
        self.tinted = self.P(0.04)
        self.paper_tint = None
        for b in self.boxes:
            b["defects"], b["borderline"] = [], []
            d = b["defects"]
            kind = b["kind"]
            b["stain"] = False
            b["under"] = None
            if kind == "signature":
                b["empty"] = P(0.05)
                if not b["empty"]:
                    if P(0.12):
                        b["push"] = True
                    b["pale"] = P(0.07)
                b["stain"] = P(0.04)
                continue
            b["empty"] = P(0.08)
            if b["empty"]:
                b["stain"] = P(0.12)
                continue
            picks = []
            if P(0.62):
                w = {"double": 15, "smudged": 14, "broken": 13, "pale": 11, "off_color": 10, "tilted": 11,
                     "push": 9, "stain": 9, "under": 12}
                keys = list(w)
                pr = np.array([w[k] for k in keys], float)
                first = keys[int(self.rng.choice(len(keys), p=pr / pr.sum()))]
                picks.append(first)
                if P(0.2):
                    sec = self.pick(["tilted", "stain", "under", "push", "double", "pale"])
                    bad = {("double", "smudged"), ("smudged", "double"), ("double", "broken"), ("broken", "double"),
                           ("pale", "off_color"), ("off_color", "pale")}
                    if sec != first and (first, sec) not in bad:
                        picks.append(sec)
            if "under" in picks and "push" in picks:
                picks.remove("push")   # the print stays under the face
            b["picks"] = picks
            b["stain"] = "stain" in picks
            if "under" in picks:
                b["under"] = self.pick(UNDER)

    # ------------------------------------------------------------ paper: a blade-coated (zinc-oxide) sheet
    def paper(self):
        U, rng = self.U, self.rng
        step = 0.1
        nx, ny = int(PAGE_W / step), int(PAGE_H / step)
        ky = np.fft.fftfreq(ny, d=step)[:, None]
        kx = np.fft.rfftfreq(nx, d=step)[None, :]
        k = np.sqrt(kx ** 2 + ky ** 2)
        lev = U(0.35, 0.9)  # levelling length, mm
        noise = rng.standard_normal((ny, nx)).astype(np.float32)
        f = np.fft.rfft2(noise) * np.exp(-(2 * np.pi * k * lev) ** 4 / 8.0) / (1 + 0.05 / np.maximum(k, 1e-3))
        mott = np.fft.irfft2(f, s=(ny, nx)).astype(np.float32)
        mott /= mott.std() + 1e-9
        # blade streaks along the coating direction (down the sheet), levelled across
        st = rng.standard_normal(nx)
        kk = np.fft.rfftfreq(nx, d=step)
        st = np.fft.irfft(np.fft.rfft(st) * np.exp(-(2 * np.pi * kk * U(0.2, 0.5)) ** 4 / 8.0), n=nx)
        st = (st / (st.std() + 1e-9)).astype(np.float32)
        amp_m, amp_s = U(0.004, 0.011), U(0.001, 0.004)
        field = 1 + amp_m * mott + amp_s * st[None, :]
        # pinholes: the coating missed, the darker base shows
        n = int(rng.poisson(U(60, 220)))
        ys, xs = rng.integers(0, ny, n), rng.integers(0, nx, n)
        field[ys, xs] *= (1 - rng.uniform(0.03, 0.09, n)).astype(np.float32)
        self.paper_meta = dict(levelling_mm=round(lev, 3), mottle=round(amp_m, 4), streaks=round(amp_s, 4), pinholes=n)
        white = U(0.86, 0.9)
        tint = np.array([U(0.995, 1.0), U(0.995, 1.0), U(0.99, 1.0)]) * white
        if self.tinted:
            hues = {"buff": (0.25, 0.45, 1.0), "pink": (0.1, 1.0, 0.6), "blue": (1.0, 0.45, 0.15), "green": (0.8, 0.3, 0.9), "yellow": (0.05, 0.2, 1.0)}
            nm = self.pick(sorted(hues))
            dmax = U(0.07, 0.18)
            tint = tint * 10 ** (-dmax * np.array(hues[nm]))
            self.paper_tint = nm
        # up to the render grid
        H, W = int(round(PAGE_H * self.s)), int(round(PAGE_W * self.s))
        self.H, self.W = H, W
        zy, zx = H / ny, W / nx
        up = ndimage.zoom(field, (zy, zx), order=1)[:H, :W]
        if up.shape != (H, W):
            up = np.pad(up, ((0, H - up.shape[0]), (0, W - up.shape[1])), mode="edge")
        self.refl = [up * np.float32(tint[c]) for c in range(3)]

    # ------------------------------------------------------------ the form: an electrofax copy
    def form_cmds(self, extra_under, s):
        cmds = ["F n"]
        for (y, a, b, w) in self.hl:
            cmds.append(rect_cmd(a - w / 2, y - w / 2, b + w / 2, y + w / 2, s))
        for (x, a, b, w) in self.vl:
            cmds.append(rect_cmd(x - w / 2, a - w / 2, x + w / 2, b + w / 2, s))
        title, ty = self.title
        text_line(self.reggae if self.P(0.5) else self.mona, title, PAGE_W / 2, ty, 6.2, s, cmds, "c")
        for (t, x, y, size, an) in self.texts:
            text_line(self.mona, t, x, y, size, s, cmds, an)
        for (t, x, y, size) in extra_under:
            text_line(self.mona, t, x, y, size, s, cmds, "c")
        return cmds

    def form_print(self):
        U, rng = self.U, self.rng
        s = self.s
        under = []
        for b in self.boxes:
            if b["under"]:
                cx, cy = (b["x0"] + b["x1"]) / 2, (b["y0"] + b["y1"]) / 2
                size = U(3.8, 5.0)
                under.append((b["under"], cx + U(-3, 3), cy + size * 0.35 + U(-3, 3), size))
        sup = 2 if self.g < 500 else 1   # the form at the render grid (supersampled under 500 px an inch)
        F = block_mean(plot(self.form_cmds(under, sup * s), self.W * sup, self.H * sup), sup)
        # fringe field: a charged area develops toner at its edges, solids thin inside
        q = 4
        Fs = block_mean(F, q)
        sig = U(0.5, 1.0) * s / q
        blur = ndimage.zoom(ndimage.gaussian_filter(Fs, sig), q, order=1)
        blur = np.pad(blur, ((0, self.H - blur.shape[0]), (0, self.W - blur.shape[1])), mode="edge")[:self.H, :self.W]
        hp = np.clip(F - blur, 0, 1)
        a0, a1 = U(0.62, 0.8), U(0.5, 0.9)
        T = np.clip(F * (a0 + a1 * hp), 0, 1)
        del blur, hp
        # tint strips: a faint uniform charge, its edges developed more
        if self.strips:
            St = np.zeros((self.H, self.W), np.float32)
            for (a, b, c, d) in self.strips:
                St[int(b * s):int(d * s), int(a * s):int(c * s)] = 1
            Ss = block_mean(St, q)
            bl = ndimage.zoom(ndimage.gaussian_filter(Ss, sig), q, order=1)
            bl = np.pad(bl, ((0, self.H - bl.shape[0]), (0, self.W - bl.shape[1])), mode="edge")[:self.H, :self.W]
            tl = U(0.09, 0.17)
            T = np.maximum(T, St * tl * (0.7 + 1.4 * np.clip(St - bl, 0, 1)))
            del St, bl
        # liquid toner spreads a little; background fog specks
        T = ndimage.gaussian_filter(T, U(0.015, 0.035) * s).astype(np.float32)
        n = int(rng.poisson(U(300, 1500)))
        ys, xs = rng.integers(0, self.H, n), rng.integers(0, self.W, n)
        T[ys, xs] = np.maximum(T[ys, xs], rng.uniform(0.2, 0.7, n).astype(np.float32))
        tr = np.array([U(0.06, 0.09), U(0.055, 0.08), U(0.05, 0.075)])
        for c in range(3):
            self.refl[c] *= (1 - T * np.float32(1 - tr[c]))
        self.print_meta = dict(edge_gain=round(a1, 3), solid=round(a0, 3), toner=[round(float(v), 3) for v in tr])

    # ------------------------------------------------------------ seals and signatures
    def seal_round(self):
        U, P = self.U, self.P
        D = U(38.5, 44.5)
        ring = U(0.9, 1.5)
        name = self.firm
        face = self.reggae if P(0.25) and self.reggae.has(name) else self.mona
        span = math.radians(U(205, 250))
        use = self.pick(USES) if P(0.35) else None
        code = "".join(str(int(self.rng.integers(10))) for _ in range(13)) if P(0.45) else None
        ch = D * U(0.15, 0.18)
        sq = U(0.62, 0.8)
        star = D / 2 * U(0.28, 0.33)
        inner = P(0.15)
        return dict(shape="round", D=D, ring=ring, face=face, name=name, span=span, use=use, code=code,
                    ch=ch, sq=sq, star=star, inner=inner)

    def seal_square(self):
        U, P = self.U, self.P
        if P(0.55):
            w = h = U(15.5, 21.5)
        else:
            L = U(17.5, 22.5)
            r = U(1.25, 1.5)
            w, h = (L, L / r) if P(0.5) else (L / r, L)
        sur = self.pick(SURN)
        giv = "".join(self.pick(GIVEN) for _ in range(1 if self.P(0.45) else 2))
        nm = sur + giv
        chars = nm + ("之印" if len(nm) == 2 and P(0.6) else "印" if len(nm) == 3 else "印信")
        self.rep = nm
        return dict(shape="square", w=w, h=h, frame=U(0.6, 1.1), yin=P(0.25), chars=chars,
                    face=self.reggae if P(0.3) and self.reggae.has(chars) else self.mona)

    def seal_cmds(self, seal, cx, cy, rot, s):
        """Commands for one pressing, in pixels of s per mm; (cx, cy) mm in the crop."""
        co, si = math.cos(rot), math.sin(rot)

        def T(x, y):
            return (cx + co * x - si * y) * s, (cy + si * x + co * y) * s
        out = ["F n"]
        if seal["shape"] == "round":
            R = seal["D"] / 2
            X, Y = T(0, 0)
            out.append("O %.2f %.2f %.2f %.2f" % (X, Y, (R - seal["ring"] / 2) * s, seal["ring"] * s))
            if seal["inner"]:
                out.append("O %.2f %.2f %.2f %.2f" % (X, Y, (R - seal["ring"] - 0.9) * s, 0.3 * s))
            pts = []
            for i in range(10):
                rr = seal["star"] if i % 2 == 0 else seal["star"] * 0.382
                a = -math.pi / 2 + i * math.pi / 5
                pts.append(T(rr * math.cos(a), rr * math.sin(a) - R * 0.02))
            out.append("M " + " L ".join("%.2f %.2f" % p for p in pts) + " Z E")
            name, face = seal["name"], seal["face"]
            n = len(name)
            rt = R - seal["ring"] - 0.6 - seal["ch"] / 2
            span = seal["span"]
            cw = min(seal["ch"] * seal["sq"], span * rt / n * 0.92)
            for i, c in enumerate(name):
                al = -span / 2 + span * (i + 0.5) / n
                px, py = rt * math.sin(al), -rt * math.cos(al)
                x, y = T(px, py)
                face.glyph(c, cell_matrix(face, c, x / s, y / s, cw, seal["ch"], al + rot, s), out)
            if seal["use"]:
                u = seal["use"]
                hh = R * 0.2
                ww = min(R * 1.0 / len(u), hh * 0.9)
                for i, c in enumerate(u):
                    x, y = T((i - (len(u) - 1) / 2) * ww * 1.05, R * 0.5)
                    face.glyph(c, cell_matrix(face, c, x / s, y / s, ww * 0.95, hh, rot, s), out)
            if seal["code"]:
                cd = seal["code"]
                hh = R * 0.1
                rc = R - seal["ring"] - 0.5 - hh / 2
                spn = math.radians(95)
                for i, c in enumerate(cd):
                    al = math.pi + spn / 2 - spn * (i + 0.5) / len(cd)
                    px, py = rc * math.sin(al), -rc * math.cos(al)
                    x, y = T(px, py)
                    self.mona.glyph(c, cell_matrix(self.mona, c, x / s, y / s, hh * 0.55, hh, al + math.pi + rot, s), out)
            return [out]
        w, h, fr = seal["w"], seal["h"], seal["frame"]
        corners = [T(-w / 2, -h / 2), T(w / 2, -h / 2), T(w / 2, h / 2), T(-w / 2, h / 2)]
        chars, face = seal["chars"], seal["face"]
        gl = []
        pad = fr + 0.5
        iw, ih = w - 2 * pad, h - 2 * pad
        cells = []
        if len(chars) == 4:
            for i, c in enumerate(chars):
                col, row = i // 2, i % 2  # right to left columns
                cells.append((c, iw / 4 - col * iw / 2, -ih / 4 + row * ih / 2, iw / 2, ih / 2))
        else:  # three: 印 fills the left column
            cells = [(chars[0], iw / 4, -ih / 4, iw / 2, ih / 2), (chars[1], iw / 4, ih / 4, iw / 2, ih / 2),
                     (chars[2], -iw / 4, 0, iw / 2, ih)]
        for (c, x, y, cw, chh) in cells:
            X, Y = T(x, y)
            face.glyph(c, cell_matrix(face, c, X / s, Y / s, cw * 0.9, chh * 0.9, rot, s), gl)
        rect = "M " + " L ".join("%.2f %.2f" % p for p in corners) + " Z E"
        if not seal["yin"]:
            inner = [T(-w / 2 + fr, -h / 2 + fr), T(w / 2 - fr, -h / 2 + fr), T(w / 2 - fr, h / 2 - fr), T(-w / 2 + fr, h / 2 - fr)]
            frame = "F e\nM " + " L ".join("%.2f %.2f" % p for p in corners) + " Z M " + \
                " L ".join("%.2f %.2f" % p for p in inner) + " Z E\nF n"
            return [out + [frame] + gl]
        # 阴文: the face's field with the characters cut out (two renders, subtracted)
        return [out + [rect], ["F n"] + gl]

    def signature_cmds(self, cx, cy, s, pen):
        U = self.U
        out = []
        n = len(self.rep)
        h = U(8, 11)
        slant = math.radians(U(6, 18))
        adv = h * U(0.85, 1.0)
        x = cx - adv * n / 2
        prev = None
        for i in range(n):
            strokes = int(self.rng.integers(4, 8))
            for j in range(strokes):
                kind = self.pick(["h", "v", "p", "n", "d", "z"])
                x0, y0 = x + U(0.1, 0.8) * adv, cy + U(-0.45, 0.4) * h
                L = U(0.25, 0.6) * h
                if kind == "h":
                    pts = [(x0 - L / 2, y0), (x0 + L / 2, y0 - L * 0.08)]
                elif kind == "v":
                    pts = [(x0, y0 - L / 2), (x0, y0 + L / 2)]
                elif kind == "p":
                    pts = [(x0 + L * 0.2, y0 - L / 2), (x0, y0), (x0 - L * 0.4, y0 + L / 2)]
                elif kind == "n":
                    pts = [(x0 - L * 0.2, y0 - L / 2), (x0 + L * 0.1, y0), (x0 + L * 0.5, y0 + L / 2)]
                elif kind == "d":
                    pts = [(x0, y0), (x0 + L * 0.2, y0 + L * 0.25)]
                else:
                    pts = [(x0 - L / 2, y0 - L / 3), (x0 + L / 2, y0 - L / 3), (x0 + L * 0.35, y0 + L / 2)]
                m = 8
                dense = []
                for a, b in zip(pts[:-1], pts[1:]):
                    for t in np.linspace(0, 1, m, endpoint=False):
                        dense.append((a[0] + (b[0] - a[0]) * t + U(-0.12, 0.12), a[1] + (b[1] - a[1]) * t + U(-0.12, 0.12)))
                dense.append(pts[-1])
                if prev is not None and self.P(0.35):
                    dense = [prev] + dense
                dense = [(px - (py - cy) * math.tan(slant), py) for px, py in dense]
                prev = dense[-1]
                out.append("K %.2f %d " % (pen * U(0.8, 1.1) * s, len(dense)) +
                           " ".join("%.2f %.2f" % (px * s, py * s) for px, py in dense))
            x += adv
        fx = [(x - adv * 0.3 + t * U(6, 9), cy + h * 0.3 - math.sin(t * math.pi) * h * 0.35) for t in np.linspace(0, 1, 12)]
        out.append("K %.2f %d " % (pen * 0.8 * s, len(fx)) + " ".join("%.2f %.2f" % (px * s, py * s) for px, py in fx))
        return out

    def render_cov(self, cmds_list, wpx, hpx):
        """Coverage at the render grid of a crop: 2x supersampled libplot bitmaps, averaged."""
        cov = None
        for i, cmds in enumerate(cmds_list):
            a = block_mean(plot(cmds, wpx * 2, hpx * 2), 2)
            cov = a if cov is None else np.clip(cov - a, 0, 1)
        return cov

    def impressions(self):
        U, P, rng = self.U, self.P, self.rng
        s = self.s
        self.round = self.seal_round()
        self.square = self.seal_square()
        pens = {"blue": np.array([1.0, 0.72, 0.12]), "black": np.array([1.0, 0.98, 0.93]), "blueblack": np.array([1.0, 0.85, 0.45])}
        self.pen_name = self.pick(sorted(pens))
        pen_eps = pens[self.pen_name]
        pen_w = U(0.35, 0.6)
        vehicle_pen = False
        red_eps, red_h = self.make_ink(False)
        # the paper's coating decides how the vehicle soaks in
        self.ell = U(0.03, 0.06)        # light's scattering depth in the coating, mm
        for b in self.boxes:
            kind = b["kind"]
            mg = 6.0
            cx0, cy0 = b["x0"] - mg, b["y0"] - mg
            cw, chh = (b["x1"] - b["x0"]) + 2 * mg, (b["y1"] - b["y0"]) + 2 * mg
            ox, oy = int(math.floor(cx0 * s)), int(math.floor(cy0 * s))
            wpx, hpx = int(math.ceil(cw * s)) + 2, int(math.ceil(chh * s)) + 2
            b["crop"] = (ox, oy, wpx, hpx)
            if b["stain"] or self.tinted:
                if "bg_not_white" not in b["defects"]:
                    b["defects"].append("bg_not_white")
            if b["stain"]:
                self.stain(b)
            if b["empty"]:
                b["defects"].insert(0, "empty")
                b["cov"] = None
                continue
            picks = b.get("picks", [])
            inx0, iny0, inx1, iny1 = b["in"]
            bcx, bcy = (inx0 + inx1) / 2 - ox / s, (iny0 + iny1) / 2 - oy / s
            if kind == "signature":
                pale = b.get("pale")
                A = U(0.3, 0.62) if pale else U(0.84, 0.94)
                if pale:
                    b["defects"].append("pale")
                dx, dy = U(-3, 3), U(-2, 2)
                cmds = self.signature_cmds(bcx + dx, bcy + dy, s * 2, pen_w)
                cov = self.render_cov([cmds], wpx, hpx)
                if b.get("push"):
                    # moved so its ink (as rendered) passes the chosen rule's inner edge by 1.2-3.5 mm
                    ys, xs = np.nonzero(cov >= 0.5)
                    side = self.pick(["l", "r", "t", "b"])
                    over = U(1.2, 3.5)
                    if side == "l":
                        sx, sy = (inx0 - over) - (xs.min() + ox) / s, 0.0
                    elif side == "r":
                        sx, sy = (inx1 + over) - (xs.max() + 1 + ox) / s, 0.0
                    elif side == "t":
                        sx, sy = 0.0, (iny0 - over) - (ys.min() + oy) / s
                    else:
                        sx, sy = 0.0, (iny1 + over) - (ys.max() + 1 + oy) / s
                    px_, py_ = int(round(sx * s)), int(round(sy * s))
                    sh = np.zeros_like(cov)
                    h_, w_ = cov.shape
                    sh[max(py_, 0):h_ + min(py_, 0), max(px_, 0):w_ + min(px_, 0)] = \
                        cov[max(-py_, 0):h_ + min(-py_, 0), max(-px_, 0):w_ + min(-px_, 0)]
                    cov = sh
                m = cov * np.float32(1.0)
                b["cov"] = cov
                b["absorbed"] = round(A, 3)
                b["pen"] = self.pen_name
                self.lay_ink(b, m, pen_eps, A, vehicle=vehicle_pen)
                self.reach(b, cov, None)
                continue
            seal = self.round if kind == "official_seal" else self.square
            tilt = U(10, 30) * (1 if P(0.5) else -1) if "tilted" in picks else U(-2.5, 2.5)
            if "tilted" in picks:
                b["defects"].append("tilted")
            b["tilt_deg"] = round(tilt, 2)
            rot = math.radians(tilt)
            ext = seal["D"] / 2 if seal["shape"] == "round" else 0.5 * (abs(seal["w"] * math.cos(rot)) + abs(seal["h"] * math.sin(rot)))
            exty = seal["D"] / 2 if seal["shape"] == "round" else 0.5 * (abs(seal["w"] * math.sin(rot)) + abs(seal["h"] * math.cos(rot)))
            dx, dy = U(-2, 2), U(-2, 2)
            if "push" in picks:
                side = self.pick(["l", "r", "t", "b"])
                over = U(1.2, 3.5)
                if side == "l":
                    dx = -((inx1 - inx0) / 2 - ext) - over
                elif side == "r":
                    dx = ((inx1 - inx0) / 2 - ext) + over
                elif side == "t":
                    dy = -((iny1 - iny0) / 2 - exty) - over
                else:
                    dy = ((iny1 - iny0) / 2 - exty) + over
            pc = (bcx + dx, bcy + dy)
            cov = self.render_cov(self.seal_cmds(seal, pc[0], pc[1], rot, s * 2), wpx, hpx)
            off = "off_color" in picks
            if off:
                eps, hh = self.make_ink(True)
                b["defects"].append("off_color")
            else:
                eps, hh = red_eps, red_h
            b["hue_deg"] = round(hh, 1)
            pale = "pale" in picks
            A = U(0.25, 0.65) if pale else U(0.86, 0.95)
            if pale:
                b["defects"].append("pale")
            b["absorbed"] = round(A, 3)
            # the pad's load: mottle and the hand's plane
            yy, xx = np.mgrid[0:hpx, 0:wpx].astype(np.float32)
            mot = ndimage.gaussian_filter(rng.standard_normal((hpx // 8 + 2, wpx // 8 + 2)).astype(np.float32), U(0.8, 2.0) * s / 8)
            mot = ndimage.zoom(mot / (mot.std() + 1e-9), 8, order=1)[:hpx, :wpx]
            pl = U(-0.006, 0.006) / s
            load = 1 + U(0.05, 0.12) * mot + pl * (xx - wpx / 2) + U(-0.006, 0.006) / s * (yy - hpx / 2)
            m = cov * load.astype(np.float32)
            union = cov.copy()
            faces = [cov]
            if "double" in picks:
                d = U(0.8, 2.5)
                ang = U(0, 2 * math.pi)
                rot2 = rot + math.radians(U(-1.5, 1.5))
                cov2 = self.render_cov(self.seal_cmds(seal, pc[0] + d * math.cos(ang), pc[1] + d * math.sin(ang), rot2, s * 2), wpx, hpx)
                m = m + cov2 * np.float32(U(0.5, 0.9))
                union = np.maximum(union, cov2)
                faces.append(cov2)
                b["defects"].append("double")
                b["double_offset_mm"] = round(d, 2)
            if "smudged" in picks:
                d = U(0.75, 1.35)
                ang = U(0, 2 * math.pi)
                steps = max(2, int(d * s))
                first = U(0.55, 0.7)
                end = U(0.25, 0.5)
                acc = m * np.float32(first)
                un = union.copy()
                for i in range(1, steps + 1):
                    t = i / steps
                    sh = (t * d * math.sin(ang) * s, t * d * math.cos(ang) * s)
                    wgt = (1 - first) * (1 - (1 - end) * t) / steps * 2.2
                    cm = ndimage.shift(m, sh, order=1, prefilter=False)
                    acc += cm * np.float32(wgt)
                    un = np.maximum(un, ndimage.shift(union, sh, order=1, prefilter=False))
                m = acc
                union = un
                faces = [un]
                b["defects"].append("smudged")
                b["smear_mm"] = round(d, 2)
            uncut = union.copy()
            if "broken" in picks:
                frac = U(0.16, 0.32)
                ang = U(0, 2 * math.pi)
                nx, ny = math.cos(ang), math.sin(ang)
                # the ink's extent along the direction
                ys_, xs_ = np.nonzero(union > 0.5)
                proj = (xs_ * nx + ys_ * ny)
                lo, hi = proj.min(), proj.max()
                cut = hi - frac * (hi - lo)
                pr = xx * nx + yy * ny
                wav = ndimage.zoom(ndimage.gaussian_filter(rng.standard_normal((hpx // 8 + 2, wpx // 8 + 2)).astype(np.float32), 2.0), 8, order=1)[:hpx, :wpx]
                wav = wav / (wav.std() + 1e-9) * 0.35 * s
                fade = 0.4 * s
                keep = np.clip((cut + wav - pr) / fade + 0.5, 0, 1).astype(np.float32)
                m = m * keep
                union = union * keep
                b["defects"].append("broken")
                b["broken_depth"] = round(frac, 3)
            if "text_under" not in b["defects"] and b["under"]:
                b["defects"].append("text_under")
            b["cov"] = union
            self.lay_ink(b, np.minimum(m, 1.8), eps, A, vehicle=True)
            self.reach(b, union, uncut if "broken" in picks else None)
            if seal["shape"] == "round":
                b["diameter_mm"] = round(seal["D"], 2)
            else:
                b["size_mm"] = [round(seal["w"], 2), round(seal["h"], 2)]
        self.red = dict(hue_deg=round(red_h, 1))

    def lay_ink(self, b, m, eps, A, vehicle):
        """Lucas-Washburn imbibition: a share fs of the dye stays on the coating; the rest is carried
        into the sheet with the vehicle (depth z) and sideways (radius rw ~ sqrt(t)), seen through the
        coating's scattering depth ell.  Densities scaled so a full layer absorbs A in its strongest channel."""
        U = self.U
        s = self.s
        ox, oy, wpx, hpx = b["crop"]
        fs = U(0.55, 0.85)
        z = U(0.02, 0.08)
        w = self.ell / z * (1 - math.exp(-z / self.ell))
        rw = U(0.015, 0.05)
        sub = ndimage.gaussian_filter(m, rw * s)
        eff = (fs * m + w * (1 - fs) * sub) / (fs + w * (1 - fs))
        Dmax = -math.log10(1 - A)
        y0, x0 = max(oy, 0), max(ox, 0)
        y1, x1 = min(oy + hpx, self.H), min(ox + wpx, self.W)
        sl = (slice(y0 - oy, y1 - oy), slice(x0 - ox, x1 - ox))
        e = eff[sl]
        for c in range(3):
            self.refl[c][y0:y1, x0:x1] *= np.power(np.float32(10.0), -np.float32(Dmax * eps[c]) * e)
        if vehicle:
            # the oil halo: the wetted coating turns a little translucent round the strokes
            halo = np.clip(ndimage.gaussian_filter(m, U(0.05, 0.12) * s) - m, 0, 1)[sl]
            k = np.float32(U(0.01, 0.03))
            for c in range(3):
                self.refl[c][y0:y1, x0:x1] *= (1 - k * halo)
        b["ink"] = dict(surface_share=round(fs, 3), depth_mm=round(z, 3), wick_mm=round(rw, 3))

    def stain(self, b):
        U, rng = self.U, self.rng
        s = self.s
        ix0, iy0, ix1, iy1 = b["in"]
        mg = 2.0
        cx, cy = U(ix0 + 8, ix1 - 8), U(iy0 + 8, iy1 - 8)
        area = (ix1 - ix0) * (iy1 - iy0) * U(0.25, 0.6)
        asp = U(0.6, 1.6)
        ra = math.sqrt(area / math.pi * asp)
        rb = area / math.pi / ra
        x0, y0 = int((ix0 + mg) * s), int((iy0 + mg) * s)
        x1, y1 = int((ix1 - mg) * s), int((iy1 - mg) * s)
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        th = U(0, math.pi)
        dx, dy = xx / s - cx, yy / s - cy
        u = (dx * math.cos(th) + dy * math.sin(th)) / ra
        v = (-dx * math.sin(th) + dy * math.cos(th)) / rb
        r = np.sqrt(u * u + v * v)
        nz = ndimage.zoom(ndimage.gaussian_filter(rng.standard_normal(((y1 - y0) // 16 + 2, (x1 - x0) // 16 + 2)).astype(np.float32), 1.5), 16, order=1)[:y1 - y0, :x1 - x0]
        nz = nz / (nz.std() + 1e-9)
        edge = 1 + 0.12 * nz
        inside = np.clip((edge - r) * ra * s / (0.3 * s), 0, 1)
        tide = np.exp(-((r - edge) * ra / 0.5) ** 2) * 0.8
        kinds = {"tea": (0.25, 0.55, 1.0), "coffee": (0.4, 0.65, 1.0), "rust": (0.15, 0.6, 1.0), "grey": (0.9, 0.95, 1.0)}
        nm = self.pick(sorted(kinds))
        dmax = U(0.09, 0.2)
        dens = (inside * (0.8 + 0.2 * nz.clip(-1, 1)) + tide * inside.max()) * dmax
        # faded out towards the rules (margin 2 mm kept clear already)
        for c in range(3):
            self.refl[c][y0:y1, x0:x1] *= np.power(np.float32(10.0), -np.float32(kinds[nm][c]) * dens.astype(np.float32))
        b["stain_kind"] = nm

    def reach(self, b, cov, uncut):
        """How far the ink (coverage >= 0.5) reaches past the inner edge of the box's rules, mm."""
        s = self.s
        ox, oy, wpx, hpx = b["crop"]
        ix0, iy0, ix1, iy1 = b["in"]

        def r_of(c):
            ys, xs = np.nonzero(c >= 0.5)
            if len(xs) == 0:
                return -99.0
            half = 0.5 / s
            X = (xs + ox + 0.5) / s
            Y = (ys + oy + 0.5) / s
            sd = np.maximum.reduce([ix0 - (X - half), (X + half) - ix1, iy0 - (Y - half), (Y + half) - iy1])
            return float(sd.max())
        r = r_of(cov)
        b["reach_mm"] = round(r, 3)
        if r > 0.3:
            if "overlap_line" not in b["defects"]:
                b["defects"].append("overlap_line")
        elif r >= -0.3:
            b["borderline"].append("overlap_line")
        elif uncut is not None and r_of(uncut) >= -0.3:
            b["borderline"].append("overlap_line")

    # ------------------------------------------------------------ capture: a V-cradle book scanner
    def capture(self):
        U, P, rng = self.U, self.P, self.rng
        s, dpi = self.s, self.dpi
        # the gutter curl at the binder's (left) edge
        cw = U(6, 16)
        phi0 = math.radians(U(25, 55))
        sgrid = np.linspace(0, PAGE_W, 4201)
        phi = phi0 * np.exp(-sgrid / (cw / 3))
        ds = sgrid[1] - sgrid[0]
        xo = np.concatenate([[0], np.cumsum(np.cos(phi[:-1]) * ds)])
        zz = np.concatenate([[0], np.cumsum(np.sin(phi[:-1]) * ds)])
        zz = zz[-1] - zz                      # height above the plate: highest at the gutter
        xo = xo + (PAGE_W - xo[-1])           # the plate's side edge holds the outer edge in place
        shade = np.cos(phi) ** U(0.8, 1.4)
        self.curl = dict(width_mm=round(cw, 2), angle_deg=round(math.degrees(phi0), 1))
        # placement against the cradle's guide
        th = math.radians(U(-0.4, 0.4) if P(0.4) else U(0.5, 2.5) * (1 if P(0.5) else -1))
        self.skew = math.degrees(th)
        tx, ty = U(-1.2, 1.2), U(-1.2, 1.2)
        self.geo = (th, tx, ty, sgrid, xo, zz, shade)
        Wo, Ho = int(round(PAGE_W / 25.4 * dpi)), int(round(PAGE_H / 25.4 * dpi))
        self.Wo, self.Ho = Wo, Ho
        # holes of the ring binder
        holes = []
        if P(0.7):
            hx = U(9, 12)
            for hy in (PAGE_H / 2 - 40, PAGE_H / 2 + 40):
                holes.append((hx, hy + U(-0.5, 0.5), U(2.75, 3.0)))
        # optics at the render grid: pixel aperture (k x k), lens blur, more blur up the curl
        sig0 = U(0.02, 0.045)
        felt = np.array([U(0.03, 0.06), U(0.03, 0.055), U(0.035, 0.065)])
        jit = [(U(-0.05, 0.05), U(-0.05, 0.05)) for _ in range(3)]
        jit[1] = (0.0, 0.0)
        self.flash = [[round(a, 3), round(b_, 3)] for a, b_ in jit]
        zmax_col = np.interp((np.arange(self.W) + 0.5) / s, sgrid, zz)
        ncurl = int(np.searchsorted(-zmax_col, -0.15))  # columns still lifted > 0.15 mm
        rows_o = np.arange(Ho, dtype=np.float32)
        out = []
        cross = np.eye(3) + rng.uniform(0.01, 0.04, (3, 3)) * (1 - np.eye(3))
        cross = cross / cross.sum(axis=1, keepdims=True)
        corr = np.linalg.inv(cross) @ (np.eye(3) + rng.uniform(-0.008, 0.008, (3, 3)))
        fw = U(12000, 30000)
        rd = U(0.0006, 0.0015)
        self.maps = {}
        chans = []
        for c in range(3):
            img = self.refl[c]
            if self.k > 1:
                img = ndimage.uniform_filter(img, self.k, mode="nearest")
            img = ndimage.gaussian_filter(img, sig0 * s, mode="nearest")
            if ncurl > 2:
                nc = min(ncurl + int(2 * s), self.W)
                strip = img[:, :nc]
                more = ndimage.gaussian_filter(strip, (U(0.5, 0.8) * zz.max() / 3 + 0.01) * s, mode="nearest")
                wgt = np.clip(zmax_col[:nc] / max(zz.max(), 1e-6), 0, 1).astype(np.float32)
                img = img.copy()
                img[:, :nc] = strip * (1 - wgt) + more * wgt
            self.refl[c] = None
            chans.append(img.astype(np.float32))
        for c in range(3):
            X, Y, inside = self.inverse_map(jit[c], np.arange(Wo, dtype=np.float32), rows_o, holes)
            v = ndimage.map_coordinates(chans[c], [Y * s - 0.5, X * s - 0.5], order=1, mode="nearest").astype(np.float32)
            sh = np.interp(X, sgrid, shade).astype(np.float32)
            v = np.where(inside, v * sh, np.float32(felt[c]))
            out.append(v.reshape(Ho, Wo))
            if c == 1:
                self.green_XY = (X.reshape(Ho, Wo), Y.reshape(Ho, Wo))
            del X, Y, inside
        del chans
        rec = [sum(cross[c, j] * out[j] for j in range(3)) for c in range(3)]
        del out
        # flat field residual, flash energy, shot and read noise, 12 bits
        yy = np.linspace(-1, 1, Ho, dtype=np.float32)[:, None]
        xx = np.linspace(-1, 1, Wo, dtype=np.float32)[None, :]
        ff = 1 + U(-0.006, 0.006) * xx + U(-0.006, 0.006) * yy + U(0, 0.008) * (xx * xx + yy * yy)
        for c in range(3):
            sig = np.clip(rec[c] * ff * np.float32(1 + U(-0.004, 0.004)), 0, 1.2)
            e = rng.poisson(sig * fw).astype(np.float32) / np.float32(fw)
            e += rng.standard_normal(e.shape).astype(np.float32) * np.float32(rd)
            rec[c] = np.round(np.clip(e, 0, 1) * 4095) / 4095
        lin = [sum(np.float32(corr[c, j]) * rec[j] for j in range(3)) for c in range(3)]
        del rec
        luma = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
        sub = luma[::4, ::4]
        white = float(np.percentile(sub, 99))
        gain = U(0.95, 1.0) / max(white, 1e-3)
        rgb = np.stack([srgb(np.clip(l * np.float32(gain), 0, 1)).astype(np.float32) for l in lin], axis=-1)
        del lin, luma
        # the software's sharpening on luma
        Y = rgb.mean(axis=-1)
        bl = ndimage.gaussian_filter(Y, U(0.6, 1.2))
        amt = np.float32(U(0.2, 0.55))
        rgb += (amt * (Y - bl))[..., None]
        self.rgb8 = np.clip(np.round(rgb * 255), 0, 255).astype(np.uint8)
        self.capture_meta = dict(curl=self.curl, holes=len(holes), lens_sigma_mm=round(sig0, 3), flash_shift_mm=self.flash,
                                 full_well=int(fw), gain=round(gain, 3))

    def inverse_map(self, jit, cols, rows, holes):
        """Output pixel centres -> page mm (s, y) and whether the page is there."""
        th, tx, ty, sgrid, xo, zz, shade = self.geo
        dpi = self.dpi
        u = ((cols + 0.5) * 25.4 / dpi)[None, :]
        v = ((rows + 0.5) * 25.4 / dpi)[:, None]
        cx, cy = PAGE_W / 2, PAGE_H / 2
        du, dv = u - cx - tx - jit[0], v - cy - ty - jit[1]
        co, si = math.cos(th), math.sin(th)
        qx = co * du + si * dv + cx
        qy = -si * du + co * dv + cy
        X = np.interp(qx.ravel(), xo, sgrid).astype(np.float32)
        Y = qy.ravel().astype(np.float32)
        inside = (qx.ravel() >= xo[0]) & (qx.ravel() <= PAGE_W) & (Y >= 0) & (Y <= PAGE_H)
        for (hx, hy, hr) in holes:
            inside &= (X - hx) ** 2 + (Y - hy) ** 2 > hr * hr
        return X, Y, inside

    def forward(self, px, py):
        """Page mm -> output pixel (x, y)."""
        th, tx, ty, sgrid, xo, zz, shade = self.geo
        qx = float(np.interp(px, sgrid, xo))
        cx, cy = PAGE_W / 2, PAGE_H / 2
        co, si = math.cos(th), math.sin(th)
        u = co * (qx - cx) - si * (py - cy) + cx + tx
        v = si * (qx - cx) + co * (py - cy) + cy + ty
        return u * self.dpi / 25.4 - 0.5, v * self.dpi / 25.4 - 0.5

    # ------------------------------------------------------------ files
    def encode_and_write(self):
        U, P = self.U, self.P
        dpi = self.dpi
        in_file = P(0.8)
        r = self.rng.random()
        im = Image.fromarray(self.rgb8, "RGB")
        os.makedirs(self.outdir, exist_ok=True)
        if r < 0.58:
            ext = "jpg"
            q = int(self.rng.integers(62, 93))
            sub = int(self.rng.choice([0, 1, 2], p=[0.25, 0.15, 0.6]))
            kw = dict(quality=q, subsampling=sub)
            if in_file:
                kw["dpi"] = (dpi, dpi)
            im.save(os.path.join(self.outdir, self.name + ".jpg"), "JPEG", **kw)
            codec = dict(codec="jpeg", quality=q, subsampling=["4:4:4", "4:2:2", "4:2:0"][sub])
        elif r < 0.83:
            ext = "png"
            path = os.path.join(self.outdir, self.name + ".png")
            tmp = path + ".full.png"
            im.save(tmp, "PNG")
            qmin, qmax = int(self.rng.integers(70, 85)), int(self.rng.integers(88, 99))
            rc = subprocess.run(["pngquant", "--force", "--speed", "3", "--quality=%d-%d" % (qmin, qmax),
                                 "--output", path, tmp], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
            if rc != 0:   # the archive keeps the full PNG when the palette would not hold the quality
                os.replace(tmp, path)
                quant = False
            else:
                os.unlink(tmp)
                quant = True
            with open(path, "rb") as f:
                data = f.read()
            if in_file:
                ppm = int(round(dpi / 0.0254))
                import struct
                import zlib
                body = b"pHYs" + struct.pack(">IIB", ppm, ppm, 1)
                chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
                pos = 8 + 25
                data = data[:pos] + chunk + data[pos:]
                with open(path, "wb") as f:
                    f.write(data)
            codec = dict(codec="png", pngquant=quant, quality=[qmin, qmax])
        else:
            ext = "tif"
            comp = self.pick(["tiff_lzw", "tiff_adobe_deflate", "raw"])
            kw = dict(compression=comp)
            if in_file:
                kw["dpi"] = (dpi, dpi)
            im.save(os.path.join(self.outdir, self.name + ".tif"), "TIFF", **kw)
            codec = dict(codec="tiff", compression=comp)
        fname = self.name + "." + ext
        boxes = []
        GX, GY = self.green_XY
        s = self.s
        for b in self.boxes:
            cx, cy = (b["in"][0] + b["in"][2]) / 2, (b["in"][1] + b["in"][3]) / 2
            bc = self.forward(cx, cy)
            d = dict(row=b["row"], col=b["col"], kind=b["kind"], empty=bool(b["empty"]),
                     defects=b["defects"], borderline=b["borderline"],
                     box_centre_px=[round(bc[0], 1), round(bc[1], 1)])
            if b["kind"] != "signature" and not b["empty"]:
                if "diameter_mm" in b:
                    d["diameter_mm"] = b["diameter_mm"]
                else:
                    d["size_mm"] = b["size_mm"]
            elif b["kind"] == "official_seal":
                d["diameter_mm"] = round(self.round["D"], 2)
            elif b["kind"] == "legal_rep_seal":
                d["size_mm"] = [round(self.square["w"], 2), round(self.square["h"], 2)]
            if b.get("cov") is not None:
                ox, oy, wpx, hpx = b["crop"]
                # the box's region in the output
                corners = [self.forward(b["x0"] - 6, b["y0"] - 6), self.forward(b["x1"] + 6, b["y0"] - 6),
                           self.forward(b["x0"] - 6, b["y1"] + 6), self.forward(b["x1"] + 6, b["y1"] + 6)]
                mx0 = max(int(math.floor(min(p[0] for p in corners))), 0)
                my0 = max(int(math.floor(min(p[1] for p in corners))), 0)
                mx1 = min(int(math.ceil(max(p[0] for p in corners))) + 1, self.Wo)
                my1 = min(int(math.ceil(max(p[1] for p in corners))) + 1, self.Ho)
                cov = b["cov"]
                if self.k > 1:
                    cov = ndimage.uniform_filter(cov, self.k, mode="constant")
                X, Y = GX[my0:my1, mx0:mx1], GY[my0:my1, mx0:mx1]
                v = ndimage.map_coordinates(cov, [Y * s - 0.5 - oy, X * s - 0.5 - ox], order=1, mode="constant", cval=0.0)
                mk = v >= 0.5
                ys, xs = np.nonzero(mk)
                if len(xs):
                    a0, a1, b0, b1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
                    mname = "%s.r%dc%d.mask.png" % (self.name, b["row"], b["col"])
                    Image.fromarray((mk[a0:a1, b0:b1] * 255).astype(np.uint8), "L").save(os.path.join(self.outdir, mname))
                    d["mask"] = mname
                    d["mask_offset"] = [int(mx0 + b0), int(my0 + a0)]
            for key in ("tilt_deg", "double_offset_mm", "smear_mm", "broken_depth", "reach_mm", "absorbed", "hue_deg", "ink", "pen", "stain_kind"):
                if key in b:
                    d[key] = b[key]
            boxes.append(d)
        truth = dict(maker="bookcradle", seed=self.seed, dpi=dpi, dpi_in_file=bool(in_file),
                     skew_deg=round(self.skew, 3), file=fname, boxes=boxes,
                     layout="nmgca-procurement personal-seal-application, with seal rows",
                     paper=dict(self.paper_meta, tint=self.paper_tint), print=self.print_meta,
                     capture=self.capture_meta, encoding=codec, red_hue_deg=self.red["hue_deg"])
        with open(os.path.join(self.outdir, self.name + ".truth.json"), "w") as f:
            json.dump(truth, f, ensure_ascii=False, indent=1)


def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    Maker(seed, outdir, index).run()


if __name__ == "__main__":
    main()
