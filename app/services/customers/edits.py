"""Editing a customer: the registration rules again, audited with masked before/after values.

Protected fields are only replaced when the caller passes new values (``None`` keeps them), so
editing a customer never requires revealing their current ID number or phones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import delete

from app.clock import Clock
from app.domain import identity
from app.domain.customers import (
    Party,
    Status,
)
from app.errors import CustomerUnreadable, FieldError, ValidationFailed
from app.security.audit import masked_change
from app.security.crypto import DecryptionFailed, FieldCipher
from app.security.masking import (
    mask_address,
    mask_bank_account,
    mask_id_number,
    mask_phone,
)
from app.security.vault import KeyDestroyed
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.customers.duplicates import find_duplicates
from app.services.customers.records import (
    AddressInput,
    BankAccountInput,
    CustomerDraft,
    PhoneInput,
    SaveResult,
)
from app.services.customers.stored import (
    ContactWriter,
    check_version,
    contact_rows,
    index_row,
    load_customer,
)
from app.services.customers.validation import check_id_free, check_responsible, validate_draft
from app.storage import search as search_index
from app.storage.models import (
    Customer,
    CustomerAddress,
    CustomerBankAccount,
    CustomerPhone,
)
from app.storage.store import UnitOfWork

_Input = TypeVar("_Input", PhoneInput, AddressInput, BankAccountInput)
NO_RESPONSIBLE = 0  # CustomerChanges.responsible_user_id: take the 负责人员 off the customer


@dataclass(frozen=True)
class Kept:
    """A stored phone, address or bank account left as it is, in a changed list.

    ``index`` counts the customer's stored entries in the order the detail lists them (the form
    only knows them masked). Entries the list leaves out are removed.
    """

    index: int
    bank_name: str | None = None  # bank accounts only: a new 开户行 (None keeps the stored one)


@dataclass(frozen=True)
class CustomerChanges:
    """An edit: basic fields always, protected groups only when not ``None``."""

    name: str | None  # None: keep (a person's name is masked on screen)
    kind: str
    category: str
    importance: str
    consent_date: date | None = None
    consent_purpose: str = ""
    consent_until: date | None = None
    consent_method: str = ""
    remarks: str = ""
    index_remarks: str | None = None  # None: keep (the index's 备注栏, e.g. secrecy markings)
    responsible_user_id: int | None = None  # None: keep; NO_RESPONSIBLE: nobody
    id_type: str | None = None
    id_number: str | None = None  # None: keep
    # None: keep the whole group; a tuple replaces it (Kept entries stay, the others are new)
    phones: tuple[PhoneInput | Kept, ...] | None = None
    addresses: tuple[AddressInput | Kept, ...] | None = None
    bank_accounts: tuple[BankAccountInput | Kept, ...] | None = None
    email: str | None = None
    # why the data changes, e.g. the number of a customer's 更正 request (issue 18); audited
    purpose: str = ""


def update_customer(
    *,
    session: SignedIn,
    customer_id: int,
    changes: CustomerChanges,
    expected_version: int,
    clock: Clock,
) -> SaveResult:
    """Edit a customer (same validation as registration); audited with masked before/after."""
    store = session.store
    today = clock.now().astimezone().date()
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.write")
        c = load_customer(uow, customer_id)
        check_version(uow, c, expected_version, clock)
        if c.anonymised_at is not None:  # nothing personal may come back (R8)
            raise ValidationFailed([FieldError("customer", "already_anonymised")])
        try:
            cipher = FieldCipher(store.vault.key(c.key_id))
            stored = _StoredContacts.read(uow, c, cipher, changes)
        except (KeyDestroyed, DecryptionFailed) as exc:
            raise CustomerUnreadable() from exc
        phones = _resolve(changes.phones, stored.phones)
        addresses = _resolve(changes.addresses, stored.addresses)
        bank_accounts = _renamed_banks(changes.bank_accounts, stored.bank_accounts)
        draft = CustomerDraft(
            party=c.party,
            kind=changes.kind,
            category=changes.category,
            name=c.name if changes.name is None else changes.name,
            # the 在册-needs-an-ID rule is checked below against the stored status
            status=Status.POTENTIAL.value,
            importance=changes.importance,
            id_type=changes.id_type if changes.id_number else None,
            id_number=changes.id_number or "",
            phones=phones or (),
            addresses=addresses or (),
            bank_accounts=bank_accounts or (),
            email=changes.email or "",
            consent_date=changes.consent_date,
            consent_purpose=changes.consent_purpose,
            consent_until=changes.consent_until,
            consent_method=changes.consent_method,
            remarks=changes.remarks,
            index_remarks=c.index_remarks
            if changes.index_remarks is None
            else changes.index_remarks,
        )
        clean, errors, warnings = validate_draft(draft, today=today)
        clearing_id = changes.id_number is not None and not identity.normalize(changes.id_number)
        if clearing_id and c.status == Status.REGISTERED:
            errors.append(FieldError("id_number", "required_registered"))
        if changes.responsible_user_id not in (None, NO_RESPONSIBLE):
            errors += check_responsible(uow, changes.responsible_user_id)
        if clean is not None and changes.id_number is not None and clean.id_number:
            errors += check_id_free(store, uow, clean.id_number, customer_id=c.id)
        if errors or clean is None:
            raise ValidationFailed(errors)
        # a kept account's Luhn warning was given when it was entered
        kept = {
            f"bank_accounts.{i}"
            for i, b in enumerate(changes.bank_accounts or ())
            if isinstance(b, Kept)
        }
        warnings = [w for w in warnings if w.field not in kept]

        def enc(column: str, value: str, table: str = "customer") -> bytes:
            return cipher.encrypt(value, table=table, column=column, row_key=c.row_key)

        before = _snapshot(c)
        if changes.name is not None:
            c.name = identity.normalize(changes.name)
        c.kind, c.category, c.importance = changes.kind, changes.category, changes.importance
        c.consent_date, c.consent_until = changes.consent_date, changes.consent_until
        c.consent_purpose = changes.consent_purpose.strip()[:200]
        c.consent_method = changes.consent_method.strip()[:32]
        c.remarks = changes.remarks.strip()
        if changes.index_remarks is not None:
            c.index_remarks = changes.index_remarks.strip()
        if changes.responsible_user_id is not None:
            c.responsible_user_id = changes.responsible_user_id or None
        masked_changes: dict[str, object] = {}
        if changes.id_number is not None:
            c.id_type = changes.id_type if clean.id_number else None
            c.region = identity.region_code(changes.id_type, clean.id_number)
            c.id_number_enc = enc("id_number", clean.id_number) if clean.id_number else None
            c.id_number_bidx = (
                store.blind_index.digest("customer.id_number", clean.id_number)
                if clean.id_number
                else None
            )
            if c.party == Party.PERSON and clean.birth_date:
                c.birth_date_enc = enc("birth_date", clean.birth_date.isoformat())
                c.gender = clean.gender
            masked_changes["id_number"] = (
                mask_id_number(clean.id_number) if clean.id_number else None
            )
        # contact lists are rewritten whole (positions are bound into each ciphertext); the
        # audit compares the masked lists before and after, so removals show as well
        contacts = ContactWriter(uow, store, c.id, enc)
        lists_before: dict[str, list[str]] = {}
        lists_after: dict[str, list[str]] = {}
        if phones is not None:
            uow.session.execute(delete(CustomerPhone).where(CustomerPhone.customer_id == c.id))
            contacts.phones(clean.phones)
            lists_before["phones"] = [mask_phone(p.split(";")[0]) for p in stored.raw_phones]
            lists_after["phones"] = [mask_phone(p.e164) for p, _ in clean.phones]
        if addresses is not None:
            uow.session.execute(delete(CustomerAddress).where(CustomerAddress.customer_id == c.id))
            contacts.addresses(addresses)
            lists_before["addresses"] = [mask_address(a.address) for a in stored.addresses]
            lists_after["addresses"] = [
                mask_address(text) for a in addresses if (text := identity.normalize(a.address))
            ]
        if bank_accounts is not None:
            uow.session.execute(
                delete(CustomerBankAccount).where(CustomerBankAccount.customer_id == c.id)
            )
            contacts.bank_accounts(clean.bank_accounts)
            lists_before["bank_accounts"] = [
                _bank_text(b.account, b.bank_name) for b in stored.bank_accounts
            ]
            lists_after["bank_accounts"] = [_bank_text(a, n) for a, n in clean.bank_accounts]
        if changes.email is not None:
            c.email_enc = enc("email", clean.email) if clean.email else None
            masked_changes["email"] = "已更新"
        c.updated_at = clock.now()
        c.version += 1
        uow.session.flush()
        search_index.index_customers(uow.session.connection(), [index_row(c)])
        groups = tuple(
            g
            for g, changed in (
                ("phone", phones is not None),
                ("bank_account", bank_accounts is not None),
            )
            if changed
        )
        duplicates = find_duplicates(uow, c, groups) if groups else []
        diff = masked_change(before, _snapshot(c), {"name": "name", "remarks": "generic"})
        diff.update(masked_change(lists_before, lists_after))  # masked already
        diff.update({k: {"after": v} for k, v in masked_changes.items()})
        uow.audit.record(
            "customer.update",
            object_type="customer",
            object_id=c.id,
            purpose=changes.purpose.strip()[:200] or None,
            details=diff,
        )
        uow.commit()
        return SaveResult(c.id, c.number, tuple(warnings), tuple(duplicates))


@dataclass(frozen=True)
class _StoredContacts:
    """A customer's stored contacts, decrypted, for the groups an edit changes."""

    raw_phones: tuple[str, ...] = ()  # as stored: E.164, ``;ext=`` extension
    phones: tuple[PhoneInput, ...] = ()  # the same, as typed input (validated again)
    addresses: tuple[AddressInput, ...] = ()
    bank_accounts: tuple[BankAccountInput, ...] = ()

    @classmethod
    def read(
        cls, uow: UnitOfWork, c: Customer, cipher: FieldCipher, changes: CustomerChanges
    ) -> _StoredContacts:
        def dec(blob: bytes, table: str, column: str) -> str:
            return cipher.decrypt(blob, table=table, column=column, row_key=c.row_key)

        raw_phones: list[str] = []
        labels: list[str] = []
        if changes.phones is not None:
            for p in contact_rows(uow, CustomerPhone, c.id):
                raw_phones.append(dec(p.phone_enc, "customer_phone", f"phone.{p.position}"))
                labels.append(p.label)
        addresses = (
            [
                AddressInput(
                    dec(a.address_enc, "customer_address", f"address.{a.position}"), a.label
                )
                for a in contact_rows(uow, CustomerAddress, c.id)
            ]
            if changes.addresses is not None
            else []
        )
        banks = (
            [
                BankAccountInput(
                    dec(b.account_enc, "customer_bank_account", f"bank_account.{b.position}"),
                    b.bank_name,
                )
                for b in contact_rows(uow, CustomerBankAccount, c.id)
            ]
            if changes.bank_accounts is not None
            else []
        )
        typed = [
            # "+861012345678;ext=12" back to a form check_phone reads: "+861012345678 转 12"
            PhoneInput(raw.replace(";ext=", " 转 "), label)
            for raw, label in zip(raw_phones, labels, strict=True)
        ]
        return cls(tuple(raw_phones), tuple(typed), tuple(addresses), tuple(banks))


