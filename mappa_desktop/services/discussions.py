"""What was said and decided about one case at one meeting.

Every change here is a change to the meeting's record, so each function first calls
``meeting_guard.note_content_change``: refused after sign-off, and an edit while the minutes await
sign-off returns them to draft.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mappa_desktop.db.models import (
    Agency,
    CaseAttendance,
    CaseDiscussion,
    Decision,
    Dissent,
    InformationShared,
    InvitedAgency,
    Meeting,
    Person,
    Registration,
)
from mappa_desktop.domain.enums import AgendaReason, Category, DecisionKind, Level, RiskTrend
from mappa_desktop.domain.errors import ConflictError, ValidationError
from mappa_desktop.domain.rules import registration_problem
from mappa_desktop.domain.validation import MAX_SHORT, MAX_TEXT, Checker
from mappa_desktop.services import audit, meeting_guard
from mappa_desktop.services.actor import Actor, require_writer
from mappa_desktop.services.attendance import resolve_person
from mappa_desktop.services.common import check_version, flush, get_or_404
from mappa_desktop.services.people import resolve_agency

# Same limit as the registration service: a review date years ahead is a typo in the year, and
# sign-off would refuse to apply it.
MAX_DAYS_AHEAD = 3 * 366


@dataclass(frozen=True, slots=True)
class DiscussionRow:
    id: int
    version: int
    meeting_id: int
    case_id: int
    agenda_order: int
    agenda_reason: AgendaReason
    risk_summary: str
    notes: str
    victim_issues: str = ""
    diversity_issues: str = ""
    risk_trend: RiskTrend | None = None


@dataclass(frozen=True, slots=True)
class InformationRow:
    id: int
    version: int
    discussion_id: int
    agency_id: int
    agency_name: str
    text: str
    restricted: bool
    given_by_id: int | None = None
    given_by: str = ""
    as_at: date | None = None
    declined: bool = False  # the agency declined to share; ``text`` says why


@dataclass(frozen=True, slots=True)
class DissentRow:
    id: int
    agency_id: int | None
    agency_name: str
    person_id: int | None
    person_name: str
    view: str

    @property
    def by(self) -> str:
        """Who dissented, as the minutes print it: "Name (Agency)", a name or an agency."""
        if self.person_name and self.agency_name:
            return f"{self.person_name} ({self.agency_name})"
        return self.person_name or self.agency_name


@dataclass(frozen=True, slots=True)
class DecisionRow:
    id: int
    version: int
    discussion_id: int
    kind: DecisionKind
    outcome: str
    rationale: str
    new_level: int | None
    new_category: int | None
    next_review_date: date | None
    disclose: bool | None
    disclosure_to: str
    disclosure_by: str
    disclosure_method: str
    disclosure_date: date | None
    s327a_considered: bool
    restricted: bool
    recorded_at: datetime
    dissents: tuple[DissentRow, ...]


def discussion_row(d: CaseDiscussion) -> DiscussionRow:
    return DiscussionRow(
        id=d.id,
        version=d.version,
        meeting_id=d.meeting_id,
        case_id=d.case_id,
        agenda_order=d.agenda_order,
        agenda_reason=d.agenda_reason,
        risk_summary=d.risk_summary,
        notes=d.notes,
        victim_issues=d.victim_issues,
        diversity_issues=d.diversity_issues,
        risk_trend=d.risk_trend,
    )


def information_row(
    i: InformationShared,
    agencies: Mapping[int, Agency],
    persons: Mapping[int, Person] | None = None,
) -> InformationRow:
    """``persons`` must hold the person who gave the information (``given_by_id``), if any."""
    given_by = (persons or {}).get(i.given_by_id) if i.given_by_id is not None else None
    return InformationRow(
        id=i.id,
        version=i.version,
        discussion_id=i.discussion_id,
        agency_id=i.agency_id,
        agency_name=agencies[i.agency_id].name,
        text=i.text,
        restricted=i.restricted,
        given_by_id=i.given_by_id,
        given_by=given_by.display_name if given_by else "",
        as_at=i.as_at,
        declined=i.declined,
    )


def decision_row(
    d: Decision, agencies: Mapping[int, Agency], persons: Mapping[int, Person]
) -> DecisionRow:
    dissents = tuple(
        DissentRow(
            id=x.id,
            agency_id=x.agency_id,
            agency_name=agencies[x.agency_id].name if x.agency_id is not None else "",
            person_id=x.person_id,
            person_name=persons[x.person_id].display_name if x.person_id is not None else "",
            view=x.view,
        )
        for x in d.dissents
    )
    return DecisionRow(
        id=d.id,
        version=d.version,
        discussion_id=d.discussion_id,
        kind=d.kind,
        outcome=d.outcome,
        rationale=d.rationale,
        new_level=d.new_level,
        new_category=d.new_category,
        next_review_date=d.next_review_date,
        disclose=d.disclose,
        disclosure_to=d.disclosure_to,
        disclosure_by=d.disclosure_by,
        disclosure_method=d.disclosure_method,
        disclosure_date=d.disclosure_date,
        s327a_considered=d.s327a_considered,
        restricted=d.restricted,
        recorded_at=d.recorded_at,
        dissents=dissents,
    )


def _decision_row(session: Session, d: Decision) -> DecisionRow:
    agency_ids = {x.agency_id for x in d.dissents if x.agency_id is not None}
    person_ids = {x.person_id for x in d.dissents if x.person_id is not None}
    agencies = {a.id: a for a in session.scalars(select(Agency).where(Agency.id.in_(agency_ids)))}
    persons = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(person_ids)))}
    return decision_row(d, agencies, persons)


def _open(session: Session, actor: Actor, discussion_id: int) -> tuple[CaseDiscussion, Meeting]:
    """The discussion and its meeting, after the meeting guard allowed a change."""
    discussion = get_or_404(session, CaseDiscussion, discussion_id, "case discussion")
    meeting = meeting_guard.note_content_change(session, actor, discussion.meeting_id)
    return discussion, meeting


def get_discussion(session: Session, discussion_id: int) -> DiscussionRow:
    return discussion_row(get_or_404(session, CaseDiscussion, discussion_id, "case discussion"))


# The free-text fields of a case discussion ``set_case_text`` may change, with what each is for
# in the sentences it refuses with.
CASE_TEXT_FIELDS: dict[str, str] = {
    "risk_summary": "chair's summary of the risk",
    "notes": "discussion",
    "victim_issues": "victim and potential-victim issues",
    "diversity_issues": "diversity issues",
}


def set_case_text(
    session: Session,
    actor: Actor,
    discussion_id: int,
    field: str,
    text: str,
    *,
    expected_version: int | None = None,
) -> DiscussionRow:
    """Replace one free-text field of the case's discussion (``CASE_TEXT_FIELDS``; may be
    cleared: whether it must be filled is the self-audit's question, not this one's)."""
    if field not in CASE_TEXT_FIELDS:
        raise ValidationError.single(
            "field",
            f"'{field}' is not a text of a case discussion; use one of: "
            f"{', '.join(CASE_TEXT_FIELDS)}.",
        )
    require_writer(actor, f"update the {CASE_TEXT_FIELDS[field]}")
    discussion, meeting = _open(session, actor, discussion_id)
    check_version(
        discussion, expected_version, "case discussion", lambda: discussion_row(discussion)
    )
    check = Checker()
    clean = check.text(field, text, required=False, max_len=MAX_TEXT) or ""
    check.done()
    _update_discussion(session, actor, discussion, meeting, {field: clean})
    return discussion_row(discussion)


def set_risk_summary(
    session: Session,
    actor: Actor,
    discussion_id: int,
    text: str,
    *,
    expected_version: int | None = None,
) -> DiscussionRow:
    """Replace the case's risk summary as discussed at this meeting (may be cleared)."""
    return set_case_text(
        session, actor, discussion_id, "risk_summary", text, expected_version=expected_version
    )


