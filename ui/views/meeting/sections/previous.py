"""Previous actions, reviewed one by one: done, carried over (why, new due date) or cancelled.
Each review autosaves as one value (its choices and note serialised to JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)
from sqlalchemy.orm import Session

from mappa_desktop.domain.enums import ActionStatus, NotDoneReason
from mappa_desktop.domain.errors import ValidationError
from mappa_desktop.services import actions
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.meetings import AgendaItem, PreviousAction
from ui.forms import style
from ui.forms.style import Tone
from ui.user_text import escaped as _esc
from ui.views.meeting.autosave import FieldBinding, Saved
from ui.views.meeting.common import (
    OUTCOME_CHOICES,
    REASON_LABELS,
    buddy,
    date_edit,
    set_combo,
)
from ui.views.meeting.draft_keys import DraftKey, KeyKind
from ui.views.meeting.sections.base import CaseContext


def review_value(outcome: object, reason: object, note: str, due: date | None) -> str:
    """A review as the one string its binding saves and journals."""
    return json.dumps(
        {
            "outcome": getattr(outcome, "value", outcome),
            "reason": getattr(reason, "value", reason),
            "note": note,
            "due": due.isoformat() if due else None,
        },
        sort_keys=True,
    )


def save_review(
    actor: Actor, meeting_id: int, action_id: int
) -> Callable[[str, int | None], Callable[[Session], Saved]]:
    def make(value: str, _version: int | None) -> Callable[[Session], Saved]:
        data = json.loads(value)
        if not data.get("outcome"):
            raise ValidationError.single(
                "outcome", "Choose whether the action was done, carried over or cancelled."
            )
        due = date.fromisoformat(data["due"]) if data.get("due") else None

        def work(s: Session) -> Saved:
            actions.review_action(
                s,
                actor,
                meeting_id,
                action_id,
                outcome=data["outcome"],
                not_done_reason=data.get("reason") or None,
                note=data.get("note") or "",
                new_due_date=due,
            )
            return Saved(None, value)

        return work

    return make


class ReviewRowView(QFrame):
    """One previous action: what it was, and the review's outcome, reason, note and due date."""

    def __init__(self, action_text: str) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.outcome = QComboBox()
        self.outcome.setAccessibleName(f"Outcome of action: {action_text[:40]}")
        self.outcome.addItem("— choose —", None)
        for status, label in OUTCOME_CHOICES.items():
            self.outcome.addItem(label, status)
        self.reason = QComboBox()
        self.reason.setAccessibleName("Why it was not done")
        self.reason.addItem("(done, or not yet due)", None)
        for reason, label in REASON_LABELS.items():
            self.reason.addItem(label, reason)
        self.note = QLineEdit()
        self.note.setAccessibleName("Review note")
        self.note.setPlaceholderText("Note (what was done, or why not)")
        self.has_due = QCheckBox("New due date:")
        self.due = date_edit(date.today(), "New due date")
        self.due.setEnabled(False)
        self.state = QLabel("")
        grid = QGridLayout(self)
        grid.addWidget(self.title, 0, 0, 1, 4)
        grid.addWidget(buddy("Outcome:", self.outcome), 1, 0)
        grid.addWidget(self.outcome, 1, 1)
        grid.addWidget(buddy("Why not done:", self.reason), 1, 2)
        grid.addWidget(self.reason, 1, 3)
        grid.addWidget(self.has_due, 2, 0)
        grid.addWidget(self.due, 2, 1)
        grid.addWidget(self.note, 2, 2, 1, 2)
        grid.addWidget(self.state, 3, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 2)


