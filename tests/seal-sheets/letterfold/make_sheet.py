#!/usr/bin/python3
"""Maker T (letterfold): a seal collection sheet drawn on a Tk canvas shown on an X server
(Xvfb: the X server's own polygon, wide-line and arc fillers, Xft glyphs of IPA Mincho and the
Yoz handwriting face), a form printed by an electrostatic plotter's toner nibs, a cotton rag paper
with long fibres, paste and pen inks as a two-constant Kubelka-Munk film with Saunderson's surface
correction, and a sheet mailed folded in three, laid on a flatbed with the lid raised (the folds
lift off the glass), archived as WebP by the counter's document system and exported.

    python3 make_sheet.py SEED OUTDIR INDEX
"""
import io
import json
import math
import os
import subprocess
import sys

import numpy as np
from PIL import Image, ImageGrab
from scipy import ndimage
from fontTools.ttLib import TTFont

SEAL_TTF = '/usr/share/fonts/opentype/ipafont-mincho/ipam.ttf'
SEAL_FAMILY = 'IPAMincho'
SIGN_TTF = '/usr/share/fonts/truetype/yozvox-yozfont/YOzRN_.ttf'
SIGN_FAMILY = 'YOzN'

# ---------------------------------------------------------------- words (checked against both faces)
PLACES = ('南海 北山 金山 青山 白雲 天河 黄埔 番禺 花都 増城 南沙 海珠 越秀 新会 台山 開平 恩平 四会 高要 英徳 '
          '南雄 仁化 平遠 大埔 五華 龍川 紫金 和平 博羅 恵州 海豊 陸豊 普寧 恵来 掲西 潮安 南澳 呉川 廉江 信宜 '
          '化州 高州 陽春 羅定 新興 郁南 中山 江門 肇慶').split()
CORES = '宏達 永安 金信 恒通 万和 嘉禾 明徳 立信 正大 中和 天成 安信 広源 和順 泰豊 鼎盛 合力 東方 華南 長城'.split()
TRADES = '科技 建築 工程 物流 電子 機械 五金 家具 食品 文化 印刷 服装 投資 化工 園林 商貿 実業 材料'.split()
SUFFIX = ['有限公司', '有限公司', '股份有限公司']
SURNAMES = '王 李 劉 黄 周 徐 朱 胡 郭 何 高 林 梁 宋 唐 曹 彭 曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 葉 程 魏 丁 任 沈 姚 姜 崔 汪 范 金 石 廖 夏 方 白 孟 熊 秦 邱 江 尹 薛 段 雷 侯 史 陶 黎 毛 郝 邵 万 武 戴 莫 孔 向'.split()
GIVEN = ('芳 娜 敏 静 磊 洋 勇 杰 涛 明 超 秀英 慧 建国 志強 永紅 海燕 国慶 文 平 玲 桂英 丹 萍 宇 浩 俊 峰 晨 '
         '立新 春 徳 福 宏 斌 亮 雲 霞 雪 梅 英 琳 寧 健 波 欣 婷 佳 建平 志明 麗華 秋菊').split()
FORM = ['網證通數字證書及電子印章申請表', '——廣東省政府採購智慧監管平台專用', '申請單位基本資料',
        '機構名稱：', '統一社會信用代碼：', '單位聯繫電話：', '經辦人姓名：', '手機：',
        '電子印章採集（油印適中，每枚印章採集三個樣本）', '公章（蓋三次，不要壓線）', '法人章（蓋三次）',
        '法定代表人簽字（簽三次，字跡清晰）', '受理審核（以下由證書受理員填寫）',
        '受理員：', '受理時間：　　年　　月　　日', '復核員：', '受理點蓋章：', '0123456789-']
UNDER = ['蓋章', '公章', '印章', '本公司', '年　月　日']


def cmap(path):
    return set(TTFont(path, lazy=True).getBestCmap())


SEAL_CMAP = cmap(SEAL_TTF)
SIGN_CMAP = cmap(SIGN_TTF)


def carried(word, *maps):
    return all(ord(c) in m for c in word if not c.isspace() for m in maps)


def check(word, *maps):
    for c in word:
        if c.isspace():
            continue
        for m in maps:
            if ord(c) not in m:
                raise SystemExit('letterfold: %r lacks %r (in %r)' % (m is SEAL_CMAP and SEAL_FAMILY or SIGN_FAMILY, c, word))


PLACES = [w for w in PLACES if carried(w, SEAL_CMAP)]
CORES = [w for w in CORES if carried(w, SEAL_CMAP)]
TRADES = [w for w in TRADES if carried(w, SEAL_CMAP)]
SURNAMES = [w for w in SURNAMES if carried(w, SEAL_CMAP, SIGN_CMAP)]
GIVEN = [w for w in GIVEN if carried(w, SEAL_CMAP, SIGN_CMAP)]
for w in FORM + UNDER + SUFFIX + ['之印', '印']:
    check(w, SEAL_CMAP)
if min(len(PLACES), len(CORES), len(TRADES), len(SURNAMES), len(GIVEN)) < 8:
    raise SystemExit('letterfold: too few words carried by the faces')

# ---------------------------------------------------------------- colour helpers


def enc(x):
    x = np.clip(x, 0.0, 1.0)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)


def dec(v):
    v = np.clip(v, 0.0, 1.0)
    return np.where(v <= 0.04045, v / 12.92, np.power((v + 0.055) / 1.055, 2.4))


def hue(rgb_lin):
    r, g, b = [float(enc(c)) for c in rgb_lin]
    mx, mn = max(r, g, b), min(r, g, b)
    if mx - mn < 1e-9:
        return 0.0
    if mx == r:
        h = 60 * (g - b) / (mx - mn)
    elif mx == g:
        h = 60 * (2 + (b - r) / (mx - mn))
    else:
        h = 60 * (4 + (r - g) / (mx - mn))
    return (h + 180) % 360 - 180


# Saunderson's correction for the 45°/0° geometry: k1 the light reflected at the surface (lost to the
# sensor), k2 the internal reflection of the diffuse light at the film's upper surface.
K1, K2 = 0.04, 0.6


def saund(r):
    return (1 - K1) * (1 - K2) * r / (1 - K2 * r)


def inv_saund(rm):
    return rm / ((1 - K1) * (1 - K2) + K2 * rm)


def km_layer(rg, ks, sx):
    """Kubelka-Munk reflectance of a film (absorption/scattering ratio ks, scattering thickness sx)
    over a background of internal reflectance rg."""
    a = 1 + ks
    b = np.sqrt(a * a - 1)
    bsx = np.maximum(b * sx, 1e-6)
    ct = 1 / np.tanh(bsx)
    return (1 - rg * (a - b * ct)) / (a - rg + b * ct)


def over(meas, ks, sx):
    """The measured reflectance of a film laid over a measured background."""
    return saund(km_layer(inv_saund(meas), ks, sx))


