"""The risk assessment form: the RoSH grid (community and custody), overall level, tool and score,
the RoSH summary narratives, assessor and date. "Save as new version" records a new version
(earlier versions are never changed); "Start from latest" prefills from the newest version."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.domain.enums import (
    GROUPS_BY_SETTING,
    AssessmentTool,
    CustodyStatus,
    RiskGroup,
    RiskSetting,
    RoshLevel,
)
from mappa_desktop.domain.errors import ConflictError
from mappa_desktop.services import risk
from mappa_desktop.services.risk import GRID, GROUP_LABELS, NARRATIVES, AssessmentRow
from ui import messages
from ui.context import AppContext
from ui.tasks import Progress
from ui.views.record.common import (
    DateField,
    FormErrors,
    SaveBar,
    add_row,
    new_form,
    text_box,
)
from ui.views.record.data import RecordData
from ui.views.record.form_base import RecordForm

TOOL_LABELS = {
    AssessmentTool.OASYS: "OASys",
    AssessmentTool.RM2000: "Risk Matrix 2000",
    AssessmentTool.OSP: "OASys Sexual reoffending Predictor (OSP)",
    AssessmentTool.ARMS: "ARMS",
    AssessmentTool.OTHER: "Other",
}
NARRATIVE_LABELS = {
    "who_at_risk": "Who is at risk",
    "nature_of_risk": "Nature of the risk",
    "imminence": "Imminence (when is the risk greatest)",
    "increasing_factors": "What increases the risk",
    "protective_factors": "What reduces the risk",
}
GROUP_TITLES = {
    RiskGroup.CHILDREN: "Children",
    RiskGroup.PUBLIC: "Public",
    RiskGroup.KNOWN_ADULT: "Known adult",
    RiskGroup.STAFF: "Staff",
    RiskGroup.PRISONERS: "Prisoners",
}
NOT_RATED = "Not rated"


def rating_name(setting: RiskSetting, group: RiskGroup) -> str:
    """The accessible name of a grid combo, e.g. "Community risk to children"."""
    return f"{setting.value.title()} risk to {GROUP_LABELS[group]}"


def rosh_combo(accessible_name: str, empty: str) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(accessible_name)
    combo.addItem(empty, None)
    for level in RoshLevel:
        combo.addItem(level.label, level.value)
    return combo


class RiskFormView(QWidget):
    """Layout only."""

    def __init__(self, errors: FormErrors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # The assessment
        about = new_form()
        self.date_edit = DateField("Date of assessment")
        add_row(about, "Date of assessment:", self.date_edit, errors, "assessed_on")
        self.assessor_combo = QComboBox()
        self.assessor_combo.setAccessibleName("Assessor")
        add_row(about, "Assessor:", self.assessor_combo, errors, "assessor_id")
        self.tool_combo = QComboBox()
        for tool, text in TOOL_LABELS.items():
            self.tool_combo.addItem(text, tool.value)
        add_row(about, "Tool:", self.tool_combo, errors, "tool")
        self.score_edit = QLineEdit()
        self.score_edit.setMaxLength(100)
        self.score_edit.setPlaceholderText("Score or category the tool gave")
        add_row(about, "Tool score:", self.score_edit, errors, "tool_score")
        self.overall_combo = rosh_combo("Overall RoSH level", "Choose…")
        add_row(about, "Overall RoSH:", self.overall_combo, errors, "overall")
        about_box = QGroupBox("Assessment")
        about_box.setLayout(about)

        # The RoSH grid: one form per setting, each combo with its own label buddy.
        self.rating_combos: dict[tuple[RiskSetting, RiskGroup], QComboBox] = {}
        self.setting_boxes: dict[RiskSetting, QGroupBox] = {}
        for setting in RiskSetting:
            grid_form = new_form()
            for group in GROUPS_BY_SETTING[setting]:
                combo = rosh_combo(rating_name(setting, group), NOT_RATED)
                self.rating_combos[(setting, group)] = combo
                key = f"ratings.{setting.value}.{group.value}"
                add_row(grid_form, f"{GROUP_TITLES[group]}:", combo, errors, key)
            box = QGroupBox(f"{setting.value.title()} RoSH")
            box.setLayout(grid_form)
            self.setting_boxes[setting] = box

        # The narratives (OASys R10 summary)
        narrative = new_form()
        narrative.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # label above the box
        self.narratives: dict[str, QPlainTextEdit] = {}
        for field in NARRATIVES:
            box_edit = text_box(NARRATIVE_LABELS[field], 3)
            self.narratives[field] = box_edit
            add_row(narrative, f"{NARRATIVE_LABELS[field]}:", box_edit, errors, field)
        narrative_box = QGroupBox("RoSH summary")
        narrative_box.setLayout(narrative)

        content = QWidget()
        grid = QGridLayout(content)
        grid.addWidget(about_box, 0, 0, 1, 2)
        grid.addWidget(self.setting_boxes[RiskSetting.COMMUNITY], 1, 0)
        grid.addWidget(self.setting_boxes[RiskSetting.CUSTODY], 1, 1)
        grid.addWidget(narrative_box, 2, 0, 1, 2)
        grid.setRowStretch(3, 1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(content)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes straight to a field

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
        v.date_edit.textChanged.connect(self.changed)
        v.date_edit.editingFinished.connect(
            lambda: self.errors.set_one("assessed_on", v.date_edit.problem("assessment date"))
        )
        v.score_edit.textChanged.connect(self.changed)
        for combo in (v.assessor_combo, v.tool_combo, v.overall_combo, *v.rating_combos.values()):
            combo.currentIndexChanged.connect(self.changed)
        for box in v.narratives.values():
            box.textChanged.connect(self.changed)
        v.bar.save_clicked.connect(self.save)
        v.start_button.clicked.connect(self._on_start_clicked)
        v.clear_button.clicked.connect(self._on_clear_clicked)

    # ----- data ----------------------------------------------------------------------------------
    def set_data(self, data: RecordData) -> None:
        first = self.data is None
        self.data = data
        self.custody_status = data.case.custody_status
        custody_box = self.view.setting_boxes[RiskSetting.CUSTODY]
        if self.custody_status is CustodyStatus.CUSTODY:
            custody_box.setTitle("Custody RoSH (required: the person is in custody)")
        else:
            custody_box.setTitle("Custody RoSH (optional: all five or none)")
        self._fill_assessors(data)
        self.view.start_button.setEnabled(self.writable and data.latest_assessment is not None)
        if first:
            self.clear_form()  # later reloads keep the form as it is (typed or prefilled)
        self.changed()

    def _fill_assessors(self, data: RecordData) -> None:
        combo = self.view.assessor_combo
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("Not recorded", None)
        for person in data.people:
            combo.addItem(f"{person.display_name} ({person.agency_short_name})", person.id)
        combo.setCurrentIndex(max(combo.findData(current), 0))
        combo.blockSignals(False)

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
            v = self.view
            v.date_edit.setText(values["assessed_on"])
            assessor = v.assessor_combo.findData(values["assessor_id"])
            if assessor < 0 and values["assessor_id"] is not None:
                v.assessor_combo.addItem(
                    "Previous assessor (no longer active)", values["assessor_id"]
                )
                assessor = v.assessor_combo.count() - 1
            v.assessor_combo.setCurrentIndex(max(assessor, 0))
            v.tool_combo.setCurrentIndex(max(v.tool_combo.findData(values["tool"]), 0))
            v.score_edit.setText(values["tool_score"])
            v.overall_combo.setCurrentIndex(max(v.overall_combo.findData(values["overall"]), 0))
            for key, combo in v.rating_combos.items():
                combo.setCurrentIndex(max(combo.findData(values["ratings"][key]), 0))
            for field, box in v.narratives.items():
                box.setPlainText(values[field])

    def values(self) -> dict[str, Any]:
        v = self.view
        return {
            "assessed_on": v.date_edit.text().strip(),
            "assessor_id": v.assessor_combo.currentData(),
            "tool": v.tool_combo.currentData(),
            "tool_score": v.score_edit.text().strip(),
            "overall": v.overall_combo.currentData(),
            "ratings": {key: combo.currentData() for key, combo in v.rating_combos.items()},
            **{field: box.toPlainText().strip() for field, box in v.narratives.items()},
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
