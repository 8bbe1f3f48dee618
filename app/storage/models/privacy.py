"""Personal data lifecycle (issue 18): consents, erasure requests, subject requests, recipients.

Signed consent forms are encrypted under the customer's own key (erased with it, R8); signed
confidentiality agreements of recipients under the data key (they are company documents).
"""

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
from app.storage.models.columns import LEADING, encrypted, outlives, owned_by, row_id


class CustomerConsent(Base):
    """A consent given by a customer, or a legal basis the company states (R4)."""

    __tablename__ = "customer_consent"
    __table_args__ = (
        # the customers report: states by kind in customer order, and entries of a period
        Index("ix_customer_consent_state", "kind", "customer_id", "given_on", "valid_until"),
        Index("ix_customer_consent_given_on", "given_on", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = owned_by("customer")
    kind: Mapped[str] = mapped_column(String(16))  # consent | basis
    basis: Mapped[str] = mapped_column(String(32), default="")  # 合同必需 … for kind basis
    method: Mapped[str] = mapped_column(String(16), default="")  # written | electronic
    given_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")
    form_enc: Mapped[bytes | None] = encrypted()  # the signed form (R4)
    form_name_enc: Mapped[bytes | None] = encrypted()
    form_sha256: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class ConsentPurpose(Base):
    """One purpose a consent covers, and when that purpose was withdrawn."""

    __tablename__ = "consent_purpose"
    __table_args__ = (
        UniqueConstraint("consent_id", "purpose", name="uq_consent_purpose_pair"),
        Index("ix_consent_purpose_withdrawn_on", "withdrawn_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consent_id: Mapped[int] = owned_by("customer_consent")
    purpose: Mapped[str] = mapped_column(String(32))
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class CustomerRecord:
    """Mixin: a numbered record about a customer, kept after the customer is deleted (R8).

    Its columns open the table: ``id``, the record's ``number`` (SC2026-0001 for an erasure
    request, CX… a subject request, TG… a provision), the customer (SET NULL when deleted:
    the record stays) and the customer's number, kept as it was.
    """

    id: Mapped[int] = row_id(sort_order=LEADING)
    number: Mapped[str] = mapped_column(String(16), unique=True, sort_order=LEADING)
    customer_id: Mapped[int | None] = outlives("customer", sort_order=LEADING)
    customer_number: Mapped[str] = mapped_column(String(16), sort_order=LEADING)


class ErasureRequest(CustomerRecord, Base):
    """A request to delete or anonymise a customer's data (R8), approved by someone else."""

    __tablename__ = "erasure_request"

    reason: Mapped[str] = mapped_column(String(32))  # RequestReason
    note: Mapped[str] = mapped_column(String(200), default="")
    outcome: Mapped[str] = mapped_column(String(16))  # delete | anonymise
    state: Mapped[str] = mapped_column(String(16), index=True)
    requested_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str] = mapped_column(String(200), default="")
    done_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SubjectRequest(CustomerRecord, Base):
    """A customer's own request (查询/更正/删除) and its answer date (deadline)."""

    __tablename__ = "subject_request"

    kind: Mapped[str] = mapped_column(String(16))  # access | correction | deletion
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    answered_on: Mapped[date | None] = mapped_column(Date)
    answer: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DataRecipient(Base):
    """A third party customer data may be provided to, with its 保密协议 (R36)."""

    __tablename__ = "data_recipient"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    contact: Mapped[str] = mapped_column(String(100), default="")
    contact_phone_enc: Mapped[bytes | None] = encrypted()
    row_key: Mapped[str] = mapped_column(String(32), unique=True)
    agreement_signed_on: Mapped[date | None] = mapped_column(Date)
    agreement_until: Mapped[date | None] = mapped_column(Date)
    agreement_enc: Mapped[bytes | None] = encrypted()  # the scanned agreement
    agreement_name_enc: Mapped[bytes | None] = encrypted()
    agreement_sha256: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DataProvision(CustomerRecord, Base):
    """One 对外提供: which customer's data went to which recipient, on which consent (R36)."""

    __tablename__ = "data_provision"

    recipient_id: Mapped[int] = mapped_column(ForeignKey("data_recipient.id"), index=True)
    consent_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer_consent.id", ondelete="SET NULL")
    )
    application_id: Mapped[int | None] = mapped_column(ForeignKey("use_application.id"))
    purpose: Mapped[str] = mapped_column(String(200))
    fields: Mapped[str] = mapped_column(String(200), default="")  # what was provided
    provided_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
