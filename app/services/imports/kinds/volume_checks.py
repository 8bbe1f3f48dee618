"""The checks across the rows of one volume: one 档号, 件号 once, 绝密 alone, its place.

A volume ledger has one row per item; rows sharing a 档号 (or, without one, customer, year,
title and retention) form one volume, and a volume is imported whole or not at all: when any
of its rows is refused, every other row of it is refused too (``volume_rejected``), so a
corrected ledger imports cleanly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from app.domain import locations as loc
from app.domain.catalogue import MARKED_LEVELS, SECRECY_LABELS, SecrecyLevel, rank
from app.errors import FieldError
from app.services.imports.kinds.base import KindContext, RowOutcome
from app.services.imports.kinds.bulk import chunks
from app.services.imports.kinds.positions import parse_position, position_code
from app.services.imports.kinds.volume_codes import settle_codes
from app.services.imports.kinds.volume_rows import VolumeRowClean
from app.services.locations import CABINET_PATTERN_SETTING, SHELF_PATTERN_SETTING
from app.storage.models import ArchiveBox, Customer, StorageLocation, Volume, VolumePlace
from app.storage.store import UnitOfWork


def by_volume(outcomes: Sequence[RowOutcome]) -> dict[tuple[Any, ...], list[RowOutcome]]:
    """The checked rows grouped by the volume they belong to (in sheet order)."""
    groups: dict[tuple[Any, ...], list[RowOutcome]] = {}
    for o in outcomes:
        groups.setdefault(o.clean.group, []).append(o)
    return groups


def reject_volume(members: Sequence[RowOutcome], row: int) -> None:
    """Refuse every still valid row of a volume because row ``row`` of it was refused."""
    for o in members:
        if not o.errors:
            o.errors.append(FieldError("volume", "volume_rejected", {"row": row}))


def check_groups(ctx: KindContext, outcomes: list[RowOutcome]) -> None:
    """档号 not taken and the same volume on every row of it; 件号 once; 绝密 not mixed."""
    taken = settle_codes(ctx, outcomes)  # a 档号 used twice: the operator's choice
    groups = by_volume(outcomes)
    for key, members in groups.items():
        head = members[0]
        if key[0] == "code" and key[1] in taken:
            head.errors.append(FieldError("reference_code", "code_taken"))
        h: VolumeRowClean = head.clean
        seqs: dict[int, int] = {}
        levels = [o.clean.item.secrecy.level for o in members if o.clean.item is not None]
        top = SecrecyLevel.TOP_SECRET
        mixed = top in levels and any(level != top for level in levels)
        for o in members:
            c: VolumeRowClean = o.clean
            if o is not head and (
                (c.customer_id, c.year, c.volume.retention)
                != (h.customer_id, h.year, h.volume.retention)
                or (c.volume.title and c.volume.title != h.volume.title)
            ):
                o.errors.append(FieldError("reference_code", "code_in_file", {"row": head.row}))
            if c.seq is not None:
                if c.seq in seqs:
                    o.errors.append(FieldError("seq", "seq_in_file", {"row": seqs[c.seq]}))
                else:
                    seqs[c.seq] = o.row
            if mixed and c.item is not None and c.item.secrecy.level != top:
                o.errors.append(FieldError("secrecy_level", "top_secret_volume"))
        bad = next((o.row for o in members if o.errors), None)
        if bad is not None:  # a volume is imported whole or not at all
            reject_volume(members, bad)


def check_places(ctx: KindContext, outcomes: list[RowOutcome]) -> None:
    """存放位置: an existing 层/位 with room; 机密/绝密 only in a secure place (R22).

    The same rule as placing by hand (``services.locations``): the volume goes straight
    into the place named, counted against its capacity together with the file's other rows.
    A position written as free text (``3号库6列B面8节3层``) is read into the tree's code; a
    place that does not exist (the wizard offers to create it first) or text that names no
    place leaves the volume unplaced, with a warning and the text kept in its 备注栏.
    """
    groups = by_volume(outcomes)
    resolve_codes(ctx, outcomes)
    codes = {o.clean.location_code for o in outcomes} - {""}
    places: dict[str, StorageLocation] = {}
    for chunk in chunks(sorted(codes)):
        for found in ctx.uow.session.scalars(
            select(StorageLocation).where(StorageLocation.code.in_(chunk))
        ):
            places[found.code] = found
    used = _places_used(ctx.uow, [p.id for p in places.values()])
    for members in groups.values():
        named = [o for o in members if o.clean.location_code or o.clean.location_text]
        if not named or any(o.errors for o in members):
            continue  # no place named, or the volume is refused already
        head = named[0]
        if not head.clean.location_code or head.clean.location_code not in places:
            _unplaced(head, members)
            continue
        _check_place(members, named, places, used)


def recheck_groups(ctx: KindContext, outcomes: list[RowOutcome]) -> None:
    """What may have changed since the preview's check, looked at again under the write lock.

    The rows' own checks and the duplicate decisions stand (the import reuses them); the
    database may have moved on: a 档号 kept from the ledger registered since (``code_taken``),
    a linked customer deleted since, a place deleted, filled or no longer secure. A refusal
    refuses the whole volume, as in the check; a place gone leaves the volume unplaced.
    """
    valid = [o for o in outcomes if o.ok and o.clean is not None]
    groups = by_volume(valid)
    session = ctx.uow.session
    taken: set[str] = set()
    for chunk in chunks(sorted(key[1] for key in groups if key[0] == "code")):
        taken.update(
            session.scalars(select(Volume.reference_code).where(Volume.reference_code.in_(chunk)))
        )
    linked = {o.clean.customer_id for o in valid} - {None}
    present: set[int] = set()
    for chunk in chunks(sorted(linked)):
        present.update(session.scalars(select(Customer.id).where(Customer.id.in_(chunk))))
    for key, members in groups.items():
        if key[0] == "code" and key[1] in taken:
            members[0].errors.append(FieldError("reference_code", "code_taken"))
        gone = next((o for o in members if _unlinked_since(o, present)), None)
        if gone is not None:
            gone.errors.append(FieldError("customer_number", "not_found"))
        bad = next((o.row for o in members if o.errors), None)
        if bad is not None:
            reject_volume(members, bad)
    placed = [
        members
        for members in groups.values()
        if not any(o.errors for o in members) and members[0].clean.location_id is not None
    ]
    codes = {o.clean.location_code for members in placed for o in members} - {""}
    places: dict[str, StorageLocation] = {}
    for chunk in chunks(sorted(codes)):
        for found in session.scalars(
            select(StorageLocation).where(StorageLocation.code.in_(chunk))
        ):
            places[found.code] = found
    used = _places_used(ctx.uow, [p.id for p in places.values()])
    for members in placed:
        named = [o for o in members if o.clean.location_code or o.clean.location_text]
        if named[0].clean.location_code not in places:  # deleted since: imported unplaced
            for o in members:
                o.clean.location_id = None
            _unplaced(named[0], members)
            continue
        _check_place(members, named, places, used)


def _unlinked_since(o: RowOutcome, present: set[int]) -> bool:
    """True when the row's customer was linked at the check and is gone now."""
    return o.clean.customer_id is not None and o.clean.customer_id not in present


