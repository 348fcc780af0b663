"""Maker I's capture: a phone photographs the sheet on a desk under room light, then a phone
scanning app flattens the page from its (slightly wrong) corners, enhances it and exports it.
All in numpy / SciPy; Pillow only writes the file."""
import io
import math

import numpy as np
from scipy import ndimage

PAGE_W, PAGE_H = 210.0, 297.0
SENSORS = {"8 MP": (2448, 3264), "12 MP": (3000, 4000), "16 MP": (3456, 4608)}


def uni(rng, a, b):
    return float(rng.uniform(a, b))


def homography(src, dst):
    """3x3 H with dst ~ H src for four point pairs (DLT)."""
    A, b = [], []
    for (x, y), (u, v) in zip(src, dst):
        A.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        b.append(u)
        A.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b.append(v)
    h = np.linalg.solve(np.array(A, float), np.array(b, float))
    return np.append(h, 1).reshape(3, 3)


def apply_h(Hm, pts):
    pts = np.asarray(pts, float)
    q = np.column_stack([pts, np.ones(len(pts))]) @ Hm.T
    return q[:, :2] / q[:, 2:3]


def draw_capture(rng):
    """Everything about the phone, the room and the app, drawn before the sheet."""
    r = rng.random()
    dpi = 150 if r < 0.25 else (200 if r < 0.55 else 300)
    r = rng.random()
    sensor = "8 MP" if r < 0.25 else ("12 MP" if r < 0.85 else "16 MP")
    sw, sh = SENSORS[sensor]
    frac = uni(rng, 0.74, 0.88)  # the page's height in the frame's
    photo_px_mm = sh * frac / PAGE_H
    render = min(1.3 * photo_px_mm, 16.0)
    return dict(dpi=dpi, sensor=sensor, frame=(sw, sh), frac=frac, photo_px_mm=photo_px_mm,
                render_px_mm=render)


def camera_h(rng, cap):
    """Page mm -> photo px for a pinhole phone over the page, tilted up to 12°, turned in plane."""
    sw, sh = cap["frame"]
    f = 0.78 * sh
    tilt = math.radians(12.0 * math.sqrt(rng.random()))
    phi = uni(rng, 0, 2 * math.pi)
    roll = math.radians(uni(rng, -1.5, 1.5) if rng.random() < 0.5 else uni(rng, 1.5, 5.0) * (1 if rng.random() < 0.5 else -1))
    a, b = tilt * math.cos(phi), tilt * math.sin(phi)
    Rx = np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])
    Ry = np.array([[math.cos(b), 0, math.sin(b)], [0, 1, 0], [-math.sin(b), 0, math.cos(b)]])
    Rz = np.array([[math.cos(roll), -math.sin(roll), 0], [math.sin(roll), math.cos(roll), 0], [0, 0, 1]])
    R = Rz @ Rx @ Ry
    frac = cap["frac"]
    D = f * PAGE_H / (frac * sh)
    shift = np.array([uni(rng, -0.02, 0.02) * sw, uni(rng, -0.02, 0.02) * sh])
    corners = [(0, 0), (PAGE_W, 0), (PAGE_W, PAGE_H), (0, PAGE_H)]
    for _ in range(30):
        img = []
        for x, y in corners:
            X = R @ np.array([x - PAGE_W / 2, y - PAGE_H / 2, 0.0]) + np.array([0, 0, D])
            img.append((f * X[0] / X[2] + sw / 2 - 0.5 + shift[0], f * X[1] / X[2] + sh / 2 - 0.5 + shift[1]))
        img = np.array(img)
        if img[:, 0].min() > 0.02 * sw and img[:, 0].max() < 0.98 * sw and img[:, 1].min() > 0.02 * sh and \
                img[:, 1].max() < 0.98 * sh:
            break
        D *= 1.03
        shift *= 0.8
    return homography(corners, img), img, dict(tilt_deg=round(math.degrees(tilt), 2),
                                               roll_deg=round(math.degrees(roll), 2),
                                               tilt_dir_deg=round(math.degrees(phi), 1), distance_mm=round(D, 1))


