"""Volumes (案卷) and their items (件) as an import kind: one ledger row per item.

The rows are checked one by one (``volume_rows``, ``items``) and then per volume
(``volume_checks``). Writing keeps a given 档号 and issues missing ones from the pattern, puts a
volume straight into the place its 存放位置 names (a move recorded as 上架) and indexes both
tables for search; undo removes the lot while nothing of it changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from app.domain.accounts import Actor
from app.domain.catalogue import VolumeState, strongest
from app.errors import FieldError
from app.services import catalogue
from app.services.imports.kinds.base import (
    CHUNK,
    KindContext,
    ParsedRow,
    Progress,
    RowOutcome,
    Written,
    check_cancel,
    settle,
)
from app.services.imports.kinds.bulk import (
    advance_sequence,
    insert_rows,
    next_id,
    quick_delete,
    span,
)
from app.services.imports.kinds.items import (
    delete_items,
    insert_items,
    item_rows,
    items_unchanged,
)
from app.services.imports.kinds.volume_checks import (
    check_groups,
    check_places,
    recheck_groups,
)
from app.services.imports.kinds.volume_rows import (
    VOLUME_FIELDS,
    CustomerLookup,
    VolumeRowClean,
    check_volume_row,
)
from app.storage import catalogue_index, catalogue_search
from app.storage.models import ArchiveItem, LocationMove, Volume, VolumePlace
from app.storage.store import UnitOfWork

IMPORT_MOVE_NOTE = "导入台账"  # the note of the 上架 moves an import records (undo knows them)


class VolumeImport:
    """Volumes (案卷) and their items (件): one row per item, its volume's columns repeated.

    Rows sharing a 档号 (or, without one, customer, year, title and retention) form one
    volume; a volume is imported whole or not at all, so a corrected ledger imports cleanly.
    """

    key = "volumes"
    label = "案卷和卷内文件"
    permission = "catalogue.write"
    fields = VOLUME_FIELDS
    masked_fields = frozenset({"customer_id_number", "customer_name"})

    def mapping_errors(self, keys: set[str]) -> list[FieldError]:
        """Nothing beyond the required columns (no customer column: volumes come unlinked)."""
        return []

    def check(self, ctx: KindContext, rows: Sequence[ParsedRow]) -> list[RowOutcome]:
        """Form rules per row and per volume; 档号 unique; 绝密 alone; within clearance."""
        customers = CustomerLookup(ctx, rows)
        outcomes: list[RowOutcome] = []
        for n, row in enumerate(rows):
            ctx.tick(n, len(rows))
            outcomes.append(check_volume_row(ctx, row, customers))
        check_groups(ctx, outcomes)
        check_places(ctx, outcomes)
        return settle(outcomes)

    def recheck(self, ctx: KindContext, outcomes: list[RowOutcome]) -> list[RowOutcome]:
        """The preview's verdicts, what the database may have changed since looked at again.

        档号 registered since, linked customers deleted since, places gone, full or no longer
        secure (``volume_checks.recheck_groups``); every row's own checks are not repeated.
        """
        recheck_groups(ctx, outcomes)
        return settle(outcomes)

    def write(
        self, ctx: KindContext, outcomes: Sequence[RowOutcome], progress: Progress | None
    ) -> Written:
        """Volumes (given 档号 kept, missing ones issued from the pattern) and their items."""
        uow = ctx.uow
        groups: dict[tuple[Any, ...], list[VolumeRowClean]] = {}
        for o in outcomes:
            if o.ok and o.clean is not None:
                groups.setdefault(o.clean.group, []).append(o.clean)
        first_volume, first_item = next_id(uow, Volume), next_id(uow, ArchiveItem)
        pattern = catalogue.reference_pattern(uow)
        scopes: dict[tuple[int, str, str], Any] = {}
        volumes: list[dict[str, Any]] = []
        items: list[dict[str, Any]] = []
        for n, members in enumerate(groups.values()):
            if n % 500 == 0:
                check_cancel(progress)
                if progress is not None:
                    progress.report(n, len(groups))
            head = members[0]
            retention = head.volume.retention.value if head.volume.retention else ""
            scope = (head.year, retention, head.volume.org)
            values = scopes.get(scope)
            if values is None:  # the settings are read once per 档号 scope, not per volume
                values = scopes[scope] = catalogue.reference_values(uow, *scope)
            number: int | None = None
            if head.reference_code:
                code = head.reference_code
            else:
                code, number = catalogue.allocate_reference(uow, pattern, values)
                uow.session.flush()  # the counter, before the next volume reads it
            vid = first_volume + n
            contents = item_rows(members, vid, first_item + len(items), ctx.now)
            items += contents.rows
            secrecy = strongest([*contents.secrecies, *(m.volume_secrecy for m in members)])
            openness = next((m.openness for m in members if m.openness), None)
            remarks = volume_remarks(members, catalogue.marking_for_index(secrecy))
            volumes.append(
                {
                    "id": vid,
                    "reference_code": code,
                    "customer_id": head.customer_id,
                    "year": head.year,
                    "title": head.volume.title,
                    "retention": retention,
                    "secrecy_level": secrecy.level.value if secrecy.level else None,
                    "secrecy_term_years": secrecy.term if secrecy.level else None,
                    "secrecy_since": secrecy.since,
                    "declassified_on": None,
                    "created_at": ctx.now,
                    "fonds_code": values.fonds,
                    "category_code": values.category,
                    "org_code": head.volume.org,
                    "number": number,
                    "item_count": len(contents.rows) or _first(members, "item_total"),
                    "page_count": max(contents.pages, _first(members, "page_total")),
                    "compiled_by": head.volume.compiled_by,
                    "checked_by": head.volume.checked_by,
                    "compiled_on": head.compiled_on,
                    "notes": head.volume.notes,
                    "state": VolumeState.ON_SHELF.value,
                    "index_remarks": remarks,
                    "updated_at": ctx.now,
                    "version": 1,
                    "openness": None if secrecy.level else openness,
                    "date_from": min((m.date_from for m in members if m.date_from), default=None),
                    "date_to": max((m.date_to for m in members if m.date_to), default=None),
                    "link_hint": head.link_hint if head.customer_id is None else "",
                }
            )
        _insert_volumes(uow, volumes)
        insert_items(uow, items, progress)
        placed = [
            (first_volume + n, members[0].location_id)
            for n, members in enumerate(groups.values())
            if members[0].location_id is not None
        ]
        _place_volumes(uow, placed, ctx.now, uow.actor)
        advance_sequence(uow, "volume")
        advance_sequence(uow, "archive_item")
        spans: dict[str, list[int]] = {}
        if volumes:
            spans["volume"] = span(first_volume, len(volumes))
        if items:
            spans["archive_item"] = span(first_item, len(items))
        unlinked = sum(1 for v in volumes if v["customer_id"] is None)
        details = {"volumes": len(volumes), "items": len(items)}
        if unlinked:
            details["unlinked"] = unlinked
        return Written(spans, 0, details)

    def undo(self, uow: UnitOfWork, spans: dict[str, list[int]]) -> bool:
        """Delete the imported volumes and items unless anything changed or was added since."""
        vspan, ispan = spans.get("volume"), spans.get("archive_item")
        if vspan and not _volumes_unchanged(uow, vspan, ispan):
            return False
        if ispan and not items_unchanged(uow, ispan):
            return False
        if ispan:
            delete_items(uow, ispan)
        if vspan:
            _delete_volumes(uow, vspan)
        return True


def _first(members: Sequence[VolumeRowClean], name: str) -> int:
    """The first value of a 案卷目录 count (页数, 件数) among a volume's rows (0: none)."""
    return next((int(getattr(m, name)) for m in members if getattr(m, name)), 0)


