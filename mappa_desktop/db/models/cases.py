"""The offender/case record, aliases, identifiers and MAPPA registration history."""

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
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mappa_desktop.db.base import Base, UTCDateTime, str_enum, utcnow
from mappa_desktop.domain.enums import AliasKind, CustodyStatus, IdentifierScheme


class Case(Base):
    """One offender managed under MAPPA ("case" is a SQL keyword, hence the table name)."""

    __tablename__ = "mappa_case"
    id: Mapped[int] = mapped_column(primary_key=True)
    family_name: Mapped[str] = mapped_column(String(100), index=True)
    given_names: Mapped[str] = mapped_column(String(100), default="")
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(60), default="")
    ethnicity: Mapped[str] = mapped_column(String(200), default="")  # as stated, not a code
    address_area: Mapped[str] = mapped_column(String(200), default="")
    no_fixed_abode: Mapped[bool] = mapped_column(Boolean, default=False)
    custody_status: Mapped[CustodyStatus] = mapped_column(
        str_enum(CustodyStatus, "custody_status"), default=CustodyStatus.COMMUNITY
    )
    lead_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    offender_manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    index_offence: Mapped[str] = mapped_column(Text, default="")
    sentence: Mapped[str] = mapped_column(Text, default="")
    offence_details: Mapped[str] = mapped_column(Text, default="")
    previous_offences: Mapped[str] = mapped_column(Text, default="")
    relevant_dates: Mapped[str] = mapped_column(Text, default="")
    reason_for_referral: Mapped[str] = mapped_column(Text, default="")
    victim_notes: Mapped[str] = mapped_column(Text, default="")
    referral_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    aliases: Mapped[list[CaseAlias]] = relationship(
        cascade="all, delete-orphan", order_by="CaseAlias.id"
    )
    identifiers: Mapped[list[CaseIdentifier]] = relationship(
        cascade="all, delete-orphan", order_by="CaseIdentifier.scheme"
    )


class CaseAlias(Base):
    __tablename__ = "case_alias"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("mappa_case.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AliasKind] = mapped_column(str_enum(AliasKind, "alias_kind"))


class CaseIdentifier(Base):
    __tablename__ = "case_identifier"
    __table_args__ = (
        UniqueConstraint("scheme", "value"),
        UniqueConstraint("case_id", "scheme"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("mappa_case.id", ondelete="CASCADE"), index=True
    )
    scheme: Mapped[IdentifierScheme] = mapped_column(str_enum(IdentifierScheme, "id_scheme"))
    value: Mapped[str] = mapped_column(String(60))


class Registration(Base):
    """A MAPPA registration period. A change of category or level closes this row
    (``is_current`` false) and starts a new one, each with a mandatory rationale."""

    __tablename__ = "registration"
    __table_args__ = (
        CheckConstraint("category BETWEEN 1 AND 4", name="category_range"),
        CheckConstraint("level BETWEEN 1 AND 3", name="level_range"),
        CheckConstraint("NOT (category = 3 AND level = 1)", name="cat3_not_level1"),
        CheckConstraint("ended_on IS NULL OR ended_on >= start_date", name="end_after_start"),
        Index(
            "uq_registration_current_case",
            "case_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("mappa_case.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[int] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    next_review_due: Mapped[date | None] = mapped_column(Date, index=True)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str] = mapped_column(Text, default="")
    rationale: Mapped[str] = mapped_column(Text)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}
