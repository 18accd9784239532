"""A case's chronology: every recorded event in date order, what a serious case review author
starts from (DOMAIN.md §6.5): the referral and its screening, registrations and level changes
with rationale, risk assessments, meetings with their decisions, information shared (by which
agency, at which meeting), actions set and their outcome, disclosures, RMP changes and case
events between meetings.

Need-to-know: a restricted item (information shared, a decision, an RMP item or a case event
marked restricted) is shown as withheld to a reader without access: only the administrator,
co-ordinator, chair and minute-taker roles see restricted items, and any reader sees what their
own agency shared.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from mappa_desktop.db.models import (
    Action,
    ActionReview,
    Agency,
    Case,
    CaseDiscussion,
    CaseEvent,
    Decision,
    InformationShared,
    Meeting,
    Person,
    Referral,
    Registration,
    RiskAssessment,
    RmpItem,
    RmpRevision,
)
from mappa_desktop.domain.coordination import SUBTYPE_LABELS
from mappa_desktop.domain.enums import DecisionKind, Role
from mappa_desktop.domain.errors import ValidationError
from mappa_desktop.services import csv_files
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.common import get_or_404

WITHHELD_TEXT = "[withheld: restricted information; ask the MAPPA co-ordinator]"


class EntryKind(StrEnum):
    REFERRAL = "referral"
    SCREENING = "screening"
    REGISTRATION = "registration"  # first registration, level/category change, exit
    RISK_ASSESSMENT = "risk_assessment"
    MEETING = "meeting"
    DECISION = "decision"
    DISCLOSURE = "disclosure"
    INFORMATION = "information"
    ACTION_SET = "action_set"
    ACTION_OUTCOME = "action_outcome"
    RMP_CHANGE = "rmp_change"
    CASE_EVENT = "case_event"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize().replace("Rmp", "RMP")


@dataclass(frozen=True, slots=True)
class ChronologyEntry:
    on: date
    kind: EntryKind
    title: str  # one line, e.g. "Level 2 review meeting", "Decision (level): Level 3"
    detail: str  # the text (rationale, what was shared, ...); WITHHELD_TEXT when withheld
    who: str  # agency and/or person it came from ("" when none)
    withheld: bool
    entity: str  # source table, e.g. "decision"
    entity_id: int
    meeting_id: int | None  # the meeting it was recorded at, if any


@dataclass(frozen=True, slots=True)
class Chronology:
    case_id: int
    case_name: str
    entries: tuple[ChronologyEntry, ...]  # date order (then a fixed order of kinds, then id)
    withheld_count: int
    kinds: frozenset[EntryKind]  # the filter applied (every kind when none was given)
    date_from: date | None
    date_to: date | None


RESTRICTED_ACCESS_ROLES = (Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR, Role.MINUTE_TAKER)
# The order of entries on one day: what happened outside meetings first, then per meeting the
# meeting itself and what was recorded at it, in the order of the minutes.
_KIND_ORDER = {
    kind: n
    for n, kind in enumerate(
        (
            EntryKind.REFERRAL,
            EntryKind.SCREENING,
            EntryKind.CASE_EVENT,
            EntryKind.MEETING,
            EntryKind.ACTION_OUTCOME,
            EntryKind.INFORMATION,
            EntryKind.RISK_ASSESSMENT,
            EntryKind.RMP_CHANGE,
            EntryKind.DECISION,
            EntryKind.DISCLOSURE,
            EntryKind.REGISTRATION,
            EntryKind.ACTION_SET,
        )
    )
}
CSV_HEADER = (
    "date",
    "kind",
    "title",
    "detail",
    "who",
    "withheld",
    "entity",
    "entity_id",
    "meeting_id",
)


def can_see_restricted(actor: Actor) -> bool:
    """Whether the reader's roles give access to restricted items."""
    return actor.has(*RESTRICTED_ACCESS_ROLES)


