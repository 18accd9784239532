"""The distribution dialog issues each offender's record on need to know: every recipient is
listed with the records the database says they need, the copies made are exactly those (read
back), someone outside the list is a known person and a record they have no need to know asks
for the chair's reason, which is logged. Real SQLite file, real services, tasks run
synchronously (SyncPool)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mappa_desktop.domain.enums import Role
from mappa_desktop.operations.verifying import SessionRecords
from mappa_desktop.services import minutes
from mappa_desktop.services.actor import Actor
from reports import verify
from reports.stamp import read_stamp
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_meetings import NAMES, person
from tests.mappa_desktop.test_need_to_know import Involved, involved_meeting
from tests.ui.test_keyboard import identity, interactive, mnemonics, name, tab_walk
from tests.ui.test_signoff import context
from ui.views.signoff import DistributionDialog
from ui.views.signoff.data import DistributionResult, Recipient

pytestmark = pytest.mark.gui

REASON = "Chair agreed on 3 March: the landlord manages the exclusion zone around the flat"


@pytest.fixture
def chair(sqlite_db: Database) -> Actor:
    return make_user(
        sqlite_db,
        "admin",
        [Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR, Role.MINUTE_TAKER],
        family_name="Παπαδόπουλος",
    )


@pytest.fixture
def involved(sqlite_db: Database, chair: Actor) -> Involved:
    return involved_meeting(sqlite_db, chair)


def open_dialog(
    qtbot: QtBot, db: Database, chair: Actor, meeting_id: int, folder: Path
) -> DistributionDialog:
    dialog = DistributionDialog(context(db, chair), meeting_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=10_000)
    dialog.folder.setText(str(folder))
    return dialog


def listed(dialog: DistributionDialog) -> dict[int, Recipient]:
    rows = (dialog.recipients.item(row) for row in range(dialog.recipients.count()))
    recipients = [item.data(Qt.ItemDataRole.UserRole) for item in rows]
    return {r.person_id: r for r in recipients}


def item_of(dialog: DistributionDialog, person_id: int) -> int:
    for row in range(dialog.recipients.count()):
        if dialog.recipients.item(row).data(Qt.ItemDataRole.UserRole).person_id == person_id:
            return row
    raise AssertionError(f"person {person_id} is not listed")


def test_each_recipient_is_listed_with_the_records_they_need(
    qtbot: QtBot, sqlite_db: Database, chair: Actor, involved: Involved, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, sqlite_db, chair, involved.meeting_id, tmp_path)
    expected = involved.expected()
    assert {p: r.case_ids for p, r in listed(dialog).items()} == expected
    ticked = {r.person_id for r in dialog.chosen()}
    assert ticked == {p for p, cases in expected.items() if cases}
    total = sum(len(cases) for cases in expected.values())
    assert (
        dialog.plan_text.text() == f"To make: {total} copies of 3 records for {len(ticked)} people."
    )
    assert dialog.generate.isEnabled(), dialog.why.text()
    cara = dialog.recipients.item(item_of(dialog, involved.people["Cara"]))
    assert "1 record (" in cara.text() and NAMES[0][1] in cara.text()
    assert NAMES[1][1] not in cara.text()
    assert "invited for the case" in cara.toolTip()
    ed = dialog.recipients.item(item_of(dialog, involved.people["Ed"]))
    assert "no record" in ed.text()
    assert not ed.flags() & Qt.ItemFlag.ItemIsUserCheckable


def test_making_copies_issues_exactly_the_plan_and_marks_each_issued(
    qtbot: QtBot, sqlite_db: Database, chair: Actor, involved: Involved, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, sqlite_db, chair, involved.meeting_id, tmp_path)
    expected = {p: cases for p, cases in involved.expected().items() if cases}
    total = sum(len(cases) for cases in expected.values())
    seen: list[tuple[int, int]] = []
    dialog.progress.valueChanged.connect(lambda v: seen.append((v, dialog.progress.maximum())))
    with qtbot.waitSignal(dialog.finished_copies, timeout=120_000) as done:
        qtbot.mouseClick(dialog.generate, Qt.MouseButton.LeftButton)
    result = done.args[0]
    assert isinstance(result, DistributionResult)
    assert (result.error, result.cancelled, len(result.written)) == ("", False, total)
    assert seen[-1] == (total, total) and (1, total) in seen
    with sqlite_db.sessions() as s:
        log = minutes.list_distributions(s, involved.meeting_id)
    received: dict[int | None, set[int | None]] = {}
    for d in log:
        received.setdefault(d.recipient_person_id, set()).add(d.case_id)
    assert received == {p: set(cases) for p, cases in expected.items()}
    for copy in result.written[:3]:
        stamp = read_stamp(copy.path.read_bytes())
        assert stamp is not None and stamp.case_id == copy.case_id
    assert f"Made {total} of {total} copies" in dialog.status.text()
    assert dialog.chosen() == []  # nobody is ticked for a second copy
    pol = dialog.recipients.item(item_of(dialog, involved.people["Pol"]))
    assert pol.text().endswith("(all 3 issued)")
    assert not dialog.generate.isEnabled()
    assert dialog.why.text() == "Tick at least one recipient."


def test_someone_outside_the_list_is_a_known_person_and_needs_the_chairs_reason(
    qtbot: QtBot, sqlite_db: Database, chair: Actor, involved: Involved, tmp_path: Path
) -> None:
    with sqlite_db.sessions.begin() as s:
        rita = person(s, "Landlord", "Rita", agency="RSL")
    dialog = open_dialog(qtbot, sqlite_db, chair, involved.meeting_id, tmp_path)
    for row in range(dialog.recipients.count()):
        dialog.recipients.item(row).setCheckState(Qt.CheckState.Unchecked)
    listed_people = {dialog.add_person.itemData(i) for i in range(dialog.add_person.count())}
    assert rita in listed_people and involved.people["Pol"] not in listed_people
    dialog.add_person.setCurrentIndex(dialog.add_person.findData(rita))
    dialog.add_cases.item(0).setCheckState(Qt.CheckState.Checked)  # case A
    count = dialog.recipients.count()
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.recipients.count() == count  # refused: no reason
    note = dialog.add_note.text()
    assert "Rita Landlord (RSL) has no need to know the record of" in note
    assert "chair's permission" in note and NAMES[0][1] in note

    dialog.add_reason.setText(REASON)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.recipients.count() == count + 1
    added = dialog.chosen()
    assert [(r.person_id, r.case_ids, r.reason) for r in added] == [
        (rita, (involved.case_ids[0],), REASON)
    ]
    assert "with the chair's permission" in dialog.recipients.item(count).text()
    assert dialog.add_person.findData(rita) == -1  # not offered twice
    with qtbot.waitSignal(dialog.finished_copies, timeout=60_000) as done:
        qtbot.mouseClick(dialog.generate, Qt.MouseButton.LeftButton)
    [copy] = done.args[0].written
    with sqlite_db.sessions() as s:
        [logged] = minutes.list_distributions(s, involved.meeting_id)
        checked = verify.check_file(SessionRecords(s), copy.path.read_bytes())
    assert (logged.recipient_person_id, logged.case_id, logged.reason) == (
        rita,
        involved.case_ids[0],
        REASON,
    )
    assert checked.genuine and REASON in checked.summary


def test_cancel_stops_between_copies_and_the_rest_are_made_later(
    qtbot: QtBot, sqlite_db: Database, chair: Actor, involved: Involved, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, sqlite_db, chair, involved.meeting_id, tmp_path)
    total = len(dialog.planned())

    def cancel_after_first(value: int) -> None:
        if value == 1:
            assert dialog.cancel.isEnabled()
            qtbot.mouseClick(dialog.cancel, Qt.MouseButton.LeftButton)

    dialog.progress.valueChanged.connect(cancel_after_first)
    with qtbot.waitSignal(dialog.finished_copies, timeout=60_000) as done:
        qtbot.mouseClick(dialog.generate, Qt.MouseButton.LeftButton)
    assert done.args[0].cancelled and len(done.args[0].written) == 1
    assert f"Cancelled: 1 of {total} copies" in dialog.status.text()
    dialog.progress.valueChanged.disconnect(cancel_after_first)

    again = open_dialog(qtbot, sqlite_db, chair, involved.meeting_id, tmp_path)
    assert len(again.planned()) == total - 1
    texts = [again.recipients.item(r).text() for r in range(again.recipients.count())]
    assert len([t for t in texts if t.endswith("issued)")]) == 1  # the one copy made
    with qtbot.waitSignal(again.finished_copies, timeout=120_000) as rest:
        qtbot.mouseClick(again.generate, Qt.MouseButton.LeftButton)
    assert len(rest.args[0].written) == total - 1
    with sqlite_db.sessions() as s:
        pairs = [
            (d.recipient_person_id, d.case_id)
            for d in minutes.list_distributions(s, involved.meeting_id)
        ]
    assert len(pairs) == len(set(pairs)) == total


def test_every_control_is_reached_by_tab_and_mnemonics_do_not_clash(
    qtbot: QtBot, sqlite_db: Database, chair: Actor, involved: Involved, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, sqlite_db, chair, involved.meeting_id, tmp_path)
    dialog.activateWindow()
    problems: list[str] = []
    for back in (False, True):
        seen, traps = tab_walk(dialog, dialog.recipients, back=back)
        problems += [f"trapped in {t}" for t in traps]
        missed = [name(w) for w in interactive(dialog) if identity(w) not in seen]
        problems += [f"not reached by {'Shift+' if back else ''}Tab: {m}" for m in missed]
    for letter, owners in sorted(mnemonics(dialog).items()):
        if len(owners) > 1:
            problems.append(f"Alt+{letter.upper()} on {', '.join(owners)}")
    keyed = mnemonics(dialog)
    assert not problems, "\n".join(problems)
    assert len(keyed) >= 10  # labels and buttons have keys of their own
