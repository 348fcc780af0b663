#!/usr/bin/python3
"""Maker N (uvcdesk): a seal collection sheet drawn by libgd (php-gd) in IPAex Mincho / Gothic,
the form printed by an LED printer, paper from a Gray–Scott reaction–diffusion floc model, ink by
a four-flux adding-doubling model, captured as a frame of a UVC document camera's video stream
(MJPEG or H.264 through ffmpeg) and rectified by the counter's capture software.
    python3 make_sheet.py SEED OUTDIR INDEX"""
import json, math, os, subprocess, sys, tempfile
import numpy as np
from PIL import Image
from scipy import ndimage
from fontTools.ttLib import TTFont
import fourflux

HERE = os.path.dirname(os.path.abspath(__file__))
MINCHO = '/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf'
GOTHIC = '/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf'
R = 12.0          # render grid, px per mm
SS = 3            # libgd draws impressions at 3 × the render grid
seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
rng = np.random.default_rng(seed)
CMAP = {f: set(TTFont(f).getBestCmap()) for f in (MINCHO, GOTHIC)}


def carried(word):
    return all(ord(c) in CMAP[MINCHO] and ord(c) in CMAP[GOTHIC] for c in word if c != ' ')


def need(word):
    if not carried(word):
        raise SystemExit('uvcdesk: a face lacks a character of %r' % word)
    return word


PLACES = [w for w in '北京 上海 天津 西安 宝鸡 咸阳 延安 安康 商洛 渭南 包头 赤峰 通辽 呼和浩特 乌海'.split() if carried(w)]
CORES = [w for w in '金泰 宏远 恒信 瑞丰 永兴 建设 长城 华夏 明德 泰和 安平 东方 新世纪 富国'.split() if carried(w)]
TRADES = [w for w in '科技 商贸 物流 能源 化工 机械 建筑 文化 医药 农业 信息 投资'.split() if carried(w)]
SUR = [c for c in '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯曹彭曾田董潘袁蔡蒋余于杜叶程魏苏丁任姚沈姜崔石金夏付方白孟秦邱侯江尹薛段雷黎史陶毛郝邵万武戴莫孔向常康易' if carried(c)]
GIVEN = [c for c in '文芳娜秀英敏静磊洋勇杰娟涛明超霞平桂建国志玉海林波宁春云宇浩然德清' if carried(c)]
UNDER = [w for w in ['（盖章）', '盖章', '年 月 日', '公章', '印章'] if carried(w)]
USES = [w for w in ['合同', '财务', '发票', '人事'] if carried(w)]


def u():
    return float(rng.random())


def uni(a, b):
    return float(a + (b - a) * rng.random())


def pick(xs, p=None):
    return xs[int(rng.choice(len(xs), p=p))]


# ---------------------------------------------------------------- draws
dpi = int(pick([150, 200, 300, 400, 600], [0.1, 0.2, 0.5, 0.12, 0.08]))
firm = need(pick(PLACES) + pick(CORES) + pick(TRADES) + ('有限公司' if u() < 0.7 else '股份有限公司'))
person = need(pick(SUR) + pick(GIVEN) + (pick(GIVEN) if u() < 0.6 else ''))
seal_face = MINCHO if u() < 0.7 else GOTHIC
rep_face = MINCHO if u() < 0.5 else GOTHIC

# the layout: snca-nmg 附件3 (公章采集表 / 法人签字采集表 / 法人签章采集表), 3 rows of 58-mm boxes
X0 = 18.0 + uni(-2, 2)
line_mm = uni(0.2, 0.42)
rows = []
y = 15.0 + uni(-2, 2) + 5.2
titles = [need('公章采集表'), need('法人署名采集表'), need('法人印章采集表')]
caps = [need('印章'), need('署名'), need('印章')]
note = need('【在下表方格内居中盖章三次，勿出格，保持清白】')
heights = [52.0, 35.0, 40.0]
kinds = ['official_seal', 'signature', 'legal_rep_seal']
for ri in range(3):
    y += 3 + 7.4 + 1.5
    ty = y
    y += 4.7 + 2
    rows.append(dict(title_y=ty, top=y, h=heights[ri], kind=kinds[ri]))
    y += heights[ri] + 8
W, H = int(round(210 * R)), int(round(297 * R))

# ---------------------------------------------------------------- boxes and their draws
DEF_W = dict(double=13, smudged=12, broken=13, pale=12, off_color=9, tilted=13, push=12, stain=8, under=8)
SECOND = ['tilted', 'stain', 'under', 'push', 'double', 'pale']
tinted = u() < 0.05
boxes = []
for ri, row in enumerate(rows):
    for ci in range(3):
        x0 = X0 + 58 * ci; x1 = x0 + 58
        y0 = row['top']; y1 = y0 + row['h']
        b = dict(row=ri, col=ci, kind=row['kind'], x0=x0, x1=x1, y0=y0, y1=y1, want=set())
        if row['kind'] == 'signature':
            b['empty'] = u() < 0.06
            if not b['empty']:
                if u() < 0.12: b['want'].add('push')
                if u() < 0.05: b['want'].add('pale')
            if u() < 0.08: b['want'].add('stain')
        else:
            b['empty'] = u() < 0.08
            if b['empty']:
                if u() < 0.12: b['want'].add('stain')
            elif u() < 0.55:
                keys = list(DEF_W); w = np.array([DEF_W[k] for k in keys], float)
                first = pick(keys, w / w.sum()); b['want'].add(first)
                if u() < 0.18:
                    ok = [k for k in SECOND if k != first
                          and not ({k, first} & {'double'} and {k, first} & {'smudged', 'broken'})
                          and not {k, first} == {'pale', 'off_color'}]
                    if ok: b['want'].add(pick(ok))
        if tinted: b['want'].add('stain_tint')
        boxes.append(b)

# ---------------------------------------------------------------- libgd
jobs = []
tmp = tempfile.mkdtemp(prefix='uvcdesk-')


