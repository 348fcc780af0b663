"""Maker J's drawing stage: glyph outlines from FreeType (python3-freetype, the Ume fonts),
emboldened by FreeType's FT_Outline_Embolden, flattened here, and filled by this module's own
scanline rasteriser in numpy (non-zero winding, 5 sub-scanlines a pixel, exact horizontal area
by signed-area accumulation). No other drawing library is used."""
import ctypes
import math

import freetype
import numpy as np

FONT_DIR = "/usr/share/fonts/truetype/horai-umefont/"
FONTS = {
    "mincho": FONT_DIR + "ume-tmo3.ttf",   # Ume Mincho (明朝 ≈ 宋体)
    "gothic": FONT_DIR + "ume-tgo4.ttf",   # Ume Gothic (ゴシック ≈ 黑体)
    "pgothic": FONT_DIR + "ume-pgo4.ttf",  # Ume P Gothic, the form's text
}
_faces = {}
_glyphs = {}


def face(name):
    if name not in _faces:
        _faces[name] = freetype.Face(FONTS[name])
    return _faces[name]


def covers(name, text):
    f = face(name)
    return all(ch == " " or f.get_char_index(ord(ch)) != 0 for ch in text)


def _flatten(ctx_contours, upem):
    polys = []
    for c in ctx_contours:
        pts = []
        cur = None
        for seg in c:
            if seg[0] == "M":
                cur = (seg[1], seg[2])
                pts.append(cur)
            elif seg[0] == "L":
                cur = (seg[1], seg[2])
                pts.append(cur)
            elif seg[0] == "Q":
                x0, y0 = cur
                cx, cy, x1, y1 = seg[1:]
                for t in np.linspace(0, 1, 7)[1:]:
                    u = 1 - t
                    pts.append((u * u * x0 + 2 * u * t * cx + t * t * x1, u * u * y0 + 2 * u * t * cy + t * t * y1))
                cur = (x1, y1)
            else:
                x0, y0 = cur
                ax, ay, bx, by, x1, y1 = seg[1:]
                for t in np.linspace(0, 1, 9)[1:]:
                    u = 1 - t
                    pts.append((u ** 3 * x0 + 3 * u * u * t * ax + 3 * u * t * t * bx + t ** 3 * x1,
                                u ** 3 * y0 + 3 * u * u * t * ay + 3 * u * t * t * by + t ** 3 * y1))
                cur = (x1, y1)
        if len(pts) >= 3:
            polys.append(np.array(pts, dtype=np.float64) / upem)
    return polys


def glyph(fontname, ch, embolden_em):
    """The glyph's contours in em units, y up, emboldened by FreeType; and its ink box."""
    key = (fontname, ch, round(embolden_em, 4))
    if key in _glyphs:
        return _glyphs[key]
    f = face(fontname)
    if f.get_char_index(ord(ch)) == 0:
        raise ValueError("font %s has no glyph for %r" % (fontname, ch))
    f.load_char(ch, freetype.FT_LOAD_NO_SCALE)
    o = f.glyph.outline
    strength = int(round(embolden_em * f.units_per_EM))
    if strength > 0:
        freetype.raw.FT_Outline_Embolden(ctypes.byref(o._FT_Outline), strength)
    ctx = []

    def mv(a, c):
        c.append([("M", a.x, a.y)])

    def ln(a, c):
        c[-1].append(("L", a.x, a.y))

    def cn(a, b, c):
        c[-1].append(("Q", a.x, a.y, b.x, b.y))

    def cb(a, b, d, c):
        c[-1].append(("C", a.x, a.y, b.x, b.y, d.x, d.y))

    o.decompose(ctx, move_to=mv, line_to=ln, conic_to=cn, cubic_to=cb)
    polys = _flatten(ctx, f.units_per_EM)
    allp = np.vstack(polys)
    box = (allp[:, 0].min(), allp[:, 1].min(), allp[:, 0].max(), allp[:, 1].max())
    _glyphs[key] = (polys, box)
    return polys, box


