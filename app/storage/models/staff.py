"""Staff, departments, confidentiality agreements, training, hand-overs and access reviews.

Contact details and attached scans are personal data: encrypted with the field cipher (the
row's number or id in the associated data) and shown masked (R5, R6, R28).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.models.base import Base
from app.storage.models.columns import encrypted, owned_by


class Department(Base):
    """A department (部门) and its named filing clerk (归档专人, R27)."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    filing_clerk_id: Mapped[int | None] = mapped_column(Integer)  # staff_person.id
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)


class StaffPerson(Base):
    """A member of staff, with or without an account (R28)."""

    __tablename__ = "staff_person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    post: Mapped[str] = mapped_column(String(64), default="")  # 岗位
    contact_enc: Mapped[bytes | None] = encrypted()  # phone, encrypted
    state: Mapped[str] = mapped_column(String(16))  # StaffState
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    joined_on: Mapped[date] = mapped_column(Date)  # recorded from (training due from here)
    left_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)


class StaffAgreement(Base):
    """A signed confidentiality agreement (保密协议) with its scanned copy, encrypted."""

    __tablename__ = "staff_agreement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("staff_person.id"), index=True)
    signed_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)  # None: no end date
    note: Mapped[str] = mapped_column(String(200), default="")
    scan_enc: Mapped[bytes | None] = encrypted()
    scan_name_enc: Mapped[bytes | None] = encrypted()
    scan_sha256: Mapped[str | None] = mapped_column(String(64))
    scan_size: Mapped[int] = mapped_column(Integer, default=0)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class StaffTraining(Base):
    """A confidentiality training session (保密培训) with its material, encrypted."""

    __tablename__ = "staff_training"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    topic: Mapped[str] = mapped_column(String(200))
    trainer: Mapped[str] = mapped_column(String(64))
    hours_tenths: Mapped[int] = mapped_column(Integer)  # 1.5 h → 15
    material_enc: Mapped[bytes | None] = encrypted()
    material_name_enc: Mapped[bytes | None] = encrypted()
    material_sha256: Mapped[str | None] = mapped_column(String(64))
    material_size: Mapped[int] = mapped_column(Integer, default=0)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class StaffTrainingAttendee(Base):
    """One person who attended one training."""

    __tablename__ = "staff_training_attendee"

    training_id: Mapped[int] = mapped_column(
        ForeignKey("staff_training.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("staff_person.id"), primary_key=True, index=True
    )


class FilingHandover(Base):
    """A department's monthly filing hand-over (归档移交, R27), confirmed by both sides."""

    __tablename__ = "filing_handover"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # GD2026-0001
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)  # 2026-03
    clerk_person_id: Mapped[int] = mapped_column(ForeignKey("staff_person.id"))
    clerk_name: Mapped[str] = mapped_column(String(64))
    clerk_confirmed: Mapped[str] = mapped_column(String(16))  # password | paper
    archivist_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    archivist_name: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")
    volumes: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)


class FilingHandoverLine(Base):
    """One line of a 归档移交清单: a volume scanned at the desk, or material described."""

    __tablename__ = "filing_handover_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    handover_id: Mapped[int] = owned_by("filing_handover")
    seq: Mapped[int] = mapped_column(Integer)
    volume_id: Mapped[int | None] = mapped_column(ForeignKey("volume.id"))
    reference_code: Mapped[str] = mapped_column(String(64), default="")
    title: Mapped[str] = mapped_column(String(200))
    items: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)


class StaffHandover(Base):
    """A leaving or transfer hand-over (离职/调岗交接, R26) with its item-by-item list."""

    __tablename__ = "staff_handover"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # JJ2026-0001
    person_id: Mapped[int] = mapped_column(ForeignKey("staff_person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # left | transferred
    supervisor: Mapped[str] = mapped_column(String(64))  # 监交人
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_by: Mapped[str] = mapped_column(Text, default="")  # successors' user names
    listing: Mapped[str] = mapped_column(Text)  # JSON lines: kind, what, successor
    note: Mapped[str] = mapped_column(Text, default="")


class AccessReview(Base):
    """A periodic access review (定期审查访问权限): one line per account."""

    __tablename__ = "access_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # SC2026-0001
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")


class AccessReviewLine(Base):
    """One account as reviewed: what it held then, and the reviewer's decision."""

    __tablename__ = "access_review_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = owned_by("access_review")
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(64))
    roles: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(default=False)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    compliance: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(String(16), default="pending")  # confirmed | changed
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
