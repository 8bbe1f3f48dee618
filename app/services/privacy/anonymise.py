"""Anonymising a customer whose volumes must be kept (R8): erased with the key, renamed.

The protected values (identity number, birth date, e-mail, phones, addresses, bank accounts,
the signed consent forms) are removed and the customer's key is destroyed, so no copy of the
database can open them again; the name becomes a pseudonym derived from the 客户编号;
free-text remarks, the gender and the duplicate flags go. What stays: the 客户编号, kind,
category, status history, the volumes (their electronic files re-sealed under a key of their
own, ``reseal``) and their loan history, the consent entries (without forms) and the requests —
statistics without personal data.
"""

from __future__ import annotations

from sqlalchemy import delete, or_, select, update

from app.domain import privacy as rules
from app.errors import FieldError, ValidationFailed
from app.services.customers.duplicates import flagged_pairs, refresh_duplicate_mark
from app.services.customers.stored import index_row
from app.services.privacy.reseal import Resealed, reseal_files
from app.storage import search as search_index
from app.storage.models import (
    ArchiveItem,
    Customer,
    CustomerAddress,
    CustomerBankAccount,
    CustomerConsent,
    CustomerPhone,
    DuplicateFlag,
    ItemFile,
    Volume,
)
from app.storage.store import Store, UnitOfWork


def has_volumes(uow: UnitOfWork, customer_id: int) -> bool:
    """True while any volume of the customer exists (it is kept for its retention, R12)."""
    found = uow.session.scalar(select(Volume.id).where(Volume.customer_id == customer_id).limit(1))
    return found is not None


def has_files(uow: UnitOfWork, customer_id: int) -> bool:
    """True when the customer's volumes hold electronic files (re-sealed when anonymised)."""
    found = uow.session.scalar(
        select(ItemFile.id)
        .join(ArchiveItem, ArchiveItem.id == ItemFile.item_id)
        .join(Volume, Volume.id == ArchiveItem.volume_id)
        .where(Volume.customer_id == customer_id)
        .limit(1)
    )
    return found is not None


def check_anonymisable(uow: UnitOfWork, c: Customer) -> None:
    """Refuse customers already anonymised."""
    if c.anonymised_at is not None:
        raise ValidationFailed([FieldError("customer", "already_anonymised")])


def anonymise_customer(uow: UnitOfWork, store: Store, c: Customer) -> Resealed:
    """Anonymise ``c`` inside ``uow`` and destroy their key; the caller audits and commits.

    The files of their volumes are sealed again under a key of their own first (they are kept
    for the volumes' retention); the caller calls ``after_commit`` / ``after_failure`` of the
    result to remove the old or the new blob files.
    """
    check_anonymisable(uow, c)
    resealed = reseal_files(uow, store, c)
    partners = {other for other, _reason in flagged_pairs(uow, c.id)}
    uow.session.execute(
        delete(DuplicateFlag).where(
            or_(DuplicateFlag.customer_id == c.id, DuplicateFlag.other_customer_id == c.id)
        )
    )
    for child in (CustomerPhone, CustomerAddress, CustomerBankAccount):
        uow.session.execute(delete(child).where(child.customer_id == c.id))
    uow.session.execute(
        update(CustomerConsent)
        .where(CustomerConsent.customer_id == c.id)
        .values(form_enc=None, form_name_enc=None)
    )
    now = uow.clock.now()
    c.name = rules.pseudonym(c.number)
    c.gender = None
    c.birth_date_enc = None
    c.id_type = None
    c.region = None
    c.id_number_enc = None
    c.id_number_bidx = None
    c.email_enc = None
    c.consent_purpose = ""
    c.remarks = ""
    c.index_remarks = ""
    c.suspected_duplicate = False
    c.anonymised_at = now
    c.updated_at = now
    c.version += 1
    uow.session.flush()
    conn = uow.session.connection()
    search_index.remove_customers(conn, [c.id])
    search_index.index_customers(conn, [index_row(c)])
    for other in partners:
        refresh_duplicate_mark(uow, other)
    # erase first (R8), as deletion does: a failed commit leaves rows nobody can read
    store.vault.destroy([resealed.old_key_id])
    return resealed
