"""Journey 1, the co-ordinator, by key events only: Ctrl+2 to Meetings, a new meeting (Ctrl+N)
filled from the keyboard, then its agenda (Ctrl+E) with one proposed case and one found by
name; the database is read after each step."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mappa_desktop.db.models import CaseDiscussion, Meeting
from mappa_desktop.domain.enums import AgendaReason, MeetingType
from tests.acceptance.conftest import open_main_window
from tests.acceptance.keys import (
    alt,
    arrow_until,
    back_to,
    focused,
    key,
    replace_here,
    shortcut,
    shown,
    tab_to,
    type_here,
    wait_active,
)
from tests.conftest import Database
from tests.mappa_desktop.factories_meetings import MEETING_DAY
from tests.ui.meeting_helpers import chair, seed
from ui.views.meeting.agenda import AgendaDialog
from ui.views.meeting.schedule import ScheduleDialog

pytestmark = [pytest.mark.gui, pytest.mark.slow]

VENUE = "Room 7, Łódź House"
FAMILY_NAMES = ["Wiśniewski", "Иванов", "O'Brien"]  # the seeded cases, in order


def one_month_after(day: date) -> date:
    following = day.replace(day=1) + timedelta(days=32)
    return following.replace(day=day.day)


def meetings_in(db: Database) -> list[Meeting]:
    with db.sessions() as s:
        return list(s.scalars(select(Meeting)))


def agenda_of(db: Database, meeting_id: int) -> list[tuple[int, AgendaReason]]:
    with db.sessions() as s:
        rows = s.scalars(
            select(CaseDiscussion)
            .where(CaseDiscussion.meeting_id == meeting_id)
            .order_by(CaseDiscussion.agenda_order)
        )
        return [(d.case_id, d.agenda_reason) for d in rows]


def test_a_coordinator_schedules_a_meeting_and_builds_its_agenda(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    actor = chair(sqlite_db)
    seeded = seed(sqlite_db, actor)  # three cases due for review
    window = open_main_window(qtbot, sqlite_db, actor)
    assert meetings_in(sqlite_db) == []

    # Ctrl+2: the Meetings page, the focus in it; Ctrl+N: the new-meeting dialog.
    shortcut("Ctrl+2")
    assert window.tabs.currentWidget() is window.meetings
    assert window.meetings.isAncestorOf(focused())
    shortcut("Ctrl+N")
    dialog = shown(qtbot, ScheduleDialog)
    wait_active(qtbot, dialog)

    # Type: Down from "Review" to "Special"; the date a month later, typed over the shown one in
    # the UK order; the venue; a minute-taker chosen with the arrows; Enter on Schedule.
    tab_to(dialog.meeting_type)
    key(Qt.Key.Key_Down)
    assert dialog.meeting_type.currentData() == MeetingType.SPECIAL
    tab_to(dialog.meeting_date)
    replace_here(one_month_after(MEETING_DAY).strftime("%d/%m/%Y"))
    alt("v")
    assert focused() is dialog.venue
    type_here(VENUE)
    tab_to(dialog.minute_taker)
    arrow_until(lambda: dialog.minute_taker.currentData() is not None)
    taker = dialog.minute_taker.currentData()
    assert dialog.chair.currentData() == actor.person_id  # the one scheduling, by default
    alt("s")  # &Schedule: a mnemonic "clicks" the button after its animation
    qtbot.waitUntil(lambda: len(meetings_in(sqlite_db)) == 1)

    [meeting] = meetings_in(sqlite_db)
    assert (meeting.meeting_type, meeting.meeting_date, meeting.venue, meeting.level) == (
        MeetingType.SPECIAL,
        one_month_after(MEETING_DAY),
        VENUE,
        2,
    )
    assert (meeting.chair_id, meeting.minute_taker_id) == (actor.person_id, taker)
    assert agenda_of(sqlite_db, meeting.id) == []

    # The agenda builder follows; Esc closes it, and Ctrl+E opens it again from the list,
    # where the new meeting is selected.
    # (It opens once the saved meeting has been read back: ``shown`` waits, as a user would.)
    follow = shown(qtbot, AgendaDialog)
    wait_active(qtbot, follow)
    assert follow.meeting_id == meeting.id
    assert follow.isAncestorOf(focused())
    key(Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not follow.isVisible())
    back_to(qtbot, window)
    assert window.meetings.selected_meeting_id() == meeting.id
    tab_to(window.meetings.table)
    shortcut("Ctrl+E")
    [agenda] = window.meetings.open_dialogs()
    assert isinstance(agenda, AgendaDialog) and agenda.meeting_id == meeting.id
    wait_active(qtbot, agenda)
    qtbot.waitUntil(lambda: agenda.proposal_model.rowCount() == len(seeded.case_ids))

    # Enter on the first proposed case adds it, with why it was proposed.
    tab_to(agenda.proposal_table)
    first = agenda.proposal_model.row_at(agenda.proposal_table.currentIndex().row())
    key(Qt.Key.Key_Return)
    assert agenda_of(sqlite_db, meeting.id) == [(first.case_id, first.reason)]

    # Another case found by name: type it, Enter searches (the focus goes to the results),
    # Enter adds the one selected.
    other = next(c for c in seeded.case_ids if c != first.case_id)
    tab_to(agenda.find_edit)
    type_here(FAMILY_NAMES[seeded.case_ids.index(other)])  # Cyrillic and Polish by key events
    key(Qt.Key.Key_Return)
    assert focused() is agenda.found_table
    assert agenda.found_model.rowCount() == 1
    key(Qt.Key.Key_Return)
    assert agenda_of(sqlite_db, meeting.id) == [
        (first.case_id, first.reason),
        (other, AgendaReason.ADDED),
    ]
    qtbot.waitUntil(lambda: agenda.agenda_model.rowCount() == 2)
    key(Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not agenda.isVisible())
    qtbot.waitUntil(lambda: window.meetings.model.rowCount() == 1)
    assert window.meetings.model.row_at(0).case_count == 2
