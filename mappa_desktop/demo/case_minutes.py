"""One case minuted at a demo meeting, through the services, as a minute-taker would: the chair's
risk summary and trend, victim and diversity issues, the discussion, information shared by each
agency (who gave it, as at when, or why it was declined), the review of earlier actions, plan
changes, a new risk assessment where one is due, the decisions and new actions with their
purpose. ``Flaws`` (``demo.showcase``) leave a planted weakness for the self-audit to find.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mappa_desktop.db.models import Case, Registration, RiskAssessment
from mappa_desktop.demo import minuting as text
from mappa_desktop.demo.names import Culture
from mappa_desktop.demo.offences import PROFILE_OF, RiskProfile, profile_for
from mappa_desktop.demo.panel import SHARES, Seat
from mappa_desktop.demo.showcase import SOUND, Flaws
from mappa_desktop.domain.enums import (
    GROUPS_BY_SETTING,
    ActionStatus,
    CustodyStatus,
    DecisionKind,
    Level,
    NotDoneReason,
    RiskGroup,
    RiskSetting,
    RiskTrend,
    RmpPillar,
    RoshLevel,
)
from mappa_desktop.services import actions, discussions, meetings, risk, rmp
from mappa_desktop.services.actor import Actor

# A risk assessment older than this at a signed meeting is mostly brought up to date there
# (the rest are signed with the chair's reason).
REFRESH_SHARE = 0.75
DECLINE_SHARE = 0.12
# Who is at highest risk (the RoSH group an assessment at a meeting rates highest), by profile.
AT_RISK: dict[str, RiskGroup] = {
    "adult_sexual": RiskGroup.KNOWN_ADULT,
    "child_sexual": RiskGroup.CHILDREN,
    "online_child": RiskGroup.CHILDREN,
    "domestic": RiskGroup.KNOWN_ADULT,
    "stalking": RiskGroup.KNOWN_ADULT,
}


class Outcome(Enum):
    """What the meeting decides for the case's level."""

    KEEP = "keep"
    RAISE = "raise"
    LOWER = "lower"
    EXIT = "exit"


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the minute-taker's words depend on, read once per meeting."""

    case_id: int
    male: bool
    age: int
    category: int
    profile_key: str
    culture: Culture | None
    custody: CustodyStatus
    latest_assessed: date | None
    latest_rosh: RoshLevel | None
    offence_and_sentence: str
    offender_manager_id: int | None

    @property
    def profile(self) -> RiskProfile:
        return profile_for(self.profile_key, self.male)


def read_facts(session: Session, case_ids: list[int], day: date) -> dict[int, CaseFacts]:
    """The facts of the agenda's cases (two statements)."""
    latest = dict(
        session.execute(
            select(RiskAssessment.case_id, func.max(RiskAssessment.assessed_on))
            .where(RiskAssessment.case_id.in_(case_ids))
            .group_by(RiskAssessment.case_id)
        ).all()
    )
    rosh = {
        case_id: level
        for case_id, level, on in session.execute(
            select(RiskAssessment.case_id, RiskAssessment.overall_rosh, RiskAssessment.assessed_on)
            .where(RiskAssessment.case_id.in_(case_ids))
            .order_by(RiskAssessment.version_no)
        )
        if on == latest.get(case_id)
    }
    rows = session.execute(
        select(Case, Registration.category)
        .join(Registration, Registration.case_id == Case.id)
        .where(Case.id.in_(case_ids), Registration.is_current.is_(True))
    )
    out: dict[int, CaseFacts] = {}
    for case, category in rows:
        born = case.date_of_birth
        age = (day - born).days // 365 if born is not None else 40
        out[case.id] = CaseFacts(
            case_id=case.id,
            male=case.gender != "Female",
            age=age,
            category=category,
            profile_key=PROFILE_OF.get(case.index_offence, "public_violence"),
            culture=text.culture_of(case.ethnicity, case.family_name),
            custody=case.custody_status,
            latest_assessed=latest.get(case.id),
            latest_rosh=rosh.get(case.id),
            offence_and_sentence=f"{case.index_offence} {case.sentence}",
            offender_manager_id=case.offender_manager_id,
        )
    return out


