"""Maker N's ink: a four-flux transfer model (collimated and diffuse light, each going down and
up) of the film, combined sublayer by sublayer by the adding-doubling method over a Lambertian
substrate (the paper, the printed toner, a stain): R(film, Rg) for one channel, tabulated."""
import numpy as np


def _add(Ra, Ta, Rb, Tb):
    # two symmetric slabs, a over b; vectors [collimated, diffuse]; (N, 2, 2) operators
    I = np.eye(2)[None]
    M = np.linalg.inv(I - Rb @ Ra)
    R = Ra + Ta @ M @ Rb @ Ta
    T = Tb @ np.linalg.inv(I - Ra @ Rb) @ Ta
    return R, T


def table(k, s, hmax, nh=48, nrg=21):
    """Reflectance table over film thickness h in [0, hmax] (absorption k h, scattering s h) and
    substrate reflectance Rg in [0, 1]: collimated light in, diffuse light out."""
    hs = np.linspace(0.0, hmax, nh)
    n = 14
    d = hs / 2 ** n
    N = len(hs)
    # a thin sublayer: collimated attenuated by (k + s) d, half of what is scattered goes on
    # down as diffuse light, half back up; diffuse light travels twice the path (mean cosine 1/2)
    T = np.zeros((N, 2, 2)); R = np.zeros((N, 2, 2))
    T[:, 0, 0] = np.exp(-(k + s) * d)
    T[:, 1, 0] = 0.5 * s * d
    T[:, 1, 1] = 1 - 2 * (k + s) * d + s * d
    R[:, 1, 0] = 0.5 * s * d
    R[:, 1, 1] = s * d
    for _ in range(n):
        R, T = _add(R, T, R, T)
    rgs = np.linspace(0.0, 1.0, nrg)
    out = np.zeros((N, nrg))
    I = np.eye(2)[None]
    for j, rg in enumerate(rgs):
        G = np.zeros((N, 2, 2)); G[:, 1, 0] = rg; G[:, 1, 1] = rg
        tot = R + T @ G @ np.linalg.inv(I - R @ G) @ T
        out[:, j] = tot[:, 1, 0]
    return hs, rgs, out


def lookup(tab, h, rg):
    hs, rgs, out = tab
    fh = np.clip(h / hs[-1] * (len(hs) - 1), 0, len(hs) - 1.0001)
    fr = np.clip(rg * (len(rgs) - 1), 0, len(rgs) - 1.0001)
    i = fh.astype(np.int32); j = fr.astype(np.int32)
    a = fh - i; b = fr - j
    return ((out[i, j] * (1 - a) + out[i + 1, j] * a) * (1 - b)
            + (out[i, j + 1] * (1 - a) + out[i + 1, j + 1] * a) * b).astype(np.float32)
