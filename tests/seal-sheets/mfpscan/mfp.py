"""Maker J's capture: an office multi-function printer's platen scan (scan-to-e-mail / -folder)
and its "text/photo" copy path, then what reaches the counter: the e-mailed JPEG, the TIFF from
the shared folder, or a compact PDF (mixed raster content: a 1-bit mask at full resolution over a
low-resolution foreground colour layer and a low-resolution background, both JPEG) turned back
into an image by the counter's PDF viewer. numpy, SciPy's FFT and ndimage, Pillow's codecs."""
import io
import math
import os

import numpy as np
from PIL import Image
from scipy import fft as sfft
from scipy import ndimage


def u(rng, a, b):
    return float(rng.uniform(a, b))


def srgb(x):
    x = np.clip(x, 0, 1)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055).astype(np.float32)


def capture(rng, holder, k, dpi, ppm):
    """refl: linear reflectance at the render grid (k × the scan's). Returns the processed scan as
    uint8 RGB and the capture's parameters."""
    refl = holder.pop()
    H, W, _ = refl.shape
    Hs, Ws = H // k, W // k
    if k > 1:
        img = refl.reshape(Hs, k, Ws, k, 3).mean(axis=(1, 3), dtype=np.float32)
    else:
        img = refl
    del refl
    spmm = dpi / 25.4
    # optics: a stretched-exponential MTF exp(-(f/fc)^b), applied by FFT
    fc = u(rng, 6.0, 10.0)
    beta = u(rng, 1.4, 1.8)
    fy = sfft.fftfreq(Hs).astype(np.float32)[:, None] * spmm
    fx = sfft.rfftfreq(Ws).astype(np.float32)[None, :] * spmm
    mtf = np.exp(-np.power(np.hypot(fy, fx) / fc, beta)).astype(np.float32)
    # the lamp: fall-off across the carriage, a ripple of its LED drive along the travel
    fall = u(rng, 0.005, 0.015)
    xs = (np.arange(Ws, dtype=np.float32) / Ws * 2 - 1)
    rip_a, rip_p = u(rng, 0.002, 0.006), u(rng, 2.0, 8.0)
    ys = np.arange(Hs, dtype=np.float32) / spmm
    gcol = (1 - fall * xs ** 2)[None, :]
    grow = (1 + rip_a * np.sin(2 * math.pi * ys / rip_p + u(rng, 0, 6.3)))[:, None]
    chg = np.array([u(rng, 0.985, 1.015), 1.0, u(rng, 0.985, 1.015)], np.float32)
    fw = u(rng, 6000, 20000)
    rn = u(rng, 0.001, 0.003)
    lut = srgb(np.arange(1024, dtype=np.float32) / 1023)
    enc = np.empty((Hs, Ws, 3), np.float32)
    for c in range(3):
        F = sfft.rfft2(img[..., c], workers=1)
        F *= mtf
        s = sfft.irfft2(F, s=(Hs, Ws), workers=1)
        del F
        s *= gcol
        s *= grow
        s *= chg[c]
        np.clip(s, 0, 1.2, out=s)
        noise = rng.standard_normal((Hs, Ws), dtype=np.float32)
        noise *= np.sqrt(s / fw + rn * rn)
        s += noise
        del noise
        np.clip(s, 0, 1, out=s)
        s *= 1023
        s += 0.5
        enc[..., c] = lut[s.astype(np.uint16)]
        del s
    del img, mtf
    # the scanner's encoding and its text/photo path
    Y = 0.299 * enc[..., 0] + 0.587 * enc[..., 1] + 0.114 * enc[..., 2]
    cen = Y[Hs // 5: 4 * Hs // 5: 3, Ws // 5: 4 * Ws // 5: 3]
    hist, edges = np.histogram(cen[cen > 0.55], bins=200, range=(0.55, 1.0))
    peak = float(edges[int(np.argmax(hist))] + 0.5 * (edges[1] - edges[0])) if hist.sum() else 0.95
    wp = peak * u(rng, 0.955, 0.985)
    bp = u(rng, 0.02, 0.06)
    enc -= bp
    enc *= 1 / (wp - bp)
    np.clip(enc, 0, 1, out=enc)
    sd = u(rng, 0.55, 1.0) if dpi >= 300 else u(rng, 0.35, 0.6)
    for c in range(3):
        enc[..., c] = ndimage.gaussian_filter(enc[..., c], sd, truncate=3.0)
    Y = 0.299 * enc[..., 0] + 0.587 * enc[..., 1] + 0.114 * enc[..., 2]
    us, ua = u(rng, 1.2, 1.8), u(rng, 0.4, 0.9)
    sharp = Y - ndimage.gaussian_filter(Y, us, truncate=3.0)
    sharp *= ua
    sat = u(rng, 1.0, 1.12)
    img8 = np.empty(enc.shape, np.uint8)
    for c in range(3):
        ch = enc[..., c]
        ch -= Y
        ch *= sat
        ch += Y
        ch += sharp
        np.clip(ch, 0, 1, out=ch)
        ch *= 255
        ch += 0.5
        img8[..., c] = ch
    del enc
    info = {"mtf_fc_cyc_mm": round(fc, 2), "mtf_beta": round(beta, 2), "lamp_falloff": round(fall, 4),
            "ripple": [round(rip_a, 4), round(rip_p, 2)], "full_well": int(fw), "white_point": round(wp, 3),
            "black_point": round(bp, 3), "descreen_px": round(sd, 2), "unsharp": [round(us, 2), round(ua, 2)],
            "saturation": round(sat, 3)}
    return img8, info


def _jpeg_roundtrip(a, q, sub=2):
    b = io.BytesIO()
    Image.fromarray(a).save(b, "JPEG", quality=int(q), subsampling=sub)
    b.seek(0)
    return np.asarray(Image.open(b).convert("RGB"))


def _blockmean(a, f):
    H, W = a.shape[:2]
    Hp, Wp = -(-H // f) * f, -(-W // f) * f
    pad = [(0, Hp - H), (0, Wp - W)] + [(0, 0)] * (a.ndim - 2)
    a = np.pad(a, pad, mode="edge")
    return a.reshape(Hp // f, f, Wp // f, f, *a.shape[2:]).mean(axis=(1, 3))


def mrc(rng, img8, dpi):
    """A compact PDF's layers and their composition as a viewer renders them at the scan's size."""
    H, W, _ = img8.shape
    f = img8.astype(np.float32) / 255
    Y = 0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]
    win = max(5, int(dpi / 25.4 * 1.2))
    bg_est = ndimage.gaussian_filter(ndimage.maximum_filter(Y, win), win / 3)
    thr = u(rng, 0.16, 0.26)
    m = Y < bg_est - thr
    ff = max(2, dpi // 100)     # foreground colour layer: 1/ff resolution
    fb = int(rng.choice([2, 3]))  # background layer: 1/fb resolution
    mf = m.astype(np.float32)
    num = _blockmean(f * mf[..., None], ff)
    den = _blockmean(mf, ff)
    ns = ndimage.gaussian_filter(num, (1.5, 1.5, 0))
    ds = ndimage.gaussian_filter(den, 1.5)
    fg = np.where(den[..., None] > 0.02, num / np.maximum(den, 1e-6)[..., None], ns / np.maximum(ds, 1e-6)[..., None])
    fg = np.where((den[..., None] > 0.02) | (ds[..., None] > 1e-4), fg, 0.2)
    qf = u(rng, 30, 50)
    fg8 = _jpeg_roundtrip((np.clip(fg, 0, 1) * 255 + 0.5).astype(np.uint8), qf)
    wb = 1 - mf
    nb = ndimage.gaussian_filter(f * wb[..., None], (2.5, 2.5, 0))
    db = ndimage.gaussian_filter(wb, 2.5)
    fill = np.where(m[..., None], nb / np.maximum(db, 1e-4)[..., None], f)
    fill = np.where((db[..., None] < 1e-3) & m[..., None], 1.0, fill)
    bgs = _blockmean(fill, fb)
    qb = u(rng, 25, 45)
    bg8 = _jpeg_roundtrip((np.clip(bgs, 0, 1) * 255 + 0.5).astype(np.uint8), qb)
    fgu = np.asarray(Image.fromarray(fg8).resize((fg8.shape[1] * ff, fg8.shape[0] * ff), Image.BILINEAR))[:H, :W]
    bgu = np.asarray(Image.fromarray(bg8).resize((bg8.shape[1] * fb, bg8.shape[0] * fb), Image.BILINEAR))[:H, :W]
    out = np.where(m[..., None], fgu, bgu)
    return out.astype(np.uint8), {"mask_share": round(float(m.mean()), 4), "fg_factor": ff, "bg_factor": fb,
                                  "fg_q": int(qf), "bg_q": int(qb), "seg_thr": round(thr, 3)}


def deliver(rng, img8, dpi, outdir, stem):
    r = rng.random()
    info = {}
    if r < 0.5:
        q = int(rng.integers(45, 86))
        sub = 2 if rng.random() < 0.8 else 1
        dif = rng.random() < 0.9
        name = stem + ".jpg"
        kw = {"quality": q, "subsampling": sub}
        if dif:
            kw["dpi"] = (dpi, dpi)
        Image.fromarray(img8).save(os.path.join(outdir, name), "JPEG", **kw)
        info = {"route": "scan-to-email jpeg", "q": q, "subsampling": ["4:4:4", "4:2:2", "4:2:0"][sub]}
    elif r < 0.65:
        comp = "tiff_lzw" if rng.random() < 0.6 else "tiff_adobe_deflate"
        name = stem + ".tif"
        Image.fromarray(img8).save(os.path.join(outdir, name), "TIFF", compression=comp, dpi=(dpi, dpi))
        dif = True
        info = {"route": "scan-to-folder tiff", "compression": comp}
    else:
        out, minfo = mrc(rng, img8, dpi)
        info = {"route": "compact pdf (mrc) exported by the counter", "mrc": minfo}
        if rng.random() < 0.6:
            name = stem + ".png"
            dif = rng.random() < 0.5
            kw = {"dpi": (dpi, dpi)} if dif else {}
            Image.fromarray(out).save(os.path.join(outdir, name), "PNG", **kw)
        else:
            name = stem + ".jpg"
            q = int(rng.integers(85, 96))
            dif = rng.random() < 0.7
            kw = {"quality": q, "subsampling": 2}
            if dif:
                kw["dpi"] = (dpi, dpi)
            Image.fromarray(out).save(os.path.join(outdir, name), "JPEG", **kw)
            info["export_q"] = q
    return name, bool(dif), info