def set_risk_trend(
    session: Session,
    actor: Actor,
    discussion_id: int,
    trend: RiskTrend | str | None,
    *,
    expected_version: int | None = None,
) -> DiscussionRow:
    """Record whether the risk is increasing, stable or decreasing (None or "": not recorded)."""
    require_writer(actor, "record the risk trend")
    discussion, meeting = _open(session, actor, discussion_id)
    check_version(
        discussion, expected_version, "case discussion", lambda: discussion_row(discussion)
    )
    check = Checker()
    clean = check.enum("risk_trend", trend, RiskTrend, required=False)
    check.done()
    _update_discussion(session, actor, discussion, meeting, {"risk_trend": clean})
    return discussion_row(discussion)


def _update_discussion(
    session: Session,
    actor: Actor,
    discussion: CaseDiscussion,
    meeting: Meeting,
    values: Mapping[str, Any],
) -> None:
    """Set validated ``values`` on the discussion; audited when anything changed."""
    changes = audit.changes_between(discussion, values)
    if not changes:
        return
    for key, value in values.items():
        setattr(discussion, key, value)
    flush(session, "case discussion", discussion.id)
    audit.record(
        session,
        actor,
        "case_discussion",
        discussion.id,
        "update",
        changes,
        case_id=discussion.case_id,
        meeting_id=meeting.id,
    )


