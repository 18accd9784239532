"""``minutes --case`` and ``distribute`` in a real subprocess, on SQLite and PostgreSQL: one
offender's record for a known person (by login or full name), refused to an unknown person and
to one with no need to know unless ``--reason`` (logged); the meeting-wide record written as
before, and a numbered copy of it refused, unless ``--reason``, to anyone who does not need to
know every case; every record issued to the distribution list, one line per file, each
verifying."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mappa_desktop.domain.enums import DistributionVariant
from mappa_desktop.services import audit, issued, minutes
from mappa_desktop.services.actor import Actor
from reports.stamp import read_stamp
from tests.conftest import Database
from tests.mappa_desktop.factories_meetings import NAMES
from tests.mappa_desktop.test_cli_reports import Result, run
from tests.mappa_desktop.test_need_to_know import Involved, involved_meeting

REASON = "Chair agreed on 3 March: the school needs the contact conditions"


@pytest.fixture
def involved(db: Database, admin: Actor) -> Involved:
    return involved_meeting(db, admin)


def record(db: Database, involved: Involved, case_id: int, out: Path, *extra: str) -> Result:
    return run(
        db, "minutes", str(involved.meeting_id), "--case", str(case_id), "-o", str(out), *extra
    )


def test_a_copy_of_one_record_for_a_person_by_name_or_login_verifies(
    db: Database, involved: Involved, tmp_path: Path
) -> None:
    a, b, _c = involved.case_ids
    by_name = tmp_path / "police.pdf"
    made = record(db, involved, a, by_name, "--copy-for", "pat officer police")
    assert made.code == 0, made.err
    assert made.out.startswith(
        f"Wrote {by_name}: record of case {a} at meeting {involved.meeting_id}, copy 1 for "
        "Pat Officer Police (Police) (SHA-256 "
    )
    by_login = tmp_path / "chair.pdf"
    assert record(db, involved, b, by_login, "--copy-for", "admin", "--redacted").code == 0
    stamps = [read_stamp(p.read_bytes()) for p in (by_name, by_login)]
    assert [(s.case_id, s.copy_number, s.variant) for s in stamps if s] == [
        (a, 1, "full"),
        (b, 2, "redacted"),
    ]
    checked = run(db, "verify", str(by_login))
    assert checked.code == 0, checked.err
    assert f"Genuine and current: the record of case {b} at meeting" in checked.out
    assert "copy 2 issued to Test Okonkwo-Smith (Police)" in checked.out
    with db.sessions() as s:
        log = minutes.list_distributions(s, involved.meeting_id)
    assert [(d.case_id, d.recipient_person_id, d.channel) for d in log] == [
        (a, involved.people["Pol"], "command line"),
        (b, involved.people["Chair"], "command line"),
    ]


def test_an_unknown_person_and_one_without_need_to_know_are_refused(
    db: Database, involved: Involved, tmp_path: Path
) -> None:
    a = involved.case_ids[0]
    out = tmp_path / "copy.pdf"
    unknown = record(db, involved, a, out, "--copy-for", "Nobody Known")
    assert unknown.code == 1
    assert "No active person or login is called 'Nobody Known'" in unknown.err
    no_need = record(db, involved, a, out, "--copy-for", "Ed Schools")
    assert no_need.code == 1
    assert "Ed Schools (Local Authority Education) has no need to know" in no_need.err
    assert not out.exists()
    with db.sessions() as s:
        assert minutes.list_distributions(s, involved.meeting_id) == []

    allowed = record(db, involved, a, out, "--copy-for", "Ed Schools", "--reason", REASON)
    assert allowed.code == 0, allowed.err
    assert "copy 1 for Ed Schools (Education), the reason is logged" in allowed.out
    with db.sessions() as s:
        [logged] = minutes.list_distributions(s, involved.meeting_id)
    assert (logged.case_id, logged.reason) == (a, REASON)
    checked = run(db, "verify", str(out))
    assert checked.code == 0 and f"with the chair's permission ({REASON})" in checked.out


def test_options_that_do_not_go_together_are_refused_naming_them(
    db: Database, involved: Involved, tmp_path: Path
) -> None:
    a = involved.case_ids[0]
    m = str(involved.meeting_id)
    out = str(tmp_path / "x.pdf")
    for args, named in (
        (("minutes", m, "-o", out, "--redacted"), "redacted: --redacted goes with --case"),
        (("minutes", m, "-o", out, "--reason", "x"), "reason: --reason goes with --copy-for"),
        (("minutes", m, "--case", str(a), "-o", out, "--reason", "x"), "--reason goes with"),
        (("minutes", m, "--case", str(a), "-o", out, "--disclosure-summary"), "--disclosure"),
        (("minutes", m, "--case", "987654", "-o", out), "case: Case 987654 was not on the"),
    ):
        refused = run(db, *args)
        assert refused.code == 1, args
        assert named in refused.err, (args, refused.err)
    assert not Path(out).exists()


def test_without_case_the_meeting_wide_record_is_written_as_before(
    db: Database, involved: Involved, tmp_path: Path
) -> None:
    wide, summary = tmp_path / "wide.pdf", tmp_path / "summary.pdf"
    m = str(involved.meeting_id)
    assert run(db, "minutes", m, "-o", str(wide)).code == 0
    made = run(db, "minutes", m, "-o", str(summary), "--disclosure-summary")
    assert made.code == 0 and "disclosure summary" in made.out
    stamps = [read_stamp(p.read_bytes()) for p in (wide, summary)]
    assert [(s.case_id, s.variant) for s in stamps if s] == [
        (None, "full"),
        (None, "disclosure_summary"),
    ]
    record_file = tmp_path / "record.pdf"
    assert record(db, involved, involved.case_ids[2], record_file, "--redacted").code == 0
    with db.sessions() as s:
        logged = issued.list_issued_files(s, involved.meeting_id)
    assert [(f.case_id, f.variant) for f in logged] == [
        (None, DistributionVariant.FULL),
        (None, DistributionVariant.DISCLOSURE_SUMMARY),
        (involved.case_ids[2], DistributionVariant.REDACTED),
    ]
    assert run(db, "verify", str(record_file)).code == 0


def test_a_meeting_wide_copy_for_someone_invited_for_one_case_needs_a_reason(
    db: Database, involved: Involved, tmp_path: Path
) -> None:
    _a, b, c = involved.case_ids
    m = str(involved.meeting_id)
    out = tmp_path / "wide.pdf"
    refused = run(db, "minutes", m, "-o", str(out), "--copy-for", "Cara Социальная")
    assert refused.code == 1
    assert (
        "Cara Социальная (Local Authority Children's Social Care) has no need to know the "
        f"records of {' '.join(NAMES[1])} (case {b}), {' '.join(NAMES[2])} (case {c})"
    ) in refused.err
    assert " ".join(NAMES[0]) not in refused.err  # invited for A: that one she may have
    assert len(refused.err.strip().splitlines()) == 1
    assert not out.exists()
    with db.sessions() as s:
        assert minutes.list_distributions(s, involved.meeting_id) == []

    allowed = run(
        db, "minutes", m, "-o", str(out), "--copy-for", "Cara Социальная", "--reason", REASON
    )
    assert allowed.code == 0, allowed.err
    assert (
        f"minutes of meeting {m}, copy 1 for Cara Социальная (Children's Services), "
        "the reason is logged"
    ) in allowed.out
    coordinator = tmp_path / "coordinator.pdf"  # an officer of the meeting, of any agency
    assert run(db, "minutes", m, "-o", str(coordinator), "--copy-for", "Cora Coordinator").code == 0
    with db.sessions() as s:
        log = minutes.list_distributions(s, involved.meeting_id)
        events = [
            e
            for e in audit.list_events(s, meeting_id=involved.meeting_id)
            if e.entity == "distribution"
        ]
    people = involved.people
    assert [(d.recipient_person_id, d.case_id, d.reason) for d in log] == [
        (people["Cara"], None, REASON),
        (people["Cora"], None, ""),
    ]
    assert [e.changes["reason"][1] for e in events] == [REASON, ""]
    checked = run(db, "verify", str(out))
    assert checked.code == 0, checked.err
    assert f"with the chair's permission ({REASON})" in checked.out


def distribute(db: Database, *args: str) -> Result:
    return run(db, "distribute", *args, "--database", db.url, "--user", "admin")


def test_distribute_issues_every_record_one_line_per_file_and_not_twice(
    db: Database, involved: Involved, tmp_path: Path
) -> None:
    folder = tmp_path / "copies"  # made by the command
    done = distribute(db, str(involved.meeting_id), "-o", str(folder))
    assert done.code == 0, done.err
    lines = done.out.splitlines()
    total = sum(len(cases) for cases in involved.expected().values())
    assert len(lines) == total
    pattern = re.compile(
        r"^Wrote (?P<path>.+\.pdf): copy (?P<copy>\d+) of the record of case (?P<case>\d+) "
        r"for (?P<who>.+) \(SHA-256 [0-9a-f]{64}\)\.$"
    )
    written = [pattern.match(line) for line in lines]
    assert all(written), lines
    files = sorted(folder.glob("*.pdf"))
    assert sorted(Path(w["path"]) for w in written if w) == files
    with db.sessions() as s:
        log = {d.copy_number: d for d in minutes.list_distributions(s, involved.meeting_id)}
    for w in written:
        assert w is not None
        logged = log[int(w["copy"])]
        assert (logged.case_id, logged.recipient_name) == (int(w["case"]), w["who"])
    checked = run(db, "verify", str(files[0]))
    assert checked.code == 0, checked.err

    again = distribute(db, str(involved.meeting_id), "-o", str(folder))
    assert (again.code, again.out) == (0, "")
    assert "Nothing to issue" in again.err


def test_distribute_refuses_a_meeting_not_signed_off(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    draft = involved_meeting(db, admin, sign=False)
    folder = tmp_path / "copies"
    folder.mkdir()
    refused = distribute(db, str(draft.meeting_id), "-o", str(folder))
    assert refused.code == 1
    assert "not signed off" in refused.err
    assert list(folder.iterdir()) == []
