"""The risk-management plan: items under the four pillars plus contingency plans and licence
conditions. ``RmpItem`` holds each item's current state; every add, change and end also writes an
insert-only ``RmpRevision`` (revision number, kind of change, rationale, the meeting that made it),
so "what changed at this meeting" is a query (``changes_at_meeting``), not a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from mappa_desktop.db.models import Agency, Case, Meeting, Person, RmpItem, RmpRevision, User
from mappa_desktop.domain.enums import RmpChange, RmpItemStatus, RmpPillar
from mappa_desktop.domain.errors import StateError, ValidationError
from mappa_desktop.domain.validation import MAX_TEXT, Checker
from mappa_desktop.services import audit, meeting_guard
from mappa_desktop.services.actor import Actor, require_writer
from mappa_desktop.services.common import check_version, flush, get_or_404
from mappa_desktop.services.people import resolve_agency
from mappa_desktop.services.registration import check_meeting_link, check_not_far_ahead

PILLAR_ORDER = tuple(RmpPillar)
PILLAR_LABELS = {
    RmpPillar.SUPERVISION: "Supervision",
    RmpPillar.MONITORING_CONTROL: "Monitoring and control",
    RmpPillar.INTERVENTIONS_TREATMENT: "Interventions and treatment",
    RmpPillar.VICTIM_SAFETY: "Victim safety planning",
    RmpPillar.CONTINGENCY: "Contingency plans",
    RmpPillar.LICENCE_CONDITION: "Licence conditions",
}


@dataclass(frozen=True, slots=True)
class RmpItemRow:
    id: int
    version: int
    case_id: int
    pillar: RmpPillar
    text: str
    responsible_agency_id: int | None
    responsible_agency: str  # the agency's name, "" when none
    start_date: date | None
    review_date: date | None
    end_date: date | None
    status: RmpItemStatus
    restricted: bool
    revision_no: int  # the latest revision

    @property
    def pillar_label(self) -> str:
        return PILLAR_LABELS[self.pillar]


@dataclass(frozen=True, slots=True)
class RmpRevisionRow:
    id: int
    item_id: int
    case_id: int
    pillar: RmpPillar
    revision_no: int
    change: RmpChange
    text: str
    responsible_agency_id: int | None
    responsible_agency: str
    start_date: date | None
    review_date: date | None
    end_date: date | None
    status: RmpItemStatus
    rationale: str
    meeting_id: int | None
    recorded_by_id: int | None
    recorded_by: str
    recorded_at: datetime
    restricted: bool  # the item's current flag (used to leave it out of a disclosure summary)


def _item_row(item: RmpItem, agency_name: str, revision_no: int) -> RmpItemRow:
    return RmpItemRow(
        id=item.id,
        version=item.version,
        case_id=item.case_id,
        pillar=item.pillar,
        text=item.text,
        responsible_agency_id=item.responsible_agency_id,
        responsible_agency=agency_name,
        start_date=item.start_date,
        review_date=item.review_date,
        end_date=item.end_date,
        status=item.status,
        restricted=item.restricted,
        revision_no=revision_no,
    )


def _agency_name(session: Session, agency_id: int | None) -> str:
    agency = session.get(Agency, agency_id) if agency_id is not None else None
    return agency.name if agency is not None else ""


def _latest_revision_no(session: Session, item_id: int) -> int:
    return (
        session.scalar(
            select(func.coalesce(func.max(RmpRevision.revision_no), 0)).where(
                RmpRevision.item_id == item_id
            )
        )
        or 0
    )


def _check_dates(
    check: Checker, start_date: date | None, review_date: date | None, end_date: date | None
) -> None:
    for field, value in (
        ("start_date", start_date),
        ("review_date", review_date),
        ("end_date", end_date),
    ):
        if value is not None and not isinstance(value, date):
            check.fail(field, f"The {field.replace('_', ' ')} must be a date.")
            return
        check_not_far_ahead(check, field, value)
    check.date_not_before("review_date", review_date, start_date, "the start date")
    check.date_not_before("end_date", end_date, start_date, "the start date")


def _check_agency(
    session: Session, check: Checker, agency_id: int | None, current: int | None = None
) -> None:
    if agency_id is not None and agency_id != current:
        resolve_agency(session, "responsible_agency_id", agency_id, check)


def _write_revision(
    session: Session,
    actor: Actor,
    item: RmpItem,
    change: RmpChange,
    rationale: str,
    meeting_id: int | None,
) -> int:
    revision_no = _latest_revision_no(session, item.id) + 1
    session.add(
        RmpRevision(
            item_id=item.id,
            revision_no=revision_no,
            change=change,
            text=item.text,
            responsible_agency_id=item.responsible_agency_id,
            start_date=item.start_date,
            review_date=item.review_date,
            end_date=item.end_date,
            status=item.status,
            rationale=rationale,
            meeting_id=meeting_id,
            recorded_by_id=actor.user_id,
        )
    )
    flush(session, "risk management plan item", item.id)
    return revision_no


def add_item(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    pillar: RmpPillar | str,
    text: str,
    responsible_agency_id: int | None = None,
    start_date: date | None = None,
    review_date: date | None = None,
    rationale: str = "",
    meeting_id: int | None = None,
    restricted: bool = False,
) -> RmpItemRow:
    """Add an item to the case's plan (revision 1, "added")."""
    require_writer(actor, "add to a risk management plan")
    get_or_404(session, Case, case_id, "case")
    check = Checker()
    clean_pillar = check.enum("pillar", pillar, RmpPillar)
    clean_text = check.text("text", text, max_len=MAX_TEXT)
    clean_rationale = check.text("rationale", rationale, required=False, max_len=MAX_TEXT) or ""
    _check_agency(session, check, responsible_agency_id)
    _check_dates(check, start_date, review_date, None)
    if not isinstance(restricted, bool):
        check.fail("restricted", "Say yes or no: is this item restricted?")
    check_meeting_link(session, check, meeting_id, case_id)
    check.done()
    assert clean_pillar is not None and clean_text is not None
    if meeting_id is not None:
        meeting_guard.note_content_change(session, actor, meeting_id)

    item = RmpItem(
        case_id=case_id,
        pillar=clean_pillar,
        text=clean_text,
        responsible_agency_id=responsible_agency_id,
        start_date=start_date,
        review_date=review_date,
        status=RmpItemStatus.ACTIVE,
        restricted=restricted,
    )
    session.add(item)
    flush(session, "risk management plan item")
    revision_no = _write_revision(
        session, actor, item, RmpChange.ADDED, clean_rationale, meeting_id
    )
    audit.record(
        session,
        actor,
        "rmp_item",
        item.id,
        "add",
        audit.created(
            {
                "pillar": clean_pillar,
                "text": clean_text,
                "responsible_agency_id": responsible_agency_id,
                "start_date": start_date,
                "review_date": review_date,
                "restricted": restricted,
                "rationale": clean_rationale,
            }
        ),
        case_id=case_id,
        meeting_id=meeting_id,
    )
    return _item_row(item, _agency_name(session, responsible_agency_id), revision_no)


