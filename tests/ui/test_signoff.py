"""The sign-off window and the distribution dialog, on a real SQLite file with the real
services; tasks run synchronously (SyncPool), so signals arrive before ``click`` returns."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from pytestqt.qtbot import QtBot

from mappa_desktop.domain.enums import DecisionKind, MeetingStatus, Role
from mappa_desktop.services import discussions, issued, meetings, minutes
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.minutes_content import canonical_json, content_hash
from reports import signing
from reports.stamp import read_stamp
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_meetings import Ready, ready_meeting
from tests.ui.meeting_helpers import confirm_step
from ui import messages
from ui.bus import ChangeBus
from ui.context import AppContext
from ui.tasks import SyncPool, TaskRunner
from ui.views.signoff import DistributionDialog, SignOffWindow, open_distribution, open_sign_off
from ui.views.signoff.data import DistributionResult

pytestmark = pytest.mark.gui

PASSWORD = "correct horse battery"
SHOTS = os.environ.get("MAPPA_SCREENSHOTS")  # a folder: save grabs there to look at them


def context(db: Database, actor: Actor) -> AppContext:
    return AppContext(
        url=db.url, engine=db.engine, actor=actor, runner=TaskRunner(SyncPool()), bus=ChangeBus()
    )


@pytest.fixture
def chair(sqlite_db: Database) -> Actor:
    return make_user(
        sqlite_db,
        "admin",
        [Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR, Role.MINUTE_TAKER],
        family_name="Παπαδόπουλος",
    )


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    shown: list[str] = []

    def fake(_parent: Any, _title: str, exc: BaseException | str) -> None:
        shown.append(exc if isinstance(exc, str) else messages.describe(exc))

    monkeypatch.setattr(messages, "show_error", fake)
    yield shown


def open_window(qtbot: QtBot, ctx: AppContext, meeting_id: int) -> SignOffWindow:
    window = SignOffWindow(ctx, meeting_id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.data is not None, timeout=10_000)
    qtbot.waitUntil(lambda: window.preview.ready, timeout=10_000)
    return window


def shot(qtbot: QtBot, widget: Any, name: str) -> None:
    """Save a grab to look at (only with MAPPA_SCREENSHOTS set; QPdfView paints later)."""
    if SHOTS:
        qtbot.wait(1_000)
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


def sign_via_services(db: Database, chair: Actor, ready: Ready) -> None:
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, chair, ready.meeting_id)
        minutes.sign_off(s, chair, ready.meeting_id)


# --- sign-off -----------------------------------------------------------------------------------


def test_only_the_chair_can_sign_off_and_others_see_why(
    qtbot: QtBot, sqlite_db: Database, chair: Actor
) -> None:
    ready = ready_meeting(sqlite_db, chair)
    other = make_user(sqlite_db, "deputy", [Role.CHAIR], family_name="Nguyễn")
    window = open_window(qtbot, context(sqlite_db, other), ready.meeting_id)
    assert not window.sign_button.isEnabled()
    reason = window.why.text()
    assert "Only the meeting's chair, Test Παπαδόπουλος, can sign off" in reason
    assert "you are signed in as Test Nguyễn" in reason
    qtbot.mouseClick(window.sign_button, Qt.MouseButton.LeftButton)
    with sqlite_db.sessions() as s:
        assert meetings.get_meeting_row(s, ready.meeting_id).status is MeetingStatus.DRAFT

    own = open_window(qtbot, context(sqlite_db, chair), ready.meeting_id)
    assert own.sign_button.isEnabled(), own.why.text()
    assert own.why.text() == ""


def test_preview_shows_exactly_the_content_that_will_be_signed(
    qtbot: QtBot, sqlite_db: Database, chair: Actor
) -> None:
    ready = ready_meeting(sqlite_db, chair)
    window = open_window(qtbot, context(sqlite_db, chair), ready.meeting_id)
    assert window.preview.document.status() == QPdfDocument.Status.Ready
    assert window.preview.document.pageCount() >= 2
    stamp = read_stamp(window.preview.pdf)
    assert stamp is not None and stamp.status == "signed"  # as issued, not a DRAFT
    with sqlite_db.sessions() as s:
        expected = content_hash(canonical_json(minutes.build_content(s, ready.meeting_id)))
    assert stamp.content_sha256 == expected
    assert "Exactly what will be issued" in window.preview.caption.text()
    assert [window.checklist.item(i).text() for i in range(window.checklist.count())] == [
        "Nothing outstanding: ready to sign off."
    ]
    shot(qtbot, window, "signoff-before")


def test_checklist_problems_block_sign_off(qtbot: QtBot, sqlite_db: Database, chair: Actor) -> None:
    ready = ready_meeting(sqlite_db, chair)
    with sqlite_db.sessions.begin() as s:
        item = meetings.get_meeting(s, ready.meeting_id).agenda[0]
        for d in item.decisions:
            discussions.remove_decision(s, chair, d.id, expected_version=d.version)
    window = open_window(qtbot, context(sqlite_db, chair), ready.meeting_id)
    assert window.checklist.count() >= 1
    assert "Nothing outstanding" not in window.checklist.item(0).text()
    assert not window.sign_button.isEnabled()
    assert "Resolve the checklist first" in window.why.text()


def test_sign_off_changes_the_status_in_the_database(
    qtbot: QtBot, sqlite_db: Database, chair: Actor
) -> None:
    ready = ready_meeting(sqlite_db, chair)
    ctx = context(sqlite_db, chair)
    window = open_window(qtbot, ctx, ready.meeting_id)
    with qtbot.waitSignal(ctx.bus.meetings_changed, timeout=10_000) as changed:
        qtbot.mouseClick(window.sign_button, Qt.MouseButton.LeftButton)
        confirm_step(window)  # “Sign off” asks first
    assert changed.args == [{ready.meeting_id}]
    with sqlite_db.sessions() as s:
        assert meetings.get_meeting_row(s, ready.meeting_id).status is MeetingStatus.SIGNED_OFF
        record = minutes.get_minutes(s, ready.meeting_id)
    assert record is not None and not record.has_signature
    qtbot.waitUntil(lambda: window.data is not None and window.data.signed)
    assert window.sign_button.isHidden()
    assert "Content SHA-256: " + record.content_sha256[:16] in window.why.text()
    assert record.content_sha256[-16:] in window.why.text()
    assert not window.addendum_box.isHidden()
    assert not window.distribute_button.isHidden()
    shot(qtbot, window, "signoff-after")


def test_sign_off_with_a_certificate_stores_the_signed_preview(
    qtbot: QtBot, sqlite_db: Database, chair: Actor, tmp_path: Path
) -> None:
    ready = ready_meeting(sqlite_db, chair)
    cert = tmp_path / "chair.p12"
    cert.write_bytes(
        signing.make_self_signed_certificate("Γιώργος Chair", "Police", password=PASSWORD)
    )
    window = open_window(qtbot, context(sqlite_db, chair), ready.meeting_id)
    window.certificate.enabled.setChecked(True)
    assert not window.sign_button.isEnabled()
    assert "Choose the certificate file" in window.why.text()
    window.certificate.path.setText(str(cert))
    assert "password" in window.why.text()
    window.certificate.password.setText(PASSWORD)
    assert window.certificate.password.echoMode() == window.certificate.password.EchoMode.Password
    assert window.sign_button.isEnabled()
    qtbot.mouseClick(window.sign_button, Qt.MouseButton.LeftButton)
    confirm_step(window)  # “Sign off” asks first
    with sqlite_db.sessions() as s:
        stored = issued.minutes_signature(s, ready.meeting_id)
        record = minutes.get_minutes(s, ready.meeting_id)
    assert stored is not None and record is not None and record.has_signature
    root = pkcs12.load_pkcs12(cert.read_bytes(), PASSWORD.encode()).cert
    assert root is not None
    check = signing.validate_pdf_signature(stored, [root.certificate.public_bytes(Encoding.DER)])
    assert check.ok and check.trusted and check.signer == "Γιώργος Chair"
    stamp = read_stamp(stored)
    assert stamp is not None and stamp.content_sha256 == record.content_sha256
    assert window.certificate.password.text() == ""  # not kept after use


def test_sign_off_is_refused_when_the_minutes_changed_after_the_preview(
    qtbot: QtBot, sqlite_db: Database, chair: Actor, errors: list[str]
) -> None:
    ready = ready_meeting(sqlite_db, chair)
    window = open_window(qtbot, context(sqlite_db, chair), ready.meeting_id)
    with sqlite_db.sessions.begin() as s:
        discussions.record_decision(
            s,
            chair,
            ready.discussion_ids[0],
            kind=DecisionKind.OTHER,
            outcome="Refer to housing panel",
            rationale="Added after the preview.",
        )
    qtbot.mouseClick(window.sign_button, Qt.MouseButton.LeftButton)
    confirm_step(window)  # “Sign off” asks first
    assert len(errors) == 1 and "changed after this preview" in errors[0]
    with sqlite_db.sessions() as s:
        assert minutes.get_minutes(s, ready.meeting_id) is None


def test_wrong_certificate_password_is_explained_and_nothing_is_signed(
    qtbot: QtBot, sqlite_db: Database, chair: Actor, tmp_path: Path, errors: list[str]
) -> None:
    ready = ready_meeting(sqlite_db, chair)
    cert = tmp_path / "chair.p12"
    cert.write_bytes(signing.make_self_signed_certificate("Chair", "", password=PASSWORD))
    window = open_window(qtbot, context(sqlite_db, chair), ready.meeting_id)
    window.certificate.enabled.setChecked(True)
    window.certificate.path.setText(str(cert))
    window.certificate.password.setText("not the password")
    qtbot.mouseClick(window.sign_button, Qt.MouseButton.LeftButton)
    confirm_step(window)  # “Sign off” asks first
    assert len(errors) == 1 and "password is wrong" in errors[0]
    with sqlite_db.sessions() as s:
        assert minutes.get_minutes(s, ready.meeting_id) is None


def test_chair_adds_an_addendum_after_sign_off(
    qtbot: QtBot, sqlite_db: Database, chair: Actor
) -> None:
    ready = ready_meeting(sqlite_db, chair)
    sign_via_services(sqlite_db, chair, ready)
    window = open_window(qtbot, context(sqlite_db, chair), ready.meeting_id)
    assert not window.addendum_button.isEnabled()
    window.addendum_reason.setText("Wrong date of the home visit")
    window.addendum_text.setPlainText("The home visit was on Tuesday, not Monday.")
    assert window.addendum_button.isEnabled()
    qtbot.mouseClick(window.addendum_button, Qt.MouseButton.LeftButton)
    with sqlite_db.sessions() as s:
        record = minutes.get_minutes(s, ready.meeting_id)
    assert record is not None and record.addenda == 1
    qtbot.waitUntil(lambda: window.data is not None and window.data.addenda == 1)
    assert "with 1 addenda" in window.why.text()
    assert window.addendum_reason.text() == ""

    other = make_user(sqlite_db, "reader", [Role.READER], family_name="Reader")
    theirs = open_window(qtbot, context(sqlite_db, other), ready.meeting_id)
    assert not theirs.addendum_box.isEnabled()
    assert "Only the meeting's chair" in theirs.addendum_why.text()


def test_open_sign_off_shows_a_window(qtbot: QtBot, sqlite_db: Database, chair: Actor) -> None:
    ready = ready_meeting(sqlite_db, chair)
    window = open_sign_off(context(sqlite_db, chair), ready.meeting_id, None)
    qtbot.addWidget(window)
    assert isinstance(window, SignOffWindow) and window.isVisible()
    qtbot.waitUntil(lambda: window.preview.ready, timeout=10_000)


# --- distribution -------------------------------------------------------------------------------


def open_dialog(qtbot: QtBot, ctx: AppContext, meeting_id: int, folder: Path) -> DistributionDialog:
    dialog = DistributionDialog(ctx, meeting_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=10_000)
    dialog.folder.setText(str(folder))
    return dialog


def test_distribution_makes_one_logged_file_per_copy_with_progress(
    qtbot: QtBot, sqlite_db: Database, chair: Actor, tmp_path: Path
) -> None:
    """Each person on the list gets each record they need as a file of its own: on disk, in the
    distribution log and in the issued-file log with the file's hash, stamped with its copy
    number, recipient and case; the progress bar counts copies, not people."""
    ready = ready_meeting(sqlite_db, chair)
    sign_via_services(sqlite_db, chair, ready)
    ctx = context(sqlite_db, chair)
    dialog = open_dialog(qtbot, ctx, ready.meeting_id, tmp_path)
    # The chair and the three core agencies present: each needs to know both cases.
    names = {
        "Test Παπαδόπουλος (Police)",
        "Pat Officer Police (Police)",
        "Pat Officer Probation (Probation)",
        "Pat Officer Prison (Prison)",
    }
    assert {r.name for r in dialog.chosen()} == names
    expected = {(name, case_id) for name in names for case_id in ready.case_ids}
    total = len(expected)
    assert dialog.generate.isEnabled(), dialog.why.text()
    shot(qtbot, dialog, "distribution-before")
    seen: list[tuple[int, int]] = []
    dialog.progress.valueChanged.connect(lambda v: seen.append((v, dialog.progress.maximum())))
    with (
        qtbot.waitSignal(ctx.bus.meetings_changed, timeout=60_000),
        qtbot.waitSignal(dialog.finished_copies, timeout=60_000) as done,
    ):
        qtbot.mouseClick(dialog.generate, Qt.MouseButton.LeftButton)
    result = done.args[0]
    assert isinstance(result, DistributionResult)
    assert (result.error, result.cancelled, len(result.written)) == ("", False, total)
    assert seen[-1] == (total, total) and (1, total) in seen
    assert [v for v, _ in seen] == sorted(v for v, _ in seen)
    assert sorted(tmp_path.glob("*.pdf")) == sorted(c.path for c in result.written)
    with sqlite_db.sessions() as s:
        log = minutes.list_distributions(s, ready.meeting_id)
        files = issued.list_issued_files(s, ready.meeting_id)
        status = meetings.get_meeting_row(s, ready.meeting_id).status
    assert [d.copy_number for d in log] == list(range(1, total + 1))
    assert {(d.recipient_name, d.case_id) for d in log} == expected
    assert all(d.recipient_person_id is not None and d.reason == "" for d in log)
    assert sorted((f.distribution_id, f.file_sha256) for f in files) == sorted(
        (c.distribution_id, issued.file_hash(c.path.read_bytes())) for c in result.written
    )
    for copy in result.written:
        stamp = read_stamp(copy.path.read_bytes())
        assert stamp is not None
        assert (stamp.copy_number, stamp.recipient, stamp.case_id) == (
            copy.copy_number,
            copy.recipient,
            copy.case_id,
        )
        assert f"case {copy.case_id} - copy {copy.copy_number:02d}" in copy.path.name
    assert status is MeetingStatus.DISTRIBUTED
    assert f"Made {total} of {total} copies" in dialog.status.text()
    assert dialog.chosen() == []  # nobody is ticked for a second copy
    assert not dialog.generate.isEnabled()
    shot(qtbot, dialog, "distribution-after")


def test_distribution_cancel_stops_between_copies_and_keeps_what_was_written(
    qtbot: QtBot, sqlite_db: Database, chair: Actor, tmp_path: Path
) -> None:
    """Cancel stops after the copy being made: that copy stays, on disk and logged; the dialog
    is usable again at once and makes only the copies still to make."""
    ready = ready_meeting(sqlite_db, chair)
    sign_via_services(sqlite_db, chair, ready)
    dialog = open_dialog(qtbot, context(sqlite_db, chair), ready.meeting_id, tmp_path)
    total = len(dialog.planned())
    assert total == 4 * len(ready.case_ids)  # the chair and three core agencies, every case

    def cancel_after_first(value: int) -> None:
        if value == 1:
            assert dialog.cancel.isEnabled() and not dialog.close_button.isEnabled()
            qtbot.mouseClick(dialog.cancel, Qt.MouseButton.LeftButton)

    dialog.progress.valueChanged.connect(cancel_after_first)
    with qtbot.waitSignal(dialog.finished_copies, timeout=60_000) as done:
        qtbot.mouseClick(dialog.generate, Qt.MouseButton.LeftButton)
    dialog.progress.valueChanged.disconnect(cancel_after_first)
    result = done.args[0]
    assert (result.cancelled, result.error, len(result.written)) == (True, "", 1)
    [first] = result.written
    assert list(tmp_path.glob("*.pdf")) == [first.path]
    with sqlite_db.sessions() as s:
        log = minutes.list_distributions(s, ready.meeting_id)
        files = issued.list_issued_files(s, ready.meeting_id)
    assert [(d.id, d.copy_number) for d in log] == [(first.distribution_id, 1)]
    assert [(f.distribution_id, f.file_sha256) for f in files] == [
        (first.distribution_id, issued.file_hash(first.path.read_bytes()))
    ]
    assert f"Cancelled: 1 of {total} copies" in dialog.status.text()
    assert not dialog.cancel.isEnabled() and dialog.generate.isEnabled()
    assert dialog.close_button.isEnabled()
    assert len(dialog.planned()) == total - 1
    assert len(dialog.chosen()) == 4  # whoever got one record still has one to receive
    texts = [dialog.recipients.item(r).text() for r in range(dialog.recipients.count())]
    [holder] = [t for t in texts if t.endswith("issued)")]
    assert holder.startswith(f"{first.recipient}: 2 records") and holder.endswith("(1 of 2 issued)")

    with qtbot.waitSignal(dialog.finished_copies, timeout=60_000) as rest:
        qtbot.mouseClick(dialog.generate, Qt.MouseButton.LeftButton)
    assert len(rest.args[0].written) == total - 1
    assert len(list(tmp_path.glob("*.pdf"))) == total
    with sqlite_db.sessions() as s:
        pairs = [
            (d.recipient_person_id, d.case_id)
            for d in minutes.list_distributions(s, ready.meeting_id)
        ]
    assert len(pairs) == len(set(pairs)) == total


def test_distribution_is_blocked_until_signed_off_and_with_nobody_ticked(
    qtbot: QtBot, sqlite_db: Database, chair: Actor, tmp_path: Path
) -> None:
    ready = ready_meeting(sqlite_db, chair)
    dialog = open_dialog(qtbot, context(sqlite_db, chair), ready.meeting_id, tmp_path)
    assert not dialog.generate.isEnabled()
    assert "not signed off yet" in dialog.why.text()
    sign_via_services(sqlite_db, chair, ready)
    dialog.reload()
    qtbot.waitUntil(lambda: dialog.data is not None and dialog.data.signed)
    assert dialog.generate.isEnabled()
    for row in range(dialog.recipients.count()):
        dialog.recipients.item(row).setCheckState(Qt.CheckState.Unchecked)
    assert not dialog.generate.isEnabled()
    assert dialog.why.text() == "Tick at least one recipient."


def test_open_distribution_opens_the_dialog(
    qtbot: QtBot, sqlite_db: Database, chair: Actor
) -> None:
    ready = ready_meeting(sqlite_db, chair)
    dialog = open_distribution(context(sqlite_db, chair), ready.meeting_id, None)
    qtbot.addWidget(dialog)
    assert isinstance(dialog, DistributionDialog) and dialog.isVisible()