def resolve_codes(ctx: KindContext, outcomes: list[RowOutcome]) -> None:
    """Every row's 存放位置 as a code of the tree (free text and loose codes read first)."""
    raw = ctx.uow.settings.raw()
    shelf = str(raw.get(SHELF_PATTERN_SETTING) or loc.DEFAULT_SHELF_PATTERN)
    cabinet = str(raw.get(CABINET_PATTERN_SETTING) or loc.DEFAULT_CABINET_PATTERN)
    texts = {o.clean.location_text for o in outcomes} - {""}
    written = {o.clean.location_code for o in outcomes} - {""}
    existing: set[str] = set()
    for chunk in chunks(sorted(written)):
        existing.update(
            ctx.uow.session.scalars(
                select(StorageLocation.code).where(StorageLocation.code.in_(chunk))
            )
        )
    parsed: dict[str, str] = {}
    for text in texts:
        found = parse_position(text)
        parsed[text] = position_code(found, shelf, cabinet) if found else ""
    for o in outcomes:
        c: VolumeRowClean = o.clean
        if c.location_text and c.location_code not in existing:
            c.location_code = parsed.get(c.location_text, "")


def _unplaced(head: RowOutcome, members: list[RowOutcome]) -> None:
    """The volume is imported unplaced; the 存放位置 text goes into its 备注栏."""
    c: VolumeRowClean = head.clean
    if c.location_code:
        head.warnings.append(FieldError("location", "place_missing", {"code": c.location_code}))
    else:
        head.warnings.append(FieldError("location", "place_unparsed"))
    members[0].clean.notes_extra.append(f"存放位置：{c.location_text}")


def _check_place(
    members: list[RowOutcome],
    named: list[RowOutcome],
    places: dict[str, StorageLocation],
    used: dict[int, int],
) -> None:
    """Check one volume's place; a refusal rejects all its rows (imported whole or not)."""
    error = _place_error(members, named, places, used)
    if error is not None:
        named[0].errors.append(error)
        reject_volume(members, named[0].row)


def _place_error(
    members: list[RowOutcome],
    named: list[RowOutcome],
    places: dict[str, StorageLocation],
    used: dict[int, int],
) -> FieldError | None:
    head = named[0]
    code = head.clean.location_code
    other = next((o for o in named[1:] if o.clean.location_code != code), None)
    if other is not None:
        return FieldError("location", "place_in_file", {"row": other.row})
    place = places[code]
    if place.capacity is None:
        return FieldError("location", "not_slot", {"code": code})
    levels = [o.clean.item.secrecy.level for o in members if o.clean.item is not None]
    levels += [o.clean.volume_secrecy.level for o in members]
    marked = [lv for lv in levels if lv in MARKED_LEVELS]
    if marked and not place.secure_effective:
        top = max(marked, key=rank)
        return FieldError("location", "secure_required", {"level": SECRECY_LABELS[top]})
    if used.get(place.id, 0) >= place.capacity:
        return FieldError("location", "full", {"code": code})
    used[place.id] = used.get(place.id, 0) + 1
    for o in members:
        o.clean.location_id = place.id
    return None


def _places_used(uow: UnitOfWork, ids: Sequence[int]) -> dict[int, int]:
    """Boxes and directly placed volumes per place (as ``services.locations`` counts them)."""
    out: dict[int, int] = {}
    for chunk in chunks(list(ids)):
        for model in (ArchiveBox, VolumePlace):
            for lid, n in uow.session.execute(
                select(model.location_id, func.count())
                .where(model.location_id.in_(chunk))
                .group_by(model.location_id)
            ):
                if lid is not None:
                    out[lid] = out.get(lid, 0) + n
    return out
