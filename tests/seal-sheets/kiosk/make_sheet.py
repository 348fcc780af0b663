#!/usr/bin/python3
"""Maker U (kiosk/): seal collection sheets drawn by ImageMagick's MagickWand (python3-wand DrawingWand paths,
glyph outlines read with fontTools), a screen-printed form on coated art paper, Cook-Torrance glossy ink,
captured by a self-service kiosk's overhead camera under its LED hood, archived as JPEG XL (cjxl/djxl).

    python3 make_sheet.py SEED OUTDIR INDEX

Writes OUTDIR/NNN.<jpg|png|tif>, NNN.truth.json and NNN.rRcC.mask.png (truth.md's "Truth format")."""
import io
import time
_T0 = time.time()


def tick(msg):
    if os.environ.get('KIOSK_TIMING'):
        sys.stderr.write('%6.2f %s\n' % (time.time() - _T0, msg))
import json
import math
import os
import subprocess
import sys
import tempfile

os.environ.setdefault("MAGICK_THREAD_LIMIT", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import logging
import numpy as np
from PIL import Image as PImage
from scipy import ndimage
from fontTools.ttLib import TTFont
from fontTools.pens.basePen import BasePen
from wand.image import Image as WImage
from wand.drawing import Drawing
from wand.color import Color

logging.getLogger("fontTools").setLevel(logging.ERROR)

SEAL_FONT = "/usr/share/fonts/truetype/oradano-mincho/OradanoGSRR.ttf"
FORM_FONT = "/usr/share/fonts/truetype/migmix/migmix-1p-regular.ttf"
FORM_BOLD = "/usr/share/fonts/truetype/migmix/migmix-1p-bold.ttf"
SIGN_FONT = "/usr/share/fonts/truetype/aoyagi-soseki/aoyagi-soseki.ttf"

G = 12.0          # render grid, px per mm
PAGE_W, PAGE_H = 210.0, 297.0

PLACES = "北京 上海 天津 南京 杭州 广州 深圳 成都 西安 合肥 福州 济南 青岛 大连 沈阳 长春 太原 石家庄 郑州 武汉 长沙 南昌 昆明 南宁 海口 兰州 西宁 银川 宁波 温州 嘉兴 湖州 绍兴 金华 台州 泉州 厦门 珠海 佛山 东莞 中山 惠州".split()
CORES = "恒泰 宏远 信达 华信 东方 正和 永安 鼎盛 瑞丰 金石 天元 明远 长城 中天 新星 光明 海天 同心 和平 松山 富士 青山 白云 高原 平安 万通 嘉和 金桥 大地 文明".split()
TRADES = "科技 贸易 实业 建设 发展 电子 网络 物流 材料 机械 化工 食品 医药 文化 传媒 建筑 工程 环保 能源 农业 信息 商贸 设计 印刷 家具".split()
SURNAMES = "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田 董 潘 于 蒋 蔡 余 杜 叶 程 魏 丁 任 沈 姚 姜 崔 谭 汪 范 金 石 廖 夏 方 白 孟 熊 秦 邱 江 尹 薛 段 雷 侯 史 陶 黎 毛 郝 邵 万 武 戴 莫 孔 向".split()
GIVEN = "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀 霞 平 刚 桂 英 玉 兰 红 建 国 志 海 波 峰 文 斌 辉 宇 浩 健 俊 帆 飞 鑫 晨 春 秋 雪 松 梅 正 和 光 立 新 德 永 安 清 一 三 美 真 由 恵 子".split()

FONTS = {}


def font(path):
    if path not in FONTS:
        f = TTFont(path, fontNumber=0, lazy=True)
        FONTS[path] = (f, f.getBestCmap(), f.getGlyphSet(), f["head"].unitsPerEm)
    return FONTS[path]


def has_outline(path, ch):
    """The face maps ch to a glyph with contours (some faces map characters to empty glyphs)."""
    f, cmap, gs, upem = font(path)
    if ord(ch) not in cmap:
        return False
    pen = OpsPen(gs)
    gs[cmap[ord(ch)]].draw(pen)
    return bool(pen.ops)


def carries(path, word):
    return all(c in " 　" or has_outline(path, c) for c in word)


def need(path, word):
    miss = [c for c in word if c not in " 　" and not has_outline(path, c)]
    if miss:
        raise SystemExit("kiosk: %s lacks %s (in %s)" % (os.path.basename(path), "".join(miss), word))


class OpsPen(BasePen):
    def __init__(self, gs):
        super().__init__(gs)
        self.ops = []

    def _moveTo(self, p):
        self.ops.append(("M", p))

    def _lineTo(self, p):
        self.ops.append(("L", p))

    def _curveToOne(self, a, b, c):
        self.ops.append(("C", a, b, c))

    def _qCurveToOne(self, a, b):
        self.ops.append(("Q", a, b))

    def _closePath(self):
        self.ops.append(("Z",))

    _endPath = _closePath


GLYPH_CACHE = {}


def glyph_ops(path, ch):
    key = (path, ch)
    if key not in GLYPH_CACHE:
        f, cmap, gs, upem = font(path)
        need(path, ch)
        pen = OpsPen(gs)
        gs[cmap[ord(ch)]].draw(pen)
        if not pen.ops:
            raise SystemExit("kiosk: %s has no outline for %s" % (os.path.basename(path), ch))
        pts = [p for op in pen.ops for p in op[1:]]
        if pts:
            a = np.array(pts, float)
            bb = (a[:, 0].min(), a[:, 1].min(), a[:, 0].max(), a[:, 1].max())
        else:
            bb = (0, 0, upem, upem)
        GLYPH_CACHE[key] = (pen.ops, bb, upem)
    return GLYPH_CACHE[key]


class Canvas:
    """A MagickWand drawing on a grey canvas; coordinates in mm, origin at (ox, oy) mm of the page."""

    def __init__(self, ox, oy, w_mm, h_mm):
        self.ox, self.oy = ox, oy
        self.w = int(round(w_mm * G))
        self.h = int(round(h_mm * G))
        self.d = Drawing()
        self.d.stroke_color = Color("none")
        self.d.fill_rule = "nonzero"
        self.ink(True)

    def ink(self, on):
        self.d.fill_color = Color("white" if on else "black")

    def px(self, x, y):
        return ((x - self.ox) * G, (y - self.oy) * G)

    def circle(self, cx, cy, r):
        c = self.px(cx, cy)
        self.d.circle(c, (c[0] + r * G, c[1]))

    def polygon(self, pts):
        self.d.polygon([self.px(x, y) for x, y in pts])

    def glyph(self, path, ch, cx, cy, w, h, ang_deg=0.0, shear=0.0, keep_aspect=False):
        """Glyph ch fitted into a w x h mm cell centred at (cx, cy), turned clockwise by ang_deg."""
        ops, bb, upem = glyph_ops(path, ch)
        if not ops:
            return
        gw, gh = max(bb[2] - bb[0], 1), max(bb[3] - bb[1], 1)
        sx, sy = w / gw, h / gh
        if keep_aspect:
            sx = sy = min(sx, sy)
        mx, my = (bb[0] + bb[2]) / 2, (bb[1] + bb[3]) / 2
        ca, sa = math.cos(math.radians(ang_deg)), math.sin(math.radians(ang_deg))

        def tr(p):
            x = (p[0] - mx) * sx
            y = -(p[1] - my) * sy
            x += shear * -y
            return self.px(cx + x * ca - y * sa, cy + x * sa + y * ca)

        d = self.d
        d.path_start()
        for op in ops:
            if op[0] == "M":
                d.path_move(to=tr(op[1]))
            elif op[0] == "L":
                d.path_line(to=tr(op[1]))
            elif op[0] == "Q":
                d.path_curve_to_quadratic_bezier(to=tr(op[2]), control=tr(op[1]))
            elif op[0] == "C":
                d.path_curve(to=tr(op[3]), controls=(tr(op[1]), tr(op[2])))
            else:
                d.path_close()
        d.path_finish()

    def text(self, path, s, x, y, size, ang=0.0, gap=0.04):
        """Set s from (x, y) (left, baseline-ish centre line) with a cell of size mm a character."""
        for i, ch in enumerate(s):
            if ch in " 　":
                continue
            ops, bb, upem = glyph_ops(path, ch)
            w = (bb[2] - bb[0]) / upem * size
            h = (bb[3] - bb[1]) / upem * size
            cxg = x + (i + 0.5) * size * (1 + gap)
            cyg = y - ((bb[1] + bb[3]) / 2 / upem - 0.38) * size
            if w > 0 and h > 0:
                self.glyph(path, ch, cxg, cyg, w, h)

    def render(self):
        with WImage(width=self.w, height=self.h, background=Color("black")) as img:
            self.d(img)
            a = np.asarray(img)[:, :, 0].astype(np.float32) / 255.0
        self.d.destroy()
        return a


def smooth_noise(rng, shape, sigma_px):
    n = rng.standard_normal(shape).astype(np.float32)
    n = ndimage.gaussian_filter(n, sigma_px, mode="wrap")
    s = n.std()
    return n / s if s > 0 else n


def coarse_noise(rng, shape, cell_px):
    sh = (max(2, int(shape[0] / cell_px) + 2), max(2, int(shape[1] / cell_px) + 2))
    n = ndimage.gaussian_filter(rng.standard_normal(sh).astype(np.float32), 1.0)
    n /= n.std() + 1e-9
    z = ndimage.zoom(n, (shape[0] / sh[0] * 1.0001, shape[1] / sh[1] * 1.0001), order=1)
    return z[: shape[0], : shape[1]]


# ---------------------------------------------------------------- ink colour
def tabled(fn, h, w, step=16):
    """fn(x, y) at pixel centres evaluated on a grid every `step` px; the map read back bilinearly at pixel
    indices, the same way for the whole frame and for a mask's crop."""
    gy = np.arange(0, h + 2 * step, step, dtype=np.float64)
    gx = np.arange(0, w + 2 * step, step, dtype=np.float64)
    YY, XX = np.meshgrid(gy, gx, indexing="ij")
    a, b = fn(XX + 0.5, YY + 0.5)
    a, b = a.astype(np.float32), b.astype(np.float32)

    def f(x, y):
        c = [np.asarray(y, np.float32) / np.float32(step), np.asarray(x, np.float32) / np.float32(step)]
        return (ndimage.map_coordinates(a, c, order=1, mode="nearest"), ndimage.map_coordinates(b, c, order=1, mode="nearest"))
    return f


def srgb(lin):
    lin = np.clip(lin, 0, 1)
    return np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * np.power(lin, 1 / 2.4) - 0.055)


