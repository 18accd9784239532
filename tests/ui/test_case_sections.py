"""The case page's sections on a real SQLite file with real widgets: who is in the room for the
case (recorded and cleared from the keyboard), victim and diversity issues and the risk trend
autosaved and still there on reopening, the purpose of a new action, who gave information and
when (or that the agency declined), Tab through every new field in reading order, and no
mnemonic clash in the meeting window."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mappa_desktop.db.models import (
    Action,
    CaseAttendance,
    CaseDiscussion,
    InformationShared,
    InvitedAgency,
)
from mappa_desktop.domain.enums import AttendanceStatus, RiskTrend
from mappa_desktop.services import attendance, discussions, meetings
from mappa_desktop.services.actor import Actor
from tests.conftest import Database
from tests.mappa_desktop.factories_meetings import MEETING_DAY, agency_id
from tests.ui.meeting_helpers import (
    FAST,
    Seeded,
    chair,
    context,
    journal_for,
    scheduled_meeting,
    seed,
    type_text,
)
from tests.ui.test_keyboard import mnemonics
from ui.main_window import MainWindow
from ui.views.meeting import MeetingView
from ui.views.meeting.case_page import CasePage
from ui.views.meeting.sections.information import InformationValue
from ui.views.meeting.sections.room import status_text

pytestmark = pytest.mark.gui


@dataclass
class Opened:
    db: Database
    actor: Actor
    seeded: Seeded
    meeting_id: int
    discs: list[int]
    tmp_path: Path
    view: MeetingView
    page: CasePage

    def agency(self, short: str) -> int:
        with self.db.sessions() as s:
            return agency_id(s, short)

    def reopen(self, qtbot: QtBot) -> CasePage:
        """The meeting opened again (a new screen on the same database and journal)."""
        self.view.flush()
        view = open_view(qtbot, self.db, self.actor, self.meeting_id, self.tmp_path)
        page = view.case_page(self.discs[0])
        assert page is not None
        view.show_page(page)
        return page


def open_view(
    qtbot: QtBot, db: Database, actor: Actor, meeting_id: int, tmp_path: Path
) -> MeetingView:
    view = MeetingView(
        context(db, actor),
        meeting_id,
        journal=journal_for(db, tmp_path),
        debounce_ms=FAST["debounce_ms"],
        journal_ms=FAST["journal_ms"],
        retry_ms=FAST["retry_ms"],
    )
    qtbot.addWidget(view)
    view.resize(1300, 900)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    return view


@pytest.fixture
def opened(qtbot: QtBot, sqlite_db: Database, tmp_path: Path) -> Iterator[Opened]:
    """A meeting in progress about two cases: the police and probation officers present for
    the meeting, Housing invited for the first case; its page shown."""
    db = sqlite_db
    actor = chair(db)
    seeded = seed(db, actor)
    meeting_id, discs = scheduled_meeting(db, actor, seeded.case_ids[:2])
    with db.sessions.begin() as s:
        meetings.start_meeting(s, actor, meeting_id)
        for short in ("Police", "Probation"):
            attendance.record_attendance(
                s,
                actor,
                meeting_id,
                agency_id=agency_id(s, short),
                status=AttendanceStatus.PRESENT,
                person_id=seeded.people[short],
            )
        discussions.invite_agency(s, actor, discs[0], agency_id(s, "Housing"))
    view = open_view(qtbot, db, actor, meeting_id, tmp_path)
    page = view.case_page(discs[0])
    assert isinstance(page, CasePage)
    view.show_page(page)
    yield Opened(db, actor, seeded, meeting_id, discs, tmp_path, view, page)
    view.close()


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def arrow_to(combo: QComboBox, data: object) -> None:
    """Choose an entry of a focused combo with the arrow keys, as a minute-taker would."""
    combo.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentData() == data:
            return
        QTest.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentData() == data, f"{data!r} not offered by {combo.accessibleName()}"


# --- in the room for this case ------------------------------------------------------------------


def line_of(o: Opened, short: str) -> int:
    """The table line of an agency's entry (its person's, if any)."""
    agency = o.agency(short)
    rows = o.page.room.rows()
    return next(i for i, r in enumerate(rows) if r.agency_id == agency)


def arrow_to_line(o: Opened, position: int) -> None:
    table = o.page.room.table
    table.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _ in range(position):
        QTest.keyClick(table, Qt.Key.Key_Down)
    assert table.currentIndex().row() == position


def case_rows(o: Opened) -> list[tuple[int, int | None, AttendanceStatus]]:
    with o.db.sessions() as s:
        return [
            (r.agency_id, r.person_id, r.status)
            for r in s.scalars(
                select(CaseAttendance).where(CaseAttendance.discussion_id == o.discs[0])
            )
        ]


def test_in_the_room_is_recorded_and_cleared_for_this_case_from_the_keyboard(
    qtbot: QtBot, opened: Opened
) -> None:
    o, room = opened, opened.page.room
    housing, police = o.agency("Housing"), o.agency("Police")
    # The core panel with the meeting-wide status; Housing invited, nothing recorded yet.
    shown = {(r.panel, r.agency_id, r.person_id): status_text(r) for r in room.rows()}
    assert shown[("core", police, o.seeded.people["Police"])] == "Present"
    assert shown[("invited", housing, None)] == "Invited — nothing recorded (absent)"
    assert "In the room for this case (2)" in room.summary.text()  # police, probation
    assert "Invited but absent: Housing" in room.summary.text()

    # Housing sent a written report: arrow to its line, Enter, arrow to the status, Enter.
    arrow_to_line(o, line_of(o, "Housing"))
    QTest.keyClick(room.table, Qt.Key.Key_Return)
    assert focused() is room.status
    arrow_to(room.status, AttendanceStatus.REPORT_SUBMITTED)
    QTest.keyClick(room.status, Qt.Key.Key_Return)
    assert room.error.isHidden(), room.error.text()
    assert case_rows(o) == [(housing, None, AttendanceStatus.REPORT_SUBMITTED)]
    qtbot.waitUntil(lambda: "Written reports received: Housing" in room.summary.text())
    assert "Invited but absent" not in room.summary.text()

    # The police officer leaves the room for this case only.
    officer = o.seeded.people["Police"]
    arrow_to_line(o, line_of(o, "Police"))
    assert room.person.currentData() == officer  # the line is in the form
    QTest.keyClick(room.table, Qt.Key.Key_Return)
    arrow_to(room.status, AttendanceStatus.ABSENT)
    QTest.keyClick(room.status, Qt.Key.Key_Return)
    assert (police, officer, AttendanceStatus.ABSENT) in case_rows(o)
    qtbot.waitUntil(lambda: "In the room for this case (1)" in room.summary.text())
    assert "Not in the room: Pat OfficerPolice (Police)" in room.summary.text()
    line = next(r for r in room.rows() if r.person_id == officer)
    assert (line.in_room, status_text(line)) == (False, "Absent (not in the room)")

    # Back: clearing the case's own entry returns to the meeting-wide status.
    assert room.clear_button.isEnabled()
    room.clear_button.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(room.clear_button, Qt.Key.Key_Space)
    assert case_rows(o) == [(housing, None, AttendanceStatus.REPORT_SUBMITTED)]
    qtbot.waitUntil(lambda: "In the room for this case (2)" in room.summary.text())
    assert not room.clear_button.isEnabled()  # the meeting-wide entry is not the case's own


def test_present_without_a_person_is_refused_naming_the_field(opened: Opened) -> None:
    o, room = opened, opened.page.room
    arrow_to_line(o, line_of(o, "Housing"))
    QTest.keyClick(room.table, Qt.Key.Key_Return)
    arrow_to(room.status, AttendanceStatus.PRESENT)
    QTest.keyClick(room.status, Qt.Key.Key_Return)
    assert room.error.isVisibleTo(o.page)
    assert "Person:" in room.error.text(), room.error.text()
    assert case_rows(o) == []


def test_an_agency_invited_from_the_section_comes_into_the_room_list(
    qtbot: QtBot, opened: Opened
) -> None:
    o, room = opened, opened.page.room
    children = o.agency("Children's Services")
    arrow_to(room.invite_combo, children)
    room.invite_button.click()
    assert room.invite_error.isHidden(), room.invite_error.text()
    with o.db.sessions() as s:
        invited = s.scalars(
            select(InvitedAgency.agency_id).where(InvitedAgency.discussion_id == o.discs[0])
        ).all()
    assert sorted(invited) == sorted([o.agency("Housing"), children])
    qtbot.waitUntil(lambda: any(r.agency_id == children for r in room.rows()))
    assert "Invited but absent: Children's Services, Housing" in room.summary.text()
    assert children in o.page.information.info_fields  # it may share information now
    assert room.invite_combo.findData(children) < 0  # not offered twice


# --- victim and diversity issues, risk trend ------------------------------------------------------


def test_victim_and_diversity_issues_and_the_trend_autosave_and_survive_reopening(
    qtbot: QtBot, opened: Opened
) -> None:
    o, page = opened, opened.page
    victim = "Former partner in Łódź; no-contact order in force."
    diversity = "Needs a Polish interpreter for supervision."
    discussion = "Police raised a new associate; probation reported good compliance."
    page.issues.victim_issues.editor.setFocus()
    type_text(page.issues.victim_issues.editor, victim)
    page.issues.diversity_issues.editor.setFocus()  # leaving the field saves it too
    type_text(page.issues.diversity_issues.editor, diversity)
    page.risk.discussion.editor.setFocus()
    type_text(page.risk.discussion.editor, discussion)
    arrow_to(page.risk.trend, RiskTrend.INCREASING.value)

    def stored() -> CaseDiscussion:
        with o.db.sessions() as s:
            found = s.get(CaseDiscussion, o.discs[0])
            assert found is not None
            return found

    qtbot.waitUntil(lambda: stored().victim_issues == victim)
    qtbot.waitUntil(lambda: stored().diversity_issues == diversity)
    qtbot.waitUntil(lambda: stored().risk_trend is RiskTrend.INCREASING)
    qtbot.waitUntil(lambda: stored().notes == discussion)
    qtbot.waitUntil(lambda: page.risk.trend_state.text().startswith("Saved"))
    assert o.view.journal.pending(o.meeting_id) == []  # nothing left only on this computer

    again = o.reopen(qtbot)
    assert again.issues.victim_issues.text() == victim
    assert again.issues.diversity_issues.text() == diversity
    assert again.risk.trend.currentData() == RiskTrend.INCREASING.value
    assert again.risk.discussion.text() == discussion


# --- information shared ---------------------------------------------------------------------------


def test_who_gave_information_as_at_when_and_a_declined_share_are_saved(
    qtbot: QtBot, opened: Opened
) -> None:
    o, fields = opened, opened.page.information.info_fields
    police, probation = fields[o.agency("Police")], fields[o.agency("Probation")]
    as_at = MEETING_DAY - timedelta(days=2)
    police.editor.setFocus()
    type_text(police.editor, "Seen near the school on Monday.")
    arrow_to(police.given_by, o.seeded.people["Police"])
    police.has_as_at.setFocus()
    QTest.keyClick(police.has_as_at, Qt.Key.Key_Space)
    QTest.keyClick(police.has_as_at, Qt.Key.Key_Tab)
    assert focused() is police.as_at
    police.as_at.selectAll()
    type_text(police.as_at, as_at.strftime("%d/%m/%Y"))  # typed in the UK order

    # A declined share needs the reason: ticked alone it is refused and nothing is written.
    probation.declined.setFocus()
    QTest.keyClick(probation.declined, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: probation.state.text().startswith("Not saved"))
    assert "Text:" in probation.state.text()
    probation.editor.setFocus()
    type_text(probation.editor, "Awaiting consent from the victim.")

    def stored(agency: int) -> InformationShared | None:
        with o.db.sessions() as s:
            return s.scalars(
                select(InformationShared).where(
                    InformationShared.discussion_id == o.discs[0],
                    InformationShared.agency_id == agency,
                )
            ).one_or_none()

    def police_saved() -> bool:
        row = stored(o.agency("Police"))
        return row is not None and (row.given_by_id, row.as_at) == (
            o.seeded.people["Police"],
            as_at,
        )

    qtbot.waitUntil(police_saved)
    qtbot.waitUntil(lambda: stored(o.agency("Probation")) is not None)
    declined = stored(o.agency("Probation"))
    assert declined is not None
    assert (declined.declined, declined.text) == (True, "Awaiting consent from the victim.")
    row = stored(o.agency("Police"))
    assert row is not None and row.text == "Seen near the school on Monday." and not row.declined

    again = o.reopen(qtbot).information.info_fields
    entry = again[o.agency("Police")].entry()
    assert (entry.given_by_id, entry.as_at, entry.declined) == (
        o.seeded.people["Police"],
        as_at,
        False,
    )
    assert again[o.agency("Probation")].declined.isChecked()


def test_an_entry_reads_back_and_an_older_journal_entry_is_its_text() -> None:
    entry = InformationValue("Seen on CCTV", 4, MEETING_DAY - timedelta(days=1), True)
    assert InformationValue.loads(entry.dumps()) == entry
    # Before who gave it and when were part of the entry, the journal held the text alone
    # (text that merely looks like JSON is still text).
    for older in ("Seen on CCTV", '{"text": "in braces"}', "[1, 2]", "42", ""):
        assert InformationValue.loads(older) == InformationValue(text=older)


def test_an_as_at_date_after_the_meeting_cannot_be_chosen(opened: Opened) -> None:
    police = opened.page.information.info_fields[opened.agency("Police")]
    police.as_at.set_date(MEETING_DAY + timedelta(days=5))
    assert police.as_at.date() == MEETING_DAY
    # typed after the meeting: no date, and a sentence naming the field and the limit
    police.as_at.setText((MEETING_DAY + timedelta(days=5)).isoformat())
    assert police.as_at.date() is None
    assert police.as_at.problem() == (
        f"The information correct as at cannot be after {MEETING_DAY.isoformat()}."
    )


# --- new actions ----------------------------------------------------------------------------------


def test_a_new_action_is_recorded_with_its_purpose(qtbot: QtBot, opened: Opened) -> None:
    o, actions = opened, opened.page.new_actions
    qtbot.keySequence(o.page.header, "Ctrl+Shift+A")
    assert focused() is actions.text
    type_text(actions.text, "Check the new address")
    QTest.keyClick(actions.text, Qt.Key.Key_Tab)
    assert focused() is actions.purpose  # straight after what is to be done
    type_text(actions.purpose, "To confirm he lives away from the victim")
    QTest.keyClick(actions.purpose, Qt.Key.Key_Return)
    assert actions.error.isHidden(), actions.error.text()
    with o.db.sessions() as s:
        saved = s.scalars(select(Action).where(Action.text == "Check the new address")).one()
    assert saved.purpose == "To confirm he lives away from the victim"
    qtbot.waitUntil(lambda: actions.model.rowCount() == 1)
    assert actions.model.row_at(0).purpose == saved.purpose
    assert (actions.text.text(), actions.purpose.text()) == ("", "")  # ready for the next


# --- keyboard -------------------------------------------------------------------------------------


def tab_through_page(page: CasePage, start: QWidget) -> list[QWidget]:
    """Press Tab from ``start`` until the focus leaves the page: the widgets reached, in order
    (a date field keeps the focus for its day, month and year first)."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    order = [start]
    for _ in range(600):
        before = focused()
        for _press in range(4):
            QTest.keyClick(before, Qt.Key.Key_Tab)
            if focused() is not before:
                break
        after = focused()
        assert after is not before, f"Tab is trapped in {after.accessibleName()}"
        if not page.isAncestorOf(after):
            return order
        order.append(after)
    raise AssertionError("Tab never left the page")


