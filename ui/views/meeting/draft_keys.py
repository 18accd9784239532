"""Typed keys of the meeting screen's autosaved fields and drafts.

In memory a key is a small frozen ``DraftKey``: what the field holds (``KeyKind``), the case on
the agenda it belongs to and, for some kinds, one item (an agency, an action, a decision). The
local journal (``mappa_desktop.journal``) stores keys as text; ``to_journal`` and
``from_journal`` are the only two places that spell or read that text. The spellings are those
the journal has always held (``risk_summary/12``, ``information/12/3``, ``review/40``,
``decision/7/rationale``, ``case:12:decision:new``), so edits kept on disk by an earlier version
of the app are still put back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mappa_desktop.services.meetings import AgendaItem


class KeyKind(StrEnum):
    """What an autosaved field or a draft holds."""

    # autosaved texts and choices of one case discussion: "<kind>/<discussion>"
    RISK_SUMMARY = "risk_summary"
    DISCUSSION = "discussion"
    VICTIM_ISSUES = "victim_issues"
    DIVERSITY_ISSUES = "diversity_issues"
    RISK_TREND = "risk_trend"
    # what one agency shared about the case: "information/<discussion>/<agency>"
    INFORMATION = "information"
    # how this meeting reviewed an earlier action: "review/<action>"
    REVIEW = "review"
    # a correction of a recorded decision's rationale: "decision/<decision>/rationale"
    DECISION_RATIONALE = "decision_rationale"
    # forms saved by their button: "case:<discussion>:<form>"
    RMP_DRAFT = "rmp_draft"
    ACTION_DRAFT = "action_draft"
    RISK_ASSESSMENT_DRAFT = "risk_assessment_draft"
    DECISION_DRAFT = "decision_draft"
    DISSENT_DRAFT = "dissent_draft"


# The kinds whose key is the discussion alone, and the kinds keyed by an item alone.
_CASE_TEXTS = frozenset(
    {
        KeyKind.RISK_SUMMARY,
        KeyKind.DISCUSSION,
        KeyKind.VICTIM_ISSUES,
        KeyKind.DIVERSITY_ISSUES,
        KeyKind.RISK_TREND,
    }
)
_ITEM_ONLY = frozenset({KeyKind.REVIEW, KeyKind.DECISION_RATIONALE})
# The journal spelling of each draft form: "case:<discussion>:<form>".
_DRAFT_FORMS = {
    KeyKind.RMP_DRAFT: "rmp:change",
    KeyKind.ACTION_DRAFT: "action:new",
    KeyKind.RISK_ASSESSMENT_DRAFT: "risk_assessment:new",
    KeyKind.DECISION_DRAFT: "decision:new",
    KeyKind.DISSENT_DRAFT: "dissent:new",
}
_DRAFT_OF_FORM = {form: kind for kind, form in _DRAFT_FORMS.items()}

_CASE_TEXT_RE = re.compile(r"(?P<kind>[a-z_]+)/(?P<disc>\d+)")
_INFORMATION_RE = re.compile(r"information/(?P<disc>\d+)/(?P<item>\d+)")
_REVIEW_RE = re.compile(r"review/(?P<item>\d+)")
_RATIONALE_RE = re.compile(r"decision/(?P<item>\d+)/rationale")
_DRAFT_RE = re.compile(r"case:(?P<disc>\d+):(?P<form>[a-z_]+:[a-z_]+)")


@dataclass(frozen=True, slots=True)
class DraftKey:
    """One autosaved field or draft form of an open meeting.

    ``discussion_id``: the case on the agenda (None for a review or a decision correction, found
    through ``item_id``); ``item_id``: the agency (information), the action (review) or the
    decision (rationale correction). A key of the wrong shape for its kind is refused here, so
    that every key can be written to the journal and read back."""

    kind: KeyKind
    discussion_id: int | None = None
    item_id: int | None = None

    def __post_init__(self) -> None:
        needs_item = self.kind is KeyKind.INFORMATION or self.kind in _ITEM_ONLY
        needs_discussion = self.kind not in _ITEM_ONLY
        if (self.item_id is not None) != needs_item or (
            self.discussion_id is not None
        ) != needs_discussion:
            raise ValueError(f"a {self.kind.value} key cannot be {self!r}")

    def to_journal(self) -> str:
        """The key as the journal stores it (its ``field`` column)."""
        kind, disc, item = self.kind, self.discussion_id, self.item_id
        if kind in _CASE_TEXTS:
            return f"{kind.value}/{disc}"
        if kind is KeyKind.INFORMATION:
            return f"information/{disc}/{item}"
        if kind is KeyKind.REVIEW:
            return f"review/{item}"
        if kind is KeyKind.DECISION_RATIONALE:
            return f"decision/{item}/rationale"
        return f"case:{disc}:{_DRAFT_FORMS[kind]}"

    @classmethod
    def from_journal(cls, text: str) -> DraftKey | None:
        """The key a journal entry was written under, or None when this app does not know it
        (the entry is then kept and reported, never dropped)."""
        if m := _INFORMATION_RE.fullmatch(text):
            return cls(KeyKind.INFORMATION, int(m["disc"]), int(m["item"]))
        if m := _REVIEW_RE.fullmatch(text):
            return cls(KeyKind.REVIEW, item_id=int(m["item"]))
        if m := _RATIONALE_RE.fullmatch(text):
            return cls(KeyKind.DECISION_RATIONALE, item_id=int(m["item"]))
        if (m := _DRAFT_RE.fullmatch(text)) and m["form"] in _DRAFT_OF_FORM:
            return cls(_DRAFT_OF_FORM[m["form"]], int(m["disc"]))
        if (m := _CASE_TEXT_RE.fullmatch(text)) and m["kind"] in {k.value for k in _CASE_TEXTS}:
            return cls(KeyKind(m["kind"]), int(m["disc"]))
        return None

    def discussion_in(self, agenda: Sequence[AgendaItem]) -> int | None:
        """The agenda item (discussion id) this key belongs to, or None when it is not on this
        agenda (the case left it, or the action or decision is not reviewed here)."""
        on_agenda = {item.discussion.id for item in agenda}
        if self.discussion_id is not None:
            return self.discussion_id if self.discussion_id in on_agenda else None
        for item in agenda:
            if self.kind is KeyKind.REVIEW and any(
                p.action.id == self.item_id for p in item.previous_actions
            ):
                return item.discussion.id
            if self.kind is KeyKind.DECISION_RATIONALE and any(
                d.id == self.item_id for d in item.decisions
            ):
                return item.discussion.id
        return None
