"""Meetings: scheduling, the agenda, the statement, the status machine, the sign-off checklist,
and the one loader the meeting screen and the minutes are built from.

The loader (``load_meeting_data``) reads a meeting with everything recorded for it using a fixed
number of SQL statements, one per table with ``IN`` lists, however many cases are on the agenda.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from mappa_desktop.db.base import utcnow
from mappa_desktop.db.models import (
    Action,
    ActionReview,
    Agency,
    Attendance,
    Case,
    CaseAlias,
    CaseAttendance,
    CaseDiscussion,
    CaseIdentifier,
    Decision,
    InformationShared,
    InvitedAgency,
    Meeting,
    Person,
    Registration,
    RiskAssessment,
    RmpItem,
    RmpRevision,
    User,
)
from mappa_desktop.domain.enums import (
    AgendaReason,
    DecisionKind,
    MeetingStatus,
    MeetingType,
    RmpItemStatus,
    RmpPillar,
    Role,
    RoshLevel,
)
from mappa_desktop.domain.errors import (
    NotFound,
    PermissionDenied,
    StateError,
    ValidationError,
)
from mappa_desktop.domain.rules import FROZEN_STATUSES, MEETING_TRANSITIONS, can_transition
from mappa_desktop.domain.validation import MAX_SHORT, Checker
from mappa_desktop.services import audit, meeting_guard, referrals
from mappa_desktop.services.actions import (
    OPEN_STATUSES,
    ActionReviewRow,
    ActionRow,
    action_row,
    review_row,
)
from mappa_desktop.services.actor import Actor, require_role, require_writer
from mappa_desktop.services.attendance import (
    AttendanceRow,
    CaseAttendeeRow,
    attendance_row,
    case_attendees,
    resolve_person,
    warnings_for,
)
from mappa_desktop.services.common import check_version, flush, get_or_404
from mappa_desktop.services.discussions import (
    DecisionRow,
    DiscussionRow,
    InformationRow,
    decision_row,
    discussion_has_content,
    discussion_row,
    information_row,
)

STATUS_LABELS: dict[MeetingStatus, str] = {
    MeetingStatus.PLANNED: "planned",
    MeetingStatus.IN_PROGRESS: "in progress",
    MeetingStatus.DRAFT: "draft minutes",
    MeetingStatus.AWAITING_SIGN_OFF: "awaiting sign-off",
    MeetingStatus.SIGNED_OFF: "signed off",
    MeetingStatus.DISTRIBUTED: "distributed",
}

EDITABLE_FIELDS = (
    "level",
    "meeting_type",
    "meeting_date",
    "start_time",
    "venue",
    "chair_id",
    "minute_taker_id",
    "coordinator_id",
)

_REASON_PRIORITY = {
    AgendaReason.NEW_REFERRAL: 0,
    AgendaReason.REVIEW_DUE: 1,
    AgendaReason.OVERDUE_ACTIONS: 2,
    AgendaReason.ADDED: 3,
}


# --- DTOs -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeetingRow:
    id: int
    version: int
    level: int
    meeting_type: MeetingType
    meeting_date: date
    start_time: time | None
    venue: str
    chair_id: int
    chair_name: str
    minute_taker_id: int | None
    minute_taker_name: str
    coordinator_id: int | None
    coordinator_name: str
    status: MeetingStatus
    template_version: str
    statement_confirmed_by_id: int | None  # a user id
    statement_confirmed_by: str  # display name, "" when not confirmed
    statement_confirmed_at: datetime | None

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATUSES

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True, slots=True)
class AgendaProposal:
    case_id: int
    family_name: str
    given_names: str
    category: int
    level: int
    reason: AgendaReason
    detail: str  # every reason that applies, in words
    next_review_due: date | None
    overdue_actions: int


@dataclass(frozen=True, slots=True)
class CaseHeader:
    case_id: int
    family_name: str
    given_names: str
    display_name: str
    category: int | None
    level: int | None
    next_review_due: date | None
    registration_ended_on: date | None
    latest_rosh: RoshLevel | None
    lead_agency: str
    last_review: date | None  # the latest earlier meeting that discussed the case


@dataclass(frozen=True, slots=True)
class PreviousAction:
    action: ActionRow
    review: ActionReviewRow | None  # how this meeting reviewed it (None: not yet)


@dataclass(frozen=True, slots=True)
class RmpChangeRow:
    revision_id: int
    item_id: int
    case_id: int
    revision_no: int
    pillar: RmpPillar
    change: str  # added / changed / ended
    text: str
    responsible_agency: str
    start_date: date | None
    review_date: date | None
    end_date: date | None
    status: RmpItemStatus
    rationale: str
    restricted: bool


@dataclass(frozen=True, slots=True)
class AgendaItem:
    discussion: DiscussionRow
    case: CaseHeader
    invited_agencies: tuple[str, ...]
    information: tuple[InformationRow, ...]
    decisions: tuple[DecisionRow, ...]
    previous_actions: tuple[PreviousAction, ...]
    new_actions: tuple[ActionRow, ...]
    rmp_changes: tuple[RmpChangeRow, ...]
    attendance: tuple[CaseAttendeeRow, ...] = ()  # who was there for this case, core first


@dataclass(frozen=True, slots=True)
class MeetingDetail:
    meeting: MeetingRow
    attendance: tuple[AttendanceRow, ...]
    agenda: tuple[AgendaItem, ...]
    attendance_warnings: tuple[str, ...]
    sign_off_problems: tuple[str, ...]


# --- the loader -----------------------------------------------------------------------------------


@dataclass
class MeetingData:
    """A meeting and everything recorded for it, as ORM objects keyed for lookup.

    Internal to the meeting and minutes services (never crosses the service boundary)."""

    meeting: Meeting
    confirmed_by: str
    attendance: list[Attendance]
    discussions: list[CaseDiscussion]
    cases: dict[int, Case]
    registrations: dict[int, Registration]  # current registration per case id
    latest_risk: dict[int, RiskAssessment]  # per case id
    last_review: dict[int, date]  # per case id
    earlier_meetings: dict[int, int]  # case id -> earlier meetings (by date, then id) about it
    invited: dict[int, list[int]]  # discussion id -> agency ids
    case_attendance: dict[int, list[CaseAttendance]]  # discussion id -> rows for that case
    information: dict[int, list[InformationShared]]  # discussion id -> items
    decisions: dict[int, list[Decision]]  # discussion id -> decisions
    new_actions: dict[int, list[Action]]  # case id -> actions set at this meeting
    previous_actions: dict[int, list[Action]]  # case id -> earlier actions open or reviewed here
    reviews: dict[int, ActionReview]  # action id -> review at this meeting
    rmp_revisions: dict[int, list[tuple[RmpRevision, RmpItem]]]  # case id -> changes here
    persons: dict[int, Person]
    agencies: dict[int, Agency]
    # Filled only with ``for_minutes=True``:
    aliases: dict[int, list[CaseAlias]] = field(default_factory=dict)
    identifiers: dict[int, list[CaseIdentifier]] = field(default_factory=dict)
    rmp_items: dict[int, list[RmpItem]] = field(default_factory=dict)  # active or ended here

    def case_name(self, case_id: int) -> str:
        case = self.cases[case_id]
        return f"{case.given_names} {case.family_name}".strip()

    def case_attendees(self, discussion: CaseDiscussion) -> list[CaseAttendeeRow]:
        """Who was there for this case (``attendance.case_attendees``)."""
        return case_attendees(
            discussion.id,
            meeting_wide=self.attendance,
            case_rows=self.case_attendance.get(discussion.id, []),
            invited=self.invited.get(discussion.id, []),
            coordinator_id=self.meeting.coordinator_id,
            persons=self.persons,
            agencies=self.agencies,
        )

    def person_name(self, person_id: int | None) -> str:
        if person_id is None or person_id not in self.persons:
            return ""
        return self.persons[person_id].display_name


def _group(rows: Iterable[Any], key: str) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for row in rows:
        out.setdefault(getattr(row, key), []).append(row)
    return out


def load_meeting_data(
    session: Session, meeting_id: int, *, for_minutes: bool = False
) -> MeetingData:
    """Load the meeting with a fixed number of statements (independent of the case count)."""
    meeting = session.scalar(select(Meeting).where(Meeting.id == meeting_id))
    if meeting is None:
        raise NotFound("meeting", meeting_id)
    m_id = meeting.id
    attendance = list(
        session.scalars(
            select(Attendance).where(Attendance.meeting_id == m_id).order_by(Attendance.id)
        )
    )
    discussions = list(
        session.scalars(
            select(CaseDiscussion)
            .where(CaseDiscussion.meeting_id == m_id)
            .order_by(CaseDiscussion.agenda_order, CaseDiscussion.id)
        )
    )
    case_ids = [d.case_id for d in discussions]
    disc_ids = [d.id for d in discussions]
    cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(case_ids)))}
    registrations = {
        r.case_id: r
        for r in session.scalars(
            select(Registration).where(Registration.case_id.in_(case_ids), Registration.is_current)
        )
    }
    latest_no = (
        select(
            RiskAssessment.case_id.label("case_id"),
            func.max(RiskAssessment.version_no).label("version_no"),
        )
        .where(RiskAssessment.case_id.in_(case_ids))
        .group_by(RiskAssessment.case_id)
        .subquery()
    )
    latest_risk = {
        ra.case_id: ra
        for ra in session.scalars(
            select(RiskAssessment).join(
                latest_no,
                and_(
                    RiskAssessment.case_id == latest_no.c.case_id,
                    RiskAssessment.version_no == latest_no.c.version_no,
                ),
            )
        )
    }  # RiskAssessment.ratings is selectin-loaded: one more statement for all of them
    earlier_stmt = (  # meetings before this one (by date, then id) that discussed each case
        select(CaseDiscussion.case_id, func.count(Meeting.id), func.max(Meeting.meeting_date))
        .join(Meeting, Meeting.id == CaseDiscussion.meeting_id)
        .where(
            CaseDiscussion.case_id.in_(case_ids),
            or_(
                Meeting.meeting_date < meeting.meeting_date,
                and_(Meeting.meeting_date == meeting.meeting_date, Meeting.id < m_id),
            ),
        )
        .group_by(CaseDiscussion.case_id)
    )
    last_review: dict[int, date] = {}
    earlier_meetings: dict[int, int] = {}
    for cid, count, latest in session.execute(earlier_stmt):
        earlier_meetings[cid] = int(count)
        if latest:
            last_review[cid] = latest
    invited: dict[int, list[int]] = {}
    for disc_id, agency_id in session.execute(
        select(InvitedAgency.discussion_id, InvitedAgency.agency_id)
        .where(InvitedAgency.discussion_id.in_(disc_ids))
        .order_by(InvitedAgency.id)
    ):
        invited.setdefault(disc_id, []).append(agency_id)
    case_attendance = _group(
        session.scalars(
            select(CaseAttendance)
            .where(CaseAttendance.discussion_id.in_(disc_ids))
            .order_by(CaseAttendance.id)
        ),
        "discussion_id",
    )
    information = _group(
        session.scalars(
            select(InformationShared)
            .where(InformationShared.discussion_id.in_(disc_ids))
            .order_by(InformationShared.id)
        ),
        "discussion_id",
    )
    decisions = _group(
        session.scalars(
            select(Decision).where(Decision.discussion_id.in_(disc_ids)).order_by(Decision.id)
        ),
        "discussion_id",
    )  # Decision.dissents is selectin-loaded: one more statement
    reviews = {
        r.action_id: r
        for r in session.scalars(select(ActionReview).where(ActionReview.meeting_id == m_id))
    }
    set_at = aliased(Meeting)
    action_stmt = (
        select(Action, set_at.meeting_date)
        .outerjoin(set_at, set_at.id == Action.set_in_meeting_id)
        .where(
            Action.case_id.in_(case_ids),
            or_(
                Action.set_in_meeting_id == m_id,
                Action.status.in_(OPEN_STATUSES),
                Action.id.in_(
                    select(ActionReview.action_id).where(ActionReview.meeting_id == m_id)
                ),
            ),
        )
        .order_by(Action.due_date, Action.id)
    )
    new_actions: dict[int, list[Action]] = {}
    previous_actions: dict[int, list[Action]] = {}
    for action, set_date in session.execute(action_stmt):
        if action.set_in_meeting_id == m_id:
            new_actions.setdefault(action.case_id, []).append(action)
        elif action.id in reviews or _set_before(action, set_date, meeting.meeting_date):
            previous_actions.setdefault(action.case_id, []).append(action)
    rmp_revisions: dict[int, list[tuple[RmpRevision, RmpItem]]] = {}
    for rev, item in session.execute(
        select(RmpRevision, RmpItem)
        .join(RmpItem, RmpItem.id == RmpRevision.item_id)
        .where(RmpRevision.meeting_id == m_id)
        .order_by(RmpRevision.id)
    ):
        rmp_revisions.setdefault(item.case_id, []).append((rev, item))

    aliases: dict[int, list[CaseAlias]] = {}
    identifiers: dict[int, list[CaseIdentifier]] = {}
    rmp_items: dict[int, list[RmpItem]] = {}
    if for_minutes:
        aliases = _group(
            session.scalars(
                select(CaseAlias).where(CaseAlias.case_id.in_(case_ids)).order_by(CaseAlias.id)
            ),
            "case_id",
        )
        identifiers = _group(
            session.scalars(
                select(CaseIdentifier)
                .where(CaseIdentifier.case_id.in_(case_ids))
                .order_by(CaseIdentifier.scheme)
            ),
            "case_id",
        )
        changed_here = {item.id for revs in rmp_revisions.values() for _, item in revs}
        rmp_items = _group(
            session.scalars(
                select(RmpItem)
                .where(
                    RmpItem.case_id.in_(case_ids),
                    or_(RmpItem.status == RmpItemStatus.ACTIVE, RmpItem.id.in_(changed_here)),
                )
                .order_by(RmpItem.id)
            ),
            "case_id",
        )

    person_ids: set[int | None] = {
        meeting.chair_id,
        meeting.minute_taker_id,
        meeting.coordinator_id,
    }
    person_ids.update(a.person_id for a in attendance)
    person_ids.update(a.deputy_for_id for a in attendance)
    for rows in case_attendance.values():
        person_ids.update(r.person_id for r in rows)
    for items in information.values():
        person_ids.update(i.given_by_id for i in items)
    person_ids.update(c.offender_manager_id for c in cases.values())
    person_ids.update(ra.assessor_id for ra in latest_risk.values())
    for acts in (*new_actions.values(), *previous_actions.values()):
        person_ids.update(a.owner_person_id for a in acts)
    for decs in decisions.values():
        for dec in decs:
            person_ids.update(x.person_id for x in dec.dissents)
    wanted = sorted(i for i in person_ids if i is not None)
    persons = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(wanted)))}
    agencies = {a.id: a for a in session.scalars(select(Agency))}
    confirmed_by = ""
    if meeting.statement_confirmed_by_id is not None:
        confirmed_by = _user_name(session, meeting.statement_confirmed_by_id)
    return MeetingData(
        meeting=meeting,
        confirmed_by=confirmed_by,
        attendance=attendance,
        discussions=discussions,
        cases=cases,
        registrations=registrations,
        latest_risk=latest_risk,
        last_review=last_review,
        earlier_meetings=earlier_meetings,
        invited=invited,
        case_attendance=case_attendance,
        information=information,
        decisions=decisions,
        new_actions=new_actions,
        previous_actions=previous_actions,
        reviews=reviews,
        rmp_revisions=rmp_revisions,
        persons=persons,
        agencies=agencies,
        aliases=aliases,
        identifiers=identifiers,
        rmp_items=rmp_items,
    )


def _set_before(action: Action, set_date: date | None, meeting_date: date) -> bool:
    """Was this (open) action set before the meeting, so the meeting must review it?"""
    if action.set_in_meeting_id is not None:
        return set_date is not None and set_date <= meeting_date
    return action.created_at.date() <= meeting_date


def _user_name(session: Session, user_id: int) -> str:
    row = session.execute(
        select(Person.given_names, Person.family_name)
        .join(User, User.person_id == Person.id)
        .where(User.id == user_id)
    ).first()
    return "" if row is None else f"{row[0]} {row[1]}".strip()


# --- rows -----------------------------------------------------------------------------------------


def _meeting_row(meeting: Meeting, persons: dict[int, Person], confirmed_by: str) -> MeetingRow:
    def name(pid: int | None) -> str:
        return persons[pid].display_name if pid is not None and pid in persons else ""

    return MeetingRow(
        id=meeting.id,
        version=meeting.version,
        level=meeting.level,
        meeting_type=meeting.meeting_type,
        meeting_date=meeting.meeting_date,
        start_time=meeting.start_time,
        venue=meeting.venue,
        chair_id=meeting.chair_id,
        chair_name=name(meeting.chair_id),
        minute_taker_id=meeting.minute_taker_id,
        minute_taker_name=name(meeting.minute_taker_id),
        coordinator_id=meeting.coordinator_id,
        coordinator_name=name(meeting.coordinator_id),
        status=meeting.status,
        template_version=meeting.template_version,
        statement_confirmed_by_id=meeting.statement_confirmed_by_id,
        statement_confirmed_by=confirmed_by,
        statement_confirmed_at=meeting.statement_confirmed_at,
    )


def meeting_row(session: Session, meeting: Meeting) -> MeetingRow:
    ids = [i for i in (meeting.chair_id, meeting.minute_taker_id, meeting.coordinator_id) if i]
    persons = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
    confirmed = (
        _user_name(session, meeting.statement_confirmed_by_id)
        if meeting.statement_confirmed_by_id is not None
        else ""
    )
    return _meeting_row(meeting, persons, confirmed)


def get_meeting_row(session: Session, meeting_id: int) -> MeetingRow:
    return meeting_row(session, get_or_404(session, Meeting, meeting_id, "meeting"))


def _case_header(data: MeetingData, case_id: int) -> CaseHeader:
    case = data.cases[case_id]
    reg = data.registrations.get(case_id)
    risk = data.latest_risk.get(case_id)
    return CaseHeader(
        case_id=case.id,
        family_name=case.family_name,
        given_names=case.given_names,
        display_name=data.case_name(case_id),
        category=reg.category if reg else None,
        level=reg.level if reg else None,
        next_review_due=reg.next_review_due if reg else None,
        registration_ended_on=reg.ended_on if reg else None,
        latest_rosh=risk.overall_rosh if risk else None,
        lead_agency=data.agencies[case.lead_agency_id].name,
        last_review=data.last_review.get(case_id),
    )


def _rmp_change_row(rev: RmpRevision, item: RmpItem, data: MeetingData) -> RmpChangeRow:
    agency = (
        data.agencies[rev.responsible_agency_id].name
        if rev.responsible_agency_id is not None
        else ""
    )
    return RmpChangeRow(
        revision_id=rev.id,
        item_id=item.id,
        case_id=item.case_id,
        revision_no=rev.revision_no,
        pillar=item.pillar,
        change=rev.change.value,
        text=rev.text,
        responsible_agency=agency,
        start_date=rev.start_date,
        review_date=rev.review_date,
        end_date=rev.end_date,
        status=rev.status,
        rationale=rev.rationale,
        restricted=item.restricted,
    )


def detail_from(data: MeetingData) -> MeetingDetail:
    meeting = data.meeting
    as_of = meeting.meeting_date
    attendance = tuple(attendance_row(a, data.persons, data.agencies) for a in data.attendance)
    agenda: list[AgendaItem] = []
    invited_pairs: list[tuple[int, str]] = []
    for d in data.discussions:
        name = data.case_name(d.case_id)
        invited_ids = data.invited.get(d.id, [])
        invited_pairs.extend((agency_id, name) for agency_id in invited_ids)
        agenda.append(
            AgendaItem(
                discussion=discussion_row(d),
                case=_case_header(data, d.case_id),
                invited_agencies=tuple(data.agencies[i].name for i in invited_ids),
                information=tuple(
                    information_row(i, data.agencies, data.persons)
                    for i in data.information.get(d.id, [])
                ),
                decisions=tuple(
                    decision_row(x, data.agencies, data.persons)
                    for x in data.decisions.get(d.id, [])
                ),
                previous_actions=tuple(
                    PreviousAction(
                        action=action_row(
                            a,
                            case_name=name,
                            persons=data.persons,
                            agencies=data.agencies,
                            as_of=as_of,
                        ),
                        review=review_row(data.reviews[a.id]) if a.id in data.reviews else None,
                    )
                    for a in data.previous_actions.get(d.case_id, [])
                ),
                new_actions=tuple(
                    action_row(
                        a, case_name=name, persons=data.persons, agencies=data.agencies, as_of=as_of
                    )
                    for a in data.new_actions.get(d.case_id, [])
                ),
                rmp_changes=tuple(
                    _rmp_change_row(rev, item, data)
                    for rev, item in data.rmp_revisions.get(d.case_id, [])
                ),
                attendance=tuple(data.case_attendees(d)),
            )
        )
    warnings = warnings_for(attendance, data.agencies.values(), invited_pairs)
    return MeetingDetail(
        meeting=_meeting_row(meeting, data.persons, data.confirmed_by),
        attendance=attendance,
        agenda=tuple(agenda),
        attendance_warnings=tuple(warnings),
        sign_off_problems=tuple(problems_from(data)),
    )


def get_meeting(session: Session, meeting_id: int) -> MeetingDetail:
    """Everything the meeting screen shows, in a fixed number of SQL statements."""
    return detail_from(load_meeting_data(session, meeting_id))


# --- scheduling -----------------------------------------------------------------------------------


def _check_level(check: Checker, level: object) -> int | None:
    if isinstance(level, bool) or not isinstance(level, int) or level not in (2, 3):
        check.fail(
            "level",
            "Choose Level 2 or Level 3: panel meetings are held only for Level 2 and 3 cases.",
        )
        return None
    return level


def _check_date(check: Checker, field_name: str, value: object) -> None:
    if value is None:
        check.fail(field_name, f"Choose the {field_name.replace('_', ' ')}; it is required.")
    elif isinstance(value, datetime) or not isinstance(value, date):
        check.fail(field_name, f"Give the {field_name.replace('_', ' ')} as a date.")


def _check_time(check: Checker, field_name: str, value: object) -> None:
    if value is not None and not isinstance(value, time):
        check.fail(field_name, f"Give the {field_name.replace('_', ' ')} as a time of day.")


def schedule_meeting(
    session: Session,
    actor: Actor,
    *,
    level: int,
    meeting_type: MeetingType | str,
    meeting_date: date,
    start_time: time | None = None,
    venue: str = "",
    chair_id: int,
    minute_taker_id: int | None = None,
    coordinator_id: int | None = None,
) -> MeetingRow:
    """Plan a Level 2 or Level 3 panel meeting."""
    require_role(
        actor, Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR, doing="schedule a meeting"
    )
    check = Checker()
    clean_level = _check_level(check, level)
    clean_type = check.enum("meeting_type", meeting_type, MeetingType)
    _check_date(check, "meeting_date", meeting_date)
    _check_time(check, "start_time", start_time)
    clean_venue = check.text("venue", venue, required=False, max_len=MAX_SHORT) or ""
    resolve_person(session, "chair", chair_id, check, required=True, what="chair")
    resolve_person(session, "minute_taker", minute_taker_id, check, what="minute-taker")
    resolve_person(session, "coordinator", coordinator_id, check, what="co-ordinator")
    check.done()
    values: dict[str, Any] = {
        "level": clean_level,
        "meeting_type": clean_type,
        "meeting_date": meeting_date,
        "start_time": start_time,
        "venue": clean_venue,
        "chair_id": chair_id,
        "minute_taker_id": minute_taker_id,
        "coordinator_id": coordinator_id,
    }
    meeting = Meeting(status=MeetingStatus.PLANNED, created_by_id=actor.user_id, **values)
    session.add(meeting)
    flush(session, "meeting")
    audit.record(
        session,
        actor,
        "meeting",
        meeting.id,
        "create",
        audit.created(values),
        meeting_id=meeting.id,
    )
    return meeting_row(session, meeting)


def edit_meeting(
    session: Session, actor: Actor, meeting_id: int, *, expected_version: int, **fields: Any
) -> MeetingRow:
    """Change a meeting's details (any of ``EDITABLE_FIELDS``); refused after sign-off."""
    require_role(actor, Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR, doing="change a meeting")
    meeting = get_or_404(session, Meeting, meeting_id, "meeting")
    check_version(meeting, expected_version, "meeting", lambda: meeting_row(session, meeting))
    check = Checker()
    for name in fields:
        if name not in EDITABLE_FIELDS:
            check.fail(
                name,
                f"'{name}' cannot be changed here; the meeting's editable details are: "
                f"{', '.join(EDITABLE_FIELDS)}.",
            )
    check.done()
    if "chair_id" in fields and fields["chair_id"] != meeting.chair_id:
        # Only the chair signs off: who chairs is decided by the co-ordination, never by a chair
        # for themselves.
        require_role(
            actor, Role.ADMINISTRATOR, Role.COORDINATOR, doing="change who chairs a meeting"
        )
    meeting_guard.note_content_change(session, actor, meeting.id)
    values = {name: getattr(meeting, name) for name in EDITABLE_FIELDS}
    values.update(fields)
    if "level" in fields:
        _check_level(check, values["level"])
    if "meeting_type" in fields:
        values["meeting_type"] = check.enum("meeting_type", values["meeting_type"], MeetingType)
    if "meeting_date" in fields:
        _check_date(check, "meeting_date", values["meeting_date"])
    if "start_time" in fields:
        _check_time(check, "start_time", values["start_time"])
    if "venue" in fields:
        values["venue"] = (
            check.text("venue", values["venue"], required=False, max_len=MAX_SHORT) or ""
        )
    if "chair_id" in fields:
        resolve_person(session, "chair", values["chair_id"], check, required=True, what="chair")
    if "minute_taker_id" in fields:
        resolve_person(
            session, "minute_taker", values["minute_taker_id"], check, what="minute-taker"
        )
    if "coordinator_id" in fields:
        resolve_person(session, "coordinator", values["coordinator_id"], check, what="co-ordinator")
    if "meeting_date" in fields and "meeting_date" not in check.errors:
        _check_new_date(session, check, meeting.id, values["meeting_date"])
    check.done()
    changes = audit.changes_between(meeting, values)
    if changes:
        for name in changes:
            setattr(meeting, name, values[name])
        flush(session, "meeting", meeting.id)
        audit.record(
            session, actor, "meeting", meeting.id, "update", changes, meeting_id=meeting.id
        )
    return meeting_row(session, meeting)


