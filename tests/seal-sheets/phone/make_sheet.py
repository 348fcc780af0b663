#!/usr/bin/python3
"""Maker H (issue 76, the eighth): a seal collection sheet, printed on a duplicator (risograph),
stamped with cinnabar paste (印泥) or water-based pad ink (印油), signed with a pen modelled as a
damped spring, photographed on a desk by a handheld phone and sent through a chat app.

    make_sheet.py SEED OUTDIR INDEX

Drawing: Qt's QPainter raster engine (PyQt5, offscreen) from QFont glyph outlines (WenQuanYi
Micro Hei, TW-Sung, TW-Kai). Paper and desk: Sweet Home 3D's textures (read from its jar).
Capture: phone.py. Truth: truth.md, section "Maker H".
"""
import io
import json
import math
import os
import sys
import zipfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_rt = "/tmp/qt-runtime-%d" % os.getuid()
os.makedirs(_rt, mode=0o700, exist_ok=True)
os.environ.setdefault("XDG_RUNTIME_DIR", _rt)
import numpy as np
from PIL import Image
from scipy import ndimage
from PyQt5.QtCore import QPointF, QRectF, Qt
from PyQt5.QtGui import (QBrush, QColor, QFont, QFontDatabase, QImage, QPainter, QPainterPath,
                         QPen, QPolygonF, QTransform)
from PyQt5.QtWidgets import QApplication

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import phone  # noqa: E402

PAGE_W, PAGE_H = 210.0, 297.0
FONT_FILES = {
    "hei": "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "sung": "/usr/share/fonts/truetype/cns11643/TW-Sung-98_1.ttf",
    "kai": "/usr/share/fonts/truetype/cns11643/TW-Kai-98_1.ttf",
}
JAR = "/usr/share/sweethome3d/sweethome3d.jar"
TEX = "com/eteks/sweethome3d/io/resources/textures/%s.jpg"

_app = None
FAMILY = {}


def qt_init():
    global _app
    _app = QApplication.instance() or QApplication(["h"])
    for k, p in FONT_FILES.items():
        fid = QFontDatabase.addApplicationFont(p)
        fams = QFontDatabase.applicationFontFamilies(fid)
        if not fams:
            raise SystemExit("make_sheet.py: font %s not loaded (bash scripts/deps.sh seal-makers)" % p)
        FAMILY[k] = fams[0]


def texture(name):
    with zipfile.ZipFile(JAR) as z:
        im = Image.open(io.BytesIO(z.read(TEX % name))).convert("RGB")
    return np.asarray(im, dtype=np.float32) / 255.0


# ---------------------------------------------------------------- QImage <-> numpy
def canvas(w, h):
    img = QImage(int(w), int(h), QImage.Format_ARGB32_Premultiplied)
    img.fill(Qt.transparent)
    return img


