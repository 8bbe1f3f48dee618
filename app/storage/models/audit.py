"""The audit trail (issue 9) and the incident register (R45)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.models.base import Base


class AuditEntry(Base):
    """An append-only audit record, one link of the keyed hash chain (``security.audit_chain``).

    ``seq`` numbers the chain without gaps (assigned under the write lock); ``entry_hash`` is the
    HMAC over ``prev_hash`` and the other columns, content serialised canonically by
    ``AuditRecorder``.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (
        # the auditor's filters, newest first by key (issue 9)
        Index("ix_audit_entry_object", "object_type", "object_id"),
        Index("ix_audit_entry_action_seq", "action", "seq"),
        Index("ix_audit_entry_actor_name_seq", "actor_name", "seq"),
        # with a date range the rows are found by time, then sorted (services.audit.view._order)
        Index("ix_audit_entry_action_at", "action", "occurred_at"),
        Index("ix_audit_entry_actor_name_at", "actor_name", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))  # indexed with seq and with time (above)
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text, default="{}")
    workstation: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[bytes | None] = mapped_column(LargeBinary)
    entry_hash: Mapped[bytes | None] = mapped_column(LargeBinary)


class AuditCheckpoint(Base):
    """A signed checkpoint of the audit chain's head (PostgreSQL; SQLite uses a file)."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    entry_hash: Mapped[bytes] = mapped_column(LargeBinary)
    at: Mapped[str] = mapped_column(String(32))
    mac: Mapped[bytes] = mapped_column(LargeBinary)


class AuditSeal(Base):
    """The seal that closed one epoch of the audit chain (forward-secure, ``security.sealing``).

    ``mac`` = HMAC(epoch key, epoch, first/last seq, head hash, time); the epoch key is erased
    once the next one exists, so a seal cannot be redone later. Append-only.
    """

    __tablename__ = "audit_seal"

    epoch: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    first_seq: Mapped[int] = mapped_column(Integer)
    last_seq: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[bytes] = mapped_column(LargeBinary)
    closed_at: Mapped[str] = mapped_column(String(32))
    mac: Mapped[bytes] = mapped_column(LargeBinary)


class AuditSealState(Base):
    """The one current epoch key (encrypted under the data key); the row is overwritten."""

    __tablename__ = "audit_seal_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    epoch: Mapped[int] = mapped_column(Integer)
    sealed_key: Mapped[bytes] = mapped_column(LargeBinary)
    opened_at: Mapped[str] = mapped_column(String(32))  # when this epoch began
    opened_seq: Mapped[int] = mapped_column(Integer)  # head seq when this epoch began


class Incident(Base):
    """A suspected leak or loss of customer information (R45): what, when, who, measures."""

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # SJ-2026-001, never reused
    kind: Mapped[str] = mapped_column(String(16))  # leak | loss | other
    title: Mapped[str] = mapped_column(String(200))
    found_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    found_by: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")  # immediate measures
    reported_to: Mapped[str] = mapped_column(String(200), default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)


class IncidentLink(Base):
    """A customer or volume affected by an incident (shown with that record)."""

    __tablename__ = "incident_link"
    __table_args__ = (Index("ix_incident_link_object", "object_type", "object_id"),)

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True
    )
    object_type: Mapped[str] = mapped_column(String(16), primary_key=True)  # customer | volume
    object_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(64))  # 客户编号 or 档号 as entered
