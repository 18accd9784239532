"""The co-ordinator's year in the demo: referrals in every state and case events of every kind
over the last five reporting years, so every annual statistics table and the chronology have
credible numbers. Bulk Core inserts (fast at 100,000 cases), deterministic for a seed.

Event volumes per reporting year scale with the number of cases (per 2,000 cases, about an
area's size, DOMAIN.md §7): 20 returns to custody of Level 2/3 offenders, 30 notification
breaches, 50 civil orders imposed and 10 ended, 3 serious further offences, one serious case
review about every other year, and 40 exits from MAPPA (Level 1 cases; their registration ends
on that day). The oldest year has at least one event of every kind, however small the demo.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, text, update
from sqlalchemy.orm import Session

from mappa_desktop.db.models import Person, Registration
from mappa_desktop.domain.coordination import (
    BreachOutcome,
    CaseEventKind,
    CivilOrder,
    CustodyReason,
    ReferralSource,
    ReferralStatus,
    ReportingYear,
)
from mappa_desktop.domain.enums import RoshLevel

YEARS = 5
PER_2000_CASES: dict[CaseEventKind, float] = {
    CaseEventKind.RETURN_TO_CUSTODY: 20,
    CaseEventKind.NOTIFICATION_BREACH: 30,
    CaseEventKind.ORDER_IMPOSED: 50,
    CaseEventKind.ORDER_ENDED: 10,
    CaseEventKind.SERIOUS_FURTHER_OFFENCE: 3,
    CaseEventKind.SERIOUS_CASE_REVIEW: 0.5,
    CaseEventKind.MAPPA_EXIT: 40,
}
SUBTYPE_WEIGHTS: dict[CaseEventKind, Sequence[tuple[str, float]]] = {
    CaseEventKind.RETURN_TO_CUSTODY: (
        (CustodyReason.BREACH_OF_LICENCE, 70),
        (CustodyReason.BREACH_OF_ORDER, 15),
        (CustodyReason.NEW_OFFENCE, 15),
    ),
    CaseEventKind.NOTIFICATION_BREACH: (
        (BreachOutcome.CAUTIONED, 25),
        (BreachOutcome.CONVICTED, 75),
    ),
    CaseEventKind.ORDER_IMPOSED: (
        (CivilOrder.SHPO, 70),
        (CivilOrder.SHPO_FOREIGN_TRAVEL, 8),
        (CivilOrder.SRO, 17),
        (CivilOrder.NOTIFICATION_ORDER, 5),
    ),
    CaseEventKind.ORDER_ENDED: ((CivilOrder.SHPO, 80), (CivilOrder.SRO, 20)),
}
SOURCES: dict[CaseEventKind, tuple[str, str]] = {  # (source text, agency short name)
    CaseEventKind.RETURN_TO_CUSTODY: ("Recall notification (PPCS)", "Probation"),
    CaseEventKind.NOTIFICATION_BREACH: ("Police National Computer", "Police"),
    CaseEventKind.ORDER_IMPOSED: ("Court result", "Police"),
    CaseEventKind.ORDER_ENDED: ("Court result", "Police"),
    CaseEventKind.SERIOUS_FURTHER_OFFENCE: ("SFO notification", "Probation"),
    CaseEventKind.SERIOUS_CASE_REVIEW: ("Strategic Management Board minutes", "MAPPA Unit"),
    CaseEventKind.MAPPA_EXIT: ("Lead agency notification", "Probation"),
}
DETAILS: dict[CaseEventKind, tuple[str, ...]] = {
    CaseEventKind.RETURN_TO_CUSTODY: (
        "Recalled after failing to reside at the approved premises.",
        "Arrested on warrant; remanded in custody.",
        "Recalled for unauthorised contact with a known adult victim.",
    ),
    CaseEventKind.NOTIFICATION_BREACH: (
        "Failed to notify a change of address within three days.",
        "Did not notify foreign travel.",
        "Failed to attend the annual notification.",
    ),
    CaseEventKind.ORDER_IMPOSED: ("Imposed at Crown Court on conviction.", "Made on application."),
    CaseEventKind.ORDER_ENDED: ("Order expired.", "Discharged on application."),
    CaseEventKind.SERIOUS_FURTHER_OFFENCE: ("Charged with a serious further offence.",),
    CaseEventKind.SERIOUS_CASE_REVIEW: ("Review commissioned by the SMB after an SFO.",),
    CaseEventKind.MAPPA_EXIT: (
        "Notification period ended.",
        "Licence expired; no longer MAPPA-eligible.",
    ),
}
DECLINE_REASONS = (
    "The lead agency's plan manages the risk; formal multi-agency meetings would add no value.",
    "RoSH assessed as Medium with no need for other agencies' co-ordination.",
)
RETURN_REASONS = ("Please send the current OASys RoSH summary and the victim information.",)
ADDED_VALUE = (
    "Co-ordinated housing and police monitoring on release.",
    "Children's Services and health input into safety planning.",
)
LEVEL3_REASONS = ("Needs senior sign-off for resources at short notice and media handling.",)


@dataclass(frozen=True, slots=True)
class CoordinationResult:
    referrals: int
    case_events: int
    exits: int


@dataclass(frozen=True, slots=True)
class _Reg:
    id: int
    case_id: int
    category: int
    level: int
    start_date: date


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    values = [v for v, _ in weighted]
    return str(rng.choices(values, weights=[w for _, w in weighted])[0])


def create_coordination(
    session: Session,
    *,
    rng: random.Random,
    today: date,
    cases: int,
    now: datetime,
    creator_id: int | None,
    agency_ids: dict[str, int],
    insert: Callable[[str, list[dict[str, Any]]], None],
    next_id: Callable[[str], int],
) -> CoordinationResult:
    regs = [
        _Reg(*row)
        for row in session.execute(
            select(
                Registration.id,
                Registration.case_id,
                Registration.category,
                Registration.level,
                Registration.start_date,
            )
            .where(Registration.is_current, Registration.ended_on.is_(None))
            .order_by(Registration.case_id)
        )
    ]
    audit: list[dict[str, Any]] = []

    def audited(entity: str, row: dict[str, Any]) -> None:
        changes = {k: [None, v.isoformat() if isinstance(v, date) else v] for k, v in row.items()}
        audit.append(
            {
                "occurred_at": now,
                "user_id": creator_id,
                "entity": entity,
                "entity_id": row["id"],
                "action": "create",
                "changes": json.dumps(changes, sort_keys=True),
                "case_id": row["case_id"],
                "meeting_id": None,
            }
        )

    referrers = _referrers(session, agency_ids)
    referrals = _referrals(rng, today, regs, now, creator_id, referrers, next_id("referral"))
    events, exits = _events(
        rng, today, cases, regs, now, creator_id, agency_ids, next_id("case_event")
    )
    for row in referrals:
        audited("referral", row)
    for row in events:
        audited("case_event", row)
    insert("referral", referrals)
    insert("case_event", events)
    insert("audit_event", audit)
    if exits:
        table = cast(Table, Registration.__table__)
        session.execute(
            update(table)
            .where(table.c.id == bindparam("reg_id"))
            .values(ended_on=bindparam("ended"), end_reason=bindparam("reason")),
            exits,
        )
    if session.get_bind().dialect.name == "postgresql":
        for name in ("referral", "case_event"):
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
                )
            )
    return CoordinationResult(referrals=len(referrals), case_events=len(events), exits=len(exits))


def _referrers(session: Session, agency_ids: dict[str, int]) -> dict[int, list[tuple[int, str]]]:
    """The practitioners who refer, by agency (police, probation and prison): the demo's own
    staff, whose names come from one naming tradition each (``demo.names``)."""
    senders = [agency_ids[s] for s in ("Police", "Probation", "Prison") if s in agency_ids]
    out: dict[int, list[tuple[int, str]]] = {}
    for person_id, agency_id, given, family in session.execute(
        select(Person.id, Person.agency_id, Person.given_names, Person.family_name)
        .where(Person.agency_id.in_(senders), Person.active.is_(True))
        .order_by(Person.id)
    ):
        out.setdefault(agency_id, []).append((person_id, f"{given} {family}".strip()))
    return out


def _referrals(
    rng: random.Random,
    today: date,
    regs: Sequence[_Reg],
    now: datetime,
    creator_id: int | None,
    referrers: dict[int, list[tuple[int, str]]],
    first_id: int,
) -> list[dict[str, Any]]:
    """Accepted referrals for recently escalated Level 2/3 cases; referrals awaiting screening,
    declined and returned for Level 1 cases. Each names the practitioner who referred."""
    senders = sorted(referrers)
    rows: list[dict[str, Any]] = []
    if not senders:
        return rows

    def referral(reg: _Reg, day: date, level: int, status: ReferralStatus, **more: Any) -> None:
        agency_id = rng.choice(senders)
        person_id, name = rng.choice(referrers[agency_id])
        rows.append(
            {
                "id": first_id + len(rows),
                "case_id": reg.case_id,
                "referring_agency_id": agency_id,
                "referrer_person_id": person_id,
                "referrer_name": name,
                "referral_date": day,
                "category": reg.category,
                "level_sought": level,
                "reason": "Risk has escalated and needs multi-agency management.",
                "current_rosh": (RoshLevel.VERY_HIGH if level == 3 else RoshLevel.HIGH).value,
                "added_value": rng.choice(ADDED_VALUE),
                "level3_reason": rng.choice(LEVEL3_REASONS) if level == 3 else "",
                "source": rng.choice((ReferralSource.APP, ReferralSource.IMPORT)).value,
                "status": status.value,
                "accepted_level": more.get("accepted_level"),
                "screening_reason": more.get("reason", ""),
                "screened_on": more.get("screened_on"),
                "screened_by_id": creator_id if more.get("screened_on") else None,
                "created_by_id": creator_id,
                "created_at": now,
                "version": 1,
            }
        )

    recent = [r for r in regs if r.level > 1 and (today - r.start_date).days <= 365]
    for reg in rng.sample(recent, min(len(recent), 40)):
        day = reg.start_date - timedelta(days=rng.randint(3, 20))
        referral(
            reg,
            day,
            reg.level,
            ReferralStatus.ACCEPTED,
            accepted_level=reg.level,
            screened_on=reg.start_date,
            reason="Meets the Level criteria: High RoSH and other agencies' input needed.",
        )
    level_1 = [r for r in regs if r.level == 1 and r.category != 3]
    chosen = rng.sample(level_1, min(len(level_1), 30))
    for n, reg in enumerate(chosen):
        level = 3 if n % 7 == 0 else 2
        if n < 8:
            referral(
                reg,
                today - timedelta(days=rng.randint(0, 12)),
                level,
                ReferralStatus.AWAITING_SCREENING,
            )
            continue
        day = today - timedelta(days=rng.randint(20, 700))
        if n < 24:
            referral(
                reg,
                day,
                level,
                ReferralStatus.DECLINED,
                screened_on=day + timedelta(days=rng.randint(1, 10)),
                reason=rng.choice(DECLINE_REASONS),
            )
        else:
            referral(
                reg,
                day,
                level,
                ReferralStatus.RETURNED,
                screened_on=day + timedelta(days=rng.randint(1, 10)),
                reason=rng.choice(RETURN_REASONS),
            )
    return rows


def _events(
    rng: random.Random,
    today: date,
    cases: int,
    regs: Sequence[_Reg],
    now: datetime,
    creator_id: int | None,
    agency_ids: dict[str, int],
    first_id: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Events over the last ``YEARS`` reporting years (the current one up to today), and the
    registration updates for exits."""
    pools = {
        CaseEventKind.RETURN_TO_CUSTODY: [r for r in regs if r.level > 1],
        CaseEventKind.NOTIFICATION_BREACH: [r for r in regs if r.category == 1],
        CaseEventKind.ORDER_IMPOSED: [r for r in regs if r.category == 1],
        CaseEventKind.ORDER_ENDED: [r for r in regs if r.category == 1],
        CaseEventKind.SERIOUS_FURTHER_OFFENCE: list(regs),
        CaseEventKind.SERIOUS_CASE_REVIEW: [r for r in regs if r.level > 1],
        CaseEventKind.MAPPA_EXIT: [r for r in regs if r.level == 1],
    }
    scale = cases / 2000
    rows: list[dict[str, Any]] = []
    exits: list[dict[str, Any]] = []
    exited: set[int] = set()
    current = ReportingYear.containing(today)
    touched: set[int] = set()  # an exit goes to a case with no other event
    oldest = ReportingYear(current.start_year - YEARS + 1)
    for year in (ReportingYear(current.start_year - n) for n in reversed(range(YEARS))):
        last = min(year.last_day, today)
        for kind, per_2000 in PER_2000_CASES.items():
            wanted = per_2000 * scale * ((last - year.first_day).days + 1) / 365
            count = int(wanted) + (1 if rng.random() < wanted - int(wanted) else 0)
            if year == oldest:
                count = max(count, 1)  # every kind at least once, however small the demo
            barred = touched if kind is CaseEventKind.MAPPA_EXIT else exited
            pool = [r for r in pools[kind] if r.start_date <= last and r.case_id not in barred]
            for _ in range(min(count, len(pool))):
                reg = rng.choice(pool)
                first = max(year.first_day, reg.start_date)
                day = first + timedelta(days=rng.randint(0, (last - first).days))
                source, agency = SOURCES[kind]
                detail = rng.choice(DETAILS[kind])
                weights = SUBTYPE_WEIGHTS.get(kind)
                rows.append(
                    {
                        "id": first_id + len(rows),
                        "case_id": reg.case_id,
                        "kind": kind.value,
                        "subtype": _pick(rng, weights) if weights else None,
                        "event_date": day,
                        "source": source,
                        "source_agency_id": agency_ids.get(agency),
                        "detail": detail,
                        "restricted": kind is CaseEventKind.SERIOUS_CASE_REVIEW,
                        "recorded_by_id": creator_id,
                        "recorded_at": now,
                        "version": 1,
                    }
                )
                touched.add(reg.case_id)
                if kind is CaseEventKind.MAPPA_EXIT:
                    exited.add(reg.case_id)
                    exits.append({"reg_id": reg.id, "ended": day, "reason": detail})
    return rows, exits