def alpha(img):
    ptr = img.constBits()
    ptr.setsize(img.byteCount())
    a = np.frombuffer(ptr, np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return a[:, : img.width(), 3].astype(np.float32) / 255.0


def painter(img):
    p = QPainter(img)
    p.setRenderHint(QPainter.Antialiasing, True)
    p.setRenderHint(QPainter.TextAntialiasing, True)
    p.setPen(Qt.NoPen)
    p.setBrush(QBrush(QColor(0, 0, 0, 255)))
    return p


# ---------------------------------------------------------------- glyph outlines
_glyph_cache = {}


def glyph(ch, fam):
    """The glyph's outline as a QPainterPath in units of its em (pixel size 100 → /100), and its
    ink box."""
    key = (ch, fam)
    if key not in _glyph_cache:
        f = QFont(FAMILY[fam])
        f.setPixelSize(100)
        f.setHintingPreference(QFont.PreferNoHinting)
        path = QPainterPath()
        path.addText(QPointF(0, 0), f, ch)
        path = QTransform().scale(0.01, 0.01).map(path)
        _glyph_cache[key] = (path, path.boundingRect())
    return _glyph_cache[key]


def fit_glyph(ch, fam, cx, cy, w, h, rot_deg=0.0):
    """The glyph stretched to fill a w × h cell centred at (cx, cy) (mm), turned rot_deg."""
    path, b = glyph(ch, fam)
    bw, bh = max(b.width(), 1e-3), max(b.height(), 1e-3)
    t = QTransform()
    t.translate(cx, cy)
    t.rotate(rot_deg)
    t.scale(w / bw, h / bh)
    t.translate(-b.center().x(), -b.center().y())
    return t.map(path)


def text_path(s, fam, x, y, size_mm, align="left", bold=False):
    """A line of text at baseline y (mm), its em size_mm, aligned at x."""
    f = QFont(FAMILY[fam])
    f.setPixelSize(100)
    f.setBold(bold)
    path = QPainterPath()
    path.addText(QPointF(0, 0), f, s)
    k = size_mm / 100.0
    adv = path.boundingRect().right() * k
    x0 = x - adv / 2 if align == "center" else (x - adv if align == "right" else x)
    return QTransform(k, 0, 0, k, x0, y).map(path)


# ---------------------------------------------------------------- names
CITIES = ["呼和浩特", "包头", "鄂尔多斯", "西安", "广州", "深圳", "沈阳", "北京", "内蒙古", "陕西", ""]
BRANDS = ["华鑫", "恒通", "盛远", "新创", "鸿宇", "泰安", "瑞丰", "博腾", "飞云", "海智", "联邦", "达源", "宏业", "中科"]
TRADES = ["科技", "信息技术", "网络工程", "建设工程", "软件服务", "电子商务", "医疗科技", "物流", "文化传媒",
          "环保科技", "教育咨询", "实业", "数据服务", "商贸"]
SURN = list("张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田董潘袁蔡蒋余杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔向汤")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力宁欣志国峰斌海东晓林波鹏宏凯浩俊帆立新春雪梅亮")
USES = ["合同专用章", "财务专用章", "业务专用章", "发票专用章"]


def firm_name(r):
    for _ in range(20):
        n = r.choice(CITIES) + r.choice(BRANDS) + r.choice(TRADES) + "有限公司"
        if 8 <= len(n) <= 15:
            return n
    return "华鑫科技有限公司"


def person_name(r):
    return r.choice(SURN) + "".join(r.choice(GIVEN) for _ in range(1 if r.random() < 0.35 else 2))


# ---------------------------------------------------------------- layouts (forms/)
class Form:
    def __init__(self):
        self.k = []      # (QPainterPath) black plate, solid
        self.spot = []   # (QPainterPath, tone) spot plate
        self.boxes = []  # dicts
        self.rules_k = []

    def rule(self, x0, y0, x1, y1, w):
        p = QPainterPath()
        if abs(y0 - y1) < 1e-6:
            p.addRect(QRectF(x0 - w / 2, y0 - w / 2, x1 - x0 + w, w))
        else:
            p.addRect(QRectF(x0 - w / 2, y0 - w / 2, w, y1 - y0 + w))
        self.k.append(p)

    def text(self, s, fam, x, y, size, align="left", bold=False, spot=False):
        p = text_path(s, fam, x, y, size, align, bold)
        (self.spot.append((p, 1.0)) if spot else self.k.append(p))


def table(form, r, x0, y0, cols, rows, w, wf, kinds_row, caption_tone):
    """rows: list of (height, cells) where cells is a list of (span, content) and content is
    ('box', kind) or ('text', s) or ('strip', s). Returns the y below."""
    x_edges = np.concatenate([[x0], x0 + np.cumsum(cols)])
    y = y0
    total = x_edges[-1]
    ys = [y0]
    for h, cells in rows:
        ys.append(ys[-1] + h)
    for i, yy in enumerate(ys):
        form.rule(x0, yy, total, yy, wf if i in (0, len(ys) - 1) else w)
    box_row = {}
    for ri, (h, cells) in enumerate(rows):
        yt, yb = ys[ri], ys[ri + 1]
        ci = 0
        form.rule(x0, yt, x0, yb, wf)
        for span, content in cells:
            xl, xr = x_edges[ci], x_edges[ci + span]
            ci += span
            form.rule(xr, yt, xr, yb, wf if ci == len(cols) else w)
            kind = content[0]
            if kind == "box":
                row_id = box_row.setdefault(ri, len(form._rows))
                if row_id == len(form._rows):
                    form._rows.append(ri)
                form.boxes.append(dict(kind=content[1], rect=(xl, yt, xr, yb), row=row_id,
                                       lw=(w if ci - span > 0 else wf, w if ri > 0 else wf,
                                           wf if ci == len(cols) else w, w if ri < len(rows) - 1 else wf)))
            elif kind in ("text", "strip"):
                size = content[2] if len(content) > 2 else 3.6
                if kind == "strip" and caption_tone > 0:
                    p = QPainterPath()
                    p.addRect(QRectF(xl, yt, xr - xl, yb - yt))
                    form.spot.append((p, caption_tone))
                form.text(content[1], "hei", (xl + xr) / 2, (yt + yb) / 2 + size * 0.36, size, "center")
    return ys[-1]


def notes(form, x, y, lines, size=3.3, width=174):
    for s in lines:
        per = max(8, int(width / size))
        for i in range(0, len(s), per):
            y += size * 1.55
            form.text(s[i:i + per], "hei", x, y, size)
    return y


def build_form(r, firm, person):
    f = Form()
    f._rows = []
    w = r.uniform(0.2, 0.45)
    wf = w * (r.uniform(1.5, 2.1) if r.random() < 0.35 else 1.0)
    tone = r.uniform(0.1, 0.2) if r.random() < 0.5 else 0.0
    layout = r.choice(["fujian3", "org_sample", "personal_sample", "fujian2"], p=[0.3, 0.25, 0.2, 0.25])
    x0 = r.uniform(16, 22)
    y = r.uniform(14, 20)
    tfam = "sung" if r.random() < 0.6 else "hei"
    if layout == "fujian3":
        tw = 174.0 * r.uniform(0.97, 1.0)
        x0 = (PAGE_W - tw) / 2 + r.uniform(-2, 2)
        f.text("附件:3", "hei", x0, y + 4, 3.7)
        y += 7
        for title, kind, h, cap in (("公章采集表", "official_seal", r.uniform(50, 56), "签章"),
                                    ("法人签字采集表", "signature", r.uniform(33, 37), "签字"),
                                    ("法人签章采集表", "legal_rep_seal", r.uniform(38, 42), "签章")):
            y += 3
            f.text(title, tfam, PAGE_W / 2, y + 5.3, 5.3, "center", True, spot=tone > 0)
            y += 7.5
            f.text("【为保证采集到最清晰的电子签章，请在下表方格内居中%s三次，切勿压线，保持页面整洁】" % ("签名" if kind == "signature" else "盖章"),
                   "hei", PAGE_W / 2, y + 3.3, 3.3, "center")
            y += 6
            y = table(f, r, x0, y, [tw / 3] * 3, [(h, [(1, ("box", kind))] * 3),
                                                  (8, [(1, ("strip", "%s %d" % (cap, i + 1))) for i in range(3)])],
                      w, wf, None, tone)
    elif layout in ("org_sample", "personal_sample"):
        tw = 174.0
        x0 = (PAGE_W - tw) / 2 + r.uniform(-2, 2)
        org = layout == "org_sample"
        f.text("单位电子印章采样表" if org else "个人电子印章采样表", tfam, PAGE_W / 2, y + 5.6, 5.6, "center", True, spot=tone > 0)
        y += 9
        lines = ["说明：", "1、单位名称请填写单位全称，与印章使用的单位名称相同。",
                 "2、请务必确保电子签章图形采样区域清晰度和整洁性，印章必须确保盖在空白区内。",
                 "3、为确保采样的清晰度和成功率，需要反复进行4次采样，请尽可能确保每次采样的清晰与完整。",
                 "4、保证用于印章采样的桌面平整。",
                 "5、蘸足够印泥（印章自带印油除外），用力加盖印章，确保印章图形清晰、完整、无形变。"]
        y = notes(f, x0, y, lines if org else lines[:1] + lines[2:]) + 3
        if org:
            y = table(f, r, x0, y, [30, 144], [(10, [(1, ("text", "单位名称：")), (1, ("text", firm))]),
                                               (16, [(1, ("text", "备注：")), (1, ("text", ""))]),
                                               (8, [(2, ("strip", "电子签章图形采样（请在区域内加盖单位公章，重复操作4次）"))])],
                      w, wf, None, tone)
            kind = "official_seal"
        else:
            y = table(f, r, x0, y, [26, 80, 20, 48], [(10, [(1, ("text", "姓    名：")), (1, ("text", person)), (2, ("text", ""))]),
                                                       (10, [(1, ("text", "单    位：")), (1, ("text", firm[:10])), (2, ("text", ""))]),
                                                       (8, [(4, ("strip", "电子签章图形采样（请在区域内用手写签名或加盖个人私章，反复进行4次）"))])],
                      w, wf, None, tone)
            kind = "signature" if r.random() < 0.6 else "legal_rep_seal"
        hh = r.uniform(58, 64)
        y = table(f, r, x0, y, [87, 87], [(hh, [(1, ("box", kind))] * 2), (hh, [(1, ("box", kind))] * 2)], w, wf, None, 0)
    else:  # fujian2
        tw = 174.0
        x0 = (PAGE_W - tw) / 2 + r.uniform(-2, 2)
        f.text("附件二：", "hei", x0, y + 4, 3.7)
        y += 7
        f.text("“政府采购电子签章”单位申请表", tfam, PAGE_W / 2, y + 5.6, 5.6, "center", True, spot=tone > 0)
        y += 10
        c = [58, 58, 58]
        y = table(f, r, x0, y, c, [(9, [(1, ("text", "姓 名：" + person)), (2, ("text", "身份证号："))]),
                                   (8, [(3, ("strip", "单位公章采集（本栏需采集三个样本，标准印章如附件三）"))]),
                                   (r.uniform(50, 54), [(1, ("box", "official_seal"))] * 3),
                                   (8, [(3, ("strip", "法定代表人私章采集（本栏需采集三个样本）"))]),
                                   (r.uniform(34, 38), [(1, ("box", "legal_rep_seal"))] * 3),
                                   (8, [(3, ("strip", "法定代表人签名采集（请签写三次）"))]),
                                   (r.uniform(31, 34), [(1, ("box", "signature"))] * 3)], w, wf, None, tone)
        y = notes(f, x0, y + 2, ["本单位同意提交以上信息及认证资料用于CA数字证书的申请，保证提交的所有信息及认证资料均真实有效。",
                                 "单位公章：                    经办人签字：                 申请日期：    年  月  日"])
    # sample boxes in reading order: row by row, left to right
    f.boxes.sort(key=lambda b: (b["rect"][1], b["rect"][0]))
    rows = sorted({round(b["rect"][1], 3) for b in f.boxes})
    for b in f.boxes:
        b["row"] = rows.index(round(b["rect"][1], 3))
    for rr in range(len(rows)):
        same = [b for b in f.boxes if b["row"] == rr]
        for ci, b in enumerate(same):
            b["col"] = ci
    return f, layout, w


# ---------------------------------------------------------------- faces (mm, centred at 0)
def official_face(r, firm, D):
    R = D / 2
    ring = r.uniform(0.9, 1.5)
    fam = "sung" if r.random() < 0.7 else "hei"
    items = []
    p = QPainterPath()
    p.setFillRule(Qt.OddEvenFill)
    p.addEllipse(QPointF(0, 0), R, R)
    p.addEllipse(QPointF(0, 0), R - ring, R - ring)
    items.append(p)
    if r.random() < 0.15:
        q = QPainterPath()
        q.setFillRule(Qt.OddEvenFill)
        ri = R - ring - r.uniform(0.6, 1.0)
        q.addEllipse(QPointF(0, 0), ri, ri)
        q.addEllipse(QPointF(0, 0), ri - 0.3, ri - 0.3)
        items.append(q)
    rs = R * r.uniform(0.28, 0.33)
    star = QPolygonF([QPointF(rs * (1 if k % 2 == 0 else 0.382) * math.sin(math.pi * k / 5),
                              -rs * (1 if k % 2 == 0 else 0.382) * math.cos(math.pi * k / 5)) for k in range(10)])
    sp = QPainterPath()
    sp.addPolygon(star)
    sp.closeSubpath()
    items.append(sp)
    n = len(firm)
    span = min(250.0, max(205.0, 205 + (n - 8) * 7)) * r.uniform(0.97, 1.0)
    ch_h = D * r.uniform(0.15, 0.18)
    gap = r.uniform(0.5, 0.9)
    rc = R - ring - gap - ch_h / 2
    step = span / n
    ch_w = min(ch_h * 0.95, 2 * math.pi * (rc - ch_h / 2) * step / 360 * r.uniform(0.82, 0.95))
    for i, ch in enumerate(firm):
        a = -span / 2 + step * (i + 0.5)
        ar = math.radians(a)
        items.append(fit_glyph(ch, fam, rc * math.sin(ar), -rc * math.cos(ar), ch_w, ch_h, a))
    use = USES[r.integers(len(USES))] if r.random() < 0.35 else None
    if use:
        uh = D * 0.1
        uw = min(D * 0.55 / len(use), uh * 0.9)
        for i, ch in enumerate(use):
            items.append(fit_glyph(ch, fam, (i - (len(use) - 1) / 2) * uw * 1.05, R * 0.52, uw, uh))
    if r.random() < 0.4:
        code = "".join(str(d) for d in r.integers(0, 10, 13))
        cspan = r.uniform(60, 80)
        cr = R - ring - 0.5 - D * 0.035
        for i, ch in enumerate(code):
            a = 180 + cspan / 2 - cspan * (i + 0.5) / 13
            ar = math.radians(a)
            items.append(fit_glyph(ch, "hei", cr * math.sin(ar), -cr * math.cos(ar), D * 0.028, D * 0.055, a - 180))
    return items, dict(diameter_mm=round(D, 2), use=use)


def legal_face(r, name, w, h, yin):
    fam = r.choice(["sung", "kai", "hei"], p=[0.45, 0.35, 0.2])
    chars = list(name + "之印") if len(name) == 2 else list(name + "印")
    frame = r.uniform(0.6, 1.1)
    items = []
    if yin:
        p = QPainterPath()
        p.addRect(QRectF(-w / 2, -h / 2, w, h))
        items.append(("fill", p))
    else:
        p = QPainterPath()
        p.setFillRule(Qt.OddEvenFill)
        p.addRect(QRectF(-w / 2, -h / 2, w, h))
        p.addRect(QRectF(-w / 2 + frame, -h / 2 + frame, w - 2 * frame, h - 2 * frame))
        items.append(("fill", p))
    inner_w, inner_h = w - 2 * frame - 1.0, h - 2 * frame - 1.0
    one_row = w > h * 1.25 and r.random() < 0.5
    if one_row:
        cw, chh = inner_w / 4, inner_h
        cells = [((1.5 - i) * cw, 0) for i in range(4)][::-1]
        cells = [(-inner_w / 2 + cw * (i + 0.5), 0) for i in range(4)]
    else:
        cw, chh = inner_w / 2, inner_h / 2
        # right column top, right bottom, left top, left bottom (read right to left)
        cells = [(cw / 2, -chh / 2), (cw / 2, chh / 2), (-cw / 2, -chh / 2), (-cw / 2, chh / 2)]
    op = "clear" if yin else "fill"
    for ch, (cx, cy) in zip(chars, cells):
        items.append((op, fit_glyph(ch, fam, cx, cy, cw * 0.86, chh * 0.86)))
    return items, dict(size_mm=[round(w, 2), round(h, 2)], yin=bool(yin))


def signature_strokes(r, name):
    """A damped spring pen: the pen tip (mass) pulled to via-points in turn, x'' = ω²(g − x) − 2ζω x';
    a Chinese name's characters as 4–8 via-points of 横/竖/撇/捺/点 moves each, lifted between some."""
    cell = r.uniform(8.0, 11.5)
    adv = cell * r.uniform(0.72, 0.95)
    slant = math.radians(r.uniform(6, 20))
    zeta = r.uniform(0.55, 0.85)
    omega = r.uniform(38, 60)  # rad/s
    dt = 0.002
    dirs = [(1, 0.05), (0, 1), (-0.7, 0.8), (0.7, 0.7), (0.3, 0.3), (0.8, -0.4), (1, 0.0), (0.05, 1)]
    strokes = []
    pos = np.array([0.0, 0.0])
    vel = np.array([0.0, 0.0])
    for ci, _ch in enumerate(name):
        ox = ci * adv
        n = int(r.integers(6, 11))
        pts = []
        cur = np.array([ox + r.uniform(0.1, 0.4) * cell, r.uniform(0.15, 0.4) * cell])
        if ci == 0 or r.random() < 0.5:
            if len(strokes) and len(strokes[-1]) > 1:
                pass
            strokes.append([])
            pos = cur.copy()
            vel[:] = 0
        for _ in range(n):
            d = np.array(dirs[r.integers(len(dirs))], float)
            L = r.uniform(0.25, 0.75) * cell
            nxt = cur + d / np.linalg.norm(d) * L
            nxt[0] = np.clip(nxt[0], ox, ox + cell)
            nxt[1] = np.clip(nxt[1], 0, cell)
            pts.append(nxt)
            cur = nxt
        for g in pts:
            for _ in range(int(r.uniform(0.05, 0.11) / dt)):
                acc = omega ** 2 * (g - pos) - 2 * zeta * omega * vel
                vel = vel + acc * dt
                pos = pos + vel * dt
                strokes[-1].append((pos[0], pos[1], np.linalg.norm(vel)))
    if r.random() < 0.4:  # a closing flourish back under the name
        strokes.append([])
        g = np.array([-r.uniform(1, 4), cell * r.uniform(0.9, 1.15)])
        for _ in range(int(0.25 / dt)):
            acc = omega ** 2 * (g - pos) - 2 * zeta * omega * vel
            vel = vel + acc * dt
            pos = pos + vel * dt
            strokes[-1].append((pos[0], pos[1], np.linalg.norm(vel)))
    out = []
    allp = np.array([p[:2] for s in strokes for p in s])
    cx, cy = allp[:, 0].mean(), allp[:, 1].mean()
    for s in strokes:
        a = np.array(s)
        x = a[:, 0] - cx
        yy = a[:, 1] - cy
        out.append(np.stack([x - yy * math.tan(slant), yy, a[:, 2]], 1))
    return out


# ---------------------------------------------------------------- drawing a face into coverage
def draw_items(items, s, size_px, cx_px, cy_px, rot_deg, signature=None, pen_w=0.5):
    img = canvas(size_px[0], size_px[1])
    p = painter(img)
    t = QTransform()
    t.translate(cx_px, cy_px)
    t.rotate(rot_deg)
    t.scale(s, s)
    p.setTransform(t)
    if signature is not None:
        for st in signature:
            v = st[:, 2]
            vmax = max(np.percentile(v, 95), 1e-6)
            for i in range(1, len(st), 2):
                j = min(i + 2, len(st) - 1)
                wv = pen_w * (1.05 - 0.3 * min(v[i] / vmax, 1.0))
                pen = QPen(QColor(0, 0, 0, 255), wv, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin)
                p.setPen(pen)
                p.drawLine(QPointF(st[i - 1, 0], st[i - 1, 1]), QPointF(st[j, 0], st[j, 1]))
    else:
        bold = items[0][2] if items and len(items[0]) > 2 else 0.0
        for op, path, *rest in items:
            p.setCompositionMode(QPainter.CompositionMode_Clear if op == "clear" else QPainter.CompositionMode_SourceOver)
            emb = rest[0] if rest else 0.0
            p.setPen(QPen(QColor(0, 0, 0, 255), emb, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin) if emb > 0 else Qt.NoPen)
            p.setBrush(QBrush(QColor(0, 0, 0, 255)))
            p.drawPath(path)
    p.end()
    return alpha(img)


def smooth_noise(r, shape, sigma_px):
    n = r.standard_normal((max(2, int(shape[0] / max(sigma_px, 1) * 2) + 3), max(2, int(shape[1] / max(sigma_px, 1) * 2) + 3))).astype(np.float32)
    n = ndimage.gaussian_filter(n, 1.0)
    z = ndimage.zoom(n, (shape[0] / n.shape[0] + 1e-6, shape[1] / n.shape[1] + 1e-6), order=1)[: shape[0], : shape[1]]
    if z.shape != tuple(shape):
        z = np.pad(z, ((0, shape[0] - z.shape[0]), (0, shape[1] - z.shape[1])), mode="edge")
    return (z - z.mean()) / (z.std() + 1e-6)


# ---------------------------------------------------------------- ink colours
def srgb(x):
    x = np.clip(x, 0, 1)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)


