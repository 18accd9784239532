"""The MAPPA L meeting audit and the case audits, answered from the signed record: refused
before sign-off, each answer with its evidence, observer-only criteria left to the auditor, an
older record format and a late sign-off, CSV, the fixed statement count and the command."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from mappa_desktop.db.models import Minutes, Person, RmpItem
from mappa_desktop.domain.enums import AttendanceStatus, DecisionKind, RiskTrend, Role
from mappa_desktop.domain.errors import StateError
from mappa_desktop.services import (
    actions,
    attendance,
    discussions,
    meetings,
    minutes,
    self_audit,
)
from mappa_desktop.services.actor import Actor
from mappa_desktop.services.meeting_audit import (
    CSV_COLUMNS,
    OBSERVER_ONLY,
    Answer,
    AuditItem,
    MeetingAudit,
    meeting_audit,
    meeting_audit_csv,
)
from mappa_desktop.services.minutes_content import AuditReason, canonical_json, content_hash
from tests.conftest import Database, make_user
from tests.mappa_desktop.factories_meetings import (
    MEETING_DAY,
    NAMES,
    agency_id,
    person,
    ready_meeting,
)
from tests.mappa_desktop.test_cli import assert_one_line_error, run
from tests.statements import count_statements

HOUSING_REASON = "Housing's officer was ill; their report follows by 1 December."
OBSERVER_CRITERIA = 6  # MAPPA L criteria only an observer can judge (the meeting part)


@dataclass(frozen=True)
class Signed:
    meeting_id: int
    case_ids: list[int]
    names: list[str]


def _draft(db: Database, chair: Actor, n: int = 2) -> tuple[int, list[int], list[int]]:
    """A ready meeting of ``n`` cases; the first is recorded in full (Housing invited and
    reporting, information from two agencies, an action, a dissent, the risk summary and
    trend), the second has a plan item owned by Children's Services, who were not there."""
    ready = ready_meeting(db, chair, names=NAMES[:n])
    first = ready.discussion_ids[0]
    with db.sessions.begin() as s:
        chair_person = s.get(Person, chair.person_id)
        assert chair_person is not None
        chair_person.role_title = "Head of Public Protection"
        housing, police = agency_id(s, "Housing"), agency_id(s, "Police")
        discussions.invite_agency(s, chair, first, housing)
        attendance.record_case_attendance(
            s, chair, first, agency_id=housing, status=AttendanceStatus.REPORT_SUBMITTED
        )
        for short, text in (("Police", "No further intelligence."), ("Probation", "Compliant.")):
            discussions.add_information(s, chair, first, agency_id=agency_id(s, short), text=text)
        discussions.set_case_text(s, chair, first, "risk_summary", "Risk is to former partners.")
        discussions.set_risk_trend(s, chair, first, RiskTrend.STABLE)
        actions.set_action(
            s,
            chair,
            ready.case_ids[0],
            text="Home visit",
            owner_agency_id=police,
            owner_person_id=person(s, "Visitor", "Vic"),
            due_date=MEETING_DAY + timedelta(days=14),
            meeting_id=ready.meeting_id,
            purpose="To check he lives alone",
        )
        discussions.record_decision(
            s,
            chair,
            first,
            kind=DecisionKind.OTHER,
            outcome="Refer to the housing panel",
            rationale="He may lose his tenancy.",
            dissents=[(housing, None, "Housing would rather wait for the tenancy review.")],
        )
        children = agency_id(s, "Children's Services")
        for item in s.scalars(select(RmpItem).where(RmpItem.case_id == ready.case_ids[1])):
            if item.pillar.value == "victim_safety":
                item.responsible_agency_id = children
    return ready.meeting_id, ready.case_ids, ready.discussion_ids


def _sign(db: Database, chair: Actor, meeting_id: int) -> None:
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, chair, meeting_id)
        found = self_audit.self_audit(s, meeting_id, MEETING_DAY)
        assert not found.must_fix, found.must_fix
        reasons = {f.id: HOUSING_REASON for f in found.needs_reason}
        minutes.sign_off(s, chair, meeting_id, reasons=reasons)