def _check_new_date(session: Session, check: Checker, meeting_id: int, new_date: date) -> None:
    """A new meeting date must not fall after dates already recorded against it."""
    earliest_due = session.scalar(
        select(func.min(Action.due_date)).where(Action.set_in_meeting_id == meeting_id)
    )
    earliest_review = session.scalar(
        select(func.min(Decision.next_review_date))
        .join(CaseDiscussion, CaseDiscussion.id == Decision.discussion_id)
        .where(CaseDiscussion.meeting_id == meeting_id)
    )
    for earliest, what in (
        (earliest_due, "an action set at this meeting is due"),
        (earliest_review, "a next review decided at this meeting is due"),
    ):
        if earliest is not None and new_date > earliest:
            check.fail(
                "meeting_date",
                f"The new date ({new_date.isoformat()}) is after {earliest.isoformat()}, when "
                f"{what}; change that date first.",
            )


# --- the agenda -----------------------------------------------------------------------------------


def propose_agenda(session: Session, meeting_id: int) -> list[AgendaProposal]:
    """Cases that should be on this meeting's agenda and are not yet, each once with why.

    At the meeting's level (current, not ended registration): reviews due by the meeting date,
    new referrals never on any agenda, and cases with open actions past due."""
    meeting = get_or_404(session, Meeting, meeting_id, "meeting")
    on_this_agenda = select(CaseDiscussion.case_id).where(CaseDiscussion.meeting_id == meeting.id)
    ever_discussed = select(CaseDiscussion.case_id)
    overdue = (
        select(Action.case_id, func.count(Action.id).label("n"))
        .where(Action.status.in_(OPEN_STATUSES), Action.due_date < meeting.meeting_date)
        .group_by(Action.case_id)
        .subquery()
    )
    accepted = referrals.cases_awaiting_initial_meeting(meeting.level, meeting.meeting_date)
    stmt = (
        select(Case, Registration, overdue.c.n, Case.id.in_(ever_discussed), Case.id.in_(accepted))
        .join(Registration, and_(Registration.case_id == Case.id, Registration.is_current))
        .outerjoin(overdue, overdue.c.case_id == Case.id)
        .where(
            Registration.level == meeting.level,
            Registration.ended_on.is_(None),
            Case.id.not_in(on_this_agenda),
            or_(
                Registration.next_review_due <= meeting.meeting_date,
                Case.id.not_in(ever_discussed),
                overdue.c.case_id.is_not(None),
                Case.id.in_(accepted),
            ),
        )
    )
    proposals: list[AgendaProposal] = []
    for case, reg, overdue_count, discussed, accepted_referral in session.execute(stmt):
        reasons: list[tuple[AgendaReason, str]] = []
        if accepted_referral:
            reasons.append(
                (AgendaReason.NEW_REFERRAL, "Accepted referral awaiting its initial meeting.")
            )
        elif not discussed:
            referred = f" (referred {case.referral_date.isoformat()})" if case.referral_date else ""
            reasons.append(
                (AgendaReason.NEW_REFERRAL, f"New referral never discussed at a panel{referred}.")
            )
        if reg.next_review_due is not None and reg.next_review_due <= meeting.meeting_date:
            reasons.append(
                (AgendaReason.REVIEW_DUE, f"Review due {reg.next_review_due.isoformat()}.")
            )
        count = int(overdue_count or 0)
        if count:
            plural = "action is" if count == 1 else "actions are"
            reasons.append((AgendaReason.OVERDUE_ACTIONS, f"{count} open {plural} past due."))
        if not reasons:
            continue
        reasons.sort(key=lambda r: _REASON_PRIORITY[r[0]])
        proposals.append(
            AgendaProposal(
                case_id=case.id,
                family_name=case.family_name,
                given_names=case.given_names,
                category=reg.category,
                level=reg.level,
                reason=reasons[0][0],
                detail=" ".join(text for _, text in reasons),
                next_review_due=reg.next_review_due,
                overdue_actions=count,
            )
        )
    proposals.sort(
        key=lambda p: (
            _REASON_PRIORITY[p.reason],
            p.next_review_due or date.max,
            p.family_name.casefold(),
            p.case_id,
        )
    )
    return proposals


