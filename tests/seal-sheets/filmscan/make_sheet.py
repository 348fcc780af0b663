#!/usr/bin/env python3
"""Maker Z (filmscan, issue 76; written from maker Y's brief): a seal collection sheet archived to colour film by a laser
film recorder and scanned back by a film scanner.

  make_sheet.py SEED OUTDIR INDEX

Drawing: Java2D (OpenJDK, Marlin) coverage layers from Draw.java, Motoya L Maruberi outlines.
Form: a gravure-printed sheet (engraved cells: the print's edges break into a cell screen).
Paper: a felted-fibre model of its own (oriented fibre segments accumulated, wire-side pits).
Ink: a Lorentzian three-band dye model (each channel's optical density from band centres).
Capture: film recorder exposure → characteristic (H&D) curve of a colour negative, dye-cloud
grain per layer, film-scanner optics (lens blur, dust) → 10-bit DPX through oiiotool and
back → JPEG / PNG / TIFF (Pillow) for the counter.
"""
import json, math, os, subprocess, sys, tempfile
import numpy as np
from scipy import ndimage
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
FONT = "/usr/share/fonts/truetype/motoya-l-maruberi/MTLmr3m.ttf"
CITIES = ["天津", "上海", "南京", "杭州", "成都", "西安", "中山", "福州"]
MIDS = ["正和", "永安", "金石", "大同", "安信", "明日", "和平", "光明", "新星", "北辰"]
TAILS = ["科技有限公司", "工程有限公司", "印刷有限公司", "商事有限公司"]
SUR = ["王", "李", "周", "林", "高", "田", "朱", "徐", "何", "郭", "宋", "金"]
GIV = ["立新", "正平", "文明", "金山", "春生", "永和", "明光", "秀英", "大海", "国安"]
LABELS = ["empty", "pale", "broken", "double", "smudged", "overlap_line", "tilted",
          "bg_not_white", "text_under", "off_color"]


