"""What the demo's minute-taker writes for each case: information shared by each agency (or
declined, with the reason), the chair's risk summary with its trend, the discussion, diversity
issues, new actions with their purpose, the grounds for lowering or leaving MAPPA, and the chair's
reasons for the self-audit's findings at sign-off. Victim issues and the offence narrative come
from the risk profiles (``demo.offences``).

Texts use ``{he}``, ``{him}``, ``{his}`` (and capitalised ``{He}``, ``{His}``), filled in with
``pronouns`` for the offender's gender.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

from mappa_desktop.demo.names import CULTURES, Culture
from mappa_desktop.domain.enums import RiskTrend, RmpPillar

# --- information shared ---------------------------------------------------------------------------

INFORMATION: dict[str, tuple[str, ...]] = {
    "Police": (
        "Home visit completed: address compliant, no visitors. Intelligence suggests renewed "
        "contact with a former associate.",
        "Two calls to the address in the last month (noise and a verbal dispute); no arrests.",
        "Unannounced visit to the address: {he} was in, sober and compliant.",
    ),
    "Probation": (
        "Attending appointments; engaging well in the programme. Tested negative for alcohol.",
        "Missed one appointment (illness, evidenced). Discussed triggers (stress at work).",
        "The requirements of {his} order or licence were explained again; says {he} "
        "understands them.",
    ),
    "Housing": ("Tenancy offered at a flat away from the victim's area; sign-up next week.",),
    "Children's Services": (
        "Children in the household are on child protection plans; social worker attends "
        "fortnightly.",
        "Assessment of the partner's household completed: the mother understands the risk and "
        "agrees to a written safety plan.",
    ),
    "Mental Health": (
        "Stable on medication; next Care Programme Approach review in six weeks.",
        "Attends depot clinic; the care co-ordinator sees {him} weekly.",
    ),
    "Adult Services": ("Care Act assessment completed; no eligible needs; signposted to support.",),
    "DWP": ("Claiming Universal Credit; work coach appointments attended.",),
    "EMS": ("Electronic monitoring: no breach of the exclusion zone since the last meeting.",),
}
# ... and about someone serving a sentence in custody.
CUSTODY_INFORMATION: dict[str, tuple[str, ...]] = {
    "Police": (
        "Prison intelligence: no contact with the victim; phone calls are monitored.",
        "No new intelligence; the prison liaison officer has no concerns about visitors.",
    ),
    "Probation": (
        "The prison and community offender managers met to plan release; an approved premises "
        "referral is made.",
        "Completed an accredited programme in custody; the post-programme review is due.",
    ),
    "Prison": (
        "Release date confirmed; adjudication-free for six months.",
        "Attending education; one negative entry for verbal abuse of staff.",
    ),
}


def information_for(short: str, in_custody: bool) -> tuple[str, ...]:
    """What ``short`` might report about the case (custody or community)."""
    if in_custody and short in CUSTODY_INFORMATION:
        return CUSTODY_INFORMATION[short]
    return INFORMATION.get(short, ("No further information held.",))


# Why an agency declined to share (the entry's text when ``declined``), by agency.
DECLINED: dict[str, str] = {
    "Mental Health": (
        "Declined to share the clinical detail of the care plan without the patient's consent; "
        "the care co-ordinator will ask for consent and report to the next meeting."
    ),
    "Children's Services": (
        "Declined to share the children's names and school while the family court proceedings "
        "are live; the social worker will confirm what can be shared once the court rules."
    ),
    "Housing": (
        "Declined to share the new tenancy address at the meeting: the victim lives nearby and "
        "the address is given to police and probation only."
    ),
    "Adult Services": (
        "Declined to share the safeguarding enquiry's findings until it is complete; the "
        "manager will report to the co-ordinator within two weeks."
    ),
    "DWP": (
        "Declined to share claim details without a data protection request; the request has "
        "been sent by the police."
    ),
}

# --- the chair's summary, its trend, and the discussion -------------------------------------------

# Risk summaries for a case whose level stays as it is ("{nature}": the case's own risk), with
# the trend each says; mostly stable.
RISK_SUMMARIES: tuple[tuple[str, RiskTrend, float], ...] = (
    (
        "Risk is stable ({nature}); current controls are holding and {he} is compliant.",
        RiskTrend.STABLE,
        45.0,
    ),
    ("Risk unchanged. {Nature} Imminence: {imminence}", RiskTrend.STABLE, 35.0),
    ("Risk is increasing: {increasing}", RiskTrend.INCREASING, 20.0),
)
INCREASING_SUMMARY = "Risk is increasing: {increasing}"


def pick_summary(rng: random.Random) -> tuple[str, RiskTrend]:
    """A risk summary and its trend, by the weights of ``RISK_SUMMARIES``."""
    roll = rng.random() * sum(weight for _, _, weight in RISK_SUMMARIES)
    for summary, trend, weight in RISK_SUMMARIES:
        roll -= weight
        if roll < 0:
            return summary, trend
    return RISK_SUMMARIES[-1][0], RISK_SUMMARIES[-1][1]


# ... and for a case lowered or leaving MAPPA.
REDUCED_SUMMARY = (
    "Risk has reduced since the last meeting. {protective} No concerns from any agency; all "
    "actions completed."
)
DISCUSSIONS = (
    "The offender manager summarised progress since the last review. The panel discussed the "
    "main risk factors ({increasing_lc}) and what protects against them ({protective_lc}), and "
    "agreed the plan still addresses both.",
    "Police and probation gave their updates first. The panel weighed {his} compliance against "
    "the risk factors ({increasing_lc}); agencies agreed on the actions below.",
    "The chair asked each agency for its view of the risk. All agreed the protective factors "
    "({protective_lc}) are real but depend on the current controls staying in place.",
)

# --- diversity ------------------------------------------------------------------------------------

# First language by naming tradition (``demo.names``), where it is not English.
LANGUAGES: dict[str, str] = {
    "polish": "Polish",
    "czech_slovak": "Czech",
    "lithuanian": "Lithuanian",
    "latvian": "Latvian",
    "romanian": "Romanian",
    "serbian": "Serbian",
    "german": "German",
    "french": "French",
    "portuguese_spanish": "Portuguese",
    "hungarian": "Hungarian",
    "turkish_kurdish": "Turkish",
    "russian": "Russian",
    "ukrainian": "Ukrainian",
    "greek": "Greek",
    "vietnamese": "Vietnamese",
    "arabic_script": "Arabic",
    "arabic_latin": "Arabic",
    "somali": "Somali",
    "chinese": "Mandarin",
    "chinese_latin": "Cantonese",
    "japanese": "Japanese",
    "korean": "Korean",
}


def culture_of(ethnicity: str, family_name: str) -> Culture | None:
    """The naming tradition a demo offender's names were drawn from (by the stated ethnicity and
    the family name), or None."""
    for culture in CULTURES:
        if ethnicity in culture.ethnicity and (
            family_name in culture.family or family_name in culture.family_female
        ):
            return culture
    return None


def diversity_issues(
    rng: random.Random,
    *,
    male: bool,
    age: int,
    culture: Culture | None,
    profile_key: str,
) -> str:
    """The diversity issues the panel considered, fitting the offender: language, gender, age,
    health and disability; a plain statement when none applies."""
    out: list[str] = []
    language = LANGUAGES.get(culture.key) if culture is not None else None
    if language is not None and rng.random() < 0.6:
        out.append(
            f"{{His}} first language is {language}; an interpreter is booked for supervision "
            "appointments and for any disclosure conversation."
        )
    elif language is not None:
        out.append(f"Speaks {language} and fluent English; no interpreter is needed.")
    if not male:
        out.append(
            "Supervised by the women's team; a women-only approved premises was considered and "
            "a trauma-informed approach is agreed."
        )
    if age < 25:
        out.append(
            f"Aged {age}: {{his}} maturity was assessed; sessions are short and practical and a "
            "mentor supports {him}."
        )
    elif age >= 65:
        out.append(
            f"Aged {age}: health and mobility are taken into account for home visits and "
            "accommodation."
        )
    if profile_key == "arson":
        out.append(
            "Lives with a diagnosed mental illness: the care co-ordinator shares information with "
            "{his} consent and attends or reports to each meeting."
        )
    elif rng.random() < 0.12:
        out.append(
            "Assessed as having a learning disability: written material is in easy read and "
            "appointments are confirmed by text the day before."
        )
    if not out:
        out.append(
            "No diversity needs affecting how {he} is managed were identified; {he} was asked "
            "about language, disability, faith and health."
        )
    return " ".join(out)


def pronouns(male: bool) -> dict[str, str]:
    words = (
        {"he": "he", "him": "him", "his": "his"}
        if male
        else {
            "he": "she",
            "him": "her",
            "his": "her",
        }
    )
    return {**words, **{k.capitalize(): v.capitalize() for k, v in words.items()}}


def fill(template: str, words: Mapping[str, str]) -> str:
    """``template`` with the offender's pronouns and case words filled in."""
    return template.format_map(words)


