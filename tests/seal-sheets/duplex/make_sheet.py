#!/usr/bin/python3
# Maker L (duplex/): one seal collection sheet, a form received by fax and stamped, fed through a
# high-speed duplex document scanner whose driver crops and deskews it. Writes NNN.<ext>,
# NNN.truth.json and one mask PNG per impression (truth.md, "Maker L").
#   make_sheet.py SEED OUTDIR INDEX
import json
import math
import os
import sys

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import numpy as np
import pygame
import pygame.freetype as ft
from scipy import ndimage as ndi

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adf  # noqa: E402

MINCHO = "/usr/share/fonts/truetype/takao-mincho/TakaoMincho.ttf"
GOTHIC = "/usr/share/fonts/truetype/vlgothic/VL-Gothic-Regular.ttf"
PAGE_W, PAGE_H = 210.0, 297.0
WHITE = (255, 255, 255)

pass
ft.init()
FONTS = {"m": ft.Font(MINCHO, 64), "g": ft.Font(GOTHIC, 64)}
for f in FONTS.values():
    f.antialiased = True
    f.pad = True


def covered(s):
    for ch in s:
        if ch.isspace():
            continue
        for f in FONTS.values():
            if f.get_metrics(ch)[0] is None:
                return False
    return True


def need(s):
    if not covered(s):
        raise SystemExit("duplex: a face lacks a character of %r" % s)
    return s


PLACES = [p for p in ["北京", "上海", "广州", "深圳", "西安", "呼和浩特", "鄂尔多斯", "沈阳", "成都", "南京", "杭州",
                      "内蒙古", "广东", "天津", "重庆", "青岛", "济南", "郑州", "长沙", "福州", "昆明", "太原",
                      "石家庄", "赤峰", "通辽", "珠海", "佛山", "东莞", "宁波", "苏州", "无锡", "合肥"] if covered(p)]
CORES = [c for c in ["鼎盛", "恒泰", "宏远", "永新", "天元", "中和", "瑞祥", "安康", "昌盛", "源通", "金石", "福德",
                     "嘉和", "明德", "博思", "华夏", "信和", "泰和", "正大", "新世纪", "蓝天", "草原", "北方", "星海",
                     "长城", "万方", "同心", "海纳", "德信", "云峰"] if covered(c)]
TRADES = [t for t in ["科技", "信息技术", "网络科技", "商贸", "建设工程", "物流", "医药", "食品", "文化传媒", "咨询服务",
                      "能源", "环保科技", "新材料", "机械设备", "人力资源", "教育科技", "印刷", "包装", "广告",
                      "装饰工程", "劳务", "运输", "旅游", "农业", "牧业", "乳业", "羊绒制品", "化工", "建材", "软件"]
          if covered(t)]
SUFFIX = [s for s in ["有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司"] if covered(s)]
SURNAMES = [s for s in "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛段雷侯史陶黎郝邵武戴莫孔向" if covered(s)]
GIVEN = [g for g in "伟芳娜敏静强磊洋勇杰涛明超秀霞平刚桂英建国志玉海文斌波宁辉云峰浩然子雨欣佳怡宇航博思嘉俊旭振宏德福盛源通恒泰昌瑞祥和安康永新天中大立方智慧丹琳晶晨阳光春秋冬梅竹松柏" if covered(g)]


def rng_pick(r, seq, p=None):
    return seq[int(r.choice(len(seq), p=p))]


# ---------------------------------------------------------------- pygame drawing helpers

class Canvas:
    """A pygame surface at `scale` px per mm, origin (ox, oy) mm; white on black = coverage."""

    def __init__(self, w_px, h_px, scale, ox=0.0, oy=0.0):
        self.s = pygame.Surface((int(w_px), int(h_px)), depth=24)
        self.s.fill((0, 0, 0))
        self.k = scale
        self.ox, self.oy = ox, oy

    def px(self, x, y):
        return ((x - self.ox) * self.k, (y - self.oy) * self.k)

    def rect(self, x0, y0, x1, y1, v=255):
        a = self.px(x0, y0)
        b = self.px(x1, y1)
        r = pygame.Rect(int(round(a[0])), int(round(a[1])), max(1, int(round(b[0])) - int(round(a[0]))),
                        max(1, int(round(b[1])) - int(round(a[1]))))
        self.s.fill((v, v, v), r)

    def poly(self, pts, v=255):
        pygame.draw.polygon(self.s, (v, v, v), [self.px(x, y) for x, y in pts])

    def disc(self, x, y, r, v=255):
        c = self.px(x, y)
        pygame.draw.circle(self.s, (v, v, v), (c[0], c[1]), max(0.5, r * self.k))

    def glyph(self, ch, face, cx, cy, w, h, angle, strength=0.0, mode="max"):
        """Glyph `ch` stretched so its ink fills w x h mm, centred on (cx, cy) mm, turned `angle` deg
        (clockwise on the page)."""
        f = FONTS[face]
        size = max(8, int(h * self.k * 1.25))
        f.strong = strength > 0
        if strength > 0:
            f.strength = strength
        surf, _ = f.render(ch, WHITE, (0, 0, 0), size=size)
        f.strong = False
        a = pygame.surfarray.pixels_red(surf)
        cols = np.nonzero(a.max(axis=1) > 40)[0]
        rows = np.nonzero(a.max(axis=0) > 40)[0]
        del a
        if len(cols) == 0:
            return
        sub = surf.subsurface(pygame.Rect(int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1),
                                          int(rows[-1] - rows[0] + 1)))
        tw, th = max(1, int(round(w * self.k))), max(1, int(round(h * self.k)))
        g = pygame.transform.smoothscale(sub, (tw, th))
        if abs(angle) > 1e-3:
            g = pygame.transform.rotozoom(g, -angle, 1.0)
        c = self.px(cx, cy)
        dest = (int(round(c[0] - g.get_width() / 2)), int(round(c[1] - g.get_height() / 2)))
        self.s.blit(g, dest, special_flags=pygame.BLEND_RGB_MAX if mode == "max" else pygame.BLEND_RGB_SUB)

    def text(self, s, face, x, y, size_mm, anchor="l", strength=0.0):
        """A line of text set on the em (not stretched), baseline-free: top-left at (x, y) mm."""
        f = FONTS[face]
        size = max(6, int(round(size_mm * self.k)))
        f.strong = strength > 0
        if strength > 0:
            f.strength = strength
        surf, _ = f.render(need(s), WHITE, (0, 0, 0), size=size)
        f.strong = False
        p = self.px(x, y)
        dx = {"l": 0, "c": surf.get_width() / 2, "r": surf.get_width()}[anchor]
        self.s.blit(surf, (int(round(p[0] - dx)), int(round(p[1]))), special_flags=pygame.BLEND_RGB_MAX)
        return surf.get_width() / self.k

    def array(self):
        return pygame.surfarray.array_red(self.s).T.astype(np.float32) / 255.0