def _signed(db: Database, chair: Actor) -> Signed:
    meeting_id, case_ids, _discs = _draft(db, chair)
    _sign(db, chair, meeting_id)
    names = [f"{given} {family}" for given, family in NAMES[:2]]
    return Signed(meeting_id, case_ids, names)


def _audit(db: Database, meeting_id: int) -> MeetingAudit:
    with db.sessions() as s:
        return meeting_audit(s, meeting_id)


def _item(items: tuple[AuditItem, ...], starts: str) -> AuditItem:
    (found,) = [i for i in items if i.criterion.startswith(starts)]
    return found


def test_refused_until_the_meeting_is_signed_off(db: Database, admin: Actor) -> None:
    ready = ready_meeting(db, admin, names=NAMES[:1])
    with db.sessions() as s, pytest.raises(StateError) as refused:
        meeting_audit(s, ready.meeting_id)
    assert "is not signed off" in str(refused.value)
    assert f"meeting {ready.meeting_id}" in str(refused.value)


def test_the_meeting_audit_answers_from_the_signed_record(db: Database, admin: Actor) -> None:
    signed = _signed(db, admin)
    audit = _audit(db, signed.meeting_id)
    items = audit.meeting_items
    assert [i.number for i in items] == [f"M{n}" for n in range(1, len(items) + 1)]
    assert all(i.evidence.strip() for i in items)

    statement = _item(items, "The Confidentiality and Diversity Statement")
    assert statement.answer is Answer.YES
    assert statement.evidence.startswith("Confirmed as read by Test Okonkwo-Smith at ")
    chair = _item(items, "The chair is named")
    assert chair.answer is Answer.YES
    assert chair.evidence == "Chair: Test Okonkwo-Smith (Head of Public Protection, Police)."

    agencies = _item(items, "Every agency relevant to each case")
    assert agencies.answer is Answer.PARTLY
    first, second = signed.names
    assert f"{first}: all 4 relevant agencies attended or reported." in agencies.evidence
    assert (
        f"{second}: Local Authority Children's Social Care neither attended nor reported."
        in agencies.evidence
    )

    victims = _item(items, "The chair ensured victim")
    assert victims.answer is Answer.YES and "no contact order" in victims.evidence
    assert _item(items, "The chair ensured diversity").answer is Answer.YES
    risk = _item(items, "The chair summarised the risk")
    assert risk.answer is Answer.PARTLY  # only the first case has a summary
    assert f"{second}: OASys assessment of" in risk.evidence
    assert "No risk summary is recorded." in risk.evidence

    dissent = _item(items, "Any dissent was noted")
    assert dissent.answer is Answer.YES
    assert f"1 dissenting view(s) recorded ({first}: Local Housing Authority)" in dissent.evidence
    acts = _item(items, "Actions were set with an owner")
    assert acts.answer is Answer.YES
    assert f"{first}: 1 action(s), each with an owner and a due date and a purpose." in (
        acts.evidence
    )
    assert f"{second}: no new actions." in acts.evidence
    sign_off = _item(items, "The minutes were signed off in good time")
    assert sign_off.answer is Answer.YES
    assert "0 working day(s) after the meeting (local policy: 10)" in sign_off.evidence
    reasons = _item(items, "Each self-audit finding")
    assert reasons.answer is Answer.YES and HOUSING_REASON in reasons.evidence

    observed = [i for i in items if i.answer is Answer.AUDITOR]
    assert len(observed) == OBSERVER_CRITERIA
    assert all(i.evidence.startswith(OBSERVER_ONLY) for i in observed)
    assert any("scheduled start" in i.evidence or "No start time" in i.evidence for i in observed)


