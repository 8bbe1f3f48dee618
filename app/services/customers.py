"""Customer registry use cases: register, read (masked), reveal (audited), delete (crypto-erase).

Protected values are encrypted under each customer's own key from the vault; the key is created
and committed in the vault before the database transaction that first uses it.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from app.clock import Clock
from app.domain import identity
from app.domain.customers import (
    GENERAL_CATEGORIES,
    Category,
    IdType,
    Importance,
    Kind,
    Party,
    Status,
)
from app.errors import CustomerUnreadable, FieldError, ValidationFailed
from app.security.crypto import DecryptionFailed, FieldCipher
from app.security.masking import (
    mask_address,
    mask_bank_account,
    mask_id_number,
    mask_name,
    mask_phone,
)
from app.security.vault import KeyDestroyed
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.users import may_hold_customers
from app.storage import search_sqlite as search_index
from app.storage.models import (
    AuditEntry,
    Customer,
    CustomerAddress,
    CustomerBankAccount,
    CustomerPhone,
    CustomerStatusChange,
    DuplicateFlag,
    UserAccount,
    Volume,
)
from app.storage.store import Store, UnitOfWork

NUMBER_SETTING = "customer_number_last"
UNREADABLE = "（无法解密）"
log = logging.getLogger(__name__)
PERSON_DOCUMENTS = {
    IdType.RESIDENT_ID,
    IdType.PASSPORT,
    IdType.HK_MACAO_PERMIT,
    IdType.TAIWAN_PERMIT,
}


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


# --- validation ------------------------------------------------------------------------------
def _enum_error(name: str, value: str | None, enum: type[StrEnum]) -> FieldError | None:
    if value not in enum._value2member_map_:  # the enum's own value table (no set per call)
        return FieldError(name, "required")
    return None


def validate_draft(
    draft: CustomerDraft, *, today: date
) -> tuple[CleanDraft | None, list[FieldError], list[FieldError]]:
    """Check a draft (R2); return (clean draft or None, errors, warnings). Never raises."""
    errors: list[FieldError] = []
    warnings: list[FieldError] = []
    for name, enum in (
        ("party", Party),
        ("kind", Kind),
        ("category", Category),
        ("status", Status),
        ("importance", Importance),
    ):
        err = _enum_error(name, getattr(draft, name), enum)
        if err:
            errors.append(err)
    name = identity.normalize(draft.name)
    if not name:
        errors.append(FieldError("name", "required"))
    elif len(name) > 200:
        errors.append(FieldError("name", "too_long", {"max": 200}))
    if draft.kind == Kind.GENERAL and draft.category not in GENERAL_CATEGORIES:
        errors.append(FieldError("category", "kind_mismatch"))
    if draft.kind == Kind.SPECIAL and draft.category in GENERAL_CATEGORIES:
        errors.append(FieldError("category", "kind_mismatch"))

    id_number = None
    gender = draft.gender or None
    birth = draft.birth_date
    if draft.id_type or identity.normalize(draft.id_number):
        allowed = {IdType.USCC} if draft.party == Party.ORG else PERSON_DOCUMENTS
        if draft.id_type not in {t.value for t in allowed}:
            errors.append(FieldError("id_type", "wrong_document"))
        else:
            checked = identity.check_document(draft.id_type, draft.id_number, today=today)
            if checked.error:
                errors.append(checked.error)
            else:
                warnings.extend(checked.warnings)
                if isinstance(checked.value, identity.ResidentId):
                    resident = checked.value
                    id_number = resident.number
                    errors += identity.cross_check_identity(
                        resident, gender=gender, birth_date=birth
                    )
                    gender = gender or resident.gender
                    birth = birth or resident.birth_date
                else:
                    id_number = str(checked.value)
    elif draft.status == Status.REGISTERED:
        errors.append(FieldError("id_number", "required_registered"))
    if birth and birth > today:
        errors.append(FieldError("birth_date", "future"))
    if gender not in (None, "male", "female"):
        errors.append(FieldError("gender", "required"))

    phones: list[tuple[identity.Phone, str]] = []
    for i, p in enumerate(draft.phones):
        if not identity.normalize(p.number):
            continue
        checked = identity.check_phone(p.number, field=f"phones.{i}")
        if checked.error:
            errors.append(checked.error)
        elif isinstance(checked.value, identity.Phone) and all(
            checked.value.stored != q.stored for q, _ in phones
        ):
            phones.append((checked.value, p.label.strip()[:16]))
    banks: list[tuple[str, str]] = []
    for i, b in enumerate(draft.bank_accounts):
        if not identity.normalize(b.account):
            continue
        checked = identity.check_bank_account(b.account, field=f"bank_accounts.{i}")
        if checked.error:
            errors.append(checked.error)
        else:
            warnings.extend(checked.warnings)
            if all(str(checked.value) != a for a, _ in banks):
                banks.append((str(checked.value), b.bank_name.strip()[:100]))
    email = None
    if identity.normalize(draft.email):
        checked = identity.check_email(draft.email)
        if checked.error:
            errors.append(checked.error)
        else:
            email = str(checked.value)
    if draft.consent_date is not None:
        if draft.consent_date > today:
            errors.append(FieldError("consent_date", "future"))
        if not draft.consent_purpose.strip():
            errors.append(FieldError("consent_purpose", "required"))
        if draft.consent_until is not None and draft.consent_until < draft.consent_date:
            errors.append(FieldError("consent_until", "before_consent"))
    elif draft.consent_purpose.strip() or draft.consent_until:
        errors.append(FieldError("consent_date", "required"))
    if errors:
        return None, errors, warnings
    clean = CleanDraft(
        draft=draft,
        id_number=id_number,
        gender=gender,
        birth_date=birth,
        phones=tuple(phones),
        bank_accounts=tuple(banks),
        email=email,
    )
    return clean, [], warnings


# --- helpers ---------------------------------------------------------------------------------
def _cipher(store: Store, key_id: str) -> FieldCipher:
    return store.vault.cipher(key_id)


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


def check_responsible(uow: UnitOfWork, user_id: int | None) -> list[FieldError]:
    """The 负责人员 must be an enabled account that may hold customers (or nobody)."""
    if user_id is None:
        return []
    user = uow.session.get(UserAccount, user_id)
    if user is None or user.disabled:
        return [FieldError("responsible_user_id", "not_found")]
    if not may_hold_customers(user):
        return [FieldError("responsible_user_id", "not_staff")]
    return []


def index_row(c: Customer) -> search_index.IndexRow:
    """What the search index holds of a customer: name, number, remarks and the 备注栏."""
    remarks = " ".join(part for part in (c.remarks, c.index_remarks) if part)
    return search_index.IndexRow(c.id, c.name, c.number, remarks)


def _next_number(uow: UnitOfWork) -> str:
    last = int(uow.settings.raw().get(NUMBER_SETTING, 0))
    uow.settings.put(NUMBER_SETTING, last + 1)
    return f"KH{last + 1:08d}"


def _flagged_pairs(uow: UnitOfWork, customer_id: int) -> set[tuple[int, str]]:
    """(other customer, reason) of every flag, open or cleared, involving ``customer_id``."""
    rows = uow.session.execute(
        select(
            DuplicateFlag.customer_id, DuplicateFlag.other_customer_id, DuplicateFlag.reason
        ).where(
            or_(
                DuplicateFlag.customer_id == customer_id,
                DuplicateFlag.other_customer_id == customer_id,
            )
        )
    ).all()
    return {(b if a == customer_id else a, reason) for a, b, reason in rows}


def refresh_duplicate_mark(uow: UnitOfWork, customer_id: int) -> None:
    """Set ``suspected_duplicate`` from whether an open flag still involves the customer."""
    still_open = uow.session.scalar(
        select(DuplicateFlag.id).where(
            DuplicateFlag.cleared_at.is_(None),
            or_(
                DuplicateFlag.customer_id == customer_id,
                DuplicateFlag.other_customer_id == customer_id,
            ),
        )
    )
    c = uow.session.get(Customer, customer_id)
    if c is not None:
        c.suspected_duplicate = still_open is not None


def find_duplicates(
    uow: UnitOfWork, customer: Customer, groups: tuple[str, ...] = ("phone", "bank_account")
) -> list[DuplicateHit]:
    """Flag other customers sharing a phone or bank account with ``customer`` (R3).

    A pair is unordered and flagged once per reason: a pair an approver already cleared is not
    raised again by a later edit.
    """
    hits: list[DuplicateHit] = []
    known = _flagged_pairs(uow, customer.id)
    pairs = [
        (CustomerPhone, CustomerPhone.phone_bidx, "phone"),
        (CustomerBankAccount, CustomerBankAccount.account_bidx, "bank_account"),
    ]
    for model, column, reason in pairs:
        if reason not in groups:
            continue
        mine = select(column).where(model.customer_id == customer.id)  # type: ignore[attr-defined]
        rows = uow.session.execute(
            select(Customer.id, Customer.number)
            .join(model, model.customer_id == Customer.id)  # type: ignore[attr-defined]
            .where(column.in_(mine), Customer.id != customer.id)
            .distinct()
        ).all()
        for other_id, other_number in rows:
            if (other_id, reason) in known:
                continue
            hits.append(DuplicateHit(other_id, other_number, reason))
            uow.session.add(
                DuplicateFlag(
                    customer_id=customer.id,
                    other_customer_id=other_id,
                    reason=reason,
                    created_at=uow.clock.now(),
                )
            )
            other = uow.session.get(Customer, other_id)
            if other is not None:
                other.suspected_duplicate = True
    if hits:
        customer.suspected_duplicate = True
    return hits


# --- use cases -------------------------------------------------------------------------------
def register_customer(*, session: SignedIn, draft: CustomerDraft, clock: Clock) -> SaveResult:
    """Register a new customer and their index entry (R1–R4); nothing is saved on any error.

    Raises:
        ValidationFailed: a field is wrong, or the identity number is already registered.
    """
    store = session.store
    today = clock.now().astimezone().date()
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.write")
        clean, errors, warnings = validate_draft(draft, today=today)
        errors += check_responsible(uow, draft.responsible_user_id)
        if clean is not None and clean.id_number:
            digest = store.blind_index.digest("customer.id_number", clean.id_number)
            taken = uow.session.scalar(
                select(Customer.number).where(Customer.id_number_bidx == digest)
            )
            if taken is not None:
                errors.append(FieldError("id_number", "duplicate_id", {"number": taken}))
        if errors or clean is None:
            raise ValidationFailed(errors)
        now = clock.now()
        key_id, key = store.vault.create_key(now)  # durable before the database commit (R8)
        cipher = FieldCipher(key)
        row_key = uuid.uuid4().hex

        def enc(column: str, value: str, table: str = "customer") -> bytes:
            return cipher.encrypt(value, table=table, column=column, row_key=row_key)

        customer = Customer(
            number=_next_number(uow),
            row_key=row_key,
            key_id=key_id,
            party=draft.party,
            kind=draft.kind,
            category=draft.category,
            status=draft.status,
            importance=draft.importance,
            name=identity.normalize(draft.name),
            gender=clean.gender,
            birth_date_enc=enc("birth_date", clean.birth_date.isoformat())
            if clean.birth_date
            else None,
            id_type=draft.id_type if clean.id_number else None,
            id_number_enc=enc("id_number", clean.id_number) if clean.id_number else None,
            id_number_bidx=store.blind_index.digest("customer.id_number", clean.id_number)
            if clean.id_number
            else None,
            email_enc=enc("email", clean.email) if clean.email else None,
            responsible_user_id=draft.responsible_user_id,
            consent_date=draft.consent_date,
            consent_purpose=draft.consent_purpose.strip()[:200],
            consent_until=draft.consent_until,
            consent_method=draft.consent_method.strip()[:32],
            remarks=draft.remarks.strip(),
            index_remarks=draft.index_remarks.strip(),
            created_at=now,
            updated_at=now,
        )
        uow.session.add(customer)
        uow.session.flush()
        contacts = ContactWriter(uow, store, customer.id, enc)
        contacts.phones(clean.phones)
        contacts.addresses(draft.addresses)
        contacts.bank_accounts(clean.bank_accounts)
        uow.session.add(
            CustomerStatusChange(
                customer_id=customer.id,
                old_status=None,
                new_status=draft.status,
                changed_at=now,
                changed_by=session.actor.user_id,
            )
        )
        uow.session.flush()
        if store.location.is_sqlite:
            search_index.index_customers(uow.session.connection(), [index_row(customer)])
        duplicates = find_duplicates(uow, customer)
        uow.audit.record(
            "customer.create",
            object_type="customer",
            object_id=customer.id,
            details={
                "number": customer.number,
                "name": mask_name(customer.name)
                if customer.party == Party.PERSON
                else customer.name,
                "id_number": mask_id_number(clean.id_number) if clean.id_number else None,
                "phones": [mask_phone(p.e164) for p, _ in clean.phones],
                "bank_accounts": [mask_bank_account(a) for a, _ in clean.bank_accounts],
                "status": customer.status,
                "suspected_duplicates": [
                    {"customer": d.other_number, "reason": d.reason} for d in duplicates
                ],
            },
        )
        try:
            uow.commit()
        except IntegrityError as exc:
            # another workstation registered the same identity number a moment ago
            raise ValidationFailed(
                [FieldError("id_number", "duplicate_id", {"number": "—"})]
            ) from exc
        return SaveResult(customer.id, customer.number, tuple(warnings), tuple(duplicates))


def _detail(store: Store, uow: UnitOfWork, c: Customer, *, masked: bool) -> CustomerDetail:
    try:
        return _detail_unchecked(store, uow, c, masked=masked)
    except (KeyDestroyed, DecryptionFailed) as exc:
        log.warning("protected values of customer %s cannot be read", c.id)
        raise CustomerUnreadable() from exc


def _detail_unchecked(
    store: Store, uow: UnitOfWork, c: Customer, *, masked: bool
) -> CustomerDetail:
    cipher = _cipher(store, c.key_id)

    def dec(blob: bytes | None, column: str, table: str = "customer") -> str:
        if blob is None:
            return ""
        return cipher.decrypt(blob, table=table, column=column, row_key=c.row_key)

    phones = uow.session.scalars(
        select(CustomerPhone)
        .where(CustomerPhone.customer_id == c.id)
        .order_by(CustomerPhone.position)
    ).all()
    addresses = uow.session.scalars(
        select(CustomerAddress)
        .where(CustomerAddress.customer_id == c.id)
        .order_by(CustomerAddress.position)
    ).all()
    banks = uow.session.scalars(
        select(CustomerBankAccount)
        .where(CustomerBankAccount.customer_id == c.id)
        .order_by(CustomerBankAccount.position)
    ).all()
    id_number = dec(c.id_number_enc, "id_number")
    phone_values = [dec(p.phone_enc, f"phone.{p.position}", "customer_phone") for p in phones]
    bank_values = [
        dec(b.account_enc, f"bank_account.{b.position}", "customer_bank_account") for b in banks
    ]
    address_values = [
        dec(a.address_enc, f"address.{a.position}", "customer_address") for a in addresses
    ]
    birth = dec(c.birth_date_enc, "birth_date")
    email = dec(c.email_enc, "email")
    if masked:
        id_number = mask_id_number(id_number) if id_number else ""
        phone_values = [mask_phone(p.split(";")[0]) for p in phone_values]
        bank_values = [mask_bank_account(b) for b in bank_values]
        address_values = [mask_address(a) for a in address_values]
        birth = birth[:4] + "-**-**" if birth else ""
        email = (email[:1] + "***@" + email.split("@")[-1]) if email else ""
    name = mask_name(c.name) if masked and c.party == Party.PERSON else c.name
    responsible = (
        uow.session.get(UserAccount, c.responsible_user_id) if c.responsible_user_id else None
    )
    return CustomerDetail(
        id=c.id,
        number=c.number,
        name=name,
        party=c.party,
        kind=c.kind,
        category=c.category,
        status=c.status,
        importance=c.importance,
        gender=c.gender,
        birth_date=birth,
        id_type=c.id_type,
        id_number=id_number,
        phones=tuple(phone_values),
        addresses=tuple(address_values),
        bank_accounts=tuple(bank_values),
        email=email,
        consent_date=c.consent_date,
        consent_purpose=c.consent_purpose,
        consent_until=c.consent_until,
        consent_method=c.consent_method,
        remarks=c.remarks,
        index_remarks=c.index_remarks,
        suspected_duplicate=c.suspected_duplicate,
        masked=masked,
        version=c.version,
        responsible_user_id=c.responsible_user_id,
        responsible_name=responsible.display_name if responsible else "",
    )


def load_customer(uow: UnitOfWork, customer_id: int) -> Customer:
    """The customer row, or ValidationFailed naming the customer as not found."""
    c = uow.session.get(Customer, customer_id)
    if c is None:
        raise ValidationFailed([FieldError("customer", "not_found")])
    return c


def get_customer(*, session: SignedIn, customer_id: int, clock: Clock) -> CustomerDetail:
    """One customer with protected values masked (R5)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        return _detail(session.store, uow, load_customer(uow, customer_id), masked=True)


