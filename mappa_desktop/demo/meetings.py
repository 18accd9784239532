"""The demo's meetings, recorded through the real services exactly as a co-ordinator, a
minute-taker and a chair would: scheduling, agenda, statement, attendance for the meeting and for
each case, what is minuted per case (``demo.case_minutes``), the self-audit before sign-off with
the chair's reasons, sign-off and distribution.

Twelve past meetings a fortnight apart (Level 3 every third one, chaired by a senior manager): the
two oldest have been distributed, the next eight are signed off, the eleventh awaits sign-off and
the latest is still in draft; then two planned meetings. The two unsigned ones hold the weak spots
the self-audit exists to catch (``demo.showcase``). Each meeting is replayed at the time it was
held (``db.base.recorded_at``): the statement is confirmed a few minutes after the start and the
chair signs off one to ten days later. Who is invited varies by case (the offence decides which
Duty-to-Co-operate agencies matter) and attendance by meeting and by case; one case is raised, two
are lowered and one leaves MAPPA, each with a rationale that fits its risk.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mappa_desktop.db.base import recorded_at
from mappa_desktop.db.models import Agency, CaseDiscussion, Meeting, Person, Registration
from mappa_desktop.demo import minuting, panel, showcase
from mappa_desktop.demo.case_minutes import (
    CaseFacts,
    CaseMinutes,
    Minuting,
    Outcome,
    read_facts,
)
from mappa_desktop.demo.showcase import SOUND, Flaws
from mappa_desktop.domain.enums import AgendaReason, MeetingType
from mappa_desktop.services import (
    actions,
    cases,
    discussions,
    meetings,
    minutes,
    need_to_know,
    people,
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
AWAITING_SIGN_OFF = 2  # meetings ago: submitted, the self-audit finds problems
DRAFT = 1  # the latest meeting: minutes in draft
DISTRIBUTED = 2  # the oldest this many meetings are distributed
SILENT_AT = 2  # at the third meeting held, an invited agency never replies (shown for sure)
DECLINE_BY = 3  # from the fourth meeting, an agency declines to share if none has yet
VENUES = (
    "Police HQ, Conference Room 2",
    "Probation Office, Meeting Room B",
    "Civic Centre – Committee Room 1",
    "Microsoft Teams (secure link)",
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


@dataclass(frozen=True, slots=True)
class MeetingsResult:
    meetings: int
    signed_off: int  # signed off or distributed
    distributed: int
    meeting_ids: tuple[int, ...]
    awaiting_sign_off: int = 0


def _weekday(day: date) -> date:
    """Move a weekend date back to the Friday before."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), UTC)


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
        # Representatives, offender managers and action owners: practitioners, not the chairs,
        # minute-takers or the co-ordinator (where an agency has any).
        roles = {*self.by_person, self.coordinator.person_id}
        self.practitioners = {
            agency_id: [p for p in ids if p not in roles] or ids
            for agency_id, ids in person_ids_by_agency.items()
        }
        self.agencies = {a.short_name: a.id for a in session.scalars(select(Agency))}
        self.policy = settings.audit_settings(session)
        self.minutes = CaseMinutes(
            session,
            rng,
            self.agencies,
            self.first_person,
            settings.policy(session).review_interval_days,
            self.policy.assessment_age_days,
        )
        self.held = 0
        # The session's identity map holds rows weakly: without a reference, every service call
        # would load the agencies, people, the meeting and its discussions again by id.
        self.pinned: list[object] = [
            *session.scalars(select(Agency)),
            *session.scalars(select(Person)),
        ]
        self.meeting_rows: list[object] = []

    def first_person(self, short: str) -> int | None:
        found = self.practitioners.get(self.agencies.get(short, -1), [])
        return found[0] if found else None

    def person(self, short: str, avoid: set[int]) -> int | None:
        for person_id in self.practitioners.get(self.agencies.get(short, -1), []):
            if person_id not in avoid:
                avoid.add(person_id)
                return person_id
        return None

    def category(self, case_id: int) -> int:
        return int(
            self.s.scalar(
                select(Registration.category).where(
                    Registration.case_id == case_id, Registration.is_current.is_(True)
                )
            )
            or 0
        )

    def agency_of(self, person_id: int) -> int:
        for agency_id, ids in self.staff.items():
            if person_id in ids:
                return agency_id
        return self.agencies["MAPPA Unit"]

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

    def invitations(self, facts: CaseFacts) -> list[str]:
        """The Duty-to-Co-operate agencies invited for one case: those its risk calls for, and
        now and then one more."""
        wanted = list(INVITED_BY_PROFILE.get(facts.profile_key, ()))
        if self.rng.random() < 0.4:
            extra = self.rng.choice(SOMETIMES_INVITED)
            if extra not in wanted:
                wanted.append(extra)
        return [short for short in wanted if short in self.agencies]

    def prior_child_action(self, case_id: int, day: date) -> None:
        """A child-safety action set between meetings three weeks before ``day``, still open."""
        short, what, purpose = minuting.CHILD_SAFETY_ACTION
        if short not in self.agencies:
            return
        with recorded_at(_at(day - timedelta(days=21), 11)):
            actions.set_action(
                self.s,
                self.coordinator,
                case_id,
                text=what,
                purpose=purpose,
                owner_agency_id=self.agencies[short],
                owner_person_id=self.first_person(short),
                due_date=day + timedelta(days=14),
            )

    def hold(
        self,
        meeting_id: int,
        chair: Actor,
        outcomes: Mapping[int, Outcome],
        flaws: Mapping[int, Flaws],
    ) -> None:
        s, rng = self.s, self.rng
        row = meetings.get_meeting_row(s, meeting_id)
        start = datetime.combine(row.meeting_date, row.start_time or time(10, 0), tzinfo=UTC)
        # The chair reads the statement a few minutes in; the meeting is minuted as it is held.
        with recorded_at(start + timedelta(minutes=rng.randint(2, 9))):
            meetings.confirm_statement(s, chair, meeting_id)
            meetings.start_meeting(s, chair, meeting_id)
            self._record(meeting_id, outcomes, flaws)
        self.held += 1

    def _record(
        self,
        meeting_id: int,
        outcomes: Mapping[int, Outcome],
        flaws: Mapping[int, Flaws],
    ) -> None:
        s, rng = self.s, self.rng
        detail = meetings.get_meeting(s, meeting_id)
        row = detail.meeting
        minute_taker = self.minute_taker_of(row)
        self.pin_meeting(meeting_id)
        day = row.meeting_date
        facts = read_facts(s, [item.case.case_id for item in detail.agenda], day)
        invited = {
            item.case.case_id: self.invitations(facts[item.case.case_id]) for item in detail.agenda
        }
        seats = panel.record_meeting(
            s,
            rng,
            minute_taker,
            meeting_id,
            day,
            row.start_time or time(10, 0),
            panel.MeetingPeople(
                row.chair_id, row.minute_taker_id, row.coordinator_id, self.agency_of
            ),
            self.agencies,
            self.person,
            sorted({short for shorts in invited.values() for short in shorts}),
            silent=self.held == SILENT_AT,
        )
        leaver = panel.leaver(rng, seats, self.agency_of(row.chair_id), self.agencies)
        left_at = rng.randrange(len(detail.agenda)) if leaver is not None else -1
        left_room = (self.agency_of(leaver), leaver) if leaver is not None else None
        gone_before: set[str] = set()
        at = Minuting(meeting_id, day, minute_taker, seats)
        for n, item in enumerate(detail.agenda):
            case_id = item.case.case_id
            for short in invited[case_id]:
                discussions.invite_agency(s, minute_taker, item.discussion.id, self.agencies[short])
            shared = panel.record_case(
                s,
                rng,
                minute_taker,
                item.discussion.id,
                invited=invited[case_id],
                seats=seats,
                agencies=self.agencies,
                left_room=left_room if n == left_at else None,
                gone_before=gone_before,
                pick=self.person,
            )
            self.minutes.record(
                at,
                n,
                item,
                facts[case_id],
                shared,
                outcome=outcomes.get(case_id, Outcome.KEEP),
                flaws=flaws.get(case_id, SOUND),
                decline_due=self.held >= DECLINE_BY,
            )
        meetings.close_to_draft(s, minute_taker, meeting_id)

    def pin_meeting(self, meeting_id: int) -> None:
        """Keep the meeting and its discussions loaded while it is minuted and signed."""
        self.meeting_rows = [
            self.s.get(Meeting, meeting_id),
            *self.s.scalars(select(CaseDiscussion).where(CaseDiscussion.meeting_id == meeting_id)),
        ]

    def complete_for_sign_off(
        self,
        meeting_id: int,
        minute_taker: Actor,
        day: date,
        flaws: Mapping[int, Flaws],
    ) -> None:
        """The minute-taker closes the gaps the self-audit finds before the chair signs: the
        offender manager, victim and diversity issues, the plan's missing pillars, contingency and
        licence conditions; a planted flaw (``flaws``) is left for the self-audit to show."""
        s = self.s
        found = self_audit.self_audit(s, meeting_id, day)
        discussion_of = dict(
            s.execute(
                select(CaseDiscussion.case_id, CaseDiscussion.id).where(
                    CaseDiscussion.meeting_id == meeting_id
                )
            ).all()
        )
        for finding in found.must_fix:
            case_id = finding.case_id
            if case_id is None or finding.criterion in flaws.get(case_id, SOUND).left_alone:
                continue
            if finding.criterion == "offender_manager":
                case = cases.get_case(s, case_id)
                short = next(k for k, v in self.agencies.items() if v == case.lead_agency_id)
                manager = self.first_person(short) or self.first_person("Probation")
                cases.edit_case(
                    s,
                    minute_taker,
                    case_id,
                    expected_version=case.version,
                    offender_manager_id=manager,
                )
            elif finding.criterion in ("victim_issues", "diversity_issues"):
                facts = read_facts(s, [case_id], day)[case_id]
                wanted = (
                    self.rng.choice(facts.profile.victim_issues)
                    if finding.criterion == "victim_issues"
                    else minuting.fill(
                        minuting.diversity_issues(
                            self.rng,
                            male=facts.male,
                            age=facts.age,
                            culture=facts.culture,
                            profile_key=facts.profile_key,
                        ),
                        minuting.pronouns(facts.male),
                    )
                )
                discussions.set_case_text(
                    s, minute_taker, discussion_of[case_id], finding.criterion, wanted
                )
            else:
                self._complete_plan(case_id, finding.criterion, minute_taker, meeting_id, day)

    def _complete_plan(
        self, case_id: int, criterion: str, minute_taker: Actor, meeting_id: int, day: date
    ) -> None:
        present = {i.pillar for i in rmp.current_plan(self.s, case_id)}
        for pillar in minuting.MISSING_PLAN.get(criterion, ()):
            if pillar in present:
                continue
            rmp.add_item(
                self.s,
                minute_taker,
                case_id,
                pillar=pillar,
                text=minuting.PLAN_TEXT[pillar],
                responsible_agency_id=self.agencies["Probation"],
                start_date=day,
                review_date=day + timedelta(days=56),
                rationale="Added at the meeting: the plan lacked this heading.",
                meeting_id=meeting_id,
            )

    def minute_taker_of(self, row: meetings.MeetingRow) -> Actor:
        if row.minute_taker_id is not None and row.minute_taker_id in self.by_person:
            return self.by_person[row.minute_taker_id]
        return self.minute_takers[0]

    def _completed(self, meeting_id: int, flaws: Mapping[int, Flaws], when: datetime) -> None:
        row = meetings.get_meeting_row(self.s, meeting_id)
        with recorded_at(when):
            self.complete_for_sign_off(
                meeting_id, self.minute_taker_of(row), row.meeting_date, flaws
            )

    def leave_in_draft(self, meeting_id: int, flaws: Mapping[int, Flaws]) -> None:
        """The minute-taker tidies the draft the day after the meeting (planted flaws stay)."""
        day = meetings.get_meeting_row(self.s, meeting_id).meeting_date
        self._completed(meeting_id, flaws, _at(min(self.today, day + timedelta(days=1)), 15))

    def submit(self, meeting_id: int, flaws: Mapping[int, Flaws]) -> None:
        """Completed (planted flaws stay) and submitted within two days of the meeting: the
        chair has not signed, as the self-audit finds what must be fixed first."""
        row = meetings.get_meeting_row(self.s, meeting_id)
        when = _at(min(self.today, _weekday(row.meeting_date + timedelta(days=2))), 14)
        self._completed(meeting_id, flaws, when)
        with recorded_at(when + timedelta(minutes=30)):
            meetings.submit_for_sign_off(self.s, self.minute_taker_of(row), meeting_id)

    def sign_and_issue(self, meeting_id: int, chair: Actor, copies: int) -> None:
        """The minute-taker completes and submits the draft and the chair signs it off one to
        ten days after the meeting, in working hours, with a reason for each finding that needs
        one; the co-ordinator issues copies that afternoon."""
        rng = self.rng
        row = meetings.get_meeting_row(self.s, meeting_id)
        day = _weekday(row.meeting_date + timedelta(days=rng.randint(1, 10)))
        day = max(day, row.meeting_date + timedelta(days=1))
        signed = datetime.combine(day, time(9 + rng.randint(0, 6), rng.randint(0, 59)), UTC)
        self._completed(meeting_id, {}, signed - timedelta(minutes=rng.randint(60, 120)))
        with recorded_at(signed - timedelta(minutes=rng.randint(20, 50))):
            meetings.submit_for_sign_off(self.s, self.minute_taker_of(row), meeting_id)
        with recorded_at(signed):
            found = self_audit.self_audit(self.s, meeting_id, day)
            case_ids = sorted({f.case_id for f in found.needs_reason if f.case_id is not None})
            facts = read_facts(self.s, case_ids, day) if case_ids else {}
            reasons = {}
            for f in found.needs_reason:
                about = facts.get(f.case_id) if f.case_id is not None else None
                reasons[f.id] = minuting.reason_for(
                    rng,
                    f.criterion,
                    minuting.pronouns(about is None or about.male),
                    about.profile_key if about is not None else "",
                )
            minutes.sign_off(self.s, chair, meeting_id, reasons=reasons)
        # Each offender's record to those on the distribution list who need to know that case
        # (the first ``copies`` people on it: the log, not every file, is what the demo shows).
        listed = need_to_know.distribution_list(self.s, meeting_id)[:copies]
        with recorded_at(signed + timedelta(hours=2)):
            for recipient in listed:
                for case_id in recipient.case_ids:
                    minutes.record_distribution(
                        self.s,
                        self.coordinator,
                        meeting_id,
                        recipient_name=recipient.label,
                        recipient_person_id=recipient.person_id,
                        recipient_agency_id=recipient.agency_id,
                        case_id=case_id,
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
    signed = distributed = awaiting = 0
    gone: list[int] = []  # raised, exited or lowered: no longer in the pools
    shown: list[int] = []  # on the meeting awaiting sign-off
    cursor = {2: 0, 3: 0}
    total = PAST_MEETINGS + 2
    for n, day in enumerate(dates):
        k = PAST_MEETINGS - n  # meetings ago
        level = 3 if k % 3 == 0 and level_3 else 2 if level_2 else 3
        pool = level_2 if level == 2 else level_3
        size = CASES_PER_L2_MEETING if level == 2 else CASES_PER_L3_MEETING
        chosen = [pool[(cursor[level] + i) % len(pool)] for i in range(min(size, len(pool)))]
        cursor[level] += size
        outcomes: dict[int, Outcome] = {}
        flaws: dict[int, Flaws] = {}
        if level == 2 and k == 4 and len(chosen) > 1:
            outcomes[chosen[-1]] = Outcome.RAISE
        if level == 2 and k == 5 and len(chosen) > 2:
            outcomes[chosen[-2]] = Outcome.EXIT
        if k in (6, 7) and len(chosen) > 2:  # Level 3 to 2, and Level 2 to 1 (not Category 3)
            lower = next((c for c in chosen if level == 3 or m.category(c) != 3), None)
            if lower is not None:
                outcomes[lower] = Outcome.LOWER
        preferred = chosen + [c for c in pool if c not in chosen]
        if level == 2 and k == AWAITING_SIGN_OFF:
            chosen, flaws = showcase.awaiting_agenda(
                session,
                day,
                preferred,
                size,
                exclude=gone,
                assessment_age_days=m.policy.assessment_age_days,
            )
            shown = list(chosen)
        elif level == 2 and k == DRAFT:
            chosen, flaws = showcase.draft_agenda(
                session, day, preferred, size, exclude=[*gone, *shown]
            )
        for case_id in flaws:
            if flaws[case_id].unsound_exit:
                m.prior_child_action(case_id, day)
        meeting_id, chair = m.schedule(n, level, day, chosen)
        m.hold(meeting_id, chair, outcomes, flaws)
        if k > AWAITING_SIGN_OFF:
            copies = 3 if k > PAST_MEETINGS - DISTRIBUTED else 0
            m.sign_and_issue(meeting_id, chair, copies)
            signed += 1
            distributed += 1 if copies else 0
        elif k == AWAITING_SIGN_OFF:
            m.submit(meeting_id, flaws)
            awaiting += 1
        else:
            m.leave_in_draft(meeting_id, flaws)
        gone += [c for c in outcomes if c not in gone]
        for p in (level_2, level_3):
            for case_id in gone:
                if case_id in p and len(p) > 1:
                    p.remove(case_id)
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
        meetings=len(ids),
        signed_off=signed,
        distributed=distributed,
        meeting_ids=tuple(ids),
        awaiting_sign_off=awaiting,
    )
