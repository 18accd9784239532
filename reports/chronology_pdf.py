"""A case's chronology as a PDF: a ``Chronology`` in, PDF bytes out (DOMAIN.md §6.5).

One date-ordered table (date, kind, the entry and who it came from), what a serious case review
author starts from. A withheld entry keeps its date and kind, prints a "Withheld" tag and the
reason the service gave (``WITHHELD_TEXT``); its text is not in the DTO, so it cannot be printed.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, LongTable, Spacer, TableStyle

from mappa_desktop.services.chronology import Chronology, ChronologyEntry, EntryKind
from reports import fonts
from reports.layout import CONTENT_WIDTH, GRID, HEADER_FILL, LABEL_FILL, header_row, render_report
from reports.layout import styles as layout_styles
from reports.text import Para, para_text, user_paragraph

WITHHELD_TAG = "Withheld"
COLUMNS = ("Date", "Kind", "Entry", "Who")
_WIDTHS = (24 * mm, 27 * mm, CONTENT_WIDTH - 24 * mm - 27 * mm - 38 * mm, 38 * mm)


def _filters(chronology: Chronology) -> str:
    parts = []
    if chronology.kinds != frozenset(EntryKind):
        kinds = sorted(chronology.kinds, key=list(EntryKind).index)
        parts.append("only " + ", ".join(k.label.lower() for k in kinds))
    if chronology.date_from is not None:
        parts.append(f"from {chronology.date_from.isoformat()}")
    if chronology.date_to is not None:
        parts.append(f"to {chronology.date_to.isoformat()}")
    return "; ".join(parts)


def _entry_cell(entry: ChronologyEntry) -> list[Flowable]:
    s = layout_styles()
    title = para_text(entry.title)
    if entry.withheld:
        title = f'<font color="#8a1c12">[{WITHHELD_TAG}]</font> {title}'
    cell: list[Flowable] = [Para(f"<b>{title}</b>", s.cell)]
    if entry.detail.strip():
        cell.append(user_paragraph(entry.detail, s.cell))
    return cell


def _table(chronology: Chronology) -> LongTable:
    s = layout_styles()
    rows: list[list[object]] = [header_row(COLUMNS)]
    shading = []
    for n, entry in enumerate(chronology.entries, start=1):
        rows.append(
            [
                Para(entry.on.isoformat(), s.cell),
                Para(para_text(entry.kind.label), s.cell),
                _entry_cell(entry),
                user_paragraph(entry.who, s.cell) if entry.who.strip() else Para("", s.cell),
            ]
        )
        if entry.withheld:
            shading.append(("BACKGROUND", (0, n), (-1, n), LABEL_FILL))
    style = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, GRID),
            ("FONT", (0, 0), (-1, -1), fonts.REGULAR, 8.5),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            *shading,
        ]
    )
    # A long history is hundreds of rows: LongTable lays them out in linear time.
    return LongTable(rows, colWidths=list(_WIDTHS), repeatRows=1, style=style, hAlign="LEFT")


def build_story(chronology: Chronology) -> list[Flowable]:
    s = layout_styles()
    story: list[Flowable] = [
        Para("Case chronology", s.title),
        Para(
            f"{para_text(chronology.case_name)} - case {chronology.case_id}",
            s.subtitle,
        ),
        Spacer(1, 3 * mm),
    ]
    count = len(chronology.entries)
    summary = f"{count:,} {'entry' if count == 1 else 'entries'} in date order"
    filters = _filters(chronology)
    if filters:
        summary += f" ({para_text(filters)})"
    story.append(Para(summary + ".", s.body))
    if chronology.withheld_count:
        n = chronology.withheld_count
        story.append(
            Para(
                f"{n:,} {'entry is' if n == 1 else 'entries are'} marked "
                f"<b>[{WITHHELD_TAG}]</b>: restricted information this reader has no access "
                "to. Its date and kind are shown; its content is not. Ask the MAPPA "
                "co-ordinator for the full record.",
                s.note,
            )
        )
    if chronology.entries:
        story.append(_table(chronology))
    else:
        story.append(Para("Nothing is recorded for this case in the period chosen.", s.body))
    return story


def render_chronology_pdf(chronology: Chronology) -> bytes:
    """The chronology as a marked A4 PDF."""
    return render_report(
        build_story(chronology),
        title=f"Case chronology - case {chronology.case_id}",
        subject=f"Chronology of case {chronology.case_id}: {chronology.case_name}",
        header=f"Case chronology - {chronology.case_name} (case {chronology.case_id})",
        footer=f"Case {chronology.case_id} chronology - not for publication or wider "
        "circulation without the approval of the MAPPA SMB",
    )