DRAW_PHP = r'''<?php
// Maker N: libgd (php-gd) draws every layer the maker asks for, from a JSON list of operations:
//   php draw.php JOB.json (written out by make_sheet.py, which keeps this script)   (each job: a grey PNG, ink 255 on 0, of w × h pixels)
$jobs = json_decode(file_get_contents($argv[1]), true);
foreach ($jobs as $job) {
  $im = imagecreatetruecolor($job['w'], $job['h']);
  imagealphablending($im, true);
  imageantialias($im, false);
  $col = [];
  $c = function ($v) use ($im, &$col) { $v = max(0, min(255, (int)round($v)));
    if (!isset($col[$v])) $col[$v] = imagecolorallocate($im, $v, $v, $v); return $col[$v]; };
  imagefilledrectangle($im, 0, 0, $job['w'] - 1, $job['h'] - 1, $c($job['bg'] ?? 0));
  foreach ($job['ops'] as $op) {
    switch ($op[0]) {
      case 'ellipse': imagefilledellipse($im, (int)round($op[1]), (int)round($op[2]), (int)round($op[3]), (int)round($op[4]), $c($op[5])); break;
      case 'poly': $p = []; foreach ($op[1] as $xy) { $p[] = (int)round($xy[0]); $p[] = (int)round($xy[1]); }
        imagefilledpolygon($im, $p, $c($op[2])); break;
      case 'rect': imagefilledrectangle($im, (int)round($op[1]), (int)round($op[2]), (int)round($op[3]), (int)round($op[4]), $c($op[5])); break;
      case 'line': imagesetthickness($im, max(1, (int)round($op[5])));
        imageline($im, (int)round($op[1]), (int)round($op[2]), (int)round($op[3]), (int)round($op[4]), $c($op[6])); imagesetthickness($im, 1); break;
      case 'text': // font, size px→pt at 72 dpi (GD's FreeType at 96 dpi: pt = px × 0.75), angle, x, y, string, value
        $r = imagettftext($im, $op[2] * 0.75, $op[3], (int)round($op[4]), (int)round($op[5]), $c($op[7]), $op[1], $op[6]);
        if ($r === false) { fwrite(STDERR, "draw.php: text failed\n"); exit(1); } break;
      default: fwrite(STDERR, "draw.php: unknown op {$op[0]}\n"); exit(1);
    }
  }
  imagepng($im, $job['out'], 1);
  imagedestroy($im);
}
'''


def gd_run():
    if not jobs: return
    p = os.path.join(tmp, 'jobs.json')
    with open(p, 'w') as f: json.dump(jobs, f)
    script = os.path.join(tmp, 'draw.php')
    with open(script, 'w') as f: f.write(DRAW_PHP)
    subprocess.run(['php', '-n', '-d', 'extension=gd', script, p], check=True)
    jobs.clear()


def gd_read(path):
    return np.asarray(Image.open(path).convert('L'), np.float32) / 255.0


def text_ops(font, word, size, cx, cy, ang_deg, val, ops):
    """one character centred at (cx, cy), turned ang_deg clockwise"""
    t = math.radians(ang_deg); c, s = math.cos(t), math.sin(t)
    ox, oy = -0.5 * size, 0.38 * size   # the ideograph's centre from its origin on the baseline
    ops.append(['text', font, size, -ang_deg, cx + ox * c - oy * s, cy + ox * s + oy * c, word, val])


def rot(pts, cx, cy, ang_deg):
    t = math.radians(ang_deg); c, s = math.cos(t), math.sin(t)
    return [[cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c] for x, y in pts]


# form (the LED printer's page): rules, titles, captions, note, print under the seals
form_ops = []
S = R
lw = max(1, line_mm * S)
form_ops.append(['text', GOTHIC, 3.7 * S, 0, 18 * S, (rows[0]['title_y'] - 12.5) * S, need('附件:3'), 255])
for ri, row in enumerate(rows):
    t = titles[ri]; size = 5.3 * S
    form_ops.append(['text', MINCHO if u() < 0.6 else GOTHIC, size, 0, (105 - len(t) * 5.3 / 2) * S, (row['title_y'] - 2.4) * S, t, 255])
    form_ops.append(['text', GOTHIC, 3.35 * S, 0, (105 - len(note) * 3.35 / 2) * S, (row['top'] - 2.3) * S, note, 255])
    top, bot = row['top'], row['top'] + row['h'] + 8
    for yy in (top, row['top'] + row['h'], bot):
        form_ops.append(['rect', X0 * S, (yy - line_mm / 2) * S, (X0 + 174) * S, (yy + line_mm / 2) * S, 255])
    for ci in range(4):
        xx = X0 + 58 * ci
        form_ops.append(['rect', (xx - line_mm / 2) * S, top * S, (xx + line_mm / 2) * S, bot * S, 255])
    for ci in range(3):
        cap = caps[ri] + ' %d' % (ci + 1)
        form_ops.append(['text', GOTHIC, 3.7 * S, 0, (X0 + 58 * ci + 29 - 3.7 * 1.6) * S, (row['top'] + row['h'] + 5.5) * S, cap, 255])
for b in boxes:
    if 'under' in b['want'] and b['kind'] != 'signature':
        w = pick(UNDER); size = uni(3.8, 5.0)
        ux, uy = (b['x0'] + b['x1']) / 2 + uni(-6, 6), b['y0'] + (b['y1'] - b['y0']) * (0.5 + uni(0.22, 0.3))
        form_ops.append(['text', GOTHIC, size * S, 0, (ux - len(w) * size / 2) * S, (uy + size * 0.38) * S, w, 255])
        b['under'] = dict(text=w, mm=[round(ux, 2), round(uy, 2)])
jobs.append(dict(w=W, h=H, bg=0, ops=form_ops, out=os.path.join(tmp, 'form.png')))

MARG = 9.0   # mm round each box in its impression's crop


def crop_of(b):
    return (b['x0'] - MARG, b['y0'] - MARG, b['x1'] - b['x0'] + 2 * MARG, b['y1'] - b['y0'] + 2 * MARG)


