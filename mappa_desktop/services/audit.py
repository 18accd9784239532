"""The append-only audit trail: who changed what, when, old -> new."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mappa_desktop.db.models import Agency, AuditEvent, Person, User
from mappa_desktop.services.actor import Actor


def plain(value: Any) -> Any:
    """A JSON-safe form of a column value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def changes_between(obj: object, new_values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for each field whose value differs."""
    out: dict[str, list[Any]] = {}
    for field, new in new_values.items():
        old = getattr(obj, field)
        if old != new:
            out[field] = [plain(old), plain(new)]
    return out


def created(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {field: [None, plain(value)] for field, value in values.items()}


def record(
    session: Session,
    actor: Actor | None,
    entity: str,
    entity_id: int | None,
    action: str,
    changes: Mapping[str, list[Any]] | None = None,
    *,
    case_id: int | None = None,
    meeting_id: int | None = None,
) -> None:
    session.add(
        AuditEvent(
            user_id=actor.user_id if actor else None,
            entity=entity,
            entity_id=entity_id,
            action=action,
            changes=json.dumps(dict(changes or {}), ensure_ascii=False, sort_keys=True),
            case_id=case_id,
            meeting_id=meeting_id,
        )
    )


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    occurred_at: datetime
    user_login: str | None
    entity: str
    entity_id: int | None
    action: str
    changes: dict[str, list[Any]]
    case_id: int | None
    meeting_id: int | None


def list_events(
    session: Session,
    *,
    case_id: int | None = None,
    meeting_id: int | None = None,
    limit: int | None = None,
) -> list[AuditRow]:
    stmt = select(AuditEvent, User.login).outerjoin(User, User.id == AuditEvent.user_id)
    if case_id is not None:
        stmt = stmt.where(AuditEvent.case_id == case_id)
    if meeting_id is not None:
        stmt = stmt.where(AuditEvent.meeting_id == meeting_id)
    stmt = stmt.order_by(AuditEvent.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        AuditRow(
            id=ev.id,
            occurred_at=ev.occurred_at,
            user_login=login,
            entity=ev.entity,
            entity_id=ev.entity_id,
            action=ev.action,
            changes=json.loads(ev.changes),
            case_id=ev.case_id,
            meeting_id=ev.meeting_id,
        )
        for ev, login in session.execute(stmt)
    ]


# --- reading the trail ---------------------------------------------------------------------------

_PERSON_FIELDS = frozenset(
    {
        "person_id",
        "owner_person_id",
        "offender_manager_id",
        "chair_id",
        "minute_taker_id",
        "coordinator_id",
        "deputy_for_id",
        "assessor_id",
        "given_by_id",
        "referrer_person_id",
        "recipient_person_id",
    }
)


def _reference(field: str) -> str | None:
    """What an id-valued field refers to: "agency", "person", "user" or None (anything else)."""
    if field.endswith("agency_id"):
        return "agency"
    if field in _PERSON_FIELDS:
        return "person"
    if field == "user_id" or field.endswith("_by_id"):
        return "user"
    return None


def readable_events(session: Session, events: list[AuditRow]) -> list[AuditRow]:
    """``events`` with agency, person and user ids shown as names ("lead agency: Police", not
    "lead agency id: 1"), in three statements whatever the number of events. The stored trail is
    unchanged; an id whose record is gone is shown as "#12 (removed)"."""
    wanted: dict[str, set[int]] = {"agency": set(), "person": set(), "user": set()}
    for ev in events:
        for field, change in ev.changes.items():
            kind = _reference(field)
            values = change if isinstance(change, list) else [change]
            if kind is not None:
                wanted[kind].update(v for v in values if isinstance(v, int))
    names: dict[str, dict[int, str]] = {
        "agency": {
            aid: agency_name
            for aid, agency_name in session.execute(
                select(Agency.id, Agency.name).where(Agency.id.in_(wanted["agency"]))
            )
        },
        "person": {
            pid: f"{given} {family}".strip()
            for pid, given, family in session.execute(
                select(Person.id, Person.given_names, Person.family_name).where(
                    Person.id.in_(wanted["person"])
                )
            )
        },
        "user": {
            uid: f"{given} {family}".strip()
            for uid, given, family in session.execute(
                select(User.id, Person.given_names, Person.family_name)
                .join(Person, Person.id == User.person_id)
                .where(User.id.in_(wanted["user"]))
            )
        },
    }

    def name(kind: str, value: Any) -> Any:
        if not isinstance(value, int) or isinstance(value, bool):
            return value
        return names[kind].get(value, f"#{value} (removed)")

    out = []
    for ev in events:
        changes: dict[str, list[Any]] = {}
        for field, change in ev.changes.items():
            kind = _reference(field)
            if kind is None:
                changes[field] = change
                continue
            label = field.removesuffix("_id")
            values = change if isinstance(change, list) else [None, change]
            changes[label] = [name(kind, v) for v in values]
        out.append(replace(ev, changes=changes))
    return out