def invite_agency(session: Session, actor: Actor, discussion_id: int, agency_id: int) -> None:
    """Record that a Duty-to-Co-operate agency was invited for this case (once per agency)."""
    require_writer(actor, "invite an agency")
    discussion, meeting = _open(session, actor, discussion_id)
    check = Checker()
    resolve_agency(session, "agency", agency_id, check)
    check.done()
    existing = session.scalar(
        select(InvitedAgency.id).where(
            InvitedAgency.discussion_id == discussion.id, InvitedAgency.agency_id == agency_id
        )
    )
    if existing is not None:
        return
    row = InvitedAgency(discussion_id=discussion.id, agency_id=agency_id)
    session.add(row)
    flush(session, "invited agency")
    audit.record(
        session,
        actor,
        "invited_agency",
        row.id,
        "create",
        audit.created({"discussion_id": discussion.id, "agency_id": agency_id}),
        case_id=discussion.case_id,
        meeting_id=meeting.id,
    )


class Keep(Enum):
    """The default of an optional keyword that leaves the stored value as it is (``None`` is a
    value: it clears the field)."""

    KEEP = "keep"


KEEP = Keep.KEEP


def _information_values(
    session: Session,
    check: Checker,
    meeting: Meeting,
    agency_id: int,
    *,
    text: str,
    text_required: bool,
    declined_now: bool,
    given_by_id: int | Keep | None,
    as_at: date | Keep | None,
    declined: bool | None,
) -> dict[str, Any]:
    """Validate an information entry's text, who gave it, as at when, and whether the agency
    declined (``declined_now``: declined once saved, when a declined entry must say why). The
    result holds the clean ``text`` and only the other keywords given (not ``KEEP`` / ``None``
    for ``declined``)."""
    clean = check.text("text", text, required=text_required, max_len=MAX_TEXT) or ""
    if declined_now and not clean:
        check.fail(
            "text",
            "Say why the agency declined to share: a declined entry records the reason.",
        )
    values: dict[str, Any] = {"text": clean}
    if not isinstance(given_by_id, Keep):
        person = resolve_person(session, "given_by", given_by_id, check, what="person who gave it")
        agency = session.get(Agency, agency_id)
        if person is not None and agency is not None and person.agency_id != agency.id:
            check.fail(
                "given_by",
                f"{person.display_name} works for {person.agency.name}, not {agency.name}; "
                f"choose the person from {agency.name} who gave this information.",
            )
        values["given_by_id"] = given_by_id
    if not isinstance(as_at, Keep):
        if as_at is not None and (isinstance(as_at, datetime) or not isinstance(as_at, date)):
            check.fail("as_at", "Give the date the information is correct at as a date.")
        else:
            check.date_not_after("as_at", as_at, meeting.meeting_date, "the meeting")
        values["as_at"] = as_at
    if declined is not None:
        if not isinstance(declined, bool):
            check.fail("declined", "Say yes or no: did the agency decline to share?")
        values["declined"] = bool(declined)
    return values


