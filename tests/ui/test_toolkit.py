"""One UI toolkit (``ui/forms``): each shared piece works on its own, and both the case record and
the meeting are built on it (checked on the real screens, real databases)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mappa_desktop.db.models.meetings import Action
from mappa_desktop.domain.enums import (
    ActionStatus,
    AgendaReason,
    AssessmentTool,
    AttendanceStatus,
    DecisionKind,
    Level,
    MeetingStatus,
    NotDoneReason,
    RiskTrend,
    RmpPillar,
    Role,
    RoshLevel,
)
from mappa_desktop.services import cases
from reports import labels
from tests.conftest import Database, make_user
from tests.ui.meeting_helpers import FAST, chair, journal_for, scheduled_meeting, seed
from tests.ui.meeting_helpers import context as meeting_context
from tests.ui.test_case_record import context as record_context
from tests.ui.test_case_record import open_record, press_save, register, replace_text
from ui.forms import dates, style
from ui.forms.conflict import Choice, ConflictRow, ConflictView
from ui.forms.criteria import CriteriaHelper
from ui.forms.date_field import DateField
from ui.forms.field_error import SIGN, FieldError
from ui.forms.style import Tone
from ui.models.dto_table import FOREGROUND
from ui.views.meeting import MeetingView
from ui.views.meeting.case_page import CasePage

pytestmark = pytest.mark.gui


def open_meeting(qtbot: QtBot, db: Database, tmp_path: Path) -> tuple[MeetingView, CasePage]:
    actor = chair(db)
    seeded = seed(db, actor)
    meeting_id, _ = scheduled_meeting(db, actor, seeded.case_ids[:1])
    view = MeetingView(
        meeting_context(db, actor), meeting_id, journal=journal_for(db, tmp_path), **FAST
    )
    qtbot.addWidget(view)
    view.show()
    view.step_page(1)
    page = view.stack.currentWidget()
    assert isinstance(page, CasePage)
    return view, page


# --- the conflict view ----------------------------------------------------------------------------


def conflict_view(qtbot: QtBot) -> ConflictView:
    view = ConflictView(
        "They saved first.", keep=Choice("&Keep mine", "tip"), theirs=Choice("&Use theirs")
    )
    qtbot.addWidget(view)
    return view


def test_conflict_view_shows_one_text_side_by_side_and_emits_the_choice(qtbot: QtBot) -> None:
    view = conflict_view(qtbot)
    assert view.isHidden()  # nothing to choose yet
    view.show_texts("Their words", "My words")
    assert not view.isHidden() and not view.texts.isHidden() and view.table.isHidden()
    assert (view.theirs.toPlainText(), view.mine.toPlainText()) == ("Their words", "My words")
    assert view.theirs.isReadOnly() and view.mine.isReadOnly()
    assert view.keep_button.accessibleName() == "Keep mine"
    assert view.keep_button.toolTip() == "tip"
    with qtbot.waitSignal(view.keep_mine, timeout=1000):
        view.keep_button.click()
    with qtbot.waitSignal(view.use_theirs, timeout=1000):
        view.theirs_button.click()


def test_conflict_view_shows_a_form_as_rows_and_marks_clashes(qtbot: QtBot) -> None:
    view = conflict_view(qtbot)
    rows = [
        ConflictRow("Family name", "Theirs", "Mine", changed_by_me=True, changed_by_them=True),
        ConflictRow("Gender", "Male", "", changed_by_me=False, changed_by_them=True),
        ConflictRow("Address", "1 Lane", "1 Lane", changed_by_me=True, changed_by_them=False),
    ]
    view.show_rows(rows)
    assert view.texts.isHidden() and not view.table.isHidden()
    model = view.model
    shown = [[model.index(r, c).data() for c in range(4)] for r in range(model.rowCount())]
    assert shown == [
        ["Family name", "Theirs", "Mine", "Both changed: choose"],
        ["Gender", "Male", "—", "Their change"],
        ["Address", "1 Lane", "1 Lane", "Same change"],
    ]
    clash = model.index(0, 1).data(FOREGROUND)
    assert clash is not None and clash.color() == style.brush(Tone.ERROR).color()
    assert model.index(1, 1).data(FOREGROUND) is None  # only a clash is marked


def test_meeting_texts_use_the_shared_conflict_view(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    _view, page = open_meeting(qtbot, sqlite_db, tmp_path)
    panels: list[QWidget] = [page.risk.summary.conflict, page.risk.trend_conflict]
    panels += [f.conflict for f in page.information.info_fields.values()]
    assert len(panels) > 2
    assert all(isinstance(p, ConflictView) for p in panels)
    assert all(p.isHidden() for p in panels)


def test_record_conflict_dialog_wraps_the_shared_conflict_view(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    actor = make_user(sqlite_db, "admin", [Role.ADMINISTRATOR, Role.COORDINATOR])
    case = register(sqlite_db, actor)
    ctx = record_context(sqlite_db, actor)
    record = open_record(qtbot, ctx, case.id)
    replace_text(record.details.view.line_edits["family_name"], "Mine")
    with sqlite_db.sessions.begin() as s:
        cases.edit_case(s, actor, case.id, expected_version=case.version, family_name="Theirs")
    press_save(record, record.details.view.line_edits["family_name"])
    dialog = record.details.conflict_dialog
    assert dialog is not None and dialog.isVisible()
    assert isinstance(dialog.view, ConflictView)
    assert dialog.view.isVisibleTo(dialog) and dialog.view.table.isVisibleTo(dialog)
    assert (dialog.keep_button, dialog.reload_button) == (
        dialog.view.keep_button,
        dialog.view.theirs_button,
    )
    assert dialog.view.model.row_at(0) == ConflictRow("Family name", "Theirs", "Mine", True, True)
    ctx.runner.wait_all()


# --- the criteria helper --------------------------------------------------------------------------


def test_criteria_helper_suggests_and_compares_the_chosen_level(qtbot: QtBot) -> None:
    helper = CriteriaHelper("Criteria")
    qtbot.addWidget(helper)
    helper.set_rosh(RoshLevel.VERY_HIGH)
    assert helper.criteria["high_rosh"].isChecked()
    assert "overall RoSH Very High (ticked from it" in helper.rosh_note.text()
    helper.refresh(1, untouched=True)
    assert helper.choice_note.text().startswith("Tick the criteria")
    assert not helper.use_button.isEnabled()  # Level 1 is what High RoSH alone suggests
    helper.criteria["adds_value"].setChecked(True)
    helper.refresh(1)
    assert helper.suggested() is Level.LEVEL_2
    assert helper.suggestion.text() == "Suggested: Level 2"
    assert "the criteria suggest Level 2" in helper.choice_note.text()
    assert helper.use_button.isEnabled()
    helper.refresh(1, writable=False)
    assert not helper.use_button.isEnabled()  # a read-only person cannot change the level
    helper.set_values({"senior": True})
    assert helper.values() == {
        "adds_value": False,
        "high_rosh": False,
        "coordination": False,
        "senior": True,
    }
    helper.set_rosh(None)
    assert not helper.criteria["high_rosh"].isChecked()
    assert "No risk assessment is recorded" in helper.rosh_note.text()


def test_meeting_level_decision_uses_the_shared_criteria_helper(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    _view, page = open_meeting(qtbot, sqlite_db, tmp_path)
    assert isinstance(page.decisions.helper, CriteriaHelper)
    assert page.decisions.helper.suggestion.text().startswith("Suggested: Level")


def test_record_registration_uses_the_shared_criteria_helper(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    actor = make_user(sqlite_db, "admin", [Role.ADMINISTRATOR, Role.COORDINATOR])
    case = register(sqlite_db, actor, level=1)
    ctx = record_context(sqlite_db, actor)
    record = open_record(qtbot, ctx, case.id)
    tab = record.registration
    assert isinstance(tab.helper, CriteriaHelper)
    assert tab.criteria is tab.helper.criteria
    assert (tab.suggestion_label, tab.use_suggestion_button) == (
        tab.helper.suggestion,
        tab.helper.use_button,
    )
    assert "No risk assessment is recorded" in tab.helper.rosh_note.text()
    ctx.runner.wait_all()


# --- dates ----------------------------------------------------------------------------------------


def test_one_date_format_for_both_screens() -> None:
    from ui.views.meeting import common as meeting_common
    from ui.views.record import common as record_common

    assert record_common.fmt_date is dates.fmt_date is meeting_common.fmt_date
    assert (meeting_common.fmt_when, meeting_common.fmt_time) == (dates.fmt_when, dates.fmt_time)
    assert dates.fmt_date(date(2025, 3, 4)) == "2025-03-04"
    assert dates.fmt_date(None) == dates.fmt_when(None) == dates.fmt_time(None) == ""
    assert dates.fmt_time(time(9, 5)) == "09:05"
    naive = datetime(2025, 3, 4, 14, 5, 59)
    assert dates.fmt_date(naive) == dates.fmt_when(naive) == "2025-03-04 14:05"
    aware = datetime(2025, 3, 4, 14, 5, tzinfo=UTC)
    assert dates.fmt_when(aware) == aware.astimezone().strftime("%Y-%m-%d %H:%M")


# --- the field error ------------------------------------------------------------------------------


def test_field_error_shows_the_sentence_with_a_drawn_sign_and_hides_when_blank(
    qtbot: QtBot,
) -> None:
    error = FieldError("Date of birth")
    qtbot.addWidget(error)
    assert error.isHidden() and error.message == ""
    assert error.accessibleName() == "Problem with date of birth"
    error.set_message("Date of birth: after today.")
    assert not error.isHidden()
    assert error.text() == error.message == "Date of birth: after today."  # the sign is not text
    assert error.accessibleDescription() == "Date of birth: after today."
    error.resize(error.sizeHint())
    margin = error.contentsMargins().left()
    assert margin >= error.fontMetrics().horizontalAdvance(SIGN)
    image = error.grab().toImage()
    background = image.pixelColor(image.width() - 1, image.height() - 1)
    inked = [
        (x, y)
        for x in range(min(margin, image.width()))
        for y in range(image.height())
        if image.pixelColor(x, y) != background
    ]
    assert inked  # the ⚠ is drawn in the margin
    error.set_message("")
    assert error.isHidden() and error.text() == "" and error.accessibleDescription() == ""


def test_both_screens_use_the_one_field_error(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    from ui.views.meeting import common as meeting_common
    from ui.views.record import common as record_common

    assert record_common.FieldError is FieldError
    assert not hasattr(meeting_common, "error_label")  # the meeting's own kind is gone
    view, page = open_meeting(qtbot, sqlite_db, tmp_path)
    meeting_errors = [
        view.status_error,
        view.attendance_page.form_error,
        page.decisions.error,
        page.decisions.dissent_error,
        page.plan.error,
        page.new_actions.error,
        page.room.error,
    ]
    assert all(isinstance(e, FieldError) for e in meeting_errors)
    assert all(e.isHidden() for e in meeting_errors)
    page.decisions.remove_button.setEnabled(True)  # nothing selected: the error says so
    page.decisions.remove_button.click()
    assert page.decisions.error.isVisible()
    assert page.decisions.error.message == "Select a recorded decision first."


def test_record_save_bar_and_fields_use_the_one_field_error(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    actor = make_user(sqlite_db, "admin", [Role.ADMINISTRATOR, Role.COORDINATOR])
    case = register(sqlite_db, actor)
    ctx = record_context(sqlite_db, actor)
    record = open_record(qtbot, ctx, case.id)
    assert isinstance(record.details.save_bar.error_label, FieldError)
    assert isinstance(record.details.errors.error_for("family_name"), FieldError)
    assert isinstance(record.details.view.date_fields["date_of_birth"], DateField)
    ctx.runner.wait_all()


# --- the words for stored values ------------------------------------------------------------------


def test_meeting_screen_says_stored_values_as_the_reports_print_them() -> None:
    from ui.views.meeting import common
    from ui.views.meeting.agenda import REASON_TEXT
    from ui.views.meeting.sections.risk import TREND_LABELS

    shown = {
        **common.ATTENDANCE_LABELS,
        **common.REASON_LABELS,
        **common.DECISION_LABELS,
        **common.PILLAR_LABELS,
        **common.STATUS_TEXT,
        **REASON_TEXT,
        **TREND_LABELS,
    }
    every = [*AttendanceStatus, *NotDoneReason, *DecisionKind, *RmpPillar, *MeetingStatus]
    every += [*AgendaReason, *RiskTrend]
    assert set(shown) == set(every)
    assert all(shown[v] == labels.label(v) for v in every)
    # choices worded for choosing, and only these
    choices = {**common.ATTENDANCE_CHOICES, **common.OUTCOME_CHOICES}
    differ = {v: text for v, text in choices.items() if text != labels.label(v)}
    assert differ == {
        AttendanceStatus.DEPUTY: "Deputy for someone",
        ActionStatus.OPEN: "Still open (not yet due)",
    }
    assert list(common.OUTCOME_CHOICES)[-1] is ActionStatus.OPEN  # offered last, as before


# --- the date field -------------------------------------------------------------------------------


def test_date_field_takes_either_order_and_names_what_is_not_a_date(qtbot: QtBot) -> None:
    field = DateField("Date of assessment")
    qtbot.addWidget(field)
    for typed in ("2025-03-04", "4/3/2025", "04.03.2025"):
        field.setText(typed)
        assert field.is_valid() and field.date_value() == date(2025, 3, 4), typed
    field.set_date(None)
    assert field.text() == "" and field.is_valid() and field.date_value() is None
    field.setText("31/02/2025")
    assert not field.is_valid() and field.date_value() is None
    assert field.problem("date of assessment") == (
        "“31/02/2025” is not a date: type the date of assessment as YYYY-MM-DD or DD/MM/YYYY."
    )
    field.set_date(date(2024, 12, 1))
    assert field.text() == "2024-12-01" and field.problem("date") is None


def test_date_field_keeps_a_set_date_in_range_and_names_a_typed_one_outside(
    qtbot: QtBot,
) -> None:
    field = DateField("Date of assessment")
    qtbot.addWidget(field)
    edits: list[None] = []
    field.changed.connect(lambda: edits.append(None))
    field.set_range(minimum=date(2025, 1, 1), maximum=date(2025, 6, 30))
    field.set_date(date(2026, 1, 1))  # set by the program: moved inside, as a spin box would
    assert field.date() == date(2025, 6, 30) and field.iso() == "2025-06-30"
    field.setText("2024-12-31")  # typed: kept as typed, no date, and the limit named
    assert field.date() is None and field.date_value() == date(2024, 12, 31)
    assert field.problem() == "The date of assessment cannot be before 2025-01-01."
    field.setText("1/7/2025")
    assert field.problem() == "The date of assessment cannot be after 2025-06-30."
    field.setText("")
    assert field.problem() is None and field.iso() is None
    assert field.problem(required=True) == (
        "Type the date of assessment (YYYY-MM-DD or DD/MM/YYYY)."
    )
    assert len(edits) == 4  # every edit, typed or set, says so (autosave listens)


def test_both_screens_use_the_one_date_field(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QDateEdit

    from ui.views.meeting import common as meeting_common
    from ui.views.record import common as record_common

    assert record_common.DateField is DateField
    assert not hasattr(meeting_common, "to_qdate") and not hasattr(meeting_common, "from_qdate")
    view, page = open_meeting(qtbot, sqlite_db, tmp_path)
    information = next(iter(page.information.info_fields.values()))
    meeting_dates = [
        information.as_at,
        page.new_actions.due,
        page.decisions.review_date,
        page.decisions.disclosure_date,
        page.risk.form.assessed_on,
        *(row.due for row in page.previous.review_rows.values()),
    ]
    assert all(isinstance(d, DateField) for d in meeting_dates)
    assert view.findChildren(QDateEdit) == []
    # a due date that is not one is named under the form, and no action is written
    actions = page.new_actions
    actions.text.setText("Check the new address")
    actions.due.setText("32/01/2027")
    actions.add_button.click()
    assert actions.error.message == (
        "“32/01/2027” is not a date: type the due date as YYYY-MM-DD or DD/MM/YYYY."
    )
    with sqlite_db.sessions() as s:  # the meeting's tasks run at once here (SyncPool)
        assert "Check the new address" not in s.scalars(select(Action.text)).all()


# --- the risk-assessment editor -------------------------------------------------------------------


def test_both_screens_use_the_one_risk_editor(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    from ui.forms.risk_editor import TOOL_CHOICES, RiskEditor

    actor = make_user(sqlite_db, "admin", [Role.ADMINISTRATOR, Role.COORDINATOR])
    ctx = record_context(sqlite_db, actor)
    record = open_record(qtbot, ctx, register(sqlite_db, actor).id)
    ctx.runner.wait_all()
    view = record.risk.form.view
    assert isinstance(view.editor, RiskEditor)
    # the record's names are the editor's fields
    assert view.date_edit is view.editor.assessed_on and isinstance(view.date_edit, DateField)
    assert view.rating_combos is view.editor.ratings and view.narratives is view.editor.narratives
    _view, page = open_meeting(qtbot, sqlite_db, tmp_path)
    form = page.risk.form
    assert isinstance(form.editor, RiskEditor)
    assert form.assessed_on is form.editor.assessed_on and form.ratings is form.editor.ratings
    assert form.narratives is form.editor.narratives
    # one grid: the same combos, by setting and group, on both screens
    names = {k: c.accessibleName() for k, c in view.rating_combos.items()}
    assert names == {k: c.accessibleName() for k, c in form.ratings.items()}
    assert len(names) == 9  # community rates four groups, custody five
    # one tool list: the reports' words, fuller only where the list spells an abbreviation out
    for editor in (view.editor, form.editor):
        shown = {
            editor.tool.itemData(i): editor.tool.itemText(i) for i in range(editor.tool.count())
        }
        assert shown == {tool.value: text for tool, text in TOOL_CHOICES.items()}
    assert {t: text for t, text in TOOL_CHOICES.items() if text != labels.label(t)} == {
        AssessmentTool.RM2000: "Risk Matrix 2000 (RM2000)",
        AssessmentTool.OSP: "OASys Sexual reoffending Predictor (OSP)",
    }
