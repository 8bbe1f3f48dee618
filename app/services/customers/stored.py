"""What registering and editing share: loading a customer, its contact rows, its index row.

Protected values are encrypted under each customer's own key from the vault; every contact row is
bound to its position (the position is in the ciphertext's associated data).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy import select

from app.clock import Clock
from app.domain import identity
from app.errors import FieldError, ValidationFailed
from app.services.common import changed_elsewhere, fetch
from app.services.customers.records import AddressInput
from app.storage import search_sqlite as search_index
from app.storage.models import (
    Customer,
    CustomerAddress,
    CustomerBankAccount,
    CustomerPhone,
)
from app.storage.store import Store, UnitOfWork


def _phone_tail(phone: identity.Phone) -> str:
    return phone.e164[-4:]


class ContactWriter:
    """Writes a customer's phones, addresses and bank accounts (encrypted, blind-indexed)."""

    def __init__(
        self,
        uow: UnitOfWork,
        store: Store,
        customer_id: int,
        enc: Callable[[str, str, str], bytes],
    ) -> None:
        self._uow, self._store, self._id, self._enc = uow, store, customer_id, enc

    def phones(self, phones: Sequence[tuple[identity.Phone, str]]) -> None:
        """Insert phone rows (E.164 with extension) and their full and tail blind indexes."""
        bidx = self._store.blind_index
        for pos, (phone, label) in enumerate(phones):
            self._uow.session.add(
                CustomerPhone(
                    customer_id=self._id,
                    position=pos,
                    label=label,
                    phone_enc=self._enc(f"phone.{pos}", phone.stored, "customer_phone"),
                    phone_bidx=bidx.digest("customer.phone", phone.e164),
                    tail_bidx=bidx.digest("customer.phone_tail", _phone_tail(phone)),
                )
            )

    def addresses(self, addresses: Sequence[AddressInput]) -> None:
        """Insert address rows (empty ones skipped)."""
        for pos, a in enumerate(addresses):
            text = identity.normalize(a.address)
            if text:
                self._uow.session.add(
                    CustomerAddress(
                        customer_id=self._id,
                        position=pos,
                        label=a.label.strip()[:16],
                        address_enc=self._enc(f"address.{pos}", text, "customer_address"),
                    )
                )

    def bank_accounts(self, accounts: Sequence[tuple[str, str]]) -> None:
        """Insert bank account rows and their blind indexes."""
        for pos, (account, bank) in enumerate(accounts):
            self._uow.session.add(
                CustomerBankAccount(
                    customer_id=self._id,
                    position=pos,
                    bank_name=bank,
                    account_enc=self._enc(f"bank_account.{pos}", account, "customer_bank_account"),
                    account_bidx=self._store.blind_index.digest("customer.bank_account", account),
                )
            )


def index_row(c: Customer) -> search_index.IndexRow:
    """What the search index holds of a customer: name, number, remarks and the 备注栏."""
    remarks = " ".join(part for part in (c.remarks, c.index_remarks) if part)
    return search_index.IndexRow(c.id, c.name, c.number, remarks)


def load_customer(uow: UnitOfWork, customer_id: int) -> Customer:
    """The customer row, or ValidationFailed naming the customer as not found."""
    return fetch(uow, Customer, customer_id, "customer")


_Contact = TypeVar("_Contact", CustomerPhone, CustomerAddress, CustomerBankAccount)


def contact_rows(uow: UnitOfWork, model: type[_Contact], customer_id: int) -> list[_Contact]:
    """A customer's phones, addresses or bank accounts, in their stored order."""
    return list(
        uow.session.scalars(
            select(model).where(model.customer_id == customer_id).order_by(model.position)
        )
    )


def check_version(uow: UnitOfWork, customer: Customer, expected: int, clock: Clock) -> None:
    """Refuse an edit made against an older version of the customer (optimistic locking).

    The message names who changed it last and when (another desk, issue 22).
    """
    if customer.version != expected:
        error = changed_elsewhere(uow, "customer", "customer", customer.id, clock)
        if error.reason == "changed":
            error = FieldError("customer", "stale")
        raise ValidationFailed([error])
