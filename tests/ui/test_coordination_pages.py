"""The co-ordinator's pages over a real SQLite file: the start page's lines open the right place,
the Statistics page shows the service's numbers and exports, the screening dialog refuses bad
input naming the field and records good input, the case record's chronology withholds."""

from __future__ import annotations

import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from mappa_desktop.domain.coordination import ReferralStatus, ScreeningOutcome
from mappa_desktop.services import actions, referrals, statistics
from mappa_desktop.services.actor import Actor
from tests.conftest import Database
from tests.mappa_desktop.factories_cases import agency_id
from tests.reports.coordination_data import SECRET, YEAR, Coordination, build
from ui.bus import ChangeBus
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.tasks import SyncPool, TaskRunner
from ui.views.case_record import CHRONOLOGY, CaseRecord
from ui.views.referrals_page import ReferralsPage
from ui.views.statistics_page import StatisticsPage

pytestmark = pytest.mark.gui
TODAY = date(2030, 5, 20)  # two weeks before the planned meeting of the data


def context(db: Database, actor: Actor, today: date = TODAY) -> AppContext:
    return AppContext(
        url=db.url,
        engine=db.engine,
        actor=actor,
        runner=TaskRunner(SyncPool()),
        bus=ChangeBus(),
        today=lambda: today,
    )


@pytest.fixture
def data(sqlite_db: Database) -> Coordination:
    built = build(sqlite_db)
    with sqlite_db.sessions.begin() as s:
        actions.set_action(
            s,
            built.coordinator,
            built.case_ids[1],
            text="Check the address",
            owner_agency_id=agency_id(s, "Police"),
            due_date=TODAY - timedelta(days=3),
        )
    return built


def press_enter_on(qtbot: QtBot, table: QTableView, row: int) -> None:
    table.setFocus()
    table.selectRow(row)
    qtbot.keyClick(table, Qt.Key.Key_Return)


def test_start_page_lines_open_the_meeting_referral_case_and_actions(
    qtbot: QtBot, sqlite_db: Database, data: Coordination
) -> None:
    window = MainWindow(context(sqlite_db, data.coordinator))
    qtbot.addWidget(window)
    window.show()
    window.reload_all()
    page = window.start_page
    assert window.tabs.currentWidget() is page  # a co-ordinator starts on the day's work
    assert [m.meeting_id for m in page.meetings_model.rows()] == [data.meeting_id]
    assert [r.id for r in page.referrals_model.rows()] == [data.referral_id]
    assert page.actions_model.rows()[0].agency == "Police"

    press_enter_on(qtbot, page.meetings.table, 0)
    assert window.tabs.currentWidget() is window._meeting_views[data.meeting_id]

    window.show_page(page)
    press_enter_on(qtbot, page.referrals.table, 0)
    assert window.tabs.currentWidget() is window.referrals_page
    selected = window.referrals_page.selected()
    assert selected is not None and selected.id == data.referral_id

    window.show_page(page)
    due = page.reviews_model.rows()
    assert due, "registrations from 2023 are due for review by 2030"
    press_enter_on(qtbot, page.reviews.table, 0)
    record = window.tabs.currentWidget()
    assert isinstance(record, CaseRecord) and record.case_id == due[0].case_id

    window.show_page(page)
    press_enter_on(qtbot, page.overdue_actions.table, 0)
    assert window.tabs.currentWidget() is window.actions_page
    assert window.actions_page.agency_combo.currentData() == "Police"


def test_page_shortcuts_put_the_focus_inside_the_page(
    qtbot: QtBot, sqlite_db: Database, data: Coordination
) -> None:
    window = MainWindow(context(sqlite_db, data.coordinator))
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.reload_all()
    qtbot.keySequence(window, "Ctrl+4")
    assert window.tabs.currentWidget() is window.referrals_page
    assert window.referrals_page.table.hasFocus()
    qtbot.keySequence(window, "Ctrl+5")
    assert window.statistics_page.year_combo.hasFocus()
    qtbot.keySequence(window, "Ctrl+0")
    assert window.tabs.currentWidget() is window.start_page
    assert window.start_page.meetings.table.hasFocus()
    assert not window.start_page.meetings.table.tabKeyNavigation()  # Tab leaves the table
    qtbot.keySequence(window, "Ctrl+1")
    assert window.tabs.currentWidget() is window.case_list
    combo = window.case_list.level_combo
    combo.setCurrentIndex(1)  # "Level 2 or 3"
    shown = [window.case_list.model.row_at(i) for i in range(window.case_list.model.rowCount())]
    assert shown and all(r.level in (2, 3) for r in shown)
    assert len(shown) == 5  # six cases, one at Level 1


