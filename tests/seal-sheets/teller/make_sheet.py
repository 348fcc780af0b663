#!/usr/bin/python3
# Maker Q (teller/, issue 76): a seal collection sheet drawn by GDAL's polygon rasteriser (OGR
# polygons burnt with MERGE_ALG=ADD of each contour's winding sign, so the non-zero rule is exact),
# on fontTools outlines of Sawarabi Mincho, Baekmuk Batang / Dotum, Motoya L Cedar and the Kouzan
# brush faces; the form (netca-ln-procurement's seal-application 3/8) printed by a direct-thermal A4
# printer on coated thermal paper (a coating / calendering model with specks); ink as a Hapke
# particulate layer over the paper; captured by a bank teller's sheet-fed document scanner whose
# software stores JPEG 2000 (openjpeg) and exports PNG / TIFF / JPEG.
#   make_sheet.py SEED OUTDIR INDEX       (SEAL_SHEET_DPI overrides the resolution after every draw)
import sys, os, json, math, subprocess, tempfile, shutil
import numpy as np
from scipy import ndimage
from PIL import Image
from osgeo import gdal, ogr
from fontTools.ttLib import TTFont
from fontTools.pens.basePen import BasePen
import logging
logging.getLogger('fontTools').setLevel(logging.ERROR)

gdal.UseExceptions()
gdal.PushErrorHandler('CPLQuietErrorHandler')
gdal.SetConfigOption('GDAL_NUM_THREADS', '1')

SEED, OUT, INDEX = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
rng = np.random.Generator(np.random.PCG64(SEED))
nrng = np.random.Generator(np.random.PCG64([SEED, 1]))   # textures and noise: arrays whose size follows the resolution
U = lambda a, b: float(rng.uniform(a, b))
def pick(seq, p=None):
    return seq[int(rng.choice(len(seq), p=p))]

FONTS = {
    'saw': '/usr/share/fonts/truetype/sawarabi-mincho/sawarabi-mincho-medium.ttf',
    'bat': '/usr/share/fonts/truetype/baekmuk/batang.ttf',
    'dot': '/usr/share/fonts/truetype/baekmuk/dotum.ttf',
    'ced': '/usr/share/fonts/truetype/motoya-l-cedar/MTLc3m.ttf',
    'kgy': '/usr/share/fonts/truetype/kouzan-mouhitsu/kouzan-mouhitsu-gyosho.ttf',
    'kso': '/usr/share/fonts/truetype/kouzan-mouhitsu/KouzanBrushFontSousyo.ttf',
}
_font = {}
def font(k):
    if k not in _font:
        t = TTFont(FONTS[k], fontNumber=0, lazy=True)
        _font[k] = (t, t.getBestCmap(), t.getGlyphSet(), t['head'].unitsPerEm)
    return _font[k]

# ---------------------------------------------------------------- words, checked against every face
PLACES = "北京 天津 上海 重庆 河北 山西 内蒙古 吉林 江西 山东 河南 湖北 湖南 广西 海南 四川 云南 西安 成都 杭州 南京 武汉 长沙 大连 青岛 合肥 福州 昆明 太原 石家庄 呼和浩特 深圳 佛山 宁波 温州 金华 台州 嘉兴 湖州 泉州 洛阳 宜昌 岳阳 桂林 北海 大理 玉溪 延安 宝鸡 西宁 大同 吉安 安庆 徐州 泰州 日照 德州 保定 秦皇岛 承德 本溪 四平 松原 白山 大庆 牡丹江".split()
CORES = "金泰 恒通 天成 永安 新华 中和 嘉禾 长城 东方 光明 正大 安泰 富源 三和 万通 福田 大成 和平 信达 国泰 海天 山河 青松 白云 金石 玉泉 松林 文昌 元亨 利民 泰和 同心 方圆 博雅 朝阳 星火 北辰 南山 西湖 东海 清泉 和田 鼎盛 宝丰 吉祥 如意 安康 惠民 聚源 福星 通达 立信 建华 新民 平安 天和 地利 人和 大地 长江 黄河 泰山 华山 江南 江北 海岸".split()
TRADES = "科技 建筑 工程 建设 信息 物流 机械 化工 医药 食品 服装 印刷 包装 广告 文化 传媒 教育 管理 投资 能源 电力 石油 材料 园林 装饰 家具 汽车 酒店 旅游 商务 药业 水产 五金 照明 设计 置业 物业 保安 人力 资源 金属 木业 茶业 米业 乳业".split()
SUFFIX = "有限公司 合作社 中心 研究所 事务所 商行".split()
SURN = "王 李 张 刘 陈 杨 黄 周 徐 胡 朱 高 林 何 郭 梁 宋 唐 于 董 程 曹 傅 沈 曾 彭 蒋 丁 魏 叶 余 潘 杜 戴 夏 汪 田 任 姜 范 方 石 谭 廖 金 孔 白 崔 康 毛 秦 江 史 侯 孟 万 段 雷 尹 易 常 武 文".split()
GIVEN = "伟 芳 敏 静 丽 洋 勇 杰 涛 明 超 秀英 霞 平 桂英 华 建华 建国 国强 志强 志明 海燕 秀兰 玉兰 文 斌 宇 浩 林 梅 玲 丹 雪 琳 晨 欣 悦 佳 雨 博 俊 健 新 春 冬 秋 兵 成 云 山 峰 海 波 清 正 光 福 生 永 忠 仁 智 信 安 泰 和 喜 学 民 中 昌 盛".split()
FORM_WORDS = ["公章、法人章及署名采集表", "(3/8)", "公司名称:", "印章管理人:", "手机:", "公章采集 (采集三次, 居中)",
              "法人印章采集 (采集三次, 居中)", "法定代表人署名采集 (署名三次, 字迹清晰)", "使用人署名采集 (署名三次, 字迹清晰)",
              "CA 客服受理人:", "日期:", "年", "月", "日", "注: 印章居中, 字迹清晰, 勿出格。", "公章", "印章", "(印)", "本公司", "年 月 日", "之印", "印"]

def carried(word, faces):
    for k in faces:
        cm = font(k)[1]
        if any(ord(c) not in cm for c in word if not c.isspace()):
            return False
    return True

SEAL_FACES = ['saw', 'bat']            # 公章
LEGAL_FACES = ['saw', 'bat', 'dot']    # 法人章
SIGN_FACES = ['kgy', 'kso']            # signatures (brush pen)
FORM_FACES = ['ced', 'saw']            # the printed form
for w in FORM_WORDS:
    if not carried(w, FORM_FACES):
        raise SystemExit("teller: a form word is not carried by its faces: " + w)
PLACES = [w for w in PLACES if carried(w, SEAL_FACES)]
CORES = [w for w in CORES if carried(w, SEAL_FACES)]
TRADES = [w for w in TRADES if carried(w, SEAL_FACES)]
SUFFIX = [w for w in SUFFIX if carried(w, SEAL_FACES)]
SURN = [w for w in SURN if carried(w, LEGAL_FACES + SIGN_FACES)]
GIVEN = [w for w in GIVEN if carried(w, LEGAL_FACES + SIGN_FACES)]
if min(len(PLACES), len(CORES), len(TRADES), len(SUFFIX), len(SURN), len(GIVEN)) < 3:
    raise SystemExit("teller: too few words carried by the faces")