def add_to_agenda(
    session: Session,
    actor: Actor,
    meeting_id: int,
    case_id: int,
    *,
    reason: AgendaReason | str = AgendaReason.ADDED,
) -> DiscussionRow:
    """Put a case at the end of the meeting's agenda."""
    require_writer(actor, "change an agenda")
    meeting = meeting_guard.note_content_change(session, actor, meeting_id)
    check = Checker()
    clean_reason = check.enum("reason", reason, AgendaReason)
    case = session.get(Case, case_id) if isinstance(case_id, int) else None
    if case is None:
        check.fail("case", f"Case {case_id} does not exist; choose a case from the list.")
    else:
        name = f"{case.given_names} {case.family_name}".strip()
        reg = session.scalar(
            select(Registration).where(Registration.case_id == case.id, Registration.is_current)
        )
        if reg is None or reg.ended_on is not None:
            check.fail(
                "case",
                f"{name} is no longer registered under MAPPA, so cannot be put on an agenda.",
            )
        already = session.scalar(
            select(CaseDiscussion.id).where(
                CaseDiscussion.meeting_id == meeting.id, CaseDiscussion.case_id == case.id
            )
        )
        if already is not None:
            check.fail("case", f"{name} is already on this meeting's agenda.")
    check.done()
    assert case is not None and clean_reason is not None
    last = session.scalar(
        select(func.max(CaseDiscussion.agenda_order)).where(CaseDiscussion.meeting_id == meeting.id)
    )
    discussion = CaseDiscussion(
        meeting_id=meeting.id,
        case_id=case.id,
        agenda_order=(last or 0) + 1,
        agenda_reason=clean_reason,
        risk_summary="",
        notes="",
    )
    session.add(discussion)
    flush(
        session,
        "case discussion",
        integrity_field="case",
        integrity_message="The case is already on this meeting's agenda.",
    )
    audit.record(
        session,
        actor,
        "case_discussion",
        discussion.id,
        "create",
        audit.created({"agenda_order": discussion.agenda_order, "agenda_reason": clean_reason}),
        case_id=case.id,
        meeting_id=meeting.id,
    )
    return discussion_row(discussion)


