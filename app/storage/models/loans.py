"""Consultation and loans (issue 7: R30–R35, R40)."""

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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.models.base import Base
from app.storage.models.columns import encrypted, owned_by
from app.storage.models.signatures import ApprovalStep


class StaffDepartment(Base):
    """The department (部门) a staff account belongs to: finds a borrower's department head."""

    __tablename__ = "staff_department"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    department: Mapped[str] = mapped_column(String(64), index=True)


class UseApplication(Base):
    """A 查阅/外借/复制/摘抄/对外提供 application (R30–R32) and its decision.

    The outsider's credential number and the applicant's phone are personal data: encrypted
    (bound to ``number``) and printed masked.
    """

    __tablename__ = "use_application"
    __table_args__ = (Index("ix_use_application_state", "state", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # 申请编号 SQ2026-000001
    kind: Mapped[str] = mapped_column(String(16))  # UseKind
    state: Mapped[str] = mapped_column(String(16))  # ApplicationState
    applicant_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    applicant_name: Mapped[str] = mapped_column(String(64))
    outsider: Mapped[bool] = mapped_column(Boolean, default=False)
    unit: Mapped[str] = mapped_column(String(100), default="")  # 单位 (outsiders)
    department: Mapped[str] = mapped_column(String(64), default="")  # 部门
    credential: Mapped[str | None] = mapped_column(String(16))  # letter | work_id
    credential_number_enc: Mapped[bytes | None] = encrypted()
    phone_enc: Mapped[bytes | None] = encrypted()
    purpose: Mapped[str] = mapped_column(String(200))  # 利用目的
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_from: Mapped[date | None] = mapped_column(Date)
    requested_until: Mapped[date | None] = mapped_column(Date)
    secrecy_level: Mapped[str | None] = mapped_column(String(16))  # highest of the material
    steps: Mapped[str] = mapped_column(Text, default="[]")  # the route when filed (JSON)
    renewal_of_loan_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)


class UseApplicationVolume(Base):
    """One volume (or items of it, with page ranges for copies) asked for by an application."""

    __tablename__ = "use_application_volume"
    __table_args__ = (
        UniqueConstraint("application_id", "volume_id", name="uq_use_application_volume_pair"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = owned_by("use_application")
    volume_id: Mapped[int] = mapped_column(ForeignKey("volume.id"), index=True)
    items: Mapped[str] = mapped_column(String(200), default="")  # 件 序号, e.g. "1,3-4"
    pages: Mapped[str] = mapped_column(String(200), default="")  # page ranges to copy
    page_count: Mapped[int] = mapped_column(Integer, default=0)  # pages to copy or excerpt
    copies: Mapped[int] = mapped_column(Integer, default=1)  # 份数


class UseApproval(ApprovalStep, Base):
    """One approver's signature on one step of an application (or the rejection)."""

    __tablename__ = "use_approval"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = owned_by("use_application")


class Loan(Base):
    """A register entry (借阅登记簿): one volume handed out under an approved application."""

    __tablename__ = "loan"
    __table_args__ = (
        Index("ix_loan_state_due", "state", "due_on"),
        Index("ix_loan_issued_at", "issued_at"),
        Index("ix_loan_returned_at", "returned_at"),  # statistics: returned in a period
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # 登记号 JY2026-000001
    application_id: Mapped[int] = mapped_column(ForeignKey("use_application.id"), index=True)
    volume_id: Mapped[int] = mapped_column(ForeignKey("volume.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))  # out | returned
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    due_on: Mapped[date] = mapped_column(Date)
    renewals: Mapped[int] = mapped_column(Integer, default=0)
    expected_pages: Mapped[int] = mapped_column(Integer, default=0)
    expected_items: Mapped[int] = mapped_column(Integer, default=0)
    returned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    returned_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    counted_pages: Mapped[int | None] = mapped_column(Integer)
    counted_items: Mapped[int | None] = mapped_column(Integer)
    condition: Mapped[str | None] = mapped_column(String(16))
    effect: Mapped[str] = mapped_column(String(200), default="")  # 利用效果
    remarks: Mapped[str] = mapped_column(Text, default="")
    reminders: Mapped[int] = mapped_column(Integer, default=0)  # 催还通知 printed
    last_reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)


class DamageReport(Base):
    """A shortfall, damage or loss found at return (R33): open until resolved."""

    __tablename__ = "damage_report"
    __table_args__ = (Index("ix_damage_report_state", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    volume_id: Mapped[int] = mapped_column(ForeignKey("volume.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # ReportKind
    expected_pages: Mapped[int] = mapped_column(Integer, default=0)
    counted_pages: Mapped[int] = mapped_column(Integer, default=0)
    expected_items: Mapped[int] = mapped_column(Integer, default=0)
    counted_items: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16))  # open | resolved
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolution: Mapped[str] = mapped_column(Text, default="")


USE_REPORT_COLUMNS = (
    "occurred_at",
    "kind",
    "department",
    "purpose",
    "volume_level",
    "volume_category",
    "volume_year",
    "application_id",
    "volume_id",
    "items",
    "pages_copied",
)


class UseLog(Base):
    """Every use of the archives (R40): purpose, time, user; feeds the statistics (R50)."""

    __tablename__ = "use_log"
    __table_args__ = (
        Index("ix_use_log_occurred_at", "occurred_at"),
        # covers the use report's grouped passes over a period (migration 0022)
        Index("ix_use_log_report", *USE_REPORT_COLUMNS),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(16))  # UseKind
    application_id: Mapped[int] = mapped_column(ForeignKey("use_application.id"), index=True)
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loan.id"))
    volume_id: Mapped[int] = mapped_column(ForeignKey("volume.id"))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    applicant_user_id: Mapped[int | None] = mapped_column(Integer)
    applicant_name: Mapped[str] = mapped_column(String(64))
    department: Mapped[str] = mapped_column(String(100), default="")
    purpose: Mapped[str] = mapped_column(String(200))
    pages_copied: Mapped[int] = mapped_column(Integer, default=0)
    # snapshot for the use report, filled by a trigger (app/storage/stat_counters.py)
    volume_level: Mapped[str | None] = mapped_column(String(16))
    volume_category: Mapped[str | None] = mapped_column(String(16))
    volume_year: Mapped[int | None] = mapped_column(Integer)
    items: Mapped[int | None] = mapped_column(Integer)
