"""The Risk assessment tab: the form for a new version beside the version history, with a
side-by-side comparison of any two versions (``risk.diff_assessments``)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.domain.enums import RiskGroup, RiskSetting
from mappa_desktop.services.risk import AssessmentRow, diff_assessments
from reports import labels
from ui import ui_state
from ui.context import AppContext
from ui.forms.risk_editor import NARRATIVE_LABELS, rating_name
from ui.models.dto_table import Column, DtoTableModel
from ui.views.record.common import fmt_date, heading, make_table
from ui.views.record.data import RecordData
from ui.views.record.risk_form import RiskForm

DIFF_FIELD_LABELS = {
    "assessed_on": "Date of assessment",
    "assessor_name": "Assessor",
    "tool": "Tool",
    "tool_score": "Tool score",
    "overall": "Overall RoSH",
    **NARRATIVE_LABELS,
}


def diff_label(field: str) -> str:
    if field.startswith("ratings."):
        _, setting, group = field.split(".")
        return rating_name(RiskSetting(setting), RiskGroup(group)).capitalize()
    return DIFF_FIELD_LABELS.get(field, field.replace("_", " ").capitalize())


@dataclass(frozen=True, slots=True)
class DiffRow:
    field: str
    old: str
    new: str


VERSION_COLUMNS: list[Column[AssessmentRow]] = [
    Column("Version", lambda a: str(a.version_no), sort_key=lambda a: a.version_no),
    Column("Assessed", lambda a: fmt_date(a.assessed_on), sort_key=lambda a: a.assessed_on),
    Column("Overall", lambda a: a.overall.label, sort_key=lambda a: a.overall.rank),
    Column("Tool", lambda a: labels.label(a.tool) + (f" ({a.tool_score})" if a.tool_score else "")),
    Column("Assessor", lambda a: a.assessor_name or "—"),
    Column("Recorded by", lambda a: f"{a.recorded_by or '—'}, {fmt_date(a.recorded_at)}"),
]


def version_text(a: AssessmentRow) -> str:
    return f"Version {a.version_no}: {fmt_date(a.assessed_on)}, {a.overall.label}"


class RiskTab(QWidget):
    def __init__(self, ctx: AppContext, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = RiskForm(ctx, case_id)
        self._versions: list[AssessmentRow] = []

        self.versions_model: DtoTableModel[AssessmentRow] = DtoTableModel(VERSION_COLUMNS)
        self.versions_table = make_table("Risk assessment versions")
        self.versions_table.setModel(self.versions_model)
        self.versions_table.setWordWrap(False)
        header = self.versions_table.horizontalHeader()
        for column in range(len(VERSION_COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        versions_label = QLabel("Saved versions (newest first):")
        versions_label.setBuddy(self.versions_table)
        self.empty_label = QLabel("No risk assessment has been recorded for this case yet.")
        self.empty_label.setWordWrap(True)

        self.older_combo = QComboBox()
        self.older_combo.setAccessibleName("Compare version")
        self.newer_combo = QComboBox()
        self.newer_combo.setAccessibleName("With version")
        compare = QFormLayout()
        compare.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        older_label = QLabel("Compare version:")
        older_label.setBuddy(self.older_combo)
        newer_label = QLabel("With version:")
        newer_label.setBuddy(self.newer_combo)
        compare.addRow(older_label, self.older_combo)
        compare.addRow(newer_label, self.newer_combo)
        self.diff_summary = QLabel()
        self.diff_summary.setWordWrap(True)
        self.diff_summary.setAccessibleName("Comparison summary")
        self.diff_model: DtoTableModel[DiffRow] = self._diff_model("Older", "Newer")
        self.diff_table = make_table("Differences between the two versions")
        self.diff_table.setModel(self.diff_model)
        self._size_diff_columns()

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(heading("History"))
        side_layout.addWidget(versions_label)
        side_layout.addWidget(self.empty_label)
        side_layout.addWidget(self.versions_table, 1)
        side_layout.addWidget(heading("Compare two versions"))
        side_layout.addLayout(compare)
        side_layout.addWidget(self.diff_summary)
        side_layout.addWidget(self.diff_table, 2)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.form)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        # The first showing sets a 58/42 split unless the user's own split was remembered.
        self._sized = ui_state.remember_splitter(self.splitter, "record_risk")
        self.older_combo.currentIndexChanged.connect(self._on_compare_changed)
        self.newer_combo.currentIndexChanged.connect(self._on_compare_changed)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._sized:  # the form's minimum width would otherwise squeeze the history
            self._sized = True
            width = max(self.splitter.width(), 800)
            self.splitter.setSizes([int(width * 0.58), int(width * 0.42)])

    @staticmethod
    def _diff_model(old: str, new: str) -> DtoTableModel[DiffRow]:
        return DtoTableModel(
            [
                Column("Field", lambda d: d.field),
                Column(old, lambda d: d.old or "—", tooltip=lambda d: d.old or None),
                Column(new, lambda d: d.new or "—", tooltip=lambda d: d.new or None),
            ]
        )

    def _size_diff_columns(self) -> None:
        header = self.diff_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

    def set_data(self, data: RecordData) -> None:
        self.form.set_data(data)
        self._versions = list(data.assessments)
        self.versions_model.set_rows(self._versions)
        self.empty_label.setVisible(not self._versions)
        self.versions_table.setVisible(bool(self._versions))
        older, newer = self.older_combo.currentData(), self.newer_combo.currentData()
        for combo in (self.older_combo, self.newer_combo):
            combo.blockSignals(True)
            combo.clear()
            for row in self._versions:
                combo.addItem(version_text(row), row.id)
            combo.blockSignals(False)
        # Default: the newest against the one before it.
        ids = [r.id for r in self._versions]
        self.newer_combo.setCurrentIndex(ids.index(newer) if newer in ids else 0)
        default_older = 1 if len(ids) > 1 else 0
        self.older_combo.setCurrentIndex(ids.index(older) if older in ids else default_older)
        enough = len(ids) > 1
        self.older_combo.setEnabled(enough)
        self.newer_combo.setEnabled(enough)
        self._on_compare_changed()

    def compare(self, older_id: int, newer_id: int) -> None:
        self.older_combo.setCurrentIndex(self.older_combo.findData(older_id))
        self.newer_combo.setCurrentIndex(self.newer_combo.findData(newer_id))

    def _on_compare_changed(self, *_args: object) -> None:
        by_id = {r.id: r for r in self._versions}
        a = by_id.get(self.older_combo.currentData())
        b = by_id.get(self.newer_combo.currentData())
        if a is None or b is None or len(self._versions) < 2:
            self.diff_summary.setText(
                "Once there are two versions, choose them here to see what changed."
            )
            self._set_diff_rows([], "Older", "Newer")
            return
        if a.id == b.id:
            self.diff_summary.setText("Choose two different versions to compare.")
            self._set_diff_rows([], f"Version {a.version_no}", f"Version {b.version_no}")
            return
        if a.version_no > b.version_no:
            a, b = b, a  # always older on the left
        rows = [DiffRow(diff_label(f), old, new) for f, old, new in diff_assessments(a, b)]
        if rows:
            self.diff_summary.setText(
                f"{len(rows)} difference{'s' if len(rows) != 1 else ''} from version "
                f"{a.version_no} ({fmt_date(a.assessed_on)}) to version {b.version_no} "
                f"({fmt_date(b.assessed_on)})."
            )
        else:
            self.diff_summary.setText(
                f"Versions {a.version_no} and {b.version_no} record the same assessment."
            )
        self._set_diff_rows(rows, f"Version {a.version_no}", f"Version {b.version_no}")

    def _set_diff_rows(self, rows: list[DiffRow], old: str, new: str) -> None:
        model = self._diff_model(old, new)
        model.set_rows(rows)
        self.diff_table.setModel(model)  # the view lets go of the old model before it goes
        self.diff_model = model
        self._size_diff_columns()

    @property
    def diff_rows(self) -> list[DiffRow]:
        return self.diff_model.rows()
