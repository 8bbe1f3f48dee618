"""Reading the catalogue within clearance (R17): volumes and items as the reader may see them.

Every read goes through :mod:`app.security.access`: rows above the reader's clearance come back
as "受限" with their 档号 only; views of 机密/绝密 content are recorded (R40).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import or_, select

from app.clock import Clock
from app.domain.catalogue import (
    CARRIER_LABELS,
    OPENNESS_LABELS,
    RETENTION_LABELS,
    Carrier,
    Retention,
    retention_expiry,
)
from app.domain.search_text import search_text
from app.security import access
from app.services.auth import SignedIn
from app.services.catalogue.upkeep import item_secrecy, volume_secrecy
from app.services.common import actor_from_row, authorize, fetch
from app.storage.models import (
    ArchiveBox,
    ArchiveItem,
    Volume,
    VolumePlace,
)
from app.storage.store import UnitOfWork


@dataclass(frozen=True)
class ItemRow:
    """An item as the actor may see it."""

    id: int
    seq: int
    doc_number: str
    author: str
    title: str
    doc_date: date | None
    pages: str
    carrier: str
    secrecy: str  # marking, or ""
    remarks: str
    restricted: bool


@dataclass(frozen=True)
class VolumeRow:
    """A volume as the actor may see it ("受限": 档号 only)."""

    id: int
    reference_code: str
    customer_id: int
    year: int
    title: str
    retention: str  # label
    expires: date | None
    secrecy: str  # marking (秘密, 机密★20年 …) or ""
    state: str
    item_count: int
    page_count: int
    remarks: str
    restricted: bool
    items: list[ItemRow] = field(default_factory=list)
    carriers: str = ""  # the carrier mix of the items, e.g. "纸质 2、光盘 1" (with items only)
    # it has a place on a shelf (directly, or in a box that stands in one): a volume that is
    # 在架 by state but has no place yet is listed 未上架, as its detail says (issue 21)
    placed: bool = False


def placed_volume_ids(uow: UnitOfWork, volume_ids: Iterable[int]) -> set[int]:
    """The volumes among ``volume_ids`` that have a place: directly, or in a placed box."""
    wanted = sorted(set(volume_ids))
    placed: set[int] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        placed.update(
            uow.session.scalars(
                select(VolumePlace.volume_id)
                .outerjoin(ArchiveBox, ArchiveBox.id == VolumePlace.box_id)
                .where(
                    VolumePlace.volume_id.in_(chunk),
                    or_(VolumePlace.location_id.is_not(None), ArchiveBox.location_id.is_not(None)),
                )
            )
        )
    return placed


def volume_rows(uow: UnitOfWork, actor: Any, volumes: Iterable[Volume]) -> list[VolumeRow]:
    """Rows of ``volumes`` as ``actor`` may see them, each knowing whether it has a place."""
    found = list(volumes)
    placed = placed_volume_ids(uow, (v.id for v in found))
    return [volume_row(actor, v, placed=v.id in placed) for v in found]


def volume_row(
    actor: Any, v: Volume, items: list[ArchiveItem] | None = None, *, placed: bool = False
) -> VolumeRow:
    """A volume as ``actor`` may see it, with ``items`` when given."""
    visible = access.may_see(actor, v.secrecy_level)
    retention = Retention(v.retention) if v.retention in Retention._value2member_map_ else None
    return VolumeRow(
        id=v.id,
        reference_code=v.reference_code,
        customer_id=(v.customer_id or 0) if visible else 0,  # 0: not linked yet (待关联)
        year=v.year,
        title=v.title if visible else access.RESTRICTED,
        retention=RETENTION_LABELS[retention] if retention else v.retention,
        expires=(
            date(v.retention_until, 12, 31)  # extended by an appraisal (issue 17)
            if v.retention_until is not None and retention != Retention.PERMANENT
            else retention_expiry(v.year, retention)
            if retention
            else None
        ),
        secrecy=(volume_secrecy(v).marking() or OPENNESS_LABELS.get(v.openness or "", ""))
        if visible
        else access.RESTRICTED,  # 公开/内部/非密: a ledger's openness marking
        state=v.state if visible else "",
        item_count=v.item_count if visible else 0,
        page_count=v.page_count if visible else 0,
        remarks=v.index_remarks if visible else "",
        restricted=not visible,
        items=[_item_row(actor, i) for i in items or []] if visible else [],
        carriers=_carrier_mix(items or []) if visible else "",
        placed=placed if visible else False,
    )


def _carrier_mix(items: list[ArchiveItem]) -> str:
    counts: dict[str, int] = {}
    for i in items:
        try:
            label = CARRIER_LABELS[Carrier(i.carrier)]
        except ValueError:
            label = i.carrier
        counts[label] = counts.get(label, 0) + 1
    return "、".join(f"{label} {n}" for label, n in counts.items())


def _item_row(actor: Any, i: ArchiveItem) -> ItemRow:
    visible = access.may_see(actor, i.secrecy_level)
    pages = ""
    if i.page_from is not None:
        pages = (
            str(i.page_from) if i.page_to in (None, i.page_from) else f"{i.page_from}-{i.page_to}"
        )
    return ItemRow(
        id=i.id,
        seq=i.seq,
        doc_number=i.doc_number if visible else "",
        author=i.author if visible else "",
        title=i.title if visible else access.RESTRICTED,
        doc_date=i.doc_date if visible else None,
        pages=pages if visible else "",
        carrier=CARRIER_LABELS.get(Carrier(i.carrier), i.carrier) if visible else "",
        secrecy=item_secrecy(i).marking() if visible else access.RESTRICTED,
        remarks=i.index_remarks if visible else "",
        restricted=not visible,
    )


def list_volumes(
    *, session: SignedIn, clock: Clock, customer_id: int | None = None, limit: int = 500
) -> list[VolumeRow]:
    """Volumes (of one customer, or all), newest year first; classified ones as clearance allows."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "catalogue.read"))
        stmt = select(Volume).order_by(Volume.year.desc(), Volume.id).limit(limit)
        if customer_id is not None:  # a customer's volumes: only those the reader may see
            stmt = stmt.where(
                Volume.customer_id == customer_id,
                access.secrecy_clause(reader, Volume.secrecy_level),
            )
        return volume_rows(uow, reader, uow.session.scalars(stmt))