def down(a, k):
    h, w = a.shape[0] // k * k, a.shape[1] // k * k
    return a[:h, :w].reshape(h // k, k, w // k, k).mean(axis=(1, 3))


# ---------------------------------------------------------------- seal faces

def official_face(r, spec, cx, cy, rot, px_mm, ss=3):
    """Coverage of a round 公章 centred at (cx, cy) mm, turned rot deg, on a patch at px_mm px/mm.
    Returns (cov, x0_px, y0_px) with the patch's origin in render pixels."""
    d = spec["d"]
    half = d / 2 + 1.0
    x0 = int(math.floor((cx - half) * px_mm))
    y0 = int(math.floor((cy - half) * px_mm))
    n = int(math.ceil(2 * half * px_mm)) + 2
    cv = Canvas(n * ss, n * ss, px_mm * ss, x0 / px_mm, y0 / px_mm)
    R = d / 2
    cv.disc(cx, cy, R)
    cv.disc(cx, cy, R - spec["ring"], 0)
    if spec["inner"]:
        cv.disc(cx, cy, R - spec["ring"] - spec["inner_gap"], 255)
        cv.disc(cx, cy, R - spec["ring"] - spec["inner_gap"] - 0.25, 0)
    # the star
    rs = spec["star"] * R
    pts = []
    for i in range(10):
        a = math.radians(-90 + 36 * i + rot)
        rr = rs if i % 2 == 0 else rs * 0.382
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    cv.poly(pts)
    name = spec["firm"]
    n_ch = len(name)
    span = spec["span"]
    ch_h = spec["ch_h"] * d
    rad = R - spec["ring"] - 0.45 - ch_h / 2 - (0.6 if spec["inner"] else 0)
    step = span / max(1, n_ch - 1) if n_ch > 1 else 0
    ch_w = min(ch_h * spec["ch_w"], 2 * math.pi * rad * step / 360 * 0.82)
    for i, ch in enumerate(name):
        a = -90 - span / 2 + i * step + rot
        gx = cx + rad * math.cos(math.radians(a))
        gy = cy + rad * math.sin(math.radians(a))
        cv.glyph(ch, spec["face"], gx, gy, ch_w, ch_h, a + 90, spec["bold"])
    if spec["use"]:
        u = spec["use"]
        uh = 0.11 * d
        uw = min(uh * 0.9, 0.62 * d / len(u))
        for i, ch in enumerate(u):
            ox = (i - (len(u) - 1) / 2) * uw * 1.08
            oy = 0.24 * d
            a = math.radians(rot)
            cv.glyph(ch, spec["face"], cx + ox * math.cos(a) - oy * math.sin(a),
                     cy + ox * math.sin(a) + oy * math.cos(a), uw, uh, rot, spec["bold"])
    if spec["code"]:
        code = spec["code"]
        crad = R - spec["ring"] - 0.35 - 0.055 * d / 2
        cspan = 62.0
        for i, ch in enumerate(code):
            a = 90 + cspan / 2 - i * cspan / (len(code) - 1) + rot
            gx = cx + crad * math.cos(math.radians(a))
            gy = cy + crad * math.sin(math.radians(a))
            cv.glyph(ch, "g", gx, gy, 0.03 * d, 0.05 * d, a - 90, 0.0)
    return down(cv.array(), ss), x0, y0


def legal_face(r, spec, cx, cy, rot, px_mm, ss=3):
    w, h = spec["w"], spec["h"]
    half = 0.5 * math.hypot(w, h) + 1.0
    x0 = int(math.floor((cx - half) * px_mm))
    y0 = int(math.floor((cy - half) * px_mm))
    n = int(math.ceil(2 * half * px_mm)) + 2
    cv = Canvas(n * ss, n * ss, px_mm * ss, x0 / px_mm, y0 / px_mm)
    a = math.radians(rot)
    ca, sa = math.cos(a), math.sin(a)

    def P(u, v):
        return (cx + u * ca - v * sa, cy + u * sa + v * ca)

    def quad(u0, v0, u1, v1, val=255):
        cv.poly([P(u0, v0), P(u1, v0), P(u1, v1), P(u0, v1)], val)

    quad(-w / 2, -h / 2, w / 2, h / 2)
    fr = spec["frame"]
    if not spec["yin"]:
        quad(-w / 2 + fr, -h / 2 + fr, w / 2 - fr, h / 2 - fr, 0)
    chars = spec["chars"]
    iw, ih = w - 2 * fr - 0.8, h - 2 * fr - 0.8
    cells = []
    if len(chars) == 4 and spec["row"]:
        for i, ch in enumerate(chars):  # one row read right to left
            cells.append((ch, iw / 2 - iw / 8 - i * iw / 4, 0, iw / 4 * 0.9, ih * 0.92))
    elif len(chars) == 4:
        pos = [(1, 0), (1, 1), (0, 0), (0, 1)]  # right column first, top to bottom
        for ch, (c, rr) in zip(chars, pos):
            cells.append((ch, (c - 0.5) * iw / 2, (rr - 0.5) * ih / 2, iw / 2 * 0.9, ih / 2 * 0.9))
    else:  # three characters: 印 fills the left column
        cells.append((chars[0], iw / 4, -ih / 4, iw / 2 * 0.9, ih / 2 * 0.9))
        cells.append((chars[1], iw / 4, ih / 4, iw / 2 * 0.9, ih / 2 * 0.9))
        cells.append((chars[2], -iw / 4, 0, iw / 2 * 0.9, ih * 0.94))
    mode = "sub" if spec["yin"] else "max"
    for ch, u, v, cw, chh in cells:
        gx, gy = P(u, v)
        cv.glyph(ch, spec["face"], gx, gy, cw, chh, rot, spec["bold"], mode)
    return down(cv.array(), ss), x0, y0


def signature_face(r, spec, cx, cy, px_mm, ss=3):
    """A pen line: a steering pen (heading turned towards each via-point at a bounded rate, its
    curvature jittered by an Ornstein-Uhlenbeck process), dabs of pygame's circle filler."""
    path = spec["path"]  # list of strokes, each an array of (x, y, speed) in mm about the name's centre
    ext = spec["extent"]
    x0 = int(math.floor((cx - ext[0] - 1.5) * px_mm))
    y0 = int(math.floor((cy - ext[1] - 1.5) * px_mm))
    nw = int(math.ceil((2 * ext[0] + 3) * px_mm)) + 2
    nh = int(math.ceil((2 * ext[1] + 3) * px_mm)) + 2
    cv = Canvas(nw * ss, nh * ss, px_mm * ss, x0 / px_mm, y0 / px_mm)
    pen = spec["pen"]
    for st in path:
        for x, y, sp in st:
            w = pen * (1.12 - 0.45 * min(1.0, sp))
            cv.disc(cx + x, cy + y, w / 2)
    return down(cv.array(), ss), x0, y0


def make_signature_path(r, n_chars):
    """Strokes of a steering pen, in mm about the name's centre, slanted: per character 6-10
    via-points walked in the directions of 横 / 竖 / 撇 / 捺 / 点 / 提 / 折 inside its cell; the pen's
    heading turns towards the next via-point at a bounded rate, its curvature jittered by an
    Ornstein-Uhlenbeck process, so it overshoots, loops and runs on between strokes."""
    cell = r.uniform(9.0, 12.5)
    adv = cell * r.uniform(0.72, 0.92)
    names = ["heng", "shu", "pie", "na", "dian", "ti", "zhe"]
    wts = np.array([0.2, 0.25, 0.2, 0.14, 0.08, 0.08, 0.05])
    dirs = {"heng": (1, -0.1), "shu": (0.05, 1), "pie": (-0.65, 0.8), "na": (0.7, 0.75), "dian": (0.45, 0.55),
            "ti": (0.8, -0.55), "zhe": (0.15, 1)}
    gain = r.uniform(0.25, 0.4)
    ou = r.uniform(1.0, 2.0)
    strokes = []
    cur = []
    p = np.array([cell * 0.2, -cell * 0.35])
    th = 0.0
    kappa = 0.0
    for c in range(n_chars):
        base = np.array([c * adv, 0.0])
        pts = []
        q = base + np.array([cell * r.uniform(0.1, 0.5), -cell * r.uniform(0.3, 0.45)])
        pts.append(q.copy())
        for m in range(int(r.integers(6, 11))):
            k = names[int(r.choice(len(names), p=wts))]
            d = np.array(dirs[k], float)
            ln = cell * (0.18 if k == "dian" else r.uniform(0.35, 0.75))
            if k in ("heng", "shu", "pie", "na") and r.random() < 0.3:
                d = -d  # written back the other way, a linking stroke
            q = q + d / np.linalg.norm(d) * ln
            q[0] = np.clip(q[0], base[0], base[0] + cell * 0.95)
            q[1] = np.clip(q[1], -cell * 0.5, cell * 0.5)
            pts.append(q.copy())
        if c > 0 and r.random() < 0.5 and cur:
            strokes.append(cur)
            cur = []
            p = pts[0].copy()
            th = math.atan2(pts[1][1] - p[1], pts[1][0] - p[0])
        for tgt in pts:
            for _ in range(300):
                v = tgt - p
                dist = float(np.linalg.norm(v))
                if dist < 0.45:
                    break
                want = math.atan2(v[1], v[0])
                err = (want - th + math.pi) % (2 * math.pi) - math.pi
                kappa += -kappa * 0.15 + r.normal(0, 0.025 * ou)
                th += max(-0.45, min(0.45, gain * err + kappa))
                speed = min(1.0, dist / 2.5) * (0.55 + 0.45 * abs(math.cos(err)))
                step = 0.06 + 0.08 * speed
                p = p + step * np.array([math.cos(th), math.sin(th)])
                cur.append((p[0], p[1], speed))
    if r.random() < 0.4:  # a closing flourish
        turn = r.uniform(-0.03, 0.03)
        for _ in range(int(r.integers(50, 120))):
            th += r.normal(0, 0.03) + turn
            p = p + 0.14 * np.array([math.cos(th), math.sin(th)])
            cur.append((p[0], p[1], 0.95))
    if cur:
        strokes.append(cur)
    slant = math.tan(math.radians(r.uniform(6, 18)))
    out = [np.array(s_) for s_ in strokes]
    allp = np.concatenate(out)
    cxm = (allp[:, 0].min() + allp[:, 0].max()) / 2
    cym = (allp[:, 1].min() + allp[:, 1].max()) / 2
    for a in out:
        a[:, 0] -= cxm
        a[:, 1] -= cym
        a[:, 0] -= a[:, 1] * slant
    allp = np.concatenate(out)
    ext = (float(np.abs(allp[:, 0]).max()) + 1, float(np.abs(allp[:, 1]).max()) + 1)
    return out, ext


# ---------------------------------------------------------------- page layout

def layout(r):
    """Boxes and rules in page mm, after forms/ (netca-ln-procurement's 3/8 seal-collection rows,
    bjca-nmg's 2 x 2 sample sheet)."""
    L = {"rules": [], "texts": [], "boxes": [], "tints": []}
    lw = r.uniform(0.2, 0.42)
    outer = lw * (r.uniform(1.5, 2.0) if r.random() < 0.3 else 1.0)
    L["line_mm"] = lw
    tab_w = 174.0
    x0 = (PAGE_W - tab_w) / 2 + r.uniform(-1.5, 1.5)
    if r.random() < 0.68:
        L["layout"] = "collection"
        y = 24 + r.uniform(-2, 3)
        title = rng_pick(r, ["印章采集表 (3/8)", "印章采集表", "法人印章采集表"])
        L["texts"].append((title, "m" if r.random() < 0.6 else "g", PAGE_W / 2, y, 6.0, "c", 0.02))
        y += 12
        # 名称 rows
        rows_info = [("名称：", 30, 144), ("管理人：", 30, 60)]
        for lab, a, b in rows_info:
            L["rules"].append((x0, y, x0 + tab_w, y, lw))
            L["texts"].append((lab, "g", x0 + 1.5, y + 2.2, 3.7, "l", 0))
            y += 9
        L["rules"].append((x0, y, x0 + tab_w, y, lw))
        L["rules"].append((x0, y - 18, x0, y, lw))
        L["rules"].append((x0 + tab_w, y - 18, x0 + tab_w, y, lw))
        L["rules"].append((x0 + 30, y - 18, x0 + 30, y, lw))
        y += 5
        ytab = y
        rows = [("official_seal", "公章采集（油印适中，每枚印章采集三个）", r.uniform(46, 50)),
                ("legal_rep_seal", "法人印章采集（油印适中，每枚印章采集三个）", r.uniform(36, 39)),
                ("signature", "法人署名采集（字迹清楚，每人署名三次）", r.uniform(30.5, 33))]
        if r.random() < 0.5:
            rows.append(("signature", "使用人署名采集（字迹清楚，每人署名三次）", r.uniform(30.5, 33)))
        cw = tab_w / 3
        tint_strips = r.random() < 0.5
        for ri, (kind, cap, h) in enumerate(rows):
            L["rules"].append((x0, y, x0 + tab_w, y, lw))
            if tint_strips:
                L["tints"].append((x0, y, x0 + tab_w, y + 8))
            L["texts"].append((cap, "g", x0 + tab_w / 2, y + 2.0, 3.8, "c", 0.03))
            y += 8
            L["rules"].append((x0, y, x0 + tab_w, y, lw))
            for c in range(3):
                L["boxes"].append({"row": ri, "col": c, "kind": kind,
                                   "inner": [x0 + c * cw, y, x0 + (c + 1) * cw, y + h]})
                if c:
                    L["rules"].append((x0 + c * cw, y, x0 + c * cw, y + h, lw))
            y += h
        L["rules"].append((x0, y, x0 + tab_w, y, outer))
        L["rules"].append((x0, ytab, x0 + tab_w, ytab, outer))
        L["rules"].append((x0, ytab, x0, y, outer))
        L["rules"].append((x0 + tab_w, ytab, x0 + tab_w, y, outer))
        y += 4
        L["texts"].append(("受理人：", "g", x0 + 2, y + 2, 3.7, "l", 0))
        L["texts"].append(("日期：    年    月    日", "g", x0 + 95, y + 2, 3.7, "l", 0))
        y += 10
        L["texts"].append(("注：印章清晰完整，不得歪斜。以下空白。", "g", x0 + 2, y, 3.4, "l", 0))
    else:
        L["layout"] = "sample"
        kind = rng_pick(r, ["official_seal", "signature", "legal_rep_seal"], p=[0.6, 0.25, 0.15])
        y = 22 + r.uniform(-2, 3)
        title = "个人印章采集表" if kind != "official_seal" else "公章采集表"
        L["texts"].append((title, "m", PAGE_W / 2, y, 6.2, "c", 0.03))
        y += 12
        notes = ["注：1. 印章清晰完整，不得歪斜。", "2. 每个框内只盖一个印章。", "3. 请勿涂改。" if covered("3. 请勿涂改。") else "3. 不得涂改。"]
        for t in notes:
            L["texts"].append((t, "g", x0 + 2, y, 3.5, "l", 0))
            y += 6
        y += 3
        ytab = y
        for lab in ("名称：", "备注：" if covered("备注：") else "日期："):
            L["rules"].append((x0, y, x0 + tab_w, y, lw))
            L["texts"].append((lab, "g", x0 + 2, y + 2.4, 3.8, "l", 0))
            y += 10
        L["rules"].append((x0 + 28, ytab, x0 + 28, y, lw))
        L["rules"].append((x0, y, x0 + tab_w, y, lw))
        cap = {"official_seal": "公章印影", "signature": "署名", "legal_rep_seal": "法人印章"}[kind]
        L["texts"].append((cap, "g", x0 + tab_w / 2, y + 2.2, 4.0, "c", 0.03))
        if r.random() < 0.5:
            L["tints"].append((x0, y, x0 + tab_w, y + 9))
        y += 9
        L["rules"].append((x0, y, x0 + tab_w, y, lw))
        h = r.uniform(58, 63)
        for rr in range(2):
            for c in range(2):
                L["boxes"].append({"row": rr, "col": c, "kind": kind,
                                   "inner": [x0 + c * tab_w / 2, y, x0 + (c + 1) * tab_w / 2, y + h]})
            L["rules"].append((x0 + tab_w / 2, y, x0 + tab_w / 2, y + h, lw))
            y += h
            L["rules"].append((x0, y, x0 + tab_w, y, lw if rr == 0 else outer))
        L["rules"].append((x0, ytab, x0 + tab_w, ytab, outer))
        L["rules"].append((x0, ytab, x0, y, outer))
        L["rules"].append((x0 + tab_w, ytab, x0 + tab_w, y, outer))
        L["texts"].append(("以下空白", "g", x0 + 2, y + 3, 3.5, "l", 0))
    # the boxes' inner edges: half a rule in from each rule's centre line
    for b in L["boxes"]:
        x_0, y_0, x_1, y_1 = b["inner"]
        b["rule_in"] = [x_0 + lw / 2, y_0 + lw / 2, x_1 - lw / 2, y_1 - lw / 2]
    return L


def draw_form(L, px_mm, fax_header, under_texts):
    """The form's art (coverage) at px_mm px/mm, as the sending office's PC gave it to the fax."""
    W, H = int(round(PAGE_W * px_mm)), int(round(PAGE_H * px_mm))
    cv = Canvas(W, H, px_mm)
    for x0, y0, x1, y1, lw in L["rules"]:
        if abs(y1 - y0) < 1e-6:
            cv.rect(x0 - lw / 2, y0 - lw / 2, x1 + lw / 2, y0 + lw / 2)
        else:
            cv.rect(x0 - lw / 2, y0 - lw / 2, x0 + lw / 2, y1 + lw / 2)
    for s, face, x, y, size, anc, st in L["texts"] + under_texts:
        cv.text(s, face, x, y, size, anc, st)
    cv.text(fax_header, "g", 6, 3.0, 2.6, "l", 0)
    art = cv.array()
    tint = np.zeros_like(art)
    for x0, y0, x1, y1 in L["tints"]:
        tint[int(y0 * px_mm):int(y1 * px_mm), int(x0 * px_mm):int(x1 * px_mm)] = L["tint_level"]
    return np.maximum(art, tint)


# ---------------------------------------------------------------- ink (lateral light scattering)

def srgb(x):
    x = np.clip(x, 0, 1)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)


