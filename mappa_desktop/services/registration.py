"""MAPPA registration history: category and level over time, next review, exit.

A case has exactly one *current* registration row (``is_current``). Changing the category or the
level never edits that row: it is closed (``is_current`` false, kept for the record) and a new row
starts on the effective date with a mandatory rationale, who recorded it and the meeting (if any)
that decided it. Ending the registration (exit from MAPPA) sets ``ended_on`` and ``end_reason`` on
the current row, which stays current; an ended registration refuses any further change.

These functions do NOT call ``meeting_guard``: ``meeting_id`` is only a link to the meeting that
made the decision (sign-off applies decisions through them after the minutes are frozen).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from mappa_desktop.db.models import Case, CaseDiscussion, Meeting, Person, Registration, User
from mappa_desktop.domain.enums import Category, Level
from mappa_desktop.domain.errors import NotFound, StateError
from mappa_desktop.domain.rules import next_review_due as default_next_review
from mappa_desktop.domain.rules import registration_problem
from mappa_desktop.domain.validation import MAX_TEXT, Checker
from mappa_desktop.services import audit, settings
from mappa_desktop.services.actor import Actor, require_writer
from mappa_desktop.services.common import flush, get_or_404

# A date this far ahead is almost certainly a typo in the year (2062 for 2026): refuse it rather
# than let a case silently drop off every agenda for decades.
MAX_DAYS_AHEAD = 3 * 366


@dataclass(frozen=True, slots=True)
class RegistrationRow:
    id: int
    version: int
    case_id: int
    category: int
    level: int
    start_date: date
    next_review_due: date | None
    ended_on: date | None
    end_reason: str
    rationale: str
    is_current: bool
    meeting_id: int | None
    recorded_by_id: int | None
    recorded_by: str  # display name of the user who recorded it ("" if unknown)
    recorded_at: datetime
    # For a row closed by a later change: the start date of the row that replaced it.
    superseded_on: date | None = None

    @property
    def is_ended(self) -> bool:
        """True when the offender has exited MAPPA (the registration was ended)."""
        return self.ended_on is not None

    @property
    def label(self) -> str:
        return f"Category {self.category}, Level {self.level}"


def _row(reg: Registration, recorded_by: str, superseded_on: date | None = None) -> RegistrationRow:
    return RegistrationRow(
        id=reg.id,
        version=reg.version,
        case_id=reg.case_id,
        category=reg.category,
        level=reg.level,
        start_date=reg.start_date,
        next_review_due=reg.next_review_due,
        ended_on=reg.ended_on,
        end_reason=reg.end_reason,
        rationale=reg.rationale,
        is_current=reg.is_current,
        meeting_id=reg.meeting_id,
        recorded_by_id=reg.recorded_by_id,
        recorded_by=recorded_by,
        recorded_at=reg.recorded_at,
        superseded_on=superseded_on,
    )


def _recorder_name(session: Session, user_id: int | None) -> str:
    if user_id is None:
        return ""
    user = session.get(User, user_id)
    return "" if user is None else user.person.display_name


def registration_row(session: Session, reg: Registration) -> RegistrationRow:
    return _row(reg, _recorder_name(session, reg.recorded_by_id))


# --- checks shared with the other case services -------------------------------------------------


def check_category_level(check: Checker, category: object, level: object) -> tuple[int, int]:
    """Validate a category (1-4) and level (1-3) and the Cat 3 / Level 1 rule.

    Returns the values as ints (0 when invalid; the checker then holds the error)."""
    cat: Category | None = None
    lvl: Level | None = None
    if isinstance(category, bool) or not isinstance(category, int):
        check.fail("category", "Choose the MAPPA category: 1, 2, 3 or 4.")
    else:
        try:
            cat = Category(category)
        except ValueError:
            check.fail("category", f"Category {category} does not exist; choose 1, 2, 3 or 4.")
    if isinstance(level, bool) or not isinstance(level, int):
        check.fail("level", "Choose the MAPPA level: 1, 2 or 3.")
    else:
        try:
            lvl = Level(level)
        except ValueError:
            check.fail("level", f"Level {level} does not exist; choose 1, 2 or 3.")
    if cat is not None and lvl is not None:
        problem = registration_problem(cat, lvl)
        if problem:
            check.fail("level", f"{problem} Choose Level 2 or 3.")
    return (int(cat) if cat else 0, int(lvl) if lvl else 0)


def check_not_far_ahead(check: Checker, field: str, value: date | None) -> None:
    if value is not None and value > date.today() + timedelta(days=MAX_DAYS_AHEAD):
        check.fail(
            field,
            f"The {field.replace('_', ' ')} ({value.isoformat()}) is more than three years "
            "ahead; check the year.",
        )


def check_meeting_link(
    session: Session, check: Checker, meeting_id: int | None, case_id: int
) -> None:
    """Record a ``meeting_id`` field error unless the meeting exists and has the case on its
    agenda (a change linked to a meeting that never discussed the case would be lost from the
    minutes)."""
    if meeting_id is None:
        return
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        check.fail("meeting_id", f"Meeting {meeting_id} does not exist; choose one from the list.")
        return
    on_agenda = session.scalar(
        select(CaseDiscussion.id).where(
            CaseDiscussion.meeting_id == meeting_id, CaseDiscussion.case_id == case_id
        )
    )
    if on_agenda is None:
        check.fail(
            "meeting_id",
            f"Case {case_id} is not on the agenda of the meeting of "
            f"{meeting.meeting_date.isoformat()}; add it to that agenda first.",
        )


# --- reading ------------------------------------------------------------------------------------


def _current(session: Session, case_id: int) -> Registration:
    get_or_404(session, Case, case_id, "case")
    reg = session.scalar(
        select(Registration).where(Registration.case_id == case_id, Registration.is_current)
    )
    if reg is None:
        raise NotFound("current registration for case", case_id)
    return reg


def current_registration(session: Session, case_id: int) -> RegistrationRow:
    """The case's current registration (possibly ended: see ``RegistrationRow.is_ended``)."""
    return registration_row(session, _current(session, case_id))


