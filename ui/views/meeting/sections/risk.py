"""The risk at this meeting: the latest recorded RoSH, a new risk-assessment version when the
panel re-assessed it (``risk_update.RiskUpdateForm``), the risk summary as discussed and whether
the risk is increasing, stable or decreasing. The summary and the trend autosave."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)
from sqlalchemy.orm import Session

from mappa_desktop.domain.enums import RiskTrend
from mappa_desktop.services import discussions
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.discussions import DiscussionRow
from mappa_desktop.services.meetings import AgendaItem
from mappa_desktop.services.people import PersonRow
from reports import labels
from ui.forms import style
from ui.forms.style import Tone
from ui.views.meeting.autosave import ConflictPanel, FieldBinding, Saved
from ui.views.meeting.common import buddy
from ui.views.meeting.draft_keys import DraftKey, KeyKind
from ui.views.meeting.risk_update import RiskUpdateForm
from ui.views.meeting.sections.base import CaseContext
from ui.views.meeting.sections.issues import case_text, follow_saved

TREND_LABELS = labels.labels_for(RiskTrend)
NOT_RECORDED = "(not recorded)"


def trend_value(trend: RiskTrend | None) -> str:
    """The trend as its binding saves it ("" when not recorded)."""
    return trend.value if trend is not None else ""


def trend_words(value: str) -> str:
    return TREND_LABELS[RiskTrend(value)] if value else NOT_RECORDED


def save_trend(
    actor: Actor, discussion_id: int
) -> Callable[[str, int | None], Callable[[Session], Saved]]:
    def make(value: str, version: int | None) -> Callable[[Session], Saved]:
        def work(s: Session) -> Saved:
            row = discussions.set_risk_trend(
                s, actor, discussion_id, value or None, expected_version=version
            )
            return Saved(row.version, trend_value(row.risk_trend))

        return work

    return make


def theirs_trend(current: object) -> tuple[str, int | None]:
    if isinstance(current, DiscussionRow):
        return trend_value(current.risk_trend), current.version
    return "", None


class RiskView(QGroupBox):
    """The latest RoSH and the button for a new version, the new-version form, then the trend
    (the summary is added by the controller: it is an autosaved text)."""

    def __init__(self, form: RiskUpdateForm) -> None:
        super().__init__("Risk update")
        self.setObjectName("riskUpdate")
        self.latest = QLabel()
        self.latest.setWordWrap(True)
        self.update_button = QPushButton("New ris&k-assessment version…")
        self.update_button.setObjectName("newRiskVersion")
        self.update_button.setToolTip(
            "Record a new version of the risk assessment, prefilled from the latest one, "
            "linked to this meeting"
        )
        self.saved_label = QLabel("")
        self.saved_label.setObjectName("riskVersionSaved")
        self.saved_label.setWordWrap(True)
        style.set_tone(self.saved_label, Tone.SUCCESS, bold=True)
        self.saved_label.setVisible(False)
        self.form = form
        self.trend = QComboBox()
        self.trend.setObjectName("riskTrend")
        self.trend.setAccessibleName("Risk trend")
        self.trend.addItem(NOT_RECORDED, "")
        for trend, label in TREND_LABELS.items():
            self.trend.addItem(label, trend.value)
        self.trend_state = QLabel("")
        self.trend_state.setAccessibleName("Save state: risk trend")
        self.trend_conflict = ConflictPanel()
        latest_row = QHBoxLayout()
        latest_row.addWidget(self.latest, 1)
        latest_row.addWidget(self.update_button, 0, Qt.AlignmentFlag.AlignTop)
        trend_row = QHBoxLayout()
        trend_row.addWidget(buddy("Risk tra&jectory since the last review:", self.trend))
        trend_row.addWidget(self.trend)
        trend_row.addWidget(self.trend_state, 1)
        self.risk_layout = QVBoxLayout(self)
        self.risk_layout.addLayout(latest_row)
        self.risk_layout.addWidget(self.saved_label)
        self.risk_layout.addWidget(self.form)
        self.summary_at = self.risk_layout.count()  # where the controller puts the summary
        self.risk_layout.addLayout(trend_row)
        self.risk_layout.addWidget(self.trend_conflict)


class RiskSection(RiskView):
    """Opens the new-version form; autosaves the summary and the trend."""

    def __init__(self, ctx: CaseContext, item: AgendaItem, persons: tuple[PersonRow, ...]) -> None:
        super().__init__(
            RiskUpdateForm(
                ctx.hub,
                ctx.actor,
                case_id=ctx.case_id,
                discussion_id=ctx.discussion_id,
                meeting_id=ctx.meeting_id,
                meeting_date=ctx.meeting_date,
                persons=persons,
            )
        )
        self._ctx = ctx
        self.summary = case_text(
            ctx,
            item,
            KeyKind.RISK_SUMMARY,
            "Risk &summary as discussed:",
            placeholder="Who is at risk, the nature and imminence of the risk, what increases "
            "or reduces it",
            min_lines=4,
        )
        self.discussion = case_text(
            ctx,
            item,
            KeyKind.DISCUSSION,
            "Discussion (what the panel said about the case):",
            placeholder="The discussion in brief: what each agency raised, what was weighed",
            min_lines=4,
        )
        self.discussion.setObjectName("discussionNotes")
        self.risk_layout.insertWidget(self.summary_at, self.discussion)
        self.risk_layout.insertWidget(self.summary_at + 1, self.summary)
        self.trend.setCurrentIndex(
            max(self.trend.findData(trend_value(item.discussion.risk_trend)), 0)
        )
        self.trend_binding = FieldBinding(
            ctx.hub,
            DraftKey(KeyKind.RISK_TREND, ctx.discussion_id),
            get_value=lambda: str(self.trend.currentData() or ""),
            set_value=lambda value: self.trend.setCurrentIndex(max(self.trend.findData(value), 0)),
            changed=self.trend.currentIndexChanged,
            watch=[self.trend],
            make_save=save_trend(ctx.actor, ctx.discussion_id),
            theirs_of=theirs_trend,
            state_label=self.trend_state,
            conflict=self.trend_conflict,
            saved_text=trend_value(item.discussion.risk_trend),
            version=item.discussion.version,
            describe=trend_words,
        )
        self.update_button.clicked.connect(self.open_form)
        self.form.saved.connect(self._on_version_saved)
        self.update_data(item)

    def update_data(self, item: AgendaItem) -> None:
        rosh = item.case.latest_rosh.label if item.case.latest_rosh else "not assessed"
        self.latest.setText(
            f"Latest recorded RoSH: <b>{rosh}</b>. Record below what the panel said about the "
            "risk; if the panel re-assessed it, record a new risk-assessment version."
        )
        follow_saved(self.discussion, item, KeyKind.DISCUSSION)
        follow_saved(self.summary, item, KeyKind.RISK_SUMMARY)
        self.trend_binding.set_saved(
            trend_value(item.discussion.risk_trend), item.discussion.version
        )

    def keys(self) -> list[DraftKey]:
        return [
            self.discussion.binding.key,
            self.summary.binding.key,
            self.trend_binding.key,
            self.form.draft.key,
        ]

    def open_form(self) -> None:
        self.saved_label.setVisible(False)
        self.form.open_form()

    def _on_version_saved(self, row: object) -> None:
        version = getattr(row, "version_no", "?")
        overall = getattr(getattr(row, "overall", None), "label", "?")
        self.saved_label.setText(
            f"Saved as risk-assessment version {version} (overall RoSH {overall}), linked to "
            "this meeting."
        )
        self.saved_label.setVisible(True)
        self._ctx.hub.ctx.bus.meetings_changed.emit({self._ctx.meeting_id})
        self._ctx.hub.ctx.bus.cases_changed.emit({self._ctx.case_id})
