"""The risk assessment form: the RoSH grid (community and custody), overall level, tool and score,
the RoSH summary narratives, assessor and date. "Save as new version" records a new version
(earlier versions are never changed); "Start from latest" prefills from the newest version."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from PySide6.QtWidgets import QMessageBox, QPushButton, QVBoxLayout, QWidget

from mappa_desktop.domain.enums import (
    GROUPS_BY_SETTING,
    AssessmentTool,
    CustodyStatus,
    RiskSetting,
)
from mappa_desktop.domain.errors import ConflictError
from mappa_desktop.services import risk
from mappa_desktop.services.risk import GRID, GROUP_LABELS, NARRATIVES, AssessmentRow
from ui import messages
from ui.context import AppContext
from ui.forms.fit import scrolled
from ui.forms.risk_editor import RiskEditor
from ui.tasks import Progress
from ui.views.record.common import FormErrors, SaveBar
from ui.views.record.data import RecordData
from ui.views.record.form_base import RecordForm


class RiskFormView(QWidget):
    """Layout only: the shared risk editor (``ui.forms.risk_editor``) in a scroll area, and the
    save bar. The editor's fields keep the record's names (``date_edit``, ``rating_combos``…)."""

    def __init__(self, errors: FormErrors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = RiskEditor(errors.register, narrative_lines=3)
        self.date_edit = self.editor.assessed_on
        self.assessor_combo = self.editor.assessor
        self.tool_combo = self.editor.tool
        self.score_edit = self.editor.score
        self.overall_combo = self.editor.overall
        self.rating_combos = self.editor.ratings
        self.narratives = self.editor.narratives
        self.setting_titles = self.editor.setting_titles
        content = QWidget()
        inside = QVBoxLayout(content)
        inside.addWidget(self.editor)
        inside.addStretch(1)
        self.scroll_area = scrolled(content)  # no Tab stop: Tab goes straight to a field

        self.start_button = QPushButton("Start from latest")
        self.start_button.setAccessibleName("Start from the latest version")
        self.start_button.setToolTip("Fill the form from the newest saved version (date: today).")
        self.clear_button = QPushButton("Clear form")
        self.clear_button.setAccessibleName("Clear the risk assessment form")
        self.bar = SaveBar("Save as new version", "Save as new version")
        self.bar.save_button.setToolTip(
            "Save as a new version (Ctrl+S); earlier ones stay as they are"
        )
        self.bar.add_button(self.start_button)
        self.bar.add_button(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.bar)


class RiskForm(RecordForm):
    save_title = "Save risk assessment"

    def __init__(self, ctx: AppContext, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_id, parent)
        self.view = RiskFormView(self.errors)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._baseline: dict[str, Any] = {}
        self.custody_status = CustodyStatus.COMMUNITY
        self._connect_signals()
        if not self.writable:
            self.view.start_button.setEnabled(False)
            self.view.clear_button.setEnabled(False)

    @property
    def save_bar(self) -> SaveBar:
        return self.view.bar

    def _connect_signals(self) -> None:
        v = self.view
        for signal in v.editor.changed_signals():
            signal.connect(self.changed)
        v.date_edit.editingFinished.connect(
            lambda: self.errors.set_one("assessed_on", v.date_edit.problem("assessment date"))
        )
        v.bar.save_clicked.connect(self.save)
        v.start_button.clicked.connect(self._on_start_clicked)
        v.clear_button.clicked.connect(self._on_clear_clicked)

    # ----- data ----------------------------------------------------------------------------------
    def set_data(self, data: RecordData) -> None:
        first = self.data is None
        self.data = data
        self.custody_status = data.case.custody_status
        self.view.editor.set_custody_required(self.custody_status is CustodyStatus.CUSTODY)
        self.view.editor.fill_assessors(data.people)
        self.view.start_button.setEnabled(self.writable and data.latest_assessment is not None)
        if first:
            self.clear_form()  # later reloads keep the form as it is (typed or prefilled)
        self.changed()

    def blank_values(self) -> dict[str, Any]:
        return {
            "assessed_on": self.ctx.today().isoformat(),
            "assessor_id": None,
            "tool": AssessmentTool.OASYS.value,
            "tool_score": "",
            "overall": None,
            "ratings": {key: None for key in GRID},
            **{field: "" for field in NARRATIVES},
        }

    def assessment_values(self, row: AssessmentRow) -> dict[str, Any]:
        """A saved version as the form holds it; the date becomes today's (a new assessment)."""
        return {
            "assessed_on": self.ctx.today().isoformat(),
            "assessor_id": row.assessor_id,
            "tool": row.tool.value,
            "tool_score": row.tool_score,
            "overall": row.overall.value,
            "ratings": {
                key: (level.value if (level := row.rating(*key)) is not None else None)
                for key in GRID
            },
            **{field: getattr(row, field) for field in NARRATIVES},
        }

    def put_values(self, values: Mapping[str, Any]) -> None:
        with self.filling():
            self.view.editor.put_values(values)

    def values(self) -> dict[str, Any]:
        typed = self.view.editor.values()
        return {
            **typed,
            "tool_score": typed["tool_score"].strip(),
            **{field: typed[field].strip() for field in NARRATIVES},
        }

    def clear_form(self) -> None:
        self._baseline = self.blank_values()
        self.put_values(self._baseline)
        self.errors.clear()
        self.save_bar.error_label.clear_message()

    def start_from(self, row: AssessmentRow) -> None:
        self._baseline = self.assessment_values(row)
        self.put_values(self._baseline)
        self.errors.clear()
        self.save_bar.error_label.clear_message()
        self.save_bar.show_status(
            f"Started from version {row.version_no} ({row.assessed_on.isoformat()}): change "
            "what is different, then save as a new version."
        )

    def compute_dirty(self) -> bool:
        return bool(self._baseline) and self.values() != self._baseline

    def form_reasons(self) -> list[str]:
        v = self.view
        reasons: list[str] = []
        assessed = v.date_edit.date_value()
        if not v.date_edit.text().strip():
            reasons.append("Enter the date of the assessment to save.")
        elif not v.date_edit.is_valid():
            reasons.append("Correct the date of the assessment (YYYY-MM-DD or DD/MM/YYYY) to save.")
        elif assessed is not None and assessed > self.ctx.today():
            reasons.append("The date of the assessment is in the future: correct it to save.")
        if v.overall_combo.currentData() is None:
            reasons.append("Fill in the overall RoSH level to save.")
        ratings = self.values()["ratings"]

        def missing(setting: RiskSetting) -> list[str]:
            return [
                GROUP_LABELS[g] for g in GROUPS_BY_SETTING[setting] if ratings[(setting, g)] is None
            ]

        community = missing(RiskSetting.COMMUNITY)
        if community:
            reasons.append(f"Rate the community risk to {_join(community)} to save.")
        custody = missing(RiskSetting.CUSTODY)
        if self.custody_status is CustodyStatus.CUSTODY and custody:
            reasons.append(
                f"Rate the custody risk to {_join(custody)} to save (the person is in custody)."
            )
        elif custody and len(custody) < len(GROUPS_BY_SETTING[RiskSetting.CUSTODY]):
            reasons.append(
                f"Rate the custody risk to {_join(custody)} too, or clear the custody column, "
                "to save (custody is rated for all five groups or none)."
            )
        return reasons

    # ----- actions -------------------------------------------------------------------------------
    def _on_start_clicked(self) -> None:
        latest = self.data.latest_assessment if self.data is not None else None
        if latest is None:
            return
        if not self._dirty:
            self.start_from(latest)
            return

        def answered(button: QMessageBox.StandardButton) -> None:
            if button == QMessageBox.StandardButton.Yes:
                self.start_from(latest)

        messages.ask(
            self,
            "Start from latest",
            "Replace what you have typed with the latest saved version?",
            answered,
            buttons=QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            default=QMessageBox.StandardButton.Cancel,
        )

    def _on_clear_clicked(self) -> None:
        self.clear_form()
        self.save_bar.show_status("")

    # ----- saving --------------------------------------------------------------------------------
    def write_task(self) -> Callable[[Progress], Any]:
        v = self.values()
        assessed = self.view.date_edit.date_value()
        assert isinstance(assessed, date)
        ratings = {
            (setting.value, group.value): level
            for (setting, group), level in v["ratings"].items()
            if level is not None
        }
        narratives = {field: v[field] for field in NARRATIVES}
        ctx, case_id = self.ctx, self.case_id

        def work(_progress: Progress) -> AssessmentRow:
            with ctx.sessions.begin() as s:
                return risk.record_assessment(
                    s,
                    ctx.actor,
                    case_id,
                    assessed_on=assessed,
                    overall=v["overall"],
                    ratings=ratings,
                    tool=v["tool"],
                    tool_score=v["tool_score"],
                    assessor_id=v["assessor_id"],
                    **narratives,
                )

        return work

    def after_write(self, result: Any) -> None:
        assert isinstance(result, AssessmentRow)
        self.clear_form()
        self.save_bar.show_status(
            f"Saved as version {result.version_no} ({result.overall.label} overall)."
        )

    def on_conflict(self, exc: ConflictError) -> None:
        messages.show_error(
            self,
            self.save_title,
            "Someone else saved a risk assessment for this case at the same moment. Nothing was "
            "overwritten and your form is kept: look at the history, then save again to make "
            "yours the next version.",
        )
        self.saved.emit()  # reload the history so the other version shows


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
