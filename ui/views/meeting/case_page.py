"""One case on the agenda: header, previous actions reviewed one by one, information shared by
each agency, the risk update (summary, and a new risk-assessment version), RMP changes by pillar,
new actions, and decisions.

Autosaved fields (risk summary, information shared, action reviews) reach the database by
themselves; forms with a button (plan changes, new actions, decisions, dissent, a new
risk-assessment version) keep what is typed as a draft in the local journal until the button
records it."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from mappa_desktop.domain.enums import ActionStatus, AttendanceStatus, NotDoneReason, RmpPillar
from mappa_desktop.domain.errors import ValidationError
from mappa_desktop.services import actions, discussions, rmp
from mappa_desktop.services.actions import ActionRow
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.discussions import DiscussionRow, InformationRow
from mappa_desktop.services.meetings import AgendaItem, PreviousAction, RmpChangeRow
from mappa_desktop.services.rmp import RmpItemRow
from ui.models.dto_table import Column, DtoTableModel
from ui.user_text import escaped as _esc
from ui.views.meeting.autosave import (
    AutoSaveHub,
    AutoSaveText,
    DraftBinding,
    FieldBinding,
    FormValue,
    Saved,
    draft_label,
)
from ui.views.meeting.common import (
    OUTCOME_LABELS,
    PILLAR_LABELS,
    REASON_LABELS,
    ScreenData,
    buddy,
    date_edit,
    error_label,
    fill_agencies,
    fill_people,
    fmt_date,
    from_qdate,
    section,
    set_combo,
    tame_combos,
    to_qdate,
)
from ui.views.meeting.decisions import DecisionsBox
from ui.views.meeting.risk_update import RiskUpdateForm
from ui.widgets.tables import row_table

ATTENDED_OR_REPORTED = frozenset(
    {AttendanceStatus.PRESENT, AttendanceStatus.DEPUTY, AttendanceStatus.REPORT_SUBMITTED}
)


class Writer(Protocol):
    """How a page asks the meeting screen to write: in the background, errors to ``error``."""

    def __call__(
        self,
        work: Callable[[Session, Actor], object],
        error: QLabel,
        done: Callable[[Any], None] | None = None,
    ) -> None: ...


# --- keys of the autosaved fields (also the journal's field keys) ---------------------------------


def risk_key(discussion_id: int) -> str:
    return f"risk_summary/{discussion_id}"


def information_key(discussion_id: int, agency_id: int) -> str:
    return f"information/{discussion_id}/{agency_id}"


def review_key(action_id: int) -> str:
    return f"review/{action_id}"


def rmp_draft_key(discussion_id: int) -> str:
    return f"case:{discussion_id}:rmp:change"


def action_draft_key(discussion_id: int) -> str:
    return f"case:{discussion_id}:action:new"


def discussion_of_key(key: str, agenda: tuple[AgendaItem, ...]) -> int | None:
    """The agenda item (discussion id) a journal key belongs to, or None."""
    if key.startswith("case:"):
        part = key.split(":")[1]
        return int(part) if part.isdigit() else None
    kind, _, rest = key.partition("/")
    first = rest.partition("/")[0]
    if not first.isdigit():
        return None
    if kind in ("risk_summary", "information"):
        return int(first)
    if kind == "decision":
        decision_id = int(first)
        for item in agenda:
            if any(d.id == decision_id for d in item.decisions):
                return item.discussion.id
    if kind == "review":
        action_id = int(first)
        for item in agenda:
            if any(p.action.id == action_id for p in item.previous_actions):
                return item.discussion.id
    return None


# --- saving functions (built on the GUI thread, run on a worker) ---------------------------------


def save_risk(
    actor: Actor, discussion_id: int
) -> Callable[[str, int | None], Callable[[Session], Saved]]:
    def make(text: str, version: int | None) -> Callable[[Session], Saved]:
        def work(s: Session) -> Saved:
            row = discussions.set_risk_summary(
                s, actor, discussion_id, text, expected_version=version
            )
            return Saved(row.version, row.risk_summary)

        return work

    return make


def theirs_risk(current: object) -> tuple[str, int | None]:
    if isinstance(current, DiscussionRow):
        return current.risk_summary, current.version
    return "", None


def save_information(
    actor: Actor, discussion_id: int, agency_id: int
) -> Callable[[str, int | None], Callable[[Session], Saved]]:
    def make(text: str, version: int | None) -> Callable[[Session], Saved]:
        def work(s: Session) -> Saved:
            row = discussions.save_information(
                s, actor, discussion_id, agency_id=agency_id, text=text, expected_version=version
            )
            return Saved(row.version, row.text) if row is not None else Saved(None, "")

        return work

    return make


def theirs_information(current: object) -> tuple[str, int | None]:
    if isinstance(current, InformationRow):
        return current.text, current.version
    return "", None


def _review_value(outcome: object, reason: object, note: str, due: date | None) -> str:
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


# --- the header -----------------------------------------------------------------------------------


def header_html(position: int, item: AgendaItem, meeting_date: date) -> str:
    case = item.case
    rosh = case.latest_rosh.label if case.latest_rosh is not None else "not assessed"
    last = fmt_date(case.last_review) or "never reviewed at a panel"
    due = fmt_date(case.next_review_due) or "not set"
    overdue = (
        " <span style='color:#b00020'>(overdue)</span>"
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


# --- previous actions -----------------------------------------------------------------------------


class ReviewRow(QFrame):
    """One previous action and how this meeting reviewed it (autosaved)."""

    def __init__(
        self, hub: AutoSaveHub, actor: Actor, meeting_id: int, prev: PreviousAction
    ) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.action_id = prev.action.id
        a = prev.action
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.outcome = QComboBox()
        self.outcome.setAccessibleName(f"Outcome of action: {a.text[:40]}")
        self.outcome.addItem("— choose —", None)
        for status, label in OUTCOME_LABELS.items():
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
        grid.addWidget(self.title, 0, 0, 1, 6)
        grid.addWidget(buddy("Outcome:", self.outcome), 1, 0)
        grid.addWidget(self.outcome, 1, 1)
        grid.addWidget(buddy("Why not done:", self.reason), 1, 2)
        grid.addWidget(self.reason, 1, 3)
        grid.addWidget(self.has_due, 1, 4)
        grid.addWidget(self.due, 1, 5)
        grid.addWidget(self.note, 2, 0, 1, 4)
        grid.addWidget(self.state, 2, 4, 1, 2)
        grid.setColumnStretch(3, 1)
        self.has_due.toggled.connect(self.due.setEnabled)
        self.outcome.currentIndexChanged.connect(self._on_outcome)
        self.set_action(prev)
        self.binding = FieldBinding(
            hub,
            review_key(a.id),
            get_value=self.value,
            set_value=self.set_value,
            changed=[
                self.outcome.currentIndexChanged,
                self.reason.currentIndexChanged,
                self.note.textChanged,
                self.has_due.toggled,
                self.due.dateChanged,
            ],
            watch=[self.note, self.outcome, self.reason, self.due],
            make_save=save_review(actor, meeting_id, a.id),
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
        late = " <span style='color:#b00020'>overdue</span>" if a.overdue else ""
        self.title.setText(
            f"<b>{_esc(a.text)}</b><br>Owner: {_esc(owner)} · due {a.due_date.isoformat()}{late}"
            f" · {a.status.value.replace('_', ' ')}"
        )
        if prev.review is not None and not (
            hasattr(self, "binding") and self.binding.has_unsaved()
        ):
            r = prev.review
            self.set_value(
                _review_value(r.outcome, r.not_done_reason, r.note, r.new_due_date),
                programmatic=True,
            )
            if hasattr(self, "binding"):
                self.binding.set_saved(self.value(), None)

    def value(self) -> str:
        return _review_value(
            self.outcome.currentData(),
            self.reason.currentData(),
            self.note.text(),
            from_qdate(self.due.date()) if self.has_due.isChecked() else None,
        )

    def set_value(self, value: str, programmatic: bool = False) -> None:
        data = json.loads(value)
        set_combo(self.outcome, ActionStatus(data["outcome"]) if data.get("outcome") else None)
        set_combo(self.reason, NotDoneReason(data["reason"]) if data.get("reason") else None)
        self.note.setText(data.get("note") or "")
        due = data.get("due")
        self.has_due.setChecked(bool(due))
        if due:
            self.due.setDate(to_qdate(date.fromisoformat(due)))

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


# --- RMP ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RmpLine:
    pillar: RmpPillar
    text: str
    agency: str
    here: str  # "Added" / "Changed" / "Ended" at this meeting, "" otherwise
    rationale: str
    item: RmpItemRow | None  # None: ended at this meeting


RMP_COLUMNS: list[Column[RmpLine]] = [
    Column("Pillar", lambda x: PILLAR_LABELS[x.pillar]),
    Column("Item", lambda x: x.text, tooltip=lambda x: x.text),
    Column("Responsible", lambda x: x.agency),
    Column("At this meeting", lambda x: f"● {x.here}" if x.here else ""),
    Column("Rationale", lambda x: x.rationale),
]


def _rmp_highlight(line: RmpLine) -> QBrush | None:
    if line.here == "Ended":
        return QBrush(QColor("#7a7a7a"))
    if line.here:
        return QBrush(QColor("#0b5d1e"))
    return None


def rmp_lines(plan: tuple[RmpItemRow, ...], changes: tuple[RmpChangeRow, ...]) -> list[RmpLine]:
    last_change: dict[int, RmpChangeRow] = {}
    for ch in changes:
        last_change[ch.item_id] = ch
    first_change: dict[int, RmpChangeRow] = {}
    for ch in changes:
        first_change.setdefault(ch.item_id, ch)
    lines: list[RmpLine] = []
    for item in plan:
        latest = last_change.get(item.id)
        here = ""
        if latest is not None:
            here = "Added" if first_change[item.id].change == "added" else "Changed"
        lines.append(
            RmpLine(
                item.pillar,
                item.text,
                item.responsible_agency,
                here,
                latest.rationale if latest else "",
                item,
            )
        )
    for ch in last_change.values():
        if ch.change == "ended":
            lines.append(
                RmpLine(ch.pillar, ch.text, ch.responsible_agency, "Ended", ch.rationale, None)
            )
    order = list(RmpPillar)
    lines.sort(key=lambda x: (order.index(x.pillar), x.here == "Ended"))
    return lines


# --- new actions ----------------------------------------------------------------------------------

ACTION_COLUMNS: list[Column[ActionRow]] = [
    Column("New action", lambda a: a.text, tooltip=lambda a: a.text),
    Column("Owner", lambda a: a.owner_person_name),
    Column("Agency", lambda a: a.owner_agency_name),
    Column("Due", lambda a: a.due_date.isoformat(), sort_key=lambda a: a.due_date),
]


def _table(name: str, model: DtoTableModel[Any], rows: int = 5) -> QTableView:
    table = row_table(name, model)
    table.setWordWrap(True)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.setMinimumHeight(table.fontMetrics().lineSpacing() * (rows + 2))
    return table


class CasePage(QScrollArea):
    """Everything recorded about one case at this meeting. Rebuilt in place on reload."""

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
        self._hub = hub
        self._actor = actor
        self._write = write
        self._data = data
        self.item = item
        self.discussion_id = item.discussion.id
        self.case_id = item.case.case_id
        meeting = data.detail.meeting
        self.meeting_id = meeting.id
        inner = QWidget()
        self.setWidget(inner)
        self._layout = QVBoxLayout(inner)

        # header
        self.header = QLabel()
        self.header.setObjectName("caseHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.invited = QLabel()
        self.invited.setWordWrap(True)
        self.invite_combo = QComboBox()
        self.invite_combo.setAccessibleName("Agency to invite for this case")
        self.invite_button = QPushButton("Invite agenc&y")
        self.invite_error = error_label("Invitation error")
        invite_row = QHBoxLayout()
        invite_row.addWidget(self.invited, 1)
        invite_row.addWidget(self.invite_combo)
        invite_row.addWidget(self.invite_button)
        self._layout.addWidget(self.header)
        self._layout.addLayout(invite_row)
        self._layout.addWidget(self.invite_error)

        # previous actions
        self.previous_box = section("Previous actions — review each one", "previousActions")
        self.previous_layout = QVBoxLayout(self.previous_box)
        self.no_previous = QLabel("No earlier actions to review for this case.")
        self.previous_layout.addWidget(self.no_previous)
        self.review_rows: dict[int, ReviewRow] = {}
        self._layout.addWidget(self.previous_box)

        # information shared
        self.info_box = section("Information shared by each agency", "informationShared")
        self.info_layout = QVBoxLayout(self.info_box)
        self.info_fields: dict[int, AutoSaveText] = {}
        self.extra_agencies: list[int] = []  # boxes kept for edits found in the journal
        self._layout.addWidget(self.info_box)

        # risk update
        self.risk_box = section("Risk update", "riskUpdate")
        risk_layout = QVBoxLayout(self.risk_box)
        self.risk_latest = QLabel()
        self.risk_latest.setWordWrap(True)
        self.risk_summary = AutoSaveText(
            hub,
            risk_key(self.discussion_id),
            "Risk &summary as discussed:",
            text=item.discussion.risk_summary,
            version=item.discussion.version,
            make_save=save_risk(actor, self.discussion_id),
            theirs_of=theirs_risk,
            placeholder="Who is at risk, the nature and imminence of the risk, what increases "
            "or reduces it, victim and diversity issues",
            min_lines=4,
        )
        self.risk_update_button = QPushButton("New ris&k-assessment version…")
        self.risk_update_button.setObjectName("newRiskVersion")
        self.risk_update_button.setToolTip(
            "Record a new version of the risk assessment, prefilled from the latest one, "
            "linked to this meeting"
        )
        self.risk_saved = QLabel("")
        self.risk_saved.setObjectName("riskVersionSaved")
        self.risk_saved.setWordWrap(True)
        self.risk_saved.setStyleSheet("color: #0b5d1e; font-weight: bold;")
        self.risk_saved.setVisible(False)
        self.risk_form = RiskUpdateForm(
            hub,
            actor,
            case_id=self.case_id,
            discussion_id=self.discussion_id,
            meeting_id=self.meeting_id,
            meeting_date=meeting.meeting_date,
            persons=data.people,
        )
        latest_row = QHBoxLayout()
        latest_row.addWidget(self.risk_latest, 1)
        latest_row.addWidget(self.risk_update_button, 0, Qt.AlignmentFlag.AlignTop)
        risk_layout.addLayout(latest_row)
        risk_layout.addWidget(self.risk_saved)
        risk_layout.addWidget(self.risk_form)
        risk_layout.addWidget(self.risk_summary)
        self._layout.addWidget(self.risk_box)

        # RMP
        self.rmp_box = section("Risk management plan — changes at this meeting", "rmpBox")
        self.rmp_model: DtoTableModel[RmpLine] = DtoTableModel(RMP_COLUMNS, _rmp_highlight)
        self.rmp_table = _table("Risk management plan", self.rmp_model, rows=5)
        for column, width in enumerate((170, 330, 150, 120)):
            self.rmp_table.setColumnWidth(column, width)
        self.rmp_summary = QLabel()
        self.rmp_pillar = QComboBox()
        self.rmp_pillar.setAccessibleName("Plan pillar")
        for pillar in RmpPillar:
            self.rmp_pillar.addItem(PILLAR_LABELS[pillar], pillar)
        self.rmp_text = QLineEdit()
        self.rmp_text.setAccessibleName("Plan item text")
        self.rmp_text.setPlaceholderText("What will be done")
        self.rmp_agency = QComboBox()
        self.rmp_agency.setAccessibleName("Responsible agency")
        self.rmp_rationale = QLineEdit()
        self.rmp_rationale.setAccessibleName("Rationale for the plan change")
        self.rmp_rationale.setPlaceholderText("Why (required to change or end an item)")
        self.rmp_add = QPushButton("Add to &plan")
        self.rmp_change = QPushButton("Chan&ge selected")
        self.rmp_end = QPushButton("E&nd selected")
        self.rmp_error = error_label("Plan error")
        self.rmp_draft_state = draft_label("plan change", keep_space=True)
        self._rmp_shown = ""  # the plan item text a selection put in the form
        rmp_layout = QVBoxLayout(self.rmp_box)
        rmp_layout.addWidget(self.rmp_summary)
        rmp_layout.addWidget(self.rmp_table)
        rmp_form = QGridLayout()
        rmp_form.addWidget(buddy("Pillar:", self.rmp_pillar), 0, 0)
        rmp_form.addWidget(self.rmp_pillar, 0, 1)
        rmp_form.addWidget(buddy("Item:", self.rmp_text), 0, 2)
        rmp_form.addWidget(self.rmp_text, 0, 3)
        rmp_form.addWidget(buddy("Responsible:", self.rmp_agency), 1, 0)
        rmp_form.addWidget(self.rmp_agency, 1, 1)
        rmp_form.addWidget(buddy("Rationale:", self.rmp_rationale), 1, 2)
        rmp_form.addWidget(self.rmp_rationale, 1, 3)
        rmp_form.setColumnStretch(3, 1)
        rmp_buttons = QHBoxLayout()
        rmp_buttons.addWidget(self.rmp_draft_state, 1)
        for button in (self.rmp_add, self.rmp_change, self.rmp_end):
            rmp_buttons.addWidget(button)
        rmp_layout.addLayout(rmp_form)
        rmp_layout.addLayout(rmp_buttons)
        rmp_layout.addWidget(self.rmp_error)
        self._layout.addWidget(self.rmp_box)

        # new actions
        self.actions_box = section("New actions (Ctrl+Shift+A)", "newActions")
        self.actions_model: DtoTableModel[ActionRow] = DtoTableModel(ACTION_COLUMNS)
        self.actions_table = _table("New actions", self.actions_model, rows=3)
        self.actions_table.setColumnWidth(0, 360)
        self.action_text = QLineEdit()
        self.action_text.setObjectName("newActionText")
        self.action_text.setAccessibleName("New action")
        self.action_text.setPlaceholderText("What is to be done (Enter adds it)")
        self.action_agency = QComboBox()
        self.action_agency.setAccessibleName("Owner agency")
        self.action_person = QComboBox()
        self.action_person.setAccessibleName("Owner")
        self.action_due = date_edit(meeting.meeting_date + timedelta(days=28), "Due date")
        self.action_add = QPushButton("A&dd action")
        self.action_error = error_label("Action error")
        self.action_draft_state = draft_label("new action", keep_space=True)
        actions_layout = QVBoxLayout(self.actions_box)
        actions_layout.addWidget(self.actions_table)
        act_form = QGridLayout()
        act_form.addWidget(buddy("Action:", self.action_text), 0, 0)
        act_form.addWidget(self.action_text, 0, 1, 1, 5)
        act_form.addWidget(buddy("Agency:", self.action_agency), 1, 0)
        act_form.addWidget(self.action_agency, 1, 1)
        act_form.addWidget(buddy("Owner:", self.action_person), 1, 2)
        act_form.addWidget(self.action_person, 1, 3)
        act_form.addWidget(buddy("Due:", self.action_due), 1, 4)
        act_form.addWidget(self.action_due, 1, 5)
        act_form.setColumnStretch(1, 1)
        act_form.setColumnStretch(3, 1)
        add_row = QHBoxLayout()
        add_row.addWidget(self.action_draft_state, 1)
        add_row.addWidget(self.action_add)
        actions_layout.addLayout(act_form)
        actions_layout.addLayout(add_row)
        actions_layout.addWidget(self.action_error)
        self._layout.addWidget(self.actions_box)

        # decisions
        self.decisions = DecisionsBox(hub, actor, write, data, item)
        self._layout.addWidget(self.decisions)
        self._layout.addStretch(1)
        self._connect_signals()
        self.update_data(data, item, position)
        tame_combos(inner)
        self.rmp_draft = DraftBinding(
            hub,
            rmp_draft_key(self.discussion_id),
            get_value=self.rmp_value,
            set_value=self.set_rmp_value,
            changed=[
                self.rmp_text.textChanged,
                self.rmp_rationale.textChanged,
                self.rmp_pillar.currentIndexChanged,
                self.rmp_agency.currentIndexChanged,
            ],
            is_blank=self._rmp_blank,
            state_label=self.rmp_draft_state,
            button="Add to plan / Change selected / End selected",
            what="plan change",
        )
        self.action_draft = DraftBinding(
            hub,
            action_draft_key(self.discussion_id),
            get_value=self.action_value,
            set_value=self.set_action_value,
            changed=[
                self.action_text.textChanged,
                self.action_agency.currentIndexChanged,
                self.action_person.currentIndexChanged,
                self.action_due.dateChanged,
            ],
            is_blank=lambda v: not str(v.get("text") or "").strip(),
            state_label=self.action_draft_state,
            button="Add action",
            what="new action",
        )

    def _connect_signals(self) -> None:
        self.invite_button.clicked.connect(self._on_invite)
        self.rmp_add.clicked.connect(self._on_rmp_add)
        self.rmp_change.clicked.connect(self._on_rmp_change)
        self.rmp_end.clicked.connect(self._on_rmp_end)
        self.rmp_table.selectionModel().currentRowChanged.connect(self._on_rmp_selected)
        self.action_add.clicked.connect(self._on_action_add)
        self.action_text.returnPressed.connect(self._on_action_add)
        self.action_agency.currentIndexChanged.connect(self._on_action_agency)
        self.risk_update_button.clicked.connect(self.open_risk_update)
        self.risk_form.saved.connect(self._on_risk_version_saved)

    # ----- data -----------------------------------------------------------------------------
    def update_data(self, data: ScreenData, item: AgendaItem, position: int) -> None:
        self._data = data
        self.item = item
        self.position = position
        meeting = data.detail.meeting
        self.header.setText(header_html(position, item, meeting.meeting_date))
        invited = ", ".join(item.invited_agencies) or "none"
        self.invited.setText(f"Duty-to-Co-operate agencies invited for this case: {invited}")
        fill_agencies(
            self.invite_combo,
            [
                a
                for a in data.agencies
                if a.kind.value == "duty_to_cooperate" and a.name not in item.invited_agencies
            ],
        )
        self._update_previous(item)
        self._update_information(data, item)
        rosh = item.case.latest_rosh.label if item.case.latest_rosh else "not assessed"
        self.risk_latest.setText(
            f"Latest recorded RoSH: <b>{rosh}</b>. Record below what the panel said about the "
            "risk; if the panel re-assessed it, record a new risk-assessment version."
        )
        self.risk_summary.binding.set_saved(item.discussion.risk_summary, item.discussion.version)
        plan = data.plans.get(self.case_id, ())
        lines = rmp_lines(plan, item.rmp_changes)
        self.rmp_model.set_rows(lines)
        changed = sum(1 for x in lines if x.here)
        self.rmp_summary.setText(
            f"{len(plan)} active item(s); <b>{changed} changed at this meeting</b> (marked ●)."
            if changed
            else f"{len(plan)} active item(s); nothing changed at this meeting yet."
        )
        fill_agencies(self.rmp_agency, data.agencies, blank="(no agency)")
        self.actions_model.set_rows(list(item.new_actions))
        fill_agencies(self.action_agency, data.agencies)
        self._on_action_agency()
        self.decisions.update_data(data, item)

    def _update_previous(self, item: AgendaItem) -> None:
        self.no_previous.setVisible(not item.previous_actions)
        for prev in item.previous_actions:
            row = self.review_rows.get(prev.action.id)
            if row is None:
                row = ReviewRow(self._hub, self._actor, self.meeting_id, prev)
                self.review_rows[prev.action.id] = row
                self.previous_layout.addWidget(row)
            else:
                row.set_action(prev)

    def info_agencies(self, data: ScreenData, item: AgendaItem) -> list[int]:
        ids: list[int] = []
        lead = next((a.id for a in data.agencies if a.name == item.case.lead_agency), None)
        names = {a.name: a.id for a in data.agencies}
        for row in data.detail.attendance:
            if row.status in ATTENDED_OR_REPORTED:
                ids.append(row.agency_id)
        ids.extend(names[n] for n in item.invited_agencies if n in names)
        ids.extend(i.agency_id for i in item.information)
        ids.extend(self.extra_agencies)
        if lead is not None:
            ids.append(lead)
        unique = list(dict.fromkeys(ids))
        by_name = {a.id: a.name.casefold() for a in data.agencies}
        return sorted(unique, key=lambda i: (i != lead, by_name.get(i, "")))

    def _update_information(self, data: ScreenData, item: AgendaItem) -> None:
        first: dict[int, InformationRow] = {}
        extra: dict[int, list[InformationRow]] = {}
        for info in item.information:
            if info.agency_id in first:
                extra.setdefault(info.agency_id, []).append(info)
            else:
                first[info.agency_id] = info
        for agency_id in self.info_agencies(data, item):
            agency = data.agency(agency_id)
            if agency is None:
                continue
            entry = first.get(agency_id)
            field = self.info_fields.get(agency_id)
            if field is None:
                label = (
                    agency.name
                    if agency.short_name == agency.name
                    else f"{agency.short_name} ({agency.name})"
                )
                field = AutoSaveText(
                    self._hub,
                    information_key(self.discussion_id, agency_id),
                    f"{label}:",
                    text=entry.text if entry else "",
                    version=entry.version if entry else None,
                    make_save=save_information(self._actor, self.discussion_id, agency_id),
                    theirs_of=theirs_information,
                    placeholder="What this agency shared (leave empty if nothing)",
                    min_lines=2,
                )
                field.setObjectName(f"info_{agency.short_name}")
                self.info_fields[agency_id] = field
                self.info_layout.addWidget(field)
            else:
                field.binding.set_saved(
                    entry.text if entry else "", entry.version if entry else None
                )
            more = extra.get(agency_id, [])
            field.setToolTip("\n\n".join(i.text for i in more) if more else "")
            if more:
                base = field.caption.text().split(" (+")[0]
                field.caption.setText(f"{base} (+{len(more)} earlier entries, see tooltip)")

    def ensure_info_field(self, agency_id: int) -> bool:
        """Show the agency's box even if it did not attend (an unsaved edit is waiting)."""
        if agency_id not in self.info_fields and self._data.agency(agency_id) is not None:
            self.extra_agencies.append(agency_id)
            self._update_information(self._data, self.item)
        return agency_id in self.info_fields

    def key_fields(self) -> list[str]:
        """Every autosave and draft key of this page (to unregister it from the hub)."""
        keys = [risk_key(self.discussion_id)]
        keys += [information_key(self.discussion_id, a) for a in self.info_fields]
        keys += [review_key(a) for a in self.review_rows]
        keys += [self.rmp_draft.key, self.action_draft.key, self.risk_form.draft.key]
        keys += self.decisions.draft_keys()
        return keys

    # ----- the risk update --------------------------------------------------------------------
    def open_risk_update(self) -> None:
        self.risk_saved.setVisible(False)
        self.risk_form.open_form()
        self.ensureWidgetVisible(self.risk_form)

    def _on_risk_version_saved(self, row: object) -> None:
        version = getattr(row, "version_no", "?")
        overall = getattr(getattr(row, "overall", None), "label", "?")
        self.risk_saved.setText(
            f"Saved as risk-assessment version {version} (overall RoSH {overall}), linked to "
            "this meeting."
        )
        self.risk_saved.setVisible(True)
        self._hub.ctx.bus.meetings_changed.emit({self.meeting_id})
        self._hub.ctx.bus.cases_changed.emit({self.case_id})

    # ----- drafts (journaled until their button records them) ---------------------------------
    def rmp_value(self) -> FormValue:
        line = self._selected_rmp()
        return {
            "item_id": line.item.id if line is not None and line.item is not None else None,
            "pillar": str(self.rmp_pillar.currentData()),
            "text": self.rmp_text.text(),
            "agency_id": self.rmp_agency.currentData(),
            "rationale": self.rmp_rationale.text(),
        }

    def _rmp_blank(self, value: FormValue) -> bool:
        if str(value.get("rationale") or "").strip():
            return False
        text = str(value.get("text") or "").strip()
        # Only an item shown by selecting it (or tabbing into the table), nothing typed: that
        # holds even after a reload cleared the table's selection.
        return not text or text == self._rmp_shown

    def set_rmp_value(self, value: FormValue) -> None:
        item_id = value.get("item_id")
        if item_id is not None:
            for position, line in enumerate(self.rmp_model.rows()):
                if line.item is not None and line.item.id == item_id:
                    self.rmp_table.selectRow(position)
        with contextlib.suppress(ValueError):
            set_combo(self.rmp_pillar, RmpPillar(str(value.get("pillar"))))
        set_combo(self.rmp_agency, value.get("agency_id"))
        self.rmp_text.setText(value.get("text") or "")
        self.rmp_rationale.setText(value.get("rationale") or "")

    def action_value(self) -> FormValue:
        return {
            "text": self.action_text.text(),
            "agency_id": self.action_agency.currentData(),
            "person_id": self.action_person.currentData(),
            "due": from_qdate(self.action_due.date()).isoformat(),
        }

    def set_action_value(self, value: FormValue) -> None:
        set_combo(self.action_agency, value.get("agency_id"))
        self._on_action_agency()
        set_combo(self.action_person, value.get("person_id"))
        if value.get("due"):
            self.action_due.setDate(to_qdate(date.fromisoformat(value["due"])))
        self.action_text.setText(value.get("text") or "")

    def drafts(self) -> list[DraftBinding]:
        return [
            self.rmp_draft,
            self.action_draft,
            self.risk_form.draft,
            self.decisions.draft,
            self.decisions.dissent_draft,
        ]

    # ----- navigation -----------------------------------------------------------------------
    def focus_new_action(self) -> None:
        self.ensureWidgetVisible(self.actions_box)
        self.action_text.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_decisions(self) -> None:
        self.ensureWidgetVisible(self.decisions, 0, 0)
        self.verticalScrollBar().setValue(self.decisions.y())
        self.decisions.kind.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # ----- writes ---------------------------------------------------------------------------
    def _on_invite(self) -> None:
        agency_id = self.invite_combo.currentData()
        disc = self.discussion_id

        def work(s: Session, actor: Actor) -> object:
            discussions.invite_agency(s, actor, disc, agency_id)
            return None

        self._write(work, self.invite_error)

    def _selected_rmp(self) -> RmpLine | None:
        index = self.rmp_table.currentIndex()
        if not index.isValid() or index.row() >= self.rmp_model.rowCount():
            return None
        return self.rmp_model.row_at(index.row())

    def _on_rmp_selected(self, *_args: object) -> None:
        line = self._selected_rmp()
        if line is None or line.item is None:
            return
        item = line.item

        def fill() -> None:
            set_combo(self.rmp_pillar, line.pillar)
            self.rmp_text.setText(line.text)
            self._rmp_shown = line.text.strip()
            set_combo(self.rmp_agency, item.responsible_agency_id)

        if hasattr(self, "rmp_draft"):
            self.rmp_draft.silently(fill)
            self.rmp_draft.write_now()
        else:
            fill()

    def _on_rmp_add(self) -> None:
        self.rmp_draft.write_now()
        case_id, meeting_id = self.case_id, self.meeting_id
        pillar, text = self.rmp_pillar.currentData(), self.rmp_text.text()
        agency_id, rationale = self.rmp_agency.currentData(), self.rmp_rationale.text()
        start = self._data.detail.meeting.meeting_date

        def work(s: Session, actor: Actor) -> object:
            return rmp.add_item(
                s,
                actor,
                case_id,
                pillar=pillar,
                text=text,
                responsible_agency_id=agency_id,
                start_date=start,
                rationale=rationale or "Agreed at the panel meeting.",
                meeting_id=meeting_id,
            )

        self._write(work, self.rmp_error, lambda _r: self._clear_rmp())

    def _needs_selection(self) -> RmpItemRow | None:
        line = self._selected_rmp()
        if line is None or line.item is None:
            self.rmp_error.setText("Select an active plan item in the table first.")
            self.rmp_error.setVisible(True)
            return None
        return line.item

    def _on_rmp_change(self) -> None:
        self.rmp_draft.write_now()
        item = self._needs_selection()
        if item is None:
            return
        text, agency_id = self.rmp_text.text(), self.rmp_agency.currentData()
        rationale, meeting_id = self.rmp_rationale.text(), self.meeting_id

        def work(s: Session, actor: Actor) -> object:
            return rmp.change_item(
                s,
                actor,
                item.id,
                expected_version=item.version,
                rationale=rationale,
                meeting_id=meeting_id,
                text=text if text != item.text else None,
                responsible_agency_id=agency_id
                if agency_id != item.responsible_agency_id
                else None,
            )

        self._write(work, self.rmp_error, lambda _r: self._clear_rmp())

    def _on_rmp_end(self) -> None:
        self.rmp_draft.write_now()
        item = self._needs_selection()
        if item is None:
            return
        rationale, meeting_id = self.rmp_rationale.text(), self.meeting_id
        end = self._data.detail.meeting.meeting_date

        def work(s: Session, actor: Actor) -> object:
            return rmp.end_item(
                s,
                actor,
                item.id,
                expected_version=item.version,
                end_date=max(end, item.start_date or end),
                rationale=rationale,
                meeting_id=meeting_id,
            )

        self._write(work, self.rmp_error, lambda _r: self._clear_rmp())

    def _clear_rmp(self) -> None:
        self._rmp_shown = ""
        self.rmp_text.clear()
        self.rmp_rationale.clear()
        self.rmp_draft.saved()

    def _on_action_agency(self, *_args: object) -> None:
        fill_people(
            self.action_person, self._data.people, agency_id=self.action_agency.currentData()
        )

    def _on_action_add(self) -> None:
        self.action_draft.write_now()
        case_id, meeting_id = self.case_id, self.meeting_id
        text = self.action_text.text()
        agency_id, person_id = self.action_agency.currentData(), self.action_person.currentData()
        due = from_qdate(self.action_due.date())

        def work(s: Session, actor: Actor) -> object:
            return actions.set_action(
                s,
                actor,
                case_id,
                text=text,
                owner_agency_id=agency_id,
                owner_person_id=person_id,
                due_date=due,
                meeting_id=meeting_id,
            )

        def done(_row: object) -> None:
            self.action_text.clear()
            self.action_draft.saved()
            self.action_text.setFocus(Qt.FocusReason.OtherFocusReason)

        self._write(work, self.action_error, done)
