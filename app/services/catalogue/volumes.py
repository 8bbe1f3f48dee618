"""Volumes (R10, R11): filing a new one with its 档号, and its editable 立卷 details.

Every write validates, runs in one transaction and audits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from app.clock import Clock
from app.domain.catalogue import (
    VolumeState,
)
from app.errors import (
    FieldError,
    ValidationFailed,
)
from app.security import access
from app.services.auth import SignedIn
from app.services.catalogue.drafts import (
    VolumeDraft,
    check_filing,
    check_text,
    check_volume_draft,
)
from app.services.catalogue.numbering import allocate_reference, reference_pattern, reference_values
from app.services.catalogue.upkeep import reindex
from app.services.common import actor_from_row, authorize, changed_elsewhere, fetch
from app.storage.models import (
    ArchiveItem,
    Customer,
    Volume,
)
from app.storage.store import UnitOfWork


@dataclass(frozen=True)
class VolumeSaved:
    """What a caller needs after creating a volume."""

    volume_id: int
    reference_code: str


def create_volume(*, session: SignedIn, draft: VolumeDraft, clock: Clock) -> VolumeSaved:
    """File a new volume for a customer with the next 档号 of its scope (R10, R11)."""
    errors: list[FieldError] = []
    today = clock.now().astimezone().date()
    clean = check_volume_draft(draft, today=today, errors=errors, note_rules=True)
    title, retention, org = clean.title, clean.retention, clean.org
    compiled_by, checked_by, notes = clean.compiled_by, clean.checked_by, clean.notes
    with session.uow(clock) as uow:
        uow.claim_writes()  # the 档号 counter is read, then written: wait for the lock first
        authorize(uow, session.actor, "catalogue.write")
        customer = uow.session.get(Customer, draft.customer_id)
        if customer is None:
            errors.append(FieldError("customer", "not_found"))
        pattern = reference_pattern(uow)
        if "{org}" in pattern and not org:
            errors.append(FieldError("org_code", "required"))
        if errors or retention is None:
            raise ValidationFailed(errors)
        values = reference_values(uow, draft.year, retention.value, org)
        code, number = allocate_reference(uow, pattern, values)
        now = clock.now()
        volume = Volume(
            reference_code=code,
            customer_id=draft.customer_id,
            year=draft.year,
            title=title,
            retention=retention.value,
            secrecy_level=None,
            created_at=now,
            fonds_code=values.fonds,
            category_code=values.category,
            org_code=org,
            number=number,
            compiled_by=compiled_by,
            checked_by=checked_by,
            compiled_on=draft.compiled_on,
            notes=notes,
            state=VolumeState.ON_SHELF.value,
            index_remarks="",
            item_count=0,
            page_count=0,
            updated_at=now,
            version=1,
        )
        uow.session.add(volume)
        uow.session.flush()
        reindex(uow, volumes=[volume])
        uow.audit.record(
            "volume.create",
            object_type="volume",
            object_id=volume.id,
            details={"reference_code": code, "customer": customer.number if customer else None},
        )
        uow.commit()
        return VolumeSaved(volume.id, code)


def customer_for_filing(*, session: SignedIn, number: str, clock: Clock) -> tuple[int, str]:
    """The customer a new volume is filed under, by 客户编号: ``(id, name)``."""
    text = "".join(number.split()).upper()
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "catalogue.write")
        row = uow.session.execute(
            select(Customer.id, Customer.name).where(Customer.number == text)
        ).first()
        if row is None:
            raise ValidationFailed([FieldError("customer", "not_found")])
        return int(row[0]), str(row[1])


@dataclass(frozen=True)
class VolumeDetails:
    """What may change after filing: the title and the 立卷 details of the 备考表.

    The 档号, year and retention never change once issued.
    """

    title: str
    compiled_by: str
    checked_by: str
    compiled_on: date | None
    notes: str


@dataclass(frozen=True)
class VolumeDetailsView:
    """The current details of a volume, with its version for the edit."""

    details: VolumeDetails
    version: int


def visible_volume(uow: UnitOfWork, reader: Any, volume_id: int) -> Volume:
    """The volume ``volume_id``; refused when missing or above ``reader``'s clearance."""
    volume = fetch(uow, Volume, volume_id, "volume")
    if not access.may_see(reader, volume.secrecy_level):
        raise ValidationFailed([FieldError("volume", "no_clearance")])
    return volume


def _details_record(v: Volume) -> dict[str, str | None]:
    """The editable details as the audit trail records them."""
    return {
        "title": v.title,
        "compiled_by": v.compiled_by,
        "checked_by": v.checked_by,
        "compiled_on": v.compiled_on.isoformat() if v.compiled_on else None,
        "notes": v.notes,
    }


def get_volume_details(*, session: SignedIn, volume_id: int, clock: Clock) -> VolumeDetailsView:
    """The editable details of a volume (within clearance)."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "catalogue.write"))
        v = visible_volume(uow, reader, volume_id)
        details = VolumeDetails(v.title, v.compiled_by, v.checked_by, v.compiled_on, v.notes)
        return VolumeDetailsView(details, v.version)


def update_volume_details(
    *,
    session: SignedIn,
    volume_id: int,
    details: VolumeDetails,
    expected_version: int,
    clock: Clock,
) -> None:
    """Change a volume's title and 立卷 details (audited before/after, optimistic version)."""
    errors: list[FieldError] = []
    today = clock.now().astimezone().date()
    title = check_text(errors, "title", details.title, 300, required=True)
    with session.uow(clock) as uow:
        uow.claim_writes()
        reader = actor_from_row(authorize(uow, session.actor, "catalogue.write"))
        v = visible_volume(uow, reader, volume_id)
        latest = uow.session.scalar(
            select(func.max(ArchiveItem.doc_date)).where(ArchiveItem.volume_id == volume_id)
        )
        compiled_by, checked_by, notes = check_filing(
            errors, details, today=today, note_rules=True, latest_item_date=latest
        )
        if v.state == VolumeState.DESTROYED.value:
            errors.append(FieldError("volume", "destroyed"))
        if v.version != expected_version:
            errors.append(changed_elsewhere(uow, "volume", "volume", v.id, clock))
        if errors:
            raise ValidationFailed(errors)
        before = _details_record(v)
        v.title, v.compiled_by, v.checked_by = title, compiled_by, checked_by
        v.compiled_on, v.notes = details.compiled_on, notes
        after = _details_record(v)
        v.updated_at = clock.now()
        v.version += 1
        reindex(uow, volumes=[v])
        changed = [k for k in after if before[k] != after[k]]
        uow.audit.record(
            "volume.update",
            object_type="volume",
            object_id=v.id,
            details=(
                # classified: the 档号 and which fields changed, never the title or notes
                {"reference_code": v.reference_code, "changed": changed}
                if v.secrecy_level is not None
                else {
                    "reference_code": v.reference_code,
                    "changes": {k: [before[k], after[k]] for k in changed},
                }
            ),
        )
        uow.commit()
