"""Pure MAPPA rules: registration validity, review dates, the meeting status machine."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from mappa_desktop.domain.enums import Category, Level, MeetingStatus, RoshLevel

# Review intervals are *unconfirmed* in national guidance (DOMAIN.md §3.3): they are defaults for
# a team-wide setting, never law. Days per level.
DEFAULT_REVIEW_INTERVAL_DAYS: Mapping[Level, int] = {
    Level.LEVEL_1: 365,
    Level.LEVEL_2: 16 * 7,
    Level.LEVEL_3: 8 * 7,
}


def registration_problem(category: Category, level: Level) -> str | None:
    """Why this category/level combination is not allowed, or None when it is."""
    if category is Category.OTHER_DANGEROUS_OFFENDER and level is Level.LEVEL_1:
        return (
            "Category 3 offenders require multi-agency management at Level 2 or 3 "
            "and cannot be recorded at Level 1."
        )
    return None


def next_review_due(from_date: date, level: Level, intervals: Mapping[Level, int]) -> date:
    return from_date + timedelta(days=intervals[level])


def suggested_level(
    overall_rosh: RoshLevel | None,
    *,
    multi_agency_adds_value: bool,
    needs_senior_oversight: bool,
    lower_risk_needs_coordination: bool = False,
) -> Level:
    """The level the criteria helper suggests (Guidance ch.7, 7.3-7.5). The person decides.

    Level 2 when formal multi-agency meetings add value and the RoSH is High or Very High, or
    (exceptionally) a lower-risk case needs other agencies' active co-ordination. Level 3 when
    Level 2 applies and the case needs senior representation (resources at short notice, media
    or public interest).
    """
    high = overall_rosh is not None and overall_rosh.rank >= RoshLevel.HIGH.rank
    level_2 = multi_agency_adds_value and (high or lower_risk_needs_coordination)
    if level_2 and needs_senior_oversight:
        return Level.LEVEL_3
    if level_2:
        return Level.LEVEL_2
    return Level.LEVEL_1


# The meeting status machine. Returning to draft from awaiting sign-off happens on any edit.
MEETING_TRANSITIONS: Mapping[MeetingStatus, frozenset[MeetingStatus]] = {
    MeetingStatus.PLANNED: frozenset({MeetingStatus.IN_PROGRESS}),
    MeetingStatus.IN_PROGRESS: frozenset({MeetingStatus.DRAFT}),
    MeetingStatus.DRAFT: frozenset({MeetingStatus.AWAITING_SIGN_OFF, MeetingStatus.IN_PROGRESS}),
    MeetingStatus.AWAITING_SIGN_OFF: frozenset({MeetingStatus.DRAFT, MeetingStatus.SIGNED_OFF}),
    MeetingStatus.SIGNED_OFF: frozenset({MeetingStatus.DISTRIBUTED}),
    MeetingStatus.DISTRIBUTED: frozenset(),
}

FROZEN_STATUSES = frozenset({MeetingStatus.SIGNED_OFF, MeetingStatus.DISTRIBUTED})


def can_transition(current: MeetingStatus, target: MeetingStatus) -> bool:
    return target in MEETING_TRANSITIONS[current]
