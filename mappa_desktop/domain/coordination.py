"""The co-ordinator's year: referral states, case events between meetings, the reporting year.

Pure values and rules (DOMAIN.md §3.1, §6.5, §7a); no SQLAlchemy, no Qt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class ReferralStatus(StrEnum):
    """Where a MAPPA A referral stands with the co-ordinator."""

    AWAITING_SCREENING = "awaiting_screening"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    RETURNED = "returned"  # returned to the referrer for more information

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    ReferralStatus.AWAITING_SCREENING: "awaiting screening",
    ReferralStatus.ACCEPTED: "accepted",
    ReferralStatus.DECLINED: "declined",
    ReferralStatus.RETURNED: "returned for more information",
}


class ScreeningOutcome(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    RETURN = "return"


SCREENING_RESULT: Mapping[ScreeningOutcome, ReferralStatus] = {
    ScreeningOutcome.ACCEPT: ReferralStatus.ACCEPTED,
    ScreeningOutcome.DECLINE: ReferralStatus.DECLINED,
    ScreeningOutcome.RETURN: ReferralStatus.RETURNED,
}


class ReferralSource(StrEnum):
    APP = "app"
    IMPORT = "import"


class CaseEventKind(StrEnum):
    """What can happen to an offender between meetings and must be recorded (DOMAIN §7a)."""

    RETURN_TO_CUSTODY = "return_to_custody"
    NOTIFICATION_BREACH = "notification_breach"
    ORDER_IMPOSED = "order_imposed"
    ORDER_ENDED = "order_ended"
    SERIOUS_FURTHER_OFFENCE = "serious_further_offence"
    SERIOUS_CASE_REVIEW = "serious_case_review"
    MAPPA_EXIT = "mappa_exit"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    CaseEventKind.RETURN_TO_CUSTODY: "Returned to custody",
    CaseEventKind.NOTIFICATION_BREACH: "Breach of notification requirements",
    CaseEventKind.ORDER_IMPOSED: "Civil order imposed",
    CaseEventKind.ORDER_ENDED: "Civil order ended",
    CaseEventKind.SERIOUS_FURTHER_OFFENCE: "Serious further offence charged",
    CaseEventKind.SERIOUS_CASE_REVIEW: "Serious case review commissioned",
    CaseEventKind.MAPPA_EXIT: "Exit from MAPPA",
}


class CustodyReason(StrEnum):
    BREACH_OF_LICENCE = "breach_of_licence"
    BREACH_OF_ORDER = "breach_of_order"
    NEW_OFFENCE = "new_offence"


class BreachOutcome(StrEnum):
    CAUTIONED = "cautioned"
    CONVICTED = "convicted"


class CivilOrder(StrEnum):
    SHPO = "shpo"
    SHPO_FOREIGN_TRAVEL = "shpo_foreign_travel"
    SRO = "sro"
    NOTIFICATION_ORDER = "notification_order"


SUBTYPE_LABELS: Mapping[str, str] = {
    CustodyReason.BREACH_OF_LICENCE: "breach of licence",
    CustodyReason.BREACH_OF_ORDER: "breach of an order",
    CustodyReason.NEW_OFFENCE: "new offence",
    BreachOutcome.CAUTIONED: "cautioned",
    BreachOutcome.CONVICTED: "convicted",
    CivilOrder.SHPO: "Sexual Harm Prevention Order (SHPO)",
    CivilOrder.SHPO_FOREIGN_TRAVEL: "SHPO with a foreign travel restriction",
    CivilOrder.SRO: "Sexual Risk Order (SRO)",
    CivilOrder.NOTIFICATION_ORDER: "Notification order",
}

# Which detail (subtype) each kind needs; kinds not listed take none.
SUBTYPES: Mapping[CaseEventKind, tuple[str, ...]] = {
    CaseEventKind.RETURN_TO_CUSTODY: tuple(CustodyReason),
    CaseEventKind.NOTIFICATION_BREACH: tuple(BreachOutcome),
    CaseEventKind.ORDER_IMPOSED: tuple(CivilOrder),
    CaseEventKind.ORDER_ENDED: tuple(CivilOrder),
}
ALL_SUBTYPES: tuple[str, ...] = tuple(dict.fromkeys(s for v in SUBTYPES.values() for s in v))


def subtype_problem(kind: CaseEventKind, subtype: str | None) -> str | None:
    """Why ``subtype`` does not fit ``kind`` (a sentence), or None when it does."""
    allowed = SUBTYPES.get(kind, ())
    if not allowed:
        if subtype:
            return f"A '{kind.label.lower()}' event takes no detail type; leave it empty."
        return None
    if subtype not in allowed:
        return (
            f"Choose the detail of the '{kind.label.lower()}' event: one of {', '.join(allowed)}."
        )
    return None


@dataclass(frozen=True, slots=True)
class ReportingYear:
    """The MAPPA reporting year 1 April ``start_year`` to 31 March ``start_year + 1``."""

    start_year: int

    @property
    def first_day(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def last_day(self) -> date:
        return date(self.start_year + 1, 3, 31)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{str(self.start_year + 1)[-2:]}"

    @classmethod
    def containing(cls, day: date) -> ReportingYear:
        return cls(day.year if day.month >= 4 else day.year - 1)


def suppressed(count: int, threshold: int) -> bool:
    """Whether a published count is hidden: more than zero and below the threshold (0 = off)."""
    return 0 < count < threshold