def reveal_customer(
    *, session: SignedIn, customer_id: int, purpose: str, clock: Clock
) -> CustomerDetail:
    """Full protected values; the purpose is required and recorded (R5, R40)."""
    if not purpose.strip():
        raise ValidationFailed([FieldError("purpose", "required")])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.reveal")
        c = load_customer(uow, customer_id)
        detail = _detail(session.store, uow, c, masked=False)
        # the same customer again for the same purpose in this session: one entry (issue 9)
        uow.audit.record_view(
            "customer.reveal",
            object_type="customer",
            object_id=c.id,
            purpose=purpose.strip()[:200],
            details={
                "number": c.number,
                "fields": [
                    "id_number",
                    "phones",
                    "addresses",
                    "bank_accounts",
                    "email",
                    "birth_date",
                ],
            },
        )
        uow.commit()
        return detail


def _list_values(store: Store, row: Any) -> tuple[str, str]:
    """The identity number and first phone of a list row, decrypted."""
    cipher = _cipher(store, row.key_id)
    idn = (
        cipher.decrypt(row.id_number_enc, table="customer", column="id_number", row_key=row.row_key)
        if row.id_number_enc
        else ""
    )
    phone = (
        cipher.decrypt(row.phone_enc, table="customer_phone", column="phone.0", row_key=row.row_key)
        if row.phone_enc
        else ""
    )
    return idn, phone