def hue_deg(rgb_lin):
    r, g, b = srgb(np.asarray(rgb_lin, float))
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


def seal_absorbance(rng, passed, hue_target):
    """Per-channel absorbance (double pass: T^2 = exp(-2a)) of a full film; the strongest passes `passed`."""
    a_strong = -math.log(passed) / 2
    a_red = -math.log(rng.uniform(0.88, 0.97)) / 2
    strong = 1 if hue_target <= 0 else 2   # green strongest for a negative (purple-wards) hue, blue for positive
    weak = 3 - strong
    lo, hi = 0.0, a_strong
    for _ in range(40):
        mid = (lo + hi) / 2
        a = [a_red, 0, 0]
        a[strong] = a_strong
        a[weak] = mid
        h = hue_deg(np.exp(-2 * np.array(a)))
        # more weak-channel absorbance moves the hue back towards 0
        if abs(h) > abs(hue_target):
            lo = mid
        else:
            hi = mid
    a = [a_red, 0, 0]
    a[strong] = a_strong
    a[weak] = (lo + hi) / 2
    return np.array(a)


PENS = {"blue": (1.0, 0.72, 0.14), "black": (1.0, 0.97, 0.92), "blue-black": (1.0, 0.9, 0.55)}


# ---------------------------------------------------------------- seals
def draw_official(cv, cx, cy, seal, ang, yin_unused=False):
    D = seal["diameter_mm"]
    R = D / 2
    ring = seal["ring_mm"]
    cv.ink(True)
    cv.circle(cx, cy, R)
    cv.ink(False)
    cv.circle(cx, cy, R - ring)
    cv.ink(True)
    rs = seal["star"] * R
    pts = []
    for k in range(10):
        r = rs if k % 2 == 0 else rs * 0.382
        t = math.radians(ang - 90 + 36 * k)
        pts.append((cx + r * math.cos(t), cy + r * math.sin(t)))
    cv.polygon(pts)
    name = seal["firm"]
    span = seal["span_deg"]
    n = len(name)
    gh = seal["glyph_h"] * D
    rr = R - ring - 0.9 - gh / 2
    step = span / n
    gw = min(seal["glyph_w"] * gh, 0.85 * math.radians(step) * rr)
    for i, ch in enumerate(name):
        t = -90 - span / 2 + step * (i + 0.5) + ang   # clockwise from the left
        x = cx + rr * math.cos(math.radians(t))
        y = cy + rr * math.sin(math.radians(t))
        cv.glyph(SEAL_FONT, ch, x, y, gw, gh, ang_deg=t + 90)
    if seal.get("use"):
        u = seal["use"]
        h = 0.11 * D
        w = h * 0.85
        yy = R * 0.55
        for i, ch in enumerate(u):
            xx = (i - (len(u) - 1) / 2) * w * 1.08
            a = math.radians(ang)
            cv.glyph(SEAL_FONT, ch, cx + xx * math.cos(a) - yy * math.sin(a), cy + xx * math.sin(a) + yy * math.cos(a),
                     w, h, ang_deg=ang)


def draw_legal(cv, cx, cy, seal, ang):
    w, h = seal["size_mm"]
    fr = seal["frame_mm"]
    a = math.radians(ang)

    def rot(pts):
        return [(cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a)) for x, y in pts]

    def rect(hw, hh):
        return rot([(-hw, -hh), (hw, -hh), (hw, hh), (-hw, hh)])

    cv.ink(True)
    cv.polygon(rect(w / 2, h / 2))
    if not seal["yin"]:
        cv.ink(False)
        cv.polygon(rect(w / 2 - fr, h / 2 - fr))
        cv.ink(True)
    else:
        cv.ink(False)
    chars = seal["chars"]
    iw, ih = w - 2 * fr - 0.8, h - 2 * fr - 0.8
    cw, ch_ = iw / 2, ih / 2
    cells = [(+cw / 2, -ch_ / 2), (+cw / 2, +ch_ / 2), (-cw / 2, -ch_ / 2), (-cw / 2, +ch_ / 2)]
    for c, (x, y) in zip(chars, cells):
        px = cx + x * math.cos(a) - y * math.sin(a)
        py = cy + x * math.sin(a) + y * math.cos(a)
        cv.glyph(SEAL_FONT, c, px, py, cw * 0.86, ch_ * 0.86, ang_deg=ang)
    cv.ink(True)


