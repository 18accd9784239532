"""The one risk-assessment editor of both screens: the case record's risk tab (saved with its save
bar) and the meeting's risk update (a draft autosaved, recorded against the meeting).

Layout and values only: each screen keeps its own controller. The editor holds the date, the
overall level, tool and score, the assessor, the RoSH grid (community and custody side by side,
one labelled combo per group: custody rates five groups, community four) and the five
RoSH-summary narratives. Every field has a label of its own (its buddy, for a mnemonic) and its
error line underneath, handed to the screen's error map (``register``) under the service's key
(``ratings.community.children``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.domain.enums import (
    GROUPS_BY_SETTING,
    AssessmentTool,
    RiskGroup,
    RiskSetting,
    RoshLevel,
)
from mappa_desktop.services.people import PersonRow
from mappa_desktop.services.risk import GROUP_LABELS, NARRATIVES
from reports import labels
from ui.forms.date_field import DateField
from ui.forms.field_error import FieldError, field_cell
from ui.forms.fit import FlowLayout, tame_combo
from ui.forms.text_box import TextBox

RatingKey = tuple[RiskSetting, RiskGroup]
Register = Callable[[str, QWidget, FieldError], None]

# The words the reports print; the choice list spells out the two abbreviations.
TOOL_CHOICES = labels.labels_for(AssessmentTool) | {
    AssessmentTool.RM2000: "Risk Matrix 2000 (RM2000)",
    AssessmentTool.OSP: "OASys Sexual reoffending Predictor (OSP)",
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
NO_ASSESSOR = "Not recorded"
FORMER_ASSESSOR = "Previous assessor (no longer active)"


def rating_name(setting: RiskSetting, group: RiskGroup) -> str:
    """The accessible name of a grid combo, e.g. "Community risk to children"."""
    return f"{setting.value.title()} risk to {GROUP_LABELS[group]}"


def rating_key(setting: RiskSetting, group: RiskGroup) -> str:
    """The service's error key of a grid combo (``ratings.community.children``)."""
    return f"ratings.{setting.value}.{group.value}"


def rosh_combo(accessible_name: str, empty: str) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(accessible_name)
    combo.addItem(empty, None)
    for level in RoshLevel:
        combo.addItem(level.label, level.value)
    return combo


