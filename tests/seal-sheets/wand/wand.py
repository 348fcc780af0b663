"""Maker K's capture: a handheld wand scanner (a contact-image-sensor bar pulled by hand down the
sheet lying on a desk). Lines are triggered by an encoder roller at one end of the bar, so the
image's rows follow the roller's travel, not the page: the hand turns the bar slowly (the far end
runs ahead or behind: a fan), crabs sideways, the roller slips; the three LEDs (R, G, B) are
strobed one after another within a line, so the colours are read a third of a line apart; the
sensor is a row of butted chips, each with its own gain; the firmware stores a JPEG (libjpeg-turbo's
cjpeg) with or without the resolution."""
import subprocess
import numpy as np
from scipy import ndimage

BAR_MM = 216.0      # an 8.5-inch bar, wider than A4


def smooth_noise(rng, n, corr, amp):
    """A smooth random curve over n samples: white noise low-passed over corr samples, unit std x amp."""
    if n <= 1:
        return np.zeros(n)
    w = rng.standard_normal(n + 8 * int(corr) + 8)
    s = ndimage.gaussian_filter1d(w, max(corr, 1.0), mode='wrap')
    s = s[4 * int(corr) + 4:4 * int(corr) + 4 + n]
    sd = s.std()
    return s / (sd if sd > 0 else 1) * amp


class Sweep:
    def __init__(self, rng, dpi, page_w=210.0, page_h=297.0):
        self.dpi = dpi
        self.pitch = p = 25.4 / dpi
        self.ncol = int(round(BAR_MM / p))
        left = rng.random() < 0.5
        self.x_e = rng.uniform(10, 20) if left else BAR_MM - rng.uniform(10, 20)   # the roller
        start = rng.uniform(4, 12)
        end = rng.uniform(4, 12)
        self.params = {'roller_mm': round(float(self.x_e), 2), 'start_mm': round(start, 1), 'end_mm': round(end, 1)}
        # along the roller's travel, sampled every 0.5 mm, then interpolated to lines
        L = page_h + start + end + 30
        ns = int(L / 0.5) + 1
        sgrid = np.arange(ns) * 0.5
        th0 = rng.normal(0, 0.5) if rng.random() < 0.6 else rng.choice([-1, 1]) * rng.uniform(0.7, 2.2)
        turn = smooth_noise(rng, ns, rng.uniform(60, 160), rng.uniform(0.25, 0.9))  # deg, the hand turning
        turn -= turn[0]
        crab = smooth_noise(rng, ns, rng.uniform(50, 150), rng.uniform(0.1, 0.5))     # deg, sideways slide
        slip = smooth_noise(rng, ns, rng.uniform(20, 80), rng.uniform(0.002, 0.008))  # roller slip, fraction
        nslip = rng.integers(0, 3)
        events = []
        for _ in range(nslip):
            c = rng.uniform(20, L - 40)
            wdt = rng.uniform(3, 10)
            a = rng.uniform(0.015, 0.045)
            slip += a * np.exp(-0.5 * ((sgrid - c) / (wdt / 2.355)) ** 2)
            events.append([round(c, 1), round(wdt, 1), round(a, 3)])
        self.params.update({'turn0_deg': round(float(th0), 2), 'turn_sd_deg': round(float(turn.std()), 2),
                            'crab_sd_deg': round(float(crab.std()), 2), 'slip_events': events})
        th = np.radians(th0 + turn)
        ph = np.radians(crab)
        # rows: each line after the roller has turned one pitch (as it believes); the bar then moved
        # pitch x (1 + slip) along its travel direction
        K = int((L - 25) / p)
        sk = np.arange(K) * p
        thk = np.interp(sk, sgrid, th)
        phk = np.interp(sk, sgrid, ph)
        slk = np.interp(sk, sgrid, slip)
        step = p * (1 + slk)
        dirx, diry = -np.sin(thk + phk), np.cos(thk + phk)
        ux, uy = np.cos(thk), np.sin(thk)
        # start: the bar's middle over the page's middle +- 3 mm, the line 'start' mm above the page
        cx = page_w / 2 + rng.uniform(-3, 3)
        ex0 = cx + (self.x_e - BAR_MM / 2) * ux[0]
        ey0 = -start + (self.x_e - BAR_MM / 2) * uy[0]
        ex = ex0 + np.concatenate([[0], np.cumsum(step[:-1] * dirx[:-1])])
        ey = ey0 + np.concatenate([[0], np.cumsum(step[:-1] * diry[:-1])])
        # stop when the whole bar has left the page's bottom by 'end' mm
        ymin = np.minimum(ey + (0 - self.x_e) * uy, ey + (BAR_MM - self.x_e) * uy)
        stop = np.nonzero(ymin > page_h + end)[0]
        K = int(stop[0]) if len(stop) else K
        self.nrow = K
        self.ex, self.ey = ex[:K], ey[:K]
        self.ux, self.uy = ux[:K], uy[:K]
        self.dx, self.dy = dirx[:K], diry[:K]
        self.step = step[:K]
        self.th = thk[:K]

    def line_origin(self, k, delta):
        """Page mm of pixel column 0's left edge reference (the roller point) for LED phase delta."""
        return (self.ex[k] + delta * self.step[k] * self.dx[k], self.ey[k] + delta * self.step[k] * self.dy[k])

    def page_xy(self, k0, k1, j0, j1, delta):
        k = np.arange(k0, k1)
        j = np.arange(j0, j1)
        ox, oy = self.line_origin(k, delta)
        t = (j + 0.5) * self.pitch - self.x_e
        X = ox[:, None] + t[None, :] * self.ux[k][:, None]
        Y = oy[:, None] + t[None, :] * self.uy[k][:, None]
        return X, Y

    def to_image(self, x, y, delta=1 / 3):
        """Page mm -> image pixel (col, row), fractional, for the green LED's phase."""
        k = np.arange(self.nrow)
        ox, oy = self.line_origin(k, delta)
        nx, ny = -self.uy, self.ux            # the bar's normal
        d = (x - ox) * nx + (y - oy) * ny      # falls as the bar passes the point
        i = np.nonzero(d <= 0)[0]
        if len(i) == 0 or i[0] == 0:
            i0 = 0 if len(i) == 0 else 0
            kk = float(i0)
        else:
            a = i[0]
            kk = (a - 1) + d[a - 1] / (d[a - 1] - d[a])
        a = int(min(max(np.floor(kk), 0), self.nrow - 1))
        tx = (x - ox[a]) * self.ux[a] + (y - oy[a]) * self.uy[a]
        col = (tx + self.x_e) / self.pitch - 0.5
        return float(col), float(kk)


