"""Who has a need to know each offender's record of a meeting (MAPPA D), and so who receives it.

The minutes are a record per offender. An agency needs to know a case's record when it is a
Responsible Authority agency (core for every case), was invited for the case, has a per-case
attendance row for it (present, apologies, a written report...), shared information on it (or
declined to), owns an action on it set or reviewed at this meeting, or is responsible for an RMP
item of it (active now, or changed at this meeting). The meeting's chair, co-ordinator and
minute-taker are in the room for every case, so they need to know every record whatever their
agency. Anyone else may be sent a case's record only with a recorded reason (the chair's
permission), which ``minutes.record_distribution`` asks for and logs.

Read with a fixed number of statements, whatever the number of cases. The sources are the live
tables: those of a signed-off meeting are frozen by the database, except an RMP item's current
responsible agency, which a later meeting may change.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Integer, Select, and_, bindparam, literal, or_, select, union_all
from sqlalchemy.orm import Session

from mappa_desktop.db.models import (
    Action,
    ActionReview,
    Agency,
    Attendance,
    Case,
    CaseAttendance,
    CaseDiscussion,
    InformationShared,
    InvitedAgency,
    Meeting,
    Person,
    RmpItem,
    RmpRevision,
    User,
)
from mappa_desktop.domain.enums import AgencyKind, DistributionVariant, RmpItemStatus
from mappa_desktop.domain.errors import PermissionDenied, ValidationError
from mappa_desktop.domain.validation import Checker
from mappa_desktop.services.common import get_or_404

# Why an agency needs to know a case (printed in the distribution dialog and in refusals).
CORE = "Responsible Authority"
INVITED = "invited for the case"
ATTENDED = "attendance recorded for the case"
INFORMATION = "shared information"
ACTION = "owns an action"
RMP = "responsible for a plan item"
# Why a person needs to know every record of the meeting, whatever their agency.
CHAIR = "chair"
COORDINATOR = "co-ordinator"
MINUTE_TAKER = "minute-taker"
_REASON_ORDER = (CORE, INVITED, ATTENDED, INFORMATION, ACTION, RMP)
_S = TypeVar("_S", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True, slots=True)
class CaseNeed:
    """One case on the agenda and the agencies with a need to know its record (and why)."""

    case_id: int
    discussion_id: int
    agenda_order: int
    case_name: str
    agencies: Mapping[int, tuple[str, ...]]  # agency id -> reasons, in _REASON_ORDER


@dataclass(frozen=True, slots=True)
class NeedToKnow:
    meeting_id: int
    cases: tuple[CaseNeed, ...]  # agenda order
    officers: Mapping[int, tuple[str, ...]]  # person id -> chair / co-ordinator / minute-taker

    def case(self, case_id: int) -> CaseNeed | None:
        return next((c for c in self.cases if c.case_id == case_id), None)

    def why(self, person_id: int | None, agency_id: int | None, case_id: int) -> tuple[str, ...]:
        """Why this person (of this agency) needs to know the case's record; () when they do
        not (or the case is not on the agenda)."""
        need = self.case(case_id)
        if need is None:
            return ()
        reasons = self.officers.get(person_id, ()) if person_id is not None else ()
        if agency_id is not None:
            reasons += need.agencies.get(agency_id, ())
        return reasons

    def cases_for(self, person_id: int | None, agency_id: int | None) -> tuple[int, ...]:
        """The case ids whose records this person needs to know, in agenda order."""
        return tuple(c.case_id for c in self.cases if self.why(person_id, agency_id, c.case_id))


@dataclass(frozen=True, slots=True)
class Recipient:
    """A known person on the meeting's distribution list and the records they receive."""

    person_id: int
    name: str
    agency_id: int
    agency_name: str
    agency_short_name: str
    role_title: str
    on_list_as: tuple[str, ...]  # chair / co-ordinator / minute-taker / attendee / for a case
    case_ids: tuple[int, ...]  # agenda order; empty: no record to receive

    @property
    def label(self) -> str:
        """The name printed on their copies: "Name (Agency)"."""
        return recipient_label(self.name, self.agency_short_name or self.agency_name)


def recipient_label(name: str, agency: str) -> str:
    return f"{name} ({agency})" if agency else name


