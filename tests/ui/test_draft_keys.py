"""Typed keys of the meeting screen's autosaved fields and drafts: one spelling at the journal
boundary, the spelling the journal has always held, so that edits an earlier version of the app
kept on disk are put back into their fields (a real journal file, a real meeting screen)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mappa_desktop.db.models import ActionReview
from mappa_desktop.services import meetings
from tests.conftest import Database
from tests.mappa_desktop.factories_meetings import agency_id
from tests.ui.meeting_helpers import FAST, chair, context, journal_for, scheduled_meeting, seed
from ui.views.meeting import MeetingView
from ui.views.meeting.case_page import CasePage
from ui.views.meeting.draft_keys import DraftKey, KeyKind

pytestmark = pytest.mark.gui

# One key of every kind, and how the journal spells it (the on-disk format since the journal
# was introduced: it must not change, or kept edits would be orphaned).
SPELLINGS = [
    (DraftKey(KeyKind.RISK_SUMMARY, 12), "risk_summary/12"),
    (DraftKey(KeyKind.DISCUSSION, 12), "discussion/12"),
    (DraftKey(KeyKind.VICTIM_ISSUES, 12), "victim_issues/12"),
    (DraftKey(KeyKind.DIVERSITY_ISSUES, 12), "diversity_issues/12"),
    (DraftKey(KeyKind.RISK_TREND, 12), "risk_trend/12"),
    (DraftKey(KeyKind.INFORMATION, 12, 3), "information/12/3"),
    (DraftKey(KeyKind.REVIEW, item_id=40), "review/40"),
    (DraftKey(KeyKind.DECISION_RATIONALE, item_id=7), "decision/7/rationale"),
    (DraftKey(KeyKind.RMP_DRAFT, 12), "case:12:rmp:change"),
    (DraftKey(KeyKind.ACTION_DRAFT, 12), "case:12:action:new"),
    (DraftKey(KeyKind.RISK_ASSESSMENT_DRAFT, 12), "case:12:risk_assessment:new"),
    (DraftKey(KeyKind.DECISION_DRAFT, 12), "case:12:decision:new"),
    (DraftKey(KeyKind.DISSENT_DRAFT, 12), "case:12:dissent:new"),
]


def test_every_kind_is_spelled_as_the_journal_holds_it_and_read_back() -> None:
    assert {key.kind for key, _ in SPELLINGS} == set(KeyKind)
    for key, spelled in SPELLINGS:
        assert key.to_journal() == spelled
        assert DraftKey.from_journal(spelled) == key


@pytest.mark.parametrize(
    "text",
    [
        "",
        "risk_summary/",
        "risk_summary/x",
        "risk_summary/12/3",
        "notes/12",  # not a field of the meeting screen
        "information/12",
        "information/12/x",
        "review/",
        "decision/7",
        "decision/7/outcome",
        "case:12:plan:new",
        "case:x:rmp:change",
        "case:12:rmp:change:extra",
        " risk_summary/12",
    ],
)
def test_a_spelling_this_app_does_not_know_is_no_key(text: str) -> None:
    assert DraftKey.from_journal(text) is None


@pytest.mark.parametrize(
    "kind, discussion_id, item_id",
    [
        (KeyKind.RISK_SUMMARY, None, None),  # which case?
        (KeyKind.RISK_SUMMARY, 12, 3),
        (KeyKind.INFORMATION, 12, None),  # which agency?
        (KeyKind.REVIEW, 12, 40),  # a review is found by its action
        (KeyKind.REVIEW, None, None),
        (KeyKind.DECISION_DRAFT, None, None),
    ],
)
def test_a_key_of_the_wrong_shape_is_refused(
    kind: KeyKind, discussion_id: int | None, item_id: int | None
) -> None:
    with pytest.raises(ValueError, match=kind.value):
        DraftKey(kind, discussion_id, item_id)


def test_edits_kept_on_disk_by_an_earlier_version_are_put_back_and_saved(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    """Journal entries written with the old string keys, as the earlier app wrote them (the
    information text alone, before who gave it and when were part of the entry): each goes
    back into its field on the right case page and reaches the database."""
    db = sqlite_db
    actor = chair(db)
    seeded = seed(db, actor)
    meeting_id, discs = scheduled_meeting(db, actor, seeded.case_ids[:2])
    with db.sessions() as s:
        police = agency_id(s, "Police")
    journal = journal_for(db, tmp_path)
    first, second = discs
    journal.write(meeting_id, f"risk_summary/{second}", "Said before the upgrade", base_version=1)
    journal.write(meeting_id, f"information/{second}/{police}", "Seen on CCTV on Tuesday")
    review = {"due": None, "note": "Visited", "outcome": "done", "reason": None}
    journal.write(meeting_id, f"review/{seeded.action_ids[0]}", json.dumps(review))
    action = {"text": "Check the address", "agency_id": police, "person_id": None}
    journal.write(meeting_id, f"case:{second}:action:new", json.dumps(action))

    view = MeetingView(
        context(db, actor),
        meeting_id,
        journal=journal,
        debounce_ms=FAST["debounce_ms"],
        journal_ms=FAST["journal_ms"],
        retry_ms=FAST["retry_ms"],
    )
    qtbot.addWidget(view)

    assert "3 edits typed on this computer had not reached the database" in view.notice.text()
    assert "1 draft typed but not recorded was put back" in view.notice.text()
    assert "could not be put back" not in view.notice.text()
    assert {first, second} <= set(view.case_pages)  # each page with text waiting was built
    with db.sessions() as s:
        item = {i.discussion.id: i for i in meetings.get_meeting(s, meeting_id).agenda}[second]
        saved_review = s.scalars(select(ActionReview)).one()
    assert item.discussion.risk_summary == "Said before the upgrade"
    assert [
        (i.agency_id, i.text, i.given_by_id, i.as_at, i.declined) for i in item.information
    ] == [(police, "Seen on CCTV on Tuesday", None, None, False)]
    assert (saved_review.action_id, saved_review.note) == (seeded.action_ids[0], "Visited")
    page = view.case_pages[second]
    assert isinstance(page, CasePage)
    assert page.new_actions.text.text() == "Check the address"  # a draft waits for its button
    assert [e.field for e in journal.pending(meeting_id)] == [f"case:{second}:action:new"]


def test_a_key_finds_its_case_on_the_agenda(sqlite_db: Database) -> None:
    db = sqlite_db
    actor = chair(db)
    seeded = seed(db, actor)
    meeting_id, discs = scheduled_meeting(db, actor, seeded.case_ids[:2])
    with db.sessions() as s:
        agenda = meetings.get_meeting(s, meeting_id).agenda
    assert DraftKey(KeyKind.RISK_SUMMARY, discs[1]).discussion_in(agenda) == discs[1]
    assert DraftKey(KeyKind.RMP_DRAFT, 99999).discussion_in(agenda) is None  # left the agenda
    # A review is found through the action it reviews (the second case's old action).
    review = DraftKey(KeyKind.REVIEW, item_id=seeded.action_ids[1])
    assert review.discussion_in(agenda) == discs[1]
    assert DraftKey(KeyKind.DECISION_RATIONALE, item_id=99999).discussion_in(agenda) is None
