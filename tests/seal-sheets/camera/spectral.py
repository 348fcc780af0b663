"""Maker G's colour: spectra over 400-700 nm (10 nm), a blue-pumped phosphor LED, the camera's own
RGB sensitivities, and a pigment-paste ink film seen as masstone plus the substrate through it.

Nothing here is an RGB or HSV recipe: an ink is a reflectance edge (its masstone) and an absorption
spectrum; what the camera records is the spectrum integrated against its channels under its LED.
"""
import numpy as np

WL = np.arange(400.0, 701.0, 10.0)  # 31 bands


def g(x, mu, s1, s2):
    s = np.where(x < mu, s1, s2)
    return np.exp(-0.5 * ((x - mu) / s) ** 2)


def cie_cmf(wl=WL):
    """CIE 1931 2-degree observer, the multi-lobe Gaussian fit (Wyman, Sloan, Shirley 2013)."""
    x = 1.056 * g(wl, 599.8, 37.9, 31.0) + 0.362 * g(wl, 442.0, 16.0, 26.7) - 0.065 * g(wl, 501.1, 20.4, 26.2)
    y = 0.821 * g(wl, 568.8, 46.9, 40.5) + 0.286 * g(wl, 530.9, 16.3, 31.1)
    z = 1.217 * g(wl, 437.0, 11.8, 36.0) + 0.681 * g(wl, 459.0, 26.0, 13.8)
    return np.stack([x, y, z])


XYZ_TO_LSRGB = np.array([[3.2406, -1.5372, -0.4986], [-0.9689, 1.8758, 0.0415], [0.0557, -0.2040, 1.0570]])


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def led(rng):
    """A white LED: an InGaN blue peak and a broad YAG phosphor hump (its share sets the CCT)."""
    blue = g(WL, rng.uniform(447, 456), 10.5, 12.5)
    phos = g(WL, rng.uniform(550, 580), 42.0, 62.0) * rng.uniform(0.55, 0.95)
    return blue * rng.uniform(0.7, 1.0) + phos


def camera_sensitivities(rng):
    """A CMOS sensor's Bayer dyes times silicon times the IR-cut filter (cut-on 640-665 nm)."""
    ir = sigmoid((rng.uniform(640, 665) - WL) / 9.0)
    si = 0.55 + 0.45 * (WL - 400) / 300
    r = (g(WL, rng.uniform(596, 608), 26, 45) + 0.06) * ir * si
    gr = (g(WL, rng.uniform(528, 540), 34, 38) + 0.04) * ir * si
    b = (g(WL, rng.uniform(455, 468), 24, 40) + 0.03) * ir * si
    return np.stack([r, gr, b])


def paper_spectrum(rng, tint=None):
    """Office paper under an LED: no UV, so its brightener sleeps; a slight fall in the blue."""
    base = rng.uniform(0.84, 0.9)
    p = base * (1 - rng.uniform(0.02, 0.05) * np.exp(-(WL - 400) / rng.uniform(25, 45)))
    if tint is not None:
        p = p * tint
    return p


def tint_spectrum(rng, kind):
    """Coloured stock (the whole sheet): transmission of a light dye."""
    if kind == "buff":
        t = 1 - rng.uniform(0.16, 0.26) * sigmoid((500 - WL) / 25)
    elif kind == "pink":
        t = 1 - rng.uniform(0.14, 0.22) * g(WL, 545, 35, 35)
    elif kind == "blue":
        t = 1 - rng.uniform(0.14, 0.22) * sigmoid((WL - 560) / 25)
    else:  # green
        t = 1 - rng.uniform(0.12, 0.2) * (g(WL, 440, 30, 30) + g(WL, 650, 40, 40))
    return t