def hue_deg(rgb_lin):
    c = srgb(np.asarray(rgb_lin, float))
    mx, mn = c.max(), c.min()
    if mx - mn < 1e-6:
        return 0.0
    r_, g_, b_ = c
    if mx == r_:
        h = 60 * (g_ - b_) / (mx - mn)
    elif mx == g_:
        h = 60 * (2 + (b_ - r_) / (mx - mn))
    else:
        h = 60 * (4 + (r_ - g_) / (mx - mn))
    return (h + 180) % 360 - 180


COVS = (0.15, 0.3, 0.6, 0.85, 1.0)


def mix_hues(A, P):
    return [hue_deg((1 - c) * P + c * A) for c in COVS]


def paste_colour(r, P, kind):
    """The paste's body albedo A (linear RGB) such that its mixes with the paper P at the coverages
    COVS have sRGB HSV hues: 正红 within ±5.5° (drawn ±3.5°), off-colour 22–40° away (drawn
    24–38°, towards orange or purple). Bisection on one channel; a fixed fallback always valid."""
    Ar = r.uniform(0.42, 0.62)
    Ag = r.uniform(0.025, 0.06)
    if kind == "red":
        target = r.uniform(-3.5, 3.5)
        lo, hi = Ag * 0.4, Ag * 2.5
        for _ in range(40):
            Ab = (lo + hi) / 2
            h = hue_deg(np.array([Ar, Ag, Ab]))
            if h > target:
                lo = Ab
            else:
                hi = Ab
        A = np.array([Ar, Ag, (lo + hi) / 2])
        if max(abs(h) for h in mix_hues(A, P)) <= 5.5:
            return A
        A = np.array([Ar, Ag, Ag * P[2] / P[1]])
        if max(abs(h) for h in mix_hues(A, P)) <= 5.5:
            return A
        return np.array([Ar, Ag, Ag])
    orange = kind == "orange"
    target = r.uniform(24, 38)
    Ab = Ag
    lo, hi = 0.0, Ar * 0.95
    for _ in range(40):
        m = (lo + hi) / 2
        A = np.array([Ar, m, Ab]) if orange else np.array([Ar, Ag, m])
        h = abs(hue_deg(A))
        if h < target:
            lo = m
        else:
            hi = m
    A = np.array([Ar, hi, Ab]) if orange else np.array([Ar, Ag, hi])
    hs = [abs(h) for h in mix_hues(A, P)]
    if min(hs) >= 22 and max(hs) <= 45:
        return A
    return np.array([0.6, 0.2, 0.03]) if orange else np.array([0.45, 0.03, 0.22])