def test_the_case_audit_per_offender(db: Database, admin: Actor) -> None:
    signed = _signed(db, admin)
    audit = _audit(db, signed.meeting_id)
    assert [c.case_id for c in audit.cases] == signed.case_ids
    assert [c.name for c in audit.cases] == signed.names
    full, gaps = audit.cases
    for case in audit.cases:
        assert [i.number for i in case.items] == [f"C{n}" for n in range(1, 15)]
        assert all(i.evidence.strip() for i in case.items)
    assert _item(full.items, "The MAPPA category").evidence == "Category 2."
    level = _item(full.items, "The management level")
    assert level.answer is Answer.YES and "Level decision: Remain at Level 2" in level.evidence
    lead = _item(full.items, "The lead agency and")
    assert lead.evidence == "Lead agency Probation Service; offender manager Olive Manager."
    info = _item(full.items, "Information was exchanged")
    assert info.answer is Answer.YES
    assert "Police (1)" in info.evidence and "Probation Service (1)" in info.evidence
    assert _item(gaps.items, "Information was exchanged").answer is Answer.NO
    there = _item(full.items, "All the relevant agencies attended")
    assert there.answer is Answer.YES and "Local Housing Authority" in there.evidence
    absent = _item(gaps.items, "All the relevant agencies attended")
    assert absent.answer is Answer.PARTLY  # the form's "one did not"
    assert absent.evidence.startswith(
        "1 did not attend or report: Local Authority Children's Social Care"
    )
    plan = _item(full.items, "The lead agency's risk management plan")
    assert plan.answer is Answer.YES
    risk = _item(full.items, "The risk of serious harm was addressed")
    assert risk.answer is Answer.YES and "Risk recorded as stable." in risk.evidence
    timely = _item(full.items, "The referral and the initial meeting were timely")
    assert timely.answer is Answer.AUDITOR and "MAPPA meeting no. 1" in timely.evidence
    mine = _item(gaps.items, "The chair's reasoning is recorded")
    assert mine.answer is Answer.YES and HOUSING_REASON in mine.evidence
    assert not mine.evidence.startswith(gaps.name)  # the section names the case
    none = _item(full.items, "The chair's reasoning is recorded")
    assert none.evidence == "No finding on this case needed the chair's reasoning."


def _insert_minutes(
    db: Database, chair: Actor, meeting_id: int, content: dict[str, object], signed_at: datetime
) -> None:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    with db.sessions.begin() as s:
        s.add(
            Minutes(
                meeting_id=meeting_id,
                content=canonical,
                content_sha256=content_hash(canonical),
                signed_by_id=chair.user_id,
                signed_at=signed_at,
                signer_name="Test Okonkwo-Smith",
            )
        )


def test_a_record_signed_before_per_case_attendance_is_answered_as_it_stands(
    db: Database, admin: Actor
) -> None:
    """Schema 2 content (no victim/diversity issues, no per-case attendance, no self-audit):
    those criteria go to the auditor and attendance falls back to the meeting-wide list."""
    meeting_id, _cases, _discs = _draft(db, admin)
    with db.sessions() as s:
        content = minutes.build_content(s, meeting_id).to_dict()
    content["schema"] = 2
    content.pop("self_audit")
    for case in content["cases"]:  # type: ignore[attr-defined]
        for key in ("victim_issues", "diversity_issues", "attendance", "invited_agencies"):
            case.pop(key)
    _insert_minutes(db, admin, meeting_id, content, datetime.now(UTC))
    audit = _audit(db, meeting_id)
    assert audit.record_format == 2
    for starts in ("The chair ensured victim", "The chair ensured diversity"):
        item = _item(audit.meeting_items, starts)
        assert item.answer is Answer.AUDITOR and "earlier record format" in item.evidence
    reasons = _item(audit.meeting_items, "Each self-audit finding")
    assert reasons.answer is Answer.AUDITOR and "before the sign-off self-audit" in reasons.evidence
    there = _item(audit.cases[0].items, "All the relevant agencies attended")
    assert "meeting-wide attendance: this record predates per-case attendance" in there.evidence
    assert "Local Housing Authority" not in there.evidence  # invited only in the newer format