def _join(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


class _Collector:
    """Builds entries, deciding what the reader may see."""

    def __init__(self, full_access: bool, reader_agency_id: int | None) -> None:
        self.full_access = full_access
        self.reader_agency_id = reader_agency_id
        self.entries: list[ChronologyEntry] = []

    def add(
        self,
        on: date,
        kind: EntryKind,
        title: str,
        detail: str,
        who: str,
        entity: str,
        entity_id: int,
        *,
        meeting_id: int | None = None,
        restricted: bool = False,
        agency_id: int | None = None,
        withheld_title: str | None = None,
    ) -> None:
        withheld = (
            restricted
            and not self.full_access
            and (agency_id is None or agency_id != self.reader_agency_id)
        )
        self.entries.append(
            ChronologyEntry(
                on=on,
                kind=kind,
                title=(withheld_title or kind.label) if withheld else title,
                detail=WITHHELD_TEXT if withheld else detail,
                who=who,
                withheld=withheld,
                entity=entity,
                entity_id=entity_id,
                meeting_id=meeting_id,
            )
        )


def _names(session: Session, person_ids: set[int | None]) -> dict[int, str]:
    wanted = {p for p in person_ids if p is not None}
    if not wanted:
        return {}
    people = session.scalars(select(Person).where(Person.id.in_(wanted)))
    return {p.id: p.display_name for p in people}


def _referrals(session: Session, c: _Collector, case_id: int, agencies: dict[int, str]) -> None:
    for r in session.scalars(select(Referral).where(Referral.case_id == case_id)):
        who = _join(agencies.get(r.referring_agency_id, ""), r.referrer_name).replace("\n", ", ")
        level3 = f"Why not Level 2: {r.level3_reason}" if r.level3_reason else ""
        c.add(
            r.referral_date,
            EntryKind.REFERRAL,
            f"Referral to Level {r.level_sought} (Category {r.category}, RoSH "
            f"{r.current_rosh.label})",
            _join(r.reason, f"Multi-agency management would add: {r.added_value}", level3),
            who,
            "referral",
            r.id,
        )
        if r.screened_on is not None:
            outcome = (
                f"accepted at Level {r.accepted_level}"
                if r.accepted_level is not None
                else r.status.label
            )
            c.add(
                r.screened_on,
                EntryKind.SCREENING,
                f"Referral {outcome}",
                r.screening_reason,
                "MAPPA co-ordinator",
                "referral",
                r.id,
            )


def _registrations(session: Session, c: _Collector, case_id: int) -> None:
    rows = session.scalars(
        select(Registration)
        .where(Registration.case_id == case_id)
        .order_by(Registration.start_date, Registration.id)
    ).all()
    previous: Registration | None = None
    for reg in rows:
        if previous is None or previous.ended_on is not None:
            title = f"Registered under MAPPA: Category {reg.category}, Level {reg.level}"
        else:
            title = (
                f"Category {previous.category}, Level {previous.level} -> "
                f"Category {reg.category}, Level {reg.level}"
            )
        c.add(
            reg.start_date,
            EntryKind.REGISTRATION,
            title,
            reg.rationale,
            "",
            "registration",
            reg.id,
            meeting_id=reg.meeting_id,
        )
        if reg.ended_on is not None:
            c.add(
                reg.ended_on,
                EntryKind.REGISTRATION,
                "Left MAPPA",
                reg.end_reason,
                "",
                "registration",
                reg.id,
            )
        previous = reg


def _assessments(session: Session, c: _Collector, case_id: int, names: dict[int, str]) -> None:
    for a in session.scalars(select(RiskAssessment).where(RiskAssessment.case_id == case_id)):
        tool = a.tool.value.upper() + (f" {a.tool_score}" if a.tool_score else "")
        c.add(
            a.assessed_on,
            EntryKind.RISK_ASSESSMENT,
            f"Risk assessment ({tool}): overall RoSH {a.overall_rosh.label}",
            _join(
                f"Who is at risk: {a.who_at_risk}" if a.who_at_risk else "",
                f"Nature of the risk: {a.nature_of_risk}" if a.nature_of_risk else "",
                f"Imminence: {a.imminence}" if a.imminence else "",
            ),
            names.get(a.assessor_id or 0, ""),
            "risk_assessment",
            a.id,
            meeting_id=a.meeting_id,
        )


def _decision(
    c: _Collector, d: Decision, on: date, meeting_id: int, agencies: dict[int, str]
) -> None:
    dissent = [
        f"Dissent ({agencies.get(x.agency_id or 0, 'attendee')}): {x.view}" for x in d.dissents
    ]
    if d.kind is DecisionKind.DISCLOSURE:
        whether = {True: "disclose", False: "do not disclose", None: "undecided"}[d.disclose]
        details = [
            f"To: {d.disclosure_to}" if d.disclosure_to else "",
            f"By: {d.disclosure_by}" if d.disclosure_by else "",
            f"How: {d.disclosure_method}" if d.disclosure_method else "",
            f"When: {d.disclosure_date.isoformat()}" if d.disclosure_date else "",
            "s.327A considered" if d.s327a_considered else "",
        ]
        c.add(
            on,
            EntryKind.DISCLOSURE,
            f"Disclosure decision: {whether}",
            _join(d.outcome, *details, f"Rationale: {d.rationale}", *dissent),
            "",
            "decision",
            d.id,
            meeting_id=meeting_id,
            restricted=d.restricted,
            withheld_title="Disclosure decision",
        )
        return
    c.add(
        on,
        EntryKind.DECISION,
        f"Decision ({d.kind.value.replace('_', ' ')}): {d.outcome}",
        _join(f"Rationale: {d.rationale}", *dissent),
        "",
        "decision",
        d.id,
        meeting_id=meeting_id,
        restricted=d.restricted,
        withheld_title=f"Decision ({d.kind.value.replace('_', ' ')})",
    )


def _meetings(
    session: Session,
    c: _Collector,
    case_id: int,
    agencies: dict[int, str],
    names: dict[int, str],
) -> dict[int, date]:
    """Meetings that discussed the case with their decisions and information; returns the
    date of every meeting (by id) for the other collectors."""
    found = session.execute(
        select(CaseDiscussion, Meeting)
        .join(Meeting, Meeting.id == CaseDiscussion.meeting_id)
        .where(CaseDiscussion.case_id == case_id)
    ).all()
    dates = {m.id: m.meeting_date for _, m in found}
    meeting_of = {d.id: m for d, m in found}
    for d, m in found:
        c.add(
            m.meeting_date,
            EntryKind.MEETING,
            f"Level {m.level} {m.meeting_type.value} meeting ({m.status.value.replace('_', ' ')})",
            _join(m.venue and f"Venue: {m.venue}", d.risk_summary and f"Risk: {d.risk_summary}"),
            f"Chair: {names.get(m.chair_id, '')}",
            "meeting",
            m.id,
            meeting_id=m.id,
        )
    if not meeting_of:
        return dates
    discussion_ids = list(meeting_of)
    for info in session.scalars(
        select(InformationShared).where(InformationShared.discussion_id.in_(discussion_ids))
    ):
        m = meeting_of[info.discussion_id]
        agency = agencies.get(info.agency_id, "")
        c.add(
            m.meeting_date,
            EntryKind.INFORMATION,
            f"Information shared by {agency}",
            info.text,
            agency,
            "information_shared",
            info.id,
            meeting_id=m.id,
            restricted=info.restricted,
            agency_id=info.agency_id,
            withheld_title=f"Information shared by {agency}",
        )
    for decision in session.scalars(
        select(Decision).where(Decision.discussion_id.in_(discussion_ids))
    ):
        m = meeting_of[decision.discussion_id]
        _decision(c, decision, m.meeting_date, m.id, agencies)
    return dates


def _actions(
    session: Session,
    c: _Collector,
    case_id: int,
    dates: dict[int, date],
    agencies: dict[int, str],
    names: dict[int, str],
) -> None:
    actions = {a.id: a for a in session.scalars(select(Action).where(Action.case_id == case_id))}
    reviews = (
        session.scalars(select(ActionReview).where(ActionReview.action_id.in_(list(actions)))).all()
        if actions
        else []
    )
    meeting_ids = {r.meeting_id for r in reviews} | {
        a.set_in_meeting_id for a in actions.values() if a.set_in_meeting_id
    }
    missing = meeting_ids - set(dates)
    if missing:
        dates.update(
            session.execute(
                select(Meeting.id, Meeting.meeting_date).where(Meeting.id.in_(missing))
            ).all()
        )
    for a in actions.values():
        owner = _join(agencies.get(a.owner_agency_id, ""), names.get(a.owner_person_id or 0, ""))
        on = dates[a.set_in_meeting_id] if a.set_in_meeting_id else a.created_at.date()
        c.add(
            on,
            EntryKind.ACTION_SET,
            f"Action set, due {a.due_date.isoformat()}",
            a.text,
            owner.replace("\n", ", "),
            "action",
            a.id,
            meeting_id=a.set_in_meeting_id,
        )
        if a.completed_on is not None and a.closed_in_meeting_id is None:
            c.add(
                a.completed_on,
                EntryKind.ACTION_OUTCOME,
                "Action done (between meetings)",
                _join(a.text, a.outcome_note and f"Outcome: {a.outcome_note}"),
                owner.replace("\n", ", "),
                "action",
                a.id,
            )
    for r in reviews:
        a = actions[r.action_id]
        why = f" ({r.not_done_reason.value.replace('_', ' ')})" if r.not_done_reason else ""
        due = f", now due {r.new_due_date.isoformat()}" if r.new_due_date else ""
        c.add(
            dates[r.meeting_id],
            EntryKind.ACTION_OUTCOME,
            f"Action reviewed: {r.outcome.value.replace('_', ' ')}{why}{due}",
            _join(a.text, r.note and f"Note: {r.note}"),
            agencies.get(a.owner_agency_id, ""),
            "action_review",
            r.id,
            meeting_id=r.meeting_id,
        )


def _rmp(
    session: Session, c: _Collector, case_id: int, dates: dict[int, date], agencies: dict[int, str]
) -> None:
    stmt = (
        select(RmpRevision, RmpItem, Meeting.meeting_date)
        .join(RmpItem, RmpItem.id == RmpRevision.item_id)
        .outerjoin(Meeting, Meeting.id == RmpRevision.meeting_id)
        .where(RmpItem.case_id == case_id)
    )
    for rev, item, meeting_date in session.execute(stmt):
        pillar = rev.change.value
        c.add(
            meeting_date or rev.recorded_at.date(),
            EntryKind.RMP_CHANGE,
            f"RMP {item.pillar.value.replace('_', ' ')} item {pillar}",
            _join(rev.text, rev.rationale and f"Rationale: {rev.rationale}"),
            agencies.get(rev.responsible_agency_id or 0, ""),
            "rmp_revision",
            rev.id,
            meeting_id=rev.meeting_id,
            restricted=item.restricted,
            agency_id=rev.responsible_agency_id,
            withheld_title=f"RMP {item.pillar.value.replace('_', ' ')} item {pillar}",
        )


def _events(session: Session, c: _Collector, case_id: int, agencies: dict[int, str]) -> None:
    for e in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)):
        title = e.kind.label + (
            f": {SUBTYPE_LABELS.get(e.subtype, e.subtype)}" if e.subtype else ""
        )
        source = e.source + (f" ({agencies[e.source_agency_id]})" if e.source_agency_id else "")
        c.add(
            e.event_date,
            EntryKind.CASE_EVENT,
            title,
            e.detail,
            source,
            "case_event",
            e.id,
            restricted=e.restricted,
            agency_id=e.source_agency_id,
            withheld_title=e.kind.label,
        )


