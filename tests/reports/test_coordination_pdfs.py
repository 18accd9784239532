"""The co-ordinator's PDFs and workbook, built from the real services over a small SQLite file and
read back: annual statistics (every table, definition and number; suppressed cells), the case
chronology (order, withheld items), the referral form and the agenda pack (sections in order)."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from mappa_desktop.services import (
    agenda_pack,
    cases,
    chronology,
    referrals,
    settings,
    statistics,
)
from reports import agenda_pdf, referral_pdf
from reports.chronology_pdf import WITHHELD_TAG, render_chronology_pdf
from reports.layout import MARKING
from reports.statistics_pdf import render_statistics_pdf
from reports.statistics_xlsx import DEFINITIONS_SHEET, render_statistics_xlsx, sheet_name
from tests.conftest import Database
from tests.reports.coordination_data import MARKUP_NAME, SECRET, YEAR, Coordination, build

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


@pytest.fixture
def data(sqlite_db: Database) -> Coordination:
    return build(sqlite_db)


def pdf_text(pdf: bytes, tmp_path: Path, layout: bool = False) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"]
    out = subprocess.run(args, capture_output=True, check=True).stdout.decode("utf-8")
    return unicodedata.normalize("NFKC", out)


def flat(text: str) -> str:
    return " ".join(text.split())


def row_printed(lines: list[str], label: str, cells: list[str]) -> bool:
    """Some line of the laid-out text is the row: its label, then exactly these cells."""
    return any(
        line.strip().startswith(label)
        and re.findall(r"\S+", line.strip().removeprefix(label)) == cells
        for line in lines
    )


def check_pages(pdf: bytes) -> int:
    """Every page carries the marking at top and bottom and "Page X of Y"."""
    reader = PdfReader(io.BytesIO(pdf))
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert text.count(MARKING) >= 2, number
        assert f"Page {number} of {total}" in text
    return total


# --- statistics ------------------------------------------------------------------------------


def test_statistics_pdf_prints_every_table_definition_and_number(
    sqlite_db: Database, data: Coordination, tmp_path: Path
) -> None:
    with sqlite_db.sessions() as s:
        stats = statistics.annual_statistics(s, YEAR)
    pdf = render_statistics_pdf(stats)
    check_pages(pdf)
    text = flat(pdf_text(pdf, tmp_path))
    lines = pdf_text(pdf, tmp_path, layout=True).splitlines()
    assert stats.table("eligible_by_category").cell("1").value == 3  # the data is as built
    for table in stats.tables:
        assert flat(table.title) in text
        assert flat(table.definition) in text
        for row in table.rows:
            assert row_printed(lines, row.label, [c.text for c in row.cells]), row.label
    assert "per 100,000" in text and f"{stats.rso_per_100k:,.1f}" in text
    # the charts' titles and axis labels are drawn
    for title in (
        "MAPPA-eligible offenders on 31 March, by category",
        "Returns to custody by level and reason",
    ):
        assert title in text
    assert "Small counts are not suppressed" in text


def test_statistics_pdf_marks_suppressed_cells(
    sqlite_db: Database, data: Coordination, tmp_path: Path
) -> None:
    with sqlite_db.sessions() as s:
        stats = statistics.annual_statistics(s, YEAR, suppress=True)
    table = stats.table("returns_to_custody")
    cell = table.cell("breach_of_licence", 0)
    assert cell.suppressed and cell.value == 1
    lines = pdf_text(render_statistics_pdf(stats), tmp_path, layout=True).splitlines()
    assert row_printed(lines, "Breach of licence", ["*", "0"])
    assert any("shown as *" in line for line in lines)


def _sheet_xml(book: zipfile.ZipFile) -> dict[str, ElementTree.Element]:
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    names = [s.get("name") for s in workbook.iterfind("m:sheets/m:sheet", NS)]
    return {
        str(name): ElementTree.fromstring(book.read(f"xl/worksheets/sheet{n}.xml"))
        for n, name in enumerate(names, start=1)
    }


def _cells(sheet: ElementTree.Element, strings: list[str]) -> list[list[object]]:
    rows = []
    for row in sheet.iterfind("m:sheetData/m:row", NS):
        values: list[object] = []
        for c in row.iterfind("m:c", NS):
            v = c.find("m:v", NS)
            if v is None or v.text is None:
                values.append("")
            elif c.get("t") == "s":
                values.append(strings[int(v.text)])
            else:
                values.append(float(v.text))
        rows.append(values)
    return rows


def test_statistics_workbook_has_a_sheet_per_table_numbers_as_numbers_and_definitions(
    sqlite_db: Database, data: Coordination
) -> None:
    with sqlite_db.sessions() as s:
        stats = statistics.annual_statistics(s, YEAR, suppress=True)
    book = zipfile.ZipFile(io.BytesIO(render_statistics_xlsx(stats)))
    shared = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
    strings = ["".join(t.itertext()) for t in shared.iterfind("m:si", NS)]
    sheets = _sheet_xml(book)
    assert list(sheets) == [*(sheet_name(t) for t in stats.tables), DEFINITIONS_SHEET]
    for table in stats.tables:
        cells = _cells(sheets[sheet_name(table)], strings)
        assert cells[0][0] == table.title
        for row in table.rows:
            found = next(r for r in cells if r and r[0] == row.label)
            expected = ["*" if c.suppressed else float(c.value) for c in row.cells]
            assert found[1 : 1 + len(row.cells)] == expected
        assert table.definition in strings
    definitions = _cells(sheets[DEFINITIONS_SHEET], strings)
    assert [r[:2] for r in definitions[1 : 1 + len(stats.tables)]] == [
        [t.title, t.definition] for t in stats.tables
    ]


# --- chronology ------------------------------------------------------------------------------


def test_chronology_pdf_lists_entries_in_order_and_withholds_restricted_text(
    sqlite_db: Database, data: Coordination, tmp_path: Path
) -> None:
    with sqlite_db.sessions() as s:
        for_reader = chronology.case_chronology(s, data.restricted_case_id, data.reader)
        for_coordinator = chronology.case_chronology(s, data.restricted_case_id, data.coordinator)
    assert for_reader.withheld_count == 1
    text = pdf_text(render_chronology_pdf(for_reader), tmp_path)
    assert SECRET not in flat(text) and "Zebediah" not in text
    assert f"[{WITHHELD_TAG}]" in text
    assert flat(chronology.WITHHELD_TEXT) in flat(text)
    # entries in the DTO's (date) order
    positions = [flat(text).find(flat(e.title)) for e in for_reader.entries]
    assert -1 not in positions and positions == sorted(positions)
    dates = re.findall(r"\b\d{4}-\d{2}-\d{2}\b", text)
    assert dates == sorted(dates)
    full = pdf_text(render_chronology_pdf(for_coordinator), tmp_path)
    assert SECRET in flat(full) and f"[{WITHHELD_TAG}]" not in full
    check_pages(render_chronology_pdf(for_reader))


# --- referral form and agenda ----------------------------------------------------------------


def _in_order(text: str, headings: tuple[str, ...]) -> None:
    positions = [text.find(h) for h in headings]
    assert -1 not in positions, [h for h, p in zip(headings, positions, strict=True) if p < 0]
    assert positions == sorted(positions)


def test_referral_form_has_the_national_sections_in_order(
    sqlite_db: Database, data: Coordination, tmp_path: Path
) -> None:
    with sqlite_db.sessions() as s:
        referral = referrals.get_referral(s, data.referral_id)
        case = cases.get_case(s, referral.case_id)
        area = settings.policy(s).area_name
    pdf = referral_pdf.render_referral_pdf(referral, case, area)
    check_pages(pdf)
    text = flat(pdf_text(pdf, tmp_path))
    _in_order(text, referral_pdf.SECTIONS)
    assert "Referral to MAPPA Level 3 (MAPPA A)" in text
    assert referral.reason in text  # "&" and "<new>" print as typed
    assert "Needs senior police resources" in text
    assert "DS Ada Lovelace" in text and "Very High" in text


def test_agenda_pack_lists_cases_in_order_with_slots_and_invited_agencies(
    sqlite_db: Database, data: Coordination, tmp_path: Path
) -> None:
    with sqlite_db.sessions() as s:
        pack = agenda_pack.agenda_pack(s, data.meeting_id)
    pdf = agenda_pdf.render_agenda_pdf(pack)
    check_pages(pdf)
    text = flat(pdf_text(pdf, tmp_path))
    _in_order(text, agenda_pdf.SECTIONS)
    _in_order(text, tuple(f"{item.case_name} (case {item.case_id})" for item in pack.items))
    _in_order(text, ("10:00-10:25", "10:25-10:50", "10:50-11:15"))
    assert MARKUP_NAME in text
    assert "Bring <no> papers & phones." in text
    assert "Local Authority Children's Social Care" in text
    events = [line for item in pack.items for line in item.events_since]
    assert events and all(flat(line) in text for line in events)
