"""Coverage rasteriser of maker K (wand/): Mesa's software OpenGL (OSMesa, llvmpipe) through
PyOpenGL. Shapes are drawn without any antialiasing; a filled outline by the stencil buffer
(stencil-then-cover: a triangle fan per contour counts the winding, front faces up, back faces
down, then a quad covers where it is non-zero), strokes and discs as plain triangles. Coverage is
the mean of 4 x 4 jittered passes (the accumulation-buffer method), each pass binary.
All geometry in page millimetres, y down."""
import os
os.environ['PYOPENGL_PLATFORM'] = 'osmesa'   # this maker draws with OSMesa only
import numpy as np
from OpenGL import GL, arrays, osmesa

_ctx = None


def _context():
    global _ctx
    if _ctx is None:
        _ctx = osmesa.OSMesaCreateContextExt(osmesa.OSMESA_RGBA, 0, 8, 0, None)
        if not _ctx:
            raise RuntimeError('OSMesa context failed')
    return _ctx


def disc_tris(cx, cy, r, n=10):
    a = np.linspace(0, 2 * np.pi, n + 1)
    p = np.stack([cx + r * np.cos(a), cy + r * np.sin(a)], -1)
    c = np.array([cx, cy])
    return np.concatenate([np.repeat(c[None], n, 0)[:, None], p[:-1, None], p[1:, None]], 1)


def stroke_tris(contours, w, closed=True, caps=True):
    """Quads along every segment plus discs at the vertices (round joins)."""
    out = []
    h = w / 2.0
    for c in contours:
        c = np.asarray(c, float)
        if closed:
            c = np.vstack([c, c[:1]])
        if len(c) < 2:
            continue
        a, b = c[:-1], c[1:]
        d = b - a
        ln = np.hypot(d[:, 0], d[:, 1])
        ok = ln > 1e-9
        a, b, d, ln = a[ok], b[ok], d[ok], ln[ok]
        nrm = np.stack([-d[:, 1], d[:, 0]], -1) / ln[:, None] * h
        p1, p2, p3, p4 = a + nrm, b + nrm, b - nrm, a - nrm
        out.append(np.stack([p1, p2, p3], 1))
        out.append(np.stack([p1, p3, p4], 1))
        if caps:
            n = 8 if w < 0.6 else 12
            ang = np.linspace(0, 2 * np.pi, n + 1)
            ring = np.stack([np.cos(ang), np.sin(ang)], -1) * h
            pts = c[:-1] if closed else c
            for p in pts:
                q = p + ring
                out.append(np.stack([np.repeat(p[None], n, 0), q[:-1], q[1:]], 1))
    if not out:
        return np.zeros((0, 3, 2))
    return np.concatenate(out, 0)


def rect_tris(x0, y0, x1, y1):
    return np.array([[[x0, y0], [x1, y0], [x1, y1]], [[x0, y0], [x1, y1], [x0, y1]]], float)


class Scene:
    """A list of items: ('fill', [contour arrays]) filled by the non-zero rule, ('tris', T)."""

    def __init__(self):
        self.items = []

    def fill(self, contours):
        cs = [np.asarray(c, float) for c in contours if len(c) >= 3]
        if cs:
            self.items.append(('fill', cs))

    def tris(self, t):
        t = np.asarray(t, float)
        if len(t):
            self.items.append(('tris', t))


def _fan(contours):
    anchor = contours[0][0]
    tri = []
    for c in contours:
        n = len(c)
        a = c
        b = np.roll(c, -1, 0)
        tri.append(np.stack([np.repeat(anchor[None], n, 0), a, b], 1))
    return np.concatenate(tri, 0)


