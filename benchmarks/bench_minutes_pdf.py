"""Minutes PDF rendering beside bare ReportLab laying out the same text, and 20 personal copies
beside rendering the minutes 20 times.

The sample cases are dense (offender details, RoSH grid, a full RMP, 10 actions and 5 decisions
each: about 3 pages a case), so the 25-case meeting runs to about 77 pages.

- One set of minutes (median of 3) beside ``bare_reportlab``: the text of the very PDF (read
  back with pypdf, untimed) laid out by ReportLab's ``SimpleDocTemplate`` as one paragraph per
  line in the same DejaVu font: no tables, markings, page numbers or bidi. The minutes may cost
  at most 3x that (ARCHITECTURE.md §8's absolute 1.5 s is printed for information).
- Personal copies lay the body out once (``render_body``) and stamp the copy number and
  recipient onto every page (``personalise``), each copy written with ``write_atomically`` as the
  app does; beside the naive path, 20 full renders (20 x the median above), they must cost at
  most a quarter of it (ARCHITECTURE.md §8: 20 copies <= 10 s, printed for information).
"""

from __future__ import annotations

import io
import statistics
import time
from dataclasses import replace
from pathlib import Path

import pypdf

from benchmarks.common import Figure, compare, format_figure, timed
from mappa_desktop.files import write_atomically
from mappa_desktop.services.minutes_content import MinutesDocument
from reports.minutes_pdf import personalise, render_body, render_copies, render_minutes
from tests.reports import sample_minutes as sm

ACTIONS_PER_CASE = 10
COPIES = 20
RUNS = 3
BAR_BARE = 3.0
BAR_COPIES = 0.25


def text_lines(pdf: bytes) -> list[str]:
    """The non-blank lines of text in ``pdf``, as pypdf reads them back."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    lines = (line for page in reader.pages for line in page.extract_text().splitlines())
    return [line for line in lines if line.strip()]


def bare_reportlab(lines: list[str]) -> float:
    """Seconds for ReportLab alone to lay out ``lines``, one paragraph each, in DejaVu Sans."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

    from reports.fonts import REGULAR, register_fonts

    register_fonts()
    style = ParagraphStyle("bare", fontName=REGULAR, fontSize=9, leading=11)
    start = time.perf_counter()
    story: list[Flowable] = [Paragraph(escape(line), style) for line in lines]
    SimpleDocTemplate(io.BytesIO(), pagesize=A4).build(story)
    return time.perf_counter() - start


def meeting_document(cases: int) -> MinutesDocument:
    """The sample meeting with ``cases`` rich cases and 10 actions each (5 reviewed, 5 new)."""
    doc = sm.document(case_count=cases)
    out = []
    for case in doc.content.cases:
        previous = tuple(
            replace(a, action_id=a.action_id * 100 + n)
            for n in range(2)
            for a in case.previous_actions
        )[:5]
        new = tuple(
            replace(a, action_id=a.action_id * 100 + n) for n in range(3) for a in case.new_actions
        )[:5]
        out.append(replace(case, previous_actions=previous, new_actions=new))
    return replace(doc, content=replace(doc.content, cases=tuple(out)))


def _pages(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _copies(doc: MinutesDocument, workdir: Path) -> float:
    """Seconds to lay the body out once, stamp 20 personal copies and write each atomically."""
    recipients = [(f"Recipient {n} ({sm.SWEDISH})", n) for n in range(1, COPIES + 1)]
    start = time.perf_counter()
    for n, pdf in enumerate(render_copies(doc, recipients), start=1):
        write_atomically(workdir / f"minutes-copy-{n:02d}.pdf", pdf)
    return time.perf_counter() - start


def _one_copy(doc: MinutesDocument) -> float:
    """Median seconds to stamp one personal copy onto an already laid-out body."""
    body = render_body(doc)
    times = []
    for n in range(1, 6):
        start = time.perf_counter()
        personalise(body, f"Recipient {n} ({sm.SWEDISH})", n)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(workdir: Path) -> list[Figure]:
    figures = []
    big = meeting_document(25)
    render_minutes(big)  # warm-up: font registration and glyph tables
    times = []
    pdf = b""
    for _ in range(RUNS):
        start = time.perf_counter()
        pdf = render_minutes(big)
        times.append(time.perf_counter() - start)
    (workdir / "minutes-25-cases.pdf").write_bytes(pdf)
    one = statistics.median(times)
    lines = text_lines(pdf)
    what = f"25 cases, 250 actions, {_pages(pdf)} pages"
    figures.append(
        compare(
            f"minutes PDF: {what} (median of {RUNS})",
            one,
            "bare ReportLab, same text",
            statistics.median(bare_reportlab(lines) for _ in range(RUNS)),
            bar=BAR_BARE,
        )
    )
    figures.append(
        compare(
            f"minutes PDF: {COPIES} personal copies, {what}",
            _copies(big, workdir),
            f"{COPIES} full renders",
            COPIES * one,
            bar=BAR_COPIES,
        )
    )
    figures.append(
        Figure(f"minutes PDF: one more personal copy, {what}", _one_copy(big), "s", None)
    )

    small = meeting_document(10)
    one_small, small_pdf = timed(lambda: render_minutes(small))
    figures.append(
        compare(
            f"minutes PDF: {COPIES} personal copies, 10 cases, 100 actions, "
            f"{_pages(small_pdf)} pages",
            _copies(small, workdir),
            f"{COPIES} full renders",
            COPIES * one_small,
            bar=BAR_COPIES,
        )
    )
    return figures


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for figure in measure(Path(tmp)):
            print(format_figure(figure))
