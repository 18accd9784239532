"""The demo's meetings, recorded through the real services exactly as a co-ordinator, a
minute-taker and a chair would: scheduling, agenda, statement, attendance, information shared,
risk summaries, RMP changes, a new risk assessment, decisions (with a dissent and a disclosure),
actions set and earlier actions reviewed, sign-off and distribution.

About twelve past meetings a fortnight apart (Level 3 every third one, chaired by a senior
manager): the latest is still in draft, the two oldest have been distributed, the rest are signed
off; then two planned meetings. Each meeting is replayed at the time it was held
(``db.base.recorded_at``): the statement is confirmed a few minutes after the start and the chair
signs off one to ten days later. Who is invited varies by case (the offence decides which
Duty-to-Co-operate agencies matter) and attendance by meeting; one case is raised, two are lowered
and one leaves MAPPA, each with a rationale that fits its risk.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mappa_desktop.db.base import recorded_at
from mappa_desktop.db.models import Agency, Case, Registration
from mappa_desktop.demo.offences import OFFENCES, RiskProfile, profile_for
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
    cases,
    discussions,
    meetings,
    minutes,
    people,
    risk,
    rmp,
    self_audit,
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
        "Two calls to the address in the last month (noise and a verbal dispute); no arrests.",
        "Device examination under the SHPO found no prohibited material.",
    ),
    "Probation": (
        "Attending appointments; engaging well in the programme. Tested negative for alcohol.",
        "Missed one appointment (illness, evidenced). Discussed triggers (stress at work).",
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
# Risk summaries for a case whose level stays as it is ("{nature}": the case's own risk).
RISK_SUMMARIES = (
    "Risk remains high ({nature}); current controls are holding and {he} is compliant.",
    "Risk is increasing: {increasing}",
    "Risk unchanged. {nature} Imminence: {imminence}",
)
# ... and for a case lowered or leaving MAPPA.
REDUCED_SUMMARY = (
    "Risk has reduced since the last meeting. {protective} No concerns from any agency; all "
    "actions completed."
)
# Duty-to-Co-operate agencies invited for a case, by risk profile (others are added at random).
INVITED_BY_PROFILE: dict[str, tuple[str, ...]] = {
    "child_sexual": ("Children's Services",),
    "online_child": ("Children's Services",),
    "domestic": ("Children's Services", "Housing"),
    "stalking": ("Housing",),
    "arson": ("Mental Health", "Housing"),
    "public_violence": ("Housing",),
    "weapon_violence": ("Housing",),
}
SOMETIMES_INVITED = ("Mental Health", "Housing", "Adult Services", "DWP")
OTHER_INFORMATION: dict[str, str] = {
    "Adult Services": "Care Act assessment completed; no eligible needs; signposted to support.",
    "DWP": "Claiming Universal Credit; work coach appointments attended.",
}
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


# Why a case leaves MAPPA, by category (DOMAIN.md 1.2: the category's end point).
EXIT_GROUNDS: dict[int, str] = {
    1: "The notification requirements end this month.",
    2: "The licence has expired and no order remains in force.",
    3: "Risk has reduced enough that active multi-agency management is no longer needed.",
    4: "The licence has expired; counter-terrorism policing agree the case can close.",
}
LOWER_GROUNDS: dict[int, str] = {
    2: "Risk has reduced: {protective} The senior oversight and resources of Level 3 are no "
    "longer needed; Level 2 meetings continue with the same plan and agencies.",
    1: "Risk has reduced to Medium and is stable: {protective} The plan is working and the lead "
    "agency can manage it without multi-agency meetings; agencies keep sharing information.",
}
_PROFILE_OF = {o.text: o.profile for offences in OFFENCES.values() for o in offences}
_SHARES = (AttendanceStatus.PRESENT, AttendanceStatus.DEPUTY, AttendanceStatus.REPORT_SUBMITTED)


@dataclass(frozen=True, slots=True)
class MeetingsResult:
    meetings: int
    signed_off: int  # signed off or distributed
    distributed: int
    meeting_ids: tuple[int, ...]


def _weekday(day: date) -> date:
    """Move a weekend date back to the Friday before."""
    return day - timedelta(days=max(0, day.weekday() - 4))


# Closing the self-audit's plan gaps before sign-off, and the chair's reasons for the rest.
MISSING_PLAN = {
    "rmp_pillars": (
        RmpPillar.SUPERVISION,
        RmpPillar.MONITORING_CONTROL,
        RmpPillar.INTERVENTIONS_TREATMENT,
        RmpPillar.VICTIM_SAFETY,
    ),
    "rmp_contingency": (RmpPillar.CONTINGENCY,),
    "licence_conditions": (RmpPillar.LICENCE_CONDITION,),
}
PLAN_TEXT = {
    RmpPillar.SUPERVISION: "Weekly office appointments with the offender manager.",
    RmpPillar.MONITORING_CONTROL: "Police home visits at least monthly; ViSOR record kept current.",
    RmpPillar.INTERVENTIONS_TREATMENT: "Referral to an accredited programme to be assessed.",
    RmpPillar.VICTIM_SAFETY: "Victim liaison officer to keep the victim informed of changes.",
    RmpPillar.CONTINGENCY: (
        "If contact is missed or warning signs recur, the offender manager informs the police "
        "the same day and requests an early review; recall considered."
    ),
    RmpPillar.LICENCE_CONDITION: "Licence: reside as directed; no contact with the victim.",
}
AUDIT_REASONS = {
    "assessment_age": "The OASys review is booked within a month; nothing has changed since.",
    "disclosure_declined": (
        "The known adult is already aware of the risk and is supported by the victim liaison "
        "officer; a further disclosure would add nothing."
    ),
    "lowered_with_risk": (
        "The chair agreed the move: the remaining risk is managed by the lead agency alone "
        "and the open actions are carried over to it."
    ),
    "agency_absent": "The agency's part was briefed by e-mail before the meeting.",
    "similar_actions": "The actions are for different teams in the same agency.",
    "late_sign_off": "The chair was on leave in the week after the meeting.",
}


class _Meetings:
    def __init__(
        self,
        session: Session,
        rng: random.Random,
        today: date,
        chairs: Sequence[str],
        senior_chairs: Sequence[str],
        minute_takers: Sequence[str],
        coordinators: Sequence[str],
        person_ids_by_agency: dict[int, list[int]],
    ) -> None:
        self.s = session
        self.rng = rng
        self.today = today
        self.chairs = [people.get_actor(session, login) for login in chairs]
        # Level 3 is chaired by the senior grade, Level 2 by the managers.
        self.senior = [a for a in self.chairs if a.login in senior_chairs] or self.chairs
        self.managers = [a for a in self.chairs if a.login not in senior_chairs] or self.chairs
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
        chairs = self.senior if level == 3 else self.managers
        chair = chairs[n % len(chairs)]
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

    def profile(self, case_id: int) -> RiskProfile:
        """The case's risk narrative (by its index offence), in the offender's pronouns."""
        offence, gender = self.s.execute(
            select(Case.index_offence, Case.gender).where(Case.id == case_id)
        ).one()
        key = _PROFILE_OF.get(offence, "public_violence")
        return profile_for(key, gender != "Female")

    def category(self, case_id: int) -> int:
        return int(
            self.s.scalar(
                select(Registration.category).where(
                    Registration.case_id == case_id, Registration.is_current.is_(True)
                )
            )
            or 0
        )

    def is_female(self, case_id: int) -> bool:
        return self.s.scalar(select(Case.gender).where(Case.id == case_id)) == "Female"

    def invitations(self, case_id: int) -> list[str]:
        """The Duty-to-Co-operate agencies invited for one case: those its risk calls for, and
        now and then one more."""
        offence = self.s.scalar(select(Case.index_offence).where(Case.id == case_id)) or ""
        wanted = list(INVITED_BY_PROFILE.get(_PROFILE_OF.get(offence, ""), ()))
        if self.rng.random() < 0.4:
            extra = self.rng.choice(SOMETIMES_INVITED)
            if extra not in wanted:
                wanted.append(extra)
        return [short for short in wanted if short in self.agencies]

    def hold(
        self,
        meeting_id: int,
        chair: Actor,
        *,
        raise_case: int | None,
        exit_case: int | None,
        lower_case: int | None,
    ) -> None:
        s, rng = self.s, self.rng
        row = meetings.get_meeting_row(s, meeting_id)
        start = datetime.combine(row.meeting_date, row.start_time or time(10, 0), tzinfo=UTC)
        # The chair reads the statement a few minutes in; the meeting is minuted as it is held.
        with recorded_at(start + timedelta(minutes=rng.randint(2, 9))):
            meetings.confirm_statement(s, chair, meeting_id)
            meetings.start_meeting(s, chair, meeting_id)
            self._record(meeting_id, raise_case, exit_case, lower_case)

    def _record(
        self,
        meeting_id: int,
        raise_case: int | None,
        exit_case: int | None,
        lower_case: int | None,
    ) -> None:
        s, rng = self.s, self.rng
        detail = meetings.get_meeting(s, meeting_id)
        minute_taker = self.minute_taker_of(detail.meeting)
        day = detail.meeting.meeting_date
        invited = {item.case.case_id: self.invitations(item.case.case_id) for item in detail.agenda}
        status = self._attendance(
            meeting_id,
            detail.meeting,
            minute_taker,
            sorted({short for shorts in invited.values() for short in shorts}),
        )

        for n, item in enumerate(detail.agenda):
            case_id = item.case.case_id
            disc_id = item.discussion.id
            profile = self.profile(case_id)
            reduced = case_id in (exit_case, lower_case)
            words = {
                "he": "she" if self.is_female(case_id) else "he",
                "nature": profile.nature[0].rstrip(".").lower(),
                "increasing": profile.increasing[0],
                "imminence": profile.imminence[0],
                "protective": rng.choice(profile.protective),
            }
            summary = REDUCED_SUMMARY if reduced else rng.choice(RISK_SUMMARIES)
            discussions.set_risk_summary(s, minute_taker, disc_id, summary.format(**words))
            for short in ("Police", "Probation"):
                discussions.add_information(
                    s,
                    minute_taker,
                    disc_id,
                    agency_id=self.agency(short),
                    text=rng.choice(INFORMATION[short]),
                    restricted=short == "Police" and rng.random() < 0.15,
                )
            for short in invited[case_id]:
                discussions.invite_agency(s, minute_taker, disc_id, self.agency(short))
                if status.get(short) in _SHARES:
                    shared = INFORMATION.get(short, (OTHER_INFORMATION.get(short, ""),))
                    discussions.add_information(
                        s,
                        minute_taker,
                        disc_id,
                        agency_id=self.agency(short),
                        text=rng.choice(shared) or "No further information held.",
                    )
            for previous in item.previous_actions:
                if previous.review is None and previous.action.status in actions.OPEN_STATUSES:
                    self._review(meeting_id, previous.action, day, minute_taker, done=reduced)
            if reduced:  # the lead agency's own actions are complete too
                for action in actions.list_open_actions(s, as_of=day, case_id=case_id):
                    self._review(meeting_id, action, day, minute_taker, done=True)
            if n == 0 and not reduced:
                self._plan_changes(meeting_id, case_id, day, minute_taker)
            if reduced:
                overall = RoshLevel.MEDIUM if case_id == exit_case else RoshLevel.HIGH
                if lower_case == case_id and item.case.level == 2:
                    overall = RoshLevel.MEDIUM  # back to Level 1
                self._assessment(meeting_id, case_id, day, overall, profile, minute_taker)
            elif n == 1:
                overall = RoshLevel.VERY_HIGH if item.case.level == 3 else RoshLevel.HIGH
                self._assessment(meeting_id, case_id, day, overall, profile, minute_taker)
            self._decisions(
                disc_id,
                item.case.category or 1,
                item.case.level or 2,
                day,
                minute_taker,
                raise_level=case_id == raise_case,
                exits=case_id == exit_case,
                lowers=case_id == lower_case,
                protective=words["protective"],
                disclosure=n == 1 and not reduced,
                dissent=n == 0 and meeting_id % 3 == 0 and not reduced,
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

    def _attendance(
        self,
        meeting_id: int,
        row: meetings.MeetingRow,
        minute_taker: Actor,
        invited: Sequence[str],
    ) -> dict[str, AttendanceStatus]:
        """The core panel and the agencies invited for any case, each attending, sending
        apologies, a deputy or a written report (it varies); returns the status by agency."""
        s, rng = self.s, self.rng
        used: set[int] = set()
        start = row.start_time or time(10, 0)
        # Chair, minute-taker and co-ordinator first, each under their own agency.
        for person_id in (row.chair_id, row.minute_taker_id, row.coordinator_id):
            if person_id is None or person_id in used:
                continue
            used.add(person_id)
            attendance.record_attendance(
                s,
                minute_taker,
                meeting_id,
                agency_id=self._agency_of(person_id),
                status=AttendanceStatus.PRESENT,
                person_id=person_id,
                arrived_at=start,
            )
        status: dict[str, AttendanceStatus] = {}
        for short in ("Police", "Probation", "Prison", *invited):
            roll = rng.random()
            if short in ("Police", "Probation"):
                choice = AttendanceStatus.PRESENT if roll < 0.9 else AttendanceStatus.DEPUTY
            elif roll < 0.5:
                choice = AttendanceStatus.PRESENT
            elif roll < 0.65:
                choice = AttendanceStatus.DEPUTY
            elif roll < 0.85:
                choice = AttendanceStatus.REPORT_SUBMITTED
            else:
                choice = AttendanceStatus.APOLOGIES
            person_id = self.person(short, used)
            deputy_for = self.person(short, used) if choice is AttendanceStatus.DEPUTY else None
            if person_id is None or (choice is AttendanceStatus.DEPUTY and deputy_for is None):
                choice = AttendanceStatus.REPORT_SUBMITTED
            late = timedelta(minutes=rng.choice((0, 0, 0, 5, 10)))
            present = choice in (AttendanceStatus.PRESENT, AttendanceStatus.DEPUTY)
            attendance.record_attendance(
                s,
                minute_taker,
                meeting_id,
                agency_id=self.agency(short),
                status=choice,
                person_id=None if choice is AttendanceStatus.REPORT_SUBMITTED else person_id,
                deputy_for_id=deputy_for if choice is AttendanceStatus.DEPUTY else None,
                arrived_at=(datetime.combine(row.meeting_date, start) + late).time()
                if present
                else None,
            )
            status[short] = choice
        return status

    def _agency_of(self, person_id: int) -> int:
        for agency_id, ids in self.staff.items():
            if person_id in ids:
                return agency_id
        return self.agency("MAPPA Unit")

    def _review(
        self,
        meeting_id: int,
        action: actions.ActionRow,
        day: date,
        minute_taker: Actor,
        *,
        done: bool = False,
    ) -> None:
        """Review an earlier action; ``done``: every action of a case about to be lowered or to
        leave MAPPA is complete."""
        roll = 0.55 if done else self.rng.random()
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
        self,
        meeting_id: int,
        case_id: int,
        day: date,
        overall: RoshLevel,
        profile: RiskProfile,
        minute_taker: Actor,
    ) -> None:
        custody = self.s.scalar(select(Case.custody_status).where(Case.id == case_id))
        rng = self.rng
        grid: dict[tuple[RiskSetting | str, RiskGroup | str], RoshLevel | str] = {
            (RiskSetting.COMMUNITY, group): RoshLevel.MEDIUM
            for group in GROUPS_BY_SETTING[RiskSetting.COMMUNITY]
        }
        if overall is RoshLevel.MEDIUM:
            grid = {key: RoshLevel.LOW for key in grid}
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
            tool_score=f"OSP/C {'Low' if overall is RoshLevel.MEDIUM else 'High'}; "
            f"RSR {rng.randint(15, 80) / 10:.1f}%",
            who_at_risk=rng.choice(profile.who_at_risk),
            nature_of_risk=rng.choice(profile.nature),
            imminence=rng.choice(profile.imminence),
            increasing_factors=rng.choice(profile.increasing),
            protective_factors=rng.choice(profile.protective),
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
        lowers: bool,
        protective: str,
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
                rationale=f"{EXIT_GROUNDS.get(category, EXIT_GROUNDS[3])} RoSH reassessed as "
                f"Medium at this meeting and not increasing; {protective[0].lower()}"
                f"{protective[1:]} Every action is complete and no agency holds a concern that "
                "needs multi-agency management; the lead agency continues to manage the case.",
            )
            self.disclosure_decision(disc_id, day, minute_taker, disclose=False, category=category)
            return
        new_level = 3 if raise_level else level - 1 if lowers else level
        interval = self.intervals[Level(new_level)]
        review = day + timedelta(days=interval)
        outcome = (
            f"Raised to Level {new_level}"
            if new_level > level
            else f"Lowered to Level {new_level}"
            if new_level < level
            else f"Remain at Level {level}"
        )
        rationale = (
            "Risk has escalated and needs senior oversight and resources at short notice."
            if raise_level
            else LOWER_GROUNDS[new_level].format(protective=protective)
            if lowers
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

    def complete_for_sign_off(self, meeting_id: int, minute_taker: Actor, day: date) -> None:
        """The minute-taker closes the gaps the self-audit finds before the chair signs: the
        offender manager, victim issues, the plan's missing pillars, contingency and licence
        conditions (the draft meeting keeps its gaps, for the self-audit to show)."""
        s = self.s
        found = self_audit.self_audit(s, meeting_id, day)
        for finding in found.must_fix:
            case_id = finding.case_id
            if case_id is None:
                continue
            case = cases.get_case(s, case_id)
            if finding.criterion == "offender_manager":
                short = next(k for k, v in self.agencies.items() if v == case.lead_agency_id)
                manager = self.first_person(short) or self.first_person("Probation")
                cases.edit_case(
                    s,
                    minute_taker,
                    case_id,
                    expected_version=case.version,
                    offender_manager_id=manager,
                )
            elif finding.criterion == "victim_issues":
                cases.edit_case(
                    s,
                    minute_taker,
                    case_id,
                    expected_version=case.version,
                    victim_notes=self.rng.choice(self.profile(case_id).victim_notes),
                )
            else:
                present = {i.pillar for i in rmp.current_plan(s, case_id)}
                for pillar in MISSING_PLAN.get(finding.criterion, ()):
                    if pillar in present:
                        continue
                    rmp.add_item(
                        s,
                        minute_taker,
                        case_id,
                        pillar=pillar,
                        text=PLAN_TEXT[pillar],
                        responsible_agency_id=self.agency("Probation"),
                        start_date=day,
                        review_date=day + timedelta(days=56),
                        rationale="Added at the meeting: the plan lacked this heading.",
                        meeting_id=meeting_id,
                    )

    def minute_taker_of(self, row: meetings.MeetingRow) -> Actor:
        if row.minute_taker_id is not None and row.minute_taker_id in self.by_person:
            return self.by_person[row.minute_taker_id]
        return self.minute_takers[0]

    def sign_and_issue(self, meeting_id: int, chair: Actor, copies: int) -> None:
        """The minute-taker submits the draft and the chair signs it off one to ten days after
        the meeting, in working hours; the co-ordinator issues copies that afternoon."""
        rng = self.rng
        row = meetings.get_meeting_row(self.s, meeting_id)
        day = _weekday(row.meeting_date + timedelta(days=rng.randint(1, 10)))
        day = max(day, row.meeting_date + timedelta(days=1))
        signed = datetime.combine(day, time(9 + rng.randint(0, 6), rng.randint(0, 59)), UTC)
        with recorded_at(signed - timedelta(minutes=rng.randint(60, 120))):
            self.complete_for_sign_off(meeting_id, self.minute_taker_of(row), row.meeting_date)
        with recorded_at(signed - timedelta(minutes=rng.randint(20, 50))):
            meetings.submit_for_sign_off(self.s, self.minute_taker_of(row), meeting_id)
        with recorded_at(signed):
            found = self_audit.self_audit(self.s, meeting_id, day)
            reasons = {f.id: AUDIT_REASONS[f.criterion] for f in found.needs_reason}
            minutes.sign_off(self.s, chair, meeting_id, reasons=reasons)
        detail = meetings.get_meeting(self.s, meeting_id)
        present = [a for a in detail.attendance if a.person_id is not None][:copies]
        with recorded_at(signed + timedelta(hours=2)):
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
    senior_chairs: Sequence[str] = (),
    progress: Callable[[str, int, int], None] | None = None,
) -> MeetingsResult:
    """Record the past and planned meetings; returns how many of each were made."""
    m = _Meetings(
        session,
        rng,
        today,
        chairs,
        senior_chairs,
        minute_takers,
        coordinators,
        person_ids_by_agency,
    )
    dates = [_weekday(today - timedelta(days=DAYS_APART * k)) for k in range(PAST_MEETINGS, 0, -1)]
    level_2, level_3 = m.pools(dates[0])
    if not level_2 and not level_3:
        return MeetingsResult(0, 0, 0, ())
    ids: list[int] = []
    signed = distributed = 0
    raised: int | None = None
    exited: int | None = None
    lowered: list[int] = []
    cursor = {2: 0, 3: 0}
    total = PAST_MEETINGS + 2
    for n, day in enumerate(dates):
        k = PAST_MEETINGS - n  # meetings ago
        level = 3 if k % 3 == 0 and level_3 else 2 if level_2 else 3
        pool = level_2 if level == 2 else level_3
        size = CASES_PER_L2_MEETING if level == 2 else CASES_PER_L3_MEETING
        chosen = [pool[(cursor[level] + i) % len(pool)] for i in range(min(size, len(pool)))]
        cursor[level] += size
        raise_case = exit_case = lower_case = None
        if level == 2 and k == 4 and len(chosen) > 1:
            raise_case = raised = chosen[-1]
        if level == 2 and k == 5 and len(chosen) > 2:
            exit_case = exited = chosen[-2]
        if k in (6, 7) and len(chosen) > 2:  # Level 3 to 2, and Level 2 to 1 (not Category 3)
            lower_case = next((c for c in chosen if level == 3 or m.category(c) != 3), None)
            lowered += [lower_case] if lower_case is not None else []
        meeting_id, chair = m.schedule(n, level, day, chosen)
        m.hold(meeting_id, chair, raise_case=raise_case, exit_case=exit_case, lower_case=lower_case)
        if k > 1:  # the latest meeting's minutes are still in draft
            copies = 3 if k > PAST_MEETINGS - 2 else 0
            m.sign_and_issue(meeting_id, chair, copies)
            signed += 1
            distributed += 1 if copies else 0
        for gone in (raised, exited, *lowered):
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
