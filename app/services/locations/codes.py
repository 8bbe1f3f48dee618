"""Code patterns and shelving order (settings), and creating places in batches from them (R20)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from app.clock import Clock
from app.domain import locations as loc
from app.domain.locations import LocationKind, ShelvingOrder
from app.errors import FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.locations._common import (
    CABINET_PATTERN_SETTING,
    ORDER_SETTING,
    SHELF_PATTERN_SETTING,
    LocationSettings,
    _check_custodian,
    _settings,
)
from app.storage.models import (
    StorageLocation,
)
from app.storage.store import UnitOfWork

MAX_BATCH_NODES = 20_000


def get_location_settings(*, session: SignedIn, clock: Clock) -> LocationSettings:
    """The configured code patterns and shelving order."""
    with session.uow(clock) as uow:
        return _settings(uow)


def set_location_settings(
    *, session: SignedIn, shelf_pattern: str, cabinet_pattern: str, order: str, clock: Clock
) -> None:
    """Change code patterns (for places created from now on) and the shelving order."""
    errors = loc.check_code_pattern(shelf_pattern.strip(), cabinet=False, field="shelf_pattern")
    errors += loc.check_code_pattern(cabinet_pattern.strip(), cabinet=True, field="cabinet_pattern")
    try:
        chosen = ShelvingOrder(order)
    except ValueError:
        errors.append(FieldError("order", "format", {"expected": "按节或按层"}))
        chosen = ShelvingOrder.SECTION_FIRST
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.write")
        before = _settings(uow)
        uow.settings.put(SHELF_PATTERN_SETTING, shelf_pattern.strip())
        uow.settings.put(CABINET_PATTERN_SETTING, cabinet_pattern.strip())
        uow.settings.put(ORDER_SETTING, chosen.value)
        uow.audit.record(
            "location.settings",
            object_type="setting",
            object_id="locations",
            details={
                "before": [before.shelf_pattern, before.cabinet_pattern, before.order.value],
                "after": [shelf_pattern.strip(), cabinet_pattern.strip(), chosen.value],
            },
        )
        uow.commit()


@dataclass(frozen=True)
class BatchSpec:
    """What to create, as typed: "库房1, 密集架 1–12 列, A/B 面, 5 节, 6 层"."""

    room: str  # segment, e.g. K1
    room_name: str = ""
    unit: str = "shelf"  # shelf | cabinet
    shelf: str = "M1"  # the 密集架's segment (shelf units)
    cabinets: str = "1"  # cabinet numbers (cabinet units), e.g. 1-3
    cabinet_prefix: str = "G"
    columns: str = "1"
    faces: str = "A/B"
    sections: str = "1"
    layers: str = "1"
    positions: int = 0  # 位 per 层; 0: boxes stand in the 层
    capacity: int = 6  # boxes per 层 (or per 位 when divided)
    secure: bool = False
    custodian_id: int | None = None
    category_code: str = ""


@dataclass(frozen=True)
class BatchPlan:
    """The preview of a batch: what would be created and what is in the way."""

    new: list[loc.PlannedNode]
    reused: list[str]
    conflicts: list[str]
    counts: dict[str, int]
    slots: int
    total_capacity: int

    @property
    def ok(self) -> bool:
        """True when nothing is in the way."""
        return not self.conflicts and bool(self.new)


def _spec_errors(spec: BatchSpec) -> tuple[dict[str, list[Any]], list[FieldError]]:
    errors: list[FieldError] = []
    parts: dict[str, list[Any]] = {}
    errors += loc.check_segment(spec.room, "room")
    if spec.unit not in ("shelf", "cabinet"):
        errors.append(FieldError("unit_kind", "format", {"expected": "密集架或柜"}))
    if spec.unit == "shelf":
        errors += loc.check_segment(spec.shelf, "shelf")
        parts["columns"], e = loc.parse_range(spec.columns, "columns")
        errors += e
        parts["faces"], e = loc.parse_faces(spec.faces)
        errors += e
    else:
        errors += loc.check_segment(spec.cabinet_prefix + "1", "cabinet_prefix")
        parts["cabinets"], e = loc.parse_range(spec.cabinets, "cabinets")
        errors += e
    parts["sections"], e = loc.parse_range(spec.sections, "sections", limit=30)
    errors += e
    parts["layers"], e = loc.parse_range(spec.layers, "layers", limit=20)
    errors += e
    if not 0 <= spec.positions <= 50:
        errors.append(FieldError("positions", "range", {"min": 0, "max": 50}))
    if not 1 <= spec.capacity <= 200:
        errors.append(FieldError("capacity", "range", {"min": 1, "max": 200}))
    if spec.secure and spec.custodian_id is None:
        errors.append(FieldError("custodian", "required"))
    if spec.category_code and loc.check_segment(spec.category_code, "category_code") != []:
        errors.append(FieldError("category_code", "format", {"expected": "门类代码，如 KH"}))
    return parts, errors


def _expand(
    spec: BatchSpec, parts: dict[str, list[Any]], settings: LocationSettings
) -> list[loc.PlannedNode]:
    """Every node of the batch, parents before children."""
    room = spec.room.strip().upper()
    nodes: list[loc.PlannedNode] = []
    cap_layer = None if spec.positions else spec.capacity
    cap_position = spec.capacity if spec.positions else None

    def add(
        kind: LocationKind,
        code: str,
        name: str,
        parent: str | None,
        ordinal: int,
        capacity: int | None = None,
    ) -> None:
        nodes.append(loc.PlannedNode(kind, code, name, parent, ordinal, capacity))

    room_name = spec.room_name.strip() or f"库房{room}"
    add(LocationKind.STOREROOM, room, room_name, None, 0)

    def below_grid(pattern: str, segs: dict[str, str], grid_code: str) -> None:
        for s in parts["sections"]:
            sec = {**segs, "section": str(s)}
            sec_code = loc.code_for(pattern, sec, "section")
            add(LocationKind.SECTION, sec_code, f"第{s}节", grid_code, s)
            for layer in parts["layers"]:
                lay = {**sec, "layer": str(layer)}
                lay_code = loc.code_for(pattern, lay, "layer")
                add(LocationKind.LAYER, lay_code, f"第{layer}层", sec_code, layer, cap_layer)
                for p in range(1, spec.positions + 1):
                    pos = {**lay, "position": str(p)}
                    add(
                        LocationKind.POSITION,
                        loc.code_for(pattern, pos, "position"),
                        f"第{p}位",
                        lay_code,
                        p,
                        cap_position,
                    )

    if spec.unit == "shelf":
        pattern = settings.shelf_pattern
        shelf = spec.shelf.strip().upper()
        segs = {"room": room, "shelf": shelf}
        shelf_code = (
            loc.code_for(pattern, segs, "shelf") if "{shelf" in pattern else f"{room}-{shelf}"
        )
        add(LocationKind.SHELF, shelf_code, f"密集架{shelf}", room, 0)
        for c in parts["columns"]:
            col = {**segs, "column": str(c)}
            col_code = loc.code_for(pattern, col, "column")
            add(LocationKind.COLUMN, col_code, f"第{c:02d}列", shelf_code, c)
            for f in parts["faces"]:
                face = {**col, "face": f}
                face_code = loc.code_for(pattern, face, "face")
                add(LocationKind.FACE, face_code, f"{f}面", col_code, ord(f) - ord("A") + 1)
                below_grid(pattern, face, face_code)
    else:
        pattern = settings.cabinet_pattern
        prefix = spec.cabinet_prefix.strip().upper()
        kind_name = "保险柜" if spec.secure else "档案柜"
        for n in parts["cabinets"]:
            segs = {"room": room, "cabinet": f"{prefix}{n}"}
            cab_code = loc.code_for(pattern, segs, "cabinet")
            add(LocationKind.CABINET, cab_code, f"{kind_name}{prefix}{n}", room, n)
            below_grid(pattern, segs, cab_code)
    return nodes


_REUSABLE = {LocationKind.STOREROOM, LocationKind.SHELF, LocationKind.COLUMN}


def _plan(uow: UnitOfWork, spec: BatchSpec) -> tuple[BatchPlan, list[loc.PlannedNode]]:
    parts, errors = _spec_errors(spec)
    if errors:
        raise ValidationFailed(errors)
    nodes = _expand(spec, parts, _settings(uow))
    if len(nodes) > MAX_BATCH_NODES:
        raise ValidationFailed([FieldError("layers", "too_many_items", {"max": MAX_BATCH_NODES})])
    existing = {
        code: kind
        for code, kind in uow.session.execute(
            select(StorageLocation.code, StorageLocation.kind).where(
                StorageLocation.code.in_([n.code for n in nodes])
            )
        )
    }
    new: list[loc.PlannedNode] = []
    reused: list[str] = []
    conflicts = loc.duplicates(n.code for n in nodes)
    for node in nodes:
        kind = existing.get(node.code)
        if kind is None:
            new.append(node)
        elif kind == node.kind.value and node.kind in _REUSABLE:
            reused.append(node.code)
        else:
            conflicts.append(node.code)
    counts: dict[str, int] = defaultdict(int)
    for node in new:
        counts[loc.KIND_LABELS[node.kind]] += 1
    slots = [n for n in new if n.capacity is not None]
    plan = BatchPlan(
        new=new,
        reused=reused,
        conflicts=conflicts,
        counts=dict(counts),
        slots=len(slots),
        total_capacity=sum(n.capacity or 0 for n in slots),
    )
    return plan, nodes


def plan_location_batch(*, session: SignedIn, spec: BatchSpec, clock: Clock) -> BatchPlan:
    """Preview a batch (nothing is written)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.write")
        return _plan(uow, spec)[0]


