"""Human-readable labels for the stored enum values printed in reports."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TypeVar

from mappa_desktop.domain.enums import (
    ActionStatus,
    AgendaReason,
    AssessmentTool,
    AttendanceStatus,
    Category,
    CustodyStatus,
    DecisionKind,
    IdentifierScheme,
    MeetingStatus,
    MeetingType,
    NotDoneReason,
    RiskGroup,
    RiskSetting,
    RiskTrend,
    RmpChange,
    RmpItemStatus,
    RmpPillar,
    RoshLevel,
)

_LABELS: dict[str, str] = {
    MeetingType.INITIAL: "Initial",
    MeetingType.REVIEW: "Review",
    MeetingType.SPECIAL: "Special",
    MeetingStatus.PLANNED: "Planned",
    MeetingStatus.IN_PROGRESS: "In progress",
    MeetingStatus.DRAFT: "Draft minutes",
    MeetingStatus.AWAITING_SIGN_OFF: "Awaiting sign-off",
    MeetingStatus.SIGNED_OFF: "Signed off",
    MeetingStatus.DISTRIBUTED: "Distributed",
    AttendanceStatus.PRESENT: "Present",
    AttendanceStatus.APOLOGIES: "Apologies",
    AttendanceStatus.ABSENT: "Absent",
    AttendanceStatus.DEPUTY: "Deputy",
    AttendanceStatus.REPORT_SUBMITTED: "Written report submitted",
    RoshLevel.LOW: "Low",
    RoshLevel.MEDIUM: "Medium",
    RoshLevel.HIGH: "High",
    RoshLevel.VERY_HIGH: "Very High",
    RiskGroup.CHILDREN: "Children",
    RiskGroup.PUBLIC: "Public",
    RiskGroup.KNOWN_ADULT: "Known adult",
    RiskGroup.STAFF: "Staff",
    RiskGroup.PRISONERS: "Prisoners",
    RiskSetting.COMMUNITY: "Community",
    RiskSetting.CUSTODY: "Custody",
    RiskTrend.INCREASING: "Increasing",
    RiskTrend.STABLE: "Stable",
    RiskTrend.DECREASING: "Decreasing",
    CustodyStatus.HOSPITAL: "Hospital",
    AssessmentTool.OASYS: "OASys",
    AssessmentTool.RM2000: "RM2000",
    AssessmentTool.OSP: "OSP",
    AssessmentTool.ARMS: "ARMS",
    AssessmentTool.OTHER: "Other",
    RmpPillar.SUPERVISION: "Supervision",
    RmpPillar.MONITORING_CONTROL: "Monitoring and control",
    RmpPillar.INTERVENTIONS_TREATMENT: "Interventions and treatment",
    RmpPillar.VICTIM_SAFETY: "Victim safety planning",
    RmpPillar.CONTINGENCY: "Contingency plans",
    RmpPillar.LICENCE_CONDITION: "Licence conditions",
    RmpItemStatus.ACTIVE: "Active",
    ActionStatus.OPEN: "Open",
    ActionStatus.DONE: "Done",
    ActionStatus.CARRIED_OVER: "Carried over",
    ActionStatus.CANCELLED: "Cancelled",
    NotDoneReason.NOT_DONE_BY_AGENCY: "Not done by the agency",
    NotDoneReason.CIRCUMSTANCES_CHANGED: "Circumstances changed",
    DecisionKind.LEVEL: "Level",
    DecisionKind.CATEGORY: "Category",
    DecisionKind.DISCLOSURE: "Disclosure",
    DecisionKind.NEXT_REVIEW: "Next review",
    DecisionKind.EXIT: "Exit from MAPPA",
    DecisionKind.OTHER: "Other",
    AgendaReason.REVIEW_DUE: "Review due",
    AgendaReason.NEW_REFERRAL: "New referral",
    AgendaReason.OVERDUE_ACTIONS: "Overdue actions",
    AgendaReason.ADDED: "Added to the agenda",
    IdentifierScheme.VISOR: "ViSOR",
    IdentifierScheme.PNC: "PNC",
    IdentifierScheme.CRN: "CRN",
    IdentifierScheme.NOMIS: "NOMIS",
    IdentifierScheme.NHS: "NHS number",
}
# "ended" is both an RMP item status and an RMP change; both read "Ended".
_LABELS[RmpItemStatus.ENDED] = "Ended"

CHANGE_TAGS: dict[str, str] = {
    RmpChange.ADDED: "NEW",
    RmpChange.CHANGED: "CHANGED",
    RmpChange.ENDED: "ENDED",
}

_CATEGORY_NAMES = {
    Category.REGISTERED_SEXUAL_OFFENDER: "registered sexual offender",
    Category.VIOLENT_OFFENDER: "violent offender",
    Category.OTHER_DANGEROUS_OFFENDER: "other dangerous offender",
    Category.TERRORIST_RISK: "terrorist or terrorism-risk offender",
}

_V = TypeVar("_V", bound=str)

PILLARS: tuple[str, ...] = tuple(p.value for p in RmpPillar)

NOT_RECORDED = "Not recorded"


def label(value: str) -> str:
    """``"known_adult"`` -> ``"Known adult"``; unknown values are made readable, never dropped."""
    if value in _LABELS:
        return _LABELS[value]
    text = value.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else ""


def labels_for(values: Iterable[_V]) -> dict[_V, str]:
    """Each value with its ``label``, in the order given: the screens' tables and combos say what
    the reports print (a screen words a choice differently only where the choice needs it)."""
    return {value: label(value) for value in values}


def category_label(category: int) -> str:
    try:
        return f"Category {category} ({_CATEGORY_NAMES[Category(category)]})"
    except ValueError:
        return f"Category {category}"


def yes_no(value: bool | None) -> str:
    if value is None:
        return NOT_RECORDED
    return "Yes" if value else "No"


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def date_text(iso: str) -> str:
    """``"2025-03-04"`` -> ``"4 March 2025"``; text that is not an ISO date prints as given."""
    if not iso:
        return ""
    try:
        d = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def datetime_text(iso: str) -> str:
    """An ISO date-time as ``"4 March 2025 14:05 UTC"`` (seconds dropped)."""
    if not iso:
        return ""
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    zone = ""
    offset = dt.utcoffset()
    if offset is not None:
        zone = " UTC" if not offset else f" UTC{dt.strftime('%z')}"
    return f"{date_text(dt.date().isoformat())} {dt.hour:02d}:{dt.minute:02d}{zone}"
