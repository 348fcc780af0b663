#!/usr/bin/env python3
# Maker P (issue 76, the sixteenth): one seal collection sheet with its truth (truth.md).
#   python3 make_sheet.py SEED OUTDIR INDEX
# Drawing: POV-Ray 3.7 ray-traces every shape and glyph (orthographic camera over the page, flat emissive
# faces, its own adaptive antialiasing) from TrueType text objects of the Un fonts (UnBatang, UnDotum,
# UnGungseo; fonts-unfonts-core), polygons, CSG cylinders and sphere sweeps (the pen). Form: nmgca-procurement's
# 附件二 (forms/), printed by a liquid-electrophotography digital press. Paper: a pulp-sheet drainage
# model. Ink: Neugebauer primaries over per-pixel colorant coverages (Demichel). Capture: a counter tablet's
# camera taking three bracketed frames merged to HDR and tone-mapped, then the counter app's page crop;
# codecs by netpbm (pnmtojpeg, pnmtopng, pamtotiff).
import sys, os, json, math, subprocess, tempfile, shutil
import numpy as np
from PIL import Image
from scipy import ndimage
from fontTools.ttLib import TTFont
from fontTools.pens.boundsPen import BoundsPen

FONT_DIR = '/usr/share/fonts/truetype/unfonts-core/'
FACES = {'batang': 'UnBatang.ttf', 'batangb': 'UnBatangBold.ttf', 'dotum': 'UnDotum.ttf',
         'dotumb': 'UnDotumBold.ttf', 'gungseo': 'UnGungseo.ttf'}

# Word lists: every word checked against all five faces (a missing character stops the sheet).
PLACES = ("北京 上海 天津 南京 西安 成都 杭州 福州 昆明 合肥 太原 石家庄 呼和浩特 赤峰 海口 常州 徐州 台州 泉州 九江 吉林 "
          "四平 大同 朔州 保定 邢台 唐山 廊坊 衡水 天水 德州 泰安 日照 南昌 宜昌 常德 桂林 柳州 大理 延安 酒泉 哈密 佳木斯 "
          "延吉 烟台 威海 淄博 湖州 舟山 中山 惠州 潮州 梅州 茂名 湛江").split()
CORES = ("宏泰 永安 天元 金石 万方 正大 中和 恒通 明德 安泰 大成 同仁 和平 光明 博文 永昌 泰和 祥和 德信 金泰 新星 万家 利民 "
         "天成 三和 富源 白云 金山 海天 四海 九州 百川 千山 春秋 太平 中天 天地 日升 月明 松柏 金鼎 玉成 和信 同心 大地 永和 "
         "文明 正元 嘉和 安康 吉祥 如意 昌盛 中信").split()
TRADES = ("科技 建筑 物流 能源 机械 化工 食品 印刷 水利 石油 工程 材料 信息 文化 旅游 酒店 木材 家具 五金 生物 石材 精密 通信 "
          "出版 保健 家政 安全 消防 花卉 肥料 水果 蔬菜 粮油 面粉 塑料 陶瓷 船舶 航空").split()
SURNAMES = ("王 李 周 徐 朱 胡 郭 何 高 林 梁 宋 唐 曹 彭 曾 田 董 袁 潘 于 蔡 余 杜 程 魏 丁 任 沈 姚 姜 崔 汪 范 金 石 廖 "
            "夏 付 方 白 孟 熊 秦 邱 江 尹 薛 段 雷 侯 史 陶 黎 毛 邵 万 武 戴 莫 孔 向 柳 安 包 左 常 文 古 牛 申 甘 易 辛 洪 柏 "
            "祝 殷 成").split()
GIVEN = ("明 文 平 海 勇 杰 超 强 磊 洋 敏 秀英 桂英 志强 永 春 秋 冬 雪 光 德 仁 智 信 忠 安 和 泰 成 福 喜 春生 天佑 "
         "文博 浩然 嘉 俊 晨 宇 淑 芳 英 梅 菊 竹 松 柏 建平 建明 建中 志明 永平 永明 永安 永福 玉梅 玉珍 玉英 秀珍 秀云 淑珍 "
         "淑英 春梅 秋菊 冬梅 海燕 海洋 海波 天明 天成 文明 文杰 立新 立平 正平 正明 德明 金生 金平 新民 光明 明德 明亮 "
         "明哲 小平 小明 大海 大勇 子明 子文 子健 一平 守仁 守信 思成 思明 嘉文 嘉明 俊杰 俊明 晨光 宇航 雪梅 雪松 英杰 梅芳 "
         "菊芳 松林 柏林 泉 源 林 森 峰 山 玉 珍 珠 燕").split()
SUFFIX = ['有限公司', '有限公司', '有限公司', '中心', '合作社']
FORM_WORDS = ['附件二：', '公章、私章及署名采集表', '法人印章及署名采集表', '本公司委托以下人士：', '姓名：', '手机：',
              'E-mail：', '日期：', '公章采集（采集三次）', '法定代表人私章采集（采集三次）', '法定代表人署名采集（三次）',
              '本公司同意提交以上信息，所有信息均有效，一切法律后果由本公司承受。', '委托人署名：', '公章：',
              '年    月    日', '注：在方格中盖章，不可出格，保持印面明了。', '受理人：', '之印', '印',
              '（盖章）', '盖章', '年 月 日', '公章', '印章', '0123456789-@.', 'abcdefghijklmnopqrstuvwxyz']
UNDER = ['（盖章）', '盖章', '年 月 日', '公章', '印章']

_FONTS = {}


def font(face):
    if face not in _FONTS:
        f = TTFont(FONT_DIR + FACES[face])
        _FONTS[face] = (f, f.getBestCmap(), f.getGlyphSet(), f['head'].unitsPerEm, f['hmtx'])
    return _FONTS[face]


def check_words():
    words = PLACES + CORES + TRADES + SURNAMES + GIVEN + SUFFIX + FORM_WORDS + UNDER
    for face in FACES:
        cm = font(face)[1]
        for w in words:
            for c in w:
                if c != ' ' and ord(c) not in cm:
                    raise SystemExit('make_sheet.py: face %s lacks %r (in %r)' % (face, c, w))


_BOX = {}


def ink_box(face, ch):
    """The glyph's ink box in em (x0, y0, x1, y1), y up."""
    k = (face, ch)
    if k not in _BOX:
        f, cm, gs, upm, _ = font(face)
        if ord(ch) not in cm:
            raise SystemExit('make_sheet.py: face %s lacks %r' % (face, ch))
        p = BoundsPen(gs)
        gs[cm[ord(ch)]].draw(p)
        b = p.bounds or (0, 0, upm, upm)
        _BOX[k] = tuple(v / upm for v in b)
    return _BOX[k]


def advance(face, s):
    f, cm, gs, upm, hmtx = font(face)
    return sum(hmtx[cm[ord(c)]][0] for c in s) / upm


# ---------------------------------------------------------------- POV-Ray
POV_HEAD = ('#version 3.7;\nglobal_settings { charset utf8 assumed_gamma 1.0 }\nbackground { rgb 0 }\n'
            '#declare FL = finish { ambient 0 emission 1 diffuse 0 };\n')


def pv(v):
    return '%.5f' % v


def pov_text(face, s, size, x, y, rgb='1,0,0', z=0.0):
    """Horizontal text, baseline-left at page (x, y) mm, em = size mm; with its window (mm)."""
    wdt = advance(face, s) * size
    return (('text { ttf "%s" "%s" 0.05, 0 scale <%s,%s,1> translate <%s,%s,%s> pigment { rgb <%s> } finish { FL } }\n'
             % (FONT_DIR + FACES[face], s, pv(size), pv(size), pv(x), pv(-y), pv(z), rgb)),
            (x - 0.6, y - 1.1 * size, x + wdt + 0.6, y + 0.4 * size))


def pov_glyph(face, ch, cx, cy, w, h, rot, z0=0.0, thick=0.05):
    """A glyph whose ink box is stretched to w x h mm, centred at local (cx, cy) (y up), turned rot° clockwise.
    (POV-Ray sets a lone glyph's ink from x = 0, its left side bearing dropped.)"""
    x0, y0, x1, y1 = ink_box(face, ch)
    return ('text { ttf "%s" "%s" %s, 0 translate <%s,%s,%s> scale <%s,%s,1> rotate z*%s translate <%s,%s,0> }\n'
            % (FONT_DIR + FACES[face], ch, pv(thick), pv(-(x1 - x0) / 2), pv(-(y0 + y1) / 2), pv(z0),
               pv(w / max(x1 - x0, 1e-3)), pv(h / max(y1 - y0, 1e-3)), pv(-rot), pv(cx), pv(cy)))