def _has_actions_here(session: Session, meeting_id: int, case_id: int) -> bool:
    set_here = session.scalar(
        select(Action.id).where(Action.set_in_meeting_id == meeting_id, Action.case_id == case_id)
    )
    reviewed_here = session.scalar(
        select(ActionReview.id)
        .join(Action, Action.id == ActionReview.action_id)
        .where(ActionReview.meeting_id == meeting_id, Action.case_id == case_id)
    )
    return set_here is not None or reviewed_here is not None


def remove_from_agenda(session: Session, actor: Actor, discussion_id: int) -> None:
    """Take a case off the agenda, unless something is already recorded for it."""
    require_writer(actor, "change an agenda")
    discussion = get_or_404(session, CaseDiscussion, discussion_id, "case discussion")
    meeting = meeting_guard.note_content_change(session, actor, discussion.meeting_id)
    recorded = discussion_has_content(session, discussion.id)
    if recorded is None and _has_actions_here(session, meeting.id, discussion.case_id):
        recorded = "actions"
    if recorded is not None:
        raise StateError(
            f"This case has {recorded} recorded at this meeting, so it cannot be taken off the "
            "agenda; the record of what was discussed must stay."
        )
    case_id = discussion.case_id
    audit.record(
        session,
        actor,
        "case_discussion",
        discussion.id,
        "delete",
        {"agenda_order": [discussion.agenda_order, None]},
        case_id=case_id,
        meeting_id=meeting.id,
    )
    session.delete(discussion)
    flush(session, "case discussion", discussion_id)
    remaining = session.scalars(
        select(CaseDiscussion)
        .where(CaseDiscussion.meeting_id == meeting.id)
        .order_by(CaseDiscussion.agenda_order, CaseDiscussion.id)
    )
    for n, d in enumerate(remaining, start=1):
        if d.agenda_order != n:
            d.agenda_order = n
    flush(session, "case discussion")


