"""The decisions section's widgets: the decisions recorded (with any dissent), a place for the
selected one's rationale correction, the form for a new decision (level with the Guidance ch.7
criteria helper, category, next review, disclosure with the s.327A prompt for Category 1) and
the dissent row. No service calls: ``decisions.DecisionsSection`` drives it."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mappa_desktop.domain.enums import DecisionKind
from mappa_desktop.services.discussions import DecisionRow
from ui.forms import style
from ui.forms.criteria import CriteriaHelper
from ui.forms.field_error import FieldError
from ui.forms.style import Tone
from ui.models.dto_table import Column, DtoTableModel
from ui.views.meeting.autosave import draft_label
from ui.views.meeting.common import DECISION_LABELS, buddy, date_edit, fmt_date
from ui.views.meeting.sections.base import section_table

S327A_PROMPT = (
    "Category 1 (registered sexual offender): consider disclosure under s.327A of the Criminal "
    "Justice Act 2003 — the presumption to disclose to a member of the public where the offender "
    "poses a risk of serious harm to their children. Record that it was considered."
)


def details(d: DecisionRow) -> str:
    parts: list[str] = []
    if d.new_level is not None:
        parts.append(f"Level {d.new_level}")
    if d.new_category is not None:
        parts.append(f"Category {d.new_category}")
    if d.next_review_date is not None:
        parts.append(f"next review {d.next_review_date.isoformat()}")
    if d.kind is DecisionKind.DISCLOSURE:
        if d.disclose:
            parts.append(
                f"disclose to {d.disclosure_to or '?'} by {d.disclosure_by or '?'}, "
                f"{d.disclosure_method or '?'}, {fmt_date(d.disclosure_date) or 'date ?'}"
            )
        else:
            parts.append("no disclosure")
    if d.s327a_considered:
        parts.append("s.327A considered")
    return "; ".join(parts)


def dissent_text(d: DecisionRow) -> str:
    return "\n".join(f"{x.by}: {x.view}" for x in d.dissents)


DECISION_COLUMNS: list[Column[DecisionRow]] = [
    Column("Decision", lambda d: DECISION_LABELS[d.kind]),
    Column("Outcome", lambda d: d.outcome),
    Column("Rationale", lambda d: d.rationale),
    Column("Details", details),
    Column("Dissent", lambda d: dissent_text(d) or "none recorded"),
]


class DecisionsView(QGroupBox):
    """The table, the corrections place, the new-decision form, its buttons and the dissent
    row, top to bottom (Tab follows that order)."""

    def __init__(self) -> None:
        super().__init__("Decisions (Ctrl+D)")
        self.setObjectName("decisionsBox")
        self.model: DtoTableModel[DecisionRow] = DtoTableModel(DECISION_COLUMNS)
        self.table = section_table("Decisions recorded", self.model, rows=5)
        self.table.setObjectName("decisionsTable")
        for column, width in enumerate((110, 190, 260, 220)):
            self.table.setColumnWidth(column, width)
        self._build_decision_fields()
        self._build_disclosure()
        self.record_button = QPushButton("&Record decision")
        self.record_button.setObjectName("recordDecision")
        self.remove_button = QPushButton("Remove selected")
        self.error = FieldError("Decision")
        self.draft_state = draft_label("new decision")
        self._build_dissent()
        self._lay_out()

    def _build_decision_fields(self) -> None:
        self.kind = QComboBox()
        self.kind.setObjectName("decisionKind")
        self.kind.setAccessibleName("Kind of decision")
        for kind, label in DECISION_LABELS.items():
            self.kind.addItem(label, kind)
        self.outcome = QLineEdit()
        self.outcome.setAccessibleName("Decision outcome")
        self.outcome.setPlaceholderText("Outcome (left empty, it is written for you)")
        self.rationale = QPlainTextEdit()
        self.rationale.setAccessibleName("Rationale")
        self.rationale.setTabChangesFocus(True)
        self.rationale.setMaximumHeight(self.rationale.fontMetrics().lineSpacing() * 3 + 14)
        self.level = QComboBox()
        self.level.setAccessibleName("Level decided")
        for level in (1, 2, 3):
            self.level.addItem(f"Level {level}", level)
        self.category = QComboBox()
        self.category.setAccessibleName("Category decided")
        for category in (1, 2, 3, 4):
            self.category.addItem(f"Category {category}", category)
        self.review_date = date_edit(date.today(), "Next review date")
        self.review_hint = QLabel("")
        self.review_hint.setObjectName("reviewHint")
        self.review_hint.setWordWrap(True)
        self.helper = CriteriaHelper(
            "Level criteria helper (Guidance ch.7) — the panel decides", side_by_side=True
        )

    def _build_disclosure(self) -> None:
        self.disclosure = QWidget()
        self.disclose = QComboBox()
        self.disclose.setAccessibleName("Disclose?")
        self.disclose.addItem("— choose —", None)
        self.disclose.addItem("Yes, disclose", True)
        self.disclose.addItem("No disclosure", False)
        self.disclosure_to = QLineEdit()
        self.disclosure_to.setAccessibleName("Disclose to whom")
        self.disclosure_by = QLineEdit()
        self.disclosure_by.setAccessibleName("Disclosed by whom")
        self.disclosure_method = QLineEdit()
        self.disclosure_method.setAccessibleName("How it is disclosed")
        self.disclosure_date = date_edit(date.today(), "When it is disclosed")
        self.s327a_prompt = QLabel(S327A_PROMPT)
        self.s327a_prompt.setObjectName("s327aPrompt")
        self.s327a_prompt.setWordWrap(True)
        style.set_box(self.s327a_prompt, Tone.WARNING)
        self.s327a = QCheckBox("s.327A discl&osure considered")
        grid = QGridLayout(self.disclosure)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(buddy("Disclose:", self.disclose), 0, 0)
        grid.addWidget(self.disclose, 0, 1)
        grid.addWidget(buddy("To whom:", self.disclosure_to), 0, 2)
        grid.addWidget(self.disclosure_to, 0, 3)
        grid.addWidget(buddy("By whom:", self.disclosure_by), 1, 0)
        grid.addWidget(self.disclosure_by, 1, 1)
        grid.addWidget(buddy("How:", self.disclosure_method), 1, 2)
        grid.addWidget(self.disclosure_method, 1, 3)
        grid.addWidget(buddy("When:", self.disclosure_date), 2, 0)
        grid.addWidget(self.disclosure_date, 2, 1)
        grid.setColumnStretch(3, 1)

    def _build_dissent(self) -> None:
        self.dissent_agency = QComboBox()
        self.dissent_agency.setAccessibleName("Dissenting agency")
        self.dissent_person = QComboBox()
        self.dissent_person.setAccessibleName("Dissenting person")
        self.dissent_view = QLineEdit()
        self.dissent_view.setAccessibleName("Dissenting view")
        self.dissent_view.setPlaceholderText(
            "The differing view, in their words (Enter records it)"
        )
        self.dissent_button = QPushButton("Record dissent against se&lected")
        self.dissent_error = FieldError("Dissent")
        self.dissent_draft_state = draft_label("dissent")

    def _form(self) -> QGridLayout:
        form = QGridLayout()
        self.level_label = buddy("Level:", self.level)
        self.category_label = buddy("Category:", self.category)
        self.review_label = buddy("Next review:", self.review_date)
        form.addWidget(buddy("Decision:", self.kind), 0, 0)
        form.addWidget(self.kind, 0, 1)
        form.addWidget(self.level_label, 0, 2)
        form.addWidget(self.level, 0, 3)
        form.addWidget(self.category_label, 0, 2)
        form.addWidget(self.category, 0, 3)
        form.addWidget(self.review_label, 0, 4)
        form.addWidget(self.review_date, 0, 5)
        # The hint on a line of its own: beside the date it made the page wider than a
        # 1024-pixel screen.
        form.addWidget(self.review_hint, 1, 1, 1, 6)
        form.addWidget(self.helper, 2, 0, 1, 7)
        form.addWidget(buddy("Outcome:", self.outcome), 3, 0)
        form.addWidget(self.outcome, 3, 1, 1, 6)
        form.addWidget(buddy("Rationale:", self.rationale), 4, 0, Qt.AlignmentFlag.AlignTop)
        form.addWidget(self.rationale, 4, 1, 1, 6)
        form.addWidget(self.disclosure, 5, 0, 1, 7)
        form.setColumnStretch(6, 1)
        return form

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.s327a)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.record_button)
        dissent = QHBoxLayout()
        dissent.addWidget(QLabel("Dissent:"))
        dissent.addWidget(self.dissent_agency)
        dissent.addWidget(self.dissent_person)
        dissent.addWidget(self.dissent_view, 1)
        dissent.addWidget(self.dissent_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        self.corrections_box = QVBoxLayout()  # the autosaved rationale corrections go here
        layout.addLayout(self.corrections_box)
        layout.addWidget(self.s327a_prompt)
        self.new_title = QLabel("<b>Record a new decision</b>")
        self.new_title.setStyleSheet("margin-top: 6px;")
        layout.addWidget(self.new_title)
        layout.addLayout(self._form())
        layout.addWidget(self.draft_state)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        layout.addLayout(dissent)
        layout.addWidget(self.dissent_draft_state)
        layout.addWidget(self.dissent_error)
