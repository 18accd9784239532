"""Journey 4, distribution by key events only: the signed meeting opened from the list, the
distribution dialog (Alt+B), the folder typed into its field (the dialog has one: no file
chooser is opened), the copies made with Space on "Make copies"; the database has one
distribution row per copy, each recipient with the case records they need to know."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mappa_desktop.domain.enums import Role
from mappa_desktop.services import minutes
from tests.acceptance.conftest import open_main_window
from tests.acceptance.keys import alt, key, replace_here, shortcut, tab_to, wait_active
from tests.conftest import Database, make_user
from tests.mappa_desktop.test_need_to_know import involved_meeting
from ui.views.meeting import MeetingView
from ui.views.signoff import DistributionDialog

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def logged(db: Database, meeting_id: int) -> list[tuple[int | None, int | None]]:
    with db.sessions() as s:
        return [
            (d.recipient_person_id, d.case_id) for d in minutes.list_distributions(s, meeting_id)
        ]


def test_the_copies_are_made_from_the_keyboard_one_row_per_copy(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    actor = make_user(
        sqlite_db,
        "admin",
        [Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR, Role.MINUTE_TAKER],
        family_name="Παπαδόπουλος",
    )
    involved = involved_meeting(sqlite_db, actor)  # signed off, three cases
    expected = {p: set(cases) for p, cases in involved.expected().items() if cases}
    folder = tmp_path / "copies ąę"
    folder.mkdir()
    window = open_main_window(qtbot, sqlite_db, actor)

    shortcut("Ctrl+2")
    assert window.meetings.selected_meeting_id() == involved.meeting_id
    key(Qt.Key.Key_Return)
    view = window.tabs.currentWidget()
    assert isinstance(view, MeetingView)
    qtbot.waitUntil(lambda: view.data is not None and view.distribute_button.isVisible())
    assert logged(sqlite_db, involved.meeting_id) == []

    alt("b")  # Distri&bute copies…
    qtbot.waitUntil(lambda: len(view.findChildren(DistributionDialog)) == 1)
    [dialog] = view.findChildren(DistributionDialog)
    wait_active(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=10_000)
    assert {r.person_id for r in dialog.chosen()} == set(expected)  # ticked: who needs to know

    tab_to(dialog.folder)
    replace_here(str(folder))
    assert dialog.folder.text() == str(folder)
    assert dialog.generate.isEnabled(), dialog.why.text()
    tab_to(dialog.generate)
    with qtbot.waitSignal(dialog.finished_copies, timeout=120_000) as done:
        key(Qt.Key.Key_Space)
    result = done.args[0]
    assert (result.error, result.cancelled) == ("", False)

    rows = logged(sqlite_db, involved.meeting_id)
    total = sum(len(cases) for cases in expected.values())
    assert len(rows) == len(set(rows)) == len(result.written) == total  # one row per copy
    received: dict[int | None, set[int | None]] = {}
    for person_id, case_id in rows:
        received.setdefault(person_id, set()).add(case_id)
    assert received == expected
    assert sorted(p.name for p in folder.iterdir()) == sorted(c.path.name for c in result.written)
    assert f"Made {total} of {total} copies" in dialog.status.text()
