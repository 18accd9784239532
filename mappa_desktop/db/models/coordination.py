"""Referrals (MAPPA A) with the co-ordinator's screening, and case events between meetings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from mappa_desktop.db.base import Base, UTCDateTime, str_enum, utcnow
from mappa_desktop.domain.coordination import (
    ALL_SUBTYPES,
    CaseEventKind,
    ReferralSource,
    ReferralStatus,
)
from mappa_desktop.domain.enums import RoshLevel

_SUBTYPE_LIST = ", ".join(f"'{s}'" for s in ALL_SUBTYPES)


class Referral(Base):
    """A referral to Level 2 or 3 (MAPPA A) and, once screened, the co-ordinator's decision."""

    __tablename__ = "referral"
    __table_args__ = (
        CheckConstraint("category BETWEEN 1 AND 4", name="category_range"),
        CheckConstraint("level_sought IN (2, 3)", name="level_sought_2_or_3"),
        CheckConstraint(
            "accepted_level IS NULL OR accepted_level IN (2, 3)", name="accepted_level_2_or_3"
        ),
        CheckConstraint(
            "(status = 'accepted') = (accepted_level IS NOT NULL)", name="accepted_has_level"
        ),
        CheckConstraint(
            "(status = 'awaiting_screening') = (screened_on IS NULL)", name="screened_has_date"
        ),
        Index("ix_referral_status_date", "status", "referral_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("mappa_case.id", ondelete="CASCADE"), index=True
    )
    referring_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    referrer_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    referrer_name: Mapped[str] = mapped_column(String(200), default="")
    referral_date: Mapped[date] = mapped_column(Date)
    category: Mapped[int] = mapped_column(Integer)
    level_sought: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    current_rosh: Mapped[RoshLevel] = mapped_column(str_enum(RoshLevel, "referral_rosh"))
    added_value: Mapped[str] = mapped_column(Text)  # what multi-agency management would add
    level3_reason: Mapped[str] = mapped_column(Text, default="")  # what Level 2 cannot manage
    source: Mapped[ReferralSource] = mapped_column(
        str_enum(ReferralSource, "referral_source"), default=ReferralSource.APP
    )
    status: Mapped[ReferralStatus] = mapped_column(
        str_enum(ReferralStatus, "referral_status"), default=ReferralStatus.AWAITING_SCREENING
    )
    accepted_level: Mapped[int | None] = mapped_column(Integer)
    screening_reason: Mapped[str] = mapped_column(Text, default="")
    screened_on: Mapped[date | None] = mapped_column(Date)
    screened_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class CaseEvent(Base):
    """Something that happened to the offender between meetings, with its date and source."""

    __tablename__ = "case_event"
    __table_args__ = (
        CheckConstraint(f"subtype IS NULL OR subtype IN ({_SUBTYPE_LIST})", name="subtype_known"),
        Index("ix_case_event_case_date", "case_id", "event_date"),
        Index("ix_case_event_kind_date", "kind", "event_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mappa_case.id", ondelete="CASCADE"))
    kind: Mapped[CaseEventKind] = mapped_column(str_enum(CaseEventKind, "case_event_kind"))
    subtype: Mapped[str | None] = mapped_column(String(40))
    event_date: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))  # where the information came from
    source_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    detail: Mapped[str] = mapped_column(Text, default="")
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}
