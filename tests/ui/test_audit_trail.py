"""A meeting's audit trail in its own window, and its CSV export for an inspection."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from mappa_desktop.domain.enums import Role
from mappa_desktop.services.actor import Actor
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_meetings import ready_meeting
from ui.bus import ChangeBus
from ui.context import AppContext
from ui.dialogs.audit_trail import AuditTrailWindow
from ui.tasks import SyncPool, TaskRunner

pytestmark = pytest.mark.gui


def test_meeting_audit_trail_lists_changes_and_exports_csv(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    admin: Actor = make_user(
        sqlite_db, "admin", [Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR, Role.MINUTE_TAKER]
    )
    ready = ready_meeting(sqlite_db, admin)
    ctx = AppContext(
        url=sqlite_db.url,
        engine=sqlite_db.engine,
        actor=admin,
        runner=TaskRunner(SyncPool()),
        bus=ChangeBus(),
        today=lambda: date(2026, 11, 24),
    )
    window = AuditTrailWindow(ctx, title="Meeting", meeting_id=ready.meeting_id)
    qtbot.addWidget(window)
    model = window.model
    assert model.rowCount() > 0
    actions = {model.row_at(r).action for r in range(model.rowCount())}
    assert {"create", "update"} & actions
    assert all(model.row_at(r).who == "admin" for r in range(model.rowCount()))
    assert window.export_button.isEnabled()
    out = tmp_path / "meeting-audit.csv"
    window.export_to(out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM so spreadsheets read the names right
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows) > 1 and "Exported" in window.summary.text()


def test_reader_sees_a_read_only_meeting_and_why(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    from tests.ui.meeting_helpers import FAST, context, journal_for
    from ui.views.meeting import MeetingView

    admin = make_user(
        sqlite_db, "admin", [Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR, Role.MINUTE_TAKER]
    )
    reader = make_user(sqlite_db, "reader", [Role.READER], family_name="Reader")
    ready = ready_meeting(sqlite_db, admin)
    view = MeetingView(
        context(sqlite_db, reader),
        ready.meeting_id,
        journal=journal_for(sqlite_db, tmp_path),
        **FAST,
    )
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.data is not None)
    assert view.hub.read_only
    assert "needs the minute-taker, chair" in view.status_error.text()
    assert not view.submit_button.isEnabled()
    assert view.audit_button.isEnabled()  # reading the audit trail is always allowed


def test_signed_off_meeting_is_frozen_but_keeps_minutes_distribution_and_audit(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    from mappa_desktop.services import meetings, minutes
    from tests.ui.meeting_helpers import FAST, context, journal_for
    from ui.views.meeting import MeetingView

    admin = make_user(
        sqlite_db, "admin", [Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR, Role.MINUTE_TAKER]
    )
    ready = ready_meeting(sqlite_db, admin)
    with sqlite_db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
        minutes.sign_off(s, admin, ready.meeting_id)
    view = MeetingView(
        context(sqlite_db, admin),
        ready.meeting_id,
        journal=journal_for(sqlite_db, tmp_path),
        **FAST,
    )
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.data is not None)
    assert view.hub.read_only and "signed off" in view.status_error.text()
    for button in (view.sign_off_button, view.distribute_button, view.audit_button):
        assert button.isEnabled(), button.text()
    assert not view.submit_button.isEnabled()