def stain_absorption(rng, kind):
    """Absorbance per unit of a stain: tea/coffee (browning towards the blue) or rust."""
    if kind == "tea":
        a = np.exp(-(WL - 400) / rng.uniform(70, 110))
    else:  # rust / iron
        a = 0.8 * np.exp(-(WL - 400) / rng.uniform(55, 80)) + 0.15 * g(WL, 480, 40, 40)
    return a / a.max()


class Ink:
    """A paste ink (or a pen's ink) as a film of thickness h over a substrate:
        R(l) = M(l) (1 - exp(-s h)) + S(l) exp(-2 a(l) h)
    M is its masstone (the colour of a film thick enough to hide), a its absorption per unit film,
    s its scattering; S the substrate's reflectance (paper, print, stain)."""

    def __init__(self, masstone, absorb, scatter, name):
        self.M, self.a, self.s, self.name = masstone, absorb, scatter, name


def pen_ink(rng, kind):
    if kind == "blue":  # ballpoint: a triarylmethane blue, absorbing yellow-red
        m = 0.05 + 0.25 * g(WL, 445, 25, 35)
        a = 2.8 * (g(WL, 590, 45, 40)) + 0.25
    elif kind == "black":
        m = np.full_like(WL, 0.045)
        a = np.full_like(WL, 2.6) + 0.2 * g(WL, 600, 60, 60)
    else:  # blue-black
        m = 0.045 + 0.12 * g(WL, 450, 25, 35)
        a = 2.4 * g(WL, 590, 60, 60) + 0.9
    return Ink(m, a, 1.2, kind)


class Device:
    """The camera's colour path: channel weights W_k(l) = LED(l) S_k(l) (white = 1), white balance
    on the paper, a 3x3 colour matrix fitted by least squares, its tone curve."""

    def __init__(self, rng):
        self.led = led(rng)
        self.sens = camera_sensitivities(rng)
        w = self.led[None, :] * self.sens
        self.W = w / w.sum(1, keepdims=True)
        cmf = cie_cmf()
        # the matrix: random smooth reflectances and the three inks' neighbourhood, camera -> linear sRGB
        k = np.linspace(0, 1, 31)
        refl = []
        r2 = np.random.default_rng(12345)
        for _ in range(240):
            c = r2.uniform(0, 1, 6)
            basis = np.stack([np.cos(np.pi * j * k) for j in range(6)])
            refl.append(np.clip(0.5 + 0.35 * (c - 0.5) @ basis, 0.02, 0.98))
        refl = np.array(refl)
        white = np.ones(31)
        xyz_w = cmf @ (self.led * white)
        xyz = (refl * self.led) @ cmf.T / xyz_w[1]
        # von Kries in XYZ to D65-ish white so a white sheet comes out neutral
        lin = xyz @ XYZ_TO_LSRGB.T
        lin_w = (xyz_w / xyz_w[1]) @ XYZ_TO_LSRGB.T
        lin = lin / lin_w
        cam = refl @ self.W.T
        self.ccm, *_ = np.linalg.lstsq(cam, lin, rcond=None)  # cam(1x3) @ ccm -> lin
        self.ccm = self.ccm / (np.ones(3) @ self.ccm)  # white stays white
        self.ref = self.cam(np.ones(31)) * (1 + rng.uniform(-0.008, 0.008, 3))  # the factory's white card
        self.sat = rng.uniform(1.0, 1.15)  # the ISP's extra saturation
        self.white_pt = rng.uniform(0.98, 1.1)
        self.black_pt = rng.uniform(0.015, 0.04)
        self.s_curve = rng.uniform(0.0, 0.25)

    def cam(self, refl):
        return refl @ self.W.T

    def to_linear_srgb(self, cam_wb):
        """cam_wb: (..., 3) already white balanced (paper = 1)."""
        lin = cam_wb @ self.ccm
        if self.sat != 1.0:
            y = lin @ np.array([0.2126, 0.7152, 0.0722])
            lin = y[..., None] + (lin - y[..., None]) * self.sat
        return lin

    def tone(self, lin):
        x = np.clip(lin, 0, 1)
        e = np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)
        e = np.clip((e - self.black_pt) / (self.white_pt - self.black_pt), 0, 1)
        return e + self.s_curve * e * (1 - e) * (e - 0.5) * 2

    def encode(self, cam_wb):
        return self.tone(self.to_linear_srgb(cam_wb))