def _rows_for(
    store: Store, uow: UnitOfWork, ids: list[int], *, masked: bool = True
) -> list[CustomerRow]:
    """List rows for ``ids``, in that order (one query, plain columns: no ORM objects).

    Masked unless ``masked`` is False (an unmasked export: the caller checked the role and
    records the purpose, R5, R40).
    """
    if not ids:
        return []
    first_phone = CustomerPhone.__table__.alias("first_phone")
    stmt = (
        select(
            Customer.id,
            Customer.number,
            Customer.name,
            Customer.party,
            Customer.kind,
            Customer.category,
            Customer.status,
            Customer.importance,
            Customer.suspected_duplicate,
            Customer.key_id,
            Customer.row_key,
            Customer.id_number_enc,
            first_phone.c.phone_enc,
        )
        .outerjoin(
            first_phone,
            (first_phone.c.customer_id == Customer.id) & (first_phone.c.position == 0),
        )
        .where(Customer.id.in_(ids))
    )
    by_id = {r.id: r for r in uow.session.execute(stmt).all()}
    try:
        store.vault.preload(r.key_id for r in by_id.values())
    except DecryptionFailed:
        log.warning("a vault entry is damaged; reading keys one by one")
    out = []
    for cid in ids:
        c = by_id.get(cid)
        if c is None:
            continue
        try:
            idn, phone = _list_values(store, c)
        except (KeyDestroyed, DecryptionFailed):
            # key gone (an erased customer in a restored copy) or damaged: never crash a list
            log.warning("protected values of customer %s cannot be read", c.id)
            idn, phone = UNREADABLE, ""
        out.append(
            CustomerRow(
                id=c.id,
                number=c.number,
                name=mask_name(c.name) if masked and c.party == Party.PERSON else c.name,
                party=c.party,
                kind=c.kind,
                category=c.category,
                status=c.status,
                importance=c.importance,
                id_number=mask_id_number(idn) if masked and idn and idn != UNREADABLE else idn,
                phone=(mask_phone(phone.split(";")[0]) if masked else phone) if phone else "",
                suspected_duplicate=c.suspected_duplicate,
            )
        )
    return out


