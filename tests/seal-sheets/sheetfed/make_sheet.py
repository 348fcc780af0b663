#!/usr/bin/python3
"""Maker F (issue 76, the sixth): a seal collection sheet as an offset-printed form on paper
with MyPaint's scanned paper grain, stamped with a pad whose ink thins impression after
impression, the ink a partial film mixed by the Yule–Nielsen / Demichel rule and wicked along
the paper's fibres, signed by a pen run along glyph skeletons, captured by a copier's sheet
feeder (mfp.py). Usage: make_sheet.py SEED OUTDIR INDEX → OUTDIR/NNN.<ext>, NNN.truth.json and
one NNN.rRcC.mask.png per inked box (truth.md)."""
import colorsys
import json
import math
import os
import sys

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faces  # noqa: E402
import mfp  # noqa: E402

cv2.setNumThreads(2)
PAPERS = "/usr/share/mypaint/backgrounds"
GRAIN_TILES = ["paper1_1", "paper1_2", "paper1_3", "paper2_1", "paper2_2", "paper3_1", "paper3_2",
               "paper5_1", "paper5_2"]

PLACES = ["北京", "上海", "天津", "重庆", "杭州", "苏州", "成都", "武汉", "西安", "沈阳", "大连",
          "青岛", "厦门", "长沙", "南宁", "昆明", "兰州", "太原", "合肥", "南昌", "济南", "郑州",
          "包头", "呼和浩特"]
BRANDS = ["恒信", "远达", "华瑞", "金石", "泰和", "鼎新", "博源", "永安", "中诚", "宏图", "瑞丰",
          "安泰", "明德", "汇通", "新星", "长河", "东海", "红星"]
TRADES = ["科技", "建筑工程", "商贸", "物流", "医疗器械", "环保设备", "信息技术", "食品", "电力安装",
          "文化传媒", "农业开发", "软件"]
SUFFIX = ["有限公司", "有限公司", "有限责任公司", "股份有限公司"]
USES = ["合同专用章", "财务专用章", "发票专用章", "业务专用章"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "超",
         "秀英", "霞", "平", "刚", "桂英", "建华", "国强", "志明", "海燕", "晓东", "红梅", "文博", "子涵",
         "浩然", "建国", "丽娟", "志刚"]


# ---------------------------------------------------------------- colour
def srgb_to_lin(c):
    c = np.asarray(c, float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lin_to_srgb(c):
    c = np.clip(np.asarray(c, float), 0, 1)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def hue_deg(rgb):
    h, s, v = colorsys.rgb_to_hsv(*[float(x) for x in rgb])
    h *= 360
    return h - 360 if h > 180 else h


def over_white(T, a, n):
    t = np.asarray(T) ** (1 / n)
    return ((1 - a) + a * t) ** n


def solve_a(T, A, n):
    tmin = float(np.min(T)) ** (1 / n)
    return (1 - (1 - A) ** (1 / n)) / (1 - tmin)


def seal_ink(rng, n, off):
    """A solid red (or off-colour) film T, linear, whose mixes with white keep their hue."""
    for _ in range(200):
        if off:
            h = rng.choice([-1, 1]) * rng.uniform(24, 44)
        else:
            h = rng.uniform(-5, 5)
        rgb = colorsys.hsv_to_rgb((h % 360) / 360, rng.uniform(0.86, 0.97), rng.uniform(0.78, 0.93))
        T = srgb_to_lin(rgb)
        ok = True
        for A in (0.16, 0.3, 0.7, 0.9):
            a = solve_a(T, A, n)
            if a > 0.97:
                ok = ok and A < 0.9
                continue
            c = over_white(T, a, n)
            hs, hl = hue_deg(lin_to_srgb(c)), hue_deg(c)
            if off:
                ok = ok and 21 <= abs(hs) <= 48 and 21 <= abs(hl) <= 48 and hs * h > 0 and hl * h > 0
            else:
                ok = ok and abs(hs) <= 6.5 and abs(hl) <= 6.5
        if ok:
            return T
    raise RuntimeError("no ink")


# ---------------------------------------------------------------- text of the form
def text_polys(s, x, y_top, size, fkey="ming", track=0.0):
    """Page-mm polylines of a line of text set on the em (not stretched), and its width."""
    f = faces.face(fkey)
    polys = []
    pen = x
    base = y_top + 0.86 * size
    for ch in s:
        if ch in " \u3000":
            pen += size * (0.5 if ch == " " else 1.0) + track
            continue
        if not f.has(ch):
            f = faces.face("ming")
        norm, _, (ex0, ey0, ex1, ey1) = f.glyph(ch)
        for p in norm:
            X = ex0 + p[:, 0] * (ex1 - ex0)
            Yup = ey1 - p[:, 1] * (ey1 - ey0)
            polys.append(np.stack([pen + X * size, base - Yup * size], 1))
        pen += (0.55 if ord(ch) < 128 else 1.0) * size + track
    return polys, pen - x


class Form:
    """The form's two printing plates (black and a spot colour), drawn by OpenCV with its own
    anti-aliasing into 8-bit coverage at the render grid."""

    def __init__(self, H, W, pxmm):
        self.k = pxmm
        self.black = np.zeros((H, W), np.uint8)
        self.spot = None
        self.tints = []  # (rect mm, tint, plate)

    def plate(self, spot):
        if spot:
            if self.spot is None:
                self.spot = np.zeros_like(self.black)
            return self.spot
        return self.black

    def poly(self, polys, spot=False, shift=(0.0, 0.0)):
        pts = [np.round(((p + np.array(shift)) * self.k - 0.5) * 16).astype(np.int32) for p in polys if len(p) > 2]
        if pts:
            cv2.fillPoly(self.plate(spot), pts, 255, cv2.LINE_AA, shift=4)

    def rect(self, x0, y0, x1, y1, spot=False):
        self.poly([np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])], spot)

    def text(self, s, x, y, size, fkey="ming", align="left", bold=0.0, spot=False, width=None, track=0.0):
        polys, w = text_polys(s, 0, 0, size, fkey, track)
        if align == "center":
            x = x + (width - w) / 2
        elif align == "right":
            x = x - w
        polys = [p + np.array([x, y]) for p in polys]
        if bold > 0:
            for dx, dy in ((0, 0), (bold, 0), (0, bold * 0.6)):
                self.poly([p + np.array([dx, dy]) for p in polys], spot)
        else:
            self.poly(polys, spot)
        return w


