"""Small shared pieces of the meeting screen: what it loads, labels, date fields, combos."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time

from PySide6.QtWidgets import QComboBox, QGroupBox, QLabel, QWidget
from sqlalchemy.orm import Session

from mappa_desktop.domain.enums import (
    ActionStatus,
    AttendanceStatus,
    DecisionKind,
    Level,
    MeetingStatus,
    NotDoneReason,
    RmpPillar,
)
from mappa_desktop.services import meetings, people, rmp, settings
from mappa_desktop.services.meetings import MeetingDetail
from mappa_desktop.services.people import AgencyRow, PersonRow
from mappa_desktop.services.rmp import RmpItemRow
from reports import labels
from ui.forms.date_field import DateField
from ui.forms.dates import fmt_date as fmt_date  # re-exported: the screens' one date format
from ui.forms.dates import fmt_time as fmt_time
from ui.forms.dates import fmt_when as fmt_when
from ui.forms.fit import tame_combo
from ui.user_text import shown

# The words for stored values are the reports' (``reports.labels``): the screen says what the
# minutes print. A choice is worded differently only where choosing needs it (the *_CHOICES).
ATTENDANCE_LABELS = labels.labels_for(AttendanceStatus)
# "Deputy for someone": choosing it asks next for whom (the table then says "Deputy for <name>").
ATTENDANCE_CHOICES = ATTENDANCE_LABELS | {AttendanceStatus.DEPUTY: "Deputy for someone"}
# An action reviewed and left "Open" reads like an omission: the choice says it is not yet due.
OUTCOME_CHOICES = labels.labels_for(
    (ActionStatus.DONE, ActionStatus.CARRIED_OVER, ActionStatus.CANCELLED, ActionStatus.OPEN)
) | {ActionStatus.OPEN: "Still open (not yet due)"}
REASON_LABELS = labels.labels_for(NotDoneReason)
DECISION_LABELS = labels.labels_for(
    (
        DecisionKind.LEVEL,
        DecisionKind.DISCLOSURE,
        DecisionKind.NEXT_REVIEW,
        DecisionKind.CATEGORY,
        DecisionKind.EXIT,
        DecisionKind.OTHER,
    )
)
PILLAR_LABELS = labels.labels_for(RmpPillar)
STATUS_TEXT = labels.labels_for(MeetingStatus)


@dataclass(frozen=True, slots=True)
class ScreenData:
    """Everything the meeting screen shows, loaded in one background task."""

    detail: MeetingDetail
    agencies: tuple[AgencyRow, ...]
    people: tuple[PersonRow, ...]
    review_days: dict[int, int]  # level -> days until the next review
    plans: dict[int, tuple[RmpItemRow, ...]] = field(default_factory=dict)  # case id -> items

    def agency(self, agency_id: int) -> AgencyRow | None:
        return next((a for a in self.agencies if a.id == agency_id), None)


def load_screen(
    session: Session, meeting_id: int, detail: meetings.MeetingDetail | None = None
) -> ScreenData:
    """``detail``: the meeting as the caller already loaded it (then it is not loaded again)."""
    if detail is None:
        detail = meetings.get_meeting(session, meeting_id)
    policy = settings.policy(session)
    # One statement for every case on the agenda (the screen's query count must not grow).
    plans = {
        case_id: tuple(items)
        for case_id, items in rmp.current_plans(
            session, [item.case.case_id for item in detail.agenda]
        ).items()
    }
    return ScreenData(
        detail=detail,
        agencies=tuple(people.list_agencies(session)),
        people=tuple(people.list_people(session)),
        review_days={int(k): v for k, v in policy.review_interval_days.items()},
        plans=plans,
    )


def next_review_for(data: ScreenData, level: int) -> date:
    days = data.review_days.get(level) or data.review_days.get(int(Level.LEVEL_2), 112)
    return date.fromordinal(data.detail.meeting.meeting_date.toordinal() + days)


def parse_time(text: str) -> time | None:
    """'9:30' or '09:30' -> time; blank -> None; anything else raises ValueError."""
    text = text.strip()
    if not text:
        return None
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes or 0))


def date_edit(value: date, name: str) -> DateField:
    """The one date field of both screens (``ui.forms.date_field``), showing ``value``."""
    edit = DateField(name)
    edit.set_date(value)
    return edit


def agency_combo(
    agencies: Iterable[AgencyRow], name: str, *, blank: str | None = None
) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    fill_agencies(combo, agencies, blank=blank)
    return combo


def fill_agencies(
    combo: QComboBox, agencies: Iterable[AgencyRow], *, blank: str | None = None
) -> None:
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    if blank is not None:
        combo.addItem(blank, None)
    for a in agencies:
        name = shown(a.name)
        combo.addItem(name if a.name == a.short_name else f"{shown(a.short_name)} — {name}", a.id)
    position = combo.findData(current)
    combo.setCurrentIndex(max(position, 0))
    combo.blockSignals(False)


def fill_people(
    combo: QComboBox,
    persons: Iterable[PersonRow],
    *,
    agency_id: int | None = None,
    blank: str = "(no one named)",
) -> None:
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(blank, None)
    for p in persons:
        if agency_id is None or p.agency_id == agency_id:
            role = f", {shown(p.role_title)}" if p.role_title else ""
            combo.addItem(f"{shown(p.display_name)} ({shown(p.agency_short_name)}{role})", p.id)
    position = combo.findData(current)
    combo.setCurrentIndex(max(position, 0))
    combo.blockSignals(False)


def tame_combos(root: QWidget, length: int = 16) -> None:
    """Combos size to a sensible width instead of their longest agency name (no side scroll)."""
    for combo in root.findChildren(QComboBox):
        tame_combo(combo, length)


def set_combo(combo: QComboBox, value: object) -> None:
    position = combo.findData(value)
    if position >= 0:
        combo.setCurrentIndex(position)


def section(title: str, object_name: str) -> QGroupBox:
    box = QGroupBox(title)
    box.setObjectName(object_name)
    return box


def buddy(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    return label