# ---------------------------------------------------------------- the sheet
def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    os.makedirs(outdir, exist_ok=True)
    qt_init()
    r = np.random.default_rng([seed, 76, 8])          # every decision
    rn = np.random.default_rng([seed, 76, 8, 1])      # pixel noise only
    firm = firm_name(r)
    person = person_name(r)
    form, layout, rule_w = build_form(r, firm, person)
    cam = phone.draw_camera(r)                        # the phone and the chat app (geometry fixed here)
    env_dpi = os.environ.get("SEAL_SHEET_DPI")
    phone.fix_resolution(cam, float(env_dpi) if env_dpi else None)
    s = cam["render_px_mm"]
    W, H = int(round(PAGE_W * s)), int(round(PAGE_H * s))

    # ---- paper (Sweet Home 3D's roughcast as grain, its cloud photographs as formation)
    white = np.array([0.86, 0.86, 0.855]) * r.uniform(0.97, 1.02) * (1 + r.uniform(-0.012, 0.012, 3))
    grain_tex = texture("roughcast").mean(2)
    grain_tex = grain_tex - ndimage.gaussian_filter(grain_tex, 12, mode="wrap")
    grain_tex /= grain_tex.std() + 1e-6
    texel = r.uniform(0.035, 0.06)
    form_tex = texture(r.choice(["cloudy", "veryCloudy"])).mean(2)
    form_mm = r.uniform(0.6, 1.2)
    grain_amp = r.uniform(0.004, 0.009)
    form_amp = r.uniform(0.006, 0.014)

    def tile(tex, mm_per_texel, shape, off):
        t = np.block([[tex, tex[:, ::-1]], [tex[::-1], tex[::-1, ::-1]]])
        # a float's remainder can round up to the modulus itself: wrap the integer index again
        iy = ((np.arange(shape[0]) / s / mm_per_texel + off[0]) % t.shape[0]).astype(np.int32) % t.shape[0]
        ix = ((np.arange(shape[1]) / s / mm_per_texel + off[1]) % t.shape[1]).astype(np.int32) % t.shape[1]
        return t[np.ix_(iy, ix)]

    g = tile(grain_tex, texel, (H, W), r.uniform(0, 500, 2))
    g = ndimage.gaussian_filter(g, max(0.5, 0.5 * texel * s))
    g /= g.std() + 1e-6
    fm = tile(form_tex, form_mm, (H, W), r.uniform(0, 800, 2))
    fm = (fm - fm.mean()) / (fm.std() + 1e-6)
    shade = (1 + grain_amp * g + form_amp * fm).astype(np.float32)
    page = np.empty((H, W, 3), np.float32)
    for c in range(3):
        page[..., c] = white[c] * shade
    rough = g.astype(np.float32)  # paper height (σ 1) for paste transfer
    del fm

    # ---- decide each box
    kinds_n = len(form.boxes)
    faces = {}
    D = r.uniform(38.5, 44.5)
    faces["official_seal"] = official_face(r, firm, D)
    if r.random() < 0.62:
        side = r.uniform(15.5, 21.5)
        lw, lh = side, side
    else:
        long_ = r.uniform(17.5, 21.5)
        ratio = r.uniform(1.2, 1.5)
        lw, lh = (long_, long_ / ratio) if r.random() < 0.5 else (long_ / ratio, long_)
    yin = r.random() < 0.22
    faces["legal_rep_seal"] = legal_face(r, person if len(person) <= 3 else person[:3], lw, lh, yin)
    emb = {"official_seal": r.uniform(0.04, 0.12), "legal_rep_seal": r.uniform(0.03, 0.1)}
    pen = dict(w=r.uniform(0.4, 0.65), colour=r.choice(["blue", "black", "blueblack"]))
    sheet_paste = "yinyou" if r.random() < 0.25 else "yinni"
    tinted_sheet = False  # a phone's auto white balance would take a tinted sheet back to white: stains only
    plans = []
    for b in form.boxes:
        kind = b["kind"]
        d = dict(box=b, defects=[], borderline=[], empty=False)
        if r.random() < (0.08 if kind != "signature" else 0.06):
            d["empty"] = True
            d["defects"].append("empty")
            if r.random() < 0.12:
                d["defects"].append("bg_not_white")
        elif kind == "signature":
            if r.random() < 0.14:
                d["push"] = r.uniform(1.2, 3.0)
            if r.random() < 0.08:
                d["defects"].append("bg_not_white")
        elif r.random() < 0.55:
            opts = ["double", "smudged", "broken", "pale", "off_color", "tilted", "push", "bg_not_white", "text_under"]
            wts = np.array([13, 12, 13, 12, 9, 13, 12, 8, 8], float)
            first = r.choice(opts, p=wts / wts.sum())
            chosen = [first]
            if r.random() < 0.18:
                excl = {"double": {"smudged", "broken"}, "smudged": {"double", "broken"}, "broken": {"double", "smudged"},
                        "pale": {"off_color"}, "off_color": {"pale"}}
                rest = [o for o in opts if o != first and o not in excl.get(first, set())]
                chosen.append(r.choice(rest))
            for c_ in chosen:
                if c_ == "push":
                    d["push"] = r.uniform(1.2, 3.0)
                else:
                    d["defects"].append(c_)
        plans.append(d)
    if tinted_sheet:
        for d in plans:
            if "bg_not_white" not in d["defects"]:
                d["defects"].append("bg_not_white")
    sheet_hue_kind = "red"

    # ---- the form's print (riso) with text under some seals
    for d in plans:
        if "text_under" in d["defects"]:
            x0, y0, x1, y1 = d["box"]["rect"]
            sz = r.uniform(3.8, 5.0)
            form.text(r.choice(["（盖章）", "签章处", "单位盖章", "年  月  日", "样本"]), "hei",
                      (x0 + x1) / 2 + r.uniform(-4, 4), (y0 + y1) / 2 + r.uniform(-3, 5), sz, "center")
    riso = phone.riso_print(r, rn, form, s, W, H, painter, canvas, alpha)
    # stains / tints before the print and the ink
    for d in plans:
        if "bg_not_white" in d["defects"]:
            phone.stain(r, rn, page, d["box"]["rect"], s, tinted_sheet, smooth_noise)
    if tinted_sheet:
        pass
    for c in range(3):
        page[..., c] *= riso[c]
    del riso

    # ---- impressions
    spec = np.zeros((H, W), np.float32)
    truth_cov = {}
    P = white
    for d in plans:
        if d["empty"]:
            continue
        b = d["box"]
        kind = b["kind"]
        x0, y0, x1, y1 = b["rect"]
        cxm, cym = (x0 + x1) / 2, (y0 + y1) / 2
        m = 8.0
        px0, py0 = int(max(0, (x0 - m) * s)), int(max(0, (y0 - m) * s))
        px1, py1 = int(min(W, (x1 + m) * s)), int(min(H, (y1 + m) * s))
        cw, ch_ = px1 - px0, py1 - py0
        rot = r.uniform(-2.0, 2.0)
        if "tilted" in d["defects"]:
            rot = r.choice([-1, 1]) * r.uniform(12, 30)
        ox, oy = r.uniform(-2, 2), r.uniform(-2, 2)
        if kind == "signature":
            ox, oy = r.uniform(-3, 3), r.uniform(-1.5, 1.5)
            strokes = signature_strokes(r, person)
            allp = np.concatenate(strokes)
            ext = (allp[:, 0].min() - 0.3, allp[:, 0].max() + 0.3, allp[:, 1].min() - 0.3, allp[:, 1].max() + 0.3)
            box_w, box_h = x1 - x0, y1 - y0
            sc = min(1.0, (box_w - 8) / (ext[1] - ext[0]), (box_h - 6) / (ext[3] - ext[2]))
            strokes = [np.stack([st[:, 0] * sc, st[:, 1] * sc, st[:, 2]], 1) for st in strokes]
            half_w, half_h = (ext[1] - ext[0]) * sc / 2, (ext[3] - ext[2]) * sc / 2
        else:
            if kind == "official_seal":
                half_w = half_h = D / 2
            else:
                th = math.radians(abs(rot))
                half_w = (lw * math.cos(th) + lh * math.sin(th)) / 2
                half_h = (lw * math.sin(th) + lh * math.cos(th)) / 2
        if "push" in d:
            side = r.integers(4)
            pushx = (x1 - x0) / 2 - half_w - b["lw"][2 if side == 0 else 0] / 2 + d["push"]
            pushy = (y1 - y0) / 2 - half_h - b["lw"][3 if side == 1 else 1] / 2 + d["push"]
            if side == 0:
                ox = pushx
            elif side == 1:
                oy = pushy
            elif side == 2:
                ox = -((x1 - x0) / 2 - half_w - b["lw"][0] / 2 + d["push"])
            else:
                oy = -((y1 - y0) / 2 - half_h - b["lw"][1] / 2 + d["push"])
        else:  # keep a clean face clear of the lines: the importer's truth is read from the ink anyway
            ox = float(np.clip(ox, -max(0.0, (x1 - x0) / 2 - half_w - 1.5), max(0.0, (x1 - x0) / 2 - half_w - 1.5)))
            oy = float(np.clip(oy, -max(0.0, (y1 - y0) / 2 - half_h - 1.5), max(0.0, (y1 - y0) / 2 - half_h - 1.5)))
        ccx, ccy = (cxm + ox) * s - px0, (cym + oy) * s - py0
        info = dict(tilt_deg=round(rot, 2))
        if kind == "signature":
            cov = draw_items(None, s, (cw, ch_), ccx, ccy, rot, signature=strokes, pen_w=pen["w"])
            skips = smooth_noise(rn, cov.shape, 0.25 * s)
            cov_ink = cov * np.clip(1.15 + 0.35 * skips, 0, 1)
            tmask = cov
            Apen = {"blue": np.array([0.1, 0.16, 0.5]), "black": np.array([0.05, 0.05, 0.06]),
                    "blueblack": np.array([0.06, 0.08, 0.2])}[pen["colour"]]
            c_ = 0.88 * cov_ink
            sub = page[py0:py1, px0:px1]
            for k in range(3):
                sub[..., k] = sub[..., k] * (1 - c_) + c_ * Apen[k] * (sub[..., k] / P[k])
        else:
            items, meta = faces[kind]
            if kind == "official_seal":
                its = [("fill", p_, emb[kind]) for p_ in items]
            else:
                its = [(op, p_, emb[kind] if op == "fill" else 0.0) for op, p_ in items]
            info.update(meta)
            presses = [(ccx, ccy, rot, 1.0)]
            if "double" in d["defects"]:
                dd = r.uniform(0.95, 2.2)
                ang = r.uniform(0, 2 * math.pi)
                presses.append((ccx + dd * s * math.cos(ang), ccy + dd * s * math.sin(ang), rot + r.uniform(-1.5, 1.5), r.uniform(0.5, 0.9)))
                info["double_offset_mm"] = round(dd, 2)
            h_tot = np.zeros((ch_, cw), np.float32)
            tm = np.zeros((ch_, cw), np.float32)
            paste = sheet_paste if r.random() < 0.85 else ("yinyou" if sheet_paste == "yinni" else "yinni")
            for (qx, qy, qr, load) in presses:
                F = draw_items(its, s, (cw, ch_), qx, qy, qr)
                press = 1 + r.uniform(0.05, 0.1) * smooth_noise(r if False else rn, F.shape, r.uniform(1.0, 2.5) * s)
                gx, gy = r.uniform(-0.008, 0.008, 2)
                yy, xx = np.mgrid[0:ch_, 0:cw].astype(np.float32)
                press += (gx * (xx - qx) + gy * (yy - qy)) / s
                keep = np.ones_like(F)
                if "broken" in d["defects"] and load == 1.0:
                    ang = r.uniform(0, 2 * math.pi)
                    proj = ((xx - qx) * math.cos(ang) + (yy - qy) * math.sin(ang)) / s
                    proj = proj + 0.3 * smooth_noise(rn, F.shape, 0.4 * s)
                    inked = F > 0.5
                    lost_target = r.uniform(0.18, 0.31)
                    thr = np.quantile(proj[inked], 1 - lost_target) if inked.any() else 1e9
                    fade = r.uniform(0.3, 0.7)
                    keep = np.clip((thr - proj) / fade + 0.5, 0, 1).astype(np.float32)
                    lost = 1 - (F * (keep >= 0.5)).sum() / max(F.sum(), 1e-6)
                    info["lost"] = round(float(lost), 3)
                # transfer: the paper's valleys take no paste where the pressure does not reach them
                rs = rough[py0:py1, px0:px1]
                transfer = np.clip((press + 0.35 * rs - (0.45 if paste == "yinni" else 0.3)) / 0.25, 0, 1)
                edge = np.clip(F - ndimage.gaussian_filter(F, 0.25 * s), 0, None) * (1.8 if paste == "yinni" else 0.6)
                hh = F * keep * load * transfer * (1 + 0.35 * edge / (edge.max() + 1e-6))
                h_tot += hh
                tm = np.maximum(tm, F * (keep >= 0.5))
            if "smudged" in d["defects"]:
                sm = r.uniform(0.82, 1.3)
                ang = r.uniform(0, 2 * math.pi)
                steps = max(2, int(sm * s))
                stay = r.uniform(0.5, 0.65)
                acc = h_tot * stay
                tacc = tm.copy()
                wts = np.linspace(1, 0.25, steps)
                wts = wts / wts.sum() * (1 - stay)
                for i_ in range(1, steps + 1):
                    dx, dy = math.cos(ang) * i_ * sm * s / steps, math.sin(ang) * i_ * sm * s / steps
                    sh = ndimage.shift(h_tot, (dy, dx), order=1)
                    acc += wts[i_ - 1] * sh
                    tacc = np.maximum(tacc, ndimage.shift(tm, (dy, dx), order=1))
                h_tot, tm = acc, tacc
                info["smear_mm"] = round(sm, 2)
            tmask = tm
            # the paste: Poisson covering by opaque particles, c = 1 − exp(−h/h0)
            pale = "pale" in d["defects"]
            target = r.uniform(0.15, 0.3) if pale else r.uniform(0.72, 0.92)
            hue_kind = "red"
            if "off_color" in d["defects"]:
                hue_kind = r.choice(["orange", "purple"])
            A = paste_colour(r, P, hue_kind)
            amax = float(np.max(1 - A / P))
            c_nom = min(0.985, target / amax)
            info["absorbed"] = round(float(c_nom * amax), 3)
            info["paste"] = paste
            h0 = 1.0 / -math.log(1 - c_nom)
            if paste == "yinni":
                # cinnabar grains: Poisson clumps of 0.04–0.12 mm
                grains = ndimage.gaussian_filter((rn.random(h_tot.shape) < 0.02).astype(np.float32), max(0.5, 0.04 * s))
                grains /= grains.max() + 1e-6
                hloc = h_tot * (1 + 0.5 * (grains - grains.mean()) * (1.6 if pale else 1.0))
                if pale:
                    hloc *= np.clip(1 + 0.9 * smooth_noise(rn, h_tot.shape, 0.15 * s), 0, None)
            else:
                hloc = ndimage.gaussian_filter(h_tot, max(0.5, 0.04 * s))
            c_ = (1 - np.exp(-np.clip(hloc, 0, None) / h0)).astype(np.float32)
            sub = page[py0:py1, px0:px1]
            expo = 0.6 if paste == "yinni" else 0.9
            for k in range(3):
                S_ = sub[..., k]
                sub[..., k] = S_ * (1 - c_) + c_ * A[k] * np.power(np.clip(S_ / P[k], 1e-3, 1.2), expo)
            if paste == "yinni":
                # gloss: the paste's surface (µm) seen by the phone under the room light
                hmu = ndimage.gaussian_filter(hloc, max(0.6, 0.05 * s)) * r.uniform(12, 25)
                gy_, gx_ = np.gradient(hmu)
                gx_ *= s / 1000.0
                gy_ *= s / 1000.0
                spec[py0:py1, px0:px1] = np.maximum(spec[py0:py1, px0:px1],
                                                      phone.gloss(cam, gx_, gy_, c_))
            info["paste_colour_lin"] = [round(float(v), 4) for v in A]
        truth_cov[(b["row"], b["col"])] = (px0, py0, tmask.astype(np.float32))
        d["info"] = info
        d["centre_mm"] = (cxm + ox, cym + oy)
    del rough

    # ---- overlap_line from the rendered truth coverage against the inner edges of the rules
    for d in plans:
        if d["empty"]:
            continue
        b = d["box"]
        px0, py0, tm = truth_cov[(b["row"], b["col"])]
        ys_, xs_ = np.nonzero(tm >= 0.5)
        if len(xs_) == 0:
            continue
        xm = (xs_ + px0 + 0.5) / s
        ym = (ys_ + py0 + 0.5) / s
        x0, y0, x1, y1 = b["rect"]
        lwl, lwt, lwr, lwb = b["lw"]
        reach = max(x0 + lwl / 2 - xm.min(), xm.max() - (x1 - lwr / 2), y0 + lwt / 2 - ym.min(), ym.max() - (y1 - lwb / 2))
        d["info"]["reach_mm"] = round(float(reach), 2)
        if reach > 0.3:
            d["defects"].append("overlap_line")
        elif reach >= -0.3:
            d["borderline"].append("overlap_line")
        elif "broken" in d["defects"] and reach >= -1.5:
            d["borderline"].append("overlap_line")

    # ---- the photograph
    img, geo = phone.photograph(cam, r, rn, page, spec, s, texture)
    del page, spec
    ext = "jpg"
    name = "%03d" % index
    phone.chat_app_save(cam, img, os.path.join(outdir, name + "." + ext))
    boxes = []
    for d in plans:
        b = d["box"]
        x0, y0, x1, y1 = b["rect"]
        cpx = geo["to_px"](np.array([(x0 + x1) / 2]), np.array([(y0 + y1) / 2]))
        e = dict(row=int(b["row"]), col=int(b["col"]), kind=b["kind"], empty=bool(d["empty"]),
                 defects=sorted(set(d["defects"])), borderline=sorted(set(d["borderline"])),
                 box_centre_px=[round(float(cpx[0][0]), 1), round(float(cpx[1][0]), 1)])
        if b["kind"] == "official_seal":
            e["diameter_mm"] = faces["official_seal"][1]["diameter_mm"]
        elif b["kind"] == "legal_rep_seal":
            e["size_mm"] = faces["legal_rep_seal"][1]["size_mm"]
        if not d["empty"]:
            px0, py0, tm = truth_cov[(b["row"], b["col"])]
            mk, off = geo["warp_mask"](tm, px0, py0)
            if mk is not None:
                mname = "%s.r%dc%d.mask.png" % (name, b["row"], b["col"])
                Image.fromarray(mk).save(os.path.join(outdir, mname))
                e["mask"] = mname
                e["mask_offset"] = [int(off[0]), int(off[1])]
            e.update(d["info"])
        boxes.append(e)
    truth = dict(maker="phone", seed=seed, dpi=round(geo["dpi"], 2), dpi_in_file=False,
                 skew_deg=round(geo["skew_deg"], 3), file=name + "." + ext, layout=layout,
                 phone=cam["summary"], boxes=boxes)
    with open(os.path.join(outdir, name + ".truth.json"), "w") as fh:
        json.dump(truth, fh, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