def screen_tint(shape_hw, x0, y0, tint, lpi, angle, pxmm):
    """AM halftone (round dot) coverage of a tint over a window at render pixels (x0, y0)."""
    h, w = shape_hw
    yy, xx = np.mgrid[y0:y0 + h, x0:x0 + w].astype(np.float32)
    p = 25.4 / lpi * pxmm
    a = math.radians(angle)
    u = (xx * math.cos(a) + yy * math.sin(a)) * 2 * math.pi / p
    v = (-xx * math.sin(a) + yy * math.cos(a)) * 2 * math.pi / p
    f = (np.cos(u) + np.cos(v)) / 2
    ref = (np.cos(np.linspace(0, 2 * math.pi, 64, endpoint=False))[:, None]
           + np.cos(np.linspace(0, 2 * math.pi, 64, endpoint=False))[None, :]) / 2
    thr = float(np.quantile(ref, 1 - tint))
    grad = math.pi / p
    return np.clip((f - thr) / (2 * grad) + 0.5, 0, 1)


# ---------------------------------------------------------------- layouts
def layout(rng, name, firm):
    """Page in mm: a list of drawing ops and the sample boxes."""
    ops = []
    boxes = []
    tw = rng.uniform(168, 180)
    left = (210 - tw) / 2 + rng.uniform(-3, 3)
    lw = rng.uniform(0.18, 0.45)
    lwo = lw * rng.choice([1.0, 1.0, rng.uniform(1.5, 2.2)])
    y = rng.uniform(16, 24)
    fk = "ming" if rng.random() < 0.6 else "hei"
    spot = rng.random() < 0.3
    tint = rng.choice([0.0, rng.uniform(0.08, 0.2)])
    row_no = [0]

    def title(s, size=6.0):
        nonlocal y
        ops.append(("text", s, left, y, size, "hei", "center", 0.12, spot, tw))
        y += size + rng.uniform(3, 5)

    def line(s, size=3.6, bold=0.0):
        nonlocal y
        ops.append(("text", s, left, y, size, fk, "left", bold, False, None))
        y += size * 1.55

    def table(rows, cols):
        """rows: list of (height, kind) with kind 'caption:TEXT', 'num:PREFIX', 'info:[cells]' or a
        box kind; cols: column widths. Draws the rules and records the boxes."""
        nonlocal y
        y += 2.0
        xs = np.concatenate([[left], left + np.cumsum(cols)])
        xs[-1] = left + tw
        ys = [y]
        for h, _ in rows:
            ys.append(ys[-1] + h)
        for i, yy in enumerate(ys):
            w_ = lwo if i in (0, len(ys) - 1) else lw
            ops.append(("rect", xs[0] - lwo / 2, yy - w_ / 2, xs[-1] + lwo / 2, yy + w_ / 2))
        for r, (h, kind) in enumerate(rows):
            y0, y1 = ys[r], ys[r + 1]
            if kind.startswith("caption:"):
                for j in (0, len(xs) - 1):
                    w_ = lwo
                    ops.append(("rect", xs[j] - w_ / 2, y0, xs[j] + w_ / 2, y1))
                if tint > 0:
                    ops.append(("tint", xs[0] + lw / 2, y0 + lw / 2, xs[-1] - lw / 2, y1 - lw / 2, tint, spot))
                s = kind[8:]
                ops.append(("text", s, xs[0], y0 + (h - 3.7) / 2, 3.7, fk, "center", 0.1, False, xs[-1] - xs[0]))
                continue
            if kind.startswith("info:"):
                cells = kind[5:].split("|")
                cx = [left] + [left + tw * float(c.split("@")[1]) for c in cells[1:]] + [left + tw]
                for j, xx in enumerate(cx):
                    w_ = lwo if j in (0, len(cx) - 1) else lw
                    ops.append(("rect", xx - w_ / 2, y0, xx + w_ / 2, y1))
                for j, c in enumerate(cells):
                    t = c.split("@")[0]
                    ops.append(("text", t, cx[j] + 1.5, y0 + (h - 3.6) / 2, 3.6, fk, "left", 0.0, False, None))
                continue
            for j, xx in enumerate(xs):
                w_ = lwo if j in (0, len(xs) - 1) else lw
                ops.append(("rect", xx - w_ / 2, y0, xx + w_ / 2, y1))
            if kind.startswith("num:"):
                for j in range(len(xs) - 1):
                    ops.append(("text", f"{kind[4:]} {j + 1}", xs[j], y0 + (h - 3.4) / 2, 3.4, fk, "center",
                                0.0, False, xs[j + 1] - xs[j]))
                continue
            for j in range(len(xs) - 1):
                wl = lwo if j == 0 else lw
                wr = lwo if j == len(xs) - 2 else lw
                wt = lwo if r == 0 else lw
                wb = lwo if r == len(rows) - 1 else lw
                boxes.append({"row": row_no[0], "col": j, "kind": kind,
                              "inner": (xs[j] + wl / 2, y0 + wt / 2, xs[j + 1] - wr / 2, y1 - wb / 2)})
            row_no[0] += 1
        y = ys[-1] + rng.uniform(4, 7)

    three = [tw / 3] * 3
    if name == "netca":
        title(rng.choice(["电子印章申请表", "电子印章采集表"]))
        table([(9, f"info:单位名称：|{firm}@0.18"), (9, "info:公章管理员：|联系电话：@0.5")], three)
        rows = []
        for cap, kind, h in (("机构印章采集（油印适中，每枚印章采集三个样本）", "official_seal", rng.uniform(48, 54)),
                             ("法人印章采集（油印适中，每枚印章采集三个样本）", "legal_rep_seal", rng.uniform(34, 40)),
                             ("法人签字采集（字迹清晰，每枚签字采集三个样本）", "signature", rng.uniform(30, 35)),
                             ("使用人签字采集（字迹清晰，每枚签字采集三个样本）", "signature", rng.uniform(30, 33))):
            rows += [(8, "caption:" + cap), (h, kind)]
        table(rows, three)
        line("CA 客服受理人：　　　　　　　　受理日期：　　年　　月　　日")
    elif name == "snca":
        line("附件：3", 3.8, 0.1)
        for head, kind, h, num in (("公章采集表", "official_seal", rng.uniform(50, 56), "签章"),
                                   ("法人签字采集表", "signature", rng.uniform(33, 37), "签字"),
                                   ("法人签章采集表", "legal_rep_seal", rng.uniform(38, 42), "签章")):
            title(head, 5.0)
            line("【为保证采集到最清晰的电子签章，请在下表方格内居中盖章三次，切勿压线，保持页面整洁】", 3.3)
            table([(h, kind), (8, "num:" + num)], three)
    elif name == "bjca":
        personal = rng.random() < 0.5
        title("个人电子印章采样表" if personal else "单位电子印章采样表")
        line("说明：", 3.6, 0.1)
        line("1、单位名称请填写单位全称，与印章使用的单位名称相同。")
        line("2、请务必确保电子签章图形采样区域清晰度和整洁性，印章必须确保盖在空白区内。")
        line("3、为确保采样的清晰度和成功率，需要反复进行4次采样，请尽可能确保每次采样的清晰与完整。")
        line("4、保证用于印章采样的桌面平整。")
        line("5、蘸足够印泥（印章自带印油除外），用力加盖印章，确保印章图形清晰、完整、无形变。")
        kind = ("signature" if rng.random() < 0.6 else "legal_rep_seal") if personal else "official_seal"
        h = rng.uniform(56, 64)
        cap = ("电子签章图形采样（请在区域内用手写签名或加盖个人私章，反复进行4次）" if personal
               else "电子签章图形采样（请在区域内加盖单位公章，重复操作4次）")
        table([(10, f"info:单位名称：|{firm}@0.18"), (14, "info:备注：|@0.18"), (8, "caption:" + cap),
               (h, kind), (h, kind)], [tw / 2, tw / 2])
    else:  # nmg
        line("附件二：", 3.8, 0.1)
        title("“政府采购电子签章”单位申请表", 5.4)
        table([(8, "info:本单位委托以下人员办理数字证书事宜"), (9, "info:姓　名*：|身份证号*：@0.5"),
               (9, "info:移动电话*：|电子邮箱*：@0.5"),
               (8, "caption:单位公章采集（本栏需采集三个样本，标准印章如附件三）"), (rng.uniform(50, 54), "official_seal"),
               (8, "caption:法定代表人私章采集（本栏需采集三个样本）"), (rng.uniform(34, 38), "legal_rep_seal"),
               (8, "caption:法定代表人签名采集（请签写三次）"), (rng.uniform(31, 34), "signature")],
              [tw * 0.35, tw * 0.35, tw * 0.30])
        line("本单位同意提交以上信息及认证资料用于CA数字证书的申请，保证提交的所有信息及认证资料均真实有效。", 3.4)
        line("　　　　　　　　　　　　　　　　　　　　　　单位公章：", 3.6)
        y += 12
        line("　　　　　　　　　　　　　　　　　　　　　　申请日期：　　年　　月　　日", 3.6)
    return ops, boxes, spot