@functools.cache
def _sources(one_discussion: bool) -> Select[Any]:
    """(discussion id, agency id, reason) for every per-case reason to know, one statement
    with the parameters ``meeting_id`` (and ``discussion_id`` when ``one_discussion``); built
    once, as it is run for every copy issued."""
    meeting_id = bindparam("meeting_id", type_=Integer)

    def on_meeting(stmt: _S) -> _S:
        stmt = stmt.where(CaseDiscussion.meeting_id == meeting_id)
        if one_discussion:
            stmt = stmt.where(CaseDiscussion.id == bindparam("discussion_id", type_=Integer))
        return stmt

    def by_discussion(column: Any, agency: Any, reason: str) -> Select[Any]:
        return on_meeting(
            select(CaseDiscussion.id, agency, literal(reason)).join(
                CaseDiscussion, CaseDiscussion.id == column
            )
        )

    reviewed = select(ActionReview.action_id).where(ActionReview.meeting_id == meeting_id)
    actions = on_meeting(
        select(CaseDiscussion.id, Action.owner_agency_id, literal(ACTION))
        .join(Action, Action.case_id == CaseDiscussion.case_id)
        .where(or_(Action.set_in_meeting_id == meeting_id, Action.id.in_(reviewed)))
    )
    plan_now = on_meeting(
        select(CaseDiscussion.id, RmpItem.responsible_agency_id, literal(RMP))
        .join(RmpItem, RmpItem.case_id == CaseDiscussion.case_id)
        .where(RmpItem.status == RmpItemStatus.ACTIVE, RmpItem.responsible_agency_id.is_not(None))
    )
    plan_here = on_meeting(
        select(CaseDiscussion.id, RmpRevision.responsible_agency_id, literal(RMP))
        .join(RmpItem, RmpItem.case_id == CaseDiscussion.case_id)
        .join(
            RmpRevision,
            and_(RmpRevision.item_id == RmpItem.id, RmpRevision.meeting_id == meeting_id),
        )
        .where(RmpRevision.responsible_agency_id.is_not(None))
    )
    return (
        union_all(
            by_discussion(InvitedAgency.discussion_id, InvitedAgency.agency_id, INVITED),
            by_discussion(CaseAttendance.discussion_id, CaseAttendance.agency_id, ATTENDED),
            by_discussion(
                InformationShared.discussion_id, InformationShared.agency_id, INFORMATION
            ),
            actions,
            plan_now,
            plan_here,
        )
        .subquery()
        .select()
    )


def _ordered(reasons: set[str]) -> tuple[str, ...]:
    return tuple(r for r in _REASON_ORDER if r in reasons)


def _officers(meeting: Meeting) -> dict[int, tuple[str, ...]]:
    out: dict[int, tuple[str, ...]] = {}
    for person_id, role in (
        (meeting.chair_id, CHAIR),
        (meeting.coordinator_id, COORDINATOR),
        (meeting.minute_taker_id, MINUTE_TAKER),
    ):
        if person_id is not None:
            out[person_id] = (*out.get(person_id, ()), role)
    return out


def _core_agencies(session: Session) -> list[int]:
    return list(
        session.scalars(select(Agency.id).where(Agency.kind == AgencyKind.RESPONSIBLE_AUTHORITY))
    )


def need_to_know(session: Session, meeting_id: int) -> NeedToKnow:
    """Every case of the meeting with the agencies that need to know its record (4 statements)."""
    meeting = get_or_404(session, Meeting, meeting_id, "meeting")
    core = _core_agencies(session)
    found: dict[int, dict[int, set[str]]] = {}
    for disc_id, agency_id, reason in session.execute(_sources(False), {"meeting_id": meeting.id}):
        found.setdefault(disc_id, {}).setdefault(agency_id, set()).add(reason)
    cases = []
    for disc_id, case_id, order, given, family in session.execute(
        select(
            CaseDiscussion.id,
            CaseDiscussion.case_id,
            CaseDiscussion.agenda_order,
            Case.given_names,
            Case.family_name,
        )
        .join(Case, Case.id == CaseDiscussion.case_id)
        .where(CaseDiscussion.meeting_id == meeting.id)
        .order_by(CaseDiscussion.agenda_order, CaseDiscussion.id)
    ):
        agencies = found.get(disc_id, {})
        for agency_id in core:
            agencies.setdefault(agency_id, set()).add(CORE)
        cases.append(
            CaseNeed(
                case_id=case_id,
                discussion_id=disc_id,
                agenda_order=order,
                case_name=f"{given} {family}".strip(),
                agencies={a: _ordered(r) for a, r in agencies.items()},
            )
        )
    return NeedToKnow(meeting_id=meeting.id, cases=tuple(cases), officers=_officers(meeting))