def add_information(
    session: Session,
    actor: Actor,
    discussion_id: int,
    *,
    agency_id: int,
    text: str,
    restricted: bool = False,
    given_by_id: int | None = None,
    as_at: date | None = None,
    declined: bool = False,
) -> InformationRow:
    """Record what one agency shared about the case (``restricted``: left out of summaries),
    who gave it and the date it is correct at; ``declined``: the agency declined to share and
    ``text`` says why."""
    require_writer(actor, "record shared information")
    discussion, meeting = _open(session, actor, discussion_id)
    check = Checker()
    resolve_agency(session, "agency", agency_id, check)
    extras = _information_values(
        session,
        check,
        meeting,
        agency_id,
        text=text,
        text_required=not declined,
        declined_now=bool(declined),
        given_by_id=given_by_id,
        as_at=as_at,
        declined=declined,
    )
    check.done()
    values = {"agency_id": agency_id, "restricted": bool(restricted), **extras}
    row = InformationShared(discussion_id=discussion.id, **values)
    session.add(row)
    flush(session, "information")
    audit.record(
        session,
        actor,
        "information_shared",
        row.id,
        "create",
        audit.created(values),
        case_id=discussion.case_id,
        meeting_id=meeting.id,
    )
    return information_row(row, *_lookups_of(session, row))


def remove_information(session: Session, actor: Actor, information_id: int) -> None:
    """Take back an item of information recorded by mistake (before sign-off only)."""
    require_writer(actor, "remove shared information")
    row = get_or_404(session, InformationShared, information_id, "information item")
    discussion, meeting = _open(session, actor, row.discussion_id)
    audit.record(
        session,
        actor,
        "information_shared",
        row.id,
        "delete",
        {"text": [row.text, None], "agency_id": [row.agency_id, None]},
        case_id=discussion.case_id,
        meeting_id=meeting.id,
    )
    session.delete(row)
    flush(session, "information", information_id)


# --- decisions ------------------------------------------------------------------------------------


def _current_registration(session: Session, case_id: int) -> Registration | None:
    return session.scalar(
        select(Registration).where(Registration.case_id == case_id, Registration.is_current)
    )


def _check_int_choice(
    check: Checker, field: str, value: object, allowed: range, what: str
) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        choices = ", ".join(str(v) for v in allowed)
        check.fail(field, f"'{value}' is not a MAPPA {what}; choose one of {choices}.")
        return None
    return value


def _decision_values(
    session: Session,
    check: Checker,
    meeting: Meeting,
    case_id: int,
    *,
    kind: DecisionKind | str,
    outcome: str,
    rationale: str,
    new_level: int | None,
    new_category: int | None,
    next_review_date: date | None,
    disclose: bool | None,
    disclosure_to: str,
    disclosure_by: str,
    disclosure_method: str,
    disclosure_date: date | None,
    s327a_considered: bool,
    restricted: bool,
) -> dict[str, Any]:
    """Validate a decision's fields against the meeting and the case; errors go to ``check``."""
    clean_kind = check.enum("kind", kind, DecisionKind)
    clean_outcome = check.text("outcome", outcome, max_len=MAX_TEXT)
    clean_rationale = check.text("rationale", rationale, max_len=MAX_TEXT)
    level = _check_int_choice(check, "new_level", new_level, range(1, 4), "level")
    category = _check_int_choice(check, "new_category", new_category, range(1, 5), "category")
    reg = _current_registration(session, case_id)
    if clean_kind is DecisionKind.LEVEL and new_level is None:
        check.fail("new_level", "A level decision needs the level: choose 1, 2 or 3.")
    if clean_kind is DecisionKind.CATEGORY and new_category is None:
        check.fail("new_category", "A category decision needs the category: choose 1-4.")
    if clean_kind is DecisionKind.NEXT_REVIEW and next_review_date is None:
        check.fail("next_review_date", "A next-review decision needs the date of the review.")
    if clean_kind is DecisionKind.DISCLOSURE and disclose is None:
        check.fail(
            "disclose",
            "Record whether information is to be disclosed (yes or no); it is required.",
        )
    elif disclose is not None and not isinstance(disclose, bool):
        check.fail("disclose", "Record whether information is to be disclosed: yes or no.")
    check.date_not_before("disclosure_date", disclosure_date, meeting.meeting_date, "the meeting")
    if level is not None or category is not None:
        eff_category = category or (reg.category if reg else None)
        eff_level = level or (reg.level if reg else None)
        if eff_category is not None and eff_level is not None:
            problem = registration_problem(Category(eff_category), Level(eff_level))
            if problem:
                check.fail("new_level" if level is not None else "new_category", problem)
    check.date_not_before("next_review_date", next_review_date, meeting.meeting_date, "the meeting")
    far = meeting.meeting_date + timedelta(days=MAX_DAYS_AHEAD)
    if next_review_date is not None and next_review_date > far:
        check.fail(
            "next_review_date",
            f"The next review date ({next_review_date.isoformat()}) is more than three years "
            "after the meeting; check the year.",
        )
    clean_to = check.text("disclosure_to", disclosure_to, required=False, max_len=MAX_TEXT)
    clean_by = check.text("disclosure_by", disclosure_by, required=False, max_len=MAX_SHORT)
    clean_method = check.text(
        "disclosure_method", disclosure_method, required=False, max_len=MAX_SHORT
    )
    return {
        "kind": clean_kind,
        "outcome": clean_outcome,
        "rationale": clean_rationale,
        "new_level": level,
        "new_category": category,
        "next_review_date": next_review_date,
        "disclose": disclose,
        "disclosure_to": clean_to or "",
        "disclosure_by": clean_by or "",
        "disclosure_method": clean_method or "",
        "disclosure_date": disclosure_date,
        "s327a_considered": bool(s327a_considered),
        "restricted": bool(restricted),
    }


