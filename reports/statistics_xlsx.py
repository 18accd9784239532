"""The annual statistics as an Excel workbook: an ``AnnualStatistics`` in, XLSX bytes out.

One sheet per table (title, the reporting year, the header, the rows with counts stored as
numbers, the definition under them) and a "Definitions" sheet listing every table's
definition. A suppressed count is written as the text "*" (never its number) with a note.
"""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter

from mappa_desktop.domain.text import contain_bidi
from mappa_desktop.services.statistics import SUPPRESSED_MARK, AnnualStatistics, StatTable

SHEET_NAMES = {
    "eligible_by_category": "Eligible by category",
    "rso_rate": "RSOs per 100,000",
    "level_by_category": "Level 2 and 3 by category",
    "notification_breaches": "Notification breaches",
    "orders_imposed": "Orders imposed",
    "returns_to_custody": "Returns to custody",
    "serious_further_offences": "Serious further offences",
    "serious_case_reviews": "Serious case reviews",
}
DEFINITIONS_SHEET = "Definitions"
_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_name(table: StatTable) -> str:
    """The sheet of ``table``: a fixed short name, or its key cut to Excel's 31 characters."""
    return SHEET_NAMES.get(table.key, table.key.translate(_FORBIDDEN))[:31]


def _note(stats: AnnualStatistics) -> str:
    if stats.suppression_applied:
        return (
            f"Counts from 1 to {stats.suppression_threshold - 1} are suppressed for publication "
            f"and shown as {SUPPRESSED_MARK}."
        )
    return "Small counts are not suppressed: check before publishing."


def _write_table(book: Any, formats: dict[str, Any], stats: AnnualStatistics, t: StatTable) -> None:
    sheet = book.add_worksheet(sheet_name(t))
    sheet.set_column(0, 0, 52)
    sheet.set_column(1, max(len(t.columns), 1), 14)
    sheet.write_string(0, 0, t.title, formats["title"])
    sheet.write_string(
        1,
        0,
        f"{contain_bidi(stats.area_name)}, reporting year {stats.year.label} "
        f"({stats.year.first_day.isoformat()} to {stats.year.last_day.isoformat()})",
    )
    sheet.write_string(2, 0, _note(stats), formats["note"])
    header_row = 4
    sheet.write_string(header_row, 0, "", formats["header"])
    for column, heading in enumerate(t.columns, start=1):
        sheet.write_string(header_row, column, heading, formats["header"])
    row_number = header_row
    for row_number, row in enumerate(t.rows, start=header_row + 1):
        bold = row.is_total
        sheet.write_string(
            row_number, 0, contain_bidi(row.label), formats["bold" if bold else "text"]
        )
        for column, cell in enumerate(row.cells, start=1):
            if cell.suppressed:
                sheet.write_string(row_number, column, SUPPRESSED_MARK, formats["suppressed"])
                sheet.write_comment(row_number, column, "Suppressed for publication")
            else:
                kind = "rate" if isinstance(cell.value, float) else "count"
                sheet.write_number(
                    row_number, column, cell.value, formats[f"{kind}_bold" if bold else kind]
                )
    if not t.rows:
        row_number += 1
        sheet.write_string(row_number, 0, "Not computed: set the area's population.")
    sheet.write_string(row_number + 2, 0, "Definition", formats["bold"])
    sheet.merge_range(
        row_number + 3, 0, row_number + 3, max(len(t.columns), 1), t.definition, formats["wrap"]
    )
    sheet.set_row(row_number + 3, 90)
    sheet.freeze_panes(header_row + 1, 1)


def render_statistics_xlsx(stats: AnnualStatistics) -> bytes:
    """The workbook's bytes."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    book.set_properties(
        {
            "title": f"MAPPA annual statistics {stats.year.label}",
            "subject": contain_bidi(stats.area_name),
            "author": "mappa-desktop",
            "created": stats.generated_at.replace(tzinfo=None),
        }
    )
    formats = {
        "title": book.add_format({"bold": True, "font_size": 13}),
        "header": book.add_format({"bold": True, "bg_color": "#E4E7EC", "border": 1}),
        "text": book.add_format({"border": 1}),
        "bold": book.add_format({"bold": True, "border": 1}),
        "count": book.add_format({"num_format": "#,##0", "border": 1}),
        "count_bold": book.add_format({"num_format": "#,##0", "border": 1, "bold": True}),
        "rate": book.add_format({"num_format": "#,##0.0", "border": 1}),
        "rate_bold": book.add_format({"num_format": "#,##0.0", "border": 1, "bold": True}),
        "suppressed": book.add_format({"align": "right", "border": 1, "italic": True}),
        "note": book.add_format({"italic": True}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }
    for t in stats.tables:
        _write_table(book, formats, stats, t)
    sheet = book.add_worksheet(DEFINITIONS_SHEET)
    sheet.set_column(0, 0, 48)
    sheet.set_column(1, 1, 110)
    sheet.write_string(0, 0, "Table", formats["header"])
    sheet.write_string(0, 1, "Definition", formats["header"])
    for n, t in enumerate(stats.tables, start=1):
        sheet.write_string(n, 0, t.title, formats["wrap"])
        sheet.write_string(n, 1, t.definition, formats["wrap"])
    sheet.write_string(len(stats.tables) + 2, 0, _note(stats), formats["note"])
    book.close()
    return buffer.getvalue()
