"""The demo's index offences, each with the sentences a court could plausibly pass for it and the
risk narrative that goes with it, so a co-ordinator evaluating the demo never meets a life
sentence for voyeurism or a risk to children in a case of stalking a former partner.

Sentences are templates: ``{y}`` is a number of years and ``{m}`` of months, drawn from the
sentence's range. Only offences marked ``serious`` (maximum penalty life) can carry a life or
other indeterminate sentence; Category 2 sentences are all of 12 months or more (the category's
threshold) and Category 3 sentences all below it. Narratives use ``{he}``, ``{him}`` and ``{his}``,
filled in for the offender's gender. Victims are written without a gender wherever the
offender's own gender would decide it (a former partner, a neighbour).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, fields
from functools import cache


@dataclass(frozen=True, slots=True)
class Sentence:
    template: str
    low: int  # of {y} or {m}
    high: int

    def text(self, rng: random.Random) -> str:
        n = rng.randint(self.low, self.high)
        return self.template.format(y=n, m=n)


@dataclass(frozen=True, slots=True)
class Offence:
    text: str
    profile: str  # a key of PROFILES
    serious: bool  # maximum penalty life: a life or indeterminate sentence is possible
    community: tuple[Sentence, ...]  # sentences of someone now in the community
    custody: tuple[Sentence, ...]  # of someone serving it in custody


@dataclass(frozen=True, slots=True)
class RiskProfile:
    who_at_risk: tuple[str, ...]
    nature: tuple[str, ...]
    imminence: tuple[str, ...]
    increasing: tuple[str, ...]
    protective: tuple[str, ...]
    referral: tuple[str, ...]  # reasons for referral to Level 2/3
    victim_notes: tuple[str, ...]
    # Per meeting (MAPPA C): identified and potential victims, and how they are protected.
    victim_issues: tuple[str, ...]
    previous_offences: tuple[str, ...]  # MAPPA B/C section 3


def _s(template: str, low: int = 0, high: int = 0) -> Sentence:
    return Sentence(template, low, high)


_LICENCE = "Determinate sentence of {y} years; released on licence"
_SERVING = "Determinate sentence of {y} years; serving in custody"
_MONTHS_LICENCE = "Determinate sentence of {m} months; released on licence"
_MONTHS_SERVING = "Determinate sentence of {m} months; serving in custody"
_EDS_LICENCE = "Extended determinate sentence ({y} years' custody, 4 years' extended licence)"
_EDS_SERVING = "Extended determinate sentence of {y} years plus extended licence; in custody"
_LIFE_LICENCE = "Life sentence (minimum term {y} years); released on life licence"
_LIFE_SERVING = "Life sentence, minimum term of {y} years not yet served"
_SOPC_LICENCE = "Sentence for an offender of particular concern ({y} years); on licence"
_SOPC_SERVING = "Sentence for an offender of particular concern ({y} years); in custody"
_SHPO = "Sexual Harm Prevention Order (10 years)"

HOSPITAL_RESTRICTED = "Hospital order with restrictions (ss.37/41 Mental Health Act 1983)"
HOSPITAL = "Hospital order (s.37 Mental Health Act 1983)"
# The words that mark a life or indeterminate sentence (checked by the demo's tests).
INDETERMINATE_WORDS = ("life sentence", "indeterminate", "imprisonment for public protection")

OFFENCES: dict[int, tuple[Offence, ...]] = {
    1: (
        Offence(
            "Rape (s.1 Sexual Offences Act 2003)",
            "adult_sexual",
            True,
            (_s(_LICENCE, 6, 12), _s(_EDS_LICENCE, 8, 14), _s(_LIFE_LICENCE, 8, 12)),
            (_s(_SERVING, 6, 15), _s(_EDS_SERVING, 9, 15), _s(_LIFE_SERVING, 8, 12)),
        ),
        Offence(
            "Sexual assault (s.3 Sexual Offences Act 2003)",
            "adult_sexual",
            False,
            (
                _s("Community order (3 years) with a programme requirement; " + _SHPO),
                _s("Suspended sentence order ({m} months); " + _SHPO, 12, 24),
                _s(_MONTHS_LICENCE, 18, 40),
            ),
            (_s(_MONTHS_SERVING, 18, 48),),
        ),
        Offence(
            "Sexual assault of a child under 13 (s.7 Sexual Offences Act 2003)",
            "child_sexual",
            False,
            (_s(_LICENCE, 2, 8), _s(_EDS_LICENCE, 5, 9)),
            (_s(_SERVING, 2, 10),),
        ),
        Offence(
            "Making indecent photographs of children",
            "online_child",
            False,
            (
                _s("Community order (3 years) with a rehabilitation requirement; " + _SHPO),
                _s("Suspended sentence order ({m} months); " + _SHPO, 12, 24),
                _s(_MONTHS_LICENCE, 12, 36),
            ),
            (_s(_MONTHS_SERVING, 12, 36),),
        ),
        Offence(
            "Sexual communication with a child (s.15A Sexual Offences Act 2003)",
            "online_child",
            False,
            (
                _s("Community order (2 years) with a programme requirement; " + _SHPO),
                _s("Suspended sentence order ({m} months); " + _SHPO, 8, 24),
            ),
            (_s(_MONTHS_SERVING, 12, 24),),
        ),
        Offence(
            "Meeting a child following sexual grooming (s.15 Sexual Offences Act 2003)",
            "child_sexual",
            False,
            (_s(_LICENCE, 2, 6),),
            (_s(_SERVING, 2, 7),),
        ),
        Offence(
            "Voyeurism (s.67 Sexual Offences Act 2003)",
            "non_contact_sexual",
            False,
            (
                _s("Community order (2 years) with a programme requirement; notification"),
                _s("Suspended sentence order ({m} months) with unpaid work", 6, 18),
            ),
            (_s(_MONTHS_SERVING, 6, 20),),
        ),
        Offence(
            "Exposure (s.66 Sexual Offences Act 2003)",
            "non_contact_sexual",
            False,
            (
                _s("Community order (18 months) with a programme requirement"),
                _s("Suspended sentence order ({m} months)", 6, 18),
            ),
            (_s(_MONTHS_SERVING, 6, 18),),
        ),
        Offence(
            "Breach of a Sexual Harm Prevention Order",
            "online_child",
            False,
            (_s("Suspended sentence order ({m} months)", 6, 24), _s(_MONTHS_LICENCE, 8, 30)),
            (_s(_MONTHS_SERVING, 8, 36),),
        ),
    ),
    2: (
        Offence(
            "Wounding with intent (s.18 Offences Against the Person Act 1861)",
            "weapon_violence",
            True,
            (_s(_LICENCE, 5, 12), _s(_EDS_LICENCE, 8, 14)),
            (_s(_SERVING, 5, 14), _s(_EDS_SERVING, 8, 14)),
        ),
        Offence(
            "Inflicting grievous bodily harm (s.20 OAPA 1861)",
            "public_violence",
            False,
            (_s(_MONTHS_LICENCE, 12, 48),),
            (_s(_MONTHS_SERVING, 18, 54),),
        ),
        Offence(
            "Manslaughter",
            "public_violence",
            True,
            (_s(_LICENCE, 6, 14), _s(_LIFE_LICENCE, 8, 12)),
            (_s(_SERVING, 6, 16), _s(_LIFE_SERVING, 8, 12)),
        ),
        Offence(
            "Robbery",
            "weapon_violence",
            True,
            (_s(_LICENCE, 3, 8), _s(_EDS_LICENCE, 6, 10)),
            (_s(_SERVING, 3, 9),),
        ),
        Offence(
            "Murder",
            "public_violence",
            True,
            (_s(_LIFE_LICENCE, 12, 25),),
            (_s(_LIFE_SERVING, 14, 28),),
        ),
        Offence(
            "Arson with intent to endanger life",
            "arson",
            True,
            (_s(_LICENCE, 4, 9), _s(_EDS_LICENCE, 6, 10)),
            (_s(_SERVING, 4, 10),),
        ),
        Offence(
            "Controlling or coercive behaviour and ABH on a partner",
            "domestic",
            False,
            (_s(_MONTHS_LICENCE, 12, 48),),
            (_s(_MONTHS_SERVING, 12, 54),),
        ),
        Offence(
            "Stalking involving fear of violence",
            "stalking",
            False,
            (_s(_MONTHS_LICENCE, 12, 60),),
            (_s(_MONTHS_SERVING, 18, 60),),
        ),
        Offence(
            "Kidnapping",
            "domestic",
            True,
            (_s(_LICENCE, 4, 10),),
            (_s(_SERVING, 4, 10),),
        ),
    ),
    3: (
        Offence(
            "Threats to kill (previous serious violence)",
            "public_violence",
            False,
            (
                _s("Community order (2 years) with a Rehabilitation Activity Requirement"),
                _s("Suspended sentence order ({m} months); restraining order", 8, 24),
            ),
            (_s(_MONTHS_SERVING, 6, 11),),
        ),
        Offence(
            "Harassment of a former partner (no qualifying sentence)",
            "stalking",
            False,
            (
                _s("Community order (18 months); restraining order (indefinite duration)"),
                _s("Suspended sentence order ({m} months); restraining order", 6, 18),
            ),
            (_s(_MONTHS_SERVING, 4, 11),),
        ),
        Offence(
            "Assault occasioning actual bodily harm (s.47 OAPA 1861)",
            "domestic",
            False,
            (
                _s("Community order (2 years) with a Building Better Relationships requirement"),
                _s("Suspended sentence order ({m} months)", 6, 18),
            ),
            (_s(_MONTHS_SERVING, 6, 11),),
        ),
        Offence(
            "Criminal damage with threats to a family",
            "domestic",
            False,
            (_s("Community order (12 months) with unpaid work; restraining order"),),
            (_s(_MONTHS_SERVING, 3, 9),),
        ),
    ),
    4: (
        Offence(
            "Preparation of terrorist acts (s.5 Terrorism Act 2006)",
            "terror",
            True,
            (_s(_EDS_LICENCE, 6, 12),),
            (_s(_LIFE_SERVING, 10, 20), _s(_EDS_SERVING, 8, 14)),
        ),
        Offence(
            "Collection of information useful for terrorism (s.58 Terrorism Act 2000)",
            "terror",
            False,
            (_s(_SOPC_LICENCE, 2, 6),),
            (_s(_SOPC_SERVING, 2, 7),),
        ),
        Offence(
            "Dissemination of terrorist publications (s.2 Terrorism Act 2006)",
            "terror",
            False,
            (_s(_SOPC_LICENCE, 2, 5),),
            (_s(_SOPC_SERVING, 2, 6),),
        ),
    ),
}

# MAPPA B/C section 3: the offence summary, one point a line, by index offence.
SUMMARIES: dict[str, str] = {
    "Rape (s.1 Sexual Offences Act 2003)": "Met the victim in a bar and offered to walk them "
    "home.\nRaped the victim in a park, using force to overcome resistance.\nDenied the offence "
    "until the trial; convicted on DNA evidence.",
    "Sexual assault (s.3 Sexual Offences Act 2003)": "Sexually assaulted a woman on a late-night "
    "bus after following her from the town centre.\nIdentified from CCTV; pleaded guilty.",
    "Sexual assault of a child under 13 (s.7 Sexual Offences Act 2003)": "Befriended the "
    "victim's family and offered to babysit.\nAbused the child, then aged nine, on several "
    "occasions over eight months.\nThe child told a teacher; {he} admitted the offences in "
    "interview.",
    "Making indecent photographs of children": "Police found indecent images of children "
    "(categories A to C) on {his} laptop and phone.\nShared images in an online group.\nAdmitted "
    "the offences in interview.",
    "Sexual communication with a child (s.15A Sexual Offences Act 2003)": "Sent sexual messages "
    "to a decoy account posing as a 13-year-old.\nAsked for images and arranged video calls; no "
    "meeting took place.",
    "Meeting a child following sexual grooming (s.15 Sexual Offences Act 2003)": "Groomed a "
    "14-year-old online over two months.\nTravelled to meet the child near the child's "
    "school.\nArrested at the meeting place after a parent alerted the police.",
    "Voyeurism (s.67 Sexual Offences Act 2003)": "Filmed women in a gym changing room with a "
    "hidden phone.\nPolice found more than 40 recordings.",
    "Exposure (s.66 Sexual Offences Act 2003)": "Exposed {him}self to women on a late-night "
    "train on three occasions.\nIdentified from CCTV.",
    "Breach of a Sexual Harm Prevention Order": "Used a phone not declared to the police, "
    "against the SHPO.\nThe phone held chat apps and deleted browsing history.\nThe original "
    "order followed a conviction for indecent images of children.",
    "Wounding with intent (s.18 Offences Against the Person Act 1861)": "Stabbed a man twice in "
    "a dispute over drug debts.\nDisposed of the knife; arrested two days later.",
    "Inflicting grievous bodily harm (s.20 OAPA 1861)": "Attacked a stranger outside a bar after "
    "an argument, kicking him while on the ground.\nThe victim suffered a fractured skull.",
    "Manslaughter": "Punched a man during an argument in a pub car park; the man fell, hit his "
    "head and died.\nHad been drinking all day.",
    "Robbery": "Robbed a shop worker at knife point.\nThreatened a witness after the arrest.",
    "Murder": "Killed an acquaintance with a knife after a long-running dispute.\nConvicted "
    "after trial.",
    "Arson with intent to endanger life": "Set fire to the door of a neighbour's flat at night "
    "while the family slept.\nWas acutely unwell and had stopped medication.",
    "Controlling or coercive behaviour and ABH on a partner": "Controlled the partner's money, "
    "phone and contact with family over two years.\nAssaulted the partner when they tried to "
    "leave, causing a broken wrist.\nThe children were in the house.",
    "Stalking involving fear of violence": "Followed the former partner to work daily for four "
    "months after the relationship ended.\nSent more than 300 messages, some threatening "
    "violence.\nWaited outside the victim's home at night.",
    "Kidnapping": "Held the former partner in a car for three hours and threatened to kill "
    "them.\nStopped by police after a neighbour called 999.",
    "Threats to kill (previous serious violence)": "Threatened to kill a neighbour during a "
    "dispute over noise, holding a hammer.\nHas a previous conviction for serious violence.",
    "Harassment of a former partner (no qualifying sentence)": "Sent repeated abusive messages "
    "to the former partner and turned up at the partner's workplace.\nBreached a restraining "
    "order twice.",
    "Assault occasioning actual bodily harm (s.47 OAPA 1861)": "Assaulted the partner during an "
    "argument at home, causing bruising to the face.\nThe children were present.",
    "Criminal damage with threats to a family": "Smashed the windows of the former partner's "
    "house and threatened the family inside.",
    "Preparation of terrorist acts (s.5 Terrorism Act 2006)": "Researched methods of attack and "
    "possible targets online.\nBought items for an attack; arrested before any attack took "
    "place.",
    "Collection of information useful for terrorism (s.58 Terrorism Act 2000)": "Downloaded "
    "manuals on making weapons and explosives.\nNo attack was planned, but the material was "
    "kept and catalogued.",
    "Dissemination of terrorist publications (s.2 Terrorism Act 2006)": "Shared extremist "
    "publications in online groups with several hundred members.",
}

# The risk profile of each index offence, by the offence's text as stored on a case.
PROFILE_OF: dict[str, str] = {
    o.text: o.profile for by_category in OFFENCES.values() for o in by_category
}

PROFILES: dict[str, RiskProfile] = {
    "adult_sexual": RiskProfile(
        who_at_risk=(
            "Adult women, in particular lone women at night.",
            "Women {he} meets through dating apps.",
            "Adult women known to {him}, including new partners.",
        ),
        nature=(
            "Contact sexual offending, with violence used to overcome resistance.",
            "Sexual assault after using alcohol to lower a victim's guard.",
        ),
        imminence=(
            "Not imminent while current controls hold.",
            "Greatest if {he} forms a new relationship without disclosing.",
        ),
        increasing=(
            "Alcohol misuse; isolation after losing {his} job.",
            "Sexual preoccupation reported in treatment; use of dating apps.",
        ),
        protective=(
            "Completed Horizon programme; in full-time work.",
            "Engaging with {his} probation practitioner; stable tenancy.",
        ),
        referral=(
            "New relationship with a woman who does not know of {his} offending.",
            "Release from custody in eight weeks with no settled accommodation.",
        ),
        victim_notes=("Victim in the area; VLO engaged and exclusion zone requested.",),
        victim_issues=(
            "Identified victim: an adult {he} met on the night of the offence, who still lives in "
            "the area, is in the Victim Contact Scheme and asked for the exclusion zone. Potential "
            "victims: lone women at night and any new partner, who must be told of {his} "
            "offending.",
            "The victim has moved out of the area; the address is withheld and the victim liaison "
            "officer passes on any request. Potential victims: people {he} meets through dating "
            "apps; {he} must tell the offender manager of every new relationship.",
        ),
        previous_offences=(
            "Sexual assault (2011): community order.\nCommon assault on a partner (2014): fine.",
            "Exposure (2009): conditional discharge.",
        ),
    ),
    "child_sexual": RiskProfile(
        who_at_risk=(
            "Children under 13, in particular girls known to the family.",
            "Children of any new partner; children in the neighbourhood.",
        ),
        nature=(
            "Contact sexual offending against children after building trust with families.",
            "Grooming of children, online and in person.",
        ),
        imminence=(
            "Not imminent while {he} has no access to children.",
            "Could occur within weeks if {he} gains access to children.",
        ),
        increasing=(
            "New relationship with a mother of young children.",
            "Unsupervised contact with children; isolation.",
        ),
        protective=(
            "Complies with the SHPO; discloses new relationships promptly.",
            "Supportive family who share information with police.",
        ),
        referral=(
            "Reported grooming behaviour towards a child in the household.",
            "New partner has two children under ten; disclosure needs considering.",
        ),
        victim_notes=("Child victim and family have moved; address must not be disclosed.",),
        victim_issues=(
            "Identified victim: a child of a former partner, then aged nine; the child and family "
            "have moved and the address is withheld. Potential victims: children of any new "
            "partner and children in the neighbourhood; Children's Social Care check every "
            "household {he} joins.",
            "The victim, now a teenager, is supported by Children's Social Care and the victim "
            "liaison officer; no contact is allowed. Potential victims: children {he} could reach "
            "through family friends, clubs or church; {he} must not live or stay where children "
            "are.",
        ),
        previous_offences=(
            "No previous convictions; police intelligence of concerns about a child in 2016 (no "
            "further action).",
            "Indecent photographs of children (2012): suspended sentence and SHPO.",
        ),
    ),
    "online_child": RiskProfile(
        who_at_risk=(
            "Children online, in particular boys aged 11-15.",
            "Children in images; children {he} may contact online.",
        ),
        nature=(
            "Viewing and sharing indecent images; risk of moving to contact offending.",
            "Sexual communication with children online.",
        ),
        imminence=(
            "Not imminent while device monitoring holds.",
            "Could occur quickly if {he} obtains an unmonitored device.",
        ),
        increasing=(
            "Unmonitored devices; long periods alone at home.",
            "Sexual preoccupation; loss of employment.",
        ),
        protective=(
            "Device monitoring software installed; cooperates with checks.",
            "Engaging with the Lucy Faithfull Foundation programme.",
        ),
        referral=(
            "Second device found at the address; SHPO compliance in question.",
            "Living with a partner who has a teenage son.",
        ),
        victim_notes=("No identified victim in the area; children online are at risk.",),
        victim_issues=(
            "No identified victim in the area: the children in the images are not known locally. "
            "Potential victims: children {he} might contact online, and any children in a "
            "household {he} joins; device checks continue.",
            "Potential victims: children aged 11 to 15 online and the teenage son of {his} "
            "current partner; Children's Social Care are assessing the household.",
        ),
        previous_offences=("None relevant.", "Breach of a Sexual Harm Prevention Order (2018)."),
    ),
    "non_contact_sexual": RiskProfile(
        who_at_risk=(
            "Adult women in public places (changing rooms, parks).",
            "Women using public transport at night.",
        ),
        nature=(
            "Non-contact sexual offending (filming, exposure) causing serious distress.",
            "Escalation from non-contact to contact offending is the main concern.",
        ),
        imminence=("Not imminent while current controls hold.",),
        increasing=(
            "Alcohol misuse; stress at work.",
            "Time alone in public places; sexual preoccupation.",
        ),
        protective=(
            "Engaging with treatment; disclosed to {his} partner.",
            "Stable work and accommodation.",
        ),
        referral=("Repeat offending and signs of escalation; multi-agency planning needed.",),
        victim_notes=("Victims not known to {him}; no victim contact issues.",),
        victim_issues=(
            "The victims were strangers to {him}; none asked for contact conditions. Potential "
            "victims: women in changing rooms and on public transport.",
            "Victims not known to {him}; police kept them informed through the trial. Potential "
            "victims: women in public places, in particular if the offending escalates to "
            "contact.",
        ),
        previous_offences=("None relevant.", "Outraging public decency (2015): fine."),
    ),
    "domestic": RiskProfile(
        who_at_risk=(
            "Former partner (known adult) and her two children.",
            "Current and future partners; children in the household.",
        ),
        nature=(
            "Emotional and physical abuse within intimate relationships.",
            "Serious violence when a relationship ends or {he} feels rejected.",
        ),
        imminence=(
            "Imminent if {he} learns the victim's new address.",
            "Greatest at the start of a new relationship or on separation.",
        ),
        increasing=(
            "Renewed contact with a former partner.",
            "Alcohol and cocaine use; jealousy about the victim's new partner.",
        ),
        protective=(
            "Completed Building Better Relationships; restraining order respected.",
            "Engaging with {his} probation practitioner; stable tenancy.",
        ),
        referral=(
            "Escalating contact with a known adult victim; multi-agency planning needed.",
            "Victim also heard at MARAC; plans need joining up.",
        ),
        victim_notes=("Known adult victim (former partner) lives in the area; VLO engaged.",),
        victim_issues=(
            "Identified victim: the former partner, who lives locally with two children, is "
            "supported by an IDVA and heard at MARAC; a restraining order is in force. Potential "
            "victims: any new partner and children in {his} household.",
            "The victim has a new address, withheld from {him}; the victim liaison officer keeps "
            "the victim informed of release and licence changes. Potential victims: future "
            "partners; the Domestic Violence Disclosure Scheme will be used.",
        ),
        previous_offences=(
            "Assault on a previous partner (2013 and 2016): community orders.",
            "Breach of a non-molestation order (2019).",
        ),
    ),
    "stalking": RiskProfile(
        who_at_risk=("Former partner (known adult) and her new partner.",),
        nature=(
            "Fixated stalking with threats of violence.",
            "Harassment escalating to violence when contact is refused.",
        ),
        imminence=("Imminent if {he} learns the victim's new address.",),
        increasing=(
            "Breaches of the restraining order; obsessive social media use.",
            "Loss of accommodation; rumination about the former partner.",
        ),
        protective=(
            "Engaging with the stalking clinic; no contact for six months.",
            "Restraining order respected; new interests and work.",
        ),
        referral=("Repeated breaches of a restraining order; victim fears for her life.",),
        victim_notes=("Victim has moved; new address must not be disclosed. VLO in contact.",),
        victim_issues=(
            "Identified victim: the former partner, who has moved; the new address must not be "
            "disclosed. The victim and their new partner are at risk; the restraining order and "
            "an exclusion zone cover their home and workplace.",
            "The victim fears for their life and speaks to the victim liaison officer every week; "
            "any sighting of {him} near them is reported at once. Potential victims: their new "
            "partner and family.",
        ),
        previous_offences=(
            "Harassment of a previous partner (2015): restraining order.",
            "None relevant.",
        ),
    ),
    "public_violence": RiskProfile(
        who_at_risk=(
            "Members of the public, in particular in the night-time economy.",
            "Staff supervising {him}, after threats made in interview.",
        ),
        nature=(
            "Serious physical violence when intoxicated or challenged.",
            "Impulsive violence in disputes with strangers.",
        ),
        imminence=(
            "Not imminent while current controls hold.",
            "Could occur within weeks if {he} loses {his} accommodation.",
        ),
        increasing=(
            "Alcohol and cocaine use; loss of employment.",
            "Associating with peers involved in violence.",
        ),
        protective=(
            "Abstinent for six months; attending the substance misuse service.",
            "Supportive family; in full-time work.",
        ),
        referral=(
            "Breaches of licence conditions and increasing substance misuse.",
            "Significant media and public interest; senior oversight needed.",
        ),
        victim_notes=("Victim's family live locally; VLO engaged.",),
        victim_issues=(
            "The victim's family live locally and are in the Victim Contact Scheme; an exclusion "
            "zone covers their street. Potential victims: door staff and members of the public in "
            "the night-time economy.",
            "No identified victim in the area. Potential victims: staff who supervise {him} "
            "(threats were made in interview) and strangers in disputes; joint visits are used.",
        ),
        previous_offences=(
            "Affray (2012); assault occasioning actual bodily harm (2016).",
            "Public order offences (2010, 2013): fines.",
        ),
    ),
    "weapon_violence": RiskProfile(
        who_at_risk=(
            "Members of the public; rival gang members.",
            "Other prisoners, following two assaults on the wing.",
        ),
        nature=(
            "Use of weapons (knife carried on two occasions).",
            "Serious violence linked to drug supply.",
        ),
        imminence=("Could occur within weeks if {he} returns to {his} old associates.",),
        increasing=(
            "Gang association; debts to drug suppliers.",
            "Carrying a knife for protection.",
        ),
        protective=(
            "Moved out of the area; in training.",
            "Engaging with the Kaizen programme.",
        ),
        referral=("Release from custody in eight weeks; gang links in the release area.",),
        victim_notes=("Victim and witnesses live in the release area; VLO engaged.",),
        victim_issues=(
            "The victim and two witnesses live in the release area; the victim liaison officer has "
            "told them of the release plan. Potential victims: rival group members and members of "
            "the public.",
            "Potential victims: people linked to the drug supply {he} owed money to, and other "
            "prisoners while in custody; the victim is kept informed by the victim liaison "
            "officer.",
        ),
        previous_offences=(
            "Possession of a bladed article (2014, 2017).",
            "Robbery (2013): detention and training order.",
        ),
    ),
    "arson": RiskProfile(
        who_at_risk=(
            "Occupants of the building {he} lives in; former partner.",
            "Staff and residents of supported accommodation.",
        ),
        nature=("Fire-setting when distressed, endangering life.",),
        imminence=("Greatest when {his} mental health deteriorates.",),
        increasing=(
            "Stopping medication; alcohol misuse.",
            "Relationship breakdown; eviction.",
        ),
        protective=(
            "Taking medication; weekly contact with the community mental health team.",
            "Supported accommodation with staff on site.",
        ),
        referral=("Discharge from hospital planned; accommodation and health plans needed.",),
        victim_notes=("Former neighbours rehoused; no contact issues known.",),
        victim_issues=(
            "The former neighbours were rehoused and have no contact with {him}. Potential "
            "victims: other residents and staff where {he} lives; the accommodation has fire "
            "detection and staff on site.",
            "Potential victims: {his} former partner and residents of the supported "
            "accommodation; the fire service has carried out a safety visit.",
        ),
        previous_offences=("Criminal damage by fire (2015).", "None relevant."),
    ),
    "terror": RiskProfile(
        who_at_risk=("Members of the public, in particular crowded places.",),
        nature=("Terrorist offending, including planning attacks and radicalising others.",),
        imminence=("Not imminent while current controls hold.",),
        increasing=(
            "Renewed contact with extremist associates; online activity.",
            "Isolation; grievance about {his} treatment.",
        ),
        protective=(
            "Engaging with the Desistance and Disengagement Programme.",
            "Family support; supervised accommodation.",
        ),
        referral=("Release on licence; counter-terrorism police and probation lead jointly.",),
        victim_notes=("No identified victim; risk is to the public.",),
        victim_issues=(
            "No identified victim. Potential victims: members of the public, in particular in "
            "crowded places; counter-terrorism policing lead on protective measures.",
            "No individual victim; the risk is to the public and to those {he} may radicalise "
            "online. Counter-terrorism policing share restricted intelligence with the chair.",
        ),
        previous_offences=("None.", "None relevant; referred to Prevent in 2017."),
    ),
}

_PRONOUNS = {
    True: {"he": "he", "him": "him", "his": "his"},
    False: {"he": "she", "him": "her", "his": "her"},
}


@cache
def profile_for(key: str, male: bool) -> RiskProfile:
    """The profile ``key`` with the offender's pronouns filled in (built once per pair)."""
    profile = PROFILES[key]
    words = _PRONOUNS[male]
    return RiskProfile(
        *(tuple(t.format(**words) for t in getattr(profile, f.name)) for f in fields(profile))
    )


def summary_for(offence: str, male: bool) -> str:
    """The offence summary of ``offence`` in the offender's pronouns ("" for an unknown one)."""
    return SUMMARIES.get(offence, "").format(**_PRONOUNS[male])
