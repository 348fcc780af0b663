#!/usr/bin/python3
"""Maker Y (microfilm/, issue 76): a seal collection form drawn by Java2D (Draw.java, Monapo outlines),
printed by gravure (engraved cells), on an office paper with a two-scale formation, a block-dye density ink
with unwanted absorptions (a 3x3 crosstalk matrix), archived to colour microfilm by a laser film recorder and
scanned back by a film scanner (characteristic curve, dye-cloud grain, reduction optics), exported.
Usage: make_sheet.py SEED OUTDIR INDEX"""
import json, os, subprocess, sys, tempfile
import numpy as np
from PIL import Image
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
FONT = "/usr/share/fonts/truetype/monapo/monapo.ttf"
FIRMS = ["成都天府物流有限公司", "北京東方信息技術有限公司", "上海恒通商事有限公司", "杭州西湖電子有限公司",
         "大連海港運輸有限公司", "南京中山建設有限公司"]
PERSONS = ["張明之印", "李華之印", "王建国印", "劉志強印", "陳文之印", "周平之印"]
SUBS = ["合同専用章", "財務専用章"]
SEAL_DEFECTS = ["double", "smudged", "broken", "pale", "off_color", "tilted", "push", "bg_not_white", "text_under"]
EXCL = {("double", "smudged"), ("double", "broken"), ("double", "pale"), ("smudged", "broken"), ("pale", "off_color")}