def registration_history(session: Session, case_id: int) -> list[RegistrationRow]:
    """Every registration row of the case, newest first."""
    get_or_404(session, Case, case_id, "case")
    recorder = aliased(Person)
    stmt = (
        select(Registration, recorder)
        .outerjoin(User, User.id == Registration.recorded_by_id)
        .outerjoin(recorder, recorder.id == User.person_id)
        .where(Registration.case_id == case_id)
        .order_by(Registration.id.desc())  # rows are only ever appended, in time order
    )
    rows: list[RegistrationRow] = []
    newer_start: date | None = None
    for reg, person in session.execute(stmt):
        name = person.display_name if person is not None else ""
        rows.append(_row(reg, name, None if reg.is_current else newer_start))
        newer_start = reg.start_date
    return rows


# --- writing ------------------------------------------------------------------------------------


def create_first_registration(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    category: int,
    level: int,
    start_date: date,
    rationale: str,
) -> Registration:
    """Insert a new case's first registration (values already validated by the caller)."""
    due = default_next_review(
        start_date, Level(level), settings.policy(session).review_interval_days
    )
    reg = Registration(
        case_id=case_id,
        category=category,
        level=level,
        start_date=start_date,
        next_review_due=due,
        rationale=rationale,
        is_current=True,
        end_reason="",
        recorded_by_id=actor.user_id,
    )
    session.add(reg)
    flush(session, "registration")
    audit.record(
        session,
        actor,
        "registration",
        reg.id,
        "create",
        audit.created(
            {
                "category": category,
                "level": level,
                "start_date": start_date,
                "next_review_due": due,
                "rationale": rationale,
            }
        ),
        case_id=case_id,
    )
    return reg


def _refuse_if_ended(reg: Registration, doing: str) -> None:
    if reg.ended_on is not None:
        raise StateError(
            f"Case {reg.case_id}'s MAPPA registration ended on {reg.ended_on.isoformat()} "
            f"({reg.end_reason}); you cannot {doing} on an ended registration."
        )