def _check_dissents(
    session: Session, check: Checker, dissents: Sequence[tuple[int | None, int | None, str]]
) -> list[tuple[int | None, int | None, str]]:
    out: list[tuple[int | None, int | None, str]] = []
    for n, entry in enumerate(dissents, start=1):
        field = f"dissent_{n}"
        try:
            agency_id, person_id, view = entry
        except (TypeError, ValueError):
            check.fail(field, "Give each dissent as (agency, person, view).")
            continue
        if agency_id is None and person_id is None:
            check.fail(field, "Say who dissented: choose an agency, a person or both.")
        if agency_id is not None:
            resolve_agency(session, field, agency_id, check)
        resolve_person(session, field, person_id, check, what="person who dissented")
        clean_view = check.text(field, view, max_len=MAX_TEXT)
        out.append((agency_id, person_id, clean_view or ""))
    return out


def record_decision(
    session: Session,
    actor: Actor,
    discussion_id: int,
    *,
    kind: DecisionKind | str,
    outcome: str,
    rationale: str,
    new_level: int | None = None,
    new_category: int | None = None,
    next_review_date: date | None = None,
    disclose: bool | None = None,
    disclosure_to: str = "",
    disclosure_by: str = "",
    disclosure_method: str = "",
    disclosure_date: date | None = None,
    s327a_considered: bool = False,
    restricted: bool = False,
    dissents: Sequence[tuple[int | None, int | None, str]] = (),
) -> DecisionRow:
    """Record a decision about the case with its rationale and any dissenting views.

    Level, category, next-review and exit decisions are applied to the case's registration when
    the chair signs the minutes off, not before."""
    require_writer(actor, "record a decision")
    discussion, meeting = _open(session, actor, discussion_id)
    check = Checker()
    values = _decision_values(
        session,
        check,
        meeting,
        discussion.case_id,
        kind=kind,
        outcome=outcome,
        rationale=rationale,
        new_level=new_level,
        new_category=new_category,
        next_review_date=next_review_date,
        disclose=disclose,
        disclosure_to=disclosure_to,
        disclosure_by=disclosure_by,
        disclosure_method=disclosure_method,
        disclosure_date=disclosure_date,
        s327a_considered=s327a_considered,
        restricted=restricted,
    )
    clean_dissents = _check_dissents(session, check, dissents)
    check.done()
    decision = Decision(discussion_id=discussion.id, recorded_by_id=actor.user_id, **values)
    decision.dissents = [Dissent(agency_id=a, person_id=p, view=v) for a, p, v in clean_dissents]
    session.add(decision)
    flush(session, "decision")
    audit.record(
        session,
        actor,
        "decision",
        decision.id,
        "create",
        audit.created({**values, "dissents": [[a, p, v] for a, p, v in clean_dissents]}),
        case_id=discussion.case_id,
        meeting_id=meeting.id,
    )
    return _decision_row(session, decision)


