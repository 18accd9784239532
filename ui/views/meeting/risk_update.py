"""The risk update on a case page: a new version of the case's risk assessment, prefilled from the
latest one and recorded against this meeting (``risk.record_assessment(..., meeting_id=)``).

The fields are the case record's risk editor (``ui.forms.risk_editor``); this controller keeps
the meeting's part: prefill, errors from the service under their fields, and what is typed
journaled as a draft until "Save as new version" records it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.domain.enums import (
    AssessmentTool,
    CustodyStatus,
    RiskGroup,
    RiskSetting,
)
from mappa_desktop.domain.errors import ConflictError, ValidationError
from mappa_desktop.services import cases, risk
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.people import PersonRow
from mappa_desktop.services.risk import GRID, NARRATIVES, AssessmentRow
from ui import messages
from ui.forms import style
from ui.forms.field_error import FieldError
from ui.forms.risk_editor import RiskEditor
from ui.forms.style import Tone
from ui.tasks import Progress
from ui.views.meeting.autosave import AutoSaveHub, DraftBinding, FormValue, draft_label
from ui.views.meeting.draft_keys import DraftKey, KeyKind
from ui.views.record.common import FormErrors


def risk_draft_key(discussion_id: int) -> DraftKey:
    return DraftKey(KeyKind.RISK_ASSESSMENT_DRAFT, discussion_id)


def _rating_key(setting: RiskSetting, group: RiskGroup) -> str:
    return f"{setting.value}.{group.value}"


class RiskUpdateForm(QFrame):
    """A new risk-assessment version for one case, recorded at this meeting."""

    saved = Signal(object)  # the AssessmentRow recorded

    def __init__(
        self,
        hub: AutoSaveHub,
        actor: Actor,
        *,
        case_id: int,
        discussion_id: int,
        meeting_id: int,
        meeting_date: date,
        persons: tuple[PersonRow, ...],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("riskUpdateForm")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        style.set_box(self, Tone.INFO)
        self._hub = hub
        self._actor = actor
        self.case_id = case_id
        self.meeting_id = meeting_id
        self.meeting_date = meeting_date
        self.errors = FormErrors()
        self.latest: AssessmentRow | None = None
        self.custody_status = CustodyStatus.COMMUNITY
        self._baseline: FormValue | None = None
        self._open = False
        self._keep_values = False  # a restored draft is in the form: loading must not replace it

        self.title = QLabel("<b>New risk-assessment version</b>")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.status = QLabel("")
        self.status.setObjectName("riskUpdateStatus")
        self.status.setWordWrap(True)

        # the fields: the record's editor (``ui.forms.risk_editor``), under the meeting's names
        self.editor = RiskEditor(self.errors.register)
        self.editor.fill_assessors(persons)
        self.assessed_on = self.editor.assessed_on
        self.assessed_on.set_date(self._default_date())
        self.assessed_on.set_range(maximum=date.today())
        self.overall = self.editor.overall
        self.tool = self.editor.tool
        self.score = self.editor.score
        self.assessor = self.editor.assessor
        self.ratings = self.editor.ratings
        self.narratives = self.editor.narratives

        self.save_button = QPushButton("Save as ne&w version")
        self.save_button.setObjectName("saveRiskVersion")
        self.cancel_button = QPushButton("Cancel (drop this draft)")
        self.form_error = FieldError("New risk-assessment version")
        self.draft_state = draft_label("new risk-assessment version", keep_space=True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.draft_state, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(self.editor)
        layout.addWidget(self.form_error)
        layout.addLayout(buttons)
        self.setVisible(False)

        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.cancel)
        self.draft = DraftBinding(
            hub,
            risk_draft_key(discussion_id),
            get_value=self.form_value,
            set_value=self.set_form_value,
            changed=self.editor.changed_signals(),
            is_blank=self._is_blank,
            state_label=self.draft_state,
            button="Save as new version",
            what="new risk-assessment version",
            lands_in="the case record",
        )

    # ----- helpers ----------------------------------------------------------------------------
    def _default_date(self) -> date:
        return min(self.meeting_date, date.today())

    # ----- opening ----------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self._open

    def open_form(self) -> None:
        """Show the form and prefill it from the latest version (loaded in the background)."""
        if self._open:
            self.overall.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._open = True
        self._keep_values = False
        self.setVisible(True)
        self._load()

    def _load(self) -> None:
        self.status.setText("Loading the latest assessment…")
        self.save_button.setEnabled(False)
        case_id = self.case_id
        hub = self._hub

        def run(_p: Progress) -> tuple[AssessmentRow | None, CustodyStatus]:
            with hub.ctx.read_sessions() as s:
                latest = risk.latest_assessment(s, case_id)
                return latest, cases.get_case(s, case_id).custody_status

        hub.ctx.runner.submit(run, self._on_loaded, self._on_load_failed)

    def _on_loaded(self, result: tuple[AssessmentRow | None, CustodyStatus]) -> None:
        self.latest, self.custody_status = result
        self.save_button.setEnabled(not self._hub.read_only)
        self.editor.set_custody_required(self.custody_status is CustodyStatus.CUSTODY)
        prefill = self._prefill(self.latest)
        self._baseline = prefill
        if not self._keep_values:
            self.draft.silently(lambda: self.set_form_value(prefill))
            self.overall.setFocus(Qt.FocusReason.OtherFocusReason)
        latest = self.latest
        if latest is None:
            self.status.setText(
                "No assessment is recorded for this case yet: this will be version 1."
            )
        else:
            self.status.setText(
                f"{'Your draft, started' if self._keep_values else 'Prefilled'} from version "
                f"{latest.version_no} ({latest.assessed_on.isoformat()}, overall "
                f"{latest.overall.label}): change what the panel found different, then save as "
                f"version {latest.version_no + 1}. Earlier versions stay as they are."
            )

    def _on_load_failed(self, exc: Exception) -> None:
        self.status.setText(f"The latest assessment could not be loaded: {messages.describe(exc)}")
        self.save_button.setEnabled(not self._hub.read_only)

    def _prefill(self, row: AssessmentRow | None) -> FormValue:
        if row is None:
            return {
                "assessed_on": self._default_date().isoformat(),
                "assessor_id": None,
                "tool": AssessmentTool.OASYS.value,
                "tool_score": "",
                "overall": None,
                "ratings": {_rating_key(*k): None for k in GRID},
                **{name: "" for name in NARRATIVES},
            }
        return {
            "assessed_on": self._default_date().isoformat(),
            "assessor_id": row.assessor_id,
            "tool": row.tool.value,
            "tool_score": row.tool_score,
            "overall": row.overall.value,
            "ratings": {
                _rating_key(*k): (level.value if (level := row.rating(*k)) is not None else None)
                for k in GRID
            },
            **{name: getattr(row, name) for name in NARRATIVES},
        }

    def cancel(self) -> None:
        self._open = False
        self._keep_values = False
        self.errors.clear()
        self.form_error.clear_message()
        self.setVisible(False)
        self.draft.write_now()  # closed: the draft is dropped from the journal

    # ----- values -----------------------------------------------------------------------------
    def form_value(self) -> FormValue:
        """The editor's values as the journal keeps them (JSON: grid keys as "setting.group")."""
        typed = self.editor.values()
        return {
            **typed,
            "assessed_on": self.assessed_on.iso(),
            "ratings": {_rating_key(*k): level for k, level in typed["ratings"].items()},
            "from_version": self.latest.version_no if self.latest is not None else None,
        }

    def set_form_value(self, value: FormValue) -> None:
        """Put values into the form; from the journal this also opens it (a restored draft)."""
        if not self._open:
            self._open = True
            self._keep_values = True
            self.setVisible(True)
            self._load()
        ratings = value.get("ratings") or {}
        self.editor.put_values(
            {
                **value,
                "assessed_on": self.assessed_on.text(),  # the journal's date is set below
                "ratings": {k: ratings.get(_rating_key(*k)) for k in self.ratings},
            }
        )
        if value.get("assessed_on"):
            self.assessed_on.set_date(date.fromisoformat(value["assessed_on"]))

    def _is_blank(self, value: FormValue) -> bool:
        if not self._open:
            return True
        if self._baseline is None:
            return False  # a restored draft whose base is still loading
        mine = {k: v for k, v in value.items() if k != "from_version"}
        return mine == self._baseline

    # ----- saving -----------------------------------------------------------------------------
    def save(self) -> None:
        self.draft.write_now()  # journaled before the database is asked
        if problem := self.assessed_on.problem(required=True):
            self.form_error.show_message(problem)
            self.assessed_on.setFocus()
            return
        value = self.form_value()
        ratings = {
            tuple(key.split(".", 1)): level
            for key, level in value["ratings"].items()
            if level is not None
        }
        narratives = {name: value[name].strip() for name in NARRATIVES}
        assessed = date.fromisoformat(value["assessed_on"])
        actor, case_id, meeting_id = self._actor, self.case_id, self.meeting_id
        hub = self._hub
        self.errors.clear()
        self.form_error.clear_message()
        self.save_button.setEnabled(False)
        self.status.setText("Saving the new version…")

        def run(_p: Progress) -> AssessmentRow:
            with hub.ctx.sessions.begin() as s:
                return risk.record_assessment(
                    s,
                    actor,
                    case_id,
                    assessed_on=assessed,
                    overall=value["overall"] or "",
                    ratings=ratings,
                    tool=value["tool"],
                    tool_score=value["tool_score"].strip(),
                    assessor_id=value["assessor_id"],
                    meeting_id=meeting_id,
                    **narratives,
                )

        hub.ctx.runner.submit(run, self._on_saved, self._on_failed)

    def _on_saved(self, row: Any) -> None:
        assert isinstance(row, AssessmentRow)
        self.save_button.setEnabled(True)
        self.draft.saved()
        self._open = False
        self._keep_values = False
        self.setVisible(False)
        self.saved.emit(row)

    def _on_failed(self, exc: Exception) -> None:
        self.save_button.setEnabled(not self._hub.read_only)
        if isinstance(exc, ValidationError):
            unclaimed = self.errors.show(exc.errors)
            self.status.setText(
                "Not saved: correct the fields marked below, then save again. Your text is kept "
                "on this computer."
            )
            if unclaimed:
                self.form_error.show_message(" ".join(unclaimed.values()))
            return
        if isinstance(exc, ConflictError):
            self.form_error.show_message(
                "Someone else recorded a new version of this assessment at the same moment. "
                "Nothing was overwritten and your form is kept: save again to make yours the "
                "next version."
            )
        else:
            self.form_error.show_message(f"Not saved: {messages.describe(exc)}")
        self.status.setText("Not saved. Your text is kept on this computer.")