def create_location_batch(*, session: SignedIn, spec: BatchSpec, clock: Clock) -> int:
    """Create the places of ``spec`` (all or nothing); return how many were created."""
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "location.write")
        plan, _nodes = _plan(uow, spec)
        if plan.conflicts:
            raise ValidationFailed(
                [FieldError("room", "codes_taken", {"codes": "、".join(plan.conflicts[:5])})]
            )
        if not plan.new:
            raise ValidationFailed([FieldError("room", "nothing_new")])
        if spec.secure:
            _check_custodian(uow, spec.custodian_id)
        now = clock.now()
        by_code: dict[str, StorageLocation] = {
            row.code: row
            for row in uow.session.scalars(
                select(StorageLocation).where(
                    StorageLocation.code.in_([*plan.reused, spec.room.strip().upper()])
                )
            )
        }
        count = add_planned_batch(
            uow, plan.new, by_code, lambda _node: spec, now, secure=spec.secure
        )
        uow.commit()
        return count


def add_planned_batch(
    uow: UnitOfWork,
    new: list[loc.PlannedNode],
    by_code: dict[str, StorageLocation],
    spec_of: Callable[[loc.PlannedNode], BatchSpec],
    now: datetime,
    **details: object,
) -> int:
    """Create the planned places in order, each under its parent, as one audited batch.

    ``by_code`` holds the existing parents and gains each new place; ``details`` go into the
    ``location.batch_create`` entry beside the first and last code and the count.
    """
    for node in new:
        parent = by_code.get(node.parent_code) if node.parent_code else None
        by_code[node.code] = add_planned_node(uow, node, parent, spec_of(node), now)
    uow.audit.record(
        "location.batch_create",
        object_type="storage_location",
        object_id=by_code[new[0].code].id,
        details={"first": new[0].code, "last": new[-1].code, "count": len(new), **details},
    )
    return len(new)


