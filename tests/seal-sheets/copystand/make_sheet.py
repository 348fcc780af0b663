#!/usr/bin/python3
"""Maker M (copystand): one seal collection sheet with its truth.

    python3 make_sheet.py SEED OUTDIR INDEX

Drawn by GraphicsMagick (MVG through `gm convert -draw`) in the cwTeX faces; the form printed by a
solid-ink (wax) printer; paper from a cellular (Worley) flock model; ink from a Monte Carlo photon
walk through the film; captured by a camera on a copy stand whose raw file (DNG) dcraw develops; the
operator's crop and resize by GraphicsMagick. See truth.md, section Maker M."""
import json
import logging
import math
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from scipy import ndimage
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
logging.getLogger('fontTools').setLevel(logging.ERROR)
import gmdraw  # noqa: E402
import paper as paperm  # noqa: E402
import photon  # noqa: E402
import camera  # noqa: E402

PW, PH = 210.0, 297.0
PRN = 600 / 25.4   # the wax printer's grid, px/mm

PLACES = ['深圳', '佛山', '珠海', '湛江', '惠州', '中山', '茂名', '梅州', '潮州', '云浮', '河源', '汕尾', '呼和浩特', '承德', '赤峰', '石家庄', '太原', '南京', '杭州', '福州', '合肥', '西安', '成都', '昆明', '南宁', '海口', '天津', '上海', '北京']
CORES = ['金泰', '鑫盛', '恒昌', '宏隆', '永安', '通利', '丰源', '和合', '瑞祥', '福德', '嘉信', '新宇', '天星', '辰光', '明海', '山石', '立方', '正中', '珠江', '岭南', '南方', '富源', '隆泰', '盛德', '安和', '佳信', '海天', '中科']
TRADES = ['科技', '工程', '建筑工程', '物流', '机械制造', '新材料', '能源', '食品', '印刷', '家具', '五金', '化工', '酒店管理', '智能科技', '精密', '陶瓷', '玻璃', '石油化工']
SURN = list('王李周徐朱胡郭何高林梁宋唐曹彭曾田董袁潘于蔡余杜程魏丁任沈姚姜崔汪范金石廖夏付方白孟熊秦邱江尹薛段雷侯史陶黎毛郝邵万覃武戴莫孔向')
GIVEN = list('芳娜敏磊洋勇杰娟明超秀霞平桂英玉萍建志文斌宇浩俊峰海波晨欣怡佳琪雪梅燕春林小云亮成德')
UNDER = ['（盖章）', '盖章', '年　月　日', '公章', '印章']


def W(rng, items, p):
    p = np.asarray(p, float)
    return items[int(rng.choice(len(items), p=p / p.sum()))]


# ---------------------------------------------------------------- inks
def srgb(x):
    x = np.clip(x, 0, 1)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)


def hue_deg(rgb):
    r, g, b = rgb
    mx, mn = max(rgb), min(rgb)
    if mx - mn < 1e-9:
        return 0.0
    if mx == r:
        h = 60 * (g - b) / (mx - mn)
    elif mx == g:
        h = 60 * (2 + (b - r) / (mx - mn))
    else:
        h = 60 * (4 + (r - g) / (mx - mn))
    return (h + 180) % 360 - 180


def absorbed(ink, h, P):
    R = ink.R_point(h, P)
    return float(np.max(1 - R / P))


def solve_h(ink, P, target):
    lo, hi = 0.0, ink.hmax * 0.6
    for _ in range(40):
        m = (lo + hi) / 2
        if absorbed(ink, m, P) < target:
            lo = m
        else:
            hi = m
    return (lo + hi) / 2


def ink_hue(ink, h, P):
    R = ink.R_point(h, P) / P
    return hue_deg(srgb(R))


def make_red(rng, P, target_hue, way, s):
    """A red ink: its strongest channel's absorption 1; red's a small share; the other solved by
    bisection so that the sRGB HSV hue over the paper at a 0.9-absorbing film is target_hue."""
    aR = rng.uniform(0.03, 0.1)

    def build(x):
        if way == 'purple':          # green strongest, blue weaker
            a = [aR, 1.0, x]
        elif way == 'orange':        # blue strongest, green weaker
            a = [aR, x, 1.0]
        else:
            a = [aR, 1.0, x] if x <= 1 else [aR, 1.0 / x, 1.0]
        return photon.Ink(a, s, 10.0)

    lo, hi = (0.02, 1.0) if way in ('purple', 'orange') else (0.3, 3.0)
    for _ in range(22):
        m = (lo + hi) / 2
        ink = build(m)
        h = solve_h(ink, P, 0.9)
        hu = ink_hue(ink, h, P)
        # a larger x: purple way -> blue absorbs more -> hue up; orange way -> green absorbs more -> hue down
        up = hu < target_hue
        if way == 'orange':
            up = not up
        if up:
            lo = m
        else:
            hi = m
    ink = build((lo + hi) / 2)
    return ink


def check_hue(ink, P, lo_abs, hi_abs):
    h0 = solve_h(ink, P, 0.9)
    hs = [ink_hue(ink, h0 * f, P) for f in (0.3, 0.6, 1.0, 1.4)]
    return all(lo_abs <= abs(x) <= hi_abs for x in hs), hs


PENS = {'blue ballpoint': [1.0, 0.72, 0.14], 'black gel': [1.0, 0.97, 0.9], 'blue-black': [1.0, 0.9, 0.55]}