def discussion_of(session: Session, meeting_id: int, case_id: object) -> int | None:
    """The case's discussion at the meeting, or None when it was not on the agenda."""
    if isinstance(case_id, bool) or not isinstance(case_id, int):
        return None
    return session.scalar(
        select(CaseDiscussion.id).where(
            CaseDiscussion.meeting_id == meeting_id, CaseDiscussion.case_id == case_id
        )
    )


def reasons_to_know(
    session: Session, meeting_id: int, case_id: int, person_id: int
) -> tuple[str, ...]:
    """Why this person needs to know this case's record of the meeting; () when they do not.
    For one copy (``minutes.record_distribution``): a few statements."""
    meeting = get_or_404(session, Meeting, meeting_id, "meeting")
    person = get_or_404(session, Person, person_id, "person")
    discussion_id = discussion_of(session, meeting.id, case_id)
    if discussion_id is None:
        return ()
    reasons = set(_officers(meeting).get(person.id, ()))
    if person.agency.kind is AgencyKind.RESPONSIBLE_AUTHORITY:
        reasons.add(CORE)
    sources = session.execute(
        _sources(True), {"meeting_id": meeting.id, "discussion_id": discussion_id}
    )
    for _disc, agency_id, reason in sources:
        if agency_id == person.agency_id:
            reasons.add(reason)
    officer = tuple(r for r in (CHAIR, COORDINATOR, MINUTE_TAKER) if r in reasons)
    return officer + _ordered(reasons)


def check_recipient(
    check: Checker,
    person: Person | None,
    person_id: int | None,
    agency_id: int | None,
    record: str,
) -> None:
    """Field errors for the recipient of a copy of ``record`` ("an offender's record", "the
    meeting-wide record"): a known person, as of their own agency. An unknown ``person_id`` is
    already named by ``resolve_person``."""
    if person is None:
        if person_id is None:
            check.fail(
                "recipient_person",
                f"Choose the recipient from the list of people: a copy of {record} goes only to "
                "a known person (add an outside recipient as a person first).",
            )
    elif agency_id is not None and agency_id != person.agency_id:
        check.fail(
            "recipient_agency",
            f"{person.display_name} works for {person.agency.name}; a copy of {record} is "
            "issued to them as such.",
        )


def check_record_copy(
    session: Session,
    check: Checker,
    meeting: Meeting,
    case_id: int,
    person: Person | None,
    agency_id: int | None,
    variant: DistributionVariant | None,
) -> None:
    """Field errors for a copy of one offender's record: the case must be on the meeting's
    agenda, the recipient a known person (their agency is the one judged), and the variant
    full or redacted (the disclosure summary is the meeting-wide record's, before 0008)."""
    if discussion_of(session, meeting.id, case_id) is None:
        check.fail(
            "case",
            f"Case {case_id} was not on the agenda of the meeting of "
            f"{meeting.meeting_date.isoformat()}, so it has no record of that meeting to issue.",
        )
    check_recipient(check, person, None, agency_id, "an offender's record")
    if variant is DistributionVariant.DISCLOSURE_SUMMARY:
        check.fail(
            "variant",
            "An offender's record is issued full or redacted; the disclosure summary was the "
            "meeting-wide minutes' variant.",
        )


def require_need_or_reason(
    session: Session, meeting_id: int, case_id: int, person: Person, reason: str
) -> tuple[str, ...]:
    """Why ``person`` needs to know the case's record; refused (``PermissionDenied`` naming
    the person and the case) when they do not and no reason (the chair's permission) is
    given."""
    reasons = reasons_to_know(session, meeting_id, case_id, person.id)
    if reasons or reason:
        return reasons
    case = session.get(Case, case_id)
    name = f"{case.given_names} {case.family_name}".strip() if case else ""
    raise PermissionDenied(
        f"{person.display_name} ({person.agency.name}) has no need to know the record of "
        f"{name} (case {case_id}): their agency is not a Responsible Authority agency and was "
        "not invited for, present for or involved in that case at this meeting. Issuing it to "
        "them needs the chair's permission (MAPPA D): give the reason, and it is logged."
    )