def main():
    seed, outdir, index = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.default_rng([seed, 76])
    dpi = int(rng.choice([150, 200, 300, 400, 600], p=[0.08, 0.10, 0.62, 0.12, 0.08]))
    if os.environ.get("SEAL_SHEET_DPI"):
        dpi = int(os.environ["SEAL_SHEET_DPI"])
    fine = np.random.default_rng([seed, 77])  # fields sized by the page grid
    S = dpi / 25.4
    PW, PH = 210.0, 297.0
    W, H = int(round(PW * S)), int(round(PH * S))
    dx, dy = rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5)
    lw = rng.uniform(0.25, 0.4)
    firm, person = str(rng.choice(FIRMS)), str(rng.choice(PERSONS))
    sub = str(rng.choice(SUBS)) if rng.random() < 0.5 else None
    job = [f"SCALE {S:.6f}", f"BEGIN form 0 0 {W} {H}"]
    X0 = 18 + dx
    rows = [("official_seal", "公章採集", 40 + dy, 54), ("legal_rep_seal", "法人章採集", 110 + dy, 42),
            ("signature", "法人署名採集", 172 + dy, 36)]
    boxes = []
    for r, (kind, title, top, bh) in enumerate(rows):
        job.append(f"T 0 0 0")
        job.append(f"TEXT 105 {top - 4:.3f} 5.5 1 {title}表")
        y0, y1, y2 = top, top + 8, top + 8 + bh
        for y in (y0, y1, y2):
            job.append(f"LINE {X0:.3f} {y:.3f} {X0 + 174:.3f} {y:.3f} {lw:.3f}")
        for c in range(4):
            x = X0 + 58 * c
            job.append(f"LINE {x:.3f} {y0:.3f} {x:.3f} {y2:.3f} {lw:.3f}")
        for c in range(3):
            cap = {"official_seal": "印章", "legal_rep_seal": "法人章", "signature": "署名"}[kind]
            job.append(f"TEXT {X0 + 58 * c + 29:.3f} {y0 + 4:.3f} 3.6 1 {cap}{'一二三'[c]}")
            boxes.append(dict(row=r, col=c, kind=kind, rect=(X0 + 58 * c, y1, X0 + 58 * c + 58, y2)))
    job.append(f"TEXT 60 {228 + dy:.3f} 4 1 受理人")
    job.append(f"TEXT 140 {228 + dy:.3f} 4 1 日期")
    # seals' sizes: one 公章 and one 法人章 a sheet
    diam = rng.uniform(38, 44.5)
    sq = rng.random() < 0.6
    lsize = (rng.uniform(15, 20),) * 2 if sq else None
    if not sq:
        a = rng.uniform(18, 22); b = a / rng.uniform(1.15, 1.3)
        lsize = (b, a) if rng.random() < 0.5 else (a, b)
    yin = rng.random() < 0.25
    ring_w = rng.uniform(0.9, 1.4)
    pen = str(rng.choice(["blue", "black", "blueblack"], p=[0.5, 0.3, 0.2]))
    tinted = rng.random() < 0.06
    layers = []
    under = []
    for bx in boxes:
        x0, y0, x1, y1 = bx["rect"]
        bx["inner"] = (x0 + lw / 2, y0 + lw / 2, x1 - lw / 2, y1 - lw / 2)
        ccx, ccy = (x0 + x1) / 2, (y0 + y1) / 2
        d = []
        if bx["kind"] == "signature":
            u = rng.random()
            if u < 0.08: d = ["empty"]
            elif u < 0.22: d = ["push"]
            elif u < 0.34: d = ["bg_not_white"]
            elif u < 0.48: d = ["pale"]
        else:
            if rng.random() < 0.08:
                d = ["empty"]
            elif rng.random() < 0.8:
                d = [str(rng.choice(SEAL_DEFECTS))]
                if rng.random() < 0.3:
                    e = str(rng.choice(SEAL_DEFECTS))
                    if e != d[0] and (d[0], e) not in EXCL and (e, d[0]) not in EXCL:
                        d.append(e)
        if tinted and "bg_not_white" not in d:
            d.append("bg_not_white")
        bx["want"] = d
        if "empty" in d:
            continue
        tilt = 0.0
        if "tilted" in d:
            tilt = rng.uniform(12, 28) * rng.choice([-1, 1])
        elif bx["kind"] != "signature":
            tilt = rng.uniform(-2, 2)
        bx["tilt"] = tilt
        if bx["kind"] == "official_seal":
            hx = hy = diam / 2
        elif bx["kind"] == "legal_rep_seal":
            th = np.radians(abs(tilt)); w, h = lsize
            hx = (w * np.cos(th) + h * np.sin(th)) / 2; hy = (w * np.sin(th) + h * np.cos(th)) / 2
        else:
            hx, hy = rng.uniform(9, 13), rng.uniform(4, 6.5)
        ix0, iy0, ix1, iy1 = bx["inner"]
        cx = ccx + rng.uniform(-2, 2); cy = ccy + rng.uniform(-2, 2)
        cx = min(max(cx, ix0 + hx + 1.2), ix1 - hx - 1.2) if ix1 - ix0 > 2 * hx + 2.4 else ccx
        cy = min(max(cy, iy0 + hy + 1.2), iy1 - hy - 1.2) if iy1 - iy0 > 2 * hy + 2.4 else ccy
        if "push" in d:
            p = rng.uniform(1.2, 3.0)
            side = int(rng.integers(0, 4)) if bx["kind"] != "signature" else int(rng.integers(0, 2))
            if side == 0: cx = ix0 + hx - p
            elif side == 1: cx = ix1 - hx + p
            elif side == 2: cy = iy0 + hy - p
            else: cy = iy1 - hy + p
            bx["push_mm"] = round(p, 2)
        bx["centre"] = (cx, cy)
        if "text_under" in d:
            word = str(rng.choice(["押印", "捺印", "公章", "印"]))
            under.append("T 0 0 0")
            under.append(f"TEXT {cx + rng.uniform(-1.5, 1.5):.3f} {cy + rng.uniform(-1.5, 1.5):.3f} {rng.uniform(3.8, 5):.3f} 1 {word}")
        presses = [(cx, cy, tilt)]
        if "double" in d:
            off = rng.uniform(0.9, 2.5); an = rng.uniform(0, 2 * np.pi)
            presses.append((cx + off * np.cos(an), cy + off * np.sin(an), tilt + rng.uniform(-1.5, 1.5)))
            bx["double_offset_mm"] = round(off, 2)
        m = 6.0
        ox, oy = int((x0 - m) * S), int((y0 - m) * S)
        w, h = int((x1 - x0 + 2 * m) * S) + 2, int((y1 - y0 + 2 * m) * S) + 2
        bx["layer"] = (ox, oy, w, h)
        sig = None
        if bx["kind"] == "signature":
            sig = signature(rng, hx, hy)
        for k, (px, py, pt) in enumerate(presses):
            nm = f"r{bx['row']}c{bx['col']}p{k}"
            job.append(f"BEGIN {nm} {ox} {oy} {w} {h}")
            job.append(f"T {px:.4f} {py:.4f} {pt:.4f}")
            if bx["kind"] == "official_seal":
                R = diam / 2
                job.append(f"RING {R:.4f} {ring_w:.4f}")
                job.append(f"STAR {R * 0.3:.4f}")
                job.append(f"ARC {diam * 0.15:.4f} {R - ring_w - 0.9:.4f} {rng.uniform(215, 245):.2f} 0.8 {firm}")
                if sub:
                    job.append(f"TEXT 0 {R * 0.5:.4f} {diam * 0.09:.4f} 0.9 {sub}")
            elif bx["kind"] == "legal_rep_seal":
                w_, h_ = lsize; fr = 0.8
                if yin:
                    job.append(f"RECTF {w_:.4f} {h_:.4f}"); job.append("CLEAR 1")
                else:
                    job.append(f"RECTS {w_:.4f} {h_:.4f} {fr:.4f}")
                cw, ch = (w_ - 2 * fr - 1.2) / 2, (h_ - 2 * fr - 1.2) / 2
                order = [(1, 0), (1, 1), (0, 0), (0, 1)]  # right column first, top to bottom
                for chh, (col, row) in zip(person, order):
                    ccx_ = (col - 0.5) * (cw + 0.4); ccy_ = (row - 0.5) * (ch + 0.4)
                    job.append(f"CELL {ccx_:.4f} {ccy_:.4f} {cw * 0.9:.4f} {ch * 0.9:.4f} {chh}")
                job.append("CLEAR 0")
            else:
                for stroke in sig:
                    job.append("POLY %.3f " % sig_w(rng) + " ".join("%.3f %.3f" % q for q in stroke))
            job.append("END")
            if bx["kind"] == "signature":
                pass
        layers.append(bx)
        bx["presses"] = presses
    # the form layer ends after its texts (text_under included)
    form_end = [i for i, l in enumerate(job) if l.startswith("BEGIN r")]
    fe = form_end[0] if form_end else len(job)
    job[fe:fe] = under + ["END"]
    tmp = tempfile.mkdtemp(prefix="y-")
    try:
        with open(os.path.join(tmp, "job.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(job) + "\n")
        subprocess.run(["java", "-Xmx2g", "-Djava.awt.headless=true", os.path.join(HERE, "Draw.java"), FONT,
                        os.path.join(tmp, "job.txt"), tmp], check=True)
        compose(rng, fine, seed, outdir, index, dpi, S, W, H, boxes, tmp, pen, tinted, diam, lsize, yin, firm, person)
    finally:
        for fn in os.listdir(tmp):
            os.remove(os.path.join(tmp, fn))
        os.rmdir(tmp)


def sig_w(rng):
    return rng.uniform(0.45, 0.65)


def signature(rng, hx, hy):
    n = int(rng.integers(2, 4)); strokes = []
    slant = np.tan(np.radians(rng.uniform(6, 16)))
    cw = 2 * hx / n
    for k in range(n):
        t = np.linspace(0, 1, 40)
        f1, f2 = rng.uniform(1.5, 3.5), rng.uniform(3, 6)
        x = -hx + cw * (k + 0.1 + 0.8 * t) + 0.8 * np.sin(2 * np.pi * f2 * t + rng.uniform(0, 6))
        y = hy * 0.8 * np.sin(2 * np.pi * f1 * t + rng.uniform(0, 6)) * np.cos(np.pi * (t - 0.5))
        x = x - slant * y
        strokes.append(list(zip(x, y)))
    t = np.linspace(0, 1, 20)
    strokes.append(list(zip(-hx * 0.2 + hx * 1.1 * t, hy * (0.6 - 0.3 * t))))
    return strokes


def readpgm(path):
    with open(path, "rb") as f:
        data = f.read()
    parts = data.split(b"\n", 3)
    w, h = map(int, parts[1].split())
    return np.frombuffer(parts[3], np.uint8).reshape(h, w).astype(np.float32) / 255.0


def smooth_noise(g, shape, sigma_px):
    n = g.standard_normal(shape).astype(np.float32)
    n = ndimage.gaussian_filter(n, sigma_px)
    return n / (n.std() + 1e-9)


def compose(rng, fine, seed, outdir, index, dpi, S, W, H, boxes, tmp, pen, tinted, diam, lsize, yin, firm, person):
    # paper: an office paper's body and a two-scale formation (smooth lognormal flocs)
    body = np.array([0.93, 0.925, 0.905]) + rng.uniform(-0.01, 0.01, 3)
    if tinted:
        body = body * np.array([[1.0, 0.94, 0.93], [1.0, 0.97, 0.88], [0.93, 0.96, 1.0]][int(rng.integers(0, 3))])
    form_cov = readpgm(os.path.join(tmp, "form.pgm"))
    flo = np.exp(0.012 * smooth_noise(fine, (H // 4 + 1, W // 4 + 1), 1.0 * S / 4))
    flo = ndimage.zoom(flo, 4, order=1)[:H, :W]
    flo *= np.exp(0.004 * smooth_noise(fine, (H, W), 0.08 * S))
    # density image: three dye densities (c, m, y) per pixel, log10 absorbance units
    dens = np.zeros((H, W, 3), np.float32)
    # gravure: the form's coverage sampled through engraved cells (a 70-line/cm screen of cells whose depth
    # follows the coverage), the ink spreading from the cells and closing them (blur 0.04 mm), the cell walls
    # showing as a faint grid in solid areas and a saw-tooth on edges
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    cell = 10.0 / 70.0 * S  # cell pitch in px
    wall = 0.5 + 0.5 * np.cos(2 * np.pi * xx / cell) * np.cos(2 * np.pi * yy / cell)
    del xx, yy
    cov = np.clip(form_cov * (0.92 + 0.08 * (1 - wall)), 0, 1)
    cov = ndimage.gaussian_filter(cov, max(0.04 * S, 0.3))
    del wall
    dens += (cov * rng.uniform(1.3, 1.6))[..., None] * np.array([1.0, 1.0, 0.97], np.float32)
    # the ink model: block dyes with unwanted absorptions (a 3x3 crosstalk matrix), densities adding
    M = np.array([[1.0, 0.10, 0.04], [0.22, 1.0, 0.08], [0.06, 0.30, 1.0]], np.float32)  # rows: c, m, y dyes
    hue_base = rng.uniform(-3, 3)
    truth_boxes = []
    masks_page = []
    for bx in boxes:
        d = bx["want"]
        tb = dict(row=bx["row"], col=bx["col"], kind=bx["kind"], empty="empty" in d, defects=[], borderline=[])
        if bx["kind"] == "official_seal":
            tb["diameter_mm"] = round(float(diam), 2)
        elif bx["kind"] == "legal_rep_seal":
            tb["size_mm"] = [round(float(lsize[0]), 2), round(float(lsize[1]), 2)]
            tb["yin"] = bool(yin)
        x0, y0, x1, y1 = bx["rect"]
        tb["_centre_page"] = ((x0 + x1) / 2 * S, (y0 + y1) / 2 * S)
        if "bg_not_white" in d:
            tb["defects"].append("bg_not_white")
            if not tinted:
                ix0, iy0, ix1, iy1 = bx["inner"]
                ex, ey = rng.uniform(ix0 + 8, ix1 - 8), rng.uniform(iy0 + 8, iy1 - 8)
                ax, ay = rng.uniform(6, 12), rng.uniform(4, 9)
                a0, b0, a1, b1 = [int(v * S) for v in (ix0 + 2, iy0 + 2, ix1 - 2, iy1 - 2)]
                gy, gx = np.mgrid[b0:b1, a0:a1].astype(np.float32) / S
                blot = np.exp(-(((gx - ex) / ax) ** 2 + ((gy - ey) / ay) ** 2) ** 1.5)
                tint = np.array([0.02, 0.12, 0.38], np.float32) if rng.random() < 0.5 else np.array([0.05, 0.16, 0.3], np.float32)
                dens[b0:b1, a0:a1] += blot[..., None] * tint * rng.uniform(0.8, 1.0)
        if tb["empty"]:
            tb["defects"].append("empty")
            truth_boxes.append(tb); masks_page.append(None); continue
        ox, oy, w, h = bx["layer"]
        press = [readpgm(os.path.join(tmp, f"r{bx['row']}c{bx['col']}p{k}.pgm")) for k in range(len(bx["presses"]))]
        load = press[0].copy()
        mask = press[0].copy()
        if len(press) > 1:
            load = load + press[1] * rng.uniform(0.55, 0.9)
            mask = np.maximum(mask, press[1])
            tb["defects"].append("double"); tb["double_offset_mm"] = bx["double_offset_mm"]
        if "smudged" in d:
            L = rng.uniform(0.8, 1.35) * S; an = rng.uniform(0, 2 * np.pi)
            acc = np.zeros_like(load); macc = mask.copy(); wsum = 0
            for k in range(12):
                t = k / 11.0; wgt = 1.0 - 0.7 * t
                sh = ndimage.shift(load, (L * t * np.sin(an), L * t * np.cos(an)), order=1)
                acc += wgt * sh; wsum += wgt
                macc = np.maximum(macc, ndimage.shift(mask, (L * t * np.sin(an), L * t * np.cos(an)), order=1))
            load = 0.6 * load + 0.4 * acc / wsum; mask = macc
            tb["defects"].append("smudged"); tb["smear_mm"] = round(L / S, 2)
        if "broken" in d:
            an = rng.uniform(0, 2 * np.pi)
            gy, gx = np.mgrid[0:h, 0:w].astype(np.float32)
            proj = gx * np.cos(an) + gy * np.sin(an)
            proj += 0.3 * S * smooth_noise(rng, (h, w), 1.5 * S)
            ink = mask >= 0.5
            q = np.quantile(proj[ink], 1 - rng.uniform(0.2, 0.3))
            fade = np.clip((q - proj) / (rng.uniform(0.3, 0.6) * S) + 0.5, 0, 1)
            load *= fade; mask = np.where(fade < 0.5, 0, mask)
            tb["defects"].append("broken")
        # the pad's mottle and the hand's plane
        load *= (1 + rng.uniform(0.04, 0.1) * smooth_noise(rng, (h, w), 1.2 * S)).astype(np.float32)
        if bx["kind"] == "signature":
            base = {"blue": [0.9, 0.55, 0.08], "black": [1.0, 1.0, 0.95], "blueblack": [1.0, 0.85, 0.45]}[pen]
            strength = rng.uniform(0.85, 1.1)
            hue = None
        else:
            hue = hue_base
            if "off_color" in d:
                hue = rng.uniform(25, 40) * rng.choice([-1, 1]); tb["defects"].append("off_color")
            # red: magenta + yellow dye; the hue rotates by the yellow/magenta share (and cyan for purple)
            ysh = np.clip(1.0 + hue / 45.0, 0.05, 1.6)
            base = [0.03 + max(0, -hue) / 140.0, 1.0, ysh]
            if "off_color" in d:  # purple: cyan in, yellow out; orange: magenta down, yellow up
                base = [0.4, 1.0, 0.12] if hue < 0 else [0.02, 0.5, 1.3]
            strength = rng.uniform(0.95, 1.2)
            tb["hue_deg"] = round(float(hue), 1)
        if "pale" in d:
            strength = rng.uniform(0.22, 0.32); tb["defects"].append("pale")
        dv = np.array(base, np.float32) @ M * strength
        dens[oy:oy + h, ox:ox + w] += np.clip(load, 0, 1.4)[..., None] * dv
        if "tilted" in d:
            tb["defects"].append("tilted")
        if "text_under" in d:
            tb["defects"].append("text_under")
        tb["tilt_deg"] = round(float(bx["tilt"]), 2)
        if "push_mm" in bx:
            tb["push_mm"] = bx["push_mm"]
        # overlap_line from the drawn ink against the rules' inner edge
        ink = mask >= 0.5
        ys, xs = np.nonzero(ink)
        ix0, iy0, ix1, iy1 = bx["inner"]
        px = (xs + ox + 0.5) / S; py = (ys + oy + 0.5) / S
        reach = float(max((ix0 - px).max(), (px - ix1).max(), (iy0 - py).max(), (py - iy1).max()))
        tb["reach_mm"] = round(reach, 3)
        if reach > 0.3:
            tb["defects"].append("overlap_line")
        elif reach >= -0.3:
            tb["borderline"].append("overlap_line")
        elif "broken" in tb["defects"] and reach > -1.5:
            tb["borderline"].append("overlap_line")
        truth_boxes.append(tb); masks_page.append((mask, ox, oy))
    order = ["empty", "pale", "broken", "double", "smudged", "overlap_line", "tilted", "bg_not_white", "text_under", "off_color"]
    for tb in truth_boxes:
        tb["defects"] = [x for x in order if x in tb["defects"]]
    refl = body[None, None, :] * flo[..., None] * np.power(10.0, -dens)
    del dens, flo
    refl = refl.astype(np.float32)
    # --- capture: laser film recorder onto colour microfilm, film scanner back ---
    skew = float(rng.normal(0, 0.5) if rng.random() < 0.5 else rng.uniform(0.3, 1.4) * rng.choice([-1, 1]))
    # the film's exposure: log of the page's reflectance; a reversal film's characteristic curve
    # (density against log exposure, a logistic toe and shoulder), per dye layer
    gamma = rng.uniform(1.6, 2.0); dmin, dmax = rng.uniform(0.08, 0.14), rng.uniform(2.8, 3.2)
    logE = np.log10(np.clip(refl, 1e-4, 1.0))
    del refl
    filmD = dmin + (dmax - dmin) / (1.0 + np.exp(gamma * 2.3 * (logE + 0.95)))
    del logE
    # the recorder's spot and the reduction (24x, lens MTF) as one Gaussian at the page grid
    filmD = ndimage.gaussian_filter(filmD, (rng.uniform(0.03, 0.06) * S, rng.uniform(0.03, 0.06) * S, 0))
    # dye clouds: grain as blurred Poisson-like clumps, stronger in the mid densities, per layer
    for ch in range(3):
        gr = fine.standard_normal((H, W)).astype(np.float32)
        gr = ndimage.gaussian_filter(gr, max(0.6, 0.025 * S))
        gr /= gr.std() + 1e-9
        filmD[..., ch] += 0.03 * gr * np.sqrt(np.clip(filmD[..., ch], 0.05, None))
    # scanner: transmitted light, its own geometry (the skew), flare, black and white points
    T = np.power(10.0, -(filmD - dmin)).astype(np.float32)
    del filmD
    th = np.radians(skew); c, s = np.cos(th), np.sin(th)
    cxp, cyp = W / 2, H / 2
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    # output pixel (x, y) reads the page at R(-skew) about the centre (clockwise skew on screen)
    sx = c * (xx - cxp) + s * (yy - cyp) + cxp
    sy = -s * (xx - cxp) + c * (yy - cyp) + cyp
    del xx, yy
    out = np.empty_like(T)
    for ch in range(3):
        out[..., ch] = ndimage.map_coordinates(T[..., ch], [sy, sx], order=1, cval=0.78)
    del T, sx, sy
    out = out * rng.uniform(0.97, 1.0) + rng.uniform(0.005, 0.015)
    out = ndimage.gaussian_filter(out, (0.03 * S, 0.03 * S, 0))
    out += fine.normal(0, 0.004, out.shape).astype(np.float32)
    wp = np.percentile(out[::7, ::7], 99.3, axis=(0, 1))
    out = np.clip(out / wp * 0.985, 0, 1)
    out = np.where(out <= 0.0031308, 12.92 * out, 1.055 * np.power(out, 1 / 2.4) - 0.055)
    img8 = (np.clip(out, 0, 1) * 255 + 0.5).astype(np.uint8)
    del out
    # export
    fmt = rng.choice(["jpg", "png", "tif"], p=[0.55, 0.25, 0.2])
    dpi_in_file = bool(rng.random() < 0.8)
    name = f"{index:03d}.{fmt}"
    im = Image.fromarray(img8, "RGB")
    kw = {"dpi": (dpi, dpi)} if dpi_in_file else {}
    if fmt == "jpg":
        im.save(os.path.join(outdir, name), quality=int(rng.integers(82, 95)), subsampling=int(rng.choice([0, 1, 2])), **kw)
    elif fmt == "png":
        im.save(os.path.join(outdir, name), optimize=False, **kw)
    else:
        im.save(os.path.join(outdir, name), compression=str(rng.choice(["tiff_lzw", "tiff_adobe_deflate"])), **kw)
    # truth: masks through the same skew map
    tboxes = []
    for tb, mp in zip(truth_boxes, masks_page):
        px0, py0 = tb.pop("_centre_page")
        tb["box_centre_px"] = list(map(lambda v: round(float(v), 1), fwd(px0, py0, c, s, cxp, cyp)))
        if mp is not None:
            mask, ox, oy = mp
            h, w = mask.shape
            corners = [fwd(ox + a, oy + b, c, s, cxp, cyp) for a in (0, w) for b in (0, h)]
            qx0 = max(0, int(np.floor(min(p[0] for p in corners)))); qx1 = min(W, int(np.ceil(max(p[0] for p in corners))))
            qy0 = max(0, int(np.floor(min(p[1] for p in corners)))); qy1 = min(H, int(np.ceil(max(p[1] for p in corners))))
            yy, xx = np.mgrid[qy0:qy1, qx0:qx1].astype(np.float32)
            sx = c * (xx - cxp) + s * (yy - cyp) + cxp - ox
            sy = -s * (xx - cxp) + c * (yy - cyp) + cyp - oy
            mm = ndimage.map_coordinates(mask, [sy, sx], order=1, cval=0.0) >= 0.5
            ys, xs = np.nonzero(mm)
            if len(ys):
                a0, a1, b0, b1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
                mname = f"{index:03d}.r{tb['row']}c{tb['col']}.mask.png"
                Image.fromarray((mm[b0:b1, a0:a1] * 255).astype(np.uint8), "L").save(os.path.join(outdir, mname))
                tb["mask"] = mname; tb["mask_offset"] = [int(qx0 + a0), int(qy0 + b0)]
        tboxes.append(tb)
    truth = dict(maker="microfilm", seed=seed, dpi=dpi, dpi_in_file=dpi_in_file, skew_deg=round(skew, 3), file=name,
                 firm=firm, person=person, pen=pen, paper_tint=bool(tinted), boxes=tboxes)
    with open(os.path.join(outdir, f"{index:03d}.truth.json"), "w", encoding="utf-8") as f:
        json.dump(truth, f, ensure_ascii=False, indent=1)


def fwd(x, y, c, s, cxp, cyp):
    # page -> output: inverse of the read map above
    dx, dy = x - cxp, y - cyp
    return (c * dx - s * dy + cxp, s * dx + c * dy + cyp)


if __name__ == "__main__":
    main()
