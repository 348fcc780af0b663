#!/usr/bin/python3
"""Maker S (colorfax): one seal collection sheet and its truth.

    python3 make_sheet.py SEED OUTDIR INDEX

Drawing: libvips (`vips text` with a font file renders every glyph; `vips draw_circle`,
`draw_rect`, `draw_line`, `draw_flood` draw the seals' rings, frames and star 4x
supersampled, `vips shrink` reduces them). Faces: Dejima Mincho (seals, form), Klee One
(signatures). Form: snca-nmg's 附件3 printed on a risograph-like stencil printer (master burnt at
300 dpi, ink through the drum's mesh). Paper: laid paper (laid and chain lines, formation).
Ink: dye diffusing into the fibres (anisotropic, along the machine direction), the dyed fibres a
rough (Oren-Nayar) surface over the paper. Capture: a colour fax (ITU-T T.42: CIELAB JPEG) read by
the counter's fax server and exported.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
from fontTools.ttLib import TTFont
from PIL import Image
from scipy import ndimage as ndi

DEJIMA = "/usr/share/fonts/truetype/dejima-mincho/dejima-mincho-r227.ttf"
KLEE = "/usr/share/fonts/truetype/klee/KleeOne-SemiBold.ttf"

PLACES = ("上海 天津 西安 太原 杭州 福州 广州 南京 合肥 昆明 成都 石家庄 大同 延安 安康 商洛 渭南 神木 "
          "府谷 米脂 子洲 横山 富平 蒲城 合阳 澄城 白水 洛川 黄陵 宜君 耀州 三原 高陵 周至 岐山 千阳 "
          "麟游 太白 城固 略阳 石泉 平利 旬阳 白河 紫阳 山阳 柞水 商南 呼和浩特 赤峰 阿拉善").split()
CORES = ("恒通 永安 正和 金泰 中天 信和 天成 安泰 泰和 福田 万和 百川 海川 嘉和 和平 光明 太平 富源 "
         "鼎盛 昌盛 隆昌 盛世 利民 益民 惠民 安和 永和 久安 新星 明星 北斗 春秋 青松 松柏 南山 西岳 "
         "中和 大成 三友 四海 五洲 六合 七星 八方 九州 千里 万里 神州 中原 西北 西部 秦川 渭水 黄河 "
         "天山 阳光 朝阳 旭日 晨光").split()
TRADES = ("科技 工程 化工 机械 食品 印刷 文化 建材 物流 能源 通信 信息 旅游 酒店 石油 燃气 家具 服装 "
          "广告 教育 器械 五金 塑料 包装 玻璃 水泥 石材 勘察 造价 保安 家政 人力").split()
SURNAMES = ("王 李 黄 周 徐 朱 胡 郭 何 高 林 梁 宋 唐 曹 彭 曾 田 董 潘 于 蒋 余 杜 叶 程 魏 丁 任 沈 姚 "
            "姜 崔 汪 范 金 石 夏 方 白 孟 熊 秦 邱 江 尹 雷 段 郝 孔 邵 史 毛 常 万 武 康 牛 安 左 柳 葛 "
            "岳 申 柴 焦 谷 包 霍 殷 倪 樊 晏 侯").split()
GIVEN = ("建国 志强 秀英 明 文 海 平 桂英 春 永 建平 德 敏 静 芳 娜 涛 磊 洋 勇 超 霞 桂 英 玲 欣 宇 浩 "
         "健 俊 帆 瑞 斌 文博 子明 正 清 和 忠 信 礼 智 仁 安 康 泰 福 寿 喜 吉 祥 春生 秋 冬 梅 竹 "
         "菊 松 柏 山 川 河 江 湖 云 雨 雪 雷 光 明亮 国 家 民 生 立 新 成 功 思 志 玉 金 石 永平 "
         "永安 永和 守仁").split()
UNDER_WORDS = ["盖章", "公章", "印章", "本公司", "年　月　日"]
NUMS = "一二三"
DEFECTS = "empty pale broken double smudged overlap_line tilted bg_not_white text_under off_color".split()


def check_words(dejima, klee):
    """Every word either face draws must be in its cmap: a missing glyph is an error."""
    bad = []
    for lst in (PLACES, CORES, TRADES, UNDER_WORDS):
        bad += [w for w in lst if any(ord(c) not in dejima for c in w if c != "　")]
    bad += [w for w in SURNAMES + GIVEN if any(ord(c) not in dejima or ord(c) not in klee for c in w)]
    if bad:
        raise SystemExit("colorfax: the faces lack characters of " + " ".join(bad))


def vips(*args):
    subprocess.run(["vips"] + [str(a) for a in args], check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, VIPS_CONCURRENCY="1"))


def atlas(tmp, font_file, family, lines, em):
    """All strings rendered by one `vips text` call, one to a line; cut apart by blank rows."""
    for s in lines:
        if "\n" in s or not s.strip():
            raise SystemExit("colorfax: bad atlas line")
    path = os.path.join(tmp, family.replace(" ", "_") + ".pgm")
    vips("text", path, "\n".join(lines), "--fontfile", font_file, "--font", f"{family} {em}",
         "--dpi", 72, "--spacing", em)
    a = np.asarray(Image.open(path), dtype=np.float32) / 255.0
    rows = a.max(axis=1) > 0.02
    runs, start, gap = [], None, 0
    for y, r in enumerate(rows):
        if r:
            if start is None:
                start = y
            gap = 0
            end = y
        elif start is not None:
            gap += 1
            if gap > 0.5 * em:
                runs.append((start, end + 1))
                start, gap = None, 0
    if start is not None:
        runs.append((start, end + 1))
    if len(runs) != len(lines):
        raise SystemExit(f"colorfax: atlas of {family} has {len(runs)} lines for {len(lines)}")
    out = {}
    for s, (y0, y1) in zip(lines, runs):
        band = a[y0:y1]
        cols = np.nonzero(band.max(axis=0) > 0.02)[0]
        out[s] = band[:, cols[0]:cols[-1] + 1].copy()
    return out


def place(canvas, src, cx, cy, w, h, ang=0.0, shear=0.0, mode="max"):
    """Draws src (coverage) scaled to w x h px, centred at (cx, cy), turned by ang (rad, clockwise
    on screen) and sheared, into canvas by bilinear sampling of the inverse map."""
    r = 0.5 * math.hypot(w, h) * (1 + abs(shear)) + 2
    x0, x1 = max(int(cx - r), 0), min(int(cx + r) + 1, canvas.shape[1])
    y0, y1 = max(int(cy - r), 0), min(int(cy + r) + 1, canvas.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    dx, dy = xx + 0.5 - cx, yy + 0.5 - cy
    c, s = math.cos(ang), math.sin(ang)
    lx, ly = c * dx + s * dy, -s * dx + c * dy
    lx = lx + shear * ly
    sh, sw = src.shape
    u = (lx / w + 0.5) * sw - 0.5
    v = (ly / h + 0.5) * sh - 0.5
    val = ndi.map_coordinates(src, [v, u], order=1, mode="constant", cval=0.0)
    if mode == "max":
        np.maximum(canvas[y0:y1, x0:x1], val, out=canvas[y0:y1, x0:x1])
    else:
        canvas[y0:y1, x0:x1] *= 1.0 - val


def srgb_enc(x):
    x = np.clip(x, 0, 1)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)


def srgb_dec(x):
    x = np.clip(x, 0, 1)
    return np.where(x <= 0.04045, x / 12.92, np.power((x + 0.055) / 1.055, 2.4))


def hue_deg(rgb_lin):
    r, g, b = srgb_enc(np.asarray(rgb_lin, dtype=np.float64))
    mx, mn = max(r, g, b), min(r, g, b)
    if mx - mn < 1e-9:
        return 0.0
    if mx == r:
        h = 60 * ((g - b) / (mx - mn))
    elif mx == g:
        h = 60 * ((b - r) / (mx - mn) + 2)
    else:
        h = 60 * ((r - g) / (mx - mn) + 4)
    return (h + 180) % 360 - 180


class Rng:
    def __init__(self, seed):
        self.g = np.random.default_rng(seed)

    def u(self, a, b):
        return float(self.g.uniform(a, b))

    def p(self, q):
        return bool(self.g.random() < q)

    def pick(self, lst, w=None):
        if w is None:
            return lst[int(self.g.integers(len(lst)))]
        w = np.asarray(w, dtype=float)
        return lst[int(self.g.choice(len(lst), p=w / w.sum()))]

    def n(self, s=1.0):
        return float(self.g.normal(0, s))


# ---- the ink: dye diffusing into the fibres, dyed fibres a rough surface --------------------------

LAMP_DEG = 45.0


def oren_nayar(sigma):
    """Oren-Nayar's reflectance of a rough diffuse surface (facet slope sigma, rad) relative to a
    Lambertian one under the fax scanner's 45°/0° geometry (view along the normal: the B term
    vanishes, only A stays)."""
    s2 = sigma * sigma
    return 1.0 - 0.5 * s2 / (s2 + 0.33)


def ink_rho(rng, white, passed, hue_target, strongest, on):
    """Dyed-fibre albedo per channel (relative to the paper) so that a full film (f = 1) passes
    `passed` of the paper's light in the strongest channel and shows the hue drawn."""
    rho = np.zeros(3)
    rho[0] = rng.u(0.88, 0.97) / on
    rho[strongest] = passed / on
    other = 3 - strongest  # 1 <-> 2

    def hue_for(x):
        rr = rho.copy()
        rr[other] = x
        return hue_deg(white * rr * on)

    lo, hi = passed / on, min(rho[0], 1.0 / on)
    # the other channel between the strongest and red: hue moves monotonically
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        h = hue_for(mid)
        # green larger -> hue towards orange (+); blue larger -> towards purple (-)
        if (other == 1 and h < hue_target) or (other == 2 and h > hue_target):
            lo = mid
        else:
            hi = mid
    rho[other] = 0.5 * (lo + hi)
    return rho


