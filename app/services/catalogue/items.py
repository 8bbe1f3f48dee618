"""Items (件) of a volume (R13, R15): each gets the next 序号; the volume takes on its secrecy."""

from __future__ import annotations

from sqlalchemy import func, select

from app.clock import Clock
from app.domain.catalogue import (
    SecrecyLevel,
    VolumeState,
)
from app.errors import (
    FieldError,
    ValidationFailed,
)
from app.security import access
from app.services.auth import SignedIn
from app.services.catalogue.drafts import ItemDraft, check_item_draft
from app.services.catalogue.upkeep import marking_for_index, refresh_volume, reindex
from app.services.common import actor_from_row, authorize, fetch
from app.storage.models import (
    ArchiveItem,
    Volume,
)
from app.storage.store import UnitOfWork


def _check_separation(
    uow: UnitOfWork, volume: Volume, level: SecrecyLevel | None, errors: list[FieldError]
) -> None:
    """绝密 material forms a volume of its own (R10): never mixed with other items."""
    others = list(
        uow.session.scalars(
            select(ArchiveItem.secrecy_level).where(ArchiveItem.volume_id == volume.id)
        )
    )
    top = SecrecyLevel.TOP_SECRET.value
    if level == SecrecyLevel.TOP_SECRET and any(o != top for o in others):
        errors.append(FieldError("secrecy_level", "top_secret_alone"))
    if level != SecrecyLevel.TOP_SECRET and (
        any(o == top for o in others) or volume.secrecy_level == top
    ):
        errors.append(FieldError("secrecy_level", "top_secret_volume"))


def add_item(*, session: SignedIn, volume_id: int, draft: ItemDraft, clock: Clock) -> int:
    """Add an item (件) to a volume; the volume takes on its secrecy (R15). Returns its id."""
    errors: list[FieldError] = []
    today = clock.now().astimezone().date()
    clean = check_item_draft(draft, today=today, errors=errors)
    title, doc_number, author = clean.title, clean.doc_number, clean.author
    remarks, carrier, secrecy = clean.remarks, clean.carrier, clean.secrecy
    with session.uow(clock) as uow:
        uow.claim_writes()  # 序号 is read, then written
        reader = actor_from_row(authorize(uow, session.actor, "catalogue.write"))
        volume = fetch(uow, Volume, volume_id, "volume")
        if volume.state == VolumeState.DESTROYED.value:
            errors.append(FieldError("volume", "destroyed"))
        if not access.may_see(reader, volume.secrecy_level) or (
            secrecy.level is not None and not access.may_see(reader, secrecy.level.value)
        ):
            errors.append(FieldError("secrecy_level", "no_clearance"))
        _check_separation(uow, volume, secrecy.level, errors)
        if errors:
            raise ValidationFailed(errors)
        seq = (
            uow.session.scalar(
                select(func.max(ArchiveItem.seq)).where(ArchiveItem.volume_id == volume_id)
            )
            or 0
        ) + 1
        now = clock.now()
        item = ArchiveItem(
            volume_id=volume_id,
            seq=seq,
            doc_number=doc_number,
            author=author,
            title=title,
            doc_date=draft.doc_date,
            page_from=draft.page_from,
            page_to=draft.page_to,
            carrier=carrier.value,
            secrecy_level=secrecy.level.value if secrecy.level else None,
            secrecy_term_years=secrecy.term,
            secrecy_since=secrecy.since,
            remarks=remarks,
            index_remarks=marking_for_index(secrecy),
            created_at=now,
            updated_at=now,
            version=1,
        )
        uow.session.add(item)
        uow.session.flush()
        refresh_volume(uow, volume)
        reindex(uow, volumes=[volume], items=[item])
        uow.audit.record(
            "item.create",
            object_type="item",
            object_id=item.id,
            details={
                "reference_code": volume.reference_code,
                "seq": seq,
                "secrecy": secrecy.marking() or None,
            },
        )
        uow.commit()
        return item.id
