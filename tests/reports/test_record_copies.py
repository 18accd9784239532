"""Numbered copies of each offender's record, issued on need to know, read back and verified.

Real PDFs on SQLite and PostgreSQL: every recipient gets exactly the records the database says
they need (and each record only its offender's name), every copy verifies byte for byte and a
changed one does not, a person of an agency not involved is refused without a reason and logged
with one, the redacted copy leaves the restricted text out, and a cancelled distribution resumes
without issuing anything twice."""

from __future__ import annotations

import io
import threading
import unicodedata
from pathlib import Path

import pikepdf
import pypdf
import pytest

from mappa_desktop.domain.enums import DistributionVariant
from mappa_desktop.domain.errors import PermissionDenied
from mappa_desktop.operations import distributing, issuing
from mappa_desktop.operations.verifying import SessionRecords
from mappa_desktop.services import discussions, issued, meetings, minutes, need_to_know
from mappa_desktop.services.actor import Actor
from reports import verify
from reports.export import PdfRenderer
from reports.stamp import read_stamp
from tests.conftest import Database
from tests.mappa_desktop.factories_meetings import NAMES, agency_id
from tests.mappa_desktop.test_need_to_know import Involved, involved_meeting

CASE_NAMES = [f"{given} {family}" for given, family in NAMES[:3]]
REASON = "Chair's permission (MAPPA D): the school's safeguarding lead manages the contact plan"
WITHHELD_TEXT = "Sister lives at 12 Elm Road with two children"
RENDERER = PdfRenderer()


@pytest.fixture
def involved(db: Database, admin: Actor) -> Involved:
    return involved_meeting(db, admin)


def text_of(pdf: bytes) -> str:
    """Every page's text, NFKC-normalised, with bidi isolates and marks removed."""
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    raw = "\n".join(page.extract_text() for page in pages)
    kept = (ch for ch in unicodedata.normalize("NFKC", raw) if unicodedata.category(ch) != "Cf")
    return "".join(kept)


def check(db: Database, pdf: bytes) -> verify.FileCheck:
    with db.sessions() as s:
        return verify.check_file(SessionRecords(s), pdf)