def solve_ks(white, target_rel, sx):
    lo, hi = -9.0, 7.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        r = float(over(white, math.exp(mid), sx)) / white
        if r > target_rel:
            lo = mid
        else:
            hi = mid
    return math.exp(0.5 * (lo + hi))


# ---------------------------------------------------------------- the X server and Tk canvas


class Canvas:
    def __init__(self, w, h):
        r, wfd = os.pipe()
        self.xvfb = subprocess.Popen(['Xvfb', '-displayfd', str(wfd), '-screen', '0', '%dx%dx24' % (w, h),
                                      '-nolisten', 'tcp', '-noreset', '-dpi', '96'], pass_fds=(wfd,),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(wfd)
        buf = b''
        while not buf.endswith(b'\n'):
            ch = os.read(r, 16)
            if not ch:
                raise SystemExit('letterfold: Xvfb did not start')
            buf += ch
        os.close(r)
        self.display = ':' + buf.decode().strip()
        os.environ['DISPLAY'] = self.display
        import tkinter
        import tkinter.font
        self.tk = tkinter
        self.root = tkinter.Tk()
        self.root.overrideredirect(True)
        self.root.geometry('%dx%d+0+0' % (w, h))
        self.c = tkinter.Canvas(self.root, width=w, height=h, bg='white', highlightthickness=0, bd=0)
        self.c.place(x=0, y=0)
        self.fonts = {}
        self.w, self.h = w, h

    def font(self, family, px):
        key = (family, int(round(px)))
        if key not in self.fonts:
            f = self.tk.font.Font(root=self.root, family=family, size=-max(2, key[1]))
            if f.actual('family') != family:
                raise SystemExit('letterfold: Tk chose %r for %r' % (f.actual('family'), family))
            self.fonts[key] = f
        return self.fonts[key]

    def clear(self):
        # a new canvas: Tk repaints only the bounding boxes of deleted items, and a turned glyph may
        # reach past its box, so a fresh widget (fully exposed, painted white) starts every impression
        self.c.destroy()
        self.c = self.tk.Canvas(self.root, width=self.w, height=self.h, bg='white', highlightthickness=0, bd=0)
        self.c.place(x=0, y=0)

    def grab(self, w, h):
        self.root.update_idletasks()
        self.root.update()
        im = ImageGrab.grab(bbox=(0, 0, w, h), xdisplay=self.display)
        a = np.asarray(im.convert('L'), dtype=np.float32)
        return 1.0 - a / 255.0

    def close(self):
        try:
            self.root.destroy()
        except Exception:
            pass
        self.xvfb.terminate()
        self.xvfb.wait()


# ---------------------------------------------------------------- drawing of the faces (Tk items)


def rot(x, y, deg):
    t = math.radians(deg)
    return x * math.cos(t) - y * math.sin(t), x * math.sin(t) + y * math.cos(t)


def draw_official(cv, cx, cy, g, seal, tilt, firm):
    """Round 公章 at (cx, cy) px, turned clockwise by tilt degrees."""
    c = cv.c
    rad = seal['d'] / 2 * g
    w = seal['ring'] * g
    c.create_oval(cx - rad + w / 2, cy - rad + w / 2, cx + rad - w / 2, cy + rad - w / 2, outline='black', width=w)
    rs = seal['star'] * rad
    pts = []
    for k in range(10):
        rr = rs if k % 2 == 0 else rs * 0.382
        x, y = rot(0, -rr, 36 * k + tilt)
        pts += [cx + x, cy + y]
    c.create_polygon(pts, fill='black', outline='')
    n = len(firm)
    span = seal['span']
    hpx = seal['ch'] * seal['d'] * g
    rt = rad - w - 0.35 * g - hpx * 0.55
    hpx = min(hpx, 0.85 * rt * math.radians(span / n))  # a glyph no wider than 0.85 of its arc step
    rt = rad - w - 0.35 * g - hpx * 0.55
    f = cv.font(SEAL_FAMILY, hpx)
    for i, ch in enumerate(firm):
        phi = -span / 2 + span * (i + 0.5) / n + tilt
        x, y = rot(0, -rt, phi)
        c.create_text(cx + x, cy + y, text=ch, font=f, fill='black', angle=-phi, anchor='center')
    if seal['below']:
        hb = hpx * 0.8
        fb = cv.font(SEAL_FAMILY, hb)
        x, y = rot(0, rad * 0.52, tilt)
        c.create_text(cx + x, cy + y, text=seal['below'], font=fb, fill='black', angle=-tilt, anchor='center')


def draw_legal(cv, cx, cy, g, seal, tilt):
    c = cv.c
    w, h = seal['size'][0] * g, seal['size'][1] * g
    fr = seal['frame'] * g

    def rect(hw, hh, colour):
        pts = []
        for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            x, y = rot(sx * hw, sy * hh, tilt)
            pts += [cx + x, cy + y]
        c.create_polygon(pts, fill=colour, outline='')
    rect(w / 2, h / 2, 'black')
    if not seal['yin']:
        rect(w / 2 - fr, h / 2 - fr, 'white')
    colour = 'white' if seal['yin'] else 'black'
    chars = seal['chars']
    iw, ih = w - 2 * fr - 0.6 * g, h - 2 * fr - 0.6 * g
    cw, chh = iw / 2, ih / 2
    px = min(cw, chh) * 0.96
    f = cv.font(SEAL_FAMILY, px)
    cells = [(0.5, -0.5), (0.5, 0.5), (-0.5, -0.5), (-0.5, 0.5)]  # right column first, top to bottom
    for ch, (ux, uy) in zip(chars, cells):
        x, y = rot(ux * cw, uy * chh, tilt)
        c.create_text(cx + x, cy + y, text=ch, font=f, fill=colour, angle=-tilt, anchor='center')


def draw_signature(cv, cx, cy, g, sig, rng_pts):
    c = cv.c
    n = len(sig['name'])
    cell = sig['cell'] * sig['scale'] * g
    adv = cell * sig['adv']
    f = cv.font(SIGN_FAMILY, cell)
    x0 = cx - adv * (n - 1) / 2
    for i, ch in enumerate(sig['name']):
        dx, dy, da = rng_pts[i]
        x, y = rot(x0 + i * adv - cx, 0, sig['rot'])
        c.create_text(cx + x + dx * g, cy + y + dy * g, text=ch, font=f, fill='black', angle=-(sig['rot'] + da),
                      anchor='center')


# ---------------------------------------------------------------- the sheet


def choice(rng, items, p=None):
    return items[int(rng.choice(len(items), p=p))]


def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng([seed, 20])
    tex = np.random.default_rng([seed, 21])  # textures and noise: sizes follow the resolution
    dpi = int(choice(rng, [150, 200, 300, 400, 600], [0.08, 0.14, 0.56, 0.12, 0.10]))
    if os.environ.get('SEAL_SHEET_DPI'):
        dpi = int(os.environ['SEAL_SHEET_DPI'])
    g = 16 if dpi == 400 else 12  # render grid, px/mm (600 dpi is interpolated from a 300-dpi scan)
    PW, PH = 210.0, 297.0
    W, H = int(PW * g), int(PH * g)

    # ---- words
    firm = choice(rng, PLACES) + choice(rng, CORES) + choice(rng, TRADES) + choice(rng, SUFFIX)
    if len(firm) > 14:
        firm = choice(rng, PLACES) + choice(rng, CORES) + '有限公司'
    sur = choice(rng, SURNAMES)
    given = choice(rng, GIVEN)
    person = sur + given
    check(firm, SEAL_CMAP)
    check(person, SEAL_CMAP, SIGN_CMAP)
    handler = choice(rng, SURNAMES) + choice(rng, GIVEN)

    # ---- the seals (one 公章 and one 法人章 a sheet)
    n = len(firm)
    d = float(rng.uniform(38.5, 44.5))
    official = dict(d=d, ring=float(rng.uniform(0.9, 1.4)), star=float(rng.uniform(0.27, 0.33)),
                    span=float(min(250, max(200, n * 19.5))), ch=float(rng.uniform(0.14, 0.17)),
                    below=choice(rng, ['', '', '合同専用章', '財務専用章']) if n <= 12 else '')
    if official['below']:
        check(official['below'], SEAL_CMAP)
    if rng.random() < 0.62:
        s = float(rng.uniform(15.5, 21.5))
        size = [s, s]
    else:
        long_ = float(rng.uniform(19.5, 22.5))
        short = long_ / float(rng.uniform(1.15, 1.3))
        size = [short, long_] if rng.random() < 0.6 else [long_, short]
    chars = (person + '之印') if len(person) == 2 else (person + '印')
    legal = dict(size=size, frame=float(rng.uniform(0.6, 1.1)), yin=bool(rng.random() < 0.2), chars=chars)
    pen = choice(rng, ['blue', 'black', 'blueblack'], [0.5, 0.3, 0.2])
    sign = dict(name=person, cell=float(rng.uniform(9, 12.5)), adv=float(rng.uniform(0.8, 0.95)), pen=pen)

    # ---- layout (after forms/netca-gd-procurement cert-seal-application: 58-mm boxes, three a row)
    line = float(rng.uniform(0.2, 0.4))
    left = (PW - 174) / 2 + float(rng.uniform(-1.5, 1.5))
    top = float(rng.uniform(11, 15))
    rows_h = {'official_seal': 50.0, 'legal_rep_seal': 38.0, 'signature': 34.0}
    # ---- paper
    tinted = rng.random() < 0.05
    white = np.array([0.87, 0.875, 0.865]) * float(rng.uniform(0.98, 1.02))
    white *= np.array([float(rng.uniform(0.995, 1.01)), 1.0, float(rng.uniform(0.985, 1.015))])
    tint = None
    if tinted:
        tint = choice(rng, ['yellow', 'pink', 'blue', 'green'])
        od = float(rng.uniform(0.12, 0.26))
        f = {'yellow': (0.15, 0.35, 1.0), 'pink': (0.1, 1.0, 0.55), 'blue': (1.0, 0.5, 0.15), 'green': (0.8, 0.2, 0.85)}[tint]
        white = white * 10 ** (-od * np.array(f))

    cv = Canvas(W, H)
    try:
        c = cv.c
        # ---- the form, drawn once as the plotter's source
        def text(x, y, s, px, anchor='w', family=SEAL_FAMILY):
            check(s, SEAL_CMAP)
            c.create_text(x * g, y * g, text=s, font=cv.font(family, px * g), fill='black', anchor=anchor)

        def hline(x0, x1, y):
            c.create_rectangle(x0 * g, (y - line / 2) * g, x1 * g, (y + line / 2) * g, fill='black', outline='')

        def vline(x, y0, y1):
            c.create_rectangle((x - line / 2) * g, y0 * g, (x + line / 2) * g, y1 * g, fill='black', outline='')

        y = top
        text(PW / 2, y + 3.5, FORM[0], 5.6, 'center')
        text(PW / 2 + 30, y + 10.5, FORM[1], 3.6, 'center')
        y += 15
        text(left, y + 3, FORM[2], 3.9)
        y += 6
        uscc = ''.join(str(int(v)) for v in rng.integers(0, 10, 18))
        phone = '0' + ''.join(str(int(v)) for v in rng.integers(0, 10, 3)) + '-' + ''.join(str(int(v)) for v in rng.integers(0, 10, 8))
        mob = '1' + ''.join(str(int(v)) for v in rng.integers(0, 10, 10))
        rows = [(FORM[3], firm, None, None), (FORM[4], uscc, None, None), (FORM[5], phone, None, None),
                (FORM[6], handler, FORM[7], mob)]
        for lab, val, lab2, val2 in rows:
            hline(left, left + 174, y)
            vline(left, y, y + 8)
            vline(left + 40, y, y + 8)
            vline(left + 174, y, y + 8)
            text(left + 1.5, y + 4, lab, 3.4)
            text(left + 42, y + 4, val, 3.6)
            if lab2:
                vline(left + 110, y, y + 8)
                vline(left + 126, y, y + 8)
                text(left + 111.5, y + 4, lab2, 3.4)
                text(left + 128, y + 4, val2, 3.6)
            y += 8
        hline(left, left + 174, y)
        y += 4
        text(left, y + 3, FORM[8], 3.9)
        y += 6.5
        boxes = []
        captions = {'official_seal': FORM[9], 'legal_rep_seal': FORM[10], 'signature': FORM[11]}
        for r, kind in enumerate(['official_seal', 'legal_rep_seal', 'signature']):
            bh = rows_h[kind]
            hline(left, left + 174, y)
            vline(left, y, y + 8)
            vline(left + 174, y, y + 8)
            text(left + 87, y + 4, captions[kind], 3.4, 'center')
            y += 8
            hline(left, left + 174, y)
            for k in range(4):
                vline(left + 58 * k, y, y + bh)
            for col in range(3):
                x0 = left + 58 * col
                boxes.append(dict(row=r, col=col, kind=kind, x0=x0 + line / 2, y0=y + line / 2,
                                  x1=x0 + 58 - line / 2, y1=y + bh - line / 2))
            y += bh
            hline(left, left + 174, y)
        y += 5
        text(left, y + 3, FORM[12], 3.9)
        y += 9
        text(left, y, FORM[13] + '＿＿＿＿＿＿', 3.3)
        text(left + 70, y, FORM[14], 3.3)
        y += 7
        text(left, y, FORM[15] + '＿＿＿＿＿＿', 3.3)
        text(left + 70, y, FORM[16], 3.3)

        # ---- the boxes' plans
        plans = []
        for b in boxes:
            plans.append(plan_box(rng, b, official, legal, sign))
        for p, b in zip(plans, boxes):
            if p['under']:
                u = p['under']
                text(u['x'], u['y'], u['text'], u['h'], 'center')
        form_cov = cv.grab(W, H)

        # ---- impressions, each on a clear canvas at its place on the page
        for p, b in zip(plans, boxes):
            if p['empty']:
                continue
            mx0 = int(math.floor((b['x0'] - 8) * g))
            my0 = int(math.floor((b['y0'] - 8) * g))
            mx1 = int(math.ceil((b['x1'] + 8) * g))
            my1 = int(math.ceil((b['y1'] + 8) * g))
            p['region'] = (mx0, my0, mx1, my1)
            presses = []
            for k, pr in enumerate(p['presses']):
                cv.clear()
                cx, cy = pr['cx'] * g - mx0, pr['cy'] * g - my0
                if b['kind'] == 'official_seal':
                    draw_official(cv, cx, cy, g, official, pr['tilt'], firm)
                elif b['kind'] == 'legal_rep_seal':
                    draw_legal(cv, cx, cy, g, legal, pr['tilt'])
                else:
                    draw_signature(cv, cx, cy, g, dict(sign, scale=p['scale'], rot=pr['tilt']), p['jit'])
                presses.append(cv.grab(mx1 - mx0, my1 - my0).copy())
            p['cov'] = presses
    finally:
        cv.close()

    # ---------------------------------------------------------------- paper: cotton rag, long fibres
    sm = 4  # fibre and formation grid: 4 px/mm
    fw, fh = int(PW * sm), int(PH * sm)
    fib = np.zeros((fh, fw), np.float32)
    nf = 9000
    x = tex.uniform(0, fw, nf)
    y = tex.uniform(0, fh, nf)
    ang = tex.normal(0, 0.7, nf)  # the rag's fibres lean along the machine direction (down the sheet)
    L = tex.uniform(8, 28, nf)  # 2-7 mm long
    curl = tex.normal(0, 0.05, nf)
    sign_ = tex.choice([-1.0, 1.0], nf)
    for step in range(28):
        m = step < L
        xi = np.clip(x[m].astype(int), 0, fw - 1)
        yi = np.clip(y[m].astype(int), 0, fh - 1)
        np.add.at(fib, (yi, xi), sign_[m])
        x += np.sin(ang)
        y += np.cos(ang)
        ang += curl
    fib = ndimage.gaussian_filter(fib, 0.6)
    fib /= max(1e-6, float(np.abs(fib).max()))
    form_noise = ndimage.gaussian_filter(tex.standard_normal((fh, fw), dtype=np.float32), 6)
    form_noise /= max(1e-6, float(form_noise.std()))
    paper_small = 1 + 0.006 * fib + 0.004 * form_noise
    paper_mod = ndimage.zoom(paper_small, (H / fh, W / fw), order=1)[:H, :W]
    if paper_mod.shape != (H, W):
        paper_mod = np.pad(paper_mod, ((0, H - paper_mod.shape[0]), (0, W - paper_mod.shape[1])), mode='edge')
    # the letter fold's creases: the fibres broken along them, a little darker
    folds = [99.0 + float(rng.uniform(-4, 4)), 198.0 + float(rng.uniform(-4, 4))]
    yy = (np.arange(H) + 0.5) / g
    crease = np.ones(H, np.float32)
    for fy in folds:
        crease -= 0.012 * np.exp(-((yy - fy) / 0.25) ** 2)
    page = np.empty((H, W, 3), np.float32)
    for ch in range(3):
        page[..., ch] = white[ch] * paper_mod * crease[:, None]

    # ---- stains in the plans' boxes
    for p, b in zip(plans, boxes):
        if tinted:
            p['defects'].add('bg_not_white')
        if p['stain']:
            st = p['stain']
            x0, y0, x1, y1 = [int(v * g) for v in (b['x0'], b['y0'], b['x1'], b['y1'])]
            hh, ww = y1 - y0, x1 - x0
            small = ndimage.gaussian_filter(tex.normal(0, 1, (hh // 8 + 2, ww // 8 + 2)).astype(np.float32), 2.5)
            small /= max(1e-6, float(small.std()))
            blob = ndimage.zoom(small, (hh / small.shape[0], ww / small.shape[1]), order=1)[:hh, :ww]
            vy, vx = np.mgrid[0:blob.shape[0], 0:blob.shape[1]]
            ex = ((vx - blob.shape[1] * st['cx']) / (blob.shape[1] * st['ax'])) ** 2 + \
                 ((vy - blob.shape[0] * st['cy']) / (blob.shape[0] * st['ay'])) ** 2
            shape = np.clip((1.0 - ex + 0.25 * blob) * 4, 0, 1)
            od = st['od'] * shape
            for ch, k in enumerate((0.3, 0.6, 1.0)):
                page[y0:y0 + blob.shape[0], x0:x0 + blob.shape[1], ch] *= 10 ** (-od * k)

    # ---------------------------------------------------------------- the form: an electrostatic plotter
    nib = 400 / 25.4  # nibs per mm
    NW, NH = int(PW * nib), int(PH * nib)
    # the nib raster: the form sampled at the nibs' centres, a dot where coverage >= 0.5
    sx = ((np.arange(NW) + 0.5) / nib * g).astype(int).clip(0, W - 1)
    sy = ((np.arange(NH) + 0.5) / nib * g).astype(int).clip(0, H - 1)
    dots = (form_cov[np.ix_(sy, sx)] >= 0.5).astype(np.float32)
    gain = 1 + tex.normal(0, 0.05, NW).astype(np.float32)  # nib to nib
    weak = tex.random(NW) < 0.01
    gain[weak] *= float(rng.uniform(0.55, 0.75))
    dots *= gain[None, :]
    gx = np.minimum((((np.arange(W) + 0.5) / g) * nib).astype(int), NW - 1)
    gy = np.minimum((((np.arange(H) + 0.5) / g) * nib).astype(int), NH - 1)
    toner = dots[np.ix_(gy, gx)]
    toner = ndimage.gaussian_filter(toner, 0.04 * g)  # the toner spreads from the charge
    fog = np.zeros((H, W), np.float32)  # stray toner on the background, a few hundred specks
    nfog = int(tex.poisson(300))
    fog[tex.integers(0, H, nfog), tex.integers(0, W, nfog)] = tex.uniform(0.3, 0.9, nfog)
    toner = np.clip(toner * float(rng.uniform(0.92, 1.0)) + ndimage.gaussian_filter(fog, 0.5), 0, 1.2)
    toner_ks = np.array([9.0, 9.5, 10.0]) * float(rng.uniform(0.9, 1.1))
    tm = toner > 0.003
    for ch in range(3):
        v = page[..., ch]
        v[tm] = over(v[tm], toner_ks[ch], 1.2 * toner[tm])
    del dots, toner, fog, tm

    # ---------------------------------------------------------------- the impressions' inks
    wmean = white * float(np.mean(paper_mod))
    truth_boxes = []
    for p, b in zip(plans, boxes):
        tb = dict(row=b['row'], col=b['col'], kind=b['kind'], empty=p['empty'])
        if b['kind'] == 'official_seal':
            tb['diameter_mm'] = round(official['d'], 2)
        elif b['kind'] == 'legal_rep_seal':
            tb['size_mm'] = [round(legal['size'][0], 2), round(legal['size'][1], 2)]
        p['tb'] = tb
        truth_boxes.append(tb)
        if p['empty']:
            continue
        mx0, my0, mx1, my1 = p['region']
        rh, rw = my1 - my0, mx1 - mx0
        covs = p['cov']
        # the pad's mottle (only thinning) and the hand's plane
        mot = ndimage.gaussian_filter(tex.normal(0, 1, (rh // 6 + 2, rw // 6 + 2)).astype(np.float32), 1.6)
        mot /= max(1e-6, float(mot.std()))
        mot = ndimage.zoom(mot, (rh / mot.shape[0], rw / mot.shape[1]), order=1)[:rh, :rw]
        mot = np.pad(mot, ((0, rh - mot.shape[0]), (0, rw - mot.shape[1])), mode='edge')
        vy, vx = np.mgrid[0:rh, 0:rw].astype(np.float32)
        pa, pb = rng.normal(0, 1, 2)
        plane = (pa * (vx - rw / 2) + pb * (vy - rh / 2)) / max(rw, rh)
        plane = plane - plane.max()
        thin = 1 - p['mottle'] * np.clip(0.5 + 0.5 * mot, 0, 1) + 0.08 * plane
        thin = np.clip(thin, 0.5, 1)
        load = covs[0] * thin
        cover = covs[0].copy()
        uncut = covs[0].copy()
        if len(covs) > 1:
            load = np.minimum(1, load + p['double']['load'] * covs[1] * thin)
            cover = np.maximum(cover, covs[1])
            uncut = cover.copy()
        if p.get('smear'):
            sm_ = p['smear']
            steps = max(2, int(math.ceil(sm_['mm'] * g * 2)))
            acc = np.zeros_like(load)
            wsum = 0.0
            cmax = cover.copy()
            t = math.radians(sm_['deg'])
            for k in range(1, steps + 1):
                dd = sm_['mm'] * g * k / steps
                wk = 1 - (1 - sm_['wend']) * k / steps
                sh = ndimage.shift(load, (dd * math.sin(t), dd * math.cos(t)), order=1, mode='constant')
                acc += wk * sh
                wsum += wk
                cmax = np.maximum(cmax, ndimage.shift(cover, (dd * math.sin(t), dd * math.cos(t)), order=1,
                                                      mode='constant'))
            load = sm_['keep'] * load + (1 - sm_['keep']) * acc / wsum * 1.0
            load = np.maximum(load, sm_['keep'] * covs[0] * thin)
            cover = cmax
            uncut = cover.copy()
        if p.get('broken'):
            br = p['broken']
            t = math.radians(br['deg'])
            proj = (vx * math.cos(t) + vy * math.sin(t)) / g
            wav = ndimage.gaussian_filter(tex.normal(0, 1, (rh // 4 + 2, rw // 4 + 2)).astype(np.float32), 1.2 * g / 4 * 0.3 * 4 / 4)
            wav /= max(1e-6, float(wav.std()))
            wav = ndimage.zoom(wav, (rh / wav.shape[0], rw / wav.shape[1]), order=1)[:rh, :rw]
            wav = np.pad(wav, ((0, rh - wav.shape[0]), (0, rw - wav.shape[1])), mode='edge')
            proj = proj + 0.6 * np.clip(wav, -1.5, 1.5) / 1.5
            ink = cover >= 0.5
            q = float(np.quantile(proj[ink], br['lost'])) if ink.any() else 0.0
            fade = np.clip((proj - q) / br['fade'] + 0.5, 0, 1)
            load = load * fade
            cover = cover * (fade >= 0.5)
            p['tb']['lost'] = round(br['lost'], 3)
        p['load'] = load
        p['cover'] = cover
        p['uncut'] = uncut
        # the ink's constants
        ink = p['ink']
        sxf = ink['sx']
        ks = [solve_ks(float(wmean[ch]), ink['T'][ch], sxf) for ch in range(3)]
        region = page[my0:my1, mx0:mx1]
        m = load > 0.002
        for ch in range(3):
            v = region[..., ch]
            v[m] = over(v[m], ks[ch], sxf * load[m])
        # the strongest point, the ink alone over the mean white, most absorbing channel
        lmax = float(load[cover >= 0.5].max()) if (cover >= 0.5).any() else float(load.max())
        mch = int(np.argmin(ink['T']))
        passed_min = float(over(float(wmean[mch]), ks[mch], sxf * lmax)) / float(wmean[mch])
        p['tb']['passed'] = round(ink['passed'], 3)
        p['tb']['passed_min'] = round(passed_min, 3)
        pen_ = b['kind'] == 'signature'
        lim = 0.25 if pen_ else 0.2
        if ink['pale']:
            p['defects'].add('pale')
            if passed_min < lim * 1.15:
                p['border'].add('pale')
        elif passed_min > lim * 0.85:
            p['border'].add('pale')
        if not pen_:
            hues = []
            for lf in (0.5, 0.8, 1.0):
                rgbl = [float(over(float(wmean[ch]), ks[ch], sxf * lf)) for ch in range(3)]
                hues.append(hue(rgbl))
            p['tb']['hue_deg'] = [round(h, 1) for h in hues]
            if ink['off']:
                p['defects'].add('off_color')
                if min(abs(h) for h in hues) < 13.8:
                    p['border'].add('off_color')
            elif max(abs(h) for h in hues) > 10.2:
                p['border'].add('off_color')
        # overlap_line from the drawn ink against the inner edges of the box's rules
        reach = reach_mm(cover, b, mx0, my0, g)
        reach_u = reach_mm(uncut, b, mx0, my0, g)
        p['tb']['reach_mm'] = round(reach, 2)
        if reach > 0.3:
            p['defects'].add('overlap_line')
        elif reach > -0.3 or (p.get('broken') and reach_u > -0.3):
            p['border'].add('overlap_line')

    # ---------------------------------------------------------------- capture
    img, masks_maps, meta = capture(rng, tex, page, plans, boxes, g, dpi, folds)
    H2, W2 = img.shape[:2]
    name = '%03d' % index
    fmt = choice(rng, ['png', 'jpg', 'tif'], [0.4, 0.4, 0.2])
    dpi_in_file = bool(rng.random() < 0.8)
    im = Image.fromarray(img)
    kw = {}
    if dpi_in_file:
        kw['dpi'] = (dpi, dpi)
    fname = name + '.' + fmt
    path = os.path.join(outdir, fname)
    if fmt == 'png':
        im.save(path, 'PNG', compress_level=6, **kw)
    elif fmt == 'jpg':
        sub = choice(rng, [2, 1, 0], [0.6, 0.25, 0.15])
        im.save(path, 'JPEG', quality=int(rng.integers(82, 95)), subsampling=sub, **kw)
    else:
        im.save(path, 'TIFF', compression=choice(rng, ['tiff_lzw', 'tiff_adobe_deflate']), **kw)

    for p, b, tb in zip(plans, boxes, truth_boxes):
        d_ = sorted(p['defects'])
        tb['defects'] = [x for x in d_ if x != 'empty'] if not p['empty'] else ['empty'] + [x for x in d_ if x == 'bg_not_white']
        tb['borderline'] = sorted(x for x in p['border'] if x not in tb['defects'])
        cxp, cyp = meta['fwd'](np.array([(b['x0'] + b['x1']) / 2]), np.array([(b['y0'] + b['y1']) / 2]))
        tb['box_centre_px'] = [round(float(cxp[0]), 1), round(float(cyp[0]), 1)]
        tb['inner_mm'] = [round(b['x1'] - b['x0'], 2), round(b['y1'] - b['y0'], 2)]
        for k in ('tilt_deg', 'double_offset_mm', 'smear_mm', 'smear_deg', 'push_mm', 'push_side', 'under', 'stain',
                  'cx_mm', 'cy_mm', 'off_way', 'pen'):
            if k in p['info']:
                tb[k] = p['info'][k]
        if not p['empty']:
            mk = masks_maps.get(id(p))
            if mk is None:
                raise SystemExit('letterfold: an impression left no mask')
            arr, (ox, oy) = mk
            mname = '%s.r%dc%d.mask.png' % (name, b['row'], b['col'])
            Image.fromarray(arr).save(os.path.join(outdir, mname))
            tb['mask'] = mname
            tb['mask_offset'] = [int(ox), int(oy)]
    truth = dict(maker='letterfold', seed=seed, dpi=dpi, dpi_in_file=dpi_in_file, skew_deg=round(meta['skew'], 3),
                 file=fname, boxes=truth_boxes,
                 layout='netca-gd-procurement cert-seal-application (collection rows for 公章, 法人章, 签字)',
                 firm=firm, person=person, seal_face=SEAL_FAMILY, sign_face=SIGN_FAMILY, legal_yin=legal['yin'],
                 line_mm=round(line, 3), render_px_per_mm=g, paper_tint=tint, folds_mm=[round(f, 1) for f in folds],
                 capture=meta['info'])
    with open(os.path.join(outdir, name + '.truth.json'), 'w', encoding='utf-8') as fh_:
        json.dump(truth, fh_, ensure_ascii=False, indent=1)


def reach_mm(cover, b, mx0, my0, g):
    ys, xs = np.nonzero(cover >= 0.5)
    if len(xs) == 0:
        return -99.0
    x = (xs + mx0 + 0.5) / g
    y = (ys + my0 + 0.5) / g
    r = max(float((b['x0'] - x).max()), float((x - b['x1']).max()), float((b['y0'] - y).max()),
            float((y - b['y1']).max()))
    return r


def plan_box(rng, b, official, legal, sign):
    kind = b['kind']
    p = dict(empty=False, defects=set(), border=set(), presses=[], under=None, stain=None, info={}, mottle=float(rng.uniform(0.04, 0.12)))
    iw, ih = b['x1'] - b['x0'], b['y1'] - b['y0']
    bcx, bcy = (b['x0'] + b['x1']) / 2, (b['y0'] + b['y1']) / 2
    if kind == 'signature':
        if rng.random() < 0.06:
            p['empty'] = True
            p['defects'].add('empty')
        prim = set()
        if rng.random() < 0.12:
            prim.add('push')
        if rng.random() < 0.08:
            prim.add('stain')
        if rng.random() < 0.09:
            prim.add('pale')
    else:
        if rng.random() < 0.08:
            p['empty'] = True
            p['defects'].add('empty')
            prim = {'stain'} if rng.random() < 0.12 else set()
        else:
            prim = set()
            if rng.random() < 0.72:
                names = ['double', 'smudged', 'broken', 'pale', 'off', 'tilted', 'push', 'stain', 'under']
                wts = np.array([13, 13, 13, 12, 11, 13, 11, 8, 9], float)
                first = choice(rng, names, wts / wts.sum())
                prim.add(first)
                if rng.random() < 0.3:
                    sec = choice(rng, ['tilted', 'stain', 'under', 'push', 'double', 'pale'])
                    bad = ({'double', 'smudged', 'broken'} if sec == 'double' else set()) | ({'off'} if sec == 'pale' else set())
                    if not (prim & bad) or sec in prim:
                        prim.add(sec)
    if 'stain' in prim:
        p['stain'] = dict(od=float(rng.uniform(0.14, 0.26)), cx=float(rng.uniform(0.35, 0.65)), cy=float(rng.uniform(0.35, 0.65)),
                          ax=float(rng.uniform(0.25, 0.42)), ay=float(rng.uniform(0.25, 0.42)))
        p['defects'].add('bg_not_white')
        p['info']['stain'] = dict(kind='oil blot', od_max=round(p['stain']['od'], 3))
    if p['empty']:
        return p
    # ink
    pale = 'pale' in prim
    off = 'off' in prim
    if kind == 'signature':
        p['scale'] = float(rng.uniform(0.94, 1.06))
        passed = float(rng.uniform(0.35, 0.6)) if pale else float(rng.uniform(0.06, 0.16))
        pc = sign['pen']  # one pen a sheet
        # the most absorbing channel passes `passed`; the others pass more as the pen's colour says
        if pc == 'blue':
            T = [passed, passed + (1 - passed) * 0.25, passed + (1 - passed) * 0.75]
        elif pc == 'black':
            T = [passed * 1.05, passed, passed * 1.1]
        else:
            T = [passed, passed + (1 - passed) * 0.12, passed + (1 - passed) * 0.4]
        T = [min(0.97, t) for t in T]
        p['ink'] = dict(T=T, sx=0.6, passed=passed, pale=pale, off=False)
        p['info']['pen'] = pc
        p['jit'] = [(float(rng.uniform(-0.8, 0.8)), float(rng.uniform(-0.8, 0.8)), float(rng.uniform(-2.3, 2.3))) for _ in sign['name']]
        tilt = float(rng.uniform(-2, 2))
        half_w = sign['cell'] * p['scale'] * (sign['adv'] * (len(sign['name']) - 1) + 1) / 2
        half_h = sign['cell'] * p['scale'] / 2
    else:
        passed = float(rng.uniform(0.32, 0.6)) if pale else float(rng.uniform(0.05, 0.13))
        tr = float(rng.uniform(0.88, 0.97))
        if off:
            h = float(rng.uniform(22, 34)) * (1 if rng.random() < 0.5 else -1)
            p['info']['off_way'] = 'orange' if h > 0 else 'purple'
        else:
            h = float(rng.uniform(-3, 3))
        W_ = 0.87
        Rs, Ms = float(enc(W_ * tr)), float(enc(W_ * passed))
        if h >= 0:  # blue the most absorbing
            Gs = Ms + h / 60 * (Rs - Ms)
            T = [tr, float(dec(Gs)) / W_, passed]
        else:
            Bs = Ms - h / 60 * (Rs - Ms)
            T = [tr, passed, float(dec(Bs)) / W_]
        T = [min(0.98, max(0.01, t)) for t in T]
        p['ink'] = dict(T=T, sx=float(rng.uniform(0.8, 1.6)), passed=passed, pale=pale, off=off)
        tilt = float(rng.uniform(12, 28)) * (1 if rng.random() < 0.5 else -1) if 'tilted' in prim else float(rng.uniform(-2, 2))
        if kind == 'official_seal':
            half_w = half_h = official['d'] / 2
        else:
            w, hh = legal['size']
            t = math.radians(tilt)
            half_w = (abs(w * math.cos(t)) + abs(hh * math.sin(t))) / 2
            half_h = (abs(w * math.sin(t)) + abs(hh * math.cos(t))) / 2
    if 'tilted' in prim:
        p['defects'].add('tilted')
    p['info']['tilt_deg'] = round(tilt, 2)
    # placement
    mx_ = max(0.0, iw / 2 - half_w - 0.8)
    my_ = max(0.0, ih / 2 - half_h - 0.8)
    cx = bcx + float(np.clip(rng.uniform(-2, 2), -mx_, mx_))
    cy = bcy + float(np.clip(rng.uniform(-2, 2), -my_, my_))
    if 'under' in prim:
        txt = choice(rng, UNDER)
        hgt = float(rng.uniform(3.8, 5))
        ux = bcx + float(rng.uniform(-6, 6))
        uy = bcy + ih * float(rng.uniform(0.1, 0.2))
        p['under'] = dict(text=txt, h=hgt, x=ux, y=uy)
        cx = float(np.clip(ux + rng.uniform(-1.5, 1.5), bcx - mx_, bcx + mx_))
        cy = float(np.clip(uy + rng.uniform(-1.5, 1.5), bcy - my_, bcy + my_))
        dist = math.hypot(ux - cx, uy - cy)
        if kind == 'official_seal':
            inside = official['d'] / 2 - dist
            need = 2.0
        elif kind == 'legal_rep_seal':
            inside = min(half_w - abs(ux - cx), half_h - abs(uy - cy))
            need = 1.0
        else:
            inside, need = -1, 0
        if inside >= need:
            p['defects'].add('text_under')
        else:
            p['border'].add('text_under')
        p['info']['under'] = dict(text=txt, inside_mm=round(inside, 2))
    if 'push' in prim:
        push = float(rng.uniform(1.2, 3.0))
        if kind == 'signature':
            side = choice(rng, ['left', 'right'])
        else:
            side = choice(rng, ['left', 'right', 'top', 'bottom'])
        if side == 'left':
            cx = b['x0'] - push + half_w
        elif side == 'right':
            cx = b['x1'] + push - half_w
        elif side == 'top':
            cy = b['y0'] - push + half_h
        else:
            cy = b['y1'] + push - half_h
        p['info']['push_mm'] = round(push, 2)
        p['info']['push_side'] = side
    p['info']['cx_mm'] = round(cx, 2)
    p['info']['cy_mm'] = round(cy, 2)
    p['presses'].append(dict(cx=cx, cy=cy, tilt=tilt))
    if kind != 'signature':
        if 'double' in prim:
            dd = float(rng.uniform(0.8, 2.4))
            a = float(rng.uniform(0, 2 * math.pi))
            p['presses'].append(dict(cx=cx + dd * math.cos(a), cy=cy + dd * math.sin(a), tilt=tilt + float(rng.uniform(-1.5, 1.5))))
            p['double'] = dict(load=float(rng.uniform(0.5, 0.9)))
            p['defects'].add('double')
            p['info']['double_offset_mm'] = round(dd, 2)
        elif 'smudged' in prim:
            p['smear'] = dict(mm=float(rng.uniform(0.8, 1.3)), deg=float(rng.uniform(0, 360)), keep=float(rng.uniform(0.5, 0.65)),
                              wend=float(rng.uniform(0.25, 0.45)))
            p['defects'].add('smudged')
            p['info']['smear_mm'] = round(p['smear']['mm'], 2)
            p['info']['smear_deg'] = round(p['smear']['deg'], 1)
        elif 'broken' in prim:
            p['broken'] = dict(deg=float(rng.uniform(0, 360)), lost=float(rng.uniform(0.18, 0.3)), fade=float(rng.uniform(0.3, 0.7)))
            p['defects'].add('broken')
    return p


def capture(rng, tex, page, plans, boxes, g, dpi, folds):
    """A flatbed with its lid raised: the letter-folded sheet's creases lift off the glass."""
    H, W = page.shape[:2]
    PW, PH = W / g, H / g
    marg = float(rng.uniform(3, 6))
    OW, OH = PW + 2 * marg, PH + 2 * marg
    ow, oh = int(round(OW * dpi / 25.4)), int(round(OH * dpi / 25.4))
    skew = float(rng.normal(0, 0.3)) if rng.random() < 0.55 else float(rng.uniform(0.4, 1.6)) * (1 if rng.random() < 0.5 else -1)
    offx, offy = float(rng.uniform(-1.5, 1.5)), float(rng.uniform(-1.5, 1.5))
    lifts = [float(rng.uniform(0.6, 2.4)) for _ in folds]
    widths = [float(rng.uniform(8, 16)) for _ in folds]
    D = float(rng.uniform(230, 300))  # the lens's distance from the glass (folded optical path), mm
    x_axis = PW / 2 + float(rng.uniform(-3, 3))
    # the lift z(y) along the page and the projected y of a page y (the sloped paper is shortened)
    ys = np.arange(-5, PH + 5, 0.05)
    z = np.zeros_like(ys)
    for fy, hl, wd in zip(folds, lifts, widths):
        z += hl * np.exp(-((ys - fy) / wd) ** 2)
    dz = np.gradient(z, ys)
    yproj = ys[0] + np.concatenate([[0], np.cumsum((1 / np.sqrt(1 + dz ** 2))[:-1] * 0.05)])
    ca, sa = math.cos(math.radians(skew)), math.sin(math.radians(skew))
    cxp, cyp = PW / 2, PH / 2

    def fwd(x, y, dpi=dpi):  # page mm -> image px
        zz = np.interp(y, ys, z)
        xw = x + (x - x_axis) * zz / D
        yw = np.interp(y, ys, yproj)
        u = ca * (xw - cxp) - sa * (yw - cyp) + cxp + marg + offx
        v = sa * (xw - cxp) + ca * (yw - cyp) + cyp + marg + offy
        return u * dpi / 25.4 - 0.5, v * dpi / 25.4 - 0.5

    def inv(u, v, dpi=dpi):  # image px -> page mm
        k = np.float32(25.4 / dpi)
        U = (u + np.float32(0.5)) * k - np.float32(marg + offx + cxp)
        V = (v + np.float32(0.5)) * k - np.float32(marg + offy + cyp)
        xw = np.float32(ca) * U + np.float32(sa) * V + np.float32(cxp)
        yw = np.float32(-sa) * U + np.float32(ca) * V + np.float32(cyp)
        y = np.interp(yw, yproj, ys).astype(np.float32)
        zz = np.interp(y, ys, z).astype(np.float32)
        x = (xw + np.float32(x_axis / D) * zz) / (1 + zz / np.float32(D))
        return x, y, zz

    optics = float(rng.uniform(0.035, 0.06))  # mm
    # 600 dpi is the driver's interpolation of the 300-dpi optical scan (bicubic)
    odpi = 300 if dpi == 600 else dpi
    ratio = g * 25.4 / odpi
    sig0 = math.sqrt((optics * g) ** 2 + (0.42 * max(ratio, 1)) ** 2)
    defocus = float(rng.uniform(0.05, 0.09))  # mm of blur per mm of lift
    zmax = max(lifts) * 1.05
    sig1 = math.sqrt(sig0 ** 2 + (defocus * zmax * g) ** 2)
    # the lift at each render row decides how much of the defocused copy it sees
    zr = np.interp((np.arange(H) + 0.5) / g, ys, z)
    wz = (zr / zmax).astype(np.float32)[:, None]
    sw, sh_ = (int(math.ceil(ow / 2)), int(math.ceil(oh / 2))) if odpi != dpi else (ow, oh)
    out = np.empty((sh_, sw, 3), np.float32)
    rows = max(64, 2_000_000 // sw)
    for ch in range(3):
        a = ndimage.gaussian_filter(page[..., ch], sig0)
        bl = ndimage.gaussian_filter(page[..., ch], sig1)
        page[..., ch] = a * (1 - wz) + bl * wz
    # map in bands to bound memory
    lid = float(rng.uniform(0.03, 0.09))
    shade_lift = float(rng.uniform(0.02, 0.04))
    shade_slope = float(rng.uniform(0.15, 0.35))
    fw = float(rng.uniform(8000, 20000))
    read = float(rng.uniform(0.001, 0.003))
    fall = float(rng.uniform(0.01, 0.03))
    lamp = (1 - fall * np.linspace(-1, 1, sw) ** 2).astype(np.float32)[None, :]
    for r0 in range(0, sh_, rows):
        r1 = min(sh_, r0 + rows)
        vv, uu = np.mgrid[r0:r1, 0:sw].astype(np.float32)
        x, y, zz = inv(uu, vv, odpi)
        py, px = y * g - 0.5, x * g - 0.5
        inside = (x >= 0) & (x <= PW) & (y >= 0) & (y <= PH)
        slope = np.interp(y, ys, dz).astype(np.float32)
        ill = (1 - shade_lift * zz) * (1 + shade_slope * slope) * lamp
        amb = lid * (1 + 0.4 * (uu / sw)) * lamp  # room light under the raised lid
        for ch in range(3):
            s = ndimage.map_coordinates(page[..., ch], [py, px], order=1, mode='nearest', output=np.float32)
            s = np.where(inside, s * ill, amb)
            # shot and read noise
            s += tex.standard_normal(s.shape, dtype=np.float32) * np.sqrt(np.maximum(s, 0) / fw + read * read)
            out[r0:r1, :, ch] = s
    # the driver's white point, 8 bits
    wp = float(np.percentile(out[::7, ::7, 1], 90))
    gainw = float(rng.uniform(0.9, 0.96)) / max(wp, 1e-3)
    img = np.empty((sh_, sw, 3), np.uint8)
    for r0 in range(0, sh_, rows):
        r1 = min(sh_, r0 + rows)
        img[r0:r1] = (np.clip(enc(out[r0:r1] * gainw), 0, 1) * 255 + 0.5).astype(np.uint8)
    del out
    if odpi != dpi:
        img = np.asarray(Image.fromarray(img).resize((ow, oh), Image.BICUBIC, box=(0, 0, ow / 2, oh / 2)))
    # the document system archives WebP; the export reads it back
    q = int(rng.integers(72, 93))
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, 'WEBP', quality=q, method=4)
    img = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert('RGB'))
    # masks through the same inverse map
    masks = {}
    for p, b in zip(plans, boxes):
        if p['empty']:
            continue
        mx0, my0, mx1, my1 = p['region']
        cu, cvv = fwd(np.array([mx0 / g, mx1 / g, mx0 / g, mx1 / g]), np.array([my0 / g, my0 / g, my1 / g, my1 / g]))
        u0, u1 = max(0, int(cu.min()) - 2), min(ow, int(cu.max()) + 3)
        v0, v1 = max(0, int(cvv.min()) - 2), min(oh, int(cvv.max()) + 3)
        vv, uu = np.mgrid[v0:v1, u0:u1].astype(np.float32)
        x, y, _ = inv(uu, vv)
        s = ndimage.map_coordinates(p['cover'], [y * g - 0.5 - my0, x * g - 0.5 - mx0], order=1, mode='constant', cval=0)
        m = s >= 0.5
        if not m.any():
            raise SystemExit('letterfold: an impression has no pixel in the delivered image')
        yy, xx = np.nonzero(m)
        a0, a1, c0, c1 = yy.min(), yy.max() + 1, xx.min(), xx.max() + 1
        masks[id(p)] = ((m[a0:a1, c0:c1] * 255).astype(np.uint8), (u0 + c0, v0 + a0))
    # skew as the image shows it: the turn of the page's horizontal mid-line
    su, sv = fwd(np.array([40.0, 170.0]), np.array([PH / 2, PH / 2]))
    sk = math.degrees(math.atan2(sv[1] - sv[0], su[1] - su[0]))
    info = dict(device='flatbed, lid raised over a letter-folded sheet', optical_dpi=odpi, lift_mm=[round(v, 2) for v in lifts],
                crease_width_mm=[round(v, 1) for v in widths], lens_distance_mm=round(D, 1), optics_mm=round(optics, 3),
                webp_quality=q, margin_mm=round(marg, 2))
    return img, masks, dict(fwd=fwd, skew=sk, info=info)


if __name__ == '__main__':
    main()
