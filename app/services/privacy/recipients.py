"""Third-party recipients and 对外提供 (R36): a register with 保密协议, provisions checked.

A recipient is an organisation (统一社会信用代码 validated) with a contact and its signed
confidentiality agreement (dates, the scan encrypted under the data key). Providing a
customer's data records a provision only when the recipient's agreement is valid that day and
the customer's consent covers 对外提供 — otherwise it is refused, the reason named.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.clock import Clock
from app.domain import identity
from app.domain import privacy as rules
from app.domain.loans import ApplicationState, UseKind
from app.errors import FieldError, ProvisionRefused, PurposeRefused, ValidationFailed
from app.security.masking import mask_phone
from app.services.auth import SignedIn
from app.services.common import (
    add_recorded,
    authorize,
    clean_text,
    fetch,
    local_today,
    next_yearly_number,
)
from app.services.customers.consents import FORM_MAX_BYTES, require_purpose
from app.services.customers.stored import load_customer
from app.services.privacy.subject import add_customer_record
from app.storage.models import DataProvision, DataRecipient, UseApplication, UserAccount
from app.storage.store import Store


@dataclass(frozen=True)
class RecipientInput:
    """A recipient as entered."""

    name: str
    uscc: str
    contact: str = ""
    contact_phone: str = ""
    agreement_signed_on: date | None = None
    agreement_until: date | None = None
    agreement: bytes | None = None  # the scanned agreement
    agreement_name: str = ""


@dataclass(frozen=True)
class RecipientRow:
    """A recipient as listed (the contact phone masked)."""

    id: int
    name: str
    uscc: str
    contact: str
    contact_phone: str
    agreement_signed_on: date | None
    agreement_until: date | None
    has_agreement_scan: bool
    agreement_valid: bool


@dataclass(frozen=True)
class ProvisionRow:
    """One 对外提供 in the register."""

    number: str
    provided_on: date
    customer_number: str
    recipient: str
    recipient_uscc: str
    purpose: str
    fields: str
    application: str
    operator: str


def agreement_valid(r: DataRecipient, day: date) -> bool:
    """The recipient's 保密协议 is signed and in force on ``day``."""
    return (
        r.agreement_signed_on is not None
        and r.agreement_signed_on <= day
        and (r.agreement_until is None or r.agreement_until >= day)
    )


def _seal(store: Store, row_key: str, column: str, text: str) -> bytes:
    return store.cipher.encrypt(text, table="data_recipient", column=column, row_key=row_key)


def add_recipient(*, session: SignedIn, recipient: RecipientInput, clock: Clock) -> int:
    """Register a recipient and its confidentiality agreement (R36); returns its id."""
    today = local_today(clock)
    errors: list[FieldError] = []
    name = clean_text(errors, "recipient", recipient.name, 200, required=True)
    contact = clean_text(errors, "contact", recipient.contact, 100, required=False)
    checked = identity.check_uscc(recipient.uscc, field="uscc")
    if checked.error:
        errors.append(checked.error)
    phone: identity.Phone | None = None
    if identity.normalize(recipient.contact_phone):
        got = identity.check_phone(recipient.contact_phone, field="phone")
        if got.error:
            errors.append(got.error)
        elif isinstance(got.value, identity.Phone):
            phone = got.value
    signed, until = recipient.agreement_signed_on, recipient.agreement_until
    if signed is None:
        errors.append(FieldError("agreement_signed_on", "required"))
    elif signed > today:
        errors.append(FieldError("agreement_signed_on", "future"))
    elif until is not None and until < signed:
        errors.append(FieldError("agreement_until", "range_order"))
    if recipient.agreement is not None and len(recipient.agreement) > FORM_MAX_BYTES:
        errors.append(FieldError("agreement", "too_large", {"max_mib": 10}))
    if errors:
        raise ValidationFailed(errors)
    uscc = str(checked.value)
    store = session.store
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "recipient.manage")
        taken = uow.session.scalar(select(DataRecipient.id).where(DataRecipient.uscc == uscc))
        if taken is not None:
            raise ValidationFailed([FieldError("uscc", "duplicate_uscc")])
        now = clock.now()
        row_key = uuid.uuid4().hex
        row = DataRecipient(
            name=name,
            uscc=uscc,
            contact=contact,
            contact_phone_enc=_seal(store, row_key, "contact_phone", phone.stored)
            if phone
            else None,
            row_key=row_key,
            agreement_signed_on=signed,
            agreement_until=until,
            agreement_sha256="",
            created_at=now,
            updated_at=now,
        )
        if recipient.agreement is not None:
            row.agreement_enc = _seal(
                store, row_key, "agreement", recipient.agreement.decode("latin-1")
            )
            row.agreement_name_enc = _seal(
                store, row_key, "agreement_name", recipient.agreement_name[:200] or "agreement"
            )
            row.agreement_sha256 = hashlib.sha256(recipient.agreement).hexdigest()
        add_recorded(
            uow,
            row,
            "recipient.add",
            object_type="data_recipient",
            details={
                "name": name,
                "uscc": uscc,
                "agreement_signed_on": signed.isoformat() if signed else None,
                "agreement_until": until.isoformat() if until else None,
                "scan": recipient.agreement is not None,
            },
        )
        uow.commit()
        return row.id


