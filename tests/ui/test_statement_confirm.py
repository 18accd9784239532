"""The statement's "Confirm read" button is offered only to those the service lets confirm it."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from mappa_desktop.domain.enums import Role
from mappa_desktop.services import people
from mappa_desktop.services.actor import Actor
from tests.conftest import Database
from tests.ui.meeting_helpers import chair, context, scheduled_meeting, seed
from ui.views.meeting import MeetingView


def _minute_taker(db: Database, admin: Actor) -> Actor:
    with db.sessions.begin() as s:
        police = people.find_agency(s, "Police")
        assert police is not None
        person = people.add_person(
            s, admin, family_name="Adeyemi", given_names="Tolu", agency_id=police.id
        )
        people.add_user(s, admin, login="mtaker", person_id=person.id, roles=[Role.MINUTE_TAKER])
        return people.get_actor(s, "mtaker")


def test_a_minute_taker_is_not_offered_what_the_service_refuses(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    the_chair = chair(sqlite_db)
    seeded = seed(sqlite_db, the_chair)
    meeting_id, _ = scheduled_meeting(sqlite_db, the_chair, seeded.case_ids[:1])
    taker = _minute_taker(sqlite_db, the_chair)

    view = MeetingView(context(sqlite_db, taker), meeting_id)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.data is not None)
    att = view.attendance_page
    assert not att.confirm_button.isEnabled()
    assert "Okonkwo-Smith" in att.confirmed_label.text()  # names the chair who can confirm

    chairs_view = MeetingView(context(sqlite_db, the_chair), meeting_id)
    qtbot.addWidget(chairs_view)
    qtbot.waitUntil(lambda: chairs_view.data is not None)
    assert chairs_view.attendance_page.confirm_button.isEnabled()
