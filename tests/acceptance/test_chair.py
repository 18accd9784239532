"""Journey 3, the chair, by key events only: the meeting opened from the list, the sign-off
checklist (Ctrl+Shift+K), submit for sign-off (confirmed with the keys: the focus starts on
Cancel), then the sign-off window: a reason typed for each needs-reason finding and the
sign-off confirmed from the keyboard; the database has the minutes with the reasons frozen."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mappa_desktop.db.models import Minutes, RiskAssessment, RmpItem
from mappa_desktop.domain.enums import MeetingStatus, Role
from mappa_desktop.services import meetings, minutes
from mappa_desktop.services.actor import Actor
from tests.acceptance.conftest import open_main_window
from tests.acceptance.keys import (
    alt,
    focused,
    go_ahead,
    key,
    shortcut,
    tab_to,
    type_here,
    wait_active,
)
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_meetings import MEETING_DAY, Ready, agency_id, ready_meeting
from ui.views.meeting import MeetingView
from ui.views.signoff import SignOffWindow

pytestmark = [pytest.mark.gui, pytest.mark.slow]

REASONS = (
    "A new OASys is booked for 3 December; the old one was read again today.",
    "Housing sent its report by secure e-mail; it was read out to the panel.",
)


def needing_reasons(db: Database, chair: Actor) -> Ready:
    """A draft meeting whose checklist is clear, with two needs-reason findings: the first
    case's assessment is eight years old and its plan is Housing's, who were not there."""
    ready = ready_meeting(db, chair)
    with db.sessions.begin() as s:
        case_id = ready.case_ids[0]
        for risk in s.scalars(select(RiskAssessment).where(RiskAssessment.case_id == case_id)):
            risk.assessed_on = MEETING_DAY - timedelta(days=8 * 365)
        for item in s.scalars(select(RmpItem).where(RmpItem.case_id == case_id)):
            item.responsible_agency_id = agency_id(s, "Housing")
    return ready


def status_of(db: Database, meeting_id: int) -> MeetingStatus:
    with db.sessions() as s:
        return meetings.get_meeting_row(s, meeting_id).status


def test_the_chair_submits_and_signs_off_with_reasons(qtbot: QtBot, sqlite_db: Database) -> None:
    actor = make_user(
        sqlite_db,
        "chair",
        [Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR, Role.MINUTE_TAKER],
        family_name="Παπαδόπουλος",
    )
    ready = needing_reasons(sqlite_db, actor)
    window = open_main_window(qtbot, sqlite_db, actor)

    # Ctrl+2, Enter: the meeting (the only one, selected).
    shortcut("Ctrl+2")
    assert window.meetings.selected_meeting_id() == ready.meeting_id
    key(Qt.Key.Key_Return)
    view = window.tabs.currentWidget()
    assert isinstance(view, MeetingView)
    qtbot.waitUntil(lambda: view.data is not None)
    assert status_of(sqlite_db, ready.meeting_id) is MeetingStatus.DRAFT

    # The checklist: nothing blocks submission.
    shortcut("Ctrl+Shift+K")
    assert view.stack.currentWidget() is view.checklist_page
    assert view.data is not None and not view.data.detail.sign_off_problems

    # Submit for sign-off (Alt+U), confirmed: Shift+Tab from Cancel to the button, Space.
    alt("u")
    go_ahead(qtbot, view)
    qtbot.waitUntil(
        lambda: status_of(sqlite_db, ready.meeting_id) is MeetingStatus.AWAITING_SIGN_OFF
    )
    qtbot.waitUntil(lambda: view.sign_off_button.isVisible())
    wait_active(qtbot, window)

    # Alt+U again: now "Sign off minutes…", the sign-off window.
    alt("u")
    qtbot.waitUntil(lambda: len(view.findChildren(SignOffWindow)) == 1)
    [signing] = view.findChildren(SignOffWindow)
    wait_active(qtbot, signing)
    qtbot.waitUntil(lambda: signing.data is not None, timeout=10_000)
    qtbot.waitUntil(lambda: signing.preview.ready, timeout=20_000)
    edits = list(signing.findings.edits.values())
    assert len(edits) == 2 and not signing.sign_button.isEnabled()

    # Each needs-reason finding gets its reason, reached by Tab and typed.
    for edit, reason in zip(edits, REASONS, strict=True):
        tab_to(edit)
        type_here(reason)
    assert signing.sign_button.isEnabled(), signing.why.text()
    tab_to(signing.sign_button)
    key(Qt.Key.Key_Space)
    go_ahead(qtbot, signing)
    qtbot.waitUntil(
        lambda: status_of(sqlite_db, ready.meeting_id) is MeetingStatus.SIGNED_OFF, timeout=20_000
    )
    with sqlite_db.sessions() as s:
        record = minutes.get_minutes(s, ready.meeting_id)
        stored = s.scalars(select(Minutes).where(Minutes.meeting_id == ready.meeting_id)).one()
    assert record is not None
    frozen = json.loads(stored.content)["self_audit"]
    assert sorted(r["reason"] for r in frozen) == sorted(REASONS)
    assert focused() is not None
