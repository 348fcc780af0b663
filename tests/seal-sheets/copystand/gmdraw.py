"""Drawing by GraphicsMagick (maker M, copystand): every shape and glyph is written as MVG (Magick
Vector Graphics) and rasterised by `gm convert -draw` (its own antialiased polygon filler and its
FreeType glyph rendering), white on black, read back as coverage."""
import os
import subprocess
import tempfile
import numpy as np
from fontTools.ttLib import TTFont

FONTS = {
    'ming': '/usr/share/fonts/truetype/cwtex/cwming.ttf',
    'kai': '/usr/share/fonts/truetype/cwtex/cwkai.ttf',
    'fs': '/usr/share/fonts/truetype/cwtex/cwfs.ttf',
    'hei': '/usr/share/fonts/truetype/cwtex/cwheib.ttf',
}
_META = {}
# one thread: GraphicsMagick's OpenMP passes may otherwise not give the same pixels twice
GM_ENV = dict(os.environ, OMP_NUM_THREADS='1')


def meta(face):
    if face not in _META:
        f = TTFont(FONTS[face], lazy=True)
        _META[face] = (f.getBestCmap(), f['glyf'], f['hmtx'], f['head'].unitsPerEm, f)
    return _META[face]


def check(face, text):
    """Every character must be in the face: a missing one is an error, never a fallback."""
    cmap = meta(face)[0]
    miss = [c for c in text if not c.isspace() and ord(c) not in cmap]
    if miss:
        raise SystemExit('copystand: face %s lacks %s (in %r)' % (face, ''.join(miss), text))
    return text


def ink_box(face, ch):
    """The glyph's ink box in em units (x0, y0, x1, y1; y up) and its advance."""
    cmap, glyf, hmtx, upm, _ = meta(face)
    g = glyf[cmap[ord(ch)]]
    adv = hmtx[cmap[ord(ch)]][0] / upm
    if not hasattr(g, 'xMin') or g.numberOfContours == 0:
        return (0, 0, adv, 0.7), adv
    return (g.xMin / upm, g.yMin / upm, g.xMax / upm, g.yMax / upm), adv


def esc(s):
    return s.replace('\\', '\\\\').replace("'", "\\'")


class MVG:
    def __init__(self):
        self.l = ['encoding UTF-8', 'stroke none', 'fill white']

    def add(self, s):
        self.l.append(s)

    def fill(self, v):
        """v: 0..1 grey (1 white = full coverage)."""
        q = int(round(np.clip(v, 0, 1) * 255))
        self.l.append('fill #%02x%02x%02x' % (q, q, q))

    def rect(self, x0, y0, x1, y1):
        self.l.append('rectangle %.3f,%.3f %.3f,%.3f' % (x0, y0, x1, y1))

    def circle(self, cx, cy, r):
        self.l.append('circle %.3f,%.3f %.3f,%.3f' % (cx, cy, cx + r, cy))

    def polygon(self, pts):
        self.l.append('polygon ' + ' '.join('%.3f,%.3f' % (x, y) for x, y in pts))

    def glyph(self, face, ch, cx, cy, w, h, rot_deg=0.0, bold_px=0.0):
        """One character, its ink box stretched to w x h px, centred at (cx, cy), turned rot_deg
        clockwise; emboldened by a stroke of its outline of bold_px."""
        (x0, y0, x1, y1), _ = ink_box(face, ch)
        F = 200.0
        gw, gh = max(x1 - x0, 0.05) * F, max(y1 - y0, 0.05) * F
        sx, sy = w / gw, h / gh
        tx = -(x0 + x1) / 2 * F
        ty = (y0 + y1) / 2 * F
        self.l.append('push graphic-context')
        self.l.append("font '%s'" % FONTS[face])
        self.l.append('font-size %.1f' % F)
        self.l.append('translate %.3f,%.3f' % (cx, cy))
        if rot_deg:
            self.l.append('rotate %.4f' % rot_deg)
        self.l.append('scale %.5f,%.5f' % (sx, sy))
        if bold_px > 0:
            self.l.append('stroke-width %.3f' % (bold_px / np.sqrt(sx * sy)))
            self.l.append('stroke ' + self._fillcol())
            self.l.append('stroke-linejoin round')
        self.l.append("text %.3f,%.3f '%s'" % (tx, ty, esc(ch)))
        self.l.append('pop graphic-context')

    def _fillcol(self):
        for s in reversed(self.l):
            if s.startswith('fill #'):
                return s.split()[1]
        return 'white'

    def text(self, face, s, x, y_base, size_px):
        """A line of text at its baseline, size_px the em."""
        self.l.append('push graphic-context')
        self.l.append("font '%s'" % FONTS[face])
        self.l.append('font-size %.2f' % size_px)
        self.l.append("text %.3f,%.3f '%s'" % (x, y_base, esc(s)))
        self.l.append('pop graphic-context')

    def strokes(self, segs, col=1.0):
        """segs: list of (x0, y0, x1, y1, width) round-capped lines."""
        q = int(round(col * 255))
        self.l.append('push graphic-context')
        self.l.append('fill none')
        self.l.append('stroke #%02x%02x%02x' % (q, q, q))
        self.l.append('stroke-linecap round')
        self.l.append('stroke-linejoin round')
        last = None
        for x0, y0, x1, y1, wd in segs:
            if last is None or abs(wd - last) > 0.02:
                self.l.append('stroke-width %.3f' % wd)
                last = wd
            self.l.append('line %.3f,%.3f %.3f,%.3f' % (x0, y0, x1, y1))
        self.l.append('pop graphic-context')

    def render(self, w, h):
        """Coverage (h, w) float32 0..1."""
        fd, path = tempfile.mkstemp(suffix='.mvg', prefix='m-')
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write('\n'.join(self.l) + '\n')
        try:
            r = subprocess.run(['gm', 'convert', '-limit', 'threads', '1', '-size', '%dx%d' % (w, h), 'xc:black',
                                '-draw', '@' + path, '-depth', '8', 'gray:-'], capture_output=True, check=True, env=GM_ENV)
        finally:
            os.unlink(path)
        a = np.frombuffer(r.stdout, np.uint8)
        if a.size != w * h:
            raise SystemExit('copystand: gm returned %d bytes for %dx%d: %s' % (a.size, w, h, r.stderr[:300]))
        return a.reshape(h, w).astype(np.float32) / 255.0
