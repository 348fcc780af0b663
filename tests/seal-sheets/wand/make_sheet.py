#!/usr/bin/python3
"""Maker K (wand/): one seal collection sheet and its truth.
   make_sheet.py SEED OUTDIR INDEX
Stack: glyph outlines of IPAmj Mincho / BIZ UD Gothic (seals, form) and the Seto handwriting face
(signatures) read with fontTools and flattened here; every shape filled by Mesa's software OpenGL
(glr.py: stencil-then-cover, jittered passes); the form printed by a 24-pin dot-matrix printer
(180 dpi, pin strikes through a fabric ribbon, bidirectional passes); scikit-image's photographed
gravel texture as the paper's grain and formation; the inks as CIELAB tint ladders looked up by
load; a handheld wand scanner (wand.py)."""
import json
import math
import os
import sys

import numpy as np
from scipy import ndimage, signal
from PIL import Image
from fontTools.ttLib import TTFont
from fontTools.pens.basePen import BasePen

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import glr  # noqa: E402
import wand  # noqa: E402

F_MING = '/usr/share/fonts/truetype/ipamj/ipamjm.ttf'
F_GOTH = '/usr/share/fonts/truetype/bizud-gothic/BIZUDGothic-Bold.ttf'
F_HAND = '/usr/share/fonts/truetype/seto/setofont.ttf'
TEX = '/usr/lib/python3/dist-packages/skimage/data/gravel.png'
PAGE_W, PAGE_H = 210.0, 297.0
P180 = 25.4 / 180


class FlatPen(BasePen):
    def __init__(self, gs):
        super().__init__(gs)
        self.cs, self.cur = [], []

    def _moveTo(self, p):
        self._flush()
        self.cur = [p]

    def _lineTo(self, p):
        self.cur.append(p)

    def _curveToOne(self, p1, p2, p3):
        p0 = self.cur[-1]
        for t in np.linspace(0, 1, 9)[1:]:
            u = 1 - t
            self.cur.append((u ** 3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t ** 3 * p3[0],
                             u ** 3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t ** 3 * p3[1]))

    def _qCurveToOne(self, p1, p2):
        p0 = self.cur[-1]
        for t in np.linspace(0, 1, 7)[1:]:
            u = 1 - t
            self.cur.append((u * u * p0[0] + 2 * u * t * p1[0] + t * t * p2[0], u * u * p0[1] + 2 * u * t * p1[1] + t * t * p2[1]))

    def _closePath(self):
        self._flush()

    def _endPath(self):
        self._flush()

    def _flush(self):
        if len(self.cur) >= 3:
            self.cs.append(np.array(self.cur, float))
        self.cur = []


class Face:
    def __init__(self, path):
        self.path = path
        self.f = TTFont(path, lazy=True)
        self.cmap = self.f.getBestCmap()
        self.gs = self.f.getGlyphSet()
        self.upm = self.f['head'].unitsPerEm
        self.hmtx = self.f['hmtx']
        self.cache = {}

    def has(self, s):
        return all(c == ' ' or ord(c) in self.cmap for c in s)

    def need(self, s):
        miss = [c for c in s if c != ' ' and ord(c) not in self.cmap]
        if miss:
            raise SystemExit('wand: %s lacks %s (in %s)' % (os.path.basename(self.path), ''.join(miss), s))

    def glyph(self, ch):
        """Contours in em units, y down from the em box's top (ideographic box 0.88 above the baseline)."""
        if ch not in self.cache:
            name = self.cmap[ord(ch)]
            pen = FlatPen(self.gs)
            self.gs[name].draw(pen)
            cs = [np.stack([c[:, 0] / self.upm, 0.88 - c[:, 1] / self.upm], -1) for c in pen.cs]
            self.cache[ch] = (cs, self.hmtx[name][0] / self.upm)
        return self.cache[ch]


def xf(cs, a=1, b=0, c=0, d=1, tx=0, ty=0):
    return [np.stack([a * q[:, 0] + b * q[:, 1] + tx, c * q[:, 0] + d * q[:, 1] + ty], -1) for q in cs]


def rot(cs, deg, cx=0.0, cy=0.0):
    t = math.radians(deg)
    co, si = math.cos(t), math.sin(t)
    return [np.stack([cx + co * (q[:, 0] - cx) - si * (q[:, 1] - cy), cy + si * (q[:, 0] - cx) + co * (q[:, 1] - cy)], -1) for q in cs]


def glyph_in_cell(face, ch, w, h, cx, cy, deg=0.0, stretch=True):
    cs, _ = face.glyph(ch)
    if not cs:
        return []
    allp = np.concatenate(cs)
    x0, y0 = allp.min(0)
    x1, y1 = allp.max(0)
    sx = w / max(x1 - x0, 1e-6)
    sy = h / max(y1 - y0, 1e-6)
    if not stretch:
        sx = sy = min(sx, sy)
    out = [np.stack([(q[:, 0] - (x0 + x1) / 2) * sx, (q[:, 1] - (y0 + y1) / 2) * sy], -1) for q in cs]
    out = rot(out, deg)
    return [q + [cx, cy] for q in out]


def circle(r, cx=0.0, cy=0.0, n=360, rev=False):
    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    if rev:
        a = a[::-1]
    return np.stack([cx + r * np.cos(a), cy + r * np.sin(a)], -1)


def rect(x0, y0, x1, y1, rev=False):
    r = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], float)
    return r[::-1] if rev else r


# ---------------------------------------------------------------- words (checked against the cmaps)
PLACES = ['北京', '上海', '天津', '广州', '深圳', '西安', '成都', '杭州', '南京', '沈阳', '呼和浩特', '包头', '鄂尔多斯',
          '郑州', '济南', '合肥', '福州', '昆明', '贵阳', '太原', '石家庄', '兰州', '西宁', '银川', '宁波', '苏州', '青岛']
CORES = ['恒泰', '鑫源', '瑞丰', '宏达', '盛世', '中兴', '正信', '天元', '博雅', '安泰', '永和', '光明', '嘉禾', '云海',
         '四海', '万里', '金石', '和信', '同德', '新星', '明德', '立信', '富源', '鼎盛', '益民', '春秋', '星河', '德润']
TRADES = ['科技', '信息技术', '建设工程', '网络科技', '物流', '实业', '文化传媒', '餐饮管理', '机械设备', '建筑', '医药',
          '环保科技', '农业开发', '食品', '投资管理', '房地产开发', '广告', '旅游开发', '教育咨询', '化工', '钢铁', '能源']
SUFFIX = ['有限公司', '有限公司', '股份有限公司', '集团有限公司']
SURN = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗',
        '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹', '彭', '曾', '肖', '田', '董', '袁', '潘', '于', '蒋', '蔡',
        '余', '杜', '叶', '程', '苏', '魏', '吕', '丁', '任', '沈', '姚', '卢', '姜', '崔', '钟', '谭', '陆', '汪', '范', '金',
        '石', '廖', '贾', '夏', '韦', '付', '方', '白', '邹', '孟', '熊', '秦', '邱', '江', '尹', '薛', '段', '雷', '侯', '龙']
GIVEN = ['伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '霞',
         '平', '刚', '桂兰', '志强', '红', '玉', '建国', '文', '斌', '宁', '浩', '宇', '鹏', '飞', '俊', '峰', '晓燕', '海波',
         '辉', '云', '亮', '婷', '雪梅', '鑫', '淑珍', '琳', '欣怡', '子轩', '梓涵', '国强', '建平', '志明', '秀兰', '春生']


