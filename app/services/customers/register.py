"""Registering a customer (R1–R4): validated, encrypted under a key of its own, indexed, audited.

The key is created and committed in the vault before the database transaction that first uses it.
"""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError

from app.clock import Clock
from app.domain import identity
from app.domain.customers import (
    Party,
)
from app.errors import FieldError, ValidationFailed
from app.security.crypto import FieldCipher
from app.security.masking import (
    mask_bank_account,
    mask_id_number,
    mask_name,
    mask_phone,
)
from app.services.auth import SignedIn
from app.services.common import authorize, record_numbered
from app.services.customers.consents import (
    ConsentInput,
    initial_entry,
    purpose_settings,
    write_entry,
)
from app.services.customers.duplicates import find_duplicates
from app.services.customers.records import CustomerDraft, SaveResult
from app.services.customers.stored import ContactWriter, index_row
from app.services.customers.validation import check_id_free, check_responsible, validate_draft
from app.storage import search as search_index
from app.storage.models import (
    Customer,
    CustomerStatusChange,
)
from app.storage.store import UnitOfWork

NUMBER_SETTING = "customer_number_last"


def _next_number(uow: UnitOfWork) -> str:
    last = int(uow.settings.raw().get(NUMBER_SETTING, 0))
    uow.settings.put(NUMBER_SETTING, last + 1)
    return f"KH{last + 1:08d}"


def _entry_summary(entry: ConsentInput) -> dict[str, object]:
    """What the audit keeps of a consent or basis entry (no personal data)."""
    return {
        "kind": entry.kind,
        "basis": entry.basis,
        "purposes": list(entry.purposes),
        "method": entry.method if entry.kind == "consent" else "",
        "given_on": entry.given_on.isoformat() if entry.given_on else None,
        "valid_until": entry.valid_until.isoformat() if entry.valid_until else None,
        "form": entry.form is not None,
    }


def register_customer(*, session: SignedIn, draft: CustomerDraft, clock: Clock) -> SaveResult:
    """Register a new customer, their index entry and their consent or legal basis (R1–R4).

    Nothing is saved on any error; a customer with neither consent nor basis is refused.

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
            errors += check_id_free(store, uow, clean.id_number)
        entry, entry_errors = initial_entry(
            consent=draft.consent,
            legal_basis=draft.legal_basis,
            legacy_date=draft.consent_date,
            legacy_purpose=draft.consent_purpose,
            legacy_until=draft.consent_until,
            legacy_method=draft.consent_method,
            settings=purpose_settings(uow),
            today=today,
        )
        errors += entry_errors
        if errors or clean is None or entry is None:
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
            region=identity.region_code(draft.id_type, clean.id_number),
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
        write_entry(uow, store, customer, entry, by=session.actor.user_id)
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
        search_index.index_customers(uow.session.connection(), [index_row(customer)])
        duplicates = find_duplicates(uow, customer)
        record_numbered(
            uow,
            "customer.create",
            "customer",
            customer,
            name=mask_name(customer.name) if customer.party == Party.PERSON else customer.name,
            id_number=mask_id_number(clean.id_number) if clean.id_number else None,
            phones=[mask_phone(p.e164) for p, _ in clean.phones],
            bank_accounts=[mask_bank_account(a) for a, _ in clean.bank_accounts],
            status=customer.status,
            consent=_entry_summary(entry),
            suspected_duplicates=[
                {"customer": d.other_number, "reason": d.reason} for d in duplicates
            ],
        )
        try:
            uow.commit()
        except IntegrityError as exc:
            # another workstation registered the same identity number a moment ago
            raise ValidationFailed(
                [FieldError("id_number", "duplicate_id", {"number": "—"})]
            ) from exc
        return SaveResult(customer.id, customer.number, tuple(warnings), tuple(duplicates))