def add_planned_node(
    uow: UnitOfWork,
    node: loc.PlannedNode,
    parent: StorageLocation | None,
    spec: BatchSpec,
    now: datetime,
) -> StorageLocation:
    """Create one planned place under ``parent`` (flushed: it has its id)."""
    category = spec.category_code.strip().upper() or None
    # rooms, 密集架 and cabinets share their parent's numbering: a cabinet's number is
    # only in its code, so a 密集架 and a 柜 of one room never share a place in the tree
    ordinal = (
        _next_ordinal(uow, parent)
        if node.kind in (LocationKind.STOREROOM, LocationKind.SHELF, LocationKind.CABINET)
        else node.ordinal
    )
    row = StorageLocation(
        parent_id=parent.id if parent else None,
        kind=node.kind.value,
        code=node.code,
        segment=node.code.rsplit("-", 1)[-1][:12],
        name=node.name,
        ordinal=ordinal,
        path_key=(parent.path_key + "." if parent else "") + f"{ordinal:04d}",
        capacity=node.capacity,
        secure=spec.secure and node.kind in (LocationKind.SHELF, LocationKind.CABINET),
        secure_effective=spec.secure and node.kind is not LocationKind.STOREROOM,
        custodian_id=(
            spec.custodian_id
            if spec.secure and node.kind in (LocationKind.SHELF, LocationKind.CABINET)
            else None
        ),
        category_code=category if node.kind is not LocationKind.STOREROOM else None,
        note="",
        created_at=now,
        version=1,
    )
    if parent is not None and parent.secure_effective:
        row.secure_effective = True
    if parent is not None and parent.category_code and not row.category_code:
        row.category_code = parent.category_code
    _grid_fields(row, parent)
    uow.session.add(row)
    uow.session.flush()
    if node.kind in loc.GRID_KINDS:
        row.grid_id = row.id
    return row


def _next_ordinal(uow: UnitOfWork, parent: StorageLocation | None) -> int:
    cond = (
        StorageLocation.parent_id == parent.id
        if parent is not None
        else StorageLocation.parent_id.is_(None)
    )
    siblings = select(func.max(StorageLocation.ordinal)).where(cond)
    return int(uow.session.scalar(siblings) or 0) + 1


def _grid_fields(row: StorageLocation, parent: StorageLocation | None) -> None:
    if parent is None:
        return
    row.grid_id = parent.grid_id
    row.section_no = parent.section_no
    row.layer_no = parent.layer_no
    if row.kind == LocationKind.SECTION.value:
        row.section_no = row.ordinal
    elif row.kind == LocationKind.LAYER.value:
        row.layer_no = row.ordinal
    elif row.kind == LocationKind.POSITION.value:
        row.position_no = row.ordinal
