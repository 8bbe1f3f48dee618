"""Reading one customer: masked by default (R5); full values only with a recorded purpose (R40)."""

from __future__ import annotations

import logging

from app.clock import Clock
from app.domain import privacy as privacy_rules
from app.domain.customers import CLASS_RULES, FIELD_CLASSES, InfoClass, Party
from app.domain.roles import may_as
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
from app.services.common import actor_from_row, authorize, local_today
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

# the values a reveal opens (the audit entry names those the reader's classes opened)
REVEALED_FIELDS = (
    "id_number",
    "phones",
    "addresses",
    "bank_accounts",
    "email",
    "birth_date",
)


Masked = bool | frozenset[InfoClass]  # True: every class masked; a set: those classes


def _masked_set(masked: Masked) -> frozenset[InfoClass]:
    if isinstance(masked, bool):
        return frozenset(InfoClass) if masked else frozenset()
    return masked


def classes_kept_masked(user: UserAccount) -> frozenset[InfoClass]:
    """The classes ``user`` may not see in full: their reveal permission is not held (R7)."""
    actor = actor_from_row(user)
    return frozenset(
        c
        for c, rule in CLASS_RULES.items()
        if not may_as(actor.roles, actor.approver_title, rule.reveal)
    )


def _detail(store: Store, uow: UnitOfWork, c: Customer, *, masked: Masked) -> CustomerDetail:
    try:
        return _detail_unchecked(store, uow, c, masked=_masked_set(masked))
    except (KeyDestroyed, DecryptionFailed) as exc:
        log.warning("protected values of customer %s cannot be read", c.id)
        raise CustomerUnreadable() from exc


def _detail_unchecked(
    store: Store, uow: UnitOfWork, c: Customer, *, masked: frozenset[InfoClass]
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
    # each value masked when its class (FIELD_CLASSES, R7) is
    hidden = {f for f, cls in FIELD_CLASSES.items() if cls in masked}
    if "id_number" in hidden:
        id_number = mask_id_number(id_number) if id_number else ""
    if "phones" in hidden:
        phone_values = [mask_phone(p.split(";")[0]) for p in phone_values]
    if "bank_accounts" in hidden:
        bank_values = [mask_bank_account(b) for b in bank_values]
    if "addresses" in hidden:
        address_values = [mask_address(a) for a in address_values]
    if "birth_date" in hidden:
        birth = birth[:4] + "-**-**" if birth else ""
    if "email" in hidden:
        email = (email[:1] + "***@" + email.split("@")[-1]) if email else ""
    pseudonymous = c.anonymised_at is not None  # the pseudonym is no personal data
    person = c.party == Party.PERSON and not pseudonymous
    name = mask_name(c.name) if "name" in hidden and person else c.name
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
        masked=bool(masked),
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
        user = authorize(uow, session.actor, "customer.reveal")
        c = load_customer(uow, customer_id)
        require_purpose(uow, c, use, local_today(clock))
        kept = classes_kept_masked(user)  # 敏感 stays masked for posts without it (R7)
        detail = _detail(session.store, uow, c, masked=kept)
        # the same customer again for the same purpose in this session: one entry (issue 9)
        uow.audit.record_view(
            "customer.reveal",
            object_type="customer",
            object_id=c.id,
            purpose=purpose.strip()[:200],
            details={
                "number": c.number,
                "use": use,
                "fields": [f for f in REVEALED_FIELDS if FIELD_CLASSES[f] not in kept],
            },
        )
        uow.commit()
        return detail


def read_detail(store: Store, uow: UnitOfWork, c: Customer, *, masked: Masked) -> CustomerDetail:
    """``c`` as a detail inside a caller's unit of work (the caller authorises and audits)."""
    return _detail(store, uow, c, masked=masked)
