#!/usr/bin/python3
"""Maker X (mouse/): seal collection sheets drawn by G'MIC (CImg's polygon filler), printed by letterpress,
on recycled paper, inked after Williams-Clapper, captured by a hand-held mouse scanner that stitches swept
strips, archived as JPEG XR. Usage: make_sheet.py SEED OUTDIR INDEX"""
import json, math, os, subprocess, sys, tempfile
import numpy as np
from PIL import Image
from scipy import ndimage
from fontTools.ttLib import TTFont
from fontTools.pens.basePen import BasePen

FONT = '/usr/share/fonts/opentype/mplus/Mplus1-Bold.otf'
FONT_FORM = '/usr/share/fonts/opentype/mplus/Mplus1-Medium.otf'
FIRMS = ['西安恒信科技有限公司', '蘇州華豊環保有限公司', '陝西長安建設有限公司', '北京東方電子有限公司',
         '成都天府物流有限公司', '広州南海貿易有限公司']
PEOPLE = ['張明', '王建国', '李偉', '劉強', '陳平', '楊栄', '趙軍', '周華']
TEXTS_UNDER = ['押印', '捺印', '印', '公章']
FORM_WORDS = ['附件:3', '公章採集表', '法人署名採集表', '法人捺印採集表', '為保証最清晰電子印章 請在下方格内居中押印三次 切勿圧線 保持頁面整潔',
              '印章一', '印章二', '印章三', '署名一', '署名二', '署名三', '受理人：', '日期：', '之印', '専用章', '契約', '財務']
SEAL_KINDS = ['official_seal', 'signature', 'legal_rep_seal']
ROW_H = [52.0, 35.0, 40.0]
COLS = [58.0, 58.0, 58.0]


class FlatPen(BasePen):
    def __init__(self, gs):
        super().__init__(gs)
        self.contours, self.cur = [], []

    def _moveTo(self, p):
        self.cur = [p]

    def _lineTo(self, p):
        self.cur.append(p)

    def _curveToOne(self, p1, p2, p3):
        p0 = self.cur[-1]
        for t in np.linspace(0, 1, 7)[1:]:
            u = 1 - t
            self.cur.append((u ** 3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t ** 3 * p3[0],
                             u ** 3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t ** 3 * p3[1]))

    def _qCurveToOne(self, p1, p2):
        p0 = self.cur[-1]
        for t in np.linspace(0, 1, 5)[1:]:
            u = 1 - t
            self.cur.append((u * u * p0[0] + 2 * u * t * p1[0] + t * t * p2[0], u * u * p0[1] + 2 * u * t * p1[1] + t * t * p2[1]))

    def _closePath(self):
        if len(self.cur) > 2:
            self.contours.append(np.array(self.cur, float))
        self.cur = []

    _endPath = _closePath


class Face:
    def __init__(self, path, words):
        self.f = TTFont(path)
        self.cmap = self.f.getBestCmap()
        self.gs = self.f.getGlyphSet()
        self.upm = self.f['head'].unitsPerEm
        self.cache = {}
        for w in words:
            for ch in w:
                self.glyph(ch)

    def glyph(self, ch):
        """contours in em units (0..1, y down), one keyhole polygon for even-odd filling."""
        if ch in self.cache:
            return self.cache[ch]
        if ch == ' ':
            self.cache[ch] = None
            return None
        if ord(ch) not in self.cmap:
            raise SystemExit('mouse: glyph %r missing from the face' % ch)
        pen = FlatPen(self.gs)
        self.gs[self.cmap[ord(ch)]].draw(pen)
        if not pen.contours:
            raise SystemExit('mouse: glyph %r empty in %s' % (ch, FONT))
        asc = 0.88 * self.upm
        pts = []
        for c in pen.contours:
            c = np.column_stack([c[:, 0] / self.upm, (asc - c[:, 1]) / self.upm])
            pts.append(np.vstack([c, c[:1]]))
        # keyhole chain: every contour from and back to the first point (the bridges cancel under even-odd)
        first = pts[0][0]
        chain = [pts[0]]
        for c in pts[1:]:
            chain.append(c)
            chain.append(first[None, :])
        poly = np.vstack(chain)
        self.cache[ch] = poly
        return poly


class Gmic:
    """Collects G'MIC drawing commands for several images, runs them once."""

    def __init__(self):
        self.lines, self.n = [], 0

    def image(self, w, h):
        self.lines.append('%d,%d,1,1,0' % (w, h))
        self.n += 1
        return self.n - 1

    def poly(self, idx, pts, val=255):
        if len(pts) < 3:
            return
        coords = ','.join('%.2f,%.2f' % (x, y) for x, y in pts)
        self.lines.append('polygon[%d] %d,%s,1,%d' % (idx, len(pts), coords, val))

    def run(self, tmp):
        paths = []
        for i in range(self.n):
            p = os.path.join(tmp, 'l%03d.pgm' % i)
            paths.append(p)
            self.lines.append('o[%d] %s' % (i, p))
        script = os.path.join(tmp, 'draw.gmic')
        with open(script, 'w') as f:
            f.write('x_draw :\n' + ''.join('  %s\n' % l for l in self.lines))
        subprocess.run(['gmic', '-v', '-1', '-m', script, 'x_draw'], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        return [np.asarray(Image.open(p), dtype=np.float32) / 255.0 for p in paths]


def circle(cx, cy, r, n=None):
    n = n or max(64, int(r * 40))
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.column_stack([cx + r * np.cos(t), cy + r * np.sin(t)])


def rect(x0, y0, x1, y1):
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], float)


