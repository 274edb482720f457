#!/usr/bin/env python3
"""png_pixel.py FILE X Y -> prints the pixel's colour as RRGGBB (hex), and
FILE -> "WxH".  A small PNG reader (8-bit RGB/RGBA, non-interlaced, all five
filters) written from the PNG specification, so the tests of `tailscope png`
read pixels without tailscope's own decoder."""
import struct
import sys
import zlib


def read_png(path):
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    at, idat, w = 8, b'', 0
    while at < len(data):
        ln, kind = struct.unpack('>I4s', data[at:at + 8])
        body = data[at + 8:at + 8 + ln]
        if kind == b'IHDR':
            w, h, depth, ctype, _, _, inter = struct.unpack('>IIBBBBB', body)
            assert depth == 8 and ctype in (2, 6) and inter == 0, 'unsupported PNG'
            bpp = 3 if ctype == 2 else 4
        elif kind == b'IDAT':
            idat += body
        at += 12 + ln
    raw, stride = zlib.decompress(idat), w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


w, h, bpp, rows = read_png(sys.argv[1])
if len(sys.argv) == 2:
    print('%dx%d' % (w, h))
else:
    x, y = int(sys.argv[2]), int(sys.argv[3])
    print('%02X%02X%02X' % tuple(rows[y][x * bpp:x * bpp + 3]))
