"""The risk management plan by pillar, with what changed at this meeting (added, changed or
ended, with the rationale), and the form that adds, changes or ends an item. What is typed in
the form is journaled as a draft until one of its buttons records it."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)
from sqlalchemy.orm import Session

from mappa_desktop.domain.enums import RmpPillar
from mappa_desktop.services import rmp
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.meetings import AgendaItem, RmpChangeRow
from mappa_desktop.services.rmp import RmpItemRow
from ui.forms import style
from ui.forms.field_error import FieldError
from ui.forms.style import Tone
from ui.models.dto_table import Column, DtoTableModel
from ui.views.meeting.autosave import DraftBinding, FormValue, draft_label
from ui.views.meeting.common import (
    PILLAR_LABELS,
    ScreenData,
    buddy,
    fill_agencies,
    set_combo,
)
from ui.views.meeting.draft_keys import DraftKey, KeyKind
from ui.views.meeting.sections.base import CaseContext, section_table


@dataclass(frozen=True, slots=True)
class RmpLine:
    pillar: RmpPillar
    text: str
    agency: str
    here: str  # "Added" / "Changed" / "Ended" at this meeting, "" otherwise
    rationale: str
    item: RmpItemRow | None  # None: ended at this meeting


RMP_COLUMNS: list[Column[RmpLine]] = [
    Column("Pillar", lambda x: PILLAR_LABELS[x.pillar]),
    Column("Item", lambda x: x.text, tooltip=lambda x: x.text),
    Column("Responsible", lambda x: x.agency),
    Column("At this meeting", lambda x: f"● {x.here}" if x.here else ""),
    Column("Rationale", lambda x: x.rationale),
]


def _rmp_highlight(line: RmpLine) -> QBrush | None:
    if line.here == "Ended":
        return style.brush(Tone.MUTED)
    if line.here:
        return style.brush(Tone.SUCCESS)
    return None


def rmp_lines(plan: tuple[RmpItemRow, ...], changes: tuple[RmpChangeRow, ...]) -> list[RmpLine]:
    last_change: dict[int, RmpChangeRow] = {}
    for ch in changes:
        last_change[ch.item_id] = ch
    first_change: dict[int, RmpChangeRow] = {}
    for ch in changes:
        first_change.setdefault(ch.item_id, ch)
    lines: list[RmpLine] = []
    for item in plan:
        latest = last_change.get(item.id)
        here = ""
        if latest is not None:
            here = "Added" if first_change[item.id].change == "added" else "Changed"
        lines.append(
            RmpLine(
                item.pillar,
                item.text,
                item.responsible_agency,
                here,
                latest.rationale if latest else "",
                item,
            )
        )
    for ch in last_change.values():
        if ch.change == "ended":
            lines.append(
                RmpLine(ch.pillar, ch.text, ch.responsible_agency, "Ended", ch.rationale, None)
            )
    order = list(RmpPillar)
    lines.sort(key=lambda x: (order.index(x.pillar), x.here == "Ended"))
    return lines


class PlanView(QGroupBox):
    """The plan table, a summary line, and the form with its three buttons."""

    def __init__(self) -> None:
        super().__init__("Risk management plan — changes at this meeting")
        self.setObjectName("rmpBox")
        self.model: DtoTableModel[RmpLine] = DtoTableModel(RMP_COLUMNS, _rmp_highlight)
        self.table = section_table("Risk management plan", self.model, rows=5)
        for column, width in enumerate((170, 330, 150, 120)):
            self.table.setColumnWidth(column, width)
        self.summary = QLabel()
        self.pillar = QComboBox()
        self.pillar.setAccessibleName("Plan pillar")
        for pillar in RmpPillar:
            self.pillar.addItem(PILLAR_LABELS[pillar], pillar)
        self.text = QLineEdit()
        self.text.setAccessibleName("Plan item text")
        self.text.setPlaceholderText("What will be done")
        self.agency = QComboBox()
        self.agency.setAccessibleName("Responsible agency")
        self.rationale = QLineEdit()
        self.rationale.setAccessibleName("Rationale for the plan change")
        self.rationale.setPlaceholderText("Why (required to change or end an item)")
        self.add_button = QPushButton("Add to &plan")
        self.change_button = QPushButton("Chan&ge selected")
        self.end_button = QPushButton("End selected")
        self.error = FieldError("Plan")
        self.draft_state = draft_label("plan change", keep_space=True)
        form = QGridLayout()
        form.addWidget(buddy("Pillar:", self.pillar), 0, 0)
        form.addWidget(self.pillar, 0, 1)
        form.addWidget(buddy("Item:", self.text), 0, 2)
        form.addWidget(self.text, 0, 3)
        form.addWidget(buddy("Responsible:", self.agency), 1, 0)
        form.addWidget(self.agency, 1, 1)
        form.addWidget(buddy("Rationale:", self.rationale), 1, 2)
        form.addWidget(self.rationale, 1, 3)
        form.setColumnStretch(3, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.draft_state, 1)
        for button in (self.add_button, self.change_button, self.end_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.error)


class PlanSection(PlanView):
    """Selecting an item puts it in the form; the buttons add, change or end items."""

    def __init__(self, ctx: CaseContext, data: ScreenData, item: AgendaItem) -> None:
        super().__init__()
        self._ctx = ctx
        self._data = data
        self._shown = ""  # the plan item text a selection put in the form
        self.update_data(data, item)
        self.draft = DraftBinding(
            ctx.hub,
            DraftKey(KeyKind.RMP_DRAFT, ctx.discussion_id),
            get_value=self.form_value,
            set_value=self.set_form_value,
            changed=[
                self.text.textChanged,
                self.rationale.textChanged,
                self.pillar.currentIndexChanged,
                self.agency.currentIndexChanged,
            ],
            is_blank=self._is_blank,
            state_label=self.draft_state,
            button="Add to plan / Change selected / End selected",
            what="plan change",
        )
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self._on_add)
        self.change_button.clicked.connect(self._on_change)
        self.end_button.clicked.connect(self._on_end)
        self.table.selectionModel().currentRowChanged.connect(self._on_selected)

    def update_data(self, data: ScreenData, item: AgendaItem) -> None:
        self._data = data
        plan = data.plans.get(self._ctx.case_id, ())
        lines = rmp_lines(plan, item.rmp_changes)
        self.model.set_rows(lines)
        changed = sum(1 for x in lines if x.here)
        self.summary.setText(
            f"{len(plan)} active item(s); <b>{changed} changed at this meeting</b> (marked ●)."
            if changed
            else f"{len(plan)} active item(s); nothing changed at this meeting yet."
        )
        fill_agencies(self.agency, data.agencies, blank="(no agency)")

    def keys(self) -> list[DraftKey]:
        return [self.draft.key]

    # ----- the draft ------------------------------------------------------------------------
    def form_value(self) -> FormValue:
        line = self._selected()
        return {
            "item_id": line.item.id if line is not None and line.item is not None else None,
            "pillar": str(self.pillar.currentData()),
            "text": self.text.text(),
            "agency_id": self.agency.currentData(),
            "rationale": self.rationale.text(),
        }

    def _is_blank(self, value: FormValue) -> bool:
        if str(value.get("rationale") or "").strip():
            return False
        text = str(value.get("text") or "").strip()
        # Only an item shown by selecting it (or tabbing into the table), nothing typed: that
        # holds even after a reload cleared the table's selection.
        return not text or text == self._shown

    def set_form_value(self, value: FormValue) -> None:
        item_id = value.get("item_id")
        if item_id is not None:
            for position, line in enumerate(self.model.rows()):
                if line.item is not None and line.item.id == item_id:
                    self.table.selectRow(position)
        with contextlib.suppress(ValueError):
            set_combo(self.pillar, RmpPillar(str(value.get("pillar"))))
        set_combo(self.agency, value.get("agency_id"))
        self.text.setText(value.get("text") or "")
        self.rationale.setText(value.get("rationale") or "")

    # ----- selection ------------------------------------------------------------------------
    def _selected(self) -> RmpLine | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.row_at(index.row())

    def _on_selected(self, *_args: object) -> None:
        line = self._selected()
        if line is None or line.item is None:
            return
        item = line.item

        def fill() -> None:
            set_combo(self.pillar, line.pillar)
            self.text.setText(line.text)
            self._shown = line.text.strip()
            set_combo(self.agency, item.responsible_agency_id)

        self.draft.silently(fill)
        self.draft.write_now()

    def _needs_selection(self) -> RmpItemRow | None:
        line = self._selected()
        if line is None or line.item is None:
            self.error.show_message("Select an active plan item in the table first.")
            return None
        return line.item

    # ----- writes ---------------------------------------------------------------------------
    def _on_add(self) -> None:
        self.draft.write_now()
        case_id, meeting_id = self._ctx.case_id, self._ctx.meeting_id
        pillar, text = self.pillar.currentData(), self.text.text()
        agency_id, rationale = self.agency.currentData(), self.rationale.text()
        start = self._ctx.meeting_date

        def work(s: Session, actor: Actor) -> object:
            return rmp.add_item(
                s,
                actor,
                case_id,
                pillar=pillar,
                text=text,
                responsible_agency_id=agency_id,
                start_date=start,
                rationale=rationale or "Agreed at the panel meeting.",
                meeting_id=meeting_id,
            )

        self._ctx.write(work, self.error, lambda _r: self._clear())

    def _on_change(self) -> None:
        self.draft.write_now()
        item = self._needs_selection()
        if item is None:
            return
        text, agency_id = self.text.text(), self.agency.currentData()
        rationale, meeting_id = self.rationale.text(), self._ctx.meeting_id

        def work(s: Session, actor: Actor) -> object:
            return rmp.change_item(
                s,
                actor,
                item.id,
                expected_version=item.version,
                rationale=rationale,
                meeting_id=meeting_id,
                text=text if text != item.text else None,
                responsible_agency_id=agency_id
                if agency_id != item.responsible_agency_id
                else None,
            )

        self._ctx.write(work, self.error, lambda _r: self._clear())

    def _on_end(self) -> None:
        self.draft.write_now()
        item = self._needs_selection()
        if item is None:
            return
        rationale, meeting_id = self.rationale.text(), self._ctx.meeting_id
        end = self._ctx.meeting_date

        def work(s: Session, actor: Actor) -> object:
            return rmp.end_item(
                s,
                actor,
                item.id,
                expected_version=item.version,
                end_date=max(end, item.start_date or end),
                rationale=rationale,
                meeting_id=meeting_id,
            )

        self._ctx.write(work, self.error, lambda _r: self._clear())

    def _clear(self) -> None:
        self._shown = ""
        self.text.clear()
        self.rationale.clear()
        self.draft.saved()