def hue_deg(rgb):
    r_, g_, b_ = rgb
    mx, mn = max(rgb), min(rgb)
    if mx - mn < 1e-9:
        return 0.0
    if mx == r_:
        h = 60 * ((g_ - b_) / (mx - mn))
    elif mx == g_:
        h = 60 * ((b_ - r_) / (mx - mn) + 2)
    else:
        h = 60 * ((r_ - g_) / (mx - mn) + 4)
    return (h + 180) % 360 - 180


def bisect(f, lo, hi, target, n=50):
    """x in [lo, hi] with f(x) = target, f monotonic (either way)."""
    up = f(hi) > f(lo)
    for _ in range(n):
        mid = (lo + hi) / 2
        if (f(mid) > target) == up:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


def film_hue(paper, kv, film):
    return hue_deg(tuple(srgb(paper * np.exp(-2 * film * np.asarray(kv)))))


def solve_inks(paper, hue_t, k_r, off_orange, off_purple):
    """Absorbance ratios per channel for 正红 and the two off-colours, each found so that a uniform
    film over the paper (R = P T^2 in the scattering model) shows the drawn sRGB HSV hue at the
    nominal film (green or blue the strongest channel at 1)."""
    kb = bisect(lambda x: film_hue(paper, (k_r, 1.0, x), 0.5), 0.0, 1.0, hue_t) if hue_t < 0 else None
    if kb is not None:
        red = np.array([k_r, 1.0, kb])
    else:
        kg = bisect(lambda x: film_hue(paper, (k_r, x, 1.0), 0.5), 0.2, 1.0, hue_t)
        red = np.array([k_r, kg, 1.0])
    kg = bisect(lambda x: film_hue(paper, (k_r, x, 1.0), 1.15), 0.05, 1.0, off_orange)
    kb = bisect(lambda x: film_hue(paper, (k_r, 1.0, x), 1.15), 0.0, 1.0, -off_purple)
    return red, {"orange": np.array([k_r, kg, 1.0]), "purple": np.array([k_r, 1.0, kb])}


