"""Keeping a volume in step with its items: counts, secrecy, the 备注栏 marking, the search index.

Shared by every write of the catalogue; each runs inside the caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from app.domain.catalogue import (
    MARKED_LEVELS,
    Secrecy,
    SecrecyLevel,
    rank,
    strongest,
    update_marking,
)
from app.storage import catalogue_index
from app.storage.models import (
    ArchiveItem,
    Volume,
)
from app.storage.store import UnitOfWork


def item_secrecy(item: ArchiveItem) -> Secrecy:
    """The item's classification as stored."""
    level = SecrecyLevel(item.secrecy_level) if item.secrecy_level else None
    return Secrecy(level, item.secrecy_term_years, item.secrecy_since)


def volume_secrecy(volume: Volume) -> Secrecy:
    """The volume's classification as stored."""
    level = SecrecyLevel(volume.secrecy_level) if volume.secrecy_level else None
    return Secrecy(level, volume.secrecy_term_years, volume.secrecy_since)


def marking_for_index(secrecy: Secrecy) -> str:
    """The marking that goes into the 备注栏: only 机密/绝密 (R15)."""
    return secrecy.marking() if secrecy.level in MARKED_LEVELS else ""


def refresh_volume(uow: UnitOfWork, volume: Volume, *, declassified_on: date | None = None) -> None:
    """Counts, pages, the volume's secrecy (highest level, longest term) and its marking.

    The level only goes down through declassification (``declassified_on``): a volume
    classified before it had items (an older ledger) keeps its level when items are added.
    """
    items = list(uow.session.scalars(select(ArchiveItem).where(ArchiveItem.volume_id == volume.id)))
    before = volume_secrecy(volume)
    after = strongest([item_secrecy(i) for i in items])
    if declassified_on is None and (
        rank(after.level) < rank(before.level)
        or (after.level == before.level and (after.term or 0) < (before.term or 0))
    ):
        after = before
    volume.item_count = len(items)
    volume.page_count = max((i.page_to or i.page_from or 0 for i in items), default=0)
    volume.secrecy_level = after.level.value if after.level else None
    volume.secrecy_term_years = after.term if after.level else None
    volume.secrecy_since = after.since
    if declassified_on is not None and after.level is None and before.level is not None:
        volume.index_remarks = update_marking(
            volume.index_remarks,
            marking_for_index(before),
            "",
            declassified_on=declassified_on,
            was=before.marking(),
        )
    else:
        volume.index_remarks = update_marking(
            volume.index_remarks, marking_for_index(before), marking_for_index(after)
        )
    volume.updated_at = uow.clock.now()
    volume.version += 1


def reindex(
    uow: UnitOfWork,
    *,
    volumes: Sequence[Volume] = (),
    items: Sequence[ArchiveItem] = (),
) -> None:
    """Keep the catalogue search index in step, in the same transaction (either engine)."""
    conn = uow.session.connection()
    catalogue_index.index_volumes(
        conn, [(v.id, v.reference_code, v.title, v.index_remarks) for v in volumes]
    )
    catalogue_index.index_items(
        conn, [(i.id, i.title, i.doc_number, i.author, i.index_remarks) for i in items]
    )