def list_customers(
    *, session: SignedIn, clock: Clock, after_id: int = 0, limit: int = 200
) -> list[CustomerRow]:
    """One page of customers by id (keyset: fast at any depth), personal values masked."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        ids = list(
            uow.session.scalars(
                select(Customer.id).where(Customer.id > after_id).order_by(Customer.id).limit(limit)
            )
        )
        return _rows_for(session.store, uow, ids)


def list_customer_ids(
    *,
    session: SignedIn,
    clock: Clock,
    filters: CustomerFilter | None = None,
    limit: int | None = None,
) -> list[int]:
    """Ids of every customer matching the filters, in number order (the list view's row map).

    The list model keeps this compact id list and reads rows by id, so jumping to the last row
    costs the same as the first (no ``OFFSET`` scans in the encrypted file).
    """
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        stmt = select(Customer.id).order_by(Customer.id)
        if filters is not None:
            stmt = filters.apply(stmt)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(uow.session.scalars(stmt))


def customer_rows_for(
    store: Store, uow: UnitOfWork, ids: list[int], *, masked: bool = True
) -> list[CustomerRow]:
    """List rows for ``ids`` inside the caller's unit of work (exports)."""
    return _rows_for(store, uow, ids, masked=masked)


def get_customer_rows(*, session: SignedIn, ids: list[int], clock: Clock) -> list[CustomerRow]:
    """Masked list rows for ``ids`` (a window of the list), in that order."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        return _rows_for(session.store, uow, ids)


@dataclass(frozen=True)
class SearchResult:
    """A page of hits, ranked: exact number matches, then name prefixes, then the rest."""

    rows: list[CustomerRow]  # the first ``limit`` hits, read and masked
    total: int  # counted up to ``SEARCH_COUNT_CAP``
    capped: bool
    exact_ids: frozenset[int]
    ranked_ids: tuple[int, ...] = ()  # every ranked candidate: a list view reads more lazily


SEARCH_COUNT_CAP = 10_000
_CANDIDATES = 2_000


def _exact_ids(store: Store, uow: UnitOfWork, query: str) -> list[int]:
    """Ids matched by a whole number: customer number, phone, ID, bank account, phone tail."""
    found: list[int] = []
    q = identity.compact(query).upper()
    if q.startswith("KH") and q[2:].isdigit():
        found += uow.session.scalars(select(Customer.id).where(Customer.number == q))
    bidx = store.blind_index
    if len(q) >= 6:
        found += uow.session.scalars(
            select(Customer.id).where(
                Customer.id_number_bidx == bidx.digest("customer.id_number", q)
            )
        )
    phone = identity.check_phone(query)
    if isinstance(phone.value, identity.Phone):
        found += uow.session.scalars(
            select(CustomerPhone.customer_id).where(
                CustomerPhone.phone_bidx == bidx.digest("customer.phone", phone.value.e164)
            )
        )
    if q.isdigit() and 12 <= len(q) <= 19:
        found += uow.session.scalars(
            select(CustomerBankAccount.customer_id).where(
                CustomerBankAccount.account_bidx == bidx.digest("customer.bank_account", q)
            )
        )
    if q.isdigit() and len(q) == 4:
        found += uow.session.scalars(
            select(CustomerPhone.customer_id)
            .where(CustomerPhone.tail_bidx == bidx.digest("customer.phone_tail", q))
            .limit(_CANDIDATES)
        )
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class CustomerFilter:
    """The list filters (None / False: no restriction)."""

    status: str | None = None
    kind: str | None = None
    importance: str | None = None
    suspected_duplicate: bool = False

    @property
    def active(self) -> bool:
        """True when anything is filtered."""
        return bool(self.status or self.kind or self.importance or self.suspected_duplicate)

    def apply(self, stmt: Any) -> Any:
        """Add the filter conditions to a select over ``Customer``."""
        if self.status:
            stmt = stmt.where(Customer.status == self.status)
        if self.kind:
            stmt = stmt.where(Customer.kind == self.kind)
        if self.importance:
            stmt = stmt.where(Customer.importance == self.importance)
        if self.suspected_duplicate:
            stmt = stmt.where(Customer.suspected_duplicate.is_(True))
        return stmt


def search_customers(
    *,
    session: SignedIn,
    query: str,
    clock: Clock,
    limit: int = 200,
    filters: CustomerFilter | None = None,
) -> SearchResult:
    """The index (R14): one box for names, pinyin, numbers, remarks and exact personal numbers.

    Filters apply to every candidate before ranking and counting, so nothing matching the
    filters hides behind the first page.
    """
    q = identity.normalize(query)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        if not q:
            return SearchResult([], 0, False, frozenset())
        exact = _exact_ids(session.store, uow, q)
        conn = uow.session.connection()
        # "zhang san" is pinyin typed with a space: the index holds it without spaces
        text_q = q.replace(" ", "") if q.isascii() and q.replace(" ", "").isalpha() else q
        # ranked: exact numbers, then names / pinyin starting with the query (in name order,
        # straight from an index), then every other match by customer number
        on_sqlite = session.store.location.is_sqlite
        prefix = search_index.prefix_ids(conn, text_q, _CANDIDATES) if on_sqlite else []
        inner = search_index.syllable_ids(conn, text_q, _CANDIDATES) if on_sqlite else []
        # substring matches read once up to the count cap: the first ones rank, all count
        matched = search_index.match_ids(conn, text_q, SEARCH_COUNT_CAP + 1) if on_sqlite else []
        text_ids = matched[:_CANDIDATES]
        ranked = list(dict.fromkeys([*exact, *prefix, *inner, *text_ids]))
        more = max(len(prefix), len(inner), len(matched)) >= _CANDIDATES  # lists were cut
        if filters is not None and filters.active:
            keep = set(
                uow.session.scalars(
                    filters.apply(select(Customer.id).where(Customer.id.in_(ranked)))
                )
            )
            ranked = [i for i in ranked if i in keep]
            rows = _rows_for(session.store, uow, ranked[:limit])
            return SearchResult(rows, len(ranked), more, frozenset(exact), tuple(ranked))
        rows = _rows_for(session.store, uow, ranked[:limit])
        if not more:
            total, capped = len(ranked), False
        else:  # the longest list decides; substring matches were counted up to the cap
            counted = max(len(ranked), len(matched))
            total = min(counted, SEARCH_COUNT_CAP)
            capped = counted > SEARCH_COUNT_CAP or len(matched) < _CANDIDATES
        return SearchResult(rows, total, capped, frozenset(exact), tuple(ranked))


def find_customers_by_phone(*, session: SignedIn, phone: str, clock: Clock) -> list[int]:
    """Customers with exactly this phone number (any format typed; blind index, R14)."""
    checked = identity.check_phone(phone)
    if not isinstance(checked.value, identity.Phone):
        return []
    digest = session.store.blind_index.digest("customer.phone", checked.value.e164)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        return sorted(
            set(
                uow.session.scalars(
                    select(CustomerPhone.customer_id).where(CustomerPhone.phone_bidx == digest)
                )
            )
        )


def find_customers_by_phone_tail(*, session: SignedIn, last4: str, clock: Clock) -> list[int]:
    """Customers with a phone ending in these 4 digits (blind index of the tail, R14)."""
    digits = identity.compact(last4)
    if len(digits) != 4 or not digits.isdigit():
        return []
    digest = session.store.blind_index.digest("customer.phone_tail", digits)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        return sorted(
            set(
                uow.session.scalars(
                    select(CustomerPhone.customer_id).where(CustomerPhone.tail_bidx == digest)
                )
            )
        )


def find_customer_by_id_number(*, session: SignedIn, id_number: str, clock: Clock) -> int | None:
    """The customer with exactly this identity number (blind index, R14)."""
    digest = session.store.blind_index.digest(
        "customer.id_number", identity.compact(id_number).upper()
    )
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        return uow.session.scalar(select(Customer.id).where(Customer.id_number_bidx == digest))


@dataclass(frozen=True)
class DuplicateFlagRow:
    """One open 疑似重复 flag as the review queue shows it (names masked)."""

    id: int
    customer_id: int
    customer: str  # "KH… 张**"
    other_customer_id: int
    other: str
    reason: str
    created_at: datetime


def list_duplicate_flags(*, session: SignedIn, clock: Clock) -> list[DuplicateFlagRow]:
    """The review queue: open 疑似重复 flags, oldest first."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        flags = uow.session.scalars(
            select(DuplicateFlag)
            .where(DuplicateFlag.cleared_at.is_(None))
            .order_by(DuplicateFlag.id)
        ).all()
        ids = {f.customer_id for f in flags} | {f.other_customer_id for f in flags}
        shown = {
            c.id: f"{c.number} {mask_name(c.name) if c.party == Party.PERSON else c.name}"
            for c in uow.session.scalars(select(Customer).where(Customer.id.in_(ids)))
        }
        return [
            DuplicateFlagRow(
                f.id,
                f.customer_id,
                shown.get(f.customer_id, ""),
                f.other_customer_id,
                shown.get(f.other_customer_id, ""),
                f.reason,
                f.created_at,
            )
            for f in flags
        ]