def film_over(ink, h, subst):
    """Reflectance spectra of a film h (n,) over substrates subst (n,31) or (31,)."""
    h = np.asarray(h, float)[..., None]
    return ink.M * (1 - np.exp(-ink.s * h)) + subst * np.exp(-2 * ink.a * h)


def hue_deg(rgb):
    r, g_, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    mx = np.maximum(np.maximum(r, g_), b)
    mn = np.minimum(np.minimum(r, g_), b)
    d = np.maximum(mx - mn, 1e-9)
    h = np.where(mx == r, ((g_ - b) / d) % 6, np.where(mx == g_, (b - r) / d + 2, (r - g_) / d + 4))
    h = h * 60.0
    return np.where(h > 180, h - 360, h)


def ink_look(dev, ink, h, paper):
    """(absorbed in the strongest channel in linear light, hue in the encoded image, hue in linear light)
    of a film h over white paper, as the device renders it."""
    white = dev.cam(paper)
    # the device's fixed white balance (its own LED, a white card) and one gain for the paper's level
    c = dev.cam(film_over(ink, h, paper)) / dev.ref / (white / dev.ref).mean()
    lin = np.clip(dev.to_linear_srgb(c), 1e-6, 1)
    enc = dev.tone(lin)
    pw = dev.tone(np.clip(dev.to_linear_srgb(white / dev.ref / (white / dev.ref).mean()), 1e-6, 1))
    # what is absorbed as read back from the image: decoded, over the decoded paper
    absorbed = 1 - (srgb_decode(enc) / srgb_decode(pw)).min(-1)
    return absorbed, hue_deg(enc), hue_deg(lin)


def srgb_decode(e):
    e = np.asarray(e, float)
    return np.where(e <= 0.04045, e / 12.92, ((e + 0.055) / 1.055) ** 2.4)


def solve_h(dev, ink, paper, target):
    lo, hi = 0.0, 6.0
    for _ in range(26):
        mid = 0.5 * (lo + hi)
        a = ink_look(dev, ink, np.array([mid]), paper)[0][0]
        lo, hi = (mid, hi) if a < target else (lo, mid)
    return 0.5 * (lo + hi)


def seal_ink(rng, edge, blue_lift=0.0, width=None, blue_bal=0.0):
    width = width if width is not None else rng.uniform(11, 16)
    top = rng.uniform(0.58, 0.72)
    m = 0.035 + (top - 0.035) * sigmoid((WL - edge) / width) + blue_lift * g(WL, 420, 25, 30)
    a = rng.uniform(2.6, 3.4) * (1.0 - m / (top + 0.05)) + 0.02
    a = a * (1 + blue_bal * sigmoid((500 - WL) / 12))  # the dye's blue band against its green one
    return Ink(m, a, rng.uniform(0.5, 0.9), "seal")


def mix_hue(dev, ink, h, paper, cover):
    """Hue (encoded) of a pixel a share `cover` of which is this film, the rest bare paper."""
    white = dev.cam(paper)
    k = (white / dev.ref).mean()
    c_ink = dev.cam(film_over(ink, np.array([h]), paper))[0] / dev.ref / k
    c_pap = white / dev.ref / k
    lin_i = np.clip(dev.to_linear_srgb(c_ink), 1e-6, 1)
    lin_p = np.clip(dev.to_linear_srgb(c_pap), 1e-6, 1)
    mix = cover[:, None] * lin_i[None, :] + (1 - cover[:, None]) * lin_p[None, :]
    return hue_deg(dev.tone(mix))