def draw_signature(cv, cx, cy, sig, scale):
    name = sig["name"]
    cell = sig["cell_mm"] * scale
    adv = cell * sig["advance"]
    x0 = cx - adv * (len(name) - 1) / 2
    for i, ch in enumerate(name):
        j = sig["jitter"][i]
        cv.glyph(SIGN_FONT, ch, x0 + adv * i + j[0], cy + j[1], cell, cell, ang_deg=sig["line_deg"] + j[2],
                 shear=sig["shear"], keep_aspect=True)


# ---------------------------------------------------------------- the page
def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng(seed)
    rng2 = np.random.default_rng(seed + 7919)       # textures and noise
    stem = "%03d" % index

    dpi = int(rng.choice([150, 200, 300, 400, 600], p=[0.08, 0.14, 0.56, 0.12, 0.10]))
    if os.environ.get("SEAL_SHEET_DPI"):
        dpi = int(os.environ["SEAL_SHEET_DPI"])

    # words the faces carry
    firm_parts = [(p, c, t) for p in PLACES for c in CORES for t in TRADES]
    for _ in range(200):
        p, c, t = firm_parts[rng.integers(len(firm_parts))]
        firm = p + c + t + ("股份有限公司" if rng.random() < 0.25 else "有限公司")
        if len(firm) <= 14 and carries(SEAL_FONT, firm) and carries(FORM_FONT, firm):
            break
    else:
        raise SystemExit("kiosk: no firm name the faces carry")
    for _ in range(500):
        person = SURNAMES[rng.integers(len(SURNAMES))] + "".join(
            GIVEN[rng.integers(len(GIVEN))] for _ in range(1 if rng.random() < 0.45 else 2))
        if carries(SEAL_FONT, person) and carries(SIGN_FONT, person) and carries(FORM_FONT, person):
            break
    else:
        raise SystemExit("kiosk: no name the faces carry")
    need(SEAL_FONT, firm)
    need(SIGN_FONT, person)

    # ---- seals of the sheet (one firm seal, one legal seal, one pen)
    D = float(rng.uniform(38.5, 44.5))
    off_seal = dict(diameter_mm=D, ring_mm=float(rng.uniform(0.9, 1.4)), star=float(rng.uniform(0.27, 0.33)),
                    firm=firm, span_deg=float(rng.uniform(200, 250)), glyph_h=float(rng.uniform(0.14, 0.17)),
                    glyph_w=float(rng.uniform(0.62, 0.8)),
                    use=("合同専用章" if rng.random() < 0.5 else "財務専用章") if len(firm) <= 12 and rng.random() < 0.5 else "")
    if off_seal["use"]:
        need(SEAL_FONT, off_seal["use"])
    if rng.random() < 0.62:
        s = float(rng.uniform(15.5, 21.5))
        lsize = [s, s]
    else:
        L = float(rng.uniform(19.5, 22.5))
        r = float(rng.uniform(1.15, 1.3))
        lsize = [L, L / r] if rng.random() < 0.5 else [L / r, L]
    chars = list(person + "之印") if len(person) == 2 else list(person + "印")
    need(SEAL_FONT, "".join(chars))
    legal_seal = dict(size_mm=lsize, frame_mm=float(rng.uniform(0.6, 1.1)), yin=bool(rng.random() < 0.2), chars=chars)
    pen = str(rng.choice(["blue", "black", "blue-black"], p=[0.5, 0.3, 0.2]))
    sig = dict(name=person, cell_mm=float(rng.uniform(9, 12.5)), advance=float(rng.uniform(0.82, 0.95)),
               shear=float(math.tan(math.radians(rng.uniform(6, 15)))), line_deg=float(rng.uniform(-2, 2)),
               jitter=[(float(rng.uniform(-0.8, 0.8)), float(rng.uniform(-0.8, 0.8)), float(rng.uniform(-2.3, 2.3)))
                       for _ in person])

    # ---- layout: cfca-xs application's 签章采集表 (58-mm columns, 8.5-mm caption rows, 50-mm boxes), three samples
    line_mm = float(rng.uniform(0.2, 0.4))
    left = (PAGE_W - 174) / 2 + float(rng.uniform(-1.5, 1.5))
    top = float(rng.uniform(14, 18))
    title = "数字証書与電子簽章業務申請表"
    need(FORM_BOLD, title)
    info_rows = [("単位名称", firm), ("法定代表人", person), ("申請主体", "企業用戸"), ("受理点", "自助終端")]
    y_info = top + 12
    y_tab = y_info + 8.5 * len(info_rows) + 8
    caps = ["企業公章", "法人方章", "法人簽字"]
    kinds = ["official_seal", "legal_rep_seal", "signature"]
    rows_y = []
    y = y_tab + 8.5
    for r in range(3):
        rows_y.append((y, y + 8.5, y + 8.5 + 50))   # caption top, box top, box bottom
        y += 58.5
    foot_y = y + 6

    # ---- the form (MagickWand on the whole page) + print under seals
    formc = Canvas(0, 0, PAGE_W, PAGE_H)
    formc.text(FORM_BOLD, title, PAGE_W / 2 - len(title) * 5.6 * 1.04 / 2, top + 3, 5.6)
    lw = line_mm

    def hline(x0, x1, yy):
        formc.polygon([(x0, yy - lw / 2), (x1, yy - lw / 2), (x1, yy + lw / 2), (x0, yy + lw / 2)])

    def vline(xx, y0, y1):
        formc.polygon([(xx - lw / 2, y0), (xx + lw / 2, y0), (xx + lw / 2, y1), (xx - lw / 2, y1)])

    for i, (k, v) in enumerate(info_rows):
        yy = y_info + 8.5 * i
        hline(left, left + 174, yy)
        need(FORM_FONT, k + v)
        formc.text(FORM_FONT, k, left + 2, yy + 4.25, 3.5)
        formc.text(FORM_FONT, v, left + 42, yy + 4.25, 3.5)
    hline(left, left + 174, y_info + 8.5 * len(info_rows))
    vline(left, y_info, y_info + 8.5 * len(info_rows))
    vline(left + 40, y_info, y_info + 8.5 * len(info_rows))
    vline(left + 174, y_info, y_info + 8.5 * len(info_rows))
    head = "簽章採集表（蓋在下方，請勿重畳圧線）"
    need(FORM_BOLD, head)
    formc.text(FORM_BOLD, head, left + 87 - len(head) * 3.8 * 1.04 / 2, y_tab + 4.25, 3.8)
    hline(left, left + 174, y_tab)
    boxes_geom = []
    for r, (yc, yb, ye) in enumerate(rows_y):
        hline(left, left + 174, yc)
        hline(left, left + 174, yb)
        for c in range(3):
            cap = caps[c] + "（样本%s）" % "一二三"[r]
            cap = cap.replace("样本", "様本")
            need(FORM_FONT, cap)
            formc.text(FORM_FONT, cap, left + 58 * c + 29 - len(cap) * 3.3 * 1.04 / 2, yc + 4.25, 3.3)
            # inner edges of the box's rules
            boxes_geom.append(dict(row=r, col=c, kind=kinds[c], x0=left + 58 * c + lw / 2, x1=left + 58 * (c + 1) - lw / 2,
                                   y0=yb + lw / 2, y1=ye - lw / 2))
    hline(left, left + 174, rows_y[-1][2])
    for c in range(4):
        vline(left + 58 * c, y_tab, rows_y[-1][2])
    foot = "受理員：　　　　　　受理時間：　　　　　　復核員："
    need(FORM_FONT, foot)
    formc.text(FORM_FONT, foot, left + 2, foot_y, 3.5)

    # ---- per-box plans
    plans = []
    for b in boxes_geom:
        p = dict(defects=[], borderline=[])
        kind = b["kind"]
        if kind == "signature":
            p["empty"] = rng.random() < 0.06
            p["push"] = (not p["empty"]) and rng.random() < 0.12
            p["stain"] = rng.random() < 0.08
            p["pale"] = (not p["empty"]) and rng.random() < 0.09
        else:
            p["empty"] = rng.random() < 0.08
            p["stain"] = p["empty"] and rng.random() < 0.12
            main_d = []
            if not p["empty"] and rng.random() < 0.72:
                names = ["double", "smudged", "broken", "pale", "off_color", "tilted", "push", "stain", "under"]
                w = np.array([13, 13, 13, 12, 11, 13, 11, 8, 9], float)
                main_d.append(str(rng.choice(names, p=w / w.sum())))
                if rng.random() < 0.3:
                    extra = [e for e in ["tilted", "stain", "under", "push", "double", "pale"] if e not in main_d]
                    e = str(rng.choice(extra))
                    bad = ({"double", "smudged"} <= set(main_d + [e]) or {"double", "broken"} <= set(main_d + [e])
                           or {"pale", "off_color"} <= set(main_d + [e]))
                    if not bad:
                        main_d.append(e)
            for k in ["double", "smudged", "broken", "pale", "off_color", "tilted", "push", "under"]:
                p[k] = k in main_d
            if "stain" in main_d:
                p["stain"] = True
        plans.append(p)

    # print under the seal: the form's own screen-printed words
    for b, p in zip(boxes_geom, plans):
        if b["kind"] != "signature" and p.get("under"):
            word = str(rng.choice(["蓋章", "公章", "印章", "本公司", "年　月　日"]))
            need(FORM_FONT, word)
            size = float(rng.uniform(3.8, 5.0))
            bw = b["x1"] - b["x0"]
            bh = b["y1"] - b["y0"]
            ux = (b["x0"] + b["x1"]) / 2 + float(rng.uniform(-6, 6))
            uy = (b["y0"] + b["y1"]) / 2 + bh * float(rng.uniform(0.1, 0.2))
            formc.text(FORM_FONT, word, ux - len(word) * size * 1.04 / 2, uy, size)
            p["under_at"] = (ux, uy, word)
    form_cov = formc.render()
    tick('form rendered')
    H, W = form_cov.shape

    # ---- paper: coated art stock
    white = float(rng.choice([0.89, 0.9, 0.91])) * float(rng.uniform(0.98, 1.02))
    paper_rgb = np.array([white * float(rng.uniform(0.99, 1.01)), white, white * float(rng.uniform(0.99, 1.03))])
    tint = None
    if rng.random() < 0.05:
        tname = str(rng.choice(["yellow", "pink", "blue", "green"]))
        od = float(rng.uniform(0.12, 0.26))
        odv = {"yellow": (0.05, 0.2, 1), "pink": (0.1, 1, 0.6), "blue": (1, 0.5, 0.1), "green": (0.8, 0.2, 1)}[tname]
        paper_rgb = paper_rgb * 10 ** (-od * np.array(odv))
        tint = dict(kind=tname, od=od)
    # the coat's back-trap mottle (2-5 mm) and its clay grain (0.35 mm), on one 0.35-mm grid
    cell = 0.35 * G
    sh = (int(H / cell) + 2, int(W / cell) + 2)
    grain = rng2.standard_normal(sh).astype(np.float32)
    mott = ndimage.gaussian_filter(rng2.standard_normal(sh).astype(np.float32), 3.5 / 0.35 * float(rng.uniform(0.6, 1.4)), mode="wrap")
    mott /= mott.std() + 1e-9
    grain = ndimage.gaussian_filter(grain, 0.8)
    grain /= grain.std() + 1e-9
    surf = 1 + mott * float(rng.uniform(0.004, 0.009)) + grain * float(rng.uniform(0.002, 0.004))
    surf = ndimage.zoom(surf, (H / sh[0] * 1.0001, W / sh[1] * 1.0001), order=1)[:H, :W]
    refl = surf[:, :, None] * paper_rgb[None, None, :].astype(np.float32)
    del surf

    # stains in boxes
    for b, p in zip(boxes_geom, plans):
        if tint is not None:
            p["bg"] = True
        if p.get("stain"):
            cx = (b["x0"] + b["x1"]) / 2 + float(rng.uniform(-6, 6))
            cy = (b["y0"] + b["y1"]) / 2 + float(rng.uniform(-6, 6))
            ax = (b["x1"] - b["x0"]) * float(rng.uniform(0.25, 0.42))
            ay = (b["y1"] - b["y0"]) * float(rng.uniform(0.25, 0.42))
            od = float(rng.uniform(0.14, 0.26))
            y0, y1 = int((b["y0"] + 2) * G), int((b["y1"] - 2) * G)
            x0, x1 = int((b["x0"] + 2) * G), int((b["x1"] - 2) * G)
            yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32) / G
            wob = coarse_noise(rng2, yy.shape, 3 * G) * 0.12
            rr = ((xx - cx) / ax) ** 2 + ((yy - cy) / ay) ** 2
            body = np.clip((1 + wob - rr) / 0.15, 0, 1)
            dens = od * body
            refl[y0:y1, x0:x1] *= (10 ** (-dens[:, :, None] * np.array([0.3, 0.6, 1.0])[None, None, :])).astype(np.float32)
            p["bg"] = True
            p["stain_info"] = dict(kind="coffee", od_max=round(od, 3))

    tick('# ---- screen-printed form')
    # ---- screen-printed form: ink through a mesh, thick, ragged-edged
    mesh = float(rng.uniform(0.06, 0.085))
    spread = ndimage.gaussian_filter(form_cov, 0.035 * G)
    rag = coarse_noise(rng2, (H, W), 0.12 * G) * 0.12
    printed = np.clip((spread + rag - 0.5) / 0.2 + 0.5, 0, 1)
    npin = int(rng2.poisson(0.0015 * H * W))
    pr, pc = rng2.integers(1, H - 1, npin), rng2.integers(1, W - 1, npin)
    for dr, dc in ((0, 0), (0, 1), (1, 0), (0, -1), (-1, 0)):
        printed[pr + dr, pc + dc] *= 0.3
    sweep = np.linspace(1.0, 1 - float(rng.uniform(0.03, 0.08)), H, dtype=np.float32)[:, None]
    ink_od = float(rng.uniform(1.3, 1.6))
    refl *= (10 ** (-ink_od * printed * sweep))[:, :, None]

    tick('# ---- impressions (coverage')
    # ---- impressions (coverage on the page's render grid)
    absorb = np.zeros((H, W, 3), np.float32)      # absorbance of all impressions, double-pass (T^2 = e^-2a)
    gloss = np.zeros((H, W), np.float32)
    truth_boxes = []
    for b, p in zip(boxes_geom, plans):
        kind = b["kind"]
        bcx, bcy = (b["x0"] + b["x1"]) / 2, (b["y0"] + b["y1"]) / 2
        tb = dict(row=b["row"], col=b["col"], kind=kind, empty=bool(p["empty"]), defects=[], borderline=[],
                  inner_mm=[round(b["x1"] - b["x0"], 2), round(b["y1"] - b["y0"], 2)])
        if kind == "official_seal":
            tb["diameter_mm"] = round(D, 2)
        elif kind == "legal_rep_seal":
            tb["size_mm"] = [round(lsize[0], 2), round(lsize[1], 2)]
        if p.get("bg"):
            tb["defects"].append("bg_not_white")
            if p.get("stain_info"):
                tb["stain"] = p["stain_info"]
        if p["empty"]:
            tb["defects"].insert(0, "empty")
            truth_boxes.append((b, tb, None))
            continue
        # placement
        if kind == "signature":
            tilt = 0.0
            half_w = sig["cell_mm"] * sig["advance"] * (len(person) - 1) / 2 + sig["cell_mm"] / 2
            half = (half_w, sig["cell_mm"] / 2)
        else:
            tilt = float(rng.uniform(12, 28) * rng.choice([-1, 1])) if p["tilted"] else float(rng.uniform(-2, 2))
            if kind == "official_seal":
                half = (D / 2, D / 2)
            else:
                a = math.radians(tilt)
                w, h = lsize
                half = (abs(w / 2 * math.cos(a)) + abs(h / 2 * math.sin(a)), abs(w / 2 * math.sin(a)) + abs(h / 2 * math.cos(a)))
        room_x = (b["x1"] - b["x0"]) / 2 - half[0] - 0.8
        room_y = (b["y1"] - b["y0"]) / 2 - half[1] - 0.8
        cx = bcx + float(np.clip(rng.uniform(-2, 2), -max(room_x, 0), max(room_x, 0)))
        cy = bcy + float(np.clip(rng.uniform(-2, 2), -max(room_y, 0), max(room_y, 0)))
        if p.get("under_at"):
            ux, uy, word = p["under_at"]
            cx = float(np.clip(ux + rng.uniform(-1.5, 1.5), bcx - max(room_x, 0), bcx + max(room_x, 0)))
            cy = float(np.clip(uy + rng.uniform(-1.5, 1.5), bcy - max(room_y, 0), bcy + max(room_y, 0)))
        if p.get("push"):
            pm = float(rng.uniform(1.2, 3.0))
            if kind == "signature":
                side = str(rng.choice(["left", "right"]))
            else:
                side = str(rng.choice(["left", "right", "top", "bottom"]))
            if side == "left":
                cx = b["x0"] + half[0] - pm
            elif side == "right":
                cx = b["x1"] - half[0] + pm
            elif side == "top":
                cy = b["y0"] + half[1] - pm
            else:
                cy = b["y1"] - half[1] + pm
            tb["push_mm"] = round(pm, 2)
            tb["push_side"] = side
        tb["tilt_deg"] = round(tilt, 2)
        tb["cx_mm"], tb["cy_mm"] = round(cx, 2), round(cy, 2)
        # the canvas: the box + 8 mm round it
        ox, oy = b["x0"] - 8, b["y0"] - 8
        cw_mm, ch_mm = b["x1"] - b["x0"] + 16, b["y1"] - b["y0"] + 16
        pressings = [(cx, cy, tilt, 1.0)]
        if p.get("double"):
            dd = float(rng.uniform(0.8, 2.4))
            th = float(rng.uniform(0, 2 * math.pi))
            pressings.append((cx + dd * math.cos(th), cy + dd * math.sin(th), tilt + float(rng.uniform(-1.5, 1.5)),
                              float(rng.uniform(0.5, 0.9))))
            tb["double_offset_mm"] = round(dd, 2)
        covs = []
        sc = float(rng.uniform(0.94, 1.06))
        for (px_, py_, tl, ld) in pressings:
            cv = Canvas(ox, oy, cw_mm, ch_mm)
            if kind == "official_seal":
                draw_official(cv, px_, py_, off_seal, tl)
            elif kind == "legal_rep_seal":
                draw_legal(cv, px_, py_, legal_seal, tl)
            else:
                draw_signature(cv, px_, py_, sig, sc)
            covs.append((cv.render(), ld))
        shp = covs[0][0].shape
        nm = coarse_noise(rng2, shp, 1.0 * G)
        mott = 1 - float(rng.uniform(0.04, 0.12)) * (0.5 + 0.5 * np.tanh(nm))
        gx, gy = rng.standard_normal(2) * 0.004
        yy, xx = np.mgrid[0:shp[0], 0:shp[1]].astype(np.float32) / G
        plane = np.clip(1 + gx * (xx - xx.mean()) + gy * (yy - yy.mean()), 0.9, 1.1)
        load = np.zeros(shp, np.float32)
        cov_mask = np.zeros(shp, np.float32)
        for c_, ld in covs:
            load += c_ * ld
            cov_mask = np.maximum(cov_mask, c_)
        if kind != "signature":
            load *= mott * plane
        full_cov = cov_mask.copy()
        if p.get("smudged"):
            sm = float(rng.uniform(0.8, 1.3))
            th = float(rng.uniform(0, 360))
            stay = float(rng.uniform(0.5, 0.65))
            wend = float(rng.uniform(0.25, 0.45))
            nstep = max(2, int(sm * G * 2))
            acc = np.zeros_like(load)
            wsum = 0.0
            trail = cov_mask.copy()
            for k in range(1, nstep + 1):
                f = k / nstep
                wk = 1 - (1 - wend) * f
                dx, dy = f * sm * G * math.cos(math.radians(th)), f * sm * G * math.sin(math.radians(th))
                acc += wk * ndimage.shift(load, (dy, dx), order=1)
                trail = np.maximum(trail, ndimage.shift(cov_mask, (dy, dx), order=1))
                wsum += wk
            load = stay * load + (1 - stay) * acc / wsum
            cov_mask = trail
            tb["smear_mm"] = round(sm, 2)
            tb["smear_deg"] = round(th, 1)
        lost = None
        if p.get("broken"):
            th = float(rng.uniform(0, 2 * math.pi))
            proj = (xx * math.cos(th) + yy * math.sin(th)) + coarse_noise(rng2, shp, 1.5 * G) * 0.3
            inked = cov_mask >= 0.5
            lost = float(rng.uniform(0.18, 0.30))
            q = np.quantile(proj[inked], lost)
            fade_w = float(rng.uniform(0.3, 0.7))
            fade = np.clip((proj - q) / fade_w + 0.5, 0, 1)
            load *= fade
            cov_mask = cov_mask * (fade >= 0.5)
            tb["lost"] = round(lost, 3)
        # ink
        if kind == "signature":
            passed = float(rng.uniform(0.35, 0.6)) if p.get("pale") else float(rng.uniform(0.05, 0.12))
            ratio = np.array(PENS[pen])
            a_full = -math.log(passed) / 2 * ratio / ratio.max()
            tb["pen"] = pen
        else:
            passed = float(rng.uniform(0.32, 0.6)) if p.get("pale") else float(rng.uniform(0.04, 0.11))
            if p.get("off_color"):
                way = str(rng.choice(["orange", "purple"]))
                ht = float(rng.uniform(22, 34)) * (1 if way == "orange" else -1)
                tb["off_way"] = way
            else:
                ht = float(rng.uniform(-3, 3))
            a_full = seal_absorbance(rng, passed, ht)
            hues = [hue_deg(np.exp(-2 * a_full * l)) for l in (0.5, 0.8, 1.0)]
            tb["hue_deg"] = [round(h, 1) for h in hues]
            if p.get("off_color"):
                tb["defects"].append("off_color")
                if min(abs(h) for h in hues) < 13.8:
                    tb["borderline"].append("off_color")
            elif max(abs(h) for h in hues) > 10.2:
                tb["borderline"].append("off_color")
        tb["passed"] = round(passed, 3)
        ys, xs = int(round(oy * G)), int(round(ox * G))
        sl = (slice(ys, ys + shp[0]), slice(xs, xs + shp[1]))
        absorb[sl] += load[:, :, None] * a_full[None, None, :].astype(np.float32)
        if kind != "signature":     # the paste's film is glossy; a pen's ink sinks into the coat
            gloss[sl] = np.maximum(gloss[sl], np.clip(load / 0.3, 0, 1))
        # pale from the strongest point of the layer alone
        # pale is decided after the lighting: the film's gloss adds light where the ink is strongest
        iy, ix = np.unravel_index(int(np.argmax(load)), load.shape)
        tb["_strong"] = (float(np.exp(-2 * a_full.max() * float(load[iy, ix]))), ys + int(iy), xs + int(ix),
                         float(min(1.0, load[iy, ix] / 0.3)) if kind != "signature" else 0.0, bool(p.get("pale")))
        if p.get("pale"):
            tb["defects"].append("pale")
        for k in ["double", "smudged", "broken", "tilted"]:
            if p.get(k):
                tb["defects"].append(k)
        # text under
        if p.get("under_at"):
            ux, uy, word = p["under_at"]
            tb["under"] = word
            if kind == "official_seal":
                inside = D / 2 - math.hypot(ux - cx, uy - cy)
                ok = inside > 2
            else:
                a = math.radians(-tilt)
                lx = (ux - cx) * math.cos(a) - (uy - cy) * math.sin(a)
                ly = (ux - cx) * math.sin(a) + (uy - cy) * math.cos(a)
                ok = abs(lx) < lsize[0] / 2 - 1 and abs(ly) < lsize[1] / 2 - 1
            if ok:
                tb["defects"].append("text_under")
            else:
                tb["borderline"].append("text_under")
        # overlap from the drawn ink on the render grid against the box's rules' inner edges
        def reach(cm):
            on = cm >= 0.5
            if not on.any():
                return -99.0
            rr_, cc_ = np.nonzero(on)
            xmm = (cc_ + 0.5) / G + ox
            ymm = (rr_ + 0.5) / G + oy
            return float(max(b["x0"] - xmm.min(), xmm.max() - b["x1"], b["y0"] - ymm.min(), ymm.max() - b["y1"]))
        rch = reach(cov_mask)
        rch_full = reach(full_cov) if lost is not None else rch
        tb["reach_mm"] = round(rch, 2)
        if rch > 0.3:
            tb["defects"].append("overlap_line")
        elif rch >= -0.3 or (lost is not None and rch_full >= -0.3):
            tb["borderline"].append("overlap_line")
        tb["borderline"] = sorted(set(tb["borderline"]))
        truth_boxes.append((b, tb, (cov_mask, ox, oy)))

    tick('# ---- the kiosk: camera geome')
    # ---- the kiosk: camera geometry (mm, page frame), LED hood, Cook-Torrance gloss
    cam_h = float(rng.uniform(380, 450))
    cam_xy = np.array([PAGE_W / 2 + rng.uniform(-8, 8), PAGE_H / 2 + rng.uniform(-8, 8)])
    leds = [(PAGE_W / 2 + s * float(rng.uniform(180, 230)), PAGE_H / 2 + float(rng.uniform(-30, 30)), float(rng.uniform(250, 320)))
            for s in (-1, 1)]
    m_ink = float(rng.uniform(0.25, 0.45))
    m_pap = float(rng.uniform(0.5, 0.7))
    pap_gloss = float(rng.uniform(0.25, 0.45))
    F0 = 0.04

    # evaluate on a coarse grid (it is smooth) and zoom
    cs = 16
    gy_, gx_ = np.mgrid[0:H:cs, 0:W:cs].astype(np.float32)
    X, Y = (gx_ + 0.5) / G, (gy_ + 0.5) / G
    vx, vy, vz = cam_xy[0] - X, cam_xy[1] - Y, np.full_like(X, cam_h)
    vn = np.sqrt(vx ** 2 + vy ** 2 + vz ** 2)
    vx, vy, vz = vx / vn, vy / vn, vz / vn
    spec_i = np.zeros_like(X)
    spec_p = np.zeros_like(X)
    irr = np.zeros_like(X)
    for (lx, ly, lz) in leds:
        ax, ay, az = lx - X, ly - Y, np.full_like(X, lz)
        d2 = ax ** 2 + ay ** 2 + az ** 2
        an = np.sqrt(d2)
        ax, ay, az = ax / an, ay / an, az / an
        e = az / d2 * 1e5       # irradiance ∝ cos / r²
        irr += e
        hx, hy, hz = ax + vx, ay + vy, az + vz
        hn = np.sqrt(hx ** 2 + hy ** 2 + hz ** 2)
        hx, hy, hz = hx / hn, hy / hn, hz / hn
        vh = vx * hx + vy * hy + vz * hz
        F = F0 + (1 - F0) * (1 - vh) ** 5
        Gt = np.minimum(1, np.minimum(2 * hz * vz / vh, 2 * hz * az / vh))
        t2 = (1 - hz ** 2) / hz ** 2
        for m, out in ((m_ink, spec_i), (m_pap, spec_p)):
            Dm = np.exp(-t2 / m ** 2) / (math.pi * m ** 2 * hz ** 4)
            out += math.pi * Dm * Gt * F / (4 * az * vz) * e
    spec_i /= irr
    spec_p /= irr
    irr /= irr.mean()
    zoomf = (H / irr.shape[0], W / irr.shape[1])
    irr_f = ndimage.zoom(irr, zoomf, order=1)[:H, :W]
    spec_i_f = ndimage.zoom(spec_i, zoomf, order=1)[:H, :W]
    spec_p_f = ndimage.zoom(spec_p, zoomf, order=1)[:H, :W]
    # body: light through the film twice, (1 - F) at the air-film surface both ways under the film
    fresn = (1 - F0) ** 2
    for b, tb, cm in truth_boxes:
        if "_strong" not in tb:
            continue
        t2, iy, ix, gfrac, pale = tb.pop("_strong")
        # what the clerk sees at the strongest point, against the paper there: the body through the film plus
        # the film's specular sheen under the hood's lights (linear light, its most absorbing channel)
        tc = np.exp(-2 * absorb[iy, ix].astype(np.float64))
        seen_c = tc * (1 - gfrac + gfrac * fresn) + gfrac * float(spec_i_f[iy, ix]) / refl[iy, ix].astype(np.float64)
        seen = float(seen_c.min())
        tb["passed_min"] = round(t2, 4)
        tb["passed_seen"] = round(seen, 4)
        lim_lo, lim_hi = (0.23, 0.17) if b["kind"] != "signature" else (0.2875, 0.2125)
        if (pale and seen < lim_lo) or (not pale and seen > lim_hi):
            tb["borderline"] = sorted(set(tb["borderline"] + ["pale"]))
    # radiance = irr * (body * (1 - gl + gl (1 - F0)^2) + gl * spec_ink + pap_gloss * (1 - gl) * spec_paper)
    k_body = irr_f * (1 - gloss * (1 - fresn))
    k_spec = irr_f * (gloss * spec_i_f + pap_gloss * (1 - gloss) * spec_p_f)
    del spec_p_f
    radiance = np.exp(-2 * absorb)
    del absorb
    radiance *= refl
    del refl
    radiance *= k_body[:, :, None]
    radiance += k_spec[:, :, None]
    del k_body, k_spec

    tick('# ---- camera: 12 MP portrait')
    # ---- camera: 12 MP portrait, homography + barrel distortion; optics as a Gaussian
    SW, SH = 3024, 4032
    fill = float(rng.uniform(0.86, 0.92))
    k_pxmm = fill * SH / PAGE_H
    theta = float(rng.normal(0, 0.4)) if rng.random() < 0.5 else float(rng.uniform(0.3, 1.5) * rng.choice([-1, 1]))
    t = math.radians(theta)
    c0 = np.array([SW / 2 + rng.normal(0, 0.01 * SW), SH / 2 + rng.normal(0, 0.01 * SH)])
    A = np.array([[k_pxmm * math.cos(t), -k_pxmm * math.sin(t), 0], [k_pxmm * math.sin(t), k_pxmm * math.cos(t), 0], [0, 0, 1]])
    T1 = np.array([[1, 0, -PAGE_W / 2], [0, 1, -PAGE_H / 2], [0, 0, 1]])
    T2 = np.array([[1, 0, c0[0]], [0, 1, c0[1]], [0, 0, 1]])
    Pp = np.array([[1, 0, 0], [0, 1, 0], [rng.normal(0, 2e-5) / 1, rng.normal(0, 2e-5), 1]])
    Hcam = T2 @ A @ Pp @ T1           # page mm -> undistorted sensor px
    k1 = float(rng.uniform(0.015, 0.04)) / (SH / 2) ** 2       # barrel: r' = r (1 - k1 r^2)
    cc = np.array([SW / 2, SH / 2])

    def distort(u, v, k):
        dx, dy = u - cc[0], v - cc[1]
        f = 1 - k * (dx * dx + dy * dy)
        return cc[0] + dx * f, cc[1] + dy * f

    def undistort(u, v, k):
        x, y = u.copy(), v.copy()
        for _ in range(6):
            dx, dy = x - cc[0], y - cc[1]
            f = 1 - k * (dx * dx + dy * dy)
            x, y = cc[0] + (u - cc[0]) / f, cc[1] + (v - cc[1]) / f
        return x, y

    def hmap(Hm, x, y):
        w = Hm[2, 0] * x + Hm[2, 1] * y + Hm[2, 2]
        return (Hm[0, 0] * x + Hm[0, 1] * y + Hm[0, 2]) / w, (Hm[1, 0] * x + Hm[1, 1] * y + Hm[1, 2]) / w

    Hinv = np.linalg.inv(Hcam)

    def sensor_to_render(u, v):
        x, y = undistort(u, v, k1)
        X_, Y_ = hmap(Hinv, x, y)
        return Y_ * G - 0.5, X_ * G - 0.5

    optics = math.hypot(float(rng.uniform(0.45, 0.8)), float(rng.uniform(0.3, 0.45))) * (G / k_pxmm)
    desk = float(rng.uniform(0.08, 0.18))
    s2r = tabled(lambda x, y: sensor_to_render(x, y), SH, SW)
    sv, su = np.mgrid[0:SH, 0:SW].astype(np.float32)
    rr_, cc_ = s2r(su, sv)
    del su, sv
    sensor = np.empty((SH, SW, 3), np.float32)
    for ch in range(3):
        img = ndimage.gaussian_filter(radiance[:, :, ch], optics)
        sensor[:, :, ch] = ndimage.map_coordinates(img, [rr_, cc_], order=1, mode="constant", cval=-1.0)
    del radiance, img
    outside = sensor[:, :, 1] < -0.5
    sensor[outside] = desk
    del rr_, cc_
    tick('# vignetting, white balance')
    # vignetting, white balance, exposure, noise, tone
    yy, xx = np.mgrid[0:SH:8, 0:SW:8].astype(np.float32)
    rad2 = ((xx - SW / 2) ** 2 + (yy - SH / 2) ** 2) / ((SW / 2) ** 2 + (SH / 2) ** 2)
    vig = 1 - float(rng.uniform(0.05, 0.14)) * rad2
    vig = ndimage.zoom(vig, (SH / vig.shape[0], SW / vig.shape[1]), order=1)[:SH, :SW]
    wb = np.array([1 + rng.normal(0, 0.03), 1.0, 1 + rng.normal(0, 0.03)], np.float32)
    expo = float(rng.uniform(0.95, 1.08)) / float(np.percentile(sensor[::8, ::8, 1], 90))
    sensor *= (vig[:, :, None] * wb[None, None, :] * expo)
    fw = float(rng.uniform(5000, 12000))
    rn = float(rng.uniform(0.001, 0.003))
    for ch in range(3):
        sc_ = sensor[:, :, ch]
        sc_ += rng2.standard_normal(sc_.shape, dtype=np.float32) * np.sqrt(np.clip(sc_, 0, None) / fw + rn * rn)
    bp = float(rng.uniform(0.01, 0.035))
    sensor -= bp
    sensor *= 1 / (1 - bp)
    np.clip(sensor, 0, 1, out=sensor)
    lut = np.round(srgb(np.linspace(0, 1, 4096)) * 255).astype(np.uint8)
    sensor8 = lut[np.round(sensor * 4095).astype(np.int32)]
    del sensor

    tick("# ---- the kiosk's software")
    # ---- the kiosk's software: corners found (with error), its own lens model, rectified to A4 at dpi
    k1_est = k1 * float(rng.uniform(0.97, 1.03))
    corners_mm = np.array([[0, 0], [PAGE_W, 0], [PAGE_W, PAGE_H], [0, PAGE_H]], float)
    su_, sv_ = hmap(Hcam, corners_mm[:, 0], corners_mm[:, 1])
    su_, sv_ = distort(su_, sv_, k1)
    err = float(rng.uniform(0.5, 2.0))
    su_ = su_ + rng.normal(0, err, 4)
    sv_ = sv_ + rng.normal(0, err, 4)
    uu, vv = undistort(su_, sv_, k1_est)
    ppm = dpi / 25.4
    OW, OH = int(round(PAGE_W * ppm)), int(round(PAGE_H * ppm))
    dst = np.array([[0, 0], [OW, 0], [OW, OH], [0, OH]], float)
    Mrows = []
    for (x, y), (u, v) in zip(dst, zip(uu, vv)):
        Mrows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, -u])
        Mrows.append([0, 0, 0, x, y, 1, -v * x, -v * y, -v])
    Mm = np.array(Mrows)
    _, _, vt = np.linalg.svd(Mm)
    Hsw = vt[-1].reshape(3, 3)
    Hsw /= Hsw[2, 2]                 # output px -> undistorted sensor px (as the software believes)
    Hsw_inv = np.linalg.inv(Hsw)

    def out_to_sensor(x, y):
        u, v = hmap(Hsw, x, y)
        return distort(u, v, k1_est)

    def page_to_out(X_, Y_):
        u, v = hmap(Hcam, np.asarray(X_, float), np.asarray(Y_, float))
        u, v = distort(u, v, k1)
        u, v = undistort(u, v, k1_est)
        return hmap(Hsw_inv, u, v)

    o2s = tabled(lambda x, y: out_to_sensor(x, y), OH, OW)
    ratio = (k_pxmm / ppm)    # sensor px per output px
    src = sensor8.astype(np.float32)
    if ratio > 1.05:
        for ch in range(3):
            src[:, :, ch] = ndimage.gaussian_filter(src[:, :, ch], 0.4 * ratio)
    outimg = np.empty((OH, OW, 3), np.uint8)
    step = 512
    for y0 in range(0, OH, step):
        oy_, ox_ = np.mgrid[y0:min(OH, y0 + step), 0:OW].astype(np.float32)
        u, v = o2s(ox_, oy_)
        for ch in range(3):
            outimg[y0:y0 + oy_.shape[0], :, ch] = np.clip(np.round(ndimage.map_coordinates(
                src[:, :, ch], [v - 0.5, u - 0.5], order=1, mode="nearest")), 0, 255).astype(np.uint8)
    del src, sensor8
    tick('# whitening by the software')
    # whitening by the software
    lum = outimg[::4, ::4].astype(np.float32).mean(axis=2)
    wp = float(np.percentile(lum, 92)) / 255.0
    tgt = float(rng.uniform(0.93, 0.985))
    wlut = np.clip(np.round(np.arange(256) * (tgt / max(wp, 0.05))), 0, 255).astype(np.uint8)
    outimg = wlut[outimg]

    tick('# ---- JPEG XL archive')
    # ---- JPEG XL archive (cjxl / djxl, one thread) and the export
    jxl_d = float(rng.uniform(0.8, 2.2))
    with tempfile.TemporaryDirectory() as td:
        pin_ = os.path.join(td, "a.ppm")
        PImage.fromarray(outimg).save(pin_)
        subprocess.run(["cjxl", pin_, os.path.join(td, "a.jxl"), "-d", "%.2f" % jxl_d, "-e", "2", "--num_threads=0", "--quiet"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["djxl", os.path.join(td, "a.jxl"), os.path.join(td, "b.ppm"), "--num_threads=0", "--quiet"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        final = PImage.open(os.path.join(td, "b.ppm")).convert("RGB")
        final.load()
    fmt = str(rng.choice(["png", "jpg", "tif"], p=[0.4, 0.4, 0.2]))
    in_file = bool(rng.random() < 0.8)
    fname = "%s.%s" % (stem, fmt)
    kw = {}
    if in_file:
        kw["dpi"] = (dpi, dpi)
    if fmt == "jpg":
        sub = int(rng.choice([2, 1, 0], p=[0.6, 0.25, 0.15]))
        final.save(os.path.join(outdir, fname), quality=int(rng.integers(82, 95)), subsampling=sub, **kw)
    elif fmt == "tif":
        final.save(os.path.join(outdir, fname), compression=str(rng.choice(["tiff_lzw", "tiff_adobe_deflate"])), **kw)
    else:
        final.save(os.path.join(outdir, fname), compress_level=4, **kw)

    tick('# ---- skew, box centres')
    # ---- skew, box centres, masks through the same two maps
    ax_, ay_ = page_to_out(np.array([40.0, 170.0]), np.array([PAGE_H / 2, PAGE_H / 2]))
    skew = math.degrees(math.atan2(ay_[1] - ay_[0], ax_[1] - ax_[0]))
    out_boxes = []
    for b, tb, cm in truth_boxes:
        bx, by = page_to_out(np.array([(b["x0"] + b["x1"]) / 2]), np.array([(b["y0"] + b["y1"]) / 2]))
        tb["box_centre_px"] = [round(float(bx[0]), 1), round(float(by[0]), 1)]
        if cm is not None:
            cov, ox, oy = cm
            h_, w_ = cov.shape
            cxs, cys = page_to_out(np.array([ox, ox + w_ / G, ox + w_ / G, ox]), np.array([oy, oy, oy + h_ / G, oy + h_ / G]))
            x0 = max(0, int(math.floor(cxs.min())) - 2)
            x1 = min(OW, int(math.ceil(cxs.max())) + 2)
            y0 = max(0, int(math.floor(cys.min())) - 2)
            y1 = min(OH, int(math.ceil(cys.max())) + 2)
            # sensor grid region
            su0, sv0 = o2s(np.array([x0, x1, x1, x0], float), np.array([y0, y0, y1, y1], float))
            u0, u1 = max(0, int(su0.min()) - 3), min(SW, int(su0.max()) + 4)
            v0, v1 = max(0, int(sv0.min()) - 3), min(SH, int(sv0.max()) + 4)
            sv2, su2 = np.mgrid[v0:v1, u0:u1].astype(np.float32)
            rr2, cc2 = s2r(su2, sv2)
            scov = ndimage.map_coordinates(cov, [rr2 - round(oy * G), cc2 - round(ox * G)], order=1, mode="constant", cval=0.0)
            oy2, ox2 = np.mgrid[y0:y1, x0:x1].astype(np.float32)
            u, v = o2s(ox2, oy2)
            ocov = ndimage.map_coordinates(scov, [v - 0.5 - v0, u - 0.5 - u0], order=1, mode="constant", cval=0.0)
            m = ocov >= 0.5
            if m.any():
                r_, c_ = np.nonzero(m)
                m = m[r_.min():r_.max() + 1, c_.min():c_.max() + 1]
                off = [x0 + int(c_.min()), y0 + int(r_.min())]
                mname = "%s.r%dc%d.mask.png" % (stem, tb["row"], tb["col"])
                PImage.fromarray((m * 255).astype(np.uint8), "L").save(os.path.join(outdir, mname))
                tb["mask"] = mname
                tb["mask_offset"] = off
        order = ["empty", "pale", "broken", "double", "smudged", "overlap_line", "tilted", "bg_not_white", "text_under", "off_color"]
        tb["defects"] = [d for d in order if d in tb["defects"]]
        out_boxes.append(tb)

    truth = dict(maker="kiosk", seed=seed, dpi=dpi, dpi_in_file=in_file, skew_deg=round(skew, 3), file=fname,
                 layout="cfca-xs application 签章采集表 (three samples)", firm=firm, person=person,
                 seal_face="Oradano Mincho GSRR", sign_face="Aoyagi Soseki", form_face="MigMix 1P",
                 legal_yin=legal_seal["yin"], line_mm=round(line_mm, 3), render_px_per_mm=G,
                 paper_tint=tint, print=dict(kind="screen-printed", mesh_mm=round(mesh, 3), od=round(ink_od, 2)),
                 ink=dict(model="Cook-Torrance", m_ink=round(m_ink, 3), m_paper=round(m_pap, 3), F0=F0),
                 capture=dict(kind="kiosk overhead camera", sensor=[SW, SH], fill=round(fill, 3), theta_deg=round(theta, 3),
                              k1=k1 * (SH / 2) ** 2, cam_h_mm=round(cam_h, 1), jxl_distance=round(jxl_d, 2), corner_err_px=round(err, 2)),
                 boxes=out_boxes)
    with open(os.path.join(outdir, stem + ".truth.json"), "w", encoding="utf-8") as f:
        json.dump(truth, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