# ---------------------------------------------------------------- the stamp on paper
def foam(rng, shape, pxmm):
    """The pad's foam: cells whose borders hold less ink (zero mean, ~unit spread)."""
    h, w = shape
    pts = np.full((h, w), 255, np.uint8)
    cell = rng.uniform(0.5, 1.2) * pxmm
    n = max(4, int(h * w / cell ** 2))
    pts[rng.integers(0, h, n), rng.integers(0, w, n)] = 0
    d = cv2.distanceTransform(pts, cv2.DIST_L2, 3)
    f = np.exp(-d / (0.35 * cell))
    return ((f - f.mean()) / (f.std() + 1e-6)).astype(np.float32)


def fibre_kernel(angle, pxmm, rng):
    sa, sc = rng.uniform(0.035, 0.075) * pxmm, rng.uniform(0.012, 0.02) * pxmm
    r = int(math.ceil(3 * sa)) + 1
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1].astype(np.float32)
    c, s = math.cos(angle), math.sin(angle)
    u, v = c * xx + s * yy, -s * xx + c * yy
    k = np.exp(-0.5 * ((u / sa) ** 2 + (v / max(sc, 0.3)) ** 2))
    return (k / k.sum()).astype(np.float32)


class Page:
    def __init__(self, rng, pxmm):
        self.k = pxmm
        self.W, self.H = int(round(210 * pxmm)), int(round(297 * pxmm))
        self.rng = rng
        self.n = rng.uniform(1.6, 2.4)  # Yule–Nielsen factor of this paper
        self.fibre = math.radians(rng.choice([0.0, 90.0]) + rng.uniform(-6, 6))
        self.fk = fibre_kernel(self.fibre, pxmm, rng)
        self.wick = rng.uniform(0.3, 0.6)
        self.grain = self._grain()
        base = np.array([rng.uniform(0.89, 0.915), rng.uniform(0.895, 0.92), rng.uniform(0.9, 0.935)])
        self.tinted = rng.random() < 0.06
        if self.tinted:
            kind = rng.integers(0, 4)
            D = [np.array([0.02, 0.05, rng.uniform(0.24, 0.34)]),
                 np.array([0.01, rng.uniform(0.2, 0.28), 0.1]),
                 np.array([rng.uniform(0.22, 0.3), 0.1, 0.015]),
                 np.array([rng.uniform(0.2, 0.28), 0.04, rng.uniform(0.2, 0.28)])][kind]
            base = base * 10 ** (-D)
        amp = rng.uniform(0.004, 0.01)
        self.ch = [(b * (1 + amp * self.grain)).astype(np.float32) for b in base]

    def _grain(self):
        rng, k = self.rng, self.k
        g = np.zeros((self.H, self.W), np.float32)
        for name in rng.choice(GRAIN_TILES, 2, replace=False):
            t = cv2.imread(f"{PAPERS}/{name}.png", cv2.IMREAD_GRAYSCALE).astype(np.float32)
            t = (t - t.mean()) / (t.std() + 1e-6)
            if rng.random() < 0.5:
                t = t.T.copy()
            side = max(8, int(round(64 * rng.uniform(0.04, 0.09) * k)))
            # resized as a 3 × 3 mosaic so that the seamless tile stays seamless
            t = cv2.resize(np.tile(t, (3, 3)), (3 * side, 3 * side), interpolation=cv2.INTER_CUBIC)[side:2 * side, side:2 * side]
            ny, nx = self.H // side + 2, self.W // side + 2
            oy, ox = rng.integers(0, side, 2)
            g += rng.uniform(0.5, 1.0) * np.tile(t, (ny, nx))[oy:oy + self.H, ox:ox + self.W]
        # formation: fibre flocs stretched along the machine direction
        sw, sh = self.W // 8, self.H // 8
        f = rng.standard_normal((sh, sw)).astype(np.float32)
        f = cv2.filter2D(f, -1, fibre_kernel(self.fibre, 4.0, rng))
        f = cv2.GaussianBlur(f, (0, 0), 1.2)
        f = cv2.resize((f - f.mean()) / (f.std() + 1e-6), (self.W, self.H), interpolation=cv2.INTER_LINEAR)
        g += rng.uniform(0.4, 0.9) * f
        return (g / (g.std() + 1e-6)).astype(np.float32)

    def multiply(self, x0, y0, fac3):
        """page[c][window] *= fac3[c] (window clipped to the page)."""
        h, w = fac3[0].shape
        a0, b0 = max(0, x0), max(0, y0)
        a1, b1 = min(self.W, x0 + w), min(self.H, y0 + h)
        if a1 <= a0 or b1 <= b0:
            return
        for c in range(3):
            self.ch[c][b0:b1, a0:a1] *= fac3[c][b0 - y0:b1 - y0, a0 - x0:a1 - x0]

    def ink(self, a, x0, y0, T, n=None):
        """A film of coverage a (render crop) with solid film T, Yule–Nielsen / Demichel."""
        n = n or self.n
        a = np.clip(a, 0, 1)
        self.multiply(x0, y0, [((1 - a) + a * float(t) ** (1 / n)) ** n for t in T])

    def wick_in(self, a):
        return (1 - self.wick) * a + self.wick * cv2.filter2D(a, -1, self.fk, borderType=cv2.BORDER_CONSTANT)

    def grain_at(self, x0, y0, h, w):
        out = np.zeros((h, w), np.float32)
        a0, b0 = max(0, x0), max(0, y0)
        a1, b1 = min(self.W, x0 + w), min(self.H, y0 + h)
        out[b0 - y0:b1 - y0, a0 - x0:a1 - x0] = self.grain[b0:b1, a0:a1]
        return out


