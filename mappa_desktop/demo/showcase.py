"""The demo's unsigned meetings, minuted with the weak spots an inspector finds in real MAPPA
minutes, so the sign-off self-audit has something to show (issue 11).

The meeting awaiting sign-off holds a case whose plan has no contingency, a case on licence with
no licence conditions in its plan, and a case whose risk assessment is older than the local
policy allows. The draft holds the indefensible exit: a man at Level 2 assessed at High risk of
serious harm, the risk described as increasing, a child-safety action still open, leaving MAPPA
with the rationale "Notification period ended"; and a case with no victim issues recorded and a
new action with no purpose. Everything else in those meetings is completed as for a signed one,
so the findings are the planted ones.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Exists, exists, select
from sqlalchemy.orm import Session

from mappa_desktop.db.models import Case, Registration, RiskAssessment, RmpItem
from mappa_desktop.demo.offences import PROFILE_OF
from mappa_desktop.domain.enums import RmpItemStatus, RmpPillar

CHILD_PROFILES = ("child_sexual", "online_child")


@dataclass(frozen=True, slots=True)
class Flaws:
    """What the minute-taker leaves wrong for one case of an unsigned meeting."""

    unsound_exit: bool = False
    no_victim_issues: bool = False
    no_action_purpose: bool = False
    stale_assessment: bool = False
    no_contingency: bool = False
    no_licence_conditions: bool = False

    @property
    def left_alone(self) -> frozenset[str]:
        """The self-audit criteria not to fix before sign-off."""
        wanted = (
            (self.no_victim_issues, "victim_issues"),
            (self.no_contingency, "rmp_contingency"),
            (self.no_licence_conditions, "licence_conditions"),
        )
        return frozenset(criterion for flag, criterion in wanted if flag)


SOUND = Flaws()


def _level_2(session: Session, day: date, exclude: Collection[int]) -> list[int]:
    """Cases registered at Level 2 on ``day`` (and still registered), by id."""
    return [
        case_id
        for case_id in session.scalars(
            select(Registration.case_id)
            .where(
                Registration.is_current.is_(True),
                Registration.ended_on.is_(None),
                Registration.level == 2,
                Registration.start_date <= day,
            )
            .order_by(Registration.case_id)
            .limit(400)
        )
        if case_id not in exclude
    ]


def _active(pillar: RmpPillar) -> Exists:
    return exists().where(
        RmpItem.case_id == Case.id,
        RmpItem.pillar == pillar,
        RmpItem.status == RmpItemStatus.ACTIVE,
    )


def _first(session: Session, candidates: Sequence[int], *where: ColumnElement[bool]) -> int | None:
    """The first of ``candidates`` (by id) meeting every condition, or None."""
    if not candidates:
        return None
    return session.scalar(
        select(Case.id).where(Case.id.in_(candidates), *where).order_by(Case.id).limit(1)
    )


def _fill(chosen: list[int], pool: Sequence[int], size: int) -> list[int]:
    for case_id in pool:
        if len(chosen) >= size:
            break
        if case_id not in chosen:
            chosen.append(case_id)
    return chosen


def awaiting_agenda(
    session: Session,
    day: date,
    pool: Sequence[int],
    size: int,
    *,
    exclude: Collection[int],
    assessment_age_days: int,
) -> tuple[list[int], dict[int, Flaws]]:
    """The agenda of the meeting left awaiting sign-off, and each planted case's flaw."""
    candidates = _level_2(session, day, exclude)
    flaws: dict[int, Flaws] = {}
    no_contingency = _first(session, candidates, ~_active(RmpPillar.CONTINGENCY))
    if no_contingency is not None:
        flaws[no_contingency] = Flaws(no_contingency=True)
    rest = [c for c in candidates if c not in flaws]
    licence = _first(
        session,
        rest,
        Case.sentence.contains("licence"),
        ~_active(RmpPillar.LICENCE_CONDITION),
    )
    if licence is not None:
        flaws[licence] = Flaws(no_licence_conditions=True)
    rest = [c for c in rest if c not in flaws]
    recent = exists().where(
        RiskAssessment.case_id == Case.id,
        RiskAssessment.assessed_on >= day - timedelta(days=assessment_age_days),
    )
    stale = _first(session, rest, ~recent)
    if stale is not None:
        flaws[stale] = Flaws(stale_assessment=True)
    agenda = _fill(list(flaws), [c for c in pool if c not in exclude], size)
    return agenda, flaws


def draft_agenda(
    session: Session,
    day: date,
    pool: Sequence[int],
    size: int,
    *,
    exclude: Collection[int],
) -> tuple[list[int], dict[int, Flaws]]:
    """The agenda of the draft meeting, and each planted case's flaw: the unsound exit of a
    Category 1 man (one whose offences were against children where there is one), then a case
    with no victim issues (one with no victim notes on file where there is one) and a case with
    an action set without its purpose."""
    candidates = _level_2(session, day, exclude)
    rows = session.execute(
        select(Case.id, Case.index_offence, Case.gender, Case.victim_notes, Registration.category)
        .join(Registration, Registration.case_id == Case.id)
        .where(Case.id.in_(candidates), Registration.is_current.is_(True))
        .order_by(Case.id)
    ).all()
    men = [r for r in rows if r.category == 1 and r.gender != "Female"]
    exit_case = next(
        (r.id for r in men if PROFILE_OF.get(r.index_offence) in CHILD_PROFILES),
        men[0].id if men else None,
    )
    flaws: dict[int, Flaws] = {}
    if exit_case is not None:
        flaws[exit_case] = Flaws(unsound_exit=True)
    agenda = _fill(list(flaws), [c for c in pool if c not in exclude], size)
    others = [c for c in agenda if c not in flaws]
    no_notes = {r.id for r in rows if not r.victim_notes.strip()}
    missing_victim = next((c for c in others if c in no_notes), others[0] if others else None)
    if missing_victim is not None:
        flaws[missing_victim] = Flaws(no_victim_issues=True)
    no_purpose = next((c for c in others if c not in flaws), None)
    if no_purpose is not None:
        flaws[no_purpose] = Flaws(no_action_purpose=True)
    return agenda, flaws
