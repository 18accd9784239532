"""All mapped classes. Import from here so every table is registered on ``Base.metadata``."""

from mappa_desktop.db.models.cases import Case, CaseAlias, CaseIdentifier, Registration
from mappa_desktop.db.models.coordination import CaseEvent, Referral
from mappa_desktop.db.models.meetings import (
    Action,
    ActionReview,
    Attendance,
    CaseAttendance,
    CaseDiscussion,
    Decision,
    Dissent,
    InformationShared,
    InvitedAgency,
    Meeting,
)
from mappa_desktop.db.models.people import Agency, AppSetting, Person, User, UserRole
from mappa_desktop.db.models.records import (
    Addendum,
    AuditEvent,
    Distribution,
    IssuedFile,
    Minutes,
)
from mappa_desktop.db.models.risk import RiskAssessment, RmpItem, RmpRevision, RoshRating

__all__ = [
    "Action",
    "ActionReview",
    "Addendum",
    "Agency",
    "AppSetting",
    "Attendance",
    "AuditEvent",
    "Case",
    "CaseAlias",
    "CaseAttendance",
    "CaseDiscussion",
    "CaseEvent",
    "CaseIdentifier",
    "Decision",
    "Dissent",
    "Distribution",
    "InformationShared",
    "InvitedAgency",
    "IssuedFile",
    "Meeting",
    "Minutes",
    "Person",
    "Referral",
    "Registration",
    "RiskAssessment",
    "RmpItem",
    "RmpRevision",
    "RoshRating",
    "User",
    "UserRole",
]
