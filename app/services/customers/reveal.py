"""Reading one customer: masked by default (R5); full values only with a recorded purpose (R40)."""

from __future__ import annotations

import logging

from app.clock import Clock
from app.domain import privacy as privacy_rules
from app.domain.customers import (
    Party,
)
from app.errors import CustomerUnreadable, FieldError, ValidationFailed
from app.security.crypto import DecryptionFailed
from app.security.masking import (
    mask_address,
    mask_bank_account,
    mask_id_number,
    mask_name,
    mask_phone,
)
from app.security.vault import KeyDestroyed
from app.services.auth import SignedIn
from app.services.common import authorize, local_today
from app.services.customers.consents import require_purpose
from app.services.customers.records import CustomerDetail
from app.services.customers.stored import contact_rows, load_customer
from app.storage.models import (
    Customer,
    CustomerAddress,
    CustomerBankAccount,
    CustomerPhone,
    UserAccount,
)
from app.storage.store import Store, UnitOfWork

log = logging.getLogger(__name__)


def _detail(store: Store, uow: UnitOfWork, c: Customer, *, masked: bool) -> CustomerDetail:
    try:
        return _detail_unchecked(store, uow, c, masked=masked)
    except (KeyDestroyed, DecryptionFailed) as exc:
        log.warning("protected values of customer %s cannot be read", c.id)
        raise CustomerUnreadable() from exc


def _detail_unchecked(
    store: Store, uow: UnitOfWork, c: Customer, *, masked: bool
) -> CustomerDetail:
    # an anonymised customer's key is gone and nothing protected is left to open (R8)
    cipher = None if c.anonymised_at is not None else store.vault.cipher(c.key_id)

    def dec(blob: bytes | None, column: str, table: str = "customer") -> str:
        if blob is None or cipher is None:
            return ""
        return cipher.decrypt(blob, table=table, column=column, row_key=c.row_key)

    phones = contact_rows(uow, CustomerPhone, c.id)
    addresses = contact_rows(uow, CustomerAddress, c.id)
    banks = contact_rows(uow, CustomerBankAccount, c.id)
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
    pseudonymous = c.anonymised_at is not None  # the pseudonym is no personal data
    name = mask_name(c.name) if masked and c.party == Party.PERSON and not pseudonymous else c.name
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


def get_customer(*, session: SignedIn, customer_id: int, clock: Clock) -> CustomerDetail:
    """One customer with protected values masked (R5)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        return _detail(session.store, uow, load_customer(uow, customer_id), masked=True)


def reveal_customer(
    *,
    session: SignedIn,
    customer_id: int,
    purpose: str,
    clock: Clock,
    use: str = privacy_rules.SERVICE,
) -> CustomerDetail:
    """Full protected values; the purpose is required and recorded (R5, R40).

    ``use`` is the purpose from the configured list (客户服务 unless given) and ``purpose`` the
    free text; without a valid consent or legal basis for ``use`` the reveal is refused
    (``PurposeRefused``, R4).
    """
    if not purpose.strip():
        raise ValidationFailed([FieldError("purpose", "required")])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.reveal")
        c = load_customer(uow, customer_id)
        require_purpose(uow, c, use, local_today(clock))
        detail = _detail(session.store, uow, c, masked=False)
        # the same customer again for the same purpose in this session: one entry (issue 9)
        uow.audit.record_view(
            "customer.reveal",
            object_type="customer",
            object_id=c.id,
            purpose=purpose.strip()[:200],
            details={
                "number": c.number,
                "use": use,
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


def read_detail(store: Store, uow: UnitOfWork, c: Customer, *, masked: bool) -> CustomerDetail:
    """``c`` as a detail inside a caller's unit of work (the caller authorises and audits)."""
    return _detail(store, uow, c, masked=masked)
