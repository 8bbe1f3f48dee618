"""Disposition (issue 17: R44, R46): legal holds, appraisals and destruction lists (销毁清册)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.models.base import Base
from app.storage.models.columns import owned_by


class LegalHold(Base):
    """A hold (冻结, R46): its targets and query stop appraisal, destruction and deletion."""

    __tablename__ = "legal_hold"
    __table_args__ = (Index("ix_legal_hold_state", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # DJ2026-0001, never reused
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))  # active | released
    query: Mapped[str] = mapped_column(Text, default="")  # JSON VolumeQuery or ""
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_by_name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    released_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    released_by_name: Mapped[str] = mapped_column(String(64), default="")
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    release_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)


class LegalHoldTarget(Base):
    """One customer or one volume named by a hold."""

    __tablename__ = "legal_hold_target"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hold_id: Mapped[int] = owned_by("legal_hold")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    volume_id: Mapped[int | None] = mapped_column(ForeignKey("volume.id"), index=True)


class Appraisal(Base):
    """An appraisal (鉴定) of expired volumes by two or more named appraisers (R44)."""

    __tablename__ = "appraisal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # JD2026-0001
    state: Mapped[str] = mapped_column(String(16))  # open | closed
    appraised_on: Mapped[date] = mapped_column(Date)
    opinion: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)


class AppraisalMember(Base):
    """An appraiser (鉴定人); ``seq`` 1 is the 鉴定负责人."""

    __tablename__ = "appraisal_member"
    __table_args__ = (UniqueConstraint("appraisal_id", "user_id", name="uq_appraisal_member_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(ForeignKey("appraisal.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    name: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)


class AppraisalDecision(Base):
    """The appraisal's decision on one volume: 销毁 / 延长保管 / 转为永久 / 移交."""

    __tablename__ = "appraisal_decision"
    __table_args__ = (
        UniqueConstraint("appraisal_id", "volume_id", name="uq_appraisal_decision_pair"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(ForeignKey("appraisal.id", ondelete="CASCADE"))
    volume_id: Mapped[int] = mapped_column(ForeignKey("volume.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))  # destroy | extend | permanent | transfer
    new_retention_until: Mapped[int | None] = mapped_column(Integer)  # extend: last year
    reason: Mapped[str] = mapped_column(Text, default="")
    recipient: Mapped[str] = mapped_column(String(100), default="")  # transfer: the archive
    opinion: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DestructionList(Base):
    """A 销毁清册 (R44): compiled, approved, carried out with two 监销人; kept permanently."""

    __tablename__ = "destruction_list"
    __table_args__ = (Index("ix_destruction_list_state", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # XH2026-0001, never reused
    # draft | pending | approved | rejected | destroyed
    state: Mapped[str] = mapped_column(String(16))
    appraisal_id: Mapped[int | None] = mapped_column(ForeignKey("appraisal.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    steps: Mapped[str] = mapped_column(Text, default="[]")  # approver titles, JSON, when submitted
    compiled_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    compiled_by_name: Mapped[str] = mapped_column(String(64))
    compiled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    carried_out_on: Mapped[date | None] = mapped_column(Date)
    carried_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    place: Mapped[str] = mapped_column(String(100), default="")
    method: Mapped[str] = mapped_column(String(32), default="")
    witness1_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    witness1_name: Mapped[str] = mapped_column(String(64), default="")
    witness2_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    witness2_name: Mapped[str] = mapped_column(String(64), default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)


class DestructionListVolume(Base):
    """One row of a 清册, its columns taken from the volume when it was listed.

    ``open_volume_id`` is the volume id while the list is open, NULL once it is rejected or
    carried out: unique, so a volume is on one open list only.
    """

    __tablename__ = "destruction_list_volume"
    __table_args__ = (
        UniqueConstraint("list_id", "volume_id", name="uq_destruction_list_volume_pair"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("destruction_list.id", ondelete="CASCADE"))
    volume_id: Mapped[int] = mapped_column(ForeignKey("volume.id"), index=True)
    open_volume_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    seq: Mapped[int] = mapped_column(Integer)  # 序号
    reference_code: Mapped[str] = mapped_column(String(64))  # 档号
    title: Mapped[str] = mapped_column(String(300))  # 题名
    date_range: Mapped[str] = mapped_column(String(32), default="")  # 起止日期
    secrecy: Mapped[str] = mapped_column(String(16), default="")  # 密级 (label)
    quantity: Mapped[str] = mapped_column(String(32), default="")  # 数量 (件/页)
    retention: Mapped[str] = mapped_column(String(16), default="")  # 应保管期限
    kept: Mapped[str] = mapped_column(String(16), default="")  # 已保管期限
    reason: Mapped[str] = mapped_column(Text, default="")  # 销毁原因
    remarks: Mapped[str] = mapped_column(Text, default="")  # 备注


class DestructionApproval(Base):
    """One approver's decision on one step of a 清册's route."""

    __tablename__ = "destruction_approval"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = owned_by("destruction_list")
    step: Mapped[int] = mapped_column(Integer)
    approver_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approver_name: Mapped[str] = mapped_column(String(64))
    approver_title: Mapped[str] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(16))  # approve | reject
    opinion: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DestructionNote(Base):
    """A correction appended to a 清册 (the list itself is never edited after approval)."""

    __tablename__ = "destruction_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = owned_by("destruction_list")
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_by_name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
