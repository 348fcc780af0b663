"""Maker G's capture: a document camera (高拍仪) over the desk.

The page (camera-channel responses on a page grid in mm) is imaged through a homography (the
camera's height, its tilt, the page turned a quarter on the landscape sensor), a lens whose blur
grows towards the corners and whose red and blue images are scaled about the optical centre
(lateral colour), an LED whose light falls off and rakes across the sheet's cockle, onto an RGGB
CMOS sensor (photon and read noise, row noise, fixed-pattern gain and offset, 10 bits). The
device's software demosaics (Malvar-He-Cutler or bilinear), white balances on the paper, applies
its colour matrix and tone curve, smooths chroma, corrects the keystone and crops to the page it
found (a residual turn, scale and perspective G), resamples to the stated dpi and sharpens.
"""
import numpy as np
from scipy import ndimage


def homography_apply(H, x, y):
    d = H[2, 0] * x + H[2, 1] * y + H[2, 2]
    return (H[0, 0] * x + H[0, 1] * y + H[0, 2]) / d, (H[1, 0] * x + H[1, 1] * y + H[1, 2]) / d


def translate(tx, ty):
    return np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1.0]])


def rot(deg):
    a = np.radians(deg)
    return np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1.0]])


def scale(s):
    return np.array([[s, 0, 0], [0, s, 0], [0, 0, 1.0]])


DEVICES = [  # sensor (w, h), share
    ((3264, 2448), 0.3),
    ((4000, 3000), 0.35),
    ((4608, 3456), 0.35),
]


