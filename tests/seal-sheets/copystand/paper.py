"""Paper from a cellular (Worley) flock model, the form's solid-ink (wax) print, and stains
(maker M, copystand)."""
import numpy as np
from scipy import ndimage
from scipy.spatial import cKDTree


def worley(rng, tile_mm, step_mm, density_per_mm2, k=2):
    """F1 and F2 distances (mm) of a periodic Poisson point field on a tile, sampled every step_mm."""
    n = max(8, rng.poisson(density_per_mm2 * tile_mm * tile_mm))
    pts = rng.random((n, 2)) * tile_mm
    tree = cKDTree(pts, boxsize=tile_mm)
    g = int(round(tile_mm / step_mm))
    ax = (np.arange(g) + 0.5) * tile_mm / g
    yy, xx = np.meshgrid(ax, ax, indexing='ij')
    d, _ = tree.query(np.stack([yy.ravel(), xx.ravel()], 1) % tile_mm, k=k)
    return d[:, 0].reshape(g, g), d[:, 1].reshape(g, g)


def _norm(a):
    a = a - a.mean()
    return a / (a.std() + 1e-9)


def tile_to(field, tile_px, H, W, rng):
    """Tiles a periodic field (resampled to tile_px) over H x W, at a random phase."""
    f = ndimage.zoom(field, tile_px / field.shape[0], order=1, mode='grid-wrap', grid_mode=True)
    ry, rx = rng.integers(0, f.shape[0], 2)
    f = np.roll(f, (int(ry), int(rx)), (0, 1))
    reps = (H // f.shape[0] + 1, W // f.shape[1] + 1)
    return np.tile(f, reps)[:H, :W]


def make_paper(rng, H, W, k):
    """k px/mm. Returns reflectance (H, W, 3) float32, receptivity (H, W) and its parameters."""
    # flocs: the cells of a Worley field (F2 - F1 small on the cell walls: fibre-rich ridges)
    floc_mm = rng.uniform(1.2, 2.6)
    t1 = 32.0
    f1, f2 = worley(rng, t1, 0.16, 1.0 / floc_mm ** 2)
    flock = _norm(-ndimage.gaussian_filter(f2 - f1, 1.2, mode='wrap'))
    # fibres' grain: a fine Worley field (F1), its pits the paper's pores
    gr_mm = rng.uniform(0.07, 0.12)
    t2 = 6.0
    step2 = max(0.02, 1.0 / k)
    g1, g2 = worley(rng, t2, step2, 1.0 / gr_mm ** 2)
    grain = _norm(g2 - 1.6 * g1)
    a_f = rng.uniform(0.005, 0.011)
    a_g = rng.uniform(0.004, 0.009)
    F = tile_to(flock, int(round(t1 * k)), H, W, rng)
    G = tile_to(grain, int(round(t2 * k)), H, W, rng)
    white = rng.uniform(0.845, 0.9)
    tint = np.array([rng.uniform(0.99, 1.01), 1.0, rng.uniform(0.985, 1.03)])
    base = (1 + a_f * F + a_g * G).astype(np.float32)
    P = np.empty((H, W, 3), np.float32)
    for c in range(3):
        P[..., c] = base * (white * tint[c])
    return P, G.astype(np.float32), dict(white=round(white, 4), floc_mm=round(floc_mm, 2), grain_mm=round(gr_mm, 3),
                                          formation=round(a_f, 4), grain=round(a_g, 4))


def err_diffuse_rows(c):
    """One-dimensional error diffusion along each row (the wax head's jets fire as the sheet passes
    under them; the driver carries the error along the row only)."""
    H, W = c.shape
    out = np.zeros((H, W), bool)
    e = np.zeros(H, np.float32)
    for x in range(W):
        v = c[:, x] + e
        on = v >= 0.5
        out[:, x] = on
        e = (v - on) * 0.92
    return out


def wax_print(rng, solid, tint, prn):
    """solid: the form's line art coverage at the printer's 600-dpi grid; tint: the strips' grey.
    Every addressable pixel on is a drop of wax pressed flat by the transfix roller: coverage is
    the drops' footprint (a Gaussian spread, x 1.3, clipped); jets (columns) vary ± 2-5 % in drop
    mass; a dead jet leaves a light line down the page."""
    on = solid >= 0.5
    if tint is not None and tint.max() > 0:
        tt = tint.copy()
        tt[on] = 0
        ys, xs = np.nonzero(tt > 0.01)
        if ys.size:
            y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
            on[y0:y1, x0:x1] |= err_diffuse_rows(tt[y0:y1, x0:x1])
    H, W = on.shape
    mass = 1 + rng.normal(0, prn['jet_var'], W).astype(np.float32)
    dots = on.astype(np.float32) * mass[None, :]
    for x in prn['dead_jets']:
        dots[:, x] = 0
    cov = ndimage.gaussian_filter(dots, prn['spread_px'])
    return np.clip(cov * 1.3, 0, 1)


def smooth_noise(rng, H, W, scale_px, amp):
    """Smooth Gaussian noise of about scale_px correlation, std amp."""
    sh = (max(2, int(H / scale_px) + 3), max(2, int(W / scale_px) + 3))
    n = rng.normal(0, 1, sh)
    n = ndimage.zoom(n, (H / (sh[0] - 2), W / (sh[1] - 2)), order=3)[:H, :W]
    n = n[:H, :W]
    if n.shape != (H, W):
        n = np.pad(n, ((0, H - n.shape[0]), (0, W - n.shape[1])), mode='edge')
    return (_norm(n) * amp).astype(np.float32)
