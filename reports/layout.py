"""The page furniture every MAPPA report shares: A4 geometry, the protective marking at the top
and bottom of each page, "Page X of Y", the paragraph styles and the bordered table.

``render_report`` lays a story out on marked pages with a running header and footer line; the
minutes (``reports.minutes_pdf``) add their own header band and watermark on the same pieces.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageTemplate,
    Table,
    TableStyle,
)

from reports import fonts
from reports.labels import NOT_RECORDED
from reports.text import Para, line_runs, para_text, plain_text, user_paragraph

MARKING = "OFFICIAL-SENSITIVE"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 20 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X

MARKING_TOP_Y = PAGE_HEIGHT - 9 * mm
HEADER_INFO_Y = PAGE_HEIGHT - 14 * mm
HEADER_RULE_Y = PAGE_HEIGHT - 16 * mm
FOOTER_RULE_Y = 15 * mm
FOOTER_INFO_Y = 11 * mm
MARKING_BOTTOM_Y = 5.5 * mm

GRID = colors.HexColor("#9a9a9a")
HEADER_FILL = colors.HexColor("#e4e7ec")
LABEL_FILL = colors.HexColor("#f3f4f6")


# --------------------------------------------------------------------------------------------
# Styles and tables


@dataclass(frozen=True, slots=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    tag: ParagraphStyle
    note: ParagraphStyle
    warning: ParagraphStyle


@cache
def styles() -> Styles:
    fonts.register_fonts()
    base = ParagraphStyle("mappa-body", fontName=fonts.REGULAR, fontSize=9.5, leading=12.5)
    cell = ParagraphStyle("mappa-cell", parent=base, fontSize=8.5, leading=10.5)
    return Styles(
        title=ParagraphStyle(
            "mappa-title", parent=base, fontName=fonts.BOLD, fontSize=16, leading=20
        ),
        subtitle=ParagraphStyle("mappa-subtitle", parent=base, fontSize=10.5, leading=14),
        h1=ParagraphStyle(
            "mappa-h1",
            parent=base,
            fontName=fonts.BOLD,
            fontSize=13,
            leading=16,
            spaceBefore=10,
            spaceAfter=5,
        ),
        h2=ParagraphStyle(
            "mappa-h2",
            parent=base,
            fontName=fonts.BOLD,
            fontSize=11,
            leading=14,
            spaceBefore=8,
            spaceAfter=4,
        ),
        h3=ParagraphStyle(
            "mappa-h3",
            parent=base,
            fontName=fonts.BOLD,
            fontSize=9.5,
            leading=12,
            spaceBefore=5,
            spaceAfter=3,
        ),
        body=ParagraphStyle("mappa-para", parent=base, spaceAfter=4),
        cell=cell,
        cell_bold=ParagraphStyle("mappa-cell-bold", parent=cell, fontName=fonts.BOLD),
        tag=ParagraphStyle(
            "mappa-tag",
            parent=cell,
            fontName=fonts.BOLD,
            textColor=colors.white,
            alignment=TA_CENTER,
        ),
        note=ParagraphStyle(
            "mappa-note",
            parent=base,
            fontSize=8.5,
            leading=11,
            textColor=colors.HexColor("#333333"),
            backColor=colors.HexColor("#eef2f7"),
            borderPadding=4,
            spaceBefore=4,
            spaceAfter=8,
        ),
        warning=ParagraphStyle(
            "mappa-warning",
            parent=base,
            fontName=fonts.BOLD,
            textColor=colors.HexColor("#8a1c12"),
            spaceAfter=4,
        ),
    )


def heading(markup: str, style: ParagraphStyle, keep: float = 35 * mm) -> list[Flowable]:
    """A heading that never ends a page: a page break first when less than ``keep`` is left."""
    return [CondPageBreak(keep), Para(markup, style)]


def table(
    rows: list[list[Any]],
    widths: Sequence[float],
    *,
    header: bool = True,
    label_column: bool = False,
    extra: Iterable[tuple[Any, ...]] = (),
) -> Table:
    """A bordered table of paragraph cells that splits between and inside rows."""
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        # cells are paragraphs, but Table still sets its cell font (Helvetica by default)
        ("FONT", (0, 0), (-1, -1), fonts.REGULAR, 8.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL))
    if label_column:
        commands.append(("BACKGROUND", (0, 0), (0, -1), LABEL_FILL))
    commands.extend(extra)
    return Table(
        rows,
        colWidths=list(widths),
        repeatRows=1 if header else 0,
        splitInRow=1,
        style=TableStyle(commands),
        hAlign="LEFT",
    )


def header_row(titles: Sequence[str]) -> list[Any]:
    s = styles()
    return [Para(t, s.cell_bold) for t in titles]


Cell = Para | list[Flowable]  # a table cell: one paragraph or a list of flowables


def or_not_recorded(text: str, style: ParagraphStyle) -> Para:
    """User text, or an italic "Not recorded" when it is blank."""
    if text.strip():
        return user_paragraph(text, style)
    return Para(f"<i>{NOT_RECORDED}</i>", style)


def fields_table(pairs: Sequence[tuple[str, Cell]], label_width: float = 42 * mm) -> Table:
    """A two-column label/value table."""
    s = styles()
    rows = [[Para(name, s.cell_bold), value] for name, value in pairs]
    return table(rows, [label_width, CONTENT_WIDTH - label_width], header=False, label_column=True)


def pair_grid(pairs: Sequence[tuple[str, Cell]], label_width: float = 30 * mm) -> Table:
    """Label/value pairs two to a row (label, value, label, value): for short values."""
    s = styles()
    value_width = CONTENT_WIDTH / 2 - label_width
    rows: list[list[Any]] = []
    for i in range(0, len(pairs), 2):
        row: list[Any] = []
        for name, value in pairs[i : i + 2]:
            row += [Para(name, s.cell_bold), value]
        if len(row) < 4:
            row += [Para("", s.cell), Para("", s.cell)]
        rows.append(row)
    fill = [("BACKGROUND", (c, 0), (c, -1), LABEL_FILL) for c in (0, 2)]
    return table(
        rows, [label_width, value_width, label_width, value_width], header=False, extra=fill
    )


def user_cell(text: str) -> Para:
    """A table cell of user text (empty when blank)."""
    return user_paragraph(text, styles().cell) if text.strip() else Para("", styles().cell)


def person_markup(name: str, agency: str = "") -> str:
    """Markup for "name (agency)"; each part is shaped on its own, like a bidi isolate."""
    if name.strip() and agency.strip():
        return f"{para_text(name)} ({para_text(agency)})"
    return para_text(name if name.strip() else agency)


def person_cell(name: str, agency: str = "") -> Para:
    s = styles()
    markup = person_markup(name, agency)
    return Para(markup or f"<i>{NOT_RECORDED}</i>", s.cell)


# --------------------------------------------------------------------------------------------
# Pages


class NumberedCanvas(Canvas):
    """Defers each page until ``save`` so it can print "Page X of Y" (pretix pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (ReportLab API)
        self._pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._draw_page_number(total)
            super().showPage()
        super().save()

    def _draw_page_number(self, total: int) -> None:
        self.setFont(fonts.REGULAR, 8)
        self.setFillColor(colors.black)
        self.drawRightString(
            PAGE_WIDTH - MARGIN_X,
            FOOTER_INFO_Y,
            f"Page {self._pageNumber} of {total}",  # type: ignore[attr-defined]
        )


def fit_line(canvas: Canvas, text: str, x: float, y: float, width: float, right: bool) -> float:
    """Draw one line of (already shaped) text in at most ``width``, shrinking it to fit.

    Returns the width drawn."""
    size = 8.0
    while size > 5 and _line_width(text, size) > width:
        size -= 0.5
    while _line_width(text, size) > width and len(text) > 1:
        text = text[:-2] + "…"
    drawn = _line_width(text, size)
    start = x - drawn if right else x
    for font, run in line_runs(text):  # a CJK run in its own face
        canvas.setFont(font, size)
        canvas.drawString(start, y, run)
        start += stringWidth(run, font, size)
    return drawn


def _line_width(text: str, size: float) -> float:
    return float(sum(stringWidth(run, font, size) for font, run in line_runs(text)))


def draw_markings(canvas: Canvas) -> None:
    """The protective marking, centred at the top and the bottom of the page."""
    canvas.setFillColor(colors.black)
    canvas.setFont(fonts.BOLD, 10)
    canvas.drawCentredString(PAGE_WIDTH / 2, MARKING_TOP_Y, MARKING)
    canvas.drawCentredString(PAGE_WIDTH / 2, MARKING_BOTTOM_Y, MARKING)


def draw_rule(canvas: Canvas, y: float) -> None:
    canvas.setStrokeColor(GRID)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN_X, y, PAGE_WIDTH - MARGIN_X, y)


