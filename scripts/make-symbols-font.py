#!/usr/bin/env python3
"""Makes src/web/fonts/ccpty-symbols.woff2: the symbols Claude Code draws that common monospace
fonts (DejaVu Sans Mono, Liberation Mono, Consolas) lack, so the web terminal never shows
missing-glyph boxes. Shipped in the package (no font comes from a CDN); a few kilobytes.

- From Noto Sans Symbols 2 (SIL Open Font License 1.1, the @fontsource/noto-sans-symbols-2
  package): the media-control and hourglass symbols (⏺ ⏸ ⏵ …), scaled to a monospace cell.
- Drawn here: the box-like technical symbols (⎿ ⎯ ⏐ ⎺ ⎻ ⎼ ⎽ ⎸ ⎹ ⧉), as lines in the cell.

Run again after changing a list below:
    python3 scripts/make-symbols-font.py     (needs fontTools and brotli: apt install python3-fonttools python3-brotli)
"""
import os

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.transformPen import TransformPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTO = os.path.join(ROOT, 'node_modules/@fontsource/noto-sans-symbols-2/files/noto-sans-symbols-2-symbols-400-normal.woff')
OUT = os.path.join(ROOT, 'src/web/fonts/ccpty-symbols.woff2')

EM = 1000
ADVANCE = 602  # a monospace cell, as DejaVu Sans Mono's (1233/2048)
ASCENT, DESCENT = 928, -236  # DejaVu Sans Mono's line, so the glyphs sit on the same baseline
STROKE = 70  # line weight of the drawn symbols (DejaVu Sans Mono's box drawing is ~0.07 em)

# Taken from Noto Sans Symbols 2.
NOTO_CHARS = [0x23FA, 0x23F8, 0x23F5, 0x23F4, 0x23F6, 0x23F7, 0x23F9, 0x23FB, 0x23ED, 0x23EE, 0x23EF,
              0x23F1, 0x23F2, 0x23F3, 0x231A, 0x231B, 0x2B90]


def rects(*boxes):
    """A glyph made of rectangles (x0, y0, x1, y1) in font units."""
    def draw(pen):
        for x0, y0, x1, y1 in boxes:
            pen.moveTo((x0, y0))
            pen.lineTo((x0, y1))
            pen.lineTo((x1, y1))
            pen.lineTo((x1, y0))
            pen.closePath()
    return draw


MID_X = ADVANCE // 2 - STROKE // 2
MID_Y = 300  # about the middle of a lower-case letter
# Drawn here: code point → outline.
DRAWN = {
    0x23BF: rects((MID_X - 120, MID_Y, MID_X - 120 + STROKE, ASCENT), (MID_X - 120, MID_Y, ADVANCE, MID_Y + STROKE)),  # ⎿
    0x23AF: rects((0, MID_Y, ADVANCE, MID_Y + STROKE)),  # ⎯ horizontal line extension
    0x23D0: rects((MID_X, DESCENT, MID_X + STROKE, ASCENT)),  # ⏐ vertical line extension
    0x23BA: rects((0, ASCENT - STROKE, ADVANCE, ASCENT)),  # ⎺ scan line 1
    0x23BB: rects((0, 560, ADVANCE, 560 + STROKE)),  # ⎻ scan line 3
    0x23BC: rects((0, 120, ADVANCE, 120 + STROKE)),  # ⎼ scan line 7
    0x23BD: rects((0, DESCENT, ADVANCE, DESCENT + STROKE)),  # ⎽ scan line 9
    0x23B8: rects((0, DESCENT, STROKE, ASCENT)),  # ⎸ left vertical box line
    0x23B9: rects((ADVANCE - STROKE, DESCENT, ADVANCE, ASCENT)),  # ⎹ right vertical box line
    0x29C9: rects(  # ⧉ two joined squares (outlines)
        (60, 160, 60 + STROKE, 560), (60, 160, 400, 160 + STROKE), (60, 560 - STROKE, 400, 560), (400 - STROKE, 160, 400, 560),
        (200, 300, 200 + STROKE, 700), (200, 700 - STROKE, 540, 700), (540 - STROKE, 300, 540, 700), (400, 300, 540, 300 + STROKE),
    ),
}


def main():
    noto = TTFont(NOTO)
    cmap_src = noto.getBestCmap()
    glyph_set = noto.getGlyphSet()
    order = ['.notdef']
    glyphs = {'.notdef': TTGlyphPen(None).glyph()}
    metrics = {'.notdef': (ADVANCE, 0)}
    cmap = {}
    for cp in NOTO_CHARS:
        name = cmap_src[cp]
        width = noto['hmtx'][name][0]
        g = noto['glyf'][name]
        # Fit the symbol into the cell (a margin each side), centred, on the same baseline.
        scale = min(1.0, (ADVANCE - 60) / max(1, g.xMax - g.xMin))
        dx = (ADVANCE - (g.xMax - g.xMin) * scale) / 2 - g.xMin * scale
        pen = TTGlyphPen(None)
        glyph_set[name].draw(TransformPen(pen, (scale, 0, 0, scale, dx, 0)))
        gname = f'uni{cp:04X}'
        order.append(gname)
        glyphs[gname] = pen.glyph()
        metrics[gname] = (ADVANCE, 0)
        cmap[cp] = gname
    for cp, draw in DRAWN.items():
        pen = TTGlyphPen(None)
        draw(pen)
        gname = f'uni{cp:04X}'
        order.append(gname)
        glyphs[gname] = pen.glyph()
        metrics[gname] = (ADVANCE, 0)
        cmap[cp] = gname

    fb = FontBuilder(EM, isTTF=True)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap(cmap)
    fb.setupGlyf(glyphs)
    for name, glyph in glyphs.items():
        glyph.recalcBounds(fb.font['glyf'])
    fb.setupHorizontalMetrics({n: (w, getattr(glyphs[n], 'xMin', 0)) for n, (w, _) in metrics.items()})
    fb.setupHorizontalHeader(ascent=ASCENT, descent=DESCENT)
    fb.setupNameTable({
        'familyName': 'ccpty symbols',
        'styleName': 'Regular',
        'copyright': 'Glyphs from Noto Sans Symbols 2, Copyright 2022 The Noto Project Authors; others drawn for ccpty',
        'licenseDescription': 'This Font Software is licensed under the SIL Open Font License, Version 1.1',
        'licenseInfoURL': 'https://openfontlicense.org',
    })
    fb.setupOS2(sTypoAscender=ASCENT, sTypoDescender=DESCENT, usWinAscent=ASCENT, usWinDescent=-DESCENT, fsType=0)
    fb.setupPost(isFixedPitch=1)
    fb.font.flavor = 'woff2'
    fb.save(OUT)
    print(f'{OUT}: {os.path.getsize(OUT)} bytes, {len(cmap)} symbols')


if __name__ == '__main__':
    main()