def place(glyph, cx, cy, size, angle=0.0, sx=1.0):
    """glyph (em units) centred at (cx, cy) mm, size mm, turned by angle (rad, clockwise on screen)."""
    g = (glyph - 0.5) * size
    g[:, 0] *= sx
    c, s = math.cos(angle), math.sin(angle)
    return np.column_stack([cx + g[:, 0] * c - g[:, 1] * s, cy + g[:, 0] * s + g[:, 1] * c])


def text_line(face, text, x, y, size, align='left'):
    adv = size * 1.0
    w = adv * len(text)
    x0 = x - w / 2 if align == 'center' else x
    out = []
    for i, ch in enumerate(text):
        g = face.glyph(ch)
        if g is not None:
            out.append(place(g, x0 + adv * (i + 0.5), y, size))
    return out


def official_face(rng, face, firm, d):
    """ops in mm about the centre: list of (polygon, value)."""
    r = d / 2
    ring = rng.uniform(0.9, 1.4)
    ops = [(circle(0, 0, r), 255), (circle(0, 0, r - ring), 0)]
    rs = 0.3 * r
    star = []
    for k in range(10):
        rr = rs if k % 2 == 0 else rs * 0.382
        a = -math.pi / 2 + k * math.pi / 5
        star.append((rr * math.cos(a), rr * math.sin(a)))
    ops.append((np.array(star), 255))
    h = 0.16 * d
    span = math.radians(rng.uniform(200, 245))
    n = len(firm)
    rt = r - ring - 0.6 - h / 2
    for i, ch in enumerate(firm):
        a = -math.pi / 2 - span / 2 + span * (i + 0.5) / n
        ops.append((place(face.glyph(ch), rt * math.cos(a), rt * math.sin(a), h, a + math.pi / 2, 0.8), 255))
    if rng.random() < 0.5:
        word = ['契約', '財務'][int(rng.integers(2))] + '専用章'
        for p in text_line(face, word, 0, 0.55 * r, 0.11 * d, 'center'):
            ops.append((p, 255))
    return ops


def legal_face(rng, face, person, w, h, yin):
    fr = rng.uniform(0.6, 1.0)
    chars = list(person + ('之印' if len(person) == 2 else '印'))
    while len(chars) < 4:
        chars.append('印')
    chars = chars[:4]
    # right-to-left columns of 2 x 2 cells
    cw, chh = (w - 2 * fr - 0.8) / 2, (h - 2 * fr - 0.8) / 2
    ops = []
    if yin:
        ops.append((rect(-w / 2, -h / 2, w / 2, h / 2), 255))
        val = 0
    else:
        ops.append((rect(-w / 2, -h / 2, w / 2, h / 2), 255))
        ops.append((rect(-w / 2 + fr, -h / 2 + fr, w / 2 - fr, h / 2 - fr), 0))
        val = 255
    order = [(1, 0), (1, 1), (0, 0), (0, 1)]
    for ch, (col, row) in zip(chars, order):
        cx = -w / 2 + fr + 0.4 + cw * (col + 0.5)
        cy = -h / 2 + fr + 0.4 + chh * (row + 0.5)
        g = place(face.glyph(ch), 0, 0, 1.0)
        g[:, 0] = cx + g[:, 0] * cw * 0.92
        g[:, 1] = cy + g[:, 1] * chh * 0.92
        ops.append((g, val))
    return ops


def signature_strokes(rng, width):
    """pen path (mm) about the centre: a few loops per character and a closing flourish."""
    nch = int(rng.integers(2, 4))
    cell = width / nch
    t = np.linspace(0, nch, 160 * nch)
    f1, f2 = rng.uniform(1.6, 2.6), rng.uniform(0.8, 1.4)
    x = t * cell - width / 2 + rng.uniform(1.0, 2.2) * np.sin(2 * np.pi * f1 * t + rng.uniform(0, 6))
    y = rng.uniform(2.5, 4.5) * np.sin(2 * np.pi * f2 * t * 1.7 + rng.uniform(0, 6)) + 1.2 * np.sin(2 * np.pi * 3.1 * t)
    slant = math.radians(rng.uniform(6, 16))
    x = x - y * math.tan(slant)
    tail = np.linspace(0, 1, 60)
    x = np.concatenate([x, x[-1] + tail * rng.uniform(4, 9)])
    y = np.concatenate([y, y[-1] + tail * rng.uniform(-3, 3) + 1.5 * np.sin(np.pi * tail)])
    return np.column_stack([x, y])


def stroke_polys(path, w):
    polys = []
    for a, b in zip(path[:-1], path[1:]):
        d = b - a
        L = math.hypot(*d)
        if L < 1e-6:
            continue
        nrm = np.array([-d[1], d[0]]) / L * w / 2
        polys.append(np.array([a + nrm, b + nrm, b - nrm, a - nrm]))
    for p in path[::3]:
        polys.append(circle(p[0], p[1], w / 2, 10))
    return polys


