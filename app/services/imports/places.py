"""The places a volume ledger names that the location tree lacks: previewed, created in one batch.

A 案卷目录's 存放位置 (``3号库6列B面8节3层``) is read into a code of the tree
(``kinds.positions``). Before importing, the wizard shows which of those places do not exist
yet and offers to create them all at once (:func:`plan_missing_places`, then
:func:`create_missing_places`: one transaction, one audit entry, as the batch creation of
``services.locations`` does); otherwise those volumes are imported unplaced with the text kept
in their 备注栏.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.clock import Clock
from app.domain import locations as loc
from app.domain.locations import LocationKind
from app.errors import FieldError, ValidationFailed
from app.imports import cells
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.imports.kinds.positions import ParsedPosition, parse_position, position_code
from app.services.imports.ledger import Ledger, parsed_rows
from app.services.locations import (
    CABINET_PATTERN_SETTING,
    SHELF_PATTERN_SETTING,
    BatchSpec,
    add_planned_batch,
)
from app.storage.models import StorageLocation
from app.storage.store import UnitOfWork

SLOT_CAPACITY = 6  # boxes per new 层 (or 位), as the batch form proposes
MAX_NEW_PLACES = 5_000


@dataclass
class PlacesPlan:
    """What creating the ledger's missing places would add (nothing is written)."""

    new: list[loc.PlannedNode] = field(default_factory=list)
    missing: dict[str, list[str]] = field(default_factory=dict)  # slot code → texts naming it
    unreadable: list[str] = field(default_factory=list)  # texts naming no place
    volumes: int = 0  # ledger rows waiting for those places

    @property
    def counts(self) -> dict[str, int]:
        """New places per kind label (库房 1, 列 2, …)."""
        out: dict[str, int] = {}
        for node in self.new:
            label = loc.KIND_LABELS[node.kind]
            out[label] = out.get(label, 0) + 1
        return out


def _patterns(uow: UnitOfWork) -> tuple[str, str]:
    raw = uow.settings.raw()
    return (
        str(raw.get(SHELF_PATTERN_SETTING) or loc.DEFAULT_SHELF_PATTERN),
        str(raw.get(CABINET_PATTERN_SETTING) or loc.DEFAULT_CABINET_PATTERN),
    )


def _shelf_of(uow: UnitOfWork, room: str) -> str:
    """The 密集架 segment new columns of ``room`` go under: its only one, else ``M1``."""
    shelves = list(
        uow.session.scalars(
            select(StorageLocation.code).where(
                StorageLocation.kind == LocationKind.SHELF.value,
                StorageLocation.code.like(f"{room}-%"),
            )
        )
    )
    return shelves[0].rsplit("-", 1)[-1] if len(shelves) == 1 else "M1"


def _chain(
    uow: UnitOfWork, parsed: ParsedPosition, patterns: tuple[str, str]
) -> list[loc.PlannedNode]:
    """The nodes from the room down to the slot a position names (parents first)."""
    segs = parsed.segments
    pattern = patterns[1] if parsed.cabinet else patterns[0]
    room = segs["room"]
    nodes = [loc.PlannedNode(LocationKind.STOREROOM, room, f"库房{room}", None, 0, None)]
    parent = room
    if parsed.cabinet:
        code = loc.code_for(pattern, segs, "cabinet")
        name = f"档案柜{segs['cabinet']}"
        nodes.append(loc.PlannedNode(LocationKind.CABINET, code, name, room, 0, None))
        parent = code
    else:
        shelf = _shelf_of(uow, room)
        shelf_code = loc.code_for(pattern, {**segs, "shelf": shelf}, "shelf")
        if "{shelf" not in pattern:
            shelf_code = f"{room}-{shelf}"
        name = f"密集架{shelf}"
        nodes.append(loc.PlannedNode(LocationKind.SHELF, shelf_code, name, room, 0, None))
        column = int(segs["column"])
        col_code = loc.code_for(pattern, segs, "column")
        name = f"第{column:02d}列"
        nodes.append(loc.PlannedNode(LocationKind.COLUMN, col_code, name, shelf_code, column, None))
        face = segs["face"]
        face_code = loc.code_for(pattern, segs, "face")
        nodes.append(
            loc.PlannedNode(
                LocationKind.FACE, face_code, f"{face}面", col_code, ord(face) - 64, None
            )
        )
        parent = face_code
    section = int(segs["section"])
    sec_code = loc.code_for(pattern, segs, "section")
    name = f"第{section}节"
    nodes.append(loc.PlannedNode(LocationKind.SECTION, sec_code, name, parent, section, None))
    layer = int(segs["layer"])
    lay_code = loc.code_for(pattern, segs, "layer")
    divided = "position" in segs
    nodes.append(
        loc.PlannedNode(
            LocationKind.LAYER,
            lay_code,
            f"第{layer}层",
            sec_code,
            layer,
            None if divided else SLOT_CAPACITY,
        )
    )
    if divided:
        pos = int(segs["position"])
        nodes.append(
            loc.PlannedNode(
                LocationKind.POSITION,
                loc.code_for(pattern, segs, "position"),
                f"第{pos}位",
                lay_code,
                pos,
                SLOT_CAPACITY,
            )
        )
    return nodes


