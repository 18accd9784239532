"""Risk assessments: versioned, never overwritten. A new assessment is a new row (version_no+1).

The RoSH grid is rated per group and setting (DOMAIN.md §1.4): the community grid (children,
public, known adult, staff) is always complete; the custody grid adds prisoners and is all-or-
nothing, and it is required while the person is in custody.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from mappa_desktop.db.models import Case, Person, RiskAssessment, RoshRating, User
from mappa_desktop.domain.enums import (
    GROUPS_BY_SETTING,
    AssessmentTool,
    CustodyStatus,
    RiskGroup,
    RiskSetting,
    RoshLevel,
)
from mappa_desktop.domain.errors import ConflictError
from mappa_desktop.domain.validation import MAX_TEXT, Checker
from mappa_desktop.services import audit, meeting_guard
from mappa_desktop.services.actor import Actor, require_writer
from mappa_desktop.services.common import get_or_404
from mappa_desktop.services.registration import check_meeting_link

MAX_TOOL_SCORE = 100
NARRATIVES = (
    "who_at_risk",
    "nature_of_risk",
    "imminence",
    "increasing_factors",
    "protective_factors",
)
GROUP_LABELS: Mapping[RiskGroup, str] = {
    RiskGroup.CHILDREN: "children",
    RiskGroup.PUBLIC: "the public",
    RiskGroup.KNOWN_ADULT: "a known adult",
    RiskGroup.STAFF: "staff",
    RiskGroup.PRISONERS: "prisoners",
}
# Display order of the grid: community then custody, groups in GROUPS_BY_SETTING order.
GRID: tuple[tuple[RiskSetting, RiskGroup], ...] = tuple(
    (setting, group) for setting in RiskSetting for group in GROUPS_BY_SETTING[setting]
)


@dataclass(frozen=True, slots=True)
class RatingRow:
    setting: RiskSetting
    group: RiskGroup
    level: RoshLevel


@dataclass(frozen=True, slots=True)
class AssessmentRow:
    id: int
    case_id: int
    version_no: int  # 1, 2, 3... per case; assessments are never edited, so this is the version
    assessed_on: date
    assessor_id: int | None
    assessor_name: str
    tool: AssessmentTool
    tool_score: str
    overall: RoshLevel
    ratings: tuple[RatingRow, ...]  # in GRID order
    who_at_risk: str
    nature_of_risk: str
    imminence: str
    increasing_factors: str
    protective_factors: str
    meeting_id: int | None
    recorded_by_id: int | None
    recorded_by: str  # display name of the user who recorded it
    recorded_at: datetime

    def rating(self, setting: RiskSetting | str, group: RiskGroup | str) -> RoshLevel | None:
        for r in self.ratings:
            if r.setting == setting and r.group == group:
                return r.level
        return None

    @property
    def has_custody_grid(self) -> bool:
        return any(r.setting is RiskSetting.CUSTODY for r in self.ratings)


def _row(a: RiskAssessment, assessor: Person | None, recorder: Person | None) -> AssessmentRow:
    order = {key: i for i, key in enumerate(GRID)}
    ratings = sorted(
        (RatingRow(setting=r.setting, group=r.risk_group, level=r.level) for r in a.ratings),
        key=lambda r: order.get((r.setting, r.group), len(order)),
    )
    return AssessmentRow(
        id=a.id,
        case_id=a.case_id,
        version_no=a.version_no,
        assessed_on=a.assessed_on,
        assessor_id=a.assessor_id,
        assessor_name=assessor.display_name if assessor is not None else "",
        tool=a.tool,
        tool_score=a.tool_score,
        overall=a.overall_rosh,
        ratings=tuple(ratings),
        who_at_risk=a.who_at_risk,
        nature_of_risk=a.nature_of_risk,
        imminence=a.imminence,
        increasing_factors=a.increasing_factors,
        protective_factors=a.protective_factors,
        meeting_id=a.meeting_id,
        recorded_by_id=a.recorded_by_id,
        recorded_by=recorder.display_name if recorder is not None else "",
        recorded_at=a.recorded_at,
    )


def _rating_field(setting: object, group: object) -> str:
    return f"ratings.{setting}.{group}"


def _check_ratings(
    check: Checker,
    ratings: object,
    custody_status: CustodyStatus,
) -> dict[tuple[RiskSetting, RiskGroup], RoshLevel]:
    out: dict[tuple[RiskSetting, RiskGroup], RoshLevel] = {}
    if not isinstance(ratings, Mapping):
        check.fail("ratings", "Give the RoSH ratings as (setting, group) -> level.")
        return out
    for key, raw_level in ratings.items():
        if not isinstance(key, tuple) or len(key) != 2:
            check.fail("ratings", f"{key!r} is not a (setting, group) pair.")
            continue
        raw_setting, raw_group = key
        field = _rating_field(raw_setting, raw_group)
        try:
            setting = RiskSetting(raw_setting)
        except ValueError:
            check.fail(field, f"'{raw_setting}' is not a setting; use community or custody.")
            continue
        try:
            group = RiskGroup(raw_group)
        except ValueError:
            groups = ", ".join(g.value for g in GROUPS_BY_SETTING[setting])
            check.fail(field, f"'{raw_group}' is not a risk group; use one of: {groups}.")
            continue
        field = _rating_field(setting.value, group.value)
        if group not in GROUPS_BY_SETTING[setting]:
            check.fail(
                field,
                f"Risk to {GROUP_LABELS[group]} is rated in custody only; remove it from the "
                f"{setting.value} grid.",
            )
            continue
        if raw_level is None or raw_level == "":
            continue  # reported below as a missing rating
        try:
            out[(setting, group)] = RoshLevel(raw_level)
        except ValueError:
            levels = ", ".join(lv.value for lv in RoshLevel)
            check.fail(field, f"'{raw_level}' is not a RoSH level; use one of: {levels}.")

    def require_grid(setting: RiskSetting, why: str) -> None:
        for group in GROUPS_BY_SETTING[setting]:
            field = _rating_field(setting.value, group.value)
            if (setting, group) not in out and field not in check.errors:
                check.fail(
                    field, f"Rate the risk to {GROUP_LABELS[group]} in {setting.value}; {why}."
                )

    require_grid(RiskSetting.COMMUNITY, "all four community groups must be rated")
    custody_given = any(
        (isinstance(k, tuple) and len(k) == 2 and k[0] == RiskSetting.CUSTODY.value)
        for k in ratings
    )
    if custody_status is CustodyStatus.CUSTODY:
        require_grid(RiskSetting.CUSTODY, "the person is in custody, so all five groups are needed")
    elif custody_given:
        require_grid(RiskSetting.CUSTODY, "when custody is rated, all five groups are needed")
    return out


def record_assessment(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    assessed_on: date,
    overall: RoshLevel | str,
    ratings: Mapping[tuple[RiskSetting | str, RiskGroup | str], RoshLevel | str],
    tool: AssessmentTool | str = "oasys",
    tool_score: str = "",
    assessor_id: int | None = None,
    who_at_risk: str = "",
    nature_of_risk: str = "",
    imminence: str = "",
    increasing_factors: str = "",
    protective_factors: str = "",
    meeting_id: int | None = None,
) -> AssessmentRow:
    """Record a new version of the case's risk assessment (earlier versions stay unchanged)."""
    require_writer(actor, "record a risk assessment")
    case = get_or_404(session, Case, case_id, "case")
    check = Checker()
    check.required("assessed_on", assessed_on)
    if assessed_on is not None and not isinstance(assessed_on, date):
        check.fail("assessed_on", "The assessment date must be a date.")
    else:
        check.date_not_after("assessed_on", assessed_on, date.today(), "today")
        check.date_not_before("assessed_on", assessed_on, case.date_of_birth, "the date of birth")
    clean_overall = check.enum("overall", overall, RoshLevel)
    clean_tool = check.enum("tool", tool, AssessmentTool)
    clean_score = check.text("tool_score", tool_score, required=False, max_len=MAX_TOOL_SCORE)
    narratives = {
        field: check.text(field, value, required=False, max_len=MAX_TEXT) or ""
        for field, value in zip(
            NARRATIVES,
            (who_at_risk, nature_of_risk, imminence, increasing_factors, protective_factors),
            strict=True,
        )
    }
    clean_ratings = _check_ratings(check, ratings, case.custody_status)
    assessor: Person | None = None
    if assessor_id is not None:
        assessor = session.get(Person, assessor_id)
        if assessor is None:
            check.fail("assessor_id", f"Person {assessor_id} does not exist; choose the assessor.")
    check_meeting_link(session, check, meeting_id, case_id)
    check.done()
    assert clean_overall is not None and clean_tool is not None
    if meeting_id is not None:
        meeting_guard.note_content_change(session, actor, meeting_id)

    previous = session.scalar(
        select(func.max(RiskAssessment.version_no)).where(RiskAssessment.case_id == case_id)
    )
    version_no = (previous or 0) + 1
    assessment = RiskAssessment(
        case_id=case_id,
        version_no=version_no,
        assessed_on=assessed_on,
        assessor_id=assessor_id,
        tool=clean_tool,
        tool_score=clean_score or "",
        overall_rosh=clean_overall,
        meeting_id=meeting_id,
        recorded_by_id=actor.user_id,
        **narratives,
    )
    assessment.ratings = [
        RoshRating(setting=s, risk_group=g, level=lv)
        for (s, g), lv in sorted(clean_ratings.items(), key=lambda kv: GRID.index(kv[0]))
    ]
    session.add(assessment)
    try:
        session.flush()
    except IntegrityError:
        # Someone else recorded version ``version_no`` at the same moment.
        raise ConflictError(
            "risk assessment", case_id, expected_version=previous, current_version=None
        ) from None
    audit.record(
        session,
        actor,
        "risk_assessment",
        assessment.id,
        "create",
        audit.created(
            {
                "version_no": version_no,
                "assessed_on": assessed_on,
                "assessor_id": assessor_id,
                "tool": clean_tool,
                "tool_score": clean_score or "",
                "overall": clean_overall,
                **{
                    _rating_field(s.value, g.value): lv.value
                    for (s, g), lv in clean_ratings.items()
                },
                **narratives,
            }
        ),
        case_id=case_id,
        meeting_id=meeting_id,
    )
    return _row(assessment, assessor, session.get(Person, actor.person_id))


