"""Minutes PDF rendering: one set of minutes, and 20 personal copies.

Bars (ARCHITECTURE.md §8): one set of minutes for a 25-case meeting (~30 pages) <= 1.5 s; 20
personal copies <= 10 s. The sample cases are dense (offender details, RoSH grid, a full RMP,
10 actions and 5 decisions each: about 3 pages a case), so the 25-case meeting runs to about 77
pages; the bars are applied to it as they stand, and to a 10-case meeting of about 30 pages.

Personal copies lay the body out once (``render_body``) and stamp the copy number and recipient
onto every page (``personalise``), so 20 copies cost about one render plus 20 small overlays;
each copy is written with ``write_atomically``, as the app does.
"""

from __future__ import annotations

import io
import statistics
import time
from dataclasses import replace
from pathlib import Path

import pypdf

from benchmarks.common import Figure
from mappa_desktop.services.minutes_content import MinutesDocument
from reports.export import write_atomically
from reports.minutes_pdf import personalise, render_body, render_copies, render_minutes
from tests.reports import sample_minutes as sm

ACTIONS_PER_CASE = 10
COPIES = 20
RUNS = 3


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
    what = f"25 cases, 250 actions, {_pages(pdf)} pages"
    figures.append(Figure(f"minutes PDF: {what}", statistics.median(times), "s", 1.5))
    figures.append(
        Figure(f"minutes PDF: {COPIES} personal copies, {what}", _copies(big, workdir), "s", 10)
    )
    figures.append(
        Figure(f"minutes PDF: one more personal copy, {what}", _one_copy(big), "s", None)
    )

    small = meeting_document(10)
    pages = _pages(render_minutes(small))
    figures.append(
        Figure(
            f"minutes PDF: {COPIES} personal copies, 10 cases, 100 actions, {pages} pages",
            _copies(small, workdir),
            "s",
            10,
        )
    )
    return figures


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for figure in measure(Path(tmp)):
            print(f"{figure.name}: {figure.value:.3f} {figure.unit} (bar {figure.bar})")