def _plan(uow: UnitOfWork, ledger: Ledger, mapping: dict[int, str]) -> PlacesPlan:
    column = next((c for c, k in mapping.items() if k == "location"), None)
    plan = PlacesPlan()
    if column is None:
        return plan
    texts: dict[str, int] = {}
    for row in parsed_rows(ledger, {column: "location"}):
        text = cells.text(row.values.get("location"))
        if text:
            texts[text] = texts.get(text, 0) + 1
    patterns = _patterns(uow)
    chains: dict[str, list[loc.PlannedNode]] = {}
    for text, rows in texts.items():
        parsed = parse_position(text)
        if parsed is None:
            plan.unreadable.append(text)
            continue
        code = position_code(parsed, *patterns)
        if code not in chains:
            chains[code] = _chain(uow, parsed, patterns)
        plan.missing.setdefault(code, []).append(text)
        plan.volumes += rows
    wanted = {n.code for chain in chains.values() for n in chain}
    existing: set[str] = set()
    ordered = sorted(wanted)
    for start in range(0, len(ordered), 500):
        existing.update(
            uow.session.scalars(
                select(StorageLocation.code).where(
                    StorageLocation.code.in_(ordered[start : start + 500])
                )
            )
        )
    seen: set[str] = set()
    for code in list(plan.missing):
        if code in existing:
            plan.volumes -= sum(texts[t] for t in plan.missing.pop(code))
            continue
        for node in chains[code]:
            if node.code not in existing and node.code not in seen:
                seen.add(node.code)
                plan.new.append(node)
    return plan


def plan_missing_places(
    *, session: SignedIn, ledger: Ledger, mapping: dict[int, str], clock: Clock
) -> PlacesPlan:
    """The places the ledger's 存放位置 name that do not exist yet (nothing is written)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.write")
        return _plan(uow, ledger, mapping)


def create_missing_places(
    *, session: SignedIn, ledger: Ledger, mapping: dict[int, str], clock: Clock
) -> int:
    """Create every missing place the ledger names, all or nothing; return how many."""
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "location.write")
        plan = _plan(uow, ledger, mapping)
        if not plan.new:
            raise ValidationFailed([FieldError("location", "nothing_new")])
        if len(plan.new) > MAX_NEW_PLACES:
            raise ValidationFailed(
                [FieldError("location", "too_many_items", {"max": MAX_NEW_PLACES})]
            )
        now = clock.now()
        by_code: dict[str, StorageLocation] = {}
        parents = {n.parent_code for n in plan.new if n.parent_code} - {n.code for n in plan.new}
        if parents:
            by_code.update(
                (row.code, row)
                for row in uow.session.scalars(
                    select(StorageLocation).where(StorageLocation.code.in_(parents))
                )
            )
        count = add_planned_batch(
            uow,
            plan.new,
            by_code,
            lambda node: BatchSpec(room=node.code.split("-", 1)[0]),
            now,
            secure=False,
            source="import",
        )
        uow.commit()
        return count