def test_each_recipient_gets_exactly_their_records_and_each_copy_verifies(
    db: Database, admin: Actor, involved: Involved, tmp_path: Path
) -> None:
    seen: list[tuple[int, int]] = []
    run = distributing.distribute_meeting(
        db.sessions,
        RENDERER,
        admin,
        involved.meeting_id,
        tmp_path,
        progress=lambda d, t: seen.append((d, t)),
    )
    expected = {p: cases for p, cases in involved.expected().items() if cases}
    total = sum(len(cases) for cases in expected.values())
    assert (run.error, run.cancelled, run.total, len(run.written)) == ("", False, total, total)
    assert seen[0] == (0, total) and seen[-1] == (total, total) and len(seen) == total + 1

    with db.sessions() as s:
        log = minutes.list_distributions(s, involved.meeting_id)
        files = issued.list_issued_files(s, involved.meeting_id)
        meeting_date = meetings.get_meeting_row(s, involved.meeting_id).meeting_date.isoformat()
    order = {case_id: n for n, case_id in enumerate(involved.case_ids)}
    received: dict[int | None, list[int | None]] = {}
    for d in log:
        received.setdefault(d.recipient_person_id, []).append(d.case_id)
        assert d.reason == "" and d.variant is DistributionVariant.FULL
    assert {p: tuple(sorted(c, key=lambda i: order[i])) for p, c in received.items()} == expected
    assert [d.copy_number for d in log] == list(range(1, total + 1))
    assert {(f.distribution_id, f.case_id) for f in files} == {(d.id, d.case_id) for d in log}

    case_of_copy = {d.copy_number: d.case_id for d in log}
    for copy in run.written:
        pdf = copy.path.read_bytes()
        stamp = read_stamp(pdf)
        assert stamp is not None
        assert (stamp.case_id, stamp.copy_number, stamp.recipient) == (
            case_of_copy[copy.copy_number],
            copy.copy_number,
            copy.recipient,
        )
        assert copy.path.name.startswith(f"MAPPA record {meeting_date} meeting ")
        assert f" case {copy.case_id} - copy {copy.copy_number:02d} - " in copy.path.name
        text = text_of(pdf)
        own = order[copy.case_id]
        assert CASE_NAMES[own] in text
        for n, (_given, family) in enumerate(NAMES[:3]):
            if n != own:
                assert family not in text, (copy.path.name, family)
        assert copy.recipient in text  # printed on the copy
        result = check(db, pdf)
        assert result.genuine and result.current, result.summary
        assert (result.how, result.case_id, result.copy_number) == (
            "re-rendered",
            copy.case_id,
            copy.copy_number,
        )
        assert f"the record of case {copy.case_id} at meeting {involved.meeting_id}" in (
            result.summary
        )

    first = run.written[0].path.read_bytes()
    changed = bytearray(first)
    changed[len(changed) // 2] ^= 0x01
    refused = check(db, bytes(changed))
    assert not refused.genuine

    again = distributing.distribute_meeting(
        db.sessions, RENDERER, admin, involved.meeting_id, tmp_path
    )
    assert (again.total, again.written) == (0, ())  # nothing is issued twice


def _restamp(pdf: bytes, old: str, new: str) -> bytes:
    """The same file with its stamp's ``old`` text replaced (a forged claim)."""
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        keywords = str(doc.docinfo["/Keywords"])
        assert old in keywords
        doc.docinfo["/Keywords"] = keywords.replace(old, new)
        doc.save(out, deterministic_id=True)
    return out.getvalue()


def test_a_copy_claiming_another_case_or_the_meeting_wide_record_is_refused(
    db: Database, admin: Actor, involved: Involved, tmp_path: Path
) -> None:
    a, b, _c = involved.case_ids
    with db.sessions.begin() as s:
        police = need_to_know.find_recipient(s, "Pat Officer Police")
        copy = issuing.issue_record_copy(
            s, RENDERER, admin, involved.meeting_id, a, police, tmp_path / "a.pdf"
        )
    pdf = copy.path.read_bytes()
    assert check(db, pdf).genuine
    other_case = check(db, _restamp(pdf, f"case={a};", f"case={b};"))
    assert not other_case.genuine
    assert "changed since it was issued" in other_case.summary
    meeting_wide = check(db, _restamp(pdf, f"case={a}; ", ""))
    assert not meeting_wide.genuine
    assert "cannot render the copy again" in meeting_wide.summary
    not_discussed = check(db, _restamp(pdf, f"case={a};", "case=987654;"))
    assert not not_discussed.genuine
    assert "was not on the agenda" in not_discussed.summary


def test_an_uninvolved_person_is_refused_without_a_reason_and_issued_with_one(
    db: Database, admin: Actor, involved: Involved, tmp_path: Path
) -> None:
    a = involved.case_ids[0]
    path = tmp_path / "ed.pdf"
    with db.sessions() as s:
        ed = need_to_know.find_recipient(s, "Ed Schools")
    with pytest.raises(PermissionDenied, match="has no need to know"), db.sessions.begin() as s:
        issuing.issue_record_copy(s, RENDERER, admin, involved.meeting_id, a, ed, path)
    assert not path.exists()
    with db.sessions() as s:
        assert minutes.list_distributions(s, involved.meeting_id) == []
        assert issued.list_issued_files(s, involved.meeting_id) == []

    with db.sessions.begin() as s:
        copy = issuing.issue_record_copy(
            s, RENDERER, admin, involved.meeting_id, a, ed, path, reason=REASON, channel="by hand"
        )
    with db.sessions() as s:
        [logged] = minutes.list_distributions(s, involved.meeting_id)
    assert (logged.recipient_person_id, logged.case_id, logged.reason) == (ed.person_id, a, REASON)
    assert logged.recipient_name == "Ed Schools (Education)" == copy.recipient
    result = check(db, path.read_bytes())
    assert result.genuine, result.summary
    assert f"with the chair's permission ({REASON})" in result.summary


def test_the_redacted_record_leaves_restricted_text_out_and_verifies(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    involved = involved_meeting(db, admin, sign=False)
    a = involved.case_ids[0]
    with db.sessions.begin() as s:
        discussions.add_information(
            s,
            admin,
            involved.discussion_ids[0],
            agency_id=agency_id(s, "Children's Services"),
            text=WITHHELD_TEXT,
            restricted=True,
        )
        meetings.submit_for_sign_off(s, admin, involved.meeting_id)
        minutes.sign_off(s, admin, involved.meeting_id)
        plan = distributing.plan_distribution(s, involved.meeting_id, DistributionVariant.REDACTED)
    for_a = [c for c in plan if c.case_id == a][:2]
    redacted = distributing.distribute_meeting(
        db.sessions,
        RENDERER,
        admin,
        involved.meeting_id,
        tmp_path,
        variant=DistributionVariant.REDACTED,
        copies=for_a,
    )
    full = distributing.distribute_meeting(
        db.sessions, RENDERER, admin, involved.meeting_id, tmp_path, copies=for_a[:1]
    )
    assert len(redacted.written) == 2 and len(full.written) == 1
    for copy in redacted.written:
        pdf = copy.path.read_bytes()
        text = text_of(pdf)
        assert WITHHELD_TEXT not in text and "Withheld" in text
        stamp = read_stamp(pdf)
        assert stamp is not None and stamp.variant == "redacted"
        assert check(db, pdf).genuine
    full_pdf = full.written[0].path.read_bytes()
    assert WITHHELD_TEXT in text_of(full_pdf)
    assert check(db, full_pdf).genuine


def test_an_unnumbered_record_is_logged_by_its_hash_and_verifies(
    db: Database, admin: Actor, involved: Involved, tmp_path: Path
) -> None:
    b = involved.case_ids[1]
    path = tmp_path / "record.pdf"
    with db.sessions.begin() as s:
        written = issuing.export_minutes(s, RENDERER, admin, involved.meeting_id, path, case_id=b)
        wide = issuing.export_minutes(
            s, RENDERER, admin, involved.meeting_id, tmp_path / "wide.pdf"
        )
    assert (written.case_id, written.copy_number, written.draft) == (b, None, False)
    with db.sessions() as s:
        logged = issued.list_issued_files(s, involved.meeting_id)
        assert minutes.list_distributions(s, involved.meeting_id) == []
    assert [(f.case_id, f.distribution_id) for f in logged] == [(b, None), (None, None)]
    result = check(db, path.read_bytes())
    assert result.genuine and result.case_id == b and result.copy_number is None
    assert CASE_NAMES[1] in text_of(path.read_bytes())
    wide_pdf = wide.path.read_bytes()
    assert "; case=" not in str(pypdf.PdfReader(io.BytesIO(wide_pdf)).metadata["/Keywords"])
    assert check(db, wide_pdf).genuine  # the meeting-wide record as before


def test_a_cancelled_distribution_keeps_its_copies_and_resumes_without_repeats(
    db: Database, admin: Actor, involved: Involved, tmp_path: Path
) -> None:
    cancel = threading.Event()

    def stop_after_two(done: int, _total: int) -> None:
        if done == 2:
            cancel.set()

    first = distributing.distribute_meeting(
        db.sessions,
        RENDERER,
        admin,
        involved.meeting_id,
        tmp_path,
        progress=stop_after_two,
        cancel=cancel,
    )
    assert first.cancelled and len(first.written) == 2
    assert len(list(tmp_path.glob("*.pdf"))) == 2
    rest = distributing.distribute_meeting(
        db.sessions, RENDERER, admin, involved.meeting_id, tmp_path
    )
    assert not rest.cancelled and rest.total == first.total - 2
    with db.sessions() as s:
        log = minutes.list_distributions(s, involved.meeting_id)
    pairs = [(d.recipient_person_id, d.case_id) for d in log]
    assert len(pairs) == len(set(pairs)) == first.total
    assert len(list(tmp_path.glob("*.pdf"))) == first.total
