#!/usr/bin/python3
"""Maker R (planetary/, issue 76, the eighteenth): one seal collection sheet with its truth.

    python3 make_sheet.py SEED OUTDIR INDEX

Drawing: VTK's polygon-to-stencil rasteriser (vtkPolyDataToImageStencil), every closed contour its
own stencil, summed by its winding sign (non-zero rule). Faces: Nanum Gothic / Nanum Barun Gothic
(hanja) for seals and the form, Kiloji (a pen longhand face) for signatures. Form: bjca-nmg's 采样表
in two 87-mm columns, received as the second (CF) ply of a carbonless set whose top ply a band
(line-impact) printer hit: the print is the capsules' blue-black dye, pressure-made. Paper: a
recycled-pulp model (formation, de-inked residue specks, coloured fibre bits; tinted plies).
Ink: a pigment-particle sedimentation model (Poisson stacks of flakes). Capture: an overhead
planetary line-scan scanner (rotating mirror, lens across the line, page height), its software
archiving DjVu (djvulibre c44 / ddjvu) before the export.
"""
import sys, os, json, math, subprocess, tempfile
import logging
logging.getLogger('fontTools').setLevel(logging.ERROR)
import numpy as np
from scipy import ndimage
from PIL import Image
from fontTools.ttLib import TTFont
from fontTools.pens.basePen import BasePen
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkPolyData, vtkCellArray
from vtkmodules.vtkImagingStencil import vtkPolyDataToImageStencil, vtkImageStencilToImage
from vtkmodules.util.numpy_support import vtk_to_numpy

FD = '/usr/share/fonts/truetype/'
F_SEAL = FD + 'nanum/NanumGothicBold.ttf'
F_LEGAL = [FD + 'nanum/NanumGothicBold.ttf', FD + 'nanum/NanumBarunGothicBold.ttf']
F_FORM = FD + 'nanum/NanumGothic.ttf'
F_TITLE = FD + 'nanum/NanumBarunGothicBold.ttf'
F_SIGN = [FD + 'kiloji/kiloji.ttf', FD + 'kiloji/kiloji_b.ttf']

PLACES = ['北京', '天津', '上海', '广州', '南京', '西安', '成都', '重庆', '武汉', '沈阳', '大连', '太原', '包头', '呼和浩特',
          '鄂尔多斯', '赤峰', '通辽', '乌海', '满洲里', '锡林浩特', '海拉尔', '集宁', '临河', '石家庄', '兰州', '银川', '西宁',
          '昆明', '贵阳', '南宁', '福州', '合肥', '杭州', '长春', '哈尔滨']
CORES = ['恒信', '金泰', '宏图', '鼎盛', '华信', '正大', '永安', '瑞丰', '同和', '天成', '信达', '安泰', '明德', '新元', '富源',
         '兴业', '星河', '大成', '和平', '东方', '北方', '草原', '金山', '青山', '白云', '长城', '万通', '嘉禾', '盛世', '德润']
TRADES = ['科技', '商贸', '建筑', '工程', '物流', '能源', '化工', '电子', '食品', '农牧', '机械', '信息', '文化', '医药', '环保', '矿业']
TAILS = ['有限公司', '合作社', '中心', '研究所', '事务所', '商行']
SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '林', '何', '高', '郭',
            '罗', '郑', '梁', '宋', '唐', '韩', '曹', '田', '董', '袁', '于', '杜', '叶', '程', '魏', '任', '姚', '金', '石',
            '白', '孟', '秦', '江', '尹', '段', '雷', '侯', '史', '武', '孔', '包', '乌', '那', '巴', '吕', '崔', '范']
GIVEN = ['伟', '芳', '敏', '静', '强', '磊', '洋', '勇', '杰', '娟', '涛', '明', '超', '秀', '平', '刚', '英', '华', '玉',
         '文', '建', '国', '志', '海', '山', '林', '立', '军', '福', '德', '春', '清', '永', '宏', '宇', '晨', '雪', '梅',
         '松', '岩', '峰', '光', '辉', '斌', '鹏', '飞', '力', '成', '利', '金', '荣', '慧', '兰', '云']
FORM_WORDS = ['印章采集表', '公司印章及署名采集表', '公司全名', '法定代表人', '受理人', '其他', '注：', '公章', '法人章',
              '法定代表人署名', '代理人署名', '采集', '日期：', '年', '月', '日', '（印章居中，勿出格）', '（由本人署名，字迹分明）',
              '1、本表用于公司印章采集，用印泥加盖，用力适中。', '2、印章完整分明，不歪斜，不出格。',
              '3、署名由本人自己完成，字迹分明。', '（盖章）', '本公司', '年月日', '0123456789']


class FlatPen(BasePen):
    def __init__(self, gs):
        BasePen.__init__(self, gs)
        self.contours, self.cur = [], []

    def _moveTo(self, p):
        self.cur = [p]

    def _lineTo(self, p):
        self.cur.append(p)

    def _curveToOne(self, p1, p2, p3):
        p0 = self.cur[-1]
        for t in np.linspace(0, 1, 7)[1:]:
            u = 1 - t
            self.cur.append((u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                             u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1]))

    def _qCurveToOne(self, p1, p2):
        p0 = self.cur[-1]
        for t in np.linspace(0, 1, 6)[1:]:
            u = 1 - t
            self.cur.append((u * u * p0[0] + 2 * u * t * p1[0] + t * t * p2[0], u * u * p0[1] + 2 * u * t * p1[1] + t * t * p2[1]))

    def _closePath(self):
        if len(self.cur) > 2:
            self.contours.append(np.array(self.cur, float))
        self.cur = []

    _endPath = _closePath


class Face:
    def __init__(self, path):
        self.path = path
        self.f = TTFont(path, fontNumber=0)
        self.cmap = self.f.getBestCmap()
        self.gs = self.f.getGlyphSet()
        self.upm = self.f['head'].unitsPerEm
        self.cache = {}

    def has(self, s):
        return all(ord(c) in self.cmap or c in ' ' for c in s)

    def glyph(self, ch):
        """Contours in em units (y up), and the advance."""
        if ch not in self.cache:
            if ord(ch) not in self.cmap:
                raise SystemExit('planetary: %s lacks %r' % (os.path.basename(self.path), ch))
            name = self.cmap[ord(ch)]
            pen = FlatPen(self.gs)
            self.gs[name].draw(pen)
            self.cache[ch] = ([c / self.upm for c in pen.contours], self.gs[name].width / self.upm)
        return self.cache[ch]


FACES = {}


def face(p):
    if p not in FACES:
        FACES[p] = Face(p)
    return FACES[p]


