"""One case on the agenda, as a page of sections in reading order: the header, who is in the
room for the case, previous actions reviewed one by one, information shared by each agency,
victim and diversity issues, the risk (summary, trend, a new risk-assessment version), the plan,
new actions, and decisions.

Each section is a view/controller pair (``sections``); this page only composes them, keeps
Tab in reading order and answers the meeting screen (reload, keys to unregister, drafts,
jumps). Autosaved fields (texts, reviews, information, the trend) reach the database by
themselves; forms with a button keep what is typed as a draft in the local journal until the
button records it."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from mappa_desktop.services.actor import Actor
from mappa_desktop.services.meetings import AgendaItem
from ui.forms import style
from ui.forms.style import Tone
from ui.user_text import escaped as _esc
from ui.views.meeting.autosave import AutoSaveHub, DraftBinding
from ui.views.meeting.common import ScreenData, fmt_date, tame_combos
from ui.views.meeting.draft_keys import DraftKey
from ui.views.meeting.sections.base import (
    CaseContext,
    Writer,
    layout_focus_order,
    tab_in_reading_order,
)
from ui.views.meeting.sections.decisions import DecisionsSection
from ui.views.meeting.sections.information import InformationSection
from ui.views.meeting.sections.issues import IssuesSection
from ui.views.meeting.sections.new_actions import NewActionsSection
from ui.views.meeting.sections.plan import PlanSection
from ui.views.meeting.sections.previous import PreviousActionsSection
from ui.views.meeting.sections.risk import RiskSection
from ui.views.meeting.sections.room import RoomSection

__all__ = ["CasePage", "Writer", "header_html"]


def header_html(position: int, item: AgendaItem, meeting_date: date) -> str:
    case = item.case
    rosh = case.latest_rosh.label if case.latest_rosh is not None else "not assessed"
    last = fmt_date(case.last_review) or "never reviewed at a panel"
    due = fmt_date(case.next_review_due) or "not set"
    overdue = (
        " " + style.span("(overdue)", Tone.ERROR)
        if case.next_review_due is not None and case.next_review_due < meeting_date
        else ""
    )
    reason = item.discussion.agenda_reason.value.replace("_", " ")
    cat = f"Category {case.category}" if case.category else "Category ?"
    level = f"Level {case.level}" if case.level else "Level ?"
    return (
        f"<h2 style='margin:0'>{position}. {_esc(case.display_name)}</h2>"
        f"<p style='margin:2px 0'><b>{cat}</b> · <b>{level}</b> · RoSH <b>{rosh}</b> · "
        f"Lead agency <b>{_esc(case.lead_agency)}</b></p>"
        f"<p style='margin:2px 0'>Last review: {last} · Review due: {due}{overdue} · "
        f"On the agenda: {reason}</p>"
    )


class CasePage(QScrollArea):
    """Everything recorded about one case at this meeting. Updated in place on reload."""

    def __init__(
        self,
        hub: AutoSaveHub,
        actor: Actor,
        write: Writer,
        data: ScreenData,
        item: AgendaItem,
        position: int,
    ) -> None:
        super().__init__()
        self.setObjectName(f"casePage{item.discussion.id}")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        meeting = data.detail.meeting
        ctx = CaseContext(
            hub=hub,
            actor=actor,
            write=write,
            meeting_id=meeting.id,
            meeting_date=meeting.meeting_date,
            discussion_id=item.discussion.id,
            case_id=item.case.case_id,
        )
        self.item = item
        self.position = position
        self.discussion_id = ctx.discussion_id
        self.case_id = ctx.case_id
        self.meeting_id = ctx.meeting_id
        self._inner = QWidget()
        self.setWidget(self._inner)
        layout = QVBoxLayout(self._inner)
        self.header = QLabel()
        self.header.setObjectName("caseHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        layout.addWidget(self.header)
        # The sections, in reading order (each is built, then placed, so Tab follows them).
        self.room = RoomSection(ctx, data, item)
        layout.addWidget(self.room)
        self.previous = PreviousActionsSection(ctx, item)
        layout.addWidget(self.previous)
        self.information = InformationSection(ctx, data, item)
        layout.addWidget(self.information)
        self.issues = IssuesSection(ctx, item)
        layout.addWidget(self.issues)
        self.risk = RiskSection(ctx, item, data.people)
        layout.addWidget(self.risk)
        self.plan = PlanSection(ctx, data, item)
        layout.addWidget(self.plan)
        self.new_actions = NewActionsSection(ctx, data, item)
        layout.addWidget(self.new_actions)
        self.decisions = DecisionsSection(ctx, data, item)
        layout.addWidget(self.decisions)
        layout.addStretch(1)
        self.header.setText(header_html(position, item, meeting.meeting_date))
        self.risk.update_button.clicked.connect(self._show_risk_form)
        tame_combos(self._inner)
        tab_in_reading_order(self._inner)

    # ----- data -----------------------------------------------------------------------------
    def update_data(self, data: ScreenData, item: AgendaItem, position: int) -> None:
        self.item = item
        self.position = position
        self.header.setText(header_html(position, item, data.detail.meeting.meeting_date))
        self.room.update_data(data, item)
        self.previous.update_data(item)
        self.information.update_data(data, item)
        self.issues.update_data(item)
        self.risk.update_data(item)
        self.plan.update_data(data, item)
        self.new_actions.update_data(data, item)
        self.decisions.update_data(data, item)
        tame_combos(self._inner)
        tab_in_reading_order(self._inner)

    def ensure_info_field(self, agency_id: int) -> bool:
        """Show the agency's entry even if it is not in the room (an unsaved edit is waiting)."""
        shown = self.information.ensure_info_field(agency_id)
        tab_in_reading_order(self._inner)
        return shown

    def key_fields(self) -> list[DraftKey]:
        """Every autosave and draft key of this page (to unregister it from the hub)."""
        return [
            *self.previous.keys(),
            *self.information.keys(),
            *self.issues.keys(),
            *self.risk.keys(),
            *self.plan.keys(),
            *self.new_actions.keys(),
            *self.decisions.keys(),
        ]

    def drafts(self) -> list[DraftBinding]:
        return [
            self.plan.draft,
            self.new_actions.draft,
            self.risk.form.draft,
            self.decisions.draft,
            self.decisions.dissent_draft,
        ]

    # ----- navigation -----------------------------------------------------------------------
    def open_risk_update(self) -> None:
        self.risk.open_form()
        self._show_risk_form()

    def _show_risk_form(self) -> None:
        self.ensureWidgetVisible(self.risk.form)

    def focus_new_action(self) -> None:
        self.ensureWidgetVisible(self.new_actions)
        self.new_actions.focus_text()

    def focus_decisions(self) -> None:
        self.ensureWidgetVisible(self.decisions, 0, 0)
        self.verticalScrollBar().setValue(self.decisions.y())
        self.decisions.kind.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_section(self, name: str) -> bool:
        """Scroll to a section and put the focus in its first field (e.g. from a sign-off
        finding): "room", "previous", "information", "victim_issues", "diversity_issues",
        "risk", "risk_trend", "plan", "actions", "decisions". False: no such section."""
        targets: dict[str, QWidget] = {
            "room": self.room.table,
            "information": self.information,
            "previous": self.previous,
            "victim_issues": self.issues.victim_issues.editor,
            "diversity_issues": self.issues.diversity_issues.editor,
            "risk": self.risk.summary.editor,
            "risk_trend": self.risk.trend,
            "plan": self.plan.table,
            "actions": self.new_actions.text,
            "decisions": self.decisions.kind,
        }
        target = targets.get(name)
        if target is None:
            return False
        stops = [target] if target.focusPolicy() != Qt.FocusPolicy.NoFocus else []
        first = (stops or layout_focus_order(target) or [target])[0]
        self.ensureWidgetVisible(first)
        first.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True