def place_glyph(fontname, ch, embolden_em, centre, tvec, upvec, w, h, stretch=True):
    """Contours in page mm: the glyph's ink box stretched to a w × h cell (or its em kept, set on
    the em at height h), centred at `centre`, its x along tvec and its up along upvec (page y down)."""
    polys, (x0, y0, x1, y1) = glyph(fontname, ch, embolden_em)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    if stretch:
        sx, sy = w / max(x1 - x0, 1e-6), h / max(y1 - y0, 1e-6)
    else:
        sx = sy = h
        cy = 0.38
        cx = 0.5
    t = np.asarray(tvec, float)
    up = np.asarray(upvec, float)
    c = np.asarray(centre, float)
    out = []
    for p in polys:
        gx = (p[:, 0] - cx) * sx
        gy = (p[:, 1] - cy) * sy
        out.append(c + gx[:, None] * t + gy[:, None] * up)
    return out


def circle(cx, cy, r, ccw=True, n=None):
    n = n or max(48, int(2 * math.pi * r / 0.12))
    a = np.linspace(0, 2 * math.pi, n, endpoint=False)
    if not ccw:
        a = a[::-1]
    return np.stack([cx + r * np.cos(a), cy + r * np.sin(a)], 1)


def rect(x0, y0, x1, y1, ccw=True):
    p = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], float)
    return p if ccw else p[::-1]


def oriented(p):
    """The polygon turned to a positive signed area (so strokes drawn as unions never cancel)."""
    x, y = p[:, 0], p[:, 1]
    a = np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)
    return p if a >= 0 else p[::-1]


def raster(polys, x0, y0, w, h, sub=5):
    """Coverage (h × w, float32) of the polygons (render-pixel coordinates, pixel i spans [i, i+1))
    in the window whose top-left is (x0, y0): non-zero winding, |winding| clipped to 1, each of
    `sub` sub-scanlines a pixel accumulated with its crossing's exact horizontal share."""
    if w <= 0 or h <= 0 or not polys:
        return np.zeros((max(h, 0), max(w, 0)), np.float32)
    segs = []
    for p in polys:
        q = p - (x0, y0)
        segs.append(np.hstack([q, np.roll(q, -1, axis=0)]))
    e = np.vstack(segs)
    xa, ya, xb, yb = e[:, 0], e[:, 1], e[:, 2], e[:, 3]
    keep = ya != yb
    xa, ya, xb, yb = xa[keep], ya[keep], xb[keep], yb[keep]
    d = np.where(yb > ya, 1.0, -1.0)
    ylo, yhi = np.minimum(ya, yb), np.maximum(ya, yb)
    k0 = np.clip(np.ceil(ylo * sub - 0.5), 0, h * sub).astype(np.int64)
    k1 = np.clip(np.ceil(yhi * sub - 0.5), 0, h * sub).astype(np.int64)
    n = np.maximum(k1 - k0, 0)
    tot = int(n.sum())
    if tot == 0:
        return np.zeros((h, w), np.float32)
    ei = np.repeat(np.arange(len(n)), n)
    starts = np.cumsum(n) - n
    k = k0[ei] + (np.arange(tot) - starts[ei])
    ys = (k + 0.5) / sub
    t = (ys - ya[ei]) / (yb[ei] - ya[ei])
    xs = np.clip(xa[ei] + t * (xb[ei] - xa[ei]), 0.0, float(w))
    xi = np.floor(xs).astype(np.int64)
    fr = xs - xi
    dd = d[ei]
    ww = w + 2
    idx = np.concatenate([k * ww + xi, k * ww + xi + 1])
    wt = np.concatenate([dd * (1 - fr), dd * fr])
    acc = np.bincount(idx, weights=wt, minlength=h * sub * ww).reshape(h * sub, ww)
    wind = np.cumsum(acc, axis=1)[:, :w]
    cov = np.minimum(np.abs(wind), 1.0).reshape(h, sub, w).mean(axis=1)
    return cov.astype(np.float32)


def stroke_polys(pts, widths):
    """A pen's path as a union of quadrilaterals and 10-gon dots (all turned positive)."""
    out = []
    for i in range(len(pts) - 1):
        p, q = pts[i], pts[i + 1]
        dx, dy = q - p
        L = math.hypot(dx, dy)
        if L < 1e-9:
            continue
        nx, ny = -dy / L, dx / L
        w0, w1 = widths[i] / 2, widths[i + 1] / 2
        out.append(oriented(np.array([[p[0] + nx * w0, p[1] + ny * w0], [q[0] + nx * w1, q[1] + ny * w1],
                                      [q[0] - nx * w1, q[1] - ny * w1], [p[0] - nx * w0, p[1] - ny * w0]])))
    for i in range(0, len(pts), 2):
        if widths[i] > 0:
            out.append(circle(pts[i][0], pts[i][1], widths[i] / 2, True, 10))
    return out