# ---------------------------------------------------------------- optics of paper and ink
MU = np.linspace(0.001, 1, 400)
A_GRID = np.linspace(0, 40, 4001)
F_TAB = np.array([2 * np.trapz(np.exp(-2 * a / MU) * MU, MU) for a in A_GRID])
RS, RI = 0.04, 0.6


def wc(rg, a):
    """Williams-Clapper (diffuse): a film of absorbance a (normal incidence, one pass) on a body of reflectance rg."""
    F = np.interp(a, A_GRID, F_TAB).astype(np.float32)
    return RS + (1 - RS) * (1 - RI) * rg * F / (1 - RI * rg * F)


def srgb(x):
    x = np.clip(x, 0, 1)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)


def hue_of(rel):
    r, g, b = srgb(np.asarray(rel, float))
    mx, mn = max(r, g, b), min(r, g, b)
    if mx - mn < 1e-6:
        return 0.0
    if mx == r:
        h = 60 * ((g - b) / (mx - mn))
    elif mx == g:
        h = 60 * (2 + (b - r) / (mx - mn))
    else:
        h = 60 * (4 + (r - g) / (mx - mn))
    return (h + 180) % 360 - 180


def ink_absorbance(rg, passing, hue):
    """per-channel absorbance of a full film: green passes `passing` of the paper's light, hue as asked."""
    orange = hue > 10
    strong = 2 if orange else 1

    def film(k, rb):
        # orange: blue the strongest channel and green's share the free one; otherwise green, blue's share free
        return np.array([0.04 * k, rb * k, k]) if orange else np.array([0.04 * k, k, rb * k])

    base = wc(rg, np.zeros(3))
    def solve_k(rb):
        lo, hi = 0.0, 14.0
        for _ in range(40):
            m = (lo + hi) / 2
            if wc(rg, film(m, rb))[strong] / base[strong] > passing:
                lo = m
            else:
                hi = m
        return (lo + hi) / 2
    lo, hi = (0.0, 1.0) if orange else (0.05, 12.0)
    for _ in range(40):
        rb = (lo + hi) / 2
        k = solve_k(rb)
        h = hue_of(wc(rg, film(k, rb)) / base)
        if (h > hue) != orange:
            hi = rb
        else:
            lo = rb
    rb = (lo + hi) / 2
    return film(solve_k(rb), rb)


