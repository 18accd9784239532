"""The case record: loading, details editing from the keyboard, inline validation, the reason a
Save is disabled, the unsaved-changes prompt, conflicts, registration and its criteria helper,
the read-only tabs. Real services on real databases; tasks run synchronously (SyncPool)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, time, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from mappa_desktop.domain.enums import Role, RoshLevel
from mappa_desktop.services import (
    actions,
    audit,
    cases,
    meetings,
    people,
    registration,
    risk,
    rmp,
)
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.cases import CaseDetail
from tests.conftest import Database, make_user
from ui import messages
from ui.bus import ChangeBus
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.tasks import SyncPool, TaskRunner
from ui.views.case_record import ACTIONS, AUDIT, CONTENT_PAGE, LOADING_PAGE, CaseRecord
from ui.views.record.common import (
    MAIN_WINDOW_KEYS,
    READ_ONLY_REASON,
    mnemonic_of,
    mnemonic_widgets,
)

pytestmark = pytest.mark.gui

COMMUNITY = [("community", g) for g in ("children", "public", "known_adult", "staff")]


# --- helpers --------------------------------------------------------------------------------------


def context(database: Database, actor: Actor) -> AppContext:
    return AppContext(
        url=database.url,
        engine=database.engine,
        actor=actor,
        runner=TaskRunner(SyncPool()),
        bus=ChangeBus(),
    )


def agency_id(database: Database, name: str = "Police") -> int:
    with database.sessions() as s:
        agency = people.find_agency(s, name)
        assert agency is not None
        return agency.id


def register(database: Database, actor: Actor, **overrides: Any) -> CaseDetail:
    values: dict[str, Any] = {
        "family_name": "Kowalski",
        "given_names": "Jan",
        "date_of_birth": date(1980, 5, 1),
        "lead_agency_id": agency_id(database),
        "category": 2,
        "level": 2,
        "index_offence": "Wounding with intent",
    }
    values.update(overrides)
    with database.sessions.begin() as s:
        return cases.register_case(s, actor, **values)


def assess(
    database: Database, actor: Actor, case_id: int, overall: str, level: str, **kw: Any
) -> None:
    with database.sessions.begin() as s:
        risk.record_assessment(
            s,
            actor,
            case_id,
            assessed_on=kw.pop("assessed_on", date.today() - timedelta(days=30)),
            overall=overall,
            ratings={key: level for key in COMMUNITY},
            **kw,
        )


def stored(database: Database, case_id: int) -> CaseDetail:
    with database.sessions() as s:
        return cases.get_case(s, case_id)


def open_record(qtbot: QtBot, ctx: AppContext, case_id: int) -> CaseRecord:
    record = CaseRecord(ctx, case_id)
    qtbot.addWidget(record)
    record.resize(1280, 800)
    record.show()
    qtbot.waitExposed(record)
    qtbot.waitUntil(lambda: record.is_loaded)
    return record


def type_text(widget: QWidget, text: str) -> None:
    """Type any text, one key event per character (keyClicks aborts on non-ASCII)."""
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def replace_text(widget: QLineEdit, text: str) -> None:
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(widget, Qt.Key.Key_Delete)
    type_text(widget, text)


def press_save(record: CaseRecord, widget: QWidget) -> None:
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


class FakeAsk:
    """Stands in for ``ui.messages.ask``: records the question and gives a fixed answer."""

    def __init__(self, answer: QMessageBox.StandardButton) -> None:
        self.answer = answer
        self.questions: list[str] = []

    def __call__(
        self,
        _parent: QWidget | None,
        title: str,
        text: str,
        on_answer: Callable[[QMessageBox.StandardButton], None],
        *_args: Any,
        **_kwargs: Any,
    ) -> None:
        self.questions.append(f"{title}: {text}")
        on_answer(self.answer)


@pytest.fixture
def coordinator(sqlite_db: Database) -> Actor:
    # The first user is "admin" (make_user creates later users as that administrator).
    return make_user(
        sqlite_db, "admin", [Role.ADMINISTRATOR, Role.COORDINATOR], family_name="Okafor"
    )


@pytest.fixture
def ctx(sqlite_db: Database, coordinator: Actor) -> Iterator[AppContext]:
    context_ = context(sqlite_db, coordinator)
    yield context_
    context_.runner.wait_all()


# --- opening --------------------------------------------------------------------------------------


def test_opening_case_shows_loading_then_details(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    case = register(
        sqlite_db,
        coordinator,
        given_names="Дмитрий",
        aliases=[("Dima", "nickname")],
        identifiers={"pnc": "2001/0012345X", "crn": "X123456"},
        custody_status="custody",
    )
    record = CaseRecord(ctx, case.id)
    qtbot.addWidget(record)
    assert record.stack.currentIndex() == LOADING_PAGE  # loads after the event loop turns
    with qtbot.waitSignal(record.title_changed) as title:
        qtbot.waitUntil(lambda: record.is_loaded)
    assert title.args == ["Kowalski, Дмитрий"]
    assert record.stack.currentIndex() == CONTENT_PAGE
    view = record.details.view
    assert view.line_edits["family_name"].text() == "Kowalski"
    assert view.line_edits["given_names"].text() == "Дмитрий"
    assert view.date_fields["date_of_birth"].text() == "1980-05-01"
    assert view.identifier_edits["pnc"].text() == "2001/0012345X"
    assert view.identifier_edits["crn"].text() == "X123456"
    assert view.custody_combo.currentData() == "custody"
    assert view.agency_combo.currentText() == "Police"
    assert view.text_boxes["index_offence"].toPlainText() == "Wounding with intent"
    assert view.alias_editor.aliases() == [("Dima", "nickname")]
    assert "Category 2, Level 2" in record.summary_label.text()
    assert not record.has_unsaved_changes()


def test_opening_missing_case_says_so(qtbot: QtBot, ctx: AppContext) -> None:
    record = CaseRecord(ctx, 9999)
    qtbot.addWidget(record)
    qtbot.waitUntil(lambda: record.error_label.text() != "")
    assert "could not be found" in record.error_label.text()


# --- details --------------------------------------------------------------------------------------


def test_editing_details_from_keyboard_persists(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    case = register(sqlite_db, coordinator)
    record = open_record(qtbot, ctx, case.id)
    view = record.details.view
    replace_text(view.line_edits["family_name"], "Nowak-Wiśniewska")
    replace_text(view.identifier_edits["pnc"], "1999/0000001A")
    victim_box = view.text_boxes["victim_notes"]
    victim_box.setFocus()
    type_text(victim_box, "VLO: Ms Ngozi Adébáyọ̀ represents the victim.")
    view.custody_combo.setFocus()
    QTest.keyClick(view.custody_combo, Qt.Key.Key_Down)  # community -> custody
    assert record.has_unsaved_changes()
    assert record.title.endswith(" *")
    assert view.bar.save_button.isEnabled()

    press_save(record, victim_box)

    saved = stored(sqlite_db, case.id)
    assert saved.family_name == "Nowak-Wiśniewska"
    assert saved.identifier("pnc") == "1999/0000001A"
    assert saved.victim_notes == "VLO: Ms Ngozi Adébáyọ̀ represents the victim."
    assert saved.custody_status == "custody"
    assert saved.version == case.version + 1
    assert not record.has_unsaved_changes()
    assert record.title == "Nowak-Wiśniewska, Jan"
    assert "Details saved" in view.bar.status_label.text()
    with sqlite_db.sessions() as s:
        events = audit.list_events(s, case_id=case.id)
    assert events[-1].changes["family_name"] == ["Kowalski", "Nowak-Wiśniewska"]


def test_adding_alias_from_keyboard_persists(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    case = register(sqlite_db, coordinator)
    record = open_record(qtbot, ctx, case.id)
    editor = record.details.view.alias_editor
    editor.add_button.setFocus()
    QTest.keyClick(editor.add_button, Qt.Key.Key_Space)
    row = editor.row_widgets[0]
    assert row.name_edit.hasFocus()
    type_text(row.name_edit, "Jasiu")
    press_save(record, row.name_edit)
    assert [(a.name, a.kind) for a in stored(sqlite_db, case.id).aliases] == [("Jasiu", "alias")]


def test_duplicate_alias_error_shows_under_that_row(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    case = register(sqlite_db, coordinator, aliases=[("Jaś", "alias")])
    record = open_record(qtbot, ctx, case.id)
    editor = record.details.view.alias_editor
    QTest.keyClick(editor.add_button, Qt.Key.Key_Space)  # a blank row in between is ignored
    QTest.keyClick(editor.add_button, Qt.Key.Key_Space)
    rows = editor.row_widgets
    type_text(rows[2].name_edit, "Jaś")
    press_save(record, rows[2].name_edit)
    assert rows[2].error.isVisibleTo(record) and "listed twice" in rows[2].error.text()
    assert rows[0].error.isHidden()
    assert [a.name for a in stored(sqlite_db, case.id).aliases] == ["Jaś"]


def test_service_validation_shows_next_to_the_field(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    register(sqlite_db, coordinator, family_name="Other", identifiers={"pnc": "2001/0000009Z"})
    case = register(sqlite_db, coordinator)
    record = open_record(qtbot, ctx, case.id)
    view = record.details.view
    replace_text(view.date_fields["date_of_birth"], "2090-01-01")
    replace_text(view.identifier_edits["pnc"], "2001/0000009Z")
    press_save(record, view.identifier_edits["pnc"])

    dob_error = record.details.errors.error_for("date_of_birth")
    pnc_error = record.details.errors.error_for("identifiers.pnc")
    assert dob_error is not None and pnc_error is not None
    assert not dob_error.isHidden() and "after today" in dob_error.text()
    assert not pnc_error.isHidden() and "already recorded for case" in pnc_error.text()
    assert view.date_fields["date_of_birth"].accessibleDescription() == dob_error.message
    assert "Not saved" in view.bar.error_label.text()
    assert stored(sqlite_db, case.id).version == case.version  # nothing written
    assert record.has_unsaved_changes()


def test_badly_typed_date_is_flagged_inline_and_blocks_save(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    case = register(sqlite_db, coordinator)
    record = open_record(qtbot, ctx, case.id)
    view = record.details.view
    replace_text(view.date_fields["referral_date"], "31/02/2024")
    QTest.keyClick(view.date_fields["referral_date"], Qt.Key.Key_Tab)  # editingFinished
    error = record.details.errors.error_for("referral_date")
    assert error is not None and not error.isHidden()
    assert "is not a date" in error.text()
    assert not view.bar.save_button.isEnabled()
    assert "Correct the referral date" in view.bar.reason_label.text()


def test_save_is_disabled_and_says_why(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    case = register(sqlite_db, coordinator)
    record = open_record(qtbot, ctx, case.id)
    bar = record.details.view.bar
    assert not bar.save_button.isEnabled()
    assert bar.reason_label.text() == "No changes to save."
    replace_text(record.details.view.line_edits["family_name"], "")
    assert not bar.save_button.isEnabled()
    assert bar.reason_label.text() == "Enter the family name to save."
    assert "Enter the family name to save." in bar.save_button.toolTip()
    press_save(record, record.details.view.line_edits["given_names"])  # Ctrl+S does nothing
    assert stored(sqlite_db, case.id).family_name == "Kowalski"
    assert "Enter the family name" in bar.error_label.text()


def test_read_only_user_cannot_save_and_is_told_why(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor
) -> None:
    case = register(sqlite_db, coordinator)
    reader = make_user(sqlite_db, "reader", [Role.READER])
    record = open_record(qtbot, context(sqlite_db, reader), case.id)
    for form in record.forms():
        assert not form.save_bar.save_button.isEnabled()
        assert form.save_bar.reason == READ_ONLY_REASON
    assert record.details.view.line_edits["family_name"].isReadOnly()


# --- unsaved changes -----------------------------------------------------------------------------


def test_unsaved_prompt_cancel_keeps_tab_and_discard_closes_it(
    qtbot: QtBot,
    sqlite_db: Database,
    coordinator: Actor,
    ctx: AppContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = register(sqlite_db, coordinator)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.open_case(case.id)
    record = window.tabs.currentWidget()
    assert isinstance(record, CaseRecord)
    qtbot.waitUntil(lambda: record.is_loaded)
    qtbot.waitUntil(lambda: window.tabs.tabText(window.tabs.indexOf(record)) == "Kowalski, Jan")
    replace_text(record.details.view.line_edits["given_names"], "Janek")
    assert window.tabs.tabText(window.tabs.indexOf(record)) == "Kowalski, Jan *"  # saved name

    cancel = FakeAsk(QMessageBox.StandardButton.Cancel)
    monkeypatch.setattr(messages, "ask", cancel)
    window.close_current_record()
    assert len(cancel.questions) == 1 and "details" in cancel.questions[0]
    assert window.tabs.indexOf(record) >= 0  # Cancel keeps the tab

    discard = FakeAsk(QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(messages, "ask", discard)
    window.close_current_record()
    assert len(discard.questions) == 1
    assert window.tabs.indexOf(record) < 0
    assert stored(sqlite_db, case.id).given_names == "Jan"  # discarded, not saved


def test_unsaved_prompt_save_saves_then_closes(
    qtbot: QtBot,
    sqlite_db: Database,
    coordinator: Actor,
    ctx: AppContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = register(sqlite_db, coordinator)
    record = open_record(qtbot, ctx, case.id)
    replace_text(record.details.view.line_edits["given_names"], "Janek")
    monkeypatch.setattr(messages, "ask", FakeAsk(QMessageBox.StandardButton.Save))
    answers: list[bool] = []
    record.confirm_close(answers.append)
    assert answers == [True]
    assert stored(sqlite_db, case.id).given_names == "Janek"


def test_unsaved_prompt_save_that_fails_keeps_the_tab(
    qtbot: QtBot,
    sqlite_db: Database,
    coordinator: Actor,
    ctx: AppContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = register(sqlite_db, coordinator)
    record = open_record(qtbot, ctx, case.id)
    replace_text(record.details.view.date_fields["date_of_birth"], "2090-01-01")
    monkeypatch.setattr(messages, "ask", FakeAsk(QMessageBox.StandardButton.Save))
    answers: list[bool] = []
    record.confirm_close(answers.append)
    assert answers == [False]
    assert record.has_unsaved_changes()


def test_no_prompt_without_changes(
    qtbot: QtBot,
    sqlite_db: Database,
    coordinator: Actor,
    ctx: AppContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = register(sqlite_db, coordinator)
    record = open_record(qtbot, ctx, case.id)
    ask = FakeAsk(QMessageBox.StandardButton.Cancel)
    monkeypatch.setattr(messages, "ask", ask)
    answers: list[bool] = []
    record.confirm_close(answers.append)
    assert answers == [True] and ask.questions == []


# --- conflicts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("db", ["pg"], indirect=True)
def test_conflict_shows_both_versions_and_overwrites_nothing(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    case = register(db, admin)
    ctx = context(db, admin)
    record = open_record(qtbot, ctx, case.id)
    replace_text(record.details.view.line_edits["family_name"], "Mine")
    # Someone else saves first, in another session.
    with db.sessions.begin() as s:
        cases.edit_case(
            s, admin, case.id, expected_version=case.version, family_name="Theirs", gender="Male"
        )

    press_save(record, record.details.view.line_edits["family_name"])

    dialog = record.details.conflict_dialog
    assert dialog is not None and dialog.isVisible()
    rows = {r.field: r for r in dialog.rows}
    assert (rows["Family name"].theirs, rows["Family name"].mine) == ("Theirs", "Mine")
    assert rows["Family name"].clash
    assert (rows["Gender"].theirs, rows["Gender"].mine) == ("Male", "")
    shown = [
        dialog.model.index(r, c).data() for r in range(dialog.model.rowCount()) for c in (1, 2)
    ]
    assert "Theirs" in shown and "Mine" in shown
    saved = stored(db, case.id)
    assert (saved.family_name, saved.gender) == ("Theirs", "Male")  # nothing overwritten
    assert record.has_unsaved_changes()

    QTest.keyClick(dialog.keep_button, Qt.Key.Key_Space)  # Keep mine and reapply
    view = record.details.view
    assert view.line_edits["family_name"].text() == "Mine"
    assert view.line_edits["gender"].text() == "Male"  # their change kept
    press_save(record, view.line_edits["family_name"])
    saved = stored(db, case.id)
    assert (saved.family_name, saved.gender) == ("Mine", "Male")
    assert saved.version == case.version + 2


def test_conflict_reload_theirs_drops_my_edits(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    case = register(sqlite_db, coordinator)
    record = open_record(qtbot, ctx, case.id)
    replace_text(record.details.view.line_edits["given_names"], "Mine")
    with sqlite_db.sessions.begin() as s:
        cases.edit_case(s, coordinator, case.id, expected_version=case.version, given_names="X")
    press_save(record, record.details.view.line_edits["given_names"])
    dialog = record.details.conflict_dialog
    assert dialog is not None
    QTest.keyClick(dialog.reload_button, Qt.Key.Key_Space)
    assert record.details.view.line_edits["given_names"].text() == "X"
    assert not record.has_unsaved_changes()
    assert stored(sqlite_db, case.id).given_names == "X"


# --- registration ---------------------------------------------------------------------------------


def test_criteria_helper_suggests_level_2_for_high_rosh_and_multi_agency_value(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    case = register(sqlite_db, coordinator, level=1)
    assess(sqlite_db, coordinator, case.id, "high", "high")
    record = open_record(qtbot, ctx, case.id)
    tab = record.registration
    assert tab.criteria["high_rosh"].isChecked()  # pre-ticked from the latest assessment
    assert "overall RoSH High" in tab.rosh_note.text()
    assert tab.suggestion_label.text() == "Suggested: Level 1"
    QTest.keyClick(tab.criteria["adds_value"], Qt.Key.Key_Space)
    assert tab.suggestion_label.text() == "Suggested: Level 2"
    assert "multi-agency meetings add value" in tab.criteria_result.text()
    assert "RoSH High or Very High" in tab.criteria_result.text()
    assert "the criteria suggest Level 2" in tab.choice_note.text()  # still at Level 1
    QTest.keyClick(tab.use_suggestion_button, Qt.Key.Key_Space)
    assert tab.level_combo.currentData() == 2
    assert "matches the suggestion" in tab.choice_note.text()
    QTest.keyClick(tab.criteria["senior"], Qt.Key.Key_Space)
    assert tab.suggestion_label.text() == "Suggested: Level 3"


def test_category_3_at_level_1_is_explained_inline_and_blocks_save(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    case = register(sqlite_db, coordinator)
    record = open_record(qtbot, ctx, case.id)
    tab = record.registration
    tab.category_combo.setCurrentIndex(tab.category_combo.findData(3))
    tab.level_combo.setCurrentIndex(tab.level_combo.findData(1))
    type_text(tab.rationale_edit, "Test")
    assert not tab.cat3_note.isHidden()
    assert "cannot be recorded at Level 1" in tab.cat3_note.text()
    assert not tab.bar.save_button.isEnabled()
    assert "Category 3 offenders require" in tab.bar.reason_label.text()


def test_changing_level_from_keyboard_records_history(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    case = register(sqlite_db, coordinator)
    record = open_record(qtbot, ctx, case.id)
    tab = record.registration
    record.tabs.setCurrentWidget(tab)
    tab.level_combo.setFocus()
    QTest.keyClick(tab.level_combo, Qt.Key.Key_Down)  # Level 2 -> Level 3
    assert tab.bar.reason == "Write the rationale for the change to save."
    tab.rationale_edit.setFocus()
    type_text(tab.rationale_edit, "Media interest after the trial; needs senior oversight.")
    assert tab.bar.save_button.isEnabled()
    press_save(record, tab.rationale_edit)
    with sqlite_db.sessions() as s:
        current = registration.current_registration(s, case.id)
        history = registration.registration_history(s, case.id)
    assert (current.level, current.rationale) == (
        3,
        "Media interest after the trial; needs senior oversight.",
    )
    assert current.recorded_by == "Test Okafor"
    assert len(history) == 2
    assert tab.history_model.rowCount() == 2
    assert "Level 3" in tab.current_label.text()
    assert not record.has_unsaved_changes()


# --- read-only tabs -------------------------------------------------------------------------------


def test_rmp_tab_groups_items_by_pillar_and_shows_history(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    case = register(sqlite_db, coordinator)
    with sqlite_db.sessions.begin() as s:
        item = rmp.add_item(s, coordinator, case.id, pillar="supervision", text="Weekly visits")
        rmp.change_item(
            s,
            coordinator,
            item.id,
            expected_version=item.version,
            rationale="More contact",
            text="Twice-weekly visits",
        )
        rmp.add_item(s, coordinator, case.id, pillar="victim_safety", text="Exclusion zone")
    record = open_record(qtbot, ctx, case.id)
    tab = record.rmp_tab
    top = [tab.model.index(r, 0).data() for r in range(tab.model.rowCount())]
    assert top[0] == "Supervision (1 item)"
    assert "Contingency plans (no items)" in top
    supervision = tab.model.index(0, 0)
    assert tab.model.index(0, 0, supervision).data() == "Twice-weekly visits"
    tab.tree.setCurrentIndex(tab.model.index(0, 0, supervision))
    assert tab.history_model.rowCount() == 2
    assert tab.history_model.row_at(0).rationale == "More contact"


def test_actions_meetings_and_audit_tabs_show_the_case_records(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor
) -> None:
    chair = make_user(sqlite_db, "chair", [Role.CHAIR, Role.COORDINATOR], family_name="Chair")
    case = register(sqlite_db, chair)
    today = date.today()
    police = agency_id(sqlite_db)
    with sqlite_db.sessions.begin() as s:
        meeting = meetings.schedule_meeting(
            s,
            chair,
            level=2,
            meeting_type="review",
            meeting_date=today + timedelta(days=7),
            start_time=time(10, 0),
            venue="Room 1",
            chair_id=chair.person_id,
        )
        meetings.add_to_agenda(s, chair, meeting.id, case.id)
        actions.set_action(
            s,
            chair,
            case.id,
            text="Visit the home address",
            owner_agency_id=police,
            due_date=today + timedelta(days=3),
        )
        cases.edit_case(s, chair, case.id, expected_version=case.version, gender="Male")
    record = open_record(qtbot, context(sqlite_db, chair), case.id)
    assert record.meetings_tab.model.rowCount() == 1
    assert record.meetings_tab.model.row_at(0).venue == "Room 1"
    record.tabs.setCurrentIndex(ACTIONS)
    assert record.actions_tab.model.row_at(0).text == "Visit the home address"
    assert record.actions_tab.count_label.text() == "1 open action"
    record.tabs.setCurrentIndex(AUDIT)
    lines = record.audit_tab.model.rows()
    gender = next(line for line in lines if line.field == "gender")
    assert (gender.who, gender.old, gender.new) == ("chair", "", "Male")


# --- accessibility -------------------------------------------------------------------------------


def test_every_input_has_an_accessible_name_a_label_buddy_and_no_shared_mnemonic(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    case = register(sqlite_db, coordinator, aliases=[("Jaś", "nickname")])
    record = open_record(qtbot, ctx, case.id)
    tab_keys = record.tab_keys
    assert len(set(tab_keys)) == record.tabs.count()
    assert not set(tab_keys) & set(MAIN_WINDOW_KEYS)
    for index in range(3):  # the editable tabs
        page = record.tabs.widget(index)
        assert page is not None
        buddies = {
            id(label.buddy()): label
            for label in page.findChildren(QLabel)
            if label.buddy() is not None
        }
        controls = mnemonic_widgets(page)  # the labels and buttons
        keys = [key for control in controls if (key := mnemonic_of(control.text()))]
        assert len(keys) == len(set(keys)), keys  # a key of its own: Qt never cycles
        taken = set(MAIN_WINDOW_KEYS + tab_keys)
        assert not set(keys) & taken, keys
        for control in controls:  # none only when every letter of it is taken
            if mnemonic_of(control.text()) is None:
                letters = {ch.lower() for ch in control.text() if ch.isascii() and ch.isalnum()}
                assert letters <= taken | set(keys), control.text()
        for widget in page.findChildren(QWidget):
            if not isinstance(widget, QLineEdit | QComboBox | QPlainTextEdit | QCheckBox):
                continue
            if isinstance(widget.parent(), QComboBox):
                continue  # a combo box's own line edit
            assert widget.accessibleName(), f"{type(widget).__name__} without a name"
            if not isinstance(widget, QAbstractButton):
                assert id(widget) in buddies, widget.accessibleName()


def test_tab_order_follows_the_form_including_alias_rows(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    case = register(sqlite_db, coordinator, aliases=[("Jaś", "nickname")])
    record = open_record(qtbot, ctx, case.id)
    record.activateWindow()
    view = record.details.view
    view.identifier_edits["nhs"].setFocus()
    seen = []
    for _ in range(6):
        QTest.keyClick(record.focusWidget(), Qt.Key.Key_Tab)
        seen.append(record.focusWidget().accessibleName())
    assert seen == [
        "Alias 1 name",
        "Alias 1 kind",
        "Remove alias 1",
        "Add alias or nickname",
        "Custody status",
        "Lead agency",
    ]


def test_risk_rating_combo_for_prisoners_is_custody_only(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    case = register(sqlite_db, coordinator)
    assess(sqlite_db, coordinator, case.id, RoshLevel.MEDIUM.value, "medium")
    record = open_record(qtbot, ctx, case.id)
    names = {c.accessibleName() for c in record.risk.form.view.rating_combos.values()}
    assert "Custody risk to prisoners" in names
    assert "Community risk to prisoners" not in names


def test_empty_meetings_and_actions_tabs_can_be_entered_from_the_keyboard(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    case = register(sqlite_db, coordinator)
    record = open_record(qtbot, ctx, case.id)
    record.show()
    qtbot.waitExposed(record)
    record.activateWindow()
    qtbot.waitUntil(record.isActiveWindow)
    for tab in (record.meetings_tab, record.actions_tab):
        record.tabs.setCurrentWidget(tab)
        record.tabs.tabBar().setFocus()
        qtbot.keyClick(record.tabs.tabBar(), Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        assert focused is tab.empty_label, type(focused).__name__
        assert tab.isAncestorOf(focused)