def photograph_and_scan(rng, scene, cap, s, margin):
    """scene: (3, H, W) radiance factor on the page canvas (page mm (x, y) at px (x + margin)·s − 0.5).
    Returns the delivered image (uint8 H×W×3), the page-mm -> delivered-px homography and the meta."""
    sw, sh = cap["frame"]
    Hc, corners_px, cam = camera_h(rng, cap)
    Hinv = np.linalg.inv(Hc)
    # the room: a ceiling light (warm, neutral or daylight LED), the phone's shadow, vignetting
    light = [("warm", np.array([1.0, 0.8, 0.58])), ("neutral", np.array([1.0, 0.93, 0.84])),
             ("daylight", np.array([0.92, 0.98, 1.0]))][rng.integers(3)]
    Lpos = np.array([uni(rng, -900, 1100) + PAGE_W / 2, uni(rng, -900, 1100) + PAGE_H / 2, uni(rng, 1200, 2000)])
    shadow = rng.random() < 0.75
    sh_c = np.array([uni(rng, 20, 190), uni(rng, 200, 330)])  # the phone's shadow falls towards the user
    sh_size = np.array([uni(rng, 65, 90), uni(rng, 130, 170)])
    sh_ang = math.radians(uni(rng, -25, 25))
    sh_pen = uni(rng, 8, 25)
    sh_depth = uni(rng, 0.12, 0.35)
    sh_blue = rng.random() < 0.6
    vign = uni(rng, 0.06, 0.16)
    # anti-aliasing of the scene before it is sampled at the photo
    sig = 0.5 * s / cap["photo_px_mm"]
    pre = np.stack([ndimage.gaussian_filter(c, sig) for c in scene]) if sig > 0.3 else scene
    Hs, Ws = scene.shape[1:]
    cval = float(np.percentile(scene[:, :, :int(margin * s * 0.5)], 50))
    photo = np.empty((3, sh, sw), np.float32)
    step = 256
    xs = np.arange(sw, dtype=np.float64)
    for y0 in range(0, sh, step):
        ys = np.arange(y0, min(sh, y0 + step), dtype=np.float64)
        X, Y = np.meshgrid(xs, ys)
        q = np.stack([X.ravel(), Y.ravel(), np.ones(X.size)], 1) @ Hinv.T
        mx = q[:, 0] / q[:, 2]
        my = q[:, 1] / q[:, 2]
        ci = (mx + margin) * s - 0.5
        cj = (my + margin) * s - 0.5
        for k in range(3):
            photo[k, y0:y0 + len(ys)] = ndimage.map_coordinates(pre[k], [cj, ci], order=1, cval=cval,
                                                                prefilter=False).reshape(X.shape)
        # irradiance at each page point: cosine / r² from the ceiling light
        dx, dy = mx - Lpos[0], my - Lpos[1]
        r2 = dx * dx + dy * dy + Lpos[2] ** 2
        E = (Lpos[2] / np.sqrt(r2)) / r2
        E0 = 1.0 / Lpos[2] ** 2
        E = E / E0
        if shadow:
            ca, sa = math.cos(sh_ang), math.sin(sh_ang)
            u = (mx - sh_c[0]) * ca + (my - sh_c[1]) * sa
            v = -(mx - sh_c[0]) * sa + (my - sh_c[1]) * ca
            inside = (1 / (1 + np.exp((np.abs(u) - sh_size[0] / 2) / (sh_pen / 4)))) * \
                     (1 / (1 + np.exp((np.abs(v) - sh_size[1] / 2) / (sh_pen / 4))))
            S = 1 - sh_depth * inside
        else:
            S = np.ones_like(E)
        rr = ((X.ravel() - sw / 2) ** 2 + (Y.ravel() - sh / 2) ** 2) / ((sw / 2) ** 2 + (sh / 2) ** 2)
        V = 1 - vign * rr
        for k in range(3):
            tint = light[1][k]
            Sk = S
            if shadow and sh_blue:  # the shadow is lit by the bluer sky/fill: less deep in blue
                Sk = 1 - (1 - S) * (0.8 if k == 2 else 1.05)
            photo[k, y0:y0 + len(ys)] *= (E * Sk * V * tint).reshape(X.shape).astype(np.float32)
    del pre
    # the lens (Gaussian blur), exposure, shot and read noise
    lens = uni(rng, 0.5, 0.95)
    for k in range(3):
        photo[k] = ndimage.gaussian_filter(photo[k], lens)
    full_well = uni(rng, 3500, 9000)
    paper_level = float(np.percentile(photo[1], 90))
    expo = uni(rng, 0.62, 0.76) / max(paper_level, 1e-6)
    e = np.clip(photo * expo, 0, None) * full_well
    e += rng.normal(0, 1, e.shape).astype(np.float32) * np.sqrt(e + uni(rng, 2, 4.5) ** 2)
    raw = np.clip(e / full_well, 0, 1)
    del e, photo
    # the phone's ISP: auto white balance from the page's brightest quarter, off a little; sRGB with an S
    cy0, cx0 = sh // 4, sw // 4
    centre = raw[:, cy0:3 * cy0, cx0:3 * cx0].reshape(3, -1)
    ref = np.percentile(centre, 85, axis=1)
    wb = ref[1] / ref * (1 + rng.normal(0, 0.025, 3))
    target = uni(rng, 0.78, 0.9)
    gain = target / ref[1]
    raw = raw * (wb * gain)[:, None, None].astype(np.float32)
    srgb = np.where(raw <= 0.0031308, 12.92 * raw, 1.055 * np.power(np.clip(raw, 0.0031308, None), 1 / 2.4) - 0.055)
    S_amt = uni(rng, 0.05, 0.2)
    srgb = srgb + S_amt * srgb * (1 - srgb) * (2 * srgb - 1)
    del raw
    photo8 = (np.clip(srgb, 0, 1) * 255 + 0.5).astype(np.uint8).transpose(1, 2, 0)
    del srgb
    # the phone's own JPEG, which the app reads back
    from PIL import Image
    buf = io.BytesIO()
    Image.fromarray(photo8, "RGB").save(buf, "JPEG", quality=int(rng.integers(88, 96)))
    photo8 = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))

    # the app: its corners off by a few pixels, the page flattened to A4 at its size
    dpi = cap["dpi"]
    Wout = int(round(PAGE_W / 25.4 * dpi))
    Hout = int(round(PAGE_H / 25.4 * dpi))
    err = uni(rng, 1.0, 4.0)
    est = corners_px + rng.normal(0, err, (4, 2))
    out_corners = [(-0.5, -0.5), (Wout - 0.5, -0.5), (Wout - 0.5, Hout - 0.5), (-0.5, Hout - 0.5)]
    Happ = homography(est, out_corners)
    Happ_inv = np.linalg.inv(Happ)
    ratio = cap["photo_px_mm"] / (dpi / 25.4)  # photo px per output px
    src = photo8.astype(np.float32) / 255.0
    if ratio > 1.1:
        sig = 0.45 * ratio
        src = np.stack([ndimage.gaussian_filter(src[:, :, k], sig) for k in range(3)], 2)
    out = np.empty((Hout, Wout, 3), np.float32)
    xs = np.arange(Wout, dtype=np.float64)
    for y0 in range(0, Hout, 256):
        ys = np.arange(y0, min(Hout, y0 + 256), dtype=np.float64)
        X, Y = np.meshgrid(xs, ys)
        q = np.stack([X.ravel(), Y.ravel(), np.ones(X.size)], 1) @ Happ_inv.T
        px = q[:, 0] / q[:, 2]
        py = q[:, 1] / q[:, 2]
        for k in range(3):
            out[y0:y0 + len(ys), :, k] = ndimage.map_coordinates(src[:, :, k], [py, px], order=1, mode="nearest",
                                                                 prefilter=False).reshape(X.shape)
    del src, photo8
    out_px_mm = dpi / 25.4
    r = rng.random()
    mode = "enhance" if r < 0.55 else ("brighten" if r < 0.8 else "original")
    app = dict(mode=mode, corner_error_px=round(err, 2))
    if mode in ("enhance", "brighten"):
        blk = max(2, int(round(out_px_mm * 1.0)))
        win_mm = uni(rng, 25, 60)
        hb, wb_ = Hout // blk, Wout // blk
        bg = np.empty((hb, wb_, 3), np.float32)
        for k in range(3):
            ch = ndimage.gaussian_filter(out[:hb * blk, :wb_ * blk, k], 1.0)
            bg[:, :, k] = ch.reshape(hb, blk, wb_, blk).max(axis=(1, 3))
            kk = max(3, int(round(win_mm / (blk / out_px_mm))) | 1)
            bg[:, :, k] = ndimage.maximum_filter(bg[:, :, k], size=kk, mode="nearest")
            bg[:, :, k] = ndimage.gaussian_filter(bg[:, :, k], kk / 4.0, mode="nearest")
        bgf = np.stack([ndimage.zoom(bg[:, :, k], (Hout / hb, Wout / wb_), order=1, mode="nearest")[:Hout, :Wout]
                        for k in range(3)], 2)
        if bgf.shape[:2] != (Hout, Wout):
            bgf = np.pad(bgf, ((0, Hout - bgf.shape[0]), (0, Wout - bgf.shape[1]), (0, 0)), mode="edge")
        bgf = np.clip(bgf, 0.05, None)
        app["window_mm"] = round(win_mm, 1)
        if mode == "enhance":
            wp, bp = uni(rng, 0.88, 0.95), uni(rng, 0.03, 0.1)
            sat, sharp, sig_s = uni(rng, 1.15, 1.35), uni(rng, 0.6, 1.2), uni(rng, 1.0, 1.8)
            out = out / bgf / wp
            out = (out - bp) / (1 - bp)
        else:
            alpha = uni(rng, 0.6, 0.85)
            wp, bp = uni(rng, 0.93, 0.99), 0.0
            sat, sharp, sig_s = uni(rng, 1.05, 1.15), uni(rng, 0.2, 0.5), uni(rng, 1.0, 1.6)
            paper = np.percentile(out / np.power(bgf, alpha), 90, axis=(0, 1))
            out = out / np.power(bgf, alpha) / (paper * wp)
        del bgf
        Y = out @ np.array([0.299, 0.587, 0.114], np.float32)
        out = Y[:, :, None] + (out - Y[:, :, None]) * sat
        blur = ndimage.gaussian_filter(Y, sig_s)
        out = out + (sharp * (Y - blur))[:, :, None]
        app.update(white=round(wp, 3), black=round(bp, 3), saturation=round(sat, 3), sharpen=round(sharp, 2),
                   sharpen_sigma_px=round(sig_s, 2))
    else:
        Y = out @ np.array([0.299, 0.587, 0.114], np.float32)
        w = float(np.percentile(Y, 99.5)) / uni(rng, 0.97, 1.0)
        out = out / w
        app.update(white=round(w, 3))
    img = (np.clip(out, 0, 1) * 255 + 0.5).astype(np.uint8)
    del out
    P = Happ @ Hc  # page mm -> delivered px
    # dpi and skew read off the mid-lines, in the delivered pixels
    a, b = apply_h(P, [(0, PAGE_H / 2), (PAGE_W, PAGE_H / 2)])
    c, d = apply_h(P, [(PAGE_W / 2, 0), (PAGE_W / 2, PAGE_H)])
    wpx, hpx = np.hypot(*(b - a)), np.hypot(*(d - c))
    true_dpi = math.sqrt(wpx / (PAGE_W / 25.4) * hpx / (PAGE_H / 25.4))
    skew = (math.degrees(math.atan2(b[1] - a[1], b[0] - a[0])) + math.degrees(math.atan2(-(d[0] - c[0]), d[1] - c[1]))) / 2
    r = rng.random()
    ext = "png" if r < 0.12 else "jpg"
    r = rng.random()
    if ext == "jpg":
        file_dpi = dpi if r < 0.3 else (72 if r < 0.7 else None)
    else:
        file_dpi = dpi if r < 0.5 else None
    meta = dict(dpi=true_dpi, dpi_in_file=file_dpi == dpi, file_dpi=file_dpi, skew_deg=skew, ext=ext,
                quality=int(rng.integers(60, 93)), subsampling=(2 if rng.random() < 0.75 else 0),
                phone=dict(sensor=cap["sensor"], lens_sigma_px=round(lens, 2), full_well=int(full_well),
                           light=light[0], shadow=shadow, shadow_depth=round(sh_depth, 2) if shadow else 0,
                           vignetting=round(vign, 3), **cam),
                app=app)
    meta["app"]["file_dpi"] = file_dpi
    if ext == "jpg":
        meta["app"]["jpeg_quality"] = meta["quality"]
        meta["app"]["subsampling"] = "4:2:0" if meta["subsampling"] == 2 else "4:4:4"
    return img, P, meta


