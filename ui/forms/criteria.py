"""The Level 2/3 criteria helper (MAPPA Guidance ch.7): tick the criteria that apply, see the level
they suggest and how the chosen level compares. The panel decides; the helper only suggests.

One widget for the case record's "Change category or level" form and the meeting's level
decision, so the criteria, their wording and the suggestion read the same on both. The screen's
controller owns the level combo: it calls ``refresh`` with the chosen level whenever a tick or the
level changes, and sets the level from ``suggested`` when ``use_button`` is pressed.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.domain.enums import Level, RoshLevel
from mappa_desktop.domain.rules import suggested_level
from ui.forms import style
from ui.forms.style import Tone
from ui.forms.wrapping import WrappingCheckBox

CRITERIA = {
    "adds_value": (
        "Formal multi-agency meetings would add value to the lead agency's management of the "
        "risk of serious harm"
    ),
    "high_rosh": "Assessed Risk of Serious Harm is High or Very High",
    "coordination": (
        "Exceptionally: the risk is lower, but the case needs the active involvement and "
        "co-ordination of other agencies"
    ),
    "senior": (
        "Needs senior representation: significant resources at short notice, or media "
        "scrutiny or public interest"
    ),
}
CRITERIA_SHORT = {
    "adds_value": "multi-agency meetings add value",
    "high_rosh": "RoSH High or Very High",
    "coordination": "lower risk but needs other agencies' co-ordination",
    "senior": "needs senior representation",
}
PANEL_DECIDES = (
    "The suggestion follows the national guidance; the panel decides and the rationale records "
    "why. Cases are managed at the lowest level that gives a defensible plan."
)
UNTOUCHED = "Tick the criteria that apply; the suggested level updates as you tick."


def _wrapped(name: str) -> QLabel:
    label = QLabel("")
    label.setWordWrap(True)
    label.setAccessibleName(name)
    return label


class CriteriaHelper(QGroupBox):
    """The criteria check boxes, the suggested level and "Use the suggested level".

    ``side_by_side``: the suggestion beside the check boxes (a wide form, the meeting) instead of
    under them (a narrow column, the record). Nothing else differs."""

    def __init__(
        self, title: str, *, side_by_side: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(title, parent)
        self.setObjectName("criteriaHelper")
        self.criteria: dict[str, WrappingCheckBox] = {}
        checks = QVBoxLayout()
        checks.setSpacing(2)
        for key, text in CRITERIA.items():
            check = WrappingCheckBox(text)  # wraps: the form fits a 1024-pixel screen
            check.setAccessibleName(text)
            check.setObjectName(f"criterion_{key}")
            self.criteria[key] = check
            checks.addWidget(check)
            if key == "high_rosh":
                self.rosh_note = _wrapped("Latest RoSH assessment")
                self.rosh_note.setObjectName("criteriaRoshNote")
                self.rosh_note.setIndent(24)
                style.set_tone(self.rosh_note, Tone.MUTED)
                checks.addWidget(self.rosh_note)
        self.met = _wrapped("Criteria met")
        self.suggestion = QLabel("")
        self.suggestion.setObjectName("suggestedLevel")
        self.suggestion.setAccessibleName("Suggested level")
        font = self.suggestion.font()
        font.setBold(True)
        self.suggestion.setFont(font)
        self.use_button = QPushButton("Use the suggested level")
        self.use_button.setAccessibleName("Use the suggested level")
        self.choice_note = _wrapped("Chosen level compared with the suggestion")
        self.choice_note.setObjectName("levelChoiceNote")
        self.decides = _wrapped("How the level is decided")
        self.decides.setText(PANEL_DECIDES)
        self._lay_out(checks, side_by_side)

    def _lay_out(self, checks: QVBoxLayout, side_by_side: bool) -> None:
        suggestion_row = QHBoxLayout()
        suggestion_row.addWidget(self.suggestion, 1)
        suggestion_row.addWidget(self.use_button, 0, Qt.AlignmentFlag.AlignLeft)
        side = QVBoxLayout()
        side.addLayout(suggestion_row)
        side.addWidget(self.met)
        side.addWidget(self.choice_note)
        side.addWidget(self.decides)
        side.addStretch(1)
        layout: QBoxLayout = QHBoxLayout(self) if side_by_side else QVBoxLayout(self)
        layout.addLayout(checks, 1)
        if side_by_side:
            column = QWidget()
            column.setLayout(side)
            column.setMinimumWidth(240)
            column.setMaximumWidth(340)
            side.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(column)
        else:
            layout.addLayout(side)

    # ----- values ---------------------------------------------------------------------------
    def values(self) -> dict[str, bool]:
        return {key: check.isChecked() for key, check in self.criteria.items()}

    def set_values(self, values: Mapping[str, object]) -> None:
        for key, check in self.criteria.items():
            check.setChecked(bool(values.get(key)))

    def suggested(self) -> Level:
        c = self.values()
        return suggested_level(
            RoshLevel.HIGH if c["high_rosh"] else None,
            multi_agency_adds_value=c["adds_value"],
            needs_senior_oversight=c["senior"],
            lower_risk_needs_coordination=c["coordination"],
        )

    # ----- the latest assessment ------------------------------------------------------------
    def describe_rosh(self, rosh: RoshLevel | None, source: str = "Latest assessment") -> None:
        """Say what the latest assessment found, without touching the tick."""
        self.rosh_note.setText(
            f"{source}: overall RoSH {rosh.label}."
            if rosh is not None
            else "No risk assessment is recorded: tick this by the panel's judgement."
        )

    def set_rosh(self, rosh: RoshLevel | None) -> None:
        """Pre-tick "High or Very High" from the latest assessment, and say so."""
        high = rosh is not None and rosh.rank >= RoshLevel.HIGH.rank
        self.criteria["high_rosh"].setChecked(high)
        self.describe_rosh(rosh)
        if rosh is not None:
            self.rosh_note.setText(
                self.rosh_note.text().rstrip(".")
                + " (ticked from it; untick if the panel assesses otherwise)."
            )

    # ----- the suggestion -------------------------------------------------------------------
    def refresh(
        self, chosen: int | None, *, untouched: bool = False, writable: bool = True
    ) -> None:
        """Show the criteria met, the suggestion, and how ``chosen`` compares. ``untouched``:
        nothing ticked or chosen by the person yet (the note invites them to tick)."""
        met = [CRITERIA_SHORT[k] for k, on in self.values().items() if on]
        self.met.setText("Criteria met: " + ("; ".join(met) if met else "none ticked yet") + ".")
        suggestion = int(self.suggested())
        self.suggestion.setText(f"Suggested: Level {suggestion}")
        if untouched:
            self.choice_note.setText(UNTOUCHED)
            style.set_tone(self.choice_note, None)
        elif chosen is None or chosen == suggestion:
            self.choice_note.setText("The chosen level matches the suggestion.")
            style.set_tone(self.choice_note, Tone.SUCCESS)
        else:
            self.choice_note.setText(
                f"You have chosen Level {chosen}; the criteria suggest Level {suggestion}. "
                "Say why in the rationale."
            )
            style.set_tone(self.choice_note, Tone.WARNING, bold=True)
        self.use_button.setEnabled(writable and chosen != suggestion)