def _imported_by(uow: UnitOfWork, user_id: int, customer_ids: tuple[int, ...]) -> bool:
    """True when one of ``customer_ids`` was written by a customer import of ``user_id``."""
    from app.storage.models import ImportBatch

    batches = uow.session.scalars(
        select(ImportBatch.spans).where(
            ImportBatch.kind == "customers", ImportBatch.created_by == user_id
        )
    )
    for spans in batches:
        span = json.loads(spans or "{}").get("customer")
        if span and any(int(span[0]) <= cid <= int(span[1]) for cid in customer_ids):
            return True
    return False


def clear_duplicate_flag(*, session: SignedIn, flag_id: int, note: str, clock: Clock) -> None:
    """An approver confirms two customers are distinct, with a note (R3); audited."""
    if not note.strip():
        raise ValidationFailed([FieldError("note", "required")])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "duplicate.review")
        flag = uow.session.get(DuplicateFlag, flag_id)
        if flag is None or flag.cleared_at is not None:
            raise ValidationFailed([FieldError("flag", "not_found")])
        own = uow.session.scalar(
            select(AuditEntry.id).where(
                AuditEntry.actor_id == session.actor.user_id,
                AuditEntry.object_type == "customer",
                AuditEntry.object_id.in_([str(flag.customer_id), str(flag.other_customer_id)]),
                AuditEntry.action.in_(["customer.create", "customer.update"]),
            )
        )
        pair = (flag.customer_id, flag.other_customer_id)
        if own is not None or _imported_by(uow, session.actor.user_id, pair):
            # whoever entered, edited or imported the data does not confirm it (four-eyes,
            # R34 in spirit; issue 23: imports count as one's own action too)
            raise ValidationFailed([FieldError("flag", "own_entry")])
        flag.cleared_at = clock.now()
        flag.cleared_by = session.actor.user_id
        flag.note = note.strip()[:200]
        uow.session.flush()
        for cid in (flag.customer_id, flag.other_customer_id):
            refresh_duplicate_mark(uow, cid)
        uow.audit.record(
            "customer.duplicate_cleared",
            object_type="duplicate_flag",
            object_id=flag.id,
            details={
                "customers": [flag.customer_id, flag.other_customer_id],
                "reason": flag.reason,
                "note": flag.note,
            },
        )
        uow.commit()


