"""A minimal uncompressed DNG (one IFD, a Bayer CFA, 16 bits) written by hand, so that dcraw can
develop it like a camera's raw file (maker M, copystand)."""
import struct
import numpy as np

_TYPES = {'BYTE': 1, 'ASCII': 2, 'SHORT': 3, 'LONG': 4, 'RATIONAL': 5, 'SRATIONAL': 10}
_SIZE = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 10: 8}


def _rat(x, signed=False):
    d = 10000
    return (int(round(x * d)), d)


def write(path, cfa, pattern, black, white, color_matrix, neutral, model):
    """cfa: (H, W) uint16; pattern: 4 numbers of 0 = R, 1 = G, 2 = B for the 2 x 2 repeat;
    color_matrix: 3 x 3 XYZ -> camera; neutral: the camera's values for the light's white."""
    h, w = cfa.shape
    data = cfa.astype('<u2').tobytes()
    model_b = model.encode('ascii') + b'\0'
    entries = [
        (254, 'LONG', [0]),
        (256, 'LONG', [w]),
        (257, 'LONG', [h]),
        (258, 'SHORT', [16]),
        (259, 'SHORT', [1]),
        (262, 'SHORT', [32803]),
        (271, 'ASCII', b'copystand\0'),
        (272, 'ASCII', model_b),
        (273, 'LONG', [0]),           # strip offset, patched below
        (274, 'SHORT', [1]),
        (277, 'SHORT', [1]),
        (278, 'LONG', [h]),
        (279, 'LONG', [len(data)]),
        (284, 'SHORT', [1]),
        (33421, 'SHORT', [2, 2]),
        (33422, 'BYTE', list(pattern)),
        (50706, 'BYTE', [1, 4, 0, 0]),
        (50707, 'BYTE', [1, 1, 0, 0]),
        (50708, 'ASCII', model_b),
        (50714, 'LONG', [int(black)]),
        (50717, 'LONG', [int(white)]),
        (50721, 'SRATIONAL', [_rat(v) for v in np.asarray(color_matrix).ravel()]),
        (50728, 'RATIONAL', [_rat(v) for v in neutral]),
        (50778, 'SHORT', [21]),       # CalibrationIlluminant1: D65
    ]
    entries.sort(key=lambda e: e[0])
    n = len(entries)
    ifd_off = 8
    extra_off = ifd_off + 2 + 12 * n + 4
    extra = bytearray()
    recs = []
    for tag, typ, val in entries:
        t = _TYPES[typ]
        if typ == 'ASCII':
            raw = bytes(val)
            cnt = len(raw)
        elif typ in ('RATIONAL', 'SRATIONAL'):
            fmt = '<ii' if typ == 'SRATIONAL' else '<II'
            raw = b''.join(struct.pack(fmt, a, b) for a, b in val)
            cnt = len(val)
        else:
            fmt = {'BYTE': '<B', 'SHORT': '<H', 'LONG': '<I'}[typ]
            raw = b''.join(struct.pack(fmt, v) for v in val)
            cnt = len(val)
        recs.append([tag, t, cnt, raw])
    # place the big values after the IFD, the strip after them
    for r in recs:
        if len(r[3]) > 4:
            r.append(extra_off + len(extra))
            extra += r[3]
            if len(extra) % 2:
                extra += b'\0'
        else:
            r.append(None)
    strip_off = extra_off + len(extra)
    strip_off += (-strip_off) % 4
    out = bytearray(b'II*\0' + struct.pack('<I', ifd_off))
    out += struct.pack('<H', n)
    for tag, t, cnt, raw, off in recs:
        if tag == 273:
            raw = struct.pack('<I', strip_off)
        if off is None:
            out += struct.pack('<HHI', tag, t, cnt) + raw.ljust(4, b'\0')
        else:
            out += struct.pack('<HHII', tag, t, cnt, off)
    out += struct.pack('<I', 0)
    out += extra
    out += b'\0' * (strip_off - len(out))
    with open(path, 'wb') as f:
        f.write(out)
        f.write(data)