def pov_render(objs, x0, y0, W, H, g, tmp, name):
    """Render page window [x0, x0+W/g] x [y0, y0+H/g] (mm, y down) at g px/mm; returns float32 RGB 0..1."""
    w_mm, h_mm = W / g, H / g
    cam = ('camera { orthographic location <%s,%s,-10> direction <0,0,1> up <0,%s,0> right <%s,0,0> }\n'
           % (pv(x0 + w_mm / 2), pv(-(y0 + h_mm / 2)), pv(h_mm), pv(w_mm)))
    src = os.path.join(tmp, name + '.pov')
    out = os.path.join(tmp, name + '.png')
    with open(src, 'w', encoding='utf-8') as f:
        f.write(POV_HEAD + cam + objs)
    r = subprocess.run(['povray', '+I' + src, '+O' + out, '+W%d' % W, '+H%d' % H, '-D', '+FN16', '+WT1', '-GA',
                        '+A0.05', '+AM2', '+R2', '-J', 'File_Gamma=1.0', '-V'],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode != 0 or not os.path.exists(out):
        raise SystemExit('make_sheet.py: povray failed: ' + r.stderr.decode('utf-8', 'replace')[-800:])
    return _read16(out)[:, :, :3]


def pov_atlas(items, g, tmp, name, Hp, Wp):
    """Ray-trace many windows of the page in one POV-Ray run: every item (objects in page mm, its window) is
    moved by whole pixels onto a shelf of an atlas, rendered once and cut out again.
    Returns [(px0, py0, coverage RGB)] in the items' order."""
    wins = []
    for k, (obj, (x0, y0, x1, y1)) in enumerate(items):
        px0, py0 = max(0, int(math.floor(x0 * g))), max(0, int(math.floor(y0 * g)))
        px1, py1 = min(Wp, int(math.ceil(x1 * g))), min(Hp, int(math.ceil(y1 * g)))
        wins.append((k, px0, py0, max(1, px1 - px0), max(1, py1 - py0)))
    AW = max(2000, max(w for _, _, _, w, _ in wins) + 4)
    place = {}
    ax = ay = shelf = 0
    gap = int(2 * g)          # 2 mm between windows
    for k, px0, py0, w, h in sorted(wins, key=lambda t: (-t[4], t[0])):
        if ax + w > AW:
            ay += shelf + gap
            ax = shelf = 0
        place[k] = (ax, ay)
        ax += w + gap
        shelf = max(shelf, h)
    AH = ay + shelf + 1
    parts = []
    for (k, px0, py0, w, h), (obj, _) in zip(wins, items):
        ax, ay = place[k]
        cx0, cy0, cx1, cy1 = px0 / g, py0 / g, (px0 + w) / g, (py0 + h) / g
        # (no clipped_by: it makes POV-Ray test every ray against the text; the windows hold their objects)
        parts.append('object { union { %s } translate <%s,%s,0> }\n' % (obj, pv((ax - px0) / g), pv(-(ay - py0) / g)))
    atlas = pov_render(''.join(parts), 0.0, 0.0, AW, AH, g, tmp, name)
    out = []
    for (k, px0, py0, w, h) in wins:
        ax, ay = place[k]
        out.append((px0, py0, atlas[ay:ay + h, ax:ax + w, :].copy()))
    return out


def rect_cov(a, rc, g):
    """An axis-aligned rectangle (mm) as its exact area coverage of each pixel, max-ed into a."""
    x0, y0, x1, y1 = rc
    px0, py0 = max(0, int(math.floor(x0 * g))), max(0, int(math.floor(y0 * g)))
    px1, py1 = min(a.shape[1], int(math.ceil(x1 * g))), min(a.shape[0], int(math.ceil(y1 * g)))
    xs = np.arange(px0, px1) / g
    ys = np.arange(py0, py1) / g
    fx = np.clip(np.minimum(xs + 1 / g, x1) - np.maximum(xs, x0), 0, None) * g
    fy = np.clip(np.minimum(ys + 1 / g, y1) - np.maximum(ys, y0), 0, None) * g
    np.maximum(a[py0:py1, px0:px1], (fy[:, None] * fx[None, :]).astype(np.float32), out=a[py0:py1, px0:px1])


def _read16(path):
    # 16-bit RGB PNG: Pillow reads it as 8-bit RGB only; pngtopam keeps 16 bits.
    r = subprocess.run(['pngtopam', path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
    return read_pam(r.stdout)


def read_pam(data):
    # netpbm P6 (maxval 65535 or 255) or P7
    fields = []
    pos = 0
    magic = data[:2]
    if magic == b'P7':
        hdr_end = data.index(b'ENDHDR\n') + 7
        hdr = data[:hdr_end].decode().split('\n')
        d = {}
        for line in hdr[1:]:
            p = line.split()
            if len(p) >= 2:
                d[p[0]] = p[1]
        w, h, depth, mx = int(d['WIDTH']), int(d['HEIGHT']), int(d['DEPTH']), int(d['MAXVAL'])
        body = data[hdr_end:]
    else:
        pos = 2
        while len(fields) < 3:
            while data[pos:pos + 1].isspace():
                pos += 1
            if data[pos:pos + 1] == b'#':
                pos = data.index(b'\n', pos)
                continue
            st = pos
            while not data[pos:pos + 1].isspace():
                pos += 1
            fields.append(int(data[st:pos]))
        pos += 1
        w, h, mx = fields
        depth = 3 if magic == b'P6' else 1
        body = data[pos:]
    dt = '>u2' if mx > 255 else 'u1'
    a = np.frombuffer(body, dtype=dt, count=w * h * depth).reshape(h, w, depth).astype(np.float32) / mx
    return a


# ---------------------------------------------------------------- geometry helpers
def homography(src, dst):
    A = []
    b = []
    for (x, y), (u, v) in zip(src, dst):
        A.append([x, y, 1, 0, 0, 0, -u * x, -u * y]); b.append(u)
        A.append([0, 0, 0, x, y, 1, -v * x, -v * y]); b.append(v)
    h = np.linalg.solve(np.array(A, float), np.array(b, float))
    return np.array([[h[0], h[1], h[2]], [h[3], h[4], h[5]], [h[6], h[7], 1.0]])


def hmap(Hm, x, y):
    d = Hm[2, 0] * x + Hm[2, 1] * y + Hm[2, 2]
    return (Hm[0, 0] * x + Hm[0, 1] * y + Hm[0, 2]) / d, (Hm[1, 0] * x + Hm[1, 1] * y + Hm[1, 2]) / d


def smooth_noise(rng, shape, cell):
    """Smooth noise, unit std, correlation ~cell px."""
    sh = (max(2, int(shape[0] / cell) + 3), max(2, int(shape[1] / cell) + 3))
    n = rng.standard_normal(sh).astype(np.float32)
    z = ndimage.zoom(n, (shape[0] / (sh[0] - 2), shape[1] / (sh[1] - 2)), order=3)[:shape[0], :shape[1]]
    if z.shape != tuple(shape):
        z = np.pad(z, ((0, shape[0] - z.shape[0]), (0, shape[1] - z.shape[1])), mode='edge')
    s = z.std()
    return (z - z.mean()) / (s if s > 0 else 1)


def srgb(x):
    x = np.clip(x, 0, 1)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)


def hsv_hue(rgb):
    r, g, b = rgb
    mx, mn = max(rgb), min(rgb)
    if mx - mn < 1e-9:
        return 0.0
    if mx == r:
        h = 60 * ((g - b) / (mx - mn))
    elif mx == g:
        h = 60 * (2 + (b - r) / (mx - mn))
    else:
        h = 60 * (4 + (r - g) / (mx - mn))
    return (h + 180) % 360 - 180


# ---------------------------------------------------------------- paper: pulp-sheet drainage
def drainage_paper(rng, tile=384, cell_mm=0.08):
    """Fibres settle in layers on the wire; each layer lands where the mat drains fastest (thin spots),
    drainage ~ 1 / (r0 + local grammage over ~0.6 mm). Returns the basis-weight tile (mean 1)."""
    w = np.zeros((tile, tile), np.float32)
    layers = 9
    r0 = rng.uniform(0.4, 0.9)
    for L in range(layers):
        if L == 0:
            q = np.ones_like(w)
        else:
            q = 1.0 / (r0 + ndimage.gaussian_filter(w / max(w.mean(), 1e-6), 0.6 / cell_mm, mode='wrap'))
        # flocs: part of each layer arrives clumped
        q = q * np.exp(0.5 * smooth_noise(rng, w.shape, 1.2 / cell_mm))
        p = (q / q.sum()).ravel()
        nf = 9000
        idx = rng.choice(tile * tile, size=nf, p=p)
        cy, cx = np.divmod(idx, tile)
        ang = rng.normal(0, 0.6, nf)          # machine direction along x, spread
        lng = np.exp(rng.normal(np.log(1.4), 0.35, nf)) / cell_mm
        t = np.linspace(-0.5, 0.5, 24, dtype=np.float32)
        xs = (cx[:, None] + np.cos(ang)[:, None] * lng[:, None] * t[None, :]).round().astype(np.int64) % tile
        ys = (cy[:, None] + np.sin(ang)[:, None] * lng[:, None] * t[None, :]).round().astype(np.int64) % tile
        w += np.bincount((ys * tile + xs).ravel(), minlength=tile * tile).reshape(tile, tile).astype(np.float32)
    return w / w.mean()


# ---------------------------------------------------------------- main
def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    check_words()
    rng = np.random.default_rng(seed)
    stem = '%03d' % index
    tmp = tempfile.mkdtemp(prefix='tablet-')
    try:
        make(rng, seed, outdir, stem, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def make(rng, seed, outdir, stem, tmp):
    U = rng.uniform
    dpi = int(rng.choice([150, 200, 300, 400, 600], p=[0.10, 0.20, 0.50, 0.12, 0.08]))
    big = U() < 0.4                     # 12 MP tablet camera, else 8 MP
    g = 12                              # render grid px/mm
    Wp, Hp = int(round(210 * g)), int(round(297 * g))

    # ---------------- words
    firm = str(rng.choice(PLACES)) + str(rng.choice(CORES)) + str(rng.choice(TRADES)) + str(rng.choice(SUFFIX))
    sur = str(rng.choice(SURNAMES))
    given = str(rng.choice(GIVEN))
    person = sur + given
    FIRM[0], PERSON[0] = firm, person
    seal_face = 'batang' if U() < 0.7 else 'dotum'
    legal_face = str(rng.choice(['batang', 'dotum', 'gungseo'], p=[0.4, 0.3, 0.3]))
    title = '公章、私章及署名采集表' if U() < 0.6 else '法人印章及署名采集表'
    title_face = 'batangb' if U() < 0.6 else 'dotumb'

    # ---------------- layout (nmgca-procurement org-seal-application, 附件二)
    tx0 = 18.0 + U(-2, 2)
    ty0 = 16.0 + U(-2, 2)
    lw = U(0.2, 0.42)
    frame_w = lw * (U(1.5, 2.0) if U() < 0.3 else 1.0)
    strips = U() < 0.4
    strip_tint = U(0.10, 0.20)
    cols = [26, 32, 26, 32, 58]
    colx = np.concatenate([[0], np.cumsum(cols)]) + tx0
    top = ty0 + 16.0
    rows = [('head', 8), ('f1', 9), ('f2', 9), ('cap0', 8), ('box0', 52), ('cap1', 8), ('box1', 34),
            ('cap2', 8), ('box2', 32), ('decl', 66)]
    rowy = {}
    y = top
    for nm, h in rows:
        rowy[nm] = (y, y + h)
        y += h
    bottom = y
    bx = [tx0, tx0 + 58, tx0 + 116, tx0 + 174]
    kinds = ['official_seal', 'legal_rep_seal', 'signature']

    # ---------------- boxes and their draws
    boxes = []
    for r in range(3):
        ya, yb = rowy['box%d' % r]
        for c in range(3):
            inner = (bx[c] + (frame_w if c == 0 else lw) / 2, ya + lw / 2,
                     bx[c + 1] - (frame_w if c == 2 else lw) / 2, yb - lw / 2)
            boxes.append(dict(row=r, col=c, kind=kinds[r], rule=(bx[c], ya, bx[c + 1], yb), inner=inner))

    for b in boxes:
        draw_box(rng, b, person, seal_face, legal_face)

    # ---------------- form scene
    objs = []
    # rules
    rules = []

    def rule(x0, y0, x1, y1):
        rules.append((x0, y0, x1, y1))

    def hline(x0, x1, yy, w):
        rule(x0 - w / 2, yy - w / 2, x1 + w / 2, yy + w / 2)

    def vline(xx, y0, y1, w):
        rule(xx - w / 2, y0 - w / 2, xx + w / 2, y1 + w / 2)
    tx1 = tx0 + 174
    hline(tx0, tx1, top, frame_w)
    hline(tx0, tx1, bottom, frame_w)
    vline(tx0, top, bottom, frame_w)
    vline(tx1, top, bottom, frame_w)
    for nm, h in rows[1:]:
        hline(tx0, tx1, rowy[nm][0], lw)
    for nm in ('f1', 'f2'):
        for xx in colx[1:2].tolist() + colx[3:4].tolist() + colx[4:5].tolist():
            vline(xx, rowy[nm][0], rowy[nm][1], lw)
    for r in range(3):
        for xx in bx[1:3]:
            vline(xx, rowy['box%d' % r][0], rowy['box%d' % r][1], lw)
    strip_rects = [(tx0, rowy[nm][0], tx1, rowy[nm][1]) for nm in ('head', 'cap0', 'cap1', 'cap2')] if strips else []
    body = 'dotum'
    fs = 3.5
    objs.append(pov_text(body, '附件二：', 3.9, tx0, ty0 + 4))
    tw = advance(title_face, title) * 5.6
    objs.append(pov_text(title_face, title, 5.6, tx0 + 87 - tw / 2, ty0 + 12.5))

    def cell_text(s, x, nm, size=fs, face=body):
        ya, yb = rowy[nm]
        objs.append(pov_text(face, s, size, x, (ya + yb) / 2 + size * 0.36))
    cell_text('本公司委托以下人士：', tx0 + 2, 'head', face='dotumb')
    cell_text('姓名：', tx0 + 4, 'f1')
    cell_text(person, colx[1] + 3, 'f1', size=4.2, face='batang')
    cell_text('手机：', colx[3] - 22, 'f1')
    phone = '1' + ''.join(str(int(d)) for d in rng.integers(0, 10, 10))
    cell_text(phone, colx[3] + 3, 'f1')
    cell_text('E-mail：', tx0 + 3, 'f2')
    mail = ''.join(rng.choice(list('abcdefghijklmnopqrstuvwxyz'), 7)) + '@' + str(rng.choice(['163', '126', 'qq'])) + '.com'
    cell_text(mail, colx[1] + 3, 'f2')
    cell_text('日期：', colx[3] - 22, 'f2')
    cell_text('%d-%02d-%02d' % (2026, int(rng.integers(1, 13)), int(rng.integers(1, 29))), colx[3] + 3, 'f2')
    cell_text('公章采集（采集三次）', tx0 + 2, 'cap0', face='dotumb')
    cell_text('法定代表人私章采集（采集三次）', tx0 + 2, 'cap1', face='dotumb')
    cell_text('法定代表人署名采集（三次）', tx0 + 2, 'cap2', face='dotumb')
    dy = rowy['decl'][0]
    objs.append(pov_text(body, '本公司同意提交以上信息，所有信息均有效，一切法律后果由本公司承受。', fs, tx0 + 3, dy + 7))
    objs.append(pov_text(body, '公章：', fs, tx0 + 100, dy + 24))
    objs.append(pov_text(body, '委托人署名：', fs, tx0 + 100, dy + 44))
    objs.append(pov_text(body, '日期：', fs, tx0 + 100, dy + 58))
    objs.append(pov_text(body, '年    月    日', fs, tx0 + 122, dy + 58))
    objs.append(pov_text(body, '注：在方格中盖章，不可出格，保持印面明了。', 3.0, tx0, bottom + 6))
    objs.append(pov_text(body, '受理人：', 3.0, tx0 + 120, bottom + 6))
    for b in boxes:
        if b.get('under'):
            u = b['under']
            tw = advance(body, u['text']) * u['size']
            objs.append(pov_text(body, u['text'], u['size'], u['x'] - tw / 2, u['y'] + u['size'] * 0.36))
    # the faces (every pressing its own item), drawn before the atlas is rendered
    nform = len(objs)
    for b in boxes:
        if not b['empty']:
            prepare_face(rng, b, seal_face, legal_face)
            for it in b['items']:
                objs.append(it)
    rendered = pov_atlas(objs, g, tmp, 'atlas', Hp, Wp)
    text_cov = np.zeros((Hp, Wp), np.float32)
    for px0, py0, a in rendered[:nform]:
        h, w = a.shape[:2]
        np.maximum(text_cov[py0:py0 + h, px0:px0 + w], a[:, :, 0], out=text_cov[py0:py0 + h, px0:px0 + w])
    k = nform
    for b in boxes:
        if not b['empty']:
            b['covs'] = [rendered[k + j][2][:, :, 0] for j in range(len(b['items']))]
            b['win0'] = rendered[k][:2]
            k += len(b['items'])
    strip_cov = np.zeros((Hp, Wp), np.float32)
    for rc in strip_rects:
        rect_cov(strip_cov, rc, g)
    for rc in rules:
        rect_cov(text_cov, rc, g)

    # ---------------- print: liquid electrophotography (digital press)
    # ElectroInk: a thin film, sharp edges (tiny squash), solids of optical density 1.45-1.75, blanket mottle;
    # tints as an AM screen (175-200 lpi at 45°), the dots' coverage supersampled 4 x 4.
    squash = U(0.12, 0.25)
    k_cov = np.clip(ndimage.gaussian_filter(text_cov, squash) * 1.04, 0, 1)
    if strips:
        lpi = U(175, 200)
        per = 25.4 / lpi                     # mm
        ys, xs = np.nonzero(strip_cov > 0.01)
        if len(ys):
            acc = np.zeros(len(ys), np.float32)
            for sy in range(4):
                for sx in range(4):
                    X = (xs + (sx + 0.5) / 4) / g
                    Y = (ys + (sy + 0.5) / 4) / g
                    u = (X + Y) / math.sqrt(2) / per
                    v = (X - Y) / math.sqrt(2) / per
                    spot = (np.cos(2 * np.pi * u) + np.cos(2 * np.pi * v)) / 4 + 0.5   # 0..1
                    acc += (spot > 1 - strip_tint * 1.05).astype(np.float32)
            cov = acc / 16 * strip_cov[ys, xs]
            k_cov[ys, xs] = np.maximum(k_cov[ys, xs], cov)
    od_k = U(1.45, 1.75)
    mottle_k = 1 + U(0.01, 0.03) * smooth_noise(rng, (Hp // 8, Wp // 8), 6)
    mottle_k = ndimage.zoom(mottle_k, (Hp / mottle_k.shape[0], Wp / mottle_k.shape[1]), order=1)[:Hp, :Wp]
    r_k = np.float32(10 ** -od_k) * np.array([1.0, 1.0, U(1.0, 1.15)], np.float32)   # a neutral to cool black
    specks = rng.integers(0, 60)
    for _ in range(specks):
        yy, xx = int(rng.integers(0, Hp)), int(rng.integers(0, Wp))
        k_cov[yy:yy + 2, xx:xx + 2] = np.maximum(k_cov[yy:yy + 2, xx:xx + 2], U(0.3, 0.9))
    k_cov = np.clip(k_cov * np.clip(mottle_k, 0.9, 1.1), 0, 1)

    # ---------------- paper
    wt = drainage_paper(rng)
    tile = wt.shape[0]
    zf = 0.08 * g
    wtz = ndimage.zoom(wt, zf, order=1, mode='grid-wrap', grid_mode=True)
    ty_n = Hp // wtz.shape[0] + 2
    tx_n = Wp // wtz.shape[1] + 2
    oy, ox = int(rng.integers(0, wtz.shape[0])), int(rng.integers(0, wtz.shape[1]))
    big_w = np.tile(wtz, (ty_n, tx_n))[oy:oy + Hp, ox:ox + Wp]

    fine = big_w - 1.0
    slope = np.gradient(ndimage.gaussian_filter(big_w, 0.6), axis=1)
    a_form = U(0.006, 0.012)
    a_slope = U(0.02, 0.05)
    paper_l = 1 + a_form * fine / max(fine.std(), 1e-6) * 0.5 + a_slope * slope
    del big_w, fine, slope
    white = U(0.84, 0.9)
    pw = np.array([white * U(0.99, 1.01), white, white * U(0.985, 1.03)], np.float32)
    tinted = U() < 0.05
    tint_info = None
    if tinted:
        kind_t = str(rng.choice(['cream', 'pink', 'blue', 'green']))
        od = U(0.12, 0.22)
        ratio = {'cream': (0.15, 0.45, 1.0), 'pink': (0.1, 1.0, 0.55), 'blue': (1.0, 0.45, 0.1),
                 'green': (0.9, 0.2, 0.8)}[kind_t]
        pw = pw * np.array([10 ** (-od * q) for q in ratio], np.float32)
        tint_info = dict(kind=kind_t, od_max=round(od, 3))
    R = paper_l[:, :, None].astype(np.float32) * pw[None, None, :]
    del paper_l

    # stains (coffee drops with a Deegan rim) in bg_not_white boxes
    for b in boxes:
        if b.get('stain') and not tinted:
            apply_stain(rng, b, R, g)
    if tinted:
        for b in boxes:
            b['defects'].append('bg_not_white')

    # the form's ink over the paper (Neugebauer: paper and ink primaries, coverage k_cov)
    R *= (1 - k_cov[:, :, None] * (1 - r_k[None, None, :]))
    k_cov_keep = k_cov
    del k_cov, text_cov, strip_cov

    # ---------------- impressions
    for i, b in enumerate(boxes):
        if b['empty']:
            continue
        ink_box_impressions(rng, b, R, k_cov_keep, g)
    del k_cov_keep

    # ---------------- capture: tablet camera, three brackets, HDR merge, the app's crop
    img, geo = tablet_capture(rng, R, g, big, dpi, boxes)
    del R

    # SEAL_SHEET_DPI after every other draw
    env_dpi = os.environ.get('SEAL_SHEET_DPI')
    out_dpi = int(env_dpi) if env_dpi else dpi
    deliver(rng, img, geo, out_dpi, boxes, outdir, stem, seed, dict(
        firm=firm, person=person, seal_face=FACES[seal_face], legal_face=FACES[legal_face], line_mm=round(lw, 3),
        render_px_per_mm=g, camera_mp=12 if big else 8, tint=tint_info, strips=strips))


# ---------------------------------------------------------------- per-box draws
def draw_box(rng, b, person, seal_face, legal_face):
    U = rng.uniform
    kind = b['kind']
    x0, y0, x1, y1 = b['inner']
    b['defects'] = []
    b['borderline'] = []
    b['info'] = {}
    if kind == 'signature':
        b['empty'] = U() < 0.06
        b['stain'] = U() < 0.08
        if b['stain']:
            b['defects'].append('bg_not_white')
        if b['empty']:
            b['defects'].append('empty')
            return
        b['pale'] = U() < 0.07
        if b['pale']:
            b['defects'].append('pale')
        b['push'] = U(1.2, 3.0) if U() < 0.13 else 0.0
        b['tilt'] = U(-2, 2)
        b['off'] = 0.0
        b['double'] = None
        b['smear'] = None
        b['broken'] = None
        b['under'] = None
        return
    b['empty'] = U() < 0.08
    b['stain'] = False
    if b['empty']:
        b['defects'].append('empty')
        if U() < 0.12:
            b['stain'] = True
            b['defects'].append('bg_not_white')
        return
    picks = []
    if U() < 0.58:
        names = ['double', 'smudged', 'broken', 'pale', 'off_color', 'tilted', 'push', 'stain', 'under']
        wts = np.array([13, 13, 13, 12, 11, 13, 10, 7, 8], float)
        picks.append(str(rng.choice(names, p=wts / wts.sum())))
        if U() < 0.2:
            second = str(rng.choice(['tilted', 'stain', 'under', 'push', 'double', 'pale']))
            bad = {('double', 'smudged'), ('double', 'broken'), ('pale', 'off_color'), ('pale', 'double')}
            if second not in picks and (picks[0], second) not in bad and (second, picks[0]) not in bad:
                picks.append(second)
    b['picks'] = picks
    b['pale'] = 'pale' in picks
    b['off'] = (U(20, 32) * (1 if U() < 0.5 else -1)) if 'off_color' in picks else 0.0
    b['tilt'] = U(12, 28) * (1 if U() < 0.5 else -1) if 'tilted' in picks else U(-2, 2)
    b['double'] = (U(0.9, 2.4), U(0, 360), U(-1.5, 1.5), U(0.5, 0.9)) if 'double' in picks else None
    b['smear'] = (U(0.8, 1.3), U(0, 360), U(0.5, 0.65), U(0.25, 0.45)) if 'smudged' in picks else None
    b['broken'] = (U(0.18, 0.30), U(0, 360), U(0.3, 0.7)) if 'broken' in picks else None
    b['stain'] = 'stain' in picks
    b['push'] = U(1.2, 3.0) if 'push' in picks else 0.0
    b['under'] = None
    if kind == 'official_seal':
        b['D'] = U(38.5, 44.5)
        b['diameter_mm'] = round(b['D'], 2)
        half = (b['D'] / 2, b['D'] / 2)
    else:
        if U() < 0.62:
            s = U(15.5, 21.5)
            w, h = s, s
        else:
            L = U(17.5, 22)
            a = U(1.2, 1.5)
            w, h = (L, L / a) if U() < 0.5 else (L / a, L)
        b['W'], b['H'] = w, h
        b['size_mm'] = [round(w, 2), round(h, 2)]
        half = (w / 2, h / 2)
    cx, cy = (x0 + x1) / 2 + U(-2, 2), (y0 + y1) / 2 + U(-2, 2)
    if 'under' in picks:
        text = str(rng.choice(UNDER))
        size = U(3.8, 5.0)
        ux = (x0 + x1) / 2 + U(-6, 6)
        uy = (y0 + y1) / 2 + (y1 - y0) * U(0.22, 0.3)
        b['under'] = dict(text=text, size=size, x=ux, y=uy)
        cy = cy + 0.75 * (uy - cy)
        cx = cx + 0.75 * (ux - cx)
        # keep the face 0.8 mm inside the rules unless it is also pushed
        ext = turned_half(half, b['tilt'])
        cx = min(max(cx, x0 + ext[0] + 0.8), x1 - ext[0] - 0.8) if x1 - x0 > 2 * ext[0] + 1.6 else (x0 + x1) / 2
        cy = min(max(cy, y0 + ext[1] + 0.8), y1 - ext[1] - 0.8) if y1 - y0 > 2 * ext[1] + 1.6 else (y0 + y1) / 2
    if b['push']:
        ext = turned_half(half, b['tilt'])
        side = int(rng.integers(0, 4))
        p = b['push']
        if side == 0:
            cx = x0 - p + ext[0]
        elif side == 1:
            cx = x1 + p - ext[0]
        elif side == 2:
            cy = y0 - p + ext[1]
        else:
            cy = y1 + p - ext[1]
        b['info']['push_mm'] = round(p, 2)
    b['cx'], b['cy'] = cx, cy


def turned_half(half, tilt):
    t = math.radians(tilt)
    c, s = abs(math.cos(t)), abs(math.sin(t))
    return (half[0] * c + half[1] * s, half[0] * s + half[1] * c)


def apply_stain(rng, b, R, g):
    U = rng.uniform
    x0, y0, x1, y1 = b['inner']
    Hp, Wp = R.shape[:2]
    px0, py0 = int(x0 * g), int(y0 * g)
    px1, py1 = int(math.ceil(x1 * g)), int(math.ceil(y1 * g))
    h, w = py1 - py0, px1 - px0
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    X = (xx + px0 + 0.5) / g
    Y = (yy + py0 + 0.5) / g
    cx = (x0 + x1) / 2 + U(-0.1, 0.1) * (x1 - x0)
    cy = (y0 + y1) / 2 + U(-0.1, 0.1) * (y1 - y0)
    ax = (x1 - x0) * U(0.78, 0.98) / 2
    ay = (y1 - y0) * U(0.78, 0.98) / 2
    ang = np.arctan2(Y - cy, X - cx)
    wav = 1 + 0.06 * np.sin(3 * ang + U(0, 6)) + 0.04 * np.sin(5 * ang + U(0, 6))
    rr = np.sqrt(((X - cx) / ax) ** 2 + ((Y - cy) / ay) ** 2) / wav
    body = np.clip((1 - rr) / 0.04, 0, 1)
    rim = np.exp(-((rr - 0.97) / 0.03) ** 2)
    od = U(0.12, 0.2)
    dens = od * (0.75 * body + 0.9 * rim)
    # fade over 1.5 mm before 2 mm inside the rules
    dist = np.minimum.reduce([X - x0, x1 - X, Y - y0, y1 - Y])
    fade = np.clip((dist - 2.0) / 1.5, 0, 1)
    chan = np.array([0.45, 1.0, 1.7], np.float32)   # coffee: strongest in blue
    ok = False
    for _ in range(5):
        d = dens * fade
        inside = dist >= 2.0
        frac = float(((d * chan[2]) >= 0.1)[inside].mean())
        if frac >= 0.36:
            ok = True
            break
        dens = dens * 1.3
    d = dens * fade
    R[py0:py1, px0:px1, :] *= np.power(10.0, -d[:, :, None] * chan[None, None, :]).astype(np.float32)
    if 'bg_not_white' not in b['defects']:
        b['defects'].append('bg_not_white')
    if not ok:
        b['defects'].remove('bg_not_white')
        b['borderline'].append('bg_not_white')
    b['info']['stain'] = dict(kind='coffee', od_max=round(float(d.max() * chan[2]), 3), area_od_0_1=round(frac, 3))


# ---------------------------------------------------------------- faces as POV-Ray objects (local mm, y up)
def official_objs(rng, b, face, firm):
    U = rng.uniform
    D = b['D']
    Rr = D / 2
    rw = U(0.9, 1.5)
    o = ['difference { cylinder { <0,0,0>, <0,0,0.05>, %s } cylinder { <0,0,-1>, <0,0,1>, %s } }\n' % (pv(Rr), pv(Rr - rw))]
    if U() < 0.15:
        ri = Rr - rw - U(0.7, 1.1)
        o.append('difference { cylinder { <0,0,0>, <0,0,0.05>, %s } cylinder { <0,0,-1>, <0,0,1>, %s } }\n' % (pv(ri), pv(ri - 0.25)))
        rin = ri - 0.25
    else:
        rin = Rr - rw
    rs = Rr * U(0.28, 0.33)
    pts = []
    for k in range(10):
        a = math.pi / 2 + k * math.pi / 5
        rad = rs if k % 2 == 0 else rs * 0.382
        pts.append((rad * math.cos(a), rad * math.sin(a)))
    pts.append(pts[0])
    o.append('polygon { %d, %s }\n' % (len(pts), ', '.join('<%s,%s>' % (pv(x), pv(y)) for x, y in pts)))
    n = len(firm)
    span = math.radians(U(205, 250))
    hc = D * U(0.15, 0.18)
    gap = U(0.8, 1.4)
    rc = rin - gap - hc / 2
    step = span / n
    wc = min(hc * U(0.62, 0.82), rc * step * 0.86)
    for i, ch in enumerate(firm):
        phi = -span / 2 + step * (i + 0.5)
        o.append(pov_glyph(face, ch, rc * math.sin(phi), rc * math.cos(phi), wc, hc, math.degrees(phi)))
    if U() < 0.45:
        code = ''.join(str(int(d)) for d in rng.integers(0, 10, 13))
        hd = D * 0.055
        rdd = rin - 0.6 - hd / 2
        sp = math.radians(62)
        st = sp / 13
        wd = min(hd * 0.55, rdd * st * 0.8)
        for k, ch in enumerate(code):
            phi = math.pi + sp / 2 - st * (k + 0.5)
            o.append(pov_glyph('dotum', ch, rdd * math.sin(phi), rdd * math.cos(phi), wd, hd,
                               math.degrees(phi) - 180))
        b['info']['code'] = code
    b['info']['ring_mm'] = round(rw, 2)
    return 'union { %s }' % ''.join(o)


def legal_objs(rng, b, face, person):
    U = rng.uniform
    w, h = b['W'], b['H']
    fw = U(0.6, 1.1)
    yin = U() < 0.22
    chars = list(person + ('之印' if len(person) == 2 else '印'))
    if len(chars) > 4:
        chars = chars[:3] + ['印']
    pad = fw + U(0.3, 0.7)
    iw, ih = w - 2 * pad, h - 2 * pad
    cw, chh = iw / 2, ih / 2
    cells = [(iw / 4, ih / 4), (iw / 4, -ih / 4), (-iw / 4, ih / 4), (-iw / 4, -ih / 4)]   # right col first, top-down
    b['info']['yin'] = yin
    if yin:
        gl = ''.join(pov_glyph(face, ch, cx, cy, cw * 0.86, chh * 0.86, 0, z0=-1.0, thick=3.0)
                     for ch, (cx, cy) in zip(chars, cells))
        return ('difference { box { <%s,%s,0>, <%s,%s,0.05> } union { %s } }'
                % (pv(-w / 2), pv(-h / 2), pv(w / 2), pv(h / 2), gl))
    gl = ''.join(pov_glyph(face, ch, cx, cy, cw * 0.9, chh * 0.9, 0) for ch, (cx, cy) in zip(chars, cells))
    frame = ('difference { box { <%s,%s,0>, <%s,%s,0.05> } box { <%s,%s,-1>, <%s,%s,1> } }\n'
             % (pv(-w / 2), pv(-h / 2), pv(w / 2), pv(h / 2), pv(-w / 2 + fw), pv(-h / 2 + fw), pv(w / 2 - fw), pv(h / 2 - fw)))
    return 'union { %s %s }' % (frame, gl)


def signature_objs(rng, b, person):
    """A pen path per character: 3-5 strokes in the directions of 横 竖 撇 捺 点 折, each a cubic Bézier sampled
    into a POV-Ray sphere_sweep whose radius follows the pen's pressure; ligatures between some strokes."""
    U = rng.uniform
    n = len(person)
    cell = U(9, 12.5)
    adv = cell * U(0.75, 0.95)
    slant = math.tan(math.radians(U(6, 18)))
    width = U(0.4, 0.62)
    dirs = {'heng': (1, 0.08), 'shu': (0.05, -1), 'pie': (-0.7, -0.8), 'na': (0.75, -0.7), 'dian': (0.4, -0.45),
            'zhe': None}
    o = []
    total = adv * (n - 1) + cell
    xs0 = -total / 2 + cell / 2
    EXT[:] = [1e9, -1e9, 1e9, -1e9]
    prev_end = None
    for i in range(n):
        ccx = xs0 + i * adv
        nst = int(rng.integers(3, 6))
        for s in range(nst):
            kname = str(rng.choice(list(dirs.keys()), p=[0.28, 0.22, 0.16, 0.14, 0.1, 0.1]))
            L = cell * U(0.35, 0.85)
            sx = ccx + U(-0.35, 0.35) * cell
            sy = U(-0.35, 0.35) * cell
            if kname == 'zhe':
                p0 = np.array([sx - L / 2, sy + L / 4])
                p3 = np.array([sx + L / 2 * U(0.6, 1.0), sy - L / 2])
                p1 = np.array([sx + L / 2, sy + L / 4 + U(-0.5, 0.5)])
                p2 = np.array([sx + L / 2 + U(-0.5, 0.5), sy])
            else:
                d = np.array(dirs[kname], float)
                d /= np.linalg.norm(d)
                if kname == 'dian':
                    L *= 0.35
                p0 = np.array([sx, sy]) - d * L / 2
                p3 = np.array([sx, sy]) + d * L / 2
                nrm = np.array([-d[1], d[0]])
                p1 = p0 + d * L / 3 + nrm * U(-0.15, 0.15) * L
                p2 = p0 + 2 * d * L / 3 + nrm * U(-0.15, 0.15) * L
            pts = bezier(p0, p1, p2, p3, 14)
            if prev_end is not None and U() < 0.45:
                pts = np.vstack([bezier(prev_end, prev_end + (pts[0] - prev_end) * 0.3 + U(-0.6, 0.6, 2),
                                        pts[0] - (pts[1] - pts[0]) * 2, pts[0], 8)[:-1], pts])
            press = 0.5 * width * (0.75 + 0.35 * np.sin(np.linspace(0, math.pi, len(pts))) + U(-0.05, 0.05, len(pts)))
            prev_end = pts[-1]
            o.append(sweep(pts, press, slant))
    if U() < 0.4:
        e = prev_end
        pts = bezier(e, e + [U(1, 3), U(-3, -1)], e + [U(3, 6), U(0, 3)], e + [U(6, 10), U(-1, 1)], 16)
        o.append(sweep(pts, 0.5 * width * np.linspace(0.9, 0.5, len(pts)), slant))
    b['info']['pen_mm'] = round(width, 2)
    b['nominal_half'] = total / 2 + 0.5
    b['sig_ext'] = tuple(EXT)
    b['cell'] = cell
    return 'union { %s }' % ''.join(o)


def bezier(p0, p1, p2, p3, n):
    t = np.linspace(0, 1, n)[:, None]
    return ((1 - t) ** 3) * p0 + 3 * ((1 - t) ** 2) * t * p1 + 3 * (1 - t) * t * t * p2 + t ** 3 * p3


def sweep(pts, rad, slant):
    # drop points closer than a tenth of the radius (POV-Ray's sweep dislikes repeats)
    keep = [0]
    for k in range(1, len(pts)):
        if np.hypot(*(pts[k] - pts[keep[-1]])) > 0.05:
            keep.append(k)
    if len(keep) < 2:
        keep = [0, len(pts) - 1]
        pts = pts.copy()
        pts[-1] = pts[0] + [0.1, 0]
    items = ', '.join('<%s,%s,0>, %s' % (pv(pts[k][0] + pts[k][1] * slant), pv(pts[k][1]), pv(max(rad[k], 0.1)))
                      for k in keep)
    for k in keep:
        x, y, r = pts[k][0] + pts[k][1] * slant, pts[k][1], max(rad[k], 0.1)
        EXT[0] = min(EXT[0], x - r); EXT[1] = max(EXT[1], x + r)
        EXT[2] = min(EXT[2], y - r); EXT[3] = max(EXT[3], y + r)
    return 'sphere_sweep { linear_spline %d, %s }\n' % (len(keep), items)


EXT = [0.0, 0.0, 0.0, 0.0]     # the pen's extent (local mm, y up) while a signature is drawn


# ---------------------------------------------------------------- inks
def seal_primary(rng, off, pale):
    """The paste's Neugebauer primary over the paper (relative reflectance per channel) and its coverage.
    The nominal coverage A makes the strongest channel pass T of the light (full 0.05-0.14, pale 0.32-0.68)."""
    U = rng.uniform
    for attempt in range(200):
        rR = U(0.58, 0.82)
        rS = U(0.025, 0.06)
        T = U(0.32, 0.68) if pale else U(0.05, 0.14)
        A = (1 - T) / (1 - rS)
        # an off-colour hue is moved further from red, half a degree an attempt, until every check holds
        target = (off + math.copysign(0.5 * attempt, off)) if off else U(-3, 3)
        # towards orange blue is the strongest absorber and green is found, towards purple the reverse
        orange = target >= 0

        def prim(x):
            return np.array([rR, x, rS] if orange else [rR, rS, x])

        def hue_at(x, a):
            return hsv_hue(srgb(1 - a * (1 - prim(x))).tolist())
        # the weaker channel found by bisection so the hue at the nominal coverage is the target
        lo, hi = rS, 0.6
        for _ in range(60):
            mid = (lo + hi) / 2
            if (hue_at(mid, A) < target) == orange:
                lo = mid
            else:
                hi = mid
        x = (lo + hi) / 2
        hs = [hue_at(x, A * f) for f in (0.5, 0.8, 1.0)]
        if off == 0 and all(abs(h) <= 7 for h in hs):
            return prim(x).astype(np.float32), A, T, hue_at(x, A)
        if off != 0 and all(16 <= abs(h) <= 50 and np.sign(h) == np.sign(off) for h in hs):
            return prim(x).astype(np.float32), A, T, hue_at(x, A)
    raise SystemExit('make_sheet.py: no ink found for hue %s' % off)


def pen_primary(rng, pale):
    U = rng.uniform
    kind = str(rng.choice(['blue', 'black', 'blue-black'], p=[0.5, 0.3, 0.2]))
    base = {'blue': (0.10, 0.2, 0.62), 'black': (0.05, 0.055, 0.07), 'blue-black': (0.07, 0.1, 0.25)}[kind]
    r = np.array(base, np.float32) * U(0.9, 1.1)
    T = U(0.32, 0.6) if pale else U(0.08, 0.18)
    A = (1 - T) / (1 - float(r.min()))
    return r, min(A, 1.0), T, kind


def prepare_face(rng, b, seal_face, legal_face):
    """The face as POV-Ray objects placed on the page, one item per pressing, each with its window."""
    U = rng.uniform
    kind = b['kind']
    if kind == 'official_seal':
        local = official_objs(rng, b, seal_face, FIRM[0])
    elif kind == 'legal_rep_seal':
        local = legal_objs(rng, b, legal_face, PERSON[0])
    else:
        local = signature_objs(rng, b, PERSON[0])
        x0, y0, x1, y1 = b['inner']
        xmn, xmx, ymn, ymx = b['sig_ext']
        # the strokes' own extent centred in the box, moved at most 2 / 2.5 mm while 1 mm inside the rules
        cx = (x0 + x1) / 2 - (xmn + xmx) / 2 + U(-2, 2)
        cy = (y0 + y1) / 2 + (ymn + ymx) / 2 + U(-2.5, 2.5)
        lo, hi = x0 + 1 - xmn, x1 - 1 - xmx
        cx = min(max(cx, lo), hi) if lo <= hi else (lo + hi) / 2
        lo, hi = y0 + 1 + ymx, y1 - 1 + ymn
        cy = min(max(cy, lo), hi) if lo <= hi else (lo + hi) / 2
        if b['push']:
            # the ink pushed sideways 1.2-3 mm past the inner edge of a rule
            cx = (x0 - b['push'] - xmn) if U() < 0.5 else (x1 + b['push'] - xmx)
            b['info']['push_mm'] = round(b['push'], 2)
        b['cx'], b['cy'] = cx, cy
    cx, cy = b['cx'], b['cy']

    def placed(dx=0.0, dy=0.0, dr=0.0):
        return ('object { %s rotate z*%s translate <%s,%s,0> pigment { rgb <1,1,1> } finish { FL } }\n'
                % (local, pv(-(b['tilt'] + dr)), pv(cx + dx), pv(-(cy + dy))))
    if kind == 'official_seal':
        ex, ey = b['D'] / 2, b['D'] / 2
    elif kind == 'legal_rep_seal':
        ex, ey = turned_half((b['W'] / 2, b['H'] / 2), b['tilt'])
    else:
        ex = ey = None
    m = 3.0 + (b['double'][0] if b.get('double') else 0.0)
    if ex is None:
        xmn, xmx, ymn, ymx = b['sig_ext']
        win = (cx + xmn - m, cy - ymx - m, cx + xmx + m, cy - ymn + m)
    else:
        win = (cx - ex - m, cy - ey - m, cx + ex + m, cy + ey + m)
    b['items'] = [(placed(), win)]
    if kind != 'signature' and b['double']:
        off, ang, dr, load = b['double']
        b['items'].append((placed(off * math.cos(math.radians(ang)), off * math.sin(math.radians(ang)), dr), win))


def ink_box_impressions(rng, b, R, k_cov, g):
    U = rng.uniform
    kind = b['kind']
    cov1 = b['covs'][0]
    H, W = cov1.shape
    px0, py0 = b['win0']
    px1, py1 = px0 + W, py0 + H
    mask_cov = cov1.copy()
    uncut_cov = cov1.copy()
    # ink primary
    if kind == 'signature':
        r_ink, A, T, pen = pen_primary(rng, b['pale'])
        b['info'].update(pen=pen, passed=round(T, 3))
        hue = None
    else:
        r_ink, A, T, hue = seal_primary(rng, b['off'], b['pale'])
        b['info'].update(passed=round(T, 3), hue_deg=round(hue, 2), r_ink=[round(float(v), 4) for v in r_ink])
        if b['off']:
            b['defects'].append('off_color')
            b['info']['off_way'] = 'orange' if b['off'] > 0 else 'purple'
        if b['pale']:
            b['defects'].append('pale')
    # the paste's transfer: a pad mottle (only thinning) and the contact cells (per pixel thinning)
    mott = 1 - U(0.04, 0.12) * np.clip(0.5 + 0.5 * smooth_noise(rng, (H, W), max(2, U(0.8, 2.0) * g)), 0, 1)
    cells = 1 - U(0.0, 0.08) * rng.random((H, W), dtype=np.float32)
    a1 = cov1 * A * mott * cells
    if kind != 'signature' and b['broken']:
        lost, ang, fadew = b['broken']
        yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
        t = math.radians(ang)
        plane = (xx * math.cos(t) + yy * math.sin(t)) / g + 0.3 * smooth_noise(rng, (H, W), 0.6 * g)
        ink = cov1 >= 0.5
        q = float(np.quantile(plane[ink], lost))
        fade = np.clip((plane - q) / fadew + 0.5, 0, 1)
        a1 *= fade
        mask_cov = mask_cov * (fade >= 0.5)
        b['defects'].append('broken')
        b['info']['lost'] = round(lost, 3)
    if kind != 'signature' and b['smear']:
        dist, ang, keep, wend = b['smear']
        steps = max(2, int(dist * g * 2))
        t = math.radians(ang)
        acc = np.zeros_like(a1)
        mx = mask_cov.copy()
        wsum = 0.0
        for k in range(1, steps + 1):
            f = k / steps
            wgt = 1 - (1 - wend) * f
            sh = (f * dist * g * math.sin(t), f * dist * g * math.cos(t))
            acc += wgt * ndimage.shift(a1, sh, order=1, mode='constant')
            mx = np.maximum(mx, ndimage.shift(mask_cov, sh, order=1, mode='constant'))
            wsum += wgt
        a1 = keep * a1 + (1 - keep) * acc / wsum
        mask_cov = mx
        b['defects'].append('smudged')
        b['info'].update(smear_mm=round(dist, 2), smear_deg=round(ang, 1))
    layers = [a1]
    if kind != 'signature' and b['double']:
        off, ang, dr, load = b['double']
        cov2 = b['covs'][1]
        mott2 = 1 - U(0.04, 0.12) * np.clip(0.5 + 0.5 * smooth_noise(rng, (H, W), max(2, 1.2 * g)), 0, 1)
        layers.append(cov2 * A * load * mott2)
        mask_cov = np.maximum(mask_cov, cov2)
        uncut_cov = np.maximum(uncut_cov, cov2)
        b['defects'].append('double')
        b['info'].update(double_offset_mm=round(off, 2))
    if kind != 'signature' and abs(b['tilt']) > 5:
        b['defects'].append('tilted')
    if kind != 'signature' and b['under']:
        b['defects'].append('text_under')
        b['info']['under'] = b['under']['text']
    b['info']['tilt_deg'] = round(b['tilt'], 2)
    # Neugebauer over what lies below: each colorant with coverage a: (1 - a) R + a R_primary,
    # the primary over black ink lighter than multiplicative (the paste hides little of the toner)
    sub = R[py0:py1, px0:px1, :]
    kk = k_cov[py0:py1, px0:px1][:, :, None]
    for a in layers:
        prim = np.power(r_ink[None, None, :], 1 - 0.65 * kk)
        sub *= (1 - a[:, :, None] * (1 - prim))
    b['win'] = (px0, py0, px1, py1)
    b['mask_cov'] = mask_cov.astype(np.float32)
    # overlap_line from the ink (coverage >= 0.5) against the inner edges of the box's rules
    x0, y0, x1, y1 = b['inner']
    reach = reach_past(mask_cov, px0, py0, g, b['inner'])
    b['info']['reach_mm'] = round(reach, 3)
    if reach > 0.3:
        b['defects'].append('overlap_line')
    elif reach >= -0.3:
        b['borderline'].append('overlap_line')
    elif b.get('broken') and kind != 'signature':
        if reach_past(uncut_cov, px0, py0, g, b['inner']) >= -0.3:
            b['borderline'].append('overlap_line')


def reach_past(cov, px0, py0, g, inner):
    ys, xs = np.nonzero(cov >= 0.5)
    if len(ys) == 0:
        return -99.0
    x0, y0, x1, y1 = inner
    X0 = (xs.min() + px0) / g
    X1 = (xs.max() + 1 + px0) / g
    Y0 = (ys.min() + py0) / g
    Y1 = (ys.max() + 1 + py0) / g
    return float(max(x0 - X0, X1 - x1, y0 - Y0, Y1 - y1))


FIRM = ['']
PERSON = ['']


# ---------------------------------------------------------------- capture
def tablet_capture(rng, R, g, big, dpi, boxes):
    U = rng.uniform
    Ws, Hs = (3024, 4032) if big else (2448, 3264)
    Hp, Wp = R.shape[:2]
    long_px = Hs * U(0.84, 0.92)
    s = long_px / 297.0
    th = math.radians(rng.normal(0, 0.5) if U() < 0.5 else U(0.3, 2.0) * (1 if U() < 0.5 else -1))
    cxs, cys = Ws / 2 + rng.normal(0, 0.012 * Ws), Hs / 2 + rng.normal(0, 0.012 * Hs)
    corners = [(0, 0), (210, 0), (210, 297), (0, 297)]
    dst = []
    for (x, y) in corners:
        u, v = (x - 105) * s, (y - 148.5) * s
        dst.append((cxs + u * math.cos(th) - v * math.sin(th) + rng.normal(0, 0.006 * Ws),
                    cys + u * math.sin(th) + v * math.cos(th) + rng.normal(0, 0.006 * Hs)))
    Ht = homography(corners, dst)           # page mm -> sensor px
    Hinv = np.linalg.inv(Ht)
    # anti-alias pre-filter of the page at the render grid for the sensor's sampling
    ratio = g / s
    pre = 0.42 * ratio if ratio > 1 else 0.35
    desk = np.array([U(0.25, 0.4), U(0.15, 0.25), U(0.08, 0.14)] if U() < 0.5 else [U(0.1, 0.3)] * 3, np.float32)
    rad = np.empty((3, Hs, Ws), np.float32)      # channel first
    yy0 = np.arange(Hs, dtype=np.float64)
    xx = np.arange(Ws, dtype=np.float64) + 0.5
    chans = [ndimage.gaussian_filter(R[:, :, c], pre) for c in range(3)]
    step = 256
    for r0 in range(0, Hs, step):
        r1 = min(Hs, r0 + step)
        Y, X = np.meshgrid(yy0[r0:r1] + 0.5, xx, indexing='ij')
        mx, my = hmap(Hinv, X, Y)
        rc = np.stack([my * g - 0.5, mx * g - 0.5])
        for c in range(3):
            rad[c, r0:r1, :] = ndimage.map_coordinates(chans[c], rc, order=1, mode='constant', cval=desk[c])
    del chans
    # light: room light gradient, the tablet's soft shadow for some, lens vignetting
    Y, X = np.mgrid[0:Hs:8, 0:Ws:8].astype(np.float32)
    Xn, Yn = (X - Ws / 2) / Ws, (Y - Hs / 2) / Hs
    light = 1 + U(-0.06, 0.06) * Xn * 2 + U(-0.08, 0.08) * Yn * 2
    shadow = None
    if U() < 0.35:
        a = U(0, 2 * math.pi)
        d = Xn * math.cos(a) + Yn * math.sin(a) - U(0.05, 0.35)
        depth = U(0.15, 0.35)
        soft = U(0.04, 0.1)
        light *= 1 - depth * 0.5 * (1 + np.tanh(d / soft))
        shadow = round(depth, 3)
    vig = 1 - U(0.10, 0.2) * (Xn ** 2 + Yn ** 2) / 0.5
    field = ndimage.zoom(light * vig, (Hs / light.shape[0], Ws / light.shape[1]), order=1)[:Hs, :Ws]
    lens = U(0.5, 0.85)
    for c in range(3):
        rad[c] = ndimage.gaussian_filter(rad[c], lens) * field
    del field
    wb = np.array([U(0.95, 1.05), 1.0, U(0.92, 1.08)], np.float32)
    rad *= wb[:, None, None]
    # three brackets: EV -1, 0, +1 (paper white near 0.62 of full scale at EV 0)
    e0 = 0.62 / float(np.median(rad[1, Hs // 3:2 * Hs // 3, Ws // 3:2 * Ws // 3]))
    fw = U(4000, 8000)
    rn = U(3, 8) / fw
    evs = [0.5, 1.0, 2.0]
    shifts = [(U(-0.5, 0.5), U(-0.5, 0.5)), (0.0, 0.0), (U(-0.5, 0.5), U(-0.5, 0.5))]
    num = np.zeros_like(rad)
    den = np.zeros_like(rad)
    for ev, (sx, sy) in zip(evs, shifts):
        fr = rad * np.float32(e0 * ev)
        if sx or sy:
            fr = subpixel_shift(fr, sx, sy)
        noise = rng.standard_normal(fr.shape, dtype=np.float32)
        fr = fr + noise * np.sqrt(np.clip(fr, 0, None) / fw + rn * rn)
        del noise
        fr = np.clip(np.round(fr * 1023) / 1023, 0, 1)
        wgt = np.clip(1 - np.abs(2 * fr - 1), 0.02, None) * (fr < 0.985)
        num += wgt * fr / np.float32(e0 * ev)
        den += wgt
        del fr, wgt
    hdr = num / np.maximum(den, 1e-4)
    del num, den, rad
    # tone mapping: the local mean of log luminance compressed (evens out the shadow), detail kept
    Yl = 0.2126 * hdr[0] + 0.7152 * hdr[1] + 0.0722 * hdr[2]
    logY = np.log(np.maximum(Yl, 1e-4))
    small = logY[::8, ::8]
    base = ndimage.gaussian_filter(small, U(5, 9))
    base = ndimage.zoom(base, (Hs / base.shape[0], Ws / base.shape[1]), order=1)[:Hs, :Ws]
    comp = U(0.55, 0.8)
    ref = float(np.percentile(base[Hs // 4:3 * Hs // 4, Ws // 4:3 * Ws // 4], 90))
    gain = np.exp((comp - 1) * (base - ref)).astype(np.float32)
    hdr *= gain[None]
    del gain, base, logY, Yl
    sat = U(1.0, 1.12)
    Yl = (0.2126 * hdr[0] + 0.7152 * hdr[1] + 0.0722 * hdr[2])[None]
    hdr = Yl + sat * (hdr - Yl)
    del Yl
    white = float(np.percentile(hdr[1, Hs // 4:3 * Hs // 4:4, Ws // 4:3 * Ws // 4:4], 95))
    hdr *= np.float32(U(0.9, 0.96) / white)
    bp = U(0.01, 0.03)
    hdr = (hdr - bp) / (1 - bp)
    photo = np.ascontiguousarray(np.round(srgb(hdr) * 255).astype(np.uint8).transpose(1, 2, 0))
    del hdr
    # the tablet stores the photo as JPEG (netpbm's encoder), the app decodes it
    q_photo = int(rng.integers(88, 96))
    photo = netpbm_roundtrip_jpeg(photo, q_photo)
    geo = dict(Ht=Ht, s=s, Ws=Ws, Hs=Hs, pre=pre, g=g, corners_true=dst, q_photo=q_photo, lens=lens,
               shadow=shadow, comp=comp, evs=evs)
    # the app's page finding: corners off by N(0, 0.4-1.2 px)
    ce = U(0.4, 1.2)
    det = [(u + rng.normal(0, ce), v + rng.normal(0, ce)) for (u, v) in dst]
    geo['Happ'] = homography(corners, det)      # page mm (as the app believes) -> sensor px
    geo['white_to'] = U(0.93, 0.985)
    geo['sharpen'] = (U(0.7, 1.3), U(0.2, 0.6)) if U() < 0.5 else None
    fmt = str(rng.choice(['jpg', 'png', 'tif'], p=[0.65, 0.2, 0.15]))
    geo['fmt'] = fmt
    geo['q'] = int(rng.integers(70, 93))
    geo['sample'] = str(rng.choice(['2x2', '2x1', '1x1'], p=[0.6, 0.25, 0.15]))
    geo['tiffc'] = str(rng.choice(['-lzw', '-flate']))
    geo['dpi_in_file'] = bool(U() < 0.8)
    return photo, geo


def subpixel_shift(a, sx, sy):
    """a moved by (sx, sy) px (|s| < 1), bilinear, edges repeated; in place on a copy."""
    out = a.copy()
    fx, fy = np.float32(abs(sx)), np.float32(abs(sy))
    if fx:
        if sx > 0:
            out[..., 1:] *= (1 - fx); out[..., 1:] += fx * a[..., :-1]
        else:
            out[..., :-1] *= (1 - fx); out[..., :-1] += fx * a[..., 1:]
    if fy:
        b = out.copy()
        if sy > 0:
            out[..., 1:, :] *= (1 - fy); out[..., 1:, :] += fy * b[..., :-1, :]
        else:
            out[..., :-1, :] *= (1 - fy); out[..., :-1, :] += fy * b[..., 1:, :]
    return out


def write_ppm(path, img):
    h, w = img.shape[:2]
    with open(path, 'wb') as f:
        f.write(b'P6\n%d %d\n255\n' % (w, h))
        f.write(np.ascontiguousarray(img).tobytes())


def netpbm_roundtrip_jpeg(img, q):
    d = tempfile.mkdtemp(prefix='tablet-j-')
    try:
        p = os.path.join(d, 'a.ppm')
        write_ppm(p, img)
        j = os.path.join(d, 'a.jpg')
        with open(j, 'wb') as f:
            subprocess.run(['pnmtojpeg', '-quality=%d' % q, '-sample=2x2', p], stdout=f, stderr=subprocess.DEVNULL, check=True)
        r = subprocess.run(['jpegtopnm', j], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
        return np.round(read_pam(r.stdout) * 255).astype(np.uint8)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def deliver(rng, photo, geo, dpi, boxes, outdir, stem, seed, meta):
    sd = dpi / 25.4
    Wd, Hd = int(round(210 * sd)), int(round(297 * sd))
    Happ = geo['Happ']
    Ht = geo['Ht']
    s = geo['s']
    ratio = s / sd                   # sensor px per delivered px
    pre = 0.42 * ratio if ratio > 1 else 0.0
    src = photo.astype(np.float32) / 255
    if pre:
        src = np.stack([ndimage.gaussian_filter(src[:, :, c], pre) for c in range(3)], axis=2)
    out = np.empty((Hd, Wd, 3), np.float32)
    xs = (np.arange(Wd, dtype=np.float64) + 0.5) / sd
    for r0 in range(0, Hd, 256):
        r1 = min(Hd, r0 + 256)
        Y, X = np.meshgrid((np.arange(r0, r1, dtype=np.float64) + 0.5) / sd, xs, indexing='ij')
        u, v = hmap(Happ, X, Y)
        rc = np.stack([v - 0.5, u - 0.5])
        for c in range(3):
            out[r0:r1, :, c] = ndimage.map_coordinates(src[:, :, c], rc, order=1, mode='nearest')
    del src
    luma = 0.299 * out[:, :, 0] + 0.587 * out[:, :, 1] + 0.114 * out[:, :, 2]
    p92 = float(np.percentile(luma[::3, ::3], 92))
    out *= np.float32(geo['white_to'] / max(p92, 1e-3))
    if geo['sharpen']:
        sg, amt = geo['sharpen']
        luma = 0.299 * out[:, :, 0] + 0.587 * out[:, :, 1] + 0.114 * out[:, :, 2]
        det = luma - ndimage.gaussian_filter(luma, sg)
        out += amt * det[:, :, None]
    img = np.clip(np.round(out * 255), 0, 255).astype(np.uint8)
    del out
    os.makedirs(outdir, exist_ok=True)
    fmt = geo['fmt']
    fname = '%s.%s' % (stem, fmt)
    ppm = os.path.join(outdir, '.%s.ppm' % stem)
    write_ppm(ppm, img)
    target = os.path.join(outdir, fname)
    if fmt == 'jpg':
        cmd = ['pnmtojpeg', '-quality=%d' % geo['q'], '-sample=%s' % geo['sample']]
        if geo['dpi_in_file']:
            cmd.append('-density=%dx%ddpi' % (dpi, dpi))
    elif fmt == 'png':
        cmd = ['pnmtopng']
        if geo['dpi_in_file']:
            ppmm = int(round(dpi / 0.0254))
            cmd += ['-size', '%d %d 1' % (ppmm, ppmm)]
    else:
        cmd = ['pamtotiff', geo['tiffc']]
        if geo['dpi_in_file']:
            cmd += ['-xresolution=%d' % dpi, '-yresolution=%d' % dpi, '-resolutionunit=inch']
    with open(target, 'wb') as f:
        subprocess.run(cmd + [ppm], stdout=f, stderr=subprocess.DEVNULL, check=True)
    os.remove(ppm)

    # page mm -> delivered px: sensor through the true map, back through the app's
    Happ_inv = np.linalg.inv(Happ)

    def to_deliv(x, y):
        u, v = hmap(Ht, x, y)
        X, Y = hmap(Happ_inv, u, v)
        return X * sd, Y * sd
    a0 = to_deliv(40.0, 148.5)
    a1 = to_deliv(170.0, 148.5)
    skew = math.degrees(math.atan2(a1[1] - a0[1], a1[0] - a0[0]))
    truth_boxes = []
    g = geo['g']
    for b in boxes:
        cxm = (b['rule'][0] + b['rule'][2]) / 2
        cym = (b['rule'][1] + b['rule'][3]) / 2
        bc = to_deliv(cxm, cym)
        tb = dict(row=b['row'], col=b['col'], kind=b['kind'], empty=bool(b['empty']),
                  defects=sorted(set(b['defects']), key=ORDER.index), borderline=sorted(set(b['borderline'])),
                  box_centre_px=[round(float(bc[0]), 1), round(float(bc[1]), 1)])
        if b['kind'] == 'official_seal' and not b['empty']:
            tb['diameter_mm'] = b['diameter_mm']
        if b['kind'] == 'legal_rep_seal' and not b['empty']:
            tb['size_mm'] = b['size_mm']
        if not b['empty'] and 'mask_cov' in b:
            m, off = mask_to_delivered(b, geo, sd, Wd, Hd, g)
            if m is not None:
                mname = '%s.r%dc%d.mask.png' % (stem, b['row'], b['col'])
                Image.fromarray(m).save(os.path.join(outdir, mname), optimize=False)
                tb['mask'] = mname
                tb['mask_offset'] = [int(off[0]), int(off[1])]
        x0, y0, x1, y1 = b['inner']
        tb['inner_mm'] = [round(x0, 2), round(y0, 2), round(x1, 2), round(y1, 2)]
        for k, v in b['info'].items():
            tb[k] = v
        truth_boxes.append(tb)
    truth = dict(maker='tablet', seed=seed, dpi=dpi, dpi_in_file=geo['dpi_in_file'], skew_deg=round(skew, 3),
                 file=fname, layout='nmgca-procurement/org-seal-application', boxes=truth_boxes)
    truth.update(meta)
    truth['capture'] = dict(camera_mp=meta['camera_mp'], evs=geo['evs'], tone_compression=round(geo['comp'], 3),
                            shadow=geo['shadow'], photo_jpeg_q=geo['q_photo'], fmt=fmt,
                            q=geo['q'] if fmt == 'jpg' else None)
    with open(os.path.join(outdir, stem + '.truth.json'), 'w', encoding='utf-8') as f:
        json.dump(truth, f, ensure_ascii=False, indent=1)


ORDER = ['empty', 'pale', 'broken', 'double', 'smudged', 'overlap_line', 'tilted', 'bg_not_white', 'text_under',
         'off_color']


def mask_to_delivered(b, geo, sd, Wd, Hd, g):
    """The box's coverage on the render grid -> sensor (same pre-filter, bilinear) -> delivered grid
    (the app's map, its pre-filter when reducing, bilinear); >= 0.5."""
    cov = b['mask_cov']
    px0, py0, px1, py1 = b['win']
    Ht, Happ = geo['Ht'], geo['Happ']
    covf = ndimage.gaussian_filter(cov, geo['pre'])
    # sensor crop
    xs_mm = np.array([px0, px1, px1, px0]) / g
    ys_mm = np.array([py0, py0, py1, py1]) / g
    u, v = hmap(Ht, xs_mm, ys_mm)
    su0, sv0 = int(max(0, math.floor(u.min()) - 2)), int(max(0, math.floor(v.min()) - 2))
    su1, sv1 = int(min(geo['Ws'], math.ceil(u.max()) + 2)), int(min(geo['Hs'], math.ceil(v.max()) + 2))
    Hinv = np.linalg.inv(Ht)
    Y, X = np.meshgrid(np.arange(sv0, sv1) + 0.5, np.arange(su0, su1) + 0.5, indexing='ij')
    mx, my = hmap(Hinv, X, Y)
    sens = ndimage.map_coordinates(covf, np.stack([my * g - 0.5 - py0, mx * g - 0.5 - px0]), order=1,
                                   mode='constant', cval=0.0).astype(np.float32)
    ratio = geo['s'] / sd
    if ratio > 1:
        sens = ndimage.gaussian_filter(sens, 0.42 * ratio)
    # delivered crop
    Happ_inv = np.linalg.inv(Happ)
    cu = np.array([su0, su1, su1, su0], float)
    cv = np.array([sv0, sv0, sv1, sv1], float)
    X2, Y2 = hmap(Happ_inv, cu, cv)
    dx0, dy0 = int(max(0, math.floor(X2.min() * sd) - 1)), int(max(0, math.floor(Y2.min() * sd) - 1))
    dx1, dy1 = int(min(Wd, math.ceil(X2.max() * sd) + 1)), int(min(Hd, math.ceil(Y2.max() * sd) + 1))
    Y, X = np.meshgrid((np.arange(dy0, dy1) + 0.5) / sd, (np.arange(dx0, dx1) + 0.5) / sd, indexing='ij')
    uu, vv = hmap(Happ, X, Y)
    d = ndimage.map_coordinates(sens, np.stack([vv - 0.5 - sv0, uu - 0.5 - su0]), order=1, mode='constant', cval=0.0)
    m = d >= 0.5
    if not m.any():
        return None, None
    ys, xs = np.nonzero(m)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    crop = (m[y0:y1, x0:x1] * 255).astype(np.uint8)
    return crop, (dx0 + x0, dy0 + y0)


if __name__ == '__main__':
    main()
