#!/usr/bin/python3
"""Sheet maker B ("print"): one collection sheet as an SVG page with real CJK text, printed to
PDF by librsvg (rsvg-convert, cairo) and rasterised by poppler (pdftoppm); the scan itself is
print/scan.py's. Writes NNN.<ext>, NNN.truth.json and one mask PNG per impression (truth.md).

Everything here is drawn from the labels' definitions and the printed rules of the forms
(正红、不歪、不变型、不压线、字迹清晰无缺损, white clean paper), in page millimetres:
a seal is text and a border set in a font, never pixels.

Usage: make_sheet.py SEED OUTDIR INDEX
"""

import json
import math
import os
import random
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scan  # noqa: E402

PAGE_W, PAGE_H = 210.0, 297.0
UNITS = ["北京华信科技有限公司", "上海东方贸易有限责任公司", "广州南粤建设工程有限公司", "杭州西湖数据服务有限公司",
         "成都天府电子商务有限公司", "武汉长江物流股份有限公司", "深圳前海金融信息服务有限公司", "南京紫金医药有限公司"]
PURPOSES = ["合同专用章", "财务专用章", "", "", "发票专用章"]
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨光明", "赵立新", "黄晓东", "周敏", "吴海峰"]
FONTS_SEAL = ["Noto Serif CJK SC", "Noto Sans CJK SC"]
LABELS = ["empty", "pale", "broken", "double", "smudged", "overlap_line", "tilted", "bg_not_white", "text_under",
          "off_color"]
SEAL_DEFECTS = ["pale", "broken", "double", "smudged", "overlap_line", "tilted", "bg_not_white", "text_under",
                "off_color", "empty"]
SIG_DEFECTS = ["pale", "overlap_line", "bg_not_white", "empty"]


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;")


def ink_colour(rng, kind, defects):
    """Ink as sRGB 0-255. 正红 within ±8° of red, off-colour 25-55° away; pale ink lets through
    at least 64 % of the light in its absorbing channel, a normal one at most 22 %."""
    if kind == "signature":
        base = rng.choice([(20, 24, 30), (18, 32, 110), (30, 40, 80)])
        if "pale" in defects:
            return tuple(int(255 - (255 - c) * rng.uniform(0.22, 0.36)) for c in base)
        return base
    hue = rng.uniform(-8, 8)
    if "off_color" in defects:
        hue = rng.choice([rng.uniform(-55, -25), rng.uniform(25, 45)])
    sat = rng.uniform(0.80, 0.95)
    val = rng.uniform(0.80, 0.95)
    if "pale" in defects:
        sat = rng.uniform(0.15, 0.30)
        val = rng.uniform(0.90, 0.98)
    h = (hue % 360) / 60.0
    i = int(h)
    f = h - i
    p, q, t = val * (1 - sat), val * (1 - sat * f), val * (1 - sat * (1 - f))
    r, g, b = [(val, t, p), (q, val, p), (p, val, t), (p, q, val), (t, p, val), (val, p, q)][i % 6]
    return (int(r * 255), int(g * 255), int(b * 255))


def arc_text(text, radius, font, size, start_deg, end_deg, top=True):
    """Characters one by one along an arc around (0,0), upright towards the centre (top) or
    away from it (bottom)."""
    out = []
    n = len(text)
    for k, ch in enumerate(text):
        a = start_deg + (end_deg - start_deg) * ((k + 0.5) / n)
        rad = math.radians(a)
        x, y = radius * math.sin(rad), -radius * math.cos(rad)
        rot = a if top else a + 180
        out.append(f'<text x="0" y="{0.38 * size:.3f}" transform="translate({x:.3f},{y:.3f}) rotate({rot:.2f})" '
                   f'font-family="{font}" font-weight="bold" font-size="{size:.2f}" text-anchor="middle" '
                   f'>{esc(ch)}</text>')
    return "".join(out)


