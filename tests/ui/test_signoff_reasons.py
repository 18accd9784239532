"""The self-audit in the sign-off window and the meeting screen, on a real SQLite file with the
real services (tasks run synchronously): must-fix findings block sign-off with a sentence, each
needs-reason finding takes the chair's reason, the preview is rendered again with the reasons
before signing (so the signed hash is the previewed one, PAdES signature included), findings go
to their place in the meeting, keyboard only, and the grade counts while minuting."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mappa_desktop.db.models import Case, Minutes, RiskAssessment, RmpItem
from mappa_desktop.domain.enums import MeetingStatus, Role
from mappa_desktop.services import issued, meetings, minutes
from mappa_desktop.services.actor import Actor
from reports import signing
from reports.stamp import read_stamp
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_meetings import MEETING_DAY, Ready, agency_id, ready_meeting
from tests.reports.test_cjk_pdf import pypdf_text, spaced
from tests.ui.meeting_helpers import confirm_step, context, journal_for, type_text
from ui.views.meeting import MeetingView
from ui.views.meeting.case_page import CasePage
from ui.views.record.common import mnemonic_of
from ui.views.signoff import SignOffWindow

pytestmark = pytest.mark.gui

PASSWORD = "correct horse battery"
REASONS = (
    "A new OASys is booked for 3 December & the old one was reviewed today.",
    "Housing sent its report by secure e-mail; it was read out.",
)


@pytest.fixture
def chair(sqlite_db: Database) -> Actor:
    return make_user(
        sqlite_db,
        "chair",
        [Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR, Role.MINUTE_TAKER],
        family_name="Παπαδόπουλος",
    )


def _open(qtbot: QtBot, db: Database, actor: Actor, meeting_id: int) -> SignOffWindow:
    window = SignOffWindow(context(db, actor), meeting_id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.data is not None, timeout=10_000)
    qtbot.waitUntil(lambda: window.preview.ready, timeout=10_000)
    return window


def _needing_reasons(db: Database, chair: Actor) -> Ready:
    """Two cases; the first's assessment is eight years old and its plan is Housing's, who were
    not there for it: two needs-reason findings, nothing to fix."""
    ready = ready_meeting(db, chair)
    with db.sessions.begin() as s:
        case_id = ready.case_ids[0]
        for risk in s.scalars(select(RiskAssessment).where(RiskAssessment.case_id == case_id)):
            risk.assessed_on = MEETING_DAY - timedelta(days=8 * 365)
        for item in s.scalars(select(RmpItem).where(RmpItem.case_id == case_id)):
            item.responsible_agency_id = agency_id(s, "Housing")
    return ready


def _list_texts(window: SignOffWindow) -> list[str]:
    found = window.findings.list
    return [found.item(i).text() for i in range(found.count())]


def _confirmation(window: QWidget) -> QMessageBox | None:
    boxes = [b for b in window.findChildren(QMessageBox, "confirmBox") if b.isVisible()]
    return boxes[0] if boxes else None


def test_must_fix_findings_are_listed_and_block_sign_off_with_a_sentence(
    qtbot: QtBot, sqlite_db: Database, chair: Actor
) -> None:
    ready = ready_meeting(sqlite_db, chair)
    with sqlite_db.sessions.begin() as s:
        for case_id in ready.case_ids:
            s.get(Case, case_id).offender_manager_id = None  # type: ignore[union-attr]
    window = _open(qtbot, sqlite_db, chair, ready.meeting_id)
    texts = _list_texts(window)
    assert len(texts) == 2
    assert texts[0].startswith("Must fix: Łukasz Wiśniewski: no offender manager is named")
    assert texts[1].startswith("Must fix: Дмитрий Иванов: no offender manager is named")
    assert not window.sign_button.isEnabled()
    assert window.why.text().startswith(
        "Sign-off is blocked: 2 self-audit finding(s) must be fixed in the meeting first"
    )
    assert window.findings.edits == {}  # nothing to give a reason for

    with sqlite_db.sessions.begin() as s:
        for case_id in ready.case_ids:
            s.get(Case, case_id).offender_manager_id = chair.person_id  # type: ignore[union-attr]
    window.reload()
    qtbot.waitUntil(lambda: window.sign_button.isEnabled(), timeout=10_000)
    assert _list_texts(window) == ["The self-audit found nothing to fix or explain."]


def test_each_reason_is_required_and_the_signed_preview_carries_them(
    qtbot: QtBot, sqlite_db: Database, chair: Actor, tmp_path: Path
) -> None:
    ready = _needing_reasons(sqlite_db, chair)
    window = _open(qtbot, sqlite_db, chair, ready.meeting_id)
    texts = _list_texts(window)
    assert [t.split(":")[0] for t in texts] == ["Needs your reason (1)", "Needs your reason (2)"]
    assert "older than the local policy" in texts[0] and "Local Housing Authority" in texts[1]
    edits = list(window.findings.edits.values())
    assert len(edits) == 2 and not window.sign_button.isEnabled()
    assert "(2 still empty)" in window.why.text()
    type_text(edits[0], REASONS[0])
    assert "(1 still empty)" in window.why.text() and not window.sign_button.isEnabled()
    type_text(edits[1], "   ")
    assert "(1 still empty)" in window.why.text()  # blank is no reason
    edits[1].setPlainText(REASONS[1])

    cert = tmp_path / "chair.p12"
    cert.write_bytes(
        signing.make_self_signed_certificate("Γιώργος Chair", "Police", password=PASSWORD)
    )
    window.certificate.enabled.setChecked(True)
    window.certificate.path.setText(str(cert))
    window.certificate.password.setText(PASSWORD)
    assert window.sign_button.isEnabled(), window.why.text()
    assert window.preview_is_stale() and window.preview_note.isVisible()
    stale = window.preview.pdf
    assert REASONS[0] not in spaced(pypdf_text(stale))

    qtbot.mouseClick(window.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _confirmation(window) is not None, timeout=10_000)
    box = _confirmation(window)
    assert box is not None
    assert box.focusWidget() is box.button(QMessageBox.StandardButton.Cancel)
    assert "with your reasons for 2 self-audit finding(s)" in box.text()
    previewed = window.preview.pdf
    assert previewed != stale and not window.preview_is_stale()
    shown = spaced(pypdf_text(previewed))
    for reason in REASONS:
        assert spaced(reason) in shown
    confirm_step(window)

    qtbot.waitUntil(lambda: window.data is not None and window.data.signed, timeout=10_000)
    with sqlite_db.sessions() as s:
        record = minutes.get_minutes(s, ready.meeting_id)
        stored = s.scalars(select(Minutes).where(Minutes.meeting_id == ready.meeting_id)).one()
        signature = issued.minutes_signature(s, ready.meeting_id)
    assert record is not None and signature is not None
    frozen = {r["reason"] for r in json.loads(stored.content)["self_audit"]}
    assert frozen == set(REASONS)
    stamp = read_stamp(previewed)
    assert stamp is not None and stamp.content_sha256 == record.content_sha256
    root = pkcs12.load_pkcs12(cert.read_bytes(), PASSWORD.encode()).cert
    assert root is not None
    check = signing.validate_pdf_signature(signature, [root.certificate.public_bytes(Encoding.DER)])
    assert check.ok
    signed_text = spaced(pypdf_text(signature))
    assert all(spaced(reason) in signed_text for reason in REASONS)
    # Afterwards the window shows the stored reasons, read-only.
    texts = _list_texts(window)
    assert any(t.endswith(f"Chair's reason: {REASONS[1]}") for t in texts)
    assert window.findings.edits == {}


def test_a_finding_is_activated_by_enter_and_by_double_click(
    qtbot: QtBot, sqlite_db: Database, chair: Actor
) -> None:
    ready = _needing_reasons(sqlite_db, chair)
    window = _open(qtbot, sqlite_db, chair, ready.meeting_id)
    found = window.findings.list
    found.setCurrentRow(1)
    found.setFocus()
    with qtbot.waitSignal(window.finding_activated) as by_key:
        QTest.keyClick(found, Qt.Key.Key_Return)
    assert by_key.args == [ready.case_ids[0], "attendance"]  # agency_absent: fixed in the room
    rect = found.visualItemRect(found.item(0))
    with qtbot.waitSignal(window.finding_activated) as by_mouse:  # a press, then the double
        qtbot.mouseClick(found.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(found.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert by_mouse.args == [ready.case_ids[0], "risk"]  # assessment_age: fixed in the risk


def _tab_from(qtbot: QtBot, start: QWidget, steps: int) -> list[QWidget]:
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(start.hasFocus)
    out = []
    for _ in range(steps):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        out.append(QApplication.focusWidget())
    return out


def test_keyboard_only_tab_order_mnemonics_and_escape(
    qtbot: QtBot, sqlite_db: Database, chair: Actor
) -> None:
    ready = _needing_reasons(sqlite_db, chair)
    window = _open(qtbot, sqlite_db, chair, ready.meeting_id)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    edits = list(window.findings.edits.values())
    reached = _tab_from(qtbot, window.findings.list, 3)
    assert reached[:2] == edits  # the reasons, in order, straight after the findings
    assert reached[2] is window.certificate.enabled
    for edit, reason in zip(edits, REASONS, strict=True):
        type_text(edit, reason)
    assert isinstance(reached[0], QPlainTextEdit) and reached[0].toPlainText() == REASONS[0]
    cert = window.certificate
    reached = _tab_from(qtbot, cert.enabled, 1)
    assert reached == [window.sign_button]  # certificate fields are disabled until ticked

    keys: dict[str, list[str]] = {}
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
        labelled = getattr(widget, "buddy", lambda: None)() is not None
        if isinstance(text, str) and (labelled or widget.inherits("QAbstractButton")):
            letter = mnemonic_of(text)
            if letter:
                keys.setdefault(letter, []).append(text)
    assert all(len(owners) == 1 for owners in keys.values()), keys
    captions = [
        label
        for label in window.findings.reason_area.findChildren(QLabel)
        if label.buddy() is not None
    ]
    assert [label.buddy() for label in captions] == edits
    assert all(mnemonic_of(label.text()) for label in captions)  # Alt+letter to each reason

    QTest.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isVisible())


def test_the_meeting_screen_counts_the_grades_and_goes_to_a_finding(
    qtbot: QtBot, sqlite_db: Database, chair: Actor, tmp_path: Path
) -> None:
    ready = _needing_reasons(sqlite_db, chair)
    with sqlite_db.sessions.begin() as s:
        s.get(Case, ready.case_ids[1]).offender_manager_id = None  # type: ignore[union-attr]
    ctx = context(sqlite_db, chair)
    view = MeetingView(ctx, ready.meeting_id, journal=journal_for(sqlite_db, tmp_path))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.data is not None, timeout=10_000)
    assert view.audit_counts.text() == "Self-audit: 1 must be fixed, 2 need the chair's reason"

    with sqlite_db.sessions.begin() as s:
        s.get(Case, ready.case_ids[1]).offender_manager_id = chair.person_id  # type: ignore[union-attr]
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        ctx.bus.meetings_changed.emit({ready.meeting_id})
    assert view.audit_counts.text() == "Self-audit: 0 must be fixed, 2 need the chair's reason"

    with sqlite_db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, chair, ready.meeting_id)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        ctx.bus.meetings_changed.emit({ready.meeting_id})
    window = view.open_sign_off()
    qtbot.addWidget(window)
    assert isinstance(window, SignOffWindow)
    qtbot.waitUntil(lambda: window.data is not None, timeout=10_000)
    assert view.stack.currentWidget() is view.attendance_page
    window.findings.list.setCurrentRow(0)
    QTest.keyClick(window.findings.list, Qt.Key.Key_Return)
    page = view.stack.currentWidget()
    assert isinstance(page, CasePage) and page.discussion_id == ready.discussion_ids[0]

    with sqlite_db.sessions() as s:
        assert meetings.get_meeting_row(s, ready.meeting_id).status is (
            MeetingStatus.AWAITING_SIGN_OFF
        )