def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng(seed)
    dpi = int(rng.choice([150, 200, 300, 400, 600], p=[0.1, 0.1, 0.6, 0.12, 0.08]))
    if os.environ.get('SEAL_SHEET_DPI'):
        dpi = int(os.environ['SEAL_SHEET_DPI'])
    ppm = dpi / 25.4
    nrng = np.random.default_rng([seed, 7])  # fields sized by the page grid: their own stream, so the dpi moves nothing else
    face = Face(FONT, FIRMS + PEOPLE + TEXTS_UNDER + ['之印', '専用章', '契約', '財務'])
    fface = Face(FONT_FORM, FORM_WORDS + TEXTS_UNDER)
    firm = FIRMS[int(rng.integers(len(FIRMS)))]
    person = PEOPLE[int(rng.integers(len(PEOPLE)))]
    W, H = int(round(210 * ppm)), int(round(297 * ppm))

    # ---------------- layout (snca-nmg seal-collection: 3 rows of 3 boxes)
    x0 = (210 - sum(COLS)) / 2 + rng.uniform(-1.5, 1.5)
    y = 14 + rng.uniform(0, 3)
    rule = rng.uniform(0.25, 0.4)
    form_polys, texts = [], []
    texts += text_line(fface, '附件:3', x0, y, 3.6)
    boxes = []
    titles = ['公章採集表', '法人署名採集表', '法人捺印採集表']
    caps = [['印章一', '印章二', '印章三'], ['署名一', '署名二', '署名三'], ['印章一', '印章二', '印章三']]
    y += 8
    for r in range(3):
        texts += text_line(fface, titles[r], 105, y, 5.2, 'center')
        y += 6
        texts += text_line(fface, FORM_WORDS[4], 105, y, 2.9, 'center')
        y += 4
        top = y
        xs = [x0 + sum(COLS[:c]) for c in range(4)]
        ys = [top, top + ROW_H[r], top + ROW_H[r] + 8]
        for yy in ys:
            form_polys.append(rect(xs[0] - rule / 2, yy - rule / 2, xs[3] + rule / 2, yy + rule / 2))
        for xx in xs:
            form_polys.append(rect(xx - rule / 2, ys[0] - rule / 2, xx + rule / 2, ys[2] + rule / 2))
        for c in range(3):
            boxes.append(dict(row=r, col=c, kind=SEAL_KINDS[r], x0=xs[c], y0=top, x1=xs[c + 1], y1=top + ROW_H[r]))
            texts += text_line(fface, caps[r][c], (xs[c] + xs[c + 1]) / 2, top + ROW_H[r] + 4, 3.5, 'center')
        y = ys[2] + 8
    texts += text_line(fface, '受理人：', x0 + 4, y + 4, 3.6)
    texts += text_line(fface, '日期：', x0 + 110, y + 4, 3.6)

    # ---------------- paper and sheet-wide draws
    tinted = rng.random() < 0.07
    if tinted:
        tint = [np.array([0.93, 0.80, 0.82]), np.array([0.95, 0.90, 0.70]), np.array([0.80, 0.88, 0.95])][int(rng.integers(3))]
    else:
        tint = np.array([0.9, 0.9, 0.9]) + rng.uniform(-0.01, 0.01, 3) * np.array([1, 1, 1.5])
        tint = np.clip(tint, 0.86, 0.93)
    pad_hue = rng.uniform(-3, 3)
    pen_kind = ['blue', 'black', 'blueblack'][int(rng.choice(3, p=[0.5, 0.3, 0.2]))]
    pen_ratio = {'blue': np.array([1, 0.72, 0.14]), 'black': np.array([1, 0.97, 0.92]), 'blueblack': np.array([1, 0.9, 0.55])}[pen_kind]
    pen_w = rng.uniform(0.45, 0.65)

    # ---------------- per-box plans
    seal_labels = ['double', 'smudged', 'broken', 'pale', 'off_color', 'tilted', 'pushed', 'stain', 'print']
    seal_w = np.array([13, 12, 14, 13, 13, 13, 12, 11, 12], float)
    for b in boxes:
        b['defects'], b['borderline'] = set(), set()
        b['plan'] = set()
        if b['kind'] == 'signature':
            u = rng.random()
            if u < 0.08:
                b['plan'].add('empty')
            else:
                if rng.random() < 0.14:
                    b['plan'].add('pale')
                if rng.random() < 0.14:
                    b['plan'].add('pushed')
                if rng.random() < 0.12:
                    b['plan'].add('stain')
            continue
        if rng.random() < 0.09:
            b['plan'].add('empty')
            if rng.random() < 0.25:
                b['plan'].add('stain')
            continue
        if rng.random() < 0.82:
            first = seal_labels[int(rng.choice(len(seal_labels), p=seal_w / seal_w.sum()))]
            b['plan'].add(first)
            if rng.random() < 0.35:
                second = seal_labels[int(rng.choice(len(seal_labels), p=seal_w / seal_w.sum()))]
                bad = [{'double', 'smudged'}, {'double', 'broken'}, {'pale', 'off_color'}, {'smudged', 'broken'}, {'pale', 'double'}]
                if not any({first, second} == s for s in bad):
                    b['plan'].add(second)

    # ---------------- drawing by G'MIC
    ssf = 2 if dpi <= 300 else 1
    gm = Gmic()
    fidx = gm.image(W * ssf, H * ssf)
    k = ppm * ssf
    for p in form_polys + texts:
        gm.poly(fidx, p * k)
    for b in boxes:
        if 'print' in b['plan'] and b['kind'] != 'signature':
            b['print_off'] = rng.uniform(-1.5, 1.5, 2)
    # seal faces on local canvases
    ss = max(2, int(math.ceil(26 / ppm)))
    kk = ppm * ss
    margin = 7.0
    for b in boxes:
        bw, bh = b['x1'] - b['x0'], b['y1'] - b['y0']
        cx, cy = (b['x0'] + b['x1']) / 2, (b['y0'] + b['y1']) / 2
        b['canvas'] = (b['x0'] - margin, b['y0'] - margin)
        cw, chh = int(math.ceil((bw + 2 * margin) * ppm)) * ss, int(math.ceil((bh + 2 * margin) * ppm)) * ss
        if 'empty' in b['plan']:
            b['defects'].add('empty')
            continue
        tilt = 0.0
        if 'tilted' in b['plan']:
            tilt = rng.uniform(12, 28) * (1 if rng.random() < 0.5 else -1)
            b['defects'].add('tilted')
        elif b['kind'] != 'signature':
            tilt = rng.uniform(-2, 2)
        b['tilt_deg'] = round(tilt, 2)
        if b['kind'] == 'official_seal':
            d = rng.uniform(38, 42)
            b['diameter_mm'] = round(d, 2)
            ops = official_face(rng, face, firm, d)
            half = (d / 2, d / 2)
        elif b['kind'] == 'legal_rep_seal':
            if rng.random() < 0.6:
                w = h = rng.uniform(15, 20)
            else:
                w = rng.uniform(18, 22)
                h = w / rng.uniform(1.15, 1.3)
                if rng.random() < 0.5:
                    w, h = h, w
            yin = rng.random() < 0.25
            b['yin'] = bool(yin)
            b['size_mm'] = [round(w, 2), round(h, 2)]
            ops = legal_face(rng, face, person, w, h, yin)
            half = (w / 2, h / 2)
        else:
            path = signature_strokes(rng, rng.uniform(30, 40))
            ops = [(p, 255) for p in stroke_polys(path, pen_w)]
            half = (np.abs(path[:, 0]).max() + pen_w, np.abs(path[:, 1]).max() + pen_w)
        a = math.radians(tilt)
        ex = abs(half[0] * math.cos(a)) + abs(half[1] * math.sin(a))
        ey = abs(half[0] * math.sin(a)) + abs(half[1] * math.cos(a))
        if b['kind'] == 'official_seal':
            ex = ey = half[0]
        if 'pushed' in b['plan']:
            side = int(rng.integers(4)) if b['kind'] != 'signature' else int(rng.integers(2)) * 2
            push = rng.uniform(1.2, 3.0)
            inner = rule / 2
            ox = oy = 0.0
            if side == 0:
                ox = b['x0'] + inner - push + ex - cx
            elif side == 1:
                oy = b['y0'] + inner - push + ey - cy
            elif side == 2:
                ox = b['x1'] - inner + push - ex - cx
            else:
                oy = b['y1'] - inner + push - ey - cy
            oy = float(np.clip(oy, -(bh / 2 - ey) - 3, bh / 2 - ey + 3)) if side in (0, 2) else oy
            b['push_mm'] = round(push, 2)
        else:
            room_x, room_y = bw / 2 - ex - 1.2, bh / 2 - ey - 1.2
            ox = rng.uniform(-1, 1) * min(2.0, max(room_x, 0))
            oy = rng.uniform(-1, 1) * min(2.0, max(room_y, 0))
        b['centre_mm'] = (cx + ox, cy + oy)
        ca, sa = math.cos(a), math.sin(a)
        b['layers'] = []
        offsets = [(0.0, 0.0, 0.0)]
        if 'double' in b['plan']:
            dd = rng.uniform(0.9, 2.5)
            phi = rng.uniform(0, 2 * math.pi)
            offsets.append((dd * math.cos(phi), dd * math.sin(phi), math.radians(rng.uniform(-1.5, 1.5))))
            b['double_offset_mm'] = round(dd, 2)
            b['defects'].add('double')
        for (dx, dy, da) in offsets:
            li = gm.image(cw, chh)
            b['layers'].append(li)
            c2, s2 = math.cos(a + da), math.sin(a + da)
            for p, v in ops:
                q = np.column_stack([p[:, 0] * c2 - p[:, 1] * s2, p[:, 0] * s2 + p[:, 1] * c2])
                q[:, 0] += b['centre_mm'][0] + dx - b['canvas'][0]
                q[:, 1] += b['centre_mm'][1] + dy - b['canvas'][1]
                gm.poly(li, q * kk, v)
        if 'print_off' in b:
            word = TEXTS_UNDER[int(rng.integers(len(TEXTS_UNDER)))]
            sz = rng.uniform(3.8, 5.0)
            for p in text_line(fface, word, b['centre_mm'][0] + b['print_off'][0], b['centre_mm'][1] + b['print_off'][1] - 0 + sz * 0.05, sz, 'center'):
                gm.poly(fidx, p * k)
            b['defects'].add('text_under')

    with tempfile.TemporaryDirectory(prefix='mouse-') as tmp:
        imgs = gm.run(tmp)
        form = imgs[fidx]
        if ssf > 1:
            form = form[:H * ssf, :W * ssf].reshape(H, ssf, W, ssf).mean(axis=(1, 3))

        # ---------------- letterpress: squash (spread), kiss halo (ink pushed to the edges), slur
        spread = ndimage.gaussian_filter(form, 0.05 * ppm)
        squash = np.clip(spread * 1.15, 0, 1)
        edge = np.clip(squash - ndimage.gaussian_filter(squash, 0.12 * ppm), 0, None)
        slur_px = rng.uniform(0.03, 0.08) * ppm
        slur = ndimage.shift(squash, (slur_px, 0), order=1) * 0.25
        pressure = 0.82 + 0.1 * ndimage.zoom(rng.random((8, 6)).astype(np.float32), (H / 8, W / 6), order=3)[:H, :W]
        print_cov = np.clip(squash * pressure + 1.4 * edge + slur * (1 - squash), 0, 1.2)
        print_abs = print_cov * rng.uniform(2.6, 3.2)

        # ---------------- recycled paper: grey-cast body, de-inked specks, fibre fragments, cloudy formation
        yy = nrng.standard_normal((H // 8 + 2, W // 8 + 2)).astype(np.float32)
        cloud = ndimage.gaussian_filter(yy, 1.2 * ppm / 8)
        cloud = ndimage.zoom(cloud / (cloud.std() + 1e-6), 8, order=1)[:H, :W]
        fine = ndimage.gaussian_filter(nrng.standard_normal((H, W)).astype(np.float32), 0.06 * ppm)
        fine /= fine.std() + 1e-6
        body = 1 + rng.uniform(0.004, 0.008) * cloud + 0.004 * fine
        specks = np.zeros((H, W), np.float32)
        nsp = int(rng.integers(80, 260))
        ys_, xs_ = (rng.random(nsp) * H).astype(int), (rng.random(nsp) * W).astype(int)
        specks[ys_, xs_] = rng.uniform(0.3, 1.0, nsp)
        specks = ndimage.gaussian_filter(specks, max(0.5, 0.06 * ppm)) * (0.06 * ppm) ** 2 * 6
        body = body.astype(np.float32)
        keep = 1 - np.clip(specks, 0, 0.5)
        rg = np.empty((H, W, 3), np.float32)
        for ch in range(3):
            rg[..., ch] = np.float32(tint[ch]) * body * keep ** np.float32([1.0, 1.0, 0.95][ch])
        del keep, body
        fibres = np.zeros((H, W), np.float32)
        for _ in range(int(rng.integers(20, 60))):
            x, y_ = rng.uniform(0, W), rng.uniform(0, H)
            ang = rng.uniform(0, np.pi)
            L = rng.uniform(0.5, 2.0) * ppm
            for t in np.linspace(0, 1, int(L) + 2):
                xi, yi = int(x + t * L * math.cos(ang)), int(y_ + t * L * math.sin(ang))
                if 0 <= xi < W and 0 <= yi < H:
                    fibres[yi, xi] = 1
        fcol = rng.choice([0, 1, 2])
        rg[..., fcol] *= 1 - 0.25 * ndimage.gaussian_filter(fibres, 0.5)

        if tinted:
            for b in boxes:
                b['defects'].add('bg_not_white')
        # stains in boxes: a tea ring or a yellow highlighter swipe
        for b in boxes:
            if 'stain' not in b['plan']:
                continue
            bx0, by0, bx1, by1 = [int(v * ppm) for v in (b['x0'] + 2, b['y0'] + 2, b['x1'] - 2, b['y1'] - 2)]
            yy_, xx_ = np.mgrid[by0:by1, bx0:bx1]
            if rng.random() < 0.5:
                col = np.array([0.97, 0.93, 0.45])
                mid = rng.uniform(0.35, 0.65) * (by1 - by0) + by0
                hh = rng.uniform(6, 10) * ppm / 2
                wav = mid + 1.2 * ppm * np.sin(xx_ / (9 * ppm) + rng.uniform(0, 6))
                m = np.clip((hh - np.abs(yy_ - wav)) / (0.4 * ppm), 0, 1) * ((xx_ - bx0) > 0.05 * (bx1 - bx0))
            else:
                col = np.array([0.86, 0.72, 0.52])
                ccx, ccy = rng.uniform(bx0 + 0.3 * (bx1 - bx0), bx1 - 0.3 * (bx1 - bx0)), (by0 + by1) / 2
                rr = np.hypot((xx_ - ccx) / ((bx1 - bx0) * 0.35), (yy_ - ccy) / ((by1 - by0) * 0.35))
                m = np.clip(1 - rr, 0, 1) ** 0.3 * 0.7 + np.exp(-((rr - 1) / 0.05) ** 2) * 0.5
                m = np.clip(m, 0, 1)
            strength = rng.uniform(0.8, 1.0)
            rg[by0:by1, bx0:bx1] *= (1 - m[..., None] * strength * (1 - col))
            b['defects'].add('bg_not_white')

        # ---------------- inks and impressions
        absorb = print_abs[..., None] * np.ones(3, np.float32)
        absorb = absorb.astype(np.float32)
        white = np.median(tint)
        cov_page = np.zeros((H, W), np.float32)
        owner = np.zeros((H, W), np.uint8)
        ink_n = ink_absorbance(np.array([white] * 3), rng.uniform(0.065, 0.11), pad_hue)
        for bi, b in enumerate(boxes):
            if 'layers' not in b:
                continue
            pale = 'pale' in b['plan']
            if b['kind'] == 'signature':
                passing = rng.uniform(0.42, 0.58) if pale else rng.uniform(0.06, 0.11)
                lo, hi = 0.0, 14.0
                for _ in range(40):
                    m_ = (lo + hi) / 2
                    if wc(white, m_ * pen_ratio.max()) / wc(white, 0.0) > passing:
                        lo = m_
                    else:
                        hi = m_
                A = pen_ratio * lo
            else:
                hue = pad_hue
                if 'off_color' in b['plan']:
                    hue = rng.uniform(22, 34) * (1 if rng.random() < 0.5 else -1)
                    b['defects'].add('off_color')
                    b['hue_deg'] = round(hue, 1)
                passing = rng.uniform(0.42, 0.58) if pale else rng.uniform(0.065, 0.11)
                A = ink_absorbance(np.array([white] * 3), passing, hue) if (pale or hue != pad_hue) else ink_n * 1.0
                if not pale and hue == pad_hue:
                    A = ink_n
            if pale:
                b['defects'].add('pale')
            cx0, cy0 = b['canvas']
            px0, py0 = int(round(cx0 * ppm)), int(round(cy0 * ppm))
            covs = []
            for li in b['layers']:
                im = imgs[li]
                hh_, ww_ = im.shape[0] // ss, im.shape[1] // ss
                covs.append(im[:hh_ * ss, :ww_ * ss].reshape(hh_, ss, ww_, ss).mean(axis=(1, 3)))
            hh_, ww_ = covs[0].shape
            yy_, xx_ = np.mgrid[0:hh_, 0:ww_].astype(np.float32)
            mott = ndimage.gaussian_filter(nrng.standard_normal((hh_, ww_)).astype(np.float32), 1.2 * ppm)
            mott = 1 - rng.uniform(0.04, 0.1) * np.clip(mott / (mott.std() + 1e-6), -2, 2) / 2
            plane = 1 + rng.uniform(-0.004, 0.004) * (xx_ - ww_ / 2) / ppm + rng.uniform(-0.004, 0.004) * (yy_ - hh_ / 2) / ppm
            load = covs[0] * mott * plane
            mask = covs[0].copy()
            if len(covs) > 1:
                share = rng.uniform(0.55, 0.9)
                load = load + covs[1] * share * mott
                mask = np.maximum(mask, covs[1])
            if 'smudged' in b['plan']:
                sm = rng.uniform(0.8, 1.35)
                ang = rng.uniform(0, 2 * math.pi)
                steps = 12
                acc, macc, wsum = load * 0.6, mask.copy(), 0.6
                for i in range(1, steps + 1):
                    t = i / steps
                    wgt = 0.4 / steps * (1 - 0.6 * t)
                    sh = (t * sm * ppm * math.sin(ang), t * sm * ppm * math.cos(ang))
                    acc = acc + wgt * ndimage.shift(load, sh, order=1)
                    macc = np.maximum(macc, ndimage.shift(mask, sh, order=1))
                    wsum += wgt
                load, mask = acc / wsum * 1.0, macc
                b['smear_mm'] = round(sm, 2)
                b['defects'].add('smudged')
            if 'broken' in b['plan']:
                ccx, ccy = (b['centre_mm'][0] - cx0) * ppm, (b['centre_mm'][1] - cy0) * ppm
                ang = rng.uniform(0, 2 * math.pi)
                proj = (xx_ - ccx) * math.cos(ang) + (yy_ - ccy) * math.sin(ang)
                proj += 0.3 * ppm * np.sin(np.hypot(xx_, yy_) / (2.5 * ppm) + rng.uniform(0, 6))
                inked = proj[mask >= 0.5]
                cut = np.quantile(inked, 1 - rng.uniform(0.2, 0.3))
                fade = np.clip((cut - proj) / (rng.uniform(0.3, 0.6) * ppm), 0, 1)
                load = load * fade
                mask = mask * (fade >= 0.5)
                b['defects'].add('broken')
            # place on the page
            y1_, x1_ = min(H, py0 + hh_), min(W, px0 + ww_)
            sl = (slice(max(py0, 0), y1_), slice(max(px0, 0), x1_))
            lsl = (slice(max(py0, 0) - py0, y1_ - py0), slice(max(px0, 0) - px0, x1_ - px0))
            absorb[sl] += load[lsl][..., None] * A[None, None, :].astype(np.float32)
            m = mask[lsl]
            cov_page[sl] = np.maximum(cov_page[sl], m)
            owner[sl][m >= 0.5] = bi + 1
            # overlap with the box's rules (inner edge), from the coverage on the page grid
            ys2, xs2 = np.nonzero(m >= 0.5)
            if len(ys2):
                X = (xs2 + max(px0, 0)) / ppm
                Y = (ys2 + max(py0, 0)) / ppm
                inner = rule / 2
                reach = max(b['x0'] + inner - X.min(), X.max() - (b['x1'] - inner), b['y0'] + inner - Y.min(), Y.max() - (b['y1'] - inner))
                b['reach_mm'] = round(float(reach), 2)
                if reach > 0.3:
                    b['defects'].add('overlap_line')
                elif reach > -0.3:
                    b['borderline'].add('overlap_line')
            else:
                b['defects'] = {'empty'} | (b['defects'] & {'bg_not_white'})

        refl = np.empty_like(rg)
        for ch in range(3):  # a channel at a time: the page in float32, never a float64 copy of all three
            refl[..., ch] = wc(rg[..., ch], absorb[..., ch])
        del absorb

        # ---------------- the mouse scanner: swept strips stitched, each with its own turn, shift and exposure
        skew = float(rng.normal(0, 0.4)) if rng.random() < 0.5 else float(rng.uniform(0.3, 1.5) * rng.choice([-1, 1]))
        strips = []
        yb = 0.0
        while yb < H:
            hgt = rng.uniform(60, 85) * ppm
            strips.append(dict(y0=yb, y1=min(H, yb + hgt), rot=math.radians(skew + rng.normal(0, 0.12)),
                               dx=rng.normal(0, 0.15) * ppm, dy=rng.normal(0, 0.12) * ppm, gain=1 + rng.normal(0, 0.015),
                               ramp=rng.normal(0, 0.01)))
            yb += hgt
        # each strip an affine map from delivered pixels to page pixels (turned about the page centre)
        pcx, pcy = W / 2, H / 2

        def inv_map(s, X, Y):
            c, s_ = math.cos(s['rot']), math.sin(s['rot'])
            Xr, Yr = X - pcx - s['dx'], Y - pcy - s['dy']
            return pcx + c * Xr + s_ * Yr, pcy - s_ * Xr + c * Yr

        def fwd_map(s, x, y):
            c, s_ = math.cos(s['rot']), math.sin(s['rot'])
            xr, yr = x - pcx, y - pcy
            return pcx + c * xr - s_ * yr + s['dx'], pcy + s_ * xr + c * yr + s['dy']

        out = np.empty((H, W, 3), np.float32)
        cov_out = np.zeros((H, W), np.float32)
        own_out = np.zeros((H, W), np.uint8)
        lid = rng.uniform(0.75, 0.85)
        for s in strips:
            r0, r1 = int(s['y0']), int(math.ceil(s['y1']))
            Y, X = np.mgrid[r0:r1, 0:W].astype(np.float32)
            sx, sy = inv_map(s, X, Y)
            coords = np.array([sy, sx])
            gain = s['gain'] * (1 + s['ramp'] * (X - W / 2) / W)
            for ch in range(3):
                out[r0:r1, :, ch] = ndimage.map_coordinates(refl[..., ch], coords, order=1, cval=lid) * gain
            cov_out[r0:r1] = ndimage.map_coordinates(cov_page, coords, order=1, cval=0)
            own_out[r0:r1] = ndimage.map_coordinates(owner, coords, order=0, cval=0)
            # the seam: the head's edge leaves a faint dark line
            if r0 > 0:
                out[r0:r0 + max(1, int(0.1 * ppm))] *= 0.985
        del refl
        # optics, motion along the sweep, noise, exposure, sRGB, 8 bits
        sig = rng.uniform(0.04, 0.07) * ppm
        out = ndimage.gaussian_filter(out, (sig * 1.3, sig, 0))
        full = rng.uniform(5000, 15000)
        for ch in range(3):
            o = out[..., ch]
            o += nrng.standard_normal(o.shape, dtype=np.float32) * np.sqrt(np.clip(o, 0, None) / full)
            o += nrng.standard_normal(o.shape, dtype=np.float32) * np.float32(0.002)
        wp = np.percentile(out[::7, ::7].max(axis=2), 99) * rng.uniform(1.0, 1.04)
        bp = rng.uniform(0.005, 0.02)
        out = np.clip((out / wp - bp) / (1 - bp), 0, 1)
        img8 = (srgb(out) * 255 + 0.5).astype(np.uint8)
        del out

        # ---------------- the archive: JPEG XR, read back
        bmp, jxr, back = os.path.join(tmp, 'a.bmp'), os.path.join(tmp, 'a.jxr'), os.path.join(tmp, 'b.bmp')
        Image.fromarray(img8).save(bmp)
        q = int(rng.integers(8, 40))
        subprocess.run(['JxrEncApp', '-i', bmp, '-o', jxr, '-q', str(q), '-d', str(int(rng.choice([1, 3])))], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(['JxrDecApp', '-i', jxr, '-o', back], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        img8 = np.asarray(Image.open(back).convert('RGB'))

    # ---------------- export
    os.makedirs(outdir, exist_ok=True)
    stem = '%03d' % index
    fmt = ['jpg', 'png', 'tif'][int(rng.choice(3, p=[0.5, 0.3, 0.2]))]
    in_file = rng.random() < 0.8
    im = Image.fromarray(img8)
    kw = {'dpi': (dpi, dpi)} if in_file else {}
    fname = '%s.%s' % (stem, fmt)
    if fmt == 'jpg':
        im.save(os.path.join(outdir, fname), quality=int(rng.integers(82, 95)), subsampling=int(rng.integers(0, 3)), **kw)
    elif fmt == 'png':
        im.save(os.path.join(outdir, fname), optimize=False, **kw)
    else:
        im.save(os.path.join(outdir, fname), compression=['tiff_lzw', 'tiff_adobe_deflate'][int(rng.integers(2))], **kw)

    truth = dict(maker='mouse', seed=seed, dpi=dpi, dpi_in_file=bool(in_file), skew_deg=round(skew, 3), file=fname,
                 layout='forms/snca-nmg/layouts/seal-collection.toml', firm=firm, person=person, pen=pen_kind,
                 paper_tint=bool(tinted), jxr_quantizer=q, strips=len(strips), boxes=[])
    for bi, b in enumerate(boxes):
        bcx, bcy = (b['x0'] + b['x1']) / 2 * ppm, (b['y0'] + b['y1']) / 2 * ppm
        s = strips[0]
        for s_ in strips:
            fx, fy = fwd_map(s_, bcx, bcy)
            if s_['y0'] <= fy < s_['y1']:
                s = s_
        fx, fy = fwd_map(s, bcx, bcy)
        e = dict(row=b['row'], col=b['col'], kind=b['kind'], empty='empty' in b['defects'],
                 defects=sorted(b['defects']), borderline=sorted(b['borderline'] - b['defects']),
                 box_centre_px=[round(fx, 1), round(fy, 1)])
        for key in ('diameter_mm', 'size_mm', 'tilt_deg', 'double_offset_mm', 'smear_mm', 'hue_deg', 'push_mm', 'reach_mm', 'yin'):
            if key in b:
                e[key] = b[key]
        if not e['empty']:
            m = (cov_out >= 0.5) & (own_out == bi + 1)
            ys2, xs2 = np.nonzero(m)
            if len(ys2):
                y0m, y1m, x0m, x1m = ys2.min(), ys2.max() + 1, xs2.min(), xs2.max() + 1
                mname = '%s.r%dc%d.mask.png' % (stem, b['row'], b['col'])
                Image.fromarray((m[y0m:y1m, x0m:x1m] * 255).astype(np.uint8)).save(os.path.join(outdir, mname))
                e['mask'] = mname
                e['mask_offset'] = [int(x0m), int(y0m)]
        truth['boxes'].append(e)
    with open(os.path.join(outdir, stem + '.truth.json'), 'w') as f:
        json.dump(truth, f, ensure_ascii=False, indent=1)


if __name__ == '__main__':
    main()
