"""Customer reads for the foundation: masked lists and audited reveals (the registry extends)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.clock import Clock
from app.errors import FieldError, ValidationFailed
from app.security.masking import mask_id_number, mask_name, mask_phone
from app.services.auth import SignedIn
from app.services.common import authorize
from app.storage.models import Customer


@dataclass(frozen=True)
class CustomerRow:
    """A customer as listed: personal values masked (R5)."""

    id: int
    name: str
    party: str
    status: str
    id_number: str
    phone: str


@dataclass(frozen=True)
class CustomerIdentity:
    """Full personal values, returned only by an audited reveal (R40)."""

    id: int
    name: str
    id_number: str | None
    phone: str | None


def count_customers(*, session: SignedIn, clock: Clock) -> int:
    """Return the number of customers."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        return int(uow.session.scalar(select(func.count(Customer.id))) or 0)


def list_customers(
    *, session: SignedIn, clock: Clock, offset: int = 0, limit: int = 100
) -> list[CustomerRow]:
    """Return one page of customers with masked values."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        rows = uow.session.scalars(
            select(Customer).order_by(Customer.id).offset(offset).limit(limit)
        ).all()
        cipher = session.store.cipher
        out = []
        for c in rows:
            idn = (
                cipher.decrypt(
                    c.id_number_enc, table="customer", column="id_number", row_key=c.row_key
                )
                if c.id_number_enc
                else ""
            )
            phone = (
                cipher.decrypt(c.phone_enc, table="customer", column="phone", row_key=c.row_key)
                if c.phone_enc
                else ""
            )
            out.append(
                CustomerRow(
                    id=c.id,
                    name=mask_name(c.name) if c.party == "person" else c.name,
                    party=c.party,
                    status=c.status,
                    id_number=mask_id_number(idn) if idn else "",
                    phone=mask_phone(phone) if phone else "",
                )
            )
        return out


def reveal_customer(
    *, session: SignedIn, customer_id: int, purpose: str, clock: Clock
) -> CustomerIdentity:
    """Return a customer's full identity values; the purpose is required and recorded (R5, R40)."""
    if not purpose.strip():
        raise ValidationFailed([FieldError("purpose", "required")])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        c = uow.session.get(Customer, customer_id)
        if c is None:
            raise ValidationFailed([FieldError("customer", "not_found")])
        cipher = session.store.cipher
        identity = CustomerIdentity(
            id=c.id,
            name=c.name,
            id_number=cipher.decrypt(
                c.id_number_enc, table="customer", column="id_number", row_key=c.row_key
            )
            if c.id_number_enc
            else None,
            phone=cipher.decrypt(c.phone_enc, table="customer", column="phone", row_key=c.row_key)
            if c.phone_enc
            else None,
        )
        uow.audit.record(
            "customer.reveal",
            object_type="customer",
            object_id=c.id,
            purpose=purpose.strip()[:200],
            details={"fields": ["name", "id_number", "phone"]},
        )
        uow.commit()
        return identity


def find_customer_by_phone(*, session: SignedIn, phone_e164: str, clock: Clock) -> list[int]:
    """Return ids of customers whose phone equals ``phone_e164`` exactly (blind index, R14)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        digest = session.store.blind_index.digest("customer.phone", phone_e164)
        return list(uow.session.scalars(select(Customer.id).where(Customer.phone_bidx == digest)))
