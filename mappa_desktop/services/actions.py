"""Actions: set at a meeting (or between meetings), reviewed at the next one, never lost.

An open action stays open until a meeting reviews it (done, carried over, cancelled) or someone
records it done between meetings. "Not done" always says why: the owning agency did not do it, or
circumstances changed so it is no longer possible or needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mappa_desktop.db.models import (
    Action,
    ActionReview,
    Agency,
    Case,
    CaseDiscussion,
    Meeting,
    Person,
)
from mappa_desktop.domain.enums import ActionStatus, NotDoneReason
from mappa_desktop.domain.errors import StateError, ValidationError
from mappa_desktop.domain.validation import MAX_TEXT, Checker
from mappa_desktop.services import audit, meeting_guard
from mappa_desktop.services.actor import Actor, require_writer
from mappa_desktop.services.attendance import resolve_person
from mappa_desktop.services.common import check_version, flush, get_or_404
from mappa_desktop.services.listing import case_display_name
from mappa_desktop.services.people import resolve_agency

OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.CARRIED_OVER)
NOT_DONE = frozenset({ActionStatus.CARRIED_OVER, ActionStatus.CANCELLED})


@dataclass(frozen=True, slots=True)
class ActionRow:
    id: int
    version: int
    case_id: int
    case_name: str
    text: str
    owner_person_id: int | None
    owner_person_name: str
    owner_agency_id: int
    owner_agency_name: str
    due_date: date
    status: ActionStatus
    set_in_meeting_id: int | None
    closed_in_meeting_id: int | None
    not_done_reason: NotDoneReason | None
    outcome_note: str
    completed_on: date | None
    overdue: bool  # open and due before the reference date (today, or the date asked for)
    purpose: str = ""  # why the action is needed (MAPPA C asks for it)


@dataclass(frozen=True, slots=True)
class ActionReviewRow:
    id: int
    meeting_id: int
    action_id: int
    outcome: ActionStatus
    not_done_reason: NotDoneReason | None
    note: str
    new_due_date: date | None
    reviewed_at: datetime


def action_row(
    a: Action,
    *,
    case_name: str,
    persons: Mapping[int, Person],
    agencies: Mapping[int, Agency],
    as_of: date | None = None,
) -> ActionRow:
    reference = as_of or date.today()
    owner = persons.get(a.owner_person_id) if a.owner_person_id is not None else None
    return ActionRow(
        id=a.id,
        version=a.version,
        case_id=a.case_id,
        case_name=case_name,
        text=a.text,
        owner_person_id=a.owner_person_id,
        owner_person_name=owner.display_name if owner else "",
        owner_agency_id=a.owner_agency_id,
        owner_agency_name=agencies[a.owner_agency_id].name,
        due_date=a.due_date,
        status=a.status,
        set_in_meeting_id=a.set_in_meeting_id,
        closed_in_meeting_id=a.closed_in_meeting_id,
        not_done_reason=a.not_done_reason,
        outcome_note=a.outcome_note,
        completed_on=a.completed_on,
        overdue=a.status in OPEN_STATUSES and a.due_date < reference,
        purpose=a.purpose,
    )


def review_row(r: ActionReview) -> ActionReviewRow:
    return ActionReviewRow(
        id=r.id,
        meeting_id=r.meeting_id,
        action_id=r.action_id,
        outcome=r.outcome,
        not_done_reason=r.not_done_reason,
        note=r.note,
        new_due_date=r.new_due_date,
        reviewed_at=r.reviewed_at,
    )


def _row(session: Session, a: Action) -> ActionRow:
    case = get_or_404(session, Case, a.case_id, "case")
    agency = get_or_404(session, Agency, a.owner_agency_id, "agency")
    persons: dict[int, Person] = {}
    if a.owner_person_id is not None:
        persons[a.owner_person_id] = get_or_404(session, Person, a.owner_person_id, "person")
    return action_row(
        a,
        case_name=case_display_name(case.family_name, case.given_names),
        persons=persons,
        agencies={agency.id: agency},
    )


def get_action(session: Session, action_id: int) -> ActionRow:
    return _row(session, get_or_404(session, Action, action_id, "action"))


def _on_agenda(session: Session, meeting_id: int, case_id: int) -> bool:
    return (
        session.scalar(
            select(CaseDiscussion.id).where(
                CaseDiscussion.meeting_id == meeting_id, CaseDiscussion.case_id == case_id
            )
        )
        is not None
    )


def set_action(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    text: str,
    owner_agency_id: int,
    due_date: date,
    owner_person_id: int | None = None,
    meeting_id: int | None = None,
    purpose: str = "",
) -> ActionRow:
    """Set an action on a case, at a meeting (``meeting_id``) or between meetings, with why it
    is needed (``purpose``: optional here; the sign-off self-audit asks for it)."""
    require_writer(actor, "set an action")
    check = Checker()
    case = session.get(Case, case_id) if isinstance(case_id, int) else None
    if case is None:
        check.fail("case", f"Case {case_id} does not exist; choose a case from the list.")
    meeting: Meeting | None = None
    if meeting_id is not None:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise ValidationError.single(
                "meeting", f"Meeting {meeting_id} does not exist; choose one from the list."
            )
        meeting_guard.note_content_change(session, actor, meeting.id)
        if case is not None and not _on_agenda(session, meeting.id, case.id):
            check.fail(
                "case",
                f"{case.given_names} {case.family_name} is not on the agenda of the meeting "
                f"of {meeting.meeting_date.isoformat()}; add the case to the agenda first.",
            )
    clean_text = check.text("text", text, max_len=MAX_TEXT)
    clean_purpose = check.text("purpose", purpose, required=False, max_len=MAX_TEXT) or ""
    resolve_agency(session, "owner_agency", owner_agency_id, check)
    resolve_person(session, "owner_person", owner_person_id, check, what="action owner")
    check.required("due_date", due_date)
    if meeting is not None:
        check.date_not_before("due_date", due_date, meeting.meeting_date, "the meeting")
    check.done()
    assert case is not None and clean_text is not None
    action = Action(
        case_id=case.id,
        text=clean_text,
        purpose=clean_purpose,
        owner_person_id=owner_person_id,
        owner_agency_id=owner_agency_id,
        due_date=due_date,
        status=ActionStatus.OPEN,
        set_in_meeting_id=meeting_id,
        outcome_note="",
        created_by_id=actor.user_id,
    )
    session.add(action)
    flush(session, "action")
    audit.record(
        session,
        actor,
        "action",
        action.id,
        "create",
        audit.created(
            {
                "text": clean_text,
                "purpose": clean_purpose,
                "owner_agency_id": owner_agency_id,
                "owner_person_id": owner_person_id,
                "due_date": due_date,
                "set_in_meeting_id": meeting_id,
            }
        ),
        case_id=case.id,
        meeting_id=meeting_id,
    )
    return _row(session, action)


def review_action(
    session: Session,
    actor: Actor,
    meeting_id: int,
    action_id: int,
    *,
    outcome: ActionStatus | str,
    not_done_reason: NotDoneReason | str | None = None,
    note: str = "",
    new_due_date: date | None = None,
) -> ActionRow:
    """Review a previous action at a meeting.

    ``done`` closes it (completed on the meeting date); ``cancelled`` closes it with why it was
    not done; ``carried_over`` keeps it open with why and an optional new due date; ``open``
    notes an action not yet due as still in progress. A second review at the same meeting
    replaces the first."""
    require_writer(actor, "review an action")
    meeting = meeting_guard.note_content_change(session, actor, meeting_id)
    action = get_or_404(session, Action, action_id, "action")
    existing = session.scalar(
        select(ActionReview).where(
            ActionReview.meeting_id == meeting.id, ActionReview.action_id == action.id
        )
    )
    check = Checker()
    clean_outcome = check.enum("outcome", outcome, ActionStatus)
    reason = check.enum("not_done_reason", not_done_reason, NotDoneReason, required=False)
    clean_note = check.text("note", note, required=False, max_len=MAX_TEXT) or ""
    if action.set_in_meeting_id == meeting.id:
        check.fail(
            "action",
            "This action was set at this meeting; it is reviewed at a later meeting.",
        )
    elif not _on_agenda(session, meeting.id, action.case_id):
        check.fail(
            "action",
            "The action's case is not on this meeting's agenda; add the case to the agenda "
            "before reviewing its actions.",
        )
    elif existing is None and action.status not in OPEN_STATUSES:
        check.fail(
            "action",
            f"This action is already closed ({action.status.value.replace('_', ' ')}); "
            "only open actions are reviewed.",
        )
    if clean_outcome in NOT_DONE and not_done_reason in (None, ""):
        check.fail(
            "not_done_reason",
            "Say why the action was not done: not done by the agency, or circumstances changed.",
        )
    if clean_outcome is not None and clean_outcome not in NOT_DONE and reason is not None:
        check.fail(
            "not_done_reason",
            "Only a carried-over or cancelled action has a reason for not being done; "
            "leave this empty.",
        )
    if new_due_date is not None and clean_outcome is not ActionStatus.CARRIED_OVER:
        check.fail(
            "new_due_date", "Only a carried-over action gets a new due date; leave this empty."
        )
    check.date_not_before("new_due_date", new_due_date, meeting.meeting_date, "the meeting")
    if clean_outcome is ActionStatus.OPEN and action.due_date < meeting.meeting_date:
        check.fail(
            "outcome",
            f"The action was due on {action.due_date.isoformat()}, before this meeting: mark it "
            "done, carried over (with why) or cancelled (with why).",
        )
    check.done()
    assert clean_outcome is not None

    before = {
        "status": action.status,
        "due_date": action.due_date,
        "not_done_reason": action.not_done_reason,
        "completed_on": action.completed_on,
        "closed_in_meeting_id": action.closed_in_meeting_id,
        "outcome_note": action.outcome_note,
    }
    after = dict(before)
    after["outcome_note"] = clean_note
    if clean_outcome is ActionStatus.DONE:
        after.update(
            status=ActionStatus.DONE,
            not_done_reason=None,
            completed_on=meeting.meeting_date,
            closed_in_meeting_id=meeting.id,
        )
    elif clean_outcome is ActionStatus.CANCELLED:
        after.update(
            status=ActionStatus.CANCELLED,
            not_done_reason=reason,
            completed_on=None,
            closed_in_meeting_id=meeting.id,
        )
    elif clean_outcome is ActionStatus.CARRIED_OVER:
        after.update(
            status=ActionStatus.CARRIED_OVER,
            not_done_reason=reason,
            completed_on=None,
            closed_in_meeting_id=None,
            due_date=new_due_date or action.due_date,
        )
    else:  # still open, not yet due
        after.update(
            status=(action.status if action.status in OPEN_STATUSES else ActionStatus.OPEN),
            completed_on=None,
            closed_in_meeting_id=None,
        )
        if after["status"] is ActionStatus.OPEN:
            after["not_done_reason"] = None
    changes = audit.changes_between(action, after)
    for key, value in after.items():
        setattr(action, key, value)

    review_values = {
        "outcome": clean_outcome,
        "not_done_reason": reason,
        "note": clean_note,
        "new_due_date": new_due_date,
    }
    if existing is None:
        review = ActionReview(
            meeting_id=meeting.id,
            action_id=action.id,
            reviewed_by_id=actor.user_id,
            **review_values,
        )
        session.add(review)
        review_changes = audit.created(review_values)
    else:
        review = existing
        review_changes = audit.changes_between(review, review_values)
        for key, value in review_values.items():
            setattr(review, key, value)
        review.reviewed_by_id = actor.user_id
    flush(session, "action", action.id)
    audit.record(
        session,
        actor,
        "action",
        action.id,
        "review",
        {**changes, **{f"review.{k}": v for k, v in review_changes.items()}},
        case_id=action.case_id,
        meeting_id=meeting.id,
    )
    return _row(session, action)


def complete_action(
    session: Session,
    actor: Actor,
    action_id: int,
    *,
    expected_version: int,
    completed_on: date,
    note: str = "",
) -> ActionRow:
    """Record an open action done between meetings (the next meeting sees it closed)."""
    require_writer(actor, "complete an action")
    action = get_or_404(session, Action, action_id, "action")
    check_version(action, expected_version, "action", lambda: _row(session, action))
    if action.status not in OPEN_STATUSES:
        raise StateError(
            f"Action {action.id} is already closed ({action.status.value.replace('_', ' ')}); "
            "it cannot be completed again."
        )
    check = Checker()
    check.required("completed_on", completed_on)
    clean_note = check.text("note", note, required=False, max_len=MAX_TEXT) or ""
    check.date_not_after("completed_on", completed_on, date.today(), "today")
    if action.set_in_meeting_id is not None:
        set_at = session.get(Meeting, action.set_in_meeting_id)
        if set_at is not None:
            check.date_not_before(
                "completed_on", completed_on, set_at.meeting_date, "the meeting that set it"
            )
    check.done()
    values = {
        "status": ActionStatus.DONE,
        "completed_on": completed_on,
        "not_done_reason": None,
        "outcome_note": clean_note or action.outcome_note,
    }
    changes = audit.changes_between(action, values)
    for key, value in values.items():
        setattr(action, key, value)
    flush(session, "action", action.id)
    audit.record(session, actor, "action", action.id, "complete", changes, case_id=action.case_id)
    return _row(session, action)


def list_open_actions(
    session: Session,
    *,
    as_of: date,
    agency_id: int | None = None,
    owner_person_id: int | None = None,
    case_id: int | None = None,
) -> list[ActionRow]:
    """Open (and carried-over) actions, earliest due first; ``overdue`` is relative to
    ``as_of``."""
    stmt = (
        select(Action, Case.given_names, Case.family_name)
        .join(Case, Case.id == Action.case_id)
        .where(Action.status.in_(OPEN_STATUSES))
    )
    if agency_id is not None:
        stmt = stmt.where(Action.owner_agency_id == agency_id)
    if owner_person_id is not None:
        stmt = stmt.where(Action.owner_person_id == owner_person_id)
    if case_id is not None:
        stmt = stmt.where(Action.case_id == case_id)
    stmt = stmt.order_by(Action.due_date, Action.id)
    rows = list(session.execute(stmt))
    person_ids = {a.owner_person_id for a, _, _ in rows if a.owner_person_id is not None}
    persons = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(person_ids)))}
    agencies = {a.id: a for a in session.scalars(select(Agency))}
    return [
        action_row(
            a,
            case_name=case_display_name(family, given),
            persons=persons,
            agencies=agencies,
            as_of=as_of,
        )
        for a, given, family in rows
    ]