def test_a_late_sign_off_is_answered_no_with_the_chairs_reason(db: Database, admin: Actor) -> None:
    meeting_id, _cases, _discs = _draft(db, admin)
    with db.sessions() as s:
        content = minutes.build_content(s, meeting_id)
    late = AuditReason(
        "late_sign_off", None, "late_sign_off", "Signed late.", "=The chair was ill."
    )
    content = replace(content, self_audit=(late,))
    signed_at = datetime.combine(MEETING_DAY + timedelta(days=28), datetime.min.time(), UTC)
    _insert_minutes(db, admin, meeting_id, json.loads(canonical_json(content)), signed_at)
    audit = _audit(db, meeting_id)
    item = _item(audit.meeting_items, "The minutes were signed off in good time")
    assert item.answer is Answer.NO
    assert "(local policy: 10)" in item.evidence
    assert "The chair's reason: =The chair was ill." in item.evidence

    rows = list(csv.reader(io.StringIO(meeting_audit_csv(audit).decode("utf-8-sig"))))
    assert rows[0] == list(CSV_COLUMNS)
    assert len(rows) == 1 + len(audit.meeting_items) + sum(len(c.items) for c in audit.cases)
    (late_row,) = [r for r in rows if r[4].startswith("The minutes were signed off")]
    assert late_row[:4] == ["Meeting (MAPPA L)", "", "", item.number]
    assert late_row[5] == "No"
    case_rows = [r for r in rows if r[0] == "Case audit"]
    assert {r[2] for r in case_rows} == {f"{g} {f}" for g, f in NAMES[:2]}


def test_reading_the_audit_takes_a_fixed_number_of_statements(db: Database, admin: Actor) -> None:
    small = _signed(db, admin).meeting_id
    other = make_user(db, "chair2", [Role.CHAIR, Role.MINUTE_TAKER], family_name="Second")
    ready = ready_meeting(db, other, names=[(f"Kim{i}", f"Case{i}") for i in range(6)])
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, other, ready.meeting_id)
        minutes.sign_off(s, other, ready.meeting_id, reasons={})
    counts = [
        count_statements(db.engine, lambda m=m: _audit(db, m)) for m in (small, ready.meeting_id)
    ]
    assert counts[0] == counts[1], counts
    assert len(_audit(db, ready.meeting_id).cases) == 6


# --- the command ----------------------------------------------------------------------------------


def test_meeting_audit_command_writes_pdf_and_csv_and_refuses_clearly(
    sqlite_db: Database, tmp_path: Path
) -> None:
    chair = make_user(
        sqlite_db,
        "admin",
        [Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR, Role.MINUTE_TAKER],
        family_name="Okonkwo-Smith",
    )
    meeting_id, _cases, _discs = _draft(sqlite_db, chair)
    home = tmp_path / "home"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return run("meeting-audit", str(meeting_id), *args, "--database", sqlite_db.url, home=home)

    unsigned = cli("-o", str(tmp_path / "audit.pdf"))
    assert "is not signed off" in assert_one_line_error(unsigned)
    assert not (tmp_path / "audit.pdf").exists()
    _sign(sqlite_db, chair, meeting_id)
    wrong = cli("-o", str(tmp_path / "audit.txt"))
    assert ".pdf or .csv" in assert_one_line_error(wrong)
    for name in ("audit.pdf", "audit.csv"):
        done = cli("-o", str(tmp_path / name))
        assert done.returncode == 0, done.stderr
        assert f"Wrote the audit of meeting {meeting_id}" in done.stdout
    assert (tmp_path / "audit.pdf").read_bytes().startswith(b"%PDF")
    text = (tmp_path / "audit.csv").read_bytes().decode("utf-8-sig")
    assert "Children's Social Care" in text and HOUSING_REASON in text