def round_seal(rng, d):
    """A 公章: ring, five-pointed star, the unit's name along the top arc, the purpose across
    the bottom, sometimes the 13-digit code along the bottom arc. Drawn around (0,0) in fill
    `currentColor`."""
    r = d / 2
    ring = rng.uniform(1.0, 1.5)
    font = rng.choice(FONTS_SEAL)
    unit = rng.choice(UNITS)
    parts = [f'<circle cx="0" cy="0" r="{r - ring / 2:.3f}" fill="none" stroke="currentColor" stroke-width="{ring:.3f}"/>']
    rs = d * rng.uniform(0.15, 0.19)
    pts = []
    for k in range(10):
        a = math.radians(k * 36)
        rr = rs if k % 2 == 0 else rs * 0.382
        pts.append(f"{rr * math.sin(a):.3f},{-rr * math.cos(a):.3f}")
    parts.append(f'<polygon points="{" ".join(pts)}" fill="currentColor"/>')
    size = d * rng.uniform(0.12, 0.15)
    span = rng.uniform(230, 260)
    parts.append(arc_text(unit, r - ring - 0.8 - size / 2, font, size, -span / 2, span / 2))
    purpose = rng.choice(PURPOSES)
    if purpose:
        parts.append(f'<text x="0" y="{r * 0.52 + 0.38 * size * 0.8:.3f}" font-family="{font}" font-weight="bold" font-size="{size * 0.8:.2f}" '
                     f'text-anchor="middle">{purpose}</text>')
    if rng.random() < 0.6:
        code = "".join(str(rng.randrange(10)) for _ in range(13))
        cs = d * 0.055
        parts.append(arc_text(code, r - ring - 0.5 - cs / 2, "Noto Sans CJK SC", cs, 180 + 50, 180 - 50, top=False))
    return "".join(parts)


def square_seal(rng, w, h):
    """A 法人章: a frame and a name in 2×2 (or 1×2) characters; a quarter are 阴文 (white
    characters cut out of a red face)."""
    name = rng.choice(NAMES)
    chars = list(name + "之印") if len(name) == 2 else list(name + "印")
    font = "Noto Serif CJK SC"
    border = rng.uniform(0.7, 1.1)
    yin = rng.random() < 0.25
    cols = 2
    rows = (len(chars) + 1) // 2
    cw, ch = (w - 2 * border - 1.0) / cols, (h - 2 * border - 1.0) / rows
    size = min(cw, ch) * 0.9
    parts = []
    if yin:
        parts.append(f'<rect x="{-w / 2:.3f}" y="{-h / 2:.3f}" width="{w:.3f}" height="{h:.3f}" fill="currentColor"/>')
    else:
        parts.append(f'<rect x="{-w / 2 + border / 2:.3f}" y="{-h / 2 + border / 2:.3f}" width="{w - border:.3f}" '
                     f'height="{h - border:.3f}" fill="none" stroke="currentColor" stroke-width="{border:.3f}"/>')
    # Seal text reads right to left, top to bottom.
    for k, c in enumerate(chars):
        col = cols - 1 - k // rows
        row = k % rows
        x = -w / 2 + border + 0.5 + cw * (col + 0.5)
        y = -h / 2 + border + 0.5 + ch * (row + 0.5)
        fill = "#ffffff" if yin else "currentColor"
        parts.append(f'<text x="{x:.3f}" y="{y + 0.38 * size:.3f}" font-family="{font}" font-weight="bold" font-size="{size:.2f}" '
                     f'text-anchor="middle" fill="{fill}">{c}</text>')
    return "".join(parts), yin


def signature(rng):
    name = rng.choice(NAMES)
    size = rng.uniform(7, 10)
    skew = rng.uniform(-20, -5)
    width = rng.uniform(0.25, 0.5)
    flourish = (f'<path d="M {-size * 1.2:.2f},{size * 0.6:.2f} C {-size * 0.3:.2f},{size * 1.1:.2f} {size * 0.6:.2f},'
                f'{size * 0.1:.2f} {size * 1.6:.2f},{size * 0.7:.2f}" fill="none" stroke="currentColor" '
                f'stroke-width="{width * 1.4:.2f}" stroke-linecap="round"/>')
    return (f'<g transform="skewX({skew:.1f})"><text x="0" y="{0.38 * size:.2f}" font-family="Noto Sans CJK SC" font-size="{size:.2f}" '
            f'text-anchor="middle" stroke="currentColor" stroke-width="{width:.2f}">'
            f'{name}</text>{flourish}</g>')