def delete_customer(*, session: SignedIn, customer_id: int, reason: str, clock: Clock) -> None:
    """Delete a customer irrecoverably (R8): rows removed and the customer's key destroyed.

    Any copy of the database, older ones included, keeps only ciphertexts nobody can open.
    """
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "required")])
    store = session.store
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.delete")
        c = load_customer(uow, customer_id)
        key_id, number = c.key_id, c.number
        has_volumes = uow.session.scalar(
            select(Volume.id).where(Volume.customer_id == c.id).limit(1)
        )
        if has_volumes is not None:
            # archives go through the destruction procedure (R44), not customer deletion
            raise ValidationFailed([FieldError("customer", "has_volumes")])
        partners = _flagged_pairs(uow, c.id)
        uow.audit.record(
            "customer.delete",
            object_type="customer",
            object_id=c.id,
            purpose=reason.strip()[:200],
            details={"number": number, "key_id": key_id},
        )
        uow.session.delete(c)
        if store.location.is_sqlite:
            search_index.remove_customers(uow.session.connection(), [customer_id])
        uow.session.flush()
        for other_id, _reason in partners:
            refresh_duplicate_mark(uow, other_id)
        # Erase first (R8): if the commit then fails, the row survives without a readable key
        # and the operator deletes again; erasure itself can never be lost.
        store.vault.destroy([key_id])
        uow.commit()
