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