def edit_decision(
    session: Session,
    actor: Actor,
    decision_id: int,
    *,
    expected_version: int,
    **fields: Any,
) -> DecisionRow:
    """Correct a decision before sign-off (any ``record_decision`` keyword; ``dissents``
    replaces the whole list)."""
    require_writer(actor, "change a decision")
    decision = get_or_404(session, Decision, decision_id, "decision")
    discussion, meeting = _open(session, actor, decision.discussion_id)
    check_version(decision, expected_version, "decision", lambda: _decision_row(session, decision))
    allowed = {
        "kind",
        "outcome",
        "rationale",
        "new_level",
        "new_category",
        "next_review_date",
        "disclose",
        "disclosure_to",
        "disclosure_by",
        "disclosure_method",
        "disclosure_date",
        "s327a_considered",
        "restricted",
    }
    check = Checker()
    for name in fields:
        if name not in allowed and name != "dissents":
            check.fail(name, f"'{name}' is not a field of a decision.")
    check.done()
    merged = {name: getattr(decision, name) for name in allowed}
    merged.update({k: v for k, v in fields.items() if k in allowed})
    values = _decision_values(session, check, meeting, discussion.case_id, **merged)
    new_dissents = None
    if "dissents" in fields:
        new_dissents = _check_dissents(session, check, fields["dissents"])
    check.done()
    changes = audit.changes_between(decision, values)
    for name, value in values.items():
        setattr(decision, name, value)
    if new_dissents is not None:
        old = [[x.agency_id, x.person_id, x.view] for x in decision.dissents]
        new = [[a, p, v] for a, p, v in new_dissents]
        if old != new:
            changes["dissents"] = [old, new]
            decision.dissents = [
                Dissent(agency_id=a, person_id=p, view=v) for a, p, v in new_dissents
            ]
    if changes:
        flush(session, "decision", decision.id)
        audit.record(
            session,
            actor,
            "decision",
            decision.id,
            "update",
            changes,
            case_id=discussion.case_id,
            meeting_id=meeting.id,
        )
    return _decision_row(session, decision)


def remove_decision(
    session: Session, actor: Actor, decision_id: int, *, expected_version: int
) -> None:
    """Take back a decision recorded by mistake (before sign-off only)."""
    require_writer(actor, "remove a decision")
    decision = get_or_404(session, Decision, decision_id, "decision")
    discussion, meeting = _open(session, actor, decision.discussion_id)
    check_version(decision, expected_version, "decision")
    audit.record(
        session,
        actor,
        "decision",
        decision.id,
        "delete",
        {"kind": [decision.kind.value, None], "outcome": [decision.outcome, None]},
        case_id=discussion.case_id,
        meeting_id=meeting.id,
    )
    session.delete(decision)
    flush(session, "decision", decision_id)


def discussion_has_content(session: Session, discussion_id: int) -> str | None:
    """What is recorded for this discussion (a phrase), or None when nothing is."""
    if session.scalar(
        select(InformationShared.id).where(InformationShared.discussion_id == discussion_id)
    ):
        return "information shared"
    if session.scalar(select(Decision.id).where(Decision.discussion_id == discussion_id)):
        return "decisions"
    if session.scalar(
        select(CaseAttendance.id).where(CaseAttendance.discussion_id == discussion_id)
    ):
        return "attendance for the case"
    discussion = session.get(CaseDiscussion, discussion_id)
    if discussion is None:
        return None
    for field, what in CASE_TEXT_FIELDS.items():
        if getattr(discussion, field).strip():
            return "a risk summary" if field == "risk_summary" else f"the {what}"
    if discussion.risk_trend is not None:
        return "the risk trend"
    return None


# --- one information entry per agency, edited in place (the meeting screen's text boxes) ----------


def _information_for(
    session: Session, discussion_id: int, agency_id: int
) -> InformationShared | None:
    """The agency's first information entry for this discussion (the one its text box edits)."""
    return session.scalar(
        select(InformationShared)
        .where(
            InformationShared.discussion_id == discussion_id,
            InformationShared.agency_id == agency_id,
        )
        .order_by(InformationShared.id)
        .limit(1)
    )


def _lookups_of(
    session: Session, row: InformationShared
) -> tuple[dict[int, Agency], dict[int, Person]]:
    """The agency and the person who gave it, for ``information_row``."""
    agency = get_or_404(session, Agency, row.agency_id, "agency")
    persons: dict[int, Person] = {}
    if row.given_by_id is not None:
        persons[row.given_by_id] = get_or_404(session, Person, row.given_by_id, "person")
    return {agency.id: agency}, persons