# ---------------------------------------------------------------- outlines
class FlatPen(BasePen):
    def __init__(self, gs):
        super().__init__(gs); self.cs = []; self.cur = None
    def _moveTo(self, p):
        self.cur = [p]; self.cs.append(self.cur)
    def _lineTo(self, p):
        self.cur.append(p)
    def _curveToOne(self, p1, p2, p3):
        p0 = np.array(self.cur[-1]); t = np.linspace(0, 1, 7)[1:, None]
        pts = (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * np.array(p1) + 3 * (1 - t) * t * t * np.array(p2) + t ** 3 * np.array(p3)
        self.cur.extend(map(tuple, pts))
    def _qCurveToOne(self, p1, p2):
        p0 = np.array(self.cur[-1]); t = np.linspace(0, 1, 6)[1:, None]
        pts = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * np.array(p1) + t * t * np.array(p2)
        self.cur.extend(map(tuple, pts))
    def _closePath(self): pass
    def _endPath(self): pass

_glyph = {}
def glyph(face, ch):
    """Contours of ch in em units, y down, and the ink box (x0, y0, x1, y1)."""
    key = (face, ch)
    if key not in _glyph:
        t, cm, gs, upm = font(face)
        if ord(ch) not in cm:
            raise SystemExit("teller: face %s lacks %r" % (face, ch))
        pen = FlatPen(gs); gs[cm[ord(ch)]].draw(pen)
        cs = [np.array(c, float) * np.array([1, -1]) / upm for c in pen.cs if len(c) >= 3]
        if cs:
            a = np.concatenate(cs); box = (a[:, 0].min(), a[:, 1].min(), a[:, 0].max(), a[:, 1].max())
        else:
            box = (0, 0, 0, 0)
        _glyph[key] = (cs, box)
    return _glyph[key]

def rot(pts, deg):
    a = math.radians(deg); c, s = math.cos(a), math.sin(a)
    return np.stack([pts[:, 0] * c - pts[:, 1] * s, pts[:, 0] * s + pts[:, 1] * c], 1)

def glyph_in_cell(face, ch, w, h, centre, deg=0.0, shear=0.0):
    """ch's ink box stretched to w × h mm, sheared, turned by deg, centred at centre (mm)."""
    cs, (x0, y0, x1, y1) = glyph(face, ch)
    out = []
    for c in cs:
        p = np.stack([(c[:, 0] - (x0 + x1) / 2) / max(x1 - x0, 1e-6) * w, (c[:, 1] - (y0 + y1) / 2) / max(y1 - y0, 1e-6) * h], 1)
        p[:, 0] -= p[:, 1] * shear
        out.append(rot(p, deg) + centre)
    return out

def text_run(face, s, size, x, y, align='left'):
    """A line of text at size mm (em), baseline at y, set by advance widths."""
    t, cm, gs, upm = font(face)
    hm = t['hmtx']
    adv = [(hm[cm[ord(c)]][0] / upm if ord(c) in cm else 0.5) for c in s]
    tot = sum(adv) * size
    if align == 'center': x -= tot / 2
    if align == 'right': x -= tot
    out = []
    for c, a in zip(s, adv):
        if not c.isspace():
            cs, _ = glyph(face, c)
            out += [p * size + np.array([x, y]) for p in cs]
        x += a * size
    return out

def circle(cx, cy, r, n=None, ccw=False):
    n = n or max(64, int(r * 40))
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    if ccw: t = -t
    return np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], 1)

def rect(x0, y0, x1, y1, rev=False):
    p = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], float)
    return p[::-1].copy() if rev else p

# ---------------------------------------------------------------- GDAL rasteriser
def fill(polys, ox, oy, W, H, px, ss=3):
    """Coverage (H × W, float32) of polygons given in mm, on a grid of px pixels a mm whose
    pixel (0, 0) has its corner at (ox, oy) mm; ss × ss samples a pixel, non-zero winding."""
    if W <= 0 or H <= 0:
        return np.zeros((max(H, 0), max(W, 0)), np.float32)
    ds = gdal.GetDriverByName('MEM').Create('', W * ss, H * ss, 1, gdal.GDT_Int16)
    ds.SetGeoTransform((0, 1, 0, 0, 0, 1))
    src = ogr.GetDriverByName('Memory').CreateDataSource('m')
    lyr = src.CreateLayer('p', geom_type=ogr.wkbPolygon)
    lyr.CreateField(ogr.FieldDefn('w', ogr.OFTInteger))
    k = px * ss
    n = 0
    for c in polys:
        q = (c - np.array([ox, oy])) * k
        if q[:, 0].max() < 0 or q[:, 1].max() < 0 or q[:, 0].min() > W * ss or q[:, 1].min() > H * ss:
            continue
        a = 0.5 * np.sum(q[:, 0] * np.roll(q[:, 1], -1) - np.roll(q[:, 0], -1) * q[:, 1])
        if abs(a) < 1e-6:
            continue
        q = np.vstack([q, q[:1]])
        wkt = 'POLYGON((' + ','.join('%.3f %.3f' % (x, y) for x, y in q) + '))'
        f = ogr.Feature(lyr.GetLayerDefn()); f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        f.SetField('w', 1 if a > 0 else -1); lyr.CreateFeature(f); n += 1
    if n == 0:
        return np.zeros((H, W), np.float32)
    gdal.RasterizeLayer(ds, [1], lyr, options=['ATTRIBUTE=w', 'MERGE_ALG=ADD'])
    a = ds.GetRasterBand(1).ReadAsArray() != 0
    return a.reshape(H, ss, W, ss).mean((1, 3)).astype(np.float32)

# ---------------------------------------------------------------- the sheet's draws
dpi = int(pick([150, 200, 300, 400, 600], [0.10, 0.20, 0.50, 0.12, 0.08]))
PAGE_W, PAGE_H = 210.0, 297.0
place = pick(PLACES); core = pick(CORES); trade = pick(TRADES); suffix = pick(SUFFIX, None)
firm = place + core + trade + suffix
if len(firm) > 16:
    firm = place + core + suffix
surname = pick(SURN)
given = pick(GIVEN)
if rng.random() < 0.45 and len(given) == 1:
    g2 = pick(GIVEN)
    if len(g2) == 1: given = given + g2
person = surname + given
seal_face = 'saw' if rng.random() < 0.6 else 'bat'
legal_face_k = pick(LEGAL_FACES, [0.4, 0.3, 0.3])
sign_face = 'kgy' if rng.random() < 0.65 else 'kso'
seal_D = U(38.5, 44.5)
seal_ring = U(0.9, 1.5)
seal_inner = rng.random() < 0.15
seal_code = rng.random() < 0.45
seal_span = U(205, 250)
seal_chh = U(0.15, 0.18) * seal_D
seal_star = U(0.28, 0.33)
seal_gap = U(0.8, 1.4)
code_digits = ''.join(str(int(d)) for d in rng.integers(0, 10, 13))
lshape = 'square' if rng.random() < 0.62 else ('standing' if rng.random() < 0.5 else 'lying')
if lshape == 'square':
    lw = lh = U(15.5, 21.5)
else:
    L = U(18.6, 22.5); r_ = U(1.2, min(1.45, L / 15.5))   # the short side stays 15.5 mm or more
    lw, lh = (L / r_, L) if lshape == 'standing' else (L, L / r_)
lframe = U(0.6, 1.1)
lyin = rng.random() < 0.22
zhi = rng.random() < 0.5      # a two-character name: + 之印 in 2 x 2, else + 印 filling the left column
line_mm = U(0.2, 0.42)
outer_mult = U(1.5, 2.0) if rng.random() < 0.3 else 1.0
tx, ty = U(-2, 2), U(-2, 2)
strips = rng.random() < 0.4
strip_tint = U(0.12, 0.2)
tinted = rng.random() < 0.05