def mask_to_output(cov, ox, oy, s, margin, P, Wout, Hout):
    """An impression's coverage on the render grid (crop at ox, oy) -> a 0/1 mask in delivered px."""
    h, w = cov.shape
    corners = [((ox - 0.5 + x) / s - margin, (oy - 0.5 + y) / s - margin) for x in (0, w) for y in (0, h)]
    q = apply_h(P, corners)
    x0 = max(0, int(math.floor(q[:, 0].min())) - 2)
    y0 = max(0, int(math.floor(q[:, 1].min())) - 2)
    x1 = min(Wout, int(math.ceil(q[:, 0].max())) + 3)
    y1 = min(Hout, int(math.ceil(q[:, 1].max())) + 3)
    if x1 <= x0 or y1 <= y0:
        return None, 0, 0
    # the delivered pixel's size in render px, for the pre-filter
    pa = apply_h(P, [(0, 0), (10, 0)])
    out_per_mm = np.hypot(*(pa[1] - pa[0])) / 10.0
    sig = 0.42 * s / out_per_mm
    src = ndimage.gaussian_filter(cov, sig) if sig > 0.3 else cov
    Pinv = np.linalg.inv(P)
    X, Y = np.meshgrid(np.arange(x0, x1, dtype=np.float64), np.arange(y0, y1, dtype=np.float64))
    mm = apply_h(Pinv, np.column_stack([X.ravel(), Y.ravel()]))
    ci = (mm[:, 0] + margin) * s - 0.5 - ox
    cj = (mm[:, 1] + margin) * s - 0.5 - oy
    v = ndimage.map_coordinates(src, [cj, ci], order=1, cval=0.0, prefilter=False).reshape(X.shape)
    m = (v >= 0.5).astype(np.uint8)
    if m.sum() == 0:
        return m[:1, :1], x0, y0
    rows = np.nonzero(m.any(1))[0]
    cols = np.nonzero(m.any(0))[0]
    return m[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1], x0 + cols[0], y0 + rows[0]


