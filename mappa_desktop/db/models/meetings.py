"""Meetings, attendance, per-case discussions, decisions with dissent, and actions."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mappa_desktop.db.base import Base, UTCDateTime, str_enum, utcnow
from mappa_desktop.domain.enums import (
    ActionStatus,
    AgendaReason,
    AttendanceStatus,
    DecisionKind,
    MeetingStatus,
    MeetingType,
    NotDoneReason,
    RiskTrend,
)


class Meeting(Base):
    __tablename__ = "meeting"
    __table_args__ = (CheckConstraint("level IN (2, 3)", name="level_2_or_3"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[int] = mapped_column(Integer)
    meeting_type: Mapped[MeetingType] = mapped_column(str_enum(MeetingType, "meeting_type"))
    meeting_date: Mapped[date] = mapped_column(Date, index=True)
    start_time: Mapped[time | None] = mapped_column(Time)
    venue: Mapped[str] = mapped_column(String(200), default="")
    chair_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    minute_taker_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    status: Mapped[MeetingStatus] = mapped_column(
        str_enum(MeetingStatus, "meeting_status"), default=MeetingStatus.PLANNED
    )
    template_version: Mapped[str] = mapped_column(String(40), default="MAPPA C (2022)")
    statement_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    statement_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    discussions: Mapped[list[CaseDiscussion]] = relationship(
        back_populates="meeting", order_by="CaseDiscussion.agenda_order"
    )
    attendance: Mapped[list[Attendance]] = relationship(order_by="Attendance.id")


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id"),
        CheckConstraint(
            "(status = 'deputy') = (deputy_for_id IS NOT NULL)", name="deputy_names_whom"
        ),
        CheckConstraint(
            "departed_at IS NULL OR arrived_at IS NULL OR departed_at >= arrived_at",
            name="departs_after_arrival",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    status: Mapped[AttendanceStatus] = mapped_column(str_enum(AttendanceStatus, "attendance"))
    deputy_for_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    arrived_at: Mapped[time | None] = mapped_column(Time)
    departed_at: Mapped[time | None] = mapped_column(Time)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class CaseDiscussion(Base):
    """One case on one meeting's agenda, with what was said and decided about it."""

    __tablename__ = "case_discussion"
    __table_args__ = (UniqueConstraint("meeting_id", "case_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("mappa_case.id"), index=True)
    agenda_order: Mapped[int] = mapped_column(Integer)
    agenda_reason: Mapped[AgendaReason] = mapped_column(str_enum(AgendaReason, "agenda_reason"))
    risk_summary: Mapped[str] = mapped_column(Text, default="")  # the chair's summary
    notes: Mapped[str] = mapped_column(Text, default="")  # the discussion
    # Migration 0008: MAPPA C asks for these per case.
    victim_issues: Mapped[str] = mapped_column(Text, default="", server_default="")
    diversity_issues: Mapped[str] = mapped_column(Text, default="", server_default="")
    risk_trend: Mapped[RiskTrend | None] = mapped_column(str_enum(RiskTrend, "risk_trend"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    meeting: Mapped[Meeting] = relationship(back_populates="discussions")


class CaseAttendance(Base):
    """Who was there for one case (migration 0008): present, apologies, invited but absent
    ("absent"), a deputy, or a written report received. The Responsible Authority agencies and
    the co-ordinator form the core panel for every case; others are invited per case
    (``InvitedAgency``). A meeting attendee with no row here is taken from the meeting-wide
    attendance when their agency is core, and is not in the room for the case otherwise."""

    __tablename__ = "case_attendance"
    __table_args__ = (UniqueConstraint("discussion_id", "agency_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(
        ForeignKey("case_discussion.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    status: Mapped[AttendanceStatus] = mapped_column(
        str_enum(AttendanceStatus, "case_attendance_status")
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class InvitedAgency(Base):
    """A Duty-to-Co-operate agency invited for one case."""

    __tablename__ = "invited_agency"
    __table_args__ = (UniqueConstraint("discussion_id", "agency_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("case_discussion.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))


class InformationShared(Base):
    __tablename__ = "information_shared"
    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(
        ForeignKey("case_discussion.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    text: Mapped[str] = mapped_column(Text)
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Migration 0008: who gave it, as at which date, and whether the agency declined to share
    # (``text`` then says why).
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    as_at: Mapped[date | None] = mapped_column(Date)
    declined: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class Decision(Base):
    __tablename__ = "decision"
    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(
        ForeignKey("case_discussion.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DecisionKind] = mapped_column(str_enum(DecisionKind, "decision_kind"))
    outcome: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text)
    new_level: Mapped[int | None] = mapped_column(Integer)
    new_category: Mapped[int | None] = mapped_column(Integer)
    next_review_date: Mapped[date | None] = mapped_column(Date)
    # Disclosure details: whether, to whom, by whom, how, when; s.327A for child sex offenders.
    disclose: Mapped[bool | None] = mapped_column(Boolean)
    disclosure_to: Mapped[str] = mapped_column(Text, default="")
    disclosure_by: Mapped[str] = mapped_column(String(200), default="")
    disclosure_method: Mapped[str] = mapped_column(String(200), default="")
    disclosure_date: Mapped[date | None] = mapped_column(Date)
    s327a_considered: Mapped[bool] = mapped_column(Boolean, default=False)
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    dissents: Mapped[list[Dissent]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="Dissent.id"
    )


class Dissent(Base):
    """A differing view recorded against a decision (minutes must reflect every viewpoint)."""

    __tablename__ = "dissent"
    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    view: Mapped[str] = mapped_column(Text)


class Action(Base):
    __tablename__ = "action"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open', 'done') OR not_done_reason IS NOT NULL",
            name="not_done_has_reason",
        ),
        Index("ix_action_open_due", "status", "due_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mappa_case.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text, default="", server_default="")  # migration 0008
    owner_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus, "action_status"), default=ActionStatus.OPEN
    )
    set_in_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    closed_in_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    not_done_reason: Mapped[NotDoneReason | None] = mapped_column(
        str_enum(NotDoneReason, "not_done_reason")
    )
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    completed_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class ActionReview(Base):
    """How a previous action was reviewed at a meeting (done, carried over with why, cancelled)."""

    __tablename__ = "action_review"
    __table_args__ = (UniqueConstraint("meeting_id", "action_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    outcome: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus, "review_outcome"))
    not_done_reason: Mapped[NotDoneReason | None] = mapped_column(
        str_enum(NotDoneReason, "review_not_done_reason")
    )
    note: Mapped[str] = mapped_column(Text, default="")
    new_due_date: Mapped[date | None] = mapped_column(Date)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