# layout: netca-ln-procurement seal-application (3/8), three columns of 58 mm
X0 = 18.0 + tx
Y_TITLE = 24.0 + ty
T1 = 30.0 + ty
T2 = T1 + 18 + 4
ROWS = [('official_seal', 46), ('legal_rep_seal', 36), ('signature', 30), ('signature', 30)]
CAPS = ["公章采集 (采集三次, 居中)", "法人印章采集 (采集三次, 居中)", "法定代表人署名采集 (署名三次, 字迹清晰)", "使用人署名采集 (署名三次, 字迹清晰)"]
boxes = []
y = T2
hlines = [T2]
strip_rects = []
for r, (kind, h) in enumerate(ROWS):
    strip_rects.append((X0, y, X0 + 174, y + 8, CAPS[r]))
    y += 8; hlines.append(y)
    for c in range(3):
        boxes.append(dict(row=r, col=c, kind=kind, x0=X0 + 58 * c, y0=y, x1=X0 + 58 * (c + 1), y1=y + h))
    y += h; hlines.append(y)
T2_END = y
T3 = T2_END + 4

def inner(b):
    hw = line_mm / 2
    return (b['x0'] + hw, b['y0'] + hw, b['x1'] - hw, b['y1'] - hw)

# ---- defects
SEAL_DEF = ['double', 'smudged', 'broken', 'pale', 'off_color', 'tilted', 'over', 'stain', 'under']
SEAL_P = np.array([13, 13, 13, 12, 11, 13, 10, 7, 9], float); SEAL_P /= SEAL_P.sum()
SECOND = ['tilted', 'stain', 'under', 'over', 'double', 'pale']
def compatible(a, b):
    bad = [{'double', 'smudged'}, {'double', 'broken'}, {'pale', 'off_color'}, {'pale', 'double'}]
    return a != b and {a, b} not in bad
for b in boxes:
    d = set()
    if b['kind'] == 'signature':
        b['empty'] = rng.random() < 0.06
        if not b['empty']:
            if rng.random() < 0.13: d.add('over')
            if rng.random() < 0.07: d.add('pale')
        if rng.random() < 0.08: d.add('stain')
    else:
        b['empty'] = rng.random() < 0.08
        if b['empty']:
            if rng.random() < 0.12: d.add('stain')
        elif rng.random() < 0.58:
            first = pick(SEAL_DEF, SEAL_P); d.add(first)
            if rng.random() < 0.2:
                sec = pick(SECOND)
                if compatible(first, sec): d.add(sec)
    b['want'] = d

# ---- inks (Hapke particulate layer), calibrated per impression
MU0, MU = math.cos(math.radians(45)), 1.0
def hapke(S, tau, w):
    w = np.asarray(w, np.float32); g = np.sqrt(1 - w)
    H = lambda x: (1 + 2 * x) / (1 + 2 * g * x)
    rinf = w / 4 * H(MU0) * H(MU) / (MU0 + MU)
    tau = np.asarray(tau, np.float32)[..., None]
    E = np.exp(-tau * (1 / MU0 + 1 / MU))
    Rf = rinf * (1 - E)
    T1 = (1 - Rf) * np.exp(-tau * g / MU0); T2 = (1 - Rf) * np.exp(-tau * g / MU)
    return Rf + T1 * T2 * S / (1 - Rf * S)

PAPER = np.array([U(0.99, 1.01), 1.0, U(0.985, 1.03)]) * U(0.84, 0.9)
def lin2s(v):
    v = np.clip(v, 0, 1); return np.where(v <= 0.0031308, 12.92 * v, 1.055 * v ** (1 / 2.4) - 0.055)
def hue_of(R):
    s = lin2s(R); mx, mn = s.max(), s.min()
    if mx - mn < 1e-6: return 0.0
    i = int(np.argmax(s))
    if i == 0: h = 60 * (s[1] - s[2]) / (mx - mn)
    elif i == 1: h = 60 * (2 + (s[2] - s[0]) / (mx - mn))
    else: h = 60 * (4 + (s[0] - s[1]) / (mx - mn))
    return (h + 180) % 360 - 180
def hapke1(S, tau, w):
    """hapke() for one pixel (lists of three), for the calibration."""
    out = []
    for Sc, wc in zip(S, w):
        g = math.sqrt(1 - wc)
        rinf = wc / 4 * (1 + 2 * MU0) / (1 + 2 * g * MU0) * (1 + 2 * MU) / (1 + 2 * g * MU) / (MU0 + MU)
        E = math.exp(-tau * (1 / MU0 + 1 / MU)); Rf = rinf * (1 - E)
        T1 = (1 - Rf) * math.exp(-tau * g / MU0); T2 = (1 - Rf) * math.exp(-tau * g / MU)
        out.append(Rf + T1 * T2 * Sc / (1 - Rf * Sc))
    return np.array(out)
def passed(tau, w):
    R = hapke1(PAPER, tau, w)
    return float((R / PAPER).min()), R
def solve_tau(w, target):
    lo, hi = 0.0, 30.0
    for _ in range(45):
        m = (lo + hi) / 2
        if passed(m, w)[0] > target: lo = m
        else: hi = m
    return (lo + hi) / 2

def seal_ink(pale, off):
    for attempt in range(100):
        target = U(0.32, 0.65) if pale else U(0.05, 0.14)
        wr = U(0.9, 0.97)
        if off:
            way = 'orange' if rng.random() < 0.5 else 'purple'
            hue_t = U(20, 32) + 0.5 * attempt
            hue_t = hue_t if way == 'orange' else -hue_t
        else:
            way = 'red'; hue_t = U(-3, 3)
        lowc = U(0.03, 0.12)
        def make(x):
            if way == 'orange': return [wr, x, lowc]
            return [wr, lowc, x]
        lo, hi = 0.005, 0.95
        for _ in range(30):
            x = (lo + hi) / 2; w = make(x); tau = solve_tau(w, target)
            h = hue_of(passed(tau, w)[1])
            rising = (way == 'orange')        # hue rises with green's albedo, falls with blue's
            if (h < hue_t) == rising: lo = x
            else: hi = x
        w = make((lo + hi) / 2); tau = solve_tau(w, target)
        hs = [hue_of(passed(tau * f, w)[1]) for f in (0.5, 0.8, 1.0)]
        if off and all(16 <= abs(v) <= 50 for v in hs) and all(np.sign(v) == np.sign(hue_t) for v in hs):
            return dict(w=w, tau=tau, passed=target, hue=hs[-1], way=way)
        if not off and all(abs(v) <= 7 for v in hs):
            return dict(w=w, tau=tau, passed=target, hue=hs[-1], way=way)
    raise SystemExit("teller: no ink met its hue checks")

PENS = {'black': [0.04, 0.04, 0.05], 'blue-black': [0.06, 0.09, 0.25], 'blue': [0.12, 0.2, 0.62]}
def pen_ink(pale):
    name = pick(['black', 'blue-black', 'blue'], [0.55, 0.25, 0.2])
    w = list(np.clip(np.array(PENS[name]) * U(0.9, 1.1), 0.01, 0.9))
    target = U(0.34, 0.6) if pale else U(0.08, 0.18)
    return dict(w=w, tau=solve_tau(w, target), passed=target, pen=name)

