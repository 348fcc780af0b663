"""Maker H's print (a duplicator, 'risograph'), stains, the paste's gloss, and the capture: a
handheld phone photographing the sheet on a desk, its ISP, and a chat app's recompression.

Geometry. Frame coordinates q are centred and in units of the photo's long side (portrait
3:4: |qx| ≤ 0.375, |qy| ≤ 0.5). A page point (X, Y) mm goes through the camera's homography
Hm (a pinhole, f = 0.75 long sides, the page plane turned by a tilt ≤ 12°, an in-plane turn and a
distance) to q_u, then through barrel distortion q_d = q_u (1 − k1 |q_u|² / 0.625²). A pixel
(u, v) of any grid W × H sees q_d = (((u + .5)/W − .5)·0.75, (v + .5)/H − .5): the capture grid
and the chat app's resize (Pillow maps pixel centres by the same fractions) share the map.
"""
import math

import numpy as np
from PIL import Image
from scipy import ndimage

ASPECT = 0.75
RN = math.hypot(0.375, 0.5)
F = 0.75


def _rot(ax, ay, az):
    cx, sx, cy, sy, cz, sz = math.cos(ax), math.sin(ax), math.cos(ay), math.sin(ay), math.cos(az), math.sin(az)
    Rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    Ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    Rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return Rz @ Rx @ Ry


def _homography(tilt, phi, gamma, fp, off):
    R = _rot(math.radians(tilt) * math.cos(phi), math.radians(tilt) * math.sin(phi), math.radians(gamma))
    d = F * 297.0 / fp
    M = R[:, :2]
    T = R @ np.array([-105.0, -148.5, 0.0]) + np.array([0, 0, d])
    Hm = np.diag([F, F, 1.0]) @ np.column_stack([M, T])
    return np.array([[1, 0, off[0]], [0, 1, off[1]], [0, 0, 1.0]]) @ Hm


def _fwd(cam, X, Y):
    Hm = cam["H"]
    w = Hm[2, 0] * X + Hm[2, 1] * Y + Hm[2, 2]
    qx = (Hm[0, 0] * X + Hm[0, 1] * Y + Hm[0, 2]) / w
    qy = (Hm[1, 0] * X + Hm[1, 1] * Y + Hm[1, 2]) / w
    k = 1 - cam["k1"] * (qx * qx + qy * qy) / RN ** 2
    return qx * k, qy * k


def _inv(cam, qx, qy):
    ux, uy = qx, qy
    for _ in range(5):
        k = 1 - cam["k1"] * (ux * ux + uy * uy) / RN ** 2
        ux, uy = qx / k, qy / k
    Hi = cam["Hinv"]
    w = Hi[2, 0] * ux + Hi[2, 1] * uy + Hi[2, 2]
    return (Hi[0, 0] * ux + Hi[0, 1] * uy + Hi[0, 2]) / w, (Hi[1, 0] * ux + Hi[1, 1] * uy + Hi[1, 2]) / w


