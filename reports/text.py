"""User text made safe for ReportLab: escaped, cleaned, right-to-left runs shaped and ordered.

``Paragraph`` parses XML-like markup, so user text must be escaped or ``Smith & <Jones>`` breaks
the build (or, worse, becomes markup). ReportLab has no bidi support here (no ``rlbidi``), so
Arabic and Hebrew are shaped with arabic-reshaper (ligatures off: DejaVu lacks U+FDF2) and put in
display order with python-bidi. Text in other scripts passes through untouched (NFC only);
Chinese, Japanese and Korean, which DejaVu lacks, print in the CJK face (``fonts.CJK``), each run
of them wrapped in one ``<font>`` tag.

Characters are never allowed to crash a build: control characters are removed, line
separators become line breaks, and a character the font has no glyph for prints as U+FFFD (a
visible mark, rather than a silent gap in a name). Nor can they lie: each line of user text is
its own bidi paragraph, and a line holding bidi controls is balanced and isolated first
(``mappa_desktop.domain.text.contain_bidi``), so an override left open in one field stops at
the field's end.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from itertools import groupby
from operator import itemgetter
from xml.sax.saxutils import escape

from arabic_reshaper import ArabicReshaper
from bidi import get_base_level, get_display
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus.paragraph import Paragraph

from mappa_desktop.domain.text import contain_bidi, unwrap_isolate
from reports import fonts

REPLACEMENT = "\ufffd"

# Explicit directional formatting characters: they steer the bidi algorithm and are removed from
# its output (the font would print them as boxes or nothing at all).
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_RTL_CONTROLS = frozenset("\u061c\u200f\u202b\u202e\u2067")
_ESCAPES = {'"': "&quot;", "'": "&#39;"}
_WIDE = ("W", "F")  # East Asian wide and full-width characters

_reshaper = ArabicReshaper({"support_ligatures": False})


def clean(s: str) -> str:
    """NFC text with ``\\n`` line breaks only: other control characters removed, tabs as spaces,
    and each line that holds a bidi control balanced and isolated (``contain_bidi``), so one
    field's text never reorders the text printed after it."""
    lines = []
    for line in str(s).splitlines():
        if line.isprintable():  # the common case: nothing to remove (checked in C)
            lines.append(line)
            continue
        kept = []
        for ch in line:
            if ch == "\t":
                kept.append(" ")
                continue
            cat = unicodedata.category(ch)
            if cat == "Cc":
                continue
            if cat == "Cs":  # a lone surrogate cannot even be encoded
                kept.append(REPLACEMENT)
                continue
            kept.append(ch)
        lines.append("".join(kept))
    return contain_bidi(unicodedata.normalize("NFC", "\n".join(lines)))


def _is_rtl_char(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL") or ch in _RTL_CONTROLS


# Every character of bidi class R or AL lies in these blocks (Hebrew to Arabic Extended,
# the presentation forms, and the right-to-left supplementary blocks): a quick pre-check.
_MAYBE_RTL = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff\U0001e800-\U0001efff"
    + "".join(sorted(_RTL_CONTROLS))
    + "]"
)


def has_rtl(s: str) -> bool:
    """Whether ``s`` needs the bidi algorithm (right-to-left letters or controls)."""
    return _MAYBE_RTL.search(s) is not None and any(_is_rtl_char(ch) for ch in s)


def _base_dir(line: str) -> str:
    return "R" if get_base_level(unwrap_isolate(line)) == 1 else "L"


def _display(line: str, base_dir: str | None = None) -> str:
    """One line of logical text in display (visual) order, Arabic joined."""
    if not has_rtl(line):
        return "".join(ch for ch in line if ch not in _BIDI_CONTROLS)
    shaped = _reshaper.reshape(line)
    visual = get_display(shaped, base_dir=base_dir or _base_dir(line))
    return "".join(ch for ch in visual if ch not in _BIDI_CONTROLS)


@cache
def _glyph_run(ch: str) -> tuple[str, str]:
    """One character as (the face that prints it, "" for the paragraph's own; escaped text):
    itself, a face that has it, its NFKC form, or U+FFFD."""
    regular = fonts.covered(fonts.REGULAR)
    bold = fonts.covered(fonts.BOLD)
    cp = ord(ch)
    if cp in regular and cp in bold:
        return "", escape(ch, _ESCAPES)
    if cp in regular:
        return fonts.REGULAR_ONLY, escape(ch, _ESCAPES)
    if cp in bold:
        return fonts.BOLD_ONLY, escape(ch, _ESCAPES)
    if unicodedata.category(ch) in ("Cf", "Mn", "Me"):  # invisible or combining: drop
        return "", ""
    if unicodedata.east_asian_width(ch) in _WIDE and cp in fonts.covered(fonts.CJK):
        return fonts.CJK, ch  # e.g. the full-width comma: kept, not narrowed by NFKC
    substitute = unicodedata.normalize("NFKC", ch)  # e.g. a presentation form DejaVu lacks
    if substitute != ch and all(ord(c) in regular for c in substitute):
        return "", escape(substitute, _ESCAPES)
    if cp in fonts.covered(fonts.CJK):  # loaded on the first character DejaVu lacks
        return fonts.CJK, ch
    return "", REPLACEMENT