def _edge_for(dev, paper, target, width, bal, absorbed, lift=None, edge0=None):
    lo, hi = (540.0, 640.0) if lift is None else (0.0, 0.6)
    for _ in range(18):
        mid = 0.5 * (lo + hi)
        if lift is None:
            ink = seal_ink(np.random.default_rng(7), mid, 0.0, width, bal)
        else:
            ink = seal_ink(np.random.default_rng(7), edge0, mid, width, bal)
        h = solve_h(dev, ink, paper, absorbed)
        hue = ink_look(dev, ink, np.array([h]), paper)[1][0]
        lo, hi = (mid, hi) if hue > target else (lo, mid)
    mid = 0.5 * (lo + hi)
    if lift is None:
        return seal_ink(np.random.default_rng(7), mid, 0.0, width, bal)
    return seal_ink(np.random.default_rng(7), edge0, mid, width, bal)


def make_seal_ink(rng, dev, paper, colour, absorbed):
    """An ink whose hue over this paper, through this device, is where `colour` wants it, at the
    film that absorbs `absorbed`, and stays there thinner (0.25-1.3 x) and mixed with the paper
    at a blurred edge; the dense hue by the masstone's edge (or the violet lift), the pale one by the
    balance of the dye's blue and green bands. Returns (ink, h)."""
    best = None
    for _ in range(12):
        if colour == "red":
            target = rng.uniform(-3, 3)
        elif colour == "orange":
            target = rng.uniform(26, 40)
        else:
            target = -rng.uniform(26, 42)
        width = rng.uniform(11, 16)
        edge0 = rng.uniform(598, 612)
        lift = 0.0 if colour == "purple" else None
        for bal in (-0.25, -0.1, -0.4, 0.05, -0.55):
            ink = _edge_for(dev, paper, target, width, bal, absorbed, lift, edge0)
            h = solve_h(dev, ink, paper, absorbed)
            _, he, hl = ink_look(dev, ink, np.array([0.25 * h, 0.7 * h, h, 1.3 * h]), paper)
            hm = mix_hue(dev, ink, h, paper, np.array([0.3, 0.6, 0.9]))
            if colour == "red":
                hp = ink_look(dev, ink, np.array([0.1 * h]), paper)[1]  # a pale pressing of it
                dev_ = max(np.abs(he).max(), np.abs(hl).max(), np.abs(hm).max(), np.abs(hp).max() - 0.5)
                if best is None or dev_ < best[0]:
                    best = (dev_, ink, h)
                ok = dev_ <= 5.5
            else:
                ok = (np.all(np.abs(he[1:]) >= 21) and np.all(np.abs(hl[1:]) >= 20) and np.all(np.abs(he) <= 60)
                      and np.all(np.abs(hm[1:]) >= 21))
            if ok:
                return ink, h
    if best is not None and best[0] <= 6.0:
        return best[1], best[2]
    raise RuntimeError("no ink found for %s" % colour)


def luts(dev, ink, paper, stain_a, K, hmax, smax, nh=384, ns=48):
    """Camera responses (white balanced on the bare paper) as tables over film h and stain s:
    v = L1(h) + t L2(h) + g (1 - t) L3(h, s), t the toner's cover, g the paper's grain."""
    hs = np.linspace(0, hmax, nh)
    ss = np.linspace(0, smax, ns)
    white = dev.ref
    e1 = 1 - np.exp(-ink.s * hs)
    L1 = (e1[:, None] * ink.M[None, :]) @ dev.W.T / white
    tr = np.exp(-2 * ink.a[None, :] * hs[:, None])  # (nh,31)
    L2 = (K * tr) @ dev.W.T / white
    st = np.exp(-ss[:, None] * stain_a[None, :])  # (ns,31)
    L3 = np.einsum("hl,sl,kl->hsk", tr, st * paper[None, :], dev.W) / white
    return hs, ss, L1.astype(np.float32), L2.astype(np.float32), L3.astype(np.float32)