def draw_camera(r):
    c = {}
    for attempt in range(40):
        tilt = 12.0 * math.sqrt(r.random())
        phi = r.uniform(0, 2 * math.pi)
        gamma = r.uniform(-1.5, 1.5) if r.random() < 0.5 else r.choice([-1, 1]) * r.uniform(1.5, 6.5)
        fp = r.uniform(0.72, 0.88) * (0.97 ** attempt)
        off = r.uniform(-0.02, 0.02, 2)
        k1 = r.uniform(0.01, 0.045)
        c.update(H=_homography(tilt, phi, gamma, fp, off), k1=k1)
        qx, qy = _fwd(c, np.array([0, 210, 210, 0, 105, 210, 105, 0.0]), np.array([0, 0, 297, 297, 0, 148.5, 297, 148.5]))
        if np.all(np.abs(qx) < 0.375 - 0.02) and np.all(np.abs(qy) < 0.5 - 0.02):
            break
    else:
        tilt, phi, gamma, fp, off, k1 = 0.0, 0.0, 0.0, 0.6, np.zeros(2), 0.02
        c.update(H=_homography(tilt, phi, gamma, fp, off), k1=k1)
    c["Hinv"] = np.linalg.inv(c["H"])
    c.update(tilt=tilt, phi=phi, gamma=gamma, fp=fp)
    c["L_drawn"] = int(r.choice([1280, 1600, 1920, 2560, 3000, 3264, 4000, 4096], p=[0.1, 0.1, 0.15, 0.2, 0.1, 0.1, 0.15, 0.1]))
    c["oversize"] = r.uniform(1.0, 1.5) if r.random() < 0.7 else 1.0
    # light, shadow, lens, sensor, ISP, chat app
    c["illum"] = {"warm": np.array([1.0, 0.84, 0.64]), "day": np.array([0.94, 1.0, 1.07]),
                  "mixed": np.array([1.0, 0.93, 0.84])}[r.choice(["warm", "day", "mixed"])]
    c["grad"] = (r.uniform(0.08, 0.3), r.uniform(0, 2 * math.pi))
    c["shadow"] = dict(on=r.random() < 0.8, depth=r.uniform(0.15, 0.4), pen=r.uniform(8, 25),
                       w=r.uniform(65, 90), h=r.uniform(130, 170), ang=r.uniform(-40, 40),
                       cx=r.uniform(-40, 250), cy=r.choice([r.uniform(-60, 40), r.uniform(250, 350)]),
                       tint=np.array([1.0, 0.96, 0.86]) if r.random() < 0.6 else np.array([1.0, 1.0, 1.0]))
    c["vignette"] = r.uniform(0.06, 0.18)
    c["light"] = (math.radians(r.uniform(35, 65)), r.uniform(0, 2 * math.pi))
    c["spec"] = (r.uniform(0.25, 0.7), r.uniform(20, 60))
    c["blur"] = r.uniform(0.5, 0.95)
    c["fullwell"] = r.uniform(3500, 9000)
    c["read_e"] = r.uniform(2, 4.5)
    c["awb_err"] = 1 + r.uniform(-0.035, 0.035, 3)
    c["paper_lin"] = r.uniform(0.78, 0.9)
    c["ltm"] = r.uniform(0.25, 0.5)
    c["chroma_nr"] = r.uniform(1.2, 2.6)
    c["luma_nr"] = r.uniform(0.3, 0.8)
    c["sat"] = r.uniform(1.03, 1.15)
    c["scurve"] = r.uniform(0.08, 0.28)
    c["sharp"] = (r.uniform(0.9, 1.6), r.uniform(0.5, 1.3))
    c["desk"] = dict(tex=r.choice(["woodenFloor", "oldWoodenFloor", "greyTile", "marbleWall", "stoneTiles"]),
                     texel=r.uniform(0.25, 0.7), level=r.uniform(0.1, 0.35), off=r.uniform(0, 500, 2),
                     edge=r.uniform(0.15, 0.4))
    c["jpeg_q"] = int(r.integers(70, 91))
    c["resize"] = r.choice(["lanczos", "bicubic", "bilinear"])
    return c


def fix_resolution(c, dpi_req):
    """The page's resolution in the photo: the geometric mean of the page's width along its
    horizontal mid-line ÷ 8.2677 in and its height along the vertical mid-line ÷ 11.6929 in,
    both measured in the delivered image's pixels through the whole map (distortion included)."""
    qx, qy = _fwd(c, np.array([0.0, 210.0, 105.0, 105.0]), np.array([148.5, 148.5, 0.0, 297.0]))
    wn = math.hypot(qx[1] - qx[0], qy[1] - qy[0])
    hn = math.hypot(qx[3] - qx[2], qy[3] - qy[2])
    dpi_norm = math.sqrt(wn / 8.2677 * hn / 11.6929)
    L = c["L_drawn"] if dpi_req is None else max(200, int(round(dpi_req / dpi_norm)))
    c["L"] = L
    c["W"] = int(round(L * ASPECT))
    C = int(round(min(max(L, 4608), L * c["oversize"])))
    c["C"], c["Wc"] = C, int(round(C * ASPECT))
    c["dpi_norm"] = dpi_norm
    cap_px_mm = dpi_norm * C / 25.4
    c["render_px_mm"] = float(min(22.0, max(5.0, 1.3 * cap_px_mm)))
    c["summary"] = dict(long_side=L, captured_long_side=C, tilt_deg=round(c["tilt"], 2), k1=round(c["k1"], 4),
                        jpeg_q=c["jpeg_q"], resize=c["resize"], page_fill=round(c["fp"], 3))