# ---------------------------------------------------------------- noise fields

def smooth_noise(r, shape, sigma_px):
    n = r.normal(0, 1, shape).astype(np.float32)
    n = ndi.gaussian_filter(n, sigma_px, mode="wrap")
    return n / (n.std() + 1e-9)


def fbm_tile(r, n, px_mm, beta, lo_mm, hi_mm):
    """A periodic fractional-Brownian height tile (n x n), power ∝ f^-beta between hi_mm and lo_mm."""
    fy = np.fft.fftfreq(n)[:, None] * px_mm
    fx = np.fft.rfftfreq(n)[None, :] * px_mm
    f = np.sqrt(fx * fx + fy * fy)
    amp = np.where((f > 1 / lo_mm) & (f < 1 / hi_mm), (f + 1e-9) ** (-beta / 2), 0.0)
    z = (r.normal(size=amp.shape) + 1j * r.normal(size=amp.shape)) * amp
    h = np.fft.irfft2(z, s=(n, n)).astype(np.float32)
    return h / (h.std() + 1e-9)


# ---------------------------------------------------------------- main

def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    r = np.random.default_rng(seed)
    os.makedirs(outdir, exist_ok=True)
    stem = "%03d" % index
    dpi = int(rng_pick(r, [150, 200, 300, 400, 600], p=[0.1, 0.2, 0.5, 0.12, 0.08]))
    L = layout(r)
    L["tint_level"] = r.uniform(0.1, 0.2)
    firm = rng_pick(r, PLACES) + rng_pick(r, CORES) + rng_pick(r, TRADES) + rng_pick(r, SUFFIX)
    while len(firm) > 15:
        firm = rng_pick(r, PLACES[:12]) + rng_pick(r, CORES) + rng_pick(r, TRADES[:6]) + "有限公司"
    need(firm)
    person = rng_pick(r, SURNAMES) + "".join(rng_pick(r, GIVEN) for _ in range(int(r.choice([1, 2], p=[0.35, 0.65]))))
    user = rng_pick(r, SURNAMES) + "".join(rng_pick(r, GIVEN) for _ in range(2))
    env_dpi = os.environ.get("SEAL_SHEET_DPI")
    # --- everything below is drawn from r the same way whatever dpi is chosen ---
    seal = {"d": r.uniform(38.5, 44.5), "ring": r.uniform(0.9, 1.5), "inner": r.random() < 0.15,
            "inner_gap": r.uniform(0.7, 1.1), "star": r.uniform(0.28, 0.33), "firm": firm,
            "span": r.uniform(205, 250), "ch_h": r.uniform(0.15, 0.18), "ch_w": r.uniform(0.62, 0.82),
            "face": "m" if r.random() < 0.8 else "g", "bold": r.uniform(0.01, 0.035),
            "use": None, "code": None}
    if r.random() < 0.45:
        seal["code"] = "".join(str(int(d)) for d in r.integers(0, 10, 13))
    legal = {"frame": r.uniform(0.6, 1.1), "yin": r.random() < 0.22, "face": "m" if r.random() < 0.55 else "g",
             "bold": r.uniform(0.015, 0.045)}
    if r.random() < 0.62:
        s = r.uniform(15.5, 21.5)
        legal["w"], legal["h"] = s, s
    else:
        ln = r.uniform(17.5, 22.0)
        ratio = r.uniform(1.2, 1.5)
        if r.random() < 0.5:
            legal["w"], legal["h"] = ln / ratio, ln
        else:
            legal["w"], legal["h"] = ln, ln / ratio
    legal["chars"] = person + ("之印" if len(person) == 2 else "印")
    legal["row"] = len(legal["chars"]) == 4 and legal["w"] > legal["h"] * 1.15 and r.random() < 0.5
    sig_paths = {}
    for who in ("person", "user"):
        nm = person if who == "person" else user
        path, ext = make_signature_path(r, len(nm))
        sig_paths[who] = {"path": path, "extent": ext, "pen": r.uniform(0.4, 0.6),
                          "pen_kind": rng_pick(r, ["blue", "black", "blueblack"], p=[0.5, 0.3, 0.2])}

    # paper and inks
    paper_white = np.array([0.885, 0.89, 0.895]) * r.uniform(0.97, 1.02) * np.array(
        [r.uniform(0.99, 1.01), 1.0, r.uniform(0.99, 1.03)])
    paper_base = paper_white.copy()
    tinted = r.random() < 0.05
    if tinted:
        tint_kind = rng_pick(r, ["yellow", "pink", "blue", "green"])
        od = {"yellow": [0.02, 0.04, 0.22], "pink": [0.0, 0.16, 0.07], "blue": [0.16, 0.06, 0.01],
              "green": [0.12, 0.02, 0.14]}[tint_kind]
        paper_white = paper_white * 10 ** (-np.array(od) * r.uniform(0.9, 1.3))
    # the inks' hues are their own: solved and checked over the untinted white
    for attempt in range(40):
        hue_t = r.uniform(-3.0, 3.0) * (1 - attempt / 40)
        k_red, off = solve_inks(paper_base, hue_t, r.uniform(0.03, 0.1), r.uniform(26, 36), r.uniform(26, 36))
        ok = True
        for kv, lo_, hi_ in [(k_red, -7.5, 7.5), (off["orange"], 18, 50), (off["purple"], -50, -18)]:
            for fm in (0.12, 0.3, 0.6, 1.0, 1.5):  # pale to dense films all keep their side of the limits
                h_ = film_hue(paper_base, kv, fm)
                ok = ok and (lo_ <= h_ <= hi_)
        if ok:
            break
    else:
        raise SystemExit("duplex: no ink kept its hue over this paper")
    pens = {"blue": np.array([1.0, 0.72, 0.14]), "black": np.array([1.0, 0.97, 0.9]),
            "blueblack": np.array([1.0, 0.9, 0.55])}
    psf_mm = r.uniform(0.06, 0.14)  # the paper's lateral light scattering (exponential PSF's length)
    toner_R = r.uniform(0.05, 0.08)  # plain-paper fax's toner, reflectance of a solid over the paper

    # per box plans
    def pick_defects(kind):
        if kind == "signature":
            if r.random() < 0.06:
                return ["empty"]
            d = []
            u = r.random()
            if u < 0.12:
                d.append("overlap_line")
            elif u < 0.20:
                d.append("bg_not_white")
            elif u < 0.25:
                d.append("pale")
            return d
        if r.random() < 0.08:
            return ["empty"] + (["bg_not_white"] if r.random() < 0.12 else [])
        if r.random() >= 0.55:
            return []
        names = ["double", "smudged", "broken", "pale", "off_color", "tilted", "overlap_line", "bg_not_white",
                 "text_under"]
        w = np.array([13, 12, 13, 12, 9, 13, 12, 8, 8], float)
        d = [rng_pick(r, names, p=w / w.sum())]
        if r.random() < 0.18:
            second = [x for x in ["tilted", "bg_not_white", "text_under", "overlap_line", "double", "pale"]
                      if x not in d]
            x = rng_pick(r, second)
            bad = ({"double", "smudged"}, {"double", "broken"}, {"smudged", "broken"}, {"pale", "off_color"})
            if not any(set([x, d[0]]) == b for b in bad):
                d.append(x)
        return d

    plans = []
    under_texts = []
    for b in L["boxes"]:
        kind = b["kind"]
        want = pick_defects(kind)
        x0, y0, x1, y1 = b["rule_in"]
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        p = {"box": b, "want": want, "cx": cx + r.uniform(-2, 2), "cy": cy + r.uniform(-2, 2)}
        if kind == "signature":
            who = "user" if (L["layout"] == "collection" and b["row"] == 3) else "person"
            p["sig"] = sig_paths[who]
            p["sig_scale"] = r.uniform(0.93, 1.07)
            p["cy"] = cy + r.uniform(-2, 2)
        p["tilt"] = r.uniform(12, 28) * (1 if r.random() < 0.5 else -1) if "tilted" in want else r.uniform(-2, 2)
        if kind == "signature":
            p["tilt"] = 0.0
        if "text_under" in want:
            s = rng_pick(r, ["（盖章）", "盖章", "年 月 日", "公章", "印章"])
            sz = r.uniform(3.8, 5.0)
            tx, ty = cx + r.uniform(-8, 8), cy + r.uniform(-6, 6)
            under_texts.append((s, "g", tx, ty, sz, "c", 0))
            p["under"] = s
            p["cx"] = p["cx"] + 0.75 * (tx - p["cx"])
            p["cy"] = p["cy"] + 0.75 * (ty + sz * 0.5 - p["cy"])
        p["push"] = r.uniform(1.2, 3.0)
        p["side"] = rng_pick(r, ["l", "r", "t", "b"] if kind != "signature" else ["l", "r"])
        p["absorbed"] = r.uniform(0.2, 0.6) if "pale" in want else (
            r.uniform(0.87, 0.95) if kind != "signature" else r.uniform(0.86, 0.95))
        p["double_off"] = (r.uniform(0.8, 2.4), r.uniform(0, 360), r.uniform(-1.5, 1.5), r.uniform(0.5, 0.9))
        p["smear"] = (r.uniform(0.75, 1.3), r.uniform(0, 360), r.uniform(0.5, 0.65), r.uniform(0.25, 0.45))
        p["broken"] = (r.uniform(0, 360), r.uniform(0.18, 0.31), r.uniform(0.3, 0.7))
        p["off_way"] = rng_pick(r, ["orange", "purple"])
        p["stain"] = (r.uniform(0.35, 0.55), r.uniform(0.3, 0.45), r.uniform(-0.15, 0.15), r.uniform(-0.15, 0.15),
                      r.uniform(0.18, 0.3), int(r.integers(1 << 30)))
        p["mottle_seed"] = int(r.integers(1 << 30))
        p["plane"] = (r.uniform(0, 360), r.uniform(0, 0.008))
        plans.append(p)

    scan = adf.draw(r, dpi)
    fax = {"fine": r.random() < 0.7, "thresh": r.uniform(0.42, 0.55), "errors": int(r.integers(0, 4)),
           "gain_mm": r.uniform(0.025, 0.045)}
    hdr_no = "".join(str(int(d)) for d in r.integers(0, 10, 8))
    fax_header = need("%04d年%02d月%02d日 %02d:%02d  FAX 0471%s  P.%02d" % (
        2026, int(r.integers(1, 13)), int(r.integers(1, 29)), int(r.integers(8, 18)), int(r.integers(0, 60)),
        hdr_no, 1))
    if env_dpi:
        dpi = int(env_dpi)
        scan["dpi"] = dpi
    render_dpi = {150: 300, 200: 400, 300: 450, 400: 400, 600: 600}.get(dpi, max(300, dpi))
    px_mm = render_dpi / 25.4

    # --- the faxed form ---
    art = draw_form(L, px_mm, fax_header, under_texts)
    H, W = art.shape
    fx, fy = 8.04, (7.7 if fax["fine"] else 3.85)
    fw, fh = int(PAGE_W * fx), int(PAGE_H * fy)
    # the sending fax's CCD reads the page (area mean over its cell), binarises it (a text mode with an
    # error-diffusion "photo" treatment of flat tints), codes it line by line
    yy = (np.arange(fh) + 0.5) / fy * px_mm - 0.5
    xx = (np.arange(fw) + 0.5) / fx * px_mm - 0.5
    pre = ndi.gaussian_filter(art, (0.4 * px_mm / fy, 0.4 * px_mm / fx))
    cell = ndi.map_coordinates(pre, np.meshgrid(yy, xx, indexing="ij"), order=1, mode="nearest")
    cell = cell + r.normal(0, 0.03, cell.shape)
    fb = np.zeros_like(cell, dtype=bool)
    err = np.zeros(fw + 2)
    flat = (cell > 0.06) & (cell < 0.3)
    for j in range(fh):
        row = cell[j]
        if flat[j].any():
            nerr = np.zeros(fw + 2)
            out = np.zeros(fw, bool)
            for i in np.nonzero(flat[j])[0]:
                v = row[i] + err[i + 1]
                o = v > 0.5
                out[i] = o
                e = v - (1.0 if o else 0.0)
                err[i + 2] += e * 7 / 16
                nerr[i] += e * 3 / 16
                nerr[i + 1] += e * 5 / 16
                nerr[i + 2] += e * 1 / 16
            fb[j] = np.where(flat[j], out, row > fax["thresh"])
            err = nerr
        else:
            fb[j] = row > fax["thresh"]
            err[:] = 0
    for _ in range(fax["errors"]):  # a line lost on the telephone line: the receiver repeats the last good one
        j = int(r.integers(20, fh - 20))
        n = int(r.integers(1, 4))
        fb[j:j + n] = fb[j - 1]
    # the receiving plain-paper fax prints it: each fax pel a toner dot, dot gain, the engine's density
    yi = np.minimum((np.arange(H) + 0.5) / px_mm * fy, fh - 1).astype(np.int32)
    xi = np.minimum((np.arange(W) + 0.5) / px_mm * fx, fw - 1).astype(np.int32)
    toner = fb[yi][:, xi].astype(np.float32)
    del fb, cell, pre, art
    toner = np.clip(ndi.gaussian_filter(toner, fax["gain_mm"] * px_mm) * 1.15, 0, 1)
    # speckle of stray toner
    nsp = int(r.integers(30, 250) * PAGE_W * PAGE_H / 10000)
    sy, sx = r.integers(0, H, nsp), r.integers(0, W, nsp)
    toner[sy, sx] = np.maximum(toner[sy, sx], r.uniform(0.3, 1, nsp))

    # --- the paper: a fractional-Brownian surface under the scanner's lamp, formation, whiteness ---
    tile_n = 1024
    hgt = fbm_tile(r, tile_n, px_mm, r.uniform(2.2, 2.8), 6.0, 0.03)
    form = fbm_tile(r, tile_n, px_mm, r.uniform(1.6, 2.2), 25.0, 0.8)
    slope = np.gradient(hgt, axis=0)
    slope /= slope.std() + 1e-9
    grain_t = 1 + r.uniform(0.003, 0.007) * hgt + r.uniform(0.003, 0.008) * slope + r.uniform(0.004, 0.01) * form
    ry, rx = int(np.ceil(H / tile_n)), int(np.ceil(W / tile_n))
    grain = np.tile(grain_t, (ry, rx))[:H, :W]
    del slope, form, grain_t
    # the height as the paper's receptivity under the stamp
    recept = np.tile(hgt, (ry, rx))[:H, :W]

    # --- absorbance (Beer's law of the layer, -ln T) per channel, on the page ---
    A = np.zeros((3, H, W), np.float32)
    kt = -math.log(math.sqrt(toner_R))
    for c in range(3):
        A[c] = kt * toner
    del toner
    stain_od = np.zeros((H, W), np.float32)

    truth_boxes = []
    masks = []
    for p in plans:
        b = p["box"]
        kind = b["kind"]
        want = list(p["want"])
        x0, y0, x1, y1 = b["rule_in"]
        box = {"row": b["row"], "col": b["col"], "kind": kind, "empty": "empty" in want,
               "defects": [], "borderline": [], "inner_mm": [round(v, 2) for v in b["rule_in"]]}
        if "bg_not_white" in want or tinted:
            if tinted:
                box["defects"].append("bg_not_white")
                box["stain"] = {"kind": "tinted_stock"}
            else:
                sw, sh, ox, oy, od, sseed = p["stain"]
                rs = np.random.default_rng(sseed)
                bw, bh = x1 - x0, y1 - y0
                sx0, sx1 = int((x0 + 2) * px_mm), int((x1 - 2) * px_mm)
                sy0, sy1 = int((y0 + 2) * px_mm), int((y1 - 2) * px_mm)
                gy, gx = np.mgrid[sy0:sy1, sx0:sx1].astype(np.float32)
                mx, my = ((gx / px_mm) - (x0 + x1) / 2 - ox * bw) / (sw * bw * 0.5 + 6), \
                    ((gy / px_mm) - (y0 + y1) / 2 - oy * bh) / (sh * bh * 0.5 + 6)
                nz = smooth_noise(rs, gx.shape, 3.0 * px_mm) * 0.09
                rr = np.sqrt(mx * mx + my * my) + nz
                # an oil halo seeped from 印泥: translucent paper, darker with a soft edge, densest ring
                body = np.clip((1.0 - rr) / 0.15, 0, 1)
                rim = np.exp(-((rr - 0.93) / 0.05) ** 2) * 0.35
                shape_ = body * (0.93 + 0.07 * smooth_noise(rs, gx.shape, 1.0 * px_mm)) + rim
                edge_mm = np.minimum(np.minimum(gx - sx0, sx1 - 1 - gx), np.minimum(gy - sy0, sy1 - 1 - gy)) / px_mm
                shape_ = shape_ * np.clip(edge_mm / 1.5, 0, 1)  # faded out towards 2 mm inside the rules
                for _ in range(4):  # strengthened until a clear share of the box reads 0.1 or more
                    s_od = od * shape_
                    frac = float((s_od >= 0.1).mean())
                    if frac >= 0.36:
                        break
                    od *= 1.3
                stain_od[sy0:sy1, sx0:sx1] = np.maximum(stain_od[sy0:sy1, sx0:sx1], s_od)
                box["stain"] = {"kind": "oil_halo", "od_max": round(float(s_od.max()), 3),
                                "area_od_0_1": round(frac, 3)}
                if frac >= 0.36:
                    box["defects"].append("bg_not_white")
                else:
                    box["borderline"].append("bg_not_white")
        if box["empty"]:
            box["defects"] = ["empty"] + [d for d in box["defects"] if d == "bg_not_white"]
            box["box_centre_mm"] = [(x0 + x1) / 2, (y0 + y1) / 2]
            truth_boxes.append(box)
            masks.append(None)
            continue
        rot = p["tilt"]
        # the nominal face extent along each side, then a push over the line if wanted
        if kind == "official_seal":
            ex = ey = seal["d"] / 2
        elif kind == "legal_rep_seal":
            a = math.radians(rot)
            ex = 0.5 * (abs(legal["w"] * math.cos(a)) + abs(legal["h"] * math.sin(a)))
            ey = 0.5 * (abs(legal["w"] * math.sin(a)) + abs(legal["h"] * math.cos(a)))
        else:
            ex = p["sig"]["extent"][0] * p["sig_scale"] - 1
            ey = p["sig"]["extent"][1] * p["sig_scale"] - 1
        cx, cy = p["cx"], p["cy"]
        # keep a face clear of the rules unless it is to be pushed: 1.5 mm inside
        cx = min(max(cx, x0 + ex + 1.5), x1 - ex - 1.5) if (x1 - x0) > 2 * ex + 3 else (x0 + x1) / 2
        cy = min(max(cy, y0 + ey + 1.5), y1 - ey - 1.5) if (y1 - y0) > 2 * ey + 3 else (y0 + y1) / 2
        if "overlap_line" in want:
            s = p["side"]
            if s == "l":
                cx = x0 + ex - p["push"]
            elif s == "r":
                cx = x1 - ex + p["push"]
            elif s == "t":
                cy = y0 + ey - p["push"]
            else:
                cy = y1 - ey + p["push"]
            box["push_mm"] = round(p["push"], 2)
        # draw the face (and the second pressing) as coverage patches in render pixels
        pressings = []
        if kind == "official_seal":
            cov, ox, oy = official_face(r, seal, cx, cy, rot, px_mm)
        elif kind == "legal_rep_seal":
            cov, ox, oy = legal_face(r, legal, cx, cy, rot, px_mm)
        else:
            sp = dict(p["sig"])
            sc = p["sig_scale"]
            sp["path"] = [a * np.array([sc, sc, 1.0]) for a in sp["path"]]
            sp["extent"] = (sp["extent"][0] * sc, sp["extent"][1] * sc)
            cov, ox, oy = signature_face(r, sp, cx, cy, px_mm)
        pressings.append((cov, ox, oy, 1.0))
        if "double" in want:
            dmm, dang, drot, dload = p["double_off"]
            c2x, c2y = cx + dmm * math.cos(math.radians(dang)), cy + dmm * math.sin(math.radians(dang))
            if kind == "official_seal":
                cov2, ox2, oy2 = official_face(r, seal, c2x, c2y, rot + drot, px_mm)
            else:
                cov2, ox2, oy2 = legal_face(r, legal, c2x, c2y, rot + drot, px_mm)
            pressings.append((cov2, ox2, oy2, dload))
            box["double_offset_mm"] = round(dmm, 2)
        # union frame
        fx0 = min(q[1] for q in pressings) - 40
        fy0 = min(q[2] for q in pressings) - 40
        fx1 = max(q[1] + q[0].shape[1] for q in pressings) + 40
        fy1 = max(q[2] + q[0].shape[0] for q in pressings) + 40
        fx0, fy0 = max(0, fx0), max(0, fy0)
        fx1, fy1 = min(W, fx1), min(H, fy1)
        load = np.zeros((fy1 - fy0, fx1 - fx0), np.float32)
        cover = np.zeros_like(load)
        rm = np.random.default_rng(p["mottle_seed"])
        for cv_, ox_, oy_, ld in pressings:
            sl = (slice(oy_ - fy0, oy_ - fy0 + cv_.shape[0]), slice(ox_ - fx0, ox_ - fx0 + cv_.shape[1]))
            # rubber squeezed to its edges: a bit more ink where the face's blur is lowest inside it
            edge = np.clip(cv_ - ndi.gaussian_filter(cv_, 0.25 * px_mm), 0, 1)
            mot = 1 + rm.uniform(0.05, 0.12) * smooth_noise(rm, cv_.shape, rm.uniform(0.8, 2.0) * px_mm)
            load[sl] += cv_ * ld * (mot + rm.uniform(0.6, 1.2) * edge)
            cover[sl] = np.maximum(cover[sl], cv_)
        gy, gx = np.mgrid[fy0:fy1, fx0:fx1].astype(np.float32)
        pa, pg = p["plane"]
        load *= 1 + pg * ((gx / px_mm - cx) * math.cos(math.radians(pa)) + (gy / px_mm - cy) * math.sin(math.radians(pa)))
        # paper receptivity: the deepest valleys of the surface take no ink (voids)
        rec = recept[fy0:fy1, fx0:fx1]
        if kind != "signature":
            load *= np.where(rec < np.quantile(rec, rm.uniform(0.005, 0.02)), 0.2, 1.0) * (1 + 0.04 * rec)
        uncut = cover.copy()
        if "smudged" in want:
            smm, sang, keep, wend = p["smear"]
            steps = max(2, int(smm * px_mm * 2))
            dx, dy = math.cos(math.radians(sang)), math.sin(math.radians(sang))
            acc = load * keep
            cacc = cover.copy()
            wsum = 0.0
            ws = np.linspace(1.0, wend, steps)
            for i, wgt in enumerate(ws):
                t = (i + 1) / steps * smm * px_mm
                sh_ = ndi.shift(load, (t * dy, t * dx), order=1)
                acc += sh_ * wgt * (1 - keep) / ws.sum()
                cacc = np.maximum(cacc, ndi.shift(cover, (t * dy, t * dx), order=1))
                wsum += wgt
            load, cover = acc, cacc
            uncut = cover.copy()
            box["smear_mm"] = round(smm, 2)
        if "broken" in want:
            bang, lost_t, fade = p["broken"]
            u = (gx / px_mm - cx) * math.cos(math.radians(bang)) + (gy / px_mm - cy) * math.sin(math.radians(bang))
            u = u + 0.3 * smooth_noise(rm, u.shape, 1.2 * px_mm)
            ink = cover >= 0.5
            thr = np.quantile(u[ink], 1 - lost_t)
            keepf = np.clip((thr - u) / fade + 0.5, 0, 1)
            load *= keepf
            cover = cover * (keepf >= 0.5)
            box["lost"] = round(float(1 - (cover >= 0.5).sum() / max(1, ink.sum())), 3)
        # the ink
        if kind == "signature":
            kv = pens[p["sig"]["pen_kind"]]
            box["pen"] = p["sig"]["pen_kind"]
        elif "off_color" in want:
            kv = off[p["off_way"]]
            box["off_way"] = p["off_way"]
        else:
            kv = k_red
        strongest = int(np.argmax(kv))
        film = -math.log(1 - p["absorbed"]) / 2 / kv[strongest]
        for c in range(3):
            A[c, fy0:fy1, fx0:fx1] += load * film * kv[c]
        box["absorbed"] = round(p["absorbed"], 3)
        box["hue_deg"] = round(hue_deg(tuple(srgb(paper_base * np.exp(-2 * film * kv)))), 2)
        if kind == "official_seal":
            box["diameter_mm"] = round(seal["d"], 2)
        elif kind == "legal_rep_seal":
            box["size_mm"] = [round(legal["w"], 2), round(legal["h"], 2)]
            box["yin"] = legal["yin"]
        box["tilt_deg"] = round(rot, 2)
        # overlap_line from the drawn coverage against the inner edge of the rules
        def reach(cv_):
            ys, xs = np.nonzero(cv_ >= 0.5)
            if len(xs) == 0:
                return -99.0
            X = (xs + fx0 + 0.5) / px_mm
            Y = (ys + fy0 + 0.5) / px_mm
            return float(max((x0 - X).max(), (X - x1).max(), (y0 - Y).max(), (Y - y1).max()))
        rc = reach(cover)
        box["reach_mm"] = round(rc, 3)
        lab = [d for d in want if d not in ("overlap_line", "bg_not_white")]
        if rc > 0.3:
            lab.append("overlap_line")
        elif rc >= -0.3:
            box["borderline"].append("overlap_line")
        elif "broken" in want and reach(uncut) >= -0.3:
            box["borderline"].append("overlap_line")
        box["defects"] = [d for d in lab if d != "empty"] + box["defects"]
        if "under" in p:
            box["under"] = p["under"]
        box["box_centre_mm"] = [(x0 + x1) / 2, (y0 + y1) / 2]
        truth_boxes.append(box)
        masks.append((cover, fx0, fy0))

    # --- the page's reflectance: R = P · T · (PSF ⊛ T), light entering through the layers, spreading
    # sideways in the paper, leaving through them (the lateral-scattering model) ---
    del recept
    stain_col = np.array([0.75, 0.92, 1.35])
    # the oiled paper turns translucent: the scanner's black backing and the back page show through it
    back = adf.back_page(r, H, W, px_mm)
    sigma = psf_mm * px_mm
    for c in range(3):  # the absorbance layer is replaced by the page's reflectance, channel by channel
        T = np.exp(-A[c])
        spread = ndi.gaussian_filter(T, sigma, truncate=3.0)
        A[c] = paper_white[c] * grain * 10 ** (-stain_od * stain_col[c]) * T * spread * (
            1 - back * (scan["show"] + 0.6 * np.minimum(stain_od, 0.3)))
        del T, spread
    del grain, back
    holder = [A]
    del A
    img, geo = adf.scan(r, holder, px_mm, scan)
    ext, meta = adf.deliver(img, geo, scan, os.path.join(outdir, stem))
    # masks through the same geometry
    boxes_out = []
    for box, m in zip(truth_boxes, masks):
        cxp, cyp = geo["fwd"](box["box_centre_mm"][0] * px_mm - 0.5, box["box_centre_mm"][1] * px_mm - 0.5)
        box["box_centre_px"] = [round(cxp, 1), round(cyp, 1)]
        if m is not None:
            cover, fx0, fy0 = m
            mk, mo = adf.warp_mask(cover, fx0, fy0, geo, scan)
            name = "%s.r%dc%d.mask.png" % (stem, box["row"], box["col"])
            from PIL import Image
            Image.fromarray(mk).save(os.path.join(outdir, name))
            box["mask"] = name
            box["mask_offset"] = [int(mo[0]), int(mo[1])]
        boxes_out.append(box)
    truth = {"maker": "duplex", "seed": seed, "dpi": int(scan["dpi"]), "dpi_in_file": bool(meta["dpi_in_file"]),
             "skew_deg": round(geo["skew_deg"], 3), "file": stem + "." + ext, "boxes": boxes_out,
             "layout": L["layout"], "firm": firm, "person": person, "line_mm": round(L["line_mm"], 3),
             "render_dpi": render_dpi, "paper": {"tinted": bool(tinted), "psf_mm": round(psf_mm, 3)},
             "print": {"process": "plain-paper fax", "fine": fax["fine"], "line_errors": fax["errors"]},
             "scanner": meta}
    with open(os.path.join(outdir, stem + ".truth.json"), "w") as f:
        json.dump(truth, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
