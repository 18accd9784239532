"""The demo's meetings, recorded through the real services exactly as a co-ordinator, a
minute-taker and a chair would: scheduling, agenda, statement, attendance, information shared,
risk summaries, RMP changes, a new risk assessment, decisions (with a dissent and a disclosure),
actions set and earlier actions reviewed, sign-off and distribution.

About twelve past meetings a fortnight apart (Level 3 every third one): the latest is still in
draft, the two oldest have been distributed, the rest are signed off; then two planned meetings.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mappa_desktop.db.models import Agency, Case, Registration
from mappa_desktop.domain.enums import (
    GROUPS_BY_SETTING,
    ActionStatus,
    AgendaReason,
    AttendanceStatus,
    CustodyStatus,
    DecisionKind,
    Level,
    MeetingType,
    NotDoneReason,
    RiskGroup,
    RiskSetting,
    RmpPillar,
    RoshLevel,
)
from mappa_desktop.services import (
    actions,
    attendance,
    discussions,
    meetings,
    minutes,
    people,
    risk,
    rmp,
    settings,
)
from mappa_desktop.services.actor import Actor

PAST_MEETINGS = 12
DAYS_APART = 14
L2_POOL = 16
L3_POOL = 6
CASES_PER_L2_MEETING = 4
CASES_PER_L3_MEETING = 3
VENUES = (
    "Police HQ, Conference Room 2",
    "Probation Office, Meeting Room B",
    "Civic Centre – Committee Room 1",
    "Microsoft Teams (secure link)",
)

INFORMATION: dict[str, tuple[str, ...]] = {
    "Police": (
        "Home visit completed: address compliant, no visitors. Intelligence suggests renewed "
        "contact with a former associate.",
        "Two calls to the address in the last month (noise & a verbal dispute); no arrests.",
        "Device examination under the SHPO found no prohibited material.",
    ),
    "Probation": (
        "Attending appointments; engaging well in the programme. Tested negative for alcohol.",
        "Missed one appointment (illness, evidenced). Discussed triggers <stress at work>.",
        "Licence conditions explained again; he says he understands the exclusion zone.",
    ),
    "Prison": (
        "Release date confirmed; adjudication-free for six months.",
        "Attending education; one negative entry for verbal abuse of staff.",
    ),
    "Housing": ("Tenancy offered at a flat away from the victim's area; sign-up next week.",),
    "Children's Services": (
        "Children in the household are on child protection plans; social worker attends "
        "fortnightly.",
    ),
    "Mental Health": ("Written report: stable on medication; next CPA review in six weeks.",),
}
RISK_SUMMARIES = (
    "Risk remains high to the known adult victim; current controls are holding and he is "
    "compliant.",
    "Risk has reduced since the last meeting: stable accommodation & work; still high to children.",
    "Risk is increasing: substance misuse has resumed and he has lost his job.",
    "Imminent release; risk management in the community needs to be in place before release.",
)
NEW_ACTIONS = (
    ("Police", "Visit the address within two weeks and report back to the co-ordinator."),
    ("Probation", "Request a licence variation to add an exclusion zone."),
    ("Housing", "Confirm the tenancy start date and share it with police & probation."),
    ("Children's Services", "Complete the safety plan with the children's mother."),
    ("Probation", "Refer to the substance misuse service and confirm attendance."),
    ("Police", "Check the device for compliance with the SHPO."),
)
SUPERVISION_CHANGES = (
    "Twice-weekly appointments with the probation practitioner, one of them a home visit.",
    "Weekly appointments, with a joint police & probation home visit every month.",
)


@dataclass(frozen=True, slots=True)
class MeetingsResult:
    meetings: int
    signed_off: int  # signed off or distributed
    distributed: int
    meeting_ids: tuple[int, ...]


def _weekday(day: date) -> date:
    """Move a weekend date back to the Friday before."""
    return day - timedelta(days=max(0, day.weekday() - 4))


class _Meetings:
    def __init__(
        self,
        session: Session,
        rng: random.Random,
        today: date,
        chairs: Sequence[str],
        minute_takers: Sequence[str],
        coordinators: Sequence[str],
        person_ids_by_agency: dict[int, list[int]],
    ) -> None:
        self.s = session
        self.rng = rng
        self.today = today
        self.chairs = [people.get_actor(session, login) for login in chairs]
        self.minute_takers = [people.get_actor(session, login) for login in minute_takers]
        self.by_person = {a.person_id: a for a in (*self.chairs, *self.minute_takers)}
        self.coordinator = people.get_actor(session, coordinators[0])
        self.staff = person_ids_by_agency
        self.agencies = {a.short_name: a.id for a in session.scalars(select(Agency))}
        self.intervals = settings.policy(session).review_interval_days

    def agency(self, short: str) -> int:
        return self.agencies[short]

    def first_person(self, short: str) -> int | None:
        found = self.staff.get(self.agencies.get(short, -1), [])
        return found[0] if found else None

    def person(self, short: str, avoid: set[int]) -> int | None:
        for person_id in self.staff.get(self.agencies.get(short, -1), []):
            if person_id not in avoid:
                avoid.add(person_id)
                return person_id
        return None

    def pools(self, earliest: date) -> tuple[list[int], list[int]]:
        """Level 2 and Level 3 cases registered (at their level) before the first meeting."""
        rows = self.s.execute(
            select(Registration.case_id, Registration.level)
            .where(
                Registration.is_current.is_(True),
                Registration.ended_on.is_(None),
                Registration.level.in_((2, 3)),
                Registration.start_date <= earliest,
            )
            .order_by(Registration.case_id)
            .limit(400)
        ).all()
        level_2 = [case_id for case_id, level in rows if level == 2][:L2_POOL]
        level_3 = [case_id for case_id, level in rows if level == 3][:L3_POOL]
        return level_2, level_3

    # --- one meeting --------------------------------------------------------------------------

    def schedule(self, n: int, level: int, day: date, case_ids: Sequence[int]) -> tuple[int, Actor]:
        chair = self.chairs[n % len(self.chairs)]
        minute_taker = self.minute_takers[n % len(self.minute_takers)]
        row = meetings.schedule_meeting(
            self.s,
            self.coordinator,
            level=level,
            meeting_type=MeetingType.SPECIAL if n == 5 else MeetingType.REVIEW,
            meeting_date=day,
            start_time=time(10, 0) if n % 2 else time(13, 30),
            venue=VENUES[n % len(VENUES)],
            chair_id=chair.person_id,
            minute_taker_id=minute_taker.person_id,
            coordinator_id=self.coordinator.person_id,
        )
        for case_id in case_ids:
            meetings.add_to_agenda(
                self.s, self.coordinator, row.id, case_id, reason=AgendaReason.REVIEW_DUE
            )
        return row.id, chair

    def hold(
        self, meeting_id: int, chair: Actor, *, raise_case: int | None, exit_case: int | None
    ) -> None:
        s, rng = self.s, self.rng
        meetings.confirm_statement(s, chair, meeting_id)
        meetings.start_meeting(s, chair, meeting_id)
        detail = meetings.get_meeting(s, meeting_id)
        minute_taker = self.minute_taker_of(detail.meeting)
        day = detail.meeting.meeting_date
        self._attendance(meeting_id, detail.meeting, minute_taker)

        for n, item in enumerate(detail.agenda):
            case_id = item.case.case_id
            disc_id = item.discussion.id
            discussions.set_risk_summary(s, minute_taker, disc_id, rng.choice(RISK_SUMMARIES))
            for short in ("Police", "Probation") + (("Housing",) if n % 2 else ()):
                discussions.add_information(
                    s,
                    minute_taker,
                    disc_id,
                    agency_id=self.agency(short),
                    text=rng.choice(INFORMATION[short]),
                    restricted=short == "Police" and rng.random() < 0.15,
                )
            if n == 0:
                discussions.invite_agency(s, minute_taker, disc_id, self.agency("Mental Health"))
                discussions.add_information(
                    s,
                    minute_taker,
                    disc_id,
                    agency_id=self.agency("Mental Health"),
                    text=INFORMATION["Mental Health"][0],
                )
            for previous in item.previous_actions:
                if previous.review is None and previous.action.status in actions.OPEN_STATUSES:
                    self._review(meeting_id, previous.action, day, minute_taker)
            if n == 0:
                self._plan_changes(meeting_id, case_id, day, minute_taker)
            if n == 1:
                self._assessment(meeting_id, case_id, day, item.case.level or 2, minute_taker)
            self._decisions(
                disc_id,
                item.case.category or 1,
                item.case.level or 2,
                day,
                minute_taker,
                raise_level=case_id == raise_case,
                exits=case_id == exit_case,
                disclosure=n == 1,
                dissent=n == 0 and meeting_id % 3 == 0,
            )
            if case_id != exit_case:
                for _ in range(rng.randint(1, 2)):
                    short, text = rng.choice(NEW_ACTIONS)
                    actions.set_action(
                        s,
                        minute_taker,
                        case_id,
                        text=text,
                        owner_agency_id=self.agency(short),
                        owner_person_id=self.first_person(short),
                        due_date=day + timedelta(days=rng.randint(14, 42)),
                        meeting_id=meeting_id,
                    )
        meetings.close_to_draft(s, minute_taker, meeting_id)

    def _attendance(self, meeting_id: int, row: meetings.MeetingRow, minute_taker: Actor) -> None:
        s = self.s
        used: set[int] = set()
        # Chair, minute-taker and co-ordinator first, each under their own agency.
        for person_id in (row.chair_id, row.minute_taker_id, row.coordinator_id):
            if person_id is None or person_id in used:
                continue
            used.add(person_id)
            agency_id = self._agency_of(person_id)
            attendance.record_attendance(
                s,
                minute_taker,
                meeting_id,
                agency_id=agency_id,
                status=AttendanceStatus.PRESENT,
                person_id=person_id,
                arrived_at=row.start_time,
            )
        for short in ("Police", "Probation", "Prison"):
            person_id = self.person(short, used)
            status = AttendanceStatus.PRESENT
            if short == "Prison" and meeting_id % 2:
                status = AttendanceStatus.APOLOGIES
            attendance.record_attendance(
                s,
                minute_taker,
                meeting_id,
                agency_id=self.agency(short),
                status=status,
                person_id=person_id,
                arrived_at=row.start_time if status is AttendanceStatus.PRESENT else None,
            )
        # Children's Services sends a deputy; Mental Health a written report; Housing apologies.
        standing_in, absent = self.person("Children's Services", used), None
        if standing_in is not None:
            absent = self.person("Children's Services", used)
        if standing_in is not None and absent is not None:
            attendance.record_attendance(
                s,
                minute_taker,
                meeting_id,
                agency_id=self.agency("Children's Services"),
                status=AttendanceStatus.DEPUTY,
                person_id=standing_in,
                deputy_for_id=absent,
            )
        attendance.record_attendance(
            s,
            minute_taker,
            meeting_id,
            agency_id=self.agency("Mental Health"),
            status=AttendanceStatus.REPORT_SUBMITTED,
        )
        attendance.record_attendance(
            s,
            minute_taker,
            meeting_id,
            agency_id=self.agency("Housing"),
            status=AttendanceStatus.APOLOGIES,
            person_id=self.person("Housing", used),
        )

    def _agency_of(self, person_id: int) -> int:
        for agency_id, ids in self.staff.items():
            if person_id in ids:
                return agency_id
        return self.agency("MAPPA Unit")

    def _review(
        self, meeting_id: int, action: actions.ActionRow, day: date, minute_taker: Actor
    ) -> None:
        roll = self.rng.random()
        if action.due_date >= day and roll < 0.5:
            outcome, reason, note, new_due = ActionStatus.OPEN, None, "In progress.", None
        elif roll < 0.6:
            outcome, reason, note, new_due = ActionStatus.DONE, None, "Completed.", None
        elif roll < 0.9:
            outcome = ActionStatus.CARRIED_OVER
            reason = NotDoneReason.NOT_DONE_BY_AGENCY
            note = "Not done: the officer was on leave; carried over."
            new_due = day + timedelta(days=14)
        else:
            outcome = ActionStatus.CANCELLED
            reason = NotDoneReason.CIRCUMSTANCES_CHANGED
            note = "No longer needed: circumstances changed (moved out of the area)."
            new_due = None
        actions.review_action(
            self.s,
            minute_taker,
            meeting_id,
            action.id,
            outcome=outcome,
            not_done_reason=reason,
            note=note,
            new_due_date=new_due,
        )

    def _plan_changes(self, meeting_id: int, case_id: int, day: date, minute_taker: Actor) -> None:
        s = self.s
        rmp.add_item(
            s,
            minute_taker,
            case_id,
            pillar=RmpPillar.VICTIM_SAFETY,
            text="Victim liaison officer to brief the victim on the exclusion zone & curfew.",
            responsible_agency_id=self.agency("Probation"),
            start_date=day,
            review_date=day + timedelta(days=56),
            rationale="Agreed at the meeting: the victim asked to be kept informed.",
            meeting_id=meeting_id,
        )
        current = [i for i in rmp.current_plan(s, case_id) if i.pillar is RmpPillar.SUPERVISION]
        options = [t for t in SUPERVISION_CHANGES if not current or t != current[0].text]
        if current and options:
            item = current[0]
            rmp.change_item(
                s,
                minute_taker,
                item.id,
                expected_version=item.version,
                rationale="Contact changed to match the current level of risk.",
                text=self.rng.choice(options),
                meeting_id=meeting_id,
            )

    def _assessment(
        self, meeting_id: int, case_id: int, day: date, level: int, minute_taker: Actor
    ) -> None:
        custody = self.s.scalar(select(Case.custody_status).where(Case.id == case_id))
        overall = RoshLevel.VERY_HIGH if level == 3 else RoshLevel.HIGH
        grid: dict[tuple[RiskSetting | str, RiskGroup | str], RoshLevel | str] = {
            (RiskSetting.COMMUNITY, group): RoshLevel.MEDIUM
            for group in GROUPS_BY_SETTING[RiskSetting.COMMUNITY]
        }
        grid[(RiskSetting.COMMUNITY, RiskGroup.KNOWN_ADULT)] = overall
        if custody is CustodyStatus.CUSTODY:
            for group in GROUPS_BY_SETTING[RiskSetting.CUSTODY]:
                grid[(RiskSetting.CUSTODY, group)] = RoshLevel.LOW
        risk.record_assessment(
            self.s,
            minute_taker,
            case_id,
            assessed_on=day,
            overall=overall,
            ratings=grid,
            tool_score="OSP/C High; RSR 6.1%",
            who_at_risk="Former partner (known adult) & her new partner.",
            nature_of_risk="Serious violence, including with a weapon.",
            imminence="Could happen quickly if he learns her new address.",
            increasing_factors="Alcohol; loss of accommodation.",
            protective_factors="Engaging with probation; family support.",
            meeting_id=meeting_id,
        )

    def _decisions(
        self,
        disc_id: int,
        category: int,
        level: int,
        day: date,
        minute_taker: Actor,
        *,
        raise_level: bool,
        exits: bool,
        disclosure: bool,
        dissent: bool,
    ) -> None:
        s = self.s
        if exits:
            discussions.record_decision(
                s,
                minute_taker,
                disc_id,
                kind=DecisionKind.EXIT,
                outcome="Exit MAPPA management",
                rationale="Notification period ended and risk is now manageable by a single "
                "agency.",
            )
            self.disclosure_decision(disc_id, day, minute_taker, disclose=False, category=category)
            return
        new_level = 3 if raise_level else level
        interval = self.intervals[Level(new_level)]
        review = day + timedelta(days=interval)
        outcome = (
            f"Raised to Level {new_level}" if new_level != level else f"Remain at Level {level}"
        )
        rationale = (
            "Risk has escalated and needs senior oversight and resources at short notice."
            if raise_level
            else "Multi-agency management still adds value; the plan is working."
        )
        discussions.record_decision(
            s,
            minute_taker,
            disc_id,
            kind=DecisionKind.LEVEL,
            outcome=outcome,
            rationale=rationale,
            new_level=new_level,
            next_review_date=review,
            dissents=(
                (
                    (
                        self.agency("Probation"),
                        None,
                        "Probation felt Level 3 was needed; the chair noted the view.",
                    ),
                )
                if dissent
                else ()
            ),
        )
        self.disclosure_decision(disc_id, day, minute_taker, disclose=disclosure, category=category)

    def disclosure_decision(
        self, disc_id: int, day: date, minute_taker: Actor, *, disclose: bool, category: int
    ) -> None:
        """Disclosure is considered at every meeting: record it either way."""
        s = self.s
        if not disclose:
            discussions.record_decision(
                s,
                minute_taker,
                disc_id,
                kind=DecisionKind.DISCLOSURE,
                outcome="No disclosure",
                rationale="No one was identified who needs the information to be protected.",
                disclose=False,
                s327a_considered=category == 1,
            )
        else:
            discussions.record_decision(
                s,
                minute_taker,
                disc_id,
                kind=DecisionKind.DISCLOSURE,
                outcome="Disclose to the new partner",
                rationale="She has children in her care and is at risk; disclosure is necessary "
                "and proportionate.",
                disclose=True,
                disclosure_to="New partner (and her mother, present at the visit)",
                disclosure_by="DS from the Public Protection Unit & the probation practitioner",
                disclosure_method="In person, at her home",
                disclosure_date=day + timedelta(days=7),
                s327a_considered=category == 1,
            )

    def minute_taker_of(self, row: meetings.MeetingRow) -> Actor:
        if row.minute_taker_id is not None and row.minute_taker_id in self.by_person:
            return self.by_person[row.minute_taker_id]
        return self.minute_takers[0]

    def sign_and_issue(self, meeting_id: int, chair: Actor, copies: int) -> None:
        row = meetings.get_meeting_row(self.s, meeting_id)
        meetings.submit_for_sign_off(self.s, self.minute_taker_of(row), meeting_id)
        minutes.sign_off(self.s, chair, meeting_id)
        detail = meetings.get_meeting(self.s, meeting_id)
        present = [a for a in detail.attendance if a.person_id is not None][:copies]
        for entry in present:
            minutes.record_distribution(
                self.s,
                self.coordinator,
                meeting_id,
                recipient_name=entry.person_name,
                recipient_person_id=entry.person_id,
                recipient_agency_id=entry.agency_id,
                channel="Secure e-mail (egress)",
            )


def create_meetings(
    session: Session,
    *,
    rng: random.Random,
    today: date,
    chairs: Sequence[str],
    minute_takers: Sequence[str],
    coordinators: Sequence[str],
    person_ids_by_agency: dict[int, list[int]],
    progress: Callable[[str, int, int], None] | None = None,
) -> MeetingsResult:
    """Record the past and planned meetings; returns how many of each were made."""
    m = _Meetings(session, rng, today, chairs, minute_takers, coordinators, person_ids_by_agency)
    dates = [_weekday(today - timedelta(days=DAYS_APART * k)) for k in range(PAST_MEETINGS, 0, -1)]
    level_2, level_3 = m.pools(dates[0])
    if not level_2 and not level_3:
        return MeetingsResult(0, 0, 0, ())
    ids: list[int] = []
    signed = distributed = 0
    raised: int | None = None
    exited: int | None = None
    cursor = {2: 0, 3: 0}
    total = PAST_MEETINGS + 2
    for n, day in enumerate(dates):
        k = PAST_MEETINGS - n  # meetings ago
        level = 3 if k % 3 == 0 and level_3 else 2 if level_2 else 3
        pool = level_2 if level == 2 else level_3
        size = CASES_PER_L2_MEETING if level == 2 else CASES_PER_L3_MEETING
        chosen = [pool[(cursor[level] + i) % len(pool)] for i in range(min(size, len(pool)))]
        cursor[level] += size
        raise_case = exit_case = None
        if level == 2 and k == 4 and len(chosen) > 1:
            raise_case = raised = chosen[-1]
        if level == 2 and k == 5 and len(chosen) > 2:
            exit_case = exited = chosen[-2]
        meeting_id, chair = m.schedule(n, level, day, chosen)
        m.hold(meeting_id, chair, raise_case=raise_case, exit_case=exit_case)
        if k > 1:  # the latest meeting's minutes are still in draft
            copies = 3 if k > PAST_MEETINGS - 2 else 0
            m.sign_and_issue(meeting_id, chair, copies)
            signed += 1
            distributed += 1 if copies else 0
        for gone in (raised, exited):
            for p in (level_2, level_3):
                if gone in p and len(p) > 1:
                    p.remove(gone)
        ids.append(meeting_id)
        if progress is not None:
            progress("meetings", len(ids), total)
    for n, (ahead, level) in enumerate(((7, 2), (21, 3))):
        pool = level_2 if level == 2 and level_2 else level_3 or level_2
        meeting_level = 2 if pool is level_2 else 3
        day = _weekday(today + timedelta(days=ahead))
        meeting_id, _ = m.schedule(PAST_MEETINGS + n, meeting_level, day, pool[:3])
        ids.append(meeting_id)
        if progress is not None:
            progress("meetings", len(ids), total)
    return MeetingsResult(
        meetings=len(ids), signed_off=signed, distributed=distributed, meeting_ids=tuple(ids)
    )
