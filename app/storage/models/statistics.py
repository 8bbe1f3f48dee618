"""Statistics reports (issue 19, R50): drafts, approvals, frozen figures, 发放登记."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.models.base import Base
from app.storage.models.columns import owned_by
from app.storage.models.signatures import ApprovalStep


class StatisticsReport(Base):
    """One version of a report: compiled (numbers taken), routed, released or rejected.

    ``data`` holds the report's figures as JSON from the moment it is compiled; a released
    version is never recomputed (its numbers stay what the approvers saw).
    """

    __tablename__ = "statistics_report"
    __table_args__ = (Index("ix_statistics_report_state", "state", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(16), index=True)  # TJ2026-0001 at release
    version: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("statistics_report.id"))
    kind: Mapped[str] = mapped_column(String(16))  # ReportKind
    title: Mapped[str] = mapped_column(String(200))
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    filters: Mapped[str] = mapped_column(Text, default="{}")  # ReportFilter as JSON
    route: Mapped[str] = mapped_column(String(24))  # internal | other_department | revision
    requested_by: Mapped[str] = mapped_column(String(100), default="")  # the other department
    steps: Mapped[str] = mapped_column(Text, default="[]")  # the route when submitted (JSON)
    state: Mapped[str] = mapped_column(String(16))  # ReleaseState
    data: Mapped[str] = mapped_column(Text)  # Report.to_json()
    change_note: Mapped[str] = mapped_column(Text, default="")  # what a revision changed
    compiled_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    compiled_by_name: Mapped[str] = mapped_column(String(64))
    compiled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rejection_reason: Mapped[str] = mapped_column(Text, default="")


class StatisticsApproval(ApprovalStep, Base):
    """One signature (or the rejection) on one step of a report's route."""

    __tablename__ = "statistics_approval"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = owned_by("statistics_report")


class StatisticsDistribution(Base):
    """发放登记: a released report handed to a recipient (统一印刷、保管及发放, 第12条)."""

    __tablename__ = "statistics_distribution"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("statistics_report.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(100))  # department or post, not a private person
    copies: Mapped[int] = mapped_column(Integer)
    given_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StatCounter(Base):
    """A running total kept by triggers (app/storage/stat_counters.py): volumes, customers."""

    __tablename__ = "stat_counter"

    key: Mapped[str] = mapped_column(String(16), primary_key=True)  # volume | customer
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    items: Mapped[int] = mapped_column(BigInteger, default=0)
    pages: Mapped[int] = mapped_column(BigInteger, default=0)


class StatHourly(Base):
    """New rows per UTC hour kept by triggers (``customer``: registrations)."""

    __tablename__ = "stat_hourly"

    hour: Mapped[str] = mapped_column(String(13), primary_key=True)  # 2026-01-05 09 (UTC)
    key: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class StatVolumeGroup(Base):
    """Volumes, items, pages per 门类 × 年度 × 保管期限 × 密级 × state, kept by triggers."""

    __tablename__ = "stat_volume_group"

    category_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    retention: Mapped[str] = mapped_column(String(8), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), primary_key=True)  # '' for 非密
    state: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    items: Mapped[int] = mapped_column(BigInteger, default=0)
    pages: Mapped[int] = mapped_column(BigInteger, default=0)
