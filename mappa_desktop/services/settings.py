"""Team-wide settings kept in the database. Unconfirmed policy values live here, not in code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mappa_desktop.db.models import AppSetting
from mappa_desktop.domain.enums import Level, Role
from mappa_desktop.domain.rules import DEFAULT_REVIEW_INTERVAL_DAYS
from mappa_desktop.domain.validation import Checker
from mappa_desktop.services import audit
from mappa_desktop.services.actor import Actor, require_role

AREA_NAME = "area_name"
REVIEW_INTERVALS = "review_interval_days"
DEFAULT_AREA_NAME = "MAPPA Area"


@dataclass(frozen=True, slots=True)
class Policy:
    area_name: str
    review_interval_days: Mapping[Level, int]


def _get(session: Session, key: str) -> object | None:
    row = session.get(AppSetting, key)
    return None if row is None else row.value


def policy(session: Session) -> Policy:
    rows = {s.key: s.value for s in session.scalars(select(AppSetting))}
    intervals = dict(DEFAULT_REVIEW_INTERVAL_DAYS)
    stored = rows.get(REVIEW_INTERVALS)
    if isinstance(stored, dict):
        for level_key, days in stored.items():
            intervals[Level(int(level_key))] = int(days)
    area = rows.get(AREA_NAME)
    return Policy(
        area_name=area if isinstance(area, str) and area else DEFAULT_AREA_NAME,
        review_interval_days=intervals,
    )


def _put(session: Session, actor: Actor, key: str, value: object) -> None:
    row = session.get(AppSetting, key)
    old = None if row is None else row.value
    if row is None:
        session.add(AppSetting(key=key, value=value))
    else:
        row.value = value
    audit.record(session, actor, "setting", None, "update", {key: [old, value]})
    session.flush()


def set_area_name(session: Session, actor: Actor, name: str) -> Policy:
    require_role(actor, Role.ADMINISTRATOR, Role.COORDINATOR, doing="change the area name")
    check = Checker()
    cleaned = check.text("area_name", name, max_len=200)
    check.done()
    _put(session, actor, AREA_NAME, cleaned)
    return policy(session)


def set_review_intervals(session: Session, actor: Actor, days: Mapping[Level, int]) -> Policy:
    require_role(actor, Role.ADMINISTRATOR, Role.COORDINATOR, doing="change review intervals")
    check = Checker()
    for level, value in days.items():
        if not 7 <= value <= 730:
            check.fail(
                f"level_{int(level)}_interval",
                f"The Level {int(level)} review interval must be between 7 and 730 days.",
            )
    check.done()
    merged = {str(int(k)): int(v) for k, v in policy(session).review_interval_days.items()}
    merged.update({str(int(k)): int(v) for k, v in days.items()})
    _put(session, actor, REVIEW_INTERVALS, merged)
    return policy(session)