def _resolve(
    items: tuple[_Input | Kept, ...] | None, stored: tuple[_Input, ...]
) -> tuple[_Input, ...] | None:
    """Replace each :class:`Kept` by the stored entry it names (None stays None: keep all)."""
    if items is None:
        return None
    out: list[_Input] = []
    for item in items:
        if not isinstance(item, Kept):
            out.append(item)
            continue
        if not 0 <= item.index < len(stored):
            raise ValidationFailed([FieldError("customer", "stale")])
        out.append(stored[item.index])
    return tuple(out)


def _renamed_banks(
    items: tuple[BankAccountInput | Kept, ...] | None, stored: tuple[BankAccountInput, ...]
) -> tuple[BankAccountInput, ...] | None:
    """:func:`_resolve` for bank accounts, where a kept account may get a new 开户行."""
    resolved = _resolve(items, stored)
    if items is None or resolved is None:
        return None
    return tuple(
        BankAccountInput(value.account, item.bank_name)
        if isinstance(item, Kept) and item.bank_name is not None
        else value
        for item, value in zip(items, resolved, strict=True)
    )


def _bank_text(account: str, bank_name: str) -> str:
    masked = mask_bank_account(identity.compact(account))
    return f"{masked}（{bank_name.strip()}）" if bank_name.strip() else masked


def _snapshot(c: Customer) -> dict[str, object]:
    """Non-protected fields, raw: the audit diff compares these and masks personal ones."""
    return {
        "name": c.name,
        "kind": c.kind,
        "category": c.category,
        "importance": c.importance,
        "consent_date": c.consent_date.isoformat() if c.consent_date else None,
        "consent_purpose": c.consent_purpose,
        "consent_until": c.consent_until.isoformat() if c.consent_until else None,
        "consent_method": c.consent_method,
        "remarks": c.remarks,  # free text may name people: recorded masked
        "index_remarks": c.index_remarks,
        "responsible_user_id": c.responsible_user_id,
    }
