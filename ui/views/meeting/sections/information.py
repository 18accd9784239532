"""Information shared by each agency in the room for the case (or invited for it): what was
shared, who gave it, the date it is correct at, or that the agency declined to share (the text
then says why).

Each agency's entry autosaves as one value: its text and those three choices serialised to JSON
(``information_value``). A journal entry written before the choices existed holds the text
alone; it is read as the text with nothing chosen."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from mappa_desktop.domain.enums import AttendanceStatus
from mappa_desktop.domain.errors import ValidationError
from mappa_desktop.services import discussions
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.discussions import InformationRow
from mappa_desktop.services.meetings import AgendaItem
from mappa_desktop.services.people import AgencyRow
from ui.views.meeting.autosave import ConflictPanel, FieldBinding, Saved
from ui.views.meeting.common import (
    ScreenData,
    buddy,
    date_edit,
    fill_people,
)
from ui.views.meeting.draft_keys import DraftKey, KeyKind
from ui.views.meeting.sections.base import CaseContext

_PARTS = frozenset({"text", "given_by_id", "as_at", "declined"})
TEXT_PLACEHOLDER = "What this agency shared (leave empty if nothing)"
DECLINED_PLACEHOLDER = "Why the agency declined to share"


@dataclass(frozen=True, slots=True)
class InformationValue:
    """One agency's entry as the form holds it."""

    text: str = ""
    given_by_id: int | None = None
    as_at: date | None = None
    declined: bool = False

    def dumps(self) -> str:
        """The one string the binding saves and journals."""
        return json.dumps(
            {
                "text": self.text,
                "given_by_id": self.given_by_id,
                "as_at": self.as_at.isoformat() if self.as_at else None,
                "declined": self.declined,
            },
            sort_keys=True,
            ensure_ascii=False,
        )

    @classmethod
    def loads(cls, value: str) -> InformationValue:
        """Read ``dumps``' string; anything else is an older journal entry: the text alone."""
        try:
            data = json.loads(value)
        except ValueError:
            return cls(text=value)
        if not isinstance(data, dict) or set(data) != _PARTS:
            return cls(text=value)
        try:
            as_at = date.fromisoformat(data["as_at"]) if isinstance(data["as_at"], str) else None
        except ValueError:
            as_at = None
        return cls(
            text=str(data["text"]),
            given_by_id=data["given_by_id"] if isinstance(data["given_by_id"], int) else None,
            as_at=as_at,
            declined=data["declined"] is True,
        )

    @classmethod
    def of(cls, row: InformationRow | None) -> InformationValue:
        if row is None:
            return cls()
        return cls(row.text, row.given_by_id, row.as_at, row.declined)

    def describe(self, people: dict[int, str]) -> str:
        """In words, for the conflict panel."""
        parts = [self.text]
        if self.declined:
            parts.append("(declined to share)")
        if self.given_by_id is not None:
            parts.append(f"(given by {people.get(self.given_by_id, 'someone')})")
        if self.as_at is not None:
            parts.append(f"(as at {self.as_at.isoformat()})")
        return " ".join(p for p in parts if p)


def save_information(
    actor: Actor, discussion_id: int, agency_id: int
) -> Callable[[str, int | None], Callable[[Session], Saved]]:
    def make(value: str, version: int | None) -> Callable[[Session], Saved]:
        entry = InformationValue.loads(value)
        if not entry.text.strip() and not entry.declined and (entry.given_by_id or entry.as_at):
            raise ValidationError.single(
                "text",
                "Type what the agency shared (or tick “Declined to share” and say why): who "
                "gave it and when are kept with the text.",
            )

        def work(s: Session) -> Saved:
            row = discussions.save_information(
                s,
                actor,
                discussion_id,
                agency_id=agency_id,
                text=entry.text,
                expected_version=version,
                given_by_id=entry.given_by_id,
                as_at=entry.as_at,
                declined=entry.declined,
            )
            return Saved(row.version if row else None, InformationValue.of(row).dumps())

        return work

    return make


def theirs_information(current: object) -> tuple[str, int | None]:
    if isinstance(current, InformationRow):
        return InformationValue.of(current).dumps(), current.version
    return InformationValue().dumps(), None