def union(layers):
    """Layers (cov, x0, y0) → one crop holding their maximum."""
    x0 = min(l[1] for l in layers)
    y0 = min(l[2] for l in layers)
    x1 = max(l[1] + l[0].shape[1] for l in layers)
    y1 = max(l[2] + l[0].shape[0] for l in layers)
    out = np.zeros((y1 - y0, x1 - x0), np.float32)
    for c, a, b in layers:
        sl = out[b - y0:b - y0 + c.shape[0], a - x0:a - x0 + c.shape[1]]
        np.maximum(sl, c, out=sl)
    return out, x0, y0


def reach_mm(cov, x0, y0, inner, pxmm):
    """How far the ink (coverage ≥ 0.5) reaches past the box's inner edge (mm; < 0: short of it)."""
    ys, xs = np.nonzero(cov >= 0.5)
    if len(xs) == 0:
        return -99.0
    X = (xs + x0 + 0.5) / pxmm
    Y = (ys + y0 + 0.5) / pxmm
    ix0, iy0, ix1, iy1 = inner
    return float(np.max(np.maximum.reduce([ix0 - X, X - ix1, iy0 - Y, Y - iy1])))


def shift_layer(cov, dx, dy):
    """Translate a crop by (dx, dy) render px on a padded canvas (bilinear)."""
    p = int(math.ceil(max(abs(dx), abs(dy)))) + 2
    h, w = cov.shape
    M = np.float32([[1, 0, dx + p], [0, 1, dy + p]])
    return cv2.warpAffine(cov, M, (w + 2 * p, h + 2 * p), flags=cv2.INTER_LINEAR), p