# ---------------------------------------------------------------- seals (MVG in a window's px)
def seal_official(m, face, d, cx, cy, k, rot, design, bold):
    """The round 公章 centred at (cx, cy) px, turned rot degrees; d mm across."""
    R = d / 2 * k
    ring = design['ring'] * k
    m.fill(1)
    m.circle(cx, cy, R)
    m.fill(0)
    m.circle(cx, cy, R - ring)
    m.fill(1)
    if design['inner']:
        ri = R - ring - design['inner_gap'] * k
        m.circle(cx, cy, ri)
        m.fill(0)
        m.circle(cx, cy, ri - 0.25 * k)
        m.fill(1)
    th = math.radians(rot)
    # star
    rs = design['star'] * R
    pts = []
    for i in range(10):
        a = math.radians(i * 36) + th
        r = rs if i % 2 == 0 else rs * 0.382
        pts.append((cx + r * math.sin(a), cy - r * math.cos(a)))
    m.polygon(pts)
    name = design['firm']
    n = len(name)
    span = design['span']
    ch_h = design['ch_h'] * d * k
    rt = R - ring - design['gap'] * k - ch_h / 2
    step = span / max(n - 1, 1)
    ch_w = min(ch_h * design['ch_w'], math.radians(step) * (rt - ch_h / 2) * 0.86)
    for i, ch in enumerate(name):
        a = -span / 2 + i * step + rot
        ar = math.radians(a)
        m.glyph(face, ch, cx + rt * math.sin(ar), cy - rt * math.cos(ar), ch_w, ch_h, a, bold * k)
    if design['code']:
        code = design['code']
        cs = 62.0 / (len(code) - 1)
        chh = 0.055 * d * k
        rc = R - ring - 0.5 * k - chh / 2
        for i, ch in enumerate(code):
            a = 180 + 31 - i * cs + rot
            ar = math.radians(a)
            m.glyph('ming', ch, cx + rc * math.sin(ar), cy - rc * math.cos(ar), chh * 0.5, chh, a + 180, bold * k * 0.5)


def seal_legal(m, face, size, cx, cy, k, rot, design, bold):
    """The 法人章: a square or rectangle size = (w, h) mm, frame, 2 x 2 cells read right to left."""
    w, h = size[0] * k, size[1] * k
    fr = design['frame'] * k
    th = math.radians(rot)
    c, s = math.cos(th), math.sin(th)

    def P(x, y):
        return (cx + x * c - y * s, cy + x * s + y * c)

    def rect(x0, y0, x1, y1):
        m.polygon([P(x0, y0), P(x1, y0), P(x1, y1), P(x0, y1)])

    m.fill(1)
    rect(-w / 2, -h / 2, w / 2, h / 2)
    yin = design['yin']
    if not yin:
        m.fill(0)
        rect(-w / 2 + fr, -h / 2 + fr, w / 2 - fr, h / 2 - fr)
        m.fill(1)
    else:
        m.fill(0)
    gap = design['gap'] * k
    iw, ih = w - 2 * fr - 2 * gap, h - 2 * fr - 2 * gap
    chars = design['chars']
    cells = []
    if design['one_row']:
        n = len(chars)
        cw = iw / n
        for i, ch in enumerate(chars):      # right to left
            x = iw / 2 - cw * (i + 0.5)
            cells.append((ch, x, 0, cw, ih))
    elif len(chars) == 4:
        cw, chh = iw / 2, ih / 2
        pos = [(1, 0), (1, 1), (0, 0), (0, 1)]   # right column top, bottom, left column top, bottom
        for ch, (col, row) in zip(chars, pos):
            cells.append((ch, -iw / 2 + cw * (col + 0.5), -ih / 2 + chh * (row + 0.5), cw, chh))
    else:   # three: the name in the right column, 印 filling the left
        cw, chh = iw / 2, ih / 2
        cells.append((chars[0], cw / 2, -ih / 4, cw, chh))
        cells.append((chars[1], cw / 2, ih / 4, cw, chh))
        cells.append((chars[2], -cw / 2, 0, cw, ih))
    for ch, x, y, cw, chh in cells:
        px, py = P(x, y)
        m.glyph(face, ch, px, py, cw * 0.9, chh * 0.9, rot, bold * k)


def pen_path(rng, n_chars, cell):
    """A harmonic hand: each character a sum of 3-4 rotating phasors (a Fourier series of the pen's
    x and y, 1.6-2.8 turns of its base frequency), drifting right, half the characters lifted
    between; a closing flourish for 40 %. Returns strokes: lists of (x, y) in mm with speeds."""
    strokes = []
    cur = []
    xb = 0.0
    for i in range(n_chars):
        cyc = rng.uniform(1.6, 2.8)
        nt = int(90 * cyc)
        t = np.linspace(0, cyc, nt)
        A = cell * rng.uniform(0.2, 0.3)
        B = cell * rng.uniform(0.3, 0.42)
        x = xb + cell * rng.uniform(0.55, 0.8) * t / cyc
        y = np.zeros(nt)
        for kk in range(1, 5):
            fall = kk ** -1.25
            x += A * fall * rng.uniform(0.4, 1.0) * np.cos(2 * np.pi * kk * t + rng.uniform(0, 2 * np.pi))
            y += B * fall * rng.uniform(0.4, 1.0) * np.sin(2 * np.pi * kk * t * rng.choice([1, -1]) + rng.uniform(0, 2 * np.pi))
        pts = np.stack([x, y], 1)
        if len(cur) and rng.random() < 0.5:
            cur = np.concatenate([cur, pts], 0)
        else:
            if len(cur):
                strokes.append(np.asarray(cur))
            cur = pts
        xb += cell * rng.uniform(0.72, 0.92)
    if rng.random() < 0.4:
        t = np.linspace(0, 1, 80)
        last = cur[-1]
        fx = last[0] + cell * 1.2 * t
        fy = last[1] + cell * 0.25 * np.sin(np.pi * t) * rng.choice([-1, 1]) + cell * 0.2 * t
        cur = np.concatenate([cur, np.stack([fx, fy], 1)], 0)
    strokes.append(np.asarray(cur))
    return strokes


def draw_signature(m, strokes, cx, cy, k, scale, slant, pen_mm, rng):
    allp = np.concatenate(strokes, 0)
    mid = (allp.min(0) + allp.max(0)) / 2
    segs = []
    sh = math.tan(math.radians(slant))
    for st in strokes:
        p = (st - mid) * scale
        p[:, 0] = p[:, 0] - sh * p[:, 1]
        v = np.hypot(*np.diff(p, axis=0).T)
        vn = v / (np.median(v) + 1e-9)
        wd = pen_mm * np.clip(1.12 - 0.22 * (vn - 1), 0.62, 1.15)
        for i in range(len(p) - 1):
            segs.append((cx + p[i, 0] * k, cy + p[i, 1] * k, cx + p[i + 1, 0] * k, cy + p[i + 1, 1] * k, wd[i] * k))
    m.strokes(segs)


