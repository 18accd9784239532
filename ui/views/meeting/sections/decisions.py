"""Decisions about one case: level (with the Guidance ch.7 criteria helper; next review defaulted
from the level's interval in the team policy), disclosure (whether, to whom, by whom, how, when;
the s.327A prompt for Category 1), next review, other decisions, and dissent recorded against a
decision. What is typed in the forms is journaled as a draft until its button records it; a
recorded decision's rationale is corrected in an autosaved field."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtWidgets import QWidget
from sqlalchemy.orm import Session

from mappa_desktop.domain.enums import DecisionKind, RoshLevel
from mappa_desktop.services import discussions
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.discussions import DecisionRow
from mappa_desktop.services.meetings import AgendaItem
from ui import messages, user_text
from ui.views.meeting.autosave import AutoSaveText, DraftBinding, FormValue, Saved
from ui.views.meeting.common import (
    DECISION_LABELS,
    ScreenData,
    fill_agencies,
    fill_people,
    next_review_for,
    set_combo,
)
from ui.views.meeting.draft_keys import DraftKey, KeyKind
from ui.views.meeting.sections.base import CaseContext
from ui.views.meeting.sections.decisions_view import DecisionsView


def decision_rationale_key(decision_id: int) -> DraftKey:
    return DraftKey(KeyKind.DECISION_RATIONALE, item_id=decision_id)


def decision_draft_key(discussion_id: int) -> DraftKey:
    return DraftKey(KeyKind.DECISION_DRAFT, discussion_id)


def dissent_draft_key(discussion_id: int) -> DraftKey:
    return DraftKey(KeyKind.DISSENT_DRAFT, discussion_id)


def save_decision_rationale(
    actor: Actor, decision_id: int
) -> Callable[[str, int | None], Callable[[Session], Saved]]:
    """A correction of a recorded decision's rationale: a versioned edit, autosaved."""

    def make(text: str, version: int | None) -> Callable[[Session], Saved]:
        def work(s: Session) -> Saved:
            row = discussions.edit_decision(
                s, actor, decision_id, expected_version=version or 0, rationale=text
            )
            return Saved(row.version, row.rationale)

        return work

    return make


def theirs_decision(current: object) -> tuple[str, int | None]:
    if isinstance(current, DecisionRow):
        return current.rationale, current.version
    return "", None


# The free-text parts of the decision form: with all of them empty there is nothing to keep.
DRAFT_TEXTS = ("outcome", "rationale", "disclosure_to", "disclosure_by", "disclosure_method")


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


