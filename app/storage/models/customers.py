"""Customers (客户) and their protected contact rows (R1, R4, R7)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.models.base import Base
from app.storage.models.columns import LEADING, blind_index, encrypted, owned_by, row_id


class Customer(Base):
    """A customer (客户) and their entry in the index (R1, R4, R7).

    Protected values (identity number, birth date, e-mail, phones, addresses, bank accounts) are
    encrypted under the customer's own key from the vault (``key_id``) and bound to ``row_key``;
    exact look-ups go through blind indexes (R6, R14). Deleting the customer destroys the key (R8).
    """

    __tablename__ = "customer"
    __table_args__ = (
        UniqueConstraint("id_number_bidx", name="uq_customer_id_number_bidx"),
        # the list's sort orders, read by key (keyset windows, never OFFSET)
        Index("ix_customer_name", "name"),
        Index("ix_customer_party", "party"),
        Index("ix_customer_category", "kind", "category"),
        Index("ix_customer_importance", "importance"),
        # statistics (issue 19): counts by classification and new per month read indexes only
        Index("ix_customer_classes", "party", "kind", "category", "status", "importance"),
        Index("ix_customer_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # 客户编号, never reused
    row_key: Mapped[str] = mapped_column(String(32), unique=True)  # binds ciphertexts to the row
    key_id: Mapped[str] = mapped_column(String(32))  # the customer's key in the vault
    party: Mapped[str] = mapped_column(String(8))  # person | org
    kind: Mapped[str] = mapped_column(String(16))  # general | special
    category: Mapped[str] = mapped_column(String(32))  # financial_adviser: 17
    status: Mapped[str] = mapped_column(String(16), index=True)
    importance: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    gender: Mapped[str | None] = mapped_column(String(8))
    birth_date_enc: Mapped[bytes | None] = encrypted()
    id_type: Mapped[str | None] = mapped_column(String(16))
    id_number_enc: Mapped[bytes | None] = encrypted()
    id_number_bidx: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_enc: Mapped[bytes | None] = encrypted()
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    consent_date: Mapped[date | None] = mapped_column(Date)
    consent_purpose: Mapped[str] = mapped_column(String(200), default="")
    consent_until: Mapped[date | None] = mapped_column(Date)
    consent_method: Mapped[str] = mapped_column(String(32), default="")
    remarks: Mapped[str] = mapped_column(Text, default="")
    index_remarks: Mapped[str] = mapped_column(Text, default="")  # 备注栏 of the index
    suspected_duplicate: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # set when the customer was anonymised (R8): name is a pseudonym, protected values erased
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # province-level code of the ID/USCC (two digits, the statistics' region); NULL: unknown
    region: Mapped[str | None] = mapped_column(String(2), index=True)


class CustomerEntry:
    """Mixin: one entry of a customer's ordered list (phones, addresses, bank accounts).

    Its columns open the table: ``id``, the owning customer (the entry goes with it), then
    ``position``: the entry's place in the list (0 first), also bound into its ciphertexts.
    """

    id: Mapped[int] = row_id(sort_order=LEADING)
    customer_id: Mapped[int] = owned_by("customer", sort_order=LEADING)
    position: Mapped[int] = mapped_column(Integer, default=0, sort_order=LEADING)


class CustomerPhone(CustomerEntry, Base):
    """One phone number of a customer (E.164, extension after ``;ext=``)."""

    __tablename__ = "customer_phone"

    label: Mapped[str] = mapped_column(String(16), default="")
    phone_enc: Mapped[bytes] = encrypted()
    phone_bidx: Mapped[bytes] = blind_index()
    tail_bidx: Mapped[bytes] = blind_index()  # last 4 digits (R14)


class CustomerAddress(CustomerEntry, Base):
    """One postal address of a customer."""

    __tablename__ = "customer_address"

    label: Mapped[str] = mapped_column(String(16), default="")
    address_enc: Mapped[bytes] = encrypted()


class CustomerBankAccount(CustomerEntry, Base):
    """One bank account of a customer."""

    __tablename__ = "customer_bank_account"

    bank_name: Mapped[str] = mapped_column(String(100), default="")
    account_enc: Mapped[bytes] = encrypted()
    account_bidx: Mapped[bytes] = blind_index()


class CustomerStatusChange(Base):
    """Dated history of a customer's status (潜在/在册/流失)."""

    __tablename__ = "customer_status_change"
    # statistics (issue 19): customers lost in a period
    __table_args__ = (Index("ix_customer_status_change_new", "new_status", "changed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = owned_by("customer")
    old_status: Mapped[str | None] = mapped_column(String(16))
    new_status: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_by: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(200), default="")


class DuplicateFlag(Base):
    """A 疑似重复 (suspected duplicate) awaiting an approver's review (R3)."""

    __tablename__ = "duplicate_flag"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = owned_by("customer")
    other_customer_id: Mapped[int] = owned_by("customer")
    reason: Mapped[str] = mapped_column(String(16))  # phone | bank_account
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cleared_by: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(200), default="")