def coverage(scene, x0_mm, y0_mm, w, h, px_per_mm, passes=4, jitter_rng=None):
    """Coverage in [0, 1] of a w x h pixel window whose top-left corner is at (x0_mm, y0_mm).
    passes: n for an n x n jitter grid (1: a single binary pass sampling pixel centres)."""
    ctx = _context()
    buf = arrays.GLubyteArray.zeros((h, w, 4))
    if not osmesa.OSMesaMakeCurrent(ctx, buf, GL.GL_UNSIGNED_BYTE, w, h):
        raise RuntimeError('OSMesaMakeCurrent failed')
    GL.glViewport(0, 0, w, h)
    GL.glMatrixMode(GL.GL_PROJECTION)
    GL.glLoadIdentity()
    GL.glOrtho(0, w, h, 0, -1, 1)   # y down; row 0 of the read-back is the bottom
    GL.glDisable(GL.GL_CULL_FACE)
    GL.glDisable(GL.GL_DEPTH_TEST)
    GL.glDisable(GL.GL_BLEND)
    GL.glEnableClientState(GL.GL_VERTEX_ARRAY)
    # geometry to pixel units once
    prep = []
    for kind, data in scene.items:
        if kind == 'fill':
            fan = ((_fan(data) - [x0_mm, y0_mm]) * px_per_mm).astype(np.float32).reshape(-1, 2)
            allp = np.concatenate(data, 0)
            lo = (allp.min(0) - [x0_mm, y0_mm]) * px_per_mm - 2
            hi = (allp.max(0) - [x0_mm, y0_mm]) * px_per_mm + 2
            if hi[0] < 0 or hi[1] < 0 or lo[0] > w or lo[1] > h:
                continue
            quad = np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]], np.float32)
            prep.append(('fill', np.ascontiguousarray(fan), quad))
        else:
            t = ((data - [x0_mm, y0_mm]) * px_per_mm).astype(np.float32).reshape(-1, 2)
            prep.append(('tris', np.ascontiguousarray(t), None))
    n = max(1, int(passes))
    if n == 1:
        offs = [(0.0, 0.0)]
    else:
        rng = jitter_rng if jitter_rng is not None else np.random.default_rng(7)
        offs = [((i + rng.uniform(0.1, 0.9)) / n - 0.5, (j + rng.uniform(0.1, 0.9)) / n - 0.5)
                for i in range(n) for j in range(n)]
    acc = np.zeros((h, w), np.float32)
    for dx, dy in offs:
        GL.glMatrixMode(GL.GL_MODELVIEW)
        GL.glLoadIdentity()
        GL.glTranslatef(dx, dy, 0)
        GL.glClearColor(0, 0, 0, 0)
        GL.glClearStencil(0)
        GL.glClear(GL.GL_COLOR_BUFFER_BIT | GL.GL_STENCIL_BUFFER_BIT)
        GL.glColor4f(1, 1, 1, 1)
        for kind, v, quad in prep:
            if kind == 'tris':
                GL.glVertexPointer(2, GL.GL_FLOAT, 0, v)
                GL.glDrawArrays(GL.GL_TRIANGLES, 0, len(v))
                continue
            GL.glEnable(GL.GL_STENCIL_TEST)
            GL.glColorMask(GL.GL_FALSE, GL.GL_FALSE, GL.GL_FALSE, GL.GL_FALSE)
            GL.glStencilFunc(GL.GL_ALWAYS, 0, 0xff)
            GL.glStencilOpSeparate(GL.GL_FRONT, GL.GL_KEEP, GL.GL_KEEP, GL.GL_INCR_WRAP)
            GL.glStencilOpSeparate(GL.GL_BACK, GL.GL_KEEP, GL.GL_KEEP, GL.GL_DECR_WRAP)
            GL.glVertexPointer(2, GL.GL_FLOAT, 0, v)
            GL.glDrawArrays(GL.GL_TRIANGLES, 0, len(v))
            GL.glColorMask(GL.GL_TRUE, GL.GL_TRUE, GL.GL_TRUE, GL.GL_TRUE)
            GL.glStencilFunc(GL.GL_NOTEQUAL, 0, 0xff)
            GL.glStencilOp(GL.GL_ZERO, GL.GL_ZERO, GL.GL_ZERO)
            GL.glVertexPointer(2, GL.GL_FLOAT, 0, quad)
            GL.glDrawArrays(GL.GL_TRIANGLES, 0, 6)
            GL.glDisable(GL.GL_STENCIL_TEST)
        GL.glFinish()
        px = GL.glReadPixels(0, 0, w, h, GL.GL_RED, GL.GL_UNSIGNED_BYTE)
        a = np.frombuffer(px, np.uint8).reshape(h, w)
        acc += a[::-1] > 127
    return acc / len(offs)