class RiskEditor(QWidget):
    """The fields of one risk-assessment version (see the module docstring)."""

    def __init__(
        self, register: Register, *, narrative_lines: int = 2, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._register = register
        self.assessed_on = DateField("Date of assessment")
        self.overall = rosh_combo("Overall RoSH level", "Choose…")
        self.tool = QComboBox()
        self.tool.setAccessibleName("Assessment tool")
        for tool, text in TOOL_CHOICES.items():
            self.tool.addItem(text, tool.value)
        self.score = QLineEdit()
        self.score.setAccessibleName("Tool score")
        self.score.setMaxLength(100)
        self.score.setPlaceholderText("Score or category the tool gave")
        self.assessor = QComboBox()
        self.assessor.setAccessibleName("Assessor")
        self.assessor.addItem(NO_ASSESSOR, None)
        self.ratings: dict[RatingKey, QComboBox] = {}
        self.setting_titles = {
            RiskSetting.COMMUNITY: QLabel("<b>Community</b>"),
            RiskSetting.CUSTODY: QLabel("<b>Custody</b> (optional: all five or none)"),
        }
        self.narratives: dict[str, TextBox] = {}
        for combo in (self.overall, self.tool, self.assessor):
            tame_combo(combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._about_row())
        layout.addLayout(self._grid())
        layout.addLayout(self._texts(narrative_lines))

    # ----- layout -------------------------------------------------------------------------------
    def _cell(self, widget: QWidget, key: str) -> QWidget:
        error = FieldError(widget.accessibleName() or key)
        self._register(key, widget, error)
        return field_cell(widget, error)

    def _about_row(self) -> FlowLayout:
        """Each field with its label above it, wrapping onto a second line on a narrow screen."""
        about = FlowLayout(spacing=8)
        for caption, widget, key in (
            ("Date:", self.assessed_on, "assessed_on"),
            ("Overall RoSH:", self.overall, "overall"),
            ("Tool:", self.tool, "tool"),
            ("Score:", self.score, "tool_score"),
            ("Assessor:", self.assessor, "assessor_id"),
        ):
            label = QLabel(caption)
            label.setBuddy(widget)
            field = QWidget()
            column = QVBoxLayout(field)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(label)
            column.addWidget(self._cell(widget, key))
            about.addWidget(field)
        return about

    def _grid(self) -> QGridLayout:
        """Community and custody side by side, each group's combo with its own label (buddy)."""
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        for column, setting in enumerate(RiskSetting):
            rows = QFormLayout()
            rows.setVerticalSpacing(2)
            rows.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            rows.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            rows.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            for group in GROUPS_BY_SETTING[setting]:
                combo = tame_combo(rosh_combo(rating_name(setting, group), NOT_RATED))
                self.ratings[(setting, group)] = combo
                label = QLabel(f"{GROUP_TITLES[group]}:")
                label.setBuddy(combo)
                rows.addRow(label, self._cell(combo, rating_key(setting, group)))
            grid.addWidget(self.setting_titles[setting], 0, column)
            grid.addLayout(rows, 1, column, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(2, 1)
        return grid

    def _texts(self, lines: int) -> QGridLayout:
        texts = QGridLayout()
        texts.setVerticalSpacing(2)
        for index, name in enumerate(NARRATIVES):
            box = TextBox(NARRATIVE_LABELS[name], lines)
            box.setObjectName(f"riskNarrative_{name}")
            self.narratives[name] = box
            label = QLabel(f"{NARRATIVE_LABELS[name]}:")
            label.setBuddy(box)
            row, column = divmod(index, 2)
            texts.addWidget(label, row * 2, column)
            texts.addWidget(self._cell(box, name), row * 2 + 1, column)
        return texts

    # ----- what the screens ask -----------------------------------------------------------------
    def changed_signals(self) -> list[SignalInstance]:
        """Every field's "edited" signal, for a save bar or an autosaved draft."""
        combos = (self.assessor, self.tool, self.overall, *self.ratings.values())
        return [
            self.assessed_on.changed,
            self.score.textChanged,
            *(c.currentIndexChanged for c in combos),
            *(b.textChanged for b in self.narratives.values()),
        ]

    def set_custody_required(self, required: bool) -> None:
        self.setting_titles[RiskSetting.CUSTODY].setText(
            "<b>Custody</b> (required: the person is in custody)"
            if required
            else "<b>Custody</b> (optional: all five or none)"
        )

    def fill_assessors(self, persons: Iterable[PersonRow]) -> None:
        """The practitioners to choose from; the one chosen stays chosen."""
        combo = self.assessor
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(NO_ASSESSOR, None)
        for person in persons:
            combo.addItem(f"{person.display_name} ({person.agency_short_name})", person.id)
        combo.setCurrentIndex(max(combo.findData(current), 0))
        combo.blockSignals(False)

    def values(self) -> dict[str, Any]:
        """The form exactly as typed (a draft keeps even spaces): the date as text, checked by
        the screen; ratings by grid key."""
        return {
            "assessed_on": self.assessed_on.text().strip(),
            "assessor_id": self.assessor.currentData(),
            "tool": self.tool.currentData(),
            "tool_score": self.score.text(),
            "overall": self.overall.currentData(),
            "ratings": {key: combo.currentData() for key, combo in self.ratings.items()},
            **{name: box.toPlainText() for name, box in self.narratives.items()},
        }

    def put_values(self, values: Mapping[str, Any]) -> None:
        """Fill the form from ``values`` (as ``values`` gives them; a missing key: blank)."""
        self.assessed_on.setText(values.get("assessed_on") or "")
        assessor = values.get("assessor_id")
        if assessor is not None and self.assessor.findData(assessor) < 0:
            self.assessor.addItem(FORMER_ASSESSOR, assessor)
        self.assessor.setCurrentIndex(max(self.assessor.findData(assessor), 0))
        tool = values.get("tool") or AssessmentTool.OASYS.value
        self.tool.setCurrentIndex(max(self.tool.findData(tool), 0))
        self.score.setText(values.get("tool_score") or "")
        self.overall.setCurrentIndex(max(self.overall.findData(values.get("overall")), 0))
        ratings = values.get("ratings") or {}
        for key, combo in self.ratings.items():
            combo.setCurrentIndex(max(combo.findData(ratings.get(key)), 0))
        for name, box in self.narratives.items():
            box.setPlainText(values.get(name) or "")