def make_words(rng, mj, goth, hand):
    places = [w for w in PLACES if mj.has(w)]
    cores = [w for w in CORES if mj.has(w)]
    trades = [w for w in TRADES if mj.has(w)]
    surn = [w for w in SURN if mj.has(w) and goth.has(w) and hand.has(w) and mj.has(w + '之印')]
    given = [w for w in GIVEN if mj.has(w) and goth.has(w) and hand.has(w)]
    if min(len(places), len(cores), len(trades), len(surn), len(given)) < 5:
        raise SystemExit('wand: too few words carried by the faces')
    while True:
        firm = str(rng.choice(places)) + str(rng.choice(cores)) + str(rng.choice(trades)) + str(rng.choice(SUFFIX))
        if 8 <= len(firm) <= 15:
            break
    person = str(rng.choice(surn)) + str(rng.choice(given))
    mj.need(firm)
    return firm, person


# ---------------------------------------------------------------- layouts (forms/: snca-nmg 附件3, bjca-nmg 采样表)
class Form:
    def __init__(self):
        self.rects = []     # rule rectangles (mm)
        self.texts = []     # (string, face, x, y_top, size_mm, bold_mm, align)
        self.tints = []     # (x0, y0, x1, y1, tone)
        self.boxes = []     # dicts

    def text(self, s, face, x, y, size, bold=0.0, align='left'):
        face.need(s)
        self.texts.append((s, face, x, y, size, bold, align))

    def table(self, x, y, cols, rows, lw, frame_lw):
        """Rules of a table; returns the cells' inner edges [r][c] = (x0, y0, x1, y1)."""
        xs = np.concatenate([[x], x + np.cumsum(cols)])
        ys = np.concatenate([[y], y + np.cumsum(rows)])
        for i, yy in enumerate(ys):
            w = frame_lw if i in (0, len(ys) - 1) else lw
            self.rects.append((xs[0] - frame_lw / 2, yy - w / 2, xs[-1] + frame_lw / 2, yy + w / 2))
        for j, xx in enumerate(xs):
            w = frame_lw if j in (0, len(xs) - 1) else lw
            self.rects.append((xx - w / 2, ys[0] - frame_lw / 2, xx + w / 2, ys[-1] + frame_lw / 2))
        cells = []
        for i in range(len(rows)):
            row = []
            for j in range(len(cols)):
                wl = frame_lw if j == 0 else lw
                wr = frame_lw if j == len(cols) - 1 else lw
                wt = frame_lw if i == 0 else lw
                wb = frame_lw if i == len(rows) - 1 else lw
                row.append((xs[j] + wl / 2, ys[i] + wt / 2, xs[j + 1] - wr / 2, ys[i + 1] - wb / 2))
            cells.append(row)
        return cells


def title_face(s, mj, goth):
    return (goth, 0.0) if goth.has(s) else (mj, 0.22)


def layout_collection(rng, mj, goth, firm):
    """snca-nmg's 附件3: three headed tables of three boxes, a number strip under each row."""
    fm = Form()
    lw = rng.uniform(0.2, 0.45)
    flw = lw * rng.uniform(1.5, 2.0) if rng.random() < 0.3 else lw
    x = (PAGE_W - 174) / 2 + rng.uniform(-2, 2)
    y = rng.uniform(14, 20)
    fm.text('附件3', mj, x, y, 3.7)
    y += 7
    tint = rng.uniform(0.1, 0.2) if rng.random() < 0.5 else 0.0
    blocks = [('official_seal', '公章采集表', rng.uniform(50, 55), '印章',
               '【为确保采集到最清晰的印章，在下表方格内居中盖章三次，切勿越出方格】'),
              ('signature', '法定代表人署名采集表', rng.uniform(33, 37), '署名',
               '【在下表方格内居中署名三次，切勿越出方格】'),
              ('legal_rep_seal', '法人印章采集表', rng.uniform(38, 42), '印章',
               '【为确保采集到最清晰的印章，在下表方格内居中盖章三次，切勿越出方格】')]
    for r, (kind, title, h, strip, note) in enumerate(blocks):
        f, b = title_face(title, mj, goth)
        fm.text(title, f, PAGE_W / 2, y, 5.3, b, 'center')
        y += 7.5
        fm.text(note, mj, PAGE_W / 2, y, 3.3, 0, 'center')
        y += 5.5
        cells = fm.table(x, y, [58, 58, 58], [h, 8], lw, flw)
        for c in range(3):
            fm.boxes.append({'row': r, 'col': c, 'kind': kind, 'inner': cells[0][c], 'lw': lw if c == 1 else max(lw, flw)})
            cx0, cy0, cx1, cy1 = cells[1][c]
            if tint:
                fm.tints.append((cx0, cy0, cx1, cy1, tint))
            fm.text('%s %d' % (strip, c + 1), mj, (cx0 + cx1) / 2, (cy0 + cy1) / 2 - 1.7, 3.4, 0, 'center')
        y += h + 8 + rng.uniform(5, 8)
    fm.text('填表日期：      年    月    日', mj, x + 100, min(y + 2, PAGE_H - 15), 3.7)
    fm.layout = 'collection'
    return fm


def layout_sample(rng, mj, goth, firm):
    """bjca-nmg's 采样表: notes, 名称 / 备注, a caption strip and 2 x 2 boxes."""
    fm = Form()
    lw = rng.uniform(0.2, 0.45)
    flw = lw * rng.uniform(1.5, 2.0) if rng.random() < 0.3 else lw
    r = rng.random()
    kind = 'official_seal' if r < 0.6 else ('signature' if r < 0.85 else 'legal_rep_seal')
    title = '企业印章采样表' if kind == 'official_seal' else '个人印章采样表'
    x = (PAGE_W - 174) / 2 + rng.uniform(-2, 2)
    y = rng.uniform(16, 22)
    f, b = title_face(title, mj, goth)
    fm.text(title, f, PAGE_W / 2, y, 6.0, b, 'center')
    y += 10
    notes = ['注：1、名称与印章上的名称相同。', '2、印章只可盖在方格内，不得越出方格。',
             '3、蘸足够印泥，用力加盖，确保印章清晰完整。', '4、保持桌面平整。']
    for s in notes:
        fm.text(s, mj, x + (0 if s.startswith('注') else 6.5), y, 3.5)
        y += 5.2
    y += 2
    h = rng.uniform(58, 64)
    what = {'official_seal': '加盖企业公章', 'signature': '署名', 'legal_rep_seal': '加盖法人印章'}[kind]
    top = fm.table(x, y, [30, 144], [10, 16], lw, flw)
    fm.text('名称', mj, top[0][0][0] + 3, top[0][0][1] + 3, 3.7)
    fm.text('备注', mj, top[1][0][0] + 3, top[1][0][1] + 6, 3.7)
    cap_cell = fm.table(x, y + 26, [174], [8], lw, flw)[0][0]
    cap = '印章采样（在区域内%s，重复四次）' % what if kind != 'signature' else '署名采样（在区域内署名，重复四次）'
    fm.text(cap, mj, (cap_cell[0] + cap_cell[2]) / 2, cap_cell[1] + 2.2, 3.5, 0.1, 'center')
    tint = rng.uniform(0.1, 0.2) if rng.random() < 0.5 else 0.0
    if tint:
        fm.tints.append(cap_cell + (tint,))
    cells = fm.table(x, y + 34, [87, 87], [h, h], lw, flw)
    for rr in range(2):
        for c in range(2):
            fm.boxes.append({'row': rr, 'col': c, 'kind': kind, 'inner': cells[rr][c], 'lw': lw})
    fm.layout = 'sample'
    return fm


