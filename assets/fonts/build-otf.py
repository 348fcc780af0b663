#!/usr/bin/env python3
"""Builds NotoSerifSC-Regular.otf, the face every printed form is set in (see README.md here).

Why not ship a TrueType face: a page of agreement text uses 300-400 distinct ideographs and
their quadratic `glyf` outlines compress to ~200 bytes each, more than the 70 KB a one-page form
may weigh. The same design as cubic CFF outlines with the subroutines expanded and the hints
removed compresses ~10 % smaller, and a bare CFF program needs no cmap/hmtx/name tables inside
the PDF. Hints are removed because forms are printed and viewed at resolutions where they do not
matter (the TrueType face shipped before had none either); subroutines are expanded because a
per-document subset shares few of them and deflate finds the repetition anyway.

Source: the Simplified Chinese face (index 2) of Noto Serif CJK Regular 2.001 as Debian's
`fonts-noto-cjk` ships it (/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc), reduced
to the characters of that face's cmap, without layout or vertical tables (forms are set
horizontally without shaping). Characters that 2.001 lacks and the TrueType Noto Serif SC 2.003
had (Unicode 13's U+4DB6..4DBF and U+9FEB..9FFF, some of them name characters) are added from
that TrueType face, its quadratic outlines converted exactly to cubic ones.

Needs fontTools: `pip install fonttools`, then
`python3 assets/fonts/build-otf.py TTC TTF OUT` (TTF = NotoSerifSC-Regular.ttf 2.003 of the npm
package @expo-google-fonts/noto-serif-sc 0.4.3).
"""

import sys

from fontTools import subset
from fontTools.misc.psCharStrings import T2CharString
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.ttLib import TTFont


def main(ttc_path: str, ttf_path: str, out_path: str) -> None:
    # the source's head.modified is kept, so the same inputs give the same bytes
    font = TTFont(ttc_path, fontNumber=2, recalcTimestamp=False)
    opts = subset.Options()
    opts.layout_features = []
    opts.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "STAT"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.name_legacy = True
    opts.desubroutinize = True
    opts.hinting = False
    opts.notdef_outline = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=font.getBestCmap().keys())
    sub.subset(font)

    ttf = TTFont(ttf_path)
    add_missing(font, ttf)
    renumber(font)
    font.save(out_path)


def add_missing(font: TTFont, ttf: TTFont) -> None:
    """Adds the characters `ttf` has and `font` lacks, as new CIDs of `font`'s CFF."""
    have = font.getBestCmap()
    missing = sorted(set(ttf.getBestCmap()) - set(have))
    if not missing:
        return
    top = font["CFF "].cff.topDictIndex[0]
    order = font.getGlyphOrder()
    # the new glyphs take the font dict of the ideographs (一's), and CIDs above any in use
    fd_index = top.FDSelect[font.getGlyphID(have[ord("一")])]
    private = top.FDArray[fd_index].Private
    nominal = getattr(private, "nominalWidthX", 0)
    next_cid = max(int(n[3:]) for n in order if n.startswith("cid")) + 1
    ttf_glyphs = ttf.getGlyphSet()
    ttf_cmap = ttf.getBestCmap()
    strings = top.CharStrings
    for cp in missing:
        source = ttf_cmap[cp]
        width = ttf["hmtx"].metrics[source][0]
        # T2CharStringPen turns each quadratic segment into the identical cubic one
        pen = T2CharStringPen(width - nominal, ttf_glyphs)
        ttf_glyphs[source].draw(pen)
        charstring: T2CharString = pen.getCharString(private=private, globalSubrs=top.GlobalSubrs)
        name = f"cid{next_cid:05d}"
        next_cid += 1
        strings.charStringsIndex.append(charstring)
        strings.charStrings[name] = len(strings.charStringsIndex) - 1
        top.FDSelect.append(fd_index)
        order.append(name)
        bounds = charstring.calcBounds(None) or (0, 0, 0, 0)
        font["hmtx"].metrics[name] = (width, round(bounds[0]))
        for table in font["cmap"].tables:
            if table.isUnicode() and (cp <= 0xFFFF or table.format == 12):
                table.cmap[cp] = name
    top.charset = order
    font.setGlyphOrder(order)
    font["maxp"].numGlyphs = len(order)


def renumber(font: TTFont) -> None:
    """Gives every glyph the CID equal to its glyph id.

    The reduced face keeps the source's CIDs, scattered over 1..65534, so its charset is a list
    of thousands of ranges, and allsorts looks a glyph's CID up by walking them: a third of the
    time of cutting a document's subset. With CID = glyph id the charset is one range.
    """
    order = font.getGlyphOrder()
    new = {name: name if gid == 0 else f"cid{gid:05d}" for gid, name in enumerate(order)}
    top = font["CFF "].cff.topDictIndex[0]
    top.CharStrings.charStrings = {new[n]: i for n, i in top.CharStrings.charStrings.items()}
    top.charset = [new[n] for n in order]
    for table in font["cmap"].tables:
        if table.format == 14:
            table.uvsDict = {vs: [(cp, new[n] if n else None) for cp, n in pairs] for vs, pairs in table.uvsDict.items()}
        else:
            table.cmap = {cp: new[n] for cp, n in table.cmap.items()}
    font["hmtx"].metrics = {new[n]: m for n, m in font["hmtx"].metrics.items()}
    font.setGlyphOrder([new[n] for n in order])


if __name__ == "__main__":
    main(*sys.argv[1:4])