def reorder_agenda(
    session: Session, actor: Actor, meeting_id: int, discussion_ids: Sequence[int]
) -> None:
    """Set the agenda order: ``discussion_ids`` lists every case discussion once, in order."""
    require_writer(actor, "change an agenda")
    meeting = meeting_guard.note_content_change(session, actor, meeting_id)
    discussions = {
        d.id: d
        for d in session.scalars(
            select(CaseDiscussion).where(CaseDiscussion.meeting_id == meeting.id)
        )
    }
    wanted = list(discussion_ids)
    if len(wanted) != len(set(wanted)) or set(wanted) != set(discussions):
        unknown = [i for i in wanted if i not in discussions]
        missing = [i for i in discussions if i not in wanted]
        detail = []
        if unknown:
            detail.append(f"not on this agenda: {', '.join(map(str, unknown))}")
        if missing:
            detail.append(f"missing: {', '.join(map(str, sorted(missing)))}")
        if len(wanted) != len(set(wanted)):
            detail.append("some are listed twice")
        raise ValidationError.single(
            "discussion_ids",
            "List every case on this agenda exactly once, in the new order ("
            + "; ".join(detail)
            + ").",
        )
    old = [d.id for d in sorted(discussions.values(), key=lambda d: (d.agenda_order, d.id))]
    if old == wanted:
        return
    for n, disc_id in enumerate(wanted, start=1):
        discussions[disc_id].agenda_order = n
    flush(session, "case discussion")
    audit.record(
        session,
        actor,
        "meeting",
        meeting.id,
        "reorder_agenda",
        {"agenda": [old, wanted]},
        meeting_id=meeting.id,
    )