# ---------------------------------------------------------------- the sheet
def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng(seed)
    dpi = int(rng.choice([150, 200, 300, 400, 600], p=[0.1, 0.12, 0.5, 0.14, 0.14]))
    if os.environ.get("SEAL_SHEET_DPI"):
        dpi = int(os.environ["SEAL_SHEET_DPI"])
    ratio = {150: 2.0, 200: 2.0, 300: 1.5, 400: 1.0, 600: 1.0}.get(dpi, 1.0)
    pxmm = dpi * ratio / 25.4
    stem = f"{index:03d}"

    firm = rng.choice(PLACES) + rng.choice(BRANDS) + rng.choice(TRADES) + rng.choice(SUFFIX)
    legal_name = rng.choice(list(SURNAMES)) + rng.choice(GIVEN)
    user_name = rng.choice(list(SURNAMES)) + rng.choice(GIVEN)
    tpl = rng.choice(["netca", "snca", "bjca", "nmg"])
    ops, boxes, spot = layout(rng, tpl, firm)

    page = Page(rng, pxmm)
    form = Form(page.H, page.W, pxmm)

    # the seals of this firm: one 公章 and one 法人章, pressed again and again
    off_name = firm if len(firm) <= 16 else firm[:16]
    d = rng.uniform(38.5, 44.5)
    off_spec = {"d": d, "ring": rng.uniform(0.9, 1.5), "inner_ring": rng.random() < 0.15,
                "star": rng.uniform(0.28, 0.34), "name": off_name, "span": rng.uniform(205, 250),
                "ch_h": d * rng.uniform(0.15, 0.19), "gap": rng.uniform(0.5, 1.0),
                "squeeze": rng.uniform(0.72, 0.92), "font": "ming" if rng.random() < 0.55 else "hei",
                "bold": 0.0}
    off_spec["bold"] = rng.uniform(0.06, 0.18) if off_spec["font"] == "ming" else rng.uniform(0.02, 0.1)
    if rng.random() < 0.35:
        off_spec.update(use=rng.choice(USES), use_h=rng.uniform(3.4, 4.4))
    if rng.random() < 0.4:
        off_spec.update(code="".join(str(x) for x in rng.integers(0, 10, 13)), code_h=rng.uniform(2.0, 2.7),
                        code_span=rng.uniform(70, 100))
    if rng.random() < 0.65:
        lw_ = lh_ = rng.uniform(15.5, 21.5)
    else:
        long_, asp = rng.uniform(17, 22), rng.uniform(1.3, 1.6)
        lw_, lh_ = (long_, long_ / asp) if rng.random() < 0.5 else (long_ / asp, long_)
    chars = list(legal_name) + (["之", "印"] if len(legal_name) == 2 else ["印"])
    if len(chars) == 4 and lw_ > lh_ * 1.25 and rng.random() < 0.5:
        cells = [(j * 0.25, 0, 0.25, 1) for j in range(4)]
    else:
        cells = [(0.5, 0, 0.5, 0.5), (0.5, 0.5, 0.5, 0.5), (0, 0, 0.5, 0.5), (0, 0.5, 0.5, 0.5)]
    legal_spec = {"w": lw_, "h": lh_, "frame": rng.uniform(0.55, 1.1), "pad": rng.uniform(0.35, 0.8),
                  "yin": rng.random() < 0.2, "font": "ming" if rng.random() < 0.5 else "hei",
                  "chars": chars, "cells": cells}
    legal_spec["bold"] = rng.uniform(0.08, 0.22) if legal_spec["font"] == "ming" else rng.uniform(0.02, 0.1)

    pad_state = {"official_seal": [rng.uniform(0.8, 0.92), 0], "legal_rep_seal": [rng.uniform(0.8, 0.92), 0]}
    red = {"official_seal": seal_ink(rng, page.n, False), "legal_rep_seal": seal_ink(rng, page.n, False)}
    pen_T = srgb_to_lin(np.array([[38, 52, 142], [28, 28, 34], [30, 38, 86]][rng.integers(0, 3)]) / 255.0)
    sig_common = {"font": "hei" if rng.random() < 0.6 else "ming", "pen": rng.uniform(0.35, 0.62),
                  "slant": rng.uniform(6, 20), "advance": rng.uniform(0.68, 0.92)}

    seal_defects = ["double", "smudged", "broken", "pale", "off_color", "tilted", "overlap_line",
                    "bg_not_white", "text_under"]
    weights = np.array([13, 12, 13, 13, 8, 13, 12, 8, 8], float)
    second = ["tilted", "bg_not_white", "text_under", "overlap_line", "double", "pale"]
    exclusive = {"double", "smudged", "broken"}

    plans = []
    for b in boxes:
        ix0, iy0, ix1, iy1 = b["inner"]
        cx, cy = (ix0 + ix1) / 2, (iy0 + iy1) / 2
        plan = {"box": b, "defects": [], "empty": rng.random() < 0.1}
        if b["kind"] == "signature":
            if not plan["empty"]:
                r = rng.random()
                if r < 0.12:
                    plan["defects"].append("overlap_line")
                elif r < 0.2:
                    plan["defects"].append("bg_not_white")
        elif not plan["empty"]:
            if rng.random() < 0.55:
                plan["defects"].append(seal_defects[rng.choice(len(seal_defects), p=weights / weights.sum())])
                if rng.random() < 0.18:
                    cand = [x for x in second if x not in plan["defects"]
                            and not (x in exclusive and plan["defects"][0] in exclusive)
                            and not ({x, plan["defects"][0]} == {"pale", "off_color"})]
                    plan["defects"].append(cand[rng.integers(len(cand))])
        if plan["empty"] and rng.random() < 0.06:
            plan["defects"].append("bg_not_white")
        if page.tinted and "bg_not_white" not in plan["defects"]:
            plan["defects"].append("bg_not_white")
        # where the face goes
        kind = b["kind"]
        rot = rng.uniform(-2.5, 2.5)
        if "tilted" in plan["defects"]:
            rot = rng.choice([-1, 1]) * rng.uniform(10, 30)
        if kind == "official_seal":
            ex = ey = d / 2
        elif kind == "legal_rep_seal":
            t = math.radians(rot)
            ex = (lw_ * abs(math.cos(t)) + lh_ * abs(math.sin(t))) / 2
            ey = (lw_ * abs(math.sin(t)) + lh_ * abs(math.cos(t))) / 2
        else:
            ex, ey = 16.0, 7.0
        roomx = max(0.0, (ix1 - ix0) / 2 - ex - 0.9)
        roomy = max(0.0, (iy1 - iy0) / 2 - ey - 0.9)
        px = cx + rng.uniform(-1, 1) * min(2.0, roomx)
        py = cy + rng.uniform(-1, 1) * min(2.0, roomy)
        push = None
        if "overlap_line" in plan["defects"] and kind != "signature":
            side = rng.choice(["l", "r", "t", "b"])
            push = rng.uniform(1.2, 3.5)
            if side == "l":
                px = ix0 + ex - push
            elif side == "r":
                px = ix1 - ex + push
            elif side == "t":
                py = iy0 + ey - push
            else:
                py = iy1 - ey + push
        plan.update(cx=px, cy=py, rot=rot, push=push)
        if "text_under" in plan["defects"]:
            s = rng.choice(["（盖章）", "签章处", "年　月　日", "单位盖章", "样本"])
            size = rng.uniform(3.8, 5.0)
            wtxt = text_polys(s, 0, 0, size, "ming")[1]
            ops.append(("text", s, px - wtxt / 2 + rng.uniform(-2, 2), py + rng.uniform(-0.3, 0.25) * min(ex, ey),
                        size, "ming", "left", 0.06, False, None))
        plans.append(plan)

    # ---- the form, offset printed: black plate, a spot plate misregistered, tints screened
    spot_shift = (rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3))
    spot_T = srgb_to_lin(np.array([[20, 90, 170], [0, 120, 120], [60, 60, 150]][rng.integers(0, 3)]) / 255.0)
    for op in ops:
        if op[0] == "rect":
            form.rect(*op[1:])
        elif op[0] == "text":
            _, s, x, yy, size, fk, align, bold, sp, width = op
            if sp:
                polys, w = text_polys(s, 0, 0, size, fk)
                xx = x + ((width - w) / 2 if align == "center" else 0)
                for dx, dy in ((0, 0), (bold, 0), (0, bold * 0.6)):
                    form.poly([p + np.array([xx + dx, yy + dy]) for p in polys], True, spot_shift)
            else:
                form.text(s, x, yy, size, fk, align, bold, False, width)
    for op in ops:
        if op[0] == "tint":
            _, x0, y0, x1, y1, t, sp = op
            a0, b0 = int((x0 + (spot_shift[0] if sp else 0)) * pxmm), int((y0 + (spot_shift[1] if sp else 0)) * pxmm)
            a1, b1 = int((x1 + (spot_shift[0] if sp else 0)) * pxmm), int((y1 + (spot_shift[1] if sp else 0)) * pxmm)
            cov = screen_tint((b1 - b0, a1 - a0), a0, b0, t, rng.uniform(133, 175), 15 if sp else 45, pxmm)
            pl = form.plate(sp)
            pl[b0:b1, a0:a1] = np.maximum(pl[b0:b1, a0:a1], (cov * 255).astype(np.uint8))
    # ink keys: the black's density across the sheet, zone by zone
    zones = 1 + rng.uniform(0.02, 0.06) * rng.standard_normal(9)
    zx = np.interp(np.arange(page.W), np.linspace(0, page.W, 9), zones).astype(np.float32)
    K = srgb_to_lin(np.full(3, rng.uniform(0.16, 0.24)))
    kb = form.black.astype(np.float32) / 255
    for c in range(3):
        page.ch[c] *= 1 - kb * (1 - float(K[c]) ** zx[None, :])
    del kb
    if form.spot is not None:
        ks = form.spot.astype(np.float32) / 255
        for c in range(3):
            page.ch[c] *= 1 - ks * (1 - float(spot_T[c]))
        del ks

    # ---- stains in their boxes
    for plan in plans:
        if "bg_not_white" not in plan["defects"] or page.tinted:
            continue
        ix0, iy0, ix1, iy1 = plan["box"]["inner"]
        x0, y0 = int((ix0 + 1) * pxmm), int((iy0 + 1) * pxmm)
        w, h = int((ix1 - ix0 - 2) * pxmm), int((iy1 - iy0 - 2) * pxmm)
        if rng.random() < 0.45:  # yellowed tape across the box
            tape = np.zeros((h, w), np.uint8)
            tw_ = rng.uniform(12, 19) * pxmm
            ang = math.radians(rng.uniform(-4, 4))
            L = rng.uniform(0.55, 0.9) * w
            ccx, ccy = w / 2 + rng.uniform(-0.1, 0.1) * w, h / 2 + rng.uniform(-0.15, 0.15) * h
            box = cv2.boxPoints(((ccx, ccy), (L, min(tw_, h * 0.8)), math.degrees(ang)))
            cv2.fillPoly(tape, [np.round(box * 16).astype(np.int32)], 255, cv2.LINE_AA, shift=4)
            cov = tape.astype(np.float32) / 255
            edge = cv2.morphologyEx(tape, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)).astype(np.float32) / 255
            D = np.array([0.015, rng.uniform(0.06, 0.1), rng.uniform(0.2, 0.3)])
            dens = cov[None] * D[:, None, None] + 0.05 * edge[None]
        else:  # a tea or rust blot wicked along the fibres
            sm = np.zeros((max(4, h // 8), max(4, w // 8)), np.float32)
            for _ in range(rng.integers(2, 5)):
                bx, by = rng.uniform(0.25, 0.75) * sm.shape[1], rng.uniform(0.25, 0.75) * sm.shape[0]
                r = rng.uniform(0.12, 0.25) * min(sm.shape)
                yy, xx = np.mgrid[0:sm.shape[0], 0:sm.shape[1]]
                sm += np.exp(-((xx - bx) ** 2 + (yy - by) ** 2) / (2 * r * r)).astype(np.float32)
            sm += 0.12 * cv2.GaussianBlur(rng.standard_normal(sm.shape).astype(np.float32), (0, 0), 1.5)
            big = cv2.resize(sm, (w, h), interpolation=cv2.INTER_LINEAR)
            cov = np.clip((big - 0.45) * 6, 0, 1)
            cov = cv2.filter2D(cov, -1, fibre_kernel(page.fibre, pxmm, rng))
            tide = np.clip(1 - np.abs(cov - 0.55) * 4, 0, 1)
            col = np.array([0.08, 0.15, 0.27]) * rng.uniform(0.9, 1.25)
            dens = cov[None] * col[:, None, None] + 0.5 * tide[None] * col[:, None, None]
        # the stain stays inside its box: faded out over the last 2.5 mm of the window
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        edge = np.minimum(np.minimum(xx, w - 1 - xx), np.minimum(yy, h - 1 - yy)) / (2.5 * pxmm)
        dens = dens * np.clip(edge, 0, 1)[None]
        page.multiply(x0, y0, [10 ** (-dens[c]) for c in range(3)])

    # ---- the impressions
    truth_boxes = []
    for plan in plans:
        b = plan["box"]
        kind = b["kind"]
        inner = b["inner"]
        out = {"row": b["row"], "col": b["col"], "kind": kind, "empty": plan["empty"]}
        defects = list(plan["defects"])
        borderline = []
        extra = {}
        if plan["empty"]:
            out["defects"] = sorted(set(defects + ["empty"]))
            out["borderline"] = []
            truth_boxes.append((out, None, plan))
            continue
        cx, cy, rot = plan["cx"], plan["cy"], plan["rot"]
        if kind == "signature":
            spec = dict(sig_common, name=legal_name if b["row"] % 2 == 0 or tpl == "bjca" else user_name,
                        ch_h=rng.uniform(7.5, 10.5), wave=rng.uniform(0.3, 0.9), wave_len=rng.uniform(3, 8),
                        phase=rng.uniform(0, 6.3), underline=rng.random() < 0.25, rot=rot)
            cov, x0, y0 = faces.signature_face(spec, cx, cy, pxmm, rng)
            ys, xs = np.nonzero(cov >= 0.5)
            if "overlap_line" in defects:
                side = rng.choice(["l", "r", "b", "t"], p=[0.25, 0.25, 0.35, 0.15])
                push = rng.uniform(1.2, 3.5) * pxmm
                lo_x, hi_x = (xs.min() + x0 + 0.5) / pxmm, (xs.max() + x0 + 0.5) / pxmm
                lo_y, hi_y = (ys.min() + y0 + 0.5) / pxmm, (ys.max() + y0 + 0.5) / pxmm
                if side == "l":
                    x0 += int(round((inner[0] - lo_x) * pxmm - push))
                elif side == "r":
                    x0 += int(round((inner[2] - hi_x) * pxmm + push))
                elif side == "t":
                    y0 += int(round((inner[1] - lo_y) * pxmm - push))
                else:
                    y0 += int(round((inner[3] - hi_y) * pxmm + push))
            skips = np.clip(1 - 0.5 * (cv2.GaussianBlur(rng.random(cov.shape).astype(np.float32), (0, 0), 0.05 * pxmm)
                                       < 0.47), 0.5, 1)
            a = cov * rng.uniform(0.85, 0.98) * skips
            page.ink(page.wick_in(a), x0, y0, pen_T, n=page.n)
            pressings = [(cov, x0, y0)]
            full = pressings
            extra["tilt_deg"] = round(rot, 2)
        else:
            spec = off_spec if kind == "official_seal" else legal_spec
            drawf = faces.official_face if kind == "official_seal" else faces.legal_face
            cov, x0, y0 = drawf(spec, cx, cy, math.radians(rot), pxmm)
            # the ink this pressing carries
            st = pad_state[kind]
            if rng.random() < 0.3:
                st[0], st[1] = rng.uniform(0.8, 0.92), 0
            A = max(0.68, st[0] * 0.975 ** st[1])
            st[1] += 1
            T = red[kind]
            if "off_color" in defects:
                T = seal_ink(rng, page.n, True)
            if "pale" in defects:
                A = rng.uniform(0.14, 0.32)
            a0 = min(0.97, solve_a(T, A, page.n))
            g = page.grain_at(x0, y0, *cov.shape)
            plane_ang = rng.uniform(0, 2 * math.pi)
            yy, xx = np.mgrid[0:cov.shape[0], 0:cov.shape[1]].astype(np.float32)
            plane = 1 + rng.uniform(0, 0.1) * ((xx - cov.shape[1] / 2) * math.cos(plane_ang)
                                              + (yy - cov.shape[0] / 2) * math.sin(plane_ang)) / (cov.shape[1] / 2)
            press = np.clip((1 + rng.uniform(0.04, 0.1) * foam(rng, cov.shape, pxmm)) * plane, 0.6, 1.4)
            recept = np.clip(1 + rng.uniform(0.03, 0.08) * g, 0.7, 1.3)
            keep = np.ones_like(cov)
            full_cov = cov
            if "broken" in defects:
                keep = broken_keep(rng, kind, cov, cx, cy, x0, y0, spec, pxmm, math.radians(rot))
                cov = cov * keep
                extra["broken"] = True
            a = np.clip(a0 * press * recept, 0, 1) * cov
            pressings = []
            full = [(full_cov, x0, y0)]
            if "smudged" in defects:
                L = rng.uniform(0.75, 1.3)
                ang = rng.uniform(0, 2 * math.pi)
                steps = max(6, int(L * pxmm * 2))
                tot = 1 - a * 0.9
                trail = [cov]
                pad_ = int(math.ceil(L * pxmm)) + 3
                A_ = np.zeros((cov.shape[0] + 2 * pad_, cov.shape[1] + 2 * pad_), np.float32)
                C_ = np.zeros_like(A_)
                A_[pad_:-pad_, pad_:-pad_] = a
                C_[pad_:-pad_, pad_:-pad_] = cov
                keep_tot = 1 - A_ * 0.9
                cmax = C_.copy()
                bend = rng.uniform(-0.25, 0.25)
                wend = rng.uniform(0.25, 0.5)
                for i in range(1, steps + 1):
                    t = i / steps
                    dx = L * pxmm * t * math.cos(ang + bend * t)
                    dy = L * pxmm * t * math.sin(ang + bend * t)
                    M = np.float32([[1, 0, dx], [0, 1, dy]])
                    ai = cv2.warpAffine(A_, M, (A_.shape[1], A_.shape[0]), flags=cv2.INTER_LINEAR)
                    ci = cv2.warpAffine(C_, M, (A_.shape[1], A_.shape[0]), flags=cv2.INTER_LINEAR)
                    w_ = 1 - (1 - wend) * t
                    keep_tot *= 1 - ai * w_ * (2.2 / steps)
                    np.maximum(cmax, ci, out=cmax)
                a_s = 1 - keep_tot
                page.ink(page.wick_in(a_s), x0 - pad_, y0 - pad_, T)
                pressings = [(cmax, x0 - pad_, y0 - pad_)]
                full = pressings
                extra["smear_mm"] = round(L, 2)
                del tot, trail
            else:
                page.ink(page.wick_in(a), x0, y0, T)
                pressings = [(cov, x0, y0)]
            if "double" in defects:
                off = rng.uniform(0.8, 2.5)
                ang = rng.uniform(0, 2 * math.pi)
                rot2 = rot + rng.uniform(-2, 2)
                cov2, x2, y2 = drawf(spec, cx + off * math.cos(ang), cy + off * math.sin(ang), math.radians(rot2), pxmm)
                press2 = np.clip(1 + rng.uniform(0.06, 0.14) * foam(rng, cov2.shape, pxmm), 0.6, 1.4)
                a2 = np.clip(a0 * rng.uniform(0.5, 0.9) * press2, 0, 1) * cov2
                page.ink(page.wick_in(a2), x2, y2, T)
                pressings.append((cov2, x2, y2))
                full = full + [(cov2, x2, y2)]
                extra["double_offset_mm"] = round(off, 2)
            extra["tilt_deg"] = round(rot, 2)
            if kind == "official_seal":
                extra["diameter_mm"] = round(d, 3)
            else:
                extra["size_mm"] = [round(lw_, 3), round(lh_, 3)]
        # overlap_line from the ink as drawn
        defects = [x for x in defects if x != "overlap_line"]
        r_ink = max(reach_mm(c, a, b_, inner, pxmm) for c, a, b_ in pressings)
        r_full = max(reach_mm(c, a, b_, inner, pxmm) for c, a, b_ in full)
        if r_ink > 0.3:
            defects.append("overlap_line")
        elif r_ink >= -0.3 or ("broken" in defects and r_full >= -0.3):
            borderline.append("overlap_line")
        out["defects"] = defects
        out["borderline"] = borderline
        truth_boxes.append((out, union(pressings), plan, extra))

    # ---- capture
    feed = mfp.Feed(rng, dpi)
    page_arr = page.ch
    del page.grain
    bgr = mfp.capture(rng, feed, page_arr, pxmm, ratio)
    in_file = rng.random() < 0.8
    fname, data = mfp.write(rng, bgr, stem, dpi, in_file)
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, fname), "wb") as f:
        f.write(data)

    boxes_json = []
    for item in truth_boxes:
        out, lay, plan = item[0], item[1], item[2]
        ix0, iy0, ix1, iy1 = plan["box"]["inner"]
        u, v = feed.to_scan((ix0 + ix1) / 2, (iy0 + iy1) / 2)
        out["box_centre_px"] = [round(float(u) + 0.5, 2), round(float(v) + 0.5, 2)]
        if lay is not None:
            m, off = mfp.mask_of(feed, lay[0], lay[1], lay[2], pxmm, ratio)
            name = f"{stem}.r{out['row']}c{out['col']}.mask.png"
            ok, buf = cv2.imencode(".png", m)
            with open(os.path.join(outdir, name), "wb") as f:
                f.write(buf.tobytes())
            out["mask"] = name
            out["mask_offset"] = list(off)
            out.update(item[3])
            out.pop("broken", None)
        boxes_json.append(out)
    truth = {"maker": "sheetfed", "seed": seed, "dpi": dpi, "dpi_in_file": bool(in_file),
             "skew_deg": round(feed.skew, 3), "file": fname, "layout": tpl, "boxes": boxes_json}
    with open(os.path.join(outdir, f"{stem}.truth.json"), "w") as f:
        json.dump(truth, f, ensure_ascii=False, indent=1)


def broken_keep(rng, kind, cov, cx, cy, x0, y0, spec, pxmm, rot):
    """Which part of the face still printed (1) — the rest lost to a rocked or a domed stamp."""
    h, w = cov.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    X = (xx + x0 + 0.5) / pxmm - cx
    Y = (yy + y0 + 0.5) / pxmm - cy
    total = float(cov.sum())
    for _ in range(30):
        ang = rng.uniform(0, 2 * math.pi)
        ux, uy = math.cos(ang), math.sin(ang)
        along = X * ux + Y * uy
        rag = cv2.resize(rng.standard_normal((max(2, h // 40), max(2, w // 40))).astype(np.float32), (w, h),
                         interpolation=cv2.INTER_CUBIC)
        fade = rng.uniform(0.3, 0.8)
        if kind == "official_seal" and rng.random() < 0.5:
            R = spec["d"] / 2
            dlt = rng.uniform(0.1, 0.2) * R
            r2 = np.hypot(X + dlt * ux, Y + dlt * uy)
            edge = (R - 0.4 * dlt) - r2 + 0.25 * rag
        else:
            ext = float(np.max(along[cov > 0.5])) if (cov > 0.5).any() else 10
            lo = float(np.min(along[cov > 0.5])) if (cov > 0.5).any() else -10
            depth = rng.uniform(0.18, 0.32) * (ext - lo)
            edge = (ext - depth) - along + 0.3 * rag
        keep = np.clip(0.5 + edge / fade, 0, 1).astype(np.float32)
        lost = 1 - float((cov * keep).sum()) / max(total, 1e-6)
        if 0.15 <= lost <= 0.35:
            return keep
    return keep


if __name__ == "__main__":
    main()