def layout(rng):
    """Tables of boxes, one row each, a heading strip above every row (rows never share a
    line). Returns the rows as (kind, heading, [box rects in mm])."""
    variant = rng.choice(["collection", "application", "pairs"])
    line = rng.uniform(0.2, 0.55)
    rows = []
    y = rng.uniform(28, 40)
    x0 = rng.uniform(14, 20)
    width = PAGE_W - 2 * x0
    if variant == "collection":
        spec = [("official_seal", "公章", 56), ("signature", "法人签字", 34), ("legal_rep_seal", "法人签章", 40)]
        n = 3
    elif variant == "application":
        spec = [("official_seal", "单位公章", 52), ("official_seal", "合同专用章", 52), ("legal_rep_seal", "法定代表人章", 38),
                ("signature", "经办人签字", 32)]
        n = 3
    else:
        spec = [("official_seal", "印章样本", 62), ("official_seal", "印章样本（续）", 62), ("legal_rep_seal", "法人章样本", 42)]
        n = 2
    for kind, heading, h in spec:
        y += 10
        bw = width / n
        rows.append((kind, heading, [(x0 + k * bw, y, bw, h) for k in range(n)], (x0, y - 10)))
        y += h + rng.uniform(6, 10)
    return variant, line, rows


def make(seed, outdir, index):
    rng = random.Random(seed)
    dpi = rng.choice([150, 200, 300, 300, 300, 600])
    # A set's fixed resolution (the committed fixtures' 150 dpi) after the draw, so the sheet
    # is otherwise the one its seed makes.
    dpi = int(os.environ.get("SEAL_SHEET_DPI", dpi))
    variant, line, rows = layout(rng)
    tinted = rng.random() < 0.08
    paper = (rng.randint(196, 212), rng.randint(200, 214), rng.randint(170, 196)) if tinted else (255, 255, 255)
    page = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_W}mm" height="{PAGE_H}mm" viewBox="0 0 {PAGE_W} {PAGE_H}">',
            f'<rect width="{PAGE_W}" height="{PAGE_H}" fill="rgb{paper}"/>',
            f'<text x="{PAGE_W / 2}" y="20" font-family="Noto Sans CJK SC" font-size="6" text-anchor="middle">'
            f'{"电子印章申请表" if variant == "application" else "印章及签字采集表"}</text>']
    truth_ink = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_W}mm" height="{PAGE_H}mm" viewBox="0 0 {PAGE_W} {PAGE_H}">',
                 f'<rect width="{PAGE_W}" height="{PAGE_H}" fill="#000"/>']
    boxes = []
    ink_layer = []
    for ri, (kind, heading, rects, (hx, hy)) in enumerate(rows):
        x_end = rects[-1][0] + rects[-1][2]
        page.append(f'<rect x="{hx:.2f}" y="{hy:.2f}" width="{x_end - hx:.2f}" height="10" fill="none" stroke="#111" stroke-width="{line:.2f}"/>')
        page.append(f'<text x="{hx + 3:.2f}" y="{hy + 6.5:.2f}" font-family="Noto Sans CJK SC" font-size="4">{heading}</text>')
        for ci, (x, y, w, h) in enumerate(rects):
            page.append(f'<rect x="{x:.3f}" y="{y:.3f}" width="{w:.3f}" height="{h:.3f}" fill="none" stroke="#111" stroke-width="{line:.3f}"/>')
            cx, cy = x + w / 2, y + h / 2
            defects = []
            if rng.random() < 0.55:
                pool = SEAL_DEFECTS if kind != "signature" else SIG_DEFECTS
                defects = [rng.choice(pool)]
                if defects[0] != "empty" and rng.random() < 0.15:
                    extra = rng.choice(pool)
                    if extra not in defects and extra != "empty":
                        defects.append(extra)
            if tinted and "bg_not_white" not in defects:
                defects.append("bg_not_white")
            box = {"row": ri, "col": ci, "kind": kind, "box_mm": [x, y, w, h], "empty": "empty" in defects,
                   "defects": sorted(defects), "borderline": []}
            boxes.append(box)
            if "bg_not_white" in defects:
                sw, sh = w * rng.uniform(0.35, 0.6), h * rng.uniform(0.35, 0.6)
                sx, sy = x + rng.uniform(1, w - sw - 1), y + rng.uniform(1, h - sh - 1)
                tone = rng.choice(["#c8b48c", "#b9b9b0", "#d2b98c"])
                page.append(f'<ellipse cx="{sx + sw / 2:.2f}" cy="{sy + sh / 2:.2f}" rx="{sw / 2:.2f}" ry="{sh / 2:.2f}" fill="{tone}" opacity="{rng.uniform(0.55, 0.8):.2f}"/>')
            if box["empty"]:
                continue
            colour = ink_colour(rng, kind, defects)
            if kind == "official_seal":
                d = rng.uniform(38, 45)
                body = round_seal(rng, d)
                box["diameter_mm"] = round(d, 3)
                sx, sy = w, h
            elif kind == "legal_rep_seal":
                sw = rng.uniform(15, 24)
                sh = sw if rng.random() < 0.75 else sw / rng.uniform(1.05, 1.25)
                body, _ = square_seal(rng, sw, sh)
                box["size_mm"] = [round(sw, 3), round(sh, 3)]
                sx, sy = sw, sh
                d = max(sw, sh)
            else:
                body = signature(rng)
                d = 30
            if "text_under" in defects:
                page.append(f'<text x="{cx:.2f}" y="{cy + rng.uniform(-4, 4):.2f}" font-family="Noto Serif CJK SC" '
                            f'font-size="{rng.uniform(3.5, 5):.2f}" text-anchor="middle" fill="#151515">（单位盖章）年 月 日</text>')
            angle = rng.uniform(-3, 3)
            if "tilted" in defects:
                angle = rng.choice([-1, 1]) * rng.uniform(10, 35)
                if kind == "legal_rep_seal":
                    angle = rng.choice([-1, 1]) * rng.uniform(10, 40)
            if kind == "signature":
                angle = rng.uniform(-8, 8)
            px, py = cx + rng.uniform(-2, 2), cy + rng.uniform(-2, 2)
            if "overlap_line" in defects:
                side = rng.choice(["l", "r", "t", "b"])
                over = rng.uniform(1.0, 4.0)
                half = d / 2 if kind != "signature" else 16
                if kind == "signature":
                    half_y = 6
                else:
                    half_y = half
                if side == "l":
                    px = x + half - over
                elif side == "r":
                    px = x + w - half + over
                elif side == "t":
                    py = y + half_y - over
                else:
                    py = y + h - half_y + over
            box["centre_mm"] = [px, py]
            gid = f"s{ri}_{ci}"
            clip = ""
            defs = ""
            if "broken" in defects:
                # A cap of the impression lost to uneven pressure: a chord cut 12-30 % deep.
                depth = d * rng.uniform(0.12, 0.30)
                a = rng.uniform(0, 360)
                big = 4 * d
                defs = (f'<mask id="m{gid}" maskUnits="userSpaceOnUse" x="{-big}" y="{-big}" width="{2 * big}" height="{2 * big}">'
                        f'<rect x="{-big}" y="{-big}" width="{2 * big}" height="{2 * big}" fill="#fff"/>'
                        f'<rect x="{-big}" y="{d / 2 - depth:.3f}" width="{2 * big}" height="{big}" fill="#000" transform="rotate({a:.1f})"/></mask>')
                clip = f' mask="url(#m{gid})"'
            texture = ""
            if kind != "signature":
                defs += (f'<filter id="t{gid}" x="-10%" y="-10%" width="120%" height="120%"><feTurbulence type="fractalNoise" '
                         f'baseFrequency="{rng.uniform(0.15, 0.4):.2f}" numOctaves="2" seed="{rng.randrange(1000)}"/>'
                         f'<feColorMatrix type="matrix" values="0 0 0 0 0  0 0 0 0 0  0 0 0 0 0  0 0 0 -{rng.uniform(0.6, 1.1):.2f} 1.25"/>'
                         f'<feComposite in="SourceGraphic" operator="in"/></filter>')
                texture = f' filter="url(#t{gid})"'
            seal = f'<g{clip}>{body}</g>'
            place = f"translate({px:.3f},{py:.3f}) rotate({angle:.2f})"
            copies = [(0.0, 0.0, 1.0)]
            if "double" in defects:
                off = rng.uniform(0.6, 3.0)
                th = rng.uniform(0, 2 * math.pi)
                copies.append((off * math.cos(th), off * math.sin(th), rng.uniform(0.45, 1.0)))
                box["double_offset_mm"] = round(off, 3)
            if "smudged" in defects:
                length = rng.uniform(0.7, 1.6)
                th = rng.uniform(0, 2 * math.pi)
                n = rng.randint(12, 30)
                copies = [(length * k / (n - 1) * math.cos(th), length * k / (n - 1) * math.sin(th),
                           1.0 if k == 0 else 0.9 * (1 - 0.6 * k / n) / 3) for k in range(n)]
                box["smear_mm"] = round(length, 3)
            box["tilt_deg"] = round(angle, 2)
            if kind != "signature" and "overlap_line" not in defects:
                # 不压线 is about the ink, not about what the sheet meant to draw: a face that
                # reaches into the box's line (its place drawn at random, or a second pressing or
                # a smear beyond it) is over the line; within 0.3 mm of the line's edge it is
                # borderline, scored neither way; a lost cap may be the part that reached it.
                if kind == "official_seal":
                    # A round face reaches d/2 however it is turned.
                    ext_x = ext_y = d / 2
                else:
                    t = math.radians(angle)
                    ext_x = abs(sx / 2 * math.cos(t)) + abs(sy / 2 * math.sin(t))
                    ext_y = abs(sx / 2 * math.sin(t)) + abs(sy / 2 * math.cos(t))
                past = max(max((x + line / 2) - (px + dx - ext_x), (px + dx + ext_x) - (x + w - line / 2),
                               (y + line / 2) - (py + dy - ext_y), (py + dy + ext_y) - (y + h - line / 2))
                           for dx, dy, _ in copies)
                if past > 0.3 and "broken" not in defects:
                    defects.append("overlap_line")
                    box["defects"] = sorted(defects)
                elif past > -0.3:
                    box["borderline"].append("overlap_line")
            page.append(f"<defs>{defs}</defs>")
            truth_defs = defs.replace(f'filter id="t{gid}"', f'filter id="tt{gid}"')
            truth_ink.append(f"<defs>{truth_defs}</defs>")
            channel = ["#ff0000", "#00ff00", "#0000ff"][(ri + ci) % 3]
            for dx, dy, op in copies:
                ink_layer.append(f'<g transform="translate({dx:.3f},{dy:.3f}) {place}" color="rgb{colour}" fill="rgb{colour}" '
                                 f'opacity="{op:.3f}"{texture}>{seal}</g>')
                truth_ink.append(f'<g transform="translate({dx:.3f},{dy:.3f}) {place}" color="{channel}" fill="{channel}">'
                                 f'{seal}</g>')
            box["channel"] = (ri + ci) % 3
    page.extend(ink_layer)
    page.append("</svg>")
    truth_ink.append("</svg>")
    # The page's ink multiplies the paper (an impression is a glaze, not an opaque paint).
    svg = "\n".join(page).replace('<g transform="translate(', '<g style="mix-blend-mode:multiply" transform="translate(')
    # 阴文 white characters are the paper showing through: in the truth they are not ink.
    truth_svg = "\n".join(truth_ink).replace('fill="#ffffff"', 'fill="#000"')
    with tempfile.TemporaryDirectory() as tmp:
        rgb = render(svg, dpi, tmp, "page")
        ink = render(truth_svg, dpi, tmp, "ink")
    sheet = scan.Scanner(rng, dpi)
    scanned, to_scan = sheet.scan(rgb)
    ink_page = ink
    ink = sheet.geometry(ink)
    ext, data, dpi_in_file = sheet.encode(scanned)
    name = f"{index:03d}"
    with open(os.path.join(outdir, f"{name}.{ext}"), "wb") as f:
        f.write(data)
    ppmm = dpi / 25.4
    out_boxes = []
    for b in boxes:
        x, y, w, h = b.pop("box_mm")
        cx, cy = to_scan((x + w / 2) * ppmm, (y + h / 2) * ppmm)
        rec = {k: b[k] for k in ("row", "col", "kind", "empty", "defects", "borderline")}
        rec["box_centre_px"] = [round(cx, 2), round(cy, 2)]
        for k in ("diameter_mm", "size_mm", "tilt_deg", "double_offset_mm", "smear_mm"):
            if k in b:
                rec[k] = b[k]
        if b["kind"] == "signature" and not b["empty"]:
            # A signature's extent is its strokes', not a nominal width: whether the pen went
            # over the line is read from the ink as rendered (page pixels, before the scan).
            past = ink_past_line(ink_page[:, :, b["channel"]], x, y, w, h, line, ppmm)
            if past is not None:
                rec["defects"] = sorted(set(rec["defects"]) - {"overlap_line"} | ({"overlap_line"} if past > 0.3 else set()))
                rec["borderline"] = sorted(set(rec["borderline"]) - {"overlap_line"} | ({"overlap_line"} if -0.3 < past <= 0.3 else set()))
        if not b["empty"]:
            chan = ink[:, :, b["channel"]]
            # The box's own ink: within 6 mm of the box (a seal over the line reaches beyond it).
            corners = [to_scan(u * ppmm, v * ppmm) for u, v in ((x - 6, y - 6), (x + w + 6, y - 6), (x + w + 6, y + h + 6), (x - 6, y + h + 6))]
            x0 = max(0, int(min(c[0] for c in corners)))
            x1 = min(chan.shape[1], int(max(c[0] for c in corners)) + 1)
            y0 = max(0, int(min(c[1] for c in corners)))
            y1 = min(chan.shape[0], int(max(c[1] for c in corners)) + 1)
            m = chan[y0:y1, x0:x1] >= 128
            ys, xs = np.nonzero(m)
            if len(xs) == 0:
                rec["empty"] = True
            else:
                mx0, my0 = xs.min(), ys.min()
                crop = m[my0:ys.max() + 1, mx0:xs.max() + 1]
                mname = f"{name}.r{b['row']}c{b['col']}.mask.png"
                Image.fromarray((crop * 255).astype(np.uint8)).save(os.path.join(outdir, mname))
                rec["mask"] = mname
                rec["mask_offset"] = [int(x0 + mx0), int(y0 + my0)]
        out_boxes.append(rec)
    truth = {"maker": "print", "seed": seed, "dpi": dpi, "dpi_in_file": dpi_in_file, "skew_deg": round(-sheet.tilt, 3),
             "layout": variant, "file": f"{name}.{ext}", "boxes": out_boxes}
    with open(os.path.join(outdir, f"{name}.truth.json"), "w") as f:
        json.dump(truth, f, ensure_ascii=False, indent=1)