def list_recipients(*, session: SignedIn, clock: Clock) -> list[RecipientRow]:
    """The recipients register, by name."""
    today = local_today(clock)
    store = session.store
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "privacy.read")
        out = []
        for r in uow.session.scalars(select(DataRecipient).order_by(DataRecipient.name)):
            phone = ""
            if r.contact_phone_enc is not None:
                plain = store.cipher.decrypt(
                    r.contact_phone_enc,
                    table="data_recipient",
                    column="contact_phone",
                    row_key=r.row_key,
                )
                phone = mask_phone(plain.split(";")[0])
            out.append(
                RecipientRow(
                    id=r.id,
                    name=r.name,
                    uscc=r.uscc,
                    contact=r.contact,
                    contact_phone=phone,
                    agreement_signed_on=r.agreement_signed_on,
                    agreement_until=r.agreement_until,
                    has_agreement_scan=r.agreement_enc is not None,
                    agreement_valid=agreement_valid(r, today),
                )
            )
        return out


def provide_data(
    *,
    session: SignedIn,
    customer_id: int,
    recipient_id: int,
    purpose: str,
    fields: tuple[str, ...],
    clock: Clock,
    application_number: str = "",
) -> str:
    """Record an 对外提供 of a customer's data to a recipient (R36); returns its number (TG…).

    Refused (``ProvisionRefused``) without a valid 保密协议 of the recipient or without the
    customer's consent covering 对外提供; an application named must be an approved 对外提供.
    """
    today = local_today(clock)
    errors: list[FieldError] = []
    text = clean_text(errors, "purpose", purpose, 200, required=True)
    if not fields:
        errors.append(FieldError("fields", "required"))
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        user = authorize(uow, session.actor, "provision.record")
        c = load_customer(uow, customer_id)
        recipient = fetch(uow, DataRecipient, recipient_id, "recipient")
        if not agreement_valid(recipient, today):
            raise ProvisionRefused(why="接收方未签订保密协议或保密协议已过期")
        try:
            consent = require_purpose(uow, c, rules.PROVISION, today)
        except PurposeRefused as exc:
            raise ProvisionRefused(why=f"客户未同意对外提供（{exc.params['why']}）") from exc
        application_id = None
        if application_number.strip():
            app_row = uow.session.scalar(
                select(UseApplication).where(UseApplication.number == application_number.strip())
            )
            if (
                app_row is None
                or app_row.kind != UseKind.EXTERNAL
                or app_row.state not in (ApplicationState.APPROVED, ApplicationState.CLOSED)
            ):
                raise ProvisionRefused(why="所附申请不是已批准的对外提供申请")
            application_id = app_row.id
        number = next_yearly_number(uow, "TG", today.year, digits=4)
        row = DataProvision(
            number=number,
            customer_id=c.id,
            customer_number=c.number,
            recipient_id=recipient.id,
            consent_id=consent.id if consent else None,
            application_id=application_id,
            purpose=text,
            fields="、".join(fields)[:200],
            provided_on=today,
            created_by=user.id,
            created_at=clock.now(),
        )
        add_customer_record(
            uow,
            row,
            "provision.record",
            c,
            {
                "recipient": recipient.name,
                "uscc": recipient.uscc,
                "fields": list(fields),
                "consent": consent.id if consent else None,
            },
            purpose=text,
        )
        uow.commit()
        return number


def list_provisions(
    *, session: SignedIn, clock: Clock, customer_id: int | None = None
) -> list[ProvisionRow]:
    """The 对外提供 register (newest first), or one customer's provisions."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "privacy.read")
        stmt = (
            select(DataProvision, DataRecipient, UserAccount.display_name)
            .join(DataRecipient, DataRecipient.id == DataProvision.recipient_id)
            .join(UserAccount, UserAccount.id == DataProvision.created_by)
            .order_by(DataProvision.id.desc())
        )
        if customer_id is not None:
            stmt = stmt.where(DataProvision.customer_id == customer_id)
        apps = {}
        rows = uow.session.execute(stmt).all()
        ids = {p.application_id for p, _r, _n in rows if p.application_id}
        if ids:
            apps = dict(
                uow.session.execute(
                    select(UseApplication.id, UseApplication.number).where(
                        UseApplication.id.in_(ids)
                    )
                ).all()
            )
        return [
            ProvisionRow(
                number=p.number,
                provided_on=p.provided_on,
                customer_number=p.customer_number,
                recipient=r.name,
                recipient_uscc=r.uscc,
                purpose=p.purpose,
                fields=p.fields,
                application=str(apps.get(p.application_id, "")) if p.application_id else "",
                operator=str(name),
            )
            for p, r, name in rows
        ]
