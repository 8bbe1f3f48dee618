"""The customer form's rules (R2): one draft checked into normalized values, errors and warnings."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import select

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
from app.errors import FieldError
from app.services.customers.records import CleanDraft, CustomerDraft
from app.services.users import may_hold_customers
from app.storage.models import (
    Customer,
    UserAccount,
)
from app.storage.store import Store, UnitOfWork

Entry = TypeVar("Entry")

PERSON_DOCUMENTS = {
    IdType.RESIDENT_ID,
    IdType.PASSPORT,
    IdType.HK_MACAO_PERMIT,
    IdType.TAIWAN_PERMIT,
}

_PERSON_DOCUMENT_VALUES = frozenset(t.value for t in PERSON_DOCUMENTS)
_ORG_DOCUMENT_VALUES = frozenset({IdType.USCC.value})


def _enum_error(name: str, value: str | None, enum: type[StrEnum]) -> FieldError | None:
    if value not in enum._value2member_map_:  # the enum's own value table (no set per call)
        return FieldError(name, "required")
    return None


def _filled(
    errors: list[FieldError],
    field: str,
    entries: Sequence[tuple[Entry, str]],
    check: Callable[..., identity.Checked],
) -> Iterator[tuple[Entry, identity.Checked]]:
    """The entries of a list (phones, bank accounts) whose text is filled in, checked.

    Entry N is checked as ``field.N``; one that fails adds its error to ``errors`` and is
    passed over.
    """
    for i, (entry, text) in enumerate(entries):
        if not identity.normalize(text):
            continue
        checked = check(text, field=f"{field}.{i}")
        if checked.error:
            errors.append(checked.error)
        else:
            yield entry, checked


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
        allowed = _ORG_DOCUMENT_VALUES if draft.party == Party.ORG else _PERSON_DOCUMENT_VALUES
        if draft.id_type not in allowed:
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
    typed_phones = [(p, p.number) for p in draft.phones]
    for p, checked in _filled(errors, "phones", typed_phones, identity.check_phone):
        if isinstance(checked.value, identity.Phone) and all(
            checked.value.stored != q.stored for q, _ in phones
        ):
            phones.append((checked.value, p.label.strip()[:16]))
    banks: list[tuple[str, str]] = []
    typed_accounts = [(b, b.account) for b in draft.bank_accounts]
    for b, checked in _filled(errors, "bank_accounts", typed_accounts, identity.check_bank_account):
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


def check_id_free(
    store: Store, uow: UnitOfWork, id_number: str, *, customer_id: int | None = None
) -> list[FieldError]:
    """The identity number is not registered to another customer (besides ``customer_id``)."""
    digest = store.blind_index.digest("customer.id_number", id_number)
    stmt = select(Customer.number).where(Customer.id_number_bidx == digest)
    if customer_id is not None:
        stmt = stmt.where(Customer.id != customer_id)
    taken = uow.session.scalar(stmt)
    return [] if taken is None else [FieldError("id_number", "duplicate_id", {"number": taken})]
