"""Enumerations of the MAPPA domain (see shared DOMAIN.md)."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class AgencyKind(StrEnum):
    RESPONSIBLE_AUTHORITY = "responsible_authority"
    DUTY_TO_COOPERATE = "duty_to_cooperate"
    ASSOCIATE = "associate"
    OTHER = "other"


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    COORDINATOR = "coordinator"
    CHAIR = "chair"
    MINUTE_TAKER = "minute_taker"
    READER = "reader"


class Category(IntEnum):
    REGISTERED_SEXUAL_OFFENDER = 1
    VIOLENT_OFFENDER = 2
    OTHER_DANGEROUS_OFFENDER = 3
    TERRORIST_RISK = 4


class Level(IntEnum):
    LEVEL_1 = 1
    LEVEL_2 = 2
    LEVEL_3 = 3


class CustodyStatus(StrEnum):
    COMMUNITY = "community"
    CUSTODY = "custody"
    HOSPITAL = "hospital"


class IdentifierScheme(StrEnum):
    VISOR = "visor"
    PNC = "pnc"
    CRN = "crn"
    NOMIS = "nomis"
    NHS = "nhs"


class AliasKind(StrEnum):
    ALIAS = "alias"
    NICKNAME = "nickname"
    PREVIOUS_NAME = "previous_name"


class RoshLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"

    @property
    def rank(self) -> int:
        return _ROSH_RANK[self]

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").title()


_ROSH_RANK = {RoshLevel.LOW: 1, RoshLevel.MEDIUM: 2, RoshLevel.HIGH: 3, RoshLevel.VERY_HIGH: 4}


class RiskSetting(StrEnum):
    COMMUNITY = "community"
    CUSTODY = "custody"


class RiskGroup(StrEnum):
    CHILDREN = "children"
    PUBLIC = "public"
    KNOWN_ADULT = "known_adult"
    STAFF = "staff"
    PRISONERS = "prisoners"  # custody only


GROUPS_BY_SETTING: dict[RiskSetting, tuple[RiskGroup, ...]] = {
    RiskSetting.COMMUNITY: (
        RiskGroup.CHILDREN,
        RiskGroup.PUBLIC,
        RiskGroup.KNOWN_ADULT,
        RiskGroup.STAFF,
    ),
    RiskSetting.CUSTODY: (
        RiskGroup.CHILDREN,
        RiskGroup.PUBLIC,
        RiskGroup.KNOWN_ADULT,
        RiskGroup.STAFF,
        RiskGroup.PRISONERS,
    ),
}


class AssessmentTool(StrEnum):
    OASYS = "oasys"
    RM2000 = "rm2000"
    OSP = "osp"
    ARMS = "arms"
    OTHER = "other"


class RmpPillar(StrEnum):
    SUPERVISION = "supervision"
    MONITORING_CONTROL = "monitoring_control"
    INTERVENTIONS_TREATMENT = "interventions_treatment"
    VICTIM_SAFETY = "victim_safety"
    CONTINGENCY = "contingency"
    LICENCE_CONDITION = "licence_condition"


class RmpItemStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class RmpChange(StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    ENDED = "ended"


class MeetingType(StrEnum):
    INITIAL = "initial"
    REVIEW = "review"
    SPECIAL = "special"


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DRAFT = "draft"
    AWAITING_SIGN_OFF = "awaiting_sign_off"
    SIGNED_OFF = "signed_off"
    DISTRIBUTED = "distributed"


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    APOLOGIES = "apologies"
    ABSENT = "absent"
    DEPUTY = "deputy"
    REPORT_SUBMITTED = "report_submitted"


class AgendaReason(StrEnum):
    REVIEW_DUE = "review_due"
    NEW_REFERRAL = "new_referral"
    OVERDUE_ACTIONS = "overdue_actions"
    ADDED = "added"


class DecisionKind(StrEnum):
    LEVEL = "level"
    CATEGORY = "category"
    DISCLOSURE = "disclosure"
    NEXT_REVIEW = "next_review"
    EXIT = "exit"
    OTHER = "other"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CARRIED_OVER = "carried_over"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        return self in (ActionStatus.OPEN, ActionStatus.CARRIED_OVER)


class NotDoneReason(StrEnum):
    """Why an action was not done: the distinction SafeLives and MAPPA audits ask for."""

    NOT_DONE_BY_AGENCY = "not_done_by_agency"
    CIRCUMSTANCES_CHANGED = "circumstances_changed"


class DistributionVariant(StrEnum):
    FULL = "full"
    DISCLOSURE_SUMMARY = "disclosure_summary"  # meeting-wide copies issued before 0008
    REDACTED = "redacted"  # each restricted item replaced by a visible "withheld" mark


class RiskTrend(StrEnum):
    """Whether the risk is recorded as increasing at this meeting (migration 0008)."""

    INCREASING = "increasing"
    STABLE = "stable"
    DECREASING = "decreasing"
