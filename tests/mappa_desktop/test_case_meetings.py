"""``services.case_meetings``: the case record's Meetings tab, read in one statement."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from mappa_desktop.domain.enums import AgendaReason, MeetingStatus, MeetingType
from mappa_desktop.services import meetings
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.case_meetings import meetings_for_case
from tests.conftest import Database
from tests.mappa_desktop.factories_meetings import MEETING_DAY, make_case, person, schedule


def test_meetings_for_case_lists_its_agendas_newest_first_in_one_statement(
    db: Database, admin: Actor
) -> None:
    with db.sessions.begin() as s:
        chair = person(s, "Chair", "Cleo")
        older = schedule(s, admin, day=MEETING_DAY - timedelta(days=40), chair_id=chair)
        newer = schedule(s, admin, level=3)
        unrelated = schedule(s, admin, day=MEETING_DAY - timedelta(days=10))
        case_id, other_id = make_case(s, "Alpha"), make_case(s, "Beta")
        first = meetings.add_to_agenda(s, admin, older.id, case_id, reason="review_due")
        second = meetings.add_to_agenda(s, admin, newer.id, case_id)
        meetings.add_to_agenda(s, admin, unrelated.id, other_id)
    statements: list[str] = []

    def on_execute(_conn: object, _cursor: object, sql: str, *_rest: object) -> None:
        statements.append(sql)

    with db.sessions() as s:
        s.connection()  # the BEGIN is not the query's
        event.listen(db.engine, "before_cursor_execute", on_execute)
        try:
            found = meetings_for_case(s, case_id)
        finally:
            event.remove(db.engine, "before_cursor_execute", on_execute)
    assert len(statements) == 1
    assert [(m.meeting_id, m.discussion_id) for m in found] == [
        (newer.id, second.id),
        (older.id, first.id),
    ]
    latest, earliest = found
    assert (latest.meeting_date, latest.level) == (MEETING_DAY, 3)
    assert latest.agenda_reason is AgendaReason.ADDED
    assert earliest.agenda_reason is AgendaReason.REVIEW_DUE
    assert earliest.chair == "Cleo Chair" and latest.chair == admin.display_name
    assert earliest.meeting_type is MeetingType.REVIEW and earliest.status is MeetingStatus.PLANNED
    assert earliest.venue == "Room 4, Central Police Station"
    with db.sessions() as s:
        assert meetings_for_case(s, 10_000) == []