def film_hue(white, rho, on, f):
    return hue_deg(white * ((1 - f) + f * rho * on))


# ---- the sheet ------------------------------------------------------------------------------------

def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    os.makedirs(outdir, exist_ok=True)
    rng = Rng(seed)
    tex = Rng(seed * 7 + 13)  # textures and noise: a second generator
    dejima = set(TTFont(DEJIMA).getBestCmap())
    klee = set(TTFont(KLEE).getBestCmap())
    check_words(dejima, klee)

    dpi = int(rng.pick([150, 200, 300, 400, 600], [10, 18, 52, 12, 8]))
    if os.environ.get("SEAL_SHEET_DPI"):
        dpi = int(os.environ["SEAL_SHEET_DPI"])
    fax_dpi = {150: 200, 200: 200, 300: 300, 400: 400, 600: 300}.get(dpi, 300)
    g = 10.0 if fax_dpi <= 200 else (12.0 if fax_dpi <= 300 else 14.0)  # render px per mm
    PW, PH = 210.0, 297.0
    W, H = int(round(PW * g)), int(round(PH * g))

    # ---- words
    firm = rng.pick(PLACES) + rng.pick(CORES) + rng.pick(TRADES) + rng.pick(["有限公司", "有限公司", "股份有限公司"])
    sur = rng.pick(SURNAMES)
    giv = rng.pick(GIVEN)
    while len(sur + giv) > 3:
        giv = rng.pick(GIVEN)
    person = sur + giv
    legal_text = (person + "之印") if len(person) == 2 else (person + "印")

    # ---- layout (snca-nmg seal-collection, 附件3): three titled tables of three 58-mm boxes
    line_mm = rng.u(0.2, 0.4)
    x_left = (PW - 174.0) / 2 + rng.u(-1.5, 1.5)
    y = rng.u(16, 22)
    blocks = []
    titles = ["公章采集表", "法人署名采集表", "法人印章采集表"]
    notes = ["請在下表方格内居中押印三回、不要圧線、保持頁面清潔",
             "請在下表方格内居中署名三回、不要圧線、保持頁面清潔",
             "請在下表方格内居中押印三回、不要圧線、保持頁面清潔"]
    kinds = ["official_seal", "signature", "legal_rep_seal"]
    heights = [52.0, 35.0, 40.0]
    caps = ["印章", "署名", "印章"]
    texts = []  # (string, x_mm, y_mm top, height_mm, align)
    texts.append(("附件三", x_left, y - 8, 4.2, "left"))
    for t in range(3):
        texts.append((titles[t], PW / 2, y + 2, 5.6, "center"))
        texts.append((notes[t], PW / 2, y + 9.5, 3.4, "center"))
        ty = y + 15.5
        bh = heights[t]
        blocks.append((ty, bh))
        for c in range(3):
            texts.append((caps[t] + NUMS[c], x_left + 58 * c + 29, ty + bh + 2.2, 3.6, "center"))
        y = ty + bh + 8 + rng.u(3, 6)
    texts.append(("受理人　　　　　　日期　　年　月　日", x_left + 4, y + 4, 3.6, "left"))

    # ---- per box plans
    boxes = []
    for t in range(3):
        ty, bh = blocks[t]
        for c in range(3):
            bx0 = x_left + 58 * c
            inner = (bx0 + line_mm / 2, ty + line_mm / 2, bx0 + 58 - line_mm / 2, ty + bh - line_mm / 2)
            boxes.append(dict(row=t, col=c, kind=kinds[t], inner=inner, outer=(bx0, ty, bx0 + 58, ty + bh)))

    def plan_seal(b):
        d = set()
        if rng.p(0.08):
            b["empty"] = True
            if rng.p(0.12):
                d.add("bg_not_white")
            return d
        b["empty"] = False
        if rng.p(0.72):
            names = ["double", "smudged", "broken", "pale", "off_color", "tilted", "overlap_line", "bg_not_white", "text_under"]
            d.add(rng.pick(names, [13, 13, 13, 12, 11, 13, 11, 8, 9]))
            if rng.p(0.3):
                extra = rng.pick(["tilted", "bg_not_white", "text_under", "overlap_line", "double", "pale"])
                clash = ({"double", "smudged"}, {"double", "broken"}, {"pale", "off_color"})
                if not any(extra in cset and (cset - {extra}) & d for cset in clash):
                    d.add(extra)
        return d

    def plan_sig(b):
        d = set()
        if rng.p(0.06):
            b["empty"] = True
            return d
        b["empty"] = False
        if rng.p(0.12):
            d.add("overlap_line")
        if rng.p(0.08):
            d.add("bg_not_white")
        if rng.p(0.09):
            d.add("pale")
        return d

    for b in boxes:
        b["plan"] = plan_sig(b) if b["kind"] == "signature" else plan_seal(b)

    # print under a seal: the word is part of the form's master
    for b in boxes:
        if "text_under" in b["plan"]:
            x0, y0, x1, y1 = b["inner"]
            word = rng.pick(UNDER_WORDS)
            hmm = rng.u(3.8, 5.0)
            ux = (x0 + x1) / 2 + rng.u(-6, 6)
            uy = (y0 + y1) / 2 + (y1 - y0) * rng.u(0.1, 0.2)
            b["under"] = dict(word=word, x=ux, y=uy, h=hmm)
            texts.append((word, ux, uy - hmm / 2, hmm, "center"))

    tinted = rng.p(0.05)

    with tempfile.TemporaryDirectory(prefix="colorfax") as tmp:
        # ---- glyphs: one vips text call per face
        seal_chars = sorted(set(firm + legal_text))
        dj_lines = seal_chars + sorted(set(s for s, *_ in texts))
        dj_lines = list(dict.fromkeys(dj_lines))
        for s in dj_lines:
            for ch in s:
                if ch != "　" and ord(ch) not in dejima:
                    raise SystemExit(f"colorfax: Dejima lacks {ch}")
        gl = atlas(tmp, DEJIMA, "Dejima", dj_lines, 120)
        kl = atlas(tmp, KLEE, "Klee One SemiBold", sorted(set(person)), 120)

        # ---- seal geometry: one canvas, 4x supersampled, drawn by vips
        ss = 4
        dia = rng.u(38.5, 44.5)
        ring = rng.u(1.0, 1.5)
        if rng.p(0.62):
            lw = lh = rng.u(15.5, 21.5)
        else:
            lw = rng.u(19.5, 22.5)
            lh = lw / rng.u(1.15, 1.3)
            if rng.p(0.5):
                lw, lh = lh, lw
        frame = rng.u(0.6, 1.1)
        yin = rng.p(0.2)
        fs = int(math.ceil((dia + 1) * g))  # 公章 face canvas (render px)
        ls_w, ls_h = int(math.ceil((lw + 1) * g)), int(math.ceil((lh + 1) * g))
        CW = (fs + ls_w + fs) * ss
        CH = max(fs, ls_h) * ss
        geo = os.path.join(tmp, "geo.v")
        vips("black", geo, CW, CH)
        cx, cy, R = fs * ss / 2, fs * ss / 2, dia / 2 * g * ss
        vips("draw_circle", geo, 255, int(round(cx)), int(round(cy)), int(round(R)), "--fill")
        vips("draw_circle", geo, 0, int(round(cx)), int(round(cy)), int(round(R - ring * g * ss)), "--fill")
        lx0 = fs * ss + (ls_w * ss - lw * g * ss) / 2
        ly0 = (ls_h * ss - lh * g * ss) / 2
        vips("draw_rect", geo, 255, int(round(lx0)), int(round(ly0)), int(round(lw * g * ss)), int(round(lh * g * ss)), "--fill")
        if not yin:
            fp = frame * g * ss
            vips("draw_rect", geo, 0, int(round(lx0 + fp)), int(round(ly0 + fp)),
                 int(round(lw * g * ss - 2 * fp)), int(round(lh * g * ss - 2 * fp)), "--fill")
        # the star: its outline by draw_line, filled by draw_flood, in the third cell
        sr = rng.u(0.28, 0.33) * dia / 2 * g * ss
        scx, scy = (fs + ls_w) * ss + fs * ss / 2, fs * ss / 2
        pts = []
        for k in range(10):
            rr = sr if k % 2 == 0 else sr * 0.382
            a = -math.pi / 2 + k * math.pi / 5
            pts.append((int(round(scx + rr * math.cos(a))), int(round(scy + rr * math.sin(a)))))
        for k in range(10):
            (xa, ya), (xb, yb) = pts[k], pts[(k + 1) % 10]
            vips("draw_line", geo, 255, xa, ya, xb, yb)
        vips("draw_flood", geo, 255, int(scx), int(scy))
        small = os.path.join(tmp, "geo.pgm")
        vips("shrink", geo, small, ss, ss)
        geom = np.asarray(Image.open(small), dtype=np.float32) / 255.0

        # ---- 公章 face
        face_o = geom[:fs, :fs].copy()
        star = geom[:fs, fs + ls_w:fs + ls_w + fs]
        face_o = np.maximum(face_o, star)
        chars = list(firm)
        span = math.radians(rng.u(205, 250))
        gh = rng.u(0.15, 0.18) * dia
        rmid = dia / 2 - ring - 0.9 - gh / 2
        step = span / max(len(chars) - 1, 1)
        gw = min(gh * rng.u(0.62, 0.8), 0.82 * step * rmid)
        for i, ch in enumerate(chars):
            a = -math.pi / 2 - span / 2 + i * step
            px = fs / 2 + rmid * g * math.cos(a)
            py = fs / 2 + rmid * g * math.sin(a)
            place(face_o, gl[ch], px, py, gw * g, gh * g, ang=a + math.pi / 2)

        # ---- 法人章 face
        face_l = geom[:ls_h, fs:fs + ls_w].copy()
        inset = frame + 0.5
        cw_mm, ch_mm = (lw - 2 * inset) / 2, (lh - 2 * inset) / 2
        order = [legal_text[0], legal_text[1], legal_text[2], legal_text[3]]
        cells = [(1, 0), (1, 1), (0, 0), (0, 1)]  # right column top-down, then left column
        for chh, (ccol, crow) in zip(order, cells):
            gx = (ls_w - lw * g) / 2 + (inset + cw_mm * (ccol + 0.5)) * g
            gy = (ls_h - lh * g) / 2 + (inset + ch_mm * (crow + 0.5)) * g
            place(face_l, gl[chh], gx, gy, cw_mm * 0.9 * g, ch_mm * 0.9 * g, mode="max" if not yin else "cut")

    sig_glyphs = kl
    sig_cell = rng.u(9.0, 12.5)
    sig_adv = rng.u(0.78, 0.92)
    sig_slant = math.tan(math.radians(rng.u(6, 15)))
    pen = rng.pick(["blue", "black", "blueblack"], [50, 30, 20])

    # ---- paper: laid paper (laid lines, chain lines), formation, white
    white = np.array([0.86, 0.875, 0.885]) * rng.u(0.98, 1.02)
    white *= np.array([tex.u(0.99, 1.01), 1.0, tex.u(0.99, 1.03)])
    laid_p = tex.u(0.85, 1.15)  # mm
    chain_p = tex.u(24, 27)
    ys = (np.arange(H) + 0.5) / g
    xs = (np.arange(W) + 0.5) / g
    laid = 1 + tex.u(0.003, 0.007) * np.sin(2 * np.pi * ys / laid_p + tex.u(0, 6)).astype(np.float32)
    chain_d = np.abs(((xs - tex.u(0, chain_p)) % chain_p) - chain_p / 2) - chain_p / 2
    chain = 1 + tex.u(0.004, 0.01) * np.exp(-(chain_d / 0.5) ** 2).astype(np.float32)
    coarse = tex.g.normal(0, 1, (int(PH) + 8, int(PW) + 8)).astype(np.float32)
    coarse = ndi.gaussian_filter(coarse, tex.u(1.5, 3))
    coarse /= coarse.std() + 1e-9
    form_f = ndi.zoom(coarse, g, order=1)[:H, :W]
    paper = (laid[:, None] * chain[None, :]).astype(np.float32) * (1 + tex.u(0.003, 0.007) * form_f)
    P = np.empty((H, W, 3), np.float32)
    for k in range(3):
        P[:, :, k] = paper * white[k]
    tint_info = None
    if tinted:
        tname = rng.pick(["yellow", "pink", "blue", "green"])
        od = rng.u(0.12, 0.28)
        ratio = {"yellow": (0.1, 0.3, 1.0), "pink": (0.05, 1.0, 0.5), "blue": (1.0, 0.45, 0.1), "green": (0.9, 0.3, 0.8)}[tname]
        for k in range(3):
            P[:, :, k] *= 10 ** (-od * ratio[k])
        tint_info = dict(tint=tname, od=round(od, 3))
        for b in boxes:
            b["plan"].add("bg_not_white")

    # stains: a tea ring (coffee-ring effect: a denser rim)
    for b in boxes:
        if "bg_not_white" in b["plan"] and not tinted:
            x0, y0, x1, y1 = b["inner"]
            ecx, ecy = (x0 + x1) / 2 + rng.u(-4, 4), (y0 + y1) / 2 + rng.u(-3, 3)
            ax, ay = (x1 - x0) * rng.u(0.3, 0.42), (y1 - y0) * rng.u(0.32, 0.44)
            od = rng.u(0.16, 0.28)
            X0, X1, Y0, Y1 = int(x0 * g), int(x1 * g), int(y0 * g), int(y1 * g)
            yy, xx = np.mgrid[Y0:Y1, X0:X1].astype(np.float32)
            ang = np.arctan2((yy + 0.5) / g - ecy, (xx + 0.5) / g - ecx)
            wav = 1 + 0.06 * np.sin(3 * ang + rng.u(0, 6)) + 0.04 * np.sin(5 * ang + rng.u(0, 6))
            rr = np.hypot(((xx + 0.5) / g - ecx) / ax, ((yy + 0.5) / g - ecy) / ay) / wav
            inside = np.clip((1 - rr) * 12, 0, 1)
            rim = np.exp(-((rr - 0.97) / 0.05) ** 2)
            odm = od * (0.75 * inside + 0.8 * rim)
            for k, ratio in enumerate((0.3, 0.6, 1.0)):
                P[Y0:Y1, X0:X1, k] *= 10 ** (-odm * ratio)
            b["stain"] = dict(kind="tea_ring", od_max=round(od * 1.55, 3), axes_mm=[round(2 * ax, 1), round(2 * ay, 1)])

    # ---- the form: risograph master burnt at 300 dpi, ink through the drum's mesh
    m = 300 / 25.4
    MW, MH = int(PW * m), int(PH * m)
    master = np.zeros((MH, MW), np.float32)

    def mrect(x0, y0, x1, y1):
        master[int(round(y0 * m)):max(int(round(y1 * m)), int(round(y0 * m)) + 1),
               int(round(x0 * m)):max(int(round(x1 * m)), int(round(x0 * m)) + 1)] = 1.0

    for t in range(3):
        ty, bh = blocks[t]
        for c in range(4):
            xx0 = x_left + 58 * c
            mrect(xx0 - line_mm / 2, ty - line_mm / 2, xx0 + line_mm / 2, ty + bh + 8 + line_mm / 2)
        for yy_ in (ty, ty + bh, ty + bh + 8):
            mrect(x_left - line_mm / 2, yy_ - line_mm / 2, x_left + 174 + line_mm / 2, yy_ + line_mm / 2)
    for s, tx, ty_, th, al in texts:
        src = gl[s]
        hpx = th * m
        wpx = src.shape[1] * hpx / src.shape[0]
        cxp = tx * m + (wpx / 2 if al == "left" else 0)
        place(master, src, cxp, ty_ * m + hpx / 2, wpx, hpx)
    master = (master >= 0.5).astype(np.float32)  # the thermal head burns holes or not
    # to the render grid (nearest), the ink spreading under the drum's pressure
    iy = np.minimum(((np.arange(H) + 0.5) / g * m).astype(int), MH - 1)
    ix = np.minimum(((np.arange(W) + 0.5) / g * m).astype(int), MW - 1)
    ink = master[iy][:, ix]
    ink = ndi.gaussian_filter(ink, tex.u(0.035, 0.06) * g)
    mesh_p = tex.u(0.11, 0.16) * g
    mesh = 1 - 0.12 * (0.5 + 0.5 * np.cos(2 * np.pi * np.arange(W) / mesh_p))[None, :] * (0.5 + 0.5 * np.cos(2 * np.pi * np.arange(H) / mesh_p))[:, None]
    drum = 1 - tex.u(0.05, 0.15) * (np.arange(W)[None, :] / W) - tex.u(0.0, 0.06) * np.sin(np.pi * np.arange(H)[:, None] / H * tex.u(1, 3)) ** 2
    fib = ndi.gaussian_filter(tex.g.normal(0, 1, (H // 4 + 1, W // 4 + 1)).astype(np.float32), (0.4, 2.5))
    fib = ndi.zoom(fib, 4, order=1)[:H, :W]
    fib = np.clip(1 - 0.35 * np.clip(fib / (fib.std() + 1e-9) - 1.6, 0, None), 0.3, 1)  # the master's tissue fibres
    riso_f = np.clip(ink * 0.96 * mesh * drum * fib, 0, 1).astype(np.float32)
    riso_rho = np.array([0.085, 0.08, 0.075]) * rng.u(0.9, 1.15)
    for k in range(3):
        P[:, :, k] *= 1 - riso_f + riso_f * riso_rho[k]
    del ink, mesh, drum, fib, master

    # ---- impressions
    on_sigma = rng.u(0.25, 0.45)
    ON = oren_nayar(on_sigma)
    md_ang = rng.u(-0.15, 0.15)  # the machine direction, near vertical (rad)
    impressions = []  # per box: (y0, x0, cov, load)

    def reach(cov, y0, x0, inner):
        ys_, xs_ = np.nonzero(cov >= 0.5)
        if len(ys_) == 0:
            return -99.0
        ymm0, ymm1 = (y0 + ys_.min()) / g, (y0 + ys_.max() + 1) / g
        xmm0, xmm1 = (x0 + xs_.min()) / g, (x0 + xs_.max() + 1) / g
        return max(inner[0] - xmm0, xmm1 - inner[2], inner[1] - ymm0, ymm1 - inner[3])

    for b in boxes:
        if b["empty"]:
            b["defects"] = sorted(b["plan"] & {"bg_not_white"}) + ["empty"]
            b["border"] = []
            continue
        plan = b["plan"]
        x0, y0, x1, y1 = b["inner"]
        bcx, bcy = (x0 + x1) / 2, (y0 + y1) / 2
        kind = b["kind"]
        info = {}
        if kind == "signature":
            name = person
            adv = sig_cell * sig_adv * rng.u(0.94, 1.06)
            hw = adv * len(name) / 2 + 2
            hh = sig_cell / 2 + 2
        elif kind == "official_seal":
            hw = hh = dia / 2
        else:
            hw, hh = lw / 2, lh / 2
        tilt = rng.u(12, 28) * (1 if rng.p(0.5) else -1) if "tilted" in plan else rng.u(-2, 2)
        if kind == "signature":
            tilt = rng.u(-2, 2)
        t = math.radians(tilt)
        ehw = abs(hw * math.cos(t)) + abs(hh * math.sin(t))
        ehh = abs(hw * math.sin(t)) + abs(hh * math.cos(t))
        if kind == "signature":
            ehw, ehh = hw - 2, hh - 2
        room_x = max((x1 - x0) / 2 - ehw - 0.8, 0)
        room_y = max((y1 - y0) / 2 - ehh - 0.8, 0)
        cx_mm = bcx + rng.u(-min(2, room_x), min(2, room_x))
        cy_mm = bcy + rng.u(-min(2, room_y), min(2, room_y))
        if "text_under" in plan:
            u = b["under"]
            cx_mm = min(max(u["x"], bcx - room_x), bcx + room_x)
            cy_mm = min(max(u["y"], bcy - room_y), bcy + room_y)
        if "overlap_line" in plan:
            push = rng.u(1.2, 3.0)
            side = rng.pick(["left", "right"]) if kind == "signature" else rng.pick(["left", "right", "top", "bottom"])
            if side == "left":
                cx_mm = x0 + ehw - push
            elif side == "right":
                cx_mm = x1 - ehw + push
            elif side == "top":
                cy_mm = y0 + ehh - push
            else:
                cy_mm = y1 - ehh + push
            info["push_mm"], info["push_side"] = round(push, 2), side
        # the face on a window in render px
        M = int(math.ceil((max(ehw, ehh) + 5) * g))
        wx0, wy0 = int(cx_mm * g) - M, int(cy_mm * g) - M
        cov = np.zeros((2 * M, 2 * M), np.float32)
        ccx, ccy = cx_mm * g - wx0, cy_mm * g - wy0
        if kind == "official_seal":
            place(cov, face_o, ccx, ccy, face_o.shape[1], face_o.shape[0], ang=t)
        elif kind == "legal_rep_seal":
            place(cov, face_l, ccx, ccy, face_l.shape[1], face_l.shape[0], ang=t)
        else:
            sc = rng.u(0.94, 1.06)
            n = len(person)
            for i, chh in enumerate(person):
                src = sig_glyphs[chh]
                gh_ = sig_cell * sc * rng.u(0.9, 1.05)
                gw_ = gh_ * src.shape[1] / src.shape[0]
                ox = (i - (n - 1) / 2) * adv * sc
                oy = rng.u(-0.8, 0.8) + ox * rng.u(-0.05, 0.02)
                place(cov, src, ccx + (ox * math.cos(t) - oy * math.sin(t)) * g,
                      ccy + (ox * math.sin(t) + oy * math.cos(t)) * g, gw_ * g, gh_ * g,
                      ang=t + rng.u(-0.04, 0.04), shear=sig_slant)
        load = cov.copy()
        # pad mottle (only thinning) and the hand's plane
        mott = ndi.zoom(tex.g.normal(0, 1, (2 * M // 8 + 2, 2 * M // 8 + 2)).astype(np.float32), 8, order=1)[:2 * M, :2 * M]
        mott = ndi.gaussian_filter(mott, 0.8 * g)
        mott = 1 - tex.u(0.04, 0.12) * np.clip((mott - mott.min()) / (np.ptp(mott) + 1e-9), 0, 1)
        pa = rng.u(0, 2 * np.pi)
        yy, xx = np.mgrid[0:2 * M, 0:2 * M].astype(np.float32)
        plane = 1 - rng.u(0, 0.08) * np.clip(0.5 + 0.5 * ((xx - M) * math.cos(pa) + (yy - M) * math.sin(pa)) / M, 0, 1)
        load *= mott * plane
        mask = cov >= 0.5
        if "double" in plan:
            off = rng.u(0.8, 2.4)
            oa = rng.u(0, 2 * np.pi)
            cov2 = np.zeros_like(cov)
            face = face_o if kind == "official_seal" else face_l
            place(cov2, face, ccx + off * g * math.cos(oa), ccy + off * g * math.sin(oa), face.shape[1], face.shape[0],
                  ang=t + math.radians(rng.u(-1.5, 1.5)))
            load = load + rng.u(0.5, 0.9) * cov2 * mott
            mask = mask | (cov2 >= 0.5)
            info["double_offset_mm"] = round(off, 2)
            cov = np.maximum(cov, cov2)
        if "smudged" in plan:
            L = rng.u(0.8, 1.3)
            sa = rng.u(0, 2 * np.pi)
            steps = max(int(L * g * 2), 2)
            keep = rng.u(0.5, 0.65)
            wend = rng.u(0.25, 0.45)
            acc = np.zeros_like(load)
            wsum = 0.0
            covmax = cov.copy()
            for k in range(1, steps + 1):
                f_ = k / steps
                w_ = 1 - (1 - wend) * f_
                sh = (f_ * L * g * math.sin(sa), f_ * L * g * math.cos(sa))
                acc += w_ * ndi.shift(load, sh, order=1)
                np.maximum(covmax, ndi.shift(cov, sh, order=1), out=covmax)
                wsum += w_
            load = keep * load + (1 - keep) * acc / wsum * 1.0
            cov = covmax
            mask = cov >= 0.5
            info["smear_mm"], info["smear_deg"] = round(L, 2), round(math.degrees(sa), 1)
        uncut_reach = reach(cov, wy0, wx0, b["inner"])
        if "broken" in plan:
            ba = rng.u(0, 2 * np.pi)
            noise = ndi.gaussian_filter(tex.g.normal(0, 1, cov.shape).astype(np.float32), 0.3 * g)
            noise /= noise.std() + 1e-9
            s_ = ((xx - ccx) * math.cos(ba) + (yy - ccy) * math.sin(ba)) / g + 0.6 * noise
            lost = rng.u(0.18, 0.3)
            q = np.quantile(s_[mask], 1 - lost)
            fade = rng.u(0.3, 0.7)
            keepf = np.clip((q - s_) / fade + 0.5, 0, 1)
            load *= keepf
            cov = cov * (keepf >= 0.5)
            mask = mask & (keepf >= 0.5)
            info["lost"] = round(lost, 3)
        # the dye diffusing into the fibres along the machine direction
        sa_ = rng.u(0.05, 0.09) * g
        sc_ = rng.u(0.02, 0.04) * g
        dif = ndi.gaussian_filter(load, (sa_, sc_)) if abs(md_ang) < 0.01 else ndi.gaussian_filter(
            ndi.rotate(load, math.degrees(md_ang), reshape=False, order=1), (sa_, sc_))
        if abs(md_ang) >= 0.01:
            dif = ndi.rotate(dif, -math.degrees(md_ang), reshape=False, order=1)
        dif = np.maximum(dif, 0)
        # colour
        pale = "pale" in plan
        if kind == "signature":
            passed = rng.u(0.35, 0.6) if pale else rng.u(0.06, 0.16)
            base = {"blue": (0.15, 0.3, 0.8), "black": (0.08, 0.08, 0.1), "blueblack": (0.1, 0.16, 0.4)}[pen]
            strongest = int(np.argmin(base))
            rho = np.array(base) / base[strongest] * passed / ON
            rho = np.minimum(rho, 1.0 / ON)
            info["pen"] = pen
            fcore = 1.0
        else:
            off = "off_color" in plan
            if off:
                way = rng.pick(["orange", "purple"])
                target = rng.u(22, 34) * (1 if way == "orange" else -1)
                strongest = 2 if way == "orange" else 1
                info["off_way"] = way
            else:
                target = rng.u(-3, 3)
                strongest = 1 if target < 0 else 2
            passed = rng.u(0.32, 0.6) if pale else rng.u(0.05, 0.13)
            rho = ink_rho(rng, white, passed, target, strongest, ON)
            hues = [film_hue(white, rho, ON, fr) for fr in (0.5, 0.8, 1.0)]
            info["hue_deg"] = round(film_hue(white, rho, ON, 1.0), 1)
            if off and min(abs(h) for h in hues) < 13.8:
                b.setdefault("border_extra", []).append("off_color")
            if not off and max(abs(h) for h in hues) > 10.2:
                b.setdefault("border_extra", []).append("off_color")
            fcore = 1.0
        info["passed"] = round(passed, 3)
        fdy = np.clip(dif * fcore, 0, 1)
        layer = [1 - fdy + fdy * rho[k] * ON for k in range(3)]
        Y0, X0 = wy0, wx0
        ya, yb = max(Y0, 0), min(Y0 + 2 * M, H)
        xa, xb = max(X0, 0), min(X0 + 2 * M, W)
        for k in range(3):
            P[ya:yb, xa:xb, k] *= layer[k][ya - Y0:yb - Y0, xa - X0:xb - X0]
        # the strongest point of the impression (linear light, against the paper) decides `pale`
        strong = float(layer[strongest][mask].min()) if mask.any() else 1.0
        info["passed_min"] = round(strong, 3)
        lim = 0.25 if kind == "signature" else 0.2
        if pale and strong < lim * 1.15:
            b.setdefault("border_extra", []).append("pale")
        if not pale and strong > lim * 0.85:
            b.setdefault("border_extra", []).append("pale")
        covm = np.where(mask, np.maximum(cov, 0.5), 0).astype(np.float32)
        impressions.append(b)
        b["win"] = (wy0, wx0, covm)
        b["info"] = info
        b["tilt"] = tilt
        # labels from the ink
        d = set(plan) - {"overlap_line", "text_under"}
        border = list(b.get("border_extra", []))
        if kind == "signature":
            d.discard("tilted")
        r_ = reach(covm, wy0, wx0, b["inner"])
        info["reach_mm"] = round(r_, 2)
        if r_ > 0.3:
            d.add("overlap_line")
        elif r_ >= -0.3:
            border.append("overlap_line")
        elif "broken" in plan and uncut_reach >= -0.3:
            border.append("overlap_line")
        if "text_under" in plan:
            u = b["under"]
            if kind == "official_seal":
                inside = math.hypot(u["x"] - cx_mm, u["y"] - cy_mm) <= dia / 2 - 2
            else:
                lx = (u["x"] - cx_mm) * math.cos(t) + (u["y"] - cy_mm) * math.sin(t)
                ly = -(u["x"] - cx_mm) * math.sin(t) + (u["y"] - cy_mm) * math.cos(t)
                inside = abs(lx) <= lw / 2 - 1 and abs(ly) <= lh / 2 - 1
            if inside:
                d.add("text_under")
            else:
                border.append("text_under")
            info["under"] = u["word"]
        for lab in border:
            d.discard(lab)
        b["defects"] = sorted(d)
        b["border"] = sorted(set(border))
        info["cx_mm"], info["cy_mm"] = round(cx_mm, 2), round(cy_mm, 2)

    # ---- capture: a colour fax's scanner, T.42 CIELAB JPEG, the fax server's export
    f_pm = fax_dpi / 25.4
    scan_w = 215.0
    scan_h = PH + 3.0
    SW, SH = int(round(scan_w * f_pm)), int(round(scan_h * f_pm))
    skew = rng.n(0.35) if rng.p(0.6) else rng.u(0.4, 1.8) * (1 if rng.p(0.5) else -1)
    th = math.radians(skew)
    stretch = 1 + rng.u(-0.008, 0.008)  # the feed rollers' slip
    offx, offy = rng.u(-1.5, 1.5), rng.u(0.5, 2.0)
    pc = np.array([PW / 2, PH / 2])
    sc = np.array([scan_w / 2 + offx, PH / 2 + offy])
    cth, sth = math.cos(th), math.sin(th)

    def fwd(px, py):  # page mm -> scan mm
        dx, dy = px - pc[0], py - pc[1]
        rx, ry = cth * dx - sth * dy, sth * dx + cth * dy
        return rx + sc[0], ry * stretch + sc[1]

    def inv(sx, sy):  # scan mm -> page mm
        rx, ry = sx - sc[0], (sy - sc[1]) / stretch
        return cth * rx + sth * ry + pc[0], -sth * rx + cth * ry + pc[1]

    optic = rng.u(0.04, 0.07)
    sig = math.sqrt((0.42 * g / f_pm) ** 2 + (optic * g) ** 2)
    yy, xx = np.mgrid[0:SH, 0:SW].astype(np.float32)
    sxm, sym = (xx + 0.5) / f_pm, (yy + 0.5) / f_pm
    pxm, pym = inv(sxm, sym)
    del xx, yy, sxm, sym
    ri, rj = pym * g - 0.5, pxm * g - 0.5
    onpage = ((pxm >= 0) & (pxm <= PW) & (pym >= 0) & (pym <= PH)).astype(np.float32)
    onpage = ndi.gaussian_filter(onpage, 0.6)
    backing = np.array([0.8, 0.8, 0.78]) * rng.u(0.95, 1.02)
    scan = np.empty((SH, SW, 3), np.float32)
    for k in range(3):
        ch = ndi.gaussian_filter(P[:, :, k], sig)
        scan[:, :, k] = ndi.map_coordinates(ch, [ri, rj], order=1, mode="nearest") * onpage + backing[k] * (1 - onpage)
    del P, ri, rj, pxm, pym
    # the lamp (LED bar) and sensor: shading along the line, noise, 10 bits
    col = np.arange(SW, dtype=np.float32) / SW
    shade = 1 - rng.u(0.005, 0.02) * (2 * col - 1) ** 2
    scan *= shade[None, :, None]
    fw = rng.u(6000, 15000)
    scan += tex.g.normal(0, 1, scan.shape).astype(np.float32) * np.sqrt(np.clip(scan, 0, None) / fw)
    scan += tex.g.normal(0, rng.u(0.001, 0.003), scan.shape).astype(np.float32)
    scan = np.round(np.clip(scan, 0, 1) * 1023) / 1023
    # the fax's colour processing: white point, then CIELAB under D50 (T.42)
    wref = np.percentile(scan[::7, ::7, 1], 90)
    scan *= rng.u(0.9, 0.97) / max(wref, 1e-3)
    lin = np.clip(scan, 0, 1)
    M_rgb2xyz = np.array([[0.4360747, 0.3850649, 0.1430804], [0.2225045, 0.7168786, 0.0606169],
                          [0.0139322, 0.0971045, 0.7141733]], np.float32)  # sRGB to XYZ(D50), Bradford
    xyz = lin @ M_rgb2xyz.T
    wn = np.array([0.9642, 1.0, 0.8249], np.float32)
    fx = xyz / wn
    fx = np.where(fx > 0.008856, np.cbrt(fx), 7.787 * fx + 16 / 116)
    Lc = 116 * fx[:, :, 1] - 16
    ac = 500 * (fx[:, :, 0] - fx[:, :, 1])
    bc = 200 * (fx[:, :, 1] - fx[:, :, 2])
    del xyz, fx, lin, scan
    enc = np.stack([Lc * 255 / 100, ac * 255 / 170 + 128, (bc + 75) * 255 / 200], axis=2)
    enc = np.clip(np.round(enc), 0, 255).astype(np.uint8)
    del Lc, ac, bc
    q = int(rng.u(55, 82))
    jp = os.path.join(outdir, f".{index:03d}.t42.jpg")
    Image.frombytes("YCbCr", (SW, SH), enc.tobytes()).save(jp, quality=q, subsampling=2)
    im = Image.open(jp)
    im.draft("YCbCr", im.size)
    dec = np.asarray(im.convert("YCbCr") if im.mode != "YCbCr" else im, dtype=np.float32)
    os.remove(jp)
    # the fax server back to sRGB
    Ld = dec[:, :, 0] * 100 / 255
    ad = (dec[:, :, 1] - 128) * 170 / 255
    bd = dec[:, :, 2] * 200 / 255 - 75
    del dec
    fy = (Ld + 16) / 116
    fxx = fy + ad / 500
    fz = fy - bd / 200
    xyz = np.stack([fxx, fy, fz], axis=2)
    xyz = np.where(xyz > 0.206893, xyz ** 3, (xyz - 16 / 116) / 7.787) * wn
    rgb = xyz @ np.linalg.inv(M_rgb2xyz).T
    del xyz, Ld, ad, bd, fy, fxx, fz
    out8 = np.clip(np.round(srgb_enc(np.clip(rgb, 0, 1)) * 255), 0, 255).astype(np.uint8)
    del rgb
    img = Image.fromarray(out8, "RGB")
    OW, OH = int(round(scan_w * dpi / 25.4)), int(round(scan_h * dpi / 25.4))
    if dpi != fax_dpi:
        img = img.resize((OW, OH), Image.BICUBIC if dpi > fax_dpi else Image.LANCZOS)
    fmt = rng.pick(["png", "jpg", "tif"], [40, 40, 20])
    in_file = rng.p(0.8)
    name = f"{index:03d}.{fmt}"
    kw = {"dpi": (dpi, dpi)} if in_file else {}
    if fmt == "jpg":
        img.save(os.path.join(outdir, name), quality=int(rng.u(82, 95)), subsampling=rng.pick([2, 1, 0], [60, 25, 15]), **kw)
    elif fmt == "tif":
        img.save(os.path.join(outdir, name), compression=rng.pick(["tiff_lzw", "tiff_adobe_deflate"]), **kw)
    else:
        img.save(os.path.join(outdir, name), **kw)

    o_pm = dpi / 25.4
    (ax_, ay_), (bx_, by_) = fwd(40, PH / 2), fwd(170, PH / 2)
    skew_out = math.degrees(math.atan2(by_ - ay_, bx_ - ax_))

    # ---- truth
    tboxes = []
    for b in boxes:
        x0, y0, x1, y1 = b["inner"]
        cxs, cys = fwd((x0 + x1) / 2, (y0 + y1) / 2)
        e = dict(row=b["row"], col=b["col"], kind=b["kind"], empty=b["empty"],
                 defects=b["defects"], borderline=b["border"],
                 box_centre_px=[round(cxs * o_pm - 0.5, 1), round(cys * o_pm - 0.5, 1)])
        e["inner_mm"] = [round(x1 - x0, 2), round(y1 - y0, 2)]
        if "stain" in b:
            e["stain"] = b["stain"]
        if not b["empty"]:
            if b["kind"] == "official_seal":
                e["diameter_mm"] = round(dia, 2)
            elif b["kind"] == "legal_rep_seal":
                e["size_mm"] = [round(lw, 2), round(lh, 2)]
            wy0, wx0, covm = b["win"]
            n_ = covm.shape[0]
            corners = [fwd(wx0 / g, wy0 / g), fwd((wx0 + n_) / g, wy0 / g), fwd(wx0 / g, (wy0 + n_) / g), fwd((wx0 + n_) / g, (wy0 + n_) / g)]
            ox0 = max(int(min(c[0] for c in corners) * o_pm) - 1, 0)
            oy0 = max(int(min(c[1] for c in corners) * o_pm) - 1, 0)
            ox1 = min(int(max(c[0] for c in corners) * o_pm) + 2, OW)
            oy1 = min(int(max(c[1] for c in corners) * o_pm) + 2, OH)
            yy, xx = np.mgrid[oy0:oy1, ox0:ox1].astype(np.float32)
            pxm, pym = inv((xx + 0.5) / o_pm, (yy + 0.5) / o_pm)
            val = ndi.map_coordinates(covm, [pym * g - 0.5 - wy0, pxm * g - 0.5 - wx0], order=1, mode="constant", cval=0)
            mk = val >= 0.5
            ys_, xs_ = np.nonzero(mk)
            if len(ys_):
                mk = mk[ys_.min():ys_.max() + 1, xs_.min():xs_.max() + 1]
                mname = f"{index:03d}.r{b['row']}c{b['col']}.mask.png"
                Image.fromarray((mk * 255).astype(np.uint8), "L").save(os.path.join(outdir, mname))
                e["mask"] = mname
                e["mask_offset"] = [int(ox0 + xs_.min()), int(oy0 + ys_.min())]
            e["tilt_deg"] = round(b["tilt"], 2)
            e.update(b["info"])
        tboxes.append(e)
    truth = {"maker": "colorfax", "seed": seed, "dpi": dpi, "dpi_in_file": in_file,
             "skew_deg": round(skew_out, 3), "file": name, "boxes": tboxes,
             "layout": "snca-nmg seal-collection", "firm": firm, "person": person,
             "seal_face": "Dejima Mincho", "sign_face": "Klee One SemiBold", "legal_yin": yin,
             "line_mm": round(line_mm, 3), "render_px_per_mm": g, "fax_dpi": fax_dpi,
             "t42_quality": q, "oren_nayar_sigma": round(on_sigma, 3), "paper_tint": tint_info,
             "capture": dict(skew_deg=round(skew, 3), stretch=round(stretch, 4), optic_mm=round(optic, 3))}
    with open(os.path.join(outdir, f"{index:03d}.truth.json"), "w", encoding="utf-8") as fh:
        json.dump(truth, fh, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