def agency_caption(agency: AgencyRow) -> str:
    if agency.short_name == agency.name:
        return agency.name
    return f"{agency.short_name} ({agency.name})"


class InformationFieldView(QWidget):
    """One agency's entry: caption and save state, the text, who gave it, as at, declined, and
    (when needed) the conflict panel."""

    def __init__(self, caption: str, meeting_date: date) -> None:
        super().__init__()
        self.caption = QLabel(caption)
        self.caption.setWordWrap(True)  # a long agency name wraps rather than widening the page
        self.state = QLabel("")
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText(TEXT_PLACEHOLDER)
        self.editor.setTabChangesFocus(True)
        self.editor.setAccessibleName(caption.rstrip(":"))
        line = self.editor.fontMetrics().lineSpacing()
        self.editor.setMinimumHeight(line * 2 + 12)
        self.editor.setMaximumHeight(line * 5 + 12)
        self.editor.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.caption.setBuddy(self.editor)
        self.state.setAccessibleName(f"Save state: {self.editor.accessibleName()}")
        self.given_by = QComboBox()
        self.given_by.setAccessibleName(f"Given by ({self.editor.accessibleName()})")
        self.has_as_at = QCheckBox("As at:")
        self.has_as_at.setAccessibleName(f"Correct as at a date ({self.editor.accessibleName()})")
        self.as_at = date_edit(meeting_date, "Information correct as at")
        self.as_at.set_range(maximum=meeting_date)
        self.as_at.setEnabled(False)
        self.declined = QCheckBox("Declined to share")
        self.declined.setAccessibleName(f"Declined to share ({self.editor.accessibleName()})")
        self.conflict = ConflictPanel()
        top = QHBoxLayout()
        top.addWidget(self.caption, 1)
        top.addWidget(self.state)
        details = QHBoxLayout()
        details.addWidget(buddy("Given by:", self.given_by))
        details.addWidget(self.given_by, 1)
        details.addWidget(self.has_as_at)
        details.addWidget(self.as_at)
        details.addWidget(self.declined)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.editor)
        layout.addLayout(details)
        layout.addWidget(self.conflict)


class InformationField(InformationFieldView):
    """One agency's entry, autosaved as one value."""

    def __init__(
        self, ctx: CaseContext, data: ScreenData, agency: AgencyRow, row: InformationRow | None
    ) -> None:
        super().__init__(f"{agency_caption(agency)}:", ctx.meeting_date)
        self.agency_id = agency.id
        self._people = {p.id: p.display_name for p in data.people if p.agency_id == agency.id}
        self.fill_people(data)
        self.has_as_at.toggled.connect(self.as_at.setEnabled)
        self.declined.toggled.connect(self._on_declined)
        saved = InformationValue.of(row)
        self.set_value(saved.dumps())
        self.binding = FieldBinding(
            ctx.hub,
            DraftKey(KeyKind.INFORMATION, ctx.discussion_id, agency.id),
            get_value=self.value,
            set_value=self.set_value,
            changed=[
                self.editor.textChanged,
                self.given_by.currentIndexChanged,
                self.has_as_at.toggled,
                self.as_at.changed,
                self.declined.toggled,
            ],
            watch=[self.editor, self.given_by, self.as_at],
            make_save=save_information(ctx.actor, ctx.discussion_id, agency.id),
            theirs_of=theirs_information,
            state_label=self.state,
            conflict=self.conflict,
            saved_text=saved.dumps(),
            version=row.version if row else None,
            describe=lambda value: InformationValue.loads(value).describe(self._people),
        )

    def fill_people(self, data: ScreenData) -> None:
        fill_people(self.given_by, data.people, agency_id=self.agency_id, blank="(not recorded)")

    def text(self) -> str:
        return self.editor.toPlainText()

    def entry(self) -> InformationValue:
        return InformationValue(
            text=self.editor.toPlainText(),
            given_by_id=self.given_by.currentData(),
            as_at=self.as_at.date() if self.has_as_at.isChecked() else None,
            declined=self.declined.isChecked(),
        )

    def value(self) -> str:
        return self.entry().dumps()

    def set_value(self, value: str) -> None:
        entry = InformationValue.loads(value)
        if self.editor.toPlainText() != entry.text:
            self.editor.setPlainText(entry.text)
        self.given_by.setCurrentIndex(max(self.given_by.findData(entry.given_by_id), 0))
        self.has_as_at.setChecked(entry.as_at is not None)
        if entry.as_at is not None:
            self.as_at.set_date(entry.as_at)
        self.declined.setChecked(entry.declined)

    def set_saved(self, row: InformationRow | None) -> None:
        self.binding.set_saved(InformationValue.of(row).dumps(), row.version if row else None)

    def _on_declined(self, declined: bool) -> None:
        self.editor.setPlaceholderText(DECLINED_PLACEHOLDER if declined else TEXT_PLACEHOLDER)