def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng(seed)
    dpi = int(rng.choice([150, 200, 300, 400, 600], p=[0.08, 0.12, 0.6, 0.12, 0.08]))
    if os.environ.get("SEAL_SHEET_DPI"):
        dpi = int(os.environ["SEAL_SHEET_DPI"])
    mm = dpi / 25.4
    W, H = int(round(210 * mm)), int(round(297 * mm))
    ext = str(rng.choice(["jpg", "png", "tif"], p=[0.6, 0.2, 0.2]))
    dpi_in_file = bool(rng.random() < 0.85)
    name = "%03d" % index
    tmp = tempfile.mkdtemp(prefix="filmscan-")
    spec = []
    # ---- form: collection table, 3 rows x 3 columns (公章 | 法人章 | 法定代表人签字)
    x0, y0 = 18.0 + rng.uniform(-1.5, 1.5), 72.0 + rng.uniform(-1.5, 1.5)
    cw, rh, hdr, lw = 58.0, 56.0, 10.0, rng.uniform(0.25, 0.4)
    form = [("LTEXT", 60 * mm, 30 * mm, 7.0 * mm, "数字印章采集表"),
            ("LTEXT", 18 * mm, 48 * mm, 3.6 * mm, "法人名称（盖章）："),
            ("LTEXT", 18 * mm, 58 * mm, 3.6 * mm, "在下列框内加盖公章、法人章并手写姓名，印迹清晰完整。")]
    for c, t in enumerate(["公章", "法定代表人章", "法定代表人手写"]):
        form.append(("LTEXT", (x0 + c * cw + 4) * mm, (y0 + 7) * mm, 3.8 * mm, t))
    tw, th_ = 3 * cw, hdr + 3 * rh
    for i in range(4):
        form.append(("LINE", x0 * mm, (y0 + hdr + i * rh) * mm, (x0 + tw) * mm, (y0 + hdr + i * rh) * mm, lw * mm))
    form.append(("LINE", x0 * mm, y0 * mm, (x0 + tw) * mm, y0 * mm, lw * mm))
    for c in range(4):
        form.append(("LINE", (x0 + c * cw) * mm, y0 * mm, (x0 + c * cw) * mm, (y0 + th_) * mm, lw * mm))
    form.append(("LTEXT", 18 * mm, (y0 + th_ + 14) * mm, 3.4 * mm, "受理人：　　　　　　日期：　　年　　月　　日"))
    form.append(("LTEXT", 18 * mm, (y0 + th_ + 24) * mm, 3.0 * mm, "注：本表一式二通，由受理点留存。"))
    spec.append("LAYER\t%d\t%d\t0\t0\t%s" % (W, H, os.path.join(tmp, "form.pgm")))
    for f in form:
        spec.append("\t".join(str(v) if isinstance(v, str) else "%.3f" % v for v in f))
    boxes = []
    for r in range(3):
        for c in range(3):
            kind = ["official_seal", "legal_rep_seal", "signature"][c]
            bx, by = x0 + c * cw, y0 + hdr + r * rh
            inner = (bx + lw / 2, by + lw / 2, bx + cw - lw / 2, by + rh - lw / 2)
            b = {"row": r, "col": c, "kind": kind, "inner": inner, "want": set()}
            allowed = LABELS if kind != "signature" else ["empty", "pale", "overlap_line", "bg_not_white"]
            rates = {"empty": 0.05, "pale": 0.07, "broken": 0.085, "double": 0.085, "smudged": 0.085,
                     "overlap_line": 0.07, "tilted": 0.085, "bg_not_white": 0.055, "text_under": 0.085,
                     "off_color": 0.085}
            for l in allowed:
                if rng.random() < rates[l]:
                    b["want"].add(l)
            if "empty" in b["want"]:
                b["want"] = {"empty"} | ({"bg_not_white"} & b["want"])
            boxes.append(b)
    firm = str(rng.choice(CITIES)) + str(rng.choice(MIDS)) + str(rng.choice(TAILS))
    person = str(rng.choice(SUR)) + str(rng.choice(GIV))
    for k, b in enumerate(boxes):
        draw_box(b, k, rng, spec, mm, tmp, firm, person, W, H)
    with open(os.path.join(tmp, "spec.txt"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(spec) + "\n")
    subprocess.run(["java", "-Xmx1g", "-Djava.awt.headless=true", os.path.join(HERE, "Draw.java"),
                    os.path.join(tmp, "spec.txt"), FONT], check=True)
    compose_and_capture(rng, boxes, tmp, W, H, mm, dpi, ext, dpi_in_file, outdir, name, seed)


def draw_box(b, k, rng, spec, mm, tmp, firm, person, W, H):
    ix0, iy0, ix1, iy1 = b["inner"]
    want = b["want"]
    cx, cy = (ix0 + ix1) / 2 + rng.uniform(-3, 3), (iy0 + iy1) / 2 + rng.uniform(-3, 3)
    b["text_under"] = "text_under" in want
    if "empty" in want:
        return
    if b["kind"] == "official_seal":
        d = float(rng.uniform(38, 45)); half = d / 2; b["diameter_mm"] = round(d, 2)
    elif b["kind"] == "legal_rep_seal":
        if rng.random() < 0.6:
            s = float(rng.uniform(15, 22)); wh = (s, s)
        else:
            wh = (float(rng.uniform(15, 20)), float(rng.uniform(18, 22)))
        half = max(wh) / 2; b["size_mm"] = [round(wh[0], 2), round(wh[1], 2)]
    else:
        half = 18.0
    if "overlap_line" in want:  # push the impression across one rule by 1.5–5 mm
        side = rng.integers(4); over = rng.uniform(1.5, 5.0)
        if side == 0: cx = ix0 - over + half
        if side == 1: cx = ix1 + over - half
        if side == 2: cy = iy0 - over + half
        if side == 3: cy = iy1 + over - half
    else:  # keep 2 mm clear of the rules
        cx = min(max(cx, ix0 + half + 2.5), ix1 - half - 2.5)
        cy = min(max(cy, iy0 + half + 2.5), iy1 - half - 2.5)
    b["centre"] = (cx, cy)
    tilt = float(rng.uniform(8, 25) * rng.choice([-1, 1])) if "tilted" in want else float(rng.uniform(-3, 3))
    if b["kind"] == "signature":
        tilt = 0.0
    b["tilt_deg"] = round(tilt, 2)
    m = 6.0
    ox, oy = int((cx - half - m) * mm), int((cy - half - m) * mm)
    w, h = int((2 * half + 2 * m) * mm), int((2 * half + 2 * m) * mm)
    b["layer"] = (ox, oy, w, h, os.path.join(tmp, "ink%d.pgm" % k))
    spec.append("LAYER\t%d\t%d\t%d\t%d\t%s" % (w, h, ox, oy, b["layer"][4]))
    P = lambda v: "%.3f" % (v * mm)
    if b["kind"] == "official_seal":
        spec.append("ROT\t%s\t%s\t%.3f" % (P(cx), P(cy), tilt))
        r = b["diameter_mm"] / 2; rw = rng.uniform(1.0, 1.5)
        spec.append("RING\t%s\t%s\t%s\t%s" % (P(cx), P(cy), P(r), P(rw)))
        spec.append("STAR\t%s\t%s\t%s" % (P(cx), P(cy), P(r * 0.3)))
        n = len(firm); span = min(250, 20 * n)
        spec.append("ARC\t%s\t%s\t%s\t%.2f\t%.2f\t%s\t%s" % (P(cx), P(cy), P(r - rw - 0.8), -span / 2, span / 2, P(r * 0.3), firm))
        spec.append("TEXT\t%s\t%s\t%s\t1\t%s" % (P(cx), P(cy + r * 0.55), P(r * 0.16), "合同用章" if rng.random() < 0.2 else "公章"))
        if "broken" in want:  # a cap lost: the outer part of a 45–80° sector
            a0 = rng.uniform(0, 360); sp = rng.uniform(45, 80)
            spec.append("CUT\t%s\t%s\t%s\t%s\t%.2f\t%.2f" % (P(cx), P(cy), P(r - rw - 1.5), P(r + 1), a0, a0 + sp))
    elif b["kind"] == "legal_rep_seal":
        spec.append("ROT\t%s\t%s\t%.3f" % (P(cx), P(cy), tilt))
        sw, sh = b["size_mm"]; x, y = cx - sw / 2, cy - sh / 2
        txt = person + ("印" if len(person) == 3 else "之印")
        txt = txt[:4]
        # order for the 2x2 grid: right column top-down, then left column
        if rng.random() < 0.45:
            b["yin"] = True
            spec.append("YIN\t%s\t%s\t%s\t%s\t%s\t%s" % (P(x), P(y), P(sw), P(sh), P(sh * 0.4), txt))
        else:
            fw = rng.uniform(0.8, 1.2)
            spec.append("FRAME\t%s\t%s\t%s\t%s\t%s" % (P(x), P(y), P(sw), P(sh), P(fw)))
            spec.append("GRID\t%s\t%s\t%s\t%s\t%s\t%s" % (P(x + fw), P(y + fw), P(sw - 2 * fw), P(sh - 2 * fw), P(sh * 0.4), txt))
        if "broken" in want:  # a corner and part of two sides lost
            q = rng.integers(4); cs = rng.uniform(0.35, 0.5)
            qx = x - 1 if q in (0, 3) else x + sw * (1 - cs)
            qy = y - 1 if q in (0, 1) else y + sh * (1 - cs)
            spec.append("CUTR\t%s\t%s\t%s\t%s" % (P(qx), P(qy), P(sw * cs + 1), P(sh * cs + 1)))
    else:  # signature: a few pen strokes of a running hand
        lwp = rng.uniform(0.45, 0.7)
        x = cx - 15
        for s in range(int(rng.integers(3, 6))):
            pts = []
            px, py = x + s * 7 + rng.uniform(-1, 1), cy + rng.uniform(-6, 6)
            for t in range(12):
                px += rng.uniform(0.4, 1.6); py += math.sin(t * rng.uniform(0.5, 1.4)) * rng.uniform(0.5, 2.2)
                pts += [P(px), P(py)]
            spec.append("PEN\t%s\t%s" % (P(lwp), "\t".join(pts)))
        if "overlap_line" in want:  # a tail running across the nearest rule
            side = int(rng.integers(2))
            yy = iy1 if side else iy0
            yy2 = yy + (3 if side else -3)
            spec.append("PEN\t%s\t%s\t%s\t%s\t%s\t%s\t%s" % (P(lwp), P(cx + 10), P(cy), P(cx + 13), P((cy + yy) / 2), P(cx + 16), P(yy2)))
    spec.append("RESET")


def paper(rng, W, H, mm):
    """Felted fibres: oriented short streaks (machine direction) at two scales, plus pits."""
    small = (max(8, H // 4), max(8, W // 4))
    n = rng.standard_normal(small).astype(np.float32)
    f1 = ndimage.gaussian_filter(n, (0.15 * mm / 4 + 0.3, 0.9 * mm / 4 + 0.5))
    f2 = ndimage.gaussian_filter(rng.standard_normal(small).astype(np.float32), 3 * mm / 4)
    f = f1 / (f1.std() + 1e-6) * 0.010 + f2 / (f2.std() + 1e-6) * 0.012
    z = ndimage.zoom(f, (H / small[0], W / small[1]), order=1)[:H, :W]
    out = np.empty((H, W), np.float32); out[:] = 0.93
    out[: z.shape[0], : z.shape[1]] += z
    return out


def ink_density(kind, off, rng):
    """squared-Lorentzian three-band dye model: the ink's absorption band centred at lam0 (nm) of width
    g; each scan channel (R 610, G 545, B 450 nm) reads the band's Lorentzian at its centre."""
    if kind == "pen":
        lam0, g, peak, floor = rng.uniform(585, 600), 160.0, 1.0, 0.45  # blue-black pen
    elif off == "purple":
        lam0, g, peak, floor = rng.uniform(552, 558), 90.0, 1.0, 0.0
    elif off == "orange":
        lam0, g, peak, floor = rng.uniform(488, 492), 90.0, 1.0, 0.0
    else:
        lam0, g, peak, floor = rng.uniform(496, 500), 100.0, 1.0, 0.0
    ch = np.array([610.0, 545.0, 450.0])
    dens = floor + peak / (1 + ((ch - lam0) / (g / 2)) ** 2) ** 2
    return dens / dens.max()


def compose_and_capture(rng, boxes, tmp, W, H, mm, dpi, ext, dpi_in_file, outdir, name, seed):
    def pgm(p):
        return np.asarray(Image.open(p), dtype=np.float32) / 255.0
    refl = np.repeat(paper(rng, W, H, mm)[:, :, None], 3, axis=2)
    refl[:, :, 2] *= 0.985
    # gravure form: engraved cells; the print's coverage is sampled by a 70 l/cm cell screen at 45°
    form = pgm(os.path.join(tmp, "form.pgm"))
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    per = mm * 10 / 70.0
    cells = 0.5 + 0.5 * np.cos(2 * np.pi * (xx + yy) / (per * 1.414)) * np.cos(2 * np.pi * (xx - yy) / (per * 1.414))
    del xx, yy
    wall = np.clip((cells - 0.15) * 4, 0, 1) if per > 2.5 else np.ones_like(cells)
    fcov = np.clip(form * (0.9 + 0.1 * wall), 0, 1)
    del cells, wall
    black_d = np.array([1.15, 1.18, 1.12], np.float32)
    # tinted / stained boxes before the print (bg_not_white)
    trut = []
    for b in boxes:
        if "bg_not_white" in b["want"]:
            ix0, iy0, ix1, iy1 = b["inner"]
            ys, ye, xs, xe = int(iy0 * mm), int(iy1 * mm), int(ix0 * mm), int(ix1 * mm)
            if rng.random() < 0.5:  # tinted paper patch (a pasted slip): yellow
                refl[ys:ye, xs:xe] *= np.array([0.97, 0.90, 0.72], np.float32)
            else:  # tea stain of 14–22 mm radius with a darker rim
                r = rng.uniform(14, 22) * mm
                cy, cx = rng.uniform(ys + r * 0.6, ye - r * 0.6), rng.uniform(xs + r * 0.6, xe - r * 0.6)
                gy, gx = np.mgrid[ys:ye, xs:xe].astype(np.float32)
                dd = np.hypot(gy - cy, gx - cx) / r
                s = np.clip(1 - dd, 0, 1) ** 0.3 * 0.6 + np.exp(-((dd - 1) / 0.06) ** 2) * 0.4
                s = s * (dd < 1.15)
                stain = np.array([0.10, 0.22, 0.45], np.float32)
                refl[ys:ye, xs:xe] *= np.exp(-s[:, :, None] * stain)
    refl *= np.exp(-fcov[:, :, None] * black_d * 2.3026)
    del fcov, form
    for b in boxes:
        ix0, iy0, ix1, iy1 = b["inner"]
        tb = {"row": b["row"], "col": b["col"], "kind": b["kind"], "empty": "empty" in b["want"],
              "defects": [], "borderline": []}
        cxp = (ix0 + ix1) / 2 * mm; cyp = (iy0 + iy1) / 2 * mm
        tb["box_centre_px"] = [round(cxp, 1), round(cyp, 1)]
        if "layer" not in b:
            tb["defects"] = sorted(b["want"]); trut.append(tb); continue
        ox, oy, w, h, p = b["layer"]
        cov = pgm(p)
        want = b["want"]
        if "smudged" in want:
            L = rng.uniform(0.8, 1.35) * mm; ang = rng.uniform(0, 180)
            ker = np.zeros((int(L) * 2 + 3, int(L) * 2 + 3), np.float32)
            c = ker.shape[0] // 2
            for t in np.linspace(0, L, int(L * 2) + 2):
                ker[int(round(c + t * math.sin(math.radians(ang)))), int(round(c + t * math.cos(math.radians(ang))))] += 1
            ker /= ker.sum()
            cov = np.maximum(ndimage.convolve(cov, ker), cov * 0.6)
            b["smear_mm"] = round(L / mm, 2)
        if "double" in want:
            dmm = rng.uniform(0.7, 2.4); ang = rng.uniform(0, 2 * math.pi)
            sh = ndimage.shift(cov, (dmm * mm * math.sin(ang), dmm * mm * math.cos(ang)), order=1)
            cov = np.clip(cov + sh * rng.uniform(0.55, 0.8), 0, 1)
            b["double_offset_mm"] = round(dmm, 2)
        # voids of uneven paste (every seal): small, not border-long
        if b["kind"] != "signature":
            v = ndimage.gaussian_filter(rng.standard_normal(cov.shape).astype(np.float32), 0.25 * mm)
            cov *= np.clip(1.0 - (v / (v.std() + 1e-6) - 2.2) * 0.5, 0.55, 1)
        pale = "pale" in want
        strength = rng.uniform(0.38, 0.58) if pale else rng.uniform(0.9, 0.97)
        off = None
        if "off_color" in want:
            off = str(rng.choice(["purple", "orange"]))
        dens = ink_density("pen" if b["kind"] == "signature" else "seal", off, rng).astype(np.float32)
        dmax = -math.log10(1 - strength)
        # clip into the page
        ys, xs = max(oy, 0), max(ox, 0)
        ye, xe = min(oy + h, H), min(ox + w, W)
        sub = cov[ys - oy: ye - oy, xs - ox: xe - ox]
        refl[ys:ye, xs:xe] *= 10 ** (-sub[:, :, None] * dens * dmax)
        mask = (sub >= 0.5)
        # overlap_line from the drawn ink against the box rules' inner edge
        yi, xi = np.nonzero(mask)
        defects = set(want) - {"overlap_line"}
        border = []
        if yi.size:
            x_lo, x_hi = (xi.min() + xs) / mm, (xi.max() + xs + 1) / mm
            y_lo, y_hi = (yi.min() + ys) / mm, (yi.max() + ys + 1) / mm
            over = max(ix0 - x_lo, x_hi - ix1, iy0 - y_lo, y_hi - iy1)
            if over > 0.3:
                defects.add("overlap_line")
            elif over > -0.3:
                border.append("overlap_line")
            Image.fromarray((mask * 255).astype(np.uint8)).save(os.path.join(outdir, "%s.r%dc%d.mask.png" % (name, b["row"], b["col"])))
            tb["mask"] = "%s.r%dc%d.mask.png" % (name, b["row"], b["col"])
            tb["mask_offset"] = [int(xs), int(ys)]
        tb["defects"] = sorted(defects); tb["borderline"] = border
        for k in ("diameter_mm", "size_mm", "tilt_deg", "double_offset_mm", "smear_mm"):
            if k in b:
                tb[k] = b[k]
        trut.append(tb)
    # text_under: black print drawn over the whole page after the seals? No: print is under the
    # seal, so it was on the form; here it is added beneath by multiplying (order-free in density).
    tu = [b for b in boxes if b["text_under"] and "layer" in b]
    if tu:
        spec = []
        for k, b in enumerate(tu):
            cx, cy = b["centre"]
            spec.append("LAYER\t%d\t%d\t0\t0\t%s" % (W, H, os.path.join(tmp, "tu.pgm")) if k == 0 else "")
            spec.append("LTEXT\t%.2f\t%.2f\t%.2f\t%s" % ((cx - 12) * mm, (cy + 1.5) * mm, 4.2 * mm, "二〇二六年十二月"))
        with open(os.path.join(tmp, "tu.txt"), "w", encoding="utf-8") as fh:
            fh.write("\n".join(s for s in spec if s) + "\n")
        subprocess.run(["java", "-Xmx1g", "-Djava.awt.headless=true", os.path.join(HERE, "Draw.java"),
                        os.path.join(tmp, "tu.txt"), FONT], check=True)
        tcov = pgm(os.path.join(tmp, "tu.pgm"))
        refl *= np.exp(-tcov[:, :, None] * np.array([1.1, 1.12, 1.08], np.float32) * 2.3026)
        del tcov
    img = film(rng, refl, mm)
    del refl
    out_path = os.path.join(outdir, "%s.%s" % (name, ext))
    write_out(img, tmp, out_path, dpi, ext, dpi_in_file)
    truth = {"maker": "filmscan", "seed": seed, "dpi": dpi, "dpi_in_file": dpi_in_file,
             "skew_deg": 0.0, "file": os.path.basename(out_path), "boxes": trut,
             "layout": "form collection table (3x3), film archive"}
    with open(os.path.join(outdir, "%s.truth.json" % name), "w") as fh:
        json.dump(truth, fh, ensure_ascii=False, indent=1)
    subprocess.run(["rm", "-rf", tmp])


def film(rng, refl, mm):
    """Laser film recorder → colour negative → film scanner, in place per channel."""
    H, W, _ = refl.shape
    out = np.empty((H, W, 3), np.uint8)
    gamma_neg, dmin = 0.62, 0.25
    for c in range(3):
        e = np.log10(np.clip(refl[:, :, c], 1e-4, 1)) + 0.05  # log exposure rel. white
        # characteristic curve: a toe and shoulder around the straight line
        D = dmin + 2.2 / (1 + np.exp(-(e + 1.1) * gamma_neg * 4.4 / 2.2))
        del e
        # dye clouds: grain as clustered blobs, per layer
        gr = rng.standard_normal((H, W)).astype(np.float32)
        gr = ndimage.gaussian_filter(gr, 0.012 * mm + 0.4)
        D += gr / (gr.std() + 1e-6) * 0.012 * (0.5 + D / 2.5)
        del gr
        # scanner reads transmittance, inverts the negative back
        D = ndimage.gaussian_filter(D, 0.03 * mm + 0.3)
        Dw = np.percentile(D[:: 17, :: 17], 99.5)
        Db = dmin + 2.2 / (1 + np.exp(-(-1.25 + 1.1) * gamma_neg * 4.4 / 2.2))
        lin = np.clip((D - Db) / (Dw - Db), 0, 1)
        out[:, :, c] = np.clip(255 * lin ** (1 / 1.9) + 0.5, 0, 255).astype(np.uint8)
        del D, lin
    # dust on the film: a few dark specks
    for _ in range(int(rng.integers(3, 12))):
        y, x = int(rng.uniform(0, H)), int(rng.uniform(0, W)); r = max(1, int(rng.uniform(0.05, 0.2) * mm))
        out[max(0, y - r): y + r, max(0, x - r): x + r] = (out[max(0, y - r): y + r, max(0, x - r): x + r] * 0.6).astype(np.uint8)
    return out


def write_out(img, tmp, out_path, dpi, ext, dpi_in_file):
    tif = os.path.join(tmp, "scan.tif")
    Image.fromarray(img).save(tif)
    dpx = os.path.join(tmp, "scan.dpx")
    subprocess.run(["oiiotool", tif, "-d", "uint10", "-o", dpx], check=True)
    back = os.path.join(tmp, "back.tif")  # the scanner's DPX read back by oiiotool
    subprocess.run(["oiiotool", dpx, "-d", "uint8", "-o", back], check=True)
    im = Image.open(back).convert("RGB")
    kw = {"dpi": (dpi, dpi)} if dpi_in_file else {}
    if ext == "jpg":
        im.save(out_path, quality=88, subsampling=0, **kw)
    elif ext == "tif":
        im.save(out_path, compression="tiff_lzw", **kw)
    else:
        im.save(out_path, optimize=False, **kw)

if __name__ == "__main__":
    main()