def delivered_density_area(lin, P, inner, mask, mx0, my0):
    """The share of a box (2 mm inside its rules, ink excluded) whose optical density in the
    delivered image (linear light, strongest channel) is ≥ 0.1 over the paper around the box."""
    x0, y0, x1, y1 = inner
    H, W = lin.shape[:2]

    def sample(xs, ys):
        X, Y = np.meshgrid(xs, ys)
        q = apply_h(P, np.column_stack([X.ravel(), Y.ravel()]))
        xi = np.clip(np.round(q[:, 0]).astype(int), 0, W - 1)
        yi = np.clip(np.round(q[:, 1]).astype(int), 0, H - 1)
        return xi, yi
    xi, yi = sample(np.arange(x0 - 9, x1 + 9, 0.5), np.arange(y0 - 9, y1 + 9, 0.5))
    X, Y = np.meshgrid(np.arange(x0 - 9, x1 + 9, 0.5), np.arange(y0 - 9, y1 + 9, 0.5))
    X, Y = X.ravel(), Y.ravel()
    d_out = np.maximum.reduce([x0 - X, X - x1, y0 - Y, Y - y1])
    ring = (d_out >= 3) & (d_out <= 9)
    ref = np.percentile(lin[yi[ring], xi[ring]], 90, axis=0)
    bx, by = sample(np.arange(x0 + 2, x1 - 2, 0.25), np.arange(y0 + 2, y1 - 2, 0.25))
    keep = np.ones(len(bx), bool)
    if mask is not None:
        mk = ndimage.binary_dilation(mask > 0, iterations=2)
        inside = (bx >= mx0) & (bx < mx0 + mk.shape[1]) & (by >= my0) & (by < my0 + mk.shape[0])
        keep[inside] = ~mk[by[inside] - my0, bx[inside] - mx0]
    vals = lin[by[keep], bx[keep]]
    dens = (-np.log10(np.clip(vals / np.maximum(ref, 1e-4), 1e-4, None))).max(1)
    return float((dens >= 0.1).mean()) if len(dens) else 0.0


def save(img, path, meta):
    from PIL import Image
    im = Image.fromarray(img, "RGB")
    kw = {}
    if meta["file_dpi"]:
        kw["dpi"] = (meta["file_dpi"], meta["file_dpi"])
    if meta["ext"] == "jpg":
        im.save(path, "JPEG", quality=meta["quality"], subsampling=meta["subsampling"], **kw)
    else:
        im.save(path, "PNG", **kw)
