"""The catalogue index (R14): 档号 prefixes, titles, pinyin and 备注栏 words."""

from __future__ import annotations

from sqlalchemy import select

from app.clock import Clock
from app.domain.search_text import search_text
from app.security import access
from app.services.auth import SignedIn
from app.services.catalogue.reading import VolumeRow, find_by_reference, list_volumes, volume_rows
from app.services.common import actor_from_row, authorize
from app.storage import catalogue_index
from app.storage.models import (
    ArchiveItem,
    Volume,
)

SEARCH_LIMIT = 200


def search_catalogue(
    *, session: SignedIn, query: str, clock: Clock, limit: int = SEARCH_LIMIT
) -> list[VolumeRow]:
    """The catalogue index (R14): 档号 prefix first, then title, pinyin or 备注栏 matches.

    Volumes that hold a matching item count as matches too; newest filed first.

    A 档号 prefix may list volumes above the reader's clearance as "受限" rows (the code is
    what they hold in hand); a title or item match never does.
    """
    text = search_text(query)
    if not text:
        return list_volumes(session=session, clock=clock, limit=limit)
    by_code = find_by_reference(session=session, prefix=text, clock=clock, limit=limit)
    found = {v.id for v in by_code}
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "catalogue.read"))
        conn = uow.session.connection()
        volume_ids = catalogue_index.match_volumes(conn, text, 2_000)
        item_ids = catalogue_index.match_items(conn, text, 2_000)
        if item_ids:
            volume_ids += list(
                uow.session.scalars(
                    select(ArchiveItem.volume_id).where(
                        ArchiveItem.id.in_(item_ids),
                        access.secrecy_clause(reader, ArchiveItem.secrecy_level),
                    )
                )
            )
        # newest filed first (ids descend); read candidates a slice at a time and stop once
        # the page is full, so a common word does not load two thousand volumes
        wanted = sorted({i for i in volume_ids if i not in found}, reverse=True)
        room = max(0, limit - len(by_code))
        more: list[VolumeRow] = []
        for start in range(0, len(wanted), 250):
            if len(more) >= room:
                break
            chunk = wanted[start : start + 250]
            visible = uow.session.scalars(
                select(Volume)
                .where(
                    Volume.id.in_(chunk),
                    access.secrecy_clause(reader, Volume.secrecy_level),
                )
                .order_by(Volume.id.desc())
            )
            more += volume_rows(uow, reader, visible)
        more = more[:room]
    return by_code + more
