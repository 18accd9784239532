"""Team-wide settings kept in the database. Unconfirmed policy values live here, not in code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    cleaned = check.name("area_name", name, max_len=200)
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


# --- the co-ordinator's year: statistics and agenda packs -----------------------------------------

POPULATION = "area_population"
SUPPRESSION_THRESHOLD = "statistics_suppression_threshold"
AGENDA_SLOT_MINUTES = "agenda_slot_minutes"
JOINING_INSTRUCTIONS = "agenda_joining_instructions"
DEFAULT_SLOT_MINUTES = 20
DEFAULT_JOINING_INSTRUCTIONS = (
    "Please arrive ten minutes before your first case. Remote attendees: use the secure link "
    "sent by the MAPPA co-ordinator. Do not forward this agenda."
)


@dataclass(frozen=True, slots=True)
class CoordinationSettings:
    population: int | None  # the area's population, for rates per 100,000 (None: not set)
    suppression_threshold: int  # published counts above 0 and below this are suppressed (0: off)
    slot_minutes: int  # agenda time per case
    joining_instructions: str


def _int_setting(value: object, default: int | None) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def coordination_settings(session: Session) -> CoordinationSettings:
    rows = {s.key: s.value for s in session.scalars(select(AppSetting))}
    text = rows.get(JOINING_INSTRUCTIONS)
    return CoordinationSettings(
        population=_int_setting(rows.get(POPULATION), None),
        suppression_threshold=_int_setting(rows.get(SUPPRESSION_THRESHOLD), 0) or 0,
        slot_minutes=_int_setting(rows.get(AGENDA_SLOT_MINUTES), None) or DEFAULT_SLOT_MINUTES,
        joining_instructions=text if isinstance(text, str) else DEFAULT_JOINING_INSTRUCTIONS,
    )


def set_statistics_settings(
    session: Session, actor: Actor, *, population: int | None, suppression_threshold: int
) -> CoordinationSettings:
    """The area's population (None clears it) and the publication suppression threshold."""
    require_role(actor, Role.ADMINISTRATOR, Role.COORDINATOR, doing="change statistics settings")
    check = Checker()
    if population is not None and not 1_000 <= population <= 100_000_000:
        check.fail("population", "Give the area's population as a number from 1,000 upward.")
    if not 0 <= suppression_threshold <= 100:
        check.fail(
            "suppression_threshold", "The suppression threshold must be from 0 (off) to 100."
        )
    check.done()
    _put(session, actor, POPULATION, population)
    _put(session, actor, SUPPRESSION_THRESHOLD, suppression_threshold)
    return coordination_settings(session)


def set_agenda_settings(
    session: Session, actor: Actor, *, slot_minutes: int, joining_instructions: str
) -> CoordinationSettings:
    """The time allowed per case on an agenda and the joining instructions it prints."""
    require_role(actor, Role.ADMINISTRATOR, Role.COORDINATOR, doing="change agenda settings")
    check = Checker()
    if not 5 <= slot_minutes <= 240:
        check.fail("slot_minutes", "The time per case must be between 5 and 240 minutes.")
    cleaned = check.text("joining_instructions", joining_instructions, max_len=4_000)
    check.done()
    _put(session, actor, AGENDA_SLOT_MINUTES, slot_minutes)
    _put(session, actor, JOINING_INSTRUCTIONS, cleaned)
    return coordination_settings(session)


# --- the sign-off self-audit's thresholds (LOCAL POLICY defaults, not national rules) -------------