def _sort_key(e: ChronologyEntry) -> tuple[date, int, int, int, int]:
    return (
        e.on,
        0 if e.meeting_id is None else 1,
        e.meeting_id or 0,
        _KIND_ORDER[e.kind],
        e.entity_id,
    )


def case_chronology(
    session: Session,
    case_id: int,
    reader: Actor,
    *,
    kinds: frozenset[EntryKind] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Chronology:
    """The case's chronology for ``reader``, optionally only some kinds and a date range
    (both ends included). A fixed number of statements, however long the history."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ValidationError.single(
            "date_to", "The end of the date range is before its start; swap them."
        )
    case = get_or_404(session, Case, case_id, "case")
    reader_agency = session.scalar(select(Person.agency_id).where(Person.id == reader.person_id))
    collector = _Collector(can_see_restricted(reader), reader_agency)
    agencies = {i: n for i, n in session.execute(select(Agency.id, Agency.name))}
    names = _names(
        session,
        set(session.scalars(select(Action.owner_person_id).where(Action.case_id == case_id)))
        | set(
            session.scalars(
                select(RiskAssessment.assessor_id).where(RiskAssessment.case_id == case_id)
            )
        )
        | set(
            session.scalars(
                select(Meeting.chair_id)
                .join(CaseDiscussion, CaseDiscussion.meeting_id == Meeting.id)
                .where(CaseDiscussion.case_id == case_id)
            )
        ),
    )
    _referrals(session, collector, case_id, agencies)
    _registrations(session, collector, case_id)
    _assessments(session, collector, case_id, names)
    dates = _meetings(session, collector, case_id, agencies, names)
    _actions(session, collector, case_id, dates, agencies, names)
    _rmp(session, collector, case_id, dates, agencies)
    _events(session, collector, case_id, agencies)
    wanted = frozenset(EntryKind) if kinds is None else frozenset(kinds)
    entries = sorted(
        (
            e
            for e in collector.entries
            if e.kind in wanted
            and (date_from is None or e.on >= date_from)
            and (date_to is None or e.on <= date_to)
        ),
        key=_sort_key,
    )
    return Chronology(
        case_id=case.id,
        case_name=f"{case.given_names} {case.family_name}".strip(),
        entries=tuple(entries),
        withheld_count=sum(1 for e in entries if e.withheld),
        kinds=wanted,
        date_from=date_from,
        date_to=date_to,
    )


def _csv_lines(chronology: Chronology) -> Iterator[tuple[object, ...]]:
    yield CSV_HEADER
    for e in chronology.entries:
        yield (
            e.on.isoformat(),
            e.kind.value,
            e.title,
            e.detail,
            e.who,
            "yes" if e.withheld else "no",
            e.entity,
            e.entity_id,
            e.meeting_id,
        )


def chronology_csv_bytes(chronology: Chronology) -> bytes:
    """The chronology as CSV (UTF-8 with BOM): date, kind, title, detail, who, withheld,
    entity, entity_id, meeting_id."""
    return csv_files.csv_bytes(_csv_lines(chronology))


def export_csv(
    session: Session,
    case_id: int,
    reader: Actor,
    path: Path,
    *,
    kinds: frozenset[EntryKind] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Chronology:
    """Write the chronology to ``path`` as CSV (all or nothing)."""
    chronology = case_chronology(
        session, case_id, reader, kinds=kinds, date_from=date_from, date_to=date_to
    )
    csv_files.write_file(path, chronology_csv_bytes(chronology))
    return chronology