# ---------------------------------------------------------------- faces as polygons (mm, about the face's centre)
def official_face():
    R = seal_D / 2
    P = [circle(0, 0, R), circle(0, 0, R - seal_ring, ccw=True)]
    if seal_inner:
        ri = R - seal_ring - U(0.7, 1.1)
        P += [circle(0, 0, ri), circle(0, 0, ri - 0.25, ccw=True)]
    rs = seal_star * R
    t = np.arange(10) * np.pi / 5 - np.pi / 2
    rr = np.where(np.arange(10) % 2 == 0, rs, rs * 0.382)
    P.append(np.stack([rr * np.cos(t), rr * np.sin(t)], 1))
    n = len(firm); hgt = seal_chh
    rc = R - seal_ring - seal_gap - hgt / 2
    step = math.radians(seal_span / n) * rc
    wid = min(hgt * U(0.62, 0.82), step * 0.86)
    for i, ch in enumerate(firm):
        phi = -90 - seal_span / 2 + seal_span * (i + 0.5) / n
        c = np.array([rc * math.cos(math.radians(phi)), rc * math.sin(math.radians(phi))])
        P += glyph_in_cell(seal_face, ch, wid, hgt, c, phi + 90)
    if seal_code:
        hh = 0.055 * seal_D; rcd = R - seal_ring - 0.6 - hh / 2
        for i, ch in enumerate(code_digits):
            phi = 90 + 31 - 62 * (i + 0.5) / 13
            c = np.array([rcd * math.cos(math.radians(phi)), rcd * math.sin(math.radians(phi))])
            P += glyph_in_cell('dot', ch, hh * 0.55, hh, c, phi - 90)
    return P, None

def legal_face():
    """(outline polygons, cut polygons or None): 阴文 is the block minus the glyphs."""
    hw, hh = lw / 2, lh / 2
    chars = (person + '之印') if (len(person) == 2 and zhi) else (person + '印')
    # right-to-left columns of 2 × 2 cells inside the frame
    ix, iy = hw - lframe - 0.5, hh - lframe - 0.5
    cw, chh = ix, iy
    cells = [(ix / 2, -iy / 2), (ix / 2, iy / 2), (-ix / 2, -iy / 2), (-ix / 2, iy / 2)]
    g = []
    if len(chars) == 4:
        for ch, (cx, cy) in zip(chars, cells):
            g += glyph_in_cell(legal_face_k, ch, cw * 0.88, chh * 0.88, np.array([cx, cy]))
    else:   # a name of two + 印: 印 fills the left column
        for ch, (cx, cy) in zip(chars[:2], cells[:2]):
            g += glyph_in_cell(legal_face_k, ch, cw * 0.88, chh * 0.88, np.array([cx, cy]))
        g += glyph_in_cell(legal_face_k, chars[2], cw * 0.88, 2 * chh * 0.92, np.array([-ix / 2, 0]))
    if lyin:
        return [rect(-hw, -hh, hw, hh)], g
    return [rect(-hw, -hh, hw, hh), rect(-hw + lframe, -hh + lframe, hw - lframe, hh - lframe, rev=True)] + g, None
def signature_polys():
    """The name in a brush face, sheared, on a waving baseline; about (0, 0)."""
    cell = U(9, 12.5); adv = U(0.75, 0.95); shear = math.tan(math.radians(U(6, 18)))
    n = len(person); P = []
    x = -(n - 1) * cell * adv / 2
    ph = U(0, 6.28); amp = U(0.3, 0.9)
    for i, ch in enumerate(person):
        w = cell * U(0.75, 0.95); h = cell * U(0.85, 1.05)
        c = np.array([x, amp * math.sin(ph + i * 1.7)])
        P += glyph_in_cell(sign_face, ch, w, h, c, U(-4, 4), shear)
        x += cell * adv
    return P

# ---------------------------------------------------------------- paper: thermal paper (coat levelling, calendering, specks)
def paper_tile(px):
    T = int(48 * px)
    base = nrng.standard_normal((T, T)).astype(np.float32)
    fine = ndimage.gaussian_filter(base, 0.12 * px, mode='wrap')
    flocs = ndimage.gaussian_filter(nrng.standard_normal((T, T)).astype(np.float32), 0.9 * px, mode='wrap')
    b = fine / fine.std() * U(0.6, 1.0) + flocs / flocs.std()         # the base sheet's height
    coat = ndimage.gaussian_filter(-b, 0.35 * px, mode='wrap')          # the coat fills the valleys
    coat /= coat.std()
    crush = np.maximum(b - np.quantile(b, 0.85), 0); crush /= (crush.std() + 1e-6)   # calender blackening
    return 1 + U(0.003, 0.007) * coat - U(0.002, 0.005) * crush

