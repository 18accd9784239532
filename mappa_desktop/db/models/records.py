"""Frozen minutes, addenda, the distribution log and the audit log: insert-only tables.

The database itself refuses UPDATE and DELETE on these (triggers in the first migration; for
``issued_file``, added later, in migration 0002).

Hash schemes (``services.minutes_hash``): rows written before migration 0006 carry scheme 1 (the
hash covers the content only); every later row carries scheme 2 (the hash also covers the signer
as printed and the time, and addenda are chained). The columns' server default is 1 so that the
migration marks the rows that existed at the upgrade; the app always writes 2.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mappa_desktop.db.base import Base, UTCDateTime, str_enum, utcnow
from mappa_desktop.domain.enums import DistributionVariant

FROZEN_TABLES = ("minutes", "addendum", "distribution", "audit_event")
# Append-only tables added after the first migration. Kept apart from ``FROZEN_TABLES`` because
# migration 0001 creates triggers for every name in that tuple, and these did not exist then.
LATER_FROZEN_TABLES = ("issued_file",)


class Minutes(Base):
    """The meeting's content frozen at sign-off: canonical JSON and its SHA-256."""

    __tablename__ = "minutes"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), unique=True)
    content: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Scheme 2: the signer as printed, frozen at sign-off, and the hashes that cover them.
    hash_scheme: Mapped[int] = mapped_column(Integer, server_default="1")
    signer_name: Mapped[str] = mapped_column(Text, server_default="")
    signer_agency: Mapped[str] = mapped_column(Text, server_default="")
    signer_role: Mapped[str] = mapped_column(Text, server_default="")
    hash_parts: Mapped[str] = mapped_column(Text, server_default="{}")  # JSON {part: sha256}
    record_sha256: Mapped[str] = mapped_column(String(64), server_default="")


class Addendum(Base):
    """A correction after sign-off, signed off by the chair; never an in-place edit."""

    __tablename__ = "addendum"
    __table_args__ = (UniqueConstraint("minutes_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id"))
    seq: Mapped[int] = mapped_column(Integer)
    # Migration 0008: the offender whose record it corrects (None: the meeting-wide record).
    case_id: Mapped[int | None] = mapped_column(ForeignKey("mappa_case.id"))
    reason: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))  # scheme 2: the chained hash
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    hash_scheme: Mapped[int] = mapped_column(Integer, server_default="1")
    signer_name: Mapped[str] = mapped_column(Text, server_default="")
    signer_agency: Mapped[str] = mapped_column(Text, server_default="")
    signer_role: Mapped[str] = mapped_column(Text, server_default="")
    hash_parts: Mapped[str] = mapped_column(Text, server_default="{}")


class Distribution(Base):
    """One issued copy of the minutes: who got which version, when and how."""

    __tablename__ = "distribution"
    __table_args__ = (UniqueConstraint("minutes_id", "copy_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id"), index=True)
    copy_number: Mapped[int] = mapped_column(Integer)
    recipient_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    recipient_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    recipient_name: Mapped[str] = mapped_column(String(300))
    # Migration 0008: the offender's record this copy is (None: the meeting-wide record) and,
    # when the recipient's agency has no need to know that case, the recorded reason (MAPPA D).
    case_id: Mapped[int | None] = mapped_column(ForeignKey("mappa_case.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    variant: Mapped[DistributionVariant] = mapped_column(
        str_enum(DistributionVariant, "distribution_variant")
    )
    version_sha256: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(100), default="")
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IssuedFile(Base):
    """The SHA-256 of a PDF file of signed-off minutes as the app wrote it (a personal copy or
    an unnumbered export), so ``verify`` can tell the issued file from one changed afterwards."""

    __tablename__ = "issued_file"
    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id"), index=True)
    distribution_id: Mapped[int | None] = mapped_column(ForeignKey("distribution.id"), unique=True)
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("mappa_case.id"))  # migration 0008
    byte_size: Mapped[int] = mapped_column(Integer)
    version_sha256: Mapped[str] = mapped_column(String(64))
    variant: Mapped[DistributionVariant] = mapped_column(
        str_enum(DistributionVariant, "distribution_variant")
    )
    digitally_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # 1: logged before migration 0006, trusted by its hash; 2: verify re-renders it.
    scheme: Mapped[int] = mapped_column(Integer, server_default="1")
    renderer: Mapped[str] = mapped_column(String(100), server_default="")


class AuditEvent(Base):
    """Append-only: who did what to which record, with old -> new values."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_case", "case_id", "id"),
        Index("ix_audit_event_meeting", "meeting_id", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    changes: Mapped[str] = mapped_column(Text, default="{}")  # JSON {field: [old, new]}
    case_id: Mapped[int | None] = mapped_column(Integer)
    meeting_id: Mapped[int | None] = mapped_column(Integer)