def seal_ops(b, cx, cy, tilt):
    """ops in crop super-pixels for the box's face centred at (cx, cy) mm (crop-relative)"""
    k = R * SS; ops = []
    X, Y = cx * k, cy * k
    if b['kind'] == 'official_seal':
        D = b['diameter']; rr = D / 2 * k; w = b['ring'] * k
        ops.append(['ellipse', X, Y, 2 * rr, 2 * rr, 255]); ops.append(['ellipse', X, Y, 2 * (rr - w), 2 * (rr - w), 0])
        rs = b['star'] * rr; pts = []
        for i in range(10):
            a = math.radians(-90 + 36 * i + tilt); q = rs if i % 2 == 0 else rs * 0.382
            pts.append([X + q * math.cos(a), Y + q * math.sin(a)])
        ops.append(['poly', pts, 255])
        name = b['firm']; n = len(name); span = b['span']; ch = b['char_h'] * D * k
        rt = rr - w - 0.6 * k - ch / 2
        for i, c in enumerate(name):
            a = -span / 2 + span * (i + 0.5) / n + tilt
            px, py = X + rt * math.sin(math.radians(a)), Y - rt * math.cos(math.radians(a))
            text_ops(b['face'], c, ch, px, py, a, 255, ops)
        if b.get('use'):
            uw = b['use']; cs = 0.13 * D * k
            for i, c in enumerate(uw):
                dx = (i - (len(uw) - 1) / 2) * cs * 1.05; dy = 0.5 * rr
                t = math.radians(tilt)
                text_ops(b['face'], c, cs, X + dx * math.cos(t) - dy * math.sin(t), Y + dx * math.sin(t) + dy * math.cos(t), tilt, 255, ops)
    elif b['kind'] == 'legal_rep_seal':
        sw, sh = b['size'][0] * k, b['size'][1] * k; fw = b['frame'] * k
        outer = rot([[X - sw / 2, Y - sh / 2], [X + sw / 2, Y - sh / 2], [X + sw / 2, Y + sh / 2], [X - sw / 2, Y + sh / 2]], X, Y, tilt)
        inner = rot([[X - sw / 2 + fw, Y - sh / 2 + fw], [X + sw / 2 - fw, Y - sh / 2 + fw], [X + sw / 2 - fw, Y + sh / 2 - fw], [X - sw / 2 + fw, Y + sh / 2 - fw]], X, Y, tilt)
        ops.append(['poly', outer, 255])
        if not b['yin']: ops.append(['poly', inner, 0])
        chars = b['chars']; val = 0 if b['yin'] else 255
        iw, ih = sw - 2 * fw, sh - 2 * fw
        cw, chh = iw / 2, ih / 2
        cells = [(0.75, 0.25), (0.75, 0.75), (0.25, 0.25), (0.25, 0.75)]   # right column first, top to bottom
        size = min(cw, chh) * 0.86
        t = math.radians(tilt)
        for c, (fx, fy) in zip(chars, cells):
            dx, dy = (fx - 0.5) * iw, (fy - 0.5) * ih
            text_ops(b['face'], c, size, X + dx * math.cos(t) - dy * math.sin(t), Y + dx * math.sin(t) + dy * math.cos(t), tilt, val, ops)
    else:
        pw = b['pen_w'] * k
        for stroke in b['strokes']:
            pts = [[X + sx * k, Y + sy * k] for sx, sy in stroke]
            for (ax, ay), (bx, by) in zip(pts, pts[1:]):
                ops.append(['line', ax, ay, bx, by, pw, 255])
            for (ax, ay) in pts[::2]:
                ops.append(['ellipse', ax, ay, pw, pw, 255])
    return ops


def signature_strokes(n_chars, cell, slant):
    """a hand of cubic Béziers: each character 3–6 strokes (横, 竖, 撇, 捺, 点, 折) in its cell"""
    strokes = []; dirs = {'h': (1, 0.08), 's': (0.05, 1), 'p': (-0.7, 0.8), 'n': (0.75, 0.7), 'd': (0.3, 0.4), 'z': (1, 0)}
    x = -n_chars * cell * 0.45
    for ci in range(n_chars):
        for _ in range(int(rng.integers(3, 7))):
            kd = pick(list(dirs)); dx, dy = dirs[kd]; L = cell * uni(0.35, 0.85) * (0.4 if kd == 'd' else 1)
            sx, sy = x + uni(0.1, 0.7) * cell, uni(-0.4, 0.2) * cell
            p0 = np.array([sx, sy]); p3 = p0 + L * np.array([dx, dy]) / math.hypot(dx, dy)
            p1 = p0 + (p3 - p0) / 3 + rng.normal(0, 0.12 * L, 2); p2 = p0 + 2 * (p3 - p0) / 3 + rng.normal(0, 0.12 * L, 2)
            ts = np.linspace(0, 1, max(6, int(L / 0.25)))[:, None]
            pts = (1 - ts) ** 3 * p0 + 3 * (1 - ts) ** 2 * ts * p1 + 3 * (1 - ts) * ts ** 2 * p2 + ts ** 3 * p3
            if kd == 'z':
                q = pts[-1] + np.linspace(0, 1, 8)[:, None] * np.array([-0.1, 0.6]) * cell
                pts = np.vstack([pts, q])
            strokes.append(pts)
        x += cell * uni(0.75, 0.95)
    if u() < 0.4:
        ts = np.linspace(0, 1, 30)[:, None]; a = np.array([x - cell * 0.3, 0.1 * cell]); bb = np.array([x + cell * 0.5, -0.3 * cell])
        strokes.append(a + ts * (bb - a) + np.sin(ts * 3.1) * np.array([0, 0.25 * cell]))
    sl = math.tan(math.radians(slant))
    return [[[float(px - py * sl), float(py)] for px, py in s] for s in strokes]


for b in boxes:
    bw, bh = b['x1'] - b['x0'], b['y1'] - b['y0']
    b['tilt'] = uni(12, 28) * (1 if u() < 0.5 else -1) if 'tilted' in b['want'] else uni(-2, 2)
    if b['kind'] == 'official_seal':
        b['diameter'] = uni(38.5, 44.5); b['ring'] = uni(0.9, 1.5); b['star'] = uni(0.27, 0.33)
        b['firm'] = firm; b['span'] = uni(205, 250); b['char_h'] = uni(0.15, 0.18); b['face'] = seal_face
        b['use'] = ''
        ext = (b['diameter'] / 2,) * 2
    elif b['kind'] == 'legal_rep_seal':
        if u() < 0.62:
            s = uni(15.5, 21.5); b['size'] = [s, s]
        else:
            L = uni(17.5, 22.0); ar = uni(1.2, 1.5); b['size'] = [L, L / ar] if u() < 0.5 else [L / ar, L]
        b['frame'] = uni(0.6, 1.1); b['yin'] = u() < 0.22; b['face'] = rep_face
        nm = person[:2] if len(person) == 2 else person[:2]
        b['chars'] = need(nm[0] + nm[1] + '之印') if len(person) == 2 else need(person[0] + person[1] + person[2] + '印')
        t = math.radians(b['tilt'])
        ext = (abs(b['size'][0] / 2 * math.cos(t)) + abs(b['size'][1] / 2 * math.sin(t)),
               abs(b['size'][0] / 2 * math.sin(t)) + abs(b['size'][1] / 2 * math.cos(t)))
        b['tilt_ext'] = ext
    else:
        b['tilt'] = uni(-2, 2)
        b['pen_w'] = uni(0.4, 0.65); b['pen'] = pick(['blue', 'black', 'blueblack'], [0.5, 0.3, 0.2])
        cell = uni(9, 12.5)
        b['strokes'] = signature_strokes(len(person), cell, uni(6, 18) + b['tilt'])
        xs = [p[0] for s in b['strokes'] for p in s]; ys = [p[1] for s in b['strokes'] for p in s]
        off = (-(min(xs) + max(xs)) / 2, -(min(ys) + max(ys)) / 2)
        b['strokes'] = [[[px + off[0], py + off[1]] for px, py in s] for s in b['strokes']]
        ext = ((max(xs) - min(xs)) / 2 + b['pen_w'] / 2, (max(ys) - min(ys)) / 2 + b['pen_w'] / 2)
    # placement: within 2 mm of the centre, or pushed 1.2–3 mm past a rule's inner edge
    cx, cy = bw / 2 + uni(-2, 2), bh / 2 + uni(-2, 2)
    if 'under' in b:
        ux, uy = b['under']['mm']; cx += 0.75 * (ux - b['x0'] - cx); cy += 0.75 * (uy - b['y0'] - cy)
        cx = min(max(cx, ext[0] + line_mm / 2 + 0.8), bw - ext[0] - line_mm / 2 - 0.8)
        cy = min(max(cy, ext[1] + line_mm / 2 + 0.8), bh - ext[1] - line_mm / 2 - 0.8)
    if 'push' in b['want']:
        side = pick(['l', 'r']) if b['kind'] == 'signature' else pick(['l', 'r', 't', 'b'])
        p = uni(1.2, 3.0); b['push_mm'] = round(p, 2)
        if side == 'l': cx = ext[0] - p + line_mm / 2
        if side == 'r': cx = bw - ext[0] + p - line_mm / 2
        if side == 't': cy = ext[1] - p + line_mm / 2
        if side == 'b': cy = bh - ext[1] + p - line_mm / 2
    b['c'] = (cx + MARG, cy + MARG)
    if b['empty']: continue
    ox, oy, cw_, ch_ = crop_of(b)
    cwp, chp = int(round(cw_ * R)) * SS, int(round(ch_ * R)) * SS
    jobs.append(dict(w=cwp, h=chp, bg=0, ops=seal_ops(b, cx + MARG, cy + MARG, b['tilt']), out=os.path.join(tmp, 'b%d%d.png' % (b['row'], b['col']))))
    if 'double' in b['want']:
        d = uni(0.8, 2.4); a = uni(0, 2 * math.pi); b['double_offset_mm'] = round(d, 2)
        jobs.append(dict(w=cwp, h=chp, bg=0, ops=seal_ops(b, cx + MARG + d * math.cos(a), cy + MARG + d * math.sin(a), b['tilt'] + uni(-1.5, 1.5)),
                         out=os.path.join(tmp, 'b%d%d-2.png' % (b['row'], b['col']))))