def test_tab_from_the_first_field_reaches_every_new_field_in_reading_order(
    qtbot: QtBot, opened: Opened
) -> None:
    page = opened.page
    # An agency invited now gets its information entry after the page was built: it still
    # takes its place in the reading order, not the end of the page.
    children = opened.agency("Children's Services")
    arrow_to(page.room.invite_combo, children)
    page.room.invite_button.click()
    qtbot.waitUntil(lambda: children in page.information.info_fields)
    late = page.information.info_fields[children]
    qtbot.waitUntil(late.isVisible)  # a widget added to a shown page is shown by the event loop
    info = page.information.info_fields[opened.agency("Police")]
    review = next(iter(page.previous.review_rows.values()))
    order = tab_through_page(page, page.room.table)
    expected = [
        page.room.table,
        page.room.agency,
        page.room.person,
        page.room.status,
        page.room.record_button,
        page.room.invite_combo,
        page.room.invite_button,
        review.outcome,
        info.editor,
        info.given_by,
        info.has_as_at,
        info.declined,
        late.editor,
        late.declined,
        page.issues.victim_issues.editor,
        page.issues.diversity_issues.editor,
        page.risk.update_button,
        page.risk.summary.editor,
        page.risk.trend,
        page.plan.table,
        page.new_actions.text,
        page.new_actions.purpose,
        page.decisions.kind,
    ]
    missing = [w.accessibleName() or w.objectName() for w in expected if w not in order]
    assert not missing, f"not reached by Tab: {missing}"
    positions = [order.index(w) for w in expected]
    assert positions == sorted(positions), "Tab does not follow the reading order"