IN_THE_RECORD = frozenset(
    {AttendanceStatus.PRESENT, AttendanceStatus.DEPUTY, AttendanceStatus.REPORT_SUBMITTED}
)


def information_agencies(data: ScreenData, item: AgendaItem, extra: list[int]) -> list[int]:
    """The agencies with an entry on the page, lead agency first then by name: those in the
    room for the case or that sent a written report, those invited for it, those that already
    shared something, and ``extra`` (an edit found in the journal)."""
    lead = next((a.id for a in data.agencies if a.name == item.case.lead_agency), None)
    ids = [
        a.agency_id
        for a in item.attendance
        if a.in_room or a.status in IN_THE_RECORD or a.panel == "invited"
    ]
    names = {a.name: a.id for a in data.agencies}
    ids.extend(names[n] for n in item.invited_agencies if n in names)
    ids.extend(i.agency_id for i in item.information)
    ids.extend(extra)
    if lead is not None:
        ids.append(lead)
    by_name = {a.id: a.name.casefold() for a in data.agencies}
    return sorted(dict.fromkeys(ids), key=lambda i: (i != lead, by_name.get(i, "")))


class InformationView(QGroupBox):
    def __init__(self) -> None:
        super().__init__("Information shared by each agency")
        self.setObjectName("informationShared")
        self.info_layout = QVBoxLayout(self)


class InformationSection(InformationView):
    """An entry per agency; entries are added as agencies come into the room, never removed
    while the page lives (their text may be waiting to save)."""

    def __init__(self, ctx: CaseContext, data: ScreenData, item: AgendaItem) -> None:
        super().__init__()
        self._ctx = ctx
        self._data = data
        self._item = item
        self.info_fields: dict[int, InformationField] = {}
        self.extra_agencies: list[int] = []  # entries kept for edits found in the journal
        self.update_data(data, item)

    def update_data(self, data: ScreenData, item: AgendaItem) -> None:
        self._data, self._item = data, item
        first: dict[int, InformationRow] = {}
        extra: dict[int, list[InformationRow]] = {}
        for info in item.information:
            if info.agency_id in first:
                extra.setdefault(info.agency_id, []).append(info)
            else:
                first[info.agency_id] = info
        for agency_id in information_agencies(data, item, self.extra_agencies):
            agency = data.agency(agency_id)
            if agency is None:
                continue
            entry = first.get(agency_id)
            field = self.info_fields.get(agency_id)
            if field is None:
                field = InformationField(self._ctx, data, agency, entry)
                field.setObjectName(f"info_{agency.short_name}")
                self.info_fields[agency_id] = field
                self.info_layout.addWidget(field)
            else:
                field.fill_people(data)
                field.set_saved(entry)
            more = extra.get(agency_id, [])
            field.setToolTip("\n\n".join(i.text for i in more) if more else "")
            base = f"{agency_caption(agency)}:"
            field.caption.setText(
                f"{base} (+{len(more)} earlier entries, see tooltip)" if more else base
            )

    def ensure_info_field(self, agency_id: int) -> bool:
        """Show the agency's entry even if it is not in the room (an unsaved edit is waiting)."""
        if agency_id not in self.info_fields and self._data.agency(agency_id) is not None:
            self.extra_agencies.append(agency_id)
            self.update_data(self._data, self._item)
        return agency_id in self.info_fields

    def keys(self) -> list[DraftKey]:
        return [f.binding.key for f in self.info_fields.values()]