gd_run()


def coverage(path):
    g = gd_read(path)
    h, w = g.shape
    return g.reshape(h // SS, SS, w // SS, SS).mean(axis=(1, 3))


# ---------------------------------------------------------------- paper: Gray–Scott floc model
def gray_scott(n=192, steps=700):
    F, k = uni(0.034, 0.042), uni(0.058, 0.063)
    Uf = np.ones((n, n), np.float32); V = np.zeros((n, n), np.float32)
    for _ in range(int(rng.integers(12, 25))):
        x, y = rng.integers(0, n - 8, 2); Uf[y:y + 6, x:x + 6] = 0.5; V[y:y + 6, x:x + 6] = 0.25
    V += rng.random((n, n)).astype(np.float32) * 0.02
    for _ in range(steps):
        lu = np.roll(Uf, 1, 0) + np.roll(Uf, -1, 0) + np.roll(Uf, 1, 1) + np.roll(Uf, -1, 1) - 4 * Uf
        lv = np.roll(V, 1, 0) + np.roll(V, -1, 0) + np.roll(V, 1, 1) + np.roll(V, -1, 1) - 4 * V
        uvv = Uf * V * V
        Uf += 0.16 * lu - uvv + F * (1 - Uf); V += 0.08 * lv + uvv - (F + k) * V
    V = (V - V.mean()) / (V.std() + 1e-6)
    return V, F, k


gs, gs_F, gs_k = gray_scott()
scale_mm = uni(0.04, 0.09)   # mm per cell of the pattern: flocs of 0.3–1 mm
yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
gi = (yy / R / scale_mm).astype(np.int32) % gs.shape[0]; gj = (xx / R / scale_mm).astype(np.int32) % gs.shape[1]
floc = ndimage.gaussian_filter(gs, 0.8, mode='wrap')[gi, gj]
del yy, xx
del gi, gj
form_f = ndimage.zoom(rng.normal(0, 1, (30, 22)).astype(np.float32), (H / 30, W / 22), order=3)[:H, :W]
white = uni(0.84, 0.9)
paper_rgb = np.array([white * uni(0.99, 1.01), white, white * uni(0.985, 1.03)], np.float32)
grain = 1 + uni(0.004, 0.01) * floc + uni(0.003, 0.008) * form_f
P = paper_rgb[None, None, :] * grain[..., None]
paper_info = dict(model='gray-scott', F_k=[round(gs_F, 4), round(gs_k, 4)], white=round(white, 3), cell_mm=round(scale_mm, 3))
if tinted:
    od = np.array(pick([[0.02, 0.05, 0.2], [0.02, 0.12, 0.08], [0.15, 0.05, 0.03], [0.12, 0.03, 0.12]])) * uni(0.8, 1.25)
    P *= (10 ** -od)[None, None, :].astype(np.float32); paper_info['tint_od'] = [round(float(v), 3) for v in od]

# stains: a tea spill, wavy, darker at its dried rim
for b in boxes:
    if 'stain' not in b['want'] or tinted: continue
    cx, cy = (b['x0'] + b['x1']) / 2 + uni(-5, 5), (b['y0'] + b['y1']) / 2 + uni(-4, 4)
    ax, ay = (b['x1'] - b['x0']) * uni(0.3, 0.42), (b['y1'] - b['y0']) * uni(0.3, 0.42)
    x0, x1 = int((b['x0'] + 1) * R), int((b['x1'] - 1) * R); y0, y1 = int((b['y0'] + 1) * R), int((b['y1'] - 1) * R)
    Y, X = np.mgrid[y0:y1, x0:x1].astype(np.float32) / R
    ang = np.arctan2(Y - cy, X - cx)
    wob = 1 + 0.12 * np.sin(3 * ang + uni(0, 6)) + 0.07 * np.sin(5 * ang + uni(0, 6))
    rr = np.hypot((X - cx) / ax, (Y - cy) / ay) / wob
    od = uni(0.16, 0.26)
    prof = np.where(rr < 1, 0.6 + 0.4 * np.exp(-((1 - rr) / 0.06) ** 2), 0) * od
    inner = np.minimum.reduce([X - b['x0'], b['x1'] - X, Y - b['y0'], b['y1'] - Y])
    prof *= np.clip((inner - 2) / 1.5, 0, 1)
    for _ in range(4):
        area = float((prof[(inner >= 2)] >= 0.1 / 1.35).mean())   # blue is the strongest channel
        if area >= 0.36: break
        prof = prof * 1.3
    b['stain'] = dict(kind='tea', od_max=round(float(prof.max() * 1.35), 3), area_od_0_1=round(area, 3))
    b['stain_ok'] = area >= 0.36
    P[y0:y1, x0:x1] *= (10 ** -(prof[..., None] * np.array([0.55, 1.0, 1.35], np.float32)))

# the form: an LED printer (a row of LED chips 5.12 mm each exposes the drum; each element's and
# chip's brightness differ, so its toner density runs in columns), toner an absorbing layer
form = gd_read(os.path.join(tmp, 'form.png'))
chip = rng.normal(0, uni(0.02, 0.05), int(220 / 5.12) + 2)
elem = rng.normal(0, 0.01, int(220 * 600 / 25.4) + 2)
colx = np.arange(W) / R
led = 1 + chip[(colx / 5.12).astype(int)] + elem[(colx * 600 / 25.4).astype(int)]
toner_od = uni(1.25, 1.6)
form_cov = np.clip(ndimage.gaussian_filter(form, uni(0.25, 0.45)) * 1.15, 0, 1) * led[None, :].astype(np.float32)
P *= (10 ** -(toner_od * form_cov))[..., None]
P = np.clip(P, 0.01, 1).astype(np.float32)
speck = rng.random((H, W)) < uni(1e-6, 6e-6) / 1.0
P[ndimage.binary_dilation(speck, iterations=1)] *= 0.15
print_info = dict(kind='led', toner_od=round(toner_od, 3), chip_sigma=round(float(chip.std()), 4))

# ---------------------------------------------------------------- ink: four-flux films
def hue_of(rgb):
    v = np.clip(rgb, 0, 1); v = np.where(v <= 0.0031308, 12.92 * v, 1.055 * v ** (1 / 2.4) - 0.055)
    r, g, bl = v; mx, mn = max(v), min(v)
    if mx - mn < 1e-6: return 0.0
    if mx == r: h = 60 * ((g - bl) / (mx - mn))
    elif mx == g: h = 60 * ((bl - r) / (mx - mn) + 2)
    else: h = 60 * ((r - g) / (mx - mn) + 4)
    return (h + 180) % 360 - 180


S_PASTE = uni(0.15, 0.4) if u() < 0.7 else uni(0.02, 0.08)
ink_kind = '印泥' if S_PASTE > 0.1 else '印油'
HMAX = 6.0


def make_ink(absr, s):
    return [fourflux.table(absr[c], s, HMAX) for c in range(3)]


def film_rgb(tabs, h, pw):
    return np.array([float(fourflux.lookup(tabs[c], np.array([h]), np.array([pw[c]]))[0]) for c in range(3)])


def absorbed_strongest(tabs, h, pw):
    return float(np.max(1 - film_rgb(tabs, h, pw) / pw))


def solve_h(tabs, target, pw):
    lo, hi = 0.0, HMAX
    for _ in range(40):
        m = (lo + hi) / 2
        if absorbed_strongest(tabs, m, pw) < target: lo = m
        else: hi = m
    return (lo + hi) / 2


def red_ink(way, pw):
    """absorption ratios with the hue over the paper (white-balanced) at the nominal film drawn"""
    for _ in range(30):
        ar = uni(0.03, 0.1)
        if way == 'red': target = uni(-3, 3); band = 7.0
        else: target = uni(26, 36) * (1 if way == 'orange' else -1); band = None
        def hue_for(x):
            a = [ar, 1.0, x] if way != 'orange' else [ar, x, 1.0]
            tabs = make_ink(a, S_PASTE)
            h = solve_h(tabs, 0.9, pw)
            return hue_of(film_rgb(tabs, h, pw) / pw), a, tabs
        lo, hi = 0.05, 2.5
        for _ in range(22):
            m = (lo + hi) / 2; hu, a, tabs = hue_for(m)
            if way == 'orange': (lo, hi) = (m, hi) if hu > target else (lo, m)   # weaker green → more orange
            else: (lo, hi) = (m, hi) if hu < target else (lo, m)                 # more blue absorbed → hue up
        hu, a, tabs = hue_for((lo + hi) / 2)
        hn = solve_h(tabs, 0.9, pw)
        hs = [hue_of(film_rgb(tabs, hn * f, pw) / pw) for f in (0.3, 0.6, 1.0, 1.4)]
        if way == 'red' and all(abs(x) <= band for x in hs): return a, tabs, hu
        if way != 'red' and all(18 <= abs(x) <= 50 and np.sign(x) == np.sign(target) for x in hs): return a, tabs, hu
    raise SystemExit('uvcdesk: no ink met its hue band')


pw0 = paper_rgb * 1.0
RED = red_ink('red', pw0)
PENS = {'blue': [1, 0.72, 0.14], 'black': [1, 0.97, 0.9], 'blueblack': [1, 0.9, 0.55]}
PEN_TABS = {k: make_ink(v, 0.02) for k, v in PENS.items()}

# ---------------------------------------------------------------- impressions
films = {}   # per ink: (film thickness page array pieces)
Hpage = {}   # key → (tabs, film (H, W))
for key in ('red', 'blue', 'black', 'blueblack'):
    Hpage[key] = None
other_inks = {}
truth_boxes = []


def smooth_noise(shape, cell_px, amp):
    gh, gw = max(2, int(shape[0] / cell_px) + 2), max(2, int(shape[1] / cell_px) + 2)
    z = ndimage.zoom(rng.normal(0, 1, (gh, gw)).astype(np.float32), (shape[0] / gh * 1.0001, shape[1] / gw * 1.0001), order=3)
    return 1 + amp * z[:shape[0], :shape[1]]


for b in boxes:
    ox, oy, cw_, ch_ = crop_of(b)
    X0p, Y0p = int(round(ox * R)), int(round(oy * R))
    tb = dict(row=b['row'], col=b['col'], kind=b['kind'], empty=bool(b['empty']), defects=[], borderline=[],
              inner_mm=[round(b['x1'] - b['x0'] - line_mm, 2), round(b['y1'] - b['y0'] - line_mm, 2)],
              box_centre_mm=[round((b['x0'] + b['x1']) / 2, 2), round((b['y0'] + b['y1']) / 2, 2)])
    b['tb'] = tb
    if 'stain' in b:
        tb['stain'] = b['stain']; (tb['defects'] if b['stain_ok'] else tb['borderline']).append('bg_not_white')
    if tinted: tb['defects'].append('bg_not_white')
    if 'under' in b: tb['under'] = b['under']['text']
    if b['empty']:
        tb['defects'].insert(0, 'empty'); truth_boxes.append(tb); continue
    cov = coverage(os.path.join(tmp, 'b%d%d.png' % (b['row'], b['col'])))
    mask_cov = cov.copy()
    shp = cov.shape
    load = cov * smooth_noise(shp, uni(0.8, 2.0) * R, uni(0.05, 0.12))
    edge = np.clip(cov - ndimage.gaussian_filter(cov, 0.25 * R), 0, None)
    load = load * (1 + uni(0.2, 0.45) * edge / (edge.max() + 1e-6))
    gy, gx = np.mgrid[0:shp[0], 0:shp[1]].astype(np.float32) / R
    load *= 1 + rng.normal(0, 0.004) * (gx - gx.mean()) + rng.normal(0, 0.004) * (gy - gy.mean())
    if 'double' in b['want']:
        cov2 = coverage(os.path.join(tmp, 'b%d%d-2.png' % (b['row'], b['col'])))
        load = load + uni(0.5, 0.9) * cov2 * smooth_noise(shp, R, 0.08)
        mask_cov = np.maximum(mask_cov, cov2)
        tb['double_offset_mm'] = b['double_offset_mm']; tb['defects'].append('double')
    if 'smudged' in b['want']:
        d = uni(0.8, 1.3); a = uni(0, 2 * math.pi); stay = uni(0.5, 0.65); wend = uni(0.25, 0.45)
        n = max(2, int(d * R * 2)); acc = np.zeros_like(load); trail = mask_cov.copy(); wsum = 0
        for i in range(1, n + 1):
            f = i / n; wt = 1 - (1 - wend) * f
            sh = (f * d * R * math.sin(a), f * d * R * math.cos(a))
            acc += wt * ndimage.shift(load, sh, order=1); wsum += wt
            trail = np.maximum(trail, ndimage.shift(mask_cov, sh, order=1))
        load = stay * load + (1 - stay) * acc / wsum * 1.6
        mask_cov = trail; tb['smear_mm'] = round(d, 2); tb['smear_deg'] = round(math.degrees(a), 1); tb['defects'].append('smudged')
    broken_reach = None
    if 'broken' in b['want']:
        a = uni(0, 2 * math.pi); plane = (gx * math.cos(a) + gy * math.sin(a)) + ndimage.gaussian_filter(rng.normal(0, 1, shp).astype(np.float32), 0.3 * R) * 3.0
        inkpx = mask_cov >= 0.5; lost = uni(0.18, 0.31)
        q = float(np.quantile(plane[inkpx], lost)); fade = uni(0.3, 0.7)
        keep = np.clip((plane - q) / fade + 0.5, 0, 1)
        broken_reach = mask_cov.copy()
        load *= keep; mask_cov = mask_cov * (keep >= 0.5)
        tb['lost'] = round(lost, 3); tb['defects'].append('broken')
    if b['kind'] == 'signature':
        key = b['pen']; tabs = PEN_TABS[key]; tb['pen'] = key
        target = uni(0.25, 0.55) if 'pale' in b['want'] else uni(0.86, 0.95); lim_lo, lim_hi = 0.68, 0.82
    else:
        way = 'red'
        if 'off_color' in b['want']: way = pick(['orange', 'purple'])
        if way == 'red': absr, tabs, hu = RED
        else:
            if way not in other_inks: other_inks[way] = red_ink(way, pw0)
            absr, tabs, hu = other_inks[way]
            tb['defects'].append('off_color'); tb['off_way'] = way
        key = way; tb['hue_deg'] = round(hu, 1)
        target = uni(0.25, 0.6) if 'pale' in b['want'] else uni(0.87, 0.95); lim_lo, lim_hi = 0.77, 0.83
    hn = solve_h(tabs, target, pw0)
    film = load * hn
    inside = mask_cov >= 0.5
    if inside.any():
        hp = float(np.percentile(film[inside], 99.5)); ab = absorbed_strongest(tabs, hp, pw0)
        for _ in range(30):
            if 'pale' in b['want'] and ab > lim_lo - 0.03: film *= 0.93
            elif 'pale' not in b['want'] and ab < lim_hi + 0.03: film *= 1.08
            else: break
            hp = float(np.percentile(film[inside], 99.5)); ab = absorbed_strongest(tabs, hp, pw0)
        tb['absorbed'] = round(target, 3); tb['absorbed_strongest'] = round(ab, 3)
    if 'pale' in b['want']: tb['defects'].append('pale')
    if abs(b['tilt']) > 5: tb['defects'].append('tilted')
    tb['tilt_deg'] = round(b['tilt'], 2)
    if 'under' in b: tb['defects'].append('text_under')
    # into the page's film of that ink
    if Hpage.get(key) is None: Hpage[key] = (tabs, np.zeros((H, W), np.float32))
    fp = Hpage[key][1]
    ys, xs = slice(max(0, Y0p), min(H, Y0p + shp[0])), slice(max(0, X0p), min(W, X0p + shp[1]))
    fp[ys, xs] += film[ys.start - Y0p:ys.stop - Y0p, xs.start - X0p:xs.stop - X0p]
    b['mask_cov'] = mask_cov; b['org'] = (X0p, Y0p)
    # overlap_line from the ink: reach past the inner edge of the nearest rule, ± 0.3 mm
    def reach(m):
        yy_, xx_ = np.nonzero(m >= 0.5)
        if len(xx_) == 0: return -99.0
        mx0, mx1 = (X0p + xx_.min()) / R, (X0p + xx_.max() + 1) / R
        my0, my1 = (Y0p + yy_.min()) / R, (Y0p + yy_.max() + 1) / R
        return max(b['x0'] + line_mm / 2 - mx0, mx1 - (b['x1'] - line_mm / 2), b['y0'] + line_mm / 2 - my0, my1 - (b['y1'] - line_mm / 2))
    rc = reach(mask_cov); tb['reach_mm'] = round(rc, 2)
    if 'push_mm' in b: tb['push_mm'] = b['push_mm']
    if rc > 0.3: tb['defects'].append('overlap_line')
    elif rc >= -0.3: tb['borderline'].append('overlap_line')
    elif broken_reach is not None and reach(broken_reach) >= -0.3: tb['borderline'].append('overlap_line')
    if b['kind'] == 'official_seal': tb['diameter_mm'] = round(b['diameter'], 2)
    elif b['kind'] == 'legal_rep_seal': tb['size_mm'] = [round(b['size'][0], 2), round(b['size'][1], 2)]; tb['yin'] = bool(b['yin'])
    truth_boxes.append(tb)

# the page's light: paper × toner × stain as the substrate under each ink's four-flux film
page = P.copy()
for key, v in Hpage.items():
    if v is None: continue
    tabs, fp = v
    m = fp > 1e-4
    for c in range(3):
        ch = page[..., c]
        ch[m] = fourflux.lookup(tabs[c], fp[m], ch[m])
del Hpage

# ---------------------------------------------------------------- capture: a UVC document camera's video frame
env_dpi = os.environ.get('SEAL_SHEET_DPI')
if env_dpi: dpi = int(env_dpi)
body = pick([('5MP', 1944, 2592), ('8MP', 2448, 3264), ('13MP', 3120, 4208)], [0.25, 0.5, 0.25])
FW, FH = body[1], body[2]
codec = 'mjpeg' if u() < 0.55 else 'h264'
fill = uni(0.86, 0.94)
k_s = FH * fill / 297.0                  # sensor px per mm
rot_d = rng.normal(0, 0.4) if u() < 0.5 else uni(0.3, 1.6) * (1 if u() < 0.5 else -1)
th = math.radians(rot_d)
A = np.array([[k_s * math.cos(th), -k_s * math.sin(th), 0], [k_s * math.sin(th), k_s * math.cos(th), 0], [0, 0, 1]])
A[:2, 2] = np.array([FW / 2, FH / 2]) - A[:2, :2] @ np.array([105, 148.5]) + rng.normal(0, 0.01, 2) * FH
persp = np.array([[1, 0, 0], [0, 1, 0], [rng.normal(0, 2.5e-5), rng.normal(0, 2.5e-5), 1]])
C = np.array([[1, 0, -105], [0, 1, -148.5], [0, 0, 1]]); Ci = np.linalg.inv(C)
Hs = A @ Ci @ persp @ C                    # page mm → sensor px (true)
Hs_inv = np.linalg.inv(Hs)


def apply(Hm, x, y):
    d = Hm[2, 0] * x + Hm[2, 1] * y + Hm[2, 2]
    return (Hm[0, 0] * x + Hm[0, 1] * y + Hm[0, 2]) / d, (Hm[1, 0] * x + Hm[1, 1] * y + Hm[1, 2]) / d


# the capture software's estimate of the page's corners (a few sensor pixels off)
src = np.array([[0, 0], [210, 0], [210, 297], [0, 297]], float)
dst = np.array([apply(Hs, x, y) for x, y in src]) + rng.normal(0, uni(0.5, 2.5), (4, 2))
Mrows = []
for (x, y), (X, Y) in zip(src, dst):
    Mrows.append([x, y, 1, 0, 0, 0, -X * x, -X * y, X]); Mrows.append([0, 0, 0, x, y, 1, -Y * x, -Y * y, Y])
Mm = np.array(Mrows); sol = np.linalg.solve(Mm[:, :8], Mm[:, 8])
He = np.append(sol, 1).reshape(3, 3)      # page mm (the software's) → sensor px

blur_px = math.sqrt(uni(0.45, 0.8) ** 2 + uni(0.3, 0.45) ** 2)   # lens + the sensor's filter, sensor px
sig_r = blur_px * R / k_s
pagef = np.stack([ndimage.gaussian_filter(page[..., c], sig_r) for c in range(3)], -1)
del page
desk = uni(0.05, 0.2)
frame = np.empty((FH, FW, 3), np.float32)
for r0 in range(0, FH, 256):
    sy, sx = np.mgrid[r0:min(FH, r0 + 256), 0:FW].astype(np.float64)
    px, py = apply(Hs_inv, sx + 0.5, sy + 0.5)
    rc = np.array([py * R - 0.5, px * R - 0.5], np.float32)
    for c in range(3):
        frame[r0:r0 + 256, :, c] = ndimage.map_coordinates(pagef[..., c], rc, order=1, mode='constant', cval=desk)
del pagef, sy, sx, px, py, rc
# the desk round the page: the page's edge sampled as the map says (outside: the desk's grey)
# LED ring light: vignetting and a gradient; a camera RGB mix; white balance; noise; tone curve
rr2 = (((np.arange(FW) - FW / 2) / (FW / 2))[None, :] ** 2 + ((np.arange(FH) - FH / 2) / (FH / 2))[:, None] ** 2) / 2
light = (1 - uni(0.06, 0.18) * rr2) * (1 + uni(-0.04, 0.04) * (np.arange(FW)[None, :] / FW - 0.5) + uni(-0.03, 0.03) * (np.arange(FH)[:, None] / FH - 0.5))
frame *= light[..., None].astype(np.float32)
del light, rr2
mix = np.eye(3) * 1.0 + rng.normal(0, 0.03, (3, 3)); mix /= mix.sum(1, keepdims=True)
for r0 in range(0, FH, 512):
    frame[r0:r0 + 512] = frame[r0:r0 + 512] @ mix.T.astype(np.float32)
wb = np.array([uni(0.95, 1.05), 1, uni(0.95, 1.05)], np.float32)
expo = uni(0.95, 1.12) / float(np.percentile(frame[..., 1], 90))
fw_e = uni(4000, 9000)
read_e = uni(4, 12); bp = uni(0.01, 0.04)
raw = np.empty((FH, FW, 3), np.uint8)
for c in range(3):   # shot and read noise, black point, the sRGB curve, channel by channel (float32)
    e = np.clip(frame[..., c] * np.float32(wb[c] * expo), 0, 1.2) * np.float32(fw_e)
    e += np.sqrt(e + np.float32(read_e ** 2)) * rng.standard_normal(e.shape, dtype=np.float32)
    v = np.clip((e / np.float32(fw_e) - np.float32(bp)) / np.float32(1 - bp), 0, 1)
    v = np.where(v <= 0.0031308, 12.92 * v, 1.055 * v ** np.float32(1 / 2.4) - 0.055)
    raw[..., c] = (np.clip(v, 0, 1) * 255 + 0.5).astype(np.uint8)
del frame, e, v

# the video stream: MJPEG frames or H.264 (a few frames of the preview, the last one grabbed)
cap = dict(body=body[0], frame=[FW, FH], codec=codec, fill=round(fill, 3), rot_deg=round(rot_d, 3), blur_px=round(blur_px, 3))
ff = ['ffmpeg', '-nostdin', '-loglevel', 'error', '-threads', '1']
inp = ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', '%dx%d' % (FW, FH), '-r', '15', '-i', '-']
vid = os.path.join(tmp, 'cap.' + ('avi' if codec == 'mjpeg' else 'mp4'))
nfr = 1 if codec == 'mjpeg' else int(rng.integers(2, 4))
if codec == 'mjpeg':
    q = int(rng.integers(3, 9)); cap['q'] = q
    enc = ['-c:v', 'mjpeg', '-pix_fmt', 'yuvj422p', '-q:v', str(q), '-bitexact', vid]
else:
    crf = int(rng.integers(16, 27)); cap['crf'] = crf
    enc = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', str(crf), '-pix_fmt', 'yuv420p', '-x264-params', 'threads=1:lookahead-threads=1', '-bitexact', vid]
frames = [raw]
for _ in range(nfr - 1):
    frames.append(np.clip(raw.astype(np.int16) + rng.integers(-2, 3, raw.shape), 0, 255).astype(np.uint8))
subprocess.run(ff + inp + enc, input=b''.join(f.tobytes() for f in frames), check=True)
dec = subprocess.run(ff + ['-i', vid, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], check=True, capture_output=True).stdout
got = np.frombuffer(dec, np.uint8).reshape(-1, FH, FW, 3)[-1].astype(np.float32)
del raw, frames, dec

# the capture software: rectify to A4 at the resolution, levels, sharpen
kd = dpi / 25.4
OW, OH = int(round(210 * kd)), int(round(297 * kd))
if kd < k_s:
    got = np.stack([ndimage.gaussian_filter(got[..., c], 0.4 * k_s / kd) for c in range(3)], -1)
out = np.empty((OH, OW, 3), np.float32)
for r0 in range(0, OH, 256):
    oy, ox = np.mgrid[r0:min(OH, r0 + 256), 0:OW].astype(np.float64)
    qx, qy = apply(He, (ox + 0.5) / kd, (oy + 0.5) / kd)
    sc = np.array([qy - 0.5, qx - 0.5], np.float32)
    for c in range(3):
        out[r0:r0 + 256, :, c] = ndimage.map_coordinates(got[..., c], sc, order=1, mode='nearest')
del got, sc, ox, oy, qx, qy
luma = out[::2, ::2] @ np.array([0.299, 0.587, 0.114], np.float32)
wp = float(np.percentile(luma, 92)); del luma; tgt = uni(0.93, 0.985) * 255
out = out * (tgt / wp)
sharp = u() < 0.5
if sharp:
    amt = uni(0.2, 0.6); bl = np.stack([ndimage.gaussian_filter(out[..., c], uni(0.7, 1.3)) for c in range(3)], -1)
    out = out + amt * (out - bl); del bl
out = np.clip(out + 0.5, 0, 255).astype(np.uint8)
cap.update(whiten=round(tgt / 255, 3), sharpen=sharp)

# the file
os.makedirs(outdir, exist_ok=True)
stem = '%03d' % index
fmt = pick(['jpg', 'png', 'tif'], [0.65, 0.15, 0.2])
fname = stem + '.' + fmt
path = os.path.join(outdir, fname)
dpi_in_file = False
if fmt == 'tif':
    dpi_in_file = u() < 0.85
    Image.fromarray(out).save(path, compression=pick(['tiff_lzw', 'tiff_adobe_deflate']), **({'dpi': (dpi, dpi)} if dpi_in_file else {}))
else:
    extra = ['-q:v', str(int(rng.integers(2, 7))), '-pix_fmt', pick(['yuvj420p', 'yuvj422p', 'yuvj444p'], [0.6, 0.25, 0.15])] if fmt == 'jpg' else ['-pix_fmt', 'rgb24']
    subprocess.run(ff + ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', '%dx%d' % (OW, OH), '-i', '-'] + extra + ['-frames:v', '1', '-bitexact', '-y', path],
                   input=out.tobytes(), check=True)
    if fmt == 'jpg' and u() < 0.6:   # the software writes its resolution into the JFIF header
        data = bytearray(open(path, 'rb').read())
        d2 = dpi.to_bytes(2, 'big')
        if data[2:4] == b'\xff\xe0' and data[6:11] == b'JFIF\x00':
            data[13] = 1; data[14:16] = d2; data[16:18] = d2
        else:   # ffmpeg's bit-exact stream has no APP0: insert a JFIF 1.01 segment after SOI
            data[2:2] = b'\xff\xe0\x00\x10JFIF\x00\x01\x01\x01' + d2 + d2 + b'\x00\x00'
        open(path, 'wb').write(bytes(data)); dpi_in_file = True
del out

# ---------------------------------------------------------------- truth: masks through the same two maps


def page_to_out(x, y):
    X, Y = apply(Hs, x, y)
    a, c = apply(np.linalg.inv(He), X, Y)
    return a * kd, c * kd


sk0 = page_to_out(40, 148.5); sk1 = page_to_out(170, 148.5)
skew = math.degrees(math.atan2(sk1[1] - sk0[1], sk1[0] - sk0[0]))
for b in boxes:
    tb = b['tb']
    cxo, cyo = page_to_out((b['x0'] + b['x1']) / 2, (b['y0'] + b['y1']) / 2)
    tb['box_centre_px'] = [round(float(cxo) - 0.5, 1), round(float(cyo) - 0.5, 1)]
    if b['empty']: continue
    mc = ndimage.gaussian_filter(b['mask_cov'].astype(np.float32), sig_r)
    X0p, Y0p = b['org']
    # sensor pixels over the crop
    corners = [apply(Hs, (X0p + dx) / R, (Y0p + dy) / R) for dx in (0, mc.shape[1]) for dy in (0, mc.shape[0])]
    sx0 = int(max(0, min(c[0] for c in corners) - 2)); sx1 = int(min(FW, max(c[0] for c in corners) + 3))
    sy0 = int(max(0, min(c[1] for c in corners) - 2)); sy1 = int(min(FH, max(c[1] for c in corners) + 3))
    gy_, gx_ = np.mgrid[sy0:sy1, sx0:sx1].astype(np.float64)
    mx_, my_ = apply(Hs_inv, gx_ + 0.5, gy_ + 0.5)
    sen = ndimage.map_coordinates(mc, np.array([my_ * R - 0.5 - Y0p, mx_ * R - 0.5 - X0p]), order=1, mode='constant', cval=0)
    if kd < k_s:
        sen = ndimage.gaussian_filter(sen, 0.4 * k_s / kd)
    oc = [page_to_out((X0p + dx) / R, (Y0p + dy) / R) for dx in (0, mc.shape[1]) for dy in (0, mc.shape[0])]
    ox0 = int(max(0, min(c[0] for c in oc) - 2)); ox1 = int(min(OW, max(c[0] for c in oc) + 3))
    oy0 = int(max(0, min(c[1] for c in oc) - 2)); oy1 = int(min(OH, max(c[1] for c in oc) + 3))
    gy_, gx_ = np.mgrid[oy0:oy1, ox0:ox1].astype(np.float64)
    qx_, qy_ = apply(He, (gx_ + 0.5) / kd, (gy_ + 0.5) / kd)
    m = ndimage.map_coordinates(sen, np.array([qy_ - 0.5 - sy0, qx_ - 0.5 - sx0]), order=1, mode='constant', cval=0) >= 0.5
    ys_, xs_ = np.nonzero(m)
    if len(xs_) == 0:
        continue
    a0, a1, c0, c1 = ys_.min(), ys_.max() + 1, xs_.min(), xs_.max() + 1
    mname = '%s.r%dc%d.mask.png' % (stem, b['row'], b['col'])
    Image.fromarray((m[a0:a1, c0:c1] * 255).astype(np.uint8)).save(os.path.join(outdir, mname))
    tb['mask'] = mname; tb['mask_offset'] = [int(ox0 + c0), int(oy0 + a0)]

truth = dict(maker='uvcdesk', seed=seed, dpi=dpi, dpi_in_file=dpi_in_file, skew_deg=round(skew, 3), file=fname,
             layout='snca-nmg seal-collection', firm=firm, person=person, line_mm=round(line_mm, 3),
             render_px_per_mm=R, paper=paper_info, print=print_info,
             ink=dict(kind=ink_kind, scatter=round(S_PASTE, 3), red_absorption=[round(float(x), 4) for x in RED[0]]),
             capture=cap, boxes=truth_boxes)
with open(os.path.join(outdir, stem + '.truth.json'), 'w') as f:
    json.dump(truth, f, ensure_ascii=False, indent=1)
for fn in os.listdir(tmp): os.remove(os.path.join(tmp, fn))
os.rmdir(tmp)
