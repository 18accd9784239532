"""The risk assessment form: the RoSH grid, completing and saving from the keyboard (including
narratives typed in non-Latin scripts), why Save is disabled, service errors next to the field,
"Start from latest" and the side-by-side comparison of two versions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QWidget
from pytestqt.qtbot import QtBot

from mappa_desktop.domain.enums import RiskGroup, RiskSetting, Role
from mappa_desktop.services import cases, people, risk
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.risk import AssessmentRow
from tests.conftest import Database, make_user
from ui.bus import ChangeBus
from ui.context import AppContext
from ui.tasks import SyncPool, TaskRunner
from ui.views.case_record import RISK, CaseRecord

pytestmark = pytest.mark.gui

COMMUNITY_NAMES = {
    "Community risk to children",
    "Community risk to the public",
    "Community risk to a known adult",
    "Community risk to staff",
}
CUSTODY_NAMES = {
    "Custody risk to children",
    "Custody risk to the public",
    "Custody risk to a known adult",
    "Custody risk to staff",
    "Custody risk to prisoners",
}


@pytest.fixture
def coordinator(sqlite_db: Database) -> Actor:
    return make_user(
        sqlite_db, "admin", [Role.ADMINISTRATOR, Role.COORDINATOR], family_name="Okafor"
    )


@pytest.fixture
def ctx(sqlite_db: Database, coordinator: Actor) -> Iterator[AppContext]:
    context = AppContext(
        url=sqlite_db.url,
        engine=sqlite_db.engine,
        actor=coordinator,
        runner=TaskRunner(SyncPool()),
        bus=ChangeBus(),
    )
    yield context
    context.runner.wait_all()


def register(database: Database, actor: Actor, **overrides: Any) -> int:
    with database.sessions.begin() as s:
        police = people.find_agency(s, "Police")
        assert police is not None
        values: dict[str, Any] = {
            "family_name": "Haddad",
            "given_names": "Omar",
            "date_of_birth": date(1985, 3, 9),
            "lead_agency_id": police.id,
            "category": 1,
            "level": 2,
        }
        values.update(overrides)
        return cases.register_case(s, actor, **values).id


def assess(database: Database, actor: Actor, case_id: int, **kw: Any) -> AssessmentRow:
    values: dict[str, Any] = {
        "assessed_on": date.today() - timedelta(days=60),
        "overall": "medium",
        "ratings": {
            ("community", g): "medium" for g in ("children", "public", "known_adult", "staff")
        },
        "who_at_risk": "Ex-partner",
    }
    values.update(kw)
    with database.sessions.begin() as s:
        return risk.record_assessment(s, actor, case_id, **values)


def versions(database: Database, case_id: int) -> list[AssessmentRow]:
    with database.sessions() as s:
        return risk.list_assessments(s, case_id)


def open_record(qtbot: QtBot, ctx: AppContext, case_id: int) -> CaseRecord:
    record = CaseRecord(ctx, case_id)
    qtbot.addWidget(record)
    record.resize(1280, 800)
    record.show()
    qtbot.waitExposed(record)
    qtbot.waitUntil(lambda: record.is_loaded)
    record.tabs.setCurrentIndex(RISK)
    return record


def type_text(widget: QWidget, text: str) -> None:
    """One key event per character: QTest.keyClicks aborts the process on non-ASCII text."""
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def pick(combo: QComboBox, steps: int) -> None:
    """Choose an item from the keyboard: focus the combo, press Down ``steps`` times."""
    combo.setFocus()
    for _ in range(steps):
        QTest.keyClick(combo, Qt.Key.Key_Down)


HIGH, VERY_HIGH, MEDIUM, LOW = 3, 4, 2, 1  # Down presses from "Not rated" / "Choose…"


def test_grid_has_four_community_and_five_custody_combos_with_accessible_names(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    record = open_record(qtbot, ctx, register(sqlite_db, coordinator))
    combos = record.risk.form.view.rating_combos
    community = {c.accessibleName() for (s, _g), c in combos.items() if s is RiskSetting.COMMUNITY}
    custody = {c.accessibleName() for (s, _g), c in combos.items() if s is RiskSetting.CUSTODY}
    assert community == COMMUNITY_NAMES
    assert custody == CUSTODY_NAMES
    for combo in combos.values():
        assert [combo.itemText(i) for i in range(combo.count())] == [
            "Not rated",
            "Low",
            "Medium",
            "High",
            "Very High",
        ]
    assert (RiskSetting.COMMUNITY, RiskGroup.PRISONERS) not in combos


def test_completing_assessment_from_keyboard_saves_new_version(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    case_id = register(sqlite_db, coordinator)
    record = open_record(qtbot, ctx, case_id)
    form = record.risk.form
    view = form.view
    assert not view.bar.save_button.isEnabled()
    pick(view.overall_combo, HIGH)
    for (setting, group), combo in view.rating_combos.items():
        if setting is RiskSetting.COMMUNITY:
            pick(combo, VERY_HIGH if group is RiskGroup.KNOWN_ADULT else MEDIUM)
    pick(view.assessor_combo, 1)  # the first practitioner
    view.score_edit.setFocus()
    type_text(view.score_edit, "OSP/C High")
    narratives = {
        "who_at_risk": "Дмитрий and his sister",
        "nature_of_risk": "Γιώργος reports threats of violence",
        "imminence": "Nguyễn: greatest on release",
        "increasing_factors": "محمد: alcohol, loss of accommodation",
        "protective_factors": "Stable work; Ø contact with victims",
    }
    for field, text in narratives.items():
        box = view.narratives[field]
        box.setFocus()
        type_text(box, text)
    assert record.has_unsaved_changes()
    assert view.bar.save_button.isEnabled(), view.bar.reason

    box = view.narratives["protective_factors"]
    QTest.keyClick(box, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    saved = versions(sqlite_db, case_id)
    assert len(saved) == 1
    row = saved[0]
    assert (row.version_no, row.overall.value, row.tool_score) == (1, "high", "OSP/C High")
    assert row.assessed_on == date.today()
    assert row.assessor_id is not None
    assert row.rating("community", "known_adult") == "very_high"
    assert row.rating("community", "children") == "medium"
    assert not row.has_custody_grid
    for field, text in narratives.items():
        assert getattr(row, field) == text
    assert "Saved as version 1" in view.bar.status_label.text()
    assert not record.has_unsaved_changes()
    assert record.risk.versions_model.rowCount() == 1
    assert view.overall_combo.currentData() is None  # the form is ready for the next one


def test_start_from_latest_then_save_makes_the_next_version_and_keeps_the_old(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    case_id = register(sqlite_db, coordinator)
    first = assess(sqlite_db, coordinator, case_id, tool_score="RSR 4%")
    record = open_record(qtbot, ctx, case_id)
    view = record.risk.form.view
    view.start_button.setFocus()
    QTest.keyClick(view.start_button, Qt.Key.Key_Space)
    assert view.overall_combo.currentData() == "medium"
    assert view.narratives["who_at_risk"].toPlainText() == "Ex-partner"
    assert view.date_edit.text() == date.today().isoformat()
    assert not record.has_unsaved_changes()  # prefilled, nothing typed yet
    pick(view.overall_combo, 1)  # Medium -> High
    QTest.keyClick(view.overall_combo, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved = versions(sqlite_db, case_id)
    assert [v.version_no for v in saved] == [2, 1]
    assert (saved[0].overall.value, saved[0].tool_score) == ("high", "RSR 4%")
    assert saved[1] == first  # the earlier version is untouched


def test_save_is_disabled_and_says_why(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    record = open_record(qtbot, ctx, register(sqlite_db, coordinator))
    view = record.risk.form.view
    bar = view.bar
    assert not bar.save_button.isEnabled()
    assert bar.reason == "Fill in the overall RoSH level to save."
    assert bar.reason_label.text().startswith("Fill in the overall RoSH level to save.")
    assert "Fill in the overall RoSH level to save." in bar.save_button.toolTip()
    pick(view.overall_combo, HIGH)
    assert bar.reason == (
        "Rate the community risk to children, the public, a known adult and staff to save."
    )
    for (setting, _group), combo in view.rating_combos.items():
        if setting is RiskSetting.COMMUNITY:
            pick(combo, LOW)
    assert bar.save_button.isEnabled()
    pick(view.rating_combos[(RiskSetting.CUSTODY, RiskGroup.PRISONERS)], HIGH)
    assert not bar.save_button.isEnabled()
    assert "or clear the custody column" in bar.reason
    view.date_edit.setFocus()
    QTest.keyClick(view.date_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(view.date_edit, "yesterday")
    QTest.keyClick(view.date_edit, Qt.Key.Key_Tab)
    assert bar.reason.startswith("Correct the date of the assessment")
    error = record.risk.form.errors.error_for("assessed_on")
    assert error is not None and not error.isHidden() and "is not a date" in error.text()


def test_custody_grid_is_required_while_in_custody(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    record = open_record(qtbot, ctx, register(sqlite_db, coordinator, custody_status="custody"))
    view = record.risk.form.view
    assert "required" in view.setting_titles[RiskSetting.CUSTODY].text()
    pick(view.overall_combo, HIGH)
    for (setting, _group), combo in view.rating_combos.items():
        if setting is RiskSetting.COMMUNITY:
            pick(combo, LOW)
    assert view.bar.reason == (
        "Rate the custody risk to children, the public, a known adult, staff and prisoners "
        "to save (the person is in custody)."
    )


def test_service_error_appears_next_to_the_field(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    case_id = register(sqlite_db, coordinator)
    record = open_record(qtbot, ctx, case_id)
    form = record.risk.form
    view = form.view
    pick(view.overall_combo, LOW)
    for (setting, _group), combo in view.rating_combos.items():
        if setting is RiskSetting.COMMUNITY:
            pick(combo, LOW)
    view.date_edit.setText("1970-01-01")  # before the date of birth: only the service knows
    form.save()
    error = form.errors.error_for("assessed_on")
    assert error is not None and not error.isHidden()
    assert "before the date of birth" in error.text()
    assert view.date_edit.hasFocus()
    assert versions(sqlite_db, case_id) == []
    assert record.has_unsaved_changes()


def test_two_versions_compare_side_by_side(
    qtbot: QtBot, sqlite_db: Database, coordinator: Actor, ctx: AppContext
) -> None:
    case_id = register(sqlite_db, coordinator)
    first = assess(sqlite_db, coordinator, case_id)
    assess(
        sqlite_db,
        coordinator,
        case_id,
        assessed_on=date.today() - timedelta(days=10),
        overall="high",
        ratings={
            ("community", "children"): "high",
            ("community", "public"): "medium",
            ("community", "known_adult"): "medium",
            ("community", "staff"): "medium",
        },
        who_at_risk="Ex-partner and her children",
    )
    third = assess(sqlite_db, coordinator, case_id, assessed_on=date.today(), overall="high")
    record = open_record(qtbot, ctx, case_id)
    tab = record.risk
    assert tab.versions_model.rowCount() == 3
    assert tab.older_combo.currentText().startswith("Version 2")  # newest against the one before
    assert tab.newer_combo.currentText().startswith("Version 3")
    tab.compare(third.id, first.id)  # either order: older always on the left
    rows = {r.field: (r.old, r.new) for r in tab.diff_rows}
    assert rows["Overall RoSH"] == ("Medium", "High")
    assert "Community risk to children" not in rows  # both medium
    assert tab.diff_model.headerData(1, Qt.Orientation.Horizontal) == "Version 1"
    assert tab.diff_model.headerData(2, Qt.Orientation.Horizontal) == "Version 3"
    tab.newer_combo.setFocus()
    QTest.keyClick(tab.newer_combo, Qt.Key.Key_Up)  # version 1 -> version 2 (newest first)
    rows = {r.field: (r.old, r.new) for r in tab.diff_rows}
    assert rows["Community risk to children"] == ("High", "Medium")
    assert rows["Who is at risk"] == ("Ex-partner and her children", "Ex-partner")
    assert "from version 2" in tab.diff_summary.text()
