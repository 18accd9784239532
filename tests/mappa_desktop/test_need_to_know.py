"""Who needs to know each offender's record: every reason an agency is involved in a case, the
chair, co-ordinator and minute-taker, the distribution list of known people, refusals without a
reason, and a fixed number of statements. On SQLite and PostgreSQL.

``involved_meeting`` builds the meeting the record-copy, command-line and dialog tests share:
three cases, each involving different Duty-to-Co-operate agencies in a different way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from mappa_desktop.db.models import Agency, Attendance, Distribution
from mappa_desktop.domain.enums import (
    ActionStatus,
    AttendanceStatus,
    DistributionVariant,
    RmpPillar,
    Role,
)
from mappa_desktop.domain.errors import PermissionDenied, ValidationError
from mappa_desktop.services import (
    actions,
    attendance,
    audit,
    discussions,
    meetings,
    minutes,
    need_to_know,
    rmp,
)
from mappa_desktop.services.actor import Actor
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_meetings import (
    MEETING_DAY,
    NAMES,
    agency_id,
    old_action,
    person,
    ready_meeting,
)
from tests.statements import count_statements


@dataclass(frozen=True)
class Involved:
    """The shared meeting: case ids A, B, C (agenda order) and the people by first name."""

    meeting_id: int
    case_ids: list[int]
    discussion_ids: list[int]
    people: dict[str, int]  # first name -> person id

    def expected(self) -> dict[int, tuple[int, ...]]:
        """Person id -> the case ids whose records they need to know (agenda order): worked out
        here from how the scenario was built, not from the code under test."""
        a, b, c = self.case_ids
        every = (a, b, c)
        p = self.people
        return {
            p["Chair"]: every,  # chair (Police)
            p["Cora"]: every,  # co-ordinator (MAPPA Unit, not a Responsible Authority agency)
            p["Mina"]: every,  # minute-taker (MAPPA Unit)
            p["Pol"]: every,  # Police, Probation, Prison: core for every case
            p["Pro"]: every,
            p["Pri"]: every,
            p["Cara"]: (a,),  # Children's Services: invited for A
            p["Dee"]: (a,),  # DWP: owns an action set on A at this meeting
            p["Hana"]: (b,),  # Housing: shared information on B
            p["Em"]: (b,),  # EMS: responsible for an active plan item of B
            p["Mo"]: (c,),  # Mental Health: a written report recorded for C (not an attendee)
            p["Ada"]: (c,),  # Adult Services: owns an older action on C reviewed here
            p["Ed"]: (),  # Education: sent apologies, involved in nothing
        }


def involved_meeting(db: Database, chair: Actor, *, sign: bool = True) -> Involved:
    """A meeting chaired by ``chair`` (a Police user) with three cases and these involvements;
    signed off unless ``sign`` is False."""
    names = NAMES[:3]
    ready = ready_meeting(db, chair, names=names)
    a, b, c = ready.case_ids
    da, db_, dc = ready.discussion_ids
    m = ready.meeting_id
    with db.sessions.begin() as s:
        people = {
            "Chair": chair.person_id,
            "Cora": person(s, "Coordinator", "Cora", agency="MAPPA Unit"),
            "Mina": person(s, "Taker", "Mina", agency="MAPPA Unit"),
            "Cara": person(s, "Социальная", "Cara", agency="Children's Services"),
            "Dee": person(s, "Works", "Dee", agency="DWP"),
            "Hana": person(s, "Homes", "Hana", agency="Housing"),
            "Em": person(s, "Monitor", "Em", agency="EMS"),
            "Mo": person(s, "Health", "Mo", agency="Mental Health"),
            "Ada": person(s, "Adults", "Ada", agency="Adult Services"),
            "Ed": person(s, "Schools", "Ed", agency="Education"),
        }
        row = meetings.get_meeting_row(s, m)
        meetings.edit_meeting(
            s,
            chair,
            m,
            expected_version=row.version,
            coordinator_id=people["Cora"],
            minute_taker_id=people["Mina"],
        )
        for officer, short in (("Pol", "Police"), ("Pro", "Probation"), ("Pri", "Prison")):
            people[officer] = s.scalar(
                select(Attendance.person_id)
                .join(Agency, Agency.id == Attendance.agency_id)
                .where(Attendance.meeting_id == m, Agency.short_name == short)
            )
        for who, short, status in (
            ("Cara", "Children's Services", AttendanceStatus.PRESENT),
            ("Dee", "DWP", AttendanceStatus.PRESENT),
            ("Hana", "Housing", AttendanceStatus.PRESENT),
            ("Em", "EMS", AttendanceStatus.PRESENT),
            ("Ada", "Adult Services", AttendanceStatus.PRESENT),
            ("Ed", "Education", AttendanceStatus.APOLOGIES),
        ):
            attendance.record_attendance(
                s, chair, m, agency_id=agency_id(s, short), status=status, person_id=people[who]
            )
        discussions.invite_agency(s, chair, da, agency_id(s, "Children's Services"))
        discussions.invite_agency(s, chair, dc, agency_id(s, "YOT"))  # invited, nobody came
        actions.set_action(
            s,
            chair,
            a,
            text="Check benefit address",
            owner_agency_id=agency_id(s, "DWP"),
            owner_person_id=people["Dee"],
            due_date=MEETING_DAY + timedelta(days=14),
            meeting_id=m,
            purpose="Confirm where he lives",
        )
        discussions.add_information(
            s,
            chair,
            db_,
            agency_id=agency_id(s, "Housing"),
            text="Tenancy at a hostel since March",
            given_by_id=people["Hana"],
            as_at=MEETING_DAY,
        )
        rmp.add_item(
            s,
            chair,
            b,
            pillar=RmpPillar.MONITORING_CONTROL,
            text="Electronic tag with curfew 19:00-07:00",
            responsible_agency_id=agency_id(s, "EMS"),
            rationale="Licence condition",
        )
        attendance.record_case_attendance(
            s,
            chair,
            dc,
            agency_id=agency_id(s, "Mental Health"),
            person_id=people["Mo"],
            status=AttendanceStatus.REPORT_SUBMITTED,
        )
        reviewed = old_action(
            s, c, due=MEETING_DAY - timedelta(days=3), text="Care review", agency="Adult Services"
        )
        actions.review_action(s, chair, m, reviewed, outcome=ActionStatus.DONE)
        if sign:
            meetings.submit_for_sign_off(s, chair, m)
            minutes.sign_off(s, chair, m)
    return Involved(m, ready.case_ids, ready.discussion_ids, people)


@pytest.fixture
def involved(db: Database, admin: Actor) -> Involved:
    return involved_meeting(db, admin)


def test_the_distribution_list_gives_each_person_exactly_the_records_they_need(
    db: Database, involved: Involved
) -> None:
    with db.sessions() as s:
        listed = need_to_know.distribution_list(s, involved.meeting_id)
    assert {r.person_id: r.case_ids for r in listed} == involved.expected()
    by_id = {r.person_id: r for r in listed}
    p = involved.people
    assert by_id[p["Mo"]].on_list_as == ("for a case",)
    assert by_id[p["Cora"]].on_list_as == ("co-ordinator",)
    assert by_id[p["Ed"]].on_list_as == ("attendee",)
    assert by_id[p["Cara"]].label == "Cara Социальная (Children's Services)"
    names = [(r.agency_name.casefold(), r.name.casefold()) for r in listed]
    assert names == sorted(names)


def test_each_case_names_its_agencies_and_why(db: Database, involved: Involved) -> None:
    a, b, c = involved.case_ids
    with db.sessions() as s:
        needs = need_to_know.need_to_know(s, involved.meeting_id)
        ids = {short: agency_id(s, short) for short in ("Police", "YOT", "Housing", "EMS", "DWP")}
    assert [n.case_id for n in needs.cases] == [a, b, c]
    first = needs.case(a)
    assert first is not None and first.case_name == " ".join(NAMES[0])
    agencies = {n.case_id: n.agencies for n in needs.cases}
    # the Police also own every plan item of a defensible case (factories_meetings)
    assert agencies[a][ids["Police"]] == (need_to_know.CORE, need_to_know.RMP)
    assert agencies[a][ids["DWP"]] == (need_to_know.ACTION,)
    assert agencies[b][ids["Housing"]] == (need_to_know.INFORMATION,)
    assert agencies[b][ids["EMS"]] == (need_to_know.RMP,)
    assert agencies[c][ids["YOT"]] == (need_to_know.INVITED,)  # invited: needs to know anyway
    assert ids["Housing"] not in agencies[a] and ids["Housing"] not in agencies[c]
    p = involved.people
    assert needs.why(p["Cora"], None, b) == (need_to_know.COORDINATOR,)
    assert needs.why(p["Ed"], None, a) == ()
    assert needs.why(p["Pol"], ids["Police"], 999_999) == ()  # not on the agenda


def test_one_persons_reasons_match_the_whole_meetings(db: Database, involved: Involved) -> None:
    with db.sessions() as s:
        needs = need_to_know.need_to_know(s, involved.meeting_id)
        listed = need_to_know.distribution_list(s, involved.meeting_id, needs)
        for r in listed:
            for case_id in involved.case_ids:
                one = need_to_know.reasons_to_know(s, involved.meeting_id, case_id, r.person_id)
                assert set(one) == set(needs.why(r.person_id, r.agency_id, case_id)), r.name


def test_a_person_of_an_uninvolved_agency_is_refused_without_a_reason_and_logged_with_one(
    db: Database, admin: Actor, involved: Involved
) -> None:
    ed, a = involved.people["Ed"], involved.case_ids[0]
    with db.sessions.begin() as s, pytest.raises(PermissionDenied) as refused:
        minutes.record_distribution(
            s,
            admin,
            involved.meeting_id,
            recipient_name="Ed Schools (Education)",
            recipient_person_id=ed,
            case_id=a,
        )
    message = str(refused.value)
    assert "Ed Schools" in message and "Local Authority Education" in message
    assert f"case {a}" in message and " ".join(NAMES[0]) in message
    assert "reason" in message
    with db.sessions() as s:
        assert minutes.list_distributions(s, involved.meeting_id) == []

    reason = "Chair agreed: school safeguarding lead needs the contact conditions"
    with db.sessions.begin() as s:
        row = minutes.record_distribution(
            s,
            admin,
            involved.meeting_id,
            recipient_name="Ed Schools (Education)",
            recipient_person_id=ed,
            case_id=a,
            reason=reason,
        )
    assert (row.case_id, row.reason, row.copy_number) == (a, reason, 1)
    assert row.recipient_agency_id is not None
    with db.sessions() as s:
        logged = minutes.list_distributions(s, involved.meeting_id)
        events = [
            e
            for e in audit.list_events(s, case_id=a)
            if e.entity == "distribution" and e.entity_id == row.id
        ]
    assert [(d.case_id, d.reason) for d in logged] == [(a, reason)]
    assert len(events) == 1
    assert events[0].changes["reason"] == [None, reason]
    assert events[0].changes["case_id"] == [None, a]


def test_copies_are_checked_field_by_field(db: Database, admin: Actor, involved: Involved) -> None:
    a = involved.case_ids[0]
    pol = involved.people["Pol"]
    with db.sessions() as s:
        dwp = agency_id(s, "DWP")
    cases = [
        ({"case_id": a}, "recipient_person"),  # a record goes to a known person
        ({"case_id": 424_242, "recipient_person_id": pol}, "case"),
        (
            {"case_id": a, "recipient_person_id": pol, "variant": "disclosure_summary"},
            "variant",
        ),
        ({"reason": "because"}, "recipient_person"),  # so does the meeting-wide record
        ({"recipient_person_id": pol, "recipient_agency_id": dwp}, "recipient_agency"),
    ]
    for extra, field in cases:
        with db.sessions.begin() as s, pytest.raises(ValidationError) as bad:
            minutes.record_distribution(
                s, admin, involved.meeting_id, recipient_name="Pat Officer Police", **extra
            )
        assert field in bad.value.errors, (extra, bad.value.errors)
    with db.sessions() as s:
        assert s.scalar(select(Distribution.id)) is None  # nothing half-written


def test_a_person_of_another_agency_than_stated_is_refused(
    db: Database, admin: Actor, involved: Involved
) -> None:
    with db.sessions.begin() as s, pytest.raises(ValidationError) as bad:
        minutes.record_distribution(
            s,
            admin,
            involved.meeting_id,
            recipient_name="Hana Homes (Police)",
            recipient_person_id=involved.people["Hana"],
            recipient_agency_id=agency_id(s, "Police"),
            case_id=involved.case_ids[0],
        )
    assert "works for Local Housing Authority" in bad.value.errors["recipient_agency"]


def test_the_meeting_wide_record_goes_only_to_those_who_need_every_case(
    db: Database, admin: Actor, involved: Involved
) -> None:
    every = tuple(involved.case_ids)
    expected = involved.expected()
    names = {n: " ".join(NAMES[i]) for i, n in enumerate(every)}
    for who, person_id in involved.people.items():
        wide: dict[str, Any] = {"recipient_name": who, "recipient_person_id": person_id}
        if expected[person_id] == every:  # officers (of any agency) and the core agencies
            with db.sessions.begin() as s:
                row = minutes.record_distribution(s, admin, involved.meeting_id, **wide)
            assert (row.case_id, row.reason, row.recipient_person_id) == (None, "", person_id)
            continue
        with db.sessions.begin() as s, pytest.raises(PermissionDenied) as refused:
            minutes.record_distribution(s, admin, involved.meeting_id, **wide)
        message = str(refused.value)
        for case_id in every:
            named = f"{names[case_id]} (case {case_id})" in message
            assert named == (case_id not in expected[person_id]), (who, message)
        assert "chair's permission" in message and "meeting-wide record" in message
    officers = {p for p, cases in expected.items() if cases == every}
    with db.sessions() as s:
        logged = minutes.list_distributions(s, involved.meeting_id)
        with pytest.raises(ValidationError) as bad:
            minutes.minutes_document(s, involved.meeting_id, variant=DistributionVariant.REDACTED)
    assert {d.recipient_person_id for d in logged} == officers
    assert len(logged) == len(officers) == 6  # chair, co-ordinator, minute-taker, 3 core
    assert "variant" in bad.value.errors  # redaction is an offender's record's


def test_a_person_invited_for_one_case_gets_the_meeting_wide_record_only_with_a_reason(
    db: Database, admin: Actor, involved: Involved
) -> None:
    cara, (a, b, c) = involved.people["Cara"], involved.case_ids
    wide: dict[str, Any] = {
        "recipient_name": "Cara Социальная (Children's Services)",
        "recipient_person_id": cara,
    }
    with db.sessions.begin() as s, pytest.raises(PermissionDenied) as refused:
        minutes.record_distribution(s, admin, involved.meeting_id, **wide)
    message = str(refused.value)
    assert message.startswith(
        "Cara Социальная (Local Authority Children's Social Care) has no need to know the "
        f"records of {' '.join(NAMES[1])} (case {b}), {' '.join(NAMES[2])} (case {c}), "
    )
    assert " ".join(NAMES[0]) not in message and f"case {a})" not in message
    with db.sessions() as s:
        assert minutes.list_distributions(s, involved.meeting_id) == []

    reason = "Chair agreed: the children's services manager chairs the strategy meeting"
    with db.sessions.begin() as s:
        row = minutes.record_distribution(s, admin, involved.meeting_id, **wide, reason=reason)
        children = agency_id(s, "Children's Services")
    assert (row.case_id, row.reason, row.copy_number) == (None, reason, 1)
    assert (row.recipient_person_id, row.recipient_agency_id) == (cara, children)
    with db.sessions() as s:
        [logged] = minutes.list_distributions(s, involved.meeting_id)
        [event] = [
            e
            for e in audit.list_events(s, meeting_id=involved.meeting_id)
            if e.entity == "distribution"
        ]
    assert (logged.id, logged.reason, logged.case_id) == (row.id, reason, None)
    assert (event.entity_id, event.action, event.case_id) == (row.id, "create", None)
    assert event.changes["reason"] == [None, reason]
    assert event.changes["recipient_person_id"] == [None, cara]


def test_minutes_document_names_the_case_and_refuses_one_not_discussed(
    db: Database, involved: Involved
) -> None:
    b = involved.case_ids[1]
    with db.sessions() as s:
        doc = minutes.minutes_document(s, involved.meeting_id, case_id=b, variant="redacted")
        assert (doc.case_id, doc.variant) == (b, "redacted")
        assert doc.sign_off is not None
        with pytest.raises(ValidationError) as bad:
            minutes.minutes_document(s, involved.meeting_id, case_id=b + 1000)
        with pytest.raises(ValidationError) as summary:
            minutes.minutes_document(
                s, involved.meeting_id, case_id=b, variant="disclosure_summary"
            )
    assert "was not on the agenda" in bad.value.errors["case"]
    assert "variant" in summary.value.errors


def test_find_recipient_by_login_or_full_name(
    db: Database, admin: Actor, involved: Involved
) -> None:
    make_user(db, "hana.h", [Role.READER], family_name="Namesake", agency="Housing")
    with db.sessions.begin() as s:
        by_login = need_to_know.find_recipient(s, "admin")
        by_name = need_to_know.find_recipient(s, "  cara   социальная ")
        assert by_login.person_id == admin.person_id
        assert by_name.person_id == involved.people["Cara"]
        person(s, "Schools", "Ed", agency="Police")  # a second Ed Schools
        for who, expected in (
            ("Nobody Here", "No active person or login is called 'Nobody Here'"),
            ("Ed Schools", "2 people are called 'Ed Schools'"),
            ("", "Name the recipient"),
        ):
            with pytest.raises(ValidationError) as bad:
                need_to_know.find_recipient(s, who, field="copy-for")
            assert expected in bad.value.errors["copy-for"]


def _count(db: Database, fn: Any) -> int:
    return count_statements(db.engine, fn)


def test_the_list_takes_a_fixed_number_of_statements(db: Database, admin: Actor) -> None:
    small = ready_meeting(db, admin, names=NAMES[:2]).meeting_id
    large = ready_meeting(db, admin, names=NAMES).meeting_id
    with db.sessions.begin() as s:
        for m, cases in ((small, 2), (large, len(NAMES))):
            for item in meetings.get_meeting(s, m).agenda[:cases]:
                discussions.invite_agency(s, admin, item.discussion.id, agency_id(s, "Housing"))
    sizes = {}

    def load(meeting_id: int) -> None:
        with db.sessions() as s:
            sizes[meeting_id] = len(need_to_know.distribution_list(s, meeting_id))

    assert _count(db, lambda: load(small)) == _count(db, lambda: load(large)) <= 8
    assert sizes[small] == sizes[large] == 4  # the three officers and the chair