def check_words():
    """Every word list against every face that may draw it; a face lacking one stops the sheet."""
    for p in [F_FORM]:
        for w in FORM_WORDS:
            if not face(p).has(w):
                raise SystemExit('planetary: form word %s not in %s' % (w, p))
    if not face(F_TITLE).has('公司印章及署名采集表'):
        raise SystemExit('planetary: title face lacks the title')
    seal_faces = [F_SEAL] + F_LEGAL
    ok = lambda w, fs: all(face(p).has(w) for p in fs)
    places = [w for w in PLACES if ok(w, [F_SEAL, F_FORM])]
    cores = [w for w in CORES if ok(w, [F_SEAL, F_FORM])]
    trades = [w for w in TRADES if ok(w, [F_SEAL, F_FORM])]
    tails = [w for w in TAILS if ok(w, [F_SEAL, F_FORM])]
    sur = [w for w in SURNAMES if ok(w, seal_faces + F_SIGN + [F_FORM])]
    giv = [w for w in GIVEN if ok(w, seal_faces + F_SIGN + [F_FORM])]
    for w in '之印':
        if not ok(w, F_LEGAL):
            raise SystemExit('planetary: legal faces lack ' + w)
    if min(len(places), len(cores), len(trades), len(tails), len(sur), len(giv)) < 4:
        raise SystemExit('planetary: too few words carried by the faces')
    return places, cores, trades, tails, sur, giv


# ---------------------------------------------------------------- VTK stencil rasteriser
def stencil(c, w, h):
    pts = vtkPoints()
    n = len(c)
    for x, y in c:
        pts.InsertNextPoint(float(x), float(y), 0.0)
    ca = vtkCellArray()
    ca.InsertNextCell(n + 1)
    for i in range(n):
        ca.InsertCellPoint(i)
    ca.InsertCellPoint(0)
    pd = vtkPolyData()
    pd.SetPoints(pts)
    pd.SetLines(ca)
    st = vtkPolyDataToImageStencil()
    st.SetInputData(pd)
    st.SetOutputOrigin(0, 0, 0)
    st.SetOutputSpacing(1, 1, 1)
    st.SetOutputWholeExtent(0, w - 1, 0, h - 1, 0, 0)
    im = vtkImageStencilToImage()
    im.SetInputConnection(st.GetOutputPort())
    im.SetInsideValue(1)
    im.SetOutsideValue(0)
    im.SetOutputScalarTypeToUnsignedChar()
    im.Update()
    return vtk_to_numpy(im.GetOutput().GetPointData().GetScalars()).reshape(h, w)


def burn(acc, contours, ox, oy, R):
    """Adds each contour (mm, page frame) into the int16 winding sum acc (window origin ox, oy mm)."""
    H, W = acc.shape
    for c in contours:
        p = (c - [ox, oy]) * R - 0.5
        area = 0.5 * np.sum(p[:, 0] * np.roll(p[:, 1], -1) - np.roll(p[:, 0], -1) * p[:, 1])
        if abs(area) < 1e-6:
            continue
        x0, y0 = np.floor(p.min(0)).astype(int)
        x1, y1 = np.ceil(p.max(0)).astype(int) + 1
        x0, y0 = max(x0, 0), max(y0, 0)
        x1, y1 = min(x1, W), min(y1, H)
        if x1 <= x0 or y1 <= y0:
            continue
        s = stencil(p - [x0, y0], x1 - x0, y1 - y0)
        acc[y0:y1, x0:x1] += np.int16(1 if area > 0 else -1) * s.astype(np.int16)


def raster(contours, ox, oy, W, H, R):
    acc = np.zeros((H, W), np.int16)
    burn(acc, contours, ox, oy, R)
    return (acc != 0).astype(np.float32)


def rect(x0, y0, x1, y1):
    return np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], float)


def circle(cx, cy, r, rev=False, n=None):
    n = n or max(48, int(r * 12))
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    if rev:
        t = -t
    return np.c_[cx + r * np.cos(t), cy + r * np.sin(t)]


def rot(c, ang, cx=0.0, cy=0.0):
    a = math.radians(ang)
    ca, sa = math.cos(a), math.sin(a)
    d = c - [cx, cy]
    return np.c_[cx + d[:, 0] * ca - d[:, 1] * sa, cy + d[:, 0] * sa + d[:, 1] * ca]


def glyph_fit(fc, ch, cx, cy, w, h, ang=0.0, shear=0.0):
    """The glyph's ink box stretched to w x h mm, centred at (cx, cy), turned by ang (deg, clockwise on the page)."""
    cs, _ = fc.glyph(ch)
    if not cs:
        return []
    allp = np.vstack(cs)
    mn, mx = allp.min(0), allp.max(0)
    sx = w / max(mx[0] - mn[0], 1e-3)
    sy = h / max(mx[1] - mn[1], 1e-3)
    out = []
    for c in cs:
        x = (c[:, 0] - (mn[0] + mx[0]) / 2) * sx
        y = -(c[:, 1] - (mn[1] + mx[1]) / 2) * sy
        x = x - y * math.tan(math.radians(shear))
        out.append(rot(np.c_[x, y], ang) + [cx, cy])
    return out


def text_line(fc, s, x, y, size, align='left', track=0.0):
    """Text set by advance at em size `size` mm; y is the baseline; returns contours and the width."""
    adv = [fc.glyph(ch)[1] * size + track for ch in s]
    wid = sum(adv) - track
    if align == 'center':
        x -= wid / 2
    elif align == 'right':
        x -= wid
    out = []
    for ch, a in zip(s, adv):
        cs, _ = fc.glyph(ch)
        for c in cs:
            out.append(np.c_[x + c[:, 0] * size, y - c[:, 1] * size])
        x += a
    return out, wid


# ---------------------------------------------------------------- colour helpers
def srgb(lin):
    lin = np.clip(lin, 0, 1)
    return np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * np.power(lin, 1 / 2.4) - 0.055)


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


def flakes(S, m, t, b):
    """Poisson stacks of pigment flakes, mean m a point: each passes t (one way) and back-scatters b."""
    e = np.exp(-m)
    return S * np.exp(-m * (1 - t * t)) + b * (1 - e)


def solve_m(target, S, t, b):
    k = int(np.argmin(t))
    lo, hi = 0.0, 40.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if flakes(S[k], mid, t[k], b[k]) / S[k] > target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def seal_ink(rng, paper, want, m0):
    """Flake transmittances so that the film over the paper has the wanted hue (sRGB HSV)."""
    tr = rng.uniform(0.9, 0.97)
    tlow = rng.uniform(0.03, 0.12)
    b = np.array([rng.uniform(0.03, 0.06), 0.01, 0.01])
    low = 2 if want > 0 else 1  # orange: blue the most absorbing; red / purple: green
    mid = 3 - low

    def h_of(tm, m):
        t = np.zeros(3)
        t[0], t[low], t[mid] = tr, tlow, tm
        return hue_deg(srgb(flakes(paper, m, t, b))), t
    lo, hi = tlow, 0.9
    for _ in range(50):
        md = (lo + hi) / 2
        h, _ = h_of(md, m0)
        if abs(h) < abs(want) or (want * h) < 0:
            lo = md
        else:
            hi = md
    h, t = h_of((lo + hi) / 2, m0)
    return t, b, h


