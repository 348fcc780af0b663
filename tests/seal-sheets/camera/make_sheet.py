#!/usr/bin/python3
"""Maker G (camera/): a seal collection sheet photographed by a document camera (高拍仪).

    make_sheet.py SEED OUTDIR INDEX  ->  OUTDIR/NNN.<jpg|png|tif>, NNN.truth.json, NNN.rRcC.mask.png

Stages: ReportLab writes a PDF (the form's page, and one page per pressing of every impression,
glyph outlines read with fontTools from BabelStone Han and LXGW WenKai); MuPDF (`mutool draw`)
rasterises it; the form is a monochrome laser print with stochastic (FM) screening, photocopied
zero to two times; the paper is LibreOffice's photographed paper bitmaps; the ink is spectral
(spectral.py); the capture is a document camera (capture.py).
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import zipfile

import numpy as np
from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont
from PIL import Image
from reportlab.pdfgen import canvas as rl_canvas
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capture  # noqa: E402
import spectral  # noqa: E402

SONG = "/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf"
KAI_B = "/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Bold.ttf"
KAI_R = "/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf"
SOB = "/usr/lib/libreoffice/share/palette/standard.sob"
PT = 72 / 25.4


# ------------------------------------------------------------------------------------------ fonts
class Face:
    def __init__(self, path):
        self.f = TTFont(path, lazy=True)
        self.cmap = self.f.getBestCmap()
        self.gs = self.f.getGlyphSet()
        self.upm = self.f["head"].unitsPerEm
        self.hmtx = self.f["hmtx"]
        self._bb = {}
        b = self.bbox("国")
        self.cy = (b[1] + b[3]) / 2  # the ideographic box's middle
        self.ih = b[3] - b[1]  # a full ideograph's height

    def has(self, text):
        return all(ord(c) in self.cmap or c == " " for c in text)

    def bbox(self, ch):
        if ch not in self._bb:
            from fontTools.pens.boundsPen import BoundsPen
            bp = BoundsPen(self.gs)
            self.gs[self.cmap[ord(ch)]].draw(bp)
            self._bb[ch] = bp.bounds or (0, 0, self.upm, self.upm)
        return self._bb[ch]

    def adv(self, ch):
        return self.hmtx[self.cmap[ord(ch)]][0]


class RLPen(BasePen):
    def __init__(self, gs, path, m):
        super().__init__(gs)
        self.p, self.m = path, m

    def t(self, pt):
        a, b, c, d, e, f = self.m
        return a * pt[0] + c * pt[1] + e, b * pt[0] + d * pt[1] + f

    def _moveTo(self, pt):
        self.p.moveTo(*self.t(pt))

    def _lineTo(self, pt):
        self.p.lineTo(*self.t(pt))

    def _curveToOne(self, p1, p2, p3):
        self.p.curveTo(*self.t(p1), *self.t(p2), *self.t(p3))

    def _closePath(self):
        self.p.close()


def glyph(c, face, ch, px, py, sx, sy, rot_deg, gx, gy, bold=0.0, fill=0):
    """Draws glyph ch with its font point (gx, gy) at page (px, py) mm, sx / sy mm per font unit,
    turned rot_deg clockwise; bold: a stroke of that width (mm) around the outline."""
    if ch == " ":
        return
    a = math.radians(rot_deg)
    co, si = math.cos(a), math.sin(a)
    A, C = co * sx, si * sy
    B, D = si * sx, -co * sy
    m = (A, B, C, D, px - A * gx - C * gy, py - B * gx - D * gy)
    p = c.beginPath()
    face.gs[face.cmap[ord(ch)]].draw(RLPen(face.gs, p, m))
    c.setFillGray(fill)
    c.setStrokeGray(fill)
    if bold > 0:
        c.setLineWidth(bold)
        c.setLineJoin(1)
        c.drawPath(p, stroke=1, fill=1, fillMode=1)
    else:
        c.drawPath(p, stroke=0, fill=1, fillMode=1)


def text_line(c, face, s, x, y, size, align="left", fill=0, bold=0.0):
    """Horizontal text, size = an ideograph's height in mm, y = the line's middle."""
    sc = size / face.ih
    w = sum((face.adv(ch) if ch != " " else face.upm / 2) for ch in s) * sc
    if align == "center":
        x -= w / 2
    elif align == "right":
        x -= w
    for ch in s:
        a = face.adv(ch) if ch != " " else face.upm / 2
        if ch != " ":
            glyph(c, face, ch, x + a * sc / 2, y, sc, sc, 0, a / 2, face.cy, bold=bold, fill=fill)
        x += a * sc
    return w


# ------------------------------------------------------------------------------------------ names
PLACES = ["呼和浩特市", "包头市", "鄂尔多斯市", "赤峰市", "通辽市", "沈阳市", "大连市", "广州市", "佛山市", "西安市", "乌海市"]
CORES = ["恒信", "泰和", "华宇", "鑫源", "博远", "中诚", "瑞丰", "金桥", "润达", "天成", "宏图", "蒙润", "安泰", "嘉禾", "众联", "北辰"]
TRADES = ["科技", "商贸", "建筑工程", "信息技术", "物流", "农牧业", "电子", "医药", "能源", "文化传媒", "环保工程"]
SUFFIX = ["有限公司", "有限责任公司", "股份有限公司"]
USES = ["合同专用章", "财务专用章", "业务专用章", "发票专用章"]
SURN = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文辉鹏飞宇浩凯新海波春梅德胜永成林峰亮晨雪慧鑫斌"


def firm_name(rng):
    while True:
        place = PLACES[rng.integers(len(PLACES))] if rng.random() < 0.6 else ""
        n = place + CORES[rng.integers(len(CORES))] + TRADES[rng.integers(len(TRADES))] + SUFFIX[rng.integers(len(SUFFIX))]
        if 8 <= len(n) <= 17:
            return n


def person(rng):
    n = 1 if rng.random() < 0.35 else 2
    return SURN[rng.integers(len(SURN))] + "".join(GIVEN[rng.integers(len(GIVEN))] for _ in range(n))


# ------------------------------------------------------------------------------------------ layout
class Box:
    def __init__(self, kind, x0, y0, x1, y1, lw):
        self.kind, self.rect, self.lw = kind, (x0, y0, x1, y1), lw
        self.inner = (x0 + lw / 2, y0 + lw / 2, x1 - lw / 2, y1 - lw / 2)
        self.row = self.col = 0
        self.centre = ((x0 + x1) / 2, (y0 + y1) / 2)


def make_layout(rng, song, kai, firm):
    """Returns (texts, rules, fills, boxes); texts: (face, str, x, y, size, align, bold);
    rules: (x0, y0, x1, y1, width); fills: (x0, y0, x1, y1, grey) in page mm."""
    L = rng.choice(["collect3", "sample4", "app38"], p=[0.38, 0.22, 0.4])
    T, R, F, B = [], [], [], []
    lw = rng.uniform(0.2, 0.45)
    left = rng.uniform(17, 22)
    width = rng.uniform(168, 176)
    grey = rng.random() < 0.5
    gtone = rng.uniform(0.1, 0.2)

    def grid(y, heights, cols, frame=1.0):
        xs = np.concatenate([[left], left + np.cumsum(cols)])
        ys = np.concatenate([[y], y + np.cumsum(heights)])
        for yy in ys:
            w = lw * (frame if yy in (ys[0], ys[-1]) else 1)
            R.append((xs[0], yy, xs[-1], yy, w))
        return xs, ys

    def vlines(xs, y0, y1, frame=1.0):
        for i, xx in enumerate(xs):
            w = lw * (frame if i in (0, len(xs) - 1) else 1)
            R.append((xx, y0, xx, y1, w))

    frame = rng.uniform(1.5, 2.2) if rng.random() < 0.35 else 1.0
    if L == "collect3":
        T.append((song, "附件3", left, 20, 3.6, "left", 0))
        y = 30.0
        sections = [("公章采集表", "official_seal", rng.uniform(50, 56), "签章"),
                    ("法人签字采集表", "signature", rng.uniform(33, 37), "签字"),
                    ("法人签章采集表", "legal_rep_seal", rng.uniform(38, 42), "签章")]
        for title, kind, h, lab in sections:
            T.append((kai, title, 105, y, 5.2, "center", 0.12))
            y += 7
            T.append((song, "【为保证采集到最清晰的电子签章，请在下表方格内居中盖章三次，切勿压线，保持页面整洁】" if kind != "signature" else "【为保证采集到最清晰的电子签名，请在下表方格内居中签名三次，切勿压线，保持页面整洁】", 105, y, 2.7, "center", 0))
            y += 4.5
            cols = [width / 3] * 3
            xs, ys = grid(y, [h, 8], cols, frame)
            vlines(xs, ys[0], ys[-1], frame)
            for i in range(3):
                B.append(Box(kind, xs[i], ys[0], xs[i + 1], ys[1], lw))
                if grey:
                    F.append((xs[i] + lw / 2, ys[1] + lw / 2, xs[i + 1] - lw / 2, ys[2] - lw / 2, gtone))
                T.append((song, "%s %d" % (lab, i + 1), (xs[i] + xs[i + 1]) / 2, ys[1] + 4, 3.3, "center", 0))
            y = ys[-1] + 10
    elif L == "sample4":
        T.append((kai, "单位电子印章采样表", 105, 24, 6.0, "center", 0.15))
        notes = ["说明：", "1、单位名称请填写单位全称，与印章使用的单位名称相同。",
                 "2、请务必确保电子签章图形采样区域清晰度和整洁性，印章必须确保盖在空白区内。",
                 "3、为确保采样的清晰度和成功率，需要反复进行4次采样，请尽可能确保每次采样的清晰与完整。",
                 "4、保证用于印章采样的桌面平整。", "5、蘸足够印泥，用力加盖印章，确保印章图形清晰、完整、无形变。"]
        y = 34.0
        for n in notes:
            T.append((song, n, left, y, 3.0, "left", 0))
            y += 5.2
        y += 2
        xs, ys = grid(y, [10, 16], [30, width - 30], frame)
        vlines(xs, ys[0], ys[-1], frame)
        T.append((song, "单位名称：", xs[0] + 15, ys[0] + 5, 3.3, "center", 0))
        T.append((song, "备注：", xs[0] + 15, ys[1] + 8, 3.3, "center", 0))
        T.append((kai, firm, xs[1] + 4, ys[0] + 5, 3.8, "left", 0))
        y = ys[-1]
        h = rng.uniform(58, 64)
        xs2 = [left, left + width / 2, left + width]
        ys2 = [y, y + 8, y + 8 + h, y + 8 + 2 * h]
        for yy in ys2:
            R.append((left, yy, left + width, yy, lw * (frame if yy == ys2[-1] else 1)))
        vlines([left, left + width], ys2[0], ys2[-1], frame)
        R.append((xs2[1], ys2[1], xs2[1], ys2[-1], lw))
        if grey:
            F.append((left + lw / 2, ys2[0] + lw / 2, left + width - lw / 2, ys2[1] - lw / 2, gtone))
        T.append((song, "电子签章图形采样（请在区域内加盖单位公章，重复操作4次）", 105, ys2[0] + 4, 3.3, "center", 0.08))
        for r in range(2):
            for cc in range(2):
                B.append(Box("official_seal", xs2[cc], ys2[1 + r], xs2[cc + 1], ys2[2 + r], lw))
    else:
        T.append((kai, "电子印章申请表 (3/8)", 105, 22, 5.6, "center", 0.14))
        y = 30.0
        cols = [30, 60, 28, width - 118]
        xs, ys = grid(y, [9, 9], cols, frame)
        vlines([xs[0], xs[1], xs[-1]], ys[0], ys[-1], frame)
        R.append((xs[2], ys[1], xs[2], ys[2], lw))
        R.append((xs[3], ys[1], xs[3], ys[2], lw))
        T.append((song, "单位名称:", xs[0] + 2, ys[0] + 4.5, 3.2, "left", 0))
        T.append((kai, firm, xs[1] + 3, ys[0] + 4.5, 3.6, "left", 0))
        T.append((song, "公章管理员:", xs[0] + 2, ys[1] + 4.5, 3.2, "left", 0))
        T.append((song, "联系电话:", xs[2] + 2, ys[1] + 4.5, 3.2, "left", 0))
        y = ys[-1] + 6
        secs = [("机构印章采集 (油印适中, 每枚印章采集三个样本)", "official_seal", rng.uniform(48, 52)),
                ("法人印章采集 (油印适中, 每枚印章采集三个样本)", "legal_rep_seal", rng.uniform(36, 40)),
                ("法人签字采集 (字迹清晰, 每枚签字采集三个样本)", "signature", rng.uniform(31, 34)),
                ("使用人签字采集 (字迹清晰, 每枚签字采集三个样本)", "signature", rng.uniform(31, 34))]
        hs = []
        for _, _, h in secs:
            hs += [8, h]
        xs = [left, left + width / 3, left + 2 * width / 3, left + width]
        yy = np.concatenate([[y], y + np.cumsum(hs)])
        for i, v in enumerate(yy):
            R.append((left, v, left + width, v, lw * (frame if i in (0, len(yy) - 1) else 1)))
        vlines([left, left + width], yy[0], yy[-1], frame)
        for k, (cap, kind, h) in enumerate(secs):
            y0, y1, y2 = yy[2 * k], yy[2 * k + 1], yy[2 * k + 2]
            if grey:
                F.append((left + lw / 2, y0 + lw / 2, left + width - lw / 2, y1 - lw / 2, gtone))
            T.append((song, cap, left + 3, y0 + 4, 3.2, "left", 0.1))
            for i in (1, 2):
                R.append((xs[i], y1, xs[i], y2, lw))
            for i in range(3):
                B.append(Box(kind, xs[i], y1, xs[i + 1], y2, lw))
        y = yy[-1] + 3
        xs, ys = grid(y, [9], [30, 60, 28, width - 118], frame)
        vlines(xs, ys[0], ys[-1], frame)
        T.append((song, "CA 客服受理人:", xs[0] + 2, ys[0] + 4.5, 3.0, "left", 0))
        T.append((song, "日期:", xs[2] + 2, ys[0] + 4.5, 3.0, "left", 0))
        T.append((song, "年    月    日", xs[3] + 6, ys[0] + 4.5, 3.0, "left", 0))
    # rows and columns of the sample boxes as a reader numbers them
    tops = sorted(set(round(b.rect[1], 3) for b in B))
    for b in B:
        b.row = tops.index(round(b.rect[1], 3))
    for r in range(len(tops)):
        row = sorted([b for b in B if b.row == r], key=lambda b: b.rect[0])
        for i, b in enumerate(row):
            b.col = i
    return L, T, R, F, B


# ------------------------------------------------------------------------------------------ faces
def draw_official(c, face, ctr, d, rot, spec):
    R = d / 2
    co, si = math.cos(math.radians(rot)), math.sin(math.radians(rot))

    def P(x, y):  # face coordinates (mm, y down, upright) -> page
        return ctr[0] + co * x - si * y, ctr[1] + si * x + co * y

    c.setFillGray(0)
    p = c.beginPath()
    p.circle(ctr[0], ctr[1], R)
    p.circle(ctr[0], ctr[1], R - spec["ring"])
    c.drawPath(p, stroke=0, fill=1, fillMode=0)
    if spec.get("inner_ring"):
        p = c.beginPath()
        r2 = R - spec["ring"] - spec["inner_ring"][0]
        p.circle(ctr[0], ctr[1], r2)
        p.circle(ctr[0], ctr[1], r2 - spec["inner_ring"][1])
        c.drawPath(p, stroke=0, fill=1, fillMode=0)
    # the star
    rs = spec["star"] * R
    pts = []
    for k in range(10):
        a = math.radians(-90 + 36 * k)
        r = rs if k % 2 == 0 else rs * 0.382
        pts.append(P(r * math.cos(a), r * math.sin(a)))
    p = c.beginPath()
    p.moveTo(*pts[0])
    for q in pts[1:]:
        p.lineTo(*q)
    p.close()
    c.drawPath(p, stroke=0, fill=1)
    # the name on the upper arc, each character upright towards the centre
    name = spec["name"]
    ch = spec["ch"] * d
    rmid = R - spec["ring"] - spec["gap"] - ch / 2
    span = spec["span"]
    n = len(name)
    sc = ch / face.ih
    # each character as wide as its share of the arc allows at its inner side
    room = math.radians(span) * (rmid - ch / 2) / n * 0.9
    sqz = min(spec["squeeze"], room / ch)
    for i, chh in enumerate(name):
        a = -90 - span / 2 + span * (i + 0.5) / n  # degrees, y down: -90 is the top
        x, y = rmid * math.cos(math.radians(a)), rmid * math.sin(math.radians(a))
        gx = (face.bbox(chh)[0] + face.bbox(chh)[2]) / 2
        glyph(c, face, chh, *P(x, y), sc * sqz, sc, a + 90 + rot, gx, face.cy, bold=spec["bold"])
    if spec.get("use"):
        u = spec["use"]
        uh = spec["uh"] * d
        us = uh / face.ih
        y = spec["use_y"] * R
        tot = len(u) * uh * 0.82
        for i, chh in enumerate(u):
            x = -tot / 2 + tot * (i + 0.5) / len(u)
            gx = (face.bbox(chh)[0] + face.bbox(chh)[2]) / 2
            glyph(c, face, chh, *P(x, y), us * 0.78, us, rot, gx, face.cy, bold=spec["bold"])
    if spec.get("code"):
        code = spec["code"]
        dh = 0.065 * d
        rc = R - spec["ring"] - 0.6 - dh / 2
        span = 70 + 3 * len(code)
        ds = dh / face.ih
        for i, chh in enumerate(code):
            a = 90 + span / 2 - span * (i + 0.5) / len(code)
            x, y = rc * math.cos(math.radians(a)), rc * math.sin(math.radians(a))
            bb = face.bbox(chh)
            glyph(c, face, chh, *P(x, y), ds * 0.9, ds, a - 90 + rot, (bb[0] + bb[2]) / 2, (bb[1] + bb[3]) / 2, bold=spec["bold"] * 0.6)


def draw_legal(c, face, ctr, w, h, rot, spec):
    co, si = math.cos(math.radians(rot)), math.sin(math.radians(rot))

    def P(x, y):
        return ctr[0] + co * x - si * y, ctr[1] + si * x + co * y

    def rect(x0, y0, x1, y1, p):
        q = [P(x0, y0), P(x1, y0), P(x1, y1), P(x0, y1)]
        p.moveTo(*q[0])
        for z in q[1:]:
            p.lineTo(*z)
        p.close()

    fr = spec["frame"]
    c.setFillGray(0)
    p = c.beginPath()
    rect(-w / 2, -h / 2, w / 2, h / 2, p)
    if not spec["yin"]:
        rect(-w / 2 + fr, -h / 2 + fr, w / 2 - fr, h / 2 - fr, p)
        c.drawPath(p, stroke=0, fill=1, fillMode=0)
    else:
        c.drawPath(p, stroke=0, fill=1)
    ink = 1 if spec["yin"] else 0
    pad = fr + spec["pad"]
    cells = spec["cells"]  # (char, x0, y0, x1, y1) in 0..1 of the inner face
    iw, ih = w - 2 * pad, h - 2 * pad
    for chh, a0, b0, a1, b1 in cells:
        bb = face.bbox(chh)
        cw, chh_ = (a1 - a0) * iw * 0.92, (b1 - b0) * ih * 0.92
        x = -iw / 2 + (a0 + a1) / 2 * iw
        y = -ih / 2 + (b0 + b1) / 2 * ih
        sx = cw / max(bb[2] - bb[0], 1)
        sy = chh_ / max(bb[3] - bb[1], 1)
        glyph(c, face, chh, *P(x, y), sx, sy, rot, (bb[0] + bb[2]) / 2, (bb[1] + bb[3]) / 2, bold=spec["bold"], fill=ink)


def legal_cells(n_name, shape):
    """Name + 之印 / 印 laid out as cut: right-to-left columns of a 2 x 2 grid, three characters
    with 印 filling the left column, or one row in a lying rectangle."""
    if shape == "row":
        return [(i / 4, 0, (i + 1) / 4, 1) for i in range(4)]
    if n_name == 2 and shape == "three":
        return [(0.5, 0, 1, 0.5), (0.5, 0.5, 1, 1), (0, 0, 0.5, 1)]
    return [(0.5, 0, 1, 0.5), (0.5, 0.5, 1, 1), (0, 0, 0.5, 0.5), (0, 0.5, 0.5, 1)]


def signature_strokes(rng, name, char_mm):
    """A hand's trajectory: per character a run of sigma-lognormal strokes (Plamondon's kinematic
    model) in the directions of Chinese strokes, overlapping in time so the pen runs on cursively.
    Returns a list of polylines, each (N, 3): x, y (mm), speed."""
    dirs = {"heng": (-6, 4), "shu": (90, 5), "pie": (130, 12), "na": (40, 10), "dian": (60, 15), "ti": (-35, 8), "zhe": (0, 0)}
    kinds = list(dirs)
    polys = []
    x0 = 0.0
    for ci, ch in enumerate(name):
        n = rng.integers(4, 8)
        t = np.linspace(0, 1.0 + 0.22 * n, int(260 + 60 * n))
        vx = np.zeros_like(t)
        vy = np.zeros_like(t)
        t0 = 0.0
        for k in range(n):
            kind = kinds[rng.integers(len(kinds))]
            if kind == "zhe":
                th0, th1 = math.radians(rng.uniform(-8, 5)), math.radians(rng.uniform(80, 110))
            else:
                m, s = dirs[kind]
                th0 = math.radians(m + rng.normal(0, s))
                th1 = th0 + math.radians(rng.normal(0, 25))
            D = rng.uniform(0.35, 1.0) * (0.45 if kind in ("dian", "ti") else 1)
            mu, sg = math.log(rng.uniform(0.12, 0.22)), rng.uniform(0.2, 0.35)
            tt = np.maximum(t - t0, 1e-6)
            v = D / (sg * math.sqrt(2 * math.pi) * tt) * np.exp(-(np.log(tt) - mu) ** 2 / (2 * sg * sg))
            v[t <= t0] = 0
            frac = np.clip(np.cumsum(v) / max(v.sum(), 1e-9), 0, 1)
            th = th0 + (th1 - th0) * frac
            vx += v * np.cos(th)
            vy += v * np.sin(th)
            t0 += rng.uniform(0.12, 0.25)
        dt = t[1] - t[0]
        x = np.cumsum(vx) * dt
        y = np.cumsum(vy) * dt
        sp = np.hypot(vx, vy)
        keep = sp > 0.02 * sp.max()
        x, y, sp = x[keep], y[keep], sp[keep]
        # fit the character's cell
        w = max(x.max() - x.min(), 1e-3)
        h = max(y.max() - y.min(), 1e-3)
        s = char_mm * rng.uniform(0.85, 1.1) / max(w, h * 0.9)
        x = (x - x.min()) * s * rng.uniform(0.8, 1.0)
        y = (y - y.min()) * s - h * s / 2 + rng.normal(0, 0.4)
        pts = np.stack([x + x0, y, sp / sp.max()], 1)
        if polys and rng.random() < 0.5:
            polys[-1] = np.concatenate([polys[-1], pts])  # the pen runs on into the next character
        else:
            polys.append(pts)
        x0 += x.max() * rng.uniform(0.75, 0.95) + 0.6
    # the hand's overall size: a name 9-14 mm tall, 2.6-3.6 mm of width a character-height
    allp = np.concatenate(polys)
    w = max(float(np.ptp(allp[:, 0])), 1e-3)
    h = max(float(np.ptp(allp[:, 1])), 1e-3)
    th = rng.uniform(9, 14)
    tw = min(th * len(name) * rng.uniform(0.95, 1.25), 44)
    for p in polys:
        p[:, 0] = (p[:, 0] - allp[:, 0].min()) * tw / w
        p[:, 1] = (p[:, 1] - allp[:, 1].min()) * th / h - th / 2
    return polys


def draw_signature(c, polys, ctr, slant, rot, pen_w, rng):
    allx = np.concatenate([p[:, 0] for p in polys])
    cx = (allx.min() + allx.max()) / 2
    co, si = math.cos(math.radians(rot)), math.sin(math.radians(rot))
    sh = math.tan(math.radians(slant))
    c.setStrokeGray(0)
    c.setLineCap(1)
    c.setLineJoin(1)
    for p in polys:
        x = p[:, 0] - cx
        y = p[:, 1]
        x = x - sh * y  # a right-leaning hand (y grows downwards)
        X = ctr[0] + co * x - si * y
        Y = ctr[1] + si * x + co * y
        wv = pen_w * (1.1 - 0.45 * p[:, 2])
        # the pen lifted and put down fades at the ends
        n = len(X)
        ramp = np.minimum(1, np.minimum(np.arange(n), np.arange(n)[::-1]) / 12 + 0.4)
        wv = wv * ramp
        step = 3
        for i in range(0, n - step, step):
            c.setLineWidth(float(wv[i]))
            c.line(float(X[i]), float(Y[i]), float(X[i + step]), float(Y[i + step]))


# ------------------------------------------------------------------------------------------ pages
def smooth_noise(rng, shape, sigma_px):
    """Gaussian-filtered white noise, unit spread; drawn coarse and enlarged when it is smooth."""
    f = max(1, int(sigma_px // 3))
    small = (shape[0] // f + 2, shape[1] // f + 2)
    n = rng.standard_normal(small).astype(np.float32)
    n = ndimage.gaussian_filter(n, sigma_px / f)
    if f > 1:
        n = ndimage.zoom(n, f, order=1)
    n = n[:shape[0], :shape[1]]
    return n / (n.std() + 1e-9)


def read_pgm(path):
    with open(path, "rb") as f:
        data = f.read()
    # P5 header: magic, width, height, maxval, each separated by whitespace
    parts = []
    i = 0
    while len(parts) < 4:
        while data[i:i + 1].isspace():
            i += 1
        if data[i:i + 1] == b"#":
            while data[i:i + 1] != b"\n":
                i += 1
            continue
        j = i
        while not data[j:j + 1].isspace():
            j += 1
        parts.append(data[i:j])
        i = j
    i += 1
    w, h = int(parts[1]), int(parts[2])
    return np.frombuffer(data, np.uint8, w * h, i).reshape(h, w)


def fit(a, h, w):
    out = np.full((h, w), 255, np.uint8)
    hh, ww = min(h, a.shape[0]), min(w, a.shape[1])
    out[:hh, :ww] = a[:hh, :ww]
    return out


def lo_texture(name):
    with zipfile.ZipFile(SOB) as z:
        with z.open("Pictures/%s.jpg" % name) as f:
            im = Image.open(f).convert("L")
            return np.asarray(im, np.float32) / 255.0


def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng(seed)
    dpi = int(rng.choice([150, 200, 300, 400, 600], p=[0.1, 0.14, 0.5, 0.12, 0.14]))
    if os.environ.get("SEAL_SHEET_DPI"):
        dpi = int(os.environ["SEAL_SHEET_DPI"])
    os.makedirs(outdir, exist_ok=True)
    stem = "%03d" % index

    song, kai_b, kai_r = Face(SONG), Face(KAI_B), Face(KAI_R)
    firm = firm_name(rng)
    while not (song.has(firm) and kai_b.has(firm)):
        firm = firm_name(rng)
    legal = person(rng)
    user = person(rng)
    layout, texts, rules, fills, boxes = make_layout(rng, song, kai_b, firm)

    dev = spectral.Device(rng)
    cam = capture.Camera(rng)
    S = int(min(600, round(cam.sensor_dpi * 1.5 / 10) * 10))
    pxmm = S / 25.4
    PW, PH = int(round(210 * pxmm)), int(round(297 * pxmm))

    # --------------------------------------------------------------- the faces of this firm
    off_spec = {
        "name": firm, "ring": rng.uniform(0.9, 1.5), "star": rng.uniform(0.28, 0.33), "ch": rng.uniform(0.15, 0.185),
        "gap": rng.uniform(0.5, 1.0), "span": rng.uniform(205, 250), "squeeze": rng.uniform(0.62, 0.82),
        "bold": rng.uniform(0.12, 0.24),
    }
    if rng.random() < 0.15:
        off_spec["inner_ring"] = (rng.uniform(0.5, 0.9), rng.uniform(0.2, 0.35))
    if rng.random() < 0.35:
        off_spec.update(use=USES[rng.integers(len(USES))], uh=rng.uniform(0.1, 0.125), use_y=rng.uniform(0.42, 0.52))
    if rng.random() < 0.45:
        off_spec["code"] = "".join(str(rng.integers(10)) for _ in range(13))
    diam = rng.uniform(38.5, 44.5)
    seal_face = song if rng.random() < 0.8 else kai_b

    shape = rng.choice(["square", "stand", "lie"], p=[0.6, 0.2, 0.2])
    if shape == "square":
        lw_, lh_ = [rng.uniform(15.5, 21.5)] * 2
    else:
        long_ = rng.uniform(17.5, 21.5)
        short = long_ / rng.uniform(1.25, 1.5)
        lw_, lh_ = (short, long_) if shape == "stand" else (long_, short)
    nm = legal
    chars = nm + ("之印" if len(nm) == 2 and rng.random() < 0.7 else "印")
    if len(chars) == 3:
        layout_k = "three"
    elif shape == "lie" and rng.random() < 0.5:
        layout_k = "row"
    else:
        layout_k = "grid"
    if len(chars) > 4:
        chars = chars[:4]
    cells = legal_cells(len(nm), layout_k if len(chars) == 3 or layout_k == "row" else "grid")
    legal_spec = {"frame": rng.uniform(0.55, 1.1), "pad": rng.uniform(0.4, 0.9), "yin": rng.random() < 0.25,
                  "bold": rng.uniform(0.03, 0.12),
                  "cells": [(ch,) + cl for ch, cl in zip(chars, cells)]}
    legal_face = song if rng.random() < 0.5 else kai_b

    # --------------------------------------------------------------- the inks of the sheet
    tinted = rng.random() < 0.05
    tint = spectral.tint_spectrum(rng, rng.choice(["buff", "pink", "blue", "green"])) if tinted else None
    paper = spectral.paper_spectrum(rng, tint)
    K = rng.uniform(0.035, 0.06)  # toner black
    stain_kind = "tea" if rng.random() < 0.6 else "rust"
    stain_a = spectral.stain_absorption(rng, stain_kind)
    pen_kind = rng.choice(["blue", "black", "blueblack"], p=[0.5, 0.3, 0.2])
    pen = spectral.pen_ink(rng, pen_kind)
    pen_h = spectral.solve_h(dev, pen, paper, rng.uniform(0.72, 0.9))

    # --------------------------------------------------------------- what happens in each box
    plans = []
    for b in boxes:
        pl = {"box": b, "defects": [], "borderline": [], "empty": False}
        if rng.random() < 0.08:
            pl["empty"] = True
            if rng.random() < 0.12:
                pl["defects"].append("bg_not_white")
            plans.append(pl)
            continue
        if b.kind == "signature":
            r = rng.random()
            if r < 0.14:
                pl["defects"].append("overlap_line")
            elif r < 0.22:
                pl["defects"].append("bg_not_white")
            plans.append(pl)
            continue
        if rng.random() < 0.55:
            first = rng.choice(["double", "smudged", "broken", "pale", "off_color", "tilted", "overlap_line", "bg_not_white", "text_under"],
                               p=[0.13, 0.12, 0.13, 0.12, 0.09, 0.13, 0.12, 0.08, 0.08])
            pl["defects"].append(str(first))
            if rng.random() < 0.18:
                second = str(rng.choice(["tilted", "bg_not_white", "text_under", "overlap_line", "double", "pale"]))
                clash = {("pale", "off_color"), ("off_color", "pale"), ("double", "smudged"), ("smudged", "double"),
                         ("double", "broken"), ("broken", "double")}
                if second != first and (first, second) not in clash and not (second == "pale" and first in ("off_color",)):
                    pl["defects"].append(second)
        plans.append(pl)

    # inks: one pad per sheet (正红), an off-colour pad where drawn
    absorbed_sheet = rng.uniform(0.8, 0.9)
    red_ink, _ = spectral.make_seal_ink(rng, dev, paper, "red", absorbed_sheet)
    off_inks = {}
    for pl in plans:
        if pl["empty"] or pl["box"].kind == "signature":
            continue
        colour = "red"
        if "off_color" in pl["defects"]:
            colour = str(rng.choice(["orange", "purple"]))
            if colour not in off_inks:
                off_inks[colour] = spectral.make_seal_ink(rng, dev, paper, colour, absorbed_sheet)[0]
            pl["ink"] = off_inks[colour]
        else:
            pl["ink"] = red_ink
        target = rng.uniform(0.15, 0.27) if "pale" in pl["defects"] else rng.uniform(0.8, 0.93)
        pl["h"] = spectral.solve_h(dev, pl["ink"], paper, target)
        pl["absorbed"] = target

    # --------------------------------------------------------------- placements and pressings
    tmp = tempfile.mkdtemp(prefix="g-")
    pdf = os.path.join(tmp, "s.pdf")
    c = rl_canvas.Canvas(pdf, invariant=1)

    def mm_page(ox, oy, wpx, hpx):
        c.setPageSize((wpx * 72.0 / S, hpx * 72.0 / S))
        c.saveState()
        c.transform(PT, 0, 0, -PT, 0, hpx * 72.0 / S)
        c.translate(-ox, -oy)

    # page 1: the form
    mm_page(0, 0, PW, PH)
    for (x0, y0, x1, y1, gv) in fills:
        c.setFillGray(1 - gv)
        c.rect(x0, y0, x1 - x0, y1 - y0, stroke=0, fill=1)
    c.setStrokeGray(0)
    c.setLineCap(2)
    for (x0, y0, x1, y1, w) in rules:
        c.setLineWidth(w)
        c.line(x0, y0, x1, y1)
    for (face, s, x, y, size, align, bold) in texts:
        text_line(c, face, s, x, y, size, align, bold=bold)
    for pl in plans:
        b = pl["box"]
        if "text_under" in pl["defects"]:
            words = ["（盖章）", "签章处", "单位盖章", "年  月  日", "样本"]
            wd = words[rng.integers(len(words))]
            size = rng.uniform(3.8, 5.0)
            cx, cy = b.centre
            text_line(c, song, wd, cx + rng.uniform(-4, 4), cy + rng.uniform(-5, 5), size, "center")
    c.restoreState()
    c.showPage()

    pressings = []  # (plan, k, crop origin px, crop shape)
    for pl in plans:
        if pl["empty"]:
            continue
        b = pl["box"]
        x0, y0, x1, y1 = b.rect
        ox = int(math.floor((x0 - 7) * pxmm))
        oy = int(math.floor((y0 - 7) * pxmm))
        wpx = int(math.ceil((x1 - x0 + 14) * pxmm))
        hpx = int(math.ceil((y1 - y0 + 14) * pxmm))
        pl["crop"] = (ox, oy, wpx, hpx)
        ix0, iy0, ix1, iy1 = b.inner
        icx, icy = (ix0 + ix1) / 2, (iy0 + iy1) / 2
        D = pl["defects"]
        if b.kind == "official_seal":
            hx = hy = diam / 2
            rot = rng.uniform(12, 30) * rng.choice([-1, 1]) if "tilted" in D else rng.uniform(-2.0, 2.0)
        elif b.kind == "legal_rep_seal":
            rot = rng.uniform(12, 30) * rng.choice([-1, 1]) if "tilted" in D else rng.uniform(-2.0, 2.0)
            a = math.radians(rot)
            hx = (abs(math.cos(a)) * lw_ + abs(math.sin(a)) * lh_) / 2
            hy = (abs(math.sin(a)) * lw_ + abs(math.cos(a)) * lh_) / 2
        else:
            rot = rng.uniform(-2.0, 2.0)
            key = "legal" if b.row == min(p["box"].row for p in plans if p["box"].kind == "signature") else "user"
            nm_s = legal if key == "legal" else user
            cm = rng.uniform(9.5, 13.0)
            polys = signature_strokes(rng, nm_s, cm)
            allx = np.concatenate([p[:, 0] for p in polys])
            ally = np.concatenate([p[:, 1] for p in polys])
            hx = (allx.max() - allx.min()) / 2 + 2
            hy = (ally.max() - ally.min()) / 2 + 1
            pl["sig"] = (polys, rng.uniform(6, 20), rng.uniform(0.45, 0.7))
        extra = 0.0
        if "double" in D:
            extra = 0
        room_x = max(0.0, (ix1 - ix0) / 2 - hx - 0.9)
        room_y = max(0.0, (iy1 - iy0) / 2 - hy - 0.9)
        cx = icx + rng.uniform(-1, 1) * min(room_x, 2.0)
        cy = icy + rng.uniform(-1, 1) * min(room_y, 2.0)
        if "overlap_line" in D:
            side = rng.integers(4)
            push = rng.uniform(1.2, 3.0)
            if side == 0:
                cx = ix0 + hx - push
            elif side == 1:
                cx = ix1 - hx + push
            elif side == 2:
                cy = iy0 + hy - push
            else:
                cy = iy1 - hy + push
        pl["centre"], pl["rot"] = (cx, cy), rot
        if "double" in D:
            off = rng.uniform(0.95, 2.1)
            ang = rng.uniform(0, 2 * math.pi)
            pl["double_off"] = off
            poses = [(cx, cy, rot), (cx + off * math.cos(ang), cy + off * math.sin(ang), rot + rng.uniform(-1.5, 1.5))]
        else:
            poses = [(cx, cy, rot)]
        for k, (px, py, pr) in enumerate(poses):
            mm_page(ox / pxmm, oy / pxmm, wpx, hpx)
            if b.kind == "official_seal":
                draw_official(c, seal_face, (px, py), diam, pr, off_spec)
            elif b.kind == "legal_rep_seal":
                draw_legal(c, legal_face, (px, py), lw_, lh_, pr, legal_spec)
            else:
                polys, slant, pw = pl["sig"]
                draw_signature(c, polys, (px, py), slant, pr, pw, rng)
            c.restoreState()
            c.showPage()
            pressings.append((pl, k))
    c.save()

    subprocess.run(["mutool", "draw", "-q", "-r", str(S), "-c", "gray", "-A", "8", "-o", os.path.join(tmp, "p%d.pgm"), pdf],
                   check=True, stderr=subprocess.DEVNULL)
    form = fit(read_pgm(os.path.join(tmp, "p1.pgm")), PH, PW)
    covs = []
    for i, (pl, k) in enumerate(pressings):
        ox, oy, wpx, hpx = pl["crop"]
        a = fit(read_pgm(os.path.join(tmp, "p%d.pgm" % (i + 2))), hpx, wpx)
        covs.append(1 - a.astype(np.float32) / 255)
    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    os.rmdir(tmp)

    # --------------------------------------------------------------- the print: FM laser, copied
    t = 1 - form.astype(np.float32) / 255
    del form
    dot = rng.uniform(0.9, 1.3)  # the laser's dot relative to a render pixel
    thr = rng.random(t.shape, dtype=np.float32)
    t = (t > thr).astype(np.float32)  # stochastic screening: each spot on with the tone's chance
    t = ndimage.gaussian_filter(t, 0.35 * dot * S / 600)
    copies = int(rng.choice([0, 1, 2], p=[0.35, 0.4, 0.25]))
    for _ in range(copies):
        t = ndimage.gaussian_filter(t, rng.uniform(0.04, 0.08) * pxmm)
        mid, wd = rng.uniform(0.3, 0.5), rng.uniform(0.07, 0.14)
        t = 1 / (1 + np.exp(-(t - mid) / wd))
        t = (t - 1 / (1 + math.exp(mid / wd))) / (1 - 1 / (1 + math.exp(mid / wd)))
        # the copier's specks
        n = int(rng.uniform(40, 400) * (210 * 297) / 1e4)
        ys, xs = rng.integers(0, PH, n), rng.integers(0, PW, n)
        t[ys, xs] = np.maximum(t[ys, xs], rng.uniform(0.4, 1.0, n))
    if copies:
        t = ndimage.gaussian_filter(t, 0.3)
        t = np.clip(t + rng.uniform(0.0, 0.012), 0, 1)  # the copy's grey haze
    t = np.clip(t * rng.uniform(0.93, 1.0), 0, 1).astype(np.float32)

    # --------------------------------------------------------------- the paper: LibreOffice's photographs
    names = ["texture-paper", "painted-white", "white-diffusion"]
    tex = lo_texture(names[rng.integers(3)])
    tex = (tex - tex.mean()) / (tex.std() + 1e-6)
    if rng.random() < 0.5:
        tex = tex.T
    texel = rng.uniform(0.04, 0.08)  # mm
    yy = (np.arange(PH) / pxmm / texel).astype(np.int64) % tex.shape[0]
    xx = (np.arange(PW) / pxmm / texel).astype(np.int64) % tex.shape[1]
    grain = tex[yy[:, None], xx[None, :]]
    tex2 = lo_texture(names[rng.integers(3)])
    tex2 = ((tex2 - tex2.mean()) / (tex2.std() + 1e-6)).T[::-1]
    t2 = texel * rng.uniform(2.2, 3.5)
    yy = (np.arange(PH) / pxmm / t2).astype(np.int64) % tex2.shape[0]
    xx = (np.arange(PW) / pxmm / t2).astype(np.int64) % tex2.shape[1]
    grain = grain * 0.7 + 0.5 * tex2[yy[:, None], xx[None, :]]
    g = (1 + rng.uniform(0.004, 0.009) * grain).astype(np.float32)
    del grain
    # the sheet's cockle under the LED's raking light: LibreOffice's crumpled paper as a height field
    crum = lo_texture("crumpled-paper")
    crum = ndimage.gaussian_filter(crum, 3)
    cmm = rng.uniform(0.35, 0.6)  # mm per texel
    gy_, gx_ = np.gradient(crum)
    az = rng.uniform(0, 2 * math.pi)
    shade = gx_ * math.cos(az) + gy_ * math.sin(az)
    shade = 1 + rng.uniform(0.006, 0.016) * shade / (shade.std() + 1e-9)
    reps = (int(297 / (512 * cmm)) + 2, int(210 / (512 * cmm)) + 2)
    shade = np.tile(shade, reps).astype(np.float32)
    cockle = (shade, cmm)

    # stains in bg_not_white boxes, or the whole sheet tinted
    s = np.zeros((PH, PW), np.float32)
    smax = 1.0
    for pl in plans:
        if "bg_not_white" in pl["defects"] and not tinted:
            b = pl["box"]
            x0, y0, x1, y1 = b.inner
            bx0, by0 = int(x0 * pxmm), int(y0 * pxmm)
            bw, bh = int((x1 - x0) * pxmm), int((y1 - y0) * pxmm)
            n = smooth_noise(rng, (bh, bw), 3 * pxmm)
            yv, xv = np.mgrid[0:bh, 0:bw]
            ccx, ccy = rng.uniform(0.3, 0.7) * bw, rng.uniform(0.3, 0.7) * bh
            rr = np.hypot((xv - ccx) / (0.5 * bw), (yv - ccy) / (0.5 * bh))
            frac = rng.uniform(0.25, 0.5)
            field = -rr + 0.25 * n
            cut = np.quantile(field, 1 - frac)
            inside = field > cut
            dist = ndimage.distance_transform_edt(inside) / pxmm
            dens = rng.uniform(0.18, 0.3)
            blot = np.where(inside, dens * (0.55 + 0.45 * np.exp(-dist / rng.uniform(0.5, 1.0))), 0)
            blot = ndimage.gaussian_filter(blot.astype(np.float32), 0.15 * pxmm)
            edge = np.minimum(np.minimum(xv, bw - 1 - xv), np.minimum(yv, bh - 1 - yv)) / pxmm
            blot *= np.clip(edge / 2.0, 0, 1)
            s[by0:by0 + bh, bx0:bx0 + bw] = np.maximum(s[by0:by0 + bh, bx0:bx0 + bw], blot)
    if tinted:
        for pl in plans:
            if "bg_not_white" not in pl["defects"]:
                pl["defects"].append("bg_not_white")

    # --------------------------------------------------------------- the ink films
    films = {}
    cover = {}
    for (pl, k), cv in zip(pressings, covs):
        ox, oy, wpx, hpx = pl["crop"]
        b = pl["box"]
        if b.kind == "signature":
            h = pen_h * cv * (1 + 0.12 * smooth_noise(rng, cv.shape, 0.8 * pxmm))
            skip = smooth_noise(rng, cv.shape, 0.15 * pxmm) > rng.uniform(1.6, 2.3)  # ballpoint skips
            h = np.where(skip, h * 0.3, h)
        else:
            load = 1.0 if k == 0 else rng.uniform(0.5, 0.9)
            mott = 1 + rng.uniform(0.08, 0.15) * smooth_noise(rng, cv.shape, rng.uniform(0.6, 2.0) * pxmm)
            yv, xv = np.mgrid[0:hpx, 0:wpx].astype(np.float32)
            tilt = 1 + rng.uniform(-0.08, 0.08) * (xv / wpx - 0.5) + rng.uniform(-0.08, 0.08) * (yv / hpx - 0.5)
            gcrop = g[max(oy, 0):oy + hpx, max(ox, 0):ox + wpx]
            rec = np.ones_like(cv)
            rec[:gcrop.shape[0], :gcrop.shape[1]] = gcrop
            receptive = 1 + (rec - 1) * rng.uniform(4, 9)
            h = pl["h"] * load * cv * mott * tilt * receptive
            # the paste does not reach the paper's lowest pits: tiny voids
            voids = (mott + 0.6 * (receptive - 1) / max(float((receptive - 1).std()), 1e-6) * 0.1) < rng.uniform(0.72, 0.8)
            h = np.where(voids, h * 0.15, h)
            if "broken" in pl["defects"] and k == 0:
                # a rocking stamp: one side lifted off the paper
                ang = rng.uniform(0, 2 * math.pi)
                d = ((xv - wpx / 2) * math.cos(ang) + (yv - hpx / 2) * math.sin(ang)) / pxmm
                d = d + 0.3 * smooth_noise(rng, cv.shape, 0.6 * pxmm)
                wgt = cv > 0.5
                lost = rng.uniform(0.18, 0.31)
                dc = np.quantile(d[wgt], 1 - lost)
                keep = np.clip((dc - d) / rng.uniform(0.3, 0.7), 0, 1)
                h *= keep
                cv = cv * keep
                pl["lost"] = float(1 - (cv > 0.5).sum() / max(wgt.sum(), 1))
                pl["uncut"] = covs[pressings.index((pl, k))]
            del yv, xv
        key = id(pl)
        films[key] = films.get(key, 0) + h
        cover[key] = np.maximum(cover.get(key, 0), cv)
    for pl in plans:
        if pl["empty"] or "smudged" not in pl["defects"]:
            continue
        key = id(pl)
        h, cv = films[key], cover[key]
        L = rng.uniform(0.82, 1.28) * pxmm
        ang = rng.uniform(0, 2 * math.pi)
        n = int(max(4, L))
        w0 = rng.uniform(0.5, 0.65)
        rest = np.linspace(1, 0.2, n)
        rest = rest / rest.sum() * (1 - w0)
        ker = np.zeros((2 * n + 3, 2 * n + 3), np.float32)
        ker[n + 1, n + 1] = w0
        for j in range(1, n + 1):
            dx, dy = L * j / n * math.cos(ang), L * j / n * math.sin(ang)
            fx, fy = n + 1 + dx, n + 1 + dy
            ix, iy = int(math.floor(fx)), int(math.floor(fy))
            ax, ay = fx - ix, fy - iy
            for (u, v, wt) in ((ix, iy, (1 - ax) * (1 - ay)), (ix + 1, iy, ax * (1 - ay)), (ix, iy + 1, (1 - ax) * ay), (ix + 1, iy + 1, ax * ay)):
                ker[v, u] += rest[j - 1] * wt
        # mass kept: the film dragged along
        H_ = np.fft.rfft2(h)
        Kf = np.fft.rfft2(np.roll(np.roll(np.pad(ker, ((0, h.shape[0] - ker.shape[0]), (0, h.shape[1] - ker.shape[1]))), -(n + 1), 0), -(n + 1), 1))
        films[key] = np.fft.irfft2(H_ * Kf, s=h.shape).astype(np.float32).clip(0)
        tr = cv.copy()
        for j in range(1, 9):
            tr = np.maximum(tr, ndimage.shift(cv, (L * j / 8 * math.sin(ang), L * j / 8 * math.cos(ang)), order=1))
        cover[key] = tr
        pl["smear_mm"] = L / pxmm

    # --------------------------------------------------------------- overlap_line from the ink
    for pl in plans:
        if pl["empty"]:
            continue
        key = id(pl)
        b = pl["box"]
        ox, oy, wpx, hpx = pl["crop"]

        def reach(cv):
            ys, xs = np.nonzero(cv >= 0.5)
            if len(xs) == 0:
                return -99.0
            X = (xs + ox + 0.5) / pxmm
            Y = (ys + oy + 0.5) / pxmm
            ix0, iy0, ix1, iy1 = b.inner
            return float(max(ix0 - X.min(), X.max() - ix1, iy0 - Y.min(), Y.max() - iy1))

        r = reach(cover[key])
        pl["reach"] = r
        D = pl["defects"]
        if "overlap_line" in D:
            D.remove("overlap_line")
        if r > 0.3:
            D.append("overlap_line")
        elif r >= -0.3:
            pl["borderline"].append("overlap_line")
        if "broken" in D and "uncut" in pl:
            ru = reach(pl["uncut"])
            if ru >= -0.3 and "overlap_line" not in pl["borderline"] and "overlap_line" not in D:
                pl["borderline"].append("overlap_line")

    # --------------------------------------------------------------- the page as the camera sees it
    hmax = max([float(f.max()) for f in films.values()] + [0.5]) * 1.01
    base = spectral.luts(dev, red_ink, paper, stain_a, K * np.ones(31), 1.0, smax)
    hs, ss, L1, L2, L3 = base
    s_idx = np.clip(s / smax * (len(ss) - 1), 0, len(ss) - 1)
    si0 = np.floor(s_idx).astype(np.int32)
    si1 = np.minimum(si0 + 1, len(ss) - 1)
    sf = (s_idx - si0).astype(np.float32)
    page = []
    for k in range(3):
        paper_k = L3[0, si0, k] * (1 - sf) + L3[0, si1, k] * sf
        page.append((t * L2[0, k] + g * (1 - t) * paper_k).astype(np.float32))
    del si0, si1, sf, s_idx
    lut_cache = {}
    for pl in plans:
        if pl["empty"]:
            continue
        key = id(pl)
        ink = pen if pl["box"].kind == "signature" else pl["ink"]
        ik = id(ink)
        if ik not in lut_cache:
            lut_cache[ik] = spectral.luts(dev, ink, paper, stain_a, K * np.ones(31), hmax, smax)
        hs, ss, L1, L2, L3 = lut_cache[ik]
        ox, oy, wpx, hpx = pl["crop"]
        h = films[key]
        y0, x0 = max(oy, 0), max(ox, 0)
        y1, x1 = min(oy + hpx, PH), min(ox + wpx, PW)
        hc = h[y0 - oy:y1 - oy, x0 - ox:x1 - ox]
        m = hc > 1e-4
        if not m.any():
            continue
        hv = hc[m]
        sv = s[y0:y1, x0:x1][m]
        tv = t[y0:y1, x0:x1][m]
        gv = g[y0:y1, x0:x1][m]
        hi = np.clip(hv / hmax * (len(hs) - 1), 0, len(hs) - 1.001)
        h0 = hi.astype(np.int32)
        hf = (hi - h0).astype(np.float32)
        si = np.clip(sv / smax * (len(ss) - 1), 0, len(ss) - 1.001)
        s0 = si.astype(np.int32)
        sfv = (si - s0).astype(np.float32)
        for k in range(3):
            l1 = L1[h0, k] * (1 - hf) + L1[h0 + 1, k] * hf
            l2 = L2[h0, k] * (1 - hf) + L2[h0 + 1, k] * hf
            l3 = ((L3[h0, s0, k] * (1 - sfv) + L3[h0, s0 + 1, k] * sfv) * (1 - hf)
                  + (L3[h0 + 1, s0, k] * (1 - sfv) + L3[h0 + 1, s0 + 1, k] * sfv) * hf)
            sub = page[k][y0:y1, x0:x1]
            sub[m] = l1 + tv * l2 + gv * (1 - tv) * l3
    del t, g, s, films

    # the desk under the camera: its black mat or a wooden top
    desk_tex = lo_texture("concrete" if rng.random() < 0.6 else "cardboard")
    desk_tex = (0.85 + 0.3 * (desk_tex - desk_tex.mean())).astype(np.float32)
    desk = [0.06, 0.06, 0.065] if rng.random() < 0.6 else [0.42, 0.3, 0.17]
    raw = cam.expose_sensor(rng, page, S, desk, desk_tex, cockle)
    del page
    lin = cam.develop(raw, dev)
    del raw
    img = cam.to_page(lin, dev, dpi)
    del lin
    img8 = np.round(img * 255).astype(np.uint8)
    del img

    # --------------------------------------------------------------- the file
    fmt = rng.choice(["jpg", "png", "tif"], p=[0.7, 0.2, 0.1])
    in_file = bool(rng.random() < 0.8)
    name = "%s.%s" % (stem, fmt)
    im = Image.fromarray(img8, "RGB")
    kw = {"dpi": (dpi, dpi)} if in_file else {}
    if fmt == "jpg":
        im.save(os.path.join(outdir, name), quality=int(rng.integers(70, 96)), subsampling=int(rng.choice([2, 1, 0], p=[0.7, 0.15, 0.15])), **kw)
    elif fmt == "png":
        im.save(os.path.join(outdir, name), compress_level=1, **kw)
    else:
        im.save(os.path.join(outdir, name), compression=str(rng.choice(["tiff_lzw", "tiff_adobe_deflate", "raw"])), **kw)
    Wout, Hout = img8.shape[1], img8.shape[0]
    del img8, im

    # --------------------------------------------------------------- truth
    out_boxes = []
    sens_px_scene = S / cam.sensor_dpi  # the sensor pixel's width in render pixels
    for pl in plans:
        b = pl["box"]
        cxo, cyo = cam.page_mm_to_out(b.centre[0], b.centre[1], dpi)
        e = {"row": int(b.row), "col": int(b.col), "kind": b.kind, "empty": bool(pl["empty"]),
             "defects": (["empty"] if pl["empty"] else []) + sorted(set(pl["defects"])),
             "borderline": sorted(set(pl["borderline"])),
             "box_centre_px": [round(float(cxo), 1), round(float(cyo), 1)]}
        if b.kind == "official_seal":
            e["diameter_mm"] = round(float(diam), 2)
        elif b.kind == "legal_rep_seal":
            e["size_mm"] = [round(float(lw_), 2), round(float(lh_), 2)]
        if not pl["empty"]:
            ox, oy, wpx, hpx = pl["crop"]
            cv = ndimage.uniform_filter(cover[id(pl)], max(1, int(round(sens_px_scene))))
            # the crop's corners in the output image
            corners = [cam.page_mm_to_out(ox / pxmm + dx, oy / pxmm + dy, dpi) for dx in (0, wpx / pxmm) for dy in (0, hpx / pxmm)]
            u0 = max(0, int(math.floor(min(q[0] for q in corners))))
            v0 = max(0, int(math.floor(min(q[1] for q in corners))))
            u1 = min(Wout, int(math.ceil(max(q[0] for q in corners))) + 1)
            v1 = min(Hout, int(math.ceil(max(q[1] for q in corners))) + 1)
            U, V = np.meshgrid(np.arange(u0, u1, dtype=np.float64), np.arange(v0, v1, dtype=np.float64))
            X, Y = cam.out_to_page_mm(U, V, dpi)
            mv = ndimage.map_coordinates(cv, [Y * pxmm - 0.5 - oy, X * pxmm - 0.5 - ox], order=1, mode="constant", cval=0)
            m = mv >= 0.5
            if m.any():
                ys, xs = np.nonzero(m)
                my0, my1, mx0, mx1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
                mname = "%s.r%dc%d.mask.png" % (stem, b.row, b.col)
                Image.fromarray((m[my0:my1, mx0:mx1] * 255).astype(np.uint8), "L").save(os.path.join(outdir, mname))
                e["mask"] = mname
                e["mask_offset"] = [int(u0 + mx0), int(v0 + my0)]
            e["tilt_deg"] = round(float(pl["rot"]), 2)
            if "double_off" in pl:
                e["double_offset_mm"] = round(float(pl["double_off"]), 2)
            if "smear_mm" in pl:
                e["smear_mm"] = round(float(pl["smear_mm"]), 2)
            if b.kind != "signature":
                e["absorbed"] = round(float(pl["absorbed"]), 3)
            if "lost" in pl:
                e["lost"] = round(float(pl["lost"]), 3)
            e["reach_mm"] = round(float(pl["reach"]), 2)
        out_boxes.append(e)
    truth = {"maker": "camera", "seed": seed, "dpi": dpi, "dpi_in_file": in_file, "skew_deg": round(float(cam.skew), 3),
             "file": name, "layout": str(layout), "boxes": out_boxes,
             "camera": {"sensor": [cam.sw, cam.sh], "sensor_dpi": round(float(cam.sensor_dpi), 1), "render_dpi": S,
                        "demosaic": cam.demosaic, "copies": copies, "tinted": bool(tinted)}}
    with open(os.path.join(outdir, stem + ".truth.json"), "w") as f:
        json.dump(truth, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