def require_need_for_every_case(
    session: Session, meeting_id: int, person: Person, reason: str
) -> None:
    """A copy of the meeting-wide record is every offender's record at once: refused
    (``PermissionDenied`` naming the person and each case they have no need to know) unless
    ``person`` needs to know every case on the agenda (the chair, co-ordinator and minute-taker
    always do) or ``reason`` (the chair's permission) is given."""
    needs = need_to_know(session, meeting_id)
    missing = [c for c in needs.cases if not needs.why(person.id, person.agency_id, c.case_id)]
    if not missing or reason:
        return
    names = ", ".join(f"{c.case_name} (case {c.case_id})" for c in missing)
    records = "the record of" if len(missing) == 1 else "the records of"
    raise PermissionDenied(
        f"{person.display_name} ({person.agency.name}) has no need to know {records} {names}, "
        "and the meeting-wide record holds every offender's record: it goes to the chair, the "
        "co-ordinator, the minute-taker and those who need to know every case on the agenda. "
        "Issue them the records they need instead, or give the reason (the chair's "
        "permission, MAPPA D), and it is logged."
    )


def distribution_list(
    session: Session, meeting_id: int, needs: NeedToKnow | None = None
) -> list[Recipient]:
    """The known people to send the meeting's records to: its attendees, the people recorded for
    a case, and its chair, co-ordinator and minute-taker (active people only, each once), each
    with the cases whose records they need to know (``needs``, read when not given). Sorted by
    agency, then name. A fixed number of statements (6)."""
    if needs is None:
        needs = need_to_know(session, meeting_id)
    listed: dict[int, list[str]] = {}
    for officer_id, roles_held in needs.officers.items():
        listed.setdefault(officer_id, []).extend(roles_held)
    attendees = select(Attendance.person_id, literal("attendee")).where(
        Attendance.meeting_id == meeting_id, Attendance.person_id.is_not(None)
    )
    for_case = (
        select(CaseAttendance.person_id, literal("for a case"))
        .join(CaseDiscussion, CaseDiscussion.id == CaseAttendance.discussion_id)
        .where(CaseDiscussion.meeting_id == meeting_id, CaseAttendance.person_id.is_not(None))
    )
    for person_id, role in session.execute(union_all(attendees, for_case)):
        assert person_id is not None  # filtered in the query
        roles = listed.setdefault(person_id, [])
        if role not in roles:
            roles.append(str(role))
    people = session.scalars(
        select(Person).where(Person.id.in_(sorted(listed)), Person.active.is_(True))
    )
    out = [
        Recipient(
            person_id=p.id,
            name=p.display_name,
            agency_id=p.agency_id,
            agency_name=p.agency.name,
            agency_short_name=p.agency.short_name,
            role_title=p.role_title,
            on_list_as=tuple(listed[p.id]),
            case_ids=needs.cases_for(p.id, p.agency_id),
        )
        for p in people
    ]
    out.sort(key=lambda r: (r.agency_name.casefold(), r.name.casefold(), r.person_id))
    return out


@dataclass(frozen=True, slots=True)
class KnownPerson:
    person_id: int
    name: str
    agency_id: int
    agency_name: str
    agency_short_name: str

    @property
    def label(self) -> str:
        return recipient_label(self.name, self.agency_short_name or self.agency_name)


def find_recipient(session: Session, who: str, *, field: str = "recipient") -> KnownPerson:
    """The active person ``who`` names: a login, or a person's full name as stored (given names
    then family name, ignoring case). A field error names ``who`` when nobody, or more than one
    person, matches (an external recipient must be added as a person first)."""
    wanted = " ".join((who or "").split())
    if not wanted:
        raise ValidationError.single(field, "Name the recipient: a login or a person's full name.")
    person = session.scalar(
        select(Person).join(User, User.person_id == Person.id).where(User.login == wanted)
    )
    if person is None:
        key = wanted.casefold()
        matches = [
            p
            for p in session.scalars(select(Person).where(Person.active.is_(True)))
            if " ".join(p.display_name.split()).casefold() == key
        ]
        if len(matches) > 1:
            agencies = ", ".join(sorted(p.agency.name for p in matches))
            raise ValidationError.single(
                field,
                f"{len(matches)} people are called '{wanted}' ({agencies}); give the "
                "recipient's login instead.",
            )
        person = matches[0] if matches else None
    if person is None or not person.active:
        raise ValidationError.single(
            field,
            f"No active person or login is called '{wanted}'; an outside recipient must be "
            "added as a person (with their agency) first.",
        )
    return KnownPerson(
        person_id=person.id,
        name=person.display_name,
        agency_id=person.agency_id,
        agency_name=person.agency.name,
        agency_short_name=person.agency.short_name,
    )