def change_registration(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    category: int,
    level: int,
    rationale: str,
    effective_date: date,
    meeting_id: int | None = None,
    next_review_due: date | None = None,
) -> RegistrationRow:
    """Change the category and/or level: closes the current row and starts a new one.

    When neither category nor level differs from the current registration no new row is made;
    a given ``next_review_due`` is then set on the current row (as ``set_next_review`` does),
    so applying a "level stays the same" decision is harmless. The next review defaults to the
    effective date plus the new level's interval (``settings.policy``)."""
    require_writer(actor, "change a MAPPA registration")
    current = _current(session, case_id)
    _refuse_if_ended(current, "change the category or level")
    check = Checker()
    cat, lvl = check_category_level(check, category, level)
    clean_rationale = check.text("rationale", rationale, max_len=MAX_TEXT)
    check.date_not_before(
        "effective_date", effective_date, current.start_date, "the current registration's start"
    )
    check_not_far_ahead(check, "effective_date", effective_date)
    check.date_not_before("next_review_due", next_review_due, effective_date, "the effective date")
    check_not_far_ahead(check, "next_review_due", next_review_due)
    check_meeting_link(session, check, meeting_id, case_id)
    check.done()
    assert clean_rationale is not None

    if (cat, lvl) == (current.category, current.level):
        if next_review_due is None or next_review_due == current.next_review_due:
            return registration_row(session, current)
        return _set_review(session, actor, current, next_review_due, meeting_id)

    due = next_review_due or default_next_review(
        effective_date, Level(lvl), settings.policy(session).review_interval_days
    )
    current.is_current = False
    flush(session, "registration", current.id)  # the partial unique index allows one current row
    new = Registration(
        case_id=case_id,
        category=cat,
        level=lvl,
        start_date=effective_date,
        next_review_due=due,
        rationale=clean_rationale,
        is_current=True,
        end_reason="",
        meeting_id=meeting_id,
        recorded_by_id=actor.user_id,
    )
    session.add(new)
    flush(session, "registration")
    audit.record(
        session,
        actor,
        "registration",
        new.id,
        "change",
        {
            "category": [current.category, cat],
            "level": [current.level, lvl],
            "start_date": [current.start_date.isoformat(), effective_date.isoformat()],
            "next_review_due": [audit.plain(current.next_review_due), due.isoformat()],
            "rationale": [None, clean_rationale],
            "replaces_registration_id": [None, current.id],
        },
        case_id=case_id,
        meeting_id=meeting_id,
    )
    return registration_row(session, new)


def _set_review(
    session: Session, actor: Actor, reg: Registration, due: date, meeting_id: int | None
) -> RegistrationRow:
    changes = audit.changes_between(reg, {"next_review_due": due})
    reg.next_review_due = due
    flush(session, "registration", reg.id)
    audit.record(
        session,
        actor,
        "registration",
        reg.id,
        "set_next_review",
        changes,
        case_id=reg.case_id,
        meeting_id=meeting_id,
    )
    return registration_row(session, reg)


def set_next_review(
    session: Session,
    actor: Actor,
    case_id: int,
    next_review_due: date,
    *,
    meeting_id: int | None = None,
) -> RegistrationRow:
    """Set the current registration's next review date (not before the registration start)."""
    require_writer(actor, "set a case's next review date")
    current = _current(session, case_id)
    _refuse_if_ended(current, "set a review date")
    check = Checker()
    check.required("next_review_due", next_review_due)
    check.date_not_before(
        "next_review_due", next_review_due, current.start_date, "the registration start"
    )
    check_not_far_ahead(check, "next_review_due", next_review_due)
    check_meeting_link(session, check, meeting_id, case_id)
    check.done()
    if next_review_due == current.next_review_due:
        return registration_row(session, current)
    return _set_review(session, actor, current, next_review_due, meeting_id)


def end_registration(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    ended_on: date,
    end_reason: str,
    meeting_id: int | None = None,
) -> RegistrationRow:
    """Record the exit from MAPPA: the current row gets ``ended_on`` and ``end_reason``."""
    require_writer(actor, "end a MAPPA registration")
    current = _current(session, case_id)
    _refuse_if_ended(current, "end it again")
    check = Checker()
    check.required("ended_on", ended_on)
    clean_reason = check.text("end_reason", end_reason, max_len=MAX_TEXT)
    check.date_not_before("ended_on", ended_on, current.start_date, "the registration start")
    check_not_far_ahead(check, "ended_on", ended_on)
    check_meeting_link(session, check, meeting_id, case_id)
    check.done()
    assert clean_reason is not None
    changes = audit.changes_between(current, {"ended_on": ended_on, "end_reason": clean_reason})
    current.ended_on = ended_on
    current.end_reason = clean_reason
    flush(session, "registration", current.id)
    audit.record(
        session,
        actor,
        "registration",
        current.id,
        "end",
        changes,
        case_id=case_id,
        meeting_id=meeting_id,
    )
    return registration_row(session, current)