# ---------------------------------------------------------------- the sheet
def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng([seed, 18])
    tex = np.random.default_rng([seed, 1818])  # textures and noise: independent of the resolution draw
    places, cores, trades, tails, sur, giv = check_words()
    dpi = int(rng.choice([150, 200, 300, 400, 600], p=[0.1, 0.15, 0.55, 0.12, 0.08]))
    if os.environ.get('SEAL_SHEET_DPI'):
        dpi = int(os.environ['SEAL_SHEET_DPI'])
    R = 16.0  # render px per mm at every resolution (600 dpi reads it bilinearly, finer than it)
    PW, PH = 210.0, 297.0
    W, H = int(PW * R), int(PH * R)

    firm = str(rng.choice(places)) + str(rng.choice(cores)) + str(rng.choice(trades)) + str(rng.choice(tails))
    if len(firm) > 14:
        firm = firm[:2] + firm[-10:]
    person = str(rng.choice(sur)) + ''.join(str(rng.choice(giv)) for _ in range(int(rng.choice([1, 2], p=[0.45, 0.55]))))
    agent = str(rng.choice(sur)) + ''.join(str(rng.choice(giv)) for _ in range(int(rng.choice([1, 2]))))
    ff = face(F_FORM)
    tf = face(F_TITLE)
    sf = face(F_SEAL)
    lf = face(F_LEGAL[int(rng.integers(2))])
    gf = face(F_SIGN[int(rng.integers(2))])

    # ---- layout (bjca-nmg 采样表, two 87-mm columns)
    line_mm = float(rng.uniform(0.2, 0.42))
    frame_mm = line_mm * (float(rng.uniform(1.5, 2.0)) if rng.random() < 0.3 else 1.0)
    tx = 18.0 + float(rng.uniform(-2, 2))
    ty = 14.0 + float(rng.uniform(-2, 2))
    cw = 87.0
    form = []  # (contours, hammer energy)
    title = str(rng.choice(['印章采集表', '公司印章及署名采集表']))
    c, _ = text_line(tf, title, tx + cw, ty + 7, 7.0, 'center')
    form.append(c)
    y = ty + 13
    notes = [w for w in FORM_WORDS if w[:2] in ('1、', '2、', '3、')]
    c, _ = text_line(ff, '注：', tx, y, 3.6)
    form.append(c)
    for s in notes:
        c, _ = text_line(ff, s, tx + 8, y, 3.4)
        form.append(c)
        y += 5.2
    y += 1.5
    hlines = []
    vlines = []
    # info rows: 公司全名 / 法定代表人 / 受理人 with 其他
    info_top = y
    rows = [('公司全名', firm), ('法定代表人', person), ('受理人', agent)]
    for i, (k, v) in enumerate(rows):
        c, _ = text_line(ff, k, tx + 15, y + 6.2, 3.6, 'center')
        form.append(c)
        c, _ = text_line(ff, v, tx + 33, y + 6.3, 4.0)
        form.append(c)
        y += 9
        hlines.append((tx, tx + 120, y))
    c, _ = text_line(ff, '其他', tx + 130, info_top + 15.5, 3.6, 'center')
    form.append(c)
    vlines += [(tx + 30, info_top, y), (tx + 120, info_top, y), (tx + 140, info_top, y)]
    hlines.append((tx, tx + 2 * cw, info_top))
    boxes = []
    spec = [('official_seal', '公章采集', '（印章居中，勿出格）', float(rng.uniform(58, 62))),
            ('legal_rep_seal', '法人章采集', '（印章居中，勿出格）', float(rng.uniform(40, 44))),
            ('signature', '法定代表人署名', '（由本人署名，字迹分明）', float(rng.uniform(32, 36))),
            ('signature', '代理人署名', '（由本人署名，字迹分明）', float(rng.uniform(32, 36)))]
    strip = 7.5
    tinted_strips = rng.random() < 0.4
    strip_rects = []
    for r, (kind, cap, hint, bh) in enumerate(spec):
        hlines.append((tx, tx + 2 * cw, y))
        c, wid = text_line(ff, cap, tx + 4, y + 5.3, 3.8)
        form.append(c)
        c, _ = text_line(ff, hint, tx + 2 * cw - 3, y + 5.2, 3.0, 'right')
        form.append(c)
        if tinted_strips:
            strip_rects.append((tx, y, tx + 2 * cw, y + strip))
        y += strip
        hlines.append((tx, tx + 2 * cw, y))
        for col in range(2):
            boxes.append(dict(row=r, col=col, kind=kind, x0=tx + col * cw, y0=y, x1=tx + (col + 1) * cw, y1=y + bh))
        vlines.append((tx + cw, y, y + bh))
        y += bh
    hlines.append((tx, tx + 2 * cw, y))
    vlines += [(tx, info_top, y), (tx + 2 * cw, info_top, y)]
    c, _ = text_line(ff, '日期：      年    月    日', tx + 2 * cw - 4, y + 7, 3.6, 'right')
    form.append(c)
    if y + 10 > PH - 8:
        raise SystemExit('planetary: layout too tall')
    rules = []
    for x0, x1, yy in hlines:
        lw = frame_mm if yy in (info_top, y) else line_mm
        rules.append(rect(x0 - frame_mm / 2, yy - lw / 2, x1 + frame_mm / 2, yy + lw / 2))
    for xx, y0, y1 in vlines:
        lw = frame_mm if xx in (tx, tx + 2 * cw) else line_mm
        rules.append(rect(xx - lw / 2, y0, xx + lw / 2, y1))
    for b in boxes:  # inner edges of the box's rules
        lwl = frame_mm if b['col'] == 0 else line_mm
        lwr = frame_mm if b['col'] == 1 else line_mm
        lwb = frame_mm if b is boxes[-1] or b is boxes[-2] else line_mm
        b['in'] = (b['x0'] + lwl / 2, b['y0'] + line_mm / 2, b['x1'] - lwr / 2, b['y1'] - lwb / 2)

    # ---- defects per box
    vocab_seal = ['double', 'smudged', 'broken', 'pale', 'off_color', 'tilted', 'push', 'stain', 'under']
    wts = np.array([13, 13, 13, 12, 11, 13, 10, 7, 9], float)
    for b in boxes:
        b['d'] = set()
        if b['kind'] != 'signature':
            if rng.random() < 0.08:
                b['empty'] = True
                if rng.random() < 0.12:
                    b['d'].add('stain')
                continue
            b['empty'] = False
            if rng.random() < 0.75:
                b['d'].add(str(rng.choice(vocab_seal, p=wts / wts.sum())))
                if rng.random() < 0.3:
                    e = str(rng.choice(['tilted', 'stain', 'under', 'push', 'double', 'pale']))
                    bad = ({'double', 'smudged'}, {'double', 'broken'}, {'pale', 'off_color'}, {'pale', 'double'})
                    if not any(p <= (b['d'] | {e}) for p in bad):
                        b['d'].add(e)
        else:
            if rng.random() < 0.06:
                b['empty'] = True
                continue
            b['empty'] = False
            for k, p in (('pale', 0.09), ('push', 0.13), ('stain', 0.08)):
                if rng.random() < p:
                    b['d'].add(k)

    # ---- paper: recycled pulp (render grid), the ply's tint
    tinted_ply = rng.random() < 0.12
    white = float(rng.uniform(0.84, 0.9))
    paper = white * np.array([rng.uniform(0.99, 1.01), 1.0, rng.uniform(0.98, 1.02)])
    ply = None
    if tinted_ply:
        ply = str(rng.choice(['yellow', 'pink', 'green', 'blue']))
        od = float(rng.uniform(0.13, 0.2))
        ratio = {'yellow': (0.1, 0.3, 1.0), 'pink': (0.1, 1.0, 0.55), 'green': (0.9, 0.25, 0.8), 'blue': (1.0, 0.45, 0.15)}[ply]
        paper = paper * 10 ** (-od * np.array(ratio))
    small = (int(H / R * 4), int(W / R * 4))  # 4 px/mm texture grid
    form_n = ndimage.gaussian_filter(tex.standard_normal(small).astype(np.float32), 2.0)
    form_n /= form_n.std() + 1e-9
    flocs = ndimage.gaussian_filter(tex.standard_normal(small).astype(np.float32), 6.0)
    flocs /= flocs.std() + 1e-9
    grain = 1 + 0.006 * form_n + 0.008 * flocs
    grain = ndimage.zoom(grain, (H / small[0], W / small[1]), order=1)[:H, :W]
    if grain.shape != (H, W):
        grain = np.pad(grain, ((0, H - grain.shape[0]), (0, W - grain.shape[1])), mode='edge')
    page = np.empty((H, W, 3), np.float32)
    for k in range(3):
        page[..., k] = paper[k] * grain
    del form_n, flocs
    # de-inked residue specks and coloured fibre bits, never within 2 mm of a sample box
    keep = [(b['x0'] - 2, b['y0'] - 2, b['x1'] + 2, b['y1'] + 2) for b in boxes]
    specks = []
    for _ in range(int(tex.poisson(14))):
        for _t in range(20):
            sx, sy = tex.uniform(8, PW - 8), tex.uniform(8, PH - 8)
            if not any(a <= sx <= c_ and bb <= sy <= d for a, bb, c_, d in keep):
                break
        else:
            continue
        if tex.random() < 0.6:
            r_ = tex.uniform(0.03, 0.1)
            cs = [circle(sx, sy, r_, n=12)]
            od = tex.uniform(0.2, 0.6) * np.array([1.0, 1.0, 0.95])
        else:
            a = tex.uniform(0, 180)
            L = tex.uniform(0.3, 1.0)
            cs = [rot(rect(-L / 2, -0.02, L / 2, 0.02), a) + [sx, sy]]
            od = tex.uniform(0.1, 0.3) * (np.array([0.2, 0.6, 1.0]) if tex.random() < 0.6 else np.array([0.1, 1.0, 0.7]))
        x0, y0 = int((sx - 1.5) * R), int((sy - 1.5) * R)
        cov = raster(cs, x0 / R, y0 / R, int(3 * R), int(3 * R), R)
        cov = ndimage.gaussian_filter(cov, 0.5)
        page[y0:y0 + cov.shape[0], x0:x0 + cov.shape[1]] *= (10 ** (-cov[..., None] * od)).astype(np.float32)
        specks.append(1)

    # stains in boxes (bg_not_white): a coffee ring or a pad-oil halo
    for b in boxes:
        if 'stain' not in b['d']:
            continue
        ix0, iy0, ix1, iy1 = b['in']
        rx = (ix1 - ix0) * tex.uniform(0.3, 0.42)
        ry = (iy1 - iy0) * tex.uniform(0.3, 0.42)
        cx = (ix0 + ix1) / 2 + tex.uniform(-0.1, 0.1) * (ix1 - ix0)
        cy = (iy0 + iy1) / 2 + tex.uniform(-0.08, 0.08) * (iy1 - iy0)
        x0, y0, x1, y1 = int(ix0 * R), int(iy0 * R), int(ix1 * R), int(iy1 * R)
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32) / R
        th = np.arctan2(yy - cy, xx - cx)
        wob = 1 + 0.06 * np.sin(3 * th + tex.uniform(0, 6)) + 0.04 * np.sin(5 * th + tex.uniform(0, 6))
        d = np.sqrt(((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2) / wob
        od_max = float(tex.uniform(0.17, 0.26))
        kind = 'coffee_ring' if tex.random() < 0.55 else 'oil_halo'
        if kind == 'coffee_ring':
            dens = 0.6 * (d < 1) + np.exp(-((d - 1) / 0.05) ** 2)
        else:
            dens = 1 / (1 + np.exp((d - 1) / 0.06))
        edge = np.minimum.reduce([xx - ix0, ix1 - xx, yy - iy0, iy1 - yy])
        shape_ = np.clip(dens, 0, 1) * np.clip((edge - 2.0) / 1.5, 0, 1)
        for _ in range(5):  # strengthened x 1.3 up to four times until a fifth of the box reads >= 0.1
            dens = shape_ * od_max
            if np.mean(dens[edge > 2] >= 0.1) >= 0.2 or _ == 4:
                break
            od_max *= 1.3
        ratio = np.array([0.35, 0.7, 1.0])
        page[y0:y1, x0:x1] *= (10 ** (-dens[..., None] * ratio)).astype(np.float32)
        area = float(np.mean(dens[(edge > 2)] >= 0.1))
        b['stain'] = dict(kind=kind, od_max=round(od_max, 3), area_od_0_1=round(area, 3))
        if area < 0.2:
            b['stain_weak'] = True

    # ---- the form: a carbonless CF ply, the top ply hit by a band printer
    under_items = []
    for b in boxes:
        if 'under' in b['d'] and not b['empty']:
            word = str(rng.choice(['公章', '（盖章）', '本公司', '年月日']))
            sz = float(rng.uniform(3.8, 5.0))
            ux = (b['x0'] + b['x1']) / 2 + float(rng.uniform(-6, 6))
            uy = (b['y0'] + b['y1']) / 2 + (b['y1'] - b['y0']) * float(rng.uniform(0.1, 0.2))
            c, wid = text_line(ff, word, ux, uy + sz * 0.35, sz, 'center')
            form.append(c)
            b['under'] = dict(word=word, x_mm=round(ux, 2), y_mm=round(uy, 2), size_mm=round(sz, 2))
            b['under_xy'] = (ux, uy)
    print_acc = np.zeros((H, W), np.int16)
    energy = np.ones((H, W), np.float32)
    for c in form:
        burn(print_acc, c, 0, 0, R)
    burn(print_acc, rules, 0, 0, R)
    pressure = (print_acc != 0).astype(np.float32)
    del print_acc
    # hammer energy: each printed line (5-mm band) its own, ± 12 %; rules drawn by the form's pre-print pass
    bands = 1 + 0.12 * tex.uniform(-1, 1, int(PH / 5) + 2)
    energy *= np.repeat(bands, int(5 * R))[:H, None].astype(np.float32)
    spread = float(rng.uniform(0.06, 0.12)) * R
    pressure = ndimage.gaussian_filter(pressure * energy, spread)
    del energy
    capsules = ndimage.gaussian_filter(tex.standard_normal((H // 2, W // 2)).astype(np.float32), 0.8)
    capsules = np.repeat(np.repeat(capsules / (capsules.std() + 1e-9), 2, 0), 2, 1)
    capsules = np.pad(capsules, ((0, H - capsules.shape[0]), (0, W - capsules.shape[1])), mode='edge')
    dev = 1 - np.exp(-3.2 * pressure * np.clip(1 + 0.18 * capsules, 0.3, 2))
    del capsules, pressure
    print_od = float(rng.uniform(0.85, 1.15))
    dye = np.array([1.0, 0.95, float(rng.uniform(0.6, 0.75))]) * print_od
    for k in range(3):
        page[..., k] *= np.power(10.0, -dev * dye[k]).astype(np.float32)
    del dev
    if tinted_strips:
        st_od = float(rng.uniform(0.05, 0.09))
        for x0, y0, x1, y1 in strip_rects:  # a light dye screen the band printer hammered in the caption strips
            sl = page[int(y0 * R) + 4:int(y1 * R) - 4, int(x0 * R) + 4:int(x1 * R) - 4]
            sl *= (10 ** (-st_od * dye / print_od)).astype(np.float32)

    # ---- impressions
    truth_boxes = []
    layers = []  # (box, m field window, flake t, b, x0px, y0px)
    for b in boxes:
        ix0, iy0, ix1, iy1 = b['in']
        bw, bh = ix1 - ix0, iy1 - iy0
        tb = dict(row=b['row'], col=b['col'], kind=b['kind'], empty=bool(b['empty']), defects=[], borderline=[])
        tb['inner_mm'] = [round(bw, 2), round(bh, 2)]
        if 'stain' in b['d'] or tinted_ply:
            if 'stain' in b['d'] and b.get('stain_weak') and not tinted_ply:
                tb['borderline'].append('bg_not_white')
            else:
                tb['defects'].append('bg_not_white')
            if 'stain' in b:
                tb['stain'] = b['stain']
        cx0, cy0 = (ix0 + ix1) / 2, (iy0 + iy1) / 2
        b['centre'] = (cx0, cy0)
        if b['empty']:
            tb['defects'].insert(0, 'empty')
            truth_boxes.append((b, tb, None))
            continue
        d = b['d']
        ang = float(rng.uniform(12, 28) * rng.choice([-1, 1])) if 'tilted' in d else float(rng.uniform(-2, 2))
        if b['kind'] == 'signature' and 'tilted' in d:
            ang = float(rng.uniform(-2, 2))
        # the face's contours about (0, 0)
        if b['kind'] == 'official_seal':
            D = float(rng.uniform(38.5, 44.5))
            rr = D / 2
            ring = float(rng.uniform(0.9, 1.5))
            cs = [circle(0, 0, rr), circle(0, 0, rr - ring, rev=True)]
            st_r = rr * float(rng.uniform(0.28, 0.33))
            pts = []
            for i in range(10):
                a = -math.pi / 2 + i * math.pi / 5
                q = st_r if i % 2 == 0 else st_r * 0.382
                pts.append((q * math.cos(a), q * math.sin(a)))
            cs.append(np.array(pts))
            n = len(firm)
            span = math.radians(float(rng.uniform(205, 250)))
            ch_h = D * float(rng.uniform(0.15, 0.18))
            rad = rr - ring - float(rng.uniform(0.8, 1.4)) - ch_h / 2
            step = span / max(n - 1, 1)
            ch_w = min(ch_h * float(rng.uniform(0.62, 0.82)), 0.86 * step * rad)
            for i, ch in enumerate(firm):
                a = -math.pi / 2 - span / 2 + i * step
                gx, gy = rad * math.cos(a), rad * math.sin(a)
                cs += glyph_fit(sf, ch, gx, gy, ch_w, ch_h, math.degrees(a) + 90)
            ext = rr
            tb['diameter_mm'] = round(D, 2)
            face_t = dict(kind='round', d=D)
        elif b['kind'] == 'legal_rep_seal':
            if rng.random() < 0.62:
                sw = sh = float(rng.uniform(15.5, 21.5))
            else:
                L = float(rng.uniform(18.6, 22.5))
                s2 = max(L / float(rng.uniform(1.2, 1.45)), 15.5)
                sw, sh = (L, s2) if rng.random() < 0.5 else (s2, L)
            fr = float(rng.uniform(0.6, 1.1))
            cs = [rect(-sw / 2, -sh / 2, sw / 2, sh / 2), rect(-sw / 2 + fr, -sh / 2 + fr, sw / 2 - fr, sh / 2 - fr)[::-1]]
            chars = person + ('之印' if len(person) == 2 else '印')
            iw, ih = sw - 2 * fr - 1.0, sh - 2 * fr - 1.0
            cwid, chei = iw / 2, ih / 2
            # right-to-left columns: right column top, bottom; left column top, bottom
            cells = [(1, 0), (1, 1), (0, 0), (0, 1)]
            for ch, (cc, rr_) in zip(chars, cells):
                gx = -iw / 2 + (cc + 0.5) * cwid
                gy = -ih / 2 + (rr_ + 0.5) * chei
                cs += glyph_fit(lf, ch, gx, gy, cwid * 0.88, chei * 0.88)
            ext = math.hypot(sw, sh) / 2
            tb['size_mm'] = [round(sw, 2), round(sh, 2)]
            face_t = dict(kind='rect', w=sw, h=sh)
        else:
            cell = float(rng.uniform(9, 12.5))
            adv = cell * float(rng.uniform(0.75, 0.95))
            shear = float(rng.uniform(6, 18))
            cs = []
            n = len(person if b['row'] == 2 else agent)
            name = person if b['row'] == 2 else agent
            for i, ch in enumerate(name):
                gx = (i - (n - 1) / 2) * adv
                gy = float(rng.uniform(-0.6, 0.6))
                cs += glyph_fit(gf, ch, gx, gy, cell * float(rng.uniform(0.75, 0.95)), cell * float(rng.uniform(0.85, 1.05)),
                                float(rng.uniform(-4, 4)), shear)
            ext = None
            face_t = dict(kind='sign')
        cs = [rot(c, ang) for c in cs]
        allp = np.vstack(cs)
        lo, hi = allp.min(0), allp.max(0)  # the turned face's extent about its centre
        # placement: within 2 mm of the centre while 0.5 mm inside; text under: onto the print; pushed: past a rule
        fx = cx0 + float(rng.uniform(-2, 2))
        fy = cy0 + float(rng.uniform(-2, 2))
        if 'under_xy' in b:
            ux, uy = b['under_xy']
            fx, fy = ux, uy
        fx = min(max(fx, ix0 + 0.8 - lo[0]), ix1 - 0.8 - hi[0])
        fy = min(max(fy, iy0 + 0.8 - lo[1]), iy1 - 0.8 - hi[1])
        off = None
        dbl = None
        if 'double' in d:
            dd = float(rng.uniform(0.9, 2.4))
            da = float(rng.uniform(0, 2 * math.pi))
            dbl = (dd * math.cos(da), dd * math.sin(da), float(rng.uniform(-1.5, 1.5)), float(rng.uniform(0.5, 0.9)))
            tb['double_offset_mm'] = round(dd, 2)
            fx = min(max(fx, ix0 + 0.8 - lo[0] - min(dbl[0], 0)), ix1 - 0.8 - hi[0] - max(dbl[0], 0))
            fy = min(max(fy, iy0 + 0.8 - lo[1] - min(dbl[1], 0)), iy1 - 0.8 - hi[1] - max(dbl[1], 0))
        if 'push' in d:
            push = float(rng.uniform(1.2, 3.0))
            sides = ['left', 'right'] if b['kind'] == 'signature' else ['left', 'right', 'top', 'bottom']
            side = str(rng.choice(sides))
            if side == 'left':
                fx = ix0 - push - lo[0]
            elif side == 'right':
                fx = ix1 + push - hi[0]
            elif side == 'top':
                fy = iy0 - push - lo[1]
            else:
                fy = iy1 + push - hi[1]
            tb['push_mm'] = round(push, 2)
            tb['push_side'] = side
        tb['tilt_deg'] = round(ang, 2)
        # window on the render grid: the box + 6 mm
        wx0, wy0 = int((b['x0'] - 6) * R), int((b['y0'] - 6) * R)
        wx1, wy1 = int((b['x1'] + 6) * R), int((b['y1'] + 6) * R)
        ww, wh = wx1 - wx0, wy1 - wy0
        ox, oy = wx0 / R, wy0 / R
        cov = raster([c + [fx, fy] for c in cs], ox, oy, ww, wh, R)
        presses = [cov]
        # the pad's sedimented mottle (only thinning) and the contact
        sm = (int(wh / R * 4) + 2, int(ww / R * 4) + 2)
        mot = ndimage.gaussian_filter(tex.standard_normal(sm).astype(np.float32), float(rng.uniform(3, 8)))
        mot = (mot - mot.min()) / (mot.max() - mot.min() + 1e-9)
        mot = ndimage.zoom(mot, (wh / sm[0], ww / sm[1]), order=1)
        mot = np.pad(mot, ((0, max(0, wh - mot.shape[0])), (0, max(0, ww - mot.shape[1]))), mode='edge')[:wh, :ww]
        thin = float(rng.uniform(0.04, 0.12))
        field = cov * (1 - thin * mot) * (1 - 0.08 * tex.random((wh, ww)).astype(np.float32))
        mask = cov.copy()
        if dbl is not None:
            cs2 = [rot(c, dbl[2]) + [fx + dbl[0], fy + dbl[1]] for c in cs]
            cov2 = raster(cs2, ox, oy, ww, wh, R)
            field = field + dbl[3] * cov2 * (1 - thin * mot[::-1, ::-1])
            mask = np.maximum(mask, cov2)
            presses.append(cov2)
        lost = None
        if 'smudged' in d and b['kind'] != 'signature':
            L = float(rng.uniform(0.8, 1.3))
            a = float(rng.uniform(0, 2 * math.pi))
            stay = float(rng.uniform(0.5, 0.65))
            nstep = max(2, int(L * R * 2))
            acc = np.zeros_like(field)
            wsum = 0.0
            tr = np.zeros_like(mask)
            wend = float(rng.uniform(0.25, 0.45))
            for i in range(1, nstep + 1):
                f = i / nstep
                wgt = 1 - (1 - wend) * f
                sh = (f * L * R * math.sin(a), f * L * R * math.cos(a))
                acc += wgt * ndimage.shift(field, sh, order=1)
                tr = np.maximum(tr, ndimage.shift(mask, sh, order=1))
                wsum += wgt
            field = stay * field + (1 - stay) * acc / wsum
            mask = np.maximum(mask, tr)
            tb['smear_mm'] = round(L, 2)
            tb['smear_deg'] = round(math.degrees(a), 1)
            presses.append(tr)
        uncut = mask.copy()
        if 'broken' in d and b['kind'] != 'signature':
            a = float(rng.uniform(0, 2 * math.pi))
            yy, xx = np.mgrid[0:wh, 0:ww].astype(np.float32) / R
            plane = xx * math.cos(a) + yy * math.sin(a)
            nz = ndimage.gaussian_filter(tex.standard_normal((wh // 4 + 1, ww // 4 + 1)).astype(np.float32), 0.6 * R / 4)
            nz = np.repeat(np.repeat(nz / (nz.std() + 1e-9), 4, 0), 4, 1)[:wh, :ww]
            plane = plane + 0.3 * nz
            lost = float(rng.uniform(0.18, 0.3))
            inkp = plane[mask > 0.5]
            cut = float(np.quantile(inkp, 1 - lost))
            fadew = float(rng.uniform(0.3, 0.7))
            fade = np.clip((cut - plane) / fadew + 0.5, 0, 1)
            field = field * fade
            mask = mask * (fade >= 0.5)
            tb['lost'] = round(lost, 3)
        # overlap_line from the drawn ink (render grid) against the inner edges, ± 0.3 mm
        def reach(mk):
            ys, xs = np.nonzero(mk >= 0.5)
            if len(xs) == 0:
                return -99.0
            X = (xs + 0.5) / R + ox
            Y = (ys + 0.5) / R + oy
            return float(max(ix0 - X.min(), X.max() - ix1, iy0 - Y.min(), Y.max() - iy1))
        rch = reach(mask)
        tb['reach_mm'] = round(rch, 3)
        if rch > 0.3:
            tb['defects'].append('overlap_line')
        elif rch >= -0.3:
            tb['borderline'].append('overlap_line')
        elif lost is not None and reach(uncut) >= -0.3:
            tb['borderline'].append('overlap_line')
        # ink
        Sp = np.full(3, white)  # the ink's hue and strength against a neutral paper of the sheet's white
        if b['kind'] == 'signature':
            pen = str(rng.choice(['black', 'blue-black', 'blue'], p=[0.4, 0.35, 0.25]))
            t = np.array({'black': (0.05, 0.05, 0.07), 'blue-black': (0.08, 0.12, 0.3), 'blue': (0.15, 0.25, 0.7)}[pen])
            t = np.clip(t * float(rng.uniform(0.9, 1.1)), 0.01, 0.95)
            fb = np.array([0.01, 0.01, 0.015])
            passed = float(rng.uniform(0.35, 0.6)) if 'pale' in d else float(rng.uniform(0.06, 0.16))
            tb['pen'] = pen
            pres = ndimage.gaussian_filter(tex.random((wh, ww)).astype(np.float32), 0.4 * R)
            pres = (pres - pres.min()) / (pres.max() - pres.min() + 1e-9)
            field = field * (1 - float(rng.uniform(0.05, 0.15)) * pres)
        else:
            if 'off_color' in d:
                way = str(rng.choice(['orange', 'purple']))
                want = float(rng.uniform(20, 32)) * (1 if way == 'orange' else -1)
                tb['off_way'] = way
            else:
                want = float(rng.uniform(-3, 3))
            passed = float(rng.uniform(0.32, 0.6)) if 'pale' in d else float(rng.uniform(0.05, 0.13))
            st = rng.bit_generator.state
            t, fb, h = seal_ink(rng, Sp, want, 3.0)
            for _ in range(2):  # the hue at the film actually laid (the same draws each round)
                rng.bit_generator.state = st
                t, fb, h = seal_ink(rng, Sp, want, solve_m(passed, Sp, t, fb))
        m0 = solve_m(passed, Sp, t, fb)
        hs = [hue_deg(srgb(flakes(Sp, m0 * f, t, fb))) for f in (0.5, 0.8, 1.0)]
        if b['kind'] != 'signature':
            if 'off_color' in d:
                if min(abs(x) for x in hs) < 16 or max(abs(x) for x in hs) > 55:
                    tb['borderline'].append('off_color')
                else:
                    tb['defects'].append('off_color')
            elif max(abs(x) for x in hs) > 7.5:
                tb['borderline'].append('off_color')
            tb['hue_deg'] = round(hs[-1], 2)
        tb['passed'] = round(passed, 3)
        tb['flake_t'] = [round(float(x), 4) for x in t]
        if 'pale' in d:
            tb['defects'].append('pale')
        for k, name in (('broken', 'broken'), ('double', 'double'), ('smudged', 'smudged')):
            if k in d and (b['kind'] != 'signature' or k == 'double'):
                tb['defects'].append(name)
        if abs(ang) > 5:
            tb['defects'].append('tilted')
        if 'under' in b and 'under_xy' in b:
            # the print must lie under the drawn ink
            ux, uy = b['under_xy']
            lx, ly = rot(np.array([[ux - fx, uy - fy]]), -ang)[0]
            if face_t['kind'] == 'round':
                inside_face = math.hypot(lx, ly) < face_t['d'] / 2 - 2.0
            else:
                inside_face = abs(lx) < face_t['w'] / 2 - 1.0 and abs(ly) < face_t['h'] / 2 - 1.0
            if inside_face:
                tb['defects'].append('text_under')
            else:
                tb['borderline'].append('text_under')
            tb['under'] = b['under']
        layers.append((wx0, wy0, field.astype(np.float32) * np.float32(m0), t, fb))
        truth_boxes.append((b, tb, dict(mask=mask.astype(np.float32), wx0=wx0, wy0=wy0)))
    for wx0, wy0, mf, t, fb in layers:
        hh, ww = mf.shape
        sl = page[wy0:wy0 + hh, wx0:wx0 + ww]
        for k in range(3):
            S = sl[..., k]
            sl[..., k] = S * np.exp(-mf * (1 - t[k] ** 2)) + fb[k] * (1 - np.exp(-mf))

    # ---- capture: an overhead planetary scanner (line sensor, rotating mirror), DjVu archive
    cap = {}
    ppo = dpi / 25.4
    margin = float(rng.uniform(1.0, 3.0))
    OW, OH = int(round((PW + 2 * margin) * ppo)), int(round((PH + 2 * margin) * ppo))
    phi = float(rng.normal(0, 0.4)) if rng.random() < 0.5 else float(rng.uniform(0.3, 1.6) * rng.choice([-1, 1]))
    shx, shy = float(rng.uniform(-1, 1)), float(rng.uniform(-1, 1))
    Hcam = float(rng.uniform(420, 600))
    dh = float(rng.uniform(-3, 3))
    under_glass = rng.random() < 0.5
    curl_a = 0.0 if under_glass else float(rng.uniform(1.0, 4.0))
    curl_l = float(rng.uniform(15, 30))
    curl_edge = str(rng.choice(['top', 'bottom', 'left', 'right']))
    cockle = 0.0 if under_glass else float(rng.uniform(0.2, 0.6))
    ck_wl = float(rng.uniform(40, 70))
    ck_ph = (float(rng.uniform(0, 6.3)), float(rng.uniform(0, 6.3)))
    k1 = float(rng.uniform(-0.003, 0.003))
    mir_a = float(rng.uniform(0.02, 0.08))
    mir_p = float(rng.uniform(10, 40))
    mir_ph = float(rng.uniform(0, 6.3))
    cap.update(device='overhead planetary line-scan scanner', phi_deg=round(phi, 3), camera_mm=round(Hcam, 1),
               height_error_mm=round(dh, 2), under_glass=bool(under_glass), curl_mm=round(curl_a, 2),
               curl_edge=curl_edge, cockle_mm=round(cockle, 2), k1=round(k1, 5), mirror_ripple_mm=round(mir_a, 3))
    ca_, sa_ = math.cos(math.radians(phi)), math.sin(math.radians(phi))
    axc = (PW / 2 + float(rng.uniform(-10, 10)), PH / 2 + float(rng.uniform(-10, 10)))

    def forward(X, Y):
        """Page mm -> delivered mm (inside the output window, origin at its corner)."""
        if curl_a > 0:
            dist = {'top': Y, 'bottom': PH - Y, 'left': X, 'right': PW - X}[curl_edge]
            z = curl_a * np.exp(-np.clip(dist, 0, None) / curl_l)
        else:
            z = 0.0
        z = z + cockle * np.sin(2 * np.pi * X / ck_wl + ck_ph[0]) * np.sin(2 * np.pi * Y / ck_wl + ck_ph[1])
        dx, dy = X - PW / 2, Y - PH / 2
        x = PW / 2 + dx * ca_ - dy * sa_ + shx
        y = PH / 2 + dx * sa_ + dy * ca_ + shy
        s = Hcam / (Hcam + dh - z)
        x = axc[0] + (x - axc[0]) * s
        y = axc[1] + (y - axc[1]) * s
        u = (x - axc[0]) / (PW / 2)
        x = x + k1 * (x - axc[0]) * u * u
        y = y + mir_a * np.sin(2 * np.pi * y / mir_p + mir_ph)
        return x + margin, y + margin

    def inverse(x, y):
        X, Y = x - margin, y - margin
        for _ in range(4):
            fx_, fy_ = forward(X, Y)
            X = X - (fx_ - x)
            Y = Y - (fy_ - y)
        return X, Y

    x1_, y1_ = forward(np.array(40.0), np.array(PH / 2))
    x2_, y2_ = forward(np.array(170.0), np.array(PH / 2))
    skew = math.degrees(math.atan2(float(y2_ - y1_), float(x2_ - x1_)))
    optic = float(rng.uniform(0.03, 0.06))
    ratio = R / ppo
    sig = math.sqrt((0.42 * ratio if ratio > 1 else 0.35) ** 2 + (optic * R) ** 2)
    for k in range(3):
        page[..., k] = ndimage.gaussian_filter(page[..., k], sig)
    backing = float(rng.uniform(0.08, 0.16))
    lamp = float(rng.uniform(0.02, 0.05))
    prnu = 1 + float(rng.uniform(0.003, 0.008)) * tex.standard_normal((OW, 3)).astype(np.float32)
    full = float(rng.uniform(8000, 25000))
    readn = float(rng.uniform(2, 6))
    out = np.empty((OH, OW, 3), np.float32)
    xs = (np.arange(OW, dtype=np.float64) + 0.5) / ppo
    lampx = 1 - lamp * (1 - np.cos(np.pi * (xs / (PW + 2 * margin) - 0.5)) ** 2)
    for r0 in range(0, OH, 512):
        r1 = min(OH, r0 + 512)
        ys = (np.arange(r0, r1, dtype=np.float64) + 0.5) / ppo
        XX, YY = np.meshgrid(xs, ys)
        PX, PY = inverse(XX, YY)
        inside = (PX >= 0) & (PX <= PW) & (PY >= 0) & (PY <= PH)
        cr = PY * R - 0.5
        cc = PX * R - 0.5
        for k in range(3):
            v = ndimage.map_coordinates(page[..., k], [cr, cc], order=1, mode='nearest')
            out[r0:r1, :, k] = np.where(inside, v, backing)
        # the line's lamp fall-off, each column's photo-response (streaks along the sweep), shot and read noise
        blk = out[r0:r1] * (lampx[None, :, None] * prnu[None, :, :]).astype(np.float32)
        e = np.clip(blk, 0, None) * full
        e = e + np.sqrt(e + readn * readn) * tex.standard_normal(e.shape, dtype=np.float32)
        out[r0:r1] = np.round(np.clip(e / full, 0, 1) * 4095) / 4095
    del page
    if rng.random() < 0.5:
        wp = float(np.percentile(out[::7, ::7, 1], 90)) / float(rng.uniform(0.93, 0.98))
        cap['white'] = 'histogram'
    else:
        wp = float(rng.uniform(0.97, 1.02)) * 0.92
        cap['white'] = 'fixed'
    bp = float(rng.uniform(0.005, 0.025))
    out8 = np.empty((OH, OW, 3), np.uint8)
    for r0 in range(0, OH, 512):
        blk = np.clip((out[r0:r0 + 512] / np.float32(wp) - np.float32(bp)) / np.float32(1 - bp), 0, 1)
        out8[r0:r0 + 512] = (srgb(blk) * 255 + 0.5).astype(np.uint8)
    del out, blk
    out = out8
    # the archive: DjVu IW44 (c44), read back by ddjvu
    with tempfile.TemporaryDirectory() as td:
        Image.fromarray(out).save(os.path.join(td, 'a.ppm'))
        del out
        slices = str(int(rng.choice([72, 80, 88, 97])))
        cap['djvu_slices'] = int(slices)
        subprocess.run(['c44', '-slice', slices, '-dpi', str(dpi), os.path.join(td, 'a.ppm'), os.path.join(td, 'a.djvu')],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(['ddjvu', '-format=ppm', os.path.join(td, 'a.djvu'), os.path.join(td, 'b.ppm')], check=True)
        img = Image.open(os.path.join(td, 'b.ppm')).convert('RGB')
        img.load()
    if img.size != (OW, OH):
        raise SystemExit('planetary: ddjvu gave %s, wanted %s' % (img.size, (OW, OH)))
    stem = '%03d' % index
    fmt = str(rng.choice(['png', 'jpg', 'tif'], p=[0.4, 0.35, 0.25]))
    in_file = bool(rng.random() < 0.7)
    kw = {'dpi': (dpi, dpi)} if in_file else {}
    if fmt == 'jpg':
        q = int(rng.integers(80, 93))
        sub = int(rng.choice([2, 1, 0], p=[0.6, 0.25, 0.15]))
        img.save(os.path.join(outdir, stem + '.jpg'), quality=q, subsampling=sub, **kw)
        cap['export'] = 'jpeg q%d sub%d' % (q, sub)
    elif fmt == 'tif':
        comp = str(rng.choice(['tiff_lzw', 'tiff_adobe_deflate']))
        img.save(os.path.join(outdir, stem + '.tif'), compression=comp, **kw)
        cap['export'] = comp
    else:
        img.save(os.path.join(outdir, stem + '.png'), **kw)
        cap['export'] = 'png'

    # ---- masks through the same map
    jb = []
    for b, tb, mk in truth_boxes:
        cxm, cym = b['centre']
        bx, by = forward(np.array(cxm), np.array(cym))
        tb['box_centre_px'] = [round(float(bx) * ppo, 1), round(float(by) * ppo, 1)]
        if mk is not None:
            m = mk['mask']
            if sig > 0:
                m = ndimage.gaussian_filter(m, sig)
            hh, ww = m.shape
            corners = [forward(np.array((mk['wx0'] + a) / R), np.array((mk['wy0'] + c_) / R)) for a in (0, ww) for c_ in (0, hh)]
            cx_ = [float(p[0]) * ppo for p in corners]
            cy_ = [float(p[1]) * ppo for p in corners]
            u0, u1 = max(int(min(cx_)) - 2, 0), min(int(max(cx_)) + 3, OW)
            v0, v1 = max(int(min(cy_)) - 2, 0), min(int(max(cy_)) + 3, OH)
            XX, YY = np.meshgrid((np.arange(u0, u1) + 0.5) / ppo, (np.arange(v0, v1) + 0.5) / ppo)
            PX, PY = inverse(XX, YY)
            v = ndimage.map_coordinates(m, [PY * R - 0.5 - mk['wy0'], PX * R - 0.5 - mk['wx0']], order=1, cval=0.0)
            mm = v >= 0.5
            ys, xs_ = np.nonzero(mm)
            if len(xs_) == 0:
                raise SystemExit('planetary: empty mask for a drawn impression')
            a0, a1, c0, c1 = ys.min(), ys.max() + 1, xs_.min(), xs_.max() + 1
            name = '%s.r%dc%d.mask.png' % (stem, tb['row'], tb['col'])
            Image.fromarray((mm[a0:a1, c0:c1] * 255).astype(np.uint8)).save(os.path.join(outdir, name))
            tb['mask'] = name
            tb['mask_offset'] = [int(u0 + c0), int(v0 + a0)]
        tb['defects'] = [x for x in tb['defects'] if x not in tb['borderline']]
        jb.append(tb)
    truth = dict(maker='planetary', seed=seed, dpi=dpi, dpi_in_file=in_file, skew_deg=round(skew, 3),
                 file=stem + '.' + fmt, layout='bjca-nmg 采样表 (two 87-mm columns)', firm=firm, person=person,
                 agent=agent, seal_face=os.path.basename(F_SEAL), legal_face=os.path.basename(lf.path),
                 sign_face=os.path.basename(gf.path), line_mm=round(line_mm, 3), render_px_per_mm=R,
                 tinted_ply=ply, strips=bool(tinted_strips), print_od=round(print_od, 3), capture=cap, boxes=jb)
    with open(os.path.join(outdir, stem + '.truth.json'), 'w', encoding='utf-8') as f:
        json.dump(truth, f, ensure_ascii=False, indent=1)


if __name__ == '__main__':
    main()