# --- statement and status -------------------------------------------------------------------------


def may_confirm_statement(actor: Actor, chair_id: int) -> bool:
    """Who confirms that the statement was read: the meeting's chair, a co-ordinator or an
    administrator (the screen asks this too, so it never offers what the service refuses)."""
    return actor.person_id == chair_id or actor.has(Role.COORDINATOR, Role.ADMINISTRATOR)


def confirm_statement(session: Session, actor: Actor, meeting_id: int) -> MeetingRow:
    """Record that the confidentiality and diversity statement was read (who and when)."""
    meeting = get_or_404(session, Meeting, meeting_id, "meeting")
    if not may_confirm_statement(actor, meeting.chair_id):
        raise PermissionDenied(
            f"{actor.display_name} ({actor.login}) cannot confirm the statement: only the "
            "meeting's chair, a co-ordinator or an administrator can."
        )
    if meeting.statement_confirmed_by_id is not None:
        return meeting_row(session, meeting)
    meeting_guard.note_content_change(session, actor, meeting.id)
    now = utcnow()
    changes = audit.changes_between(
        meeting, {"statement_confirmed_by_id": actor.user_id, "statement_confirmed_at": now}
    )
    meeting.statement_confirmed_by_id = actor.user_id
    meeting.statement_confirmed_at = now
    flush(session, "meeting", meeting.id)
    audit.record(
        session, actor, "meeting", meeting.id, "confirm_statement", changes, meeting_id=meeting.id
    )
    return meeting_row(session, meeting)


