#!/usr/bin/env python3
"""pngcheck.py FILE WIDTH HEIGHT COLOR... - check a screenshot: its size,
that it is not blank, and that each #rrggbb colour appears (the charts'
palette: they rendered). Standard library only: a minimal PNG decoder."""
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), f"unsupported PNG {depth}/{ctype}"
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    rows, i = [], 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


w, h, bpp, rows = decode(sys.argv[1])
want_w, want_h = int(sys.argv[2]), int(sys.argv[3])
if (w, h) != (want_w, want_h):
    sys.exit(f"size {w}x{h}, expected {want_w}x{want_h}")
colors = {}
nonwhite = 0
for r in rows:
    for x in range(0, w * bpp, bpp):
        px = r[x:x + 3]
        if px != b"\xff\xff\xff":
            nonwhite += 1
            colors[px] = colors.get(px, 0) + 1
share = nonwhite / (w * h)
if share < 0.02:
    sys.exit(f"blank: only {share:.1%} of the pixels are not white")
for c in sys.argv[4:]:
    rgb = bytes.fromhex(c.lstrip("#"))
    near = sum(n for px, n in colors.items()
               if all(abs(px[k] - rgb[k]) <= 8 for k in range(3)))
    if near < 200:
        sys.exit(f"colour {c} is missing ({near} pixels)")
print(f"ok: {w}x{h}, {share:.1%} drawn, {len(colors)} colours")
