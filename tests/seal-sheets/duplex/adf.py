# Maker L's capture: a high-speed duplex document scanner (高速扫描仪, an ADF with a CCD for each
# side): the sheet pulled through skewed and a little off-centre by the feed rollers, its speed off
# nominal, the black backing of the opposite unit beyond it and, through the paper, the sheet's own
# back page; reduction optics (a core and a flare), shot and read noise, dust on the glass as a
# streak down the feed; then the driver: edge detection against the black, deskew by the angle it
# found, crop to the page it found, its tone curve and background whitening, and its codec.
import math
import os

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

RAW_W_MM = 228.0  # the CCD's scan width with overscan


def draw(r, dpi):
    s = {"dpi": dpi}
    s["skew"] = r.normal(0, 0.3) if r.random() < 0.5 else r.uniform(0.5, 2.4) * (1 if r.random() < 0.5 else -1)
    s["shift"] = (r.uniform(-1.5, 1.5), r.uniform(4, 8))
    s["speed"] = r.uniform(-0.006, 0.006)  # the rollers' speed error: the page stretched along the feed
    s["core_mm"] = r.uniform(0.03, 0.055)
    s["flare"] = (r.uniform(0.01, 0.035), r.uniform(1.0, 3.0))
    s["full_well"] = r.uniform(10000, 30000)
    s["read"] = r.uniform(0.001, 0.003)
    s["shading"] = r.uniform(0.002, 0.008)
    s["gains"] = 1 + r.normal(0, 0.008, 3)
    s["backing"] = r.uniform(0.025, 0.05)
    s["dust"] = [(r.uniform(0.05, 0.95), int(r.integers(1, 4)), r.uniform(0.04, 0.14))
                 for _ in range(int(r.choice([0, 1, 2], p=[0.65, 0.25, 0.1])))]
    s["show"] = r.uniform(0.015, 0.05) if r.random() < 0.8 else 0.0
    s["deskew"] = r.random() < 0.9
    s["angle_err"] = r.normal(0, 0.07)
    s["centre_err"] = (r.normal(0, 0.2), r.normal(0, 0.2))
    s["crop_err"] = (int(r.integers(-3, 4)), int(r.integers(-3, 4)))
    s["white"] = r.uniform(0.93, 0.985)
    s["black"] = r.uniform(0.015, 0.045)
    s["gamma"] = r.uniform(1.9, 2.3)
    s["sharpen"] = (r.uniform(0.7, 1.3), r.uniform(0.2, 0.6))
    u = r.random()
    s["codec"] = "jpg" if u < 0.7 else ("tif" if u < 0.85 else "png")
    s["quality"] = int(r.integers(70, 91))
    s["subsampling"] = 2 if r.random() < 0.75 else 1
    s["tiff_comp"] = "tiff_lzw" if r.random() < 0.6 else "tiff_deflate"
    s["dpi_in_file"] = r.random() < 0.85
    s["noise_seed"] = int(r.integers(1 << 30))
    return s


def back_page(r, H, W, px_mm):
    """The sheet's back page (the application's next page, printed text) as the front sees it:
    mirrored and blurred by the paper; coverage-like 0..1 at the render grid."""
    g = 2.0  # px per mm of the coarse grid
    h, w = int(297 * g), int(210 * g)
    a = np.zeros((h, w), np.float32)
    if r.random() < 0.2:
        return np.zeros((H, W), np.float32)  # a one-sided form: nothing on the back
    top = r.uniform(20, 30)
    pitch = r.uniform(6.0, 7.5)
    y = top
    x_l, x_r = r.uniform(18, 25), r.uniform(185, 192)
    while y < 275:
        if r.random() < 0.12:  # a paragraph break or a table rule
            if r.random() < 0.5:
                a[int(y * g), int(x_l * g):int(x_r * g)] = 1.0
            y += pitch
            continue
        x = x_l + (r.uniform(7, 9) if r.random() < 0.3 else 0)
        end = x_r if r.random() < 0.8 else r.uniform(60, x_r)
        while x < end:
            ln = r.uniform(3.5, 18)
            a[int(y * g):int((y + 3.2) * g), int(x * g):int(min(end, x + ln) * g)] = r.uniform(0.45, 0.65)
            x += ln + r.uniform(0.8, 2.5)
        y += pitch
    a = a[:, ::-1]  # seen from the front
    a = ndi.gaussian_filter(a, r.uniform(0.35, 0.7) * g)
    return ndi.zoom(a, (H / h, W / w), order=1)[:H, :W].astype(np.float32)