def check_transition(meeting: Meeting, target: MeetingStatus) -> None:
    """Raise StateError, in a sentence, unless the status machine allows ``target`` next."""
    current = meeting.status
    if not can_transition(current, target):
        allowed = sorted(MEETING_TRANSITIONS[current], key=lambda s: list(MeetingStatus).index(s))
        onward = (
            "it can only move to " + " or ".join(STATUS_LABELS[s] for s in allowed)
            if allowed
            else "its status can no longer change"
        )
        raise StateError(
            f"The meeting of {meeting.meeting_date.isoformat()} is {STATUS_LABELS[current]}, so "
            f"it cannot become {STATUS_LABELS[target]}: {onward}."
        )


def transition(session: Session, actor: Actor, meeting: Meeting, target: MeetingStatus) -> None:
    """Move the meeting along the status machine, or raise StateError saying why not."""
    check_transition(meeting, target)
    current = meeting.status
    meeting.status = target
    flush(session, "meeting", meeting.id)
    audit.record(
        session,
        actor,
        "meeting",
        meeting.id,
        "status",
        {"status": [current.value, target.value]},
        meeting_id=meeting.id,
    )


def _move(
    session: Session, actor: Actor, meeting_id: int, target: MeetingStatus, doing: str
) -> MeetingRow:
    require_writer(actor, doing)
    meeting = get_or_404(session, Meeting, meeting_id, "meeting")
    transition(session, actor, meeting, target)
    return meeting_row(session, meeting)


