"""The meeting audit PDF read back: every criterion of the meeting and of each offender with its
answer and evidence, the auditor's lines, markings and page numbers, the same bytes twice."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pypdf
import pytest

from mappa_desktop.domain.enums import Role
from mappa_desktop.services.meeting_audit import Answer, MeetingAudit, meeting_audit
from reports.layout import MARKING
from reports.meeting_audit_pdf import WRITE_HERE, render_meeting_audit_pdf
from tests.conftest import Database, make_user
from tests.mappa_desktop.test_meeting_audit import _draft, _sign
from tests.reports.test_cjk_pdf import pypdf_text, spaced

FURNITURE = re.compile(
    rf"{MARKING}|Page \d+ of \d+|MAPPA meeting audit - .*? - meeting of \S+|"
    r"From the signed minutes \([0-9a-f]{16}\) - not for publication or wider circulation "
    r"without the approval of the MAPPA SMB"
)


@pytest.fixture
def audit(sqlite_db: Database) -> MeetingAudit:
    chair = make_user(
        sqlite_db,
        "admin",
        [Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR, Role.MINUTE_TAKER],
        family_name="Okonkwo-Smith",
    )
    meeting_id, _cases, _discs = _draft(sqlite_db, chair)
    _sign(sqlite_db, chair, meeting_id)
    with sqlite_db.sessions() as s:
        return meeting_audit(s, meeting_id)


def _text(pdf: bytes) -> str:
    """The words in reading order, without the page furniture a split row is cut by."""
    return spaced(FURNITURE.sub(" ", pypdf_text(pdf)))


def test_every_criterion_is_printed_with_its_answer_and_evidence(audit: MeetingAudit) -> None:
    pdf = render_meeting_audit_pdf(audit)
    text = _text(pdf)
    for case, item in audit.all_items:
        row = spaced(f"{item.number} {item.criterion} {item.answer.value} {item.evidence}")
        assert row in text, (case.name if case else "meeting", item.number, row)
    for case in audit.cases:
        assert f"{case.agenda_order}. {case.name} (case {case.case_id})" in text
    observed = sum(1 for _c, i in audit.all_items if i.answer is Answer.AUDITOR)
    assert text.count(spaced(WRITE_HERE)) == observed
    assert "Auditor's sign-off" in text and "Signature:" in text
    assert audit.content_sha256 in text


def test_pages_are_marked_numbered_and_the_bytes_repeat(audit: MeetingAudit) -> None:
    pdf = render_meeting_audit_pdf(audit)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    total = len(reader.pages)
    assert total >= 3
    for n, page in enumerate(reader.pages, start=1):
        words = page.extract_text()
        assert words.count(MARKING) == 2
        assert f"Page {n} of {total}" in words
    assert render_meeting_audit_pdf(audit) == pdf


def test_a_page_renders_to_look_at(audit: MeetingAudit, tmp_path: Path) -> None:
    pdf = tmp_path / "audit.pdf"
    pdf.write_bytes(render_meeting_audit_pdf(audit))
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    shots = sorted(tmp_path.glob("page-*.png"))
    assert len(shots) == 2 and all(p.stat().st_size > 10_000 for p in shots)