def main():
    env = os.environ.get('SEAL_SHEET_DPI')
    global dpi
    if env: dpi = int(env)
    px = 12.0 if dpi <= 300 else 16.0
    W, H = int(PAGE_W * px), int(PAGE_H * px)
    # ---- per-box placement and ink decisions (drawn before any rendering)
    for b in boxes:
        d = b['want']; b['info'] = {}
        ix0, iy0, ix1, iy1 = inner(b)
        cx, cy = (ix0 + ix1) / 2, (iy0 + iy1) / 2
        if b['kind'] == 'signature':
            b['ink'] = pen_ink('pale' in d)
        else:
            b['ink'] = seal_ink('pale' in d, 'off_color' in d)
        b['tilt'] = (U(12, 28) * (1 if rng.random() < 0.5 else -1)) if 'tilted' in d else U(-2, 2)
        b['dbl'] = None
        if 'double' in d:
            a = U(0, 2 * math.pi); r_ = U(0.9, 2.4)
            b['dbl'] = (r_ * math.cos(a), r_ * math.sin(a), U(-1.5, 1.5), U(0.5, 0.9))
        b['smear'] = (U(0.8, 1.3), U(0, 360), U(0.5, 0.65), U(0.25, 0.45)) if 'smudged' in d else None
        b['broken'] = (U(0, 360), U(0.18, 0.3), U(0.3, 0.7)) if 'broken' in d else None
        b['under'] = None
        if 'under' in d:
            word = pick(["公章", "印章", "(印)", "本公司", "年 月 日"])
            size = U(3.8, 5.0)
            ux = cx + U(-6, 6); uy = cy + (iy1 - iy0) * U(0.22, 0.3)
            b['under'] = (word, size, ux, uy)
        b['cx'], b['cy'] = cx, cy
    # ---- faces and their placement
    for b in boxes:
        if b['empty']:
            continue
        d = b['want']
        if b['kind'] == 'official_seal':
            polys, cut = official_face(); ext = seal_D / 2
            hx = hy = ext
        elif b['kind'] == 'legal_rep_seal':
            polys, cut = legal_face()
            a = math.radians(b['tilt'])
            hx = abs(lw / 2 * math.cos(a)) + abs(lh / 2 * math.sin(a)); hy = abs(lw / 2 * math.sin(a)) + abs(lh / 2 * math.cos(a))
        else:
            polys, cut = signature_polys(), None
            b['tilt'] = U(-2, 2)
            allp = np.concatenate([rot(p, b['tilt']) for p in polys])
            hx0, hx1 = allp[:, 0].min(), allp[:, 0].max(); hy0, hy1 = allp[:, 1].min(), allp[:, 1].max()
            sh = np.array([-(hx0 + hx1) / 2, -(hy0 + hy1) / 2])
            polys = [p + rot(sh[None], -b['tilt']) for p in polys]
            hx, hy = (hx1 - hx0) / 2, (hy1 - hy0) / 2
        if b['kind'] != 'signature':
            polys = [rot(p, b['tilt']) for p in polys]
            cut = [rot(p, b['tilt']) for p in cut] if cut else None
        else:
            polys = [rot(p, b['tilt']) for p in polys]
        ix0, iy0, ix1, iy1 = inner(b)
        sx = max(0.0, (ix1 - ix0) / 2 - hx - 0.5); sy = max(0.0, (iy1 - iy0) / 2 - hy - 0.5)
        cx = b['cx'] + U(-min(2, sx), min(2, sx)); cy = b['cy'] + U(-min(2, sy), min(2, sy))
        if b['under']:
            _, size, ux, uy = b['under']
            tx_, ty_ = cx + 0.75 * (ux - cx), cy + 0.75 * (uy - size * 0.35 - cy)
            cx = float(np.clip(tx_, ix0 + hx + 0.8, ix1 - hx - 0.8)) if ix1 - ix0 > 2 * hx + 1.6 else cx
            cy = float(np.clip(ty_, iy0 + hy + 0.8, iy1 - hy - 0.8)) if iy1 - iy0 > 2 * hy + 1.6 else cy
        if 'over' in d:
            push = U(1.2, 3.0)
            side = pick(['l', 'r']) if b['kind'] == 'signature' else pick(['l', 'r', 't', 'b'])
            if side == 'l': cx = ix0 + hx - push
            if side == 'r': cx = ix1 - hx + push
            if side == 't': cy = iy0 + hy - push
            if side == 'b': cy = iy1 - hy + push
            b['info']['push_mm'] = round(push, 2); b['info']['push_side'] = side
        b['polys'] = [p + np.array([cx, cy]) for p in polys]
        b['cut'] = [p + np.array([cx, cy]) for p in cut] if cut else None
        b['pos'] = (cx, cy); b['ext'] = (hx, hy)
    # ---- the form's polygons (mm)
    form = []
    form += text_run('saw' if rng.random() < 0.6 else 'ced', "公章、法人章及署名采集表", 5.6, 105 + tx, Y_TITLE, 'center')
    form += text_run('ced', "(3/8)", 3.5, 192 + tx, Y_TITLE - 6, 'right')
    lw2 = line_mm / 2
    def frame(x0, y0, x1, y1, hs, vs, mult):
        out = []
        for yy in hs:
            m = mult if yy in (y0, y1) else 1
            out.append(rect(x0 - lw2 * m, yy - lw2 * m, x1 + lw2 * m, yy + lw2 * m))
        for xx in vs:
            m = mult if xx in (x0, x1) else 1
            out.append(rect(xx - lw2 * m, y0 - lw2 * m, xx + lw2 * m, y1 + lw2 * m))
        return out
    cols1 = np.cumsum([0, 30, 60, 28, 56]) + X0
    form += frame(X0, T1, X0 + 174, T1 + 18, [T1, T1 + 9, T1 + 18], [X0, X0 + 174], outer_mult)
    form += [rect(cols1[1] - lw2, T1, cols1[1] + lw2, T1 + 18), rect(cols1[2] - lw2, T1 + 9, cols1[2] + lw2, T1 + 18),
             rect(cols1[3] - lw2, T1 + 9, cols1[3] + lw2, T1 + 18)]
    form += text_run('ced', "公司名称:", 3.5, X0 + 2, T1 + 6.0)
    form += text_run('ced', "印章管理人:", 3.5, X0 + 2, T1 + 15.0)
    form += text_run('ced', "手机:", 3.5, cols1[2] + 2, T1 + 15.0)
    form += frame(X0, T2, X0 + 174, T2_END, hlines, [X0, X0 + 174], outer_mult)
    for (sx0, sy0, sx1, sy1, cap) in strip_rects:
        form += [rect(X0 + 58 - lw2, sy1, X0 + 58 + lw2, sy1 + (hlines[hlines.index(sy1) + 1] - sy1)),
                 rect(X0 + 116 - lw2, sy1, X0 + 116 + lw2, sy1 + (hlines[hlines.index(sy1) + 1] - sy1))]
        form += text_run('ced', cap, 3.5, X0 + 87, sy0 + 5.6, 'center')
    form += frame(X0, T3, X0 + 174, T3 + 9, [T3, T3 + 9], [X0, X0 + 174], outer_mult)
    cols3 = np.cumsum([0, 30, 60, 28, 56]) + X0
    form += [rect(cols3[i] - lw2, T3, cols3[i] + lw2, T3 + 9) for i in (1, 2, 3)]
    form += text_run('ced', "CA 客服受理人:", 3.5, X0 + 2, T3 + 6.0)
    form += text_run('ced', "日期:", 3.5, cols3[2] + 2, T3 + 6.0)
    form += text_run('ced', "年", 3.5, cols3[3] + 20, T3 + 6.0)
    form += text_run('ced', "月", 3.5, cols3[3] + 33, T3 + 6.0)
    form += text_run('ced', "日", 3.5, cols3[3] + 46, T3 + 6.0)
    form += text_run('ced', "注: 印章居中, 字迹清晰, 勿出格。", 3.2, X0, T3 + 15)
    for b in boxes:
        if b['under']:
            word, size, ux, uy = b['under']
            form += text_run('ced', word, size, ux, uy + size * 0.35, 'center')
    tint_polys = [rect(sx0 + lw2, sy0 + lw2, sx1 - lw2, sy1 - lw2) for (sx0, sy0, sx1, sy1, _) in strip_rects] if strips else []

    # ---- the direct-thermal printer: a 300-dpi line head heats the paper's thermal coat, whose leuco dye
    # develops with the energy (a sigmoid response); grey by the pulse's width (energy), not by dots
    hp = 300 / 25.4
    HW, HH = int(PAGE_W * hp), int(PAGE_H * hp)
    e50, ew = 0.5, U(0.05, 0.08)
    e_t = e50 + ew * math.log(strip_tint / (1 - strip_tint))
    energy = np.zeros((HH, HW), np.float32)
    BAND = 400
    for y0 in range(0, HH, BAND):
        hb = min(BAND, HH - y0)
        cov = fill(form, 0, y0 / hp, HW, hb, hp, 4)
        e = (cov >= 0.5).astype(np.float32)
        if tint_polys:
            tcov = fill(tint_polys, 0, y0 / hp, HW, hb, hp, 2)
            e = np.maximum(e, (tcov >= 0.5) * np.float32(e_t))
        energy[y0:y0 + hb] = e
    prev = np.vstack([np.zeros((1, HW), np.float32), energy[:-1]])
    heat = energy * (U(0.86, 0.92) + U(0.08, 0.14) * prev)     # the head's heat history: after a hot line it runs hotter
    del prev, energy
    sens = ndimage.gaussian_filter(nrng.standard_normal(((HH + 3) // 4, (HW + 3) // 4)).astype(np.float32), 3)
    sens = 1 + U(0.02, 0.05) * sens / (sens.std() + 1e-6)       # the coat's sensitivity varies at about a millimetre
    heat *= np.repeat(np.repeat(sens, 4, 0), 4, 1)[:HH, :HW]
    # feed: each head line's position (mm), the platen's jitter
    pitch = 1 / hp * (1 + U(-0.004, 0.004))
    jit = ndimage.gaussian_filter1d(nrng.standard_normal(HH), 6) * U(0.01, 0.03)
    ypos = np.cumsum(np.full(HH, pitch) * (1 + jit)) - pitch / 2
    rows_mm = (np.arange(H) + 0.5) / px
    hy = np.interp(rows_mm, ypos, np.arange(HH))
    hx = (np.arange(W) + 0.5) / px * hp - 0.5
    spot = ndimage.gaussian_filter(heat, (U(0.35, 0.5), U(0.25, 0.35)))   # the heat spreads, more along the feed
    del heat
    en = ndimage.map_coordinates(spot, [np.repeat(hy[:, None], W, 1).ravel(), np.tile(hx, H)], order=1, mode='constant').reshape(H, W)
    del spot
    d0 = 1 / (1 + math.exp(e50 / ew))
    dens = ((1 / (1 + np.exp(-(en - e50) / ew)) - d0) / (1 - d0)).clip(0, 1).astype(np.float32)
    del en
    fade = U(0.75, 1.0)                                             # the image fades with light and age
    k_od = U(1.1, 1.35) * fade
    kcol = 10 ** (-k_od * np.array([1.0, 0.98, U(0.82, 0.92)], np.float32))     # bluish black
    # ---- paper
    tile = paper_tile(px)
    T = tile.shape[0]
    ry, rx = int(rng.integers(0, T)), int(rng.integers(0, T))
    tile = np.roll(tile, (ry, rx), (0, 1))
    grain = np.tile(tile, (H // T + 1, W // T + 1))[:H, :W]
    page = (grain[..., None] * PAPER[None, None, :]).astype(np.float32)
    del grain
    if tinted:
        tod = U(0.12, 0.2)
        page *= (10 ** (-tod * np.array([0.25, 0.5, 1.0]))).astype(np.float32)
    # specks, never inside a sample box
    nsp = int(rng.poisson(5))
    for _ in range(nsp):
        for _t in range(20):
            sx_, sy_ = U(5, 205), U(5, 292)
            if not any(bb['x0'] - 2 < sx_ < bb['x1'] + 2 and bb['y0'] - 2 < sy_ < bb['y1'] + 2 for bb in boxes):
                break
        r_ = U(0.05, 0.12) * px
        yy, xx = np.ogrid[-4:5, -4:5]
        blob = np.exp(-(xx ** 2 + yy ** 2) / (2 * r_ * r_)).astype(np.float32) * U(0.2, 0.5)
        iy_, ix_ = int(sy_ * px), int(sx_ * px)
        page[iy_ - 4:iy_ + 5, ix_ - 4:ix_ + 5] *= (10 ** (-blob[..., None] * np.array([0.8, 0.9, 1.0], np.float32)))
    # stains in the boxes (oil halo from the pad or an aged tape mark)
    for b in boxes:
        if 'stain' not in b['want']:
            continue
        ix0, iy0, ix1, iy1 = inner(b)
        x0p, y0p, x1p, y1p = int(ix0 * px), int(iy0 * px), int(ix1 * px), int(iy1 * px)
        hh_, ww_ = y1p - y0p, x1p - x0p
        yy, xx = np.mgrid[0:hh_, 0:ww_].astype(np.float32)
        u, v = (xx / px + ix0), (yy / px + iy0)
        kind = 'oil' if rng.random() < 0.55 else 'tape'
        n_ = ndimage.gaussian_filter(nrng.standard_normal((hh_, ww_)).astype(np.float32), 2.5 * px)
        n_ /= n_.std() + 1e-6
        if kind == 'oil':
            ecx, ecy = U(ix0 + 22, ix1 - 22), U(iy0 + 11, iy1 - 11)
            ra, rb = (ix1 - ix0) * U(0.4, 0.5), (iy1 - iy0) * U(0.4, 0.5)
            q = np.sqrt(((u - ecx) / ra) ** 2 + ((v - ecy) / rb) ** 2) + 0.12 * n_
            field = np.clip((1.05 - q) / 0.15, 0, 1)
            col = np.array([0.35, 0.7, 1.0], np.float32)
        else:
            ang = math.radians(U(-25, 25)); wid = U(18, 24); c0 = U(iy0 + 10, iy1 - 10)
            dist = np.abs((v - c0) * math.cos(ang) - (u - (ix0 + ix1) / 2) * math.sin(ang))
            field = np.clip((wid / 2 - dist) / 0.4, 0, 1) * (1 + 0.08 * n_) * (1 + 0.25 * np.clip((dist - wid / 2 + 1.2) / 1.2, 0, 1))
            col = np.array([0.3, 0.6, 1.0], np.float32)
        edge = np.minimum.reduce([u - ix0, ix1 - u, v - iy0, iy1 - v])
        field = field * np.clip((edge - 2.0) / 1.5, 0, 1)
        od = U(0.12, 0.2)
        for it in range(5):
            sub = field[int(2 * px):-int(2 * px), int(2 * px):-int(2 * px)]
            area = float(((od * sub) >= 0.1).mean())
            if area >= 0.36 or it == 4: break
            od *= 1.3
        page[y0p:y1p, x0p:x1p] *= (10 ** (-(od * field)[..., None] * col)).astype(np.float32)
        b['info']['stain'] = dict(kind=kind, od_max=round(od, 3), area_od_0_1=round(area, 3))
        b['stain_ok'] = area >= 0.36
    # the print over the paper
    page = page * (1 - dens[..., None] * (1 - kcol[None, None, :]))
    del dens
    # ---- impressions: coverage, thickness, Hapke layers
    masks = {}
    for b in boxes:
        if b['empty']:
            continue
        ink = b['ink']
        m = 6.0
        x0m, y0m = max(0.0, b['x0'] - m), max(0.0, b['y0'] - m)
        x1m, y1m = min(PAGE_W, b['x1'] + m), min(PAGE_H, b['y1'] + m)
        c0, r0 = int(x0m * px), int(y0m * px)
        Wn, Hn = int(x1m * px) - c0, int(y1m * px) - r0
        ox, oy = c0 / px, r0 / px
        def face_cov(polys, cut):
            cv = fill(polys, ox, oy, Wn, Hn, px, 3)
            if cut:
                cv = cv * (1 - fill(cut, ox, oy, Wn, Hn, px, 3))
            return cv
        cov = face_cov(b['polys'], b['cut'])
        uncut = cov.copy()
        def mottle(scale, amp):
            n_ = ndimage.gaussian_filter(nrng.standard_normal((Hn, Wn)).astype(np.float32), scale * px)
            n_ = (n_ - n_.min()) / (n_.max() - n_.min() + 1e-6)
            return 1 - amp * n_
        if b['kind'] == 'signature':
            thick = cov * mottle(U(0.3, 0.8), U(0.05, 0.15))
        else:
            thick = cov * mottle(U(0.8, 2.0), U(0.04, 0.12)) * (1 - U(0, 0.08) * nrng.random((Hn, Wn)).astype(np.float32))
        inkcov = cov.copy()
        if b['dbl']:
            dx, dy, dr, load = b['dbl']
            pc = np.array(b['pos'])
            p2 = [rot(p - pc, dr) + pc + np.array([dx, dy]) for p in b['polys']]
            c2 = [rot(p - pc, dr) + pc + np.array([dx, dy]) for p in b['cut']] if b['cut'] else None
            cov2 = face_cov(p2, c2)
            thick = thick + cov2 * load * mottle(U(0.8, 2.0), U(0.04, 0.12))
            inkcov = np.maximum(inkcov, cov2)
            uncut = np.maximum(uncut, cov2)
            b['info']['double_offset_mm'] = round(math.hypot(dx, dy), 2)
            b['second'] = p2
        if b['smear']:
            L, ang, stay, wend = b['smear']
            steps = max(2, int(L * px * 2))
            acc = np.zeros_like(thick); wsum = 0.0; mx = inkcov.copy()
            for s in range(1, steps + 1):
                f = s / steps; wgt = 1 - (1 - wend) * f
                sh = (f * L * px * math.sin(math.radians(ang)), f * L * px * math.cos(math.radians(ang)))
                acc += wgt * ndimage.shift(thick, sh, order=1)
                mx = np.maximum(mx, ndimage.shift(inkcov, sh, order=1))
                wsum += wgt
            thick = stay * thick + (1 - stay) * acc / wsum
            inkcov = mx; uncut = np.maximum(uncut, mx)
            b['info']['smear_mm'] = round(L, 2); b['info']['smear_deg'] = round(ang, 1)
        if b['broken']:
            ang, lost, fade = b['broken']
            yy, xx = np.mgrid[0:Hn, 0:Wn].astype(np.float32)
            plane = (xx * math.cos(math.radians(ang)) + yy * math.sin(math.radians(ang))) / px
            wav = ndimage.gaussian_filter(nrng.standard_normal((Hn, Wn)).astype(np.float32), 0.6 * px)
            plane += wav / (wav.std() + 1e-6) * 0.3          # a wavy cut: smooth noise of 0.3 mm σ
            inkpx = inkcov >= 0.5
            cutv = np.quantile(plane[inkpx], lost)
            keep = np.clip((plane - cutv) / fade + 0.5, 0, 1)
            thick = thick * keep
            inkcov = inkcov * (keep >= 0.5)
            b['info']['lost'] = round(lost, 3)
        tau = ink['tau'] * thick
        S = page[r0:r0 + Hn, c0:c0 + Wn]
        sel = tau > 1e-4
        S[sel] = hapke(S[sel], tau[sel], ink['w'])
        masks[id(b)] = (inkcov, uncut, c0, r0, Wn, Hn)
        # overlap_line from the ink's coverage on the render grid
        ix0, iy0, ix1, iy1 = inner(b)
        ys, xs = np.nonzero(inkcov >= 0.5)
        xm, ym = (xs + c0 + 0.5) / px, (ys + r0 + 0.5) / px
        reach = float(np.max(np.maximum.reduce([ix0 - xm, xm - ix1, iy0 - ym, ym - iy1]))) if len(xs) else -99
        ys, xs = np.nonzero(uncut >= 0.5)
        xm, ym = (xs + c0 + 0.5) / px, (ys + r0 + 0.5) / px
        reach_u = float(np.max(np.maximum.reduce([ix0 - xm, xm - ix1, iy0 - ym, ym - iy1]))) if len(xs) else -99
        b['reach'] = reach; b['reach_uncut'] = reach_u
    # ---- the teller's sheet-fed scanner
    q = dpi / 25.4
    marg = U(1.0, 3.0)
    OW, OH = int(round((PAGE_W + 2 * marg) * q)), int(round((PAGE_H + 2 * marg) * q))
    if rng.random() < 0.5:
        th0 = float(rng.normal(0, 0.4))
    else:
        th0 = U(0.3, 2.0) * (1 if rng.random() < 0.5 else -1)
    dth = U(-0.5, 0.5)
    fscale = U(-0.004, 0.004)
    slips = [(U(80, 110), U(-0.3, 0.0)), (U(180, 210), U(-0.3, 0.0))]
    rip_a, rip_l, rip_p = U(0.01, 0.05), U(6, 20), U(0, 6.28)
    xoff = U(-0.5, 0.5)
    def feed(Y):
        s = Y * (1 + fscale) + rip_a * np.sin(2 * np.pi * Y / rip_l + rip_p)
        for yk, dk in slips:
            s = s + dk * (Y > yk)
        return s
    def inv_map(X, Y):
        """scan mm (X across, Y along the feed, from the page's nominal corner) -> page mm"""
        s = feed(Y)
        th = np.radians(th0 + dth * np.clip(s / PAGE_H, 0, 1))
        Xr = X - xoff
        return np.cos(th) * Xr + np.sin(th) * s, -np.sin(th) * Xr + np.cos(th) * s
    def fwd(x, y):
        X = np.array(x, float) + xoff; Y = np.array(y, float).copy()
        for _ in range(12):
            xx, yy = inv_map(X, Y)
            X += x - xx; Y += y - yy
        return X, Y
    def grid(cx0, cy0, w, h):
        """render-grid (row, col) coordinates of output pixels [cy0, cy0 + h) × [cx0, cx0 + w)."""
        Xs = ((np.arange(cx0, cx0 + w) + 0.5) / q - marg - xoff).astype(np.float32)
        Ys = (np.arange(cy0, cy0 + h) + 0.5) / q - marg
        sv = feed(Ys)
        th = np.radians(th0 + dth * np.clip(sv / PAGE_H, 0, 1))
        c_, s_ = np.cos(th).astype(np.float32)[:, None], np.sin(th).astype(np.float32)[:, None]
        sv = sv.astype(np.float32)[:, None]
        xx = c_ * Xs[None, :] + s_ * sv
        yy = -s_ * Xs[None, :] + c_ * sv
        return yy * px - 0.5, xx * px - 0.5
    ratio = px / q
    pre = 0.42 * ratio if ratio > 1 else 0.35
    opt = U(0.03, 0.06) * px
    sx_ = math.sqrt(pre ** 2 + opt ** 2); sy_ = math.sqrt(sx_ ** 2 + (ratio ** 2) / 12)
    backing = U(0.08, 0.15)
    lampk = U(0.01, 0.025); prnu = U(0, 0.5) * 0.01
    fw = U(6000, 20000); rn_e = U(2, 6)
    soft = dict(whiten=rng.random() < 0.5, sharpen=rng.random() < 0.6)
    wscale = U(0.93, 0.98); gain = U(0.97, 1.02); bp = U(0.005, 0.025)
    s_ = U(0.8, 1.2); a_ = U(0.3, 0.7)
    blurs = [ndimage.gaussian_filter(page[..., ch], (sy_, sx_)) for ch in range(3)]
    white = float(np.quantile(blurs[1][::7, ::7], 0.9))     # the software's white from the page's histogram
    del page
    xs_ = np.linspace(-1, 1, OW)
    lamp = ((1 - lampk * xs_ ** 2) * (1 + prnu * nrng.standard_normal(OW))).astype(np.float32)
    out8 = np.empty((OH, OW, 3), np.uint8)
    SB, PAD = 512, 8
    for r0s in range(0, OH, SB):
        a0, a1 = max(0, r0s - PAD), min(OH, r0s + SB + PAD)
        gy, gx = grid(0, a0, OW, a1 - a0)
        img = np.empty((a1 - a0, OW, 3), np.float32)
        for ch in range(3):
            img[..., ch] = ndimage.map_coordinates(blurs[ch], [gy, gx], order=1, mode='constant', cval=-1)
        del gy, gx
        outside = img[..., 1] < -0.5
        img[outside] = backing
        img *= lamp[None, :, None]                            # the lamp's fall-off across, column gain
        sig = np.clip(img, 0, None) * fw                      # electrons: shot and read noise (Gaussian at these counts)
        img = (sig + np.sqrt(sig + rn_e ** 2) * nrng.standard_normal(img.shape, dtype=np.float32)) / fw
        del sig
        img = np.round(np.clip(img, 0, 1) * 1023) / 1023      # 10 bits
        img = img / (white * wscale) if soft['whiten'] else img / gain
        img = np.clip((img - bp) / (1 - bp), 0, 1)
        o = lin2s(img).astype(np.float32)
        if soft['sharpen']:
            o = o + a_ * (o - ndimage.gaussian_filter(o, (s_, s_, 0)))
        n_ = min(SB, OH - r0s)
        out8[r0s:r0s + n_] = np.clip(np.round(o[r0s - a0:r0s - a0 + n_] * 255), 0, 255).astype(np.uint8)
        del img, o
    del blurs
    # JPEG 2000 archive (openjpeg), then the export
    stem = '%03d' % INDEX
    os.makedirs(OUT, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix='teller.')
    fmt = pick(['png', 'tif', 'jpg'], [0.4, 0.25, 0.35])
    rate = U(12, 45)
    layers = int(rng.integers(1, 4))
    jq = int(rng.integers(80, 93))
    in_file = rng.random() < 0.7
    jsub = pick([2, 1, 0], [0.6, 0.25, 0.15]); tcomp = pick(['tiff_lzw', 'tiff_adobe_deflate'])
    try:
        Image.fromarray(out8).save(os.path.join(tmp, 'a.ppm'))
        envj = dict(os.environ, OPJ_NUM_THREADS='1')
        rates = ','.join('%.1f' % (rate * 2 ** (layers - 1 - i)) for i in range(layers))
        subprocess.run(['opj_compress', '-i', os.path.join(tmp, 'a.ppm'), '-o', os.path.join(tmp, 'a.jp2'), '-I', '-r', rates,
                        '-n', '6', '-b', '64,64', '-t', '1024,1024', '-threads', '1'], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=envj)
        dec = os.path.join(tmp, 'b.ppm')
        subprocess.run(['opj_decompress', '-i', os.path.join(tmp, 'a.jp2'), '-o', dec, '-threads', '1'], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=envj)
        name = stem + '.' + fmt
        dst = os.path.join(OUT, name)
        im = Image.open(dec).convert('RGB')
        kw = {'dpi': (dpi, dpi)} if in_file else {}
        if fmt == 'jpg':
            im.save(dst, 'JPEG', quality=jq, subsampling=jsub, **kw)
        elif fmt == 'png':
            im.save(dst, 'PNG', compress_level=4, **kw)
        else:
            im.save(dst, 'TIFF', compression=tcomp, **kw)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # ---- truth
    xa, ya = fwd(np.array([40.0, 170.0]), np.array([148.5, 148.5]))
    skew = math.degrees(math.atan2(ya[1] - ya[0], xa[1] - xa[0]))
    tboxes = []
    for b in boxes:
        d = b['want']
        defects, border = [], []
        if b['empty']:
            defects.append('empty')
        cx, cy = fwd(np.array([(b['x0'] + b['x1']) / 2]), np.array([(b['y0'] + b['y1']) / 2]))
        e = dict(row=b['row'], col=b['col'], kind=b['kind'], empty=bool(b['empty']))
        if not b['empty']:
            if 'pale' in d: defects.append('pale')
            if b['broken']: defects.append('broken')
            if b['dbl']: defects.append('double')
            if b['smear']: defects.append('smudged')
            if b['reach'] > 0.3: defects.append('overlap_line')
            elif b['reach'] >= -0.3 or (b['broken'] and b['reach_uncut'] >= -0.3):
                border.append('overlap_line')
            if 'tilted' in d: defects.append('tilted')
        if 'stain' in d or tinted:
            if tinted or b.get('stain_ok', False): defects.append('bg_not_white')
            else: border.append('bg_not_white')
        if not b['empty']:
            if b['under']: defects.append('text_under')
            if 'off_color' in d: defects.append('off_color')
        e['defects'] = defects; e['borderline'] = border
        e['box_centre_px'] = [round(float((cx[0] + marg) * q - 0.5), 1), round(float((cy[0] + marg) * q - 0.5), 1)]
        e['inner_mm'] = [round(v, 2) for v in inner(b)]
        if not b['empty']:
            if b['kind'] == 'official_seal': e['diameter_mm'] = round(seal_D, 2)
            elif b['kind'] == 'legal_rep_seal': e['size_mm'] = [round(lw, 2), round(lh, 2)]
            inkcov, uncut, c0, r0, Wn, Hn = masks[id(b)]
            # the output window that the impression's render window maps to
            corners = [fwd(np.array([xx]), np.array([yy])) for xx in (c0 / px, (c0 + Wn) / px) for yy in (r0 / px, (r0 + Hn) / px)]
            Xs = [(c[0][0] + marg) * q for c in corners]; Ys = [(c[1][0] + marg) * q for c in corners]
            ox0, oy0 = max(0, int(min(Xs)) - 2), max(0, int(min(Ys)) - 2)
            ox1, oy1 = min(OW, int(max(Xs)) + 3), min(OH, int(max(Ys)) + 3)
            gy2, gx2 = grid(ox0, oy0, ox1 - ox0, oy1 - oy0)
            mc = ndimage.gaussian_filter(inkcov, pre)
            mm = ndimage.map_coordinates(mc, [(gy2 - r0).ravel(), (gx2 - c0).ravel()], order=1, mode='constant', cval=0).reshape(gy2.shape)
            on = mm >= 0.5
            if on.any():
                ys, xs = np.nonzero(on)
                y0_, y1_, x0_, x1_ = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
                mname = '%s.r%dc%d.mask.png' % (stem, b['row'], b['col'])
                Image.fromarray((on[y0_:y1_, x0_:x1_] * 255).astype(np.uint8), 'L').save(os.path.join(OUT, mname))
                e['mask'] = mname; e['mask_offset'] = [int(ox0 + x0_), int(oy0 + y0_)]
            e['tilt_deg'] = round(b['tilt'], 2)
            e['passed'] = round(b['ink']['passed'], 3)
            if 'hue' in b['ink']: e['hue_deg'] = round(b['ink']['hue'], 1); e['off_way'] = b['ink']['way']
            if 'pen' in b['ink']: e['pen'] = b['ink']['pen']
            e['albedo'] = [round(float(v), 4) for v in b['ink']['w']]
            e['reach_mm'] = round(b['reach'], 2)
            if b['under']: e['under'] = b['under'][0]
        e.update(b['info'])
        tboxes.append(e)
    truth = dict(maker='teller', seed=SEED, dpi=dpi, dpi_in_file=bool(in_file), skew_deg=round(skew, 3), file=name,
                 boxes=tboxes, layout='netca-ln-procurement seal-application (3/8)', firm=firm, person=person,
                 seal_face=seal_face, legal_face=legal_face_k, sign_face=sign_face, line_mm=round(line_mm, 3),
                 render_px_per_mm=px, tinted=bool(tinted), strips=bool(strips), print_od=round(k_od, 3), strip_tint=round(strip_tint, 3),
                 capture=dict(skew0_deg=round(th0, 3), skew_drift_deg=round(dth, 3), feed_scale=round(fscale, 5),
                              whiten=soft['whiten'], sharpen=soft['sharpen'], jp2_rate=round(rate, 1), jp2_layers=layers,
                              export=fmt, jpeg_q=jq if fmt == 'jpg' else None))
    with open(os.path.join(OUT, stem + '.truth.json'), 'w') as f:
        json.dump(truth, f, ensure_ascii=False, indent=1)

if __name__ == '__main__':
    main()
