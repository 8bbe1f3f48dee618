"""Inspections (issue 8: R25, R41, R42, R13)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.models.base import Base
from app.storage.models.columns import LEADING


class InspectionSession(Base):
    """A 库房检查: half-yearly (半年定期), special (专项) or after an incident (突发) (R41)."""

    __tablename__ = "inspection_session"
    __table_args__ = (Index("ix_inspection_session_room", "room_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # JC2026-0001
    kind: Mapped[str] = mapped_column(String(16))  # InspectionKind
    room_id: Mapped[int] = mapped_column(ForeignKey("storage_location.id"))
    scope_kind: Mapped[str] = mapped_column(String(16))  # room | shelves | face
    scope_ids: Mapped[str] = mapped_column(Text)  # JSON list of storage_location ids
    scope_label: Mapped[str] = mapped_column(String(200))
    inspected_on: Mapped[date] = mapped_column(Date)
    inspectors: Mapped[str] = mapped_column(Text)  # JSON [{"user_id": 3 | null, "name": "李四"}]
    status: Mapped[str] = mapped_column(String(16))  # open | counting | findings | closed
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    current_place_id: Mapped[int | None] = mapped_column(Integer)  # the last place label scanned
    measures: Mapped[str] = mapped_column(Text, default="")  # 处理措施
    review: Mapped[str] = mapped_column(Text, default="")  # 复查
    note: Mapped[str] = mapped_column(Text, default="")
    fixity: Mapped[str] = mapped_column(Text, default="")  # JSON result of the last check
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    counted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)


class SessionVolume:
    """Mixin: one volume in a session's count, keyed by session and volume (goes with the session).

    Its columns open the table: ``session_id``, then ``volume_id``.
    """

    session_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_session.id", ondelete="CASCADE"),
        primary_key=True,
        sort_order=LEADING,
    )
    volume_id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=LEADING)


class InspectionExpected(SessionVolume, Base):
    """One volume expected in the scope when counting started (placed − on loan − in repair)."""

    __tablename__ = "inspection_expected"

    box_id: Mapped[int | None] = mapped_column(Integer)
    location_id: Mapped[int | None] = mapped_column(Integer)  # its home place


class InspectionScan(Base):
    """One code scanned during counting (kept so that a session resumes after a restart)."""

    __tablename__ = "inspection_scan"
    __table_args__ = (Index("ix_inspection_scan_session", "session_id", "kind", "object_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("inspection_session.id", ondelete="CASCADE"))
    scanned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    code: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))  # volume | box | location | unknown
    object_id: Mapped[int | None] = mapped_column(Integer)
    place_id: Mapped[int | None] = mapped_column(Integer)  # where it was seen (last place label)


class InspectionFound(SessionVolume, Base):
    """A volume seen during counting (directly or in a scanned box), where it was seen."""

    __tablename__ = "inspection_found"

    place_id: Mapped[int | None] = mapped_column(Integer)
    scan_id: Mapped[int] = mapped_column(Integer)


class InspectionDifference(Base):
    """A difference the count or the fixity check found; resolved by an explicit action."""

    __tablename__ = "inspection_difference"
    __table_args__ = (Index("ix_inspection_difference_session", "session_id", "resolution"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("inspection_session.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # DifferenceKind
    volume_id: Mapped[int | None] = mapped_column(Integer)
    file_id: Mapped[int | None] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(80))
    home: Mapped[str] = mapped_column(String(120), default="")  # where the register has it
    seen: Mapped[str] = mapped_column(String(120), default="")  # where it was found
    resolution: Mapped[str] = mapped_column(String(16), default="")  # "": open; Resolution
    note: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class InspectionCheck(Base):
    """One checklist line of a session: 正常/异常 with a note (R25, R41)."""

    __tablename__ = "inspection_check"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_session.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    ok: Mapped[bool | None] = mapped_column(Boolean)  # None: not checked yet
    note: Mapped[str] = mapped_column(Text, default="")


class EnvironmentReading(Base):
    """A temperature and relative-humidity reading of a room (twice-daily log or a session)."""

    __tablename__ = "environment_reading"
    __table_args__ = (Index("ix_environment_reading_room", "room_id", "taken_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("storage_location.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_session.id"))
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    temperature_dc: Mapped[int] = mapped_column(Integer)  # tenths of a °C
    humidity_pm: Mapped[int] = mapped_column(Integer)  # tenths of a % RH
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class ConditionRecord(Base):
    """The condition of a volume found at an inspection (fading, damage, damp, mould, pests)."""

    __tablename__ = "condition_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    volume_id: Mapped[int] = mapped_column(ForeignKey("volume.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_session.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # ConditionKind
    description: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class RepairTask(Base):
    """A repair task (修补, 复制, 更换盒, 除霉) with a responsible person and a due date (R41)."""

    __tablename__ = "repair_task"
    __table_args__ = (Index("ix_repair_task_state", "state", "due_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    volume_id: Mapped[int] = mapped_column(ForeignKey("volume.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_session.id"), index=True)
    condition_id: Mapped[int | None] = mapped_column(ForeignKey("condition_record.id"))
    kind: Mapped[str] = mapped_column(String(16))  # TaskKind
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    responsible_name: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16))  # open | out | done
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
