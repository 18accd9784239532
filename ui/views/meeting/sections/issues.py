"""Victim and potential-victim issues, and diversity issues, for the case at this meeting: two
texts of the case discussion, autosaved like the risk summary (``discussions.set_case_text``)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QGroupBox, QVBoxLayout
from sqlalchemy.orm import Session

from mappa_desktop.services import discussions
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.discussions import DiscussionRow
from mappa_desktop.services.meetings import AgendaItem
from ui.views.meeting.autosave import AutoSaveText, Saved, TheirsOf
from ui.views.meeting.draft_keys import DraftKey, KeyKind
from ui.views.meeting.sections.base import CaseContext

# The discussion field each autosaved case text is stored in.
CASE_TEXT_FIELD = {
    KeyKind.RISK_SUMMARY: "risk_summary",
    KeyKind.DISCUSSION: "notes",
    KeyKind.VICTIM_ISSUES: "victim_issues",
    KeyKind.DIVERSITY_ISSUES: "diversity_issues",
}


def save_case_text(
    actor: Actor, discussion_id: int, kind: KeyKind
) -> Callable[[str, int | None], Callable[[Session], Saved]]:
    field = CASE_TEXT_FIELD[kind]

    def make(text: str, version: int | None) -> Callable[[Session], Saved]:
        def work(s: Session) -> Saved:
            row = discussions.set_case_text(
                s, actor, discussion_id, field, text, expected_version=version
            )
            return Saved(row.version, str(getattr(row, field)))

        return work

    return make


def theirs_case_text(kind: KeyKind) -> TheirsOf:
    field = CASE_TEXT_FIELD[kind]

    def theirs(current: object) -> tuple[str, int | None]:
        if isinstance(current, DiscussionRow):
            return str(getattr(current, field)), current.version
        return "", None

    return theirs


def case_text(
    ctx: CaseContext,
    item: AgendaItem,
    kind: KeyKind,
    caption: str,
    *,
    placeholder: str,
    min_lines: int,
) -> AutoSaveText:
    """An autosaved text of the case discussion (risk summary, victim or diversity issues)."""
    return AutoSaveText(
        ctx.hub,
        DraftKey(kind, ctx.discussion_id),
        caption,
        text=str(getattr(item.discussion, CASE_TEXT_FIELD[kind])),
        version=item.discussion.version,
        make_save=save_case_text(ctx.actor, ctx.discussion_id, kind),
        theirs_of=theirs_case_text(kind),
        placeholder=placeholder,
        min_lines=min_lines,
    )


def follow_saved(field: AutoSaveText, item: AgendaItem, kind: KeyKind) -> None:
    """After a reload: the text follows the database unless something typed is waiting."""
    field.binding.set_saved(
        str(getattr(item.discussion, CASE_TEXT_FIELD[kind])), item.discussion.version
    )


class IssuesView(QGroupBox):
    def __init__(self) -> None:
        super().__init__("Victim and diversity issues")
        self.setObjectName("victimDiversity")
        self.issues_layout = QVBoxLayout(self)


class IssuesSection(IssuesView):
    """The two texts; saved by themselves (journaled first, then the database)."""

    def __init__(self, ctx: CaseContext, item: AgendaItem) -> None:
        super().__init__()
        self.victim_issues = case_text(
            ctx,
            item,
            KeyKind.VICTIM_ISSUES,
            "Victim a&nd potential-victim issues:",
            placeholder="Who the victims and potential victims are, how they are protected, "
            "their views and any contact or exclusion arrangements",
            min_lines=3,
        )
        self.victim_issues.setObjectName("victimIssues")
        self.diversity_issues = case_text(
            ctx,
            item,
            KeyKind.DIVERSITY_ISSUES,
            "Diversity and e&quality issues:",
            placeholder="Needs that affect how the risk is managed: language, disability, "
            "health, faith, culture, age, gender identity, sexual orientation",
            min_lines=2,
        )
        self.diversity_issues.setObjectName("diversityIssues")
        self.issues_layout.addWidget(self.victim_issues)
        self.issues_layout.addWidget(self.diversity_issues)

    def update_data(self, item: AgendaItem) -> None:
        follow_saved(self.victim_issues, item, KeyKind.VICTIM_ISSUES)
        follow_saved(self.diversity_issues, item, KeyKind.DIVERSITY_ISSUES)

    def keys(self) -> list[DraftKey]:
        return [self.victim_issues.binding.key, self.diversity_issues.binding.key]