def _select(case_id: int) -> Select[RiskAssessment, Person, Person]:
    assessor = aliased(Person)
    recorder = aliased(Person)
    return (
        select(RiskAssessment, assessor, recorder)
        .outerjoin(assessor, assessor.id == RiskAssessment.assessor_id)
        .outerjoin(User, User.id == RiskAssessment.recorded_by_id)
        .outerjoin(recorder, recorder.id == User.person_id)
        .where(RiskAssessment.case_id == case_id)
        .order_by(RiskAssessment.version_no.desc())
    )


def list_assessments(session: Session, case_id: int) -> list[AssessmentRow]:
    """Every version of the case's risk assessment, newest first."""
    get_or_404(session, Case, case_id, "case")
    return [_row(a, p, r) for a, p, r in session.execute(_select(case_id))]


def latest_assessment(session: Session, case_id: int) -> AssessmentRow | None:
    """The newest version, or None when the case has no assessment yet."""
    get_or_404(session, Case, case_id, "case")
    found = session.execute(_select(case_id).limit(1)).first()
    return None if found is None else _row(*found)


def _show(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, RoshLevel):
        return value.label
    if isinstance(value, AssessmentTool):
        return value.value.upper() if value is not AssessmentTool.OTHER else "Other"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def diff_assessments(a: AssessmentRow, b: AssessmentRow) -> list[tuple[str, str, str]]:
    """What differs from ``a`` (older) to ``b`` (newer): ``(field, old, new)`` as display text.

    Ratings appear as ``ratings.<setting>.<group>`` in grid order; a rating present in one
    assessment only shows "" on the other side."""
    out: list[tuple[str, str, str]] = []
    for field in ("assessed_on", "assessor_name", "tool", "tool_score", "overall"):
        old, new = getattr(a, field), getattr(b, field)
        if old != new:
            out.append((field, _show(old), _show(new)))
    for setting, group in GRID:
        old_level, new_level = a.rating(setting, group), b.rating(setting, group)
        if old_level != new_level:
            out.append(
                (_rating_field(setting.value, group.value), _show(old_level), _show(new_level))
            )
    for field in NARRATIVES:
        old, new = getattr(a, field), getattr(b, field)
        if old != new:
            out.append((field, old, new))
    return out