def test_no_mnemonic_clash_with_the_new_fields_the_risk_form_open_and_a_category_1_case(
    qtbot: QtBot, opened: Opened
) -> None:
    o = opened
    o.view.close()
    window = MainWindow(context(o.db, o.actor))
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    window.reload_all()
    window.open_meeting(o.meeting_id)
    view = window.tabs.currentWidget()
    assert isinstance(view, MeetingView)
    qtbot.waitUntil(lambda: view.data is not None)
    page = view.case_page(o.discs[1])  # Иванов, Category 1: the s.327A prompt shows
    assert page is not None
    view.show_page(page)
    page.open_risk_update()
    qtbot.waitUntil(lambda: page.risk.form.isVisibleTo(page))
    assert page.decisions.s327a.isVisibleTo(page)
    keys = mnemonics(window)
    clashes = {k: v for k, v in keys.items() if len(v) > 1}
    assert not clashes, clashes
    owners = {k: " ".join(v).replace("&", "") for k, v in keys.items()}
    assert "Victim and potential-victim issues" in owners["n"]
    assert "Diversity and equality issues" in owners["q"]
    assert "Risk trajectory" in owners["j"]


@pytest.mark.parametrize(
    ("field", "target"),
    [
        ("discussion.victim_issues", lambda p: p.issues.victim_issues.editor),
        ("discussion.diversity_issues", lambda p: p.issues.diversity_issues.editor),
        ("attendance", lambda p: p.room.table),
        ("actions", lambda p: p.new_actions.text),
        ("risk", lambda p: p.risk.summary.editor),
        ("decision", lambda p: p.decisions.kind),
    ],
)
def test_a_sign_off_finding_takes_the_user_to_its_field(
    opened: Opened, field: str, target: Callable[[CasePage], QWidget]
) -> None:
    """``field``: where the self-audit says the finding is fixed (``Finding.field``)."""
    o = opened
    o.view.show_page(o.view.attendance_page)
    o.view.go_to_finding(o.seeded.case_ids[0], field)
    assert o.view.stack.currentWidget() is o.page
    assert focused() is target(o.page)
