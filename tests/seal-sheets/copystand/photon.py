"""Ink by a Monte Carlo photon walk (maker M, copystand).

A film of paste or dye of thickness h lies on the paper (or on whatever is printed or stained on it),
which reflects diffusely (Lambertian) with reflectance Rg. The film absorbs (optical thickness
ta = a h per channel) and scatters (ts = s h, a Henyey-Greenstein phase function). Light from the
copy stand's lamps enters at 45 degrees; every photon is walked through the film, bounced off the
substrate (its weight times Rg, a cosine-distributed new direction), scattered and absorbed, until it
leaves at the top; the share that leaves is the film's reflectance R(ta, ts, Rg). One table over a
grid of (ta, ts, Rg) is made per process with a fixed stream of random numbers (common random
numbers across the grid, so the table is smooth); an ink's reflectance at a thickness is read from it
by interpolation. The film's top is taken as index-matched (no Fresnel reflection inside it)."""
import numpy as np

TA = np.array([0, 0.03, 0.07, 0.12, 0.2, 0.3, 0.45, 0.65, 0.9, 1.2, 1.6, 2.1, 2.8, 3.6, 4.6, 6.0, 8.0, 11.0])
TS = np.array([0, 0.04, 0.1, 0.2, 0.35, 0.55, 0.8, 1.2, 1.8, 2.6])
RG = np.array([0.0, 0.03, 0.08, 0.16, 0.28, 0.42, 0.56, 0.7, 0.8, 0.88, 0.95])
G_HG = 0.55      # the pigment's forward scattering
MU0 = np.cos(np.radians(45.0))
_TABLE = None


def _walk(n_ph=6000, max_iter=400):
    """Walks n_ph photons through a film of scattering thickness ts for every ts of the grid (no
    absorption in the walk: every photon's path length L inside the film and its number of bounces
    off the substrate nb are kept, and the table is the mean of exp(-ta L) Rg^nb, exact for any
    ta and Rg, and smooth across them)."""
    rs = np.random.default_rng(20261201)
    xi = rs.random((max_iter, 3, n_ph))
    T = np.zeros((len(TA), len(TS), len(RG)))
    for j, ts in enumerate(TS):
        z = np.zeros(n_ph)
        mu = np.full(n_ph, MU0)
        L = np.zeros(n_ph)
        nb = np.zeros(n_ph)
        done = np.zeros(n_ph, bool)
        for it in range(max_iter):
            a = np.nonzero(~done)[0]
            if a.size == 0:
                break
            u1, u2, u3 = xi[it, 0, a], xi[it, 1, a], xi[it, 2, a]
            s = -np.log(np.maximum(u1, 1e-12)) / ts if ts > 0 else np.full(a.size, np.inf)
            m = mu[a]
            zb = np.where(m > 0, (1.0 - z[a]) / np.maximum(m, 1e-12), np.inf)
            zt = np.where(m < 0, -z[a] / np.minimum(m, -1e-12), np.inf)
            dist = np.minimum(s, np.minimum(zb, zt))
            L[a] += dist
            hitb = (zb <= s) & (zb <= zt)
            hitt = (zt < s) & (zt < zb)
            mid = ~(hitb | hitt)
            done[a[hitt]] = True
            ab = a[hitb]
            nb[ab] += 1
            z[ab] = 1.0
            mu[ab] = -np.sqrt(np.maximum(u2[hitb], 1e-9))
            am = a[mid]
            z[am] = z[am] + mu[am] * dist[mid]
            g = G_HG
            t = (1 - g * g) / (1 - g + 2 * g * u2[mid])
            ct = np.clip((1 + g * g - t * t) / (2 * g), -1, 1)
            m0 = mu[am]
            st = np.sqrt(1 - ct * ct)
            mu[am] = np.clip(m0 * ct + np.sqrt(np.maximum(0, 1 - m0 * m0)) * st * np.cos(2 * np.pi * u3[mid]), -1, 1)
            mu[am] = np.where(np.abs(mu[am]) < 1e-6, 1e-6, mu[am])
        L = L[done]
        nb = nb[done]
        for i, ta in enumerate(TA):
            e = np.exp(-ta * L)
            for k, rg in enumerate(RG):
                T[i, j, k] = np.sum(e * rg ** nb) / n_ph
    return T


def table():
    global _TABLE
    if _TABLE is None:
        _TABLE = _walk()
    return _TABLE


def _lerp_idx(grid, x):
    x = np.clip(x, grid[0], grid[-1])
    i = np.clip(np.searchsorted(grid, x) - 1, 0, len(grid) - 2)
    f = (x - grid[i]) / (grid[i + 1] - grid[i])
    return i, f


def R3(ta, ts, rg):
    """Reflectance from the table (trilinear) at arrays ta, ts, rg of one shape."""
    T = table()
    ia, fa = _lerp_idx(TA, ta)
    isx, fs = _lerp_idx(TS, ts)
    ig, fg = _lerp_idx(RG, rg)
    r = 0.0
    for da, wa in ((0, 1 - fa), (1, fa)):
        for ds, wsx in ((0, 1 - fs), (1, fs)):
            for dg, wg in ((0, 1 - fg), (1, fg)):
                r = r + wa * wsx * wg * T[ia + da, isx + ds, ig + dg]
    return r


class Ink:
    """An ink: absorption per unit thickness a[3] (linear R, G, B), scattering s per unit thickness.
    Its reflectance over a substrate is read from a per-ink 2-D table over (h, Rg)."""

    def __init__(self, a, s, hmax):
        self.a = np.asarray(a, float)
        self.s = float(s)
        self.hmax = float(hmax)
        self.H = np.linspace(0, self.hmax, 97)
        hh, gg = np.meshgrid(self.H, RG, indexing='ij')
        self.T = np.stack([R3(self.a[c] * hh, self.s * hh, gg) for c in range(3)], 0)

    def R(self, h, sub):
        """h: thickness field (H, W); sub: substrate reflectance (H, W, 3). Returns (H, W, 3)."""
        ih, fh = _lerp_idx(self.H, h)
        out = np.empty(sub.shape, np.float32)
        for c in range(3):
            ig, fg = _lerp_idx(RG, sub[..., c])
            T = self.T[c]
            v = ((1 - fh) * ((1 - fg) * T[ih, ig] + fg * T[ih, ig + 1])
                 + fh * ((1 - fg) * T[ih + 1, ig] + fg * T[ih + 1, ig + 1]))
            out[..., c] = v
        return out

    def R_point(self, h, sub3):
        return np.array([R3(self.a[c] * h, self.s * h, sub3[c]) for c in range(3)], float)