# --- actions --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActionIdea:
    """An action a panel might set, with its purpose (MAPPA C asks for it) and the cases it
    fits."""

    owner: str  # the owning agency's short name
    text: str
    purpose: str
    profiles: tuple[str, ...] = ()  # risk profiles it fits (empty: any)
    record_words: tuple[str, ...] = ()  # one must be in the offence or sentence (empty: any)
    in_custody: bool | None = None  # only in custody / only in the community (None: either)

    def fits(self, profile_key: str, offence_and_sentence: str, in_custody: bool) -> bool:
        return (
            (not self.profiles or profile_key in self.profiles)
            and (
                not self.record_words
                or any(w.casefold() in offence_and_sentence.casefold() for w in self.record_words)
            )
            and (self.in_custody is None or self.in_custody == in_custody)
        )


_CHILDREN = ("child_sexual", "online_child", "domestic")
_VICTIM_KNOWN = ("adult_sexual", "child_sexual", "domestic", "stalking", "public_violence")
NEW_ACTIONS: tuple[ActionIdea, ...] = (
    ActionIdea(
        "Police",
        "Visit the address within two weeks and report back to the co-ordinator.",
        "To check who is living at or visiting the address.",
        in_custody=False,
    ),
    ActionIdea(
        "Probation",
        "Request a licence variation to add an exclusion zone.",
        "To keep the offender away from the victim's home.",
        _VICTIM_KNOWN,
        ("licence",),
        in_custody=False,
    ),
    ActionIdea(
        "Housing",
        "Confirm the tenancy start date and share it with police & probation.",
        "So that the move is planned and the new address is checked before it happens.",
    ),
    ActionIdea(
        "Children's Services",
        "Complete the safety plan with the children's mother.",
        "To keep the children in the household safe.",
        _CHILDREN,
    ),
    ActionIdea(
        "Probation",
        "Refer to the substance misuse service and confirm attendance.",
        "To reduce the drinking and drug use that raise the risk.",
        ("adult_sexual", "domestic", "public_violence", "weapon_violence", "arson"),
        in_custody=False,
    ),
    ActionIdea(
        "Police",
        "Check the device for compliance with the SHPO.",
        "To detect any breach of the order's internet conditions.",
        record_words=("SHPO", "Sexual Harm Prevention Order"),
        in_custody=False,
    ),
    ActionIdea(
        "Mental Health",
        "Review the medication plan and share the outcome with probation.",
        "So that any relapse, which raises the risk, is seen early.",
        ("arson",),
    ),
    ActionIdea(
        "Police",
        "Review the online activity monitoring with counter-terrorism policing.",
        "To detect renewed contact with extremist associates.",
        ("terror",),
    ),
    ActionIdea(
        "Probation",
        "Refer to the Approved Premises panel for a bed from the release date.",
        "To give a monitored address with a curfew from the day of release.",
        in_custody=True,
    ),
    ActionIdea(
        "Prison",
        "Share the release plan and the latest security intelligence with police.",
        "So that the police can plan visits and checks from the day of release.",
        in_custody=True,
    ),
)
CHILD_SAFETY_ACTION = (
    "Children's Services",
    "Complete the safety plan for the partner's children before any unsupervised contact.",
    "To protect the children in the partner's household from sexual harm.",
)
SUPERVISION_CHANGES = (
    "Twice-weekly appointments with the probation practitioner, one of them a home visit.",
    "Weekly appointments, with a joint police & probation home visit every month.",
)

