"""A camera on a copy stand (maker M, copystand): a DSLR / mirrorless body on a column over the sheet,
two lamps at 45 degrees, its raw file (a Bayer mosaic written as DNG) developed by dcraw, then the
counter's operator rotates, crops and resizes the photo with GraphicsMagick and saves it."""
import os
import subprocess
import tempfile
import numpy as np
from scipy import ndimage
import dng

CAMERAS = {  # name: sensor width, height (px), CFA pattern (0 R, 1 G, 2 B)
    '12MP APS-C': (4288, 2848, (0, 1, 1, 2)),
    '24MP APS-C': (6000, 4000, (0, 1, 1, 2)),
    '24MP full frame': (6024, 4024, (2, 1, 1, 0)),
    '36MP full frame': (7360, 4912, (0, 1, 1, 2)),
    '45MP full frame': (8256, 5504, (1, 0, 2, 1)),
}
M_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])


def pick_camera(rng, dpi):
    u = rng.random()
    if dpi <= 200:
        return '12MP APS-C'
    if dpi <= 300:
        return '24MP APS-C' if u < 0.6 else '24MP full frame'
    if dpi <= 400:
        return '36MP full frame'
    return '45MP full frame'


class Stand:
    def __init__(self, rng, cam_name):
        self.name = cam_name
        Ws, Hs, self.pattern = CAMERAS[cam_name]
        self.Ws, self.Hs = Ws, Hs
        self.fill = rng.uniform(0.87, 0.94)            # the page's long side over the frame's
        self.k = Ws * self.fill / 297.0                 # sensor px per page mm (at the centre)
        self.Z = rng.uniform(600, 900)                  # lens to page, mm
        self.f = self.k * self.Z                        # focal length in px
        self.top_left = rng.random() < 0.5              # the page's top at the frame's left or right
        turn = rng.normal(0, 0.25) if rng.random() < 0.5 else rng.choice([-1, 1]) * rng.uniform(0.3, 1.5)
        self.turn = float(turn)
        self.tilt = (rng.normal(0, 0.4), rng.normal(0, 0.4))   # the column off square, degrees
        self.shift = (rng.uniform(-0.015, 0.015) * Ws, rng.uniform(-0.012, 0.012) * Hs)
        self.k1 = float(rng.choice([-1, 1]) * rng.uniform(0.002, 0.012))  # radial distortion at the corner
        self.ca = (rng.uniform(1e-4, 4e-4), -rng.uniform(1e-4, 3.5e-4))   # lateral colour: red, blue scale
        self.vig = rng.uniform(0.06, 0.2)
        self.lamp = (rng.uniform(-0.05, 0.05), rng.uniform(-0.02, 0.02), rng.uniform(0.0, 0.03))
        self.light = rng.choice(['tungsten', 'halogen', 'daylight LED'], p=[0.35, 0.25, 0.4])
        self.illum = {'tungsten': np.array([1.0, 0.70, 0.40]), 'halogen': np.array([1.0, 0.80, 0.58]),
                      'daylight LED': np.array([0.96, 1.0, 0.97])}[self.light] * rng.uniform(0.98, 1.02, 3)
        self.lens_px = rng.uniform(0.45, 0.8)
        self.aa_px = rng.uniform(0.3, 0.45)
        C = np.array([[0.78, 0.19, 0.03], [0.12, 0.80, 0.08], [0.03, 0.22, 0.75]]) + rng.normal(0, 0.025, (3, 3))
        self.C = C / C.sum(1, keepdims=True)
        self.gain = np.array([rng.uniform(0.45, 0.6), 1.0, rng.uniform(0.55, 0.75)])
        self.black = int(rng.choice([0, 512, 1024, 2048]))
        self.white = 16383
        self.expose = rng.uniform(0.55, 0.75)
        self.iso = int(rng.choice([100, 200, 400], p=[0.5, 0.35, 0.15]))
        self.fw = rng.uniform(28000, 60000) * 100 / self.iso
        self.read_e = rng.uniform(2.0, 6.0)
        self.prnu = rng.uniform(0.003, 0.008)
        self.wb_err = rng.uniform(0.98, 1.02, 3)
        self.q = int(rng.choice([0, 1, 2, 3], p=[0.15, 0.15, 0.3, 0.4]))
        self.auto_bright = rng.random() < 0.55
        self.bright = rng.uniform(0.88, 0.96)
        self.gamma = 'bt709' if rng.random() < 0.7 else 'srgb'
        self.denoise = int(rng.choice([0, 0, 60, 120]))
        self.board = rng.uniform(0.1, 0.25)
        self.board_tint = rng.uniform(0.95, 1.05, 3)
        # the page turned a quarter onto the landscape sensor
        g = np.radians(self.turn + (90.0 if self.top_left else -90.0))
        a, b = np.radians(self.tilt[0]), np.radians(self.tilt[1])
        Rz = np.array([[np.cos(g), -np.sin(g), 0], [np.sin(g), np.cos(g), 0], [0, 0, 1]])
        Rx = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
        Ry = np.array([[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]])
        R = Rz @ Rx @ Ry
        t = R @ np.array([-105.0, -148.5, 0]) + np.array([0, 0, self.Z])
        K = np.array([[self.f, 0, Ws / 2 + self.shift[0]], [0, self.f, Hs / 2 + self.shift[1]], [0, 0, 1]])
        self.Hm = K @ np.column_stack([R[:, 0], R[:, 1], t])
        self.Hi = np.linalg.inv(self.Hm)
        self.cx, self.cy = Ws / 2, Hs / 2
        self.rn = np.hypot(Ws, Hs) / 2

    def info(self):
        return dict(camera=self.name, fill=round(self.fill, 3), lens_to_page_mm=round(self.Z), turn_deg=round(self.turn, 3),
                    tilt_deg=[round(self.tilt[0], 3), round(self.tilt[1], 3)], k1=round(self.k1, 4), light=self.light,
                    iso=self.iso, black=self.black, dcraw_q=self.q, auto_bright=bool(self.auto_bright),
                    gamma=self.gamma, denoise=self.denoise, vignetting=round(self.vig, 3))

    # page mm -> sensor px (distorted), and back
    def fwd(self, x, y, ca=0.0):
        x = np.asarray(x, float)
        y = np.asarray(y, float)
        w = self.Hm[2, 0] * x + self.Hm[2, 1] * y + self.Hm[2, 2]
        u = (self.Hm[0, 0] * x + self.Hm[0, 1] * y + self.Hm[0, 2]) / w
        v = (self.Hm[1, 0] * x + self.Hm[1, 1] * y + self.Hm[1, 2]) / w
        du, dv = u - self.cx, v - self.cy
        r2 = (du * du + dv * dv) / self.rn ** 2
        s = (1 + self.k1 * r2) * (1 + ca)
        return self.cx + du * s, self.cy + dv * s

    def inv(self, u, v, ca=0.0):
        du = (u - self.cx) / (1 + ca)
        dv = (v - self.cy) / (1 + ca)
        rd2 = (du * du + dv * dv) / self.rn ** 2
        s = np.ones_like(du)
        for _ in range(4):
            s = 1.0 / (1 + self.k1 * rd2 * s * s)
        uu = self.cx + du * s
        vv = self.cy + dv * s
        w = self.Hi[2, 0] * uu + self.Hi[2, 1] * vv + self.Hi[2, 2]
        x = (self.Hi[0, 0] * uu + self.Hi[0, 1] * vv + self.Hi[0, 2]) / w
        y = (self.Hi[1, 0] * uu + self.Hi[1, 1] * vv + self.Hi[1, 2]) / w
        return x, y

    def shoot(self, rng, page, kpage, pad_mm, tmpdir):
        """page: linear RGB reflectance at kpage px/mm with pad_mm of baseboard round it. Returns the
        developed photo (Hs, Ws, 3) uint8 from dcraw."""
        sig = np.hypot(self.lens_px, self.aa_px) * kpage / self.k
        cam = np.empty_like(page)
        lin = page * self.illum[None, None, :].astype(np.float32)
        Cg = (np.diag(self.gain) @ self.C).astype(np.float32)
        for c in range(3):
            cam[..., c] = ndimage.gaussian_filter(lin[..., 0] * Cg[c, 0] + lin[..., 1] * Cg[c, 1] + lin[..., 2] * Cg[c, 2], sig)
        del lin
        n_white = Cg @ self.illum        # the camera's values for the lamps' white
        scale = self.expose / (n_white[1] * 0.87)
        Ws, Hs = self.Ws, self.Hs
        raw = np.empty((Hs, Ws), np.uint16)
        pat = np.array(self.pattern).reshape(2, 2)
        ca_of = {0: self.ca[0], 1: 0.0, 2: self.ca[1]}
        g_e = self.fw / (self.white - self.black)
        for y0 in range(0, Hs, 400):
            y1 = min(Hs, y0 + 400)
            vv, uu = np.mgrid[y0:y1, 0:Ws].astype(np.float64)
            vv += 0.5
            uu += 0.5
            out = np.empty((y1 - y0, Ws), np.float32)
            r2 = ((uu - self.cx) ** 2 + (vv - self.cy) ** 2) / self.rn ** 2
            light = (1 - self.vig * r2) * (1 + self.lamp[0] * (uu - self.cx) / self.cx + self.lamp[1] * (vv - self.cy) / self.cy
                                           - self.lamp[2] * r2)
            for py in range(2):
                for px in range(2):
                    c = int(pat[py, px])
                    sl = (slice((py - y0) % 2, None, 2), slice(px, None, 2))
                    x, y = self.inv(uu[sl], vv[sl], ca_of[c])
                    coords = np.stack([(y + pad_mm) * kpage - 0.5, (x + pad_mm) * kpage - 0.5])
                    out[sl] = ndimage.map_coordinates(cam[..., c], coords, order=1, mode='nearest')
            sig_dn = out * light * scale * (self.white - self.black)
            sig_dn *= 1 + rng.normal(0, self.prnu, sig_dn.shape).astype(np.float32)
            e = np.maximum(sig_dn * g_e, 0)
            e = e + rng.normal(0, 1, e.shape).astype(np.float32) * np.sqrt(e + self.read_e ** 2)
            raw[y0:y1] = np.clip(np.round(e / g_e + self.black), 0, self.white).astype(np.uint16)
        del cam
        xyz_to_cam = Cg @ np.linalg.inv(M_XYZ)
        neutral = n_white / n_white[1] * self.wb_err
        path = os.path.join(tmpdir, 'shot.dng')
        dng.write(path, raw, self.pattern, self.black, self.white, xyz_to_cam, neutral, 'copystand ' + self.name)
        del raw
        args = ['dcraw', '-c', '-w', '-q', str(self.q), '-o', '1']
        if not self.auto_bright:
            args += ['-W', '-b', '%.3f' % (self.bright / self.expose / 0.87 * 0.87)]
        if self.gamma == 'srgb':
            args += ['-g', '2.4', '12.92']
        if self.denoise:
            args += ['-n', str(self.denoise)]
        r = subprocess.run(args + [path], capture_output=True, check=True)
        os.unlink(path)
        return read_pnm(r.stdout)

    def sample_cov(self, cov, ox_mm, oy_mm, kpage, pre_px=0.35):
        """A box's coverage (its window at kpage px/mm from (ox_mm, oy_mm)) read at every sensor pixel
        centre it reaches through the same map (the green channel's), bilinear. Returns (array, u0, v0)."""
        h, w = cov.shape
        xs = np.array([ox_mm, ox_mm + w / kpage, ox_mm, ox_mm + w / kpage])
        ys = np.array([oy_mm, oy_mm, oy_mm + h / kpage, oy_mm + h / kpage])
        u, v = self.fwd(xs, ys)
        u0, u1 = int(max(0, np.floor(u.min()) - 2)), int(min(self.Ws, np.ceil(u.max()) + 2))
        v0, v1 = int(max(0, np.floor(v.min()) - 2)), int(min(self.Hs, np.ceil(v.max()) + 2))
        vv, uu = np.mgrid[v0:v1, u0:u1].astype(np.float64)
        x, y = self.inv(uu + 0.5, vv + 0.5)
        c = ndimage.gaussian_filter(cov, pre_px * kpage / self.k)
        coords = np.stack([(y - oy_mm) * kpage - 0.5, (x - ox_mm) * kpage - 0.5])
        return ndimage.map_coordinates(c, coords, order=1, mode='constant', cval=0.0).astype(np.float32), u0, v0


def read_pnm(b):
    """P6 / P5 8- or 16-bit."""
    parts = []
    i = 0
    while len(parts) < 4:
        while b[i:i + 1].isspace():
            i += 1
        if b[i:i + 1] == b'#':
            while b[i:i + 1] != b'\n':
                i += 1
            continue
        j = i
        while not b[j:j + 1].isspace():
            j += 1
        parts.append(b[i:j])
        i = j
    i += 1
    magic, w, h, mx = parts[0], int(parts[1]), int(parts[2]), int(parts[3])
    ch = 3 if magic == b'P6' else 1
    dt = np.uint8 if mx < 256 else np.dtype('>u2')
    a = np.frombuffer(b, dt, count=w * h * ch, offset=i).reshape(h, w, ch)
    return a if ch == 3 else a[..., 0]


def write_pnm(path, a):
    a = np.asarray(a)
    mx = 255 if a.dtype == np.uint8 else 65535
    magic = b'P6' if a.ndim == 3 else b'P5'
    with open(path, 'wb') as f:
        f.write(b'%s\n%d %d\n%d\n' % (magic, a.shape[1], a.shape[0], mx))
        f.write(a.astype(np.uint8 if mx == 255 else '>u2').tobytes())
