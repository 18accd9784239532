"""What the day's work needs (the start page for a co-ordinator or chair): the next meetings
and how ready they are, referrals awaiting screening, cases whose review is due or overdue,
overdue actions by agency, and minutes awaiting sign-off or distribution.

Each line carries the id of the place to act (meeting id, referral id, case id), so the page
opens it with one click. A fixed number of statements per list, however large the case list
(plus the agenda proposal of each planned meeting within the horizon).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mappa_desktop.db.models import (
    Action,
    Agency,
    Case,
    CaseDiscussion,
    Meeting,
    Person,
    Registration,
)
from mappa_desktop.domain.enums import MeetingStatus, MeetingType
from mappa_desktop.services.actions import OPEN_STATUSES
from mappa_desktop.services.listing import case_display_name
from mappa_desktop.services.meetings import propose_agenda
from mappa_desktop.services.referrals import ReferralRow, awaiting_screening

DEFAULT_HORIZON_DAYS = 28  # how far ahead "next meetings" and "reviews due soon" look


@dataclass(frozen=True, slots=True)
class MeetingReadiness:
    meeting_id: int
    meeting_date: date
    start_time: time | None
    level: int
    meeting_type: MeetingType
    status: MeetingStatus
    venue: str
    chair: str
    cases_on_agenda: int
    cases_proposed: int  # due cases (propose_agenda) not yet on the agenda
    missing: tuple[str, ...]  # what still needs doing, in words ("no minute-taker", ...)

    @property
    def ready(self) -> bool:
        return not self.missing and self.cases_proposed == 0


@dataclass(frozen=True, slots=True)
class ReviewDueLine:
    case_id: int
    case_name: str
    category: int
    level: int
    next_review_due: date
    overdue: bool  # due before today
    next_meeting_id: int | None  # the case's next planned meeting, if on an agenda


@dataclass(frozen=True, slots=True)
class OverdueActionsLine:
    agency_id: int
    agency: str
    overdue: int  # open actions past their due date
    oldest_due: date
    case_ids: tuple[int, ...]  # cases with such actions (to open them)


@dataclass(frozen=True, slots=True)
class MinutesLine:
    meeting_id: int
    meeting_date: date
    level: int
    status: MeetingStatus  # draft, awaiting_sign_off or signed_off (not yet distributed)
    chair: str
    days_since_meeting: int
    waiting_for: str  # "minutes to be finished" / "the chair's sign-off" / "distribution"


@dataclass(frozen=True, slots=True)
class StartPage:
    today: date
    next_meetings: tuple[MeetingReadiness, ...]  # planned / in progress, soonest first
    referrals_awaiting: tuple[ReferralRow, ...]  # oldest first
    reviews_due: tuple[ReviewDueLine, ...]  # Level 2/3 cases due within the horizon or overdue
    overdue_actions: tuple[OverdueActionsLine, ...]  # most overdue first
    minutes_pending: tuple[MinutesLine, ...]  # oldest meeting first


UPCOMING = (MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS)
PENDING_MINUTES: dict[MeetingStatus, str] = {
    MeetingStatus.DRAFT: "minutes to be finished",
    MeetingStatus.AWAITING_SIGN_OFF: "the chair's sign-off",
    MeetingStatus.SIGNED_OFF: "distribution",
}


def _person_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {
        p.id: p.display_name for p in session.scalars(select(Person).where(Person.id.in_(wanted)))
    }


def _missing(m: Meeting, cases: int) -> tuple[str, ...]:
    missing = []
    if cases == 0:
        missing.append("no cases on the agenda")
    if m.minute_taker_id is None:
        missing.append("no minute-taker named")
    if m.coordinator_id is None:
        missing.append("no co-ordinator named")
    if m.start_time is None:
        missing.append("no start time")
    if not m.venue:
        missing.append("no venue")
    return tuple(missing)


def _next_meetings(session: Session, today: date, horizon: date) -> list[MeetingReadiness]:
    meetings = session.scalars(
        select(Meeting)
        .where(Meeting.status.in_(UPCOMING), Meeting.meeting_date <= horizon)
        .where((Meeting.meeting_date >= today) | (Meeting.status == MeetingStatus.IN_PROGRESS))
        .order_by(Meeting.meeting_date, Meeting.start_time, Meeting.id)
    ).all()
    if not meetings:
        return []
    counts = dict(
        session.execute(
            select(CaseDiscussion.meeting_id, func.count())
            .where(CaseDiscussion.meeting_id.in_([m.id for m in meetings]))
            .group_by(CaseDiscussion.meeting_id)
        ).all()
    )
    names = _person_names(session, {m.chair_id for m in meetings})
    return [
        MeetingReadiness(
            meeting_id=m.id,
            meeting_date=m.meeting_date,
            start_time=m.start_time,
            level=m.level,
            meeting_type=m.meeting_type,
            status=m.status,
            venue=m.venue,
            chair=names.get(m.chair_id, ""),
            cases_on_agenda=counts.get(m.id, 0),
            cases_proposed=len(propose_agenda(session, m.id))
            if m.status is MeetingStatus.PLANNED
            else 0,
            missing=_missing(m, counts.get(m.id, 0)),
        )
        for m in meetings
    ]


def _reviews_due(session: Session, today: date, horizon: date) -> list[ReviewDueLine]:
    due = session.execute(
        select(Registration, Case.family_name, Case.given_names)
        .join(Case, Case.id == Registration.case_id)
        .where(
            Registration.is_current,
            Registration.ended_on.is_(None),
            Registration.level.in_((2, 3)),
            Registration.next_review_due <= horizon,
        )
        .order_by(Registration.next_review_due, Case.family_name, Case.id)
    ).all()
    case_ids = [reg.case_id for reg, _, _ in due]
    next_meeting: dict[int, int] = {}
    if case_ids:
        upcoming = session.execute(
            select(CaseDiscussion.case_id, Meeting.id)
            .join(Meeting, Meeting.id == CaseDiscussion.meeting_id)
            .where(
                CaseDiscussion.case_id.in_(case_ids),
                Meeting.status.in_(UPCOMING),
                Meeting.meeting_date >= today,
            )
            .order_by(Meeting.meeting_date.desc(), Meeting.id.desc())
        )
        next_meeting = {c: m for c, m in upcoming}  # the soonest wins: it comes last
    return [
        ReviewDueLine(
            case_id=reg.case_id,
            case_name=case_display_name(family, given),
            category=reg.category,
            level=reg.level,
            next_review_due=reg.next_review_due,
            overdue=reg.next_review_due < today,
            next_meeting_id=next_meeting.get(reg.case_id),
        )
        for reg, family, given in due
        if reg.next_review_due is not None
    ]


def _overdue_actions(session: Session, today: date) -> list[OverdueActionsLine]:
    overdue = (Action.status.in_(OPEN_STATUSES), Action.due_date < today)
    totals = session.execute(
        select(Action.owner_agency_id, Agency.name, func.count(), func.min(Action.due_date))
        .join(Agency, Agency.id == Action.owner_agency_id)
        .where(*overdue)
        .group_by(Action.owner_agency_id, Agency.name)
    ).all()
    cases: dict[int, list[int]] = {}
    for agency_id, case_id in session.execute(
        select(Action.owner_agency_id, Action.case_id)
        .where(*overdue)
        .distinct()
        .order_by(Action.owner_agency_id, Action.case_id)
    ):
        cases.setdefault(agency_id, []).append(case_id)
    lines = [
        OverdueActionsLine(
            agency_id=agency_id,
            agency=name,
            overdue=int(n),
            oldest_due=oldest,
            case_ids=tuple(cases.get(agency_id, ())),
        )
        for agency_id, name, n, oldest in totals
    ]
    return sorted(lines, key=lambda line: (line.oldest_due, -line.overdue, line.agency))


def _minutes_pending(session: Session, today: date) -> list[MinutesLine]:
    meetings = session.scalars(
        select(Meeting)
        .where(Meeting.status.in_(tuple(PENDING_MINUTES)))
        .order_by(Meeting.meeting_date, Meeting.id)
    ).all()
    names = _person_names(session, {m.chair_id for m in meetings})
    return [
        MinutesLine(
            meeting_id=m.id,
            meeting_date=m.meeting_date,
            level=m.level,
            status=m.status,
            chair=names.get(m.chair_id, ""),
            days_since_meeting=(today - m.meeting_date).days,
            waiting_for=PENDING_MINUTES[m.status],
        )
        for m in meetings
    ]


def start_page(
    session: Session, today: date, *, horizon_days: int = DEFAULT_HORIZON_DAYS
) -> StartPage:
    """Everything the start page shows, as of ``today``."""
    horizon = today + timedelta(days=horizon_days)
    return StartPage(
        today=today,
        next_meetings=tuple(_next_meetings(session, today, horizon)),
        referrals_awaiting=tuple(awaiting_screening(session)),
        reviews_due=tuple(_reviews_due(session, today, horizon)),
        overdue_actions=tuple(_overdue_actions(session, today)),
        minutes_pending=tuple(_minutes_pending(session, today)),
    )