def capture(rng, page, gpx, sweep, desk_rgb, desk_tex, blur_mm, lift):
    """page: (3, H, W) linear reflectance at gpx px/mm. Returns the wand's 8-bit RGB image and its
    sensor record."""
    H, W = page.shape[1:]
    p = sweep.pitch
    sig = gpx * np.sqrt(blur_mm ** 2 + p * p / 12.0)
    for c in range(3):
        page[c] = ndimage.gaussian_filter(page[c], sig, truncate=3.0)
    src = page
    K, N = sweep.nrow, sweep.ncol
    out = np.empty((3, K, N), np.float32)
    deltas = (0.0, 1 / 3, 2 / 3)      # R, G, B strobed in turn
    blk = 400
    for k0 in range(0, K, blk):
        k1 = min(K, k0 + blk)
        for c in range(3):
            X, Y = sweep.page_xy(k0, k1, 0, N, deltas[c])
            v = ndimage.map_coordinates(src[c], [Y * gpx - 0.5, X * gpx - 0.5], order=1, mode='constant', cval=-1.0)
            off = v < -0.5
            if off.any():
                # the desk beyond the page: a laminate with a photographed texture
                tx = desk_tex[(np.abs(Y[off] * 0.6).astype(int)) % desk_tex.shape[0], (np.abs(X[off] * 0.6).astype(int)) % desk_tex.shape[1]]
                v[off] = desk_rgb[c] * (1 + 0.06 * tx)
            out[c, k0 - 0:k1 - 0] = v
    # a rocking bar lifts one end off the page for a stretch: defocus grows towards that end
    if lift is not None:
        r0, r1, side, smax = lift
        rows = np.arange(K)
        wr = np.clip(np.minimum(rows - r0, r1 - rows) / max(1.0, 0.2 * (r1 - r0)), 0, 1)
        cols = np.arange(N) / (N - 1)
        wc = cols if side > 0 else 1 - cols
        wgt = (wr[:, None] * wc[None, :]).astype(np.float32)
        for c in range(3):
            b = ndimage.gaussian_filter(out[c], smax / p)
            out[c] = out[c] * (1 - wgt) + b * wgt
    # sensor: the calibration strip's white is full scale; butted chips with their own gains
    cal = rng.uniform(0.9, 0.95)
    nchip = 12
    chip = np.repeat(1 + rng.normal(0, rng.uniform(0.004, 0.012), nchip), int(np.ceil(N / nchip)))[:N]
    prnu = 1 + rng.normal(0, rng.uniform(0.002, 0.005), N)
    col_gain = (chip * prnu).astype(np.float32)
    led = (1 + smooth_noise(rng, K, rng.uniform(5, 40), rng.uniform(0.001, 0.004))).astype(np.float32)
    chg = 1 + rng.normal(0, 0.01, 3)
    fw = rng.uniform(4000, 12000)
    rn = rng.uniform(0.002, 0.005)
    img = np.empty((K, N, 3), np.uint8)
    gamma = rng.uniform(2.0, 2.4)
    black = rng.uniform(0.01, 0.04)
    for c in range(3):
        v = out[c] / cal * col_gain[None, :] * led[:, None] * chg[c]
        v = np.clip(v, 0, 1.2)
        # shot noise (Gaussian at these counts) and read noise
        v = np.clip(v, 0, None).astype(np.float32)
        e = v + rng.standard_normal(v.shape, dtype=np.float32) * np.sqrt(v / np.float32(fw) + np.float32(rn * rn))
        e = np.clip((e - black * 0.2) / (1 - black * 0.2), 0, 1)
        enc = np.power(e, 1 / gamma)
        enc = (enc - black) / (1 - black)
        img[:, :, c] = np.clip(np.round(enc * 255), 0, 255).astype(np.uint8)
    info = {'cal_white': round(cal, 3), 'chips': nchip, 'full_well': int(fw), 'read_noise': round(rn, 4),
            'gamma': round(gamma, 2), 'black': round(black, 3), 'blur_mm': round(blur_mm, 3),
            'lift': None if lift is None else [int(lift[0]), int(lift[1]), int(lift[2]), round(lift[3], 3)]}
    return img, info, src, sig


def write_jpeg(path, img, q, sample, dpi):
    h, w = img.shape[:2]
    ppm = b'P6\n%d %d\n255\n' % (w, h) + img.tobytes()
    subprocess.run(['cjpeg', '-quality', str(q), '-sample', sample, '-optimize', '-outfile', path], input=ppm, check=True)
    with open(path, 'r+b') as f:
        b = bytearray(f.read(20))
        if b[6:11] == b'JFIF\x00':
            f.seek(13)
            if dpi:
                f.write(bytes([1, dpi >> 8, dpi & 255, dpi >> 8, dpi & 255]))
            else:
                f.write(bytes([0, 0, 1, 0, 1]))