def _update_information(
    session: Session,
    actor: Actor,
    row: InformationShared,
    discussion: CaseDiscussion,
    meeting: Meeting,
    values: Mapping[str, Any],
) -> InformationRow:
    changes = audit.changes_between(row, values)
    if changes:
        for key, value in values.items():
            setattr(row, key, value)
        flush(session, "information item", row.id)
        audit.record(
            session,
            actor,
            "information_shared",
            row.id,
            "update",
            changes,
            case_id=discussion.case_id,
            meeting_id=meeting.id,
        )
    return information_row(row, *_lookups_of(session, row))


def _check_restricted(check: Checker, restricted: bool | None) -> None:
    if restricted is not None and not isinstance(restricted, bool):
        check.fail("restricted", "Say yes or no: is this information restricted?")


def save_information(
    session: Session,
    actor: Actor,
    discussion_id: int,
    *,
    agency_id: int,
    text: str,
    expected_version: int | None,
    restricted: bool | None = None,
    given_by_id: int | Keep | None = KEEP,
    as_at: date | Keep | None = KEEP,
    declined: bool | None = None,
) -> InformationRow | None:
    """Save what one agency shared about the case: the agency's entry is created, replaced or
    (with blank text) removed. Returns the entry, or None when there is none any more.
    ``restricted``, ``given_by_id``, ``as_at`` and ``declined`` left out keep what is stored.

    ``expected_version`` is the version the user edited (None: they saw no entry). If someone
    else created, changed or removed the entry meanwhile, ConflictError carries theirs
    (``current``: an InformationRow, or None when removed) and nothing is overwritten."""
    require_writer(actor, "record shared information")
    discussion, meeting = _open(session, actor, discussion_id)
    check = Checker()
    resolve_agency(session, "agency", agency_id, check)
    _check_restricted(check, restricted)
    extras = _information_values(
        session,
        check,
        meeting,
        agency_id,
        text=text,
        text_required=False,
        declined_now=bool(declined),
        given_by_id=given_by_id,
        as_at=as_at,
        declined=declined,
    )
    check.done()
    clean = extras.pop("text")
    row = _information_for(session, discussion.id, agency_id)
    if row is None:
        if expected_version is not None:
            raise ConflictError(
                "information item",
                f"{discussion.id}/{agency_id}",
                expected_version=expected_version,
                current_version=None,
                current=None,
            )
        if not clean:
            return None
        return add_information(
            session,
            actor,
            discussion.id,
            agency_id=agency_id,
            text=clean,
            restricted=bool(restricted),
            given_by_id=extras.get("given_by_id"),
            as_at=extras.get("as_at"),
            declined=bool(declined),
        )
    current = information_row(row, *_lookups_of(session, row))
    if expected_version is None:
        raise ConflictError(
            "information item",
            row.id,
            expected_version=None,
            current_version=row.version,
            current=current,
        )
    check_version(row, expected_version, "information item", current)
    if not clean:
        remove_information(session, actor, row.id)
        return None
    values = {"text": clean, **extras}
    if restricted is not None:
        values["restricted"] = restricted
    return _update_information(session, actor, row, discussion, meeting, values)


def edit_information(
    session: Session,
    actor: Actor,
    information_id: int,
    *,
    expected_version: int,
    text: str,
    restricted: bool | None = None,
    given_by_id: int | Keep | None = KEEP,
    as_at: date | Keep | None = KEEP,
    declined: bool | None = None,
) -> InformationRow:
    """Correct one information entry: its text and, when given, the restriction, who gave it,
    the date it is correct at and whether the agency declined."""
    require_writer(actor, "change shared information")
    row = get_or_404(session, InformationShared, information_id, "information item")
    discussion, meeting = _open(session, actor, row.discussion_id)
    check_version(
        row,
        expected_version,
        "information item",
        lambda: information_row(row, *_lookups_of(session, row)),
    )
    check = Checker()
    now_declined = row.declined if declined is None else bool(declined)
    _check_restricted(check, restricted)
    values = _information_values(
        session,
        check,
        meeting,
        row.agency_id,
        text=text,
        text_required=not now_declined,
        declined_now=now_declined,
        given_by_id=given_by_id,
        as_at=as_at,
        declined=declined,
    )
    check.done()
    if restricted is not None:
        values["restricted"] = restricted
    return _update_information(session, actor, row, discussion, meeting, values)
