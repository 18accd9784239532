"""New actions set at this meeting: what is to be done, why (its purpose), by whom and by when.
What is typed is journaled as a draft until "Add action" records it."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)
from sqlalchemy.orm import Session

from mappa_desktop.services import actions
from mappa_desktop.services.actions import ActionRow
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.meetings import AgendaItem
from ui.forms.field_error import FieldError
from ui.models.dto_table import Column, DtoTableModel
from ui.views.meeting.autosave import DraftBinding, FormValue, draft_label
from ui.views.meeting.common import (
    ScreenData,
    buddy,
    date_edit,
    fill_agencies,
    fill_people,
    set_combo,
)
from ui.views.meeting.draft_keys import DraftKey, KeyKind
from ui.views.meeting.sections.base import CaseContext, section_table

ACTION_COLUMNS: list[Column[ActionRow]] = [
    Column("New action", lambda a: a.text, tooltip=lambda a: a.text),
    Column("Purpose", lambda a: a.purpose, tooltip=lambda a: a.purpose or None),
    Column("Owner", lambda a: a.owner_person_name),
    Column("Agency", lambda a: a.owner_agency_name),
    Column("Due", lambda a: a.due_date.isoformat(), sort_key=lambda a: a.due_date),
]


class NewActionsView(QGroupBox):
    """The actions set so far, and the form for the next one."""

    def __init__(self, due: date) -> None:
        super().__init__("New actions (Ctrl+Shift+A)")
        self.setObjectName("newActions")
        self.model: DtoTableModel[ActionRow] = DtoTableModel(ACTION_COLUMNS)
        self.table = section_table("New actions", self.model, rows=3)
        self.table.setColumnWidth(0, 300)
        self.table.setColumnWidth(1, 200)
        self.text = QLineEdit()
        self.text.setObjectName("newActionText")
        self.text.setAccessibleName("New action")
        self.text.setPlaceholderText("What is to be done (Enter adds it)")
        self.purpose = QLineEdit()
        self.purpose.setObjectName("newActionPurpose")
        self.purpose.setAccessibleName("Purpose of the new action")
        self.purpose.setPlaceholderText("Why: the risk it manages or the need it meets")
        self.agency = QComboBox()
        self.agency.setAccessibleName("Owner agency")
        self.person = QComboBox()
        self.person.setAccessibleName("Owner")
        self.due = date_edit(due, "Due date")
        self.add_button = QPushButton("A&dd action")
        self.error = FieldError("Action")
        self.draft_state = draft_label("new action", keep_space=True)
        form = QGridLayout()
        form.addWidget(buddy("Action:", self.text), 0, 0)
        form.addWidget(self.text, 0, 1, 1, 5)
        form.addWidget(buddy("Purpose:", self.purpose), 1, 0)
        form.addWidget(self.purpose, 1, 1, 1, 5)
        form.addWidget(buddy("Agency:", self.agency), 2, 0)
        form.addWidget(self.agency, 2, 1)
        form.addWidget(buddy("Owner:", self.person), 2, 2)
        form.addWidget(self.person, 2, 3)
        form.addWidget(buddy("Due:", self.due), 2, 4)
        form.addWidget(self.due, 2, 5)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        add_row = QHBoxLayout()
        add_row.addWidget(self.draft_state, 1)
        add_row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(form)
        layout.addLayout(add_row)
        layout.addWidget(self.error)


class NewActionsSection(NewActionsView):
    """Enter in the action text (or the button) records it; the owner follows the agency."""

    def __init__(self, ctx: CaseContext, data: ScreenData, item: AgendaItem) -> None:
        super().__init__(ctx.meeting_date + timedelta(days=28))
        self._ctx = ctx
        self._data = data
        self.update_data(data, item)
        self.draft = DraftBinding(
            ctx.hub,
            DraftKey(KeyKind.ACTION_DRAFT, ctx.discussion_id),
            get_value=self.form_value,
            set_value=self.set_form_value,
            changed=[
                self.text.textChanged,
                self.purpose.textChanged,
                self.agency.currentIndexChanged,
                self.person.currentIndexChanged,
                self.due.changed,
            ],
            is_blank=lambda v: (
                not (str(v.get("text") or "").strip() or str(v.get("purpose") or "").strip())
            ),
            state_label=self.draft_state,
            button="Add action",
            what="new action",
        )
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self._on_add)
        self.text.returnPressed.connect(self._on_add)
        self.purpose.returnPressed.connect(self._on_add)
        self.agency.currentIndexChanged.connect(self._on_agency)

    def update_data(self, data: ScreenData, item: AgendaItem) -> None:
        self._data = data
        self.model.set_rows(list(item.new_actions))
        fill_agencies(self.agency, data.agencies)
        self._on_agency()

    def keys(self) -> list[DraftKey]:
        return [self.draft.key]

    def focus_text(self) -> None:
        self.text.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # ----- the draft ------------------------------------------------------------------------
    def form_value(self) -> FormValue:
        return {
            "text": self.text.text(),
            "purpose": self.purpose.text(),
            "agency_id": self.agency.currentData(),
            "person_id": self.person.currentData(),
            "due": self.due.iso(),
        }

    def set_form_value(self, value: FormValue) -> None:
        set_combo(self.agency, value.get("agency_id"))
        self._on_agency()
        set_combo(self.person, value.get("person_id"))
        if value.get("due"):
            self.due.set_date(date.fromisoformat(value["due"]))
        self.text.setText(value.get("text") or "")
        self.purpose.setText(value.get("purpose") or "")

    # ----- writes ---------------------------------------------------------------------------
    def _on_agency(self, *_args: object) -> None:
        fill_people(self.person, self._data.people, agency_id=self.agency.currentData())

    def _on_add(self) -> None:
        self.draft.write_now()
        case_id, meeting_id = self._ctx.case_id, self._ctx.meeting_id
        text, purpose = self.text.text(), self.purpose.text()
        agency_id, person_id = self.agency.currentData(), self.person.currentData()
        due = self.due.date()
        if due is None:  # blank, not a date, or out of range: named, nothing written
            self.error.show_message(self.due.problem(required=True) or "")
            self.due.setFocus(Qt.FocusReason.OtherFocusReason)
            return

        def work(s: Session, actor: Actor) -> object:
            return actions.set_action(
                s,
                actor,
                case_id,
                text=text,
                owner_agency_id=agency_id,
                owner_person_id=person_id,
                due_date=due,
                meeting_id=meeting_id,
                purpose=purpose,
            )

        def done(_row: object) -> None:
            self.text.clear()
            self.purpose.clear()
            self.draft.saved()
            self.text.setFocus(Qt.FocusReason.OtherFocusReason)

        self._ctx.write(work, self.error, done)
