"""What the customer registry takes and gives: drafts, validated drafts, list rows, details.

Plain frozen dataclasses; the use cases in the sibling modules fill them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.domain import identity
from app.domain.customers import (
    Importance,
    Status,
)
from app.errors import FieldError
from app.services.customers.consents import ConsentInput

UNREADABLE = "（无法解密）"  # shown for a value whose key is gone or damaged


# --- input -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PhoneInput:
    """A phone as typed."""

    number: str
    label: str = ""


@dataclass(frozen=True)
class AddressInput:
    """An address as typed."""

    address: str
    label: str = ""


@dataclass(frozen=True)
class BankAccountInput:
    """A bank account as typed."""

    account: str
    bank_name: str = ""


@dataclass(frozen=True)
class CustomerDraft:
    """Everything the customer form collects."""

    party: str
    kind: str
    category: str
    name: str
    status: str = Status.POTENTIAL.value
    importance: str = Importance.NORMAL.value
    gender: str | None = None
    birth_date: date | None = None
    id_type: str | None = None
    id_number: str = ""
    phones: tuple[PhoneInput, ...] = ()
    addresses: tuple[AddressInput, ...] = ()
    bank_accounts: tuple[BankAccountInput, ...] = ()
    email: str = ""
    responsible_user_id: int | None = None
    consent_date: date | None = None
    consent_purpose: str = ""
    consent_until: date | None = None
    consent_method: str = ""
    remarks: str = ""
    index_remarks: str = ""
    # R4 (issue 18): a consent entry or a stated legal basis (合同必需/法定义务) is required;
    consent: ConsentInput | None = None
    legal_basis: str = ""


@dataclass(frozen=True)
class CleanDraft:
    """A validated draft: normalized values ready to store."""

    draft: CustomerDraft
    id_number: str | None
    gender: str | None
    birth_date: date | None
    phones: tuple[tuple[identity.Phone, str], ...]
    bank_accounts: tuple[tuple[str, str], ...]
    email: str | None


# --- output ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class DuplicateHit:
    """Another customer sharing a phone or bank account (R3)."""

    other_customer_id: int
    other_number: str
    reason: str  # phone | bank_account


@dataclass(frozen=True)
class SaveResult:
    """What a save produced: the customer and anything the operator should look at."""

    customer_id: int
    number: str
    warnings: tuple[FieldError, ...] = ()
    duplicates: tuple[DuplicateHit, ...] = ()


@dataclass(frozen=True)
class CustomerRow:
    """A customer as listed: personal values masked (R5)."""

    id: int
    number: str
    name: str
    party: str
    kind: str
    category: str
    status: str
    importance: str
    id_number: str
    phone: str
    suspected_duplicate: bool


@dataclass(frozen=True)
class CustomerDetail:
    """One customer with protected values either masked or (after a reveal) in full."""

    id: int
    number: str
    name: str
    party: str
    kind: str
    category: str
    status: str
    importance: str
    gender: str | None
    birth_date: str
    id_type: str | None
    id_number: str
    phones: tuple[str, ...]
    addresses: tuple[str, ...]
    bank_accounts: tuple[str, ...]
    email: str
    consent_date: date | None
    consent_purpose: str
    consent_until: date | None
    consent_method: str
    remarks: str
    index_remarks: str
    suspected_duplicate: bool
    masked: bool = True
    version: int = 1  # pass back to edits (optimistic locking)
    responsible_user_id: int | None = None
    responsible_name: str = ""  # display name, "" when nobody is named
    warnings: tuple[FieldError, ...] = field(default=())