def _mat(a, b, c, d, e, f):
    return np.array([[a, b, c], [d, e, f], [0, 0, 1.0]])


def geometry(s, px_mm):
    d_mm = s["dpi"] / 25.4
    th = math.radians(s["skew"])
    ct, st = math.cos(th), math.sin(th)
    raw_len = 297.0 * (1 + s["speed"]) + 14.0
    Wr, Hr = int(round(RAW_W_MM * d_mm)), int(round(raw_len * d_mm))
    C_page = np.array([105.0, 148.5])
    C_raw = np.array([RAW_W_MM / 2 + s["shift"][0], s["shift"][1] + 297.0 * (1 + s["speed"]) / 2])
    S = np.diag([1.0, 1 + s["speed"]])
    Rm = np.array([[ct, -st], [st, ct]])
    F = S @ Rm  # page mm -> raw mm about the centres
    page2raw = np.eye(3)
    page2raw[:2, :2] = F
    page2raw[:2, 2] = C_raw - F @ C_page
    ren2mm = _mat(1 / px_mm, 0, 0.5 / px_mm, 0, 1 / px_mm, 0.5 / px_mm)
    mm2raw = _mat(d_mm, 0, -0.5, 0, d_mm, -0.5)
    ren2raw = mm2raw @ page2raw @ ren2mm
    # the driver: the page it finds
    if s["deskew"]:
        the = th + math.radians(s["angle_err"])
        Wo = int(round(210.0 * d_mm)) + s["crop_err"][0]
        Ho = int(round(297.0 * (1 + s["speed"]) * d_mm)) + s["crop_err"][1]
    else:
        the = 0.0
        ex = 105 * abs(ct) + 148.5 * abs(st) + 1.0
        ey = (105 * abs(st) + 148.5 * abs(ct)) * (1 + s["speed"]) + 1.0
        Wo = int(round(2 * ex * d_mm)) + s["crop_err"][0]
        Ho = int(round(2 * ey * d_mm)) + s["crop_err"][1]
    C_det = C_raw + np.array(s["centre_err"])
    ce, se = math.cos(the), math.sin(the)
    out2outmm = _mat(1 / d_mm, 0, 0.5 / d_mm, 0, 1 / d_mm, 0.5 / d_mm)
    C_out = np.array([Wo / 2 / d_mm, Ho / 2 / d_mm])
    Re = np.array([[ce, -se], [se, ce]])
    outmm2rawmm = np.eye(3)
    outmm2rawmm[:2, :2] = Re
    outmm2rawmm[:2, 2] = C_det - Re @ C_out
    out2raw = mm2raw @ outmm2rawmm @ out2outmm
    ren2out = np.linalg.inv(out2raw) @ ren2raw
    return {"Wr": Wr, "Hr": Hr, "Wo": Wo, "Ho": Ho, "ren2raw": ren2raw, "out2raw": out2raw,
            "ren2out": ren2out, "page2raw": page2raw, "mm2raw": mm2raw, "d_mm": d_mm}


def _affine(src, M_out2in, out_shape, out_origin=(0, 0), in_origin=(0, 0), order=1, cval=0.0):
    """src sampled at M_out2in (x, y, 1 convention) over an output window whose (0, 0) is out_origin
    (x, y) in output pixels; src's (0, 0) is in_origin (x, y) in input pixels."""
    M = M_out2in
    mat = np.array([[M[1, 1], M[1, 0]], [M[0, 1], M[0, 0]]])
    o = np.array([out_origin[1], out_origin[0]], float)
    t = np.array([M[1, 2], M[0, 2]]) + mat @ o - np.array([in_origin[1], in_origin[0]], float)
    return ndi.affine_transform(src, mat, offset=t, output_shape=out_shape, order=order, mode="constant",
                                cval=cval, prefilter=False)