# --- lowering and leaving MAPPA -------------------------------------------------------------------

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
# The indefensible exit an inspector found in earlier demo minutes: kept in a draft, for the
# self-audit to catch.
UNSOUND_EXIT_RATIONALE = "Notification period ended"

# --- disclosure -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Disclosure:
    """A decision to disclose: to whom, by whom, how, and why (MAPPA guidance asks for all)."""

    outcome: str
    rationale: str
    to: str
    by: str
    method: str


_PARTNER = Disclosure(
    "Disclose to the new partner",
    "{He} has started a relationship without telling the partner of {his} offending; the "
    "partner is at risk and the disclosure is necessary and proportionate.",
    "New partner",
    "Police Public Protection Unit officer with the offender manager",
    "In person, at a police station, with a safety plan agreed",
)
# By who is at risk (risk profile); anyone else: staff where the offender lives.
DISCLOSURES: dict[str, Disclosure] = {
    "child_sexual": Disclosure(
        "Disclose to the new partner",
        "The new partner has two children under ten and does not know of {his} offending; "
        "disclosure is necessary to protect the children and proportionate.",
        "New partner (mother of two children)",
        "Police Public Protection Unit officer with the offender manager",
        "In person, at the partner's home",
    ),
    "online_child": Disclosure(
        "Disclose to the partner",
        "A teenage child lives with the partner, who does not know the nature of {his} "
        "offending; disclosure is necessary to protect the child and proportionate.",
        "Partner (parent of a 14-year-old)",
        "Police Public Protection Unit officer with a social worker",
        "In person, at the partner's home",
    ),
    "domestic": _PARTNER,
    "stalking": _PARTNER,
    "adult_sexual": _PARTNER,
}
STAFF_DISCLOSURE = Disclosure(
    "Disclose to the manager of the supported housing",
    "Staff and residents where {he} now lives are at risk when {he} is intoxicated or unwell; "
    "the manager needs to know to keep them safe, and only what is necessary is shared.",
    "Manager of the supported housing",
    "The offender manager",
    "In person, at the housing office, confirmed in writing",
)