class Camera:
    def __init__(self, rng, page_w=210.0, page_h=297.0):
        k = rng.choice(len(DEVICES), p=[d[1] for d in DEVICES])
        self.sw, self.sh = DEVICES[k][0]
        self.page_w, self.page_h = page_w, page_h
        fill = rng.uniform(0.86, 0.93)  # the page's long side over the sensor's width
        self.m = fill * self.sw / page_h  # sensor px per mm
        self.sensor_dpi = self.m * 25.4
        # page mm -> sensor px: the page lies across the landscape sensor (a quarter turn), the arm's
        # own turn, the camera's tilt (keystone) and where the page lies under it
        turn = 90.0 * rng.choice([-1, 1]) + rng.uniform(-2.5, 2.5)
        A = translate(self.sw / 2 + rng.uniform(-0.03, 0.03) * self.sw, self.sh / 2 + rng.uniform(-0.03, 0.03) * self.sh)
        A = A @ scale(self.m) @ rot(turn) @ translate(-page_w / 2, -page_h / 2)
        P = np.eye(3)
        P[2, 0] = rng.uniform(-1, 1) * 9e-5 / self.m
        P[2, 1] = rng.uniform(-1, 1) * 9e-5 / self.m
        # perspective about the sensor centre
        self.H = translate(self.sw / 2, self.sh / 2) @ P @ translate(-self.sw / 2, -self.sh / 2) @ A
        self.Hinv = np.linalg.inv(self.H)
        # optics
        self.oc = (self.sw / 2 * (1 + rng.uniform(-0.04, 0.04)), self.sh / 2 * (1 + rng.uniform(-0.04, 0.04)))
        self.ca_r = rng.uniform(2e-4, 7e-4)
        self.ca_b = -rng.uniform(1.5e-4, 6e-4)
        self.blur0 = rng.uniform(0.45, 0.8)  # sensor px, at the best focus
        self.blur1 = self.blur0 + rng.uniform(0.4, 1.1)  # at the worst corner
        self.focus_tilt = rng.uniform(-1, 1, 2)
        self.halo = rng.uniform(0.01, 0.03)  # the plastic lens's veiling halo
        # light
        self.falloff = rng.uniform(0.1, 0.2)
        self.flat_residual = rng.uniform(0.15, 0.35)  # share of the fall-off the device's shading table misses
        self.led_side = rng.uniform(0, 2 * np.pi)
        self.grad = rng.uniform(0.01, 0.04)
        # sensor
        self.full_well = rng.uniform(3500, 9000)
        self.read_e = rng.uniform(2.0, 4.5)
        self.row_e = rng.uniform(0.6, 2.0)
        self.prnu = rng.uniform(0.004, 0.012)
        self.dsnu_e = rng.uniform(0.5, 2.0)
        self.expose = rng.uniform(0.62, 0.78)  # paper at this share of the full well
        self.demosaic = "mhc" if rng.random() < 0.6 else "bilinear"
        self.chroma_nr = rng.uniform(0.8, 2.0)
        # the page the software found: output mm -> page mm (turn, scale, shift, perspective)
        if rng.random() < 0.4:
            phi = rng.uniform(-0.3, 0.3)
        else:
            phi = rng.choice([-1, 1]) * rng.uniform(0.35, 1.5)
        self.skew = phi
        s = 1 + rng.uniform(-0.005, 0.005)
        G = translate(page_w / 2 + rng.uniform(-1.5, 1.5), page_h / 2 + rng.uniform(-1.5, 1.5)) @ scale(1 / s) @ rot(-phi) @ translate(-page_w / 2, -page_h / 2)
        Pg = np.eye(3)
        Pg[2, 0] = rng.uniform(-1, 1) * 8e-6
        Pg[2, 1] = rng.uniform(-1, 1) * 8e-6
        self.G = translate(page_w / 2, page_h / 2) @ Pg @ translate(-page_w / 2, -page_h / 2) @ G
        self.Ginv = np.linalg.inv(self.G)
        self.sharp_sigma = rng.uniform(0.7, 1.4)
        self.sharp_amt = rng.uniform(0.3, 0.8)

    # ---------------------------------------------------------------- the sensor's exposure
    def expose_sensor(self, rng, page_rgb, S, desk_rgb, desk_tex, cockle):
        """page_rgb: 3 arrays (white-balanced camera responses, paper ~1) on the page grid at S dpi.
        Returns the raw mosaic (float, electrons after the ADC's black level) and the sensor grid."""
        sh, sw = self.sh, self.sw
        yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
        ox, oy = self.oc
        r2 = ((xx - ox) ** 2 + (yy - oy) ** 2) / (ox ** 2 + oy ** 2)
        # the light: radial fall-off (mostly flattened by the shading table) and the LED's side
        light = 1 - self.falloff * self.flat_residual * r2
        light *= 1 + self.grad * ((xx / sw - 0.5) * np.cos(self.led_side) + (yy / sh - 0.5) * np.sin(self.led_side))
        chans = []
        pxmm = S / 25.4
        for k, kappa in ((0, self.ca_r), (1, 0.0), (2, self.ca_b)):
            # this channel's image is magnified by (1 + kappa) about the optical centre
            sx = ox + (xx - ox) / (1 + kappa)
            sy = oy + (yy - oy) / (1 + kappa)
            px, py = homography_apply(self.Hinv, sx, sy)  # page mm
            inside = np.clip(np.minimum(np.minimum(px, self.page_w - px), np.minimum(py, self.page_h - py)) * pxmm + 0.5, 0, 1)
            v = ndimage.map_coordinates(page_rgb[k], [py * pxmm - 0.5, px * pxmm - 0.5], order=1, mode="nearest").astype(np.float32)
            if cockle is not None:
                c = ndimage.map_coordinates(cockle[0], [py / cockle[1], px / cockle[1]], order=1, mode="nearest")
                v *= c
            ty = (yy.astype(np.int64) // 3) % desk_tex.shape[0]
            tx = (xx.astype(np.int64) // 3) % desk_tex.shape[1]
            desk = desk_rgb[k] * desk_tex[ty, tx]
            v = inside * v + (1 - inside) * desk
            del px, py, sx, sy
            chans.append(v * light)
        # the lens: blur growing to the corners (two blurs blended), the halo
        tilt = (self.focus_tilt[0] * (xx / sw - 0.5) + self.focus_tilt[1] * (yy / sh - 0.5)) * 0.5
        sig = self.blur0 + (self.blur1 - self.blur0) * np.clip(r2 + tilt, 0, 1)
        w = ((sig - self.blur0) / (self.blur1 - self.blur0)).astype(np.float32)
        del xx, yy, r2, tilt, sig
        mosaic = np.empty((sh, sw), np.float32)
        sites = [(0, 0, 0), (1, 0, 1), (1, 1, 0), (2, 1, 1)]  # RGGB: channel, row parity, column parity
        for k in range(3):
            a = ndimage.gaussian_filter(chans[k], self.blur0, truncate=3.0)
            b = ndimage.gaussian_filter(chans[k], self.blur1, truncate=3.0)
            img = a + (b - a) * w
            halo = ndimage.gaussian_filter(chans[k][::8, ::8], 12.0)
            halo = np.repeat(np.repeat(halo, 8, 0), 8, 1)[:sh, :sw]
            img = (1 - self.halo) * img + self.halo * halo
            chans[k] = None
            for ch, rp, cp in sites:
                if ch == k:
                    mosaic[rp::2, cp::2] = img[rp::2, cp::2]
        # the exposure: electrons, photon noise, PRNU, DSNU, row noise, read noise, 10-bit ADC
        e = mosaic * (self.expose * self.full_well)
        e *= 1 + self.prnu * rng.standard_normal((sh, sw), dtype=np.float32)
        e = e + np.sqrt(np.maximum(e, 0)) * rng.standard_normal((sh, sw), dtype=np.float32)
        e += self.dsnu_e * rng.standard_normal((1, sw), dtype=np.float32)  # column fixed pattern
        e += self.row_e * rng.standard_normal((sh, 1), dtype=np.float32)
        e += self.read_e * rng.standard_normal((sh, sw), dtype=np.float32)
        dn = np.clip(np.round(e / self.full_well * 959 + 64), 0, 1023)
        return (dn - 64) / 959.0

    # ---------------------------------------------------------------- the device's software
    def develop(self, raw, dev):
        rgb = demosaic(raw, self.demosaic)
        # white balance fixed at the factory (raw is already on the white card's scale); one gain for
        # the three channels brings the paper (the central region's bright fifth) to 1, so a tint stays
        sh, sw = raw.shape
        cen = rgb[sh // 4: 3 * sh // 4: 4, sw // 4: 3 * sw // 4: 4].reshape(-1, 3)
        lum = cen.mean(1)
        sel = cen[lum >= np.percentile(lum, 80)]
        rgb /= float(np.median(sel.mean(1)))
        lin = dev.to_linear_srgb(rgb)
        # chroma noise reduction (the ISP's), on linear light
        y = lin @ np.array([0.2126, 0.7152, 0.0722], np.float32)
        for k in range(3):
            c = lin[..., k] - y
            lin[..., k] = y + ndimage.gaussian_filter(c, self.chroma_nr)
        return lin.astype(np.float32)

    def to_page(self, lin, dev, dpi, band_rows=700):
        """Keystone correction and crop: every output pixel read at H(G(its mm)) of the sensor."""
        W = int(round(self.page_w / 25.4 * dpi))
        Hh = int(round(self.page_h / 25.4 * dpi))
        out = np.empty((Hh, W, 3), np.float32)
        M = self.H @ self.G
        xs = (np.arange(W, dtype=np.float64) + 0.5) * 25.4 / dpi
        order = 1
        for y0 in range(0, Hh, band_rows):
            y1 = min(Hh, y0 + band_rows)
            ys = (np.arange(y0, y1, dtype=np.float64) + 0.5) * 25.4 / dpi
            X, Y = np.meshgrid(xs, ys)
            sx, sy = homography_apply(M, X, Y)
            for k in range(3):
                out[y0:y1, :, k] = ndimage.map_coordinates(lin[..., k], [sy - 0.5, sx - 0.5], order=order, mode="nearest", prefilter=False)
        lut = dev.tone(np.linspace(0, 1, 4096)[:, None].repeat(3, 1))[:, 0].astype(np.float32)
        enc = lut[(np.clip(out, 0, 1) * 4095 + 0.5).astype(np.uint16)]
        del out
        # the device's sharpening of luminance
        yl = enc @ np.array([0.299, 0.587, 0.114], np.float32)
        d = yl - ndimage.gaussian_filter(yl, self.sharp_sigma)
        enc += (self.sharp_amt * d)[..., None]
        return np.clip(enc, 0, 1)

    def out_to_page_mm(self, u, v, dpi):
        """Output pixel (column, row) positions (pixel centres at +0.5) -> page mm."""
        return homography_apply(self.G, (u + 0.5) * 25.4 / dpi, (v + 0.5) * 25.4 / dpi)

    def page_mm_to_out(self, x, y, dpi):
        qx, qy = homography_apply(self.Ginv, x, y)
        return qx / 25.4 * dpi - 0.5, qy / 25.4 * dpi - 0.5


def _shift(a, dy, dx):
    """a[y+dy, x+dx] with the edges reflected."""
    p = np.pad(a, 2, mode="reflect")
    h, w = a.shape
    return p[2 + dy: 2 + dy + h, 2 + dx: 2 + dx + w]


def _conv(a, taps):
    out = np.zeros_like(a)
    for (dy, dx), wt in taps.items():
        out += wt * _shift(a, dy, dx)
    return out


def demosaic(raw, how):
    h, w = raw.shape
    R = np.zeros((h, w), bool)
    R[0::2, 0::2] = True
    B = np.zeros((h, w), bool)
    B[1::2, 1::2] = True
    Gr = np.zeros((h, w), bool)
    Gr[0::2, 1::2] = True  # green in a red row
    Gb = np.zeros((h, w), bool)
    Gb[1::2, 0::2] = True
    out = np.empty((h, w, 3), np.float32)
    if how == "bilinear":
        cross = {(0, 0): 1.0, (-1, 0): 0.25, (1, 0): 0.25, (0, -1): 0.25, (0, 1): 0.25}
        gmask = (Gr | Gb).astype(np.float32)
        G = _conv(raw * gmask, {(0, 0): 1.0, (-1, 0): .25, (1, 0): .25, (0, -1): .25, (0, 1): .25})
        G = np.where(gmask > 0, raw, G)
        full = {(dy, dx): (1 if dy == 0 else .5) * (1 if dx == 0 else .5) for dy in (-1, 0, 1) for dx in (-1, 0, 1)}
        Rr = _conv(raw * R, full)
        Bb = _conv(raw * B, full)
        out[..., 0], out[..., 1], out[..., 2] = Rr, G, Bb
        del cross
        return out
    # Malvar-He-Cutler (2004): bilinear corrected by the Laplacian of the channel present
    g_at_rb = {(0, 0): 4, (-1, 0): 2, (1, 0): 2, (0, -1): 2, (0, 1): 2, (-2, 0): -1, (2, 0): -1, (0, -2): -1, (0, 2): -1}
    rb_at_g_row = {(0, 0): 5, (0, -1): 4, (0, 1): 4, (0, -2): -1, (0, 2): -1, (-1, -1): -1, (-1, 1): -1, (1, -1): -1, (1, 1): -1, (-2, 0): .5, (2, 0): .5}
    rb_at_g_col = {(dx, dy): v for (dy, dx), v in rb_at_g_row.items()}
    rb_at_br = {(0, 0): 6, (-1, -1): 2, (-1, 1): 2, (1, -1): 2, (1, 1): 2, (-2, 0): -1.5, (2, 0): -1.5, (0, -2): -1.5, (0, 2): -1.5}
    k1 = _conv(raw, g_at_rb) / 8
    k2 = _conv(raw, rb_at_g_row) / 8  # the colour found left and right
    k3 = _conv(raw, rb_at_g_col) / 8  # the colour found above and below
    k4 = _conv(raw, rb_at_br) / 8
    G = np.where(R | B, k1, raw)
    Rr = np.where(R, raw, np.where(Gr, k2, np.where(Gb, k3, k4)))
    Bb = np.where(B, raw, np.where(Gb, k2, np.where(Gr, k3, k4)))
    out[..., 0], out[..., 1], out[..., 2] = Rr, G, Bb
    return out