def volume_remarks(members: Sequence[VolumeRowClean], marking: str) -> str:
    """The volume's 备注栏: the marking first, then the ledger's 备注 and the import's notes."""
    lines = [marking] if marking else []
    for m in members:
        for line in (m.volume_remarks, *m.notes_extra):
            if line and line not in lines:
                lines.append(line)
    return "\n".join(lines)[:4000]


def _insert_volumes(uow: UnitOfWork, volumes: list[dict[str, Any]]) -> None:
    conn = uow.session.connection()
    for start in range(0, len(volumes), CHUNK):
        insert_rows(conn, Volume.__table__, volumes[start : start + CHUNK])
    if volumes:
        catalogue_index.insert_volume_entries(
            conn,
            [
                catalogue_search.volume_entry(
                    v["id"], v["reference_code"], v["title"], v["index_remarks"]
                )
                for v in volumes
            ],
        )


def _place_volumes(
    uow: UnitOfWork, placed: list[tuple[int, int]], now: datetime, actor: Actor | None
) -> None:
    """Put each volume into its place (volume id, place id), recorded as 上架 by the import."""
    if not placed:
        return
    conn = uow.session.connection()
    insert_rows(
        conn,
        VolumePlace.__table__,
        [
            {"volume_id": vid, "box_id": None, "location_id": lid, "placed_at": now}
            for vid, lid in placed
        ],
    )
    insert_rows(
        conn,
        LocationMove.__table__,
        [
            {
                "occurred_at": now,
                "actor_id": actor.user_id if actor else None,
                "actor_name": actor.username if actor else "system",
                "object_type": "volume",
                "object_id": vid,
                "from_location_id": None,
                "to_location_id": lid,
                "from_box_id": None,
                "to_box_id": None,
                "reason": "上架",
                "batch_id": None,
                "note": IMPORT_MOVE_NOTE,
            }
            for vid, lid in placed
        ],
    )


def _volumes_unchanged(uow: UnitOfWork, vspan: list[int], ispan: list[int] | None) -> bool:
    """Every imported volume there, unedited, on its shelf, not moved, with no item added."""
    session = uow.session
    v_in = Volume.id.between(vspan[0], vspan[1])
    if session.scalar(select(func.count()).where(v_in)) != vspan[2]:
        return False
    if session.scalar(
        select(func.count()).where(
            v_in, (Volume.version != 1) | (Volume.state != VolumeState.ON_SHELF.value)
        )
    ):
        return False
    moved: Any = (
        (LocationMove.object_type == "volume")
        & LocationMove.object_id.between(vspan[0], vspan[1])
        & (LocationMove.note != IMPORT_MOVE_NOTE)
    )
    if session.scalar(select(func.count()).select_from(LocationMove).where(moved)):
        return False  # a volume was moved, lent or boxed since: undo would lose that
    outside: Any = ArchiveItem.volume_id.between(vspan[0], vspan[1])
    if ispan:
        outside = outside & ~ArchiveItem.id.between(ispan[0], ispan[1])
    return not session.scalar(select(func.count()).select_from(ArchiveItem).where(outside))


def _delete_volumes(uow: UnitOfWork, vspan: list[int]) -> None:
    session = uow.session
    catalogue_index.remove_span(session.connection(), "volume", vspan[0], vspan[1])
    session.execute(
        quick_delete(LocationMove).where(
            LocationMove.object_type == "volume",
            LocationMove.object_id.between(vspan[0], vspan[1]),
        )
    )
    session.execute(
        quick_delete(VolumePlace).where(VolumePlace.volume_id.between(vspan[0], vspan[1]))
    )
    session.execute(quick_delete(Volume).where(Volume.id.between(vspan[0], vspan[1])))
