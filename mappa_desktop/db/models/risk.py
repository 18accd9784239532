"""Versioned risk assessments (never overwritten) and the risk-management plan with revisions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mappa_desktop.db.base import Base, UTCDateTime, str_enum, utcnow
from mappa_desktop.domain.enums import (
    AssessmentTool,
    RiskGroup,
    RiskSetting,
    RmpChange,
    RmpItemStatus,
    RmpPillar,
    RoshLevel,
)


class RiskAssessment(Base):
    """One version of a case's risk assessment. Insert-only: a new assessment is a new row."""

    __tablename__ = "risk_assessment"
    __table_args__ = (UniqueConstraint("case_id", "version_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mappa_case.id", ondelete="CASCADE"))
    version_no: Mapped[int] = mapped_column(Integer)
    assessed_on: Mapped[date] = mapped_column(Date)
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    tool: Mapped[AssessmentTool] = mapped_column(str_enum(AssessmentTool, "assessment_tool"))
    tool_score: Mapped[str] = mapped_column(String(100), default="")
    overall_rosh: Mapped[RoshLevel] = mapped_column(str_enum(RoshLevel, "overall_rosh"))
    who_at_risk: Mapped[str] = mapped_column(Text, default="")
    nature_of_risk: Mapped[str] = mapped_column(Text, default="")
    imminence: Mapped[str] = mapped_column(Text, default="")
    increasing_factors: Mapped[str] = mapped_column(Text, default="")
    protective_factors: Mapped[str] = mapped_column(Text, default="")
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ratings: Mapped[list[RoshRating]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="RoshRating.id"
    )


class RoshRating(Base):
    """RoSH for one group in one setting (community or custody; prisoners only in custody)."""

    __tablename__ = "rosh_rating"
    __table_args__ = (UniqueConstraint("assessment_id", "setting", "risk_group"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("risk_assessment.id", ondelete="CASCADE"), index=True
    )
    setting: Mapped[RiskSetting] = mapped_column(str_enum(RiskSetting, "risk_setting"))
    risk_group: Mapped[RiskGroup] = mapped_column(str_enum(RiskGroup, "risk_group"))
    level: Mapped[RoshLevel] = mapped_column(str_enum(RoshLevel, "rosh_level"))


class RmpItem(Base):
    """The current state of one risk-management-plan item; its history is in ``RmpRevision``."""

    __tablename__ = "rmp_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("mappa_case.id", ondelete="CASCADE"), index=True
    )
    pillar: Mapped[RmpPillar] = mapped_column(str_enum(RmpPillar, "rmp_pillar"))
    text: Mapped[str] = mapped_column(Text)
    responsible_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    start_date: Mapped[date | None] = mapped_column(Date)
    review_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[RmpItemStatus] = mapped_column(str_enum(RmpItemStatus, "rmp_status"))
    restricted: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class RmpRevision(Base):
    """Insert-only history of an RMP item, linked to the meeting that made the change."""

    __tablename__ = "rmp_revision"
    __table_args__ = (UniqueConstraint("item_id", "revision_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("rmp_item.id", ondelete="CASCADE"))
    revision_no: Mapped[int] = mapped_column(Integer)
    change: Mapped[RmpChange] = mapped_column(str_enum(RmpChange, "rmp_change"))
    text: Mapped[str] = mapped_column(Text)
    responsible_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    start_date: Mapped[date | None] = mapped_column(Date)
    review_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[RmpItemStatus] = mapped_column(str_enum(RmpItemStatus, "rmp_rev_status"))
    rationale: Mapped[str] = mapped_column(Text, default="")
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