def _load_for_change(session: Session, item_id: int, expected_version: int, doing: str) -> RmpItem:
    item = get_or_404(session, RmpItem, item_id, "risk management plan item")
    check_version(item, expected_version, "risk management plan item")
    if item.status is RmpItemStatus.ENDED:
        end = item.end_date.isoformat() if item.end_date else "an earlier date"
        raise StateError(
            f"This plan item ended on {end}; you cannot {doing}. Add a new item instead."
        )
    return item


def change_item(
    session: Session,
    actor: Actor,
    item_id: int,
    *,
    expected_version: int,
    rationale: str,
    meeting_id: int | None = None,
    text: str | None = None,
    responsible_agency_id: int | None = None,
    start_date: date | None = None,
    review_date: date | None = None,
    restricted: bool | None = None,
) -> RmpItemRow:
    """Change an active item (None = leave that field as it is); writes a "changed" revision."""
    require_writer(actor, "change a risk management plan")
    item = _load_for_change(session, item_id, expected_version, "change it")
    check = Checker()
    clean_rationale = check.text("rationale", rationale, max_len=MAX_TEXT)
    new: dict[str, Any] = {}
    if text is not None:
        new["text"] = check.text("text", text, max_len=MAX_TEXT)
    if responsible_agency_id is not None:
        _check_agency(session, check, responsible_agency_id, item.responsible_agency_id)
        new["responsible_agency_id"] = responsible_agency_id
    if start_date is not None:
        new["start_date"] = start_date
    if review_date is not None:
        new["review_date"] = review_date
    if restricted is not None:
        if not isinstance(restricted, bool):
            check.fail("restricted", "Say yes or no: is this item restricted?")
        new["restricted"] = restricted
    _check_dates(
        check,
        new.get("start_date", item.start_date),
        new.get("review_date", item.review_date),
        None,
    )
    check_meeting_link(session, check, meeting_id, item.case_id)
    check.done()
    assert clean_rationale is not None
    changes = audit.changes_between(item, new)
    if not changes:
        raise ValidationError.single(
            "text", "Nothing differs from the plan item as it stands; change a field or cancel."
        )
    if meeting_id is not None:
        meeting_guard.note_content_change(session, actor, meeting_id)
    for field, value in new.items():
        setattr(item, field, value)
    flush(session, "risk management plan item", item.id)
    revision_no = _write_revision(
        session, actor, item, RmpChange.CHANGED, clean_rationale, meeting_id
    )
    changes["rationale"] = [None, clean_rationale]
    audit.record(
        session,
        actor,
        "rmp_item",
        item.id,
        "change",
        changes,
        case_id=item.case_id,
        meeting_id=meeting_id,
    )
    return _item_row(item, _agency_name(session, item.responsible_agency_id), revision_no)


