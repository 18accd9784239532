"""The agenda builder shows what happened to each case since it was last discussed (recalls,
breaches, orders, ...), so the panel sees it before the meeting: issue 13's case events."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mappa_desktop.domain.coordination import CaseEventKind, CustodyReason
from mappa_desktop.services import case_events
from tests.conftest import Database
from tests.ui.meeting_helpers import chair, context, scheduled_meeting, seed
from ui.main_window import MainWindow
from ui.views.meeting.agenda import AgendaDialog


def test_the_agenda_shows_case_events_since_the_case_was_last_discussed(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    actor = chair(sqlite_db)  # also a co-ordinator, who records case events
    seeded = seed(sqlite_db, actor)
    today = date.today()
    meeting_id, _ = scheduled_meeting(
        sqlite_db, actor, seeded.case_ids[:2], day=today + timedelta(days=7)
    )
    recalled = today - timedelta(days=2)
    with sqlite_db.sessions.begin() as s:
        case_events.record_case_event(
            s,
            actor,
            seeded.case_ids[0],
            kind=CaseEventKind.RETURN_TO_CUSTODY,
            subtype=CustodyReason.BREACH_OF_LICENCE,
            event_date=recalled,
            source="Probation recall notice",
        )
    window = MainWindow(context(sqlite_db, actor))
    qtbot.addWidget(window)
    dialog = window.meetings.edit_agenda(meeting_id)
    assert isinstance(dialog, AgendaDialog)
    qtbot.addWidget(dialog)
    model = dialog.agenda_model
    qtbot.waitUntil(lambda: model.rowCount() == 2)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    column = headers.index("Since last discussed")
    shown = {row.case.case_id: model.index(n, column).data() for n, row in enumerate(model.rows())}
    assert shown == {
        seeded.case_ids[0]: f"{recalled.isoformat()} Returned to custody: breach of licence",
        seeded.case_ids[1]: "",
    }
