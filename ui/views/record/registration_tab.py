"""The Registration tab: current category and level, the history with rationale, who and when,
and the "Change category or level" form with the Level 2/3 criteria helper (Guidance ch.7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.domain.enums import Category, Level, RoshLevel
from mappa_desktop.domain.rules import registration_problem
from mappa_desktop.services import registration
from mappa_desktop.services.registration import RegistrationRow
from ui import ui_state
from ui.context import AppContext
from ui.forms.criteria import CriteriaHelper
from ui.forms.fit import scrolled
from ui.models.dto_table import Column, DtoTableModel
from ui.tasks import Progress
from ui.views.record.common import (
    DateField,
    FieldError,
    SaveBar,
    add_row,
    field_cell,
    fmt_date,
    heading,
    make_table,
    new_form,
    text_box,
)
from ui.views.record.data import RecordData
from ui.views.record.form_base import RecordForm

CATEGORY_LABELS = {
    Category.REGISTERED_SEXUAL_OFFENDER: "Category 1: registered sexual offender",
    Category.VIOLENT_OFFENDER: "Category 2: violent offender",
    Category.OTHER_DANGEROUS_OFFENDER: "Category 3: other dangerous offender",
    Category.TERRORIST_RISK: "Category 4: terrorist or terrorism-risk offender",
}
LEVEL_LABELS = {
    Level.LEVEL_1: "Level 1: managed by the lead agency",
    Level.LEVEL_2: "Level 2: active multi-agency management",
    Level.LEVEL_3: "Level 3: active enhanced multi-agency management",
}


def _until(r: RegistrationRow) -> str:
    if r.ended_on is not None:
        return f"{fmt_date(r.ended_on)} (exit: {r.end_reason})"
    if r.is_current:
        return "current"
    return fmt_date(r.superseded_on)


HISTORY_COLUMNS: list[Column[RegistrationRow]] = [
    Column("From", lambda r: fmt_date(r.start_date), sort_key=lambda r: r.start_date),
    Column("Until", _until),
    Column("Category", lambda r: str(r.category), sort_key=lambda r: r.category),
    Column("Level", lambda r: str(r.level), sort_key=lambda r: r.level),
    Column("Next review", lambda r: fmt_date(r.next_review_due)),
    Column("Recorded by", lambda r: r.recorded_by or "—"),
    Column("Recorded at", lambda r: fmt_date(r.recorded_at), sort_key=lambda r: r.recorded_at),
    Column("Rationale", lambda r: r.rationale, tooltip=lambda r: r.rationale),
]


def current_text(row: RegistrationRow | None) -> str:
    if row is None:
        return "No MAPPA registration is recorded for this case."
    text = f"{CATEGORY_LABELS[Category(row.category)]}; {LEVEL_LABELS[Level(row.level)]}."
    text += f" Since {fmt_date(row.start_date)}"
    if row.next_review_due:
        text += f"; next review due {fmt_date(row.next_review_due)}"
    text += "."
    if row.is_ended:
        text += f" Registration ended on {fmt_date(row.ended_on)}: {row.end_reason}."
    return text


class RegistrationTab(RecordForm):
    save_title = "Change category or level"

    def __init__(self, ctx: AppContext, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_id, parent)
        self.current: RegistrationRow | None = None
        self._latest_id: int | None = None
        self._helper_touched = False  # has the person ticked a criterion or picked a level?
        self._build()
        self._connect_signals()

    # ----- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        self.current_label = QLabel("Loading…")
        self.current_label.setWordWrap(True)
        self.current_label.setAccessibleName("Current registration")
        self.current_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.history_model: DtoTableModel[RegistrationRow] = DtoTableModel(HISTORY_COLUMNS)
        self.history_table = make_table("Registration history")
        self.history_table.setModel(self.history_model)
        header = self.history_table.horizontalHeader()
        for column in range(len(HISTORY_COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        history_label = QLabel("Registration history:")
        history_label.setBuddy(self.history_table)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(heading("Current registration"))
        top_layout.addWidget(self.current_label)
        top_layout.addWidget(history_label)
        top_layout.addWidget(self.history_table, 1)

        # The change form
        form = new_form()
        self.category_combo = QComboBox()
        for cat, text in CATEGORY_LABELS.items():
            self.category_combo.addItem(text, int(cat))
        add_row(form, "New category:", self.category_combo, self.errors, "category")
        self.level_combo = QComboBox()
        for lvl, text in LEVEL_LABELS.items():
            self.level_combo.addItem(text, int(lvl))
        # The level's cell also holds the Category 3 rule, explained as soon as it applies.
        self.cat3_note = FieldError("Level")
        self.cat3_note.setAccessibleName("Category and level rule")
        level_error = FieldError("New level")
        self.errors.register("level", self.level_combo, level_error)
        level_cell = field_cell(self.level_combo, level_error)
        level_cell.layout().addWidget(self.cat3_note)  # type: ignore[union-attr]
        level_label = QLabel("New level:")
        level_label.setBuddy(self.level_combo)
        self.level_combo.setAccessibleName("New level")
        form.addRow(level_label, level_cell)
        self.effective_edit = DateField("Effective date")
        add_row(form, "Takes effect on:", self.effective_edit, self.errors, "effective_date")
        self.review_edit = DateField("Next review due (optional)")
        self.review_edit.setPlaceholderText("Blank: from the level's interval")
        add_row(form, "Next review due:", self.review_edit, self.errors, "next_review_due")
        self.rationale_edit = text_box("Rationale for the change", 4)
        self.rationale_edit.setPlaceholderText(
            "Why the category or level changes (required; it goes into the record)"
        )
        add_row(form, "Rationale:", self.rationale_edit, self.errors, "rationale")
        form_box = QWidget()
        form_box.setLayout(form)

        # The criteria helper (``ui.forms.criteria``, shared with the meeting's level decision)
        criteria_box = CriteriaHelper("Level 2/3 criteria helper (Guidance ch.7)")
        self.helper = criteria_box
        self.criteria = criteria_box.criteria
        self.rosh_note = criteria_box.rosh_note
        self.criteria_result = criteria_box.met
        self.suggestion_label = criteria_box.suggestion
        self.use_suggestion_button = criteria_box.use_button
        self.choice_note = criteria_box.choice_note

        change_box = QGroupBox("Change category or level")
        change_layout = QVBoxLayout(change_box)
        columns = QHBoxLayout()
        columns.addWidget(form_box, 3)
        columns.addWidget(criteria_box, 2)
        change_layout.addLayout(columns)
        self.bar = SaveBar("Record the change", "Record the category or level change")
        self.bar.save_button.setToolTip("Record the change (Ctrl+S)")
        change_layout.addWidget(self.bar)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(top)
        splitter.addWidget(scrolled(change_box))  # scrolls when the window is short
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        ui_state.remember_splitter(splitter, "record_registration")
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def _connect_signals(self) -> None:
        self.category_combo.currentIndexChanged.connect(self.changed)
        self.level_combo.currentIndexChanged.connect(self.changed)
        self.effective_edit.textChanged.connect(self.changed)
        self.review_edit.textChanged.connect(self.changed)
        self.rationale_edit.textChanged.connect(self.changed)
        for check in self.criteria.values():
            check.toggled.connect(self.changed)
            check.clicked.connect(self._on_helper_touched)
        self.level_combo.activated.connect(self._on_helper_touched)
        self.category_combo.activated.connect(self._on_helper_touched)
        self.use_suggestion_button.clicked.connect(self._on_use_suggestion_clicked)
        self.bar.save_clicked.connect(self.save)
        for field, edit in (
            ("effective_date", self.effective_edit),
            ("next_review_due", self.review_edit),
        ):
            edit.editingFinished.connect(
                lambda f=field, e=edit: self.errors.set_one(
                    f, e.problem(f.replace("_", " ").replace("due", "date"))
                )
            )

    @property
    def save_bar(self) -> SaveBar:
        return self.bar

    # ----- data ----------------------------------------------------------------------------------
    def set_data(self, data: RecordData) -> None:
        self.data = data
        self.history_model.set_rows(data.registrations)
        current = next((r for r in data.registrations if r.is_current), None)
        self.current_label.setText(current_text(current))
        latest = data.latest_assessment
        if latest is None:
            self.helper.describe_rosh(None)
        else:
            self.helper.describe_rosh(
                latest.overall,
                f"Latest assessment (version {latest.version_no}, {fmt_date(latest.assessed_on)})",
            )
        high = latest is not None and latest.overall.rank >= RoshLevel.HIGH.rank
        if not self._dirty:
            before = self.current
            self.current = current
            if (
                before is None
                or current is None
                or (before.id, before.version)
                != (
                    current.id,
                    current.version,
                )
            ):
                self._reset_form(latest_high=high)
        latest_id = latest.id if latest is not None else None
        if latest_id != self._latest_id:
            self._latest_id = latest_id
            self.criteria["high_rosh"].setChecked(high)  # pre-ticked from the newest assessment
        self.changed()

    def _reset_form(self, *, latest_high: bool) -> None:
        with self.filling():
            row = self.current
            if row is not None:
                self.category_combo.setCurrentIndex(self.category_combo.findData(row.category))
                self.level_combo.setCurrentIndex(self.level_combo.findData(row.level))
            self.effective_edit.set_date(self.ctx.today())
            self.review_edit.clear()
            self.rationale_edit.clear()
            for check in self.criteria.values():
                check.setChecked(False)
            self.criteria["high_rosh"].setChecked(latest_high)
            self._helper_touched = False
            self.errors.clear()
            self.bar.error_label.clear_message()

    def values(self) -> dict[str, Any]:
        return {
            "category": self.category_combo.currentData(),
            "level": self.level_combo.currentData(),
            "effective_date": self.effective_edit.text().strip(),
            "next_review_due": self.review_edit.text().strip(),
            "rationale": self.rationale_edit.toPlainText().strip(),
        }

    def compute_dirty(self) -> bool:
        if self.current is None:
            return False
        v = self.values()
        return (
            (v["category"], v["level"]) != (self.current.category, self.current.level)
            or bool(v["rationale"])
            or bool(v["next_review_due"])
            or v["effective_date"] != self.ctx.today().isoformat()
        )

    # ----- the criteria helper -------------------------------------------------------------------
    def _refresh_helper(self) -> None:
        chosen = self.level_combo.currentData()
        untouched = not self._helper_touched and (
            self.current is None or chosen == self.current.level
        )
        self.helper.refresh(chosen, untouched=untouched, writable=self.writable)
        problem = registration_problem(
            Category(self.category_combo.currentData()), Level(self.level_combo.currentData())
        )
        if problem:
            self.cat3_note.show_message(problem)
        else:
            self.cat3_note.clear_message()

    def _on_helper_touched(self, *_args: object) -> None:
        self._helper_touched = True
        self.changed()

    def _on_use_suggestion_clicked(self) -> None:
        self.level_combo.setCurrentIndex(self.level_combo.findData(int(self.helper.suggested())))
        self.level_combo.setFocus()

    def changed(self, *_args: object) -> None:
        self._refresh_helper()
        super().changed()

    def form_reasons(self) -> list[str]:
        row = self.current
        if row is None:
            return ["This case has no current registration to change."]
        if row.is_ended:
            return [
                f"The registration ended on {fmt_date(row.ended_on)}; it cannot be changed "
                "(register the case again if it re-enters MAPPA)."
            ]
        reasons: list[str] = []
        v = self.values()
        if (v["category"], v["level"]) == (row.category, row.level):
            reasons.append("Choose a different category or level to record a change.")
        problem = registration_problem(Category(v["category"]), Level(v["level"]))
        if problem:
            reasons.append(problem + " Choose Level 2 or 3.")
        if not v["effective_date"]:
            reasons.append("Enter the effective date to save.")
        elif not self.effective_edit.is_valid():
            reasons.append("Correct the effective date (YYYY-MM-DD or DD/MM/YYYY) to save.")
        if not self.review_edit.is_valid():
            reasons.append("Correct the next review date (YYYY-MM-DD or DD/MM/YYYY) to save.")
        if not v["rationale"]:
            reasons.append("Write the rationale for the change to save.")
        return reasons

    # ----- saving --------------------------------------------------------------------------------
    def write_task(self) -> Callable[[Progress], Any]:
        v = self.values()
        effective = self.effective_edit.date_value()
        review = self.review_edit.date_value()
        assert effective is not None
        ctx, case_id = self.ctx, self.case_id

        def work(_progress: Progress) -> RegistrationRow:
            with ctx.sessions.begin() as s:
                return registration.change_registration(
                    s,
                    ctx.actor,
                    case_id,
                    category=v["category"],
                    level=v["level"],
                    rationale=v["rationale"],
                    effective_date=effective,
                    next_review_due=review,
                )

        return work

    def after_write(self, result: Any) -> None:
        assert isinstance(result, RegistrationRow)
        self.current = result
        high = self.criteria["high_rosh"].isChecked()
        self._reset_form(latest_high=high)
        self.bar.show_status(f"Recorded: {result.label} from {fmt_date(result.start_date)}.")