def start_meeting(session: Session, actor: Actor, meeting_id: int) -> MeetingRow:
    """planned -> in progress."""
    return _move(session, actor, meeting_id, MeetingStatus.IN_PROGRESS, "start a meeting")


def close_to_draft(session: Session, actor: Actor, meeting_id: int) -> MeetingRow:
    """in progress -> draft minutes."""
    return _move(session, actor, meeting_id, MeetingStatus.DRAFT, "close a meeting")


def reopen_meeting(session: Session, actor: Actor, meeting_id: int) -> MeetingRow:
    """draft minutes -> in progress (to carry on minuting)."""
    return _move(session, actor, meeting_id, MeetingStatus.IN_PROGRESS, "reopen a meeting")


def return_to_draft(session: Session, actor: Actor, meeting_id: int) -> MeetingRow:
    """awaiting sign-off -> draft minutes (the chair sends the draft back)."""
    return _move(session, actor, meeting_id, MeetingStatus.DRAFT, "return minutes to draft")


def submit_for_sign_off(session: Session, actor: Actor, meeting_id: int) -> MeetingRow:
    """draft minutes -> awaiting sign-off, refused while the checklist has problems."""
    require_writer(actor, "submit minutes for sign-off")
    meeting = get_or_404(session, Meeting, meeting_id, "meeting")
    check_transition(meeting, MeetingStatus.AWAITING_SIGN_OFF)
    problems = sign_off_problems(session, meeting.id)
    if problems:
        raise ValidationError.single("checklist", "\n".join(problems))
    transition(session, actor, meeting, MeetingStatus.AWAITING_SIGN_OFF)
    return meeting_row(session, meeting)


# --- the sign-off checklist ----------------------------------------------------------------------


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def problems_from(data: MeetingData) -> list[str]:
    meeting = data.meeting
    out: list[str] = []
    if meeting.statement_confirmed_by_id is None:
        out.append(
            "The confidentiality and diversity statement has not been confirmed; the chair, a "
            "co-ordinator or an administrator must confirm it was read."
        )
    if not data.attendance:
        out.append("No attendance has been recorded; record who attended and who sent apologies.")
    if not data.discussions:
        out.append("No cases are on the agenda; add the cases that were discussed.")
    for d in data.discussions:
        name = data.case_name(d.case_id)
        decisions = data.decisions.get(d.id, [])
        kinds = {x.kind for x in decisions}
        exits = DecisionKind.EXIT in kinds
        if not exits and DecisionKind.LEVEL not in kinds:
            out.append(
                f"{name}: no level decision has been recorded; record whether the level is kept, "
                "raised or lowered, with the rationale."
            )
        has_review = any(
            x.kind in (DecisionKind.NEXT_REVIEW, DecisionKind.LEVEL)
            and x.next_review_date is not None
            for x in decisions
        )
        if not exits and not has_review:
            out.append(
                f"{name}: no next review date has been set; record a next-review decision or "
                "give the level decision a next review date."
            )
        if DecisionKind.DISCLOSURE not in kinds:
            out.append(
                f"{name}: no disclosure decision has been recorded; disclosure is considered at "
                "every meeting, so record whether information will be disclosed, with the "
                "rationale."
            )
        for x in decisions:
            kind = x.kind.value.replace("_", " ")
            if not x.rationale.strip():
                out.append(
                    f"{name}: the {kind} decision '{_short(x.outcome)}' has no rationale; "
                    "record why it was made."
                )
            if x.kind is DecisionKind.DISCLOSURE and x.disclose:
                missing = [
                    label
                    for label, value in (
                        ("to whom", x.disclosure_to),
                        ("by whom", x.disclosure_by),
                        ("how", x.disclosure_method),
                        ("when", x.disclosure_date),
                    )
                    if not (value.strip() if isinstance(value, str) else value)
                ]
                if missing:
                    out.append(
                        f"{name}: the decision to disclose does not say {', '.join(missing)}; "
                        "record to whom, by whom, how and when the information will be disclosed."
                    )
        for a in data.new_actions.get(d.case_id, []):
            if a.owner_agency_id is None or a.due_date is None:
                out.append(
                    f"{name}: the action '{_short(a.text)}' has no owner agency or due date; "
                    "every action needs both."
                )
        for a in data.previous_actions.get(d.case_id, []):
            if a.id not in data.reviews and a.status in OPEN_STATUSES:
                out.append(
                    f"{name}: the previous action '{_short(a.text)}' (due "
                    f"{a.due_date.isoformat()}) has not been reviewed at this meeting; record "
                    "whether it was done, carried over or cancelled."
                )
    return out


def sign_off_problems(session: Session, meeting_id: int) -> list[str]:
    """What still stops the minutes being signed off, one sentence each (empty: ready)."""
    return problems_from(load_meeting_data(session, meeting_id))