# ---------------------------------------------------------------- the duplicator
BAYER8 = None


def _bayer8():
    b = np.array([[0, 2], [3, 1]])
    for _ in range(2):
        b = np.block([[4 * b, 4 * b + 2], [4 * b + 3, 4 * b + 1]])
    return (b + 0.5) / 64.0


def riso_print(r, rn, form, s, W, H, painter, canvas, alpha):
    """A stencil duplicator: the master burnt by a thermal head (300 or 400 dpi, solids perforated
    where the art covers ≥ 0.5 of a head dot, tints by an 8 × 8 ordered dither), ink pressed through
    the perforations (spread 0.02–0.035 mm), grainy solids (pinholes, roller mottle), a second drum
    for the spot colour shifted 0.15–0.6 mm. Returns the print's factor on the paper per channel."""
    from PyQt5.QtGui import QBrush, QColor
    from PyQt5.QtCore import Qt
    head = 300 if r.random() < 0.5 else 400
    mpx = head / 25.4
    spread = r.uniform(0.02, 0.035)
    black = np.array([0.085, 0.08, 0.078]) * r.uniform(0.8, 1.3)
    spot_T = [np.array([0.14, 0.32, 0.72]), np.array([0.1, 0.45, 0.5]), np.array([0.3, 0.3, 0.34])][int(r.integers(3))]
    shift = (r.uniform(0.15, 0.6) * math.cos(a := r.uniform(0, 2 * math.pi)), r.uniform(0.15, 0.6) * math.sin(a))
    dens = r.uniform(0.86, 0.98)
    mott = r.uniform(0.04, 0.09)
    pin = r.uniform(0.01, 0.05)
    out = [np.ones((H, W), np.float32) for _ in range(3)]
    for plate in ("k", "spot"):
        paths = form.k if plate == "k" else form.spot
        if not paths:
            continue
        img = canvas(W, H)
        p = painter(img)
        p.scale(s, s)
        for item in paths:
            path, tone = (item, 1.0) if plate == "k" else item
            p.setBrush(QBrush(QColor(0, 0, 0, int(round(255 * tone)))))
            p.drawPath(path)
        p.end()
        cov = alpha(img)
        del img
        mw, mh = int(round(W / s * mpx)), int(round(H / s * mpx))
        m = np.asarray(Image.fromarray(cov).resize((mw, mh), Image.BOX), np.float32)
        del cov
        if plate == "k":
            perf = m >= 0.5
        else:
            bt = _bayer8()
            thr = np.tile(bt, (mh // 8 + 1, mw // 8 + 1))[:mh, :mw]
            perf = m > np.maximum(thr, 0.02)
        perf &= rn.random(perf.shape) > 0.004  # burnt-out head dots
        dx, dy = (0.0, 0.0) if plate == "k" else shift
        iy = np.clip(((np.arange(H) + 0.5) / s - dy) * mpx, 0, mh - 1).astype(np.int32)
        ix = np.clip(((np.arange(W) + 0.5) / s - dx) * mpx, 0, mw - 1).astype(np.int32)
        ink = perf[iy][:, ix].astype(np.float32)
        ink = ndimage.gaussian_filter(ink, max(0.3, spread * s))
        ink = np.clip(ink * 1.15, 0, 1)
        low = ndimage.zoom(rn.standard_normal((12, 9)).astype(np.float32), (H / 12, W / 9), order=3)[:H, :W]
        low = np.pad(low, ((0, H - low.shape[0]), (0, W - low.shape[1])), mode="edge")
        grain = rn.random((H, W)).astype(np.float32)
        ink *= dens * (1 + mott * low) * (grain > pin) * (0.93 + 0.07 * grain)
        T = black if plate == "k" else spot_T
        for c in range(3):
            out[c] *= 1 - np.clip(ink, 0, 1) * (1 - T[c])
    return out


def stain(r, rn, page, rect, s, tinted, smooth_noise):
    """A tea or rust blot over 25–50 % of the box, a tide line at its rim, faded out 2 mm inside the
    rules; optical density (log10, linear light) in its strongest channel (blue) 0.2–0.32 over its
    body, × 1.3 at the tide line."""
    x0, y0, x1, y1 = rect
    px0, py0, px1, py1 = int(x0 * s), int(y0 * s), int(x1 * s), int(y1 * s)
    h, w = py1 - py0, px1 - px0
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    frac = r.uniform(0.25, 0.5)
    ar = r.uniform(0.6, 1.6)
    a_mm = math.sqrt(frac * (x1 - x0) * (y1 - y0) / math.pi * ar)
    b_mm = a_mm / ar
    cx = r.uniform(0.35, 0.65) * w
    cy = r.uniform(0.35, 0.65) * h
    ang = r.uniform(0, math.pi)
    u = ((xx - cx) * math.cos(ang) + (yy - cy) * math.sin(ang)) / (a_mm * s)
    v = (-(xx - cx) * math.sin(ang) + (yy - cy) * math.cos(ang)) / (b_mm * s)
    rr = np.sqrt(u * u + v * v) + 0.12 * smooth_noise(rn, (h, w), 3 * s)
    body = np.clip((1 - rr) / 0.06, 0, 1)
    tide = np.exp(-((rr - 0.97) / 0.04) ** 2) * 0.3
    prof = body * (0.85 + 0.15 * smooth_noise(rn, (h, w), 1.5 * s)) + tide * body
    inset = np.minimum(np.minimum(xx, w - 1 - xx), np.minimum(yy, h - 1 - yy)) / s
    prof *= np.clip((inset - 2.0) / 1.5, 0, 1)
    dmax = r.uniform(0.2, 0.32)
    hue = [np.array([0.35, 0.62, 1.0]), np.array([0.25, 0.55, 1.0]), np.array([0.45, 0.7, 1.0])][int(r.integers(3))]
    sub = page[py0:py1, px0:px1]
    for c in range(3):
        sub[..., c] *= np.power(10.0, -dmax * hue[c] * prof)


def gloss(c, gx, gy, cover):
    el, az = c["light"]
    l = np.array([math.cos(el) * math.cos(az), math.cos(el) * math.sin(az), math.sin(el)])
    hv = l + np.array([0, 0, 1.0])
    hv /= np.linalg.norm(hv)
    n = np.sqrt(gx * gx + gy * gy + 1)
    ndh = (-gx * hv[0] - gy * hv[1] + hv[2]) / n
    ks, pw = c["spec"]
    return (ks * np.power(np.clip(ndh, 0, 1), pw) * np.clip(cover, 0, 1)).astype(np.float32)


# ---------------------------------------------------------------- the photograph
def _grid_q(W, H, x0=0, y0=0, w=None, h=None):
    w = W if w is None else w
    h = H if h is None else h
    u = (np.arange(x0, x0 + w, dtype=np.float32) + 0.5) / W - 0.5
    v = (np.arange(y0, y0 + h, dtype=np.float32) + 0.5) / H - 0.5
    return np.meshgrid(u * ASPECT, v)


def _smoothstep(x):
    x = np.clip(x, 0, 1)
    return x * x * (3 - 2 * x)


def photograph(c, r, rn, page, spec, s, texture):
    Wc, C = c["Wc"], c["C"]
    qx, qy = _grid_q(Wc, C)
    X, Y = _inv(c, qx, qy)
    X = X.astype(np.float32)
    Y = Y.astype(np.float32)
    cap_px_mm = c["dpi_norm"] * C / 25.4
    coords = np.stack([Y * s - 0.5, X * s - 0.5])
    lin = np.empty((C, Wc, 3), np.float32)
    for k in range(3):
        lin[..., k] = ndimage.map_coordinates(page[..., k], coords, order=1, mode="nearest")
    sp = ndimage.map_coordinates(spec, coords, order=1, mode="constant", cval=0.0)
    del coords
    inside = np.minimum(np.minimum(X, 210 - X), np.minimum(Y, 297 - Y))
    a = np.clip(inside * cap_px_mm + 0.5, 0, 1)
    # the desk: Sweet Home 3D's texture in page millimetres, the page's edge shadow on it
    dk = c["desk"]
    t = texture(dk["tex"])
    t = np.concatenate([np.concatenate([t, t[:, ::-1]], 1), np.concatenate([t[::-1], t[::-1, ::-1]], 1)], 0)
    # a float's remainder can round up to the modulus itself: wrap the integer index again
    iy = ((Y / dk["texel"] + dk["off"][0]) % t.shape[0]).astype(np.int32) % t.shape[0]
    ix = ((X / dk["texel"] + dk["off"][1]) % t.shape[1]).astype(np.int32) % t.shape[1]
    desk = t[iy, ix] * (dk["level"] / max(t.mean(), 1e-3))
    del iy, ix
    desk *= (1 - dk["edge"] * np.exp(-np.clip(-inside, 0, None) / 0.9))[..., None]
    lin = lin * a[..., None] + desk * (1 - a[..., None])
    del desk
    # light over the page plane: a gradient, the phone's soft shadow, lens fall-off
    g_amp, g_ang = c["grad"]
    E = 1 + g_amp * ((X - 105) * math.cos(g_ang) + (Y - 148.5) * math.sin(g_ang)) / 180.0
    sh = c["shadow"]
    if sh["on"]:
        ca, sa = math.cos(math.radians(sh["ang"])), math.sin(math.radians(sh["ang"]))
        u = np.abs((X - sh["cx"]) * ca + (Y - sh["cy"]) * sa) - sh["w"] / 2
        v = np.abs(-(X - sh["cx"]) * sa + (Y - sh["cy"]) * ca) - sh["h"] / 2
        dist = np.sqrt(np.clip(u, 0, None) ** 2 + np.clip(v, 0, None) ** 2) + np.minimum(np.maximum(u, v), 0)
        occ = 1 - _smoothstep(dist / sh["pen"] + 0.5)
    else:
        occ = np.zeros_like(X)
    del X, Y, inside
    rr = (qx * qx + qy * qy) / RN ** 2
    V = 1 - c["vignette"] * rr
    for k in range(3):
        lin[..., k] *= E * V * c["illum"][k] * (1 - sh["depth"] * sh["tint"][k] * occ)
    lin += (sp * a * (1 - occ) * E)[..., None] * c["illum"][None, None, :]
    del sp, occ, E, V, rr, qx, qy, a
    # lens
    for k in range(3):
        lin[..., k] = ndimage.gaussian_filter(lin[..., k], c["blur"])
    # exposure and the sensor's noise (electrons)
    ctr = lin[C // 4: 3 * C // 4, Wc // 4: 3 * Wc // 4, 1]
    expo = 0.7 / max(float(np.percentile(ctr, 95)), 1e-3)
    lin *= expo
    fw = c["fullwell"]
    lin += rn.standard_normal(lin.shape, dtype=np.float32) * np.sqrt(np.clip(lin, 0, None) / fw + (c["read_e"] / fw) ** 2)
    np.clip(lin, 0, 1, out=lin)
    # ISP: auto white balance (a little off), local tone mapping, NR, tone curve, sharpening
    ctr = lin[C // 4: 3 * C // 4, Wc // 4: 3 * Wc // 4]
    wp = np.array([np.percentile(ctr[..., k], 92) for k in range(3)])
    gains = wp[1] / np.maximum(wp, 1e-4) * c["awb_err"]
    lin *= gains[None, None, :].astype(np.float32)
    Yl = 0.2126 * lin[..., 0] + 0.7152 * lin[..., 1] + 0.0722 * lin[..., 2]
    small = Yl[::8, ::8]
    base = ndimage.gaussian_filter(np.log(small + 1e-3), C / 8 / 30.0)
    ref = np.percentile(base, 90)
    fac = np.exp(-c["ltm"] * (base - ref))
    fac = np.clip(ndimage.zoom(fac, (C / fac.shape[0], Wc / fac.shape[1]), order=1), 0.5, 2.5)
    fac = np.pad(fac, ((0, max(0, C - fac.shape[0])), (0, max(0, Wc - fac.shape[1]))), mode="edge")[:C, :Wc]
    lin *= fac[..., None]
    del fac, Yl
    ctr = lin[C // 4: 3 * C // 4, Wc // 4: 3 * Wc // 4, 1]
    lin *= c["paper_lin"] / max(float(np.percentile(ctr, 92)), 1e-3)
    np.clip(lin, 0, 1, out=lin)
    enc = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * np.power(lin, 1 / 2.4) - 0.055).astype(np.float32)
    del lin
    k = c["scurve"]
    enc = (1 - k) * enc + k * (enc * enc * (3 - 2 * enc))
    Yc = 0.299 * enc[..., 0] + 0.587 * enc[..., 1] + 0.114 * enc[..., 2]
    Cb = enc[..., 2] - Yc
    Cr = enc[..., 0] - Yc
    del enc
    Cb = ndimage.gaussian_filter(Cb, c["chroma_nr"]) * c["sat"]
    Cr = ndimage.gaussian_filter(Cr, c["chroma_nr"]) * c["sat"]
    Yb = ndimage.gaussian_filter(Yc, 1.2)
    wgt = np.exp(-((Yc - Yb) / 0.03) ** 2) * c["luma_nr"]
    Yc = Yc + wgt * (Yb - Yc)
    del Yb, wgt
    sig, amt = c["sharp"]
    Yc = Yc + amt * (Yc - ndimage.gaussian_filter(Yc, sig))
    R = Yc + Cr
    B = Yc + Cb
    G = (Yc - 0.299 * R - 0.114 * B) / 0.587
    out = np.stack([R, G, B], -1)
    return np.clip(out * 255 + 0.5, 0, 255).astype(np.uint8), _geo(c, s)


def _geo(c, s):
    L, W = c["L"], c["W"]

    def to_px(X, Y):
        qx, qy = _fwd(c, X, Y)
        return (qx / ASPECT + 0.5) * W - 0.5, (qy + 0.5) * L - 0.5

    def warp_mask(tm, px0, py0):
        h, w = tm.shape
        cx = np.array([px0, px0 + w, px0 + w, px0]) / s
        cy = np.array([py0, py0, py0 + h, py0 + h]) / s
        ux, uy = to_px(cx, cy)
        x0, x1 = int(max(0, math.floor(ux.min()) - 2)), int(min(W, math.ceil(ux.max()) + 3))
        y0, y1 = int(max(0, math.floor(uy.min()) - 2)), int(min(L, math.ceil(uy.max()) + 3))
        if x1 <= x0 or y1 <= y0:
            return None, None
        qx, qy = _grid_q(W, L, x0, y0, x1 - x0, y1 - y0)
        X, Y = _inv(c, qx, qy)
        out_px_mm = c["dpi_norm"] * L / 25.4
        ratio = s / out_px_mm
        src = ndimage.gaussian_filter(tm, 0.42 * ratio) if ratio > 1.2 else tm
        m = ndimage.map_coordinates(src, [Y * s - 0.5 - py0, X * s - 0.5 - px0], order=1, mode="constant", cval=0.0)
        m = m >= 0.5
        if not m.any():
            return None, None
        ys, xs = np.nonzero(m)
        m = m[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1]
        return (m * 255).astype(np.uint8), (x0 + xs.min(), y0 + ys.min())

    qx, qy = _fwd(c, np.array([0.0, 210.0, 105.0, 105.0]), np.array([148.5, 148.5, 0.0, 297.0]))
    ux, uy = (qx / ASPECT + 0.5) * W, (qy + 0.5) * L
    a1 = math.degrees(math.atan2(uy[1] - uy[0], ux[1] - ux[0]))
    a2 = math.degrees(math.atan2(-(ux[3] - ux[2]), uy[3] - uy[2]))
    return dict(to_px=to_px, warp_mask=warp_mask, dpi=c["dpi_norm"] * L, skew_deg=(a1 + a2) / 2)


def chat_app_save(c, img, path):
    im = Image.fromarray(img, "RGB")
    if im.size != (c["W"], c["L"]):
        f = {"lanczos": Image.LANCZOS, "bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR}[c["resize"]]
        im = im.resize((c["W"], c["L"]), f)
    im.save(path, "JPEG", quality=c["jpeg_q"], subsampling=2, optimize=False)