def test_statistics_page_shows_the_services_numbers_and_exports(
    qtbot: QtBot, sqlite_db: Database, data: Coordination, tmp_path: Path
) -> None:
    page = StatisticsPage(context(sqlite_db, data.coordinator, today=date(2025, 6, 1)))
    qtbot.addWidget(page)
    page.show()
    assert page.year == YEAR  # the last complete reporting year is chosen first
    page.suppress_check.setChecked(True)
    with sqlite_db.sessions() as s:
        expected = statistics.annual_statistics(s, YEAR, suppress=True)
    assert page.stats is not None
    for table in expected.tables:
        if not table.rows:
            continue
        model = page.models[table.key]
        shown = [
            [model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())
        ]
        assert shown == [[row.label, *(c.text for c in row.cells)] for row in table.rows]
    assert "*" in [page.models["returns_to_custody"].index(0, 1).data()]
    assert set(page.charts) == {"eligible_by_category", "level_by_category", "returns_to_custody"}
    target = tmp_path / "stats.xlsx"
    done: list[bool] = []
    page.export_to(target, done.append)
    assert done == [True] and not page.progress.isVisible()
    assert "xl/workbook.xml" in zipfile.ZipFile(target).namelist()
    assert all(b.isEnabled() for b in page.export_buttons.values())


def test_screening_dialog_names_the_bad_field_then_records_the_decision(
    qtbot: QtBot, sqlite_db: Database, data: Coordination
) -> None:
    page = ReferralsPage(context(sqlite_db, data.coordinator, today=date(2025, 2, 1)))
    qtbot.addWidget(page)
    page.show()
    page.reload()
    assert page.select_referral(data.referral_id)
    dialog = page.screen_selected()
    assert dialog is not None
    dialog.outcome_combo.setCurrentIndex(dialog.outcome_combo.findData(ScreeningOutcome.ACCEPT))
    dialog.level_combo.setCurrentIndex(dialog.level_combo.findData(3))
    dialog.ok_button.click()  # no reason given
    reason_error = dialog.errors.error_for("reason")
    assert reason_error is not None and reason_error.message
    assert dialog.isVisible()
    with sqlite_db.sessions() as s:
        assert (
            referrals.get_referral(s, data.referral_id).status is ReferralStatus.AWAITING_SCREENING
        )
    dialog.date_edit.setText("31/02/2025")
    dialog.reason_edit.setPlainText("Needs Level 3 resources.")
    dialog.ok_button.click()
    screened_error = dialog.errors.error_for("screened_on")
    assert screened_error is not None and "31/02/2025" in screened_error.message
    dialog.date_edit.setText("2025-01-20")
    with qtbot.waitSignal(dialog.saved):
        dialog.ok_button.click()
    assert not dialog.isVisible()
    with sqlite_db.sessions() as s:
        row = referrals.get_referral(s, data.referral_id)
    assert (row.status, row.accepted_level, row.screened_on) == (
        ReferralStatus.ACCEPTED,
        3,
        date(2025, 1, 20),
    )
    assert row.screening_reason == "Needs Level 3 resources."
    assert page.model.rows()[0].status is ReferralStatus.ACCEPTED  # the list reloaded


def test_case_record_chronology_withholds_for_a_reader_and_exports(
    qtbot: QtBot, sqlite_db: Database, data: Coordination, tmp_path: Path
) -> None:
    record = CaseRecord(context(sqlite_db, data.reader), data.restricted_case_id)
    qtbot.addWidget(record)
    record.show()
    qtbot.waitUntil(lambda: record.is_loaded)
    record.tabs.setCurrentIndex(CHRONOLOGY)
    tab = record.chronology_tab
    entries = tab.model.rows()
    assert [e.on for e in entries] == sorted(e.on for e in entries)
    withheld = [e for e in entries if e.withheld]
    assert len(withheld) == 1
    texts = [tab.model.index(r, 3).data() for r in range(tab.model.rowCount())]
    assert not any(SECRET in t for t in texts)
    assert record.events_tab.model.rowCount() == 1
    tab.kind_combo.setCurrentIndex(tab.kind_combo.findData("case_event"))
    assert [e.kind.value for e in tab.model.rows()] == ["case_event"]
    tab.from_edit.setText("not a date")
    tab.apply_button.click()
    assert "not a date" in tab.error.message
    tab.from_edit.setText("")
    tab.apply_button.click()
    target = tmp_path / "chronology.csv"
    done: list[bool] = []
    tab.export_to(target, done.append)
    assert done == [True]
    content = target.read_text(encoding="utf-8-sig")
    assert "case_event" in content and SECRET not in content


def test_statistics_are_computed_when_the_page_is_shown_not_before(
    qtbot: QtBot, sqlite_db: Database, data: Coordination
) -> None:
    page = StatisticsPage(context(sqlite_db, data.coordinator, today=date(2025, 6, 1)))
    qtbot.addWidget(page)
    page.reload()  # as the main window's reload_all does at start-up, the page hidden
    assert page.stats is None
    page.show()
    qtbot.waitUntil(lambda: page.stats is not None)
    assert page.stats is not None and page.stats.year.start_year == page.year