class DecisionsSection(DecisionsView):
    """The form follows the kind of decision; the level sets the next review from the team
    policy until the date is edited; the helper is ticked from the latest RoSH; the record,
    remove and dissent buttons write through the meeting screen's writer."""

    def __init__(self, ctx: CaseContext, data: ScreenData, item: AgendaItem) -> None:
        super().__init__()
        self._ctx = ctx
        self._data = data
        self.item = item
        self.discussion_id = ctx.discussion_id
        self.corrections: dict[int, AutoSaveText] = {}  # decision id -> its rationale, editable
        self._review_touched = False
        self._level_touched = False  # the person picked a level: reloads leave it alone
        self._rosh_seen: tuple[RoshLevel | None] | None = None
        self._connect_signals()
        set_combo(self.level, item.case.level or data.detail.meeting.level)
        self.update_data(data, item)
        self._on_kind_changed()
        self.draft = self._decision_draft()
        self.dissent_draft = self._dissent_draft()

    def _decision_draft(self) -> DraftBinding:
        return DraftBinding(
            self._ctx.hub,
            decision_draft_key(self.discussion_id),
            get_value=self.form_value,
            set_value=self.set_form_value,
            changed=[
                self.kind.currentIndexChanged,
                self.outcome.textChanged,
                self.rationale.textChanged,
                self.level.currentIndexChanged,
                self.category.currentIndexChanged,
                self.review_date.changed,
                self.disclose.currentIndexChanged,
                self.disclosure_to.textChanged,
                self.disclosure_by.textChanged,
                self.disclosure_method.textChanged,
                self.disclosure_date.changed,
                self.s327a.toggled,
                *(c.toggled for c in self.helper.criteria.values()),
            ],
            is_blank=lambda v: not any(str(v.get(k) or "").strip() for k in DRAFT_TEXTS),
            state_label=self.draft_state,
            button="Record decision",
            what="decision",
        )

    def _dissent_draft(self) -> DraftBinding:
        return DraftBinding(
            self._ctx.hub,
            dissent_draft_key(self.discussion_id),
            get_value=self.dissent_value,
            set_value=self.set_dissent_value,
            changed=[
                self.dissent_view.textChanged,
                self.dissent_agency.currentIndexChanged,
                self.dissent_person.currentIndexChanged,
            ],
            is_blank=lambda v: not str(v.get("view") or "").strip(),
            state_label=self.dissent_draft_state,
            button="Record dissent against selected",
            what="dissent",
        )

    def _connect_signals(self) -> None:
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self.level.currentIndexChanged.connect(self._on_level_changed)
        self.level.activated.connect(self._on_level_chosen)
        for check in self.helper.criteria.values():
            check.toggled.connect(self._refresh_helper)
        self.helper.use_button.clicked.connect(self._on_use_suggestion)
        self.review_date.changed.connect(self._on_review_edited)
        self.disclose.currentIndexChanged.connect(self._on_disclose_changed)
        self.record_button.clicked.connect(self._on_record)
        self.remove_button.clicked.connect(self._on_remove)
        self.dissent_button.clicked.connect(self._on_dissent)
        self.dissent_view.returnPressed.connect(self._on_dissent)
        self.dissent_agency.currentIndexChanged.connect(self._on_dissent_agency)
        self.table.selectionModel().currentRowChanged.connect(self._show_correction)

    # ----- data -----------------------------------------------------------------------------
    def update_data(self, data: ScreenData, item: AgendaItem) -> None:
        self._data = data
        self.item = item
        selected = self.selected()
        self.model.set_rows(list(item.decisions))
        self.table.resizeRowsToContents()
        if selected is not None:
            for position, row in enumerate(self.model.rows()):
                if row.id == selected.id:
                    self.table.selectRow(position)
        elif self.model.rowCount():
            self.table.selectRow(self.model.rowCount() - 1)
        self._update_corrections(item)
        is_cat1 = item.case.category == 1
        self.s327a_prompt.setVisible(is_cat1)
        self.s327a.setVisible(is_cat1)
        if not self._level_touched:
            set_combo(self.level, item.case.level or data.detail.meeting.level)
        if not self._review_touched:
            self._on_level_changed()
        rosh = (item.case.latest_rosh,)
        if rosh != self._rosh_seen:  # first load, or a new assessment: tick from it again
            self._rosh_seen = rosh
            self.helper.set_rosh(item.case.latest_rosh)
        self._refresh_helper()
        self.disclosure_date.set_range(minimum=data.detail.meeting.meeting_date)
        fill_agencies(self.dissent_agency, data.agencies, blank="(agency)")
        self._on_dissent_agency()

    def _update_corrections(self, item: AgendaItem) -> None:
        """One autosaved rationale per recorded decision; the selected one's is shown."""
        ids = {d.id for d in item.decisions}
        for decision_id in [i for i in self.corrections if i not in ids]:
            gone = self.corrections.pop(decision_id)
            self._ctx.hub.remove(gone.binding.key)
            gone.deleteLater()
        for decision in item.decisions:
            field = self.corrections.get(decision.id)
            if field is None:
                field = AutoSaveText(
                    self._ctx.hub,
                    decision_rationale_key(decision.id),
                    f"Correct the rationale of the {DECISION_LABELS[decision.kind].lower()} "
                    "decision selected above (a correction saves by itself):",
                    text=decision.rationale,
                    version=decision.version,
                    make_save=save_decision_rationale(self._ctx.actor, decision.id),
                    theirs_of=theirs_decision,
                    min_lines=2,
                )
                field.setObjectName(f"decisionRationale{decision.id}")
                field.setVisible(False)
                self.corrections[decision.id] = field
                self.corrections_box.addWidget(field)
            else:
                field.binding.set_saved(decision.rationale, decision.version)
        self._show_correction()

    def _show_correction(self, *_args: object) -> None:
        selected = self.selected()
        for decision_id, field in self.corrections.items():
            field.setVisible(selected is not None and selected.id == decision_id)

    def correction_for_selected(self) -> AutoSaveText | None:
        selected = self.selected()
        return self.corrections.get(selected.id) if selected is not None else None

    def selected(self) -> DecisionRow | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.row_at(index.row())

    def keys(self) -> list[DraftKey]:
        """The draft keys and the autosaved rationale keys of this section (to unregister)."""
        keys = [self.draft.key, self.dissent_draft.key]
        return keys + [f.binding.key for f in self.corrections.values()]

    # ----- form behaviour ---------------------------------------------------------------------
    def _on_kind_changed(self, *_args: object) -> None:
        kind = DecisionKind(self.kind.currentData())
        level = kind is DecisionKind.LEVEL
        category = kind is DecisionKind.CATEGORY
        review = kind in (DecisionKind.LEVEL, DecisionKind.NEXT_REVIEW)
        shown: list[tuple[QWidget, bool]] = [
            (self.level_label, level),
            (self.level, level),
            (self.category_label, category),
            (self.category, category),
            (self.review_label, review),
            (self.review_date, review),
            (self.review_hint, review),
        ]
        for widget, visible in shown:
            widget.setVisible(visible)
        self.helper.setVisible(level)
        self.disclosure.setVisible(kind is DecisionKind.DISCLOSURE)
        self._on_disclose_changed()

    def _on_level_changed(self, *_args: object) -> None:
        """The next review date follows the chosen level's interval (team policy)."""
        level = self.level.currentData() or self._data.detail.meeting.level
        suggested = next_review_for(self._data, int(level))
        days = (suggested - self._data.detail.meeting.meeting_date).days
        span = f"{days // 7} weeks" if days % 7 == 0 else f"{days} days"
        self.review_hint.setText(f"(Level {level} policy: {span}, by {suggested.isoformat()})")
        self.review_date.blockSignals(True)
        self.review_date.set_date(suggested)
        self.review_date.blockSignals(False)
        self._review_touched = False
        self._refresh_helper()

    def _on_level_chosen(self, *_args: object) -> None:
        self._level_touched = True

    def _refresh_helper(self, *_args: object) -> None:
        self.helper.refresh(self.level.currentData())

    def _on_use_suggestion(self) -> None:
        set_combo(self.level, int(self.helper.suggested()))
        self._level_touched = True

    def _on_review_edited(self, *_args: object) -> None:
        self._review_touched = True

    def _on_disclose_changed(self, *_args: object) -> None:
        yes = self.disclose.currentData() is True
        for widget in (
            self.disclosure_to,
            self.disclosure_by,
            self.disclosure_method,
            self.disclosure_date,
        ):
            widget.setEnabled(yes)

    def _default_outcome(self, kind: DecisionKind) -> str:
        current = self.item.case.level
        if kind is DecisionKind.LEVEL:
            new = self.level.currentData()
            if current is None or new == current:
                return f"Remain at Level {new}"
            return f"{'Raise' if new > current else 'Lower'} to Level {new}"
        if kind is DecisionKind.NEXT_REVIEW:
            return f"Next review by {self.review_date.text().strip()}"
        if kind is DecisionKind.CATEGORY:
            return f"Category {self.category.currentData()}"
        if kind is DecisionKind.DISCLOSURE:
            choice = self.disclose.currentData()
            return "" if choice is None else ("Disclose" if choice else "No disclosure")
        return ""

    # ----- writes ---------------------------------------------------------------------------
    def _on_record(self) -> None:
        self.draft.write_now()  # journaled before the database is asked
        kind = DecisionKind(self.kind.currentData())
        values: dict[str, Any] = {
            "kind": kind,
            "outcome": self.outcome.text().strip() or self._default_outcome(kind),
            "rationale": self.rationale.toPlainText(),
            "s327a_considered": self.s327a.isVisible() and self.s327a.isChecked(),
        }
        if kind is DecisionKind.LEVEL:
            values["new_level"] = self.level.currentData()
        if kind is DecisionKind.CATEGORY:
            values["new_category"] = self.category.currentData()
        dates = [self.review_date] if kind in (DecisionKind.LEVEL, DecisionKind.NEXT_REVIEW) else []
        if kind is DecisionKind.DISCLOSURE and self.disclose.currentData():
            dates.append(self.disclosure_date)
        for field in dates:
            if problem := field.problem(required=True):
                self.error.show_message(problem)
                field.setFocus()
                return
        if kind in (DecisionKind.LEVEL, DecisionKind.NEXT_REVIEW):
            values["next_review_date"] = self.review_date.date()
        if kind is DecisionKind.DISCLOSURE:
            values["disclose"] = self.disclose.currentData()
            if values["disclose"]:
                values["disclosure_to"] = self.disclosure_to.text()
                values["disclosure_by"] = self.disclosure_by.text()
                values["disclosure_method"] = self.disclosure_method.text()
                values["disclosure_date"] = self.disclosure_date.date()
        disc = self.discussion_id

        def work(s: Session, actor: Actor) -> object:
            return discussions.record_decision(s, actor, disc, **values)

        def done(_r: object) -> None:
            self._clear()
            self.draft.saved()

        self._ctx.write(work, self.error, done)

    def _clear(self) -> None:
        self.outcome.clear()
        self.rationale.clear()
        self.disclose.setCurrentIndex(0)
        for edit in (self.disclosure_to, self.disclosure_by, self.disclosure_method):
            edit.clear()
        self.s327a.setChecked(False)

    def _on_remove(self) -> None:
        decision = self.selected()
        if decision is None:
            self.error.show_message("Select a recorded decision first.")
            return

        def work(s: Session, actor: Actor) -> object:
            discussions.remove_decision(s, actor, decision.id, expected_version=decision.version)
            return None

        messages.confirm(
            self,
            "Remove the decision",
            f"Remove the {DECISION_LABELS[decision.kind].lower()} decision "
            f"“{user_text.shown(decision.outcome)}” from this case's minutes?",
            "&Remove decision",
            lambda: self._ctx.write(work, self.error),
        )

    def _on_dissent_agency(self, *_args: object) -> None:
        fill_people(
            self.dissent_person,
            self._data.people,
            agency_id=self.dissent_agency.currentData(),
            blank="(person)",
        )

    def _on_dissent(self) -> None:
        self.dissent_draft.write_now()
        decision = self.selected()
        if decision is None:
            self.dissent_error.show_message(
                "Record the decision first, select it in the table, then record the dissent."
            )
            return
        existing = [(x.agency_id, x.person_id, x.view) for x in decision.dissents]
        new = (
            self.dissent_agency.currentData(),
            self.dissent_person.currentData(),
            self.dissent_view.text(),
        )

        def work(s: Session, actor: Actor) -> object:
            return discussions.edit_decision(
                s, actor, decision.id, expected_version=decision.version, dissents=[*existing, new]
            )

        def done(_r: object) -> None:
            self.dissent_view.clear()
            self.dissent_draft.saved()

        self._ctx.write(work, self.dissent_error, done)

    # ----- drafts (journaled until recorded) ------------------------------------------------------
    def form_value(self) -> FormValue:
        return {
            "kind": str(self.kind.currentData()),
            "outcome": self.outcome.text(),
            "rationale": self.rationale.toPlainText(),
            "new_level": self.level.currentData(),
            "new_category": self.category.currentData(),
            "next_review_date": _iso(self.review_date.date()),
            "review_touched": self._review_touched,
            "disclose": self.disclose.currentData(),
            "disclosure_to": self.disclosure_to.text(),
            "disclosure_by": self.disclosure_by.text(),
            "disclosure_method": self.disclosure_method.text(),
            "disclosure_date": _iso(self.disclosure_date.date()),
            "s327a_considered": self.s327a.isChecked(),
            "criteria": self.helper.values(),
        }

    def set_form_value(self, value: FormValue) -> None:
        with contextlib.suppress(ValueError):
            set_combo(self.kind, DecisionKind(value.get("kind") or DecisionKind.LEVEL))
        if value.get("new_level") is not None:
            set_combo(self.level, value["new_level"])
            self._level_touched = True
        if value.get("new_category") is not None:
            set_combo(self.category, value["new_category"])
        self.helper.set_values(value.get("criteria") or {})
        if value.get("next_review_date"):
            self.review_date.set_date(date.fromisoformat(value["next_review_date"]))
            self._review_touched = bool(value.get("review_touched"))
        set_combo(self.disclose, value.get("disclose"))
        self.outcome.setText(value.get("outcome") or "")
        self.rationale.setPlainText(value.get("rationale") or "")
        self.disclosure_to.setText(value.get("disclosure_to") or "")
        self.disclosure_by.setText(value.get("disclosure_by") or "")
        self.disclosure_method.setText(value.get("disclosure_method") or "")
        if value.get("disclosure_date"):
            self.disclosure_date.set_date(date.fromisoformat(value["disclosure_date"]))
        self.s327a.setChecked(bool(value.get("s327a_considered")))
        self._refresh_helper()

    def dissent_value(self) -> FormValue:
        selected = self.selected()
        return {
            "decision_id": selected.id if selected is not None else None,
            "agency_id": self.dissent_agency.currentData(),
            "person_id": self.dissent_person.currentData(),
            "view": self.dissent_view.text(),
        }

    def set_dissent_value(self, value: FormValue) -> None:
        for position, row in enumerate(self.model.rows()):
            if row.id == value.get("decision_id"):
                self.table.selectRow(position)
        set_combo(self.dissent_agency, value.get("agency_id"))
        self._on_dissent_agency()
        set_combo(self.dissent_person, value.get("person_id"))
        self.dissent_view.setText(value.get("view") or "")
