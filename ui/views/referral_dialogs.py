"""The co-ordinator's referral dialogs: screening a referral (accept at a level, decline with a
reason, return for more information) and recording a new referral (MAPPA A). The service checks
every rule; its errors are shown under the field they name. Esc closes either dialog."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.domain.coordination import ScreeningOutcome
from mappa_desktop.domain.enums import RoshLevel
from mappa_desktop.domain.errors import ValidationError
from mappa_desktop.services import referrals
from mappa_desktop.services.people import AgencyRow
from mappa_desktop.services.referrals import ReferralRow
from mappa_desktop.services.statistics import CATEGORY_LABELS
from ui import messages
from ui.context import AppContext
from ui.tasks import Progress
from ui.views.record.common import (
    DateField,
    FieldError,
    FormErrors,
    add_row,
    assign_mnemonics,
    mnemonic_widgets,
    new_form,
    text_box,
)

OUTCOME_LABELS = {
    ScreeningOutcome.ACCEPT: "Accept at a level",
    ScreeningOutcome.DECLINE: "Decline",
    ScreeningOutcome.RETURN: "Return for more information",
}
REASON_LABELS = {
    ScreeningOutcome.ACCEPT: "Rationale:",
    ScreeningOutcome.DECLINE: "Reason for declining:",
    ScreeningOutcome.RETURN: "Information needed:",
}


class _ServiceDialog(QDialog):
    """A form dialog whose OK runs one write in the task runner; errors go under the fields."""

    saved = Signal(object)  # the ReferralRow written

    def __init__(self, ctx: AppContext, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.errors = FormErrors()
        self.form = new_form()
        self.general_error = FieldError(title)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        assign_mnemonics(mnemonic_widgets(self), "")

    def client_problems(self) -> dict[str, str]:
        return {}

    def write(self) -> Callable[[Progress], Any]:
        raise NotImplementedError

    def submit(self) -> None:
        self.errors.clear()
        self.general_error.clear_message()
        problems = self.client_problems()
        if problems:
            self._show(ValidationError(problems))
            return
        self.ok_button.setEnabled(False)
        self.ctx.runner.submit(self.write(), self._on_saved, self._on_failed)

    def _on_saved(self, row: ReferralRow) -> None:
        self.ok_button.setEnabled(True)
        self.saved.emit(row)
        self.accept()

    def _show(self, exc: ValidationError) -> None:
        unclaimed = self.errors.show(exc.errors)
        if unclaimed:
            self.general_error.show_message(messages.describe(ValidationError(unclaimed)))

    def _on_failed(self, exc: Exception) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self._show(exc)
        else:
            self.general_error.show_message(messages.describe(exc))


class ScreeningDialog(_ServiceDialog):
    """Screen one referral awaiting screening."""

    def __init__(self, ctx: AppContext, referral: ReferralRow, parent: QWidget | None = None):
        super().__init__(ctx, f"Screen referral {referral.id}", parent)
        self.referral = referral
        summary = QLabel(
            f"{referral.case_name} (case {referral.case_id}), referred by "
            f"{referral.referring_agency} on {referral.referral_date.isoformat()} for "
            f"Level {referral.level_sought}."
        )
        summary.setWordWrap(True)
        self.form.addRow(summary)
        self.outcome_combo = QComboBox()
        for outcome, text in OUTCOME_LABELS.items():
            self.outcome_combo.addItem(text, outcome)
        self.level_combo = QComboBox()
        self.level_combo.addItem("Level 2", 2)
        self.level_combo.addItem("Level 3", 3)
        self.level_combo.setCurrentIndex(0 if referral.level_sought == 2 else 1)
        self.reason_edit = text_box("Reason", lines=4)
        self.date_edit = DateField("Screened on")
        self.date_edit.set_date(ctx.today())
        add_row(self.form, "Outcome:", self.outcome_combo, self.errors, "outcome")
        add_row(self.form, "Level:", self.level_combo, self.errors, "level")
        self.reason_label = add_row(self.form, "Reason:", self.reason_edit, self.errors, "reason")
        add_row(self.form, "Screened on:", self.date_edit, self.errors, "screened_on")
        self.outcome_combo.currentIndexChanged.connect(self._on_outcome_changed)
        self.finish_layout()
        self._on_outcome_changed()

    @property
    def outcome(self) -> ScreeningOutcome:
        return ScreeningOutcome(self.outcome_combo.currentData())

    def _on_outcome_changed(self, *_args: object) -> None:
        accepting = self.outcome is ScreeningOutcome.ACCEPT
        self.level_combo.setEnabled(accepting)
        self.reason_edit.setAccessibleName(REASON_LABELS[self.outcome].rstrip(":"))

    def client_problems(self) -> dict[str, str]:
        problem = self.date_edit.problem("screening date")
        return {"screened_on": problem} if problem else {}

    def write(self) -> Callable[[Progress], Any]:
        ctx, referral_id, version = self.ctx, self.referral.id, self.referral.version
        outcome, reason = self.outcome, self.reason_edit.toPlainText()
        level = int(self.level_combo.currentData()) if outcome is ScreeningOutcome.ACCEPT else None
        day = self.date_edit.date_value()

        def run(_p: Progress) -> ReferralRow:
            with ctx.sessions.begin() as s:
                return referrals.screen_referral(
                    s,
                    ctx.actor,
                    referral_id,
                    outcome=outcome,
                    reason=reason,
                    level=level,
                    screened_on=day,
                    expected_version=version,
                )

        return run


class NewReferralDialog(_ServiceDialog):
    """Record a referral received by the co-ordinator (MAPPA A fields)."""

    def __init__(
        self,
        ctx: AppContext,
        agencies: list[AgencyRow],
        case_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, "New referral", parent)
        self.case_spin = QSpinBox()
        self.case_spin.setRange(1, 2_000_000_000)
        if case_id is not None:
            self.case_spin.setValue(case_id)
        self.agency_combo = QComboBox()
        for agency in agencies:
            self.agency_combo.addItem(agency.name, agency.id)
        self.referrer_edit = QLineEdit()
        self.date_edit = DateField("Referral date")
        self.date_edit.set_date(ctx.today())
        self.category_combo = QComboBox()
        for category, text in CATEGORY_LABELS.items():
            self.category_combo.addItem(text, category)
        self.level_combo = QComboBox()
        self.level_combo.addItem("Level 2", 2)
        self.level_combo.addItem("Level 3", 3)
        self.reason_edit = text_box("Reason for referral", lines=3)
        self.rosh_combo = QComboBox()
        for level in RoshLevel:
            self.rosh_combo.addItem(level.label, level.value)
        self.added_edit = text_box("What multi-agency management would add", lines=3)
        self.level3_edit = text_box("Level 3: what cannot be managed at Level 2", lines=3)
        for text, widget, key in (
            ("Case number:", self.case_spin, "case_id"),
            ("Referring agency:", self.agency_combo, "referring_agency_id"),
            ("Referred by:", self.referrer_edit, "referrer_name"),
            ("Referral date:", self.date_edit, "referral_date"),
            ("Category:", self.category_combo, "category"),
            ("Level sought:", self.level_combo, "level_sought"),
            ("Reason for referral:", self.reason_edit, "reason"),
            ("Current RoSH:", self.rosh_combo, "current_rosh"),
            ("Multi-agency added value:", self.added_edit, "added_value"),
            ("Level 3 reason:", self.level3_edit, "level3_reason"),
        ):
            add_row(self.form, text, widget, self.errors, key)
        self.finish_layout()

    def client_problems(self) -> dict[str, str]:
        problem = self.date_edit.problem("referral date")
        if problem:
            return {"referral_date": problem}
        if self.date_edit.date_value() is None:
            return {"referral_date": "Give the referral date."}
        return {}

    def write(self) -> Callable[[Progress], Any]:
        ctx = self.ctx
        values: dict[str, Any] = {
            "case_id": self.case_spin.value(),
            "referring_agency_id": self.agency_combo.currentData(),
            "referrer_name": self.referrer_edit.text(),
            "referral_date": self.date_edit.date_value() or date.min,
            "category": self.category_combo.currentData(),
            "level_sought": self.level_combo.currentData(),
            "reason": self.reason_edit.toPlainText(),
            "current_rosh": self.rosh_combo.currentData(),
            "added_value": self.added_edit.toPlainText(),
            "level3_reason": self.level3_edit.toPlainText(),
        }

        def run(_p: Progress) -> ReferralRow:
            with ctx.sessions.begin() as s:
                return referrals.create_referral(s, ctx.actor, **values)

        return run
