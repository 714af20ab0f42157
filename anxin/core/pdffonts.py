"""Chinese text in PDFs that every viewer shows: an embedded subset of an installed CJK font.

reportlab embeds TrueType-outline (``glyf``) fonts only. The CJK fonts Linux distributions ship
(Noto Sans CJK, Source Han Sans) are OpenType with CFF outlines, and reportlab's fallback, the CID
font STSong-Light, is *not embedded*: poppler-based viewers (Evince, Okular, many phone viewers)
then draw nothing for every Chinese character. So for each document we subset the installed font
to the characters the document uses, convert the subset's cubic CFF outlines to quadratic
TrueType outlines (fontTools' cu2qu), and hand reportlab a small TrueType font it embeds. A
poster's subset holds ~150 glyphs and takes a fraction of a second.

Fonts searched: ``ANXIN_CJK_FONT`` (setting or environment), then the usual system paths.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
from functools import lru_cache

from django.conf import settings

log = logging.getLogger(__name__)

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
CID_FALLBACK = "STSong-Light"  # not embedded: only when no CJK font is installed at all


def font_paths() -> list[str]:
    configured = getattr(settings, "ANXIN_CJK_FONT", None) or os.environ.get("ANXIN_CJK_FONT", "")
    paths = [configured] if configured else []
    return [p for p in (*paths, *FONT_CANDIDATES) if p and os.path.exists(p)]


def collection_index(path: str) -> int:
    """In a Noto/Source Han CJK collection, the Simplified Chinese face."""
    return 2 if "NotoSansCJK" in path or "NotoSerifCJK" in path else 0


def _open(path: str):
    from fontTools.ttLib import TTFont

    index = collection_index(path) if path.lower().endswith((".ttc", ".otc")) else -1
    return TTFont(path, fontNumber=index, lazy=False) if index >= 0 else TTFont(path)


def _cff_to_glyf(font) -> None:
    """Replace the CFF outlines of ``font`` (a small subset) by TrueType outlines, in place."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        # 1 unit of error on a 1000-unit em; CFF contours run the other way round
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    for tag in ("CFF ", "CFF2", "VORG"):
        if tag in font:
            del font[tag]
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
        "maxComponentDepth",
        "maxPoints",
        "maxContours",
        "maxCompositePoints",
        "maxCompositeContours",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.numGlyphs = len(order)
    font["maxp"] = maxp
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"
    font["head"].glyphDataFormat = 0


def _name(path: str, chars: str) -> str:
    return "AnxinCJK-" + hashlib.sha1(f"{path}|{chars}".encode(), usedforsecurity=False).hexdigest()[:10]


@lru_cache(maxsize=64)
def _subset_ttf(path: str, chars: str) -> bytes:
    from fontTools import subset

    font = _open(path)
    options = subset.Options()
    options.layout_features = []  # horizontal text only: no GSUB/GPOS needed
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.desubroutinize = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(ch) for ch in chars])
    subsetter.subset(font)
    if "CFF " in font or "CFF2" in font:
        _cff_to_glyf(font)
    # each subset its own PostScript name: reportlab keys a document's embedded subsets by it
    ps_name = _name(path, chars)
    for record in font["name"].names:
        if record.nameID in (3, 4, 6):
            record.string = ps_name
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def register(text: str) -> str:
    """Register with reportlab an embeddable CJK font covering ``text`` and return its name;
    ``STSong-Light`` (not embedded) only when no CJK font is installed."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    chars = "".join(sorted(set(text) | set(" 0123456789")))
    for path in font_paths():
        try:
            data = _subset_ttf(path, chars)
            name = _name(path, chars)
            if name not in pdfmetrics.getRegisteredFontNames():
                font = TTFont(name, io.BytesIO(data))
                if any(ord(ch) not in font.face.charToGlyph for ch in chars if not ch.isascii()):
                    continue  # this font lacks some of the characters: try the next one
                pdfmetrics.registerFont(font)
            return name
        except Exception:  # noqa: BLE001 — a broken or unsupported file: try the next one
            log.warning("CJK font %s could not be embedded", path, exc_info=True)
            continue
    log.warning("no CJK font installed: PDFs fall back to the non-embedded %s", CID_FALLBACK)
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return CID_FALLBACK
