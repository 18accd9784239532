"""``mappa-desktop self-audit``: findings printed a line each, exit 1 while something must be
fixed, JSON with the chair's stored reasons for a signed meeting, one-line errors."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from mappa_desktop.db.models import Case, RiskAssessment
from mappa_desktop.services import meetings, minutes, self_audit
from mappa_desktop.services.actor import Actor
from tests.conftest import Database
from tests.mappa_desktop.factories_meetings import MEETING_DAY, NAMES, ready_meeting
from tests.mappa_desktop.test_cli import assert_one_line_error, run


def _cli(db: Database, home: Path, *args: str) -> tuple[int, str]:
    result = run("self-audit", *args, "--database", db.url, "--user", "admin", home=home)
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout


def test_must_fix_findings_exit_1_and_name_case_grade_and_criterion(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    ready = ready_meeting(db, admin, names=NAMES[:1])
    code, out = _cli(db, tmp_path, str(ready.meeting_id))
    assert code == 0 and "found nothing" in out
    case_id = ready.case_ids[0]
    with db.sessions.begin() as s:
        case = s.get(Case, case_id)
        assert case is not None
        case.offender_manager_id = None
    code, out = _cli(db, tmp_path, str(ready.meeting_id))
    assert code == 1
    (line,) = out.splitlines()
    assert line.split("\t")[:3] == [f"case {case_id}", "must_fix", "offender_manager"]
    assert "no offender manager is named" in line
    code, out = _cli(db, tmp_path, str(ready.meeting_id), "--json")
    assert code == 1
    (row,) = json.loads(out)
    assert (row["case_id"], row["grade"], row["criterion"]) == (
        case_id,
        "must_fix",
        "offender_manager",
    )
    assert "reason" not in row


def test_json_of_a_signed_meeting_carries_the_chairs_reasons(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    ready = ready_meeting(db, admin, names=NAMES[:1])
    with db.sessions.begin() as s:
        risk = s.scalars(
            select(RiskAssessment).where(RiskAssessment.case_id == ready.case_ids[0])
        ).one()
        risk.assessed_on = MEETING_DAY - timedelta(days=3000)
        meetings.submit_for_sign_off(s, admin, ready.meeting_id)
        (finding,) = self_audit.self_audit(s, ready.meeting_id, MEETING_DAY).findings
        minutes.sign_off(s, admin, ready.meeting_id, reasons={finding.id: "Review booked."})
    code, out = _cli(db, tmp_path, str(ready.meeting_id), "--json")
    assert code == 0
    (row,) = json.loads(out)
    assert (row["grade"], row["criterion"], row["reason"]) == (
        "needs_reason",
        "assessment_age",
        "Review booked.",
    )
    code, out = _cli(db, tmp_path, str(ready.meeting_id))
    assert code == 0 and "Chair's reason: Review booked." in out


def test_unknown_meeting_is_one_line_error(db: Database, admin: Actor, tmp_path: Path) -> None:
    result = run("self-audit", "4242", "--database", db.url, "--user", "admin", home=tmp_path)
    assert "4242" in assert_one_line_error(result)
    usage = run("self-audit", "x", "--database", db.url, home=tmp_path)
    assert usage.returncode == 2