# ---------------------------------------------------------------- the sheet
def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng(seed)
    dpi_drawn = int(W(rng, [150, 200, 300, 400, 600], [10, 20, 50, 12, 8]))
    env = os.environ.get('SEAL_SHEET_DPI')
    dpi = int(env) if env else dpi_drawn
    cam = camera.Stand(rng, camera.pick_camera(rng, dpi_drawn))
    k = cam.k                                   # render px per mm: the sensor's sampling on the page
    Hp, Wp = int(round(PH * k)), int(round(PW * k))

    # ---------------- layout (after forms/netca-gd-procurement's 印章采集 block: rows of three 58-mm boxes)
    layout = 'gd3' if rng.random() < 0.65 else 'gd4'
    firm = rng.choice(PLACES) + rng.choice(CORES) + rng.choice(TRADES) + ('股份有限公司' if rng.random() < 0.3 else '有限公司')
    person = rng.choice(SURN) + ''.join(rng.choice(GIVEN, size=int(rng.choice([1, 2], p=[0.35, 0.65]))))
    line_mm = rng.uniform(0.2, 0.42)
    outer = line_mm * rng.uniform(1.5, 2.0) if rng.random() < 0.3 else line_mm
    strip_tint = rng.uniform(0.1, 0.2) if rng.random() < 0.5 else 0.0
    title_face = 'hei' if rng.random() < 0.6 else 'ming'
    rows = [('official_seal', '公章', rng.uniform(47, 52)), ('legal_rep_seal', '法定代表人印章', rng.uniform(36, 40)),
            ('signature', '法定代表人署名', rng.uniform(31, 34))]
    if layout == 'gd4':
        hb = rng.uniform(47, 52)
        rows = [('official_seal', '公章（一）', hb), ('official_seal', '公章（二）', hb)] + rows[1:]
    x0t, colw = 18.0, 58.0
    y = 56.0
    grid = []   # (kind, caption, strip y0, y1, box y0, y1)
    for kind, cap, hbx in rows:
        sh_ = rng.uniform(7, 9)
        grid.append((kind, cap, y, y + sh_, y + sh_, y + sh_ + hbx))
        y += sh_ + hbx
    y_end = y

    # ---------------- per-box plans
    pale_sheet = rng.random()
    boxes = []
    for r, (kind, cap, sy0, sy1, by0, by1) in enumerate(grid):
        for c in range(3):
            bx0 = x0t + c * colw
            lw_l = outer if c == 0 else line_mm
            lw_r = outer if c == 2 else line_mm
            lw_b = outer if r == len(grid) - 1 else line_mm
            inner = (bx0 + lw_l / 2, by0 + line_mm / 2, bx0 + colw - lw_r / 2, by1 - lw_b / 2)
            b = dict(row=r, col=c, kind=kind, inner=inner, defects=[], borderline=[])
            u = rng.random()
            if kind == 'signature':
                b['empty'] = u < 0.06
                b['push'] = (not b['empty']) and rng.random() < 0.12
                b['stain'] = rng.random() < 0.08
                b['pale'] = (not b['empty']) and rng.random() < 0.05
                b['plan'] = []
            else:
                b['empty'] = u < 0.08
                plan = []
                if not b['empty'] and rng.random() < 0.55:
                    first = W(rng, ['double', 'smudged', 'broken', 'pale', 'off_color', 'tilted', 'push', 'stain', 'under'],
                              [13, 12, 13, 12, 9, 13, 12, 8, 8])
                    plan.append(first)
                    if rng.random() < 0.18:
                        second = rng.choice(['tilted', 'stain', 'under', 'push', 'double', 'pale'])
                        bad = (second == first or (second == 'double' and first in ('smudged', 'broken'))
                               or (second == 'pale' and first == 'off_color'))
                        if not bad:
                            plan.append(str(second))
                b['plan'] = plan
                b['stain'] = ('stain' in plan) or (b['empty'] and rng.random() < 0.12)
                b['pale'] = 'pale' in plan
                b['push'] = 'push' in plan
            boxes.append(b)

    # seal designs: one 公章, one 法人章 per sheet (a row's samples are the same seal)
    ofc = dict(d=rng.uniform(38.5, 44.5), ring=rng.uniform(0.9, 1.5), inner=rng.random() < 0.15,
               inner_gap=rng.uniform(0.7, 1.1), star=rng.uniform(0.28, 0.33), firm=firm, span=rng.uniform(205, 250),
               ch_h=rng.uniform(0.15, 0.18), ch_w=rng.uniform(0.62, 0.82), gap=rng.uniform(0.35, 0.7),
               code=''.join(str(int(v)) for v in rng.integers(0, 10, 13)) if rng.random() < 0.45 else '',
               face='ming' if rng.random() < 0.7 else 'fs', bold=rng.uniform(0.06, 0.16))
    if len(person) == 2:
        chars = person + '之印'
    else:
        chars = person + '印'
    shape = W(rng, ['square', 'standing', 'lying'], [62, 19, 19])
    if shape == 'square':
        a = rng.uniform(15.5, 21.5)
        size = (a, a)
    else:
        L = rng.uniform(17.5, 22)
        rr = rng.uniform(1.2, 1.5)
        size = (L / rr, L) if shape == 'standing' else (L, L / rr)
    lgl = dict(size=size, frame=rng.uniform(0.6, 1.1), yin=rng.random() < 0.22, gap=rng.uniform(0.25, 0.6),
               chars=chars, one_row=(shape == 'lying' and len(chars) == 4 and rng.random() < 0.5),
               face=W(rng, ['kai', 'ming', 'fs'], [45, 35, 20]), bold=rng.uniform(0.05, 0.14), shape=shape)
    for s_ in (firm, person, chars):
        for f_ in ('ming', 'kai', 'fs', 'hei'):
            gmdraw.check(f_, s_)

    # ---------------- placement of each impression (mm), tilt, push, print under
    under_items = []
    for b in boxes:
        x0, y0, x1, y1 = b['inner']
        bcx, bcy = (x0 + x1) / 2, (y0 + y1) / 2
        b['box_centre_mm'] = (bcx, bcy)
        if b['empty']:
            continue
        ang = rng.uniform(0, 2 * np.pi)
        rad = 2.0 * math.sqrt(rng.random())
        cx, cy = bcx + rad * math.cos(ang), bcy + rad * math.sin(ang)
        if b['kind'] == 'signature':
            tilt = rng.uniform(-2, 2)
        elif 'tilted' in b['plan']:
            tilt = float(rng.choice([-1, 1]) * rng.uniform(12, 28))
        else:
            tilt = rng.uniform(-2, 2)
        b['tilt'] = tilt
        if b['kind'] == 'official_seal':
            ex = ey = ofc['d'] / 2
        elif b['kind'] == 'legal_rep_seal':
            t = math.radians(tilt)
            ex = (size[0] * abs(math.cos(t)) + size[1] * abs(math.sin(t))) / 2
            ey = (size[0] * abs(math.sin(t)) + size[1] * abs(math.cos(t))) / 2
        else:
            ex, ey = 16.0, 6.0     # nominal; the signature's own extent is read from its ink
        b['ext'] = (ex, ey)
        if 'under' in b['plan']:
            txt = str(rng.choice(UNDER))
            tsz = rng.uniform(3.8, 5.0)
            tx = bcx + rng.uniform(-8, 8)
            ty = bcy + (y1 - y0) * rng.uniform(0.22, 0.3)
            under_items.append((txt, tx, ty, tsz))
            # moved most of the way onto it, as far as the box lets the face stay inside its rules
            room = max(0.0, (y1 - y0) / 2 - ey - 0.8)
            dy_ = ty - cy
            cy = cy + math.copysign(min(0.75 * abs(dy_), room), dy_)
            cx = cx + 0.75 * (tx - cx)
            b['under'] = txt
        if b['push']:
            push = rng.uniform(1.2, 3.0)
            sides = ['l', 'r'] if b['kind'] == 'signature' else ['l', 'r', 't', 'b']
            side = str(rng.choice(sides))
            if side == 'l':
                cx = x0 + ex - push
            elif side == 'r':
                cx = x1 - ex + push
            elif side == 't':
                cy = y0 + ey - push
            else:
                cy = y1 - ey + push
            b['push_mm'] = round(push, 2)
            b['push_side'] = side
        b['centre'] = (cx, cy)

    # ---------------- the form, drawn by gm at the wax printer's 600-dpi grid
    Hf, Wf = int(round(PH * PRN)), int(round(PW * PRN))
    q = PRN
    ml = gmdraw.MVG()
    mt = gmdraw.MVG()
    title = '印章采集表'
    gmdraw.check(title_face, title)
    tsz = rng.uniform(6.0, 7.5)
    ml.text(title_face, title, (PW / 2 - len(title) * tsz / 2) * q, 26 * q, tsz * q)
    fsz = rng.uniform(3.6, 4.2)
    lines = ['机构：' + firm, '法定代表人：' + person + '　　　　日期：　　　　年　　月　　日']
    for i, s_ in enumerate(lines):
        gmdraw.check('ming', s_)
        ml.text('ming', s_, x0t * q, (37 + i * 7) * q, fsz * q)
    head = '印章采集（油印适中，每枚印章盖三次）'
    gmdraw.check('hei', head)
    ml.text('hei', head, x0t * q, 52.5 * q, rng.uniform(4.0, 4.5) * q)

    def hline(xa, xb, yy, lw):
        ml.rect(xa * q, (yy - lw / 2) * q, xb * q, (yy + lw / 2) * q)

    def vline(xx, ya, yb, lw):
        ml.rect((xx - lw / 2) * q, ya * q, (xx + lw / 2) * q, yb * q)

    tw = 3 * colw
    for r, (kind, cap, sy0, sy1, by0, by1) in enumerate(grid):
        if strip_tint:
            mt.fill(strip_tint)
            mt.rect(x0t * q, sy0 * q, (x0t + tw) * q, sy1 * q)
        gmdraw.check('ming', cap)
        csz = min(4.0, (sy1 - sy0) * 0.5)
        ml.text('ming', cap, (x0t + tw / 2 - len(cap) * csz / 2) * q, (sy0 + (sy1 - sy0) / 2 + csz * 0.38) * q, csz * q)
        hline(x0t, x0t + tw, sy0, outer if r == 0 else line_mm)
        hline(x0t, x0t + tw, sy1, line_mm)
        for c in range(1, 3):
            vline(x0t + c * colw, by0, by1, line_mm)
    hline(x0t, x0t + tw, y_end, outer)
    vline(x0t, grid[0][2], y_end, outer)
    vline(x0t + tw, grid[0][2], y_end, outer)
    notes = ['注：油印适中，印章清晰完整。', '受理人：　　　　　　　日期：　　　　年　　月　　日']
    for i, s_ in enumerate(notes):
        gmdraw.check('ming', s_)
        ml.text('ming', s_, x0t * q, (y_end + 8 + i * 7) * q, 3.6 * q)
    for txt, tx, ty, tsz_ in under_items:
        gmdraw.check('ming', txt)
        ml.text('ming', txt, (tx - len(txt) * tsz_ / 2) * q, (ty + tsz_ * 0.38) * q, tsz_ * q)
    solid = ml.render(Wf, Hf)
    tint = mt.render(Wf, Hf) if strip_tint else None
    prn = dict(jet_var=rng.uniform(0.02, 0.05), spread_px=rng.uniform(0.45, 0.7),
               dead_jets=[int(v) for v in rng.integers(0, Wf, int(rng.choice([0, 0, 1, 2])))],
               wax=rng.uniform(0.05, 0.085), wax_tint=rng.uniform(0.92, 1.08, 3))
    cov600 = paperm.wax_print(rng, solid, tint, prn)
    del solid, tint
    if k < PRN:
        cov600 = ndimage.gaussian_filter(cov600, 0.42 * PRN / k)
    form = ndimage.zoom(cov600, (Hp / Hf, Wp / Wf), order=1, grid_mode=True, mode='nearest')[:Hp, :Wp]
    del cov600

    # ---------------- paper, tinted stock, print
    P, recept, pinfo = paperm.make_paper(rng, Hp, Wp, k)
    tinted = rng.random() < 0.05
    if tinted:
        tcol = W(rng, ['yellow', 'pink', 'blue', 'green'], [1, 1, 1, 1])
        odmax = rng.uniform(0.12, 0.25)
        rel = {'yellow': [0.12, 0.3, 1.0], 'pink': [0.1, 1.0, 0.55], 'blue': [1.0, 0.5, 0.12], 'green': [0.8, 0.2, 0.9]}[tcol]
        for c in range(3):
            P[..., c] *= 10 ** (-odmax * rel[c])
        pinfo['tinted'] = dict(colour=tcol, od_max=round(odmax, 3))
    Pw = np.array([float(np.median(P[::50, ::50, c])) for c in range(3)])   # the paper's white
    S = P.copy()
    wax = prn['wax'] * prn['wax_tint']
    for c in range(3):
        S[..., c] = P[..., c] * (1 - form) + form * wax[c]
    del P

    # ---------------- stains in bg_not_white boxes
    for b in boxes:
        if not b['stain'] or tinted:
            continue
        x0, y0, x1, y1 = b['inner']
        ia, ib = int(y0 * k), int(y1 * k) + 1
        ja, jb = int(x0 * k), int(x1 * k) + 1
        hh, ww = ib - ia, jb - ja
        yy, xx = np.mgrid[ia:ib, ja:jb]
        ym, xm = (yy + 0.5) / k, (xx + 0.5) / k
        inside = np.clip(np.minimum.reduce([xm - x0 - 2, x1 - 2 - xm, ym - y0 - 2, y1 - 2 - ym]) / 1.5, 0, 1)
        kind_s = 'toner smear' if rng.random() < 0.6 else 'tide mark'
        if kind_s == 'toner smear':
            ang = rng.uniform(-0.5, 0.5)
            wband = (y1 - y0) * rng.uniform(0.4, 0.65)
            cyb = (y0 + y1) / 2 + rng.uniform(-3, 3)
            dist = (ym - cyb) * math.cos(ang) - (xm - (x0 + x1) / 2) * math.sin(ang)
            body = np.clip(1 - (np.abs(dist) / (wband / 2)) ** 4, 0, 1)
            # streaks along the band (the drum's drag): noise across it
            nq = int(wband * k) + 8
            nn = ndimage.gaussian_filter1d(rng.normal(0, 1, nq), 0.35 * k)
            nn = nn / (nn.std() + 1e-9)
            streak = 1 + 0.22 * np.interp(dist * k, np.arange(nq) - nq / 2, nn)
            field = body * streak
            od = rng.uniform(0.17, 0.28)
            rel = np.array([1.0, 1.0, 1.06])
        else:
            ax, ay = (x1 - x0) * rng.uniform(0.3, 0.42), (y1 - y0) * rng.uniform(0.3, 0.42)
            ccx, ccy = (x0 + x1) / 2 + rng.uniform(-4, 4), (y0 + y1) / 2 + rng.uniform(-3, 3)
            rr = np.hypot((xm - ccx) / ax, (ym - ccy) / ay) + paperm.smooth_noise(rng, hh, ww, 2.5 * k, 0.08)
            body = np.clip((1.0 - rr) / 0.05, 0, 1)
            rim = np.exp(-((rr - 0.97) / 0.05) ** 2)
            field = 0.55 * body + 0.6 * rim
            od = rng.uniform(0.16, 0.26)
            rel = np.array([0.75, 0.95, 1.35])
        field = (field * inside).astype(np.float32)
        area = 0.0
        core = inside >= 1
        for tries in range(4):
            area = float((od * field[core] * rel.max() >= 0.1).mean()) if core.any() else 0.0
            if area >= 0.36 or tries == 3:
                break
            od *= 1.3
        for c in range(3):
            S[ia:ib, ja:jb, c] *= (10 ** (-od * rel[c] * field)).astype(np.float32)
        b['stain_info'] = dict(kind=kind_s, od_max=round(float(od * rel.max() * field.max()), 3), area_od_0_1=round(area, 3))
        if area < 0.3:
            b['borderline'].append('bg_not_white')
        else:
            b['defects'].append('bg_not_white')
    if tinted:
        for b in boxes:
            b['defects'].append('bg_not_white')

    # ---------------- inks
    paste = rng.random() < 0.7
    s_red = rng.uniform(0.15, 0.45) if paste else rng.uniform(0.02, 0.08)
    red = None
    for attempt in range(6):
        red = make_red(rng, Pw, rng.uniform(-3, 3), 'red', s_red)
        ok, hs = check_hue(red, Pw, 0, 7.0)
        if ok:
            break
    if not ok:
        raise SystemExit('copystand: no 正红 ink found (%s)' % hs)
    red_hue = ink_hue(red, solve_h(red, Pw, 0.9), Pw)
    pen_name = W(rng, list(PENS), [50, 30, 20])
    pen = photon.Ink(PENS[pen_name], 0.02, 10.0)
    pen_mm = rng.uniform(0.4, 0.6)
    sig_strokes = pen_path(rng, len(person), 1.0)
    sig_cell = rng.uniform(9, 12.5)
    sig_slant = rng.uniform(6, 18)

    # ---------------- impressions, box by box
    marg = 7.0
    mask_layers = []   # (box, coverage window, ox_mm, oy_mm)
    for b in boxes:
        kind = b['kind']
        x0, y0, x1, y1 = b['inner']
        if b['empty']:
            b['defects'].insert(0, 'empty')
            continue
        ox, oy = max(0.0, x0 - marg), max(0.0, y0 - marg)
        ja, ia = int(math.floor(ox * k)), int(math.floor(oy * k))
        jb, ib = min(Wp, int(math.ceil((x1 + marg) * k))), min(Hp, int(math.ceil((y1 + marg) * k)))
        ox, oy = ja / k, ia / k
        hh, ww = ib - ia, jb - ja
        cx, cy = b['centre']
        pcx, pcy = (cx - ox) * k, (cy - oy) * k

        def press(dx_mm=0.0, dy_mm=0.0, drot=0.0):
            m = gmdraw.MVG()
            if kind == 'official_seal':
                seal_official(m, ofc['face'], ofc['d'], pcx + dx_mm * k, pcy + dy_mm * k, k, b['tilt'] + drot, ofc, ofc['bold'])
            elif kind == 'legal_rep_seal':
                seal_legal(m, lgl['face'], lgl['size'], pcx + dx_mm * k, pcy + dy_mm * k, k, b['tilt'] + drot, lgl, lgl['bold'])
            else:
                sc = sig_cell * rng.uniform(0.93, 1.07)
                draw_signature(m, sig_strokes, pcx + dx_mm * k, pcy + dy_mm * k, k, sc, sig_slant, pen_mm, rng)
            return m.render(ww, hh)

        cov = press()
        yy, xx = np.mgrid[0:hh, 0:ww]
        xm, ym = ox + (xx + 0.5) / k, oy + (yy + 0.5) / k
        plan = b['plan']
        ink = red
        info = {}
        if 'off_color' in plan:
            way = 'orange' if rng.random() < 0.5 else 'purple'
            tgt = rng.uniform(26, 36) * (1 if way == 'orange' else -1)
            for attempt in range(6):
                ink = make_red(rng, Pw, tgt, way, s_red)
                ok, hs = check_hue(ink, Pw, 18, 50)
                if ok:
                    break
            if not ok:
                raise SystemExit('copystand: no off-colour ink found (%s)' % hs)
            info['off_way'] = way
        if kind == 'signature':
            ink = pen
        # load: the pad's mottle, the rubber squeezed to its edges, the hand's plane, the paper
        mott = 1 + paperm.smooth_noise(rng, hh, ww, rng.uniform(0.8, 2.0) * k, rng.uniform(0.05, 0.12))
        rec = 1 + 0.03 * recept[ia:ib, ja:jb]
        voids = recept[ia:ib, ja:jb] < np.quantile(recept[ia:ib, ja:jb], rng.uniform(0.005, 0.02))
        gx, gy = rng.normal(0, 0.004, 2)
        plane = 1 + gx * (xm - cx) + gy * (ym - cy)
        if kind == 'signature':
            skip = paperm.smooth_noise(rng, hh, ww, 1.5 * k, 1.0)
            shape_f = np.where(skip < -1.6, 0.35, 1.0)
            load = cov * mott * shape_f
        else:
            sq = rng.uniform(0.2, 0.45)
            edge = np.clip(cov - ndimage.gaussian_filter(cov, 0.25 * k), 0, 1)
            load = cov * mott * (1 + sq * edge / max(edge.max(), 1e-6)) * plane * rec
            load = np.where(voids, load * 0.25, load)
        ink_cov = cov.copy()           # the truth: coverage of the carved face as pressed
        uncut = None
        if 'double' in plan:
            d_off = rng.uniform(0.8, 2.4)
            a = rng.uniform(0, 2 * np.pi)
            cov2 = press(d_off * math.cos(a), d_off * math.sin(a), rng.uniform(-1.5, 1.5))
            load = load + cov2 * rng.uniform(0.5, 0.9) * (1 + paperm.smooth_noise(rng, hh, ww, k, 0.08))
            ink_cov = np.maximum(ink_cov, cov2)
            info['double_offset_mm'] = round(d_off, 2)
        if 'smudged' in plan:
            L = rng.uniform(0.8, 1.3)
            a = rng.uniform(0, 2 * np.pi)
            n = max(3, int(L * k * 2))
            ker_sz = int(math.ceil(L * k)) * 2 + 3
            ker = np.zeros((ker_sz, ker_sz), np.float32)
            foot = np.zeros((ker_sz, ker_sz), bool)
            ccn = ker_sz // 2
            fall = rng.uniform(0.25, 0.45)
            for i in range(n + 1):
                t = i / n
                px, py = ccn + t * L * k * math.cos(a), ccn + t * L * k * math.sin(a)
                w_ = 1 - (1 - fall) * t
                fx, fy = int(math.floor(px)), int(math.floor(py))
                ax_, ay_ = px - fx, py - fy
                for ddx, ddy, ww_ in ((0, 0, (1 - ax_) * (1 - ay_)), (1, 0, ax_ * (1 - ay_)), (0, 1, (1 - ax_) * ay_), (1, 1, ax_ * ay_)):
                    ker[fy + ddy, fx + ddx] += w_ * ww_
                foot[int(round(py)), int(round(px))] = True
            ker /= ker.sum()
            keep = rng.uniform(0.5, 0.65)
            # the paste dragged: the kernel points along the drag (convolution shifts the mass that way)
            load = keep * load + (1 - keep) * ndimage.convolve(load, ker, mode='constant') * 1.0
            ink_cov = ndimage.grey_dilation(ink_cov, footprint=foot)   # the same direction as the convolution
            info['smear_mm'] = round(L, 2)
            info['smear_deg'] = round(math.degrees(a), 1)
        if 'broken' in plan:
            a = rng.uniform(0, 2 * np.pi)
            pr = (xm - cx) * math.cos(a) + (ym - cy) * math.sin(a) + paperm.smooth_noise(rng, hh, ww, 1.2 * k, 0.3)
            lost = rng.uniform(0.18, 0.31)
            inkpx = cov >= 0.5
            thr = float(np.quantile(pr[inkpx], 1 - lost))
            fw = rng.uniform(0.3, 0.7)
            fade = np.clip(0.5 - (pr - thr) / fw, 0, 1)
            load = load * fade
            uncut = ink_cov.copy()
            ink_cov = np.where(fade >= 0.5, ink_cov, 0)
            info['lost'] = round(float(1 - (ink_cov >= 0.5).sum() / max(inkpx.sum(), 1)), 3)
            info['cut_deg'] = round(math.degrees(a), 1)
        # the film's nominal thickness: the strongest channel absorbs the target over the paper
        if b['pale']:
            tgt = rng.uniform(0.2, 0.55) if kind != 'signature' else rng.uniform(0.2, 0.5)
        else:
            tgt = rng.uniform(0.87, 0.95) if kind != 'signature' else rng.uniform(0.86, 0.95)
        h0 = solve_h(ink, Pw, tgt)
        hfield = (load * h0).astype(np.float32)
        # what the strongest spot absorbs (99.5th percentile of the film), kept clear of the limit
        inside_ink = ink_cov >= 0.5
        if inside_ink.any():
            hp = float(np.quantile(hfield[inside_ink], 0.995))
            amax = absorbed(ink, hp, Pw)
            lim_pale = 0.77 if kind != 'signature' else 0.71
            if b['pale'] and amax > lim_pale - 0.03:
                hs_ = solve_h(ink, Pw, lim_pale - 0.04)
                hfield *= hs_ / hp
                amax = absorbed(ink, hs_, Pw)
            lim_full = 0.83 if kind != 'signature' else 0.79
            if not b['pale'] and amax < lim_full + 0.03:
                hs_ = solve_h(ink, Pw, lim_full + 0.05)
                hfield *= hs_ / max(hp, 1e-6)
                amax = absorbed(ink, hs_, Pw)
            info['absorbed_strongest'] = round(amax, 3)
        info['absorbed'] = round(tgt, 3)
        sub = S[ia:ib, ja:jb]
        S[ia:ib, ja:jb] = np.where((hfield > 1e-4)[..., None], ink.R(hfield, sub), sub)
        if kind != 'signature':
            info['hue_deg'] = round(ink_hue(ink, h0, Pw), 1)
        # the labels read from what was drawn
        if 'tilted' in plan:
            b['defects'].append('tilted')
        for lab in ('double', 'smudged', 'broken', 'off_color'):
            if lab in plan:
                b['defects'].append(lab)
        if b['pale']:
            b['defects'].append('pale')
        if 'under' in plan:
            b['defects'].append('text_under')

        def reach(cv):
            mk = cv >= 0.5
            if not mk.any():
                return -99.0
            d = np.maximum.reduce([x0 - xm[mk], xm[mk] - x1, y0 - ym[mk], ym[mk] - y1])
            return float(d.max())
        rch = reach(ink_cov)
        info['reach_mm'] = round(rch, 2)
        if rch > 0.3:
            b['defects'].append('overlap_line')
        elif rch >= -0.3:
            b['borderline'].append('overlap_line')
        elif uncut is not None and reach(uncut) >= -0.3:
            b['borderline'].append('overlap_line')
        b['info'] = info
        mask_layers.append((b, ink_cov.astype(np.float32), ox, oy))
    del recept

    # ---------------- the photo: padded with the copy stand's baseboard
    pad = 30.0
    pp = int(round(pad * k))
    page = np.empty((Hp + 2 * pp, Wp + 2 * pp, 3), np.float32)
    bn = 1 + paperm.smooth_noise(rng, page.shape[0] // 8 + 1, page.shape[1] // 8 + 1, 6, 0.05)
    bn = ndimage.zoom(bn, 8, order=1)[:page.shape[0], :page.shape[1]]
    for c in range(3):
        page[..., c] = cam.board * cam.board_tint[c] * bn
    # the page edge's thin shadow on the board (lamps at 45 degrees on both sides)
    sw = max(1, int(round(0.5 * k)))
    page[pp - sw:pp + Hp + sw, pp - sw:pp + Wp + sw] *= 0.7
    page[pp:pp + Hp, pp:pp + Wp] = S
    del S, bn
    tmp = tempfile.mkdtemp(prefix='m-cs-')
    try:
        photo = cam.shoot(rng, page, k, pad, tmp)
        del page
        # the operator: a quarter turn (exact), crop to the page plus a margin, GraphicsMagick resize
        Hs, Ws_ = photo.shape[:2]
        # the quarter turn that brings the page's top up (np.rot90's k)
        tu, tv = cam.fwd(np.array([PW / 2, PW / 2]), np.array([0.0, PH]))
        rot_k = 1 if tu[0] > tu[1] else 3

        def rot_pt(u, v):
            # sensor px (u, v) -> rotated image px
            if rot_k == 1:
                return v, Ws_ - u
            return Hs - v, u

        corners = np.array([[0, 0], [PW, 0], [0, PH], [PW, PH]])
        cu, cv_ = cam.fwd(corners[:, 0], corners[:, 1])
        rx, ry = rot_pt(cu, cv_)
        margin = rng.uniform(-1.0, 5.0) * cam.k
        cx0 = int(max(0, math.floor(rx.min() - margin + rng.normal(0, 0.8 * cam.k))))
        cy0 = int(max(0, math.floor(ry.min() - margin + rng.normal(0, 0.8 * cam.k))))
        Wr, Hr = (Hs, Ws_)
        cx1 = int(min(Wr, math.ceil(rx.max() + margin + rng.normal(0, 0.8 * cam.k))))
        cy1 = int(min(Hr, math.ceil(ry.max() + margin + rng.normal(0, 0.8 * cam.k))))
        img = np.rot90(photo, rot_k)[cy0:cy1, cx0:cx1]
        del photo

        def to_crop(xmm, ymm):
            u, v = cam.fwd(xmm, ymm)
            a, b_ = rot_pt(u, v)
            return a - cx0, b_ - cy0   # continuous coords with pixel centres at .5

        # the page's resolution in the crop: along its mid-lines
        ax_, ay_ = to_crop(np.array([0.0, PW]), np.array([PH / 2, PH / 2]))
        bx_, by_ = to_crop(np.array([PW / 2, PW / 2]), np.array([0.0, PH]))
        wpx = math.hypot(ax_[1] - ax_[0], ay_[1] - ay_[0])
        hpx = math.hypot(bx_[1] - bx_[0], by_[1] - by_[0])
        dpi_crop = math.sqrt(wpx / (PW / 25.4) * hpx / (PH / 25.4))
        s = dpi / dpi_crop
        Wo, Ho = int(round(img.shape[1] * s)), int(round(img.shape[0] * s))
        sx, sy = Wo / img.shape[1], Ho / img.shape[0]
        filt = str(rng.choice(['Lanczos', 'Mitchell', 'Catrom', 'Triangle'], p=[0.35, 0.3, 0.2, 0.15]))
        sharpen = rng.random() < 0.5
        usm = (rng.uniform(0.8, 1.5), rng.uniform(0.4, 1.0))
        fmt = W(rng, ['jpg', 'tif', 'png'], [70, 15, 15])
        qual = int(rng.integers(72, 96))
        samp = W(rng, ['2x2', '2x1', '1x1'], [65, 20, 15])
        tif_c = str(rng.choice(['LZW', 'Zip']))
        in_file = rng.random() < 0.8
        name = '%03d.%s' % (index, fmt)
        os.makedirs(outdir, exist_ok=True)
        src = os.path.join(tmp, 'crop.ppm')
        camera.write_pnm(src, np.ascontiguousarray(img))
        del img
        args = ['gm', 'convert', '-limit', 'threads', '1', src, '-filter', filt, '-resize', '%dx%d!' % (Wo, Ho)]
        if sharpen:
            args += ['-unsharp', '0x%.2f+%.2f+0.02' % usm]
        if in_file:
            args += ['-density', '%dx%d' % (dpi, dpi), '-units', 'PixelsPerInch']
        if fmt == 'jpg':
            args += ['-quality', str(qual), '-sampling-factor', samp]
        elif fmt == 'tif':
            args += ['-compress', tif_c]
        args += ['+profile', '*', os.path.join(outdir, name)]
        subprocess.run(args, check=True, capture_output=True, env=gmdraw.GM_ENV)

        # ---------------- masks: the same sensor map, turn, crop and gm resize
        truth_boxes = []
        layers = {}
        for (b, cv, ox, oy) in mask_layers:
            arr, u0, v0 = cam.sample_cov(cv, ox, oy, k)
            layers[id(b)] = (arr, u0, v0)
        groups = [[], [], [], []]
        for (b, cv, ox, oy) in mask_layers:
            groups[(b['col'] % 2) + 2 * (b['row'] % 2)].append(b)
        canvas = np.zeros((Hs, Ws_, 4), np.uint8)
        for gi, grp in enumerate(groups):
            for b in grp:
                arr, u0, v0 = layers[id(b)]
                sub_ = canvas[v0:v0 + arr.shape[0], u0:u0 + arr.shape[1], gi]
                np.maximum(sub_, np.round(arr[:sub_.shape[0], :sub_.shape[1]] * 255).astype(np.uint8), out=sub_)
        canvas = np.rot90(canvas, rot_k)[cy0:cy1, cx0:cx1]
        res = []
        for part, chans in (('a', [0, 1, 2]), ('b', [3])):
            pth = os.path.join(tmp, 'mask_%s.pnm' % part)
            a_ = canvas[..., chans] if len(chans) == 3 else canvas[..., chans[0]]
            camera.write_pnm(pth, np.ascontiguousarray(a_))
            outp = os.path.join(tmp, 'mask_%s_out.pnm' % part)
            subprocess.run(['gm', 'convert', '-limit', 'threads', '1', pth, '-filter', filt, '-resize', '%dx%d!' % (Wo, Ho),
                            '-depth', '8', outp], check=True, capture_output=True, env=gmdraw.GM_ENV)
            r_ = camera.read_pnm(open(outp, 'rb').read())
            res.append(r_ if r_.ndim == 3 else r_[..., None])
        del canvas
        mres = np.concatenate(res, 2)

        def to_out(xmm, ymm):
            a, b_ = to_crop(xmm, ymm)
            return a * sx, b_ * sy     # continuous (pixel centres at .5 both sides)

        for b in boxes:
            bc = to_out(np.array([b['box_centre_mm'][0]]), np.array([b['box_centre_mm'][1]]))
            tb = dict(row=b['row'], col=b['col'], kind=b['kind'], empty=bool(b['empty']),
                      defects=b['defects'], borderline=sorted(set(b['borderline']) - set(b['defects'])),
                      box_centre_px=[round(float(bc[0][0]) - 0.5, 1), round(float(bc[1][0]) - 0.5, 1)])
            if b['kind'] == 'official_seal':
                tb['diameter_mm'] = round(ofc['d'], 2)
            elif b['kind'] == 'legal_rep_seal':
                tb['size_mm'] = [round(lgl['size'][0], 2), round(lgl['size'][1], 2)]
            if not b['empty']:
                gi = (b['col'] % 2) + 2 * (b['row'] % 2)
                x0, y0, x1, y1 = b['inner']
                qx, qy = to_out(np.array([x0 - marg, x1 + marg, x0 - marg, x1 + marg]), np.array([y0 - marg, y0 - marg, y1 + marg, y1 + marg]))
                a0, a1 = int(max(0, math.floor(qx.min()) - 3)), int(min(Wo, math.ceil(qx.max()) + 3))
                b0, b1 = int(max(0, math.floor(qy.min()) - 3)), int(min(Ho, math.ceil(qy.max()) + 3))
                mk = mres[b0:b1, a0:a1, gi] >= 128
                ys, xs = np.nonzero(mk)
                if ys.size:
                    mk = mk[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
                    off = [a0 + int(xs.min()), b0 + int(ys.min())]
                    mname = '%03d.r%dc%d.mask.png' % (index, b['row'], b['col'])
                    Image.fromarray((mk * 255).astype(np.uint8), 'L').save(os.path.join(outdir, mname))
                    tb['mask'] = mname
                    tb['mask_offset'] = off
                tb['tilt_deg'] = round(b['tilt'], 2)
                for kk_, vv_ in b.get('info', {}).items():
                    tb[kk_] = vv_
                if 'push_mm' in b:
                    tb['push_mm'] = b['push_mm']
                if 'under' in b:
                    tb['under'] = b['under']
            if 'stain_info' in b:
                tb['stain'] = b['stain_info']
            tb['inner_mm'] = [round(v, 2) for v in b['inner']]
            truth_boxes.append(tb)
        ml_, _ = to_out(np.array([40.0, 170.0]), np.array([PH / 2, PH / 2])), None
        skew = math.degrees(math.atan2(ml_[1][1] - ml_[1][0], ml_[0][1] - ml_[0][0]))
        truth = dict(maker='copystand', seed=seed, dpi=dpi, dpi_in_file=bool(in_file), skew_deg=round(skew, 3),
                     file=name, boxes=truth_boxes, layout=layout, firm=firm, person=person, line_mm=round(line_mm, 3),
                     render_px_per_mm=round(k, 3), paper=pinfo, ink=dict(paste=bool(paste), scattering=round(s_red, 3),
                                                                          hue_deg=round(red_hue, 2), pen=pen_name),
                     print=dict(kind='solid ink (wax)', dead_jets=len(prn['dead_jets']), wax=round(prn['wax'], 3),
                                strip_tint=round(strip_tint, 3)),
                     capture=dict(cam.info(), crop=[cx0, cy0, cx1, cy1], resize_filter=filt, sharpen=bool(sharpen),
                                  format=fmt, quality=qual if fmt == 'jpg' else None,
                                  sampling=samp if fmt == 'jpg' else None))
        with open(os.path.join(outdir, '%03d.truth.json' % index), 'w', encoding='utf-8') as f:
            json.dump(truth, f, ensure_ascii=False, indent=1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