AUDIT_ASSESSMENT_AGE = "audit_assessment_age_days"
AUDIT_SIGN_OFF_DAYS = "audit_sign_off_working_days"
AUDIT_SIMILARITY = "audit_action_similarity_percent"
AUDIT_SENIOR_CHAIRS = "audit_senior_chair_roles"
# Local policy, not guidance: DOMAIN §3.2 finds "a superintendent (or equivalent)" for the highest
# risk and "strategic/senior managers" at Level 3, but no confirmed list of ranks.
DEFAULT_SENIOR_CHAIR_ROLES = (
    "Assistant Chief Officer",
    "Head of Public Protection",
    "Superintendent",
    "Chief Superintendent",
    "Deputy Director",
)
AUDIT_SETTING_DESCRIPTIONS = {
    AUDIT_ASSESSMENT_AGE: (
        "Local policy (no national figure is confirmed): a risk assessment older than this many "
        "days before the meeting needs the chair's reasoning at sign-off."
    ),
    AUDIT_SIGN_OFF_DAYS: (
        "Local policy (no national deadline is confirmed): signing off later than this many "
        "working days (Monday to Friday) after the meeting needs the chair's reasoning."
    ),
    AUDIT_SIMILARITY: (
        "Local policy: two new actions for one case whose wording is at least this percent "
        "alike are flagged as near-identical and need the chair's reasoning."
    ),
    AUDIT_SENIOR_CHAIRS: (
        "Local policy (no national list of ranks is confirmed): a Level 3 meeting whose chair's "
        "role title is none of these (compared ignoring case) needs the chair's reasoning."
    ),
}


@dataclass(frozen=True, slots=True)
class AuditSettings:
    """The self-audit's thresholds. Defaults are LOCAL POLICY, never presented as law."""

    assessment_age_days: int = 365
    sign_off_working_days: int = 10
    action_similarity_percent: int = 90
    senior_chair_roles: tuple[str, ...] = DEFAULT_SENIOR_CHAIR_ROLES

    def is_senior_chair(self, role_title: str) -> bool:
        """Is ``role_title`` one the local policy counts as senior enough to chair Level 3?"""
        wanted = " ".join(role_title.split()).casefold()
        return bool(wanted) and any(
            wanted == " ".join(r.split()).casefold() for r in self.senior_chair_roles
        )


def _roles_setting(value: object) -> tuple[str, ...] | None:
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def audit_settings(session: Session) -> AuditSettings:
    rows = {s.key: s.value for s in session.scalars(select(AppSetting))}
    default = AuditSettings()
    return AuditSettings(
        assessment_age_days=_int_setting(rows.get(AUDIT_ASSESSMENT_AGE), None)
        or default.assessment_age_days,
        sign_off_working_days=_int_setting(rows.get(AUDIT_SIGN_OFF_DAYS), None)
        or default.sign_off_working_days,
        action_similarity_percent=_int_setting(rows.get(AUDIT_SIMILARITY), None)
        or default.action_similarity_percent,
        senior_chair_roles=_roles_setting(rows.get(AUDIT_SENIOR_CHAIRS))
        or default.senior_chair_roles,
    )


def set_audit_settings(
    session: Session,
    actor: Actor,
    *,
    assessment_age_days: int | None = None,
    sign_off_working_days: int | None = None,
    action_similarity_percent: int | None = None,
    senior_chair_roles: Sequence[str] | None = None,
) -> AuditSettings:
    """Change the self-audit's local-policy thresholds (None: unchanged)."""
    require_role(actor, Role.ADMINISTRATOR, Role.COORDINATOR, doing="change self-audit settings")
    check = Checker()
    changes: dict[str, object] = {}
    limits: tuple[tuple[str, str, int | None, int, int], ...] = (
        (AUDIT_ASSESSMENT_AGE, "assessment_age_days", assessment_age_days, 30, 3_650),
        (AUDIT_SIGN_OFF_DAYS, "sign_off_working_days", sign_off_working_days, 1, 60),
        (AUDIT_SIMILARITY, "action_similarity_percent", action_similarity_percent, 50, 100),
    )
    for key, field_name, number, low, high in limits:
        if number is None:
            continue
        if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
            check.fail(
                field_name, f"The {field_name.replace('_', ' ')} must be from {low} to {high}."
            )
        else:
            changes[key] = number
    if senior_chair_roles is not None:
        roles = [check.name("senior_chair_roles", r, max_len=200) for r in senior_chair_roles]
        if not senior_chair_roles:
            check.fail("senior_chair_roles", "Give at least one role title senior enough to chair.")
        changes[AUDIT_SENIOR_CHAIRS] = [r for r in roles if r]
    check.done()
    for key, value in changes.items():
        _put(session, actor, key, value)
    return audit_settings(session)