CLASSIFIED_VIEW_LEVELS = frozenset({"confidential", "top_secret"})  # 机密, 绝密


def get_volume(*, session: SignedIn, volume_id: int, clock: Clock) -> VolumeRow:
    """One volume with its items (each as clearance allows)."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "catalogue.read"))
        volume = fetch(uow, Volume, volume_id, "volume")
        items = list(
            uow.session.scalars(
                select(ArchiveItem)
                .where(ArchiveItem.volume_id == volume_id)
                .order_by(ArchiveItem.seq)
            )
        )
        row = volume_row(reader, volume, items, placed=bool(placed_volume_ids(uow, [volume.id])))
        # every view of 机密/绝密 content is recorded, once per session (R40, issue 9)
        classified = [
            i.id
            for i in items
            if i.secrecy_level in CLASSIFIED_VIEW_LEVELS and access.may_see(reader, i.secrecy_level)
        ]
        shows = bool(classified) or (
            volume.secrecy_level in CLASSIFIED_VIEW_LEVELS
            and access.may_see(reader, volume.secrecy_level)
        )
        entry = (
            uow.audit.record_view(
                "catalogue.view_classified",
                object_type="volume",
                object_id=volume.id,
                details={"reference_code": volume.reference_code, "items": classified},
            )
            if shows
            else None
        )
        if entry is not None:
            uow.commit()
        return row


def find_by_reference(
    *, session: SignedIn, prefix: str, clock: Clock, limit: int = 50
) -> list[VolumeRow]:
    """Volumes whose 档号 starts with ``prefix`` (an index range read; scanners type full codes)."""
    text = "".join(search_text(prefix).split()).upper()
    if not text:
        return []
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "catalogue.read"))
        stmt = (
            select(Volume)
            .where(Volume.reference_code >= text, Volume.reference_code < text + "\U0010ffff")
            .order_by(Volume.reference_code)
            .limit(limit)
        )
        return volume_rows(uow, reader, uow.session.scalars(stmt))
