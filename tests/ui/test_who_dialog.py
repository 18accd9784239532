"""The who-is-using dialog: nobody is chosen for the user, and the keyboard can choose."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mappa_desktop.domain.enums import Role
from mappa_desktop.services.people import PersonRow, UserRow
from ui.dialogs.who import WhoDialog


def _user(user_id: int, login: str, given: str, role: Role) -> UserRow:
    person = PersonRow(
        id=user_id,
        family_name="Okafor",
        given_names=given,
        display_name=f"{given} Okafor",
        agency_id=1,
        agency_short_name="PS",
        role_title="",
        active=True,
        version=1,
    )
    return UserRow(id=user_id, login=login, person=person, roles=frozenset({role}), active=True)


USERS = [
    _user(1, "admin", "Ada", Role.ADMINISTRATOR),
    _user(2, "mtaker", "Bola", Role.MINUTE_TAKER),
]


def test_nobody_is_preselected_and_ok_waits_for_a_choice(qtbot: QtBot) -> None:
    dialog = WhoDialog(USERS)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.chosen_login() is None
    assert not dialog.ok.isEnabled()
    dialog.list.setFocus()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.list, Qt.Key.Key_Down)
    assert dialog.chosen_login() == "mtaker"
    assert dialog.ok.isEnabled()
    with qtbot.waitSignal(dialog.finished) as finished:
        qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    assert finished.args == [1]


def test_escape_cancels(qtbot: QtBot) -> None:
    dialog = WhoDialog(USERS)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.finished) as finished:
        qtbot.keyClick(dialog.list, Qt.Key.Key_Escape)
    assert finished.args == [0]