# --- completing the plan before sign-off ----------------------------------------------------------

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

# --- the chair's reasons at sign-off --------------------------------------------------------------

# By self-audit criterion; one is drawn for each needs-reason finding.
AUDIT_REASONS: dict[str, tuple[str, ...]] = {
    "assessment_age": (
        "The OASys review is booked for the coming fortnight; every agency gave current "
        "information at the meeting and nothing in it changes the assessed risk.",
        "The offender manager updated the RoSH summary at the meeting; the full review is due "
        "next month and will be shared with the panel.",
    ),
    "lowered_with_risk": (
        "The risk is still High but stable and well controlled by the licence conditions; "
        "Level 2 keeps every agency involved, so the resources of Level 3 are no longer needed.",
        "Level 3 was for the release period, which passed without incident; the same plan and "
        "agencies manage the High risk at Level 2.",
    ),
    "agency_absent": (
        "The agency sent its update to the co-ordinator before the meeting; it was read out "
        "and is on the case file.",
        "The offender manager spoke to the agency the day before and reported its part in the "
        "plan; nothing had changed.",
    ),
    "similar_actions": (
        "The two actions are for different teams in the same agency and are kept separate on "
        "purpose.",
    ),
    "late_sign_off": ("The chair was on leave in the weeks after the meeting.",),
}
# Declining to disclose although someone is at high risk, by who is at risk (risk profile).
DISCLOSURE_REASONS: dict[str, tuple[str, ...]] = {
    "children": (
        "The children's parents and Children's Social Care already know of {his} offending and "
        "are part of the safety plan; a further disclosure would add nothing.",
        "{He} has no contact with the children at risk, enforced by the order; disclosure to "
        "any new partner with children will be decided as soon as one is known.",
    ),
    "partner": (
        "The known adult at risk is the victim, who is kept fully informed by the victim "
        "liaison officer and the IDVA; no one else needs to be told now.",
        "{He} is not in a relationship; the Domestic Violence Disclosure Scheme will be used as "
        "soon as the offender manager learns of a new partner.",
    ),
    "other": (
        "The people at high risk are the victim and the victim's family, who are kept informed "
        "by the victim liaison officer; no one else needs to be told.",
        "No one identified now needs to be told: {he} has no contact with the people at risk, "
        "enforced by licence conditions; disclosure will be reconsidered if that changes.",
        "{He} is not in a relationship and lives alone; any new partner will be considered for "
        "disclosure as soon as the offender manager learns of one.",
    ),
}
_AT_RISK = {
    "child_sexual": "children",
    "online_child": "children",
    "domestic": "partner",
    "stalking": "partner",
}
FALLBACK_REASON = (
    "The chair considered this at sign-off: the panel's decision stands for the reasons "
    "recorded in the discussion, and the point will be reviewed at the next meeting."
)


def reason_for(
    rng: random.Random, criterion: str, words: Mapping[str, str], profile_key: str
) -> str:
    """The chair's reason for a needs-reason finding of ``criterion`` about a case of this
    risk profile ("" for a meeting-wide finding): one of several that fit."""
    if criterion == "disclosure_declined":
        choices = DISCLOSURE_REASONS[_AT_RISK.get(profile_key, "other")]
    else:
        choices = AUDIT_REASONS.get(criterion, (FALLBACK_REASON,))
    return fill(rng.choice(choices), words)