def scan(r, holder, px_mm, s):
    """holder: [page], page (3, H, W) linear reflectance at the render grid (taken out of the list so it
    can be freed once read). Returns the delivered image (H, W, 3) in 0..1 sRGB-ish and the geometry."""
    page = holder.pop()
    g = geometry(s, px_mm)
    rn = np.random.default_rng(s["noise_seed"])
    ratio = px_mm / g["d_mm"]
    sig = 0.42 * ratio if ratio > 1.0 else 0.35
    raw2ren = np.linalg.inv(g["ren2raw"])
    Hr, Wr = g["Hr"], g["Wr"]
    raw = np.empty((3, Hr, Wr), np.float32)
    # which raw pixels see the page (its outline through the map), for the backing beyond it
    H, W = page.shape[1:]
    inside = _affine(np.ones((H, W), np.float32), raw2ren, (Hr, Wr), order=1, cval=0.0)
    backing = s["backing"] * (1 + 0.15 * ndi.gaussian_filter(rn.normal(0, 1, (Hr, Wr)).astype(np.float32), 3))
    for c in range(3):
        pre = ndi.gaussian_filter(page[c], sig, truncate=3.0)
        raw[c] = _affine(pre, raw2ren, (Hr, Wr), order=1, cval=0.0) + (1 - inside) * backing
        del pre
        page[c] = 0
    del inside, backing, page
    # reduction optics: a core and a flare
    core = s["core_mm"] * g["d_mm"]
    fl, fl_mm = s["flare"]
    k = 8  # the flare is broad: worked out on a grid 8 times coarser
    for c in range(3):
        x = ndi.gaussian_filter(raw[c], core, truncate=3.0)
        hh, ww = x.shape[0] // k * k, x.shape[1] // k * k
        small = x[:hh, :ww].reshape(hh // k, k, ww // k, k).mean(axis=(1, 3))
        small = ndi.gaussian_filter(small, fl_mm * g["d_mm"] / k, mode="nearest")
        big = ndi.zoom(small, k, order=1, mode="nearest")
        flare = np.pad(big, ((0, x.shape[0] - big.shape[0]), (0, x.shape[1] - big.shape[1])), mode="edge")
        raw[c] = (1 - fl) * x + fl * flare
        del x, flare, big
    # the lamp's and CCD's residual shading across, channel gains, dust on the glass down the feed
    u = np.linspace(-1, 1, Wr, dtype=np.float32)
    shade = 1 - s["shading"] * u * u + 0.002 * np.sin(u * 7 + rn.uniform(0, 6))
    dust = np.ones(Wr, np.float32)
    for pos, wpx, depth in s["dust"]:
        i0 = int(pos * Wr)
        dust[i0:i0 + wpx] *= 1 - depth
    for c in range(3):
        raw[c] *= (shade * dust * s["gains"][c])[None, :]
        # shot and read noise, 12 bits
        fw = s["full_well"] * 1.05
        x = np.maximum(raw[c], 0)
        raw[c] = x + np.sqrt(x / fw) * rn.standard_normal(x.shape, dtype=np.float32) \
            + s["read"] * rn.standard_normal(x.shape, dtype=np.float32)
        del x
    raw = np.round(np.clip(raw, 0, 1) * 4095) / 4095
    # the driver: deskew and crop (bilinear), then tone
    Ho, Wo = g["Ho"], g["Wo"]
    out = np.empty((Ho, Wo, 3), np.float32)
    for c in range(3):
        out[..., c] = _affine(raw[c], g["out2raw"], (Ho, Wo), order=1, cval=s["backing"])
    del raw
    # background whitening: the paper's level (the luma's 92nd percentile) to the white point
    luma = out[::4, ::4] @ np.array([0.2126, 0.7152, 0.0722], np.float32)
    paper = float(np.percentile(luma, 92))
    v = out
    for c in range(3):  # channel by channel, in place
        x = np.clip(v[..., c] * (s["white"] / paper), 0, None)
        lo = x <= 0.0031308
        x = np.where(lo, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)
        x = x ** (2.2 / s["gamma"])
        v[..., c] = np.clip((x - s["black"]) / (1 - s["black"]), 0, 1)
        del x, lo
    # the driver's sharpening of luma
    sg, amt = s["sharpen"]
    lum = v @ np.array([0.299, 0.587, 0.114], np.float32)
    det = lum - ndi.gaussian_filter(lum, sg)
    for c in range(3):
        v[..., c] = np.clip(v[..., c] + amt * det, 0, 1)
    del det, lum
    fwd_m = g["ren2out"]

    def fwd(x, y):
        p = fwd_m @ np.array([x, y, 1.0])
        return float(p[0]), float(p[1])

    mm2out = np.linalg.inv(g["out2raw"]) @ g["mm2raw"] @ g["page2raw"]
    a = mm2out @ np.array([40.0, 148.5, 1])
    b = mm2out @ np.array([170.0, 148.5, 1])
    skew = math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
    geo = {"fwd": fwd, "skew_deg": skew, "g": g, "sig": sig}
    return v, geo


def warp_mask(cover, fx0, fy0, geo, s):
    """An impression's coverage (render grid, origin fx0, fy0) through the same two maps as the page:
    the sensor's pre-filter and the feed onto the raw grid, then the driver's deskew and crop."""
    g = geo["g"]
    pre = ndi.gaussian_filter(cover.astype(np.float32), geo["sig"], truncate=3.0)
    h, w = cover.shape

    def box_of(M, x0, y0, x1, y1):
        pts = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], float).T
        q = M @ pts
        return (int(math.floor(q[0].min())) - 2, int(math.floor(q[1].min())) - 2,
                int(math.ceil(q[0].max())) + 3, int(math.ceil(q[1].max())) + 3)

    rx0, ry0, rx1, ry1 = box_of(g["ren2raw"], fx0, fy0, fx0 + w, fy0 + h)
    rawp = _affine(pre, np.linalg.inv(g["ren2raw"]), (ry1 - ry0, rx1 - rx0), (rx0, ry0), (fx0, fy0), order=1)
    ox0, oy0, ox1, oy1 = box_of(np.linalg.inv(g["out2raw"]), rx0, ry0, rx1, ry1)
    ox0, oy0 = max(0, ox0), max(0, oy0)
    ox1, oy1 = min(g["Wo"], ox1), min(g["Ho"], oy1)
    outp = _affine(rawp, g["out2raw"], (oy1 - oy0, ox1 - ox0), (ox0, oy0), (rx0, ry0), order=1)
    m = outp >= 0.5
    ys, xs = np.nonzero(m)
    if len(xs) == 0:
        return np.zeros((1, 1), np.uint8), (ox0, oy0)
    m = m[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    return (m * 255).astype(np.uint8), (ox0 + int(xs.min()), oy0 + int(ys.min()))


def deliver(v, geo, s, stem):
    img = Image.fromarray(np.round(v * 255).astype(np.uint8), "RGB")
    dpi = s["dpi"]
    kw = {}
    if s["dpi_in_file"]:
        kw["dpi"] = (dpi, dpi)
    ext = s["codec"]
    if ext == "jpg":
        img.save(stem + ".jpg", quality=s["quality"], subsampling=s["subsampling"], optimize=True, **kw)
    elif ext == "tif":
        img.save(stem + ".tif", compression=s["tiff_comp"], **kw)
    else:
        img.save(stem + ".png", compress_level=4, **kw)
    meta = {"route": "duplex ADF scanner, driver deskew and crop", "codec": ext, "dpi_in_file": s["dpi_in_file"],
            "skew_fed_deg": round(s["skew"], 3), "deskew": s["deskew"], "speed_error": round(s["speed"], 4),
            "show_through": round(s["show"], 3), "dust_streaks": len(s["dust"]),
            "quality": s["quality"] if ext == "jpg" else None}
    return ext, meta