def marked_page(header: str, footer: str) -> Callable[[Canvas, Any], None]:
    """An ``onPage`` hook: markings, a running header and footer line (user text allowed: it is
    shaped here), and the rules under the header and above the footer."""
    header_text, footer_text = plain_text(header), plain_text(footer)

    def on_page(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        draw_markings(canvas)
        fit_line(canvas, header_text, MARGIN_X, HEADER_INFO_Y, CONTENT_WIDTH, right=False)
        draw_rule(canvas, HEADER_RULE_Y)
        fit_line(canvas, footer_text, MARGIN_X, FOOTER_INFO_Y, CONTENT_WIDTH - 30 * mm, False)
        draw_rule(canvas, FOOTER_RULE_Y)
        canvas.restoreState()

    return on_page


def render_report(
    story: list[Flowable], *, title: str, subject: str, header: str, footer: str
) -> bytes:
    """``story`` on marked A4 pages with "Page X of Y"; the PDF's bytes (no creation time or
    random id, so the same data gives the same file)."""
    fonts.register_fonts()
    buffer = io.BytesIO()
    template = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        subject=subject,
        author="mappa-desktop",
        creator="mappa-desktop",
        initialFontName=fonts.REGULAR,
        invariant=1,
    )
    frame = Frame(
        template.leftMargin,
        template.bottomMargin,
        template.width,
        template.height,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    template.addPageTemplates(
        [PageTemplate(id="report", frames=[frame], onPage=marked_page(header, footer))]
    )
    template.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()