def end_item(
    session: Session,
    actor: Actor,
    item_id: int,
    *,
    expected_version: int,
    end_date: date,
    rationale: str,
    meeting_id: int | None = None,
) -> RmpItemRow:
    """End an active item; it leaves the current plan and keeps its history."""
    require_writer(actor, "end a risk management plan item")
    item = _load_for_change(session, item_id, expected_version, "end it again")
    check = Checker()
    check.required("end_date", end_date)
    clean_rationale = check.text("rationale", rationale, max_len=MAX_TEXT)
    _check_dates(check, item.start_date, None, end_date)
    check_meeting_link(session, check, meeting_id, item.case_id)
    check.done()
    assert clean_rationale is not None
    if meeting_id is not None:
        meeting_guard.note_content_change(session, actor, meeting_id)
    changes = audit.changes_between(item, {"status": RmpItemStatus.ENDED, "end_date": end_date})
    item.status = RmpItemStatus.ENDED
    item.end_date = end_date
    flush(session, "risk management plan item", item.id)
    revision_no = _write_revision(
        session, actor, item, RmpChange.ENDED, clean_rationale, meeting_id
    )
    changes["rationale"] = [None, clean_rationale]
    audit.record(
        session,
        actor,
        "rmp_item",
        item.id,
        "end",
        changes,
        case_id=item.case_id,
        meeting_id=meeting_id,
    )
    return _item_row(item, _agency_name(session, item.responsible_agency_id), revision_no)


# --- reading ------------------------------------------------------------------------------------


def _sort_key(pillar: RmpPillar, *rest: int) -> tuple[int, ...]:
    return (PILLAR_ORDER.index(pillar), *rest)


def current_plan(session: Session, case_id: int) -> list[RmpItemRow]:
    """The case's active items, by pillar (enum order) then in the order they were added."""
    get_or_404(session, Case, case_id, "case")
    return current_plans(session, [case_id])[case_id]


def current_plans(session: Session, case_ids: Sequence[int]) -> dict[int, list[RmpItemRow]]:
    """``current_plan`` for several cases in one statement (a meeting's agenda)."""
    wanted = sorted(set(case_ids))
    plans: dict[int, list[RmpItemRow]] = {case_id: [] for case_id in wanted}
    if not wanted:
        return plans
    latest = (
        select(RmpRevision.item_id, func.max(RmpRevision.revision_no).label("revision_no"))
        .join(RmpItem, RmpItem.id == RmpRevision.item_id)
        .where(RmpItem.case_id.in_(wanted))
        .group_by(RmpRevision.item_id)
        .subquery()
    )
    stmt = (
        select(RmpItem, Agency.name, latest.c.revision_no)
        .outerjoin(Agency, Agency.id == RmpItem.responsible_agency_id)
        .outerjoin(latest, latest.c.item_id == RmpItem.id)
        .where(RmpItem.case_id.in_(wanted), RmpItem.status == RmpItemStatus.ACTIVE)
    )
    for item, name, revision_no in session.execute(stmt):
        plans[item.case_id].append(_item_row(item, name or "", revision_no or 0))
    for rows in plans.values():
        rows.sort(key=lambda r: _sort_key(r.pillar, r.id))
    return plans


def _revisions() -> Select[RmpRevision, RmpItem, str, Person]:
    recorder = aliased(Person)
    return (
        select(RmpRevision, RmpItem, Agency.name, recorder)
        .join(RmpItem, RmpItem.id == RmpRevision.item_id)
        .outerjoin(Agency, Agency.id == RmpRevision.responsible_agency_id)
        .outerjoin(User, User.id == RmpRevision.recorded_by_id)
        .outerjoin(recorder, recorder.id == User.person_id)
    )


def _revision_rows(
    session: Session, stmt: Select[RmpRevision, RmpItem, str, Person]
) -> list[RmpRevisionRow]:
    return [
        RmpRevisionRow(
            id=rev.id,
            item_id=rev.item_id,
            case_id=item.case_id,
            pillar=item.pillar,
            revision_no=rev.revision_no,
            change=rev.change,
            text=rev.text,
            responsible_agency_id=rev.responsible_agency_id,
            responsible_agency=agency_name or "",
            start_date=rev.start_date,
            review_date=rev.review_date,
            end_date=rev.end_date,
            status=rev.status,
            rationale=rev.rationale,
            meeting_id=rev.meeting_id,
            recorded_by_id=rev.recorded_by_id,
            recorded_by=person.display_name if person is not None else "",
            recorded_at=rev.recorded_at,
            restricted=item.restricted,
        )
        for rev, item, agency_name, person in session.execute(stmt)
    ]


def item_history(session: Session, item_id: int) -> list[RmpRevisionRow]:
    """Every revision of one item, newest first."""
    get_or_404(session, RmpItem, item_id, "risk management plan item")
    stmt = _revisions().where(RmpRevision.item_id == item_id)
    return _revision_rows(session, stmt.order_by(RmpRevision.revision_no.desc()))


def changes_at_meeting(session: Session, meeting_id: int) -> list[RmpRevisionRow]:
    """Every RMP revision made at the meeting: by case, pillar, item, then revision order."""
    get_or_404(session, Meeting, meeting_id, "meeting")
    stmt = _revisions().where(RmpRevision.meeting_id == meeting_id)
    rows = _revision_rows(session, stmt)
    return sorted(rows, key=lambda r: (r.case_id, *_sort_key(r.pillar, r.item_id, r.revision_no)))