def words_for(facts: CaseFacts, rng: random.Random) -> dict[str, str]:
    """The words the case's texts are filled with: pronouns and its own risk narrative."""
    profile = facts.profile
    increasing = rng.choice(profile.increasing)
    protective = rng.choice(profile.protective)
    return {
        **text.pronouns(facts.male),
        "nature": profile.nature[0].rstrip(".").lower(),
        "Nature": profile.nature[0],
        "increasing": increasing,
        "increasing_lc": increasing[0].lower() + increasing[1:].rstrip("."),
        "imminence": profile.imminence[0],
        "protective": protective,
        "protective_lc": protective[0].lower() + protective[1:].rstrip("."),
    }


@dataclass(frozen=True, slots=True)
class Minuting:
    """The meeting a case is minuted at."""

    meeting_id: int
    day: date
    minute_taker: Actor
    seats: Mapping[str, Seat]  # meeting-wide, by agency short name


class CaseMinutes:
    def __init__(
        self,
        session: Session,
        rng: random.Random,
        agencies: Mapping[str, int],
        first_person: Callable[[str], int | None],
        intervals: Mapping[Level, int],
        assessment_age_days: int,
    ) -> None:
        self.s = session
        self.rng = rng
        self.agencies = agencies
        self.first_person = first_person
        self.intervals = intervals
        self.assessment_age_days = assessment_age_days
        self.declines = 0

    def record(
        self,
        at: Minuting,
        n: int,
        item: meetings.AgendaItem,
        facts: CaseFacts,
        shared: Mapping[str, Seat],
        *,
        outcome: Outcome = Outcome.KEEP,
        flaws: Flaws = SOUND,
        decline_due: bool = False,
    ) -> None:
        """Minute the ``n``-th case of the agenda; ``shared``: the invited or reporting agencies
        that shared information for it."""
        words = words_for(facts, self.rng)
        reduced = outcome in (Outcome.LOWER, Outcome.EXIT)
        leaves = outcome is Outcome.EXIT or flaws.unsound_exit
        self._texts(at, item.discussion.id, facts, words, outcome, flaws)
        self._information(at, item.discussion.id, facts, shared, words, decline_due=decline_due)
        for previous in item.previous_actions:
            if previous.review is None and previous.action.status in actions.OPEN_STATUSES:
                self.review(at, previous.action, done=reduced, keep_open=flaws.unsound_exit)
        if reduced:  # the lead agency's own actions are complete too
            for action in actions.list_open_actions(self.s, as_of=at.day, case_id=facts.case_id):
                self.review(at, action, done=True)
        if n == 0 and not reduced and not leaves:
            self._plan_changes(at, facts.case_id)
        self._assessment_if_due(at, n, item, facts, words, outcome, flaws)
        if flaws.unsound_exit:
            self._unsound_exit(at, item.discussion.id, facts)
        else:
            self._decisions(at, item, facts, words["protective"], outcome, n=n)
        if not leaves:
            self._new_actions(at, facts, flaws)

    # --- words -------------------------------------------------------------------------------

    def _texts(
        self,
        at: Minuting,
        disc_id: int,
        facts: CaseFacts,
        words: Mapping[str, str],
        outcome: Outcome,
        flaws: Flaws,
    ) -> None:
        s, rng, mt = self.s, self.rng, at.minute_taker
        if outcome in (Outcome.LOWER, Outcome.EXIT):
            summary, trend = text.REDUCED_SUMMARY, RiskTrend.DECREASING
        elif outcome is Outcome.RAISE or flaws.unsound_exit:
            summary, trend = text.INCREASING_SUMMARY, RiskTrend.INCREASING
        else:
            summary, trend = text.pick_summary(rng)
        discussions.set_risk_summary(s, mt, disc_id, text.fill(summary, words))
        discussions.set_risk_trend(s, mt, disc_id, trend)
        if not flaws.no_victim_issues:
            victims = rng.choice(facts.profile.victim_issues)
            discussions.set_case_text(s, mt, disc_id, "victim_issues", victims)
        diversity = text.diversity_issues(
            rng,
            male=facts.male,
            age=facts.age,
            culture=facts.culture,
            profile_key=facts.profile_key,
        )
        discussions.set_case_text(s, mt, disc_id, "diversity_issues", text.fill(diversity, words))
        notes = text.fill(rng.choice(text.DISCUSSIONS), words)
        discussions.set_case_text(s, mt, disc_id, "notes", notes)

    def _information(
        self,
        at: Minuting,
        disc_id: int,
        facts: CaseFacts,
        shared: Mapping[str, Seat],
        words: Mapping[str, str],
        *,
        decline_due: bool,
    ) -> None:
        """Police and probation always report; each agency invited (or reporting) for the case
        that was there or sent a report shares too, or now and then declines, saying why."""
        s, rng = self.s, self.rng
        in_custody = facts.custody is CustodyStatus.CUSTODY
        reporting = ("Police", "Probation", *(("Prison",) if in_custody else ()))
        sources = {
            short: at.seats[short]
            for short in reporting
            if short in at.seats and at.seats[short].status in SHARES
        } | dict(shared)
        for short, seat in sources.items():
            declined = short in text.DECLINED and (
                rng.random() < DECLINE_SHARE or (decline_due and self.declines == 0)
            )
            self.declines += declined
            choices = text.information_for(short, in_custody)
            discussions.add_information(
                s,
                at.minute_taker,
                disc_id,
                agency_id=self.agencies[short],
                text=text.DECLINED[short] if declined else text.fill(rng.choice(choices), words),
                restricted=short == "Police" and rng.random() < 0.15,
                given_by_id=seat.person_id,
                as_at=at.day - timedelta(days=rng.randint(2, 9)),
                declined=declined,
            )

    # --- actions -----------------------------------------------------------------------------

    def review(
        self,
        at: Minuting,
        action: actions.ActionRow,
        *,
        done: bool = False,
        keep_open: bool = False,
    ) -> None:
        """Review an earlier action; ``done``: every action of a case about to be lowered or to
        leave MAPPA is complete; ``keep_open``: still in progress."""
        roll = 0.55 if done else 0.3 if keep_open else self.rng.random()
        day = at.day
        outcome: ActionStatus
        reason: NotDoneReason | None = None
        new_due: date | None = None
        if action.due_date >= day and roll < 0.5:
            outcome, note = ActionStatus.OPEN, "In progress."
        elif keep_open or 0.6 <= roll < 0.9:
            outcome = ActionStatus.CARRIED_OVER
            reason = NotDoneReason.NOT_DONE_BY_AGENCY
            note = "Not done: the officer was on leave; carried over."
            new_due = day + timedelta(days=14)
        elif roll < 0.6:
            outcome, note = ActionStatus.DONE, "Completed."
        else:
            outcome = ActionStatus.CANCELLED
            reason = NotDoneReason.CIRCUMSTANCES_CHANGED
            note = "No longer needed: circumstances changed (moved out of the area)."
        actions.review_action(
            self.s,
            at.minute_taker,
            at.meeting_id,
            action.id,
            outcome=outcome,
            not_done_reason=reason,
            note=note,
            new_due_date=new_due,
        )

    def _new_actions(self, at: Minuting, facts: CaseFacts, flaws: Flaws) -> None:
        """One or two different actions, each with its purpose (the first without one where
        that is the planted flaw)."""
        rng = self.rng
        in_custody = facts.custody is CustodyStatus.CUSTODY
        offered = [
            idea
            for idea in text.NEW_ACTIONS
            if idea.owner in self.agencies
            and idea.fits(facts.profile_key, facts.offence_and_sentence, in_custody)
        ]
        for k, idea in enumerate(rng.sample(offered, min(len(offered), rng.randint(1, 2)))):
            actions.set_action(
                self.s,
                at.minute_taker,
                facts.case_id,
                text=idea.text,
                purpose="" if flaws.no_action_purpose and k == 0 else idea.purpose,
                owner_agency_id=self.agencies[idea.owner],
                owner_person_id=self.first_person(idea.owner),
                due_date=at.day + timedelta(days=rng.randint(14, 42)),
                meeting_id=at.meeting_id,
            )

    # --- the plan and the risk -----------------------------------------------------------------

    def _plan_changes(self, at: Minuting, case_id: int) -> None:
        s, mt, day = self.s, at.minute_taker, at.day
        rmp.add_item(
            s,
            mt,
            case_id,
            pillar=RmpPillar.VICTIM_SAFETY,
            text="Victim liaison officer to brief the victim on the exclusion zone & curfew.",
            responsible_agency_id=self.agencies["Probation"],
            start_date=day,
            review_date=day + timedelta(days=56),
            rationale="Agreed at the meeting: the victim asked to be kept informed.",
            meeting_id=at.meeting_id,
        )
        current = [i for i in rmp.current_plan(s, case_id) if i.pillar is RmpPillar.SUPERVISION]
        options = [t for t in text.SUPERVISION_CHANGES if not current or t != current[0].text]
        if current and options:
            item = current[0]
            rmp.change_item(
                s,
                mt,
                item.id,
                expected_version=item.version,
                rationale="Contact changed to match the current level of risk.",
                text=self.rng.choice(options),
                meeting_id=at.meeting_id,
            )

    def _assessment_if_due(
        self,
        at: Minuting,
        n: int,
        item: meetings.AgendaItem,
        facts: CaseFacts,
        words: Mapping[str, str],
        outcome: Outcome,
        flaws: Flaws,
    ) -> None:
        """A new assessment at the meeting: for a case lowered or leaving (reassessed lower),
        the unsound exit (High, the children or the known adult at high risk), the second case
        on the agenda, and most cases whose latest assessment is older than local policy."""
        if flaws.stale_assessment:
            return
        group = AT_RISK.get(facts.profile_key, RiskGroup.PUBLIC)
        if outcome is Outcome.EXIT:
            overall = RoshLevel.MEDIUM
        elif outcome is Outcome.LOWER:
            overall = RoshLevel.MEDIUM if item.case.level == 2 else RoshLevel.HIGH
        elif flaws.unsound_exit:
            overall = RoshLevel.HIGH
        elif n == 1:
            overall = RoshLevel.VERY_HIGH if item.case.level == 3 else RoshLevel.HIGH
        elif self._stale(facts, at.day) and self.rng.random() < REFRESH_SHARE:
            overall = facts.latest_rosh or RoshLevel.HIGH
        else:
            return
        self._assessment(at, facts, overall, group, words)

    def _stale(self, facts: CaseFacts, day: date) -> bool:
        latest = facts.latest_assessed
        return latest is None or (day - latest).days > self.assessment_age_days

    def _assessment(
        self,
        at: Minuting,
        facts: CaseFacts,
        overall: RoshLevel,
        group: RiskGroup,
        words: Mapping[str, str],
    ) -> None:
        rng = self.rng
        profile = facts.profile
        grid: dict[tuple[RiskSetting | str, RiskGroup | str], RoshLevel | str] = {
            (RiskSetting.COMMUNITY, g): RoshLevel.MEDIUM
            for g in GROUPS_BY_SETTING[RiskSetting.COMMUNITY]
        }
        if overall is RoshLevel.MEDIUM:
            grid = {key: RoshLevel.LOW for key in grid}
        grid[(RiskSetting.COMMUNITY, group)] = overall
        if facts.custody is CustodyStatus.CUSTODY:
            for g in GROUPS_BY_SETTING[RiskSetting.CUSTODY]:
                grid[(RiskSetting.CUSTODY, g)] = RoshLevel.LOW
        risk.record_assessment(
            self.s,
            at.minute_taker,
            facts.case_id,
            assessed_on=at.day,
            assessor_id=facts.offender_manager_id,
            overall=overall,
            ratings=grid,
            tool_score=f"OSP/C {'Low' if overall is RoshLevel.MEDIUM else 'High'}; "
            f"RSR {rng.randint(15, 80) / 10:.1f}%",
            who_at_risk=rng.choice(profile.who_at_risk),
            nature_of_risk=rng.choice(profile.nature),
            imminence=rng.choice(profile.imminence),
            increasing_factors=words["increasing"],
            protective_factors=words["protective"],
            meeting_id=at.meeting_id,
        )

    # --- decisions ---------------------------------------------------------------------------

    def _decisions(
        self,
        at: Minuting,
        item: meetings.AgendaItem,
        facts: CaseFacts,
        protective: str,
        outcome: Outcome,
        *,
        n: int,
    ) -> None:
        s, mt = self.s, at.minute_taker
        disc_id = item.discussion.id
        category = item.case.category or 1
        level = item.case.level or 2
        if outcome is Outcome.EXIT:
            discussions.record_decision(
                s,
                mt,
                disc_id,
                kind=DecisionKind.EXIT,
                outcome="Exit MAPPA management",
                rationale=f"{text.EXIT_GROUNDS.get(category, text.EXIT_GROUNDS[3])} RoSH "
                f"reassessed as Medium at this meeting and not increasing; "
                f"{protective[0].lower()}{protective[1:]} Every action is complete and no agency "
                "holds a concern that needs multi-agency management; the lead agency continues "
                "to manage the case.",
            )
            self._disclosure(at, disc_id, facts, disclose=False)
            return
        new_level = (
            3 if outcome is Outcome.RAISE else level - 1 if outcome is Outcome.LOWER else level
        )
        review = at.day + timedelta(days=self.intervals[Level(new_level)])
        outcome_text = (
            f"Raised to Level {new_level}"
            if new_level > level
            else f"Lowered to Level {new_level}"
            if new_level < level
            else f"Remain at Level {level}"
        )
        rationale = (
            "Risk has escalated and needs senior oversight and resources at short notice."
            if outcome is Outcome.RAISE
            else text.LOWER_GROUNDS[new_level].format(protective=protective)
            if outcome is Outcome.LOWER
            else "Multi-agency management still adds value; the plan is working."
        )
        dissent = n == 0 and at.meeting_id % 3 == 0 and outcome is Outcome.KEEP
        discussions.record_decision(
            s,
            mt,
            disc_id,
            kind=DecisionKind.LEVEL,
            outcome=outcome_text,
            rationale=rationale,
            new_level=new_level,
            next_review_date=review,
            dissents=(
                (
                    (
                        self.agencies["Probation"],
                        None,
                        "Probation felt Level 3 was needed; the chair noted the view.",
                    ),
                )
                if dissent
                else ()
            ),
        )
        disclose = n == 1 and outcome is not Outcome.LOWER
        self._disclosure(at, disc_id, facts, disclose=disclose)

    def _unsound_exit(self, at: Minuting, disc_id: int, facts: CaseFacts) -> None:
        """The exit an inspector would not defend: no reasoning beyond the date."""
        discussions.record_decision(
            self.s,
            at.minute_taker,
            disc_id,
            kind=DecisionKind.EXIT,
            outcome="Exit MAPPA management",
            rationale=text.UNSOUND_EXIT_RATIONALE,
        )
        self._disclosure(at, disc_id, facts, disclose=False)

    def _disclosure(
        self,
        at: Minuting,
        disc_id: int,
        facts: CaseFacts,
        *,
        disclose: bool,
    ) -> None:
        """Disclosure is considered at every meeting: record it either way (a disclosure to
        whoever is at risk from this offender)."""
        s, mt = self.s, at.minute_taker
        category = facts.category
        if not disclose:
            discussions.record_decision(
                s,
                mt,
                disc_id,
                kind=DecisionKind.DISCLOSURE,
                outcome="No disclosure",
                rationale="No one was identified who needs the information to be protected.",
                disclose=False,
                s327a_considered=category == 1,
            )
            return
        plan = text.DISCLOSURES.get(facts.profile_key, text.STAFF_DISCLOSURE)
        discussions.record_decision(
            s,
            mt,
            disc_id,
            kind=DecisionKind.DISCLOSURE,
            outcome=plan.outcome,
            rationale=text.fill(plan.rationale, text.pronouns(facts.male)),
            disclose=True,
            disclosure_to=plan.to,
            disclosure_by=plan.by,
            disclosure_method=plan.method,
            disclosure_date=at.day + timedelta(days=7),
            s327a_considered=category == 1,
        )