class ReviewRow(ReviewRowView):
    """One previous action and how this meeting reviewed it (autosaved)."""

    def __init__(self, ctx: CaseContext, prev: PreviousAction) -> None:
        super().__init__(prev.action.text)
        self.action_id = prev.action.id
        self.has_due.toggled.connect(self.due.setEnabled)
        self.outcome.currentIndexChanged.connect(self._on_outcome)
        self.binding: FieldBinding | None = None
        self.set_action(prev)
        self.binding = FieldBinding(
            ctx.hub,
            DraftKey(KeyKind.REVIEW, item_id=self.action_id),
            get_value=self.value,
            set_value=self.set_value,
            changed=[
                self.outcome.currentIndexChanged,
                self.reason.currentIndexChanged,
                self.note.textChanged,
                self.has_due.toggled,
                self.due.changed,
            ],
            watch=[self.note, self.outcome, self.reason, self.due],
            make_save=save_review(ctx.actor, ctx.meeting_id, self.action_id),
            theirs_of=lambda _c: ("", None),
            state_label=self.state,
            conflict=None,
            saved_text=self.value(),
            version=None,
        )

    def set_action(self, prev: PreviousAction) -> None:
        a = prev.action
        owner = (
            f"{a.owner_person_name} ({a.owner_agency_name})"
            if a.owner_person_name
            else a.owner_agency_name
        )
        late = " " + style.span("overdue", Tone.ERROR) if a.overdue else ""
        self.title.setText(
            f"<b>{_esc(a.text)}</b><br>Owner: {_esc(owner)} · due {a.due_date.isoformat()}{late}"
            f" · {a.status.value.replace('_', ' ')}"
        )
        if prev.review is None:
            return
        r = prev.review
        saved = review_value(r.outcome, r.not_done_reason, r.note, r.new_due_date)
        if self.binding is None:
            self.set_value(saved)
        else:  # the widgets follow only when nothing typed here is waiting
            self.binding.set_saved(saved, None)

    def value(self) -> str:
        return review_value(
            self.outcome.currentData(),
            self.reason.currentData(),
            self.note.text(),
            self.due.date() if self.has_due.isChecked() else None,
        )

    def set_value(self, value: str) -> None:
        data = json.loads(value)
        set_combo(self.outcome, ActionStatus(data["outcome"]) if data.get("outcome") else None)
        set_combo(self.reason, NotDoneReason(data["reason"]) if data.get("reason") else None)
        self.note.setText(data.get("note") or "")
        due = data.get("due")
        self.has_due.setChecked(bool(due))
        if due:
            self.due.set_date(date.fromisoformat(due))

    def _on_outcome(self, *_args: object) -> None:
        outcome = self.outcome.currentData()
        not_done = outcome in (ActionStatus.CARRIED_OVER, ActionStatus.CANCELLED)
        self.reason.setEnabled(not_done)
        if not not_done:
            self.reason.setCurrentIndex(0)
        carried = outcome == ActionStatus.CARRIED_OVER
        self.has_due.setEnabled(carried)
        if not carried:
            self.has_due.setChecked(False)


class PreviousActionsView(QGroupBox):
    """The section: a line when there is nothing to review, then one row per action."""

    def __init__(self) -> None:
        super().__init__("Previous actions — review each one")
        self.setObjectName("previousActions")
        self.rows_layout = QVBoxLayout(self)
        self.no_previous = QLabel("No earlier actions to review for this case.")
        self.rows_layout.addWidget(self.no_previous)


class PreviousActionsSection(PreviousActionsView):
    """A review row per earlier action of the case, kept (with what is typed) across reloads."""

    def __init__(self, ctx: CaseContext, item: AgendaItem) -> None:
        super().__init__()
        self._ctx = ctx
        self.review_rows: dict[int, ReviewRow] = {}
        self.update_data(item)

    def update_data(self, item: AgendaItem) -> None:
        self.no_previous.setVisible(not item.previous_actions)
        for prev in item.previous_actions:
            row = self.review_rows.get(prev.action.id)
            if row is None:
                row = ReviewRow(self._ctx, prev)
                self.review_rows[prev.action.id] = row
                self.rows_layout.addWidget(row)
            else:
                row.set_action(prev)

    def keys(self) -> list[DraftKey]:
        return [DraftKey(KeyKind.REVIEW, item_id=a) for a in self.review_rows]
