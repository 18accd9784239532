"""The shipped Unicode fonts, registered with ReportLab once.

ReportLab's 14 built-in fonts cover Latin-1 only and silently drop everything else (Ł, ễ,
Cyrillic, Arabic), so every report uses DejaVu Sans from ``resources/fonts``. DejaVu has no
Chinese, Japanese or Korean, so those characters print in WenQuanYi Micro Hei (TrueType outlines,
which ReportLab embeds as a subset; Noto CJK is CFF, which it cannot use). Parsing that font takes
about 2 s, so it is registered only when a document first holds a character DejaVu lacks.
"""

from __future__ import annotations

import io
import threading
from functools import cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

import resources

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
# The same faces under names outside the family, so ``<b>`` cannot remap them: a character only
# one face has is printed in that face (the faces differ by about 140 rare characters).
REGULAR_ONLY = "DejaVuSans-RegularFace"
BOLD_ONLY = "DejaVuSans-BoldFace"
_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    REGULAR_ONLY: "DejaVuSans.ttf",
    BOLD_ONLY: "DejaVuSans-Bold.ttf",
}
# No bold face: CJK text inside ``<b>`` prints regular.
CJK = "WenQuanYiMicroHei"
_CJK_FILE = "wqy-microhei.ttc"

_lock = threading.Lock()
_registered = False


def _unicode_hex(code_point: int) -> str:
    """A code point as UTF-16BE hex, the form a ToUnicode CMap needs (surrogate pairs above
    U+FFFF)."""
    try:
        return chr(code_point).encode("utf-16-be").hex().upper()
    except (UnicodeEncodeError, ValueError):
        return "FFFD"


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ``makeToUnicodeCMap`` with characters above U+FFFF written correctly.

    ReportLab 5.1.0 formats each value with ``%04X``, so U+1F600 becomes the invalid
    ``<1F600>`` and the character extracts (copy and paste, ``verify``) wrongly.
    """
    entries = [f"<{i:02X}> <{_unicode_hex(v)}>" for i, v in enumerate(subset)]
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *entries,
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


def register_fonts() -> None:
    """Register DejaVu Sans and its bold face (idempotent, thread-safe).

    ``<b>`` inside a paragraph maps to the bold face; italic maps to the upright faces because
    no oblique face is shipped.
    """
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap
        known = set(pdfmetrics.getRegisteredFontNames())
        for name, filename in _FILES.items():
            if name not in known:
                data = resources.path("fonts", filename).read_bytes()
                pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, REGULAR)
        addMapping(REGULAR, 1, 1, BOLD)
        for single in (REGULAR_ONLY, BOLD_ONLY):
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(single, bold, italic, single)
        _registered = True


def _register_cjk() -> None:
    """Register the CJK face (idempotent, thread-safe; slow the first time)."""
    register_fonts()
    with _lock:
        if CJK in pdfmetrics.getRegisteredFontNames():
            return
        data = resources.path("fonts", _CJK_FILE).read_bytes()
        pdfmetrics.registerFont(TTFont(CJK, io.BytesIO(data), subfontIndex=0))
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(CJK, bold, italic, CJK)


@cache
def covered(font_name: str) -> frozenset[int]:
    """The code points ``font_name`` has a glyph for."""
    if font_name == CJK:
        _register_cjk()
    register_fonts()
    font = pdfmetrics.getFont(font_name)
    return frozenset(font.face.charToGlyph)  # type: ignore[attr-defined]