@cache
def _glyph_plain(ch: str, font_name: str) -> str:
    covered = fonts.covered(font_name)
    if ord(ch) in covered:
        return ch
    if unicodedata.category(ch) in ("Cf", "Mn", "Me"):
        return ""
    wide = unicodedata.east_asian_width(ch) in _WIDE
    if wide and ord(ch) in fonts.covered(fonts.CJK):  # drawn in that face by line_runs
        return ch
    substitute = unicodedata.normalize("NFKC", ch)
    if substitute != ch and all(ord(c) in covered for c in substitute):
        return substitute
    if ord(ch) in fonts.covered(fonts.CJK):
        return ch
    return REPLACEMENT


def _markup(visual_line: str) -> str:
    """Escaped markup; each run of characters printed in another face in one ``<font>`` tag
    (a paragraph fragment has one font)."""
    if visual_line.isascii():  # the common case: every printable ASCII character is in DejaVu
        return escape(visual_line, _ESCAPES)
    out = []
    for face, run in groupby(map(_glyph_run, visual_line), key=itemgetter(0)):
        text = "".join(t for _, t in run)
        out.append(f'<font face="{face}">{text}</font>' if face and text else text)
    return "".join(out)


def para_text(s: str) -> str:
    """User text as ``Paragraph`` markup: escaped, ``\\n`` as ``<br/>``, RTL shaped and ordered.

    Each line is reordered on its own; a right-to-left line that wraps in the paragraph comes
    out in the wrong line order, so long user text goes through :func:`user_paragraph`.
    """
    return "<br/>".join(_markup(_display(line)) for line in clean(s).split("\n"))


def plain_text(s: str, font_name: str = fonts.REGULAR) -> str:
    """User text for ``canvas.drawString``: one line, RTL shaped and ordered, no markup.

    Characters ``font_name`` lacks but the CJK face has are kept: draw the line run by run
    (:func:`line_runs`, as ``reports.layout.fit_line`` does)."""
    line = " ".join(clean(s).split("\n"))
    return "".join(_glyph_plain(ch, font_name) for ch in _display(line))


def line_runs(plain: str, font_name: str = fonts.REGULAR) -> list[tuple[str, str]]:
    """A :func:`plain_text` line as (font, text) runs: ``font_name``, or the CJK face for the
    characters ``font_name`` lacks."""
    if plain.isascii():
        return [(font_name, plain)]
    covered = fonts.covered(font_name)
    runs = groupby(plain, key=lambda ch: font_name if ord(ch) in covered else fonts.CJK)
    return [(font, "".join(chars)) for font, chars in runs]


def _break_logical(line: str, width: float, font_name: str, font_size: float) -> list[str]:
    """Greedy line breaking on the logical text, measuring the shaped words."""

    def measure(text: str) -> float:
        return stringWidth(_display(text, "L"), font_name, font_size)

    space = stringWidth(" ", font_name, font_size)
    lines: list[str] = []
    current: list[str] = []
    current_width = 0.0
    for word in line.split():
        w = measure(word)
        if w > width:  # a word longer than the line: break it between characters
            if current:
                lines.append(" ".join(current))
                current, current_width = [], 0.0
            piece = ""
            for ch in word:
                if piece and measure(piece + ch) > width:
                    lines.append(piece)
                    piece = ""
                piece += ch
            current, current_width = [piece], measure(piece)
            continue
        extra = w + (space if current else 0.0)
        if current and current_width + extra > width:
            lines.append(" ".join(current))
            current, current_width = [word], w
        else:
            current.append(word)
            current_width += extra
    if current or not lines:
        lines.append(" ".join(current))
    return lines


def bidi_markup(s: str, width: float, font_name: str, font_size: float) -> str:
    """Paragraph markup with right-to-left lines broken before they are reordered."""
    out = []
    for line in clean(s).split("\n"):
        if not has_rtl(line):
            out.append(_markup(_display(line)))
            continue
        base = _base_dir(line)
        for piece in _break_logical(line, width, font_name, font_size):
            out.append(_markup(_display(piece, base)))
    return "<br/>".join(out)


class Para(Paragraph):
    """A ``Paragraph`` that does not break its lines again for the width it was last wrapped to.

    A table wraps every cell to measure it and again to draw it; for paragraph-heavy minutes
    that second line breaking is about 15% of the render time.
    """

    wrapped_for: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self.wrapped_for == availWidth and "blPara" in self.__dict__:
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self.wrapped_for = availWidth
        return size


class _BidiParagraph(Para):
    """A paragraph of user text with right-to-left runs, laid out for the width it gets.

    ``Paragraph.split`` builds the pieces with ``self.__class__(None, style, frags=...)``; those
    keep ``source`` None and are drawn as split.
    """

    source: str | None = None
    laid_for: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self.source is not None and self.laid_for != availWidth:
            style = self.style
            width = availWidth - style.leftIndent - style.rightIndent - style.firstLineIndent
            markup = bidi_markup(
                self.source, max(width * 0.97, 1.0), style.fontName, style.fontSize
            )
            Paragraph.__init__(self, markup, style, bulletText=self.bulletText)
            self.laid_for = availWidth
            self.wrapped_for = None
        return super().wrap(availWidth, availHeight)


def user_paragraph(s: str, style: ParagraphStyle) -> Para:
    """A paragraph of user text (escaped, shaped; right-to-left text wraps correctly)."""
    text = clean(s)
    if not has_rtl(text):
        return Para(para_text(text), style)
    first = next((line for line in text.split("\n") if line.strip()), "")
    if first and _base_dir(first) == "R":
        style = ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)
    para = _BidiParagraph(para_text(text), style)
    para.source = text
    return para