# ---------------------------------------------------------------- print: a 24-pin dot-matrix printer
def bayer8():
    m = np.array([[0, 2], [3, 1]])
    for _ in range(2):
        m = np.block([[4 * m, 4 * m + 2], [4 * m + 3, 4 * m + 1]])
    return (m + 0.5) / 64.0


def form_scene(fm, extra_texts):
    sc = glr.Scene()
    for (x0, y0, x1, y1) in fm.rects:
        sc.tris(glr.rect_tris(x0, y0, x1, y1))
    for (s, face, x, y, size, bold, align) in list(fm.texts) + extra_texts:
        adv = [face.glyph(c)[1] * size if c != ' ' else size * 0.5 for c in s]
        tot = sum(adv)
        cx = x - tot / 2 if align == 'center' else x
        for ch, a in zip(s, adv):
            if ch != ' ':
                cs, _ = face.glyph(ch)
                g = [q * size + [cx, y] for q in cs]
                sc.fill(g)
                if bold > 0:
                    sc.tris(glr.stroke_tris(g, bold))
            cx += a
    return sc


def dot_matrix(rng, fm, extra_texts, gpx, H, W):
    """The form as a 24-pin head prints it: the driver's 180-dpi bitmap (pixel centres, tints by an
    8 x 8 ordered dither), each dot a pin's strike through the ribbon."""
    w180, h180 = int(PAGE_W / P180), int(PAGE_H / P180)
    sc = form_scene(fm, extra_texts)
    bits = glr.coverage(sc, 0, 0, w180, h180, 1 / P180, passes=1) > 0.5
    if fm.tints:
        tones = np.zeros((h180, w180), np.float32)
        for (x0, y0, x1, y1, t) in fm.tints:
            i0, i1 = int(y0 / P180), int(y1 / P180)
            j0, j1 = int(x0 / P180), int(x1 / P180)
            tones[i0:i1, j0:j1] = t
        b8 = bayer8()
        thr = np.tile(b8, (h180 // 8 + 1, w180 // 8 + 1))[:h180, :w180]
        bits |= tones > thr
    iy, ix = np.nonzero(bits)
    band = iy // 24
    pin = iy % 24
    nb = h180 // 24 + 1
    bidi = rng.uniform(0.04, 0.14) * rng.choice([-1, 1])
    dxb = np.where(np.arange(nb) % 2 == 1, bidi, 0.0) + rng.normal(0, 0.012, nb)
    feed = rng.uniform(-0.003, 0.003)
    dyb = np.arange(nb) * 24 * P180 * feed + np.cumsum(rng.normal(0, 0.006, nb))
    strength = 1 + rng.normal(0, 0.05, 24)
    weak = None
    if rng.random() < 0.25:
        weak = int(rng.integers(0, 24))
        strength[weak] = rng.uniform(0.35, 0.65)
    fade = rng.uniform(0.0, 0.12)
    ribbon_x = 1 + wand.smooth_noise(rng, 420, rng.uniform(10, 40), rng.uniform(0.02, 0.06))
    xmm = (ix + 0.5) * P180 + dxb[band]
    ymm = (iy + 0.5) * P180 + dyb[band]
    s = strength[pin] * (1 - fade * band / nb) * ribbon_x[np.clip((xmm / PAGE_W * 419).astype(int), 0, 419)]
    # splat the strikes onto the render grid
    fx, fy = xmm * gpx - 0.5, ymm * gpx - 0.5
    x0, y0 = np.floor(fx).astype(int), np.floor(fy).astype(int)
    ax, ay = fx - x0, fy - y0
    imp = np.zeros((H, W), np.float32)
    for ddx, ddy, wgt in ((0, 0, (1 - ax) * (1 - ay)), (1, 0, ax * (1 - ay)), (0, 1, (1 - ax) * ay), (1, 1, ax * ay)):
        xx, yy = np.clip(x0 + ddx, 0, W - 1), np.clip(y0 + ddy, 0, H - 1)
        np.add.at(imp, (yy, xx), (s * wgt).astype(np.float32))
    rd = rng.uniform(0.1, 0.12)          # the pin's radius (a 0.2-0.24 mm pin)
    k = int(math.ceil((rd + 0.05) * gpx))
    yy, xx = np.mgrid[-k:k + 1, -k:k + 1] / gpx
    rr = np.hypot(xx, yy)
    ker = np.clip((rd - rr) / 0.03 + 0.5, 0, 1).astype(np.float32)
    dens = signal.oaconvolve(imp, ker, mode='same').astype(np.float32)
    np.clip(dens, 0, None, out=dens)
    cov = 1 - np.exp(-2.0 * dens)
    # the ribbon's fabric: a weave of about 0.1 mm printed into every strike
    pw = rng.uniform(0.09, 0.13)
    ang = rng.uniform(0, np.pi)
    co, si = np.float32(math.cos(ang) / gpx), np.float32(math.sin(ang) / gpx)
    X = np.arange(W, dtype=np.float32)[None, :]
    for r0 in range(0, H, 512):
        Y = np.arange(r0, min(H, r0 + 512), dtype=np.float32)[:, None]
        u = X * co + Y * si
        v = Y * co - X * si
        weave = 0.5 + 0.25 * np.sin(np.float32(2 * np.pi / pw) * u) + 0.25 * np.sin(np.float32(2 * np.pi / pw) * v)
        cov[r0:r0 + 512] *= 0.8 + 0.2 * weave
    rho = np.array([0.11, 0.11, 0.13]) * rng.uniform(0.8, 1.4)
    info = {'head': '24-pin', 'driver_dpi': 180, 'bidi_mm': round(float(bidi), 3), 'feed_error': round(float(feed), 4),
            'weak_pin': weak, 'ribbon_fade': round(float(fade), 3), 'pin_mm': round(2 * rd, 3), 'weave_mm': round(pw, 3),
            'ribbon_reflectance': [round(float(r), 3) for r in rho]}
    return cov, rho, info


# ---------------------------------------------------------------- inks: CIELAB tint ladders
def lab_to_lin(L, a, b):
    fy = (L + 16) / 116
    fx = fy + a / 500
    fz = fy - b / 200

    def finv(t):
        return np.where(t > 6 / 29, t ** 3, 3 * (6 / 29) ** 2 * (t - 4 / 29))
    X, Y, Z = 0.95047 * finv(fx), finv(fy), 1.08883 * finv(fz)
    r = 3.2406 * X - 1.5372 * Y - 0.4986 * Z
    g = -0.9689 * X + 1.8758 * Y + 0.0415 * Z
    bb = 0.0557 * X - 0.2040 * Y + 1.0570 * Z
    # relative to the paper (L* 100 = the paper's own white)
    return np.clip(np.stack([r, g, bb], -1), 1e-4, 1.0)


def srgb_enc(v):
    v = np.clip(v, 0, 1)
    return np.where(v <= 0.0031308, 12.92 * v, 1.055 * v ** (1 / 2.4) - 0.055)


def hsv_hue(rgb):
    r, g, b = rgb
    mx, mn = max(rgb), min(rgb)
    if mx - mn < 1e-9:
        return 0.0
    if mx == r:
        h = ((g - b) / (mx - mn)) % 6
    elif mx == g:
        h = (b - r) / (mx - mn) + 2
    else:
        h = (r - g) / (mx - mn) + 4
    h *= 60
    return h - 360 if h > 180 else h


class Ladder:
    """An ink's tint ladder: CIELAB of a stamped / written wedge at loads 0 ... 2.5, the chroma
    building faster than the lightness falls and the hue drifting by 'drift' degrees towards the
    thin end; looked up by load (table of 501 steps), relative to the paper in linear light."""

    def __init__(self, Ls, Cs, hs, drift, k=2.6):
        self.u = np.linspace(0, 2.5, 501)
        c = 1 - np.exp(-k * self.u)
        over = np.maximum(0, self.u - 1)
        L = 100 - (100 - Ls) * c - 3.0 * over
        C = Cs * c ** 0.8 * (1 - 0.08 * over)
        h = np.radians(hs + drift * (1 - c))
        self.rel = lab_to_lin(L, C * np.cos(h), C * np.sin(h))
        self.strong = int(np.argmin(self.rel[-1]))
        self.params = [round(Ls, 1), round(Cs, 1), round(hs, 1), round(drift, 1)]

    def load_for(self, absorbed):
        a = 1 - self.rel[:, self.strong]
        return float(np.interp(absorbed, a, self.u))

    def apply(self, u):
        out = np.empty(u.shape + (3,), np.float32)
        for c in range(3):
            out[..., c] = np.interp(u, self.u, self.rel[:, c])
        return out

    def hue_at(self, u, paper):
        rel = np.array([np.interp(u, self.u, self.rel[:, c]) for c in range(3)])
        return hsv_hue(srgb_enc(rel * paper))


def red_ladder(rng, paper, target_deg, lo, hi, loads):
    """Find the solid's CIELAB hue angle so that the delivered hue is target_deg; check it over loads."""
    for i in range(60):
        Ls = rng.uniform(44, 54)
        Cs = rng.uniform(62, 74)
        drift = rng.uniform(-4, 4) * (1 - i / 60)
        a, b = -10.0, 90.0
        for _ in range(40):
            m = (a + b) / 2
            lad = Ladder(Ls, Cs, m, drift)
            if lad.hue_at(loads[len(loads) // 2], paper) < target_deg:
                a = m
            else:
                b = m
        lad = Ladder(Ls, Cs, (a + b) / 2, drift)
        hs = [lad.hue_at(u, paper) for u in loads]
        if all(lo <= h <= hi for h in hs):
            return lad, hs
    raise SystemExit('wand: no ink ladder met its hue')


PEN_INKS = {'blue ballpoint': (30, 58, 290), 'black gel': (16, 4, 270), 'blue-black': (24, 26, 265)}   # solid L*, C*, h


# ---------------------------------------------------------------- paper
def load_texture():
    t = np.asarray(Image.open(TEX).convert('L'), np.float32)
    hp = t - ndimage.gaussian_filter(t, 12)
    hp /= hp.std()
    lo = ndimage.gaussian_filter(t, 20)
    lo = (lo - lo.mean()) / lo.std()
    return hp, lo


def tile_mirror(t, H, W, px_per_texel, rng):
    z = ndimage.zoom(t.astype(np.float32), px_per_texel, order=1)
    if rng.random() < 0.5:
        z = z.T
    m = np.block([[z, z[:, ::-1]], [z[::-1], z[::-1, ::-1]]])
    oy, ox = int(rng.integers(0, m.shape[0])), int(rng.integers(0, m.shape[1]))
    iy = (np.arange(H) + oy) % m.shape[0]
    ix = (np.arange(W) + ox) % m.shape[1]
    return m[iy][:, ix]


def smooth_field(rng, h, w, corr_px, amp):
    n = rng.standard_normal((h // 8 + 4, w // 8 + 4)).astype(np.float32)
    n = ndimage.gaussian_filter(n, max(corr_px / 8, 0.7))
    n /= n.std() + 1e-9
    f = ndimage.zoom(n, 8, order=1)[:h, :w]
    if f.shape != (h, w):
        f = np.pad(f, ((0, h - f.shape[0]), (0, w - f.shape[1])), mode='edge')
    return f * amp


# ---------------------------------------------------------------- seals and signatures
def official_face(rng, mj, firm, D):
    R = D / 2
    ring = rng.uniform(0.9, 1.5)
    pos = glr.Scene()
    pos.fill([circle(R), circle(R - ring, rev=True)])
    info = {'ring_mm': round(ring, 2)}
    rin = R - ring
    if rng.random() < 0.15:
        r2 = rin - rng.uniform(0.7, 1.1)
        pos.fill([circle(r2), circle(r2 - 0.25, rev=True)])
        rin = r2 - 0.25
    rs = rng.uniform(0.28, 0.33) * R
    a = np.radians(np.arange(10) * 36 - 90)
    rad = np.where(np.arange(10) % 2 == 0, rs, rs * 0.382)
    pos.fill([np.stack([rad * np.cos(a), rad * np.sin(a)], -1)])
    span = rng.uniform(205, 250)
    n = len(firm)
    hc = rng.uniform(0.15, 0.18) * D
    rc = rin - rng.uniform(0.5, 0.9) - hc / 2
    arc_w = np.radians(span / n) * rc
    wc = min(arc_w * 0.86, hc * rng.uniform(0.62, 0.82))
    emb = rng.uniform(0.1, 0.25)
    for i, ch in enumerate(firm):
        phi = -span / 2 + span * (i + 0.5) / n
        t = math.radians(phi)
        g = glyph_in_cell(mj, ch, wc, hc, rc * math.sin(t), -rc * math.cos(t), phi)
        pos.fill(g)
        pos.tris(glr.stroke_tris(g, emb))
    if rng.random() < 0.45:
        code = ''.join(str(int(d)) for d in rng.integers(0, 10, 13))
        hd = 0.075 * D
        rcd = rin - 0.5 - hd / 2
        sp = 62.0
        for i, ch in enumerate(code):
            phi = 180 + sp / 2 - sp * (i + 0.5) / 13
            t = math.radians(phi)
            g = glyph_in_cell(mj, ch, hd * 0.5, hd, rcd * math.sin(t), -rcd * math.cos(t), phi - 180)
            pos.fill(g)
            pos.tris(glr.stroke_tris(g, 0.08))
        info['code'] = code
    info.update({'arc_deg': round(span, 1), 'char_mm': round(hc, 2), 'emb_mm': round(emb, 3)})
    return pos, None, (R, R), info


def legal_face(rng, mj, goth, person):
    face = mj if rng.random() < 0.6 else goth
    if rng.random() < 0.62:
        w = h = rng.uniform(15.5, 21.5)
    else:
        L = rng.uniform(17.5, 22)
        s = L / rng.uniform(1.2, 1.5)
        w, h = (L, s) if rng.random() < 0.5 else (s, L)
    fr = rng.uniform(0.6, 1.1)
    yin = rng.random() < 0.22
    chars = person + ('之印' if len(person) == 2 else '印')
    # right-to-left columns of two: [c0 c1] on the right, [c2 c3] on the left
    m = fr + rng.uniform(0.5, 0.9)
    cw, ch = (w - 2 * m) / 2, (h - 2 * m) / 2
    cells = [(w / 2 - m - cw / 2, -h / 2 + m + ch / 2), (w / 2 - m - cw / 2, h / 2 - m - ch / 2),
             (-w / 2 + m + cw / 2, -h / 2 + m + ch / 2), (-w / 2 + m + cw / 2, h / 2 - m - ch / 2)]
    glyphs = glr.Scene()
    emb = rng.uniform(0.12, 0.3)
    for i, c in enumerate(chars):
        gx, gy = cells[i]
        g = glyph_in_cell(face, c, cw * 0.92, ch * 0.92, gx, gy)
        glyphs.fill(g)
        glyphs.tris(glr.stroke_tris(g, emb))
    pos = glr.Scene()
    if yin:
        pos.fill([rect(-w / 2, -h / 2, w / 2, h / 2)])
        neg = glyphs
    else:
        pos.fill([rect(-w / 2, -h / 2, w / 2, h / 2), rect(-w / 2 + fr, -h / 2 + fr, w / 2 - fr, h / 2 - fr, rev=True)])
        pos.items += glyphs.items
        neg = None
    info = {'yin': bool(yin), 'frame_mm': round(fr, 2), 'face': os.path.basename(face.path), 'chars': chars}
    return pos, neg, (w / 2, h / 2), info


def signature_shape(rng, hand, person, hand_params):
    """The name in the Seto handwriting face, slanted, each character turned and scaled a little,
    the baseline wandering; one hand for a row (hand_params), each box its own small variation
    and a smooth warp of the strokes."""
    hp = hand_params
    sc = glr.Scene()
    x = 0.0
    pts = []
    for i, ch in enumerate(person):
        s = hp['size'] * rng.uniform(0.93, 1.07) * hp['scale'][i]
        cs, adv = hand.glyph(ch)
        g = [q * s for q in cs]
        g = rot(g, hp['turn'][i] + rng.normal(0, 1.2), s / 2, s / 2)
        g = [q + [x, hp['base'][i] + rng.normal(0, 0.25)] for q in g]
        pts.append(g)
        x += s * hp['advance'] * rng.uniform(0.95, 1.05)
    allc = [q for g in pts for q in g]
    allp = np.concatenate(allc)
    c0 = (allp.min(0) + allp.max(0)) / 2
    sl = math.tan(math.radians(hp['slant']))
    out = []
    wx = rng.normal(0, 1, 4)
    for q in allc:
        q = q - c0
        q = np.stack([q[:, 0] - sl * q[:, 1], q[:, 1]], -1)
        # a smooth warp: the hand never writes the same name twice
        q = q + 0.25 * np.stack([np.sin(q[:, 1] * 0.35 + wx[0]) * wx[1] * 0.5, np.sin(q[:, 0] * 0.3 + wx[2]) * wx[3] * 0.5], -1)
        out.append(q)
    sc.fill(out)
    allp = np.concatenate(out)
    hx, hy = (allp.max(0) - allp.min(0)) / 2
    return sc, (float(hx), float(hy))


def transform_scene(sc, deg, tx, ty):
    out = glr.Scene()
    t = math.radians(deg)
    co, si = math.cos(t), math.sin(t)
    for kind, data in sc.items:
        if kind == 'fill':
            out.items.append(('fill', [np.stack([co * q[:, 0] - si * q[:, 1] + tx, si * q[:, 0] + co * q[:, 1] + ty], -1) for q in data]))
        else:
            d = data
            out.items.append(('tris', np.stack([co * d[..., 0] - si * d[..., 1] + tx, si * d[..., 0] + co * d[..., 1] + ty], -1)))
    return out


# ---------------------------------------------------------------- defects
SEAL_DEFECTS = ['double', 'smudged', 'broken', 'pale', 'off_color', 'tilted', 'overlap_line', 'bg_not_white', 'text_under']
SEAL_W = [13, 12, 13, 12, 9, 13, 12, 8, 8]
SECOND = ['tilted', 'bg_not_white', 'text_under', 'overlap_line', 'double', 'pale']


def compatible(a, b):
    bad = [{'double', 'smudged'}, {'double', 'broken'}, {'pale', 'off_color'}, {'smudged', 'broken'}]
    return a != b and {a, b} not in bad


def plan_defects(rng, kind):
    if kind == 'signature':
        r = rng.random()
        if r < 0.06:
            return 'empty', [], rng.random() < 0.12
        d = []
        if rng.random() < 0.12:
            d.append('overlap_line')
        if rng.random() < 0.08:
            d.append('bg_not_white')
        if rng.random() < 0.05:
            d.append('pale')
        return 'ink', d, False
    if rng.random() < 0.08:
        return 'empty', [], rng.random() < 0.12
    d = []
    if rng.random() < 0.55:
        w = np.array(SEAL_W, float)
        d.append(str(rng.choice(SEAL_DEFECTS, p=w / w.sum())))
        if rng.random() < 0.18:
            cand = [x for x in SECOND if compatible(d[0], x)]
            d.append(str(rng.choice(cand)))
    return 'ink', d, False


def stain_layer(rng, inner, gpx, win, kind_hint=None):
    """A stain inside a box, as absorbance per channel (log10) on the window 'win' (x0, y0 px, w, h):
    carbon-paper transfer (a streaky blue-violet haze) or a sticky note's adhesive strip that caught
    the dust; faded out 2 mm inside the rules."""
    x0p, y0p, w, h = win
    yy, xx = np.mgrid[0:h, 0:w]
    X = (xx + x0p + 0.5) / gpx
    Y = (yy + y0p + 0.5) / gpx
    bx0, by0, bx1, by1 = inner
    edge = np.minimum.reduce([X - bx0, bx1 - X, Y - by0, by1 - Y])
    fadein = np.clip((edge - 2.0) / 1.0, 0, 1)
    kind = kind_hint or ('carbon' if rng.random() < 0.55 else 'adhesive')
    bw, bh = bx1 - bx0, by1 - by0
    if kind == 'carbon':
        ang = rng.uniform(0, np.pi)
        u = (X - (bx0 + bx1) / 2) * math.cos(ang) + (Y - (by0 + by1) / 2) * math.sin(ang)
        v = -(X - (bx0 + bx1) / 2) * math.sin(ang) + (Y - (by0 + by1) / 2) * math.cos(ang)
        cx, cy = rng.uniform(-0.15, 0.15) * bw, rng.uniform(-0.15, 0.15) * bh
        ra, rb = rng.uniform(0.35, 0.5) * max(bw, bh), rng.uniform(0.25, 0.4) * min(bw, bh)
        blob = np.exp(-((u - cx) / ra) ** 4 - ((v - cy) / rb) ** 4)
        streak = 1 + 0.35 * ndimage.gaussian_filter1d(rng.standard_normal(h + w), 0.25 * gpx)[(np.abs(v) * gpx).astype(int) % (h + w)]
        od = rng.uniform(0.2, 0.32) * blob * np.clip(streak, 0.4, 1.6)
        ratio = np.array([0.85, 1.0, 0.45])   # absorbs red and green, passes blue: a violet-blue haze
    else:
        hh = min(max(rng.uniform(14, 19), 0.38 * bh + rng.uniform(0, 3)), 0.7 * bh)
        top = by0 + 2 + rng.uniform(0, bh - 4 - hh)
        left = bx0 + rng.uniform(-0.1, 0.1) * bw
        ww = min(76.0, rng.uniform(0.75, 1.0) * bw)
        band = (np.clip((Y - top) * 4, 0, 1) * np.clip((top + hh - Y) * 0.6, 0, 1) * np.clip((X - left) * 3, 0, 1) * np.clip((left + ww - X) * 3, 0, 1))
        dust = 1 + 0.3 * smooth_field(rng, h, w, 0.8 * gpx, 1.0)
        od = rng.uniform(0.16, 0.24) * band * np.clip(dust, 0.6, 1.4)
        ratio = np.array([0.55, 0.7, 1.0])    # a grey-yellow of old glue and dust
    od = od * fadein
    return od[..., None] * ratio[None, None, :], kind


# ---------------------------------------------------------------- the sheet
def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng(seed)
    dpi = int(rng.choice([150, 200, 300, 400, 600], p=[0.1, 0.1, 0.55, 0.1, 0.15]))
    if os.environ.get('SEAL_SHEET_DPI'):
        dpi = int(os.environ['SEAL_SHEET_DPI'])
    gdpi = {150: 300, 200: 400, 300: 450, 400: 400, 600: 600}.get(dpi, max(300, dpi))
    gpx = gdpi / 25.4
    W, H = int(round(PAGE_W * gpx)), int(round(PAGE_H * gpx))
    mj, goth, hand = Face(F_MING), Face(F_GOTH), Face(F_HAND)
    firm, person = make_words(rng, mj, goth, hand)
    fm = layout_collection(rng, mj, goth, firm) if rng.random() < 0.6 else layout_sample(rng, mj, goth, firm)
    jit = np.random.default_rng(seed ^ 0x5a5a)

    # paper
    hp, lo = load_texture()
    white = rng.uniform(0.86, 0.91) * np.array([rng.uniform(0.985, 1.01), 1.0, rng.uniform(0.99, 1.03)])
    tinted = None
    if rng.random() < 0.06:
        tinted = str(rng.choice(['pink', 'yellow', 'blue', 'green']))
        tod = {'pink': [0.02, 0.16, 0.08], 'yellow': [0.01, 0.03, 0.2], 'blue': [0.16, 0.06, 0.02], 'green': [0.14, 0.03, 0.12]}[tinted]
        white = white * 10 ** (-np.array(tod) * rng.uniform(0.9, 1.3))
    grain = tile_mirror(hp, H, W, rng.uniform(0.03, 0.05) * gpx / 1.0 / 1.0, rng).astype(np.float32)
    form_t = tile_mirror(lo.T, H, W, rng.uniform(0.5, 1.0) * gpx / 6.0, rng).astype(np.float32)
    ga, fa = rng.uniform(0.004, 0.009), rng.uniform(0.004, 0.01)
    shade = (1 + ga * grain + fa * form_t).astype(np.float32)
    page = np.empty((3, H, W), np.float32)
    for c in range(3):
        page[c] = white[c] * shade

    # plan the boxes
    plans = []
    for bx in fm.boxes:
        state, defects, stain_empty = plan_defects(rng, bx['kind'])
        bx['state'], bx['plan'] = state, defects
        if state == 'empty' and stain_empty:
            bx['plan'] = ['bg_not_white']
        plans.append(bx)
    # print under the seal: the words go into the form before it is printed
    extra = []
    for bx in fm.boxes:
        if 'text_under' in bx['plan'] and bx['kind'] != 'signature':
            s = str(rng.choice(['（盖章）', '盖章', '年  月  日', '公章', '印章']))
            size = rng.uniform(3.8, 5.0)
            x0, y0, x1, y1 = bx['inner']
            tw = size * len(s)
            tx = rng.uniform(x0 + 3 + tw / 2, max(x0 + 3 + tw / 2, x1 - 3 - tw / 2))
            ty = rng.uniform(y0 + 3, y1 - 3 - size)
            extra.append((s, mj, tx, ty, size, 0.0, 'center'))
            bx['under'] = {'text': s, 'at_mm': [round(tx, 2), round(ty + size / 2, 2)], 'size_mm': round(size, 2)}
    pcov, rho, pinfo = dot_matrix(rng, fm, extra, gpx, H, W)
    for c in range(3):
        page[c] *= 1 - pcov * (1 - rho[c])
    del pcov

    # inks
    paper_rgb = np.full(3, float(np.mean(white)))   # the ink's own hue: judged over a neutral paper
    loads = [0.3, 0.6, 1.0, 1.3]
    boxes_out = []
    hand_params = None
    pen = str(rng.choice(list(PEN_INKS), p=[0.5, 0.3, 0.2]))
    pl = PEN_INKS[pen]
    pen_lad = Ladder(pl[0] + rng.uniform(-3, 3), pl[1] * rng.uniform(0.9, 1.1), pl[2] + rng.uniform(-5, 5), rng.uniform(-3, 3), k=3.0)
    covs = []
    for bi, bx in enumerate(fm.boxes):
        kind = bx['kind']
        x0, y0, x1, y1 = bx['inner']
        bcx, bcy = (x0 + x1) / 2, (y0 + y1) / 2
        rec = {'row': bx['row'], 'col': bx['col'], 'kind': kind, 'empty': bx['state'] == 'empty', 'defects': [],
               'borderline': [], 'box_centre_mm': [round(bcx, 2), round(bcy, 2)], 'inner_mm': [round(v, 2) for v in bx['inner']]}
        plan = list(bx['plan'])
        # stains
        if 'bg_not_white' in plan:
            pad = 1
            wx0, wy0 = int(x0 * gpx) - pad, int(y0 * gpx) - pad
            ww, hh = int((x1 - x0) * gpx) + 2 * pad, int((y1 - y0) * gpx) + 2 * pad
            for attempt in range(4):
                od, skind = stain_layer(rng, bx['inner'], gpx, (wx0, wy0, ww, hh))
                od *= 1 + 0.25 * attempt
                yy, xx = np.mgrid[0:hh, 0:ww]
                X, Y = (xx + wx0 + 0.5) / gpx, (yy + wy0 + 0.5) / gpx
                inside = (X > x0 + 2) & (X < x1 - 2) & (Y > y0 + 2) & (Y < y1 - 2)
                area = float((od.max(-1)[inside] >= 0.1).mean())
                if area >= 0.3:
                    break
            for c in range(3):
                page[c, wy0:wy0 + hh, wx0:wx0 + ww] *= (10 ** (-od[..., c])).astype(np.float32)
            rec['stain'] = {'kind': skind, 'od_max': round(float(od.max()), 3), 'area_od_0_1': round(area, 3)}
            rec['defects' if area >= 0.3 else 'borderline'].append('bg_not_white')
        if tinted and 'bg_not_white' not in rec['defects']:
            rec['defects'].append('bg_not_white')
        if bx['state'] == 'empty':
            rec['defects'].insert(0, 'empty')
            boxes_out.append(rec)
            covs.append(None)
            continue

        # geometry of the face
        if kind == 'official_seal':
            D = rng.uniform(38.5, 44.5)
            pos, neg, half, finfo = official_face(rng, mj, firm, D)
            rec['diameter_mm'] = round(D, 2)
        elif kind == 'legal_rep_seal':
            pos, neg, half, finfo = legal_face(rng, mj, goth, person)
            rec['size_mm'] = [round(2 * half[0], 2), round(2 * half[1], 2)]
        else:
            if hand_params is None:
                n = len(person)
                hand_params = {'size': rng.uniform(9, 12.5), 'advance': rng.uniform(0.72, 0.92), 'slant': rng.uniform(6, 18),
                               'turn': rng.normal(0, 4, n), 'scale': rng.uniform(0.88, 1.12, n), 'base': rng.normal(0, 0.6, n),
                               'thin': rng.uniform(0.1, 0.17)}
            pos, half = signature_shape(rng, hand, person, hand_params)
            neg = None
            finfo = {'pen': pen, 'thinned_mm': round(hand_params['thin'], 3), 'face': 'setofont'}
        rec.update({k: v for k, v in finfo.items() if k not in ('chars',)})
        tilted = 'tilted' in plan
        if kind == 'signature':
            deg = rng.uniform(-2, 2)
        elif tilted:
            deg = float(rng.choice([-1, 1]) * rng.uniform(12, 28))
        else:
            deg = rng.uniform(-2, 2)
        rec['tilt_deg'] = round(deg, 2)
        # nominal extent after the turn
        t = math.radians(deg)
        if kind == 'official_seal':
            ex, ey = half
        else:
            ex = abs(half[0] * math.cos(t)) + abs(half[1] * math.sin(t))
            ey = abs(half[0] * math.sin(t)) + abs(half[1] * math.cos(t))
        room_x, room_y = (x1 - x0) / 2 - ex, (y1 - y0) / 2 - ey
        mx = max(0.0, min(2.0, room_x - 0.8))
        my = max(0.0, min(2.0, room_y - 0.8))
        cx = bcx + rng.uniform(-mx, mx)
        cy = bcy + rng.uniform(-my, my)
        if 'text_under' in plan and 'under' in bx:
            ux, uy = bx['under']['at_mm']
            cx = cx + 0.75 * (ux - cx)
            cy = cy + 0.75 * (uy - cy)
            mx, my = max(0.0, room_x - 0.8), max(0.0, room_y - 0.8)
            cx = min(max(cx, bcx - mx), bcx + mx)
            cy = min(max(cy, bcy - my), bcy + my)
            rec['under'] = bx['under']
        if 'overlap_line' in plan:
            # pushed past one rule: the face's nominal extent 1.2-3 mm beyond its inner edge
            push = rng.uniform(1.2, 3.0)
            side = int(rng.choice([0, 1])) if kind == 'signature' else int(rng.integers(0, 4))
            if side == 0:
                cx = x0 + ex - push
            elif side == 1:
                cx = x1 - ex + push
            elif side == 2:
                cy = y0 + ey - push
            else:
                cy = y1 - ey + push
            rec['push_mm'] = round(push, 2)
        dbl = 'double' in plan
        smudge = 'smudged' in plan
        broken = 'broken' in plan
        reach_nom = max(ex, ey) + 5.0
        if dbl:
            dd = rng.uniform(0.8, 2.4)
            da = rng.uniform(0, 2 * np.pi)
            ddeg = rng.uniform(-1.5, 1.5)
            rec['double_offset_mm'] = round(dd, 2)
        if smudge:
            sl = rng.uniform(0.75, 1.3)
            sa = rng.uniform(0, 2 * np.pi)
            rec['smear_mm'] = round(sl, 2)
        # window on the render grid
        wx0 = int(math.floor((cx - reach_nom) * gpx))
        wy0 = int(math.floor((cy - reach_nom) * gpx))
        wx1 = int(math.ceil((cx + reach_nom) * gpx))
        wy1 = int(math.ceil((cy + reach_nom) * gpx))
        wx0, wy0 = max(wx0, 0), max(wy0, 0)
        wx1, wy1 = min(wx1, W), min(wy1, H)
        ww, hh = wx1 - wx0, wy1 - wy0
        ox, oy = wx0 / gpx, wy0 / gpx

        def press(dx, dy, ddg):
            s = transform_scene(pos, deg + ddg, cx + dx, cy + dy)
            cv = glr.coverage(s, ox, oy, ww, hh, gpx, passes=4, jitter_rng=jit)
            if kind == 'signature':
                # the face's strokes are a felt brush's; a ballpoint's line is thinner: erode by a disc
                r = max(1, int(round(hand_params['thin'] * gpx)))
                yy_, xx_ = np.mgrid[-r:r + 1, -r:r + 1]
                cv = ndimage.grey_erosion(cv, footprint=(xx_ * xx_ + yy_ * yy_) <= r * r + 0.5)
            if neg is not None:
                sn = transform_scene(neg, deg + ddg, cx + dx, cy + dy)
                cv = np.clip(cv - glr.coverage(sn, ox, oy, ww, hh, gpx, passes=4, jitter_rng=jit), 0, 1)
            return cv.astype(np.float32)
        cov1 = press(0, 0, 0)
        # the pressure under the face: the pad's mottle, the rubber's squeeze to its edges, the hand's plane,
        # the paper's grain (voids in its valleys)
        yy, xx = np.mgrid[0:hh, 0:ww]
        Xm, Ym = (xx + wx0 + 0.5) / gpx - cx, (yy + wy0 + 0.5) / gpx - cy
        if kind == 'signature':
            P = np.ones((hh, ww), np.float32)
            skip = smooth_field(rng, hh, ww, 0.35 * gpx, 1.0)
            P *= np.where(skip < -1.6, 0.35, 1.0).astype(np.float32)
        else:
            mot = smooth_field(rng, hh, ww, rng.uniform(0.8, 2.0) * gpx, rng.uniform(0.05, 0.12))
            ang = rng.uniform(0, 2 * np.pi)
            plane = rng.uniform(0, 0.008) * (Xm * math.cos(ang) + Ym * math.sin(ang))
            blur = ndimage.gaussian_filter(cov1, 0.2 * gpx)
            squeeze = 1 + rng.uniform(0.15, 0.3) * np.clip((cov1 - blur) * 2.5, 0, 1)
            gr = grain[wy0:wy1, wx0:wx1]
            void = np.where(gr < np.quantile(gr, rng.uniform(0.005, 0.02)), 0.25, 1.0)
            P = ((1 + mot) * (1 + plane) * squeeze * void).astype(np.float32)
        # the ink's ladder and its load
        if kind == 'signature':
            lad = pen_lad
            target = rng.uniform(0.2, 0.55) if 'pale' in plan else rng.uniform(0.85, 0.95)
            hue = None
        else:
            off = 'off_color' in plan
            if off:
                tdeg = float(rng.choice([-1, 1]) * rng.uniform(26, 36))
                lo_h, hi_h = (tdeg - 10, tdeg + 9) if tdeg > 0 else (tdeg - 9, tdeg + 10)
                lo_h, hi_h = (max(lo_h, 14.0), min(hi_h, 45.0)) if tdeg > 0 else (max(lo_h, -45.0), min(hi_h, -14.0))
            else:
                tdeg = rng.uniform(-3.5, 3.5)
                lo_h, hi_h = -6.5, 6.5
            lad, hues = red_ladder(rng, paper_rgb, tdeg, lo_h, hi_h, loads)
            target = rng.uniform(0.18, 0.55) if 'pale' in plan else rng.uniform(0.86, 0.95)
            rec['hue_deg'] = [round(h, 1) for h in hues]
            rec['ink_lab'] = lad.params
        u0 = lad.load_for(target)
        rec['absorbed'] = round(target, 3)
        u = u0 * cov1 * P
        cov = cov1
        if dbl:
            cov2 = press(dd * math.cos(da), dd * math.sin(da), ddeg)
            a2 = rng.uniform(0.5, 0.9)
            u = u + u0 * a2 * cov2 * P
            cov = np.maximum(cov1, cov2)
        if smudge:
            keep = rng.uniform(0.55, 0.65)
            nst = max(2, int(sl * gpx * 2))
            wts = np.linspace(1, 0.25, nst)
            wts = wts / wts.sum() * (1 - keep)
            us = keep * u
            cs_ = cov.copy()
            for i in range(nst):
                d = sl * (i + 1) / nst * gpx
                sh = (d * math.sin(sa), d * math.cos(sa))
                us += wts[i] * ndimage.shift(u, sh, order=1)
                cs_ = np.maximum(cs_, ndimage.shift(cov, sh, order=1))
            u, cov = us, cs_
        uncut = cov.copy()
        if broken:
            # the stamp rocked: one side of the face did not reach the paper. A cut at the quantile
            # that loses 18-31 % of the ink pixels, but never deeper than 20-32 % of the face's
            # extent along the cut's direction; made ragged by smooth noise and fading over 0.3-0.7 mm
            ink = cov >= 0.5
            q = rng.uniform(0.18, 0.31)
            depth = rng.uniform(0.2, 0.32)
            fade = rng.uniform(0.3, 0.7)
            rag = smooth_field(rng, hh, ww, 0.6 * gpx, 0.3)
            best = None
            for _ in range(8):
                bang = rng.uniform(0, 2 * np.pi)
                tproj = Xm * math.cos(bang) + Ym * math.sin(bang) + rag
                ti = tproj[ink]
                thr = max(float(np.quantile(ti, 1 - q)), float(ti.max() - depth * (ti.max() - ti.min())))
                keepw = np.clip(0.5 + (thr - tproj) / fade, 0, 1).astype(np.float32)
                lost = 1 - float(((keepw >= 0.5) & ink).sum()) / max(1, int(ink.sum()))
                if best is None or lost > best[0]:
                    best = (lost, keepw, bang)
                if lost >= 0.14:
                    break
            lost, keepw, bang = best
            u = u * keepw
            cov = cov * (keepw >= 0.5)
            rec['lost'] = round(lost, 3)
            rec['cut_deg'] = round(math.degrees(bang) % 360, 1)
        rel = lad.apply(u)
        for c in range(3):
            page[c, wy0:wy1, wx0:wx1] *= rel[..., c]
        # labels decided from the drawn ink
        lab = [d for d in plan if d not in ('overlap_line', 'bg_not_white')]
        if kind == 'signature':
            lab = [d for d in lab if d == 'pale']
        for d in lab:
            if d == 'text_under' and 'under' not in rec:
                continue
            rec['defects'].append(d)

        def reach_of(cv):
            iy, ix = np.nonzero(cv >= 0.5)
            if len(iy) == 0:
                return -99.0
            X = (ix + wx0 + 0.5) / gpx
            Y = (iy + wy0 + 0.5) / gpx
            return float(np.max(np.maximum.reduce([x0 - X, X - x1, y0 - Y, Y - y1])))
        reach = reach_of(cov)
        rec['reach_mm'] = round(reach, 3)
        if reach > 0.3:
            rec['defects'].append('overlap_line')
        elif reach >= -0.3:
            rec['borderline'].append('overlap_line')
        elif broken and reach_of(uncut) >= -0.3:
            rec['borderline'].append('overlap_line')
        covs.append((cov, wx0, wy0))
        boxes_out.append(rec)
        del u, rel, P

    # capture
    sweep = wand.Sweep(rng, dpi)
    desk_rgb = np.array([0.32, 0.27, 0.21]) * rng.uniform(0.6, 1.3)
    desk_tex = lo
    blur_mm = rng.uniform(0.03, 0.06)
    lift = None
    if rng.random() < 0.3:
        r0 = rng.uniform(0.1, 0.8) * sweep.nrow
        r1 = r0 + rng.uniform(20, 60) / sweep.pitch
        lift = (r0, r1, int(rng.choice([-1, 1])), rng.uniform(0.05, 0.1))
    img, sinfo, src, sig = wand.capture(rng, page, gpx, sweep, desk_rgb, desk_tex, blur_mm, lift)
    del src
    q = int(rng.integers(72, 93))
    sample = '2x2' if rng.random() < 0.7 else '2x1'
    in_file = rng.random() < 0.8
    name = '%03d.jpg' % index
    os.makedirs(outdir, exist_ok=True)
    wand.write_jpeg(os.path.join(outdir, name), img, q, sample, dpi if in_file else 0)

    # truth: centres, masks through the same sweep (green's phase)
    for rec, cw in zip(boxes_out, covs):
        bcx, bcy = rec['box_centre_mm']
        col, row = sweep.to_image(bcx, bcy)
        rec['box_centre_px'] = [round(col, 1), round(row, 1)]
        if cw is None:
            continue
        cov, wx0, wy0 = cw
        hh, ww = cov.shape
        cb = ndimage.gaussian_filter(cov, sig, truncate=3.0)
        corners = [(wx0 / gpx, wy0 / gpx), ((wx0 + ww) / gpx, wy0 / gpx), (wx0 / gpx, (wy0 + hh) / gpx), ((wx0 + ww) / gpx, (wy0 + hh) / gpx)]
        pts = [sweep.to_image(x, y) for x, y in corners]
        c0 = max(0, int(min(p[0] for p in pts)) - 4)
        c1 = min(sweep.ncol, int(max(p[0] for p in pts)) + 5)
        r0 = max(0, int(min(p[1] for p in pts)) - 4)
        r1 = min(sweep.nrow, int(max(p[1] for p in pts)) + 5)
        X, Y = sweep.page_xy(r0, r1, c0, c1, 1 / 3)
        v = ndimage.map_coordinates(cb, [Y * gpx - 0.5 - wy0, X * gpx - 0.5 - wx0], order=1, mode='constant', cval=0.0)
        m = v >= 0.5
        if not m.any():
            rec['empty'] = True
            rec['defects'] = ['empty'] + [d for d in rec['defects'] if d == 'bg_not_white']
            continue
        iy, ix = np.nonzero(m)
        my0, my1, mx0, mx1 = iy.min(), iy.max() + 1, ix.min(), ix.max() + 1
        mname = '%03d.r%dc%d.mask.png' % (index, rec['row'], rec['col'])
        Image.fromarray((m[my0:my1, mx0:mx1] * 255).astype(np.uint8), 'L').save(os.path.join(outdir, mname))
        rec['mask'] = mname
        rec['mask_offset'] = [int(c0 + mx0), int(r0 + my0)]
    # skew: the page's horizontal mid-line as the image shows it, clockwise positive
    a = sweep.to_image(40.0, PAGE_H / 2)
    b = sweep.to_image(170.0, PAGE_H / 2)
    skew = math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
    for rec in boxes_out:
        rec['defects'] = list(dict.fromkeys(rec['defects']))
        rec['borderline'] = [d for d in dict.fromkeys(rec['borderline']) if d not in rec['defects']]
    truth = {'maker': 'wand', 'seed': seed, 'dpi': dpi, 'dpi_in_file': bool(in_file), 'skew_deg': round(skew, 3),
             'file': name, 'layout': fm.layout, 'firm': firm, 'person': person, 'paper': {'white': [round(float(v), 4) for v in white], 'tinted': tinted,
             'texture': 'skimage gravel.png'}, 'print': pinfo, 'render_dpi': gdpi,
             'wand': dict(sweep.params, **sinfo, jpeg_q=q, sampling=sample, rows=sweep.nrow, cols=sweep.ncol),
             'boxes': boxes_out}
    with open(os.path.join(outdir, '%03d.truth.json' % index), 'w') as f:
        json.dump(truth, f, ensure_ascii=False, indent=1)


if __name__ == '__main__':
    main()