def ink_past_line(chan, x, y, w, h, line, ppmm):
    """How far (mm) a box's own ink (one channel of the ink-only page, page pixels, coverage
    at least half) reaches past the inner edge of the box's nearest line; negative when it
    stays clear, None without ink. The box's ink is what lies within 6 mm of the box."""
    xa, xb = max(0, int((x - 6) * ppmm)), min(chan.shape[1], int((x + w + 6) * ppmm) + 1)
    ya, yb = max(0, int((y - 6) * ppmm)), min(chan.shape[0], int((y + h + 6) * ppmm) + 1)
    ys, xs = np.nonzero(chan[ya:yb, xa:xb] >= 128)
    if len(xs) == 0:
        return None
    left, right = (xa + xs.min()) / ppmm, (xa + xs.max() + 1) / ppmm
    top, bottom = (ya + ys.min()) / ppmm, (ya + ys.max() + 1) / ppmm
    return max((x + line / 2) - left, right - (x + w - line / 2), (y + line / 2) - top, bottom - (y + h - line / 2))


def render(svg, dpi, tmp, stem):
    """SVG → PDF (librsvg/cairo) → RGB at `dpi` (poppler)."""
    src = os.path.join(tmp, f"{stem}.svg")
    pdf = os.path.join(tmp, f"{stem}.pdf")
    with open(src, "w") as f:
        f.write(svg)
    subprocess.run(["rsvg-convert", "-f", "pdf", "-o", pdf, src], check=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", pdf, os.path.join(tmp, stem)], check=True)
    return np.asarray(Image.open(os.path.join(tmp, f"{stem}.png")).convert("RGB"))


if __name__ == "__main__":
    make(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
