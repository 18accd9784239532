"""Synthetic CaseRow lists for model tests (no database needed)."""

from __future__ import annotations

from datetime import date, timedelta

from mappa_desktop.domain.enums import CustodyStatus, RoshLevel
from mappa_desktop.services.listing import CaseRow, case_display_name

NAMES = [
    ("Wiśniewski", "Łukasz"),
    ("Иванов", "Дмитрий"),
    ("Παπαδόπουλος", "Γιώργος"),
    ("Nguyễn", "Thị Hồng"),
    ("العلي", "محمد"),
    ("O'Brien", "Seán"),
    ("Smith & <Jones>", "Ann"),
    ("Ångström", "Zoë"),
]
AGENCIES = ["Police", "Probation", "Prison"]
ROSH = [RoshLevel.LOW, RoshLevel.MEDIUM, RoshLevel.HIGH, RoshLevel.VERY_HIGH, None]
TODAY = date(2026, 11, 24)


def make_rows(count: int) -> list[CaseRow]:
    rows = []
    for i in range(count):
        family, given = NAMES[i % len(NAMES)]
        family = f"{family}{i // len(NAMES)}" if i >= len(NAMES) else family
        category = 1 + i % 4
        level = 1 + (i // 3) % 3 if category != 3 else 2 + i % 2
        review = TODAY + timedelta(days=(i * 37) % 400 - 100)
        rows.append(
            CaseRow(
                id=i + 1,
                family_name=family,
                given_names=given,
                display_name=case_display_name(family, given),
                aliases=(f"Alias{i}", "Big & Tall") if i % 5 == 0 else (),
                identifiers=(("pnc", f"2019/{i:07d}X"), ("crn", f"X{i:06d}")),
                date_of_birth=date(1980, 1, 1) + timedelta(days=i),
                category=category,
                level=level,
                lead_agency=AGENCIES[i % 3],
                overall_rosh=ROSH[i % 5],
                next_review_due=review,
                review_overdue=review < TODAY,
                open_actions=i % 4,
                custody_status=CustodyStatus.COMMUNITY,
                registration_ended_on=None,
                version=1,
            )
        )
    return rows
